import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import {
    AwsPrincipalArgs,
    AwsPrincipalComponent,
    AwsPrincipalPlan,
    MAX_PRINCIPAL_NAME_CHARS,
    PrincipalKind,
    RenderedPolicies,
    deprovisionedPrincipal,
    planAwsPrincipal,
    policyDocuments,
    principalTags,
    registerPolicies,
} from "./principal";
import { declareDeprovisioning } from "./deprovision";
import { logGroupGrant } from "./lambda-logs";
import { checkAfterProgram } from "./usage-settings";
import { ROLE_POLICY_LIMITS } from "./policy";
import { AwsTrust, ResolvedTrust, TrustPlan, planTrust, renderTrustPolicy, resolvedTrust } from "./trust";

export const AWS_SERVICE_IDENTITY_TYPE = "nhi:aws:ServiceIdentity";

/** AWS: a role name is 1–64 characters. */
export const MAX_ROLE_NAME_CHARS = MAX_PRINCIPAL_NAME_CHARS;
/** The suffix Pulumi's auto-naming adds to the role child's name (shared with every principal). */
export { AUTONAME_SUFFIX_CHARS } from "./principal";
/** The role child is `${name}-role`, so the physical role name is `${name}-role-1a2b3c4`. */
export const ROLE_CHILD_SUFFIX = "-role";
/** AWS: `MaxSessionDuration` is 3,600–43,200 seconds. */
export const MIN_SESSION_SECONDS = 3_600;
export const MAX_SESSION_SECONDS = 43_200;

/** An identity whose grants a role holds. */
const ROLE: PrincipalKind = {
    component: "AwsServiceIdentity",
    noun: "role",
    childSuffix: ROLE_CHILD_SUFFIX,
    limits: ROLE_POLICY_LIMITS,
    expiryConsequence:
        "AWS stops honouring the role: its trust policy lets nobody assume it and its policies allow nothing",
};

/** The arguments of {@link AwsServiceIdentity}: those of every AWS identity, and the role's own. */
export interface AwsServiceIdentityArgs extends AwsPrincipalArgs {
    /**
     * Who may assume the role: exactly one of `service`, `githubActions`, `eksServiceAccount`,
     * `account`. A Lambda trust may also grant the function's log writes (`logGroups`).
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-trust-policy
     */
    readonly trust: AwsTrust;
    /**
     * The longest session, in seconds, 3,600–43,200 (AWS limits).
     * @default 3600
     * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
     */
    readonly maxSessionDuration?: number;
}

/** Everything the constructor needs, validated: the output of {@link planAwsServiceIdentity}. */
export interface AwsServiceIdentityPlan extends AwsPrincipalPlan {
    readonly trust: TrustPlan;
}

/**
 * Validates `args` for an identity called `name` and plans its documents, collecting every
 * problem and throwing one {@link pulumi.InputPropertiesError}. Registers nothing.
 */
export function planAwsServiceIdentity(
    name: string,
    args: AwsServiceIdentityArgs,
    now: Date = new Date(),
    opts?: pulumi.ComponentResourceOptions,
): AwsServiceIdentityPlan {
    const a: Partial<AwsServiceIdentityArgs> = args ?? {};
    let trust: TrustPlan | undefined;
    const plan = planAwsPrincipal(
        name,
        args,
        ROLE,
        now,
        {
            own: (problems, later) => {
                trust = planTrust(a.trust, problems, later);
            },
            options: (problems) => checkSessionDuration(a.maxSessionDuration, problems),
            // `trust.service.logGroups` is one more grant.
            moreGrants: () =>
                trust?.kind === "service" && trust.logGroups.length > 0 ? [logGroupGrant(trust.logGroups)] : [],
        },
        opts,
    );
    return { ...plan, trust: trust! };
}

function checkSessionDuration(d: unknown, problems: Problems): void {
    if (
        d !== undefined &&
        (typeof d !== "number" || !Number.isInteger(d) || d < MIN_SESSION_SECONDS || d > MAX_SESSION_SECONDS)
    ) {
        problems.add(
            "maxSessionDuration",
            `\`maxSessionDuration\` must be a whole number of seconds from ${MIN_SESSION_SECONDS} (1 hour) to ${MAX_SESSION_SECONDS} (12 hours); got ${describe(d)}.`,
        );
    }
}

/**
 * One least-privilege IAM role for one workload: exactly one trusted principal, grants checked
 * against the AWS catalogue, ownership tags, and an optional expiry that AWS enforces itself.
 *
 * Children: an `aws.iam.Role` (`${name}-role`), an `aws.iam.RolePolicy` (`${name}-policy`) when
 * there are grants, and, only when the grants overflow the inline policy, one `aws.iam.Policy` and
 * `aws.iam.RolePolicyAttachment` per overflow document (`${name}-policy-2`, `-3`, …). With
 * `expiresAt` (unless `deprovisionAtExpiry: false`), also its quarantine at expiry: an
 * `aws.scheduler.Schedule` `${name}-expiry` that puts a deny-all inline policy on the role at
 * `expiresAt`, and its execution role, an `aws.iam.Role` `${name}-expiry-role` with its
 * `aws.iam.RolePolicy` `${name}-expiry-policy`, which may do that to this role and nothing else.
 */
export class AwsServiceIdentity extends AwsPrincipalComponent {
    /** The ARN of the role. */
    public readonly roleArn: pulumi.Output<string>;
    /** The name of the role. */
    public readonly roleName: pulumi.Output<string>;
    /** The trust policy JSON. */
    public get trustPolicy(): pulumi.Output<string> {
        return (this.trustPolicyOutput ??= pulumi.output(this.renderedTrust));
    }

