import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { requireText } from "../core/ownership";
import {
    ACTIONS,
    AFTER_EXPIRY_ACTIONS,
    DEACTIVATE_AFTER_EXPIRY_DAYS,
    EXPOSED_ACTION,
    GRACE_TAG,
    NOTIFY_TAG,
    USER_TAG,
    retireEvent,
} from "../runtime/aws/access-key-contract";
import { KEY_MAX_AGE_TAG } from "../runtime/aws/usage-contract";
import { AwsGrant } from "./grants";
import {
    AwsPrincipalArgs,
    AwsPrincipalComponent,
    AwsPrincipalPlan,
    PrincipalKind,
    deprovisionedPrincipal,
    planAwsPrincipal,
    policyDocuments,
    principalTags,
    registerPolicies,
} from "./principal";
import { declareDeprovisioning } from "./deprovision";
import { USER_POLICY_LIMITS } from "./policy";
import { givenTags } from "./tags";
import { checkAfterProgram, notifyTag } from "./usage-settings";
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
import { RotationFunction, declareFunctionSchedule, declareRotationFunction } from "./rotation-function";
import { AUTONAME_SUFFIX_CHARS } from "./service-identity";
import { MAX_TAG_VALUE_CHARS, isTagValue, ownershipTags, tagCountProblem, tagValueFix } from "./tags";

export const AWS_ACCESS_KEY_IDENTITY_TYPE = "nhi:aws:AccessKeyIdentity";

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
/** The rotation function's children are named `${name}${ROTATOR_SUFFIX}` (its role `${name}-rotator-role-1a2b3c4`). */
export const ROTATOR_SUFFIX = "-rotator";
/**
 * Why the rotation function's identity may call `iam:CreateAccessKey`, which this package's own
 * escalation check refuses without a reason (Rhino Security Labs #4): recorded in its role's
 * `nhi:escalation:CreateAccessKey` tag.
 */
export const ROTATOR_ACKNOWLEDGEMENT =
    "pulumi-nhi rotation function: mints and retires the access keys of its one IAM user and stores them in its one secret";
/** The purpose recorded on the rotation function's identity (a tag value: no commas). */
const ROTATOR_PURPOSE = "Rotates the access key of one IAM user into one Secrets Manager secret";
/**
 * The daily check's EventBridge Scheduler schedule and its execution role (an `AwsServiceIdentity`)
 * are `${name}${RETIRE_SUFFIX}`: the role `${name}-retire-role-1a2b3c4`, shorter than the
 * rotation function's, and the schedule `${name}-retire-1a2b3c4` (AWS: at most 64 characters).
 */
export const RETIRE_SUFFIX = "-retire";
export { SCHEDULER_PRINCIPAL, schedulerSource } from "./rotation-function";
/**
 * Once a day, from the schedule's creation, with no flexible window: the previous key is then
 * deactivated within a day of the end of its grace.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#rate-based
 */
export const RETIRE_SCHEDULE_EXPRESSION = "rate(1 day)";
/**
 * How EventBridge Scheduler retries a check it could not deliver (Lambda throttling it, say): for
 * up to 6 hours, at most 20 times (AWS: 60–86,400 s, 0–185 attempts). Later, the next day's check
 * does the same work, so nothing is lost. Lambda itself retries a check that fails (the schedule
 * invokes it asynchronously: twice, by default), and every run starts from what it finds.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
 */
export const RETIRE_RETRY_POLICY = { maximumEventAgeInSeconds: 6 * 60 * 60, maximumRetryAttempts: 20 } as const;
/** The purpose recorded on the schedule's execution role (a tag value: no commas). */
const RETIRE_PURPOSE =
    "Invokes the rotation function of one access key daily to retire the previous key after its grace";

/**
 * The EventBridge rule that answers AWS Health's exposed-key events is `${name}${LEAK_SUFFIX}`
 * (`${name}-leak-1a2b3c4`; AWS: rule names of at most 64 characters).
 */
