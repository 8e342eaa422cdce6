import * as assert from "assert";
import fc from "fast-check";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
    AccessKeyDeps,
    ACTIONS,
    keySpec,
    LogLine,
    plan,
    rotate,
    Step,
} from "../../../components/runtime/aws/rotate-access-key";
import { FakeIam } from "../../support/iam-fake";
import { FakeSecretsManager } from "../../support/secrets-manager-fake";
import { compileAndLoadAlone } from "../../support/lambda-asset";

const STEPS: Step[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];
const DAY = 24 * 60 * 60 * 1000;
const USER = "vendor-sync";

interface Harness {
    readonly sm: FakeSecretsManager;
    readonly iam: FakeIam;
    readonly arn: string;
    readonly deps: AccessKeyDeps;
    readonly lines: LogLine[];
    /** Broken invariants: AWSCURRENT's key deactivated or deleted. */
    readonly violations: string[];
    /** The most keys the user had at once, checked after every IAM call. */
    maxKeys: number;
    clock: Date;
    /** When set, the `crashAfter`-th call from now (either service) takes effect, then the function dies. */
    crashAfter?: number;
}

/** An IAM user and its secret (tags as the component writes them), the clock at day 0. */
function harness(graceDays = 3): Harness {
    const h = { lines: [] as LogLine[], violations: [] as string[], maxKeys: 0, clock: new Date(Date.UTC(2026, 0, 1)) } as Harness;
    const sm = new FakeSecretsManager({ firstPutBecomesCurrent: false });
    const iam = new FakeIam(() => h.clock);
    iam.addUser(USER);
    const arn = sm.addSecret("vendor-key", { "nhi:iam-user": USER, "nhi:grace-days": String(graceDays) });
    iam.guard = (op, id) => {
        if (id === currentKeyId(sm, arn)) {
            h.violations.push(`${op} on AWSCURRENT's key ${id}`);
        }
    };
    // Both clients counted: a crash can fall between any two calls of the function.
    const crashing = <C extends { send: (...a: never[]) => Promise<unknown> }>(client: C, check?: () => void): C => {
        const send = client.send.bind(client) as (...a: unknown[]) => Promise<unknown>;
        return Object.assign(Object.create(client), {
            send: async (...args: unknown[]) => {
                // A call that fails (not found, throttled) counts too
                const settled = await Promise.resolve().then(() => send(...args)).then((value) => ({ value }), (error: unknown) => ({ error }));
                check?.();
                if (h.crashAfter !== undefined && --h.crashAfter === 0) {
                    h.crashAfter = undefined;
                    throw Object.assign(new Error("the function died"), { name: "Crash" });
                }
                if ("error" in settled) {
                    throw settled.error;
                }
                return settled.value;
            },
        }) as C;
    };
    const deps: AccessKeyDeps = {
        client: crashing(sm.client() as SecretsManagerClient & { send: never }),
        iam: crashing(iam.client() as IAMClient & { send: never }, () => {
            h.maxKeys = Math.max(h.maxKeys, iam.keys(USER).length);
        }),
        sleep: async () => {},
        random: () => 0.5,
        log: (line) => h.lines.push(line),
        now: () => h.clock,
    };
    return Object.assign(h, { sm, iam, arn, deps });
}

function currentKeyId(sm: FakeSecretsManager, arn: string, stage = "AWSCURRENT"): string | undefined {
    const value = sm.valueAt(arn, stage);
    return value === undefined ? undefined : (JSON.parse(value) as { accessKeyId: string }).accessKeyId;
}

async function step(h: Harness, token: string, Step: Step): Promise<void> {
    await rotate({ SecretId: h.arn, ClientRequestToken: token, Step }, h.deps);
}

/** One rotation as Secrets Manager runs it: start, then each step, retried (same token) while it fails. */
async function rotation(h: Harness, token: string, tries = 1): Promise<void> {
    h.sm.startRotation(h.arn, token);
    for (const s of STEPS) {
        for (let attempt = 1; ; attempt++) {
            try {
                await step(h, token, s);
                break;
            } catch (e) {
                if (attempt >= tries) {
                    throw e;
                }
            }
        }
    }
}

