import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AnyDeferredCheck, DeferredCheck, Guard, checkNowOrLater, checkedAtDeployTime } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { expiryWarning, parseExpiry } from "../core/expiry";
import { NOTIFY_TAG } from "../runtime/aws/usage-contract";
import { OWNERSHIP_FIELDS, requireText } from "../core/ownership";
import { AuditedPrincipal, renderAuditQuery } from "./audit-query";
import {
    AwsDeprovisionArgs,
    DeprovisionPlan,
    DeprovisionedPrincipal,
    limitsBesideQuarantine,
    planDeprovisioning,
} from "./deprovision";
import { awsRecorded, deployTimeEscalationProblems, planAwsEscalations } from "./escalation";
import { AwsGrant, GrantPlan, grantProblems, planGrants } from "./grants";
import { PlannedPolicies, planPolicies, renderPlannedDocument, resolvedPlans } from "./identity-policy";
import { PolicyLimits, PolicyTooLargeError, StatementTooLargeError, renderDocument } from "./policy";
import { TagPlan, givenTags, planTags } from "./tags";
import { AwsUsageSettingsArgs, UsageSettingsPlan, notifyTag, planUsageSettings } from "./usage-settings";

/*
 * What every AWS identity of this package shares, whichever IAM principal holds its grants (a
 * role for `AwsServiceIdentity`, a user for `AwsAccessKeyIdentity`): the checks of owner, purpose,
 * expiry, grants, their acknowledged escalations, path, boundary and tags; the layout of the
 * grants into an inline and managed policies within the principal's own limits; the policies'
 * registration and deploy-time checks; and the properties that read them. A kind of principal
 * gives its limits, names and own checks (`PrincipalKind`, `PrincipalChecks`); nothing is forked.
 */

/** AWS: role and user names are 1–64 characters. */
export const MAX_PRINCIPAL_NAME_CHARS = 64;
/** The suffix Pulumi's auto-naming adds to a child's name: `-` and 7 random characters. */
export const AUTONAME_SUFFIX_CHARS = 8;
/** AWS: characters IAM accepts in a role or user name. */
const PRINCIPAL_NAME_CHARS = /^[\w+=,.@-]+$/;
/** AWS: a path is `/` or `/…/`, at most 512 characters of printable ASCII. */
const PATH = /^\/(?:[\x21-\x7E]*\/)?$/;
const MAX_PATH_CHARS = 512;
const BOUNDARY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;

/** What differs between the IAM principals that hold an identity's grants. */
export interface PrincipalKind {
    /** The component's class name, which starts every message: `AwsServiceIdentity`. */
    readonly component: string;
    /** What IAM calls the principal, for messages: `role`, `user`. */
    readonly noun: "role" | "user";
    /** The principal child is `${name}${childSuffix}`, auto-named `${name}${childSuffix}-1a2b3c4`. */
    readonly childSuffix: string;
    /**
     * The longest IAM name derived from `name`, when it is not the principal's own: its suffix
     * (auto-named after it) and what it is, for the message that bounds `name`.
     * @default the principal's name, `${name}${childSuffix}`
     */
    readonly longestName?: { readonly suffix: string; readonly what: string };
    /** The principal's policy size limits. */
    readonly limits: PolicyLimits;
    /** What AWS does when `expiresAt` passes, for the warning before it does. */
    readonly expiryConsequence: string;
}

