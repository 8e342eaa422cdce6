import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { capture, MOCK_ACCOUNT, valueOf } from "../support/mock-graph";
import { decideWebIdentity } from "../support/iam-simulator";

/*
 * EKS trust with the cluster's issuer taken from the stack: the provider ARN and the issuer URL
 * may both be Outputs, the issuer may be left out (it is derived from the ARN), and a mismatch is
 * reported when the values resolve, with the construction-time message.
 */

const HOST = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const PROVIDER = `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${HOST}`;
const OWNERSHIP = { owner: "team-payments", purpose: "Invoice worker pods" };

async function trustOf(name: string, eks: aws.AwsEksServiceAccountTrust) {
    const { value } = await capture(
        () => new aws.ServiceIdentity(name, { ...OWNERSHIP, trust: { eksServiceAccount: eks }, grants: [] }),
    );
    return { roleArn: await valueOf(value.roleArn), trustPolicy: await valueOf(value.trustPolicy) };
}

const EXPECTED_STATEMENT = {
    Effect: "Allow",
    Principal: { Federated: PROVIDER },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
        StringEquals: {
            [`${HOST}:aud`]: "sts.amazonaws.com",
            [`${HOST}:sub`]: "system:serviceaccount:payments:invoice-worker",
        },
    },
};

describe("EKS trust with the issuer from the stack", function () {
    this.timeout(30_000);

    const shapes: [string, () => aws.AwsEksServiceAccountTrust][] = [
        [
            "both plain (as before)",
            () => ({
                oidcProviderArn: PROVIDER,
                oidcIssuer: `https://${HOST}`,
                namespace: "payments",
                serviceAccount: "invoice-worker",
            }),
        ],
        [
            "the ARN only",
            () => ({ oidcProviderArn: PROVIDER, namespace: "payments", serviceAccount: "invoice-worker" }),
        ],
        [
            "the ARN as an Output, no issuer",
            () => ({
                oidcProviderArn: pulumi.output(PROVIDER),
                namespace: "payments",
                serviceAccount: "invoice-worker",
            }),
        ],
        [
            "both as Outputs",
            () => ({
                oidcProviderArn: pulumi.output(PROVIDER),
                oidcIssuer: pulumi.output(`https://${HOST}`),
                namespace: "payments",
                serviceAccount: "invoice-worker",
            }),
        ],
        [
            "a plain ARN and an Output issuer",
            () => ({
                oidcProviderArn: PROVIDER,
                oidcIssuer: pulumi.output(`https://${HOST}`),
                namespace: "payments",
                serviceAccount: "invoice-worker",
            }),
        ],
    ];
    shapes.forEach(([what, eks], i) => {
        it(`renders the same trust policy from ${what}`, async () => {
            // GIVEN the cluster's provider (and issuer) given this way
            const { trustPolicy } = await trustOf(`eks-${i}`, eks());
            // THEN the condition keys name the issuer host derived from the provider ARN
            assert.deepStrictEqual(JSON.parse(trustPolicy).Statement, [EXPECTED_STATEMENT]);
        });
    });

    it("admits the service account's token when the ARN was an Output (IAM engine)", async () => {
        // GIVEN the trust rendered from an Output ARN, without an issuer
        const { roleArn, trustPolicy } = await trustOf("eks-sim", {
            oidcProviderArn: pulumi.output(PROVIDER),
            namespace: "payments",
            serviceAccount: "invoice-worker",
        });
        const at = new Date().toISOString();
        // THEN the engine admits the pod's token and refuses another service account's
        assert.strictEqual(
            await decideWebIdentity(trustPolicy, {
                providerArn: PROVIDER,
                roleArn,
                claims: { sub: "system:serviceaccount:payments:invoice-worker", aud: "sts.amazonaws.com" },
                at,
            }),
            "Allowed",
        );
        assert.notStrictEqual(
            await decideWebIdentity(trustPolicy, {
                providerArn: PROVIDER,
                roleArn,
                claims: { sub: "system:serviceaccount:payments:other", aud: "sts.amazonaws.com" },
                at,
            }),
            "Allowed",
        );
    });

    it("reports an Output issuer that is not the provider's when it resolves, with the construction-time message", async () => {
        // GIVEN an issuer Output of another cluster
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("eks-mismatch", {
                    ...OWNERSHIP,
                    trust: {
                        eksServiceAccount: {
                            oidcProviderArn: PROVIDER,
                            oidcIssuer: pulumi.output("https://oidc.eks.us-east-1.amazonaws.com/id/OTHER"),
                            namespace: "payments",
                            serviceAccount: "invoice-worker",
                        },
                    },
                    grants: [],
                }),
        );
        // THEN the trust policy fails to resolve with the message a plain mismatch gets
        await assert.rejects(valueOf(value.trustPolicy), (e: any) => {
            assert.deepStrictEqual(e.errors, [
                {
                    propertyPath: "trust.eksServiceAccount.oidcProviderArn",
                    reason: `\`trust.eksServiceAccount.oidcProviderArn\` is the provider for \`${HOST}\`, but this trust needs the provider for \`oidc.eks.us-east-1.amazonaws.com/id/OTHER\`.`,
                },
            ]);
            return true;
        });
        await (pulumi.runtime as any).waitForRPCs().catch(() => undefined);
        require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
    });
});
