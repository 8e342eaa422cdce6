import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { findGcpEscalations } from "../../components/gcp/escalation";
import { BadInput, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";
import { capture, ofType } from "../support/mock-graph";

const PROJECT = "acme-prod";
const RUNTIME = `runtime@${PROJECT}.iam.gserviceaccount.com`;
const base: any = {
    project: PROJECT,
    owner: "team-reports",
    purpose: "Builds the reports image",
};
const RECORDED = "the `acknowledged` field of the service account's description";
const GOOGLE = "Google, roles for service account authentication";

/** The escalations a new user might grant, with the exact refusal. */
const BAD_INPUTS: BadInput[] = [
    {
        what: "Service Account Token Creator at project scope",
        args: { ...base, grants: [{ role: "roles/iam.serviceAccountTokenCreator", resource: { project: PROJECT } }] },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. ImpersonateServiceAccounts (${GOOGLE}: Service Account Token Creator; Rhino Security Labs GetServiceAccountAccessToken, ServiceAccountImplicitDelegation, ServiceAccountSignBlob, ServiceAccountSignJwt): \`iam.serviceAccounts.getAccessToken\` on project \`${PROJECT}\` lets the identity obtain tokens of every service account of the project and act as them. Grant \`roles/iam.serviceAccountTokenCreator\` on the one account the workload impersonates, with \`resource: { serviceAccount: "<email>" }\`. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "Service Account User at project scope",
        args: { ...base, grants: [{ role: "roles/iam.serviceAccountUser", resource: { project: PROJECT } }] },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. ActAsServiceAccounts (${GOOGLE}: Service Account User): \`iam.serviceAccounts.actAs\` on project \`${PROJECT}\` lets the identity attach every service account of the project to resources it creates, and run code as them. Grant \`roles/iam.serviceAccountUser\` on the one account the workload attaches, with \`resource: { serviceAccount: "<email>" }\`. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "the permission to change the project's IAM policy, in a permissions grant",
        args: {
            ...base,
            grants: [
                {
                    permissions: ["resourcemanager.projects.setIamPolicy", "resourcemanager.projects.get"],
                    resource: { project: PROJECT },
                },
            ],
        },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. SetProjectIAMPolicy (Rhino Security Labs SetProjectIAMPolicy): \`resourcemanager.projects.setIamPolicy\` on project \`${PROJECT}\` lets the identity grant itself or anyone any role in the project. Change IAM policies and roles from the stack that declares them, not from a workload's identity. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "keys of one service account",
        args: {
            ...base,
            grants: [{ role: "roles/iam.serviceAccountKeyAdmin", resource: { serviceAccount: RUNTIME } }],
        },
        path: "grants[0]",
        reason: `\`grants[0]\` allows privilege escalation. CreateServiceAccountKey (Rhino Security Labs CreateServiceAccountKey): \`iam.serviceAccountKeys.create\` on service account \`${RUNTIME}\` lets the identity create keys of that service account: long-lived credentials that work outside Google Cloud. Attach the account to the workload, or let the workload impersonate it, instead of creating keys. If the escalation is intended, say why in \`grants[0].acknowledge\`; the reason is recorded in ${RECORDED}.`,
    },
    {
        what: "an acknowledgement on the narrow form",
        args: {
            ...base,
            grants: [
                {
                    role: "roles/iam.serviceAccountUser",
                    resource: { serviceAccount: RUNTIME },
                    acknowledge: "deploys Cloud Run as runtime",
                },
            ],
        },
        path: "grants[0].acknowledge",
        reason: "`grants[0].acknowledge` acknowledges a privilege escalation, but `grants[0]` allows none; remove `acknowledge`.",
    },
    {
        what: "a reason that does not fit the description with the owner and purpose",
        args: {
            ...base,
            grants: [
                {
                    role: "roles/cloudbuild.builds.editor",
                    resource: { project: PROJECT },
                    acknowledge: "x".repeat(124),
                },
            ],
        },
        path: "grants[0].acknowledge",
        reason: "`grants[0].acknowledge` is recorded in the service account's description with its owner and purpose, and Google allows at most 256 bytes there; the record would be 257. Shorten the reasons (124 bytes) by 1 byte, or `purpose`.",
    },
];

describe("gcp.ServiceIdentity privilege escalation", () => {
    itRefusesEach(BAD_INPUTS, "GcpServiceIdentity", "reports-builder", planGcpServiceIdentity);

    itRegistersNothingWhenRefused(
        () =>
            new gcp.ServiceIdentity("escalates", {
                ...base,
                grants: [{ role: "roles/iam.serviceAccountTokenCreator", resource: { project: PROJECT } }],
            }),
    );

    it("does not judge a role bound where its IAM permissions do not apply", () => {
        // GIVEN Service Account User bound on a bucket, where it grants nothing on service accounts
        // WHEN it is planned
        // THEN no escalation is reported (the binding cannot act as any account): the one problem
        // is that the role does not apply to a bucket at all
        assert.throws(
            () =>
                planGcpServiceIdentity("reports-builder", {
                    ...base,
                    grants: [{ role: "roles/iam.serviceAccountUser", resource: { bucket: "reports" } }],
                }),
            (e: any) => {
                assert.deepStrictEqual(
                    e.errors.map((p: any) => p.propertyPath),
                    ["grants[0].role"],
                );
                assert.match(e.errors[0].reason, /does not apply to a bucket/);
                return true;
            },
        );
    });

    it("judges a service account known only at deploy time as one named account", () => {
        assert.doesNotThrow(() =>
            planGcpServiceIdentity("reports-builder", {
                ...base,
                grants: [
                    {
                        role: "roles/iam.serviceAccountTokenCreator",
                        resource: { serviceAccount: pulumi.output(RUNTIME) },
                    },
                ],
            }),
        );
    });

    it("records the acknowledged reason in the service account's ownership record", async () => {
        // GIVEN a builder whose Cloud Build grant acknowledges that builds run as another account
        const reason = "gcloud builds submit: builds run as the Cloud Build account";
        const { resources } = await capture(
            () =>
                new gcp.ServiceIdentity("reports-builder", {
                    ...base,
                    grants: [
                        { role: "roles/cloudbuild.builds.editor", resource: { project: PROJECT }, acknowledge: reason },
                    ],
                }),
        );
        // WHEN the account is registered
        const account = ofType(resources, "gcp:serviceaccount/account:Account")[0];
        // THEN its description is the ownership record with the method and the reason
        assert.strictEqual(
            account.inputs.description,
            JSON.stringify({
                owner: "team-reports",
                purpose: "Builds the reports image",
                acknowledged: { RCECloudBuildBuildServer: reason },
                managedBy: "pulumi-nhi",
            }),
        );
        // AND parseOwnershipRecord reads it back
        assert.deepStrictEqual(gcp.parseOwnershipRecord(account.inputs.description), {
            owner: "team-reports",
            purpose: "Builds the reports image",
            acknowledged: { RCECloudBuildBuildServer: reason },
        });
        // AND the role is bound as given
        assert.deepStrictEqual(
            ofType(resources, "gcp:projects/iAMMember:IAMMember").map((r) => r.inputs.role),
            ["roles/cloudbuild.builds.editor"],
        );
    });

    it("lists every method the grants allow, acknowledged or not, for reports (findGcpEscalations)", () => {
        const plan = planGcpServiceIdentity("reports-builder", {
            ...base,
            grants: [
                { role: "roles/iam.serviceAccountUser", resource: { serviceAccount: RUNTIME } },
                {
                    role: "roles/cloudbuild.builds.editor",
                    resource: { project: PROJECT },
                    acknowledge: "builds the image",
                },
            ],
        });
        assert.deepStrictEqual(
            findGcpEscalations(plan.grants).map((f) => `${f.rule.id} ${f.paths.join(",")} ${f.key.on}`),
            [`RCECloudBuildBuildServer grants[1] project \`${PROJECT}\``],
        );
    });
});
