import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { run } from "@bufbuild/cel";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { gcp } from "../../components";
import { findRole, isPermission } from "../../components/gcp/catalog";
import { MAX_DESCRIPTION_BYTES, renderOwnershipRecord } from "../../components/gcp/description";
import {
    CLOUD_PLATFORM_SCOPE,
    DEPROVISIONER_GRACE_DAYS,
    DISABLE_PERMISSION,
    deprovisionSchedule,
    deprovisionerCondition,
    disableUri,
    planGcpDeprovisioner,
} from "../../components/gcp/deprovision";
import { customRoleId, planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { capture, ofType, Registered, valueOf } from "../../components/testing";
import { BadInput, TABLE_NOW, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";

const EXPIRY = "2099-06-30T00:00:00Z";
const BASE = { project: "acme-prod", owner: "team-reports", purpose: "Renders monthly reports" };
const GRANTS: gcp.GcpGrant[] = [{ role: "roles/storage.objectViewer", resource: { bucket: "reports" } }];
const UNIQUE_ID = "104200000000000000001"; // the mock's unique ID of every account
const JOB = "gcp:cloudscheduler/job:Job";
const SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";

function atTime(expression: string, instant: string): unknown {
    return run(expression, { request: new Map([["time", timestampFromDate(new Date(instant))]]) });
}

function named(resources: readonly Registered[], name: string): Registered {
    const found = resources.find((r) => r.name === name);
    assert.ok(found, `no resource named ${name} among ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

describe("gcp deprovisioning: when the job fires", () => {
    const table: [string, string, string][] = [
        // expiresAt, fires at, cron (minute hour day month, any weekday)
        ["2027-01-31T00:00:00Z", "2027-01-31T00:00:00Z", "0 0 31 1 *"],
        ["2027-06-15T09:30:00Z", "2027-06-15T09:30:00Z", "30 9 15 6 *"],
        ["2027-06-15T09:30:01Z", "2027-06-15T09:31:00Z", "31 9 15 6 *"], // never before the instant: rounded up
        ["2027-06-15T09:59:59Z", "2027-06-15T10:00:00Z", "0 10 15 6 *"],
        ["2027-12-31T23:59:30Z", "2028-01-01T00:00:00Z", "0 0 1 1 *"], // across the year
        ["2028-02-29T12:00:00Z", "2028-02-29T12:00:00Z", "0 12 29 2 *"], // repeats in leap years only
    ];
    for (const [expiresAt, at, cron] of table) {
        it(`fires at ${at} (\`${cron}\`) for expiresAt ${expiresAt}`, () => {
            assert.deepStrictEqual(deprovisionSchedule(expiresAt), { at, cron });
        });
    }

    it("fires within the minute after expiresAt, never before, at the minute its cron names (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: Date.UTC(2026, 0, 1) / 1000, max: Date.UTC(2199, 0, 1) / 1000 }),
                (seconds) => {
                    const expiresAt = `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
                    const { at, cron } = deprovisionSchedule(expiresAt);
                    const lag = Date.parse(at) - seconds * 1000;
                    assert.ok(lag >= 0 && lag < 60_000, `${at} is ${lag} ms after ${expiresAt}`);
                    const d = new Date(at);
                    assert.strictEqual(d.getUTCSeconds(), 0);
                    assert.strictEqual(
                        cron,
                        `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`,
                    );
                },
            ),
            { numRuns: 300 },
        );
    });
});

describe("gcp deprovisioning: the deprovisioner's IAM Condition (CEL, as Google evaluates it)", () => {
    const condition = deprovisionerCondition("2027-01-31T00:00:00Z");

    it("is exactly the window from expiresAt to seven days later", () => {
        assert.strictEqual(DEPROVISIONER_GRACE_DAYS, 7);
        assert.deepStrictEqual(condition, {
            title: "deprovision at 2027-01-31T00:00:00Z",
            description:
                "pulumi-nhi: may disable this account from its expiry, 2027-01-31T00:00:00Z, until 2027-02-07T00:00:00Z.",
            expression:
                'request.time >= timestamp("2027-01-31T00:00:00Z") && request.time < timestamp("2027-02-07T00:00:00Z")',
        });
        assert.ok(condition.title.length <= 100, "Google: a condition title holds 100 characters");
    });

    const cases: [string, boolean][] = [
        ["2026-12-01T00:00:00Z", false], // the deprovisioner cannot disable the account early
        ["2027-01-30T23:59:59Z", false],
        ["2027-01-31T00:00:00Z", true], // from the instant the identity's own bindings stop holding
        ["2027-01-31T00:17:00Z", true], // Cloud Scheduler's retries
        ["2027-02-06T23:59:59Z", true],
        ["2027-02-07T00:00:00Z", false], // then its access ends too
        ["2028-01-31T00:00:00Z", false], // the job's run a year later is refused
    ];
    for (const [when, allowed] of cases) {
        it(`${allowed ? "holds" : "does not hold"} at ${when}`, () =>
            assert.strictEqual(atTime(condition.expression, when), allowed));
    }

    it("holds at the job's first run, for any expiresAt (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: Date.UTC(2026, 0, 1) / 1000, max: Date.UTC(2199, 0, 1) / 1000 }),
                (seconds) => {
                    const expiresAt = `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
                    const { expression } = deprovisionerCondition(expiresAt);
                    assert.strictEqual(atTime(expression, deprovisionSchedule(expiresAt).at), true);
                    assert.strictEqual(atTime(expression, new Date(seconds * 1000 - 1000).toISOString()), false);
                },
            ),
            { numRuns: 200 },
        );
    });
});

