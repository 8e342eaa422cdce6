import * as assert from "assert";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import {
    EscalationRule,
    EscalationRules,
    GrantActions,
    findEscalations,
    reviewEscalations,
} from "../../components/core/escalation";
import { AWS_ESCALATION_RULES, findAwsEscalations } from "../../components/aws/escalation";
import { GCP_ESCALATION_RULES } from "../../components/gcp/escalation";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { parseOwnershipRecord } from "../../components/gcp/description";

const NOW = new Date("2026-11-25T00:00:00Z");
const ACCOUNT = "123456789012";
const iam = (type: string, name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;
const FUNCTIONS = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`;
const PROJECT = "acme-prod";
const ACCOUNT_EMAIL = `runtime@${PROJECT}.iam.gserviceaccount.com`;
const onProject = { project: PROJECT };
const onAccount = { serviceAccount: ACCOUNT_EMAIL };

/**
 * One row per rule: grants that fire it, a narrower grant that does not (the rule's own narrow
 * form, or the read-only neighbour of the action), and the same grants acknowledged, which pass.
 * `key` is the index of the grant that must acknowledge (default 0).
 */
interface RuleCase {
    readonly fires: any[];
    readonly narrower: any[];
    readonly key?: number;
}

const one = (actions: string[], resources: string[], more: object = {}) => ({ actions, resources, ...more });
const star = (actions: string[]) => one(actions, ["*"]);

const AWS_CASES: Record<string, RuleCase> = {
    CreateNewPolicyVersion: {
        fires: [one(["iam:CreatePolicyVersion"], [iam("policy", "app")])],
        narrower: [one(["iam:GetPolicyVersion"], [iam("policy", "app")])],
    },
    SetExistingDefaultPolicyVersion: {
        fires: [one(["iam:SetDefaultPolicyVersion"], [iam("policy", "app")])],
        narrower: [one(["iam:ListPolicyVersions"], [iam("policy", "app")])],
    },
    CreateAccessKey: {
        fires: [one(["iam:CreateAccessKey"], [iam("user", "sftp")])],
        narrower: [one(["iam:ListAccessKeys"], [iam("user", "sftp")])],
    },
    CreateLoginProfile: {
        fires: [one(["iam:CreateLoginProfile"], [iam("user", "sftp")])],
        narrower: [one(["iam:GetLoginProfile"], [iam("user", "sftp")])],
    },
    UpdateLoginProfile: {
        fires: [one(["iam:UpdateLoginProfile"], [iam("user", "sftp")])],
        narrower: [one(["iam:GetLoginProfile"], [iam("user", "sftp")])],
    },
    CreateServiceSpecificCredential: {
        fires: [one(["iam:ResetServiceSpecificCredential"], [iam("user", "git")])],
        narrower: [one(["iam:ListServiceSpecificCredentials"], [iam("user", "git")])],
    },
    AttachUserPolicy: {
        fires: [{ service: "iam", access: "permissions-management", resources: [iam("user", "sftp")] }],
        narrower: [one(["iam:ListAttachedUserPolicies"], [iam("user", "sftp")])],
    },
    AttachGroupPolicy: {
        fires: [one(["iam:AttachGroupPolicy"], [iam("group", "ops")])],
        narrower: [one(["iam:ListAttachedGroupPolicies"], [iam("group", "ops")])],
    },
    AttachRolePolicy: {
        fires: [{ service: "iam", access: "permissions-management", resources: [iam("role", "app")] }],
        narrower: [one(["iam:ListAttachedRolePolicies"], [iam("role", "app")])],
    },
    PutUserPolicy: {
        fires: [one(["iam:PutUserPolicy"], [iam("user", "sftp")])],
        narrower: [one(["iam:GetUserPolicy"], [iam("user", "sftp")])],
    },
    PutGroupPolicy: {
        fires: [one(["iam:PutGroupPolicy"], [iam("group", "ops")])],
        narrower: [one(["iam:GetGroupPolicy"], [iam("group", "ops")])],
    },
    PutRolePolicy: {
        fires: [one(["iam:PutRolePolicy"], [iam("role", "app")])],
        narrower: [one(["iam:GetRolePolicy"], [iam("role", "app")])],
    },
    AddUserToGroup: {
        fires: [one(["iam:AddUserToGroup"], [iam("group", "admins")])],
        narrower: [one(["iam:GetGroup"], [iam("group", "admins")])],
    },
    UpdateRolePolicyToAssumeIt: {
        fires: [one(["iam:UpdateAssumeRolePolicy"], [iam("role", "admin")])],
        narrower: [one(["iam:GetRole"], [iam("role", "admin")])],
    },
    AssumeAnyRole: {
        fires: [one(["sts:AssumeRole"], [iam("role", "*")])],
        narrower: [one(["sts:AssumeRole"], [iam("role", "deployer")])],
    },
    PassAnyRole: {
        fires: [one(["iam:PassRole"], [iam("role", "*")])],
        narrower: [one(["iam:PassRole"], [iam("role", "app-runtime")])],
    },
    CreateEC2WithExistingIP: {
        fires: [
            one(["iam:PassRole"], ["*"], { allowWildcard: true }),
            one(["ec2:RunInstances"], [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`]),
        ],
        narrower: [
            one(["iam:PassRole"], [iam("role", "app-runtime")]),
            one(["ec2:RunInstances"], [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`]),
        ],
    },
    PassExistingRoleToNewLambdaThenInvoke: {
        fires: [
            one(["lambda:CreateFunction", "lambda:InvokeFunction"], [FUNCTIONS]),
            one(["iam:PassRole"], [iam("role", "service-role/*")]),
        ],
        narrower: [
            one(["lambda:CreateFunction", "lambda:InvokeFunction"], [FUNCTIONS]),
            one(["iam:PassRole"], [iam("role", "service-role/payments")]),
        ],
        key: 1,
    },
    PassExistingRoleToNewLambdaThenAddPermission: {
        fires: [
            one(["iam:PassRole"], [iam("role", "*")]),
            one(["lambda:CreateFunction", "lambda:AddPermission"], [FUNCTIONS]),
        ],
        narrower: [
            one(["iam:PassRole"], [iam("role", "payments")]),
            one(["lambda:CreateFunction", "lambda:AddPermission"], [FUNCTIONS]),
        ],
    },
    PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo: {
        fires: [
            one(["iam:PassRole"], [iam("role", "*")]),
            one(["lambda:CreateFunction"], [FUNCTIONS]),
            star(["lambda:CreateEventSourceMapping"]),
        ],
        narrower: [
            one(["iam:PassRole"], [iam("role", "payments")]),
            one(["lambda:CreateFunction"], [FUNCTIONS]),
            star(["lambda:CreateEventSourceMapping"]),
        ],
    },
    PassExistingRoleToNewGlueDevEndpoint: {
        fires: [one(["iam:PassRole"], [iam("role", "*")]), star(["glue:CreateDevEndpoint"])],
        narrower: [one(["iam:PassRole"], [iam("role", "glue-etl")]), star(["glue:CreateDevEndpoint"])],
    },
    PassExistingRoleToCloudFormation: {
        fires: [
            one(
                ["iam:PassRole", "cloudformation:CreateStack"],
                [iam("role", "*"), `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/*`],
            ),
        ],
        narrower: [
            one(
                ["iam:PassRole", "cloudformation:CreateStack"],
                [iam("role", "cfn-exec"), `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/*`],
            ),
        ],
    },
    PassExistingRoleToNewDataPipeline: {
        fires: [one(["iam:PassRole"], [iam("role", "*")]), star(["datapipeline:CreatePipeline"])],
        narrower: [
            one(["iam:PassRole"], [iam("role", "DataPipelineDefaultRole")]),
            star(["datapipeline:CreatePipeline"]),
        ],
    },
    EditExistingLambdaFunctionWithRole: {
        fires: [one(["lambda:UpdateFunctionCode"], [FUNCTIONS])],
        narrower: [one(["lambda:UpdateFunctionCode"], [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:payments`])],
    },
    UpdateExistingGlueDevEndpoint: {
        fires: [one(["glue:UpdateDevEndpoint"], [`arn:aws:glue:us-east-1:${ACCOUNT}:devEndpoint/*`])],
        narrower: [one(["glue:UpdateDevEndpoint"], [`arn:aws:glue:us-east-1:${ACCOUNT}:devEndpoint/etl`])],
    },
};

const GCP_CASES: Record<string, RuleCase> = {
    ActAsServiceAccounts: {
        fires: [{ role: "roles/iam.serviceAccountUser", resource: onProject }],
        narrower: [{ role: "roles/iam.serviceAccountUser", resource: onAccount }],
    },
    ImpersonateServiceAccounts: {
        fires: [{ role: "roles/iam.serviceAccountTokenCreator", resource: onProject }],
        narrower: [{ role: "roles/iam.serviceAccountTokenCreator", resource: onAccount }],
    },
    CreateServiceAccountKey: {
        fires: [{ role: "roles/iam.serviceAccountKeyAdmin", resource: onAccount }],
        narrower: [{ permissions: ["iam.serviceAccountKeys.list"], resource: onAccount }],
    },
    CreateServiceAccountHMACKey: {
        fires: [{ permissions: ["storage.hmacKeys.create"], resource: onProject }],
        narrower: [{ permissions: ["storage.hmacKeys.list"], resource: onProject }],
    },
    SetProjectIAMPolicy: {
        fires: [{ role: "roles/resourcemanager.projectIamAdmin", resource: onProject }],
        narrower: [{ permissions: ["resourcemanager.projects.getIamPolicy"], resource: onProject }],
    },
    SetServiceAccountIAMPolicy: {
        fires: [{ permissions: ["iam.serviceAccounts.setIamPolicy"], resource: onAccount }],
        narrower: [{ permissions: ["iam.serviceAccounts.getIamPolicy"], resource: onAccount }],
    },
    UpdateIAMRole: {
        fires: [{ role: "roles/iam.roleAdmin", resource: onProject }],
        narrower: [{ role: "roles/iam.roleViewer", resource: onProject }],
    },
    SetOrgPolicyConstraints: {
        fires: [{ permissions: ["orgpolicy.policy.set"], resource: onProject }],
        narrower: [{ permissions: ["orgpolicy.policy.get"], resource: onProject }],
    },
    CreateDeploymentManagerDeployment: {
        fires: [{ role: "roles/deploymentmanager.editor", resource: onProject }],
        narrower: [{ role: "roles/deploymentmanager.viewer", resource: onProject }],
    },
    RCECloudBuildBuildServer: {
        fires: [{ role: "roles/cloudbuild.builds.editor", resource: onProject }],
        narrower: [{ role: "roles/cloudbuild.builds.viewer", resource: onProject }],
    },
};

const awsArgs = (grants: any[]): any => ({
    owner: "team-a",
    purpose: "Escalation table",
    trust: { service: { principal: "lambda.amazonaws.com" } },
    grants,
});
const gcpArgs = (grants: any[]): any => ({ project: PROJECT, owner: "team-a", purpose: "Escalation table", grants });

/** The problems of planning `args`, or [] when it plans. */
function problemsOf(plan: () => unknown): { propertyPath: string; reason: string }[] {
    try {
        plan();
        return [];
    } catch (e: any) {
        assert.ok(pulumi.InputPropertiesError.isInstance(e), `expected InputPropertiesError, got ${e}`);
        return e.errors;
    }
}

function tableFor(
    cloud: string,
    rules: readonly EscalationRule[],
    cases: Record<string, RuleCase>,
    plan: (grants: any[]) => unknown,
    recorded: (grants: any[]) => Record<string, string>,
) {
    describe(`${cloud} escalation rules, one row each`, () => {
        it("has a row for every rule, and a rule for every row", () => {
            assert.deepStrictEqual(Object.keys(cases).sort(), rules.map((r) => r.id).sort());
        });
        for (const rule of rules) {
            const c = cases[rule.id];
            if (c === undefined) {
                continue;
            }
            const key = c.key ?? 0;
            it(`${rule.id}: refuses the escalating grants at the key grant, accepts the narrower ones and the acknowledged ones`, () => {
                // GIVEN grants that allow the method
                // WHEN the identity is planned
                // THEN the key grant is refused, and the message names the method and its source
                const refused = problemsOf(() => plan(c.fires));
                assert.ok(refused.length > 0, "expected a refusal");
                assert.deepStrictEqual([...new Set(refused.map((p) => p.propertyPath))], [`grants[${key}]`]);
                assert.ok(refused[0].reason.includes(`${rule.id} (${rule.source})`), refused[0].reason);
                assert.ok(refused[0].reason.includes(rule.instead), refused[0].reason);
                // AND the narrower grants plan without a problem
                assert.deepStrictEqual(
                    problemsOf(() => plan(c.narrower)),
                    [],
                );
                // AND the escalating grants, acknowledged on the key grant, plan and record the reason
                const acknowledged = c.fires.map((g, i) =>
                    i === key ? { ...g, acknowledge: `table row ${rule.id}` } : g,
                );
                assert.deepStrictEqual(
                    problemsOf(() => plan(acknowledged)),
                    [],
                );
                assert.strictEqual(recorded(acknowledged)[rule.id], `table row ${rule.id}`);
            });
        }
    });
}

tableFor(
    "AWS",
    AWS_ESCALATION_RULES,
    AWS_CASES,
    (g) => planAwsServiceIdentity("table", awsArgs(g), NOW),
    (g) => {
        const tags = planAwsServiceIdentity("table", awsArgs(g), NOW).tags.tags;
        return Object.fromEntries(
            Object.entries(tags)
                .filter(([k]) => k.startsWith("nhi:escalation:"))
                .map(([k, v]) => [k.slice("nhi:escalation:".length), v]),
        );
    },
);

tableFor(
    "Google Cloud",
    GCP_ESCALATION_RULES,
    GCP_CASES,
    (g) => planGcpServiceIdentity("table-sa", gcpArgs(g), NOW),
    (g) => {
        return {
            ...parseOwnershipRecord(planGcpServiceIdentity("table-sa", gcpArgs(g), NOW).description!)?.acknowledged,
        };
    },
);

describe("acknowledging what is refused", () => {
    it("any mix of escalating grants plans once each refused grant gives a reason, and each method found has its tag", () => {
        const rows = Object.values(AWS_CASES);
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.integer({ min: 0, max: rows.length - 1 }), { minLength: 1, maxLength: 5 }),
                (picked) => {
                    // GIVEN the escalating grants of several rules together
                    const grants = picked.flatMap((i) => rows[i].fires);
                    // WHEN every refused grant gives a reason
                    const refused = new Set(
                        problemsOf(() => planAwsServiceIdentity("mix", awsArgs(grants), NOW)).map(
                            (p) => p.propertyPath,
                        ),
                    );
                    const acknowledged = grants.map((g, i) =>
                        refused.has(`grants[${i}]`) ? { ...g, acknowledge: `reason ${i}` } : g,
                    );
                    // THEN the identity plans, and its tags name exactly the methods its grants allow
                    const plan = planAwsServiceIdentity("mix", awsArgs(acknowledged), NOW);
                    const tagged = Object.keys(plan.tags.tags)
                        .filter((k) => k.startsWith("nhi:escalation:"))
                        .map((k) => k.slice("nhi:escalation:".length))
                        .sort();
                    const found = [...new Set(findAwsEscalations(plan.grants).map((f) => f.rule.id))].sort();
                    assert.deepStrictEqual(tagged, found);
                    assert.ok(found.length >= picked.length);
                },
            ),
            { numRuns: 60 },
        );
    });
});

