import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems, describe } from "../core/errors";
import { EXPIRY_WARNING_DAYS } from "../core/expiry";
import { AUTONAME_SUFFIX_CHARS, MAX_PRINCIPAL_NAME_CHARS } from "./principal";
import { PolicyLimits, POLICY_VERSION } from "./policy";
import type { DeclaredServiceRole } from "./service-identity";

/*
 * Deprovisioning at expiry: the second line behind the `aws:CurrentTime` conditions every policy
 * of an expiring identity carries. At `expiresAt`, an EventBridge Scheduler one-time schedule calls
 * IAM itself (a universal target: no function of ours runs, nobody is at a keyboard) and puts an
 * explicit deny-all inline policy on the identity's role or user. An explicit deny beats every
 * allow: the identity's own policies, managed policies attached by hand later, and resource
 * policies (a bucket's, a key's) that name it. The schedule deletes itself after it runs; the AWS
 * provider then drops it from the state on the next refresh, fails to update it without one (a
 * renewal after the quarantine needs `pulumi up --refresh`), and deletes it as a no-op.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

/** The name of the deny-all inline policy the schedule puts on the identity at `expiresAt`. */
export const QUARANTINE_POLICY_NAME = "nhi-quarantine";

/** The quarantine policy: deny every action on every resource, with no condition. */
export const QUARANTINE_POLICY = {
    Version: POLICY_VERSION,
    Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
} as const;

/** The quarantine policy as IAM receives it: JSON without whitespace. */
export const QUARANTINE_POLICY_JSON = JSON.stringify(QUARANTINE_POLICY);

/**
 * The characters the quarantine takes of the identity's inline policy room (a role's 10,240, a
 * user's 2,048 together, whitespace not counted), kept free so that the schedule's `PutRolePolicy`
 * or `PutUserPolicy` can never fail with `LimitExceeded`: the document, and its name, which AWS
 * does not say whether it counts.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("the total aggregate policy size (the sum size of all inline policies) per entity")
 */
export const QUARANTINE_RESERVED_CHARS = QUARANTINE_POLICY_JSON.length + QUARANTINE_POLICY_NAME.length;

/**
 * The schedule and its execution role are `${name}${DEPROVISION_SUFFIX}`: the schedule
 * `${name}-expiry-1a2b3c4` and the role `${name}-expiry-role-1a2b3c4` (AWS: at most 64 characters).
 */
export const DEPROVISION_SUFFIX = "-expiry";

/**
 * How long after `expiresAt` the execution role keeps working, 15 days: longer than EventBridge
 * Scheduler's day of retries ({@link DEPROVISION_RETRY_POLICY}), and longer than the window of the
 * expiry warning (`EXPIRY_WARNING_DAYS`, 14), so that a preview warns of the identity's expiry
 * alone, never of its execution role's (an identity's `expiresAt` is always in the future when the
 * stack is updated). Then the role expires like any identity of this package: its trust and its
 * policy allow nothing. It is never quarantined itself.
 */
export const DEPROVISION_ROLE_GRACE_DAYS = EXPIRY_WARNING_DAYS + 1;

/**
 * The most EventBridge Scheduler allows: retried for 24 hours, up to 185 times (AWS: 60–86,400 s,
 * 0–185 attempts). A one-time schedule has no next run to catch up, and IAM throttling or an
 * outage must not leave an expired identity working.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
 */
export const DEPROVISION_RETRY_POLICY = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 } as const;

/**
 * Why the execution role may call `iam:PutRolePolicy` / `iam:PutUserPolicy`, which this package's
 * escalation check refuses without a reason (Rhino Security Labs #10, #12): recorded in its
 * role's `nhi:escalation:<method>` tag.
 */
export const QUARANTINE_ACKNOWLEDGEMENT =
    "pulumi-nhi deprovisioning at expiry: puts the deny-all policy nhi-quarantine on its one identity once and can do nothing else";

const DAY_MS = 86_400_000;

/** The argument every AWS identity takes to choose deprovisioning at expiry. */
export interface AwsDeprovisionArgs {
    /**
     * Whether the identity is quarantined at `expiresAt`: an EventBridge Scheduler one-time schedule
     * (`${name}-expiry`) puts the deny-all inline policy `nhi-quarantine` on the role or user, through
     * an execution role that may do exactly that, to this identity only. Ignored without `expiresAt`.
     * With it, the identity's name may be at most 44 characters (the execution role is
     * `${name}-expiry-role-xxxxxxx`; AWS: 64), and its own inline policy keeps
     * {@link QUARANTINE_RESERVED_CHARS} characters free for the quarantine. `false` leaves expiry to
     * the policy conditions alone (nothing denies what a hand-attached policy or a resource policy
     * allows) and declares three resources fewer.
     * @default true when `expiresAt` is set
     * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time
     */
    readonly deprovisionAtExpiry?: boolean;
}

