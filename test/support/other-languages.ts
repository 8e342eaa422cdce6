import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { closestNames } from "../../components/core/suggest";
import { didYouMean, oneOf } from "../../components/core/errors";

/*
 * The YAML and Python examples (examples/yaml, examples/python), read without the Pulumi CLI:
 * - each program is read into one form (`Program`): its resources, their type tokens as written,
 *   their properties as written, and every value as a literal, a list, an object, a reference to
 *   a resource or one of its outputs, a config value, or a concatenation;
 * - `checkProgram` checks each `nhi` resource against the package schema (provider/schema.json):
 *   the type exists, every property exists (in Python under its snake_case name), the required
 *   inputs are there, enum values are allowed, each value is of the kind the schema says, and
 *   returns the arguments under the schema's (the TypeScript API's) names;
 * - `declareProgram` declares the checked program in TypeScript (under the test's mocks), each
 *   `nhi:<cloud>:<Class>` as the component `<cloud>.<Class>`, each `aws:`/`gcp:` resource as the
 *   class of @pulumi/aws or @pulumi/gcp, so that a test compares what it creates with the quickstart.
 */

/** A value in a program, whatever its language. */
export type Value =
    | { readonly kind: "literal"; readonly value: string | number | boolean | null }
    | { readonly kind: "list"; readonly items: readonly Value[] }
    | { readonly kind: "object"; readonly entries: readonly (readonly [string, Value])[] }
    /** A resource (`${reports-deprovisioner}`, `reports_deprovisioner`) or one of its outputs (`${invoices.arn}`, `invoices.arn`). */
    | { readonly kind: "resource"; readonly resource: string; readonly output?: string }
    /** `${paymentsFunctionArn}` (YAML `config:`), `config.get("paymentsFunctionArn") or "…"` (Python). */
    | { readonly kind: "config"; readonly key: string; readonly fallback?: string }
    /** `${invoices.arn}/incoming/*`, `pulumi.Output.concat(invoices.arn, "/incoming/*")`. */
    | { readonly kind: "concat"; readonly parts: readonly Value[] };

/** One resource a program declares. */
export interface Declared {
    /** The logical name: the YAML key, the first argument of the Python constructor. */
    readonly name: string;
    /** The type token as written: `nhi:aws:ServiceIdentity`, `aws:s3:Bucket` (YAML); built from the module path in Python. */
    readonly type: string;
    /** The properties, named as the program names them (camelCase in YAML, snake_case in Python). */
    readonly properties: readonly (readonly [string, Value])[];
}

/** A program read from its file. */
export interface Program {
    readonly language: "yaml" | "python";
    readonly resources: readonly Declared[];
    /** Outputs the program exports, by name. */
    readonly outputs: readonly (readonly [string, Value])[];
}

export const ROOT = path.join(__dirname, "..", "..");
export const SCHEMA_PATH = path.join(ROOT, "provider", "schema.json");

// ---------------------------------------------------------------------------------------------
// Reading YAML

const INTERPOLATION = /\$\{([^}]*)\}/g;

/**
 * A Pulumi YAML program (a `Pulumi.yaml` with `runtime: yaml`) as a {@link Program}. Interpolations
 * follow the Pulumi YAML reference: `${resource}`, `${resource.output}`, `${configKey}`, inside or as
 * the whole of a string; `$${` is a literal `${`.
 * @see https://www.pulumi.com/docs/iac/languages-sdks/yaml/yaml-language-reference/
 */