function keyStates(h: Harness): string[] {
    return h.iam.keys(USER).map((k) => `${k.id}:${k.status}`);
}

function assertHealthy(h: Harness): void {
    assert.deepStrictEqual(h.violations, []);
    assert.deepStrictEqual(h.sm.violations, []);
    assert.ok(h.maxKeys <= 2, `the user had ${h.maxKeys} keys`);
    // AWSCURRENT holds an Active key of the user, with the secret IAM returned for it
    const current = JSON.parse(h.sm.valueAt(h.arn, "AWSCURRENT")!) as { accessKeyId: string; secretAccessKey: string };
    assert.strictEqual(h.iam.keys(USER).find((k) => k.id === current.accessKeyId)?.status, "Active");
    assert.ok(h.iam.secrets.includes(current.secretAccessKey));
}

describe("runtime/aws rotate-access-key", () => {
    it("first rotation: a user with no key gets one, stored as AWSCURRENT", async () => {
        // GIVEN a user with no key and a secret with no value
        const h = harness();
        // WHEN the first rotation runs
        await rotation(h, "t1");
        // THEN the user has one Active key, recorded in AWSCURRENT, and each step logged once
        assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active"]);
        assert.deepStrictEqual(h.sm.stages(h.arn), { t1: ["AWSCURRENT"] });
        assert.strictEqual(currentKeyId(h.sm, h.arn), "AKIA0000000000000001");
        assert.deepStrictEqual(h.lines.map((l) => `${l.step}:${l.outcome}`), ["createSecret:created", "setSecret:nothing-to-set", "testSecret:tested", "finishSecret:finished"]);
        assert.deepStrictEqual(h.iam.calls, ["ListAccessKeys", "CreateAccessKey", "ListAccessKeys"]);
        assertHealthy(h);
    });

    it("steady rotation: the old key stays Active as AWSPREVIOUS, then is deactivated and deleted once its grace is over", async () => {
        // GIVEN a key rotated every 30 days with a grace of 3 days
        const h = harness(3);
        await rotation(h, "t1");
        h.clock = new Date(h.clock.getTime() + 30 * DAY);
        // WHEN the second rotation runs
        await rotation(h, "t2");
        // THEN both keys are Active: the new one current, the old one previous (consumers may still use it)
        assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Active"]);
        assert.strictEqual(currentKeyId(h.sm, h.arn), "AKIA0000000000000002");
        assert.strictEqual(currentKeyId(h.sm, h.arn, "AWSPREVIOUS"), "AKIA0000000000000001");
        // WHEN the third rotation runs, 30 days later (grace long over)
        h.clock = new Date(h.clock.getTime() + 30 * DAY);
        const before = h.iam.calls.length;
        await rotation(h, "t3");
        // THEN the oldest key was deactivated, then deleted, before the new one was made
        assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey", "CreateAccessKey", "ListAccessKeys"]);
        assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active", "AKIA0000000000000003:Active"]);
        assert.strictEqual(currentKeyId(h.sm, h.arn, "AWSPREVIOUS"), "AKIA0000000000000002");
        assertHealthy(h);
    });

    it("a rotation inside the grace period is refused without touching a key", async () => {
        // GIVEN two rotations one day apart, grace 3 days
        const h = harness(3);
        await rotation(h, "t1");
        h.clock = new Date(h.clock.getTime() + DAY);
        await rotation(h, "t2");
        h.clock = new Date(h.clock.getTime() + DAY);
        const before = keyStates(h);
        // WHEN a third rotation starts one day later
        h.sm.startRotation(h.arn, "t3");
        // THEN createSecret fails with a message naming the user and the grace, and both keys stay Active
        await assert.rejects(step(h, "t3", "createSecret"), {
            message: `IAM user ${USER} has 2 access keys and the previous one is inside its grace period of 3 days; secret ${h.arn} is rotated again once it ends.`,
        });
        assert.deepStrictEqual(keyStates(h), before);
        // WHEN the grace ends (3 days after the current key was made), THEN the same rotation finishes
        h.clock = new Date(h.clock.getTime() + 2 * DAY);
        for (const s of STEPS) {
            await step(h, "t3", s);
        }
        assert.strictEqual(currentKeyId(h.sm, h.arn), "AKIA0000000000000003");
        assertHealthy(h);
    });

    it("a retry of every step, after it succeeded, changes nothing", async () => {
        // GIVEN a steady state (two rotations done)
        const h = harness(0);
        await rotation(h, "t1");
        await rotation(h, "t2");
        h.sm.startRotation(h.arn, "t3");
        // WHEN every step of the third rotation runs twice
        for (const s of STEPS) {
            await step(h, "t3", s);
            const keys = keyStates(h);
            const stages = h.sm.stages(h.arn);
            await step(h, "t3", s);
            // THEN the second run leaves keys and stages as the first did
            assert.deepStrictEqual(keyStates(h), keys, s);
            assert.deepStrictEqual(h.sm.stages(h.arn), stages, s);
        }
        assert.deepStrictEqual(h.lines.slice(-8).map((l) => `${l.step}:${l.outcome}`), [
            "createSecret:created", "createSecret:already-created",
            "setSecret:nothing-to-set", "setSecret:nothing-to-set",
            "testSecret:tested", "testSecret:tested",
            "finishSecret:finished", "finishSecret:already-current",
        ]);
        assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active", "AKIA0000000000000003:Active"]);
        assertHealthy(h);
    });

    it("a crash after any call of the first rotation: the retries finish it with one key", async () => {
        const probe = harness();
        await rotation(probe, "t1");
        const total = probe.sm.calls.length + probe.iam.calls.length;
        assert.strictEqual(total, 14); // createSecret 7, setSecret 1, testSecret 3, finishSecret 3
        for (let n = 1; n <= total; n++) {
            // GIVEN a user with no key; WHEN the function dies after the n-th call, and the step is retried
            const h = harness();
            h.crashAfter = n;
            await rotation(h, "t1", 2);
            // THEN the rotation finished with exactly one key, the one in AWSCURRENT
            assert.strictEqual(h.lines.filter((l) => l.outcome === "failed").length, 1, `crash after call ${n}`);
            assert.deepStrictEqual(h.iam.keys(USER).map((k) => k.id), [currentKeyId(h.sm, h.arn)], `crash after call ${n}`);
            assertHealthy(h);
        }
    });

    it("a crash after any call of a rotation: the retries finish it, with no third key and AWSCURRENT's key untouched", async () => {
        // Count the calls of an undisturbed third rotation, then crash after each one in turn.
        const probe = harness(0);
        await rotation(probe, "t1");
        await rotation(probe, "t2");
        const calls = () => probe.sm.calls.length + probe.iam.calls.length;
        const start = calls();
        await rotation(probe, "t3");
        const total = calls() - start;
        assert.ok(total >= 15, `only ${total} calls`);
        for (let n = 1; n <= total; n++) {
            // GIVEN a steady state
            const h = harness(0);
            await rotation(h, "t1");
            await rotation(h, "t2");
            const previousCurrent = currentKeyId(h.sm, h.arn);
            // WHEN the function dies after the n-th call of the rotation, and Secrets Manager retries the step
            h.crashAfter = n;
            await rotation(h, "t3", 2);
            // THEN the rotation finished: a new key is current, the one it replaced is previous and Active
            assert.strictEqual(h.lines.filter((l) => l.outcome === "failed").length, 1, `crash after call ${n}`);
            assert.notStrictEqual(currentKeyId(h.sm, h.arn), previousCurrent);
            assert.strictEqual(currentKeyId(h.sm, h.arn, "AWSPREVIOUS"), previousCurrent);
            assert.strictEqual(h.iam.keys(USER).length, 2, `crash after call ${n}: ${keyStates(h)}`);
            assertHealthy(h);
        }
    });

    it("any schedule of rotations, crashes and early starts keeps at most 2 keys and never touches AWSCURRENT's key", async () => {
        await fc.assert(fc.asyncProperty(
            fc.integer({ min: 0, max: 5 }),
            fc.array(fc.record({ days: fc.integer({ min: 0, max: 10 }), crashAfter: fc.option(fc.integer({ min: 1, max: 20 })) }), { minLength: 1, maxLength: 6 }),
            async (graceDays, schedule) => {
                // GIVEN a key with a grace period; WHEN rotations start after random gaps, some crashing once
                const h = harness(graceDays);
                let rotated = 0;
                for (const [i, { days, crashAfter }] of schedule.entries()) {
                    h.clock = new Date(h.clock.getTime() + days * DAY);
                    h.crashAfter = crashAfter ?? undefined;
                    const before = currentKeyId(h.sm, h.arn);
                    try {
                        await rotation(h, `t${i}`, 10); // a crash wastes at most one try
                        rotated++;
                    } catch (e) {
                        // only a refusal inside the grace period may end a rotation: the operator abandons it, nothing changed
                        assert.match((e as Error).message, /is inside its grace period of \d+ days/);
                        assert.strictEqual(currentKeyId(h.sm, h.arn), before);
                        h.sm.abandonRotation(h.arn);
                    }
                    h.crashAfter = undefined;
                    // THEN after each: no invariant broken, and AWSCURRENT's key is Active
                    if (rotated > 0) {
                        assertHealthy(h);
                    }
                }
                // and a refusal happened only inside the grace period: the first rotation always finishes
                assert.ok(rotated >= 1);
            },
        ), { numRuns: 60 });
    });

    it("a crash between CreateAccessKey and PutSecretValue: the orphan is deleted and a new key minted", async () => {
        // GIVEN a first rotation whose function dies right after CreateAccessKey (its secret key lost)
        const h = harness();
        h.sm.startRotation(h.arn, "t1");
        h.crashAfter = 6; // DescribeSecret, GetSecretValue (pending, current, previous), ListAccessKeys, CreateAccessKey
        await assert.rejects(step(h, "t1", "createSecret"), { name: "Crash" });
        assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active"]);
        assert.deepStrictEqual(h.sm.stages(h.arn), { t1: ["AWSPENDING"] });
        // WHEN Secrets Manager retries createSecret
        const before = h.iam.calls.length;
        await step(h, "t1", "createSecret");
        // THEN the key no version records is deleted before a new one is made
        assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys", "DeleteAccessKey", "CreateAccessKey"]);
        assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active"]);
    });

    it("throttling, then success: each call is retried with backoff", async () => {
        // GIVEN IAM and Secrets Manager each throttle a call of a steady rotation
        const h = harness(0);
        await rotation(h, "t1");
        await rotation(h, "t2");
        h.iam.fail(2, "Throttling"); // the UpdateAccessKey of the oldest key
        h.iam.fail(3, "Throttling"); // the same call, retried
        h.sm.fail(4, "ThrottlingException");
        // WHEN the rotation runs with no retry from Secrets Manager
        await rotation(h, "t3", 1);
        // THEN it finished in one pass, and the oldest key is gone
        assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active", "AKIA0000000000000003:Active"]);
        assert.ok(!h.lines.some((l) => l.outcome === "failed"));
        assertHealthy(h);
    });

    it("testSecret refuses a pending key that is not Active", async () => {
        // GIVEN a pending key that someone deactivated
        const h = harness();
        h.sm.startRotation(h.arn, "t1");
        await step(h, "t1", "createSecret");
        h.iam.updateAccessKey({ UserName: USER, AccessKeyId: "AKIA0000000000000001", Status: "Inactive" });
        // THEN testSecret fails, and finishSecret is never reached
        await assert.rejects(step(h, "t1", "testSecret"), {
            message: `The AWSPENDING access key of secret ${h.arn} (version t1) is not an Active key of IAM user ${USER}.`,
        });
        assert.deepStrictEqual(h.sm.stages(h.arn), { t1: ["AWSPENDING"] });
    });

    it("no log line holds a secret access key", async () => {
        // GIVEN rotations with a crash, throttling and a refusal
        const h = harness(1);
        await rotation(h, "t1");
        h.crashAfter = 6;
        await rotation(h, "t2", 2);
        h.sm.startRotation(h.arn, "t3");
        await assert.rejects(step(h, "t3", "createSecret"));
        // THEN no line contains any secret key IAM ever returned, and lines have only the five fields
        const logged = JSON.stringify(h.lines);
        assert.ok(h.iam.secrets.length >= 3);
        for (const secret of h.iam.secrets) {
            assert.ok(!logged.includes(secret));
        }
        for (const line of h.lines) {
            assert.ok(Object.keys(line).every((k) => ["secret", "step", "version", "outcome", "error"].includes(k)));
        }
    });

    it("`ACTIONS` are exactly the calls the function makes over rotations and a crash", async () => {
        // GIVEN three rotations: an orphan deleted after a crash, a previous key deactivated and deleted
        const h = harness(1);
        await rotation(h, "t1");
        h.crashAfter = 6;
        await rotation(h, "t2", 2);
        h.clock = new Date(h.clock.getTime() + 2 * DAY);
        await rotation(h, "t3");
        // THEN the operations called, as IAM actions, are the list the component grants
        assert.deepStrictEqual([...new Set(h.iam.calls)].map((c) => `iam:${c}`).sort(), [...ACTIONS.iam]);
        assert.deepStrictEqual([...new Set(h.sm.calls)].map((c) => `secretsmanager:${c}`).sort(), [...ACTIONS.secretsmanager]);
    });

    it("the IAM fake keeps the documented rules", () => {
        const iam = new FakeIam(() => new Date(0));
        iam.addUser("u");
        // Created Active; the secret key is in CreateAccessKey's answer only
        const first = iam.createAccessKey({ UserName: "u" }).AccessKey!;
        assert.strictEqual(first.Status, "Active");
        iam.createAccessKey({ UserName: "u" });
        const listed = iam.listAccessKeys({ UserName: "u" }).AccessKeyMetadata!;
        assert.deepStrictEqual(listed.map((k) => Object.keys(k).sort()), [0, 1].map(() => ["AccessKeyId", "CreateDate", "Status", "UserName"]));
        // At most two keys per user, Active or not
        iam.updateAccessKey({ UserName: "u", AccessKeyId: first.AccessKeyId!, Status: "Inactive" });
        assert.throws(() => iam.createAccessKey({ UserName: "u" }), { name: "LimitExceededException", message: "Cannot exceed quota for AccessKeysPerUser: 2" });
        // Delete makes room; an unknown key or user is NoSuchEntity
        iam.deleteAccessKey({ UserName: "u", AccessKeyId: first.AccessKeyId! });
        assert.throws(() => iam.deleteAccessKey({ UserName: "u", AccessKeyId: first.AccessKeyId! }), { name: "NoSuchEntityException" });
        assert.throws(() => iam.listAccessKeys({ UserName: "nobody" }), { name: "NoSuchEntityException" });
        assert.strictEqual(iam.createAccessKey({ UserName: "u" }).AccessKey!.Status, "Active");
        assert.strictEqual(iam.keys("u").length, 2);
    });

    describe("plan: the rule that makes room", () => {
        const at = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY);
        const key = (id: string, day: number, Status: "Active" | "Inactive" = "Active") => ({ AccessKeyId: id, CreateDate: at(day), Status });
        const cases: [string, Parameters<typeof plan>[0], Omit<Parameters<typeof plan>[1], "now">, number, ReturnType<typeof plan>][] = [
            ["no key", [], { graceDays: 3 }, 0, { retire: [] }],
            ["only the current key", [key("C", 0)], { current: "C", graceDays: 3 }, 1, { retire: [] }],
            ["previous, grace over: deactivate then delete", [key("P", 0), key("C", 10)], { current: "C", previous: "P", graceDays: 3 }, 13, { retire: [{ id: "P", deactivate: true }] }],
            ["previous, inactive: delete", [key("P", 0, "Inactive"), key("C", 10)], { current: "C", previous: "P", graceDays: 3 }, 11, { retire: [{ id: "P", deactivate: false }] }],
            ["orphan newer than current: delete, even Active", [key("C", 0), key("O", 5)], { current: "C", graceDays: 3 }, 6, { retire: [{ id: "O", deactivate: false }] }],
            ["no current: any unrecorded key is an orphan", [key("O", 0)], { graceDays: 3 }, 0, { retire: [{ id: "O", deactivate: false }] }],
            ["older unrecorded key counts as previous", [key("X", 0), key("C", 10)], { current: "C", graceDays: 3 }, 14, { retire: [{ id: "X", deactivate: true }] }],
            ["current key inactive is still never touched", [key("P", 0), key("C", 10, "Inactive")], { current: "C", previous: "P", graceDays: 0 }, 10, { retire: [{ id: "P", deactivate: true }] }],
        ];
        for (const [name, keys, state, day, expected] of cases) {
            it(name, () => assert.deepStrictEqual(plan(keys, { ...state, now: at(day) }), expected));
        }
        it("previous inside its grace, with no room: refused", () => {
            assert.ok("refuse" in plan([key("P", 0), key("C", 10)], { current: "C", previous: "P", graceDays: 3, now: at(12) }));
        });
    });

    describe("tags", () => {
        const specs: [Record<string, string>, { user: string; graceDays: number } | string][] = [
            [{ "nhi:iam-user": "a+b=c,d.e@f-g_h", "nhi:grace-days": "0" }, { user: "a+b=c,d.e@f-g_h", graceDays: 0 }],
            [{ "nhi:iam-user": "u", "nhi:grace-days": "364" }, { user: "u", graceDays: 364 }],
            [{ "nhi:grace-days": "3" }, "Tag `nhi:iam-user` is missing; expected an IAM user name."],
            [{ "nhi:iam-user": "a b", "nhi:grace-days": "3" }, 'Tag `nhi:iam-user` is "a b"; expected an IAM user name.'],
            [{ "nhi:iam-user": "u" }, "Tag `nhi:grace-days` is missing; expected a whole number of days from 0 to 364."],
            [{ "nhi:iam-user": "u", "nhi:grace-days": "365" }, 'Tag `nhi:grace-days` is "365"; expected a whole number of days from 0 to 364.'],
            [{ "nhi:iam-user": "u", "nhi:grace-days": "1.5" }, 'Tag `nhi:grace-days` is "1.5"; expected a whole number of days from 0 to 364.'],
        ];
        for (const [tags, expected] of specs) {
            it(`${JSON.stringify(tags)} → ${JSON.stringify(expected)}`, () => {
                const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
                if (typeof expected === "string") {
                    assert.throws(() => keySpec(list), { message: expected });
                } else {
                    assert.deepStrictEqual(keySpec(list), expected);
                }
            });
        }
    });

    it("compiled by tsc, loads in a fresh Node process with only the runtime's SDK on its path", function () {
        this.timeout(120_000);
        // GIVEN the handler compiled alone, as the asset will hold it
        // WHEN a fresh Node process requires it, the SDK found through NODE_PATH as on Lambda
        const { files, printed } = compileAndLoadAlone("components/runtime/aws/rotate-access-key.ts");
        // THEN it is the handler and the rotation steps it shares (no value generator), and exports `handler`
        assert.deepStrictEqual(files, ["access-key-contract.js", "rotate-access-key.js", "rotation.js"]);
        assert.strictEqual(printed, "function 1");
    });
});