/** The deprovisioning of an identity, validated: the output of {@link planDeprovisioning}. */
export interface DeprovisionPlan {
    /** The UTC instant of the quarantine: the identity's `expiresAt`. */
    readonly at: string;
    /** When the execution role itself expires: {@link DEPROVISION_ROLE_GRACE_DAYS} later. */
    readonly roleExpiresAt: string;
}

/**
 * The identity's deprovisioning, or undefined when it has none (no `expiresAt`, or
 * `deprovisionAtExpiry: false`). Records a problem for a `deprovisionAtExpiry` that is not a
 * boolean, and for a `name` too long for the execution role's name when the principal's own
 * bound (`maxName`, already checked) allows it.
 */
export function planDeprovisioning(
    name: unknown,
    value: unknown,
    expiresAt: string | undefined,
    maxName: number,
    problems: Problems,
): DeprovisionPlan | undefined {
    if (value !== undefined && typeof value !== "boolean") {
        problems.add(
            "deprovisionAtExpiry",
            `\`deprovisionAtExpiry\` must be \`true\` or \`false\`; got ${describe(value)}.`,
        );
        return undefined;
    }
    if (expiresAt === undefined || value === false) {
        return undefined;
    }
    const longest = maxDeprovisionedName();
    if (typeof name === "string" && name.length <= maxName && name.length > longest) {
        problems.add(
            "name",
            `\`name\` \`${name}\` is ${name.length} characters; the IAM role name \`${name}${DEPROVISION_SUFFIX}-role-xxxxxxx\` of its deprovisioning at expiry must be at most ${MAX_PRINCIPAL_NAME_CHARS} characters (AWS limit), so \`name\` may have at most ${longest} while \`expiresAt\` is set. Shorten it, or set \`deprovisionAtExpiry: false\`.`,
        );
    }
    return { at: expiresAt, roleExpiresAt: instantAfter(expiresAt, DEPROVISION_ROLE_GRACE_DAYS) };
}

/**
 * The longest `name` of a deprovisioned identity, 44: its execution role is
 * `${name}-expiry-role-xxxxxxx`. A function: principal.ts, which defines the limits, imports this file.
 */
export function maxDeprovisionedName(): number {
    return MAX_PRINCIPAL_NAME_CHARS - `${DEPROVISION_SUFFIX}-role`.length - AUTONAME_SUFFIX_CHARS;
}

/** `expiresAt` (`YYYY-MM-DDTHH:MM:SSZ`) plus `days`, in the same form. */
function instantAfter(expiresAt: string, days: number): string {
    return `${new Date(Date.parse(expiresAt) + days * DAY_MS).toISOString().slice(0, 19)}Z`;
}

/** `limits` with the quarantine policy's room taken from the inline policy, when `plan` deprovisions. */
export function limitsBesideQuarantine(limits: PolicyLimits, plan: DeprovisionPlan | undefined): PolicyLimits {
    return plan === undefined ? limits : { ...limits, inline: limits.inline - QUARANTINE_RESERVED_CHARS };
}

/**
 * The one-time schedule expression for `expiresAt` (`YYYY-MM-DDTHH:MM:SSZ`, UTC): `at(YYYY-MM-DDTHH:MM:SS)`,
 * read in the schedule's time zone, which is set to UTC.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time
 */
export function quarantineScheduleExpression(expiresAt: string): string {
    return `at(${expiresAt.slice(0, 19)})`;
}

/**
 * The schedule's universal target for the principal `principalArn` named `principalName` (without
 * its path): the ARN `arn:<partition>:scheduler:::aws-sdk:iam:putRolePolicy` (`putUserPolicy`), and
 * the input, the IAM request itself. IAM is a global service: the SDK that Scheduler calls it with
 * reaches IAM's one endpoint of the partition from any region.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html
 */
export function quarantineTarget(
    noun: "role" | "user",
    principalArn: string,
    principalName: string,
): { arn: string; input: string } {
    const partition = principalArn.split(":")[1];
    const [action, nameField] = noun === "role" ? ["putRolePolicy", "RoleName"] : ["putUserPolicy", "UserName"];
    return {
        arn: `arn:${partition}:scheduler:::aws-sdk:iam:${action}`,
        input: JSON.stringify({
            [nameField]: principalName,
            PolicyName: QUARANTINE_POLICY_NAME,
            PolicyDocument: QUARANTINE_POLICY_JSON,
        }),
    };
}

