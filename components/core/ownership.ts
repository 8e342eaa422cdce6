import { Problems, deployTimeValueProblem, describe } from "./errors";

/** Who answers for a machine identity and why it exists. */
export interface Ownership {
    /** A team, a person or a mailbox that answers for the identity. */
    owner: string;
    /** Why the identity exists, in one sentence. */
    purpose: string;
}

/** The tag (AWS) or description field (Google) prefix reserved for this package. */
export const MANAGED_BY = "pulumi-nhi";

/**
 * Validates the required, non-empty `owner` and `purpose` (and any other required strings named in
 * `fields`), recording a problem for each one missing or blank. Returns the trimmed values.
 */
export function requireText<K extends string>(
    args: Partial<Record<K, unknown>>,
    fields: readonly K[],
    problems: Problems,
    what: Record<K, string>,
): Record<K, string> {
    const out = {} as Record<K, string>;
    for (const field of fields) {
        const value = args[field];
        const notPlain = deployTimeValueProblem(
            field,
            value,
            "it is recorded with the identity (in its tags on AWS, in its description on Google) and checked before anything is created",
            field === "owner" ? "team-payments" : "Exports the nightly reports",
        );
        if (notPlain !== undefined) {
            problems.add(field, notPlain);
            continue;
        }
        if (typeof value !== "string" || value.trim() === "") {
            problems.add(
                field,
                `\`${field}\` is required and must be a non-empty string (${what[field]}); got ${describe(value)}.`,
            );
            continue;
        }
        out[field] = value.trim();
    }
    return out;
}

/** What `owner` and `purpose` mean, for messages. */
export const OWNERSHIP_FIELDS: Record<keyof Ownership, string> = {
    owner: "the team or person who answers for this identity",
    purpose: "why this identity exists",
};
