import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { requireText } from "../core/ownership";
import { AwsPrincipalArgs, AwsPrincipalComponent, AwsPrincipalPlan, PrincipalKind, planAwsPrincipal, principalTags, registerPolicies } from "./principal";
import { USER_POLICY_LIMITS } from "./policy";
import { MAX_TAG_VALUE_CHARS, isTagValue, tagValueFix } from "./tags";

export const AWS_ACCESS_KEY_IDENTITY_TYPE = "nhi:index:AwsAccessKeyIdentity";

/** The user child is `${name}-user`, so the physical user name is `${name}-user-1a2b3c4`. */
export const USER_CHILD_SUFFIX = "-user";
/**
 * The IAM path of the user and its managed policies unless `path` says otherwise: every machine
 * user of this package is then listed by `aws iam list-users --path-prefix /nhi/`, apart from people.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
 */
export const DEFAULT_USER_PATH = "/nhi/";
/** The tag that records what uses the key. */
export const CONSUMER_TAG = "nhi:consumer";
/** A rotation period: whole days, 1–365 (issue 7; Secrets Manager allows up to 1,000). */
export const MIN_ROTATE_EVERY_DAYS = 1;
export const MAX_ROTATE_EVERY_DAYS = 365;
/**
 * The grace period unless `graceDays` says otherwise: a day, time for a consumer that reads the
 * key daily to switch; 0 when the period is one day (the grace must be shorter than the period).
 */
export const DEFAULT_GRACE_DAYS = 1;

/** An identity whose grants an IAM user holds, with IAM's per-user limits. */
const USER: PrincipalKind = {
    component: "AwsAccessKeyIdentity",
    noun: "user",
    childSuffix: USER_CHILD_SUFFIX,
    limits: USER_POLICY_LIMITS,
    expiryConsequence: "AWS stops honouring the user's policies: its access keys can do nothing",
};

/** The arguments of {@link AwsAccessKeyIdentity}: those of every AWS identity, and the key's own. */
export interface AwsAccessKeyIdentityArgs extends AwsPrincipalArgs {
    /**
     * What uses the key: the one vendor, appliance or program that can only take a static access
     * key (`acme-vendor`), recorded in the `nhi:consumer` tag of the user and the secret. One
     * identity per consumer: a key shared by two consumers cannot be revoked from one alone.
     * Same characters as `owner`, at most 256 (AWS tag values).
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
     */
    readonly consumer: string;
    /**
     * How often the rotation function mints a new key, in whole days, 1–365. Secrets Manager runs
     * it on this schedule, and once when the identity is created (the first key).
     * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
     */
    readonly rotateEveryDays: number;
    /**
     * How long, in whole days, the previous key stays Active after a rotation, so that a consumer
     * that polls the secret can switch. Shorter than `rotateEveryDays`: the previous key is
     * deactivated, then deleted, at the next rotation once its grace is over, so it is usable for
     * at least `graceDays` and at most one period. A rotation started by hand inside the grace
     * fails without touching a key (IAM allows two keys per user) and succeeds once it ends.
     * @default 1 (0 when `rotateEveryDays` is 1)
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html
     */
    readonly graceDays?: number;
    /**
     * The IAM path of the user and its managed policies, `/` or `/team/`.
     * @default "/nhi/"
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
     */
    readonly path?: string;
}

/** Everything the constructor needs, validated: the output of {@link planAwsAccessKeyIdentity}. */
export interface AwsAccessKeyIdentityPlan extends AwsPrincipalPlan {
    readonly consumer: string;
    readonly rotateEveryDays: number;
    readonly graceDays: number;
    /** The user's (and its managed policies') path. */
    readonly path: string;
}

/**
 * Validates `args` for an identity called `name` and plans its documents, collecting every
 * problem and throwing one {@link pulumi.InputPropertiesError}. Registers nothing.
 */
export function planAwsAccessKeyIdentity(name: string, args: AwsAccessKeyIdentityArgs, now: Date = new Date()): AwsAccessKeyIdentityPlan {
    const a: Partial<AwsAccessKeyIdentityArgs> = args ?? {};
    let consumer = "";
    let schedule = { rotateEveryDays: 0, graceDays: 0 };
    const plan = planAwsPrincipal(name, args, USER, now, {
        own: (problems) => {
            consumer = planConsumer(a.consumer, problems);
            return consumer === "" ? undefined : { [CONSUMER_TAG]: consumer };
        },
        options: (problems) => {
            schedule = planSchedule(a.rotateEveryDays, a.graceDays, problems);
        },
    });
    return { ...plan, consumer, ...schedule, path: a.path ?? DEFAULT_USER_PATH };
}

