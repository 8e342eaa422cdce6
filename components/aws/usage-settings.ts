import * as pulumi from "@pulumi/pulumi";
import { AnyDeferredCheck, checkedAtDeployTime } from "../core/deferred";
import { Problems, describe, numberHint } from "../core/errors";
import { EXPIRY_WARNING_DAYS } from "../core/expiry";
import {
    MonitorTargets,
    UsageMonitorRegistry,
    MonitorLater as Later,
    checkMonitorTargets,
    isWholeIn,
    notAmongTargetsProblem,
    planExpiryNoticeDays,
} from "../core/usage-monitors";
import {
    EXPIRY_NOTICE_TAG,
    MAX_UNUSED_DAYS,
    MIN_UNUSED_DAYS,
    NOTIFY_TAG,
    UNUSED_AFTER_TAG,
} from "../runtime/aws/usage-contract";
import { checkSnsTopic, snsTopicProblem } from "./sns-topic";
import type { AwsUsageMonitor } from "./usage-monitor";

/*
 * What an AWS identity tells the usage monitor (`aws.UsageMonitor`) about itself: when it counts as
 * unused, whom to notify, how long before its expiry to say so. Recorded in the identity's own tags,
 * as the monitor's contract names them (runtime/aws/usage-contract.ts); the monitor reads them on
 * every run, so a change is a tag update, nothing else.
 */

/** When an identity counts as unused, and who hears about it: `unusedAlarm` of the AWS identities. */
export interface AwsUnusedAlarm {
    /**
     * Whole days without any use after which the usage monitor notifies `notify` (once, and once
     * more when the identity is used again). A role's use is IAM's `RoleLastUsed`; a user's, the
     * latest use of its access keys; never used counts from creation. 1–400: IAM records a role's
     * last use over the trailing 400 days only, so a longer threshold could not be told from
     * "never used since tracking began". Recorded in the `nhi:unused-after-days` tag.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
     */
    readonly afterDays: number;
    /**
     * The ARN of the SNS topic (standard or FIFO) that receives this identity's notices: unused,
     * expiring (see `expiryNoticeDays`), expired and, for an access key, a key not rotated in
     * time. Recorded in the `nhi:notify` tag. The usage monitor may publish only to its own
     * `notifyTopics`, so this topic must be one of them. An Output (`topic.arn`) is checked where
     * it resolves.
     * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
     */
    readonly notify: pulumi.Input<string>;
    /**
     * The usage monitor that checks this identity. Only needed where the monitor cannot be found
     * by convention: the `aws.UsageMonitor` the program declares with the same AWS provider
     * (the default provider, or the same `provider` option) as the identity, in any order.
     * Give it in a multi-language program (where components are constructed by the provider, which
     * never sees the end of the program) or a test without a stack (`pulumi.runtime.setMocks`),
     * when the monitor is declared after the identity.
     * @default the program's `aws.UsageMonitor` of the identity's AWS provider
     */
    readonly monitor?: AwsUsageMonitor;
}

/** Who hears when a secret's rotation stops succeeding: `rotationAlarm` of `aws.RotatingSecret`. */
export interface AwsRotationAlarm {
    /**
     * The ARN of the SNS topic (standard or FIFO) the usage monitor notifies when no rotation of
     * the secret has succeeded for longer than its period plus a day (never rotated: since its
     * creation), and again when one has. Recorded in the secret's `nhi:notify` tag. Must be among
     * the monitor's `notifyTopics`. An Output (`topic.arn`) is checked where it resolves.
     * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_SecretListEntry.html (LastRotatedDate)
     */
    readonly notify: pulumi.Input<string>;
    /**
     * The usage monitor that checks this secret, where the convention cannot find it (see
     * `unusedAlarm.monitor` of the identities).
     * @default the program's `aws.UsageMonitor` of the secret's AWS provider
     */
    readonly monitor?: AwsUsageMonitor;
}

/**
 * Checks `rotationAlarm` given at `value`: the topic and the monitor (see {@link planNotify}).
 */
