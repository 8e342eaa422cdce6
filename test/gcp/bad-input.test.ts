import * as assert from "assert";
import { gcp } from "../../components";
import { permissionNames } from "../../components/gcp/catalog";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { BadInput, TABLE_NOW, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";

const base: any = {
    project: "acme-prod",
    owner: "team-payments",
    purpose: "Renders reports",
    grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "reports" } }],
};

/** Each bad input a new user might try, with the exact problem reported. */
const BAD_INPUTS: BadInput[] = [
    {
        what: "empty owner",
        args: { ...base, owner: "" },
        path: "owner",
        reason: "`owner` is required and must be a non-empty string (the team or person who answers for this identity); got an empty string.",
    },
    {
        what: "empty purpose",
        args: { ...base, purpose: "" },
        path: "purpose",
        reason: "`purpose` is required and must be a non-empty string (why this identity exists); got an empty string.",
    },
    {
        what: "empty project",
        args: { ...base, project: "" },
        path: "project",
        reason: "`project` is required: the ID of the project that holds the service account, such as `my-project`; got an empty string.",
    },
    {
        what: "project that is not a project ID",
        args: { ...base, project: "Acme Prod" },
        path: "project",
        reason: "`project` must be a project ID: 6\u201330 lower-case letters, digits and hyphens, starting with a letter, such as `my-project`; got `Acme Prod`.",
    },
    {
        what: "basic role",
        args: { ...base, grants: [{ role: "roles/editor", resource: { project: "acme-prod" } }] },
        path: "grants[0].role",
        reason: "`grants[0].role` is the basic role `roles/editor`, which holds thousands of permissions across every service of the project and cannot carry IAM Conditions. Basic roles are refused: grant a predefined role of the service the identity uses, such as `roles/storage.objectViewer`, or list `permissions`.",
    },
    {
        what: "unknown role",
        args: { ...base, grants: [{ role: "roles/storage.objectViwer", resource: { bucket: "reports" } }] },
        path: "grants[0].role",
        reason: "`grants[0].role` is not a predefined Google Cloud role: `roles/storage.objectViwer`. Did you mean `roles/storage.objectViewer`, `roles/storage.objectUser` or `roles/storage.objectAdmin`?",
    },
    {
        what: "role without the roles/ prefix",
        args: { ...base, grants: [{ role: "storage.objectViewer", resource: { bucket: "reports" } }] },
        path: "grants[0].role",
        reason: "`grants[0].role` is not a predefined Google Cloud role: `storage.objectViewer`. Did you mean `roles/storage.objectViewer`?",
    },
    {
        what: "unknown permission",
        args: { ...base, grants: [{ permissions: ["storage.object.get"], resource: { bucket: "reports" } }] },
        path: "grants[0].permissions[0]",
        reason: "`grants[0].permissions[0]` is not a Google Cloud permission: `storage.object.get`. Did you mean `storage.objects.get`, `storage.objects.list` or `storage.folders.get`?",
    },
    {
        what: "wildcard permission",
        args: { ...base, grants: [{ permissions: ["storage.objects.*"], resource: { bucket: "reports" } }] },
        path: "grants[0].permissions[0]",
        reason: "`grants[0].permissions[0]` must be a permission of the form `service.resource.verb`, such as `storage.objects.get`, without wildcards; got `storage.objects.*`.",
    },
    {
        what: "more permissions than a custom role holds",
        args: {
            ...base,
            grants: [
                {
                    permissions: [...permissionNames()]
                        .filter((p) => /^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+){2,}$/.test(p))
                        .slice(0, 3_001),
                    resource: { project: "acme-prod" },
                },
            ],
        },
        path: "grants[0].permissions",
        reason: "`grants[0].permissions` lists 3001 permissions; a custom role holds at most 3000 (Google limit).",
    },
    {
        what: "grant with both role and permissions",
        args: {
            ...base,
            grants: [
                {
                    role: "roles/storage.objectViewer",
                    permissions: ["storage.objects.get"],
                    resource: { bucket: "reports" },
                },
            ],
        },
        path: "grants[0]",
        reason: "`grants[0]` gives both `role` and `permissions`; give exactly one: `role` for a predefined role, or `permissions` for a custom role holding exactly those permissions.",
    },
    {
        what: "grant with neither role nor permissions",
        args: { ...base, grants: [{ resource: { bucket: "reports" } }] },
        path: "grants[0]",
        reason: '`grants[0]` must give `role` (a predefined role such as `roles/storage.objectViewer`) or `permissions` (such as `["storage.objects.get"]`).',
    },
    {
        what: "grant with no resource",
        args: { ...base, grants: [{ role: "roles/storage.objectViewer" }] },
        path: "grants[0].resource",
        reason: "`grants[0].resource` is required: where the role applies, exactly one of `project`, `bucket`, `topic`, `subscription`, `secret`, `dataset` or `serviceAccount`.",
    },
    {
        what: "grant whose resource is a bare name",
        args: { ...base, grants: [{ role: "roles/storage.objectViewer", resource: "reports" }] },
        path: "grants[0].resource",
        reason: '`grants[0].resource` must be an object naming exactly one of `project`, `bucket`, `topic`, `subscription`, `secret`, `dataset` or `serviceAccount`, such as `{ bucket: "invoices" }`; got `reports`.',
    },
    {
        what: "grant with two scopes",
        args: {
            ...base,
            grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "reports", project: "acme-prod" } }],
        },
        path: "grants[0].resource",
        reason: "`grants[0].resource` gives `project` and `bucket`; give exactly one scope per grant (one grant per resource).",
    },
    {
        what: "bucket name Google refuses",
        args: { ...base, grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "Reports!" } }] },
        path: "grants[0].resource.bucket",
        reason: "`grants[0].resource.bucket` must be the name of a bucket, such as `invoices` (3\u201363 lower-case letters, digits, `-`, `_` and `.`; up to 222 with dots); got `Reports!`.",
    },
    {
        what: "bucket given as its gs:// URL",
        args: { ...base, grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "gs://reports" } }] },
        path: "grants[0].resource.bucket",
        reason: "`grants[0].resource.bucket` must be the name of a bucket, such as `invoices` (3\u201363 lower-case letters, digits, `-`, `_` and `.`; up to 222 with dots); got `gs://reports`. Did you mean `reports`?",
    },
    {
        what: "grant repeated",
        args: { ...base, grants: [base.grants[0], base.grants[0]] },
        path: "grants[1]",
        reason: "`grants[1]` repeats `grants[0]`: the same `roles/storage.objectViewer` on the same bucket. Merge them into one grant.",
    },
    {
        what: "expiring grant on a Pub/Sub subscription",
        args: {
            ...base,
            expiresAt: "2099-01-01T00:00:00Z",
            grants: [{ role: "roles/pubsub.subscriber", resource: { subscription: "reports" } }],
        },
        path: "grants[0].resource.subscription",
        reason: "`grants[0].resource.subscription`: Pub/Sub subscriptions do not accept IAM Conditions, so Google could not stop honouring this grant at `expiresAt`. Grant the role at `project` scope (the condition applies there, to every subscription of the project), or remove `expiresAt`.",
    },
    {
        what: "accountId too short",
        args: { ...base, accountId: "sa" },
        path: "accountId",
        reason: "`accountId` must be 6\u201330 characters: a lower-case letter, then lower-case letters, digits and hyphens, not ending with a hyphen; got `sa`.",
    },
    {
        what: "accountId with upper case",
        args: { ...base, accountId: "Report-Renderer" },
        path: "accountId",
        reason: "`accountId` must be 6\u201330 characters: a lower-case letter, then lower-case letters, digits and hyphens, not ending with a hyphen; got `Report-Renderer`. Did you mean `report-renderer`?",
    },
    {
        what: "name that derives to a bad accountId",
        name: "report-renderer-for-the-finance-team-eu",
        args: base,
        path: "accountId",
        reason: "`name` `report-renderer-for-the-finance-team-eu` gives the service account ID `report-renderer-for-the-finance-team-eu`, which must be 6\u201330 characters: a lower-case letter, then lower-case letters, digits and hyphens, not ending with a hyphen. Give `accountId` explicitly, such as `report-renderer-for-the-financ`.",
    },
    {
        what: "expiresAt in the past",
        args: { ...base, expiresAt: "2020-01-01T00:00:00Z" },
        path: "expiresAt",
        reason: "`expiresAt` is in the past: `2020-01-01T00:00:00Z` is before now (2026-11-25T00:00:00Z). Give a future instant, or remove the identity if it is no longer needed.",
    },
    {
        what: "expiresAt not a date",
        args: { ...base, expiresAt: "2027-01-31" },
        path: "expiresAt",
        reason: "`expiresAt` must be an ISO-8601 instant with a time zone, such as `2027-01-31T00:00:00Z`; got `2027-01-31`.",
    },
    {
        what: "GitHub repository not owner/repo",
        args: { ...base, trust: { githubActions: { repository: "reports", environment: "production" } } },
        path: "trust.githubActions.repository",
        reason: "`trust.githubActions.repository` must be one GitHub repository written `owner/repo`, without wildcards; got `reports`.",
    },
    {
        what: "GitHub repository with a wildcard",
        args: { ...base, trust: { githubActions: { repository: "acme/*", environment: "production" } } },
        path: "trust.githubActions.repository",
        reason: "`trust.githubActions.repository` must be one GitHub repository written `owner/repo`, without wildcards; got `acme/*`.",
    },
    {
        what: "GitHub trust pinning nothing",
        args: { ...base, trust: { githubActions: { repository: "acme/reports" } } },
        path: "trust.githubActions",
        reason: "`trust.githubActions` must pin at least one of `environment` or `ref`; an identity that any workflow run of the repository can use (every branch, every pull request) is refused.",
    },
    {
        what: "malformed workload identity pool",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repository: "acme/reports",
                    environment: "production",
                    workloadIdentityPool: "github-pool",
                },
            },
        },
        path: "trust.githubActions.workloadIdentityPool",
        reason: "`trust.githubActions.workloadIdentityPool` must be the full name of a Workload Identity pool, `projects/<project number>/locations/global/workloadIdentityPools/<pool id>`; got `github-pool`.",
    },
    {
        what: "two trust kinds",
        args: {
            ...base,
            trust: {
                githubActions: { repository: "acme/reports", environment: "production" },
                gkeWorkload: { namespace: "reports", serviceAccount: "renderer" },
            },
        },
        path: "trust",
        reason: "`trust` gives `githubActions` and `gkeWorkload`; give at most one of `githubActions` or `gkeWorkload` per identity (declare one identity per workload).",
    },
    {
        what: "GKE service account with a wildcard",
        args: { ...base, trust: { gkeWorkload: { namespace: "reports", serviceAccount: "*" } } },
        path: "trust.gkeWorkload.serviceAccount",
        reason: "`trust.gkeWorkload.serviceAccount` must be a Kubernetes name (lower-case letters, digits, `-` and `.`, at most 253 characters), without wildcards; got `*`.",
    },
    {
        what: "purpose too long for the description",
        args: { ...base, purpose: "Renders the monthly finance reports ".repeat(6) },
        path: "purpose",
        reason: "`purpose` is 215 bytes, too long for the service account's description, which holds at most 256 bytes (Google limit) and leaves 206 of them for `owner` and `purpose` together. Shorten `purpose` to at most 193 bytes.",
    },
    {
        what: "owner too long for the description on its own",
        args: { ...base, owner: "team-payments-".repeat(16) },
        path: "owner",
        reason: "`owner` is 224 bytes, too long for the service account's description, which holds at most 256 bytes (Google limit) and leaves 206 of them for `owner` and `purpose` together. Shorten `owner` to at most 191 bytes.",
    },
    {
        what: "owner and purpose too long together, each fitting alone",
        args: { ...base, owner: "o".repeat(90), purpose: "p".repeat(120) },
        path: "purpose",
        reason: "`purpose` (120 bytes) and `owner` (90 bytes) are together 4 bytes too long for the service account's description, which holds at most 256 bytes (Google limit) and leaves 206 of them for `owner` and `purpose` together. Shorten `purpose` or `owner`.",
    },
    {
        what: "Secret Manager role on a bucket",
        args: { ...base, grants: [{ role: "roles/secretmanager.secretAccessor", resource: { bucket: "reports" } }] },
        path: "grants[0].role",
        reason: "`grants[0].role`: `roles/secretmanager.secretAccessor` does not apply to a bucket: none of its permissions is in `storage.*` (it holds `resourcemanager.*` and `secretmanager.*`). Bind it with `resource: { secret: … }`.",
    },
    {
        what: "Pub/Sub role on a secret",
        args: { ...base, grants: [{ role: "roles/pubsub.publisher", resource: { secret: "db-password" } }] },
        path: "grants[0].role",
        reason: "`grants[0].role`: `roles/pubsub.publisher` does not apply to a secret: none of its permissions is in `secretmanager.*` (it holds `pubsub.*`). Bind it with `resource: { topic: … }` or `resource: { subscription: … }`.",
    },
    {
        what: "storage role on a service account",
        args: {
            ...base,
            grants: [
                {
                    role: "roles/storage.objectViewer",
                    resource: { serviceAccount: "runtime@acme-prod.iam.gserviceaccount.com" },
                },
            ],
        },
        path: "grants[0].role",
        reason: "`grants[0].role`: `roles/storage.objectViewer` does not apply to a service account: none of its permissions is in `iam.serviceAccount*` (it holds `storage.*` and `resourcemanager.*`). Bind it with `resource: { bucket: … }`.",
    },
    {
        what: "service account role on a dataset",
        args: { ...base, grants: [{ role: "roles/iam.serviceAccountUser", resource: { dataset: "analytics" } }] },
        path: "grants[0].role",
        reason: "`grants[0].role`: `roles/iam.serviceAccountUser` does not apply to a dataset: none of its permissions is in `bigquery.*` (it holds `iam.*` and `resourcemanager.*`). Bind it with `resource: { serviceAccount: … }`.",
    },
    {
        what: "role of a service with no resource scope, on a bucket",
        args: { ...base, grants: [{ role: "roles/run.developer", resource: { bucket: "reports" } }] },
        path: "grants[0].role",
        reason: "`grants[0].role`: `roles/run.developer` does not apply to a bucket: none of its permissions is in `storage.*` (it holds `run.*`, `recommender.*` and `resourcemanager.*`). Bind it with `resource: { project: … }`.",
    },
    {
        what: "permission of another service on a bucket",
        args: {
            ...base,
            grants: [
                {
                    permissions: ["storage.objects.get", "secretmanager.versions.access"],
                    resource: { bucket: "reports" },
                },
            ],
        },
        path: "grants[0].permissions[1]",
        reason: "`grants[0].permissions[1]`: `secretmanager.versions.access` does not apply to a bucket, which holds only `storage.*` permissions. Bind it in a grant of its own with `resource: { secret: … }`.",
    },
    {
        what: "permission that applies only at project scope, on a secret",
        args: { ...base, grants: [{ permissions: ["run.services.get"], resource: { secret: "db-password" } }] },
        path: "grants[0].permissions[0]",
        reason: "`grants[0].permissions[0]`: `run.services.get` does not apply to a secret, which holds only `secretmanager.*` permissions. Bind it in a grant of its own with `resource: { project: … }`.",
    },
    {
        what: "topic named with a project number, which Pub/Sub does not take",
        args: {
            ...base,
            grants: [
                { role: "roles/pubsub.publisher", resource: { topic: "projects/987654321/topics/invoice-events" } },
            ],
        },
        path: "grants[0].resource.topic",
        reason: "`grants[0].resource.topic` must be the name of a topic, such as `invoice-events` or `projects/my-project/topics/invoice-events`; got `projects/987654321/topics/invoice-events`.",
    },
    {
        what: "secret name Google refuses",
        args: {
            ...base,
            grants: [
                {
                    role: "roles/secretmanager.secretAccessor",
                    resource: { secret: "projects/acme-prod/secrets/db password" },
                },
            ],
        },
        path: "grants[0].resource.secret",
        reason: "`grants[0].resource.secret` must be the name of a secret, such as `db-password`, `projects/my-project/secrets/db-password` or `projects/987654321/secrets/db-password`; got `projects/acme-prod/secrets/db password`.",
    },
    {
        what: "service account that is not an email, unique ID or full name",
        args: { ...base, grants: [{ role: "roles/iam.serviceAccountUser", resource: { serviceAccount: "runtime" } }] },
        path: "grants[0].resource.serviceAccount",
        reason: "`grants[0].resource.serviceAccount` must be the name of a service account, such as `runtime@my-project.iam.gserviceaccount.com`, its unique ID or `projects/-/serviceAccounts/runtime@my-project.iam.gserviceaccount.com`; got `runtime`.",
    },
    {
        what: "trust that is not an object",
        args: { ...base, trust: "githubActions" },
        path: "trust",
        reason: '`trust` must be an object giving one of `githubActions` or `gkeWorkload`, such as `{ githubActions: { repository: "acme/reports", environment: "production" } }`, or be left out; got `githubActions`.',
    },
    {
        what: "bucket that is neither a string nor an Output",
        args: { ...base, grants: [{ role: "roles/storage.objectViewer", resource: { bucket: 42 } }] },
        path: "grants[0].resource.bucket",
        reason: "`grants[0].resource.bucket` must be the name of a bucket, such as `invoices` (3\u201363 lower-case letters, digits, `-`, `_` and `.`; up to 222 with dots); got number `42`.",
    },
    {
        what: "workload identity pool that is neither a string nor an Output",
        args: {
            ...base,
            trust: {
                githubActions: { repository: "acme/reports", environment: "production", workloadIdentityPool: 42 },
            },
        },
        path: "trust.githubActions.workloadIdentityPool",
        reason: "`trust.githubActions.workloadIdentityPool` must be the full name of a Workload Identity pool, `projects/<project number>/locations/global/workloadIdentityPools/<pool id>`; got number `42`.",
    },
    {
        what: "trust kind that is not an object",
        args: { ...base, trust: { gkeWorkload: null } },
        path: "trust.gkeWorkload",
        reason: '`trust.gkeWorkload` must be an object such as `{ namespace: "reports", serviceAccount: "renderer" }`; got null.',
    },
];

