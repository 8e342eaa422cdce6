/**
 * A vendor that only takes a static AWS access key: its IAM user, and a key that rotates itself.
 *
 *     cd examples/vendor-access-key    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set aws:region us-east-1
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 * None of them is the key: read it from the secret (`aws secretsmanager get-secret-value
 * --secret-id <acmeKeySecretArn>`) with the handover function's role.
 */
import { vendorAccessKey } from "./program";

const { exchange, handover, acme } = vendorAccessKey();

export const exchangeBucket = exchange.bucket;
export const acmeUserName = acme.userName;
export const acmeKeySecretArn = acme.keySecretArn;
export const acmeExpiresAt = acme.expiresAt;
export const handoverRoleArn = handover.roleArn;
