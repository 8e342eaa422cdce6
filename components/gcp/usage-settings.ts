import * as pulumi from "@pulumi/pulumi";
import { AnyDeferredCheck, checkNowOrLater, checkedAtDeployTime } from "../core/deferred";
import { Problems, describe, numberHint } from "../core/errors";
import { EXPIRY_WARNING_DAYS } from "../core/expiry";
import {
    MonitorLater,
    MonitorTargets,
    UsageMonitorRegistry,
    checkMonitorTargets,
    isWholeIn,
    notAmongTargetsProblem,
    planExpiryNoticeDays,
} from "../core/usage-monitors";
import {
    MAX_UNUSED_DAYS,
    MIN_UNUSED_DAYS,
    NOTIFY_LABEL,
    UsageSettings,
    channelName,
    parseChannelName,
} from "../runtime/gcp/usage-contract";
import type { GcpUsageMonitor } from "./usage-monitor";

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
export function registerGcpUsageMonitor(
    monitor: object,
    entry: GcpUsageMonitorEntry,
    _opts?: pulumi.ComponentResourceOptions,
): void {
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
    // The monitor keys its alerting policies, and the record its channel, by the channel's ID.
    key: (value) => parseChannelName(value)?.id ?? value,
};

/** When a service account counts as unused, and which channel hears of it: `unusedAlarm` of `gcp.ServiceIdentity`. */
export interface GcpUnusedAlarm {
    /**
     * Whole days without any authentication after which the usage monitor notifies `notify` (once,
     * and once more when the account is used again). Use is Policy Analyzer's last authentication
     * of the account or any of its keys, a day late at best (the data is per day and lags); an
     * account never used counts from the first monitor run that saw it. 1–400 (the bound every
     * cloud's monitor shares). Recorded as `"unused"` in the account's description.
     * @see https://cloud.google.com/policy-intelligence/docs/activity-analyzer-service-account-authentication
     */
    readonly afterDays: number;
    /**
     * The notification channel that receives this account's notices, by its full name
     * `projects/<project>/notificationChannels/<id>` (`channel.name` of a
     * `gcp.monitoring.NotificationChannel`): unused, expiring (see `expiryNoticeDays`), expired and,
     * with `key`, a key older than its rotation allows or a key secret whose rotation stalled.
     * The channel must be in the account's project (the monitor's log-based alerting policy reads
     * that project's logs only, and the record holds the channel's ID alone) and among the
     * `notifyChannels` of the project's `gcp.UsageMonitor`. An Output is checked where it resolves.
     * @see https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.notificationChannels
     */
    readonly notify: pulumi.Input<string>;
    /**
     * The usage monitor that checks this account. Only needed where the
     * convention cannot find it: the program's `gcp.UsageMonitor` of the account's project, in
     * any order. Give it in a multi-language program (whose components the provider constructs
     * one by one, never seeing the end of the program) or a test without a stack
     * (`pulumi.runtime.setMocks`), when the monitor is declared after the identity.
     * @default the program's `gcp.UsageMonitor` of the account's project
     */
    readonly monitor?: GcpUsageMonitor;
}

/** Who hears when a secret's rotation stops succeeding: `rotationAlarm` of `gcp.RotatingSecret`. */
export interface GcpRotationAlarm {
    /**
     * The notification channel the usage monitor notifies when no new version of the secret was
     * added for longer than its period plus a day, and again when one is: its full name
     * `projects/<project>/notificationChannels/<id>`, in the secret's project and among the
     * `notifyChannels` of that project's `gcp.UsageMonitor`. Recorded (its ID) in the secret's
     * `nhi-notify` label. An Output is checked where it resolves.
     * @see https://cloud.google.com/secret-manager/docs/secret-rotation
     */
    readonly notify: pulumi.Input<string>;
    /**
     * The usage monitor that checks this secret, where the convention cannot find it (see
     * `unusedAlarm.monitor` of `gcp.ServiceIdentity`).
     * @default the program's `gcp.UsageMonitor` of the secret's project
     */
    readonly monitor?: GcpUsageMonitor;
}

