import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import {
    DEPROVISION_RETRY_POLICY,
    QUARANTINE_ACKNOWLEDGEMENT,
    QUARANTINE_POLICY_JSON,
    QUARANTINE_RESERVED_CHARS,
    QUARANTINE_PLACEHOLDER_ARNS,
    QUARANTINE_ROLE_PLANS_MAX,
    quarantineRolePlan,
    quarantineScheduleExpression,
    quarantineSchedulerSource,
    quarantineTarget,
    withQuarantinedArn,
} from "../../components/aws/deprovision";
import { planAwsAccessKeyIdentity } from "../../components/aws/access-key-identity";
import {
    MAX_INLINE_POLICY_CHARS,
    MAX_USER_INLINE_POLICY_CHARS,
    ROLE_POLICY_LIMITS,
    USER_POLICY_LIMITS,
    documentSize,
} from "../../components/aws/policy";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { capture, ofType, Registered, valueOf } from "../../components/testing";
import { BadInput, TABLE_NOW, itRefusesEach } from "../support/bad-input";
import { Decision, decideIdentity, decideTrust, expectDecisions } from "../support/iam-simulator";

const ACCOUNT = "123456789012";
const EXPIRY = "2099-06-30T00:00:00Z";
/** The execution role's own expiry: 15 days after the identity's. */
const ROLE_EXPIRY = "2099-07-15T00:00:00Z";
const OWNERSHIP = { owner: "team-payments", purpose: "Processes invoices" };
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:invoices`;
const CONSUME = { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources: [QUEUE] };
const LAMBDA = { service: { principal: "lambda.amazonaws.com" } };
const KEY = { consumer: "acme-vendor", rotateEveryDays: 30 };
const DENY_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] };
/** AWS IAM quotas: the aggregate of a role's, a user's inline policies, whitespace not counted. */
const AWS_ROLE_INLINE_CHARS = 10_240;
const AWS_USER_INLINE_CHARS = 2_048;

const named = (resources: readonly Registered[], type: string, name: string) => {
    const found = ofType(resources, type).find((r) => r.name === name);
    assert.ok(found, `no ${type} ${name} among ${resources.map((r) => `${r.type} ${r.name}`).join(", ")}`);
    return found;
};
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}-1a2b3c4`;

