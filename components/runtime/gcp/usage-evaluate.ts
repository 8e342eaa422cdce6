/**
 * The Google usage monitor's pure part: an account's thresholds from its ownership record, last use
 * from Policy Analyzer's activities, a rotating secret's health, and the per-channel digests. Plain
 * data in, plain data out, no SDK: tested with tables (test/runtime/gcp/usage-monitor.test.ts). The
 * classification itself is shared with AWS (`../usage-classify.ts`).
 */
import {
    Classification,
    classify,
    DAY_MS,
    MAX_EXPIRY_NOTICE_DAYS,
    MAX_KEY_AGE_DAYS,
    MAX_UNUSED_DAYS,
    MIN_EXPIRY_NOTICE_DAYS,
    MIN_KEY_AGE_DAYS,
    MIN_UNUSED_DAYS,
    wholeDays,
} from "../usage-classify";
import type { Activity } from "./usage-apis";
import {
    CHANNEL_ID,
    DEFAULT_EXPIRY_NOTICE_DAYS,
    EXPIRES_AT_KEY,
    GCP_STATES,
    GcpUsageState,
    KEY_AGE_KEY,
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    MAX_CHANGES_PER_ENTRY,
    MAX_SUMMARY_CHARS,
    NOTICE_KEY,
    NoticeChange,
    NoticePayload,
    NOTIFY_KEY,
    NOTIFY_LABEL,
    OWNER_KEY,
    PERIOD_LABEL,
    ROTATION_SLACK_DAYS,
    UNUSED_KEY,
} from "./usage-contract";

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** What an ownership record says to the monitor. */
export interface AccountThresholds {
    readonly owner?: string;
    readonly unusedAfterDays?: number;
    readonly notify?: string;
    readonly expiresAt?: Date;
    readonly expiryNoticeDays: number;
    readonly keyMaxAgeDays?: number;
    /** Record keys whose value is not what the contract allows: each is ignored (its default) and logged by name. */
    readonly invalid: readonly string[];
}

/** The thresholds in `description`, or undefined when it is not an ownership record of this package (the account is not ours). */
export function readRecord(description: string | undefined): AccountThresholds | undefined {
    let v: unknown;
    try {
        v = JSON.parse(description ?? "");
    } catch {
        return undefined;
    }
    if (
        v === null ||
        typeof v !== "object" ||
        Array.isArray(v) ||
        (v as Record<string, unknown>)[MANAGED_BY_KEY] !== MANAGED_BY_VALUE
    ) {
        return undefined;
    }
    const r = v as Record<string, unknown>;
    const invalid: string[] = [];
    const days = (key: string, min: number, max: number): number | undefined => {
        if (r[key] === undefined) return undefined;
        const n = typeof r[key] === "number" ? wholeDays(r[key], min, max) : undefined;
        if (n === undefined) invalid.push(key);
        return n;
    };
    const unusedAfterDays = days(UNUSED_KEY, MIN_UNUSED_DAYS, MAX_UNUSED_DAYS);
    const expiryNoticeDays =
        days(NOTICE_KEY, MIN_EXPIRY_NOTICE_DAYS, MAX_EXPIRY_NOTICE_DAYS) ?? DEFAULT_EXPIRY_NOTICE_DAYS;
    const keyMaxAgeDays = days(KEY_AGE_KEY, MIN_KEY_AGE_DAYS, MAX_KEY_AGE_DAYS);
    let notify: string | undefined;
    if (r[NOTIFY_KEY] !== undefined) {
        if (typeof r[NOTIFY_KEY] === "string" && CHANNEL_ID.test(r[NOTIFY_KEY] as string))
            notify = r[NOTIFY_KEY] as string;
        else invalid.push(NOTIFY_KEY);
    }
    let expiresAt: Date | undefined;
    if (r[EXPIRES_AT_KEY] !== undefined) {
        const ms =
            typeof r[EXPIRES_AT_KEY] === "string" && INSTANT.test(r[EXPIRES_AT_KEY] as string)
                ? Date.parse(r[EXPIRES_AT_KEY] as string)
                : NaN;
        if (Number.isNaN(ms)) invalid.push(EXPIRES_AT_KEY);
        else expiresAt = new Date(ms);
    }
    const owner = typeof r[OWNER_KEY] === "string" ? (r[OWNER_KEY] as string) : undefined;
    return { owner, unusedAfterDays, notify, expiresAt, expiryNoticeDays, keyMaxAgeDays, invalid };
}

/** The account email an activity is about (an account's, or a key's account's). */
export function activityAccount(fullResourceName: string): string | undefined {
    const m = /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/([^/]+)(?:\/keys\/[^/]+)?$/.exec(
        fullResourceName,
    );
    return m === null ? undefined : m[1];
}

/** What the activities say of one account: its last use (the end of the reported day) and how far the data reaches. */
export interface UseEvidence {
    readonly lastUsed?: number;
    readonly observedUntil?: number;
}

/**
 * Per account email: the latest use over its own and its keys' activities, counted at the end of the
 * reported day (the API reports the day, not the instant), and the latest observation end.
 */
export function useByAccount(activities: readonly Activity[]): Map<string, UseEvidence> {
    const out = new Map<string, UseEvidence>();
    for (const a of activities) {
        const email = activityAccount(a.fullResourceName);
        if (email === undefined) continue;
        const prev = out.get(email) ?? {};
        const used = a.lastAuthenticated === undefined ? undefined : a.lastAuthenticated + DAY_MS;
        const lastUsed = Math.max(prev.lastUsed ?? -Infinity, used ?? -Infinity);
        const observedUntil = Math.max(prev.observedUntil ?? -Infinity, a.observedUntil ?? -Infinity);
        out.set(email, {
            ...(Number.isFinite(lastUsed) ? { lastUsed } : {}),
            ...(Number.isFinite(observedUntil) ? { observedUntil } : {}),
        });
    }
    return out;
}

