import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { capture, MOCK_ACCOUNT, valueOf } from "../support/mock-graph";
import { Decision, decideIdentity, grantedPairs } from "../support/iam-simulator";

/*
 * `trust.service.logGroups`: the one line that lets a Lambda function write its logs. Declared
 * through the component under the mocks, then evaluated by the IAM engine.
 */

const GROUP = `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/invoice-worker`;
const OTHER_GROUP = `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/other-function`;
const STREAM = `${GROUP}:log-stream:2026/11/25/[$LATEST]0123456789abcdef`;
const OTHER_STREAM = `${OTHER_GROUP}:log-stream:2026/11/25/[$LATEST]0123456789abcdef`;
const OWNERSHIP = { owner: "team-payments", purpose: "Parses invoices" };

async function declare(name: string, logGroups: pulumi.Input<string>[]) {
    const { value } = await capture(
        () =>
            new aws.ServiceIdentity(name, {
                ...OWNERSHIP,
                trust: { service: { principal: "lambda.amazonaws.com", logGroups } },
                grants: [],
            }),
    );
    return { roleArn: await valueOf(value.roleArn), documents: await valueOf(value.policyDocuments) };
}

describe("Lambda log groups (trust.service.logGroups)", function () {
    this.timeout(60_000);

    it("grants exactly CreateLogStream and PutLogEvents on the streams of the group", async () => {
        // GIVEN a Lambda identity that names its log group
        const { documents } = await declare("logs-exact", [GROUP]);
        // THEN its one policy grants the two log actions on `<group ARN>:*`, nothing else
        assert.deepStrictEqual(
            grantedPairs(documents)
                .map((g) => `${g.action} ${g.resource}`)
                .sort(),
            [`logs:CreateLogStream ${GROUP}:*`, `logs:PutLogEvents ${GROUP}:*`],
        );
    });

    it("lets the function write to its own group's streams and to no other group", async () => {
        // GIVEN the identity, with the group's ARN known only at deploy time (an Output, as
        // `logGroup.arn` of an aws.cloudwatch.LogGroup is)
        const { roleArn, documents } = await declare("logs-sim", [pulumi.output(GROUP)]);
        const at = (action: string, resource: string) => decideIdentity(roleArn, documents, action, resource);
        // WHEN the IAM engine decides the requests Lambda makes to write logs
        const decisions: Record<string, Decision> = {
            "PutLogEvents own stream": await at("logs:PutLogEvents", STREAM),
            "CreateLogStream own group": await at("logs:CreateLogStream", STREAM),
            "PutLogEvents other group's stream": await at("logs:PutLogEvents", OTHER_STREAM),
            "CreateLogStream other group": await at("logs:CreateLogStream", OTHER_STREAM),
            CreateLogGroup: await at("logs:CreateLogGroup", GROUP),
            "DeleteLogGroup own group": await at("logs:DeleteLogGroup", GROUP),
            "GetLogEvents own stream": await at("logs:GetLogEvents", STREAM),
        };
        // THEN it may write to its own group's streams, and nothing else
        assert.deepStrictEqual(decisions, {
            "PutLogEvents own stream": "Allowed",
            "CreateLogStream own group": "Allowed",
            "PutLogEvents other group's stream": "ImplicitlyDenied",
            "CreateLogStream other group": "ImplicitlyDenied",
            CreateLogGroup: "ImplicitlyDenied",
            "DeleteLogGroup own group": "ImplicitlyDenied",
            "GetLogEvents own stream": "ImplicitlyDenied",
        });
    });

    it("reads an ARN ending `:*` (as DescribeLogGroups writes it) as its group", async () => {
        const { documents } = await declare("logs-star", [`${GROUP}:*`]);
        assert.deepStrictEqual(
            grantedPairs(documents).map((g) => g.resource),
            [`${GROUP}:*`, `${GROUP}:*`],
        );
    });

    it("checks a log group known only at deploy time when it resolves, with the construction-time message", async () => {
        // GIVEN a log group Output that resolves to a name, not an ARN
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("logs-late", {
                    ...OWNERSHIP,
                    trust: {
                        service: {
                            principal: "lambda.amazonaws.com",
                            logGroups: [pulumi.output("/aws/lambda/invoice-worker")],
                        },
                    },
                    grants: [],
                }),
        );
        // THEN the policy fails to resolve, naming the property and the fix
        await assert.rejects(valueOf(value.policyDocuments), (e: any) => {
            assert.deepStrictEqual(e.errors, [
                {
                    propertyPath: "trust.service.logGroups[0]",
                    reason: "`trust.service.logGroups[0]` must be the ARN of one CloudWatch Logs log group, `arn:aws:logs:<region>:<account>:log-group:<name>` (such as `logGroup.arn` of an `aws.cloudwatch.LogGroup`), without wildcards; got `/aws/lambda/invoice-worker`. A name is not enough: the component does not read the region and account from the environment. Pass `logGroup.arn`, or `arn:aws:logs:<region>:<account>:log-group:/aws/lambda/invoice-worker`.",
                },
            ]);
            return true;
        });
        await (pulumi.runtime as any).waitForRPCs().catch(() => undefined);
        require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
    });
});
