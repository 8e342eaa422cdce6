import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { ACTIONS } from "../../components/runtime/aws/rotate-secret";
import { BadInput, itRefusesEach } from "../support/bad-input";
import { capture, MOCK_ACCOUNT, valueOf } from "../support/mock-graph";
import { decideIdentity, expectDecisions } from "../support/iam-simulator";

/*
 * Conditions on a grant, each checked against the catalogue: `whereTagged` (attribute-based access
 * control, `StringEquals aws:ResourceTag/<key>`) and `viaService` (`StringLike kms:ViaService`).
 * Only actions that support the key may be limited so.
 */

const SECRETS = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:*`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:webhook-AbCdEf`;
const base: any = {
    owner: "team-platform",
    purpose: "Rotates tagged secrets",
    trust: { service: { principal: "lambda.amazonaws.com" } },
};
const tagged = (grant: object) => ({ ...base, grants: [grant] });

const BAD: BadInput[] = [
    {
        what: "an action that does not support aws:ResourceTag (IAM groups take no tags)",
        args: tagged({
            actions: ["iam:GetGroup"],
            resources: ["arn:aws:iam::123456789012:group/admins"],
            whereTagged: { team: "payments" },
        }),
        path: "grants[0].whereTagged",
        reason: "`grants[0].whereTagged` limits the grant to resources with those tags, but `iam:GetGroup` does not support the condition key `aws:ResourceTag/${TagKey}` (Service Authorization Reference), so IAM would never allow it; move it to a grant without `whereTagged`.",
    },
    {
        what: "two such actions among supported ones",
        args: tagged({
            actions: ["secretsmanager:GetSecretValue", "sts:GetCallerIdentity", "secretsmanager:GetRandomPassword"],
            resources: ["*"],
            allowWildcard: true,
            whereTagged: { team: "payments" },
        }),
        path: "grants[0].whereTagged",
        reason: "`grants[0].whereTagged` limits the grant to resources with those tags, but `secretsmanager:GetRandomPassword` and `sts:GetCallerIdentity` do not support the condition key `aws:ResourceTag/${TagKey}` (Service Authorization Reference), so IAM would never allow them; move them to a grant without `whereTagged`.",
    },
    {
        what: "an access-level grant that expands to an action without the key",
        args: tagged({
            service: "iam",
            access: "read",
            resources: ["arn:aws:iam::123456789012:group/admins"],
            whereTagged: { team: "payments" },
        }),
        path: "grants[0].whereTagged",
        reason: "`grants[0].whereTagged` limits the grant to resources with those tags, but `iam:GenerateServiceLastAccessedDetails`, `iam:GetContextKeysForPrincipalPolicy`, `iam:GetGroup`, `iam:GetGroupPolicy` and `iam:SimulatePrincipalPolicy` do not support the condition key `aws:ResourceTag/${TagKey}` (Service Authorization Reference), so IAM would never allow them; move them to a grant without `whereTagged`.",
    },
    {
        what: "viaService on an action that is not KMS's",
        args: tagged({
            actions: ["kms:Decrypt", "secretsmanager:GetSecretValue"],
            resources: [SECRET, "arn:aws:kms:us-east-1:123456789012:key/k"],
            viaService: "secretsmanager",
        }),
        path: "grants[0].viaService",
        reason: "`grants[0].viaService` limits the grant to KMS requests an AWS service makes on the identity's behalf, but `secretsmanager:GetSecretValue` does not support the condition key `kms:ViaService` (Service Authorization Reference), so IAM would never allow it; move it to a grant without `viaService`.",
    },
    {
        what: "viaService naming a service that does not exist",
        args: tagged({
            actions: ["kms:Decrypt"],
            resources: ["arn:aws:kms:us-east-1:123456789012:key/k"],
            viaService: "secretsmanger",
        }),
        path: "grants[0].viaService",
        reason: "`grants[0].viaService` must be the prefix of the AWS service that uses the key on the identity's behalf, such as `secretsmanager`; got `secretsmanger`. Did you mean `secretsmanager`?",
    },
    {
        what: "metricNamespace on an action without cloudwatch:namespace",
        args: tagged({
            actions: ["cloudwatch:PutMetricData", "cloudwatch:GetMetricData"],
            resources: ["*"],
            allowWildcard: true,
            metricNamespace: "PulumiNhi",
        }),
        path: "grants[0].metricNamespace",
        reason: "`grants[0].metricNamespace` limits the grant to metrics of one namespace, but `cloudwatch:GetMetricData` does not support the condition key `cloudwatch:namespace` (Service Authorization Reference), so IAM would never allow it; move it to a grant without `metricNamespace`.",
    },
    {
        what: "metricNamespace in AWS's own namespaces",
        args: tagged({
            actions: ["cloudwatch:PutMetricData"],
            resources: ["*"],
            allowWildcard: true,
            metricNamespace: "AWS/Lambda",
        }),
        path: "grants[0].metricNamespace",
        reason: "`grants[0].metricNamespace` must be a CloudWatch namespace of your own: 1–255 letters, digits and `. - _ / # :`, not starting `AWS/`, such as `PulumiNhi`; got `AWS/Lambda`.",
    },
    {
        what: "an empty map",
        args: tagged({ actions: ["secretsmanager:GetSecretValue"], resources: [SECRETS], whereTagged: {} }),
        path: "grants[0].whereTagged",
        reason: '`grants[0].whereTagged` must map at least one tag key to the value a resource must carry, such as `{ "team": "payments" }`; got object `{}`.',
    },
    {
        what: "a value known only at deploy time",
        args: tagged({
            actions: ["secretsmanager:GetSecretValue"],
            resources: [SECRETS],
            whereTagged: { team: pulumi.output("payments") },
        }),
        path: "grants[0].whereTagged.team",
        reason: "`grants[0].whereTagged.team` must be a tag value known when the program runs: at most 256 letters, digits, spaces and `_ . : / = + - @`; got an Output, but this argument must be known when the program runs, because it is checked before anything is created: pass a plain value.",
    },
    {
        what: "a value with characters tags refuse",
        args: tagged({
            actions: ["secretsmanager:GetSecretValue"],
            resources: [SECRETS],
            whereTagged: { team: "pay#ments" },
        }),
        path: "grants[0].whereTagged.team",
        reason: "`grants[0].whereTagged.team` must be a tag value known when the program runs: at most 256 letters, digits, spaces and `_ . : / = + - @`; got `pay#ments`.",
    },
];

