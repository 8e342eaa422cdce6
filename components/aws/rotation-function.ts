import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runtimeArchive } from "../core/runtime-asset";
import { AwsGrant } from "./grants";
import { LAMBDA_PRINCIPAL } from "./lambda-logs";
import { ownershipTags } from "./tags";
import { AUTONAME_SUFFIX_CHARS, AwsServiceIdentity, MAX_ROLE_NAME_CHARS, ROLE_CHILD_SUFFIX } from "./service-identity";

/**
 * The one builder of a Secrets Manager rotation function: the Lambda function that runs a runtime
 * entry of this package (`components/runtime/aws/`), its log group, its own least-privilege
 * identity, and the permission that lets Secrets Manager invoke it. Used by `aws.RotatingSecret`
 * (one function per secret), `aws.SecretRotator` (one function that many secrets share) and
 * `aws.AccessKeyIdentity` (entry `aws/rotate-access-key`).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html
 */

/** The runtime entries that are Secrets Manager rotation functions. */
export type RotationEntry = "aws/rotate-secret" | "aws/rotate-access-key";

/**
 * Node.js 24, a current Lambda runtime that provides AWS SDK for JavaScript v3 on the module path,
 * which the functions use instead of carrying it. AWS: deprecated Apr 30, 2028.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const ROTATION_RUNTIME = "nodejs24.x";
/** The smallest memory Lambda offers: a rotation step is a handful of API calls. */
export const ROTATION_MEMORY_MB = 128;
/**
 * A step makes at most 7 API calls (a key rotation's `createSecret`), each retried while throttled
 * with at most 3.1 s of sleep (`withBackoff` in `runtime/aws/rotation.ts`): 7 × 3.1 s ≈ 22 s of
 * waiting, plus the calls themselves. 60 s covers it with room; Lambda allows up to 900 s.
 */
export const ROTATION_TIMEOUT_SECONDS = 60;
/**
 * How long the function's log lines (one short JSON line per step, four per rotation) are kept: a
 * year of rotations, for audit. The volume is a few hundred bytes per rotation.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const ROTATION_LOG_RETENTION_DAYS = 365;
/** The service principal that invokes rotation functions. */
export const SECRETS_MANAGER_PRINCIPAL = "secretsmanager.amazonaws.com";
/**
 * The longest `name` {@link declareRotationFunction} takes: the function's identity is an
 * `AwsServiceIdentity` called `name`, whose role `${name}-role-xxxxxxx` may have 64 characters,
 * and the Lambda function `${name}-xxxxxxx` (AWS: 64) is shorter still.
 */
export const MAX_ROTATION_FUNCTION_NAME_CHARS = MAX_ROLE_NAME_CHARS - ROLE_CHILD_SUFFIX.length - AUTONAME_SUFFIX_CHARS;

/**
 * Who may invoke the function: Secrets Manager, on behalf of exactly one secret (`secretArn`,
 * `aws:SourceArn`: a per-secret function), or of any secret of one account (`sourceAccount`,
 * `aws:SourceAccount`: a shared function, whose identity decides which secrets it may touch).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
 */
export type RotationInvoker =
    | { readonly secretArn: pulumi.Input<string>; readonly sourceAccount?: never }
    | { readonly sourceAccount: pulumi.Input<string>; readonly secretArn?: never };

/** The arguments of {@link declareRotationFunction}, validated by the caller's own plan. */
export interface RotationFunctionArgs {
    /** The runtime entry the function runs; its handler is `${entry}.handler`. */
    readonly entry: RotationEntry;
    /** Recorded on the function's identity (`nhi:owner`), as for any `AwsServiceIdentity`. */
    readonly owner: string;
    /** Recorded on the function's identity (`nhi:purpose`). */
    readonly purpose: string;
    /**
     * Exactly what the function's steps need, on its secret(s) (and, for keys, its one user): the
     * `ACTIONS` its runtime entry exports, plus KMS on a customer key. The grants are checked like
     * any identity's, including the escalation check (`acknowledge`). The log writes are added
     * here, on the function's own log group only.
     */
    readonly grants: readonly AwsGrant[];
    /** Which secrets Secrets Manager may invoke the function for. */
    readonly invokedBy: RotationInvoker;
    /** Further tags for the log group, role and function (keys not starting `nhi:` or `aws:`). */
    readonly tags?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * When the function's identity stops working (`expiresAt` of an `AwsServiceIdentity`): the
     * `expiresAt` of the identity whose credential it rotates, so that an expired identity's key is
     * no longer minted. Validated by the caller, as its own `expiresAt`.
     * @default never
     */
    readonly expiresAt?: string;
}

