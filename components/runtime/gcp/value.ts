/**
 * The generated secret value on Google: its format and length, read from the secret's labels. The
 * alphabets, bounds and the draw are shared with AWS (`../value`).
 *
 * Runs in the cloud (Cloud Run functions): plain TypeScript, Node.js built-ins only.
 */
import { ALPHABETS, MAX_LENGTH, MIN_LENGTH, ValueSpec, readValueSpec } from "../value";

export {
    ALPHABETS,
    DEFAULT_FORMAT,
    DEFAULT_LENGTH,
    MAX_LENGTH,
    MIN_LENGTH,
    ValueFormat,
    ValueSpec,
    generateValue,
} from "../value";

/** The label that names the value's alphabet. Label values are at most 63 characters of `[a-z0-9_-]`, so every format name fits.
 * @see https://cloud.google.com/resource-manager/docs/labels-overview#requirements */
export const FORMAT_LABEL = "nhi-value-format";
/** The label that gives the value's length in characters, as decimal digits. */
export const LENGTH_LABEL = "nhi-value-length";

/** What the labels ask for, or the reason they cannot be honoured (the function then refuses to rotate rather than guess). */
export function valueSpecFromLabels(
    labels: Readonly<Record<string, string>>,
): ValueSpec | { readonly problem: string } {
    const spec = readValueSpec(labels[FORMAT_LABEL], labels[LENGTH_LABEL]);
    if (!("bad" in spec)) {
        return spec;
    }
    return spec.bad === "format"
        ? {
              problem: `label \`${FORMAT_LABEL}\` is "${labels[FORMAT_LABEL]}"; allowed: ${Object.keys(ALPHABETS).join(", ")}`,
          }
        : {
              problem: `label \`${LENGTH_LABEL}\` is "${labels[LENGTH_LABEL]}"; allowed: a whole number from ${MIN_LENGTH} to ${MAX_LENGTH}`,
          };
}
