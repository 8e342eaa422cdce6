import * as assert from "assert";
import fc from "fast-check";
import { gcp } from "../../components";
import { renderAuditLogFilter } from "../../components/gcp/audit-filter";
import { capture, valueOf } from "../../components/testing";

const BASE = { project: "acme-prod", owner: "team-reports", purpose: "Renders monthly reports" };
const LOGS =
    'logName:("cloudaudit.googleapis.com%2Factivity" OR "cloudaudit.googleapis.com%2Fdata_access" OR "cloudaudit.googleapis.com%2Fpolicy")';

describe("gcp audit log filter (renderAuditLogFilter)", () => {
    const table: { email: string; filter: string }[] = [
        {
            email: "report-renderer@acme-prod.iam.gserviceaccount.com",
            filter: [
                LOGS,
                'AND (protoPayload.authenticationInfo.principalEmail="report-renderer@acme-prod.iam.gserviceaccount.com"',
                '  OR protoPayload.authenticationInfo.serviceAccountDelegationInfo.firstPartyPrincipal.principalEmail="report-renderer@acme-prod.iam.gserviceaccount.com")',
            ].join("\n"),
        },
        {
            // A project in a domain (`example.com:reports`) gives the account a domain in the email's host.
            email: "exporter@reports.example.com.iam.gserviceaccount.com",
            filter: [
                LOGS,
                'AND (protoPayload.authenticationInfo.principalEmail="exporter@reports.example.com.iam.gserviceaccount.com"',
                '  OR protoPayload.authenticationInfo.serviceAccountDelegationInfo.firstPartyPrincipal.principalEmail="exporter@reports.example.com.iam.gserviceaccount.com")',
            ].join("\n"),
        },
    ];
    for (const { email, filter } of table) {
        it(`renders the exact filter for ${email}`, () => {
            assert.strictEqual(renderAuditLogFilter(email), filter);
        });
    }

    const refused: { email: string; bad: string }[] = [
        { email: 'a"@p.iam.gserviceaccount.com" OR "x', bad: '"\\""' },
        { email: "a\\@p.iam.gserviceaccount.com", bad: '"\\\\"' },
        { email: "a@p.iam.gserviceaccount.com\nOR true", bad: '"\\n"' },
    ];
    it("quotes every service account email exactly twice, so the filter names that account and no other", () => {
        // Google: an account ID is 6–30 of [a-z0-9-] starting with a letter; a project ID 6–30 likewise.
        const id = fc.stringMatching(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
        fc.assert(
            fc.property(id, id, (account, project) => {
                const email = `${account}@${project}.iam.gserviceaccount.com`;
                const filter = renderAuditLogFilter(email);
                assert.strictEqual(filter.split(`="${email}"`).length - 1, 2);
                assert.strictEqual(filter.split('"').length - 1, 6 + 4);
            }),
        );
    });

    for (const { email, bad } of refused) {
        it(`refuses to quote an email holding ${bad}`, () => {
            assert.throws(() => renderAuditLogFilter(email), {
                message: `The audit log filter cannot quote the email ${JSON.stringify(email)}: it holds ${bad}, which could end the audit log filter's string.`,
            });
        });
    }
});

describe("gcp.ServiceIdentity auditLogFilter", () => {
    it("resolves to the filter of the account's own email, registering nothing more", async () => {
        // GIVEN a service account for a report renderer with one grant
        const { value, resources } = await capture(
            () =>
                new gcp.ServiceIdentity("report-renderer", {
                    ...BASE,
                    grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "reports" } }],
                }),
        );
        // WHEN its audit log filter is read
        const filter = await valueOf(value.auditLogFilter);
        // THEN it selects the audit log entries made as that account, or by it through impersonation
        assert.strictEqual(filter, renderAuditLogFilter("report-renderer@acme-prod.iam.gserviceaccount.com"));
        assert.match(
            filter,
            /\nAND \(protoPayload\.authenticationInfo\.principalEmail="report-renderer@acme-prod\.iam\.gserviceaccount\.com"\n/,
        );
        // AND the same Output on every read, and only the account and its binding are registered
        assert.strictEqual(value.auditLogFilter, value.auditLogFilter);
        assert.deepStrictEqual(resources.map((r) => r.type).sort(), [
            "gcp:serviceaccount/account:Account",
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "nhi:gcp:ServiceIdentity",
        ]);
    });
});
