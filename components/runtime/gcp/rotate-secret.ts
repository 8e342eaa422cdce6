/**
 * The rotation function for Secret Manager secrets whose value this package generates (`gcp.RotatingSecret`).
 *
 * Deployed as a Cloud Run function (2nd gen) with a Pub/Sub trigger on the topic the secret notifies; entry point `rotateSecret`,
 * signature type `cloudevent`. Receiving the notification, the redelivery guard, the grace rule, retries and logs are shared with the
 * key rotator and described in `rotation.ts`.
 *
 * On `SECRET_ROTATE` it
 * 1. reads the secret's labels (value format and length, grace period);
 * 2. adds a version with a freshly generated value, unless this rotation already added one (see "Idempotence" in `rotation.ts`);
 * 3. disables, never destroys, every enabled version whose successor has been enabled for longer than the grace period,
 *    always keeping the newest enabled version and the one just added.
 *
 * The guard and the add run together, and the disable step, itself idempotent, runs again on a redelivery: this also finishes a run
 * that crashed between adding and disabling. Two deliveries that run at the same moment can both pass the guard and both add (an add
 * takes no precondition); the result is one extra version, which the grace rule retires like any other.
 * The check runs at each rotation, so a version is disabled at the first rotation after its grace has ended.
 */
import { randomBytes as nodeRandomBytes } from "crypto";
import {
    BaseDeps,
    FAILED_PRECONDITION,
    NOT_FOUND,
    PubsubCloudEvent,
    alreadyRotated,
    defaultDeps,
    errorCode,
    graceOf,
    newestEnabled,
    receive,
    versionsPastGrace,
} from "./rotation";
import { defaultSecretStore, SecretInfo, SecretStore } from "./secret-store";
import { generateValue, ValueSpec, valueSpecFromLabels } from "./value";

export {
    BASE_DELAY_MS,
    GRACE_LABEL,
    LogLine,
    MAX_ATTEMPTS,
    MAX_DELAY_MS,
    PERIOD_LABEL,
    PubsubCloudEvent,
    RETRYABLE_CODES,
    ROTATE_EVENT,
    Step,
    backoffDelay,
    versionsPastGrace,
} from "./rotation";

/** gRPC codes that mean a version is no longer enabled by the time it is disabled: NOT_FOUND (5), FAILED_PRECONDITION (9). */
export const GONE_CODES: ReadonlySet<number> = new Set([NOT_FOUND, FAILED_PRECONDITION]);

export interface RotationResult {
    readonly outcome: "rotated" | "already-rotated" | "ignored" | "refused";
    /** The version this run added. */
    readonly added?: string;
    /** The versions this run disabled. */
    readonly disabled: readonly string[];
}

export interface RotationDeps extends BaseDeps {
    readonly randomBytes: (n: number) => Buffer;
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
    const graceMs = graceOf(secret);
    return typeof graceMs === "number" ? { value, graceMs } : graceMs;
}

/** Builds a handler; tests pass a fake store, a fixed clock and an instant sleep. */
export function createRotationHandler(
    overrides: Partial<RotationDeps> = {},
): (event: PubsubCloudEvent) => Promise<RotationResult> {
    const deps: RotationDeps = {
        randomBytes: nodeRandomBytes,
        ...defaultDeps<SecretStore>(defaultSecretStore, overrides),
    };
    return (event) => rotate(event, deps);
}

async function rotate(event: PubsubCloudEvent, deps: RotationDeps): Promise<RotationResult> {
    const received = await receive(event, deps);
    if ("outcome" in received) return { outcome: received.outcome, disabled: [] };
    const { secret, publishTime, info, store, call } = received;
    const policy = rotationPolicy(info);
    if ("problem" in policy) {
        deps.log({
            severity: "ERROR",
            message: `refused: ${policy.problem}`,
            secret,
            step: "read-secret",
            outcome: "refused",
        });
        return { outcome: "refused", disabled: [] };
    }
    deps.log({
        severity: "INFO",
        message: `value ${policy.value.format}, ${policy.value.length} characters; grace ${policy.graceMs / 86_400_000} days`,
        secret,
        step: "read-secret",
        outcome: "read",
    });

    // The guard and the add run together inside one retried call: after an UNAVAILABLE the add may have happened, so look again.
    const added = await call("add-version", undefined, async () => {
        const done = alreadyRotated(await store.listVersions(secret), publishTime);
        if (done) {
            deps.log({
                severity: "INFO",
                message: "this rotation already added the newest version",
                secret,
                step: "add-version",
                version: done.name,
                outcome: "already-added",
            });
            return undefined;
        }
        const v = await store.addVersion(secret, Buffer.from(generateValue(policy.value, deps.randomBytes), "utf8"));
        deps.log({
            severity: "INFO",
            message: "added a version",
            secret,
            step: "add-version",
            version: v.name,
            outcome: "added",
        });
        return v;
    });

    const versions = await call("list-versions", undefined, () => store.listVersions(secret));
    const now = deps.now();
    const disabled: string[] = [];
    for (const v of versionsPastGrace(versions, policy.graceMs, now, added?.name)) {
        try {
            await call("disable-version", v.name, () => store.disableVersion(v.name), GONE_CODES);
            disabled.push(v.name);
            deps.log({
                severity: "INFO",
                message: "disabled a version past its grace period",
                secret,
                step: "disable-version",
                version: v.name,
                outcome: "disabled",
            });
        } catch (err) {
            const code = errorCode(err);
            if (code === undefined || !GONE_CODES.has(code)) throw err;
            deps.log({
                severity: "INFO",
                message: `no longer enabled (gRPC code ${code})`,
                secret,
                step: "disable-version",
                version: v.name,
                outcome: "skipped",
                code,
            });
        }
    }
    const outcome = added ? "rotated" : "already-rotated";
    deps.log({
        severity: "INFO",
        message: `${outcome}; disabled ${disabled.length} version(s)`,
        secret,
        step: "done",
        version: newestEnabled(versions)?.name,
        outcome,
    });
    return { outcome, added: added?.name, disabled };
}

/** The entry point Cloud Run functions calls. */
export const rotateSecret = createRotationHandler();
