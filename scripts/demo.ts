/**
 * `npm run demo`: the quickstart (examples/quickstart) run offline, under Pulumi's mocks. No AWS
 * account, no Google Cloud project, no Pulumi CLI, no build step. Prints, per machine identity, who
 * owns it and why, who may assume or act as it, what it may do, when it expires and which
 * resources it creates, and writes to `out/demo/<identity>/`: for an AWS role, the rendered trust
 * and identity policies; for a Google service account, its role bindings (`bindings.json`) and,
 * when GitHub Actions may act as it, its Workload Identity provider
 * (`workload-identity-provider.json`).
 *
 * The mocks are those of the test suite (test/support/mock-graph.ts): a made-up AWS account
 * 123456789012, Google project number 123456789 and physical names such as `invoices-1a2b3c4`, so
 * the output is the same every run.
 */
import * as fs from "fs";
import * as path from "path";
import { quickstart } from "../examples/quickstart/program";
import { MOCK_ACCOUNT, MOCK_PROJECT_NUMBER, Registered, capture, valueOf } from "../test/support/mock-graph";
import { AWS_SERVICE_IDENTITY_TYPE, AwsServiceIdentity } from "../components/aws/service-identity";
import { PolicyDocument, RenderedStatement } from "../components/aws/policy";
import * as gcp from "../components/gcp";

/** Where `npm run demo` writes the policies, relative to the working directory. */
export const DEFAULT_OUT_DIR = path.join("out", "demo");

/** The width the action lists are wrapped to. */
const WIDTH = 100;

/** One machine identity as the demo reports it. */
export interface IdentityReport {
    /** The component's name, e.g. `invoice-worker`. */
    readonly name: string;
    readonly roleName: string;
    readonly roleArn: string;
    readonly owner: string;
    readonly purpose: string;
    readonly expiresAt?: string;
    /** Every tag on the role. */
    readonly tags: Record<string, string>;
    readonly trustPolicy: PolicyDocument;
    /** The identity policies: the inline policy first, then any managed policy. */
    readonly identityPolicies: PolicyDocument[];
    /** Effective permissions: per resource (and condition), the sorted actions allowed on it. */
    readonly permissions: { resource: string; actions: string[]; condition?: string }[];
    /** The component and its children, in declaration order. */
    readonly resources: { type: string; name: string }[];
    /** The files written for this identity, absolute paths. */
    readonly files: string[];
}

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
    readonly actAs: GcpActAs;
    /** What the account may do: its role bindings, sorted by scope, resource and role. */
    readonly bindings: GcpBinding[];
    /** Whether a service account key is declared for the account (never, with pulumi-nhi). */
    readonly keys: number;
    /** The component and its children. */
    readonly resources: { type: string; name: string }[];
    /** The files written for this identity, absolute paths. */
    readonly files: string[];
}

/** Everything the demo found and wrote. */
export interface DemoResult {
    /** The AWS identities. */
    readonly identities: IdentityReport[];
    /** The Google Cloud identities. */
    readonly gcpIdentities: GcpIdentityReport[];
    /** Every resource the quickstart registered. */
    readonly resources: Registered[];
    /** The absolute folder the policies were written to. */
    readonly outDir: string;
    /** The report, as printed by `npm run demo`. */
    readonly text: string;
}

/**
 * Runs the quickstart under the mocks, writes the rendered policies under `outDir` (one folder per
 * identity, replaced if it exists) and returns the report. Does not print.
 */
export async function runDemo(outDir: string = DEFAULT_OUT_DIR): Promise<DemoResult> {
    const { value: qs, resources } = await capture(quickstart);
    const absOut = path.resolve(outDir);

    const identities: IdentityReport[] = [];
    for (const identity of [qs.worker, qs.deployer]) {
        identities.push(await reportIdentity(identity, resources, absOut));
    }

    const gcpIdentities: GcpIdentityReport[] = [];
    for (const identity of [qs.renderer, qs.reportsDeployer]) {
        gcpIdentities.push(await reportGcpIdentity(identity, resources, absOut));
    }

    const supporting = [
        { label: "invoices bucket", arn: await valueOf(qs.bucket.arn) },
        { label: "invoice events queue", arn: await valueOf(qs.queue.arn) },
        { label: "artifacts bucket", arn: await valueOf(qs.artifacts.arn) },
        { label: "GitHub OIDC provider", arn: await valueOf(qs.githubOidc.arn) },
        { label: "reports bucket", arn: await valueOf(qs.reportsBucket.url) },
        { label: "reports artifacts bucket", arn: await valueOf(qs.reportsArtifacts.url) },
    ];
    const text = formatReport(identities, gcpIdentities, supporting, resources, absOut, qs.gcpProject);
    return { identities, gcpIdentities, resources, outDir: absOut, text };
}

