import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runtimeBundle } from "../../../components/core/runtime-asset";
import { findRole, isPermission } from "../../../components/gcp/catalog";
import { usageApis, ApiRequest } from "../../../components/runtime/gcp/usage-apis";
import { exposureResponseOn, PolicyRule } from "../../../components/runtime/gcp/usage-contract";
import {
    activityAccount,
    digest,
    evaluateAccount,
    readRecord,
    readSecretLabels,
    secretDue,
    secretState,
    summarize,
    useByAccount,
} from "../../../components/runtime/gcp/usage-evaluate";
import {
    createMonitorHandler,
    MAX_ATTEMPTS,
    MAX_SECRET_CHECKS_PER_RUN,
    METRIC_PREFIX,
    monitorEvent,
    MonitorDeps,
    MonitorLogLine,
    monitorUsage,
    NoticeChange,
    NoticePayload,
    PERMISSIONS,
    STATE_OBJECT,
} from "../../../components/runtime/gcp/usage-monitor";
import { Api, ApiModel, Crash, DAY, FakeGoogleProject, pacificDayStart, PROJECT } from "./fake-usage-project";
import {
    BUCKET,
    CHANNEL,
    FUNCTION_LIMIT_SECONDS,
    GCP_BENCH_DAYS,
    measureGcpUsageMonitor,
} from "../../support/gcp-usage-monitor-measure";

const DAY0 = new Date(Date.UTC(2026, 0, 1, 3));
const OTHER = "987654321";
const record = (extra: Record<string, unknown> = {}) => ({
    owner: "team-a",
    purpose: "exports",
    ...extra,
    managedBy: "pulumi-nhi",
});

interface Harness {
    readonly p: FakeGoogleProject;
    readonly lines: MonitorLogLine[];
    readonly deps: MonitorDeps;
    run(perIdentityMetrics?: boolean): ReturnType<typeof monitorUsage>;
    /** Moves the clock on by `days` (fractions allowed). */
    after(days: number): void;
    /** Every change written for `channel`, over all runs and parts. */
    changes(channel?: string): NoticeChange[];
    /** The states recorded in the state object, by email, secret name or `projects/<project>` (the exposed-key policy). */
    states(): Record<string, string>;
    /** The last run's aggregate metrics, by short name. */
    aggregates(): Record<string, number>;
}

function harness(models: Partial<Record<Api, ApiModel>> = {}): Harness {
    const p = new FakeGoogleProject(DAY0, models);
    const lines: MonitorLogLine[] = [];
    const deps: MonitorDeps = {
        apis: async () => p,
        now: () => p.now(),
        sleep: p.sleep,
        random: () => 0.5,
        log: (l) => lines.push(l),
    };
    return {
        p,
        lines,
        deps,
        run: (per = false) => monitorUsage(monitorEvent(PROJECT, BUCKET, per), deps),
        after: (days) => {
            p.time += days * DAY;
        },
        changes: (channel = CHANNEL) =>
            p.entries
                .filter((e) => e.labels["nhi-channel"] === channel)
                .flatMap((e) => (e.jsonPayload as NoticePayload).changes),
        states: () => {
            const f = p.stateFile(BUCKET, STATE_OBJECT);
            if (f === undefined) return {};
            return Object.fromEntries([
                ...Object.values(f.accounts)
                    .filter((a) => a.state !== undefined)
                    .map((a) => [a.email, a.state!]),
                ...Object.entries(f.secrets)
                    .filter(([, s]) => s.state !== undefined)
                    .map(([n, s]) => [n, s.state!]),
                ...(f.exposure !== undefined ? [[`projects/${PROJECT}`, f.exposure.state]] : []),
            ]);
        },
        aggregates: () => {
            const last = p.timeSeries.filter((t) => t.points.some((x) => x.type.endsWith("run_succeeded"))).pop()!;
            return Object.fromEntries(
                last.points
                    .filter((x) => Object.keys(x.labels).length === 0)
                    .map((x) => [x.type.slice(METRIC_PREFIX.length), x.value]),
            );
        },
    };
}

