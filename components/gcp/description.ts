import { MANAGED_BY } from "../core/ownership";
import {
    KEY_AGE_KEY,
    NOTICE_KEY,
    NOTIFY_KEY,
    UNUSED_KEY,
    UsageSettings,
    renderUsageSettings,
    usageSettingsBytes,
} from "../runtime/gcp/usage-contract";

/** Google: a service account description holds at most 256 UTF-8 bytes; a display name 100. */
export const MAX_DESCRIPTION_BYTES = 256;
export const MAX_DISPLAY_NAME_CHARS = 100;

/** What a service account's description records. */
export interface OwnershipRecord {
    /** Who answers for the identity (the `owner` argument). */
    readonly owner: string;
    /** Why the identity exists (the `purpose` argument). */
    readonly purpose: string;
    /** UTC instant, or undefined for no expiry. */
    readonly expiresAt?: string;
    /**
     * The privilege escalations its grants acknowledge: method (`ActAsServiceAccounts`) → the
     * reason given in `acknowledge` (see `planGcpEscalations`). Absent when there is none.
     */
    readonly acknowledged?: Readonly<Record<string, string>>;
    /**
     * What the usage monitor reads (`unusedAlarm`, `expiryNoticeDays`, the key's age bound), under
     * the keys of its contract (runtime/gcp/usage-contract.ts). Absent or empty: none written.
     */
    readonly usage?: UsageSettings;
}

/**
 * The description of a service account: a JSON object with fixed keys, so that inventory scripts
 * can parse it (`parseOwnershipRecord`) and a person can still read it in the console:
 * `{"owner":"team-payments","purpose":"…","expiresAt":"2027-…Z","managedBy":"pulumi-nhi"}`, with
 * `"acknowledged":{"<method>":"<reason>"}` before `managedBy` when a grant acknowledges a privilege
 * escalation, and the usage monitor's fields (`"unused"`, `"notify"`, `"notice"`, `"keyAge"`) before
 * it when there are any. Service accounts have no labels, and a Resource Manager tag holds only a value
 * created beforehand under a tag key (a short name of 1–63 letters, digits, `-`, `_` and `.`;
 * https://cloud.google.com/sdk/gcloud/reference/resource-manager/tags/values/create), so the
 * description is the one free-text place on the account that can say why it may escalate.
 */
export function renderOwnershipRecord(r: OwnershipRecord): string {
    return JSON.stringify({
        owner: r.owner,
        purpose: r.purpose,
        ...(r.expiresAt !== undefined ? { expiresAt: r.expiresAt } : {}),
        ...(r.acknowledged !== undefined && Object.keys(r.acknowledged).length > 0
            ? { acknowledged: r.acknowledged }
            : {}),
        ...renderUsageSettings(r.usage ?? {}),
        managedBy: MANAGED_BY,
    });
}

/**
 * Why the record of `r` does not fit Google's 256 bytes, blaming the field(s) that make it too
 * long; empty when it fits. The rule: the fixed part of the record (its keys, `managedBy`,
 * `expiresAt` and the usage monitor's fields) leaves `room` bytes for `owner` and `purpose`
 * together; the message says how much the usage settings take, since dropping one (such as an
 * `expiryNoticeDays` of 14, the default) is another way to make room.
 * - A field that alone takes more than `room` is blamed (both, when both do): shortening the other
 *   would not help.
 * - When each fits alone but not both, the longer is blamed (`purpose` on a tie, being the free
 *   text), and the message names both with their sizes: shortening either helps.
 * Sizes are counted as the record stores them: UTF-8 bytes after JSON escaping.
 */
