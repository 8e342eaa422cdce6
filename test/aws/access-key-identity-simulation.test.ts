import * as assert from "assert";
import { aws } from "../../components";
import { ACTIONS } from "../../components/runtime/aws/rotate-access-key";
import { capture, MOCK_ACCOUNT, ofType, valueOf } from "../../components/testing";
import { Decision, decideIdentity, decideTrust, expectDecisions, shiftDays } from "../support/iam-simulator";

/*
 * IAM simulation of aws.AccessKeyIdentity: the user's documents, and its rotation function's,
 * evaluated by a real IAM policy engine (@cloud-copilot/iam-simulate), request by request.
 */

const DAY_MS = 86_400_000;
/** An expiry about a year ahead, at midnight UTC: the component refuses an instant in the past. */
const EXPIRES_AT = `${new Date((Math.floor(Date.now() / DAY_MS) + 365) * DAY_MS).toISOString().slice(0, 10)}T00:00:00Z`;
const BEFORE = { "aws:CurrentTime": shiftDays(EXPIRES_AT, -1) };
const AFTER = { "aws:CurrentTime": shiftDays(EXPIRES_AT, 1) };
const OWNERSHIP = { owner: "team-payments", purpose: "Uploads invoices to Acme" };
const EXCHANGE = "arn:aws:s3:::acme-exchange";
const QUEUE = `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:acme-events`;
const GRANTS = [
    { actions: ["s3:PutObject"], resources: [`${EXCHANGE}/invoices/*`] },
    { service: "sqs", access: "read" as const, resources: [QUEUE] },
];

/** Requests in and around the grants above. */
const PROBES: [action: string, resource: string][] = [
    ["s3:PutObject", `${EXCHANGE}/invoices/2026/a.pdf`],
    ["s3:PutObject", `${EXCHANGE}/reports/a.pdf`],
    ["s3:GetObject", `${EXCHANGE}/invoices/2026/a.pdf`],
    ["s3:DeleteObject", `${EXCHANGE}/invoices/2026/a.pdf`],
    ["sqs:ReceiveMessage", QUEUE],
    ["sqs:GetQueueAttributes", QUEUE],
    ["sqs:SendMessage", QUEUE],
    ["sqs:DeleteMessage", QUEUE],
    ["sqs:ReceiveMessage", `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:other`],
    ["iam:CreateAccessKey", `arn:aws:iam::${MOCK_ACCOUNT}:user/nhi/acme-user-1a2b3c4`],
];

describe("IAM simulation of aws.AccessKeyIdentity", function () {
    this.timeout(60_000);
    let user: { arn: string; documents: string[] };
    let role: { arn: string; documents: string[] };

    before(async () => {
        const declared = await capture(() => ({
            user: new aws.AccessKeyIdentity("sim-acme", {
                ...OWNERSHIP,
                consumer: "acme-vendor",
                rotateEveryDays: 30,
                grants: GRANTS,
                expiresAt: EXPIRES_AT,
            }),
            role: new aws.ServiceIdentity("sim-acme-role", {
                ...OWNERSHIP,
                trust: { service: { principal: "lambda.amazonaws.com" } },
                grants: GRANTS,
                expiresAt: EXPIRES_AT,
            }),
        }));
        user = {
            arn: await valueOf(declared.value.user.userArn),
            documents: await valueOf(declared.value.user.policyDocuments),
        };
        role = {
            arn: await valueOf(declared.value.role.roleArn),
            documents: await valueOf(declared.value.role.policyDocuments),
        };
    });

    it("lets the user do exactly what it was granted before expiresAt, and nothing after", async () => {
        // GIVEN the user's documents  WHEN it asks in and around its grants, a day before and after the expiry
        const at = (action: string, resource: string, context: Record<string, string>) => () =>
            decideIdentity(user.arn, user.documents, action, resource, context);
        // THEN it writes invoices and reads the queue before, and nothing else; nothing after
        await expectDecisions([
            { what: "PutObject invoices/ before", expected: "Allowed", decide: at(...PROBES[0], BEFORE) },
            { what: "PutObject reports/ before", expected: "Denied", decide: at(...PROBES[1], BEFORE) },
            { what: "GetObject invoices/ before", expected: "Denied", decide: at(...PROBES[2], BEFORE) },
            { what: "DeleteObject invoices/ before", expected: "Denied", decide: at(...PROBES[3], BEFORE) },
            { what: "ReceiveMessage before", expected: "Allowed", decide: at(...PROBES[4], BEFORE) },
            { what: "GetQueueAttributes before", expected: "Allowed", decide: at(...PROBES[5], BEFORE) },
            { what: "SendMessage before", expected: "Denied", decide: at(...PROBES[6], BEFORE) },
            { what: "ReceiveMessage on another queue before", expected: "Denied", decide: at(...PROBES[8], BEFORE) },
            { what: "CreateAccessKey on itself before", expected: "Denied", decide: at(...PROBES[9], BEFORE) },
            { what: "PutObject invoices/ after", expected: "Denied", decide: at(...PROBES[0], AFTER) },
            { what: "ReceiveMessage after", expected: "Denied", decide: at(...PROBES[4], AFTER) },
        ]);
    });

    it("decides every request as an aws.ServiceIdentity with the same grants does", async () => {
        // GIVEN the same grants held by a user and by a role
        // WHEN each asks every probe, before and after the expiry
        const differ: string[] = [];
        for (const [action, resource] of PROBES) {
            for (const context of [BEFORE, AFTER]) {
                const u = await decideIdentity(user.arn, user.documents, action, resource, context);
                const r = await decideIdentity(role.arn, role.documents, action, resource, context);
                if (u !== r) {
                    differ.push(`${action} on ${resource} at ${context["aws:CurrentTime"]}: user ${u}, role ${r}`);
                }
            }
        }
        // THEN no decision differs
        assert.deepStrictEqual(differ, []);
    });
});

