import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { legacyTypeOf } from "../components/core/tokens";
import { DocText, describeDoc, docOf, literalDefault } from "./schema-docs";

/*
 * `provider/schema.json`, generated from the TypeScript API: the component classes that
 * `components/aws` and `components/gcp` export, their `*Args` types and public properties, read
 * with the TypeScript compiler's type checker, and their doc comments (`schema-docs.ts`).
 * `npm run schema` writes it; test/provider/schema.test.ts regenerates it in memory and fails on
 * any difference, so the schema cannot drift from the types.
 *
 * Why generated, not inferred: `ComponentProvider` of `@pulumi/pulumi/provider/experimental`
 * (3.248) refuses union types, and the argument types here are unions on purpose (DESIGN.md).
 * Why the type checker and not the syntax: the checker resolves `extends`, mapped types
 * (`OnlyTrust<K>`), `Omit<>` and aliases exactly as `tsc` does, so the schema sees the types a
 * TypeScript user sees.
 *
 * How TypeScript types become schema types (https://www.pulumi.com/docs/iac/guides/building-extending/packages/schema/,
 * checked against the metaschema pkg/codegen/schema/pulumi.json of pulumi/pulumi):
 * - `pulumi.Input<T>` and `pulumi.Output<T>` → T: every schema input accepts eventual values.
 * - `string`, `number`, `boolean` → the primitive; a union of string literals → a named enum
 *   (`nhi:aws:AccessLevel`), named after its type alias, else after the property.
 * - arrays → `array`; `Record<string, T>` → `object` with `additionalProperties`.
 * - an interface, or a union of object types that the schema cannot express (`AwsGrant =
 *   AwsActionsGrant | AwsAccessGrant`, `AwsTrust`): one object type holding every member's
 *   properties. A property is required only when every member requires it; the description
 *   names the accepted combinations, which the TypeScript class checks at construct with the same
 *   error in every language. A property typed `never` in a member is absent from that member.
 * - a component of this package → a resource reference (`#/resources/nhi:aws:SecretRotator`);
 *   another Pulumi resource (a child typed without its cloud SDK) → `pulumi.json#/Any`.
 * - a string or a component (`SecretReader = Input<string> | AwsServiceIdentity`) → string: other
 *   languages pass the ARN or email (`identity.roleArn`), which the TypeScript class accepts too.
 * - type tokens `nhi:<cloud>:<Name>`, the TypeScript name without its `Aws`/`Gcp` prefix and
 *   `Args` suffix (`AwsGrant` → `nhi:aws:Grant`; an `Args` suffix would read `…ArgsArgs` in the
 *   Python and .NET input classes). A type of `components/core` used by both clouds gets one
 *   token in each (`nhi:aws:ValueFormat`, `nhi:gcp:ValueFormat`), so each SDK module is whole.
 * - outputs: every public property and getter of the class, `urn` and the other members of
 *   `pulumi.ComponentResource` aside; required when its value is never undefined.
 * - secret outputs: those listed in `SECRET_OUTPUTS`, checked against what the class outputs under
 *   Pulumi's mocks by the test. None today: no credential material is ever an output.
 */

/** The repository's root. */
const ROOT = path.resolve(__dirname, "..");
/** Where `npm run schema` writes the schema. */
export const SCHEMA_PATH = path.join(ROOT, "provider", "schema.json");
/** The clouds, each a module of the schema and a namespace of the TypeScript API. */
const CLOUDS = ["aws", "gcp"] as const;
type Cloud = (typeof CLOUDS)[number];

/** Outputs that hold a secret, by resource token: marked `secret: true`. */
export const SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {};

/**
 * Modules replaced by an empty declaration while reading the types: the cloud SDKs' declarations
 * are about 5,000 files, and no argument or output type of a component needs them (the classes
 * type their children without them, so that no declaration file of the package needs them).
 */
const STUBBED_MODULES = /^(@pulumi\/(aws|gcp|random)|@aws-sdk\/|@cloud-copilot\/|@google-cloud\/)/;
const STUB_FILE = path.join(ROOT, "provider", "__stubbed-module__.d.ts");
const STUB_TEXT = "declare const stubbed: any;\nexport = stubbed;\n";

