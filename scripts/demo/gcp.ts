/**
 * The demo's Google Cloud identities: what `npm run demo` reads back from a GcpServiceIdentity
 * (its account, ownership record, role bindings and who may act as it), writes to its folder and
 * prints.
 */
import * as pulumi from "@pulumi/pulumi";
import { Registered, valueOf } from "../../components/testing";
import { GCP_SERVICE_IDENTITY_TYPE, GcpServiceIdentity } from "../../components/gcp/service-identity";
import { parseOwnershipRecord } from "../../components/gcp/description";
import { DEFAULT_EXPIRY_NOTICE_DAYS, channelName } from "../../components/runtime/gcp/usage-contract";
import { readRecord } from "../../components/runtime/gcp/usage-evaluate";
import { compare, heading, identityFolder, pushAuditTrail, pushEscalations, pushResources, wrap } from "./common";
import { UsageThresholdsReport, thresholdsReport, usageLines } from "./usage";

/** An IAM Condition, as Google stores it on a role binding. */
export interface GcpCondition {
    readonly title: string;
    readonly description?: string;
    readonly expression: string;
}

/** One role binding that gives a Google service account something to do. */
export interface GcpBinding {
    /** A predefined role (`roles/storage.objectViewer`) or a custom role's full name. */
    readonly role: string;
    /** For a custom role the identity created: exactly the permissions it holds, sorted. */
    readonly permissions?: string[];
    /** Where the role applies: `project`, `bucket`, `topic`, `subscription`, `secret` or `dataset`. */
    readonly scope: string;
    /** The project ID, bucket, topic, … the binding is on. */
    readonly resource: string;
    /** Always the account itself: `serviceAccount:<email>`. */
    readonly member: string;
    readonly condition?: GcpCondition;
}

/** Who, besides the services the account is attached to, may act as it. */
export type GcpActAs =
    | { readonly kind: "attached" }
    | {
          readonly kind: "githubActions";
          /** The provider's full name: `workload_identity_provider` of `google-github-actions/auth`. */
          readonly provider: string;
          readonly pool: string;
          readonly issuerUri: string;
          readonly attributeMapping: Record<string, string>;
          /** The CEL condition every GitHub token must satisfy at the provider. */
          readonly attributeCondition: string;
          /** The binding on the account that lets the admitted tokens act as it. */
          readonly binding: { role: string; member: string; condition?: GcpCondition };
      }
    | { readonly kind: "principal"; readonly binding: { role: string; member: string; condition?: GcpCondition } };

/**
 * What the Google usage monitor will do about one service account, read from its ownership record
 * by the monitor's own parser (`readRecord`), and the Cloud Scheduler job that disables it.
 */
export interface GcpUsageSettingsReport extends UsageThresholdsReport {
    /** What the channel `notify` names is, e.g. `email team-reports@example.com`, when the program declares it. `notify` is the full name, `projects/<project>/notificationChannels/<id>` (the record holds the ID). */
    readonly channel?: string;
    /** When its deprovisioning job disables it: the job's cron and time zone, e.g. `"0 0 30 9 *" (Etc/UTC)`. */
    readonly disabledAt?: string;
}

/** One Google Cloud service account as the demo reports it. */
export interface GcpIdentityReport {
    /** The component's name, e.g. `report-renderer`. */
    readonly name: string;
    readonly email: string;
    readonly project: string;
    readonly displayName: string;
    /** The account's description, verbatim: the JSON ownership record. */
    readonly description: string;
    /** Read back from the description with `gcp.parseOwnershipRecord`. */
    readonly owner: string;
    readonly purpose: string;
    readonly expiresAt?: string;
    /** The privilege escalations its grants acknowledge, read from the ownership record. */
    readonly escalations: { method: string; reason: string }[];
    readonly actAs: GcpActAs;
    /** What the account may do: its role bindings, sorted by scope, resource and role. */
    readonly bindings: GcpBinding[];
    /** Whether a service account key is declared for the account (never, with pulumi-nhi). */
    readonly keys: number;
    /** The component and its children. */
    readonly resources: { type: string; name: string }[];
    /** The Cloud Scheduler job that disables the account at its expiry, when there is one. */
    readonly deprovisioning?: {
        readonly schedule: string;
        readonly timeZone: string;
        readonly uri: string;
        readonly as: string;
    };
    /** What the usage monitor does about it: its unused alarm, expiry notice and deprovisioning time. */
    readonly usage: GcpUsageSettingsReport;
    /** Its `auditLogFilter`: the Cloud Logging filter of what the account did. */
    readonly auditLogFilter: string;
    /** The files written for this identity, absolute paths. */
    readonly files: string[];
}

