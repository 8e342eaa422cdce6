/**
 * A Lambda function, its execution role, and its log group `/aws/lambda/<function>`.
 *
 *     cd examples/lambda-logs    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set aws:region us-east-1
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 */
import { lambdaLogs } from "./program";

const { role, fn, logGroup, table } = lambdaLogs();

export const functionName = fn.name;
export const executionRoleArn = role.roleArn;
export const executionRoleExpiresAt = role.expiresAt;
export const logGroupName = logGroup.name;
export const parsedInvoicesTable = table.name;