/** The trimmed `consumer`, or "" after recording why it cannot be one. */
function planConsumer(value: unknown, problems: Problems): string {
    const { consumer } = requireText({ consumer: value }, ["consumer"], problems, { consumer: "what uses the access key, such as `acme-vendor`" });
    if (consumer !== undefined && !isTagValue(consumer)) {
        problems.add("consumer", `\`consumer\` is written to the IAM tag \`${CONSUMER_TAG}\`, which allows at most ${MAX_TAG_VALUE_CHARS} letters, digits, spaces and \`_ . : / = + - @\`; ${tagValueFix(consumer)}.`);
        return "";
    }
    return consumer ?? "";
}

/**
 * The rotation period and grace, checked: whole days, the period 1–365, the grace from 0 and
 * shorter than the period (the runtime's `nhi:grace-days` tag accepts 0–364).
 */
export function planSchedule(rotateEveryDays: unknown, graceDays: unknown, problems: Problems): { rotateEveryDays: number; graceDays: number } {
    const period = rotateEveryDays;
    const periodOk = typeof period === "number" && Number.isInteger(period) && period >= MIN_ROTATE_EVERY_DAYS && period <= MAX_ROTATE_EVERY_DAYS;
    if (!periodOk) {
        problems.add("rotateEveryDays", `\`rotateEveryDays\` must be a whole number of days from ${MIN_ROTATE_EVERY_DAYS} to ${MAX_ROTATE_EVERY_DAYS}; got ${describe(period)}.`);
    }
    if (graceDays === undefined) {
        return { rotateEveryDays: periodOk ? period : 0, graceDays: periodOk ? Math.min(DEFAULT_GRACE_DAYS, period - 1) : 0 };
    }
    if (typeof graceDays !== "number" || !Number.isInteger(graceDays) || graceDays < 0) {
        problems.add("graceDays", `\`graceDays\` must be a whole number of days from 0, shorter than \`rotateEveryDays\`; got ${describe(graceDays)}.`);
    } else if (periodOk && graceDays >= period) {
        problems.add("graceDays", `\`graceDays\` (${graceDays}) must be shorter than \`rotateEveryDays\` (${period}): the previous key is retired at the next rotation, which comes after one period. Give at most ${period - 1}, or rotate less often.`);
    }
    return { rotateEveryDays: periodOk ? period : 0, graceDays: typeof graceDays === "number" ? graceDays : 0 };
}

/**
 * An IAM user for one consumer that can only take a static access key, whose key is minted and
 * rotated inside AWS and never passes through Pulumi: no `aws.iam.AccessKey` anywhere, nothing
 * of the key in any input, output or state. The user's grants are checked as an
 * `aws.ServiceIdentity`'s (the same code), laid out within a user's own policy limits.
 *
 * Children: an `aws.iam.User` (`${name}-user`; no login profile, so no console access), an
 * `aws.iam.UserPolicy` (`${name}-policy`) when there are grants, and, only when the grants
 * overflow the user's 2,048-character inline policy, one `aws.iam.Policy` and
 * `aws.iam.UserPolicyAttachment` per overflow document (`${name}-policy-2`, `-3`, …).
 */
export class AwsAccessKeyIdentity extends AwsPrincipalComponent {
    /** The name of the IAM user. */
    public readonly userName: pulumi.Output<string>;
    /** The ARN of the IAM user. */
    public readonly userArn: pulumi.Output<string>;

    constructor(name: string, args: AwsAccessKeyIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planAwsAccessKeyIdentity(name, args);
        super(AWS_ACCESS_KEY_IDENTITY_TYPE, name, {}, opts);
        const subject = `AwsAccessKeyIdentity "${name}"`;
        for (const warning of plan.warnings) {
            pulumi.log.warn(warning, this);
        }
        const tags = principalTags(plan, args.tags);
        const guard = deployTimeGuard(subject, this, plan.later);
        const boundary = args.permissionsBoundaryArn;
        // `forceDestroy`: the keys the rotation function minted are not Pulumi resources, and IAM
        // refuses to delete a user that has access keys (DeleteConflict); with it, the provider
        // deletes them first. No login profile, MFA device or key is ever declared here.
        // @see https://www.pulumi.com/registry/packages/aws/api-docs/iam/user/#forcedestroy_nodejs
        const user = new aws.iam.User(`${name}${USER_CHILD_SUFFIX}`, {
            path: plan.path,
            permissionsBoundary: boundary === undefined ? undefined : guard(boundary),
            forceDestroy: true,
            tags,
        }, { parent: this });

        this.renderedPolicies = registerPolicies(this, name, USER, plan, guard, plan.path, tags, {
            inline: (child, policy) => new aws.iam.UserPolicy(child, { user: user.name, policy }, { parent: this }),
            attach: (child, policyArn) => new aws.iam.UserPolicyAttachment(child, { user: user.name, policyArn }, { parent: this }),
        });
        this.userName = user.name;
        this.userArn = user.arn;
        // No outputs are registered in the state: every value is already in the state of the child
        // that holds it (see AwsServiceIdentity).
        this.registerOutputs({});
    }
}
