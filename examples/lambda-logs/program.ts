import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * A Lambda function with its execution role and its logs: the function parses invoices and writes
 * them to ONE DynamoDB table, and writes its own logs to ONE log group, the one Lambda uses by
 * default, `/aws/lambda/<function name>`.
 *
 * - The log group is declared here, before the function, with a retention: Lambda would otherwise
 *   create it on the first invocation, kept forever, and the role would need
 *   `logs:CreateLogGroup`.
 * - The role may create log streams in that group and put events into them, nothing else of
 *   CloudWatch Logs. `AWSLambdaBasicExecutionRole`, the usual shortcut, grants the same two actions
 *   and `logs:CreateLogGroup` on every log group of the account.
 *
 * Declared inside {@link lambdaLogs} so that tests can run it under Pulumi's mocks.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 */

/** The function's name, known before it exists so that its log group can be created first. */
export function functionName(stack: string): string {
    return `invoice-parser-${stack}`;
}

/** How long the function's logs are kept. */
export const LOG_RETENTION_DAYS = 30;

/** When the execution role stops working unless someone renews it. Fixed so that tests are stable. */
export const EXPIRES_AT = "2028-06-30T00:00:00Z";

/** The function's code: parse an invoice event and store it (a stand-in for your own handler). */
export const HANDLER_SOURCE = `
const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");
const db = new DynamoDBClient({});
exports.handler = async (event) => {
    const invoice = JSON.parse(event.body ?? "{}");
    console.log(JSON.stringify({ msg: "parsed invoice", id: invoice.id }));
    await db.send(new PutItemCommand({
        TableName: process.env.TABLE_NAME,
        Item: { id: { S: String(invoice.id) }, total: { N: String(invoice.total ?? 0) } },
    }));
    return { statusCode: 204 };
};
`;

export interface LambdaLogs {
    /** The function's execution role. */
    readonly role: nhi.aws.ServiceIdentity;
    /** The function. */
    readonly fn: aws.lambda.Function;
    /** `/aws/lambda/<function name>`, with a retention. */
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Where parsed invoices are stored. */
    readonly table: aws.dynamodb.Table;
    /** The function's name. */
    readonly name: string;
}

/** Declares the table, the log group, the execution role and the function. */
export function lambdaLogs(): LambdaLogs {
    const name = functionName(pulumi.getStack());

    const table = new aws.dynamodb.Table("parsed-invoices", {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "id",
        attributes: [{ name: "id", type: "S" }],
        tags: { app: "payments" },
    });

    const logGroup = new aws.cloudwatch.LogGroup("invoice-parser-logs", {
        name: `/aws/lambda/${name}`,
        retentionInDays: LOG_RETENTION_DAYS,
        tags: { app: "payments" },
    });

    const role = new nhi.aws.ServiceIdentity("invoice-parser", {
        owner: "team-payments",
        purpose: "Lambda that parses invoices into the parsed-invoices table",
        // The function's own logs, in one line: `logs:CreateLogStream` and `logs:PutLogEvents` on
        // the streams of this one group (`<group ARN>:*`, the form AWS's own Lambda policies use).
        // The group itself is created above, not by the function, so no `logs:CreateLogGroup`.
        trust: { service: { principal: "lambda.amazonaws.com", logGroups: [logGroup.arn] } },
        grants: [
            // Store one parsed invoice per call: no read, no delete, no scan.
            { actions: ["dynamodb:PutItem"], resources: [table.arn] },
        ],
        expiresAt: EXPIRES_AT,
    });

    const fn = new aws.lambda.Function(
        "invoice-parser",
        {
            name,
            role: role.roleArn,
            runtime: "nodejs20.x",
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(HANDLER_SOURCE) }),
            timeout: 10,
            environment: { variables: { TABLE_NAME: table.name } },
            tags: { app: "payments" },
        },
        { dependsOn: [logGroup] },
    );

    return { role, fn, logGroup, table, name };
}
