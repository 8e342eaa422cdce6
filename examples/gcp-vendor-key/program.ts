import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * A vendor's integration that pushes invoices into one bucket and can only authenticate with a JSON
 * key file. The key is minted and rotated inside Google Cloud by a function of this package, into a
 * Secret Manager secret that only the operations group and the courier job may read; Pulumi never
 * sees it.
 *
 * Declared inside {@link gcpVendorKey} so that tests can run it under Pulumi's mocks.
 * @see https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys
 */

/** The project of the account, the bucket and the rotation function. `pulumi config set gcpProject <id>`. */
export const DEFAULT_GCP_PROJECT = "acme-billing-prod";
export const REGION = "europe-west1";

export interface GcpVendorKey {
    readonly bucket: gcp.storage.Bucket;
    readonly courier: nhi.gcp.ServiceIdentity;
    readonly vendor: nhi.gcp.ServiceIdentity;
    readonly project: string;
}

/** Declares the vendor's bucket, the courier's identity and the vendor's identity with its key. */
export function gcpVendorKey(): GcpVendorKey {
    const config = new pulumi.Config();
    const project = config.get("gcpProject") ?? DEFAULT_GCP_PROJECT;

    const bucket = new gcp.storage.Bucket("vendor-invoices", {
        project,
        location: "EU",
        uniformBucketLevelAccess: true,
    });

    // The job that hands the current key to the vendor's portal: it may read the key, nothing else here.
    const courier = new nhi.gcp.ServiceIdentity("key-courier", {
        project,
        owner: "team-billing",
        purpose: "Scheduled job that uploads the vendor's current key to its portal",
        grants: [],
    });

    const vendor = new nhi.gcp.ServiceIdentity("vendor-sync", {
        project,
        owner: "team-billing",
        purpose: "Vendor integration that pushes invoices into our bucket",
        grants: [{ role: "roles/storage.objectCreator", resource: { bucket: bucket.name } }],
        key: {
            rotateEveryDays: 90,
            graceDays: 7,
            region: REGION,
            readers: ["group:vendor-ops@acme.example", courier],
        },
    });
    return { bucket, courier, vendor, project };
}
