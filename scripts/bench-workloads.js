"use strict";
/**
 * What `npm run bench` declares: each workload is one kind of component against the same
 * resources written by hand, with literal documents and no checks, and the list of child
 * resources whose inputs `verify` compares byte for byte.
 *
 * A workload has:
 *   title, unit           for the report ("identities", "secrets")
 *   describe(v)           one sentence on what each instance is (v: the `verify` result)
 *   setup(api, ctx)       declared once, in the warm-up, both modes (e.g. a shared rotator)
 *   declare(api, name, i, ctx)   one instance; api = { nhi } (component) or { aws } (hand)
 *   compared              [type, name suffix] of the children compared in `verify`
 *   handContext(ROOT)     in `verify`: what the hand-written code would have copied from docs
 *                         (passed to `hand` workers as NHI_BENCH_CONTEXT)
 *   normalise(inputs, prefix)   (optional) rewrites references to the instance's own name
 */
const path = require("path");

const ACCOUNT = "123456789012";
/** A year ahead, at midnight UTC: the same text in every worker of one run. */
const EXPIRES_AT = `${new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`;

// ---- identities: aws.ServiceIdentity vs aws.iam.Role + aws.iam.RolePolicy.

function owner(i) {
    return `team-${i % 20}`;
}
function purpose(i) {
    return `Reads bucket-${i % 50} objects for queue-${i} consumer`;
}
function bucketArn(i) {
    return `arn:aws:s3:::bucket-${i % 50}/prefix-${i}/*`;
}
function queueArn(i) {
    return `arn:aws:sqs:us-east-1:${ACCOUNT}:queue-${i}`;
}

/** The component's arguments for identity i, written as a user would. */
function identityArgs(i) {
    return {
        owner: owner(i),
        purpose: purpose(i),
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [
            { service: "s3", access: "read", resources: [bucketArn(i)] },
            { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], resources: [queueArn(i)] },
        ],
        expiresAt: EXPIRES_AT,
    };
}

const identities = {
    title: "aws.ServiceIdentity vs hand-written aws.iam.Role + aws.iam.RolePolicy",
    unit: "identities",
    component: "aws.ServiceIdentity",
    describe: (v) => `Each identity: Lambda trust, \`s3\` \`read\` on one object prefix (${v.context.length} actions) + 3 exact \`sqs\` actions on one queue, owner/purpose, expiry a year ahead.`,
    setup() {},
    declareComponent({ nhi }, name, i) {
        new nhi.aws.ServiceIdentity(name, identityArgs(i));
    },
    /** `s3Read`: the list of S3 read actions a user would have copied into the code. */
    declareHand({ aws }, name, i, s3Read) {
        const o = owner(i);
        const p = purpose(i);
        const role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { DateLessThan: { "aws:CurrentTime": EXPIRES_AT } },
                }],
            }),
            description: `${p} (owner: ${o})`,
            tags: { "nhi:managed-by": "pulumi-nhi", "nhi:owner": o, "nhi:purpose": p, "nhi:expires-at": EXPIRES_AT },
        });
        new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: s3Read,
                        Resource: [bucketArn(i)],
                        Condition: { DateLessThan: { "aws:CurrentTime": EXPIRES_AT } },
                    },
                    {
                        Effect: "Allow",
                        Action: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                        Resource: [queueArn(i)],
                        Condition: { DateLessThan: { "aws:CurrentTime": EXPIRES_AT } },
                    },
                ],
            }),
        });
    },
    compared: [["aws:iam/role:Role", "-role"], ["aws:iam/rolePolicy:RolePolicy", "-policy"]],
    /** The S3 read actions the package grants on an object ARN, from its pure planning function (internal: not exported by the entry). */
    handContext(root) {
        const { planAwsServiceIdentity } = require(path.join(root, "bin", "aws", "service-identity.js"));
        const plan = planAwsServiceIdentity("probe", identityArgs(0));
        const statement = plan.policies.layout.inline.find((s) => s.resources.some((r) => r.startsWith("arn:aws:s3:::")));
        return [...statement.actions];
    },
    /** The policies' `role` differs only by the resource name; compare it as a reference. */
    normalise(inputs, prefix) {
        return inputs.role !== undefined ? { ...inputs, role: inputs.role.replace(prefix, "<x>-") } : inputs;
    },
};

