import { MANAGED_BY } from "../core/ownership";

/** Google: a service account description holds at most 256 UTF-8 bytes; a display name 100. */
export const MAX_DESCRIPTION_BYTES = 256;
export const MAX_DISPLAY_NAME_CHARS = 100;

/** What a service account's description records. */
export interface OwnershipRecord {
    owner: string;
    purpose: string;
    /** UTC instant, or undefined for no expiry. */
    expiresAt?: string;
    /**
     * The privilege escalations its grants acknowledge: method (`ActAsServiceAccounts`) → the
     * reason given in `acknowledge` (see `planGcpEscalations`). Absent when there is none.
     */
    acknowledged?: Readonly<Record<string, string>>;
}

/**
 * The description of a service account: a JSON object with fixed keys, so that inventory scripts
 * can parse it (`parseOwnershipRecord`) and a person can still read it in the console:
 * `{"owner":"team-payments","purpose":"…","expiresAt":"2027-…Z","managedBy":"pulumi-nhi"}`, with
 * `"acknowledged":{"<method>":"<reason>"}` before `managedBy` when a grant acknowledges a privilege
 * escalation. Service accounts have no labels, and a Resource Manager tag holds only a value
 * created beforehand under a tag key (a short name of 1–63 letters, digits, `-`, `_` and `.`;
 * https://cloud.google.com/sdk/gcloud/reference/resource-manager/tags/values/create), so the
 * description is the one free-text place on the account that can say why it may escalate.
 */
export function renderOwnershipRecord(r: OwnershipRecord): string {
    return JSON.stringify({ owner: r.owner, purpose: r.purpose, ...(r.expiresAt !== undefined ? { expiresAt: r.expiresAt } : {}), ...(r.acknowledged !== undefined && Object.keys(r.acknowledged).length > 0 ? { acknowledged: r.acknowledged } : {}), managedBy: MANAGED_BY });
}

/** The record in a description written by {@link renderOwnershipRecord}, or undefined. */
export function parseOwnershipRecord(description: string): OwnershipRecord | undefined {
    try {
        const v = JSON.parse(description);
        if (v === null || typeof v !== "object" || v.managedBy !== MANAGED_BY || typeof v.owner !== "string" || typeof v.purpose !== "string") {
            return undefined;
        }
        const acknowledged = isStringRecord(v.acknowledged) ? { acknowledged: v.acknowledged } : {};
        return { owner: v.owner, purpose: v.purpose, ...(typeof v.expiresAt === "string" ? { expiresAt: v.expiresAt } : {}), ...acknowledged };
    } catch {
        return undefined;
    }
}

function isStringRecord(v: unknown): v is Record<string, string> {
    return v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
}

/** The display name: the purpose, then the owner, cut to Google's 100 characters. */
export function displayName(r: OwnershipRecord): string {
    const full = `${r.purpose} (${r.owner})`;
    return full.length <= MAX_DISPLAY_NAME_CHARS ? full : `${full.slice(0, MAX_DISPLAY_NAME_CHARS - 1)}…`;
}
