import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_ACCOUNT, capture, valueOf } from "../support/mock-graph";

/**
 * Each example's `index.ts` is what `pulumi up` runs. Loaded under Pulumi's mocks, it must declare
 * its program and export the values its README tells the reader to use.
 */
async function exportsOf(example: string): Promise<Record<string, unknown>> {
    const load = () => require(`../../examples/${example}/index`) as Record<string, unknown>;
    const { value: module } = await capture(load);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(module)) {
        out[key] = pulumi.Output.isInstance(value) ? await valueOf(value) : value;
    }
    return out;
}

describe("examples/*/index.ts, the programs `pulumi up` runs", () => {
    // GIVEN each example's entry point WHEN it is loaded under the mocks
    // THEN it exports exactly the values its README and comments tell the reader to use
    it("eks-irsa exports the role ARN for the service account annotation", async () => {
        assert.deepStrictEqual(await exportsOf("eks-irsa"), {
            catalogApiRoleArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/catalog-api-role-1a2b3c4`,
            catalogApiExpiresAt: "2028-06-30T00:00:00Z",
            oidcProviderArn: `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`,
            assetsBucket: "catalog-assets-1a2b3c4",
            productsTable: "catalog-products-1a2b3c4",
        });
    });

    it("gke-workload-identity exports the email for the service account annotation", async () => {
        assert.deepStrictEqual(await exportsOf("gke-workload-identity"), {
            thumbnailerEmail: "thumbnailer@acme-media-prod.iam.gserviceaccount.com",
            clusterName: "media-1a2b3c4",
            uploadsSubscription: "thumbnailer-uploads-1a2b3c4",
            thumbnailsBucket: "thumbnails-1a2b3c4",
        });
    });

    it("cross-account exports the role ARN and the external ID to give the vendor", async () => {
        const exported = await exportsOf("cross-account");
        assert.deepStrictEqual(Object.keys(exported).sort(), [
            "exportsBucket",
            "vendorAccessExpiresAt",
            "vendorExternalId",
            "vendorRoleArn",
        ]);
        assert.strictEqual(exported.vendorRoleArn, `arn:aws:iam::${MOCK_ACCOUNT}:role/auditor-access-role-1a2b3c4`);
        assert.match(String(exported.vendorExternalId), /^[A-Za-z0-9]{32}$/);
        assert.strictEqual(exported.vendorAccessExpiresAt, "2027-12-31T00:00:00Z");
    });

    it("lambda-logs exports the function, its role and its log group", async () => {
        assert.deepStrictEqual(await exportsOf("lambda-logs"), {
            functionName: "invoice-parser-test",
            executionRoleArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/invoice-parser-role-1a2b3c4`,
            executionRoleExpiresAt: "2028-06-30T00:00:00Z",
            logGroupName: "/aws/lambda/invoice-parser-test",
            parsedInvoicesTable: "parsed-invoices-1a2b3c4",
        });
    });
});
