import * as assert from "assert";
import * as fc from "fast-check";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runtimeBundle } from "../../../components/core/runtime-asset";
import { iamKeyStore, IamApiError } from "../../../components/runtime/gcp/key-store";
import {
    createKeyRotationHandler,
    KeyRotationResult,
    keyPolicy,
    keysToDelete,
    PERMISSIONS,
} from "../../../components/runtime/gcp/rotate-key";
import { LogLine, PubsubCloudEvent } from "../../../components/runtime/gcp/rotation";
import { EXPOSED, FakeIamKeys } from "./fake-iam-keys";
import { CODE, Crash, FakeSecretManager, GrpcError } from "./fake-secret-manager";

const SECRET = "projects/123456789/secrets/vendor-sync-key";
const EMAIL = "vendor-sync@demo-project.iam.gserviceaccount.com";
const ACCOUNT = `projects/demo-project/serviceAccounts/${EMAIL}`;
const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-01T00:00:00Z");
const ROOT = path.resolve(__dirname, "../../..");

function notification(publishTime: number, eventType = "SECRET_ROTATE"): PubsubCloudEvent {
    return {
        type: "google.cloud.pubsub.topic.v1.messagePublished",
        data: {
            message: {
                attributes: { eventType, secretId: SECRET },
                messageId: "1",
                publishTime: new Date(publishTime).toISOString(),
            },
        },
    };
}

/** A key secret rotated every 30 days with a 7-day grace (unless `labels` say otherwise), its account's keys, and a handler. */
function rig(
    labels: Record<string, string> = { "nhi-grace-days": "7" },
    disableDisabled: "idempotent" | "failed-precondition" = "idempotent",
) {
    const clock = { now: T0 };
    const secrets = new FakeSecretManager(
        SECRET,
        {
            "nhi-key-account": "vendor-sync",
            "nhi-key-project": "demo-project",
            "nhi-rotate-every-days": "30",
            ...labels,
        },
        clock,
    );
    const iam = new FakeIamKeys(ACCOUNT, EMAIL, clock, { disableDisabled });
    const logs: LogLine[] = [];
    const sleeps: number[] = [];
    const handler = createKeyRotationHandler({
        store: async () => secrets,
        keys: async () => iam,
        now: () => clock.now,
        sleep: async (ms) => {
            sleeps.push(ms);
        },
        random: () => 0.5,
        log: (line) => logs.push(line),
    });
    /** The notification published at `t`, run a minute later. */
    const rotateAt = async (t: number): Promise<KeyRotationResult> => {
        clock.now = t + MINUTE;
        return handler(notification(t));
    };
    /** The key ID each version holds, `v:state:keyState`, oldest first. */
    const picture = (): string => {
        const ids = new Map([...iam.keys.keys()].map((id, i) => [id, `k${i + 1}`]));
        return secrets
            .values()
            .map((value, i) => {
                const id = JSON.parse(value).private_key_id as string;
                const state = secrets.states().split(" ")[i].split(":")[1];
                const key = iam.live().find((k) => k.id === id);
                return `v${i + 1}:${state[0]}:${ids.get(id)}${key ? (key.disabled ? "-off" : "") : "-deleted"}`;
            })
            .join(" ");
    };
    /** Whether the key `latest` gives a consumer authenticates. */
    const latestWorks = (): boolean => iam.works(JSON.parse(secrets.access("latest")).private_key_id);
    return { clock, secrets, iam, logs, sleeps, handler, rotateAt, picture, latestWorks };
}

const steps = (logs: LogLine[]) => logs.map((l) => `${l.step} ${l.outcome}`);

