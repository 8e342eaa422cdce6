/**
 * What the Google usage monitor function (`usage-monitor.ts`), the `gcp.UsageMonitor` component that
 * deploys it, and the components that record thresholds (`gcp.ServiceIdentity`, `gcp.RotatingSecret`)
 * agree on: where each identity's thresholds live, which accounts and secrets are ours, the event,
 * the state object, how a notice reaches a notification channel, the metrics, the heartbeat rule, the
 * schedule, and every permission the function uses.
 *
 * Imports no SDK (only `../usage-classify.ts` and `./rotation.ts`, neither of which requires a
 * package): a component reads it at construction, in the user's Pulumi program. Runs in the cloud
 * too: `usage-monitor.js` requires it.
 *
 * ## Decisions, and why
 *
 * **Thresholds live in the ownership record**: the service account's description, the JSON object
 * `components/gcp/description.ts` renders (`{"owner":…,"purpose":…,"expiresAt":…,"managedBy":"pulumi-nhi"}`).
 * Service accounts have no labels, and the description is the one free-text field the account has.
 * It holds at most 256 UTF-8 bytes (IAM `ServiceAccount.description`), so the keys are short:
 * `"unused":N` (`unusedAlarm.afterDays`), `"notify":"<channel id>"` (`unusedAlarm.notify`, the
 * channel's ID only: the channel is in the account's project), `"notice":N` (`expiryNoticeDays`,
 * written only when not the default 14) and `"keyAge":N` (`key-too-old` for accounts with a rotated
 * key: the key's period plus its grace plus a day). Together at most {@link MAX_USAGE_SETTINGS_BYTES}
 * bytes ({@link usageSettingsBytes} gives the exact figure, for the component's size check).
 * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts (description: 256 bytes)
 *
 * **Which accounts are ours**: those whose description parses as JSON with `"managedBy":"pulumi-nhi"`.
 * Every other account (Google's service agents, default accounts, other tools') is ignored.
 *
 * **Last use**: Policy Analyzer's Activity Analyzer, activity types `serviceAccountLastAuthentication`
 * and `serviceAccountKeyLastAuthentication` (a key's use is a use of its account), queried for the whole
 * project, no filter, `pageSize` 1,000 (the maximum), paged by `nextPageToken`: about 2 calls per 1,000
 * accounts. Each activity's `activity.lastAuthenticatedTime` is a day, not an instant (always
 * `T07:00:00Z` or `T08:00:00Z`: the US Pacific day), and recent events may be missing: the data
 * covers `observationPeriod` only (the reference does not say how far it trails today). So a use on a
 * reported day counts as at the end of that day, and days since last use are counted up to the end
 * of the observation period, not to now: the data's lag delays an `idle` notice by as much and never
 * raises a false one (a lag over 3 days is logged as stale). The field is absent
 * for an account never used; an account may also be absent altogether. Disabled keys are not
 * reported; deleted keys may be. The API is in Preview and must be enabled in the project.
 * @see https://cloud.google.com/policy-intelligence/docs/activity-analyzer-service-account-authentication
 * @see https://cloud.google.com/policy-intelligence/docs/reference/policyanalyzer/rest/v1/projects.locations.activityTypes.activities/query
 *
 * **Never used counts from the first run that saw the account**: IAM's `ServiceAccount` has no
 * creation time (its fields are name, projectId, uniqueId, email, displayName, etag, description,
 * oauth2ClientId, disabled), and the description is rendered from the program, so it cannot hold the
 * deploy time without changing every preview. The monitor records when it first saw each account in
 * its state object; when the account has user-managed keys, the oldest key's `validAfterTime` is an
 * earlier bound and is used when earlier. An account that existed before the monitor counts from
 * the monitor's first run: never a false `idle`, at worst one period late.
 *
 * **Listing**: IAM `projects.serviceAccounts.list`, `pageSize` 100 (the maximum), with `disabled`
 * (a disabled account is still monitored: it can be enabled again). Keys:
 * `serviceAccounts.keys.list?keyTypes=USER_MANAGED`, one call per account, only for accounts whose
 * record has `keyAge` (the others are never `key-too-old`, so their keys need not be read). IAM allows
 * 6,000 read requests per minute per project; the function paces itself below that.
 * @see https://cloud.google.com/iam/quotas
 *
 * **Rotation health** (`gcp.RotatingSecret`, and `gcp.ServiceIdentity`'s `key`): Secret Manager
 * `secrets.list` (`pageSize` up to 25,000) picks the secrets with label {@link PERIOD_LABEL}
 * (`nhi-rotate-every-days`, which every rotating secret of this package has); its notify channel is
 * the label {@link NOTIFY_LABEL} (`nhi-notify`, the channel ID: label values are at most 63
 * lower-case letters, digits, `_` and `-`, so no `/`; the channel is in the secret's project). The
 * newest ENABLED version's `createTime` comes from `versions.list`, which Secret Manager counts as
 * a read request (600 per minute per project): so a secret's versions are read only when its
 * recorded newest version is older than its period (it could be stale now) or unknown, and at most
 * {@link MAX_SECRET_CHECKS_PER_RUN} per run. A secret is `rotation-stale` when no version was added
 * for its period plus {@link ROTATION_SLACK_DAYS} day.
 * @see https://cloud.google.com/secret-manager/quotas
 *
 * **Notices reach a notification channel through a log-based alerting policy**: Cloud Monitoring has
 * no "send to channel" API. The function writes structured log entries to the log
 * {@link NOTICE_LOG_ID}; the component creates one log-based alerting policy per distinct channel,
 * matching {@link noticeFilter}. Log-based policies notify at most once per 5 minutes and 20 times a
 * day per policy; entries beyond are recorded but notify no one. So the function writes, per channel
 * and run, one digest of every change of state for that channel: the first entry (label
 * `nhi-part` = `1`) carries a summary the policy extracts into its notification; when there are more
 * than {@link MAX_CHANGES_PER_ENTRY} changes, later parts (`2`, `3`, …) carry the rest and do not
 * match the filter. Runs are 12 hours apart and Cloud Scheduler retries no sooner than
 * {@link SCHEDULER_RETRY}`.minBackoffDuration` (10 min), so each policy fires at most a few times a
 * day. The policy's `notificationRateLimit.period` must be {@link NOTIFICATION_RATE_LIMIT} and its
 * channel in the same project as the log (a log-based condition evaluates only its own project's logs).
 * @see https://cloud.google.com/logging/docs/alerting/log-based-incidents (1 per 5 minutes, 20 a day)
 * @see https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies (LogMatch, labelExtractors)
 *
 * **State**: one JSON object ({@link STATE_OBJECT}) in a Cloud Storage bucket the monitor alone
 * writes, read once per run and written once at its end, only when something changed, with
 * `ifGenerationMatch` the generation it read (0: must not exist), so two overlapping runs cannot
 * overwrite each other (the loser fails with 412 and its changes are redone by the next run). A bucket
 * and one object cost nothing measurable, need no database to be created first (Firestore needs
 * one per project, possibly in the other mode), and one write per run stays far below Cloud Storage's
 * one write per second per object. Replacing an object needs `storage.objects.delete` beside
 * `storage.objects.create`. Digests are written before the state: a crash between the two sends a
 * change again the next run (a duplicate), never loses one.
 * @see https://cloud.google.com/storage/docs/request-preconditions
 * @see https://cloud.google.com/storage/docs/access-control/iam-permissions (replacing an object)
 *
 * **The exposed-key policy**: once per run, and only when some account of ours records `keyAge` (an
 * account with a key this package rotates: the only accounts whose keys it watches), the project's
 * effective organization policy for {@link EXPOSURE_CONSTRAINT} is read with Org Policy API v2
 * `projects.policies.getEffectivePolicy` (GET; the current API: Resource Manager v1's
 * `getEffectiveOrgPolicy` is the legacy one). A keyless project makes no call, and so needs neither
 * the Org Policy API enabled nor a failure when it is not. The reference names the permission
 * `orgpolicy.policies.get`, which no role of Google's catalogue holds; the permission its roles
 * grant for reading a policy (`roles/orgpolicy.policyViewer`) is `orgpolicy.policy.get`, which is
 * the one granted. The response is a `Policy`; {@link exposureResponseOn} reads its `spec.rules`:
 * no rules (no policy set anywhere above the project) is Google's default since 16 June 2024,
 * `DISABLE_KEY`; anything that is not plainly `DISABLE_KEY` only is "off" (a false notice is
 * cheaper than a silent one). When off, the project is `exposure-response-off`: one change in the
 * digest of every channel that has an account with `keyAge` (the owners of the keys at risk), once
 * per change of state like an account's, and back to `ok` once fixed; the metric
 * `exposed_key_response_off` is 1 (0 when on; absent when not read). A policy that cannot be read
 * (403: permission or API disabled) is a failed step: logged, its state kept, `run_succeeded` 0, so
 * the heartbeat tells the alarm channel that the check is not happening.
 * @see https://cloud.google.com/resource-manager/docs/reference/orgpolicy/rest/v2/projects.policies/getEffectivePolicy
 * @see https://cloud.google.com/resource-manager/docs/organization-policy/restricting-service-accounts
 * @see https://cloud.google.com/blog/products/identity-security/automatically-disabling-leaked-service-account-keys-what-you-need-to-know
 *
 * **Metrics**: custom metrics ({@link METRIC_PREFIX}…, GAUGE INT64, monitored resource `global`)
 * written with `projects.timeSeries.create`, at most {@link MAX_SERIES_PER_CALL} series per call,
 * one point per series per run.
 * @see https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/create
 *
 * **Heartbeat**: a metric-absence condition lasts at most 23 h 30 min (issue 8 says so; the API
 * reference states only its 120 s minimum, so the component round should confirm it), shorter than a day.
 * So the monitor runs every 12 hours ({@link SCHEDULE}), and the component's heartbeat policy has two
 * conditions, combined OR: `run_succeeded` absent for {@link HEARTBEAT_ABSENCE} (a monitor that stopped,
 * or crashed before its metrics, is noticed within a day of its last run), and `run_succeeded` below 1
 * (a run that finished with failures). See {@link heartbeatFilter}.
 *
 * **The event**: Cloud Scheduler's HTTP target POSTs {@link MonitorEvent} as JSON, with an OIDC token
 * of the scheduler's identity, to the function's URL. An HTTP function may run up to 60 minutes where an
 * event-driven one stops at 9; Cloud Scheduler waits at most 30 minutes for an HTTP target
 * ({@link ATTEMPT_DEADLINE}), which is the function's timeout too.
 * @see https://cloud.google.com/functions/docs/configuring/timeout (60 min HTTP, 9 min event-driven)
 * @see https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#Job (attemptDeadline)
 */
