// Regressions found while writing test/aws/simulation.test.ts, evaluated with the IAM engine:
// iam-data writes the Tagging and Permissions management levels as `Tagging, Write` and
// `Permissions management, Write`, and the layout once cut statements to the managed-policy size
// even when they fitted the inline policy.
import * as assert from "assert";
import { aws } from "../../components";
import { actionsOf, serviceNames } from "../../components/aws/catalog";
import { capture, valueOf } from "../../components/testing";
import { decideIdentity } from "../support/iam-simulator";

const base = {
    owner: "team-payments",
    purpose: "Processes invoices",
    trust: { service: { principal: "lambda.amazonaws.com" } },
};
async function declare(name: string, grants: aws.AwsGrant[]) {
    const { value } = await capture(() => new aws.ServiceIdentity(name, { ...base, grants }));
    return { roleArn: await valueOf(value.roleArn), documents: await valueOf(value.policyDocuments) };
}

describe("access levels of iam-data written `Tagging, Write` and `Permissions management, Write`", () => {
    it("some action of some service is at the tagging level, and some at permissions-management", () => {
        // GIVEN the whole catalogue; WHEN counting actions per level; THEN tagging and permissions-management are not empty
        const levels = new Map<string, number>();
        for (const s of serviceNames())
            for (const a of actionsOf(s)) levels.set(a.accessLevel, (levels.get(a.accessLevel) ?? 0) + 1);
        assert.ok((levels.get("tagging") ?? 0) > 0, `levels: ${JSON.stringify([...levels])}`);
        assert.ok((levels.get("permissions-management") ?? 0) > 0, `levels: ${JSON.stringify([...levels])}`);
    });

    it("an access: tagging grant on S3 objects is accepted and allows s3:PutObjectTagging", async () => {
        // GIVEN a tagging grant on a prefix (once refused: "no `tagging` action of `s3` applies to it")
        const id = await declare("tagger", [
            { service: "s3", access: "tagging", resources: ["arn:aws:s3:::invoices/incoming/*"] },
        ]);
        // THEN it may tag objects
        assert.strictEqual(
            await decideIdentity(
                id.roleArn,
                id.documents,
                "s3:PutObjectTagging",
                "arn:aws:s3:::invoices/incoming/a.pdf",
            ),
            "Allowed",
        );
    });

    it("an access: write grant does not allow permissions-management actions (policy_sentry semantics)", async () => {
        // GIVEN write grants on a bucket and on a queue
        const id = await declare("writer", [
            { service: "s3", access: "write", resources: ["arn:aws:s3:::invoices"] },
            { service: "sqs", access: "write", resources: ["arn:aws:sqs:us-east-1:123456789012:invoices"] },
        ]);
        // WHEN the role tries to rewrite the resource policies; THEN it is denied (once: all Allowed)
        const got: Record<string, string> = {};
        for (const [action, arn] of [
            ["s3:PutBucketPolicy", "arn:aws:s3:::invoices"],
            ["s3:PutBucketAcl", "arn:aws:s3:::invoices"],
            ["s3:PutBucketPublicAccessBlock", "arn:aws:s3:::invoices"],
            ["sqs:AddPermission", "arn:aws:sqs:us-east-1:123456789012:invoices"],
        ]) {
            got[action] = await decideIdentity(id.roleArn, id.documents, action, arn);
        }
        assert.deepStrictEqual(got, {
            "s3:PutBucketPolicy": "ImplicitlyDenied",
            "s3:PutBucketAcl": "ImplicitlyDenied",
            "s3:PutBucketPublicAccessBlock": "ImplicitlyDenied",
            "sqs:AddPermission": "ImplicitlyDenied",
        });
    });
});

describe("a statement larger than a managed policy but within the inline policy", () => {
    it("accepts one read grant on 160 S3 prefixes (one ~6.7k-character statement, under the 10,000 of the inline policy)", async () => {
        const prefixes = Array.from(
            { length: 160 },
            (_, i) => `arn:aws:s3:::archive-${String(i).padStart(3, "0")}/records/*`,
        );
        // once threw "`grants` need 29 managed policies beside the inline policy, but a role may have at most 10"
        const id = await declare("archiver", [{ service: "s3", access: "read", resources: prefixes }]);
        assert.strictEqual(id.documents.length, 1);
    });
});