export const LEAK_SUFFIX = "-leak";
/** The service principal of EventBridge rules, which invokes the function for the leak rule. */
export const EVENTS_PRINCIPAL = "events.amazonaws.com";
/**
 * The leak rule's event pattern: AWS Health's `AWS_RISK_CREDENTIALS_EXPOSED` events, which name the
 * exposed access key IDs in `detail.affectedEntities[].entityValue`. IAM's events are global: AWS
 * Health delivers them in US East (N. Virginia) (US West (Oregon) as the backup), so the rule of a
 * stack in another region receives none (see the warning below and the README). The pattern cannot
 * select this user's keys (their IDs are minted at run time, never known to Pulumi): every
 * identity's rule receives every such event of the account, and the function ignores keys that are
 * not its user's. Events of AWS services are delivered to the default bus free of charge.
 * @see https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html
 * @see https://docs.aws.amazon.com/health/latest/ug/choosing-a-region.html
 * @see https://aws.amazon.com/eventbridge/pricing/
 */
export const LEAK_EVENT_PATTERN = {
    source: ["aws.health"],
    "detail-type": ["AWS Health Event"],
    detail: { service: ["RISK"], eventTypeCode: ["AWS_RISK_CREDENTIALS_EXPOSED"] },
} as const;
/** The regions that receive AWS Health's global (IAM) events: the primary, then the backup. */
export const GLOBAL_EVENT_REGIONS = ["us-east-1", "us-west-2"] as const;

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
    // Longer than the user's `${name}-user-1a2b3c4`: the rotation function's role.
    longestName: { suffix: `${ROTATOR_SUFFIX}-role`, what: "IAM role name of its rotation function" },
    limits: USER_POLICY_LIMITS,
    expiryConsequence: "AWS stops honouring the user's policies: its access keys can do nothing",
};

/** The arguments of {@link AwsAccessKeyIdentity}: those of every AWS identity, and the key's own. */
export interface AwsAccessKeyIdentityArgs extends AwsPrincipalArgs, AwsSecretStorageArgs {
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
     * that polls the secret can switch. A daily check (an EventBridge Scheduler schedule that
     * invokes the rotation function) deactivates it within a day after its grace ends, and deletes
     * it a day later; until then a person can re-activate it. Shorter than `rotateEveryDays`: the
     * next rotation needs its place (IAM allows two keys per user). A rotation started by hand
     * inside the grace fails without touching a key and succeeds once it ends.
     * @default 1 (0 when `rotateEveryDays` is 1)
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (2 access keys per user)
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
    /** The readers' ARNs, each checked now or where it resolves. */
    readonly readers: readonly pulumi.Input<string>[];
    readonly kmsKeyArn?: pulumi.Input<string>;
    readonly recoveryWindowInDays: number;
}

/**
 * Validates `args` for an identity called `name` and plans its documents, collecting every
 * problem and throwing one {@link pulumi.InputPropertiesError}. Registers nothing.
 */
export function planAwsAccessKeyIdentity(
    name: string,
    args: AwsAccessKeyIdentityArgs,
    now: Date = new Date(),
    opts?: pulumi.ComponentResourceOptions,
): AwsAccessKeyIdentityPlan {
    const a: Partial<AwsAccessKeyIdentityArgs> = args ?? {};
    let consumer = "";
    let key: Omit<AwsAccessKeyIdentityPlan, keyof AwsPrincipalPlan | "consumer" | "path"> | undefined;
    const plan = planAwsPrincipal(
        name,
        args,
        USER,
        now,
        {
            own: (problems) => {
                consumer = planConsumer(a.consumer, problems);
                return consumer === "" ? undefined : { [CONSUMER_TAG]: consumer };
            },
            options: (problems, later) => {
                const schedule = planSchedule(a.rotateEveryDays, a.graceDays, problems);
                const { rotateEveryDays: period, graceDays: grace } = schedule;
                const scheduled = period >= 1 && Number.isInteger(grace) && grace >= 0 && grace < period;
                key = {
                    ...schedule,
                    readers: planReaders(a.readers, problems, later),
                    kmsKeyArn: checkKmsKeyArn(a.kmsKeyArn, problems, later),
                    recoveryWindowInDays: checkRecoveryWindow(a.recoveryWindowInDays, problems),
                };
                checkSecretTagCount(a.tags, a.expiresAt !== undefined, a.unusedAlarm !== undefined, problems);
                return scheduled
                    ? { [KEY_MAX_AGE_TAG]: String(keyMaxAgeDays(schedule.rotateEveryDays, schedule.graceDays)) }
                    : undefined;
            },
        },
        opts,
    );
    return { ...plan, consumer, ...key!, path: a.path ?? DEFAULT_USER_PATH };
}