describe("gcp deprovisioning: one identity's lifecycle on an injected clock (CEL, as Google evaluates it)", () => {
    it("works until expiry; from then its bindings are refused and the deprovisioner's job may disable it; a renewal moves both", async () => {
        // GIVEN an identity expiring at 2099-06-30T00:00:00Z, sharing a deprovisioner
        const declare = (expiresAt: string) =>
            capture(() => {
                const d = new gcp.Deprovisioner("life-deprovisioner", { project: "acme-prod", owner: "team-platform" });
                return new gcp.ServiceIdentity("lifecycle", { ...BASE, grants: GRANTS, expiresAt, deprovisioner: d });
            });
        const state = (resources: Registered[], now: string) => ({
            grant: atTime(
                named(resources, "lifecycle-bucket-reports-storage.objectViewer").inputs.condition.expression,
                now,
            ),
            disable: atTime(named(resources, "lifecycle-deprovisioner-disable").inputs.condition.expression, now),
        });
        const first = (await declare(EXPIRY)).resources;
        const firesAt = deprovisionSchedule(EXPIRY).at;
        assert.strictEqual(named(first, "lifecycle-deprovision").inputs.schedule, "0 0 30 6 *");
        // WHEN the clock is before expiry THEN the grant holds and the deprovisioner can do nothing
        assert.deepStrictEqual(state(first, "2099-06-29T23:59:59Z"), { grant: true, disable: false });
        // WHEN the job fires THEN the grant is refused and the deprovisioner may disable the account
        assert.deepStrictEqual(state(first, firesAt), { grant: false, disable: true });
        // WHEN the job fires again a year later THEN it is refused too
        assert.deepStrictEqual(state(first, "2100-06-30T00:00:00Z"), { grant: false, disable: false });
        // WHEN it is renewed before expiry to 2100-01-15T08:00:00Z THEN the job moves and the old instant disables nothing
        const renewed = (await declare("2100-01-15T08:00:00Z")).resources;
        assert.strictEqual(named(renewed, "lifecycle-deprovision").inputs.schedule, "0 8 15 1 *");
        assert.deepStrictEqual(state(renewed, firesAt), { grant: true, disable: false });
        assert.deepStrictEqual(state(renewed, "2100-01-15T08:00:00Z"), { grant: false, disable: true });
    });
});

describe("gcp deprovisioning: Google's catalogue", () => {
    it("knows the custom role's one permission, which no predefined role holds alone", () => {
        assert.strictEqual(DISABLE_PERMISSION, "iam.serviceAccounts.disable");
        assert.ok(isPermission(DISABLE_PERMISSION));
        assert.ok(findRole("roles/iam.serviceAccountAdmin")!.permissions.includes(DISABLE_PERMISSION));
        assert.ok(
            findRole("roles/iam.serviceAccountAdmin")!.permissions.length > 1,
            "the narrowest predefined role holds more",
        );
    });

    it("gives Cloud Scheduler's service agent the permission to mint the deprovisioner's token", () => {
        assert.ok(
            findRole("roles/cloudscheduler.serviceAgent")!.permissions.includes("iam.serviceAccounts.getAccessToken"),
        );
    });

    it("calls the IAM API's disable method on the account's unique ID", () => {
        assert.strictEqual(
            disableUri("acme-prod", UNIQUE_ID),
            `https://iam.googleapis.com/v1/projects/acme-prod/serviceAccounts/${UNIQUE_ID}:disable`,
        );
        assert.strictEqual(CLOUD_PLATFORM_SCOPE, "https://www.googleapis.com/auth/cloud-platform");
    });
});

