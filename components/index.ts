/**
 * pulumi-nhi: Pulumi components for non-human identities.
 *
 * - `aws.ServiceIdentity`: one least-privilege IAM role per workload.
 * - `gcp.ServiceIdentity`: one keyless service account per workload, bound at the narrowest scope.
 */
import * as aws from "./aws";
import * as core from "./core";
import * as gcp from "./gcp";

export { aws, core, gcp };
