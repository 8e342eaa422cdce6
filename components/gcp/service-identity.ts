import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import * as random from "@pulumi/random";
import { AnyDeferredCheck, Guard, deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { expiryWarning, parseExpiry } from "../core/expiry";
import { GITHUB_OIDC_ISSUER } from "../core/github";
import { OWNERSHIP_FIELDS, requireText } from "../core/ownership";
import { renderAuditLogFilter } from "./audit-filter";
import { OwnershipRecord, displayName, ownershipRecordProblems, renderOwnershipRecord } from "./description";
import { GcpDeprovisioner, GcpDeprovisionerArgs, planGcpDeprovisioner, registerDeprovisioning } from "./deprovision";
import { planGcpEscalations, recordWithEscalations } from "./escalation";
import {
    GcpGrant,
    GcpGrantPlan,
    GrantTarget,
    expiryCondition,
    grantTarget,
    planGcpGrants,
    projectIdProblem,
} from "./grants";
import {
    GcpKeyPlan,
    GcpServiceAccountKeyArgs,
    planGcpKey,
    registerGcpKey,
    warnExposedKeyPolicy,
} from "./service-account-key";
import { rotationAccountId } from "./rotation-function";
import {
    GcpUsageSettingsArgs,
    GcpUsageSettingsPlan,
    checkGcpMonitorAfterProgram,
    planGcpUsageSettings,
    sizedSettings,
    withChannel,
} from "./usage-settings";
import {
    GITHUB_ATTRIBUTE_MAPPING,
    GcpTrust,
    GcpTrustPlan,
    POOL_NAME,
    WORKLOAD_IDENTITY_USER,
    githubAttributeCondition,
    githubPrincipalSet,
    githubSubjectPrincipal,
    planGcpTrust,
} from "./trust";

export const GCP_SERVICE_IDENTITY_TYPE = "nhi:gcp:ServiceIdentity";

/** Google: a service account ID is 6–30 characters: a lower-case letter, then letters, digits, hyphens. */
export const ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;

/** What Google does when an identity's `expiresAt` passes, for the warning before it does. */
const GCP_EXPIRY_CONSEQUENCE =
    "Google stops honouring the account's role bindings, and the bindings that let workloads act as it";

/** The arguments of {@link GcpServiceIdentity}. */
export interface GcpServiceIdentityArgs extends GcpUsageSettingsArgs {
    /**
     * The project that holds the service account, and the project of grants that name their
     * resource by short name. A project ID (6–30 lower-case letters, digits and hyphens, starting
     * with a letter), not a number.
     * @see https://cloud.google.com/resource-manager/docs/creating-managing-projects#identifying_projects
     */
    readonly project: string;
    /**
     * The team or person who answers for this identity; recorded in the account's description.
     * Limit: the description holds 256 bytes (Google), shared with `purpose`; an over-long record
     * names the field that makes it so.
     */
    readonly owner: string;
    /**
     * Why this identity exists; recorded in the description beside `owner` (256 bytes for the two,
     * Google's limit) and shown as the display name (cut to Google's 100 characters).
     * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts
     */
    readonly purpose: string;
    /**
     * The service account ID, the part of the email before `@`: 6–30 characters, a lower-case
     * letter first, then lower-case letters, digits and hyphens, not ending with a hyphen.
     * @default `name`, lower-cased, with characters Google refuses replaced by `-`
     * @see https://cloud.google.com/iam/docs/service-accounts-create
     */
    readonly accountId?: string;
    /**
     * Who, besides the services the account is attached to, may act as it: exactly one of
     * `githubActions` or `gkeWorkload` (two at once do not compile, and are refused at run time).
     * @default none: only the Google services the account is attached to act as it
     */
    readonly trust?: GcpTrust;
    /**
     * What the account may do: each grant is `{ role, resource }` or `{ permissions, resource }`
     * (never both), bound at the one scope its `resource` names. A role or permission that cannot
     * take effect on that resource (none of its permissions belongs to the resource's service) is
     * refused with the scope where it applies. `[]` for an account with no permissions.
     * @see https://cloud.google.com/iam/docs/understanding-roles
     */
    readonly grants: readonly GcpGrant[];
    /**
     * An ISO-8601 instant (`2027-01-31T00:00:00Z`) after which Google itself stops honouring the
     * identity: every role binding, including the bindings that let a workload act as the account,
     * carries the IAM Condition `request.time < timestamp("<expiresAt>")`. Must be in the future
     * when the stack is updated. Grants on Pub/Sub topics or subscriptions, whose policies do not
     * accept conditions, are then refused.
     * @default no expiry
     * @see https://cloud.google.com/iam/docs/conditions-overview
     */
    readonly expiresAt?: string;
    /**
     * A service account key, where one is unavoidable: a consumer outside Google Cloud that can take neither workload identity
     * federation nor impersonation (a vendor that asks for a JSON key file). Prefer `trust` (federation): it has no key to leak.
     * Many organizations forbid keys with the organization policy `iam.disableServiceAccountKeyCreation`; the rotation then fails and
     * says so in its logs.
     *
     * The key is minted and rotated inside Google Cloud, by a function this package ships, into a Secret Manager secret
     * (`keySecret`), whose `latest` version is the current key's credentials file: Pulumi never sees the key, in state, preview or
     * outputs, and declares no `serviceaccount.Key`. The first key is minted about ten minutes after the function is deployed. The
     * previous key keeps working for `graceDays` after a new one is stored; never more than Google's 10 keys per account.
     * Adds: the secret, a Pub/Sub topic, the function with its source object and bucket, two service accounts (the function's and its
     * trigger's; mind the project's quota of service accounts), two custom roles and the bindings of each, and one binding per reader.
     * @default no key
     * @see https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys
     * @see https://cloud.google.com/resource-manager/docs/organization-policy/restricting-service-accounts
     */
    readonly key?: GcpServiceAccountKeyArgs;
    /**
     * Who disables the account at `expiresAt` (the second line behind the bindings' IAM Conditions):
     * a Cloud Scheduler job calls the IAM API's `serviceAccounts.disable` at the first whole minute at
     * or after `expiresAt` (UTC), as a deprovisioner account that holds a custom role of exactly
     * `iam.serviceAccounts.disable` on this one account, from `expiresAt` for 7 days. Renewing
     * `expiresAt` moves the job; removing the identity removes the job and the binding. A disabled
     * account stays disabled after a renewal: `gcloud iam service-accounts enable <email> --project <project>`.
     * - a `gcp.Deprovisioner` of the same project: shared by every identity (adds a binding and a job);
     * - `false`: no job (the IAM Conditions alone end the identity's access);
     * - omitted: the identity builds its own deprovisioner (a service account and a custom role more:
     *   mind the project's quotas of 100 service accounts and 300 custom roles).
     * Only with `expiresAt`. Cloud Scheduler bills $0.10 per job per month beyond 3 free per billing account.
     * @default with `expiresAt`, the identity's own deprovisioner; without, none
     * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable
     * @see https://cloud.google.com/scheduler/pricing
     */
    readonly deprovisioner?: GcpDeprovisioner | false;
}

/** Everything the constructor needs, validated: the output of {@link planGcpServiceIdentity}. */
export interface GcpServiceIdentityPlan {
    readonly project: string;
    readonly accountId: string;
    readonly owner: string;
    readonly purpose: string;
    readonly expiresAt?: string;
    /** The ownership record, with the usage settings but the channel, which {@link renderDescription} adds. */
    readonly record: OwnershipRecord;
    /** The record rendered, when its channel is known now (or there is none). */
    readonly description?: string;
    /** What the usage monitor reads: `unusedAlarm`, `expiryNoticeDays` (and, with `key`, the key's age bound, in `record`). */
    readonly usage: GcpUsageSettingsPlan;
    readonly trust: GcpTrustPlan;
    readonly grants: readonly GcpGrantPlan[];
    readonly later: readonly AnyDeferredCheck[];
    /** Warnings for every preview and update, such as an expiry less than two weeks away. */
    readonly warnings: readonly string[];
    /** The rotated key, when `key` is given. */
    readonly key?: GcpKeyPlan;
    /** Who disables the account at `expiresAt`: a shared deprovisioner, or the arguments of the identity's own. Undefined: no one. */
    readonly deprovisioner?: GcpDeprovisioner | { readonly own: GcpDeprovisionerArgs };
}

/** The account ID Google would get from `name`: lower case, other characters replaced by `-`. */
export function deriveAccountId(name: string): string {
    return name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/**
 * Validates `args` for an identity called `name`, collecting every problem and throwing one
 * {@link pulumi.InputPropertiesError}. Registers nothing.
 */
export function planGcpServiceIdentity(
    name: string,
    args: GcpServiceIdentityArgs,
    now: Date = new Date(),
): GcpServiceIdentityPlan {
    const problems = new Problems();
    const later: AnyDeferredCheck[] = [];
    const a: Partial<GcpServiceIdentityArgs> = args ?? {};
    const project = typeof a.project === "string" ? a.project : "";
    const projectProblem = projectIdProblem("project", a.project);
    if (projectProblem !== undefined) {
        problems.add(
            "project",
            a.project === undefined || a.project === ""
                ? `\`project\` is required: the ID of the project that holds the service account, such as \`my-project\`; got ${describe(a.project)}.`
                : projectProblem,
        );
    }
    const { owner, purpose } = requireText(a, ["owner", "purpose"], problems, OWNERSHIP_FIELDS);
    const accountId = planAccountId(name, a.accountId, problems);
    const expiresAt = parseExpiry(a.expiresAt, "expiresAt", problems, now);
    const trust = planGcpTrust(a.trust, project, problems, later);
    const grants = planGcpGrants(a.grants, project, a.expiresAt !== undefined, problems, later);
    const escalations = planGcpEscalations(grants, a.grants, problems);
    const usage = planGcpUsageSettings(
        a,
        projectProblem === undefined ? project : undefined,
        a.expiresAt !== undefined,
        problems,
        later,
    );
    const key =
        a.key === undefined
            ? undefined
            : planGcpKey(
                  a.key,
                  { project: projectProblem === undefined ? project : undefined, accountId, owner, expiresAt },
                  problems,
                  later,
              );
    // An enabled key older than its period, its grace and a day (the function checks daily) is one the rotation missed.
    const settings =
        key === undefined
            ? usage.settings
            : { ...usage.settings, keyMaxAgeDays: key.rotateEveryDays + key.graceDays + 1 };
    // The record without the channel, which is added where it is known (renderDescription).
    let record: OwnershipRecord = { owner: owner ?? "", purpose: purpose ?? "", expiresAt, usage: settings };
    if (owner !== undefined && purpose !== undefined) {
        const sized: OwnershipRecord = { ...record, usage: sizedSettings(settings, usage.notify) };
        for (const p of ownershipRecordProblems(sized)) {
            problems.add(p.propertyPath, p.reason);
        }
        record = { ...recordWithEscalations(sized, escalations, problems), usage: settings };
    }
    const deprovisioner = planDeprovisioner(
        name,
        a.deprovisioner,
        {
            project: projectProblem === undefined ? project : undefined,
            accountId,
            owner,
            expiresAt,
            expiring: a.expiresAt !== undefined,
        },
        problems,
    );
    problems.throwIfAny(`GcpServiceIdentity "${name}"`);
    const warnings = [expiryWarning(expiresAt, now, GCP_EXPIRY_CONSEQUENCE, usage.noticeDays)].filter(
        (w) => w !== undefined,
    );
    const description =
        usage.notify !== undefined && typeof usage.notify !== "string"
            ? undefined
            : renderOwnershipRecord({ ...record, usage: withChannel(settings, usage.notify) });
    return {
        project,
        accountId: accountId!,
        owner,
        purpose,
        expiresAt,
        record,
        ...(description === undefined ? {} : { description }),
        usage,
        trust: trust!,
        grants,
        later,
        warnings,
        ...(key ? { key } : {}),
        ...(deprovisioner ? { deprovisioner } : {}),
    };
}

/**
 * The account's description: the ownership record with the channel's ID, rendered now when the
 * channel is plain, else where it resolves, through `guard` (after its checks have passed).
 */
export function renderDescription(plan: GcpServiceIdentityPlan, guard: Guard): pulumi.Input<string> {
    const notify = plan.usage.notify;
    if (plan.description !== undefined || notify === undefined) {
        return plan.description ?? renderOwnershipRecord(plan.record);
    }
    return pulumi
        .output(guard(notify))
        .apply((n) => renderOwnershipRecord({ ...plan.record, usage: withChannel(plan.record.usage ?? {}, n) }));
}

/** Who disables the account at its expiry: the `deprovisioner` given, or the arguments of the identity's own ({@link GcpServiceIdentityArgs.deprovisioner}). */
function planDeprovisioner(
    name: string,
    given: unknown,
    identity: { project?: string; accountId?: string; owner?: string; expiresAt?: string; expiring: boolean },
    problems: Problems,
): GcpServiceIdentityPlan["deprovisioner"] {
    if (given !== undefined && given !== false && !(given instanceof GcpDeprovisioner)) {
        problems.add(
            "deprovisioner",
            `\`deprovisioner\` must be a \`gcp.Deprovisioner\` or \`false\`; got ${describe(given)}.`,
        );
        return undefined;
    }
    if (!identity.expiring) {
        if (given instanceof GcpDeprovisioner) {
            problems.add(
                "deprovisioner",
                `\`deprovisioner\` is given, but the identity has no \`expiresAt\`: there is nothing to deprovision. Set \`expiresAt\`, or remove \`deprovisioner\`.`,
            );
        }
        return undefined;
    }
    if (
        given === false ||
        identity.expiresAt === undefined ||
        identity.project === undefined ||
        identity.accountId === undefined ||
        identity.owner === undefined
    ) {
        return undefined;
    }
    if (given instanceof GcpDeprovisioner) {
        if (given.project !== identity.project) {
            problems.add(
                "deprovisioner",
                `\`deprovisioner\` is the deprovisioner of project \`${given.project}\`, but the account is in \`${identity.project}\`: a project's custom role can be bound only on that project's accounts. Give the \`gcp.Deprovisioner\` of \`${identity.project}\`.`,
            );
            return undefined;
        }
        return given;
    }
    const own: GcpDeprovisionerArgs = {
        project: identity.project,
        owner: identity.owner,
        purpose: `Disables ${identity.accountId} at its expiresAt`,
        accountId: rotationAccountId(identity.accountId, "dep"),
    };
    try {
        planGcpDeprovisioner(`${name}-deprovisioner`, own);
    } catch (e) {
        // Only the shared record can fail here (owner too long): say so on `owner`.
        for (const p of (e as pulumi.InputPropertiesError).errors ?? []) {
            problems.add(
                "owner",
                `\`owner\` is recorded on the identity's deprovisioner too, and there: ${p.reason} Or give a shared \`deprovisioner\`.`,
            );
        }
        return undefined;
    }
    return { own };
}

function planAccountId(name: string, accountId: unknown, problems: Problems): string | undefined {
    const rule =
        "6–30 characters: a lower-case letter, then lower-case letters, digits and hyphens, not ending with a hyphen";
    if (accountId !== undefined) {
        if (typeof accountId !== "string" || !ACCOUNT_ID.test(accountId)) {
            const fixed = typeof accountId === "string" ? deriveAccountId(accountId) : "";
            const hint = ACCOUNT_ID.test(fixed) ? ` Did you mean \`${fixed}\`?` : "";
            problems.add("accountId", `\`accountId\` must be ${rule}; got ${describe(accountId)}.${hint}`);
            return undefined;
        }
        return accountId;
    }
    const derived = typeof name === "string" ? deriveAccountId(name) : "";
    if (!ACCOUNT_ID.test(derived)) {
        problems.add(
            "accountId",
            `\`name\` \`${name}\` gives the service account ID \`${derived}\`, which must be ${rule}. Give \`accountId\` explicitly${derived.length > 30 ? `, such as \`${derived.slice(0, 30).replace(/-+$/, "")}\`` : ""}.`,
        );
        return undefined;
    }
    return derived;
}

/**
 * One Google Cloud service account for one workload, bound at the narrowest scope each
 * grant names, with its owner and purpose in its description and an optional expiry that Google
 * enforces on every binding. It never creates a service account key through Pulumi: with `key`, a function it deploys mints and
 * rotates one inside Google Cloud.
 *
 * Children: a `serviceaccount.Account` (`${name}-sa`); one IAM member per grant, named by the
 * grant's scope, resource and role; a `projects.IAMCustomRole` for each `permissions` grant; for a
 * GitHub trust, a `random.RandomId`, a `iam.WorkloadIdentityPool` (unless one is given), a
 * `iam.WorkloadIdentityPoolProvider` and a `serviceaccount.IAMMember`; for a GKE trust, a
 * `serviceaccount.IAMMember`; with `key`, the key's secret, topic, rotation function and reader bindings (service-account-key.ts).
 * With `expiresAt` (unless `deprovisioner: false`), its deprovisioning at expiry: a
 * `cloudscheduler.Job` `${name}-deprovision` that disables the account at `expiresAt`, and a
 * `serviceaccount.IAMMember` `${name}-deprovisioner-disable` that lets the deprovisioner do that to
 * this account alone, from `expiresAt`; without a `deprovisioner`, also one of its own
 * (`gcp.Deprovisioner` `${name}-deprovisioner`).
 */
export class GcpServiceIdentity extends pulumi.ComponentResource {
    /** The account's email, `<accountId>@<project>.iam.gserviceaccount.com`. */
    public readonly email: pulumi.Output<string>;
    /** The account ID. */
    public readonly accountId: pulumi.Output<string>;
    /** The account as an IAM member: `serviceAccount:<email>`. */
    public readonly member: pulumi.Output<string>;
    /**
     * For a GitHub trust: the provider's full name, the `workload_identity_provider` input of
     * `google-github-actions/auth`. Undefined otherwise.
     */
    public readonly workloadIdentityProvider: pulumi.Output<string | undefined>;
    /**
     * With `key`: the full name of the Secret Manager secret whose `latest` version is the current key's credentials file
     * (`projects/<number>/secrets/<accountId>-key`). Undefined otherwise.
     */
    public readonly keySecret: pulumi.Output<string | undefined>;
    /**
     * A Cloud Logging filter of what this service account did, over the Admin Activity, Data Access
     * and Policy Denied audit logs: its own calls, whoever acted as it (the entry's
     * `serviceAccountDelegationInfo` names who did), and those it made by impersonating another
     * account. Paste it into the Logs Explorer, or run `gcloud logging read '<filter>' --project <project>
     * --freshness 7d`. Data Access logs are off by default (except BigQuery's): reads of data appear
     * only where they are enabled. Built on first read; nothing is registered.
     * @see https://cloud.google.com/logging/docs/audit/understanding-audit-logs
     * @see https://cloud.google.com/logging/docs/audit/configure-data-access
     */
    public get auditLogFilter(): pulumi.Output<string> {
        return (this.auditLogFilterOutput ??= this.email.apply(renderAuditLogFilter));
    }
    private auditLogFilterOutput?: pulumi.Output<string>;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link GcpServiceIdentityArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the Google Cloud credentials and defaults of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: GcpServiceIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planGcpServiceIdentity(name, args);
        super(GCP_SERVICE_IDENTITY_TYPE, name, {}, withLegacyType(GCP_SERVICE_IDENTITY_TYPE, name, opts));
        const subject = `GcpServiceIdentity "${name}"`;
        checkGcpMonitorAfterProgram(subject, this, plan.usage);
        for (const warning of plan.warnings) {
            pulumi.log.warn(warning, this);
        }
        const condition = plan.expiresAt === undefined ? undefined : expiryCondition(plan.expiresAt);

        // Every value known only at deploy time reaches a child through `guard`, once the checks of
        // every such value have passed: none is bound before it is checked.
        const guard = deployTimeGuard(subject, this, plan.later);
        const account = new gcp.serviceaccount.Account(
            `${name}-sa`,
            {
                project: plan.project,
                accountId: plan.accountId,
                displayName: displayName(plan.record),
                description: renderDescription(plan, guard),
            },
            { parent: this },
        );
        this.email = account.email;
        this.accountId = account.accountId;
        this.member = account.member;

        for (const grant of plan.grants) {
            const role = grant.role ?? customRole(this, name, plan, grant);
            bind(this, name, grant, grantTarget(grant, guard), role, this.member, condition);
        }

        this.workloadIdentityProvider = pulumi.output(trustBindings(this, name, guard, plan, account, condition));
        if (plan.deprovisioner !== undefined && plan.expiresAt !== undefined) {
            const deprovisioner =
                plan.deprovisioner instanceof GcpDeprovisioner
                    ? plan.deprovisioner
                    : new GcpDeprovisioner(`${name}-deprovisioner`, plan.deprovisioner.own, { parent: this });
            registerDeprovisioning(
                this,
                name,
                {
                    project: plan.project,
                    accountId: plan.accountId,
                    expiresAt: plan.expiresAt,
                    name: account.name,
                    uniqueId: account.uniqueId,
                },
                deprovisioner,
            );
        }
        if (plan.key !== undefined) {
            warnExposedKeyPolicy(this, plan.project);
        }
        this.keySecret =
            plan.key === undefined
                ? pulumi.output(undefined)
                : registerGcpKey(
                      this,
                      name,
                      plan.key,
                      plan.project,
                      plan.owner,
                      plan.accountId,
                      account,
                      guard,
                      plan.usage.notify,
                  ).secret.name;
        this.registerOutputs({});
    }
}

/** The stable child-name part of a grant: `bucket-invoices-storage.objectViewer`. */
function grantSlug(grant: GcpGrantPlan): string {
    const [scope, target, what] = grant.key.split("|");
    const where = target.startsWith("#") ? target.slice(1) : target.split("/").slice(-1)[0];
    return `${scope}-${where}-${what.replace(/^roles\//, "").replace(/^.*\/roles\//, "")}`.replace(
        /[^A-Za-z0-9._-]+/g,
        "-",
    );
}

/** The custom role of a `permissions` grant; returns its full name. */
function customRole(
    parent: pulumi.Resource,
    name: string,
    plan: GcpServiceIdentityPlan,
    grant: GcpGrantPlan,
): pulumi.Output<string> {
    const roleId = customRoleId(plan.accountId, grant.key);
    const role = new gcp.projects.IAMCustomRole(
        `${name}-${grantSlug(grant)}`,
        {
            project: plan.project,
            roleId,
            title: `${plan.accountId}: ${grant.scope} grant`.slice(0, 100),
            description:
                `Exactly the permissions ${plan.accountId} needs on ${typeof grant.target === "string" ? `${grant.scope} ${grant.target}` : `a ${grant.scope}`} (pulumi-nhi; owner ${plan.owner})`.slice(
                    0,
                    256,
                ),
            permissions: [...grant.permissions!],
            stage: "GA",
        },
        { parent },
    );
    return role.name;
}

/**
 * The first part of the ID of an identity's own pool, before the random suffix: at most 27
 * characters, so that the ID stays within Google's 32, and never `gcp-`, which Google reserves.
 */
export function poolIdPrefix(accountId: string): string {
    return (accountId.startsWith("gcp-") ? `nhi-${accountId}` : accountId).slice(0, 27).replace(/-+$/, "");
}

/**
 * A custom role ID for one grant of one account: `nhi_<account id>_<hash of the grant's key>`,
 * stable while the grant's scope and resource stay, so that changing its permissions updates the
 * role in place. Google: 3–64 characters of letters, digits, `_` and `.`.
 */
export function customRoleId(accountId: string, key: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
        h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
    }
    return `nhi_${accountId.replace(/-/g, "_")}_${h.toString(16).padStart(8, "0")}`;
}

type Condition = { title: string; description: string; expression: string } | undefined;

/** The IAM member resource binding `role` to `member` on `target`, at the grant's scope. */
function bind(
    parent: pulumi.Resource,
    name: string,
    grant: GcpGrantPlan,
    target: GrantTarget,
    role: pulumi.Input<string>,
    member: pulumi.Output<string>,
    condition: Condition,
): void {
    const childName = `${name}-${grantSlug(grant)}`;
    const opts = { parent };
    const base = { role, member, ...(condition ? { condition } : {}) };
    switch (grant.scope) {
        case "project":
            new gcp.projects.IAMMember(childName, { ...base, project: target.name }, opts);
            return;
        case "bucket":
            new gcp.storage.BucketIAMMember(childName, { ...base, bucket: target.name }, opts);
            return;
        case "topic":
            new gcp.pubsub.TopicIAMMember(childName, { ...base, project: target.project, topic: target.name }, opts);
            return;
        case "subscription":
            new gcp.pubsub.SubscriptionIAMMember(
                childName,
                { ...base, project: target.project, subscription: target.name },
                opts,
            );
            return;
        case "secret":
            new gcp.secretmanager.SecretIamMember(
                childName,
                { ...base, project: target.project, secretId: target.name },
                opts,
            );
            return;
        case "dataset":
            new gcp.bigquery.DatasetIamMember(
                childName,
                { ...base, project: target.project, datasetId: target.name },
                opts,
            );
            return;
        case "serviceAccount":
            new gcp.serviceaccount.IAMMember(
                childName,
                { ...base, serviceAccountId: pulumi.output(target.given).apply(serviceAccountName) },
                opts,
            );
            return;
    }
}

/**
 * A service account's full name from its email, unique ID or full name: a full name as given,
 * otherwise `projects/-/serviceAccounts/<account>`, where `-` lets IAM infer the project from the
 * account, whichever project it is in.
 */
function serviceAccountName(account: string): string {
    return account.startsWith("projects/") ? account : `projects/-/serviceAccounts/${account}`;
}

/** The bindings that let the trusted workload act as the account; returns the GitHub provider's name. */
function trustBindings(
    parent: pulumi.Resource,
    name: string,
    guard: Guard,
    plan: GcpServiceIdentityPlan,
    account: gcp.serviceaccount.Account,
    condition: Condition,
): pulumi.Input<string> | undefined {
    const trust = plan.trust;
    const opts = { parent };
    const actAs = (member: pulumi.Input<string>, key = "") =>
        new gcp.serviceaccount.IAMMember(
            `${name}-workload-identity-user${key}`,
            {
                serviceAccountId: account.name,
                role: WORKLOAD_IDENTITY_USER,
                member,
                ...(condition ? { condition } : {}),
            },
            opts,
        );
    switch (trust.kind) {
        case "none":
            return undefined;
        case "gkeWorkload":
            actAs(trust.member);
            return undefined;
        case "githubActions": {
            // Pool and provider IDs are soft-deleted for 30 days after deletion and cannot be reused
            // meanwhile: a random suffix lets a replaced or re-created identity get fresh ones.
            const suffix = new random.RandomId(`${name}-wif-suffix`, { byteLength: 2 }, opts);
            const poolName =
                trust.pool !== undefined
                    ? guard(trust.pool)
                    : new gcp.iam.WorkloadIdentityPool(
                          `${name}-pool`,
                          {
                              project: plan.project,
                              workloadIdentityPoolId: pulumi.interpolate`${poolIdPrefix(plan.accountId)}-${suffix.hex}`,
                              displayName: `GitHub: ${plan.accountId}`.slice(0, 32),
                              description: `GitHub Actions of ${trust.repository} for ${plan.accountId} (pulumi-nhi)`,
                          },
                          opts,
                      ).name;
            const pool = pulumi.output(poolName).apply((n) => {
                const m = POOL_NAME.exec(n);
                return m === null
                    ? { project: plan.project, id: n.split("/").slice(-1)[0] }
                    : { project: m[1], id: m[2] };
            });
            const provider = new gcp.iam.WorkloadIdentityPoolProvider(
                `${name}-github`,
                {
                    project: pool.project,
                    workloadIdentityPoolId: pool.id,
                    workloadIdentityPoolProviderId: pulumi.interpolate`github-${suffix.hex}`,
                    displayName: `GitHub ${trust.repository}`.slice(0, 32),
                    description: `Tokens of ${trust.repository} (${trust.subjects.join(", ")})`.slice(0, 256),
                    attributeMapping: { ...GITHUB_ATTRIBUTE_MAPPING },
                    attributeCondition: githubAttributeCondition(trust.repository, trust.subjects),
                    oidc: { issuerUri: GITHUB_OIDC_ISSUER },
                },
                opts,
            );
            if (trust.pool === undefined) {
                // The pool is this identity's own, with this one provider: every principal of the
                // repository in it already passed the provider's condition.
                actAs(pulumi.output(poolName).apply((n) => githubPrincipalSet(n, trust.repository)));
            } else {
                // A shared pool is one namespace for all its providers: a repository-wide principal
                // set would also admit tokens that another provider accepts (another environment or
                // branch). Bind each admitted subject exactly instead.
                for (const sub of trust.subjects) {
                    actAs(
                        pulumi.output(poolName).apply((n) => githubSubjectPrincipal(n, sub)),
                        `-${sub.slice(`repo:${trust.repository}:`.length).replace(/[^A-Za-z0-9._-]+/g, "-")}`,
                    );
                }
            }
            return provider.name;
        }
    }
}