/** The trimmed `consumer`, or "" after recording why it cannot be one. */
function planConsumer(value: unknown, problems: Problems): string {
    const { consumer } = requireText({ consumer: value }, ["consumer"], problems, {
        consumer: "what uses the access key, such as `acme-vendor`",
    });
    if (consumer !== undefined && !isTagValue(consumer)) {
        problems.add(
            "consumer",
            `\`consumer\` is written to the IAM tag \`${CONSUMER_TAG}\`, which allows at most ${MAX_TAG_VALUE_CHARS} letters, digits, spaces and \`_ . : / = + - @\`; ${tagValueFix(consumer)}.`,
        );
        return "";
    }
    return consumer ?? "";
}

/**
 * The rotation period and grace, checked: whole days, the period 1–365, the grace from 0 and
 * shorter than the period (the runtime's `nhi:grace-days` tag accepts 0–364).
 */
export function planSchedule(
    rotateEveryDays: unknown,
    graceDays: unknown,
    problems: Problems,
): { rotateEveryDays: number; graceDays: number } {
    const period = checkRotationDays(rotateEveryDays, "rotateEveryDays", problems);
    if (graceDays === undefined) {
        return {
            rotateEveryDays: period ?? 0,
            graceDays: period === undefined ? 0 : Math.min(DEFAULT_GRACE_DAYS, period - 1),
        };
    }
    if (typeof graceDays !== "number" || !Number.isInteger(graceDays) || graceDays < 0) {
        problems.add(
            "graceDays",
            `\`graceDays\` must be a whole number of days from 0, shorter than \`rotateEveryDays\`; got ${describe(graceDays)}.${numberHint(graceDays)}`,
        );
    } else if (period !== undefined && graceDays >= period) {
        problems.add(
            "graceDays",
            `\`graceDays\` (${graceDays}) must be shorter than \`rotateEveryDays\` (${period}): the next rotation needs the previous key's place (IAM allows two access keys per user). Give at most ${period - 1}, or rotate less often.`,
        );
    }
    return { rotateEveryDays: period ?? 0, graceDays: typeof graceDays === "number" ? graceDays : 0 };
}

/**
 * The age in days past which the usage monitor reports the user's Active key as `key-too-old`: the
 * rotation period, the previous key's grace and a day for the daily schedules' slack. A key older
 * than that means rotation has stopped (contract: `KEY_MAX_AGE_TAG`). At most 365 + 364 + 1 = 730.
 */
export function keyMaxAgeDays(rotateEveryDays: number, graceDays: number): number {
    return rotateEveryDays + graceDays + 1;
}

/** The `nhi:` tags of the secret beside the ownership tags: the user and the grace the function reads. */
const SECRET_ONLY_TAGS = [USER_TAG, GRACE_TAG];

/**
 * The user's `tags` also go on the secret, which carries the ownership tags, `nhi:consumer` and
 * {@link SECRET_ONLY_TAGS}, and `nhi:notify` with an `unusedAlarm`: more than the user (`planTags`
 * counts the user's own).
 */
function checkSecretTagCount(tags: unknown, expiring: boolean, notified: boolean, problems: Problems): void {
    if (tags === null || typeof tags !== "object" || Array.isArray(tags)) {
        return;
    }
    const ownership = ownershipTags({
        owner: "",
        purpose: "",
        expiresAt: expiring ? "" : undefined,
        more: { [CONSUMER_TAG]: "" },
    });
    const tooMany = tagCountProblem(
        Object.keys(tags).length,
        Object.keys(ownership).length + SECRET_ONLY_TAGS.length + (notified ? 1 : 0),
        { on: "a secret", where: " on the secret that holds the key", service: "Secrets Manager" },
    );
    if (tooMany !== undefined) {
        problems.add("tags", tooMany);
    }
}