/** A type reference or property of the schema. */
export interface SchemaType {
    type?: string;
    $ref?: string;
    items?: SchemaType;
    additionalProperties?: SchemaType;
    description?: string;
    default?: string | number | boolean;
    secret?: boolean;
    [key: string]: unknown;
}

/** A resource or object type of the schema. */
export interface SchemaObject {
    type?: string;
    description?: string;
    properties?: Record<string, SchemaType>;
    required?: string[];
    enum?: { value: string }[];
    [key: string]: unknown;
}

/** The package schema. */
export interface PackageSchema {
    name: string;
    version: string;
    resources: Record<string, SchemaObject>;
    types: Record<string, SchemaObject>;
    [key: string]: unknown;
}

/** Where a type is met: the cloud module, the property path for messages, the naming context. */
interface Site {
    readonly module: Cloud;
    /** `nhi:aws:ServiceIdentity.inputs.grants[].resources`, for messages. */
    readonly path: string;
    /** The owner's schema name and the property name, to name an anonymous enum or object. */
    readonly owner: string;
    readonly property: string;
    /** The declared type, for the name of a union that the checker no longer names. */
    readonly node?: ts.TypeNode;
}

/** Generates the schema from the TypeScript sources under `root`. Pure: writes nothing. */
export function generateSchema(root: string = ROOT): PackageSchema {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const entries = CLOUDS.map((c) => path.join(root, "components", c, "index.ts"));
    const program = createProgram(entries);
    const checker = program.getTypeChecker();
    const builder = new SchemaBuilder(checker);
    const components = CLOUDS.flatMap((cloud, i) => findComponents(program, checker, cloud, entries[i]));
    for (const c of components) {
        builder.resourceTokens.set(c.classSymbol, c.token);
    }
    const resources: Record<string, SchemaObject> = {};
    for (const c of components) {
        resources[c.token] = builder.resource(c);
    }
    builder.throwIfProblems();
    return {
        name: "nhi",
        displayName: "Non-human identities",
        version: pkg.version,
        description: pkg.description,
        keywords: ["category/cloud", "kind/component", ...pkg.keywords.filter((k: string) => k !== "pulumi" && k !== "pulumi-component")],
        homepage: pkg.homepage,
        license: pkg.license,
        repository: String(pkg.repository.url).replace(/^git\+/, "").replace(/\.git$/, ""),
        publisher: "pulumi-nhi",
        language: LANGUAGE,
        resources: sortedKeys(resources),
        types: sortedKeys(builder.types),
    };
}

/**
 * How the generated SDKs are named. Node.js programs use this package itself (`pulumi-nhi`); a
 * Node.js SDK generated from the schema gets another name so that the two never meet in one
 * `node_modules`.
 */