/** The IAM member resources that bind a role to a Google service account, and the field naming the resource. */
const GCP_BINDING_TYPES: Record<string, { scope: string; field: string }> = {
    "gcp:projects/iAMMember:IAMMember": { scope: "project", field: "project" },
    "gcp:storage/bucketIAMMember:BucketIAMMember": { scope: "bucket", field: "bucket" },
    "gcp:pubsub/topicIAMMember:TopicIAMMember": { scope: "topic", field: "topic" },
    "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": { scope: "subscription", field: "subscription" },
    "gcp:secretmanager/secretIamMember:SecretIamMember": { scope: "secret", field: "secretId" },
    "gcp:bigquery/datasetIamMember:DatasetIamMember": { scope: "dataset", field: "datasetId" },
    "gcp:serviceaccount/iAMMember:IAMMember": { scope: "serviceAccount", field: "serviceAccountId" },
};
const GCP_ACCOUNT = "gcp:serviceaccount/account:Account";
const GCP_SCHEDULER_JOB = "gcp:cloudscheduler/job:Job";
const GCP_ACCOUNT_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";
const GCP_CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole";
const GCP_WIF_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
const GCP_KEY = "gcp:serviceaccount/key:Key";
const GCP_CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel";

/** The condition of a binding's inputs, without the keys Pulumi leaves empty. */
function conditionOf(inputs: Registered["inputs"]): GcpCondition | undefined {
    const c = inputs.condition;
    if (c === undefined || c === null || typeof c.expression !== "string") {
        return undefined;
    }
    return {
        title: c.title,
        ...(c.description !== undefined ? { description: c.description } : {}),
        expression: c.expression,
    };
}

/**
 * The role bindings of the GcpServiceIdentity `name` whose member is `member`: its own, not those on
 * it for others (who may act as it, the deprovisioner's); sorted by scope, resource and role.
 */
export function gcpBindingsOf(name: string, member: string, all: readonly Registered[]): GcpBinding[] {
    const children = gcpChildrenOf(name, all);
    const customRoles = new Map(
        children
            .filter((r) => r.type === GCP_CUSTOM_ROLE)
            .map((r) => [`projects/${r.inputs.project}/roles/${r.inputs.roleId}`, r.inputs.permissions as string[]]),
    );
    return children
        .filter((r) => GCP_BINDING_TYPES[r.type] !== undefined && r.inputs.member === member)
        .map((r) => {
            const { scope, field } = GCP_BINDING_TYPES[r.type];
            const permissions = customRoles.get(r.inputs.role);
            const condition = conditionOf(r.inputs);
            return {
                role: r.inputs.role,
                ...(permissions !== undefined ? { permissions: [...permissions].sort(compare) } : {}),
                scope,
                resource: String(r.inputs[field]),
                member: r.inputs.member,
                ...(condition !== undefined ? { condition } : {}),
            };
        })
        .sort(
            (a, b) =>
                SCOPE_ORDER.indexOf(a.scope) - SCOPE_ORDER.indexOf(b.scope) ||
                compare(a.resource, b.resource) ||
                compare(a.role, b.role),
        );
}

/**
 * The usage settings the monitor reads in `description` (of an account of `project`), and when
 * `job` (its deprovisioning job) disables it; `channels` says what each channel is, by full name.
 */
export function gcpUsageSettingsOf(
    description: string,
    project: string,
    job: Registered | undefined,
    channels: ReadonlyMap<string, string>,
): GcpUsageSettingsReport {
    const t = readRecord(description);
    const notify = t?.notify === undefined ? undefined : channelName(project, t.notify);
    const channel = notify === undefined ? undefined : channels.get(notify);
    return {
        ...thresholdsReport(t ?? { expiryNoticeDays: DEFAULT_EXPIRY_NOTICE_DAYS }, notify),
        ...(channel !== undefined ? { channel } : {}),
        ...(job !== undefined ? { disabledAt: `"${job.inputs.schedule}" (${job.inputs.timeZone})` } : {}),
    };
}

/** What each of `channels` is, by full name: its type and labels, such as `email team-reports@example.com`. */
export async function describeChannels(
    channels: readonly { readonly name: pulumi.Output<string>; readonly urn: pulumi.Output<string> }[],
    all: readonly Registered[],
): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const c of channels) {
        const [name, logical] = await Promise.all([valueOf(c.name), valueOf(c.urn.apply((u) => u.split("::").pop()!))]);
        const declared = all.find((r) => r.type === GCP_CHANNEL && r.name === logical);
        out.set(
            name,
            [declared?.inputs.type ?? "channel", ...Object.values(declared?.inputs.labels ?? {}).map(String)].join(" "),
        );
    }
    return out;
}

