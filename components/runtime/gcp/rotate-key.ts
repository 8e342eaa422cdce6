/**
 * The rotation function for a service account key kept in Secret Manager (`gcp.ServiceIdentity`'s `key`): entry point `rotateKey`.
 * Receiving the notification, retries, the grace rule and logs are shared with the value rotator (`rotation.ts`).
 *
 * The secret names its account in two labels the component sets, `nhi-key-account` (the account ID) and `nhi-key-project` (its
 * project ID): label values hold neither `@` nor `.`, so the email is put together here. `nhi-rotate-every-days` is the key's period
 * and `nhi-grace-days` how long a replaced key keeps working. Each enabled version holds one key's credentials file; the function
 * reads its own enabled versions (`versions.access`) to learn which key each holds (`private_key_id`).
 *
 * Daily checks. The secret's own `rotation.rotationPeriod` is one day, not the key's period: each notification is a check, which
 * rotates when the key is due and otherwise only retires. So a replaced key is disabled within a day of the end of its grace (not at
 * the next rotation), and a key Google disabled is replaced within a day.
 *
 * On `SECRET_ROTATE` it
 * 1. reads the secret's labels, its enabled versions and the account's user-managed keys;
 * 2. deletes keys that can no longer serve: a disabled key no enabled version holds, once it has been disabled for its grace again
 *    (at least a day: a person who sees a consumer fail can still enable it), and a key made by a run that crashed before storing it
 *    (created after the newest version and older than {@link ORPHAN_AFTER_MS}: its private part was returned once and is lost);
 * 3. when the key is due (the newest enabled version is a period old, or its key no longer works) creates a key and adds its
 *    credentials file as a new version. A key that Google or a person disabled (the organization policy
 *    `iam.serviceAccountKeyExposureResponse` disables a key found in public) is a reason to rotate now;
 * 4. disables the key of every version whose grace has ended, then the version; disables at once a version other than the newest
 *    whose key no longer works; disables a key no enabled version holds. Never a key an enabled version that stays still holds.
 *
 * Limits. Google allows 10 keys per service account, disabled ones included, and refuses the 11th with RESOURCE_EXHAUSTED "Maximum
 * number of keys on account reached." (not worth retrying: it carries a day-long RetryInfo). The function creates a key only when
 * fewer than {@link MAX_KEYS} remain after step 2, so it never meets that error; in the steady state an account has at most three keys
 * (the new one, the previous one in its grace, one disabled awaiting deletion).
 * @see https://cloud.google.com/iam/quotas#limits
 * @see https://github.com/googlearchive/k8s-service-catalog/issues/228 (the error's code and message)
 *
 * Disable, then delete: Google recommends disabling a key and waiting until it is surely unused before deleting it; a disabled key
 * can be enabled again, a deleted one cannot.
 * @see https://cloud.google.com/iam/docs/keys-disable-enable
 * @see https://cloud.google.com/resource-manager/docs/organization-policy/restricting-service-accounts#key-exposure-response
 *
 * Idempotence. The guard is the state itself, not the message: a redelivery, or a check the same day, finds a fresh key and does not
 * rotate. Every other step is safe to run again: deleting or disabling what is already gone is skipped. A crash between creating a
 * key and storing it leaves a key nobody holds: a later run deletes it when no newer version exists, and otherwise disables it (from
 * outside, it cannot be told from the key of a version someone disabled by hand, whose holders may still use it) and deletes it later
 * as any disabled key; until then it counts towards the 10. Concurrent deliveries may each create a key; the extra one is retired
 * like any other.
 *
 * Logs: one JSON line per step (per key or version acted on), naming keys and versions, never a value.
 */
import {
    BaseDeps,
    Call,
    DAY_MS,
    FAILED_PRECONDITION,
    GRACE_LABEL,
    NOT_FOUND,
    PERIOD_LABEL,
    PubsubCloudEvent,
    defaultDeps,
    newestEnabled,
    receive,
    versionsPastGrace,
} from "./rotation";
import { CreatedKey, defaultKeyStore, KeyInfo, KeyStore } from "./key-store";
import { defaultSecretStore, ReadingSecretStore, SecretInfo, VersionInfo } from "./secret-store";

/** The label holding the service account's ID (the part of its email before `@`). */
export const ACCOUNT_LABEL = "nhi-key-account";
/** The label holding the ID of the service account's project. */
export const PROJECT_LABEL = "nhi-key-project";
/** Google: at most 10 keys per service account. @see https://cloud.google.com/iam/quotas#limits */
export const MAX_KEYS = 10;
/**
 * A key created after the newest version and older than this was made by a run that died before storing it. Longer than the longest
 * run: an event-driven function times out after at most 540 s.
 * @see https://cloud.google.com/functions/docs/configuring/timeout
 */