describe("aws deprovisioning at expiry: the quarantine of a role", () => {
    let resources: Registered[];
    before(async () => {
        // GIVEN a Lambda worker that expires, with a tag of the user's
        ({ resources } = await capture(
            () =>
                new aws.ServiceIdentity("worker", {
                    ...OWNERSHIP,
                    trust: LAMBDA,
                    grants: [CONSUME],
                    expiresAt: EXPIRY,
                    tags: { CostCenter: "cc-42" },
                }),
        ));
    });

    it("schedules one call of IAM PutRolePolicy at expiresAt in UTC, which puts the deny-all policy on the role, then deletes itself", () => {
        const schedule = named(resources, "aws:scheduler/schedule:Schedule", "worker-expiry");
        // THEN the schedule runs once, at the expiry to the second, in UTC, on time, and is deleted after it ran
        assert.deepStrictEqual(schedule.inputs, {
            description: `Quarantines the IAM role of worker at its expiry ${EXPIRY}: puts the deny-all inline policy nhi-quarantine (pulumi-nhi).`,
            scheduleExpression: "at(2099-06-30T00:00:00)",
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            actionAfterCompletion: "DELETE",
            target: {
                arn: "arn:aws:scheduler:::aws-sdk:iam:putRolePolicy",
                roleArn: roleArn("worker-expiry-role"),
                input: schedule.inputs.target.input,
                retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
            },
        });
        // AND its input is exactly IAM's PutRolePolicy request for this role (the name, without path)
        const request = JSON.parse(schedule.inputs.target.input);
        assert.deepStrictEqual(request, {
            RoleName: "worker-role-1a2b3c4",
            PolicyName: "nhi-quarantine",
            PolicyDocument: QUARANTINE_POLICY_JSON,
        });
        // AND the policy denies every action on every resource, with no condition
        assert.deepStrictEqual(JSON.parse(request.PolicyDocument), DENY_ALL);
        assert.strictEqual(
            request.PolicyDocument,
            '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
        );
    });

    it("runs as a role that EventBridge Scheduler of this account's default group may assume, allowed PutRolePolicy on this role only, expiring 15 days after it", () => {
        const role = named(resources, "aws:iam/role:Role", "worker-expiry-role");
        const policy = named(resources, "aws:iam/rolePolicy:RolePolicy", "worker-expiry-policy");
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        ArnLike: { "aws:SourceArn": `arn:aws:scheduler:*:${ACCOUNT}:schedule-group/default` },
                        DateLessThan: { "aws:CurrentTime": ROLE_EXPIRY },
                        StringEquals: { "aws:SourceAccount": ACCOUNT },
                    },
                },
            ],
        });
        assert.deepStrictEqual(JSON.parse(policy.inputs.policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: ["iam:PutRolePolicy"],
                    Resource: [roleArn("worker-role")],
                    Condition: { DateLessThan: { "aws:CurrentTime": ROLE_EXPIRY } },
                },
            ],
        });
        // AND it records why it may write a role's inline policy, who owns it, and the user's tags
        assert.deepStrictEqual(role.inputs.tags, {
            CostCenter: "cc-42",
            "nhi:escalation:PutRolePolicy": QUARANTINE_ACKNOWLEDGEMENT,
            "nhi:expires-at": ROLE_EXPIRY,
            "nhi:managed-by": "pulumi-nhi",
            "nhi:owner": "team-payments",
            "nhi:purpose": "Quarantines one IAM role at its expiry",
        });
    });

    it("declares no schedule for the execution role itself, nor for anything but the identity", () => {
        // THEN exactly one schedule, and its role's identity has no `-expiry` of its own
        assert.deepStrictEqual(
            ofType(resources, "aws:scheduler/schedule:Schedule").map((r) => r.name),
            ["worker-expiry"],
        );
        assert.deepStrictEqual(
            resources.filter((r) => r.name.includes("expiry-expiry")),
            [],
        );
    });

    it("lets the execution role put a policy on that one role and do nothing else, until 15 days after the expiry", async () => {
        const policy = named(resources, "aws:iam/rolePolicy:RolePolicy", "worker-expiry-policy").inputs.policy;
        const at =
            (action: string, resource: string, time = "2099-06-30T00:00:05Z") =>
            () =>
                decideIdentity(roleArn("worker-expiry-role"), [policy], action, resource, { "aws:CurrentTime": time });
        const target = roleArn("worker-role");
        await expectDecisions([
            {
                what: "PutRolePolicy on the identity at its expiry",
                expected: "Allowed",
                decide: at("iam:PutRolePolicy", target),
            },
            {
                what: "PutRolePolicy on the identity a day of retries later",
                expected: "Allowed",
                decide: at("iam:PutRolePolicy", target, "2099-07-01T00:00:05Z"),
            },
            {
                what: "PutRolePolicy on the identity once the role expired",
                expected: "Denied",
                decide: at("iam:PutRolePolicy", target, "2099-07-15T00:00:01Z"),
            },
            {
                what: "PutRolePolicy on another role",
                expected: "Denied",
                decide: at("iam:PutRolePolicy", roleArn("admin-role")),
            },
            {
                what: "PutRolePolicy on its own role",
                expected: "Denied",
                decide: at("iam:PutRolePolicy", roleArn("worker-expiry-role")),
            },
            {
                what: "AttachRolePolicy on the identity",
                expected: "Denied",
                decide: at("iam:AttachRolePolicy", target),
            },
            {
                what: "DeleteRolePolicy on the identity",
                expected: "Denied",
                decide: at("iam:DeleteRolePolicy", target),
            },
            {
                what: "UpdateAssumeRolePolicy on the identity",
                expected: "Denied",
                decide: at("iam:UpdateAssumeRolePolicy", target),
            },
            {
                what: "PutUserPolicy on a user",
                expected: "Denied",
                decide: at("iam:PutUserPolicy", `arn:aws:iam::${ACCOUNT}:user/someone`),
            },
            { what: "PassRole of the identity", expected: "Denied", decide: at("iam:PassRole", target) },
            {
                what: "reading the queue the identity reads",
                expected: "Denied",
                decide: at("sqs:ReceiveMessage", QUEUE),
            },
        ]);
    });

    it("lets only EventBridge Scheduler, for a schedule of this account's default group, assume the execution role", async () => {
        const trust = named(resources, "aws:iam/role:Role", "worker-expiry-role").inputs.assumeRolePolicy;
        const assume =
            (
                principal: string,
                account: string | undefined,
                sourceArn: string | undefined,
                time = "2099-06-30T00:00:05Z",
            ) =>
            (): Promise<Decision> =>
                decideTrust(trust, {
                    principal,
                    roleArn: roleArn("worker-expiry-role"),
                    context: {
                        "aws:CurrentTime": time,
                        ...(account === undefined ? {} : { "aws:SourceAccount": account }),
                        ...(sourceArn === undefined ? {} : { "aws:SourceArn": sourceArn }),
                    },
                });
        const group = (region: string, account = ACCOUNT, name = "default") =>
            `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`;
        await expectDecisions([
            {
                what: "Scheduler, this account's default group",
                expected: "Allowed",
                decide: assume("scheduler.amazonaws.com", ACCOUNT, group("us-east-1")),
            },
            {
                what: "Scheduler, this account's default group in another region",
                expected: "Allowed",
                decide: assume("scheduler.amazonaws.com", ACCOUNT, group("eu-west-1")),
            },
            {
                what: "Scheduler, another group of this account",
                expected: "Denied",
                decide: assume("scheduler.amazonaws.com", ACCOUNT, group("us-east-1", ACCOUNT, "mine")),
            },
            {
                what: "Scheduler, another account's default group",
                expected: "Denied",
                decide: assume("scheduler.amazonaws.com", "210987654321", group("us-east-1", "210987654321")),
            },
            {
                what: "Scheduler without a source",
                expected: "Denied",
                decide: assume("scheduler.amazonaws.com", undefined, undefined),
            },
            {
                what: "Scheduler once the role expired",
                expected: "Denied",
                decide: assume("scheduler.amazonaws.com", ACCOUNT, group("us-east-1"), "2099-07-15T00:00:01Z"),
            },
            { what: "Lambda", expected: "Denied", decide: assume("lambda.amazonaws.com", ACCOUNT, group("us-east-1")) },
        ]);
    });

    it("denies the role everything once the quarantine policy is in place: its own grants and any policy attached by hand", async () => {
        const own = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "worker-policy").inputs.policy);
        const ADMIN = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
        const decide = (documents: object[], time: string) =>
            decideIdentity(
                roleArn("worker-role"),
                documents.map((d) => JSON.stringify(d)),
                "sqs:ReceiveMessage",
                QUEUE,
                { "aws:CurrentTime": time },
            );
        // GIVEN the role's own grant, and AdministratorAccess attached out of band
        // THEN before the quarantine the grant works; with it (even renewed, before the new expiry) nothing does, by an explicit deny
        assert.strictEqual(await decide([own], "2099-06-29T23:59:59Z"), "Allowed");
        assert.strictEqual(await decide([own, DENY_ALL], "2099-06-29T23:59:59Z"), "ExplicitlyDenied");
        assert.strictEqual(await decide([ADMIN], "2099-06-30T00:00:05Z"), "Allowed");
        assert.strictEqual(await decide([own, ADMIN, DENY_ALL], "2099-06-30T00:00:05Z"), "ExplicitlyDenied");
        assert.strictEqual(
            await decideIdentity(
                roleArn("worker-role"),
                [JSON.stringify(ADMIN), QUARANTINE_POLICY_JSON],
                "iam:DeleteRolePolicy",
                roleArn("worker-role"),
                { "aws:CurrentTime": "2099-06-30T00:00:05Z" },
            ),
            "ExplicitlyDenied",
        );
    });

    it("keeps the identity's policies in RolePolicy resources, not the role's exclusive inlinePolicies, so an update or refresh leaves the quarantine alone", () => {
        // The Role's `inlinePolicies` would make Pulumi remove every inline policy it does not
        // declare (the provider's "exclusive" mode); a RolePolicy manages its one named policy.
        const role = named(resources, "aws:iam/role:Role", "worker-role");
        assert.ok(!("inlinePolicies" in role.inputs), JSON.stringify(Object.keys(role.inputs)));
        assert.ok(!("managedPolicyArns" in role.inputs), JSON.stringify(Object.keys(role.inputs)));
        assert.deepStrictEqual(ofType(resources, "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"), []);
        assert.notStrictEqual(
            named(resources, "aws:iam/rolePolicy:RolePolicy", "worker-policy").inputs.name,
            "nhi-quarantine",
        );
    });
});

