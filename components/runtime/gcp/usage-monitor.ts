/**
 * The Google usage monitor: one function per project, run every 12 hours by a Cloud Scheduler job
 * that POSTs `{"nhiAction":"monitorUsage","project":…,"stateBucket":…,"perIdentityMetrics":…}`
 * (usage-contract.ts, which also says why each choice below was made). Each run:
 *
 * 1. **Reads its state** ({@link STATE_OBJECT} in the state bucket: each account's first sighting
 *    and last notified state, each secret's newest version seen and state) and its generation.
 * 2. **Finds every service account this package manages**: `serviceAccounts.list` by pages of 100;
 *    an account is ours when its description is an ownership record with `"managedBy":"pulumi-nhi"`.
 * 3. **Reads last use** for the whole project from Policy Analyzer (both activity types, pages of
 *    1,000), and the user-managed keys of the accounts whose record sets `keyAge`, a few at a time.
 *    When some account records `keyAge`, it reads the project's effective organization policy
 *    `iam.serviceAccountKeyExposureResponse` (one call): anything but `DISABLE_KEY` makes the project
 *    `exposure-response-off`, told to every channel of an account with `keyAge`.
 * 4. **Reads rotating secrets** (`secrets.list`, label `nhi-rotate-every-days`) and, for those that
 *    could be stale now, their versions (at most `MAX_SECRET_CHECKS_PER_RUN` a run).
 * 5. **Evaluates** each account (`expired`, `expiring`, `key-too-old`, `idle`, `ok`) and secret
 *    (`rotation-stale`, `ok`) and, where the state differs from the one recorded, **writes one digest
 *    per notification channel** (log `nhi-usage-notice`, one entry per 200 changes), which the
 *    component's log-based alerting policy for that channel turns into one notification. A return to
 *    `ok` is a change too. No channel: the state is recorded, nothing is written.
 * 6. **Writes the state** once, if anything changed, with `ifGenerationMatch`; forgets accounts and
 *    secrets no longer listed.
 * 7. **Publishes metrics** (`timeSeries.create`, 200 series a call): the counts and `run_succeeded`
 *    (1 when every digest and the state were written), and with `perIdentityMetrics` two per account.
 *
 * Crashes and retries: digests are written before the state, so a crash between the two repeats a
 * notice the next run (a duplicate), never loses one. A channel whose digest cannot be written keeps
 * its identities' old states (retried next run); the others go on; `run_succeeded` is 0 and the run
 * fails. Throttled calls (429 RESOURCE_EXHAUSTED) and unavailability are retried with exponential
 * backoff and full jitter, up to {@link MAX_ATTEMPTS} tries.
 *
 * Every step logs one JSON line (severity, step, outcome, counts, emails and states, never a record's
 * free text or a credential).
 *
 * Runs in the cloud: imports nothing from `@pulumi/*` or `components/` (DESIGN.md, "runtime/").
 */
import { DAY_MS, STATES, UsageState } from "../usage-classify";
import { backoffDelay, errorCode, RETRYABLE_CODES } from "./rotation";
import {
    Activity,
    ActivityType,
    defaultUsageApis,
    LogEntry,
    SeriesPoint,
    ServiceAccountInfo,
    UsageApis,
} from "./usage-apis";
import {
    AccountRecord,
    EXPOSURE_CONSTRAINT,
    EXPOSURE_OFF,
    exposureResponseOn,
    GCP_STATES,
    GcpUsageState,
    IDENTITY_LABEL,
    IDENTITY_METRICS,
    isMonitorEvent,
    MAX_SECRET_CHECKS_PER_RUN,
    MAX_SERIES_PER_CALL,
    METRIC_PREFIX,
    METRICS,
    MONITOR_ACTION,
    NOTICE_CHANNEL_LABEL,
    NOTICE_LOG_ID,
    NOTICE_PART_LABEL,
    NoticeChange,
    PolicyRule,
    SecretRecord,
    STATE_OBJECT,
    StateFile,
} from "./usage-contract";
import {
    AccountThresholds,
    ADVICE,
    digest,
    evaluateAccount,
    readRecord,
    readSecretLabels,
    secretDue,
    secretState,
    useByAccount,
} from "./usage-evaluate";

export * from "./usage-contract";

