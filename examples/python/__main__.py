"""The pulumi-nhi quickstart in Python: the invoice pipeline's machine identities on AWS and the
reports service's on Google Cloud, declared with the SDK that `pulumi package add` generates for
the `nhi` package. Every value is the TypeScript quickstart's (examples/quickstart/program.ts).

Arguments are dict literals with snake_case keys (the SDK's `...ArgsDict` types); the `...Args`
classes of `pulumi_nhi.aws` and `pulumi_nhi.gcp` say the same with more words.
"""

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp
import pulumi_nhi as nhi

config = pulumi.Config()
payments_function_arn = config.get("paymentsFunctionArn") or "arn:aws:lambda:us-east-1:123456789012:function:payments-api"
gcp_project = config.get("gcpProject") or "acme-reports-prod"
reports_notices_email = config.get("reportsNoticesEmail") or "team-reports@example.com"

# AWS: the invoice pipeline's own resources.
invoices = aws.s3.Bucket("invoices", tags={"app": "payments"})
invoice_events = aws.sqs.Queue(
    "invoice-events",
    visibility_timeout_seconds=60,
    message_retention_seconds=345600,
    tags={"app": "payments"},
)
invoice_worker_logs = aws.cloudwatch.LogGroup(
    "invoice-worker-logs",
    name_prefix="/aws/lambda/invoice-worker-",
    retention_in_days=30,
    tags={"app": "payments"},
)
build_artifacts = aws.s3.Bucket("build-artifacts", tags={"app": "payments"})

# One per account: lets GitHub Actions tokens be exchanged for roles.
github_actions = aws.iam.OpenIdConnectProvider(
    "github-actions",
    url="https://token.actions.githubusercontent.com",
    client_id_lists=["sts.amazonaws.com"],
)

# The account's usage monitor and the topic it tells of unused, expiring and stale identities.
identity_notices = aws.sns.Topic("identity-notices", tags={"app": "payments"})
usage = nhi.aws.UsageMonitor(
    "usage",
    owner="team-payments",
    notify_topics=[identity_notices.arn],
    alarm_topic=identity_notices.arn,
)

# The Lambda worker: writes its logs, reads one prefix, consumes one queue, nothing else.
invoice_worker = nhi.aws.ServiceIdentity(
    "invoice-worker",
    owner="team-payments",
    purpose="Lambda that parses uploaded invoices from the incoming queue",
    trust={"service": {"principal": "lambda.amazonaws.com", "log_groups": [invoice_worker_logs.arn]}},
    grants=[
        {"service": "s3", "access": "read", "resources": [pulumi.Output.concat(invoices.arn, "/incoming/*")]},
        {
            "actions": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
            "resources": [invoice_events.arn],
        },
    ],
    expires_at="2028-06-30T00:00:00Z",
    unused_alarm={"after_days": 14, "notify": identity_notices.arn},
)

# The deployer: only production-environment jobs of one repository may assume it.
payments_deployer = nhi.aws.ServiceIdentity(
    "payments-deployer",
    owner="team-payments",
    purpose="GitHub Actions deploys of acme/payments-service to production",
    trust={
        "github_actions": {
            "repository": "acme/payments-service",
            "environment": "production",
            "oidc_provider_arn": github_actions.arn,
        },
    },
    grants=[
        {"actions": ["lambda:UpdateFunctionCode"], "resources": [payments_function_arn]},
        {"actions": ["s3:PutObject"], "resources": [pulumi.Output.concat(build_artifacts.arn, "/payments-service/*")]},
    ],
    expires_at="2028-03-31T00:00:00Z",
    unused_alarm={"after_days": 60, "notify": identity_notices.arn},
)

# The payments API signs the webhooks it sends: no grant, the secret's resource policy names it.
payments_api = nhi.aws.ServiceIdentity(
    "payments-api",
    owner="team-payments",
    purpose="Lambda of the payments API: signs the invoice webhooks it sends",
    trust={"service": {"principal": "lambda.amazonaws.com"}},
    grants=[],
    expires_at="2028-06-30T00:00:00Z",
    unused_alarm={"after_days": 14, "notify": identity_notices.arn},
)

# The webhook signing secret: minted and rotated every 30 days inside AWS, never in Pulumi state.
webhook_signing = nhi.aws.RotatingSecret(
    "webhook-signing",
    owner="team-payments",
    purpose="Signs invoice webhooks the payments API sends and the invoice worker verifies",
    rotate_every_days=30,
    value={"length": 64, "format": "hex"},
    readers=[payments_api.role_arn, invoice_worker.role_arn],
    rotation_alarm={"notify": identity_notices.arn},
)

# Google Cloud: the reports bucket, the project's deprovisioner, usage monitor and its channel.
reports = gcp.storage.Bucket(
    "reports",
    project=gcp_project,
    location="EU",
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    labels={"app": "reports"},
)
reports_deprovisioner = nhi.gcp.Deprovisioner(
    "reports-deprovisioner",
    project=gcp_project,
    region="europe-west1",
    owner="team-reports",
)
reports_notices = gcp.monitoring.NotificationChannel(
    "reports-notices",
    project=gcp_project,
    type="email",
    display_name="team-reports: machine identity notices",
    labels={"email_address": reports_notices_email},
)
reports_usage = nhi.gcp.UsageMonitor(
    "reports-usage",
    project=gcp_project,
    region="europe-west1",
    owner="team-reports",
    notify_channels=[reports_notices.name],
    alarm_channel=reports_notices.name,
)

# The Cloud Run worker's service account: reads the objects of the reports bucket, nothing else.
report_renderer = nhi.gcp.ServiceIdentity(
    "report-renderer",
    project=gcp_project,
    owner="team-reports",
    purpose="Cloud Run service that renders stored reports",
    grants=[{"role": "roles/storage.objectViewer", "resource": {"bucket": reports.name}}],
    expires_at="2028-09-30T00:00:00Z",
    deprovisioner=reports_deprovisioner,
    unused_alarm={"after_days": 14, "notify": reports_notices.name},
)

pulumi.export("workerRoleArn", invoice_worker.role_arn)
pulumi.export("deployerRoleArn", payments_deployer.role_arn)
pulumi.export("paymentsApiRoleArn", payments_api.role_arn)
pulumi.export("webhookSecretArn", webhook_signing.secret_arn)
pulumi.export("identityNoticesTopicArn", identity_notices.arn)
pulumi.export("rendererEmail", report_renderer.email)
