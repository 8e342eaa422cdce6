import * as assert from "assert";
import { run } from "@bufbuild/cel";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    ARTIFACTS_PREFIX,
    DEFAULT_FUNCTION_ARN,
    DEFAULT_GCP_PROJECT,
    DEPLOYER_EXPIRES_AT,
    GCP_UNUSED_AFTER_DAYS,
    INCOMING_PREFIX,
    LEDGER_CONSUMER,
    LEDGER_EXPIRES_AT,
    LEDGER_GRACE_DAYS,
    LEDGER_PREFIX,
    LEDGER_ROTATE_EVERY_DAYS,
    PAYMENTS_API_EXPIRES_AT,
    Quickstart,
    RENDERER_EXPIRES_AT,
    REPORTS_DEPLOYER_EXPIRES_AT,
    REPORTS_DEPLOYER_EXPIRY_NOTICE_DAYS,
    REPORTS_NOTICES_EMAIL,
    REPORTS_SCHEDULER_REGION,
    WEBHOOK_ROTATE_EVERY_DAYS,
    UNUSED_AFTER_DAYS,
    WORKER_EXPIRES_AT,
    quickstart,
} from "../../examples/quickstart/program";
import { PolicyDocument } from "../../components/aws/policy";
import { renderAuditQuery } from "../../components/aws/audit-query";
import { renderAuditLogFilter } from "../../components/gcp/audit-filter";
import { gcp } from "../../components";
import { MOCK_ACCOUNT, MOCK_PROJECT_NUMBER, Registered, capture, ofType, valueOf } from "../../components/testing";
import { DemoRun, runDemo } from "../support/demo";
import { Decision, decideIdentity, decideTrust, expectDecisions, shiftDays } from "../support/iam-simulator";

/** Every (action, resource) pair the documents allow, as `action resource`. */
function pairs(documents: readonly PolicyDocument[]): string[] {
    const out: string[] = [];
    for (const doc of documents) {
        for (const s of doc.Statement) {
            assert.strictEqual(s.Effect, "Allow");
            for (const a of [s.Action].flat()) {
                for (const r of s.Resource ?? []) {
                    out.push(`${a} ${r}`);
                }
            }
        }
    }
    return out.sort();
}

async function documents(identity: Quickstart["worker"]): Promise<PolicyDocument[]> {
    return (await valueOf(identity.policyDocuments)).map((d) => JSON.parse(d) as PolicyDocument);
}

