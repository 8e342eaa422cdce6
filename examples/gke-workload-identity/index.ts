/**
 * GKE Workload Identity: the `thumbnails/thumbnailer` pods act as one keyless service account.
 *
 *     cd examples/gke-workload-identity    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set gcpProject <your project id>
 *     pulumi up
 *
 * Then annotate the Kubernetes service account (see `program.ts`) with
 * `iam.gke.io/gcp-service-account: <thumbnailerEmail>`.
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 */
import { gkeWorkloadIdentity } from "./program";

const { cluster, thumbnailer, subscription, thumbnails } = gkeWorkloadIdentity();

/** The value of the `iam.gke.io/gcp-service-account` annotation. */
export const thumbnailerEmail = thumbnailer.email;
export const clusterName = cluster.name;
export const uploadsSubscription = subscription.name;
export const thumbnailsBucket = thumbnails.name;
