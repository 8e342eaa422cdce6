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
/** AWS: a user's inline policies may total 2,048 characters (whitespace not counted). */
export const MAX_USER_INLINE_POLICY_CHARS = 2_000;
/** AWS: 10 managed policies per user by default (a quota that can be raised to 20), as for a role. */
export const MAX_USER_MANAGED_POLICIES = 10;

/**
 * The size limits the layout of one principal's policies respects: its inline policies together,
 * each managed policy, and how many managed policies it may have.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("IAM and AWS STS quotas": role policy size 10,240, user policy size 2,048, managed policy size 6,144, managed policies per role or user 10)
 */
export interface PolicyLimits {
    /** The characters of the inline policy, whitespace not counted. */
    readonly inline: number;
    /** The characters of each managed policy, whitespace not counted. */
    readonly managed: number;
    /** How many managed policies the principal may have attached. */
    readonly maxManaged: number;
}

/** The limits of an IAM role, with a margin below AWS's numbers. */
export const ROLE_POLICY_LIMITS: PolicyLimits = {
    inline: MAX_INLINE_POLICY_CHARS,
    managed: MAX_MANAGED_POLICY_CHARS,
    maxManaged: MAX_MANAGED_POLICIES,
};
/** The limits of an IAM user, with a margin below AWS's numbers. */
export const USER_POLICY_LIMITS: PolicyLimits = {
    inline: MAX_USER_INLINE_POLICY_CHARS,
    managed: MAX_MANAGED_POLICY_CHARS,
    maxManaged: MAX_USER_MANAGED_POLICIES,
};

export const POLICY_VERSION = "2012-10-17";

/** An IAM condition block: operator → key → value(s). */
export type Condition = Record<string, Record<string, string | string[]>>;

/**
 * Both conditions on one statement: IAM ANDs the operators, and the keys within one. The two must
 * not name the same key under the same operator (the second would replace the first).
 */
export function bothConditions(a: Condition | undefined, b: Condition | undefined): Condition | undefined {
    if (a === undefined || b === undefined) {
        return a ?? b;
    }
    const merged: Condition = { ...a };
    for (const [operator, keys] of Object.entries(b)) {
        merged[operator] = { ...merged[operator], ...keys };
    }
    return merged;
}

/** One Allow statement before rendering. */
export interface Statement {
    /** The IAM actions allowed (`s3:GetObject`). */
    readonly actions: readonly string[];
    /** The ARNs (or patterns) the actions are allowed on. */
    readonly resources: readonly string[];
    /** The IAM condition block, when the grant has one. */
    readonly condition?: Condition;
}

/** An IAM policy document as JSON data. */
export interface PolicyDocument {
    /** The IAM policy language version: always `2012-10-17`. */
    Version: string;
    /** The statements, in a deterministic order. */
    Statement: RenderedStatement[];
}

/** One statement of an IAM policy document, as IAM reads it. */
export interface RenderedStatement {
    /** Whether the statement allows or denies. */
    Effect: "Allow" | "Deny";
    /** Who the statement applies to: in a trust policy, the principal that may assume the role. */
    Principal?: Record<string, string | string[]>;
    /** The IAM actions. */
    Action: string | string[];
    /** The ARNs the actions apply to; absent in a trust policy. */
    Resource?: string[];
    /** The IAM condition block, when the statement has one. */
    Condition?: Condition;
}

/** The documents of one identity: the inline policy and the managed policies that overflow it. */
export interface PolicyLayout {
    readonly inline: Statement[];
    readonly managed: Statement[][];
}

/** The layout needs more managed policies than the principal (a role, a user) may have. */
export class PolicyTooLargeError extends Error {
    constructor(
        readonly needed: number,
        readonly limit: number,
    ) {
        super(
            `the grants need ${needed} managed policies beside the inline policy, and a principal may have at most ${limit}`,
        );
    }
}

/** A single (action, resource) pair that cannot fit in any document on its own. */
export class StatementTooLargeError extends Error {}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortedUnique(values: readonly string[]): string[] {
    for (let i = 1; i < values.length; i++) {
        if (!(values[i - 1] < values[i])) {
            return [...new Set(values)].sort(compare);
        }
    }
    return values as string[];
}

const conditionKeys = new WeakMap<Condition, string>();

/** The canonical text of a condition, computed once per condition object. */
function conditionKey(condition: Condition | undefined): string {
    if (condition === undefined) {
        return "";
    }
    let key = conditionKeys.get(condition);
    if (key === undefined) {
        key = canonicalJson(condition);
        conditionKeys.set(condition, key);
    }
    return key;
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
        const byResources = groupUnion(
            current,
            (s) => `${conditionKey(s.condition)}\u0000${s.resources.join("\u0001")}`,
            "actions",
        );
        const byActions = groupUnion(
            byResources,
            (s) => `${conditionKey(s.condition)}\u0000${s.actions.join("\u0001")}`,
            "resources",
        );
        if (byActions.length === current.length) {
            return sortStatements(byActions);
        }
        current = byActions;
    }
}

function normalise(s: Statement): Statement {
    return {
        actions: sortedUnique(s.actions),
        resources: sortedUnique(s.resources),
        ...(s.condition ? { condition: s.condition } : {}),
    };
}

function groupUnion(
    statements: readonly Statement[],
    key: (s: Statement) => string,
    field: "actions" | "resources",
): Statement[] {
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
    if (statements.length < 2) {
        return [...statements];
    }
    return statements
        .map((s) => ({ s, key: statementKey(s) }))
        .sort((a, b) => compare(a.key, b.key))
        .map((k) => k.s);
}

/** The JSON document for `statements`, each an Allow. */
export function renderDocument(statements: readonly Statement[]): PolicyDocument {
    return { Version: POLICY_VERSION, Statement: sortStatements(statements).map((st) => renderStatement(st, false)) };
}

