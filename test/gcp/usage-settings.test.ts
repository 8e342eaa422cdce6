import * as assert from "assert";
import { GCP_MONITOR_TARGETS, gcpMonitors, registerGcpUsageMonitor } from "../../components/gcp/usage-settings";
import { notAmongTargetsProblem } from "../../components/core/usage-monitors";

/*
 * The usage settings of the Google identities (`unusedAlarm`, `expiryNoticeDays`) and of rotating
 * secrets (`rotationAlarm`): how each finds the `gcp.UsageMonitor` of its project, the ownership
 * record and labels the monitor reads, and the bad input they refuse.
 */

const CHANNEL = "projects/acme-prod/notificationChannels/1234567890";

describe("Google usage settings", () => {
    describe("registerGcpUsageMonitor", () => {
        it("makes the monitor the one of its project, for the identities of that project only", () => {
            // GIVEN a monitor component registered for acme-registry
            const monitor = {};
            const entry = { name: "usage", project: "acme-registry", notifyChannels: [CHANNEL] };
            registerGcpUsageMonitor(monitor, entry);
            // WHEN an identity of that project, or of another, looks  THEN only the former finds it
            assert.deepStrictEqual(gcpMonitors.lookup("acme-registry"), { found: [entry] });
            assert.deepStrictEqual(gcpMonitors.lookup("acme-registry-2"), {});
            assert.strictEqual(gcpMonitors.entryOf(monitor), entry);
        });

        it("a channel must be one the monitor notifies; a name that is no channel is left to its own check", () => {
            const found = [{ name: "usage", project: "acme-prod", notifyChannels: [CHANNEL] }];
            const other = "projects/acme-prod/notificationChannels/42";
            assert.strictEqual(notAmongTargetsProblem("unusedAlarm.notify", other, found, [CHANNEL], GCP_MONITOR_TARGETS),
                `\`unusedAlarm.notify\` \`${other}\` is not among the \`notifyChannels\` of the \`gcp.UsageMonitor\` \`usage\` (\`${CHANNEL}\`), the only channels it notifies (one alerting policy each): add it to \`notifyChannels\`, or notify one of those.`);
            assert.strictEqual(notAmongTargetsProblem("unusedAlarm.notify", "42", found, [CHANNEL], GCP_MONITOR_TARGETS), undefined);
        });
    });
});
