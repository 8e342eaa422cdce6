import * as assert from "assert";
import fc from "fast-check";
import { Problems } from "../../components/core/errors";
import { planRotateEveryDays, planValueSpec, planWholeNumber } from "../../components/core/rotating-value";
import { ALPHABETS, MAX_LENGTH, MIN_LENGTH } from "../../components/runtime/value";

describe("core/rotating-value: the schedule and value shape both clouds validate", () => {
    it("accepts exactly the whole numbers of days from 1 to 365 (property)", () => {
        fc.assert(
            fc.property(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: false })), (days) => {
                const problems = new Problems();
                const planned = planRotateEveryDays(days, problems);
                const valid = Number.isInteger(days) && days >= 1 && days <= 365;
                assert.strictEqual(planned, valid ? days : undefined);
                assert.strictEqual(problems.list.length, valid ? 0 : 1);
            }),
            { numRuns: 500 },
        );
    });

    it("accepts the lengths the runtime draws and the formats it knows, the same bounds as the function (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 0, max: 5000 }),
                fc.constantFrom(...Object.keys(ALPHABETS), "Hex", "emoji"),
                (length, format) => {
                    const problems = new Problems();
                    const spec = planValueSpec({ length, format }, problems);
                    const lengthOk = length >= MIN_LENGTH && length <= MAX_LENGTH;
                    const formatOk = format in ALPHABETS;
                    assert.deepStrictEqual(
                        problems.list.map((p) => p.propertyPath),
                        [...(lengthOk ? [] : ["value.length"]), ...(formatOk ? [] : ["value.format"])],
                    );
                    if (lengthOk && formatOk) assert.deepStrictEqual(spec, { length, format });
                },
            ),
            { numRuns: 300 },
        );
    });

    const table: [string, unknown, { length: number; format: string } | string][] = [
        ["no value: the defaults", undefined, { length: 32, format: "alphanumeric" }],
        ["only a length", { length: 64 }, { length: 64, format: "alphanumeric" }],
        ["only a format", { format: "base64" }, { length: 32, format: "base64" }],
        ["a list", [], '`value` must be an object such as `{ length: 64, format: "hex" }`; got object `[]`.'],
        [
            "a length as text",
            { length: "64" },
            "`value.length` must be a whole number of characters from 16 to 4096; got `64`.",
        ],
        [
            "a format in capitals",
            { format: "BASE64" },
            "`value.format` must be `alphanumeric`, `printable`, `hex` or `base64`; got `BASE64`. Did you mean `base64`?",
        ],
    ];
    for (const [what, value, expected] of table) {
        it(`value: ${what}`, () => {
            const problems = new Problems();
            const spec = planValueSpec(value, problems);
            if (typeof expected === "string")
                assert.deepStrictEqual(
                    problems.list.map((p) => p.reason),
                    [expected],
                );
            else assert.deepStrictEqual([spec, problems.list], [expected, []]);
        });
    }

    it("says why a minimum is what it is, beside it", () => {
        const problems = new Problems();
        planWholeNumber("graceDays", 3, { min: 7, max: 365, unit: "days", minNote: "the period" }, problems);
        assert.deepStrictEqual(problems.list, [
            {
                propertyPath: "graceDays",
                reason: "`graceDays` must be a whole number of days from 7 (the period) to 365; got number `3`.",
            },
        ]);
    });
});
