import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws, gcp } from "../../components";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { EXPIRY_WARNING_DAYS, expiryWarning } from "../../components/core/expiry";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { capture } from "../support/mock-graph";

const NOW = new Date("2026-11-25T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RENEW =
    "To keep the identity, set a later `expiresAt` and update the stack before then; if it is no longer needed, remove it from the program.";
const AWS_THEN =
    "then AWS stops honouring the role: its trust policy lets nobody assume it and its policies allow nothing.";
const GCP_THEN =
    "then Google stops honouring the account's role bindings, and the bindings that let workloads act as it.";

/** `NOW` plus `ms`, as the UTC instant `parseExpiry` returns. */
function after(ms: number): string {
    return `${new Date(NOW.getTime() + ms).toISOString().slice(0, 19)}Z`;
}

describe("expiryWarning", () => {
    it("warns two weeks ahead: EXPIRY_WARNING_DAYS is 14", () => {
        assert.strictEqual(EXPIRY_WARNING_DAYS, 14);
    });

    const table: [string, number, string | undefined][] = [
        ["no warning 14 days and a second ahead", 14 * DAY + 1000, undefined],
        ["exactly 14 days ahead", 14 * DAY, "14 days"],
        ["days and hours, rounded down", 3 * DAY + 4 * HOUR + 59 * 60_000, "3 days and 4 hours"],
        ["one day and one hour", DAY + HOUR, "1 day and 1 hour"],
        ["whole days", 2 * DAY, "2 days"],
        ["hours only", 5 * HOUR + 1000, "5 hours"],
        ["one hour", HOUR, "1 hour"],
        ["less than an hour", 30 * 60_000, "less than an hour"],
    ];
    for (const [what, ms, left] of table) {
        it(what, () => {
            const expiresAt = after(ms);
            const expected =
                left === undefined ? undefined : `\`expiresAt\` is ${expiresAt}, in ${left}: ${AWS_THEN} ${RENEW}`;
            assert.strictEqual(
                expiryWarning(
                    expiresAt,
                    NOW,
                    "AWS stops honouring the role: its trust policy lets nobody assume it and its policies allow nothing",
                ),
                expected,
            );
        });
    }

    it("says nothing without an expiry, and honours a shorter notice", () => {
        assert.strictEqual(expiryWarning(undefined, NOW, "x"), undefined);
        assert.strictEqual(expiryWarning(after(3 * DAY), NOW, "x", 2), undefined);
    });
});

describe("expiry announced by the identities", () => {
    const awsArgs = {
        owner: "team-data",
        purpose: "nightly export",
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [],
    };
    const gcpArgs = { project: "acme-prod", owner: "team-data", purpose: "nightly export", grants: [] };

    it("plans the warning as data, with the date, the time left and how to renew (AWS and Google)", () => {
        // GIVEN identities expiring in 6 days and 2 hours
        const expiresAt = after(6 * DAY + 2 * HOUR);
        // WHEN they are planned
        // THEN each plan carries the warning its cloud needs, word for word
        assert.deepStrictEqual(planAwsServiceIdentity("export", { ...awsArgs, expiresAt }, NOW).warnings, [
            `\`expiresAt\` is 2026-12-01T14:00:00Z, in 6 days and 2 hours: ${AWS_THEN} ${RENEW}`,
        ]);
        assert.deepStrictEqual(planGcpServiceIdentity("export-sa", { ...gcpArgs, expiresAt }, NOW).warnings, [
            `\`expiresAt\` is 2026-12-01T14:00:00Z, in 6 days and 2 hours: ${GCP_THEN} ${RENEW}`,
        ]);
        // AND an expiry further away, or none, gives no warning
        assert.deepStrictEqual(
            planAwsServiceIdentity("export", { ...awsArgs, expiresAt: after(15 * DAY) }, NOW).warnings,
            [],
        );
        assert.deepStrictEqual(planGcpServiceIdentity("export-sa", gcpArgs, NOW).warnings, []);
    });

    it("logs the warning against the component on every run", async () => {
        // GIVEN identities expiring in 3 days and 2 hours (and a half, so the run's own time does not count)
        const instant = new Date(Date.now() + 3 * DAY + 2.5 * HOUR);
        const expiresAt = `${instant.toISOString().slice(0, 19)}Z`;
        const log = require("@pulumi/pulumi/log");
        const realWarn = log.warn;
        const warned: { message: string; resource?: pulumi.Resource }[] = [];
        log.warn = (message: string, resource?: pulumi.Resource) => {
            warned.push({ message, resource });
            return Promise.resolve();
        };
        try {
            // WHEN they are declared
            const { value } = await capture(() => [
                new aws.ServiceIdentity("expiring", { ...awsArgs, expiresAt }),
                new gcp.ServiceIdentity("expiring-sa", { ...gcpArgs, expiresAt }),
            ]);
            // THEN each warns once, on itself
            assert.deepStrictEqual(warned, [
                {
                    message: `\`expiresAt\` is ${expiresAt}, in 3 days and 2 hours: ${AWS_THEN} ${RENEW}`,
                    resource: value[0],
                },
                {
                    message: `\`expiresAt\` is ${expiresAt}, in 3 days and 2 hours: ${GCP_THEN} ${RENEW}`,
                    resource: value[1],
                },
            ]);
        } finally {
            log.warn = realWarn;
        }
    });
});