export function planRotationAlarm(
    value: unknown,
    problems: Problems,
    later: AnyDeferredCheck[],
    opts?: pulumi.ComponentResourceOptions,
): { notify?: pulumi.Input<string>; monitorLater?: MonitorLater } {
    if (value === undefined) {
        return {};
    }
    if (value === null || typeof value !== "object" || Array.isArray(value) || pulumi.Output.isInstance(value)) {
        problems.add(
            "rotationAlarm",
            `\`rotationAlarm\` must be \`{ notify }\`, such as \`{ notify: topic.arn }\`; got ${describe(value)}.`,
        );
        return {};
    }
    const { notify, monitor } = value as Partial<AwsRotationAlarm>;
    return planNotify("rotationAlarm", notify, monitor, "secret", problems, later, opts);
}

/** The usage settings every AWS identity takes, beside its ownership and grants. */
export interface AwsUsageSettingsArgs {
    /**
     * Notify `notify` when nothing has used the identity for `afterDays` days. Needs an
     * `aws.UsageMonitor` for the identity's account and region in the stack, whose `notifyTopics`
     * hold `notify`: the monitor runs the check daily.
     * @default no unused alarm (the monitor still counts the identity, and notifies no one)
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
     */
    readonly unusedAlarm?: AwsUnusedAlarm;
    /**
     * How many whole days before `expiresAt` the identity counts as expiring: the usage monitor
     * then notifies `unusedAlarm.notify`, and every preview and update warns. 1–90; only with
     * `expiresAt`. Recorded in the `nhi:expiry-notice-days` tag when given.
     * @default 14 (the monitor's default and the preview warning's window)
     */
    readonly expiryNoticeDays?: number;
}

/** The usage settings, checked: the tags that record them and the notice window for warnings. */
export interface UsageSettingsPlan {
    /** The `nhi:` tags but `nhi:notify`: `nhi:unused-after-days`, `nhi:expiry-notice-days`. */
    readonly tags: Readonly<Record<string, string>>;
    /** The `nhi:notify` topic, a plain ARN already checked, or an Input checked where it resolves. */
    readonly notify?: pulumi.Input<string>;
    /** Days before `expiresAt` that warnings start: `expiryNoticeDays`, or the default. */
    readonly noticeDays: number;
    /**
     * Set when no usage monitor was found at construction and the program may still declare one:
     * the check that runs once the program has declared everything ({@link checkAfterProgram}).
     */
    readonly monitorLater?: MonitorLater;
}

/** Where to look for the usage monitor once the program has declared everything (`key`: the AWS provider). */
export interface MonitorLater extends Later {
    /** The alarm argument, `unusedAlarm` or `rotationAlarm`, for messages. */
    readonly alarm: string;
    /** What is checked, `identity` or `secret`, for messages. */
    readonly what: string;
}

/**
 * What the identities find of a usage monitor: the component and the topics it may publish to.
 * Registered by `AwsUsageMonitor`'s constructor ({@link registerUsageMonitor}).
 */
export interface UsageMonitorEntry {
    readonly name: string;
    readonly notifyTopics: readonly pulumi.Input<string>[];
}

/**
 * The usage monitors declared so far, by program and AWS provider (the provider resource;
 * {@link DEFAULT_PROVIDER} for the default): core/usage-monitors.ts, shared with Google's.
 */
const awsMonitors = new UsageMonitorRegistry<UsageMonitorEntry>();
/** The key of the default AWS provider. */
const DEFAULT_PROVIDER = {};

/** How `aws.UsageMonitor` names the topics it may publish to, for messages. */
const AWS_MONITOR_TARGETS: MonitorTargets<UsageMonitorEntry> = {
    component: "aws.UsageMonitor",
    field: "notifyTopics",
    noun: "topics",
    verb: "may publish to",
    name: (e) => e.name,
    targets: (e) => e.notifyTopics,
    wellFormed: (value) => snsTopicProblem("", value) === undefined,
};

/** Records `monitor` as the usage monitor of its AWS provider in the running program. */
export function registerUsageMonitor(
    monitor: object,
    entry: UsageMonitorEntry,
    opts: pulumi.ComponentResourceOptions | undefined,
): void {
    awsMonitors.register(monitor, awsProviderKey(opts), entry);
}

/**
 * The AWS provider a component declared with `opts` uses, as a key: its `provider` if that is an
 * AWS provider, its `providers` entry for `aws`, its parent's, or the default provider. Read
 * before the component is registered, as the SDK itself resolves it for the children.
 */
