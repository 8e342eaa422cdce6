import * as assert from "assert";
import { run } from "@bufbuild/cel";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { gcp } from "../../components";
import { expiryExpression } from "../../components/gcp/grants";
import { githubAttributeCondition } from "../../components/gcp/trust";
import { renderOwnershipRecord } from "../../components/gcp/description";
import { deriveAccountId, ACCOUNT_ID } from "../../components/gcp/service-identity";

/**
 * The conditions the component writes are CEL, evaluated by Google. Here they are parsed and
 * evaluated by a conforming CEL implementation (@bufbuild/cel, tested against cel-spec), with the
 * variables Google provides: `request.time` for IAM Conditions, `assertion` for a provider's
 * attribute condition.
 */
function atTime(expression: string, instant: string): unknown {
    return run(expression, { request: new Map([["time", timestampFromDate(new Date(instant))]]) });
}

function forToken(expression: string, claims: Record<string, string>): unknown {
    return run(expression, { assertion: new Map(Object.entries(claims)) });
}

describe("IAM Condition of an expiring binding", () => {
    const EXPIRY = "2027-01-31T00:00:00Z";

    it("is exactly the expression Google documents for expiring access", () => {
        assert.strictEqual(expiryExpression(EXPIRY), 'request.time < timestamp("2027-01-31T00:00:00Z")');
    });

    it("holds until the instant and not from it on", () => {
        const expression = expiryExpression(EXPIRY);
        assert.strictEqual(atTime(expression, "2027-01-30T23:59:59Z"), true);
        assert.strictEqual(atTime(expression, "2027-01-31T00:00:00Z"), false);
        assert.strictEqual(atTime(expression, "2030-01-01T00:00:00Z"), false);
    });

    it("parses and compares correctly for any instant (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2999, 0, 1) / 1000 }),
                fc.integer({ min: 1, max: 10 ** 8 }),
                (seconds, delta) => {
                    const instant = `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
                    const expression = expiryExpression(instant);
                    assert.strictEqual(atTime(expression, new Date((seconds - delta) * 1000).toISOString()), true);
                    assert.strictEqual(atTime(expression, new Date((seconds + delta) * 1000).toISOString()), false);
                },
            ),
            { numRuns: 200 },
        );
    });
});

describe("attribute condition of the GitHub provider", () => {
    const condition = githubAttributeCondition("acme/reports", [
        "repo:acme/reports:environment:production",
        "repo:acme/reports:ref:refs/heads/main",
    ]);

    it("admits the exact subjects of the repository", () => {
        assert.strictEqual(
            forToken(condition, { repository: "acme/reports", sub: "repo:acme/reports:environment:production" }),
            true,
        );
        assert.strictEqual(
            forToken(condition, { repository: "acme/reports", sub: "repo:acme/reports:ref:refs/heads/main" }),
            true,
        );
    });

    const refused: [string, Record<string, string>][] = [
        ["another environment", { repository: "acme/reports", sub: "repo:acme/reports:environment:staging" }],
        ["another branch", { repository: "acme/reports", sub: "repo:acme/reports:ref:refs/heads/feature" }],
        ["a pull request", { repository: "acme/reports", sub: "repo:acme/reports:pull_request" }],
        [
            "another repository claiming the subject",
            { repository: "acme/reports-fork", sub: "repo:acme/reports:environment:production" },
        ],
        ["another repository", { repository: "evil/reports", sub: "repo:evil/reports:environment:production" }],
        [
            "a subject that only starts the same",
            { repository: "acme/reports", sub: "repo:acme/reports:environment:production-2" },
        ],
    ];
    for (const [what, claims] of refused) {
        it(`refuses ${what}`, () => assert.strictEqual(forToken(condition, claims), false));
    }
});

describe("service account IDs derived from names (property)", () => {
    it("are either valid account IDs or refused, never silently changed into something else", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 40 }), (name) => {
                const id = deriveAccountId(name);
                assert.match(id, /^[a-z0-9-]*$/);
                assert.ok(!id.startsWith("-") && !id.endsWith("-") && !id.includes("--"));
                assert.strictEqual(deriveAccountId(id), id, "deriving is idempotent");
                if (/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(name) && !name.includes("--")) {
                    assert.strictEqual(id, name, "a valid ID is kept as it is");
                    assert.ok(ACCOUNT_ID.test(id));
                }
            }),
            { numRuns: 500 },
        );
    });
});

describe("ownership record in the description (property)", () => {
    it("round-trips owner, purpose and expiry", () => {
        fc.assert(
            fc.property(
                fc.string({ minLength: 1 }),
                fc.string({ minLength: 1 }),
                fc.option(fc.constant("2099-01-01T00:00:00Z"), { nil: undefined }),
                (owner, purpose, expiresAt) => {
                    const record = { owner, purpose, ...(expiresAt ? { expiresAt } : {}) };
                    assert.deepStrictEqual(gcp.parseOwnershipRecord(renderOwnershipRecord(record)), record);
                },
            ),
        );
    });

    it("is not found in a description someone else wrote", () => {
        assert.strictEqual(gcp.parseOwnershipRecord("Runs the nightly export"), undefined);
        assert.strictEqual(gcp.parseOwnershipRecord('{"owner":"x","purpose":"y"}'), undefined);
    });
});
