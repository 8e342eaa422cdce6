import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS, NhiProvider, PackageSchema, schemaShaped } from "../../components/provider";
import { installMocks, valueOf } from "../support/mock-graph";

/**
 * The provider in-process, and the plugin folder the engine runs (provider/): what the gRPC tests
 * (grpc.test.ts) take for granted.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = require(path.join(ROOT, "package.json"));
const plugin = require(path.join(ROOT, "provider", "package.json"));
const SCHEMA = require(path.join(ROOT, "provider", "schema.json"));

describe("provider", () => {
    it("constructs exactly the schema's components, each with the class whose type token is its key", () => {
        // GIVEN the tokens the provider constructs and those the schema offers
        // THEN they are the same
        assert.deepStrictEqual(Object.keys(COMPONENTS).sort(), Object.keys(SCHEMA.resources).sort());
        // AND each class registers under its key (its module's `*_TYPE` constant)
        const modules = fs
            .readdirSync(path.join(ROOT, "components", "aws"))
            .map((f) => `aws/${f}`)
            .concat(fs.readdirSync(path.join(ROOT, "components", "gcp")).map((f) => `gcp/${f}`));
        const tokenOf = new Map<unknown, string>();
        for (const file of modules.filter((f) => f.endsWith(".ts") && !f.endsWith("index.ts"))) {
            const m = require(path.join(ROOT, "components", file));
            const constants = Object.keys(m).filter(
                (k) => /_TYPE$/.test(k) && typeof m[k] === "string" && m[k].startsWith("nhi:"),
            );
            for (const constant of constants) {
                const cls = Object.values(m).find(
                    (v) =>
                        typeof v === "function" &&
                        v.name.toUpperCase() === constant.replace(/_TYPE$/, "").replace(/_/g, ""),
                );
                tokenOf.set(cls, m[constant]);
            }
        }
        for (const [token, load] of Object.entries(COMPONENTS)) {
            assert.strictEqual(tokenOf.get(load()), token, `${token} constructs ${load().name}`);
        }
    });

    it("answers GetSchema with provider/schema.json as written, and its version with the package's", async () => {
        const provider = new NhiProvider();
        assert.strictEqual(
            await provider.getSchema(),
            fs.readFileSync(path.join(ROOT, "provider", "schema.json"), "utf8"),
        );
        assert.strictEqual(provider.version, pkg.version);
        // The SDK's server sends a provider's `schema` property as is, when there is one.
        assert.strictEqual((provider as any).schema, undefined);
    });

    it("refuses a token it does not offer, naming those it does", async () => {
        await assert.rejects(new NhiProvider().construct("x", "nhi:aws:Role", {}, {}), {
            message: `unknown resource type nhi:aws:Role; this provider offers ${Object.keys(COMPONENTS).join(", ")}`,
        });
    });

    it("shapes each output as the schema describes it", async () => {
        installMocks();
        // GIVEN a schema with an object type, an array of them, and a resource
        const schema: PackageSchema = {
            types: {
                "nhi:x:Fn": {
                    type: "object",
                    properties: {
                        arn: { type: "string" },
                        tags: { type: "object", additionalProperties: { type: "string" } },
                    },
                },
            },
        };
        const fn = { $ref: "#/types/nhi:x:Fn" };
        const resource = new pulumi.ComponentResource("nhi:x:Thing", "shaped-thing");
        // WHEN values shaped by it
        const table: [unknown, any, unknown][] = [
            // an object type keeps only the properties the schema lists (an instance may hold more)
            [{ arn: "a", internal: resource, tags: { k: "v" } }, fn, { arn: "a", tags: { k: "v" } }],
            // unset properties are left out, not sent as null
            [{ arn: "a", tags: undefined }, fn, { arn: "a" }],
            // arrays element by element
            [[{ arn: "a", extra: 1 }, { arn: "b" }], { type: "array", items: fn }, [{ arn: "a" }, { arn: "b" }]],
            // anything else as it is: strings, resources, `Any`
            ["text", { type: "string" }, "text"],
            [resource, { $ref: "pulumi.json#/Any" }, resource],
            [undefined, fn, undefined],
        ];
        for (const [value, spec, expected] of table) {
            assert.deepStrictEqual(schemaShaped(value, spec, schema), expected);
        }
        // AND through Outputs, keeping them secret
        const shaped = schemaShaped(pulumi.secret({ arn: "a", extra: 1 }), fn, schema) as pulumi.Output<unknown>;
        assert.deepStrictEqual(await valueOf(shaped), { arn: "a" });
        assert.strictEqual(await pulumi.isSecret(shaped), true);
    });

    describe("the plugin folder provider/", () => {
        it("declares a nodejs plugin whose entry serves the compiled provider and exports no component class", () => {
            // The language host hands a module that exports components to componentProviderHost.
            assert.match(
                fs.readFileSync(path.join(ROOT, "provider", "PulumiPlugin.yaml"), "utf8"),
                /^runtime: nodejs$/m,
            );
            assert.strictEqual(plugin.main, "index.js");
            const entry = fs.readFileSync(path.join(ROOT, "provider", "index.js"), "utf8");
            assert.match(entry, /module\.exports = serve\(process\.argv\.slice\(2\)\);/);
            assert.ok(
                pkg.files.includes("provider/index.js") &&
                    pkg.files.includes("provider/PulumiPlugin.yaml") &&
                    pkg.files.includes("provider/package.json") &&
                    pkg.files.includes("provider/schema.json"),
            );
        });

        it("installs, from git, the same version of pulumi-nhi and the peers' ranges", () => {
            // `pulumi package add <repository>/provider@<tag>` runs `npm install` in provider/
            assert.strictEqual(plugin.version, pkg.version);
            assert.deepStrictEqual(plugin.dependencies, { ...pkg.peerDependencies, "pulumi-nhi": pkg.version });
            assert.strictEqual(SCHEMA.name, "nhi");
            assert.strictEqual(SCHEMA.version, pkg.version);
        });
    });
});
