/**
 * An in-memory Google Cloud project for the usage monitor (`components/runtime/gcp/usage-monitor.ts`): its service accounts and
 * their keys, Policy Analyzer's activities, Secret Manager's secrets, a Cloud Storage bucket, Cloud Logging entries (and the
 * log-based alerting policies that turn them into notifications) and Cloud Monitoring series, on one simulated clock, with per-API
 * throttling. It implements `UsageApis`, the monitor's only door to Google.
 *
 * The documented rules it keeps:
 * - `serviceAccounts.list`: at most 100 a page (the maximum; larger sizes are cut to it), possibly fewer (`pageCap`), with
 *   `nextPageToken`; a token from other parameters is INVALID_ARGUMENT. `disabled` accounts are listed.
 *   @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/list
 * - Policy Analyzer `activities.query`: at most 1,000 a page. `lastAuthenticatedTime` is the start of the US Pacific day of the
 *   last use (`T07:00:00Z`), absent for an account never used (which may also be absent altogether: `neverUsedShape`); uses after
 *   the observation period's end (`lagDays` before today) are not reported yet. Key activities: disabled keys are not reported,
 *   deleted ones are.
 *   @see https://cloud.google.com/policy-intelligence/docs/activity-analyzer-service-account-authentication
 * - `keys.list?keyTypes=USER_MANAGED`: the account's user-managed keys with `validAfterTime` and `disabled`; NOT_FOUND for an
 *   account deleted.
 * - Secret Manager `secrets.list` (25,000 a page at most) and `versions.list`.
 * - Cloud Storage: a read of a missing object is NOT_FOUND; a write with `ifGenerationMatch` other than the live generation (`0`:
 *   none may exist) is refused with 412 (FAILED_PRECONDITION); each write makes a new generation.
 *   @see https://cloud.google.com/storage/docs/request-preconditions
 * - Cloud Logging `entries.write`: an entry holds at most 256 KB, a request at most 10 MB. A log-based alerting policy notifies
 *   at most once per 5 minutes and 20 times a day ({@link FakeGoogleProject.notifications}).
 *   @see https://cloud.google.com/logging/quotas
 *   @see https://cloud.google.com/logging/docs/alerting/log-based-incidents
 * - Cloud Monitoring `timeSeries.create`: at most 200 series per request, one point per series, each point newer than the
 *   series' last.
 * - Org Policy v2 `projects.policies.getEffectivePolicy` (permission `orgpolicy.policy.get`, the one Google's roles hold for
 *   reading a policy): the `spec.rules` of the policy in effect for the project ({@link FakeGoogleProject.exposurePolicy}; none
 *   when nothing is set, Google's default applying); a constraint other than the exposed-key one is NOT_FOUND here.
 *   @see https://cloud.google.com/resource-manager/docs/reference/orgpolicy/rest/v2/projects.policies/getEffectivePolicy
 * - Throttling: a token bucket per API on the simulated clock; a throttled call is RESOURCE_EXHAUSTED (HTTP 429) and has no
 *   effect. Every call advances the clock by its API's latency, a sleep by its length: time is simulated, never measured.
 * - Permissions: each call needs the permission Google documents for it; with `granted` set, a call whose permission is not in
 *   it is PERMISSION_DENIED. `permissionsUsed` collects them.
 */
import type { KeyInfo } from "../../../components/runtime/gcp/key-store";
import type { PolicyRule } from "../../../components/runtime/gcp/usage-contract";
import type {
    Activity,
    ActivityType,
    LogEntry,
    Page,
    SecretMeta,
    SeriesPoint,
    ServiceAccountInfo,
    UsageApis,
    VersionMeta,
} from "../../../components/runtime/gcp/usage-apis";
import { Crash, Faults, GrpcError } from "./faults";

export { Crash };

export const PROJECT = "acme-prod";
export const DAY = 86_400_000;
const PACIFIC_DAY_START_MS = 7 * 3_600_000;

export type Api = "iam" | "policyanalyzer" | "secretmanager" | "storage" | "logging" | "monitoring" | "orgpolicy";
type Method = keyof UsageApis;

/** An API's rate limit (requests a second, and the burst a full bucket allows) and latency. */
export interface ApiModel {
    readonly rate: number;
    readonly burst: number;
    readonly latencyMs: number;
}

const UNLIMITED: ApiModel = { rate: Infinity, burst: Infinity, latencyMs: 0 };
const API_OF: Readonly<Record<Method, Api>> = {
    listServiceAccounts: "iam",
    listUserKeys: "iam",
    queryActivities: "policyanalyzer",
    listSecrets: "secretmanager",
    listVersions: "secretmanager",
    readObject: "storage",
    writeObject: "storage",
    writeLogEntries: "logging",
    createTimeSeries: "monitoring",
    getEffectivePolicyRules: "orgpolicy",
};