/** The arguments every AWS identity takes, whatever principal holds its grants. */
export interface AwsPrincipalArgs extends AwsDeprovisionArgs, AwsUsageSettingsArgs {
    /**
     * The team or person who answers for this identity, recorded in the `nhi:owner` tag.
     * Letters, digits, spaces and `_ . : / = + - @`, at most 256 characters (AWS tag values).
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly owner: string;
    /** Why this identity exists, recorded in the `nhi:purpose` tag. Same characters as `owner`. */
    readonly purpose: string;
    /**
     * What the identity may do. Each grant is exact actions on ARNs, or an access level of a service on
     * ARNs. Checked against the AWS Service Authorization Reference. `[]` for no permissions.
     * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
     */
    readonly grants: readonly AwsGrant[];
    /**
     * An ISO-8601 instant (`2027-01-31T00:00:00Z`) after which AWS itself stops honouring the
     * identity: every Allow statement of its policies (and of a role's trust policy) carries
     * `DateLessThan aws:CurrentTime`. Must be in the future when the stack is updated.
     * @default no expiry
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
     */
    readonly expiresAt?: string;
    /**
     * The ARN of a managed policy that caps the identity's permissions.
     * @default none
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
     */
    readonly permissionsBoundaryArn?: pulumi.Input<string>;
    /**
     * The IAM path of the role or user and its managed policies, `/` or `/team/`.
     * @default "/"
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
     */
    readonly path?: string;
    /**
     * Further tags for the role or user and its policies. Keys starting `nhi:` or `aws:` are reserved.
     * @default none
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly tags?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** What every AWS identity's plan holds, validated: the output of {@link planAwsPrincipal}. */
export interface AwsPrincipalPlan {
    readonly owner: string;
    readonly purpose: string;
    readonly expiresAt?: string;
    readonly grants: readonly GrantPlan[];
    readonly policies: PlannedPolicies;
    readonly tags: TagPlan;
    /** What the usage monitor reads: `unusedAlarm`, `expiryNoticeDays`. */
    readonly usage: UsageSettingsPlan;
    /** The checks of values known only at deploy time (a topic and a monitor's topics are checked together). */
    readonly later: readonly AnyDeferredCheck[];
    /** The quarantine at `expiresAt`, unless there is no expiry or it is turned off. */
    readonly deprovision?: DeprovisionPlan;
    /** The principal's policy limits, less the quarantine's room when it has one. */
    readonly limits: PolicyLimits;
    /** Warnings for every preview and update, such as an expiry less than two weeks away. */
    readonly warnings: readonly string[];
}

/** The checks a kind of identity adds to the shared ones, each recording problems in `problems`. */
export interface PrincipalChecks {
    /**
     * The kind's own arguments, checked after owner, purpose and expiry and before the grants (a
     * role's trust, a user's consumer). Returns the further `nhi:` tags they record, if any.
     */
    readonly own?: (problems: Problems, later: DeferredCheck[]) => Readonly<Record<string, string>> | void;
    /**
     * The kind's own options, checked before `path` and `permissionsBoundaryArn` (a role's session).
     * Returns the further `nhi:` tags they record, if any (a user's `nhi:key-max-age-days`).
     */
    readonly options?: (problems: Problems, later: DeferredCheck[]) => Readonly<Record<string, string>> | void;
    /** Grants the kind adds once the identity is valid (a Lambda's log writes). */
    readonly moreGrants?: () => readonly GrantPlan[];
}

/**
 * Validates the arguments every identity shares, and the kind's own through `checks`, collecting
 * every problem and throwing one {@link pulumi.InputPropertiesError} (`${kind.component} "${name}"`).
 * Plans the policies within the principal's limits. `opts`, the component's options, say which
 * AWS provider's usage monitor checks it (`unusedAlarm`). Registers nothing.
 */
export function planAwsPrincipal(
    name: string,
    args: AwsPrincipalArgs,
    kind: PrincipalKind,
    now: Date,
    checks: PrincipalChecks = {},
    opts?: pulumi.ComponentResourceOptions,
): AwsPrincipalPlan {
    const problems = new Problems();
    const later: AnyDeferredCheck[] = [];
    const a: Partial<AwsPrincipalArgs> = args ?? {};
    checkName(name, kind, problems);
    const { owner, purpose } = requireText(a, ["owner", "purpose"], problems, OWNERSHIP_FIELDS);
    const expiresAt = parseExpiry(a.expiresAt, "expiresAt", problems, now);
    const deprovision = planDeprovisioning(name, a.deprovisionAtExpiry, expiresAt, maxName(kind), problems);
    const limits = limitsBesideQuarantine(kind.limits, deprovision);
    const usage = planUsageSettings(a, expiresAt, a.expiresAt !== undefined, problems, later, opts);
    const own = checks.own?.(problems, later) || undefined;
    const grants = planGrants(a.grants, problems);
    const options = checks.options?.(problems, later) || undefined;
    checkPathAndBoundary(a, problems, later);
    const recorded = awsRecorded(kind.noun);
    const escalations = planAwsEscalations(grants, a.grants, problems, recorded);
    const more = { ...own, ...options, ...usage.tags };
    const late = usage.notify === undefined ? [] : [NOTIFY_TAG];
    const tags = planTags(
        a.tags,
        { owner, purpose, expiresAt, escalations: escalations.tags, more, late },
        problems,
        kind.noun,
    );
    let policies: PlannedPolicies | undefined;
    if (problems.isEmpty) {
        // Grants a kind adds are made only for a valid identity: one known at deploy time holds a
        // check that nothing would await if the identity were refused.
        grants.push(...(checks.moreGrants?.() ?? []));
        try {
            policies = planPolicies(grants, expiresAt, limits);
        } catch (e) {
            if (e instanceof PolicyTooLargeError) {
                problems.add(
                    "grants",
                    `\`grants\` need ${e.needed} managed policies beside the inline policy, but a ${kind.noun} may have at most ${e.limit} (AWS quota). Narrow the grants (fewer actions or ARNs, or ARN patterns), or split them over two identities.`,
                );
            } else if (e instanceof StatementTooLargeError) {
                problems.add("grants", `\`grants\`: ${e.message}.`);
            } else {
                throw e;
            }
        }
    }
    problems.throwIfAny(`${kind.component} "${name}"`);
    const warnings = [expiryWarning(expiresAt, now, kind.expiryConsequence, usage.noticeDays)].filter(
        (w) => w !== undefined,
    );
    return {
        owner,
        purpose,
        expiresAt,
        grants,
        policies: policies!,
        tags,
        usage,
        later,
        deprovision,
        limits,
        warnings,
    };
}

/** The longest `name` of an identity of `kind`, whose longest derived IAM name has at most 64 characters. */
function maxName(kind: PrincipalKind): number {
    return MAX_PRINCIPAL_NAME_CHARS - (kind.longestName?.suffix ?? kind.childSuffix).length - AUTONAME_SUFFIX_CHARS;
}

function checkName(name: string, kind: PrincipalKind, problems: Problems): void {
    const longest = kind.longestName ?? { suffix: kind.childSuffix, what: `IAM ${kind.noun} name` };
    const max = maxName(kind);
    if (typeof name !== "string" || name === "") {
        problems.add("name", `\`name\` must be a non-empty string; got ${describe(name)}.`);
        return;
    }
    if (!PRINCIPAL_NAME_CHARS.test(name)) {
        const bad = [...new Set(name.replace(/[\w+=,.@-]/g, ""))].map((c) => `\`${c}\``).join(", ");
        problems.add(
            "name",
            `\`name\` \`${name}\` becomes the IAM ${kind.noun} name, which allows only letters, digits and \`+=,.@_-\`; remove ${bad}.`,
        );
    }
    if (name.length > max) {
        problems.add(
            "name",
            `\`name\` \`${name}\` is ${name.length} characters; the ${longest.what} \`${name}${longest.suffix}-xxxxxxx\` derived from it must be at most ${MAX_PRINCIPAL_NAME_CHARS} characters (AWS limit), so \`name\` may have at most ${max}.`,
        );
    }
}

function checkPathAndBoundary(a: Partial<AwsPrincipalArgs>, problems: Problems, later: DeferredCheck[]): void {
    const p = a.path;
    if (p !== undefined && (typeof p !== "string" || !PATH.test(p) || p.length > MAX_PATH_CHARS)) {
        problems.add(
            "path",
            `\`path\` must be \`/\` or start and end with \`/\` (such as \`/ci/\`), at most ${MAX_PATH_CHARS} printable ASCII characters; got ${describe(p)}.`,
        );
    }
    if (a.permissionsBoundaryArn !== undefined) {
        checkNowOrLater(
            {
                path: "permissionsBoundaryArn",
                value: a.permissionsBoundaryArn,
                problem: (v) =>
                    BOUNDARY_ARN.test(v)
                        ? undefined
                        : `\`permissionsBoundaryArn\` must be the ARN of a managed policy, such as \`arn:aws:iam::123456789012:policy/boundary\`; got \`${v}\`.`,
            },
            problems,
            later,
        );
    }
}

/**
 * The tags of the principal and its policies: the planned `nhi:` tags, `nhi:notify` (an Input
 * through `guard`, the component's deploy-time guard) and the user's valid ones.
 */
export function principalTags(
    plan: AwsPrincipalPlan,
    user: Readonly<Record<string, pulumi.Input<string>>> | undefined,
    guard: Guard,
): Record<string, pulumi.Input<string>> {
    return { ...plan.tags.tags, ...notifyTag(plan.usage, guard), ...givenTags(plan.tags, user) };
}

/** The rendered policies of an identity, behind the properties of {@link AwsPrincipalComponent}. */
export interface RenderedPolicies {
    readonly policyDocuments: pulumi.Input<string>[];
    readonly managedPolicyArns: pulumi.Output<string>[];
    readonly expiresAt?: string;
}

/**
 * Registers, under `component`, one `aws.iam.Policy` per overflow document of the identity `name`
 * (`${name}-policy-2`, `-3`, …) and, through `attach`, its attachment to the principal. `documents`
 * are {@link policyDocuments}; the caller has registered the inline policy `${name}-policy` from the
 * first of them (when `layout.inline` has statements) in its own body, and declares the quarantine
 * at `expiresAt` there too ({@link deprovisionedPrincipal}): the Pulumi SDK records the whole call
 * stack of every resource it registers, so every function between a component's constructor and a
 * `new aws.…` costs a stack frame per resource (about 3 KB allocated each, `npm run bench`).
 */
export function registerPolicies(
    component: pulumi.ComponentResource,
    name: string,
    plan: AwsPrincipalPlan,
    documents: pulumi.Input<string>[],
    path: string | undefined,
    tags: Record<string, pulumi.Input<string>>,
    attach: (childName: string, policyArn: pulumi.Output<string>) => void,
): RenderedPolicies {
    const { layout } = plan.policies;
    const managedPolicyArns = layout.managed.map((_, i) => {
        const childName = `${name}-policy-${i + 2}`;
        const policy = new aws.iam.Policy(
            childName,
            {
                policy: documents[i + 1],
                path,
                description: `Grants of ${name} that overflow its inline policy (pulumi-nhi)`,
                tags,
            },
            { parent: component },
        );
        attach(childName, policy.arn);
        return policy.arn;
    });
    return {
        policyDocuments: layout.inline.length > 0 ? documents : documents.slice(1),
        managedPolicyArns,
        expiresAt: plan.expiresAt,
    };
}

/**
 * What the quarantine at `expiresAt` (`declareDeprovisioning`, `${name}-expiry`) needs of an
 * identity whose plan deprovisions it: its role or user, its owner and the user's own tags.
 */
export function deprovisionedPrincipal(
    kind: PrincipalKind,
    plan: AwsPrincipalPlan,
    tags: Record<string, pulumi.Input<string>>,
    principal: { readonly arn: pulumi.Output<string>; readonly name: pulumi.Output<string> },
): DeprovisionedPrincipal {
    return {
        noun: kind.noun,
        arn: principal.arn,
        name: principal.name,
        owner: plan.owner,
        tags: givenTags(plan.tags, tags),
    };
}

/**
 * The policy documents of the identity `name`, the inline one first: plain JSON when every value
 * is known at construction, otherwise Outputs of one check of all the grants once their ARNs
 * resolve, which fails with every problem found (a grant's ARN, a document grown too large) in one
 * message. Every value known only at deploy time reaches a document through `guard` or that check.
 */
export function policyDocuments(
    component: pulumi.Resource,
    name: string,
    kind: PrincipalKind,
    plan: AwsPrincipalPlan,
    guard: Guard,
): pulumi.Input<string>[] {
    const subject = `${kind.component} "${name}"`;
    const { layout, unknowns } = plan.policies;
    const documents = [layout.inline, ...layout.managed];
    if (unknowns.size === 0) {
        return documents.map((statements) => JSON.stringify(renderDocument(statements)));
    }
    const texts = [...unknowns.keys()];
    // Guarded: a value that failed its own check (a Lambda's log group) is reported once, by the guard.
    const rendered = checkedAtDeployTime(
        subject,
        component,
        pulumi.all(texts.map((t) => guard(unknowns.get(t)!.value))),
        (values, problems) => {
            const resolved = new Map(texts.map((t, i) => [t, values[i]]));
            const late = resolvedPlans(plan.grants, plan.policies, resolved);
            for (const p of late.flatMap((g) => grantProblems(g, g.resources as string[]))) {
                problems.add(p.propertyPath, p.reason);
            }
            if (problems.isEmpty) {
                for (const p of deployTimeEscalationProblems(plan.grants, late, awsRecorded(kind.noun))) {
                    problems.add(p.propertyPath, p.reason);
                }
            }
            if (!problems.isEmpty) {
                return [];
            }
            return documents.map((statements, i) => {
                const { json, overflow } = renderPlannedDocument(
                    statements,
                    plan.grants,
                    plan.policies,
                    resolved,
                    i === 0,
                    plan.limits,
                );
                if (overflow !== undefined) {
                    problems.add("grants", `\`grants\`: ${overflow}.`);
                }
                return json;
            });
        },
    );
    return documents.map((_, i) => rendered.apply((r) => r[i]));
}

/**
 * The properties every AWS identity offers to read its policies. They are built on first read
 * from plain data or the Inputs the documents already are: thousands of identities per stack are
 * normal, and an Output per property each would cost more than the rest of the component
 * (measured by `npm run bench`). Nothing is registered as an output: every value is already in the
 * state of the child that holds it.
 */
export abstract class AwsPrincipalComponent extends pulumi.ComponentResource {
    /** The identity policy documents as JSON: the inline policy first, then each managed policy. */
    public get policyDocuments(): pulumi.Output<string[]> {
        return (this.policyDocumentsOutput ??= pulumi.all(this.renderedPolicies.policyDocuments));
    }
    /** The ARNs of the managed policies holding the grants that overflow the inline policy. */
    public get managedPolicyArns(): pulumi.Output<string[]> {
        return (this.managedPolicyArnsOutput ??= pulumi.all(this.renderedPolicies.managedPolicyArns));
    }
    /** The validated expiry instant (UTC), if any. */
    public get expiresAt(): pulumi.Output<string | undefined> {
        return (this.expiresAtOutput ??= pulumi.output(this.renderedPolicies.expiresAt));
    }

