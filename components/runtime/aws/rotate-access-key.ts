/**
 * The rotation function for an IAM user's access key, kept in a Secrets Manager secret as
 * `{"accessKeyId","secretAccessKey"}`: it runs in Lambda, on Secrets Manager's schedule, so the key
 * never passes through Pulumi (no `aws.iam.AccessKey` anywhere).
 *
 * The secret's tags name the user (`nhi:iam-user`) and the grace period (`nhi:grace-days`, how long
 * the previous key stays usable after a rotation). The event checks, `finishSecret`, logging and
 * throttling retries are shared with `rotate-secret.ts` (`rotation.ts`).
 *
 * The steps, each idempotent on a retry and after a crash between any two calls:
 * - `createSecret`: if the token's AWSPENDING version has a value, nothing. Otherwise make room,
 *   then `CreateAccessKey` and store it as AWSPENDING. IAM allows at most two access keys per user
 *   (IAM and AWS STS quotas, "Access keys assigned to an IAM user": 2), so before minting, every key of the
 *   user other than AWSCURRENT's is looked at; the rule is below (`plan`).
 * - `setSecret`: nothing (IAM makes a key Active when it creates it).
 * - `testSecret`: the AWSPENDING key exists on the user and is Active (`iam:ListAccessKeys`). It
 *   does not sign a call with the new key (e.g. `sts:GetCallerIdentity`): that would prove nothing
 *   more than IAM's own record (a new key can take seconds to propagate, so such a test flakes) and
 *   the function would need to read the secret key into an SDK client; its permissions stay the
 *   four IAM actions on its one user.
 * - `finishSecret`: AWSCURRENT moves to the new version; Secrets Manager stages the old one
 *   AWSPREVIOUS, and its key stays Active so that a consumer that polls can switch.
 *
 * The leaked-key response (`keyExposed`, from the component's EventBridge rule on AWS Health) is
 * described at {@link keyExposed}.
 *
 * When the previous key is retired: by a daily check, not at the next rotation. A rotation function
 * runs only when invoked, so the component's EventBridge Scheduler schedule invokes it once a day
 * with its own event, `{"nhiAction": "retirePrevious", "SecretId": "<secret ARN>"}` (exactly those
 * two fields; any other event with `nhiAction` is refused). That check (`retirePrevious`):
 * - after the secret's `nhi:expires-at`, deactivates every key of the user and does nothing else
 *   (`createSecret` then refuses to mint);
 * - does nothing, and logs why, while a rotation is in progress (AWSPENDING on a version other than
 *   AWSCURRENT) or when the secret has no AWSCURRENT key yet;
 * - starts a rotation now (`RotateSecret`) when AWSCURRENT's key is not Active (deactivated by a
 *   person, by the leaked-key response, or at expiry and since renewed): the consumer has no
 *   working key, and `createSecret` deletes the Inactive one to make room;
 * - deactivates the previous key (AWSPREVIOUS's, or an older key no version records) once
 *   `graceDays` have passed since AWSCURRENT's key was created;
 * - deletes it once it is Inactive and a further {@link MIN_INACTIVE_MS} (a day) has passed, and
 *   never in the run that deactivated it: a consumer that breaks when the key is deactivated can be
 *   noticed, and the key re-activated by hand, before it is gone (raise `graceDays` first, or the
 *   next check deactivates it again);
 * - never touches AWSCURRENT's key, nor a newer key AWSPREVIOUS does not hold (a rotation may be minting it).
 * So the previous key is Active for `graceDays` after the switch, plus at most a day (the check's
 * interval), and gone a day later. `createSecret` applies the same rule (`plan`, `retire`) to make
 * room: there an Inactive key is deleted at once (the new key needs its place), and an Active one
 * past its grace is deactivated then deleted; a key inside its grace is kept and, the user having
 * no room (`MAX_KEYS`), the rotation fails without changing anything rather than cut a consumer
 * off. Secrets Manager retries it, and it can be started again once the grace period ends.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (2 access keys per user)
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html (the secret key is returned only once; LimitExceeded)
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html (rotate: create, switch, deactivate, delete)
 *
 * Runs in the cloud: plain TypeScript, imports nothing from `@pulumi/*` or `components/`;
 * `@aws-sdk/client-iam` is a devDependency for the same reason as `@aws-sdk/client-secrets-manager`
 * (Lambda's Node.js runtimes provide SDK v3; see rotate-secret.ts). Only long-stable commands are used.
 */
