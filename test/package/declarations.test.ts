import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/**
 * The packages the declaration files reachable from each public entry import, with the files
 * that import them. Follows relative `from`, `import(…)` and `import "…"` specifiers.
 */
function externalImports(dir: string, entries: readonly string[]): Map<string, string[]> {
    const seen = new Set<string>();
    const external = new Map<string, string[]>();
    const queue = [...entries];
    while (queue.length > 0) {
        const file = path.normalize(queue.pop()!);
        if (seen.has(file)) {
            continue;
        }
        seen.add(file);
        // Comments are not imports (a doc comment may say `… told from "never used …"`).
        const text = fs
            .readFileSync(path.join(dir, file), "utf8")
            .replace(/\/\*[\s\S]*?\*\//g, "")
            .replace(/^\s*\/\/.*$/gm, "");
        for (const [, specifier] of text.matchAll(/(?:from\s+|import\(\s*|import\s+)["']([^"']+)["']/g)) {
            if (specifier.startsWith(".")) {
                const base = path.join(path.dirname(file), specifier);
                const found = [`${base}.d.ts`, path.join(base, "index.d.ts")].find((c) =>
                    fs.existsSync(path.join(dir, c)),
                );
                assert.ok(found !== undefined, `${file} imports ${specifier}, which has no declaration file`);
                queue.push(found);
            } else {
                external.set(specifier, [...(external.get(specifier) ?? []), file]);
            }
        }
    }
    return external;
}

describe("the package's declaration files", function () {
    this.timeout(120_000);

    it("import no cloud SDK: a stack type-checks with only the SDK of the cloud it uses installed", () => {
        // GIVEN the declaration files `npm run build` emits
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-dts-"));
        try {
            execFileSync(
                process.execPath,
                [
                    path.join(ROOT, "node_modules/typescript/bin/tsc"),
                    "-p",
                    "tsconfig.build.json",
                    "--emitDeclarationOnly",
                    "--outDir",
                    out,
                ],
                { cwd: ROOT, stdio: "pipe" },
            );
            // WHEN we follow every import from the public entries (pulumi-nhi, /aws, /gcp, /testing)
            const external = externalImports(out, [
                "index.d.ts",
                "aws/index.d.ts",
                "gcp/index.d.ts",
                "testing/index.d.ts",
            ]);
            // THEN the only package they need is @pulumi/pulumi: @pulumi/aws, @pulumi/gcp and @pulumi/random are optional
            // peers, and an AWS-only stack (or a Google-only one) without `skipLibCheck` would fail to compile on any of them
            assert.deepStrictEqual(Object.fromEntries([...external].filter(([pkg]) => pkg !== "@pulumi/pulumi")), {});
            assert.ok(external.has("@pulumi/pulumi"));
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
