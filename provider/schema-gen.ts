import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { Cloud, Component, PackageSchema, SchemaBuilder, SchemaObject } from "./schema-types";

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
 * How each TypeScript type becomes a schema type: `schema-types.ts`.
 */

/** The repository's root. */
const ROOT = path.resolve(__dirname, "..");
/** Where `npm run schema` writes the schema. */
export const SCHEMA_PATH = path.join(ROOT, "provider", "schema.json");
/** The clouds, each a module of the schema and a namespace of the TypeScript API. */
const CLOUDS: readonly Cloud[] = ["aws", "gcp"];

/**
 * Modules replaced by an empty declaration while reading the types: the cloud SDKs' declarations
 * are about 5,000 files, and no argument or output type of a component needs them (the classes
 * type their children without them, so that no declaration file of the package needs them).
 */
const STUBBED_MODULES = /^(@pulumi\/(aws|gcp|random)|@aws-sdk\/|@cloud-copilot\/|@google-cloud\/)/;
const STUB_FILE = path.join(ROOT, "provider", "__stubbed-module__.d.ts");
const STUB_TEXT = "declare const stubbed: any;\nexport = stubbed;\n";

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
        keywords: [
            "category/cloud",
            "kind/component",
            ...pkg.keywords.filter((k: string) => k !== "pulumi" && k !== "pulumi-component"),
        ],
        homepage: pkg.homepage,
        license: pkg.license,
        repository: String(pkg.repository.url)
            .replace(/^git\+/, "")
            .replace(/\.git$/, ""),
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
    go: {
        importBasePath: "github.com/pulumi-nhi/pulumi-nhi/sdk/go/nhi",
        generateResourceContainerTypes: true,
        respectSchemaVersion: true,
    },
    csharp: { rootNamespace: "Pulumi", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
    java: { basePackage: "io.github.pulumi_nhi" },
};

/** The schema as `npm run schema` writes it: stable key order, four spaces, a final newline. */
export function schemaText(schema: PackageSchema): string {
    return `${JSON.stringify(schema, null, 4)}\n`;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(
        Object.keys(record)
            .sort()
            .map((k) => [k, record[k]]),
    );
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
        literals.map((l) =>
            STUBBED_MODULES.test(l.text)
                ? {
                      resolvedModule: {
                          resolvedFileName: STUB_FILE,
                          extension: ts.Extension.Dts,
                          isExternalLibraryImport: false,
                      },
                  }
                : ts.resolveModuleName(l.text, containing, opts, host),
        );
    return ts.createProgram(entries, options, host);
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
            throw new Error(
                `${cloud}.${exported.name} registers as \`${token}\`; its token must be \`nhi:${cloud}:${exported.name}\`.`,
            );
        }
        const args = signature.parameters[1];
        const argsDecl = args.valueDeclaration as ts.ParameterDeclaration;
        found.push({
            cloud,
            exportName: exported.name,
            token,
            classSymbol,
            instanceType,
            argsType: checker.getTypeOfSymbol(args),
            argsNode: argsDecl.type,
        });
    }
    return found.sort((a, b) => a.token.localeCompare(b.token));
}

function extendsComponentResource(checker: ts.TypeChecker, type: ts.Type): boolean {
    if (!type.isClassOrInterface()) {
        return false;
    }
    return checker
        .getBaseTypes(type)
        .some((b) => b.symbol?.name === "ComponentResource" || extendsComponentResource(checker, b));
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

if (require.main === module) {
    const schema = generateSchema();
    fs.writeFileSync(SCHEMA_PATH, schemaText(schema));
    console.log(
        `wrote ${path.relative(process.cwd(), SCHEMA_PATH)}: ${Object.keys(schema.resources).length} resources, ${Object.keys(schema.types).length} types`,
    );
}