/**
 * An IAM user for one consumer that can only take a static access key, whose key is minted and
 * rotated inside AWS and never passes through Pulumi: no `aws.iam.AccessKey` anywhere, nothing
 * of the key in any input, output or state. The user's grants are checked as an
 * `aws.ServiceIdentity`'s (the same code), laid out within a user's own policy limits.
 *
 * Children:
 * - `aws.iam.User` `${name}-user`: no login profile, so no console access; `forceDestroy`;
 * - `aws.iam.UserPolicy` `${name}-policy` when there are grants, and, only when the grants
 *   overflow the user's 2,048-character inline policy, one `aws.iam.Policy` and
 *   `aws.iam.UserPolicyAttachment` per overflow document (`${name}-policy-2`, `-3`, …);
 * - `aws.secretsmanager.Secret` `${name}-secret`, which holds `{"accessKeyId","secretAccessKey"}`,
 *   readable by `readers` only, and `aws.secretsmanager.SecretRotation` `${name}-rotation`, every
 *   `rotateEveryDays` and once at creation (the first key);
 * - the rotation function `${name}-rotator` (runtime entry `aws/rotate-access-key`): its log group,
 *   its `aws.ServiceIdentity` (which may call exactly the function's IAM actions on this user and
 *   its Secrets Manager actions on this secret), the Lambda function and Secrets Manager's
 *   permission to invoke it for this secret;
 * - the daily check that retires the previous key when its grace is over: an
 *   `aws.scheduler.Schedule` `${name}-retire` that invokes the function with
 *   `{"nhiAction":"retirePrevious","SecretId":"<secret ARN>"}`, and its execution role, an
 *   `aws.ServiceIdentity` `${name}-retire` trusted by EventBridge Scheduler of this account only,
 *   which may invoke this function and nothing else;
 * - the leaked-key response: an `aws.cloudwatch.EventRule` `${name}-leak` on AWS Health's
 *   exposed-credential events, its `aws.cloudwatch.EventTarget` (the function, sent
 *   `{"nhiAction":"keyExposed",...}`) and the `aws.lambda.Permission` `${name}-leak-invoke`;
 * - with `expiresAt` (unless `deprovisionAtExpiry: false`), the quarantine at expiry: an
 *   `aws.scheduler.Schedule` `${name}-expiry` that puts a deny-all inline policy on the user at
 *   `expiresAt`, and its execution role, an `aws.iam.Role` `${name}-expiry-role` with its
 *   `aws.iam.RolePolicy` `${name}-expiry-policy`, which may do that to this user and nothing else.
 *
 * With `expiresAt`, the function and the check may deactivate the user's keys for
 * `DEACTIVATE_AFTER_EXPIRY_DAYS` more; everything else they may do stops at `expiresAt`.
 */
export class AwsAccessKeyIdentity extends AwsPrincipalComponent {
    /** The name of the IAM user. */
    public readonly userName: pulumi.Output<string>;
    /** The ARN of the IAM user. */
    public readonly userArn: pulumi.Output<string>;
    /** The ARN of the Secrets Manager secret that holds the current key, `{"accessKeyId","secretAccessKey"}`. */
    public readonly keySecretArn: pulumi.Output<string>;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link AwsAccessKeyIdentityArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the AWS account and region of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: AwsAccessKeyIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planAwsAccessKeyIdentity(name, args, new Date(), opts);
        super(AWS_ACCESS_KEY_IDENTITY_TYPE, name, {}, withLegacyType(AWS_ACCESS_KEY_IDENTITY_TYPE, name, opts));
        const subject = `AwsAccessKeyIdentity "${name}"`;
        checkAfterProgram(subject, this, plan.usage);
        for (const warning of plan.warnings) {
            pulumi.log.warn(warning, this);
        }
        const guard = deployTimeGuard(subject, this, plan.later);
        const tags = principalTags(plan, args.tags, guard);
        const boundary = args.permissionsBoundaryArn;
        // `forceDestroy`: the keys the rotation function minted are not Pulumi resources, and IAM
        // refuses to delete a user that has access keys (DeleteConflict); with it, the provider
        // deletes them first. No login profile, MFA device or key is ever declared here.
        // @see https://www.pulumi.com/registry/packages/aws/api-docs/iam/user/#forcedestroy_nodejs
        const user = new aws.iam.User(
            `${name}${USER_CHILD_SUFFIX}`,
            {
                path: plan.path,
                permissionsBoundary: boundary === undefined ? undefined : guard(boundary),
                forceDestroy: true,
                tags,
            },
            { parent: this },
        );

