import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { AnyDeferredCheck, deployTimeGuard } from "../core/deferred";
import { Problems, describe, didYouMean, oneOf } from "../core/errors";
import { OWNERSHIP_FIELDS, requireText } from "../core/ownership";
import { closestNames } from "../core/suggest";
import { ACTIONS, FORMAT_TAG, LENGTH_TAG } from "../runtime/aws/contract";
import { ALPHABETS, DEFAULT_FORMAT, DEFAULT_LENGTH, MAX_LENGTH, MIN_LENGTH, ValueFormat } from "../runtime/value";
import {
    AwsSecretStorageArgs,
    checkKmsKeyArn,
    checkRecoveryWindow,
    checkRotationDays,
    declareRotatedSecret,
    numberHint,
    planReaders,
    rotationKmsGrant,
} from "./rotated-secret";
import { MAX_ROTATION_FUNCTION_NAME_CHARS, RotationFunction, declareRotationFunction } from "./rotation-function";
import { AwsSecretRotator, ROTATOR_TAG, checkChildName } from "./secret-rotator";
import { MAX_TAGS, TagPlan, givenTags, planTags } from "./tags";
import { AwsRotationAlarm, MonitorLater, checkAfterProgram, notifyTag, planRotationAlarm } from "./usage-settings";

export const AWS_ROTATING_SECRET_TYPE = "nhi:aws:RotatingSecret";

/** The per-secret function is `${name}-rotator`, so its identity's name limit sets the secret's. */
export const ROTATOR_SUFFIX = "-rotator";
/** The longest `name` of a secret with its own function: the function's role name must fit in 64 characters. */
export const MAX_ROTATING_SECRET_NAME_CHARS = MAX_ROTATION_FUNCTION_NAME_CHARS - ROTATOR_SUFFIX.length;
/**
 * The longest `name` of a secret that shares a rotator: the secret `${name}-secret-xxxxxxx` may
 * have 512 characters (AWS).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
export const MAX_SHARED_SECRET_NAME_CHARS = 512 - "-secret-".length - 7;
/** The tags that tell the function what to generate: `nhi:value-length` and `nhi:value-format`. */
const VALUE_TAGS = 2;

/** The value formats, in the order messages list them. */
export const VALUE_FORMATS = Object.keys(ALPHABETS) as ValueFormat[];

/** The value a rotation generates. */
export interface AwsRotatingSecretValue {
    /**
     * The number of characters, 16–4,096 (issue 7's bounds; Secrets Manager allows 65,536 bytes).
     * Recorded in the secret's `nhi:value-length` tag, which the rotation function reads.
     * @default 32
     */
    readonly length?: number;
    /**
     * The characters: `alphanumeric` (`A–Z a–z 0–9`), `printable` (ASCII `!` to `~`, no space),
     * `hex` (`0–9 a–f`) or `base64` (RFC 4648's alphabet, no padding). Each character is drawn
     * uniformly from the Lambda's `crypto.randomBytes`. Recorded in the `nhi:value-format` tag.
     * @default "alphanumeric"
     * @see https://www.rfc-editor.org/rfc/rfc4648#section-4
     */
    readonly format?: ValueFormat;
}

