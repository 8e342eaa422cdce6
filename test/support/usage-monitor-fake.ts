/**
 * An in-memory AWS account for the usage monitor (`components/runtime/aws/usage-monitor.ts`): the
 * IAM roles and users it lists, their access keys, the credential report, SNS topics, CloudWatch
 * metrics and the DynamoDB state table, on one simulated clock, with per-service throttling.
 * Wired to real SDK clients through aws-sdk-client-mock, as `FakeIam` (iam-fake.ts, which models
 * one user's keys for the rotation function; this one models the account-wide reads).
 *
 * The documented rules it keeps:
 * - `GetAccountAuthorizationDetails` returns at most `MaxItems` (1–1,000, default 100) entities a
 *   page, possibly fewer ("IAM might return fewer results"), with `IsTruncated` and `Marker`; roles
 *   carry `Tags`, `CreateDate` and `RoleLastUsed`, which has no `LastUsedDate` for a role never used
 *   in IAM's tracking window; users carry `Tags` and `CreateDate` (no key data).
 *   @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 * - The credential report: `GenerateCredentialReport` answers `STARTED` then `COMPLETE` once
 *   generated; a report is regenerated only when the last is more than 4 hours old, otherwise the
 *   last is returned (so key data can be up to 4 hours stale); `GetCredentialReport` with none is
 *   `ReportNotPresent`. CSV columns as the user guide lists them, `N/A` for no date.
 *   @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 * - SNS `Publish`: an unknown topic is `NotFound`; a subject is under 100 ASCII characters; a
 *   FIFO topic (`.fifo`, content-based deduplication off) requires `MessageGroupId` and
 *   `MessageDeduplicationId`.
 *   @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * - CloudWatch `PutMetricData`: at most 1,000 metrics and 1 MB a request.
 *   @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 * - DynamoDB `Scan` pages (1 MB a page; modelled as `scanPageItems` items) with `LastEvaluatedKey`;
 *   an unknown table is `ResourceNotFoundException`.
 *   @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
 * - Secrets Manager `ListSecrets` (see `listSecrets`).
 * - Throttling: a token bucket per service on the simulated clock (IAM answers `Throttling`, the
 *   others `ThrottlingException`); a throttled call has no effect. Every call advances the clock by
 *   its service's latency, a sleep by its length, so time is simulated, never measured.
 */
