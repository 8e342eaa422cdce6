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

/**
 * Every action the function calls, for the component that grants its identity exactly these: the
 * IAM ones on its one user, the Secrets Manager ones on its one secret.
 */
export const ACTIONS = {
    iam: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
    secretsmanager: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
} as const;
