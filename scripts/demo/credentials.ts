/**
 * The demo's credentials: what `npm run demo` reads back from an `aws.RotatingSecret` or an
 * `aws.AccessKeyIdentity` (the secret that holds the value, its rotation schedule, the function that
 * rotates it and that function's role, who may read it, and for an access key the IAM user and what
 * it may do), writes to its folder and prints. Everything comes from the components' properties and
 * the resources they registered; nothing of a value is anywhere to read.
 */
import { Registered, valueOf } from "../../components/testing";
import {
    AWS_ACCESS_KEY_IDENTITY_TYPE,
    AwsAccessKeyIdentity,
    CONSUMER_TAG,
    ROTATOR_SUFFIX as KEY_ROTATOR_SUFFIX,
    USER_CHILD_SUFFIX,
} from "../../components/aws/access-key-identity";
import {
    AWS_ROTATING_SECRET_TYPE,
    AwsRotatingSecret,
    ROTATOR_SUFFIX as SECRET_ROTATOR_SUFFIX,
} from "../../components/aws/rotating-secret";
import { AWS_SERVICE_IDENTITY_TYPE } from "../../components/aws/service-identity";
import { PolicyDocument } from "../../components/aws/policy";
import { GRACE_TAG } from "../../components/runtime/aws/access-key-contract";
import { FORMAT_TAG, LENGTH_TAG } from "../../components/runtime/aws/contract";
import { Permission, countPermissions, effectivePermissions, permissionLines } from "./aws";
import { UsageSettingsReport, usageLines, usageSettingsOf } from "./usage";
import { QUARANTINE_POLICY_NAME } from "../../components/aws/deprovision";
import { NOTIFY_TAG, ROTATION_SLACK_DAYS } from "../../components/runtime/aws/usage-contract";
import { asList, compare, escapeRegExp, heading, identityFolder, pushAuditTrail, pushResources, wrap } from "./common";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const LAMBDA = "aws:lambda/function:Function";
const PERMISSION = "aws:lambda/permission:Permission";
const USER = "aws:iam/user:User";
const LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile";
const ACCESS_KEY = "aws:iam/accessKey:AccessKey";

/** The function that rotates a credential, and what its role may do. */
export interface RotatorReport {
    /** `own`: a function for this credential alone; `shared`: an `aws.SecretRotator` many secrets use. */
    readonly mode: "own" | "shared";
    /** The shared rotator's id (its `nhi:rotator` tag value). */
    readonly rotatorId?: string;
    /** The function's logical name, `${credential}-rotator` or the rotator's name. */
    readonly name: string;
    readonly functionName: string;
    readonly functionArn: string;
    readonly runtime: string;
    readonly handler: string;
    /** Whom Secrets Manager may invoke it for: one secret's ARN, or every secret of an account. */
    readonly invokedFor: string;
    readonly roleName: string;
    readonly roleArn: string;
    /** The role's identity policies: the inline policy first, then any managed policy. */
    readonly policies: PolicyDocument[];
    readonly permissions: Permission[];
}

/** One principal the secret's resource policy lets read the value. */
export interface CredentialReader {
    readonly arn: string;
    /** The quickstart identity whose role it is, if any. */
    readonly identity?: string;
    /** What it may call on the secret, sorted. */
    readonly actions: string[];
}

/** One credential as the demo reports it. */
export interface CredentialReport {
    /** The component's name, e.g. `webhook-signing`. */
    readonly name: string;
    readonly kind: "rotating secret" | "access key";
    readonly owner: string;
    readonly purpose: string;
    /** Where the credential lives: the Secrets Manager secret's ARN. */
    readonly secretArn: string;
    /** A rotating secret's value: its length and characters, as the function reads them from the secret's tags. */
    readonly value?: { length: number; format: string };
    /** Days between rotations, as the `SecretRotation` declares them. */
    readonly rotateEveryDays: number;
    /** Whether the first value is minted when the rotation is configured (at creation). */
    readonly rotateImmediately: boolean;
    /** An access key's grace, from the secret's `nhi:grace-days` tag: how long the previous key stays active. */
    readonly graceDays?: number;
    /** Days a deleted secret stays recoverable. */
    readonly recoveryWindowInDays: number;
    /** The topic the usage monitor tells when no rotation has succeeded for longer than the period plus a day (the secret's `nhi:notify`). */
    readonly rotationAlarm?: { readonly notify: string; readonly afterDays: number };
    readonly rotator: RotatorReport;
    /** Who may read it, from the secret's resource policy. */
    readonly readers: CredentialReader[];
    /** The secret's resource policy, as declared. */
    readonly resourcePolicy: PolicyDocument;
    /** An access key's IAM user and what its key may do. */
    readonly user?: {
        readonly consumer: string;
        readonly name: string;
        readonly arn: string;
        /** Whether a console password (login profile) is declared for the user. */
        readonly consoleAccess: boolean;
        /** How many `aws.iam.AccessKey` resources are declared for it: 0, the key being minted in AWS. */
        readonly keysInState: number;
        readonly expiresAt?: string;
        readonly policies: PolicyDocument[];
        readonly permissions: Permission[];
        /** Its `auditQuery`: the CloudWatch Logs Insights query of what the user's keys did, over CloudTrail. */
        readonly auditQuery: string;
        /** What the usage monitor does about it: its unused alarm, expiry notice and quarantine. */
        readonly usage: UsageSettingsReport;
    };
    /** The component and its children, the rotation function's identity included. */
    readonly resources: { type: string; name: string }[];
    /** The files written for this credential, absolute paths. */
    readonly files: string[];
}