interface FakeKey {
    readonly id: string;
    readonly validAfterTime: number;
    disabled: boolean;
    deleted: boolean;
    uses: number[];
}

export interface FakeAccount {
    readonly email: string;
    readonly uniqueId: string;
    description: string;
    disabled: boolean;
    deleted: boolean;
    uses: number[];
    readonly keys: FakeKey[];
    /** How Policy Analyzer shows an account never used: an activity without `lastAuthenticatedTime`, or none. */
    neverUsedShape: "no-field" | "absent";
}

export interface FakeSecret {
    readonly name: string;
    labels: Record<string, string>;
    readonly versions: { name: string; state: "ENABLED" | "DISABLED" | "DESTROYED"; createTime: number }[];
}

export interface WrittenEntry extends LogEntry {
    readonly at: number;
}

export class FakeGoogleProject implements UsageApis {
    time: number;
    readonly accounts = new Map<string, FakeAccount>();
    readonly secrets = new Map<string, FakeSecret>();
    readonly objects = new Map<string, { generation: number; text: string }>();
    readonly entries: WrittenEntry[] = [];
    /** Every `timeSeries.create` request, in order. */
    readonly timeSeries: { at: Date; points: readonly SeriesPoint[] }[] = [];
    /** Every call that took effect or failed, as `api:method`, in order. */
    readonly calls: string[] = [];
    readonly throttled: Record<Api, number> = {
        iam: 0,
        policyanalyzer: 0,
        secretmanager: 0,
        storage: 0,
        logging: 0,
        monitoring: 0,
        orgpolicy: 0,
    };
    readonly permissionsUsed = new Set<string>();
    /** The rules of the effective `iam.serviceAccountKeyExposureResponse` policy: none (nothing set anywhere) by default. */
    exposurePolicy: PolicyRule[] = [];
    /** When set, a call needing a permission not in it is PERMISSION_DENIED. */
    granted?: ReadonlySet<string>;
    /** Days between the end of Policy Analyzer's observation period and the start of today's Pacific day (0: data up to yesterday). */
    lagDays = 0;
    /** At most this many accounts per listing page, below the page size (IAM may return fewer). */
    pageCap = Infinity;
    /** When set, the `crashAfter`-th call from now takes effect, then it and every later call throw `Crash` until `dead` is reset. */
    crashAfter?: number;
    dead = false;
    private serial = 0;
    private generation = 1_700_000_000_000_000;
    private readonly buckets = new Map<Api, { tokens: number; at: number }>();
    private readonly pendingThrottles: Record<Api, number> = {
        iam: 0,
        policyanalyzer: 0,
        secretmanager: 0,
        storage: 0,
        logging: 0,
        monitoring: 0,
        orgpolicy: 0,
    };
    private readonly faults = new Faults<Method>({
        listServiceAccounts: 0,
        queryActivities: 0,
        listUserKeys: 0,
        listSecrets: 0,
        listVersions: 0,
        readObject: 0,
        writeObject: 0,
        writeLogEntries: 0,
        createTimeSeries: 0,
        getEffectivePolicyRules: 0,
    });
    private readonly lastPoint = new Map<string, number>();

    constructor(
        start: Date,
        private readonly models: Partial<Record<Api, ApiModel>> = {},
    ) {
        this.time = start.getTime();
    }

    now(): Date {
        return new Date(this.time);
    }

    /** A sleep that advances the simulated clock. */
    readonly sleep = async (ms: number): Promise<void> => {
        this.time += ms;
    };

    /** A service account; `record` is its description (an ownership record, JSON, or any text). */
    addAccount(
        id: string,
        record: string | Record<string, unknown>,
        o: { disabled?: boolean; neverUsedShape?: FakeAccount["neverUsedShape"] } = {},
    ): string {
        const email = `${id}@${PROJECT}.iam.gserviceaccount.com`;
        this.accounts.set(email, {
            email,
            uniqueId: `1${String(++this.serial).padStart(20, "0")}`,
            description: typeof record === "string" ? record : JSON.stringify(record),
            disabled: o.disabled ?? false,
            deleted: false,
            uses: [],
            keys: [],
            neverUsedShape: o.neverUsedShape ?? (this.serial % 2 === 0 ? "absent" : "no-field"),
        });
        return email;
    }

    account(email: string): FakeAccount {
        const a = this.accounts.get(email);
        if (a === undefined) throw new Error(`no ${email}`);
        return a;
    }

