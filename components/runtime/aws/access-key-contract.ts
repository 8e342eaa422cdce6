/**
 * What `aws.AccessKeyIdentity` and its rotation function (`rotate-access-key.ts`) agree on: the
 * tags the function reads from its secret, and every action it calls, which the component grants
 * its identity and nothing more.
 *
 * A file of its own, with no import at all: the component reads it at construction, in the user's
 * Pulumi program, where the AWS SDK v3 that `rotate-access-key.ts` imports is not installed (a
 * devDependency here; Lambda's Node.js runtime provides it to the function). Importing the function
 * itself there would fail with MODULE_NOT_FOUND (`test/aws/access-key-identity.test.ts` checks
 * that declaring the component loads no `@aws-sdk` module).
 */

/** The tag that names the IAM user whose key the secret holds. */
export const USER_TAG = "nhi:iam-user";
/** The tag that sets how many days the previous key stays Active after a rotation. */
export const GRACE_TAG = "nhi:grace-days";

/**
 * The tag that holds the identity's `expiresAt` (UTC, `YYYY-MM-DDTHH:MM:SSZ`), written by the
 * component with the other ownership tags: from then on the daily check deactivates every key of
 * the user, and no key is minted.
 */
export const EXPIRES_TAG = "nhi:expires-at";
/**
 * The tag that names the SNS topic the function notifies when a key of its user is exposed (the
 * identity's `unusedAlarm.notify`); without it the function only logs.
 */
export const NOTIFY_TAG = "nhi:notify";
/**
 * How long after `expiresAt` the function's identity may still deactivate its user's keys
 * (`iam:ListAccessKeys`, `iam:UpdateAccessKey`, `secretsmanager:DescribeSecret`, `sns:Publish`;
 * everything else stops at `expiresAt`): seven daily checks, each retried for hours, so that a
 * day of Lambda or IAM trouble does not leave a key Active.
 */
export const DEACTIVATE_AFTER_EXPIRY_DAYS = 7;

/** The value of `nhiAction` in the daily check's event. */
export const RETIRE_ACTION = "retirePrevious";

/**
 * The event of the daily check that retires the previous key once its grace is over, sent by the
 * component's EventBridge Scheduler schedule: exactly these two fields, `SecretId` the ARN of the
 * function's secret. The function refuses any other event that has `nhiAction`.
 */
export interface RetireEvent {
    readonly nhiAction: typeof RETIRE_ACTION;
    readonly SecretId: string;
}

/** The daily check's event for the secret `secretArn`. */
export function retireEvent(secretArn: string): RetireEvent {
    return { nhiAction: RETIRE_ACTION, SecretId: secretArn };
}

/** The value of `nhiAction` in the leaked-key event. */
export const EXPOSED_ACTION = "keyExposed";

/**
 * The event the component's EventBridge rule sends when AWS Health reports exposed access keys
 * (`AWS_RISK_CREDENTIALS_EXPOSED`): exactly these three fields, `accessKeyIds` the event's
 * `detail.affectedEntities[*].entityValue` (1–20 access key IDs). The function acts only on those
 * that belong to its user, and refuses any other shape.
 */
export interface ExposedEvent {
    readonly nhiAction: typeof EXPOSED_ACTION;
    readonly SecretId: string;
    readonly accessKeyIds: readonly string[];
}

/**
 * Every action the function calls, for the component that grants its identity exactly these: the
 * IAM ones on its one user, the Secrets Manager ones on its one secret.
 */
export const ACTIONS = {
    iam: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
    secretsmanager: [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:RotateSecret",
        "secretsmanager:UpdateSecretVersionStage",
    ],
    /** `RotateSecret` invokes the secret's rotation function with the caller's rights: on itself. */
    lambda: ["lambda:InvokeFunction"],
    /** The leaked-key notice, on the one topic of `NOTIFY_TAG`. */
    sns: ["sns:Publish"],
} as const;

/**
 * The actions the function still needs after `expiresAt` (until {@link DEACTIVATE_AFTER_EXPIRY_DAYS}
 * later): find the user and its keys, deactivate them, say so. No key is minted, deleted or
 * stored, no rotation started.
 */
export const AFTER_EXPIRY_ACTIONS = {
    iam: ["iam:ListAccessKeys", "iam:UpdateAccessKey"],
    secretsmanager: ["secretsmanager:DescribeSecret"],
    sns: ["sns:Publish"],
} as const;
