/**
 * `gcp.UsageMonitor`: deploys the Google usage monitor function of this package for one project,
 * with everything its contract (components/runtime/gcp/usage-contract.ts) asks of the component: the
 * state bucket, the function and its least-privilege identity, the Cloud Scheduler job that calls it,
 * one log-based alerting policy per notification channel (how a notice reaches a channel), and the
 * heartbeat alerting policy. Every decision about record keys, notices, state, metrics, heartbeat,
 * schedule and permissions is the contract's; this file only declares the resources.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { DeferredCheck, checkNowOrLater, deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { requireText } from "../core/ownership";
import {
    ATTEMPT_DEADLINE,
    AUTO_CLOSE,
    FUNCTION_ENTRY,
    FUNCTION_TIMEOUT_SECONDS,
    HEARTBEAT_ABSENCE,
    NOTICE_LABEL_EXTRACTORS,
    NOTIFICATION_RATE_LIMIT,
    PERMISSIONS,
    SCHEDULE,
    SCHEDULER_RETRY,
    TIME_ZONE,
    heartbeatFilter,
    monitorEvent,
    noticeFilter,
    parseChannelName,
} from "../runtime/gcp/usage-contract";
import { GcpGrant, projectIdProblem } from "./grants";
import {
    RotationFunction,
    isRegion,
    planRotationFunction,
    rotationAccountId,
    rotationFunction,
    rotationOwnershipProblems,
} from "./rotation-function";
import { GcpServiceIdentity } from "./service-identity";
import { channelProblem, registerGcpUsageMonitor } from "./usage-settings";

export const GCP_USAGE_MONITOR_TYPE = "nhi:gcp:UsageMonitor";

/** The purpose recorded on the function's service account unless `purpose` says otherwise. */
export const DEFAULT_MONITOR_PURPOSE = "Reports unused and expiring machine identities of this project";

/**
 * Memory of the monitor's one instance: 10,000 accounts' records, activities and the state object
 * stay in the tens of MB; 512 MiB leaves room and buys a third of a vCPU (Cloud Run functions give CPU
 * in proportion to memory: 0.333 vCPU at 512 MiB).
 * @see https://cloud.google.com/functions/docs/configuring/memory
 */
export const MONITOR_MEMORY = "512M";

/**
 * A Cloud Scheduler cron: five fields (minute, hour, day of month, month, day of week) of digits,
 * names, `*`, `,`, `-` and `/`.
 * @see https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules
 */
const CRON = /^[0-9A-Za-z*,/-]+( [0-9A-Za-z*,/-]+){4}$/;

/** What the notice policies' notifications say; `${log.extracted_label.*}` are the contract's label extractors. @see https://cloud.google.com/monitoring/alerts/doc-variables */
const NOTICE_DOCUMENTATION =
    "pulumi-nhi usage monitor: ${log.extracted_label.changes} change(s) of state.\n\n${log.extracted_label.summary}\n\n" +
    "Every change, with its facts and advice, is in the log entry `jsonPayload.changes` (log `nhi-usage-notice`, label `nhi-part` 1 and later).";

/** The arguments of {@link GcpUsageMonitor}. */
export interface GcpUsageMonitorArgs {
    /**
     * The project whose service accounts and rotating secrets are monitored, and that holds the
     * monitor (its function, bucket, job, policies): a project ID. One monitor per project.
     * @see https://cloud.google.com/resource-manager/docs/creating-managing-projects
     */
    readonly project: string;
    /**
     * The region of the function, its state bucket and its Cloud Scheduler job, such as `europe-west1`.
     * @see https://cloud.google.com/functions/docs/locations
     */
    readonly region: string;
    /**
     * The team or person who answers for the monitor, recorded in the ownership record of its two
     * service accounts (with `purpose`, at most 256 bytes: Google's limit for a description).
     */
    readonly owner: string;
    /**
     * Why the monitor exists, recorded on its function's service account.
     * @default "Reports unused and expiring machine identities of this project"
     */
    readonly purpose?: string;
    /**
     * When the monitor runs: a Cloud Scheduler cron of five fields, in UTC. The heartbeat policy
     * fires when no run succeeded for 23 h 30 min (the longest metric-absence condition Cloud
     * Monitoring allows), so run at least twice a day.
     * @default "0 3,15 * * *" (03:00 and 15:00 UTC)
     * @see https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules
     */
    readonly schedule?: string;
    /**
     * Also write `days_since_last_use` and `days_to_expiry` per service account (metric label
     * `identity`): two time series per account, billed by the volume ingested (README, "What it costs").
     * @default false
     */
    readonly perIdentityMetrics?: boolean;
    /**
     * The notification channels that receive notices: each gets one log-based alerting policy that
     * turns the run's digest for it into one notification. Full names,
     * `projects/<project>/notificationChannels/<id>` (`channel.name` of a
     * `gcp.monitoring.NotificationChannel`), of `project`: a log-based condition sees only its own
     * project's logs. An identity whose `unusedAlarm.notify` names another channel gets a digest no
     * policy turns into a notification. At least one.
     * @see https://cloud.google.com/logging/docs/alerting/log-based-alerts
     */
    readonly notifyChannels: readonly pulumi.Input<string>[];
    /**
     * The notification channel the heartbeat policy notifies when no run succeeded for 23 h 30 min or
     * a run finished with failures: a full channel name of `project`, where the policy is.
     * @default none (the incident is still visible in Cloud Monitoring)
     */
    readonly alarmChannel?: pulumi.Input<string>;
}

