/**
 * Cross-account access with an external ID: an audit vendor reads one prefix of one bucket.
 *
 *     cd examples/cross-account    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set aws:region us-east-1
 *     pulumi config set vendorAccountId <the vendor's 12-digit account ID>
 *     pulumi config set vendorExternalId <the ID the vendor gave you>   # optional: generated if not set
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 */
import { crossAccount } from "./program";

const { vendorAccess, bucket, externalId } = crossAccount();

/** Give the vendor these two values: the role to assume, and the external ID to pass with it. */
export const vendorRoleArn = vendorAccess.roleArn;
export const vendorExternalId = externalId;
export const vendorAccessExpiresAt = vendorAccess.expiresAt;
export const exportsBucket = bucket.bucket;