describe("gcp.ServiceIdentity bad input", () => {
    itRefusesEach(BAD_INPUTS, "GcpServiceIdentity", "report-renderer", planGcpServiceIdentity);

    itRegistersNothingWhenRefused(
        () =>
            new gcp.ServiceIdentity("rejected-sa", {
                ...base,
                grants: [{ role: "roles/editor", resource: { project: "acme-prod" } }],
            }),
    );

    it("blames both owner and purpose when each alone is too long for the description", () => {
        // GIVEN an owner and a purpose each longer than the description leaves for the two
        const args = { ...base, owner: "o".repeat(210), purpose: "p".repeat(220) };
        // THEN each is named, and told the other must shrink too
        assert.throws(
            () => planGcpServiceIdentity("report-renderer", args, TABLE_NOW),
            (e: any) => {
                const limit =
                    "too long for the service account's description, which holds at most 256 bytes (Google limit) and leaves 206 of them for `owner` and `purpose` together.";
                assert.deepStrictEqual(e.errors, [
                    {
                        propertyPath: "owner",
                        reason: `\`owner\` is 210 bytes, ${limit} Shorten \`owner\`, and \`purpose\` too.`,
                    },
                    {
                        propertyPath: "purpose",
                        reason: `\`purpose\` is 220 bytes, ${limit} Shorten \`purpose\`, and \`owner\` too.`,
                    },
                ]);
                return true;
            },
        );
    });

    it("reports every problem at once", () => {
        const args = {
            ...base,
            owner: "",
            accountId: "x",
            grants: [
                { role: "roles/owner", resource: { project: "acme-prod" } },
                { permissions: ["storage.objekts.get"], resource: { bucket: "reports" } },
            ],
        };
        assert.throws(
            () => planGcpServiceIdentity("report-renderer", args, TABLE_NOW),
            (e: any) => {
                assert.deepStrictEqual(
                    e.errors.map((p: any) => p.propertyPath),
                    ["owner", "accountId", "grants[0].role", "grants[1].permissions[0]"],
                );
                return true;
            },
        );
    });
});
