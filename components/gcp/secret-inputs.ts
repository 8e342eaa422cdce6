/**
 * The plain inputs of a Secret Manager secret that this package declares, validated: its ID, its
 * labels and who may read it. Pure functions of plain data, recording problems in a `Problems`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { GcpServiceIdentity } from "./service-identity";

/** Google: a secret ID is 1–255 letters, digits, `-` and `_`. @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create */
export const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** Google: label keys start with a lower-case letter; keys and values are at most 63 lower-case letters, digits, `_` and `-`; 64 labels at most. @see https://cloud.google.com/resource-manager/docs/labels-overview#requirements */
export const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
export const MAX_LABELS = 64;

/** The labels this component sets (the function reads them), reserved: a user's label may not start with it. */
export const RESERVED_LABEL_PREFIX = "nhi-";

/** The role readers get on this secret only. */
export const SECRET_ACCESSOR = "roles/secretmanager.secretAccessor";

/** Who may read the secret: an IAM member string, or an identity of this package. */
export type GcpSecretReader = pulumi.Input<string> | GcpServiceIdentity;

/** The secret ID Google would accept from `name`: other characters replaced by `-`. */
export function deriveSecretId(name: string): string {
    return name.replace(/[^A-Za-z0-9_-]+/g, "-");
}

/**
 * The secret ID: `given`, or derived from `name`; either way after `prefix` (a shared rotator's),
 * which a given ID must start with.
 */
export function planSecretId(name: string, given: unknown, prefix: string, problems: Problems): string | undefined {
    if (given === undefined) {
        const derived = `${prefix}${deriveSecretId(name)}`;
        if (!SECRET_ID.test(derived)) {
            problems.add(
                "secretId",
                `\`name\` \`${name}\` gives the secret ID \`${derived}\`, which must be 1–255 letters, digits, \`-\` and \`_\`. Give \`secretId\` explicitly.`,
            );
            return undefined;
        }
        return derived;
    }
    if (typeof given !== "string" || !SECRET_ID.test(given)) {
        const fixed = typeof given === "string" ? deriveSecretId(given) : "";
        problems.add(
            "secretId",
            `\`secretId\` must be 1–255 letters, digits, \`-\` and \`_\`; got ${describe(given)}.${SECRET_ID.test(fixed) && fixed !== "" ? ` Did you mean \`${fixed}\`?` : ""}`,
        );
        return undefined;
    }
    if (!given.startsWith(prefix)) {
        problems.add(
            "secretId",
            `\`secretId\` must start with the rotator's \`secretIdPrefix\` \`${prefix}\`, the only secrets its IAM Condition lets it rotate; got \`${given}\`. Did you mean \`${prefix}${given}\`?`,
        );
        return undefined;
    }
    return given;
}

/** The user's labels, validated: Google's rules, and none of this package's `nhi-` keys, of which the secret has `reserved`. */
export function planLabels(labels: unknown, problems: Problems, reserved = 4): Record<string, string> {
    if (labels === undefined) {
        return {};
    }
    if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
        problems.add(
            "labels",
            `\`labels\` must be an object of label keys to values, such as \`{ team: "payments" }\`; got ${describe(labels)}.`,
        );
        return {};
    }
    const out: Record<string, string> = {};
    const entries = Object.entries(labels as Record<string, unknown>);
    for (const [key, value] of entries) {
        const path = `labels.${key}`;
        if (key.startsWith(RESERVED_LABEL_PREFIX)) {
            problems.add(
                path,
                `\`${path}\`: label keys starting with \`${RESERVED_LABEL_PREFIX}\` are set by pulumi-nhi (the rotation function reads them); use \`rotateEveryDays\`, \`graceDays\` and \`value\` instead.`,
            );
        } else if (!LABEL_KEY.test(key)) {
            const fixed = key.toLowerCase().replace(/[^a-z0-9_-]+/g, "-");
            problems.add(
                path,
                `\`${path}\`: a label key must start with a lower-case letter and have at most 63 lower-case letters, digits, \`_\` and \`-\`; got \`${key}\`.${LABEL_KEY.test(fixed) ? ` Did you mean \`${fixed}\`?` : ""}`,
            );
        } else if (typeof value !== "string" || !LABEL_VALUE.test(value)) {
            problems.add(
                path,
                `\`${path}\` must be at most 63 lower-case letters, digits, \`_\` and \`-\`; got ${describe(value)}.`,
            );
        } else {
            out[key] = value;
        }
    }
    if (entries.length > MAX_LABELS - reserved) {
        problems.add(
            "labels",
            `\`labels\` has ${entries.length} labels; a secret holds at most ${MAX_LABELS} (Google), of which pulumi-nhi uses ${reserved}: give at most ${MAX_LABELS - reserved}.`,
        );
    }
    return out;
}

/** Why `member` is not an IAM member that may read a secret, or undefined. */
export function readerProblem(path: string, member: string): string | undefined {
    if (member === "allUsers" || member === "allAuthenticatedUsers") {
        return `\`${path}\` is \`${member}\`, which would let anyone${member === "allUsers" ? "" : " with a Google account"} read the secret. Name the identities that read it.`;
    }
    if (
        /^(user|serviceAccount|group):[^@\s:]+@[^@\s]+\.[^@\s]+$/.test(member) ||
        /^domain:[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(member) ||
        /^principal(Set)?:\/\/iam\.googleapis\.com\/\S+$/.test(member)
    ) {
        return undefined;
    }
    const hint = /^[^@\s:]+@[^@\s]+\.[^@\s]+$/.test(member)
        ? ` Did you mean \`${member.endsWith(".gserviceaccount.com") ? "serviceAccount" : "user"}:${member}\`?`
        : "";
    return `\`${path}\` must be an IAM member (\`serviceAccount:…\`, \`user:…\`, \`group:…\`, \`domain:…\`, \`principal://…\` or \`principalSet://…\`) or a \`gcp.ServiceIdentity\`; got \`${member}\`.${hint}`;
}

/**
 * The readers of a secret given at `base` (`readers`, or `key.readers` for a service account's key), validated: identities and IAM
 * member strings now, Outputs when they resolve (their checks go to `later`).
 */
export function planReaders(
    readers: unknown,
    problems: Problems,
    later: DeferredCheck[],
    base = "readers",
): GcpSecretReader[] {
    if (readers === undefined) {
        return [];
    }
    if (!Array.isArray(readers)) {
        problems.add(
            base,
            `\`${base}\` must be a list of IAM members or \`gcp.ServiceIdentity\` objects; got ${describe(readers)}.`,
        );
        return [];
    }
    const out: GcpSecretReader[] = [];
    readers.forEach((reader: unknown, i) => {
        const path = `${base}[${i}]`;
        if (reader instanceof GcpServiceIdentity) {
            out.push(reader);
        } else if (typeof reader === "string") {
            const problem = readerProblem(path, reader);
            if (problem === undefined) out.push(reader);
            else problems.add(path, problem);
        } else if (pulumi.Output.isInstance(reader) || reader instanceof Promise) {
            later.push({ path, value: reader as pulumi.Input<string>, problem: (m) => readerProblem(path, m) });
            out.push(reader as pulumi.Input<string>);
        } else {
            problems.add(
                path,
                `\`${path}\` must be an IAM member string or a \`gcp.ServiceIdentity\`; got ${describe(reader)}.`,
            );
        }
    });
    return out;
}