/** The usage settings `gcp.ServiceIdentity` takes, beside its ownership and grants. */
export interface GcpUsageSettingsArgs {
    /**
     * Notify `notify` when nothing has authenticated as the account for `afterDays` days. Needs a
     * `gcp.UsageMonitor` of the account's project in the stack, whose `notifyChannels` hold
     * `notify`: the monitor runs the check twice a day.
     * @default no unused alarm (the monitor still counts the account, and notifies no one)
     * @see https://cloud.google.com/policy-intelligence/docs/activity-analyzer-service-account-authentication
     */
    readonly unusedAlarm?: GcpUnusedAlarm;
    /**
     * How many whole days before `expiresAt` the account counts as expiring: the usage monitor
     * then notifies `unusedAlarm.notify`, and every preview and update warns. 1–90; only with
     * `expiresAt`. Recorded as `"notice"` in the account's description when not 14.
     * @default 14 (the monitor's default and the preview warning's window)
     */
    readonly expiryNoticeDays?: number;
}

/** Where a component looks for its monitor once the program has run, and the words of its messages. */
export interface GcpMonitorLater extends MonitorLater {
    /** The alarm argument, `unusedAlarm` or `rotationAlarm`. */
    readonly alarm: string;
    /** What is checked, `service account` or `secret`. */
    readonly what: string;
}

/** A channel, checked: the full name (plain, or an Input checked where it resolves) and where to find the monitor later, if not yet. */
export interface GcpChannelPlan {
    readonly notify?: pulumi.Input<string>;
    readonly monitorLater?: GcpMonitorLater;
}

/** The usage settings, checked: what the ownership record holds, the channel, the warnings' window. */
export interface GcpUsageSettingsPlan extends GcpChannelPlan {
    /** The record's monitor fields but the channel ID (`notify`), which {@link withChannel} adds. */
    readonly settings: UsageSettings;
    /** Days before `expiresAt` that warnings start: `expiryNoticeDays`, or the default. */
    readonly noticeDays: number;
}

/**
 * A channel ID as long as any (20 digits), to size the record when the channel is known only at
 * deploy time: the record is checked at construction, before anything is registered, against the
 * longest it can be.
 */
export const LONGEST_CHANNEL_ID = "9".repeat(20);

/** The record's monitor fields with the channel's ID, from its full name `notify` (plain and checked). */
export function withChannel(settings: UsageSettings, notify: string | undefined): UsageSettings {
    const id = notify === undefined ? undefined : parseChannelName(notify)?.id;
    return id === undefined ? settings : { ...settings, notify: id };
}

/**
 * The record's monitor fields as the size check counts them: with the channel's ID, or with one as
 * long as any ({@link LONGEST_CHANNEL_ID}) when the channel is known only at deploy time.
 */
export function sizedSettings(settings: UsageSettings, notify: pulumi.Input<string> | undefined): UsageSettings {
    if (notify === undefined) {
        return settings;
    }
    return typeof notify === "string" ? withChannel(settings, notify) : { ...settings, notify: LONGEST_CHANNEL_ID };
}

/**
 * Checks `unusedAlarm` and `expiryNoticeDays` of an account in `project` (undefined when the
 * project is itself invalid), given its validated `expiresAt`; records each problem, a channel
 * known only at deploy time joins `later`. With `unusedAlarm`, finds the project's usage monitor
 * (see {@link planChannel}).
 */
export function planGcpUsageSettings(
    a: Partial<GcpUsageSettingsArgs>,
    project: string | undefined,
    expiryGiven: boolean,
    problems: Problems,
    later: AnyDeferredCheck[],
): GcpUsageSettingsPlan {
    let settings: UsageSettings = {};
    let channel: GcpChannelPlan = {};
    const alarm: unknown = a.unusedAlarm;
    if (alarm !== undefined) {
        if (alarm === null || typeof alarm !== "object" || Array.isArray(alarm) || pulumi.Output.isInstance(alarm)) {
            problems.add(
                "unusedAlarm",
                `\`unusedAlarm\` must be \`{ afterDays, notify }\`, such as \`{ afterDays: 90, notify: channel.name }\`; got ${describe(alarm)}.`,
            );
        } else {
            const { afterDays, notify, monitor } = alarm as Partial<GcpUnusedAlarm>;
            if (isWholeIn(afterDays, MIN_UNUSED_DAYS, MAX_UNUSED_DAYS)) {
                settings = { unusedAfterDays: afterDays };
            } else {
                problems.add(
                    "unusedAlarm.afterDays",
                    `\`unusedAlarm.afterDays\` must be a whole number of days from ${MIN_UNUSED_DAYS} to ${MAX_UNUSED_DAYS}; got ${describe(afterDays)}.${numberHint(afterDays)}`,
                );
            }
            channel = planChannel("unusedAlarm", notify, monitor, project, "service account", problems, later);
        }
    }
    const days = planExpiryNoticeDays(a.expiryNoticeDays, expiryGiven, problems);
    return {
        ...channel,
        settings: days === undefined ? settings : { ...settings, expiryNoticeDays: days },
        noticeDays: days ?? EXPIRY_WARNING_DAYS,
    };
}

