/**
 * The generated secret value: its format and length, read from the secret's labels, and the draw itself.
 *
 * Runs in the cloud (Cloud Run functions): plain TypeScript, Node.js built-ins only.
 */
import { randomBytes as nodeRandomBytes } from "crypto";

/** The label that names the value's alphabet. Label values are at most 63 characters of `[a-z0-9_-]`, so every format name fits.
 * @see https://cloud.google.com/resource-manager/docs/labels-overview#requirements */
export const FORMAT_LABEL = "nhi-value-format";
/** The label that gives the value's length in characters, as decimal digits. */
export const LENGTH_LABEL = "nhi-value-length";

/** The alphabets a value is drawn from. `printable` is ASCII 0x21–0x7E (no space); `base64` is the standard RFC 4648 alphabet without padding. */
export const ALPHABETS = {
    alphanumeric: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    printable: Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join(""),
    hex: "0123456789abcdef",
    base64: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
} as const;

export type ValueFormat = keyof typeof ALPHABETS;

export const DEFAULT_FORMAT: ValueFormat = "alphanumeric";
export const DEFAULT_LENGTH = 32;
/** Issue 7 bounds a value's length to 16–4096 characters; Secret Manager's own payload limit (64 KiB) is far above. */
export const MIN_LENGTH = 16;
export const MAX_LENGTH = 4096;

export interface ValueSpec {
    readonly format: ValueFormat;
    readonly length: number;
}

/** What the labels ask for, or the reason they cannot be honoured (the function then refuses to rotate rather than guess). */
export function valueSpecFromLabels(labels: Readonly<Record<string, string>>): ValueSpec | { readonly problem: string } {
    const format = labels[FORMAT_LABEL] ?? DEFAULT_FORMAT;
    if (!Object.prototype.hasOwnProperty.call(ALPHABETS, format)) {
        return { problem: `label \`${FORMAT_LABEL}\` is "${format}"; allowed: ${Object.keys(ALPHABETS).join(", ")}` };
    }
    const lengthText = labels[LENGTH_LABEL];
    const length = lengthText === undefined ? DEFAULT_LENGTH : /^[0-9]{1,5}$/.test(lengthText) ? Number(lengthText) : NaN;
    if (!(length >= MIN_LENGTH && length <= MAX_LENGTH)) {
        return { problem: `label \`${LENGTH_LABEL}\` is "${lengthText}"; allowed: a whole number from ${MIN_LENGTH} to ${MAX_LENGTH}` };
    }
    return { format: format as ValueFormat, length };
}

/**
 * `length` characters drawn uniformly and independently from the format's alphabet.
 * Rejection sampling: a byte is used only when it falls below the largest multiple of the alphabet size, so no character is favoured.
 */
export function generateValue(spec: ValueSpec, randomBytes: (n: number) => Buffer = nodeRandomBytes): string {
    const alphabet = ALPHABETS[spec.format];
    const limit = 256 - (256 % alphabet.length);
    let out = "";
    while (out.length < spec.length) {
        for (const byte of randomBytes(spec.length - out.length + 16)) {
            if (byte < limit) {
                out += alphabet[byte % alphabet.length];
                if (out.length === spec.length) break;
            }
        }
    }
    return out;
}