    addKey(email: string, validAfterTime = this.time): string {
        const id = `k${++this.serial}`;
        this.account(email).keys.push({ id, validAfterTime, disabled: false, deleted: false, uses: [] });
        return id;
    }

    /** The account is used now (through `keyId` when given). */
    use(email: string, keyId?: string): void {
        const a = this.account(email);
        if (keyId === undefined) a.uses.push(this.time);
        else a.keys.find((k) => k.id === keyId)!.uses.push(this.time);
    }

    addSecret(id: string, labels: Record<string, string>, versionTimes: readonly number[] = []): string {
        const name = `projects/${PROJECT}/secrets/${id}`;
        this.secrets.set(name, {
            name,
            labels,
            versions: versionTimes.map((t, i) => ({
                name: `${name}/versions/${i + 1}`,
                state: "ENABLED",
                createTime: t,
            })),
        });
        return name;
    }

    addVersion(secret: string, at = this.time): void {
        const s = this.secrets.get(secret)!;
        s.versions.push({ name: `${secret}/versions/${s.versions.length + 1}`, state: "ENABLED", createTime: at });
    }

    /** Throttles the next `n` calls to `api` (each retried call counts). */
    throttleNext(api: Api, n: number): void {
        this.pendingThrottles[api] += n;
    }

    /** The next `times` calls of `method` fail with gRPC `code`, before taking effect. */
    failNext(method: Method, code: number, times = 1): void {
        this.faults.failNext(method, code, times);
    }

    /** The state object's JSON, parsed. */
    stateFile(
        bucket: string,
        object: string,
    ):
        | {
              accounts: Record<string, { email: string; state?: string }>;
              secrets: Record<string, { state?: string; newest?: string }>;
              exposure?: { state: string; since: string };
          }
        | undefined {
        const o = this.objects.get(`${bucket}/${object}`);
        return o === undefined ? undefined : JSON.parse(o.text);
    }

    /**
     * What the component's log-based alerting policy for `channel` delivers: the first part of each of the channel's digests, at
     * most one notification per 5 minutes and 20 per (UTC) day; the others are recorded as incidents of nothing.
     */
    notifications(channel: string): WrittenEntry[] {
        const delivered: WrittenEntry[] = [];
        for (const e of this.entries.filter(
            (x) => x.labels["nhi-channel"] === channel && x.labels["nhi-part"] === "1",
        )) {
            const last = delivered[delivered.length - 1];
            const sameDay = delivered.filter((d) => Math.floor(d.at / DAY) === Math.floor(e.at / DAY)).length;
            if ((last === undefined || e.at - last.at >= 300_000) && sameDay < 20) delivered.push(e);
        }
        return delivered;
    }

    // ---- UsageApis ------------------------------------------------------------------------------

    async listServiceAccounts(
        project: string,
        pageSize: number,
        pageToken?: string,
    ): Promise<Page<ServiceAccountInfo>> {
        return this.call("listServiceAccounts", "iam.serviceAccounts.list", () => {
            this.own(project);
            const all = [...this.accounts.values()].filter((a) => !a.deleted);
            const size = Math.min(Math.max(1, pageSize), 100, this.pageCap);
            const from = this.offset(pageToken, `sa:${pageSize}`);
            const page = all.slice(from, from + size);
            const end = from + page.length;
            return {
                items: page.map((a) => ({
                    name: `projects/${PROJECT}/serviceAccounts/${a.email}`,
                    email: a.email,
                    uniqueId: a.uniqueId,
                    description: a.description,
                    disabled: a.disabled,
                })),
                ...(end < all.length ? { nextPageToken: this.token(`sa:${pageSize}`, end) } : {}),
            };
        });
    }

