import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, checkNowOrLater } from "../core/deferred";
import { Problems, allOf, describe, didYouMean, oneOf } from "../core/errors";
import { closestNames } from "../core/suggest";
import { BASIC_ROLES, findRole, isPermission, permissionNames, roleNames } from "./catalog";
import {
    SCOPES,
    SCOPES_WITHOUT_CONDITIONS,
    Scope,
    isDeferred,
    parseTarget,
    permissionScopeProblem,
    relativeName,
    roleScopeProblem,
    targetProblem,
} from "./scopes";

export { SCOPES, SCOPES_WITHOUT_CONDITIONS, Scope } from "./scopes";

/**
 * Every scope a grant can name, each with its documentation. A {@link GcpGrantResource} gives
 * exactly one of them.
 */
export interface GcpGrantScopes {
    /**
     * A whole project (`projects.IAMMember`), by project ID. Prefer a narrower scope when there is
     * one: any role may be bound here.
     */
    readonly project: string;
    /**
     * A Cloud Storage bucket (`storage.BucketIAMMember`): its name (`invoices`, `bucket.name`) or
     * `projects/_/buckets/<name>`. Conditions need uniform bucket-level access.
     */
    readonly bucket: pulumi.Input<string>;
    /**
     * A Pub/Sub topic (`pubsub.TopicIAMMember`): its name, or `projects/<project ID>/topics/<t>`
     * (`topic.id`). Pub/Sub does not accept IAM Conditions.
     */
    readonly topic: pulumi.Input<string>;
    /**
     * A Pub/Sub subscription (`pubsub.SubscriptionIAMMember`): its name, or
     * `projects/<project ID>/subscriptions/<s>`. Pub/Sub does not accept IAM Conditions.
     */
    readonly subscription: pulumi.Input<string>;
    /**
     * A Secret Manager secret (`secretmanager.SecretIamMember`): its ID, or
     * `projects/<project ID or number>/secrets/<id>` (`secret.name`, which Google returns with the
     * project number).
     */
    readonly secret: pulumi.Input<string>;
    /** A BigQuery dataset (`bigquery.DatasetIamMember`): its ID, or `projects/<project ID>/datasets/<d>`. */
    readonly dataset: pulumi.Input<string>;
    /**
     * Another service account (`serviceaccount.IAMMember`): its email, its unique ID, or its full
     * name `projects/<project ID or ->/serviceAccounts/<email or unique ID>`. For example
     * `roles/iam.serviceAccountUser` on the one account a deployer must run Cloud Run services as,
     * instead of on every account of the project.
     */
    readonly serviceAccount: pulumi.Input<string>;
}

/**
 * Where a grant applies: exactly one scope, the narrowest that holds what the identity needs.
 * Names are plain strings or Outputs (`bucket.name`); a short name belongs to the identity's
 * `project`. Every name may also be written as IAM's full resource name, with the service's host
 * (`//secretmanager.googleapis.com/projects/987654321/secrets/db-password`). A value known only at deploy time is checked when it resolves, with the same message
 * as a string, and the binding receives the checked value.
 * A role is refused on a resource when none of its permissions belongs to the resource's service
 * (`roles/secretmanager.secretAccessor` on a bucket); any role may be bound at `project` scope.
 * @see https://cloud.google.com/iam/docs/granting-changing-revoking-access
 */
export type GcpGrantResource = {
    [S in Scope]: Pick<GcpGrantScopes, S> & { readonly [Other in Exclude<Scope, S>]?: never };
}[Scope];

/** What every grant has, whichever its kind. */
export interface GcpGrantCommon {
    /** Where the role or permissions apply: exactly one scope. */
    readonly resource: GcpGrantResource;
    /**
     * Why this grant may let the identity escalate its privileges. A grant that allows a published
     * privilege-escalation method (such as `roles/iam.serviceAccountTokenCreator` at project
     * scope, or `cloudbuild.builds.create`) is refused unless it says why here; the reason is
     * recorded in the service account's description (`"acknowledged":{"<method>":"<reason>"}`),
     * which with the owner and purpose must fit Google's 256 bytes. Refused on a grant that allows
     * no escalation, so that stale reasons do not linger.
     * @default none
     * @see https://cloud.google.com/iam/docs/service-account-permissions
     */
    readonly acknowledge?: string;
}

/** A predefined or existing custom role on one resource. */
export interface GcpRoleGrant extends GcpGrantCommon {
    /**
     * A predefined role such as `roles/storage.objectViewer`, checked against Google's role list
     * (an unknown role suggests the closest real names) and against the scope (at least one of its
     * permissions must belong to the resource's service), or an existing custom role
     * (`projects/<p>/roles/<id>`, `organizations/<n>/roles/<id>`). Basic roles (`roles/owner`,
     * `roles/editor`, `roles/viewer`) are refused.
     * @see https://cloud.google.com/iam/docs/understanding-roles
     */
    readonly role: string;
    /** Not with `role`: a grant of exact permissions is a {@link GcpPermissionsGrant}. */
    readonly permissions?: never;
}