import {
    AccessKeyMetadata,
    CreateAccessKeyCommand,
    DeleteAccessKeyCommand,
    IAMClient,
    ListAccessKeysCommand,
    UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import {
    DescribeSecretCommand,
    DescribeSecretCommandOutput,
    PutSecretValueCommand,
    RotateSecretCommand,
    SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
    EXPIRES_TAG,
    EXPOSED_ACTION,
    ExposedEvent,
    GRACE_TAG,
    NOTIFY_TAG,
    RETIRE_ACTION,
    RetireEvent,
    USER_TAG,
} from "./access-key-contract";
import {
    BaseDeps,
    Outcome,
    RotationEvent,
    errorName,
    runRotation,
    stagedValue,
    tagValue,
    withBackoff,
} from "./rotation";

export {
    ACTIONS,
    AFTER_EXPIRY_ACTIONS,
    DEACTIVATE_AFTER_EXPIRY_DAYS,
    EXPIRES_TAG,
    EXPOSED_ACTION,
    ExposedEvent,
    GRACE_TAG,
    NOTIFY_TAG,
    RETIRE_ACTION,
    RetireEvent,
    USER_TAG,
    retireEvent,
} from "./access-key-contract";
export { BASE_DELAY_MS, LogLine, MAX_ATTEMPTS, Outcome, RotationEvent, Step, withBackoff } from "./rotation";

/** IAM's limit of access keys per user (IAM and AWS STS quotas). */
export const MAX_KEYS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The daily check deletes a key it deactivated no sooner than this after the key's grace ended, and
 * never in the same run: a day in which a consumer still on that key fails, and a person can
 * re-activate it (`aws iam update-access-key --status Active`) before it is gone for good.
 */
export const MIN_INACTIVE_MS = DAY_MS;
/** The step the daily check logs. */
export const RETIRE_STEP = "retirePrevious";
/** The step the leaked-key response logs. */
export const EXPOSED_STEP = "keyExposed";
/**
 * At most this many access key IDs in a leaked-key event: AWS Health lists the exposed keys of one
 * finding (usually one); more than any real event holds, few enough to bound the work of a run.
 */
export const MAX_EXPOSED_KEYS = 20;
/** An access key ID: `AKIA` (long-term) and 16 upper-case letters or digits. */
const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;
/**
 * A secret's ARN, as the daily check's `SecretId` must be: AWS adds `-` and 6 characters to names of
 * 1–512 of `A–Z a–z 0–9 /_+=.@-`.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]{1,519}$/;

/** What the function talks to; tests pass clients wired to fakes, a clock, a sleep that does not wait. */
export interface AccessKeyDeps extends BaseDeps {
    readonly iam: IAMClient;
    /** Publishes the leaked-key notice. */
    readonly sns: SNSClient;
    readonly now: () => Date;
}

/** The secret's value. */
interface StoredKey {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

/**
 * The Lambda entry point, for Secrets Manager's rotation events and the daily check's
 * ({@link handle}); clients as in rotate-secret.ts (own retries off, `withBackoff` retries throttling).
 */
export async function handler(event: RotationEvent | RetireEvent | ExposedEvent): Promise<void> {
    defaultDeps ??= {
        client: new SecretsManagerClient({ maxAttempts: 1 }),
        iam: new IAMClient({ maxAttempts: 1 }),
        sns: new SNSClient({ maxAttempts: 1 }),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        now: () => new Date(),
    };
    await handle(event, defaultDeps);
}
let defaultDeps: AccessKeyDeps | undefined;

/**
 * Runs what `event` asks: an event with `nhiAction` must be exactly the daily check's
 * (`{"nhiAction": "retirePrevious", "SecretId": "<secret ARN>"}`) or the leaked-key rule's
 * (`{"nhiAction": "keyExposed", "SecretId": "<secret ARN>", "accessKeyIds": ["AKIA…"]}`), and
 * anything else is a rotation event, validated as Secrets Manager's.
 */
export async function handle(event: unknown, deps: AccessKeyDeps): Promise<void> {
    if (event === null || typeof event !== "object" || !("nhiAction" in event)) {
        return rotate(event as RotationEvent, deps);
    }
    if (isRetireEvent(event)) {
        return retirePrevious(event, deps);
    }
    if (isExposedEvent(event)) {
        return keyExposed(event, deps);
    }
    const { SecretId: id, nhiAction: action } = event as { SecretId?: unknown; nhiAction?: unknown };
    deps.log({
        secret: typeof id === "string" ? id : "",
        step: action === EXPOSED_ACTION ? EXPOSED_STEP : RETIRE_STEP,
        version: "",
        outcome: "failed",
        error: "Error",
    });
    throw new Error(
        action === EXPOSED_ACTION
            ? `Invalid keyExposed event: expected exactly \`nhiAction\` ("${EXPOSED_ACTION}"), \`SecretId\` (the ARN of a secret) and \`accessKeyIds\` (1–${MAX_EXPOSED_KEYS} access key IDs), and nothing else.`
            : `Invalid retire event: expected exactly \`nhiAction\` ("${RETIRE_ACTION}") and \`SecretId\` (the ARN of a secret), and nothing else.`,
    );
}

/** Whether `event` is exactly the daily check's event: two fields, the action and a secret's ARN. */
export function isRetireEvent(event: unknown): event is RetireEvent {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
        return false;
    }
    const e = event as Record<string, unknown>;
    return (
        Object.keys(e).sort().join(",") === "SecretId,nhiAction" &&
        e.nhiAction === RETIRE_ACTION &&
        typeof e.SecretId === "string" &&
        SECRET_ARN.test(e.SecretId)
    );
}

/** Whether `event` is exactly the leaked-key event: the action, a secret's ARN and 1–20 access key IDs. */
export function isExposedEvent(event: unknown): event is ExposedEvent {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
        return false;
    }
    const e = event as Record<string, unknown>;
    const ids = e.accessKeyIds;
    return (
        Object.keys(e).sort().join(",") === "SecretId,accessKeyIds,nhiAction" &&
        e.nhiAction === EXPOSED_ACTION &&
        typeof e.SecretId === "string" &&
        SECRET_ARN.test(e.SecretId) &&
        Array.isArray(ids) &&
        ids.length >= 1 &&
        ids.length <= MAX_EXPOSED_KEYS &&
        ids.every((id) => typeof id === "string" && ACCESS_KEY_ID.test(id))
    );
}

