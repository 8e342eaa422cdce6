import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    CONTRACT_ENDS,
    GRACE_DAYS,
    ROTATE_EVERY_DAYS,
    VendorAccessKey,
    vendorAccessKey,
} from "../../examples/vendor-access-key/program";
import { MOCK_ACCOUNT, Registered, capture, ofType, valueOf } from "../support/mock-graph";
import { Decision, decideIdentity, decideTrust, expectDecisions, shiftDays } from "../support/iam-simulator";

describe("examples/vendor-access-key", function () {
    this.timeout(60_000);
    const BEFORE = { "aws:CurrentTime": shiftDays(CONTRACT_ENDS, -30) };
    const AFTER = { "aws:CurrentTime": shiftDays(CONTRACT_ENDS, 1) };
    let example: VendorAccessKey;
    let resources: Registered[];

    before(async () => {
        ({ value: example, resources } = await capture(vendorAccessKey));
    });

    it("declares Acme's user and its rotating key, and no key anywhere", () => {
        // GIVEN the example program WHEN it runs under the mocks
        // THEN the user, its policy, the secret, its rotation, the rotation function, the daily check
        // and the quarantine at expiry are children of the identity
        const children = resources
            .filter((r) => r.parentType === "nhi:aws:AccessKeyIdentity")
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.deepStrictEqual(children, [
            "aws:cloudwatch/eventRule:EventRule acme-upload-leak",
            "aws:cloudwatch/eventTarget:EventTarget acme-upload-leak",
            "aws:cloudwatch/logGroup:LogGroup acme-upload-rotator-logs",
            "aws:iam/role:Role acme-upload-expiry-role",
            "aws:iam/rolePolicy:RolePolicy acme-upload-expiry-policy",
            "aws:iam/user:User acme-upload-user",
            "aws:iam/userPolicy:UserPolicy acme-upload-policy",
            "aws:lambda/function:Function acme-upload-rotator",
            "aws:lambda/permission:Permission acme-upload-leak-invoke",
            "aws:lambda/permission:Permission acme-upload-rotator-invoke",
            "aws:scheduler/schedule:Schedule acme-upload-expiry",
            "aws:scheduler/schedule:Schedule acme-upload-retire",
            "aws:secretsmanager/secret:Secret acme-upload-secret",
            "aws:secretsmanager/secretRotation:SecretRotation acme-upload-rotation",
            "nhi:aws:ServiceIdentity acme-upload-retire",
            "nhi:aws:ServiceIdentity acme-upload-rotator",
        ]);
        const [rotation] = ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation");
        assert.deepStrictEqual(rotation.inputs.rotationRules, { automaticallyAfterDays: ROTATE_EVERY_DAYS });
        assert.strictEqual(
            ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.tags["nhi:grace-days"],
            String(GRACE_DAYS),
        );
        // AND no access key, secret version or random value is declared
        assert.deepStrictEqual(
            resources.filter((r) => /accessKey|secretVersion|^random:/.test(r.type)),
            [],
        );
    });

    it("lets Acme's key upload invoices until the contract ends, and nothing else", async () => {
        const [userArn, documents, bucket] = await Promise.all([
            valueOf(example.acme.userArn),
            valueOf(example.acme.policyDocuments),
            valueOf(example.exchange.bucket),
        ]);
        const at =
            (action: string, key: string, context = BEFORE) =>
            () =>
                decideIdentity(userArn, documents, action, `arn:aws:s3:::${bucket}/${key}`, context);
        await expectDecisions([
            { what: "PutObject invoices/", expected: "Allowed", decide: at("s3:PutObject", "invoices/2026/a.pdf") },
            {
                what: "PutObject invoices/ after the contract",
                expected: "Denied",
                decide: at("s3:PutObject", "invoices/2026/a.pdf", AFTER),
            },
            { what: "PutObject elsewhere", expected: "Denied", decide: at("s3:PutObject", "reports/a.pdf") },
            { what: "GetObject invoices/", expected: "Denied", decide: at("s3:GetObject", "invoices/2026/a.pdf") },
            {
                what: "DeleteObject invoices/",
                expected: "Denied",
                decide: at("s3:DeleteObject", "invoices/2026/a.pdf"),
            },
        ]);
    });

    it("lets the handover function, and nobody else, read the key", async () => {
        const [secretArn, handoverArn] = await Promise.all([
            valueOf(example.acme.keySecretArn),
            valueOf(example.handover.roleArn),
        ]);
        const policy = ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.policy;
        const ask =
            (principal: string, action = "secretsmanager:GetSecretValue"): (() => Promise<Decision>) =>
            () =>
                decideTrust(policy, { principal, roleArn: secretArn, action });
        await expectDecisions([
            { what: "handover reads", expected: "Allowed", decide: ask(handoverArn) },
            { what: "handover writes", expected: "Denied", decide: ask(handoverArn, "secretsmanager:PutSecretValue") },
            {
                what: "another role reads",
                expected: "Denied",
                decide: ask(`arn:aws:iam::${MOCK_ACCOUNT}:role/someone`),
            },
        ]);
    });

    it("index.ts exports the bucket, the user, the key's secret, the expiry and the handover role, none of them the key", async () => {
        const { value: module } = await capture(
            () => require("../../examples/vendor-access-key/index") as Record<string, unknown>,
        );
        const exported: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(module)) {
            exported[key] = pulumi.Output.isInstance(value) ? await valueOf(value) : value;
        }
        assert.deepStrictEqual(exported, {
            exchangeBucket: "acme-exchange-1a2b3c4",
            acmeUserName: "acme-upload-user-1a2b3c4",
            acmeKeySecretArn: `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:acme-upload-secret-1a2b3c4-AbCdEf`,
            acmeExpiresAt: CONTRACT_ENDS,
            handoverRoleArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/acme-key-handover-role-1a2b3c4`,
        });
    });
});
