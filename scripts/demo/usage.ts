/**
 * The demo's usage monitoring: what `npm run demo` reads back of an identity's usage settings (the
 * tags the usage monitor reads, parsed by the monitor's own `readThresholds`, and its quarantine
 * schedule), and of an `aws.UsageMonitor` (its schedule, function, state table, heartbeat alarm,
 * the topics it may tell and the identities it watches), and prints. What both clouds share (the
 * thresholds as reported, the `Unused` / `Expiring` lines, the list of watched identities) is here
 * too, for ./gcp.ts and ./gcp-usage.ts.
 */
import { Registered, valueOf } from "../../components/testing";
import { AWS_USAGE_MONITOR_TYPE, AwsUsageMonitor } from "../../components/aws/usage-monitor";
import { AWS_SERVICE_IDENTITY_TYPE } from "../../components/aws/service-identity";
import { DEPROVISION_SUFFIX } from "../../components/aws/deprovision";
import { PolicyDocument } from "../../components/aws/policy";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from "../../components/runtime/aws/usage-contract";
import { readThresholds } from "../../components/runtime/aws/usage-evaluate";
import { Permission, effectivePermissions, permissionLines } from "./aws";
import { compare, escapeRegExp, heading, pushResources } from "./common";

const DAY_MS = 86_400_000;

/** What a usage monitor will do about one identity, on either cloud: read from what the identity records for it. */
export interface UsageThresholdsReport {
    /** `unusedAlarm.afterDays`: `idle` after this many whole days without use. */
    readonly unusedAfterDays?: number;
    /** `unusedAlarm.notify`: the SNS topic (AWS) or notification channel (Google) told of every change of state. */
    readonly notify?: string;
    /** `expiryNoticeDays`: `expiring` this many days before `expiresAt` (the monitor's default when not set). */
    readonly expiryNoticeDays: number;
    /** When it turns `expiring`: `expiresAt` less `expiryNoticeDays`; absent without `expiresAt`. */
    readonly expiringFrom?: string;
}

/** What the AWS usage monitor will do about one identity, read from the tags it reads and the identity's schedule. */
export interface UsageSettingsReport extends UsageThresholdsReport {
    /** The schedule expression of its quarantine at expiry (`at(…)`, UTC), if it has one. */
    readonly quarantineAt?: string;
}

/** The thresholds a monitor's own parser read (AWS `readThresholds`, Google `readRecord`), as the demo reports them; `notify` as given. */
export function thresholdsReport(
    t: { readonly unusedAfterDays?: number; readonly expiresAt?: Date; readonly expiryNoticeDays: number },
    notify: string | undefined,
): UsageThresholdsReport {
    return {
        ...(t.unusedAfterDays !== undefined ? { unusedAfterDays: t.unusedAfterDays } : {}),
        ...(notify !== undefined ? { notify } : {}),
        expiryNoticeDays: t.expiryNoticeDays,
        ...(t.expiresAt !== undefined
            ? { expiringFrom: instant(t.expiresAt.getTime() - t.expiryNoticeDays * DAY_MS) }
            : {}),
    };
}

/** The usage settings of the identity `name` whose role or user carries `tags`. */
export function usageSettingsOf(
    name: string,
    tags: Readonly<Record<string, string>>,
    all: readonly Registered[],
): UsageSettingsReport {
    const t = readThresholds(tags);
    const quarantine = all.find(
        (r) => r.type === "aws:scheduler/schedule:Schedule" && r.name === `${name}${DEPROVISION_SUFFIX}`,
    );
    return {
        ...thresholdsReport(t, t.notify),
        ...(quarantine !== undefined ? { quarantineAt: quarantine.inputs.scheduleExpression } : {}),
    };
}

/**
 * `Unused` and `Expiring` lines of an identity's section, each starting with `indent`; `target` is
 * what `notify` names (`topic`, `channel`), `describe` how to print it.
 */