/** Two made-up rules, to test the engine apart from any cloud's data. */
const RULES = new EscalationRules([
    { id: "Alone", source: "test", effect: "do A", key: ["a:One"], narrowIsSafe: false, instead: "Do not." },
    {
        id: "Combo",
        source: "test",
        effect: "do B",
        key: ["b:Pass"],
        narrowIsSafe: true,
        with: ["c:Create", "c:Run"],
        instead: "Narrow it.",
    },
]);
const held = (action: string, broad: boolean) => ({ action, on: broad ? "`*`" : "`x`", broad });

describe("findEscalations", () => {
    const table: { what: string; grants: GrantActions[]; found: string[] }[] = [
        {
            what: "a one-action rule on one resource, when the narrow form is no safer",
            grants: [{ path: "grants[0]", held: [held("a:one", false)] }],
            found: ["Alone@grants[0]"],
        },
        {
            what: "nothing, for actions no rule names",
            grants: [{ path: "grants[0]", held: [held("z:Other", true)] }],
            found: [],
        },
        {
            what: "a combination held across grants, at the key grant",
            grants: [
                { path: "grants[0]", held: [held("c:Create", false)] },
                { path: "grants[1]", held: [held("b:Pass", true), held("c:Run", false)] },
            ],
            found: ["Combo@grants[1]"],
        },
        {
            what: "nothing when the key action is held narrowly",
            grants: [{ path: "grants[0]", held: [held("b:Pass", false), held("c:Create", true), held("c:Run", true)] }],
            found: [],
        },
        {
            what: "nothing when a further action is missing",
            grants: [{ path: "grants[0]", held: [held("b:Pass", true), held("c:Create", true)] }],
            found: [],
        },
        {
            what: "one finding per grant and rule, and each grant holding the key",
            grants: [
                { path: "grants[0]", held: [held("a:One", false), held("A:ONE", true)] },
                { path: "grants[1]", held: [held("a:One", false)] },
            ],
            found: ["Alone@grants[0]", "Alone@grants[1]"],
        },
    ];
    for (const c of table) {
        it(`finds ${c.what}`, () => {
            assert.deepStrictEqual(
                findEscalations(RULES, c.grants).map((f) => `${f.rule.id}@${f.grant}`),
                c.found,
            );
        });
    }

    it("never loses a finding when a grant is added (monotone)", () => {
        const action = fc.constantFrom("a:One", "b:Pass", "c:Create", "c:Run", "z:Other");
        const grant = fc.array(fc.record({ action, broad: fc.boolean() }), { maxLength: 3 });
        fc.assert(
            fc.property(fc.array(grant, { maxLength: 4 }), grant, (grants, extra) => {
                const as = (gs: typeof grants) =>
                    gs.map((g, i): GrantActions => ({
                        path: `grants[${i}]`,
                        held: g.map((h) => held(h.action, h.broad)),
                    }));
                const before = findEscalations(RULES, as(grants)).map((f) => `${f.rule.id}@${f.grant}`);
                const after = new Set(
                    findEscalations(RULES, as([...grants, extra])).map((f) => `${f.rule.id}@${f.grant}`),
                );
                return before.every((f) => after.has(f));
            }),
        );
    });
});