describe("examples/quickstart", () => {
    let qs: Quickstart;
    let resources: Registered[];
    let bucketArn: string;
    let queueArn: string;
    let artifactsArn: string;
    let providerArn: string;

    before(async () => {
        ({ value: qs, resources } = await capture(quickstart));
        [bucketArn, queueArn, artifactsArn, providerArn] = await Promise.all([
            valueOf(qs.bucket.arn),
            valueOf(qs.queue.arn),
            valueOf(qs.artifacts.arn),
            valueOf(qs.githubOidc.arn),
        ]);
    });

    it("creates exactly the workload resources, four AWS roles, two rotating credentials, the usage monitor and its topic, two keyless Google service accounts, their shared deprovisioner, the project's usage monitor and its channel", () => {
        const created = resources.map((r) => `${r.type} ${r.name}`).sort();
        assert.deepStrictEqual(created, [
            "aws:cloudwatch/eventRule:EventRule ledger-vendor-leak",
            "aws:cloudwatch/eventTarget:EventTarget ledger-vendor-leak",
            "aws:cloudwatch/logGroup:LogGroup invoice-worker-logs",
            "aws:cloudwatch/logGroup:LogGroup ledger-vendor-rotator-logs",
            "aws:cloudwatch/logGroup:LogGroup usage-logs",
            "aws:cloudwatch/logGroup:LogGroup webhook-signing-rotator-logs",
            "aws:cloudwatch/metricAlarm:MetricAlarm usage-heartbeat",
            "aws:dynamodb/table:Table usage-state",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider github-actions",
            "aws:iam/role:Role invoice-worker-expiry-role",
            "aws:iam/role:Role invoice-worker-role",
            "aws:iam/role:Role ledger-key-handover-expiry-role",
            "aws:iam/role:Role ledger-key-handover-role",
            "aws:iam/role:Role ledger-vendor-expiry-role",
            "aws:iam/role:Role ledger-vendor-retire-role",
            "aws:iam/role:Role ledger-vendor-rotator-role",
            "aws:iam/role:Role payments-api-expiry-role",
            "aws:iam/role:Role payments-api-role",
            "aws:iam/role:Role payments-deployer-expiry-role",
            "aws:iam/role:Role payments-deployer-role",
            "aws:iam/role:Role usage-role",
            "aws:iam/role:Role usage-schedule-role",
            "aws:iam/role:Role webhook-signing-rotator-role",
            "aws:iam/rolePolicy:RolePolicy invoice-worker-expiry-policy",
            "aws:iam/rolePolicy:RolePolicy invoice-worker-policy",
            "aws:iam/rolePolicy:RolePolicy ledger-key-handover-expiry-policy",
            "aws:iam/rolePolicy:RolePolicy ledger-vendor-expiry-policy",
            "aws:iam/rolePolicy:RolePolicy ledger-vendor-retire-policy",
            "aws:iam/rolePolicy:RolePolicy ledger-vendor-rotator-policy",
            "aws:iam/rolePolicy:RolePolicy payments-api-expiry-policy",
            "aws:iam/rolePolicy:RolePolicy payments-deployer-expiry-policy",
            "aws:iam/rolePolicy:RolePolicy payments-deployer-policy",
            "aws:iam/rolePolicy:RolePolicy usage-policy",
            "aws:iam/rolePolicy:RolePolicy usage-schedule-policy",
            "aws:iam/rolePolicy:RolePolicy webhook-signing-rotator-policy",
            "aws:iam/user:User ledger-vendor-user",
            "aws:iam/userPolicy:UserPolicy ledger-vendor-policy",
            "aws:lambda/function:Function ledger-vendor-rotator",
            "aws:lambda/function:Function usage",
            "aws:lambda/function:Function webhook-signing-rotator",
            "aws:lambda/permission:Permission ledger-vendor-leak-invoke",
            "aws:lambda/permission:Permission ledger-vendor-rotator-invoke",
            "aws:lambda/permission:Permission webhook-signing-rotator-invoke",
            "aws:s3/bucket:Bucket build-artifacts",
            "aws:s3/bucket:Bucket invoices",
            "aws:scheduler/schedule:Schedule invoice-worker-expiry",
            "aws:scheduler/schedule:Schedule ledger-key-handover-expiry",
            "aws:scheduler/schedule:Schedule ledger-vendor-expiry",
            "aws:scheduler/schedule:Schedule ledger-vendor-retire",
            "aws:scheduler/schedule:Schedule payments-api-expiry",
            "aws:scheduler/schedule:Schedule payments-deployer-expiry",
            "aws:scheduler/schedule:Schedule usage-schedule",
            "aws:secretsmanager/secret:Secret ledger-vendor-secret",
            "aws:secretsmanager/secret:Secret webhook-signing-secret",
            "aws:secretsmanager/secretRotation:SecretRotation ledger-vendor-rotation",
            "aws:secretsmanager/secretRotation:SecretRotation webhook-signing-rotation",
            "aws:sns/topic:Topic identity-notices",
            "aws:sqs/queue:Queue invoice-events",
            "gcp:cloudfunctionsv2/function:Function reports-usage",
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember reports-usage-invoker",
            "gcp:cloudscheduler/job:Job report-renderer-deprovision",
            "gcp:cloudscheduler/job:Job reports-deployer-deprovision",
            "gcp:cloudscheduler/job:Job reports-usage-schedule",
            "gcp:iam/workloadIdentityPool:WorkloadIdentityPool reports-deployer-pool",
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider reports-deployer-github",
            "gcp:monitoring/alertPolicy:AlertPolicy reports-usage-heartbeat",
            "gcp:monitoring/alertPolicy:AlertPolicy reports-usage-notify-deferred-1",
            "gcp:monitoring/notificationChannel:NotificationChannel reports-notices",
            "gcp:projects/iAMCustomRole:IAMCustomRole reports-deployer-bucket-1-custom",
            "gcp:projects/iAMCustomRole:IAMCustomRole reports-deprovisioner-role",
            "gcp:projects/iAMCustomRole:IAMCustomRole reports-usage-runtime-bucket-1-custom",
            "gcp:projects/iAMCustomRole:IAMCustomRole reports-usage-runtime-project-acme-reports-prod-custom",
            "gcp:projects/iAMMember:IAMMember reports-deployer-project-acme-reports-prod-run.developer",
            "gcp:projects/iAMMember:IAMMember reports-usage-runtime-project-acme-reports-prod-custom",
            "gcp:serviceaccount/account:Account report-renderer-sa",
            "gcp:serviceaccount/account:Account reports-deployer-sa",
            "gcp:serviceaccount/account:Account reports-deprovisioner-identity-sa",
            "gcp:serviceaccount/account:Account reports-usage-runtime-sa",
            "gcp:serviceaccount/account:Account reports-usage-trigger-sa",
            "gcp:serviceaccount/iAMMember:IAMMember report-renderer-deprovisioner-disable",
            "gcp:serviceaccount/iAMMember:IAMMember reports-deployer-deprovisioner-disable",
            "gcp:serviceaccount/iAMMember:IAMMember reports-deployer-serviceAccount-1-iam.serviceAccountUser",
            "gcp:serviceaccount/iAMMember:IAMMember reports-deployer-workload-identity-user",
            "gcp:storage/bucket:Bucket reports",
            "gcp:storage/bucket:Bucket reports-artifacts",
            "gcp:storage/bucket:Bucket reports-usage-source",
            "gcp:storage/bucket:Bucket reports-usage-state",
            "gcp:storage/bucketIAMMember:BucketIAMMember report-renderer-bucket-1-storage.objectViewer",
            "gcp:storage/bucketIAMMember:BucketIAMMember reports-deployer-bucket-1-custom",
            "gcp:storage/bucketIAMMember:BucketIAMMember reports-usage-runtime-bucket-1-custom",
            "gcp:storage/bucketObject:BucketObject reports-usage-source",
            "nhi:aws:AccessKeyIdentity ledger-vendor",
            "nhi:aws:RotatingSecret webhook-signing",
            "nhi:aws:ServiceIdentity invoice-worker",
            "nhi:aws:ServiceIdentity ledger-key-handover",
            "nhi:aws:ServiceIdentity ledger-vendor-retire",
            "nhi:aws:ServiceIdentity ledger-vendor-rotator",
            "nhi:aws:ServiceIdentity payments-api",
            "nhi:aws:ServiceIdentity payments-deployer",
            "nhi:aws:ServiceIdentity usage",
            "nhi:aws:ServiceIdentity usage-schedule",
            "nhi:aws:ServiceIdentity webhook-signing-rotator",
            "nhi:aws:UsageMonitor usage",
            "nhi:gcp:Deprovisioner reports-deprovisioner",
            "nhi:gcp:ServiceIdentity report-renderer",
            "nhi:gcp:ServiceIdentity reports-deployer",
            "nhi:gcp:ServiceIdentity reports-deprovisioner-identity",
            "nhi:gcp:ServiceIdentity reports-usage-runtime",
            "nhi:gcp:ServiceIdentity reports-usage-trigger",
            "nhi:gcp:UsageMonitor reports-usage",
            "random:index/randomId:RandomId reports-deployer-wif-suffix",
        ]);
    });

    it("declares the GitHub OIDC provider with the STS audience", () => {
        const [provider] = ofType(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        assert.strictEqual(provider.inputs.url, "https://token.actions.githubusercontent.com");
        assert.deepStrictEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    });

    it("lets the worker read objects under incoming/ only, never the whole bucket", async () => {
        const granted = pairs(await documents(qs.worker));
        const prefix = `${bucketArn}/${INCOMING_PREFIX}*`;
        assert.ok(
            granted.includes(`s3:GetObject ${prefix}`),
            `expected s3:GetObject on ${prefix}; got\n${granted.join("\n")}`,
        );
        const s3 = granted.filter((p) => p.startsWith("s3:"));
        assert.ok(s3.length > 0);
        for (const p of s3) {
            assert.strictEqual(p.split(" ")[1], prefix, `an S3 permission outside incoming/: ${p}`);
            assert.match(p.split(" ")[0], /^s3:GetObject/, `a non-read S3 action: ${p}`);
        }
        assert.ok(
            !granted.some((p) => p.endsWith(` ${bucketArn}`) || p.endsWith(` ${bucketArn}/*`)),
            "no permission on the whole bucket",
        );
        assert.ok(!granted.some((p) => p.includes(artifactsArn)), "no permission on the artifacts bucket");
    });

    it("lets the worker consume the one queue with exactly the four consumer actions", async () => {
        const sqs = pairs(await documents(qs.worker)).filter((p) => p.startsWith("sqs:"));
        assert.deepStrictEqual(sqs, [
            `sqs:ChangeMessageVisibility ${queueArn}`,
            `sqs:DeleteMessage ${queueArn}`,
            `sqs:GetQueueAttributes ${queueArn}`,
            `sqs:ReceiveMessage ${queueArn}`,
        ]);
    });

    it("lets the worker write its own log group's streams, and no other logs", async () => {
        const groupArn = await valueOf(qs.workerLogs.arn);
        const logs = pairs(await documents(qs.worker)).filter((p) => p.startsWith("logs:"));
        assert.deepStrictEqual(logs, [`logs:CreateLogStream ${groupArn}:*`, `logs:PutLogEvents ${groupArn}:*`]);
    });

    it("trusts only Lambda for the worker", async () => {
        const trust = JSON.parse(await valueOf(qs.worker.trustPolicy)) as PolicyDocument;
        assert.strictEqual(trust.Statement.length, 1);
        assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "lambda.amazonaws.com" });
        assert.strictEqual(trust.Statement[0].Action, "sts:AssumeRole");
    });

    it("trusts only production-environment jobs of acme/payments-service for the deployer", async () => {
        const trust = JSON.parse(await valueOf(qs.deployer.trustPolicy)) as PolicyDocument;
        assert.strictEqual(trust.Statement.length, 1);
        const [s] = trust.Statement;
        assert.deepStrictEqual(s.Principal, { Federated: providerArn });
        assert.strictEqual(s.Action, "sts:AssumeRoleWithWebIdentity");
        const equals = s.Condition!.StringEquals;
        assert.deepStrictEqual([equals["token.actions.githubusercontent.com:sub"]].flat(), [
            "repo:acme/payments-service:environment:production",
        ]);
        assert.strictEqual(equals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
        assert.ok(!JSON.stringify(trust).includes("StringLike"), "no wildcard subject match");
    });

    it("grants the deployer exactly one function update and one artifacts prefix upload", async () => {
        assert.deepStrictEqual(pairs(await documents(qs.deployer)), [
            `lambda:UpdateFunctionCode ${DEFAULT_FUNCTION_ARN}`,
            `s3:PutObject ${artifactsArn}/${ARTIFACTS_PREFIX}*`,
        ]);
    });

    it("expires both identities in the trust policy, every identity statement and the tags", async () => {
        for (const [identity, expiresAt] of [
            [qs.worker, WORKER_EXPIRES_AT],
            [qs.deployer, DEPLOYER_EXPIRES_AT],
        ] as const) {
            assert.strictEqual(await valueOf(identity.expiresAt), expiresAt);
            const trust = JSON.parse(await valueOf(identity.trustPolicy)) as PolicyDocument;
            for (const s of [...trust.Statement, ...(await documents(identity)).flatMap((d) => d.Statement)]) {
                assert.deepStrictEqual(s.Condition?.DateLessThan, { "aws:CurrentTime": expiresAt });
            }
        }
    });

    it("tags each role with its owner, purpose, manager, expiry and its unused alarm: threshold and topic", () => {
        const topic = `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:identity-notices-1a2b3c4`;
        const roles = new Map(ofType(resources, "aws:iam/role:Role").map((r) => [r.name, r.inputs.tags]));
        assert.deepStrictEqual(roles.get("invoice-worker-role"), {
            "nhi:owner": "team-payments",
            "nhi:purpose": "Lambda that parses uploaded invoices from the incoming queue",
            "nhi:managed-by": "pulumi-nhi",
            "nhi:expires-at": WORKER_EXPIRES_AT,
            "nhi:unused-after-days": "14",
            "nhi:notify": topic,
        });
        assert.deepStrictEqual(roles.get("payments-deployer-role"), {
            "nhi:owner": "team-payments",
            "nhi:purpose": "GitHub Actions deploys of acme/payments-service to production",
            "nhi:managed-by": "pulumi-nhi",
            "nhi:expires-at": DEPLOYER_EXPIRES_AT,
            "nhi:unused-after-days": "60",
            "nhi:notify": topic,
        });
        // AND every AWS identity of the example names the one topic the monitor may publish to, with its own threshold
        const principals = [
            ...ofType(resources, "aws:iam/role:Role"),
            ...ofType(resources, "aws:iam/user:User"),
        ].filter((r) => r.inputs.tags["nhi:unused-after-days"] !== undefined);
        assert.deepStrictEqual(
            Object.fromEntries(
                principals.map((r) => [
                    r.name,
                    [
                        r.inputs.tags["nhi:unused-after-days"],
                        r.inputs.tags["nhi:notify"],
                        r.inputs.tags["nhi:expiry-notice-days"],
                    ],
                ]),
            ),
            {
                "invoice-worker-role": ["14", topic, undefined],
                "payments-deployer-role": ["60", topic, undefined],
                "payments-api-role": ["14", topic, undefined],
                "ledger-key-handover-role": ["3", topic, undefined],
                "ledger-vendor-user": ["30", topic, "30"],
            },
        );
        assert.deepStrictEqual(UNUSED_AFTER_DAYS, {
            worker: 14,
            deployer: 60,
            paymentsApi: 14,
            ledgerVendor: 30,
            ledgerKeyHandover: 3,
        });
        // AND the handover's threshold leaves time to fix it within the vendor key's grace
        assert.ok(UNUSED_AFTER_DAYS.ledgerKeyHandover < LEDGER_GRACE_DAYS);
        // AND both secrets tell the same topic when their rotation stops succeeding
        assert.deepStrictEqual(
            ofType(resources, "aws:secretsmanager/secret:Secret").map((r) => [r.name, r.inputs.tags["nhi:notify"]]),
            [
                ["webhook-signing-secret", topic],
                ["ledger-vendor-secret", topic],
            ],
        );
    });

    it("declares one usage monitor: run daily, told to the notices topic alone, its heartbeat alarm to the same topic", async () => {
        // GIVEN the quickstart's monitor and topic
        const topic = await valueOf(qs.notices.arn);
        const table = await valueOf(qs.usageMonitor.stateTableName);
        const schedule = ofType(resources, "aws:scheduler/schedule:Schedule").find((r) => r.name === "usage-schedule")!;
        const alarm = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
            (r) => r.name === "usage-heartbeat",
        )!;
        const policy = JSON.parse(
            ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "usage-policy")!.inputs.policy,
        ) as PolicyDocument;
        // THEN it runs once a day on its own state table
        assert.strictEqual(schedule.inputs.scheduleExpression, "rate(1 day)");
        assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input), {
            nhiAction: "monitorUsage",
            stateTable: table,
            perIdentityMetrics: false,
        });
        // AND its silence alarms the topic, and so does its return
        assert.deepStrictEqual(
            [alarm.inputs.alarmActions, alarm.inputs.okActions, alarm.inputs.treatMissingData],
            [[topic], [topic], "breaching"],
        );
        // AND its function may publish to that topic and to no other
        assert.deepStrictEqual(
            pairs([policy]).filter((p) => p.startsWith("sns:")),
            [`sns:Publish ${topic}`],
        );
    });
});