        const documents = policyDocuments(this, name, USER, plan, guard);
        if (plan.policies.layout.inline.length > 0) {
            new aws.iam.UserPolicy(`${name}-policy`, { user: user.name, policy: documents[0] }, { parent: this });
        }
        this.renderedPolicies = registerPolicies(this, name, plan, documents, plan.path, tags, (child, policyArn) => {
            new aws.iam.UserPolicyAttachment(child, { user: user.name, policyArn }, { parent: this });
        });
        if (plan.deprovision !== undefined) {
            declareDeprovisioning(this, name, plan.deprovision, deprovisionedPrincipal(USER, plan, tags, user));
        }

        // The secret carries the ownership tags (not the user's escalation records), the user's own
        // tags, and what the function reads: the user's name and the grace period.
        const userTags = givenTags(plan.tags, args.tags);
        const kms = plan.kmsKeyArn === undefined ? undefined : guard(plan.kmsKeyArn);
        // The leaked-key notice goes to `unusedAlarm.notify`, checked as the identity's own.
        const notifyTags = notifyTag(plan.usage, guard);
        const notify = notifyTags[NOTIFY_TAG];
        const { secret, rotationFunction } = declareRotatedSecret(this, name, {
            description: `The access key of the IAM user of ${plan.consumer}: ${plan.purpose} (owner: ${plan.owner}). Rotated every ${plan.rotateEveryDays} days by pulumi-nhi.`,
            tags: {
                ...userTags,
                ...ownershipTags({
                    owner: plan.owner,
                    purpose: plan.purpose,
                    expiresAt: plan.expiresAt,
                    more: { [CONSUMER_TAG]: plan.consumer },
                }),
                [USER_TAG]: user.name,
                [GRACE_TAG]: String(plan.graceDays),
                // The usage monitor tells `unusedAlarm.notify` when the key's rotation stops succeeding, too.
                ...notifyTags,
            },
            kmsKeyArn: kms,
            recoveryWindowInDays: plan.recoveryWindowInDays,
            readers: plan.readers.map((r) => guard(r)),
            rotateEveryDays: plan.rotateEveryDays,
            rotationFunction: (secretArn) =>
                declareRotationFunction(this, `${name}${ROTATOR_SUFFIX}`, {
                    entry: "aws/rotate-access-key",
                    owner: plan.owner,
                    purpose: ROTATOR_PURPOSE,
                    grants: rotatorGrants({
                        userArn: user.arn,
                        secretArn,
                        functionArn: pulumi
                            .output(secretArn)
                            .apply((arn) => functionArnPattern(arn, `${name}${ROTATOR_SUFFIX}`)),
                        kmsKeyArn: kms,
                        notify,
                        expiresAt: plan.expiresAt,
                    }),
                    invokedBy: { secretArn },
                    tags: userTags,
                    // An expired identity's key is no longer minted (its other grants expire with it),
                    // but the function may deactivate the user's keys for a week more.
                    expiresAt: deactivationDeadline(plan.expiresAt),
                }),
        });

        declareRetireSchedule(this, `${name}${RETIRE_SUFFIX}`, {
            rotationFunction,
            secretArn: secret.arn,
            owner: plan.owner,
            description: `Retires the previous access key of ${plan.consumer} ${plan.graceDays} days after each rotation (pulumi-nhi).`,
            tags: userTags,
            // The daily check deactivates the keys after `expiresAt`: it runs a week longer.
            expiresAt: deactivationDeadline(plan.expiresAt),
        });
        declareLeakRule(this, `${name}${LEAK_SUFFIX}`, { rotationFunction, secretArn: secret.arn, tags: userTags });

        this.userName = user.name;
        this.userArn = user.arn;
        this.audited = { principal: "user", arn: user.arn };
        this.keySecretArn = secret.arn;
        // No outputs are registered in the state: every value is already in the state of the child
        // that holds it (see AwsServiceIdentity).
        this.registerOutputs({});
    }
}

