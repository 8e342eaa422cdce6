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
 * `aws.AccessKeyIdentity` (entry `aws/rotate-access-key`). Built on {@link declareFunction}, the
 * builder of every function of this package (also `aws.UsageMonitor`'s), beside
 * {@link declareFunctionSchedule}, the builder of every schedule that invokes one.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html
 */

/** The runtime entries that are Secrets Manager rotation functions. */
export type RotationEntry = "aws/rotate-secret" | "aws/rotate-access-key";
/** Every runtime entry that {@link declareFunction} deploys. */
export type FunctionEntry = RotationEntry | "aws/usage-monitor";

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
    readonly logGroup: pulumi.CustomResource & {
        readonly arn: pulumi.Output<string>;
        readonly name: pulumi.Output<string>;
    };
    /** The `aws.lambda.Function`. */
    readonly lambda: pulumi.CustomResource & {
        readonly arn: pulumi.Output<string>;
        readonly name: pulumi.Output<string>;
    };
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
export function declareRotationFunction(
    parent: pulumi.Resource,
    name: string,
    args: RotationFunctionArgs,
): RotationFunction {
    const fn = declareFunction(parent, name, {
        ...args,
        description: `Rotates secrets (pulumi-nhi ${args.entry}): ${args.purpose}`,
        memoryMb: ROTATION_MEMORY_MB,
        timeoutSeconds: ROTATION_TIMEOUT_SECONDS,
    });
    const source =
        args.invokedBy.secretArn !== undefined
            ? { sourceArn: args.invokedBy.secretArn }
            : { sourceAccount: args.invokedBy.sourceAccount };
    const permission = new aws.lambda.Permission(
        `${name}-invoke`,
        {
            action: "lambda:InvokeFunction",
            function: fn.lambda.name,
            principal: SECRETS_MANAGER_PRINCIPAL,
            ...source,
        },
        { parent },
    );
    return { ...fn, permission, ready: [permission] };
}

/** The arguments of {@link declareFunction}: a rotation function's, with its own size and no invoker. */
export interface FunctionArgs extends Omit<RotationFunctionArgs, "entry" | "invokedBy"> {
    readonly entry: FunctionEntry;
    /** The function's description (cut to Lambda's 256 characters). */
    readonly description: string;
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
}

/** What {@link declareFunction} declared. */
export type DeclaredFunction = Omit<RotationFunction, "permission" | "ready">;

/**
 * The one builder of a Lambda function that runs a runtime entry of this package, as children of
 * `parent` named from `name`: its log group `${name}-logs` (kept {@link ROTATION_LOG_RETENTION_DAYS}
 * days), its identity `${name}` (an `AwsServiceIdentity` trusted by Lambda, allowed to write to
 * that log group and to do exactly `grants`) and the function `${name}` ({@link ROTATION_RUNTIME},
 * handler `${entry}.handler`, code `runtimeArchive(entry)`, shared by every function of a stack).
 * Who may invoke it is the caller's: {@link declareRotationFunction} adds Secrets Manager;
 * {@link declareFunctionSchedule} gives a schedule's role `lambda:InvokeFunction` on it.
 */
export function declareFunction(parent: pulumi.Resource, name: string, args: FunctionArgs): DeclaredFunction {
    const opts = { parent };
    const tags = { ...args.tags, ...ownershipTags({ owner: args.owner, purpose: args.purpose }) };
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        {
            namePrefix: `/aws/lambda/${name}-`,
            retentionInDays: ROTATION_LOG_RETENTION_DAYS,
            tags,
        },
        opts,
    );
    const identity = new AwsServiceIdentity(
        name,
        {
            owner: args.owner,
            purpose: args.purpose,
            trust: { service: { principal: LAMBDA_PRINCIPAL, logGroups: [logGroup.arn] } },
            grants: args.grants,
            tags: args.tags,
            expiresAt: args.expiresAt,
            // The package's own plumbing, removed with the identity it serves: expiry by condition only.
            deprovisionAtExpiry: false,
        },
        opts,
    );
    const lambda = new aws.lambda.Function(
        name,
        {
            description: args.description.slice(0, 256),
            runtime: ROTATION_RUNTIME,
            handler: `${args.entry}.handler`,
            code: runtimeArchive(args.entry),
            role: identity.roleArn,
            memorySize: args.memoryMb,
            timeout: args.timeoutSeconds,
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            tags,
        },
        { parent, dependsOn: [identity] },
    );
    return { functionArn: lambda.arn, functionName: lambda.name, identity, logGroup, lambda };
}