import { DEFAULT_EXPIRY_NOTICE_DAYS, UsageState } from "../usage-classify";

export {
    DEFAULT_EXPIRY_NOTICE_DAYS,
    MAX_EXPIRY_NOTICE_DAYS,
    MAX_KEY_AGE_DAYS,
    MAX_UNUSED_DAYS,
    MIN_EXPIRY_NOTICE_DAYS,
    MIN_KEY_AGE_DAYS,
    MIN_UNUSED_DAYS,
} from "../usage-classify";
export { PERIOD_LABEL } from "./rotation";

// ---- The ownership record (the service account's description) -------------------------------

export const MANAGED_BY_KEY = "managedBy";
export const MANAGED_BY_VALUE = "pulumi-nhi";
/** The UTC instant `YYYY-MM-DDTHH:MM:SSZ` after which the account is expired (already in the record). */
export const EXPIRES_AT_KEY = "expiresAt";
export const OWNER_KEY = "owner";
/** `unusedAlarm.afterDays`: a JSON number, 1–400. */
export const UNUSED_KEY = "unused";
/** `unusedAlarm.notify`: the notification channel's ID, a JSON string of digits ({@link CHANNEL_ID}). */
export const NOTIFY_KEY = "notify";
/** `expiryNoticeDays`: a JSON number, 1–90; absent means {@link DEFAULT_EXPIRY_NOTICE_DAYS}. */
export const NOTICE_KEY = "notice";
/** The age in days past which an enabled user-managed key is `key-too-old`: a JSON number, 1–730 (`MAX_KEY_AGE_DAYS`). */
export const KEY_AGE_KEY = "keyAge";