describe("aws deprovisioning at expiry: the quarantine of a user", () => {
    it("puts the deny-all policy on the access key's user with PutUserPolicy, by its name without path, through a role allowed that alone", async () => {
        // GIVEN a vendor key that expires
        const { resources } = await capture(
            () => new aws.AccessKeyIdentity("acme", { ...OWNERSHIP, ...KEY, grants: [], expiresAt: EXPIRY }),
        );
        const schedule = named(resources, "aws:scheduler/schedule:Schedule", "acme-expiry");
        const user = `arn:aws:iam::${ACCOUNT}:user/nhi/acme-user-1a2b3c4`;
        // THEN the schedule calls PutUserPolicy at the expiry with the user's name
        assert.strictEqual(schedule.inputs.scheduleExpression, "at(2099-06-30T00:00:00)");
        assert.strictEqual(schedule.inputs.target.arn, "arn:aws:scheduler:::aws-sdk:iam:putUserPolicy");
        assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input), {
            UserName: "acme-user-1a2b3c4",
            PolicyName: "nhi-quarantine",
            PolicyDocument: QUARANTINE_POLICY_JSON,
        });
        // AND only the user is quarantined: the rotation function's and the daily check's roles are the package's own, with no schedule
        assert.deepStrictEqual(
            ofType(resources, "aws:scheduler/schedule:Schedule")
                .map((r) => r.name)
                .sort(),
            ["acme-expiry", "acme-retire"],
        );
        const role = named(resources, "aws:iam/role:Role", "acme-expiry-role");
        assert.strictEqual(role.inputs.tags["nhi:escalation:PutUserPolicy"], QUARANTINE_ACKNOWLEDGEMENT);
        const policy = named(resources, "aws:iam/rolePolicy:RolePolicy", "acme-expiry-policy").inputs.policy;
        const at = (action: string, resource: string) => () =>
            decideIdentity(roleArn("acme-expiry-role"), [policy], action, resource, {
                "aws:CurrentTime": "2099-06-30T00:00:05Z",
            });
        await expectDecisions([
            { what: "PutUserPolicy on the user", expected: "Allowed", decide: at("iam:PutUserPolicy", user) },
            {
                what: "PutUserPolicy on another user",
                expected: "Denied",
                decide: at("iam:PutUserPolicy", `arn:aws:iam::${ACCOUNT}:user/nhi/other-user-1a2b3c4`),
            },
            { what: "AttachUserPolicy on the user", expected: "Denied", decide: at("iam:AttachUserPolicy", user) },
            { what: "UpdateAccessKey of the user", expected: "Denied", decide: at("iam:UpdateAccessKey", user) },
            {
                what: "PutRolePolicy on the rotator's role",
                expected: "Denied",
                decide: at("iam:PutRolePolicy", roleArn("acme-rotator-role")),
            },
        ]);
        // AND the user's policies are UserPolicy resources (a User has no exclusive inline policies argument)
        assert.ok(!("inlinePolicies" in named(resources, "aws:iam/user:User", "acme-user").inputs));
    });
});

