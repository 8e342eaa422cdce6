import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import {
    ROTATOR_ACKNOWLEDGEMENT,
    planAwsAccessKeyIdentity,
    schedulerSource,
} from "../../components/aws/access-key-identity";
import { ACTIONS, AFTER_EXPIRY_ACTIONS, retireEvent } from "../../components/runtime/aws/access-key-contract";
import { isExposedEvent } from "../../components/runtime/aws/rotate-access-key";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import {
    MAX_MANAGED_POLICY_CHARS,
    MAX_USER_INLINE_POLICY_CHARS,
    MAX_USER_MANAGED_POLICIES,
    documentSize,
    grantedTriples,
} from "../../components/aws/policy";
import { capture, ofType, Registered, valueOf } from "../../components/testing";
import { TABLE_NOW } from "../support/bad-input";
import { decideIdentity, expectDecisions } from "../support/iam-simulator";

const TYPE = "nhi:aws:AccessKeyIdentity";
const EXPIRY = "2099-06-30T00:00:00Z";
const OWNERSHIP = { owner: "team-payments", purpose: "Uploads invoices to Acme" };
const BUCKET = "arn:aws:s3:::acme-exchange";
const UPLOAD = { actions: ["s3:PutObject"], resources: [`${BUCKET}/invoices/*`] };
const KEY = { consumer: "acme-vendor", rotateEveryDays: 30 };