/** Runs one step of one rotation, and logs one line for it. */
export async function rotate(event: RotationEvent, deps: AccessKeyDeps): Promise<void> {
    await runRotation(event, deps, {
        async createSecret({ secret, version, metadata, retried }) {
            const { user, graceDays, expiresAt } = keySpec(metadata.Tags);
            if (isExpired(expiresAt, deps)) {
                throw new Error(
                    `The identity of IAM user ${user} expired at ${expiresAt}: no access key is minted for secret ${secret}. Set a later \`expiresAt\` to rotate again.`,
                );
            }
            if ((await stagedValue(secret, "AWSPENDING", version, deps)) !== undefined) {
                return "already-created";
            }
            const [current, previous] = await Promise.all([
                storedKeyId(secret, "AWSCURRENT", deps),
                storedKeyId(secret, "AWSPREVIOUS", deps),
            ]);
            const keys = await listKeys(user, deps);
            const steps = plan(keys, { current, previous, graceDays, now: deps.now(), mode: "make-room" });
            if ("refuse" in steps) {
                throw new Error(steps.refuse.replace("{user}", user).replace("{secret}", secret));
            }
            await retire(user, steps.retire, deps);
            // A throttled CreateAccessKey was refused, so retrying it makes one key. One whose
            // answer is lost made a key whose secret nobody will see again (API_CreateAccessKey):
            // the invocation fails, and the next try's `plan` deletes it as an orphan.
            const created = await retried(() => deps.iam.send(new CreateAccessKeyCommand({ UserName: user })));
            const value: StoredKey = {
                accessKeyId: created.AccessKey!.AccessKeyId!,
                secretAccessKey: created.AccessKey!.SecretAccessKey!,
            };
            // Idempotent on the token: a throttled put is retried with the same value.
            await retried(() =>
                deps.client.send(
                    new PutSecretValueCommand({
                        SecretId: secret,
                        ClientRequestToken: version,
                        SecretString: JSON.stringify(value),
                        VersionStages: ["AWSPENDING"],
                    }),
                ),
            );
            return "created";
        },
        // IAM creates a key Active: nothing to set.
        setSecret: async () => "nothing-to-set",
        async testSecret({ secret, version, metadata }) {
            const { user } = keySpec(metadata.Tags);
            const pending = parseKey(await stagedValue(secret, "AWSPENDING", version, deps));
            const key =
                pending === undefined
                    ? undefined
                    : (await listKeys(user, deps)).find((k) => k.AccessKeyId === pending.accessKeyId);
            if (key?.Status !== "Active") {
                throw new Error(
                    `The AWSPENDING access key of secret ${secret} (version ${version}) is not an Active key of IAM user ${user}.`,
                );
            }
            return "tested";
        },
    });
}

