/**
 * A Google service account key that rotates itself.
 *
 *     cd examples/gcp-vendor-key    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set gcpProject <your project id>
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 */
import { gcpVendorKey } from "./program";

const { vendor, courier } = gcpVendorKey();

/** The account the vendor authenticates as. */
export const vendorEmail = vendor.email;
/** The secret whose `latest` version is the vendor's current key (a credentials file). */
export const keySecret = vendor.keySecret;
/** The account of the job that hands the key to the vendor. */
export const courierEmail = courier.email;
