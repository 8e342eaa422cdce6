import * as assert from "assert";
import fc from "fast-check";
import { Problems } from "../../components/core/errors";
import { checkRecoveryWindow, checkRotationDays, renderReaderPolicy } from "../../components/aws/rotated-secret";

/* The pure pieces of a rotated secret: invariants over every input, not examples. */

const ROLE = fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,20}$/).map((n) => `arn:aws:iam::123456789012:role/${n}`);

describe("rotated secrets: invariants", () => {
    it("the readers' policy names exactly the set of readers, whatever their order and repeats", () => {
        fc.assert(
            fc.property(fc.array(ROLE, { maxLength: 8 }), fc.array(fc.nat()), (readers, picks) => {
                // GIVEN readers, and the same readers shuffled with some repeated
                const shuffled = [
                    ...readers,
                    ...picks.filter(() => readers.length > 0).map((p) => readers[p % readers.length]),
                ].reverse();
                const a = renderReaderPolicy(readers);
                const b = renderReaderPolicy(shuffled);
                // THEN both policies are the same, name each reader once, and grant read only
                assert.deepStrictEqual(a, b);
                const unique = [...new Set(readers)].sort();
                if (unique.length === 0) {
                    assert.deepStrictEqual(a.Statement, []);
                    return;
                }
                assert.deepStrictEqual(a.Statement, [
                    {
                        Effect: "Allow",
                        Principal: { AWS: unique },
                        Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                        Resource: ["*"],
                    },
                ]);
            }),
        );
    });

    it("a rotation period is accepted exactly when it is a whole number of days from 1 to 365", () => {
        fc.assert(
            fc.property(
                fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double(), fc.string(), fc.constant(undefined)),
                (value) => {
                    const problems = new Problems();
                    const result = checkRotationDays(value, "rotateEveryDays", problems);
                    const valid = typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 365;
                    assert.strictEqual(result, valid ? value : undefined);
                    assert.strictEqual(problems.list.length, valid ? 0 : 1);
                },
            ),
        );
    });

    it("a recovery window is 7–30 whole days, 30 when not given, and never 0", () => {
        fc.assert(
            fc.property(fc.oneof(fc.integer({ min: -100, max: 100 }), fc.double(), fc.constant(undefined)), (value) => {
                const problems = new Problems();
                const days = checkRecoveryWindow(value, problems);
                const valid =
                    value === undefined ||
                    (Number.isInteger(value) && (value as number) >= 7 && (value as number) <= 30);
                assert.strictEqual(problems.list.length, valid ? 0 : 1);
                assert.ok(days >= 7 && days <= 30);
                assert.strictEqual(days, value === undefined || !valid ? 30 : value);
            }),
        );
    });
});
