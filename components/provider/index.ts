/**
 * `pulumi-nhi/provider`: the multi-language component provider, plugin `nhi`. Python, Go, .NET,
 * Java and YAML programs declare the same components as TypeScript ones: the engine sends each
 * declaration to this provider (`Construct`), which runs the TypeScript class in this process.
 *
 * Why not `@pulumi/pulumi/provider/experimental`'s `componentProviderHost`: it infers the schema
 * from the classes' TypeScript types and refuses unions (measured with 3.248: `Union types are not
 * supported for component 'AwsServiceIdentity' property 'AwsGrant.access'`), and it accepts only
 * the `index` module (`ComponentProvider.validateResourceType`), where our tokens are
 * `nhi:aws:…` and `nhi:gcp:…`. So the provider is a plain {@link pulumi.provider.Provider}: the
 * schema is the generated `provider/schema.json`, and `construct` calls the classes.
 * @see https://www.pulumi.com/docs/iac/guides/building-extending/packages/source-based-plugin/
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";

/**
 * The package's root: two folders up from this file, in the sources (`components/provider`) as in
 * the build (`bin/provider`).
 */
const PACKAGE_ROOT = path.join(__dirname, "..", "..");
/** The package schema the provider serves, generated from the argument types' doc comments. */
export const SCHEMA_PATH = path.join(PACKAGE_ROOT, "provider", "schema.json");

