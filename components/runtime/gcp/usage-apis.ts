/**
 * The Google calls the usage monitor makes, behind an interface that tests fill with an in-memory fake
 * (test/runtime/gcp/fake-usage-project.ts), and its implementation over the REST APIs through
 * `google-auth-library`'s `GoogleAuth.request`, as the key rotator does (key-store.ts): ten plain
 * HTTPS calls to seven APIs, where the generated clients would bring seven libraries. Each call and the
 * permission it needs is in usage-contract.ts (`PERMISSIONS`).
 *
 * Runs in the cloud: imports nothing from `@pulumi/*` or `components/` (DESIGN.md, "runtime/").
 */
import { IamApiError, iamApiError, iamKeyStore, KeyInfo } from "./key-store";
import type { PolicyRule } from "./usage-contract";

/** The activity types of Policy Analyzer the monitor reads. */
export type ActivityType = "serviceAccountLastAuthentication" | "serviceAccountKeyLastAuthentication";

export interface Page<T> {
    readonly items: readonly T[];
    readonly nextPageToken?: string;
}

/** An IAM service account, as `projects.serviceAccounts.list` returns it (the fields used). */
export interface ServiceAccountInfo {
    /** `projects/{project}/serviceAccounts/{email}` */
    readonly name: string;
    readonly email: string;
    readonly uniqueId: string;
    readonly description?: string;
    readonly disabled: boolean;
}

/** One Policy Analyzer activity: the account's or key's full resource name, its last use day and the observation's end. */
export interface Activity {
    /** `//iam.googleapis.com/projects/{project}/serviceAccounts/{email}` (`/keys/{id}` for a key). */
    readonly fullResourceName: string;
    /** `activity.lastAuthenticatedTime` in epoch ms: the start of the US Pacific day of the last use; absent when never used. */
    readonly lastAuthenticated?: number;
    /** `observationPeriod.endTime` in epoch ms. */
    readonly observedUntil?: number;
}

export interface SecretMeta {
    /** `projects/{project}/secrets/{id}` */
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
}

export interface VersionMeta {
    readonly name: string;
    readonly state: string;
    /** epoch ms */
    readonly createTime: number;
}

/** A log entry as `entries.write` takes it (the fields used). */
export interface LogEntry {
    readonly logName: string;
    readonly resource: { readonly type: "global"; readonly labels: { readonly project_id: string } };
    readonly severity: "NOTICE" | "WARNING";
    readonly labels: Readonly<Record<string, string>>;
    readonly jsonPayload: unknown;
}

/** One point of one INT64 GAUGE series on resource `global`. */
export interface SeriesPoint {
    readonly type: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly value: number;
}

export interface UsageApis {
    listServiceAccounts(project: string, pageSize: number, pageToken?: string): Promise<Page<ServiceAccountInfo>>;
    queryActivities(project: string, type: ActivityType, pageSize: number, pageToken?: string): Promise<Page<Activity>>;
    /** The account's user-managed keys (`keyTypes=USER_MANAGED`). */
    listUserKeys(account: string): Promise<KeyInfo[]>;
    listSecrets(project: string, pageSize: number, pageToken?: string): Promise<Page<SecretMeta>>;
    listVersions(secret: string, pageSize: number, pageToken?: string): Promise<Page<VersionMeta>>;
    /** The object's text and generation, or undefined when it does not exist. */
    readObject(
        bucket: string,
        object: string,
    ): Promise<{ readonly text: string; readonly generation: string } | undefined>;
    /** Writes the object only if its generation is `ifGenerationMatch` (`"0"`: only if it does not exist); FAILED_PRECONDITION otherwise. */
    writeObject(bucket: string, object: string, text: string, ifGenerationMatch: string): Promise<void>;
    writeLogEntries(entries: readonly LogEntry[]): Promise<void>;
    createTimeSeries(project: string, points: readonly SeriesPoint[], at: Date): Promise<void>;
    /** The rules of the project's effective organization policy for `constraint` (`spec.rules`; none when nothing is set). */
    getEffectivePolicyRules(project: string, constraint: string): Promise<readonly PolicyRule[]>;
}

