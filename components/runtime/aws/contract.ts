/**
 * What `aws/rotate-secret` and the components that declare its secrets agree on: the tags the
 * function reads and the actions it calls. Its own module, with no import at all, so that a
 * component can read it without loading the AWS SDK (a devDependency of this package, which the
 * Lambda runtime provides to the function, and a user's stack does not install).
 *
 * Runs in the cloud too: `rotate-secret.js` requires it, so the function's archive holds it.
 */

/**
 * Every action the function calls, for the component that grants its identity exactly these, on
 * its secret(s) only: checked against the fake's call log (test/runtime/aws/rotate-secret.test.ts).
 */
export const ACTIONS = {
    secretsmanager: [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    ],
} as const;

/** The tag that sets the number of characters in a generated value. */
export const LENGTH_TAG = "nhi:value-length";
/** The tag that sets the characters a generated value is made of. */
export const FORMAT_TAG = "nhi:value-format";