/** One account's facts on one run. */
export interface AccountFacts {
    readonly evidence?: UseEvidence;
    /** The latest observation end over the whole project: for accounts the activities do not mention. */
    readonly projectObservedUntil?: number;
    readonly firstSeen: number;
    /** The account's enabled user-managed keys' `validAfterTime`s (read only with a `keyAge` threshold). */
    readonly keyTimes?: readonly { readonly validAfterTime: number; readonly disabled: boolean }[];
}

/** The account's state at `now` (see usage-contract.ts: last use, never used, lag). */
export function evaluateAccount(th: AccountThresholds, f: AccountFacts, now: Date): Classification {
    const keys = f.keyTimes ?? [];
    const oldestAny = keys.length === 0 ? undefined : Math.min(...keys.map((k) => k.validAfterTime));
    const enabled = keys.filter((k) => !k.disabled).map((k) => k.validAfterTime);
    const created = Math.min(f.firstSeen, oldestAny ?? Infinity);
    const observedUntil = f.evidence?.observedUntil ?? f.projectObservedUntil;
    return classify(
        th,
        {
            lastUsed: f.evidence?.lastUsed === undefined ? undefined : new Date(f.evidence.lastUsed),
            created: new Date(created),
            oldestKey: enabled.length === 0 ? undefined : new Date(Math.min(...enabled)),
            observedUntil: observedUntil === undefined ? undefined : new Date(observedUntil),
        },
        now,
    );
}

/** A rotating secret's settings from its labels, or undefined when it is not a rotating secret of this package. */
export function readSecretLabels(
    labels: Readonly<Record<string, string>>,
): { readonly periodDays: number; readonly notify?: string } | undefined {
    const period = labels[PERIOD_LABEL];
    if (period === undefined || !/^\d{1,3}$/.test(period) || Number(period) < 1) return undefined;
    const notify = labels[NOTIFY_LABEL];
    return { periodDays: Number(period), ...(notify !== undefined && CHANNEL_ID.test(notify) ? { notify } : {}) };
}

/** Whether the secret's versions must be read this run: its newest version is unknown, or a period old (a rotation was due). */
export function secretDue(newest: number | undefined, periodDays: number, now: Date): boolean {
    return newest === undefined || now.getTime() >= newest + periodDays * DAY_MS;
}

/** `rotation-stale` when no version was added for the period plus {@link ROTATION_SLACK_DAYS}; `ok` otherwise (or with no version at all yet). */
export function secretState(newest: number | undefined, periodDays: number, now: Date): "rotation-stale" | "ok" {
    return newest !== undefined && now.getTime() > newest + (periodDays + ROTATION_SLACK_DAYS) * DAY_MS
        ? "rotation-stale"
        : "ok";
}

export const ADVICE: Readonly<Record<GcpUsageState, string>> = {
    expired:
        "The service account has expired: its IAM conditions refuse it. Renew `expiresAt` and update the stack, or remove the identity from the program.",
    expiring:
        "Set a later `expiresAt` and update the stack before it expires, or remove the identity if it is no longer needed.",
    "key-too-old":
        "The service account key has not been rotated in time: check the key rotator's logs and its secret's versions.",
    idle: "Nothing has used this service account for longer than its threshold: remove it if its job is over, or raise `unusedAlarm.afterDays`.",
    "exposure-response-off":
        "Google will not disable this project's service account keys when it finds them exposed in public: the effective organization policy `iam.serviceAccountKeyExposureResponse` is not `DISABLE_KEY`. Ask an organization administrator to allow only `DISABLE_KEY` (`gcloud org-policies describe iam.serviceAccountKeyExposureResponse --effective --project=<project>` shows it).",
    "rotation-stale":
        "No new version for longer than the rotation period plus a day: check the rotation function's logs and its trigger.",
    ok: "Back within its thresholds.",
};

/**
 * The digest of `changes` for one channel: its entries' payloads, {@link MAX_CHANGES_PER_ENTRY}
 * changes each; every part carries the summary of the whole digest.
 */
export function digest(channel: string, project: string, run: Date, changes: readonly NoticeChange[]): NoticePayload[] {
    const parts = Math.max(1, Math.ceil(changes.length / MAX_CHANGES_PER_ENTRY));
    const summary = summarize(project, changes);
    return Array.from({ length: parts }, (_, i) => ({
        source: "pulumi-nhi" as const,
        channel,
        run: run.toISOString(),
        part: i + 1,
        parts,
        changeCount: changes.length,
        summary,
        changes: changes.slice(i * MAX_CHANGES_PER_ENTRY, (i + 1) * MAX_CHANGES_PER_ENTRY),
    }));
}

/** `N change(s) in <project>: idle (2): a@…, b@…; ok (1): c@…`, worst state first, cut to {@link MAX_SUMMARY_CHARS}. */
export function summarize(project: string, changes: readonly NoticeChange[]): string {
    const groups = GCP_STATES.map((s) => [s, changes.filter((c) => c.state === s).map((c) => c.identity)] as const)
        .filter(([, ids]) => ids.length > 0)
        .map(([s, ids]) => `${s} (${ids.length}): ${ids.join(", ")}`);
    const text = `pulumi-nhi: ${changes.length} change${changes.length === 1 ? "" : "s"} in ${project}: ${groups.join("; ")}`;
    return text.length <= MAX_SUMMARY_CHARS ? text : `${text.slice(0, MAX_SUMMARY_CHARS - 1)}…`;
}
