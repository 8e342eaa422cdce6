import * as pulumi from "@pulumi/pulumi";
import { allOf, describe } from "../core/errors";
import { findRole } from "./catalog";

/**
 * Where a Google grant can apply: the scopes, the resource names each accepts, and which
 * permissions each can hold. Pure functions of plain strings, so that a value is judged the same
 * way whether it was given as a string or resolved from an Output at deploy time.
 */

/** The scopes a grant can name, widest first. */
export type Scope = "project" | "bucket" | "topic" | "subscription" | "secret" | "dataset" | "serviceAccount";
/** Every scope but `project`: a single resource of one service. */
export type ResourceScope = Exclude<Scope, "project">;

export const SCOPES: readonly Scope[] = [
    "project",
    "bucket",
    "topic",
    "subscription",
    "secret",
    "dataset",
    "serviceAccount",
];

/**
 * Scopes whose allow policies do not accept conditional role bindings, so that `expiresAt` could
 * not be enforced by Google on them. Source: "Resource types that accept conditional role
 * bindings", https://cloud.google.com/iam/docs/resource-types-with-conditional-roles
 */
export const SCOPES_WITHOUT_CONDITIONS: readonly Scope[] = ["topic", "subscription"];

/** Google: a project ID is 6–30 lower-case letters, digits and hyphens, starting with a letter. */
const PROJECT_ID = "[a-z][a-z0-9-]{4,28}[a-z0-9]";
/** A project number, as the APIs that return numbers write it (`987654321`). */
const PROJECT_NUMBER = "[1-9]\\d{0,19}";

/**
 * The resource names each scope accepts (relative, or full with the service's `//<host>/` before
 * them, see {@link relativeName}), and the shape of a short name. The project part of a name takes
 * the forms the service documents and returns:
 * - Cloud Storage: `projects/_/buckets/<name>`, the project always `_`.
 *   https://cloud.google.com/iam/docs/full-resource-names
 * - Pub/Sub: `projects/<project ID>/topics/<t>`, `…/subscriptions/<s>`; Pub/Sub names projects by ID
 *   (`ListTopics`: "Format is `projects/{project-id}`"), and `Topic.name` is returned so.
 *   https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics
 * - Secret Manager: `projects/*\/secrets/*`, the project by ID or number; `Secret.name` (and the
 *   `name` output of `gcp.secretmanager.Secret`) is returned with the project NUMBER.
 *   https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets
 * - BigQuery: `projects/<project ID>/datasets/<d>`; `datasets.get` takes "Project ID of the
 *   requested dataset". https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets/get
 * - IAM: `projects/{PROJECT_ID}/serviceAccounts/{ACCOUNT}`: "Using `-` as a wildcard for the
 *   PROJECT_ID will infer the project from the account. The ACCOUNT value can be the email address
 *   or the unique_id of the service account."
 *   https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/get
 */
const NAMES: Record<ResourceScope, { full: RegExp; short: RegExp; example: string }> = {
    bucket: {
        full: /^projects\/(_)\/buckets\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])$/,
        short: /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/,
        example: "`invoices` (3–63 lower-case letters, digits, `-`, `_` and `.`; up to 222 with dots)",
    },
    topic: {
        full: new RegExp(`^projects/(${PROJECT_ID})/topics/([A-Za-z][\\w.~+%-]{2,254})$`),
        short: /^[A-Za-z][\w.~+%-]{2,254}$/,
        example: "`invoice-events` or `projects/my-project/topics/invoice-events`",
    },
    subscription: {
        full: new RegExp(`^projects/(${PROJECT_ID})/subscriptions/([A-Za-z][\\w.~+%-]{2,254})$`),
        short: /^[A-Za-z][\w.~+%-]{2,254}$/,
        example: "`invoice-worker` or `projects/my-project/subscriptions/invoice-worker`",
    },
    secret: {
        full: new RegExp(`^projects/(${PROJECT_ID}|${PROJECT_NUMBER})/secrets/([\\w-]{1,255})$`),
        short: /^[\w-]{1,255}$/,
        example: "`db-password`, `projects/my-project/secrets/db-password` or `projects/987654321/secrets/db-password`",
    },
    dataset: {
        full: new RegExp(`^projects/(${PROJECT_ID})/datasets/(\\w{1,1024})$`),
        short: /^\w{1,1024}$/,
        example: "`analytics` or `projects/my-project/datasets/analytics`",
    },
    serviceAccount: {
        full: new RegExp(`^projects/(${PROJECT_ID}|-)/serviceAccounts/([^/@\\s]+@[a-z0-9.-]+|\\d{1,30})$`),
        short: /^([^/@\s]+@[a-z0-9.-]+\.(iam\.)?gserviceaccount\.com|\d{1,30})$/,
        example:
            "`runtime@my-project.iam.gserviceaccount.com`, its unique ID or `projects/-/serviceAccounts/runtime@my-project.iam.gserviceaccount.com`",
    },
};