/**
 * A notification channel's ID: the last segment of `projects/<project>/notificationChannels/<id>`,
 * which Cloud Monitoring assigns (a decimal number in every example of its reference).
 * @see https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.notificationChannels
 */
export const CHANNEL_ID = /^[0-9]{1,20}$/;
/**
 * A channel's full name, with the project's ID or its number: Cloud Monitoring takes
 * `projects/[PROJECT_ID_OR_NUMBER]` and names the channel it creates with "a normalized version"
 * of that prefix, without saying which form, so `channel.name` may carry either.
 * @see https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.notificationChannels/create
 */
const CHANNEL_NAME = /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})\/notificationChannels\/([0-9]{1,20})$/;

/** The channel's project and ID, when `name` is a notification channel's full name. */
export function parseChannelName(name: string): { project: string; id: string } | undefined {
    const m = CHANNEL_NAME.exec(name);
    return m === null ? undefined : { project: m[1], id: m[2] };
}

export function channelName(project: string, id: string): string {
    return `projects/${project}/notificationChannels/${id}`;
}

/** What a component records in the ownership record for the monitor (each absent field is not written). */
export interface UsageSettings {
    readonly unusedAfterDays?: number;
    /** The channel ID (not its full name). */
    readonly notify?: string;
    readonly expiryNoticeDays?: number;
    readonly keyMaxAgeDays?: number;
}