export function awsProviderKey(opts: pulumi.ComponentResourceOptions | undefined): object {
    const isAws = (p: unknown): p is pulumi.ProviderResource =>
        p instanceof pulumi.ProviderResource && (p as unknown as { getPackage(): string }).getPackage() === "aws";
    const providers = opts?.providers;
    const found = isAws(opts?.provider)
        ? opts!.provider
        : Array.isArray(providers)
          ? providers.find(isAws)
          : providers !== undefined
            ? (providers as Record<string, pulumi.ProviderResource>).aws
            : opts?.parent?.getProvider("aws:iam/role:Role");
    return found ?? DEFAULT_PROVIDER;
}

/**
 * Checks `unusedAlarm` and `expiryNoticeDays` (given `expiresAt`, the identity's validated expiry),
 * recording each problem; a `notify` known only at deploy time joins `later`. With `unusedAlarm`,
 * finds the usage monitor (`unusedAlarm.monitor`, or the one of the identity's provider, `opts`)
 * and checks that `notify` is among its topics; when none is declared yet, the plan says so
 * (`monitorLater`) if the program may still declare one, else it is a problem.
 */
export function planUsageSettings(
    a: Partial<AwsUsageSettingsArgs>,
    expiresAt: string | undefined,
    expiryGiven: boolean,
    problems: Problems,
    later: AnyDeferredCheck[],
    opts?: pulumi.ComponentResourceOptions,
): UsageSettingsPlan {
    const tags: Record<string, string> = {};
    let notify: pulumi.Input<string> | undefined;
    let monitorLater: MonitorLater | undefined;
    const alarm: unknown = a.unusedAlarm;
    if (alarm !== undefined) {
        if (alarm === null || typeof alarm !== "object" || Array.isArray(alarm) || pulumi.Output.isInstance(alarm)) {
            problems.add(
                "unusedAlarm",
                `\`unusedAlarm\` must be \`{ afterDays, notify }\`, such as \`{ afterDays: 90, notify: topic.arn }\`; got ${describe(alarm)}.`,
            );
        } else {
            const { afterDays, notify: topic, monitor } = alarm as Partial<AwsUnusedAlarm>;
            if (isWholeIn(afterDays, MIN_UNUSED_DAYS, MAX_UNUSED_DAYS)) {
                tags[UNUSED_AFTER_TAG] = String(afterDays);
            } else {
                problems.add(
                    "unusedAlarm.afterDays",
                    `\`unusedAlarm.afterDays\` must be a whole number of days from ${MIN_UNUSED_DAYS} to ${MAX_UNUSED_DAYS} (IAM records a role's last use over the trailing ${MAX_UNUSED_DAYS} days only, so a longer threshold could not be told from never used); got ${describe(afterDays)}.${numberHint(afterDays)}`,
                );
            }
            ({ notify, monitorLater } = planNotify("unusedAlarm", topic, monitor, "identity", problems, later, opts));
        }
    }
    const days = planExpiryNoticeDays(a.expiryNoticeDays, expiryGiven, problems);
    let noticeDays = EXPIRY_WARNING_DAYS;
    if (days !== undefined && expiresAt !== undefined) {
        tags[EXPIRY_NOTICE_TAG] = String(days);
        noticeDays = days;
    }
    return { tags, notify, noticeDays, monitorLater };
}

/**
 * Checks the topic `value` given at `${alarm}.notify` and finds the usage monitor that will publish
 * to it: `monitor` when given, else the program's monitor of the AWS provider of `opts`; checks
 * that the topic is among the monitor's `notifyTopics` (now, or where they resolve). When no
 * monitor is declared yet, returns where to look once the program has run, if the program may
 * still declare one (a stack resource exists), or records the problem. `what` names the component
 * (`identity`, `secret`) in messages. Shared by `unusedAlarm` and `rotationAlarm`.
 */