/** The resource a grant names: its project (as the name gives it) and its short name. */
export interface Target {
    /**
     * The project as the full name gives it: an ID, a number (secrets) or `-` (service accounts);
     * the identity's project for a short name and for a bucket, whose full name has none.
     */
    readonly project: string;
    readonly name: string;
}

/**
 * The API host of each scope's full resource names, as IAM writes them
 * (`//secretmanager.googleapis.com/projects/p/secrets/s`):
 * https://cloud.google.com/iam/docs/full-resource-names
 */
const HOSTS: Record<ResourceScope, string> = {
    bucket: "storage.googleapis.com",
    topic: "pubsub.googleapis.com",
    subscription: "pubsub.googleapis.com",
    secret: "secretmanager.googleapis.com",
    dataset: "bigquery.googleapis.com",
    serviceAccount: "iam.googleapis.com",
};

/** `value` without the `//<host>/` of a full resource name of `scope`: the relative name APIs take. */
export function relativeName(scope: ResourceScope, value: string): string {
    const prefix = `//${HOSTS[scope]}/`;
    return value.startsWith(prefix) ? value.slice(prefix.length) : value;
}

/**
 * The project and short name that `value` names at `scope`; a short name belongs to `project`.
 * Undefined when `value` is neither a resource name (relative, or full with the service's host)
 * nor a short name of that scope.
 */
export function parseTarget(scope: ResourceScope, value: string, project: string): Target | undefined {
    const names = NAMES[scope];
    const full = names.full.exec(relativeName(scope, value));
    if (full !== null) {
        return { project: scope === "bucket" ? project : full[1], name: full[2] };
    }
    return names.short.test(value) ? { project, name: value } : undefined;
}

/** Why `value`, given at `path`, names no resource of `scope`; undefined when it names one. */
export function targetProblem(scope: ResourceScope, path: string, value: unknown): string | undefined {
    if (typeof value === "string" && parseTarget(scope, value, "-") !== undefined) {
        return undefined;
    }
    const hint =
        scope === "bucket" &&
        typeof value === "string" &&
        value.startsWith("gs://") &&
        parseTarget(scope, value.slice(5), "-") !== undefined
            ? ` Did you mean \`${value.slice(5)}\`?`
            : "";
    return `\`${path}\` must be the name of a ${NOUNS[scope]}, such as ${NAMES[scope].example}; got ${describe(value)}.${hint}`;
}

/**
 * Whether `value` is a value known only at deploy time (an Output or a promise), to be checked when
 * it resolves; anything else that is not a string is refused at once.
 */