describe("aws deprovisioning at expiry: when there is none, and renewals", () => {
    const children = (resources: readonly Registered[]) => resources.map((r) => `${r.type} ${r.name}`).sort();

    it("declares no schedule without expiresAt, nor with deprovisionAtExpiry: false", async () => {
        const { resources: none } = await capture(
            () => new aws.ServiceIdentity("worker", { ...OWNERSHIP, trust: LAMBDA, grants: [CONSUME] }),
        );
        const { resources: off } = await capture(
            () =>
                new aws.ServiceIdentity("worker", {
                    ...OWNERSHIP,
                    trust: LAMBDA,
                    grants: [CONSUME],
                    expiresAt: EXPIRY,
                    deprovisionAtExpiry: false,
                }),
        );
        const { resources: keyOff } = await capture(
            () =>
                new aws.AccessKeyIdentity("acme", {
                    ...OWNERSHIP,
                    ...KEY,
                    grants: [],
                    expiresAt: EXPIRY,
                    deprovisionAtExpiry: false,
                }),
        );
        for (const resources of [none, off]) {
            assert.deepStrictEqual(children(resources), [
                "aws:iam/role:Role worker-role",
                "aws:iam/rolePolicy:RolePolicy worker-policy",
                "nhi:aws:ServiceIdentity worker",
            ]);
        }
        assert.deepStrictEqual(
            ofType(keyOff, "aws:scheduler/schedule:Schedule").map((r) => r.name),
            ["acme-retire"],
        );
        // AND the opted-out identity still expires by its conditions
        assert.match(
            named(off, "aws:iam/rolePolicy:RolePolicy", "worker-policy").inputs.policy,
            /"DateLessThan":\{"aws:CurrentTime":"2099-06-30T00:00:00Z"\}/,
        );
    });

    it("moves the schedule when expiresAt is renewed: the same resources, a new instant, the identity's role unchanged but for its conditions", async () => {
        const declare = (expiresAt: string) =>
            capture(
                () => new aws.ServiceIdentity("worker", { ...OWNERSHIP, trust: LAMBDA, grants: [CONSUME], expiresAt }),
            );
        const { resources: before } = await declare(EXPIRY);
        const { resources: after } = await declare("2100-01-31T12:00:00+01:00");
        // THEN the same children (updates, no new or replaced names), the schedule at the new instant in UTC
        assert.deepStrictEqual(children(after), children(before));
        assert.strictEqual(
            named(after, "aws:scheduler/schedule:Schedule", "worker-expiry").inputs.scheduleExpression,
            "at(2100-01-31T11:00:00)",
        );
        assert.strictEqual(
            named(after, "aws:iam/role:Role", "worker-expiry-role").inputs.tags["nhi:expires-at"],
            "2100-02-15T11:00:00Z",
        );
        // AND the schedule's target and input, and everything of the identity but its conditions, stay as they were
        const schedule = (rs: Registered[]) =>
            named(rs, "aws:scheduler/schedule:Schedule", "worker-expiry").inputs.target.input;
        assert.strictEqual(schedule(after), schedule(before));
        const role = (rs: Registered[]) => {
            const { assumeRolePolicy, tags, ...rest } = named(rs, "aws:iam/role:Role", "worker-role").inputs;
            return rest;
        };
        assert.deepStrictEqual(role(after), role(before));
    });

    it("writes the one-time expression of any instant in UTC, whatever offset expiresAt was written with", () => {
        const cases: [string, string][] = [
            ["2099-06-30T00:00:00Z", "at(2099-06-30T00:00:00)"],
            ["2099-06-30T09:30:00+02:00", "at(2099-06-30T07:30:00)"],
            ["2099-12-31T23:30-01:00", "at(2100-01-01T00:30:00)"],
            ["2099-06-30T00:00:00.999Z", "at(2099-06-30T00:00:00)"],
        ];
        for (const [expiresAt, expected] of cases) {
            const plan = planAwsServiceIdentity(
                "worker",
                { ...OWNERSHIP, trust: LAMBDA, grants: [], expiresAt },
                TABLE_NOW,
            );
            assert.strictEqual(quarantineScheduleExpression(plan.deprovision!.at), expected, expiresAt);
        }
    });

    it("names the partition's universal target and the account's default groups from the principal's ARN", () => {
        const cases: [string, "role" | "user", string, string][] = [
            [
                "arn:aws:iam::111122223333:role/r-1a2b3c4",
                "role",
                "arn:aws:scheduler:::aws-sdk:iam:putRolePolicy",
                "arn:aws:scheduler:*:111122223333:schedule-group/default",
            ],
            [
                "arn:aws-cn:iam::444455556666:user/nhi/u-1a2b3c4",
                "user",
                "arn:aws-cn:scheduler:::aws-sdk:iam:putUserPolicy",
                "arn:aws-cn:scheduler:*:444455556666:schedule-group/default",
            ],
            [
                "arn:aws-us-gov:iam::777788889999:role/team/r",
                "role",
                "arn:aws-us-gov:scheduler:::aws-sdk:iam:putRolePolicy",
                "arn:aws-us-gov:scheduler:*:777788889999:schedule-group/default",
            ],
        ];
        for (const [arn, noun, targetArn, sourceArn] of cases) {
            assert.strictEqual(quarantineTarget(noun, arn, "n").arn, targetArn, arn);
            assert.deepStrictEqual(
                quarantineSchedulerSource(arn),
                { sourceAccount: arn.split(":")[4], sourceArn },
                arn,
            );
        }
        assert.deepStrictEqual(DEPROVISION_RETRY_POLICY, {
            maximumEventAgeInSeconds: 86_400,
            maximumRetryAttempts: 185,
        });
    });

    it("plans the execution role with a placeholder ARN and puts the identity's ARN, account and partition in its documents, nothing else", () => {
        // GIVEN the execution role's documents as planned, with the placeholder
        const placeholder = QUARANTINE_PLACEHOLDER_ARNS.user;
        const trust = JSON.stringify({
            Statement: [
                {
                    Condition: {
                        StringEquals: { "aws:SourceAccount": "000000000000" },
                        ArnLike: { "aws:SourceArn": "arn:aws:scheduler:*:000000000000:schedule-group/default" },
                    },
                    Sid: "000000000000",
                },
            ],
        });
        const policy = JSON.stringify({
            Statement: [
                {
                    Action: "iam:PutUserPolicy",
                    Resource: placeholder,
                    Sid: 'keep "000000000000" and arn:aws:iam::000000000000:user/nhi-quarantine-placeholder in text',
                },
            ],
        });
        // WHEN the identity's ARN is known
        const arn = "arn:aws-cn:iam::444455556666:user/nhi/u-1a2b3c4";
        // THEN the ARN, the account and the scheduler source are the identity's, in any partition and path
        assert.strictEqual(
            withQuarantinedArn(trust, placeholder, arn),
            JSON.stringify({
                Statement: [
                    {
                        Condition: {
                            StringEquals: { "aws:SourceAccount": "444455556666" },
                            ArnLike: { "aws:SourceArn": "arn:aws-cn:scheduler:*:444455556666:schedule-group/default" },
                        },
                        Sid: "444455556666",
                    },
                ],
            }),
        );
        // AND a value that merely contains a placeholder is left as it is
        assert.strictEqual(
            withQuarantinedArn(policy, placeholder, arn),
            JSON.stringify({
                Statement: [
                    {
                        Action: "iam:PutUserPolicy",
                        Resource: arn,
                        Sid: 'keep "000000000000" and arn:aws:iam::000000000000:user/nhi-quarantine-placeholder in text',
                    },
                ],
            }),
        );
    });
});