export function planNotify(
    alarm: string,
    value: unknown,
    monitor: unknown,
    what: string,
    problems: Problems,
    later: AnyDeferredCheck[],
    opts?: pulumi.ComponentResourceOptions,
): { notify?: pulumi.Input<string>; monitorLater?: MonitorLater } {
    const path = `${alarm}.notify`;
    const notify = checkSnsTopic(value, path, problems, later);
    // A plain value that is no topic is reported once, by its own check.
    if (notify === undefined || (typeof notify === "string" && snsTopicProblem(path, notify) !== undefined)) {
        return { notify };
    }
    if (monitor !== undefined) {
        const entry = awsMonitors.entryOf(monitor);
        if (entry === undefined) {
            problems.add(
                `${alarm}.monitor`,
                `\`${alarm}.monitor\` must be an \`aws.UsageMonitor\`; got ${describe(monitor)}. Leave it out to use the program's monitor of this ${what}'s AWS provider.`,
            );
        } else {
            checkMonitorTargets(path, notify, [entry], AWS_MONITOR_TARGETS, problems, later);
        }
        return { notify };
    }
    const found = awsMonitors.lookup(awsProviderKey(opts));
    if (found.found !== undefined) {
        checkMonitorTargets(path, notify, found.found, AWS_MONITOR_TARGETS, problems, later);
    } else if (found.later !== undefined) {
        return { notify, monitorLater: { ...found.later, alarm, what } };
    } else {
        problems.add(
            alarm,
            noMonitorProblem(
                alarm,
                what,
                notify,
                `none was declared before this ${what} with the same AWS provider, and without a stack resource (a multi-language program, or a test under \`pulumi.runtime.setMocks\`) a monitor declared later cannot be found`,
                true,
            ),
        );
    }
    return { notify };
}

/** The problem of `notify` when no monitor of the component's provider is found: `why` says where it was looked for. */
function noMonitorProblem(
    alarm: string,
    what: string,
    notify: pulumi.Input<string>,
    why: string,
    orMonitor: boolean,
): string {
    const topic = typeof notify === "string" ? `"${notify}"` : "topic.arn";
    return `\`${alarm}\` needs an \`aws.UsageMonitor\` of this ${what}'s account and region, to run its check daily, but ${why}. Add one with this topic: \`new nhi.aws.UsageMonitor("usage", { owner: "<team>", notifyTopics: [${topic}] })\`${orMonitor ? `, before this ${what} or as \`${alarm}.monitor\`` : `, with the same AWS provider as this ${what}`}.`;
}

/**
 * The check of an identity whose usage monitor was not declared before it: once the program has
 * declared everything (the stack resource's outputs resolve after the program's function has
 * returned, the one such moment the Pulumi SDK 3.248 offers), the program's monitor of its
 * provider is looked up, and `notify` checked against its topics, with the construction-time
 * words. Fails the run (an error logged on `component`, and a rejection no resource awaits: the
 * stack's outputs may wait for the identity's role, so nothing of the identity can wait for the
 * stack). A preview runs it too, so a missing monitor is reported before any update.
 */
export function checkAfterProgram(
    subject: string,
    component: pulumi.Resource,
    plan: { readonly notify?: pulumi.Input<string>; readonly monitorLater?: MonitorLater },
): void {
    const { monitorLater, notify } = plan;
    if (monitorLater === undefined || notify === undefined) {
        return;
    }
    const lookup = awsMonitors.afterProgram(monitorLater, (found) =>
        pulumi.all([notify, ...found.flatMap((m) => m.notifyTopics)]),
    );
    if (lookup === undefined) {
        return;
    }
    const { alarm, what } = monitorLater;
    checkedAtDeployTime(subject, component, lookup, ({ found, values }, problems) => {
        const [topic, ...topics] = values as string[];
        const monitors = found as UsageMonitorEntry[];
        if (monitors.length === 0) {
            problems.add(
                alarm,
                noMonitorProblem(alarm, what, notify, "the program declares none with the same AWS provider", false),
            );
            return;
        }
        const problem = notAmongTargetsProblem(`${alarm}.notify`, topic, monitors, topics, AWS_MONITOR_TARGETS);
        if (problem !== undefined) {
            problems.add(`${alarm}.notify`, problem);
        }
    });
}

/**
 * The `nhi:notify` tag, when there is a topic: a plain ARN as it is (checked already), an Input
 * through `guard`, so that no resource carries it before its deploy-time check has passed.
 */
export function notifyTag(
    plan: { readonly notify?: pulumi.Input<string> },
    guard: <T>(v: pulumi.Input<T>) => pulumi.Input<T>,
): Record<string, pulumi.Input<string>> {
    return plan.notify === undefined
        ? {}
        : { [NOTIFY_TAG]: typeof plan.notify === "string" ? plan.notify : guard(plan.notify) };
}