    /**
     * A CloudWatch Logs Insights query of what this identity did, newest first, over the CloudTrail
     * events a trail delivers to a CloudWatch Logs log group: for a role, the calls of its sessions
     * and the `AssumeRole*` calls that opened them; for a user, the calls signed with its access keys.
     * Run it in the console (CloudWatch, Logs Insights, the trail's log group) or with
     * `aws logs start-query --log-group-name <group> --start-time … --end-time … --query-string …`.
     * Needs a trail that sends its events to CloudWatch Logs; S3 object reads and other data events
     * appear only if the trail records them. Built on first read; nothing is registered.
     * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html
     */
    public get auditQuery(): pulumi.Output<string> {
        const { principal, arn } = this.audited;
        return (this.auditQueryOutput ??= arn.apply((a) => renderAuditQuery(principal, a)));
    }

    /** Set by the subclass's constructor from {@link registerPolicies}. */
    protected renderedPolicies!: RenderedPolicies;
    /** Set by the subclass's constructor: the principal whose CloudTrail events {@link auditQuery} finds. */
    protected audited!: { readonly principal: AuditedPrincipal; readonly arn: pulumi.Output<string> };
    private auditQueryOutput?: pulumi.Output<string>;
    private policyDocumentsOutput?: pulumi.Output<string[]>;
    private managedPolicyArnsOutput?: pulumi.Output<string[]>;
    private expiresAtOutput?: pulumi.Output<string | undefined>;
}