describe("aws deprovisioning at expiry: one plan for execution roles with the same arguments", () => {
    const roleArgs = (owner: string, tags?: Record<string, pulumi.Input<string>>): aws.AwsServiceIdentityArgs => ({
        owner,
        purpose: "Quarantines one IAM role at its expiry",
        trust: { service: { principal: "scheduler.amazonaws.com" } },
        grants: [
            {
                actions: ["iam:PutRolePolicy"],
                resources: [QUARANTINE_PLACEHOLDER_ARNS.role],
                acknowledge: QUARANTINE_ACKNOWLEDGEMENT,
            },
        ],
        tags,
        expiresAt: ROLE_EXPIRY,
        deprovisionAtExpiry: false,
    });
    /** The planner, counting its calls. */
    const counting = () => {
        const calls: string[] = [];
        const plan = (name: string, args: aws.AwsServiceIdentityArgs) => {
            calls.push(name);
            return planAwsServiceIdentity(name, args);
        };
        return { calls, plan };
    };

    it("plans once for the same arguments, again for another owner, tag or expiry, and always for tags known only at deploy time", () => {
        // GIVEN a planner that counts its calls, and a unique owner so that no earlier test shares its plans
        const { calls, plan } = counting();
        const owner = `team-cache-${Date.now()}`;
        // WHEN execution roles of several identities are planned
        const first = quarantineRolePlan("a-expiry", roleArgs(owner, { CostCenter: "cc-1" }), plan);
        const same = quarantineRolePlan("b-expiry", roleArgs(owner, { CostCenter: "cc-1" }), plan);
        const otherTag = quarantineRolePlan("c-expiry", roleArgs(owner, { CostCenter: "cc-2" }), plan);
        const otherOwner = quarantineRolePlan("d-expiry", roleArgs(`${owner}-x`, { CostCenter: "cc-1" }), plan);
        const later = { ...roleArgs(owner, { CostCenter: "cc-1" }), expiresAt: "2099-08-01T00:00:00Z" };
        quarantineRolePlan("e-expiry", later, plan);
        quarantineRolePlan("f-expiry", roleArgs(owner, { CostCenter: pulumi.output("cc-1") }), plan);
        quarantineRolePlan("g-expiry", roleArgs(owner, { CostCenter: pulumi.output("cc-1") }), plan);
        // THEN the same arguments share one plan, every other set of arguments is planned
        assert.deepStrictEqual(calls, ["a-expiry", "c-expiry", "d-expiry", "e-expiry", "f-expiry", "g-expiry"]);
        assert.strictEqual(same, first);
        // AND a shared plan is what planning that identity alone gives
        assert.deepStrictEqual(same, planAwsServiceIdentity("b-expiry", roleArgs(owner, { CostCenter: "cc-1" })));
        assert.notStrictEqual(otherTag, first);
        assert.notDeepStrictEqual(otherOwner.tags, first.tags);
    });

    it(`keeps at most ${QUARANTINE_ROLE_PLANS_MAX} plans: past that it starts again, so a program of many owners and expiries holds no more`, () => {
        // GIVEN a planner that counts its calls (it need not plan: what is kept is what it returns)
        const calls: string[] = [];
        const plan = (_name: string, args: aws.AwsServiceIdentityArgs) => {
            calls.push(args.owner);
            return { owner: args.owner } as unknown as ReturnType<typeof planAwsServiceIdentity>;
        };
        const run = Date.now();
        const owner = (i: number) => `team-cap-${run}-${i}`;
        // WHEN one more set of arguments than it keeps is planned
        for (let i = 0; i <= QUARANTINE_ROLE_PLANS_MAX; i++) {
            quarantineRolePlan("x-expiry", roleArgs(owner(i)), plan);
        }
        assert.strictEqual(calls.length, QUARANTINE_ROLE_PLANS_MAX + 1);
        // THEN the newest is still kept, and the first was let go: planned again
        quarantineRolePlan("x-expiry", roleArgs(owner(QUARANTINE_ROLE_PLANS_MAX)), plan);
        assert.strictEqual(calls.length, QUARANTINE_ROLE_PLANS_MAX + 1);
        quarantineRolePlan("x-expiry", roleArgs(owner(0)), plan);
        assert.deepStrictEqual(calls.slice(QUARANTINE_ROLE_PLANS_MAX + 1), [owner(0)]);
    });

    it("still gives each identity an execution role of its own: its ARN in the policy, its account in the trust, its name in the schedule", async () => {
        // GIVEN two identities with the same owner, tags and expiry (one plan for both execution roles)
        const { resources } = await capture(() => {
            for (const name of ["alpha", "beta"]) {
                new aws.ServiceIdentity(name, { ...OWNERSHIP, trust: LAMBDA, grants: [CONSUME], expiresAt: EXPIRY });
            }
        });
        for (const [name, other] of [
            ["alpha", "beta"],
            ["beta", "alpha"],
        ]) {
            // THEN each execution role may put a policy on its own identity only
            const policy = JSON.parse(
                named(resources, "aws:iam/rolePolicy:RolePolicy", `${name}-expiry-policy`).inputs.policy,
            );
            assert.deepStrictEqual(policy.Statement[0].Resource, [roleArn(`${name}-role`)]);
            assert.ok(!JSON.stringify(policy).includes(roleArn(`${other}-role`)));
            // AND its trust names this account, and its schedule puts the policy on its own role
            const trust: string = named(resources, "aws:iam/role:Role", `${name}-expiry-role`).inputs.assumeRolePolicy;
            assert.ok(trust.includes(`"aws:SourceAccount":"${ACCOUNT}"`), trust);
            assert.ok(!trust.includes("000000000000"), trust);
            const input = JSON.parse(
                named(resources, "aws:scheduler/schedule:Schedule", `${name}-expiry`).inputs.target.input,
            );
            assert.strictEqual(input.RoleName, `${name}-role-1a2b3c4`);
        }
    });
});

