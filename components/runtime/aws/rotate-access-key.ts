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
 * When the previous key is retired: by a daily check, not at the next rotation. A rotation function
 * runs only when invoked, so the component's EventBridge Scheduler schedule invokes it once a day
 * with its own event, `{"nhiAction": "retirePrevious", "SecretId": "<secret ARN>"}` (exactly those
 * two fields; any other event with `nhiAction` is refused). That check (`retirePrevious`):
 * - does nothing, and logs why, while a rotation is in progress (AWSPENDING on a version other than
 *   AWSCURRENT), when the secret has no AWSCURRENT key yet, or when AWSCURRENT's key is not Active
 *   (someone deactivated it: the consumer may be on the previous key);
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
import { DescribeSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GRACE_TAG, RETIRE_ACTION, RetireEvent, USER_TAG } from "./access-key-contract";
import { BaseDeps, Outcome, RotationEvent, errorName, runRotation, stagedValue, tagValue, withBackoff } from "./rotation";

export { ACTIONS, GRACE_TAG, RETIRE_ACTION, RetireEvent, USER_TAG, retireEvent } from "./access-key-contract";
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
/**
 * A secret's ARN, as the daily check's `SecretId` must be: AWS adds `-` and 6 characters to names of
 * 1–512 of `A–Z a–z 0–9 /_+=.@-`.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]{1,519}$/;

/** What the function talks to; tests pass clients wired to fakes, a clock, a sleep that does not wait. */
export interface AccessKeyDeps extends BaseDeps {
    readonly iam: IAMClient;
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
export async function handler(event: RotationEvent | RetireEvent): Promise<void> {
    defaultDeps ??= {
        client: new SecretsManagerClient({ maxAttempts: 1 }),
        iam: new IAMClient({ maxAttempts: 1 }),
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
 * (`{"nhiAction": "retirePrevious", "SecretId": "<secret ARN>"}`), and anything else is a rotation
 * event, validated as Secrets Manager's.
 */
export async function handle(event: unknown, deps: AccessKeyDeps): Promise<void> {
    if (event === null || typeof event !== "object" || !("nhiAction" in event)) {
        return rotate(event as RotationEvent, deps);
    }
    if (!isRetireEvent(event)) {
        const id = (event as { SecretId?: unknown }).SecretId;
        deps.log({ secret: typeof id === "string" ? id : "", step: RETIRE_STEP, version: "", outcome: "failed", error: "Error" });
        throw new Error(`Invalid retire event: expected exactly \`nhiAction\` ("${RETIRE_ACTION}") and \`SecretId\` (the ARN of a secret), and nothing else.`);
    }
    return retirePrevious(event, deps);
}

/** Whether `event` is exactly the daily check's event: two fields, the action and a secret's ARN. */
export function isRetireEvent(event: unknown): event is RetireEvent {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
        return false;
    }
    const e = event as Record<string, unknown>;
    return Object.keys(e).sort().join(",") === "SecretId,nhiAction"
        && e.nhiAction === RETIRE_ACTION
        && typeof e.SecretId === "string" && SECRET_ARN.test(e.SecretId);
}

/** Runs one step of one rotation, and logs one line for it. */
export async function rotate(event: RotationEvent, deps: AccessKeyDeps): Promise<void> {
    await runRotation(event, deps, {
        async createSecret({ secret, version, metadata, retried }) {
            if (await stagedValue(secret, "AWSPENDING", version, deps) !== undefined) {
                return "already-created";
            }
            const { user, graceDays } = keySpec(metadata.Tags);
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
            const value: StoredKey = { accessKeyId: created.AccessKey!.AccessKeyId!, secretAccessKey: created.AccessKey!.SecretAccessKey! };
            // Idempotent on the token: a throttled put is retried with the same value.
            await retried(() => deps.client.send(new PutSecretValueCommand({
                SecretId: secret,
                ClientRequestToken: version,
                SecretString: JSON.stringify(value),
                VersionStages: ["AWSPENDING"],
            })));
            return "created";
        },
        // IAM creates a key Active: nothing to set.
        setSecret: async () => "nothing-to-set",
        async testSecret({ secret, version, metadata }) {
            const { user } = keySpec(metadata.Tags);
            const pending = parseKey(await stagedValue(secret, "AWSPENDING", version, deps));
            const key = pending === undefined ? undefined : (await listKeys(user, deps)).find((k) => k.AccessKeyId === pending.accessKeyId);
            if (key?.Status !== "Active") {
                throw new Error(`The AWSPENDING access key of secret ${secret} (version ${version}) is not an Active key of IAM user ${user}.`);
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
        deps.log(error === undefined ? { secret, step: RETIRE_STEP, version, outcome } : { secret, step: RETIRE_STEP, version, outcome, error });
    try {
        const metadata = await withBackoff(() => deps.client.send(new DescribeSecretCommand({ SecretId: secret })), deps);
        const stages = metadata.VersionIdsToStages ?? {};
        const versions = Object.keys(stages);
        version = versions.find((id) => stages[id].includes("AWSCURRENT")) ?? "";
        const pending = versions.find((id) => stages[id].includes("AWSPENDING") && !stages[id].includes("AWSCURRENT"));
        if (pending !== undefined) {
            // The rotation's `createSecret` retires what it must; this run would race it.
            version = pending;
            return log("rotation-pending");
        }
        const { user, graceDays } = keySpec(metadata.Tags);
        const [current, previous] = await Promise.all([
            storedKeyId(secret, "AWSCURRENT", deps),
            storedKeyId(secret, "AWSPREVIOUS", deps),
        ]);
        if (current === undefined) {
            return log("no-current-key");
        }
        const keys = await listKeys(user, deps);
        if (keys.find((k) => k.AccessKeyId === current)?.Status !== "Active") {
            return log("current-key-not-active");
        }
        const steps = plan(keys, { current, previous, graceDays, now: deps.now(), mode: "check" });
        if ("refuse" in steps) {
            throw new Error(steps.refuse); // never: the check keeps what it may not retire
        }
        await retire(user, steps.retire, deps);
        const outcome: Outcome = steps.retire.some((s) => s.deactivate) ? "deactivated"
            : steps.retire.length > 0 ? "deleted"
                : keys.length > 1 ? "not-due" : "nothing-to-retire";
        log(outcome);
    } catch (e) {
        log("failed", errorName(e));
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
export type Plan =
    | { readonly retire: readonly Retirement[] }
    | { readonly refuse: string };

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
 * 2. **Inactive**: nobody can sign with it: deleted.
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
    state: { readonly current?: string; readonly previous?: string; readonly graceDays: number; readonly now: Date; readonly mode: RetireMode },
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
            if (key === currentKey || ((key.CreateDate?.getTime() ?? Infinity) >= since! && key.AccessKeyId !== state.previous)) {
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
    let kept = currentKey === undefined ? 0 : 1;
    for (const key of keys) {
        const id = key.AccessKeyId!;
        if (key === currentKey) {
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
        return { refuse: `IAM user {user} has ${MAX_KEYS} access keys and the previous one is inside its grace period of ${state.graceDays} days; secret {secret} is rotated again once it ends.` };
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
                await withBackoff(() => deps.iam.send(new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: step.id, Status: "Inactive" })), deps);
            }
            if (step.delete) {
                await withBackoff(() => deps.iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: step.id })), deps);
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

async function storedKeyId(secret: string, stage: "AWSCURRENT" | "AWSPREVIOUS", deps: AccessKeyDeps): Promise<string | undefined> {
    return parseKey(await stagedValue(secret, stage, undefined, deps))?.accessKeyId;
}

/** The stored key, or undefined if there is no value or it is not `{"accessKeyId","secretAccessKey"}` (never echoed). */
function parseKey(value: string | undefined): StoredKey | undefined {
    if (value === undefined) {
        return undefined;
    }
    try {
        const parsed = JSON.parse(value) as Partial<StoredKey>;
        return typeof parsed?.accessKeyId === "string" && typeof parsed.secretAccessKey === "string" ? (parsed as StoredKey) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The user and the grace period, from the secret's tags (the component writes them). A missing or
 * malformed tag fails the rotation before any key is touched.
 */
export function keySpec(tags: readonly { Key?: string; Value?: string }[] | undefined): { user: string; graceDays: number } {
    const user = tagValue(tags, USER_TAG);
    const grace = tagValue(tags, GRACE_TAG);
    if (user === undefined || !/^[\w+=,.@-]{1,64}$/.test(user)) {
        // IAM user names: 1–64 characters of [\w+=,.@-] (API_CreateUser).
        throw new Error(`Tag \`${USER_TAG}\` is ${user === undefined ? "missing" : `"${user}"`}; expected an IAM user name.`);
    }
    if (grace === undefined || !/^\d{1,3}$/.test(grace) || Number(grace) > 364) {
        throw new Error(`Tag \`${GRACE_TAG}\` is ${grace === undefined ? "missing" : `"${grace}"`}; expected a whole number of days from 0 to 364.`);
    }
    return { user, graceDays: Number(grace) };
}
