import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { findRole, roleNames } from "../../components/gcp/catalog";
import { deployTimeGuard } from "../../components/core/deferred";
import { grantTarget } from "../../components/gcp/grants";
import {
    ResourceScope,
    SCOPES,
    parseTarget,
    roleScopeProblem,
    scopesOfRole,
    targetProblem,
} from "../../components/gcp/scopes";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { capture, ofType, valueOf } from "../support/mock-graph";
import { TABLE_NOW } from "../support/bad-input";

const BASE = { project: "acme-prod", owner: "team-reports", purpose: "Renders monthly reports" };
const SUBJECT = 'GcpServiceIdentity "renderer"';

describe("gcp grant scopes: resource names", () => {
    // Each form Google documents or returns, and where it points. `acme-prod` is the identity's project.
    const NAMES: { scope: ResourceScope; value: string; project: string; name: string }[] = [
        { scope: "bucket", value: "reports", project: "acme-prod", name: "reports" },
        {
            scope: "bucket",
            value: "projects/_/buckets/reports.acme.example",
            project: "acme-prod",
            name: "reports.acme.example",
        },
        { scope: "topic", value: "rendered", project: "acme-prod", name: "rendered" },
        { scope: "topic", value: "projects/acme-events/topics/rendered", project: "acme-events", name: "rendered" },
        {
            scope: "subscription",
            value: "projects/acme-events/subscriptions/render-requests",
            project: "acme-events",
            name: "render-requests",
        },
        { scope: "secret", value: "db-password", project: "acme-prod", name: "db-password" },
        {
            scope: "secret",
            value: "projects/acme-shared/secrets/db-password",
            project: "acme-shared",
            name: "db-password",
        },
        // The form Secret Manager returns (`secret.name`): the project NUMBER.
        { scope: "secret", value: "projects/987654321/secrets/db-password", project: "987654321", name: "db-password" },
        { scope: "dataset", value: "projects/acme-data/datasets/finance_eu", project: "acme-data", name: "finance_eu" },
        {
            scope: "serviceAccount",
            value: "runtime@acme-prod.iam.gserviceaccount.com",
            project: "acme-prod",
            name: "runtime@acme-prod.iam.gserviceaccount.com",
        },
        {
            scope: "serviceAccount",
            value: "104200000000000000001",
            project: "acme-prod",
            name: "104200000000000000001",
        },
        {
            scope: "serviceAccount",
            value: "projects/-/serviceAccounts/runtime@acme-prod.iam.gserviceaccount.com",
            project: "-",
            name: "runtime@acme-prod.iam.gserviceaccount.com",
        },
        {
            scope: "serviceAccount",
            value: "projects/acme-ops/serviceAccounts/104200000000000000001",
            project: "acme-ops",
            name: "104200000000000000001",
        },
        // Full resource names, as IAM writes them (Cloud Asset Inventory, Policy Troubleshooter).
        {
            scope: "secret",
            value: "//secretmanager.googleapis.com/projects/987654321/secrets/db-password",
            project: "987654321",
            name: "db-password",
        },
        {
            scope: "bucket",
            value: "//storage.googleapis.com/projects/_/buckets/reports",
            project: "acme-prod",
            name: "reports",
        },
        {
            scope: "topic",
            value: "//pubsub.googleapis.com/projects/acme-events/topics/rendered",
            project: "acme-events",
            name: "rendered",
        },
        {
            scope: "dataset",
            value: "//bigquery.googleapis.com/projects/acme-data/datasets/finance",
            project: "acme-data",
            name: "finance",
        },
        {
            scope: "serviceAccount",
            value: "//iam.googleapis.com/projects/acme-ops/serviceAccounts/runtime@acme-ops.iam.gserviceaccount.com",
            project: "acme-ops",
            name: "runtime@acme-ops.iam.gserviceaccount.com",
        },
    ];
    for (const n of NAMES) {
        it(`reads ${n.scope} \`${n.value}\``, () => {
            assert.deepStrictEqual(parseTarget(n.scope, n.value, "acme-prod"), { project: n.project, name: n.name });
            assert.strictEqual(targetProblem(n.scope, "x", n.value), undefined);
        });
    }

    // Forms Google does not take: Pub/Sub and BigQuery name projects by ID; IAM by ID or `-`.
    const REFUSED: { scope: ResourceScope; value: string }[] = [
        { scope: "topic", value: "projects/987654321/topics/rendered" },
        { scope: "subscription", value: "projects/987654321/subscriptions/render-requests" },
        { scope: "dataset", value: "projects/987654321/datasets/finance" },
        {
            scope: "serviceAccount",
            value: "projects/987654321/serviceAccounts/runtime@acme-prod.iam.gserviceaccount.com",
        },
        { scope: "bucket", value: "projects/acme-prod/buckets/reports" },
        { scope: "secret", value: "projects/acme-prod/secrets/db-password/versions/1" },
        { scope: "secret", value: "//pubsub.googleapis.com/projects/acme-prod/topics/db-password" },
        { scope: "topic", value: "//pubsub.googleapis.com/rendered" },
    ];
    for (const r of REFUSED) {
        it(`refuses ${r.scope} \`${r.value}\``, () => {
            assert.strictEqual(parseTarget(r.scope, r.value, "acme-prod"), undefined);
            assert.match(
                targetProblem(r.scope, "x", r.value)!,
                new RegExp(`^\`x\` must be the name of a .*; got \`${r.value.replace(/[/.]/g, "\\$&")}\`\\.$`),
            );
        });
    }

    it("keys a grant on a secret named with its project number by that number and the secret ID", () => {
        // The key names the custom role of a permissions grant (`customRoleId`): it must not move
        // while the grant does not; the binding's child name is checked below.
        const plan = planGcpServiceIdentity(
            "renderer",
            {
                ...BASE,
                grants: [
                    {
                        role: "roles/secretmanager.secretAccessor",
                        resource: { secret: "projects/987654321/secrets/db-password" },
                    },
                    {
                        permissions: ["secretmanager.versions.access"],
                        resource: { secret: "projects/987654321/secrets/db-password" },
                    },
                ],
            },
            TABLE_NOW,
        );
        assert.deepStrictEqual(
            plan.grants.map((g) => g.key),
            ["secret|987654321/db-password|roles/secretmanager.secretAccessor", "secret|987654321/db-password|custom"],
        );
    });
});