/**
 * The record's monitor fields, in this order, to be spread into the description's JSON object:
 * `expiryNoticeDays` only when it differs from the default.
 */
export function renderUsageSettings(s: UsageSettings): Record<string, string | number> {
    return {
        ...(s.unusedAfterDays !== undefined ? { [UNUSED_KEY]: s.unusedAfterDays } : {}),
        ...(s.notify !== undefined ? { [NOTIFY_KEY]: s.notify } : {}),
        ...(s.expiryNoticeDays !== undefined && s.expiryNoticeDays !== DEFAULT_EXPIRY_NOTICE_DAYS
            ? { [NOTICE_KEY]: s.expiryNoticeDays }
            : {}),
        ...(s.keyMaxAgeDays !== undefined ? { [KEY_AGE_KEY]: s.keyMaxAgeDays } : {}),
    };
}

/** The bytes the monitor fields add to the description: `,"key":value` for each one written. */
export function usageSettingsBytes(s: UsageSettings): number {
    return Object.entries(renderUsageSettings(s)).reduce(
        (n, [k, v]) => n + Buffer.byteLength(`,${JSON.stringify(k)}:${JSON.stringify(v)}`, "utf8"),
        0,
    );
}

/**
 * The most the monitor fields can take: `,"unused":400` (13) + `,"notify":"<20 digits>"` (32) +
 * `,"notice":90` (12) + `,"keyAge":730` (13).
 */
export const MAX_USAGE_SETTINGS_BYTES = 70;

// ---- Secrets (rotation health) ----------------------------------------------------------------

/** A rotating secret's label holding its notification channel's ID. */
export const NOTIFY_LABEL = "nhi-notify";
/** A rotation is stale when no version was added for its period plus this many days. */
export const ROTATION_SLACK_DAYS = 1;
/** Secret Manager allows 600 read requests a minute per project: a run reads at most this many secrets' versions. */
export const MAX_SECRET_CHECKS_PER_RUN = 3000;

// ---- States ------------------------------------------------------------------------------------

/** A service account's states (shared with AWS), a rotating secret's `rotation-stale` and the project's `exposure-response-off`. */
export type GcpUsageState = UsageState | "rotation-stale" | typeof EXPOSURE_OFF;
/** Worst first: the order of a digest's summary. */
export const GCP_STATES: readonly GcpUsageState[] = [
    "expired",
    "expiring",
    "exposure-response-off",
    "key-too-old",
    "idle",
    "rotation-stale",
    "ok",
];

// ---- The exposed-key organization policy -----------------------------------------------------------

/** The list constraint saying what Google does with a user-managed key it finds exposed in public. */
export const EXPOSURE_CONSTRAINT = "iam.serviceAccountKeyExposureResponse";
/** Google disables the exposed key: the value this package wants, and Google's default since 16 June 2024. */
export const DISABLE_KEY = "DISABLE_KEY";
/** Google leaves an exposed key working until it is abused. */
export const WAIT_FOR_ABUSE = "WAIT_FOR_ABUSE";
/** The project's state when its effective policy is not `DISABLE_KEY`. */
export const EXPOSURE_OFF = "exposure-response-off";