/**
 * The daily check: retires the previous key when its grace is over (the rule is `plan`'s, in mode
 * `check`), and logs one line: the secret, step `retirePrevious`, AWSCURRENT's version (or the
 * pending one, when a rotation is in progress) and the outcome. IAM allows two keys per user, one
 * of them AWSCURRENT's, so a run acts on at most one key. A failed call is thrown after its line
 * (`failed`); Lambda retries an asynchronous invocation, and every run starts from what it finds.
 */
export async function retirePrevious(event: RetireEvent, deps: AccessKeyDeps): Promise<void> {
    const secret = event.SecretId;
    let version = "";
    const log = (outcome: Outcome, error?: string) =>
        deps.log(
            error === undefined
                ? { secret, step: RETIRE_STEP, version, outcome }
                : { secret, step: RETIRE_STEP, version, outcome, error },
        );
    try {
        const metadata = await describe(secret, deps);
        const { user, graceDays, expiresAt } = keySpec(metadata.Tags);
        const { current: currentVersion, pending } = versionsOf(metadata);
        version = currentVersion ?? "";
        if (isExpired(expiresAt, deps)) {
            await deactivateAll(
                user,
                await listKeys(user, deps),
                (outcome, id) => deps.log({ secret, step: RETIRE_STEP, version, outcome, accessKeyId: id }),
                deps,
            );
            return log("expired");
        }
        if (pending !== undefined) {
            // The rotation's `createSecret` retires what it must; this run would race it.
            version = pending;
            return log("rotation-pending");
        }
        const [current, previous] = await Promise.all([
            storedKeyId(secret, "AWSCURRENT", deps),
            storedKeyId(secret, "AWSPREVIOUS", deps),
        ]);
        if (current === undefined) {
            return log("no-current-key");
        }
        const keys = await listKeys(user, deps);
        if (keys.find((k) => k.AccessKeyId === current)?.Status !== "Active") {
            // Deactivated by a person, by AWS's response to an exposed key, or deleted: the
            // consumer has no working key, so a new one is minted now (`createSecret` deletes
            // the Inactive one to make room).
            return log(await startRotation(secret, deps));
        }
        const steps = plan(keys, { current, previous, graceDays, now: deps.now(), mode: "check" });
        if ("refuse" in steps) {
            throw new Error(steps.refuse); // never: the check keeps what it may not retire
        }
        await retire(user, steps.retire, deps);
        const outcome: Outcome = steps.retire.some((s) => s.deactivate)
            ? "deactivated"
            : steps.retire.length > 0
              ? "deleted"
              : keys.length > 1
                ? "not-due"
                : "nothing-to-retire";
        log(outcome);
    } catch (e) {
        log("failed", errorName(e));
        throw e;
    }
}

