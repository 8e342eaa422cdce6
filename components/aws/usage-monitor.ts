import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { DeferredCheck, deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { OWNERSHIP_FIELDS, requireText } from "../core/ownership";
import { ACTIONS, METRICS, NAMESPACE, STATE_KEY, monitorEvent } from "../runtime/aws/usage-contract";
import { AwsGrant } from "./grants";
import {
    DeclaredFunction,
    MAX_ROTATION_FUNCTION_NAME_CHARS,
    declareFunction,
    declareFunctionSchedule,
} from "./rotation-function";
import { checkChildName } from "./secret-rotator";
import { AwsServiceIdentity } from "./service-identity";
import { checkSnsTopic } from "./sns-topic";
import { registerUsageMonitor } from "./usage-settings";
import { ownershipTags, planTags } from "./tags";

export const AWS_USAGE_MONITOR_TYPE = "nhi:aws:UsageMonitor";

/** The purpose recorded on the function's identity unless `purpose` says otherwise (a tag value: no commas). */
export const DEFAULT_MONITOR_PURPOSE = "Reports unused and expiring machine identities of this account and region";
/** The purpose of the schedule's execution role. */
const SCHEDULE_PURPOSE = "Invokes the usage monitor function of this account and region on its schedule";
/** Once a day: thresholds are whole days. @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html */
export const DEFAULT_MONITOR_SCHEDULE = "rate(1 day)";
/**
 * `rate(<n> <unit>)` or `cron(<6 fields>)`, as EventBridge Scheduler writes them (a one-time
 * `at(...)` would run the monitor once).
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
const SCHEDULE_EXPRESSION = /^(rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/;
/**
 * Lambda's longest run: a worst day of 10,000 identities took 305 simulated seconds against the
 * throttling fake (README, "Scale"), a third of it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
 */
export const MONITOR_TIMEOUT_SECONDS = 900;
/**
 * 10,000 identities' details (GetAccountAuthorizationDetails pages of 1,000, a few KB each with
 * their policies) and the credential report (a CSV line per user) stay in the tens of MB; 512 MB
 * leaves room and buys more CPU than the minimum (Lambda allocates CPU in proportion to memory).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 */
export const MONITOR_MEMORY_MB = 512;
/**
 * How EventBridge Scheduler retries a run it could not deliver: for up to 6 hours, 20 times, as
 * the retire check (`RETIRE_RETRY_POLICY`); the next day's run starts afresh anyway.
 */
export const MONITOR_RETRY_POLICY = { maximumEventAgeInSeconds: 6 * 60 * 60, maximumRetryAttempts: 20 } as const;
/** The heartbeat alarm's period: one day, the default schedule's. */
export const HEARTBEAT_PERIOD_SECONDS = 86_400;

/** The arguments of {@link AwsUsageMonitor}. */
export interface AwsUsageMonitorArgs {
    /**
     * The team or person who answers for the monitor, recorded in the `nhi:owner` tag of its
     * function, roles and table. Same rules as `aws.ServiceIdentity`'s `owner`.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly owner: string;
    /**
     * Why the monitor exists, recorded in the `nhi:purpose` tag.
     * @default "Reports unused and expiring machine identities of this account and region"
     */
    readonly purpose?: string;
    /**
     * When the monitor runs: `rate(<n> <unit>)` or `cron(<6 fields>)`, in UTC. The heartbeat
     * alarm expects a run a day, so run at least daily.
     * @default "rate(1 day)"
     * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
     */
    readonly scheduleExpression?: string;
    /**
     * Also publish `DaysSinceLastUse` and `DaysToExpiry` per identity (dimension `Identity`). Two
     * custom metrics per identity, each billed per month (README, "What it costs").
     * @default false
     */
    readonly perIdentityMetrics?: boolean;
    /**
     * The SNS topics the function may publish notices to (least privilege: `sns:Publish` on these
     * only). Every identity's `nhi:notify` tag must be one of them, or its notices are refused by
     * IAM and the run counts as failed (the heartbeat alarm fires). At least one.
     * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
     */
    readonly notifyTopics: readonly pulumi.Input<string>[];
    /**
     * The SNS topic ARN the heartbeat alarm notifies when a run fails or none happens.
     * @default no action (the alarm's state is still visible in CloudWatch)
     */
    readonly alarmTopic?: pulumi.Input<string>;
    /**
     * Further tags for the function, its roles, log group, table and alarm. Keys starting `nhi:`
     * or `aws:` are reserved.
     * @default none
     */
    readonly tags?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Everything the constructor needs, validated: the output of {@link planAwsUsageMonitor}. */
export interface AwsUsageMonitorPlan {
    readonly owner: string;
    readonly purpose: string;
    readonly scheduleExpression: string;
    readonly perIdentityMetrics: boolean;
    readonly notifyTopics: readonly pulumi.Input<string>[];
    readonly alarmTopic?: pulumi.Input<string>;
    readonly userTagKeys: readonly string[];
    readonly later: readonly DeferredCheck[];
}

/** Validates `args` for a monitor called `name`, collecting every problem into one `InputPropertiesError`. Registers nothing. */
export function planAwsUsageMonitor(name: string, args: AwsUsageMonitorArgs): AwsUsageMonitorPlan {
    const problems = new Problems();
    const later: DeferredCheck[] = [];
    const a: Partial<AwsUsageMonitorArgs> = args ?? {};
    checkChildName(
        name,
        MAX_ROTATION_FUNCTION_NAME_CHARS,
        "the monitor's role and Lambda function",
        "the IAM role name derived from it may have 64",
        problems,
    );
    const withPurpose = { ...a, purpose: a.purpose ?? DEFAULT_MONITOR_PURPOSE };
    const { owner, purpose } = requireText(withPurpose, ["owner", "purpose"], problems, OWNERSHIP_FIELDS);
    const tags = planTags(a.tags, { owner, purpose }, problems);
    const scheduleExpression = a.scheduleExpression ?? DEFAULT_MONITOR_SCHEDULE;
    if (typeof scheduleExpression !== "string" || !SCHEDULE_EXPRESSION.test(scheduleExpression)) {
        problems.add(
            "scheduleExpression",
            `\`scheduleExpression\` must be \`rate(<n> <minutes|hours|days>)\` or \`cron(<minutes> <hours> <day of month> <month> <day of week> <year>)\`, such as \`${DEFAULT_MONITOR_SCHEDULE}\`; got ${describe(scheduleExpression)}.`,
        );
    }
    if (a.perIdentityMetrics !== undefined && typeof a.perIdentityMetrics !== "boolean") {
        problems.add(
            "perIdentityMetrics",
            `\`perIdentityMetrics\` must be true or false; got ${describe(a.perIdentityMetrics)}.`,
        );
    }
    const notifyTopics: pulumi.Input<string>[] = [];
    if (!Array.isArray(a.notifyTopics) || a.notifyTopics.length === 0) {
        problems.add(
            "notifyTopics",
            `\`notifyTopics\` must list at least one SNS topic ARN, the topics the identities' \`nhi:notify\` tags name; got ${describe(a.notifyTopics)}.`,
        );
    } else {
        a.notifyTopics.forEach((t, i) => {
            const checked = checkSnsTopic(t, `notifyTopics[${i}]`, problems, later);
            if (checked !== undefined) {
                notifyTopics.push(checked);
            }
        });
    }
    const alarmTopic =
        a.alarmTopic === undefined ? undefined : checkSnsTopic(a.alarmTopic, "alarmTopic", problems, later);
    problems.throwIfAny(`AwsUsageMonitor "${name}"`);
    return {
        owner,
        purpose,
        scheduleExpression,
        perIdentityMetrics: a.perIdentityMetrics ?? false,
        notifyTopics,
        alarmTopic,
        userTagKeys: tags.userKeys,
        later,
    };
}

/**
 * Exactly what the monitor function calls (`ACTIONS`, `runtime/aws/usage-contract.ts`): the IAM
 * reads on `*` (neither `GetAccountAuthorizationDetails` nor the credential report actions support
 * a resource ARN: Service Authorization Reference), `sns:Publish` on `notifyTopics` only, the
 * DynamoDB actions on its table only, `cloudwatch:PutMetricData` (no resource type) in the
 * `PulumiNhi` namespace only, and `secretsmanager:ListSecrets` on `*` (no resource type: it lists
 * secrets' metadata and tags, never a value).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 */
export function monitorGrants(
    notifyTopics: readonly pulumi.Input<string>[],
    tableArn: pulumi.Input<string>,
): AwsGrant[] {
    return [
        { actions: [...ACTIONS.iam], resources: ["*"], allowWildcard: true },
        { actions: [...ACTIONS.sns], resources: [...notifyTopics] },
        { actions: [...ACTIONS.dynamodb], resources: [tableArn] },
        { actions: [...ACTIONS.cloudwatch], resources: ["*"], allowWildcard: true, metricNamespace: NAMESPACE },
        { actions: [...ACTIONS.secretsmanager], resources: ["*"], allowWildcard: true },
    ];
}

/**
 * The usage monitor of one account and region: once a day (by default) a function of this package
 * reads every IAM role and user tagged `nhi:managed-by = pulumi-nhi`, works out which are idle,
 * expiring, expired or have access keys too old by their own tags, notifies each identity's
 * `nhi:notify` topic once per change of state, and publishes aggregate metrics; an alarm fires
 * when a run fails or none happens.
 *
 * Children: the DynamoDB state table `${name}-state`; the function's children (log group
 * `${name}-logs`, `AwsServiceIdentity` `${name}`, `aws.lambda.Function` `${name}`); the schedule
 * and its role (`${name}-schedule`); the heartbeat alarm `${name}-heartbeat`.
 */
export class AwsUsageMonitor extends pulumi.ComponentResource {
    /** The ARN of the monitor function. */
    public readonly functionArn: pulumi.Output<string>;
    /** The name of the DynamoDB table that holds each identity's last state. */
    public readonly stateTableName: pulumi.Output<string>;
    /** The name of the heartbeat alarm. */
    public readonly heartbeatAlarmName: pulumi.Output<string>;
    /** The function and its identity. */
    public readonly monitorFunction: DeclaredFunction;
    /** The schedule's execution role. */
    public readonly scheduleIdentity: AwsServiceIdentity;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link AwsUsageMonitorArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the AWS account and region of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: AwsUsageMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planAwsUsageMonitor(name, args);
        super(AWS_USAGE_MONITOR_TYPE, name, {}, withLegacyType(AWS_USAGE_MONITOR_TYPE, name, opts));
        // The identities of this provider find it by convention (`unusedAlarm`), in any order.
        registerUsageMonitor(this, { name, notifyTopics: plan.notifyTopics }, opts);
        const guard = deployTimeGuard(`AwsUsageMonitor "${name}"`, this, plan.later);
        const parent = { parent: this };
        const userTags =
            args.tags === undefined ? undefined : Object.fromEntries(plan.userTagKeys.map((k) => [k, args.tags![k]]));
        const tags = { ...userTags, ...ownershipTags({ owner: plan.owner, purpose: plan.purpose }) };
        // On-demand: a few hundred writes on a bad day, none on a quiet one. No point-in-time
        // recovery (billed per GB-month; a lost table costs one repeated notice per identity) and
        // no deletion protection (the state is rebuilt by the next run).
        // @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html
        const table = new aws.dynamodb.Table(
            `${name}-state`,
            {
                billingMode: "PAY_PER_REQUEST",
                hashKey: STATE_KEY,
                attributes: [{ name: STATE_KEY, type: "S" }],
                tags,
            },
            parent,
        );
        this.monitorFunction = declareFunction(this, name, {
            entry: "aws/usage-monitor",
            owner: plan.owner,
            purpose: plan.purpose,
            description: `Monitors machine identities' use and expiry (pulumi-nhi aws/usage-monitor): ${plan.purpose}`,
            grants: monitorGrants(
                plan.notifyTopics.map((t) => guard(t)),
                table.arn,
            ),
            memoryMb: MONITOR_MEMORY_MB,
            timeoutSeconds: MONITOR_TIMEOUT_SECONDS,
            tags: userTags,
        });
        const { identity } = declareFunctionSchedule(this, `${name}-schedule`, {
            functionArn: this.monitorFunction.functionArn,
            owner: plan.owner,
            purpose: SCHEDULE_PURPOSE,
            description: `Runs the pulumi-nhi usage monitor ${name}.`,
            scheduleExpression: plan.scheduleExpression,
            input: table.name.apply((t) => JSON.stringify(monitorEvent(t, plan.perIdentityMetrics))),
            retryPolicy: MONITOR_RETRY_POLICY,
            tags: userTags,
        });
        this.scheduleIdentity = identity;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const region = aws.getRegionOutput({}, parent).region;
        const actions = plan.alarmTopic === undefined ? [] : [guard(plan.alarmTopic)];
        // A day without any `MonitorRunSucceeded = 1` (Maximum: a retried run that succeeds clears a
        // failed one; failed runs only: 0; no run: no data, breaching).
        // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
        const alarm = new aws.cloudwatch.MetricAlarm(
            `${name}-heartbeat`,
            {
                alarmDescription: `The pulumi-nhi usage monitor ${name} did not complete a run in the last day: identities are not being checked.`,
                namespace: NAMESPACE,
                metricName: METRICS.runSucceeded,
                dimensions: { Account: account, Region: region },
                statistic: "Maximum",
                period: HEARTBEAT_PERIOD_SECONDS,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
                alarmActions: actions,
                okActions: actions,
                tags,
            },
            parent,
        );
        this.functionArn = this.monitorFunction.functionArn;
        this.stateTableName = table.name;
        this.heartbeatAlarmName = alarm.name;
        this.registerOutputs({});
    }
}