describe("gcp.Deprovisioner and the identities that share it", () => {
    let resources: Registered[];
    let deprovisioner: gcp.Deprovisioner;

    before(async () => {
        // GIVEN one deprovisioner for the project, and two expiring identities and one that never expires naming it
        ({ value: deprovisioner, resources } = await capture(() => {
            const d = new gcp.Deprovisioner("acme-deprovisioner", {
                project: "acme-prod",
                region: "europe-west1",
                owner: "team-platform",
            });
            new gcp.ServiceIdentity("report-renderer", {
                ...BASE,
                grants: GRANTS,
                expiresAt: EXPIRY,
                deprovisioner: d,
            });
            new gcp.ServiceIdentity("report-mailer", {
                ...BASE,
                grants: [],
                expiresAt: "2099-12-31T23:59:30Z",
                deprovisioner: d,
            });
            new gcp.ServiceIdentity("report-archiver", { ...BASE, grants: [] });
            return d;
        }));
    });

    it("is one service account with no grants and one custom role holding exactly iam.serviceAccounts.disable", async () => {
        const mine = resources
            .filter((r) => r.name.startsWith("acme-deprovisioner"))
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.deepStrictEqual(mine, [
            "gcp:projects/iAMCustomRole:IAMCustomRole acme-deprovisioner-role",
            "gcp:serviceaccount/account:Account acme-deprovisioner-identity-sa",
            "nhi:gcp:Deprovisioner acme-deprovisioner",
            "nhi:gcp:ServiceIdentity acme-deprovisioner-identity",
        ]);
        const role = named(resources, "acme-deprovisioner-role");
        assert.deepStrictEqual(role.inputs.permissions, ["iam.serviceAccounts.disable"]);
        assert.strictEqual(role.inputs.project, "acme-prod");
        assert.strictEqual(role.inputs.roleId, customRoleId("acme-deprovisioner-dep", "deprovisioner"));
        assert.strictEqual(role.inputs.stage, "GA");
        const account = named(resources, "acme-deprovisioner-identity-sa");
        assert.strictEqual(account.inputs.accountId, "acme-deprovisioner-dep");
        assert.deepStrictEqual(gcp.parseOwnershipRecord(account.inputs.description), {
            owner: "team-platform",
            purpose: "Disables service accounts of acme-prod at their expiresAt",
        });
        assert.strictEqual(
            await valueOf(deprovisioner.email),
            "acme-deprovisioner-dep@acme-prod.iam.gserviceaccount.com",
        );
        assert.strictEqual(await valueOf(deprovisioner.role), `projects/acme-prod/roles/${role.inputs.roleId}`);
    });

    it("holds nothing by itself and gets no job of its own: no binding names it but those on the expiring accounts", () => {
        const member = "serviceAccount:acme-deprovisioner-dep@acme-prod.iam.gserviceaccount.com";
        const its = resources.filter((r) => r.inputs.member === member);
        assert.deepStrictEqual(its.map((r) => `${r.type} ${r.name}`).sort(), [
            `${SA_MEMBER} report-mailer-deprovisioner-disable`,
            `${SA_MEMBER} report-renderer-deprovisioner-disable`,
        ]);
        assert.deepStrictEqual(
            ofType(resources, JOB)
                .map((r) => r.name)
                .sort(),
            ["report-mailer-deprovision", "report-renderer-deprovision"],
        );
    });

    it("binds the role on the expiring account alone (its own IAM policy, not the project's), from expiresAt for seven days", async () => {
        const binding = named(resources, "report-renderer-deprovisioner-disable");
        assert.strictEqual(binding.type, SA_MEMBER);
        assert.deepStrictEqual(binding.inputs, {
            serviceAccountId: "projects/acme-prod/serviceAccounts/report-renderer@acme-prod.iam.gserviceaccount.com",
            role: await valueOf(deprovisioner.role),
            member: "serviceAccount:acme-deprovisioner-dep@acme-prod.iam.gserviceaccount.com",
            condition: deprovisionerCondition(EXPIRY),
        });
        assert.strictEqual(binding.parentType, "nhi:gcp:ServiceIdentity");
        assert.ok(
            !resources.some(
                (r) => r.type === "gcp:projects/iAMMember:IAMMember" && String(r.inputs.role).includes("deprovisioner"),
            ),
            "no project binding",
        );
    });

    it("schedules a job in the deprovisioner's region that POSTs the IAM API's disable as the deprovisioner, at expiresAt in UTC, with retries", () => {
        const job = named(resources, "report-renderer-deprovision");
        assert.strictEqual(job.type, JOB);
        assert.strictEqual(job.parentType, "nhi:gcp:ServiceIdentity");
        assert.deepStrictEqual(job.inputs, {
            project: "acme-prod",
            region: "europe-west1",
            description: `pulumi-nhi: disables report-renderer at its expiresAt, ${EXPIRY} (fires ${EXPIRY}, then yearly on that date, refused after 7 days).`,
            schedule: "0 0 30 6 *",
            timeZone: "Etc/UTC",
            attemptDeadline: "60s",
            retryConfig: { retryCount: 5, minBackoffDuration: "60s", maxBackoffDuration: "3600s", maxDoublings: 5 },
            httpTarget: {
                uri: `https://iam.googleapis.com/v1/projects/acme-prod/serviceAccounts/${UNIQUE_ID}:disable`,
                httpMethod: "POST",
                oauthToken: {
                    serviceAccountEmail: "acme-deprovisioner-dep@acme-prod.iam.gserviceaccount.com",
                    scope: "https://www.googleapis.com/auth/cloud-platform",
                },
            },
        });
    });

    it("rounds an expiresAt with seconds up to the next minute, across the year", () => {
        const job = named(resources, "report-mailer-deprovision");
        assert.strictEqual(job.inputs.schedule, "0 0 1 1 *");
        assert.deepStrictEqual(
            named(resources, "report-mailer-deprovisioner-disable").inputs.condition,
            deprovisionerCondition("2099-12-31T23:59:30Z"),
        );
    });

    it("declares nothing for an identity without expiresAt", () => {
        assert.ok(!resources.some((r) => r.name.startsWith("report-archiver-") && r.name.includes("deprovision")));
    });
});