async function reportIdentity(identity: AwsServiceIdentity, all: readonly Registered[], outDir: string): Promise<IdentityReport> {
    const name = await valueOf(identity.urn.apply((urn) => urn.split("::").pop()!));
    const [roleName, roleArn, trustJson, policyJson, expiresAt] = await Promise.all([
        valueOf(identity.roleName),
        valueOf(identity.roleArn),
        valueOf(identity.trustPolicy),
        valueOf(identity.policyDocuments),
        valueOf(identity.expiresAt),
    ]);
    const resources = childrenOf(name, all);
    const role = all.find((r) => r.type === "aws:iam/role:Role" && r.name === `${name}-role`);
    const tags: Record<string, string> = { ...(role?.inputs.tags ?? {}) };
    const trustPolicy = JSON.parse(trustJson) as PolicyDocument;
    const identityPolicies = policyJson.map((p) => JSON.parse(p) as PolicyDocument);

    const { files, write } = identityFolder(outDir, name);
    write("trust-policy.json", trustPolicy);
    identityPolicies.forEach((doc, i) => write(`identity-policy-${i + 1}.json`, doc));

    return {
        name,
        roleName,
        roleArn,
        owner: tags["nhi:owner"] ?? "(none)",
        purpose: tags["nhi:purpose"] ?? "(none)",
        expiresAt: expiresAt ?? undefined,
        tags,
        trustPolicy,
        identityPolicies,
        permissions: effectivePermissions(identityPolicies),
        resources,
        files,
    };
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
const GCP_ACCOUNT_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";
const GCP_CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole";
const GCP_WIF_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
const GCP_KEY = "gcp:serviceaccount/key:Key";

/** The condition of a binding's inputs, without the keys Pulumi leaves empty. */
function conditionOf(inputs: Record<string, any>): GcpCondition | undefined {
    const c = inputs.condition;
    if (c === undefined || c === null || typeof c.expression !== "string") {
        return undefined;
    }
    return { title: c.title, ...(c.description !== undefined ? { description: c.description } : {}), expression: c.expression };
}

/**
 * An identity's output folder, emptied first so that no file of an earlier run survives, and a
 * writer of pretty-printed JSON into it that remembers what it wrote.
 */
function identityFolder(outDir: string, name: string): { files: string[]; write: (file: string, data: unknown) => void } {
    const dir = path.join(outDir, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    const write = (file: string, data: unknown) => {
        const at = path.join(dir, file);
        fs.writeFileSync(at, `${JSON.stringify(data, null, 2)}\n`);
        files.push(at);
    };
    return { files, write };
}

async function reportGcpIdentity(identity: gcp.GcpServiceIdentity, all: readonly Registered[], outDir: string): Promise<GcpIdentityReport> {
    const name = await valueOf(identity.urn.apply((urn) => urn.split("::").pop()!));
    const [email, member, providerName] = await Promise.all([
        valueOf(identity.email),
        valueOf(identity.member),
        valueOf(identity.workloadIdentityProvider),
    ]);
    const children = gcpChildrenOf(name, all);
    const child = (type: string, childName: string) => children.find((r) => r.type === type && r.name === childName);
    const account = child(GCP_ACCOUNT, `${name}-sa`);
    if (account === undefined) {
        throw new Error(`GcpServiceIdentity "${name}" declared no ${GCP_ACCOUNT} "${name}-sa"`);
    }
    const description: string = account.inputs.description ?? "";
    const record = gcp.parseOwnershipRecord(description);

    const customRoles = new Map(children.filter((r) => r.type === GCP_CUSTOM_ROLE).map((r) => [`projects/${r.inputs.project}/roles/${r.inputs.roleId}`, r.inputs.permissions as string[]]));
    const bindings: GcpBinding[] = children
        .filter((r) => GCP_BINDING_TYPES[r.type] !== undefined && !r.name.startsWith(`${name}-workload-identity-user`))
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
        .sort((a, b) => SCOPE_ORDER.indexOf(a.scope) - SCOPE_ORDER.indexOf(b.scope) || compare(a.resource, b.resource) || compare(a.role, b.role));

    // The binding that lets the trusted workload act as the account (one per subject in a shared pool;
    // the quickstart's identities have their own pools, so one).
    const actAsBinding = children.find((r) => r.type === GCP_ACCOUNT_MEMBER && r.name.startsWith(`${name}-workload-identity-user`));
    const provider = child(GCP_WIF_PROVIDER, `${name}-github`);
    let actAs: GcpActAs = { kind: "attached" };
    if (actAsBinding !== undefined) {
        const condition = conditionOf(actAsBinding.inputs);
        const binding = { role: actAsBinding.inputs.role, member: actAsBinding.inputs.member, ...(condition !== undefined ? { condition } : {}) };
        actAs = provider !== undefined && providerName
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
        actAs,
        bindings,
        keys: all.filter((r) => r.type === GCP_KEY && [email, member, `projects/${account.inputs.project}/serviceAccounts/${email}`, account.inputs.accountId].includes(r.inputs.serviceAccountId)).length,
        resources: children.map((r) => ({ type: r.type, name: r.name })),
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
    const identities = all.filter((r) => r.type === gcp.GCP_SERVICE_IDENTITY_TYPE).map((r) => r.name);
    const owner = (r: Registered) => identities.filter((n) => r.name.startsWith(`${n}-`)).sort((a, b) => b.length - a.length)[0];
    const rankOf = (r: Registered) => (r.type === gcp.GCP_SERVICE_IDENTITY_TYPE ? 0 : r.type === GCP_ACCOUNT ? 1 : 2);
    return all
        .filter((r) => (r.type === gcp.GCP_SERVICE_IDENTITY_TYPE && r.name === name) || (r.parentType === gcp.GCP_SERVICE_IDENTITY_TYPE && owner(r) === name))
        .sort((a, b) => rankOf(a) - rankOf(b) || compare(a.name, b.name) || compare(a.type, b.type));
}

/**
 * The component `name` and its children, by the names the component documents: `${name}-role`,
 * `${name}-policy` and, for overflow documents, `${name}-policy-2`, `-3`, …
 */
function childrenOf(name: string, all: readonly Registered[]): { type: string; name: string }[] {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const child = new RegExp(`^${escaped}-(role|policy(-\\d+)?)$`);
    return all
        .filter((r) => (r.type === AWS_SERVICE_IDENTITY_TYPE && r.name === name) || (r.type.startsWith("aws:iam/") && child.test(r.name)))
        .map((r) => ({ type: r.type, name: r.name }))
        .sort((a, b) => rank(a, name) - rank(b, name) || compare(a.name, b.name) || compare(a.type, b.type));
}

function rank(r: { type: string; name: string }, name: string): number {
    return r.type === AWS_SERVICE_IDENTITY_TYPE ? 0 : r.name === `${name}-role` ? 1 : 2;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every Allow (action, resource) pair of `documents`, grouped per resource and condition. */
export function effectivePermissions(documents: readonly PolicyDocument[]): { resource: string; actions: string[]; condition?: string }[] {
    const groups = new Map<string, { resource: string; actions: Set<string>; condition?: string }>();
    for (const doc of documents) {
        for (const s of doc.Statement) {
            if (s.Effect !== "Allow") {
                continue;
            }
            const condition = s.Condition === undefined ? undefined : conditionLines(s).join("; ");
            for (const resource of asList(s.Resource)) {
                const key = `${resource}\u0000${condition ?? ""}`;
                const group = groups.get(key) ?? { resource, actions: new Set<string>(), condition };
                asList(s.Action).forEach((a) => group.actions.add(a));
                groups.set(key, group);
            }
        }
    }
    return [...groups.values()]
        .map((g) => ({ resource: g.resource, actions: [...g.actions].sort(compare), ...(g.condition === undefined ? {} : { condition: g.condition }) }))
        .sort((a, b) => compare(a.resource, b.resource) || compare(a.condition ?? "", b.condition ?? ""));
}

const OPERATORS: Record<string, string> = {
    StringEquals: "=",
    StringLike: "like",
    ArnLike: "like",
    ArnEquals: "=",
    DateLessThan: "<",
    DateGreaterThan: ">",
};

/** The conditions of a statement, one readable line each: `aws:CurrentTime < 2028-06-30T00:00:00Z`. */
function conditionLines(s: RenderedStatement): string[] {
    const lines: string[] = [];
    for (const [op, keys] of Object.entries(s.Condition ?? {})) {
        for (const [key, value] of Object.entries(keys)) {
            const values = asList(value);
            const shown = key === "sts:ExternalId" ? ["(an external ID, not shown)"] : values;
            lines.push(`${key} ${OPERATORS[op] ?? op} ${shown.length === 1 ? shown[0] : `any of ${shown.join(", ")}`}`);
        }
    }
    return lines;
}

/** Who may assume the role, read from the rendered trust policy: one headline and its details. */
export function describeTrustPolicy(doc: PolicyDocument): string[] {
    const out: string[] = [];
    for (const s of doc.Statement) {
        const principal = s.Principal ?? {};
        const actions = asList(s.Action).join(", ");
        for (const service of asList(principal.Service)) {
            out.push(`the AWS service ${service} (${actions})`);
        }
        for (const provider of asList(principal.Federated)) {
            const host = provider.replace(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\//, "");
            const who = host === "token.actions.githubusercontent.com" ? "GitHub Actions jobs" : host.startsWith("oidc.eks.") ? "an EKS service account" : `tokens issued by ${host}`;
            out.push(`${who} (${actions})`, `  through the OIDC provider ${provider}`);
        }
        for (const aws of asList(principal.AWS)) {
            out.push(`the AWS principal ${aws} (${actions})`);
        }
        // The expiry last: the claims that say who come first.
        const conditions = conditionLines(s).sort((a, b) => Number(a.startsWith("aws:CurrentTime")) - Number(b.startsWith("aws:CurrentTime")));
        if (conditions.length > 0) {
            out.push(`  only when ${conditions[0]}`);
            conditions.slice(1).forEach((c) => out.push(`        and ${c}`));
        }
    }
    return out;
}

/** `items` joined with `, ` and wrapped to `width`, each line starting with `indent`. */
function wrap(items: readonly string[], indent: string, width = WIDTH): string[] {
    const lines: string[] = [];
    let line = "";
    items.forEach((item, i) => {
        const piece = i < items.length - 1 ? `${item},` : item;
        if (line !== "" && indent.length + line.length + 1 + piece.length > width) {
            lines.push(indent + line);
            line = piece;
        } else {
            line = line === "" ? piece : `${line} ${piece}`;
        }
    });
    if (line !== "") {
        lines.push(indent + line);
    }
    return lines;
}

/** A path for display: relative to the working directory when it is inside it. */
function shown(p: string): string {
    const rel = path.relative(process.cwd(), p);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}

function formatReport(identities: readonly IdentityReport[], gcpIdentities: readonly GcpIdentityReport[], supporting: readonly { label: string; arn: string }[], all: readonly Registered[], outDir: string, gcpProject: string): string {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    const identityCount = identities.length + gcpIdentities.length;
    const identityResources = [...identities, ...gcpIdentities].reduce((n, id) => n + id.resources.length, 0);
    push(
        "pulumi-nhi quickstart: offline demo",
        `Nothing is deployed: this is examples/quickstart run under Pulumi's mocks (made-up AWS account ${MOCK_ACCOUNT},`,
        `Google Cloud project ${gcpProject}, project number ${MOCK_PROJECT_NUMBER}).`,
        "",
        `The program declares ${all.length} resources: ${supporting.length} workload resources, and ${identityCount} machine identities (${identityResources} resources, listed under each identity).`,
        "",
        "  Workload resources",
    );
    const labelWidth = Math.max(...supporting.map((s) => s.label.length));
    supporting.forEach((s) => push(`    ${s.label.padEnd(labelWidth)}  ${s.arn}`));

    for (const id of identities) {
        const pairs = id.permissions.reduce((n, p) => n + p.actions.length, 0);
        const conditions = [...new Set(id.permissions.map((p) => p.condition ?? ""))];
        push(
            "",
            heading(`${id.name} (AWS)`),
            `  Role        ${id.roleName}`,
            `              ${id.roleArn}`,
            `  Owner       ${id.owner}`,
            `  Purpose     ${id.purpose}`,
            `  Expires     ${id.expiresAt === undefined ? "never (no expiresAt)" : `${id.expiresAt}  (AWS refuses the role from then on: DateLessThan aws:CurrentTime)`}`,
            "",
            "  Who may assume it",
            ...describeTrustPolicy(id.trustPolicy).map((l) => `    ${l}`),
            "",
            `  What it may do: ${pairs} action × resource pairs on ${id.permissions.length} resource${id.permissions.length === 1 ? "" : "s"}`,
        );
        for (const p of id.permissions) {
            push(`    ${p.resource}`, ...wrap(p.actions, "      "));
            if (conditions.length > 1 && p.condition !== undefined) {
                push(`      only when ${p.condition}`);
            }
        }
        if (id.permissions.length === 0) {
            push("    nothing (no grants)");
        } else if (conditions.length === 1 && conditions[0] !== "") {
            push(`    every permission only when ${conditions[0]}`);
        }
        pushResources(push, id.resources);
        push("", "  Tags on the role");
        const tagWidth = Math.max(...Object.keys(id.tags).map((k) => k.length));
        Object.keys(id.tags).sort(compare).forEach((k) => push(`    ${k.padEnd(tagWidth)}  ${id.tags[k]}`));
    }

    for (const id of gcpIdentities) {
        push(
            "",
            heading(`${id.name} (Google Cloud)`),
            `  Account     ${id.email}`,
            `  Owner       ${id.owner}`,
            `  Purpose     ${id.purpose}`,
            `  Expires     ${id.expiresAt === undefined ? "never (no expiresAt)" : `${id.expiresAt}  (Google stops honouring every binding then: IAM Condition on request.time)`}`,
            "",
            "  Who may act as it",
            ...describeActAs(id).map((l) => (l === "" ? "" : `    ${l}`)),
            "",
            `  What it may do: ${id.bindings.length} role binding${id.bindings.length === 1 ? "" : "s"}`,
        );
        for (const b of id.bindings) {
            push(`    ${b.role} → ${b.scope} ${b.resource}`);
            if (b.permissions !== undefined) {
                push(...wrap(b.permissions.map((p, i) => (i === 0 ? `custom role holding exactly ${p}` : p)), "      "));
            }
            push(`      ${b.condition === undefined ? "no condition: never expires" : `only when ${b.condition.expression}`}`);
        }
        if (id.bindings.length === 0) {
            push("    nothing (no grants)");
        }
        pushResources(push, id.resources);
        push(
            "",
            "  The account's description (ownership record) and display name",
            `    ${id.description}`,
            `    ${id.displayName}`,
        );
    }

    push("", `Rendered policies and bindings written to ${shown(outDir)}${path.sep}:`);
    for (const id of [...identities, ...gcpIdentities]) {
        id.files.forEach((f) => push(`  ${shown(f)}`));
    }
    return `${lines.join("\n")}\n`;
}

/** `== title =====…`, WIDTH wide. */
function heading(title: string): string {
    return `== ${title} ${"=".repeat(Math.max(3, WIDTH - title.length - 4))}`;
}

function pushResources(push: (...more: string[]) => void, resources: readonly { type: string; name: string }[]): void {
    push("", "  Resources it creates");
    const typeWidth = Math.max(...resources.map((r) => r.type.length));
    resources.forEach((r) => push(`    ${r.type.padEnd(typeWidth)}  ${r.name}`));
}

/** Who may act as a Google service account: one headline and its details. */
export function describeActAs(id: GcpIdentityReport): string[] {
    const out: string[] = [];
    const keys = id.keys === 0 ? "no service account key is declared" : `${id.keys} service account key${id.keys === 1 ? "" : "s"} (anyone holding one acts as it)`;
    const when = (c: GcpCondition | undefined) => (c === undefined ? "  with no condition: for good" : `  only when ${c.expression}`);
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

async function main(): Promise<void> {
    const result = await runDemo(DEFAULT_OUT_DIR);
    process.stdout.write(result.text);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 1;
    });
}
