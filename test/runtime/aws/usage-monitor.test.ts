import * as assert from "assert";
import fc from "fast-check";
import {
    ACTIONS,
    evaluate,
    evaluateSecret,
    IDENTITY_METRICS,
    METRICS,
    monitorEvent,
    MonitorDeps,
    MonitorLogLine,
    monitorUsage,
    NAMESPACE,
    parseCredentialReport,
    readThresholds,
    UsageState,
} from "../../../components/runtime/aws/usage-monitor";
import { Identity } from "../../../components/runtime/aws/usage-evaluate";
import { ACCOUNT, FakeAccount, Service, ServiceModel } from "../../support/usage-monitor-fake";
import { BENCH_DAYS, LAMBDA_LIMIT_SECONDS, measureUsageMonitor } from "../../support/usage-monitor-measure";
import { compileAndLoadAlone } from "../../support/lambda-asset";
import { runtimeBundle } from "../../../components/core/runtime-asset";

const DAY = 86_400_000;
const DAY0 = new Date(Date.UTC(2026, 0, 1));
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:nhi-owners`;
const OTHER_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:team-b`;
const MANAGED = { "nhi:managed-by": "pulumi-nhi" };

interface Harness {
    readonly account: FakeAccount;
    readonly lines: MonitorLogLine[];
    readonly deps: MonitorDeps;
    run(perIdentityMetrics?: boolean): ReturnType<typeof monitorUsage>;
    /** Moves the clock `days` days on. */
    after(days: number): void;
    /** The notices' bodies, parsed. */
    bodies(): Record<string, unknown>[];
}

function harness(models: Partial<Record<Service, ServiceModel>> = {}): Harness {
    const account = new FakeAccount(DAY0, "nhi-usage-state", models);
    account.topics.add(TOPIC).add(OTHER_TOPIC);
    const lines: MonitorLogLine[] = [];
    const deps: MonitorDeps = {
        iam: account.iam(),
        sns: account.sns(),
        dynamodb: account.dynamodb(),
        cloudwatch: account.cloudwatch(),
        secretsmanager: account.secretsmanager(),
        now: () => account.now(),
        sleep: account.sleep,
        random: () => 0.5,
        log: (l) => lines.push(l),
        account: ACCOUNT,
        region: "us-east-1",
    };
    return {
        account,
        lines,
        deps,
        run: (perIdentityMetrics = false) => monitorUsage(monitorEvent(account.tableName, perIdentityMetrics), deps),
        after: (days) => {
            account.time += days * DAY;
        },
        bodies: () => account.notices.map((n) => JSON.parse(n.message) as Record<string, unknown>),
    };
}

/** The last run's aggregate metrics, by name. */
function aggregates(account: FakeAccount): Record<string, number> {
    const last = account.metrics[account.metrics.length - 1];
    return Object.fromEntries(last.filter((d) => d.Dimensions!.length === 2).map((d) => [d.MetricName!, d.Value!]));
}

function role(tags: Record<string, string>, lastUsed?: Date, created = DAY0): Identity {
    return {
        kind: "role",
        id: "AROA1",
        arn: `arn:aws:iam::${ACCOUNT}:role/r`,
        name: "r",
        created,
        tags: { ...MANAGED, ...tags },
        lastUsed,
        keys: [],
    };
}

