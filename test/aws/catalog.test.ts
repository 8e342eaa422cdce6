import * as assert from "assert";
import { expandAccess } from "../../components/aws/grants";
import { actionSupportsKey, actionsOf, findAction, matchResourceTypes } from "../../components/aws/catalog";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";

describe("AWS catalogue", () => {
    const types: [string, string, string[]][] = [
        ["s3", "arn:aws:s3:::invoices", ["bucket"]],
        ["s3", "arn:aws:s3:::invoices/incoming/*", ["object"]],
        ["s3", "arn:aws-us-gov:s3:::invoices/a.pdf", ["object"]],
        ["dynamodb", "arn:aws:dynamodb:us-east-1:123456789012:table/orders", ["table"]],
        ["dynamodb", "arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/by-customer", ["index"]],
        ["dynamodb", "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000", ["stream"]],
        ["sqs", "arn:aws:sqs:us-east-1:123456789012:invoices", ["queue"]],
        ["iam", "arn:aws:iam::123456789012:role/team/deployer", ["role"]],
        ["sqs", "arn:aws:s3:::invoices", []],
    ];
    for (const [service, arn, expected] of types) {
        it(`reads ${arn} as ${service} ${JSON.stringify(expected)}`, () =>
            assert.deepStrictEqual(matchResourceTypes(service, arn), expected));
    }

    it("finds actions case-insensitively with the reference's spelling and access level", () => {
        const { conditionKeys, ...info } = findAction("s3", "getobject")!;
        assert.deepStrictEqual(info, {
            fullName: "s3:GetObject",
            accessLevel: "read",
            resourceTypes: ["accesspointobject", "object"],
        });
        assert.ok(conditionKeys.has("s3:ExistingObjectTag/<key>"));
        assert.strictEqual(findAction("s3", "GetObjekt"), undefined);
    });

    describe("whether a request carries aws:ResourceTag/${TagKey} (on the action, or on every type the resource can be)", () => {
        const table: [string, string, string, boolean][] = [
            [
                "listed on the action",
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
                true,
            ],
            ["listed on the resource type only", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/u", true],
            ["a type that takes no tags", "iam:GetGroup", "arn:aws:iam::123456789012:group/admins", false],
            ["no resource-level permissions", "secretsmanager:GetRandomPassword", "*", false],
            ["`*` for an action whose every type has it", "iam:CreateAccessKey", "*", true],
        ];
        for (const [what, action, resource, expected] of table) {
            it(`${what}: ${action} on ${resource} → ${expected}`, () => {
                const [service, name] = action.split(":");
                assert.strictEqual(
                    actionSupportsKey(findAction(service, name)!, resource, "aws:ResourceTag/${TagKey}"),
                    expected,
                );
            });
        }
    });

    it("expands an access level to exactly the actions of that level on the ARN's resource type", () => {
        const reads = expandAccess("sqs", "read", "arn:aws:sqs:us-east-1:123456789012:q");
        const expected = [...actionsOf("sqs")]
            .filter((a) => a.accessLevel === "read" && a.resourceTypes.includes("queue"))
            .map((a) => a.fullName)
            .sort();
        assert.deepStrictEqual(reads, expected);
        assert.ok(reads.includes("sqs:GetQueueAttributes"));
        assert.ok(!reads.includes("sqs:SendMessage"), "SendMessage is write");
        assert.ok(!reads.includes("sqs:ListQueues"), "ListQueues takes no resource");
        const writes = expandAccess("sqs", "write", "arn:aws:sqs:us-east-1:123456789012:q");
        assert.ok(writes.includes("sqs:SendMessage") && writes.includes("sqs:DeleteMessage"));
        assert.ok(!writes.includes("sqs:GetQueueAttributes"));
    });

    it("reads each service's files once, whatever the number of identities", () => {
        // GIVEN the catalogue already warm for s3 and sqs
        const args = (i: number) => ({
            owner: "team",
            purpose: "bench",
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [
                { service: "s3", access: "read" as const, resources: [`arn:aws:s3:::invoices/p-${i}/*`] },
                { actions: ["sqs:ReceiveMessage"], resources: [`arn:aws:sqs:us-east-1:123456789012:q-${i}`] },
            ],
        });
        planAwsServiceIdentity("warm", args(0));
        // WHEN 200 more identities are planned
        // (the module object itself: the catalogue's import reads through to it)
        const fs = require("fs");
        const original = fs.readFileSync;
        let reads = 0;
        fs.readFileSync = (...a: any[]) => {
            reads++;
            return original(...a);
        };
        try {
            for (let i = 1; i <= 200; i++) {
                planAwsServiceIdentity(`id-${i}`, args(i));
            }
        } finally {
            fs.readFileSync = original;
        }
        // THEN no file was read again
        assert.strictEqual(reads, 0);
    });
});