// ---- secrets: aws.RotatingSecret sharing one aws.SecretRotator vs aws.secretsmanager.Secret +
// aws.secretsmanager.SecretRotation sharing one hand-written rotation function.

const ROTATOR = "rotator";
/** The rotator's `nhi:rotator` tag under the bench's mocks: `<project>/<stack>/<name>`. */
const ROTATOR_ID = `nhi/bench/${ROTATOR}`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${ROTATOR}`;

function secretOwner(i) {
    return `team-${i % 20}`;
}
function secretPurpose(i) {
    return `API token of partner-${i}`;
}
function readerArn(i) {
    return `arn:aws:iam::${ACCOUNT}:role/partner-gateway-${i % 50}`;
}

const secrets = {
    title: "aws.RotatingSecret sharing one aws.SecretRotator vs hand-written aws.secretsmanager.Secret + SecretRotation",
    unit: "secrets",
    component: "aws.RotatingSecret",
    describe: () => "Each secret: owner/purpose, one reader role in its resource policy, rotated every 30 days by one rotation function shared by all (declared in the warm-up, outside the timed part).",
    /** One rotation function for every secret: the component's rotator, or a hand-written Lambda of the same name. */
    setup(api, mode) {
        if (mode === "component") {
            return new api.nhi.aws.SecretRotator(ROTATOR, { owner: "team-platform", purpose: "Rotates partner API tokens" });
        }
        return new api.aws.lambda.Function(ROTATOR, {
            role: `arn:aws:iam::${ACCOUNT}:role/rotator`,
            runtime: "nodejs24.x",
            handler: "aws/rotate-secret.handler",
            code: new (require("@pulumi/pulumi").asset.AssetArchive)({}),
        });
    },
    declareComponent({ nhi }, name, i, rotator) {
        new nhi.aws.RotatingSecret(name, {
            owner: secretOwner(i),
            purpose: secretPurpose(i),
            rotateEveryDays: 30,
            readers: [readerArn(i)],
            rotator,
        });
    },
    /** The same secret and rotation written by hand: literal tags, description and resource policy. */
    declareHand({ aws }, name, i, _context, fn) {
        const o = secretOwner(i);
        const p = secretPurpose(i);
        const secret = new aws.secretsmanager.Secret(`${name}-secret`, {
            description: `${p} (owner: ${o}). Generated and rotated every 30 days by pulumi-nhi; read AWSCURRENT, accept AWSCURRENT or AWSPREVIOUS.`,
            recoveryWindowInDays: 30,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { AWS: [readerArn(i)] },
                    Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                    Resource: ["*"],
                }],
            }),
            tags: {
                "nhi:managed-by": "pulumi-nhi", "nhi:owner": o, "nhi:purpose": p,
                "nhi:value-length": "32", "nhi:value-format": "alphanumeric", "nhi:rotator": ROTATOR_ID,
            },
        });
        new aws.secretsmanager.SecretRotation(`${name}-rotation`, {
            secretId: secret.id,
            rotationLambdaArn: fn.arn,
            rotationRules: { automaticallyAfterDays: 30 },
            rotateImmediately: true,
        });
    },
    compared: [["aws:secretsmanager/secret:Secret", "-secret"], ["aws:secretsmanager/secretRotation:SecretRotation", "-rotation"]],
    handContext() {
        return null;
    },
    /** A rotation's `secretId` differs only by the resource name; compare it as a reference. */
    normalise(inputs, prefix) {
        return inputs.secretId !== undefined ? { ...inputs, secretId: inputs.secretId.replace(prefix, "<x>-") } : inputs;
    },
};

module.exports = { ACCOUNT, EXPIRES_AT, FUNCTION_ARN, workloads: { identities, secrets } };
