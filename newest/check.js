#!/usr/bin/env node
/**
 * `npm run check:newest` (needs the npm registry, a few seconds; not part of `npm test`, which runs
 * offline): is newest/package.json still the newest end of the range? Exits non-zero, with the
 * pins to write, when a newer `@pulumi/pulumi` 3.x is out or the pinned Node is not of the
 * lowest major that release's `engines.node` admits.
 */
const { execFileSync } = require("child_process");
const path = require("path");

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const pins = require(path.join(__dirname, "package.json")).dependencies;

function view(...args) {
    return JSON.parse(
        execFileSync(npm, ["view", ...args, "--json"], { encoding: "utf8", shell: process.platform === "win32" }),
    );
}

const byVersion = (a, b) => {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};
const releases = [view("@pulumi/pulumi@3", "version")].flat().filter((v) => /^\d+\.\d+\.\d+$/.test(v));
const newest = releases.sort(byVersion).pop();
const engine = view(`@pulumi/pulumi@${newest}`, "engines.node");
const major = Number(/\d+/.exec(engine)[0]);
const problems = [];
if (pins["@pulumi/pulumi"] !== newest) {
    problems.push(`@pulumi/pulumi is pinned at ${pins["@pulumi/pulumi"]}; the newest 3.x is ${newest}`);
}
if (Number(pins.node.split(".")[0]) !== major) {
    problems.push(
        `node is pinned at ${pins.node}; @pulumi/pulumi ${newest} requires Node ${engine}, so pin the newest ${major}.x`,
    );
}
if (problems.length > 0) {
    console.error(
        `newest/package.json is behind:\n  ${problems.join("\n  ")}\nChange the pins there, run \`npm install\` in newest/, then \`npm run test:newest\`.`,
    );
    process.exit(1);
}
console.log(
    `newest/package.json pins the newest @pulumi/pulumi 3.x, ${newest}, on Node ${pins.node} (it requires ${engine}).`,
);