describe("runtime/gcp usage-monitor", () => {
    describe("the ownership record (readRecord)", () => {
        const notOurs: [string, string | undefined][] = [
            ["no description", undefined],
            ["plain text", "Compute Engine default service account"],
            ["JSON of another tool", JSON.stringify({ owner: "x", managedBy: "terraform" })],
            ["a JSON array", "[1]"],
        ];
        for (const [what, d] of notOurs) {
            it(`${what}: not ours`, () => assert.strictEqual(readRecord(d), undefined));
        }
        it("ours: the thresholds, the default notice when absent", () => {
            assert.deepStrictEqual(
                readRecord(
                    JSON.stringify(record({ expiresAt: "2027-01-01T00:00:00Z", unused: 90, notify: "42", keyAge: 31 })),
                ),
                {
                    owner: "team-a",
                    unusedAfterDays: 90,
                    notify: "42",
                    expiresAt: new Date("2027-01-01T00:00:00Z"),
                    expiryNoticeDays: 14,
                    keyMaxAgeDays: 31,
                    invalid: [],
                },
            );
        });
        it("a malformed value is ignored and named, never guessed", () => {
            const r = readRecord(
                JSON.stringify(
                    record({
                        unused: 0,
                        notify: "projects/p/notificationChannels/42",
                        notice: "30",
                        keyAge: 731,
                        expiresAt: "tomorrow",
                    }),
                ),
            )!;
            assert.deepStrictEqual(r.invalid, ["unused", "notice", "keyAge", "notify", "expiresAt"]);
            assert.deepStrictEqual(
                [r.unusedAfterDays, r.notify, r.expiryNoticeDays, r.keyMaxAgeDays, r.expiresAt],
                [undefined, undefined, 14, undefined, undefined],
            );
        });
    });

    describe("last use from Policy Analyzer (useByAccount, evaluateAccount)", () => {
        const sa = (email: string) => `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${email}`;
        it("names the account of an account's or a key's activity", () => {
            assert.strictEqual(activityAccount(sa("a@x")), "a@x");
            assert.strictEqual(activityAccount(`${sa("a@x")}/keys/abc`), "a@x");
            assert.strictEqual(activityAccount("//storage.googleapis.com/projects/_/buckets/b"), undefined);
        });
        it("a use counts at the end of its reported day; the latest of the account and its keys wins", () => {
            const day = Date.UTC(2026, 0, 10, 7);
            const m = useByAccount([
                { fullResourceName: sa("a@x"), lastAuthenticated: day, observedUntil: day + 5 * DAY },
                {
                    fullResourceName: `${sa("a@x")}/keys/k1`,
                    lastAuthenticated: day + 2 * DAY,
                    observedUntil: day + 5 * DAY,
                },
                { fullResourceName: sa("never@x"), observedUntil: day + 5 * DAY },
            ]);
            assert.deepStrictEqual(m.get("a@x"), { lastUsed: day + 3 * DAY, observedUntil: day + 5 * DAY });
            assert.deepStrictEqual(m.get("never@x"), { observedUntil: day + 5 * DAY });
        });
        const now = new Date(Date.UTC(2026, 3, 1, 3));
        const th = { unusedAfterDays: 30, expiryNoticeDays: 14, invalid: [] };
        const cases: [string, Parameters<typeof evaluateAccount>[1], string, number][] = [
            [
                "used 29 days before the data's end: ok",
                {
                    evidence: { lastUsed: now.getTime() - 31 * DAY, observedUntil: now.getTime() - 2 * DAY },
                    firstSeen: 0,
                },
                "ok",
                29,
            ],
            [
                "used 30 days before it: idle",
                {
                    evidence: { lastUsed: now.getTime() - 32 * DAY, observedUntil: now.getTime() - 2 * DAY },
                    firstSeen: 0,
                },
                "idle",
                30,
            ],
            [
                "never used, first seen 31 days ago, data to 1 day ago: idle",
                { projectObservedUntil: now.getTime() - DAY, firstSeen: now.getTime() - 31 * DAY },
                "idle",
                30,
            ],
            [
                "never used, first seen 29 days ago: ok",
                { projectObservedUntil: now.getTime() - DAY, firstSeen: now.getTime() - 29 * DAY },
                "ok",
                28,
            ],
            [
                "never used, its oldest key 40 days old: counts from the key",
                { firstSeen: now.getTime(), keyTimes: [{ validAfterTime: now.getTime() - 40 * DAY, disabled: true }] },
                "idle",
                40,
            ],
        ];
        for (const [what, facts, state, days] of cases) {
            it(what, () => {
                const c = evaluateAccount(th, facts, now);
                assert.deepStrictEqual([c.state, c.daysSinceLastUse], [state, days]);
            });
        }
        it("key-too-old looks at enabled keys only", () => {
            const keys = [
                { validAfterTime: now.getTime() - 100 * DAY, disabled: true },
                { validAfterTime: now.getTime() - 20 * DAY, disabled: false },
            ];
            assert.strictEqual(
                evaluateAccount(
                    { ...th, keyMaxAgeDays: 19 },
                    { firstSeen: now.getTime(), keyTimes: keys, evidence: { lastUsed: now.getTime() } },
                    now,
                ).state,
                "key-too-old",
            );
            assert.strictEqual(
                evaluateAccount(
                    { ...th, keyMaxAgeDays: 20 },
                    { firstSeen: now.getTime(), keyTimes: keys, evidence: { lastUsed: now.getTime() } },
                    now,
                ).state,
                "ok",
            );
        });
    });

    describe("rotation health (pure)", () => {
        const now = new Date(Date.UTC(2026, 3, 1));
        it("reads the period and the channel from the labels; other secrets are not ours", () => {
            assert.deepStrictEqual(readSecretLabels({ "nhi-rotate-every-days": "30", "nhi-notify": "42" }), {
                periodDays: 30,
                notify: "42",
            });
            assert.deepStrictEqual(readSecretLabels({ "nhi-rotate-every-days": "7", "nhi-notify": "team-channel" }), {
                periodDays: 7,
            });
            assert.strictEqual(readSecretLabels({ env: "prod" }), undefined);
            assert.strictEqual(readSecretLabels({ "nhi-rotate-every-days": "0" }), undefined);
        });
        const t = now.getTime();
        const table: [number | undefined, boolean, string][] = [
            [undefined, true, "ok"],
            [t - 29 * DAY, false, "ok"],
            [t - 30 * DAY, true, "ok"],
            [t - 31 * DAY, true, "ok"],
            [t - 31 * DAY - 1, true, "rotation-stale"],
        ];
        for (const [newest, due, state] of table) {
            it(`newest ${newest === undefined ? "unknown" : `${(t - newest) / DAY} days old`}, period 30: ${due ? "read" : "not read"}, ${state}`, () => {
                assert.strictEqual(secretDue(newest, 30, now), due);
                assert.strictEqual(secretState(newest, 30, now), state);
            });
        }
    });

    describe("digests (pure)", () => {
        const change = (i: number, state: NoticeChange["state"] = "idle"): NoticeChange => ({
            kind: "serviceAccount",
            identity: `svc-${i}@p.iam.gserviceaccount.com`,
            state,
            previousState: "ok",
            advice: "x",
        });
        it("one entry up to 200 changes, then parts; the summary of the whole in each", () => {
            assert.strictEqual(digest("42", PROJECT, DAY0, [change(1)]).length, 1);
            const parts = digest(
                "42",
                PROJECT,
                DAY0,
                Array.from({ length: 450 }, (_, i) => change(i)),
            );
            assert.deepStrictEqual(
                parts.map((x) => [x.part, x.parts, x.changes.length, x.changeCount]),
                [
                    [1, 3, 200, 450],
                    [2, 3, 200, 450],
                    [3, 3, 50, 450],
                ],
            );
            assert.ok(parts.every((x) => x.summary === parts[0].summary));
        });
        it("the summary: worst first, cut to 1,000 characters", () => {
            assert.strictEqual(
                summarize(PROJECT, [change(1), change(2, "expired"), change(3, "ok")]),
                `pulumi-nhi: 3 changes in ${PROJECT}: expired (1): svc-2@p.iam.gserviceaccount.com; idle (1): svc-1@p.iam.gserviceaccount.com; ok (1): svc-3@p.iam.gserviceaccount.com`,
            );
            const long = summarize(
                PROJECT,
                Array.from({ length: 100 }, (_, i) => change(i)),
            );
            assert.strictEqual(long.length, 1000);
            assert.ok(long.endsWith("…"));
        });
    });

    describe("runs", () => {
        it("pages through thousands of accounts; only ours are evaluated, recorded and counted", async () => {
            // GIVEN 2,500 accounts, one in five not ours, listed at most 37 a page, idle after 30 days
            const h = harness();
            h.p.pageCap = 37;
            const ours: string[] = [];
            for (let i = 0; i < 2500; i++) {
                if (i % 5 === 0)
                    h.p.addAccount(
                        `other-${i}`,
                        i % 10 === 0
                            ? "Default compute service account"
                            : JSON.stringify({ owner: "x", managedBy: "someone-else" }),
                    );
                else ours.push(h.p.addAccount(`svc-${i}`, record({ unused: 30, notify: CHANNEL })));
            }
            // WHEN the monitor runs on day 0 and again 31 days later
            await h.run();
            h.after(31);
            const s = await h.run();
            // THEN every page was read, 2,000 accounts evaluated, all idle (never used, counted from the first run, data a day old: 31 - 1 = 30)
            assert.strictEqual(
                h.p.calls.filter((c) => c === "iam:listServiceAccounts").length,
                2 * Math.ceil(2500 / 37),
            );
            assert.strictEqual(s.monitored, 2000);
            assert.strictEqual(s.counts.idle, 2000);
            assert.deepStrictEqual(new Set(Object.keys(h.states())), new Set(ours));
            assert.strictEqual(h.aggregates().identities_monitored, 2000);
            assert.strictEqual(h.aggregates().identities_idle, 2000);
            // AND no account that is not ours had its keys listed or appears in a digest
            assert.ok(!h.changes().some((c) => c.identity.startsWith("other-")));
            assert.strictEqual(h.p.calls.filter((c) => c === "iam:listUserKeys").length, 0);
        });

        it("one notice per change of state across runs, and one when it is back to ok", async () => {
            const h = harness();
            const a = h.p.addAccount("reports", record({ unused: 30, notify: CHANNEL }));
            h.p.use(a);
            await h.run();
            assert.deepStrictEqual(h.changes(), []);
            // 31 days on: the use was reported for its Pacific day (counted to that day's end, Jan 1 07:00Z), and the data reaches
            // the start of today's Pacific day (Jan 31 07:00Z): 30 days → idle, once
            h.after(31);
            await h.run();
            h.after(0.5);
            await h.run();
            h.after(0.5);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => [c.identity, c.previousState, c.state, c.daysSinceLastUse]),
                [[a, "ok", "idle", 30]],
            );
            assert.deepStrictEqual(h.states(), { [a]: "idle" });
            // Used again: Policy Analyzer reports it once its day is in the observation period → ok, once
            h.p.use(a);
            h.after(0.01);
            await h.run();
            assert.strictEqual(h.changes().length, 1, "not yet in the data");
            h.after(1);
            await h.run();
            h.after(0.5);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => c.state),
                ["idle", "ok"],
            );
            assert.deepStrictEqual(h.states(), {});
        });

        it("Policy Analyzer's data ending days ago holds idle back by as much, and is logged as stale", async () => {
            const h = harness();
            h.p.lagDays = 5;
            const a = h.p.addAccount("a", record({ unused: 10, notify: CHANNEL }), { neverUsedShape: "no-field" });
            await h.run();
            h.after(11);
            await h.run();
            assert.deepStrictEqual(h.changes(), [], "the data reaches day 5 only");
            assert.deepStrictEqual(
                h.lines.filter((l) => l.outcome === "stale").map((l) => l.count),
                [5, 5],
            );
            h.after(5);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => [c.identity, c.state, c.daysSinceLastUse]),
                [[a, "idle", 10]],
            );
        });

        it("never-used accounts count from the first run that saw them, whichever way Policy Analyzer shows them", async () => {
            const h = harness();
            const absent = h.p.addAccount("absent", record({ unused: 10, notify: CHANNEL }), {
                neverUsedShape: "absent",
            });
            const noField = h.p.addAccount("no-field", record({ unused: 10, notify: CHANNEL }), {
                neverUsedShape: "no-field",
            });
            const used = h.p.addAccount("used", record({ unused: 10, notify: CHANNEL }));
            h.p.use(used);
            await h.run();
            h.after(10);
            await h.run();
            assert.deepStrictEqual(h.changes(), [], "10 days seen, data to 9: not yet");
            h.after(1);
            await h.run();
            assert.deepStrictEqual(
                h
                    .changes()
                    .map((c) => [c.identity, c.neverUsed])
                    .sort(),
                [
                    [absent, true],
                    [noField, true],
                    [used, false],
                ].sort(),
            );
        });

        it("expiring 14 days before expiresAt (or the record's own notice), expired at it", async () => {
            const h = harness();
            const a = h.p.addAccount("a", record({ expiresAt: "2026-01-20T03:00:00Z", notify: CHANNEL }));
            const b = h.p.addAccount("b", record({ expiresAt: "2026-01-20T03:00:00Z", notice: 3, notify: CHANNEL }));
            await h.run();
            assert.deepStrictEqual(h.changes(), [], "19 days left");
            h.after(5);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => [c.identity, c.state, c.daysToExpiry]),
                [[a, "expiring", 14]],
            );
            h.after(11);
            await h.run();
            h.after(3);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => [c.identity, c.state]),
                [
                    [a, "expiring"],
                    [b, "expiring"],
                    [a, "expired"],
                    [b, "expired"],
                ],
            );
        });

        it("key-too-old from the enabled user-managed keys, listed only for accounts with keyAge", async () => {
            const h = harness();
            const a = h.p.addAccount("keyed", record({ keyAge: 31, notify: CHANNEL }));
            const k = h.p.addKey(a);
            h.p.use(a, k);
            h.p.addAccount("keyless", record({ notify: CHANNEL }));
            await h.run();
            h.after(32);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => [c.identity, c.state, c.keyAgeDays]),
                [[a, "key-too-old", 32]],
            );
            assert.deepStrictEqual(h.p.calls.filter((c) => c === "iam:listUserKeys").length, 2);
        });

        it("many changes for one channel make one digest, which the channel's policy delivers as one notification", async () => {
            // GIVEN 450 accounts that go idle on the same day, all to one channel, and one to another channel
            const h = harness();
            for (let i = 0; i < 450; i++) h.p.addAccount(`svc-${i}`, record({ unused: 5, notify: CHANNEL }));
            h.p.addAccount("lone", record({ unused: 5, notify: OTHER }));
            await h.run();
            h.after(6);
            await h.run();
            // THEN three parts for the first channel, one entry for the other; one notification each, naming the whole count
            assert.deepStrictEqual(
                h.p.entries.map((e) => [e.labels["nhi-channel"], e.labels["nhi-part"]]),
                [
                    [CHANNEL, "1"],
                    [CHANNEL, "2"],
                    [CHANNEL, "3"],
                    [OTHER, "1"],
                ],
            );
            assert.strictEqual(h.changes().length, 450);
            const delivered = h.p.notifications(CHANNEL);
            assert.strictEqual(delivered.length, 1);
            assert.match(
                (delivered[0].jsonPayload as NoticePayload).summary,
                /^pulumi-nhi: 450 changes in acme-prod: idle \(450\): /,
            );
            assert.strictEqual(h.p.notifications(OTHER).length, 1);
        });

        it("an account with no channel is recorded, never notified; one that is gone is forgotten", async () => {
            const h = harness();
            const quiet = h.p.addAccount("quiet", record({ unused: 1 }));
            const gone = h.p.addAccount("gone", record({ unused: 1, notify: CHANNEL }));
            await h.run();
            h.after(3);
            await h.run();
            assert.deepStrictEqual(h.states(), { [quiet]: "idle", [gone]: "idle" });
            assert.deepStrictEqual(
                h.changes().map((c) => c.identity),
                [gone],
            );
            h.p.account(gone).deleted = true;
            h.after(1);
            await h.run();
            assert.deepStrictEqual(h.states(), { [quiet]: "idle" });
            assert.strictEqual(h.changes().length, 1);
        });

        it("rotating secrets: rotation-stale after their period plus a day, ok once rotated; versions read only when due", async () => {
            const h = harness();
            const s = h.p.addSecret("db-password", { "nhi-rotate-every-days": "30", "nhi-notify": CHANNEL }, [
                DAY0.getTime() - 10 * DAY,
            ]);
            h.p.addSecret("unmanaged", { env: "prod" }, [0]);
            await h.run();
            h.after(10);
            await h.run();
            assert.strictEqual(
                h.p.calls.filter((c) => c === "secretmanager:listVersions").length,
                1,
                "read once (unknown), then not due until day 20",
            );
            h.after(11.5);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => [c.identity, c.state, c.rotationPeriodDays]),
                [[s, "rotation-stale", 30]],
            );
            h.p.addVersion(s);
            h.after(0.5);
            await h.run();
            assert.deepStrictEqual(
                h.changes().map((c) => c.state),
                ["rotation-stale", "ok"],
            );
            assert.strictEqual(h.aggregates().secrets_rotation_stale, 0);
        });
    });

    it("reads at most MAX_SECRET_CHECKS_PER_RUN secrets' versions a run, unknown ones first; the rest the next run", async () => {
        const h = harness();
        for (let i = 0; i <= MAX_SECRET_CHECKS_PER_RUN; i++)
            h.p.addSecret(`s-${i}`, { "nhi-rotate-every-days": "30" }, [DAY0.getTime()]);
        await h.run();
        assert.strictEqual(
            h.p.calls.filter((c) => c === "secretmanager:listVersions").length,
            MAX_SECRET_CHECKS_PER_RUN,
        );
        assert.deepStrictEqual(
            h.lines.filter((l) => l.outcome === "deferred").map((l) => l.count),
            [1],
        );
        h.after(0.5);
        await h.run();
        assert.strictEqual(
            h.p.calls.filter((c) => c === "secretmanager:listVersions").length,
            MAX_SECRET_CHECKS_PER_RUN + 1,
        );
        assert.strictEqual(
            Object.values(h.p.stateFile(BUCKET, STATE_OBJECT)!.secrets).filter((x) => x.newest !== undefined).length,
            MAX_SECRET_CHECKS_PER_RUN + 1,
        );
    });

    describe("the exposed-key organization policy", () => {
        const WAIT: PolicyRule[] = [{ values: { allowedValues: ["WAIT_FOR_ABUSE"] } }];
        const DISABLE: PolicyRule[] = [{ values: { allowedValues: ["DISABLE_KEY"] } }];
        const table: [string, PolicyRule[], boolean][] = [
            ["nothing set anywhere: Google's default since 16 June 2024, DISABLE_KEY", [], true],
            ["DISABLE_KEY allowed", DISABLE, true],
            ["DISABLE_KEY allowed, with the `is:` prefix", [{ values: { allowedValues: ["is:DISABLE_KEY"] } }], true],
            ["WAIT_FOR_ABUSE denied", [{ values: { deniedValues: ["WAIT_FOR_ABUSE"] } }], true],
            ["WAIT_FOR_ABUSE allowed", WAIT, false],
            ["both allowed", [{ values: { allowedValues: ["DISABLE_KEY", "WAIT_FOR_ABUSE"] } }], false],
            ["DISABLE_KEY denied", [{ values: { deniedValues: ["DISABLE_KEY"] } }], false],
            ["allowAll", [{ allowAll: true }], false],
            ["denyAll", [{ denyAll: true }], false],
            ["a rule without values", [{}], false],
        ];
        for (const [what, rules, on] of table) {
            it(`${what}: ${on ? "on" : "off"}`, () => assert.strictEqual(exposureResponseOn(rules), on));
        }

        /** A project with two accounts whose keys are rotated (channels CHANNEL and OTHER) and one keyless account (channel THIRD). */
        const THIRD = "555";
        const keyed = () => {
            const h = harness();
            for (const [id, channel] of [
                ["k1", CHANNEL],
                ["k2", OTHER],
            ] as const)
                h.p.addKey(h.p.addAccount(id, record({ unused: 400, notify: channel, keyAge: 100 })));
            h.p.addAccount("keyless", record({ unused: 400, notify: THIRD }));
            return h;
        };
        const projectChanges = (h: Harness, channel: string) =>
            h
                .changes(channel)
                .filter((c) => c.kind === "project")
                .map((c) => [c.previousState, c.state]);

        it("DISABLE_KEY: one call a run, nothing notified, the metric 0", async () => {
            // GIVEN the policy allows DISABLE_KEY only
            const h = keyed();
            h.p.exposurePolicy = DISABLE;
            // WHEN the monitor runs
            const s = await h.run();
            // THEN it read the policy once, told no one, recorded nothing and sent 0
            assert.strictEqual(h.p.calls.filter((c) => c === "orgpolicy:getEffectivePolicyRules").length, 1);
            assert.deepStrictEqual(
                [projectChanges(h, CHANNEL), projectChanges(h, OTHER), projectChanges(h, THIRD)],
                [[], [], []],
            );
            assert.deepStrictEqual(h.states(), {});
            assert.strictEqual(h.aggregates().exposed_key_response_off, 0);
            assert.strictEqual(s.exposureResponseOff, false);
            assert.deepStrictEqual(
                h.lines.filter((l) => l.step === "exposure"),
                [{ severity: "INFO", step: "exposure", outcome: "disable-key" }],
            );
        });

        it("nothing set: Google's default (DISABLE_KEY), treated as on", async () => {
            const h = keyed();
            await h.run();
            assert.deepStrictEqual(projectChanges(h, CHANNEL), []);
            assert.strictEqual(h.aggregates().exposed_key_response_off, 0);
        });

        it("WAIT_FOR_ABUSE: one notice to each key-holding channel, not repeated; back to ok once fixed", async () => {
            // GIVEN the policy in effect leaves exposed keys working
            const h = keyed();
            h.p.exposurePolicy = WAIT;
            // WHEN the monitor runs three times
            await h.run();
            h.after(0.5);
            await h.run();
            h.after(0.5);
            await h.run();
            // THEN each channel of an account with a rotated key heard of it once; the keyless account's channel never
            assert.deepStrictEqual(projectChanges(h, CHANNEL), [["ok", "exposure-response-off"]]);
            assert.deepStrictEqual(projectChanges(h, OTHER), [["ok", "exposure-response-off"]]);
            assert.deepStrictEqual(projectChanges(h, THIRD), []);
            const notice = h.changes(CHANNEL).find((c) => c.kind === "project")!;
            assert.deepStrictEqual(notice, {
                kind: "project",
                identity: `projects/${PROJECT}`,
                state: "exposure-response-off",
                previousState: "ok",
                exposureRules: WAIT,
                advice: "Google will not disable this project's service account keys when it finds them exposed in public: the effective organization policy `iam.serviceAccountKeyExposureResponse` is not `DISABLE_KEY`. Ask an organization administrator to allow only `DISABLE_KEY` (`gcloud org-policies describe iam.serviceAccountKeyExposureResponse --effective --project=<project>` shows it).",
            });
            assert.strictEqual(
                (h.p.notifications(CHANNEL)[0].jsonPayload as NoticePayload).summary,
                `pulumi-nhi: 1 change in ${PROJECT}: exposure-response-off (1): projects/${PROJECT}`,
            );
            assert.deepStrictEqual(h.states(), { [`projects/${PROJECT}`]: "exposure-response-off" });
            assert.strictEqual(h.aggregates().exposed_key_response_off, 1);
            assert.ok(
                h.lines.some(
                    (l) => l.step === "exposure" && l.severity === "WARNING" && l.outcome === "not-disable-key",
                ),
            );
            // WHEN an administrator sets DISABLE_KEY and the monitor runs twice more
            h.p.exposurePolicy = DISABLE;
            h.after(0.5);
            await h.run();
            h.after(0.5);
            await h.run();
            // THEN each channel heard once that it is back to ok, and the metric is 0
            assert.deepStrictEqual(projectChanges(h, CHANNEL), [
                ["ok", "exposure-response-off"],
                ["exposure-response-off", "ok"],
            ]);
            assert.deepStrictEqual(projectChanges(h, OTHER), [
                ["ok", "exposure-response-off"],
                ["exposure-response-off", "ok"],
            ]);
            assert.deepStrictEqual(h.states(), {});
            assert.strictEqual(h.aggregates().exposed_key_response_off, 0);
        });

        it("no account with keyAge: no call, no metric, no notice", async () => {
            const h = harness();
            h.p.addAccount("keyless", record({ unused: 400, notify: CHANNEL }));
            h.p.exposurePolicy = WAIT;
            const s = await h.run();
            assert.strictEqual(h.p.calls.filter((c) => c.startsWith("orgpolicy:")).length, 0);
            assert.strictEqual(h.aggregates().exposed_key_response_off, undefined);
            assert.strictEqual(s.exposureResponseOff, undefined);
            assert.deepStrictEqual(h.changes(), []);
            assert.ok(h.lines.some((l) => l.step === "exposure" && l.outcome === "not-needed"));
        });

        it("key-holding accounts without a channel: the state is recorded and the metric sent, nobody is told", async () => {
            const h = harness();
            h.p.addKey(h.p.addAccount("k", record({ keyAge: 100 })));
            h.p.exposurePolicy = WAIT;
            await h.run();
            assert.deepStrictEqual(h.p.entries, []);
            assert.deepStrictEqual(h.states(), { [`projects/${PROJECT}`]: "exposure-response-off" });
            assert.strictEqual(h.aggregates().exposed_key_response_off, 1);
        });

        it("a policy that cannot be read (403): logged, a failed step (run_succeeded 0, the run fails), the state kept, the rest done", async () => {
            // GIVEN a project whose policy was off at the last run, and an account going idle now
            const h = keyed();
            const idle = h.p.addAccount("idle", record({ unused: 1, notify: CHANNEL }));
            h.p.exposurePolicy = WAIT;
            await h.run();
            h.after(3);
            // WHEN the policy is fixed but the function may no longer read it
            h.p.exposurePolicy = DISABLE;
            h.p.granted = new Set(
                Object.values(PERMISSIONS)
                    .flat()
                    .filter((x) => x !== "orgpolicy.policy.get"),
            );
            await assert.rejects(
                h.run(),
                /^Error: The usage monitor could not read the exposed-key organization policy `iam\.serviceAccountKeyExposureResponse`; see the log lines with outcome "failed"\. The next run retries them\.$/,
            );
            // THEN the failure is logged with its code, the other changes were notified and recorded, the project's state was kept
            assert.deepStrictEqual(h.lines.filter((l) => l.step === "exposure").pop(), {
                severity: "ERROR",
                step: "exposure",
                outcome: "failed",
                code: 7,
            });
            assert.deepStrictEqual(
                h
                    .changes(CHANNEL)
                    .filter((c) => c.identity === idle)
                    .map((c) => c.state),
                ["idle"],
            );
            assert.deepStrictEqual(projectChanges(h, CHANNEL), [["ok", "exposure-response-off"]]);
            assert.deepStrictEqual(h.states(), { [idle]: "idle", [`projects/${PROJECT}`]: "exposure-response-off" });
            // AND the heartbeat sees run_succeeded 0; the exposure metric is not sent
            assert.strictEqual(h.aggregates().run_succeeded, 0);
            assert.strictEqual(h.aggregates().exposed_key_response_off, undefined);
            // WHEN the permission is back: the next run tells of the fix
            h.p.granted = undefined;
            h.after(0.5);
            await h.run();
            assert.deepStrictEqual(projectChanges(h, CHANNEL), [
                ["ok", "exposure-response-off"],
                ["exposure-response-off", "ok"],
            ]);
        });

        it("the permission it uses is in Google's catalogue, held by the Org Policy viewer role; the reference's `orgpolicy.policies.get` is not", () => {
            assert.ok((PERMISSIONS.project as readonly string[]).includes("orgpolicy.policy.get"));
            assert.ok(isPermission("orgpolicy.policy.get"));
            assert.ok(findRole("roles/orgpolicy.policyViewer")!.permissions.includes("orgpolicy.policy.get"));
            assert.strictEqual(isPermission("orgpolicy.policies.get"), false);
        });
    });

    describe("failures", () => {
        it("retries throttling with backoff on every API, and still completes", async () => {
            const h = harness();
            h.p.addAccount("a", record({ unused: 1, notify: CHANNEL, keyAge: 5 }));
            h.p.addSecret("s", { "nhi-rotate-every-days": "1", "nhi-notify": CHANNEL }, [0]);
            for (const api of [
                "iam",
                "policyanalyzer",
                "secretmanager",
                "storage",
                "logging",
                "monitoring",
                "orgpolicy",
            ] as Api[])
                h.p.throttleNext(api, 3);
            const began = h.p.time;
            await h.run();
            assert.deepStrictEqual(h.p.throttled, {
                iam: 3,
                policyanalyzer: 3,
                secretmanager: 3,
                storage: 3,
                logging: 3,
                monitoring: 3,
                orgpolicy: 3,
            });
            assert.strictEqual(h.lines.filter((l) => l.outcome === "retrying").length, 21);
            // Full jitter with random() = 0.5: 125 + 250 + 500 ms per throttled call
            assert.strictEqual(h.p.time - began, 7 * 875);
            assert.strictEqual(h.aggregates().run_succeeded, 1);
        });

        it(`gives up after ${MAX_ATTEMPTS} throttled tries of one call; a run that cannot list publishes nothing (the heartbeat sees absence)`, async () => {
            const h = harness();
            h.p.addAccount("a", record());
            h.p.throttleNext("iam", MAX_ATTEMPTS);
            await assert.rejects(h.run(), /Quota exceeded for iam/);
            assert.strictEqual(h.p.timeSeries.length, 0);
            assert.strictEqual(h.p.objects.size, 0);
        });

        it("a digest that cannot be written: the others go on, its states are not recorded, run_succeeded 0, the run fails, the next run retries", async () => {
            const h = harness();
            const a = h.p.addAccount("a", record({ unused: 1, notify: CHANNEL }));
            const b = h.p.addAccount("b", record({ unused: 1, notify: OTHER }));
            await h.run();
            h.after(2);
            h.p.failNext("writeLogEntries", 7);
            await assert.rejects(h.run(), /could not write 1 digest\(s\) or its state/);
            assert.deepStrictEqual(h.states(), { [b]: "idle" });
            assert.strictEqual(h.aggregates().run_succeeded, 0);
            h.after(0.5);
            await h.run();
            assert.deepStrictEqual(h.states(), { [a]: "idle", [b]: "idle" });
            assert.deepStrictEqual(
                h.changes(CHANNEL).map((c) => c.identity),
                [a],
            );
            assert.deepStrictEqual(
                h.changes(OTHER).map((c) => c.identity),
                [b],
            );
            assert.strictEqual(h.aggregates().run_succeeded, 1);
        });

        it("two overlapping runs cannot overwrite each other's state: the loser fails (412) and the next run redoes its changes", async () => {
            const h = harness();
            const a = h.p.addAccount("a", record({ unused: 1, notify: CHANNEL }));
            h.p.use(a);
            await h.run();
            h.after(2);
            // Another run writes the object between this run's read and its write.
            const realRead = h.p.readObject.bind(h.p);
            h.p.readObject = async (bucket, object) => {
                const got = await realRead(bucket, object);
                h.p.objects.set(`${bucket}/${object}`, {
                    generation: 1,
                    text: JSON.stringify({ v: 1, accounts: {}, secrets: {} }),
                });
                return got;
            };
            await assert.rejects(h.run(), /its state/);
            assert.strictEqual(h.aggregates().run_succeeded, 0);
            h.p.readObject = realRead;
            h.after(0.5);
            await h.run();
            assert.deepStrictEqual(h.states(), { [a]: "idle" });
            assert.deepStrictEqual(
                h.changes().map((c) => [c.identity, c.state]),
                [
                    [a, "idle"],
                    [a, "idle"],
                ],
                "a duplicate, never a loss",
            );
        });

        it("a crash between any two calls, then a rerun: never a lost notice, at most one duplicate, the same states as without a crash", async () => {
            const setup = () => {
                const h = harness();
                const accounts = [0, 1, 2].map((i) =>
                    h.p.addAccount(`svc-${i}`, record({ unused: 3, notify: i === 2 ? OTHER : CHANNEL, keyAge: 100 })),
                );
                accounts.forEach((a) => h.p.addKey(a));
                const s = h.p.addSecret("s", { "nhi-rotate-every-days": "1", "nhi-notify": CHANNEL }, [DAY0.getTime()]);
                return { h, expected: [...accounts, s, `projects/${PROJECT}`].sort() };
            };
            // Between the two runs the exposed-key policy is turned off: the project's change goes to both channels
            const turnOff = (h: Harness) => (h.p.exposurePolicy = [{ values: { allowedValues: ["WAIT_FOR_ABUSE"] } }]);
            // The clean run, to count its calls
            const clean = setup();
            await clean.h.run();
            clean.h.after(4);
            turnOff(clean.h);
            const before = clean.h.p.calls.length;
            await clean.h.run();
            const callsPerRun = clean.h.p.calls.length - before;
            const cleanStates = clean.h.states();
            assert.ok(callsPerRun >= 10, `${callsPerRun} calls`);
            for (let n = 1; n <= callsPerRun; n++) {
                const { h, expected } = setup();
                await h.run();
                h.after(4);
                turnOff(h);
                h.p.crashAfter = n;
                await assert.rejects(h.run(), Crash);
                h.p.dead = false;
                h.after(0.5);
                await h.run();
                const notified = [...h.changes(CHANNEL), ...h.changes(OTHER)].map((c) => c.identity);
                assert.deepStrictEqual([...new Set(notified)].sort(), expected, `crash after call ${n}`);
                for (const channel of [CHANNEL, OTHER]) {
                    const heard = h.changes(channel).map((c) => c.identity);
                    for (const id of expected)
                        assert.ok(
                            heard.filter((x) => x === id).length <= 2,
                            `crash after call ${n}: ${id} notified more than twice to ${channel}`,
                        );
                }
                assert.strictEqual(
                    h.changes(OTHER).filter((c) => c.identity === `projects/${PROJECT}`).length >= 1,
                    true,
                    `crash after call ${n}: the project's change reaches both channels`,
                );
                assert.deepStrictEqual(h.states(), cleanStates, `crash after call ${n}`);
            }
        });

        it("refuses any other event before any call", async () => {
            const h = harness();
            await assert.rejects(
                monitorUsage({ nhiAction: "monitorUsage", project: PROJECT }, h.deps),
                /^Error: Invalid usage monitor event: expected exactly `nhiAction` \("monitorUsage"\), `project` \(a project ID\), `stateBucket` \(a bucket name\) and `perIdentityMetrics` \(true or false\)\.$/,
            );
            assert.deepStrictEqual(h.p.calls, []);
        });
    });

    describe("metrics", () => {
        it("aggregates only by default: one request, seven series on resource global, the heartbeat 1", async () => {
            const h = harness();
            h.p.addAccount("a", record({ unused: 1, expiresAt: "2027-01-01T00:00:00Z" }));
            await h.run();
            assert.strictEqual(h.p.timeSeries.length, 1);
            assert.deepStrictEqual(h.aggregates(), {
                identities_monitored: 1,
                identities_idle: 0,
                identities_expiring: 0,
                identities_expired: 0,
                keys_too_old: 0,
                secrets_rotation_stale: 0,
                run_succeeded: 1,
            });
        });

        it("per-identity metrics: two per account with an expiry, in requests of at most 200 series", async () => {
            const h = harness();
            const emails = Array.from({ length: 150 }, (_, i) =>
                h.p.addAccount(`svc-${i}`, record({ expiresAt: "2026-03-02T03:00:00Z" })),
            );
            await h.run(true);
            assert.deepStrictEqual(
                h.p.timeSeries.map((t) => t.points.length),
                [200, 107],
            );
            const points = h.p.timeSeries.flatMap((t) => t.points);
            const first = points
                .filter((x) => x.labels.identity === emails[0])
                .map((x) => [x.type.slice(METRIC_PREFIX.length), x.value]);
            assert.deepStrictEqual(first, [
                ["days_since_last_use", 0],
                ["days_to_expiry", 60],
            ]);
        });
    });

    describe("permissions", () => {
        const fullRun = async (granted?: ReadonlySet<string>) => {
            const h = harness();
            if (granted !== undefined) h.p.granted = granted;
            const a = h.p.addAccount("a", record({ unused: 1, notify: CHANNEL, keyAge: 10 }));
            h.p.addKey(a);
            h.p.addSecret("s", { "nhi-rotate-every-days": "1", "nhi-notify": CHANNEL }, [0]);
            await h.run();
            h.after(2);
            await h.run(true);
            return h;
        };
        const all = new Set<string>(Object.values(PERMISSIONS).flat());

        it("a run uses exactly the contract's permissions", async () => {
            const h = await fullRun(all);
            assert.deepStrictEqual([...h.p.permissionsUsed].sort(), [...all].sort());
        });

        for (const missing of all) {
            it(`without ${missing}, the run fails`, async () => {
                await assert.rejects(
                    fullRun(new Set([...all].filter((p) => p !== missing))),
                    new RegExp(`Permission '${missing.replace(/\./g, "\\.")}' denied|could not (write|read)`),
                );
            });
        }
    });

    describe("the HTTP handler", () => {
        const respond = async (deps: MonitorDeps, body: unknown) => {
            let status = 0;
            let sent: unknown;
            const res = {
                status: (c: number) => {
                    status = c;
                    return res;
                },
                json: (b: unknown) => {
                    sent = b;
                },
            };
            await createMonitorHandler(deps)({ body }, res);
            return { status, sent };
        };
        it("200 with the run's summary; 400 for another body; 500 when the run failed", async () => {
            const h = harness();
            h.p.addAccount("a", record());
            const ok = await respond(h.deps, monitorEvent(PROJECT, BUCKET));
            assert.strictEqual(ok.status, 200);
            assert.strictEqual((ok.sent as { monitored: number }).monitored, 1);
            assert.strictEqual((await respond(h.deps, { hello: 1 })).status, 400);
            h.p.failNext("listServiceAccounts", 7);
            const failed = await respond(h.deps, monitorEvent(PROJECT, BUCKET));
            assert.deepStrictEqual(failed, { status: 500, sent: { error: "7 injected on listServiceAccounts" } });
        });
    });

    describe("the REST calls (usageApis over google-auth-library's request)", () => {
        it("asks the documented URLs, pages, reads the generation header, maps 404 and 412", async () => {
            const asked: string[] = [];
            const request: ApiRequest = async (o) => {
                asked.push(`${o.method} ${o.url}`);
                if (o.url.includes("/serviceAccounts?"))
                    return {
                        data: {
                            accounts: [{ name: "n", email: "e", uniqueId: "1", description: "d" }],
                            nextPageToken: "t2",
                        },
                    };
                if (o.url.includes("activities:query"))
                    return {
                        data: {
                            activities: [
                                {
                                    fullResourceName: "f",
                                    observationPeriod: { endTime: "2026-01-02T07:00:00Z" },
                                    activity: { lastAuthenticatedTime: "2026-01-01T07:00:00Z" },
                                },
                            ],
                        },
                    };
                if (o.url.includes("alt=media") && o.url.includes("missing"))
                    throw Object.assign(new Error("nf"), {
                        response: { status: 404, data: { error: { code: 404, message: "No such object" } } },
                    });
                if (o.url.includes("alt=media") && o.url.includes("plain")) return { data: "{}", headers: {} };
                if (o.url.endsWith("/o/plain")) return { data: { name: "plain", generation: "18" } };
                if (o.url.includes("alt=media"))
                    return { data: "{}", headers: new Headers({ "x-goog-generation": "17" }) };
                if (o.url.includes("/p1/policies/"))
                    return {
                        data: {
                            name: "projects/p1/policies/iam.serviceAccountKeyExposureResponse",
                            spec: { rules: [{ values: { allowedValues: ["WAIT_FOR_ABUSE"] } }] },
                        },
                    };
                if (o.url.includes("/p2/policies/"))
                    return { data: { name: "projects/p2/policies/iam.serviceAccountKeyExposureResponse", spec: {} } };
                if (o.url.includes("uploadType=media"))
                    throw Object.assign(new Error("pf"), {
                        response: { status: 412, data: { error: { code: 412, message: "Precondition Failed" } } },
                    });
                return { data: {} };
            };
            const apis = usageApis(request);
            assert.deepStrictEqual(await apis.listServiceAccounts("p1", 100, "t1"), {
                items: [{ name: "n", email: "e", uniqueId: "1", description: "d", disabled: false }],
                nextPageToken: "t2",
            });
            assert.deepStrictEqual(await apis.queryActivities("p1", "serviceAccountKeyLastAuthentication", 1000), {
                items: [
                    {
                        fullResourceName: "f",
                        lastAuthenticated: Date.UTC(2026, 0, 1, 7),
                        observedUntil: Date.UTC(2026, 0, 2, 7),
                    },
                ],
            });
            assert.deepStrictEqual(await apis.readObject("b", "nhi-usage-monitor/state.json"), {
                text: "{}",
                generation: "17",
            });
            assert.strictEqual(await apis.readObject("b", "missing"), undefined);
            assert.deepStrictEqual(await apis.readObject("b", "plain"), { text: "{}", generation: "18" });
            await assert.rejects(apis.writeObject("b", "o/x.json", "{}", "17"), (e: { code?: number }) => e.code === 9);
            await apis.createTimeSeries(
                "p1",
                [{ type: "custom.googleapis.com/pulumi_nhi/run_succeeded", labels: {}, value: 1 }],
                DAY0,
            );
            assert.deepStrictEqual(await apis.getEffectivePolicyRules("p1", "iam.serviceAccountKeyExposureResponse"), [
                { values: { allowedValues: ["WAIT_FOR_ABUSE"] } },
            ]);
            assert.deepStrictEqual(
                await apis.getEffectivePolicyRules("p2", "iam.serviceAccountKeyExposureResponse"),
                [],
            );
            assert.deepStrictEqual(asked, [
                "GET https://iam.googleapis.com/v1/projects/p1/serviceAccounts?pageSize=100&pageToken=t1",
                "GET https://policyanalyzer.googleapis.com/v1/projects/p1/locations/global/activityTypes/serviceAccountKeyLastAuthentication/activities:query?pageSize=1000",
                "GET https://storage.googleapis.com/storage/v1/b/b/o/nhi-usage-monitor%2Fstate.json?alt=media",
                "GET https://storage.googleapis.com/storage/v1/b/b/o/missing?alt=media",
                "GET https://storage.googleapis.com/storage/v1/b/b/o/plain?alt=media",
                "GET https://storage.googleapis.com/storage/v1/b/b/o/plain",
                "GET https://storage.googleapis.com/storage/v1/b/b/o/plain?alt=media&generation=18",
                "POST https://storage.googleapis.com/upload/storage/v1/b/b/o?uploadType=media&name=o%2Fx.json&ifGenerationMatch=17",
                "POST https://monitoring.googleapis.com/v3/projects/p1/timeSeries",
                "GET https://orgpolicy.googleapis.com/v2/projects/p1/policies/iam.serviceAccountKeyExposureResponse:getEffectivePolicy",
                "GET https://orgpolicy.googleapis.com/v2/projects/p2/policies/iam.serviceAccountKeyExposureResponse:getEffectivePolicy",
            ]);
        });
    });

    describe("scale (the bench's measurement)", () => {
        it("1,000 accounts on the worst day: the calls per API, throttled calls retried, well inside the function's timeout", async () => {
            const m = await measureGcpUsageMonitor(1000);
            assert.deepStrictEqual(m.calls, {
                "storage:readObject": 1,
                "iam:listServiceAccounts": 10,
                "policyanalyzer:queryActivities": 2,
                "iam:listUserKeys": 500,
                "secretmanager:listSecrets": 1,
                "secretmanager:listVersions": 100 + m.throttled,
                "logging:writeLogEntries": 1,
                "storage:writeObject": 1,
                "monitoring:createTimeSeries": 11,
                "orgpolicy:getEffectivePolicyRules": 1,
            });
            assert.ok(m.throttled > 0, "Secret Manager at 10 reads a second throttles the version reads");
            assert.ok(m.simulatedSeconds > 0 && m.simulatedSeconds < FUNCTION_LIMIT_SECONDS);
            const quiet = await measureGcpUsageMonitor(1000, { quiet: true });
            assert.deepStrictEqual(quiet.calls, {
                "storage:readObject": 1,
                "iam:listServiceAccounts": 10,
                "policyanalyzer:queryActivities": 2,
                "iam:listUserKeys": 500,
                "secretmanager:listSecrets": 1,
                "monitoring:createTimeSeries": 11,
                "orgpolicy:getEffectivePolicyRules": 1,
            });
        });
    });

    describe("the bench's days", () => {
        it("the throttled day throttles every slowed API and still writes every change once, within the timeout", async () => {
            // GIVEN the day `npm run bench` reports as "worst, throttled"
            const day = GCP_BENCH_DAYS.find((d) => d.day === "worst, throttled");
            assert.ok(day !== undefined);
            // WHEN the monitor runs over 1,000 accounts
            const m = await measureGcpUsageMonitor(1000, day.options);
            // THEN calls were refused and retried, yet the digests (6 entries: 1,100 changes), the state and the metrics were written once
            assert.ok(
                m.calls["iam:listUserKeys"] > 500 &&
                    m.calls["secretmanager:listVersions"] > 100 &&
                    m.calls["policyanalyzer:queryActivities"] > 2,
            );
            assert.ok(m.throttled > 0);
            assert.strictEqual(m.calls["storage:writeObject"], 1);
            assert.strictEqual(m.calls["monitoring:createTimeSeries"], 11);
            assert.strictEqual(m.fitsLimit, true);
        });
    });

    describe("scale at 10,000", () => {
        it("10,000 accounts on the worst day fit the function's 30 minutes; the listings are 1 call per 100 accounts, the activities 1 per 1,000", async function () {
            this.timeout(60_000);
            const m = await measureGcpUsageMonitor(10_000);
            assert.strictEqual(m.calls["iam:listServiceAccounts"], 100);
            assert.strictEqual(m.calls["iam:listUserKeys"], 5000);
            // 7,500 account activities (5,000 used directly, 2,500 of those used through their key shown without a last use) in 8
            // pages, 5,000 key activities in 5: Policy Analyzer at its pace is never throttled
            assert.strictEqual(m.calls["policyanalyzer:queryActivities"], 8 + 5);
            assert.strictEqual(
                m.calls["monitoring:createTimeSeries"],
                Math.ceil((2 * 10_000 + 8) / 200),
                "two series per account (all have an expiry), the 8 aggregates (the exposed-key policy read), 200 a call",
            );
            assert.strictEqual(m.fitsLimit, true);
            assert.ok(m.simulatedSeconds > 300, `${m.simulatedSeconds} s: the key listings alone take 5,000 × 60 ms`);
        });
    });

    describe("the function's archive", () => {
        it("holds the entry, the monitor, its contract, evaluation and REST calls, the shared retry and classification, nothing else", () => {
            assert.deepStrictEqual(
                [...runtimeBundle("gcp/usage-index").files.keys()],
                [
                    "gcp/key-store.js",
                    "gcp/rotation.js",
                    "gcp/usage-apis.js",
                    "gcp/usage-contract.js",
                    "gcp/usage-evaluate.js",
                    "gcp/usage-index.js",
                    "gcp/usage-monitor.js",
                    "usage-classify.js",
                ],
            );
        });

        it("as archived, registers `monitorUsage` with the pinned Functions Framework, which answers 400 to another body without loading the auth library", function () {
            this.timeout(30_000);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-usage-"));
            try {
                for (const [file, text] of runtimeBundle("gcp/usage-index").files) {
                    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
                    fs.writeFileSync(path.join(dir, file), text);
                }
                const script = [
                    "require('./gcp/usage-index.js');",
                    "const fn = require('@google-cloud/functions-framework/testing').getFunction('monitorUsage');",
                    "const res = { status(c) { this.code = c; return this; }, json(b) { console.log(JSON.stringify({ code: this.code, body: b, auth: Object.keys(require.cache).some((k) => k.includes('google-auth-library')) })); } };",
                    "fn({ body: { hello: 1 } }, res);",
                ].join("\n");
                const out = execFileSync(process.execPath, ["-e", script], {
                    cwd: dir,
                    encoding: "utf8",
                    env: { ...process.env, NODE_PATH: path.resolve(__dirname, "../../../node_modules") },
                });
                const printed = JSON.parse(out.trim().split("\n").pop()!);
                assert.strictEqual(printed.code, 400);
                assert.match(printed.body.error, /^Invalid usage monitor event/);
                assert.strictEqual(printed.auth, false);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});

describe("fake-usage-project: Policy Analyzer's day", () => {
    it("reports a use at 07:00Z of its Pacific day", () => {
        assert.strictEqual(pacificDayStart(Date.UTC(2026, 0, 2, 6, 59)), Date.UTC(2026, 0, 1, 7));
        assert.strictEqual(pacificDayStart(Date.UTC(2026, 0, 2, 7)), Date.UTC(2026, 0, 2, 7));
    });
});