const LANGUAGE = {
    nodejs: { packageName: "@pulumi-nhi/sdk", respectSchemaVersion: true },
    python: { packageName: "pulumi_nhi", respectSchemaVersion: true, pyproject: { enabled: true } },
    go: { importBasePath: "github.com/pulumi-nhi/pulumi-nhi/sdk/go/nhi", generateResourceContainerTypes: true, respectSchemaVersion: true },
    csharp: { rootNamespace: "Pulumi", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
    java: { basePackage: "io.github.pulumi_nhi" },
};

/** The schema as `npm run schema` writes it: stable key order, four spaces, a final newline. */
export function schemaText(schema: PackageSchema): string {
    return `${JSON.stringify(schema, null, 4)}\n`;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

/** A program of the two cloud entries, with the cloud SDKs stubbed (`STUBBED_MODULES`). */
function createProgram(entries: readonly string[]): ts.Program {
    const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        lib: ["lib.es2022.d.ts"],
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
        types: ["node"],
    };
    const host = ts.createCompilerHost(options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.getSourceFile = (name, lang, onError, create) =>
        name === STUB_FILE ? ts.createSourceFile(name, STUB_TEXT, lang) : getSourceFile(name, lang, onError, create);
    host.fileExists = (name) => name === STUB_FILE || fileExists(name);
    host.resolveModuleNameLiterals = (literals, containing, _redirect, opts) =>
        literals.map((l) => STUBBED_MODULES.test(l.text)
            ? { resolvedModule: { resolvedFileName: STUB_FILE, extension: ts.Extension.Dts, isExternalLibraryImport: false } }
            : ts.resolveModuleName(l.text, containing, opts, host));
    return ts.createProgram(entries, options, host);
}

/** A component class as an export of a cloud namespace. */
interface Component {
    readonly cloud: Cloud;
    /** `ServiceIdentity`: the name in the namespace. */
    readonly exportName: string;
    readonly token: string;
    readonly classSymbol: ts.Symbol;
    readonly instanceType: ts.Type;
    readonly argsType: ts.Type;
    readonly argsNode?: ts.TypeNode;
}

/** The component classes the namespace `components/<cloud>/index.ts` exports, with their tokens. */
function findComponents(program: ts.Program, checker: ts.TypeChecker, cloud: Cloud, entry: string): Component[] {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    const found: Component[] = [];
    for (const exported of checker.getExportsOfModule(module)) {
        if (!(exported.flags & ts.SymbolFlags.Value)) {
            continue;
        }
        const signature = checker.getTypeOfSymbol(exported).getConstructSignatures()[0];
        const instanceType = signature?.getReturnType();
        if (instanceType === undefined || !extendsComponentResource(checker, instanceType)) {
            continue;
        }
        const classSymbol = instanceType.symbol;
        const token = superToken(checker, classSymbol);
        if (token !== `nhi:${cloud}:${exported.name}`) {
            throw new Error(`${cloud}.${exported.name} registers as \`${token}\`; its token must be \`nhi:${cloud}:${exported.name}\`.`);
        }
        const args = signature.parameters[1];
        const argsDecl = args.valueDeclaration as ts.ParameterDeclaration;
        found.push({ cloud, exportName: exported.name, token, classSymbol, instanceType, argsType: checker.getTypeOfSymbol(args), argsNode: argsDecl.type });
    }
    return found.sort((a, b) => a.token.localeCompare(b.token));
}

function extendsComponentResource(checker: ts.TypeChecker, type: ts.Type): boolean {
    if (!type.isClassOrInterface()) {
        return false;
    }
    return checker.getBaseTypes(type).some((b) => b.symbol?.name === "ComponentResource" || extendsComponentResource(checker, b));
}

/** The type token a class passes to `super()`: the value of its `*_TYPE` constant. */
function superToken(checker: ts.TypeChecker, classSymbol: ts.Symbol): string {
    const decl = classSymbol.valueDeclaration as ts.ClassDeclaration;
    const ctor = decl.members.find(ts.isConstructorDeclaration);
    let token: string | undefined;
    const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
            const t = checker.getTypeAtLocation(node.arguments[0]);
            token = t.isStringLiteral() ? t.value : undefined;
            return;
        }
        ts.forEachChild(node, visit);
    };
    if (ctor?.body !== undefined) {
        visit(ctor.body);
    }
    if (token === undefined) {
        throw new Error(`${classSymbol.name}: no \`super(TOKEN, …)\` with a constant token in its constructor.`);
    }
    return token;
}

/** Whether a declaration lies outside this package (the Pulumi SDK, the TypeScript library). */
const isExternal = (d: ts.Declaration | undefined) => d === undefined || /[\\/]node_modules[\\/]/.test(d.getSourceFile().fileName);

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `AwsGrant` → `Grant`, `GcpServiceAccountKeyArgs` → `ServiceAccountKey`. */
const schemaName = (tsName: string) => tsName.replace(/^(Aws|Gcp)(?=[A-Z])/, "").replace(/(?<=.)Args$/, "");

/** Builds the resources and the types they reach. */
class SchemaBuilder {
    readonly types: Record<string, SchemaObject> = {};
    readonly resourceTokens = new Map<ts.Symbol, string>();
    /** Each type token's TypeScript identity, to refuse two types under one token. */
    private readonly identities = new Map<string, string>();
    private readonly problems: string[] = [];
    /** Each object type's own doc comment, without the sentence on combinations: a property's fallback. */
    private readonly typeDocs = new Map<string, string>();

    constructor(private readonly checker: ts.TypeChecker) {}

    throwIfProblems(): void {
        if (this.problems.length > 0) {
            throw new Error(`The schema cannot be generated:\n- ${this.problems.join("\n- ")}`);
        }
    }

