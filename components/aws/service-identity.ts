import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, Guard, checkNowOrLater, checkedAtDeployTime, deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { expiryWarning, parseExpiry } from "../core/expiry";
import { OWNERSHIP_FIELDS, requireText } from "../core/ownership";
import { deployTimeEscalationProblems, planAwsEscalations } from "./escalation";
import { AwsGrant, GrantPlan, grantProblems, planGrants } from "./grants";
import { logGroupGrant } from "./lambda-logs";
import { PlannedPolicies, planPolicies, renderPlannedDocument, resolvedPlans } from "./identity-policy";
import { PolicyTooLargeError, StatementTooLargeError, renderDocument } from "./policy";
import { TagPlan, planTags } from "./tags";
import { AwsTrust, ResolvedTrust, TrustPlan, planTrust, renderTrustPolicy, resolvedTrust } from "./trust";

export const AWS_SERVICE_IDENTITY_TYPE = "nhi:index:AwsServiceIdentity";

/** AWS: a role name is 1–64 characters. */
export const MAX_ROLE_NAME_CHARS = 64;
/** The suffix Pulumi's auto-naming adds to the role child's name: `-` and 7 random characters. */
export const AUTONAME_SUFFIX_CHARS = 8;
/** The role child is `${name}-role`, so the physical role name is `${name}-role-1a2b3c4`. */
export const ROLE_CHILD_SUFFIX = "-role";
/** AWS: `MaxSessionDuration` is 3,600–43,200 seconds. */
export const MIN_SESSION_SECONDS = 3_600;
export const MAX_SESSION_SECONDS = 43_200;
/** AWS: a role path is `/` or `/…/`, at most 512 characters of printable ASCII. */
const ROLE_PATH = /^\/(?:[\x21-\x7E]*\/)?$/;
const MAX_PATH_CHARS = 512;
/** AWS: characters IAM accepts in a role name. */
const ROLE_NAME_CHARS = /^[\w+=,.@-]+$/;
/** What AWS does when an identity's `expiresAt` passes, for the warning before it does. */
const AWS_EXPIRY_CONSEQUENCE = "AWS stops honouring the role: its trust policy lets nobody assume it and its policies allow nothing";
const BOUNDARY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;

