import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { customRoleId, deriveAccountId, poolIdPrefix } from "../../components/gcp/service-identity";
import { capture, MOCK_PROJECT_NUMBER, ofType, Registered, valueOf } from "../../components/testing";

const TYPE = "nhi:gcp:ServiceIdentity";
const EXPIRY = "2099-06-30T00:00:00Z";
const CONDITION = {
    title: `expires ${EXPIRY}`,
    description: `Granted by pulumi-nhi until ${EXPIRY}; Google stops honouring the binding then.`,
    expression: `request.time < timestamp("${EXPIRY}")`,
};
const BASE = { project: "acme-prod", owner: "team-reports", purpose: "Renders monthly reports" };

async function declare(name: string, args: gcp.GcpServiceIdentityArgs) {
    const { value, resources } = await capture(() => new gcp.ServiceIdentity(name, args));
    return { identity: value, resources };
}

/** Type and name of each resource, sorted: registration order depends on when inputs resolve. */
function types(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name}`).sort();
}

describe("gcp.ServiceIdentity resources", () => {
    it("creates one keyless service account with its ownership record, children under the component", async () => {
        // GIVEN an account for a Cloud Run service (no trust) reading one bucket until mid-2099
        const { identity, resources } = await declare("report-renderer", {
            ...BASE,
            grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "reports" } }],
            expiresAt: EXPIRY,
        });
        // THEN the account and one bucket binding, both children of the component, and no key; and, because
        // it expires and names no shared deprovisioner, its own deprovisioner, its binding on the account and the job
        assert.deepStrictEqual(types(resources), [
            "gcp:cloudscheduler/job:Job report-renderer-deprovision",
            "gcp:projects/iAMCustomRole:IAMCustomRole report-renderer-deprovisioner-role",
            "gcp:serviceaccount/account:Account report-renderer-deprovisioner-identity-sa",
            "gcp:serviceaccount/account:Account report-renderer-sa",
            "gcp:serviceaccount/iAMMember:IAMMember report-renderer-deprovisioner-disable",
            "gcp:storage/bucketIAMMember:BucketIAMMember report-renderer-bucket-reports-storage.objectViewer",
            "nhi:gcp:Deprovisioner report-renderer-deprovisioner",
            `${TYPE} report-renderer`,
            `${TYPE} report-renderer-deprovisioner-identity`,
        ]);
        const own = (r: Registered) =>
            r.name.startsWith("report-renderer-") && !r.name.startsWith("report-renderer-deprovisioner-");
        assert.ok(resources.filter(own).every((r) => r.parentType === TYPE));
        assert.ok(!resources.some((r) => r.type.startsWith("gcp:serviceaccount/key:")), "no service account key");
        const account = ofType(resources, "gcp:serviceaccount/account:Account").find(
            (r) => r.name === "report-renderer-sa",
        )!;
        assert.deepStrictEqual(account.inputs, {
            project: "acme-prod",
            accountId: "report-renderer",
            displayName: "Renders monthly reports (team-reports)",
            description: `{"owner":"team-reports","purpose":"Renders monthly reports","expiresAt":"${EXPIRY}","managedBy":"pulumi-nhi"}`,
        });
        assert.deepStrictEqual(gcp.parseOwnershipRecord(account.inputs.description), {
            owner: "team-reports",
            purpose: "Renders monthly reports",
            expiresAt: EXPIRY,
        });
        // AND the binding is the account, the role, the bucket and the expiry condition
        assert.deepStrictEqual(ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember")[0].inputs, {
            bucket: "reports",
            role: "roles/storage.objectViewer",
            member: "serviceAccount:report-renderer@acme-prod.iam.gserviceaccount.com",
            condition: CONDITION,
        });
        assert.strictEqual(await valueOf(identity.email), "report-renderer@acme-prod.iam.gserviceaccount.com");
        assert.strictEqual(
            await valueOf(identity.member),
            "serviceAccount:report-renderer@acme-prod.iam.gserviceaccount.com",
        );
        assert.strictEqual(await valueOf(identity.accountId), "report-renderer");
        assert.strictEqual(await valueOf(identity.workloadIdentityProvider), undefined);
    });

    const scopes: {
        scope: string;
        resource: gcp.GcpGrantResource;
        role: string;
        type: string;
        inputs: Record<string, string>;
        expiring: boolean;
    }[] = [
        {
            scope: "project",
            resource: { project: "acme-shared" },
            role: "roles/run.viewer",
            type: "gcp:projects/iAMMember:IAMMember",
            inputs: { project: "acme-shared" },
            expiring: true,
        },
        {
            scope: "bucket",
            resource: { bucket: "projects/_/buckets/reports" },
            role: "roles/storage.objectViewer",
            type: "gcp:storage/bucketIAMMember:BucketIAMMember",
            inputs: { bucket: "reports" },
            expiring: true,
        },
        {
            scope: "topic",
            resource: { topic: "projects/acme-events/topics/rendered" },
            role: "roles/pubsub.publisher",
            type: "gcp:pubsub/topicIAMMember:TopicIAMMember",
            inputs: { project: "acme-events", topic: "rendered" },
            expiring: false,
        },
        {
            scope: "subscription",
            resource: { subscription: "render-requests" },
            role: "roles/pubsub.subscriber",
            type: "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
            inputs: { project: "acme-prod", subscription: "render-requests" },
            expiring: false,
        },
        {
            scope: "secret",
            resource: { secret: "smtp-password" },
            role: "roles/secretmanager.secretAccessor",
            type: "gcp:secretmanager/secretIamMember:SecretIamMember",
            inputs: { project: "acme-prod", secretId: "smtp-password" },
            expiring: true,
        },
        {
            scope: "dataset",
            resource: { dataset: "projects/acme-data/datasets/finance" },
            role: "roles/bigquery.dataViewer",
            type: "gcp:bigquery/datasetIamMember:DatasetIamMember",
            inputs: { project: "acme-data", datasetId: "finance" },
            expiring: true,
        },
        {
            scope: "serviceAccount",
            resource: { serviceAccount: "runtime@acme-prod.iam.gserviceaccount.com" },
            role: "roles/iam.serviceAccountUser",
            type: "gcp:serviceaccount/iAMMember:IAMMember",
            inputs: { serviceAccountId: "projects/-/serviceAccounts/runtime@acme-prod.iam.gserviceaccount.com" },
            expiring: true,
        },
    ];
    for (const s of scopes) {
        it(`binds a ${s.scope} grant with ${s.type.split(":").pop()}${s.expiring ? " and the expiry condition" : ""}`, async () => {
            const { resources } = await declare(`scope-${s.scope}`, {
                ...BASE,
                grants: [{ role: s.role, resource: s.resource }],
                ...(s.expiring ? { expiresAt: EXPIRY } : {}),
                deprovisioner: false,
            });
            const bindings = resources.filter(
                (r) => r.type !== TYPE && r.type !== "gcp:serviceaccount/account:Account",
            );
            assert.deepStrictEqual(
                bindings.map((b) => b.type),
                [s.type],
            );
            assert.deepStrictEqual(bindings[0].inputs, {
                ...s.inputs,
                role: s.role,
                member: `serviceAccount:scope-${s.scope.toLowerCase()}@acme-prod.iam.gserviceaccount.com`,
                ...(s.expiring ? { condition: CONDITION } : {}),
            });
        });
    }

    it("binds a resource known only at deploy time", async () => {
        const bucket = pulumi.output("late-reports");
        const { resources } = await declare("late-renderer", {
            ...BASE,
            grants: [{ role: "roles/storage.objectViewer", resource: { bucket } }],
        });
        const binding = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember")[0];
        assert.strictEqual(binding.name, "late-renderer-bucket-1-storage.objectViewer");
        assert.strictEqual(binding.inputs.bucket, "late-reports");
    });

    it("creates a custom role holding exactly the listed permissions and binds it at the grant's scope", async () => {
        // GIVEN a permissions grant on one bucket
        const { resources } = await declare("uploader", {
            ...BASE,
            grants: [
                {
                    permissions: ["storage.objects.get", "storage.objects.create", "storage.objects.get"],
                    resource: { bucket: "artifacts" },
                },
            ],
            expiresAt: EXPIRY,
        });
        const [role] = ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole");
        const [binding] = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember");
        // THEN the role holds the permissions, sorted and unique, and the binding uses it
        assert.deepStrictEqual(role.inputs.permissions, ["storage.objects.create", "storage.objects.get"]);
        assert.strictEqual(role.inputs.project, "acme-prod");
        assert.strictEqual(role.inputs.roleId, customRoleId("uploader", "bucket|acme-prod/artifacts|custom"));
        assert.match(role.inputs.roleId, /^[A-Za-z0-9_.]{3,64}$/);
        assert.strictEqual(role.parentType, TYPE);
        assert.strictEqual(binding.inputs.role, `projects/acme-prod/roles/${role.inputs.roleId}`);
        assert.deepStrictEqual(binding.inputs.condition, CONDITION);
    });

    it("keeps a custom role's ID when its permissions change, so the role is updated in place", () => {
        assert.strictEqual(
            customRoleId("uploader", "bucket|acme-prod/artifacts|custom"),
            customRoleId("uploader", "bucket|acme-prod/artifacts|custom"),
        );
        assert.notStrictEqual(
            customRoleId("uploader", "bucket|acme-prod/artifacts|custom"),
            customRoleId("uploader", "bucket|acme-prod/reports|custom"),
        );
    });

    it("trusts GitHub Actions of one repository environment through its own pool and provider", async () => {
        // GIVEN a deployer for the production environment of acme/reports
        const { identity, resources } = await declare("reports-deployer", {
            ...BASE,
            trust: { githubActions: { repository: "acme/reports", environment: "production", ref: "refs/heads/main" } },
            grants: [{ role: "roles/run.developer", resource: { project: "acme-prod" } }],
            expiresAt: EXPIRY,
            deprovisioner: false,
        });
        assert.deepStrictEqual(types(resources), [
            "gcp:iam/workloadIdentityPool:WorkloadIdentityPool reports-deployer-pool",
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider reports-deployer-github",
            "gcp:projects/iAMMember:IAMMember reports-deployer-project-acme-prod-run.developer",
            "gcp:serviceaccount/account:Account reports-deployer-sa",
            "gcp:serviceaccount/iAMMember:IAMMember reports-deployer-workload-identity-user",
            `${TYPE} reports-deployer`,
            "random:index/randomId:RandomId reports-deployer-wif-suffix",
        ]);
        const poolName = `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/reports-deployer-a1b2`;
        // THEN the provider only accepts tokens of that repository with those exact subjects
        const [provider] = ofType(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
        assert.strictEqual(
            provider.inputs.attributeCondition,
            'assertion.repository == "acme/reports" && assertion.sub in ["repo:acme/reports:environment:production", "repo:acme/reports:ref:refs/heads/main"]',
        );
        assert.deepStrictEqual(provider.inputs.attributeMapping, {
            "google.subject": "assertion.sub",
            "attribute.repository": "assertion.repository",
        });
        assert.deepStrictEqual(provider.inputs.oidc, { issuerUri: "https://token.actions.githubusercontent.com" });
        assert.strictEqual(provider.inputs.workloadIdentityPoolId, "reports-deployer-a1b2");
        assert.strictEqual(provider.inputs.project, MOCK_PROJECT_NUMBER);
        // AND only that repository's principal set may act as the account, until the expiry
        const [actAs] = ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.deepStrictEqual(actAs.inputs, {
            serviceAccountId: "projects/acme-prod/serviceAccounts/reports-deployer@acme-prod.iam.gserviceaccount.com",
            role: "roles/iam.workloadIdentityUser",
            member: `principalSet://iam.googleapis.com/${poolName}/attribute.repository/acme/reports`,
            condition: CONDITION,
        });
        assert.ok(!actAs.inputs.member.endsWith("/*"), "never the whole pool");
        assert.strictEqual(await valueOf(identity.workloadIdentityProvider), `${poolName}/providers/github-a1b2`);
    });

    it("adds its provider to a Workload Identity pool it is given, and creates no pool", async () => {
        const pool = `projects/987654321/locations/global/workloadIdentityPools/github-shared`;
        const { resources } = await declare("shared-pool-deployer", {
            ...BASE,
            trust: {
                githubActions: { repository: "acme/reports", ref: "refs/tags/v1.0.0", workloadIdentityPool: pool },
            },
            grants: [],
        });
        assert.strictEqual(ofType(resources, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool").length, 0);
        const [provider] = ofType(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
        assert.strictEqual(provider.inputs.project, "987654321");
        assert.strictEqual(provider.inputs.workloadIdentityPoolId, "github-shared");
        // AND, the pool being shared, the account admits that exact subject, not the repository
        const actAs = ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.deepStrictEqual(
            actAs.map((r) => [r.name, r.inputs.member]),
            [
                [
                    "shared-pool-deployer-workload-identity-user-ref-refs-tags-v1.0.0",
                    `principal://iam.googleapis.com/${pool}/subject/repo:acme/reports:ref:refs/tags/v1.0.0`,
                ],
            ],
        );
    });

    it("in a shared pool, keeps each identity to its own subjects", async () => {
        // GIVEN two identities of one repository in one pool: production deploys, and pushes to main
        const pool = "projects/987654321/locations/global/workloadIdentityPools/github-shared";
        const { resources } = await capture(() => [
            new gcp.ServiceIdentity("prod-deployer", {
                ...BASE,
                grants: [],
                trust: {
                    githubActions: {
                        repository: "acme/reports",
                        environment: "production",
                        workloadIdentityPool: pool,
                    },
                },
            }),
            new gcp.ServiceIdentity("main-previewer", {
                ...BASE,
                grants: [],
                trust: {
                    githubActions: { repository: "acme/reports", ref: "refs/heads/main", workloadIdentityPool: pool },
                },
            }),
        ]);
        const members = (prefix: string) =>
            ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember")
                .filter((r) => r.name.startsWith(prefix))
                .map((r) => r.inputs.member);
        // THEN the production deployer admits only the production subject: the main branch's tokens,
        // which the other identity's provider accepts into the same pool, cannot act as it
        assert.deepStrictEqual(members("prod-deployer"), [
            `principal://iam.googleapis.com/${pool}/subject/repo:acme/reports:environment:production`,
        ]);
        assert.deepStrictEqual(members("main-previewer"), [
            `principal://iam.googleapis.com/${pool}/subject/repo:acme/reports:ref:refs/heads/main`,
        ]);
    });

    it("never gives its own pool an ID Google reserves", () => {
        assert.strictEqual(poolIdPrefix("gcp-exporter"), "nhi-gcp-exporter");
        assert.strictEqual(poolIdPrefix("a-thirty-character-account-id"), "a-thirty-character-account");
        assert.ok(poolIdPrefix("a-thirty-character-account-id").length <= 27);
    });

    it("trusts one GKE Kubernetes service account", async () => {
        const { resources } = await declare("gke-renderer", {
            ...BASE,
            trust: {
                gkeWorkload: { namespace: "reports", serviceAccount: "renderer", workloadPoolProject: "acme-gke" },
            },
            grants: [],
            expiresAt: EXPIRY,
        });
        const [actAs] = ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.deepStrictEqual(actAs.inputs, {
            serviceAccountId: "projects/acme-prod/serviceAccounts/gke-renderer@acme-prod.iam.gserviceaccount.com",
            role: "roles/iam.workloadIdentityUser",
            member: "serviceAccount:acme-gke.svc.id.goog[reports/renderer]",
            condition: CONDITION,
        });
        const { resources: same } = await declare("gke-renderer-2", {
            ...BASE,
            trust: { gkeWorkload: { namespace: "reports", serviceAccount: "renderer" } },
            grants: [],
        });
        assert.strictEqual(
            ofType(same, "gcp:serviceaccount/iAMMember:IAMMember")[0].inputs.member,
            "serviceAccount:acme-prod.svc.id.goog[reports/renderer]",
        );
    });

    it("derives the account ID from the name, and takes an explicit one", async () => {
        assert.strictEqual(deriveAccountId("Report_Renderer"), "report-renderer");
        const { resources } = await declare("renderer-x", { ...BASE, accountId: "renderer-explicit", grants: [] });
        assert.strictEqual(
            ofType(resources, "gcp:serviceaccount/account:Account")[0].inputs.accountId,
            "renderer-explicit",
        );
    });
});