    resource(c: Component): SchemaObject {
        const owner = c.exportName;
        const inputs = this.objectProperties(this.members(c.argsType), { module: c.cloud, path: `${c.token}.inputs`, owner, property: "", node: c.argsNode });
        const outputs = this.outputs(c);
        const classDoc = docOf(c.classSymbol, this.checker);
        return {
            description: this.described(describeDoc(classDoc, false), `${c.token}`),
            isComponent: true,
            aliases: [{ type: legacyTypeOf(c.token) }],
            inputProperties: inputs.properties,
            ...(inputs.required.length > 0 ? { requiredInputs: inputs.required } : {}),
            properties: outputs.properties,
            ...(outputs.required.length > 0 ? { required: outputs.required } : {}),
        };
    }

    /** Every public property and getter of the component, with its type unwrapped from `Output<>`. */
    private outputs(c: Component): { properties: Record<string, SchemaType>; required: string[] } {
        const properties: Record<string, SchemaType> = {};
        const required: string[] = [];
        const secrets = new Set(SECRET_OUTPUTS[c.token] ?? []);
        for (const prop of this.checker.getPropertiesOfType(c.instanceType)) {
            const decl = prop.declarations?.[0];
            if (isExternal(decl) || prop.flags & ts.SymbolFlags.Method || ts.getCombinedModifierFlags(decl!) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) {
                continue;
            }
            const type = this.outputValue(this.checker.getTypeOfSymbol(prop));
            const node = ts.isGetAccessorDeclaration(decl!) ? decl.type : ts.isPropertyDeclaration(decl!) ? decl.type : undefined;
            const site: Site = { module: c.cloud, path: `${c.token}.outputs.${prop.name}`, owner: c.exportName, property: prop.name, node };
            const members = this.members(type);
            const spec = this.typeOf(members, type, site);
            const doc = docOf(prop, this.checker);
            properties[prop.name] = { ...spec, description: this.described(describeDoc(doc, false), site.path), ...(secrets.has(prop.name) ? { secret: true } : {}) };
            if (!this.mayBeUndefined(type)) {
                required.push(prop.name);
            }
        }
        for (const s of secrets) {
            if (!(s in properties)) {
                this.problems.push(`${c.token}: \`SECRET_OUTPUTS\` names \`${s}\`, which the class does not offer.`);
            }
        }
        return { properties, required };
    }

    /** `Output<T>` → T (also in an array: `Output<string>[]` stays an array of T). */
    private outputValue(type: ts.Type): ts.Type {
        const inner = this.outputArgument(type);
        return inner ?? type;
    }

    private outputArgument(type: ts.Type): ts.Type | undefined {
        if (type.aliasSymbol?.name === "Output" && isExternal(type.aliasSymbol.declarations?.[0])) {
            return type.aliasTypeArguments?.[0];
        }
        const parts = type.isIntersection() ? type.types : [type];
        const instance = parts.find((p) => p.symbol?.name === "OutputInstance" && isExternal(p.symbol.declarations?.[0]));
        return instance === undefined ? undefined : this.checker.getTypeArguments(instance as ts.TypeReference)[0];
    }

