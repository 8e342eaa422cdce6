import * as assert from "assert";
import * as fc from "fast-check";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import {
    backoffDelay,
    createRotationHandler,
    LogLine,
    MAX_ATTEMPTS,
    PubsubCloudEvent,
    RotationResult,
    rotationPolicy,
    versionsPastGrace,
} from "../../../components/runtime/gcp/rotate-secret";
import { secretManagerStore, VersionInfo } from "../../../components/runtime/gcp/secret-store";
import { ALPHABETS, generateValue, ValueFormat } from "../../../components/runtime/gcp/value";
import { CODE, Crash, FakeSecretManager, GrpcError } from "./fake-secret-manager";

const SECRET = "projects/demo/secrets/webhook-signing";
const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-01T00:00:00Z");
const RUNTIME = path.resolve(__dirname, "../../../components/runtime/gcp");

/** The CloudEvent Eventarc delivers for a Secret Manager notification published at `publishTime`. */
function notification(
    publishTime: number,
    eventType = "SECRET_ROTATE",
    secretId: string | null = SECRET,
    dataName: string | null = secretId,
): PubsubCloudEvent {
    const attributes: Record<string, string> = { eventType, dataFormat: "JSON_API_V1" };
    if (secretId) attributes.secretId = secretId;
    return {
        type: "google.cloud.pubsub.topic.v1.messagePublished",
        data: {
            message: {
                attributes,
                data: Buffer.from(JSON.stringify(dataName ? { name: dataName } : {})).toString("base64"),
                messageId: "1",
                publishTime: new Date(publishTime).toISOString(),
            },
        },
    };
}

/** A fake secret rotated every 30 days, a clock, and a handler whose logs and sleeps are recorded. */
function rig(labels: Record<string, string> = {}, opts: ConstructorParameters<typeof FakeSecretManager>[3] = {}) {
    const clock = { now: T0 };
    const fake = new FakeSecretManager(SECRET, { "nhi-rotate-every-days": "30", ...labels }, clock, opts);
    const logs: LogLine[] = [];
    const sleeps: number[] = [];
    const handler = createRotationHandler({
        store: async () => fake,
        now: () => clock.now,
        sleep: async (ms) => {
            sleeps.push(ms);
        },
        random: () => 0.5,
        log: (line) => logs.push(line),
    });
    /** The scheduled notification arrives at the current time and the function runs a minute later. */
    const rotateAt = async (t: number): Promise<RotationResult> => {
        clock.now = t + MINUTE;
        return handler(notification(t));
    };
    return { clock, fake, logs, sleeps, handler, rotateAt };
}

function logOf(logs: LogLine[]): string[] {
    return logs.map(
        (l) =>
            `${l.severity} ${l.step} ${l.outcome}${l.version ? ` ${l.version.replace(`${SECRET}/versions/`, "v")}` : ""}`,
    );
}

