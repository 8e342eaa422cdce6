import * as ts from "typescript";
import { legacyTypeOf } from "../components/core/tokens";
import { DocText, describeDoc, docOf, literalDefault } from "./schema-docs";

/*
 * How the TypeScript types of the components become the types of `provider/schema.json`
 * (https://www.pulumi.com/docs/iac/guides/building-extending/packages/schema/, checked against the
 * metaschema pkg/codegen/schema/pulumi.json of pulumi/pulumi); `schema-gen.ts` finds the
 * components and writes the package around them.
 * - `pulumi.Input<T>` and `pulumi.Output<T>` → T: every schema input accepts eventual values.
 * - `string`, `boolean` → the primitive; `number` → `integer`: every number of this API counts
 *   whole units (days, seconds, minutes, characters) and the classes refuse a fraction
 *   (`Number.isInteger`), so the SDKs offer `int`, not `float64`. A union of string literals → a named enum
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
 *   languages pass the role ARN or IAM member (`identity.roleArn`), which the class accepts too.
 *   A boolean or a component (`deprovisioner?: GcpDeprovisioner | false`) → a `oneOf` union.
 * - `@default`: the schema's `default` when it is a JSON literal of the property's type and the
 *   property is in every member of its union (an SDK fills a default in, and must not fill in a
 *   property of the other alternative); otherwise a sentence of the description.
 * - type tokens `nhi:<cloud>:<Name>`, the TypeScript name without its `Aws`/`Gcp` prefix and
 *   `Args` suffix (`AwsGrant` → `nhi:aws:Grant`; an `Args` suffix would read `…ArgsArgs` in the
 *   Python and .NET input classes). A type of `components/core` used by both clouds gets one
 *   token in each (`nhi:aws:ValueFormat`, `nhi:gcp:ValueFormat`), so each SDK module is whole.
 * - outputs: every public property and getter of the class, `urn` and the other members of
 *   `pulumi.ComponentResource` aside; required when its value is never undefined.
 * - secret outputs: those listed in `SECRET_OUTPUTS`, checked against what the class outputs under
 *   Pulumi's mocks by the test. None today: no credential material is ever an output.
 */

/** A cloud: a module of the schema and a namespace of the TypeScript API. */
export type Cloud = "aws" | "gcp";

/** Outputs that hold a secret, by resource token: marked `secret: true`. */
export const SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {};

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
export interface Site {
    readonly module: Cloud;
    /** `nhi:aws:ServiceIdentity.inputs.grants[].resources`, for messages. */
    readonly path: string;
    /** The owner's schema name and the property name, to name an anonymous enum or object. */
    readonly owner: string;
    readonly property: string;
    /** The declared type, for the name of a union that the checker no longer names. */
    readonly node?: ts.TypeNode;
}

/** A component class as an export of a cloud namespace. */
export interface Component {
    readonly cloud: Cloud;
    /** `ServiceIdentity`: the name in the namespace. */
    readonly exportName: string;
    readonly token: string;
    readonly classSymbol: ts.Symbol;
    readonly instanceType: ts.Type;
    readonly argsType: ts.Type;
    readonly argsNode?: ts.TypeNode;
}

/** Whether a declaration lies outside this package (the Pulumi SDK, the TypeScript library). */
const isExternal = (d: ts.Declaration | undefined) =>
    d === undefined || /[\\/]node_modules[\\/]/.test(d.getSourceFile().fileName);

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `AwsGrant` → `Grant`, `GcpServiceAccountKeyArgs` → `ServiceAccountKey`. */
const schemaName = (tsName: string) => tsName.replace(/^(Aws|Gcp)(?=[A-Z])/, "").replace(/(?<=.)Args$/, "");

