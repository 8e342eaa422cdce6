import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * The pulumi-nhi quickstart: an invoice pipeline on AWS, a reports service on Google Cloud, and
 * the machine identities each needs.
 *
 * AWS:
 * - `invoice-worker`: the execution role of a Lambda function that reads new invoices from ONE
 *   prefix of the invoices bucket and consumes ONE SQS queue of "invoice uploaded" events.
 * - `payments-deployer`: the role GitHub Actions assumes when the `production` environment of
 *   `acme/payments-service` deploys: update one function's code, upload build artifacts.
 * - `payments-api`: the execution role of the payments API's Lambda function, which signs the
 *   invoice webhooks it sends.
 * - `webhook-signing`: the secret those webhooks are signed with, generated and rotated every 30
 *   days inside AWS by a function of its own, never in Pulumi state; the payments API (which signs)
 *   and the invoice worker (which verifies) may read it, nobody else.
 * - `ledger-vendor`: Acme Ledger, an accounting vendor that can only be configured with a static
 *   access key: an IAM user that may upload invoices under ONE prefix of the invoices bucket, whose
 *   key is minted and rotated every 90 days inside AWS (the previous key stays active 7 days), and
 *   `ledger-key-handover`, the Lambda function that reads the current key and hands it to Acme
 *   Ledger, the only principal allowed to read it.
 * - `usage`: the account's usage monitor. Once a day it reads when each identity above was last
 *   used and tells `identity-notices` (an SNS topic) once when one goes unused past its own
 *   threshold, nears its `expiresAt`, expires, or its rotation stops succeeding; and once more when
 *   that is over. Its heartbeat alarm tells the same topic when a day passes without a complete run.
 *
 * Google Cloud:
 * - `report-renderer`: the service account a Cloud Run service runs as; reads objects of ONE
 *   bucket, the reports bucket. No key and no federation: only the service it is attached to acts
 *   as it.
 * - `reports-deployer`: the service account GitHub Actions impersonates, through Workload Identity
 *   Federation, when the `production` environment of `acme/reports-service` deploys: deploy Cloud
 *   Run revisions in the project, read and write objects of the artifacts bucket.
 * - `reports-usage`: the project's usage monitor. Twice a day it reads when each service account
 *   above was last used and notifies `reports-notices` (an e-mail channel) once when one goes
 *   unused past its own threshold, nears its `expiresAt` or expires; and once more when that is
 *   over. Its heartbeat policy notifies the same channel when no run succeeded for 23 h 30 min.
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

/** When the payments API's role stops working unless someone renews it. */
export const PAYMENTS_API_EXPIRES_AT = "2028-06-30T00:00:00Z";

/** How often the webhook signing secret rotates; the previous value stays readable (AWSPREVIOUS) until the next rotation. */
export const WEBHOOK_ROTATE_EVERY_DAYS = 30;

/** The vendor that can only take a static access key, recorded in the user's `nhi:consumer` tag. */
export const LEDGER_CONSUMER = "acme-ledger";
/** Where Acme Ledger uploads invoices: its own prefix under `incoming/`, which the worker parses. */
export const LEDGER_PREFIX = `${INCOMING_PREFIX}acme-ledger/`;
/** When Acme Ledger's access, and its key handover, end unless someone renews them: the contract's end. */
export const LEDGER_EXPIRES_AT = "2027-12-31T00:00:00Z";
/** How often Acme Ledger's key rotates, and how long the previous key stays active after a rotation. */
export const LEDGER_ROTATE_EVERY_DAYS = 90;
export const LEDGER_GRACE_DAYS = 7;

/**
 * After how many days without use each AWS identity is reported `idle` (`unusedAlarm.afterDays`),
 * chosen by how often its job uses it:
 * - the invoice worker and the payments API serve traffic every day: two weeks of silence means
 *   their function is gone or points at another role;
 * - the deployer is used by releases, which can pause for weeks (a freeze, a holiday): two months;
 * - Acme Ledger uploads invoices every week or so: a month;
 * - the key handover runs daily and must hand every new key over within the 7-day grace: three
 *   missed runs leave four days to fix it before Acme Ledger's old key is deactivated.
 */