/**
 * `aws:SourceAccount` and `aws:SourceArn` for the execution role's trust: the identity's account,
 * and its `default` schedule group in any region (the schedule's region is not known from an IAM
 * ARN; the role can do nothing but quarantine this one identity).
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
 */
export function quarantineSchedulerSource(principalArn: string): { sourceAccount: string; sourceArn: string } {
    const [, partition, , , account] = principalArn.split(":");
    return { sourceAccount: account, sourceArn: `arn:${partition}:scheduler:*:${account}:schedule-group/default` };
}

/**
 * The ARNs the execution role is planned with in place of its identity's, which is known only at
 * deploy time: an account no one has (IAM account IDs are 12 digits; AWS never issues
 * `000000000000`), in the `aws` partition.
 */
export const QUARANTINE_PLACEHOLDER_ARNS = {
    role: "arn:aws:iam::000000000000:role/nhi-quarantine-placeholder",
    user: "arn:aws:iam::000000000000:user/nhi-quarantine-placeholder",
} as const;

/**
 * `document` (JSON) with the values derived from `placeholder` replaced by those of the identity's
 * ARN `arn`: the ARN itself, and the trust's `aws:SourceAccount` and `aws:SourceArn`
 * ({@link quarantineSchedulerSource}). Only whole JSON string values equal to one of them are
 * replaced, so nothing else in the document can change.
 */
export function withQuarantinedArn(document: string, placeholder: string, arn: string): string {
    const from = quarantineSchedulerSource(placeholder);
    const to = quarantineSchedulerSource(arn);
    const values = new Map(
        [
            [placeholder, arn],
            [from.sourceAccount, to.sourceAccount],
            [from.sourceArn, to.sourceArn],
        ].map(([a, b]) => [JSON.stringify(a), JSON.stringify(b)]),
    );
    return document.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => values.get(quoted) ?? quoted);
}

/**
 * The execution roles' plans already made in this program, by their arguments (the noun, the
 * owner, the user's tags and the role's expiry). The plan of `${name}-expiry` does not depend on the
 * name: it appears in no document, tag or check result, and the identity's own plan has already
 * refused every name whose `${name}-expiry-role-xxxxxxx` would not be a valid role name. Planning
 * is the same checks every time, so identities that share an owner, tags and expiry (a stack's
 * usual case) make it once: 0.35 ms of the 5.4 ms an identity took at 2,000 identities
 * (`npm run bench`, measured). Plans are never changed after they are made; at most
 * {@link QUARANTINE_ROLE_PLANS_MAX} are kept.
 */
const QUARANTINE_ROLE_PLANS = new Map<string, import("./service-identity").AwsServiceIdentityPlan>();
export const QUARANTINE_ROLE_PLANS_MAX = 1024;

/**
 * `plan(childName, args)`, or the same plan made earlier for another identity with the same
 * arguments (noun, owner, tags and expiry). Tags given as Outputs are checked when they resolve, by checks the
 * plan holds for this identity alone, so such a plan is never shared.
 */
export function quarantineRolePlan(
    childName: string,
    args: import("./service-identity").AwsServiceIdentityArgs,
    plan: typeof import("./service-identity").planAwsServiceIdentity,
): import("./service-identity").AwsServiceIdentityPlan {
    const tags = Object.entries(args.tags ?? {});
    if (!tags.every(([, v]) => typeof v === "string")) {
        return plan(childName, args);
    }
    // Every other argument is plain data made by `declareDeprovisioning`, so the text of the
    // arguments is the whole of what the plan depends on.
    const key = JSON.stringify(args);
    let made = QUARANTINE_ROLE_PLANS.get(key);
    if (made === undefined) {
        made = plan(childName, args);
        if (QUARANTINE_ROLE_PLANS.size >= QUARANTINE_ROLE_PLANS_MAX) {
            QUARANTINE_ROLE_PLANS.clear();
        }
        QUARANTINE_ROLE_PLANS.set(key, made);
    }
    return made;
}