/** The arguments of {@link AwsServiceIdentity}. */
export interface AwsServiceIdentityArgs {
    /**
     * The team or person who answers for this identity, recorded in the `nhi:owner` tag.
     * Letters, digits, spaces and `_ . : / = + - @`, at most 256 characters (AWS tag values).
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly owner: string;
    /** Why this identity exists, recorded in the `nhi:purpose` tag. Same characters as `owner`. */
    readonly purpose: string;
    /**
     * Who may assume the role: exactly one of `service`, `githubActions`, `eksServiceAccount`,
     * `account`. A Lambda trust may also grant the function's log writes (`logGroups`).
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-trust-policy
     */
    readonly trust: AwsTrust;
    /**
     * What the role may do. Each grant is exact actions on ARNs, or an access level of a service on
     * ARNs. Checked against the AWS Service Authorization Reference. `[]` for no permissions.
     * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
     */
    readonly grants: readonly AwsGrant[];
    /**
     * An ISO-8601 instant (`2027-01-31T00:00:00Z`) after which AWS itself stops honouring the role:
     * every Allow statement of the trust and identity policies carries `DateLessThan
     * aws:CurrentTime`. Must be in the future when the stack is updated.
     * @default no expiry
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
     */
    readonly expiresAt?: string;
    /**
     * The ARN of a managed policy that caps the role's permissions.
     * @default none
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
     */
    readonly permissionsBoundaryArn?: pulumi.Input<string>;
    /**
     * The longest session, in seconds, 3,600–43,200 (AWS limits).
     * @default 3600
     * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
     */
    readonly maxSessionDuration?: number;
    /**
     * The IAM path of the role and its managed policies, `/` or `/team/`.
     * @default "/"
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
     */
    readonly path?: string;
    /**
     * Further tags for the role and its policies. Keys starting `nhi:` or `aws:` are reserved.
     * @default none
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly tags?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Everything the constructor needs, validated: the output of {@link planAwsServiceIdentity}. */
export interface AwsServiceIdentityPlan {
    readonly owner: string;
    readonly purpose: string;
    readonly expiresAt?: string;
    readonly trust: TrustPlan;
    readonly grants: readonly GrantPlan[];
    readonly policies: PlannedPolicies;
    readonly tags: TagPlan;
    readonly later: readonly DeferredCheck[];
    /** Warnings for every preview and update, such as an expiry less than two weeks away. */
    readonly warnings: readonly string[];
}

/**
 * Validates `args` for an identity called `name` and plans its documents, collecting every
 * problem and throwing one {@link pulumi.InputPropertiesError}. Registers nothing.
 */
export function planAwsServiceIdentity(name: string, args: AwsServiceIdentityArgs, now: Date = new Date()): AwsServiceIdentityPlan {
    const problems = new Problems();
    const later: DeferredCheck[] = [];
    const a: Partial<AwsServiceIdentityArgs> = args ?? {};
    checkName(name, problems);
    const { owner, purpose } = requireText(a, ["owner", "purpose"], problems, OWNERSHIP_FIELDS);
    const expiresAt = parseExpiry(a.expiresAt, "expiresAt", problems, now);
    const trust = planTrust(a.trust, problems, later);
    const grants = planGrants(a.grants, problems);
    checkRoleOptions(a, problems, later);
    const escalations = planAwsEscalations(grants, a.grants, problems);
    const tags = planTags(a.tags, { owner, purpose, expiresAt, escalations: escalations.tags }, problems);
    let policies: PlannedPolicies | undefined;
    if (problems.isEmpty) {
        // `trust.service.logGroups` is one more grant, made only for a valid identity: for a group
        // known at deploy time it holds a check that nothing would await if the identity were refused.
        if (trust?.kind === "service" && trust.logGroups.length > 0) {
            grants.push(logGroupGrant(trust.logGroups));
        }
        try {
            policies = planPolicies(grants, expiresAt);
        } catch (e) {
            if (e instanceof PolicyTooLargeError) {
                problems.add("grants", `\`grants\` need ${e.needed} managed policies beside the inline policy, but a role may have at most ${e.limit} (AWS quota). Narrow the grants (fewer actions or ARNs, or ARN patterns), or split them over two identities.`);
            } else if (e instanceof StatementTooLargeError) {
                problems.add("grants", `\`grants\`: ${e.message}.`);
            } else {
                throw e;
            }
        }
    }
    problems.throwIfAny(`AwsServiceIdentity "${name}"`);
    const warnings = [expiryWarning(expiresAt, now, AWS_EXPIRY_CONSEQUENCE)].filter((w) => w !== undefined);
    return { owner, purpose, expiresAt, trust: trust!, grants, policies: policies!, tags, later, warnings };
}

function checkName(name: string, problems: Problems): void {
    const maxName = MAX_ROLE_NAME_CHARS - ROLE_CHILD_SUFFIX.length - AUTONAME_SUFFIX_CHARS;
    if (typeof name !== "string" || name === "") {
        problems.add("name", `\`name\` must be a non-empty string; got ${describe(name)}.`);
        return;
    }
    if (!ROLE_NAME_CHARS.test(name)) {
        const bad = [...new Set(name.replace(/[\w+=,.@-]/g, ""))].map((c) => `\`${c}\``).join(", ");
        problems.add("name", `\`name\` \`${name}\` becomes the IAM role name, which allows only letters, digits and \`+=,.@_-\`; remove ${bad}.`);
    }
    if (name.length > maxName) {
        problems.add("name", `\`name\` \`${name}\` is ${name.length} characters; the IAM role name \`${name}${ROLE_CHILD_SUFFIX}-xxxxxxx\` derived from it must be at most ${MAX_ROLE_NAME_CHARS} characters (AWS limit), so \`name\` may have at most ${maxName}.`);
    }
}

function checkRoleOptions(a: Partial<AwsServiceIdentityArgs>, problems: Problems, later: DeferredCheck[]): void {
    const d = a.maxSessionDuration;
    if (d !== undefined && (typeof d !== "number" || !Number.isInteger(d) || d < MIN_SESSION_SECONDS || d > MAX_SESSION_SECONDS)) {
        problems.add("maxSessionDuration", `\`maxSessionDuration\` must be a whole number of seconds from ${MIN_SESSION_SECONDS} (1 hour) to ${MAX_SESSION_SECONDS} (12 hours); got ${describe(d)}.`);
    }
    const p = a.path;
    if (p !== undefined && (typeof p !== "string" || !ROLE_PATH.test(p) || p.length > MAX_PATH_CHARS)) {
        problems.add("path", `\`path\` must be \`/\` or start and end with \`/\` (such as \`/ci/\`), at most ${MAX_PATH_CHARS} printable ASCII characters; got ${describe(p)}.`);
    }
    if (a.permissionsBoundaryArn !== undefined) {
        checkNowOrLater({
            path: "permissionsBoundaryArn",
            value: a.permissionsBoundaryArn,
            problem: (v) => (BOUNDARY_ARN.test(v) ? undefined : `\`permissionsBoundaryArn\` must be the ARN of a managed policy, such as \`arn:aws:iam::123456789012:policy/boundary\`; got \`${v}\`.`),
        }, problems, later);
    }
}

/**
 * One least-privilege IAM role for one workload: exactly one trusted principal, grants checked
 * against the AWS catalogue, ownership tags, and an optional expiry that AWS enforces itself.
 *
 * Children: an `aws.iam.Role` (`${name}-role`), an `aws.iam.RolePolicy` (`${name}-policy`) when
 * there are grants, and, only when the grants overflow the inline policy, one `aws.iam.Policy` and
 * `aws.iam.RolePolicyAttachment` per overflow document (`${name}-policy-2`, `-3`, …).
 */
export class AwsServiceIdentity extends pulumi.ComponentResource {
    /** The ARN of the role. */
    public readonly roleArn: pulumi.Output<string>;
    /** The name of the role. */
    public readonly roleName: pulumi.Output<string>;
    /** The trust policy JSON. */
    public get trustPolicy(): pulumi.Output<string> {
        return (this.trustPolicyOutput ??= pulumi.output(this.rendered.trustPolicy));
    }
    /** The identity policy documents as JSON: the inline policy first, then each managed policy. */
    public get policyDocuments(): pulumi.Output<string[]> {
        return (this.policyDocumentsOutput ??= pulumi.all(this.rendered.policyDocuments));
    }
    /** The ARNs of the managed policies holding the grants that overflow the inline policy. */
    public get managedPolicyArns(): pulumi.Output<string[]> {
        return (this.managedPolicyArnsOutput ??= pulumi.all(this.rendered.managedPolicyArns));
    }
    /** The validated expiry instant (UTC), if any. */
    public get expiresAt(): pulumi.Output<string | undefined> {
        return (this.expiresAtOutput ??= pulumi.output(this.rendered.expiresAt));
    }

