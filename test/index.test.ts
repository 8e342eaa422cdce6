import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as nhi from "../components";
import * as nhiAws from "../components/aws";
import * as nhiGcp from "../components/gcp";

const ROOT = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/**
 * The `@pulumi/*` packages a fresh Node process has loaded after `steps` (JavaScript run against
 * the TypeScript sources), one list per step.
 */
function sdksLoadedAfter(steps: readonly string[]): Promise<string[][]> {
    const script = [
        `const loaded = () => [...new Set(Object.keys(require.cache).map((f) => /node_modules[\\\\/](@pulumi[\\\\/][a-z]+)/.exec(f)?.[1]?.replace("\\\\", "/")).filter(Boolean))].sort();`,
        "const out = [];",
        ...steps.map((s) => `${s}; out.push(loaded());`),
        "process.stdout.write(JSON.stringify(out));",
    ].join("\n");
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "-e", script],
            { cwd: ROOT },
            (error, stdout, stderr) => {
                if (error) {
                    reject(new Error(`${error.message}\n${stderr}`));
                } else {
                    resolve(JSON.parse(stdout) as string[][]);
                }
            },
        );
    });
}

describe("the public entry (pulumi-nhi)", () => {
    it("exports the aws and gcp namespaces, each with its component and documented helpers only", () => {
        assert.deepStrictEqual(Object.keys(nhi).sort(), ["aws", "gcp"]);
        assert.deepStrictEqual(Object.keys(nhi.aws).sort(), [
            "AccessKeyIdentity",
            "RotatingSecret",
            "SecretRotator",
            "ServiceIdentity",
            "UsageMonitor",
        ]);
        assert.deepStrictEqual(Object.keys(nhi.gcp).sort(), [
            "Deprovisioner",
            "RotatingSecret",
            "SecretRotator",
            "ServiceIdentity",
            "UsageMonitor",
            "parseOwnershipRecord",
        ]);
        // The subpaths pulumi-nhi/aws and pulumi-nhi/gcp are the same modules.
        assert.strictEqual(nhi.aws, nhiAws);
        assert.strictEqual(nhi.gcp, nhiGcp);
    });

    it("gives the component classes themselves, the same on every read", () => {
        assert.strictEqual(nhi.aws.ServiceIdentity, require("../components/aws/service-identity").AwsServiceIdentity);
        assert.strictEqual(nhi.gcp.ServiceIdentity, require("../components/gcp/service-identity").GcpServiceIdentity);
        assert.strictEqual(nhi.aws.ServiceIdentity, nhi.aws.ServiceIdentity);
        assert.strictEqual(
            nhi.aws.AccessKeyIdentity,
            require("../components/aws/access-key-identity").AwsAccessKeyIdentity,
        );
        assert.strictEqual(nhi.aws.RotatingSecret, require("../components/aws/rotating-secret").AwsRotatingSecret);
        assert.strictEqual(nhi.aws.SecretRotator, require("../components/aws/secret-rotator").AwsSecretRotator);
        assert.strictEqual(nhi.aws.UsageMonitor, require("../components/aws/usage-monitor").AwsUsageMonitor);
        assert.strictEqual(nhi.gcp.Deprovisioner, require("../components/gcp/deprovision").GcpDeprovisioner);
        assert.strictEqual(nhi.gcp.UsageMonitor, require("../components/gcp/usage-monitor").GcpUsageMonitor);
    });

    it("loads a cloud's SDK only when that cloud's ServiceIdentity is first read", async () => {
        // GIVEN a fresh process  WHEN it imports the entry, then reads aws.ServiceIdentity, then gcp.ServiceIdentity
        const loaded = await sdksLoadedAfter([
            'const nhi = require("./components")',
            "nhi.aws.ServiceIdentity",
            "nhi.gcp.ServiceIdentity",
        ]);
        // THEN importing loads @pulumi/pulumi alone, and each cloud's component loads its own SDK only
        // (that Google's does not load AWS's is the static check under "source layout")
        assert.deepStrictEqual(loaded, [
            ["@pulumi/pulumi"],
            ["@pulumi/aws", "@pulumi/pulumi"],
            ["@pulumi/aws", "@pulumi/gcp", "@pulumi/pulumi", "@pulumi/random"],
        ]);
    });
});