/** Exactly these permissions on one resource, through a custom role the component creates. */
export interface GcpPermissionsGrant extends GcpGrantCommon {
    /** Not with `permissions`: a grant of a role is a {@link GcpRoleGrant}. */
    readonly role?: never;
    /**
     * Exactly these permissions: the identity gets a project-level custom role holding them, bound
     * at `resource`. Each is checked against the permissions of Google's roles and, below `project`
     * scope, against the resource's service (`storage.*` on a bucket).
     * Limit: 3,000 permissions per custom role (Google).
     * @see https://cloud.google.com/iam/docs/creating-custom-roles
     */
    readonly permissions: readonly string[];
}

/** One grant: a role, or exactly these permissions, on one resource. Never both. */
export type GcpGrant = GcpRoleGrant | GcpPermissionsGrant;

/** Google: a custom role holds at most 3,000 permissions. */
export const MAX_CUSTOM_ROLE_PERMISSIONS = 3_000;

/** A grant with its plain parts validated. */
export interface GcpGrantPlan {
    /** `grants[2]` */
    readonly path: string;
    /** A stable key: scope, target (when known) and role; names the grant's children. */
    readonly key: string;
    readonly scope: Scope;
    /**
     * The project of the resource (the identity's, unless a full resource name says otherwise; a
     * project number for a secret named so). For a resource known only at deploy time, the
     * identity's: the resolved name says the rest ({@link grantTarget}).
     */
    readonly project: string;
    /**
     * The resource's short name (bucket, topic, …) or the project ID for `project` scope; for a
     * resource known only at deploy time, the value as given, checked when it resolves.
     */
    readonly target: pulumi.Input<string>;
    /** The resource as given (a relative name, a short name, or an Output), for bindings that take a full name as is. */
    readonly given: pulumi.Input<string>;
    /** The predefined or existing custom role; undefined for a `permissions` grant. */
    readonly role?: string;
    /** The sorted permissions of a `permissions` grant. */
    readonly permissions?: readonly string[];
}

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const CUSTOM_ROLE = /^(projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]|organizations\/\d+)\/roles\/[A-Za-z0-9_.]{3,64}$/;
const PERMISSION = /^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+){2,}$/;

/** Why `project` is not a Google Cloud project ID, or undefined. */
export function projectIdProblem(path: string, project: unknown): string | undefined {
    if (typeof project === "string" && PROJECT_ID.test(project)) {
        return undefined;
    }
    return `\`${path}\` must be a project ID: 6–30 lower-case letters, digits and hyphens, starting with a letter, such as \`my-project\`; got ${describe(project)}.`;
}

/**
 * Validates `grants` for an identity in `project`, recording every problem. `expiring` says whether
 * the identity has an expiry, which every binding must then carry as a condition. A resource given
 * as an Output gets its check in `later`, run when it resolves ({@link grantTarget}).
 */
