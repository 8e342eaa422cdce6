/**
 * The rotation function for Secret Manager secrets whose value this package generates (`gcp.RotatingSecret`).
 *
 * Deployed as a Cloud Run function (2nd gen) with a Pub/Sub trigger on the topic the secret notifies; entry point `rotateSecret`,
 * signature type `cloudevent`. Secret Manager publishes a `SECRET_ROTATE` message at the secret's `rotation.nextRotationTime`
 * and then advances that time by `rotation.rotationPeriod`; the message's attributes carry `eventType` and `secretId`
 * (the secret's full resource name) and its data is the `Secret` in proto3 JSON, whose `name` serves when `secretId` is absent.
 * @see https://cloud.google.com/secret-manager/docs/event-notifications
 * @see https://cloud.google.com/secret-manager/docs/secret-rotation
 * @see https://cloud.google.com/eventarc/docs/cloudevents (type `google.cloud.pubsub.topic.v1.messagePublished`)
 *
 * On `SECRET_ROTATE` it
 * 1. reads the secret's labels (value format and length, grace period);
 * 2. adds a version with a freshly generated value, unless this rotation already added one (see "Idempotence");
 * 3. disables, never destroys, every enabled version whose successor has been enabled for longer than the grace period,
 *    always keeping the newest enabled version and the one just added.
 *
 * Idempotence. Pub/Sub delivers at least once, and a function that fails is invoked again with the same message. A redelivered
 * message keeps its `publishTime`. So a rotation is "already done" when the newest enabled version was created at or after the
 * message's `publishTime`: the add step is skipped and the disable step, itself idempotent, runs again. This also finishes a run
 * that crashed between adding and disabling. `rotation.nextRotationTime` would not serve: Secret Manager has already advanced
 * it when the message arrives, and reading it back needs the period, which the API documents as input only.
 * Two deliveries that run at the same moment can both pass the guard and both add (an add takes no precondition); the result is
 * one extra version, which the grace rule retires like any other.
 *
 * Grace. A version stays enabled for `graceDays` after the version that replaced it was created, so consumers can accept either
 * value during the overlap. `graceDays` comes from the `nhi-grace-days` label; without it, one rotation period (the secret's
 * `rotation.rotationPeriod` when the API returns it, else the `nhi-rotate-every-days` label). The check runs at each rotation,
 * so a version is disabled at the first rotation after its grace has ended.
 *
 * Logs: one JSON line per step on stdout (Cloud Logging reads `severity` and `message`), never a value.
 * @see https://cloud.google.com/functions/docs/monitoring/logging#writing_structured_logs
 */
import { randomBytes as nodeRandomBytes } from "crypto";
import { defaultSecretStore, SecretInfo, SecretStore, VersionInfo } from "./secret-store";
import { generateValue, ValueSpec, valueSpecFromLabels } from "./value";

/** The label giving the grace period in whole days. */
export const GRACE_LABEL = "nhi-grace-days";
/** The label giving the rotation period in whole days, used when the API does not return `rotation.rotationPeriod`. */
export const PERIOD_LABEL = "nhi-rotate-every-days";
export const ROTATE_EVENT = "SECRET_ROTATE";

/** gRPC codes worth retrying: RESOURCE_EXHAUSTED (8, quota) and UNAVAILABLE (14). @see https://grpc.io/docs/guides/status-codes/ */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([8, 14]);
const NOT_FOUND = 5;
/** gRPC codes that mean a version is no longer enabled by the time it is disabled: NOT_FOUND (5), FAILED_PRECONDITION (9). */
const GONE_CODES: ReadonlySet<number> = new Set([NOT_FOUND, 9]);
const NO_CODES: ReadonlySet<number> = new Set();
/** Attempts per call, including the first; the waits between them follow exponential backoff with full jitter. */
export const MAX_ATTEMPTS = 5;
export const BASE_DELAY_MS = 250;
export const MAX_DELAY_MS = 8_000;

const DAY_MS = 86_400_000;

/** The CloudEvent Eventarc delivers for a Pub/Sub message (`google.cloud.pubsub.topic.v1.messagePublished`). */
export interface PubsubCloudEvent {
    readonly type?: string;
    readonly time?: string;
    readonly data?: {
        readonly message?: {
            readonly attributes?: Readonly<Record<string, string>>;
            /** base64 of the `Secret` in proto3 JSON */
            readonly data?: string;
            readonly messageId?: string;
            readonly publishTime?: string;
        };
    };
}

export type Step = "receive" | "read-secret" | "add-version" | "list-versions" | "disable-version" | "done";

export interface LogLine {
    readonly severity: "INFO" | "WARNING" | "ERROR";
    readonly message: string;
    readonly secret?: string;
    readonly step: Step;
    readonly version?: string;
    readonly outcome: string;
    readonly attempt?: number;
    readonly code?: number;
}

