import * as pulumi from "@pulumi/pulumi";
import { Problems, describe, didYouMean, oneOf } from "../core/errors";
import { parseExpiry } from "../core/expiry";
import { closestNames } from "../core/suggest";
import {
    ACCESS_LEVELS,
    AccessLevel,
    ActionInfo,
    actionsOf,
    findAction,
    isService,
    matchResourceTypes,
    resourceTypesOf,
    serviceNames,
} from "./catalog";
import { RequiredKey, conditionProblems, planGrantConditions } from "./grant-conditions";
import { Condition } from "./policy";
import { s3BucketProblem } from "./s3-buckets";

interface AwsGrantBase {
    /**
     * The ARNs the grant applies to. Each must be an ARN of a resource type of the grant's actions
     * (`arn:aws:s3:::bucket/prefix/*` for `s3:GetObject`). An ARN with IAM wildcards (`*`, `?`) is a
     * pattern, valid when it can match a resource of such a type:
     * `arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/worker:*` names that group's log
     * streams. An S3 ARN must name a valid bucket. `"*"` is accepted only for actions that do not
     * support resource-level permissions (such as `ec2:DescribeInstances`), or with
     * `allowWildcard`. Values known only at deploy time are checked when they resolve.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
     */
    readonly resources: readonly pulumi.Input<string>[];
    /**
     * Why this grant may let the identity escalate its privileges. A grant that allows a published
     * privilege-escalation method (such as `iam:PassRole` on every role, or `iam:PutRolePolicy`)
     * is refused unless it says why here; the reason is recorded in the role's
     * `nhi:escalation:<method>` tag (at most 256 letters, digits, spaces and `_ . : / = + - @`).
     * Refused on a grant that allows no escalation, so that stale reasons do not linger.
     * @default none
     * @see https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
     */
    readonly acknowledge?: string;
    /**
     * Limits the grant to resources that carry these tags (attribute-based access control): each
     * `key: value` becomes the condition `StringEquals` `aws:ResourceTag/<key>` = `value` on the
     * grant's statements, so that `resources` can be a pattern (`arn:aws:secretsmanager:…:secret:*`)
     * and the identity still reaches only the resources tagged for it.
     *
     * Every action of the grant must support the condition key `aws:ResourceTag/${TagKey}` (per
     * the Service Authorization Reference, on the action or on its resource type); a grant with an
     * action that does not is refused, naming the action, since IAM would never allow it. Keys and
     * values follow AWS's tag rules (1–128 and 0–256 letters, digits, spaces and `_ . : / = + - @`),
     * known when the program runs.
     *
     * The condition protects only as long as the tags cannot be changed by whoever it limits: do
     * not also give the identity `TagResource`/`UntagResource` on those resources.
     * @default no tag condition
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html#access_tags_control-resources
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag
     */
    readonly whereTagged?: Readonly<Record<string, string>>;
    /**
     * Limits a grant of KMS actions to the requests an AWS service makes with the identity's
     * credentials, such as Secrets Manager encrypting or decrypting a secret: the condition
     * `StringLike` `kms:ViaService` = `<service>.*.amazonaws.com`. The identity cannot then use
     * the key directly. Every action of the grant must support `kms:ViaService` (the KMS actions
     * that use a key do); a grant with one that does not is refused, naming it.
     * @default no such condition
     * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
     */
    readonly viaService?: string;
    /**
     * Limits a grant of `cloudwatch:PutMetricData` (which has no resource-level permissions: grant
     * it on `*`) to metrics of one namespace: the condition `StringEquals` `cloudwatch:namespace`.
     * Every action of the grant must support `cloudwatch:namespace`; a grant with one that does
     * not is refused, naming it.
     * @default no such condition
     * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html
     */
    readonly metricNamespace?: string;
    /**
     * When this grant alone stops, before the identity does: its statements carry `DateLessThan
     * aws:CurrentTime` at the earlier of this instant and the identity's `expiresAt`, so a grant
     * can never outlive its identity. For an identity that must do one narrow thing for a while
     * after the rest stops (the access-key rotation function deactivates keys after the user
     * expires). An ISO-8601 instant, as `expiresAt`.
     * @default the identity's `expiresAt`
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
     */
    readonly expiresAt?: string;
}

