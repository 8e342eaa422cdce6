/**
 * `pulumi-nhi/gcp` (and `gcp` of `pulumi-nhi`): the Google Cloud components, their argument types
 * and the documented helpers. `ServiceIdentity` loads `@pulumi/gcp` and `@pulumi/random` when
 * first read, not when this module is imported.
 * @module gcp
 */
// The API reference's entry for `pulumi-nhi/gcp` (`npm run docs`, typedoc.json): the module
// itself, and each component class as the class it is, so that the reference shows its
// constructor. The package exports the classes as types only (loading one loads its cloud's SDK),
// which typedoc would describe as interfaces. Type-checked, never built nor shipped;
// test/package/api-reference.test.ts checks that it exports what the module does.
export * from "../../components/gcp/index";
export { GcpServiceIdentity } from "../../components/gcp/service-identity";
export { GcpRotatingSecret } from "../../components/gcp/rotating-secret";
export { GcpSecretRotator } from "../../components/gcp/secret-rotator";
export { GcpDeprovisioner } from "../../components/gcp/deprovision";
export { GcpUsageMonitor } from "../../components/gcp/usage-monitor";