describe("package.json", () => {
    it("maps each public subpath to a compiled module of components/ and its types", () => {
        assert.deepStrictEqual(Object.keys(pkg.exports), [
            ".",
            "./aws",
            "./gcp",
            "./testing",
            "./provider",
            "./package.json",
        ]);
        for (const [subpath, target] of Object.entries<any>(pkg.exports)) {
            if (subpath === "./package.json") {
                continue;
            }
            const source = path.join("components", subpath, "index.ts");
            assert.ok(fs.existsSync(path.join(ROOT, source)), `${subpath} has no ${source}`);
            const compiled = `./${path.posix.join("bin", subpath, "index")}`;
            assert.deepStrictEqual(target, { types: `${compiled}.d.ts`, default: `${compiled}.js` });
            // Consumers with moduleResolution node10 find the subpath's types through typesVersions.
            if (subpath !== ".") {
                assert.deepStrictEqual(pkg.typesVersions["*"][subpath.slice(2)], [`${compiled.slice(2)}.d.ts`]);
            }
        }
    });

    it("takes @pulumi/* from the stack as peers (clouds optional) and pins them for its own tests", () => {
        for (const name of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/gcp", "@pulumi/random"]) {
            assert.strictEqual(pkg.dependencies[name], undefined, `${name} is a dependency`);
            const floor = /\d+\.\d+\.\d+/.exec(pkg.peerDependencies[name])?.[0] ?? "";
            const pinned: string = pkg.devDependencies[name];
            assert.match(pinned, /^\d+\.\d+\.\d+$/, `${name} is pinned exactly for the tests`);
            assert.match(pkg.peerDependencies[name], /^\^\d+\.\d+\.\d+$/);
            const [fMajor, ...fRest] = floor.split(".").map(Number);
            const [pMajor, ...pRest] = pinned.split(".").map(Number);
            assert.ok(
                fMajor === pMajor && (fRest[0] < pRest[0] || (fRest[0] === pRest[0] && fRest[1] <= pRest[1])),
                `${name} ${pinned} is outside ${pkg.peerDependencies[name]}`,
            );
        }
        assert.deepStrictEqual(Object.keys(pkg.peerDependenciesMeta).sort(), [
            "@pulumi/aws",
            "@pulumi/gcp",
            "@pulumi/random",
        ]);
    });
});

describe("source layout", () => {
    /** The relative or package imports of every .ts file under `dir`. */
    function importsUnder(dir: string): { file: string; from: string }[] {
        const out: { file: string; from: string }[] = [];
        for (const f of fs
            .readdirSync(path.join(ROOT, dir), { recursive: true })
            .map(String)
            .filter((f) => f.endsWith(".ts"))) {
            const file = path.join(dir, f);
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            for (const m of text.matchAll(/(?:from|require\()\s*"([^"]+)"/g)) {
                out.push({
                    file,
                    from: path.isAbsolute(m[1]) || !m[1].startsWith(".") ? m[1] : path.join(path.dirname(file), m[1]),
                });
            }
        }
        return out;
    }

    it("scripts/ and test/ do not import each other", () => {
        assert.deepStrictEqual(
            importsUnder("scripts").filter((i) => i.from.startsWith(`test${path.sep}`)),
            [],
        );
        assert.deepStrictEqual(
            importsUnder("test").filter((i) => i.from.startsWith(`scripts${path.sep}`)),
            [],
        );
    });

    it("each cloud's adapters import only their own cloud's SDK; core imports none", () => {
        const sdk = (dir: string) =>
            importsUnder(path.join("components", dir))
                .filter((i) => /^@pulumi\/(aws|gcp|random)\b/.test(i.from))
                .map((i) => i.from);
        assert.deepStrictEqual([...new Set(sdk("aws"))], ["@pulumi/aws"]);
        assert.deepStrictEqual([...new Set(sdk("gcp"))].sort(), ["@pulumi/gcp", "@pulumi/random"]);
        assert.deepStrictEqual(sdk("core"), []);
    });

    it("the shipped test harness imports nothing but @pulumi/pulumi and itself", () => {
        const foreign = importsUnder(path.join("components", "testing")).filter(
            (i) => i.from !== "@pulumi/pulumi" && !i.from.startsWith(path.join("components", "testing")),
        );
        assert.deepStrictEqual(foreign, []);
    });
});
