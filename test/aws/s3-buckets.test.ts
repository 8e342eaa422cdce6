import * as assert from "assert";
import fc from "fast-check";
import { closestBucketName, s3BucketProblem } from "../../components/aws/s3-buckets";

describe("S3 bucket names in grant ARNs", () => {
    const cases: [string, string | undefined][] = [
        ["My_Invoices", "my-invoices"],
        ["invoices..2026", "invoices.2026"],
        ["-invoices-", "invoices"],
        ["Team_*", "team-*"],
        ["ab", undefined],
        ["192.168.5.4", undefined],
    ];
    for (const [bucket, expected] of cases) {
        it(`suggests ${expected === undefined ? "nothing" : `\`${expected}\``} for \`${bucket}\``, () => {
            assert.strictEqual(closestBucketName(bucket), expected);
        });
    }

    it("accepts valid names and patterns, and ARNs that are not bucket ARNs", () => {
        for (const arn of [
            "arn:aws:s3:::invoices",
            "arn:aws:s3:::invoices-2026.eu/a/B_c",
            "arn:aws:s3:::team-*-logs/*",
            "arn:aws:s3:::*",
            "arn:aws:s3:us-east-1:123456789012:accesspoint/My_AP",
        ]) {
            assert.strictEqual(s3BucketProblem("r", arn), undefined, arn);
        }
    });

    it("suggests only names that are valid (property)", () => {
        fc.assert(
            fc.property(
                fc.string({ unit: fc.constantFrom("a", "Z", "0", "-", ".", "_", " ", "*"), maxLength: 70 }),
                (bucket) => {
                    // GIVEN any bucket part; WHEN a name is suggested THEN the suggestion is refused by nothing
                    const suggestion = closestBucketName(bucket);
                    if (suggestion !== undefined) {
                        assert.strictEqual(
                            s3BucketProblem("r", `arn:aws:s3:::${suggestion}/*`),
                            undefined,
                            `${bucket} → ${suggestion}`,
                        );
                    }
                },
            ),
            { numRuns: 500 },
        );
    });
});