/** One notice policy to declare: its stable key and the channel. */
export interface NoticeChannelPlan {
    /** The channel ID when the name is known now; `deferred-<n>` (n from 1, among channels known only at deploy time) otherwise. */
    readonly key: string;
    readonly channel: pulumi.Input<string>;
}

/** Everything the constructor needs, validated: the output of {@link planGcpUsageMonitor}. */
export interface GcpUsageMonitorPlan {
    readonly project: string;
    readonly region: string;
    readonly owner: string;
    readonly purpose: string;
    readonly schedule: string;
    readonly perIdentityMetrics: boolean;
    /** The runtime service account's ID; the scheduler's is it followed by `-inv`. */
    readonly accountId: string;
    readonly notifyChannels: readonly NoticeChannelPlan[];
    readonly alarmChannel?: pulumi.Input<string>;
    readonly later: readonly DeferredCheck[];
}

/** Validates `args` for a monitor called `name`, collecting every problem into one `InputPropertiesError`. Registers nothing. */
export function planGcpUsageMonitor(name: string, args: GcpUsageMonitorArgs): GcpUsageMonitorPlan {
    const problems = new Problems();
    const later: DeferredCheck[] = [];
    const a: Partial<GcpUsageMonitorArgs> = args ?? {};
    const projectProblem = projectIdProblem("project", a.project);
    if (projectProblem !== undefined) {
        problems.add("project", projectProblem);
    }
    if (!isRegion(a.region)) {
        problems.add(
            "region",
            `\`region\` must be the Google Cloud region of the monitor's function and job, such as \`europe-west1\`; got ${describe(a.region)}.`,
        );
    }
    const { owner } = requireText(a, ["owner"], problems, { owner: "the team or person who answers for the monitor" });
    if (a.purpose !== undefined && (typeof a.purpose !== "string" || a.purpose.trim() === "")) {
        problems.add(
            "purpose",
            `\`purpose\` must be a non-empty string (why the monitor exists); got ${describe(a.purpose)}.`,
        );
    }
    const purpose =
        typeof a.purpose === "string" && a.purpose.trim() !== "" ? a.purpose.trim() : DEFAULT_MONITOR_PURPOSE;
    const schedule = a.schedule ?? SCHEDULE;
    if (typeof schedule !== "string" || !CRON.test(schedule)) {
        problems.add(
            "schedule",
            `\`schedule\` must be a cron of five fields, \`<minute> <hour> <day of month> <month> <day of week>\`, run at least twice a day, such as \`${SCHEDULE}\`; got ${describe(schedule)}.`,
        );
    }
    if (a.perIdentityMetrics !== undefined && typeof a.perIdentityMetrics !== "boolean") {
        problems.add(
            "perIdentityMetrics",
            `\`perIdentityMetrics\` must be true or false; got ${describe(a.perIdentityMetrics)}.`,
        );
    }
    const project = typeof a.project === "string" ? a.project : "";
    // Channels are compared with the project only when it is one (its own problem is reported above).
    const channelProject = projectProblem === undefined ? project : undefined;
    const notifyChannels: NoticeChannelPlan[] = [];
    if (!Array.isArray(a.notifyChannels) || a.notifyChannels.length === 0) {
        problems.add(
            "notifyChannels",
            `\`notifyChannels\` must list at least one notification channel's full name, the channels the identities' \`unusedAlarm.notify\` name; got ${describe(a.notifyChannels)}.`,
        );
    } else {
        const seen = new Map<string, string>();
        let deferred = 0;
        a.notifyChannels.forEach((channel, i) => {
            const path = `notifyChannels[${i}]`;
            if (typeof channel === "string" || channel === undefined || channel === null) {
                // A channel is one alerting policy, keyed by its ID, whichever form of the project its name has.
                const id = typeof channel === "string" ? parseChannelName(channel)?.id : undefined;
                const first = id !== undefined ? seen.get(id) : undefined;
                const problem =
                    channelProblem(path, channel, channelProject) ??
                    (first !== undefined ? `\`${path}\` repeats \`${first}\`: list each channel once.` : undefined);
                if (problem !== undefined) {
                    problems.add(path, problem);
                } else {
                    seen.set(id!, path);
                    notifyChannels.push({ key: id!, channel: channel as string });
                }
            } else {
                later.push({ path, value: channel, problem: (v) => channelProblem(path, v, channelProject) });
                notifyChannels.push({ key: `deferred-${++deferred}`, channel });
            }
        });
    }
    if (a.alarmChannel !== undefined) {
        checkNowOrLater(
            {
                path: "alarmChannel",
                value: a.alarmChannel,
                problem: (v) => channelProblem("alarmChannel", v, channelProject),
            },
            problems,
            later,
        );
    }
    const accountId = rotationAccountId(name, "mon");
    if (owner !== undefined) {
        for (const p of rotationOwnershipProblems(owner, purpose, accountId, a.purpose !== undefined, "http"))
            problems.add(p.propertyPath, p.reason);
    }
    problems.throwIfAny(`GcpUsageMonitor "${name}"`);
    // The grants are the contract's constants (tested against the catalogue); the identities' own checks run here.
    planRotationFunction({ project, owner, purpose, accountId, grants: [], invokedBy: "http" });
    return {
        project,
        region: a.region!,
        owner,
        purpose,
        schedule,
        perIdentityMetrics: a.perIdentityMetrics ?? false,
        accountId,
        notifyChannels,
        ...(a.alarmChannel !== undefined ? { alarmChannel: a.alarmChannel } : {}),
        later,
    };
}

