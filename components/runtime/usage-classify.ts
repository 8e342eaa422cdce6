/**
 * What every cloud's usage monitor shares (AWS `aws/usage-*.ts`, Google `gcp/usage-*.ts`): the
 * states an identity can be in, the bounds of the thresholds an identity carries (issue 8), and the
 * classification of one identity on one day from plain facts. Plain data in, plain data out, no
 * import at all: the contracts re-export it, so a component that reads a contract at construction
 * loads this file too, and each function's archive holds it beside its own folder (`usage-classify.js`).
 */

export const DAY_MS = 86_400_000;

/**
 * `unusedAlarm.afterDays`: 1–400 whole days. AWS records a role's last use over a trailing 400
 * days, so "unused for more than 400 days" cannot be told from "never used since tracking began".
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html (tracking period)
 */
export const MIN_UNUSED_DAYS = 1;
export const MAX_UNUSED_DAYS = 400;
/** The expiry notice window: the default is the preview's warning window (`EXPIRY_WARNING_DAYS`). */
export const DEFAULT_EXPIRY_NOTICE_DAYS = 14;
export const MIN_EXPIRY_NOTICE_DAYS = 1;
export const MAX_EXPIRY_NOTICE_DAYS = 90;
/**
 * The age in days past which a credential (an AWS access key, a Google service account key) is
 * `key-too-old`: 1–730, the longest rotation period (365 days) plus the longest grace (364) plus a
 * day. Not bounded by IAM's 400-day tracking window: a key's age is its creation date (AWS: in the
 * credential report; Google: the key's `validAfterTime`), kept for the key's life.
 */
export const MIN_KEY_AGE_DAYS = 1;
export const MAX_KEY_AGE_DAYS = 730;

/**
 * An identity's state, worst first: one state at a time, so that "one notice per state change" has
 * one meaning. `ok` is the state of an identity the monitor holds no record of.
 */
export type UsageState = "expired" | "expiring" | "key-too-old" | "idle" | "ok";
export const STATES: readonly UsageState[] = ["expired", "expiring", "key-too-old", "idle", "ok"];

/** The thresholds one identity carries (absent: that check never raises its state). */
export interface UsageThresholds {
    readonly unusedAfterDays?: number;
    readonly expiresAt?: Date;
    readonly expiryNoticeDays: number;
    readonly keyMaxAgeDays?: number;
}

/** What the monitor knows of one identity's use on one run. */
export interface UsageFacts {
    /** The latest use seen (of the identity or any of its credentials), or undefined when none was. */
    readonly lastUsed?: Date;
    /** Where "never used" counts from: the identity's creation, or the nearest known bound of it. */
    readonly created: Date;
    /** When the oldest credential still in service (an Active access key, an enabled user-managed key) was made. */
    readonly oldestKey?: Date;
    /** Counting of "days since last use" stops here (default `now`): Google's usage data lags, see gcp/usage-contract.ts. */
    readonly observedUntil?: Date;
}

export interface Classification {
    readonly state: UsageState;
    /** Whole days since the last use, or since `created` when never used. */
    readonly daysSinceLastUse: number;
    readonly neverUsed: boolean;
    /** Whole days to `expiresAt`, negative once past; absent with no expiry. */
    readonly daysToExpiry?: number;
    /** Whole days since the oldest credential in service was made; absent with none. */
    readonly keyAgeDays?: number;
}

/**
 * The identity's state at `now`, worst first: `expired` (at or past `expiresAt`), `expiring`
 * (within `expiryNoticeDays` of it), `key-too-old` (the oldest credential in service older than
 * `keyMaxAgeDays`), `idle` (no use for at least `unusedAfterDays` whole days, counted from
 * `created` when never used, and up to `observedUntil`), else `ok`.
 */
export function classify(th: UsageThresholds, facts: UsageFacts, now: Date): Classification {
    const t = now.getTime();
    const neverUsed = facts.lastUsed === undefined;
    const since = facts.lastUsed?.getTime() ?? facts.created.getTime();
    const until = Math.min(t, facts.observedUntil?.getTime() ?? t);
    const daysSinceLastUse = Math.max(0, Math.floor((until - since) / DAY_MS));
    const left = th.expiresAt === undefined ? undefined : th.expiresAt.getTime() - t;
    const daysToExpiry = left === undefined ? undefined : Math.floor(left / DAY_MS);
    const keyAgeDays =
        facts.oldestKey === undefined ? undefined : Math.max(0, Math.floor((t - facts.oldestKey.getTime()) / DAY_MS));
    const state: UsageState =
        left !== undefined && left <= 0
            ? "expired"
            : left !== undefined && left <= th.expiryNoticeDays * DAY_MS
              ? "expiring"
              : keyAgeDays !== undefined && th.keyMaxAgeDays !== undefined && keyAgeDays > th.keyMaxAgeDays
                ? "key-too-old"
                : th.unusedAfterDays !== undefined && daysSinceLastUse >= th.unusedAfterDays
                  ? "idle"
                  : "ok";
    return { state, daysSinceLastUse, neverUsed, daysToExpiry, keyAgeDays };
}

/** A whole number of days written as 1–3 digits within [min, max], or undefined. */
export function wholeDays(v: unknown, min: number, max: number): number | undefined {
    const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,3}$/.test(v) ? Number(v) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}
