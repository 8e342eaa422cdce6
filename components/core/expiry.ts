import { Problems, deployTimeValueProblem, describe } from "./errors";

/**
 * An ISO-8601 instant: a date, a time and an offset. `2027-01-31T00:00:00Z`,
 * `2027-01-31T09:30+01:00`, `2027-01-31T00:00:00.000Z`.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An example shown in messages. */
export const EXPIRY_EXAMPLE = "2027-01-31T00:00:00Z";

/**
 * Parses `expiresAt` into the UTC instant, written as `YYYY-MM-DDTHH:MM:SSZ` (the form both AWS
 * `aws:CurrentTime` and Google `timestamp()` accept), or records a problem and returns undefined.
 *
 * The instant must lie after `now`: an identity declared already expired is a mistake, and a
 * stack whose identity has expired must be renewed (a later `expiresAt`) or the identity removed.
 */
export function parseExpiry(value: unknown, path: string, problems: Problems, now: Date): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    const notPlain = deployTimeValueProblem(
        path,
        value,
        "it is written into every grant and trust as a condition the cloud enforces, and checked before anything is created",
        EXPIRY_EXAMPLE,
    );
    if (notPlain !== undefined) {
        problems.add(path, notPlain);
        return undefined;
    }
    const instant = typeof value === "string" ? readInstant(value) : "shape";
    if (instant === "shape") {
        problems.add(
            path,
            `\`${path}\` must be an ISO-8601 instant with a time zone, such as \`${EXPIRY_EXAMPLE}\`; got ${describe(value)}.`,
        );
        return undefined;
    }
    if (instant === "calendar") {
        problems.add(
            path,
            `\`${path}\` is not a real date and time: \`${value}\`. Use an ISO-8601 instant such as \`${EXPIRY_EXAMPLE}\`.`,
        );
        return undefined;
    }
    if (instant.millis <= now.getTime()) {
        problems.add(
            path,
            `\`${path}\` is in the past: \`${value}\`${value === instant.utc ? "" : ` (${instant.utc})`} is before now (${now.toISOString().slice(0, 19)}Z). Give a future instant, or remove the identity if it is no longer needed.`,
        );
        return undefined;
    }
    return instant.utc;
}

/** Instants already read, by text: stacks give many identities the same expiry. */
const instants = new Map<string, { millis: number; utc: string }>();

/** The instant `value` names, or why it names none: not the ISO-8601 shape, or no such day or time. */
function readInstant(value: string): { millis: number; utc: string } | "shape" | "calendar" {
    const known = instants.get(value);
    if (known !== undefined) {
        return known;
    }
    const m = ISO_INSTANT.exec(value);
    if (m === null) {
        return "shape";
    }
    const [, year, month, day, hour, minute, second] = m;
    const millis = Date.parse(value);
    const calendarOk =
        !Number.isNaN(millis) &&
        Number(month) >= 1 &&
        Number(month) <= 12 &&
        Number(day) >= 1 &&
        Number(day) <= daysInMonth(Number(year), Number(month)) &&
        Number(hour) <= 23 &&
        Number(minute) <= 59 &&
        Number(second ?? 0) <= 59;
    if (!calendarOk) {
        return "calendar";
    }
    const instant = { millis, utc: `${new Date(millis).toISOString().slice(0, 19)}Z` };
    instants.set(value, instant);
    return instant;
}

function daysInMonth(year: number, month: number): number {
    return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * How many days before an identity's `expiresAt` every preview and update warns that it will
 * expire: two weeks leave time for a change to be reviewed and deployed.
 */
export const EXPIRY_WARNING_DAYS = 14;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The warning for an identity that expires at `expiresAt` (the UTC instant {@link parseExpiry}
 * returns) within `noticeDays` of `now`, or undefined when it expires later or never.
 * `consequence` says what the cloud does then, such as `AWS stops honouring the role`.
 */
export function expiryWarning(
    expiresAt: string | undefined,
    now: Date,
    consequence: string,
    noticeDays: number = EXPIRY_WARNING_DAYS,
): string | undefined {
    if (expiresAt === undefined) {
        return undefined;
    }
    const left = Date.parse(expiresAt) - now.getTime();
    if (left > noticeDays * DAY_MS || left <= 0) {
        return undefined;
    }
    return `\`expiresAt\` is ${expiresAt}, in ${timeLeft(left)}: then ${consequence}. To keep the identity, set a later \`expiresAt\` and update the stack before then; if it is no longer needed, remove it from the program.`;
}

/** `3 days and 4 hours`, `1 day`, `5 hours`, `less than an hour`: whole units, rounded down. */
function timeLeft(ms: number): string {
    const days = Math.floor(ms / DAY_MS);
    const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
    const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    if (days === 0) {
        return hours === 0 ? "less than an hour" : unit(hours, "hour");
    }
    return hours === 0 ? unit(days, "day") : `${unit(days, "day")} and ${unit(hours, "hour")}`;
}
