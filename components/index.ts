/**
 * pulumi-nhi: Pulumi components for non-human identities.
 *
 * `aws.ServiceIdentity`: one least-privilege IAM role per workload.
 */
import * as aws from "./aws";
import * as core from "./core";

export { aws, core };
