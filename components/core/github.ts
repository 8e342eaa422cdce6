import { Problems, describe, oneOf } from "./errors";

/** The issuer of GitHub Actions OIDC tokens. */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/** One GitHub repository, `owner/repo`: GitHub's characters for owners and repository names. */
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
/** A full Git ref, as GitHub writes it in the `ref` claim and in `sub`. */
const FULL_REF = /^refs\/(heads|tags|pull)\/[^*?\s]+$/;

/** Which GitHub Actions jobs of one repository may use an identity. */
export interface GithubPins {
    repository: string;
    environment?: string;
    ref?: string;
}

/**
 * Validates the repository, environment and ref of a GitHub Actions trust at `path`, and returns
 * the exact `sub` claims they admit (`repo:o/r:environment:prod`, `repo:o/r:ref:refs/heads/main`),
 * sorted. `otherPins` names the trust's further ways to pin a subject (AWS: `subjects`), each
 * counted by `pinned` when given: with neither environment, ref nor another pin, every workflow run
 * of the repository (every branch, every pull request) could use the identity, which is refused.
 */
export function githubSubjects(t: Partial<GithubPins>, path: string, problems: Problems, otherPins: readonly string[] = [], pinned = false): string[] {
    const repoOk = typeof t.repository === "string" && REPOSITORY.test(t.repository);
    if (!repoOk) {
        problems.add(`${path}.repository`, `\`${path}.repository\` must be one GitHub repository written \`owner/repo\`, without wildcards; got ${describe(t.repository)}.`);
    }
    const subjects: string[] = [];
    if (t.environment !== undefined) {
        if (typeof t.environment !== "string" || t.environment.trim() === "" || /[*?]/.test(t.environment)) {
            problems.add(`${path}.environment`, `\`${path}.environment\` must be the exact name of a GitHub environment, without wildcards; got ${describe(t.environment)}.`);
        } else if (repoOk) {
            subjects.push(`repo:${t.repository}:environment:${t.environment}`);
        }
    }
    if (t.ref !== undefined) {
        if (typeof t.ref !== "string" || !FULL_REF.test(t.ref)) {
            const hint = typeof t.ref === "string" && /^[^*?\s/][^*?\s]*$/.test(t.ref) ? ` Did you mean \`refs/heads/${t.ref}\`?` : "";
            problems.add(`${path}.ref`, `\`${path}.ref\` must be a full Git ref such as \`refs/heads/main\` or \`refs/tags/v1.0.0\`, without wildcards; got ${describe(t.ref)}.${hint}`);
        } else if (repoOk) {
            subjects.push(`repo:${t.repository}:ref:${t.ref}`);
        }
    }
    if (t.environment === undefined && t.ref === undefined && !pinned) {
        problems.add(path, `\`${path}\` must pin at least one of ${oneOf(["environment", "ref", ...otherPins])}; an identity that any workflow run of the repository can use (every branch, every pull request) is refused.`);
    }
    return subjects.sort();
}