describe("examples/quickstart credentials: a webhook signing secret and a vendor's access key, rotated in AWS", function () {
    this.timeout(60_000);
    let qs: Quickstart;
    let resources: Registered[];
    let arns: Record<
        "worker" | "deployer" | "paymentsApi" | "handover" | "webhookSecret" | "keySecret" | "user",
        string
    >;
    const role = (name: string) => `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}-role-1a2b3c4`;
    const named = (type: string, name: string) => {
        const found = resources.find((r) => r.type === type && r.name === name);
        assert.ok(found, `no ${type} ${name}`);
        return found;
    };
    const secretOf = (name: string) => named("aws:secretsmanager/secret:Secret", `${name}-secret`);

    before(async () => {
        ({ value: qs, resources } = await capture(quickstart));
        const [worker, deployer, paymentsApi, handover, webhookSecret, keySecret, user] = await Promise.all([
            valueOf(qs.worker.roleArn),
            valueOf(qs.deployer.roleArn),
            valueOf(qs.paymentsApi.roleArn),
            valueOf(qs.ledgerKeyHandover.roleArn),
            valueOf(qs.webhookSecret.secretArn),
            valueOf(qs.ledgerVendor.keySecretArn),
            valueOf(qs.ledgerVendor.userArn),
        ]);
        arns = { worker, deployer, paymentsApi, handover, webhookSecret, keySecret, user };
    });

    it("lets exactly the payments API and the invoice worker read the webhook signing secret", async () => {
        // GIVEN the webhook secret's resource policy WHEN principals ask to read or change it
        // THEN the payments API (signs) and the worker (verifies) may read it, nobody else, and neither may write it
        const policy = secretOf("webhook-signing").inputs.policy;
        assert.deepStrictEqual(
            JSON.parse(policy).Statement.map((st: any) => st.Principal.AWS),
            [[role("invoice-worker"), role("payments-api")]],
        );
        const ask =
            (principal: string, action = "secretsmanager:GetSecretValue"): (() => Promise<Decision>) =>
            () =>
                decideTrust(policy, { principal, roleArn: arns.webhookSecret, action });
        await expectDecisions([
            { what: "the payments API reads", expected: "Allowed", decide: ask(arns.paymentsApi) },
            { what: "the worker reads", expected: "Allowed", decide: ask(arns.worker) },
            {
                what: "the worker describes",
                expected: "Allowed",
                decide: ask(arns.worker, "secretsmanager:DescribeSecret"),
            },
            {
                what: "the payments API writes a value",
                expected: "Denied",
                decide: ask(arns.paymentsApi, "secretsmanager:PutSecretValue"),
            },
            {
                what: "the worker rotates it",
                expected: "Denied",
                decide: ask(arns.worker, "secretsmanager:RotateSecret"),
            },
            { what: "the deployer reads", expected: "Denied", decide: ask(arns.deployer) },
            { what: "the key handover reads", expected: "Denied", decide: ask(arns.handover) },
        ]);
        assert.deepStrictEqual(await Promise.all(qs.webhookSecret.readerArns.map((r) => valueOf(pulumi.output(r)))), [
            arns.paymentsApi,
            arns.worker,
        ]);
    });

    it("lets exactly the key handover read Acme Ledger's key", async () => {
        const policy = secretOf("ledger-vendor").inputs.policy;
        assert.deepStrictEqual(
            JSON.parse(policy).Statement.map((st: any) => st.Principal.AWS),
            [[role("ledger-key-handover")]],
        );
        const ask =
            (principal: string, action = "secretsmanager:GetSecretValue"): (() => Promise<Decision>) =>
            () =>
                decideTrust(policy, { principal, roleArn: arns.keySecret, action });
        await expectDecisions([
            { what: "the handover reads", expected: "Allowed", decide: ask(arns.handover) },
            {
                what: "the handover writes",
                expected: "Denied",
                decide: ask(arns.handover, "secretsmanager:PutSecretValue"),
            },
            { what: "the worker reads", expected: "Denied", decide: ask(arns.worker) },
            { what: "the payments API reads", expected: "Denied", decide: ask(arns.paymentsApi) },
        ]);
    });

    it("rotates the webhook secret every 30 days and the key every 90 with 7 days' grace, each first value minted at creation", () => {
        // GIVEN the declared rotations THEN the schedules are as the program says, and deleting keeps each secret 30 days
        const schedule = (name: string) => {
            const { rotationRules, rotateImmediately, rotationLambdaArn } = named(
                "aws:secretsmanager/secretRotation:SecretRotation",
                `${name}-rotation`,
            ).inputs;
            return { rotationRules, rotateImmediately, rotationLambdaArn };
        };
        assert.deepStrictEqual(schedule("webhook-signing"), {
            rotationRules: { automaticallyAfterDays: WEBHOOK_ROTATE_EVERY_DAYS },
            rotateImmediately: true,
            rotationLambdaArn: `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:webhook-signing-rotator-1a2b3c4`,
        });
        assert.deepStrictEqual(schedule("ledger-vendor"), {
            rotationRules: { automaticallyAfterDays: LEDGER_ROTATE_EVERY_DAYS },
            rotateImmediately: true,
            rotationLambdaArn: `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:ledger-vendor-rotator-1a2b3c4`,
        });
        assert.deepStrictEqual([WEBHOOK_ROTATE_EVERY_DAYS, LEDGER_ROTATE_EVERY_DAYS, LEDGER_GRACE_DAYS], [30, 90, 7]);
        assert.strictEqual(qs.webhookSecret.rotateEveryDays, 30);
        assert.strictEqual(qs.webhookSecret.rotator.mode, "per-secret");
        const webhookTags = secretOf("webhook-signing").inputs.tags;
        assert.deepStrictEqual(
            [webhookTags["nhi:value-length"], webhookTags["nhi:value-format"], webhookTags["nhi:rotator"]],
            ["64", "hex", undefined],
        );
        const keyTags = secretOf("ledger-vendor").inputs.tags;
        assert.deepStrictEqual(
            [keyTags["nhi:grace-days"], keyTags["nhi:iam-user"], keyTags["nhi:consumer"], keyTags["nhi:expires-at"]],
            ["7", "ledger-vendor-user-1a2b3c4", LEDGER_CONSUMER, LEDGER_EXPIRES_AT],
        );
        for (const name of ["webhook-signing", "ledger-vendor"]) {
            assert.strictEqual(secretOf(name).inputs.recoveryWindowInDays, 30, `${name}: recoverable 30 days`);
        }
    });

    it("lets Acme Ledger's key upload under its own prefix until the contract ends, and nothing else", async () => {
        // GIVEN the vendor user's policies WHEN its key asks, evaluated by the IAM engine
        // THEN PutObject under incoming/acme-ledger/ is allowed before the end of the contract, and nothing else
        const [documents, bucket] = await Promise.all([
            valueOf(qs.ledgerVendor.policyDocuments),
            valueOf(qs.bucket.bucket),
        ]);
        const before = { "aws:CurrentTime": shiftDays(LEDGER_EXPIRES_AT, -30) };
        const after = { "aws:CurrentTime": shiftDays(LEDGER_EXPIRES_AT, 1) };
        const at =
            (action: string, resource: string, context = before) =>
            () =>
                decideIdentity(arns.user, documents, action, resource, context);
        const object = (key: string) => `arn:aws:s3:::${bucket}/${key}`;
        await expectDecisions([
            {
                what: "PutObject under its prefix",
                expected: "Allowed",
                decide: at("s3:PutObject", object(`${LEDGER_PREFIX}2026/11/inv-1.pdf`)),
            },
            {
                what: "PutObject under its prefix after the contract",
                expected: "Denied",
                decide: at("s3:PutObject", object(`${LEDGER_PREFIX}2026/11/inv-1.pdf`), after),
            },
            {
                what: "PutObject elsewhere in incoming/",
                expected: "Denied",
                decide: at("s3:PutObject", object(`${INCOMING_PREFIX}other/inv-1.pdf`)),
            },
            {
                what: "PutObject into the artifacts bucket",
                expected: "Denied",
                decide: at("s3:PutObject", `arn:aws:s3:::build-artifacts-1a2b3c4/${ARTIFACTS_PREFIX}x`),
            },
            {
                what: "GetObject under its prefix",
                expected: "Denied",
                decide: at("s3:GetObject", object(`${LEDGER_PREFIX}2026/11/inv-1.pdf`)),
            },
            {
                what: "DeleteObject under its prefix",
                expected: "Denied",
                decide: at("s3:DeleteObject", object(`${LEDGER_PREFIX}2026/11/inv-1.pdf`)),
            },
            { what: "ListBucket", expected: "Denied", decide: at("s3:ListBucket", `arn:aws:s3:::${bucket}`) },
            {
                what: "reading its own key",
                expected: "Denied",
                decide: at("secretsmanager:GetSecretValue", arns.keySecret),
            },
            { what: "minting a key of its own", expected: "Denied", decide: at("iam:CreateAccessKey", arns.user) },
        ]);
        assert.deepStrictEqual(pairs(documents.map((d) => JSON.parse(d))), [
            `s3:PutObject arn:aws:s3:::${bucket}/${LEDGER_PREFIX}*`,
        ]);
    });

    it("lets each rotation function touch only its own secret (and the vendor's, its one user)", async () => {
        const policy = (name: string) => [
            JSON.parse(
                named("aws:iam/rolePolicy:RolePolicy", `${name}-rotator-policy`).inputs.policy,
            ) as PolicyDocument,
        ];
        const logs = (name: string) =>
            `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/${name}-rotator-1a2b3c4:*`;
        const secretActions = ["DescribeSecret", "GetSecretValue", "PutSecretValue", "UpdateSecretVersionStage"];
        assert.deepStrictEqual(pairs(policy("webhook-signing")), [
            `logs:CreateLogStream ${logs("webhook-signing")}`,
            `logs:PutLogEvents ${logs("webhook-signing")}`,
            ...secretActions.map((a) => `secretsmanager:${a} ${arns.webhookSecret}`),
        ]);
        assert.deepStrictEqual(pairs(policy("ledger-vendor")), [
            ...["CreateAccessKey", "DeleteAccessKey", "ListAccessKeys", "UpdateAccessKey"].map(
                (a) => `iam:${a} ${arns.user}`,
            ),
            `lambda:InvokeFunction arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:ledger-vendor-rotator-???????`,
            `logs:CreateLogStream ${logs("ledger-vendor")}`,
            `logs:PutLogEvents ${logs("ledger-vendor")}`,
            ...[...secretActions.slice(0, 3), "RotateSecret", secretActions[3]].map(
                (a) => `secretsmanager:${a} ${arns.keySecret}`,
            ),
            // The leak response tells the vendor's `unusedAlarm.notify` topic.
            `sns:Publish arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:identity-notices-1a2b3c4`,
        ]);
        // The vendor's rotator expires with the vendor's identity: asked before and after that.
        const before = { "aws:CurrentTime": shiftDays(LEDGER_EXPIRES_AT, -30) };
        const after = { "aws:CurrentTime": shiftDays(LEDGER_EXPIRES_AT, 1) };
        const rotator =
            (name: string, action: string, resource: string, context = before) =>
            () =>
                decideIdentity(role(`${name}-rotator`), policy(name), action, resource, context);
        await expectDecisions([
            {
                what: "key rotator mints no key once the vendor's identity expired",
                expected: "Denied",
                decide: rotator("ledger-vendor", "iam:CreateAccessKey", arns.user, after),
            },
            {
                what: "webhook rotator writes its secret",
                expected: "Allowed",
                decide: rotator("webhook-signing", "secretsmanager:PutSecretValue", arns.webhookSecret),
            },
            {
                what: "webhook rotator writes the key's secret",
                expected: "Denied",
                decide: rotator("webhook-signing", "secretsmanager:PutSecretValue", arns.keySecret),
            },
            {
                what: "key rotator mints a key for its user",
                expected: "Allowed",
                decide: rotator("ledger-vendor", "iam:CreateAccessKey", arns.user),
            },
            {
                what: "key rotator mints a key for another user",
                expected: "Denied",
                decide: rotator("ledger-vendor", "iam:CreateAccessKey", `arn:aws:iam::${MOCK_ACCOUNT}:user/admin`),
            },
            {
                what: "key rotator reads the webhook secret",
                expected: "Denied",
                decide: rotator("ledger-vendor", "secretsmanager:GetSecretValue", arns.webhookSecret),
            },
        ]);
    });

    it("declares no access key, secret version, login profile or random value, and no value in any input", () => {
        // GIVEN every resource the quickstart registers THEN none can carry a credential into Pulumi state
        assert.deepStrictEqual(
            resources
                .filter((r) =>
                    /^(aws:iam\/accessKey:|aws:secretsmanager\/secretVersion:|aws:iam\/userLoginProfile:|gcp:serviceaccount\/key:|gcp:secretmanager\/secretVersion:)/.test(
                        r.type,
                    ),
                )
                .map((r) => r.name),
            [],
        );
        // The one random resource is the Workload Identity pool's id suffix, not a secret value.
        assert.deepStrictEqual(
            resources.filter((r) => r.type.startsWith("random:")).map((r) => `${r.type} ${r.name}`),
            ["random:index/randomId:RandomId reports-deployer-wif-suffix"],
        );
        const valueKeys = /^(secretString|secretBinary|secretAccessKey|password|privateKey|result)$/;
        const keysOf = (v: unknown, path: string): string[] =>
            v === null || typeof v !== "object"
                ? []
                : Object.entries(v).flatMap(([k, x]) => [
                      ...(valueKeys.test(k) ? [`${path}.${k}`] : []),
                      ...keysOf(x, `${path}.${k}`),
                  ]);
        assert.deepStrictEqual(
            resources.flatMap((r) => keysOf(r.inputs, r.name)),
            [],
        );
    });

    it("the vendor user has no console access: no login profile, a path of its own", () => {
        const user = named("aws:iam/user:User", "ledger-vendor-user");
        assert.deepStrictEqual(user.inputs, {
            forceDestroy: true,
            path: "/nhi/",
            tags: {
                "nhi:consumer": LEDGER_CONSUMER,
                "nhi:expires-at": LEDGER_EXPIRES_AT,
                "nhi:expiry-notice-days": "30",
                // rotated every 90 days, 7 days' grace, and a day: past that age the usage monitor reports the key
                "nhi:key-max-age-days": "98",
                "nhi:managed-by": "pulumi-nhi",
                "nhi:notify": `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:identity-notices-1a2b3c4`,
                "nhi:unused-after-days": "30",
                "nhi:owner": "team-payments",
                "nhi:purpose": "Acme Ledger uploads invoices into the invoices bucket",
            },
        });
    });

    it("expires the payments API and the handover with their constants, and grants them nothing of their own", async () => {
        assert.strictEqual(await valueOf(qs.paymentsApi.expiresAt), PAYMENTS_API_EXPIRES_AT);
        assert.strictEqual(await valueOf(qs.ledgerKeyHandover.expiresAt), LEDGER_EXPIRES_AT);
        assert.strictEqual(await valueOf(qs.ledgerVendor.expiresAt), LEDGER_EXPIRES_AT);
        assert.deepStrictEqual(await valueOf(qs.paymentsApi.policyDocuments), []);
        assert.deepStrictEqual(await valueOf(qs.ledgerKeyHandover.policyDocuments), []);
    });

    it("index.ts exports the roles, the secrets' ARNs, the vendor user, the notices topic and channel, never a value", async () => {
        const { value: module } = await capture(
            () => require("../../examples/quickstart/index") as Record<string, unknown>,
        );
        const exported: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(module)) {
            exported[key] = pulumi.Output.isInstance(value) ? await valueOf(value) : value;
        }
        const credentials = Object.fromEntries(
            Object.entries(exported).filter(([k]) => /^(paymentsApi|webhook|ledger)/.test(k)),
        );
        assert.deepStrictEqual(credentials, {
            paymentsApiRoleArn: role("payments-api"),
            webhookSecretArn: `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:webhook-signing-secret-1a2b3c4-AbCdEf`,
            ledgerVendorUserName: "ledger-vendor-user-1a2b3c4",
            ledgerVendorKeySecretArn: `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:ledger-vendor-secret-1a2b3c4-AbCdEf`,
            ledgerVendorExpiresAt: LEDGER_EXPIRES_AT,
            ledgerKeyHandoverRoleArn: role("ledger-key-handover"),
        });
        // AND the topic the team subscribes to for the usage monitor's notices
        assert.strictEqual(
            exported.identityNoticesTopicArn,
            `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:identity-notices-1a2b3c4`,
        );
        // AND the channel the Google usage monitor notifies, the one both Google identities name
        assert.match(
            exported.reportsNoticesChannel as string,
            new RegExp(`^projects/${DEFAULT_GCP_PROJECT}/notificationChannels/[0-9]+$`),
        );
        assert.strictEqual(exported.reportsNoticesChannel, await valueOf(qs.reportsNotices.name));
    });
});

