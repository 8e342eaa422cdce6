import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * Two identities whose work is, by nature, a privilege escalation, each declared with the reason
 * the component requires (`acknowledge`) and records on the identity:
 *
 * - `sftp-key-rotator` (AWS): a Lambda function that rotates the access key of the one IAM user an
 *   SFTP vendor signs in with, and stores the new key in a Secrets Manager secret. Creating another user's access
 *   key is Rhino Security Labs' method 4 (`CreateAccessKey`): the rotator can act as that user.
 *   The reason is recorded in the role's `nhi:escalation:CreateAccessKey` tag. This is for a user
 *   that exists already, rotated by your own function; for a vendor user the stack declares,
 *   `aws.AccessKeyIdentity` creates the user, its key secret and a rotator of its own, and the key
 *   never passes through Pulumi.
 * - `reports-image-builder` (Google Cloud): the account GitHub Actions uses to submit Cloud Build
 *   builds of the reports image. A build runs as the project's Cloud Build service account, so
 *   `cloudbuild.builds.create` lets the builder act with that account's permissions (Rhino's
 *   `RCECloudBuildBuildServer`). The reason is recorded in the account's description.
 *
 * Without `acknowledge`, both declarations are refused with the method, its source and the
 * narrower grant to use instead. `npm run demo` shows both, with their reasons.
 */

/**
 * The IAM user the vendor signs in with. Set your own with
 * `pulumi config set sftpVendorUserArn arn:aws:iam::<account>:user/<path>/<name>`.
 */
export const DEFAULT_VENDOR_USER_ARN = "arn:aws:iam::123456789012:user/vendors/sftp-upload";

/**
 * The secret the rotator writes the new key to. Set your own with
 * `pulumi config set sftpVendorKeySecretArn arn:aws:secretsmanager:<region>:<account>:secret:<name>`.
 */
export const DEFAULT_VENDOR_KEY_SECRET_ARN =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:sftp-vendor-key-AbCdEf";

/** Why the rotator may mint the vendor user's keys: recorded in an IAM tag (no `,` `;` `'`). */
export const KEY_ROTATION_REASON =
    "The SFTP vendor only accepts access keys: this rotates the key of that one user every 30 days";

/** Why the builder may run builds as the Cloud Build service account. */
export const BUILD_REASON = "gcloud builds submit: builds run as the Cloud Build service account";

/** The GitHub repository and environment allowed to build. */
export const BUILD_REPOSITORY = "acme/reports-service";
export const BUILD_ENVIRONMENT = "production";

/** The Google Cloud project of the builds. Set your own with `pulumi config set gcpProject <id>`. */
export const DEFAULT_GCP_PROJECT = "acme-reports-prod";

export interface AcknowledgedEscalation {
    /** The key rotator's identity. */
    readonly keyRotator: nhi.aws.ServiceIdentity;
    /** The Cloud Build submitter's service account. */
    readonly imageBuilder: nhi.gcp.ServiceIdentity;
}

/** Declares the example's resources and identities. Call it once per Pulumi program. */
export function acknowledgedEscalation(): AcknowledgedEscalation {
    const config = new pulumi.Config();
    const vendorUserArn = config.get("sftpVendorUserArn") ?? DEFAULT_VENDOR_USER_ARN;
    const vendorKeySecretArn = config.get("sftpVendorKeySecretArn") ?? DEFAULT_VENDOR_KEY_SECRET_ARN;
    const gcpProject = config.get("gcpProject") ?? DEFAULT_GCP_PROJECT;

    const keyRotator = new nhi.aws.ServiceIdentity("sftp-key-rotator", {
        owner: "team-payments",
        purpose: "Lambda that rotates the access key of the SFTP vendor user",
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [
            {
                actions: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"],
                resources: [vendorUserArn],
                acknowledge: KEY_ROTATION_REASON,
            },
            { actions: ["secretsmanager:PutSecretValue"], resources: [vendorKeySecretArn] },
        ],
    });

    const imageBuilder = new nhi.gcp.ServiceIdentity("reports-image-builder", {
        project: gcpProject,
        owner: "team-reports",
        purpose: "CI builds of the reports image with Cloud Build",
        trust: { githubActions: { repository: BUILD_REPOSITORY, environment: BUILD_ENVIRONMENT } },
        grants: [
            { role: "roles/cloudbuild.builds.editor", resource: { project: gcpProject }, acknowledge: BUILD_REASON },
        ],
    });

    return { keyRotator, imageBuilder };
}