function summary(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name} <- ${r.parentType ?? "(stack)"}`);
}

async function declare(name: string, args: aws.AwsAccessKeyIdentityArgs) {
    const { value, resources } = await capture(() => new aws.AccessKeyIdentity(name, args));
    return {
        identity: value,
        resources,
        user: ofType(resources, "aws:iam/user:User")[0],
        documents: (await valueOf(value.policyDocuments)).map((d) => JSON.parse(d)),
    };
}

describe("aws.AccessKeyIdentity user", () => {
    it("gives the consumer one IAM user with an inline policy, parented to the component", async () => {
        // GIVEN a vendor integration that uploads invoices with a static key, until an expiry
        const { resources, user, documents, identity } = await declare("acme", {
            ...OWNERSHIP,
            ...KEY,
            grants: [UPLOAD],
            expiresAt: EXPIRY,
        });
        // THEN the user and its inline policy are children of the component
        const children = summary(resources).filter((s) => /iam\/user(Policy)?:/.test(s));
        assert.deepStrictEqual(children, [
            `aws:iam/user:User acme-user <- ${TYPE}`,
            `aws:iam/userPolicy:UserPolicy acme-policy <- ${TYPE}`,
        ]);
        // AND the user is under /nhi/, deletable although the function minted keys Pulumi does not know, and tagged
        assert.strictEqual(user.inputs.path, "/nhi/");
        assert.strictEqual(user.inputs.forceDestroy, true);
        assert.strictEqual(user.inputs.permissionsBoundary, undefined);
        assert.deepStrictEqual(user.inputs.tags, {
            "nhi:consumer": "acme-vendor",
            "nhi:expires-at": EXPIRY,
            "nhi:managed-by": "pulumi-nhi",
            "nhi:owner": "team-payments",
            "nhi:purpose": "Uploads invoices to Acme",
            // 30 days' rotation + 1 day's grace + 1: past that age, the usage monitor says the key was not rotated
            "nhi:key-max-age-days": "32",
        });
        // AND the inline policy is exactly the grant, with the expiry on the statement, on that user
        assert.deepStrictEqual(documents, [
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["s3:PutObject"],
                        Resource: [`${BUCKET}/invoices/*`],
                        Condition: { DateLessThan: { "aws:CurrentTime": EXPIRY } },
                    },
                ],
            },
        ]);
        assert.strictEqual(ofType(resources, "aws:iam/userPolicy:UserPolicy")[0].inputs.user, "acme-user-1a2b3c4");
        assert.strictEqual(await valueOf(identity.userName), "acme-user-1a2b3c4");
        assert.strictEqual(await valueOf(identity.userArn), "arn:aws:iam::123456789012:user/nhi/acme-user-1a2b3c4");
        assert.strictEqual(await valueOf(identity.expiresAt), EXPIRY);
        assert.deepStrictEqual(await valueOf(identity.managedPolicyArns), []);
    });

    it("never declares a login profile or an access key: no console, and no key in the state", async () => {
        const { resources } = await declare("nokey", { ...OWNERSHIP, ...KEY, grants: [UPLOAD] });
        const forbidden = resources.filter(
            (r) =>
                /^aws:iam\/(accessKey|userLoginProfile|virtualMfaDevice|serviceSpecificCredential|signingCertificate|sshKey):/.test(
                    r.type,
                ) || r.type.startsWith("random:"),
        );
        assert.deepStrictEqual(forbidden, []);
    });

    it("takes the path, boundary and user tags given", async () => {
        const { user, resources } = await declare("opts", {
            ...OWNERSHIP,
            ...KEY,
            grants: [UPLOAD],
            path: "/vendors/",
            permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary",
            tags: { CostCenter: "cc-42" },
        });
        assert.strictEqual(user.inputs.path, "/vendors/");
        assert.strictEqual(user.inputs.permissionsBoundary, "arn:aws:iam::123456789012:policy/boundary");
        assert.strictEqual(user.inputs.tags.CostCenter, "cc-42");
        assert.strictEqual(user.inputs.tags["nhi:consumer"], "acme-vendor");
        assert.strictEqual(summary(resources)[0], `${TYPE} opts <- (stack)`);
    });

    it("creates no policy for a user without grants", async () => {
        const { resources, documents } = await declare("bare", { ...OWNERSHIP, ...KEY, grants: [] });
        assert.deepStrictEqual(ofType(resources, "aws:iam/userPolicy:UserPolicy"), []);
        assert.deepStrictEqual(ofType(resources, "aws:iam/policy:Policy"), []);
        assert.deepStrictEqual(documents, []);
    });

    it("renders the same documents as aws.ServiceIdentity for the same grants and expiry (one planner)", () => {
        // GIVEN grants that fit a user's inline policy, with an access-level grant and an expiry
        const grants = [
            UPLOAD,
            { service: "sqs", access: "read" as const, resources: ["arn:aws:sqs:us-east-1:123456789012:acme-events"] },
        ];
        // WHEN both identities are planned
        const user = planAwsAccessKeyIdentity("u", { ...OWNERSHIP, ...KEY, grants, expiresAt: EXPIRY }, TABLE_NOW);
        const role = planAwsServiceIdentity(
            "r",
            { ...OWNERSHIP, trust: { service: { principal: "lambda.amazonaws.com" } }, grants, expiresAt: EXPIRY },
            TABLE_NOW,
        );
        // THEN the statements are the same
        assert.deepStrictEqual(user.policies.layout, role.policies.layout);
        assert.deepStrictEqual(user.grants, role.grants);
    });

    it("overflows into attached managed policies at the user's 2,048-character limit, where a role would not", async () => {
        // GIVEN 20 queues, each with its own set of actions: about 3,000 characters, over a
        // user's inline limit and well under a role's
        const SQS = [
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
        ];
        const grants = Array.from({ length: 20 }, (_, i) => ({
            actions: SQS.filter((_, bit) => ((i + 1) >> bit) & 1),
            resources: [`arn:aws:sqs:us-east-1:123456789012:acme-queue-${String(i).padStart(2, "0")}`],
        }));
        const role = planAwsServiceIdentity(
            "r",
            { ...OWNERSHIP, trust: { service: { principal: "lambda.amazonaws.com" } }, grants },
            TABLE_NOW,
        );
        assert.deepStrictEqual(role.policies.layout.managed, []);
        const { resources, documents, identity } = await declare("fanout", { ...OWNERSHIP, ...KEY, grants });
        // THEN the inline policy and managed policies, each attached to the user, each within its limit
        const policies = ofType(resources, "aws:iam/policy:Policy");
        const attachments = ofType(resources, "aws:iam/userPolicyAttachment:UserPolicyAttachment");
        assert.ok(policies.length >= 1);
        assert.deepStrictEqual(
            policies.map((p) => p.name),
            policies.map((_, i) => `fanout-policy-${i + 2}`),
        );
        assert.deepStrictEqual(
            attachments.map((a) => [a.name, a.inputs.user, a.inputs.policyArn]),
            policies.map((p) => [
                p.name,
                "fanout-user-1a2b3c4",
                `arn:aws:iam::123456789012:policy/nhi/${p.name}-1a2b3c4`,
            ]),
        );
        assert.ok(policies.every((p) => p.inputs.path === "/nhi/"));
        assert.ok(JSON.stringify(documents[0]).length <= MAX_USER_INLINE_POLICY_CHARS);
        assert.deepStrictEqual(
            await valueOf(identity.managedPolicyArns),
            attachments.map((a) => a.inputs.policyArn),
        );
        // AND together they grant exactly the 20 grants
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

    it("resolves an ARN known only at deploy time into the user's policy", async () => {
        const bucket = pulumi.output("arn:aws:s3:::late-bucket");
        const { documents } = await declare("late", {
            ...OWNERSHIP,
            ...KEY,
            grants: [{ actions: ["s3:PutObject"], resources: [pulumi.interpolate`${bucket}/in/*`] }],
        });
        assert.deepStrictEqual(documents[0].Statement, [
            { Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::late-bucket/in/*"] },
        ]);
    });
});

describe("aws.AccessKeyIdentity key", function () {
    this.timeout(30_000);
    const READER = "arn:aws:iam::123456789012:role/acme-uploader";
    const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme-secret-1a2b3c4-AbCdEf";
    const USER = "arn:aws:iam::123456789012:user/nhi/acme-user-1a2b3c4";

    it("keeps the key in a secret that the rotation function fills, at once and every period, and nowhere else", async () => {
        // GIVEN a vendor key rotated every 30 days, read by one role and by a ServiceIdentity
        const {
            value: { identity, deployer },
            resources,
        } = await capture(() => {
            const deployer = new aws.ServiceIdentity("acme-deployer", {
                ...OWNERSHIP,
                trust: { service: { principal: "codebuild.amazonaws.com" } },
                grants: [],
            });
            const identity = new aws.AccessKeyIdentity("acme", {
                ...OWNERSHIP,
                ...KEY,
                grants: [UPLOAD],
                readers: [READER, deployer],
                tags: { CostCenter: "cc-42" },
            });
            return { identity, deployer };
        });
        const mine = resources.filter((r) => !r.name.startsWith("acme-deployer"));
        // THEN exactly these children: the user and its policy, the secret and its rotation, the
        // rotation function (log group, identity, function, invoke permission), and the daily check
        // (schedule and its execution role)
        assert.deepStrictEqual(
            summary(mine).sort(),
            [
                `${TYPE} acme <- (stack)`,
                `aws:iam/user:User acme-user <- ${TYPE}`,
                `aws:iam/userPolicy:UserPolicy acme-policy <- ${TYPE}`,
                `aws:secretsmanager/secret:Secret acme-secret <- ${TYPE}`,
                `aws:secretsmanager/secretRotation:SecretRotation acme-rotation <- ${TYPE}`,
                `aws:cloudwatch/logGroup:LogGroup acme-rotator-logs <- ${TYPE}`,
                `nhi:aws:ServiceIdentity acme-rotator <- ${TYPE}`,
                "aws:iam/role:Role acme-rotator-role <- nhi:aws:ServiceIdentity",
                "aws:iam/rolePolicy:RolePolicy acme-rotator-policy <- nhi:aws:ServiceIdentity",
                `aws:lambda/function:Function acme-rotator <- ${TYPE}`,
                `aws:lambda/permission:Permission acme-rotator-invoke <- ${TYPE}`,
                `aws:scheduler/schedule:Schedule acme-retire <- ${TYPE}`,
                `nhi:aws:ServiceIdentity acme-retire <- ${TYPE}`,
                "aws:iam/role:Role acme-retire-role <- nhi:aws:ServiceIdentity",
                "aws:iam/rolePolicy:RolePolicy acme-retire-policy <- nhi:aws:ServiceIdentity",
                `aws:cloudwatch/eventRule:EventRule acme-leak <- ${TYPE}`,
                `aws:cloudwatch/eventTarget:EventTarget acme-leak <- ${TYPE}`,
                `aws:lambda/permission:Permission acme-leak-invoke <- ${TYPE}`,
            ].sort(),
        );
        const secret = ofType(mine, "aws:secretsmanager/secret:Secret")[0];
        const rotation = ofType(mine, "aws:secretsmanager/secretRotation:SecretRotation")[0];
        const fn = ofType(mine, "aws:lambda/function:Function")[0];
        // AND the secret names the user and the grace for the function, records the owner and consumer,
        // stays recoverable 30 days, and only the two readers may read it
        assert.deepStrictEqual(secret.inputs.tags, {
            CostCenter: "cc-42",
            "nhi:consumer": "acme-vendor",
            "nhi:grace-days": "1",
            "nhi:iam-user": "acme-user-1a2b3c4",
            "nhi:managed-by": "pulumi-nhi",
            "nhi:owner": "team-payments",
            "nhi:purpose": "Uploads invoices to Acme",
        });
        assert.strictEqual(secret.inputs.recoveryWindowInDays, 30);
        assert.strictEqual(secret.inputs.kmsKeyId, undefined);
        assert.deepStrictEqual(JSON.parse(secret.inputs.policy).Statement, [
            {
                Effect: "Allow",
                Principal: { AWS: [READER, await valueOf(deployer.roleArn)].sort() },
                Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                Resource: ["*"],
            },
        ]);
        assert.strictEqual(
            secret.inputs.description,
            "The access key of the IAM user of acme-vendor: Uploads invoices to Acme (owner: team-payments). Rotated every 30 days by pulumi-nhi.",
        );
        // AND the rotation runs the access-key function at once and every 30 days
        assert.deepStrictEqual(rotation.inputs, {
            secretId: "acme-secret-id",
            rotationLambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:acme-rotator-1a2b3c4",
            rotationRules: { automaticallyAfterDays: 30 },
            rotateImmediately: true,
        });
        assert.strictEqual(fn.inputs.handler, "aws/rotate-access-key.handler");
        assert.strictEqual(
            ofType(mine, "aws:lambda/permission:Permission").find((p) => p.name === "acme-rotator-invoke")!.inputs
                .sourceArn,
            SECRET,
        );
        // AND the function's role records why it may mint the user's keys
        const role = ofType(mine, "aws:iam/role:Role")[0];
        assert.strictEqual(role.inputs.tags["nhi:escalation:CreateAccessKey"], ROTATOR_ACKNOWLEDGEMENT);
        assert.strictEqual(role.inputs.tags.CostCenter, "cc-42");
        assert.strictEqual(await valueOf(identity.keySecretArn), SECRET);
        // AND nothing anywhere holds a key, a secret value or a random value
        assert.deepStrictEqual(
            resources.filter((r) => /^aws:iam\/accessKey:|^aws:secretsmanager\/secretVersion:|^random:/.test(r.type)),
            [],
        );
        const everything = JSON.stringify(resources.map((r) => r.inputs));
        assert.doesNotMatch(everything, /secretString|secretBinary|secretAccessKey|AKIA[0-9A-Z]{16}/);
    });

    it("lets the function do exactly its steps' actions on its user and its secret", async () => {
        const { resources } = await capture(
            () => new aws.AccessKeyIdentity("exact", { ...OWNERSHIP, ...KEY, grants: [] }),
        );
        const policy = JSON.parse(
            ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "exact-rotator-policy")!.inputs
                .policy,
        );
        const pairs = policy.Statement.flatMap((st: any) =>
            st.Action.flatMap((a: string) => st.Resource.map((r: string) => `${a} ${r}`)),
        ).filter((p: string) => !p.startsWith("logs:"));
        assert.deepStrictEqual(
            pairs.sort(),
            [
                ...ACTIONS.iam.map((a) => `${a} ${USER.replace(/acme/g, "exact")}`),
                ...ACTIONS.secretsmanager.map((a) => `${a} ${SECRET.replace(/acme/g, "exact")}`),
                "lambda:InvokeFunction arn:aws:lambda:us-east-1:123456789012:function:exact-rotator-???????",
            ].sort(),
        );
    });

    it("answers AWS Health's exposed-key events: a rule, its target (the rotation function, with the keyExposed event) and the permission for that rule alone", async () => {
        // GIVEN an identity whose owner is notified on a topic
        const TOPIC = "arn:aws:sns:us-east-1:123456789012:owners";
        // (the usage monitor that may publish to TOPIC, which `unusedAlarm` needs, named explicitly)
        const { resources } = await capture(() => {
            const monitor = new aws.UsageMonitor("acme-usage", { owner: "team-platform", notifyTopics: [TOPIC] });
            return new aws.AccessKeyIdentity("acme", {
                ...OWNERSHIP,
                ...KEY,
                grants: [],
                tags: { CostCenter: "cc-42" },
                unusedAlarm: { afterDays: 90, notify: TOPIC, monitor },
            });
        });
        const rule = ofType(resources, "aws:cloudwatch/eventRule:EventRule")[0];
        const target = ofType(resources, "aws:cloudwatch/eventTarget:EventTarget")[0];
        const permission = ofType(resources, "aws:lambda/permission:Permission").find(
            (p) => p.name === "acme-leak-invoke",
        )!;
        // THEN the rule matches exactly AWS Health's exposed-credential events
        assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern), {
            source: ["aws.health"],
            "detail-type": ["AWS Health Event"],
            detail: { service: ["RISK"], eventTypeCode: ["AWS_RISK_CREDENTIALS_EXPOSED"] },
        });
        assert.strictEqual(rule.inputs.tags.CostCenter, "cc-42");
        // AND its target is the rotation function, sent exactly the keyExposed event of this secret
        assert.strictEqual(target.inputs.arn, "arn:aws:lambda:us-east-1:123456789012:function:acme-rotator-1a2b3c4");
        assert.strictEqual(target.inputs.rule, "acme-leak-1a2b3c4");
        assert.deepStrictEqual(target.inputs.inputTransformer.inputPaths, {
            keys: "$.detail.affectedEntities[*].entityValue",
        });
        const template = target.inputs.inputTransformer.inputTemplate as string;
        assert.strictEqual(template, `{"nhiAction":"keyExposed","SecretId":"${SECRET}","accessKeyIds":<keys>}`);
        // AND EventBridge fills it with the JSON array the path yields: the function's event, exactly
        const event = JSON.parse(template.replace("<keys>", JSON.stringify(["AKIAIOSFODNN7EXAMPLE"])));
        assert.ok(isExposedEvent(event));
        // AND only this rule may invoke the function
        assert.deepStrictEqual(
            [
                permission.inputs.action,
                permission.inputs.principal,
                permission.inputs.function,
                permission.inputs.sourceArn,
            ],
            [
                "lambda:InvokeFunction",
                "events.amazonaws.com",
                "acme-rotator-1a2b3c4",
                "arn:aws:events:us-east-1:123456789012:rule/acme-leak-1a2b3c4",
            ],
        );
        // AND the secret names the topic for the function, and the function may publish to it alone
        const secret = ofType(resources, "aws:secretsmanager/secret:Secret")[0];
        assert.strictEqual(secret.inputs.tags["nhi:notify"], TOPIC);
        const rotator = JSON.parse(
            ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "acme-rotator-policy")!.inputs
                .policy,
        );
        const role = "arn:aws:iam::123456789012:role/acme-rotator-role-1a2b3c4";
        await expectDecisions([
            {
                what: "Publish to the owner's topic",
                expected: "Allowed",
                decide: () => decideIdentity(role, [JSON.stringify(rotator)], "sns:Publish", TOPIC),
            },
            {
                what: "Publish to another topic",
                expected: "Denied",
                decide: () =>
                    decideIdentity(
                        role,
                        [JSON.stringify(rotator)],
                        "sns:Publish",
                        "arn:aws:sns:us-east-1:123456789012:other",
                    ),
            },
            {
                what: "RotateSecret on its secret",
                expected: "Allowed",
                decide: () => decideIdentity(role, [JSON.stringify(rotator)], "secretsmanager:RotateSecret", SECRET),
            },
            {
                what: "invoke itself",
                expected: "Allowed",
                decide: () =>
                    decideIdentity(
                        role,
                        [JSON.stringify(rotator)],
                        "lambda:InvokeFunction",
                        "arn:aws:lambda:us-east-1:123456789012:function:acme-rotator-1a2b3c4",
                    ),
            },
            {
                what: "invoke another function",
                expected: "Denied",
                decide: () =>
                    decideIdentity(
                        role,
                        [JSON.stringify(rotator)],
                        "lambda:InvokeFunction",
                        "arn:aws:lambda:us-east-1:123456789012:function:acme-rotator-other-1a2b3c4",
                    ),
            },
        ]);
    });

    it("stops minting keys when the identity expires; only deactivating them goes on, for a week", async () => {
        // GIVEN an identity that expires
        const expiresAt = "2099-06-30T00:00:00Z";
        const { resources } = await capture(
            () => new aws.AccessKeyIdentity("ending", { ...OWNERSHIP, ...KEY, grants: [], expiresAt }),
        );
        const policy = (name: string) =>
            JSON.parse(ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === name)!.inputs.policy);
        const rotator = policy("ending-rotator-policy");
        const user = USER.replace(/acme/g, "ending");
        const secret = SECRET.replace(/acme/g, "ending");
        // THEN the rotator may mint the user's key before the expiry and not after; the same for the check's invoke
        const roleOf = (name: string) => ofType(resources, "aws:iam/role:Role").find((r) => r.name === name)!;
        const at = (role: string, policy: unknown, action: string, resource: string, time: string) => () =>
            decideIdentity(
                `arn:aws:iam::123456789012:role/${roleOf(role).name}-1a2b3c4`,
                [JSON.stringify(policy)],
                action,
                resource,
                { "aws:CurrentTime": time },
            );
        const before = "2099-06-29T23:59:59Z";
        const after = "2099-06-30T00:00:01Z";
        const weekLater = "2099-07-06T23:59:59Z";
        const gone = "2099-07-07T00:00:01Z";
        const fn = "arn:aws:lambda:us-east-1:123456789012:function:ending-rotator-1a2b3c4";
        const rot = (action: string, resource: string, time: string) =>
            at("ending-rotator-role", rotator, action, resource, time);
        await expectDecisions([
            {
                what: "rotator CreateAccessKey before",
                expected: "Allowed",
                decide: rot("iam:CreateAccessKey", user, before),
            },
            // Everything that mints, stores, deletes or rotates stops at expiresAt
            ...[...ACTIONS.iam, ...ACTIONS.secretsmanager, ...ACTIONS.lambda]
                .filter(
                    (a) =>
                        !(AFTER_EXPIRY_ACTIONS.iam as readonly string[]).includes(a) &&
                        a !== "secretsmanager:DescribeSecret",
                )
                .map((a) => ({
                    what: `rotator ${a} after`,
                    expected: "Denied" as const,
                    decide: rot(a, a.startsWith("iam:") ? user : a.startsWith("lambda:") ? fn : secret, after),
                })),
            // Finding and deactivating the keys goes on for a week, then stops too
            {
                what: "rotator ListAccessKeys a week later",
                expected: "Allowed",
                decide: rot("iam:ListAccessKeys", user, weekLater),
            },
            {
                what: "rotator UpdateAccessKey a week later",
                expected: "Allowed",
                decide: rot("iam:UpdateAccessKey", user, weekLater),
            },
            {
                what: "rotator DescribeSecret a week later",
                expected: "Allowed",
                decide: rot("secretsmanager:DescribeSecret", secret, weekLater),
            },
            {
                what: "rotator UpdateAccessKey after the week",
                expected: "Denied",
                decide: rot("iam:UpdateAccessKey", user, gone),
            },
            {
                what: "rotator UpdateAccessKey on another user a week later",
                expected: "Denied",
                decide: rot("iam:UpdateAccessKey", "arn:aws:iam::123456789012:user/nhi/other", weekLater),
            },
            {
                what: "check InvokeFunction before",
                expected: "Allowed",
                decide: at("ending-retire-role", policy("ending-retire-policy"), "lambda:InvokeFunction", fn, before),
            },
            {
                what: "check InvokeFunction a week later",
                expected: "Allowed",
                decide: at(
                    "ending-retire-role",
                    policy("ending-retire-policy"),
                    "lambda:InvokeFunction",
                    fn,
                    weekLater,
                ),
            },
            {
                what: "check InvokeFunction after the week",
                expected: "Denied",
                decide: at("ending-retire-role", policy("ending-retire-policy"), "lambda:InvokeFunction", fn, gone),
            },
        ]);
        // AND both roles say when they stop in their tags (the quarantine's execution role outlives them: test/aws/deprovision.test.ts)
        for (const role of ofType(resources, "aws:iam/role:Role").filter((r) => r.name !== "ending-expiry-role")) {
            assert.strictEqual(role.inputs.tags["nhi:expires-at"], "2099-07-07T00:00:00Z", role.name);
        }
    });

    it("invokes the function daily with the secret's retire event, through a role EventBridge Scheduler of this account may assume", async () => {
        // GIVEN a key rotated every 30 days with a grace of 3
        const { resources } = await capture(
            () =>
                new aws.AccessKeyIdentity("acme", {
                    ...OWNERSHIP,
                    ...KEY,
                    graceDays: 3,
                    grants: [],
                    tags: { CostCenter: "cc-42" },
                }),
        );
        const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:acme-rotator-1a2b3c4";
        const schedule = ofType(resources, "aws:scheduler/schedule:Schedule")[0];
        const role = ofType(resources, "aws:iam/role:Role").find((r) => r.name === "acme-retire-role")!;
        const policy = ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "acme-retire-policy")!;
        // THEN the schedule runs once a day, on time, and sends exactly the check's event for this secret
        assert.deepStrictEqual(schedule.inputs, {
            description: "Retires the previous access key of acme-vendor 3 days after each rotation (pulumi-nhi).",
            scheduleExpression: "rate(1 day)",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn: FUNCTION,
                roleArn: "arn:aws:iam::123456789012:role/acme-retire-role-1a2b3c4",
                input: JSON.stringify({ nhiAction: "retirePrevious", SecretId: SECRET }),
                retryPolicy: { maximumEventAgeInSeconds: 21_600, maximumRetryAttempts: 20 },
            },
        });
        assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input), retireEvent(SECRET));
        // AND its role is trusted by EventBridge Scheduler for this account's default schedule group only
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        ArnLike: { "aws:SourceArn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/default" },
                        StringEquals: { "aws:SourceAccount": "123456789012" },
                    },
                },
            ],
        });
        // AND it may invoke this function and nothing else, and records its owner and the user's tags
        assert.deepStrictEqual(JSON.parse(policy.inputs.policy).Statement, [
            { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [FUNCTION] },
        ]);
        assert.strictEqual(role.inputs.tags["nhi:owner"], "team-payments");
        assert.strictEqual(role.inputs.tags.CostCenter, "cc-42");
        // AND Secrets Manager still rotates every 30 days: the schedule only retires
        assert.deepStrictEqual(
            ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation")[0].inputs.rotationRules,
            { automaticallyAfterDays: 30 },
        );
    });

    it("derives the scheduler's source from the function's partition, region and account", () => {
        const cases: [string, ReturnType<typeof schedulerSource>][] = [
            [
                "arn:aws:lambda:eu-west-1:111122223333:function:f-1a2b3c4",
                {
                    sourceAccount: "111122223333",
                    sourceArn: "arn:aws:scheduler:eu-west-1:111122223333:schedule-group/default",
                },
            ],
            [
                "arn:aws-cn:lambda:cn-north-1:444455556666:function:f",
                {
                    sourceAccount: "444455556666",
                    sourceArn: "arn:aws-cn:scheduler:cn-north-1:444455556666:schedule-group/default",
                },
            ],
            [
                "arn:aws-us-gov:lambda:us-gov-west-1:777788889999:function:f",
                {
                    sourceAccount: "777788889999",
                    sourceArn: "arn:aws-us-gov:scheduler:us-gov-west-1:777788889999:schedule-group/default",
                },
            ],
        ];
        for (const [arn, expected] of cases) {
            assert.deepStrictEqual(schedulerSource(arn), expected, arn);
        }
    });

    it("encrypts with the customer key given, which the function may use through Secrets Manager only", async () => {
        const KMS = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-8a9b-0c1d-2e3f4a5b6c7d";
        const { resources } = await capture(
            () =>
                new aws.AccessKeyIdentity("cmk", {
                    ...OWNERSHIP,
                    ...KEY,
                    grants: [],
                    kmsKeyArn: KMS,
                    graceDays: 7,
                    recoveryWindowInDays: 7,
                }),
        );
        const secret = ofType(resources, "aws:secretsmanager/secret:Secret")[0];
        assert.strictEqual(secret.inputs.kmsKeyId, KMS);
        assert.strictEqual(secret.inputs.recoveryWindowInDays, 7);
        assert.strictEqual(secret.inputs.tags["nhi:grace-days"], "7");
        assert.strictEqual(secret.inputs.policy, "{}");
        const policy = JSON.parse(
            ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "cmk-rotator-policy")!.inputs
                .policy,
        );
        const kms = policy.Statement.filter((st: any) => st.Resource.includes(KMS));
        // THEN the function may use the key through Secrets Manager only
        assert.deepStrictEqual(
            kms.map((st: any) => [st.Action, st.Condition]),
            [
                [
                    ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                    { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
                ],
            ],
        );
    });
});

describe("aws.AccessKeyIdentity in a user's program", () => {
    it("loads no AWS SDK v3 module: the function's SDK is the Lambda runtime's, not installed with the package", function () {
        this.timeout(60_000);
        // GIVEN a fresh process  WHEN it declares an AccessKeyIdentity under the mocks
        const script = [
            'const { capture } = require("./components/testing");',
            'const nhi = require("./components");',
            'capture(() => new nhi.aws.AccessKeyIdentity("k", { owner: "o", purpose: "p", consumer: "c", rotateEveryDays: 30, grants: [] })).then(({ resources }) => {',
            "    const sdk = [...new Set(Object.keys(require.cache).map((f) => /node_modules[\\/](@aws-sdk[\\/][a-z-]+)/.exec(f)?.[1]).filter(Boolean))];",
            "    process.stdout.write(JSON.stringify({ resources: resources.length, sdk }));",
            "});",
        ].join("\n");
        const out = JSON.parse(
            execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
                cwd: path.join(__dirname, "../.."),
                encoding: "utf8",
            }),
        );
        // THEN the whole component is declared (14 resources: no grants, no user policy), and no
        // @aws-sdk package was required: pulumi-nhi's users do not have it (a devDependency, for
        // the function's tests)
        assert.deepStrictEqual(out, { resources: 17, sdk: [] });
    });
});

describe("aws.AccessKeyIdentity layout (property)", () => {
    const SQS = [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
    ];
    const grant = fc.record({
        actions: fc.subarray(SQS, { minLength: 1 }),
        resources: fc.uniqueArray(
            fc
                .integer({ min: 0, max: 400 })
                .map((i) => `arn:aws:sqs:us-east-1:123456789012:queue-with-a-long-descriptive-name-${i}`),
            { minLength: 1, maxLength: 16 },
        ),
    });
    // Sized so that runs cover every count of managed policies from 0 to 10 and a few refusals.
    const grants = fc.array(grant, { minLength: 0, maxLength: 120, size: "max" });

    it("never exceeds a user's limits, and grants exactly the grants, or refuses them naming the user's quota", () => {
        fc.assert(
            fc.property(grants, fc.boolean(), (given, expiring) => {
                let plan;
                try {
                    plan = planAwsAccessKeyIdentity(
                        "u",
                        { ...OWNERSHIP, ...KEY, grants: given, ...(expiring ? { expiresAt: EXPIRY } : {}) },
                        TABLE_NOW,
                    );
                } catch (e: any) {
                    // Only too many managed policies for a user is a reason to refuse these grants
                    assert.ok(pulumi.InputPropertiesError.isInstance(e), String(e));
                    assert.strictEqual(e.errors.length, 1);
                    assert.match(
                        e.errors[0].reason,
                        new RegExp(
                            `^\`grants\` need \\d+ managed policies beside the inline policy, but a user may have at most ${MAX_USER_MANAGED_POLICIES} \\(AWS quota\\)`,
                        ),
                    );
                    return;
                }
                const { inline, managed } = plan.policies.layout;
                assert.ok(documentSize(inline) <= MAX_USER_INLINE_POLICY_CHARS, `inline ${documentSize(inline)}`);
                assert.ok(managed.length <= MAX_USER_MANAGED_POLICIES);
                for (const doc of managed) {
                    assert.ok(
                        doc.length > 0 && documentSize(doc) <= MAX_MANAGED_POLICY_CHARS,
                        `managed ${documentSize(doc)}`,
                    );
                }
                const condition = expiring ? { DateLessThan: { "aws:CurrentTime": EXPIRY } } : undefined;
                const wanted = given.map((g) => ({ ...g, ...(condition ? { condition } : {}) }));
                assert.deepStrictEqual(grantedTriples([...inline, ...managed.flat()]), grantedTriples(wanted));
            }),
            { numRuns: 120 },
        );
    });
});
