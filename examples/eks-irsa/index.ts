/**
 * EKS IAM Roles for Service Accounts: one role for the `catalog/catalog-api` service account.
 *
 *     cd examples/eks-irsa    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set aws:region us-east-1
 *     pulumi config set eksOidcIssuer "$(aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer --output text)"
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 */
import { eksIrsa } from "./program";

const { catalogApi, bucket, table, oidcProvider } = eksIrsa();

/**
 * Annotate the Kubernetes service account with it:
 *
 *     apiVersion: v1
 *     kind: ServiceAccount
 *     metadata:
 *       name: catalog-api
 *       namespace: catalog
 *       annotations:
 *         eks.amazonaws.com/role-arn: <catalogApiRoleArn>
 */
export const catalogApiRoleArn = catalogApi.roleArn;
export const catalogApiExpiresAt = catalogApi.expiresAt;
export const oidcProviderArn = oidcProvider.arn;
export const assetsBucket = bucket.bucket;
export const productsTable = table.name;
