#!/usr/bin/env node
/**
 * `npm run check:package`: the package as a stack gets it. Builds and packs the tarball, then, in
 * two scratch projects under the system's temporary folder (needs the npm registry, about a
 * minute):
 *
 * 1. an AWS-only stack on the versions package-lock.json pins: installs the tarball beside
 *    `@pulumi/pulumi` and `@pulumi/aws` only; checks that npm installed no second copy of a peer and
 *    neither `@pulumi/gcp` nor `@pulumi/random`; runs the README's "Testing your own stack under
 *    mocks" example as written, with mocha; type-checks it with moduleResolution node10, node16 and
 *    bundler; imports the package from an ES module;
 * 2. a stack on the lowest versions the peer ranges admit: declares an identity of each cloud
 *    under `pulumi-nhi/testing`.
 * 3. the plugin `nhi` as packed (node_modules/pulumi-nhi/provider, in project 1): starts as the
 *    nodejs language host starts it (`require` of the folder, the engine's address as argument),
 *    answers GetSchema with provider/schema.json, and constructs an aws.ServiceIdentity over gRPC
 *    against a fake engine that answers as `pulumi-nhi/testing`'s mocks.
 *
 * Prints what it checked and the size of each project's node_modules; exits non-zero on the first
 * failure. Not part of `npm test`, which runs offline.
 */
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cwd, cmd, args) {
    return execFileSync(cmd, args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        maxBuffer: 64 * 1024 * 1024,
    });
}

function check(ok, what) {
    if (!ok) {
        throw new Error(`check-package: ${what}`);
    }
    console.log(`  ok  ${what}`);
}

function sizeMiB(dir) {
    let bytes = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile()) {
            bytes += fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
        }
    }
    return (bytes / 1048576).toFixed(0);
}

/** A scratch project with `dependencies` installed. */
function project(name, dependencies) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nhi-${name}-`));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true }));
    run(dir, npm, ["install", "--no-audit", "--no-fund", ...dependencies]);
    return dir;
}

/** The installed copies of @pulumi/* packages, as paths relative to node_modules. */
function pulumiCopies(dir) {
    const nm = path.join(dir, "node_modules");
    return fs
        .readdirSync(nm, { recursive: true })
        .map(String)
        .filter((f) => /(^|node_modules[\\/])@pulumi[\\/][a-z]+[\\/]package\.json$/.test(f))
        .map((f) => path.dirname(f).split(path.sep).join("/"))
        .sort();
}

/** The README section's code blocks, in order, by language. */
function readmeExample() {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf("## Testing your own stack under mocks");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));
    const ts = blocks.filter((b) => b.lang === "ts");
    const json = blocks.filter((b) => b.lang === "json");
    if (ts.length !== 2 || json.length !== 1) {
        throw new Error(
            "check-package: the README's testing section should hold stack.ts, test/stack.test.ts and .mocharc.json",
        );
    }
    return { stack: ts[0].text, test: ts[1].text, mocharc: json[0].text };
}

function main() {
    console.log("Building and packing…");
    run(ROOT, npm, ["run", "build"]);
    const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-pack-"));
    // --ignore-scripts: built just above; `prepare` would reinstall newest/, which the tarball does not hold.
    const tarball = path.join(
        packDir,
        run(ROOT, npm, ["pack", "--ignore-scripts", "--pack-destination", packDir]).trim().split("\n").pop(),
    );
    const pinned = (name) => `${name}@${pkg.devDependencies[name]}`;

    console.log("\n1. An AWS-only stack on the pinned versions");
    const aws = project("aws-only", [
        tarball,
        pinned("@pulumi/pulumi"),
        pinned("@pulumi/aws"),
        "--save-dev",
        pinned("typescript"),
        pinned("ts-node"),
        pinned("mocha"),
        pinned("@types/mocha"),
        pinned("@types/node"),
    ]);
    check(
        JSON.stringify(pulumiCopies(aws)) === JSON.stringify(["@pulumi/aws", "@pulumi/pulumi"]),
        `one copy each of @pulumi/pulumi and @pulumi/aws, no @pulumi/gcp or @pulumi/random (${pulumiCopies(aws).join(", ")})`,
    );
    const example = readmeExample();
    fs.mkdirSync(path.join(aws, "test"));
    fs.writeFileSync(path.join(aws, "stack.ts"), example.stack);
    fs.writeFileSync(path.join(aws, "test", "stack.test.ts"), example.test);
    fs.writeFileSync(path.join(aws, ".mocharc.json"), example.mocharc);
    // The tsconfig.json of `pulumi new aws-typescript`, with the test runner's types.
    fs.writeFileSync(
        path.join(aws, "tsconfig.json"),
        JSON.stringify(
            {
                compilerOptions: {
                    strict: true,
                    outDir: "bin",
                    target: "es2020",
                    module: "commonjs",
                    moduleResolution: "node",
                    sourceMap: true,
                    experimentalDecorators: true,
                    pretty: true,
                    noFallthroughCasesInSwitch: true,
                    noImplicitReturns: true,
                    forceConsistentCasingInFileNames: true,
                    types: ["node", "mocha"],
                },
                files: ["stack.ts", "test/stack.test.ts"],
            },
            null,
            2,
        ),
    );
    const mocha = run(aws, process.execPath, [path.join(aws, "node_modules", "mocha", "bin", "mocha.js")]);
    check(/1 passing/.test(mocha), "the README's testing example passes under mocha");
    const tsc = path.join(aws, "node_modules", "typescript", "bin", "tsc");
    for (const [module, resolution] of [
        ["commonjs", "node10"],
        ["node16", "node16"],
        ["esnext", "bundler"],
    ]) {
        run(aws, process.execPath, [
            tsc,
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            module,
            "--moduleResolution",
            resolution,
            "--types",
            "node,mocha",
            "stack.ts",
            "test/stack.test.ts",
        ]);
        check(true, `the example type-checks with moduleResolution ${resolution}`);
    }
    fs.writeFileSync(
        path.join(aws, "esm.mjs"),
        'import { aws } from "pulumi-nhi";\nimport { ServiceIdentity } from "pulumi-nhi/aws";\nimport { capture } from "pulumi-nhi/testing";\nconsole.log(aws.ServiceIdentity === ServiceIdentity && typeof capture);\n',
    );
    check(
        run(aws, process.execPath, ["esm.mjs"]).trim() === "function",
        "an ES module imports pulumi-nhi, pulumi-nhi/aws and pulumi-nhi/testing",
    );
    const missing = run(aws, process.execPath, [
        "-e",
        'try { require("pulumi-nhi").gcp.ServiceIdentity } catch (e) { console.log(e.message) }',
    ]);
    check(
        missing.startsWith("`gcp.ServiceIdentity` needs `@pulumi/gcp` and `@pulumi/random`"),
        "reading gcp.ServiceIdentity without Google's SDK says what to install",
    );
    console.log(`  node_modules: ${sizeMiB(path.join(aws, "node_modules"))} MiB (with typescript, ts-node, mocha)`);

    console.log("\n3. The plugin nhi, as packed");
    fs.writeFileSync(
        path.join(aws, "plugin.js"),
        `