/** One rule of an Org Policy v2 `PolicySpec` (the fields read; `condition` is already evaluated in an effective policy). */
export interface PolicyRule {
    readonly values?: { readonly allowedValues?: readonly string[]; readonly deniedValues?: readonly string[] };
    readonly allowAll?: boolean;
    readonly denyAll?: boolean;
}

/**
 * Whether an effective policy's rules for {@link EXPOSURE_CONSTRAINT} disable exposed keys: no rules
 * (nothing set) is Google's default, `DISABLE_KEY`; otherwise only when `DISABLE_KEY` is allowed (or
 * `WAIT_FOR_ABUSE` denied) and `WAIT_FOR_ABUSE` is not allowed, `DISABLE_KEY` not denied, and no rule
 * allows or denies all. Values may carry the `is:` prefix.
 * @see https://cloud.google.com/resource-manager/docs/reference/orgpolicy/rest/v2/organizations.policies#PolicyRule
 */
export function exposureResponseOn(rules: readonly PolicyRule[]): boolean {
    if (rules.length === 0) return true;
    const has = (list: readonly string[] | undefined, v: string) =>
        (list ?? []).some((x) => x.replace(/^is:/, "") === v);
    if (rules.some((r) => r.allowAll === true || r.denyAll === true)) return false;
    const allowed = (v: string) => rules.some((r) => has(r.values?.allowedValues, v));
    const denied = (v: string) => rules.some((r) => has(r.values?.deniedValues, v));
    return !allowed(WAIT_FOR_ABUSE) && !denied(DISABLE_KEY) && (allowed(DISABLE_KEY) || denied(WAIT_FOR_ABUSE));
}

// ---- The event ---------------------------------------------------------------------------------

/** The value of `nhiAction` in the monitor's event. */
export const MONITOR_ACTION = "monitorUsage";

/**
 * The body Cloud Scheduler POSTs: exactly these fields. `project` is the project whose accounts and
 * secrets are monitored (and where the notices, metrics and state go); `stateBucket` the bucket that
 * holds {@link STATE_OBJECT}; `perIdentityMetrics` adds two series per account (billed by volume).
 */
export interface MonitorEvent {
    readonly nhiAction: typeof MONITOR_ACTION;
    readonly project: string;
    readonly stateBucket: string;
    readonly perIdentityMetrics: boolean;
}

export function monitorEvent(project: string, stateBucket: string, perIdentityMetrics = false): MonitorEvent {
    return { nhiAction: MONITOR_ACTION, project, stateBucket, perIdentityMetrics };
}

/** A project ID: 6–30 lower-case letters, digits and hyphens, starting with a letter. @see https://cloud.google.com/resource-manager/docs/creating-managing-projects */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** A bucket name without dots: 3–63 lower-case letters, digits, `-` and `_`. @see https://cloud.google.com/storage/docs/buckets#naming */
const BUCKET = /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/;

/** Whether `event` is exactly the monitor's event. */
export function isMonitorEvent(event: unknown): event is MonitorEvent {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
        return false;
    }
    const e = event as Record<string, unknown>;
    return (
        Object.keys(e).sort().join(",") === "nhiAction,perIdentityMetrics,project,stateBucket" &&
        e.nhiAction === MONITOR_ACTION &&
        typeof e.project === "string" &&
        PROJECT_ID.test(e.project) &&
        typeof e.stateBucket === "string" &&
        BUCKET.test(e.stateBucket) &&
        typeof e.perIdentityMetrics === "boolean"
    );
}

// ---- The state object --------------------------------------------------------------------------

/** The object in `stateBucket` that holds the last state of every account and secret. */
export const STATE_OBJECT = "nhi-usage-monitor/state.json";

