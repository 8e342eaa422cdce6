import * as assert from "assert";
import { Problems } from "../../components/core/errors";
import { planGrants } from "../../components/aws/grants";
import { planPolicies } from "../../components/aws/identity-policy";
import { USER_POLICY_LIMITS } from "../../components/aws/policy";
import { deactivationDeadline, functionArnPattern, leakRegionWarning } from "../../components/aws/access-key-identity";

/** A grant's own `expiresAt`: the earlier of it and the identity's applies, so no grant outlives its identity. */
describe("aws grants: a grant's own expiresAt", () => {
    const USER = "arn:aws:iam::123456789012:user/nhi/acme";
    const statements = (grantExpiry: string | undefined, identityExpiry: string | undefined) => {
        const problems = new Problems();
        const plans = planGrants(
            [
                { actions: ["iam:ListAccessKeys"], resources: [USER] },
                {
                    actions: ["iam:DeleteAccessKey"],
                    resources: [USER],
                    ...(grantExpiry === undefined ? {} : { expiresAt: grantExpiry }),
                },
            ],
            problems,
        );
        assert.deepStrictEqual(problems.list, []);
        return planPolicies(plans, identityExpiry, USER_POLICY_LIMITS).layout.inline.map((s) => [
            s.actions.join(","),
            s.condition,
        ]);
    };
    const until = (t: string) => ({ DateLessThan: { "aws:CurrentTime": t } });
    const cases: [string, string | undefined, string | undefined, unknown][] = [
        [
            "earlier than the identity's: the grant's",
            "2030-01-01T00:00:00Z",
            "2030-01-08T00:00:00Z",
            [
                ["iam:ListAccessKeys", until("2030-01-08T00:00:00Z")],
                ["iam:DeleteAccessKey", until("2030-01-01T00:00:00Z")],
            ],
        ],
        [
            "later than the identity's: the identity's (a grant never outlives it)",
            "2031-01-01T00:00:00Z",
            "2030-01-08T00:00:00Z",
            [["iam:DeleteAccessKey,iam:ListAccessKeys", until("2030-01-08T00:00:00Z")]],
        ],
        [
            "the identity never expires: the grant's",
            "2030-01-01T00:00:00+02:00",
            undefined,
            [
                ["iam:ListAccessKeys", undefined],
                ["iam:DeleteAccessKey", until("2029-12-31T22:00:00Z")],
            ],
        ],
        [
            "none: the identity's",
            undefined,
            "2030-01-08T00:00:00Z",
            [["iam:DeleteAccessKey,iam:ListAccessKeys", until("2030-01-08T00:00:00Z")]],
        ],
    ];
    for (const [name, grant, identity, expected] of cases) {
        it(name, () => {
            const got = statements(grant, identity).map(([a, c]) => (c === undefined ? [a, undefined] : [a, c]));
            assert.deepStrictEqual(got.sort(), (expected as unknown[]).slice().sort());
        });
    }
    it("refuses a value that is not an instant, naming the grant's property", () => {
        const problems = new Problems();
        planGrants([{ actions: ["iam:ListAccessKeys"], resources: [USER], expiresAt: "next week" }], problems);
        assert.deepStrictEqual(
            problems.list.map((p) => [p.propertyPath, p.reason]),
            [
                [
                    "grants[0].expiresAt",
                    "`grants[0].expiresAt` must be an ISO-8601 instant with a time zone, such as `2027-01-31T00:00:00Z`; got `next week`.",
                ],
            ],
        );
    });
});

describe("aws.AccessKeyIdentity: the rotator's deadline and its own ARN", () => {
    const table: [string | undefined, string | undefined][] = [
        [undefined, undefined],
        ["2027-12-31T00:00:00Z", "2028-01-07T00:00:00Z"],
        ["2028-02-26T12:30:00Z", "2028-03-04T12:30:00Z"],
    ];
    for (const [expiresAt, deadline] of table) {
        it(`${expiresAt} → ${deadline}`, () => assert.strictEqual(deactivationDeadline(expiresAt), deadline));
    }
    it("the function's ARN pattern matches its auto-name alone, in the secret's partition, region and account", () => {
        assert.strictEqual(
            functionArnPattern(
                "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:acme-secret-1a2b3c4-AbCdEf",
                "acme-rotator",
            ),
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:acme-rotator-???????",
        );
    });
});

describe("aws.AccessKeyIdentity: the leak rule's region", () => {
    const table: [string, string | undefined][] = [
        ["us-east-1", undefined],
        ["us-west-2", undefined],
        [
            "eu-west-1",
            "The leaked-key rule is in eu-west-1, but AWS Health delivers IAM's exposed-key events only in us-east-1 (and us-west-2, as backup): this identity's keys are not deactivated when AWS reports them exposed. Deploy the stack in us-east-1; the daily check still rotates a key found Inactive.",
        ],
    ];
    for (const [region, warning] of table) {
        it(`${region}: ${warning === undefined ? "no warning" : "warns"}`, () =>
            assert.strictEqual(leakRegionWarning(region), warning));
    }
});