describe("runtime/gcp rotate-secret", () => {
    describe("first rotation", () => {
        it("adds version 1, a 32-character alphanumeric value, to a secret with no version yet", async () => {
            // GIVEN a secret with no version and no value labels
            const { fake, logs, rotateAt } = rig();
            // WHEN the first SECRET_ROTATE arrives
            const result = await rotateAt(T0);
            // THEN version 1 exists, enabled, readable, with the default format
            assert.deepStrictEqual(result, { outcome: "rotated", added: `${SECRET}/versions/1`, disabled: [] });
            assert.strictEqual(fake.states(), "1:ENABLED");
            assert.match(fake.access("latest"), /^[A-Za-z0-9]{32}$/);
            assert.deepStrictEqual(logOf(logs), [
                "INFO receive accepted",
                "INFO read-secret read",
                "INFO add-version added v1",
                "INFO done rotated v1",
            ]);
        });
    });

    describe("steady rotation with grace", () => {
        it("keeps the previous version enabled for one period (the default grace), then disables it", async () => {
            // GIVEN a secret rotated every 30 days, no grace label
            const { fake, rotateAt } = rig();
            await rotateAt(T0);
            const first = fake.access(1);
            // WHEN the second rotation comes
            const second = await rotateAt(T0 + 30 * DAY);
            // THEN both values are readable during the overlap
            assert.deepStrictEqual(second.disabled, []);
            assert.strictEqual(fake.states(), "1:ENABLED 2:ENABLED");
            assert.strictEqual(fake.access(1), first);
            assert.notStrictEqual(fake.access(2), first);
            // WHEN the third comes, one period after version 2 replaced version 1
            const third = await rotateAt(T0 + 60 * DAY);
            // THEN version 1 is disabled (no longer readable), 2 and 3 stay
            assert.deepStrictEqual(third.disabled, [`${SECRET}/versions/1`]);
            assert.strictEqual(fake.states(), "1:DISABLED 2:ENABLED 3:ENABLED");
            assert.throws(
                () => fake.access(1),
                (e: GrpcError) => e.code === CODE.FAILED_PRECONDITION && e.message.endsWith("is in DISABLED state."),
            );
        });

        it("reads the period from `rotation.rotationPeriod` when the API returns it, before the label", async () => {
            // GIVEN a 1-day rotationPeriod on the secret and a 30-day label
            const { fake, rotateAt } = rig({}, { rotationPeriodSeconds: 86_400 });
            await rotateAt(T0);
            await rotateAt(T0 + DAY);
            // WHEN the next daily rotation comes
            await rotateAt(T0 + 2 * DAY);
            // THEN the grace was one day, not thirty
            assert.strictEqual(fake.states(), "1:DISABLED 2:ENABLED 3:ENABLED");
        });

        it("with `nhi-grace-days` 0, disables the previous version at once but never the one just added", async () => {
            const { fake, rotateAt } = rig({ "nhi-grace-days": "0" });
            await rotateAt(T0);
            const second = await rotateAt(T0 + 30 * DAY);
            assert.deepStrictEqual(second, {
                outcome: "rotated",
                added: `${SECRET}/versions/2`,
                disabled: [`${SECRET}/versions/1`],
            });
            assert.strictEqual(fake.states(), "1:DISABLED 2:ENABLED");
        });

        it("a version past its grace is disabled at the first rotation after the grace ends", async () => {
            // GIVEN a 7-day grace on a 30-day period
            const { fake, rotateAt } = rig({ "nhi-grace-days": "7" });
            await rotateAt(T0);
            await rotateAt(T0 + 30 * DAY);
            assert.strictEqual(fake.states(), "1:ENABLED 2:ENABLED");
            await rotateAt(T0 + 60 * DAY);
            assert.strictEqual(fake.states(), "1:DISABLED 2:ENABLED 3:ENABLED");
        });
    });

    describe("versionsPastGrace", () => {
        const v = (id: number, createDay: number, state: VersionInfo["state"] = "ENABLED"): VersionInfo => ({
            name: `s/versions/${id}`,
            id,
            state,
            createTime: T0 + createDay * DAY,
        });
        const table: [string, VersionInfo[], number, number, string | undefined, number[]][] = [
            ["nothing to disable with one version", [v(1, 0)], 0, 100, undefined, []],
            ["the newest enabled version is kept even with zero grace", [v(1, 0), v(2, 1)], 0, 100, undefined, [1]],
            ["a version stays until its successor is `grace` old", [v(1, 0), v(2, 10)], 5, 14.9, undefined, []],
            ["… and goes at exactly `grace`", [v(1, 0), v(2, 10)], 5, 15, undefined, [1]],
            [
                "the successor is the next newer ENABLED version",
                [v(1, 0), v(2, 1, "DISABLED"), v(3, 20)],
                5,
                24,
                undefined,
                [],
            ],
            [
                "disabled and destroyed versions are not touched",
                [v(1, 0, "DESTROYED"), v(2, 1, "DISABLED"), v(3, 2), v(4, 3)],
                0,
                10,
                undefined,
                [3],
            ],
            [
                "`keep` is never disabled, even when a newer version appeared",
                [v(1, 0), v(2, 1), v(3, 2)],
                0,
                10,
                "s/versions/2",
                [1],
            ],
            [
                "input order does not matter (the API lists newest first)",
                [v(3, 20), v(2, 10), v(1, 0)],
                5,
                100,
                undefined,
                [1, 2],
            ],
        ];
        for (const [what, versions, graceDays, nowDay, keep, expected] of table) {
            it(what, () => {
                assert.deepStrictEqual(
                    versionsPastGrace(versions, graceDays * DAY, T0 + nowDay * DAY, keep).map((x) => x.id),
                    expected,
                );
            });
        }
    });

    describe("idempotence", () => {
        it("a redelivered message adds no second version", async () => {
            // GIVEN a rotation that succeeded
            const { fake, handler, clock, rotateAt } = rig();
            await rotateAt(T0);
            // WHEN Pub/Sub delivers the same message again, later
            clock.now = T0 + 10 * MINUTE;
            const again = await handler(notification(T0));
            // THEN nothing is added
            assert.deepStrictEqual(again, { outcome: "already-rotated", added: undefined, disabled: [] });
            assert.strictEqual(fake.calls.addVersion, 1);
            assert.strictEqual(fake.states(), "1:ENABLED");
        });

        it("after a crash between adding and disabling, the redelivery finishes the disabling without a second add", async () => {
            // GIVEN two enabled versions, the older one past its grace at the third rotation
            const { fake, handler, clock, rotateAt } = rig();
            await rotateAt(T0);
            await rotateAt(T0 + 30 * DAY);
            // WHEN the third run crashes right after adding its version
            fake.crashAfter("addVersion");
            await assert.rejects(rotateAt(T0 + 60 * DAY), Crash);
            assert.strictEqual(fake.states(), "1:ENABLED 2:ENABLED 3:ENABLED");
            // AND the message is delivered again
            clock.now = T0 + 60 * DAY + 5 * MINUTE;
            const again = await handler(notification(T0 + 60 * DAY));
            // THEN the disabling is done and no fourth version appears
            assert.deepStrictEqual(again, {
                outcome: "already-rotated",
                added: undefined,
                disabled: [`${SECRET}/versions/1`],
            });
            assert.strictEqual(fake.states(), "1:DISABLED 2:ENABLED 3:ENABLED");
        });

        it("known limit: two deliveries running at the same moment may both add; the extra version is retired like any other", async () => {
            // GIVEN one enabled version
            const { fake, handler, clock, rotateAt } = rig({ "nhi-grace-days": "0" });
            await rotateAt(T0);
            // WHEN the same message is delivered twice concurrently (Secret Manager's add takes no precondition to stop the second)
            clock.now = T0 + 30 * DAY + MINUTE;
            await Promise.all([handler(notification(T0 + 30 * DAY)), handler(notification(T0 + 30 * DAY))]);
            // THEN there are two new versions, and every enabled version but the newest is disabled
            assert.strictEqual(fake.states(), "1:DISABLED 2:DISABLED 3:ENABLED");
            // AND the next rotation leaves one enabled version, as usual
            await rotateAt(T0 + 60 * DAY);
            assert.strictEqual(fake.states(), "1:DISABLED 2:DISABLED 3:DISABLED 4:ENABLED");
        });

        it("after a crash that is never redelivered, the next rotation finishes the disabling", async () => {
            const { fake, rotateAt } = rig();
            await rotateAt(T0);
            await rotateAt(T0 + 30 * DAY);
            fake.crashAfter("addVersion");
            await assert.rejects(rotateAt(T0 + 60 * DAY), Crash);
            const next = await rotateAt(T0 + 90 * DAY);
            assert.deepStrictEqual(next.disabled, [`${SECRET}/versions/1`, `${SECRET}/versions/2`]);
            assert.strictEqual(fake.states(), "1:DISABLED 2:DISABLED 3:ENABLED 4:ENABLED");
        });

        it("after a crash between two disables, the redelivery disables the rest", async () => {
            // GIVEN three enabled versions, two past grace (zero grace)
            const { fake, handler, clock } = rig({ "nhi-grace-days": "0" });
            fake.seed("a", T0 - 3 * DAY);
            fake.seed("b", T0 - 2 * DAY);
            fake.seed("c", T0 - DAY);
            clock.now = T0 + MINUTE;
            fake.crashAfter("disableVersion");
            await assert.rejects(handler(notification(T0)), Crash);
            assert.strictEqual(fake.states(), "1:DISABLED 2:ENABLED 3:ENABLED 4:ENABLED");
            const again = await handler(notification(T0));
            assert.deepStrictEqual(again.disabled, [`${SECRET}/versions/2`, `${SECRET}/versions/3`]);
            assert.strictEqual(fake.states(), "1:DISABLED 2:DISABLED 3:DISABLED 4:ENABLED");
            assert.strictEqual(fake.calls.addVersion, 1);
        });

        it("an UNAVAILABLE reply to an add that took effect is retried without adding a second version", async () => {
            const { fake, sleeps, rotateAt } = rig();
            fake.crashAfter("addVersion", new GrpcError(CODE.UNAVAILABLE, "connection reset"));
            const result = await rotateAt(T0);
            assert.strictEqual(fake.states(), "1:ENABLED");
            assert.strictEqual(fake.calls.addVersion, 1);
            assert.deepStrictEqual(sleeps, [125]);
            // The version exists but this run cannot tell it added it; it reports the rotation as done.
            assert.strictEqual(result.outcome, "already-rotated");
        });

        for (const mode of ["idempotent", "failed-precondition"] as const) {
            it(`a version no longer enabled when it is disabled is skipped (disabling a disabled version: ${mode})`, async () => {
                const { fake, logs, rotateAt } = rig({ "nhi-grace-days": "0" }, { disableDisabled: mode });
                await rotateAt(T0);
                fake.failNext("disableVersion", CODE.FAILED_PRECONDITION);
                const second = await rotateAt(T0 + 30 * DAY);
                assert.deepStrictEqual(second, { outcome: "rotated", added: `${SECRET}/versions/2`, disabled: [] });
                assert.deepStrictEqual(logOf(logs).slice(-2), [
                    "INFO disable-version skipped v1",
                    "INFO done rotated v2",
                ]);
                // The fake's own semantics: a destroyed version cannot be disabled; a disabled one per `mode`.
                fake.setState(1, "DISABLED");
                if (mode === "idempotent") await fake.disableVersion(`${SECRET}/versions/1`);
                else
                    await assert.rejects(
                        fake.disableVersion(`${SECRET}/versions/1`),
                        (e: GrpcError) => e.code === CODE.FAILED_PRECONDITION,
                    );
                fake.setState(1, "DESTROYED");
                await assert.rejects(
                    fake.disableVersion(`${SECRET}/versions/1`),
                    (e: GrpcError) => e.message === `9 Secret Version [${SECRET}/versions/1] is in DESTROYED state.`,
                );
            });
        }
    });

    describe("throttling and failures", () => {
        it("retries RESOURCE_EXHAUSTED and UNAVAILABLE with full-jitter exponential backoff, then succeeds", async () => {
            // GIVEN Secret Manager throttles twice on add and is unavailable once on read
            const { fake, logs, sleeps, rotateAt } = rig();
            fake.failNext("getSecret", CODE.UNAVAILABLE).failNext("addVersion", CODE.RESOURCE_EXHAUSTED, 2);
            // WHEN the rotation runs
            const result = await rotateAt(T0);
            // THEN it rotates once, after waits of random × 250 ms × 2^(attempt-1)
            assert.strictEqual(result.outcome, "rotated");
            assert.strictEqual(fake.states(), "1:ENABLED");
            assert.deepStrictEqual(sleeps, [125, 125, 250]);
            assert.deepStrictEqual(
                logs.filter((l) => l.outcome === "retrying").map((l) => `${l.step} ${l.code} ${l.attempt}`),
                ["read-secret 14 1", "add-version 8 1", "add-version 8 2"],
            );
        });

        it(`gives up after ${MAX_ATTEMPTS} attempts and fails the run, so Pub/Sub delivers again`, async () => {
            const { fake, logs, sleeps, rotateAt } = rig();
            fake.failNext("listVersions", CODE.UNAVAILABLE, MAX_ATTEMPTS);
            await assert.rejects(rotateAt(T0), (e: GrpcError) => e.code === CODE.UNAVAILABLE);
            assert.strictEqual(sleeps.length, MAX_ATTEMPTS - 1);
            assert.strictEqual(fake.states(), "");
            assert.deepStrictEqual(logs[logs.length - 1], {
                severity: "ERROR",
                message: `failed with gRPC code 14 after ${MAX_ATTEMPTS} attempt(s)`,
                secret: SECRET,
                step: "add-version",
                version: undefined,
                outcome: "failed",
                attempt: MAX_ATTEMPTS,
                code: 14,
            });
        });

        it("acknowledges, without retry, a notification for a secret deleted since", async () => {
            const { fake, logs, sleeps, rotateAt } = rig();
            fake.failNext("getSecret", CODE.NOT_FOUND);
            assert.deepStrictEqual(await rotateAt(T0), { outcome: "refused", disabled: [] });
            assert.deepStrictEqual(sleeps, []);
            assert.strictEqual(fake.calls.addVersion, 0);
            assert.deepStrictEqual(logOf(logs), ["INFO receive accepted", "WARNING read-secret refused"]);
        });

        it("fails the run on a disable that is refused for another reason (PERMISSION_DENIED), after logging it", async () => {
            const { fake, logs, rotateAt } = rig({ "nhi-grace-days": "0" });
            await rotateAt(T0);
            fake.failNext("disableVersion", 7);
            await assert.rejects(rotateAt(T0 + 30 * DAY), (e: GrpcError) => e.code === 7);
            assert.deepStrictEqual(logOf(logs).slice(-1), ["ERROR disable-version failed v1"]);
            assert.strictEqual(fake.states(), "1:ENABLED 2:ENABLED");
        });

        it("does not retry other errors (PERMISSION_DENIED)", async () => {
            const { fake, sleeps, rotateAt } = rig();
            fake.failNext("getSecret", 7);
            await assert.rejects(rotateAt(T0), (e: GrpcError) => e.code === 7);
            assert.deepStrictEqual(sleeps, []);
            assert.strictEqual(fake.calls.getSecret, 1);
        });

        it("the backoff window doubles up to a cap and the jitter spans all of it", () => {
            assert.deepStrictEqual(
                [1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, () => 0.999999)),
                [249, 499, 999, 1999, 3999, 7999, 7999, 7999],
            );
            assert.strictEqual(
                backoffDelay(3, () => 0),
                0,
            );
        });
    });

    describe("events and labels it does not act on", () => {
        for (const eventType of ["SECRET_VERSION_ADD", "SECRET_UPDATE", "TOPIC_CONFIGURED"]) {
            it(`ignores ${eventType} with one logged line and no call`, async () => {
                const { fake, logs, handler } = rig();
                const result = await handler(
                    notification(T0, eventType, eventType === "TOPIC_CONFIGURED" ? null : SECRET),
                );
                assert.deepStrictEqual(result, { outcome: "ignored", disabled: [] });
                assert.deepStrictEqual(
                    logs.map((l) => l.message),
                    [`ignored: event type ${eventType} is not SECRET_ROTATE`],
                );
                assert.deepStrictEqual(fake.journal, []);
            });
        }

        it("takes the secret's name from the message data when the secretId attribute is absent", async () => {
            const { fake, handler } = rig();
            assert.strictEqual((await handler(notification(T0, "SECRET_ROTATE", null, SECRET))).outcome, "rotated");
            assert.strictEqual(fake.states(), "1:ENABLED");
        });

        it("refuses a message that names no secret", async () => {
            const { fake, logs, handler } = rig();
            assert.strictEqual((await handler(notification(T0, "SECRET_ROTATE", null))).outcome, "refused");
            assert.deepStrictEqual(
                logs.map((l) => `${l.severity} ${l.message}`),
                ["ERROR refused: the SECRET_ROTATE message has no secretId attribute and no secret name in its data"],
            );
            assert.deepStrictEqual(fake.journal, []);
        });

        const refusals: [Record<string, string>, string][] = [
            [
                { "nhi-value-format": "emoji" },
                'label `nhi-value-format` is "emoji"; allowed: alphanumeric, printable, hex, base64',
            ],
            [{ "nhi-value-length": "15" }, 'label `nhi-value-length` is "15"; allowed: a whole number from 16 to 4096'],
            [
                { "nhi-value-length": "4097" },
                'label `nhi-value-length` is "4097"; allowed: a whole number from 16 to 4096',
            ],
            [
                { "nhi-value-length": "1e3" },
                'label `nhi-value-length` is "1e3"; allowed: a whole number from 16 to 4096',
            ],
            [{ "nhi-grace-days": "-1" }, 'label `nhi-grace-days` is "-1"; allowed: a whole number of days'],
            [
                { "nhi-rotate-every-days": "" },
                "neither `rotation.rotationPeriod` nor a valid label `nhi-grace-days` or `nhi-rotate-every-days` (a whole number of days) says how long a replaced version stays enabled",
            ],
        ];
        for (const [labels, problem] of refusals) {
            it(`refuses to rotate, adding nothing, when ${JSON.stringify(labels)}`, async () => {
                const { fake, logs, rotateAt } = rig(labels);
                assert.deepStrictEqual(await rotateAt(T0), { outcome: "refused", disabled: [] });
                assert.strictEqual(fake.calls.addVersion, 0);
                assert.deepStrictEqual(logs[logs.length - 1], {
                    severity: "ERROR",
                    message: `refused: ${problem}`,
                    secret: SECRET,
                    step: "read-secret",
                    outcome: "refused",
                });
            });
        }

        it("accepts the longest and shortest lengths and every format (label values fit Google's 63-character [a-z0-9_-] rule)", () => {
            for (const format of Object.keys(ALPHABETS)) {
                for (const length of ["16", "4096"]) {
                    assert.match(format + length, /^[a-z0-9_-]{1,63}$/);
                    const policy = rotationPolicy({
                        name: SECRET,
                        labels: { "nhi-value-format": format, "nhi-value-length": length, "nhi-grace-days": "3" },
                    });
                    assert.deepStrictEqual(policy, { value: { format, length: Number(length) }, graceMs: 3 * DAY });
                }
            }
        });
    });

    describe("never destroys", () => {
        it("over a year of rotations with every grace, no version is ever destroyed and only get/list/add/disable are called", async () => {
            for (const grace of ["0", "7", "30", "45"]) {
                const { fake, rotateAt } = rig({ "nhi-grace-days": grace });
                for (let i = 0; i < 13; i++) await rotateAt(T0 + i * 30 * DAY);
                assert.ok(!fake.states().includes("DESTROYED"));
                assert.strictEqual(fake.states().split(" ").length, 13);
                assert.deepStrictEqual([...new Set(fake.journal.map((j) => j.split(" ")[0]))].sort(), [
                    "addVersion",
                    "disableVersion",
                    "getSecret",
                    "listVersions",
                ]);
                // Zero grace keeps only the newest; up to one period keeps the previous one too; 45 days (1.5 periods) keeps three.
                const enabled = fake
                    .states()
                    .split(" ")
                    .filter((s) => s.endsWith("ENABLED")).length;
                assert.strictEqual(enabled, { "0": 1, "7": 2, "30": 2, "45": 3 }[grace]);
            }
        });

        it("the runtime source calls no destroy method", () => {
            for (const file of fs.readdirSync(RUNTIME)) {
                assert.doesNotMatch(
                    fs.readFileSync(path.join(RUNTIME, file), "utf8"),
                    /destroySecretVersion|\.destroy\w*\(/i,
                    file,
                );
            }
        });
    });

    describe("generated values", () => {
        const PATTERNS: Record<ValueFormat, RegExp> = {
            alphanumeric: /^[A-Za-z0-9]*$/,
            printable: /^[\x21-\x7e]*$/,
            hex: /^[0-9a-f]*$/,
            base64: /^[A-Za-z0-9+/]*$/,
        };

        it("property: a rotation stores a value of the labelled format and length, and no log line contains it", async () => {
            await fc.assert(
                fc.asyncProperty(
                    fc.constantFrom(...(Object.keys(ALPHABETS) as ValueFormat[])),
                    fc.integer({ min: 16, max: 4096 }),
                    async (format, length) => {
                        const { fake, logs, rotateAt } = rig({
                            "nhi-value-format": format,
                            "nhi-value-length": String(length),
                        });
                        await rotateAt(T0);
                        await rotateAt(T0 + 30 * DAY);
                        const values = fake.values();
                        assert.strictEqual(values.length, 2);
                        for (const value of values) {
                            assert.strictEqual(value.length, length);
                            assert.match(value, PATTERNS[format]);
                        }
                        assert.notStrictEqual(values[0], values[1]);
                        const text = logs.map((l) => JSON.stringify(l)).join("\n");
                        for (const value of values) assert.ok(!text.includes(value), "a log line contains the value");
                    },
                ),
                { numRuns: 60 },
            );
        });

        it("draws without bias: bytes at or above the largest multiple of the alphabet size are skipped", () => {
            const bytes = [0, 1, 61, 62, 247, 248, 255, 25];
            let served = false;
            const source = (n: number) => {
                if (served) throw new Error("asked for more bytes than needed");
                served = true;
                return Buffer.from([...bytes, ...Array(Math.max(0, n - bytes.length)).fill(0)]);
            };
            // 248 = 4 × 62: 248 and 255 are rejected; 62 and 247 wrap to A and 9.
            assert.strictEqual(generateValue({ format: "alphanumeric", length: 6 }, source), "AB9A9Z");
        });

        it("every log line is JSON with severity, message, step and outcome", async () => {
            const { logs, rotateAt } = rig();
            await rotateAt(T0);
            for (const line of logs) {
                assert.deepStrictEqual(
                    Object.keys(JSON.parse(JSON.stringify(line))).filter((k) =>
                        ["severity", "message", "step", "outcome"].includes(k),
                    ).length,
                    4,
                );
            }
        });
    });

    describe("the real client behind the store", () => {
        it("maps the gapic responses (int64 seconds as strings, states as names, `[response]` tuples)", async () => {
            const requests: unknown[] = [];
            const version = (n: number) => ({
                name: `${SECRET}/versions/${n}`,
                state: "ENABLED",
                createTime: { seconds: String(T0 / 1000 + n), nanos: 500_000_000 },
            });
            const store = secretManagerStore({
                getSecret: async (req) => (
                    requests.push(req),
                    [
                        {
                            name: SECRET,
                            labels: { a: "b" },
                            rotation: {
                                rotationPeriod: { seconds: "2592000" },
                                nextRotationTime: { seconds: String(T0 / 1000) },
                            },
                        },
                    ]
                ),
                listSecretVersions: async (req, opts) => (requests.push([req, opts]), [[version(2), version(1)]]),
                addSecretVersion: async (req) => (
                    requests.push({ parent: req.parent, bytes: req.payload.data.length }),
                    [version(3)]
                ),
                disableSecretVersion: async (req) => (requests.push(req), [{}]),
                accessSecretVersion: async (req) => (
                    requests.push(req),
                    [{ payload: { data: new Uint8Array([123, 125]) } }]
                ),
            });
            assert.deepStrictEqual(await store.getSecret(SECRET), {
                name: SECRET,
                labels: { a: "b" },
                rotationPeriodSeconds: 2_592_000,
                nextRotationTime: T0,
            });
            assert.deepStrictEqual(
                (await store.listVersions(SECRET)).map((v) => [v.id, v.state, v.createTime - T0]),
                [
                    [2, "ENABLED", 2500],
                    [1, "ENABLED", 1500],
                ],
            );
            assert.deepStrictEqual(await store.addVersion(SECRET, Buffer.from("x".repeat(32))), {
                name: `${SECRET}/versions/3`,
                id: 3,
                state: "ENABLED",
                createTime: T0 + 3500,
            });
            await store.disableVersion(`${SECRET}/versions/1`);
            assert.strictEqual((await store.accessVersion(`${SECRET}/versions/3`)).toString("utf8"), "{}");
            assert.deepStrictEqual(requests, [
                { name: SECRET },
                [{ parent: SECRET }, { autoPaginate: true }],
                { parent: SECRET, bytes: 32 },
                { name: `${SECRET}/versions/1` },
                { name: `${SECRET}/versions/3` },
            ]);
        });
    });

    describe("packaging", () => {
        it("compiled with tsc, the handler file loads in a fresh Node process without the client library, and the entry file registers it", () => {
            let dir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-rotate-gcp-"));
            const tmp = dir;
            try {
                // The asset's layout: this folder's files, and beside it the value helpers shared with AWS.
                const files = [
                    ...fs
                        .readdirSync(RUNTIME)
                        .filter((f) => f.endsWith(".ts"))
                        .map((f) => path.join("gcp", f)),
                    "value.ts",
                ];
                fs.mkdirSync(path.join(dir, "gcp"));
                for (const file of files) {
                    const out = ts.transpileModule(fs.readFileSync(path.join(RUNTIME, "..", file), "utf8"), {
                        compilerOptions: {
                            module: ts.ModuleKind.CommonJS,
                            target: ts.ScriptTarget.ES2020,
                            strict: true,
                        },
                        fileName: file,
                    });
                    fs.writeFileSync(path.join(dir, file.replace(/\.ts$/, ".js")), out.outputText);
                }
                dir = path.join(tmp, "gcp");
                const script = [
                    "const m = require('./rotate-secret.js');",
                    "const loaded = Object.keys(require.cache).filter((k) => k.includes('node_modules'));",
                    "console.log(JSON.stringify({ handler: typeof m.rotateSecret, arity: m.rotateSecret.length, loaded }));",
                ].join("\n");
                const out = execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8" });
                assert.deepStrictEqual(JSON.parse(out), { handler: "function", arity: 1, loaded: [] });
                // The handler ignores a non-rotation event without touching the network or the client library.
                const ignore = execFileSync(
                    process.execPath,
                    [
                        "-e",
                        "require('./rotate-secret.js').rotateSecret({ data: { message: { attributes: { eventType: 'SECRET_UPDATE' } } } }).then((r) => console.error(JSON.stringify(r)))",
                    ],
                    { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
                );
                assert.deepStrictEqual(JSON.parse(ignore), {
                    severity: "INFO",
                    message: "ignored: event type SECRET_UPDATE is not SECRET_ROTATE",
                    step: "receive",
                    outcome: "ignored",
                });
                // The entry file registers the handler with the Functions Framework under the entry point `rotateSecret`.
                const registered = execFileSync(
                    process.execPath,
                    [
                        "-e",
                        "require('./index.js'); const fn = require('@google-cloud/functions-framework/testing').getFunction('rotateSecret'); fn({ type: 'google.cloud.pubsub.topic.v1.messagePublished', data: { message: { attributes: { eventType: 'TOPIC_CONFIGURED' } } } })",
                    ],
                    {
                        cwd: dir,
                        encoding: "utf8",
                        env: { ...process.env, NODE_PATH: path.resolve(__dirname, "../../../node_modules") },
                    },
                );
                assert.strictEqual(
                    JSON.parse(registered).message,
                    "ignored: event type TOPIC_CONFIGURED is not SECRET_ROTATE",
                );
            } finally {
                fs.rmSync(tmp, { recursive: true, force: true });
            }
        });

        it("the pinned client library has the five methods the store calls", () => {
            const out = execFileSync(
                process.execPath,
                [
                    "-e",
                    "const { SecretManagerServiceClient: C } = require('@google-cloud/secret-manager'); console.log(['getSecret', 'listSecretVersions', 'addSecretVersion', 'disableSecretVersion', 'accessSecretVersion'].map((m) => typeof C.prototype[m]).join(' '))",
                ],
                { cwd: path.resolve(__dirname, "../../.."), encoding: "utf8" },
            );
            assert.strictEqual(out.trim(), "function function function function function");
        });

        it("the runtime imports nothing from @pulumi or components/ (DESIGN: runtime/), only its own files and the shared helpers (value, usage classification)", () => {
            for (const file of fs.readdirSync(RUNTIME)) {
                const imports = [
                    ...fs
                        .readFileSync(path.join(RUNTIME, file), "utf8")
                        .matchAll(/(?:from|import\(|require\()\s*"([^"]+)"/g),
                ].map((m) => m[1]);
                for (const spec of imports)
                    assert.ok(
                        [
                            "crypto",
                            "@google-cloud/secret-manager",
                            "@google-cloud/functions-framework",
                            "google-auth-library",
                        ].includes(spec) ||
                            /^\.\/[a-z-]+$/.test(spec) ||
                            ["../value", "../usage-classify"].includes(spec),
                        `${file} imports ${spec}`,
                    );
            }
        });
    });
});