/** The service principal of EventBridge Scheduler, which assumes a schedule's execution role. */
export const SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com";

/**
 * `aws:SourceAccount` and `aws:SourceArn` for the trust of a schedule's execution role: the
 * function's account, and the ARN of that account's `default` schedule group in the function's
 * region. EventBridge Scheduler sends the schedule group's ARN as `aws:SourceArn`, never a
 * schedule's ("Do not scope the aws:SourceArn statement to a specific schedule").
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
 */
export function schedulerSource(functionArn: string): { sourceAccount: string; sourceArn: string } {
    const [, partition, , region, account] = functionArn.split(":");
    return {
        sourceAccount: account,
        sourceArn: `arn:${partition}:scheduler:${region}:${account}:schedule-group/default`,
    };
}

/** The arguments of {@link declareFunctionSchedule}, validated by the caller's plan. */
export interface FunctionScheduleArgs {
    readonly functionArn: pulumi.Output<string>;
    readonly owner: string;
    /** Recorded on the execution role (`nhi:purpose`; a tag value). */
    readonly purpose: string;
    /** The schedule's description (cut to 512 characters). */
    readonly description: string;
    /** `rate(...)`, `cron(...)` or `at(...)`. */
    readonly scheduleExpression: pulumi.Input<string>;
    /** The event the function receives, as JSON. */
    readonly input: pulumi.Input<string>;
    readonly retryPolicy: { readonly maximumEventAgeInSeconds: number; readonly maximumRetryAttempts: number };
    readonly tags?: Readonly<Record<string, pulumi.Input<string>>>;
    readonly expiresAt?: string;
}

/**
 * The one builder of a schedule that invokes a function of this package, as children of `parent`
 * named `name`: its execution role (an `AwsServiceIdentity` trusted by EventBridge Scheduler of the
 * function's account, for its `default` schedule group, allowed `lambda:InvokeFunction` on the
 * function only), and the `aws.scheduler.Schedule` that invokes the function with `input`. No
 * Lambda permission is added: the execution role's identity policy is enough in one account.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
export function declareFunctionSchedule(
    parent: pulumi.Resource,
    name: string,
    args: FunctionScheduleArgs,
): { identity: AwsServiceIdentity; schedule: pulumi.CustomResource } {
    const { functionArn } = args;
    const source = functionArn.apply(schedulerSource);
    const identity = new AwsServiceIdentity(
        name,
        {
            owner: args.owner,
            purpose: args.purpose,
            trust: {
                service: {
                    principal: SCHEDULER_PRINCIPAL,
                    sourceAccount: source.sourceAccount,
                    sourceArn: source.sourceArn,
                },
            },
            grants: [{ actions: ["lambda:InvokeFunction"], resources: [functionArn] }],
            tags: args.tags,
            expiresAt: args.expiresAt,
            deprovisionAtExpiry: false,
        },
        { parent },
    );
    const schedule = new aws.scheduler.Schedule(
        name,
        {
            description: args.description.slice(0, 512),
            scheduleExpression: args.scheduleExpression,
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn: functionArn,
                roleArn: identity.roleArn,
                input: args.input,
                retryPolicy: { ...args.retryPolicy },
            },
        },
        { parent, dependsOn: [identity] },
    );
    return { identity, schedule };
}
