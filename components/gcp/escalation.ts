import { Problems } from "../core/errors";
import {
    Acknowledged,
    EscalationFinding,
    EscalationRule,
    EscalationRules,
    GrantActions,
    HeldAction,
    acknowledgementOf,
    findEscalations,
    reviewEscalations,
} from "../core/escalation";
import { findRole } from "./catalog";
import { MAX_DESCRIPTION_BYTES, OwnershipRecord, renderOwnershipRecord } from "./description";
import { GcpGrantPlan } from "./grants";

/**
 * The Google Cloud privilege-escalation methods the identity refuses unless a grant acknowledges
 * them.
 *
 * Sources, each cited per rule:
 * - Google, "Roles for service account authentication": the Service Account User role
 *   (`iam.serviceAccounts.actAs`) and the Service Account Token Creator role (`getAccessToken`,
 *   `signBlob`, `signJwt`, `implicitDelegation`) let a principal act as, or impersonate, the
 *   accounts they are granted on, https://cloud.google.com/iam/docs/service-account-permissions
 * - Rhino Security Labs, "Privilege Escalation in Google Cloud Platform" parts 1 and 2; rule IDs
 *   are the method names of its scanner (PrivEscScanner/check_for_privesc.py in
 *   https://github.com/RhinoSecurityLabs/GCP-IAM-Privilege-Escalation),
 *   https://rhinosecuritylabs.com/gcp/privilege-escalation-google-cloud-platform-part-1/
 *
 * Narrow enough (`narrowIsSafe`): acting as, or impersonating, ONE named service account (the
 * `serviceAccount` scope) is the form Google recommends; at `project` scope it reaches every
 * account of the project. Keys, policy changes, role updates and builds that run as another
 * account are escalations on any scope.
 *
 * Left out: Rhino's multi-permission methods that also need `actAs` (Cloud Functions, Cloud Run,
 * Compute Engine, Cloud Scheduler), since `actAs` at project scope already fires and `actAs` on one
 * account is the narrow form; API-key methods (`serviceusage.apiKeys.*`), since an API key carries
 * no identity; `getOpenIdToken`, which Rhino does not list (an ID token does not call Google APIs).
 */
const RHINO = "Rhino Security Labs";
const GOOGLE = "Google, roles for service account authentication";
const IAM_INSTEAD = "Change IAM policies and roles from the stack that declares them, not from a workload's identity.";

export const GCP_ESCALATION_RULES: readonly EscalationRule[] = [
    {
        id: "ActAsServiceAccounts",
        source: `${GOOGLE}: Service Account User`,
        key: ["iam.serviceAccounts.actAs"],
        narrowIsSafe: true,
        effect: "attach every service account of the project to resources it creates, and run code as them",
        instead:
            'Grant `roles/iam.serviceAccountUser` on the one account the workload attaches, with `resource: { serviceAccount: "<email>" }`.',
    },
    {
        id: "ImpersonateServiceAccounts",
        source: `${GOOGLE}: Service Account Token Creator; ${RHINO} GetServiceAccountAccessToken, ServiceAccountImplicitDelegation, ServiceAccountSignBlob, ServiceAccountSignJwt`,
        key: [
            "iam.serviceAccounts.getAccessToken",
            "iam.serviceAccounts.implicitDelegation",
            "iam.serviceAccounts.signBlob",
            "iam.serviceAccounts.signJwt",
        ],
        narrowIsSafe: true,
        effect: "obtain tokens of every service account of the project and act as them",
        instead:
            'Grant `roles/iam.serviceAccountTokenCreator` on the one account the workload impersonates, with `resource: { serviceAccount: "<email>" }`.',
    },
    {
        id: "CreateServiceAccountKey",
        source: `${RHINO} CreateServiceAccountKey`,
        key: ["iam.serviceAccountKeys.create"],
        narrowIsSafe: false,
        effect: "create keys of that service account: long-lived credentials that work outside Google Cloud",
        instead: "Attach the account to the workload, or let the workload impersonate it, instead of creating keys.",
    },
    {
        id: "CreateServiceAccountHMACKey",
        source: `${RHINO} CreateServiceAccountHMACKey`,
        key: ["storage.hmacKeys.create"],
        narrowIsSafe: false,
        effect: "create HMAC keys of any service account of the project and use Cloud Storage as it",
        instead: "Create HMAC keys from the stack, not from a workload's identity.",
    },
    {
        id: "SetProjectIAMPolicy",
        source: `${RHINO} SetProjectIAMPolicy`,
        key: ["resourcemanager.projects.setIamPolicy"],
        narrowIsSafe: false,
        effect: "grant itself or anyone any role in the project",
        instead: IAM_INSTEAD,
    },
    {
        id: "SetServiceAccountIAMPolicy",
        source: `${RHINO} SetServiceAccountIAMPolicy`,
        key: ["iam.serviceAccounts.setIamPolicy"],
        narrowIsSafe: false,
        effect: "grant itself or anyone any role on that service account, Token Creator included",
        instead: IAM_INSTEAD,
    },
    {
        id: "UpdateIAMRole",
        source: `${RHINO} UpdateIAMRole`,
        key: ["iam.roles.update"],
        narrowIsSafe: false,
        effect: "add any permission to a custom role of the project, one bound to itself included",
        instead: IAM_INSTEAD,
    },
    {
        id: "SetOrgPolicyConstraints",
        source: `${RHINO} SetOrgPolicyConstraints`,
        key: ["orgpolicy.policy.set"],
        narrowIsSafe: false,
        effect: "lift organization policy constraints, such as the ban on service account keys",
        instead: IAM_INSTEAD,
    },
    {
        id: "CreateDeploymentManagerDeployment",
        source: `${RHINO} CreateDeploymentManagerDeployment`,
        key: ["deploymentmanager.deployments.create"],
        narrowIsSafe: false,
        effect: "create resources as the project's Google APIs service agent, which holds the Editor role",
        instead: "Deploy from the stack, or with a deployer identity granted exactly the roles of what it deploys.",
    },
    {
        id: "RCECloudBuildBuildServer",
        source: `${RHINO} RCECloudBuildBuildServer`,
        key: ["cloudbuild.builds.create"],
        narrowIsSafe: false,
        effect: "run a build as the project's Cloud Build service account, with that account's permissions",
        instead:
            "Run builds from CI with the deployer's own identity, or give Cloud Build a dedicated service account with exactly what the build needs.",
    },
];