const IAM = "https://iam.googleapis.com/v1";
const POLICY_ANALYZER = "https://policyanalyzer.googleapis.com/v1";
const SECRET_MANAGER = "https://secretmanager.googleapis.com/v1";
const STORAGE = "https://storage.googleapis.com";
const LOGGING = "https://logging.googleapis.com/v2";
const MONITORING = "https://monitoring.googleapis.com/v3";
const ORG_POLICY = "https://orgpolicy.googleapis.com/v2";

/** What `GoogleAuth.request` takes and gives, as far as used here (gaxios: `headers` a `Headers` or a plain object). */
export type ApiRequest = (opts: {
    url: string;
    method: "GET" | "POST";
    data?: unknown;
    headers?: Record<string, string>;
    responseType?: "json" | "text";
}) => Promise<{ data: unknown; headers?: unknown }>;

/** An API error as an `IamApiError` with its gRPC code; Cloud Storage's 412 (precondition failed) is FAILED_PRECONDITION. */
function apiError(err: unknown): unknown {
    const status = (err as { response?: { status?: number } } | null)?.response?.status;
    return status === 412 ? new IamApiError(9, "precondition failed (412)") : iamApiError(err);
}

function header(headers: unknown, name: string): string | undefined {
    if (headers === undefined || headers === null) return undefined;
    const h = headers as { get?: (n: string) => string | null } & Record<string, unknown>;
    if (typeof h.get === "function") return h.get(name) ?? undefined;
    const v = h[name] ?? h[name.toLowerCase()];
    return typeof v === "string" ? v : undefined;
}

function millis(t: unknown): number | undefined {
    const n = typeof t === "string" ? Date.parse(t) : NaN;
    return Number.isNaN(n) ? undefined : n;
}

function query(params: Record<string, string | number | undefined>): string {
    const q = Object.entries(params)
        .filter(([, v]) => v !== undefined && v !== "")
        .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
    return q.length === 0 ? "" : `?${q.join("&")}`;
}

