/**
 * The usage monitor's pure part: an identity's thresholds from its tags, its state on a given day,
 * the notice for a change of state, and the credential report's rows. Plain data in, plain data
 * out, no SDK: tested with tables and fast-check (test/runtime/aws/usage-monitor.test.ts).
 */
import {
    DEFAULT_EXPIRY_NOTICE_DAYS,
    EXPIRES_AT_TAG,
    EXPIRY_NOTICE_TAG,
    KEY_MAX_AGE_TAG,
    MAX_EXPIRY_NOTICE_DAYS,
    MAX_KEY_AGE_DAYS,
    MAX_UNUSED_DAYS,
    MIN_EXPIRY_NOTICE_DAYS,
    MIN_KEY_AGE_DAYS,
    MIN_UNUSED_DAYS,
    NOTIFY_TAG,
    ROTATION_SLACK_DAYS,
    UNUSED_AFTER_TAG,
    UsageState,
} from "./usage-contract";
import { DAY_MS, classify } from "../usage-classify";

/**
 * An SNS topic ARN: names of 1–256 of `A–Z a–z 0–9 _ -`, `.fifo` for a FIFO topic.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;
/** The UTC instant the components write in `nhi:expires-at`. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** SNS: a subject is at most 100 ASCII characters with no line break (API_Publish). */
export const MAX_SUBJECT_CHARS = 99;

/** One access key, as the credential report shows it. */
export interface KeyUsage {
    readonly active: boolean;
    /** `access_key_N_last_rotated`: when the key was created. */
    readonly created?: Date;
    readonly lastUsed?: Date;
}

/** A managed role or user, as the monitor reads it. */
export interface Identity {
    readonly kind: "role" | "user";
    /** `RoleId` / `UserId`: the state table's key. */
    readonly id: string;
    readonly arn: string;
    readonly name: string;
    readonly created: Date;
    readonly tags: Readonly<Record<string, string>>;
    /** A role's `RoleLastUsed.LastUsedDate`; absent when IAM has seen no use in its 400-day window. */
    readonly lastUsed?: Date;
    /** A user's access keys (at most 2); empty for a role. */
    readonly keys: readonly KeyUsage[];
}

/** The thresholds an identity carries in its tags, and the tags that were malformed (ignored). */
export interface Thresholds {
    readonly unusedAfterDays?: number;
    readonly notify?: string;
    readonly expiresAt?: Date;
    readonly expiryNoticeDays: number;
    readonly keyMaxAgeDays?: number;
    /** Keys of `nhi:` tags whose value is not what the contract allows: each is ignored and logged. */
    readonly invalid: readonly string[];
}

/** What the monitor found for one identity on one run. */
export interface Evaluation {
    readonly state: UsageState;
    /** Whole days since the last use, or since creation when never used. */
    readonly daysSinceLastUse: number;
    readonly neverUsed: boolean;
    /** Whole days to `nhi:expires-at`, negative once past; absent with no expiry. */
    readonly daysToExpiry?: number;
    /** Users: whole days since the oldest Active key was created; absent with no Active key. */
    readonly keyAgeDays?: number;
    readonly thresholds: Thresholds;
}

/** The identity's thresholds; a malformed tag is listed in `invalid` and treated as absent (its default). */
export function readThresholds(tags: Readonly<Record<string, string>>): Thresholds {
    const invalid: string[] = [];
    const days = (key: string, min: number, max: number): number | undefined => {
        const v = tags[key];
        if (v === undefined) {
            return undefined;
        }
        if (/^\d{1,4}$/.test(v) && Number(v) >= min && Number(v) <= max) {
            return Number(v);
        }
        invalid.push(key);
        return undefined;
    };
    const unusedAfterDays = days(UNUSED_AFTER_TAG, MIN_UNUSED_DAYS, MAX_UNUSED_DAYS);
    const expiryNoticeDays =
        days(EXPIRY_NOTICE_TAG, MIN_EXPIRY_NOTICE_DAYS, MAX_EXPIRY_NOTICE_DAYS) ?? DEFAULT_EXPIRY_NOTICE_DAYS;
    const keyMaxAgeDays = days(KEY_MAX_AGE_TAG, MIN_KEY_AGE_DAYS, MAX_KEY_AGE_DAYS);
    let notify: string | undefined = tags[NOTIFY_TAG];
    if (notify !== undefined && !TOPIC_ARN.test(notify)) {
        invalid.push(NOTIFY_TAG);
        notify = undefined;
    }
    let expiresAt: Date | undefined;
    const expiry = tags[EXPIRES_AT_TAG];
    if (expiry !== undefined) {
        const millis = INSTANT.test(expiry) ? Date.parse(expiry) : NaN;
        if (Number.isNaN(millis)) {
            invalid.push(EXPIRES_AT_TAG);
        } else {
            expiresAt = new Date(millis);
        }
    }
    return { unusedAfterDays, notify, expiresAt, expiryNoticeDays, keyMaxAgeDays, invalid };
}