/** The quickstart's credentials: rotating secrets and access key identities. */
export type Credential = AwsRotatingSecret | AwsAccessKeyIdentity;

/**
 * Reads `credential` back; `identities` names the principals the demo knows (role ARN → identity
 * name), so that each reader is shown with its identity.
 */
export async function reportCredential(
    credential: Credential,
    all: readonly Registered[],
    identities: ReadonlyMap<string, string>,
    outDir: string,
): Promise<CredentialReport> {
    const name = await valueOf(credential.urn.apply((urn) => urn.split("::").pop()!));
    const isKey = credential instanceof AwsAccessKeyIdentity;
    const type = isKey ? AWS_ACCESS_KEY_IDENTITY_TYPE : AWS_ROTATING_SECRET_TYPE;
    const one = (resourceType: string, resourceName: string): Registered => {
        const found = all.find((r) => r.type === resourceType && r.name === resourceName);
        if (found === undefined) {
            throw new Error(`${type} "${name}" declared no ${resourceType} "${resourceName}"`);
        }
        return found;
    };
    const secret = one(SECRET, `${name}-secret`);
    const rotation = one(ROTATION, `${name}-rotation`);
    const tags: Record<string, string> = secret.inputs.tags ?? {};
    const resourcePolicy = JSON.parse(
        secret.inputs.policy === "{}" ? '{"Version":"2012-10-17","Statement":[]}' : secret.inputs.policy,
    ) as PolicyDocument;

    // The function: its own (`${name}-rotator`), or a shared rotator, whose function has its name.
    const shared = !isKey && credential.rotator.mode === "shared" ? credential.rotator.rotatorId! : undefined;
    const rotatorName =
        shared !== undefined
            ? shared.split("/").pop()!
            : `${name}${isKey ? KEY_ROTATOR_SUFFIX : SECRET_ROTATOR_SUFFIX}`;
    const fn = one(LAMBDA, rotatorName);
    const invoke = one(PERMISSION, `${rotatorName}-invoke`);
    const roleArn: string = fn.inputs.role;
    const functionArn: string = rotation.inputs.rotationLambdaArn;
    const rotatorPolicies = rolePoliciesOf(rotatorName, all);

    const [secretArn, user] = await Promise.all([
        valueOf(isKey ? credential.keySecretArn : credential.secretArn),
        isKey ? reportUser(credential, name, all) : Promise.resolve(undefined),
    ]);

    const { files, write } = identityFolder(outDir, name);
    write("secret-policy.json", resourcePolicy);
    rotatorPolicies.forEach((doc, i) => write(`rotator-policy-${i + 1}.json`, doc));
    user?.policies.forEach((doc, i) => write(`user-policy-${i + 1}.json`, doc));

    return {
        name,
        kind: isKey ? "access key" : "rotating secret",
        owner: tags["nhi:owner"] ?? "(none)",
        purpose: tags["nhi:purpose"] ?? "(none)",
        secretArn,
        ...(tags[LENGTH_TAG] !== undefined
            ? { value: { length: Number(tags[LENGTH_TAG]), format: tags[FORMAT_TAG] } }
            : {}),
        rotateEveryDays: rotation.inputs.rotationRules.automaticallyAfterDays,
        rotateImmediately: rotation.inputs.rotateImmediately === true,
        ...(tags[GRACE_TAG] !== undefined ? { graceDays: Number(tags[GRACE_TAG]) } : {}),
        recoveryWindowInDays: secret.inputs.recoveryWindowInDays,
        ...(tags[NOTIFY_TAG] !== undefined
            ? {
                  rotationAlarm: {
                      notify: tags[NOTIFY_TAG],
                      afterDays: rotation.inputs.rotationRules.automaticallyAfterDays + ROTATION_SLACK_DAYS,
                  },
              }
            : {}),
        rotator: {
            mode: shared === undefined ? "own" : "shared",
            ...(shared !== undefined ? { rotatorId: shared } : {}),
            name: rotatorName,
            functionName: functionArn.split(":").pop()!,
            functionArn,
            runtime: fn.inputs.runtime,
            handler: fn.inputs.handler,
            invokedFor: invoke.inputs.sourceArn ?? `every secret of account ${invoke.inputs.sourceAccount}`,
            roleName: roleArn.split("/").pop()!,
            roleArn,
            policies: rotatorPolicies,
            permissions: effectivePermissions(rotatorPolicies),
        },
        readers: readersOf(resourcePolicy, identities),
        resourcePolicy,
        ...(user !== undefined ? { user } : {}),
        resources: childrenOf(name, type, all),
        files,
    };
}