export const ORPHAN_AFTER_MS = 10 * 60_000;
/** How early a key counts as due: notifications come once a day at the same time, a little before the key's period has passed. */
export const DUE_SLACK_MS = 60 * 60_000;
/** A disabled key stays at least this long before it is deleted. */
export const MIN_DISABLED_MS = DAY_MS;
/** The gRPC codes that mean a key or version is no longer there, or no longer enabled, when it is disabled or deleted. */
const GONE_CODES: ReadonlySet<number> = new Set([NOT_FOUND, FAILED_PRECONDITION]);

/** Exactly the permissions the function uses, each on its own secret or its own service account only. */
export const PERMISSIONS = {
    secret: [
        "secretmanager.secrets.get",
        "secretmanager.versions.access",
        "secretmanager.versions.add",
        "secretmanager.versions.disable",
        "secretmanager.versions.list",
    ],
    serviceAccount: [
        "iam.serviceAccountKeys.create",
        "iam.serviceAccountKeys.delete",
        "iam.serviceAccountKeys.disable",
        "iam.serviceAccountKeys.list",
    ],
} as const;

export interface KeyRotationDeps extends BaseDeps<ReadingSecretStore> {
    /** The IAM key calls; created on first use by default. */
    readonly keys: () => Promise<KeyStore>;
}

export interface KeyRotationResult {
    readonly outcome: "rotated" | "not-due" | "ignored" | "refused";
    /** The version this run added, and the key it holds. */
    readonly added?: string;
    readonly createdKey?: string;
    readonly disabledKeys: readonly string[];
    readonly deletedKeys: readonly string[];
    readonly disabledVersions: readonly string[];
}

/** How the key is rotated: the account and the times, from the secret's labels and rotation settings. */
export interface KeyPolicy {
    /** `projects/{project}/serviceAccounts/{email}` */
    readonly account: string;
    readonly email: string;
    readonly graceMs: number;
    readonly periodMs: number;
}

const ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/** The policy, or the reason the labels cannot be honoured. */
export function keyPolicy(secret: SecretInfo): KeyPolicy | { readonly problem: string } {
    const accountId = secret.labels[ACCOUNT_LABEL];
    const project = secret.labels[PROJECT_LABEL];
    for (const [label, value] of [
        [ACCOUNT_LABEL, accountId],
        [PROJECT_LABEL, project],
    ] as const) {
        if (value === undefined || !ID.test(value)) {
            return {
                problem: `label \`${label}\` is ${value === undefined ? "missing" : `"${value}"`}; allowed: a service account or project ID (6–30 lower-case letters, digits and hyphens)`,
            };
        }
    }
    const days = (label: string): number | undefined =>
        /^[0-9]{1,3}$/.test(secret.labels[label] ?? "") ? Number(secret.labels[label]) : undefined;
    const period = days(PERIOD_LABEL);
    const grace = days(GRACE_LABEL);
    if (period === undefined || period < 1 || period > 365) {
        return {
            problem: `label \`${PERIOD_LABEL}\` is ${secret.labels[PERIOD_LABEL] === undefined ? "missing" : `"${secret.labels[PERIOD_LABEL]}"`}; allowed: a whole number of days from 1 to 365`,
        };
    }
    if (grace === undefined || grace >= period) {
        return {
            problem: `label \`${GRACE_LABEL}\` is ${secret.labels[GRACE_LABEL] === undefined ? "missing" : `"${secret.labels[GRACE_LABEL]}"`}; allowed: a whole number of days shorter than the period (${period})`,
        };
    }
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    return {
        account: `projects/${project}/serviceAccounts/${email}`,
        email,
        graceMs: grace * DAY_MS,
        periodMs: period * DAY_MS,
    };
}