/**
 * The identity's state at `now`, worst first: `expired` (at or past `nhi:expires-at`), `expiring`
 * (within `nhi:expiry-notice-days`), `key-too-old` (a user's oldest Active key older than
 * `nhi:key-max-age-days`), `idle` (no use for at least `nhi:unused-after-days` whole days, counted
 * from creation when never used), else `ok`. A threshold that is absent never raises its state.
 */
export function evaluate(identity: Identity, now: Date): Evaluation {
    const thresholds = readThresholds(identity.tags);
    const uses = [identity.lastUsed, ...identity.keys.map((k) => k.lastUsed)]
        .filter((d): d is Date => d !== undefined)
        .map((d) => d.getTime());
    const active = identity.keys.filter((k) => k.active && k.created !== undefined).map((k) => k.created!.getTime());
    const c = classify(
        thresholds,
        {
            lastUsed: uses.length === 0 ? undefined : new Date(Math.max(...uses)),
            created: identity.created,
            oldestKey: active.length === 0 ? undefined : new Date(Math.min(...active)),
        },
        now,
    );
    return { ...c, thresholds };
}

/** The notice for a change of state: an SNS subject and a JSON body of facts, never a credential. */
export function notice(
    identity: Identity,
    e: Evaluation,
    previous: UsageState,
    now: Date,
): { subject: string; message: string } {
    const subject = `pulumi-nhi: ${identity.kind} ${identity.name} is ${e.state}`.slice(0, MAX_SUBJECT_CHARS);
    const body = {
        source: "pulumi-nhi",
        kind: identity.kind,
        identity: identity.arn,
        name: identity.name,
        owner: identity.tags["nhi:owner"],
        state: e.state,
        previousState: previous,
        at: now.toISOString(),
        daysSinceLastUse: e.daysSinceLastUse,
        neverUsed: e.neverUsed,
        unusedAfterDays: e.thresholds.unusedAfterDays,
        expiresAt: e.thresholds.expiresAt?.toISOString(),
        daysToExpiry: e.daysToExpiry,
        expiryNoticeDays: e.thresholds.expiryNoticeDays,
        keyAgeDays: e.keyAgeDays,
        keyMaxAgeDays: e.thresholds.keyMaxAgeDays,
        advice: ADVICE[e.state],
    };
    return { subject, message: JSON.stringify(body) };
}

/** A managed secret, as `ListSecrets` returns it. */
export interface ManagedSecret {
    readonly arn: string;
    readonly name: string;
    readonly created: Date;
    /** `LastRotatedDate`: absent for a secret never rotated. */
    readonly lastRotated?: Date;
    /** `RotationRules.AutomaticallyAfterDays`; absent when rotation is not configured in days. */
    readonly rotateEveryDays?: number;
    readonly tags: Readonly<Record<string, string>>;
}

/** What the monitor found for one secret on one run. */
export interface SecretEvaluation {
    readonly state: "rotation-stale" | "ok";
    /** Whole days since the last rotation, or since creation when never rotated. */
    readonly daysSinceRotation: number;
    readonly neverRotated: boolean;
    /** The secret's `nhi:notify` topic, if it is one. */
    readonly notify?: string;
    /** `nhi:notify` when it is not a topic ARN (ignored). */
    readonly invalid: readonly string[];
}

/**
 * The secret's state at `now`: `rotation-stale` when more than its period plus
 * {@link ROTATION_SLACK_DAYS} has passed since its last rotation (never rotated: since its
 * creation), else `ok`. A secret without a period in days is `ok`.
 */