export const UNUSED_AFTER_DAYS = {
    worker: 14,
    deployer: 60,
    paymentsApi: 14,
    ledgerVendor: 30,
    ledgerKeyHandover: 3,
} as const;
/**
 * How many days before its `expiresAt` Acme Ledger's owner is told (`expiryNoticeDays`): a
 * contract renewal takes longer than the default 14 days, which the other identities keep.
 */
export const LEDGER_EXPIRY_NOTICE_DAYS = 30;

/** The Cloud Scheduler region of the reports project's deprovisioning jobs, near its EU buckets. */
export const REPORTS_SCHEDULER_REGION = "europe-west1";
/** When the Cloud Run worker's service account stops working unless someone renews it. */
export const RENDERER_EXPIRES_AT = "2028-09-30T00:00:00Z";
/** When the Cloud Run deployer's service account stops working unless someone renews it. */
export const REPORTS_DEPLOYER_EXPIRES_AT = "2028-04-30T00:00:00Z";

/**
 * After how many days without use each Google identity is reported `idle` (`unusedAlarm.afterDays`),
 * chosen by how often its job uses it:
 * - the renderer serves report requests every day: two weeks of silence means its Cloud Run
 *   service is gone or runs as another account;
 * - the reports deployer is used by releases, which can pause for weeks: two months.
 */
export const GCP_UNUSED_AFTER_DAYS = { renderer: 14, reportsDeployer: 60 } as const;
/**
 * How many days before its `expiresAt` the reports deployer's owner is told (`expiryNoticeDays`):
 * releases can pause for weeks, so a 14-day notice could fall inside a freeze and the first sign
 * would be a failed deploy. The renderer keeps the default 14.
 */
export const REPORTS_DEPLOYER_EXPIRY_NOTICE_DAYS = 30;
/**
 * Where the reports project's notification channel (e-mail) sends usage notices. Set your own with
 * `pulumi config set reportsNoticesEmail <address>`.
 */
export const REPORTS_NOTICES_EMAIL = "team-reports@example.com";

/** The GitHub repository and environment allowed to deploy the reports service. */
export const REPORTS_REPOSITORY = "acme/reports-service";
export const REPORTS_ENVIRONMENT = "production";

/**
 * The Google Cloud project of the reports service. Set your own with
 * `pulumi config set gcpProject <project id>`.
 */
export const DEFAULT_GCP_PROJECT = "acme-reports-prod";

/** Exactly what CI needs on the artifacts bucket: upload build artifacts and read them back. */
export const REPORTS_ARTIFACT_PERMISSIONS = ["storage.objects.create", "storage.objects.get"];

export interface Quickstart {
    /** The Lambda worker's identity. */
    readonly worker: nhi.aws.ServiceIdentity;
    /** The GitHub Actions deployer's identity. */
    readonly deployer: nhi.aws.ServiceIdentity;
    /** Where invoices land; the worker reads `incoming/` only. */
    readonly bucket: aws.s3.Bucket;
    /** The worker's log group; the worker may write to it and to no other. */
    readonly workerLogs: aws.cloudwatch.LogGroup;
    /** "Invoice uploaded" events the worker consumes. */
    readonly queue: aws.sqs.Queue;
    /** Where CI uploads build artifacts; the deployer writes `payments-service/` only. */
    readonly artifacts: aws.s3.Bucket;
    /** The account's IAM OIDC provider for GitHub Actions tokens. */
    readonly githubOidc: aws.iam.OpenIdConnectProvider;
    /** The payments API's identity: it signs the invoice webhooks it sends. */
    readonly paymentsApi: nhi.aws.ServiceIdentity;
    /** The webhook signing secret, rotated in AWS; the payments API and the worker read it. */
    readonly webhookSecret: nhi.aws.RotatingSecret;
    /** Acme Ledger's IAM user and its access key, rotated in AWS. */
    readonly ledgerVendor: nhi.aws.AccessKeyIdentity;
    /** The identity of the function that hands Acme Ledger's current key to Acme Ledger. */
    readonly ledgerKeyHandover: nhi.aws.ServiceIdentity;
    /** Where the AWS identities' owners are told of unused, expiring and stale identities. */
    readonly notices: aws.sns.Topic;
    /** The account's usage monitor: checks every identity above once a day. */
    readonly usageMonitor: nhi.aws.UsageMonitor;