/**
 * Exactly the contract's {@link PERMISSIONS}, as two custom roles: the project's on `project` (IAM
 * has no condition that narrows a list, and the activity queries, log writes, metric writes are
 * project-wide), and the state object's on the state bucket only.
 */
export function monitorGrants(project: string, stateBucket: pulumi.Input<string>): GcpGrant[] {
    return [
        { resource: { project }, permissions: [...PERMISSIONS.project] },
        { resource: { bucket: stateBucket }, permissions: [...PERMISSIONS.stateBucket] },
    ];
}

/** The job's body: the contract's event, base64 as Cloud Scheduler's `httpTarget.body` takes it. */
export function monitorJobBody(project: string, stateBucket: string, perIdentityMetrics: boolean): string {
    return Buffer.from(JSON.stringify(monitorEvent(project, stateBucket, perIdentityMetrics)), "utf8").toString(
        "base64",
    );
}

/**
 * The usage monitor of one Google Cloud project: twice a day (by default) a function of this
 * package reads every service account whose ownership record says `"managedBy":"pulumi-nhi"` and
 * every rotating secret, works out which are idle, expiring, expired, have a key too old or a
 * rotation gone stale, by their own records, writes one digest per notification channel of the
 * changes of state, and publishes aggregate metrics; an alerting policy per channel turns its digest
 * into one notification, and the heartbeat policy fires when no run succeeded for 23 h 30 min.
 *
 * Children: the state bucket `${name}-state`; the function's (source bucket and object
 * `${name}-source`, `GcpServiceIdentity` `${name}-runtime` and `${name}-trigger`, the trigger's
 * invoker binding `${name}-invoker`, `cloudfunctionsv2.Function` `${name}`); the Cloud Scheduler
 * job `${name}-schedule`; an alerting policy `${name}-notify-<channel ID>` per channel; the
 * heartbeat policy `${name}-heartbeat`.
 */
