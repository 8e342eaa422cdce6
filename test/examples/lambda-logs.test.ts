import * as assert from "assert";
import {
    EXPIRES_AT,
    LOG_RETENTION_DAYS,
    LambdaLogs,
    functionName,
    lambdaLogs,
} from "../../examples/lambda-logs/program";
import { MOCK_ACCOUNT, Registered, capture, ofType, valueOf } from "../support/mock-graph";
import { decideIdentity, decideTrust, expectDecisions, grantedPairs, shiftDays } from "../support/iam-simulator";

describe("examples/lambda-logs", () => {
    const BEFORE = shiftDays(EXPIRES_AT, -30);
    const AFTER = shiftDays(EXPIRES_AT, 1);
    // The mock stack is "test".
    const NAME = functionName("test");
    const GROUP_ARN = `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/${NAME}`;
    let example: LambdaLogs;
    let resources: Registered[];
    let roleArn: string;
    let tableArn: string;
    let trustPolicy: string;
    let documents: string[];

    before(async () => {
        ({ value: example, resources } = await capture(lambdaLogs));
        [roleArn, tableArn, trustPolicy, documents] = await Promise.all([
            valueOf(example.role.roleArn),
            valueOf(example.table.arn),
            valueOf(example.role.trustPolicy),
            valueOf(example.role.policyDocuments),
        ]);
    });

    it("declares the function with the component's role, and its /aws/lambda/<function> log group with a retention", () => {
        // GIVEN the example program WHEN it runs under the mocks
        // THEN it declares the table, the log group, the role with its policy, the function, and the
        // role's quarantine at expiry (schedule and execution role)
        assert.deepStrictEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
            "aws:cloudwatch/logGroup:LogGroup invoice-parser-logs",
            "aws:dynamodb/table:Table parsed-invoices",
            "aws:iam/role:Role invoice-parser-expiry-role",
            "aws:iam/role:Role invoice-parser-role",
            "aws:iam/rolePolicy:RolePolicy invoice-parser-expiry-policy",
            "aws:iam/rolePolicy:RolePolicy invoice-parser-policy",
            "aws:lambda/function:Function invoice-parser",
            "aws:scheduler/schedule:Schedule invoice-parser-expiry",
            "nhi:aws:ServiceIdentity invoice-parser",
        ]);
        const [group] = ofType(resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepStrictEqual(
            { name: group.inputs.name, retentionInDays: group.inputs.retentionInDays },
            { name: `/aws/lambda/${NAME}`, retentionInDays: LOG_RETENTION_DAYS },
        );
        const [fn] = ofType(resources, "aws:lambda/function:Function");
        assert.strictEqual(fn.inputs.name, NAME);
        assert.strictEqual(fn.inputs.role, roleArn);
    });

    it("lets Lambda, and only Lambda, assume the role until the expiry", async () => {
        // GIVEN the rendered trust policy
        const assume =
            (principal: string, at = BEFORE) =>
            () =>
                decideTrust(trustPolicy, { principal, roleArn, context: { "aws:CurrentTime": at } });
        // WHEN Lambda and another service ask to assume the role, before and after the expiry
        // THEN only Lambda, before the expiry, is admitted
        await expectDecisions([
            { what: "lambda", expected: "Allowed", decide: assume("lambda.amazonaws.com") },
            { what: "lambda after the expiry", expected: "Denied", decide: assume("lambda.amazonaws.com", AFTER) },
            { what: "ec2", expected: "Denied", decide: assume("ec2.amazonaws.com") },
        ]);
    });

    it("writes to its own log streams and puts items into the table, and nothing else", async () => {
        // GIVEN the identity policy: the two log actions on the group's streams, PutItem on the table
        assert.deepStrictEqual(
            grantedPairs(documents)
                .map((g) => `${g.action} ${g.resource}`)
                .sort(),
            [`dynamodb:PutItem ${tableArn}`, `logs:CreateLogStream ${GROUP_ARN}:*`, `logs:PutLogEvents ${GROUP_ARN}:*`],
        );
        const decide =
            (action: string, resource: string, at = BEFORE) =>
            () =>
                decideIdentity(roleArn, documents, action, resource, { "aws:CurrentTime": at });
        // The stream ARN Lambda's calls are authorized on: one stream per execution environment.
        const stream = `${GROUP_ARN}:log-stream:2028/01/15/[$LATEST]0123456789abcdef0123456789abcdef`;
        const otherStream = stream.replace(`/aws/lambda/${NAME}`, "/aws/lambda/payments-api");
        // WHEN the IAM engine decides the calls the function could make
        // THEN its logging calls and PutItem are allowed before the expiry; everything else is denied
        await expectDecisions([
            {
                what: "CreateLogStream in its group",
                expected: "Allowed",
                decide: decide("logs:CreateLogStream", stream),
            },
            { what: "PutLogEvents in its group", expected: "Allowed", decide: decide("logs:PutLogEvents", stream) },
            {
                what: "PutLogEvents after the expiry",
                expected: "Denied",
                decide: decide("logs:PutLogEvents", stream, AFTER),
            },
            {
                what: "PutLogEvents in another function's group",
                expected: "Denied",
                decide: decide("logs:PutLogEvents", otherStream),
            },
            {
                what: "CreateLogStream in another function's group",
                expected: "Denied",
                decide: decide("logs:CreateLogStream", otherStream),
            },
            { what: "CreateLogGroup", expected: "Denied", decide: decide("logs:CreateLogGroup", GROUP_ARN) },
            { what: "DeleteLogGroup", expected: "Denied", decide: decide("logs:DeleteLogGroup", GROUP_ARN) },
            { what: "GetLogEvents of its own stream", expected: "Denied", decide: decide("logs:GetLogEvents", stream) },
            { what: "PutItem", expected: "Allowed", decide: decide("dynamodb:PutItem", tableArn) },
            { what: "GetItem", expected: "Denied", decide: decide("dynamodb:GetItem", tableArn) },
            { what: "DeleteItem", expected: "Denied", decide: decide("dynamodb:DeleteItem", tableArn) },
        ]);
    });
});