describe("gcp.ServiceIdentity deprovisioning: default, opt-out, renewal", () => {
    it("builds its own deprovisioner when it expires and names none (the safer default)", async () => {
        // GIVEN an expiring identity with no `deprovisioner`
        const { resources } = await capture(
            () => new gcp.ServiceIdentity("ledger-export", { ...BASE, grants: [], expiresAt: EXPIRY }),
        );
        // THEN its own deprovisioner (account `<accountId>-dep`, the one-permission role), the binding and the job, all under it
        const role = named(resources, "ledger-export-deprovisioner-role");
        assert.deepStrictEqual(role.inputs.permissions, [DISABLE_PERMISSION]);
        assert.strictEqual(
            named(resources, "ledger-export-deprovisioner-identity-sa").inputs.accountId,
            "ledger-export-dep",
        );
        assert.strictEqual(named(resources, "ledger-export-deprovisioner").parentType, "nhi:gcp:ServiceIdentity");
        const job = named(resources, "ledger-export-deprovision");
        assert.strictEqual(
            job.inputs.httpTarget.oauthToken.serviceAccountEmail,
            "ledger-export-dep@acme-prod.iam.gserviceaccount.com",
        );
        assert.strictEqual(job.inputs.region, undefined, "the provider's region");
        assert.strictEqual(
            named(resources, "ledger-export-deprovisioner-disable").inputs.member,
            "serviceAccount:ledger-export-dep@acme-prod.iam.gserviceaccount.com",
        );
        // AND the deprovisioner's own identity expires never, so it has no job: exactly one job
        assert.strictEqual(ofType(resources, JOB).length, 1);
    });

    it("declares no job, binding or deprovisioner with `deprovisioner: false`", async () => {
        const { resources } = await capture(
            () =>
                new gcp.ServiceIdentity("ledger-import", {
                    ...BASE,
                    grants: [],
                    expiresAt: EXPIRY,
                    deprovisioner: false,
                }),
        );
        assert.deepStrictEqual(resources.map((r) => r.name).sort(), ["ledger-import", "ledger-import-sa"]);
    });

    it("gives the rotation function of a key no jobs of its own: only the identity's account is disabled", async () => {
        const { resources } = await capture(
            () =>
                new gcp.ServiceIdentity("vendor-feed", {
                    ...BASE,
                    grants: [],
                    expiresAt: EXPIRY,
                    key: { region: "europe-west1", rotateEveryDays: 30 },
                }),
        );
        assert.deepStrictEqual(
            ofType(resources, JOB).map((r) => r.name),
            ["vendor-feed-deprovision"],
        );
        assert.strictEqual(ofType(resources, "nhi:gcp:Deprovisioner").length, 1);
    });

    it("moves the job when expiresAt is renewed: the same children, with a new schedule and window (an update, not a replacement)", async () => {
        // GIVEN the same identity declared with its first and its renewed expiry
        const declare = (expiresAt: string) =>
            capture(() => {
                const d = new gcp.Deprovisioner("renew-deprovisioner", {
                    project: "acme-prod",
                    owner: "team-platform",
                });
                return new gcp.ServiceIdentity("renewed", { ...BASE, grants: [], expiresAt, deprovisioner: d });
            });
        const before = (await declare("2099-03-01T00:00:00Z")).resources;
        const after = (await declare("2100-03-01T06:45:00Z")).resources;
        // THEN the same resources by type and name (Pulumi diffs them in place)
        const keys = (rs: Registered[]) => rs.map((r) => `${r.type} ${r.name}`).sort();
        assert.deepStrictEqual(keys(after), keys(before));
        // AND only the schedule, the description and the binding's condition differ
        const jobBefore = named(before, "renewed-deprovision");
        const jobAfter = named(after, "renewed-deprovision");
        assert.strictEqual(jobBefore.inputs.schedule, "0 0 1 3 *");
        assert.strictEqual(jobAfter.inputs.schedule, "45 6 1 3 *");
        assert.deepStrictEqual(
            { ...jobAfter.inputs, schedule: undefined, description: undefined },
            { ...jobBefore.inputs, schedule: undefined, description: undefined },
        );
        assert.deepStrictEqual(
            named(after, "renewed-deprovisioner-disable").inputs.condition,
            deprovisionerCondition("2100-03-01T06:45:00Z"),
        );
    });
});

