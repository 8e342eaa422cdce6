import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * GKE Workload Identity: the pods of ONE Kubernetes service account (`thumbnails/thumbnailer`)
 * act as ONE Google service account, which consumes ONE Pub/Sub subscription and writes objects to
 * ONE bucket. No service account key exists anywhere.
 *
 * - The cluster has Workload Identity on: its workload pool is `<project>.svc.id.goog`, and its
 *   nodes serve pods the GKE metadata server (`GKE_METADATA`), which exchanges the pod's
 *   Kubernetes token for the Google service account's.
 * - `trust.gkeWorkload` grants `roles/iam.workloadIdentityUser` on the account to exactly
 *   `serviceAccount:<project>.svc.id.goog[thumbnails/thumbnailer]`, nothing wider.
 * - The Kubernetes service account names the Google one in an annotation (kubectl or your
 *   Kubernetes stack; this program does not depend on `@pulumi/kubernetes`):
 *
 *       apiVersion: v1
 *       kind: ServiceAccount
 *       metadata:
 *         name: thumbnailer
 *         namespace: thumbnails
 *         annotations:
 *           iam.gke.io/gcp-service-account: thumbnailer@<project>.iam.gserviceaccount.com
 *
 * No `expiresAt`: Google does not accept IAM Conditions on Pub/Sub subscriptions, so an expiring
 * identity could only be granted the subscriber role on the whole project. One subscription without
 * expiry is the narrower choice here; the README of the package explains both ways.
 *
 * Declared inside {@link gkeWorkloadIdentity} so that tests can run it under Pulumi's mocks.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
 */

/** The project of the cluster, the account and the resources. `pulumi config set gcpProject <id>`. */
export const DEFAULT_GCP_PROJECT = "acme-media-prod";
export const REGION = "europe-west1";

/** The Kubernetes namespace and service account whose pods act as the Google service account. */
export const NAMESPACE = "thumbnails";
export const KUBERNETES_SERVICE_ACCOUNT = "thumbnailer";

export interface GkeWorkloadIdentity {
    /** The cluster, with Workload Identity on. */
    readonly cluster: gcp.container.Cluster;
    /** The Google service account the pods act as. */
    readonly thumbnailer: nhi.gcp.ServiceIdentity;
    /** "Image uploaded" events. */
    readonly uploads: gcp.pubsub.Topic;
    /** The thumbnailer's subscription to them; the only one it may consume. */
    readonly subscription: gcp.pubsub.Subscription;
    /** Where thumbnails are written. */
    readonly thumbnails: gcp.storage.Bucket;
    /** The project (`gcpProject` config). */
    readonly project: string;
}

/** Declares the cluster, the topic, subscription and bucket, and the workload's identity. */
export function gkeWorkloadIdentity(): GkeWorkloadIdentity {
    const config = new pulumi.Config();
    const project = config.get("gcpProject") ?? DEFAULT_GCP_PROJECT;

    const cluster = new gcp.container.Cluster("media", {
        project,
        location: REGION,
        initialNodeCount: 1,
        workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
        nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" } },
        resourceLabels: { app: "media" },
    });

    const uploads = new gcp.pubsub.Topic("image-uploads", { project, labels: { app: "media" } });
    const subscription = new gcp.pubsub.Subscription("thumbnailer-uploads", {
        project,
        topic: uploads.name,
        ackDeadlineSeconds: 60,
        labels: { app: "media" },
    });
    const thumbnails = new gcp.storage.Bucket("thumbnails", {
        project,
        location: "EU",
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        labels: { app: "media" },
    });

    const thumbnailer = new nhi.gcp.ServiceIdentity("thumbnailer", {
        project,
        owner: "team-media",
        purpose: "GKE thumbnailer pods: consume image uploads, write thumbnails",
        trust: { gkeWorkload: { namespace: NAMESPACE, serviceAccount: KUBERNETES_SERVICE_ACCOUNT } },
        grants: [
            // Pull and acknowledge messages of this one subscription.
            { role: "roles/pubsub.subscriber", resource: { subscription: subscription.name } },
            // Create objects in the bucket: no read, no overwrite, no delete.
            { role: "roles/storage.objectCreator", resource: { bucket: thumbnails.name } },
        ],
    });

    return { cluster, thumbnailer, uploads, subscription, thumbnails, project };
}
