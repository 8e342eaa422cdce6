import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * EKS IAM Roles for Service Accounts (IRSA): the pods of ONE Kubernetes service account of an
 * existing EKS cluster get an IAM role that reads ONE prefix of an S3 bucket and ONE DynamoDB
 * table, nothing else.
 *
 * - The cluster's IAM OIDC provider is declared here, for the cluster's issuer (one per cluster;
 *   if `eksctl utils associate-iam-oidc-provider` or another stack already made it, pass its ARN
 *   instead of declaring it again).
 * - The role's trust admits only web-identity tokens of that issuer whose `sub` is
 *   `system:serviceaccount:<namespace>:<service account>` and whose `aud` is `sts.amazonaws.com`.
 * - The Kubernetes service account carries the role ARN in the annotation
 *   `eks.amazonaws.com/role-arn`; EKS's pod identity webhook then injects the token.
 *
 * Declared inside {@link eksIrsa} so that tests can run it under Pulumi's mocks.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
 */

/**
 * The cluster's OIDC issuer URL, as `aws eks describe-cluster --name <cluster> --query
 * cluster.identity.oidc.issuer --output text` prints it. Set yours with
 * `pulumi config set eksOidcIssuer <issuer>`.
 */
export const DEFAULT_OIDC_ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/** The Kubernetes namespace and service account whose pods may assume the role. */
export const NAMESPACE = "catalog";
export const SERVICE_ACCOUNT = "catalog-api";

/** The only prefix of the bucket the workload reads. */
export const PRODUCTS_PREFIX = "products/";

/** When the role stops working unless someone renews it. Fixed so that tests are stable. */
export const EXPIRES_AT = "2028-06-30T00:00:00Z";

/** Exactly what a read path of the catalog API calls on its table: one item, or a query. */
export const TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];

export interface EksIrsa {
    /** The IAM OIDC provider of the cluster's issuer. */
    readonly oidcProvider: aws.iam.OpenIdConnectProvider;
    /** The role the `catalog/catalog-api` pods assume. */
    readonly catalogApi: nhi.aws.ServiceIdentity;
    /** Product images and descriptions; the pods read `products/` only. */
    readonly bucket: aws.s3.Bucket;
    /** The product table the pods read. */
    readonly table: aws.dynamodb.Table;
    /** The issuer the role trusts (`eksOidcIssuer` config). */
    readonly issuer: string;
}

/** Declares the IRSA role, its OIDC provider and the resources it reads. */
export function eksIrsa(): EksIrsa {
    const config = new pulumi.Config();
    const issuer = config.get("eksOidcIssuer") ?? DEFAULT_OIDC_ISSUER;

    const bucket = new aws.s3.Bucket("catalog-assets", { tags: { app: "catalog" } });
    const table = new aws.dynamodb.Table("catalog-products", {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "sku",
        attributes: [{ name: "sku", type: "S" }],
        tags: { app: "catalog" },
    });

    // The cluster's IAM OIDC provider. Without `thumbprintLists`, IAM retrieves the issuer's
    // certificate thumbprint itself. The URL must be exactly the issuer: the trust below checks the
    // provider's ARN against it.
    const oidcProvider = new aws.iam.OpenIdConnectProvider("catalog-cluster-oidc", {
        url: issuer,
        clientIdLists: ["sts.amazonaws.com"],
    });

    const catalogApi = new nhi.aws.ServiceIdentity("catalog-api", {
        owner: "team-catalog",
        purpose: "catalog-api pods on EKS: read product assets and the product table",
        trust: {
            eksServiceAccount: {
                // The issuer, which names the condition keys (`<issuer>:sub`, `<issuer>:aud`), is
                // read from the provider's ARN when it resolves: no second copy to keep in step.
                oidcProviderArn: oidcProvider.arn,
                namespace: NAMESPACE,
                serviceAccount: SERVICE_ACCOUNT,
            },
        },
        grants: [
            // GetObject only: no ListBucket, which would reveal every key of the bucket.
            { actions: ["s3:GetObject"], resources: [pulumi.interpolate`${bucket.arn}/${PRODUCTS_PREFIX}*`] },
            { actions: TABLE_ACTIONS, resources: [table.arn] },
        ],
        expiresAt: EXPIRES_AT,
    });

    return { oidcProvider, catalogApi, bucket, table, issuer };
}