/** The monitor's calls over the REST APIs through `request`. */
export function usageApis(request: ApiRequest): UsageApis {
    const send = async (opts: Parameters<ApiRequest>[0]): Promise<{ data: unknown; headers?: unknown }> => {
        try {
            return await request(opts);
        } catch (err) {
            throw apiError(err);
        }
    };
    const get = async (url: string): Promise<Record<string, unknown>> =>
        ((await send({ url, method: "GET" })).data ?? {}) as Record<string, unknown>;
    const keys = iamKeyStore((opts) => send(opts as Parameters<ApiRequest>[0]));
    return {
        async listServiceAccounts(project, pageSize, pageToken) {
            const d = await get(`${IAM}/projects/${project}/serviceAccounts${query({ pageSize, pageToken })}`);
            const raw = (d.accounts ?? []) as {
                name?: string;
                email?: string;
                uniqueId?: string;
                description?: string;
                disabled?: boolean;
            }[];
            return {
                items: raw.map((a) => ({
                    name: a.name ?? "",
                    email: a.email ?? "",
                    uniqueId: a.uniqueId ?? "",
                    ...(a.description ? { description: a.description } : {}),
                    disabled: a.disabled === true,
                })),
                ...(typeof d.nextPageToken === "string" && d.nextPageToken !== ""
                    ? { nextPageToken: d.nextPageToken }
                    : {}),
            };
        },
        async queryActivities(project, type, pageSize, pageToken) {
            const d = await get(
                `${POLICY_ANALYZER}/projects/${project}/locations/global/activityTypes/${type}/activities:query${query({ pageSize, pageToken })}`,
            );
            const raw = (d.activities ?? []) as {
                fullResourceName?: string;
                observationPeriod?: { endTime?: string };
                activity?: { lastAuthenticatedTime?: string };
            }[];
            return {
                items: raw.map((a) => {
                    const last = millis(a.activity?.lastAuthenticatedTime);
                    const until = millis(a.observationPeriod?.endTime);
                    return {
                        fullResourceName: a.fullResourceName ?? "",
                        ...(last !== undefined ? { lastAuthenticated: last } : {}),
                        ...(until !== undefined ? { observedUntil: until } : {}),
                    };
                }),
                ...(typeof d.nextPageToken === "string" && d.nextPageToken !== ""
                    ? { nextPageToken: d.nextPageToken }
                    : {}),
            };
        },
        listUserKeys: (account) => keys.listKeys(account),
        async listSecrets(project, pageSize, pageToken) {
            const d = await get(`${SECRET_MANAGER}/projects/${project}/secrets${query({ pageSize, pageToken })}`);
            const raw = (d.secrets ?? []) as { name?: string; labels?: Record<string, string> }[];
            return {
                items: raw.map((s) => ({ name: s.name ?? "", labels: s.labels ?? {} })),
                ...(typeof d.nextPageToken === "string" && d.nextPageToken !== ""
                    ? { nextPageToken: d.nextPageToken }
                    : {}),
            };
        },
        async listVersions(secret, pageSize, pageToken) {
            const d = await get(`${SECRET_MANAGER}/${secret}/versions${query({ pageSize, pageToken })}`);
            const raw = (d.versions ?? []) as { name?: string; state?: string; createTime?: string }[];
            return {
                items: raw.map((v) => ({
                    name: v.name ?? "",
                    state: v.state ?? "",
                    createTime: millis(v.createTime) ?? 0,
                })),
                ...(typeof d.nextPageToken === "string" && d.nextPageToken !== ""
                    ? { nextPageToken: d.nextPageToken }
                    : {}),
            };
        },
        async readObject(bucket, object) {
            try {
                const url = `${STORAGE}/storage/v1/b/${bucket}/o/${encodeURIComponent(object)}`;
                const r = await send({ url: `${url}?alt=media`, method: "GET", responseType: "text" });
                const text = (d: unknown) => (typeof d === "string" ? d : JSON.stringify(d));
                // Cloud Storage sends the generation served in `x-goog-generation` (gaxios 8 gives a `Headers`). Failing that: the
                // metadata's generation, then that very generation's content, so that text and generation always match.
                const served = header(r.headers, "x-goog-generation");
                if (served !== undefined) return { text: text(r.data), generation: served };
                const generation = String((await get(url)).generation ?? "");
                const pinned = await send({
                    url: `${url}?alt=media&generation=${generation}`,
                    method: "GET",
                    responseType: "text",
                });
                return { text: text(pinned.data), generation };
            } catch (err) {
                if ((err as { code?: number }).code === 5) return undefined;
                throw err;
            }
        },
        async writeObject(bucket, object, text, ifGenerationMatch) {
            await send({
                url: `${STORAGE}/upload/storage/v1/b/${bucket}/o${query({ uploadType: "media", name: object, ifGenerationMatch })}`,
                method: "POST",
                data: text,
                headers: { "Content-Type": "application/json" },
            });
        },
        async writeLogEntries(entries) {
            await send({ url: `${LOGGING}/entries:write`, method: "POST", data: { entries } });
        },
        async createTimeSeries(project, points, at) {
            const endTime = at.toISOString();
            await send({
                url: `${MONITORING}/projects/${project}/timeSeries`,
                method: "POST",
                data: {
                    timeSeries: points.map((p) => ({
                        metric: { type: p.type, labels: p.labels },
                        resource: { type: "global", labels: { project_id: project } },
                        metricKind: "GAUGE",
                        valueType: "INT64",
                        points: [{ interval: { endTime }, value: { int64Value: String(p.value) } }],
                    })),
                },
            });
        },
        async getEffectivePolicyRules(project, constraint) {
            const d = await get(`${ORG_POLICY}/projects/${project}/policies/${constraint}:getEffectivePolicy`);
            const rules = (d.spec as { rules?: unknown } | undefined)?.rules;
            return Array.isArray(rules) ? (rules as PolicyRule[]) : [];
        },
    };
}

/** The calls over `google-auth-library`, loaded on first use (see key-store.ts's `defaultKeyStore`). */
export async function defaultUsageApis(): Promise<UsageApis> {
    const { GoogleAuth } = require("google-auth-library") as {
        GoogleAuth: new (opts: { scopes: string[] }) => { request: ApiRequest };
    };
    const auth = new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
    return usageApis((opts) => auth.request(opts));
}