describe("gcp grant scopes: a resource judged the same as a string or a resolved Output", () => {
    const VALUES: { scope: ResourceScope; value: string }[] = [
        { scope: "secret", value: "projects/987654321/secrets/db-password" },
        { scope: "secret", value: "projects/acme-prod/secrets/db password" },
        { scope: "topic", value: "projects/987654321/topics/rendered" },
        { scope: "topic", value: "projects/acme-events/topics/rendered" },
        { scope: "bucket", value: "Reports!" },
        { scope: "bucket", value: "gs://reports" },
        { scope: "dataset", value: "projects/acme-data/datasets/finance" },
        { scope: "serviceAccount", value: "runtime" },
        {
            scope: "serviceAccount",
            value: "projects/acme-prod/serviceAccounts/runtime@acme-prod.iam.gserviceaccount.com",
        },
    ];
    const role: Record<ResourceScope, string> = {
        bucket: "roles/storage.objectViewer",
        topic: "roles/pubsub.publisher",
        subscription: "roles/pubsub.subscriber",
        secret: "roles/secretmanager.secretAccessor",
        dataset: "roles/bigquery.dataViewer",
        serviceAccount: "roles/iam.serviceAccountUser",
    };
    for (const v of VALUES) {
        it(`${v.scope} \`${v.value}\``, async () => {
            // GIVEN the same value once as a string, once as an Output
            const grant = (value: pulumi.Input<string>) => ({
                ...BASE,
                grants: [{ role: role[v.scope], resource: { [v.scope]: value } as unknown as gcp.GcpGrantResource }],
            });
            let now: unknown;
            try {
                planGcpServiceIdentity("renderer", grant(v.value), TABLE_NOW);
            } catch (e: any) {
                now = e.errors;
            }
            // WHEN the Output's grant is planned (it passes: the value is unknown) and its target resolves
            const plan = planGcpServiceIdentity("renderer", grant(pulumi.output(v.value)), TABLE_NOW);
            const target = grantTarget(plan.grants[0], deployTimeGuard(SUBJECT, undefined, plan.later));
            let later: unknown;
            const resolved = await valueOf(pulumi.output(target.name)).catch((e: any) => {
                later = e.errors;
                assert.strictEqual(
                    e.message,
                    `${SUBJECT} has 1 invalid argument:\n  - ${e.errors[0].propertyPath}: ${e.errors[0].reason}`,
                );
            });
            // THEN both are refused with the same problem, or both accepted with the same target
            assert.deepStrictEqual(later, now);
            if (now === undefined) {
                assert.strictEqual(resolved, parseTarget(v.scope, v.value, "acme-prod")!.name);
                assert.strictEqual(
                    await valueOf(pulumi.output(target.project)),
                    parseTarget(v.scope, v.value, "acme-prod")!.project,
                );
            }
        });
    }

    it("binds a secret whose full name arrives as an Output to the project and secret it names", async () => {
        // GIVEN a secret's `name` output, which Google returns with the project number
        const secretName = pulumi.output("projects/987654321/secrets/db-password");
        const { resources } = await capture(
            () =>
                new gcp.ServiceIdentity("secret-reader", {
                    ...BASE,
                    grants: [{ role: "roles/secretmanager.secretAccessor", resource: { secret: secretName } }],
                }),
        );
        // THEN the binding receives the checked value, split into project and secret ID
        const [binding] = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember");
        assert.strictEqual(binding.name, "secret-reader-secret-1-secretmanager.secretAccessor");
        assert.deepStrictEqual(binding.inputs, {
            project: "987654321",
            secretId: "db-password",
            role: "roles/secretmanager.secretAccessor",
            member: "serviceAccount:secret-reader@acme-prod.iam.gserviceaccount.com",
        });
    });

    it("binds a secret named with its project number, as a string, the same way", async () => {
        const { resources } = await capture(
            () =>
                new gcp.ServiceIdentity("secret-reader-2", {
                    ...BASE,
                    grants: [
                        {
                            role: "roles/secretmanager.secretAccessor",
                            resource: { secret: "projects/987654321/secrets/db-password" },
                        },
                    ],
                }),
        );
        const [binding] = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember");
        assert.strictEqual(binding.name, "secret-reader-2-secret-db-password-secretmanager.secretAccessor");
        assert.deepStrictEqual([binding.inputs.project, binding.inputs.secretId], ["987654321", "db-password"]);
    });

    it("binds another service account given as an Output full name by that name, as its relative name", async () => {
        const { resources } = await capture(
            () =>
                new gcp.ServiceIdentity("deployer-x", {
                    ...BASE,
                    grants: [
                        {
                            role: "roles/iam.serviceAccountUser",
                            resource: {
                                serviceAccount: pulumi.output(
                                    "projects/acme-ops/serviceAccounts/runtime@acme-ops.iam.gserviceaccount.com",
                                ),
                            },
                        },
                        {
                            role: "roles/iam.serviceAccountTokenCreator",
                            resource: {
                                serviceAccount:
                                    "//iam.googleapis.com/projects/acme-ops/serviceAccounts/runtime@acme-ops.iam.gserviceaccount.com",
                            },
                        },
                    ],
                }),
        );
        const bindings = ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember")
            .map((b) => [b.inputs.role, b.inputs.serviceAccountId])
            .sort();
        assert.deepStrictEqual(bindings, [
            [
                "roles/iam.serviceAccountTokenCreator",
                "projects/acme-ops/serviceAccounts/runtime@acme-ops.iam.gserviceaccount.com",
            ],
            [
                "roles/iam.serviceAccountUser",
                "projects/acme-ops/serviceAccounts/runtime@acme-ops.iam.gserviceaccount.com",
            ],
        ]);
    });
});

