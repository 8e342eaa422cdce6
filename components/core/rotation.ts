import { Problems, describe } from "./errors";

/** Issue 7 bounds a rotation period to 1–365 days, for every rotated credential of the package. */
export const MIN_ROTATE_DAYS = 1;
export const MAX_ROTATE_DAYS = 365;

/** A rotation schedule in whole days, validated. */
export interface RotationSchedule {
    readonly rotateEveryDays: number;
    readonly graceDays: number;
}

/**
 * Validates `rotateEveryDays` (a whole number from 1 to 365) and `graceDays` (a whole number of days shorter than the period) of
 * `given`, whose properties sit at `path` (`key` for `key.rotateEveryDays`), recording every problem. `defaultGrace` gives the grace
 * when none is given. Returns the schedule, or undefined when it has a problem.
 */
export function planRotationSchedule(given: { readonly rotateEveryDays?: unknown; readonly graceDays?: unknown }, path: string, problems: Problems, defaultGrace: (rotateEveryDays: number) => number): RotationSchedule | undefined {
    const periodPath = `${path}.rotateEveryDays`;
    const gracePath = `${path}.graceDays`;
    const period = given.rotateEveryDays;
    if (!Number.isInteger(period) || (period as number) < MIN_ROTATE_DAYS || (period as number) > MAX_ROTATE_DAYS) {
        problems.add(periodPath, `\`${periodPath}\` must be a whole number of days from ${MIN_ROTATE_DAYS} to ${MAX_ROTATE_DAYS}; got ${describe(period)}.`);
        return undefined;
    }
    const rotateEveryDays = period as number;
    const grace = given.graceDays ?? defaultGrace(rotateEveryDays);
    if (!Number.isInteger(grace) || (grace as number) < 0 || (grace as number) >= rotateEveryDays) {
        problems.add(gracePath, `\`${gracePath}\` must be a whole number of days shorter than \`${periodPath}\` (${rotateEveryDays}): from 0 to ${rotateEveryDays - 1}; got ${describe(grace)}.`);
        return undefined;
    }
    return { rotateEveryDays, graceDays: grace as number };
}
