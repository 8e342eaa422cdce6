/**
 * Pure rendering of IAM policy documents: deterministic order, exact merging, and splitting into
 * documents that respect AWS's size limits. No Pulumi here: plain data in, plain data out.
 */

/** AWS: a role's inline policies may total 10,240 characters (whitespace not counted). */
export const MAX_INLINE_POLICY_CHARS = 10_000;
/** AWS: a managed policy may hold 6,144 characters (whitespace not counted). */
export const MAX_MANAGED_POLICY_CHARS = 6_000;
/** AWS: 10 managed policies per role by default (a quota that can be raised to 20). */
export const MAX_MANAGED_POLICIES = 10;

export const POLICY_VERSION = "2012-10-17";

/** An IAM condition block: operator → key → value(s). */
export type Condition = Record<string, Record<string, string | string[]>>;

/** One Allow statement before rendering. */
export interface Statement {
    readonly actions: readonly string[];
    readonly resources: readonly string[];
    readonly condition?: Condition;
}

/** An IAM policy document as JSON data. */
export interface PolicyDocument {
    Version: string;
    Statement: RenderedStatement[];
}

export interface RenderedStatement {
    Effect: "Allow" | "Deny";
    Principal?: Record<string, string | string[]>;
    Action: string | string[];
    Resource?: string[];
    Condition?: Condition;
}

/** The documents of one identity: the inline policy and the managed policies that overflow it. */
export interface PolicyLayout {
    readonly inline: Statement[];
    readonly managed: Statement[][];
}

/** The layout needs more managed policies than a role may have. */
export class PolicyTooLargeError extends Error {
    constructor(readonly needed: number, readonly limit: number) {
        super(`the grants need ${needed} managed policies beside the inline policy, and a role may have at most ${limit}`);
    }
}

/** A single (action, resource) pair that cannot fit in any document on its own. */
export class StatementTooLargeError extends Error {}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortedUnique(values: Iterable<string>): string[] {
    return [...new Set(values)].sort(compare);
}

function conditionKey(condition: Condition | undefined): string {
    return condition === undefined ? "" : canonicalJson(condition);
}

/** JSON with object keys sorted at every level: equal data, equal text. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort(compare)) {
            out[key] = sortKeys((value as Record<string, unknown>)[key]);
        }
        return out;
    }
    return value;
}

/**
 * Merges statements where that is exact, until nothing more merges:
 * - same resources and condition → one statement with the union of the actions;
 * - same actions and condition → one statement with the union of the resources.
 * Both rules keep the set of (action, resource, condition) pairs unchanged. The result is sorted.
 */
export function mergeStatements(statements: readonly Statement[]): Statement[] {
    let current = statements.map(normalise);
    for (;;) {
        const byResources = groupUnion(current, (s) => `${conditionKey(s.condition)}\u0000${s.resources.join("\u0001")}`, "actions");
        const byActions = groupUnion(byResources, (s) => `${conditionKey(s.condition)}\u0000${s.actions.join("\u0001")}`, "resources");
        if (byActions.length === current.length) {
            return sortStatements(byActions);
        }
        current = byActions;
    }
}

function normalise(s: Statement): Statement {
    return { actions: sortedUnique(s.actions), resources: sortedUnique(s.resources), ...(s.condition ? { condition: s.condition } : {}) };
}

function groupUnion(statements: readonly Statement[], key: (s: Statement) => string, field: "actions" | "resources"): Statement[] {
    const groups = new Map<string, Statement>();
    for (const s of statements) {
        const k = key(s);
        const seen = groups.get(k);
        groups.set(k, seen === undefined ? s : { ...seen, [field]: sortedUnique([...seen[field], ...s[field]]) });
    }
    return [...groups.values()];
}

function statementKey(s: Statement): string {
    return `${s.actions.join(",")}\u0000${s.resources.join(",")}\u0000${conditionKey(s.condition)}`;
}

/** Statements in a deterministic order. */
export function sortStatements(statements: readonly Statement[]): Statement[] {
    return [...statements].sort((a, b) => compare(statementKey(a), statementKey(b)));
}

/** The JSON document for `statements`, each an Allow. */
export function renderDocument(statements: readonly Statement[]): PolicyDocument {
    return {
        Version: POLICY_VERSION,
        Statement: sortStatements(statements).map((s) => ({
            Effect: "Allow",
            Action: [...s.actions],
            Resource: [...s.resources],
            ...(s.condition ? { Condition: sortKeys(s.condition) as Condition } : {}),
        })),
    };
}

/** The size AWS counts for `statements` as one document: its JSON without whitespace. */
export function documentSize(statements: readonly Statement[]): number {
    return JSON.stringify(renderDocument(statements)).length;
}

/**
 * Merges `statements` and lays them out first-fit (largest first) into the inline policy, then into
 * as many managed policies as needed. A statement too large for a managed policy on its own is cut
 * into pieces by actions, then by resources. Throws {@link PolicyTooLargeError} when more than
 * `limits.maxManaged` managed policies would be needed.
 */
export function layoutPolicies(statements: readonly Statement[], limits = { inline: MAX_INLINE_POLICY_CHARS, managed: MAX_MANAGED_POLICY_CHARS, maxManaged: MAX_MANAGED_POLICIES }): PolicyLayout {
    const pieces = mergeStatements(statements)
        .flatMap((s) => cutToFit(s, limits.managed))
        .map((s) => ({ s, size: documentSize([s]) }))
        .sort((a, b) => b.size - a.size || compare(statementKey(a.s), statementKey(b.s)));
    const overhead = documentSize([]);
    const bins: { cap: number; used: number; statements: Statement[] }[] = [{ cap: limits.inline, used: overhead, statements: [] }];
    for (const { s, size } of pieces) {
        const extra = size - overhead + (1 /* comma */);
        let bin = bins.find((b) => b.used + extra <= b.cap);
        if (bin === undefined) {
            bin = { cap: limits.managed, used: overhead, statements: [] };
            bins.push(bin);
        }
        bin.statements.push(s);
        bin.used += extra;
    }
    const managed = bins.slice(1).map((b) => sortStatements(b.statements));
    if (managed.length > limits.maxManaged) {
        throw new PolicyTooLargeError(managed.length, limits.maxManaged);
    }
    return { inline: sortStatements(bins[0].statements), managed };
}

/** `s` cut into statements that each fit a document of `cap` characters on their own. */
export function cutToFit(s: Statement, cap: number): Statement[] {
    if (documentSize([s]) <= cap) {
        return [s];
    }
    if (s.actions.length > 1) {
        const half = Math.ceil(s.actions.length / 2);
        return [...cutToFit({ ...s, actions: s.actions.slice(0, half) }, cap), ...cutToFit({ ...s, actions: s.actions.slice(half) }, cap)];
    }
    if (s.resources.length > 1) {
        const half = Math.ceil(s.resources.length / 2);
        return [...cutToFit({ ...s, resources: s.resources.slice(0, half) }, cap), ...cutToFit({ ...s, resources: s.resources.slice(half) }, cap)];
    }
    throw new StatementTooLargeError(`the statement for \`${s.actions[0]}\` on \`${s.resources[0]}\` is ${documentSize([s])} characters, more than a policy document may hold (${cap})`);
}

/** Every (action, resource, condition) triple `statements` grant, as sorted text: for tests and reports. */
export function grantedTriples(statements: readonly Statement[]): string[] {
    const out = new Set<string>();
    for (const s of statements) {
        for (const a of s.actions) {
            for (const r of s.resources) {
                out.add(`${a} ${r} ${conditionKey(s.condition)}`);
            }
        }
    }
    return [...out].sort(compare);
}