describe("grants: whereTagged and viaService (conditions checked against the catalogue)", function () {
    this.timeout(60_000);

    describe("refuses", () => itRefusesEach(BAD, "AwsServiceIdentity", "tagged", planAwsServiceIdentity));

    it("writes StringEquals aws:ResourceTag/<key> on the grant's statement, beside the expiry", async () => {
        // GIVEN a grant limited to secrets tagged for one rotator, on an identity that expires
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("tagged-doc", {
                    ...base,
                    expiresAt: "2099-01-01T00:00:00Z",
                    grants: [
                        {
                            actions: [...ACTIONS.secretsmanager],
                            resources: [SECRETS],
                            whereTagged: { "nhi:rotator": "r1" },
                        },
                    ],
                }),
        );
        // THEN its one statement carries both conditions
        assert.deepStrictEqual(
            (await valueOf(value.policyDocuments)).map((d) => JSON.parse(d)),
            [
                {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: [...ACTIONS.secretsmanager],
                            Resource: [SECRETS],
                            Condition: {
                                DateLessThan: { "aws:CurrentTime": "2099-01-01T00:00:00Z" },
                                StringEquals: { "aws:ResourceTag/nhi:rotator": "r1" },
                            },
                        },
                    ],
                },
            ],
        );
    });

    it("writes both conditions on one statement when a grant has both", async () => {
        const KEY = "arn:aws:kms:us-east-1:123456789012:key/k";
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("conditions-both", {
                    ...base,
                    grants: [
                        {
                            actions: ["kms:Decrypt"],
                            resources: [KEY],
                            whereTagged: { team: "payments" },
                            viaService: "secretsmanager",
                        },
                    ],
                }),
        );
        assert.deepStrictEqual(JSON.parse((await valueOf(value.policyDocuments))[0]).Statement[0].Condition, {
            StringEquals: { "aws:ResourceTag/team": "payments" },
            StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" },
        });
    });

    it("keeps a tagged and an untagged grant of the same actions apart", async () => {
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("tagged-apart", {
                    ...base,
                    grants: [
                        {
                            actions: ["secretsmanager:GetSecretValue"],
                            resources: [SECRETS],
                            whereTagged: { team: "payments" },
                        },
                        { actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] },
                    ],
                }),
        );
        const statements = JSON.parse((await valueOf(value.policyDocuments))[0]).Statement;
        assert.deepStrictEqual(
            statements.map((s: any) => [s.Resource, s.Condition]),
            [
                [[SECRETS], { StringEquals: { "aws:ResourceTag/team": "payments" } }],
                [[SECRET], undefined],
            ],
        );
    });

    it("the IAM engine allows the grant on resources with the tag only", async () => {
        // GIVEN an identity that may rotate every secret of the account tagged nhi:rotator = r1
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("tagged-sim", {
                    ...base,
                    grants: [
                        {
                            actions: [...ACTIONS.secretsmanager],
                            resources: [SECRETS],
                            whereTagged: { "nhi:rotator": "r1" },
                        },
                    ],
                }),
        );
        const roleArn = await valueOf(value.roleArn);
        const documents = await valueOf(value.policyDocuments);
        const at = (action: string, tags: Record<string, string>) => () =>
            decideIdentity(
                roleArn,
                documents,
                action,
                SECRET,
                Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
            );
        // THEN each action is allowed on a secret tagged r1, denied on one tagged r2 or untagged
        await expectDecisions(
            ACTIONS.secretsmanager.flatMap((action) => [
                {
                    what: `${action} tagged r1`,
                    expected: "Allowed" as const,
                    decide: at(action, { "nhi:rotator": "r1" }),
                },
                {
                    what: `${action} tagged r2`,
                    expected: "Denied" as const,
                    decide: at(action, { "nhi:rotator": "r2" }),
                },
                { what: `${action} untagged`, expected: "Denied" as const, decide: at(action, {}) },
                { what: `${action} other tag r1`, expected: "Denied" as const, decide: at(action, { team: "r1" }) },
            ]),
        );
        // AND never a tagging action, so the tag cannot be moved by the identity
        await expectDecisions([
            {
                what: "TagResource",
                expected: "Denied",
                decide: at("secretsmanager:TagResource", { "nhi:rotator": "r1" }),
            },
            {
                what: "UntagResource",
                expected: "Denied",
                decide: at("secretsmanager:UntagResource", { "nhi:rotator": "r1" }),
            },
        ]);
    });
});
