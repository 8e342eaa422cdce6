import * as assert from "assert";
import fc from "fast-check";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, PublishCommandInput, SNSClient, SNSServiceException } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import {
    AccessKeyDeps,
    ACTIONS,
    AFTER_EXPIRY_ACTIONS,
    handle,
    keySpec,
    KeySpec,
    LogLine,
    plan,
    retireEvent,
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
    /** Broken invariants: AWSCURRENT's key deactivated, or deleted while Active. */
    readonly violations: string[];
    /** Every SNS message published, and the faults to inject into `Publish` (1 = the next call). */
    readonly published: PublishCommandInput[];
    snsFaults: { at: number; name: string }[];
    /** Set when the test itself deactivates AWSCURRENT's key on purpose (expiry, an exposed key). */
    currentMayBeDeactivated?: boolean;
    /** The most keys the user had at once, checked after every IAM call. */
    maxKeys: number;
    clock: Date;
    /** When set, the `crashAfter`-th call from now (either service) takes effect, then the function dies. */
    crashAfter?: number;
}

/** An IAM user and its secret (tags as the component writes them), the clock at day 0. */
function harness(graceDays = 3): Harness {
    const h = {
        lines: [] as LogLine[],
        violations: [] as string[],
        published: [] as PublishCommandInput[],
        snsFaults: [] as { at: number; name: string }[],
        maxKeys: 0,
        clock: new Date(Date.UTC(2026, 0, 1)),
    } as Harness;
    const sm = new FakeSecretsManager({ firstPutBecomesCurrent: false });
    const iam = new FakeIam(() => h.clock);
    iam.addUser(USER);
    const arn = sm.addSecret("vendor-key", { "nhi:iam-user": USER, "nhi:grace-days": String(graceDays) });
    iam.guard = (op, id) => {
        const inactive = iam.keys(USER).find((k) => k.id === id)?.status === "Inactive";
        if (
            id === currentKeyId(sm, arn) &&
            !(op === "DeleteAccessKey" && inactive) &&
            !(op === "UpdateAccessKey" && h.currentMayBeDeactivated)
        ) {
            h.violations.push(`${op} on AWSCURRENT's key ${id}`);
        }
    };
    // Both clients counted: a crash can fall between any two calls of the function.
    const crashing = <C extends { send: (...a: never[]) => Promise<unknown> }>(client: C, check?: () => void): C => {
        const send = client.send.bind(client) as (...a: unknown[]) => Promise<unknown>;
        return Object.assign(Object.create(client), {
            send: async (...args: unknown[]) => {
                // A call that fails (not found, throttled) counts too
                const settled = await Promise.resolve()
                    .then(() => send(...args))
                    .then(
                        (value) => ({ value }),
                        (error: unknown) => ({ error }),
                    );
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
    const sns = new SNSClient({ region: "us-east-1" });
    mockClient(sns)
        .on(PublishCommand)
        .callsFake((input: PublishCommandInput) => {
            h.snsFaults.forEach((f) => f.at--);
            const fault = h.snsFaults.find((f) => f.at === 0);
            h.snsFaults = h.snsFaults.filter((f) => f.at > 0);
            if (fault !== undefined) {
                throw new SNSServiceException({
                    name: fault.name,
                    $fault: "client",
                    $metadata: {},
                    message: `injected ${fault.name}`,
                });
            }
            h.published.push(input);
            return { MessageId: `m${h.published.length}` };
        });
    const deps: AccessKeyDeps = {
        sns: crashing(sns as SNSClient & { send: never }),
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

/** One daily check, as the schedule sends it. */
async function check(h: Harness): Promise<void> {
    await handle(retireEvent(h.arn), h.deps);
}

/** A daily check that Lambda retries (asynchronous invocation) while it fails. */
async function checkRetried(h: Harness, tries = 3): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await check(h);
        } catch (e) {
            if (attempt >= tries) {
                throw e;
            }
        }
    }
}

/** Sets the secret's `nhi:grace-days` tag, as `pulumi up` does when `graceDays` changes. */
function retag(h: Harness, graceDays: string): void {
    setTag(h, "nhi:grace-days", graceDays);
}

/** Sets (or, with undefined, removes) a tag of the secret, as `pulumi up` does. */
function setTag(h: Harness, key: string, value: string | undefined): void {
    const secret = (
        h.sm as unknown as { secrets: Map<string, { tags: { Key: string; Value: string }[] }> }
    ).secrets.get(h.arn)!;
    secret.tags = secret.tags.filter((t) => t.Key !== key);
    if (value !== undefined) {
        secret.tags.push({ Key: key, Value: value });
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
        assert.deepStrictEqual(
            h.lines.map((l) => `${l.step}:${l.outcome}`),
            ["createSecret:created", "setSecret:nothing-to-set", "testSecret:tested", "finishSecret:finished"],
        );
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
        assert.deepStrictEqual(h.iam.calls.slice(before), [
            "ListAccessKeys",
            "UpdateAccessKey",
            "DeleteAccessKey",
            "CreateAccessKey",
            "ListAccessKeys",
        ]);
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
        assert.deepStrictEqual(
            h.lines.slice(-8).map((l) => `${l.step}:${l.outcome}`),
            [
                "createSecret:created",
                "createSecret:already-created",
                "setSecret:nothing-to-set",
                "setSecret:nothing-to-set",
                "testSecret:tested",
                "testSecret:tested",
                "finishSecret:finished",
                "finishSecret:already-current",
            ],
        );
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
            assert.deepStrictEqual(
                h.iam.keys(USER).map((k) => k.id),
                [currentKeyId(h.sm, h.arn)],
                `crash after call ${n}`,
            );
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
        // AND daily checks, one of them during that rotation, and the rest after it was abandoned
        await check(h);
        h.sm.abandonRotation(h.arn);
        for (let day = 0; day < 3; day++) {
            h.clock = new Date(h.clock.getTime() + DAY);
            await check(h);
        }
        assert.deepStrictEqual(
            h.lines.slice(-4).map((l) => l.outcome),
            ["rotation-pending", "deactivated", "deleted", "nothing-to-retire"],
        );
        // THEN no line contains any secret key IAM ever returned, nor an access key ID, and lines have only the five fields
        const logged = JSON.stringify(h.lines);
        assert.ok(h.iam.secrets.length >= 3);
        for (const secret of h.iam.secrets) {
            assert.ok(!logged.includes(secret));
        }
        assert.doesNotMatch(logged, /AKIA/);
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
        // AND daily checks that deactivate and then delete the previous key
        for (let day = 0; day < 3; day++) {
            h.clock = new Date(h.clock.getTime() + DAY);
            await check(h);
        }
        assert.deepStrictEqual(
            h.lines.slice(-3).map((l) => l.outcome),
            ["deactivated", "deleted", "nothing-to-retire"],
        );
        // AND a leak of the current key, answered with a rotation and a notice
        setTag(h, "nhi:notify", "arn:aws:sns:us-east-1:111122223333:owners");
        h.currentMayBeDeactivated = true;
        await handle({ nhiAction: "keyExposed", SecretId: h.arn, accessKeyIds: [currentKeyId(h.sm, h.arn)!] }, h.deps);
        assert.deepStrictEqual(
            h.lines.slice(-3).map((l) => l.outcome),
            ["deactivated", "rotation-started", "notified"],
        );
        // THEN the operations called, as IAM actions, are the list the component grants
        assert.deepStrictEqual([...new Set(h.iam.calls)].map((c) => `iam:${c}`).sort(), [...ACTIONS.iam]);
        assert.deepStrictEqual([...new Set(h.sm.calls)].map((c) => `secretsmanager:${c}`).sort(), [
            ...ACTIONS.secretsmanager,
        ]);
        assert.deepStrictEqual(h.published.length > 0 ? ["sns:Publish"] : [], [...ACTIONS.sns]);
    });

    describe("the daily check (retirePrevious)", () => {
        /** Two rotations 30 days apart (grace 3): key 1 is AWSPREVIOUS and Active, key 2 AWSCURRENT since day 30. */
        async function rotatedTwice(graceDays = 3): Promise<Harness> {
            const h = harness(graceDays);
            await rotation(h, "t1");
            h.clock = new Date(h.clock.getTime() + 30 * DAY);
            await rotation(h, "t2");
            h.lines.length = 0;
            return h;
        }
        const line = (h: Harness, version: string, outcome: string) => ({
            secret: h.arn,
            step: "retirePrevious",
            version,
            outcome,
        });

        it("keeps the previous key inside its grace, deactivates it when the grace is over, and deletes it a day later", async () => {
            // GIVEN a rotation at day 30 with a grace of 3 days
            const h = await rotatedTwice(3);
            // WHEN the check runs 2 days 23 hours after it
            h.clock = new Date(h.clock.getTime() + 3 * DAY - 3_600_000);
            let before = h.iam.calls.length;
            await check(h);
            // THEN both keys stay Active, and the line says the grace is not over
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Active"]);
            assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys"]);
            // WHEN it runs an hour later, the grace over
            h.clock = new Date(h.clock.getTime() + 3_600_000);
            before = h.iam.calls.length;
            await check(h);
            // THEN the previous key is Inactive, not yet deleted
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Active"]);
            assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys", "UpdateAccessKey"]);
            // WHEN it runs again the same day (a retry), THEN nothing changes
            before = h.iam.calls.length;
            await check(h);
            assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys"]);
            // WHEN the next day's check runs, THEN the key is deleted
            h.clock = new Date(h.clock.getTime() + DAY);
            before = h.iam.calls.length;
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active"]);
            assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys", "DeleteAccessKey"]);
            // WHEN it runs once more, THEN there is nothing left to retire
            await check(h);
            // AND each run logged one line, naming AWSCURRENT's version, never a value
            assert.deepStrictEqual(h.lines, [
                line(h, "t2", "not-due"),
                line(h, "t2", "deactivated"),
                line(h, "t2", "not-due"),
                line(h, "t2", "deleted"),
                line(h, "t2", "nothing-to-retire"),
            ]);
            assertHealthy(h);
            // AND the next rotation finds room at once: no key to retire before it mints
            h.clock = new Date(Date.UTC(2026, 0, 1) + 60 * DAY);
            before = h.iam.calls.length;
            await rotation(h, "t3");
            assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys", "CreateAccessKey", "ListAccessKeys"]);
            assertHealthy(h);
        });

        it("a crash after any call of a check: the retried check, and the next day's, end as an undisturbed one", async () => {
            // Calls of the check that deactivates: DescribeSecret, GetSecretValue ×2, ListAccessKeys, UpdateAccessKey
            for (let n = 1; n <= 5; n++) {
                // GIVEN the grace just over  WHEN the check dies after its n-th call, and Lambda retries it
                const h = await rotatedTwice(3);
                h.clock = new Date(h.clock.getTime() + 3 * DAY);
                h.crashAfter = n;
                await assert.rejects(check(h), { name: "Crash" }, `crash after call ${n}`);
                await check(h);
                // THEN the previous key is Inactive and still there (the retry is the same run's day)
                assert.deepStrictEqual(
                    keyStates(h),
                    ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Active"],
                    `crash after call ${n}`,
                );
                // AND a day later, a check that dies after DeleteAccessKey is retried: the key is gone, the retry finds nothing
                h.clock = new Date(h.clock.getTime() + DAY);
                h.crashAfter = 5;
                await assert.rejects(check(h), { name: "Crash" });
                await check(h);
                assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active"]);
                assert.deepStrictEqual(h.lines.map((l) => l.outcome).slice(-2), ["failed", "nothing-to-retire"]);
                assertHealthy(h);
            }
        });

        it("does nothing while a rotation is in progress, and says so", async () => {
            // GIVEN the grace long over, and a rotation started (AWSPENDING on a new version) that has not finished
            const h = await rotatedTwice(3);
            h.clock = new Date(h.clock.getTime() + 10 * DAY);
            h.sm.startRotation(h.arn, "t3");
            const before = h.iam.calls.length;
            // WHEN the check runs
            await check(h);
            // THEN it made no IAM call, and logged the pending version
            assert.deepStrictEqual(h.iam.calls.slice(before), []);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Active"]);
            assert.deepStrictEqual(h.lines, [line(h, "t3", "rotation-pending")]);
            // AND the rotation itself retires the previous key to make room, and finishes
            for (const step of STEPS) {
                await rotate({ SecretId: h.arn, ClientRequestToken: "t3", Step: step }, h.deps);
            }
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active", "AKIA0000000000000003:Active"]);
            assertHealthy(h);
        });

        it("never touches a key before a first key exists; an AWSCURRENT key that is not Active starts a rotation now", async () => {
            // GIVEN a secret whose first rotation never ran
            const fresh = harness(0);
            await check(fresh);
            assert.deepStrictEqual(fresh.lines, [
                { secret: fresh.arn, step: "retirePrevious", version: "", outcome: "no-current-key" },
            ]);
            assert.deepStrictEqual(fresh.iam.calls, []);
            // GIVEN the grace over, but someone deactivated the current key (the consumer may be on the previous one)
            const h = await rotatedTwice(0);
            h.currentMayBeDeactivated = true;
            h.iam.updateAccessKey({ UserName: USER, AccessKeyId: "AKIA0000000000000002", Status: "Inactive" });
            h.currentMayBeDeactivated = false;
            h.clock = new Date(h.clock.getTime() + 5 * DAY);
            // WHEN the check runs, THEN it touches no key (the previous one stays Active) and starts a rotation
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Inactive"]);
            assert.deepStrictEqual(h.lines, [line(h, "t2", "rotation-started")]);
            assert.deepStrictEqual(h.sm.rotationsStarted, ["rotation-1"]);
            // AND that rotation deletes the Inactive key to make room (the previous one, past its grace, goes too), and mints a new one
            for (const step of STEPS) {
                await rotate({ SecretId: h.arn, ClientRequestToken: "rotation-1", Step: step }, h.deps);
            }
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000003:Active"]);
            assertHealthy(h);
        });

        it("a key re-activated by hand is kept once `graceDays` is raised, and deleted only a day after the new grace", async () => {
            // GIVEN the previous key deactivated by the check (grace 1)
            const h = await rotatedTwice(1);
            h.clock = new Date(h.clock.getTime() + DAY);
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Active"]);
            // WHEN a consumer breaks: the owner raises `graceDays` to 5 (the tag) and re-activates the key by hand
            retag(h, "5");
            h.iam.updateAccessKey({ UserName: USER, AccessKeyId: "AKIA0000000000000001", Status: "Active" });
            // THEN the next checks keep it until the new grace ends, then deactivate it, then delete it a day later
            h.clock = new Date(h.clock.getTime() + DAY);
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Active"]);
            h.clock = new Date(Date.UTC(2026, 0, 1) + 35 * DAY);
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Active"]);
            h.clock = new Date(h.clock.getTime() + DAY);
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000002:Active"]);
            assertHealthy(h);
        });

        it("retries a throttled call", async () => {
            // GIVEN the grace over, and IAM throttling the UpdateAccessKey twice
            const h = await rotatedTwice(3);
            h.clock = new Date(h.clock.getTime() + 3 * DAY);
            h.iam.fail(2, "Throttling");
            h.iam.fail(3, "Throttling");
            h.sm.fail(1, "ThrottlingException");
            // WHEN the check runs once, THEN it deactivated the key, with no failed line
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Active"]);
            assert.deepStrictEqual(h.lines, [line(h, "t2", "deactivated")]);
        });

        describe("refuses any event with `nhiAction` that is not exactly the check's, before any call", () => {
            const ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:vendor-key-AbCdEf";
            const MESSAGE =
                'Invalid retire event: expected exactly `nhiAction` ("retirePrevious") and `SecretId` (the ARN of a secret), and nothing else.';
            const bad: [string, unknown][] = [
                ["another action", { nhiAction: "rotateNow", SecretId: ARN }],
                ["no SecretId", { nhiAction: "retirePrevious" }],
                ["a secret's name, not its ARN", { nhiAction: "retirePrevious", SecretId: "vendor-key" }],
                [
                    "a wildcard",
                    { nhiAction: "retirePrevious", SecretId: "arn:aws:secretsmanager:us-east-1:111122223333:secret:*" },
                ],
                [
                    "another service's ARN",
                    { nhiAction: "retirePrevious", SecretId: "arn:aws:iam::111122223333:user/vendor" },
                ],
                ["a number", { nhiAction: "retirePrevious", SecretId: 42 }],
                ["a field more", { nhiAction: "retirePrevious", SecretId: ARN, Step: "createSecret" }],
                [
                    "a rotation event's fields with it",
                    { nhiAction: "retirePrevious", SecretId: ARN, ClientRequestToken: "t1" },
                ],
                ["an array", Object.assign([], { nhiAction: "retirePrevious", SecretId: ARN })],
            ];
            for (const [what, event] of bad) {
                it(what, async () => {
                    const h = harness();
                    await assert.rejects(handle(event, h.deps), { message: MESSAGE });
                    assert.deepStrictEqual([...h.sm.calls, ...h.iam.calls], []);
                    assert.deepStrictEqual(
                        h.lines.map((l) => `${l.step}:${l.outcome}`),
                        ["retirePrevious:failed"],
                    );
                });
            }
            it("an event without `nhiAction` is a rotation event, checked as Secrets Manager's", async () => {
                const h = harness();
                await assert.rejects(handle({ SecretId: ARN }, h.deps), {
                    message:
                        "Invalid rotation event: expected `SecretId`, `ClientRequestToken` and `Step` (one of createSecret, setSecret, testSecret, finishSecret).",
                });
                h.sm.startRotation(h.arn, "t1");
                for (const step of STEPS) {
                    await handle({ SecretId: h.arn, ClientRequestToken: "t1", Step: step }, h.deps);
                }
                assert.strictEqual(currentKeyId(h.sm, h.arn), "AKIA0000000000000001");
            });
        });

        it("any schedule of rotations (some early, inside the grace), daily checks and crashes: at most 2 keys, AWSCURRENT's key never touched and Active, the previous one Active at most graceDays + 1 day", async () => {
            await fc.assert(
                fc.asyncProperty(
                    fc.integer({ min: 0, max: 5 }),
                    fc.integer({ min: 0, max: 23 }),
                    fc.array(
                        fc.record({
                            hours: fc.integer({ min: 0, max: 10 * 24 }),
                            crashAfter: fc.option(fc.integer({ min: 1, max: 20 })),
                            checkCrashAfter: fc.option(fc.integer({ min: 1, max: 6 })),
                        }),
                        { minLength: 1, maxLength: 6 },
                    ),
                    async (graceDays, checkHour, schedule) => {
                        // GIVEN a key with a grace period, and a check every day at `checkHour`
                        const h = harness(graceDays);
                        const replacedAt = new Map<string, number>();
                        let nextCheck = h.clock.getTime() + checkHour * 3_600_000;
                        const invariant = (when: string) => {
                            assertHealthy(h);
                            const current = currentKeyId(h.sm, h.arn);
                            for (const k of h.iam.keys(USER).filter((x) => x.id !== current && x.status === "Active")) {
                                const since = replacedAt.get(k.id);
                                assert.ok(since !== undefined, `${when}: Active key ${k.id} was never current`);
                                assert.ok(
                                    h.clock.getTime() <= since + (graceDays + 1) * DAY,
                                    `${when}: ${k.id} Active ${(h.clock.getTime() - since) / DAY} days after it was replaced`,
                                );
                            }
                        };
                        let rotated = 0;
                        for (const [i, { hours, crashAfter, checkCrashAfter }] of schedule.entries()) {
                            // WHEN time passes, with the daily checks (the first may crash once; Lambda retries it)
                            const until = h.clock.getTime() + hours * 3_600_000;
                            let crash = checkCrashAfter ?? undefined;
                            for (; nextCheck <= until; nextCheck += DAY) {
                                h.clock = new Date(nextCheck);
                                h.crashAfter = crash;
                                crash = undefined;
                                await checkRetried(h);
                                h.crashAfter = undefined;
                                if (rotated > 0) {
                                    invariant(`check at ${h.clock.toISOString()}`);
                                }
                            }
                            h.clock = new Date(until);
                            // AND a rotation starts, some crashing once
                            h.crashAfter = crashAfter ?? undefined;
                            const before = currentKeyId(h.sm, h.arn);
                            try {
                                await rotation(h, `t${i}`, 10);
                                rotated++;
                                if (before !== undefined && before !== currentKeyId(h.sm, h.arn)) {
                                    replacedAt.set(before, h.clock.getTime());
                                }
                            } catch (e) {
                                assert.match((e as Error).message, /is inside its grace period of \d+ days/);
                                assert.strictEqual(currentKeyId(h.sm, h.arn), before);
                                h.sm.abandonRotation(h.arn);
                            }
                            h.crashAfter = undefined;
                            // THEN after each: the invariants hold
                            if (rotated > 0) {
                                invariant(`rotation t${i}`);
                            }
                        }
                        // AND the first rotation always finishes (a refusal happens only inside a grace period)
                        assert.ok(rotated >= 1);
                        // AND once the grace and a day more have passed with only the daily checks, only AWSCURRENT's key is left
                        for (
                            const end = h.clock.getTime() + (graceDays + 3) * DAY;
                            nextCheck <= end;
                            nextCheck += DAY
                        ) {
                            h.clock = new Date(nextCheck);
                            await check(h);
                            invariant("final checks");
                        }
                        assert.deepStrictEqual(
                            h.iam.keys(USER).map((k) => k.id),
                            [currentKeyId(h.sm, h.arn)],
                        );
                    },
                ),
                { numRuns: 60 },
            );
        });
    });

    it("the IAM fake keeps the documented rules", () => {
        const iam = new FakeIam(() => new Date(0));
        iam.addUser("u");
        // Created Active; the secret key is in CreateAccessKey's answer only
        const first = iam.createAccessKey({ UserName: "u" }).AccessKey!;
        assert.strictEqual(first.Status, "Active");
        iam.createAccessKey({ UserName: "u" });
        const listed = iam.listAccessKeys({ UserName: "u" }).AccessKeyMetadata!;
        assert.deepStrictEqual(
            listed.map((k) => Object.keys(k).sort()),
            [0, 1].map(() => ["AccessKeyId", "CreateDate", "Status", "UserName"]),
        );
        // At most two keys per user, Active or not
        iam.updateAccessKey({ UserName: "u", AccessKeyId: first.AccessKeyId!, Status: "Inactive" });
        assert.throws(() => iam.createAccessKey({ UserName: "u" }), {
            name: "LimitExceededException",
            message: "Cannot exceed quota for AccessKeysPerUser: 2",
        });
        // Delete makes room; an unknown key or user is NoSuchEntity
        iam.deleteAccessKey({ UserName: "u", AccessKeyId: first.AccessKeyId! });
        assert.throws(() => iam.deleteAccessKey({ UserName: "u", AccessKeyId: first.AccessKeyId! }), {
            name: "NoSuchEntityException",
        });
        assert.throws(() => iam.listAccessKeys({ UserName: "nobody" }), { name: "NoSuchEntityException" });
        assert.strictEqual(iam.createAccessKey({ UserName: "u" }).AccessKey!.Status, "Active");
        assert.strictEqual(iam.keys("u").length, 2);
    });

    describe("plan: the rule that makes room", () => {
        const at = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY);
        const key = (id: string, day: number, Status: "Active" | "Inactive" = "Active") => ({
            AccessKeyId: id,
            CreateDate: at(day),
            Status,
        });
        const gone = (id: string) => ({ id, deactivate: false, delete: true });
        const cases: [
            string,
            Parameters<typeof plan>[0],
            Omit<Parameters<typeof plan>[1], "now" | "mode">,
            number,
            ReturnType<typeof plan>,
        ][] = [
            ["no key", [], { graceDays: 3 }, 0, { retire: [] }],
            ["only the current key", [key("C", 0)], { current: "C", graceDays: 3 }, 1, { retire: [] }],
            [
                "previous, grace over: deactivate then delete",
                [key("P", 0), key("C", 10)],
                { current: "C", previous: "P", graceDays: 3 },
                13,
                { retire: [{ id: "P", deactivate: true, delete: true }] },
            ],
            [
                "previous, inactive: delete",
                [key("P", 0, "Inactive"), key("C", 10)],
                { current: "C", previous: "P", graceDays: 3 },
                11,
                { retire: [gone("P")] },
            ],
            [
                "orphan newer than current: delete, even Active",
                [key("C", 0), key("O", 5)],
                { current: "C", graceDays: 3 },
                6,
                { retire: [gone("O")] },
            ],
            [
                "no current: any unrecorded key is an orphan",
                [key("O", 0)],
                { graceDays: 3 },
                0,
                { retire: [gone("O")] },
            ],
            [
                "older unrecorded key counts as previous",
                [key("X", 0), key("C", 10)],
                { current: "C", graceDays: 3 },
                14,
                { retire: [{ id: "X", deactivate: true, delete: true }] },
            ],
            [
                "current key inactive (exposed, or by hand): deleted, like any Inactive key",
                [key("P", 0), key("C", 10, "Inactive")],
                { current: "C", previous: "P", graceDays: 0 },
                10,
                { retire: [{ id: "P", deactivate: true, delete: true }, gone("C")] },
            ],
            [
                "current key inactive, previous inside its grace: room all the same, the previous kept",
                [key("P", 0), key("C", 10, "Inactive")],
                { current: "C", previous: "P", graceDays: 3 },
                11,
                { retire: [gone("C")] },
            ],
        ];
        for (const [name, keys, state, day, expected] of cases) {
            it(name, () => assert.deepStrictEqual(plan(keys, { ...state, now: at(day), mode: "make-room" }), expected));
        }
        it("previous inside its grace, with no room: refused", () => {
            assert.ok(
                "refuse" in
                    plan([key("P", 0), key("C", 10)], {
                        current: "C",
                        previous: "P",
                        graceDays: 3,
                        now: at(12),
                        mode: "make-room",
                    }),
            );
        });
    });

    describe("plan: the daily check", () => {
        const at = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY);
        const key = (id: string, day: number, Status: "Active" | "Inactive" = "Active") => ({
            AccessKeyId: id,
            CreateDate: at(day),
            Status,
        });
        const P = { current: "C", previous: "P", graceDays: 3 };
        const cases: [
            string,
            Parameters<typeof plan>[0],
            Omit<Parameters<typeof plan>[1], "now" | "mode">,
            number,
            ReturnType<typeof plan>,
        ][] = [
            ["only the current key: nothing", [key("C", 10)], P, 20, { retire: [] }],
            ["previous inside its grace: kept", [key("P", 0), key("C", 10)], P, 12.99, { retire: [] }],
            [
                "previous, grace just over: deactivated, not deleted",
                [key("P", 0), key("C", 10)],
                P,
                13,
                { retire: [{ id: "P", deactivate: true, delete: false }] },
            ],
            [
                "previous, grace long over: deactivated only (deleted at a later run)",
                [key("P", 0), key("C", 10)],
                P,
                29,
                { retire: [{ id: "P", deactivate: true, delete: false }] },
            ],
            [
                "previous Inactive, less than a day after its grace: kept",
                [key("P", 0, "Inactive"), key("C", 10)],
                P,
                13.99,
                { retire: [] },
            ],
            [
                "previous Inactive, a day after its grace: deleted",
                [key("P", 0, "Inactive"), key("C", 10)],
                P,
                14,
                { retire: [{ id: "P", deactivate: false, delete: true }] },
            ],
            [
                "previous deactivated early by hand: deleted only a day after the grace",
                [key("P", 0, "Inactive"), key("C", 10)],
                P,
                11,
                { retire: [] },
            ],
            [
                "older unrecorded key counts as previous",
                [key("X", 0), key("C", 10)],
                { current: "C", graceDays: 0 },
                10,
                { retire: [{ id: "X", deactivate: true, delete: false }] },
            ],
            [
                "a key newer than the current one (a rotation minting it): never touched",
                [key("C", 10), key("N", 11)],
                P,
                30,
                { retire: [] },
            ],
            ["a newer Inactive key: never touched", [key("C", 10), key("N", 11, "Inactive")], P, 30, { retire: [] }],
            [
                "AWSCURRENT's key Inactive: nothing at all",
                [key("P", 0), key("C", 10, "Inactive")],
                P,
                30,
                { retire: [] },
            ],
            ["AWSCURRENT's key not on the user: nothing at all", [key("P", 0)], P, 30, { retire: [] }],
            [
                "grace 0: deactivated at once",
                [key("P", 0), key("C", 10)],
                { ...P, graceDays: 0 },
                10,
                { retire: [{ id: "P", deactivate: true, delete: false }] },
            ],
        ];
        for (const [name, keys, state, day, expected] of cases) {
            it(name, () => assert.deepStrictEqual(plan(keys, { ...state, now: at(day), mode: "check" }), expected));
        }
    });

    describe("tags", () => {
        const specs: [Record<string, string>, KeySpec | string][] = [
            [
                { "nhi:iam-user": "a+b=c,d.e@f-g_h", "nhi:grace-days": "0" },
                { user: "a+b=c,d.e@f-g_h", graceDays: 0 },
            ],
            [
                { "nhi:iam-user": "u", "nhi:grace-days": "364" },
                { user: "u", graceDays: 364 },
            ],
            [{ "nhi:grace-days": "3" }, "Tag `nhi:iam-user` is missing; expected an IAM user name."],
            [
                { "nhi:iam-user": "a b", "nhi:grace-days": "3" },
                'Tag `nhi:iam-user` is "a b"; expected an IAM user name.',
            ],
            [
                { "nhi:iam-user": "u" },
                "Tag `nhi:grace-days` is missing; expected a whole number of days from 0 to 364.",
            ],
            [
                { "nhi:iam-user": "u", "nhi:grace-days": "365" },
                'Tag `nhi:grace-days` is "365"; expected a whole number of days from 0 to 364.',
            ],
            [
                { "nhi:iam-user": "u", "nhi:grace-days": "1.5" },
                'Tag `nhi:grace-days` is "1.5"; expected a whole number of days from 0 to 364.',
            ],
            [
                {
                    "nhi:iam-user": "u",
                    "nhi:grace-days": "1",
                    "nhi:expires-at": "2027-01-31T00:00:00Z",
                    "nhi:notify": "arn:aws:sns:eu-west-1:111122223333:owners",
                },
                {
                    user: "u",
                    graceDays: 1,
                    expiresAt: "2027-01-31T00:00:00Z",
                    topic: "arn:aws:sns:eu-west-1:111122223333:owners",
                },
            ],
            [
                { "nhi:iam-user": "u", "nhi:grace-days": "1", "nhi:expires-at": "2027-01-31" },
                'Tag `nhi:expires-at` is "2027-01-31"; expected a UTC instant such as 2027-01-31T00:00:00Z.',
            ],
            [
                { "nhi:iam-user": "u", "nhi:grace-days": "1", "nhi:notify": "owners" },
                'Tag `nhi:notify` is "owners"; expected the ARN of an SNS topic.',
            ],
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

    describe("expiry: the daily check after `expiresAt` deactivates every key, and no key is minted", () => {
        const EXPIRES = "2026-02-05T00:00:00Z";
        /** Two rotations (grace 3, keys 1 and 2 Active), the identity expiring on day 35. */
        async function expiring(): Promise<Harness> {
            const h = harness(3);
            setTag(h, "nhi:expires-at", EXPIRES);
            await rotation(h, "t1");
            h.clock = new Date(h.clock.getTime() + 30 * DAY);
            await rotation(h, "t2");
            h.lines.length = 0;
            h.currentMayBeDeactivated = true;
            return h;
        }
        const at = (iso: string) => new Date(iso);
        const line = (h: Harness, outcome: string, accessKeyId?: string) => ({
            secret: h.arn,
            step: "retirePrevious",
            version: "t2",
            outcome,
            ...(accessKeyId === undefined ? {} : { accessKeyId }),
        });

        it("deactivates both keys once `expiresAt` has passed, one line per key, and only with the actions allowed after expiry", async () => {
            // GIVEN both keys Active a second before expiry: the check deactivates the previous key (grace over), not the current one
            const h = await expiring();
            h.clock = at("2026-02-04T23:59:59Z");
            await check(h);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Active"]);
            h.iam.updateAccessKey({ UserName: USER, AccessKeyId: "AKIA0000000000000001", Status: "Active" });
            h.lines.length = 0;
            const [iamBefore, smBefore] = [h.iam.calls.length, h.sm.calls.length];
            // WHEN the check runs at expiresAt
            h.clock = at(EXPIRES);
            await check(h);
            // THEN every key is Inactive, each logged, and nothing but the after-expiry actions was called
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Inactive"]);
            assert.deepStrictEqual(h.lines, [
                line(h, "deactivated", "AKIA0000000000000001"),
                line(h, "deactivated", "AKIA0000000000000002"),
                line(h, "expired"),
            ]);
            assert.deepStrictEqual([...new Set(h.iam.calls.slice(iamBefore))].map((c) => `iam:${c}`).sort(), [
                ...AFTER_EXPIRY_ACTIONS.iam,
            ]);
            assert.deepStrictEqual(
                [...new Set(h.sm.calls.slice(smBefore))].map((c) => `secretsmanager:${c}`),
                [...AFTER_EXPIRY_ACTIONS.secretsmanager],
            );
            // AND the next day's check finds nothing to do, and changes nothing
            h.lines.length = 0;
            h.clock = new Date(h.clock.getTime() + DAY);
            await check(h);
            assert.deepStrictEqual(h.lines, [
                line(h, "already-inactive", "AKIA0000000000000001"),
                line(h, "already-inactive", "AKIA0000000000000002"),
                line(h, "expired"),
            ]);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Inactive"]);
        });

        it("a rotation after expiry fails before any call beyond DescribeSecret, naming the way out", async () => {
            const h = await expiring();
            h.clock = at(EXPIRES);
            h.sm.startRotation(h.arn, "t3");
            const [iamBefore, smBefore] = [h.iam.calls.length, h.sm.calls.length];
            await assert.rejects(step(h, "t3", "createSecret"), {
                message: `The identity of IAM user ${USER} expired at ${EXPIRES}: no access key is minted for secret ${h.arn}. Set a later \`expiresAt\` to rotate again.`,
            });
            assert.deepStrictEqual(h.iam.calls.slice(iamBefore), []);
            assert.deepStrictEqual(h.sm.calls.slice(smBefore), ["DescribeSecret"]);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Active"]);
        });

        it("a crash or throttling between any two calls: the retried check still leaves every key Inactive", async () => {
            for (let crash = 1; crash <= 4; crash++) {
                const h = await expiring();
                h.clock = at(EXPIRES);
                h.crashAfter = crash;
                h.iam.fail(2, "Throttling");
                await checkRetried(h);
                assert.deepStrictEqual(
                    keyStates(h),
                    ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Inactive"],
                    `crash after call ${crash}`,
                );
                assert.deepStrictEqual(h.lines.at(-1), line(h, "expired"));
            }
        });

        it("renewed (a later `expiresAt`): the next check finds AWSCURRENT's key Inactive and rotates now", async () => {
            const h = await expiring();
            h.clock = at(EXPIRES);
            await check(h);
            // WHEN the owner renews the identity, and the next check runs
            setTag(h, "nhi:expires-at", "2027-01-01T00:00:00Z");
            h.clock = new Date(h.clock.getTime() + DAY);
            h.lines.length = 0;
            await check(h);
            assert.deepStrictEqual(h.lines, [line(h, "rotation-started")]);
            for (const s of STEPS) {
                await rotate({ SecretId: h.arn, ClientRequestToken: "rotation-1", Step: s }, h.deps);
            }
            // THEN the consumer reads a new, Active key; the Inactive ones made room
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000003:Active"]);
            h.currentMayBeDeactivated = false;
            assertHealthy(h);
        });
    });

    describe("leaked keys (keyExposed)", () => {
        const TOPIC = "arn:aws:sns:us-east-1:111122223333:owners";
        /** Two rotations a day apart (grace 3): key 1 AWSPREVIOUS inside its grace, key 2 AWSCURRENT; a notify topic. */
        async function leaking(topic: string | null = TOPIC): Promise<Harness> {
            const h = harness(3);
            setTag(h, "nhi:notify", topic ?? undefined);
            await rotation(h, "t1");
            h.clock = new Date(h.clock.getTime() + 30 * DAY);
            await rotation(h, "t2");
            h.clock = new Date(h.clock.getTime() + 60 * 60 * 1000);
            h.lines.length = 0;
            h.currentMayBeDeactivated = true;
            return h;
        }
        const exposed = (h: Harness, ...accessKeyIds: string[]) =>
            handle({ nhiAction: "keyExposed", SecretId: h.arn, accessKeyIds }, h.deps);
        const line = (h: Harness, outcome: string, accessKeyId?: string) => ({
            secret: h.arn,
            step: "keyExposed",
            version: "t2",
            outcome,
            ...(accessKeyId === undefined ? {} : { accessKeyId }),
        });

        it("keys that are not the user's are ignored: no change, no notice", async () => {
            const h = await leaking();
            const before = h.iam.calls.length;
            await exposed(h, "AKIAIOSFODNN7EXAMPLE");
            assert.deepStrictEqual(h.lines, [line(h, "not-ours")]);
            assert.deepStrictEqual(h.iam.calls.slice(before), ["ListAccessKeys"]);
            assert.deepStrictEqual(h.published, []);
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Active"]);
        });

        it("the current key: deactivated, a rotation started, the owner told; the rotation then replaces it while the previous key keeps working", async () => {
            // GIVEN key 2 (AWSCURRENT) exposed, among another account's key
            const h = await leaking();
            // WHEN the rule's event arrives
            await exposed(h, "AKIAIOSFODNN7EXAMPLE", "AKIA0000000000000002");
            // THEN key 2 is Inactive at once, a rotation is started, and one notice names the user and key (no secret)
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000002:Inactive"]);
            assert.deepStrictEqual(h.lines, [
                line(h, "deactivated", "AKIA0000000000000002"),
                line(h, "rotation-started"),
                line(h, "notified"),
            ]);
            assert.deepStrictEqual(h.sm.rotationsStarted, ["rotation-1"]);
            assert.strictEqual(h.published.length, 1);
            assert.strictEqual(h.published[0].TopicArn, TOPIC);
            assert.strictEqual(
                h.published[0].Subject,
                `pulumi-nhi: exposed access key of IAM user ${USER} deactivated`,
            );
            const body = JSON.parse(h.published[0].Message!) as Record<string, unknown>;
            assert.deepStrictEqual(
                [body.user, body.secret, body.accessKeyIds, body.rotation],
                [USER, h.arn, ["AKIA0000000000000002"], "rotation-started"],
            );
            // AND neither the notice nor any log line holds a secret access key
            const logged = JSON.stringify(h.lines);
            for (const secret of h.iam.secrets) {
                assert.ok(!h.published[0].Message!.includes(secret));
                assert.ok(!logged.includes(secret));
            }
            // AND the rotation Secrets Manager runs deletes the exposed key (inside the previous key's grace) and stores a new one
            for (const s of STEPS) {
                await rotate({ SecretId: h.arn, ClientRequestToken: "rotation-1", Step: s }, h.deps);
            }
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Active", "AKIA0000000000000003:Active"]);
            h.currentMayBeDeactivated = false;
            assertHealthy(h);
            // AND the event again (a retry, or AWS sending it twice) changes no key and starts no rotation
            h.lines.length = 0;
            await exposed(h, "AKIA0000000000000002");
            assert.deepStrictEqual(
                h.lines.map((l) => l.outcome),
                ["not-ours"],
            );
        });

        it("the previous key: deactivated and the owner told; no rotation (the consumer is on a key AWS did not report)", async () => {
            const h = await leaking();
            await exposed(h, "AKIA0000000000000001");
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000001:Inactive", "AKIA0000000000000002:Active"]);
            assert.deepStrictEqual(h.lines, [
                line(h, "deactivated", "AKIA0000000000000001"),
                line(h, "current-key-not-exposed"),
                line(h, "notified"),
            ]);
            assert.deepStrictEqual(h.sm.rotationsStarted, []);
            h.currentMayBeDeactivated = false;
            assertHealthy(h);
        });

        it("a rotation already in progress: not started twice; it finishes on its own, deleting the exposed key", async () => {
            const h = await leaking();
            h.clock = new Date(h.clock.getTime() + 5 * DAY);
            h.sm.startRotation(h.arn, "t3");
            await exposed(h, "AKIA0000000000000002");
            assert.deepStrictEqual(
                h.lines.map((l) => l.outcome),
                ["deactivated", "rotation-pending", "notified"],
            );
            assert.ok(!h.sm.calls.includes("RotateSecret"));
            for (const s of STEPS) {
                await rotate({ SecretId: h.arn, ClientRequestToken: "t3", Step: s }, h.deps);
            }
            assert.deepStrictEqual(keyStates(h), ["AKIA0000000000000003:Active"]);
        });

        it("with no notify topic: the log line is the only notice", async () => {
            const h = await leaking(null);
            await exposed(h, "AKIA0000000000000002");
            assert.deepStrictEqual(
                h.lines.map((l) => l.outcome),
                ["deactivated", "rotation-started", "no-notify-target"],
            );
            assert.deepStrictEqual(h.published, []);
        });

        it("after expiry: deactivated and told, no rotation, no secret value read", async () => {
            const h = await leaking();
            setTag(h, "nhi:expires-at", "2026-01-31T00:00:00Z");
            const before = h.sm.calls.length;
            await exposed(h, "AKIA0000000000000002");
            assert.deepStrictEqual(
                h.lines.map((l) => l.outcome),
                ["deactivated", "expired", "notified"],
            );
            assert.deepStrictEqual(h.sm.calls.slice(before), ["DescribeSecret"]);
            assert.deepStrictEqual(
                [...new Set(h.iam.calls)].filter((c) => c !== "CreateAccessKey"),
                ["ListAccessKeys", "UpdateAccessKey"].filter((c) => h.iam.calls.includes(c as never)),
            );
        });

        it("throttled calls are retried: one run, no failed line", async () => {
            const h = await leaking();
            h.iam.fail(2, "Throttling");
            h.sm.fail(1, "ThrottlingException");
            h.snsFaults.push({ at: 1, name: "Throttling" });
            await exposed(h, "AKIA0000000000000002");
            assert.deepStrictEqual(
                h.lines.map((l) => l.outcome),
                ["deactivated", "rotation-started", "notified"],
            );
            assert.strictEqual(h.published.length, 1);
        });

        it("a crash between any two calls: Lambda's retries leave the exposed key Inactive, one rotation started, the owner told", async () => {
            // DescribeSecret, ListAccessKeys, UpdateAccessKey, GetSecretValue, RotateSecret, Publish
            for (let crash = 1; crash <= 6; crash++) {
                const h = await leaking();
                h.crashAfter = crash;
                for (let attempt = 1; ; attempt++) {
                    try {
                        await exposed(h, "AKIA0000000000000002");
                        break;
                    } catch (e) {
                        assert.strictEqual((e as Error).name, "Crash");
                        assert.ok(attempt < 3);
                    }
                }
                assert.deepStrictEqual(
                    keyStates(h),
                    ["AKIA0000000000000001:Active", "AKIA0000000000000002:Inactive"],
                    `crash after call ${crash}`,
                );
                assert.deepStrictEqual(h.sm.rotationsStarted, ["rotation-1"], `crash after call ${crash}`);
                assert.ok(
                    h.published.length >= 1 && h.published.length <= 2,
                    `crash after call ${crash}: ${h.published.length} notices`,
                );
                assert.deepStrictEqual(h.lines.at(-1), line(h, "notified"));
                assert.deepStrictEqual(h.sm.violations, []);
            }
        });

        it("any mix of rotations, daily checks, leaks of any key and crashes: an exposed key never works again, and the consumer always ends on one fresh Active key", async () => {
            await fc.assert(
                fc.asyncProperty(
                    fc.integer({ min: 0, max: 3 }),
                    fc.array(
                        fc.record({
                            hours: fc.integer({ min: 1, max: 6 * 24 }),
                            leak: fc.option(fc.constantFrom("current", "previous", "both", "other")),
                            crashAfter: fc.option(fc.integer({ min: 1, max: 7 })),
                        }),
                        { minLength: 1, maxLength: 6 },
                    ),
                    async (graceDays, schedule) => {
                        // GIVEN a key rotated once, checked daily; Secrets Manager runs any rotation RotateSecret starts
                        const h = harness(graceDays);
                        h.currentMayBeDeactivated = true;
                        await rotation(h, "t0");
                        const exposedIds = new Set<string>();
                        let ran = 0;
                        const runStarted = async () => {
                            for (; ran < h.sm.rotationsStarted.length; ran++) {
                                for (const s of STEPS) {
                                    await rotate(
                                        { SecretId: h.arn, ClientRequestToken: h.sm.rotationsStarted[ran], Step: s },
                                        h.deps,
                                    );
                                }
                            }
                        };
                        for (const [i, { hours, leak, crashAfter }] of schedule.entries()) {
                            // WHEN time passes with daily checks, a scheduled rotation may come, and AWS may report keys
                            h.clock = new Date(h.clock.getTime() + hours * 3_600_000);
                            await checkRetried(h);
                            await runStarted();
                            try {
                                await rotation(h, `s${i}`, 10);
                            } catch {
                                h.sm.abandonRotation(h.arn);
                            }
                            if (leak !== null) {
                                const current = currentKeyId(h.sm, h.arn)!;
                                const previous = h.iam
                                    .keys(USER)
                                    .map((k) => k.id)
                                    .find((id) => id !== current);
                                const ids =
                                    leak === "current"
                                        ? [current]
                                        : leak === "previous"
                                          ? [previous ?? "AKIAIOSFODNN7EXAMPLE"]
                                          : leak === "both"
                                            ? [current, previous ?? current]
                                            : ["AKIAIOSFODNN7EXAMPLE"];
                                ids.filter((id) => id.startsWith("AKIA0")).forEach((id) => exposedIds.add(id));
                                h.crashAfter = crashAfter ?? undefined;
                                for (let attempt = 1; ; attempt++) {
                                    try {
                                        await handle(
                                            { nhiAction: "keyExposed", SecretId: h.arn, accessKeyIds: ids },
                                            h.deps,
                                        );
                                        break;
                                    } catch (e) {
                                        assert.strictEqual((e as Error).name, "Crash");
                                        assert.ok(attempt < 3);
                                    }
                                }
                                h.crashAfter = undefined;
                                await runStarted();
                            }
                            // THEN no exposed key is Active, the user never had a third key, no label was lost
                            for (const k of h.iam.keys(USER)) {
                                assert.ok(
                                    !(exposedIds.has(k.id) && k.status === "Active"),
                                    `exposed key ${k.id} Active`,
                                );
                            }
                            assert.ok(h.maxKeys <= 2);
                            assert.deepStrictEqual(h.sm.violations, []);
                        }
                        // AND after the grace and a few days of checks, the user has one key: AWSCURRENT's, Active, never exposed
                        for (let day = 0; day < graceDays + 3; day++) {
                            h.clock = new Date(h.clock.getTime() + DAY);
                            await check(h);
                            await runStarted();
                        }
                        const current = currentKeyId(h.sm, h.arn)!;
                        assert.deepStrictEqual(keyStates(h), [`${current}:Active`]);
                        assert.ok(!exposedIds.has(current));
                    },
                ),
                { numRuns: 40 },
            );
        });

        describe("refuses any keyExposed event of another shape, before any call", () => {
            const ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:vendor-key-AbCdEf";
            const MESSAGE =
                'Invalid keyExposed event: expected exactly `nhiAction` ("keyExposed"), `SecretId` (the ARN of a secret) and `accessKeyIds` (1–20 access key IDs), and nothing else.';
            const KEY = "AKIA0000000000000002";
            const bad: [string, unknown][] = [
                ["no accessKeyIds", { nhiAction: "keyExposed", SecretId: ARN }],
                ["an empty list", { nhiAction: "keyExposed", SecretId: ARN, accessKeyIds: [] }],
                ["one ID as a string, not a list", { nhiAction: "keyExposed", SecretId: ARN, accessKeyIds: KEY }],
                ["21 IDs", { nhiAction: "keyExposed", SecretId: ARN, accessKeyIds: Array(21).fill(KEY) }],
                [
                    "a temporary (ASIA) key",
                    { nhiAction: "keyExposed", SecretId: ARN, accessKeyIds: ["ASIA0000000000000002"] },
                ],
                ["a lower-case ID", { nhiAction: "keyExposed", SecretId: ARN, accessKeyIds: [KEY.toLowerCase()] }],
                [
                    "a secret's name, not its ARN",
                    { nhiAction: "keyExposed", SecretId: "vendor-key", accessKeyIds: [KEY] },
                ],
                [
                    "a field more (the whole Health event)",
                    { nhiAction: "keyExposed", SecretId: ARN, accessKeyIds: [KEY], detail: {} },
                ],
            ];
            for (const [what, event] of bad) {
                it(what, async () => {
                    const h = harness();
                    await assert.rejects(handle(event, h.deps), { message: MESSAGE });
                    assert.deepStrictEqual([...h.sm.calls, ...h.iam.calls], []);
                    assert.deepStrictEqual(
                        h.lines.map((l) => `${l.step}:${l.outcome}`),
                        ["keyExposed:failed"],
                    );
                });
            }
        });
    });

    it("compiled by tsc, loads in a fresh Node process with only the runtime's SDK on its path", function () {
        this.timeout(120_000);
        // GIVEN the handler compiled alone, as the asset will hold it
        // WHEN a fresh Node process requires it, the SDK found through NODE_PATH as on Lambda
        const { files, printed } = compileAndLoadAlone("components/runtime/aws/rotate-access-key.ts");
        // THEN it is the handler and the rotation steps it shares (no value generator), and exports `handler`
        assert.deepStrictEqual(files, ["access-key-contract.js", "retry.js", "rotate-access-key.js", "rotation.js"]);
        assert.strictEqual(printed, "function 1");
    });
});
