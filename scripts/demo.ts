/**
 * `npm run demo`: the quickstart (examples/quickstart) run offline, under Pulumi's mocks. No AWS
 * account, no Pulumi CLI, no build step. Prints, per machine identity, who owns it and why, who may
 * assume it, what it may do, when it expires and which resources it creates, and writes the
 * rendered trust and identity policies to `out/demo/<identity>/`.
 *
 * The mocks are those of the test suite (test/support/mock-graph.ts): a made-up account
 * 123456789012 and physical names such as `invoices-1a2b3c4`, so the output is the same every run.
 */
import * as fs from "fs";
import * as path from "path";
import { quickstart } from "../examples/quickstart/program";
import { MOCK_ACCOUNT, Registered, capture, valueOf } from "../test/support/mock-graph";
import { AWS_SERVICE_IDENTITY_TYPE, AwsServiceIdentity } from "../components/aws/service-identity";
import { PolicyDocument, RenderedStatement } from "../components/aws/policy";

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

/** Everything the demo found and wrote. */
export interface DemoResult {
    readonly identities: IdentityReport[];
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

    const supporting = [
        { label: "invoices bucket", arn: await valueOf(qs.bucket.arn) },
        { label: "invoice events queue", arn: await valueOf(qs.queue.arn) },
        { label: "artifacts bucket", arn: await valueOf(qs.artifacts.arn) },
        { label: "GitHub OIDC provider", arn: await valueOf(qs.githubOidc.arn) },
    ];
    const text = formatReport(identities, supporting, resources, absOut);
    return { identities, resources, outDir: absOut, text };
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

    const dir = path.join(outDir, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    const write = (file: string, doc: PolicyDocument) => {
        const at = path.join(dir, file);
        fs.writeFileSync(at, `${JSON.stringify(doc, null, 2)}\n`);
        files.push(at);
    };
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

function formatReport(identities: readonly IdentityReport[], supporting: readonly { label: string; arn: string }[], all: readonly Registered[], outDir: string): string {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    push(
        "pulumi-nhi quickstart: offline demo",
        `Nothing is deployed: this is examples/quickstart run under Pulumi's mocks (made-up account ${MOCK_ACCOUNT}).`,
        "",
        `The program declares ${all.length} resources: ${supporting.length} workload resources, and ${identities.length} machine identities (${identities.reduce((n, id) => n + id.resources.length, 0)} resources, listed under each identity).`,
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
            `== ${id.name} ${"=".repeat(Math.max(3, WIDTH - id.name.length - 4))}`,
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
        push("", "  Resources it creates");
        const typeWidth = Math.max(...id.resources.map((r) => r.type.length));
        id.resources.forEach((r) => push(`    ${r.type.padEnd(typeWidth)}  ${r.name}`));
        push("", "  Tags on the role");
        const tagWidth = Math.max(...Object.keys(id.tags).map((k) => k.length));
        Object.keys(id.tags).sort(compare).forEach((k) => push(`    ${k.padEnd(tagWidth)}  ${id.tags[k]}`));
    }

    push("", `Rendered policies written to ${shown(outDir)}${path.sep}:`);
    for (const id of identities) {
        id.files.forEach((f) => push(`  ${shown(f)}`));
    }
    return `${lines.join("\n")}\n`;
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