    async queryActivities(
        project: string,
        type: ActivityType,
        pageSize: number,
        pageToken?: string,
    ): Promise<Page<Activity>> {
        const permission =
            type === "serviceAccountLastAuthentication"
                ? "policyanalyzer.serviceAccountLastAuthenticationActivities.query"
                : "policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query";
        return this.call("queryActivities", permission, () => {
            this.own(project);
            if (pageSize > 1000) throw new GrpcError(3, "pageSize: max limit is 1000");
            const observedUntil = pacificDayStart(this.time) - this.lagDays * DAY;
            const reported = (uses: readonly number[]) => {
                const seen = uses.filter((t) => t < observedUntil);
                return seen.length === 0 ? undefined : pacificDayStart(Math.max(...seen));
            };
            const all: Activity[] = [];
            for (const a of this.accounts.values()) {
                if (type === "serviceAccountLastAuthentication") {
                    const last = reported(a.uses);
                    if (last === undefined && a.neverUsedShape === "absent") continue;
                    all.push({
                        fullResourceName: `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${a.email}`,
                        ...(last !== undefined ? { lastAuthenticated: last } : {}),
                        observedUntil,
                    });
                } else {
                    for (const k of a.keys.filter((x) => !x.disabled)) {
                        const last = reported(k.uses);
                        if (last === undefined) continue;
                        all.push({
                            fullResourceName: `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${a.email}/keys/${k.id}`,
                            lastAuthenticated: last,
                            observedUntil,
                        });
                    }
                }
            }
            const from = this.offset(pageToken, `act:${type}:${pageSize}`);
            const page = all.slice(from, from + pageSize);
            const end = from + page.length;
            return {
                items: page,
                ...(end < all.length ? { nextPageToken: this.token(`act:${type}:${pageSize}`, end) } : {}),
            };
        });
    }

    async listUserKeys(account: string): Promise<KeyInfo[]> {
        return this.call("listUserKeys", "iam.serviceAccountKeys.list", () => {
            const email = account.slice(account.lastIndexOf("/") + 1);
            const a = this.accounts.get(email);
            if (a === undefined || a.deleted || !account.startsWith(`projects/${PROJECT}/serviceAccounts/`))
                throw new GrpcError(5, `Service account ${account} does not exist.`);
            return a.keys
                .filter((k) => !k.deleted)
                .map((k) => ({
                    name: `${account}/keys/${k.id}`,
                    id: k.id,
                    validAfterTime: k.validAfterTime,
                    disabled: k.disabled,
                }));
        });
    }

    async listSecrets(project: string, pageSize: number, pageToken?: string): Promise<Page<SecretMeta>> {
        return this.call("listSecrets", "secretmanager.secrets.list", () => {
            this.own(project);
            if (pageSize > 25000) throw new GrpcError(3, "page_size must be at most 25000");
            const all = [...this.secrets.values()];
            const from = this.offset(pageToken, `sec:${pageSize}`);
            const page = all.slice(from, from + pageSize);
            const end = from + page.length;
            return {
                items: page.map((s) => ({ name: s.name, labels: { ...s.labels } })),
                ...(end < all.length ? { nextPageToken: this.token(`sec:${pageSize}`, end) } : {}),
            };
        });
    }

    async listVersions(secret: string, pageSize: number, pageToken?: string): Promise<Page<VersionMeta>> {
        return this.call("listVersions", "secretmanager.versions.list", () => {
            const s = this.secrets.get(secret);
            if (s === undefined) throw new GrpcError(5, `Secret [${secret}] not found.`);
            const all = [...s.versions].reverse();
            const from = this.offset(pageToken, `ver:${secret}:${pageSize}`);
            const page = all.slice(from, from + pageSize);
            const end = from + page.length;
            return {
                items: page.map((v) => ({ ...v })),
                ...(end < all.length ? { nextPageToken: this.token(`ver:${secret}:${pageSize}`, end) } : {}),
            };
        });
    }

    async readObject(bucket: string, object: string): Promise<{ text: string; generation: string } | undefined> {
        return this.call("readObject", "storage.objects.get", () => {
            const o = this.objects.get(`${bucket}/${object}`);
            return o === undefined ? undefined : { text: o.text, generation: String(o.generation) };
        });
    }

    async writeObject(bucket: string, object: string, text: string, ifGenerationMatch: string): Promise<void> {
        const key = `${bucket}/${object}`;
        const replacing = this.objects.has(key);
        return this.call(
            "writeObject",
            replacing ? ["storage.objects.create", "storage.objects.delete"] : "storage.objects.create",
            () => {
                const live = this.objects.get(key);
                if (String(live?.generation ?? 0) !== ifGenerationMatch)
                    throw new GrpcError(9, "At least one of the pre-conditions you specified did not hold.");
                this.objects.set(key, { generation: ++this.generation, text });
            },
        );
    }

    async writeLogEntries(entries: readonly LogEntry[]): Promise<void> {
        return this.call("writeLogEntries", "logging.logEntries.create", () => {
            if (JSON.stringify(entries).length > 10_000_000)
                throw new GrpcError(3, "Request payload size exceeds the limit: 10485760 bytes.");
            for (const e of entries) {
                if (JSON.stringify(e).length > 256_000)
                    throw new GrpcError(3, "Log entry with size 256.1K exceeds maximum size of 256.0K");
                if (!/^projects\/[a-z0-9-]+\/logs\/[A-Za-z0-9_./-]+$/.test(e.logName) || e.resource.type !== "global")
                    throw new GrpcError(3, `bad entry ${e.logName}`);
            }
            for (const e of entries) this.entries.push({ ...e, at: this.time });
        });
    }

