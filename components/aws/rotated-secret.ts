import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, checkNowOrLater } from "../core/deferred";
import { Problems, describe, numberHint } from "../core/errors";

export { numberHint } from "../core/errors";
import { AwsGrant } from "./grants";
import { POLICY_VERSION, PolicyDocument } from "./policy";
import { RotationFunction } from "./rotation-function";
import { AwsServiceIdentity } from "./service-identity";

/**
 * The one way this package declares a Secrets Manager secret whose value only a rotation function
 * ever writes: the secret, with a resource policy for its readers, and its rotation schedule,
 * rotated once at creation so that the first value is minted without a human. Used by
 * `aws.RotatingSecret` and `aws.AccessKeyIdentity` (the secret that holds the key).
 *
 * No `aws.secretsmanager.SecretVersion`, and nothing random, is ever declared: the value is never
 * in a Pulumi input, output or state.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
 */

/** What a reader may do on the secret: read its value and its metadata, nothing else. */
export const READER_ACTIONS: readonly string[] = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"];
/**
 * AWS: a deleted secret can be recovered for 7–30 days (`RecoveryWindowInDays`). This package never
 * deletes one at once (`ForceDeleteWithoutRecovery`, or 0 days, is not offered).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
 */
export const MIN_RECOVERY_WINDOW_DAYS = 7;
export const MAX_RECOVERY_WINDOW_DAYS = 30;
/**
 * AWS: `AutomaticallyAfterDays` is 1–1,000; issue 7 bounds the period to 1–365.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
 */
export const MIN_ROTATION_DAYS = 1;
export const MAX_ROTATION_DAYS = 365;
/** How long a deleted secret stays recoverable when the caller does not say: AWS's own default. */
export const DEFAULT_RECOVERY_WINDOW_DAYS = 30;
/**
 * What a rotation function needs on the customer managed KMS key of its secret: Secrets Manager
 * calls KMS on the function's behalf, with the function's credentials, to encrypt a new version
 * (`GenerateDataKey`) and to read one (`Decrypt`); AWS's example statement adds `DescribeKey`.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */
export const ROTATION_KMS_ACTIONS: readonly string[] = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"];
/** A KMS key's ARN (not an alias: IAM policies name keys by key ARN). */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/** An IAM principal a secret's resource policy may name: an account root, a role or a user. */
const READER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;

/** Who may read a secret: an IAM principal's ARN, or an `aws.ServiceIdentity` (its role). */
export type SecretReader = pulumi.Input<string> | AwsServiceIdentity;

/**
 * Where a generated credential is kept, and who may read it: the arguments that
 * `aws.RotatingSecret` and `aws.AccessKeyIdentity` (for its key's secret) share.
 */
export interface AwsSecretStorageArgs {
    /**
     * Who may read the secret: IAM principal ARNs (an account's `…:root`, a role, a user) or
     * `aws.ServiceIdentity` objects (their role). Each may call `secretsmanager:GetSecretValue` and
     * `secretsmanager:DescribeSecret` on this secret only, through the secret's resource policy; a
     * principal of another account also needs an identity policy of its own. ARNs known only at
     * deploy time are checked when they resolve. Instead of listing a reader here, an identity's
     * own `grants` can name the secret (`secretArn`, `keySecretArn`) with those two actions.
     * @default no reader but the account's administrators
     * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
     */
    readonly readers?: readonly SecretReader[];
    /**
     * The customer managed KMS key that encrypts the secret. The rotation function gets
     * `kms:Decrypt`, `kms:DescribeKey` and `kms:GenerateDataKey` on it, through Secrets Manager
     * only (`kms:ViaService`; with a shared `aws.SecretRotator`, the key must be among the
     * rotator's `kmsKeyArns`); readers need `kms:Decrypt` on it, which the key's policy must allow
     * (or the reader's own identity policy, if the key policy delegates to IAM).
     * @default the account's `aws/secretsmanager` key
     * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * Days a deleted secret stays recoverable, 7–30 (AWS limits). Never 0: deleting the component
     * never destroys the credential at once.
     * @default 30
     * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
     */
    readonly recoveryWindowInDays?: number;
}

/** The arguments of {@link declareRotatedSecret}, validated by the caller's own plan. */
export interface RotatedSecretArgs {
    /** The secret's description (AWS: at most 2,048 characters). */
    readonly description: string;
    /** Every tag of the secret: the caller's ownership tags and the tags its rotation function reads. */
    readonly tags: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * The KMS key that encrypts the secret; undefined for the account's `aws/secretsmanager` key.
     * The rotation function's grants must then include `kms:Decrypt` and `kms:GenerateDataKey` on it.
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Days a deleted secret stays recoverable, {@link MIN_RECOVERY_WINDOW_DAYS}–{@link MAX_RECOVERY_WINDOW_DAYS}. */
    readonly recoveryWindowInDays: number;
    /** The principals (IAM ARNs) that may read the secret ({@link READER_ACTIONS}), through its resource policy. */
    readonly readers: readonly pulumi.Input<string>[];
    /** The rotation period, {@link MIN_ROTATION_DAYS}–{@link MAX_ROTATION_DAYS} days. */
    readonly rotateEveryDays: number;
    /**
     * The function that rotates the secret, given the secret's ARN: a function declared for this
     * secret alone (whose grants name that ARN), or a shared one that ignores it.
     */
    readonly rotationFunction: (secretArn: pulumi.Output<string>) => RotationFunction;
}

