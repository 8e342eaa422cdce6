import * as assert from "assert";
import { githubSubjectProblem } from "../../components/core/github";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { TABLE_NOW } from "../support/bad-input";

/*
 * Which explicit `sub` claims a GitHub Actions trust admits: GitHub's documented forms, each of the
 * declared repository. The refusals, with their messages, are rows of bad-input.test.ts.
 */

const OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const REPO = "acme/payments";

describe("GitHub subjects of the declared repository", () => {
    const accepted: [string, string][] = [
        ["an environment", "repo:acme/payments:environment:production"],
        ["a branch", "repo:acme/payments:ref:refs/heads/main"],
        ["a tag", "repo:acme/payments:ref:refs/tags/v1.2.0"],
        ["pull requests, when listed", "repo:acme/payments:pull_request"],
        ["the immutable-ID form", "repo:acme@123456/payments@456789:environment:production"],
        [
            "a customised subject with the workflow",
            "repo:acme/payments:environment:production:job_workflow_ref:acme/ci/.github/workflows/deploy.yml@refs/heads/main",
        ],
        [
            "a customised subject with the repo claim after another",
            "repository_owner_id:123456:repo:acme/payments:environment:production",
        ],
        [
            "another spelling of the same names (GitHub names are case-insensitive)",
            "repo:Acme/Payments:environment:production",
        ],
    ];
    for (const [what, subject] of accepted) {
        it(`admits ${what}: ${subject}`, () => {
            // GIVEN a trust that lists the subject explicitly
            const plan = planAwsServiceIdentity(
                "deployer",
                {
                    owner: "team",
                    purpose: "deploys",
                    trust: { githubActions: { repository: REPO, oidcProviderArn: OIDC, subjects: [subject] } },
                    grants: [],
                },
                TABLE_NOW,
            );
            // THEN it is admitted exactly as written, and nothing else
            assert.deepStrictEqual(plan.trust.kind === "githubActions" && plan.trust.subjects, [subject]);
        });
    }

    const refused: [string, string][] = [
        ["another repository", "repo:acme/billing:environment:production"],
        ["a repository whose name starts the same", "repo:acme/payments-old:environment:production"],
        ["an owner whose name starts the same", "repo:acme-labs/payments:environment:production"],
        ["another repository in the immutable form", "repo:acme@123456/billing@456789:environment:production"],
        ["no repository", "repository_id:456789:environment:production"],
        ["the whole repository", "repo:acme/payments"],
        ["the whole repository in the immutable form", "repo:acme@123456/payments@456789"],
    ];
    for (const [what, subject] of refused) {
        it(`refuses ${what}: ${subject}`, () => {
            assert.notStrictEqual(githubSubjectProblem("subjects[0]", subject, REPO), undefined);
        });
    }
});
