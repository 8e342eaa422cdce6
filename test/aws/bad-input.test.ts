import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { BadInput, TABLE_NOW, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";
import { capture, valueOf } from "../../components/testing";

const OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const base: any = {
    owner: "team-payments",
    purpose: "Processes invoices",
    trust: { service: { principal: "lambda.amazonaws.com" } },
    grants: [{ actions: ["sqs:ReceiveMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:q"] }],
};

/** Each bad input a new user might try, with the exact problem reported. */
const BAD_INPUTS: BadInput[] = [
    {
        what: "empty owner",
        args: { ...base, owner: "" },
        path: "owner",
        reason: "`owner` is required and must be a non-empty string (the team or person who answers for this identity); got an empty string.",
    },
    {
        what: "blank purpose",
        args: { ...base, purpose: "   " },
        path: "purpose",
        reason: "`purpose` is required and must be a non-empty string (why this identity exists); got only whitespace.",
    },
    {
        what: "no trust",
        args: { ...base, trust: {} },
        path: "trust",
        reason: "`trust` must give exactly one of `service`, `githubActions`, `eksServiceAccount` or `account`: who may assume this role.",
    },
    {
        what: "two trust kinds",
        args: {
            ...base,
            trust: {
                service: { principal: "lambda.amazonaws.com" },
                account: { principalArn: "arn:aws:iam::210987654321:root", externalId: "abc123" },
            },
        },
        path: "trust",
        reason: "`trust` gives `service` and `account`; give exactly one kind of trust per identity (declare one identity per workload).",
    },
    {
        what: "unknown action",
        args: { ...base, grants: [{ actions: ["s3:GetObjekt"], resources: ["arn:aws:s3:::invoices/*"] }] },
        path: "grants[0].actions[0]",
        reason: "`grants[0].actions[0]` is not an action of `s3`: `s3:GetObjekt`. Did you mean `s3:GetObject`, `s3:PutObject` or `s3:GetObjectAcl`?",
    },
    {
        what: "unknown service",
        args: { ...base, grants: [{ actions: ["s4:GetObject"], resources: ["arn:aws:s3:::invoices/*"] }] },
        path: "grants[0].actions[0]",
        reason: "`grants[0].actions[0]` names the unknown service `s4` in `s4:GetObject`. Did you mean `s3`?",
    },
    {
        what: "malformed action",
        args: { ...base, grants: [{ actions: ["GetObject"], resources: ["arn:aws:s3:::invoices/*"] }] },
        path: "grants[0].actions[0]",
        reason: "`grants[0].actions[0]` must be an IAM action of the form `service:Action`, such as `s3:GetObject`; got `GetObject`.",
    },
    {
        what: "wildcard action",
        args: { ...base, grants: [{ actions: ["s3:Get*"], resources: ["arn:aws:s3:::invoices/*"] }] },
        path: "grants[0].actions[0]",
        reason: "`grants[0].actions[0]` is the wildcard `s3:Get*`, which matches 63 actions (`s3:GetAccelerateConfiguration`, `s3:GetAccessGrant`, `s3:GetAccessGrantsInstance`, `s3:GetAccessGrantsInstanceForPrefix`, `s3:GetAccessGrantsInstanceResourcePolicy`, \u2026). Wildcard actions are refused unless the grant sets `allowWildcard: true`; list the exact actions instead.",
    },
    {
        what: "star action",
        args: { ...base, grants: [{ actions: ["*"], resources: ["arn:aws:s3:::invoices/*"] }] },
        path: "grants[0].actions[0]",
        reason: "`grants[0].actions[0]` is `*`, every action of every service. Wildcard actions are refused unless the grant sets `allowWildcard: true`; list the exact actions instead.",
    },
    {
        what: "star resource for a resource-level action",
        args: { ...base, grants: [{ actions: ["s3:GetObject"], resources: ["*"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` is `*`, every resource, but `s3:GetObject` supports resource-level permissions: name its resources, such as accesspointobject (`arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}`), object (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`), or set `allowWildcard: true`.",
    },
    {
        what: "bucket ARN for an object action",
        args: { ...base, grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` is not a resource of any action of `grants[0]`: `arn:aws:s3:::bucket`; `s3:GetObject` applies to accesspointobject (`arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}`), object (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`). Did you mean `arn:aws:s3:::bucket/*`?",
    },
    {
        what: "ARN for an action without resource-level permissions",
        args: {
            ...base,
            grants: [
                {
                    actions: ["ec2:DescribeInstances", "ec2:StopInstances"],
                    resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
                },
            ],
        },
        path: "grants[0].actions[0]",
        reason: '`ec2:DescribeInstances` does not support resource-level permissions, so `grants[0].resources` must be `["*"]` for it; put it in a grant of its own with `resources: ["*"]`.',
    },
    {
        what: "unknown access level",
        args: { ...base, grants: [{ service: "s3", access: "raed", resources: ["arn:aws:s3:::invoices/*"] }] },
        path: "grants[0].access",
        reason: "`grants[0].access` must be one of `read`, `write`, `list`, `tagging` or `permissions-management`; got `raed`. Did you mean `read`?",
    },
    {
        what: "star resource in an access grant",
        args: { ...base, grants: [{ service: "s3", access: "read", resources: ["*"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` is `*`, but an access-level grant expands to the actions that apply to the ARNs it names; give the ARNs, such as `arn:${Partition}:s3:::${BucketName}` or `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.",
    },
    {
        what: "ARN of another service in an access grant",
        args: { ...base, grants: [{ service: "sqs", access: "read", resources: ["arn:aws:s3:::invoices/*"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` is not the ARN of any `sqs` resource type: `arn:aws:s3:::invoices/*`. `sqs` resources look like `arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`.",
    },
    {
        what: "actions and access together",
        args: {
            ...base,
            grants: [
                { actions: ["s3:GetObject"], service: "s3", access: "read", resources: ["arn:aws:s3:::invoices/*"] },
            ],
        },
        path: "grants[0]",
        reason: "`grants[0]` gives both `actions` and `service`/`access`; give exactly one: `actions` for exact IAM actions, or `service` with `access` for an access level.",
    },
    {
        what: "expiresAt in the past",
        args: { ...base, expiresAt: "2020-01-01T00:00:00Z" },
        path: "expiresAt",
        reason: "`expiresAt` is in the past: `2020-01-01T00:00:00Z` is before now (2026-11-25T00:00:00Z). Give a future instant, or remove the identity if it is no longer needed.",
    },
    {
        what: "expiresAt not a date",
        args: { ...base, expiresAt: "next tuesday" },
        path: "expiresAt",
        reason: "`expiresAt` must be an ISO-8601 instant with a time zone, such as `2027-01-31T00:00:00Z`; got `next tuesday`.",
    },
    {
        what: "expiresAt not a real day",
        args: { ...base, expiresAt: "2099-02-30T00:00:00Z" },
        path: "expiresAt",
        reason: "`expiresAt` is not a real date and time: `2099-02-30T00:00:00Z`. Use an ISO-8601 instant such as `2027-01-31T00:00:00Z`.",
    },
    {
        what: "maxSessionDuration too short",
        args: { ...base, maxSessionDuration: 100 },
        path: "maxSessionDuration",
        reason: "`maxSessionDuration` must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours); got number `100`.",
    },
    {
        what: "maxSessionDuration too long",
        args: { ...base, maxSessionDuration: 86400 },
        path: "maxSessionDuration",
        reason: "`maxSessionDuration` must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours); got number `86400`.",
    },
    {
        what: "role name over 64 characters",
        name: "a".repeat(52),
        args: base,
        path: "name",
        reason: "`name` `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` is 52 characters; the IAM role name `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-role-xxxxxxx` derived from it must be at most 64 characters (AWS limit), so `name` may have at most 51.",
    },
    {
        what: "role name with characters IAM refuses",
        name: "my worker!",
        args: base,
        path: "name",
        reason: "`name` `my worker!` becomes the IAM role name, which allows only letters, digits and `+=,.@_-`; remove ` `, `!`.",
    },
    {
        what: "repository with a wildcard",
        args: {
            ...base,
            trust: { githubActions: { repository: "acme/*", environment: "prod", oidcProviderArn: OIDC } },
        },
        path: "trust.githubActions.repository",
        reason: "`trust.githubActions.repository` must be one GitHub repository written `owner/repo`, without wildcards; got `acme/*`.",
    },
    {
        what: "repository not owner/repo",
        args: {
            ...base,
            trust: { githubActions: { repository: "payments", environment: "prod", oidcProviderArn: OIDC } },
        },
        path: "trust.githubActions.repository",
        reason: "`trust.githubActions.repository` must be one GitHub repository written `owner/repo`, without wildcards; got `payments`.",
    },
    {
        what: "GitHub trust pinning nothing",
        args: { ...base, trust: { githubActions: { repository: "acme/payments", oidcProviderArn: OIDC } } },
        path: "trust.githubActions",
        reason: "`trust.githubActions` must pin at least one of `environment`, `ref` or `subjects`; an identity that any workflow run of the repository can use (every branch, every pull request) is refused.",
    },
    {
        what: "GitHub ref that is not a full ref",
        args: {
            ...base,
            trust: { githubActions: { repository: "acme/payments", ref: "main", oidcProviderArn: OIDC } },
        },
        path: "trust.githubActions.ref",
        reason: "`trust.githubActions.ref` must be a full Git ref such as `refs/heads/main` or `refs/tags/v1.0.0`, without wildcards; got `main`. Did you mean `refs/heads/main`?",
    },
    {
        what: "GitHub wildcard subject",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repository: "acme/payments",
                    subjects: ["repo:acme/payments:*"],
                    oidcProviderArn: OIDC,
                },
            },
        },
        path: "trust.githubActions.subjects[0]",
        reason: "`trust.githubActions.subjects[0]` must be an exact, non-empty `sub` claim without wildcards, such as `repo:octo-org/octo-repo:environment:prod`; got `repo:acme/payments:*`.",
    },
    {
        what: "OIDC provider of another issuer",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repository: "acme/payments",
                    environment: "prod",
                    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
                },
            },
        },
        path: "trust.githubActions.oidcProviderArn",
        reason: "`trust.githubActions.oidcProviderArn` is the provider for `gitlab.com`, but this trust needs the provider for `token.actions.githubusercontent.com`.",
    },
    {
        what: "GitHub subject of another repository",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repository: "acme/payments",
                    environment: "prod",
                    subjects: ["repo:acme/billing:environment:prod"],
                    oidcProviderArn: OIDC,
                },
            },
        },
        path: "trust.githubActions.subjects[0]",
        reason: "`trust.githubActions.subjects[0]` `repo:acme/billing:environment:prod` is a subject of the repository `acme/billing`, but this trust is for `acme/payments`; every admitted subject must belong to `repository`. Declare another identity for `acme/billing`.",
    },
    {
        what: "GitHub immutable-ID subject of another repository",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repository: "acme/payments",
                    subjects: ["repo:acme@1234/billing@5678:ref:refs/heads/main"],
                    oidcProviderArn: OIDC,
                },
            },
        },
        path: "trust.githubActions.subjects[0]",
        reason: "`trust.githubActions.subjects[0]` `repo:acme@1234/billing@5678:ref:refs/heads/main` is a subject of the repository `acme/billing`, but this trust is for `acme/payments`; every admitted subject must belong to `repository`. Declare another identity for `acme/billing`.",
    },
    {
        what: "GitHub subject that names no repository",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repository: "acme/payments",
                    subjects: ["repository_owner:acme:environment:prod"],
                    oidcProviderArn: OIDC,
                },
            },
        },
        path: "trust.githubActions.subjects[0]",
        reason: "`trust.githubActions.subjects[0]` `repository_owner:acme:environment:prod` does not name the repository; GitHub writes it as `repo:acme/payments:…` (or `repo:<owner>@<owner id>/<repo>@<repo id>:…` with immutable subject claims). A subject without it, such as a customised `repository_owner:…` or `repository_id:…` subject, cannot be checked against `repository`: include the `repo` claim in the repository's subject template.",
    },
    {
        what: "GitHub subject of the whole repository",
        args: {
            ...base,
            trust: {
                githubActions: { repository: "acme/payments", subjects: ["repo:acme/payments"], oidcProviderArn: OIDC },
            },
        },
        path: "trust.githubActions.subjects[0]",
        reason: "`trust.githubActions.subjects[0]` `repo:acme/payments` admits every workflow run of `acme/payments` (every branch, every pull request); add the environment, ref or workflow it is for, such as `repo:acme/payments:environment:production`.",
    },
    {
        what: "Lambda log groups on another service",
        args: {
            ...base,
            trust: {
                service: {
                    principal: "ecs-tasks.amazonaws.com",
                    logGroups: ["arn:aws:logs:us-east-1:123456789012:log-group:/ecs/worker"],
                },
            },
        },
        path: "trust.service.logGroups",
        reason: '`trust.service.logGroups` grants a Lambda function\'s log writes, so it needs `principal: "lambda.amazonaws.com"`; got `ecs-tasks.amazonaws.com`. For another service, grant its log permissions in `grants`, such as `{ actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: ["<log group ARN>:*"] }`.',
    },
    {
        what: "Lambda log group by name",
        args: { ...base, trust: { service: { principal: "lambda.amazonaws.com", logGroups: ["/aws/lambda/worker"] } } },
        path: "trust.service.logGroups[0]",
        reason: "`trust.service.logGroups[0]` must be the ARN of one CloudWatch Logs log group, `arn:aws:logs:<region>:<account>:log-group:<name>` (such as `logGroup.arn` of an `aws.cloudwatch.LogGroup`), without wildcards; got `/aws/lambda/worker`. A name is not enough: the component does not read the region and account from the environment. Pass `logGroup.arn`, or `arn:aws:logs:<region>:<account>:log-group:/aws/lambda/worker`.",
    },
    {
        what: "Lambda log groups by wildcard",
        args: {
            ...base,
            trust: {
                service: {
                    principal: "lambda.amazonaws.com",
                    logGroups: ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*"],
                },
            },
        },
        path: "trust.service.logGroups[0]",
        reason: "`trust.service.logGroups[0]` must be the ARN of one CloudWatch Logs log group, `arn:aws:logs:<region>:<account>:log-group:<name>` (such as `logGroup.arn` of an `aws.cloudwatch.LogGroup`), without wildcards; got `arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*`.",
    },
    {
        what: "Lambda log groups empty",
        args: { ...base, trust: { service: { principal: "lambda.amazonaws.com", logGroups: [] } } },
        path: "trust.service.logGroups",
        reason: "`trust.service.logGroups` must list at least one log group ARN, such as `logGroup.arn` of an `aws.cloudwatch.LogGroup`; got object `[]`.",
    },
    {
        what: "EKS issuer that is not the provider's",
        args: {
            ...base,
            trust: {
                eksServiceAccount: {
                    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
                    oidcIssuer: "https://oidc.eks.us-east-1.amazonaws.com/id/XYZ",
                    namespace: "ns",
                    serviceAccount: "sa",
                },
            },
        },
        path: "trust.eksServiceAccount.oidcProviderArn",
        reason: "`trust.eksServiceAccount.oidcProviderArn` is the provider for `oidc.eks.us-east-1.amazonaws.com/id/ABC`, but this trust needs the provider for `oidc.eks.us-east-1.amazonaws.com/id/XYZ`.",
    },
    {
        what: "EKS issuer that is not a URL",
        args: {
            ...base,
            trust: {
                eksServiceAccount: {
                    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
                    oidcIssuer: "not a url",
                    namespace: "ns",
                    serviceAccount: "sa",
                },
            },
        },
        path: "trust.eksServiceAccount.oidcIssuer",
        reason: "`trust.eksServiceAccount.oidcIssuer` must be the cluster's OIDC issuer URL, such as `https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`; got `not a url`.",
    },
    {
        what: "S3 bucket name with upper case and `_`",
        args: { ...base, grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::My_Invoices/*"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` names the S3 bucket `My_Invoices`, which has upper-case letters and has `_`. Bucket names are 3\u201363 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit (AWS's bucket naming rules). Did you mean `arn:aws:s3:::my-invoices/*`?",
    },
    {
        what: "S3 bucket name too short",
        args: { ...base, grants: [{ actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::ab"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` names the S3 bucket `ab`, which is 2 characters. Bucket names are 3\u201363 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit (AWS's bucket naming rules).",
    },
    {
        what: "S3 bucket pattern with characters no bucket has",
        args: { ...base, grants: [{ service: "s3", access: "read", resources: ["arn:aws:s3:::Team_*/*"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` names the S3 bucket `Team_*`, which has upper-case letters and has `_`. Bucket names are 3\u201363 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit (AWS's bucket naming rules). Did you mean `arn:aws:s3:::team-*/*`?",
    },
    {
        what: "S3 bucket name with adjacent dots",
        args: { ...base, grants: [{ actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::invoices..2026"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` names the S3 bucket `invoices..2026`, which has two adjacent dots. Bucket names are 3\u201363 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit (AWS's bucket naming rules). Did you mean `arn:aws:s3:::invoices.2026`?",
    },
    {
        what: "S3 bucket name formatted as an IP address",
        args: { ...base, grants: [{ actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::192.168.5.4"] }] },
        path: "grants[0].resources[0]",
        reason: "`grants[0].resources[0]` names the S3 bucket `192.168.5.4`, which is formatted as an IP address. Bucket names are 3\u201363 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit (AWS's bucket naming rules).",
    },
    {
        what: "cross-account trust without externalId",
        args: { ...base, trust: { account: { principalArn: "arn:aws:iam::210987654321:root" } } },
        path: "trust.account.externalId",
        reason: "`trust.account.externalId` is required: cross-account trust without an external ID lets any party that knows the role ARN use the other account as a confused deputy. Agree a 2\u20131,224 character ID with the other party.",
    },
    {
        what: "cross-account wildcard principal",
        args: { ...base, trust: { account: { principalArn: "*", externalId: "abc123" } } },
        path: "trust.account.principalArn",
        reason: "`trust.account.principalArn` must be an account root, role or user ARN such as `arn:aws:iam::123456789012:root`, without wildcards; got `*`.",
    },
    {
        what: "service principal not name.amazonaws.com",
        args: { ...base, trust: { service: { principal: "lambda" } } },
        path: "trust.service.principal",
        reason: "`trust.service.principal` must be an AWS service principal of the form `name.amazonaws.com`, such as `lambda.amazonaws.com`; got `lambda`.",
    },
    {
        what: "source account on a service that does not send it",
        args: { ...base, trust: { service: { principal: "lambda.amazonaws.com", sourceAccount: "123456789012" } } },
        path: "trust.service.sourceAccount",
        reason: "`trust.service.sourceAccount`: `lambda.amazonaws.com` does not send `aws:SourceAccount` when it assumes a role, so the condition would lock the service out. Remove it.",
    },
    {
        what: "EKS service account with a wildcard",
        args: {
            ...base,
            trust: {
                eksServiceAccount: {
                    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
                    oidcIssuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
                    namespace: "payments",
                    serviceAccount: "*",
                },
            },
        },
        path: "trust.eksServiceAccount.serviceAccount",
        reason: "`trust.eksServiceAccount.serviceAccount` must be a Kubernetes name (lower-case letters, digits, `-` and `.`, at most 253 characters), without wildcards; got `*`.",
    },
    {
        what: "purpose a tag cannot hold",
        args: { ...base, purpose: "Reads, writes" },
        path: "purpose",
        reason: "`purpose` is written to the IAM tag `nhi:purpose`, which allows at most 256 letters, digits, spaces and `_ . : / = + - @`; remove `,`.",
    },
    {
        what: "tag with a reserved key",
        args: { ...base, tags: { "nhi:owner": "x" } },
        path: "tags.nhi:owner",
        reason: "`tags.nhi:owner`: tag keys starting `nhi:` are written by pulumi-nhi and keys starting `aws:` by AWS; use another key.",
    },
];

describe("aws.ServiceIdentity bad input", () => {
    itRefusesEach(BAD_INPUTS, "AwsServiceIdentity", "worker", planAwsServiceIdentity);

    itRegistersNothingWhenRefused(
        () =>
            new aws.ServiceIdentity("rejected", {
                ...base,
                grants: [{ actions: ["s3:GetObjekt"], resources: ["arn:aws:s3:::invoices/*"] }],
            }),
    );

    it("reports every problem at once", () => {
        // GIVEN three independent problems
        const args = {
            ...base,
            owner: "",
            maxSessionDuration: 1,
            grants: [{ actions: ["s3:GetObject", "s3:Get*"], resources: ["arn:aws:s3:::invoices/*"] }],
        };
        // THEN one error lists all three, in argument order
        assert.throws(
            () => planAwsServiceIdentity("worker", args, TABLE_NOW),
            (e: any) => {
                assert.deepStrictEqual(
                    e.errors.map((p: any) => p.propertyPath),
                    ["owner", "grants[0].actions[1]", "maxSessionDuration"],
                );
                assert.match(e.message, /^AwsServiceIdentity "worker" has 3 invalid arguments:\n/);
                return true;
            },
        );
    });

    it("checks an ARN known only at deploy time when it resolves, with the same message", async () => {
        // GIVEN a grant whose resource is an Output resolving to a bucket ARN, not an object ARN
        const arn = pulumi.output("arn:aws:s3:::bucket");
        // WHEN the identity is declared, construction succeeds (the value is unknown then)
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("late", { ...base, grants: [{ actions: ["s3:GetObject"], resources: [arn] }] }),
        );
        // THEN the policy document fails to resolve with the construction-time message
        await assert.rejects(valueOf(value.policyDocuments), (e: any) => {
            assert.deepStrictEqual(e.errors, [
                {
                    propertyPath: "grants[0].resources[0]",
                    reason: BAD_INPUTS.find((b) => b.what === "bucket ARN for an object action")!.reason,
                },
            ]);
            return true;
        });
        // The role policy's registration waits on the failed document for ever, as it would in a
        // failed deployment; forget those promises so Pulumi does not report them as leaks at exit.
        await (pulumi.runtime as any).waitForRPCs().catch(() => undefined);
        require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
    });
});
