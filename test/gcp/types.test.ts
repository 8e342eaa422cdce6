import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { TABLE_NOW } from "../support/bad-input";

/**
 * The argument types say what the constructor enforces. `tsc --noEmit` (the first half of
 * `npm test`) checks this file: each `@ts-expect-error` fails the build if its line compiles, so a
 * type that stops refusing a bad shape is caught. Each bad shape is also given to the planner, as a
 * JavaScript caller could, which refuses it with the message at the path shown.
 */

const BASE = { project: "acme-prod", owner: "team-reports", purpose: "Renders monthly reports" } as const;
const bucket = pulumi.output("reports");

// Good shapes compile.
const good: gcp.GcpServiceIdentityArgs[] = [
    { ...BASE, grants: [] },
    { ...BASE, grants: [{ role: "roles/storage.objectViewer", resource: { bucket } }] },
    {
        ...BASE,
        grants: [
            { role: "roles/storage.objectViewer", resource: { bucket: "reports" } },
            { permissions: ["pubsub.topics.publish"], resource: { topic: "rendered" } },
        ],
    },
    {
        ...BASE,
        grants: [{ role: "roles/run.viewer", resource: { project: "acme-prod" } }],
        trust: { githubActions: { repository: "acme/reports", environment: "production" } },
    },
    {
        ...BASE,
        grants: [
            {
                role: "roles/secretmanager.secretAccessor",
                resource: { secret: "projects/987654321/secrets/db-password" },
            },
        ],
        trust: { gkeWorkload: { namespace: "reports", serviceAccount: "renderer" } },
    },
    {
        ...BASE,
        grants: [],
        key: { rotateEveryDays: 90, graceDays: 7, region: "europe-west1", readers: ["group:vendor-ops@example.com"] },
    },
];

// Bad shapes do not.
// prettier-ignore
// @ts-expect-error `role` with `permissions`
const roleAndPermissions: gcp.GcpGrant = { role: "roles/storage.objectViewer", permissions: ["storage.objects.get"], resource: { bucket: "reports" } };
// @ts-expect-error neither `role` nor `permissions`
const neither: gcp.GcpGrant = { resource: { bucket: "reports" } };
// prettier-ignore
// @ts-expect-error two scopes at once
const twoScopes: gcp.GcpGrant = { role: "roles/storage.objectViewer", resource: { bucket: "reports", project: "acme-prod" } };
// @ts-expect-error no scope
const noScope: gcp.GcpGrant = { role: "roles/storage.objectViewer", resource: {} };
// @ts-expect-error `project` scope takes a plain project ID
const lateProject: gcp.GcpGrant = { role: "roles/run.viewer", resource: { project: pulumi.output("acme-prod") } };
// prettier-ignore
// @ts-expect-error two trust kinds at once
const twoTrusts: gcp.GcpTrust = { githubActions: { repository: "acme/reports", environment: "production" }, gkeWorkload: { namespace: "reports", serviceAccount: "renderer" } };
// @ts-expect-error an empty trust: leave `trust` out instead
const emptyTrust: gcp.GcpTrust = {};

// @ts-expect-error a key needs the region of its rotation function
const keyWithoutRegion: gcp.GcpServiceAccountKeyArgs = { rotateEveryDays: 90 };
// @ts-expect-error `rotateEveryDays` is a number of days, not text
const keyPeriodAsText: gcp.GcpServiceAccountKeyArgs = { rotateEveryDays: "90", region: "europe-west1" };
// @ts-expect-error readers are IAM members or identities
const keyReaderNumber: gcp.GcpServiceAccountKeyArgs = { rotateEveryDays: 90, region: "europe-west1", readers: [42] };

// Arguments are read-only, fields and lists alike.
function mutate(
    args: gcp.GcpServiceIdentityArgs,
    grant: gcp.GcpPermissionsGrant,
    trust: gcp.GcpGithubActionsTrust,
): void {
    // @ts-expect-error readonly field
    args.owner = "someone-else";
    // @ts-expect-error readonly list
    args.grants.push({ role: "roles/storage.admin", resource: { bucket: "reports" } });
    // @ts-expect-error readonly list of permissions
    grant.permissions[0] = "storage.objects.delete";
    // @ts-expect-error readonly resource
    grant.resource.bucket = "other";
    // @ts-expect-error readonly trust field
    trust.repository = "acme/other";
}

describe("gcp argument types", () => {
    it("accept the good shapes, which plan without a problem", () => {
        assert.strictEqual(typeof mutate, "function");
        for (const args of good) {
            assert.strictEqual(planGcpServiceIdentity("renderer", args, TABLE_NOW).accountId, "renderer");
        }
    });

    // The shapes tsc refuses above, as a JavaScript caller would pass them, and where the planner blames them.
    const BAD: { what: string; args: any; path: string }[] = [
        { what: "role with permissions", args: { ...BASE, grants: [roleAndPermissions] }, path: "grants[0]" },
        { what: "neither role nor permissions", args: { ...BASE, grants: [neither] }, path: "grants[0]" },
        { what: "two scopes", args: { ...BASE, grants: [twoScopes] }, path: "grants[0].resource" },
        { what: "no scope", args: { ...BASE, grants: [noScope] }, path: "grants[0].resource" },
        {
            what: "project scope as an Output",
            args: { ...BASE, grants: [lateProject] },
            path: "grants[0].resource.project",
        },
        { what: "two trust kinds", args: { ...BASE, grants: [], trust: twoTrusts }, path: "trust" },
        { what: "a key without a region", args: { ...BASE, grants: [], key: keyWithoutRegion }, path: "key.region" },
        {
            what: "a key period as text",
            args: { ...BASE, grants: [], key: keyPeriodAsText },
            path: "key.rotateEveryDays",
        },
        {
            what: "a key reader that is a number",
            args: { ...BASE, grants: [], key: keyReaderNumber },
            path: "key.readers[0]",
        },
    ];
    for (const b of BAD) {
        it(`refuse ${b.what} at run time too`, () => {
            assert.throws(
                () => planGcpServiceIdentity("renderer", b.args, TABLE_NOW),
                (e: any) => {
                    assert.deepStrictEqual(
                        e.errors.map((p: any) => p.propertyPath),
                        [b.path],
                    );
                    return true;
                },
            );
        });
    }

    it("treat an empty trust, which tsc refuses, as no trust at run time", () => {
        assert.deepStrictEqual(
            planGcpServiceIdentity("renderer", { ...BASE, grants: [], trust: emptyTrust }, TABLE_NOW).trust,
            { kind: "none" },
        );
    });
});
