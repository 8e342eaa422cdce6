import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ACTIONS as SECRET_ACTIONS } from "../../components/runtime/aws/rotate-secret";
import {
    declareRotationFunction,
    ROTATION_LOG_RETENTION_DAYS,
    ROTATION_RUNTIME,
} from "../../components/aws/rotation-function";
import { runtimeArchive } from "../../components/core/runtime-asset";
import { declareRotatedSecret, renderReaderPolicy } from "../../components/aws/rotated-secret";
import { capture, MOCK_ACCOUNT, ofType, Registered, valueOf } from "../support/mock-graph";
import { decideIdentity, expectDecisions, grantedPairs } from "../support/iam-simulator";

const SECRET = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:webhook-AbCdEf`;
const OWNERSHIP = { owner: "team-payments", purpose: "Rotates the webhook secret" };

class Parent extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Parent", name, {}, {});
    }
}

function summary(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name} <- ${r.parentType ?? "(stack)"}`);
}

describe("declareRotationFunction: the one builder of a rotation Lambda", function () {
    this.timeout(60_000);

    it("declares the log group, the identity, the function and Secrets Manager's invoke permission under the parent", async () => {
        // GIVEN a per-secret function for one secret
        const { value, resources } = await capture(() => {
            const parent = new Parent("p1");
            return declareRotationFunction(parent, "p1-rotator", {
                entry: "aws/rotate-secret",
                ...OWNERSHIP,
                grants: [{ actions: [...SECRET_ACTIONS.secretsmanager], resources: [SECRET] }],
                invokedBy: { secretArn: SECRET },
            });
        });
        // THEN exactly these children, each under the parent (the role and its policy under the identity)
        assert.deepStrictEqual(
            summary(resources).sort(),
            [
                "test:index:Parent p1 <- (stack)",
                "aws:cloudwatch/logGroup:LogGroup p1-rotator-logs <- test:index:Parent",
                "nhi:aws:ServiceIdentity p1-rotator <- test:index:Parent",
                "aws:lambda/function:Function p1-rotator <- test:index:Parent",
                "aws:iam/role:Role p1-rotator-role <- nhi:aws:ServiceIdentity",
                "aws:iam/rolePolicy:RolePolicy p1-rotator-policy <- nhi:aws:ServiceIdentity",
                "aws:lambda/permission:Permission p1-rotator-invoke <- test:index:Parent",
            ].sort(),
        );
        const group = ofType(resources, "aws:cloudwatch/logGroup:LogGroup")[0];
        const fn = ofType(resources, "aws:lambda/function:Function")[0];
        const permission = ofType(resources, "aws:lambda/permission:Permission")[0];
        // AND the log group is the function's own, kept a year
        assert.strictEqual(group.inputs.namePrefix, "/aws/lambda/p1-rotator-");
        assert.strictEqual(group.inputs.retentionInDays, ROTATION_LOG_RETENTION_DAYS);
        // AND the function runs the entry on Node.js 24 with the role, small and with room for backoff
        assert.strictEqual(fn.inputs.runtime, "nodejs24.x");
        assert.strictEqual(ROTATION_RUNTIME, "nodejs24.x");
        assert.strictEqual(fn.inputs.handler, "aws/rotate-secret.handler");
        assert.strictEqual(fn.inputs.memorySize, 128);
        assert.strictEqual(fn.inputs.timeout, 60);
        assert.strictEqual(fn.inputs.role, `arn:aws:iam::${MOCK_ACCOUNT}:role/p1-rotator-role-1a2b3c4`);
        assert.deepStrictEqual(fn.inputs.loggingConfig, {
            logFormat: "Text",
            logGroup: "/aws/lambda/p1-rotator-1a2b3c4",
        });
        assert.deepStrictEqual(fn.inputs.tags, {
            "nhi:managed-by": "pulumi-nhi",
            "nhi:owner": "team-payments",
            "nhi:purpose": "Rotates the webhook secret",
        });
        // AND only Secrets Manager may invoke it, for this one secret
        assert.deepStrictEqual(permission.inputs, {
            action: "lambda:InvokeFunction",
            function: "p1-rotator-1a2b3c4",
            principal: "secretsmanager.amazonaws.com",
            sourceArn: SECRET,
        });
        assert.strictEqual(
            await valueOf(value.functionArn),
            `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:p1-rotator-1a2b3c4`,
        );
    });

    it("the function's archive holds the compiled entry and the runtime files it requires, nothing else, made once", async () => {
        // GIVEN the archive of each entry
        for (const [entry, expected] of [
            [
                "aws/rotate-secret",
                ["aws/contract.js", "aws/retry.js", "aws/rotate-secret.js", "aws/rotation.js", "value.js"],
            ],
            [
                "aws/rotate-access-key",
                ["aws/access-key-contract.js", "aws/retry.js", "aws/rotate-access-key.js", "aws/rotation.js"],
            ],
        ] as const) {
            const archive = runtimeArchive(entry);
            const assets = await archive.assets;
            // THEN it holds exactly the entry's files, as JavaScript, and is the same object every time
            assert.deepStrictEqual(Object.keys(assets).sort(), expected);
            const text = await (assets[`${entry}.js`] as pulumi.asset.StringAsset).text;
            assert.match(text, /exports\.handler = handler/);
            assert.doesNotMatch(text, /: Promise<void>/);
            assert.strictEqual(runtimeArchive(entry), archive);
        }
        // AND a declared function's code is an archive
        const { resources } = await capture(() =>
            declareRotationFunction(new Parent("p2"), "p2-rotator", {
                entry: "aws/rotate-secret",
                ...OWNERSHIP,
                grants: [{ actions: [...SECRET_ACTIONS.secretsmanager], resources: [SECRET] }],
                invokedBy: { secretArn: SECRET },
            }),
        );
        assert.strictEqual(ofType(resources, "aws:lambda/function:Function")[0].inputs.code.__pulumiArchive, true);
    });

    it("a shared function is invokable by Secrets Manager for the secrets of one account", async () => {
        const { resources } = await capture(() =>
            declareRotationFunction(new Parent("p3"), "p3-rotator", {
                entry: "aws/rotate-secret",
                ...OWNERSHIP,
                grants: [{ actions: [...SECRET_ACTIONS.secretsmanager], resources: [SECRET] }],
                invokedBy: { sourceAccount: MOCK_ACCOUNT },
            }),
        );
        const permission = ofType(resources, "aws:lambda/permission:Permission")[0];
        assert.deepStrictEqual(permission.inputs, {
            action: "lambda:InvokeFunction",
            function: "p3-rotator-1a2b3c4",
            principal: "secretsmanager.amazonaws.com",
            sourceAccount: MOCK_ACCOUNT,
        });
    });

    it("the function's role may do exactly its grants on its secret, and write only its own logs", async () => {
        // GIVEN a per-secret function whose secret ARN is known at deploy time
        const { value } = await capture(() =>
            declareRotationFunction(new Parent("p4"), "p4-rotator", {
                entry: "aws/rotate-secret",
                ...OWNERSHIP,
                grants: [{ actions: [...SECRET_ACTIONS.secretsmanager], resources: [pulumi.output(SECRET)] }],
                invokedBy: { secretArn: SECRET },
            }),
        );
        const roleArn = await valueOf(value.identity.roleArn);
        const documents = await valueOf(value.identity.policyDocuments);
        const group = `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/p4-rotator-1a2b3c4`;
        // THEN the policy names exactly the four actions on the secret and the two log actions on its group
        assert.deepStrictEqual(
            grantedPairs(documents)
                .map((g) => `${g.action} ${g.resource}`)
                .sort(),
            [
                `logs:CreateLogStream ${group}:*`,
                `logs:PutLogEvents ${group}:*`,
                ...SECRET_ACTIONS.secretsmanager.map((a) => `${a} ${SECRET}`),
            ].sort(),
        );
        // AND the IAM engine allows them, and nothing on another secret
        const other = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:other-XyZ123`;
        await expectDecisions([
            ...SECRET_ACTIONS.secretsmanager.map((a) => ({
                what: `${a} own`,
                expected: "Allowed" as const,
                decide: () => decideIdentity(roleArn, documents, a, SECRET),
            })),
            ...SECRET_ACTIONS.secretsmanager.map((a) => ({
                what: `${a} other`,
                expected: "Denied" as const,
                decide: () => decideIdentity(roleArn, documents, a, other),
            })),
            {
                what: "TagResource own",
                expected: "Denied",
                decide: () => decideIdentity(roleArn, documents, "secretsmanager:TagResource", SECRET),
            },
            {
                what: "DeleteSecret own",
                expected: "Denied",
                decide: () => decideIdentity(roleArn, documents, "secretsmanager:DeleteSecret", SECRET),
            },
            {
                what: "PutLogEvents own",
                expected: "Allowed",
                decide: () => decideIdentity(roleArn, documents, "logs:PutLogEvents", `${group}:log-stream:x`),
            },
        ]);
    });
});

describe("declareRotatedSecret: a secret only its rotation function writes", function () {
    this.timeout(60_000);
    const READER = `arn:aws:iam::${MOCK_ACCOUNT}:role/consumer`;

    it("declares the secret with its readers' policy and a rotation that runs at once", async () => {
        // GIVEN a secret with one reader, rotated every 30 days by its own function
        const { value, resources } = await capture(() => {
            const parent = new Parent("s1");
            return declareRotatedSecret(parent, "s1", {
                description: "Webhook signing secret",
                tags: { "nhi:owner": "team-payments" },
                recoveryWindowInDays: 30,
                readers: [READER],
                rotateEveryDays: 30,
                rotationFunction: (arn) =>
                    declareRotationFunction(parent, "s1-rotator", {
                        entry: "aws/rotate-secret",
                        ...OWNERSHIP,
                        grants: [{ actions: [...SECRET_ACTIONS.secretsmanager], resources: [arn] }],
                        invokedBy: { secretArn: arn },
                    }),
            });
        });
        const secret = ofType(resources, "aws:secretsmanager/secret:Secret")[0];
        const rotation = ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation")[0];
        // THEN the secret and its rotation are children of the parent
        assert.strictEqual(secret.parentType, "test:index:Parent");
        assert.strictEqual(rotation.parentType, "test:index:Parent");
        // AND the secret keeps a deleted value 30 days, names its readers, and carries the tags
        assert.strictEqual(secret.inputs.recoveryWindowInDays, 30);
        assert.deepStrictEqual(JSON.parse(secret.inputs.policy), renderReaderPolicy([READER]));
        assert.deepStrictEqual(secret.inputs.tags, { "nhi:owner": "team-payments" });
        assert.strictEqual(secret.inputs.kmsKeyId, undefined);
        // AND the rotation runs at once, then every 30 days, with the function
        const arn = await valueOf(value.secret.arn);
        assert.deepStrictEqual(rotation.inputs, {
            secretId: "s1-secret-id",
            rotationLambdaArn: await valueOf(value.rotationFunction.functionArn),
            rotationRules: { automaticallyAfterDays: 30 },
            rotateImmediately: true,
        });
        // AND the function was declared for this secret
        assert.strictEqual(ofType(resources, "aws:lambda/permission:Permission")[0].inputs.sourceArn, arn);
        // AND no secret version, random value or access key is declared
        assert.deepStrictEqual(
            resources.filter((r) => /secretVersion|random|accessKey/i.test(r.type)),
            [],
        );
    });

    it('renders the readers\' policy: read and describe this secret, sorted, deduplicated; "{}" without readers', async () => {
        assert.deepStrictEqual(
            renderReaderPolicy([
                "arn:aws:iam::123456789012:role/b",
                "arn:aws:iam::123456789012:role/a",
                "arn:aws:iam::123456789012:role/b",
            ]),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"] },
                        Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                        Resource: ["*"],
                    },
                ],
            },
        );
        const { resources } = await capture(() => {
            const parent = new Parent("s2");
            declareRotatedSecret(parent, "s2", {
                description: "d",
                tags: {},
                recoveryWindowInDays: 7,
                readers: [],
                rotateEveryDays: 1,
                kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
                rotationFunction: (arn) =>
                    declareRotationFunction(parent, "s2-rotator", {
                        entry: "aws/rotate-secret",
                        ...OWNERSHIP,
                        grants: [{ actions: [...SECRET_ACTIONS.secretsmanager], resources: [arn] }],
                        invokedBy: { secretArn: arn },
                    }),
            });
        });
        const secret = ofType(resources, "aws:secretsmanager/secret:Secret")[0];
        assert.strictEqual(secret.inputs.policy, "{}");
        assert.strictEqual(secret.inputs.kmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/k");
        assert.strictEqual(secret.inputs.recoveryWindowInDays, 7);
    });
});