export class GcpUsageMonitor extends pulumi.ComponentResource {
    /** The project it monitors. */
    public readonly project: string;
    /** The function's name. */
    public readonly functionName: pulumi.Output<string>;
    /** The name of the bucket that holds the state object. */
    public readonly stateBucketName: pulumi.Output<string>;
    /** The heartbeat alerting policy's name, `projects/<project>/alertPolicies/<id>`. */
    public readonly heartbeatPolicyName: pulumi.Output<string>;
    /** The notice alerting policies' names, one per channel, in the order of `notifyChannels`. */
    public readonly noticePolicyNames: pulumi.Output<string>[];
    /** The function, its identity and the identity Cloud Scheduler calls it as. */
    public readonly monitorFunction: RotationFunction;
    /** The identity the function runs as. */
    public readonly monitorIdentity: GcpServiceIdentity;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link GcpUsageMonitorArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the Google Cloud credentials and defaults of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: GcpUsageMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planGcpUsageMonitor(name, args);
        super(GCP_USAGE_MONITOR_TYPE, name, {}, withLegacyType(GCP_USAGE_MONITOR_TYPE, name, opts));
        // The identities and secrets of this project find it by convention (`unusedAlarm`, `rotationAlarm`), in any order.
        registerGcpUsageMonitor(
            this,
            { name, project: plan.project, notifyChannels: plan.notifyChannels.map((c) => c.channel) },
            opts,
        );
        const guard = deployTimeGuard(`GcpUsageMonitor "${name}"`, this, plan.later);
        const parent = { parent: this };
        const { project, region } = plan;
        this.project = project;
        // The monitor alone writes it: one object, rebuilt by the next run when lost, so no
        // versioning and nothing kept on removal.
        // @see https://cloud.google.com/storage/docs/uniform-bucket-level-access
        const bucket = new gcp.storage.Bucket(
            `${name}-state`,
            {
                project,
                location: region,
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                forceDestroy: true,
                labels: { "managed-by": "pulumi-nhi" },
            },
            parent,
        );
        const fn = rotationFunction(
            name,
            {
                project,
                region,
                owner: plan.owner,
                purpose: plan.purpose,
                accountId: plan.accountId,
                entry: FUNCTION_ENTRY,
                invokedBy: "http",
                grants: monitorGrants(project, bucket.name),
                memory: MONITOR_MEMORY,
                timeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
            },
            this,
        );
        // Cloud Scheduler's service agent mints the trigger's OIDC token (its role holds
        // iam.serviceAccounts.getOpenIdToken); the audience is the function's URL.
        // @see https://cloud.google.com/scheduler/docs/http-target-auth
        new gcp.cloudscheduler.Job(
            `${name}-schedule`,
            {
                project,
                region,
                description: `Runs the pulumi-nhi usage monitor ${name} of ${project}.`,
                schedule: plan.schedule,
                timeZone: TIME_ZONE,
                attemptDeadline: ATTEMPT_DEADLINE,
                retryConfig: { ...SCHEDULER_RETRY },
                httpTarget: {
                    uri: fn.function.url,
                    httpMethod: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: bucket.name.apply((b) => monitorJobBody(project, b, plan.perIdentityMetrics)),
                    oidcToken: { serviceAccountEmail: fn.trigger.email, audience: fn.function.url },
                },
            },
            { ...parent, dependsOn: [...fn.ready] },
        );
        this.noticePolicyNames = plan.notifyChannels.map(({ key, channel }) => {
            const checked = guard(channel);
            const id = pulumi.output(checked).apply((c) => parseChannelName(c)!.id);
            return new gcp.monitoring.AlertPolicy(
                `${name}-notify-${key}`,
                {
                    project,
                    displayName: pulumi.interpolate`pulumi-nhi usage notices of ${project} to channel ${id} (${name})`,
                    combiner: "OR",
                    conditions: [
                        {
                            displayName: "A usage notice digest for this channel",
                            conditionMatchedLog: {
                                filter: id.apply((i) => noticeFilter(project, i)),
                                labelExtractors: { ...NOTICE_LABEL_EXTRACTORS },
                            },
                        },
                    ],
                    alertStrategy: {
                        notificationRateLimit: { period: NOTIFICATION_RATE_LIMIT },
                        autoClose: AUTO_CLOSE,
                    },
                    notificationChannels: [checked],
                    documentation: {
                        mimeType: "text/markdown",
                        subject: "pulumi-nhi: ${log.extracted_label.changes} machine identity change(s) of state",
                        content: NOTICE_DOCUMENTATION,
                    },
                    severity: "WARNING",
                },
                parent,
            ).name;
        });
        // Two conditions, either fires: no `run_succeeded` point for 23 h 30 min (a monitor that
        // stopped, or crashed before its metrics), or a point below 1 (a run with failures).
        // @see https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#MetricAbsence
        const heartbeat = new gcp.monitoring.AlertPolicy(
            `${name}-heartbeat`,
            {
                project,
                displayName: `pulumi-nhi usage monitor ${name} of ${project}: no successful run`,
                combiner: "OR",
                conditions: [
                    {
                        displayName: "No run for 23 h 30 min",
                        conditionAbsent: {
                            filter: heartbeatFilter(),
                            duration: HEARTBEAT_ABSENCE,
                            trigger: { count: 1 },
                        },
                    },
                    {
                        displayName: "A run finished with failures",
                        conditionThreshold: {
                            filter: heartbeatFilter(),
                            comparison: "COMPARISON_LT",
                            thresholdValue: 1,
                            duration: "0s",
                            trigger: { count: 1 },
                        },
                    },
                ],
                notificationChannels: plan.alarmChannel === undefined ? [] : [guard(plan.alarmChannel)],
                documentation: {
                    mimeType: "text/markdown",
                    content: `The pulumi-nhi usage monitor ${name} did not complete a run of ${project} in the last 23 h 30 min, or its last run failed: identities are not being checked. See the logs of the function ${plan.accountId}.`,
                },
                severity: "ERROR",
            },
            parent,
        );
        this.functionName = fn.function.name;
        this.stateBucketName = bucket.name;
        this.heartbeatPolicyName = heartbeat.name;
        this.monitorFunction = fn;
        this.monitorIdentity = fn.runtime;
        this.registerOutputs({});
    }
}
