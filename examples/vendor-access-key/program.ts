import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * A vendor, Acme, that uploads invoices into one bucket prefix and can only be configured with a
 * static AWS access key: no role it could assume, no OIDC. (If it could assume a role, an
 * `aws.ServiceIdentity` with an `account` trust and an external ID would be the better choice:
 * see `examples/cross-account`.)
 *
 * - `acme-upload`: the IAM user Acme's key belongs to, allowed `s3:PutObject` under `invoices/`
 *   and nothing else, until the contract ends. Its key is minted by the rotation function in AWS
 *   every 30 days into a Secrets Manager secret; the previous key stays Active 3 days so that
 *   Acme's integration, which fetches the key daily, can switch, and is then retired by a daily check.
 * - `acme-key-handover`: the Lambda function that reads the current key and hands it to Acme's
 *   API: the only principal allowed to read the secret.
 *
 * Declared inside {@link vendorAccessKey} so that tests can run it under Pulumi's mocks.
 */

/** When Acme's access ends unless someone renews it. Fixed so that tests are stable. */
export const CONTRACT_ENDS = "2028-06-30T00:00:00Z";
/** How often the key rotates, and how long the previous one stays Active after a rotation. */
export const ROTATE_EVERY_DAYS = 30;
export const GRACE_DAYS = 3;

export interface VendorAccessKey {
    /** Where Acme uploads invoices (`invoices/`). */
    readonly exchange: aws.s3.Bucket;
    /** The identity of the function that hands the current key to Acme. */
    readonly handover: nhi.aws.ServiceIdentity;
    /** Acme's IAM user and its rotating key. */
    readonly acme: nhi.aws.AccessKeyIdentity;
}

/** Declares the bucket, the handover function's identity and Acme's access key identity. */
export function vendorAccessKey(): VendorAccessKey {
    const exchange = new aws.s3.Bucket("acme-exchange", { tags: { app: "payments" } });

    const handover = new nhi.aws.ServiceIdentity("acme-key-handover", {
        owner: "team-payments",
        purpose: "Hands the current Acme upload key to Acme",
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [],
        expiresAt: CONTRACT_ENDS,
    });

    const acme = new nhi.aws.AccessKeyIdentity("acme-upload", {
        owner: "team-payments",
        purpose: "Acme uploads invoices to the exchange bucket",
        consumer: "acme-vendor",
        grants: [{ actions: ["s3:PutObject"], resources: [pulumi.interpolate`${exchange.arn}/invoices/*`] }],
        rotateEveryDays: ROTATE_EVERY_DAYS,
        graceDays: GRACE_DAYS,
        readers: [handover],
        expiresAt: CONTRACT_ENDS,
    });

    return { exchange, handover, acme };
}
