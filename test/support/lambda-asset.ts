import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Compiles `entry` (a file under components/runtime/aws/) alone with tsc, as a function's asset
 * will hold it, then requires the compiled handler in a fresh Node process whose only other code
 * is the SDK on NODE_PATH, the way Lambda's Node.js runtime provides SDK v3. Returns the files
 * compiled (relative, sorted) and what `typeof handler, handler.length` printed.
 */
export function compileAndLoadAlone(entry: string): { files: string[]; printed: string } {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-asset-"));
    try {
        execFileSync(
            process.execPath,
            [
                path.join(ROOT, "node_modules/typescript/bin/tsc"),
                path.join(ROOT, entry),
                "--outDir",
                out,
                "--target",
                "ES2022",
                "--module",
                "commonjs",
                "--strict",
                "--skipLibCheck",
                "--types",
                "node",
                "--esModuleInterop",
            ],
            { cwd: ROOT, stdio: "pipe" },
        );
        const files = fs
            .readdirSync(out, { recursive: true })
            .map(String)
            .filter((f) => f.endsWith(".js"))
            .sort();
        const handler = files.find((f) => f.endsWith(path.basename(entry).replace(/\.ts$/, ".js")))!;
        const printed = execFileSync(
            process.execPath,
            [
                "-e",
                `const m = require(${JSON.stringify(`./${handler}`)}); console.log(typeof m.handler, m.handler.length)`,
            ],
            { cwd: out, env: { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, "node_modules") }, encoding: "utf8" },
        );
        return { files, printed: printed.trim() };
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}