/** A grant of exact IAM actions. */
export interface AwsActionsGrant extends AwsGrantBase {
    /**
     * Exact IAM actions such as `s3:GetObject`, each checked against the AWS Service Authorization
     * Reference; an unknown action is an error that suggests the closest real names. Wildcards
     * (`*`, `s3:*`, `s3:Get*`) are refused unless `allowWildcard` is true.
     * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
     */
    readonly actions: readonly string[];
    /**
     * Allows wildcard actions (`s3:Get*`) and the `"*"` resource in this grant. The unsafe choice,
     * spelled out so that it shows in review.
     * @default false
     */
    readonly allowWildcard?: boolean;
    /** Not with `actions`: an access-level grant is an {@link AwsAccessGrant}. */
    readonly service?: never;
    /** Not with `actions`: an access-level grant is an {@link AwsAccessGrant}. */
    readonly access?: never;
}

/** A grant of every action of one access level of a service that applies to the given ARNs. */
export interface AwsAccessGrant extends AwsGrantBase {
    /** A service prefix (`s3`, `sqs`, `dynamodb`) for an access-level grant. */
    readonly service: string;
    /**
     * An access level of the Service Authorization Reference: `read`, `write`, `list`, `tagging` or
     * `permissions-management`. The grant expands, per ARN in `resources`, to exactly the actions of
     * `service` at that level whose resource type the ARN is (or, for a pattern, can match), the way
     * policy_sentry does it.
     * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
     */
    readonly access: AccessLevel;
    /** Not with `service` and `access`: a grant of named actions is an {@link AwsActionsGrant}. */
    readonly actions?: never;
    /** Access-level grants always name their ARNs. */
    readonly allowWildcard?: never;
}

/**
 * One permission grant of an AWS identity: either `actions` (exact IAM actions) or `service` with
 * `access` (every action of that access level that applies to the given ARNs), never both. `tsc`
 * refuses both at once; the constructor refuses it too, for JavaScript callers.
 */
export type AwsGrant = AwsActionsGrant | AwsAccessGrant;

/** A grant after its plain parts are validated: actions resolved against the catalogue. */
export type GrantPlan = ActionsGrantPlan | AccessGrantPlan;

interface GrantPlanBase {
    /** `grants[2]` */
    readonly path: string;
    readonly resources: readonly pulumi.Input<string>[];
    readonly allowWildcard: boolean;
    /** The condition of every statement of the grant (`whereTagged`, `viaService`, `metricNamespace`), if any. */
    readonly condition?: Condition;
    /** The condition keys every action of the grant must support, with the option that needs each. */
    readonly required?: readonly RequiredKey[];
    /** The grant's own `expiresAt` (UTC), if it has one: the earlier of it and the identity's applies. */
    readonly expiresAt?: string;
}

export interface ActionsGrantPlan extends GrantPlanBase {
    readonly kind: "actions";
    /** The catalogue's spelling of each exact action, or a wildcard pattern as written. */
    readonly actions: readonly string[];
    /** The catalogue entry of each exact action; undefined for a wildcard pattern. */
    readonly infos: readonly (ActionInfo | undefined)[];
}

export interface AccessGrantPlan extends GrantPlanBase {
    readonly kind: "access";
    readonly service: string;
    readonly access: AccessLevel;
}

const ACTION_SHAPE = /^([a-z0-9-]+):([A-Za-z0-9*?-]+)$/;
const WILDCARD = /[*?]/;

/**
 * Validates the plain parts of `grants` (structure, actions, access levels, plain resources),
 * recording every problem. Returns the plans of the grants that are valid so far.
 */
export function planGrants(grants: unknown, problems: Problems): GrantPlan[] {
    if (!Array.isArray(grants)) {
        problems.add(
            "grants",
            `\`grants\` is required and must be a list of grants (each \`{ actions, resources }\` or \`{ service, access, resources }\`); got ${describe(grants)}. Use \`[]\` for an identity with no permissions.`,
        );
        return [];
    }
    const plans: GrantPlan[] = [];
    grants.forEach((grant: GrantInput, i) => {
        const path = `grants[${i}]`;
        const found = new Problems();
        const plan = planGrant(grant, path, found);
        problems.addAll(found);
        if (plan !== undefined && found.isEmpty) {
            plans.push(plan);
            checkKnownResources(plan, problems);
        }
    });
    return plans;
}