export function ownershipRecordProblems(r: OwnershipRecord): { propertyPath: "owner" | "purpose"; reason: string }[] {
    const total = Buffer.byteLength(renderOwnershipRecord(r), "utf8");
    if (total <= MAX_DESCRIPTION_BYTES) {
        return [];
    }
    const room =
        MAX_DESCRIPTION_BYTES - Buffer.byteLength(renderOwnershipRecord({ ...r, owner: "", purpose: "" }), "utf8");
    const size = { owner: storedBytes(r.owner), purpose: storedBytes(r.purpose) };
    const usage = usageSettingsBytes(r.usage ?? {});
    const settings =
        usage === 0 ? "" : ` beside the usage monitor's settings (${usage} bytes: ${usageSettingsArgs(r.usage ?? {})})`;
    const limit = `the service account's description, which holds at most ${MAX_DESCRIPTION_BYTES} bytes (Google limit) and leaves ${room} of them for \`owner\` and \`purpose\` together${settings}`;
    const alone = (["owner", "purpose"] as const).filter((f) => size[f] > room);
    if (alone.length > 0) {
        const other = (f: "owner" | "purpose") => (f === "owner" ? "purpose" : "owner");
        return alone.map((f) => ({
            propertyPath: f,
            reason: `\`${f}\` is ${size[f]} bytes, too long for ${limit}. ${alone.length === 1 ? `Shorten \`${f}\` to at most ${room - size[other(f)]} bytes.` : `Shorten \`${f}\`, and \`${other(f)}\` too.`}`,
        }));
    }
    const [longer, other] =
        size.owner > size.purpose ? (["owner", "purpose"] as const) : (["purpose", "owner"] as const);
    return [
        {
            propertyPath: longer,
            reason: `\`${longer}\` (${size[longer]} bytes) and \`${other}\` (${size[other]} bytes) are together ${size.owner + size.purpose - room} bytes too long for ${limit}. Shorten \`${longer}\` or \`${other}\`.`,
        },
    ];
}

/** The arguments behind the usage settings written: `unusedAlarm`, `expiryNoticeDays`, `key`. */
function usageSettingsArgs(u: UsageSettings): string {
    const written = renderUsageSettings(u);
    const args = [
        ...(UNUSED_KEY in written || NOTIFY_KEY in written ? ["`unusedAlarm`"] : []),
        ...(NOTICE_KEY in written ? ["`expiryNoticeDays`"] : []),
        ...(KEY_AGE_KEY in written ? ["`key`"] : []),
    ];
    return args.join(", ");
}

/** The bytes `value` takes inside the JSON record: UTF-8, after escaping. */
function storedBytes(value: string): number {
    return Buffer.byteLength(JSON.stringify(value), "utf8") - 2;
}

/** The record in a description written by {@link renderOwnershipRecord}, or undefined. */
export function parseOwnershipRecord(description: string): OwnershipRecord | undefined {
    try {
        const v = JSON.parse(description);
        if (
            v === null ||
            typeof v !== "object" ||
            v.managedBy !== MANAGED_BY ||
            typeof v.owner !== "string" ||
            typeof v.purpose !== "string"
        ) {
            return undefined;
        }
        const acknowledged = isStringRecord(v.acknowledged) ? { acknowledged: v.acknowledged } : {};
        const usage: UsageSettings = {
            ...(typeof v[UNUSED_KEY] === "number" ? { unusedAfterDays: v[UNUSED_KEY] } : {}),
            ...(typeof v[NOTIFY_KEY] === "string" ? { notify: v[NOTIFY_KEY] } : {}),
            ...(typeof v[NOTICE_KEY] === "number" ? { expiryNoticeDays: v[NOTICE_KEY] } : {}),
            ...(typeof v[KEY_AGE_KEY] === "number" ? { keyMaxAgeDays: v[KEY_AGE_KEY] } : {}),
        };
        return {
            owner: v.owner,
            purpose: v.purpose,
            ...(typeof v.expiresAt === "string" ? { expiresAt: v.expiresAt } : {}),
            ...acknowledged,
            ...(Object.keys(usage).length > 0 ? { usage } : {}),
        };
    } catch {
        return undefined;
    }
}

function isStringRecord(v: unknown): v is Record<string, string> {
    return (
        v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string")
    );
}

/** The display name: the purpose, then the owner, cut to Google's 100 characters. */
export function displayName(r: OwnershipRecord): string {
    const full = `${r.purpose} (${r.owner})`;
    return full.length <= MAX_DISPLAY_NAME_CHARS ? full : `${full.slice(0, MAX_DISPLAY_NAME_CHARS - 1)}…`;
}