/** What {@link declareRotatedSecret} declared. */
export interface RotatedSecret {
    /** The `aws.secretsmanager.Secret` (typed without `@pulumi/aws`, so that no declaration file of the package needs it). */
    readonly secret: pulumi.CustomResource & {
        readonly arn: pulumi.Output<string>;
        readonly name: pulumi.Output<string>;
    };
    /** The `aws.secretsmanager.SecretRotation`. */
    readonly rotation: pulumi.CustomResource;
    readonly rotationFunction: RotationFunction;
}

/**
 * Declares, as children of `parent`:
 * - `aws.secretsmanager.Secret` `${name}-secret` (auto-named), with `args.readers` in its resource
 *   policy ({@link renderReaderPolicy}) and `recoveryWindowInDays`;
 * - `aws.secretsmanager.SecretRotation` `${name}-rotation`: `rotationRules.automaticallyAfterDays`
 *   = `rotateEveryDays`, `rotateImmediately: true`: configuring it starts the first rotation,
 *   asynchronously (`RotateSecret`), which mints the first value within seconds; declared after
 *   the function's policies and invoke permission exist (`ready`).
 * Between them, `args.rotationFunction(secret.arn)` declares (or returns) the function.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
 */
export function declareRotatedSecret(parent: pulumi.Resource, name: string, args: RotatedSecretArgs): RotatedSecret {
    const secret = new aws.secretsmanager.Secret(
        `${name}-secret`,
        {
            description: args.description.slice(0, 2048),
            kmsKeyId: args.kmsKeyArn,
            recoveryWindowInDays: args.recoveryWindowInDays,
            policy: readerPolicyInput(args.readers),
            tags: args.tags,
        },
        { parent },
    );
    const rotationFunction = args.rotationFunction(secret.arn);
    const rotation = new aws.secretsmanager.SecretRotation(
        `${name}-rotation`,
        {
            secretId: secret.id,
            rotationLambdaArn: rotationFunction.functionArn,
            rotationRules: { automaticallyAfterDays: args.rotateEveryDays },
            rotateImmediately: true,
        },
        { parent, dependsOn: [...rotationFunction.ready] },
    );
    return { secret, rotation, rotationFunction };
}

/**
 * The secret's resource policy: the readers may call {@link READER_ACTIONS} on this secret
 * (`Resource: "*"` in a secret's resource policy is the secret itself); no statement at all when
 * there are no readers. Same-account readers need nothing more (the resource policy suffices);
 * readers of another account also need an identity policy of their own.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
 */
export function renderReaderPolicy(readers: readonly string[]): PolicyDocument {
    const principals = [...new Set(readers)].sort();
    return {
        Version: POLICY_VERSION,
        Statement:
            principals.length === 0
                ? []
                : [
                      {
                          Effect: "Allow",
                          Principal: { AWS: principals },
                          Action: [...READER_ACTIONS],
                          Resource: ["*"],
                      },
                  ],
    };
}

/**
 * The `policy` input: the rendered policy, or `"{}"` with no readers, which the provider reads
 * as "no resource policy" (and, when readers are removed, deletes the one there was).
 */
function readerPolicyInput(readers: readonly pulumi.Input<string>[]): pulumi.Input<string> {
    const render = (arns: readonly string[]) => (arns.length === 0 ? "{}" : JSON.stringify(renderReaderPolicy(arns)));
    return readers.every((r) => typeof r === "string")
        ? render(readers as string[])
        : pulumi.all([...readers]).apply(render);
}

/**
 * The grant a rotation function needs on the customer managed key `kmsKeyArn` of its secret(s):
 * {@link ROTATION_KMS_ACTIONS}, only through Secrets Manager (`kms:ViaService`), so the function
 * cannot use the key directly.
 */
export function rotationKmsGrant(kmsKeyArn: pulumi.Input<string>): AwsGrant {
    return { actions: [...ROTATION_KMS_ACTIONS], resources: [kmsKeyArn], viaService: "secretsmanager" };
}

/**
 * Checks a rotation period given at `path` (`rotateEveryDays`): a whole number of days from
 * {@link MIN_ROTATION_DAYS} to {@link MAX_ROTATION_DAYS}. Returns it, or undefined after
 * recording the problem.
 */