    // The rendered values behind the getters above, kept as plain data or the Inputs they already
    // are: thousands of identities per stack are normal, and an Output per property each would cost
    // more than the rest of the component (measured by `npm run bench`).
    private readonly rendered: {
        trustPolicy: pulumi.Input<string>;
        policyDocuments: pulumi.Input<string>[];
        managedPolicyArns: pulumi.Output<string>[];
        expiresAt?: string;
    };
    private trustPolicyOutput?: pulumi.Output<string>;
    private policyDocumentsOutput?: pulumi.Output<string[]>;
    private managedPolicyArnsOutput?: pulumi.Output<string[]>;
    private expiresAtOutput?: pulumi.Output<string | undefined>;

    constructor(name: string, args: AwsServiceIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planAwsServiceIdentity(name, args);
        super(AWS_SERVICE_IDENTITY_TYPE, name, {}, opts);
        const subject = `AwsServiceIdentity "${name}"`;
        for (const warning of plan.warnings) {
            pulumi.log.warn(warning, this);
        }
        const tags = { ...plan.tags.tags, ...(args.tags === undefined ? {} : pick(args.tags, plan.tags.userKeys)) };

        // Every value known only at deploy time reaches a child through `guard` (the trust, the
        // boundary) or the check of the grants (the policies). The role waits only for the trust and
        // boundary: a grant's ARN may come from a resource that names this role (a KMS key policy).
        const guard = deployTimeGuard(subject, this, plan.later);
        const known = knownTrust(plan.trust);
        const trustPolicy = known !== undefined
            ? JSON.stringify(renderTrustPolicy(known, plan.expiresAt))
            : pulumi.output(guard(plan.trust)).apply((t) => JSON.stringify(renderTrustPolicy(resolvedTrust(t as pulumi.Unwrap<TrustPlan>), plan.expiresAt)));
        const boundary = args.permissionsBoundaryArn;
        const role = new aws.iam.Role(`${name}${ROLE_CHILD_SUFFIX}`, {
            assumeRolePolicy: trustPolicy,
            description: `${plan.purpose} (owner: ${plan.owner})`.slice(0, 1000),
            maxSessionDuration: args.maxSessionDuration,
            path: args.path,
            permissionsBoundary: boundary === undefined ? undefined : guard(boundary),
            tags,
        }, { parent: this });

        const { layout } = plan.policies;
        const documents = renderDocumentInputs(subject, this, plan, guard);
        if (layout.inline.length > 0) {
            new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: documents[0] }, { parent: this });
        }
        const managedArns = layout.managed.map((_, i) => {
            const childName = `${name}-policy-${i + 2}`;
            const policy = new aws.iam.Policy(childName, {
                policy: documents[i + 1],
                path: args.path,
                description: `Grants of ${name} that overflow its inline policy (pulumi-nhi)`,
                tags,
            }, { parent: this });
            new aws.iam.RolePolicyAttachment(childName, { role: role.name, policyArn: policy.arn }, { parent: this });
            return policy.arn;
        });

