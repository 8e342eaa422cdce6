import * as assert from "assert";
import {
    AUDIT_PREFIX,
    CONTRACT_ENDS_AT,
    CrossAccount,
    DEFAULT_VENDOR_ACCOUNT,
    EXTERNAL_ID_LENGTH,
    crossAccount,
} from "../../examples/cross-account/program";
import { MOCK_ACCOUNT, Registered, capture, ofType, valueOf } from "../support/mock-graph";
import {
    MAY_ASSUME_ANY_ROLE,
    decideIdentity,
    decideTrust,
    expectDecisions,
    grantedPairs,
    shiftDays,
} from "../support/iam-simulator";

describe("examples/cross-account", () => {
    const BEFORE = shiftDays(CONTRACT_ENDS_AT, -30);
    const AFTER = shiftDays(CONTRACT_ENDS_AT, 1);
    const THIRD_ACCOUNT = "333344445555";
    let example: CrossAccount;
    let resources: Registered[];
    let roleArn: string;
    let bucketArn: string;
    let externalId: string;
    let trustPolicy: string;
    let documents: string[];

    before(async () => {
        ({ value: example, resources } = await capture(crossAccount));
        [roleArn, bucketArn, externalId, trustPolicy, documents] = await Promise.all([
            valueOf(example.vendorAccess.roleArn),
            valueOf(example.bucket.arn),
            valueOf(example.externalId),
            valueOf(example.vendorAccess.trustPolicy),
            valueOf(example.vendorAccess.policyDocuments),
        ]);
    });

    it("generates a 32-character letters-and-digits external ID when the vendor did not issue one", () => {
        // GIVEN no `vendorExternalId` config WHEN the program runs
        // THEN it declares a RandomString of letters and digits, the bucket and the role, and the
        // role's quarantine at expiry (schedule and execution role)
        assert.deepStrictEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
            "aws:iam/role:Role auditor-access-expiry-role",
            "aws:iam/role:Role auditor-access-role",
            "aws:iam/rolePolicy:RolePolicy auditor-access-expiry-policy",
            "aws:iam/rolePolicy:RolePolicy auditor-access-policy",
            "aws:s3/bucket:Bucket data-exports",
            "aws:scheduler/schedule:Schedule auditor-access-expiry",
            "nhi:aws:ServiceIdentity auditor-access",
            "random:index/randomString:RandomString auditor-external-id",
        ]);
        assert.deepStrictEqual(ofType(resources, "random:index/randomString:RandomString")[0].inputs, {
            length: EXTERNAL_ID_LENGTH,
            special: false,
        });
        assert.match(externalId, /^[A-Za-z0-9]{32}$/);
    });

    it("keeps the trust policy readable in the preview: the external ID is not a secret", async () => {
        // GIVEN the generated external ID (AWS: "does not treat the external ID as a secret")
        // WHEN the trust policy is rendered
        // THEN neither the ID nor the trust policy is a Pulumi secret, so the preview shows who may assume the role
        assert.strictEqual(await (example.externalId as any).isSecret, false);
        assert.strictEqual(await (example.vendorAccess.trustPolicy as any).isSecret, false);
        assert.deepStrictEqual(JSON.parse(trustPolicy).Statement, [
            {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${DEFAULT_VENDOR_ACCOUNT}:root` },
                Action: "sts:AssumeRole",
                Condition: {
                    DateLessThan: { "aws:CurrentTime": CONTRACT_ENDS_AT },
                    StringEquals: { "sts:ExternalId": externalId },
                },
            },
        ]);
    });

    it("admits the vendor's account with the right external ID only, until the contract ends", async () => {
        // GIVEN principals that may call sts:AssumeRole on any role (so the trust policy alone decides)
        const assume = (principal: string, context: Record<string, string>) => () =>
            decideTrust(trustPolicy, { principal, roleArn, context, callerPolicies: [MAY_ASSUME_ANY_ROLE] });
        const vendorRole = `arn:aws:iam::${DEFAULT_VENDOR_ACCOUNT}:role/audit-collector`;
        // WHEN the IAM engine decides their requests to assume the role
        // THEN only the vendor's account, with the external ID, before the contract ends, is admitted
        await expectDecisions([
            {
                what: "vendor role, right ID",
                expected: "Allowed",
                decide: assume(vendorRole, { "aws:CurrentTime": BEFORE, "sts:ExternalId": externalId }),
            },
            {
                what: "vendor role, right ID, after the contract",
                expected: "Denied",
                decide: assume(vendorRole, { "aws:CurrentTime": AFTER, "sts:ExternalId": externalId }),
            },
            {
                what: "vendor role, no ID",
                expected: "Denied",
                decide: assume(vendorRole, { "aws:CurrentTime": BEFORE }),
            },
            {
                what: "vendor role, another customer's ID",
                expected: "Denied",
                decide: assume(vendorRole, {
                    "aws:CurrentTime": BEFORE,
                    "sts:ExternalId": "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp",
                }),
            },
            {
                what: "vendor role, ID in another case",
                expected: "Denied",
                decide: assume(vendorRole, { "aws:CurrentTime": BEFORE, "sts:ExternalId": externalId.toLowerCase() }),
            },
            {
                what: "another account, right ID",
                expected: "Denied",
                decide: assume(`arn:aws:iam::${THIRD_ACCOUNT}:role/audit-collector`, {
                    "aws:CurrentTime": BEFORE,
                    "sts:ExternalId": externalId,
                }),
            },
            {
                what: "this account, right ID",
                expected: "Denied",
                decide: assume(`arn:aws:iam::${MOCK_ACCOUNT}:role/admin`, {
                    "aws:CurrentTime": BEFORE,
                    "sts:ExternalId": externalId,
                }),
            },
        ]);
    });

    it("reads objects under audit-exports/ and nothing else", async () => {
        // GIVEN the identity policy, granted exactly GetObject on the prefix
        assert.deepStrictEqual(
            grantedPairs(documents).map((g) => `${g.action} ${g.resource}`),
            [`s3:GetObject ${bucketArn}/${AUDIT_PREFIX}*`],
        );
        const decide =
            (action: string, resource: string, at = BEFORE) =>
            () =>
                decideIdentity(roleArn, documents, action, resource, { "aws:CurrentTime": at });
        const exported = `${bucketArn}/${AUDIT_PREFIX}2027/q1/ledger.csv`;
        // WHEN the IAM engine decides what the vendor's session could ask for
        // THEN reading an export is allowed before the contract ends; writing, listing and other prefixes are denied
        await expectDecisions([
            { what: "GetObject of an export", expected: "Allowed", decide: decide("s3:GetObject", exported) },
            {
                what: "GetObject of an export after the contract",
                expected: "Denied",
                decide: decide("s3:GetObject", exported, AFTER),
            },
            {
                what: "GetObject outside the prefix",
                expected: "Denied",
                decide: decide("s3:GetObject", `${bucketArn}/payroll/2027-01.csv`),
            },
            { what: "PutObject under the prefix", expected: "Denied", decide: decide("s3:PutObject", exported) },
            { what: "DeleteObject under the prefix", expected: "Denied", decide: decide("s3:DeleteObject", exported) },
            { what: "ListBucket", expected: "Denied", decide: decide("s3:ListBucket", bucketArn) },
        ]);
    });
});