/** Checks `rotationAlarm` of a secret in `project`: its channel and monitor (see {@link planChannel}). */
export function planGcpRotationAlarm(
    value: unknown,
    project: string | undefined,
    problems: Problems,
    later: AnyDeferredCheck[],
): GcpChannelPlan {
    if (value === undefined) {
        return {};
    }
    if (value === null || typeof value !== "object" || Array.isArray(value) || pulumi.Output.isInstance(value)) {
        problems.add(
            "rotationAlarm",
            `\`rotationAlarm\` must be \`{ notify }\`, such as \`{ notify: channel.name }\`; got ${describe(value)}.`,
        );
        return {};
    }
    const { notify, monitor } = value as Partial<GcpRotationAlarm>;
    return planChannel("rotationAlarm", notify, monitor, project, "secret", problems, later);
}

/**
 * The problem of a value given at `path` that should be the full name of a notification channel
 * of `project`, with the closest valid name when one is obvious (an ID alone, a name missing its
 * `projects/` part, a project number); undefined for a channel of `project`.
 */
export function channelProblem(path: string, value: unknown, project: string | undefined): string | undefined {
    const form =
        "`projects/<project>/notificationChannels/<id>` (such as `channel.name` of a `gcp.monitoring.NotificationChannel`)";
    const parsed = typeof value === "string" ? parseChannelName(value) : undefined;
    if (parsed !== undefined) {
        // A name with the project's number cannot be compared with the project's ID here: it is
        // taken as it is, as Cloud Monitoring may give it (`parseChannelName`).
        return project === undefined || parsed.project === project || /^[0-9]+$/.test(parsed.project)
            ? undefined
            : `\`${path}\` \`${value}\` is a channel of project \`${parsed.project}\`, but this is in \`${project}\`: the usage monitor notifies only channels of the project it watches (its log-based alerting policies read that project's logs alone). Use a channel of \`${project}\`.`;
    }
    let hint = "";
    if (typeof value === "string") {
        const id = /(?:^|\/)([0-9]{1,20})\/?$/.exec(value.trim())?.[1];
        const named = /(?:^|\/)projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\//.exec(value)?.[1];
        const inProject = project ?? named;
        if (id !== undefined && inProject !== undefined) {
            hint = ` Did you mean \`${channelName(inProject, id)}\`?`;
        }
    }
    return `\`${path}\` must be the full name of a notification channel, ${form}; got ${describe(value)}.${hint}`;
}

/**
 * Checks the channel `value` given at `${alarm}.notify` and finds the usage monitor that will
 * notify it: `monitor` when given, else the program's monitor of `project`; checks that the
 * channel is among the monitor's `notifyChannels` (now, or where they resolve). When no monitor is
 * declared yet, returns where to look once the program has run, if the program may still declare
 * one (it runs in a stack), or records the problem. `what` names the resource in messages.
 */
