import * as pulumi from "@pulumi/pulumi";
import { Problems, allOf, describe, didYouMean, oneOf } from "../core/errors";
import { closestNames } from "../core/suggest";
import { BASIC_ROLES, findRole, isPermission, permissionNames, roleNames } from "./catalog";

/**
 * Where a grant applies. Give exactly one: the narrowest scope that holds what the identity needs.
 * Bucket, topic, subscription, secret and dataset are names (`invoices`) or full resource names
 * (`projects/p/topics/t`); a short name belongs to the identity's `project`.
 */
export interface GcpGrantResource {
    /** A whole project (`projects.IAMMember`). Prefer a narrower scope when there is one. */
    project?: string;
    /** A Cloud Storage bucket (`storage.BucketIAMMember`). Conditions need uniform bucket-level access. */
    bucket?: pulumi.Input<string>;
    /** A Pub/Sub topic (`pubsub.TopicIAMMember`). Pub/Sub does not accept IAM Conditions. */
    topic?: pulumi.Input<string>;
    /** A Pub/Sub subscription (`pubsub.SubscriptionIAMMember`). Pub/Sub does not accept IAM Conditions. */
    subscription?: pulumi.Input<string>;
    /** A Secret Manager secret (`secretmanager.SecretIamMember`). */
    secret?: pulumi.Input<string>;
    /** A BigQuery dataset (`bigquery.DatasetIamMember`). */
    dataset?: pulumi.Input<string>;
    /**
     * Another service account, by email or full name (`serviceaccount.IAMMember`): for example
     * `roles/iam.serviceAccountUser` on the one account a deployer must run Cloud Run services
     * as, instead of on every account of the project.
     */
    serviceAccount?: pulumi.Input<string>;
}

/** One grant: a predefined role, or exactly these permissions, on one resource. */
export interface GcpGrant {
    /**
     * A predefined role such as `roles/storage.objectViewer`, checked against Google's role list
     * (an unknown role suggests the closest real names), or an existing custom role
     * (`projects/<p>/roles/<id>`, `organizations/<n>/roles/<id>`). Basic roles (`roles/owner`,
     * `roles/editor`, `roles/viewer`) are refused.
     * @see https://cloud.google.com/iam/docs/understanding-roles
     */
    role?: string;
    /**
     * Exactly these permissions, instead of `role`: the identity gets a project-level custom role
     * holding them, bound at `resource`. Each is checked against the permissions of Google's roles.
     */
    permissions?: string[];
    /** Where the role applies. */
    resource: GcpGrantResource;
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
    acknowledge?: string;
}

export type Scope = keyof GcpGrantResource;
export const SCOPES: readonly Scope[] = ["project", "bucket", "topic", "subscription", "secret", "dataset", "serviceAccount"];

/**
 * Scopes whose allow policies do not accept conditional role bindings, so that `expiresAt` could
 * not be enforced by Google on them. Source: "Resource types that accept conditional role
 * bindings", https://cloud.google.com/iam/docs/resource-types-with-conditional-roles
 */
export const SCOPES_WITHOUT_CONDITIONS: readonly Scope[] = ["topic", "subscription"];

/** Google: a custom role holds at most 3,000 permissions. */
export const MAX_CUSTOM_ROLE_PERMISSIONS = 3_000;

/** A grant with its plain parts validated. */
export interface GcpGrantPlan {
    /** `grants[2]` */
    readonly path: string;
    /** A stable key: scope, target (when known) and role; names the grant's children. */
    readonly key: string;
    readonly scope: Scope;
    /** The project of the resource (the identity's, unless a full resource name says otherwise). */
    readonly project: string;
    /** The resource's short name (bucket, topic, …) or the project ID for `project` scope. */
    readonly target: pulumi.Input<string>;
    /** The predefined or existing custom role; undefined for a `permissions` grant. */
    readonly role?: string;
    /** The sorted permissions of a `permissions` grant. */
    readonly permissions?: readonly string[];
}

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const CUSTOM_ROLE = /^(projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]|organizations\/\d+)\/roles\/[A-Za-z0-9_.]{3,64}$/;
const PERMISSION = /^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+){2,}$/;