describe("reviewEscalations", () => {
    const RECORDED = "the test record";
    const table: { what: string; grants: GrantActions[]; problems: { propertyPath: string; reason: string }[] }[] = [
        {
            what: "refuses an unacknowledged escalation, naming the method, its source and the narrower form",
            grants: [{ path: "grants[0]", held: [held("a:One", false)] }],
            problems: [
                {
                    propertyPath: "grants[0]",
                    reason: "`grants[0]` allows privilege escalation. Alone (test): `a:One` on `x` lets the identity do A. Do not. If the escalation is intended, say why in `grants[0].acknowledge`; the reason is recorded in the test record.",
                },
            ],
        },
        {
            what: "names the grants holding the further actions of a combination",
            grants: [
                { path: "grants[0]", held: [held("c:Create", false), held("c:Run", false)] },
                { path: "grants[1]", held: [held("b:Pass", true)] },
            ],
            problems: [
                {
                    propertyPath: "grants[1]",
                    reason: "`grants[1]` allows privilege escalation. Combo (test): `b:Pass` on `*` with `c:Create` and `c:Run` (grants[0]) lets the identity do B. Narrow it. If the escalation is intended, say why in `grants[1].acknowledge`; the reason is recorded in the test record.",
                },
            ],
        },
        {
            what: "refuses a stale acknowledgement",
            grants: [{ path: "grants[0]", held: [held("b:Pass", false)], acknowledge: "was broad once" }],
            problems: [
                {
                    propertyPath: "grants[0].acknowledge",
                    reason: "`grants[0].acknowledge` acknowledges a privilege escalation, but `grants[0]` allows none; remove `acknowledge`.",
                },
            ],
        },
        {
            what: "refuses an empty acknowledgement",
            grants: [{ path: "grants[0]", held: [held("a:One", false)], acknowledge: "  " }],
            problems: [
                {
                    propertyPath: "grants[0].acknowledge",
                    reason: "`grants[0].acknowledge` must be a non-empty reason why this grant may escalate privileges; got only whitespace.",
                },
            ],
        },
        {
            what: "refuses an acknowledgement that is not text",
            grants: [{ path: "grants[0]", held: [held("a:One", false)], acknowledge: true }],
            problems: [
                {
                    propertyPath: "grants[0].acknowledge",
                    reason: "`grants[0].acknowledge` must be a non-empty reason why this grant may escalate privileges; got boolean `true`.",
                },
            ],
        },
        {
            what: "accepts an acknowledged escalation",
            grants: [{ path: "grants[0]", held: [held("a:One", false)], acknowledge: "rotates one key" }],
            problems: [],
        },
    ];
    for (const c of table) {
        it(c.what, () => {
            assert.deepStrictEqual(reviewEscalations(RULES, c.grants, RECORDED).problems, c.problems);
        });
    }

    it("returns each acknowledged method with its grant and trimmed reason", () => {
        const review = reviewEscalations(
            RULES,
            [{ path: "grants[0]", held: [held("a:One", false)], acknowledge: " rotates one key " }],
            RECORDED,
        );
        assert.deepStrictEqual(
            review.acknowledged.map((a) => [a.rule.id, a.grant, a.reason]),
            [["Alone", "grants[0]", "rotates one key"]],
        );
    });
});
