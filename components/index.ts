/**
 * pulumi-nhi: Pulumi components for non-human identities.
 *
 * - `aws.ServiceIdentity`: one least-privilege IAM role per workload.
 * - `gcp.ServiceIdentity`: one keyless service account per workload, bound at the narrowest scope.
 *
 * Importing this module loads neither cloud's SDK: each `ServiceIdentity` loads its own on first
 * use, so an AWS-only stack never loads (nor needs to install) `@pulumi/gcp`, and the reverse.
 * The same namespaces are the subpaths `pulumi-nhi/aws` and `pulumi-nhi/gcp`; the test harness is
 * `pulumi-nhi/testing`.
 */
import * as aws from "./aws";
import * as gcp from "./gcp";

export { aws, gcp };