/** Tries per call, the first included; the waits follow `backoffDelay` (250 ms doubling, 8 s cap): at most about 24 s of waiting. */
export const MAX_ATTEMPTS = 8;
export const ACCOUNTS_PAGE_SIZE = 100;
/** Policy Analyzer's data ending more than this many days ago is logged as stale (a WARNING line with the days). */
export const STALE_ACTIVITY_DAYS = 3;
export const ACTIVITIES_PAGE_SIZE = 1000;
export const SECRETS_PAGE_SIZE = 25000;
export const VERSIONS_PAGE_SIZE = 25000;
/** Digest entries per `entries.write` call (each entry at most about 100 KB; a request at most 10 MB). */
export const ENTRIES_PER_WRITE = 20;

export type Step =
    | "event"
    | "state"
    | "list-accounts"
    | "activities"
    | "keys"
    | "exposure"
    | "secrets"
    | "versions"
    | "evaluate"
    | "notify"
    | "record"
    | "metrics"
    | "run";

export interface MonitorLogLine {
    readonly severity: "INFO" | "WARNING" | "ERROR";
    readonly step: Step;
    readonly outcome: string;
    readonly identity?: string;
    readonly channel?: string;
    readonly state?: GcpUsageState;
    readonly previous?: GcpUsageState;
    readonly page?: number;
    readonly count?: number;
    readonly attempt?: number;
    readonly code?: number;
    readonly invalidKeys?: readonly string[];
}

export interface MonitorDeps {
    readonly apis: () => Promise<UsageApis>;
    readonly now: () => Date;
    readonly sleep: (ms: number) => Promise<void>;
    /** A number in [0, 1) for the jitter. */
    readonly random: () => number;
    readonly log: (line: MonitorLogLine) => void;
}

export interface RunSummary {
    /** Whether the project's effective exposed-key policy is not `DISABLE_KEY`; undefined when not read (no account with `keyAge`, or unreadable). */
    readonly exposureResponseOff?: boolean;
    readonly monitored: number;
    readonly secrets: number;
    readonly counts: Readonly<Record<GcpUsageState, number>>;
    readonly changes: number;
    /** Digest entries written. */
    readonly entries: number;
    readonly failures: number;
}

type Call = <T>(step: Step, fn: () => Promise<T>) => Promise<T>;

interface Evaluated {
    readonly kind: "serviceAccount" | "secret" | "project";
    /** The state file's key: an account's uniqueId, a secret's name, `projects/<project>` (one per channel told). */
    readonly key: string;
    readonly identity: string;
    readonly state: GcpUsageState;
    readonly previous: GcpUsageState;
    readonly notify?: string;
    readonly change?: NoticeChange;
    readonly metrics?: { readonly daysSinceLastUse: number; readonly daysToExpiry?: number };
}