    /** The Google Cloud project of the reports service (`gcpProject` config). */
    readonly gcpProject: string;
    /** Disables the project's identities at their `expiresAt`: one for every identity of the project. */
    readonly reportsDeprovisioner: nhi.gcp.Deprovisioner;
    /** Where the Google identities' owners are told of unused and expiring identities: an e-mail channel. */
    readonly reportsNotices: gcp.monitoring.NotificationChannel;
    /** The project's usage monitor: checks every service account above twice a day. */
    readonly reportsUsageMonitor: nhi.gcp.UsageMonitor;
    /** The Cloud Run worker's service account. */
    readonly renderer: nhi.gcp.ServiceIdentity;
    /** The GitHub Actions deployer's service account. */
    readonly reportsDeployer: nhi.gcp.ServiceIdentity;
    /** Where rendered reports are stored; the renderer reads it, and only it. */
    readonly reportsBucket: gcp.storage.Bucket;
    /** Where CI uploads the reports service's build artifacts. */
    readonly reportsArtifacts: gcp.storage.Bucket;
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
    // The worker's log group, declared so that the stack owns its retention (Lambda would otherwise
    // create `/aws/lambda/<function>` itself, kept for ever). Point the function at it with
    // `loggingConfig: { logFormat: "JSON", logGroup: workerLogs.name }`.
    const workerLogs = new aws.cloudwatch.LogGroup("invoice-worker-logs", {
        namePrefix: "/aws/lambda/invoice-worker-",
        retentionInDays: 30,
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

    // The usage monitor of this account and region, and the topic it tells. Every identity below
    // names the topic in `unusedAlarm.notify` (the monitor may publish to its `notifyTopics` only).
    // Subscribe the team to it: `aws sns subscribe --topic-arn <arn> --protocol email ...`. A larger
    // organisation would send `alarmTopic` (the monitor's own silence) to the platform team instead.
    const notices = new aws.sns.Topic("identity-notices", {
        tags: { app: "payments" },
    });
    const usageMonitor = new nhi.aws.UsageMonitor("usage", {
        owner: "team-payments",
        notifyTopics: [notices.arn],
        alarmTopic: notices.arn,
    });

    // The Lambda worker: writes its logs, reads one prefix, consumes one queue, nothing else.
    // No s3:ListBucket: the queue message names the object, and ListBucket on the bucket would
    // reveal every key in it, not only those under incoming/.
    const worker = new nhi.aws.ServiceIdentity("invoice-worker", {
        owner: "team-payments",
        purpose: "Lambda that parses uploaded invoices from the incoming queue",
        trust: { service: { principal: "lambda.amazonaws.com", logGroups: [workerLogs.arn] } },
        grants: [
            { service: "s3", access: "read", resources: [pulumi.interpolate`${bucket.arn}/${INCOMING_PREFIX}*`] },
            {
                actions: [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                resources: [queue.arn],
            },
        ],
        expiresAt: WORKER_EXPIRES_AT,
        unusedAlarm: { afterDays: UNUSED_AFTER_DAYS.worker, notify: notices.arn },
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
        unusedAlarm: { afterDays: UNUSED_AFTER_DAYS.deployer, notify: notices.arn },
    });

    // The payments API (the function the deployer updates) signs the invoice webhooks it sends. It
    // needs no grant to read the signing secret: the secret's resource policy names it.
    const paymentsApi = new nhi.aws.ServiceIdentity("payments-api", {
        owner: "team-payments",
        purpose: "Lambda of the payments API: signs the invoice webhooks it sends",
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [],
        expiresAt: PAYMENTS_API_EXPIRES_AT,
        unusedAlarm: { afterDays: UNUSED_AFTER_DAYS.paymentsApi, notify: notices.arn },
    });

    // The webhook signing secret: minted and rotated inside AWS, never in Pulumi state. The API
    // signs with AWSCURRENT; the worker accepts AWSCURRENT or AWSPREVIOUS, so a rotation never
    // breaks a webhook in flight. A rotation function of its own (the default), not a shared
    // `aws.SecretRotator`: with one rotating secret a shared rotator saves nothing (the same five
    // cloud resources: log group, role, policy, function, invoke permission), and the function's
    // role names this one secret by ARN instead of by tag. Share a rotator once a stack has more
    // than a handful of rotating secrets (README, "One function per secret, or one shared rotator").
    const webhookSecret = new nhi.aws.RotatingSecret("webhook-signing", {
        owner: "team-payments",
        purpose: "Signs invoice webhooks the payments API sends and the invoice worker verifies",
        rotateEveryDays: WEBHOOK_ROTATE_EVERY_DAYS,
        value: { length: 64, format: "hex" },
        readers: [paymentsApi, worker],
        // Told when no rotation has succeeded for 31 days (the period plus a day).
        rotationAlarm: { notify: notices.arn },
    });

    // Acme Ledger can only be configured with a static access key (no role to assume, no OIDC).
    // The handover function reads the current key daily and sends it to Acme Ledger's settings
    // API, within the 7 days the previous key stays active after a rotation.
    const ledgerKeyHandover = new nhi.aws.ServiceIdentity("ledger-key-handover", {
        owner: "team-payments",
        purpose: "Lambda that hands the current Acme Ledger access key to Acme Ledger",
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [],
        expiresAt: LEDGER_EXPIRES_AT,
        unusedAlarm: { afterDays: UNUSED_AFTER_DAYS.ledgerKeyHandover, notify: notices.arn },
    });
    // Its key is minted and rotated by a function in AWS: no `aws.iam.AccessKey`, so the key is
    // never in Pulumi state. The user may upload under its own prefix and do nothing else.
    const ledgerVendor = new nhi.aws.AccessKeyIdentity("ledger-vendor", {
        owner: "team-payments",
        purpose: "Acme Ledger uploads invoices into the invoices bucket",
        consumer: LEDGER_CONSUMER,
        grants: [{ actions: ["s3:PutObject"], resources: [pulumi.interpolate`${bucket.arn}/${LEDGER_PREFIX}*`] }],
        rotateEveryDays: LEDGER_ROTATE_EVERY_DAYS,
        graceDays: LEDGER_GRACE_DAYS,
        readers: [ledgerKeyHandover],
        expiresAt: LEDGER_EXPIRES_AT,
        expiryNoticeDays: LEDGER_EXPIRY_NOTICE_DAYS,
        // Also told when its key's rotation stops succeeding.
        unusedAlarm: { afterDays: UNUSED_AFTER_DAYS.ledgerVendor, notify: notices.arn },
    });

    // Google Cloud: the reports service.
    const gcpProject = config.get("gcpProject") ?? DEFAULT_GCP_PROJECT;

    // Uniform bucket-level access: IAM Conditions (the identities' expiry) on a bucket need it, and
    // it turns off per-object ACLs, so IAM alone says who may read.
    const reportsBucket = new gcp.storage.Bucket("reports", {
        project: gcpProject,
        location: "EU",
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        labels: { app: "reports" },
    });
    const reportsArtifacts = new gcp.storage.Bucket("reports-artifacts", {
        project: gcpProject,
        location: "EU",
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        labels: { app: "reports" },
    });

    // At each identity's expiresAt, a Cloud Scheduler job disables its account as this deprovisioner:
    // one service account and one custom role for the project, however many identities name it.
    const reportsDeprovisioner = new nhi.gcp.Deprovisioner("reports-deprovisioner", {
        project: gcpProject,
        region: REPORTS_SCHEDULER_REGION,
        owner: "team-reports",
    });

    // The usage monitor of the project, and the e-mail channel it notifies. Every identity below
    // names the channel in `unusedAlarm.notify` (the monitor turns digests into notifications for
    // its `notifyChannels` only). A larger organisation would send `alarmChannel` (the monitor's own
    // silence) to the platform team instead. An `email` channel takes its address in the label
    // `email_address` (https://www.pulumi.com/registry/packages/gcp/api-docs/monitoring/notificationchannel/;
    // every type's labels: https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.notificationChannelDescriptors/list).
    const reportsNotices = new gcp.monitoring.NotificationChannel("reports-notices", {
        project: gcpProject,
        type: "email",
        displayName: "team-reports: machine identity notices",
        labels: { email_address: config.get("reportsNoticesEmail") ?? REPORTS_NOTICES_EMAIL },
    });
    const reportsUsageMonitor = new nhi.gcp.UsageMonitor("reports-usage", {
        project: gcpProject,
        region: REPORTS_SCHEDULER_REGION,
        owner: "team-reports",
        notifyChannels: [reportsNotices.name],
        alarmChannel: reportsNotices.name,
    });

    // The Cloud Run worker: no trust, because the account is attached to the Cloud Run service
    // (`--service-account`), and reads the objects of the reports bucket, nothing else.
    const renderer = new nhi.gcp.ServiceIdentity("report-renderer", {
        project: gcpProject,
        owner: "team-reports",
        purpose: "Cloud Run service that renders stored reports",
        grants: [{ role: "roles/storage.objectViewer", resource: { bucket: reportsBucket.name } }],
        expiresAt: RENDERER_EXPIRES_AT,
        deprovisioner: reportsDeprovisioner,
        unusedAlarm: { afterDays: GCP_UNUSED_AFTER_DAYS.renderer, notify: reportsNotices.name },
    });

    // The deployer: only production-environment jobs of one repository may impersonate it, through
    // a Workload Identity pool and GitHub provider the component creates. No key is ever issued.
    const reportsDeployer = new nhi.gcp.ServiceIdentity("reports-deployer", {
        project: gcpProject,
        owner: "team-reports",
        purpose: "GitHub Actions deploys of acme/reports-service to production",
        trust: {
            githubActions: {
                repository: REPORTS_REPOSITORY,
                environment: REPORTS_ENVIRONMENT,
            },
        },
        grants: [
            { role: "roles/run.developer", resource: { project: gcpProject } },
            // Deploying the service to run as the renderer needs iam.serviceAccounts.actAs on that
            // one account, not on every account of the project.
            { role: "roles/iam.serviceAccountUser", resource: { serviceAccount: renderer.email } },
            { permissions: REPORTS_ARTIFACT_PERMISSIONS, resource: { bucket: reportsArtifacts.name } },
        ],
        expiresAt: REPORTS_DEPLOYER_EXPIRES_AT,
        expiryNoticeDays: REPORTS_DEPLOYER_EXPIRY_NOTICE_DAYS,
        deprovisioner: reportsDeprovisioner,
        unusedAlarm: { afterDays: GCP_UNUSED_AFTER_DAYS.reportsDeployer, notify: reportsNotices.name },
    });

    return {
        worker,
        deployer,
        bucket,
        workerLogs,
        queue,
        artifacts,
        githubOidc,
        paymentsApi,
        webhookSecret,
        ledgerVendor,
        ledgerKeyHandover,
        notices,
        usageMonitor,
        gcpProject,
        reportsDeprovisioner,
        reportsNotices,
        reportsUsageMonitor,
        renderer,
        reportsDeployer,
        reportsBucket,
        reportsArtifacts,
    };
}
