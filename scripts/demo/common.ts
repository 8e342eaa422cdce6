/**
 * What the demo's AWS and Google Cloud reports share: the output folder of an identity, the
 * ordering of names and the layout of the printed report.
 */
import * as fs from "fs";
import * as path from "path";

/** The width the action lists are wrapped to. */
const WIDTH = 100;

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `s` with every regular-expression metacharacter escaped, to match it literally in a `RegExp`. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A policy field that is one string or a list, as a list. */
export const asList = (v: string | string[] | undefined): string[] =>
    v === undefined ? [] : Array.isArray(v) ? v : [v];

/**
 * An identity's output folder, emptied first so that no file of an earlier run survives, and a
 * writer of pretty-printed JSON into it that remembers what it wrote.
 */
export function identityFolder(
    outDir: string,
    name: string,
): { files: string[]; write: (file: string, data: unknown) => void } {
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

/** `items` joined with `, ` and wrapped to `width`, each line starting with `indent`. */
export function wrap(items: readonly string[], indent: string, width = WIDTH): string[] {
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

/** `== title =====…`, WIDTH wide. */
export function heading(title: string): string {
    return `== ${title} ${"=".repeat(Math.max(3, WIDTH - title.length - 4))}`;
}

/**
 * The privilege escalations an identity's grants acknowledge, with the reasons recorded on it
 * (`where`); nothing when there is none.
 */
export function pushEscalations(
    push: (...more: string[]) => void,
    escalations: readonly { method: string; reason: string }[],
    where: string,
): void {
    if (escalations.length === 0) {
        return;
    }
    push("", `  Privilege escalations it may perform, acknowledged (reasons recorded in ${where})`);
    escalations.forEach((e) => push(`    ${e.method}`, `      ${e.reason}`));
}

export function pushResources(
    push: (...more: string[]) => void,
    resources: readonly { type: string; name: string }[],
): void {
    push("", "  Resources it creates");
    const typeWidth = Math.max(...resources.map((r) => r.type.length));
    resources.forEach((r) => push(`    ${r.type.padEnd(typeWidth)}  ${r.name}`));
}

/** What each cloud's audit query is and how to run it, for the heading above it. */
const AUDIT_TRAIL = {
    aws: "auditQuery: CloudWatch Logs Insights, over the trail's log group; `aws logs start-query`",
    gcp: "auditLogFilter: Cloud Logging, over the audit logs; `gcloud logging read '<filter>'`",
} as const;

/**
 * An identity's ready-made audit query (README "Audit trail: what did an identity do?"): a
 * heading saying which property, language and command, then the query, one line each.
 */
export function pushAuditTrail(
    push: (...more: string[]) => void,
    cloud: keyof typeof AUDIT_TRAIL,
    query: string,
): void {
    push("", `  What it did: ${AUDIT_TRAIL[cloud]}`, ...query.split("\n").map((l) => `    ${l}`));
}
