import * as assert from "assert";
import { randomBytes } from "crypto";
import * as path from "path";
import fc from "fast-check";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import {
    ACTIONS,
    generateValue,
    handler,
    isWellFormed,
    LogLine,
    rotate,
    RotationDeps,
    Step,
    ValueFormat,
    valueSpec,
    withBackoff,
} from "../../../components/runtime/aws/rotate-secret";
import { FakeSecretsManager } from "../../support/secrets-manager-fake";
import { compileAndLoadAlone } from "../../support/lambda-asset";

const STEPS: Step[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

/** Independent of the code under test: what each format must look like. */
const SHAPES: Record<ValueFormat, (length: number) => RegExp> = {
    alphanumeric: (n) => new RegExp(`^[A-Za-z0-9]{${n}}$`),
    printable: (n) => new RegExp(`^[\\x21-\\x7e]{${n}}$`),
    hex: (n) => new RegExp(`^[0-9a-f]{${n}}$`),
    base64: (n) => new RegExp(`^[A-Za-z0-9+/]{${n}}$`),
};

interface Harness {
    readonly fake: FakeSecretsManager;
    readonly deps: RotationDeps;
    readonly lines: LogLine[];
    readonly sleeps: number[];
    /** Every value the function stored, to prove none is logged. */
    readonly values: () => string[];
}

function harness(options?: { firstPutBecomesCurrent: boolean }): Harness {
    const fake = new FakeSecretsManager(options);
    const lines: LogLine[] = [];
    const sleeps: number[] = [];
    const stored: string[] = [];
    const deps: RotationDeps = {
        client: fake.client(),
        sleep: async (ms) => {
            sleeps.push(ms);
        },
        random: () => 0.5,
        log: (line) => lines.push(line),
        randomBytes: (size) => {
            const bytes = randomBytes(size);
            stored.push(bytes.toString("hex"));
            return bytes;
        },
    };
    return { fake, deps, lines, sleeps, values: () => stored };
}

async function step(h: Harness, secret: string, token: string, Step: Step): Promise<void> {
    await rotate({ SecretId: secret, ClientRequestToken: token, Step }, h.deps);
}

/** One rotation as Secrets Manager runs it when nothing fails. */
async function rotation(h: Harness, secret: string, token: string): Promise<void> {
    h.fake.startRotation(secret, token);
    for (const s of STEPS) {
        await step(h, secret, token, s);
    }
}

/** Secrets Manager's way with a failed step: invoke the same step, same token, again. */
async function rotationWithRetries(h: Harness, secret: string, token: string): Promise<void> {
    h.fake.startRotation(secret, token);
    for (const s of STEPS) {
        for (let attempt = 1; ; attempt++) {
            try {
                await step(h, secret, token, s);
                break;
            } catch (e) {
                if (attempt === 3) {
                    throw e;
                }
            }
        }
    }
}

function outcomes(h: Harness): string[] {
    return h.lines.map((l) => `${l.step}:${l.outcome}${l.error ? `:${l.error}` : ""}`);
}

function assertNoValueLogged(h: Harness, secret: string): void {
    const logged = h.lines.map((l) => JSON.stringify(l));
    const values = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"]
        .map((s) => h.fake.valueAt(secret, s))
        .filter((v): v is string => v !== undefined);
    assert.ok(values.length > 0);
    for (const value of values) {
        for (const line of logged) {
            assert.ok(!line.includes(value), `a log line holds a value: ${line}`);
        }
    }
    for (const line of h.lines) {
        assert.deepStrictEqual(
            Object.keys(line).sort(),
            line.error === undefined
                ? ["outcome", "secret", "step", "version"]
                : ["error", "outcome", "secret", "step", "version"],
        );
    }
}

describe("runtime/aws rotate-secret", () => {
    describe("the Secrets Manager fake keeps the documented rules", () => {
        it("labels: one version each; moving AWSCURRENT moves AWSPREVIOUS; RemoveFromVersionId required", () => {
            const fake = new FakeSecretsManager();
            const arn = fake.addSecret("s");
            // The first version gets AWSCURRENT; a put without VersionStages moves AWSCURRENT.
            fake.putSecretValue({ SecretId: arn, ClientRequestToken: "a", SecretString: "A" });
            fake.putSecretValue({ SecretId: arn, ClientRequestToken: "b", SecretString: "B" });
            assert.deepStrictEqual(fake.stages(arn), { a: ["AWSPREVIOUS"], b: ["AWSCURRENT"] });
            // Same token, same value: nothing; another value: refused.
            fake.putSecretValue({ SecretId: arn, ClientRequestToken: "b", SecretString: "B" });
            assert.throws(() => fake.putSecretValue({ SecretId: arn, ClientRequestToken: "b", SecretString: "C" }), {
                name: "ResourceExistsException",
            });
            fake.putSecretValue({
                SecretId: arn,
                ClientRequestToken: "c",
                SecretString: "C",
                VersionStages: ["AWSPENDING"],
            });
            assert.deepStrictEqual(fake.stages(arn), { a: ["AWSPREVIOUS"], b: ["AWSCURRENT"], c: ["AWSPENDING"] });
            // Attaching a label another version holds needs RemoveFromVersionId naming that version.
            assert.throws(
                () =>
                    fake.updateSecretVersionStage({ SecretId: arn, VersionStage: "AWSCURRENT", MoveToVersionId: "c" }),
                { name: "InvalidParameterException" },
            );
            assert.throws(
                () =>
                    fake.updateSecretVersionStage({
                        SecretId: arn,
                        VersionStage: "AWSCURRENT",
                        MoveToVersionId: "c",
                        RemoveFromVersionId: "a",
                    }),
                { name: "InvalidParameterException" },
            );
            fake.updateSecretVersionStage({
                SecretId: arn,
                VersionStage: "AWSCURRENT",
                MoveToVersionId: "c",
                RemoveFromVersionId: "b",
            });
            assert.deepStrictEqual(fake.stages(arn), { b: ["AWSPREVIOUS"], c: ["AWSPENDING", "AWSCURRENT"] });
            // GetSecretValue: VersionId and VersionStage must agree; no arguments means AWSCURRENT.
            assert.strictEqual(fake.getSecretValue({ SecretId: "s" }).SecretString, "C");
            assert.throws(() => fake.getSecretValue({ SecretId: arn, VersionId: "b", VersionStage: "AWSCURRENT" }), {
                name: "ResourceNotFoundException",
            });
            assert.deepStrictEqual(fake.violations, []);
        });

        it("rotation: an empty AWSPENDING version first, and no second rotation while one is unfinished", () => {
            const fake = new FakeSecretsManager();
            const arn = fake.addSecret("s");
            fake.putSecretValue({ SecretId: arn, ClientRequestToken: "a", SecretString: "A" });
            fake.startRotation(arn, "t1");
            assert.deepStrictEqual(fake.stages(arn), { a: ["AWSCURRENT"], t1: ["AWSPENDING"] });
            assert.throws(() => fake.getSecretValue({ SecretId: arn, VersionId: "t1", VersionStage: "AWSPENDING" }), {
                name: "ResourceNotFoundException",
            });
            fake.startRotation(arn, "t1");
            assert.throws(() => fake.startRotation(arn, "t2"), { name: "InvalidRequestException" });
            fake.abandonRotation(arn);
            fake.startRotation(arn, "t2");
            assert.deepStrictEqual(fake.stages(arn), { a: ["AWSCURRENT"], t2: ["AWSPENDING"] });
        });
    });

    describe("first rotation of a secret with no value", () => {
        // Whether PutSecretValue on a secret whose only version is rotation's empty AWSPENDING one
        // also attaches AWSCURRENT is not documented: the function must end right either way.
        for (const firstPutBecomesCurrent of [true, false]) {
            it(`mints the first value as AWSCURRENT (first put becomes current: ${firstPutBecomesCurrent})`, async () => {
                // GIVEN a secret created without a value, rotation on
                const h = harness({ firstPutBecomesCurrent });
                const arn = h.fake.addSecret("webhook");
                // WHEN Secrets Manager rotates it immediately
                await rotation(h, arn, "t1");
                // THEN the token's version is AWSCURRENT and holds 32 alphanumeric characters
                assert.deepStrictEqual(h.fake.stages(arn), { t1: ["AWSCURRENT"] });
                assert.match(h.fake.valueAt(arn, "AWSCURRENT")!, SHAPES.alphanumeric(32));
                assert.strictEqual(h.fake.valueAt(arn, "AWSPREVIOUS"), undefined);
                assert.deepStrictEqual(
                    outcomes(h),
                    firstPutBecomesCurrent
                        ? [
                              "createSecret:created",
                              "setSecret:already-current",
                              "testSecret:already-current",
                              "finishSecret:finished",
                          ]
                        : [
                              "createSecret:created",
                              "setSecret:nothing-to-set",
                              "testSecret:tested",
                              "finishSecret:finished",
                          ],
                );
                assert.deepStrictEqual(h.fake.violations, []);
                // AND the next rotation works from there, the first value kept as AWSPREVIOUS
                const first = h.fake.valueAt(arn, "AWSCURRENT");
                await rotation(h, arn, "t2");
                assert.deepStrictEqual(h.fake.stages(arn), { t1: ["AWSPREVIOUS"], t2: ["AWSCURRENT"] });
                assert.strictEqual(h.fake.valueAt(arn, "AWSPREVIOUS"), first);
            });
        }
    });

    it("steady rotation: the new value becomes AWSCURRENT, the old one stays readable as AWSPREVIOUS", async () => {
        // GIVEN a secret that has been rotated once
        const h = harness();
        const arn = h.fake.addSecret("webhook");
        await rotation(h, arn, "t1");
        const v1 = h.fake.valueAt(arn, "AWSCURRENT")!;
        h.lines.length = 0;
        // WHEN it is rotated twice more
        await rotation(h, arn, "t2");
        const v2 = h.fake.valueAt(arn, "AWSCURRENT")!;
        // THEN each rotation runs its four steps, and v1 is AWSPREVIOUS until the next one
        assert.deepStrictEqual(outcomes(h), [
            "createSecret:created",
            "setSecret:nothing-to-set",
            "testSecret:tested",
            "finishSecret:finished",
        ]);
        assert.notStrictEqual(v2, v1);
        assert.strictEqual(h.fake.valueAt(arn, "AWSPREVIOUS"), v1);
        await rotation(h, arn, "t3");
        assert.deepStrictEqual(h.fake.stages(arn), { t2: ["AWSPREVIOUS"], t3: ["AWSCURRENT"] });
        assert.strictEqual(h.fake.valueAt(arn, "AWSPREVIOUS"), v2);
        assert.deepStrictEqual(h.fake.violations, []);
        // AND each line names the secret as Secrets Manager passed it, and the version
        assert.deepStrictEqual(h.lines[0], { secret: arn, step: "createSecret", version: "t2", outcome: "created" });
    });

    it("a retry of every step changes nothing: one value, put once", async () => {
        // GIVEN a secret with a current value and a rotation started
        const h = harness();
        const arn = h.fake.addSecret("webhook");
        await rotation(h, arn, "t1");
        const v1 = h.fake.valueAt(arn, "AWSCURRENT");
        h.fake.startRotation(arn, "t2");
        h.lines.length = 0;
        const before = h.fake.calls.length;
        // WHEN Secrets Manager invokes every step twice
        let pending: string | undefined;
        for (const s of STEPS) {
            await step(h, arn, "t2", s);
            pending ??= h.fake.valueAt(arn, "AWSPENDING");
            await step(h, arn, "t2", s);
        }
        // THEN the value put by the first createSecret is the one that became current
        assert.deepStrictEqual(outcomes(h), [
            "createSecret:created",
            "createSecret:already-created",
            "setSecret:nothing-to-set",
            "setSecret:nothing-to-set",
            "testSecret:tested",
            "testSecret:tested",
            "finishSecret:finished",
            "finishSecret:already-current",
        ]);
        assert.strictEqual(h.fake.calls.slice(before).filter((c) => c === "PutSecretValue").length, 1);
        assert.strictEqual(h.fake.valueAt(arn, "AWSCURRENT"), pending);
        assert.strictEqual(h.fake.valueAt(arn, "AWSPREVIOUS"), v1);
        assert.deepStrictEqual(h.fake.stages(arn), { t1: ["AWSPREVIOUS"], t2: ["AWSCURRENT"] });
    });

    describe("a crash at any call of a rotation", () => {
        // A clean steady rotation makes 9 calls: createSecret 3, setSecret 1, testSecret 2, finishSecret 3.
        const CALLS = 9;
        it("makes 9 calls when nothing fails", async () => {
            const h = harness();
            const arn = h.fake.addSecret("webhook");
            await rotation(h, arn, "t1");
            const before = h.fake.calls.length;
            await rotation(h, arn, "t2");
            assert.deepStrictEqual(h.fake.calls.slice(before), [
                "DescribeSecret",
                "GetSecretValue",
                "PutSecretValue",
                "DescribeSecret",
                "DescribeSecret",
                "GetSecretValue",
                "DescribeSecret",
                "UpdateSecretVersionStage",
                "UpdateSecretVersionStage",
            ]);
        });

        for (let at = 1; at <= CALLS; at++) {
            for (const when of ["before", "after"] as const) {
                it(`call ${at} fails ${when} it takes effect: the same token, retried, finishes the rotation`, async () => {
                    // GIVEN a secret with a current value
                    const h = harness();
                    const arn = h.fake.addSecret("webhook");
                    await rotation(h, arn, "t1");
                    const v1 = h.fake.valueAt(arn, "AWSCURRENT");
                    // WHEN call `at` of the next rotation fails, and Secrets Manager retries the step
                    h.fake.fail(at, "InternalServiceError", when);
                    await rotationWithRetries(h, arn, "t2");
                    // THEN AWSCURRENT was never lost, and the rotation ends as a clean one does
                    assert.deepStrictEqual(h.fake.violations, []);
                    assert.deepStrictEqual(h.fake.stages(arn), { t1: ["AWSPREVIOUS"], t2: ["AWSCURRENT"] });
                    assert.strictEqual(h.fake.valueAt(arn, "AWSPREVIOUS"), v1);
                    assert.match(h.fake.valueAt(arn, "AWSCURRENT")!, SHAPES.alphanumeric(32));
                    assert.ok(outcomes(h).some((o) => o.endsWith(":failed:InternalServiceError")));
                    assertNoValueLogged(h, arn);
                });

                it(`call ${at} fails ${when} it takes effect: a new rotation with a new token finishes`, async () => {
                    // GIVEN a secret with a current value, and a rotation that dies at call `at`
                    const h = harness();
                    const arn = h.fake.addSecret("webhook");
                    await rotation(h, arn, "t1");
                    h.fake.fail(at, "InternalServiceError", when);
                    await assert.rejects(rotation(h, arn, "t2"), { name: "InternalServiceError" });
                    // WHEN the next rotation starts with a new token (once the failed one is
                    // abandoned, if it still holds AWSPENDING: Secrets Manager refuses it until then)
                    const current = h.fake.valueAt(arn, "AWSCURRENT");
                    h.fake.abandonRotation(arn);
                    await rotation(h, arn, "t3");
                    // THEN it finishes: a new value is AWSCURRENT, the value current before it is AWSPREVIOUS
                    assert.deepStrictEqual(h.fake.violations, []);
                    assert.strictEqual(h.fake.stages(arn).t3.join(), "AWSCURRENT");
                    assert.strictEqual(h.fake.valueAt(arn, "AWSPREVIOUS"), current);
                    assert.notStrictEqual(h.fake.valueAt(arn, "AWSCURRENT"), current);
                    assert.match(h.fake.valueAt(arn, "AWSCURRENT")!, SHAPES.alphanumeric(32));
                });
            }
        }
    });

    describe("throttling", () => {
        it("retries ThrottlingException and TooManyRequestsException with full-jitter backoff, then succeeds", async () => {
            // GIVEN Secrets Manager throttles the first two calls
            const h = harness();
            const arn = h.fake.addSecret("webhook");
            h.fake.startRotation(arn, "t1");
            h.fake.fail(1, "ThrottlingException");
            h.fake.fail(2, "TooManyRequestsException");
            // WHEN createSecret runs
            await step(h, arn, "t1", "createSecret");
            // THEN it slept half of 100 ms, then half of 200 ms (random() = 0.5), and put the value
            assert.deepStrictEqual(h.sleeps, [50, 100]);
            assert.deepStrictEqual(outcomes(h), ["createSecret:created"]);
            assert.deepStrictEqual(h.fake.calls, [
                "DescribeSecret",
                "DescribeSecret",
                "DescribeSecret",
                "GetSecretValue",
                "PutSecretValue",
            ]);
        });

        it("gives up after 6 calls and fails the step with the throttling error", async () => {
            // GIVEN Secrets Manager throttles every call
            const h = harness();
            const arn = h.fake.addSecret("webhook");
            h.fake.startRotation(arn, "t1");
            for (let i = 1; i <= 7; i++) {
                h.fake.fail(i, "ThrottlingException");
            }
            // WHEN createSecret runs, THEN it fails after 6 calls and 5 sleeps
            await assert.rejects(step(h, arn, "t1", "createSecret"), { name: "ThrottlingException" });
            assert.deepStrictEqual(h.sleeps, [50, 100, 200, 400, 800]);
            assert.strictEqual(h.fake.calls.length, 6);
            assert.deepStrictEqual(h.lines, [
                { secret: arn, step: "createSecret", version: "t1", outcome: "failed", error: "ThrottlingException" },
            ]);
        });

        it("does not retry other errors", async () => {
            const sleeps: number[] = [];
            let calls = 0;
            const error = Object.assign(new Error("no"), { name: "AccessDeniedException" });
            await assert.rejects(
                withBackoff(
                    async () => {
                        calls++;
                        throw error;
                    },
                    { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
                ),
                error,
            );
            assert.deepStrictEqual([calls, sleeps], [1, []]);
        });

        it("every sleep is drawn from [0, 100 ms × 2^retry)", async () => {
            await fc.assert(
                fc.asyncProperty(
                    fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
                        minLength: 5,
                        maxLength: 5,
                    }),
                    async (draws) => {
                        const sleeps: number[] = [];
                        let i = 0;
                        await assert.rejects(
                            withBackoff(
                                async () => {
                                    throw Object.assign(new Error("slow down"), { name: "ThrottlingException" });
                                },
                                { sleep: async (ms) => void sleeps.push(ms), random: () => draws[i++] },
                            ),
                        );
                        assert.deepStrictEqual(
                            sleeps,
                            draws.map((d, k) => Math.floor(d * 100 * 2 ** k)),
                        );
                        sleeps.forEach((ms, k) => assert.ok(ms >= 0 && ms < 100 * 2 ** k));
                    },
                ),
            );
        });
    });

    describe("generated values", () => {
        it("every generated value has its format and length (real randomness)", () => {
            fc.assert(
                fc.property(
                    fc.constantFrom<ValueFormat>("alphanumeric", "printable", "hex", "base64"),
                    fc.integer({ min: 16, max: 4096 }),
                    (format, length) => {
                        const value = generateValue({ format, length });
                        assert.match(value, SHAPES[format](length));
                        assert.ok(isWellFormed(value, { format, length }));
                    },
                ),
                { numRuns: 200 },
            );
        });

        it("every generated value has its format and length, whatever bytes the generator returns", () => {
            // Adversarial bytes (runs of 255, which every alphabet of 62 or 94 rejects) still end
            // in a value of the right shape.
            fc.assert(
                fc.property(
                    fc.constantFrom<ValueFormat>("alphanumeric", "printable", "hex", "base64"),
                    fc.integer({ min: 16, max: 256 }),
                    fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 8 }),
                    (format, length, chunks) => {
                        let i = 0;
                        const value = generateValue({ format, length }, (size) => {
                            // Cycle the chunks; every fourth call gives fresh bytes so the loop ends.
                            const chunk = i % 4 === 3 ? randomBytes(size) : Buffer.from(chunks[i % chunks.length]);
                            i++;
                            return chunk;
                        });
                        assert.match(value, SHAPES[format](length));
                    },
                ),
            );
        });

        it("skips bytes at or above the largest multiple of the alphabet's size (no bias)", () => {
            // alphanumeric: 62 characters, 256 - 256 % 62 = 248; 0 → "A", 61 → "9", 62 → "A", 247 → "9"
            const bytes = Buffer.from([248, 249, 255, 0, 61, 62, 247]);
            assert.strictEqual(
                generateValue({ format: "alphanumeric", length: 16 }, () => bytes),
                "A9A9A9A9A9A9A9A9",
            );
            // printable: 94 characters, limit 188; 0 → "!", 93 → "~", 187 → 187 % 94 = 93 → "~"
            assert.strictEqual(
                generateValue({ format: "printable", length: 16 }, () => Buffer.from([188, 0, 93, 187])),
                "!~~!~~!~~!~~!~~!",
            );
            // hex and base64 divide 256: no byte is skipped
            assert.strictEqual(
                generateValue({ format: "hex", length: 16 }, () => Buffer.from([255, 16])),
                "f0f0f0f0f0f0f0f0",
            );
            assert.strictEqual(
                generateValue({ format: "base64", length: 16 }, () => Buffer.from([255, 62])),
                "/+/+/+/+/+/+/+/+",
            );
        });

        it("reads the length and format from the secret's tags", async () => {
            // GIVEN a secret tagged for 64 hex characters
            const h = harness();
            const arn = h.fake.addSecret("signing", { "nhi:value-length": "64", "nhi:value-format": "hex" });
            // WHEN it is rotated twice, THEN both values are 64 hex characters
            await rotation(h, arn, "t1");
            await rotation(h, arn, "t2");
            assert.match(h.fake.valueAt(arn, "AWSCURRENT")!, SHAPES.hex(64));
            assert.match(h.fake.valueAt(arn, "AWSPREVIOUS")!, SHAPES.hex(64));
        });

        const specs: [Record<string, string>, ReturnType<typeof valueSpec> | string][] = [
            [{}, { length: 32, format: "alphanumeric" }],
            [{ "nhi:value-length": "16" }, { length: 16, format: "alphanumeric" }],
            [
                { "nhi:value-length": "4096", "nhi:value-format": "printable" },
                { length: 4096, format: "printable" },
            ],
            [
                { "nhi:value-format": "base64", other: "x" },
                { length: 32, format: "base64" },
            ],
            [{ "nhi:value-length": "15" }, 'Tag `nhi:value-length` is "15"; expected a whole number from 16 to 4096.'],
            [
                { "nhi:value-length": "4097" },
                'Tag `nhi:value-length` is "4097"; expected a whole number from 16 to 4096.',
            ],
            [
                { "nhi:value-length": "32.5" },
                'Tag `nhi:value-length` is "32.5"; expected a whole number from 16 to 4096.',
            ],
            [{ "nhi:value-length": "" }, 'Tag `nhi:value-length` is ""; expected a whole number from 16 to 4096.'],
            [
                { "nhi:value-format": "Base64" },
                'Tag `nhi:value-format` is "Base64"; expected one of alphanumeric, printable, hex, base64.',
            ],
            [
                { "nhi:value-format": "toString" },
                'Tag `nhi:value-format` is "toString"; expected one of alphanumeric, printable, hex, base64.',
            ],
        ];
        for (const [tags, expected] of specs) {
            it(`tags ${JSON.stringify(tags)} → ${JSON.stringify(expected)}`, () => {
                const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
                if (typeof expected === "string") {
                    assert.throws(() => valueSpec(list), { message: expected });
                } else {
                    assert.deepStrictEqual(valueSpec(list), expected);
                }
            });
        }
    });

    describe("the event is validated as AWS's template does, before any step", () => {
        it("refuses a secret whose rotation is off", async () => {
            const h = harness();
            const arn = h.fake.addSecret("webhook");
            h.fake.startRotation(arn, "t1");
            h.fake.setRotationEnabled(arn, false);
            await assert.rejects(step(h, arn, "t1", "createSecret"), {
                message: `Secret ${arn} is not enabled for rotation.`,
            });
            assert.deepStrictEqual(h.fake.calls, ["DescribeSecret"]);
        });

        it("refuses a token that is not a version of the secret", async () => {
            const h = harness();
            const arn = h.fake.addSecret("webhook");
            await assert.rejects(step(h, arn, "nope", "createSecret"), {
                message: `Secret version nope has no stage for rotation of secret ${arn}.`,
            });
        });

        it("refuses a version that is neither AWSPENDING nor AWSCURRENT", async () => {
            // GIVEN t1 is AWSPREVIOUS after two rotations
            const h = harness();
            const arn = h.fake.addSecret("webhook");
            await rotation(h, arn, "t1");
            await rotation(h, arn, "t2");
            const puts = h.fake.calls.filter((c) => c === "PutSecretValue").length;
            // WHEN a stale invocation names t1, THEN it is refused and nothing is written
            await assert.rejects(step(h, arn, "t1", "createSecret"), {
                message: `Secret version t1 is not staged AWSPENDING for rotation of secret ${arn}.`,
            });
            assert.strictEqual(h.fake.calls.filter((c) => c === "PutSecretValue").length, puts);
            assert.deepStrictEqual(h.fake.stages(arn), { t1: ["AWSPREVIOUS"], t2: ["AWSCURRENT"] });
        });

        it("refuses an unknown step, and an event without its fields, with no call", async () => {
            const h = harness();
            const message =
                "Invalid rotation event: expected `SecretId`, `ClientRequestToken` and `Step` (one of createSecret, setSecret, testSecret, finishSecret).";
            await assert.rejects(
                rotate({ SecretId: "s", ClientRequestToken: "t", Step: "deleteSecret" as Step }, h.deps),
                { message },
            );
            await assert.rejects(rotate({} as never, h.deps), { message });
            assert.deepStrictEqual(h.fake.calls, []);
        });
    });

    it("testSecret refuses a malformed AWSPENDING value, and finishSecret is never reached", async () => {
        // GIVEN a pending value that is not 32 alphanumeric characters (a hand-made version)
        const h = harness();
        const arn = h.fake.addSecret("webhook");
        await rotation(h, arn, "t1");
        const v1 = h.fake.valueAt(arn, "AWSCURRENT");
        h.fake.startRotation(arn, "t2");
        h.fake.putSecretValue({
            SecretId: arn,
            ClientRequestToken: "t2",
            SecretString: "short-and-$pecial",
            VersionStages: ["AWSPENDING"],
        });
        // WHEN testSecret runs, THEN it fails without naming the value, and AWSCURRENT is unchanged
        await assert.rejects(step(h, arn, "t2", "testSecret"), (e: Error) => {
            assert.strictEqual(
                e.message,
                `The AWSPENDING value of secret ${arn} (version t2) is not 32 alphanumeric characters.`,
            );
            return true;
        });
        assert.deepStrictEqual(h.lines.at(-1), {
            secret: arn,
            step: "testSecret",
            version: "t2",
            outcome: "failed",
            error: "Error",
        });
        assert.ok(!JSON.stringify(h.lines).includes("short-and-$pecial"));
        assert.strictEqual(h.fake.valueAt(arn, "AWSCURRENT"), v1);
    });

    it("`ACTIONS` are exactly the calls the function makes over a first, a steady and a crashed rotation", async () => {
        // GIVEN a first rotation, a steady one, and one whose calls fail and are retried
        const h = harness({ firstPutBecomesCurrent: false });
        const arn = h.fake.addSecret("webhook");
        await rotation(h, arn, "t1");
        await rotation(h, arn, "t2");
        h.fake.fail(3, "InternalServiceError", "after");
        await rotationWithRetries(h, arn, "t3");
        await step(h, arn, "t3", "finishSecret");
        // THEN the operations called, as IAM actions, are the list the component grants
        assert.deepStrictEqual([...new Set(h.fake.calls)].map((c) => `secretsmanager:${c}`).sort(), [
            ...ACTIONS.secretsmanager,
        ]);
    });

    it("no log line holds a value", async () => {
        // GIVEN rotations of every format, one with a failed step
        for (const format of ["alphanumeric", "printable", "hex", "base64"]) {
            const h = harness();
            const arn = h.fake.addSecret(`s-${format}`, { "nhi:value-format": format, "nhi:value-length": "16" });
            await rotation(h, arn, "t1");
            h.fake.fail(3, "InternalServiceError", "after");
            await rotationWithRetries(h, arn, "t2");
            // THEN no line holds the current or previous value, nor the bytes they were made from
            assertNoValueLogged(h, arn);
            const logged = JSON.stringify(h.lines);
            for (const bytes of h.values()) {
                assert.ok(!logged.includes(bytes));
            }
        }
    });

    describe("the Lambda entry point", () => {
        it("`handler` writes one JSON line per step to stdout with its own client", async () => {
            // GIVEN every SecretsManagerClient answered by the fake (the handler makes its own)
            const fake = new FakeSecretsManager({ firstPutBecomesCurrent: false });
            const arn = fake.addSecret("webhook");
            fake.startRotation(arn, "t1");
            const all = fake.answer(mockClient(SecretsManagerClient));
            const written: string[] = [];
            const write = process.stdout.write;
            process.stdout.write = ((chunk: string) => {
                written.push(chunk);
                return true;
            }) as typeof process.stdout.write;
            try {
                // WHEN Secrets Manager invokes the four steps
                for (const s of STEPS) {
                    await handler({ SecretId: arn, ClientRequestToken: "t1", Step: s });
                }
            } finally {
                process.stdout.write = write;
                all.restore();
            }
            // THEN stdout has one JSON line per step, none with the value
            const outcomes = ["created", "nothing-to-set", "tested", "finished"];
            assert.deepStrictEqual(
                written.map((l) => JSON.parse(l)),
                STEPS.map((s, i) => ({ secret: arn, step: s, version: "t1", outcome: outcomes[i] })),
            );
            assert.deepStrictEqual(fake.stages(arn), { t1: ["AWSCURRENT"] });
            assert.ok(written.every((l) => l.endsWith("}\n") && !l.includes(fake.valueAt(arn, "AWSCURRENT")!)));
        });

        it("compiled by tsc with the shared value helpers, loads in a fresh Node process with only the runtime's SDK on its path", function () {
            this.timeout(120_000);
            // GIVEN the handler compiled alone, as the asset will hold it
            // WHEN a fresh Node process requires it, with the SDK found the way Lambda's runtime
            // provides it (NODE_PATH), and no package.json or node_modules beside it
            const { files, printed } = compileAndLoadAlone("components/runtime/aws/rotate-secret.ts");
            // THEN it is the handler, the tags and actions it shares with its component, the rotation
            // steps it shares with the access-key function and the value helpers it shares with
            // Google's function, nothing else; it exports `handler`
            assert.deepStrictEqual(files, [
                path.join("aws", "contract.js"),
                path.join("aws", "retry.js"),
                path.join("aws", "rotate-secret.js"),
                path.join("aws", "rotation.js"),
                "value.js",
            ]);
            assert.strictEqual(printed, "function 1");
        });
    });
});
