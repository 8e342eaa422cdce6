/**
 * `pulumi-nhi/aws` (and `aws` of `pulumi-nhi`): the AWS components, their argument types and the
 * types of what they output. `ServiceIdentity` loads `@pulumi/aws` when first read, not when this
 * module is imported.
 * @module aws
 */
// The API reference's entry for `pulumi-nhi/aws` (`npm run docs`, typedoc.json): the module
// itself, and each component class as the class it is, so that the reference shows its
// constructor. The package exports the classes as types only (loading one loads its cloud's SDK),
// which typedoc would describe as interfaces. Type-checked, never built nor shipped;
// test/package/api-reference.test.ts checks that it exports what the module does.
export * from "../../components/aws/index";
export { AwsServiceIdentity } from "../../components/aws/service-identity";
export { AwsAccessKeyIdentity } from "../../components/aws/access-key-identity";
export { AwsRotatingSecret } from "../../components/aws/rotating-secret";
export { AwsSecretRotator } from "../../components/aws/secret-rotator";
export { AwsUsageMonitor } from "../../components/aws/usage-monitor";
