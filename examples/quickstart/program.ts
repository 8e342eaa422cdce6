import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * The pulumi-nhi quickstart: an invoice pipeline and the two machine identities it needs.
 *
 * - `invoice-worker`: the execution role of a Lambda function that reads new invoices from ONE
 *   prefix of the invoices bucket and consumes ONE SQS queue of "invoice uploaded" events.
 * - `payments-deployer`: the role GitHub Actions assumes when the `production` environment of
 *   `acme/payments-service` deploys: update one function's code, upload build artifacts.
 *
 * Everything is declared inside {@link quickstart} rather than at module top level, so that tests
 * and the offline demo (`npm run demo`) can run it under Pulumi's mocks as often as they like.
 * `index.ts` beside this file is the Pulumi program entry point that calls it.
 */

/** When the worker's role stops working unless someone renews it. Fixed so the demo is stable. */
export const WORKER_EXPIRES_AT = "2028-06-30T00:00:00Z";
/** When the deployer's role stops working unless someone renews it. */
export const DEPLOYER_EXPIRES_AT = "2028-03-31T00:00:00Z";

/** The GitHub repository and environment allowed to deploy. */
export const DEPLOY_REPOSITORY = "acme/payments-service";
export const DEPLOY_ENVIRONMENT = "production";

/**
 * The Lambda function the deployer may update. Set your own with
 * `pulumi config set paymentsFunctionArn arn:aws:lambda:<region>:<account>:function:<name>`.
 */
export const DEFAULT_FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:payments-api";

/** The prefix of the invoices bucket the worker reads, and of the artifacts bucket CI writes. */
export const INCOMING_PREFIX = "incoming/";
export const ARTIFACTS_PREFIX = "payments-service/";

export interface Quickstart {
    /** The Lambda worker's identity. */
    readonly worker: nhi.aws.ServiceIdentity;
    /** The GitHub Actions deployer's identity. */
    readonly deployer: nhi.aws.ServiceIdentity;
    /** Where invoices land; the worker reads `incoming/` only. */
    readonly bucket: aws.s3.Bucket;
    /** "Invoice uploaded" events the worker consumes. */
    readonly queue: aws.sqs.Queue;
    /** Where CI uploads build artifacts; the deployer writes `payments-service/` only. */
    readonly artifacts: aws.s3.Bucket;
    /** The account's IAM OIDC provider for GitHub Actions tokens. */
    readonly githubOidc: aws.iam.OpenIdConnectProvider;
}

/** Declares the quickstart's resources and identities. Call it once per Pulumi program. */
export function quickstart(): Quickstart {
    const config = new pulumi.Config();
    const functionArn = config.get("paymentsFunctionArn") ?? DEFAULT_FUNCTION_ARN;

    // The workload's own resources.
    const bucket = new aws.s3.Bucket("invoices", {
        tags: { app: "payments" },
    });
    const queue = new aws.sqs.Queue("invoice-events", {
        visibilityTimeoutSeconds: 60,
        messageRetentionSeconds: 4 * 24 * 3600,
        tags: { app: "payments" },
    });
    const artifacts = new aws.s3.Bucket("build-artifacts", {
        tags: { app: "payments" },
    });

    // One per account: the IAM OIDC provider that lets GitHub Actions tokens be exchanged for roles.
    // If your account already has one, pass its ARN instead of declaring it again.
    const githubOidc = new aws.iam.OpenIdConnectProvider("github-actions", {
        url: "https://token.actions.githubusercontent.com",
        clientIdLists: ["sts.amazonaws.com"],
    });

    // The Lambda worker: reads one prefix, consumes one queue, nothing else.
    // No s3:ListBucket: the queue message names the object, and ListBucket on the bucket would
    // reveal every key in it, not only those under incoming/.
    const worker = new nhi.aws.ServiceIdentity("invoice-worker", {
        owner: "team-payments",
        purpose: "Lambda that parses uploaded invoices from the incoming queue",
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [
            { service: "s3", access: "read", resources: [pulumi.interpolate`${bucket.arn}/${INCOMING_PREFIX}*`] },
            {
                actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                resources: [queue.arn],
            },
        ],
        expiresAt: WORKER_EXPIRES_AT,
    });

    // The deployer: only production-environment jobs of one repository may assume it.
    const deployer = new nhi.aws.ServiceIdentity("payments-deployer", {
        owner: "team-payments",
        purpose: "GitHub Actions deploys of acme/payments-service to production",
        trust: {
            githubActions: {
                repository: DEPLOY_REPOSITORY,
                environment: DEPLOY_ENVIRONMENT,
                oidcProviderArn: githubOidc.arn,
            },
        },
        grants: [
            { actions: ["lambda:UpdateFunctionCode"], resources: [functionArn] },
            { actions: ["s3:PutObject"], resources: [pulumi.interpolate`${artifacts.arn}/${ARTIFACTS_PREFIX}*`] },
        ],
        expiresAt: DEPLOYER_EXPIRES_AT,
    });

    return { worker, deployer, bucket, queue, artifacts, githubOidc };
}
