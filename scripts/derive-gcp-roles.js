"use strict";
/**
 * Derives data/gcp/roles.json.gz, the Google Cloud role catalogue pulumi-nhi ships, from the
 * reference data at ../shared/data/gcp-iam-roles.json.gz (derived in turn from iam-dataset, MIT,
 * Copyright (c) 2021 Ian Mckay; see data/gcp/ATTRIBUTION.md).
 *
 *   node scripts/derive-gcp-roles.js [source.json.gz]
 *
 * The shipped form lists every permission once and gives each role the indexes of its
 * permissions: { source, permissions: [name…], roles: { "roles/x": [title, stage, [index…]] } }.
 */
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const ROOT = path.resolve(__dirname, "..");
const source = process.argv[2] ?? path.resolve(ROOT, "..", "shared", "data", "gcp-iam-roles.json.gz");
const target = path.join(ROOT, "data", "gcp", "roles.json.gz");

const input = JSON.parse(zlib.gunzipSync(fs.readFileSync(source)).toString("utf8"));
const permissions = [...new Set(Object.values(input.roles).flatMap((r) => r.permissions))].sort();
const index = new Map(permissions.map((p, i) => [p, i]));
const roles = {};
for (const name of Object.keys(input.roles).sort()) {
    const r = input.roles[name];
    roles[name] = [r.title, r.stage, r.permissions.map((p) => index.get(p)).sort((a, b) => a - b)];
}
const out = {
    source: input.source,
    roleCount: Object.keys(roles).length,
    permissionCount: permissions.length,
    permissions,
    roles,
};
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, zlib.gzipSync(JSON.stringify(out), { level: 9 }));
console.log(
    `wrote ${path.relative(ROOT, target)}: ${out.roleCount} roles, ${out.permissionCount} permissions, ${fs.statSync(target).size} bytes`,
);
