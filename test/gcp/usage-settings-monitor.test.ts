import * as assert from "assert";
import { gcp } from "../../components";
import { registerGcpUsageMonitor } from "../../components/gcp/usage-settings";
import { MonitorDeps, NoticePayload, monitorEvent, monitorUsage } from "../../components/runtime/gcp/usage-monitor";
import { capture, ofType } from "../../components/testing";
import { DAY, FakeGoogleProject, PROJECT } from "../runtime/gcp/fake-usage-project";

/*
 * What the Google components record, read by the real usage monitor function: an account and a
 * rotating secret declared under the mocks, loaded into the monitor's fake project as Google would
 * hold them (the account's description, the secret's labels), then the function run day by day.
 */

const CHANNEL_ID = "5550001";
/** The components' project: its own, so that no other test's monitor of the same project is found (the fake project's ID does not appear in what they record). */
const DECLARED = "acme-monitored";
const CHANNEL = `projects/${DECLARED}/notificationChannels/${CHANNEL_ID}`;
const BUCKET = "acme-nhi-state";
const START = new Date(Date.UTC(2027, 0, 1, 3));
const EXPIRY = "2027-03-01T00:00:00Z";

describe("Google usage settings, read by the usage monitor function", function () {
    this.timeout(30_000);

    it("an account idle past `afterDays`, then `expiring` `expiryNoticeDays` before its expiry, and a secret whose rotation stalled: one notice each, to the channel", async () => {
        // GIVEN the project's monitor, an identity noticed after 10 idle days and 30 days before its expiry, and a rotating secret, both to CHANNEL
        const { resources } = await capture(() => {
            registerGcpUsageMonitor({}, { name: "usage", project: DECLARED, notifyChannels: [CHANNEL] });
            new gcp.ServiceIdentity("report-renderer", {
                project: DECLARED,
                owner: "team-reports",
                purpose: "Renders monthly reports",
                grants: [],
                expiresAt: EXPIRY,
                unusedAlarm: { afterDays: 10, notify: CHANNEL },
                expiryNoticeDays: 30,
            });
            new gcp.RotatingSecret("webhook-signing", {
                project: DECLARED,
                region: "europe-west1",
                owner: "team-payments",
                purpose: "Signs webhooks",
                rotateEveryDays: 7,
                rotationAlarm: { notify: CHANNEL },
            });
        });
        const account = ofType(resources, "gcp:serviceaccount/account:Account").find(
            (r) => r.name === "report-renderer-sa",
        )!;
        const secret = ofType(resources, "gcp:secretmanager/secret:Secret").find(
            (r) => r.name === "webhook-signing-secret",
        )!;
        // AND the project as Google holds them: the account's description, the secret's labels and a first version
        const p = new FakeGoogleProject(START);
        const email = p.addAccount(account.inputs.accountId, account.inputs.description);
        const secretName = p.addSecret(secret.inputs.secretId, secret.inputs.labels, [START.getTime()]);
        const deps: MonitorDeps = {
            apis: async () => p,
            now: () => p.now(),
            sleep: p.sleep,
            random: () => 0.5,
            log: () => undefined,
        };
        const notices = () =>
            p.entries
                .filter((e) => e.labels["nhi-channel"] === CHANNEL_ID)
                .flatMap((e) =>
                    (e.jsonPayload as NoticePayload).changes.map((c) => `${c.identity} ${c.previousState}→${c.state}`),
                );
        // WHEN the function runs twice a day for 40 days, the account used on day 0 only
        p.use(email);
        for (let half = 0; half < 80; half++) {
            await monitorUsage(monitorEvent(PROJECT, BUCKET, false), deps);
            p.time += DAY / 2;
        }
        // THEN the channel hears: the secret stale after 7 + 1 days without a version, the account idle after 10 days, then expiring 30 days before 1 March
        assert.deepStrictEqual(notices(), [
            `${secretName} ok→rotation-stale`,
            `${email} ok→idle`,
            `${email} idle→expiring`,
        ]);
    });
});
