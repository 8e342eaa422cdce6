import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/**
 * The code a cloud function runs, gathered from `components/runtime/` (DESIGN.md, "runtime/"):
 * the entry file and the files it requires, transitively, by relative path, and nothing else.
 * Paths are relative to `runtime/` and keep its layout (`aws/rotate-secret.js`,
 * `aws/rotation.js`, `value.js`), so the compiled `require("../value")` still resolves inside
 * the archive. Packages a file requires by name (`@aws-sdk/…`, `@google-cloud/…`, `crypto`) are
 * not included: the AWS Lambda Node.js runtime provides SDK v3, and a Google function declares
 * its own in a `package.json` the component adds (`extraFiles`).
 */
export interface RuntimeBundle {
    /** Archive path → JavaScript text, sorted by path. */
    readonly files: ReadonlyMap<string, string>;
    /** The entry file's path without `.js`, e.g. `aws/rotate-secret` (Lambda's handler is `${entry}.handler`). */
    readonly entry: string;
}

/** Where the runtime code is: beside this file's folder, in `components/` (source) or `bin/` (the published package). */
const RUNTIME_ROOT = path.resolve(__dirname, "../runtime");

const bundles = new Map<string, RuntimeBundle>();

/**
 * The bundle of one runtime entry (`"aws/rotate-secret"`). Read from the compiled `.js` files of
 * the published package; when the package runs from source (tests, the demo), each `.ts` file is
 * transpiled with TypeScript, which is then a devDependency at hand. Built once per entry and
 * process: a thousand secrets that share one rotator cost one read.
 */
export function runtimeBundle(entry: string, root: string = RUNTIME_ROOT): RuntimeBundle {
    const key = `${root}\0${entry}`;
    let bundle = bundles.get(key);
    if (bundle === undefined) {
        bundle = collect(entry, root);
        bundles.set(key, bundle);
    }
    return bundle;
}

/**
 * The bundle as a Pulumi archive (the engine zips it), with `extraFiles` added (for example a
 * Google function's `package.json`). The content is a pure function of the package's code, so
 * the asset's hash, and so the function, change only when the package's runtime code changes.
 * Made once per entry, extra files and process: every function of a stack that runs the same
 * code shares one archive.
 */
export function runtimeArchive(
    entry: string,
    extraFiles: Readonly<Record<string, string>> = {},
): pulumi.asset.AssetArchive {
    const key = `${entry}\0${JSON.stringify(extraFiles)}`;
    let archive = archives.get(key);
    if (archive === undefined) {
        const assets: Record<string, pulumi.asset.Asset> = {};
        for (const [file, text] of runtimeBundle(entry).files) {
            assets[file] = new pulumi.asset.StringAsset(text);
        }
        for (const [file, text] of Object.entries(extraFiles)) {
            assets[file] = new pulumi.asset.StringAsset(text);
        }
        archive = new pulumi.asset.AssetArchive(assets);
        archives.set(key, archive);
    }
    return archive;
}

const archives = new Map<string, pulumi.asset.AssetArchive>();

function collect(entry: string, root: string): RuntimeBundle {
    const files = new Map<string, string>();
    const pending = [path.posix.normalize(entry)];
    while (pending.length > 0) {
        const file = pending.pop()!;
        if (files.has(`${file}.js`)) {
            continue;
        }
        const text = load(file, root);
        files.set(`${file}.js`, text);
        for (const match of text.matchAll(/\brequire\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)) {
            const required = path.posix.normalize(
                path.posix.join(path.posix.dirname(file), match[1].replace(/\.js$/, "")),
            );
            if (required.startsWith("..")) {
                throw new Error(
                    `The runtime file ${file}.js requires ${match[1]}, outside runtime/: runtime code imports nothing from components/ (DESIGN.md).`,
                );
            }
            pending.push(required);
        }
    }
    return { entry, files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

function load(file: string, root: string): string {
    const compiled = path.join(root, `${file}.js`);
    if (fs.existsSync(compiled)) {
        return fs.readFileSync(compiled, "utf8");
    }
    const source = path.join(root, `${file}.ts`);
    if (!fs.existsSync(source)) {
        throw new Error(
            `The runtime file ${file} is missing: neither ${compiled} nor ${source} exists. Reinstall pulumi-nhi.`,
        );
    }
    // Only when running from source: the published package holds the compiled files.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only here, and only from source: typescript is a devDependency
    const ts = require("typescript") as typeof import("typescript");
    return ts.transpileModule(fs.readFileSync(source, "utf8"), {
        fileName: source,
        compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.CommonJS,
            esModuleInterop: true,
            sourceMap: false,
        },
    }).outputText;
}