/**
 * The leaked-key response, for the EventBridge rule on AWS Health's `AWS_RISK_CREDENTIALS_EXPOSED`
 * events: one log line per step (`step` `keyExposed`), each with the access key ID where there is
 * one (an identifier, never the secret key).
 * 1. The user's keys (`ListAccessKeys`): the event's IDs that are not among them are ignored (every
 *    identity's rule receives every exposed-key event of the account): `not-ours`, nothing else.
 * 2. Each exposed key of the user is deactivated (`deactivated`), or was already (`already-inactive`).
 * 3. When AWSCURRENT's key is one of them, and the identity has not expired, an immediate rotation
 *    (`RotateSecret`, `rotation-started`), unless one is in progress (`rotation-pending`: its
 *    `createSecret`, retried, deletes the Inactive key to make room). When only the previous key
 *    (or an older one) is exposed, the consumer is already on a key AWS did not report:
 *    `current-key-not-exposed`, no rotation (it would not remove anything exposed).
 * 4. The owner is told: one SNS message to the topic of the secret's `nhi:notify` tag
 *    (`notified`), or, with no topic, the log line alone (`no-notify-target`).
 * Idempotent: a retry (Lambda retries an asynchronous invocation twice) finds the keys Inactive and
 * the rotation started or done (AWSCURRENT then holds a new key, not an exposed one), so it only
 * notifies again: a notice may come twice, a key is never left Active.
 * @see https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html
 */
export async function keyExposed(event: ExposedEvent, deps: AccessKeyDeps): Promise<void> {
    const secret = event.SecretId;
    let version = "";
    const log = (outcome: Outcome, accessKeyId?: string, error?: string) =>
        deps.log({
            secret,
            step: EXPOSED_STEP,
            version,
            outcome,
            ...(accessKeyId === undefined ? {} : { accessKeyId }),
            ...(error === undefined ? {} : { error }),
        });
    try {
        const metadata = await describe(secret, deps);
        const { user, expiresAt, topic } = keySpec(metadata.Tags);
        const { current: currentVersion, pending } = versionsOf(metadata);
        version = currentVersion ?? "";
        const keys = await listKeys(user, deps);
        const exposed = keys.filter((k) => event.accessKeyIds.includes(k.AccessKeyId!));
        if (exposed.length === 0) {
            return log("not-ours");
        }
        await deactivateAll(user, exposed, log, deps);
        let rotation: Outcome;
        if (isExpired(expiresAt, deps)) {
            rotation = "expired";
        } else if (pending !== undefined) {
            rotation = "rotation-pending";
        } else {
            const current = await storedKeyId(secret, "AWSCURRENT", deps);
            rotation = exposed.some((k) => k.AccessKeyId === current)
                ? await startRotation(secret, deps)
                : "current-key-not-exposed";
        }
        log(rotation);
        if (topic === undefined) {
            return log("no-notify-target");
        }
        const ids = exposed.map((k) => k.AccessKeyId!);
        await withBackoff(
            () =>
                deps.sns.send(
                    new PublishCommand({
                        TopicArn: topic,
                        Subject: `pulumi-nhi: exposed access key of IAM user ${user} deactivated`.slice(0, 100),
                        Message: JSON.stringify({
                            what: "AWS reported access keys of this IAM user as exposed (AWS_RISK_CREDENTIALS_EXPOSED); they are now Inactive.",
                            user,
                            secret,
                            accessKeyIds: ids,
                            rotation,
                            next:
                                rotation === "rotation-started"
                                    ? "A new key is being stored in the secret; consumers that read it recover on their own."
                                    : "Check the user's activity in CloudTrail; see the identity's audit query.",
                        }),
                    }),
                ),
            deps,
        );
        log("notified");
    } catch (e) {
        log("failed", undefined, errorName(e));
        throw e;
    }
}