describe("aws deprovisioning at expiry: the inline policy room it keeps", () => {
    /** Grants of s3:PutObject on `n` object prefixes: one statement that grows with `n`. */
    const grants = (n: number) => [
        {
            actions: ["s3:PutObject"],
            resources: Array.from(
                { length: n },
                (_, i) => `arn:aws:s3:::exchange/vendor-${String(i).padStart(3, "0")}/*`,
            ),
        },
    ];

    it("reserves the quarantine's characters in the inline policy of a role and of a user, below AWS's aggregate quotas", () => {
        const role = planAwsServiceIdentity(
            "worker",
            { ...OWNERSHIP, trust: LAMBDA, grants: [], expiresAt: EXPIRY },
            TABLE_NOW,
        );
        const user = planAwsAccessKeyIdentity(
            "acme",
            { ...OWNERSHIP, ...KEY, grants: [], expiresAt: EXPIRY },
            TABLE_NOW,
        );
        assert.strictEqual(QUARANTINE_RESERVED_CHARS, QUARANTINE_POLICY_JSON.length + "nhi-quarantine".length);
        assert.deepStrictEqual(role.limits, {
            ...ROLE_POLICY_LIMITS,
            inline: MAX_INLINE_POLICY_CHARS - QUARANTINE_RESERVED_CHARS,
        });
        assert.deepStrictEqual(user.limits, {
            ...USER_POLICY_LIMITS,
            inline: MAX_USER_INLINE_POLICY_CHARS - QUARANTINE_RESERVED_CHARS,
        });
        assert.ok(role.limits.inline + QUARANTINE_RESERVED_CHARS <= AWS_ROLE_INLINE_CHARS);
        assert.ok(user.limits.inline + QUARANTINE_RESERVED_CHARS <= AWS_USER_INLINE_CHARS);
        // AND an identity without deprovisioning keeps the whole room
        assert.deepStrictEqual(
            planAwsServiceIdentity(
                "worker",
                { ...OWNERSHIP, trust: LAMBDA, grants: [], expiresAt: EXPIRY, deprovisionAtExpiry: false },
                TABLE_NOW,
            ).limits,
            ROLE_POLICY_LIMITS,
        );
    });

    it("moves grants to a managed policy rather than leave the quarantine no room: the user's inline policy plus the quarantine always fit", () => {
        let moved = 0;
        for (let n = 1; n <= 60; n++) {
            const withQuarantine = planAwsAccessKeyIdentity(
                "acme",
                { ...OWNERSHIP, ...KEY, grants: grants(n), expiresAt: EXPIRY },
                TABLE_NOW,
            ).policies.layout;
            const without = planAwsAccessKeyIdentity(
                "acme",
                { ...OWNERSHIP, ...KEY, grants: grants(n), expiresAt: EXPIRY, deprovisionAtExpiry: false },
                TABLE_NOW,
            ).policies.layout;
            assert.ok(
                documentSize(withQuarantine.inline) + QUARANTINE_RESERVED_CHARS <= AWS_USER_INLINE_CHARS,
                `n=${n}`,
            );
            moved += withQuarantine.managed.length > without.managed.length ? 1 : 0;
        }
        // Some sizes fit inline only without the quarantine's room: the case the reservation exists for.
        assert.ok(moved > 0, "no grant size needed the reserved room");
    });
});