    // The trust policy behind the getter, kept as the plain text or Input it already is (see
    // `AwsPrincipalComponent` for why the properties are built on first read).
    private readonly renderedTrust: pulumi.Input<string>;
    private trustPolicyOutput?: pulumi.Output<string>;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link AwsServiceIdentityArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the AWS account and region of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: AwsServiceIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planAwsServiceIdentity(name, args, new Date(), opts);
        super(AWS_SERVICE_IDENTITY_TYPE, name, {}, withLegacyType(AWS_SERVICE_IDENTITY_TYPE, name, opts));
        const subject = `AwsServiceIdentity "${name}"`;
        checkAfterProgram(subject, this, plan.usage);
        for (const warning of plan.warnings) {
            pulumi.log.warn(warning, this);
        }
        const declared = declareServiceRole(this, name, plan, args, subject);
        if (plan.deprovision !== undefined) {
            // Here rather than in `declareServiceRole`: each function between this constructor and
            // a resource is one more stack frame the SDK records for it (see `registerPolicies`).
            declareDeprovisioning(
                this,
                name,
                plan.deprovision,
                deprovisionedPrincipal(ROLE, plan, declared.tags, declared.role),
            );
        }
        this.renderedPolicies = declared.renderedPolicies;
        this.roleArn = declared.role.arn;
        this.roleName = declared.role.name;
        this.audited = { principal: "role", arn: declared.role.arn };
        this.renderedTrust = declared.trustPolicy;
        // Done: no outputs are registered in the state. Every value above is already in the state of
        // the child that holds it (the role's ARN and name, each policy's JSON); registering them again
        // would double every policy change in the preview and the state file, and cost 6-20% of the
        // time to declare an identity (`npm run bench`, measured with the role's two handles and with
        // every output). The properties are how programs read them.
        this.registerOutputs({});
    }
}

/** What {@link declareServiceRole} registered: the role, its rendered policies and trust. */
export interface DeclaredServiceRole {
    /** The role (typed without `@pulumi/aws`, so that the package's declarations import no cloud SDK). */
    readonly role: pulumi.CustomResource & {
        readonly arn: pulumi.Output<string>;
        readonly name: pulumi.Output<string>;
    };
    /** The role and every policy and attachment that grants it something. */
    readonly resources: pulumi.Resource[];
    readonly renderedPolicies: RenderedPolicies;
    readonly trustPolicy: pulumi.Input<string>;
    /** The role's tags, which the quarantine's execution role copies the user's own from. */
    readonly tags: Record<string, pulumi.Input<string>>;
}

/**
 * Registers the role `${name}-role` of the planned identity `name` and its policies as children of
 * `parent`: the body of {@link AwsServiceIdentity}'s constructor, and how an expiring identity
 * declares its quarantine's execution role under itself, checked by the same plan, without a
 * component of its own (one registration fewer per expiring identity; `npm run bench`).
 * `subject` names the identity in deploy-time errors. `finish`, when given, turns each document (the
 * trust and every policy) into what the role receives: the quarantine role is planned with
 * placeholders for the one value known only at deploy time, its identity's ARN, and puts the ARN in
 * with one `apply` per document (see `components/aws/deprovision.ts`).
 */
export function declareServiceRole(
    parent: pulumi.ComponentResource,
    name: string,
    plan: AwsServiceIdentityPlan,
    args: AwsServiceIdentityArgs,
    subject: string,
    finish?: (document: pulumi.Input<string>) => pulumi.Input<string>,
): DeclaredServiceRole {
    // Every value known only at deploy time reaches a child through `guard` (the trust, the
    // boundary, the notify topic) or the check of the grants (the policies). The role waits only
    // for those: a grant's ARN may come from a resource that names this role (a KMS key policy).
    const guard = deployTimeGuard(subject, parent, plan.later);
    const tags = principalTags(plan, args.tags, guard);
    const known = knownTrust(plan.trust);
    const trustPolicy =
        known !== undefined
            ? JSON.stringify(renderTrustPolicy(known, plan.expiresAt))
            : pulumi
                  .output(guard(plan.trust))
                  .apply((t) =>
                      JSON.stringify(renderTrustPolicy(resolvedTrust(t as pulumi.Unwrap<TrustPlan>), plan.expiresAt)),
                  );
    const boundary = args.permissionsBoundaryArn;
    const role = new aws.iam.Role(
        `${name}${ROLE_CHILD_SUFFIX}`,
        {
            assumeRolePolicy: finish === undefined ? trustPolicy : finish(trustPolicy),
            description: `${plan.purpose} (owner: ${plan.owner})`.slice(0, 1000),
            maxSessionDuration: args.maxSessionDuration,
            path: args.path,
            permissionsBoundary: boundary === undefined ? undefined : guard(boundary),
            tags,
        },
        { parent },
    );
    const resources: pulumi.Resource[] = [role];
    const documents = policyDocuments(parent, name, ROLE, plan, guard);
    if (plan.policies.layout.inline.length > 0) {
        resources.push(
            new aws.iam.RolePolicy(
                `${name}-policy`,
                { role: role.id, policy: finish === undefined ? documents[0] : finish(documents[0]) },
                { parent },
            ),
        );
    }
    const renderedPolicies = registerPolicies(parent, name, plan, documents, args.path, tags, (child, policyArn) =>
        resources.push(new aws.iam.RolePolicyAttachment(child, { role: role.name, policyArn }, { parent })),
    );
    return { role, resources, renderedPolicies, trustPolicy, tags };
}

/** The trust as plain data when every value in it is already known (and so already checked). */
function knownTrust(trust: TrustPlan): ResolvedTrust | undefined {
    const values = Object.values(trust);
    return values.every((v) => v === undefined || typeof v === "string" || Array.isArray(v))
        ? (trust as ResolvedTrust)
        : undefined;
}
