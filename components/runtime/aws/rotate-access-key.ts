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
 * When the previous key is retired: at the NEXT rotation's `createSecret`, which must make room
 * anyway. A rotation function runs only when Secrets Manager invokes it, so this is the first time
 * after the switch that the function runs at all; with `graceDays` shorter than the period
 * (checked by the component), the previous key's grace is always over by then. If a rotation is
 * started early (by hand, inside the grace period), `createSecret` fails without changing anything
 * rather than cut a consumer off; Secrets Manager retries it and the rotation can be started
 * again once the grace period ends. So the previous key stays Active for at least `graceDays` and
 * at most one period.
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
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GRACE_TAG, USER_TAG } from "./access-key-contract";
import { BaseDeps, RotationEvent, runRotation, stagedValue, tagValue, withBackoff } from "./rotation";

export { ACTIONS, GRACE_TAG, USER_TAG } from "./access-key-contract";
export { BASE_DELAY_MS, LogLine, MAX_ATTEMPTS, Outcome, RotationEvent, Step, withBackoff } from "./rotation";

/** IAM's limit of access keys per user (IAM and AWS STS quotas). */
export const MAX_KEYS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

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

/** The Lambda entry point; clients as in rotate-secret.ts (own retries off, `withBackoff` retries throttling). */
export async function handler(event: RotationEvent): Promise<void> {
    defaultDeps ??= {
        client: new SecretsManagerClient({ maxAttempts: 1 }),
        iam: new IAMClient({ maxAttempts: 1 }),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        now: () => new Date(),
    };
    await rotate(event, defaultDeps);
}
let defaultDeps: AccessKeyDeps | undefined;

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
            const steps = plan(keys, { current, previous, graceDays, now: deps.now() });
            if ("refuse" in steps) {
                throw new Error(steps.refuse.replace("{user}", user).replace("{secret}", secret));
            }
            for (const { id, deactivate } of steps.retire) {
                if (deactivate) {
                    await retried(() => deps.iam.send(new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: id, Status: "Inactive" })));
                }
                await retried(() => deps.iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: id })));
            }
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

/** What `createSecret` does to the user's keys before it mints one. */
export type Plan =
    | { readonly retire: readonly { readonly id: string; readonly deactivate: boolean }[] }
    | { readonly refuse: string };

/**
 * The rule that makes room for a new key. The key in AWSCURRENT is never touched. Every other key
 * of the user is, in this order:
 * 1. **An orphan** (in neither AWSCURRENT nor AWSPREVIOUS, and created after AWSCURRENT's key, or
 *    there is no AWSCURRENT): made by a `createSecret` whose `PutSecretValue` never happened. Its
 *    secret key was returned once and lost, so nobody can use it: deleted (Active or not) and a
 *    new key minted. (Recording it instead is impossible: IAM never returns the secret key again.)
 * 2. **Inactive**: nobody can sign with it: deleted.
 * 3. **The previous key** (AWSPREVIOUS, or an older key no version records), Active: deactivated
 *    then deleted once the grace period is over, counted from the creation of AWSCURRENT's key
 *    (the earliest moment the consumer could have switched; `finishSecret` follows within minutes).
 *    Inside the grace period it is kept, and if the user then has no room (`MAX_KEYS`), the
 *    rotation is refused.
 * Deletions come before `CreateAccessKey`, so the user never needs a third key; a crash between
 * any two calls leaves a state the same rule handles (a deactivated key is Inactive; a deleted one
 * is gone; a minted one not yet stored is an orphan).
 */
export function plan(
    keys: readonly AccessKeyMetadata[],
    state: { readonly current?: string; readonly previous?: string; readonly graceDays: number; readonly now: Date },
): Plan {
    const currentKey = keys.find((k) => k.AccessKeyId === state.current);
    const since = currentKey?.CreateDate?.getTime();
    const graceOver = since !== undefined && state.now.getTime() >= since + state.graceDays * DAY_MS;
    const retire: { id: string; deactivate: boolean }[] = [];
    let kept = currentKey === undefined ? 0 : 1;
    for (const key of keys) {
        const id = key.AccessKeyId!;
        if (key === currentKey) {
            continue;
        }
        const orphan = id !== state.previous && (since === undefined || (key.CreateDate?.getTime() ?? 0) >= since);
        if (orphan || key.Status === "Inactive") {
            retire.push({ id, deactivate: false });
        } else if (graceOver) {
            retire.push({ id, deactivate: true });
        } else {
            kept++;
        }
    }
    if (kept >= MAX_KEYS) {
        return { refuse: `IAM user {user} has ${MAX_KEYS} access keys and the previous one is inside its grace period of ${state.graceDays} days; secret {secret} is rotated again once it ends.` };
    }
    return { retire };
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
