import * as assert from "assert";
import { aws } from "../../components";
import { QUARANTINE_POLICY_NAME } from "../../components/aws/deprovision";
import { MonitorDeps, MonitorLogLine, monitorUsage } from "../../components/runtime/aws/usage-monitor";
import { capture, ofType, Registered } from "../../components/testing";
import { decideIdentity } from "../support/iam-simulator";
import { ACCOUNT, FakeAccount } from "../support/usage-monitor-fake";

/*
 * The whole life of one identity, on a simulated clock, from the real pieces: the identity and its
 * usage monitor declared with the components under Pulumi's mocks; their registered role (tags,
 * inline policies), deprovisioning schedule and monitor event loaded into the monitor's fake
 * account; the real monitor function run once a day; the schedule's universal target run as
 * EventBridge Scheduler would at `expiresAt`; the role's policies judged by the IAM engine.
 *
 * Day 0 is 2099-01-01 (the components refuse an `expiresAt` in the past); the monitor runs at 06:00.
 */

const DAY = 86_400_000;
const DAY0 = Date.UTC(2099, 0, 1);
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:nhi-owners`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:invoices`;
/** The first `expiresAt` (day 60) and the renewed one (day 120). */
const FIRST_EXPIRY = "2099-03-02T00:00:00Z";
const RENEWED_EXPIRY = "2099-05-01T00:00:00Z";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/worker-role-1a2b3c4`;
const QUARANTINE = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';
const ADMIN = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

const at = (day: number, hour = 0) => DAY0 + day * DAY + hour * 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

/** The stack's program: a usage monitor and, unless removed, the worker with its usage settings. */
function program(expiresAt: string | undefined): void {
    new aws.UsageMonitor("usage", { owner: "team-platform", notifyTopics: [TOPIC] });
    if (expiresAt !== undefined) {
        new aws.ServiceIdentity("worker", {
            owner: "team-payments",
            purpose: "Processes invoices",
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [{ actions: ["sqs:ReceiveMessage"], resources: [QUEUE] }],
            expiresAt,
            expiryNoticeDays: 10,
            unusedAlarm: { afterDays: 30, notify: TOPIC },
        });
    }
}

function named(resources: readonly Registered[], type: string, name: string): Registered {
    const found = ofType(resources, type).find((r) => r.name === name);
    assert.ok(found, `no ${type} ${name}`);
    return found;
}

/** What `pulumi up` leaves in the account for the worker: its role's tags and inline policies. */
function deployWorker(account: FakeAccount, resources: readonly Registered[]): void {
    const role = named(resources, "aws:iam/role:Role", "worker-role");
    account.entity(ROLE_ARN).tags = { ...role.inputs.tags };
    account.inlinePolicies.delete(ROLE_ARN);
    for (const policy of ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) =>
        p.name.startsWith("worker-policy"),
    )) {
        account.putPolicy("role", "worker-role-1a2b3c4", policy.name, policy.inputs.policy);
    }
}

describe("the lifecycle of one AWS identity (time travel)", function () {
    this.timeout(60_000);

    it("created, used, idle (one notice), expiring, renewed, expired (quarantined and refused), removed", async () => {
        // GIVEN the program with the worker, deployed on day 0 (its role created at midnight)
        const first = await capture(() => program(FIRST_EXPIRY));
        const monitorSchedule = ofType(first.resources, "aws:scheduler/schedule:Schedule").find(
            (s) => s.name === "usage-schedule",
        )!;
        const event = JSON.parse(monitorSchedule.inputs.target.input);
        assert.deepStrictEqual(
            [monitorSchedule.inputs.scheduleExpression, event.nhiAction],
            ["rate(1 day)", "monitorUsage"],
        );
        const account = new FakeAccount(new Date(at(0)), event.stateTable);
        account.topics.add(TOPIC);
        account.addRole("worker-role-1a2b3c4", {}, new Date(at(0)));
        deployWorker(account, first.resources);
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
        const seen: { day: number; subject: string; state: string; previousState: string }[] = [];
        /** Runs the monitor at 06:00 of each day in [from, to]; `usedDaily` uses the role at 01:00 first. */
        const days = async (from: number, to: number, usedDaily = false) => {
            for (let day = from; day <= to; day++) {
                if (usedDaily) {
                    account.time = at(day, 1);
                    account.use(ROLE_ARN);
                }
                account.time = at(day, 6);
                const before = account.notices.length;
                const summary = await monitorUsage(event, deps);
                assert.strictEqual(summary.failures, 0, `day ${day}`);
                for (const n of account.notices.slice(before)) {
                    const body = JSON.parse(n.message);
                    assert.strictEqual(n.topic, TOPIC);
                    seen.push({ day, subject: n.subject, state: body.state, previousState: body.previousState });
                }
            }
        };
        const daysSinceUse = (day: number) =>
            lines.filter((l) => l.step === "evaluate" && l.identity === ROLE_ARN).map((l) => l.daysSinceLastUse)[day];

        // WHEN nobody uses it for three days, THEN no notice, and "days since use" counts from its creation
        await days(0, 2);
        assert.deepStrictEqual([daysSinceUse(0), daysSinceUse(2), seen], [0, 2, []]);

        // WHEN it is used on day 3 (RoleLastUsed moves), then left alone
        account.time = at(3, 2);
        account.use(ROLE_ARN);
        await days(3, 32);
        // THEN the count starts again from its use, and no notice before 30 days
        assert.deepStrictEqual([daysSinceUse(3), daysSinceUse(32), seen], [0, 29, []]);

        // WHEN 30 whole days pass without use (its `unusedAlarm.afterDays`), and one more day
        await days(33, 34);
        // THEN exactly one notice, on day 33, to the worker's topic, with the facts an owner needs
        assert.deepStrictEqual(seen, [
            { day: 33, subject: "pulumi-nhi: role worker-role-1a2b3c4 is idle", state: "idle", previousState: "ok" },
        ]);
        const idle = JSON.parse(account.notices[0].message);
        assert.deepStrictEqual(idle, {
            source: "pulumi-nhi",
            kind: "role",
            identity: ROLE_ARN,
            name: "worker-role-1a2b3c4",
            owner: "team-payments",
            state: "idle",
            previousState: "ok",
            at: iso(at(33, 6)),
            daysSinceLastUse: 30,
            neverUsed: false,
            unusedAfterDays: 30,
            expiresAt: "2099-03-02T00:00:00.000Z",
            daysToExpiry: 26,
            expiryNoticeDays: 10,
            advice: "Nothing has used this identity for longer than its threshold: remove it if its job is over, or raise `unusedAlarm.afterDays`.",
        });
        assert.deepStrictEqual(account.states(), { [ROLE_ARN]: "idle" });

        // WHEN its workload comes back on day 40 and uses it every day, up to 10 days before its expiry and one more
        await days(35, 39);
        await days(40, 51, true);
        // THEN one "back to ok" notice, then one "expiring" notice 10 days before `expiresAt` (its `expiryNoticeDays`)
        assert.deepStrictEqual(seen.slice(1), [
            { day: 40, subject: "pulumi-nhi: role worker-role-1a2b3c4 is ok", state: "ok", previousState: "idle" },
            {
                day: 50,
                subject: "pulumi-nhi: role worker-role-1a2b3c4 is expiring",
                state: "expiring",
                previousState: "ok",
            },
        ]);
        assert.strictEqual(JSON.parse(account.notices[2].message).daysToExpiry, 9);

        // WHEN the owner renews it on day 55: the program declares a later `expiresAt`, and `pulumi up` applies it
        await days(52, 54, true);
        const renewed = await capture(() => program(RENEWED_EXPIRY));
        // THEN its tag and its deprovisioning schedule move to the new instant
        assert.strictEqual(
            named(renewed.resources, "aws:iam/role:Role", "worker-role").inputs.tags["nhi:expires-at"],
            RENEWED_EXPIRY,
        );
        assert.deepStrictEqual(
            [first, renewed].map(
                (p) => named(p.resources, "aws:scheduler/schedule:Schedule", "worker-expiry").inputs.scheduleExpression,
            ),
            ["at(2099-03-02T00:00:00)", "at(2099-05-01T00:00:00)"],
        );
        deployWorker(account, renewed.resources);
        await days(55, 111, true);
        // AND the monitor says once that it is back to ok, then nothing until 10 days before the new expiry
        assert.deepStrictEqual(seen.slice(3), [
            { day: 55, subject: "pulumi-nhi: role worker-role-1a2b3c4 is ok", state: "ok", previousState: "expiring" },
            {
                day: 110,
                subject: "pulumi-nhi: role worker-role-1a2b3c4 is expiring",
                state: "expiring",
                previousState: "ok",
            },
        ]);
        // AND its grants work past the first expiry, under the renewed policy conditions
        const own = [...account.inlinePolicies.get(ROLE_ARN)!.values()];
        assert.strictEqual(
            await decideIdentity(ROLE_ARN, own, "sqs:ReceiveMessage", QUEUE, {
                "aws:CurrentTime": "2099-03-03T00:00:00Z",
            }),
            "Allowed",
        );

        // WHEN the renewed `expiresAt` comes: EventBridge Scheduler runs the schedule's universal target
        await days(112, 119, true);
        const schedule = named(renewed.resources, "aws:scheduler/schedule:Schedule", "worker-expiry");
        account.time = Date.parse(RENEWED_EXPIRY);
        account.runUniversalTarget(schedule.inputs.target.arn, schedule.inputs.target.input);
        // THEN the role holds exactly the deny-all quarantine policy beside its own
        const policies = account.inlinePolicies.get(ROLE_ARN)!;
        assert.deepStrictEqual([...policies.keys()].sort(), [QUARANTINE_POLICY_NAME, "worker-policy"]);
        assert.strictEqual(policies.get(QUARANTINE_POLICY_NAME), QUARANTINE);
        // AND the IAM engine refuses its grants: by the policy conditions alone, by the quarantine even beside a hand-attached admin policy
        const after = "2099-05-01T00:00:05Z";
        const decisions: [string, string, readonly string[], string, string, string][] = [
            ["its grant the second before expiry", "Allowed", own, "sqs:ReceiveMessage", QUEUE, "2099-04-30T23:59:59Z"],
            [
                "its grant after expiry, own policies only (the conditions)",
                "ImplicitlyDenied",
                own,
                "sqs:ReceiveMessage",
                QUEUE,
                after,
            ],
            [
                "its grant after expiry, as quarantined",
                "ExplicitlyDenied",
                [...policies.values()],
                "sqs:ReceiveMessage",
                QUEUE,
                after,
            ],
            [
                "anything, with an admin policy attached by hand",
                "ExplicitlyDenied",
                [...policies.values(), ADMIN],
                "s3:GetObject",
                "arn:aws:s3:::any/thing",
                after,
            ],
            [
                "removing the quarantine, with that admin policy",
                "ExplicitlyDenied",
                [...policies.values(), ADMIN],
                "iam:DeleteRolePolicy",
                ROLE_ARN,
                after,
            ],
        ];
        for (const [what, expected, documents, action, resource, time] of decisions) {
            assert.strictEqual(
                await decideIdentity(ROLE_ARN, documents, action, resource, { "aws:CurrentTime": time }),
                expected,
                what,
            );
        }
        // AND the monitor sends one "expired" notice that morning, and nothing the next days
        await days(120, 124);
        assert.deepStrictEqual(seen.slice(5), [
            {
                day: 120,
                subject: "pulumi-nhi: role worker-role-1a2b3c4 is expired",
                state: "expired",
                previousState: "expiring",
            },
        ]);
        assert.strictEqual(
            JSON.parse(account.notices[5].message).advice,
            "The identity has expired: its policy conditions refuse it. Renew `expiresAt` and update the stack, or remove the identity from the program.",
        );

        // WHEN the owner removes it from the program on day 125, and `pulumi up` deletes the role
        const removed = await capture(() => program(undefined));
        // THEN nothing of the worker is left in the graph, its schedule included; the monitor stays
        assert.deepStrictEqual(
            removed.resources.filter((r) => r.name.startsWith("worker")),
            [],
        );
        assert.strictEqual(
            ofType(removed.resources, "aws:scheduler/schedule:Schedule")
                .map((s) => s.name)
                .join(),
            "usage-schedule",
        );
        const roleId = account.entity(ROLE_ARN).id;
        account.remove(ROLE_ARN);
        await days(125, 126);
        // AND the monitor forgets it without a notice: its state item is deleted
        assert.strictEqual(seen.length, 6);
        assert.deepStrictEqual(account.states(), {});
        // (the table is keyed by the role's unique ID: a role re-created under the same name starts afresh)
        assert.deepStrictEqual(
            lines.filter((l) => l.step === "forget").map((l) => [l.identity, l.outcome]),
            [[roleId, "deleted"]],
        );
    });
});