    private mayBeUndefined(type: ts.Type): boolean {
        const parts = type.isUnion() ? type.types : [type];
        return parts.some((p) => p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Null | ts.TypeFlags.Any | ts.TypeFlags.Unknown));
    }

    /**
     * The values a type admits, as the schema sees them: union members without `undefined`,
     * `null`, and the `Promise<T>` and `Output<T>` of `Input<T>` (T is a member too).
     */
    private members(type: ts.Type): ts.Type[] {
        const parts = type.isUnion() ? type.types : [type];
        return parts.flatMap((p) => {
            if (p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void | ts.TypeFlags.Never)) {
                return [];
            }
            if (p.symbol?.name === "Promise" && isExternal(p.symbol.declarations?.[0])) {
                return [];
            }
            const inner = this.outputArgument(p);
            return inner === undefined ? [p] : this.members(inner);
        });
    }

    /** The schema type of a value of one of `members` (`original` is the declared type, for its alias name). */
    private typeOf(given: ts.Type[], original: ts.Type | undefined, site: Site): SchemaType {
        // The same type met in two members of a union (`whereTagged` of both kinds of grant) is one.
        const members = [...new Set(given)];
        const f = ts.TypeFlags;
        const is = (t: ts.Type, flags: number) => (t.flags & flags) !== 0;
        if (members.length === 0 || members.some((t) => is(t, f.Any | f.Unknown))) {
            return { $ref: "pulumi.json#/Any" };
        }
        const resources = members.filter((t) => this.isResource(t));
        const strings = members.filter((t) => is(t, f.String | f.StringLiteral | f.TemplateLiteral));
        const numbers = members.filter((t) => is(t, f.Number | f.NumberLiteral));
        const booleans = members.filter((t) => is(t, f.Boolean | f.BooleanLiteral));
        const arrays = members.filter((t) => this.checker.isArrayType(t) || this.checker.isTupleType(t));
        const objects = members.filter((t) => !resources.includes(t) && !arrays.includes(t) && is(t, f.Object | f.Intersection));
        const kinds = [strings, numbers, booleans, arrays, objects].filter((k) => k.length > 0).length;
        if (kinds === 1 && strings.length > 0 || kinds === 0 && resources.length > 0 || strings.length === members.length - resources.length && strings.length > 0) {
            if (strings.length === 0) {
                const tokens = new Set(resources.map((r) => this.resourceTokens.get(r.symbol)));
                const [token] = tokens;
                return tokens.size === 1 && token !== undefined ? { $ref: `#/resources/${token}` } : { $ref: "pulumi.json#/Any" };
            }
            if (strings.some((t) => is(t, f.String | f.TemplateLiteral))) {
                return { type: "string" };
            }
            return this.enumRef(strings as ts.StringLiteralType[], original, site);
        }
        if (kinds === 1 && resources.length > 0 && objects.length === 0 && arrays.length === 0) {
            // A primitive or a component (`deprovisioner?: GcpDeprovisioner | false`): a union type.
            const primitive = numbers.length > 0 ? "number" : "boolean";
            return { oneOf: [{ type: primitive }, this.typeOf(resources, undefined, site)] };
        }
        if (kinds !== 1 || members.length !== strings.length + numbers.length + booleans.length + arrays.length + objects.length + resources.length) {
            this.problems.push(`${site.path}: \`${members.map((t) => this.checker.typeToString(t)).join(" | ")}\` has no schema type.`);
            return { $ref: "pulumi.json#/Any" };
        }
        if (numbers.length > 0) {
            return { type: "number" };
        }
        if (booleans.length > 0) {
            return { type: "boolean" };
        }
        if (arrays.length > 0) {
            const elements = arrays.flatMap((a) => this.checker.getTypeArguments(a as ts.TypeReference));
            const node = elementNode(site.node);
            const itemMembers = elements.flatMap((e) => this.members(e));
            return { type: "array", items: this.typeOf(itemMembers, elements.length === 1 ? elements[0] : undefined, { ...site, path: `${site.path}[]`, node }) };
        }
        const map = objects.length === 1 ? this.checker.getIndexInfoOfType(objects[0], ts.IndexKind.String) : undefined;
        if (map !== undefined && this.checker.getPropertiesOfType(objects[0]).length === 0) {
            return { type: "object", additionalProperties: this.typeOf(this.members(map.type), map.type, { ...site, path: `${site.path}{}`, node: valueNode(site.node) }) };
        }
        if (objects.some((o) => o.getCallSignatures().length > 0)) {
            this.problems.push(`${site.path}: a function has no schema type.`);
            return { $ref: "pulumi.json#/Any" };
        }
        return this.objectRef(objects, original, site);
    }

    /** Whether `type` is a Pulumi resource (it has a `urn`). */
    private isResource(type: ts.Type): boolean {
        const urn = this.checker.getPropertyOfType(type, "urn");
        return urn !== undefined && isExternal(urn.declarations?.[0]);
    }

    /** The TypeScript name of a type met at `site`: its alias, its interface, or the declared name. */
    private nameOf(members: ts.Type[], original: ts.Type | undefined, site: Site): { name: string; symbol?: ts.Symbol } {
        const alias = original?.aliasSymbol;
        if (alias !== undefined && !isExternal(alias.declarations?.[0])) {
            return { name: alias.name, symbol: alias };
        }
        if (members.length === 1) {
            const m = members[0];
            const symbol = m.aliasSymbol ?? m.symbol;
            if (symbol !== undefined && !symbol.name.startsWith("__") && !isExternal(symbol.declarations?.[0])) {
                return { name: symbol.name, symbol };
            }
        }
        const declared = declaredName(site.node);
        if (declared !== undefined) {
            const symbol = this.checker.getSymbolAtLocation(declared);
            const target = symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
            return { name: declared.getText(), symbol: target };
        }
        return { name: `${site.owner}${capitalise(site.property)}` };
    }

    /** Registers the named type `token` for `identity`, refusing a second type under the same token. */
    private claim(token: string, identity: string, site: Site): boolean {
        const known = this.identities.get(token);
        if (known !== undefined && known !== identity) {
            this.problems.push(`${site.path}: two different types are both named \`${token}\`; rename one of them.`);
        }
        this.identities.set(token, identity);
        return known === undefined;
    }

    private enumRef(literals: ts.StringLiteralType[], original: ts.Type | undefined, site: Site): SchemaType {
        const { name, symbol } = this.nameOf(literals.length === 1 ? literals : [], original, site);
        const token = `nhi:${site.module}:${schemaName(name)}`;
        const values = literals.map((l) => l.value);
        if (this.claim(token, `enum:${values.join("|")}`, site)) {
            const doc = symbol === undefined ? undefined : describeDoc(docOf(symbol, this.checker), false);
            this.types[token] = {
                type: "string",
                description: doc || `The values of \`${site.property}\`.`,
                enum: values.map((value) => ({ value })),
            };
        }
        return { $ref: `#/types/${token}` };
    }

    private objectRef(objects: ts.Type[], original: ts.Type | undefined, site: Site): SchemaType {
        const { name, symbol } = this.nameOf(objects, original, site);
        const schema = schemaName(name);
        const token = `nhi:${site.module}:${schema}`;
        if ([...this.resourceTokens.values()].includes(token)) {
            this.problems.push(`${site.path}: the type \`${token}\` would have the token of a resource; rename \`${name}\`.`);
        }
        const identity = objects.map((o) => (o as { id?: number }).id).join("|");
        if (this.claim(token, identity, site)) {
            this.types[token] = { type: "object" };
            const own = this.objectProperties(objects, { module: site.module, path: token, owner: schema, property: "" });
            const doc = symbol === undefined ? "" : describeDoc(docOf(symbol, this.checker), false);
            this.typeDocs.set(token, doc);
            const alternatives = objects.length > 1 ? this.alternatives(objects) : "";
            this.types[token] = {
                type: "object",
                description: this.described([doc, alternatives].filter((s) => s !== "").join("\n\n"), token),
                properties: own.properties,
                ...(own.required.length > 0 ? { required: own.required } : {}),
            };
        }
        return { $ref: `#/types/${token}` };
    }

    /** The sentence that names the combinations a union of object types accepts. */
    private alternatives(objects: ts.Type[]): string {
        const combos = objects.map((o) => {
            const required = this.checker.getPropertiesOfType(o)
                .filter((p) => !(p.flags & ts.SymbolFlags.Optional) && this.members(this.checker.getTypeOfSymbol(p)).length > 0)
                .map((p) => `\`${p.name}\``);
            return required.length === 0 ? "none of them" : required.join(" with ");
        });
        const distinct = [...new Set(combos)];
        if (distinct.length === 1) {
            return "";
        }
        return `Every property is optional in the schema; the component accepts one of these combinations and refuses any other with the same error in every language: ${distinct.join("; or ")}.`;
    }

    /**
     * The properties of one of `objects` (a union's members, or one type), each required only when
     * every member requires it; a property typed `never` in a member is absent from it.
     */
    private objectProperties(objects: ts.Type[], site: Site): { properties: Record<string, SchemaType>; required: string[] } {
        const merged = new Map<string, { symbols: ts.Symbol[]; types: ts.Type[]; required: number }>();
        for (const o of objects) {
            for (const p of this.checker.getPropertiesOfType(o)) {
                const type = this.checker.getTypeOfSymbol(p);
                if (this.members(type).length === 0 && !(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) {
                    continue;
                }
                const entry = merged.get(p.name) ?? { symbols: [], types: [], required: 0 };
                entry.symbols.push(p);
                entry.types.push(type);
                entry.required += p.flags & ts.SymbolFlags.Optional ? 0 : 1;
                merged.set(p.name, entry);
            }
        }
        const properties: Record<string, SchemaType> = {};
        const required: string[] = [];
        for (const [name, { symbols, types, required: requiredIn }] of merged) {
            const decl = symbols.map((s) => s.declarations?.[0]).find((d) => d !== undefined && (ts.isPropertySignature(d) || ts.isPropertyDeclaration(d))) as ts.PropertySignature | undefined;
            const propSite: Site = { module: site.module, path: `${site.path}.${name}`, owner: site.owner, property: name, node: decl?.type };
            const distinct = [...new Set(types)];
            const spec = this.typeOf(distinct.flatMap((t) => this.members(t)), distinct.length === 1 ? distinct[0] : undefined, propSite);
            const doc = this.propertyDoc(symbols, spec);
            const literal = literalDefault(doc.default, spec.type);
            properties[name] = {
                ...spec,
                description: this.described(describeDoc(doc, literal !== undefined), propSite.path),
                ...(literal !== undefined ? { default: literal } : {}),
            };
            if (requiredIn === objects.length) {
                required.push(name);
            }
        }
        return { properties, required };
    }

    /**
     * The doc of a property: the longest of its members' doc comments (a union's members may each
     * say something), else the doc of its named type (a trust kind's `service` is described by
     * `AwsServiceTrust`).
     */
    private propertyDoc(symbols: ts.Symbol[], spec: SchemaType): DocText {
        const docs = symbols.map((s) => docOf(s, this.checker)).filter((d) => d.text !== "");
        if (docs.length > 0) {
            return docs.reduce((a, b) => (b.text.length > a.text.length ? b : a));
        }
        const ref = spec.$ref ?? spec.items?.$ref;
        const token = ref?.startsWith("#/types/") ? ref.slice("#/types/".length) : undefined;
        const typeDoc = token === undefined ? undefined : this.typeDocs.get(token) || this.types[token]?.description;
        return { text: typeDoc ?? "", see: [] };
    }

    /** `text`, recording a problem when it is empty: every property of the schema is described. */
    private described(text: string, where: string): string {
        if (text.trim() === "") {
            this.problems.push(`${where}: no doc comment; add one to the TypeScript declaration.`);
        }
        return text;
    }
}

