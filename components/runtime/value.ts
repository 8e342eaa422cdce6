/**
 * The generated value of a rotating secret, shared by every cloud's rotation function: its
 * alphabets, its bounds, how a format and a length given as text (a tag on AWS, a label on Google)
 * are read, and the draw itself.
 *
 * Runs in the cloud: plain TypeScript, Node.js built-ins only. Each function's asset holds this
 * file beside its own folder (`value.js`, `<cloud>/…`).
 */
import { randomBytes } from "crypto";

/**
 * The characters of each format. `printable` is ASCII 0x21–0x7E (every printable character but
 * the space, which trimming would lose). `base64` is RFC 4648's standard alphabet without padding:
 * a value whose length is a multiple of 4 decodes to exactly `length * 3 / 4` bytes.
 */
export const ALPHABETS = {
    alphanumeric: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    printable: Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join(""),
    hex: "0123456789abcdef",
    base64: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
} as const;

/** The characters a generated value is drawn from: `alphanumeric`, `printable`, `hex` or `base64` (see {@link ALPHABETS}). */
export type ValueFormat = keyof typeof ALPHABETS;

export const DEFAULT_FORMAT: ValueFormat = "alphanumeric";
export const DEFAULT_LENGTH = 32;
/**
 * Issue 7 bounds a value to 16–4,096 characters; the clouds' own limits are far above (Secrets
 * Manager: 65,536 bytes; Secret Manager: 64 KiB).
 */
export const MIN_LENGTH = 16;
export const MAX_LENGTH = 4096;

export interface ValueSpec {
    readonly format: ValueFormat;
    readonly length: number;
}

/**
 * The value asked for by a format and a length given as text (undefined: the default), or which of
 * the two is outside the rules: each function reports that in its cloud's words and refuses to
 * rotate rather than make a value of the wrong shape.
 */
export function readValueSpec(
    format: string | undefined,
    length: string | undefined,
): ValueSpec | { readonly bad: "format" | "length" } {
    const f = format ?? DEFAULT_FORMAT;
    if (!Object.prototype.hasOwnProperty.call(ALPHABETS, f)) {
        return { bad: "format" };
    }
    const n = length === undefined ? DEFAULT_LENGTH : /^[0-9]{1,5}$/.test(length) ? Number(length) : NaN;
    if (!(n >= MIN_LENGTH && n <= MAX_LENGTH)) {
        return { bad: "length" };
    }
    return { format: f as ValueFormat, length: n };
}

/**
 * `spec.length` characters drawn uniformly from the format's alphabet. Each random byte is used
 * only if it falls below the largest multiple of the alphabet's size that fits in a byte (rejection
 * sampling), so no character is more likely than another.
 */
export function generateValue(spec: ValueSpec, random: (size: number) => Buffer = randomBytes): string {
    const alphabet = ALPHABETS[spec.format];
    const limit = 256 - (256 % alphabet.length);
    let value = "";
    while (value.length < spec.length) {
        for (const byte of random(spec.length - value.length + 16)) {
            if (byte < limit && value.length < spec.length) {
                value += alphabet[byte % alphabet.length];
            }
        }
    }
    return value;
}

/** Whether `value` is exactly `spec.length` characters of the format's alphabet. */
export function isWellFormed(value: string, spec: ValueSpec): boolean {
    const alphabet = ALPHABETS[spec.format];
    return value.length === spec.length && [...value].every((c) => alphabet.includes(c));
}
