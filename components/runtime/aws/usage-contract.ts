/**
 * What the AWS usage monitor function (`usage-monitor.ts`) and the components that record
 * thresholds on identities (and, later, the `aws.UsageMonitor` component that deploys it) agree on:
 * the tags it reads, its event, its state table's shape, its metrics, and every action it calls.
 *
 * A file of its own that imports no SDK (only the cloud-neutral `../usage-classify.ts`, itself
 * import-free): a component reads it at construction, in the user's Pulumi program, where the AWS
 * SDK v3 the function imports is not installed (see access-key-contract.ts). Runs in the cloud
 * too: `usage-monitor.js` requires it.
 */

/** The tag that marks an identity this package manages; the monitor ignores every other role and user. */
export const MANAGED_BY_TAG = "nhi:managed-by";
export const MANAGED_BY_VALUE = "pulumi-nhi";
/** When the identity expires: the UTC instant `YYYY-MM-DDTHH:MM:SSZ` (components/core/expiry.ts). */
export const EXPIRES_AT_TAG = "nhi:expires-at";
/** `unusedAlarm.afterDays`: a whole number of days, {@link MIN_UNUSED_DAYS}–{@link MAX_UNUSED_DAYS}. */
export const UNUSED_AFTER_TAG = "nhi:unused-after-days";
/** `unusedAlarm.notify`: the ARN of the SNS topic that receives this identity's notices. */
export const NOTIFY_TAG = "nhi:notify";
/** `expiryNoticeDays`: how many days before `nhi:expires-at` the identity is `expiring`, 1–90. */
export const EXPIRY_NOTICE_TAG = "nhi:expiry-notice-days";
/**
 * IAM users only: the age in days past which an Active access key is `key-too-old`, 1–730 (for
 * `aws.AccessKeyIdentity`, its rotation period plus its grace plus a day: a key older than that
 * means rotation has stopped).
 */
export const KEY_MAX_AGE_TAG = "nhi:key-max-age-days";

/**
 * The thresholds' bounds and the states, shared with Google (`../usage-classify.ts`): 1–400 days
 * unused (IAM records a role's last use over a trailing 400 days), an expiry notice of 1–90 days
 * (14 by default), a key age of 1–400 days; states worst first, one at a time.
 */
export {
    DEFAULT_EXPIRY_NOTICE_DAYS,
    MAX_EXPIRY_NOTICE_DAYS,
    MAX_KEY_AGE_DAYS,
    MAX_UNUSED_DAYS,
    MIN_EXPIRY_NOTICE_DAYS,
    MIN_KEY_AGE_DAYS,
    MIN_UNUSED_DAYS,
} from "../usage-classify";
import { STATES as IDENTITY_STATES, UsageState as IdentityState } from "../usage-classify";

/**
 * The states the AWS monitor records: an identity's (`usage-classify.ts`), and a secret's
 * `rotation-stale`, worst first, `ok` last.
 */
export type UsageState = IdentityState | "rotation-stale";
export const STATES: readonly UsageState[] = [...IDENTITY_STATES.filter((s) => s !== "ok"), "rotation-stale", "ok"];

/**
 * Secrets: every Secrets Manager secret tagged {@link MANAGED_BY_TAG} = {@link MANAGED_BY_VALUE}
 * (`aws.RotatingSecret`, the key secret of `aws.AccessKeyIdentity`) whose rotation is configured is
 * `rotation-stale` when no rotation has succeeded for longer than its period
 * (`RotationRules.AutomaticallyAfterDays`) plus {@link ROTATION_SLACK_DAYS}, counted from its last
 * rotation (`LastRotatedDate`) or, never rotated, from its creation; else `ok`. Its notices go to
 * its own {@link NOTIFY_TAG} (`rotationAlarm.notify`). Its state table key is the secret's ARN (a
 * secret deleted and re-created under the same name has another ARN suffix).
 */
export const ROTATION_SLACK_DAYS = 1;

/** The value of `nhiAction` in the monitor's event. */
export const MONITOR_ACTION = "monitorUsage";

/**
 * The event the component's EventBridge Scheduler schedule sends (daily by default): exactly these
 * fields. `stateTable` is the name of the DynamoDB table the monitor alone writes (see
 * usage-monitor.ts, "Where the last state is kept"); `perIdentityMetrics` adds two metrics per
 * identity (billed per metric per month).
 */
export interface MonitorEvent {
    readonly nhiAction: typeof MONITOR_ACTION;
    readonly stateTable: string;
    readonly perIdentityMetrics: boolean;
}

/** The monitor's event. */
export function monitorEvent(stateTable: string, perIdentityMetrics = false): MonitorEvent {
    return { nhiAction: MONITOR_ACTION, stateTable, perIdentityMetrics };
}

/**
 * The state table: partition key {@link STATE_KEY} (type S), the identity's unique id (`RoleId` or
 * `UserId`: a role deleted and re-created under the same name starts afresh). Attributes:
 * `state` (S, never `ok`), `since` (S, the instant the state was recorded), `arn` (S).
 */
export const STATE_KEY = "identity";

/** The namespace of every metric the monitor publishes. */
export const NAMESPACE = "PulumiNhi";
/** Aggregate metrics, dimensions `Account` and `Region` only (one metric each per monitor). */
export const METRICS = {
    monitored: "IdentitiesMonitored",
    idle: "IdentitiesIdle",
    expiring: "IdentitiesExpiringSoon",
    expired: "IdentitiesExpired",
    keyTooOld: "AccessKeysTooOld",
    /** Managed secrets whose rotation has not succeeded for longer than their period plus a day. */
    rotationStale: "SecretsRotationStale",
    /**
     * 1 after a run that evaluated every identity and sent every notice, 0 after one that did not;
     * nothing when the monitor did not run. The component's heartbeat alarm fires on `< 1` and
     * treats missing data as breaching, so a monitor that stops running is noticed.
     */
    runSucceeded: "MonitorRunSucceeded",
} as const;
/** Per-identity metrics (only with `perIdentityMetrics`), dimensions `Account`, `Region`, `Identity` (the ARN). */
export const IDENTITY_METRICS = {
    daysSinceLastUse: "DaysSinceLastUse",
    daysToExpiry: "DaysToExpiry",
} as const;

/**
 * Every action the function calls, for the component that grants its identity exactly these: the
 * IAM ones and `secretsmanager:ListSecrets` account-wide (none supports a resource ARN), `sns:Publish` on the topics its
 * identities name, the DynamoDB ones on its table, `cloudwatch:PutMetricData` with a
 * `cloudwatch:namespace` condition of {@link NAMESPACE}. Checked against the fakes' call logs
 * (test/runtime/aws/usage-monitor.test.ts).
 */
export const ACTIONS = {
    iam: ["iam:GenerateCredentialReport", "iam:GetAccountAuthorizationDetails", "iam:GetCredentialReport"],
    sns: ["sns:Publish"],
    dynamodb: ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan"],
    cloudwatch: ["cloudwatch:PutMetricData"],
    /** Account-wide: `ListSecrets` supports no resource ARN (Service Authorization Reference). */
    secretsmanager: ["secretsmanager:ListSecrets"],
} as const;