describe("gcp grant scopes: roles on the resource they are bound to (whole catalogue)", () => {
    // Each resource scope and the prefix of the roles of its own service.
    const OWN: Record<ResourceScope, string> = {
        bucket: "roles/storage.",
        topic: "roles/pubsub.",
        subscription: "roles/pubsub.",
        secret: "roles/secretmanager.",
        dataset: "roles/bigquery.",
        serviceAccount: "roles/iam.serviceAccount",
    };
    // Roles of a service that hold none of its resources' permissions: service agents and bindings
    // of other resource types, which Google does not list as grantable on that resource either.
    const NOT_ON_OWN_RESOURCE = new Set(["topic roles/pubsub.serviceAgent", "subscription roles/pubsub.serviceAgent"]);

    for (const scope of SCOPES.filter((s): s is ResourceScope => s !== "project")) {
        it(`accepts every ${OWN[scope]}* role on a ${scope} (a property of the catalogue)`, () => {
            const own = [...roleNames()].filter((r) => r.startsWith(OWN[scope]));
            assert.ok(own.length >= 5, `${scope}: only ${own.length} roles`);
            const refused = own.filter((r) => roleScopeProblem("role", r, scope) !== undefined);
            assert.deepStrictEqual(
                refused.map((r) => `${scope} ${r}`),
                own.map((r) => `${scope} ${r}`).filter((r) => NOT_ON_OWN_RESOURCE.has(r)),
            );
        });
    }

    it("accepts the roles Google documents as grantable on a service account", () => {
        // https://cloud.google.com/iam/docs/service-account-permissions (roles for managing and impersonating)
        for (const role of [
            "roles/iam.serviceAccountUser",
            "roles/iam.serviceAccountTokenCreator",
            "roles/iam.workloadIdentityUser",
            "roles/iam.serviceAccountAdmin",
            "roles/iam.serviceAccountKeyAdmin",
            "roles/iam.serviceAccountOpenIdTokenCreator",
        ]) {
            assert.strictEqual(roleScopeProblem("role", role, "serviceAccount"), undefined, role);
        }
    });

    it("accepts any role at project scope, and refuses a role exactly when none of its permissions is of the resource's service", () => {
        const prefix: Record<ResourceScope, string> = {
            bucket: "storage.",
            topic: "pubsub.",
            subscription: "pubsub.",
            secret: "secretmanager.",
            dataset: "bigquery.",
            serviceAccount: "iam.serviceAccount",
        };
        for (const role of roleNames()) {
            assert.strictEqual(roleScopeProblem("role", role, "project"), undefined);
            for (const scope of Object.keys(prefix) as ResourceScope[]) {
                const holds = findRole(role)!.permissions.some((p) => p.startsWith(prefix[scope]));
                assert.strictEqual(roleScopeProblem("role", role, scope) === undefined, holds, `${role} on ${scope}`);
            }
        }
    });

    it("suggests, for a role refused on a resource, a scope where it is accepted", () => {
        for (const role of roleNames()) {
            for (const scope of Object.keys(OWN) as ResourceScope[]) {
                const problem = roleScopeProblem("role", role, scope);
                if (problem === undefined) {
                    continue;
                }
                const suggested = [...problem.matchAll(/`resource: \{ (\w+): … \}`/g)].map((m) => m[1]);
                assert.ok(suggested.length > 0, `${role} on ${scope}: ${problem}`);
                assert.deepStrictEqual(
                    suggested,
                    scopesOfRole(role).length === 0 ? ["project"] : [...scopesOfRole(role)],
                    `${role} on ${scope}`,
                );
                for (const s of suggested) {
                    assert.strictEqual(
                        roleScopeProblem("role", role, s as ResourceScope),
                        undefined,
                        `${role}: suggested ${s}`,
                    );
                }
            }
        }
    });
});