/** A grant as a JavaScript caller may pass it: any mix of the fields of both kinds. */
type GrantInput = Partial<
    Omit<AwsActionsGrant, "service" | "access"> & Omit<AwsAccessGrant, "actions" | "allowWildcard">
> & { readonly allowWildcard?: unknown };

function planGrant(grant: GrantInput, path: string, problems: Problems): GrantPlan | undefined {
    if (grant === null || typeof grant !== "object") {
        problems.add(path, `\`${path}\` must be a grant object; got ${describe(grant)}.`);
        return undefined;
    }
    const allowWildcard = grant.allowWildcard === true;
    const resources = grant.resources;
    if (!Array.isArray(resources) || resources.length === 0) {
        problems.add(
            `${path}.resources`,
            `\`${path}.resources\` must list at least one ARN the grant applies to; got ${describe(resources)}.`,
        );
    }
    const hasActions = grant.actions !== undefined;
    const hasAccess = grant.service !== undefined || grant.access !== undefined;
    if (hasActions === hasAccess) {
        problems.add(
            path,
            hasActions
                ? `\`${path}\` gives both \`actions\` and \`service\`/\`access\`; give exactly one: \`actions\` for exact IAM actions, or \`service\` with \`access\` for an access level.`
                : `\`${path}\` must give either \`actions\` (exact IAM actions such as \`s3:GetObject\`) or \`service\` with \`access\` (such as \`{ service: "s3", access: "read" }\`).`,
        );
        return undefined;
    }
    const safeResources = Array.isArray(resources) ? resources : [];
    const conditions = planGrantConditions(grant, path, problems);
    // Any instant, past ones included: the identity's own `expiresAt` is the one that must be ahead.
    const expiresAt =
        grant.expiresAt === undefined
            ? undefined
            : parseExpiry(grant.expiresAt, `${path}.expiresAt`, problems, new Date(0));
    const plan = hasActions
        ? planActions(grant.actions, path, allowWildcard, safeResources, problems)
        : planAccess(grant, path, safeResources, problems);
    if (plan === undefined) {
        return plan;
    }
    return { ...plan, ...conditions, ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/**
 * Every (action, resource) pair `plan` grants on `resources` (known ARNs, patterns or `*`): the
 * requests whose condition keys its conditions need.
 */
function grantedPairs(plan: GrantPlan, resources: readonly string[]): (readonly [ActionInfo, string])[] {
    const pairs: (readonly [ActionInfo, string])[] = [];
    for (const r of resources) {
        const infos =
            plan.kind === "access"
                ? expandAccess(plan.service, plan.access, r).map((a) => findAction(plan.service, a.split(":")[1])!)
                : plan.actions.flatMap(
                      (action, j) =>
                          plan.infos[j] ??
                          (action === "*" ? [] : matchWildcard(action.split(":")[0], action.split(":")[1])),
                  );
        for (const info of infos) {
            if (
                r === "*" ||
                matchResourceTypes(info.fullName.split(":")[0], r).some((t) => info.resourceTypes.includes(t))
            ) {
                pairs.push([info, r]);
            }
        }
    }
    return pairs;
}

function planActions(
    actions: unknown,
    path: string,
    allowWildcard: boolean,
    resources: readonly pulumi.Input<string>[],
    problems: Problems,
): ActionsGrantPlan | undefined {
    if (!Array.isArray(actions) || actions.length === 0) {
        problems.add(
            `${path}.actions`,
            `\`${path}.actions\` must list at least one IAM action such as \`s3:GetObject\`; got ${describe(actions)}.`,
        );
        return undefined;
    }
    const names: string[] = [];
    const infos: (ActionInfo | undefined)[] = [];
    actions.forEach((action: unknown, j) => {
        const at = `${path}.actions[${j}]`;
        const resolved = resolveAction(action, at, allowWildcard, problems);
        if (resolved !== undefined) {
            names.push(resolved.name);
            infos.push(resolved.info);
        }
    });
    return { kind: "actions", path, actions: names, infos, resources, allowWildcard };
}

function resolveAction(
    action: unknown,
    at: string,
    allowWildcard: boolean,
    problems: Problems,
): { name: string; info?: ActionInfo } | undefined {
    if (action === "*") {
        if (!allowWildcard) {
            problems.add(
                at,
                `\`${at}\` is \`*\`, every action of every service. Wildcard actions are refused unless the grant sets \`allowWildcard: true\`; list the exact actions instead.`,
            );
            return undefined;
        }
        return { name: "*" };
    }
    const shape = typeof action === "string" ? ACTION_SHAPE.exec(action) : null;
    if (shape === null) {
        problems.add(
            at,
            `\`${at}\` must be an IAM action of the form \`service:Action\`, such as \`s3:GetObject\`; got ${describe(action)}.`,
        );
        return undefined;
    }
    const [, service, name] = shape;
    if (!isService(service)) {
        problems.add(
            at,
            `\`${at}\` names the unknown service \`${service}\` in \`${action}\`.${didYouMean(closestNames(service, serviceNames()))}`,
        );
        return undefined;
    }
    if (WILDCARD.test(name)) {
        const matches = matchWildcard(service, name);
        if (!allowWildcard) {
            const sample = matches.slice(0, 5).map((a) => a.fullName);
            problems.add(
                at,
                `\`${at}\` is the wildcard \`${action}\`, which matches ${matches.length} actions${sample.length > 0 ? ` (${sample.map((s) => `\`${s}\``).join(", ")}${matches.length > sample.length ? ", …" : ""})` : ""}. Wildcard actions are refused unless the grant sets \`allowWildcard: true\`; list the exact actions instead.`,
            );
            return undefined;
        }
        if (matches.length === 0) {
            problems.add(at, `\`${at}\` is the wildcard \`${action}\`, which matches no action of \`${service}\`.`);
            return undefined;
        }
        return { name: `${service}:${name}` };
    }
    const info = findAction(service, name);
    if (info === undefined) {
        const suggestions = closestNames(
            name,
            [...actionsOf(service)].map((a) => a.fullName.slice(service.length + 1)),
        );
        problems.add(
            at,
            `\`${at}\` is not an action of \`${service}\`: \`${action}\`.${didYouMean(suggestions.map((s) => `${service}:${s}`))}`,
        );
        return undefined;
    }
    return { name: info.fullName, info };
}

/** The actions of `service` that the IAM wildcard pattern `name` (`Get*`, `List?ucket`) matches. */
export function matchWildcard(service: string, name: string): ActionInfo[] {
    const regex = new RegExp(
        `^${name
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
    return [...actionsOf(service)].filter((a) => regex.test(a.fullName.slice(service.length + 1)));
}

function planAccess(
    grant: GrantInput,
    path: string,
    resources: readonly pulumi.Input<string>[],
    problems: Problems,
): AccessGrantPlan | undefined {
    const { service, access } = grant;
    let ok = true;
    if (typeof service !== "string" || !isService(service)) {
        const hint = typeof service === "string" ? didYouMean(closestNames(service, serviceNames())) : "";
        problems.add(
            `${path}.service`,
            `\`${path}.service\` must be an AWS service prefix such as \`s3\` or \`sqs\`; got ${describe(service)}.${hint}`,
        );
        ok = false;
    }
    if (typeof access !== "string" || !ACCESS_LEVELS.includes(access)) {
        const hint = typeof access === "string" ? didYouMean(closestNames(access, ACCESS_LEVELS)) : "";
        problems.add(
            `${path}.access`,
            `\`${path}.access\` must be one of ${oneOf(ACCESS_LEVELS)}; got ${describe(access)}.${hint}`,
        );
        ok = false;
    }
    if (grant.allowWildcard !== undefined) {
        problems.add(
            `${path}.allowWildcard`,
            `\`${path}.allowWildcard\` applies to \`actions\` grants only; an access-level grant always names its ARNs.`,
        );
        ok = false;
    }
    return ok
        ? { kind: "access", path, service: service!, access: access!, resources, allowWildcard: false }
        : undefined;
}

/** Checks the resources of `plan` that are already known, recording problems. */
function checkKnownResources(plan: GrantPlan, problems: Problems): void {
    const known = plan.resources.every((r) => typeof r === "string");
    if (known) {
        for (const p of grantProblems(plan, plan.resources as string[])) {
            problems.add(p.propertyPath, p.reason);
        }
        return;
    }
    plan.resources.forEach((r, k) => {
        if (typeof r === "string") {
            const reason = resourceProblem(plan, r, `${plan.path}.resources[${k}]`);
            if (reason !== undefined) {
                problems.add(`${plan.path}.resources[${k}]`, reason);
            }
        }
    });
}

/** A problem found in a grant once its resources are known. */
export interface GrantProblem {
    readonly propertyPath: string;
    readonly reason: string;
}

/**
 * The problems that make a grant invalid once its resources are known: a resource of the wrong
 * type, an action that applies to none of the resources, `"*"` for a resource-level action.
 */
export function grantProblems(plan: GrantPlan, resources: readonly string[]): GrantProblem[] {
    const problems: GrantProblem[] = [];
    resources.forEach((r, k) => {
        const at = `${plan.path}.resources[${k}]`;
        const reason = resourceProblem(plan, r, at);
        if (reason !== undefined) {
            problems.push({ propertyPath: at, reason });
        }
    });
    if (problems.length === 0 && plan.required !== undefined) {
        problems.push(
            ...conditionProblems(
                plan.path,
                plan.required,
                grantedPairs(plan, resources),
                plan.kind === "actions" && plan.actions.includes("*"),
            ),
        );
    }
    if (problems.length > 0 || plan.kind === "access") {
        return problems;
    }
    plan.infos.forEach((info, j) => {
        if (info === undefined || plan.allowWildcard) {
            return;
        }
        const at = `${plan.path}.actions[${j}]`;
        if (info.resourceTypes.length === 0) {
            if (!resources.includes("*")) {
                problems.push({
                    propertyPath: at,
                    reason: `\`${info.fullName}\` does not support resource-level permissions, so \`${plan.path}.resources\` must be \`["*"]\` for it; put it in a grant of its own with \`resources: ["*"]\`.`,
                });
            }
            return;
        }
        const service = info.fullName.split(":")[0];
        const applies = resources.some(
            (r) => r !== "*" && matchResourceTypes(service, r).some((t) => info.resourceTypes.includes(t)),
        );
        if (!applies) {
            problems.push({
                propertyPath: at,
                reason: `\`${info.fullName}\` applies to none of \`${plan.path}.resources\`; it applies to ${describeTypes(service, info.resourceTypes)}.`,
            });
        }
    });
    return problems;
}

/** Why `resource` cannot be a resource of `plan`, or undefined when it can. */
function resourceProblem(plan: GrantPlan, resource: unknown, at: string): string | undefined {
    if (typeof resource !== "string" || resource === "") {
        return `\`${at}\` must be a non-empty ARN; got ${describe(resource)}.`;
    }
    if (resource === "*") {
        if (plan.kind === "access") {
            return `\`${at}\` is \`*\`, but an access-level grant expands to the actions that apply to the ARNs it names; give the ARNs, such as ${exampleArns(plan.service)}.`;
        }
        if (plan.allowWildcard) {
            return undefined;
        }
        const resourceLevel = plan.infos.filter((i): i is ActionInfo => i !== undefined && i.resourceTypes.length > 0);
        if (resourceLevel.length > 0) {
            const first = resourceLevel[0];
            const service = first.fullName.split(":")[0];
            return `\`${at}\` is \`*\`, every resource, but \`${first.fullName}\` supports resource-level permissions: name its resources, such as ${describeTypes(service, first.resourceTypes)}, or set \`allowWildcard: true\`.`;
        }
        return undefined;
    }
    if (!/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(resource)) {
        return `\`${at}\` must be an ARN (\`arn:aws:<service>:…\`) or \`*\`; got \`${resource}\`.`;
    }
    const bucket = s3BucketProblem(at, resource);
    if (bucket !== undefined) {
        return bucket;
    }
    if (plan.kind === "access") {
        if (matchResourceTypes(plan.service, resource).length === 0) {
            return `\`${at}\` is not the ARN of any \`${plan.service}\` resource type: \`${resource}\`. \`${plan.service}\` resources look like ${exampleArns(plan.service)}.`;
        }
        if (expandAccess(plan.service, plan.access, resource).length === 0) {
            const types = matchResourceTypes(plan.service, resource);
            return `\`${at}\` is a \`${plan.service}\` ${types.map((t) => `\`${t}\``).join("/")}, and no \`${plan.access}\` action of \`${plan.service}\` applies to it.`;
        }
        return undefined;
    }
    if (plan.allowWildcard) {
        return undefined;
    }
    const fits = plan.infos.some((info) => {
        if (info === undefined || info.resourceTypes.length === 0) {
            return false;
        }
        const service = info.fullName.split(":")[0];
        return matchResourceTypes(service, resource).some((t) => info.resourceTypes.includes(t));
    });
    if (!fits) {
        const actions = plan.infos.filter((i): i is ActionInfo => i !== undefined && i.resourceTypes.length > 0);
        const expected =
            actions.length > 0
                ? `; \`${actions[0].fullName}\` applies to ${describeTypes(actions[0].fullName.split(":")[0], actions[0].resourceTypes)}`
                : "; its actions do not support resource-level permissions, so use `*`";
        const hint =
            !resource.endsWith("*") && resourceProblem(plan, `${resource}/*`, at) === undefined
                ? ` Did you mean \`${resource}/*\`?`
                : "";
        return `\`${at}\` is not a resource of any action of \`${plan.path}\`: \`${resource}\`${expected}.${hint}`;
    }
    return undefined;
}

