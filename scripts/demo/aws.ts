/**
 * The demo's AWS identities: what `npm run demo` reads back from an AwsServiceIdentity (its
 * role, tags and rendered policies), writes to its folder and prints.
 */
import { Registered, valueOf } from "../../components/testing";
import { AWS_SERVICE_IDENTITY_TYPE, AwsServiceIdentity } from "../../components/aws/service-identity";
import { PolicyDocument, RenderedStatement } from "../../components/aws/policy";
import { ESCALATION_TAG_PREFIX } from "../../components/aws/tags";
import { DEPROVISION_SUFFIX, QUARANTINE_POLICY_NAME } from "../../components/aws/deprovision";
import { UsageSettingsReport, usageLines, usageSettingsOf } from "./usage";
import {
    asList,
    compare,
    escapeRegExp,
    heading,
    identityFolder,
    pushAuditTrail,
    pushEscalations,
    pushResources,
    wrap,
} from "./common";

/** The actions allowed on one resource (under one condition), sorted. */
export interface Permission {
    readonly resource: string;
    readonly actions: string[];
    /** The statement's conditions, one readable line: `aws:CurrentTime < 2028-06-30T00:00:00Z`. */
    readonly condition?: string;
}

/** A secret as {@link formatIdentity} needs it: its name, ARN and who may read it. */
export interface ReadableSecret {
    readonly name: string;
    readonly secretArn: string;
    readonly readers: readonly { arn: string }[];
}

/** One machine identity as the demo reports it. */
export interface IdentityReport {
    /** The component's name, e.g. `invoice-worker`. */
    readonly name: string;
    readonly roleName: string;
    readonly roleArn: string;
    readonly owner: string;
    readonly purpose: string;
    readonly expiresAt?: string;
    /** The schedule expression of its quarantine at expiry (`at(…)`), if it has one. */
    readonly quarantineAt?: string;
    /** What the usage monitor does about it: its unused alarm, expiry notice and quarantine, read from its tags and schedule. */
    readonly usage: UsageSettingsReport;
    /** Every tag on the role. */
    readonly tags: Record<string, string>;
    /** The privilege escalations its grants acknowledge, read from its `nhi:escalation:*` tags. */
    readonly escalations: { method: string; reason: string }[];
    readonly trustPolicy: PolicyDocument;
    /** The identity policies: the inline policy first, then any managed policy. */
    readonly identityPolicies: PolicyDocument[];
    /** Effective permissions: per resource (and condition), the sorted actions allowed on it. */
    readonly permissions: Permission[];
    /** The component and its children, in declaration order. */
    readonly resources: { type: string; name: string }[];
    /** Its `auditQuery`: the CloudWatch Logs Insights query of what the role did, over CloudTrail. */
    readonly auditQuery: string;
    /** The files written for this identity, absolute paths. */
    readonly files: string[];
}

export async function reportIdentity(
    identity: AwsServiceIdentity,
    all: readonly Registered[],
    outDir: string,
): Promise<IdentityReport> {
    const name = await valueOf(identity.urn.apply((urn) => urn.split("::").pop()!));
    const [roleName, roleArn, trustJson, policyJson, expiresAt, auditQuery] = await Promise.all([
        valueOf(identity.roleName),
        valueOf(identity.roleArn),
        valueOf(identity.trustPolicy),
        valueOf(identity.policyDocuments),
        valueOf(identity.expiresAt),
        valueOf(identity.auditQuery),
    ]);
    const resources = childrenOf(name, all);
    const role = all.find((r) => r.type === "aws:iam/role:Role" && r.name === `${name}-role`);
    const quarantine = all.find(
        (r) => r.type === "aws:scheduler/schedule:Schedule" && r.name === `${name}${DEPROVISION_SUFFIX}`,
    );
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
        quarantineAt: quarantine?.inputs.scheduleExpression,
        usage: usageSettingsOf(name, tags, all),
        tags,
        escalations: Object.keys(tags)
            .filter((k) => k.startsWith(ESCALATION_TAG_PREFIX))
            .sort(compare)
            .map((k) => ({ method: k.slice(ESCALATION_TAG_PREFIX.length), reason: tags[k] })),
        trustPolicy,
        identityPolicies,
        permissions: effectivePermissions(identityPolicies),
        resources,
        auditQuery,
        files,
    };
}

/**
 * The component `name` and its children, by the names the component documents: `${name}-role`,
 * `${name}-policy` and, for overflow documents, `${name}-policy-2`, `-3`, …; its quarantine at
 * expiry: the schedule and the identity `${name}-expiry`, with its role and policy.
 */
function childrenOf(name: string, all: readonly Registered[]): { type: string; name: string }[] {
    const child = new RegExp(`^${escapeRegExp(name)}(${DEPROVISION_SUFFIX})?-(role|policy(-\\d+)?)$`);
    const expiry = `${name}${DEPROVISION_SUFFIX}`;
    return all
        .filter(
            (r) =>
                (r.type === AWS_SERVICE_IDENTITY_TYPE && (r.name === name || r.name === expiry)) ||
                (r.type === "aws:scheduler/schedule:Schedule" && r.name === expiry) ||
                (r.type.startsWith("aws:iam/") && child.test(r.name)),
        )
        .map((r) => ({ type: r.type, name: r.name }))
        .sort((a, b) => rank(a, name) - rank(b, name) || compare(a.name, b.name) || compare(a.type, b.type));
}