async function reportUser(
    identity: AwsAccessKeyIdentity,
    name: string,
    all: readonly Registered[],
): Promise<NonNullable<CredentialReport["user"]>> {
    const [userName, arn, documents, expiresAt, auditQuery] = await Promise.all([
        valueOf(identity.userName),
        valueOf(identity.userArn),
        valueOf(identity.policyDocuments),
        valueOf(identity.expiresAt),
        valueOf(identity.auditQuery),
    ]);
    const user = all.find((r) => r.type === USER && r.name === `${name}${USER_CHILD_SUFFIX}`);
    const policies = documents.map((d) => JSON.parse(d) as PolicyDocument);
    return {
        consumer: user?.inputs.tags?.[CONSUMER_TAG] ?? "(none)",
        name: userName,
        arn,
        consoleAccess: all.some((r) => r.type === LOGIN_PROFILE && r.inputs.user === userName),
        keysInState: all.filter((r) => r.type === ACCESS_KEY && r.inputs.user === userName).length,
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        policies,
        permissions: effectivePermissions(policies),
        auditQuery,
        usage: usageSettingsOf(name, user?.inputs.tags ?? {}, all),
    };
}

/** The identity policies of the role of identity `name`: its inline `${name}-policy`, then its overflow `${name}-policy-2`, … */
function rolePoliciesOf(name: string, all: readonly Registered[]): PolicyDocument[] {
    const inline = all.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === `${name}-policy`);
    const overflow = all
        .filter(
            (r) => r.type === "aws:iam/policy:Policy" && new RegExp(`^${escapeRegExp(name)}-policy-\\d+$`).test(r.name),
        )
        .sort((a, b) => Number(a.name.split("-").pop()) - Number(b.name.split("-").pop()));
    return [...inline, ...overflow].map((r) => JSON.parse(r.inputs.policy) as PolicyDocument);
}

/** The principals a secret's resource policy allows, with what they may call, sorted by ARN. */
function readersOf(policy: PolicyDocument, identities: ReadonlyMap<string, string>): CredentialReader[] {
    const readers = new Map<string, Set<string>>();
    for (const s of policy.Statement) {
        if (s.Effect !== "Allow") {
            continue;
        }
        for (const arn of asList(s.Principal?.AWS)) {
            const actions = readers.get(arn) ?? new Set<string>();
            asList(s.Action).forEach((a) => actions.add(a));
            readers.set(arn, actions);
        }
    }
    return [...readers.entries()]
        .sort(([a], [b]) => compare(a, b))
        .map(([arn, actions]) => ({
            arn,
            ...(identities.has(arn) ? { identity: identities.get(arn)! } : {}),
            actions: [...actions].sort(compare),
        }));
}

/**
 * The component `name` and its children, by the names it documents (`${name}-…`), with the roles
 * and policies of its own identities (its rotation function's, unless it shares a rotator, and an
 * access key's daily check, `-retire`). The component first, then the rest by name and type.
 */