const assert = require("assert");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { installMocks } = require("pulumi-nhi/testing");
const plugin = path.join(__dirname, "node_modules", "pulumi-nhi", "provider");
const engine = require(path.join(__dirname, "node_modules", "pulumi-nhi", "bin", "provider", "fake-engine.js"));
(async () => {
    installMocks();
    const fake = await engine.startFakeEngine(pulumi.runtime.getMonitor());
    const provider = await engine.startProvider(process.execPath, [plugin], fake.engineAddress);
    try {
        const schema = await engine.getSchema(provider.client);
        assert.deepStrictEqual(schema, require(path.join(plugin, "schema.json")));
        const { urn, state } = await engine.construct(provider.client, { type: "nhi:aws:ServiceIdentity", name: "worker", monitorAddress: fake.monitorAddress, inputs: {
            owner: "team", purpose: "a worker", trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [{ service: "s3", access: "read", resources: ["arn:aws:s3:::invoices/incoming/*"] }],
        } });
        assert.strictEqual(urn, "urn:pulumi:test::nhi::nhi:aws:ServiceIdentity::worker");
        assert.strictEqual(state.roleArn, "arn:aws:iam::123456789012:role/worker-role-1a2b3c4");
        console.log(schema.name + " " + schema.version + " " + fake.registrations.map((r) => r.type).join(","));
    } finally {
        provider.stop();
        await fake.stop();
    }
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const served = run(aws, process.execPath, ["plugin.js"]).trim();
    check(
        served.startsWith(`nhi ${pkg.version} nhi:aws:ServiceIdentity,aws:iam/role:Role`),
        `the packed plugin starts, answers GetSchema (plugin nhi ${pkg.version}) and constructs an aws.ServiceIdentity over gRPC (${served.split(" ")[2]})`,
    );

    console.log("\n2. A stack on the lowest versions the peer ranges admit");
    const floor = (name) => `${name}@${/\d+\.\d+\.\d+/.exec(pkg.peerDependencies[name])[0]}`;
    const peers = Object.keys(pkg.peerDependencies).map(floor);
    const low = project("floor", [tarball, ...peers]);
    fs.writeFileSync(
        path.join(low, "smoke.js"),
        `
const assert = require("assert");
const { capture, installMocks, ofType, valueOf } = require("pulumi-nhi/testing");
(async () => {
    installMocks({ awsAccountId: "111122223333" });
    const nhi = require("pulumi-nhi");
    const awsIdentity = await capture(() => new nhi.aws.ServiceIdentity("worker", {
        owner: "team", purpose: "a worker", trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [{ service: "s3", access: "read", resources: ["arn:aws:s3:::invoices/incoming/*"] }], expiresAt: "2030-01-01T00:00:00Z",
    }));
    assert.strictEqual(await valueOf(awsIdentity.value.roleArn), "arn:aws:iam::111122223333:role/worker-role-1a2b3c4");
    // Its role, and the role of the schedule that quarantines it at expiresAt (an identity of its own)
    assert.deepStrictEqual(ofType(awsIdentity.resources, "aws:iam/role:Role").map((r) => [r.name, r.parentType]), [["worker-role", "nhi:aws:ServiceIdentity"], ["worker-expiry-role", "nhi:aws:ServiceIdentity"]]);
    const gcpIdentity = await capture(() => new nhi.gcp.ServiceIdentity("reports-deployer", {
        project: "acme-prod", owner: "team", purpose: "deploys",
        trust: { githubActions: { repository: "acme/app", environment: "prod" } },
        grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "reports" } }, { permissions: ["storage.objects.get"], resource: { project: "acme-prod" } }],
    }));
    assert.strictEqual(await valueOf(gcpIdentity.value.email), "reports-deployer@acme-prod.iam.gserviceaccount.com");
    assert.strictEqual(gcpIdentity.resources.length, 9);
    console.log("declared");
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    check(
        run(low, process.execPath, ["smoke.js"]).trim() === "declared",
        `an identity of each cloud declares under mocks on ${peers.join(", ")}`,
    );
    console.log(`  node_modules: ${sizeMiB(path.join(low, "node_modules"))} MiB`);
    console.log(`\nScratch projects (remove when done): ${aws} ${low} ${packDir}`);
}

main();
