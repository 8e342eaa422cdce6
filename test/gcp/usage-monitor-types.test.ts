import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { planGcpUsageMonitor } from "../../components/gcp/usage-monitor";

/*
 * The argument types of gcp.UsageMonitor say what the constructor enforces: `npm test` runs
 * `tsc --noEmit` over this file, so each `@ts-expect-error` must meet an error. The good shapes
 * compile and are accepted; each bad shape is refused at run time too, at the property given.
 */

const CHANNEL = "projects/acme-prod/notificationChannels/1234567890";
const base = {
    project: "acme-prod",
    region: "europe-west1",
    owner: "team-platform",
    notifyChannels: [CHANNEL],
} as const;

/** Good shapes: each compiles. */
const good: gcp.GcpUsageMonitorArgs[] = [
    base,
    {
        ...base,
        purpose: "Watches the payments project",
        schedule: "0 */6 * * *",
        perIdentityMetrics: true,
        alarmChannel: pulumi.output(CHANNEL),
    },
    { project: "acme-prod", region: "europe-west1", owner: "team-platform", notifyChannels: [pulumi.output(CHANNEL)] },
];

/** Bad shapes: each is a type error, and each is refused at run time at the property given. */
// Kept as written: each `@ts-expect-error` applies to the one line after it.
// prettier-ignore
const bad: { args: unknown; path: string }[] = [
    // @ts-expect-error notifyChannels as one string, not a list
    { args: ((): gcp.GcpUsageMonitorArgs => ({ ...base, notifyChannels: CHANNEL }))(), path: "notifyChannels" },
    // @ts-expect-error perIdentityMetrics as text
    { args: ((): gcp.GcpUsageMonitorArgs => ({ ...base, perIdentityMetrics: "true" }))(), path: "perIdentityMetrics" },
    // @ts-expect-error no region
    { args: ((): gcp.GcpUsageMonitorArgs => ({ project: "acme-prod", owner: "team-platform", notifyChannels: [CHANNEL] }))(), path: "region" },
    // @ts-expect-error project as an Output: it names the policies' filters and must be known now
    { args: ((): gcp.GcpUsageMonitorArgs => ({ ...base, project: pulumi.output("acme-prod") }))(), path: "project" },
];

/** Readonly: the arguments cannot be changed after they are written. */
function mutate(args: gcp.GcpUsageMonitorArgs): void {
    // @ts-expect-error `notifyChannels` is a readonly array
    args.notifyChannels.push(CHANNEL);
    // @ts-expect-error `owner` is readonly
    args.owner = "x";
}

describe("gcp.UsageMonitor argument types", () => {
    it("compile for every good shape, which the constructor accepts", () => {
        for (const args of good) {
            assert.strictEqual(planGcpUsageMonitor("typed", args).owner, "team-platform");
        }
        assert.strictEqual(typeof mutate, "function");
    });

    it("refuse at run time every shape tsc refuses, naming the property", () => {
        for (const { args, path } of bad) {
            assert.throws(
                () => planGcpUsageMonitor("typed", args as gcp.GcpUsageMonitorArgs),
                (e: any) => {
                    assert.ok(pulumi.InputPropertiesError.isInstance(e));
                    assert.deepStrictEqual(
                        e.errors.map((p: any) => p.propertyPath),
                        [path],
                    );
                    return true;
                },
            );
        }
    });
});
