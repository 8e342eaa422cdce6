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
 * @module index
 */
// The API reference's entry for `pulumi-nhi` (`npm run docs`, typedoc.json): the module
// itself, and each component class as the class it is, so that the reference shows its
// constructor. The package exports the classes as types only (loading one loads its cloud's SDK),
// which typedoc would describe as interfaces. Type-checked, never built nor shipped;
// test/package/api-reference.test.ts checks that it exports what the module does.
import * as aws from "./aws";
import * as gcp from "./gcp";

export { aws, gcp };
