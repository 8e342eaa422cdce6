/**
 * Characters that could end a double-quoted string in a query language (`"`, `\`) or split a
 * query across lines (a control character). The query languages of CloudWatch Logs Insights and
 * Cloud Logging both quote strings with `"`; neither is trusted here to escape inside one.
 */
// eslint-disable-next-line no-control-regex
const UNQUOTABLE = /["\\\x00-\x1F\x7F]/;

/**
 * `value` between double quotes, for the query `query` (`the audit query`), or an error naming the
 * value (`noun`: `ARN`, `email`), the character that could end the string, and `hint` if given.
 * Refusing, not escaping: a value that needs an escape would be one no naming rule allows.
 */
export function quotedLiteral(value: string, query: string, noun: string, hint = ""): string {
    const bad = UNQUOTABLE.exec(value);
    if (bad !== null) {
        throw new Error(
            `${query[0].toUpperCase()}${query.slice(1)} cannot quote the ${noun} ${JSON.stringify(value)}: it holds ${JSON.stringify(bad[0])}, which could end the ${query.replace(/^the /, "")}'s string.${hint}`,
        );
    }
    return `"${value}"`;
}