/** The IAM member resources that bind a role at a project, bucket, topic, subscription, secret or dataset. */
const BINDING_TYPES = [
    "gcp:projects/iAMMember:IAMMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:pubsub/topicIAMMember:TopicIAMMember",
    "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
    "gcp:serviceaccount/iAMMember:IAMMember",
];

function expiryCondition(expiresAt: string) {
    return {
        title: `expires ${expiresAt}`,
        description: `Granted by pulumi-nhi until ${expiresAt}; Google stops honouring the binding then.`,
        expression: `request.time < timestamp("${expiresAt}")`,
    };
}

describe("examples/quickstart on Google Cloud", () => {
    let qs: Quickstart;
    let resources: Registered[];
    let reportsBucket: string;
    let artifactsBucket: string;
    let rendererMember: string;
    let deployerMember: string;
    const pool = `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/reports-deployer-a1b2`;

    before(async () => {
        ({ value: qs, resources } = await capture(quickstart));
        [reportsBucket, artifactsBucket, rendererMember, deployerMember] = await Promise.all([
            valueOf(qs.reportsBucket.name),
            valueOf(qs.reportsArtifacts.name),
            valueOf(qs.renderer.member),
            valueOf(qs.reportsDeployer.member),
        ]);
    });

    /** Every role binding anywhere in the program whose member is `member`. */
    const bindingsOf = (member: string) =>
        resources.filter((r) => BINDING_TYPES.includes(r.type) && r.inputs.member === member);

    it("puts both accounts in the configured project, the default being acme-reports-prod", async () => {
        assert.strictEqual(qs.gcpProject, DEFAULT_GCP_PROJECT);
        assert.strictEqual(
            await valueOf(qs.renderer.email),
            `report-renderer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
        );
        assert.strictEqual(
            await valueOf(qs.reportsDeployer.email),
            `reports-deployer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
        );
    });

    it("declares both buckets in the EU with uniform bucket-level access, which bucket IAM Conditions need", () => {
        for (const bucket of ofType(resources, "gcp:storage/bucket:Bucket").filter(
            (r) => r.name === "reports" || r.name === "reports-artifacts",
        )) {
            assert.strictEqual(bucket.inputs.project, DEFAULT_GCP_PROJECT);
            assert.strictEqual(bucket.inputs.location, "EU");
            assert.strictEqual(
                bucket.inputs.uniformBucketLevelAccess,
                true,
                `${bucket.name}: uniform bucket-level access`,
            );
            assert.strictEqual(bucket.inputs.publicAccessPrevention, "enforced");
        }
    });

    it("creates no service account key anywhere", () => {
        assert.deepStrictEqual(
            resources.filter((r) => r.type === "gcp:serviceaccount/key:Key"),
            [],
        );
    });

    it("lets the Cloud Run worker view the objects of the reports bucket only, until its expiry", () => {
        const bindings = bindingsOf(rendererMember);
        assert.deepStrictEqual(
            bindings.map((b) => ({ type: b.type, inputs: b.inputs })),
            [
                {
                    type: "gcp:storage/bucketIAMMember:BucketIAMMember",
                    inputs: {
                        bucket: reportsBucket,
                        role: "roles/storage.objectViewer",
                        member: rendererMember,
                        condition: expiryCondition(RENDERER_EXPIRES_AT),
                    },
                },
            ],
        );
        assert.strictEqual(
            bindings[0].inputs.condition.expression,
            `request.time < timestamp("${RENDERER_EXPIRES_AT}")`,
        );
        assert.notStrictEqual(reportsBucket, artifactsBucket);
    });

    it("lets nobody but the service the worker is attached to act as it: no pool, provider or act-as binding", async () => {
        assert.ok(
            !resources.some((r) => r.name.startsWith("report-renderer-") && r.type.startsWith("gcp:iam/")),
            "no Workload Identity pool or provider",
        );
        assert.ok(
            !resources.some((r) => r.name === "report-renderer-workload-identity-user"),
            "no workloadIdentityUser binding",
        );
        assert.strictEqual(await valueOf(qs.renderer.workloadIdentityProvider), undefined);
    });

    it("records owner, purpose, expiry and the usage monitor's settings in each account's description", async () => {
        // GIVEN the channel both identities name in unusedAlarm.notify
        const channel = await valueOf(qs.reportsNotices.name);
        const channelId = channel.split("/").pop()!;
        assert.match(channel, new RegExp(`^projects/${DEFAULT_GCP_PROJECT}/notificationChannels/[0-9]+$`));
        const accounts = new Map(
            ofType(resources, "gcp:serviceaccount/account:Account").map((r) => [
                r.name,
                r.inputs.description as string,
            ]),
        );
        // THEN each record holds, in the monitor's keys, its own threshold and the channel's ID; the
        // deployer its 30 days' notice, the renderer none (the default 14 is not written)
        assert.deepStrictEqual(JSON.parse(accounts.get("report-renderer-sa")!), {
            owner: "team-reports",
            purpose: "Cloud Run service that renders stored reports",
            expiresAt: RENDERER_EXPIRES_AT,
            unused: 14,
            notify: channelId,
            managedBy: "pulumi-nhi",
        });
        assert.deepStrictEqual(JSON.parse(accounts.get("reports-deployer-sa")!), {
            owner: "team-reports",
            purpose: "GitHub Actions deploys of acme/reports-service to production",
            expiresAt: REPORTS_DEPLOYER_EXPIRES_AT,
            unused: 60,
            notify: channelId,
            notice: 30,
            managedBy: "pulumi-nhi",
        });
        assert.deepStrictEqual(
            [GCP_UNUSED_AFTER_DAYS, REPORTS_DEPLOYER_EXPIRY_NOTICE_DAYS],
            [{ renderer: 14, reportsDeployer: 60 }, 30],
        );
        // AND the package's own parser reads them back
        assert.deepStrictEqual(gcp.parseOwnershipRecord(accounts.get("reports-deployer-sa")!)?.usage, {
            unusedAfterDays: 60,
            notify: channelId,
            expiryNoticeDays: 30,
        });
        // AND the monitor's own accounts carry no alarm: checked, nobody told
        for (const own of [
            "reports-usage-runtime-sa",
            "reports-usage-trigger-sa",
            "reports-deprovisioner-identity-sa",
        ]) {
            const record = JSON.parse(accounts.get(own)!);
            assert.deepStrictEqual(
                [record.unused, record.notify, record.managedBy],
                [undefined, undefined, "pulumi-nhi"],
                own,
            );
        }
    });

    it("declares the project's usage monitor: twice a day in the scheduler region, its notices and heartbeat to the team's e-mail channel", async () => {
        // GIVEN the quickstart's channel and monitor
        const channel = await valueOf(qs.reportsNotices.name);
        const stateBucket = await valueOf(qs.reportsUsageMonitor.stateBucketName);
        const named = (type: string, name: string) => ofType(resources, type).find((r) => r.name === name)!;
        // THEN the channel is the team's e-mail, in the project
        assert.deepStrictEqual(
            named("gcp:monitoring/notificationChannel:NotificationChannel", "reports-notices").inputs,
            {
                project: DEFAULT_GCP_PROJECT,
                type: "email",
                displayName: "team-reports: machine identity notices",
                labels: { email_address: REPORTS_NOTICES_EMAIL },
            },
        );
        // AND the monitor's children are its state and source buckets, function, two identities, job and two policies
        const children = resources
            .filter((r) => r.parentType === "nhi:gcp:UsageMonitor")
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.deepStrictEqual(children, [
            "gcp:cloudfunctionsv2/function:Function reports-usage",
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember reports-usage-invoker",
            "gcp:cloudscheduler/job:Job reports-usage-schedule",
            "gcp:monitoring/alertPolicy:AlertPolicy reports-usage-heartbeat",
            "gcp:monitoring/alertPolicy:AlertPolicy reports-usage-notify-deferred-1",
            "gcp:storage/bucket:Bucket reports-usage-source",
            "gcp:storage/bucket:Bucket reports-usage-state",
            "gcp:storage/bucketObject:BucketObject reports-usage-source",
            "nhi:gcp:ServiceIdentity reports-usage-runtime",
            "nhi:gcp:ServiceIdentity reports-usage-trigger",
        ]);
        // AND the job runs it at 03:00 and 15:00 UTC in the scheduler region, on its own state bucket
        const job = named("gcp:cloudscheduler/job:Job", "reports-usage-schedule");
        assert.deepStrictEqual(
            [job.inputs.schedule, job.inputs.timeZone, job.inputs.region, job.inputs.project],
            ["0 3,15 * * *", "Etc/UTC", REPORTS_SCHEDULER_REGION, DEFAULT_GCP_PROJECT],
        );
        assert.deepStrictEqual(JSON.parse(Buffer.from(job.inputs.httpTarget.body, "base64").toString("utf8")), {
            nhiAction: "monitorUsage",
            project: DEFAULT_GCP_PROJECT,
            stateBucket,
            perIdentityMetrics: false,
        });
        assert.strictEqual(
            named("gcp:storage/bucket:Bucket", "reports-usage-state").inputs.location,
            REPORTS_SCHEDULER_REGION,
        );
        // AND its one notice policy and its heartbeat notify that channel, and no other
        assert.deepStrictEqual(
            named("gcp:monitoring/alertPolicy:AlertPolicy", "reports-usage-notify-deferred-1").inputs
                .notificationChannels,
            [channel],
        );
        assert.deepStrictEqual(
            named("gcp:monitoring/alertPolicy:AlertPolicy", "reports-usage-heartbeat").inputs.notificationChannels,
            [channel],
        );
    });

    it("admits only production-environment tokens of acme/reports-service at the deployer's GitHub provider", () => {
        const [provider] = ofType(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
        assert.strictEqual(provider.name, "reports-deployer-github");
        assert.strictEqual(
            provider.inputs.attributeCondition,
            'assertion.repository == "acme/reports-service" && assertion.sub in ["repo:acme/reports-service:environment:production"]',
        );
        assert.deepStrictEqual(provider.inputs.oidc, { issuerUri: "https://token.actions.githubusercontent.com" });
        assert.strictEqual(provider.inputs.workloadIdentityPoolId, "reports-deployer-a1b2");
        // Evaluated as Google does (CEL over the token's claims).
        const admits = (claims: Record<string, string>) =>
            run(provider.inputs.attributeCondition, { assertion: new Map(Object.entries(claims)) });
        assert.strictEqual(
            admits({ repository: "acme/reports-service", sub: "repo:acme/reports-service:environment:production" }),
            true,
        );
        assert.strictEqual(
            admits({ repository: "acme/reports-service", sub: "repo:acme/reports-service:environment:staging" }),
            false,
        );
        assert.strictEqual(
            admits({ repository: "acme/reports-service", sub: "repo:acme/reports-service:ref:refs/heads/main" }),
            false,
        );
        assert.strictEqual(
            admits({ repository: "acme/payments-service", sub: "repo:acme/payments-service:environment:production" }),
            false,
        );
    });

    it("lets the principalSet of that repository, never the whole pool, act as the deployer until its expiry", async () => {
        const actAs = ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember").filter(
            (r) => r.inputs.role === "roles/iam.workloadIdentityUser",
        );
        assert.strictEqual(actAs.length, 1);
        assert.strictEqual(actAs[0].name, "reports-deployer-workload-identity-user");
        assert.deepStrictEqual(actAs[0].inputs, {
            serviceAccountId: `projects/${DEFAULT_GCP_PROJECT}/serviceAccounts/reports-deployer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
            role: "roles/iam.workloadIdentityUser",
            member: `principalSet://iam.googleapis.com/${pool}/attribute.repository/acme/reports-service`,
            condition: expiryCondition(REPORTS_DEPLOYER_EXPIRES_AT),
        });
        assert.ok(!actAs[0].inputs.member.endsWith("/*"), "never the whole pool");
        assert.strictEqual(await valueOf(qs.reportsDeployer.workloadIdentityProvider), `${pool}/providers/github-a1b2`);
    });

    it("grants the deployer Cloud Run developer on the project, act-as on the renderer only, and exactly two object permissions on the artifacts bucket", () => {
        const byType = new Map(bindingsOf(deployerMember).map((b) => [b.type, b.inputs]));
        assert.strictEqual(byType.size, 3);
        const condition = expiryCondition(REPORTS_DEPLOYER_EXPIRES_AT);
        assert.deepStrictEqual(byType.get("gcp:serviceaccount/iAMMember:IAMMember"), {
            serviceAccountId: `projects/-/serviceAccounts/report-renderer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
            role: "roles/iam.serviceAccountUser",
            member: deployerMember,
            condition,
        });
        assert.deepStrictEqual(byType.get("gcp:projects/iAMMember:IAMMember"), {
            project: DEFAULT_GCP_PROJECT,
            role: "roles/run.developer",
            member: deployerMember,
            condition,
        });
        const role = ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole").find(
            (r) => r.name === "reports-deployer-bucket-1-custom",
        )!;
        assert.deepStrictEqual(role.inputs.permissions, ["storage.objects.create", "storage.objects.get"]);
        assert.strictEqual(role.inputs.project, DEFAULT_GCP_PROJECT);
        assert.deepStrictEqual(byType.get("gcp:storage/bucketIAMMember:BucketIAMMember"), {
            bucket: artifactsBucket,
            role: `projects/${DEFAULT_GCP_PROJECT}/roles/${role.inputs.roleId}`,
            member: deployerMember,
            condition,
        });
    });
});

describe("npm run demo", () => {
    let outDir: string;
    // Each run is a process of about 3 s: the first run (after the first test has planted stale
    // files) serves every test that reads one report; the last test runs the demo once more.
    let firstRun: Promise<DemoRun> | undefined;
    const demo = () => (firstRun ??= runDemo(outDir));

    before(() => {
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-demo-"));
    });

    after(() => {
        fs.rmSync(outDir, { recursive: true, force: true });
    });

    it("writes the trust policy and each identity policy of every identity, pretty-printed", async () => {
        // A stale file from an earlier run with more policies, or another trust, must not survive.
        fs.mkdirSync(path.join(outDir, "invoice-worker"), { recursive: true });
        fs.writeFileSync(path.join(outDir, "invoice-worker", "identity-policy-2.json"), "{}");
        fs.mkdirSync(path.join(outDir, "report-renderer"), { recursive: true });
        fs.writeFileSync(path.join(outDir, "report-renderer", "workload-identity-provider.json"), "{}");

        const result = await demo();

        const written = fs
            .readdirSync(outDir, { recursive: true })
            .map(String)
            .map((f) => f.split(path.sep).join("/"))
            .filter((f) => f.endsWith(".json"))
            .sort();
        assert.deepStrictEqual(written, [
            "invoice-worker/identity-policy-1.json",
            "invoice-worker/trust-policy.json",
            "ledger-key-handover/trust-policy.json",
            "ledger-vendor/rotator-policy-1.json",
            "ledger-vendor/secret-policy.json",
            "ledger-vendor/user-policy-1.json",
            "payments-api/trust-policy.json",
            "payments-deployer/identity-policy-1.json",
            "payments-deployer/trust-policy.json",
            "report-renderer/bindings.json",
            "reports-deployer/bindings.json",
            "reports-deployer/workload-identity-provider.json",
            // examples/acknowledged-escalation, shown after the quickstart
            "reports-image-builder/bindings.json",
            "reports-image-builder/workload-identity-provider.json",
            "sftp-key-rotator/identity-policy-1.json",
            "sftp-key-rotator/trust-policy.json",
            "webhook-signing/rotator-policy-1.json",
            "webhook-signing/secret-policy.json",
        ]);
        const text = fs.readFileSync(path.join(outDir, "payments-deployer", "trust-policy.json"), "utf8");
        assert.ok(text.startsWith('{\n  "Version": "2012-10-17"'), "pretty-printed");
        assert.ok(text.includes("repo:acme/payments-service:environment:production"));
        const policy = JSON.parse(
            fs.readFileSync(path.join(outDir, "invoice-worker", "identity-policy-1.json"), "utf8"),
        ) as PolicyDocument;
        assert.deepStrictEqual(policy, result.identities[0].identityPolicies[0]);
        assert.strictEqual(result.outDir, path.resolve(outDir));
    });

    it("reports owner, purpose, trust, permissions per resource, expiry and resources of each identity", async () => {
        const { identities, text } = await demo();
        assert.deepStrictEqual(
            identities.map((i) => i.name),
            ["invoice-worker", "payments-deployer", "payments-api", "ledger-key-handover"],
        );
        const [worker, deployer] = identities;
        assert.strictEqual(worker.owner, "team-payments");
        assert.strictEqual(worker.expiresAt, WORKER_EXPIRES_AT);
        assert.strictEqual(worker.quarantineAt, `at(${WORKER_EXPIRES_AT.slice(0, 19)})`);
        assert.deepStrictEqual(worker.resources, [
            { type: "nhi:aws:ServiceIdentity", name: "invoice-worker" },
            { type: "aws:iam/role:Role", name: "invoice-worker-role" },
            { type: "aws:iam/rolePolicy:RolePolicy", name: "invoice-worker-policy" },
            { type: "aws:scheduler/schedule:Schedule", name: "invoice-worker-expiry" },
            { type: "aws:iam/rolePolicy:RolePolicy", name: "invoice-worker-expiry-policy" },
            { type: "aws:iam/role:Role", name: "invoice-worker-expiry-role" },
        ]);
        const s3 = worker.permissions.find((p) => p.resource.endsWith("/incoming/*"));
        assert.ok(s3?.actions.includes("s3:GetObject"));
        assert.deepStrictEqual(
            deployer.permissions.map((p) => [p.resource, p.actions]),
            [
                [DEFAULT_FUNCTION_ARN, ["lambda:UpdateFunctionCode"]],
                ["arn:aws:s3:::build-artifacts-1a2b3c4/payments-service/*", ["s3:PutObject"]],
            ],
        );
        for (const expected of [
            "== invoice-worker ",
            "== payments-deployer ",
            "the AWS service lambda.amazonaws.com (sts:AssumeRole)",
            "token.actions.githubusercontent.com:sub = repo:acme/payments-service:environment:production",
            `Expires     ${WORKER_EXPIRES_AT}`,
            "Owner       team-payments",
        ]) {
            assert.ok(text.includes(expected), `the report lacks ${JSON.stringify(expected)}:\n${text}`);
        }
    });

    it("writes each Google identity's bindings and the deployer's Workload Identity provider as data", async () => {
        const { gcpIdentities } = await demo();
        const read = (file: string) => JSON.parse(fs.readFileSync(path.join(outDir, file), "utf8"));
        const renderer = read("report-renderer/bindings.json");
        assert.deepStrictEqual(renderer, [
            {
                role: "roles/storage.objectViewer",
                scope: "bucket",
                resource: "reports-1a2b3c4",
                member: `serviceAccount:report-renderer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
                condition: expiryCondition(RENDERER_EXPIRES_AT),
            },
        ]);
        assert.deepStrictEqual(renderer, gcpIdentities[0].bindings);
        const deployer = read("reports-deployer/bindings.json") as {
            role: string;
            scope: string;
            resource: string;
            permissions?: string[];
        }[];
        assert.deepStrictEqual(
            deployer.map((b) => [b.scope, b.resource, b.permissions ?? b.role]),
            [
                ["project", DEFAULT_GCP_PROJECT, "roles/run.developer"],
                ["bucket", "reports-artifacts-1a2b3c4", ["storage.objects.create", "storage.objects.get"]],
                [
                    "serviceAccount",
                    `projects/-/serviceAccounts/report-renderer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
                    "roles/iam.serviceAccountUser",
                ],
            ],
        );
        const pool = `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/reports-deployer-a1b2`;
        const provider = read("reports-deployer/workload-identity-provider.json");
        assert.strictEqual(provider.name, `${pool}/providers/github-a1b2`);
        assert.strictEqual(
            provider.attributeCondition,
            'assertion.repository == "acme/reports-service" && assertion.sub in ["repo:acme/reports-service:environment:production"]',
        );
        assert.strictEqual(
            provider.serviceAccountBinding.member,
            `principalSet://iam.googleapis.com/${pool}/attribute.repository/acme/reports-service`,
        );
        assert.deepStrictEqual(provider.githubActionsAuth, {
            workload_identity_provider: `${pool}/providers/github-a1b2`,
            service_account: `reports-deployer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
        });
    });

    it("reports the Google identities' owner, purpose, expiry, who may act as them and their bindings", async () => {
        const { gcpIdentities, text } = await demo();
        assert.deepStrictEqual(
            gcpIdentities.map((i) => [i.name, i.owner, i.expiresAt, i.actAs.kind, i.keys]),
            [
                ["report-renderer", "team-reports", RENDERER_EXPIRES_AT, "attached", 0],
                ["reports-deployer", "team-reports", REPORTS_DEPLOYER_EXPIRES_AT, "githubActions", 0],
            ],
        );
        assert.deepStrictEqual(gcpIdentities[0].resources, [
            { type: "nhi:gcp:ServiceIdentity", name: "report-renderer" },
            { type: "gcp:serviceaccount/account:Account", name: "report-renderer-sa" },
            {
                type: "gcp:storage/bucketIAMMember:BucketIAMMember",
                name: "report-renderer-bucket-1-storage.objectViewer",
            },
            { type: "gcp:cloudscheduler/job:Job", name: "report-renderer-deprovision" },
            { type: "gcp:serviceaccount/iAMMember:IAMMember", name: "report-renderer-deprovisioner-disable" },
        ]);
        assert.strictEqual(gcpIdentities[1].resources.length, 12);
        assert.deepStrictEqual(gcpIdentities[0].deprovisioning, {
            schedule: "0 0 30 9 *",
            timeZone: "Etc/UTC",
            uri: `https://iam.googleapis.com/v1/projects/${DEFAULT_GCP_PROJECT}/serviceAccounts/104200000000000000001:disable`,
            as: `reports-deprovisioner-dep@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
        });
        for (const expected of [
            "== report-renderer (Google Cloud) ",
            "== reports-deployer (Google Cloud) ",
            `Account     report-renderer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
            "Owner       team-reports",
            `Expires     ${RENDERER_EXPIRES_AT}`,
            `Disabled    by a Cloud Scheduler job at "0 0 30 9 *" (Etc/UTC), as reports-deprovisioner-dep@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com:`,
            "no federated or GKE principal; no service account key is declared",
            "roles/storage.objectViewer → bucket reports-1a2b3c4",
            `only when request.time < timestamp("${RENDERER_EXPIRES_AT}")`,
            'with assertion.repository == "acme/reports-service" && assertion.sub in ["repo:acme/reports-service:environment:production"]',
            "/attribute.repository/acme/reports-service",
            "roles/run.developer → project acme-reports-prod",
            "custom role holding exactly storage.objects.create, storage.objects.get",
            path.join("reports-deployer", "workload-identity-provider.json"),
        ]) {
            assert.ok(text.includes(expected), `the report lacks ${JSON.stringify(expected)}:\n${text}`);
        }
        assert.ok(!/[ \t]$/m.test(text), "no trailing whitespace");
    });

    it("prints each identity's audit query: Logs Insights over CloudTrail by role or user ARN, Cloud Logging by account email", async () => {
        // GIVEN the quickstart's identities WHEN the demo reports them
        const { identities, gcpIdentities, credentials, text } = await demo();
        // THEN each AWS identity's query is the role query of its own role, printed under its heading
        for (const id of identities) {
            assert.strictEqual(id.auditQuery, renderAuditQuery("role", id.roleArn));
        }
        // AND the access key's is the user query of its user
        const users = credentials.flatMap((c) => (c.user === undefined ? [] : [c.user]));
        assert.deepStrictEqual(
            users.map((u) => u.auditQuery),
            users.map((u) => renderAuditQuery("user", u.arn)),
        );
        assert.ok(users.length > 0 && text.includes(`    | filter userIdentity.arn = "${users[0].arn}" or `));
        const role = `arn:aws:iam::${MOCK_ACCOUNT}:role/invoice-worker-role-1a2b3c4`;
        assert.ok(
            text.includes(
                [
                    "  What it did: auditQuery: CloudWatch Logs Insights, over the trail's log group; `aws logs start-query`",
                    "    fields @timestamp, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, userIdentity.arn, userIdentity.accessKeyId, errorCode, errorMessage, resources.0.ARN",
                    `    | filter userIdentity.sessionContext.sessionIssuer.arn = "${role}" or requestParameters.roleArn = "${role}"`,
                    "    | sort @timestamp desc",
                    "    | limit 1000",
                ].join("\n"),
            ),
            `the report lacks invoice-worker's audit query:\n${text}`,
        );
        // AND each Google identity's filter is that of its own account's email
        for (const id of gcpIdentities) {
            assert.strictEqual(id.auditLogFilter, renderAuditLogFilter(id.email));
        }
        assert.ok(
            text.includes(
                `      OR protoPayload.authenticationInfo.serviceAccountDelegationInfo.firstPartyPrincipal.principalEmail="report-renderer@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com")`,
            ),
        );
    });

    it("reports each credential: where it lives, its rotation and grace, its rotator and its role, who may read it", async () => {
        // GIVEN the quickstart's two credentials WHEN the demo reads them back
        // THEN each is reported from what was declared, and its policies are written beside the identities'
        const { credentials } = await demo();
        const secret = (name: string) =>
            `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:${name}-secret-1a2b3c4-AbCdEf`;
        const role = (name: string) => `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}-role-1a2b3c4`;
        const fn = (name: string) => `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:${name}-rotator-1a2b3c4`;
        const userArn = `arn:aws:iam::${MOCK_ACCOUNT}:user/nhi/ledger-vendor-user-1a2b3c4`;
        const readActions = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"];
        assert.deepStrictEqual(
            credentials.map((c) => [
                c.name,
                c.kind,
                c.owner,
                c.secretArn,
                c.rotateEveryDays,
                c.rotateImmediately,
                c.graceDays,
                c.value,
                c.recoveryWindowInDays,
            ]),
            [
                [
                    "webhook-signing",
                    "rotating secret",
                    "team-payments",
                    secret("webhook-signing"),
                    30,
                    true,
                    undefined,
                    { length: 64, format: "hex" },
                    30,
                ],
                ["ledger-vendor", "access key", "team-payments", secret("ledger-vendor"), 90, true, 7, undefined, 30],
            ],
        );
        const [webhook, key] = credentials;
        assert.deepStrictEqual(webhook.readers, [
            { arn: role("invoice-worker"), identity: "invoice-worker", actions: readActions },
            { arn: role("payments-api"), identity: "payments-api", actions: readActions },
        ]);
        assert.deepStrictEqual(key.readers, [
            { arn: role("ledger-key-handover"), identity: "ledger-key-handover", actions: readActions },
        ]);
        for (const [c, name] of [
            [webhook, "webhook-signing"],
            [key, "ledger-vendor"],
        ] as const) {
            const { mode, functionName, functionArn, roleArn, invokedFor } = c.rotator;
            assert.deepStrictEqual(
                { mode, functionName, functionArn, roleArn, invokedFor },
                {
                    mode: "own",
                    functionName: `${name}-rotator-1a2b3c4`,
                    functionArn: fn(name),
                    roleArn: role(`${name}-rotator`),
                    invokedFor: secret(name),
                },
            );
        }
        assert.deepStrictEqual(
            webhook.rotator.permissions.map((p) => p.resource),
            [
                `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/webhook-signing-rotator-1a2b3c4:*`,
                secret("webhook-signing"),
            ],
        );
        // Minting, storing and rotating stop at the vendor's expiry; finding and deactivating its keys go on a week
        assert.deepStrictEqual(
            key.rotator.permissions.map((p) => [p.resource, p.actions.length]),
            [
                [userArn, 2],
                [userArn, 2],
                [`arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:ledger-vendor-rotator-???????`, 1],
                [`arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/ledger-vendor-rotator-1a2b3c4:*`, 2],
                [secret("ledger-vendor"), 4],
                [secret("ledger-vendor"), 1],
                // the leak response tells the vendor's topic
                [`arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:identity-notices-1a2b3c4`, 1],
            ],
        );
        assert.strictEqual(webhook.user, undefined);
        assert.deepStrictEqual(key.user, {
            consumer: "acme-ledger",
            name: "ledger-vendor-user-1a2b3c4",
            arn: userArn,
            consoleAccess: false,
            keysInState: 0,
            expiresAt: LEDGER_EXPIRES_AT,
            policies: key.user!.policies,
            permissions: [
                {
                    resource: `arn:aws:s3:::invoices-1a2b3c4/${LEDGER_PREFIX}*`,
                    actions: ["s3:PutObject"],
                    condition: `aws:CurrentTime < ${LEDGER_EXPIRES_AT}`,
                },
            ],
            auditQuery: renderAuditQuery("user", userArn),
            usage: key.user!.usage,
        });
        assert.deepStrictEqual(webhook.resources.slice(0, 1), [
            { type: "nhi:aws:RotatingSecret", name: "webhook-signing" },
        ]);
        assert.strictEqual(webhook.resources.length, 9);
        assert.strictEqual(key.resources.length, 21);

        const read = (file: string) => JSON.parse(fs.readFileSync(path.join(outDir, file), "utf8"));
        assert.deepStrictEqual(read("webhook-signing/secret-policy.json"), webhook.resourcePolicy);
        assert.deepStrictEqual(read("webhook-signing/secret-policy.json").Statement[0].Principal, {
            AWS: [role("invoice-worker"), role("payments-api")],
        });
        assert.deepStrictEqual(read("ledger-vendor/user-policy-1.json").Statement[0].Action, ["s3:PutObject"]);
        assert.deepStrictEqual(read("ledger-vendor/rotator-policy-1.json").Statement[0].Resource, [userArn]);
    });

    it("prints the Credentials section, and under each identity the secrets it may read", async () => {
        const { text } = await demo();
        const section = text.slice(
            text.indexOf("Credentials: "),
            text.indexOf("Rendered policies and bindings written to"),
        );
        for (const expected of [
            "== webhook-signing (AWS rotating secret) ",
            `  Secret      arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:webhook-signing-secret-1a2b3c4-AbCdEf`,
            "              holds 64 hex characters, written only by its rotator: never in Pulumi state",
            "  Rotates     every 30 days, and once at creation (the first value)",
            "  Grace       the previous value stays readable as AWSPREVIOUS until the next rotation (30 days)",
            "  Deleted     recoverable for 30 days",
            "  Rotator     a function of its own: webhook-signing-rotator-1a2b3c4",
            "nodejs24.x, aws/rotate-secret.handler; Secrets Manager invokes it for this secret only",
            "    Its role  webhook-signing-rotator-role-1a2b3c4",
            "  Who may read it: 2 principals, through the secret's resource policy",
            `    arn:aws:iam::${MOCK_ACCOUNT}:role/invoice-worker-role-1a2b3c4  (invoice-worker)`,
            `    arn:aws:iam::${MOCK_ACCOUNT}:role/payments-api-role-1a2b3c4  (payments-api)`,
            "== ledger-vendor (AWS access key) ",
            '              holds {"accessKeyId","secretAccessKey"}, written only by its rotator: never in Pulumi state',
            "  Rotates     every 90 days, and once at creation (the first key)",
            "  Grace       the previous key stays active 7 days after a rotation; a daily check then deactivates it, and deletes it a day later",
            "  The IAM user of acme-ledger",
            "    no console access (no login profile); no access key declared in Pulumi (the rotator mints it)",
            "    What its key may do: 1 action × resource pair on 1 resource",
            `      arn:aws:s3:::invoices-1a2b3c4/${LEDGER_PREFIX}*`,
            "        iam:CreateAccessKey, iam:DeleteAccessKey\n        only when aws:CurrentTime < 2027-12-31T00:00:00Z",
            "        iam:ListAccessKeys, iam:UpdateAccessKey\n        only when aws:CurrentTime < 2028-01-07T00:00:00Z",
            "  Who may read it: 1 principal, through the secret's resource policy",
            `    arn:aws:iam::${MOCK_ACCOUNT}:role/ledger-key-handover-role-1a2b3c4  (ledger-key-handover)`,
        ]) {
            assert.ok(
                section.includes(expected),
                `the Credentials section lacks ${JSON.stringify(expected)}:\n${section}`,
            );
        }
        assert.match(
            text,
            /The program declares 111 resources: 9 workload resources, 6 machine identities \(39 resources, listed under each identity\),\n2 credentials that rotate themselves \(30 resources, listed under each credential\),\n1 shared deprovisioner \(4 resources: reports-deprovisioner\) that disables the Google identities at their expiry,\nthe usage monitor usage \(12 resources, listed under it\) that tells owners of unused and expiring AWS identities,\nand the usage monitor reports-usage \(17 resources, listed under it\) that notifies owners of unused and expiring Google identities\./,
        );
        // The worker's own section says which secret it may read, though its policies do not name it.
        const worker = text.slice(text.indexOf("== invoice-worker "), text.indexOf("== payments-deployer "));
        assert.ok(
            worker.includes(
                `  Secrets it may read, through their resource policies (see Credentials)\n    webhook-signing  arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:webhook-signing-secret-1a2b3c4-AbCdEf\n`,
            ),
            worker,
        );
        const deployer = text.slice(text.indexOf("== payments-deployer "), text.indexOf("== payments-api "));
        assert.ok(!deployer.includes("Secrets it may read"), deployer);
        assert.ok(!/[ \t]$/m.test(text), "no trailing whitespace");
    });

    it("lists each identity's unused alarm, notification target, expiry notice and quarantine time, and the usage monitor", async () => {
        // GIVEN the quickstart's AWS identities, each with `unusedAlarm`, and its usage monitor
        const { identities, credentials, usageMonitor, text } = await demo();
        const topic = `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:identity-notices-1a2b3c4`;
        // THEN each identity's settings are read back from its tags and its schedule
        const settings = (
            name: string,
            u: {
                unusedAfterDays?: number;
                notify?: string;
                expiryNoticeDays: number;
                expiringFrom?: string;
                quarantineAt?: string;
            },
        ) => [name, u.unusedAfterDays, u.notify, u.expiryNoticeDays, u.expiringFrom, u.quarantineAt];
        assert.deepStrictEqual(
            [
                ...identities.map((i) => settings(i.name, i.usage)),
                settings("ledger-vendor", credentials[1].user!.usage),
            ],
            [
                [
                    "invoice-worker",
                    14,
                    topic,
                    14,
                    shiftDays(WORKER_EXPIRES_AT, -14),
                    `at(${WORKER_EXPIRES_AT.slice(0, 19)})`,
                ],
                [
                    "payments-deployer",
                    60,
                    topic,
                    14,
                    shiftDays(DEPLOYER_EXPIRES_AT, -14),
                    `at(${DEPLOYER_EXPIRES_AT.slice(0, 19)})`,
                ],
                [
                    "payments-api",
                    14,
                    topic,
                    14,
                    shiftDays(PAYMENTS_API_EXPIRES_AT, -14),
                    `at(${PAYMENTS_API_EXPIRES_AT.slice(0, 19)})`,
                ],
                [
                    "ledger-key-handover",
                    3,
                    topic,
                    14,
                    shiftDays(LEDGER_EXPIRES_AT, -14),
                    `at(${LEDGER_EXPIRES_AT.slice(0, 19)})`,
                ],
                [
                    "ledger-vendor",
                    30,
                    topic,
                    30,
                    shiftDays(LEDGER_EXPIRES_AT, -30),
                    `at(${LEDGER_EXPIRES_AT.slice(0, 19)})`,
                ],
            ],
        );
        assert.deepStrictEqual(
            credentials.map((c) => [c.name, c.rotationAlarm]),
            [
                ["webhook-signing", { notify: topic, afterDays: 31 }],
                ["ledger-vendor", { notify: topic, afterDays: 91 }],
            ],
        );
        // AND the monitor: its schedule and event, its state table, the one topic it may tell, its heartbeat
        assert.deepStrictEqual(
            [
                usageMonitor.name,
                usageMonitor.owner,
                usageMonitor.schedule,
                usageMonitor.stateTable,
                usageMonitor.notifyTopics,
                usageMonitor.heartbeat,
                usageMonitor.watches.length,
                usageMonitor.otherManaged,
                usageMonitor.resources.length,
            ],
            [
                "usage",
                "team-payments",
                {
                    name: "usage-schedule",
                    expression: "rate(1 day)",
                    event: { nhiAction: "monitorUsage", stateTable: "usage-state-1a2b3c4", perIdentityMetrics: false },
                },
                "usage-state-1a2b3c4",
                [topic],
                { name: "usage-heartbeat", periodSeconds: 86_400, treatMissingData: "breaching", actions: [topic] },
                5,
                10,
                12,
            ],
        );
        // AND the report prints them under each identity and in the monitor's section
        const worker = text.slice(text.indexOf("== invoice-worker "), text.indexOf("== payments-deployer "));
        assert.ok(
            worker.includes(
                [
                    "  Quarantine  at(2028-06-30T00:00:00) UTC  (EventBridge Scheduler puts the deny-all inline policy nhi-quarantine on the role)",
                    `  Unused      idle after 14 days without use: the usage monitor tells ${topic}, once, and once more when it is used again`,
                    "  Expiring    14 days before it expires, from 2028-06-16T00:00:00Z: one notice to the same topic",
                ].join("\n"),
            ),
            worker,
        );
        const vendor = text.slice(text.indexOf("== ledger-vendor (AWS access key) "));
        assert.ok(
            vendor.includes(`  Alarm       no rotation succeeded for 91 days: the usage monitor tells ${topic}\n`),
            vendor,
        );
        assert.ok(
            vendor.includes(
                [
                    "    Quarantine  at(2027-12-31T00:00:00) UTC  (EventBridge Scheduler puts the deny-all inline policy nhi-quarantine on the user)",
                    `    Unused      idle after 30 days without use: the usage monitor tells ${topic}, once, and once more when it is used again`,
                    "    Expiring    30 days before it expires, from 2027-12-01T00:00:00Z: one notice to the same topic",
                ].join("\n"),
            ),
            vendor,
        );
        const monitor = text.slice(
            text.indexOf("== usage (AWS usage monitor) "),
            text.indexOf("Rendered policies and bindings written to"),
        );
        for (const expected of [
            '  Runs        rate(1 day) (EventBridge Scheduler schedule usage-schedule), with the event {"nhiAction":"monitorUsage","stateTable":"usage-state-1a2b3c4","perIdentityMetrics":false}',
            `  Tells       ${topic}  (notifyTopics: its function may publish to no other topic)`,
            `  Heartbeat   alarm usage-heartbeat: no complete run in 24 hours (missing data breaching) → ${topic}`,
            `    ledger-key-handover (role)  idle after 3 days    → ${topic}\n                                expiring from 2027-12-17T00:00:00Z (14 days' notice); quarantine at(2027-12-31T00:00:00)`,
            `    ledger-vendor (user)        idle after 30 days   → ${topic}\n                                expiring from 2027-12-01T00:00:00Z (30 days' notice); quarantine at(2027-12-31T00:00:00)`,
            "    and 10 more roles and users of this program tagged nhi:managed-by (the functions', the schedules' and the quarantines' own): checked, nobody told",
        ]) {
            assert.ok(
                monitor.includes(expected),
                `the monitor's section lacks ${JSON.stringify(expected)}:\n${monitor}`,
            );
        }
    });

    it("lists each Google identity's unused alarm, notification channel, expiry notice and deprovisioning time, and the Google usage monitor", async () => {
        // GIVEN the quickstart's Google identities, each with `unusedAlarm`, and the project's usage monitor
        const { gcpIdentities, gcpUsageMonitor: m, channels, text } = await demo();
        const [channel] = Object.keys(channels);
        assert.match(channel, new RegExp(`^projects/${DEFAULT_GCP_PROJECT}/notificationChannels/[0-9]+$`));
        assert.deepStrictEqual(channels, { [channel]: `email ${REPORTS_NOTICES_EMAIL}` });
        // THEN each identity's settings are read back from its ownership record and its deprovisioning job
        assert.deepStrictEqual(
            gcpIdentities.map((id) => [id.name, id.usage]),
            [
                [
                    "report-renderer",
                    {
                        unusedAfterDays: 14,
                        notify: channel,
                        expiryNoticeDays: 14,
                        expiringFrom: shiftDays(RENDERER_EXPIRES_AT, -14),
                        channel: `email ${REPORTS_NOTICES_EMAIL}`,
                        disabledAt: '"0 0 30 9 *" (Etc/UTC)',
                    },
                ],
                [
                    "reports-deployer",
                    {
                        unusedAfterDays: 60,
                        notify: channel,
                        expiryNoticeDays: 30,
                        expiringFrom: shiftDays(REPORTS_DEPLOYER_EXPIRES_AT, -30),
                        channel: `email ${REPORTS_NOTICES_EMAIL}`,
                        disabledAt: '"0 0 30 4 *" (Etc/UTC)',
                    },
                ],
            ],
        );
        // AND the monitor: its job and body, function, state bucket, one notice policy and the heartbeat, both to the channel
        assert.deepStrictEqual(
            [
                m.name,
                m.project,
                m.owner,
                m.schedule,
                m.functionName,
                m.runsAs,
                m.stateBucket,
                m.notices,
                m.heartbeat,
                m.watches.length,
                m.otherManaged,
                m.resources.length,
            ],
            [
                "reports-usage",
                DEFAULT_GCP_PROJECT,
                "team-reports",
                {
                    name: "reports-usage-schedule",
                    cron: "0 3,15 * * *",
                    timeZone: "Etc/UTC",
                    region: REPORTS_SCHEDULER_REGION,
                    as: `reports-usage-mon-inv@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
                    body: {
                        nhiAction: "monitorUsage",
                        project: DEFAULT_GCP_PROJECT,
                        stateBucket: "reports-usage-state-1a2b3c4",
                        perIdentityMetrics: false,
                    },
                },
                "reports-usage-mon",
                `reports-usage-mon@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
                "reports-usage-state-1a2b3c4",
                [{ name: "reports-usage-notify-deferred-1", channels: [channel] }],
                { name: "reports-usage-heartbeat", channels: [channel], absence: "84600s" },
                2,
                3,
                17,
            ],
        );
        // AND its function may do exactly the contract's project permissions, and the state object's on its bucket only
        assert.deepStrictEqual(
            m.bindings.map((b: any) => [b.scope, b.resource, b.permissions]),
            [
                [
                    "project",
                    DEFAULT_GCP_PROJECT,
                    [
                        "iam.serviceAccountKeys.list",
                        "iam.serviceAccounts.list",
                        "logging.logEntries.create",
                        "monitoring.timeSeries.create",
                        "orgpolicy.policy.get",
                        "policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query",
                        "policyanalyzer.serviceAccountLastAuthenticationActivities.query",
                        "secretmanager.secrets.list",
                        "secretmanager.versions.list",
                    ],
                ],
                [
                    "bucket",
                    "reports-usage-state-1a2b3c4",
                    ["storage.objects.create", "storage.objects.delete", "storage.objects.get"],
                ],
            ],
        );
        // AND the report prints them under each identity and in the monitor's section
        const renderer = text.slice(text.indexOf("== report-renderer "), text.indexOf("== reports-deployer "));
        assert.ok(
            renderer.includes(
                [
                    '  Disabled    by a Cloud Scheduler job at "0 0 30 9 *" (Etc/UTC), as reports-deprovisioner-dep@acme-reports-prod.iam.gserviceaccount.com:',
                    "              POST https://iam.googleapis.com/v1/projects/acme-reports-prod/serviceAccounts/104200000000000000001:disable",
                    `  Unused      idle after 14 days without use: the usage monitor tells ${channel} (email ${REPORTS_NOTICES_EMAIL}), once, and once more when it is used again`,
                    "  Expiring    14 days before it expires, from 2028-09-16T00:00:00Z: one notice to the same channel",
                ].join("\n"),
            ),
            renderer,
        );
        const deployer = text.slice(text.indexOf("== reports-deployer "), text.indexOf("Credentials: "));
        assert.ok(
            deployer.includes(
                "  Expiring    30 days before it expires, from 2028-03-31T00:00:00Z: one notice to the same channel\n",
            ),
            deployer,
        );
        const monitor = text.slice(
            text.indexOf("== reports-usage (Google Cloud usage monitor) "),
            text.indexOf("Rendered policies and bindings written to"),
        );
        for (const expected of [
            `  Runs        "0 3,15 * * *" (Etc/UTC) (Cloud Scheduler job reports-usage-schedule in europe-west1, as reports-usage-mon-inv@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com),`,
            '              posting {"nhiAction":"monitorUsage","project":"acme-reports-prod","stateBucket":"reports-usage-state-1a2b3c4","perIdentityMetrics":false}',
            "  State       Cloud Storage object gs://reports-usage-state-1a2b3c4/nhi-usage-monitor/state.json: each account's state, so each change of state is notified once",
            `  Notifies    ${channel} (email ${REPORTS_NOTICES_EMAIL})  (alerting policy reports-usage-notify-deferred-1: the run's digest for that channel, one notification)`,
            `  Heartbeat   alerting policy reports-usage-heartbeat: no successful run in 23 h 30 min, or a run with failures → ${channel} (email ${REPORTS_NOTICES_EMAIL})`,
            `    report-renderer   idle after 14 days   → ${channel}\n                      expiring from 2028-09-16T00:00:00Z (14 days' notice); disabled "0 0 30 9 *" (Etc/UTC)`,
            `    reports-deployer  idle after 60 days   → ${channel}\n                      expiring from 2028-03-31T00:00:00Z (30 days' notice); disabled "0 0 30 4 *" (Etc/UTC)`,
            "    and 3 more service accounts of this program with an ownership record (the monitor's and the deprovisioner's own): checked, nobody notified",
            "    nhi:gcp:UsageMonitor                              reports-usage\n",
            "    gcp:cloudscheduler/job:Job                        reports-usage-schedule\n",
        ]) {
            assert.ok(
                monitor.includes(expected),
                `the Google monitor's section lacks ${JSON.stringify(expected)}:\n${monitor}`,
            );
        }
    });

    it("prints the same report on every run", async () => {
        const first = await demo();
        const second = await runDemo(outDir);
        assert.strictEqual(second.text, first.text);
    });
});