/** Full resource names each scope accepts, and the shape of a short name. */
const NAMES: Record<Exclude<Scope, "project">, { full: RegExp; short: RegExp; example: string }> = {
    bucket: { full: /^projects\/_\/buckets\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])$/, short: /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, example: "`invoices` (3–63 lower-case letters, digits, `-`, `_` and `.`; up to 222 with dots)" },
    topic: { full: /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/topics\/([A-Za-z][\w.~+%-]{2,254})$/, short: /^[A-Za-z][\w.~+%-]{2,254}$/, example: "`invoice-events` or `projects/my-project/topics/invoice-events`" },
    subscription: { full: /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/subscriptions\/([A-Za-z][\w.~+%-]{2,254})$/, short: /^[A-Za-z][\w.~+%-]{2,254}$/, example: "`invoice-worker` or `projects/my-project/subscriptions/invoice-worker`" },
    secret: { full: /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/secrets\/([\w-]{1,255})$/, short: /^[\w-]{1,255}$/, example: "`db-password` or `projects/my-project/secrets/db-password`" },
    dataset: { full: /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/datasets\/(\w{1,1024})$/, short: /^\w{1,1024}$/, example: "`analytics` or `projects/my-project/datasets/analytics`" },
    serviceAccount: { full: /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9]|-)\/serviceAccounts\/([^/@\s]+@[a-z0-9.-]+)$/, short: /^[^/@\s]+@[a-z0-9.-]+\.(iam\.)?gserviceaccount\.com$/, example: "`runtime@my-project.iam.gserviceaccount.com`" },
};

/** Why `project` is not a Google Cloud project ID, or undefined. */
export function projectIdProblem(path: string, project: unknown): string | undefined {
    if (typeof project === "string" && PROJECT_ID.test(project)) {
        return undefined;
    }
    return `\`${path}\` must be a project ID: 6–30 lower-case letters, digits and hyphens, starting with a letter, such as \`my-project\`; got ${describe(project)}.`;
}

/**
 * Validates `grants` for an identity in `project`, recording every problem. `expiring` says whether
 * the identity has an expiry, which every binding must then carry as a condition.
 */