export function readYamlProgram(text: string): Program {
    const doc = yaml.load(text) as Record<string, any>;
    const config = new Map<string, string | undefined>(
        Object.entries(doc.config ?? {}).map(([k, v]: [string, any]) => [
            k,
            v?.default === undefined ? undefined : String(v.default),
        ]),
    );
    const names = new Set(Object.keys(doc.resources ?? {}));
    const value = (v: unknown, where: string): Value => {
        if (typeof v === "string") {
            return yamlString(v, config, names, where);
        }
        if (Array.isArray(v)) {
            return { kind: "list", items: v.map((item, i) => value(item, `${where}[${i}]`)) };
        }
        if (v !== null && typeof v === "object") {
            if (v instanceof Date) {
                throw new Error(`${where}: YAML read an unquoted timestamp as a date; quote it ("${v.toISOString()}")`);
            }
            return {
                kind: "object",
                entries: Object.entries(v).map(([k, item]) => [k, value(item, `${where}.${k}`)] as const),
            };
        }
        return { kind: "literal", value: v as number | boolean | null };
    };
    const resources = Object.entries(doc.resources ?? {}).map(([name, r]: [string, any]): Declared => ({
        name,
        type: r.type,
        properties: Object.entries(r.properties ?? {}).map(
            ([k, v]) => [k, value(v, `resources.${name}.properties.${k}`)] as const,
        ),
    }));
    const outputs = Object.entries(doc.outputs ?? {}).map(([k, v]) => [k, value(v, `outputs.${k}`)] as const);
    return { language: "yaml", resources, outputs };
}

