import * as pulumi from "@pulumi/pulumi";
import { MonitorTargets, UsageMonitorRegistry } from "../core/usage-monitors";
import { parseChannelName } from "../runtime/gcp/usage-contract";

/*
 * What a Google identity tells the usage monitor (`gcp.UsageMonitor`) about itself: when it counts
 * as unused, which notification channel hears of it, how long before its expiry to say so.
 * Recorded in the service account's ownership record (its description), as the monitor's contract
 * names the keys (runtime/gcp/usage-contract.ts); a rotating secret's channel in its `nhi-notify`
 * label. And how an identity finds the monitor of its project (core/usage-monitors.ts).
 */

/**
 * What the identities find of a usage monitor: the component's name, the project it watches and
 * the channels it notifies (each gets one log-based alerting policy). Registered by
 * `GcpUsageMonitor`'s constructor ({@link registerGcpUsageMonitor}).
 */
export interface GcpUsageMonitorEntry {
    readonly name: string;
    /** The project ID whose accounts and secrets the monitor checks. */
    readonly project: string;
    /** Full channel names, `projects/<project>/notificationChannels/<id>`. */
    readonly notifyChannels: readonly pulumi.Input<string>[];
}

/** The Google usage monitors of the running program, by project. */
export const gcpMonitors = new UsageMonitorRegistry<GcpUsageMonitorEntry>();

/**
 * Records `monitor` (the `gcp.UsageMonitor` component, from its constructor) as the usage monitor
 * of `entry.project` in the running program, so that the identities and secrets of that project
 * find it by convention, declared before or after it. Google's monitor is found by its project,
 * whatever provider either uses: every resource of this package names its project, so `opts` does
 * not change what is found (taken for the same call as AWS's `registerUsageMonitor`).
 */
export function registerGcpUsageMonitor(monitor: object, entry: GcpUsageMonitorEntry, _opts?: pulumi.ComponentResourceOptions): void {
    gcpMonitors.register(monitor, entry.project, entry);
}

/** How `gcp.UsageMonitor` names the channels it notifies, for messages. */
export const GCP_MONITOR_TARGETS: MonitorTargets<GcpUsageMonitorEntry> = {
    component: "gcp.UsageMonitor",
    field: "notifyChannels",
    noun: "channels",
    verb: "notifies (one alerting policy each)",
    name: (e) => e.name,
    targets: (e) => e.notifyChannels,
    wellFormed: (value) => parseChannelName(value) !== undefined,
};