/** The key ID a version's credentials file names, when it is a key of `email`. */
export function keyIdOf(credentials: Buffer, email: string): string | undefined {
    try {
        const file = JSON.parse(credentials.toString("utf8")) as { private_key_id?: unknown; client_email?: unknown };
        return typeof file.private_key_id === "string" && file.client_email === email ? file.private_key_id : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Step 2's keys, pure: disabled keys no enabled version holds, once they have been disabled for their grace again, at least a day
 * (a key made at `t` is replaced at about `t + period` and disabled `grace` later: the schedule's time, earlier for a key Google
 * disabled, which may go sooner), and keys a crashed run made and never stored.
 */
export function keysToDelete(
    keys: readonly KeyInfo[],
    held: ReadonlySet<string>,
    newestVersionTime: number,
    policy: Pick<KeyPolicy, "graceMs" | "periodMs">,
    now: number,
): KeyInfo[] {
    return keys.filter((k) => {
        if (held.has(k.id)) return false;
        if (k.disabled)
            return (
                k.validAfterTime + policy.periodMs + policy.graceMs + Math.max(policy.graceMs, MIN_DISABLED_MS) <= now
            );
        return k.validAfterTime > newestVersionTime && k.validAfterTime + ORPHAN_AFTER_MS <= now;
    });
}

/** Builds a handler; tests pass fake stores, a fixed clock and an instant sleep. */
export function createKeyRotationHandler(
    overrides: Partial<KeyRotationDeps> = {},
): (event: PubsubCloudEvent) => Promise<KeyRotationResult> {
    let keys: Promise<KeyStore> | undefined;
    const deps: KeyRotationDeps = {
        keys: () =>
            (keys ??= defaultKeyStore().catch((err: unknown) => {
                keys = undefined;
                throw err;
            })),
        ...defaultDeps<ReadingSecretStore>(defaultSecretStore, overrides),
        ...overrides,
    };
    return (event) => rotate(event, deps);
}

const NOTHING = { disabledKeys: [], deletedKeys: [], disabledVersions: [] } as const;

async function rotate(event: PubsubCloudEvent, deps: KeyRotationDeps): Promise<KeyRotationResult> {
    const received = await receive(event, deps);
    if ("outcome" in received) return { outcome: received.outcome, ...NOTHING };
    const { secret, info, store, call } = received;
    const policy = keyPolicy(info);
    if ("problem" in policy) {
        deps.log({
            severity: "ERROR",
            message: `refused: ${policy.problem}`,
            secret,
            step: "read-secret",
            outcome: "refused",
        });
        return { outcome: "refused", ...NOTHING };
    }
    deps.log({
        severity: "INFO",
        message: `key of ${policy.email}; grace ${policy.graceMs / DAY_MS} days`,
        secret,
        step: "read-secret",
        outcome: "read",
    });
    const iam = await deps.keys();
    const result = { disabledKeys: [] as string[], deletedKeys: [] as string[], disabledVersions: [] as string[] };

    // 1. What is there: the versions, the key each enabled one holds, the account's keys.
    let versions = await call("list-versions", undefined, () => store.listVersions(secret));
    const keyOf = await readKeyIds(versions, policy.email, store, call, deps, secret);
    let keys = await call("list-keys", policy.account, () => iam.listKeys(policy.account));
    deps.log({
        severity: "INFO",
        message: `${keys.length} user-managed key(s), ${keys.filter((k) => k.disabled).length} disabled`,
        secret,
        step: "list-keys",
        version: policy.account,
        outcome: "listed",
    });

    // 2. Delete what can no longer serve.
    const now = deps.now();
    const newestTime = Math.max(0, ...versions.map((v) => v.createTime));
    for (const key of keysToDelete(keys, new Set(keyOf.values()), newestTime, policy, now)) {
        if (await gone(call, "delete-key", key.name, () => iam.deleteKey(key.name), deps, secret)) continue;
        result.deletedKeys.push(key.name);
        deps.log({
            severity: "INFO",
            message: key.disabled
                ? "deleted a key disabled for a period"
                : "deleted a key a failed run made and never stored",
            secret,
            step: "delete-key",
            version: key.name,
            outcome: "deleted",
        });
    }
    keys = keys.filter((k) => !result.deletedKeys.includes(k.name));

    // 3. Rotate when the key is due: a period old, or no longer working.
    const current = newestEnabled(versions);
    const currentKey = current && keys.find((k) => k.id === keyOf.get(current.name));
    const works = currentKey !== undefined && !currentKey.disabled;
    let created: CreatedKey | undefined;
    let added: VersionInfo | undefined;
    if (works && current !== undefined && current.createTime + policy.periodMs - DUE_SLACK_MS > now) {
        deps.log({
            severity: "INFO",
            message: `the newest key is due at ${new Date(current.createTime + policy.periodMs).toISOString()}`,
            secret,
            step: "create-key",
            version: currentKey.name,
            outcome: "not-due",
        });
    } else {
        if (current && !works) {
            deps.log({
                severity: "WARNING",
                message: `the newest version's key ${currentKey ? `was disabled (${currentKey.disableReason ?? "no reason given"})` : "is gone"}: rotating now`,
                secret,
                step: "create-key",
                version: currentKey?.name ?? current.name,
                outcome: "key-unusable",
            });
        }
        if (keys.length >= MAX_KEYS) {
            deps.log({
                severity: "ERROR",
                message: `failed: the account has ${keys.length} keys, Google's limit is ${MAX_KEYS}; none can be retired yet`,
                secret,
                step: "create-key",
                version: policy.account,
                outcome: "failed",
            });
            throw new Error(
                `The service account ${policy.email} has ${keys.length} keys and none can be retired yet (Google's limit is ${MAX_KEYS}).`,
            );
        }
        // The key-limit error carries a day-long RetryInfo: retrying it within the run would not help.
        created = await call(
            "create-key",
            policy.account,
            () => iam.createKey(policy.account),
            undefined,
            (err) => !/maximum number of keys/i.test(String((err as Error).message)),
        );
        deps.log({
            severity: "INFO",
            message: "created a key",
            secret,
            step: "create-key",
            version: created.name,
            outcome: "created",
        });
        const key = created;
        added = await call("add-version", undefined, () => store.addVersion(secret, key.credentials));
        deps.log({
            severity: "INFO",
            message: "stored the key as a new version",
            secret,
            step: "add-version",
            version: added.name,
            outcome: "added",
        });
        keyOf.set(added.name, created.id);
        keys = [...keys, created];
        versions = [...versions, added];
    }

    // 4. Retire: keys and versions past grace, versions whose key no longer works, keys no enabled version holds.
    const newest = newestEnabled(versions)!;
    const holdsWorkingKey = (v: VersionInfo) => keys.some((k) => k.id === keyOf.get(v.name) && !k.disabled);
    const retiring = new Set([
        ...versionsPastGrace(versions, policy.graceMs, now, added?.name).map((v) => v.name),
        ...versions
            .filter((v) => v.state === "ENABLED" && v.name !== newest.name && !holdsWorkingKey(v))
            .map((v) => v.name),
    ]);
    const kept = new Set(
        versions.filter((v) => v.state === "ENABLED" && !retiring.has(v.name)).map((v) => keyOf.get(v.name)),
    );
    for (const key of keys) {
        // A key no version holds yet, made in the last minutes, may belong to a delivery running beside this one: left alone.
        const inFlight = ![...keyOf.values()].includes(key.id) && key.validAfterTime + ORPHAN_AFTER_MS > now;
        if (key.disabled || kept.has(key.id) || inFlight) continue;
        if (await gone(call, "disable-key", key.name, () => iam.disableKey(key.name), deps, secret)) continue;
        result.disabledKeys.push(key.name);
        deps.log({
            severity: "INFO",
            message: "disabled a key no version in use holds",
            secret,
            step: "disable-key",
            version: key.name,
            outcome: "disabled",
        });
    }
    for (const v of versions.filter((x) => retiring.has(x.name)).sort((a, b) => a.id - b.id)) {
        if (await gone(call, "disable-version", v.name, () => store.disableVersion(v.name), deps, secret)) continue;
        result.disabledVersions.push(v.name);
        deps.log({
            severity: "INFO",
            message: holdsWorkingKey(v)
                ? "disabled a version past its grace period"
                : "disabled a version whose key no longer works",
            secret,
            step: "disable-version",
            version: v.name,
            outcome: "disabled",
        });
    }
    const outcome = created ? "rotated" : "not-due";
    deps.log({
        severity: "INFO",
        message: `${outcome}; deleted ${result.deletedKeys.length} key(s), disabled ${result.disabledKeys.length} key(s) and ${result.disabledVersions.length} version(s)`,
        secret,
        step: "done",
        version: newest.name,
        outcome,
    });
    return { outcome, added: added?.name, createdKey: created?.name, ...result };
}

/** Step `read-versions`: version → the key ID its credentials file names, for every enabled version that holds one of the account's keys. */
async function readKeyIds(
    versions: readonly VersionInfo[],
    email: string,
    store: ReadingSecretStore,
    call: Call,
    deps: KeyRotationDeps,
    secret: string,
): Promise<Map<string, string>> {
    const keyOf = new Map<string, string>();
    for (const v of versions.filter((x) => x.state === "ENABLED")) {
        try {
            const id = keyIdOf(
                await call("read-versions", v.name, () => store.accessVersion(v.name), GONE_CODES),
                email,
            );
            if (id !== undefined) keyOf.set(v.name, id);
        } catch (err) {
            if (!GONE_CODES.has((err as { code?: number }).code ?? -1)) throw err;
        }
    }
    deps.log({
        severity: "INFO",
        message: `${keyOf.size} of ${versions.filter((x) => x.state === "ENABLED").length} enabled version(s) hold a key of the account`,
        secret,
        step: "read-versions",
        outcome: "read",
    });
    return keyOf;
}

/** Runs a disable or delete; true when the target was already gone (NOT_FOUND, FAILED_PRECONDITION), which is logged and skipped. */
async function gone(
    call: Call,
    step: "disable-key" | "delete-key" | "disable-version",
    name: string,
    fn: () => Promise<void>,
    deps: KeyRotationDeps,
    secret: string,
): Promise<boolean> {
    try {
        await call(step, name, fn, GONE_CODES);
        return false;
    } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === undefined || !GONE_CODES.has(code)) throw err;
        deps.log({
            severity: "INFO",
            message: `already gone or not enabled (gRPC code ${code})`,
            secret,
            step,
            version: name,
            outcome: "skipped",
            code,
        });
        return true;
    }
}

/** The entry point Cloud Run functions calls. */
export const rotateKey = createKeyRotationHandler();