/** Builds the resources and the types they reach. */
export class SchemaBuilder {
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
        const argsMembers = this.members(c.argsType);
        const inputs = this.objectProperties(argsMembers, {
            module: c.cloud,
            path: `${c.token}.inputs`,
            owner,
            property: "",
            node: c.argsNode,
        });
        const outputs = this.outputs(c);
        const classDoc = describeDoc(docOf(c.classSymbol, this.checker), false);
        // Arguments that are a union (`GcpRotatingSecretArgs`): their doc and alternatives too.
        const argsDoc =
            argsMembers.length > 1 && c.argsType.aliasSymbol !== undefined
                ? describeDoc(docOf(c.argsType.aliasSymbol, this.checker), false)
                : "";
        const argsAlternatives = argsMembers.length > 1 ? this.alternatives(argsMembers) : "";
        return {
            description: this.described(
                [classDoc, argsDoc, argsAlternatives].filter((t) => t !== "").join("\n\n"),
                `${c.token}`,
            ),
            isComponent: true,
            ...(legacyTypeOf(c.token) !== undefined ? { aliases: [{ type: legacyTypeOf(c.token) }] } : {}),
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
            if (
                isExternal(decl) ||
                prop.flags & ts.SymbolFlags.Method ||
                ts.getCombinedModifierFlags(decl!) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)
            ) {
                continue;
            }
            const type = this.outputValue(this.checker.getTypeOfSymbol(prop));
            const node = ts.isGetAccessorDeclaration(decl!)
                ? decl.type
                : ts.isPropertyDeclaration(decl!)
                  ? decl.type
                  : undefined;
            const site: Site = {
                module: c.cloud,
                path: `${c.token}.outputs.${prop.name}`,
                owner: c.exportName,
                property: prop.name,
                node,
            };
            const members = this.members(type);
            const spec = this.typeOf(members, type, site);
            const doc = docOf(prop, this.checker);
            properties[prop.name] = {
                ...spec,
                description: this.described(describeDoc(doc, false), site.path),
                ...(secrets.has(prop.name) ? { secret: true } : {}),
            };
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
        const instance = parts.find(
            (p) => p.symbol?.name === "OutputInstance" && isExternal(p.symbol.declarations?.[0]),
        );
        return instance === undefined ? undefined : this.checker.getTypeArguments(instance as ts.TypeReference)[0];
    }

    private mayBeUndefined(type: ts.Type): boolean {
        const parts = type.isUnion() ? type.types : [type];
        return parts.some(
            (p) =>
                p.flags &
                (ts.TypeFlags.Undefined |
                    ts.TypeFlags.Void |
                    ts.TypeFlags.Null |
                    ts.TypeFlags.Any |
                    ts.TypeFlags.Unknown),
        );
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
        const objects = members.filter(
            (t) => !resources.includes(t) && !arrays.includes(t) && is(t, f.Object | f.Intersection),
        );
        const kinds = [strings, numbers, booleans, arrays, objects].filter((k) => k.length > 0).length;
        const classified =
            strings.length + numbers.length + booleans.length + arrays.length + objects.length + resources.length;
        if (
            classified !== members.length ||
            kinds > 1 ||
            (resources.length > 0 && arrays.length + objects.length > 0)
        ) {
            this.problems.push(
                `${site.path}: \`${members.map((t) => this.checker.typeToString(t)).join(" | ")}\` has no schema type.`,
            );
            return { $ref: "pulumi.json#/Any" };
        }
        if (kinds === 0) {
            const tokens = new Set(resources.map((r) => this.resourceTokens.get(r.symbol)));
            const [token] = tokens;
            return tokens.size === 1 && token !== undefined
                ? { $ref: `#/resources/${token}` }
                : { $ref: "pulumi.json#/Any" };
        }
        if (strings.length > 0) {
            // A component beside a string (`SecretReader`) is passed by its ARN or IAM member.
            return strings.some((t) => is(t, f.String | f.TemplateLiteral))
                ? { type: "string" }
                : this.enumRef(strings as ts.StringLiteralType[], original, site);
        }
        if (resources.length > 0) {
            // A number or boolean, or a component (`deprovisioner?: GcpDeprovisioner | false`): a union type.
            return {
                oneOf: [{ type: numbers.length > 0 ? "integer" : "boolean" }, this.typeOf(resources, undefined, site)],
            };
        }
        if (numbers.length > 0) {
            return { type: "integer" };
        }
        if (booleans.length > 0) {
            return { type: "boolean" };
        }
        if (arrays.length > 0) {
            const elements = arrays.flatMap((a) => this.checker.getTypeArguments(a as ts.TypeReference));
            const node = elementNode(site.node);
            const itemMembers = elements.flatMap((e) => this.members(e));
            return {
                type: "array",
                items: this.typeOf(itemMembers, elements.length === 1 ? elements[0] : undefined, {
                    ...site,
                    path: `${site.path}[]`,
                    node,
                }),
            };
        }
        const map = objects.length === 1 ? this.checker.getIndexInfoOfType(objects[0], ts.IndexKind.String) : undefined;
        if (map !== undefined && this.checker.getPropertiesOfType(objects[0]).length === 0) {
            return {
                type: "object",
                additionalProperties: this.typeOf(this.members(map.type), map.type, {
                    ...site,
                    path: `${site.path}{}`,
                    node: valueNode(site.node),
                }),
            };
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
    private nameOf(
        members: ts.Type[],
        original: ts.Type | undefined,
        site: Site,
    ): { name: string; symbol?: ts.Symbol } {
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
            const target =
                symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias
                    ? this.checker.getAliasedSymbol(symbol)
                    : symbol;
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
            this.problems.push(
                `${site.path}: the type \`${token}\` would have the token of a resource; rename \`${name}\`.`,
            );
        }
        const identity = objects.map((o) => (o as { id?: number }).id).join("|");
        if (this.claim(token, identity, site)) {
            this.types[token] = { type: "object" };
            const own = this.objectProperties(objects, {
                module: site.module,
                path: token,
                owner: schema,
                property: "",
            });
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
        const required = objects.map((o) =>
            this.checker
                .getPropertiesOfType(o)
                .filter(
                    (p) =>
                        !(p.flags & ts.SymbolFlags.Optional) &&
                        this.members(this.checker.getTypeOfSymbol(p)).length > 0,
                )
                .map((p) => p.name),
        );
        // What tells the alternatives apart: what each requires beyond what they all require.
        const common = required.reduce((a, b) => a.filter((n) => b.includes(n)));
        const combos = [
            ...new Set(
                required.map((names) =>
                    names
                        .filter((n) => !common.includes(n))
                        .map((n) => `\`${n}\``)
                        .join(" with "),
                ),
            ),
        ];
        if (combos.length < 2 || combos.includes("")) {
            return "";
        }
        return (
            `A schema cannot say "one of": this type holds every alternative's properties and requires only what all of them require.` +
            ` The component accepts exactly one of ${combos.join("; or ")}, and refuses any other combination with the same error in every language.`
        );
    }

    /**
     * The properties of one of `objects` (a union's members, or one type), each required only when
     * every member requires it; a property typed `never` in a member is absent from it.
     */
    private objectProperties(
        objects: ts.Type[],
        site: Site,
    ): { properties: Record<string, SchemaType>; required: string[] } {
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
            const decl = symbols
                .map((s) => s.declarations?.[0])
                .find((d) => d !== undefined && (ts.isPropertySignature(d) || ts.isPropertyDeclaration(d))) as
                ts.PropertySignature | undefined;
            const propSite: Site = {
                module: site.module,
                path: `${site.path}.${name}`,
                owner: site.owner,
                property: name,
                node: decl?.type,
            };
            const distinct = [...new Set(types)];
            const spec = this.typeOf(
                distinct.flatMap((t) => this.members(t)),
                distinct.length === 1 ? distinct[0] : undefined,
                propSite,
            );
            const doc = this.propertyDoc(symbols, spec);
            const literal = symbols.length === objects.length ? literalDefault(doc.default, spec.type) : undefined;
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
    return n !== undefined && ts.isTypeReferenceNode(n) && n.typeName.getText() === "Record"
        ? n.typeArguments?.[1]
        : undefined;
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
        const defined = node.types.filter(
            (t) =>
                t.kind !== ts.SyntaxKind.UndefinedKeyword &&
                !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword),
        );
        return defined.length === 1 ? unwrapNode(defined[0]) : node;
    }
    if (
        ts.isTypeReferenceNode(node) &&
        /(^|\.)(Input|Output|Readonly)$/.test(node.typeName.getText()) &&
        node.typeArguments?.length === 1
    ) {
        return unwrapNode(node.typeArguments[0]);
    }
    return node;
}

/** The name a declared type refers to (`AwsTrust` in `readonly trust?: AwsTrust`), if it is a plain reference. */
function declaredName(node: ts.TypeNode | undefined): ts.EntityName | undefined {
    const n = unwrapNode(node);
    return n !== undefined &&
        ts.isTypeReferenceNode(n) &&
        (n.typeArguments === undefined || n.typeArguments.length === 0)
        ? n.typeName
        : undefined;
}