export interface RotationResult {
    readonly outcome: "rotated" | "already-rotated" | "ignored" | "refused";
    /** The version this run added. */
    readonly added?: string;
    /** The versions this run disabled. */
    readonly disabled: readonly string[];
}

export interface RotationDeps {
    /** The Secret Manager calls; created on first use by default. */
    readonly store: () => Promise<SecretStore>;
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    /** A number in [0, 1) for the jitter. */
    readonly random: () => number;
    readonly randomBytes: (n: number) => Buffer;
    readonly log: (line: LogLine) => void;
}

/** How the secret is rotated, from its labels and rotation settings. */
export interface RotationPolicy {
    readonly value: ValueSpec;
    readonly graceMs: number;
}

/** The policy, or the reason the labels cannot be honoured. */
export function rotationPolicy(secret: SecretInfo): RotationPolicy | { readonly problem: string } {
    const value = valueSpecFromLabels(secret.labels);
    if ("problem" in value) return value;
    const days = (label: string): number | undefined | null => {
        const text = secret.labels[label];
        if (text === undefined) return undefined;
        return /^[0-9]{1,4}$/.test(text) ? Number(text) : null;
    };
    const grace = days(GRACE_LABEL);
    if (grace === null) return { problem: `label \`${GRACE_LABEL}\` is "${secret.labels[GRACE_LABEL]}"; allowed: a whole number of days` };
    if (grace !== undefined) return { value, graceMs: grace * DAY_MS };
    if (secret.rotationPeriodSeconds !== undefined) return { value, graceMs: secret.rotationPeriodSeconds * 1000 };
    const period = days(PERIOD_LABEL);
    if (period === null || period === undefined || period === 0) {
        return { problem: `neither \`rotation.rotationPeriod\` nor a valid label \`${GRACE_LABEL}\` or \`${PERIOD_LABEL}\` (a whole number of days) says how long a replaced version stays enabled` };
    }
    return { value, graceMs: period * DAY_MS };
}

/**
 * The enabled versions to disable at `now`: those whose next newer enabled version was created more than `graceMs` ago.
 * The newest enabled version has no successor, so it is always kept; `keep` (the version just added) is kept too.
 */
export function versionsPastGrace(versions: readonly VersionInfo[], graceMs: number, now: number, keep?: string): VersionInfo[] {
    const enabled = versions.filter((v) => v.state === "ENABLED").sort((a, b) => a.id - b.id);
    return enabled.filter((v, i) => i < enabled.length - 1 && v.name !== keep && enabled[i + 1].createTime + graceMs <= now);
}

/** The wait before retry `attempt` (1 for the first retry): full jitter over an exponentially growing, capped window. */
export function backoffDelay(attempt: number, random: () => number): number {
    return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)));
}

function errorCode(err: unknown): number | undefined {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === "number" ? code : undefined;
}