const RULES = new EscalationRules(GCP_ESCALATION_RULES);

/** The permissions a `serviceAccount`-scope binding can exercise: those on the account itself. */
const ON_ACCOUNT = /^iam\.service(Accounts|AccountKeys)\./;

/** Where a reason is recorded, for messages. */
export const GCP_RECORDED = "the `acknowledged` field of the service account's description";

/**
 * Checks the escalations the valid grants `plans` allow together, and each grant's `acknowledge`
 * (read from `grants`, the grants as given), recording every problem. Returns the acknowledged
 * escalations, method → reason, for the ownership record.
 */
export function planGcpEscalations(
    plans: readonly GcpGrantPlan[],
    grants: unknown,
    problems: Problems,
): { record: Record<string, string>; acknowledged: readonly Acknowledged[] } {
    const facts = plans.map((plan): GrantActions => ({
        path: plan.path,
        held: heldPermissions(plan),
        acknowledge: acknowledgementOf(grants, plan.path),
    }));
    const review = reviewEscalations(RULES, facts, GCP_RECORDED);
    review.problems.forEach((p) => problems.add(p.propertyPath, p.reason));
    const record: Record<string, string> = {};
    for (const a of review.acknowledged) {
        const before = record[a.rule.id];
        record[a.rule.id] =
            before === undefined || before.split(" / ").includes(a.reason)
                ? (before ?? a.reason)
                : `${before} / ${a.reason}`;
    }
    return { record, acknowledged: review.acknowledged };
}

/**
 * The escalation methods the grants `plans` allow together, acknowledged or not: the pure
 * function review reports and policy packs use (`planGcpServiceIdentity` refuses them).
 */
export function findGcpEscalations(plans: readonly GcpGrantPlan[]): EscalationFinding[] {
    return findEscalations(
        RULES,
        plans.map((plan) => ({ path: plan.path, held: heldPermissions(plan) })),
    );
}

/**
 * The ownership record of an account, `base` (already checked), with the acknowledged escalations
 * too; records a problem on the first acknowledging grant when the record no longer fits Google's
 * 256 bytes.
 */
export function recordWithEscalations(
    base: OwnershipRecord,
    escalations: { record: Record<string, string>; acknowledged: readonly Acknowledged[] },
    problems: Problems,
): OwnershipRecord {
    const plain = renderOwnershipRecord(base);
    if (escalations.acknowledged.length === 0 || Buffer.byteLength(plain, "utf8") > MAX_DESCRIPTION_BYTES) {
        return base;
    }
    const record = { ...base, acknowledged: escalations.record };
    const full = renderOwnershipRecord(record);
    const bytes = Buffer.byteLength(full, "utf8");
    if (bytes > MAX_DESCRIPTION_BYTES) {
        const at = `${escalations.acknowledged[0].grant}.acknowledge`;
        const reasons = Object.values(escalations.record).reduce((n, r) => n + Buffer.byteLength(r, "utf8"), 0);
        problems.add(
            at,
            `\`${at}\` is recorded in the service account's description with its owner and purpose, and Google allows at most ${MAX_DESCRIPTION_BYTES} bytes there; the record would be ${bytes}. Shorten the reasons (${reasons} bytes) by ${bytes - MAX_DESCRIPTION_BYTES} byte${bytes - MAX_DESCRIPTION_BYTES === 1 ? "" : "s"}, or \`purpose\`.`,
        );
    }
    return record;
}

/** Each grant's relevant permissions, per predefined role: the catalogue never changes in a process. */
const rolePermissions = new Map<string, readonly string[]>();

/**
 * The permissions of `plan` that some rule names and that the binding can exercise, with where:
 * at `project` scope every one, on the whole project; at `serviceAccount` scope those on the
 * account; on other scopes (a bucket, a topic, …) none of them applies. An existing custom role
 * (`projects/p/roles/r`) is not in the catalogue and is not judged.
 */
export function heldPermissions(plan: GcpGrantPlan): HeldAction[] {
    if (plan.scope !== "project" && plan.scope !== "serviceAccount") {
        return [];
    }
    let permissions: readonly string[];
    if (plan.role !== undefined) {
        permissions = rolePermissions.get(plan.role) ?? [];
        if (!rolePermissions.has(plan.role)) {
            permissions = (findRole(plan.role)?.permissions ?? []).filter((p) => RULES.names(p));
            rolePermissions.set(plan.role, permissions);
        }
    } else {
        permissions = (plan.permissions ?? []).filter((p) => RULES.names(p));
    }
    if (plan.scope === "project") {
        return permissions.map((action) => ({ action, on: `project \`${plan.project}\``, broad: true }));
    }
    const on =
        typeof plan.target === "string"
            ? `service account \`${plan.target}\``
            : "a service account known at deploy time";
    return permissions.filter((p) => ON_ACCOUNT.test(p)).map((action) => ({ action, on, broad: false }));
}
