import * as assert from "assert";
import {
    DEFAULT_OIDC_ISSUER,
    EXPIRES_AT,
    EksIrsa,
    NAMESPACE,
    PRODUCTS_PREFIX,
    SERVICE_ACCOUNT,
    TABLE_ACTIONS,
    eksIrsa,
} from "../../examples/eks-irsa/program";
import { MOCK_ACCOUNT, Registered, capture, ofType, valueOf } from "../support/mock-graph";
import { decideIdentity, decideWebIdentity, expectDecisions, grantedPairs, shiftDays } from "../support/iam-simulator";

describe("examples/eks-irsa", () => {
    const BEFORE = shiftDays(EXPIRES_AT, -30);
    const AFTER = shiftDays(EXPIRES_AT, 1);
    const ISSUER_HOST = DEFAULT_OIDC_ISSUER.replace("https://", "");
    const SUBJECT = `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`;
    let example: EksIrsa;
    let resources: Registered[];
    let roleArn: string;
    let providerArn: string;
    let bucketArn: string;
    let tableArn: string;
    let trustPolicy: string;
    let documents: string[];

    before(async () => {
        ({ value: example, resources } = await capture(eksIrsa));
        [roleArn, providerArn, bucketArn, tableArn, trustPolicy, documents] = await Promise.all([
            valueOf(example.catalogApi.roleArn),
            valueOf(example.oidcProvider.arn),
            valueOf(example.bucket.arn),
            valueOf(example.table.arn),
            valueOf(example.catalogApi.trustPolicy),
            valueOf(example.catalogApi.policyDocuments),
        ]);
    });

    it("declares the cluster's OIDC provider for its issuer, the bucket, the table and one role with its inline policy", () => {
        // GIVEN the example program WHEN it runs under the mocks
        // THEN it declares exactly these resources, the role and policy as children of the component,
        // beside the quarantine at expiry (schedule and execution role)
        assert.deepStrictEqual(
            resources.map((r) => `${r.type} ${r.name}${r.parentType ? ` (child of ${r.parentType})` : ""}`).sort(),
            [
                "aws:dynamodb/table:Table catalog-products",
                "aws:iam/openIdConnectProvider:OpenIdConnectProvider catalog-cluster-oidc",
                "aws:iam/role:Role catalog-api-expiry-role (child of nhi:aws:ServiceIdentity)",
                "aws:iam/role:Role catalog-api-role (child of nhi:aws:ServiceIdentity)",
                "aws:iam/rolePolicy:RolePolicy catalog-api-expiry-policy (child of nhi:aws:ServiceIdentity)",
                "aws:iam/rolePolicy:RolePolicy catalog-api-policy (child of nhi:aws:ServiceIdentity)",
                "aws:s3/bucket:Bucket catalog-assets",
                "aws:scheduler/schedule:Schedule catalog-api-expiry (child of nhi:aws:ServiceIdentity)",
                "nhi:aws:ServiceIdentity catalog-api",
            ],
        );
        const [provider] = ofType(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        assert.deepStrictEqual(provider.inputs, { url: DEFAULT_OIDC_ISSUER, clientIdLists: ["sts.amazonaws.com"] });
        assert.strictEqual(providerArn, `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${ISSUER_HOST}`);
    });

    it("trusts web-identity tokens of the cluster's issuer for the one service account, until the expiry", async () => {
        // GIVEN the rendered trust policy
        const token =
            (sub: string, aud = "sts.amazonaws.com", at = BEFORE, provider = providerArn) =>
            () =>
                decideWebIdentity(trustPolicy, { providerArn: provider, roleArn, claims: { sub, aud }, at });
        const otherCluster = `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0THERC1USTER00000000000000000000`;
        // WHEN the IAM engine decides sts:AssumeRoleWithWebIdentity for tokens of every kind
        // THEN only the catalog/catalog-api token of this cluster, with STS's audience, before the expiry, is admitted
        await expectDecisions([
            { what: "the service account", expected: "Allowed", decide: token(SUBJECT) },
            {
                what: "the service account after the expiry",
                expected: "Denied",
                decide: token(SUBJECT, undefined, AFTER),
            },
            {
                what: "another service account of the namespace",
                expected: "Denied",
                decide: token(`system:serviceaccount:${NAMESPACE}:default`),
            },
            {
                what: "the same name in another namespace",
                expected: "Denied",
                decide: token(`system:serviceaccount:default:${SERVICE_ACCOUNT}`),
            },
            { what: "another audience", expected: "Denied", decide: token(SUBJECT, "https://kubernetes.default.svc") },
            {
                what: "the same service account of another cluster",
                expected: "Denied",
                decide: token(SUBJECT, undefined, BEFORE, otherCluster),
            },
        ]);
    });

    it("reads objects under products/ and the product table, and nothing else", async () => {
        // GIVEN the identity policy, granted exactly GetObject on the prefix and three read actions on the table
        assert.deepStrictEqual(
            grantedPairs(documents)
                .map((g) => `${g.action} ${g.resource}`)
                .sort(),
            [...TABLE_ACTIONS.map((a) => `${a} ${tableArn}`), `s3:GetObject ${bucketArn}/${PRODUCTS_PREFIX}*`].sort(),
        );
        const decide =
            (action: string, resource: string, at = BEFORE) =>
            () =>
                decideIdentity(roleArn, documents, action, resource, { "aws:CurrentTime": at });
        const otherTable = tableArn.replace(/table\/.*/, "table/orders");
        // WHEN the IAM engine decides the requests a pod could make
        // THEN reads of the prefix and the table are allowed before the expiry, everything else is denied
        await expectDecisions([
            {
                what: "GetObject under products/",
                expected: "Allowed",
                decide: decide("s3:GetObject", `${bucketArn}/${PRODUCTS_PREFIX}sku-1/photo.jpg`),
            },
            {
                what: "GetObject under products/ after the expiry",
                expected: "Denied",
                decide: decide("s3:GetObject", `${bucketArn}/${PRODUCTS_PREFIX}sku-1/photo.jpg`, AFTER),
            },
            {
                what: "GetObject outside products/",
                expected: "Denied",
                decide: decide("s3:GetObject", `${bucketArn}/internal/pricing.csv`),
            },
            {
                what: "PutObject under products/",
                expected: "Denied",
                decide: decide("s3:PutObject", `${bucketArn}/${PRODUCTS_PREFIX}sku-1/photo.jpg`),
            },
            { what: "ListBucket", expected: "Denied", decide: decide("s3:ListBucket", bucketArn) },
            ...TABLE_ACTIONS.map((action) => ({
                what: `${action} on the table`,
                expected: "Allowed" as const,
                decide: decide(action, tableArn),
            })),
            { what: "Query after the expiry", expected: "Denied", decide: decide("dynamodb:Query", tableArn, AFTER) },
            { what: "PutItem on the table", expected: "Denied", decide: decide("dynamodb:PutItem", tableArn) },
            { what: "Scan on the table", expected: "Denied", decide: decide("dynamodb:Scan", tableArn) },
            { what: "GetItem on another table", expected: "Denied", decide: decide("dynamodb:GetItem", otherTable) },
        ]);
    });
});