describe("aws deprovisioning at expiry: bad input", () => {
    const role = (more: object) => ({ ...OWNERSHIP, trust: LAMBDA, grants: [], expiresAt: EXPIRY, ...more });
    const long = "a".repeat(45);
    const table: BadInput[] = [
        {
            what: "a deprovisionAtExpiry that is not a boolean",
            args: role({ deprovisionAtExpiry: "yes" }),
            path: "deprovisionAtExpiry",
            reason: "`deprovisionAtExpiry` must be `true` or `false`; got `yes`.",
        },
        {
            what: "a name too long for the execution role of its quarantine",
            name: long,
            args: role({}),
            path: "name",
            reason: `\`name\` \`${long}\` is 45 characters; the IAM role name \`${long}-expiry-role-xxxxxxx\` of its deprovisioning at expiry must be at most 64 characters (AWS limit), so \`name\` may have at most 44 while \`expiresAt\` is set. Shorten it, or set \`deprovisionAtExpiry: false\`.`,
        },
        {
            what: "an expiresAt in the past (no schedule can be set in the past)",
            args: role({ expiresAt: "2026-11-24T00:00:00Z" }),
            path: "expiresAt",
            reason: "`expiresAt` is in the past: `2026-11-24T00:00:00Z` is before now (2026-11-25T00:00:00Z). Give a future instant, or remove the identity if it is no longer needed.",
        },
    ];
    itRefusesEach(table, "AwsServiceIdentity", "worker", planAwsServiceIdentity);

    it("types deprovisionAtExpiry as a boolean, on both kinds of identity", () => {
        const ok: aws.AwsServiceIdentityArgs = role({ deprovisionAtExpiry: false }) as aws.AwsServiceIdentityArgs;
        // prettier-ignore
        // @ts-expect-error a string is not a boolean
        const bad: aws.AwsAccessKeyIdentityArgs = { ...OWNERSHIP, ...KEY, grants: [], expiresAt: EXPIRY, deprovisionAtExpiry: "no" };
        assert.throws(
            () => planAwsAccessKeyIdentity("acme", bad, TABLE_NOW),
            /`deprovisionAtExpiry` must be `true` or `false`; got `no`\./,
        );
        assert.strictEqual(planAwsServiceIdentity("worker", ok, TABLE_NOW).deprovision, undefined);
    });

    it("accepts that name without expiresAt, or with deprovisionAtExpiry: false", () => {
        for (const args of [{ ...OWNERSHIP, trust: LAMBDA, grants: [] }, role({ deprovisionAtExpiry: false })]) {
            assert.strictEqual(
                planAwsServiceIdentity(long, args as aws.AwsServiceIdentityArgs, TABLE_NOW).deprovision,
                undefined,
            );
        }
    });
});

describe("aws deprovisioning at expiry: the schedule's input as IAM reads it", () => {
    it("is the request PutRolePolicy takes: the role's name, the policy's name, the document as a string", async () => {
        const { value } = await capture(
            () =>
                new aws.ServiceIdentity("worker", {
                    ...OWNERSHIP,
                    trust: LAMBDA,
                    grants: [],
                    expiresAt: EXPIRY,
                    path: "/team/",
                }),
        );
        const name = await valueOf(value.roleName);
        assert.deepStrictEqual(JSON.parse(quarantineTarget("role", await valueOf(value.roleArn), name).input), {
            RoleName: "worker-role-1a2b3c4",
            PolicyName: "nhi-quarantine",
            PolicyDocument: QUARANTINE_POLICY_JSON,
        });
        assert.strictEqual(
            typeof JSON.parse(quarantineTarget("role", "arn:aws:iam::1:role/x", "x").input).PolicyDocument,
            "string",
        );
    });
});
