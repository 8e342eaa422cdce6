/**
 * The cloud-neutral arguments of a rotating secret: its schedule (`rotateEveryDays`) and the shape
 * of its generated value (`value.format`, `value.length`), validated with the bounds the rotation
 * functions enforce (components/runtime/value.ts, one source for both sides).
 */
import {
    ALPHABETS,
    DEFAULT_FORMAT,
    DEFAULT_LENGTH,
    MAX_LENGTH,
    MIN_LENGTH,
    ValueFormat,
    ValueSpec,
} from "../runtime/value";
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

/** The bounds of a whole number for {@link planWholeNumber}, and what the message says of them. */
export interface WholeNumberRule {
    readonly min: number;
    readonly max: number;
    /** `days`, `minutes`, … */
    readonly unit: string;
    /** Why the minimum is what it is, said beside it. */
    readonly minNote?: string;
    /** What the number means, said after the range. */
    readonly note?: string;
}

/** `value` for `path` when it is a whole number within `rule`; otherwise undefined, with the problem recorded. */
export function planWholeNumber(
    path: string,
    value: unknown,
    rule: WholeNumberRule,
    problems: Problems,
): number | undefined {
    if (typeof value === "number" && Number.isInteger(value) && value >= rule.min && value <= rule.max) {
        return value;
    }
    const min = rule.minNote === undefined ? `${rule.min}` : `${rule.min} (${rule.minNote})`;
    const note = rule.note === undefined ? "" : ` (${rule.note})`;
    problems.add(
        path,
        `\`${path}\` must be a whole number of ${rule.unit} from ${min} to ${rule.max}${note}; got ${describe(value)}.`,
    );
    return undefined;
}

/** `rotateEveryDays`, validated: a whole number of days from 1 to 365. */
export function planRotateEveryDays(value: unknown, problems: Problems): number | undefined {
    return planWholeNumber(
        "rotateEveryDays",
        value,
        {
            min: MIN_ROTATE_EVERY_DAYS,
            max: MAX_ROTATE_EVERY_DAYS,
            unit: "days",
            note: "how often the value is replaced",
        },
        problems,
    );
}

/** `value`, validated, with its defaults. */
export function planValueSpec(value: unknown, problems: Problems): ValueSpec {
    if (value === undefined) {
        return { format: DEFAULT_FORMAT, length: DEFAULT_LENGTH };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problems.add(
            "value",
            `\`value\` must be an object such as \`{ length: 64, format: "hex" }\`; got ${describe(value)}.`,
        );
        return { format: DEFAULT_FORMAT, length: DEFAULT_LENGTH };
    }
    const v = value as { length?: unknown; format?: unknown };
    let length = DEFAULT_LENGTH;
    if (v.length !== undefined) {
        if (
            typeof v.length === "number" &&
            Number.isInteger(v.length) &&
            v.length >= MIN_LENGTH &&
            v.length <= MAX_LENGTH
        ) {
            length = v.length;
        } else {
            problems.add(
                "value.length",
                `\`value.length\` must be a whole number of characters from ${MIN_LENGTH} to ${MAX_LENGTH}; got ${describe(v.length)}.`,
            );
        }
    }
    let format: ValueFormat = DEFAULT_FORMAT;
    if (v.format !== undefined) {
        const formats = Object.keys(ALPHABETS);
        if (typeof v.format === "string" && formats.includes(v.format)) {
            format = v.format as ValueFormat;
        } else {
            const hint =
                typeof v.format === "string" ? didYouMean(closestNames(v.format.toLowerCase(), formats, 1)) : "";
            problems.add(
                "value.format",
                `\`value.format\` must be ${oneOf(formats)}; got ${describe(v.format)}.${hint}`,
            );
        }
    }
    return { format, length };
}