/** What {@link STATE_OBJECT} holds (JSON). Times are ISO 8601 instants. */
export interface StateFile {
    readonly v: 1;
    /** By the account's `uniqueId` (an account deleted and re-created under its email starts afresh). */
    readonly accounts: Readonly<Record<string, AccountRecord>>;
    /** By the secret's resource name. */
    readonly secrets: Readonly<Record<string, SecretRecord>>;
    /** The project's last notified exposed-key state, when not `ok` (absent in older state objects: `ok`). */
    readonly exposure?: { readonly state: typeof EXPOSURE_OFF; readonly since: string };
}

export interface AccountRecord {
    readonly email: string;
    /** The first run that saw the account: where "never used" counts from. */
    readonly firstSeen: string;
    /** The last state notified (absent: `ok`), and since when. */
    readonly state?: UsageState;
    readonly since?: string;
}

export interface SecretRecord {
    /** The newest enabled version's `createTime` when last read. */
    readonly newest?: string;
    readonly state?: "rotation-stale";
    readonly since?: string;
}

// ---- Notices -----------------------------------------------------------------------------------

/** The log the digests are written to: `projects/<project>/logs/nhi-usage-notice`, resource `global`. */
export const NOTICE_LOG_ID = "nhi-usage-notice";
/** The entry label holding the channel ID a digest is for. */
export const NOTICE_CHANNEL_LABEL = "nhi-channel";
/** The entry label holding the part number of a digest (`1` for the first). */
export const NOTICE_PART_LABEL = "nhi-part";
/** At most this many changes per entry (an entry holds at most 256 KB; a change is well under 500 bytes). @see https://cloud.google.com/logging/quotas */
export const MAX_CHANGES_PER_ENTRY = 200;
/** The summary the policy puts in its notification: at most this many characters. */
export const MAX_SUMMARY_CHARS = 1000;
/** The policy's `alertStrategy.notificationRateLimit.period` (Google's minimum for log-based policies) and `autoClose`. */
export const NOTIFICATION_RATE_LIMIT = "300s";
export const AUTO_CLOSE = "1800s";
/**
 * The policy's `conditionMatchedLog.labelExtractors`: the notification can show them as
 * `${log.extracted_label.summary}` and `${log.extracted_label.changes}` in its documentation.
 */
export const NOTICE_LABEL_EXTRACTORS: Readonly<Record<string, string>> = {
    summary: "EXTRACT(jsonPayload.summary)",
    changes: "EXTRACT(jsonPayload.changeCount)",
};

/** The `conditionMatchedLog.filter` of the policy for channel `channelId` in `project`: the first entry of each digest for it. */
export function noticeFilter(project: string, channelId: string): string {
    return `logName="projects/${project}/logs/${NOTICE_LOG_ID}" AND labels."${NOTICE_CHANNEL_LABEL}"="${channelId}" AND labels."${NOTICE_PART_LABEL}"="1"`;
}

/** One change of state in a digest's `changes`: facts only, never a credential. */
export interface NoticeChange {
    readonly kind: "serviceAccount" | "secret" | "project";
    /** The account's email, the secret's resource name, or `projects/<project>` (the exposed-key policy). */
    readonly identity: string;
    readonly owner?: string;
    readonly state: GcpUsageState;
    readonly previousState: GcpUsageState;
    readonly daysSinceLastUse?: number;
    readonly neverUsed?: boolean;
    readonly unusedAfterDays?: number;
    readonly expiresAt?: string;
    readonly daysToExpiry?: number;
    readonly keyAgeDays?: number;
    readonly keyMaxAgeDays?: number;
    /** The project: the effective policy's rules for {@link EXPOSURE_CONSTRAINT}, as read. */
    readonly exposureRules?: readonly PolicyRule[];
    /** Secrets: the newest version's time and the rotation period in days. */
    readonly newestVersion?: string;
    readonly rotationPeriodDays?: number;
    readonly advice: string;
}

/** The `jsonPayload` of a digest entry. */
export interface NoticePayload {
    readonly source: "pulumi-nhi";
    readonly channel: string;
    /** The run's start, the same in every part. */
    readonly run: string;
    readonly part: number;
    readonly parts: number;
    /** Changes in the whole digest (all parts). */
    readonly changeCount: number;
    /** One line per state reached, naming the first identities: what the notification shows. */
    readonly summary: string;
    readonly changes: readonly NoticeChange[];
}