export function planChannel(
    alarm: string,
    value: unknown,
    monitor: unknown,
    project: string | undefined,
    what: string,
    problems: Problems,
    later: AnyDeferredCheck[],
): GcpChannelPlan {
    const path = `${alarm}.notify`;
    if (typeof value !== "string" && !pulumi.Output.isInstance(value) && !(value instanceof Promise)) {
        problems.add(path, channelProblem(path, value, project)!);
        return {};
    }
    const notify = value as pulumi.Input<string>;
    checkNowOrLater({ path, value: notify, problem: (v) => channelProblem(path, v, project) }, problems, later);
    // A plain value that is no channel of the project is reported once, by its own check; without a project there is no monitor to find.
    if (project === undefined || (typeof notify === "string" && channelProblem(path, notify, project) !== undefined)) {
        return { notify };
    }
    if (monitor !== undefined) {
        const entry = gcpMonitors.entryOf(monitor);
        if (entry === undefined) {
            problems.add(
                `${alarm}.monitor`,
                `\`${alarm}.monitor\` must be a \`gcp.UsageMonitor\`; got ${describe(monitor)}. Leave it out to use the program's monitor of project \`${project}\`.`,
            );
        } else if (entry.project !== project) {
            problems.add(
                `${alarm}.monitor`,
                `\`${alarm}.monitor\` is the \`gcp.UsageMonitor\` \`${entry.name}\` of project \`${entry.project}\`, but this ${what} is in \`${project}\`: a monitor checks its own project only. Give the monitor of \`${project}\`, or leave \`${alarm}.monitor\` out.`,
            );
        } else {
            checkMonitorTargets(path, notify, [entry], GCP_MONITOR_TARGETS, problems, later);
        }
        return { notify };
    }
    const found = gcpMonitors.lookup(project);
    if (found.found !== undefined) {
        checkMonitorTargets(path, notify, found.found, GCP_MONITOR_TARGETS, problems, later);
        return { notify };
    }
    if (found.later !== undefined) {
        return { notify, monitorLater: { ...found.later, alarm, what } };
    }
    problems.add(
        alarm,
        noMonitorProblem(
            alarm,
            what,
            project,
            notify,
            `none of project \`${project}\` was declared before this ${what}, and without a stack resource (a multi-language program, or a test under \`pulumi.runtime.setMocks\`) a monitor declared later cannot be found`,
            true,
        ),
    );
    return { notify };
}

/** The problem of an alarm with no monitor of its project: `why` says where it was looked for. */
function noMonitorProblem(
    alarm: string,
    what: string,
    project: string,
    notify: pulumi.Input<string>,
    why: string,
    orMonitor: boolean,
): string {
    const channel = typeof notify === "string" ? `"${notify}"` : "channel.name";
    return `\`${alarm}\` needs a \`gcp.UsageMonitor\` of project \`${project}\`, to run its check twice a day, but ${why}. Add one with this channel: \`new nhi.gcp.UsageMonitor("usage", { project: "${project}", region: "<region>", owner: "<team>", notifyChannels: [${channel}] })\`${orMonitor ? `, before this ${what} or as \`${alarm}.monitor\`` : ""}.`;
}

/**
 * The check of a component whose usage monitor was not declared before it: once the program has
 * declared everything, the program's monitor of its project is looked up, and the channel checked
 * against its `notifyChannels`, with the construction-time words. Fails the run (an error logged on
 * `component`, and a rejection no resource awaits). A preview runs it too.
 */
export function checkGcpMonitorAfterProgram(subject: string, component: pulumi.Resource, plan: GcpChannelPlan): void {
    const { monitorLater, notify } = plan;
    if (monitorLater === undefined || notify === undefined) {
        return;
    }
    const lookup = gcpMonitors.afterProgram(monitorLater, (found) =>
        pulumi.all([notify, ...found.flatMap((m) => m.notifyChannels)]),
    );
    if (lookup === undefined) {
        return;
    }
    const { alarm, what } = monitorLater;
    const project = monitorLater.key as string;
    checkedAtDeployTime(subject, component, lookup, ({ found, values }, problems) => {
        const [channel, ...channels] = values as string[];
        if (found.length === 0) {
            problems.add(alarm, noMonitorProblem(alarm, what, project, notify, "the program declares none", false));
            return;
        }
        const problem = notAmongTargetsProblem(
            `${alarm}.notify`,
            channel,
            found as GcpUsageMonitorEntry[],
            channels,
            GCP_MONITOR_TARGETS,
        );
        if (problem !== undefined) {
            problems.add(`${alarm}.notify`, problem);
        }
    });
}

/**
 * The `nhi-notify` label of a secret, when there is a channel: its ID (a label value holds no
 * `/`), from a plain name as it is (checked already), from an Input through `guard`, so that no
 * resource carries it before its deploy-time check has passed.
 */
export function notifyLabel(
    notify: pulumi.Input<string> | undefined,
    guard: <T>(v: pulumi.Input<T>) => pulumi.Input<T>,
): Record<string, pulumi.Input<string>> {
    if (notify === undefined) {
        return {};
    }
    const id = (n: string) => parseChannelName(n)!.id;
    return { [NOTIFY_LABEL]: typeof notify === "string" ? id(notify) : pulumi.output(guard(notify)).apply(id) };
}
