import * as assert from "assert";
import { DocText, describeDoc, literalDefault } from "../../provider/schema-docs";

/** How a doc comment becomes a schema description and default: tables of the pure helpers. */
describe("provider/schema-docs", () => {
    describe("literalDefault: a `@default` the schema can hold as a value", () => {
        const table: [string | undefined, string | undefined, string | number | boolean | undefined][] = [
            ["3600", "integer", 3600],
            ['"/"', "string", "/"],
            ["false", "boolean", false],
            ["true", "boolean", true],
            // not a literal: a sentence, or an object
            ["no expiry", "string", undefined],
            ['`{ length: 32, format: "alphanumeric" }`', undefined, undefined],
            // a literal of another type than the property's
            ["3600", "string", undefined],
            ['"30"', "integer", undefined],
            // a template of the value, not the value
            ['"Disables service accounts of <project> at their expiresAt"', "string", undefined],
            // an enum's default (a `$ref`, no `type`) stays text
            ['"alphanumeric"', undefined, undefined],
            [undefined, "string", undefined],
        ];
        for (const [text, type, expected] of table) {
            it(`${text} (${type}) → ${JSON.stringify(expected)}`, () => {
                assert.strictEqual(literalDefault(text, type), expected);
            });
        }
    });

    describe("describeDoc: text, then the default unless it is a literal, then the links", () => {
        const doc: DocText = {
            text: "The IAM path.",
            default: '"/"',
            see: ["https://docs.aws.amazon.com/a", "https://docs.aws.amazon.com/b (names)"],
        };
        const table: [string, DocText, boolean, string][] = [
            [
                "literal default",
                doc,
                true,
                "The IAM path.\n\nSee https://docs.aws.amazon.com/a\nSee https://docs.aws.amazon.com/b (names)",
            ],
            [
                "default as text",
                { ...doc, default: "no expiry" },
                false,
                "The IAM path.\n\nDefault: no expiry.\n\nSee https://docs.aws.amazon.com/a\nSee https://docs.aws.amazon.com/b (names)",
            ],
            [
                "a default that ends a sentence already",
                { text: "Days.", default: "none (the monitor notifies no one)", see: [] },
                false,
                "Days.\n\nDefault: none (the monitor notifies no one)",
            ],
            ["text only", { text: "The ARN.", see: [] }, false, "The ARN."],
            ["nothing", { text: "", see: [] }, false, ""],
        ];
        for (const [name, given, literal, expected] of table) {
            it(name, () => {
                assert.strictEqual(describeDoc(given, literal), expected);
            });
        }
    });
});