// The type says what the planner enforces: `tsc --noEmit` fails if this line compiles.
// @ts-expect-error `deprovisioner` takes a `gcp.Deprovisioner` or `false`, never `true`
const deprovisionerTrue: gcp.GcpServiceIdentityArgs = { ...BASE, grants: [], expiresAt: EXPIRY, deprovisioner: true };

describe("gcp deprovisioning: bad input", () => {
    const DEPROVISIONER_BAD: BadInput[] = [
        {
            what: "a region that is not one",
            args: { project: "acme-prod", owner: "team-platform", region: "Europe" },
            path: "region",
            reason: "`region` must be a Google Cloud region of Cloud Scheduler, such as `europe-west1`; got `Europe`.",
        },
        {
            what: "no owner",
            args: { project: "acme-prod" },
            path: "owner",
            reason: "`owner` is required and must be a non-empty string (the team or person who answers for the deprovisioner); got undefined.",
        },
        {
            what: "an empty purpose",
            args: { project: "acme-prod", owner: "team-platform", purpose: " " },
            path: "purpose",
            reason: "`purpose` must be a non-empty string (why the deprovisioner exists); got only whitespace.",
        },
        {
            what: "an account ID Google refuses",
            args: { project: "acme-prod", owner: "team-platform", accountId: "Dep" },
            path: "accountId",
            reason: "`accountId` must be 6–30 characters: a lower-case letter, then lower-case letters, digits and hyphens, not ending with a hyphen; got `Dep`.",
        },
    ];
    describe("gcp.Deprovisioner", () => {
        itRefusesEach(DEPROVISIONER_BAD, "GcpDeprovisioner", "acme-deprovisioner", (name, args) =>
            planGcpDeprovisioner(name, args),
        );
        itRegistersNothingWhenRefused(() => new gcp.Deprovisioner("bad", { project: "acme-prod", owner: "" }));
    });

    describe("gcp.ServiceIdentity `deprovisioner`", () => {
        let other: gcp.Deprovisioner;
        let same: gcp.Deprovisioner;
        before(async () => {
            ({
                value: [other, same],
            } = await capture(() => [
                new gcp.Deprovisioner("other-deprovisioner", { project: "acme-dev", owner: "team-platform" }),
                new gcp.Deprovisioner("same-deprovisioner", { project: "acme-prod", owner: "team-platform" }),
            ]));
        });
        const refuses = (args: () => any, reason: string) => () => {
            assert.throws(
                () => planGcpServiceIdentity("renderer", { ...BASE, grants: [], ...args() }, TABLE_NOW),
                (e: any) => {
                    assert.ok(pulumi.InputPropertiesError.isInstance(e));
                    assert.deepStrictEqual(e.errors, [{ propertyPath: "deprovisioner", reason }]);
                    return true;
                },
            );
        };
        it(
            "refuses something that is not a gcp.Deprovisioner",
            refuses(
                () => ({ expiresAt: EXPIRY, deprovisioner: "acme-deprovisioner" }),
                "`deprovisioner` must be a `gcp.Deprovisioner` or `false`; got `acme-deprovisioner`.",
            ),
        );
        it(
            "refuses `true` (which does not compile either)",
            refuses(
                () => deprovisionerTrue,
                "`deprovisioner` must be a `gcp.Deprovisioner` or `false`; got boolean `true`.",
            ),
        );
        it(
            "refuses a deprovisioner without expiresAt",
            refuses(
                () => ({ deprovisioner: same }),
                "`deprovisioner` is given, but the identity has no `expiresAt`: there is nothing to deprovision. Set `expiresAt`, or remove `deprovisioner`.",
            ),
        );
        it(
            "refuses the deprovisioner of another project",
            refuses(
                () => ({ expiresAt: EXPIRY, deprovisioner: other }),
                "`deprovisioner` is the deprovisioner of project `acme-dev`, but the account is in `acme-prod`: a project's custom role can be bound only on that project's accounts. Give the `gcp.Deprovisioner` of `acme-prod`.",
            ),
        );
        it("accepts `false` with or without expiresAt", () => {
            assert.strictEqual(
                planGcpServiceIdentity("renderer", { ...BASE, grants: [], deprovisioner: false }, TABLE_NOW)
                    .deprovisioner,
                undefined,
            );
            assert.strictEqual(
                planGcpServiceIdentity(
                    "renderer",
                    { ...BASE, grants: [], expiresAt: EXPIRY, deprovisioner: false },
                    TABLE_NOW,
                ).deprovisioner,
                undefined,
            );
        });
        it("refuses an owner too long for its own deprovisioner's record, on `owner`", () => {
            // An owner that fits the identity's record (its purpose is short) but not its deprovisioner's
            // (whose purpose names the 30-character account ID).
            const name = "report-renderer-for-finance-eu";
            const fits = (record: string) => Buffer.byteLength(record) <= MAX_DESCRIPTION_BYTES;
            const identityRecord = (owner: string) => renderOwnershipRecord({ owner, purpose: "p", expiresAt: EXPIRY });
            const deprovisionerRecord = (owner: string) =>
                renderOwnershipRecord({ owner, purpose: `Disables ${name} at its expiresAt` });
            const owner = "o".repeat(
                [...Array(256).keys()].find(
                    (n) => fits(identityRecord("o".repeat(n))) && !fits(deprovisionerRecord("o".repeat(n))),
                )!,
            );
            assert.throws(
                () =>
                    planGcpServiceIdentity(
                        name,
                        { ...BASE, owner, purpose: "p", grants: [], expiresAt: EXPIRY },
                        TABLE_NOW,
                    ),
                (e: any) => {
                    assert.ok(pulumi.InputPropertiesError.isInstance(e));
                    assert.strictEqual(e.errors.length, 1);
                    assert.strictEqual(e.errors[0].propertyPath, "owner");
                    assert.match(
                        e.errors[0].reason,
                        /^`owner` is recorded on the identity's deprovisioner too, and there: .* Or give a shared `deprovisioner`\.$/,
                    );
                    return true;
                },
            );
        });
    });
});