export function checkRotationDays(value: unknown, path: string, problems: Problems): number | undefined {
    if (
        typeof value === "number" &&
        Number.isInteger(value) &&
        value >= MIN_ROTATION_DAYS &&
        value <= MAX_ROTATION_DAYS
    ) {
        return value;
    }
    problems.add(
        path,
        `\`${path}\` must be a whole number of days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}; got ${describe(value)}.${numberHint(value)}`,
    );
    return undefined;
}

/**
 * Checks `recoveryWindowInDays`: {@link MIN_RECOVERY_WINDOW_DAYS}–{@link MAX_RECOVERY_WINDOW_DAYS}
 * whole days, {@link DEFAULT_RECOVERY_WINDOW_DAYS} when undefined. There is no way to delete at once.
 */
export function checkRecoveryWindow(value: unknown, problems: Problems): number {
    if (value === undefined) {
        return DEFAULT_RECOVERY_WINDOW_DAYS;
    }
    if (
        typeof value === "number" &&
        Number.isInteger(value) &&
        value >= MIN_RECOVERY_WINDOW_DAYS &&
        value <= MAX_RECOVERY_WINDOW_DAYS
    ) {
        return value;
    }
    problems.add(
        "recoveryWindowInDays",
        `\`recoveryWindowInDays\` must be a whole number of days from ${MIN_RECOVERY_WINDOW_DAYS} to ${MAX_RECOVERY_WINDOW_DAYS} (AWS limits): a deleted secret stays recoverable that long, and this package never deletes one at once; got ${describe(value)}.`,
    );
    return DEFAULT_RECOVERY_WINDOW_DAYS;
}

/** Checks a KMS key ARN given at `path` now, or when it resolves; returns it. */
export function checkKmsKeyArn(
    value: unknown,
    problems: Problems,
    later: DeferredCheck[],
    path = "kmsKeyArn",
): pulumi.Input<string> | undefined {
    if (value === undefined) {
        return undefined;
    }
    const problem = (v: unknown) =>
        typeof v === "string" && KMS_KEY_ARN.test(v)
            ? undefined
            : `\`${path}\` must be the ARN of a KMS key, \`arn:aws:kms:<region>:<account>:key/<key id>\` (such as \`key.arn\` of an \`aws.kms.Key\`; an alias is not enough, since IAM policies name keys by ARN); got ${describe(v)}.`;
    if (typeof value === "string" || pulumi.Output.isInstance(value) || value instanceof Promise) {
        checkNowOrLater({ path, value: value as pulumi.Input<string>, problem }, problems, later);
        return value as pulumi.Input<string>;
    }
    problems.add(path, problem(value)!);
    return undefined;
}

/**
 * Checks `readers`: a list of IAM principal ARNs (an account's `root`, a role, a user) or
 * `aws.ServiceIdentity` objects, each checked now or when it resolves. Returns the principals'
 * ARNs (a `ServiceIdentity`'s role ARN), in order; `[]` when undefined.
 */
export function planReaders(readers: unknown, problems: Problems, later: DeferredCheck[]): pulumi.Input<string>[] {
    if (readers === undefined) {
        return [];
    }
    if (!Array.isArray(readers)) {
        problems.add(
            "readers",
            `\`readers\` must be a list of IAM principal ARNs or \`aws.ServiceIdentity\` objects; got ${describe(readers)}.`,
        );
        return [];
    }
    const arns: pulumi.Input<string>[] = [];
    readers.forEach((reader: unknown, i) => {
        const path = `readers[${i}]`;
        if (reader instanceof AwsServiceIdentity) {
            arns.push(reader.roleArn);
            return;
        }
        const problem = (v: unknown) => readerProblem(path, v);
        if (typeof reader === "string" || pulumi.Output.isInstance(reader) || reader instanceof Promise) {
            checkNowOrLater({ path, value: reader as pulumi.Input<string>, problem }, problems, later);
            arns.push(reader as pulumi.Input<string>);
        } else {
            problems.add(path, problem(reader)!);
        }
    });
    return arns;
}

function readerProblem(path: string, value: unknown): string | undefined {
    if (typeof value === "string" && READER_ARN.test(value)) {
        return undefined;
    }
    const resource =
        value !== null && typeof value === "object" && pulumi.Resource.isInstance(value)
            ? " A resource object is not a reader: pass its ARN (`role.arn`), or the `aws.ServiceIdentity` itself."
            : typeof value === "string" && /^[\w+=,.@-]+$/.test(value)
              ? ` A name is not enough: pass the role's ARN, \`arn:aws:iam::<account>:role/${value}\`.`
              : typeof value === "string" && /^(serviceAccount|user|group|principal|principalSet|domain):/.test(value)
                ? " That is a Google Cloud IAM member; readers of an AWS secret are AWS principals."
                : "";
    return `\`${path}\` must be an IAM principal ARN (\`arn:aws:iam::<account>:role/<name>\`, \`…:user/<name>\` or \`…:root\`, without wildcards) or an \`aws.ServiceIdentity\`; got ${describe(value)}.${resource}`;
}