/** One run (see the file's comment). Throws after its metrics when a digest or the state could not be written. */
export async function monitorUsage(event: unknown, deps: MonitorDeps): Promise<RunSummary> {
    if (!isMonitorEvent(event)) {
        deps.log({ severity: "ERROR", step: "event", outcome: "refused" });
        throw new InvalidEventError(
            `Invalid usage monitor event: expected exactly \`nhiAction\` ("${MONITOR_ACTION}"), \`project\` (a project ID), \`stateBucket\` (a bucket name) and \`perIdentityMetrics\` (true or false).`,
        );
    }
    const apis = await deps.apis();
    const call = retrying(deps);
    const now = deps.now();
    const project = event.project;

    const stored = await call("state", () => apis.readObject(event.stateBucket, STATE_OBJECT));
    const state = parseState(stored?.text);
    deps.log({
        severity: "INFO",
        step: "state",
        outcome: stored === undefined ? "absent" : "read",
        count: Object.keys(state.accounts).length,
    });

    const accounts = await listAccounts(project, apis, call, deps);
    const activities = [
        ...(await queryAll(project, "serviceAccountLastAuthentication", apis, call, deps)),
        ...(await queryAll(project, "serviceAccountKeyLastAuthentication", apis, call, deps)),
    ];
    const uses = useByAccount(activities);
    const projectObservedUntil = activities.reduce<number | undefined>(
        (m, a) => (a.observedUntil === undefined ? m : Math.max(m ?? -Infinity, a.observedUntil)),
        undefined,
    );
    if (projectObservedUntil !== undefined && now.getTime() - projectObservedUntil > STALE_ACTIVITY_DAYS * DAY_MS) {
        // Days since last use are counted to the data's end: data this old holds `idle` back by as much. Said, not hidden.
        deps.log({
            severity: "WARNING",
            step: "activities",
            outcome: "stale",
            count: Math.floor((now.getTime() - projectObservedUntil) / DAY_MS),
        });
    }
    const keyed = accounts.filter((a) => a.thresholds.keyMaxAgeDays !== undefined);
    const keyTimes = await listKeys(
        keyed.map((a) => a.info),
        apis,
        call,
        deps,
    );
    let failures = 0;
    const exposure = await readExposure(project, keyed.length > 0, apis, call, deps);
    if (exposure === "unreadable") failures++;

    const evaluated: Evaluated[] = [];
    const nextAccounts: Record<string, AccountRecord> = {};
    for (const { info, thresholds } of accounts) {
        const old = state.accounts[info.uniqueId];
        const firstSeen = old?.firstSeen ?? now.toISOString();
        const c = evaluateAccount(
            thresholds,
            {
                evidence: uses.get(info.email),
                projectObservedUntil,
                firstSeen: Date.parse(firstSeen),
                keyTimes: keyTimes.get(info.name),
            },
            now,
        );
        const previous: UsageState = old?.state ?? "ok";
        deps.log({
            severity: "INFO",
            step: "evaluate",
            outcome: c.state === previous ? "unchanged" : "changed",
            identity: info.email,
            state: c.state,
            previous,
            ...(thresholds.invalid.length === 0 ? {} : { invalidKeys: thresholds.invalid }),
        });
        nextAccounts[info.uniqueId] = {
            email: info.email,
            firstSeen,
            ...(old?.state !== undefined ? { state: old.state, since: old.since } : {}),
        };
        evaluated.push({
            kind: "serviceAccount",
            key: info.uniqueId,
            identity: info.email,
            state: c.state,
            previous,
            notify: thresholds.notify,
            metrics: {
                daysSinceLastUse: c.daysSinceLastUse,
                ...(c.daysToExpiry !== undefined ? { daysToExpiry: c.daysToExpiry } : {}),
            },
            ...(c.state === previous ? {} : { change: accountChange(info, thresholds, c, previous) }),
        });
    }

    const nextSecrets: Record<string, SecretRecord> = {};
    const secretCount = await evaluateSecrets(project, state, nextSecrets, evaluated, apis, call, deps, now);
    if (typeof exposure === "object")
        evaluated.push(
            ...exposureChanges(
                project,
                exposure.rules,
                state,
                keyed.map((a) => a.thresholds.notify),
            ),
        );

    // Digests, one per channel, before the state: a crash in between repeats a notice, never loses one.
    const committed = new Set<Evaluated>(evaluated.filter((e) => e.change !== undefined && e.notify === undefined));
    const byChannel = new Map<string, Evaluated[]>();
    for (const e of evaluated) {
        if (e.change !== undefined && e.notify !== undefined)
            byChannel.set(e.notify, [...(byChannel.get(e.notify) ?? []), e]);
    }
    let entries = 0;
    for (const [channel, list] of [...byChannel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const payloads = digest(
            channel,
            project,
            now,
            list.map((e) => e.change!),
        );
        const logEntries: LogEntry[] = payloads.map((p) => ({
            logName: `projects/${project}/logs/${NOTICE_LOG_ID}`,
            resource: { type: "global", labels: { project_id: project } },
            severity: p.changes.some((c) => c.state !== "ok") ? "WARNING" : "NOTICE",
            labels: { [NOTICE_CHANNEL_LABEL]: channel, [NOTICE_PART_LABEL]: String(p.part) },
            jsonPayload: p,
        }));
        try {
            for (let i = 0; i < logEntries.length; i += ENTRIES_PER_WRITE) {
                await call("notify", () => apis.writeLogEntries(logEntries.slice(i, i + ENTRIES_PER_WRITE)));
            }
            entries += logEntries.length;
            list.forEach((e) => committed.add(e));
            deps.log({ severity: "INFO", step: "notify", outcome: "written", channel, count: list.length });
        } catch (err) {
            failures++;
            deps.log({
                severity: "ERROR",
                step: "notify",
                outcome: "failed",
                channel,
                count: list.length,
                code: errorCode(err),
            });
        }
    }

    // The state: committed changes take their new state; everything else keeps what was recorded.
    for (const e of committed) {
        if (e.kind === "project") continue;
        const target: Record<string, AccountRecord | SecretRecord> =
            e.kind === "serviceAccount" ? nextAccounts : nextSecrets;
        const rest: Record<string, unknown> = { ...target[e.key] };
        delete rest.state;
        delete rest.since;
        target[e.key] = { ...rest, ...(e.state === "ok" ? {} : { state: e.state, since: now.toISOString() }) } as
            AccountRecord | SecretRecord;
    }
    // The project's exposed-key state: taken once every channel told of it heard (or none is to be told).
    const told = evaluated.filter((e) => e.kind === "project");
    const exposureRecord =
        told.length > 0 && told.every((e) => committed.has(e))
            ? told[0].state === "ok"
                ? undefined
                : { state: EXPOSURE_OFF as typeof EXPOSURE_OFF, since: now.toISOString() }
            : state.exposure;
    const next: StateFile = {
        v: 1,
        accounts: nextAccounts,
        secrets: nextSecrets,
        ...(exposureRecord !== undefined ? { exposure: exposureRecord } : {}),
    };
    const text = JSON.stringify(next);
    if (text !== JSON.stringify(state)) {
        try {
            await call("record", () =>
                apis.writeObject(event.stateBucket, STATE_OBJECT, text, stored?.generation ?? "0"),
            );
            deps.log({ severity: "INFO", step: "record", outcome: "written", count: committed.size });
        } catch (err) {
            failures++;
            deps.log({ severity: "ERROR", step: "record", outcome: "failed", code: errorCode(err) });
        }
    } else {
        deps.log({ severity: "INFO", step: "record", outcome: "unchanged" });
    }

    const counts = Object.fromEntries(GCP_STATES.map((s) => [s, 0])) as Record<GcpUsageState, number>;
    for (const e of evaluated) if (e.kind !== "project") counts[e.state]++;
    const exposureOff = typeof exposure === "object" ? (exposureResponseOn(exposure.rules) ? 0 : 1) : undefined;
    await publishMetrics(
        project,
        evaluated,
        counts,
        failures === 0,
        event.perIdentityMetrics,
        exposureOff,
        apis,
        call,
        deps,
    );
    const summary: RunSummary = {
        exposureResponseOff: exposureOff === undefined ? undefined : exposureOff === 1,
        monitored: accounts.length,
        secrets: secretCount,
        counts,
        changes: evaluated.filter((e) => e.change !== undefined).length,
        entries,
        failures,
    };
    deps.log({
        severity: failures === 0 ? "INFO" : "ERROR",
        step: "run",
        outcome: failures === 0 ? "succeeded" : "failed",
        count: accounts.length,
    });
    if (failures > 0) {
        const writes = failures - (exposure === "unreadable" ? 1 : 0);
        const what = [
            ...(writes > 0 ? [`write ${writes} digest(s) or its state`] : []),
            ...(exposure === "unreadable"
                ? [`read the exposed-key organization policy \`${EXPOSURE_CONSTRAINT}\``]
                : []),
        ];
        throw new Error(
            `The usage monitor could not ${what.join(", and could not ")}; see the log lines with outcome "failed". The next run retries them.`,
        );
    }
    return summary;
}

/** Thrown for an event that is not the monitor's: the HTTP handler answers 400, which Cloud Scheduler does not fix by retrying. */
export class InvalidEventError extends Error {}

function retrying(deps: MonitorDeps): Call {
    return async (step, fn) => {
        for (let attempt = 1; ; attempt++) {
            try {
                return await fn();
            } catch (err) {
                const code = errorCode(err);
                if (code === undefined || !RETRYABLE_CODES.has(code) || attempt >= MAX_ATTEMPTS) throw err;
                const delay = backoffDelay(attempt, deps.random);
                deps.log({ severity: "WARNING", step, outcome: "retrying", attempt, code });
                await deps.sleep(delay);
            }
        }
    };
}

function parseState(text: string | undefined): StateFile {
    try {
        const v = JSON.parse(text ?? "") as StateFile;
        if (
            v !== null &&
            typeof v === "object" &&
            v.v === 1 &&
            typeof v.accounts === "object" &&
            typeof v.secrets === "object"
        ) {
            const states = new Set<string>(GCP_STATES);
            const accounts = Object.fromEntries(
                Object.entries(v.accounts).filter(
                    ([, r]) => typeof r.firstSeen === "string" && (r.state === undefined || STATES.includes(r.state)),
                ),
            );
            const secrets = Object.fromEntries(
                Object.entries(v.secrets).filter(([, r]) => r.state === undefined || states.has(r.state)),
            );
            const exposure =
                v.exposure?.state === EXPOSURE_OFF && typeof v.exposure.since === "string"
                    ? { exposure: v.exposure }
                    : {};
            return { v: 1, accounts, secrets, ...exposure };
        }
    } catch {
        // an absent or unreadable state starts afresh: every account's first sighting is now
    }
    return { v: 1, accounts: {}, secrets: {} };
}

async function listAccounts(
    project: string,
    apis: UsageApis,
    call: Call,
    deps: MonitorDeps,
): Promise<{ info: ServiceAccountInfo; thresholds: AccountThresholds }[]> {
    const out: { info: ServiceAccountInfo; thresholds: AccountThresholds }[] = [];
    let token: string | undefined;
    for (let page = 1; ; page++) {
        const got = await call("list-accounts", () => apis.listServiceAccounts(project, ACCOUNTS_PAGE_SIZE, token));
        let ours = 0;
        for (const info of got.items) {
            const thresholds = readRecord(info.description);
            if (thresholds !== undefined) {
                out.push({ info, thresholds });
                ours++;
            }
        }
        deps.log({ severity: "INFO", step: "list-accounts", outcome: "page", page, count: ours });
        if (got.nextPageToken === undefined) return out;
        token = got.nextPageToken;
    }
}

async function queryAll(
    project: string,
    type: ActivityType,
    apis: UsageApis,
    call: Call,
    deps: MonitorDeps,
): Promise<Activity[]> {
    const out: Activity[] = [];
    let token: string | undefined;
    for (let page = 1; ; page++) {
        const got = await call("activities", () => apis.queryActivities(project, type, ACTIVITIES_PAGE_SIZE, token));
        out.push(...got.items);
        deps.log({ severity: "INFO", step: "activities", outcome: type, page, count: got.items.length });
        if (got.nextPageToken === undefined) return out;
        token = got.nextPageToken;
    }
}

/**
 * The user-managed keys of `accounts` by account name, one listing after another: at IAM's latency that
 * is about 15 requests a second, far below its 6,000 reads a minute, so a busy project is not throttled
 * by its own monitor. An account deleted since the listing has none.
 */
async function listKeys(
    accounts: readonly ServiceAccountInfo[],
    apis: UsageApis,
    call: Call,
    deps: MonitorDeps,
): Promise<Map<string, { validAfterTime: number; disabled: boolean }[]>> {
    const out = new Map<string, { validAfterTime: number; disabled: boolean }[]>();
    for (const account of accounts) {
        try {
            const keys = await call("keys", () => apis.listUserKeys(account.name));
            out.set(
                account.name,
                keys.map((k) => ({ validAfterTime: k.validAfterTime, disabled: k.disabled })),
            );
        } catch (err) {
            if (errorCode(err) !== 5) throw err;
            out.set(account.name, []);
        }
    }
    deps.log({ severity: "INFO", step: "keys", outcome: "listed", count: accounts.length });
    return out;
}

/** Rotation health: evaluates every rotating secret into `evaluated`, records into `next`; returns how many there are. */
async function evaluateSecrets(
    project: string,
    state: StateFile,
    next: Record<string, SecretRecord>,
    evaluated: Evaluated[],
    apis: UsageApis,
    call: Call,
    deps: MonitorDeps,
    now: Date,
): Promise<number> {
    const secrets: { name: string; periodDays: number; notify?: string }[] = [];
    let token: string | undefined;
    do {
        const got = await call("secrets", () => apis.listSecrets(project, SECRETS_PAGE_SIZE, token));
        for (const s of got.items) {
            const settings = readSecretLabels(s.labels);
            if (settings !== undefined) secrets.push({ name: s.name, ...settings });
        }
        token = got.nextPageToken;
    } while (token !== undefined);
    const newest = (name: string): number | undefined => {
        const t = state.secrets[name]?.newest;
        return t === undefined ? undefined : Date.parse(t);
    };
    // Unknown first, then the longest overdue, so that a capped run makes progress on the oldest.
    const due = secrets
        .filter((s) => secretDue(newest(s.name), s.periodDays, now))
        .sort((a, b) => (newest(a.name) ?? -Infinity) - (newest(b.name) ?? -Infinity));
    const checking = new Set(due.slice(0, MAX_SECRET_CHECKS_PER_RUN).map((s) => s.name));
    if (due.length > checking.size)
        deps.log({ severity: "WARNING", step: "versions", outcome: "deferred", count: due.length - checking.size });
    for (const s of secrets) {
        const old = state.secrets[s.name];
        let latest = newest(s.name);
        if (checking.has(s.name)) {
            let vtoken: string | undefined;
            do {
                const got = await call("versions", () => apis.listVersions(s.name, VERSIONS_PAGE_SIZE, vtoken));
                for (const v of got.items) {
                    if (v.state === "ENABLED") latest = Math.max(latest ?? -Infinity, v.createTime);
                }
                vtoken = got.nextPageToken;
            } while (vtoken !== undefined);
        }
        const st =
            checking.has(s.name) || !secretDue(latest, s.periodDays, now)
                ? secretState(latest, s.periodDays, now)
                : (old?.state ?? "ok");
        const previous: GcpUsageState = old?.state ?? "ok";
        next[s.name] = {
            ...(latest !== undefined ? { newest: new Date(latest).toISOString() } : {}),
            ...(old?.state !== undefined ? { state: old.state, since: old.since } : {}),
        };
        deps.log({
            severity: "INFO",
            step: "evaluate",
            outcome: st === previous ? "unchanged" : "changed",
            identity: s.name,
            state: st,
            previous,
        });
        evaluated.push({
            kind: "secret",
            key: s.name,
            identity: s.name,
            state: st,
            previous,
            notify: s.notify,
            ...(st === previous
                ? {}
                : {
                      change: {
                          kind: "secret",
                          identity: s.name,
                          state: st,
                          previousState: previous,
                          rotationPeriodDays: s.periodDays,
                          ...(latest !== undefined ? { newestVersion: new Date(latest).toISOString() } : {}),
                          advice: ADVICE[st],
                      },
                  }),
        });
    }
    deps.log({ severity: "INFO", step: "secrets", outcome: "evaluated", count: secrets.length });
    return secrets.length;
}

/**
 * The project's effective exposed-key policy rules, read once, only when `needed` (some account records `keyAge`);
 * `"unreadable"` when the call failed after its retries (logged: a failed step).
 */
async function readExposure(
    project: string,
    needed: boolean,
    apis: UsageApis,
    call: Call,
    deps: MonitorDeps,
): Promise<{ rules: readonly PolicyRule[] } | "not-needed" | "unreadable"> {
    if (!needed) {
        deps.log({ severity: "INFO", step: "exposure", outcome: "not-needed" });
        return "not-needed";
    }
    try {
        const rules = await call("exposure", () => apis.getEffectivePolicyRules(project, EXPOSURE_CONSTRAINT));
        deps.log({
            severity: exposureResponseOn(rules) ? "INFO" : "WARNING",
            step: "exposure",
            outcome: exposureResponseOn(rules) ? "disable-key" : "not-disable-key",
        });
        return { rules };
    } catch (err) {
        deps.log({ severity: "ERROR", step: "exposure", outcome: "failed", code: errorCode(err) });
        return "unreadable";
    }
}

/** The project's exposed-key state as one `Evaluated` per channel of an account with `keyAge` (one without a channel when none has one). */
function exposureChanges(
    project: string,
    rules: readonly PolicyRule[],
    state: StateFile,
    channels: readonly (string | undefined)[],
): Evaluated[] {
    const current: GcpUsageState = exposureResponseOn(rules) ? "ok" : EXPOSURE_OFF;
    const previous: GcpUsageState = state.exposure?.state ?? "ok";
    const identity = `projects/${project}`;
    const change: NoticeChange | undefined =
        current === previous
            ? undefined
            : {
                  kind: "project",
                  identity,
                  state: current,
                  previousState: previous,
                  exposureRules: rules,
                  advice: ADVICE[current],
              };
    const distinct = [...new Set(channels.filter((c): c is string => c !== undefined))].sort();
    const to: (string | undefined)[] = distinct.length > 0 ? distinct : [undefined];
    return to.map((notify) => ({
        kind: "project" as const,
        key: identity,
        identity,
        state: current,
        previous,
        ...(notify !== undefined ? { notify } : {}),
        ...(change !== undefined ? { change } : {}),
    }));
}

function accountChange(
    info: ServiceAccountInfo,
    th: AccountThresholds,
    c: ReturnType<typeof evaluateAccount>,
    previous: UsageState,
): NoticeChange {
    return {
        kind: "serviceAccount",
        identity: info.email,
        ...(th.owner !== undefined ? { owner: th.owner } : {}),
        state: c.state,
        previousState: previous,
        daysSinceLastUse: c.daysSinceLastUse,
        neverUsed: c.neverUsed,
        ...(th.unusedAfterDays !== undefined ? { unusedAfterDays: th.unusedAfterDays } : {}),
        ...(th.expiresAt !== undefined ? { expiresAt: th.expiresAt.toISOString() } : {}),
        ...(c.daysToExpiry !== undefined ? { daysToExpiry: c.daysToExpiry } : {}),
        ...(c.keyAgeDays !== undefined ? { keyAgeDays: c.keyAgeDays } : {}),
        ...(th.keyMaxAgeDays !== undefined ? { keyMaxAgeDays: th.keyMaxAgeDays } : {}),
        advice: ADVICE[c.state],
    };
}

async function publishMetrics(
    project: string,
    evaluated: readonly Evaluated[],
    counts: Readonly<Record<GcpUsageState, number>>,
    succeeded: boolean,
    perIdentity: boolean,
    exposureOff: number | undefined,
    apis: UsageApis,
    call: Call,
    deps: MonitorDeps,
): Promise<void> {
    const at = deps.now();
    const points: SeriesPoint[] = [];
    if (perIdentity) {
        for (const e of evaluated) {
            if (e.metrics === undefined) continue;
            points.push({
                type: METRIC_PREFIX + IDENTITY_METRICS.daysSinceLastUse,
                labels: { [IDENTITY_LABEL]: e.identity },
                value: e.metrics.daysSinceLastUse,
            });
            if (e.metrics.daysToExpiry !== undefined)
                points.push({
                    type: METRIC_PREFIX + IDENTITY_METRICS.daysToExpiry,
                    labels: { [IDENTITY_LABEL]: e.identity },
                    value: e.metrics.daysToExpiry,
                });
        }
    }
    // The aggregates last, `run_succeeded` with them: it says every other series is in.
    const aggregate = (name: string, value: number): SeriesPoint => ({ type: METRIC_PREFIX + name, labels: {}, value });
    points.push(
        aggregate(METRICS.monitored, evaluated.filter((e) => e.kind === "serviceAccount").length),
        aggregate(METRICS.idle, counts.idle),
        aggregate(METRICS.expiring, counts.expiring),
        aggregate(METRICS.expired, counts.expired),
        aggregate(METRICS.keyTooOld, counts["key-too-old"]),
        aggregate(METRICS.rotationStale, counts["rotation-stale"]),
        ...(exposureOff !== undefined ? [aggregate(METRICS.exposureResponseOff, exposureOff)] : []),
        aggregate(METRICS.runSucceeded, succeeded ? 1 : 0),
    );
    for (let i = 0; i < points.length; i += MAX_SERIES_PER_CALL) {
        const batch = points.slice(i, i + MAX_SERIES_PER_CALL);
        await call("metrics", () => apis.createTimeSeries(project, batch, at));
        deps.log({ severity: "INFO", step: "metrics", outcome: "published", count: batch.length });
    }
}

/** The default dependencies: the REST APIs made on first use (a failed load is not kept), the real clock, stdout. */
export function defaultMonitorDeps(overrides: Partial<MonitorDeps> = {}): MonitorDeps {
    let apis: Promise<UsageApis> | undefined;
    return {
        apis: () =>
            (apis ??= defaultUsageApis().catch((err: unknown) => {
                apis = undefined;
                throw err;
            })),
        now: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        ...overrides,
    };
}

/** The HTTP request and response as the Functions Framework (Express) hands them, as far as used. */
export interface HttpRequest {
    readonly body?: unknown;
}
export interface HttpResponse {
    status(code: number): HttpResponse;
    json(body: unknown): void;
}

/** The HTTP handler: 200 with the run's summary, 400 for another body, 500 when the run failed (Cloud Scheduler retries it). */
export function createMonitorHandler(
    deps: MonitorDeps = defaultMonitorDeps(),
): (req: HttpRequest, res: HttpResponse) => Promise<void> {
    return async (req, res) => {
        try {
            res.status(200).json(await monitorUsage(req.body, deps));
        } catch (err) {
            res.status(err instanceof InvalidEventError ? 400 : 500).json({ error: (err as Error).message });
        }
    };
}