export function evaluateSecret(secret: ManagedSecret, now: Date): SecretEvaluation {
    const since = (secret.lastRotated ?? secret.created).getTime();
    const elapsed = now.getTime() - since;
    const stale =
        secret.rotateEveryDays !== undefined && elapsed > (secret.rotateEveryDays + ROTATION_SLACK_DAYS) * DAY_MS;
    const topic = secret.tags[NOTIFY_TAG];
    const valid = topic !== undefined && TOPIC_ARN.test(topic);
    return {
        state: stale ? "rotation-stale" : "ok",
        daysSinceRotation: Math.max(0, Math.floor(elapsed / DAY_MS)),
        neverRotated: secret.lastRotated === undefined,
        notify: valid ? topic : undefined,
        invalid: topic !== undefined && !valid ? [NOTIFY_TAG] : [],
    };
}

/** The notice for a secret's change of state: facts only, never a value. */
export function secretNotice(
    secret: ManagedSecret,
    e: SecretEvaluation,
    previous: UsageState,
    now: Date,
): { subject: string; message: string } {
    const subject = `pulumi-nhi: secret ${secret.name} is ${e.state}`.slice(0, MAX_SUBJECT_CHARS);
    const body = {
        source: "pulumi-nhi",
        kind: "secret",
        secret: secret.arn,
        name: secret.name,
        owner: secret.tags["nhi:owner"],
        state: e.state,
        previousState: previous,
        at: now.toISOString(),
        lastRotated: secret.lastRotated?.toISOString(),
        neverRotated: e.neverRotated,
        daysSinceRotation: e.daysSinceRotation,
        rotateEveryDays: secret.rotateEveryDays,
        advice: ADVICE[e.state],
    };
    return { subject, message: JSON.stringify(body) };
}

const ADVICE: Record<UsageState, string> = {
    expired:
        "The identity has expired: its policy conditions refuse it. Renew `expiresAt` and update the stack, or remove the identity from the program.",
    expiring:
        "Set a later `expiresAt` and update the stack before it expires, or remove the identity if it is no longer needed.",
    "key-too-old":
        "The access key has not been rotated in time: check the rotation function's logs and the secret's rotation status.",
    idle: "Nothing has used this identity for longer than its threshold: remove it if its job is over, or raise `unusedAlarm.afterDays`.",
    "rotation-stale":
        "No rotation of this secret has succeeded for longer than its period and a day: check the rotation function's logs and the secret's rotation status (`aws secretsmanager describe-secret`), then rotate it (`aws secretsmanager rotate-secret`).",
    ok: "The identity is back within its thresholds.",
};

/** One row of the credential report: the user's ARN and its two access keys. */
export interface ReportRow {
    readonly arn: string;
    readonly keys: readonly KeyUsage[];
}

/**
 * The rows of a credential report (CSV with a header line). Columns are found by name:
 * `arn`, `access_key_{1,2}_active`, `access_key_{1,2}_last_rotated`, `access_key_{1,2}_last_used_date`;
 * `N/A` (or `no_information`) is no date. A key that was never created has `last_rotated` `N/A`.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html (the format)
 */
export function parseCredentialReport(csv: string): Map<string, ReportRow> {
    const lines = csv.split(/\r?\n/).filter((l) => l !== "");
    const rows = new Map<string, ReportRow>();
    if (lines.length === 0) {
        return rows;
    }
    const header = lines[0].split(",");
    const col = (name: string) => header.indexOf(name);
    const arn = col("arn");
    const keyCols = [1, 2].map((n) => ({
        active: col(`access_key_${n}_active`),
        created: col(`access_key_${n}_last_rotated`),
        used: col(`access_key_${n}_last_used_date`),
    }));
    const date = (v: string | undefined) => {
        const millis = v === undefined ? NaN : Date.parse(v);
        return Number.isNaN(millis) ? undefined : new Date(millis);
    };
    for (const line of lines.slice(1)) {
        // No field of the report holds a comma (names and ARNs cannot; dates are ISO 8601).
        const f = line.split(",");
        const keys: KeyUsage[] = [];
        for (const k of keyCols) {
            const created = date(f[k.created]);
            if (created !== undefined) {
                keys.push({ active: f[k.active]?.toLowerCase() === "true", created, lastUsed: date(f[k.used]) });
            }
        }
        rows.set(f[arn], { arn: f[arn], keys });
    }
    return rows;
}
