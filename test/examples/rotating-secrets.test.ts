import * as assert from "assert";
import { randomBytes } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { PARTNERS, rotatingSecrets } from "../../examples/rotating-secrets/program";
import { ACTIONS } from "../../components/runtime/aws/contract";
import { rotate } from "../../components/runtime/aws/rotate-secret";
import { sign, verify } from "../../examples/rotating-secrets/consumer";
import { FakeSecretsManager } from "../support/secrets-manager-fake";
import { MOCK_ACCOUNT, capture, ofType, valueOf } from "../support/mock-graph";
import { decideIdentity, decideTrust, expectDecisions, ExpectedDecision } from "../support/iam-simulator";

describe("examples/rotating-secrets", function () {
    this.timeout(60_000);

    it("declares one function for the webhook secret and one shared by the partner tokens, and no value anywhere", async () => {
        // GIVEN the example run under the mocks
        const { resources, value } = await capture(rotatingSecrets);
        // THEN two functions: the webhook secret's own and the partner rotator
        assert.deepStrictEqual(
            ofType(resources, "aws:lambda/function:Function")
                .map((f) => f.name)
                .sort(),
            ["partner-tokens", "webhook-signing-rotator"],
        );
        // AND three secrets, each rotated at once and then on its period
        assert.deepStrictEqual(
            ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation")
                .map((r) => [r.name, r.inputs.rotationRules.automaticallyAfterDays, r.inputs.rotateImmediately])
                .sort(),
            [...PARTNERS.map((p) => [`${p}-token-rotation`, 90, true]), ["webhook-signing-rotation", 30, true]],
        );
        // AND the tokens carry the rotator's tag
        const tokens = ofType(resources, "aws:secretsmanager/secret:Secret").filter((s) =>
            s.name.endsWith("-token-secret"),
        );
        assert.deepStrictEqual(
            tokens.map((t) => t.inputs.tags["nhi:rotator"]),
            PARTNERS.map(() => value.rotator.rotatorId),
        );
        // AND nothing holds a value
        assert.deepStrictEqual(
            resources.filter((r) => /secretVersion|random|accessKey/i.test(r.type)),
            [],
        );
    });

    it("checkout and ledger may read the webhook secret, the gateway may read the tokens, and nobody crosses over (IAM engine)", async () => {
        const { resources, value } = await capture(rotatingSecrets);
        const policyOf = (name: string) =>
            ofType(resources, "aws:secretsmanager/secret:Secret").find((s) => s.name === `${name}-secret`)!.inputs
                .policy;
        const [checkout, ledger, gateway] = await Promise.all(
            [value.checkout, value.ledger, value.gateway].map((i) => valueOf(i.roleArn)),
        );
        const webhook = await valueOf(value.webhookSecret.secretArn);
        const token = await valueOf(value.tokens[PARTNERS[0]].secretArn);
        const read = (policy: string, principal: string, arn: string) => () =>
            decideTrust(policy, { principal, roleArn: arn, action: "secretsmanager:GetSecretValue" });
        await expectDecisions([
            {
                what: "checkout reads the webhook secret",
                expected: "Allowed",
                decide: read(policyOf("webhook-signing"), checkout, webhook),
            },
            {
                what: "ledger reads the webhook secret",
                expected: "Allowed",
                decide: read(policyOf("webhook-signing"), ledger, webhook),
            },
            {
                what: "gateway reads the webhook secret",
                expected: "Denied",
                decide: read(policyOf("webhook-signing"), gateway, webhook),
            },
            {
                what: "gateway reads a token",
                expected: "Allowed",
                decide: read(policyOf(`${PARTNERS[0]}-token`), gateway, token),
            },
            {
                what: "checkout reads a token",
                expected: "Denied",
                decide: read(policyOf(`${PARTNERS[0]}-token`), checkout, token),
            },
        ]);
        // AND the partner rotator may rotate the tokens, not the webhook secret (untagged)
        const rotatorRole = await valueOf(value.rotator.roleArn);
        const documents = ofType(resources, "aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.name === "partner-tokens-policy")
            .map((p) => p.inputs.policy);
        const tag = { "aws:ResourceTag/nhi:rotator": value.rotator.rotatorId };
        await expectDecisions(
            ACTIONS.secretsmanager.flatMap((a): ExpectedDecision[] => [
                {
                    what: `${a} on a token`,
                    expected: "Allowed",
                    decide: () => decideIdentity(rotatorRole, documents, a, token, tag),
                },
                {
                    what: `${a} on the webhook secret`,
                    expected: "Denied",
                    decide: () => decideIdentity(rotatorRole, documents, a, webhook),
                },
            ]),
        );
    });

    it("index.ts exports the ARNs to read, never a value", async () => {
        const { value: module } = await capture(
            () => require("../../examples/rotating-secrets/index") as Record<string, unknown>,
        );
        const out: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(module)) {
            out[key] = pulumi.Output.isInstance(v) ? await valueOf(v) : v;
        }
        const arnOf = (name: string) =>
            `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:${name}-secret-1a2b3c4-AbCdEf`;
        assert.deepStrictEqual(Object.keys(out).sort(), [
            "partnerRotatorFunctionArn",
            "partnerTokenArns",
            "webhookSecretArn",
        ]);
        assert.strictEqual(out.webhookSecretArn, arnOf("webhook-signing"));
        assert.strictEqual(
            out.partnerRotatorFunctionArn,
            `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:partner-tokens-1a2b3c4`,
        );
        const tokenArns = await valueOf(pulumi.output(out.partnerTokenArns as Record<string, pulumi.Output<string>>));
        assert.deepStrictEqual(tokenArns, Object.fromEntries(PARTNERS.map((p) => [p, arnOf(`${p}-token`)])));
    });

    it("consumer.ts: a signature made before a rotation verifies after it, and not after the next one", async () => {
        // GIVEN the webhook secret in a fake Secrets Manager, rotated by the shipped function
        const fake = new FakeSecretsManager();
        const arn = fake.addSecret("webhook-signing", { "nhi:value-length": "64", "nhi:value-format": "hex" });
        const client = fake.client();
        const deps = { client, sleep: async () => undefined, random: () => 0.5, log: () => undefined, randomBytes };
        const rotation = async (token: string) => {
            fake.startRotation(arn, token);
            for (const step of ["createSecret", "setSecret", "testSecret", "finishSecret"] as const) {
                await rotate({ SecretId: arn, ClientRequestToken: token, Step: step }, deps);
            }
        };
        // WHEN checkout signs before there is a value, THEN it is told to retry
        await assert.rejects(sign(client, arn, "{}"), /has no value yet/);
        await rotation("t1");
        const body = JSON.stringify({ event: "payment.settled", id: "pay_1" });
        const before = await sign(client, arn, body);
        // THEN ledger verifies it now (AWSCURRENT), after one rotation (AWSPREVIOUS), not after two
        assert.strictEqual(await verify(client, arn, body, before), true);
        await rotation("t2");
        assert.strictEqual(await verify(client, arn, body, before), true);
        const after = await sign(client, arn, body);
        assert.notStrictEqual(after, before);
        assert.strictEqual(await verify(client, arn, body, after), true);
        await rotation("t3");
        assert.strictEqual(await verify(client, arn, body, before), false);
        // AND a tampered body or a malformed signature never verifies
        assert.strictEqual(await verify(client, arn, `${body} `, after), false);
        assert.strictEqual(await verify(client, arn, body, "zz"), false);
    });
});
