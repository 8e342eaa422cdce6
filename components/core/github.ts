import { Problems, describe, oneOf } from "./errors";

/** The issuer of GitHub Actions OIDC tokens. */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/** One GitHub repository, `owner/repo`: GitHub's characters for owners and repository names. */
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
/** A full Git ref, as GitHub writes it in the `ref` claim and in `sub`. */
const FULL_REF = /^refs\/(heads|tags|pull)\/[^*?\s]+$/;

/** Whether `repository` is one GitHub repository written `owner/repo`, without wildcards. */
export function isGithubRepository(repository: string): boolean {
    return REPOSITORY.test(repository);
}

/**
 * The repository a `sub` claim names, in GitHub's default form (`repo:acme/payments:…`), its
 * immutable-ID form (`repo:acme@123456/payments@456789:…`, the default for repositories created or
 * renamed from mid-2026), or a customised subject whose template includes the `repo` claim (GitHub
 * writes the template's claims as `key:value`, joined by `:`, such as
 * `repo:acme/payments:environment:prod:job_workflow_ref:acme/ci/.github/workflows/deploy.yml@refs/heads/main`).
 * Captures owner and repository, without their IDs.
 * @see https://docs.github.com/en/actions/concepts/security/openid-connect (immutable subject claims)
 * @see https://docs.github.com/en/actions/reference/security/oidc (customising the subject claims)
 */
const SUBJECT_REPOSITORY = /(?:^|:)repo:([A-Za-z0-9-]+)(?:@\d+)?\/([A-Za-z0-9._-]+)(?:@\d+)?(?=:|$)/;

/**
 * Why the exact `sub` claim `subject`, listed at `path`, may not be admitted by a trust for
 * `repository`: it names another repository, no repository, or only the repository (every workflow
 * run of it). GitHub names are case-insensitive, so `Acme/Payments` is `acme/payments`.
 */
export function githubSubjectProblem(path: string, subject: string, repository: string): string | undefined {
    const m = SUBJECT_REPOSITORY.exec(subject);
    if (m === null) {
        return `\`${path}\` \`${subject}\` does not name the repository; GitHub writes it as \`repo:${repository}:…\` (or \`repo:<owner>@<owner id>/<repo>@<repo id>:…\` with immutable subject claims). A subject without it, such as a customised \`repository_owner:…\` or \`repository_id:…\` subject, cannot be checked against \`repository\`: include the \`repo\` claim in the repository's subject template.`;
    }
    const named = `${m[1]}/${m[2]}`;
    if (named.toLowerCase() !== repository.toLowerCase()) {
        return `\`${path}\` \`${subject}\` is a subject of the repository \`${named}\`, but this trust is for \`${repository}\`; every admitted subject must belong to \`repository\`. Declare another identity for \`${named}\`.`;
    }
    if (m.index === 0 && m[0].length === subject.length) {
        return `\`${path}\` \`${subject}\` admits every workflow run of \`${repository}\` (every branch, every pull request); add the environment, ref or workflow it is for, such as \`${subject}:environment:production\`.`;
    }
    return undefined;
}

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
export function githubSubjects(
    t: Partial<GithubPins>,
    path: string,
    problems: Problems,
    otherPins: readonly string[] = [],
    pinned = false,
): string[] {
    const repoOk = typeof t.repository === "string" && REPOSITORY.test(t.repository);
    if (!repoOk) {
        problems.add(
            `${path}.repository`,
            `\`${path}.repository\` must be one GitHub repository written \`owner/repo\`, without wildcards; got ${describe(t.repository)}.`,
        );
    }
    const subjects: string[] = [];
    if (t.environment !== undefined) {
        if (typeof t.environment !== "string" || t.environment.trim() === "" || /[*?]/.test(t.environment)) {
            problems.add(
                `${path}.environment`,
                `\`${path}.environment\` must be the exact name of a GitHub environment, without wildcards; got ${describe(t.environment)}.`,
            );
        } else if (repoOk) {
            subjects.push(`repo:${t.repository}:environment:${t.environment}`);
        }
    }
    if (t.ref !== undefined) {
        if (typeof t.ref !== "string" || !FULL_REF.test(t.ref)) {
            const hint =
                typeof t.ref === "string" && /^[^*?\s/][^*?\s]*$/.test(t.ref)
                    ? ` Did you mean \`refs/heads/${t.ref}\`?`
                    : "";
            problems.add(
                `${path}.ref`,
                `\`${path}.ref\` must be a full Git ref such as \`refs/heads/main\` or \`refs/tags/v1.0.0\`, without wildcards; got ${describe(t.ref)}.${hint}`,
            );
        } else if (repoOk) {
            subjects.push(`repo:${t.repository}:ref:${t.ref}`);
        }
    }
    if (t.environment === undefined && t.ref === undefined && !pinned) {
        problems.add(
            path,
            `\`${path}\` must pin at least one of ${oneOf(["environment", "ref", ...otherPins])}; an identity that any workflow run of the repository can use (every branch, every pull request) is refused.`,
        );
    }
    return subjects.sort();
}
