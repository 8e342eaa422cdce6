/**
 * A webhook signing secret shared by two services, and partner API tokens that share a rotator.
 *
 *     cd examples/rotating-secrets    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set aws:region us-east-1
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs:
 * the ARNs the services read (`SecretId`), never a value.
 */
import { rotatingSecrets } from "./program";

const { webhookSecret, rotator, tokens } = rotatingSecrets();

export const webhookSecretArn = webhookSecret.secretArn;
export const partnerRotatorFunctionArn = rotator.functionArn;
export const partnerTokenArns = Object.fromEntries(
    Object.entries(tokens).map(([partner, token]) => [partner, token.secretArn]),
);
