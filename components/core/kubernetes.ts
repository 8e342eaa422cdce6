import { Problems, describe } from "./errors";

/** Kubernetes: a namespace or service account name (RFC 1123 subdomain), at most 253 characters. */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
export const MAX_K8S_NAME_CHARS = 253;

/**
 * Checks that `namespace` and `serviceAccount` of the trust at `path` are exact Kubernetes names,
 * recording a problem for each that is not; returns whether both are.
 */
export function checkKubernetesServiceAccount(
    t: { namespace?: unknown; serviceAccount?: unknown },
    path: string,
    problems: Problems,
): boolean {
    let ok = true;
    for (const field of ["namespace", "serviceAccount"] as const) {
        const v = t[field];
        if (typeof v !== "string" || v.length > MAX_K8S_NAME_CHARS || !K8S_NAME.test(v)) {
            problems.add(
                `${path}.${field}`,
                `\`${path}.${field}\` must be a Kubernetes name (lower-case letters, digits, \`-\` and \`.\`, at most ${MAX_K8S_NAME_CHARS} characters), without wildcards; got ${describe(v)}.`,
            );
            ok = false;
        }
    }
    return ok;
}