/** What {@link declareDeprovisioning} needs of the identity: its principal and what it records. */
export interface DeprovisionedPrincipal {
    readonly noun: "role" | "user";
    readonly arn: pulumi.Output<string>;
    readonly name: pulumi.Output<string>;
    readonly owner: string;
    /** The user's own tags (no `nhi:` ones), also put on the execution role. */
    readonly tags: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Declares the deprovisioning of the identity `name` as children of `parent`:
 * - `aws.iam.Role` `${name}-expiry-role` and its `aws.iam.RolePolicy` `${name}-expiry-policy`: the
 *   execution role, planned and checked exactly as an `aws.ServiceIdentity` `${name}-expiry` would be
 *   (trust, catalogue, escalation acknowledgement, ownership and expiry tags, expiry conditions) but
 *   registered without a component of its own, which would cost one registration per expiring
 *   identity (`npm run bench`). Trusted by EventBridge Scheduler of the identity's account for its
 *   `default` schedule group, allowed exactly `iam:PutRolePolicy` (`iam:PutUserPolicy`) on this
 *   principal's ARN, expiring {@link DEPROVISION_ROLE_GRACE_DAYS} days after the identity, never
 *   deprovisioned itself;
 * - `aws.scheduler.Schedule` `${name}-expiry`: `at(expiresAt)` in UTC, no flexible window, deleted
 *   by AWS after it ran, which puts {@link QUARANTINE_POLICY} as `nhi-quarantine` on the principal.
 */
export function declareDeprovisioning(
    parent: pulumi.ComponentResource,
    name: string,
    plan: DeprovisionPlan,
    principal: DeprovisionedPrincipal,
): { executionRole: DeclaredServiceRole; schedule: pulumi.CustomResource } {
    // Loaded here: service-identity.ts imports principal.ts, which imports this file.
    const { declareServiceRole, planAwsServiceIdentity } =
        require("./service-identity") as typeof import("./service-identity");
    const childName = `${name}${DEPROVISION_SUFFIX}`;
    // Planned with the placeholder ARN, so that every document is plain JSON checked now; the real
    // ARN goes in with one `apply` per document. Planned with Outputs instead, each expiring identity
    // cost a deploy-time check, a guard and their Outputs: 235 KB and twice the CPU of the hand-written
    // equivalent at 5,000 identities (`npm run bench`, measured).
    const placeholder = QUARANTINE_PLACEHOLDER_ARNS[principal.noun];
    const source = quarantineSchedulerSource(placeholder);
    const args: import("./service-identity").AwsServiceIdentityArgs = {
        owner: principal.owner,
        purpose: `Quarantines one IAM ${principal.noun} at its expiry`,
        trust: {
            service: {
                principal: "scheduler.amazonaws.com",
                sourceAccount: source.sourceAccount,
                sourceArn: source.sourceArn,
            },
        },
        grants: [
            {
                actions: [principal.noun === "role" ? "iam:PutRolePolicy" : "iam:PutUserPolicy"],
                resources: [placeholder],
                acknowledge: QUARANTINE_ACKNOWLEDGEMENT,
            },
        ],
        tags: principal.tags,
        expiresAt: plan.roleExpiresAt,
        deprovisionAtExpiry: false,
    };
    const rolePlan = quarantineRolePlan(childName, args, planAwsServiceIdentity);
    if (rolePlan.policies.layout.managed.length > 0 || rolePlan.policies.unknowns.size > 0) {
        throw new Error(
            `pulumi-nhi: the quarantine role of ${name} must fit one inline policy of known values (a bug; please report it)`,
        );
    }
    // Every document is plain JSON here (checked above), so one `apply` of the ARN each.
    const finish = (document: pulumi.Input<string>) =>
        principal.arn.apply((arn) => withQuarantinedArn(document as string, placeholder, arn));
    const executionRole = declareServiceRole(
        parent,
        childName,
        rolePlan,
        args,
        `the quarantine role of ${principal.noun} "${name}"`,
        finish,
    );
    // One `apply` per field (an Output of both and one per field cost 8 Outputs per identity).
    const target = {
        arn: principal.arn.apply((arn) => quarantineTarget(principal.noun, arn, "").arn),
        input: principal.name.apply((n) => quarantineTarget(principal.noun, "arn:aws:iam::000000000000:x", n).input),
    };
    const schedule = new aws.scheduler.Schedule(
        childName,
        {
            description: `Quarantines the IAM ${principal.noun} of ${name} at its expiry ${plan.at}: puts the deny-all inline policy ${QUARANTINE_POLICY_NAME} (pulumi-nhi).`,
            scheduleExpression: quarantineScheduleExpression(plan.at),
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            actionAfterCompletion: "DELETE",
            target: {
                arn: target.arn,
                roleArn: executionRole.role.arn,
                input: target.input,
                retryPolicy: { ...DEPROVISION_RETRY_POLICY },
            },
        },
        { parent, dependsOn: executionRole.resources },
    );
    return { executionRole, schedule };
}