    async createTimeSeries(project: string, points: readonly SeriesPoint[], at: Date): Promise<void> {
        return this.call("createTimeSeries", "monitoring.timeSeries.create", () => {
            this.own(project);
            if (points.length > 200)
                throw new GrpcError(
                    3,
                    "Field timeSeries had an invalid value: a maximum of 200 TimeSeries can be written in a single request.",
                );
            const keys = points.map((p) => `${p.type}${JSON.stringify(p.labels)}`);
            if (new Set(keys).size !== keys.length)
                throw new GrpcError(3, "Field timeSeries had an invalid value: duplicate TimeSeries in the request.");
            for (const k of keys) {
                if ((this.lastPoint.get(k) ?? -Infinity) >= at.getTime())
                    throw new GrpcError(
                        3,
                        "Points must be written in order. One or more of the points specified had an older start time than the most recent point.",
                    );
            }
            keys.forEach((k) => this.lastPoint.set(k, at.getTime()));
            this.timeSeries.push({ at, points: [...points] });
        });
    }

    async getEffectivePolicyRules(project: string, constraint: string): Promise<readonly PolicyRule[]> {
        return this.call("getEffectivePolicyRules", "orgpolicy.policy.get", () => {
            this.own(project);
            if (constraint !== "iam.serviceAccountKeyExposureResponse")
                throw new GrpcError(5, `Constraint constraints/${constraint} not found.`);
            return this.exposurePolicy.map((r) => JSON.parse(JSON.stringify(r)) as PolicyRule);
        });
    }

    // ---- the machinery ----------------------------------------------------------------------------

    private call<T>(method: Method, permission: string | readonly string[], run: () => T): Promise<T> {
        const api = API_OF[method];
        const model = this.models[api] ?? UNLIMITED;
        this.time += model.latencyMs;
        if (this.dead) return Promise.reject(new Crash(`crashed before ${method}`));
        this.calls.push(`${api}:${method}`);
        const needed = typeof permission === "string" ? [permission] : permission;
        try {
            this.faults.enter(method, api);
        } catch (err) {
            return Promise.reject(err);
        }
        if (this.pendingThrottles[api] > 0 || !this.take(api, model)) {
            this.pendingThrottles[api] = Math.max(0, this.pendingThrottles[api] - 1);
            this.throttled[api]++;
            return Promise.reject(new GrpcError(8, `Quota exceeded for ${api} (RESOURCE_EXHAUSTED, HTTP 429).`));
        }
        const denied = needed.find((p) => this.granted !== undefined && !this.granted.has(p));
        if (denied !== undefined) return Promise.reject(new GrpcError(7, `Permission '${denied}' denied.`));
        needed.forEach((p) => this.permissionsUsed.add(p));
        let result: T;
        try {
            result = run();
        } catch (err) {
            return Promise.reject(err);
        }
        if (this.crashAfter !== undefined && --this.crashAfter === 0) {
            this.crashAfter = undefined;
            this.dead = true;
            return Promise.reject(new Crash(`crashed after ${method}`));
        }
        return Promise.resolve(result);
    }

    private take(api: Api, model: ApiModel): boolean {
        if (model.rate === Infinity) return true;
        const b = this.buckets.get(api) ?? { tokens: model.burst, at: this.time };
        b.tokens = Math.min(model.burst, b.tokens + ((this.time - b.at) / 1000) * model.rate);
        b.at = this.time;
        this.buckets.set(api, b);
        if (b.tokens < 1) return false;
        b.tokens -= 1;
        return true;
    }

    private own(project: string): void {
        if (project !== PROJECT) throw new GrpcError(7, `Permission denied on resource project ${project}.`);
    }

    private token(scope: string, offset: number): string {
        return Buffer.from(JSON.stringify([scope, offset])).toString("base64");
    }

    private offset(token: string | undefined, scope: string): number {
        if (token === undefined) return 0;
        try {
            const [s, n] = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as [string, number];
            if (s === scope && Number.isInteger(n)) return n;
        } catch {
            // fall through
        }
        throw new GrpcError(
            3,
            "Invalid page token: the values of the other parameters must be identical to those in the previous call.",
        );
    }
}

/** The start of the Pacific day holding `t` as Policy Analyzer reports it: `T07:00:00Z` of that date, as its reference says. */
export function pacificDayStart(t: number): number {
    return Math.floor((t - PACIFIC_DAY_START_MS) / DAY) * DAY + PACIFIC_DAY_START_MS;
}