describe("IAM simulation of aws.AccessKeyIdentity's rotation function and readers", function () {
    this.timeout(60_000);
    const READER = `arn:aws:iam::${MOCK_ACCOUNT}:role/acme-uploader`;
    const OTHER_ROLE = `arn:aws:iam::${MOCK_ACCOUNT}:role/someone-else`;
    const OTHER_USER = `arn:aws:iam::${MOCK_ACCOUNT}:user/nhi/other-user-1a2b3c4`;
    const OTHER_SECRET = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:other-AbCdEf`;
    let rotator: { arn: string; documents: string[] };
    let scheduler: { arn: string; documents: string[]; trust: string };
    let functionArn: string;
    let userArn: string;
    let secretArn: string;
    let secretPolicy: string;

    before(async () => {
        const { value, resources } = await capture(
            () =>
                new aws.AccessKeyIdentity("sim-key", {
                    ...OWNERSHIP,
                    consumer: "acme-vendor",
                    rotateEveryDays: 30,
                    grants: [],
                    readers: [READER],
                }),
        );
        userArn = await valueOf(value.userArn);
        secretArn = await valueOf(value.keySecretArn);
        const role = ofType(resources, "aws:iam/role:Role").find((r) => r.name === "sim-key-rotator-role")!;
        rotator = {
            arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${role.name}-1a2b3c4`,
            documents: ofType(resources, "aws:iam/rolePolicy:RolePolicy")
                .filter((p) => p.name === "sim-key-rotator-policy")
                .map((p) => p.inputs.policy),
        };
        secretPolicy = ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.policy;
        const retireRole = ofType(resources, "aws:iam/role:Role").find((r) => r.name === "sim-key-retire-role")!;
        scheduler = {
            arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${retireRole.name}-1a2b3c4`,
            documents: ofType(resources, "aws:iam/rolePolicy:RolePolicy")
                .filter((p) => p.name === "sim-key-retire-policy")
                .map((p) => p.inputs.policy),
            trust: retireRole.inputs.assumeRolePolicy,
        };
        functionArn = ofType(resources, "aws:scheduler/schedule:Schedule")[0].inputs.target.arn;
    });

    it("lets the daily check's role invoke this function, and do nothing else", async () => {
        // GIVEN the schedule's execution role  WHEN it asks to invoke the function, another function, and more
        const as = (action: string, resource: string) => () =>
            decideIdentity(scheduler.arn, scheduler.documents, action, resource);
        const OTHER_FUNCTION = `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:other-rotator-1a2b3c4`;
        // THEN only InvokeFunction on this function is allowed
        await expectDecisions([
            {
                what: "InvokeFunction on the rotation function",
                expected: "Allowed",
                decide: as("lambda:InvokeFunction", functionArn),
            },
            {
                what: "InvokeFunction on another function",
                expected: "Denied",
                decide: as("lambda:InvokeFunction", OTHER_FUNCTION),
            },
            {
                what: "UpdateFunctionCode on the rotation function",
                expected: "Denied",
                decide: as("lambda:UpdateFunctionCode", functionArn),
            },
            {
                what: "UpdateFunctionConfiguration on the rotation function",
                expected: "Denied",
                decide: as("lambda:UpdateFunctionConfiguration", functionArn),
            },
            {
                what: "GetSecretValue on the secret",
                expected: "Denied",
                decide: as("secretsmanager:GetSecretValue", secretArn),
            },
            { what: "UpdateAccessKey on the user", expected: "Denied", decide: as("iam:UpdateAccessKey", userArn) },
        ]);
        assert.ok(functionArn.startsWith("arn:aws:lambda:"));
    });

    it("lets EventBridge Scheduler assume the daily check's role only for this account's default schedule group", async () => {
        // GIVEN the role's trust policy  WHEN services ask to assume it on behalf of various sources
        const assume = (principal: string, context: Record<string, string>) => () =>
            decideTrust(scheduler.trust, { principal, roleArn: scheduler.arn, context });
        const GROUP = `arn:aws:scheduler:us-east-1:${MOCK_ACCOUNT}:schedule-group/default`;
        const OTHER = "210987654321";
        const source = { "aws:SourceAccount": MOCK_ACCOUNT, "aws:SourceArn": GROUP };
        // THEN only EventBridge Scheduler, for this account's default group, is admitted
        await expectDecisions([
            {
                what: "scheduler, default group",
                expected: "Allowed",
                decide: assume("scheduler.amazonaws.com", source),
            },
            {
                what: "scheduler, another group",
                expected: "Denied",
                decide: assume("scheduler.amazonaws.com", {
                    ...source,
                    "aws:SourceArn": GROUP.replace(/default$/, "other"),
                }),
            },
            {
                what: "scheduler, another account",
                expected: "Denied",
                decide: assume("scheduler.amazonaws.com", {
                    "aws:SourceAccount": OTHER,
                    "aws:SourceArn": GROUP.replace(MOCK_ACCOUNT, OTHER),
                }),
            },
            { what: "scheduler, no source", expected: "Denied", decide: assume("scheduler.amazonaws.com", {}) },
            {
                what: "EventBridge rules with the same source",
                expected: "Denied",
                decide: assume("events.amazonaws.com", source),
            },
            { what: "Lambda with the same source", expected: "Denied", decide: assume("lambda.amazonaws.com", source) },
        ]);
    });

    it("lets the function call exactly the actions its steps make, on its one user and its one secret", async () => {
        // GIVEN the function's role  WHEN it calls each action of its steps on its own user and secret,
        // and on another user and secret
        const as = (action: string, resource: string) => () =>
            decideIdentity(rotator.arn, rotator.documents, action, resource);
        // THEN its own are allowed and the others denied
        await expectDecisions([
            ...ACTIONS.iam.map((a) => ({
                what: `${a} on its user`,
                expected: "Allowed" as const,
                decide: as(a, userArn),
            })),
            ...ACTIONS.secretsmanager.map((a) => ({
                what: `${a} on its secret`,
                expected: "Allowed" as const,
                decide: as(a, secretArn),
            })),
            ...ACTIONS.iam.map((a) => ({
                what: `${a} on another user`,
                expected: "Denied" as const,
                decide: as(a, OTHER_USER),
            })),
            ...ACTIONS.secretsmanager.map((a) => ({
                what: `${a} on another secret`,
                expected: "Denied" as const,
                decide: as(a, OTHER_SECRET),
            })),
        ]);
    });

    it("lets the function do nothing else to its user or secret", async () => {
        // GIVEN the actions an attacker holding the function's role would want on the same user and secret
        const others: [string, string][] = [
            ...[
                "iam:CreateLoginProfile",
                "iam:UpdateLoginProfile",
                "iam:PutUserPolicy",
                "iam:AttachUserPolicy",
                "iam:DeleteUser",
                "iam:TagUser",
                "iam:CreateServiceSpecificCredential",
                "iam:UploadSSHPublicKey",
            ].map((a): [string, string] => [a, userArn]),
            ...[
                "secretsmanager:DeleteSecret",
                "secretsmanager:PutResourcePolicy",
                "secretsmanager:UpdateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:CancelRotateSecret",
            ].map((a): [string, string] => [a, secretArn]),
        ];
        // THEN every one is denied
        await expectDecisions(
            others.map(([a, r]) => ({
                what: `${a}`,
                expected: "Denied" as const,
                decide: () => decideIdentity(rotator.arn, rotator.documents, a, r),
            })),
        );
    });

    it("lets the readers, and nobody else, read the key through the secret's resource policy", async () => {
        // GIVEN the secret's resource policy, and principals of the account without any identity policy
        const ask = (principal: string, action: string): Promise<Decision> =>
            decideTrust(secretPolicy, { principal, roleArn: secretArn, action });
        // THEN the reader reads and describes it and does nothing else; another role does nothing
        await expectDecisions([
            {
                what: "reader GetSecretValue",
                expected: "Allowed",
                decide: () => ask(READER, "secretsmanager:GetSecretValue"),
            },
            {
                what: "reader DescribeSecret",
                expected: "Allowed",
                decide: () => ask(READER, "secretsmanager:DescribeSecret"),
            },
            {
                what: "reader PutSecretValue",
                expected: "Denied",
                decide: () => ask(READER, "secretsmanager:PutSecretValue"),
            },
            {
                what: "reader UpdateSecretVersionStage",
                expected: "Denied",
                decide: () => ask(READER, "secretsmanager:UpdateSecretVersionStage"),
            },
            {
                what: "reader DeleteSecret",
                expected: "Denied",
                decide: () => ask(READER, "secretsmanager:DeleteSecret"),
            },
            {
                what: "other role GetSecretValue",
                expected: "Denied",
                decide: () => ask(OTHER_ROLE, "secretsmanager:GetSecretValue"),
            },
            {
                what: "the user itself GetSecretValue",
                expected: "Denied",
                decide: () => ask(userArn, "secretsmanager:GetSecretValue"),
            },
        ]);
        assert.ok(secretArn.startsWith("arn:aws:secretsmanager:"));
    });
});
