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
            {
                actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                resources: [queueArn(i)],
            },
        ],
        expiresAt: EXPIRES_AT,
    };
}

/** The quarantine's execution role expires 15 days after the identity (components/aws/deprovision.ts). */
const QUARANTINE_ROLE_EXPIRES_AT = `${new Date(Date.parse(EXPIRES_AT) + 15 * 86_400_000).toISOString().slice(0, 19)}Z`;
const QUARANTINE_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
});

const identities = {
    title: "aws.ServiceIdentity vs hand-written aws.iam.Role + aws.iam.RolePolicy + its quarantine at expiry (aws.scheduler.Schedule, aws.iam.Role + aws.iam.RolePolicy)",
    unit: "identities",
    component: "aws.ServiceIdentity",
    /** For the `provider` workload: the component's type token and one instance's inputs. */
    token: "nhi:aws:ServiceIdentity",
    args: identityArgs,
    describe: (v) =>
        `Each identity: Lambda trust, \`s3\` \`read\` on one object prefix (${v.context.length} actions) + 3 exact \`sqs\` actions on one queue, owner/purpose, expiry a year ahead, quarantined then by a one-time schedule.`,
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
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "lambda.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { DateLessThan: { "aws:CurrentTime": EXPIRES_AT } },
                    },
                ],
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
        // The quarantine at expiry: a role EventBridge Scheduler may assume, allowed PutRolePolicy
        // on this role, and the one-time schedule that calls it.
        const until = { DateLessThan: { "aws:CurrentTime": QUARANTINE_ROLE_EXPIRES_AT } };
        const quarantineRole = new aws.iam.Role(`${name}-expiry-role`, {
            assumeRolePolicy: role.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "scheduler.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: {
                                ArnLike: {
                                    "aws:SourceArn": `arn:aws:scheduler:*:${arn.split(":")[4]}:schedule-group/default`,
                                },
                                ...until,
                                StringEquals: { "aws:SourceAccount": arn.split(":")[4] },
                            },
                        },
                    ],
                }),
            ),
            description: `Quarantines one IAM role at its expiry (owner: ${o})`,
            tags: {
                "nhi:managed-by": "pulumi-nhi",
                "nhi:owner": o,
                "nhi:purpose": "Quarantines one IAM role at its expiry",
                "nhi:expires-at": QUARANTINE_ROLE_EXPIRES_AT,
                "nhi:escalation:PutRolePolicy":
                    "pulumi-nhi deprovisioning at expiry: puts the deny-all policy nhi-quarantine on its one identity once and can do nothing else",
            },
        });
        new aws.iam.RolePolicy(`${name}-expiry-policy`, {
            role: quarantineRole.id,
            policy: role.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: ["iam:PutRolePolicy"], Resource: [arn], Condition: until }],
                }),
            ),
        });
        new aws.scheduler.Schedule(`${name}-expiry`, {
            description: `Quarantines the IAM role of ${name} at its expiry ${EXPIRES_AT}: puts the deny-all inline policy nhi-quarantine (pulumi-nhi).`,
            scheduleExpression: `at(${EXPIRES_AT.slice(0, 19)})`,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            actionAfterCompletion: "DELETE",
            target: {
                arn: "arn:aws:scheduler:::aws-sdk:iam:putRolePolicy",
                roleArn: quarantineRole.arn,
                input: role.name.apply((roleName) =>
                    JSON.stringify({
                        RoleName: roleName,
                        PolicyName: "nhi-quarantine",
                        PolicyDocument: QUARANTINE_POLICY,
                    }),
                ),
                retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
            },
        });
    },
    compared: [
        ["aws:iam/role:Role", "-role"],
        ["aws:iam/rolePolicy:RolePolicy", "-policy"],
        ["aws:iam/role:Role", "-expiry-role"],
        ["aws:iam/rolePolicy:RolePolicy", "-expiry-policy"],
        ["aws:scheduler/schedule:Schedule", "-expiry"],
    ],
    /** The S3 read actions the package grants on an object ARN, from its pure planning function (internal: not exported by the entry). */
    handContext(root) {
        const { planAwsServiceIdentity } = require(path.join(root, "bin", "aws", "service-identity.js"));
        const plan = planAwsServiceIdentity("probe", identityArgs(0));
        const statement = plan.policies.layout.inline.find((s) =>
            s.resources.some((r) => r.startsWith("arn:aws:s3:::")),
        );
        return [...statement.actions];
    },
    /**
     * The instance's own name appears in references (a policy's `role`, the quarantine's role ARNs,
     * role name and description): compare them as references.
     */
    normalise(inputs, prefix) {
        return JSON.parse(
            JSON.stringify(inputs)
                .split(prefix)
                .join("<x>-")
                .split(`of ${prefix.slice(0, -1)} at`)
                .join("of <x> at"),
        );
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
    describe: () =>
        "Each secret: owner/purpose, one reader role in its resource policy, rotated every 30 days by one rotation function shared by all (declared in the warm-up, outside the timed part).",
    /** One rotation function for every secret: the component's rotator, or a hand-written Lambda of the same name. */
    setup(api, mode) {
        if (mode === "component") {
            return new api.nhi.aws.SecretRotator(ROTATOR, {
                owner: "team-platform",
                purpose: "Rotates partner API tokens",
            });
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
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: [readerArn(i)] },
                        Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                        Resource: ["*"],
                    },
                ],
            }),
            tags: {
                "nhi:managed-by": "pulumi-nhi",
                "nhi:owner": o,
                "nhi:purpose": p,
                "nhi:value-length": "32",
                "nhi:value-format": "alphanumeric",
                "nhi:rotator": ROTATOR_ID,
            },
        });
        new aws.secretsmanager.SecretRotation(`${name}-rotation`, {
            secretId: secret.id,
            rotationLambdaArn: fn.arn,
            rotationRules: { automaticallyAfterDays: 30 },
            rotateImmediately: true,
        });
    },
    compared: [
        ["aws:secretsmanager/secret:Secret", "-secret"],
        ["aws:secretsmanager/secretRotation:SecretRotation", "-rotation"],
    ],
    handContext() {
        return null;
    },
    /** A rotation's `secretId` differs only by the resource name; compare it as a reference. */
    normalise(inputs, prefix) {
        return inputs.secretId !== undefined
            ? { ...inputs, secretId: inputs.secretId.replace(prefix, "<x>-") }
            : inputs;
    },
};

module.exports = { ACCOUNT, EXPIRES_AT, FUNCTION_ARN, workloads: { identities, secrets } };