/** The element type node of an array type node (`readonly T[]`, `Input<T>[]`), if it is one. */
function elementNode(node: ts.TypeNode | undefined): ts.TypeNode | undefined {
    const n = unwrapNode(node);
    if (n === undefined) {
        return undefined;
    }
    if (ts.isArrayTypeNode(n)) {
        return n.elementType;
    }
    if (ts.isTypeReferenceNode(n) && /^(ReadonlyArray|Array)$/.test(n.typeName.getText())) {
        return n.typeArguments?.[0];
    }
    return undefined;
}

/** The value type node of `Record<string, T>`, if `node` is one. */
function valueNode(node: ts.TypeNode | undefined): ts.TypeNode | undefined {
    const n = unwrapNode(node);
    return n !== undefined && ts.isTypeReferenceNode(n) && n.typeName.getText() === "Record" ? n.typeArguments?.[1] : undefined;
}

/** `node` without `readonly`, parentheses, `| undefined`, `Input<>`, `Output<>` and `Readonly<>`. */
function unwrapNode(node: ts.TypeNode | undefined): ts.TypeNode | undefined {
    if (node === undefined) {
        return undefined;
    }
    if (ts.isTypeOperatorNode(node) || ts.isParenthesizedTypeNode(node)) {
        return unwrapNode(node.type);
    }
    if (ts.isUnionTypeNode(node)) {
        const defined = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
        return defined.length === 1 ? unwrapNode(defined[0]) : node;
    }
    if (ts.isTypeReferenceNode(node) && /(^|\.)(Input|Output|Readonly)$/.test(node.typeName.getText()) && node.typeArguments?.length === 1) {
        return unwrapNode(node.typeArguments[0]);
    }
    return node;
}

/** The name a declared type refers to (`AwsTrust` in `readonly trust?: AwsTrust`), if it is a plain reference. */
function declaredName(node: ts.TypeNode | undefined): ts.EntityName | undefined {
    const n = unwrapNode(node);
    return n !== undefined && ts.isTypeReferenceNode(n) && (n.typeArguments === undefined || n.typeArguments.length === 0) ? n.typeName : undefined;
}

if (require.main === module) {
    const schema = generateSchema();
    fs.writeFileSync(SCHEMA_PATH, schemaText(schema));
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}: ${Object.keys(schema.resources).length} resources, ${Object.keys(schema.types).length} types`);
}