/** What {@link declareRotationFunction} declared. */
export interface RotationFunction {
    /** The ARN of the Lambda function: a secret's `rotationLambdaArn`. */
    readonly functionArn: pulumi.Output<string>;
    /** The physical name of the Lambda function. */
    readonly functionName: pulumi.Output<string>;
    /** The function's identity (its execution role). */
    readonly identity: AwsServiceIdentity;
    /** The `aws.cloudwatch.LogGroup` (typed without `@pulumi/aws`, so that no declaration file of the package needs it). */
    readonly logGroup: pulumi.CustomResource & { readonly arn: pulumi.Output<string>; readonly name: pulumi.Output<string> };
    /** The `aws.lambda.Function`. */
    readonly lambda: pulumi.CustomResource & { readonly arn: pulumi.Output<string>; readonly name: pulumi.Output<string> };
    /** The `aws.lambda.Permission`. */
    readonly permission: pulumi.CustomResource;
    /**
     * What a secret's `aws.secretsmanager.SecretRotation` must wait for (`dependsOn`): rotating
     * immediately invokes the function at once, so its policies and invoke permission must exist.
     * The permission is enough: it waits for the function (`function: lambda.name`), which waits
     * for the whole identity, policies included (`dependsOn`). One custom resource, not the
     * identity component, whose every child each of a thousand rotations would otherwise await.
     */
    readonly ready: readonly pulumi.Resource[];
}

/**
 * Declares a rotation function as children of `parent`, all named from `name` (at most
 * {@link MAX_ROTATION_FUNCTION_NAME_CHARS} characters, checked by the caller before anything is
 * registered):
 * - `aws.cloudwatch.LogGroup` `${name}-logs`: `/aws/lambda/${name}-…`, kept
 *   {@link ROTATION_LOG_RETENTION_DAYS} days;
 * - `AwsServiceIdentity` `${name}`: trusted by Lambda, allowed to write to that log group and to do
 *   exactly `grants`;
 * - `aws.lambda.Function` `${name}`: {@link ROTATION_RUNTIME}, handler `${entry}.handler`, code
 *   `runtimeArchive(entry)`, {@link ROTATION_MEMORY_MB} MB, {@link ROTATION_TIMEOUT_SECONDS} s;
 * - `aws.lambda.Permission` `${name}-invoke`: `lambda:InvokeFunction` for
 *   `secretsmanager.amazonaws.com`, with `invokedBy` as the source.
 *
 * Throws what `AwsServiceIdentity` throws for bad arguments: the caller validates the values it
 * passes (owner, purpose, tags, ARNs) in its own plan, before `super()`, so that it never does.
 */
export function declareRotationFunction(parent: pulumi.Resource, name: string, args: RotationFunctionArgs): RotationFunction {
    const opts = { parent };
    const tags = { ...args.tags, ...ownershipTags({ owner: args.owner, purpose: args.purpose }) };
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
        namePrefix: `/aws/lambda/${name}-`,
        retentionInDays: ROTATION_LOG_RETENTION_DAYS,
        tags,
    }, opts);
    const identity = new AwsServiceIdentity(name, {
        owner: args.owner,
        purpose: args.purpose,
        trust: { service: { principal: LAMBDA_PRINCIPAL, logGroups: [logGroup.arn] } },
        grants: args.grants,
        tags: args.tags,
        expiresAt: args.expiresAt,
    }, opts);
    const lambda = new aws.lambda.Function(name, {
        description: `Rotates secrets (pulumi-nhi ${args.entry}): ${args.purpose}`.slice(0, 256),
        runtime: ROTATION_RUNTIME,
        handler: `${args.entry}.handler`,
        code: rotationArchive(args.entry),
        role: identity.roleArn,
        memorySize: ROTATION_MEMORY_MB,
        timeout: ROTATION_TIMEOUT_SECONDS,
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        tags,
    }, { parent, dependsOn: [identity] });
    const source = args.invokedBy.secretArn !== undefined
        ? { sourceArn: args.invokedBy.secretArn }
        : { sourceAccount: args.invokedBy.sourceAccount };
    const permission = new aws.lambda.Permission(`${name}-invoke`, {
        action: "lambda:InvokeFunction",
        function: lambda.name,
        principal: SECRETS_MANAGER_PRINCIPAL,
        ...source,
    }, opts);
    return { functionArn: lambda.arn, functionName: lambda.name, identity, logGroup, lambda, permission, ready: [permission] };
}

/**
 * The archive of each entry, made once per process: its content is a pure function of this
 * package's runtime code (`runtimeArchive`), so every function of a stack shares one.
 */
const archives = new Map<RotationEntry, pulumi.asset.AssetArchive>();

/** The archive of `entry` (`runtimeArchive`), made once per process and shared by every function. */
export function rotationArchive(entry: RotationEntry): pulumi.asset.AssetArchive {
    let archive = archives.get(entry);
    if (archive === undefined) {
        archive = runtimeArchive(entry);
        archives.set(entry, archive);
    }
    return archive;
}