/** The secret's metadata, retried while throttled. */
async function describe(secret: string, deps: AccessKeyDeps): Promise<DescribeSecretCommandOutput> {
    return withBackoff(() => deps.client.send(new DescribeSecretCommand({ SecretId: secret })), deps);
}

/** AWSCURRENT's version, and AWSPENDING's when it is on another version (a rotation in progress). */
function versionsOf(metadata: DescribeSecretCommandOutput): { current?: string; pending?: string } {
    const stages = metadata.VersionIdsToStages ?? {};
    const versions = Object.keys(stages);
    return {
        current: versions.find((id) => stages[id].includes("AWSCURRENT")),
        pending: versions.find((id) => stages[id].includes("AWSPENDING") && !stages[id].includes("AWSCURRENT")),
    };
}

function isExpired(expiresAt: string | undefined, deps: AccessKeyDeps): boolean {
    return expiresAt !== undefined && deps.now().getTime() >= Date.parse(expiresAt);
}

/**
 * Deactivates each Active key of `keys` and logs one line per key: `deactivated`, or
 * `already-inactive`. A key gone meanwhile (`NoSuchEntity`) counts as inactive.
 */
async function deactivateAll(
    user: string,
    keys: readonly AccessKeyMetadata[],
    log: (outcome: Outcome, accessKeyId: string) => void,
    deps: AccessKeyDeps,
): Promise<void> {
    for (const key of keys) {
        if (key.Status === "Inactive") {
            log("already-inactive", key.AccessKeyId!);
            continue;
        }
        await retire(user, [{ id: key.AccessKeyId!, deactivate: true, delete: false }], deps);
        log("deactivated", key.AccessKeyId!);
    }
}

/**
 * Starts a rotation now (`RotateSecret`, which invokes this function's steps through Secrets
 * Manager): `rotation-started`, or `rotation-pending` when Secrets Manager refuses because one is
 * in progress (`InvalidRequestException`).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
 */
async function startRotation(secret: string, deps: AccessKeyDeps): Promise<Outcome> {
    try {
        await withBackoff(() => deps.client.send(new RotateSecretCommand({ SecretId: secret })), deps);
        return "rotation-started";
    } catch (e) {
        if (errorName(e) === "InvalidRequestException") {
            return "rotation-pending";
        }
        throw e;
    }
}

/**
 * When a key other than AWSCURRENT's is retired: `make-room`, by `createSecret` before it mints a
 * key (an Inactive key goes at once, and a rotation inside the grace is refused), or `check`, by the
 * daily check (one change per key per run, a deletion a day after the grace at the earliest).
 */
export type RetireMode = "make-room" | "check";

/** What happens to one key: deactivated, deleted, or deactivated then deleted. */
export interface Retirement {
    readonly id: string;
    readonly deactivate: boolean;
    readonly delete: boolean;
}

/** What to do to the user's keys, or why a rotation must wait. */
export type Plan = { readonly retire: readonly Retirement[] } | { readonly refuse: string };

