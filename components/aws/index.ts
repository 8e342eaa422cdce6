/**
 * `pulumi-nhi/aws` (and `aws` of `pulumi-nhi`): the AWS components, their argument types and the
 * types of what they output. `ServiceIdentity` loads `@pulumi/aws` when first read, not when this
 * module is imported.
 */
import type { AwsServiceIdentity } from "./service-identity";
import type { AwsAccessKeyIdentity } from "./access-key-identity";
import type { AwsRotatingSecret } from "./rotating-secret";
import type { AwsSecretRotator } from "./secret-rotator";
import type { AwsUsageMonitor } from "./usage-monitor";
import { exportLazily } from "../core/lazy";

export type { AwsServiceIdentityArgs } from "./service-identity";
export type { AwsAccessKeyIdentityArgs } from "./access-key-identity";
export type { AwsPrincipalArgs } from "./principal";
export type { AwsUnusedAlarm, AwsRotationAlarm, AwsUsageSettingsArgs } from "./usage-settings";
export type { AwsGrant, AwsActionsGrant, AwsAccessGrant } from "./grants";
export type { AccessLevel } from "./catalog";
export type {
    AwsTrust,
    AwsServiceTrust,
    AwsLambdaServiceTrust,
    AwsOtherServiceTrust,
    AwsGithubActionsTrust,
    AwsEksServiceAccountTrust,
    AwsAccountTrust,
} from "./trust";
export type { Condition, PolicyDocument, RenderedStatement, Statement } from "./policy";
// The classes under their own names, as types only (loading one loads its cloud's SDK): what programs
// and `{@link}` name them by. The API reference shows them as classes (scripts/api-reference).
export type { AwsServiceIdentity, AwsAccessKeyIdentity, AwsRotatingSecret, AwsSecretRotator, AwsUsageMonitor };

/** One least-privilege IAM role per workload: see {@link AwsServiceIdentity}. */
export type ServiceIdentity = AwsServiceIdentity;
// A placeholder that the getter below replaces: assigned, not only declared, so that Node's ESM
// loader sees the name (`import { ServiceIdentity } from "pulumi-nhi/…"`), as in Pulumi's SDKs.
/** {@inheritDoc AwsServiceIdentity} */
export const ServiceIdentity: typeof AwsServiceIdentity = undefined as never;
exportLazily(
    exports,
    () => require("./service-identity"),
    { ServiceIdentity: "AwsServiceIdentity" },
    "`aws.ServiceIdentity` needs `@pulumi/aws` (a peer dependency of pulumi-nhi): `npm install @pulumi/aws@^7`.",
);

/** An IAM user for one consumer that can only take a static access key, rotated in AWS: see {@link AwsAccessKeyIdentity}. */
export type AccessKeyIdentity = AwsAccessKeyIdentity;
/** {@inheritDoc AwsAccessKeyIdentity} */
export const AccessKeyIdentity: typeof AwsAccessKeyIdentity = undefined as never;
exportLazily(
    exports,
    () => require("./access-key-identity"),
    { AccessKeyIdentity: "AwsAccessKeyIdentity" },
    "`aws.AccessKeyIdentity` needs `@pulumi/aws` (a peer dependency of pulumi-nhi): `npm install @pulumi/aws@^7`.",
);

export type { AwsRotatingSecretArgs, AwsRotatingSecretValue, AwsRotatingSecretRotator } from "./rotating-secret";
export type { AwsSecretStorageArgs, SecretReader } from "./rotated-secret";
export type { AwsSecretRotatorArgs } from "./secret-rotator";

/** A secret generated and rotated in the cloud, never in Pulumi state: see {@link AwsRotatingSecret}. */
export type RotatingSecret = AwsRotatingSecret;
/** {@inheritDoc AwsRotatingSecret} */
export const RotatingSecret: typeof AwsRotatingSecret = undefined as never;
exportLazily(
    exports,
    () => require("./rotating-secret"),
    { RotatingSecret: "AwsRotatingSecret" },
    "`aws.RotatingSecret` needs `@pulumi/aws` (a peer dependency of pulumi-nhi): `npm install @pulumi/aws@^7`.",
);

/** One rotation function that many `RotatingSecret`s share: see {@link AwsSecretRotator}. */
export type SecretRotator = AwsSecretRotator;
/** {@inheritDoc AwsSecretRotator} */
export const SecretRotator: typeof AwsSecretRotator = undefined as never;
exportLazily(
    exports,
    () => require("./secret-rotator"),
    { SecretRotator: "AwsSecretRotator" },
    "`aws.SecretRotator` needs `@pulumi/aws` (a peer dependency of pulumi-nhi): `npm install @pulumi/aws@^7`.",
);

export type { AwsUsageMonitorArgs } from "./usage-monitor";

/** The usage monitor of one account and region: see {@link AwsUsageMonitor}. */
export type UsageMonitor = AwsUsageMonitor;
/** {@inheritDoc AwsUsageMonitor} */
export const UsageMonitor: typeof AwsUsageMonitor = undefined as never;
exportLazily(
    exports,
    () => require("./usage-monitor"),
    { UsageMonitor: "AwsUsageMonitor" },
    "`aws.UsageMonitor` needs `@pulumi/aws` (a peer dependency of pulumi-nhi): `npm install @pulumi/aws@^7`.",
);