function writeJsonLine(line: LogLine): void {
    process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Builds a handler; tests pass a fake store, a fixed clock and an instant sleep. */
export function createRotationHandler(overrides: Partial<RotationDeps> = {}): (event: PubsubCloudEvent) => Promise<RotationResult> {
    let store: Promise<SecretStore> | undefined;
    const deps: RotationDeps = {
        // One client per instance, made on the first event; a failed load is not kept, so the next event tries again.
        store: () =>
            (store ??= defaultSecretStore().catch((err: unknown) => {
                store = undefined;
                throw err;
            })),
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        randomBytes: nodeRandomBytes,
        log: writeJsonLine,
        ...overrides,
    };
    return (event) => rotate(event, deps);
}

async function rotate(event: PubsubCloudEvent, deps: RotationDeps): Promise<RotationResult> {
    const message = event.data?.message ?? {};
    const attributes = message.attributes ?? {};
    const eventType = attributes.eventType;
    if (eventType !== ROTATE_EVENT) {
        deps.log({ severity: "INFO", message: `ignored: event type ${eventType ?? "(none)"} is not ${ROTATE_EVENT}`, secret: attributes.secretId, step: "receive", outcome: "ignored" });
        return { outcome: "ignored", disabled: [] };
    }
    const secret = attributes.secretId ?? secretNameFromData(message.data);
    const publishTime = Date.parse(message.publishTime ?? event.time ?? "");
    if (!secret || Number.isNaN(publishTime)) {
        deps.log({ severity: "ERROR", message: `refused: the ${ROTATE_EVENT} message has no ${secret ? "publish time" : "secretId attribute and no secret name in its data"}`, secret, step: "receive", outcome: "refused" });
        return { outcome: "refused", disabled: [] };
    }
    deps.log({ severity: "INFO", message: `rotation requested at ${new Date(publishTime).toISOString()}`, secret, step: "receive", outcome: "accepted" });

    /**
     * Runs one call, retrying throttling and unavailability. Anything else is rethrown: a code in `handled` for the caller to deal
     * with, any other error logged first, and the run fails so that Pub/Sub delivers the message again.
     */
    const call = async <T>(step: Step, version: string | undefined, fn: () => Promise<T>, handled: ReadonlySet<number> = NO_CODES): Promise<T> => {
        for (let attempt = 1; ; attempt++) {
            try {
                return await fn();
            } catch (err) {
                const code = errorCode(err);
                if (code !== undefined && RETRYABLE_CODES.has(code) && attempt < MAX_ATTEMPTS) {
                    const delay = backoffDelay(attempt, deps.random);
                    deps.log({ severity: "WARNING", message: `gRPC code ${code}; retrying in ${delay} ms`, secret, step, version, outcome: "retrying", attempt, code });
                    await deps.sleep(delay);
                    continue;
                }
                if (code === undefined || !handled.has(code)) {
                    deps.log({ severity: "ERROR", message: `failed${code === undefined ? "" : ` with gRPC code ${code}`} after ${attempt} attempt(s)`, secret, step, version, outcome: "failed", attempt, code });
                }
                throw err;
            }
        }
    };

    const store = await deps.store();
    let info: SecretInfo;
    try {
        info = await call("read-secret", undefined, () => store.getSecret(secret), new Set([NOT_FOUND]));
    } catch (err) {
        // A secret deleted since the notification was sent will never rotate: acknowledge instead of failing for days of redelivery.
        if (errorCode(err) !== NOT_FOUND) throw err;
        deps.log({ severity: "WARNING", message: "refused: the secret no longer exists", secret, step: "read-secret", outcome: "refused", code: NOT_FOUND });
        return { outcome: "refused", disabled: [] };
    }
    const policy = rotationPolicy(info);
    if ("problem" in policy) {
        deps.log({ severity: "ERROR", message: `refused: ${policy.problem}`, secret, step: "read-secret", outcome: "refused" });
        return { outcome: "refused", disabled: [] };
    }
    deps.log({ severity: "INFO", message: `value ${policy.value.format}, ${policy.value.length} characters; grace ${policy.graceMs / DAY_MS} days`, secret, step: "read-secret", outcome: "read" });

    // The guard and the add run together inside one retried call: after an UNAVAILABLE the add may have happened, so look again.
    const added = await call("add-version", undefined, async () => {
        const newest = newestEnabled(await store.listVersions(secret));
        if (newest && newest.createTime >= publishTime) {
            deps.log({ severity: "INFO", message: "this rotation already added the newest version", secret, step: "add-version", version: newest.name, outcome: "already-added" });
            return undefined;
        }
        const v = await store.addVersion(secret, Buffer.from(generateValue(policy.value, deps.randomBytes), "utf8"));
        deps.log({ severity: "INFO", message: "added a version", secret, step: "add-version", version: v.name, outcome: "added" });
        return v;
    });

    const versions = await call("list-versions", undefined, () => store.listVersions(secret));
    const now = deps.now();
    const disabled: string[] = [];
    for (const v of versionsPastGrace(versions, policy.graceMs, now, added?.name)) {
        try {
            await call("disable-version", v.name, () => store.disableVersion(v.name), GONE_CODES);
            disabled.push(v.name);
            deps.log({ severity: "INFO", message: "disabled a version past its grace period", secret, step: "disable-version", version: v.name, outcome: "disabled" });
        } catch (err) {
            const code = errorCode(err);
            if (code === undefined || !GONE_CODES.has(code)) throw err;
            deps.log({ severity: "INFO", message: `no longer enabled (gRPC code ${code})`, secret, step: "disable-version", version: v.name, outcome: "skipped", code });
        }
    }
    const outcome = added ? "rotated" : "already-rotated";
    deps.log({ severity: "INFO", message: `${outcome}; disabled ${disabled.length} version(s)`, secret, step: "done", version: newestEnabled(versions)?.name, outcome });
    return { outcome, added: added?.name, disabled };
}

/** The `name` of the `Secret` the message data carries (base64 of proto3 JSON), when it parses. */
function secretNameFromData(data: string | undefined): string | undefined {
    try {
        const name: unknown = data ? JSON.parse(Buffer.from(data, "base64").toString("utf8"))?.name : undefined;
        return typeof name === "string" && name.length > 0 ? name : undefined;
    } catch {
        return undefined;
    }
}

function newestEnabled(versions: readonly VersionInfo[]): VersionInfo | undefined {
    return versions.filter((v) => v.state === "ENABLED").reduce<VersionInfo | undefined>((a, v) => (a && a.id > v.id ? a : v), undefined);
}

/** The entry point Cloud Run functions calls. */
export const rotateSecret = createRotationHandler();