/** The arguments of {@link AwsRotatingSecret}. */
export interface AwsRotatingSecretArgs extends AwsSecretStorageArgs {
    /**
     * The team or person who answers for this secret, recorded in the `nhi:owner` tag of the secret
     * and of its rotation function. Letters, digits, spaces and `_ . : / = + - @`, at most 256
     * characters (AWS tag values).
     * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/managing-secrets_tagging.html
     */
    readonly owner: string;
    /** Why this secret exists, recorded in the `nhi:purpose` tag. Same characters as `owner`. */
    readonly purpose: string;
    /**
     * Days between rotations, a whole number from 1 to 365 (Secrets Manager allows up to 1,000).
     * Secrets Manager runs the rotation function on that schedule
     * (`RotationRules.AutomaticallyAfterDays`), and once at creation to mint the first value.
     * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
     */
    readonly rotateEveryDays: number;
    /**
     * The generated value's length and characters.
     * @default `{ length: 32, format: "alphanumeric" }`
     */
    readonly value?: AwsRotatingSecretValue;
    /**
     * A shared rotation function (`new aws.SecretRotator(…)`) instead of one for this secret
     * alone: the secret is tagged `nhi:rotator = <rotator.rotatorId>`, the only secrets the
     * rotator's identity may touch. Two cloud resources per secret (the secret and its rotation)
     * instead of seven.
     * @default a rotation function for this secret alone
     */
    readonly rotator?: AwsSecretRotator;
    /**
     * Notify `notify` when no rotation of this secret has succeeded for longer than
     * `rotateEveryDays` plus a day (a secret never rotated counts from its creation), once, and
     * once more when a rotation succeeds again. The `aws.UsageMonitor` of the secret's account and
     * region checks every secret of this package daily (`secretsmanager:ListSecrets`); this says
     * whom it tells. Needs that monitor in the stack, with `notify` among its `notifyTopics`.
     * @default no notice (the monitor still counts the secret in `SecretsRotationStale`)
     * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html
     */
    readonly rotationAlarm?: AwsRotationAlarm;
    /**
     * Further tags for the secret (and its own rotation function). Keys starting `nhi:` or `aws:`
     * are reserved.
     * @default none
     * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/managing-secrets_tagging.html
     */
    readonly tags?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Everything the constructor needs, validated: the output of {@link planAwsRotatingSecret}. */
export interface AwsRotatingSecretPlan {
    readonly owner: string;
    readonly purpose: string;
    readonly rotateEveryDays: number;
    readonly length: number;
    readonly format: ValueFormat;
    readonly readers: readonly pulumi.Input<string>[];
    readonly kmsKeyArn?: pulumi.Input<string>;
    readonly recoveryWindowInDays: number;
    readonly rotator?: AwsSecretRotator;
    readonly tags: TagPlan;
    /** `rotationAlarm`: its topic and, if the monitor is not declared yet, where to find it. */
    readonly rotationAlarm: { readonly notify?: pulumi.Input<string>; readonly monitorLater?: MonitorLater };
    readonly later: readonly AnyDeferredCheck[];
}

/**
 * Validates `args` for a secret called `name`, collecting every problem and throwing one
 * `InputPropertiesError`. Registers nothing.
 */
export function planAwsRotatingSecret(
    name: string,
    args: AwsRotatingSecretArgs,
    opts?: pulumi.ComponentResourceOptions,
): AwsRotatingSecretPlan {
    const problems = new Problems();
    const later: AnyDeferredCheck[] = [];
    const a: Partial<AwsRotatingSecretArgs> = args ?? {};
    const rotator = a.rotator;
    if (rotator !== undefined && !(rotator instanceof AwsSecretRotator)) {
        problems.add(
            "rotator",
            `\`rotator\` must be an \`aws.SecretRotator\`; got ${describe(rotator)}. Leave it out for a rotation function of this secret's own.`,
        );
    }
    const shared = rotator instanceof AwsSecretRotator;
    checkChildName(
        name,
        shared ? MAX_SHARED_SECRET_NAME_CHARS : MAX_ROTATING_SECRET_NAME_CHARS,
        shared ? "the secret" : "the secret and its rotation function's role",
        shared
            ? "the secret's name derived from it may have 512"
            : `the IAM role name \`${name}${ROTATOR_SUFFIX}-role-xxxxxxx\` derived from it may have 64`,
        problems,
    );
    const { owner, purpose } = requireText(a, ["owner", "purpose"], problems, OWNERSHIP_FIELDS);
    const rotateEveryDays = checkRotationDays(a.rotateEveryDays, "rotateEveryDays", problems);
    const { length, format } = planValue(a.value, problems);
    const readers = planReaders(a.readers, problems, later);
    const kmsKeyArn = checkKmsKeyArn(a.kmsKeyArn, problems, later);
    if (
        shared &&
        typeof kmsKeyArn === "string" &&
        rotator.kmsKeyArns.every((k) => typeof k === "string") &&
        !rotator.kmsKeyArns.includes(kmsKeyArn)
    ) {
        problems.add(
            "kmsKeyArn",
            `\`kmsKeyArn\` \`${kmsKeyArn}\` is not among the \`kmsKeyArns\` of the rotator \`${rotator.rotatorId}\`, so it could not rotate this secret; add the key there.`,
        );
    }
    const recoveryWindowInDays = checkRecoveryWindow(a.recoveryWindowInDays, problems);
    const rotationAlarm = planRotationAlarm(a.rotationAlarm, problems, later, opts);
    const tags = planTags(a.tags, { owner, purpose }, problems);
    // Secrets Manager allows 50 tags on a secret, as IAM on a role (MAX_TAGS); planTags counted
    // the ownership tags only.
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html
    const written =
        Object.keys(tags.tags).length + VALUE_TAGS + (shared ? 1 : 0) + (rotationAlarm.notify === undefined ? 0 : 1);
    const given = a.tags !== null && typeof a.tags === "object" ? Object.keys(a.tags).length : 0;
    if (Object.keys(tags.tags).length + given <= MAX_TAGS && written + given > MAX_TAGS) {
        problems.add(
            "tags",
            `\`tags\` has ${given} tags; with the ${written} \`nhi:\` tags pulumi-nhi writes on the secret that is ${written + given}, more than the ${MAX_TAGS} Secrets Manager allows on a secret.`,
        );
    }
    problems.throwIfAny(`AwsRotatingSecret "${name}"`);
    return {
        owner,
        purpose,
        rotateEveryDays: rotateEveryDays!,
        length,
        format,
        readers,
        kmsKeyArn,
        recoveryWindowInDays,
        rotator: shared ? rotator : undefined,
        tags,
        rotationAlarm,
        later,
    };
}

function planValue(value: unknown, problems: Problems): { length: number; format: ValueFormat } {
    if (value === undefined) {
        return { length: DEFAULT_LENGTH, format: DEFAULT_FORMAT };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problems.add(
            "value",
            `\`value\` must be \`{ length?, format? }\`, such as \`{ length: 64, format: "hex" }\`; got ${describe(value)}.`,
        );
        return { length: DEFAULT_LENGTH, format: DEFAULT_FORMAT };
    }
    const { length = DEFAULT_LENGTH, format = DEFAULT_FORMAT } = value as { length?: unknown; format?: unknown };
    const okLength =
        typeof length === "number" && Number.isInteger(length) && length >= MIN_LENGTH && length <= MAX_LENGTH;
    if (!okLength) {
        problems.add(
            "value.length",
            `\`value.length\` must be a whole number of characters from ${MIN_LENGTH} to ${MAX_LENGTH}; got ${describe(length)}.${numberHint(length)}`,
        );
    }
    const okFormat = typeof format === "string" && (VALUE_FORMATS as string[]).includes(format);
    if (!okFormat) {
        const hint = typeof format === "string" ? didYouMean(closestNames(format, VALUE_FORMATS)) : "";
        problems.add(
            "value.format",
            `\`value.format\` must be one of ${oneOf(VALUE_FORMATS)}; got ${describe(format)}.${hint}`,
        );
    }
    return { length: okLength ? length : DEFAULT_LENGTH, format: okFormat ? (format as ValueFormat) : DEFAULT_FORMAT };
}

/** How a secret is rotated: by a function of its own, or by a shared `aws.SecretRotator`. */
export interface AwsRotatingSecretRotator {
    /** `per-secret` (the default) or `shared`. */
    readonly mode: "per-secret" | "shared";
    /** The ARN of the rotation function. */
    readonly functionArn: pulumi.Output<string>;
    /** The ARN of the function's role, the only identity (beside the readers) that reads the value. */
    readonly roleArn: pulumi.Output<string>;
    /** The shared rotator's id (its `nhi:rotator` tag value); undefined for a function of its own. */
    readonly rotatorId?: string;
}

/**
 * A Secrets Manager secret whose value is generated by a rotation function this package ships, on
 * Secrets Manager's schedule, and never passes through Pulumi: not in state, preview or outputs.
 *
 * The first value is minted at creation (the rotation is configured to run at once); each
 * rotation makes the new value `AWSCURRENT` and leaves the one before readable as `AWSPREVIOUS`
 * until the next rotation, so the parties that share the secret can accept either during the
 * overlap. Readers may read this secret only, through its resource policy.
 *
 * Children: an `aws.secretsmanager.Secret` (`${name}-secret`) and its
 * `aws.secretsmanager.SecretRotation` (`${name}-rotation`); without `rotator`, also the
 * children of a rotation function for this secret alone (`${name}-rotator`: a log group, an
 * `AwsServiceIdentity` with its role and policy, an `aws.lambda.Function` and an
 * `aws.lambda.Permission`).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
 */
export class AwsRotatingSecret extends pulumi.ComponentResource {
    /** The ARN of the secret: what readers pass as `SecretId`. */
    public readonly secretArn: pulumi.Output<string>;
    /** The physical name of the secret. */
    public readonly secretName: pulumi.Output<string>;
    /** The rotation period in days, as given. */
    public readonly rotateEveryDays: number;
    /** The readers' principal ARNs (a `ServiceIdentity`'s role ARN), as given. */
    public readonly readerArns: readonly pulumi.Input<string>[];
    /** The function that rotates the secret, and whether it is this secret's own. */
    public readonly rotator: AwsRotatingSecretRotator;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link AwsRotatingSecretArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the AWS account and region of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: AwsRotatingSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planAwsRotatingSecret(name, args, opts);
        super(AWS_ROTATING_SECRET_TYPE, name, {}, withLegacyType(AWS_ROTATING_SECRET_TYPE, name, opts));
        const subject = `AwsRotatingSecret "${name}"`;
        checkAfterProgram(subject, this, plan.rotationAlarm);
        const guard = deployTimeGuard(subject, this, plan.later);
        const userTags = givenTags(plan.tags, args.tags);
        const kmsKeyArn = plan.kmsKeyArn === undefined ? undefined : guard(plan.kmsKeyArn);
        const tags: Record<string, pulumi.Input<string>> = {
            ...userTags,
            ...plan.tags.tags,
            [LENGTH_TAG]: String(plan.length),
            [FORMAT_TAG]: plan.format,
            ...(plan.rotator === undefined ? {} : { [ROTATOR_TAG]: plan.rotator.rotatorId }),
            ...notifyTag(plan.rotationAlarm, guard),
        };
        const ownFunction = (secretArn: pulumi.Output<string>): RotationFunction =>
            declareRotationFunction(this, `${name}${ROTATOR_SUFFIX}`, {
                entry: "aws/rotate-secret",
                owner: plan.owner,
                purpose: plan.purpose,
                grants: [
                    { actions: [...ACTIONS.secretsmanager], resources: [secretArn] },
                    ...(kmsKeyArn === undefined ? [] : [rotationKmsGrant(kmsKeyArn)]),
                ],
                invokedBy: { secretArn },
                tags: userTags,
            });
        const { secret, rotationFunction } = declareRotatedSecret(this, name, {
            description: `${plan.purpose} (owner: ${plan.owner}). Generated and rotated every ${plan.rotateEveryDays} days by pulumi-nhi; read AWSCURRENT, accept AWSCURRENT or AWSPREVIOUS.`,
            tags,
            kmsKeyArn,
            recoveryWindowInDays: plan.recoveryWindowInDays,
            readers: plan.readers.map((r) => guard(r)),
            rotateEveryDays: plan.rotateEveryDays,
            rotationFunction: plan.rotator === undefined ? ownFunction : () => plan.rotator!.rotationFunction,
        });
        this.secretArn = secret.arn;
        this.secretName = secret.name;
        this.rotateEveryDays = plan.rotateEveryDays;
        this.readerArns = plan.readers;
        this.rotator = {
            mode: plan.rotator === undefined ? "per-secret" : "shared",
            functionArn: rotationFunction.functionArn,
            roleArn: rotationFunction.identity.roleArn,
            rotatorId: plan.rotator?.rotatorId,
        };
        // As `AwsServiceIdentity`: every value is already in the state of the child that holds it.
        this.registerOutputs({});
    }
}