/**
 * Exactly what the rotation function calls (`ACTIONS`, `runtime/aws/access-key-contract.ts`): the
 * IAM ones on its one user, the Secrets Manager ones on its one secret, `lambda:InvokeFunction` on
 * itself (`RotateSecret` invokes the secret's rotation function with the caller's rights),
 * `sns:Publish` on the notify topic if there is one, and KMS on the secret's customer managed key
 * if it has one. With `expiresAt`, every grant stops then except {@link AFTER_EXPIRY_ACTIONS}
 * (find the keys, deactivate them, say so), which the role keeps until its own expiry,
 * {@link deactivationDeadline}.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
 */
export function rotatorGrants(args: {
    readonly userArn: pulumi.Input<string>;
    readonly secretArn: pulumi.Input<string>;
    /** The function's own ARN, or the pattern that matches only it ({@link functionArnPattern}). */
    readonly functionArn: pulumi.Input<string>;
    readonly kmsKeyArn?: pulumi.Input<string>;
    readonly notify?: pulumi.Input<string>;
    readonly expiresAt?: string;
}): AwsGrant[] {
    const until = args.expiresAt === undefined ? {} : { expiresAt: args.expiresAt };
    const onlyBefore = <T extends readonly string[]>(all: T, after: readonly string[]) =>
        all.filter((a) => !after.includes(a));
    const split = (
        all: readonly string[],
        after: readonly string[],
        resource: pulumi.Input<string>,
        extra: Partial<AwsGrant> = {},
    ): AwsGrant[] => {
        if (args.expiresAt === undefined) {
            return [{ actions: [...all], resources: [resource], ...extra } as AwsGrant];
        }
        const before = onlyBefore(all, after);
        return [
            ...(before.length === 0
                ? []
                : [{ actions: before, resources: [resource], ...until, ...extra } as AwsGrant]),
            ...(after.length === 0 ? [] : [{ actions: [...after], resources: [resource] } as AwsGrant]),
        ];
    };
    return [
        ...split(ACTIONS.iam, AFTER_EXPIRY_ACTIONS.iam, args.userArn, { acknowledge: ROTATOR_ACKNOWLEDGEMENT }),
        ...split(ACTIONS.secretsmanager, AFTER_EXPIRY_ACTIONS.secretsmanager, args.secretArn),
        { actions: [...ACTIONS.lambda], resources: [args.functionArn], ...until },
        ...(args.notify === undefined ? [] : [{ actions: [...ACTIONS.sns], resources: [args.notify] }]),
        ...(args.kmsKeyArn === undefined ? [] : [{ ...rotationKmsGrant(args.kmsKeyArn), ...until }]),
    ];
}

/**
 * The ARN pattern of the Lambda function `${name}-xxxxxxx` (Pulumi's auto-name) in the secret's
 * partition, region and account: exactly seven `?`, so it matches that function alone (names are
 * unique per account and region).
 */
export function functionArnPattern(secretArn: string, name: string): string {
    const [, partition, , region, account] = secretArn.split(":");
    return `arn:${partition}:lambda:${region}:${account}:function:${name}-${"?".repeat(AUTONAME_SUFFIX_CHARS - 1)}`;
}

/**
 * When the roles of the rotation function and its daily check expire: {@link DEACTIVATE_AFTER_EXPIRY_DAYS}
 * after the identity, so that they can deactivate its keys once it has expired; undefined without one.
 */
export function deactivationDeadline(expiresAt: string | undefined): string | undefined {
    return expiresAt === undefined
        ? undefined
        : new Date(Date.parse(expiresAt) + DEACTIVATE_AFTER_EXPIRY_DAYS * 86_400_000)
              .toISOString()
              .replace(/\.\d{3}Z$/, "Z");
}

/**
 * Declares the leaked-key response, as children of `parent` named `name`: an `aws.cloudwatch.EventRule`
 * on {@link LEAK_EVENT_PATTERN}, its `aws.cloudwatch.EventTarget` (the rotation function, with an
 * input transformer that sends `{"nhiAction":"keyExposed","SecretId":<secret ARN>,"accessKeyIds":[…]}`),
 * and the `aws.lambda.Permission` that lets that rule alone (`SourceArn`) invoke the function. Warns
 * when the function's region does not receive IAM's global events.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions
 */