function yamlString(
    text: string,
    config: ReadonlyMap<string, string | undefined>,
    resources: ReadonlySet<string>,
    where: string,
): Value {
    const parts: Value[] = [];
    let last = 0;
    for (const match of text.matchAll(INTERPOLATION)) {
        if (match.index! > 0 && text[match.index! - 1] === "$") {
            continue;
        }
        if (match.index! > last) {
            parts.push({ kind: "literal", value: text.slice(last, match.index) });
        }
        const [head, ...rest] = match[1].split(".");
        if (resources.has(head)) {
            if (rest.length > 1) {
                throw new Error(
                    `${where}: \`${match[0]}\` reads a nested output; the examples read top-level outputs only`,
                );
            }
            parts.push(
                rest.length === 0
                    ? { kind: "resource", resource: head }
                    : { kind: "resource", resource: head, output: rest[0] },
            );
        } else if (config.has(head) && rest.length === 0) {
            parts.push({ kind: "config", key: head, fallback: config.get(head) });
        } else {
            throw new Error(`${where}: \`${match[0]}\` names neither a resource nor a config key of the program`);
        }
        last = match.index! + match[0].length;
    }
    if (last < text.length) {
        parts.push({ kind: "literal", value: text.slice(last).replace(/\$\$\{/g, "${") });
    }
    return parts.length === 1
        ? parts[0]
        : parts.length === 0
          ? { kind: "literal", value: "" }
          : { kind: "concat", parts };
}

// ---------------------------------------------------------------------------------------------
// Reading Python

/** What test/support/python-program.py prints for an expression. */
type PyExpr =
    | { k: "const"; v: string | number | boolean | null; line: number }
    | { k: "list"; items: PyExpr[]; line: number }
    | { k: "dict"; entries: [string, PyExpr][]; line: number }
    | { k: "name"; id: string; line: number }
    | { k: "attr"; value: PyExpr; attr: string; line: number }
    | { k: "call"; func: PyExpr; args: PyExpr[]; kwargs: [string, PyExpr][]; line: number }
    | { k: "or"; values: PyExpr[]; line: number }
    | { k: "unsupported"; what: string; line: number };
type PyStatement =
    | { s: "import"; module: string; as: string; line: number }
    | { s: "assign"; target: string; value: PyExpr; line: number }
    | { s: "expr"; value: PyExpr; line: number }
    | { s: "unsupported"; what: string; line: number };

/** The Python SDK of each package the examples import, by its import name. */
const PYTHON_PACKAGES: Readonly<Record<string, string>> = { pulumi_nhi: "nhi", pulumi_aws: "aws", pulumi_gcp: "gcp" };

/**
 * A Pulumi Python program as a {@link Program}, parsed by python3's `ast` (never run): module-level
 * imports, `x = <package>.<module>.<Class>("name", key=value, ...)`, `pulumi.Config()` and
 * `config.get("key") or "fallback"`, `pulumi.Output.concat(...)`, `pulumi.export(...)`. Anything
 * else is refused with its line, so the example cannot drift into code the test does not read.
 */
export function readPythonProgram(source: string): Program {
    const run = spawnSync("python3", [path.join(__dirname, "python-program.py")], { input: source, encoding: "utf8" });
    if (run.status !== 0) {
        throw new Error(`python3 could not parse the program: ${run.stderr}`);
    }
    const statements = JSON.parse(run.stdout) as PyStatement[];
    const modules = new Map<string, string>();
    const bound = new Map<
        string,
        { kind: "resource"; name: string } | { kind: "config" } | { kind: "value"; value: Value }
    >();
    const resources: Declared[] = [];
    const outputs: (readonly [string, Value])[] = [];
    const fail = (line: number, what: string): never => {
        throw new Error(`__main__.py:${line}: ${what}`);
    };
    const dotted = (e: PyExpr): string | undefined =>
        e.k === "name"
            ? e.id
            : e.k === "attr"
              ? ((d) => (d === undefined ? undefined : `${d}.${e.attr}`))(dotted(e.value))
              : undefined;
    const value = (e: PyExpr): Value => {
        switch (e.k) {
            case "const":
                return { kind: "literal", value: e.v };
            case "list":
                return { kind: "list", items: e.items.map(value) };
            case "dict":
                return { kind: "object", entries: e.entries.map(([k, v]) => [k, value(v)] as const) };
            case "name": {
                const b = bound.get(e.id) ?? fail(e.line, `\`${e.id}\` is not assigned before this line`);
                return b.kind === "resource"
                    ? { kind: "resource", resource: b.name }
                    : b.kind === "value"
                      ? b.value
                      : fail(e.line, `\`${e.id}\` is the Config object, not a value`);
            }
            case "attr": {
                const owner = e.value.k === "name" ? bound.get(e.value.id) : undefined;
                if (owner?.kind !== "resource") {
                    return fail(e.line, `\`${dotted(e) ?? e.attr}\` is not an output of a resource declared above`);
                }
                return { kind: "resource", resource: owner.name, output: e.attr };
            }
            case "or": {
                const [first, second] = e.values;
                const key =
                    first.k === "call" &&
                    first.func.k === "attr" &&
                    first.func.attr === "get" &&
                    first.func.value.k === "name" &&
                    bound.get(first.func.value.id)?.kind === "config" &&
                    first.args[0]?.k === "const"
                        ? String(first.args[0].v)
                        : undefined;
                if (
                    e.values.length !== 2 ||
                    key === undefined ||
                    second.k !== "const" ||
                    typeof second.v !== "string"
                ) {
                    return fail(e.line, 'the only `or` the examples use is `config.get("key") or "fallback"`');
                }
                return { kind: "config", key, fallback: second.v };
            }
            case "call": {
                if (dotted(e.func) === "pulumi.Output.concat" && e.kwargs.length === 0) {
                    return { kind: "concat", parts: e.args.map(value) };
                }
                return fail(e.line, `\`${dotted(e.func) ?? "a call"}(…)\` is not a value the examples use`);
            }
            default:
                return fail(e.line, `${e.what} is not a value the examples use`);
        }
    };
    for (const st of statements) {
        if (st.s === "import") {
            modules.set(st.as, st.module);
            continue;
        }
        if (st.s === "unsupported") {
            return fail(st.line, `${st.what} is not a statement the examples use`);
        }
        const e = st.value;
        const callee = e.k === "call" ? dotted(e.func) : undefined;
        if (st.s === "expr") {
            if (callee === "pulumi.export" && e.k === "call" && e.args.length === 2 && e.args[0].k === "const") {
                outputs.push([String(e.args[0].v), value(e.args[1])]);
                continue;
            }
            return fail(st.line, "the only bare expression the examples use is `pulumi.export(name, value)`");
        }
        if (callee === "pulumi.Config" && e.k === "call" && e.args.length === 0) {
            bound.set(st.target, { kind: "config" });
            continue;
        }
        const [alias, ...member] = (callee ?? "").split(".");
        const pkg = PYTHON_PACKAGES[modules.get(alias) ?? ""];
        if (e.k === "call" && pkg !== undefined && member.length === 2) {
            const [name, ...rest] = e.args;
            if (name?.k !== "const" || typeof name.v !== "string" || rest.length > 0) {
                return fail(st.line, "a resource takes its name as the only positional argument");
            }
            const declared: Declared = {
                name: name.v,
                type: `${pkg}:${member[0]}:${member[1]}`,
                properties: e.kwargs.map(([k, v]) => [k, value(v)] as const),
            };
            resources.push(declared);
            bound.set(st.target, { kind: "resource", name: declared.name });
            continue;
        }
        bound.set(st.target, { kind: "value", value: value(e) });
    }
    return { language: "python", resources, outputs };
}

// ---------------------------------------------------------------------------------------------
// Python names

/**
 * The Python name the SDK generator gives a schema property: Pulumi's `PyName`, camelCase to
 * snake_case, an acronym kept as one word (`IPAddress` → `ip_address`, `ARNs` → `arns`), digits
 * after an acronym kept with it, a Python keyword suffixed `_`. The generated `…Args` classes and
 * `…ArgsDict` TypedDicts (dict literals) both take these names.
 * @see https://github.com/pulumi/pulumi/blob/master/pkg/codegen/python/utilities.go (PyName)
 * @see https://github.com/pulumi/pulumi/pull/16704 (TypedDict input types generated by default)
 */
export function pythonName(name: string): string {
    const words: string[] = [];
    let current = "";
    let state: "first" | "upper" | "acronym" | "lowerOrNumber" = "first";
    for (const ch of name) {
        const c = /[\p{L}\p{N}_]/u.test(ch) ? ch : "_";
        const upper = c !== c.toLowerCase() && c === c.toUpperCase();
        switch (state) {
            case "first":
                current += upper ? c.toLowerCase() : c;
                state = upper ? "upper" : "lowerOrNumber";
                break;
            case "upper":
                current += upper ? c.toLowerCase() : c;
                state = upper ? "acronym" : "lowerOrNumber";
                break;
            case "acronym":
                if (upper) {
                    current += c.toLowerCase();
                } else if (/\d/.test(c) || c === "s") {
                    current += c;
                    state = "lowerOrNumber";
                } else {
                    words.push(current.slice(0, -1));
                    current = current.slice(-1) + c;
                    state = "lowerOrNumber";
                }
                break;
            case "lowerOrNumber":
                if (upper) {
                    words.push(current);
                    current = c.toLowerCase();
                    state = "upper";
                } else {
                    current += c;
                }
                break;
        }
    }
    if (current !== "") {
        words.push(current);
    }
    const joined = words.filter((w) => w !== "").join("_");
    return PYTHON_KEYWORDS.has(joined) ? `${joined}_` : joined;
}

const PYTHON_KEYWORDS = new Set([
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "exec",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "print",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
]);

/** `snake_case` → `camelCase`: how the aws and gcp Python SDKs' top-level arguments map to their TypeScript names. */
function camelCase(name: string): string {
    return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

// ---------------------------------------------------------------------------------------------
// The schema

/** The parts of a Pulumi package schema the check reads. @see https://www.pulumi.com/docs/iac/using-pulumi/extending-pulumi/schema/ */
export interface PropertySpec {
    readonly type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
    readonly $ref?: string;
    readonly items?: PropertySpec;
    readonly additionalProperties?: PropertySpec;
    readonly oneOf?: readonly PropertySpec[];
}
interface ObjectTypeSpec {
    readonly type: "object";
    readonly properties?: Readonly<Record<string, PropertySpec>>;
    readonly required?: readonly string[];
}
interface EnumTypeSpec {
    readonly type: "string" | "number" | "integer" | "boolean";
    readonly enum: readonly { readonly value: string | number | boolean; readonly name?: string }[];
}
interface ResourceSpec {
    readonly isComponent?: boolean;
    readonly inputProperties?: Readonly<Record<string, PropertySpec>>;
    readonly requiredInputs?: readonly string[];
    readonly properties?: Readonly<Record<string, PropertySpec>>;
}
export interface PackageSchema {
    readonly name: string;
    readonly resources: Readonly<Record<string, ResourceSpec>>;
    readonly types?: Readonly<Record<string, ObjectTypeSpec | EnumTypeSpec>>;
}

export function loadSchema(): PackageSchema {
    return JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as PackageSchema;
}

// ---------------------------------------------------------------------------------------------
// Checking a program against the schema

/** A resource checked against the schema: its properties under the schema's names. */
export interface Checked {
    readonly name: string;
    /** The full token: `nhi:aws:ServiceIdentity`, `aws:s3:Bucket`. */
    readonly type: string;
    readonly args: Readonly<Record<string, Value>>;
}

/** What {@link checkProgram} found: every problem (`<resource>: <message>`), and the checked resources. */
export interface ProgramCheck {
    readonly problems: readonly string[];
    readonly resources: readonly Checked[];
}

/** How a value's kind reads in a message. */
function kindOf(v: Value, types: ReadonlyMap<string, string>): string {
    switch (v.kind) {
        case "literal":
            return v.value === null
                ? "null"
                : `the ${typeof v.value === "string" ? "string" : typeof v.value} \`${JSON.stringify(v.value)}\``;
        case "list":
            return "a list";
        case "object":
            return "an object";
        case "resource":
            return v.output === undefined
                ? `the resource \`${v.resource}\` (${types.get(v.resource) ?? "undeclared"})`
                : `the output \`${v.resource}.${v.output}\``;
        case "config":
            return `the config value \`${v.key}\``;
        case "concat":
            return "a string";
    }
}

/**
 * Checks every `nhi` resource of `program` against `schema`, and returns the arguments of every
 * resource under the TypeScript names. A resource of another package (`aws:`, `gcp:`) keeps its
 * properties as written (Python: top-level names to camelCase), unchecked: its schema is that
 * package's.
 */
export function checkProgram(program: Program, schema: PackageSchema): ProgramCheck {
    const problems: string[] = [];
    const types = new Map(program.resources.map((r) => [r.name, r.type]));
    const named = (written: string, candidates: readonly string[]): string | undefined =>
        program.language === "yaml"
            ? candidates.find((c) => c === written)
            : candidates.find((c) => pythonName(c) === written);
    const shown = (name: string) => (program.language === "yaml" ? name : pythonName(name));
    // An output a value reads, under its TypeScript name: an `nhi` resource's from the schema's
    // outputs (`role_arn` → `roleArn`), another package's by camelCase.
    const outputsNamed = (v: Value, owner: string): Value => {
        switch (v.kind) {
            case "list":
                return { kind: "list", items: v.items.map((item) => outputsNamed(item, owner)) };
            case "object":
                return {
                    kind: "object",
                    entries: v.entries.map(([k, item]) => [k, outputsNamed(item, owner)] as const),
                };
            case "concat":
                return { kind: "concat", parts: v.parts.map((part) => outputsNamed(part, owner)) };
            case "resource": {
                if (v.output === undefined) {
                    return v;
                }
                const outputs = schema.resources[types.get(v.resource) ?? ""]?.properties;
                if (outputs === undefined) {
                    return { ...v, output: program.language === "python" ? camelCase(v.output) : v.output };
                }
                const name = named(v.output, Object.keys(outputs));
                if (name === undefined) {
                    problems.push(
                        `${owner}: \`${v.resource}.${v.output}\` is not an output of \`${types.get(v.resource)}\`; outputs: ${oneOf(Object.keys(outputs).map(shown))}.`,
                    );
                    return v;
                }
                return { ...v, output: name };
            }
            default:
                return v;
        }
    };
    const resources: Checked[] = [];
    for (const declared of program.resources) {
        const r = {
            ...declared,
            properties: declared.properties.map(([k, v]) => [k, outputsNamed(v, declared.name)] as const),
        };
        const type = r.type;
        if (!type.startsWith(`${schema.name}:`)) {
            const args = Object.fromEntries(
                r.properties.map(([k, v]) => [program.language === "python" ? camelCase(k) : k, v]),
            );
            resources.push({ name: r.name, type, args });
            continue;
        }
        const spec = schema.resources[type];
        if (spec === undefined) {
            problems.push(
                `${r.name}: \`${r.type}\` is not a resource of the \`${schema.name}\` schema.${didYouMean(closestNames(type, Object.keys(schema.resources)))}`,
            );
            continue;
        }
        const issue = (message: string) => problems.push(`${r.name}: ${message}`);
        const check = new ValueCheck(schema, types, named, shown, issue);
        const args = check.object(r.properties, spec.inputProperties ?? {}, spec.requiredInputs ?? [], "");
        resources.push({ name: r.name, type, args });
    }
    for (const [name, v] of program.outputs) {
        outputsNamed(v, `outputs.${name}`);
    }
    return { problems, resources };
}

class ValueCheck {
    constructor(
        private readonly schema: PackageSchema,
        private readonly types: ReadonlyMap<string, string>,
        private readonly named: (written: string, candidates: readonly string[]) => string | undefined,
        private readonly shown: (name: string) => string,
        private readonly issue: (message: string) => void,
    ) {}

    /** The entries of an object under the schema's names, each checked; unknown and missing properties reported. */
    object(
        entries: readonly (readonly [string, Value])[],
        properties: Readonly<Record<string, PropertySpec>>,
        required: readonly string[],
        at: string,
    ): Record<string, Value> {
        const out: Record<string, Value> = {};
        const candidates = Object.keys(properties);
        for (const [written, v] of entries) {
            const name = this.named(written, candidates);
            if (name === undefined) {
                this.issue(
                    `\`${at}${written}\` is not a property here; allowed: ${oneOf(candidates.map(this.shown))}.${didYouMean(closestNames(written, candidates.map(this.shown)))}`,
                );
                continue;
            }
            out[name] = this.value(v, properties[name], `${at}${written}`);
        }
        for (const name of required) {
            if (!(name in out)) {
                this.issue(`\`${at}${this.shown(name)}\` is required.`);
            }
        }
        return out;
    }

    /** `v` checked against `spec`; returns it with object keys under the schema's names. */
    value(v: Value, spec: PropertySpec, at: string): Value {
        if (spec.oneOf !== undefined) {
            // The first alternative that takes the value without a problem; else the problems of each.
            const tried = spec.oneOf.map((alt) => {
                const found: string[] = [];
                const check = new ValueCheck(this.schema, this.types, this.named, this.shown, (m) => found.push(m));
                return { value: check.value(v, alt, at), found };
            });
            const fits = tried.find((t) => t.found.length === 0);
            if (fits !== undefined) {
                return fits.value;
            }
            tried.flatMap((t) => t.found).forEach((m) => this.issue(m));
            return v;
        }
        if (spec.$ref !== undefined) {
            return this.reference(v, spec.$ref, at);
        }
        const got = kindOf(v, this.types);
        switch (spec.type) {
            case "string":
                return this.scalar(v, "string", "a string", at, got);
            case "number":
            case "integer":
                return this.scalar(
                    v,
                    "number",
                    spec.type === "integer" ? "a whole number" : "a number",
                    at,
                    got,
                    spec.type === "integer",
                );
            case "boolean":
                return this.scalar(v, "boolean", "`true` or `false`", at, got);
            case "array":
                if (v.kind !== "list") {
                    this.issue(`\`${at}\` must be a list; got ${got}.`);
                    return v;
                }
                return {
                    kind: "list",
                    items: v.items.map((item, i) => this.value(item, spec.items ?? {}, `${at}[${i}]`)),
                };
            case "object":
                if (v.kind !== "object") {
                    this.issue(`\`${at}\` must be an object; got ${got}.`);
                    return v;
                }
                // A map: its keys are the user's, not property names.
                return {
                    kind: "object",
                    entries: v.entries.map(
                        ([k, item]) =>
                            [
                                k,
                                spec.additionalProperties === undefined
                                    ? item
                                    : this.value(item, spec.additionalProperties, `${at}.${k}`),
                            ] as const,
                    ),
                };
            default:
                return v;
        }
    }

    private scalar(
        v: Value,
        js: "string" | "number" | "boolean",
        wanted: string,
        at: string,
        got: string,
        integer = false,
    ): Value {
        const fits =
            v.kind === "literal"
                ? typeof v.value === js && (!integer || Number.isInteger(v.value))
                : v.kind === "concat" || v.kind === "config"
                  ? js === "string"
                  : v.kind === "resource"
                    ? v.output !== undefined && this.outputFits(v, js)
                    : false;
        if (!fits) {
            this.issue(`\`${at}\` must be ${wanted}; got ${got}.`);
        }
        return v;
    }

    /** An output of an `nhi` resource is of the kind its schema says; one of another package's is taken as a scalar. */
    private outputFits(v: { resource: string; output?: string }, js: string): boolean {
        const type = this.types.get(v.resource);
        const out = type === undefined ? undefined : this.schema.resources[type]?.properties?.[v.output!];
        return out === undefined ? type !== undefined : out.type === js || (js === "number" && out.type === "integer");
    }

    private reference(v: Value, ref: string, at: string): Value {
        const got = kindOf(v, this.types);
        const [, kind, token] = /^#\/(types|resources)\/(.+)$/.exec(decodeURIComponent(ref)) ?? [];
        if (kind === "resources") {
            if (v.kind !== "resource" || v.output !== undefined || this.types.get(v.resource) !== token) {
                this.issue(`\`${at}\` must be a \`${token}\` resource; got ${got}.`);
            }
            return v;
        }
        const type = kind === "types" ? this.schema.types?.[token] : undefined;
        if (type === undefined) {
            // `pulumi.json#/Any` and the like: anything goes.
            return v;
        }
        if ("enum" in type) {
            const allowed = type.enum.map((e) => e.value);
            if (v.kind === "literal" && !allowed.includes(v.value as string)) {
                this.issue(
                    `\`${at}\` must be ${oneOf(allowed.map(String))}; got ${got}.${didYouMean(closestNames(String(v.value), allowed.map(String)))}`,
                );
            } else if (v.kind !== "literal" && v.kind !== "config" && v.kind !== "resource") {
                this.issue(`\`${at}\` must be ${oneOf(allowed.map(String))}; got ${got}.`);
            }
            return v;
        }
        if (v.kind !== "object") {
            this.issue(`\`${at}\` must be an object (\`${token}\`); got ${got}.`);
            return v;
        }
        const entries = this.object(v.entries, type.properties ?? {}, type.required ?? [], `${at}.`);
        return { kind: "object", entries: Object.entries(entries) };
    }
}

// ---------------------------------------------------------------------------------------------
// Declaring a checked program in TypeScript

/** The class of a type token: `nhi:aws:ServiceIdentity` → `nhi.aws.ServiceIdentity`, `aws:s3:Bucket` → `aws.s3.Bucket`. */
function classOf(
    type: string,
    packages: Readonly<Record<string, any>>,
): new (name: string, args: any, opts?: any) => pulumi.Resource {
    const [pkg, module, name] = type.split(":");
    const cls = packages[pkg]?.[module.split("/")[0]]?.[name];
    if (typeof cls !== "function") {
        throw new Error(`\`${type}\` has no class in ${pkg === "nhi" ? "pulumi-nhi" : `@pulumi/${pkg}`}`);
    }
    return cls;
}

/**
 * Declares the resources of a checked program, in the program's order, with the TypeScript classes
 * of the same tokens. Config values take their fallback (the tests set no config, as the quickstart's
 * tests do). Returns the resources by name.
 */
export function declareProgram(
    checked: ProgramCheck,
    packages: Readonly<Record<string, any>>,
): Map<string, pulumi.Resource> {
    const declared = new Map<string, pulumi.Resource>();
    const config = new pulumi.Config();
    const input = (v: Value): any => {
        switch (v.kind) {
            case "literal":
                return v.value;
            case "list":
                return v.items.map(input);
            case "object":
                return Object.fromEntries(v.entries.map(([k, item]) => [k, input(item)]));
            case "resource": {
                const r = declared.get(v.resource);
                if (r === undefined) {
                    throw new Error(`\`${v.resource}\` is used before it is declared`);
                }
                if (v.output === undefined) {
                    return r;
                }
                const name = v.output in r ? v.output : camelCase(v.output);
                return (r as any)[name];
            }
            case "config":
                return config.get(v.key) ?? v.fallback;
            case "concat":
                return pulumi.concat(...v.parts.map(input));
        }
    };
    for (const r of checked.resources) {
        const cls = classOf(r.type, packages);
        declared.set(
            r.name,
            new cls(r.name, Object.fromEntries(Object.entries(r.args).map(([k, v]) => [k, input(v)]))),
        );
    }
    return declared;
}
