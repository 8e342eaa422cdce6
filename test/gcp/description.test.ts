import * as assert from "assert";
import fc from "fast-check";
import {
    MAX_DESCRIPTION_BYTES,
    ownershipRecordProblems,
    renderOwnershipRecord,
} from "../../components/gcp/description";

/** Bytes of the rendered record. */
const bytes = (r: { owner: string; purpose: string; expiresAt?: string }) =>
    Buffer.byteLength(renderOwnershipRecord(r), "utf8");

describe("gcp description: which field an over-long record blames", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "é", '"', "日", "-", " "), minLength: 1, maxLength: 260 });
    const expiresAt = fc.option(fc.constant("2027-01-31T00:00:00Z"), { nil: undefined });

    it("refuses exactly the records Google's 256 bytes cannot hold (property)", () => {
        fc.assert(
            fc.property(text, text, expiresAt, (owner, purpose, exp) => {
                const r = { owner, purpose, ...(exp ? { expiresAt: exp } : {}) };
                assert.strictEqual(ownershipRecordProblems(r).length > 0, bytes(r) > MAX_DESCRIPTION_BYTES);
            }),
        );
    });

    it("blames a field only when shortening it alone is needed or enough (property)", () => {
        fc.assert(
            fc.property(text, text, expiresAt, (owner, purpose, exp) => {
                const r = { owner, purpose, ...(exp ? { expiresAt: exp } : {}) };
                const blamed = ownershipRecordProblems(r).map((p) => p.propertyPath);
                const fitsWithout = (f: "owner" | "purpose") => bytes({ ...r, [f]: "" }) <= MAX_DESCRIPTION_BYTES;
                for (const f of blamed) {
                    const other = f === "owner" ? "purpose" : "owner";
                    // GIVEN a blamed field: emptying it fixes the record, or emptying the other would not
                    assert.ok(
                        fitsWithout(f) || !fitsWithout(other) || blamed.length === 2,
                        `${f} blamed for ${JSON.stringify(r)}`,
                    );
                    // AND a field that alone overflows is always blamed
                    assert.ok(
                        fitsWithout(other) || blamed.includes(other),
                        `${other} not blamed for ${JSON.stringify(r)}`,
                    );
                }
            }),
        );
    });

    const CASES: { what: string; owner: string; purpose: string; expiresAt?: string; blamed: string[] }[] = [
        { what: "fits", owner: "team-reports", purpose: "p".repeat(150), blamed: [] },
        {
            what: "a long owner with a short purpose blames the owner",
            owner: "o".repeat(220),
            purpose: "short",
            blamed: ["owner"],
        },
        {
            what: "a long purpose with a short owner blames the purpose",
            owner: "team",
            purpose: "p".repeat(220),
            blamed: ["purpose"],
        },
        {
            what: "both long together blames the longer",
            owner: "o".repeat(130),
            purpose: "p".repeat(100),
            blamed: ["owner"],
        },
        {
            what: "both long together, equal, blames the purpose",
            owner: "o".repeat(110),
            purpose: "p".repeat(110),
            blamed: ["purpose"],
        },
        {
            what: "both too long alone blames both",
            owner: "o".repeat(210),
            purpose: "p".repeat(210),
            blamed: ["owner", "purpose"],
        },
        {
            what: "the expiry takes its share of the room",
            owner: "o".repeat(100),
            purpose: "p".repeat(90),
            expiresAt: "2027-01-31T00:00:00Z",
            blamed: ["owner"],
        },
        {
            what: "bytes, not characters: 70 three-byte characters are 210 bytes",
            owner: "team",
            purpose: "日".repeat(70),
            blamed: ["purpose"],
        },
    ];
    for (const c of CASES) {
        it(c.what, () => {
            assert.deepStrictEqual(
                ownershipRecordProblems(c).map((p) => p.propertyPath),
                c.blamed,
            );
        });
    }
});
