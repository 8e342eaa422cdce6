/**
 * What every Google rotation function of this package shares: receiving Secret Manager's `SECRET_ROTATE` notification, reading the
 * secret, retrying throttled calls, the redelivery guard, the grace rule and one structured log line per step.
 * `rotate-secret.ts` (generated values) and `rotate-key.ts` (a service account's key) differ only in what they add and retire.
 *
 * Deployed as a Cloud Run function (2nd gen) with a Pub/Sub trigger on the topic the secret notifies, signature type `cloudevent`.
 * Secret Manager publishes a `SECRET_ROTATE` message at the secret's `rotation.nextRotationTime` and then advances that time by
 * `rotation.rotationPeriod`; the message's attributes carry `eventType` and `secretId` (the secret's full resource name) and its data
 * is the `Secret` in proto3 JSON, whose `name` serves when `secretId` is absent.
 * @see https://cloud.google.com/secret-manager/docs/event-notifications
 * @see https://cloud.google.com/secret-manager/docs/secret-rotation
 * @see https://cloud.google.com/eventarc/docs/cloudevents (type `google.cloud.pubsub.topic.v1.messagePublished`)
 *
 * Idempotence. Pub/Sub delivers at least once, and a function that fails is invoked again with the same message. A redelivered
 * message keeps its `publishTime`. So a rotation is "already done" when the newest enabled version was created at or after the
 * message's `publishTime` ({@link alreadyRotated}). `rotation.nextRotationTime` would not serve: Secret Manager has already advanced
 * it when the message arrives, and reading it back needs the period, which the API documents as input only.
 *
 * Grace. A version stays enabled for `graceDays` after the version that replaced it was created ({@link versionsPastGrace}).
 * `graceDays` comes from the `nhi-grace-days` label; without it, one rotation period (the secret's `rotation.rotationPeriod` when
 * the API returns it, else the `nhi-rotate-every-days` label).
 *
 * Logs: one JSON line per step on stdout (Cloud Logging reads `severity` and `message`), never a value.
 * @see https://cloud.google.com/functions/docs/monitoring/logging#writing_structured_logs
 *
 * Runs in the cloud: imports nothing from `@pulumi/*` or `components/` (DESIGN.md, "runtime/").
 */
import { SecretInfo, SecretStore, VersionInfo } from "./secret-store";

/** The label giving the grace period in whole days. */
export const GRACE_LABEL = "nhi-grace-days";
/** The label giving the rotation period in whole days, used when the API does not return `rotation.rotationPeriod`. */
export const PERIOD_LABEL = "nhi-rotate-every-days";
export const ROTATE_EVENT = "SECRET_ROTATE";

/** gRPC codes worth retrying: RESOURCE_EXHAUSTED (8, quota) and UNAVAILABLE (14). @see https://grpc.io/docs/guides/status-codes/ */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([8, 14]);
export const NOT_FOUND = 5;
export const FAILED_PRECONDITION = 9;
const NO_CODES: ReadonlySet<number> = new Set();
/** Attempts per call, including the first; the waits between them follow exponential backoff with full jitter. */
export const MAX_ATTEMPTS = 5;
export const BASE_DELAY_MS = 250;
export const MAX_DELAY_MS = 8_000;

export const DAY_MS = 86_400_000;

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

/** The steps of both functions; each writes one line. */
export type Step =
    | "receive"
    | "read-secret"
    | "add-version"
    | "list-versions"
    | "disable-version"
    | "read-versions"
    | "list-keys"
    | "create-key"
    | "disable-key"
    | "delete-key"
    | "done";

export interface LogLine {
    readonly severity: "INFO" | "WARNING" | "ERROR";
    readonly message: string;
    readonly secret?: string;
    readonly step: Step;
    /** A secret version's or a key's resource name: never a value. */
    readonly version?: string;
    readonly outcome: string;
    readonly attempt?: number;
    readonly code?: number;
}

/** What every rotation function talks to; tests pass fakes, a fixed clock and an instant sleep. */
export interface BaseDeps<S extends SecretStore = SecretStore> {
    /** The Secret Manager calls; created on first use by default. */
    readonly store: () => Promise<S>;
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    /** A number in [0, 1) for the jitter. */
    readonly random: () => number;
    readonly log: (line: LogLine) => void;
}

/**
 * Runs one call, retrying throttling and unavailability. Anything else is rethrown: a code in `handled` for the caller to deal
 * with, any other error logged first, and the run fails so that Pub/Sub delivers the message again.
 */
export type Call = <T>(
    step: Step,
    version: string | undefined,
    fn: () => Promise<T>,
    handled?: ReadonlySet<number>,
    retryable?: (err: unknown) => boolean,
) => Promise<T>;

/** A rotation that was received and whose secret was read. */
export interface Received<S extends SecretStore> {
    readonly secret: string;
    readonly publishTime: number;
    readonly info: SecretInfo;
    readonly store: S;
    readonly call: Call;
}

/** The default dependencies, with one store per function instance made on the first event; a failed load is not kept. */
export function defaultDeps<S extends SecretStore>(
    load: () => Promise<S>,
    overrides: Partial<BaseDeps<S>>,
): BaseDeps<S> {
    let store: Promise<S> | undefined;
    return {
        store: () =>
            (store ??= load().catch((err: unknown) => {
                store = undefined;
                throw err;
            })),
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        log: writeJsonLine,
        ...overrides,
    };
}

/**
 * Steps `receive` and `read-secret`: the notification's secret and publish time, and the secret itself; or why the run stops
 * there. A notification of another type is ignored; one that names no secret, or a secret deleted since, is acknowledged
 * (`refused`) rather than failed, since redelivery could never help.
 */