const sortedConditions = new WeakMap<Condition, Condition>();

/**
 * One Allow statement as JSON data with the condition's keys sorted. With `shared`, the sorted
 * condition is computed once per condition object and shared: for measuring, never for handing out.
 */
function renderStatement(s: Statement, shared: boolean): RenderedStatement {
    const out: RenderedStatement = { Effect: "Allow", Action: [...s.actions], Resource: [...s.resources] };
    if (s.condition !== undefined) {
        let condition = shared ? sortedConditions.get(s.condition) : undefined;
        if (condition === undefined) {
            condition = sortKeys(s.condition) as Condition;
            if (shared) {
                sortedConditions.set(s.condition, condition);
            }
        }
        out.Condition = condition;
    }
    return out;
}

/** The size AWS counts for `statements` as one document: its JSON without whitespace. */
export function documentSize(statements: readonly Statement[]): number {
    return JSON.stringify(renderDocument(statements)).length;
}

/** The size of a document with no statement: `{"Version":"2012-10-17","Statement":[]}`. */
const EMPTY_DOCUMENT_CHARS = documentSize([]);

/** The characters one statement adds to a document. */
function statementSize(s: Statement): number {
    return JSON.stringify(renderStatement(s, true)).length;
}

interface Bin {
    readonly cap: number;
    used: number;
    readonly statements: Statement[];
}

/** Room left in `bin` for one more statement (and the comma before it). */
function room(bin: Bin): number {
    return bin.cap - bin.used - (bin.statements.length > 0 ? 1 : 0);
}

function place(bin: Bin, s: Statement, size: number): void {
    bin.used += size + (bin.statements.length > 0 ? 1 : 0);
    bin.statements.push(s);
}

/**
 * Merges `statements` and lays them out first-fit, largest first, into the inline policy, then into
 * as many managed policies as needed. A statement that fits no free space whole, nor an empty
 * managed policy, is cut: a head that fills the roomiest document, and the rest laid out in turn.
 * Cuts run along the longer list (actions or resources, in characters), so a piece repeats the
 * shorter one. Throws {@link PolicyTooLargeError} when more than `limits.maxManaged` managed
 * policies would be needed, {@link StatementTooLargeError} for a single pair too large for any.
 */
export function layoutPolicies(
    statements: readonly Statement[],
    limits: PolicyLimits = ROLE_POLICY_LIMITS,
): PolicyLayout {
    const overhead = EMPTY_DOCUMENT_CHARS;
    const pieces = mergeStatements(statements)
        .map((s) => ({ s, size: statementSize(s), key: statementKey(s) }))
        .sort((a, b) => b.size - a.size || compare(a.key, b.key));
    const bins: Bin[] = [{ cap: limits.inline, used: overhead, statements: [] }];
    const newBin = (): Bin => {
        const bin = { cap: limits.managed, used: overhead, statements: [] };
        bins.push(bin);
        return bin;
    };
    for (const piece of pieces) {
        const pending: Statement[] = [piece.s];
        let known: number | undefined = piece.size;
        while (pending.length > 0) {
            const s = pending.shift()!;
            const size = known ?? statementSize(s);
            known = undefined;
            const fit = bins.find((b) => room(b) >= size);
            if (fit !== undefined) {
                place(fit, s, size);
                continue;
            }
            if (size <= limits.managed - overhead) {
                place(newBin(), s, size);
                continue;
            }
            const roomiest = bins.reduce((a, b) => (room(b) > room(a) ? b : a));
            let target = roomiest;
            let cut = cutHead(s, room(target));
            if (cut === undefined) {
                target = newBin();
                cut = cutHead(s, room(target));
            }
            if (cut === undefined) {
                throw new StatementTooLargeError(
                    `the statement for \`${s.actions[0]}\` on \`${s.resources[0]}\` is ${size + overhead} characters, more than a policy document may hold (${limits.managed})`,
                );
            }
            place(target, cut.head, statementSize(cut.head));
            pending.unshift(...cut.tails);
        }
    }
    const managed = bins.slice(1).map((b) => sortStatements(b.statements));
    if (managed.length > limits.maxManaged) {
        throw new PolicyTooLargeError(managed.length, limits.maxManaged);
    }
    return { inline: sortStatements(bins[0].statements), managed };
}

/**
 * The largest head of `s` that fits in `space` characters, and the statements holding the rest:
 * cut along the longer list first; when even one item of it with the whole other list is too
 * large, that one item is cut along the other list. Undefined when a single pair does not fit.
 */
export function cutHead(s: Statement, space: number): { head: Statement; tails: Statement[] } | undefined {
    const chars = (list: readonly string[]) => list.reduce((n, v) => n + v.length + 3, 0);
    const dims: ("actions" | "resources")[] =
        chars(s.actions) >= chars(s.resources) ? ["actions", "resources"] : ["resources", "actions"];
    for (const dim of dims) {
        const list = s[dim];
        let lo = 0;
        let hi = list.length - 1;
        while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            if (statementSize({ ...s, [dim]: list.slice(0, mid) }) <= space) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if (lo > 0) {
            return { head: { ...s, [dim]: list.slice(0, lo) }, tails: [{ ...s, [dim]: list.slice(lo) }] };
        }
    }
    const dim = s.actions.length > 1 ? "actions" : s.resources.length > 1 ? "resources" : undefined;
    if (dim === undefined) {
        return undefined;
    }
    const inner = cutHead({ ...s, [dim]: s[dim].slice(0, 1) }, space);
    return inner === undefined
        ? undefined
        : { head: inner.head, tails: [...inner.tails, { ...s, [dim]: s[dim].slice(1) }] };
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
