import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsUsageMonitor } from "../../components/aws/usage-monitor";
import { ACTIONS, monitorEvent } from "../../components/runtime/aws/usage-contract";
import { capture, ofType, Registered } from "../../components/testing";
import { BadInput, itRefusesEach } from "../support/bad-input";
import { decideIdentity, expectDecisions } from "../support/iam-simulator";

/*
 * aws.UsageMonitor: the children it declares (table, function, schedule, heartbeat alarm), what its
 * roles may do (evaluated by the IAM engine), and the bad input it refuses before registering anything.
 */

const TOPIC = "arn:aws:sns:us-east-1:123456789012:nhi-notices";
const OTHER_TOPIC = "arn:aws:sns:us-east-1:123456789012:someone-elses";
const ALARMS = "arn:aws:sns:us-east-1:123456789012:oncall";
const base = { owner: "team-platform", notifyTopics: [TOPIC] };

async function declare(args: any = base) {
    return capture(() => new aws.UsageMonitor("usage", args));
}
const named = (resources: Registered[], type: string, name: string) =>
    ofType(resources, type).find((r) => r.name === name)!;

describe("aws.UsageMonitor", function () {
    this.timeout(30_000);

    it("declares exactly its table, function, schedule and heartbeat alarm", async () => {
        // GIVEN a monitor with the defaults
        const { resources } = await declare();
        // WHEN its children are listed
        const children = resources
            .filter((r) => r.type !== "nhi:aws:UsageMonitor")
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        // THEN exactly these
        assert.deepStrictEqual(children, [
            "aws:cloudwatch/logGroup:LogGroup usage-logs",
            "aws:cloudwatch/metricAlarm:MetricAlarm usage-heartbeat",
            "aws:dynamodb/table:Table usage-state",
            "aws:iam/role:Role usage-role",
            "aws:iam/role:Role usage-schedule-role",
            "aws:iam/rolePolicy:RolePolicy usage-policy",
            "aws:iam/rolePolicy:RolePolicy usage-schedule-policy",
            "aws:lambda/function:Function usage",
            "aws:scheduler/schedule:Schedule usage-schedule",
            "nhi:aws:ServiceIdentity usage",
            "nhi:aws:ServiceIdentity usage-schedule",
        ]);
        // AND the table is on demand, keyed by the contract's key
        const table = named(resources, "aws:dynamodb/table:Table", "usage-state");
        assert.strictEqual(table.inputs.billingMode, "PAY_PER_REQUEST");
        assert.strictEqual(table.inputs.hashKey, "identity");
        assert.deepStrictEqual(table.inputs.attributes, [{ name: "identity", type: "S" }]);
        // AND the function runs the monitor entry for up to 15 minutes with 512 MB
        const fn = named(resources, "aws:lambda/function:Function", "usage");
        assert.strictEqual(fn.inputs.handler, "aws/usage-monitor.handler");
        assert.strictEqual(fn.inputs.timeout, 900);
        assert.strictEqual(fn.inputs.memorySize, 512);
        assert.strictEqual(fn.inputs.role, "arn:aws:iam::123456789012:role/usage-role-1a2b3c4");
    });

    it("invokes the function daily with the contract's event, through a role only EventBridge Scheduler of this account may assume", async () => {
        // GIVEN a monitor with per-identity metrics
        const { resources } = await declare({ ...base, perIdentityMetrics: true });
        // WHEN the schedule is read
        const schedule = named(resources, "aws:scheduler/schedule:Schedule", "usage-schedule");
        const table = named(resources, "aws:dynamodb/table:Table", "usage-state");
        // THEN it runs once a day, with the table's name and the metrics flag
        assert.strictEqual(schedule.inputs.scheduleExpression, "rate(1 day)");
        assert.deepStrictEqual(schedule.inputs.flexibleTimeWindow, { mode: "OFF" });
        assert.strictEqual(
            schedule.inputs.target.roleArn,
            "arn:aws:iam::123456789012:role/usage-schedule-role-1a2b3c4",
        );
        assert.deepStrictEqual(
            JSON.parse(schedule.inputs.target.input),
            monitorEvent(table.inputs.name ?? "usage-state-1a2b3c4", true),
        );
        assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input), {
            nhiAction: "monitorUsage",
            stateTable: "usage-state-1a2b3c4",
            perIdentityMetrics: true,
        });
        assert.deepStrictEqual(schedule.inputs.target.retryPolicy, {
            maximumEventAgeInSeconds: 21600,
            maximumRetryAttempts: 20,
        });
        // AND its role is trusted by the scheduler of this account's default group only
        const trust = JSON.parse(named(resources, "aws:iam/role:Role", "usage-schedule-role").inputs.assumeRolePolicy);
        assert.deepStrictEqual(trust.Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "scheduler.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    ArnLike: { "aws:SourceArn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/default" },
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                },
            },
        ]);
    });

    it("takes a cron schedule as given", async () => {
        // GIVEN a cron expression  WHEN declared  THEN the schedule carries it unchanged
        const { resources } = await declare({ ...base, scheduleExpression: "cron(0 6 * * ? *)" });
        assert.strictEqual(
            named(resources, "aws:scheduler/schedule:Schedule", "usage-schedule").inputs.scheduleExpression,
            "cron(0 6 * * ? *)",
        );
        assert.strictEqual(
            JSON.parse(named(resources, "aws:scheduler/schedule:Schedule", "usage-schedule").inputs.target.input)
                .perIdentityMetrics,
            false,
        );
    });

    it("alarms on a day without a successful run, missing data breaching, notifying alarmTopic", async () => {
        // GIVEN a monitor with an alarm topic
        const { resources } = await declare({ ...base, alarmTopic: ALARMS });
        // WHEN the alarm is read
        const alarm = named(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "usage-heartbeat");
        // THEN it watches MonitorRunSucceeded of this account and region over one day
        const { tags, alarmDescription, ...rest } = alarm.inputs;
        assert.deepStrictEqual(rest, {
            namespace: "PulumiNhi",
            metricName: "MonitorRunSucceeded",
            dimensions: { Account: "123456789012", Region: "us-east-1" },
            statistic: "Maximum",
            period: 86400,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: "breaching",
            alarmActions: [ALARMS],
            okActions: [ALARMS],
        });
        assert.strictEqual(
            alarmDescription,
            "The pulumi-nhi usage monitor usage did not complete a run in the last day: identities are not being checked.",
        );
        assert.strictEqual(tags["nhi:owner"], "team-platform");
        // AND without alarmTopic the alarm has no action
        const quiet = named((await declare()).resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "usage-heartbeat");
        assert.deepStrictEqual(quiet.inputs.alarmActions, []);
    });

    it("the function's role may do exactly the contract's ACTIONS, each where it belongs (IAM engine)", async () => {
        // GIVEN the monitor's function role and its policy
        const { resources } = await declare();
        const policy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "usage-policy").inputs.policy);
        const role = "arn:aws:iam::123456789012:role/usage-role-1a2b3c4";
        const table = "arn:aws:dynamodb:us-east-1:123456789012:table/usage-state-1a2b3c4";
        const other = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";
        const ns = (n: string) => ({ "cloudwatch:namespace": n });
        // PutMetricData has no required resource type; the engine needs a concrete ARN, so it is
        // asked about the one optional type (a dataset), which the policy's `*` covers.
        const metrics = "arn:aws:cloudwatch:us-east-1:123456789012:dataset/d";
        const ask =
            (action: string, resource: string, context = {}) =>
            () =>
                decideIdentity(role, [policy], action, resource, context);
        // WHEN each request is decided  THEN exactly these are allowed
        await expectDecisions([
            ...ACTIONS.iam.map((a) => ({ what: a, expected: "Allowed" as const, decide: ask(a, "*") })),
            { what: "publish to a listed topic", expected: "Allowed", decide: ask("sns:Publish", TOPIC) },
            { what: "publish to another topic", expected: "Denied", decide: ask("sns:Publish", OTHER_TOPIC) },
            ...ACTIONS.dynamodb.map((a) => ({
                what: `${a} on its table`,
                expected: "Allowed" as const,
                decide: ask(a, table),
            })),
            ...ACTIONS.dynamodb.map((a) => ({
                what: `${a} on another table`,
                expected: "Denied" as const,
                decide: ask(a, other),
            })),
            {
                what: "PutMetricData in PulumiNhi",
                expected: "Allowed",
                decide: ask("cloudwatch:PutMetricData", metrics, ns("PulumiNhi")),
            },
            {
                what: "PutMetricData in another namespace",
                expected: "Denied",
                decide: ask("cloudwatch:PutMetricData", metrics, ns("Billing")),
            },
            {
                what: "PutMetricData without a namespace",
                expected: "Denied",
                decide: ask("cloudwatch:PutMetricData", metrics),
            },
            {
                what: "tag a role",
                expected: "Denied",
                decide: ask("iam:TagRole", "arn:aws:iam::123456789012:role/app"),
            },
            {
                what: "tag a user",
                expected: "Denied",
                decide: ask("iam:TagUser", "arn:aws:iam::123456789012:user/app"),
            },
            {
                what: "update a role",
                expected: "Denied",
                decide: ask("iam:UpdateRole", "arn:aws:iam::123456789012:role/app"),
            },
            {
                what: "deactivate a key",
                expected: "Denied",
                decide: ask("iam:UpdateAccessKey", "arn:aws:iam::123456789012:user/app"),
            },
            { what: "list roles", expected: "Denied", decide: ask("iam:ListRoles", "*") },
            ...ACTIONS.secretsmanager.map((a) => ({ what: a, expected: "Allowed" as const, decide: ask(a, "*") })),
            {
                what: "read a secret's value",
                expected: "Denied",
                decide: ask(
                    "secretsmanager:GetSecretValue",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
                ),
            },
            {
                what: "read a secret's metadata",
                expected: "Denied",
                decide: ask(
                    "secretsmanager:DescribeSecret",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
                ),
            },
            {
                what: "rotate a secret",
                expected: "Denied",
                decide: ask(
                    "secretsmanager:RotateSecret",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
                ),
            },
        ]);
    });

    it("the schedule's role may invoke this function only (IAM engine)", async () => {
        // GIVEN the schedule's role and policy
        const { resources } = await declare();
        const policy = JSON.parse(
            named(resources, "aws:iam/rolePolicy:RolePolicy", "usage-schedule-policy").inputs.policy,
        );
        const role = "arn:aws:iam::123456789012:role/usage-schedule-role-1a2b3c4";
        const fn = named(resources, "aws:scheduler/schedule:Schedule", "usage-schedule").inputs.target.arn;
        const ask = (action: string, resource: string) => () => decideIdentity(role, [policy], action, resource);
        // WHEN decided  THEN only InvokeFunction on the monitor function
        await expectDecisions([
            { what: "invoke the monitor", expected: "Allowed", decide: ask("lambda:InvokeFunction", fn) },
            {
                what: "invoke another function",
                expected: "Denied",
                decide: ask("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:other"),
            },
            { what: "update the monitor's code", expected: "Denied", decide: ask("lambda:UpdateFunctionCode", fn) },
        ]);
    });

    it("registers nothing on bad input", async () => {
        // GIVEN a bad notify topic  WHEN declared  THEN it throws and nothing is registered
        let resources: Registered[] = [];
        await assert.rejects(async () => {
            ({ resources } = await declare({ ...base, notifyTopics: ["alerts"] }));
        }, /notifyTopics\[0\]/);
        assert.deepStrictEqual(resources, []);
    });

    it("keeps the check of a topic known only at deploy time, with the construction-time message", () => {
        // GIVEN topics that are Outputs  WHEN planned  THEN nothing is refused yet
        const plan = planAwsUsageMonitor("usage", {
            ...base,
            notifyTopics: [pulumi.output("alerts")],
            alarmTopic: pulumi.output(ALARMS),
        });
        // AND the checks that run where they resolve refuse a topic name with the same words, and take an ARN
        assert.deepStrictEqual(
            plan.later.map((c) => c.path),
            ["notifyTopics[0]", "alarmTopic"],
        );
        assert.strictEqual(
            plan.later[0].problem("alerts"),
            BAD.find((b) => b.what === "a topic name instead of its ARN")!.reason,
        );
        assert.strictEqual(plan.later[1].problem(ALARMS), undefined);
    });

    const BAD: BadInput[] = [
        {
            what: "a missing owner",
            args: { notifyTopics: [TOPIC] },
            path: "owner",
            reason: "`owner` is required and must be a non-empty string (the team or person who answers for this identity); got undefined.",
        },
        {
            what: "a schedule expression that is neither rate nor cron",
            args: { ...base, scheduleExpression: "every day" },
            path: "scheduleExpression",
            reason: "`scheduleExpression` must be `rate(<n> <minutes|hours|days>)` or `cron(<minutes> <hours> <day of month> <month> <day of week> <year>)`, such as `rate(1 day)`; got `every day`.",
        },
        {
            what: "a cron expression with five fields",
            args: { ...base, scheduleExpression: "cron(0 6 * * ?)" },
            path: "scheduleExpression",
            reason: "`scheduleExpression` must be `rate(<n> <minutes|hours|days>)` or `cron(<minutes> <hours> <day of month> <month> <day of week> <year>)`, such as `rate(1 day)`; got `cron(0 6 * * ?)`.",
        },
        {
            what: "no notify topics",
            args: { ...base, notifyTopics: [] },
            path: "notifyTopics",
            reason: "`notifyTopics` must list at least one SNS topic ARN, the topics the identities' `nhi:notify` tags name; got object `[]`.",
        },
        {
            what: "a topic name instead of its ARN",
            args: { ...base, notifyTopics: ["alerts"] },
            path: "notifyTopics[0]",
            reason: "`notifyTopics[0]` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got `alerts`. Did you mean `arn:aws:sns:<region>:<account>:alerts`?",
        },
        {
            what: "an SQS queue ARN",
            args: { ...base, notifyTopics: ["arn:aws:sqs:us-east-1:123456789012:alerts"] },
            path: "notifyTopics[0]",
            reason: "`notifyTopics[0]` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got `arn:aws:sqs:us-east-1:123456789012:alerts`. Did you mean `arn:aws:sns:us-east-1:123456789012:alerts`?",
        },
        {
            what: "an alarm topic that is not an ARN",
            args: { ...base, alarmTopic: 42 },
            path: "alarmTopic",
            reason: "`alarmTopic` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got number `42`.",
        },
        {
            what: "perIdentityMetrics that is not a boolean",
            args: { ...base, perIdentityMetrics: "yes" },
            path: "perIdentityMetrics",
            reason: "`perIdentityMetrics` must be true or false; got `yes`.",
        },
    ];
    describe("refuses", () =>
        itRefusesEach(BAD, "AwsUsageMonitor", "usage", (name, args) => planAwsUsageMonitor(name, args)));
});
