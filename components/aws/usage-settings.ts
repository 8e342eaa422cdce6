import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck } from "../core/deferred";
import { Problems, describe, numberHint } from "../core/errors";
import { EXPIRY_WARNING_DAYS } from "../core/expiry";
import {
    EXPIRY_NOTICE_TAG,
    MAX_EXPIRY_NOTICE_DAYS,
    MAX_UNUSED_DAYS,
    MIN_EXPIRY_NOTICE_DAYS,
    MIN_UNUSED_DAYS,
    NOTIFY_TAG,
    UNUSED_AFTER_TAG,
} from "../runtime/aws/usage-contract";
import { checkSnsTopic } from "./sns-topic";

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
}

/**
 * Checks `unusedAlarm` and `expiryNoticeDays` (given `expiresAt`, the identity's validated expiry),
 * recording each problem; a `notify` known only at deploy time joins `later`.
 */
export function planUsageSettings(a: Partial<AwsUsageSettingsArgs>, expiresAt: string | undefined, expiryGiven: boolean, problems: Problems, later: DeferredCheck[]): UsageSettingsPlan {
    const tags: Record<string, string> = {};
    let notify: pulumi.Input<string> | undefined;
    const alarm: unknown = a.unusedAlarm;
    if (alarm !== undefined) {
        if (alarm === null || typeof alarm !== "object" || Array.isArray(alarm) || pulumi.Output.isInstance(alarm)) {
            problems.add("unusedAlarm", `\`unusedAlarm\` must be \`{ afterDays, notify }\`, such as \`{ afterDays: 90, notify: topic.arn }\`; got ${describe(alarm)}.`);
        } else {
            const { afterDays, notify: topic } = alarm as Partial<AwsUnusedAlarm>;
            if (isWholeIn(afterDays, MIN_UNUSED_DAYS, MAX_UNUSED_DAYS)) {
                tags[UNUSED_AFTER_TAG] = String(afterDays);
            } else {
                problems.add("unusedAlarm.afterDays", `\`unusedAlarm.afterDays\` must be a whole number of days from ${MIN_UNUSED_DAYS} to ${MAX_UNUSED_DAYS} (IAM records a role's last use over the trailing ${MAX_UNUSED_DAYS} days only, so a longer threshold could not be told from never used); got ${describe(afterDays)}.${numberHint(afterDays)}`);
            }
            notify = checkSnsTopic(topic, "unusedAlarm.notify", problems, later);
        }
    }
    const days: unknown = a.expiryNoticeDays;
    let noticeDays = EXPIRY_WARNING_DAYS;
    if (days !== undefined) {
        if (!isWholeIn(days, MIN_EXPIRY_NOTICE_DAYS, MAX_EXPIRY_NOTICE_DAYS)) {
            problems.add("expiryNoticeDays", `\`expiryNoticeDays\` must be a whole number of days from ${MIN_EXPIRY_NOTICE_DAYS} to ${MAX_EXPIRY_NOTICE_DAYS}; got ${describe(days)}.${numberHint(days)}`);
        } else if (!expiryGiven) {
            problems.add("expiryNoticeDays", `\`expiryNoticeDays\` (${days}) says how many days before \`expiresAt\` the identity counts as expiring, but \`expiresAt\` is not set: set \`expiresAt\`, or remove \`expiryNoticeDays\`.`);
        } else if (expiresAt !== undefined) {
            tags[EXPIRY_NOTICE_TAG] = String(days);
            noticeDays = days;
        }
    }
    return { tags, notify, noticeDays };
}

/**
 * The `nhi:notify` tag, when there is a topic: a plain ARN as it is (checked already), an Input
 * through `guard`, so that no resource carries it before its deploy-time check has passed.
 */
export function notifyTag(plan: UsageSettingsPlan, guard: <T>(v: pulumi.Input<T>) => pulumi.Input<T>): Record<string, pulumi.Input<string>> {
    return plan.notify === undefined ? {} : { [NOTIFY_TAG]: typeof plan.notify === "string" ? plan.notify : guard(plan.notify) };
}

function isWholeIn(v: unknown, min: number, max: number): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}
