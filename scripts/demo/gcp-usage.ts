/**
 * The demo's Google usage monitoring: what `npm run demo` reads back of a `gcp.UsageMonitor` (its
 * Cloud Scheduler job, function, state bucket, the notice policy of each channel, the heartbeat
 * policy, what its function may do and the service accounts it watches), and prints. The list of
 * watched identities and the resources are laid out as the AWS monitor's (./usage.ts).
 */
import { Registered, valueOf } from "../../components/testing";
import { GCP_USAGE_MONITOR_TYPE, GcpUsageMonitor } from "../../components/gcp/usage-monitor";
import { GCP_SERVICE_IDENTITY_TYPE } from "../../components/gcp/service-identity";
import { STATE_OBJECT } from "../../components/runtime/gcp/usage-contract";
import { readRecord } from "../../components/runtime/gcp/usage-evaluate";
import { compare, heading, pushResources, wrap } from "./common";
import { GcpBinding, GcpUsageSettingsReport, gcpBindingsOf } from "./gcp";
import { watchLines } from "./usage";

const GCP_ACCOUNT = "gcp:serviceaccount/account:Account";

/** One service account the monitor watches, as the monitor's section lists it. */
export interface GcpWatchedIdentity extends GcpUsageSettingsReport {
    readonly name: string;
}

/** One alerting policy of the monitor: its logical name and the channels it notifies. */
export interface GcpMonitorPolicy {
    readonly name: string;
    readonly channels: string[];
}

/** The Google usage monitor as the demo reports it. */
export interface GcpUsageMonitorReport {
    readonly name: string;
    readonly project: string;
    readonly owner: string;
    /** The Cloud Scheduler job that runs it: its logical name, cron, time zone, the account it calls as, and the body it posts (decoded). */
    readonly schedule: {
        readonly name: string;
        readonly cron: string;
        readonly timeZone: string;
        readonly region: string;
        readonly as: string;
        readonly body: unknown;
    };
    readonly functionName: string;
    /** The function's service account. */
    readonly runsAs: string;
    readonly stateBucket: string;
    /** One log-based policy per channel of `notifyChannels`: how a digest becomes a notification. */
    readonly notices: GcpMonitorPolicy[];
    /** The heartbeat policy: no successful run for `absence`, or a run with failures. */
    readonly heartbeat: GcpMonitorPolicy & { readonly absence: string };
    /** What its function's account may do: its role bindings. */
    readonly bindings: GcpBinding[];
    /** The program's service accounts with usage settings, in the order given. */
    readonly watches: GcpWatchedIdentity[];
    /** How many other service accounts of the project carry an ownership record of this package (checked, nobody notified). */
    readonly otherManaged: number;
    readonly resources: { type: string; name: string }[];
}

export async function reportGcpUsageMonitor(
    monitor: GcpUsageMonitor,
    watches: readonly GcpWatchedIdentity[],
    all: readonly Registered[],
): Promise<GcpUsageMonitorReport> {
    const name = await valueOf(monitor.urn.apply((urn) => urn.split("::").pop()!));
    const [functionName, stateBucket, runsAs, member] = await Promise.all([
        valueOf(monitor.functionName),
        valueOf(monitor.stateBucketName),
        valueOf(monitor.monitorIdentity.email),
        valueOf(monitor.monitorIdentity.member),
    ]);
    const own = all.filter(
        (r) => r.parentType === GCP_USAGE_MONITOR_TYPE && (r.name === name || r.name.startsWith(`${name}-`)),
    );
    const one = (type: string, logical: string) => {
        const found = own.find((r) => r.type === type && r.name === logical);
        if (found === undefined) {
            throw new Error(`the usage monitor ${name} registered no ${type} ${logical}`);
        }
        return found;
    };
    const job = one("gcp:cloudscheduler/job:Job", `${name}-schedule`);
    const policies = own.filter((r) => r.type === "gcp:monitoring/alertPolicy:AlertPolicy");
    const heartbeat = one("gcp:monitoring/alertPolicy:AlertPolicy", `${name}-heartbeat`);
    const runtimeName = one(GCP_SERVICE_IDENTITY_TYPE, `${name}-runtime`).name;
    const identities = own.filter((r) => r.type === GCP_SERVICE_IDENTITY_TYPE).map((r) => r.name);
    const ourAccounts = all.filter(
        (r) =>
            r.type === GCP_ACCOUNT &&
            r.inputs.project === monitor.project &&
            readRecord(r.inputs.description) !== undefined,
    );
    return {
        name,
        project: monitor.project,
        owner:
            readRecord(all.find((r) => r.type === GCP_ACCOUNT && r.name === `${runtimeName}-sa`)?.inputs.description)
                ?.owner ?? "(no ownership record)",
        schedule: {
            name: job.name,
            cron: job.inputs.schedule,
            timeZone: job.inputs.timeZone,
            region: job.inputs.region,
            as: job.inputs.httpTarget.oidcToken.serviceAccountEmail,
            body: JSON.parse(Buffer.from(job.inputs.httpTarget.body, "base64").toString("utf8")),
        },
        functionName,
        runsAs,
        stateBucket,
        notices: policies
            .filter((p) => p !== heartbeat)
            .map((p) => ({ name: p.name, channels: p.inputs.notificationChannels ?? [] }))
            .sort((a, b) => compare(a.name, b.name)),
        heartbeat: {
            name: heartbeat.name,
            channels: heartbeat.inputs.notificationChannels ?? [],
            absence: heartbeat.inputs.conditions.find(
                (c: { conditionAbsent?: { duration: string } }) => c.conditionAbsent !== undefined,
            )?.conditionAbsent.duration,
        },
        bindings: gcpBindingsOf(runtimeName, member, all),
        watches: [...watches],
        otherManaged: ourAccounts.length - watches.length,
        resources: childrenOf(name, identities, all),
    };
}

