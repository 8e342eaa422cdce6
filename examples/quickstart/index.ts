/**
 * The Pulumi program of the quickstart (`main: examples/quickstart` in the root Pulumi.yaml):
 *
 *     pulumi stack init dev
 *     pulumi config set aws:region us-east-1
 *     pulumi config set paymentsFunctionArn arn:aws:lambda:us-east-1:<account>:function:payments-api
 *     pulumi config set gcpProject <your Google Cloud project id>
 *     pulumi config set reportsNoticesEmail <where the Google usage monitor's notices go>
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 * To see what it would create without an AWS account, a Google Cloud project or the Pulumi CLI:
 * `npm run demo`.
 */
import { quickstart } from "./program";

const {
    worker,
    deployer,
    bucket,
    queue,
    artifacts,
    paymentsApi,
    webhookSecret,
    ledgerVendor,
    ledgerKeyHandover,
    notices,
    renderer,
    reportsDeployer,
    reportsBucket,
    reportsArtifacts,
    reportsNotices,
} = quickstart();

export const invoicesBucket = bucket.bucket;
export const invoiceQueueUrl = queue.url;
export const artifactsBucket = artifacts.bucket;

export const workerRoleArn = worker.roleArn;
export const workerExpiresAt = worker.expiresAt;

export const deployerRoleArn = deployer.roleArn;
export const deployerExpiresAt = deployer.expiresAt;

/** Point the payments API's Lambda function at this role (`role`). */
export const paymentsApiRoleArn = paymentsApi.roleArn;

/**
 * Where the webhook signing secret lives: the payments API signs with its `AWSCURRENT` version, the
 * worker accepts `AWSCURRENT` or `AWSPREVIOUS`. Its ARN, never its value.
 */
export const webhookSecretArn = webhookSecret.secretArn;

/** Acme Ledger's IAM user, and the secret holding its current key (`{"accessKeyId","secretAccessKey"}`), never the key. */
export const ledgerVendorUserName = ledgerVendor.userName;
export const ledgerVendorKeySecretArn = ledgerVendor.keySecretArn;
export const ledgerVendorExpiresAt = ledgerVendor.expiresAt;
/** Point the key handover function at this role (`role`). */
export const ledgerKeyHandoverRoleArn = ledgerKeyHandover.roleArn;

/**
 * Where the usage monitor tells the owners of unused, expiring and stale identities, and where its
 * heartbeat alarm goes: subscribe the team, e.g.
 * `aws sns subscribe --topic-arn <identityNoticesTopicArn> --protocol email --notification-endpoint team@example.com`.
 */
export const identityNoticesTopicArn = notices.arn;

/**
 * The notification channel the Google usage monitor notifies of unused, expiring and expired
 * service accounts, and of its own silence: an e-mail to `reportsNoticesEmail`.
 */
export const reportsNoticesChannel = reportsNotices.name;

export const reportsBucketName = reportsBucket.name;
export const reportsArtifactsBucketName = reportsArtifacts.name;

/** Deploy the Cloud Run service with `--service-account <rendererEmail>`. */
export const rendererEmail = renderer.email;

/**
 * The two inputs of `google-github-actions/auth` in the deploy workflow of acme/reports-service:
 * `workload_identity_provider: <reportsDeployerWorkloadIdentityProvider>` and
 * `service_account: <reportsDeployerEmail>`.
 */
export const reportsDeployerEmail = reportsDeployer.email;
export const reportsDeployerWorkloadIdentityProvider = reportsDeployer.workloadIdentityProvider;