// ---- Metrics -----------------------------------------------------------------------------------

/** Every metric's type starts so; kind GAUGE, value INT64, resource `global` (label `project_id`). */
export const METRIC_PREFIX = "custom.googleapis.com/pulumi_nhi/";
export const METRIC_RESOURCE = "global";
/** `projects.timeSeries.create`: at most 200 series per request. */
export const MAX_SERIES_PER_CALL = 200;
/** Aggregate metrics, no metric label: one series each per project. */
export const METRICS = {
    monitored: "identities_monitored",
    idle: "identities_idle",
    expiring: "identities_expiring",
    expired: "identities_expired",
    keyTooOld: "keys_too_old",
    rotationStale: "secrets_rotation_stale",
    /** 1 when the project's effective {@link EXPOSURE_CONSTRAINT} is not `DISABLE_KEY`, 0 when it is; sent only by a run that read it. */
    exposureResponseOff: "exposed_key_response_off",
    /** 1 after a run that evaluated everything and wrote every digest and its state, 0 after one that did not; nothing when no run. */
    runSucceeded: "run_succeeded",
} as const;
/** Per-account metrics (`perIdentityMetrics`), metric label {@link IDENTITY_LABEL} = the account's email. */
export const IDENTITY_METRICS = {
    daysSinceLastUse: "days_since_last_use",
    daysToExpiry: "days_to_expiry",
} as const;
export const IDENTITY_LABEL = "identity";

// ---- Schedule and heartbeat --------------------------------------------------------------------

/** Cloud Scheduler's cron: 03:00 and 15:00 UTC ({@link TIME_ZONE}). */
export const SCHEDULE = "0 3,15 * * *";
export const TIME_ZONE = "Etc/UTC";
/** Cloud Scheduler: an HTTP target's attempt deadline is 15 s–30 min; the function's timeout is the same. */
export const ATTEMPT_DEADLINE = "1800s";
export const FUNCTION_TIMEOUT_SECONDS = 1800;
/** The job's `retryConfig`: a retried run starts at least 10 minutes later, past a log-based policy's 5-minute limit. */
export const SCHEDULER_RETRY = {
    retryCount: 2,
    minBackoffDuration: "600s",
    maxBackoffDuration: "3600s",
    maxDoublings: 1,
} as const;
/** The heartbeat's absence condition: 23 h 30 min, the longest Cloud Monitoring allows. */
export const HEARTBEAT_ABSENCE = "84600s";

/** The heartbeat conditions' `filter`: the `run_succeeded` series (of the policy's project). */
export function heartbeatFilter(): string {
    return `metric.type="${METRIC_PREFIX}${METRICS.runSucceeded}" AND resource.type="${METRIC_RESOURCE}"`;
}

// ---- The function and its permissions ----------------------------------------------------------

/** The runtime entry (`components/runtime/gcp/usage-index.ts`), its entry point and its pinned dependencies. */
export const FUNCTION_ENTRY = {
    file: "gcp/usage-index",
    entryPoint: "monitorUsage",
    dependencies: { "@google-cloud/functions-framework": "5.0.5", "google-auth-library": "11.3.4" },
} as const;

/**
 * Exactly the permissions the function uses (checked against the fakes' call logs in
 * test/runtime/gcp/usage-monitor.test.ts), for a custom role the component grants:
 * - `project`, on the monitored project: listing accounts and their keys (IAM has no condition to
 *   narrow a list; key listing shows public metadata only), the two activity queries, writing the
 *   digests and metrics, listing secrets and their versions (metadata, never a payload), reading the
 *   effective exposed-key organization policy;
 * - `stateBucket`, on the state bucket only: reading and replacing {@link STATE_OBJECT}.
 */
export const PERMISSIONS = {
    project: [
        "iam.serviceAccountKeys.list",
        "iam.serviceAccounts.list",
        "logging.logEntries.create",
        "monitoring.timeSeries.create",
        "orgpolicy.policy.get",
        "policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query",
        "policyanalyzer.serviceAccountLastAuthenticationActivities.query",
        "secretmanager.secrets.list",
        "secretmanager.versions.list",
    ],
    stateBucket: ["storage.objects.create", "storage.objects.delete", "storage.objects.get"],
} as const;
