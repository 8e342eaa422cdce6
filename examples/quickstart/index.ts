/**
 * The Pulumi program of the quickstart (`main: examples/quickstart` in the root Pulumi.yaml):
 *
 *     pulumi stack init dev
 *     pulumi config set aws:region us-east-1
 *     pulumi config set paymentsFunctionArn arn:aws:lambda:us-east-1:<account>:function:payments-api
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 * To see what it would create without an AWS account or the Pulumi CLI: `npm run demo`.
 */
import { quickstart } from "./program";

const { worker, deployer, bucket, queue, artifacts } = quickstart();

export const invoicesBucket = bucket.bucket;
export const invoiceQueueUrl = queue.url;
export const artifactsBucket = artifacts.bucket;

export const workerRoleArn = worker.roleArn;
export const workerExpiresAt = worker.expiresAt;

export const deployerRoleArn = deployer.roleArn;
export const deployerExpiresAt = deployer.expiresAt;