describe("runtime/gcp rotate-key", () => {
    describe("first rotation", () => {
        it("creates the account's first key and stores its credentials file as version 1", async () => {
            // GIVEN a key secret with no version and an account with no key
            const { secrets, iam, logs, rotateAt, latestWorks } = rig();
            // WHEN the first SECRET_ROTATE arrives
            const result = await rotateAt(T0);
            // THEN one key exists, version 1 holds it, and it authenticates
            const [key] = iam.live();
            assert.deepStrictEqual(result, {
                outcome: "rotated",
                added: `${SECRET}/versions/1`,
                createdKey: `${ACCOUNT}/keys/${key.id}`,
                disabledKeys: [],
                deletedKeys: [],
                disabledVersions: [],
            });
            assert.strictEqual(iam.live().length, 1);
            assert.deepStrictEqual(JSON.parse(secrets.access("latest")), {
                ...JSON.parse(secrets.access(1)),
                private_key_id: key.id,
                client_email: EMAIL,
                type: "service_account",
            });
            assert.ok(latestWorks());
            assert.deepStrictEqual(steps(logs), [
                "receive accepted",
                "read-secret read",
                "read-versions read",
                "list-keys listed",
                "create-key created",
                "add-version added",
                "done rotated",
            ]);
        });
    });

    describe("steady rotation, grace and deletion", () => {
        it("keeps the previous key working for `graceDays`, disables it (and its version) after, and deletes it a period later", async () => {
            // GIVEN a key rotated every 30 days with a 7-day grace
            const { iam, rotateAt, picture, latestWorks } = rig();
            await rotateAt(T0);
            // WHEN the second rotation comes: both keys work
            await rotateAt(T0 + 30 * DAY);
            assert.strictEqual(picture(), "v1:E:k1 v2:E:k2");
            // AND the third: key 1's successor is 30 days old (> 7): key 1 and version 1 are disabled, not deleted
            const third = await rotateAt(T0 + 60 * DAY);
            assert.strictEqual(picture(), "v1:D:k1-off v2:E:k2 v3:E:k3");
            assert.deepStrictEqual(third.disabledVersions, [`${SECRET}/versions/1`]);
            // AND the fourth: key 1 has been disabled for a period: deleted; key 2 disabled
            const fourth = await rotateAt(T0 + 90 * DAY);
            assert.strictEqual(picture(), "v1:D:k1-deleted v2:D:k2-off v3:E:k3 v4:E:k4");
            assert.strictEqual(fourth.deletedKeys.length, 1);
            // THEN over a year the account never holds more than four keys, and `latest` always works
            for (let i = 4; i < 13; i++) {
                await rotateAt(T0 + i * 30 * DAY);
                assert.ok(latestWorks());
            }
            assert.strictEqual(iam.maxHeld, 3);
            assert.strictEqual(iam.live().length, 3);
        });

        it("with a check every day, rotates when the key is a period old, disables the previous key the day its grace ends and deletes it a grace later", async () => {
            // GIVEN a key rotated every 30 days with a 7-day grace, checked daily (the secret's rotationPeriod is one day)
            const { iam, rotateAt, picture, logs } = rig();
            const outcomes: string[] = [];
            for (let day = 0; day <= 75; day++) {
                outcomes.push(`${day}:${(await rotateAt(T0 + day * DAY)).outcome}`);
                if (day === 36) assert.strictEqual(picture(), "v1:E:k1 v2:E:k2", "day 36: both keys work");
                if (day === 37) assert.strictEqual(picture(), "v1:D:k1-off v2:E:k2", "day 37: the grace has ended");
                if (day === 43)
                    assert.strictEqual(picture(), "v1:D:k1-off v2:E:k2", "day 43: disabled, kept for its grace again");
                if (day === 44) assert.strictEqual(picture(), "v1:D:k1-deleted v2:E:k2", "day 44: deleted");
            }
            // THEN it rotated on days 0, 30 and 60 only
            assert.deepStrictEqual(
                outcomes.filter((o) => o.endsWith("rotated")),
                ["0:rotated", "30:rotated", "60:rotated"],
            );
            assert.strictEqual(iam.calls.createKey, 3);
            assert.ok(
                logs.some(
                    (l) => l.outcome === "not-due" && l.message === "the newest key is due at 2026-12-31T00:01:00.000Z",
                ),
            );
        });

        it("with grace 0 the previous key is disabled at once, never the new one", async () => {
            const { rotateAt, picture } = rig({ "nhi-grace-days": "0" });
            await rotateAt(T0);
            await rotateAt(T0 + 30 * DAY);
            assert.strictEqual(picture(), "v1:D:k1-off v2:E:k2");
        });
    });

    describe("idempotence", () => {
        it("a redelivered message creates no second key", async () => {
            const { iam, handler, clock, rotateAt, picture } = rig();
            await rotateAt(T0);
            clock.now = T0 + 10 * MINUTE;
            const again = await handler(notification(T0));
            assert.strictEqual(again.outcome, "not-due");
            assert.strictEqual(iam.calls.createKey, 1);
            assert.strictEqual(picture(), "v1:E:k1");
        });

        for (const method of [
            "listVersions",
            "accessVersion",
            "listKeys",
            "createKey",
            "addVersion",
            "disableKey",
            "disableVersion",
            "deleteKey",
            "getSecret",
        ] as const) {
            it(`a run whose \`${method}\` is UNAVAILABLE once retries it and ends as a clean run does`, async () => {
                // GIVEN the fourth rotation, which deletes, creates, adds and disables
                const clean = rig();
                const flaky = rig();
                for (const r of [clean, flaky]) for (let i = 0; i < 3; i++) await r.rotateAt(T0 + i * 30 * DAY);
                // WHEN one call fails once with UNAVAILABLE in one of them
                (method === "listKeys" || method === "createKey" || method === "disableKey" || method === "deleteKey"
                    ? flaky.iam
                    : flaky.secrets
                ).failNext(method as never, CODE.UNAVAILABLE);
                const a = await clean.rotateAt(T0 + 90 * DAY);
                const b = await flaky.rotateAt(T0 + 90 * DAY);
                // THEN the outcome is the same, after one wait
                assert.strictEqual(flaky.picture(), clean.picture());
                assert.deepStrictEqual(
                    [b.outcome, b.disabledKeys.length, b.deletedKeys.length, b.disabledVersions],
                    [a.outcome, a.disabledKeys.length, a.deletedKeys.length, a.disabledVersions],
                );
                assert.deepStrictEqual(flaky.sleeps, [125]);
            });
        }

        for (const mode of ["idempotent", "failed-precondition"] as const) {
            it(`a key already disabled when the run disables it is skipped (disabling a disabled key: ${mode})`, async () => {
                const { iam, rotateAt, picture, logs } = rig({ "nhi-grace-days": "0" }, mode);
                await rotateAt(T0);
                iam.failNext("disableKey", CODE.FAILED_PRECONDITION);
                await rotateAt(T0 + 30 * DAY);
                assert.ok(logs.some((l) => l.step === "disable-key" && l.outcome === "skipped"));
                // The version is disabled all the same; the key is disabled at the next run.
                assert.strictEqual(picture(), "v1:D:k1 v2:E:k2");
                await rotateAt(T0 + 60 * DAY);
                assert.strictEqual(picture(), "v1:D:k1-off v2:D:k2-off v3:E:k3");
            });
        }
    });

    describe("a crash after any call", () => {
        // The fourth rotation makes every kind of call; crash after each of them in turn.
        const clean = rig();
        before(async () => {
            for (let i = 0; i < 3; i++) await clean.rotateAt(T0 + i * 30 * DAY);
            const before = clean.secrets.journal.length + clean.iam.journal.length;
            await clean.rotateAt(T0 + 90 * DAY);
            assert.strictEqual(clean.secrets.journal.length + clean.iam.journal.length - before, 10);
        });

        for (let n = 1; n <= 10; n++) {
            it(`after call ${n} of the fourth rotation: the redelivery finishes it, no key is lost, and later rotations retire what the crash left`, async () => {
                // GIVEN three rotations done
                const r = rig();
                for (let i = 0; i < 3; i++) await r.rotateAt(T0 + i * 30 * DAY);
                const previous = JSON.parse(r.secrets.access("latest")).private_key_id as string;
                // WHEN the fourth run dies right after its n-th call took effect
                crashAfterCall([r.secrets, r.iam], n);
                await assert.rejects(r.rotateAt(T0 + 90 * DAY), Crash);
                // THEN the key consumers hold still works (its grace has not ended)
                assert.ok(r.iam.works(previous));
                // AND the redelivery, minutes later, finishes the rotation
                r.clock.now = T0 + 90 * DAY + 5 * MINUTE;
                await r.handler(notification(T0 + 90 * DAY));
                assert.ok(r.latestWorks());
                assert.ok(r.iam.works(previous), "the previous key stays usable for its grace");
                assert.ok(r.iam.live().length <= 5, r.picture());
                // AND within three more rotations a key the crashed run made and never stored is disabled, then deleted
                for (const day of [120, 150, 180]) {
                    await r.rotateAt(T0 + day * DAY);
                    assert.ok(r.latestWorks());
                    assert.ok(r.iam.live().filter((k) => !k.disabled).length <= 2, r.picture());
                }
                assert.strictEqual(r.iam.live().length, 3, r.picture());
                assert.ok(r.iam.maxHeld <= 5);
            });
        }
    });

    describe("keys Google or a person disabled", () => {
        it("a current key disabled as exposed is replaced at the next notification, even a redelivery of one already done", async () => {
            // GIVEN a rotation done, then Google disables the key it stored (iam.serviceAccountKeyExposureResponse)
            const { iam, handler, clock, rotateAt, picture, latestWorks, logs } = rig();
            await rotateAt(T0);
            iam.expose(iam.live()[0].id);
            assert.ok(!latestWorks());
            // WHEN the same notification is delivered again
            clock.now = T0 + 20 * MINUTE;
            const result = await handler(notification(T0));
            // THEN a new key is stored, and the version of the exposed key is disabled at once
            assert.strictEqual(result.outcome, "rotated");
            assert.ok(latestWorks());
            assert.strictEqual(picture(), "v1:D:k1-off v2:E:k2");
            assert.ok(
                logs.some(
                    (l) =>
                        l.outcome === "key-unusable" &&
                        l.message === `the newest version's key was disabled (${EXPOSED}): rotating now`,
                ),
            );
        });

        it("a version whose key was deleted by hand is disabled at the next check; a deleted current key is replaced", async () => {
            const { iam, rotateAt, picture } = rig();
            await rotateAt(T0);
            await rotateAt(T0 + 30 * DAY);
            await iam.deleteKey(`${ACCOUNT}/keys/${iam.live()[0].id}`);
            assert.strictEqual((await rotateAt(T0 + 31 * DAY)).outcome, "not-due");
            assert.strictEqual(picture(), "v1:D:k1-deleted v2:E:k2");
            await iam.deleteKey(`${ACCOUNT}/keys/${iam.live()[0].id}`);
            assert.strictEqual((await rotateAt(T0 + 32 * DAY)).outcome, "rotated");
            assert.strictEqual(picture(), "v1:D:k1-deleted v2:D:k2-deleted v3:E:k3");
        });
    });

    describe("limits and throttling", () => {
        it("the fake refuses an 11th key as Google does; system-managed keys do not count and are not listed", async () => {
            const { iam } = rig();
            iam.seed("SYSTEM_MANAGED", T0);
            for (let i = 0; i < 10; i++) await iam.createKey(ACCOUNT);
            await assert.rejects(
                iam.createKey(ACCOUNT),
                (e: GrpcError) =>
                    e.code === CODE.RESOURCE_EXHAUSTED && e.message === "8 Maximum number of keys on account reached.",
            );
            assert.strictEqual((await iam.listKeys(ACCOUNT)).length, 10);
        });

        it("with 10 keys none of which can go yet, it creates nothing and fails the run so that Pub/Sub delivers again", async () => {
            // GIVEN ten disabled keys made a day ago (deleted only a period after they were disabled)
            const { iam, logs, rotateAt } = rig();
            for (let i = 0; i < 10; i++) iam.seed("USER_MANAGED", T0 - DAY, true);
            // WHEN a rotation comes
            await assert.rejects(rotateAt(T0), {
                message: `The service account ${EMAIL} has 10 keys and none can be retired yet (Google's limit is 10).`,
            });
            // THEN no key was asked for
            assert.strictEqual(iam.calls.createKey, 0);
            assert.strictEqual(
                logs[logs.length - 1].message,
                "failed: the account has 10 keys, Google's limit is 10; none can be retired yet",
            );
        });

        it("keys made by hand on the account are disabled, then deleted: the function owns the account's keys", async () => {
            const { iam, rotateAt, picture } = rig();
            const hand = iam.seed("USER_MANAGED", T0 - 400 * DAY);
            await rotateAt(T0);
            assert.ok(!iam.live().some((k) => k.id === hand), "an unstored key made before any version is deleted");
            assert.strictEqual(picture(), "v1:E:k2");
        });

        it("where an organization policy forbids keys, fails the run with the reason logged and keeps the current key; the next day's check tries again", async () => {
            // GIVEN a stored key, then iam.disableServiceAccountKeyCreation enforced
            const { iam, logs, rotateAt, picture, latestWorks } = rig();
            await rotateAt(T0);
            iam.failNext(
                "createKey",
                CODE.FAILED_PRECONDITION,
                1,
                "Key creation is not allowed on this service account.",
            );
            // WHEN the key is due
            await assert.rejects(rotateAt(T0 + 30 * DAY), (e: GrpcError) => e.code === CODE.FAILED_PRECONDITION);
            // THEN nothing changed, the failure is logged, and the key consumers hold still works
            assert.strictEqual(picture(), "v1:E:k1");
            assert.ok(latestWorks());
            assert.deepStrictEqual(logs[logs.length - 1], {
                severity: "ERROR",
                message: "failed with gRPC code 9 after 1 attempt(s)",
                secret: SECRET,
                step: "create-key",
                version: ACCOUNT,
                outcome: "failed",
                attempt: 1,
                code: 9,
            });
            // AND once the policy allows it, the next check rotates
            assert.strictEqual((await rotateAt(T0 + 31 * DAY)).outcome, "rotated");
            assert.strictEqual(picture(), "v1:E:k1 v2:E:k2");
        });

        it("retries RESOURCE_EXHAUSTED throttling with backoff, but not Google's key-limit error", async () => {
            const { iam, sleeps, rotateAt, latestWorks } = rig();
            iam.failNext("createKey", CODE.RESOURCE_EXHAUSTED, 2, "Quota exceeded for quota metric 'Write requests'");
            await rotateAt(T0);
            assert.deepStrictEqual(sleeps, [125, 250]);
            assert.ok(latestWorks());
            const other = rig();
            other.iam.failNext("createKey", CODE.RESOURCE_EXHAUSTED, 1, "Maximum number of keys on account reached.");
            await assert.rejects(other.rotateAt(T0), (e: GrpcError) => e.code === CODE.RESOURCE_EXHAUSTED);
            assert.deepStrictEqual(other.sleeps, []);
        });
    });

    describe("property: any schedule of rotations, redeliveries, crashes and exposures", () => {
        it("never holds more than 10 keys, never meets Google's limit, and after every finished run `latest` holds a working key", async () => {
            const event = fc.oneof(
                fc.record({ kind: fc.constant("rotate" as const), days: fc.integer({ min: 1, max: 40 }) }),
                fc.record({ kind: fc.constant("redeliver" as const), minutes: fc.integer({ min: 1, max: 60 }) }),
                fc.record({ kind: fc.constant("crash" as const), after: fc.integer({ min: 1, max: 12 }) }),
                fc.record({ kind: fc.constant("expose" as const) }),
            );
            await fc.assert(
                fc.asyncProperty(
                    fc.integer({ min: 0, max: 29 }),
                    fc.array(event, { minLength: 1, maxLength: 25 }),
                    async (grace, events) => {
                        const r = rig({ "nhi-grace-days": String(grace) });
                        let published = T0;
                        let now = T0;
                        let crashNext = 0;
                        for (const e of events) {
                            if (e.kind === "crash") {
                                crashNext = e.after;
                                continue;
                            }
                            if (e.kind === "expose") {
                                const latest =
                                    r.secrets.values().length > 0
                                        ? JSON.parse(r.secrets.access("latest")).private_key_id
                                        : undefined;
                                if (latest && r.iam.works(latest)) r.iam.expose(latest);
                                continue;
                            }
                            if (e.kind === "rotate") published = now = now + e.days * DAY;
                            else now += e.minutes * MINUTE;
                            r.clock.now = now;
                            if (crashNext > 0) crashAfterCall([r.secrets, r.iam], crashNext);
                            let finished = true;
                            try {
                                await r.handler(notification(published));
                            } catch (err) {
                                if (!(err instanceof Crash) && !/none can be retired yet/.test(String(err))) throw err;
                                finished = false;
                            }
                            uncrash([r.secrets, r.iam]);
                            crashNext = 0;
                            if (finished) assert.ok(r.latestWorks(), r.picture());
                            assert.ok(r.iam.maxHeld <= 10);
                        }
                        assert.ok(!r.logs.some((l) => l.code === CODE.RESOURCE_EXHAUSTED));
                    },
                ),
                { numRuns: 150 },
            );
        });
    });

    describe("keys, logs and permissions", () => {
        it("no log line holds any part of a credentials file", async () => {
            const { secrets, logs, rotateAt } = rig();
            for (let i = 0; i < 4; i++) await rotateAt(T0 + i * 30 * DAY);
            const text = logs.map((l) => JSON.stringify(l)).join("\n");
            for (const value of secrets.values()) {
                const file = JSON.parse(value);
                assert.ok(!text.includes(file.private_key.split("\n")[1]));
                assert.ok(!text.includes(value));
            }
        });

        it("`PERMISSIONS` are exactly the calls a year of rotations makes, on its own secret and account only", async () => {
            const { secrets, iam, rotateAt } = rig();
            for (let i = 0; i < 13; i++) await rotateAt(T0 + i * 30 * DAY);
            const needs: Record<string, string> = {
                getSecret: "secretmanager.secrets.get",
                listVersions: "secretmanager.versions.list",
                accessVersion: "secretmanager.versions.access",
                addVersion: "secretmanager.versions.add",
                disableVersion: "secretmanager.versions.disable",
                listKeys: "iam.serviceAccountKeys.list",
                createKey: "iam.serviceAccountKeys.create",
                disableKey: "iam.serviceAccountKeys.disable",
                deleteKey: "iam.serviceAccountKeys.delete",
            };
            const used = (journal: string[]) => [...new Set(journal.map((j) => needs[j.split(" ")[0]]))].sort();
            assert.deepStrictEqual(used(secrets.journal), [...PERMISSIONS.secret]);
            assert.deepStrictEqual(used(iam.journal), [...PERMISSIONS.serviceAccount]);
            assert.ok(secrets.journal.every((j) => j.split(" ")[1].startsWith(SECRET)));
            assert.ok(iam.journal.every((j) => j.split(" ")[1].startsWith(ACCOUNT)));
        });

        const refusals: [Record<string, string>, string][] = [
            [
                { "nhi-key-account": "" },
                'label `nhi-key-account` is ""; allowed: a service account or project ID (6–30 lower-case letters, digits and hyphens)',
            ],
            [
                { "nhi-key-project": "Demo" },
                'label `nhi-key-project` is "Demo"; allowed: a service account or project ID (6–30 lower-case letters, digits and hyphens)',
            ],
            [
                { "nhi-rotate-every-days": "x" },
                'label `nhi-rotate-every-days` is "x"; allowed: a whole number of days from 1 to 365',
            ],
            [
                { "nhi-rotate-every-days": "366" },
                'label `nhi-rotate-every-days` is "366"; allowed: a whole number of days from 1 to 365',
            ],
            [
                { "nhi-grace-days": "-1" },
                'label `nhi-grace-days` is "-1"; allowed: a whole number of days shorter than the period (30)',
            ],
            [
                { "nhi-grace-days": "30" },
                'label `nhi-grace-days` is "30"; allowed: a whole number of days shorter than the period (30)',
            ],
        ];
        for (const [labels, problem] of refusals) {
            it(`refuses to rotate, creating nothing, when ${JSON.stringify(labels)}`, async () => {
                const { iam, logs, rotateAt } = rig({ "nhi-grace-days": "7", ...labels });
                assert.strictEqual((await rotateAt(T0)).outcome, "refused");
                assert.deepStrictEqual(iam.journal, []);
                assert.strictEqual(logs[logs.length - 1].message, `refused: ${problem}`);
            });
        }

        it("keyPolicy reads the account and times from the labels; the secret's rotationPeriod is the check interval, not the key's period", () => {
            const labels = {
                "nhi-key-account": "vendor-sync",
                "nhi-key-project": "demo-project",
                "nhi-rotate-every-days": "30",
                "nhi-grace-days": "3",
            };
            assert.deepStrictEqual(keyPolicy({ name: SECRET, labels, rotationPeriodSeconds: 86_400 }), {
                account: ACCOUNT,
                email: EMAIL,
                graceMs: 3 * DAY,
                periodMs: 30 * DAY,
            });
        });

        it("keysToDelete: a table", () => {
            const k = (id: string, ageDays: number, disabled: boolean) => ({
                name: id,
                id,
                validAfterTime: T0 - ageDays * DAY,
                disabled,
            });
            const policy = { graceMs: 7 * DAY, periodMs: 30 * DAY };
            const table: [string, ReturnType<typeof k>, string[], number, boolean][] = [
                ["a held key is never deleted, even disabled and old", k("a", 400, true), ["a"], T0, false],
                [
                    "a disabled key is kept until period + 2 × grace after it was made",
                    k("a", 43.9, true),
                    [],
                    T0,
                    false,
                ],
                ["… and deleted then", k("a", 44, true), [], T0, true],
                ["a grace under a day keeps it disabled a day", k("a", 30.9, true), [], T0, false],
                [
                    "an enabled key made after the newest version, older than 10 minutes, was never stored",
                    k("a", 0.01, false),
                    [],
                    T0 - DAY,
                    true,
                ],
                [
                    "… younger than 10 minutes it may belong to a run in progress",
                    k("a", 0.005, false),
                    [],
                    T0 - DAY,
                    false,
                ],
                [
                    "an enabled key made before the newest version and held by none is disabled first, not deleted",
                    k("a", 5, false),
                    [],
                    T0 - DAY,
                    false,
                ],
            ];
            for (const [what, key, held, newest, deleted] of table) {
                const p = what.startsWith("a grace under") ? { ...policy, graceMs: 0 } : policy;
                assert.strictEqual(keysToDelete([key], new Set(held), newest, p, T0).length === 1, deleted, what);
            }
        });
    });

    describe("the IAM REST client behind the key store", () => {
        it("calls the four methods with the documented URLs and bodies, and decodes the credentials file once", async () => {
            const requests: unknown[] = [];
            const store = iamKeyStore(async (opts) => {
                requests.push(opts);
                if (opts.method === "GET")
                    return {
                        data: {
                            keys: [
                                {
                                    name: `${ACCOUNT}/keys/abc`,
                                    validAfterTime: "2026-11-01T00:00:00Z",
                                    disabled: true,
                                    disableReason: EXPOSED,
                                },
                            ],
                        },
                    };
                if (opts.url.endsWith("/keys"))
                    return {
                        data: {
                            name: `${ACCOUNT}/keys/def`,
                            validAfterTime: "2026-11-01T00:01:00Z",
                            privateKeyData: Buffer.from('{"private_key_id":"def"}').toString("base64"),
                        },
                    };
                return { data: {} };
            });
            assert.deepStrictEqual(await store.listKeys(ACCOUNT), [
                { name: `${ACCOUNT}/keys/abc`, id: "abc", validAfterTime: T0, disabled: true, disableReason: EXPOSED },
            ]);
            const created = await store.createKey(ACCOUNT);
            assert.deepStrictEqual(
                [created.id, created.validAfterTime - T0, created.credentials.toString()],
                ["def", MINUTE, '{"private_key_id":"def"}'],
            );
            await store.disableKey(`${ACCOUNT}/keys/abc`);
            await store.deleteKey(`${ACCOUNT}/keys/abc`);
            const API = "https://iam.googleapis.com/v1";
            assert.deepStrictEqual(requests, [
                { url: `${API}/${ACCOUNT}/keys?keyTypes=USER_MANAGED`, method: "GET" },
                {
                    url: `${API}/${ACCOUNT}/keys`,
                    method: "POST",
                    data: { privateKeyType: "TYPE_GOOGLE_CREDENTIALS_FILE", keyAlgorithm: "KEY_ALG_RSA_2048" },
                },
                { url: `${API}/${ACCOUNT}/keys/abc:disable`, method: "POST", data: {} },
                { url: `${API}/${ACCOUNT}/keys/abc`, method: "DELETE" },
            ]);
        });

        it("turns REST errors into gRPC codes the shared retry rules read: by status name, else by HTTP status", async () => {
            const table: [unknown, number, string][] = [
                [
                    {
                        response: {
                            status: 429,
                            data: {
                                error: {
                                    status: "RESOURCE_EXHAUSTED",
                                    message: "Maximum number of keys on account reached.",
                                },
                            },
                        },
                    },
                    8,
                    "Maximum number of keys on account reached.",
                ],
                [
                    {
                        response: {
                            status: 400,
                            data: { error: { status: "FAILED_PRECONDITION", message: "Key is disabled." } },
                        },
                    },
                    9,
                    "Key is disabled.",
                ],
                [{ response: { status: 503 } }, 14, "HTTP 503"],
                [{ response: { status: 404 } }, 5, "HTTP 404"],
            ];
            for (const [raw, code, message] of table) {
                const store = iamKeyStore(async () => {
                    throw raw;
                });
                await assert.rejects(
                    store.deleteKey("k"),
                    (e: IamApiError) => e instanceof IamApiError && e.code === code && e.message === message,
                );
            }
            const plain = new Error("socket hang up");
            await assert.rejects(
                iamKeyStore(async () => {
                    throw plain;
                }).listKeys(ACCOUNT),
                (e) => e === plain,
            );
        });

        it("the pinned google-auth-library has GoogleAuth#request", () => {
            const out = execFileSync(
                process.execPath,
                ["-e", "console.log(typeof require('google-auth-library').GoogleAuth.prototype.request)"],
                { cwd: ROOT, encoding: "utf8" },
            );
            assert.strictEqual(out.trim(), "function");
        });
    });

    describe("packaging", () => {
        it("the archive holds the entry and exactly the files it requires", () => {
            assert.deepStrictEqual(
                [...runtimeBundle("gcp/key-index").files.keys()],
                ["gcp/key-index.js", "gcp/key-store.js", "gcp/rotate-key.js", "gcp/rotation.js", "gcp/secret-store.js"],
            );
        });

        it("loads in a fresh Node process and registers `rotateKey` with the Functions Framework", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-rotate-key-"));
            try {
                for (const [file, text] of runtimeBundle("gcp/key-index").files) {
                    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
                    fs.writeFileSync(path.join(dir, file), text);
                }
                const loaded = execFileSync(
                    process.execPath,
                    [
                        "-e",
                        "const m = require('./gcp/rotate-key.js'); console.log(typeof m.rotateKey, Object.keys(require.cache).filter((k) => k.includes('node_modules')).length)",
                    ],
                    { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } },
                );
                assert.strictEqual(loaded.trim(), "function 0");
                const registered = execFileSync(
                    process.execPath,
                    [
                        "-e",
                        "require('./gcp/key-index.js'); require('@google-cloud/functions-framework/testing').getFunction('rotateKey')({ data: { message: { attributes: { eventType: 'SECRET_UPDATE' } } } })",
                    ],
                    {
                        cwd: dir,
                        encoding: "utf8",
                        env: { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, "node_modules") },
                    },
                );
                assert.strictEqual(
                    JSON.parse(registered).message,
                    "ignored: event type SECRET_UPDATE is not SECRET_ROTATE",
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});

const STORE_METHODS = [
    "getSecret",
    "listVersions",
    "accessVersion",
    "addVersion",
    "disableVersion",
    "listKeys",
    "createKey",
    "disableKey",
    "deleteKey",
];

/** Makes the `n`-th call across `fakes` (counted from now) take effect and then crash its caller. */
function crashAfterCall(fakes: object[], n: number): void {
    let count = 0;
    for (const fake of fakes) {
        const proto = Object.getPrototypeOf(fake);
        for (const method of Object.getOwnPropertyNames(proto)) {
            if (!STORE_METHODS.includes(method)) continue;
            const real = proto[method] as (...a: unknown[]) => Promise<unknown>;
            (fake as Record<string, unknown>)[method] = async (...args: unknown[]) => {
                const out = await real.apply(fake, args);
                if (++count === n) throw new Crash(`crashed after call ${n} (${method})`);
                return out;
            };
        }
    }
}

/** Undoes {@link crashAfterCall}. */
function uncrash(fakes: object[]): void {
    for (const fake of fakes) {
        for (const method of Object.keys(fake)) {
            if (typeof (fake as Record<string, unknown>)[method] === "function")
                delete (fake as Record<string, unknown>)[method];
        }
    }
}
