import * as assert from "assert";
import fc from "fast-check";
import {
    MAX_INLINE_POLICY_CHARS,
    MAX_MANAGED_POLICY_CHARS,
    MAX_MANAGED_POLICIES,
    PolicyTooLargeError,
    Statement,
    documentSize,
    grantedTriples,
    layoutPolicies,
    mergeStatements,
    renderDocument,
} from "../../components/aws/policy";

const EXPIRY = { DateLessThan: { "aws:CurrentTime": "2099-01-01T00:00:00Z" } };

describe("mergeStatements", () => {
    const table: { what: string; given: Statement[]; merged: Statement[] }[] = [
        {
            what: "unions the actions of statements on the same resources",
            given: [
                { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] },
                { actions: ["s3:PutObject"], resources: ["arn:aws:s3:::b/*"] },
            ],
            merged: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::b/*"] }],
        },
        {
            what: "unions the resources of statements with the same actions",
            given: [
                { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:1:b"] },
                { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:1:a"] },
            ],
            merged: [
                { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:1:a", "arn:aws:sqs:us-east-1:1:b"] },
            ],
        },
        {
            what: "keeps statements apart when merging would grant a pair nobody asked for",
            given: [
                { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::a/*"] },
                { actions: ["s3:PutObject"], resources: ["arn:aws:s3:::b/*"] },
            ],
            merged: [
                { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::a/*"] },
                { actions: ["s3:PutObject"], resources: ["arn:aws:s3:::b/*"] },
            ],
        },
        {
            what: "keeps statements with different conditions apart",
            given: [
                { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::a/*"], condition: EXPIRY },
                { actions: ["s3:PutObject"], resources: ["arn:aws:s3:::a/*"] },
            ],
            merged: [
                { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::a/*"], condition: EXPIRY },
                { actions: ["s3:PutObject"], resources: ["arn:aws:s3:::a/*"] },
            ],
        },
        {
            what: "merges transitively: a resource merge that makes two action sets meet",
            given: [
                { actions: ["a:X"], resources: ["r1"] },
                { actions: ["a:X"], resources: ["r2"] },
                { actions: ["a:Y"], resources: ["r1", "r2"] },
            ],
            merged: [{ actions: ["a:X", "a:Y"], resources: ["r1", "r2"] }],
        },
        {
            what: "removes duplicates",
            given: [
                { actions: ["a:X", "a:X"], resources: ["r", "r"] },
                { actions: ["a:X"], resources: ["r"] },
            ],
            merged: [{ actions: ["a:X"], resources: ["r"] }],
        },
    ];
    for (const row of table) {
        it(row.what, () => assert.deepStrictEqual(mergeStatements(row.given), row.merged));
    }
});

describe("layoutPolicies", () => {
    it("puts small grants in the inline policy only", () => {
        const layout = layoutPolicies([{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }]);
        assert.deepStrictEqual(layout, {
            inline: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }],
            managed: [],
        });
    });

    it("keeps a statement that fits the inline policy whole, uncut", () => {
        // GIVEN one 7,800-character statement: too large for a managed policy, not for the inline one
        const resources = Array.from(
            { length: 200 },
            (_, i) => `arn:aws:s3:::invoices/prefix-${String(i).padStart(4, "0")}/*`,
        );
        const s = { actions: ["s3:GetObject", "s3:GetObjectVersion"], resources };
        assert.ok(documentSize([s]) > MAX_MANAGED_POLICY_CHARS && documentSize([s]) < MAX_INLINE_POLICY_CHARS);
        // THEN it is the inline policy, and there is no managed policy
        assert.deepStrictEqual(layoutPolicies([s]), { inline: [s], managed: [] });
    });

    it("cuts a statement too large for any document along its longer list", () => {
        // GIVEN 700 ARNs for two actions: about 26,700 characters
        const resources = Array.from(
            { length: 700 },
            (_, i) => `arn:aws:s3:::invoices/prefix-${String(i).padStart(4, "0")}/*`,
        ).sort();
        const layout = layoutPolicies([{ actions: ["s3:GetObject", "s3:GetObjectVersion"], resources }]);
        const all = [layout.inline, ...layout.managed];
        // THEN the inline policy is filled, then as few managed policies as fit the rest
        assert.strictEqual(layout.managed.length, 3);
        assert.ok(documentSize(layout.inline) > MAX_INLINE_POLICY_CHARS - 60);
        // AND every piece keeps both actions: the resources were cut, not the actions
        assert.ok(all.flat().every((p) => p.actions.length === 2));
        assert.deepStrictEqual(
            all
                .flat()
                .flatMap((p) => p.resources)
                .sort(),
            resources,
        );
    });

    it("cuts one resource's action list when a single resource with all its actions is too large", () => {
        const actions = Array.from({ length: 600 }, (_, i) => `svc:Action${String(i).padStart(4, "0")}`);
        const layout = layoutPolicies([
            {
                actions,
                resources: ["arn:aws:svc:us-east-1:123456789012:thing/a", "arn:aws:svc:us-east-1:123456789012:thing/b"],
            },
        ]);
        const pieces = [layout.inline, ...layout.managed].flat();
        assert.ok(pieces.length > 1);
        assert.deepStrictEqual(grantedTriples(pieces).length, 1200);
    });

    it(`refuses to need more than ${MAX_MANAGED_POLICIES} managed policies`, () => {
        const statements = Array.from({ length: 3000 }, (_, i) => ({
            actions: [`svc:Action${i}`],
            resources: [`arn:aws:svc:us-east-1:123456789012:thing/${i}`],
        }));
        assert.throws(
            () => layoutPolicies(statements),
            (e: any) =>
                e instanceof PolicyTooLargeError && e.needed > MAX_MANAGED_POLICIES && e.limit === MAX_MANAGED_POLICIES,
        );
    });

    it("renders every statement as an Allow with sorted lists and the condition", () => {
        assert.deepStrictEqual(
            renderDocument(
                [{ actions: ["b:Y", "a:X"], resources: ["r2", "r1"], condition: EXPIRY }].map(
                    (s) => mergeStatements([s])[0],
                ),
            ),
            {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["a:X", "b:Y"], Resource: ["r1", "r2"], Condition: EXPIRY }],
            },
        );
    });
});

describe("merging and splitting (property)", () => {
    const action = fc.constantFrom(
        ...[
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "sqs:SendMessage",
            "sqs:ReceiveMessage",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "kms:Decrypt",
        ],
    );
    const resource = fc.oneof(
        fc.integer({ min: 0, max: 40 }).map((i) => `arn:aws:s3:::bucket-${i}/prefix/*`),
        fc
            .integer({ min: 0, max: 40 })
            .map((i) => `arn:aws:sqs:us-east-1:123456789012:queue-with-a-long-descriptive-name-${i}`),
        fc
            .string({ minLength: 1, maxLength: 300 })
            .map((s) => `arn:aws:dynamodb:us-east-1:123456789012:table/${encodeURIComponent(s)}`),
    );
    const condition = fc.option(fc.constant(EXPIRY), { nil: undefined });
    const statement = fc
        .record({
            actions: fc.array(action, { minLength: 1, maxLength: 8 }),
            resources: fc.array(resource, { minLength: 1, maxLength: 30, size: "max" }),
            condition,
        })
        .map((s) => (s.condition === undefined ? { actions: s.actions, resources: s.resources } : s));
    // "max" sizes reach the split: about half the runs need managed policies, up to 3 or more.
    const statements = fc.array(statement, { minLength: 0, maxLength: 25, size: "max" });

    it("never changes the set of (action, resource, condition) triples granted", () => {
        fc.assert(
            fc.property(statements, (given) => {
                assert.deepStrictEqual(grantedTriples(mergeStatements(given)), grantedTriples(given));
                try {
                    const layout = layoutPolicies(given);
                    assert.deepStrictEqual(
                        grantedTriples([...layout.inline, ...layout.managed.flat()]),
                        grantedTriples(given),
                    );
                } catch (e) {
                    if (!(e instanceof PolicyTooLargeError)) {
                        throw e;
                    }
                }
            }),
            { numRuns: 150 },
        );
    });

    it("keeps every document within its size limit", () => {
        fc.assert(
            fc.property(statements, (given) => {
                try {
                    const layout = layoutPolicies(given);
                    assert.ok(
                        documentSize(layout.inline) <= MAX_INLINE_POLICY_CHARS,
                        `inline ${documentSize(layout.inline)}`,
                    );
                    for (const doc of layout.managed) {
                        assert.ok(doc.length > 0, "no empty managed policy");
                        assert.ok(documentSize(doc) <= MAX_MANAGED_POLICY_CHARS, `managed ${documentSize(doc)}`);
                    }
                    assert.ok(layout.managed.length <= MAX_MANAGED_POLICIES);
                } catch (e) {
                    if (!(e instanceof PolicyTooLargeError)) {
                        throw e;
                    }
                }
            }),
            { numRuns: 150 },
        );
    });

    it("is deterministic: the same statements in any order give the same layout", () => {
        fc.assert(
            fc.property(statements, fc.nat(), (given, seed) => {
                // rotate, reverse, and reverse the actions of every other statement
                const k = given.length === 0 ? 0 : seed % given.length;
                const shuffled = [...given.slice(k), ...given.slice(0, k)]
                    .reverse()
                    .map((s, i) => (i % 2 === 0 ? { ...s, actions: [...s.actions].reverse() } : s));
                try {
                    assert.deepStrictEqual(layoutPolicies(shuffled), layoutPolicies(given));
                } catch (e) {
                    if (!(e instanceof PolicyTooLargeError)) {
                        throw e;
                    }
                }
            }),
            { numRuns: 100 },
        );
    });
});
