import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    DEFAULT_GCP_PROJECT,
    GkeWorkloadIdentity,
    KUBERNETES_SERVICE_ACCOUNT,
    NAMESPACE,
    gkeWorkloadIdentity,
} from "../../examples/gke-workload-identity/program";
import { gcp } from "../../components";
import { Registered, capture, ofType, valueOf } from "../support/mock-graph";

describe("examples/gke-workload-identity", () => {
    const EMAIL = `thumbnailer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`;
    let example: GkeWorkloadIdentity;
    let resources: Registered[];
    let subscriptionName: string;
    let bucketName: string;

    before(async () => {
        ({ value: example, resources } = await capture(gkeWorkloadIdentity));
        [subscriptionName, bucketName] = await Promise.all([
            valueOf(example.subscription.name),
            valueOf(example.thumbnails.name),
        ]);
    });

    it("declares a Workload Identity cluster, the topic, subscription and bucket, and a keyless account with three bindings", () => {
        // GIVEN the example program WHEN it runs under the mocks
        // THEN the identity is an account and three IAM members, children of the component, and never a key
        assert.deepStrictEqual(
            resources.map((r) => `${r.type} ${r.name}${r.parentType ? ` (child of ${r.parentType})` : ""}`).sort(),
            [
                "gcp:container/cluster:Cluster media",
                "gcp:pubsub/subscription:Subscription thumbnailer-uploads",
                "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember thumbnailer-subscription-1-pubsub.subscriber (child of nhi:gcp:ServiceIdentity)",
                "gcp:pubsub/topic:Topic image-uploads",
                "gcp:serviceaccount/account:Account thumbnailer-sa (child of nhi:gcp:ServiceIdentity)",
                "gcp:serviceaccount/iAMMember:IAMMember thumbnailer-workload-identity-user (child of nhi:gcp:ServiceIdentity)",
                "gcp:storage/bucket:Bucket thumbnails",
                "gcp:storage/bucketIAMMember:BucketIAMMember thumbnailer-bucket-1-storage.objectCreator (child of nhi:gcp:ServiceIdentity)",
                "nhi:gcp:ServiceIdentity thumbnailer",
            ],
        );
        // AND the cluster's workload pool is the project's, served to pods by the GKE metadata server
        const [cluster] = ofType(resources, "gcp:container/cluster:Cluster");
        assert.deepStrictEqual(cluster.inputs.workloadIdentityConfig, {
            workloadPool: `${DEFAULT_GCP_PROJECT}.svc.id.goog`,
        });
        assert.deepStrictEqual(cluster.inputs.nodeConfig, { workloadMetadataConfig: { mode: "GKE_METADATA" } });
    });

    it("lets exactly the thumbnails/thumbnailer Kubernetes service account act as the Google one", async () => {
        // GIVEN the binding that lets a workload act as the account
        const [actAs] = ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember");
        // THEN it is workloadIdentityUser on this account, for the one Kubernetes service account of the project's pool
        assert.deepStrictEqual(actAs.inputs, {
            serviceAccountId: `projects/${DEFAULT_GCP_PROJECT}/serviceAccounts/${EMAIL}`,
            role: "roles/iam.workloadIdentityUser",
            member: `serviceAccount:${DEFAULT_GCP_PROJECT}.svc.id.goog[${NAMESPACE}/${KUBERNETES_SERVICE_ACCOUNT}]`,
        });
        // AND the email the annotation `iam.gke.io/gcp-service-account` needs is the account's
        assert.strictEqual(await valueOf(example.thumbnailer.email), EMAIL);
    });

    it("binds subscriber on the one subscription and objectCreator on the one bucket, without conditions", () => {
        // GIVEN the grants' bindings
        const member = `serviceAccount:${EMAIL}`;
        // THEN each is bound on its own resource, not on the project
        assert.deepStrictEqual(ofType(resources, "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember")[0].inputs, {
            project: DEFAULT_GCP_PROJECT,
            subscription: subscriptionName,
            role: "roles/pubsub.subscriber",
            member,
        });
        assert.deepStrictEqual(ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember")[0].inputs, {
            bucket: bucketName,
            role: "roles/storage.objectCreator",
            member,
        });
        assert.deepStrictEqual(ofType(resources, "gcp:projects/iAMMember:IAMMember"), []);
    });

    it("has no expiry because a subscription grant cannot carry one: with expiresAt it is refused with the two ways out", () => {
        // GIVEN the example's subscription grant WHEN an expiry is added
        const declare = () =>
            new gcp.ServiceIdentity("thumbnailer-expiring", {
                project: DEFAULT_GCP_PROJECT,
                owner: "team-media",
                purpose: "GKE thumbnailer pods",
                trust: { gkeWorkload: { namespace: NAMESPACE, serviceAccount: KUBERNETES_SERVICE_ACCOUNT } },
                grants: [
                    { role: "roles/pubsub.subscriber", resource: { subscription: pulumi.output(subscriptionName) } },
                ],
                expiresAt: "2028-01-01T00:00:00Z",
            });
        // THEN the component refuses it and says why, which is the choice the example's comment explains
        assert.throws(
            declare,
            (e: Error) =>
                e.message ===
                [
                    'GcpServiceIdentity "thumbnailer-expiring" has 1 invalid argument:',
                    "  - grants[0].resource.subscription: `grants[0].resource.subscription`: Pub/Sub subscriptions do not accept IAM Conditions, so Google could not stop honouring this grant at `expiresAt`. Grant the role at `project` scope (the condition applies there, to every subscription of the project), or remove `expiresAt`.",
                ].join("\n"),
        );
    });
});
