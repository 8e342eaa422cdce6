import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runtimeBundle } from "../../components/core/runtime-asset";

const ROOT = path.resolve(__dirname, "../..");

/** Writes a bundle's files to a fresh folder, as the unzipped archive would be. */
function unpack(files: ReadonlyMap<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-bundle-"));
    for (const [file, text] of files) {
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

describe("runtimeBundle: the files a cloud function's archive holds", () => {
    it("holds each entry and exactly the runtime files it requires, in runtime/'s layout", () => {
        // GIVEN the package's three runtime entries; WHEN each is bundled; THEN only its own files are in it.
        assert.deepEqual(
            [...runtimeBundle("aws/rotate-secret").files.keys()],
            ["aws/contract.js", "aws/retry.js", "aws/rotate-secret.js", "aws/rotation.js", "value.js"],
        );
        assert.deepEqual(
            [...runtimeBundle("aws/rotate-access-key").files.keys()],
            ["aws/access-key-contract.js", "aws/retry.js", "aws/rotate-access-key.js", "aws/rotation.js"],
        );
        assert.deepEqual(
            [...runtimeBundle("gcp/index").files.keys()],
            [
                "gcp/index.js",
                "gcp/rotate-secret.js",
                "gcp/rotation.js",
                "gcp/secret-store.js",
                "gcp/value.js",
                "value.js",
            ],
        );
    });

    it("loads in a fresh Node process with only the SDK on the module path, as Lambda runs it", () => {
        for (const entry of ["aws/rotate-secret", "aws/rotate-access-key"]) {
            const dir = unpack(runtimeBundle(entry).files);
            try {
                const printed = execFileSync(
                    process.execPath,
                    ["-e", `const m = require("./${entry}.js"); console.log(typeof m.handler, m.handler.length)`],
                    {
                        cwd: dir,
                        env: { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, "node_modules") },
                        encoding: "utf8",
                    },
                );
                assert.equal(printed.trim(), "function 1", entry);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
    });

    it("transpiles a source file and follows its relative imports, types removed", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-runtime-"));
        try {
            fs.writeFileSync(path.join(root, "entry.ts"), `import { x } from "./dep";\nexport const y: number = x;\n`);
            fs.writeFileSync(path.join(root, "dep.ts"), `export const x = 1;\n`);
            const once = runtimeBundle("entry", root).files;
            assert.deepEqual([...once.keys()], ["dep.js", "entry.js"]);
            assert.match(once.get("entry.js")!, /require\("\.\/dep"\)/);
            assert.doesNotMatch(once.get("entry.js")!, /: number/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("reads the compiled .js of the published package rather than transpiling", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-runtime-"));
        try {
            fs.writeFileSync(path.join(root, "entry.ts"), `export const from = "source";\n`);
            fs.writeFileSync(path.join(root, "entry.js"), `exports.from = "compiled";\n`);
            assert.equal(runtimeBundle("entry", root).files.get("entry.js"), `exports.from = "compiled";\n`);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("refuses a runtime file that reaches outside runtime/, naming it", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-runtime-"));
        try {
            fs.writeFileSync(path.join(root, "entry.js"), `require("../components/core");\n`);
            assert.throws(() => runtimeBundle("entry", root), {
                message:
                    "The runtime file entry.js requires ../components/core, outside runtime/: runtime code imports nothing from components/ (DESIGN.md).",
            });
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