import {
    CloudWatchClient,
    MetricDatum,
    PutMetricDataCommand,
    PutMetricDataCommandInput,
} from "@aws-sdk/client-cloudwatch";
import {
    DeleteItemCommand,
    DeleteItemCommandInput,
    DynamoDBClient,
    PutItemCommand,
    PutItemCommandInput,
    ScanCommand,
    ScanCommandInput,
    AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
    GenerateCredentialReportCommand,
    GetAccountAuthorizationDetailsCommand,
    GetAccountAuthorizationDetailsCommandInput,
    GetCredentialReportCommand,
    IAMClient,
} from "@aws-sdk/client-iam";
import { ListSecretsCommand, ListSecretsCommandInput, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";

export const ACCOUNT = "123456789012";
const HOUR = 3_600_000;

export type Service = "iam" | "sns" | "dynamodb" | "cloudwatch" | "secretsmanager";

/** A service's rate limit (requests a second, and the burst a full bucket allows) and latency. */
export interface ServiceModel {
    readonly rate: number;
    readonly burst: number;
    readonly latencyMs: number;
}

export interface FakeKey {
    active: boolean;
    readonly created: Date;
    lastUsed?: Date;
}

interface Entity {
    readonly kind: "role" | "user";
    readonly name: string;
    readonly id: string;
    readonly created: Date;
    tags: Record<string, string>;
    lastUsed?: Date;
    keys: FakeKey[];
}

export interface FakeSecret {
    readonly arn: string;
    readonly name: string;
    readonly created: Date;
    tags: Record<string, string>;
    /** `AutomaticallyAfterDays` when rotation is on. */
    rotateEveryDays?: number;
    lastRotated?: Date;
}

export interface Notice {
    readonly topic: string;
    readonly subject: string;
    readonly message: string;
    readonly at: Date;
}

const UNLIMITED: ServiceModel = { rate: Infinity, burst: Infinity, latencyMs: 0 };
const REPORT_HEADER =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
    "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
    "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

export class FakeAccount {
    /** The simulated clock, in ms since the epoch. */
    time: number;
    private readonly entities = new Map<string, Entity>();
    private serial = 0;
    private report?: { generated: number; csv: string; pollsLeft: number };
    private readonly buckets = new Map<Service, { tokens: number; at: number }>();
    private faults: { at: number; name: string }[] = [];
    readonly topics = new Set<string>();
    readonly notices: Notice[] = [];
    readonly metrics: MetricDatum[][] = [];
    readonly table = new Map<string, Record<string, AttributeValue>>();
    /** Every call that took effect or failed, as `service:Action`, in order. */
    readonly calls: string[] = [];
    /** How many calls were throttled, per service. */
    readonly throttled: Record<Service, number> = { iam: 0, sns: 0, dynamodb: 0, cloudwatch: 0, secretsmanager: 0 };
    /**
     * When set, the `crashAfter`-th call from now takes effect, then the function dies: that call
     * and every later one throw `Crash` (nothing more takes effect) until `dead` is reset.
     */
    crashAfter?: number;
    dead = false;
    /** At most this many entities per listing page, below `MaxItems` (IAM may return fewer). */
    pageCap = Infinity;
    scanPageItems = 100;
    /** The account's Secrets Manager secrets, by ARN, in creation order. */
    readonly secrets = new Map<string, FakeSecret>();
    /** Each role's and user's inline policies (name → JSON), by ARN: what `putPolicy` wrote. */
    readonly inlinePolicies = new Map<string, Map<string, string>>();
    /** At most this many secrets per `ListSecrets` page, below `MaxResults` (Secrets Manager may return fewer). */
    secretPageCap = Infinity;
    /** How many `GenerateCredentialReport` polls answer `STARTED` before `COMPLETE`. */
    reportPolls = 1;

    constructor(
        start: Date,
        readonly tableName = "nhi-usage-state",
        private readonly models: Partial<Record<Service, ServiceModel>> = {},
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

    addRole(name: string, tags: Record<string, string>, created = this.now()): string {
        return this.add({ kind: "role", name, id: `AROA${this.next()}`, created, tags, keys: [] });
    }

    addUser(name: string, tags: Record<string, string>, created = this.now()): string {
        return this.add({ kind: "user", name, id: `AIDA${this.next()}`, created, tags, keys: [] });
    }

    arn(kind: "role" | "user", name: string): string {
        return `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
    }

    remove(arn: string): void {
        this.entities.delete(arn);
        this.inlinePolicies.delete(arn);
    }

    /** IAM `PutRolePolicy` / `PutUserPolicy`: adds or replaces one inline policy; an unknown name is `NoSuchEntity`. */
    putPolicy(kind: "role" | "user", name: string, policyName: string, document: string): void {
        const arn = this.arn(kind, name);
        if (!this.entities.has(arn)) {
            throw named("NoSuchEntity");
        }
        const policies = this.inlinePolicies.get(arn) ?? new Map<string, string>();
        this.inlinePolicies.set(arn, policies.set(policyName, document));
    }

    /**
     * What EventBridge Scheduler does when a schedule with a universal target fires: the SDK call
     * the target ARN names (`arn:<partition>:scheduler:::aws-sdk:<service>:<apiAction>`), with the
     * target's input as its parameters, on the simulated clock. IAM's `putRolePolicy` and
     * `putUserPolicy` only; anything else throws.
     * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html
     */
    runUniversalTarget(targetArn: string, input: string): void {
        const call = /^arn:[\w-]+:scheduler:::aws-sdk:iam:(putRolePolicy|putUserPolicy)$/.exec(targetArn);
        if (call === null) {
            throw new Error(`the fake account does not model the target ${targetArn}`);
        }
        const request = JSON.parse(input) as {
            RoleName?: string;
            UserName?: string;
            PolicyName: string;
            PolicyDocument: string;
        };
        const [kind, name] =
            call[1] === "putRolePolicy" ? (["role", request.RoleName] as const) : (["user", request.UserName] as const);
        this.putPolicy(kind, name!, request.PolicyName, request.PolicyDocument);
    }

    entity(arn: string): Entity {
        const e = this.entities.get(arn);
        if (e === undefined) {
            throw new Error(`no ${arn}`);
        }
        return e;
    }

    /** The role or user is used now: a role's RoleLastUsed, or the user's first Active key. */
    use(arn: string): void {
        const e = this.entity(arn);
        if (e.kind === "role") {
            e.lastUsed = this.now();
        } else {
            const key = e.keys.find((k) => k.active);
            if (key === undefined) {
                throw new Error(`${arn} has no Active key`);
            }
            key.lastUsed = this.now();
        }
    }

    addKey(arn: string, created = this.now()): FakeKey {
        const key: FakeKey = { active: true, created };
        this.entity(arn).keys.push(key);
        return key;
    }

    /** A secret created now, rotated every `rotateEveryDays` days (undefined: rotation off). */
    addSecret(name: string, tags: Record<string, string>, rotateEveryDays?: number): FakeSecret {
        const secret: FakeSecret = {
            arn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-${this.next().slice(-6)}`,
            name,
            created: this.now(),
            tags,
            rotateEveryDays,
        };
        this.secrets.set(secret.arn, secret);
        return secret;
    }

    /** A rotation of `secret` succeeds now. */
    rotate(secret: FakeSecret): void {
        secret.lastRotated = this.now();
    }

    secretsmanager(): SecretsManagerClient {
        const client = new SecretsManagerClient({ region: "us-east-1" });
        mockClient(client)
            .on(ListSecretsCommand)
            .callsFake((i: ListSecretsCommandInput) =>
                this.call("secretsmanager", "ListSecrets", () => this.listSecrets(i)),
            );
        return client;
    }

    /** Throttles the next `n` calls to `service` (each retried call counts). */
    throttleNext(service: Service, n: number): void {
        this.pendingThrottles[service] += n;
    }
    private readonly pendingThrottles: Record<Service, number> = {
        iam: 0,
        sns: 0,
        dynamodb: 0,
        cloudwatch: 0,
        secretsmanager: 0,
    };

    /** Makes the `at`-th call from now fail, before it takes effect, with an error named `name`. */
    fail(at: number, name: string): void {
        this.faults.push({ at, name });
    }

    iam(): IAMClient {
        const client = new IAMClient({ region: "us-east-1" });
        const mock = mockClient(client);
        mock.on(GetAccountAuthorizationDetailsCommand).callsFake((i: GetAccountAuthorizationDetailsCommandInput) =>
            this.call("iam", "GetAccountAuthorizationDetails", () => this.details(i)),
        );
        mock.on(GenerateCredentialReportCommand).callsFake(() =>
            this.call("iam", "GenerateCredentialReport", () => this.generateReport()),
        );
        mock.on(GetCredentialReportCommand).callsFake(() =>
            this.call("iam", "GetCredentialReport", () => this.getReport()),
        );
        return client;
    }

    sns(): SNSClient {
        const client = new SNSClient({ region: "us-east-1" });
        mockClient(client)
            .on(PublishCommand)
            .callsFake((i: PublishCommandInput) => this.call("sns", "Publish", () => this.publish(i)));
        return client;
    }

    cloudwatch(): CloudWatchClient {
        const client = new CloudWatchClient({ region: "us-east-1" });
        mockClient(client)
            .on(PutMetricDataCommand)
            .callsFake((i: PutMetricDataCommandInput) =>
                this.call("cloudwatch", "PutMetricData", () => this.putMetrics(i)),
            );
        return client;
    }

    dynamodb(): DynamoDBClient {
        const client = new DynamoDBClient({ region: "us-east-1" });
        const mock = mockClient(client);
        mock.on(ScanCommand).callsFake((i: ScanCommandInput) => this.call("dynamodb", "Scan", () => this.scan(i)));
        mock.on(PutItemCommand).callsFake((i: PutItemCommandInput) =>
            this.call("dynamodb", "PutItem", () => {
                this.checkTable(i.TableName);
                this.table.set(i.Item!.identity.S!, i.Item!);
                return {};
            }),
        );
        mock.on(DeleteItemCommand).callsFake((i: DeleteItemCommandInput) =>
            this.call("dynamodb", "DeleteItem", () => {
                this.checkTable(i.TableName);
                this.table.delete(i.Key!.identity.S!);
                return {};
            }),
        );
        return client;
    }

    /** The recorded state of each identity, by ARN. */
    states(): Record<string, string> {
        return Object.fromEntries([...this.table.values()].map((item) => [item.arn.S!, item.state.S!]));
    }

    private add(e: Entity): string {
        const arn = this.arn(e.kind, e.name);
        this.entities.set(arn, e);
        return arn;
    }

    private next(): string {
        return String(++this.serial).padStart(17, "0");
    }

    private call<T>(service: Service, action: string, run: () => T): T {
        const model = this.models[service] ?? UNLIMITED;
        this.time += model.latencyMs;
        if (this.dead) {
            throw named("Crash");
        }
        this.calls.push(`${service}:${action}`);
        this.faults.forEach((f) => f.at--);
        const fault = this.faults.find((f) => f.at === 0);
        this.faults = this.faults.filter((f) => f.at > 0);
        if (fault !== undefined) {
            throw named(fault.name);
        }
        if (this.pendingThrottles[service] > 0 || !this.take(service, model)) {
            this.pendingThrottles[service] = Math.max(0, this.pendingThrottles[service] - 1);
            this.throttled[service]++;
            throw named(service === "iam" ? "Throttling" : "ThrottlingException");
        }
        const result = run();
        if (this.crashAfter !== undefined && --this.crashAfter === 0) {
            this.crashAfter = undefined;
            this.dead = true;
            throw named("Crash");
        }
        return result;
    }

    /** A token bucket: `rate` tokens a second up to `burst`; a call takes one or is throttled. */
    private take(service: Service, model: ServiceModel): boolean {
        if (model.rate === Infinity) {
            return true;
        }
        const b = this.buckets.get(service) ?? { tokens: model.burst, at: this.time };
        b.tokens = Math.min(model.burst, b.tokens + ((this.time - b.at) / 1000) * model.rate);
        b.at = this.time;
        this.buckets.set(service, b);
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }

    private details(i: GetAccountAuthorizationDetailsCommandInput) {
        const max = i.MaxItems ?? 100;
        if (max < 1 || max > 1000) {
            throw named("ValidationError");
        }
        const wanted = new Set(i.Filter ?? ["Role", "User"]);
        const all = [...this.entities.values()].filter((e) => wanted.has(e.kind === "role" ? "Role" : "User"));
        const from = i.Marker === undefined ? 0 : Number(i.Marker.slice("marker-".length));
        const page = all.slice(from, from + Math.min(max, this.pageCap));
        const end = from + page.length;
        const tags = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
        return {
            $metadata: {},
            RoleDetailList: page
                .filter((e) => e.kind === "role")
                .map((e) => ({
                    RoleName: e.name,
                    RoleId: e.id,
                    Arn: this.arn("role", e.name),
                    CreateDate: e.created,
                    Tags: tags(e.tags),
                    Path: "/",
                    // A role IAM has not seen used has an empty RoleLastUsed.
                    RoleLastUsed: e.lastUsed === undefined ? {} : { LastUsedDate: e.lastUsed, Region: "us-east-1" },
                })),
            UserDetailList: page
                .filter((e) => e.kind === "user")
                .map((e) => ({
                    UserName: e.name,
                    UserId: e.id,
                    Arn: this.arn("user", e.name),
                    CreateDate: e.created,
                    Tags: tags(e.tags),
                    Path: "/",
                })),
            IsTruncated: end < all.length,
            ...(end < all.length ? { Marker: `marker-${end}` } : {}),
        };
    }

    /**
     * `ListSecrets`: `MaxResults` 1–100 (default 100) a page, possibly fewer, with `NextToken`
     * while more remain; `tag-key` and `tag-value` filters each a case-sensitive prefix match on
     * any tag, ANDed; entries carry `Tags`, `CreatedDate`, `RotationEnabled`, `RotationRules` and,
     * once rotated, `LastRotatedDate`.
     * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html
     */
    private listSecrets(i: ListSecretsCommandInput) {
        const max = i.MaxResults ?? 100;
        if (max < 1 || max > 100) {
            throw named("InvalidParameterException");
        }
        const matches = (secret: FakeSecret) =>
            (i.Filters ?? []).every((f) => {
                const tags = Object.entries(secret.tags);
                const values = f.Values ?? [];
                return f.Key === "tag-key"
                    ? tags.some(([k]) => values.some((v) => k.startsWith(v)))
                    : f.Key === "tag-value"
                      ? tags.some(([, v]) => values.some((w) => v.startsWith(w)))
                      : true;
            });
        const all = [...this.secrets.values()].filter(matches);
        const from = i.NextToken === undefined ? 0 : Number(i.NextToken.slice("token-".length));
        const page = all.slice(from, from + Math.min(max, this.secretPageCap));
        const end = from + page.length;
        return {
            $metadata: {},
            SecretList: page.map((x) => ({
                ARN: x.arn,
                Name: x.name,
                CreatedDate: x.created,
                Tags: Object.entries(x.tags).map(([Key, Value]) => ({ Key, Value })),
                RotationEnabled: x.rotateEveryDays !== undefined,
                ...(x.rotateEveryDays === undefined
                    ? {}
                    : { RotationRules: { AutomaticallyAfterDays: x.rotateEveryDays } }),
                ...(x.lastRotated === undefined ? {} : { LastRotatedDate: x.lastRotated }),
            })),
            ...(end < all.length ? { NextToken: `token-${end}` } : {}),
        };
    }

    private generateReport() {
        if (this.report !== undefined && this.time - this.report.generated <= 4 * HOUR) {
            if (this.report.pollsLeft > 0) {
                this.report.pollsLeft--;
                return { $metadata: {}, State: "INPROGRESS" };
            }
            return { $metadata: {}, State: "COMPLETE" };
        }
        // STARTED, then `reportPolls - 1` polls INPROGRESS, then COMPLETE.
        this.report = { generated: this.time, csv: this.reportCsv(), pollsLeft: this.reportPolls - 1 };
        return { $metadata: {}, State: "STARTED" };
    }

    private getReport() {
        if (this.report === undefined) {
            throw named("CredentialReportNotPresentException");
        }
        if (this.report.pollsLeft > 0) {
            throw named("CredentialReportNotReadyException");
        }
        return {
            $metadata: {},
            Content: new TextEncoder().encode(this.report.csv),
            ReportFormat: "text/csv",
            GeneratedTime: new Date(this.report.generated),
        };
    }

    private reportCsv(): string {
        const d = (x: Date | undefined) => (x === undefined ? "N/A" : x.toISOString().replace(".000Z", "+00:00"));
        const rows = [...this.entities.values()]
            .filter((e) => e.kind === "user")
            .map((e) => {
                const key = (k: FakeKey | undefined) =>
                    k === undefined
                        ? "false,N/A,N/A,N/A,N/A"
                        : `${k.active},${d(k.created)},${d(k.lastUsed)},${k.lastUsed ? "us-east-1" : "N/A"},${k.lastUsed ? "s3" : "N/A"}`;
                return `${e.name},${this.arn("user", e.name)},${d(e.created)},false,N/A,N/A,N/A,false,${key(e.keys[0])},${key(e.keys[1])},false,N/A,false,N/A`;
            });
        return [REPORT_HEADER, ...rows].join("\n");
    }

    private publish(i: PublishCommandInput) {
        if (!this.topics.has(i.TopicArn!)) {
            throw named("NotFoundException");
        }
        if (
            i.TopicArn!.endsWith(".fifo") &&
            (i.MessageGroupId === undefined || i.MessageDeduplicationId === undefined)
        ) {
            // A FIFO topic without content-based deduplication requires both.
            throw named("InvalidParameterException");
        }
        if (i.Subject !== undefined && (i.Subject.length >= 100 || !/^[\x20-\x7e]+$/.test(i.Subject))) {
            throw named("InvalidParameterException");
        }
        this.notices.push({ topic: i.TopicArn!, subject: i.Subject ?? "", message: i.Message!, at: this.now() });
        return { $metadata: {}, MessageId: `m-${this.notices.length}` };
    }

    private putMetrics(i: PutMetricDataCommandInput) {
        const data = i.MetricData ?? [];
        if (data.length > 1000 || JSON.stringify(i).length > 1_000_000) {
            throw named("InvalidParameterValueException");
        }
        this.metrics.push(data);
        return { $metadata: {} };
    }

    private scan(i: ScanCommandInput) {
        this.checkTable(i.TableName);
        const keys = [...this.table.keys()].sort();
        const from =
            i.ExclusiveStartKey === undefined ? 0 : keys.findIndex((k) => k > i.ExclusiveStartKey!.identity.S!);
        const start = from < 0 ? keys.length : from;
        const page = keys.slice(start, start + this.scanPageItems);
        const more = start + page.length < keys.length;
        return {
            $metadata: {},
            Items: page.map((k) => this.table.get(k)!),
            ...(more ? { LastEvaluatedKey: { identity: { S: page[page.length - 1] } } } : {}),
        };
    }

    private checkTable(name: string | undefined): void {
        if (name !== this.tableName) {
            throw named("ResourceNotFoundException");
        }
    }
}

function named(name: string): Error {
    const e = new Error(`injected ${name}`);
    e.name = name;
    return e;
}