/** A component class: what `construct` calls with the name, the inputs as args, and the options. */
type ComponentClass = new (name: string, args: any, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/**
 * Each type token the provider constructs, with its class. Loaded on first use through the
 * namespaces' lazy exports, so that `GetSchema` (what `pulumi package add` asks first) loads no
 * cloud SDK, and a stack that declares only Google components never loads `@pulumi/aws`. Every
 * class's own `*_TYPE` constant equals its key here (test/provider/provider.test.ts).
 */
export const COMPONENTS: Readonly<Record<string, () => ComponentClass>> = {
    "nhi:aws:ServiceIdentity": () => require("../aws").ServiceIdentity,
    "nhi:aws:AccessKeyIdentity": () => require("../aws").AccessKeyIdentity,
    "nhi:aws:RotatingSecret": () => require("../aws").RotatingSecret,
    "nhi:aws:SecretRotator": () => require("../aws").SecretRotator,
    "nhi:aws:UsageMonitor": () => require("../aws").UsageMonitor,
    "nhi:gcp:ServiceIdentity": () => require("../gcp").ServiceIdentity,
    "nhi:gcp:RotatingSecret": () => require("../gcp").RotatingSecret,
    "nhi:gcp:SecretRotator": () => require("../gcp").SecretRotator,
    "nhi:gcp:Deprovisioner": () => require("../gcp").Deprovisioner,
    "nhi:gcp:UsageMonitor": () => require("../gcp").UsageMonitor,
};

/** A property's type in the schema: the parts the provider reads. */
export interface TypeSpec {
    readonly type?: string;
    readonly $ref?: string;
    readonly items?: TypeSpec;
    readonly additionalProperties?: TypeSpec;
    readonly properties?: Record<string, TypeSpec>;
}

/** The parts of a package schema the provider reads. */
export interface PackageSchema {
    readonly resources?: Record<string, { readonly properties?: Record<string, TypeSpec> }>;
    readonly types?: Record<string, TypeSpec>;
}

/**
 * The provider: `getSchema` answers `provider/schema.json`; `construct` declares the component of
 * the token with the inputs as its args (the schema's property names are the TypeScript names) and
 * returns, as its state, every output the schema lists for that token, read from the instance.
 *
 * The TypeScript path is untouched: the components still register no outputs (`registerOutputs({})`,
 * see `AwsServiceIdentity`); the state here is what the engine hands to the other language's SDK,
 * which reads the outputs from it. Secret values stay secret: the SDK serializes a secret Output as
 * a secret (`rpc.serializeResourceProperties`).
 */
export class NhiProvider implements provider.Provider {
    readonly version: string;
    private schemaJson?: string;
    private parsed?: PackageSchema;
    /** The components this process constructed, by URN (see {@link NhiProvider.constructedAt}). */
    private readonly constructed = new Map<string, pulumi.Resource>();

    constructor(private readonly schemaPath: string = SCHEMA_PATH) {
        this.version = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")).version;
    }

    async getSchema(): Promise<string> {
        return this.readSchema();
    }

    async construct(
        name: string,
        type: string,
        inputs: pulumi.Inputs,
        options: pulumi.ComponentResourceOptions,
    ): Promise<provider.ConstructResult> {
        const load = COMPONENTS[type];
        if (load === undefined) {
            throw new Error(
                `unknown resource type ${type}; this provider offers ${Object.keys(COMPONENTS).join(", ")}`,
            );
        }
        // The class validates `inputs` as it validates a TypeScript program's args, and throws the
        // same `pulumi.InputPropertiesError`; the provider server sends it to the engine as an
        // INVALID_ARGUMENT status whose details are one `pulumirpc.InputPropertiesError` with every
        // property path (@pulumi/pulumi 3.248 provider/server.js, `buildInvalidPropertiesError`).
        const resource = new (load())(name, inputs, options);
        // The URN as the SDK's provider server reads it (`output(result.urn).promise()`): a failed
        // registration rejects here rather than leaving the call waiting.
        this.constructed.set(await (resource.urn as any).promise(), resource);
        const schema = this.parsedSchema();
        const state: Record<string, unknown> = {};
        for (const [output, spec] of Object.entries(schema.resources?.[type]?.properties ?? {})) {
            state[output] = schemaShaped((resource as any)[output], spec, schema);
        }
        return { urn: resource.urn, state };
    }

    /**
     * The component this process constructed at `urn`: what a reference to it among another
     * component's inputs stands for (an `aws.SecretRotator` as a secret's `rotator`, an
     * `aws.ServiceIdentity` among `readers`), so that the component receives the instance, as in
     * TypeScript. The engine sends every `Construct` of one deployment to one provider process.
     */
    constructedAt(urn: string): pulumi.Resource {
        const found = this.constructed.get(urn);
        if (found === undefined) {
            throw new Error(
                `${urn} is not a component this provider constructed in this deployment: a component passed to another must be declared in the same program.`,
            );
        }
        return found;
    }

    private parsedSchema(): PackageSchema {
        return (this.parsed ??= JSON.parse(this.readSchema()));
    }

    // Not `schema`: the SDK's server sends a provider's `schema` property, when there is one, as is.
    private readSchema(): string {
        return (this.schemaJson ??= fs.readFileSync(this.schemaPath, "utf8"));
    }
}

/**
 * `value` as the schema's `spec` describes it: an object type keeps the properties the schema lists
 * (an instance may hold more, e.g. a helper's internals), arrays and maps element by element,
 * through Outputs; anything else (strings, numbers, resources, `Any`) as it is. Resources go to the
 * engine as resource references; secrets stay secret Outputs.
 */
export function schemaShaped(value: unknown, spec: TypeSpec, schema: PackageSchema): unknown {
    if (value === undefined || value === null) {
        return value;
    }
    if (pulumi.Output.isInstance(value)) {
        return value.apply((v) => schemaShaped(v, spec, schema) as any);
    }
    const object = spec.$ref?.startsWith("#/types/")
        ? schema.types?.[spec.$ref.slice("#/types/".length)]
        : spec.type === "object"
          ? spec
          : undefined;
    if (object?.properties !== undefined && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const shaped: Record<string, unknown> = {};
        for (const [key, property] of Object.entries(object.properties)) {
            if ((value as any)[key] !== undefined) {
                shaped[key] = schemaShaped((value as any)[key], property, schema);
            }
        }
        return shaped;
    }
    if (spec.type === "array" && spec.items !== undefined && Array.isArray(value)) {
        return value.map((v) => schemaShaped(v, spec.items!, schema));
    }
    if (spec.type === "object" && spec.additionalProperties !== undefined && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, schemaShaped(v, spec.additionalProperties!, schema)]),
        );
    }
    return value;
}

/**
 * Serves the provider over gRPC until the engine stops it, printing the port on stdout as the
 * engine expects. `args` are the plugin's arguments: the engine's address first.
 */
export function serve(args: readonly string[]): Promise<void> {
    const nhi = new NhiProvider();
    // A resource reference among the inputs deserializes through the module registered for its
    // package and module (`nhi`, `aws`), else to its bare URN (@pulumi/pulumi 3.248 runtime/rpc.js,
    // `deserializeProperty`), which no component would accept in place of the resource.
    for (const module of ["aws", "gcp"]) {
        pulumi.runtime.registerResourceModule("nhi", module, {
            version: nhi.version,
            construct: (_name, _type, urn) => nhi.constructedAt(urn),
        });
    }
    return provider.main(nhi, [...args]);
}
