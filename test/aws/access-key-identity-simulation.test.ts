import * as assert from "assert";
import { aws } from "../../components";
import { capture, MOCK_ACCOUNT, valueOf } from "../../components/testing";
import { decideIdentity, expectDecisions, shiftDays } from "../support/iam-simulator";

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
            user: new aws.AccessKeyIdentity("sim-acme", { ...OWNERSHIP, consumer: "acme-vendor", rotateEveryDays: 30, grants: GRANTS, expiresAt: EXPIRES_AT }),
            role: new aws.ServiceIdentity("sim-acme-role", { ...OWNERSHIP, trust: { service: { principal: "lambda.amazonaws.com" } }, grants: GRANTS, expiresAt: EXPIRES_AT }),
        }));
        user = { arn: await valueOf(declared.value.user.userArn), documents: await valueOf(declared.value.user.policyDocuments) };
        role = { arn: await valueOf(declared.value.role.roleArn), documents: await valueOf(declared.value.role.policyDocuments) };
    });

    it("lets the user do exactly what it was granted before expiresAt, and nothing after", async () => {
        // GIVEN the user's documents  WHEN it asks in and around its grants, a day before and after the expiry
        const at = (action: string, resource: string, context: Record<string, string>) => () => decideIdentity(user.arn, user.documents, action, resource, context);
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