export function isDeferred(value: unknown): value is pulumi.Output<unknown> | Promise<unknown> {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

const NOUNS: Record<ResourceScope, string> = {
    bucket: "bucket",
    topic: "topic",
    subscription: "subscription",
    secret: "secret",
    dataset: "dataset",
    serviceAccount: "service account",
};

/**
 * The permissions a resource of each scope holds: those of its service, by prefix. Google binds on
 * a resource only the roles grantable there ("A role is grantable if the IAM policy for the
 * resource can contain bindings to the role", `roles.queryGrantableRoles`,
 * https://cloud.google.com/iam/docs/reference/rest/v1/roles/queryGrantableRoles), and a role with
 * no permission of the resource's service could grant nothing there anyway. The rule is judged by
 * service, not by resource type, so as never to refuse a role Google accepts: a role holding only
 * `pubsub.topics.publish` is accepted on a subscription too, and a BigQuery role on a dataset.
 */
const SERVICE_PREFIXES: Record<ResourceScope, string> = {
    bucket: "storage.",
    topic: "pubsub.",
    subscription: "pubsub.",
    secret: "secretmanager.",
    dataset: "bigquery.",
    // iam.serviceAccounts.*, iam.serviceAccountKeys.*, iam.serviceAccountApiKeyBindings.*
    serviceAccount: "iam.serviceAccount",
};

const RESOURCE_SCOPES = SCOPES.filter((s): s is ResourceScope => s !== "project");

/** Whether `permission` (`storage.objects.get`) is one a resource of `scope` holds. */
export function appliesTo(scope: ResourceScope, permission: string): boolean {
    return permission.startsWith(SERVICE_PREFIXES[scope]);
}

/** The resource scopes that hold at least one of `permissions`, in {@link SCOPES} order. */
export function scopesHolding(permissions: readonly string[]): ResourceScope[] {
    return RESOURCE_SCOPES.filter((scope) => permissions.some((p) => appliesTo(scope, p)));
}

/**
 * The resource scopes each predefined role applies to, computed on first use of that role: the
 * catalogue never changes within a process, and the largest roles hold over 13,000 permissions.
 */
const roleScopes = new Map<string, readonly ResourceScope[]>();

/** The resource scopes the predefined role `role` holds a permission of. */
export function scopesOfRole(role: string): readonly ResourceScope[] {
    let scopes = roleScopes.get(role);
    if (scopes === undefined) {
        scopes = scopesHolding(findRole(role)?.permissions ?? []);
        roleScopes.set(role, scopes);
    }
    return scopes;
}

/**
 * Why the predefined role `role`, given at `path`, cannot be bound on a resource of `scope` (none
 * of its permissions belongs to the resource's service), with the scopes it does apply to;
 * undefined when it can, and for any role at `project` scope.
 */
export function roleScopeProblem(path: string, role: string, scope: Scope): string | undefined {
    if (scope === "project") {
        return undefined;
    }
    const scopes = scopesOfRole(role);
    if (scopes.includes(scope)) {
        return undefined;
    }
    return `\`${path}\`: \`${role}\` does not apply to a ${NOUNS[scope]}: none of its permissions is in ${heldBy(scope)} (it holds ${servicesOf(findRole(role)?.permissions ?? [])}). ${bindItWith(scopes)}`;
}

/**
 * Why `permission`, listed at `path`, cannot be granted on a resource of `scope`; undefined when
 * it can, and for any permission at `project` scope.
 */
export function permissionScopeProblem(path: string, permission: string, scope: Scope): string | undefined {
    if (scope === "project" || appliesTo(scope, permission)) {
        return undefined;
    }
    return `\`${path}\`: \`${permission}\` does not apply to a ${NOUNS[scope]}, which holds only ${heldBy(scope)} permissions. ${bindItWith(scopesHolding([permission]), " in a grant of its own")}`;
}

/** `storage.*`: the permissions a resource of `scope` holds. */
function heldBy(scope: ResourceScope): string {
    return `\`${SERVICE_PREFIXES[scope]}*\``;
}

/** The services of `permissions`, most permissions first: `run.*`, `iam.*` and 2 other services. */
function servicesOf(permissions: readonly string[]): string {
    const counts = new Map<string, number>();
    for (const p of permissions) {
        const service = `${p.split(".")[0]}.*`;
        counts.set(service, (counts.get(service) ?? 0) + 1);
    }
    const services = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s]) => s);
    return services.length <= MAX_SERVICES_NAMED
        ? allOf(services)
        : `${services
              .slice(0, MAX_SERVICES_NAMED - 1)
              .map((s) => `\`${s}\``)
              .join(", ")} and ${services.length - MAX_SERVICES_NAMED + 1} other services`;
}

/** The services a refusal names before it counts the rest. */
const MAX_SERVICES_NAMED = 4;

/** `Bind it with `resource: { secret: … }`.`: the scopes where a role or permission applies. */
function bindItWith(scopes: readonly ResourceScope[], how = ""): string {
    const where: readonly Scope[] = scopes.length === 0 ? ["project"] : scopes;
    return `Bind it${how} with ${where.map((s) => `\`resource: { ${s}: … }\``).join(" or ")}.`;
}
