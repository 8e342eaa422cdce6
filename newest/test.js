#!/usr/bin/env node
/**
 * `npm run test:newest`: the whole mocha suite again, on the newest `@pulumi/pulumi` 3.x under the
 * Node it requires, both pinned in newest/package.json (installed into newest/node_modules by the
 * root's `prepare`, which `npm ci` runs). Arguments go to mocha in place of the default spec glob,
 * e.g. `npm run test:newest -- test/aws/service-identity.test.ts`.
 *
 * The `node` package (npm) ships the Node binary: its preinstall fetches the platform's
 * `node-<os>-<arch>` package from the npm registry and links the binary at node_modules/node/bin/node.
 * It lives in this nested project rather than in the root's devDependencies because npm links every
 * hoisted package's `bin` into node_modules/.bin, which `npm run` puts first on PATH: a root
 * `node` dependency would put every script, the oldest run included, on Node 22.
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

function installed(request) {
    try {
        return require.resolve(request, { paths: [__dirname] });
    } catch {
        return undefined;
    }
}

const nodePackage = installed("node/package.json");
const sdkPackage = installed("@pulumi/pulumi/package.json");
if (!nodePackage || !sdkPackage || !sdkPackage.startsWith(path.join(__dirname, "node_modules"))) {
    console.error(
        "newest/node_modules is not installed: run `npm ci` (its `prepare` installs it) or `npm ci --prefix newest`.",
    );
    process.exit(1);
}
const node = path.resolve(path.dirname(nodePackage), JSON.parse(fs.readFileSync(nodePackage, "utf8")).bin.node);
const preload = `--require ${JSON.stringify(path.join(__dirname, "redirect-sdk.js"))}`;
const mocha = require.resolve("mocha/bin/mocha.js", { paths: [ROOT] });
const args = process.argv.length > 2 ? process.argv.slice(2) : ["test/**/*.test.ts"];

const { status, signal } = spawnSync(node, [mocha, ...args], {
    cwd: ROOT,
    stdio: "inherit",
    env: {
        ...process.env,
        NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(" "),
        // A test that starts `node` by name gets the same Node.
        PATH: [path.dirname(node), process.env.PATH].join(path.delimiter),
        NHI_PULUMI_SDK: "newest",
    },
});
process.exit(status ?? (signal ? 1 : 0));
