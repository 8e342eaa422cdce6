import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { DeferredCheck, deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { OWNERSHIP_FIELDS, requireText } from "../core/ownership";
import { ACTIONS } from "../runtime/aws/contract";
import { checkKmsKeyArn, rotationKmsGrant } from "./rotated-secret";
import { MAX_ROTATION_FUNCTION_NAME_CHARS, RotationFunction, declareRotationFunction } from "./rotation-function";
import { isTagValue, planTags } from "./tags";

export const AWS_SECRET_ROTATOR_TYPE = "nhi:aws:SecretRotator";

/**
 * The tag that gives a secret to a shared rotator: a `RotatingSecret` with `rotator` carries
 * `nhi:rotator = <rotator id>`, and the rotator's identity may touch only secrets with that tag.
 */
export const ROTATOR_TAG = "nhi:rotator";
/**
 * Names of the children: letters, digits and `_ + = . @ -`, the characters that both an IAM role
 * name and a Secrets Manager secret name accept (roles also take `,`, secrets `/`).
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
export const CHILD_NAME = /^[A-Za-z0-9_+=.@-]+$/;

/** The arguments of {@link AwsSecretRotator}. */
export interface AwsSecretRotatorArgs {
    /**
     * The team or person who answers for the rotator, recorded in the `nhi:owner` tag of its
     * function and identity. Same rules as `aws.ServiceIdentity`'s `owner`.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly owner: string;
    /** Why the rotator exists, recorded in the `nhi:purpose` tag. Same characters as `owner`. */
    readonly purpose: string;
    /**
     * The customer managed KMS keys of the secrets it rotates (their `kmsKeyArn`): the rotator's
     * identity gets `kms:Decrypt`, `kms:DescribeKey` and `kms:GenerateDataKey` on each, through
     * Secrets Manager only (`kms:ViaService`), which uses them on its behalf. The key policies must allow the account's IAM policies
     * (the default key policy does). Secrets encrypted with the `aws/secretsmanager` key need none.
     * @default none
     * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
     */
    readonly kmsKeyArns?: readonly pulumi.Input<string>[];
    /**
     * Further tags for the function, its log group and its identity. Keys starting `nhi:` or
     * `aws:` are reserved.
     * @default none
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly tags?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Everything the constructor needs, validated: the output of {@link planAwsSecretRotator}. */
export interface AwsSecretRotatorPlan {
    readonly owner: string;
    readonly purpose: string;
    /** The value of {@link ROTATOR_TAG} on the secrets this rotator may rotate. */
    readonly rotatorId: string;
    readonly kmsKeyArns: readonly pulumi.Input<string>[];
    readonly userTagKeys: readonly string[];
    readonly later: readonly DeferredCheck[];
}

/**
 * Validates `args` for a rotator called `name`, collecting every problem and throwing one
 * `InputPropertiesError`. Registers nothing. `stack` is `<project>/<stack>`, which with `name`
 * makes the rotator's id unique among the stacks that share an account.
 */
export function planAwsSecretRotator(
    name: string,
    args: AwsSecretRotatorArgs,
    stack = `${pulumi.getProject()}/${pulumi.getStack()}`,
): AwsSecretRotatorPlan {
    const problems = new Problems();
    const later: DeferredCheck[] = [];
    const a: Partial<AwsSecretRotatorArgs> = args ?? {};
    checkChildName(
        name,
        MAX_ROTATION_FUNCTION_NAME_CHARS,
        "the rotation function's role and Lambda function",
        "the IAM role name derived from it may have 64",
        problems,
    );
    const { owner, purpose } = requireText(a, ["owner", "purpose"], problems, OWNERSHIP_FIELDS);
    const tags = planTags(a.tags, { owner, purpose }, problems);
    const kmsKeyArns: pulumi.Input<string>[] = [];
    if (a.kmsKeyArns !== undefined && !Array.isArray(a.kmsKeyArns)) {
        problems.add("kmsKeyArns", `\`kmsKeyArns\` must be a list of KMS key ARNs; got ${describe(a.kmsKeyArns)}.`);
    } else {
        (a.kmsKeyArns ?? []).forEach((key, i) => {
            const checked = checkKmsKeyArn(key, problems, later, `kmsKeyArns[${i}]`);
            if (checked !== undefined) {
                kmsKeyArns.push(checked);
            }
        });
    }
    const rotatorId = `${stack}/${name}`;
    if (problems.isEmpty && !isTagValue(rotatorId)) {
        problems.add(
            "name",
            `\`name\`: the rotator's id \`${rotatorId}\` (project/stack/name) is written to the tag \`${ROTATOR_TAG}\`, which allows at most 256 letters, digits, spaces and \`_ . : / = + - @\`.`,
        );
    }
    problems.throwIfAny(`AwsSecretRotator "${name}"`);
    return { owner, purpose, rotatorId, kmsKeyArns, userTagKeys: tags.userKeys, later };
}

/**
 * Checks a component's `name` that its children are named from: letters, digits and `_ + = . @ -`,
 * at most `max` characters (`what` says which names derive from it, `limit` which of them sets the
 * limit).
 */
export function checkChildName(name: unknown, max: number, what: string, limit: string, problems: Problems): void {
    if (typeof name !== "string" || name === "") {
        problems.add("name", `\`name\` must be a non-empty string; got ${describe(name)}.`);
        return;
    }
    if (!CHILD_NAME.test(name)) {
        const bad = [...new Set(name.replace(/[A-Za-z0-9_+=.@-]/g, ""))].map((c) => `\`${c}\``).join(", ");
        problems.add(
            "name",
            `\`name\` \`${name}\` names ${what}, which allow only letters, digits and \`_+=.@-\`; remove ${bad}.`,
        );
    } else if (name.length > max) {
        problems.add(
            "name",
            `\`name\` \`${name}\` is ${name.length} characters; it names ${what}, so it may have at most ${max} (${limit}).`,
        );
    }
}

/**
 * One rotation function that many `aws.RotatingSecret`s share (`rotator: myRotator`), for an
 * account and region with more secrets than it should have functions. Its identity may call exactly
 * the function's Secrets Manager actions on the secrets of its account and region that carry the
 * tag `nhi:rotator = <rotatorId>` (attribute-based access control), and nothing that changes tags;
 * Secrets Manager may invoke it for any secret of the account (`aws:SourceAccount`).
 *
 * Children: the children of a rotation function named `name`: an `aws.cloudwatch.LogGroup`
 * (`${name}-logs`), an `AwsServiceIdentity` (`${name}`, with its role and policy), an
 * `aws.lambda.Function` (`${name}`) and an `aws.lambda.Permission` (`${name}-invoke`).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html
 */
export class AwsSecretRotator extends pulumi.ComponentResource {
    /**
     * The value of the `nhi:rotator` tag on the secrets this rotator may rotate:
     * `<project>/<stack>/<name>`, unique among the stacks that share the account.
     */
    public readonly rotatorId: string;
    /** The ARN of the rotation function. */
    public readonly functionArn: pulumi.Output<string>;
    /** The ARN of the function's role. */
    public readonly roleArn: pulumi.Output<string>;
    /** The customer managed KMS keys the rotator may use, as given. */
    public readonly kmsKeyArns: readonly pulumi.Input<string>[];
    /** The function, for the secrets that share it. */
    public readonly rotationFunction: RotationFunction;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link AwsSecretRotatorArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the AWS account and region of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: AwsSecretRotatorArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planAwsSecretRotator(name, args);
        super(AWS_SECRET_ROTATOR_TYPE, name, {}, withLegacyType(AWS_SECRET_ROTATOR_TYPE, name, opts));
        const guard = deployTimeGuard(`AwsSecretRotator "${name}"`, this, plan.later);
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const region = aws.getRegionOutput({}, invoke).region;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        // Every secret of the account and region, narrowed to those tagged for this rotator.
        const secrets = pulumi.interpolate`arn:${partition}:secretsmanager:${region}:${account}:secret:*`;
        this.rotationFunction = declareRotationFunction(this, name, {
            entry: "aws/rotate-secret",
            owner: plan.owner,
            purpose: plan.purpose,
            grants: [
                {
                    actions: [...ACTIONS.secretsmanager],
                    resources: [secrets],
                    whereTagged: { [ROTATOR_TAG]: plan.rotatorId },
                },
                ...plan.kmsKeyArns.map((key) => rotationKmsGrant(guard(key))),
            ],
            invokedBy: { sourceAccount: account },
            tags:
                args.tags === undefined
                    ? undefined
                    : Object.fromEntries(plan.userTagKeys.map((k) => [k, args.tags![k]])),
        });
        this.rotatorId = plan.rotatorId;
        this.functionArn = this.rotationFunction.functionArn;
        this.roleArn = this.rotationFunction.identity.roleArn;
        this.kmsKeyArns = plan.kmsKeyArns;
        // As `AwsServiceIdentity`: every value is already in the state of the child that holds it.
        this.registerOutputs({});
    }
}