function childrenOf(name: string, type: string, all: readonly Registered[]): { type: string; name: string }[] {
    const own = all
        .filter((r) => r.type === AWS_SERVICE_IDENTITY_TYPE && r.parentType === type && r.name.startsWith(`${name}-`))
        .map((r) => r.name);
    const ofIdentity =
        own.length === 0 ? undefined : new RegExp(`^(${own.map(escapeRegExp).join("|")})-(role|policy(-\\d+)?)$`);
    return all
        .filter(
            (r) =>
                (r.type === type && r.name === name) ||
                (r.parentType === type && r.name.startsWith(`${name}-`)) ||
                (ofIdentity !== undefined && r.parentType === AWS_SERVICE_IDENTITY_TYPE && ofIdentity.test(r.name)),
        )
        .map((r) => ({ type: r.type, name: r.name }))
        .sort(
            (a, b) =>
                Number(b.type === type) - Number(a.type === type) || compare(a.name, b.name) || compare(a.type, b.type),
        );
}

/** A credential's section of the report, from the blank line before its heading. */
export function formatCredential(c: CredentialReport): string[] {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
    const what = c.kind === "access key" ? "key" : "value";
    push(
        "",
        heading(`${c.name} (AWS ${c.kind})`),
        `  Secret      ${c.secretArn}`,
        `              holds ${c.kind === "access key" ? '{"accessKeyId","secretAccessKey"}' : `${c.value!.length} ${c.value!.format} characters`}, written only by its rotator: never in Pulumi state`,
        `  Owner       ${c.owner}`,
        `  Purpose     ${c.purpose}`,
        `  Rotates     every ${days(c.rotateEveryDays)}${c.rotateImmediately ? `, and once at creation (the first ${what})` : ""}`,
        `  Grace       ${
            c.graceDays !== undefined
                ? `the previous key stays active ${days(c.graceDays)} after a rotation; a daily check then deactivates it, and deletes it a day later`
                : `the previous value stays readable as AWSPREVIOUS until the next rotation (${days(c.rotateEveryDays)})`
        }`,
        `  Deleted     recoverable for ${days(c.recoveryWindowInDays)}`,
        `  Alarm       ${c.rotationAlarm === undefined ? "none on its rotation (no `rotationAlarm`)" : `no rotation succeeded for ${days(c.rotationAlarm.afterDays)}: the usage monitor tells ${c.rotationAlarm.notify}`}`,
    );
    if (c.user !== undefined) {
        const u = c.user;
        push(
            "",
            `  The IAM user of ${u.consumer}`,
            `    ${u.name}`,
            `    ${u.arn}`,
            `    ${u.consoleAccess ? "has a console password" : "no console access (no login profile)"}; ${u.keysInState === 0 ? "no access key declared in Pulumi (the rotator mints it)" : `${u.keysInState} access keys declared in Pulumi`}`,
            `    Expires ${u.expiresAt === undefined ? "never (no expiresAt)" : `${u.expiresAt}  (AWS stops honouring the user's policies: DateLessThan aws:CurrentTime)`}`,
            ...(u.usage.quarantineAt === undefined
                ? []
                : [
                      `    Quarantine  ${u.usage.quarantineAt} UTC  (EventBridge Scheduler puts the deny-all inline policy ${QUARANTINE_POLICY_NAME} on the user)`,
                  ]),
            ...usageLines(u.usage, "    "),
            `    What its key may do: ${countPermissions(u.permissions)}`,
            ...permissionLines(u.permissions, "      "),
        );
        pushAuditTrail(push, "aws", u.auditQuery);
    }
    const r = c.rotator;
    push(
        "",
        `  Rotator     ${r.mode === "own" ? "a function of its own" : `the shared rotator ${r.rotatorId}`}: ${r.functionName}`,
        `              ${r.functionArn}`,
        `              ${r.runtime}, ${r.handler}; Secrets Manager invokes it for ${r.invokedFor === c.secretArn ? "this secret only" : r.invokedFor}`,
        `    Its role  ${r.roleName}`,
        `              ${r.roleArn}`,
        `    What the rotator may do: ${countPermissions(r.permissions)}`,
        ...permissionLines(r.permissions, "      "),
        "",
        `  Who may read it: ${c.readers.length} principal${c.readers.length === 1 ? "" : "s"}, through the secret's resource policy`,
    );
    for (const reader of c.readers) {
        push(
            `    ${reader.arn}${reader.identity !== undefined ? `  (${reader.identity})` : ""}`,
            ...wrap(reader.actions, "      "),
        );
    }
    if (c.readers.length === 0) {
        push("    nobody but the account's administrators");
    }
    pushResources(push, c.resources);
    return lines;
}