const expansions = new Map<string, string[]>();

/**
 * The actions of `service` at `access` level whose resource types include the type of `arn`,
 * sorted. Cached per (service, level, resource type).
 */
export function expandAccess(service: string, access: AccessLevel, arn: string): string[] {
    const types = matchResourceTypes(service, arn);
    const key = `${service}|${access}|${types.join(",")}`;
    let actions = expansions.get(key);
    if (actions === undefined) {
        actions = [...actionsOf(service)]
            .filter((a) => a.accessLevel === access && a.resourceTypes.some((t) => types.includes(t)))
            .map((a) => a.fullName)
            .sort();
        expansions.set(key, actions);
    }
    return actions;
}

/**
 * The longest expansion an access-level grant on `service` can have, over every resource type:
 * how much room to keep in a policy document for a grant whose ARN is not known yet.
 */
export function longestExpansion(service: string, access: AccessLevel): number {
    const key = `${service}|${access}`;
    let longest = longestExpansions.get(key);
    if (longest === undefined) {
        longest = measureLongestExpansion(service, access);
        longestExpansions.set(key, longest);
    }
    return longest;
}

const longestExpansions = new Map<string, number>();

function measureLongestExpansion(service: string, access: AccessLevel): number {
    let longest = 0;
    for (const type of resourceTypesOf(service)) {
        const actions = [...actionsOf(service)].filter(
            (a) => a.accessLevel === access && a.resourceTypes.includes(type.key),
        );
        longest = Math.max(
            longest,
            actions.reduce((sum, a) => sum + a.fullName.length + 3, 0),
        );
    }
    return longest;
}

function describeTypes(service: string, keys: readonly string[]): string {
    const types = resourceTypesOf(service).filter((t) => keys.includes(t.key));
    return (
        types
            .slice(0, 3)
            .map((t) => `${t.key} (\`${t.arnPattern}\`)`)
            .join(", ") + (types.length > 3 ? ` and ${types.length - 3} more` : "")
    );
}

/** The ARN patterns of the two resource types of `service` that the most actions apply to. */
function exampleArns(service: string): string {
    const uses = new Map<string, number>();
    for (const action of actionsOf(service)) {
        for (const type of action.resourceTypes) {
            uses.set(type, (uses.get(type) ?? 0) + 1);
        }
    }
    const common = [...resourceTypesOf(service)].sort((a, b) => (uses.get(b.key) ?? 0) - (uses.get(a.key) ?? 0));
    return (
        common
            .slice(0, 2)
            .map((t) => `\`${t.arnPattern}\``)
            .join(" or ") || `an ARN of \`${service}\``
    );
}