/** The monitor `name`, its children and those of its identities (`identities`), the component first. */
function childrenOf(
    name: string,
    identities: readonly string[],
    all: readonly Registered[],
): { type: string; name: string }[] {
    const ofIdentity = (r: Registered) =>
        r.parentType === GCP_SERVICE_IDENTITY_TYPE && identities.some((i) => r.name.startsWith(`${i}-`));
    return all
        .filter(
            (r) =>
                (r.type === GCP_USAGE_MONITOR_TYPE && r.name === name) ||
                (r.parentType === GCP_USAGE_MONITOR_TYPE && (r.name === name || r.name.startsWith(`${name}-`))) ||
                ofIdentity(r),
        )
        .map((r) => ({ type: r.type, name: r.name }))
        .sort(
            (a, b) =>
                Number(b.type === GCP_USAGE_MONITOR_TYPE) - Number(a.type === GCP_USAGE_MONITOR_TYPE) ||
                compare(a.name, b.name) ||
                compare(a.type, b.type),
        );
}

/** A duration in seconds as Cloud Monitoring writes it (`84600s`), in hours and minutes. */
function hoursOf(duration: string): string {
    const s = Number(duration.replace(/s$/, ""));
    const h = Math.floor(s / 3600);
    const m = Math.round((s % 3600) / 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** The Google usage monitor's section of the report, from the blank line before its heading; `channels` says what each channel is. */
export function formatGcpUsageMonitor(m: GcpUsageMonitorReport, channels: ReadonlyMap<string, string>): string[] {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    const channel = (c: string) => (channels.has(c) ? `${c} (${channels.get(c)})` : c);
    const to = (p: GcpMonitorPolicy) =>
        p.channels.length === 0 ? "no channel (no alarmChannel)" : p.channels.map(channel).join(", ");
    push(
        "",
        heading(`${m.name} (Google Cloud usage monitor)`),
        `  Runs        "${m.schedule.cron}" (${m.schedule.timeZone}) (Cloud Scheduler job ${m.schedule.name} in ${m.schedule.region}, as ${m.schedule.as}),`,
        `              posting ${JSON.stringify(m.schedule.body)}`,
        `  Function    ${m.functionName}, as ${m.runsAs}`,
        `  Owner       ${m.owner}`,
        `  State       Cloud Storage object gs://${m.stateBucket}/${STATE_OBJECT}: each account's state, so each change of state is notified once`,
        ...m.notices.map(
            (p, i) =>
                `${i === 0 ? "  Notifies    " : "              "}${to(p)}  (alerting policy ${p.name}: the run's digest for that channel, one notification)`,
        ),
        `  Heartbeat   alerting policy ${m.heartbeat.name}: no successful run in ${hoursOf(m.heartbeat.absence)}, or a run with failures → ${to(m.heartbeat)}`,
        "",
        `  Service accounts of ${m.project} in this program it watches: idle after, notified, expiring from, disabled`,
        ...watchLines(m.watches.map((w) => ({ ...w, label: w.name, end: `disabled ${w.disabledAt ?? "by no job"}` }))),
        `    and ${m.otherManaged} more service accounts of this program with an ownership record (the monitor's and the deprovisioner's own): checked, nobody notified`,
        "",
        "  What its function may do",
    );
    for (const b of m.bindings) {
        push(`    ${b.role} → ${b.scope} ${b.resource}`);
        if (b.permissions !== undefined) {
            push(
                ...wrap(
                    b.permissions.map((p, i) => (i === 0 ? `custom role holding exactly ${p}` : p)),
                    "      ",
                ),
            );
        }
    }
    pushResources(push, m.resources);
    return lines;
}
