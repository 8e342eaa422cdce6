import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { findAwsEscalations } from "../../components/aws/escalation";
import { BadInput, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";
import { capture, ofType, valueOf } from "../support/mock-graph";

const ACCOUNT = "123456789012";
const base: any = {
    owner: "team-payments",
    purpose: "Rotates the SFTP vendor key",
    trust: { service: { principal: "lambda.amazonaws.com" } },
};
const SFTP_USER = `arn:aws:iam::${ACCOUNT}:user/vendors/sftp`;
const ROTATE = { actions: ["iam:CreateAccessKey", "iam:DeleteAccessKey"], resources: [SFTP_USER] };
const RECORDED = "the role's `nhi:escalation:<method>` tag";
const PASS_ROLE_INSTEAD =
    "Grant `iam:PassRole` on the one role the workload hands to a service, such as `arn:aws:iam::123456789012:role/app-runtime`.";

/** The escalations a new user might grant, with the exact refusal. */
const BAD_INPUTS: BadInput[] = [
    {
        what: "iam:PassRole on every role of the account",
        args: { ...base, grants: [{ actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/*`] }] },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. PassAnyRole (Rhino Security Labs #3, #15–#17, #19, #21; cloudsplaining \`iam:PassRole:*\`): \`iam:PassRole\` on \`arn:aws:iam::${ACCOUNT}:role/*\` lets the identity hand any role of the account to a service it controls, and act with that role's permissions. ${PASS_ROLE_INSTEAD} If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "iam:PassRole on `*` with the Lambda actions to use it",
        args: {
            ...base,
            grants: [
                {
                    actions: ["lambda:CreateFunction", "lambda:InvokeFunction"],
                    resources: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`],
                },
                { actions: ["iam:PassRole"], resources: ["*"], allowWildcard: true },
            ],
        },
        path: "grants[1]",
        reason: `\`grants[1]\` allows privilege escalation. PassAnyRole (Rhino Security Labs #3, #15–#17, #19, #21; cloudsplaining \`iam:PassRole:*\`): \`iam:PassRole\` on \`*\` lets the identity hand any role of the account to a service it controls, and act with that role's permissions. PassExistingRoleToNewLambdaThenInvoke (Rhino Security Labs #15; cloudsplaining): \`iam:PassRole\` on \`*\` with \`lambda:CreateFunction\` and \`lambda:InvokeFunction\` (grants[0]) lets the identity create a function that runs as any role, and invoke it. ${PASS_ROLE_INSTEAD} If the escalation is intended, say why in \`grants[1].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "iam:CreatePolicyVersion on one policy",
        args: {
            ...base,
            grants: [{ actions: ["iam:CreatePolicyVersion"], resources: [`arn:aws:iam::${ACCOUNT}:policy/app`] }],
        },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. CreateNewPolicyVersion (Rhino Security Labs #1; cloudsplaining): \`iam:CreatePolicyVersion\` on \`arn:aws:iam::${ACCOUNT}:policy/app\` lets the identity make a new default version of the policy that allows anything, for every principal it is attached to. Change IAM policies, users and groups from the stack that declares them, not from a workload's identity. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "an access-level grant that expands to escalating actions",
        args: {
            ...base,
            grants: [
                { service: "iam", access: "permissions-management", resources: [`arn:aws:iam::${ACCOUNT}:group/ops`] },
            ],
        },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. AttachGroupPolicy (Rhino Security Labs #8; cloudsplaining): \`iam:AttachGroupPolicy\` on \`arn:aws:iam::${ACCOUNT}:group/ops\` lets the identity attach any managed policy, such as AdministratorAccess, to that group. PutGroupPolicy (Rhino Security Labs #11; cloudsplaining): \`iam:PutGroupPolicy\` on \`arn:aws:iam::${ACCOUNT}:group/ops\` lets the identity write an inline policy that allows anything into that group. Change IAM policies, users and groups from the stack that declares them, not from a workload's identity. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "sts:AssumeRole on every role",
        args: { ...base, grants: [{ actions: ["sts:AssumeRole"], resources: ["*"], allowWildcard: true }] },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. AssumeAnyRole (cloudsplaining credentials exposure (\`sts:AssumeRole\`)): \`sts:AssumeRole\` on \`*\` lets the identity assume every role that trusts its account, with that role's permissions. Grant \`sts:AssumeRole\` on the one role the workload assumes. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "a wildcard action that covers an escalating one",
        args: {
            ...base,
            grants: [{ actions: ["iam:Put*"], resources: [`arn:aws:iam::${ACCOUNT}:user/sftp`], allowWildcard: true }],
        },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. PutUserPolicy (Rhino Security Labs #10; cloudsplaining): \`iam:PutUserPolicy\` on \`arn:aws:iam::${ACCOUNT}:user/sftp\` lets the identity write an inline policy that allows anything into that user. Change IAM policies, users and groups from the stack that declares them, not from a workload's identity. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "an acknowledgement on a grant that allows no escalation",
        args: {
            ...base,
            grants: [
                {
                    actions: ["iam:PassRole"],
                    resources: [`arn:aws:iam::${ACCOUNT}:role/app-runtime`],
                    acknowledge: "CI hands the runtime role to Lambda",
                },
            ],
        },
        path: "grants[0].acknowledge",
        reason: "`grants[0].acknowledge` acknowledges a privilege escalation, but `grants[0]` allows none; remove `acknowledge`.",
    },
    {
        what: "an empty acknowledgement",
        args: { ...base, grants: [{ ...ROTATE, acknowledge: "" }] },
        path: "grants[0].acknowledge",
        reason: "`grants[0].acknowledge` must be a non-empty reason why this grant may escalate privileges; got an empty string.",
    },
    {
        what: "a reason an IAM tag cannot hold",
        args: { ...base, grants: [{ ...ROTATE, acknowledge: "vendor needs keys; rotated monthly" }] },
        path: "grants[0].acknowledge",
        reason: "`grants[0].acknowledge` is recorded in the IAM tag `nhi:escalation:CreateAccessKey`, which allows at most 256 letters, digits, spaces and `_ . : / = + - @`; remove `;`.",
    },
    {
        what: "two grants acknowledging one method with reasons too long together for its tag",
        args: {
            ...base,
            grants: [
                { actions: ["iam:CreateAccessKey"], resources: [SFTP_USER], acknowledge: "a".repeat(130) },
                {
                    actions: ["iam:CreateAccessKey"],
                    resources: [`arn:aws:iam::${ACCOUNT}:user/vendors/ftp`],
                    acknowledge: "b".repeat(130),
                },
            ],
        },
        path: "grants[0].acknowledge",
        reason: "`grants[0].acknowledge` and `grants[1].acknowledge` both acknowledge CreateAccessKey, recorded together in the IAM tag `nhi:escalation:CreateAccessKey` of at most 256 characters; give them the same reason, or shorter ones (263 characters).",
    },
];

describe("aws.ServiceIdentity privilege escalation", () => {
    itRefusesEach(BAD_INPUTS, "AwsServiceIdentity", "rotator", planAwsServiceIdentity);

    itRegistersNothingWhenRefused(
        () =>
            new aws.ServiceIdentity("escalates", {
                ...base,
                grants: [{ actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/*`] }],
            }),
    );

    it("accepts iam:PassRole on one named role with the Lambda actions a deployer needs", () => {
        // GIVEN a deployer that creates functions running as one role
        // WHEN it is planned
        // THEN nothing is refused and no escalation tag is written
        const plan = planAwsServiceIdentity("deployer", {
            ...base,
            grants: [
                { actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/payments-runtime`] },
                {
                    actions: ["lambda:CreateFunction", "lambda:InvokeFunction"],
                    resources: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`],
                },
            ],
        });
        assert.deepStrictEqual(
            Object.keys(plan.tags.tags).filter((k) => k.startsWith("nhi:escalation:")),
            [],
        );
    });

    it("judges a role known only at deploy time as one named role", () => {
        // GIVEN iam:PassRole on the ARN of a role declared in the same stack (an Output)
        // WHEN it is planned
        // THEN it is the narrow form, not refused
        assert.doesNotThrow(() =>
            planAwsServiceIdentity("deployer", {
                ...base,
                grants: [{ actions: ["iam:PassRole"], resources: [pulumi.output(`arn:aws:iam::${ACCOUNT}:role/app`)] }],
            }),
        );
    });

    it("records each acknowledged method's reason in a tag on the role", async () => {
        // GIVEN a key rotator whose grant acknowledges minting the vendor user's access keys
        const reason = "The SFTP vendor only accepts access keys: this rotates the key of that one user every 30 days";
        const { value, resources } = await capture(
            () => new aws.ServiceIdentity("rotator", { ...base, grants: [{ ...ROTATE, acknowledge: reason }] }),
        );
        // WHEN the role is registered
        const role = ofType(resources, "aws:iam/role:Role")[0];
        // THEN the role carries nhi:escalation:CreateAccessKey with the reason, beside the ownership tags
        assert.deepStrictEqual(role.inputs.tags, {
            "nhi:managed-by": "pulumi-nhi",
            "nhi:owner": "team-payments",
            "nhi:purpose": "Rotates the SFTP vendor key",
            "nhi:escalation:CreateAccessKey": reason,
        });
        // AND the grant itself is in the policy, unchanged
        const [document] = (await valueOf(value.policyDocuments)).map((d) => JSON.parse(d));
        assert.deepStrictEqual(document.Statement, [
            { Effect: "Allow", Action: ["iam:CreateAccessKey", "iam:DeleteAccessKey"], Resource: [SFTP_USER] },
        ]);
    });

    it("records one tag per method, keyed by method so that reordering the grants changes no tag", () => {
        // GIVEN two acknowledged grants, in both orders
        const grants = [
            {
                actions: ["iam:PassRole"],
                resources: [`arn:aws:iam::${ACCOUNT}:role/pipelines/*`],
                acknowledge: "Hands any pipeline role to CodeBuild",
            },
            { ...ROTATE, acknowledge: "Rotates the vendor key" },
        ];
        const tags = (gs: any[]) =>
            Object.fromEntries(
                Object.entries(planAwsServiceIdentity("r", { ...base, grants: gs }).tags.tags).filter(([k]) =>
                    k.startsWith("nhi:escalation:"),
                ),
            );
        // THEN each method has its tag, whatever the order
        const expected = {
            "nhi:escalation:PassAnyRole": "Hands any pipeline role to CodeBuild",
            "nhi:escalation:CreateAccessKey": "Rotates the vendor key",
        };
        assert.deepStrictEqual(tags(grants), expected);
        assert.deepStrictEqual(tags([...grants].reverse()), expected);
    });

    it("lists every method the grants allow, acknowledged or not, for reports (findAwsEscalations)", () => {
        // GIVEN a planned identity whose rotation grant is acknowledged, and a deployer's narrow PassRole
        const plan = planAwsServiceIdentity("rotator", {
            ...base,
            grants: [
                { ...ROTATE, acknowledge: "Rotates the vendor key" },
                { actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/app-runtime`] },
            ],
        });
        // WHEN its grants are reviewed
        // THEN the acknowledged method is listed with its grant and the key action as held
        assert.deepStrictEqual(
            findAwsEscalations(plan.grants).map((f) => ({ method: f.rule.id, paths: f.paths, key: f.key })),
            [
                {
                    method: "CreateAccessKey",
                    paths: ["grants[0]"],
                    key: { action: "iam:CreateAccessKey", on: `\`${SFTP_USER}\``, broad: false },
                },
            ],
        );
    });

    it("judges where each action is held: across services, on service-wide ARNs, on values known at deploy time", () => {
        // GIVEN grants whose escalating actions are held on ARNs of another service, on every
        // resource of a service, or on an Output
        const findings = (grants: any[]) =>
            findAwsEscalations(planAwsServiceIdentity("r", { ...base, grants }).grants.map((g) => g)).map(
                (f) => `${f.rule.id}@${f.grant}: ${f.key.on}`,
            );
        const found = (grants: any[]) => {
            try {
                return findings(grants);
            } catch (e: any) {
                return e.errors.map((p: any) => p.propertyPath);
            }
        };
        // THEN the Lambda actions on one named function still complete the PassRole method
        assert.deepStrictEqual(
            found([
                {
                    actions: ["iam:PassRole"],
                    resources: [`arn:aws:iam::${ACCOUNT}:*`],
                    allowWildcard: true,
                    acknowledge: "r",
                },
                {
                    actions: ["lambda:CreateFunction", "lambda:InvokeFunction"],
                    resources: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:payments`],
                },
            ]),
            [
                `PassAnyRole@grants[0]: \`arn:aws:iam::${ACCOUNT}:*\``,
                `PassExistingRoleToNewLambdaThenInvoke@grants[0]: \`arn:aws:iam::${ACCOUNT}:*\``,
            ],
        );
        // AND sts:AssumeRole, whose resource is an IAM role, is held on one named role, narrowly
        assert.deepStrictEqual(
            found([
                {
                    actions: ["sts:AssumeRole", "iam:CreateAccessKey"],
                    resources: [`arn:aws:iam::${ACCOUNT}:role/deployer`, SFTP_USER],
                    acknowledge: "r",
                },
            ]),
            [`CreateAccessKey@grants[0]: \`${SFTP_USER}\``],
        );
        // AND an escalation that needs no wildcard is refused on a value known only at deploy time
        assert.deepStrictEqual(found([{ actions: ["iam:CreateAccessKey"], resources: [pulumi.output(SFTP_USER)] }]), [
            "grants[0]",
        ]);
    });

    describe("an access-level grant on an ARN known only at deploy time", () => {
        const late = async (name: string, access: string, arn: string) => {
            const { value } = await capture(
                () =>
                    new aws.ServiceIdentity(name, {
                        ...base,
                        grants: [{ service: "iam", access, resources: [pulumi.output(arn)] }],
                    }),
            );
            return valueOf(value.policyDocuments);
        };

        it("is judged when its ARN resolves, with the construction-time refusal", async () => {
            // GIVEN `permissions-management` of IAM on a role whose ARN is an Output
            // WHEN the ARN resolves
            // THEN no policy is written: the grant lets the identity rewrite that role's policies
            const role = `arn:aws:iam::${ACCOUNT}:role/app-runtime`;
            await assert.rejects(late("late-iam", "permissions-management", role), (e: any) => {
                assert.deepStrictEqual(
                    e.errors.map((p: any) => p.propertyPath),
                    ["grants[0]"],
                );
                assert.match(e.errors[0].reason, /^`grants\[0\]` allows privilege escalation\. /);
                assert.match(
                    e.errors[0].reason,
                    /`iam:PutRolePolicy` on `arn:aws:iam::123456789012:role\/app-runtime`/,
                );
                assert.match(e.errors[0].reason, /cannot acknowledge it: name the exact actions in an `actions` grant/);
                return true;
            });
            await (pulumi.runtime as any).waitForRPCs().catch(() => undefined);
            require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
        });

        it("passes when its expansion allows no escalation", async () => {
            // GIVEN IAM `read` on the same role: GetRole, GetRolePolicy, …
            const [policy] = (await late("late-iam-read", "read", `arn:aws:iam::${ACCOUNT}:role/app-runtime`)).map(
                (d) => JSON.parse(d),
            );
            // THEN the policy is written with the read actions only
            const actions: string[] = policy.Statement.flatMap((s: any) => s.Action);
            assert.ok(actions.includes("iam:GetRole"));
            assert.ok(
                actions.every((a) => !/Put|Attach|Update|Create/.test(a)),
                actions.join(", "),
            );
        });
    });
});
