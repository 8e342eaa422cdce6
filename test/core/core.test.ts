import * as assert from "assert";
import fc from "fast-check";
import { Problems, closestNames, editDistance, parseExpiry } from "../../components/core";

const NOW = new Date("2026-11-25T12:00:00Z");

describe("parseExpiry", () => {
    const accepted: [string, string][] = [
        ["2027-01-31T00:00:00Z", "2027-01-31T00:00:00Z"],
        ["2027-01-31T09:30+01:00", "2027-01-31T08:30:00Z"],
        ["2027-01-31T00:00:00.250Z", "2027-01-31T00:00:00Z"],
        ["2028-02-29T23:59:59-05:00", "2028-03-01T04:59:59Z"],
    ];
    for (const [given, utc] of accepted) {
        it(`reads ${given} as ${utc}`, () => {
            const problems = new Problems();
            assert.strictEqual(parseExpiry(given, "expiresAt", problems, NOW), utc);
            assert.deepStrictEqual(problems.list, []);
        });
    }
    const refused: [unknown, string][] = [
        [
            "2027-01-31",
            "`expiresAt` must be an ISO-8601 instant with a time zone, such as `2027-01-31T00:00:00Z`; got `2027-01-31`.",
        ],
        [
            "2027-01-31T00:00:00",
            "`expiresAt` must be an ISO-8601 instant with a time zone, such as `2027-01-31T00:00:00Z`; got `2027-01-31T00:00:00`.",
        ],
        [
            1735689600,
            "`expiresAt` must be an ISO-8601 instant with a time zone, such as `2027-01-31T00:00:00Z`; got number `1735689600`.",
        ],
        [
            "2027-13-01T00:00:00Z",
            "`expiresAt` is not a real date and time: `2027-13-01T00:00:00Z`. Use an ISO-8601 instant such as `2027-01-31T00:00:00Z`.",
        ],
        [
            "2027-02-29T00:00:00Z",
            "`expiresAt` is not a real date and time: `2027-02-29T00:00:00Z`. Use an ISO-8601 instant such as `2027-01-31T00:00:00Z`.",
        ],
        [
            "2026-11-25T12:00:00Z",
            "`expiresAt` is in the past: `2026-11-25T12:00:00Z` is before now (2026-11-25T12:00:00Z). Give a future instant, or remove the identity if it is no longer needed.",
        ],
        [
            "2026-11-25T13:00+02:00",
            "`expiresAt` is in the past: `2026-11-25T13:00+02:00` (2026-11-25T11:00:00Z) is before now (2026-11-25T12:00:00Z). Give a future instant, or remove the identity if it is no longer needed.",
        ],
    ];
    for (const [given, reason] of refused) {
        it(`refuses ${JSON.stringify(given)}`, () => {
            const problems = new Problems();
            assert.strictEqual(parseExpiry(given, "expiresAt", problems, NOW), undefined);
            assert.deepStrictEqual(problems.list, [{ propertyPath: "expiresAt", reason }]);
        });
    }
    it("round-trips any future instant to the same UTC second (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: NOW.getTime() + 1000, max: Date.UTC(2999, 0, 1) }),
                fc.integer({ min: -12, max: 14 }),
                (ms, offsetHours) => {
                    const local = new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 19);
                    const sign = offsetHours < 0 ? "-" : "+";
                    const text = `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, "0")}:00`;
                    const utc = parseExpiry(text, "expiresAt", new Problems(), new Date(0));
                    assert.strictEqual(utc, `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`);
                },
            ),
        );
    });
});

describe("closestNames", () => {
    const table: [string, string[], string[]][] = [
        [
            "GetObjekt",
            ["GetObject", "PutObject", "GetObjectAcl", "ListBucket"],
            ["GetObject", "PutObject", "GetObjectAcl"],
        ],
        ["raed", ["read", "write", "list", "tagging"], ["read"]],
        ["s4", ["s3", "sqs", "q", "ce"], ["s3"]],
        ["dynamo", ["dynamodb", "dax"], ["dynamodb"]],
        ["zzzzzz", ["read", "write"], []],
    ];
    for (const [given, candidates, expected] of table) {
        it(`suggests ${JSON.stringify(expected)} for ${given}`, () =>
            assert.deepStrictEqual(closestNames(given, candidates), expected));
    }
    it("measures transpositions as one edit", () => {
        assert.strictEqual(editDistance("raed", "read"), 1);
        assert.strictEqual(editDistance("kitten", "sitting"), 3);
    });
});

describe("Problems", () => {
    it("throws nothing when empty and one InputPropertiesError listing all problems otherwise", () => {
        const problems = new Problems();
        problems.throwIfAny("X");
        problems.add("a", "`a` is bad.");
        problems.add("b[0]", "`b[0]` is bad.");
        assert.throws(() => problems.throwIfAny('Thing "t"'), {
            message: 'Thing "t" has 2 invalid arguments:\n  - a: `a` is bad.\n  - b[0]: `b[0]` is bad.',
        });
    });

    it("takes the problems a part found, in their order, after its own; the part says by itself whether it was valid", () => {
        // GIVEN a problem of the whole, and a part that found two
        const problems = new Problems();
        problems.add("owner", "`owner` is bad.");
        const part = new Problems();
        part.add("trust.x", "`trust.x` is bad.");
        part.add("trust.y", "`trust.y` is bad.");
        // WHEN the part's are added, and an empty part's
        problems.addAll(part);
        problems.addAll(new Problems());
        // THEN the whole lists all three in order, and the part is still its own
        assert.deepStrictEqual(
            problems.list.map((p) => p.propertyPath),
            ["owner", "trust.x", "trust.y"],
        );
        assert.strictEqual(part.list.length, 2);
        assert.ok(!part.isEmpty);
    });
});