export function usageLines(
    u: UsageThresholdsReport,
    indent: string,
    target = "topic",
    describe: (notify: string) => string = (n) => n,
): string[] {
    const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
    const unused =
        u.unusedAfterDays === undefined
            ? "no alarm (no `unusedAlarm`)"
            : `idle after ${days(u.unusedAfterDays)} without use: the usage monitor tells ${u.notify === undefined ? "no one" : describe(u.notify)}, once, and once more when it is used again`;
    const expiring =
        u.expiringFrom === undefined
            ? "never (no expiresAt)"
            : `${days(u.expiryNoticeDays)} before it expires, from ${u.expiringFrom}: ${u.notify === undefined ? "recorded, no one told (no `unusedAlarm.notify`)" : `one notice to the same ${target}`}`;
    return [`${indent}Unused      ${unused}`, `${indent}Expiring    ${expiring}`];
}

/** One identity in a monitor's list of those it watches: its label, thresholds, and what ends it (`quarantine at(…)`, `disabled …`). */
export interface WatchLine extends UsageThresholdsReport {
    readonly label: string;
    readonly end: string;
}

/** A monitor's list of the identities it watches, two lines each, aligned. */
export function watchLines(watches: readonly WatchLine[]): string[] {
    const width = Math.max(...watches.map((w) => w.label.length));
    return watches.flatMap((w) => {
        const idle = w.unusedAfterDays === undefined ? "never idle" : `${w.unusedAfterDays} days`;
        return [
            `    ${w.label.padEnd(width)}  idle after ${idle.padEnd(8)}  → ${w.notify ?? "no one"}`,
            `    ${"".padEnd(width)}  expiring from ${w.expiringFrom ?? "never"} (${w.expiryNoticeDays} days' notice); ${w.end}`,
        ];
    });
}

/** One identity the monitor watches, as the monitor's section lists it. */
export interface WatchedIdentity extends UsageSettingsReport {
    readonly name: string;
    readonly kind: "role" | "user";
}

/** The usage monitor as the demo reports it. */
export interface UsageMonitorReport {
    readonly name: string;
    readonly owner: string;
    /** When it runs: the schedule's expression (UTC) and the schedule's logical name. */
    readonly schedule: { readonly name: string; readonly expression: string; readonly event: unknown };
    readonly functionName: string;
    readonly functionArn: string;
    readonly stateTable: string;
    /** The only topics its function may publish to (`notifyTopics`), read from its role's policy. */
    readonly notifyTopics: string[];
    /** The heartbeat alarm: its logical name, window, and whom it tells. */
    readonly heartbeat: {
        readonly name: string;
        readonly periodSeconds: number;
        readonly treatMissingData: string;
        readonly actions: string[];
    };
    /** What its function's role may do. */
    readonly permissions: Permission[];
    /** The program's identities with usage settings, in the order given. */
    readonly watches: WatchedIdentity[];
    /** How many other roles and users of the program carry `nhi:managed-by` (checked, nobody told). */
    readonly otherManaged: number;
    readonly resources: { type: string; name: string }[];
}

export async function reportUsageMonitor(
    monitor: AwsUsageMonitor,
    watches: readonly WatchedIdentity[],
    all: readonly Registered[],
): Promise<UsageMonitorReport> {
    const name = await valueOf(monitor.urn.apply((urn) => urn.split("::").pop()!));
    const [functionArn, stateTable] = await Promise.all([
        valueOf(monitor.functionArn),
        valueOf(monitor.stateTableName),
    ]);
    const one = (type: string, logical: string) => {
        const found = all.find((r) => r.type === type && r.name === logical);
        if (found === undefined) {
            throw new Error(`the usage monitor ${name} registered no ${type} ${logical}`);
        }
        return found;
    };
    const schedule = one("aws:scheduler/schedule:Schedule", `${name}-schedule`);
    const alarm = one("aws:cloudwatch/metricAlarm:MetricAlarm", `${name}-heartbeat`);
    const policies = all
        .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === `${name}-policy`)
        .map((r) => JSON.parse(r.inputs.policy) as PolicyDocument);
    const permissions = effectivePermissions(policies);
    const principals = all.filter(
        (r) =>
            (r.type === "aws:iam/role:Role" || r.type === "aws:iam/user:User") &&
            r.inputs.tags?.[MANAGED_BY_TAG] === MANAGED_BY_VALUE,
    );
    return {
        name,
        owner: one("aws:dynamodb/table:Table", `${name}-state`).inputs.tags["nhi:owner"],
        schedule: {
            name: schedule.name,
            expression: schedule.inputs.scheduleExpression,
            event: JSON.parse(schedule.inputs.target.input),
        },
        functionName: functionArn.split(":").pop()!,
        functionArn,
        stateTable,
        notifyTopics: permissions.filter((p) => p.actions.includes("sns:Publish")).map((p) => p.resource),
        heartbeat: {
            name: alarm.name,
            periodSeconds: alarm.inputs.period,
            treatMissingData: alarm.inputs.treatMissingData,
            actions: alarm.inputs.alarmActions ?? [],
        },
        permissions,
        watches: [...watches],
        otherManaged: principals.length - watches.length,
        resources: childrenOf(name, all),
    };
}

