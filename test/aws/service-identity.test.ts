import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { MAX_INLINE_POLICY_CHARS, MAX_MANAGED_POLICY_CHARS } from "../../components/aws/policy";
import { capture, ofType, Registered, valueOf } from "../../components/testing";

const TYPE = "nhi:aws:ServiceIdentity";
const EXPIRY = "2099-06-30T00:00:00Z";
const OWNERSHIP = { owner: "team-payments", purpose: "Processes invoices" };
const GITHUB_OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const EKS_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const QUEUE = "arn:aws:sqs:us-east-1:123456789012:invoices";
const CONSUME = { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources: [QUEUE] };

function summary(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name} <- ${r.parentType ?? "(stack)"}`);
}

async function declare(name: string, args: aws.AwsServiceIdentityArgs) {
    const { value, resources } = await capture(() => new aws.ServiceIdentity(name, args));
    const role = ofType(resources, "aws:iam/role:Role")[0];
    return {
        identity: value,
        resources,
        role,
        trust: JSON.parse(await valueOf(value.trustPolicy)),
        documents: (await valueOf(value.policyDocuments)).map((d) => JSON.parse(d)),
    };
}

describe("aws.ServiceIdentity resources", () => {
    it("gives a service-trusted identity one role and one inline policy, parented to the component", async () => {
        // GIVEN a Lambda worker that consumes one queue and expires
        const { resources, role, trust, documents, identity } = await declare("worker", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [CONSUME],
            expiresAt: EXPIRY,
        });
        // THEN exactly the component, its role and its inline policy are registered, children under the
        // component, and its quarantine at expiry: the execution role's identity and the schedule
        assert.deepStrictEqual(summary(resources), [
            `${TYPE} worker <- (stack)`,
            `aws:iam/role:Role worker-role <- ${TYPE}`,
            `aws:iam/rolePolicy:RolePolicy worker-policy <- ${TYPE}`,
            `aws:iam/role:Role worker-expiry-role <- ${TYPE}`,
            `aws:iam/rolePolicy:RolePolicy worker-expiry-policy <- ${TYPE}`,
            `aws:scheduler/schedule:Schedule worker-expiry <- ${TYPE}`,
        ]);
        // AND the role carries the ownership tags and a description naming the owner
        assert.deepStrictEqual(role.inputs.tags, {
            "nhi:expires-at": EXPIRY,
            "nhi:managed-by": "pulumi-nhi",
            "nhi:owner": "team-payments",
            "nhi:purpose": "Processes invoices",
        });
        assert.strictEqual(role.inputs.description, "Processes invoices (owner: team-payments)");
        // AND the trust admits Lambda until the expiry
        assert.deepStrictEqual(trust, {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { DateLessThan: { "aws:CurrentTime": EXPIRY } },
                },
            ],
        });
        // AND the inline policy is exactly the grant, with the expiry on the statement
        assert.deepStrictEqual(documents, [
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["sqs:DeleteMessage", "sqs:ReceiveMessage"],
                        Resource: [QUEUE],
                        Condition: { DateLessThan: { "aws:CurrentTime": EXPIRY } },
                    },
                ],
            },
        ]);
        assert.strictEqual(await valueOf(identity.roleArn), "arn:aws:iam::123456789012:role/worker-role-1a2b3c4");
        assert.strictEqual(await valueOf(identity.roleName), "worker-role-1a2b3c4");
        assert.deepStrictEqual(ofType(resources, "aws:iam/rolePolicy:RolePolicy")[0].inputs.role, "worker-role-id");
    });

    it("adds the confused-deputy conditions for a service that sends them", async () => {
        // GIVEN a Step Functions role limited to one account and one state machine
        const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:invoices";
        const { trust, role } = await declare("sfn", {
            ...OWNERSHIP,
            trust: {
                service: { principal: "states.amazonaws.com", sourceAccount: "123456789012", sourceArn: machine },
            },
            grants: [CONSUME],
        });
        // THEN the trust carries both conditions, and no expiry condition or tag without expiresAt
        assert.deepStrictEqual(trust.Statement[0].Condition, {
            ArnLike: { "aws:SourceArn": machine },
            StringEquals: { "aws:SourceAccount": "123456789012" },
        });
        assert.strictEqual(role.inputs.tags["nhi:expires-at"], undefined);
    });

    it("pins a GitHub Actions trust to the exact subjects", async () => {
        // GIVEN a deployer for one repository's environment and main branch, plus an immutable-ID subject
        const { trust, resources } = await declare("deployer", {
            ...OWNERSHIP,
            trust: {
                githubActions: {
                    repository: "acme/payments",
                    environment: "production",
                    ref: "refs/heads/main",
                    oidcProviderArn: GITHUB_OIDC,
                    subjects: ["repo:acme@123456/payments@456789:environment:production"],
                },
            },
            grants: [
                {
                    actions: ["lambda:UpdateFunctionCode"],
                    resources: ["arn:aws:lambda:us-east-1:123456789012:function:payments"],
                },
            ],
        });
        // THEN sub is pinned with StringEquals to exactly those subjects, aud to STS
        assert.deepStrictEqual(trust.Statement, [
            {
                Effect: "Allow",
                Principal: { Federated: GITHUB_OIDC },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": [
                            "repo:acme/payments:environment:production",
                            "repo:acme/payments:ref:refs/heads/main",
                            "repo:acme@123456/payments@456789:environment:production",
                        ],
                    },
                },
            },
        ]);
        assert.deepStrictEqual(
            summary(resources).map((s) => s.split(" ")[0]),
            [TYPE, "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"],
        );
    });

    it("pins an EKS trust to one namespace and service account", async () => {
        const provider = `arn:aws:iam::123456789012:oidc-provider/${EKS_ISSUER}`;
        const { trust } = await declare("irsa", {
            ...OWNERSHIP,
            trust: {
                eksServiceAccount: {
                    oidcProviderArn: provider,
                    oidcIssuer: `https://${EKS_ISSUER}`,
                    namespace: "payments",
                    serviceAccount: "invoice-worker",
                },
            },
            grants: [CONSUME],
            expiresAt: EXPIRY,
        });
        assert.deepStrictEqual(trust.Statement[0], {
            Effect: "Allow",
            Principal: { Federated: provider },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                DateLessThan: { "aws:CurrentTime": EXPIRY },
                StringEquals: {
                    [`${EKS_ISSUER}:aud`]: "sts.amazonaws.com",
                    [`${EKS_ISSUER}:sub`]: "system:serviceaccount:payments:invoice-worker",
                },
            },
        });
    });

    it("requires the external ID of a cross-account trust, resolved from an Output", async () => {
        // GIVEN an external ID that is a secret Output
        const { trust } = await declare("partner", {
            ...OWNERSHIP,
            trust: {
                account: { principalArn: "arn:aws:iam::210987654321:root", externalId: pulumi.secret("partner-7f3a") },
            },
            grants: [CONSUME],
        });
        assert.deepStrictEqual(trust.Statement[0], {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::210987654321:root" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": "partner-7f3a" } },
        });
    });

    it("passes the role options and user tags through", async () => {
        const { role } = await declare("opts", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [CONSUME],
            path: "/payments/",
            maxSessionDuration: 7200,
            permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary",
            tags: { CostCenter: "cc-42" },
        });
        assert.strictEqual(role.inputs.path, "/payments/");
        assert.strictEqual(role.inputs.maxSessionDuration, 7200);
        assert.strictEqual(role.inputs.permissionsBoundary, "arn:aws:iam::123456789012:policy/boundary");
        assert.strictEqual(role.inputs.tags.CostCenter, "cc-42");
        assert.strictEqual(role.inputs.tags["nhi:owner"], "team-payments");
    });

    it("creates no policy for an identity without grants", async () => {
        const { resources, documents } = await declare("bare", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [],
        });
        assert.deepStrictEqual(
            summary(resources).map((s) => s.split(" ")[0]),
            [TYPE, "aws:iam/role:Role"],
        );
        assert.deepStrictEqual(documents, []);
    });

    it("overflows grants beyond the inline policy into attached managed policies", async () => {
        // GIVEN 120 queues, each with its own set of actions (so nothing merges), too many for one
        // 10,000-character inline policy
        const SQS = [
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ListDeadLetterSourceQueues",
            "sqs:ReceiveMessage",
            "sqs:SendMessage",
        ];
        const grants = Array.from({ length: 120 }, (_, i) => ({
            actions: SQS.filter((_, bit) => ((i + 1) >> bit) & 1),
            resources: [
                `arn:aws:sqs:us-east-1:123456789012:queue-with-a-fairly-long-name-${String(i).padStart(3, "0")}`,
            ],
        }));
        const { resources, documents } = await declare("fanout", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants,
        });
        // THEN the inline policy plus managed policies, each attached, each within its limit
        const policies = ofType(resources, "aws:iam/policy:Policy");
        const attachments = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.ok(policies.length >= 1);
        assert.deepStrictEqual(
            policies.map((p) => p.name),
            attachments.map((a) => a.name),
        );
        assert.deepStrictEqual(
            policies.map((p) => p.name),
            policies.map((_, i) => `fanout-policy-${i + 2}`),
        );
        assert.ok(JSON.stringify(documents[0]).length <= MAX_INLINE_POLICY_CHARS);
        for (const d of documents.slice(1)) {
            assert.ok(JSON.stringify(d).length <= MAX_MANAGED_POLICY_CHARS);
        }
        assert.deepStrictEqual(
            policies.map((p) => JSON.parse(p.inputs.policy)),
            documents.slice(1),
        );
        // AND together they grant exactly the 120 grants
        const granted = new Set(
            documents.flatMap((d) =>
                d.Statement.flatMap((s: any) =>
                    s.Action.flatMap((a: string) => s.Resource.map((r: string) => `${a} ${r}`)),
                ),
            ),
        );
        const wanted = new Set(grants.flatMap((g) => g.actions.map((a) => `${a} ${g.resources[0]}`)));
        assert.deepStrictEqual([...granted].sort(), [...wanted].sort());
    });

    it("renders the same documents whatever the order of grants and actions", async () => {
        const consume = { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources: [QUEUE] };
        const read = { service: "s3", access: "read" as const, resources: ["arn:aws:s3:::invoices/incoming/*"] };
        const a = await declare("order-a", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [consume, read],
        });
        const b = await declare("order-b", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [read, { ...consume, actions: [...consume.actions].reverse() }],
        });
        assert.deepStrictEqual(a.documents, b.documents);
    });

    it("expands an access level to the actions of the resource type of each ARN", async () => {
        // GIVEN read access to a bucket and to a prefix of it
        const { documents } = await declare("reader", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [
                {
                    service: "s3",
                    access: "read",
                    resources: ["arn:aws:s3:::invoices", "arn:aws:s3:::invoices/incoming/*"],
                },
            ],
        });
        const [bucket, objects] = [...documents[0].Statement].sort(
            (x: any, y: any) => x.Resource[0].length - y.Resource[0].length,
        );
        // THEN object reads apply to the prefix only and bucket reads to the bucket only
        assert.deepStrictEqual(bucket.Resource, ["arn:aws:s3:::invoices"]);
        assert.ok(bucket.Action.includes("s3:GetBucketPolicy"));
        assert.ok(!bucket.Action.includes("s3:GetObject"));
        assert.deepStrictEqual(objects.Resource, ["arn:aws:s3:::invoices/incoming/*"]);
        assert.ok(objects.Action.includes("s3:GetObject"));
        assert.ok(!objects.Action.includes("s3:PutObject"));
        assert.ok(!objects.Action.includes("s3:ListBucket"));
    });

    it("resolves an ARN known only at deploy time into the policy", async () => {
        const bucketArn = pulumi.output("arn:aws:s3:::late-bucket");
        const { documents } = await declare("late", {
            ...OWNERSHIP,
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [
                { service: "s3", access: "read", resources: [pulumi.interpolate`${bucketArn}/incoming/*`] },
                CONSUME,
            ],
        });
        const s3 = documents[0].Statement.find((s: any) => s.Resource[0].startsWith("arn:aws:s3"));
        assert.deepStrictEqual(s3.Resource, ["arn:aws:s3:::late-bucket/incoming/*"]);
        assert.ok(s3.Action.includes("s3:GetObject"));
        assert.ok(!JSON.stringify(documents).includes("{{"), "no placeholder is left");
    });
});