export function planGcpGrants(
    grants: unknown,
    project: string,
    expiring: boolean,
    problems: Problems,
    later: DeferredCheck[],
): GcpGrantPlan[] {
    if (!Array.isArray(grants)) {
        problems.add(
            "grants",
            `\`grants\` is required and must be a list of grants, each \`{ role, resource }\` or \`{ permissions, resource }\`; got ${describe(grants)}. Use \`[]\` for an identity with no permissions.`,
        );
        return [];
    }
    const plans: GcpGrantPlan[] = [];
    const seen = new Map<string, string>();
    const unknownTargets = new Map<string, number>();
    grants.forEach((grant: GcpGrant, i) => {
        const path = `grants[${i}]`;
        const plan = planGrant(grant, path, project, expiring, problems, later, unknownTargets);
        if (plan === undefined) {
            return;
        }
        const first = seen.get(plan.key);
        if (first !== undefined) {
            problems.add(
                path,
                `\`${path}\` repeats \`${first}\`: the same ${plan.role === undefined ? "permissions grant" : `\`${plan.role}\``} on the same ${plan.scope}. Merge them into one grant.`,
            );
            return;
        }
        seen.set(plan.key, path);
        plans.push(plan);
    });
    return plans;
}

/** The plan of one grant, or undefined when it has a problem (each one recorded). */
function planGrant(
    grant: GcpGrant,
    path: string,
    project: string,
    expiring: boolean,
    problems: Problems,
    later: DeferredCheck[],
    unknownTargets: Map<string, number>,
): GcpGrantPlan | undefined {
    if (grant === null || typeof grant !== "object") {
        problems.add(
            path,
            `\`${path}\` must be a grant object such as \`{ role: "roles/storage.objectViewer", resource: { bucket: "invoices" } }\`; got ${describe(grant)}.`,
        );
        return undefined;
    }
    const role = planRole(grant, path, problems);
    const permissions = planPermissions(grant, path, problems);
    const where = planResource(grant.resource, `${path}.resource`, project, expiring, problems, later);
    if (where === undefined || (role === undefined && permissions === undefined)) {
        return undefined;
    }
    if (!fitsScope(grant, path, role, where.scope, problems)) {
        return undefined;
    }
    const known = typeof where.target === "string" ? `${where.project}/${where.target}` : undefined;
    const what = role ?? "custom";
    let targetKey = known;
    if (targetKey === undefined) {
        const counter = `${where.scope}|${what}`;
        const n = (unknownTargets.get(counter) ?? 0) + 1;
        unknownTargets.set(counter, n);
        targetKey = `#${n}`;
    }
    return { path, key: `${where.scope}|${targetKey}|${what}`, ...where, role, permissions };
}

function planRole(grant: GcpGrant, path: string, problems: Problems): string | undefined {
    const hasRole = grant.role !== undefined;
    const hasPermissions = grant.permissions !== undefined;
    if (hasRole === hasPermissions) {
        problems.add(
            path,
            hasRole
                ? `\`${path}\` gives both \`role\` and \`permissions\`; give exactly one: \`role\` for a predefined role, or \`permissions\` for a custom role holding exactly those permissions.`
                : `\`${path}\` must give \`role\` (a predefined role such as \`roles/storage.objectViewer\`) or \`permissions\` (such as \`["storage.objects.get"]\`).`,
        );
        return undefined;
    }
    if (!hasRole) {
        return undefined;
    }
    const at = `${path}.role`;
    const role = grant.role;
    if (typeof role !== "string" || role === "") {
        problems.add(
            at,
            `\`${at}\` must be a role name such as \`roles/storage.objectViewer\`; got ${describe(role)}.`,
        );
        return undefined;
    }
    if (BASIC_ROLES.includes(role)) {
        problems.add(
            at,
            `\`${at}\` is the basic role \`${role}\`, which holds thousands of permissions across every service of the project and cannot carry IAM Conditions. Basic roles are refused: grant a predefined role of the service the identity uses, such as \`roles/storage.objectViewer\`, or list \`permissions\`.`,
        );
        return undefined;
    }
    if (CUSTOM_ROLE.test(role)) {
        return role;
    }
    if (findRole(role) === undefined) {
        const given = role.startsWith("roles/") ? role : `roles/${role}`;
        const suggestions = findRole(given) !== undefined ? [given] : closestNames(given, roleNames());
        problems.add(at, `\`${at}\` is not a predefined Google Cloud role: \`${role}\`.${didYouMean(suggestions)}`);
        return undefined;
    }
    return role;
}

function planPermissions(grant: GcpGrant, path: string, problems: Problems): string[] | undefined {
    if (grant.permissions === undefined || grant.role !== undefined) {
        return undefined;
    }
    const at = `${path}.permissions`;
    const permissions = grant.permissions;
    if (!Array.isArray(permissions) || permissions.length === 0) {
        problems.add(
            at,
            `\`${at}\` must list at least one permission such as \`storage.objects.get\`; got ${describe(permissions)}.`,
        );
        return undefined;
    }
    const valid: string[] = [];
    permissions.forEach((p: unknown, j) => {
        const pat = `${at}[${j}]`;
        if (typeof p !== "string" || !PERMISSION.test(p)) {
            problems.add(
                pat,
                `\`${pat}\` must be a permission of the form \`service.resource.verb\`, such as \`storage.objects.get\`, without wildcards; got ${describe(p)}.`,
            );
        } else if (!isPermission(p)) {
            problems.add(
                pat,
                `\`${pat}\` is not a Google Cloud permission: \`${p}\`.${didYouMean(closestNames(p, permissionNames()))}`,
            );
        } else {
            valid.push(p);
        }
    });
    const unique = [...new Set(valid)].sort();
    if (unique.length > MAX_CUSTOM_ROLE_PERMISSIONS) {
        problems.add(
            at,
            `\`${at}\` lists ${unique.length} permissions; a custom role holds at most ${MAX_CUSTOM_ROLE_PERMISSIONS} (Google limit).`,
        );
        return undefined;
    }
    return valid.length === permissions.length ? unique : undefined;
}

function planResource(
    resource: GcpGrantResource | undefined,
    at: string,
    project: string,
    expiring: boolean,
    problems: Problems,
    later: DeferredCheck[],
): { scope: Scope; project: string; target: pulumi.Input<string>; given: pulumi.Input<string> } | undefined {
    if (resource !== undefined && (resource === null || typeof resource !== "object")) {
        problems.add(
            at,
            `\`${at}\` must be an object naming exactly one of ${oneOf(SCOPES)}, such as \`{ bucket: "invoices" }\`; got ${describe(resource)}.`,
        );
        return undefined;
    }
    const given = resource !== undefined ? SCOPES.filter((s) => resource[s] !== undefined) : [];
    if (given.length !== 1) {
        problems.add(
            at,
            given.length === 0
                ? `\`${at}\` is required: where the role applies, exactly one of ${oneOf(SCOPES)}.`
                : `\`${at}\` gives ${allOf(given)}; give exactly one scope per grant (one grant per resource).`,
        );
        return undefined;
    }
    const scope = given[0];
    const value: pulumi.Input<string> = resource![scope]!;
    const path = `${at}.${scope}`;
    if (expiring && SCOPES_WITHOUT_CONDITIONS.includes(scope)) {
        problems.add(
            path,
            `\`${path}\`: Pub/Sub ${scope}s do not accept IAM Conditions, so Google could not stop honouring this grant at \`expiresAt\`. Grant the role at \`project\` scope (the condition applies there, to every ${scope} of the project), or remove \`expiresAt\`.`,
        );
        return undefined;
    }
    if (scope === "project") {
        const problem = projectIdProblem(path, value);
        if (problem !== undefined) {
            problems.add(path, problem);
            return undefined;
        }
        return { scope, project: value as string, target: value, given: value };
    }
    if (typeof value !== "string" && !isDeferred(value)) {
        problems.add(path, targetProblem(scope, path, value)!);
        return undefined;
    }
    // One check for both: a string now, an Output when it resolves, with the same message.
    checkNowOrLater({ path, value, problem: (v) => targetProblem(scope, path, v) }, problems, later);
    if (typeof value !== "string") {
        return { scope, project, target: value, given: value };
    }
    const target = parseTarget(scope, value, project);
    return target === undefined
        ? undefined
        : { scope, project: target.project, target: target.name, given: relativeName(scope, value) };
}

/**
 * Whether the grant's role or permissions can take effect at `scope`, recording a problem for a
 * predefined role none of whose permissions belongs to the resource's service, and for each listed
 * permission of another service. A custom role by name is not checked: its permissions are not
 * known here.
 */
function fitsScope(grant: GcpGrant, path: string, role: string | undefined, scope: Scope, problems: Problems): boolean {
    const found: [string, string][] = [];
    if (role !== undefined) {
        const problem = findRole(role) === undefined ? undefined : roleScopeProblem(`${path}.role`, role, scope);
        if (problem !== undefined) {
            found.push([`${path}.role`, problem]);
        }
    } else {
        (grant.permissions ?? []).forEach((p, j) => {
            const problem = permissionScopeProblem(`${path}.permissions[${j}]`, p, scope);
            if (problem !== undefined) {
                found.push([`${path}.permissions[${j}]`, problem]);
            }
        });
    }
    found.forEach(([at, reason]) => problems.add(at, reason));
    return found.length === 0;
}

/**
 * The project and short name of a grant's resource, for its binding: as planned for a string, and
 * for an Output the resolved value once `guard` has passed it, that is once the component's
 * deploy-time checks (among them this value's, recorded in `later` by {@link planGcpGrants}) have
 * passed; so the binding receives what was checked.
 */
export function grantTarget(
    grant: GcpGrantPlan,
    guard: (value: pulumi.Input<string>) => pulumi.Input<string>,
): GrantTarget {
    if (typeof grant.target === "string" || grant.scope === "project") {
        return { project: grant.project, name: grant.target, given: grant.given };
    }
    const scope = grant.scope;
    const checked = pulumi.output(guard(grant.target));
    const target = checked.apply((v) => parseTarget(scope, v, grant.project)!);
    return { project: target.project, name: target.name, given: checked.apply((v) => relativeName(scope, v)) };
}

/** Where a binding goes: see {@link grantTarget}. */
export interface GrantTarget {
    /** The resource's project, as its name gives it (or the identity's). */
    readonly project: pulumi.Input<string>;
    /** The resource's short name; the project ID at `project` scope. */
    readonly name: pulumi.Input<string>;
    /** The value as the user gave it (checked; a relative name), for bindings that take a full name as is. */
    readonly given: pulumi.Input<string>;
}

/** `request.time < timestamp("<expiresAt>")`: the IAM Condition that ends a binding at `expiresAt`. */
export function expiryExpression(expiresAt: string): string {
    return `request.time < timestamp("${expiresAt}")`;
}

/** The IAM Condition block of a binding that ends at `expiresAt`. */
export function expiryCondition(expiresAt: string): { title: string; description: string; expression: string } {
    return {
        title: `expires ${expiresAt}`,
        description: `Granted by pulumi-nhi until ${expiresAt}; Google stops honouring the binding then.`,
        expression: expiryExpression(expiresAt),
    };
}
