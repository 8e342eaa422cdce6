import * as pulumi from "@pulumi/pulumi";
import { Problems, describe } from "../core/errors";
import { MANAGED_BY } from "../core/ownership";

/** AWS: at most 50 tags on an IAM role or policy. */
export const MAX_TAGS = 50;
/** AWS: tag keys are 1–128 characters, values 0–256. */
export const MAX_TAG_KEY_CHARS = 128;
export const MAX_TAG_VALUE_CHARS = 256;
/** AWS: the characters IAM accepts in tag keys and values. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Tag keys this package writes, and the prefix it reserves. */
export const TAG_PREFIX = "nhi:";
/**
 * The tags recording acknowledged privilege escalations: `nhi:escalation:<method>` → the reason.
 * Keyed by method, so that reordering the grants changes no tag; a method ID is at most 60
 * characters, well inside the 128 of a key.
 */
export const ESCALATION_TAG_PREFIX = "nhi:escalation:";

/** Whether `value` can be an IAM tag value: at most 256 of the characters IAM accepts. */
export function isTagValue(value: string): boolean {
    return value.length <= MAX_TAG_VALUE_CHARS && TAG_TEXT.test(value);
}

/** The tags an identity carries: the ownership tags and the user's own. */
export interface TagPlan {
    /** `nhi:owner`, `nhi:purpose`, `nhi:managed-by` and, with an expiry, `nhi:expires-at`. */
    readonly tags: Record<string, string>;
    /** The keys of the user's tags that passed the checks. */
    readonly userKeys: readonly string[];
}

/** The valid tags of those the user gave (`args.tags`), without the `nhi:` tags. */
export function givenTags(
    plan: TagPlan,
    user: Readonly<Record<string, pulumi.Input<string>>> | undefined,
): Record<string, pulumi.Input<string>> {
    return user === undefined ? {} : Object.fromEntries(plan.userKeys.map((k) => [k, user[k]]));
}

/** What an identity's own tags record: its ownership and the reasons of acknowledged escalations. */
export interface TagRecord {
    owner?: string;
    purpose?: string;
    expiresAt?: string;
    /** `nhi:escalation:<method>` → reason (see `planAwsEscalations`). */
    escalations?: Readonly<Record<string, string>>;
    /** Further `nhi:` tags a kind of identity records, already checked (`nhi:consumer`). */
    more?: Readonly<Record<string, string>>;
    /** Keys of further `nhi:` tags whose values the caller adds itself (an Input: `nhi:notify`), counted against the limit. */
    late?: readonly string[];
}

/** What to do to make `value` a tag value: the characters to remove, or how much to shorten it. */
export function tagValueFix(value: string): string {
    const bad = [...new Set(value.replace(/[\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, ""))].map((c) => `\`${c}\``).join(", ");
    return bad !== "" ? `remove ${bad}` : `shorten it (${value.length} characters)`;
}

/** The ownership tags of an identity, and the tags recording its acknowledged escalations. */
export function ownershipTags(o: TagRecord): Record<string, string> {
    const tags: Record<string, string> = { "nhi:managed-by": MANAGED_BY };
    if (o.owner !== undefined) {
        tags["nhi:owner"] = o.owner;
    }
    if (o.purpose !== undefined) {
        tags["nhi:purpose"] = o.purpose;
    }
    if (o.expiresAt !== undefined) {
        tags["nhi:expires-at"] = o.expiresAt;
    }
    return { ...tags, ...o.more, ...o.escalations };
}

/**
 * Checks that `owner` and `purpose` can be tag values and that the user's `tags` are valid AWS tags
 * that do not use a reserved prefix; returns the tags to apply. `principal` names what carries
 * them (`role`, `user`), for messages.
 */
export function planTags(
    user: Record<string, pulumi.Input<string>> | undefined,
    o: TagRecord,
    problems: Problems,
    principal = "role",
): TagPlan {
    for (const field of ["owner", "purpose"] as const) {
        const v = o[field];
        if (v !== undefined && (!TAG_TEXT.test(v) || v.length > MAX_TAG_VALUE_CHARS)) {
            problems.add(
                field,
                `\`${field}\` is written to the IAM tag \`nhi:${field}\`, which allows at most ${MAX_TAG_VALUE_CHARS} letters, digits, spaces and \`_ . : / = + - @\`; ${tagValueFix(v)}.`,
            );
        }
    }
    const tags = ownershipTags(o);
    const userKeys: string[] = [];
    if (user !== undefined) {
        if (user === null || typeof user !== "object" || Array.isArray(user)) {
            problems.add("tags", `\`tags\` must be a map of tag keys to values; got ${describe(user)}.`);
            return { tags, userKeys };
        }
        for (const [key, value] of Object.entries(user)) {
            const at = `tags.${key}`;
            if (key.startsWith(TAG_PREFIX) || key.toLowerCase().startsWith("aws:")) {
                problems.add(
                    at,
                    `\`${at}\`: tag keys starting \`${TAG_PREFIX}\` are written by pulumi-nhi and keys starting \`aws:\` by AWS; use another key.`,
                );
            } else if (key === "" || key.length > MAX_TAG_KEY_CHARS || !TAG_TEXT.test(key)) {
                problems.add(
                    at,
                    `\`${at}\`: a tag key must be 1–${MAX_TAG_KEY_CHARS} letters, digits, spaces and \`_ . : / = + - @\`.`,
                );
            } else if (typeof value === "string" && (value.length > MAX_TAG_VALUE_CHARS || !TAG_TEXT.test(value))) {
                problems.add(
                    at,
                    `\`${at}\` must be at most ${MAX_TAG_VALUE_CHARS} letters, digits, spaces and \`_ . : / = + - @\`; got \`${value}\`.`,
                );
            } else {
                userKeys.push(key);
            }
        }
        const tooMany = tagCountProblem(Object.keys(user).length, Object.keys(tags).length + (o.late?.length ?? 0), {
            on: `a ${principal}`,
        });
        if (tooMany !== undefined) {
            problems.add("tags", tooMany);
        }
    }
    return { tags, userKeys };
}

/**
 * The problem with `given` tags of the user's beside the `written` `nhi:` tags pulumi-nhi writes
 * on one resource, when together they are more than {@link MAX_TAGS} (50 on an IAM role or user,
 * and on a Secrets Manager secret); undefined otherwise. `on` names the resource (`a role`), and
 * `where` says which of a component's resources it is (` on the secret`) when that is not plain.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html
 */
export function tagCountProblem(
    given: number,
    written: number,
    o: { readonly on: string; readonly where?: string; readonly service?: string },
): string | undefined {
    const total = given + written;
    return total <= MAX_TAGS
        ? undefined
        : `\`tags\` has ${given} tags; with the ${written} \`nhi:\` tags pulumi-nhi writes${o.where ?? ""} that is ${total}, more than the ${MAX_TAGS} ${o.service ?? "AWS"} allows on ${o.on}.`;
}