function rank(r: { type: string; name: string }, name: string): number {
    if (r.name.startsWith(`${name}${DEPROVISION_SUFFIX}`)) {
        return r.type === AWS_SERVICE_IDENTITY_TYPE ? 3 : 4;
    }
    return r.type === AWS_SERVICE_IDENTITY_TYPE ? 0 : r.name === `${name}-role` ? 1 : 2;
}

/** Every Allow (action, resource) pair of `documents`, grouped per resource and condition. */
export function effectivePermissions(documents: readonly PolicyDocument[]): Permission[] {
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
        .map((g) => ({
            resource: g.resource,
            actions: [...g.actions].sort(compare),
            ...(g.condition === undefined ? {} : { condition: g.condition }),
        }))
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
            const who =
                host === "token.actions.githubusercontent.com"
                    ? "GitHub Actions jobs"
                    : host.startsWith("oidc.eks.")
                      ? "an EKS service account"
                      : `tokens issued by ${host}`;
            out.push(`${who} (${actions})`, `  through the OIDC provider ${provider}`);
        }
        for (const aws of asList(principal.AWS)) {
            out.push(`the AWS principal ${aws} (${actions})`);
        }
        // The expiry last: the claims that say who come first.
        const conditions = conditionLines(s).sort(
            (a, b) => Number(a.startsWith("aws:CurrentTime")) - Number(b.startsWith("aws:CurrentTime")),
        );
        if (conditions.length > 0) {
            out.push(`  only when ${conditions[0]}`);
            conditions.slice(1).forEach((c) => out.push(`        and ${c}`));
        }
    }
    return out;
}

/** `3 action × resource pairs on 2 resources`. */
export function countPermissions(permissions: readonly Permission[]): string {
    const pairs = permissions.reduce((n, p) => n + p.actions.length, 0);
    return `${pairs} action × resource pair${pairs === 1 ? "" : "s"} on ${permissions.length} resource${permissions.length === 1 ? "" : "s"}`;
}

/**
 * Effective permissions, one block per resource (its actions wrapped below it), each line starting
 * with `indent`; a condition shared by every permission is said once, at the end.
 */
export function permissionLines(permissions: readonly Permission[], indent: string): string[] {
    const lines: string[] = [];
    const conditions = [...new Set(permissions.map((p) => p.condition ?? ""))];
    for (const p of permissions) {
        lines.push(`${indent}${p.resource}`, ...wrap(p.actions, `${indent}  `));
        if (conditions.length > 1 && p.condition !== undefined) {
            lines.push(`${indent}  only when ${p.condition}`);
        }
    }
    if (permissions.length === 0) {
        lines.push(`${indent}nothing (no grants)`);
    } else if (conditions.length === 1 && conditions[0] !== "") {
        lines.push(`${indent}every permission only when ${conditions[0]}`);
    }
    return lines;
}

/**
 * An AWS identity's section of the report, from the blank line before its heading. `secrets` are
 * the secrets whose resource policies let the identity read them: they are not in its own policies.
 */
export function formatIdentity(id: IdentityReport, secrets: readonly ReadableSecret[] = []): string[] {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    push(
        "",
        heading(`${id.name} (AWS)`),
        `  Role        ${id.roleName}`,
        `              ${id.roleArn}`,
        `  Owner       ${id.owner}`,
        `  Purpose     ${id.purpose}`,
        `  Expires     ${id.expiresAt === undefined ? "never (no expiresAt)" : `${id.expiresAt}  (AWS refuses the role from then on: DateLessThan aws:CurrentTime)`}`,
        ...(id.quarantineAt === undefined
            ? []
            : [
                  `  Quarantine  ${id.quarantineAt} UTC  (EventBridge Scheduler puts the deny-all inline policy ${QUARANTINE_POLICY_NAME} on the role)`,
              ]),
        ...usageLines(id.usage, "  "),
        "",
        "  Who may assume it",
        ...describeTrustPolicy(id.trustPolicy).map((l) => `    ${l}`),
        "",
        `  What it may do: ${countPermissions(id.permissions)}`,
        ...permissionLines(id.permissions, "    "),
    );
    const readable = secrets.filter((c) => c.readers.some((r) => r.arn === id.roleArn));
    if (readable.length > 0) {
        push("", "  Secrets it may read, through their resource policies (see Credentials)");
        const width = Math.max(...readable.map((c) => c.name.length));
        readable.forEach((c) => push(`    ${c.name.padEnd(width)}  ${c.secretArn}`));
    }
    pushEscalations(push, id.escalations, "its `nhi:escalation:<method>` tags");
    pushResources(push, id.resources);
    pushAuditTrail(push, "aws", id.auditQuery);
    push("", "  Tags on the role");
    const tagWidth = Math.max(...Object.keys(id.tags).map((k) => k.length));
    Object.keys(id.tags)
        .sort(compare)
        .forEach((k) => push(`    ${k.padEnd(tagWidth)}  ${id.tags[k]}`));
    return lines;
}