/** The monitor `name` and its children (`${name}-…`), with the roles and policies of its own identities. */
function childrenOf(name: string, all: readonly Registered[]): { type: string; name: string }[] {
    const own = all
        .filter(
            (r) =>
                r.type === AWS_SERVICE_IDENTITY_TYPE &&
                r.parentType === AWS_USAGE_MONITOR_TYPE &&
                (r.name === name || r.name.startsWith(`${name}-`)),
        )
        .map((r) => r.name);
    const ofIdentity = new RegExp(`^(${own.map(escapeRegExp).join("|")})-(role|policy(-\\d+)?)$`);
    return all
        .filter(
            (r) =>
                (r.type === AWS_USAGE_MONITOR_TYPE && r.name === name) ||
                (r.parentType === AWS_USAGE_MONITOR_TYPE && (r.name === name || r.name.startsWith(`${name}-`))) ||
                (own.length > 0 && r.parentType === AWS_SERVICE_IDENTITY_TYPE && ofIdentity.test(r.name)),
        )
        .map((r) => ({ type: r.type, name: r.name }))
        .sort(
            (a, b) =>
                Number(b.type === AWS_USAGE_MONITOR_TYPE) - Number(a.type === AWS_USAGE_MONITOR_TYPE) ||
                compare(a.name, b.name) ||
                compare(a.type, b.type),
        );
}

/** The usage monitor's section of the report, from the blank line before its heading. */
export function formatUsageMonitor(m: UsageMonitorReport): string[] {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    push(
        "",
        heading(`${m.name} (AWS usage monitor)`),
        `  Runs        ${m.schedule.expression} (EventBridge Scheduler schedule ${m.schedule.name}), with the event ${JSON.stringify(m.schedule.event)}`,
        `  Function    ${m.functionName}`,
        `              ${m.functionArn}`,
        `  Owner       ${m.owner}`,
        `  State       DynamoDB table ${m.stateTable}: one item per identity not ok, so each change of state is told once`,
        `  Tells       ${m.notifyTopics.join(", ")}  (notifyTopics: its function may publish to no other topic)`,
        `  Heartbeat   alarm ${m.heartbeat.name}: no complete run in ${m.heartbeat.periodSeconds / 3600} hours (missing data ${m.heartbeat.treatMissingData}) → ${m.heartbeat.actions.length === 0 ? "no action (no alarmTopic)" : m.heartbeat.actions.join(", ")}`,
        "",
        "  Identities of this program it watches: idle after, told to, expiring from, quarantine (UTC)",
    );
    push(
        ...watchLines(
            m.watches.map((w) => ({
                ...w,
                label: `${w.name} (${w.kind})`,
                end: `quarantine ${w.quarantineAt ?? "none"}`,
            })),
        ),
    );
    push(
        `    and ${m.otherManaged} more roles and users of this program tagged ${MANAGED_BY_TAG} (the functions', the schedules' and the quarantines' own): checked, nobody told`,
    );
    push("", "  What its function may do", ...permissionLines(m.permissions, "    "));
    pushResources(push, m.resources);
    return lines;
}

/** An instant in milliseconds, written as `expiresAt` is: `YYYY-MM-DDTHH:MM:SSZ`. */
function instant(ms: number): string {
    return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