        this.roleArn = role.arn;
        this.roleName = role.name;
        this.rendered = {
            trustPolicy,
            policyDocuments: layout.inline.length > 0 ? documents : documents.slice(1),
            managedPolicyArns: managedArns,
            expiresAt: plan.expiresAt,
        };
        // Done: no outputs are registered in the state. Every value above is already in the state of
        // the child that holds it (the role's ARN and name, each policy's JSON); registering them again
        // would double every policy change in the preview and the state file, and cost 6-20% of the
        // time to declare an identity (`npm run bench`, measured with the role's two handles and with
        // every output). The properties above are how programs read them.
        this.registerOutputs({});
    }
}

function pick<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
    return Object.fromEntries(keys.map((k) => [k, record[k]]));
}

/** The trust as plain data when every value in it is already known (and so already checked). */
function knownTrust(trust: TrustPlan): ResolvedTrust | undefined {
    const values = Object.values(trust);
    return values.every((v) => v === undefined || typeof v === "string" || Array.isArray(v)) ? (trust as ResolvedTrust) : undefined;
}

/**
 * The policy documents, the inline one first: plain JSON when every value is known at
 * construction, otherwise Outputs of one check of all the grants once their ARNs resolve, which
 * fails with every problem found (a grant's ARN, a document grown too large) in one message.
 */
function renderDocumentInputs(subject: string, component: pulumi.Resource, plan: AwsServiceIdentityPlan, guard: Guard): pulumi.Input<string>[] {
    const { layout, unknowns } = plan.policies;
    const documents = [layout.inline, ...layout.managed];
    if (unknowns.size === 0) {
        return documents.map((statements) => JSON.stringify(renderDocument(statements)));
    }
    const texts = [...unknowns.keys()];
    // Guarded: a value that failed its own check (a Lambda's log group) is reported once, by the guard.
    const rendered = checkedAtDeployTime(subject, component, pulumi.all(texts.map((t) => guard(unknowns.get(t)!.value))), (values, problems) => {
        const resolved = new Map(texts.map((t, i) => [t, values[i]]));
        const late = resolvedPlans(plan.grants, plan.policies, resolved);
        for (const p of late.flatMap((g) => grantProblems(g, g.resources as string[]))) {
            problems.add(p.propertyPath, p.reason);
        }
        if (problems.isEmpty) {
            for (const p of deployTimeEscalationProblems(plan.grants, late)) {
                problems.add(p.propertyPath, p.reason);
            }
        }
        if (!problems.isEmpty) {
            return [];
        }
        return documents.map((statements, i) => {
            const { json, overflow } = renderPlannedDocument(statements, plan.grants, plan.policies, resolved, i === 0);
            if (overflow !== undefined) {
                problems.add("grants", `\`grants\`: ${overflow}.`);
            }
            return json;
        });
    });
    return documents.map((_, i) => rendered.apply((r) => r[i]));
}