/**
 * The one rule that retires keys, for `createSecret` (`make-room`) and the daily check (`check`).
 * The key in AWSCURRENT is never touched. The grace period is counted from the creation of
 * AWSCURRENT's key (the earliest moment the consumer could have switched; `finishSecret` follows
 * within minutes).
 *
 * `make-room`: every other key of the user, in this order:
 * 1. **An orphan** (in neither AWSCURRENT nor AWSPREVIOUS, and created after AWSCURRENT's key, or
 *    there is no AWSCURRENT): made by a `createSecret` whose `PutSecretValue` never happened. Its
 *    secret key was returned once and lost, so nobody can use it: deleted (Active or not) and a
 *    new key minted. (Recording it instead is impossible: IAM never returns the secret key again.)
 * 2. **Inactive**: nobody can sign with it: deleted, AWSCURRENT's key too (deactivated because
 *    AWS reported it exposed, or by a person: the rotation that replaces it needs its place).
 * 3. **The previous key** (AWSPREVIOUS, or an older key no version records), Active: deactivated
 *    then deleted once the grace period is over. Inside the grace period it is kept, and if the
 *    user then has no room (`MAX_KEYS`), the rotation is refused.
 * Deletions come before `CreateAccessKey`, so the user never needs a third key; a crash between
 * any two calls leaves a state the same rule handles (a deactivated key is Inactive; a deleted one
 * is gone; a minted one not yet stored is an orphan).
 *
 * `check`: only while AWSCURRENT's key is Active, and only AWSPREVIOUS's key and keys created before
 * AWSCURRENT's (a newer one may be a rotation's, being minted): an Active key past its grace is deactivated, and an Inactive one
 * is deleted once {@link MIN_INACTIVE_MS} more has passed; never both in one run, never a refusal.
 */
export function plan(
    keys: readonly AccessKeyMetadata[],
    state: {
        readonly current?: string;
        readonly previous?: string;
        readonly graceDays: number;
        readonly now: Date;
        readonly mode: RetireMode;
    },
): Plan {
    const currentKey = keys.find((k) => k.AccessKeyId === state.current);
    const since = currentKey?.CreateDate?.getTime();
    const graceEnd = since === undefined ? undefined : since + state.graceDays * DAY_MS;
    const now = state.now.getTime();
    const graceOver = graceEnd !== undefined && now >= graceEnd;
    const retire: Retirement[] = [];
    if (state.mode === "check") {
        if (currentKey?.Status !== "Active" || graceEnd === undefined) {
            return { retire };
        }
        for (const key of keys) {
            // AWSPREVIOUS's key is never newer than AWSCURRENT's, even when read while a rotation finishes.
            if (
                key === currentKey ||
                ((key.CreateDate?.getTime() ?? Infinity) >= since! && key.AccessKeyId !== state.previous)
            ) {
                continue;
            }
            if (key.Status === "Inactive" && now >= graceEnd + MIN_INACTIVE_MS) {
                retire.push({ id: key.AccessKeyId!, deactivate: false, delete: true });
            } else if (key.Status !== "Inactive" && graceOver) {
                retire.push({ id: key.AccessKeyId!, deactivate: true, delete: false });
            }
        }
        return { retire };
    }
    let kept = currentKey === undefined || currentKey.Status === "Inactive" ? 0 : 1;
    for (const key of keys) {
        const id = key.AccessKeyId!;
        if (key === currentKey) {
            // Deactivated (exposed, or by a person): nobody can sign with it, and the new key needs its place.
            if (key.Status === "Inactive") {
                retire.push({ id, deactivate: false, delete: true });
            }
            continue;
        }
        const orphan = id !== state.previous && (since === undefined || (key.CreateDate?.getTime() ?? 0) >= since);
        if (orphan || key.Status === "Inactive") {
            retire.push({ id, deactivate: false, delete: true });
        } else if (graceOver) {
            retire.push({ id, deactivate: true, delete: true });
        } else {
            kept++;
        }
    }
    if (kept >= MAX_KEYS) {
        return {
            refuse: `IAM user {user} has ${MAX_KEYS} access keys and the previous one is inside its grace period of ${state.graceDays} days; secret {secret} is rotated again once it ends.`,
        };
    }
    return { retire };
}

/**
 * Carries out `steps` on the user's keys, each retried while throttled: deactivate, then delete. A
 * key already gone (`NoSuchEntity`: deleted by a run beside this one, or by a person) is skipped.
 */