function declareLeakRule(
    parent: pulumi.Resource,
    name: string,
    args: {
        readonly rotationFunction: RotationFunction;
        readonly secretArn: pulumi.Output<string>;
        readonly tags: Readonly<Record<string, pulumi.Input<string>>>;
    },
): void {
    const opts = { parent };
    const rule = new aws.cloudwatch.EventRule(
        name,
        {
            description: "AWS Health: access keys exposed; deactivates this identity's (pulumi-nhi)",
            eventPattern: JSON.stringify(LEAK_EVENT_PATTERN),
            tags: args.tags,
        },
        opts,
    );
    const permission = new aws.lambda.Permission(
        `${name}-invoke`,
        {
            action: "lambda:InvokeFunction",
            function: args.rotationFunction.functionName,
            principal: EVENTS_PRINCIPAL,
            sourceArn: rule.arn,
        },
        opts,
    );
    new aws.cloudwatch.EventTarget(
        name,
        {
            rule: rule.name,
            arn: args.rotationFunction.functionArn,
            inputTransformer: {
                inputPaths: { keys: "$.detail.affectedEntities[*].entityValue" },
                inputTemplate: args.secretArn.apply((arn) => leakInputTemplate(arn)),
            },
        },
        { parent, dependsOn: [permission] },
    );
    // A warning, not an error: the rest of the identity works in any region.
    args.rotationFunction.functionArn.apply((arn) => {
        const warning = leakRegionWarning(arn.split(":")[3] ?? "");
        if (warning !== undefined) {
            pulumi.log.warn(warning, parent);
        }
    });
}

/** The warning for a leak rule in `region`, or undefined where AWS Health delivers IAM's events. */
export function leakRegionWarning(region: string): string | undefined {
    if (region === "" || (GLOBAL_EVENT_REGIONS as readonly string[]).includes(region)) {
        return undefined;
    }
    return `The leaked-key rule is in ${region}, but AWS Health delivers IAM's exposed-key events only in ${GLOBAL_EVENT_REGIONS[0]} (and ${GLOBAL_EVENT_REGIONS[1]}, as backup): this identity's keys are not deactivated when AWS reports them exposed. Deploy the stack in ${GLOBAL_EVENT_REGIONS[0]}; the daily check still rotates a key found Inactive.`;
}

/**
 * The input template of the leak rule's target: the function's `keyExposed` event, the key IDs
 * inserted as the JSON array the `[*]` path yields.
 */
export function leakInputTemplate(secretArn: string): string {
    return `{"nhiAction":${JSON.stringify(EXPOSED_ACTION)},"SecretId":${JSON.stringify(secretArn)},"accessKeyIds":<keys>}`;
}

/**
 * Declares the daily check, as children of `parent` named `name`: its execution role (an
 * `AwsServiceIdentity` trusted by EventBridge Scheduler of the function's account, for its
 * `default` schedule group, allowed `lambda:InvokeFunction` on the function only), and the
 * `aws.scheduler.Schedule` that invokes the function once a day with the secret's retire event.
 * No Lambda permission is added: the execution role's identity policy is enough in one account.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
function declareRetireSchedule(
    parent: pulumi.Resource,
    name: string,
    args: {
        readonly rotationFunction: RotationFunction;
        readonly secretArn: pulumi.Output<string>;
        readonly owner: string;
        readonly description: string;
        readonly tags: Readonly<Record<string, pulumi.Input<string>>>;
        readonly expiresAt?: string;
    },
): pulumi.CustomResource {
    return declareFunctionSchedule(parent, name, {
        functionArn: args.rotationFunction.functionArn,
        owner: args.owner,
        purpose: RETIRE_PURPOSE,
        description: args.description,
        scheduleExpression: RETIRE_SCHEDULE_EXPRESSION,
        input: args.secretArn.apply((arn) => JSON.stringify(retireEvent(arn))),
        retryPolicy: RETIRE_RETRY_POLICY,
        tags: args.tags,
        expiresAt: args.expiresAt,
    }).schedule;
}
