import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { ACTIONS } from "../../components/runtime/aws/rotate-secret";
import { capture, MOCK_ACCOUNT, ofType, Registered, valueOf } from "../support/mock-graph";
import { decideIdentity, decideTrust, expectDecisions, ExpectedDecision, grantedPairs } from "../support/iam-simulator";

const TYPE = "nhi:aws:RotatingSecret";
const OWNERSHIP = { owner: "team-payments", purpose: "Signs webhooks between checkout and ledger" };
const REGION_ARN = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}`;
const OTHER_SECRET = `${REGION_ARN}:secret:other-XyZ123`;
const READER = `arn:aws:iam::${MOCK_ACCOUNT}:role/ledger`;
const STRANGER = `arn:aws:iam::${MOCK_ACCOUNT}:role/stranger`;
const KEY = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000001`;
/** AWS's default key policy: the account's IAM policies decide who may use the key. */
const DEFAULT_KEY_POLICY = {
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    ],
};

function summary(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name} <- ${r.parentType ?? "(stack)"}`).sort();
}

/** The resource policy of `secret` decides `action` on it for `principal`. */
function asReader(policy: string, principal: string, action: string, secretArn: string): () => Promise<any> {
    return () => decideTrust(policy, { principal, roleArn: secretArn, action });
}

describe("aws.RotatingSecret", function () {
    this.timeout(60_000);

    it("loads without the AWS SDK for JavaScript, which a stack does not install (only Lambda provides it)", () => {
        // GIVEN a fresh process in which no `@aws-sdk/*` package can be found
        const script = [
            "const Module = require('module');",
            "const resolve = Module._resolveFilename;",
            "Module._resolveFilename = function (request, ...rest) { if (request.startsWith('@aws-sdk/')) { throw Object.assign(new Error('blocked ' + request), { code: 'MODULE_NOT_FOUND' }); } return resolve.call(this, request, ...rest); };",
            "const nhi = require('./components');",
            "console.log(typeof nhi.aws.RotatingSecret, typeof nhi.aws.SecretRotator);",
        ].join("\n");
        // WHEN it loads the components
        const printed = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: path.resolve(__dirname, "../.."),
            encoding: "utf8",
        });
        // THEN both load: the tags and actions they share with the function come from an SDK-free module
        assert.strictEqual(printed.trim(), "function function");
    });

    describe("with a rotation function of its own (the default)", () => {
        async function declare() {
            return capture(() => {
                const ledger = new aws.ServiceIdentity("ledger-app", {
                    ...OWNERSHIP,
                    trust: { service: { principal: "ecs-tasks.amazonaws.com" } },
                    grants: [],
                });
                const secret = new aws.RotatingSecret("webhook", {
                    ...OWNERSHIP,
                    rotateEveryDays: 30,
                    readers: [READER, ledger],
                });
                return { secret, ledger };
            });
        }

        it("declares the secret, its rotation and its own function under the component, and nothing that holds a value", async () => {
            // GIVEN a webhook secret read by a role ARN and a ServiceIdentity
            const { resources } = await declare();
            // THEN the component has exactly these children (the identity's under the identity)
            assert.deepStrictEqual(
                summary(resources.filter((r) => !r.name.startsWith("ledger-app"))),
                [
                    `${TYPE} webhook <- (stack)`,
                    `aws:cloudwatch/logGroup:LogGroup webhook-rotator-logs <- ${TYPE}`,
                    "aws:iam/role:Role webhook-rotator-role <- nhi:aws:ServiceIdentity",
                    "aws:iam/rolePolicy:RolePolicy webhook-rotator-policy <- nhi:aws:ServiceIdentity",
                    `aws:lambda/function:Function webhook-rotator <- ${TYPE}`,
                    `aws:lambda/permission:Permission webhook-rotator-invoke <- ${TYPE}`,
                    `aws:secretsmanager/secret:Secret webhook-secret <- ${TYPE}`,
                    `aws:secretsmanager/secretRotation:SecretRotation webhook-rotation <- ${TYPE}`,
                    `nhi:aws:ServiceIdentity webhook-rotator <- ${TYPE}`,
                ].sort(),
            );
            // AND no secret version, random value or access key anywhere, and no input carries a value
            assert.deepStrictEqual(
                resources.filter((r) => /secretVersion|random|accessKey/i.test(r.type)),
                [],
            );
            const keys = resources.flatMap((r) => Object.keys(r.inputs));
            for (const field of ["secretString", "secretBinary", "result", "value"]) {
                assert.ok(!keys.includes(field), `an input named ${field}`);
            }
        });

        it("declares the secret with its ownership and value tags, a 30-day recovery window, and its readers", async () => {
            const { resources, value } = await declare();
            const secret = ofType(resources, "aws:secretsmanager/secret:Secret")[0];
            // THEN the tags record the owner and tell the function what to generate
            assert.deepStrictEqual(secret.inputs.tags, {
                "nhi:managed-by": "pulumi-nhi",
                "nhi:owner": "team-payments",
                "nhi:purpose": "Signs webhooks between checkout and ledger",
                "nhi:value-format": "alphanumeric",
                "nhi:value-length": "32",
            });
            // AND deleting it leaves the value recoverable for 30 days
            assert.strictEqual(secret.inputs.recoveryWindowInDays, 30);
            assert.strictEqual(secret.inputs.kmsKeyId, undefined);
            assert.strictEqual(
                secret.inputs.description,
                "Signs webhooks between checkout and ledger (owner: team-payments). Generated and rotated every 30 days by pulumi-nhi; read AWSCURRENT, accept AWSCURRENT or AWSPREVIOUS.",
            );
            // AND both readers are in the resource policy, the identity by its role ARN
            const ledgerRole = await valueOf(value.ledger.roleArn);
            assert.deepStrictEqual(JSON.parse(secret.inputs.policy).Statement[0].Principal, {
                AWS: [ledgerRole, READER].sort(),
            });
            // AND the component exposes the secret and its rotator, without outputs of its own
            assert.strictEqual(
                await valueOf(value.secret.secretArn),
                `${REGION_ARN}:secret:webhook-secret-1a2b3c4-AbCdEf`,
            );
            assert.strictEqual(await valueOf(value.secret.secretName), "webhook-secret-1a2b3c4");
            assert.strictEqual(value.secret.rotateEveryDays, 30);
            assert.deepStrictEqual(value.secret.readerArns.length, 2);
            assert.strictEqual(value.secret.rotator.mode, "per-secret");
            assert.strictEqual(value.secret.rotator.rotatorId, undefined);
            assert.strictEqual(
                await valueOf(value.secret.rotator.functionArn),
                `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:webhook-rotator-1a2b3c4`,
            );
        });

        it("rotates at once at creation, then every `rotateEveryDays`, with the function on Node.js 24", async () => {
            const { resources, value } = await declare();
            const rotation = ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation")[0];
            assert.deepStrictEqual(rotation.inputs, {
                secretId: "webhook-secret-id",
                rotationLambdaArn: await valueOf(value.secret.rotator.functionArn),
                rotationRules: { automaticallyAfterDays: 30 },
                rotateImmediately: true,
            });
            const fn = ofType(resources, "aws:lambda/function:Function")[0];
            assert.deepStrictEqual([fn.inputs.runtime, fn.inputs.handler], ["nodejs24.x", "aws/rotate-secret.handler"]);
            // AND only Secrets Manager may invoke the function, for this secret only
            const permission = ofType(resources, "aws:lambda/permission:Permission")[0];
            assert.deepStrictEqual(
                [permission.inputs.principal, permission.inputs.sourceArn, permission.inputs.sourceAccount],
                ["secretsmanager.amazonaws.com", await valueOf(value.secret.secretArn), undefined],
            );
        });

        it("readers may read and describe this secret, and nothing more (IAM engine)", async () => {
            const { resources, value } = await declare();
            const policy = ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.policy;
            const arn = await valueOf(value.secret.secretArn);
            const ledgerRole = await valueOf(value.ledger.roleArn);
            await expectDecisions([
                ...[READER, ledgerRole].flatMap((p): ExpectedDecision[] => [
                    {
                        what: `${p} GetSecretValue`,
                        expected: "Allowed",
                        decide: asReader(policy, p, "secretsmanager:GetSecretValue", arn),
                    },
                    {
                        what: `${p} DescribeSecret`,
                        expected: "Allowed",
                        decide: asReader(policy, p, "secretsmanager:DescribeSecret", arn),
                    },
                    {
                        what: `${p} PutSecretValue`,
                        expected: "Denied",
                        decide: asReader(policy, p, "secretsmanager:PutSecretValue", arn),
                    },
                    {
                        what: `${p} UpdateSecretVersionStage`,
                        expected: "Denied",
                        decide: asReader(policy, p, "secretsmanager:UpdateSecretVersionStage", arn),
                    },
                    {
                        what: `${p} RotateSecret`,
                        expected: "Denied",
                        decide: asReader(policy, p, "secretsmanager:RotateSecret", arn),
                    },
                    {
                        what: `${p} DeleteSecret`,
                        expected: "Denied",
                        decide: asReader(policy, p, "secretsmanager:DeleteSecret", arn),
                    },
                    // Another secret does not carry this policy: nothing allows the reader there.
                    {
                        what: `${p} GetSecretValue on another secret`,
                        expected: "Denied",
                        decide: () => decideIdentity(p, [], "secretsmanager:GetSecretValue", OTHER_SECRET),
                    },
                ]),
                {
                    what: "a principal not listed",
                    expected: "Denied",
                    decide: asReader(policy, STRANGER, "secretsmanager:GetSecretValue", arn),
                },
            ]);
        });

        it("its function may do exactly ACTIONS on this secret, and write its own logs (IAM engine)", async () => {
            const { resources, value } = await declare();
            const arn = await valueOf(value.secret.secretArn);
            const role = ofType(resources, "aws:iam/role:Role").find((r) => r.name === "webhook-rotator-role")!;
            const roleArn = await valueOf(value.secret.rotator.roleArn);
            const documents = ofType(resources, "aws:iam/rolePolicy:RolePolicy")
                .filter((p) => p.name === "webhook-rotator-policy")
                .map((p) => p.inputs.policy);
            const group = `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/webhook-rotator-1a2b3c4`;
            // THEN the trust is Lambda's and the policy names exactly these pairs
            assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
                Service: "lambda.amazonaws.com",
            });
            assert.deepStrictEqual(
                grantedPairs(documents)
                    .map((g) => `${g.action} ${g.resource}`)
                    .sort(),
                [
                    `logs:CreateLogStream ${group}:*`,
                    `logs:PutLogEvents ${group}:*`,
                    ...ACTIONS.secretsmanager.map((a) => `${a} ${arn}`),
                ].sort(),
            );
            // AND the engine allows those on this secret and nothing on another, nor tagging or deleting
            await expectDecisions([
                ...ACTIONS.secretsmanager.flatMap((a): ExpectedDecision[] => [
                    { what: `${a} own`, expected: "Allowed", decide: () => decideIdentity(roleArn, documents, a, arn) },
                    {
                        what: `${a} other`,
                        expected: "Denied",
                        decide: () => decideIdentity(roleArn, documents, a, OTHER_SECRET),
                    },
                ]),
                ...["TagResource", "UntagResource", "DeleteSecret", "RotateSecret", "PutResourcePolicy"].map(
                    (a): ExpectedDecision => ({
                        what: `${a} own`,
                        expected: "Denied",
                        decide: () => decideIdentity(roleArn, documents, `secretsmanager:${a}`, arn),
                    }),
                ),
            ]);
        });
    });

    it("`value`, `recoveryWindowInDays` and `tags` reach the secret's tags and inputs", async () => {
        const { resources } = await capture(
            () =>
                new aws.RotatingSecret("api-token", {
                    ...OWNERSHIP,
                    rotateEveryDays: 7,
                    value: { length: 64, format: "hex" },
                    recoveryWindowInDays: 7,
                    tags: { env: "prod" },
                }),
        );
        const secret = ofType(resources, "aws:secretsmanager/secret:Secret")[0];
        assert.strictEqual(secret.inputs.tags["nhi:value-length"], "64");
        assert.strictEqual(secret.inputs.tags["nhi:value-format"], "hex");
        assert.strictEqual(secret.inputs.tags.env, "prod");
        assert.strictEqual(secret.inputs.recoveryWindowInDays, 7);
        assert.strictEqual(secret.inputs.policy, "{}");
        assert.deepStrictEqual(
            ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation")[0].inputs.rotationRules,
            { automaticallyAfterDays: 7 },
        );
        assert.strictEqual(ofType(resources, "aws:lambda/function:Function")[0].inputs.tags.env, "prod");
    });

    it("with `kmsKeyArn`, encrypts with the key and lets its function use that key only", async () => {
        const { resources, value } = await capture(
            () =>
                new aws.RotatingSecret("kms-secret", {
                    ...OWNERSHIP,
                    rotateEveryDays: 30,
                    kmsKeyArn: pulumi.output(KEY),
                }),
        );
        assert.strictEqual(ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.kmsKeyId, KEY);
        const roleArn = await valueOf(value.rotator.roleArn);
        const documents = ofType(resources, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy);
        const otherKey = KEY.replace(/1$/, "2");
        // A KMS request needs the key policy too: AWS's default one delegates to the account's IAM policies.
        const onKey = (action: string, key: string, via?: string) => () =>
            decideTrust(DEFAULT_KEY_POLICY, {
                principal: roleArn,
                roleArn: key,
                action,
                callerPolicies: documents,
                context: via === undefined ? {} : { "kms:ViaService": via },
            });
        const SM = "secretsmanager.us-east-1.amazonaws.com";
        // THEN the function may use its key through Secrets Manager only
        await expectDecisions([
            ...["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"].flatMap((a): ExpectedDecision[] => [
                { what: `${a} own key via Secrets Manager`, expected: "Allowed", decide: onKey(a, KEY, SM) },
                { what: `${a} own key directly`, expected: "Denied", decide: onKey(a, KEY) },
                {
                    what: `${a} own key via S3`,
                    expected: "Denied",
                    decide: onKey(a, KEY, "s3.us-east-1.amazonaws.com"),
                },
                { what: `${a} other key via Secrets Manager`, expected: "Denied", decide: onKey(a, otherKey, SM) },
            ]),
            {
                what: "kms:Encrypt own key via Secrets Manager",
                expected: "Denied",
                decide: onKey("kms:Encrypt", KEY, SM),
            },
            {
                what: "kms:Decrypt own key without the key policy",
                expected: "Denied",
                decide: () => decideIdentity(roleArn, documents, "kms:Decrypt", KEY, { "kms:ViaService": SM }),
            },
        ]);
    });

    it("the README's example: a webhook secret read by two identities, and the read granted in an identity instead", async () => {
        // GIVEN the README's program, plus a third identity that grants itself the read
        const { value, resources } = await capture(() => {
            const checkout = new aws.ServiceIdentity("checkout", {
                owner: "team-payments",
                purpose: "Checkout API",
                grants: [],
                trust: { service: { principal: "ecs-tasks.amazonaws.com" } },
            });
            const ledger = new aws.ServiceIdentity("ledger", {
                owner: "team-payments",
                purpose: "Ledger webhook receiver",
                grants: [],
                trust: { service: { principal: "ecs-tasks.amazonaws.com" } },
            });
            const webhookSecret = new aws.RotatingSecret("webhook-signing", {
                owner: "team-payments",
                purpose: "Signs webhooks from checkout to ledger",
                rotateEveryDays: 30,
                value: { length: 64, format: "hex" },
                readers: [checkout, ledger],
            });
            const auditor = new aws.ServiceIdentity("auditor", {
                owner: "team-security",
                purpose: "Checks the webhook secret",
                trust: { service: { principal: "lambda.amazonaws.com" } },
                grants: [
                    {
                        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                        resources: [webhookSecret.secretArn],
                    },
                ],
            });
            return { checkout, ledger, webhookSecret, auditor };
        });
        const arn = await valueOf(value.webhookSecret.secretArn);
        const policy = ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.policy;
        const [checkout, ledger, auditor] = await Promise.all(
            [value.checkout, value.ledger, value.auditor].map((i) => valueOf(i.roleArn)),
        );
        const auditorDocuments = await valueOf(value.auditor.policyDocuments);
        // THEN both readers may read it through its policy, and the auditor through its own grant
        await expectDecisions([
            {
                what: "checkout reads",
                expected: "Allowed",
                decide: asReader(policy, checkout, "secretsmanager:GetSecretValue", arn),
            },
            {
                what: "ledger reads",
                expected: "Allowed",
                decide: asReader(policy, ledger, "secretsmanager:GetSecretValue", arn),
            },
            {
                what: "auditor reads by its grant",
                expected: "Allowed",
                decide: () => decideIdentity(auditor, auditorDocuments, "secretsmanager:GetSecretValue", arn),
            },
            {
                what: "auditor reads another secret",
                expected: "Denied",
                decide: () => decideIdentity(auditor, auditorDocuments, "secretsmanager:GetSecretValue", OTHER_SECRET),
            },
            {
                what: "auditor writes",
                expected: "Denied",
                decide: () => decideIdentity(auditor, auditorDocuments, "secretsmanager:PutSecretValue", arn),
            },
        ]);
        assert.deepStrictEqual(
            ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.tags["nhi:value-length"],
            "64",
        );
    });

    describe("with a shared aws.SecretRotator", () => {
        async function declare() {
            return capture(() => {
                const rotator = new aws.SecretRotator("shared", {
                    owner: "team-platform",
                    purpose: "Rotates the generated secrets of this account",
                });
                const a = new aws.RotatingSecret("webhook-a", { ...OWNERSHIP, rotateEveryDays: 30, rotator });
                const b = new aws.RotatingSecret("webhook-b", { ...OWNERSHIP, rotateEveryDays: 90, rotator });
                return { rotator, a, b };
            });
        }

        it("declares one function for all, and two resources per secret", async () => {
            const { resources, value } = await declare();
            assert.deepStrictEqual(
                summary(resources),
                [
                    "aws:cloudwatch/logGroup:LogGroup shared-logs <- nhi:aws:SecretRotator",
                    "aws:iam/role:Role shared-role <- nhi:aws:ServiceIdentity",
                    "aws:iam/rolePolicy:RolePolicy shared-policy <- nhi:aws:ServiceIdentity",
                    "aws:lambda/function:Function shared <- nhi:aws:SecretRotator",
                    "aws:lambda/permission:Permission shared-invoke <- nhi:aws:SecretRotator",
                    "nhi:aws:SecretRotator shared <- (stack)",
                    "nhi:aws:ServiceIdentity shared <- nhi:aws:SecretRotator",
                    ...["webhook-a", "webhook-b"].flatMap((n) => [
                        `${TYPE} ${n} <- (stack)`,
                        `aws:secretsmanager/secret:Secret ${n}-secret <- ${TYPE}`,
                        `aws:secretsmanager/secretRotation:SecretRotation ${n}-rotation <- ${TYPE}`,
                    ]),
                ].sort(),
            );
            // AND each secret is tagged for the rotator, whose id names the project, stack and rotator
            assert.strictEqual(value.rotator.rotatorId, "nhi/test/shared");
            for (const secret of ofType(resources, "aws:secretsmanager/secret:Secret")) {
                assert.strictEqual(secret.inputs.tags["nhi:rotator"], "nhi/test/shared");
            }
            // AND both rotations use the shared function; Secrets Manager may invoke it for the account's secrets
            const fnArn = await valueOf(value.rotator.functionArn);
            assert.deepStrictEqual(
                ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation").map((r) => [
                    r.inputs.rotationLambdaArn,
                    r.inputs.rotationRules.automaticallyAfterDays,
                ]),
                [
                    [fnArn, 30],
                    [fnArn, 90],
                ],
            );
            const permission = ofType(resources, "aws:lambda/permission:Permission")[0];
            assert.deepStrictEqual(
                [permission.inputs.principal, permission.inputs.sourceAccount, permission.inputs.sourceArn],
                ["secretsmanager.amazonaws.com", MOCK_ACCOUNT, undefined],
            );
            assert.strictEqual(value.a.rotator.mode, "shared");
            assert.strictEqual(value.a.rotator.rotatorId, "nhi/test/shared");
            assert.strictEqual(await valueOf(value.a.rotator.functionArn), fnArn);
        });

        it("the rotator may do exactly ACTIONS on secrets tagged for it, nothing on others, and never change tags (IAM engine)", async () => {
            const { resources, value } = await declare();
            const roleArn = await valueOf(value.rotator.roleArn);
            const documents = ofType(resources, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy);
            const secretA = await valueOf(value.a.secretArn);
            const tagged = (id: string | undefined): Record<string, string> =>
                id === undefined ? {} : { "aws:ResourceTag/nhi:rotator": id };
            const at = (action: string, arn: string, id: string | undefined) => () =>
                decideIdentity(roleArn, documents, action, arn, tagged(id));
            await expectDecisions([
                ...ACTIONS.secretsmanager.flatMap((a): ExpectedDecision[] => [
                    {
                        what: `${a} on a secret tagged for it`,
                        expected: "Allowed",
                        decide: at(a, secretA, "nhi/test/shared"),
                    },
                    {
                        what: `${a} on another secret tagged for it`,
                        expected: "Allowed",
                        decide: at(a, OTHER_SECRET, "nhi/test/shared"),
                    },
                    { what: `${a} on an untagged secret`, expected: "Denied", decide: at(a, OTHER_SECRET, undefined) },
                    {
                        what: `${a} on a secret of another rotator`,
                        expected: "Denied",
                        decide: at(a, OTHER_SECRET, "nhi/test/other"),
                    },
                    {
                        what: `${a} on a tagged secret of another region`,
                        expected: "Denied",
                        decide: at(a, OTHER_SECRET.replace("us-east-1", "eu-west-1"), "nhi/test/shared"),
                    },
                ]),
                ...["TagResource", "UntagResource", "DeleteSecret", "PutResourcePolicy"].map((a): ExpectedDecision => ({
                    what: `${a} on a tagged secret`,
                    expected: "Denied",
                    decide: at(`secretsmanager:${a}`, secretA, "nhi/test/shared"),
                })),
            ]);
        });

        it("with a customer managed key, the rotator holds the key and a secret names one of its keys", async () => {
            const { resources } = await capture(() => {
                const rotator = new aws.SecretRotator("shared-kms", {
                    owner: "team-platform",
                    purpose: "Rotates encrypted secrets",
                    kmsKeyArns: [KEY],
                });
                new aws.RotatingSecret("enc", { ...OWNERSHIP, rotateEveryDays: 30, rotator, kmsKeyArn: KEY });
            });
            const documents = ofType(resources, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy);
            assert.deepStrictEqual(
                grantedPairs(documents)
                    .filter((g) => g.action.startsWith("kms:"))
                    .map((g) => `${g.action} ${g.resource}`),
                ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"].map((a) => `${a} ${KEY}`),
            );
            assert.strictEqual(ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.kmsKeyId, KEY);
        });
    });
});