export function planGcpGrants(grants: unknown, project: string, expiring: boolean, problems: Problems): GcpGrantPlan[] {
    if (!Array.isArray(grants)) {
        problems.add("grants", `\`grants\` is required and must be a list of grants, each \`{ role, resource }\` or \`{ permissions, resource }\`; got ${describe(grants)}. Use \`[]\` for an identity with no permissions.`);
        return [];
    }
    const plans: GcpGrantPlan[] = [];
    const seen = new Map<string, string>();
    const unknownTargets = new Map<string, number>();
    grants.forEach((grant: GcpGrant, i) => {
        const path = `grants[${i}]`;
        const before = problems.list.length;
        const plan = planGrant(grant, path, project, expiring, problems, unknownTargets);
        if (plan === undefined || problems.list.length !== before) {
            return;
        }
        const first = seen.get(plan.key);
        if (first !== undefined) {
            problems.add(path, `\`${path}\` repeats \`${first}\`: the same ${plan.role === undefined ? "permissions grant" : `\`${plan.role}\``} on the same ${plan.scope}. Merge them into one grant.`);
            return;
        }
        seen.set(plan.key, path);
        plans.push(plan);
    });
    return plans;
}

function planGrant(grant: GcpGrant, path: string, project: string, expiring: boolean, problems: Problems, unknownTargets: Map<string, number>): GcpGrantPlan | undefined {
    if (grant === null || typeof grant !== "object") {
        problems.add(path, `\`${path}\` must be a grant object such as \`{ role: "roles/storage.objectViewer", resource: { bucket: "invoices" } }\`; got ${describe(grant)}.`);
        return undefined;
    }
    const role = planRole(grant, path, problems);
    const permissions = planPermissions(grant, path, problems);
    const where = planResource(grant.resource, `${path}.resource`, project, expiring, problems);
    if (where === undefined || (role === undefined && permissions === undefined)) {
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
        problems.add(path, hasRole
            ? `\`${path}\` gives both \`role\` and \`permissions\`; give exactly one: \`role\` for a predefined role, or \`permissions\` for a custom role holding exactly those permissions.`
            : `\`${path}\` must give \`role\` (a predefined role such as \`roles/storage.objectViewer\`) or \`permissions\` (such as \`["storage.objects.get"]\`).`);
        return undefined;
    }
    if (!hasRole) {
        return undefined;
    }
    const at = `${path}.role`;
    const role = grant.role;
    if (typeof role !== "string" || role === "") {
        problems.add(at, `\`${at}\` must be a role name such as \`roles/storage.objectViewer\`; got ${describe(role)}.`);
        return undefined;
    }
    if (BASIC_ROLES.includes(role)) {
        problems.add(at, `\`${at}\` is the basic role \`${role}\`, which holds thousands of permissions across every service of the project and cannot carry IAM Conditions. Basic roles are refused: grant a predefined role of the service the identity uses, such as \`roles/storage.objectViewer\`, or list \`permissions\`.`);
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
        problems.add(at, `\`${at}\` must list at least one permission such as \`storage.objects.get\`; got ${describe(permissions)}.`);
        return undefined;
    }
    const valid: string[] = [];
    permissions.forEach((p: unknown, j) => {
        const pat = `${at}[${j}]`;
        if (typeof p !== "string" || !PERMISSION.test(p)) {
            problems.add(pat, `\`${pat}\` must be a permission of the form \`service.resource.verb\`, such as \`storage.objects.get\`, without wildcards; got ${describe(p)}.`);
        } else if (!isPermission(p)) {
            problems.add(pat, `\`${pat}\` is not a Google Cloud permission: \`${p}\`.${didYouMean(closestNames(p, permissionNames()))}`);
        } else {
            valid.push(p);
        }
    });
    const unique = [...new Set(valid)].sort();
    if (unique.length > MAX_CUSTOM_ROLE_PERMISSIONS) {
        problems.add(at, `\`${at}\` lists ${unique.length} permissions; a custom role holds at most ${MAX_CUSTOM_ROLE_PERMISSIONS} (Google limit).`);
    }
    return valid.length === permissions.length ? unique : undefined;
}

function planResource(resource: GcpGrantResource | undefined, at: string, project: string, expiring: boolean, problems: Problems): { scope: Scope; project: string; target: pulumi.Input<string> } | undefined {
    const given = resource !== null && typeof resource === "object" ? SCOPES.filter((s) => resource[s] !== undefined) : [];
    if (given.length !== 1) {
        problems.add(at, given.length === 0
            ? `\`${at}\` is required: where the role applies, exactly one of ${oneOf(SCOPES)}.`
            : `\`${at}\` gives ${allOf(given)}; give exactly one scope per grant (one grant per resource).`);
        return undefined;
    }
    const scope = given[0];
    const value = resource![scope]!;
    const path = `${at}.${scope}`;
    if (expiring && SCOPES_WITHOUT_CONDITIONS.includes(scope)) {
        problems.add(path, `\`${path}\`: Pub/Sub ${scope}s do not accept IAM Conditions, so Google could not stop honouring this grant at \`expiresAt\`. Grant the role at \`project\` scope (the condition applies there, to every ${scope} of the project), or remove \`expiresAt\`.`);
        return undefined;
    }
    if (scope === "project") {
        const problem = projectIdProblem(path, value);
        if (problem !== undefined) {
            problems.add(path, problem);
            return undefined;
        }
        return { scope, project: value as string, target: value };
    }
    if (typeof value !== "string") {
        return { scope, project, target: value };
    }
    const names = NAMES[scope];
    const full = names.full.exec(value);
    if (full !== null) {
        return scope === "bucket" ? { scope, project, target: full[1] } : { scope, project: full[1], target: full[2] };
    }
    if (!names.short.test(value)) {
        problems.add(path, `\`${path}\` must be the name of a ${scope}, such as ${names.example}; got ${describe(value)}.`);
        return undefined;
    }
    return { scope, project, target: value };
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