describe("runtime/aws usage-monitor", () => {
    describe("evaluate: the state of one identity on one day", () => {
        const at = (days: number) => new Date(DAY0.getTime() + days * DAY);
        const cases: [string, Identity, Date, UsageState, number][] = [
            [
                "never used, 29 days after creation, threshold 30",
                role({ "nhi:unused-after-days": "30" }),
                at(29),
                "ok",
                29,
            ],
            [
                "never used, 30 days after creation: idle from creation",
                role({ "nhi:unused-after-days": "30" }),
                at(30),
                "idle",
                30,
            ],
            ["used on day 10, day 39", role({ "nhi:unused-after-days": "30" }, at(10)), at(39), "ok", 29],
            ["used on day 10, day 40", role({ "nhi:unused-after-days": "30" }, at(10)), at(40), "idle", 30],
            ["no threshold: never idle", role({}), at(399), "ok", 399],
            [
                "expires in 15 days, default notice 14",
                role({ "nhi:expires-at": "2026-01-16T00:00:00Z" }),
                at(0),
                "ok",
                0,
            ],
            [
                "expires in 14 days, default notice 14",
                role({ "nhi:expires-at": "2026-01-15T00:00:00Z" }),
                at(0),
                "expiring",
                0,
            ],
            [
                "expires in 5 days, notice 3",
                role({ "nhi:expires-at": "2026-01-06T00:00:00Z", "nhi:expiry-notice-days": "3" }),
                at(0),
                "ok",
                0,
            ],
            [
                "expires in 3 days, notice 3",
                role({ "nhi:expires-at": "2026-01-04T00:00:00Z", "nhi:expiry-notice-days": "3" }),
                at(0),
                "expiring",
                0,
            ],
            ["at the expiry instant", role({ "nhi:expires-at": "2026-01-04T00:00:00Z" }), at(3), "expired", 3],
            [
                "expired beats idle",
                role({ "nhi:expires-at": "2026-01-04T00:00:00Z", "nhi:unused-after-days": "1" }),
                at(5),
                "expired",
                5,
            ],
            [
                "expiring beats idle",
                role({ "nhi:expires-at": "2026-01-10T00:00:00Z", "nhi:unused-after-days": "1" }),
                at(5),
                "expiring",
                5,
            ],
        ];
        for (const [title, identity, now, state, days] of cases) {
            it(`${title} → ${state}`, () => {
                const e = evaluate(identity, now);
                assert.strictEqual(e.state, state);
                assert.strictEqual(e.daysSinceLastUse, days);
            });
        }

        it("a user: last use is its keys' latest; an Active key older than `nhi:key-max-age-days` is key-too-old", () => {
            const user: Identity = {
                kind: "user",
                id: "AIDA1",
                arn: `arn:aws:iam::${ACCOUNT}:user/u`,
                name: "u",
                created: DAY0,
                tags: { ...MANAGED, "nhi:unused-after-days": "30", "nhi:key-max-age-days": "40" },
                keys: [
                    { active: false, created: at(0), lastUsed: at(5) },
                    { active: true, created: at(10), lastUsed: at(20) },
                ],
            };
            const day49 = evaluate(user, at(49));
            assert.deepStrictEqual(
                [day49.state, day49.daysSinceLastUse, day49.keyAgeDays, day49.neverUsed],
                ["ok", 29, 39, false],
            );
            assert.strictEqual(evaluate(user, at(50)).state, "idle");
            assert.strictEqual(evaluate(user, at(51)).state, "key-too-old");
            assert.strictEqual(evaluate(user, at(51)).keyAgeDays, 41);
        });
    });

    describe("readThresholds: a malformed tag is ignored (its default) and named", () => {
        const cases: [Record<string, string>, Partial<ReturnType<typeof readThresholds>>][] = [
            [{}, { expiryNoticeDays: 14, invalid: [] }],
            [{ "nhi:unused-after-days": "0" }, { unusedAfterDays: undefined, invalid: ["nhi:unused-after-days"] }],
            [{ "nhi:unused-after-days": "400" }, { unusedAfterDays: 400, invalid: [] }],
            [{ "nhi:unused-after-days": "401" }, { unusedAfterDays: undefined, invalid: ["nhi:unused-after-days"] }],
            [{ "nhi:unused-after-days": "7.5" }, { unusedAfterDays: undefined, invalid: ["nhi:unused-after-days"] }],
            [{ "nhi:expiry-notice-days": "91" }, { expiryNoticeDays: 14, invalid: ["nhi:expiry-notice-days"] }],
            [{ "nhi:expiry-notice-days": "90" }, { expiryNoticeDays: 90, invalid: [] }],
            [{ "nhi:notify": "arn:aws:sqs:us-east-1:123456789012:q" }, { notify: undefined, invalid: ["nhi:notify"] }],
            [
                { "nhi:notify": "arn:aws:sns:eu-west-1:123456789012:alerts.fifo" },
                { notify: "arn:aws:sns:eu-west-1:123456789012:alerts.fifo", invalid: [] },
            ],
            [{ "nhi:expires-at": "2027-01-31" }, { expiresAt: undefined, invalid: ["nhi:expires-at"] }],
        ];
        for (const [tags, expected] of cases) {
            it(JSON.stringify(tags), () => {
                const got = readThresholds(tags);
                for (const [k, v] of Object.entries(expected)) {
                    assert.deepStrictEqual(got[k as keyof typeof got], v, k);
                }
            });
        }
    });

    it("parseCredentialReport reads both keys of each user by column name; N/A is no date, a missing key no entry", () => {
        const csv =
            "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n" +
            "a,arn:aws:iam::123456789012:user/a,true,2026-01-01T00:00:00+00:00,N/A,false,N/A,N/A\n" +
            "b,arn:aws:iam::123456789012:user/b,false,2025-12-01T00:00:00+00:00,2025-12-05T10:00:00+00:00,true,2026-01-02T00:00:00+00:00,2026-01-03T00:00:00+00:00\n";
        const rows = parseCredentialReport(csv);
        assert.deepStrictEqual(rows.get("arn:aws:iam::123456789012:user/a")!.keys, [
            { active: true, created: new Date("2026-01-01T00:00:00Z"), lastUsed: undefined },
        ]);
        assert.deepStrictEqual(rows.get("arn:aws:iam::123456789012:user/b")!.keys, [
            { active: false, created: new Date("2025-12-01T00:00:00Z"), lastUsed: new Date("2025-12-05T10:00:00Z") },
            { active: true, created: new Date("2026-01-02T00:00:00Z"), lastUsed: new Date("2026-01-03T00:00:00Z") },
        ]);
    });

    describe("a run", () => {
        it("pages through 10,000 managed identities (pages shorter than MaxItems) and ignores untagged ones", async () => {
            // GIVEN 5,000 managed roles, 5,000 managed users, 500 roles of someone else's, and IAM returning 700 a page
            const h = harness();
            for (let i = 0; i < 5000; i++) {
                h.account.addRole(`svc-${i}`, { ...MANAGED, "nhi:unused-after-days": "30" });
                h.account.addUser(`vendor-${i}`, { ...MANAGED });
            }
            for (let i = 0; i < 500; i++) {
                h.account.addRole(`theirs-${i}`, i % 2 === 0 ? {} : { "nhi:managed-by": "terraform" });
            }
            h.account.pageCap = 700;
            // WHEN the monitor runs
            const summary = await h.run();
            // THEN every page is read, exactly the 10,000 managed ones evaluated, and nothing else
            assert.strictEqual(
                h.account.calls.filter((c) => c === "iam:GetAccountAuthorizationDetails").length,
                Math.ceil(10_500 / 700),
            );
            assert.strictEqual(summary.monitored, 10_000);
            const evaluated = h.lines.filter((l) => l.step === "evaluate").map((l) => l.identity!);
            assert.strictEqual(new Set(evaluated).size, 10_000);
            assert.ok(evaluated.every((arn) => !arn.includes("theirs-")));
            assert.strictEqual(aggregates(h.account)[METRICS.monitored], 10_000);
        });

        it("never-used identities count from creation: one idle notice on the day the threshold is reached", async () => {
            // GIVEN a role never used, idle after 30 days, notifying the owners' topic
            const h = harness();
            const arn = h.account.addRole("reports", {
                ...MANAGED,
                "nhi:owner": "team-data",
                "nhi:unused-after-days": "30",
                "nhi:notify": TOPIC,
            });
            // WHEN the monitor runs daily for 40 days
            for (let day = 0; day <= 40; day++) {
                await h.run();
                h.after(1);
            }
            // THEN exactly one notice, on day 30, says it is idle, never used, 30 days after creation
            assert.strictEqual(h.account.notices.length, 1);
            assert.strictEqual(h.account.notices[0].at.getTime(), DAY0.getTime() + 30 * DAY);
            assert.strictEqual(h.account.notices[0].subject, "pulumi-nhi: role reports is idle");
            assert.deepStrictEqual(h.bodies()[0], {
                source: "pulumi-nhi",
                kind: "role",
                identity: arn,
                name: "reports",
                owner: "team-data",
                state: "idle",
                previousState: "ok",
                at: "2026-01-31T00:00:00.000Z",
                daysSinceLastUse: 30,
                neverUsed: true,
                unusedAfterDays: 30,
                expiryNoticeDays: 14,
                advice: "Nothing has used this identity for longer than its threshold: remove it if its job is over, or raise `unusedAlarm.afterDays`.",
            });
            assert.deepStrictEqual(h.account.states(), { [arn]: "idle" });
        });

        it("each identity's own threshold and topic", async () => {
            // GIVEN two roles never used, idle after 10 and 20 days, notifying two topics
            const h = harness();
            h.account.addRole("a", { ...MANAGED, "nhi:unused-after-days": "10", "nhi:notify": TOPIC });
            h.account.addRole("b", { ...MANAGED, "nhi:unused-after-days": "20", "nhi:notify": OTHER_TOPIC });
            // WHEN the monitor runs on day 10 and day 20
            h.after(10);
            await h.run();
            h.after(10);
            await h.run();
            // THEN a's topic heard of a on day 10, b's of b on day 20
            assert.deepStrictEqual(
                h.account.notices.map((n) => [n.topic, n.subject, n.at.getTime() - DAY0.getTime()]),
                [
                    [TOPIC, "pulumi-nhi: role a is idle", 10 * DAY],
                    [OTHER_TOPIC, "pulumi-nhi: role b is idle", 20 * DAY],
                ],
            );
        });

        it("one notice per change: idle stays quiet, use again sends one `ok` notice and forgets the item", async () => {
            const h = harness();
            const arn = h.account.addRole("etl", { ...MANAGED, "nhi:unused-after-days": "3", "nhi:notify": TOPIC });
            // GIVEN it became idle on day 3
            h.after(3);
            await h.run();
            // WHEN the next two runs find it still idle, then it is used and the monitor runs again
            h.after(1);
            await h.run();
            h.after(1);
            await h.run();
            h.account.use(arn);
            h.after(1);
            await h.run();
            // THEN two notices in all, idle then ok, and no item left (no item = ok)
            assert.deepStrictEqual(
                h.bodies().map((b) => [b.previousState, b.state]),
                [
                    ["ok", "idle"],
                    ["idle", "ok"],
                ],
            );
            assert.strictEqual(h.bodies()[1].advice, "The identity is back within its thresholds.");
            assert.deepStrictEqual(h.account.states(), {});
        });

        it("expiring within the notice days, then expired: one notice each; a renewal sends `ok`", async () => {
            const h = harness();
            const arn = h.account.addRole("batch", {
                ...MANAGED,
                "nhi:expires-at": "2026-01-21T00:00:00Z",
                "nhi:notify": TOPIC,
            });
            const states: string[] = [];
            for (let day = 0; day <= 25; day++) {
                await h.run();
                states.push(h.account.states()[arn] ?? "ok");
                h.after(1);
            }
            assert.strictEqual(states.indexOf("expiring"), 6); // 14 days before 2026-01-21
            assert.strictEqual(states.indexOf("expired"), 20);
            // WHEN it is renewed (the component rewrites the tag)
            h.account.entity(arn).tags["nhi:expires-at"] = "2027-01-01T00:00:00Z";
            await h.run();
            assert.deepStrictEqual(
                h.bodies().map((b) => [b.state, b.daysToExpiry]),
                [
                    ["expiring", 14],
                    ["expired", 0],
                    ["ok", 339],
                ],
            );
        });

        it("a user: key use from the credential report, and a key too old", async () => {
            // GIVEN a vendor user with a key used on day 2, thresholds 30 days unused and 45 days key age
            const h = harness();
            const arn = h.account.addUser("vendor", {
                ...MANAGED,
                "nhi:unused-after-days": "30",
                "nhi:key-max-age-days": "45",
                "nhi:notify": TOPIC,
            });
            h.account.addKey(arn);
            h.after(2);
            h.account.use(arn);
            // WHEN the monitor runs on days 31, 32 (idle) and 46 (key too old)
            h.after(29);
            await h.run();
            h.after(1);
            await h.run();
            h.after(14);
            await h.run();
            // THEN idle on day 32, key-too-old on day 46
            assert.deepStrictEqual(
                h.bodies().map((b) => [b.state, b.daysSinceLastUse, b.keyAgeDays]),
                [
                    ["idle", 30, 32],
                    ["key-too-old", 44, 46],
                ],
            );
            assert.deepStrictEqual(
                h.account.calls.filter((c) => c.includes("Credential")),
                [
                    "iam:GenerateCredentialReport",
                    "iam:GenerateCredentialReport",
                    "iam:GetCredentialReport",
                    "iam:GenerateCredentialReport",
                    "iam:GenerateCredentialReport",
                    "iam:GetCredentialReport",
                    "iam:GenerateCredentialReport",
                    "iam:GenerateCredentialReport",
                    "iam:GetCredentialReport",
                ],
            );
        });

        it("a FIFO topic gets the identity as message group and its new state and day as deduplication id", async () => {
            const h = harness();
            const fifo = `arn:aws:sns:us-east-1:${ACCOUNT}:owners.fifo`;
            h.account.topics.add(fifo);
            h.account.addRole("f", { ...MANAGED, "nhi:unused-after-days": "1", "nhi:notify": fifo });
            h.after(1);
            await h.run();
            assert.deepStrictEqual(
                h.account.notices.map((n) => [n.topic, n.subject]),
                [[fifo, "pulumi-nhi: role f is idle"]],
            );
        });

        it("an identity with no `nhi:notify` is recorded, never notified; one that is gone is forgotten", async () => {
            const h = harness();
            const quiet = h.account.addRole("quiet", { ...MANAGED, "nhi:unused-after-days": "1" });
            h.after(1);
            await h.run();
            assert.deepStrictEqual([h.account.notices.length, h.account.states()], [0, { [quiet]: "idle" }]);
            h.account.remove(quiet);
            await h.run();
            assert.deepStrictEqual(h.account.states(), {});
            assert.deepStrictEqual(
                h.lines.filter((l) => l.step === "forget").map((l) => l.outcome),
                ["deleted"],
            );
        });

        it("a malformed threshold tag is ignored and named in the log, without its value", async () => {
            const h = harness();
            h.account.addRole("odd", { ...MANAGED, "nhi:unused-after-days": "ninety", "nhi:notify": TOPIC });
            h.after(500);
            await h.run();
            assert.strictEqual(h.account.notices.length, 0);
            const line = h.lines.find((l) => l.step === "evaluate")!;
            assert.deepStrictEqual(line.invalidTags, ["nhi:unused-after-days"]);
            assert.ok(!JSON.stringify(h.lines).includes("ninety"));
        });

        it("no tag value or credential in logs, and notices carry only the owner beside facts", async () => {
            const h = harness();
            const arn = h.account.addUser("vendor", {
                ...MANAGED,
                "nhi:owner": "team-pay",
                "nhi:purpose": "Syncs-the-ledger",
                "nhi:unused-after-days": "1",
                "nhi:notify": TOPIC,
                "cost-centre": "cc-4711",
            });
            h.account.addKey(arn);
            h.after(2);
            await h.run();
            const logged = JSON.stringify(h.lines);
            const sent = JSON.stringify(h.account.notices);
            for (const value of ["team-pay", "Syncs-the-ledger", "cc-4711", "AKIA"]) {
                assert.ok(!logged.includes(value), `log holds ${value}`);
            }
            for (const value of ["Syncs-the-ledger", "cc-4711", "AKIA"]) {
                assert.ok(!sent.includes(value), `notice holds ${value}`);
            }
            assert.strictEqual(h.bodies()[0].owner, "team-pay");
        });
    });

    describe("failures", () => {
        it("a crash between any two calls, then a rerun: never a lost notice, at most one duplicate, the same states", async () => {
            // GIVEN 3 roles, a user and a secret that all change state on day 5, and one gone identity in the table
            const setup = () => {
                const h = harness();
                h.account.addSecret("never-rotated", { ...MANAGED, "nhi:notify": TOPIC }, 3);
                for (const name of ["a", "b", "c"]) {
                    h.account.addRole(name, { ...MANAGED, "nhi:unused-after-days": "5", "nhi:notify": TOPIC });
                }
                h.account.addKey(
                    h.account.addUser("u", {
                        ...MANAGED,
                        "nhi:expires-at": "2026-01-10T00:00:00Z",
                        "nhi:notify": TOPIC,
                    }),
                );
                h.account.table.set("AROAGONE", {
                    identity: { S: "AROAGONE" },
                    state: { S: "idle" },
                    arn: { S: "gone" },
                    since: { S: "x" },
                });
                h.after(5);
                return h;
            };
            const clean = setup();
            await clean.run();
            const expected = clean.account.notices.map((n) => n.subject).sort();
            const total = clean.account.calls.length;
            assert.strictEqual(expected.length, 5);
            for (let k = 1; k <= total; k++) {
                const h = setup();
                // WHEN the k-th call takes effect and the function dies; Lambda's retry runs it again
                h.account.crashAfter = k;
                await assert.rejects(h.run());
                h.account.dead = false;
                await h.run();
                // THEN every notice was sent, none more than twice, and the recorded states are the clean run's
                const subjects = h.account.notices.map((n) => n.subject);
                assert.deepStrictEqual([...new Set(subjects)].sort(), expected, `crash after call ${k}`);
                assert.ok(subjects.length <= expected.length + 1, `crash after call ${k}: ${subjects.length} notices`);
                assert.deepStrictEqual(h.account.states(), clean.account.states(), `crash after call ${k}`);
            }
        });

        it("retries throttling with backoff, on every service, and still completes", async () => {
            // GIVEN 20 roles turning idle, and each service throttling its next 4 calls
            const h = harness();
            for (let i = 0; i < 20; i++) {
                h.account.addRole(`r${i}`, { ...MANAGED, "nhi:unused-after-days": "1", "nhi:notify": TOPIC });
            }
            h.after(1);
            const services: Service[] = ["iam", "sns", "dynamodb", "cloudwatch", "secretsmanager"];
            services.forEach((s) => h.account.throttleNext(s, 4));
            const before = h.account.time;
            // WHEN the monitor runs
            const summary = await h.run();
            // THEN 16 calls were throttled and retried after a jittered sleep, and every notice went out once
            assert.deepStrictEqual(h.account.throttled, {
                iam: 4,
                sns: 4,
                dynamodb: 4,
                cloudwatch: 4,
                secretsmanager: 4,
            });
            assert.deepStrictEqual([summary.notices, summary.failures, h.account.notices.length], [20, 0, 20]);
            // random() = 0.5: sleeps of 50, 100, 200 and 400 ms per service
            assert.strictEqual(h.account.time - before, 5 * 750);
        });

        it("gives up after 6 throttled tries of one call, and says so", async () => {
            const h = harness();
            h.account.addRole("a", MANAGED);
            h.account.throttleNext("iam", 6);
            await assert.rejects(h.run(), { name: "Throttling" });
            assert.strictEqual(h.account.calls.length, 6);
        });

        it("a notice that cannot be sent: the others go on, its state is not recorded, the heartbeat says 0, the run fails, the next run retries", async () => {
            const h = harness();
            const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:deleted-topic`;
            const lost = h.account.addRole("lost", { ...MANAGED, "nhi:unused-after-days": "1", "nhi:notify": missing });
            const fine = h.account.addRole("fine", { ...MANAGED, "nhi:unused-after-days": "1", "nhi:notify": TOPIC });
            h.after(1);
            await assert.rejects(h.run(), {
                message:
                    'The usage monitor could not notify or record 1 of 2 identities; see the log lines with outcome "failed". The next run retries them.',
            });
            assert.deepStrictEqual(h.account.states(), { [fine]: "idle" });
            assert.strictEqual(aggregates(h.account)[METRICS.runSucceeded], 0);
            assert.deepStrictEqual(
                h.lines
                    .filter((l) => l.outcome === "failed" && l.step !== "run")
                    .map((l) => [l.step, l.identity, l.error]),
                [["notify", lost, "NotFoundException"]],
            );
            // WHEN the topic is back
            h.account.topics.add(missing);
            h.after(1);
            await h.run();
            assert.deepStrictEqual(
                h.account.notices.map((n) => n.topic),
                [TOPIC, missing],
            );
            assert.strictEqual(aggregates(h.account)[METRICS.runSucceeded], 1);
        });

        it("a run that cannot list publishes nothing: the heartbeat alarm sees missing data", async () => {
            const h = harness();
            h.account.addRole("a", MANAGED);
            h.account.fail(1, "AccessDenied");
            await assert.rejects(h.run(), { name: "AccessDenied" });
            assert.deepStrictEqual(h.account.metrics, []);
        });

        describe("refuses any other event, before any call", () => {
            const events: [string, unknown][] = [
                ["nothing", undefined],
                [
                    "another action",
                    { nhiAction: "retirePrevious", stateTable: "nhi-usage-state", perIdentityMetrics: false },
                ],
                ["no table", { nhiAction: "monitorUsage", perIdentityMetrics: false }],
                [
                    "a table ARN",
                    {
                        nhiAction: "monitorUsage",
                        stateTable: "arn:aws:dynamodb:us-east-1:123456789012:table/t",
                        perIdentityMetrics: false,
                    },
                ],
                [
                    "a string flag",
                    { nhiAction: "monitorUsage", stateTable: "nhi-usage-state", perIdentityMetrics: "true" },
                ],
                [
                    "a field more",
                    { nhiAction: "monitorUsage", stateTable: "nhi-usage-state", perIdentityMetrics: false, extra: 1 },
                ],
            ];
            for (const [title, event] of events) {
                it(title, async () => {
                    const h = harness();
                    await assert.rejects(monitorUsage(event, h.deps), {
                        message:
                            'Invalid usage monitor event: expected exactly `nhiAction` ("monitorUsage"), `stateTable` (a DynamoDB table name) and `perIdentityMetrics` (true or false).',
                    });
                    assert.deepStrictEqual(h.account.calls, []);
                });
            }
        });
    });

    describe("metrics", () => {
        it("aggregates only by default: one request, namespace PulumiNhi, dimensions Account and Region, the heartbeat 1", async () => {
            const h = harness();
            h.account.addRole("idle", { ...MANAGED, "nhi:unused-after-days": "1" });
            h.account.addRole("soon", { ...MANAGED, "nhi:expires-at": "2026-01-10T00:00:00Z" });
            h.account.addRole("over", { ...MANAGED, "nhi:expires-at": "2026-01-02T00:00:00Z" });
            h.account.addRole("fine", MANAGED);
            h.after(1);
            await h.run();
            assert.strictEqual(h.account.metrics.length, 1);
            assert.ok(
                h.account.metrics[0].every(
                    (d) =>
                        JSON.stringify(d.Dimensions) ===
                        JSON.stringify([
                            { Name: "Account", Value: ACCOUNT },
                            { Name: "Region", Value: "us-east-1" },
                        ]),
                ),
            );
            assert.deepStrictEqual(aggregates(h.account), {
                [METRICS.monitored]: 4,
                [METRICS.idle]: 1,
                [METRICS.expiring]: 1,
                [METRICS.expired]: 1,
                [METRICS.keyTooOld]: 0,
                [METRICS.rotationStale]: 0,
                [METRICS.runSucceeded]: 1,
            });
            assert.ok(h.account.calls.includes("cloudwatch:PutMetricData") && NAMESPACE === "PulumiNhi");
        });

        it("per-identity metrics on: two per identity with an expiry, in requests of at most 1,000", async () => {
            const h = harness();
            for (let i = 0; i < 1200; i++) {
                h.account.addRole(`r${i}`, {
                    ...MANAGED,
                    ...(i < 600 ? { "nhi:expires-at": "2027-01-01T00:00:00Z" } : {}),
                });
            }
            await h.run(true);
            const sizes = h.account.metrics.map((m) => m.length);
            assert.deepStrictEqual(sizes, [1000, 807]);
            const all = h.account.metrics.flat();
            assert.strictEqual(all.filter((d) => d.MetricName === IDENTITY_METRICS.daysSinceLastUse).length, 1200);
            assert.strictEqual(all.filter((d) => d.MetricName === IDENTITY_METRICS.daysToExpiry).length, 600);
            assert.deepStrictEqual(
                all.find((d) => d.MetricName === IDENTITY_METRICS.daysSinceLastUse)!.Dimensions![2],
                { Name: "Identity", Value: `arn:aws:iam::${ACCOUNT}:role/r0` },
            );
        });
    });

    describe("secrets: rotation health", () => {
        const WEEKLY = 7;
        it("evaluateSecret: stale after more than the period plus a day since the last rotation, or creation when never rotated", () => {
            const at = (days: number, hours = 0) => new Date(DAY0.getTime() + days * DAY + hours * 3_600_000);
            const secret = (lastRotated?: Date) => ({
                arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
                name: "s",
                created: DAY0,
                lastRotated,
                rotateEveryDays: WEEKLY,
                tags: MANAGED,
            });
            const cases: [string, Date | undefined, Date, string, number][] = [
                ["never rotated, 8 days after creation", undefined, at(8), "ok", 8],
                ["never rotated, 8 days and an hour after creation", undefined, at(8, 1), "rotation-stale", 8],
                ["rotated on day 10, day 18", at(10), at(18), "ok", 8],
                ["rotated on day 10, day 19", at(10), at(19), "rotation-stale", 9],
            ];
            for (const [title, last, now, state, days] of cases) {
                const e = evaluateSecret(secret(last), now);
                assert.deepStrictEqual(
                    [e.state, e.daysSinceRotation, e.neverRotated],
                    [state, days, last === undefined],
                    title,
                );
            }
            assert.strictEqual(
                evaluateSecret({ ...secret(), rotateEveryDays: undefined }, at(400)).state,
                "ok",
                "no rotation in days",
            );
        });

        it("pages through managed secrets (pages shorter than MaxResults), ignores others, one notice per change", async () => {
            // GIVEN 250 managed weekly secrets, 30 of someone else's (one tagged with our key and another value), Secrets Manager returning 40 a page
            const h = harness();
            const ours = Array.from({ length: 250 }, (_, i) =>
                h.account.addSecret(
                    `app-${i}`,
                    { ...MANAGED, "nhi:owner": "team-app", ...(i === 0 ? { "nhi:notify": TOPIC } : {}) },
                    WEEKLY,
                ),
            );
            for (let i = 0; i < 30; i++) {
                h.account.addSecret(
                    `theirs-${i}`,
                    i === 0 ? { "nhi:managed-by": "pulumi-nhi-fork", "nhi:notify": TOPIC } : { team: "x" },
                    1,
                );
            }
            h.account.secretPageCap = 40;
            // WHEN every secret but the first rotates weekly, and the monitor runs daily for 20 days
            for (let day = 0; day <= 20; day++) {
                if (day % WEEKLY === 0) {
                    ours.slice(1).forEach((s) => h.account.rotate(s));
                }
                await h.run();
                h.after(1);
            }
            // THEN each run read every page, with the tag filters
            assert.strictEqual(
                h.account.calls.filter((c) => c === "secretsmanager:ListSecrets").length,
                21 * Math.ceil(251 / 40),
            );
            // AND the never-rotated one is stale on day 9 (8 days from creation exceeded), once, with the facts
            assert.deepStrictEqual(
                h.account.notices.map((n) => [n.subject, (n.at.getTime() - DAY0.getTime()) / DAY]),
                [["pulumi-nhi: secret app-0 is rotation-stale", 9]],
            );
            assert.deepStrictEqual(h.bodies()[0], {
                source: "pulumi-nhi",
                kind: "secret",
                secret: ours[0].arn,
                name: "app-0",
                owner: "team-app",
                state: "rotation-stale",
                previousState: "ok",
                at: "2026-01-10T00:00:00.000Z",
                neverRotated: true,
                daysSinceRotation: 9,
                rotateEveryDays: 7,
                advice: "No rotation of this secret has succeeded for longer than its period and a day: check the rotation function's logs and the secret's rotation status (`aws secretsmanager describe-secret`), then rotate it (`aws secretsmanager rotate-secret`).",
            });
            assert.deepStrictEqual(h.account.states(), { [ours[0].arn]: "rotation-stale" });
            assert.strictEqual(aggregates(h.account)[METRICS.rotationStale], 1);
            // WHEN it finally rotates  THEN one `ok` notice, and the item is forgotten
            h.account.rotate(ours[0]);
            await h.run();
            assert.deepStrictEqual(
                h.bodies().map((b) => [b.previousState, b.state]),
                [
                    ["ok", "rotation-stale"],
                    ["rotation-stale", "ok"],
                ],
            );
            assert.deepStrictEqual(h.account.states(), {});
        });

        it("a secret whose rotation stopped after it had run, and a secret that is gone, are handled like identities", async () => {
            const h = harness();
            const s = h.account.addSecret("db", { ...MANAGED, "nhi:notify": OTHER_TOPIC }, 30);
            h.account.rotate(s);
            // GIVEN 32 days without a rotation  WHEN the monitor runs  THEN stale, to its own topic
            h.after(32);
            await h.run();
            assert.deepStrictEqual(
                h.account.notices.map((n) => [n.topic, n.subject]),
                [[OTHER_TOPIC, "pulumi-nhi: secret db is rotation-stale"]],
            );
            // WHEN it is deleted  THEN its state is forgotten, without a notice
            h.account.secrets.delete(s.arn);
            await h.run();
            assert.deepStrictEqual([h.account.states(), h.account.notices.length], [{}, 1]);
        });

        it("retries a throttled listing", async () => {
            const h = harness();
            h.account.addSecret("db", { ...MANAGED, "nhi:notify": TOPIC }, 1);
            h.after(3);
            h.account.throttleNext("secretsmanager", 3);
            const summary = await h.run();
            assert.deepStrictEqual([h.account.throttled.secretsmanager, summary.secrets, summary.notices], [3, 1, 1]);
        });
    });

    it("calls exactly the actions the contract lists", async () => {
        const h = harness();
        const arn = h.account.addUser("u", { ...MANAGED, "nhi:unused-after-days": "1", "nhi:notify": TOPIC });
        h.account.addKey(arn);
        h.account.addRole("r", { ...MANAGED, "nhi:unused-after-days": "1" });
        h.after(1);
        await h.run(true);
        h.account.use(arn);
        h.account.remove(h.account.arn("role", "r"));
        h.after(1);
        await h.run(true);
        const called = [...new Set(h.account.calls)].sort();
        assert.deepStrictEqual(called, [...Object.values(ACTIONS).flat()].sort());
    });

    it("property: over any sequence of daily runs with random use, exactly one notice per change of state", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.integer({ min: 1, max: 5 }),
                fc.array(fc.boolean(), { minLength: 1, maxLength: 25 }),
                fc.integer({ min: 3, max: 40 }),
                async (afterDays, used, expiresInDays) => {
                    const h = harness();
                    const expiresAt = new Date(DAY0.getTime() + expiresInDays * DAY)
                        .toISOString()
                        .replace(".000Z", "Z");
                    const arn = h.account.addRole("p", {
                        ...MANAGED,
                        "nhi:unused-after-days": String(afterDays),
                        "nhi:expiry-notice-days": "7",
                        "nhi:expires-at": expiresAt,
                        "nhi:notify": TOPIC,
                    });
                    const expected: UsageState[] = [];
                    let previous: UsageState = "ok";
                    for (const u of used) {
                        if (u) {
                            h.account.use(arn);
                        }
                        await h.run();
                        const lastUsed = h.account.entity(arn).lastUsed;
                        const state = evaluate(
                            role(
                                {
                                    "nhi:unused-after-days": String(afterDays),
                                    "nhi:expiry-notice-days": "7",
                                    "nhi:expires-at": expiresAt,
                                },
                                lastUsed,
                            ),
                            h.account.now(),
                        ).state;
                        if (state !== previous) {
                            expected.push(state);
                        }
                        previous = state;
                        h.after(1);
                    }
                    assert.deepStrictEqual(
                        h.bodies().map((b) => b.state),
                        expected,
                    );
                },
            ),
            { numRuns: 40 },
        );
    });

    it("measurement: calls and simulated time per 1,000 identities are computed from the fake, and 10,000 fit Lambda's limit", async () => {
        const m = await measureUsageMonitor(2000, { iamRate: 2 });
        // GIVEN the worst day (every identity changes state, per-identity metrics on)
        // THEN the IAM calls do not grow per identity: 2 listing pages and 3 report calls
        const iam =
            m.calls["iam:GetAccountAuthorizationDetails"] +
            m.calls["iam:GenerateCredentialReport"] +
            m.calls["iam:GetCredentialReport"];
        assert.strictEqual(
            iam,
            2 + 2 + 1 + m.throttled,
            "2 pages of 1,000, STARTED then COMPLETE, one read; every throttled try is IAM's",
        );
        assert.strictEqual(m.calls["sns:Publish"], 2000);
        assert.strictEqual(m.calls["dynamodb:PutItem"], 2000);
        assert.strictEqual(m.calls["cloudwatch:PutMetricData"], 5);
        assert.ok(m.throttled > 0, "IAM at 2 requests a second throttles some calls");
        assert.strictEqual(
            m.totalCalls,
            Object.values(m.calls).reduce((a, b) => a + b, 0),
        );
        assert.strictEqual(m.callsPer1000, m.totalCalls / 2);
        assert.ok(m.simulatedSeconds > 0 && m.simulatedSeconds < LAMBDA_LIMIT_SECONDS);
        assert.strictEqual(m.fitsLambda, true);
        // AND a quiet day (no change) makes no Publish and no write: the reads and the metrics only
        const quiet = await measureUsageMonitor(2000, { quiet: true });
        assert.deepStrictEqual(quiet.calls, {
            "iam:GetAccountAuthorizationDetails": 2,
            "iam:GenerateCredentialReport": 2,
            "iam:GetCredentialReport": 1,
            "secretsmanager:ListSecrets": 1,
            "dynamodb:Scan": 1,
            "cloudwatch:PutMetricData": 5,
        });
    });
});

describe("runtime/aws usage-monitor: the bench's days", () => {
    it("the throttled day throttles IAM and SNS, and still sends every notice once", async () => {
        // GIVEN the day `npm run bench` reports as "worst, throttled"
        const day = BENCH_DAYS.find((d) => d.day === "worst, throttled");
        assert.ok(day !== undefined);
        // WHEN the monitor runs over 1,000 identities
        const m = await measureUsageMonitor(1000, day.options);
        // THEN calls were refused and retried, yet each identity got exactly one notice and one write
        assert.ok(m.throttled > 0);
        assert.strictEqual(m.calls["dynamodb:PutItem"], 1000);
        assert.ok(m.calls["sns:Publish"] > 1000, "some Publish calls were throttled and retried");
        assert.ok(
            m.calls["iam:GenerateCredentialReport"] + m.calls["iam:GetCredentialReport"] > 3,
            "some IAM calls were throttled and retried",
        );
        assert.strictEqual(m.fitsLambda, true);
    });
});

describe("runtime/aws usage-monitor: the function's archive", () => {
    it("holds the entry, its contract, its evaluation and the retries, nothing else", () => {
        assert.deepStrictEqual(
            [...runtimeBundle("aws/usage-monitor").files.keys()],
            [
                "aws/retry.js",
                "aws/usage-contract.js",
                "aws/usage-evaluate.js",
                "aws/usage-monitor.js",
                "usage-classify.js",
            ],
        );
    });

    it("compiled by tsc, loads in a fresh Node process with only the runtime's SDK on its path", function () {
        this.timeout(120_000);
        // GIVEN the handler compiled alone, as the asset will hold it
        // WHEN a fresh Node process requires it, the SDK found through NODE_PATH as on Lambda
        const { files, printed } = compileAndLoadAlone("components/runtime/aws/usage-monitor.ts");
        // THEN it exports a handler of (event, context)
        assert.deepStrictEqual(files, [
            "aws/retry.js",
            "aws/usage-contract.js",
            "aws/usage-evaluate.js",
            "aws/usage-monitor.js",
            "usage-classify.js",
        ]);
        assert.strictEqual(printed, "function 2");
    });
});
