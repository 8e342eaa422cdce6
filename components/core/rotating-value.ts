/**
 * The cloud-neutral arguments of a rotating secret: its schedule (`rotateEveryDays`) and the shape
 * of its generated value (`value.format`, `value.length`), validated with the bounds the rotation
 * functions enforce (components/runtime/value.ts, one source for both sides).
 */
import { ALPHABETS, DEFAULT_FORMAT, DEFAULT_LENGTH, MAX_LENGTH, MIN_LENGTH, ValueFormat, ValueSpec } from "../runtime/value";
import { Problems, describe, didYouMean, oneOf } from "./errors";
import { closestNames } from "./suggest";

export { ValueFormat, ValueSpec } from "../runtime/value";

/** Issue 7: a period of 1 to 365 days, whole days. */
export const MIN_ROTATE_EVERY_DAYS = 1;
export const MAX_ROTATE_EVERY_DAYS = 365;

/** The shape of a generated value. */
export interface RotatingValueArgs {
    /**
     * The number of characters.
     * @default 32
     */
    readonly length?: number;
    /**
     * The alphabet: `alphanumeric` (A–Z, a–z, 0–9), `printable` (ASCII 0x21–0x7E, no space), `hex`
     * (lower case) or `base64` (RFC 4648's standard alphabet, unpadded).
     * @default "alphanumeric"
     */
    readonly format?: ValueFormat;
}

/** The whole number of days in `value` for `path`, between `min` and `max`, or a problem recorded. */
export function planWholeDays(path: string, value: unknown, min: number, max: number, problems: Problems, what: string): number | undefined {
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) {
        return value;
    }
    problems.add(path, `\`${path}\` must be a whole number of days from ${min} to ${max} (${what}); got ${describe(value)}.`);
    return undefined;
}

/** `rotateEveryDays`, validated: a whole number of days from 1 to 365. */
export function planRotateEveryDays(value: unknown, problems: Problems): number | undefined {
    return planWholeDays("rotateEveryDays", value, MIN_ROTATE_EVERY_DAYS, MAX_ROTATE_EVERY_DAYS, problems, "how often the value is replaced");
}

/** `value`, validated, with its defaults. */
export function planValueSpec(value: unknown, problems: Problems): ValueSpec {
    if (value === undefined) {
        return { format: DEFAULT_FORMAT, length: DEFAULT_LENGTH };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problems.add("value", `\`value\` must be an object such as \`{ length: 64, format: "hex" }\`; got ${describe(value)}.`);
        return { format: DEFAULT_FORMAT, length: DEFAULT_LENGTH };
    }
    const v = value as { length?: unknown; format?: unknown };
    let length = DEFAULT_LENGTH;
    if (v.length !== undefined) {
        if (typeof v.length === "number" && Number.isInteger(v.length) && v.length >= MIN_LENGTH && v.length <= MAX_LENGTH) {
            length = v.length;
        } else {
            problems.add("value.length", `\`value.length\` must be a whole number of characters from ${MIN_LENGTH} to ${MAX_LENGTH}; got ${describe(v.length)}.`);
        }
    }
    let format: ValueFormat = DEFAULT_FORMAT;
    if (v.format !== undefined) {
        const formats = Object.keys(ALPHABETS);
        if (typeof v.format === "string" && formats.includes(v.format)) {
            format = v.format as ValueFormat;
        } else {
            const hint = typeof v.format === "string" ? didYouMean(closestNames(v.format.toLowerCase(), formats, 1)) : "";
            problems.add("value.format", `\`value.format\` must be ${oneOf(formats)}; got ${describe(v.format)}.${hint}`);
        }
    }
    return { format, length };
}