export async function reportGcpIdentity(
    identity: GcpServiceIdentity,
    all: readonly Registered[],
    outDir: string,
    channels: ReadonlyMap<string, string> = new Map(),
): Promise<GcpIdentityReport> {
    const name = await valueOf(identity.urn.apply((urn) => urn.split("::").pop()!));
    const [email, member, providerName, auditLogFilter] = await Promise.all([
        valueOf(identity.email),
        valueOf(identity.member),
        valueOf(identity.workloadIdentityProvider),
        valueOf(identity.auditLogFilter),
    ]);
    const children = gcpChildrenOf(name, all);
    const child = (type: string, childName: string) => children.find((r) => r.type === type && r.name === childName);
    const account = child(GCP_ACCOUNT, `${name}-sa`);
    if (account === undefined) {
        throw new Error(`GcpServiceIdentity "${name}" declared no ${GCP_ACCOUNT} "${name}-sa"`);
    }
    const description: string = account.inputs.description ?? "";
    const record = parseOwnershipRecord(description);

    const bindings = gcpBindingsOf(name, member, all);

    // The binding that lets the trusted workload act as the account (one per subject in a shared pool;
    // the quickstart's identities have their own pools, so one).
    const actAsBinding = children.find(
        (r) => r.type === GCP_ACCOUNT_MEMBER && r.name.startsWith(`${name}-workload-identity-user`),
    );
    const provider = child(GCP_WIF_PROVIDER, `${name}-github`);
    let actAs: GcpActAs = { kind: "attached" };
    if (actAsBinding !== undefined) {
        const condition = conditionOf(actAsBinding.inputs);
        const binding = {
            role: actAsBinding.inputs.role,
            member: actAsBinding.inputs.member,
            ...(condition !== undefined ? { condition } : {}),
        };
        actAs =
            provider !== undefined && providerName
                ? {
                      kind: "githubActions",
                      provider: providerName,
                      pool: providerName.replace(/\/providers\/[^/]+$/, ""),
                      issuerUri: provider.inputs.oidc?.issuerUri,
                      attributeMapping: provider.inputs.attributeMapping ?? {},
                      attributeCondition: provider.inputs.attributeCondition,
                      binding,
                  }
                : { kind: "principal", binding };
    }

    const job = child(GCP_SCHEDULER_JOB, `${name}-deprovision`);
    const deprovisioning =
        job === undefined
            ? undefined
            : {
                  schedule: job.inputs.schedule,
                  timeZone: job.inputs.timeZone,
                  uri: job.inputs.httpTarget.uri,
                  as: job.inputs.httpTarget.oauthToken.serviceAccountEmail,
              };

    const { files, write } = identityFolder(outDir, name);
    write("bindings.json", bindings);
    if (actAs.kind === "githubActions") {
        write("workload-identity-provider.json", {
            name: actAs.provider,
            pool: actAs.pool,
            issuerUri: actAs.issuerUri,
            attributeMapping: actAs.attributeMapping,
            attributeCondition: actAs.attributeCondition,
            serviceAccount: email,
            serviceAccountBinding: actAs.binding,
            // The inputs of google-github-actions/auth in the workflow.
            githubActionsAuth: { workload_identity_provider: actAs.provider, service_account: email },
        });
    }

    return {
        name,
        email,
        project: account.inputs.project,
        displayName: account.inputs.displayName ?? "",
        description,
        owner: record?.owner ?? "(no ownership record)",
        purpose: record?.purpose ?? "(no ownership record)",
        ...(record?.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
        escalations: Object.entries(record?.acknowledged ?? {}).map(([method, reason]) => ({ method, reason })),
        actAs,
        bindings,
        keys: all.filter(
            (r) =>
                r.type === GCP_KEY &&
                [
                    email,
                    member,
                    `projects/${account.inputs.project}/serviceAccounts/${email}`,
                    account.inputs.accountId,
                ].includes(r.inputs.serviceAccountId),
        ).length,
        resources: children.map((r) => ({ type: r.type, name: r.name })),
        ...(deprovisioning !== undefined ? { deprovisioning } : {}),
        usage: gcpUsageSettingsOf(description, account.inputs.project, job, channels),
        auditLogFilter,
        files,
    };
}

const SCOPE_ORDER = ["project", "bucket", "topic", "subscription", "secret", "dataset", "serviceAccount"];

/**
 * The GcpServiceIdentity `name` and its children: every resource it parents whose name starts
 * with `${name}-`, unless a longer identity name claims it. The component first, then the
 * account, then the rest by name and type.
 */
function gcpChildrenOf(name: string, all: readonly Registered[]): Registered[] {
    const identities = all.filter((r) => r.type === GCP_SERVICE_IDENTITY_TYPE).map((r) => r.name);
    const owner = (r: Registered) =>
        identities.filter((n) => r.name.startsWith(`${n}-`)).sort((a, b) => b.length - a.length)[0];
    const rankOf = (r: Registered) => (r.type === GCP_SERVICE_IDENTITY_TYPE ? 0 : r.type === GCP_ACCOUNT ? 1 : 2);
    return all
        .filter(
            (r) =>
                (r.type === GCP_SERVICE_IDENTITY_TYPE && r.name === name) ||
                (r.parentType === GCP_SERVICE_IDENTITY_TYPE && owner(r) === name),
        )
        .sort((a, b) => rankOf(a) - rankOf(b) || compare(a.name, b.name) || compare(a.type, b.type));
}

/** Who may act as a Google service account: one headline and its details. */
export function describeActAs(id: GcpIdentityReport): string[] {
    const out: string[] = [];
    const keys =
        id.keys === 0
            ? "no service account key is declared"
            : `${id.keys} service account key${id.keys === 1 ? "" : "s"} (anyone holding one acts as it)`;
    const when = (c: GcpCondition | undefined) =>
        c === undefined ? "  with no condition: for good" : `  only when ${c.expression}`;
    switch (id.actAs.kind) {
        case "attached":
            out.push(
                "only the Google Cloud services it is attached to (a Cloud Run service, a function, a VM:",
                `  --service-account ${id.email})`,
                `no federated or GKE principal; ${keys}`,
            );
            break;
        case "githubActions": {
            const a = id.actAs;
            out.push(
                `GitHub Actions jobs (${a.binding.role}, through Workload Identity Federation)`,
                `  through the provider ${a.provider}`,
                `  only tokens from ${a.issuerUri}`,
                `    with ${a.attributeCondition}`,
                `  as the member ${a.binding.member}`,
                when(a.binding.condition),
                keys,
                "",
                "google-github-actions/auth in the workflow",
                `  workload_identity_provider: ${a.provider}`,
                `  service_account: ${id.email}`,
            );
            break;
        }
        case "principal":
            out.push(`${id.actAs.binding.member} (${id.actAs.binding.role})`, when(id.actAs.binding.condition), keys);
            break;
    }
    return out;
}

/** A Google Cloud identity's section of the report, from the blank line before its heading. */
export function formatGcpIdentity(id: GcpIdentityReport): string[] {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    push(
        "",
        heading(`${id.name} (Google Cloud)`),
        `  Account     ${id.email}`,
        `  Owner       ${id.owner}`,
        `  Purpose     ${id.purpose}`,
        `  Expires     ${id.expiresAt === undefined ? "never (no expiresAt)" : `${id.expiresAt}  (Google stops honouring every binding then: IAM Condition on request.time)`}`,
        `  Disabled    ${id.deprovisioning === undefined ? "by no job" : `by a Cloud Scheduler job at "${id.deprovisioning.schedule}" (${id.deprovisioning.timeZone}), as ${id.deprovisioning.as}:`}`,
        ...(id.deprovisioning === undefined ? [] : [`              POST ${id.deprovisioning.uri}`]),
        ...usageLines(id.usage, "  ", "channel", (n) =>
            id.usage.channel === undefined ? n : `${n} (${id.usage.channel})`,
        ),
        "",
        "  Who may act as it",
        ...describeActAs(id).map((l) => (l === "" ? "" : `    ${l}`)),
        "",
        `  What it may do: ${id.bindings.length} role binding${id.bindings.length === 1 ? "" : "s"}`,
    );
    for (const b of id.bindings) {
        push(`    ${b.role} → ${b.scope} ${b.resource}`);
        if (b.permissions !== undefined) {
            push(
                ...wrap(
                    b.permissions.map((p, i) => (i === 0 ? `custom role holding exactly ${p}` : p)),
                    "      ",
                ),
            );
        }
        push(
            `      ${b.condition === undefined ? "no condition: never expires" : `only when ${b.condition.expression}`}`,
        );
    }
    if (id.bindings.length === 0) {
        push("    nothing (no grants)");
    }
    pushEscalations(push, id.escalations, "the `acknowledged` field of its description");
    pushResources(push, id.resources);
    pushAuditTrail(push, "gcp", id.auditLogFilter);
    push(
        "",
        "  The account's description (ownership record) and display name",
        `    ${id.description}`,
        `    ${id.displayName}`,
    );
    return lines;
}