async function retire(user: string, steps: readonly Retirement[], deps: AccessKeyDeps): Promise<void> {
    for (const step of steps) {
        try {
            if (step.deactivate) {
                await withBackoff(
                    () =>
                        deps.iam.send(
                            new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: step.id, Status: "Inactive" }),
                        ),
                    deps,
                );
            }
            if (step.delete) {
                await withBackoff(
                    () => deps.iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: step.id })),
                    deps,
                );
            }
        } catch (e) {
            if (errorName(e) !== "NoSuchEntityException") {
                throw e;
            }
        }
    }
}

async function listKeys(user: string, deps: AccessKeyDeps): Promise<AccessKeyMetadata[]> {
    // At most two keys: one page (ListAccessKeys' default MaxItems is 100).
    const listed = await withBackoff(() => deps.iam.send(new ListAccessKeysCommand({ UserName: user })), deps);
    return listed.AccessKeyMetadata ?? [];
}

async function storedKeyId(
    secret: string,
    stage: "AWSCURRENT" | "AWSPREVIOUS",
    deps: AccessKeyDeps,
): Promise<string | undefined> {
    return parseKey(await stagedValue(secret, stage, undefined, deps))?.accessKeyId;
}

/** The stored key, or undefined if there is no value or it is not `{"accessKeyId","secretAccessKey"}` (never echoed). */
function parseKey(value: string | undefined): StoredKey | undefined {
    if (value === undefined) {
        return undefined;
    }
    try {
        const parsed = JSON.parse(value) as Partial<StoredKey>;
        return typeof parsed?.accessKeyId === "string" && typeof parsed.secretAccessKey === "string"
            ? (parsed as StoredKey)
            : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The user and the grace period, from the secret's tags (the component writes them). A missing or
 * malformed tag fails the rotation before any key is touched.
 */
export function keySpec(tags: readonly { Key?: string; Value?: string }[] | undefined): KeySpec {
    const user = tagValue(tags, USER_TAG);
    const grace = tagValue(tags, GRACE_TAG);
    const expiresAt = tagValue(tags, EXPIRES_TAG);
    const topic = tagValue(tags, NOTIFY_TAG);
    if (user === undefined || !/^[\w+=,.@-]{1,64}$/.test(user)) {
        // IAM user names: 1–64 characters of [\w+=,.@-] (API_CreateUser).
        throw new Error(
            `Tag \`${USER_TAG}\` is ${user === undefined ? "missing" : `"${user}"`}; expected an IAM user name.`,
        );
    }
    if (grace === undefined || !/^\d{1,3}$/.test(grace) || Number(grace) > 364) {
        throw new Error(
            `Tag \`${GRACE_TAG}\` is ${grace === undefined ? "missing" : `"${grace}"`}; expected a whole number of days from 0 to 364.`,
        );
    }
    if (expiresAt !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(expiresAt)) {
        throw new Error(
            `Tag \`${EXPIRES_TAG}\` is "${expiresAt}"; expected a UTC instant such as 2027-01-31T00:00:00Z.`,
        );
    }
    if (topic !== undefined && !SNS_TOPIC_ARN.test(topic)) {
        throw new Error(`Tag \`${NOTIFY_TAG}\` is "${topic}"; expected the ARN of an SNS topic.`);
    }
    return {
        user,
        graceDays: Number(grace),
        ...(expiresAt === undefined ? {} : { expiresAt }),
        ...(topic === undefined ? {} : { topic }),
    };
}

/** What the secret's tags say about its key. */
export interface KeySpec {
    readonly user: string;
    readonly graceDays: number;
    /** The identity's `expiresAt`, if it has one. */
    readonly expiresAt?: string;
    /** The SNS topic of the leaked-key notice, if any. */
    readonly topic?: string;
}

/** An SNS topic's ARN (names: 1–256 of `A–Z a–z 0–9 _ -`, `.fifo` for FIFO topics). */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;
