import * as ts from "typescript";

/*
 * The descriptions of the schema, read from the same doc comments as the TypeScript API: the
 * summary and details, then `@default` (as the schema's `default` when it is a literal, else as a
 * sentence) and each `@see` as a link. Nothing here is written twice: a doc comment changed in
 * `components/` changes the schema at the next `npm run schema`, and the drift test fails until
 * it is run.
 */

/** What a doc comment says, split the way the schema uses it. */
export interface DocText {
    /** Summary and details, as Markdown. */
    readonly text: string;
    /** The `@default` tag's text, if any. */
    readonly default?: string;
    /** The `@see` tags' texts. */
    readonly see: readonly string[];
}

/** The tags the schema reads; any other `@` is text. */
const OUR_TAGS = new Set(["default", "see"]);

/** The doc comment of `symbol`: its text, `@default` and `@see`. */
export function docOf(symbol: ts.Symbol | undefined, checker: ts.TypeChecker): DocText {
    if (symbol === undefined) {
        return { text: "", see: [] };
    }
    const tags = symbol.getJsDocTags(checker);
    const tagText = (t: ts.JSDocTagInfo) => partsText(t.text ?? []).trim();
    // TypeScript reads any `@` as the start of a tag, even in backticks (`_ . : / = + - @`): the
    // text of a tag that is not one of ours goes back where it was.
    const text = [
        partsText(symbol.getDocumentationComment(checker)).trim(),
        ...tags.filter((t) => !OUR_TAGS.has(t.name)).map((t) => `@${t.name}${partsText(t.text ?? [])}`),
    ]
        .join(" ")
        .trim();
    const defaults = tags.filter((t) => t.name === "default").map(tagText);
    const see = tags
        .filter((t) => t.name === "see")
        .map(tagText)
        .filter((s) => s !== "");
    return { text, default: defaults[0], see };
}

/**
 * The text of doc comment parts. `{@link Name}` becomes `` `Name` ``: a TypeScript name means
 * nothing as a link in another language's SDK, but reads as a name.
 */
function partsText(parts: readonly ts.SymbolDisplayPart[]): string {
    let out = "";
    let inLink = false;
    let linkText = "";
    for (const p of parts) {
        if (p.kind === "link") {
            if (p.text.startsWith("{@link")) {
                inLink = true;
                linkText = "";
            } else {
                out += linkText.trim() === "" ? "" : `\`${linkText.trim()}\``;
                inLink = false;
            }
        } else if (inLink) {
            linkText += p.text;
        } else {
            out += p.text;
        }
    }
    return out;
}

/** A `@default` that is a JSON literal (`3600`, `"/"`, `true`), as that value; otherwise undefined. */
export function literalDefault(
    text: string | undefined,
    type: string | undefined,
): string | number | boolean | undefined {
    if (text === undefined) {
        return undefined;
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return undefined;
    }
    // A string with `<placeholders>` is a template of the value, not the value.
    const fits =
        (type === "string" && typeof value === "string" && !/<\w+>/.test(value)) ||
        ((type === "number" || type === "integer") && typeof value === "number") ||
        (type === "boolean" && typeof value === "boolean");
    return fits ? (value as string | number | boolean) : undefined;
}

/**
 * The schema description: the text, then the default when it is not a literal the schema holds
 * in `default` (`Default: no expiry.`), then one `See <url>` line per `@see`.
 */
export function describeDoc(doc: DocText, defaultIsLiteral: boolean): string {
    const sentence = (s: string) => (/[.!?)`]$/.test(s) ? s : `${s}.`);
    const parts = [doc.text];
    if (doc.default !== undefined && !defaultIsLiteral) {
        parts.push(`Default: ${sentence(doc.default)}`);
    }
    if (doc.see.length > 0) {
        parts.push(doc.see.map((s) => `See ${s}`).join("\n"));
    }
    return parts.filter((p) => p !== "").join("\n\n");
}