export async function receive<S extends SecretStore>(
    event: PubsubCloudEvent,
    deps: BaseDeps<S>,
): Promise<Received<S> | { readonly outcome: "ignored" | "refused" }> {
    const message = event.data?.message ?? {};
    const attributes = message.attributes ?? {};
    const eventType = attributes.eventType;
    if (eventType !== ROTATE_EVENT) {
        deps.log({
            severity: "INFO",
            message: `ignored: event type ${eventType ?? "(none)"} is not ${ROTATE_EVENT}`,
            secret: attributes.secretId,
            step: "receive",
            outcome: "ignored",
        });
        return { outcome: "ignored" };
    }
    const secret = attributes.secretId ?? secretNameFromData(message.data);
    const publishTime = Date.parse(message.publishTime ?? event.time ?? "");
    if (!secret || Number.isNaN(publishTime)) {
        deps.log({
            severity: "ERROR",
            message: `refused: the ${ROTATE_EVENT} message has no ${secret ? "publish time" : "secretId attribute and no secret name in its data"}`,
            secret,
            step: "receive",
            outcome: "refused",
        });
        return { outcome: "refused" };
    }
    deps.log({
        severity: "INFO",
        message: `rotation requested at ${new Date(publishTime).toISOString()}`,
        secret,
        step: "receive",
        outcome: "accepted",
    });

    const call: Call = async (step, version, fn, handled = NO_CODES, retryable = () => true) => {
        for (let attempt = 1; ; attempt++) {
            try {
                return await fn();
            } catch (err) {
                const code = errorCode(err);
                if (code !== undefined && RETRYABLE_CODES.has(code) && retryable(err) && attempt < MAX_ATTEMPTS) {
                    const delay = backoffDelay(attempt, deps.random);
                    deps.log({
                        severity: "WARNING",
                        message: `gRPC code ${code}; retrying in ${delay} ms`,
                        secret,
                        step,
                        version,
                        outcome: "retrying",
                        attempt,
                        code,
                    });
                    await deps.sleep(delay);
                    continue;
                }
                if (code === undefined || !handled.has(code)) {
                    deps.log({
                        severity: "ERROR",
                        message: `failed${code === undefined ? "" : ` with gRPC code ${code}`} after ${attempt} attempt(s)`,
                        secret,
                        step,
                        version,
                        outcome: "failed",
                        attempt,
                        code,
                    });
                }
                throw err;
            }
        }
    };

    const store = await deps.store();
    try {
        const info = await call("read-secret", undefined, () => store.getSecret(secret), new Set([NOT_FOUND]));
        return { secret, publishTime, info, store, call };
    } catch (err) {
        // A secret deleted since the notification was sent will never rotate: acknowledge instead of failing for days of redelivery.
        if (errorCode(err) !== NOT_FOUND) throw err;
        deps.log({
            severity: "WARNING",
            message: "refused: the secret no longer exists",
            secret,
            step: "read-secret",
            outcome: "refused",
            code: NOT_FOUND,
        });
        return { outcome: "refused" };
    }
}

/** How long a replaced version stays enabled, from the secret's labels and rotation settings, or why that cannot be told. */
export function graceOf(secret: SecretInfo): number | { readonly problem: string } {
    const days = (label: string): number | undefined | null => {
        const text = secret.labels[label];
        if (text === undefined) return undefined;
        return /^[0-9]{1,4}$/.test(text) ? Number(text) : null;
    };
    const grace = days(GRACE_LABEL);
    if (grace === null)
        return {
            problem: `label \`${GRACE_LABEL}\` is "${secret.labels[GRACE_LABEL]}"; allowed: a whole number of days`,
        };
    if (grace !== undefined) return grace * DAY_MS;
    if (secret.rotationPeriodSeconds !== undefined) return secret.rotationPeriodSeconds * 1000;
    const period = days(PERIOD_LABEL);
    if (period === null || period === undefined || period === 0) {
        return {
            problem: `neither \`rotation.rotationPeriod\` nor a valid label \`${GRACE_LABEL}\` or \`${PERIOD_LABEL}\` (a whole number of days) says how long a replaced version stays enabled`,
        };
    }
    return period * DAY_MS;
}

/**
 * The enabled versions to disable at `now`: those whose next newer enabled version was created more than `graceMs` ago.
 * The newest enabled version has no successor, so it is always kept; `keep` (the version just added) is kept too.
 */
export function versionsPastGrace(
    versions: readonly VersionInfo[],
    graceMs: number,
    now: number,
    keep?: string,
): VersionInfo[] {
    const enabled = versions.filter((v) => v.state === "ENABLED").sort((a, b) => a.id - b.id);
    return enabled.filter(
        (v, i) => i < enabled.length - 1 && v.name !== keep && enabled[i + 1].createTime + graceMs <= now,
    );
}

/** The redelivery guard: this notification's rotation already added the newest enabled version. */
export function alreadyRotated(versions: readonly VersionInfo[], publishTime: number): VersionInfo | undefined {
    const newest = newestEnabled(versions);
    return newest && newest.createTime >= publishTime ? newest : undefined;
}

export function newestEnabled(versions: readonly VersionInfo[]): VersionInfo | undefined {
    return versions
        .filter((v) => v.state === "ENABLED")
        .reduce<VersionInfo | undefined>((a, v) => (a && a.id > v.id ? a : v), undefined);
}

/** The wait before retry `attempt` (1 for the first retry): full jitter over an exponentially growing, capped window. */
export function backoffDelay(attempt: number, random: () => number): number {
    return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)));
}

export function errorCode(err: unknown): number | undefined {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === "number" ? code : undefined;
}

function writeJsonLine(line: LogLine): void {
    process.stdout.write(`${JSON.stringify(line)}\n`);
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
