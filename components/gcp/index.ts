/**
 * `pulumi-nhi/gcp` (and `gcp` of `pulumi-nhi`): the Google Cloud components, their argument types
 * and the documented helpers. `ServiceIdentity` loads `@pulumi/gcp` and `@pulumi/random` when
 * first read, not when this module is imported.
 */
import type { GcpServiceIdentity } from "./service-identity";
import type { GcpRotatingSecret } from "./rotating-secret";
import type { GcpSecretRotator } from "./secret-rotator";
import type { GcpDeprovisioner } from "./deprovision";
import type { GcpUsageMonitor } from "./usage-monitor";
import { exportLazily } from "../core/lazy";

export type { GcpServiceIdentityArgs } from "./service-identity";
export type { GcpServiceAccountKeyArgs } from "./service-account-key";
export type {
    GcpGrant,
    GcpGrantCommon,
    GcpGrantResource,
    GcpGrantScopes,
    GcpPermissionsGrant,
    GcpRoleGrant,
} from "./grants";
export type { GcpTrust, GcpTrustKinds, GcpGithubActionsTrust, GcpGkeWorkloadTrust } from "./trust";
export { type OwnershipRecord, parseOwnershipRecord } from "./description";
// The classes under their own names, as types only (loading one loads its cloud's SDK): what programs
// and `{@link}` name them by. The API reference shows them as classes (scripts/api-reference).
export type { GcpServiceIdentity, GcpRotatingSecret, GcpSecretRotator, GcpDeprovisioner, GcpUsageMonitor };
export type { GcpRotationAlarm, GcpUnusedAlarm, GcpUsageSettingsArgs } from "./usage-settings";

/** One keyless service account per workload: see {@link GcpServiceIdentity}. */
export type ServiceIdentity = GcpServiceIdentity;
// A placeholder that the getter below replaces: assigned, not only declared, so that Node's ESM
// loader sees the name (`import { ServiceIdentity } from "pulumi-nhi/…"`), as in Pulumi's SDKs.
/** {@inheritDoc GcpServiceIdentity} */
export const ServiceIdentity: typeof GcpServiceIdentity = undefined as never;
exportLazily(
    exports,
    () => require("./service-identity"),
    { ServiceIdentity: "GcpServiceIdentity" },
    "`gcp.ServiceIdentity` needs `@pulumi/gcp` and `@pulumi/random` (peer dependencies of pulumi-nhi): `npm install @pulumi/gcp@^9 @pulumi/random@^4`.",
);

export type {
    GcpRotatingSecretArgs,
    GcpRotatingSecretCommonArgs,
    GcpRotatingSecretOwnFunctionArgs,
    GcpRotatingSecretSharedRotatorArgs,
} from "./rotating-secret";
export type { GcpSecretReader } from "./secret-inputs";
export type { GcpSecretRotatorArgs } from "./secret-rotator";
export type { RotatingValueArgs, ValueFormat } from "../core/rotating-value";

/** A Secret Manager secret whose value Google Cloud generates and rotates: see {@link GcpRotatingSecret}. */
export type RotatingSecret = GcpRotatingSecret;
/** {@inheritDoc GcpRotatingSecret} */
export const RotatingSecret: typeof GcpRotatingSecret = undefined as never;
/** One rotation function per project shared by many rotating secrets: see {@link GcpSecretRotator}. */
export type SecretRotator = GcpSecretRotator;
/** {@inheritDoc GcpSecretRotator} */
export const SecretRotator: typeof GcpSecretRotator = undefined as never;
exportLazily(
    exports,
    () => ({ ...require("./rotating-secret"), ...require("./secret-rotator") }),
    { RotatingSecret: "GcpRotatingSecret", SecretRotator: "GcpSecretRotator" },
    "`gcp.RotatingSecret` and `gcp.SecretRotator` need `@pulumi/gcp` (a peer dependency of pulumi-nhi): `npm install @pulumi/gcp@^9`.",
);

export type { GcpDeprovisionerArgs } from "./deprovision";
/** One account per project that disables expired service accounts, shared by every identity that names it: see {@link GcpDeprovisioner}. */
export type Deprovisioner = GcpDeprovisioner;
/** {@inheritDoc GcpDeprovisioner} */
export const Deprovisioner: typeof GcpDeprovisioner = undefined as never;
exportLazily(
    exports,
    () => require("./deprovision"),
    { Deprovisioner: "GcpDeprovisioner" },
    "`gcp.Deprovisioner` needs `@pulumi/gcp` and `@pulumi/random` (peer dependencies of pulumi-nhi): `npm install @pulumi/gcp@^9 @pulumi/random@^4`.",
);

export type { GcpUsageMonitorArgs } from "./usage-monitor";
/** The usage monitor of one project: unused, expiring and expired identities noticed and notified: see {@link GcpUsageMonitor}. */
export type UsageMonitor = GcpUsageMonitor;
/** {@inheritDoc GcpUsageMonitor} */
export const UsageMonitor: typeof GcpUsageMonitor = undefined as never;
exportLazily(
    exports,
    () => require("./usage-monitor"),
    { UsageMonitor: "GcpUsageMonitor" },
    "`gcp.UsageMonitor` needs `@pulumi/gcp` and `@pulumi/random` (peer dependencies of pulumi-nhi): `npm install @pulumi/gcp@^9 @pulumi/random@^4`.",
);
