import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

const ROOT = path.join(__dirname, "..", "..");

/**
 * The API reference (`npm run docs`) is generated from scripts/api-reference: entries that export
 * what the package's entries export, plus each component class as a class, so that the reference
 * shows its constructor. These tests keep the two in step.
 */
const ENTRIES: Array<{ entry: string; source: string; reference: string; classes: Record<string, string> }> = [
    { entry: "pulumi-nhi", source: "components/index.ts", reference: "scripts/api-reference/index.ts", classes: {} },
    {
        entry: "pulumi-nhi/aws",
        source: "components/aws/index.ts",
        reference: "scripts/api-reference/aws.ts",
        classes: {
            AwsServiceIdentity: "ServiceIdentity",
            AwsAccessKeyIdentity: "AccessKeyIdentity",
            AwsRotatingSecret: "RotatingSecret",
            AwsSecretRotator: "SecretRotator",
            AwsUsageMonitor: "UsageMonitor",
        },
    },
    {
        entry: "pulumi-nhi/gcp",
        source: "components/gcp/index.ts",
        reference: "scripts/api-reference/gcp.ts",
        classes: {
            GcpServiceIdentity: "ServiceIdentity",
            GcpRotatingSecret: "RotatingSecret",
            GcpSecretRotator: "SecretRotator",
            GcpDeprovisioner: "Deprovisioner",
            GcpUsageMonitor: "UsageMonitor",
        },
    },
];

/** The first doc comment of a file, without its `@module` line. */
function moduleComment(file: string): string {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const comment = /^\/\*\*[\s\S]*?\*\//.exec(text)?.[0];
    assert.ok(comment, `${file} starts with no doc comment`);
    return comment.replace(/\n \* @module \w+/, "");
}

describe("the API reference's entries (scripts/api-reference)", () => {
    for (const { entry, source, reference, classes } of ENTRIES) {
        it(`${entry}: exports what the package's entry does, and its component classes as the very classes its components are`, () => {
            // GIVEN the package's entry and the reference's
            const real = require(path.join(ROOT, source));
            const ref = require(path.join(ROOT, reference));
            // THEN the reference has every export of the entry, and the classes besides
            assert.deepStrictEqual(Object.keys(ref).sort(), [...Object.keys(real), ...Object.keys(classes)].sort());
            // AND each class is the one the component's export constructs (aws.ServiceIdentity is AwsServiceIdentity)
            for (const [className, exported] of Object.entries(classes)) {
                assert.strictEqual(ref[className], real[exported], `${className} is not ${entry}'s ${exported}`);
            }
            // AND every component the entry exports has its class there (a new component needs a line in the reference)
            const components = Object.keys(real).filter(
                (k) => typeof real[k] === "function" && real[k].prototype instanceof pulumi.ComponentResource,
            );
            assert.deepStrictEqual(components.sort(), Object.values(classes).sort());
        });

        it(`${entry}: has the same module comment as the package's entry`, () => {
            assert.strictEqual(moduleComment(reference), moduleComment(source));
        });
    }

    it("is what typedoc.json documents, with pulumi-nhi/testing itself", () => {
        const config = fs.readFileSync(path.join(ROOT, "typedoc.json"), "utf8");
        const entryPoints = JSON.parse(/"entryPoints":\s*(\[[^\]]*\])/.exec(config)![1]);
        assert.deepStrictEqual(entryPoints, [...ENTRIES.map((e) => e.reference), "components/testing/index.ts"]);
    });
});
