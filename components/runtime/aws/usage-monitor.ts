/**
 * The AWS usage monitor: one function per account and region, run daily by an EventBridge
 * Scheduler schedule with the event `{"nhiAction": "monitorUsage", "stateTable": …,
 * "perIdentityMetrics": …}` (usage-contract.ts). Each run:
 *
 * 1. **Finds every identity this package manages**: `iam:GetAccountAuthorizationDetails` with
 *    `Filter: ["Role", "User"]`, paged by `Marker` while `IsTruncated` (`MaxItems` 1,000), returns
 *    every role and user with its tags, `CreateDate` and, for roles, `RoleLastUsed` (absent for a
 *    role IAM has not seen used in its 400-day window). Roles and users without the tag
 *    `nhi:managed-by = pulumi-nhi` are ignored. `ListRoles` returns neither tags nor
 *    `RoleLastUsed`; `GetRole` does, but one call per role.
 *    @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 *    @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html
 * 2. **Reads when each user's access keys were last used** from the account's credential report
 *    (`iam:GenerateCredentialReport` until `COMPLETE`, then `iam:GetCredentialReport`): one CSV
 *    with both keys of every user (`access_key_N_active`, `_last_rotated`, `_last_used_date`),
 *    in 2–3 calls however many users there are. The per-user path, `ListAccessKeys` then
 *    `GetAccessKeyLastUsed` per key, costs 1–3 calls per user: at IAM's throttling rate (about 15
 *    requests a second) 10,000 users would take half an hour, twice Lambda's 15-minute limit. IAM
 *    generates a report at most every 4 hours and otherwise returns the last one, so a key's last
 *    use can be up to 4 hours old: nothing at a threshold counted in days. A user created since the
 *    report has no row: never used, counted from its creation.
 *    @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 * 3. **Evaluates each identity** against the thresholds in its own tags (`usage-evaluate.ts`):
 *    `expired`, `expiring`, `key-too-old`, `idle` or `ok`; and **each managed secret's rotation**
 *    (`secretsmanager:ListSecrets` filtered by the `nhi:managed-by` tag, 100 a page, one call per
 *    page whatever the number of identities): `rotation-stale` when no rotation has succeeded for
 *    longer than its period plus a day (never rotated: since creation), or `ok`. A secret's
 *    notices go to its own `nhi:notify`; its state is kept under its ARN in the same table.
 * 4. **Notifies once per change of state**: when the state differs from the one recorded, it
 *    publishes one notice (`sns:Publish`, subject and JSON body of facts, never a credential) to
 *    the identity's `nhi:notify` topic, then records the new state. A return to `ok` is a change
 *    too (a "resolved" notice, as a CloudWatch alarm's OK action), so an owner who was told
 *    "idle" learns it is in use again. No `nhi:notify`: the state is recorded, nothing is sent.
 * 5. **Forgets identities that are gone** (their items are deleted, no notice).
 * 6. **Publishes metrics** (`cloudwatch:PutMetricData`, namespace `PulumiNhi`, dimensions
 *    `Account` and `Region`): the counts, and `MonitorRunSucceeded` = 1 only when every identity
 *    was evaluated and every notice sent; with `perIdentityMetrics`, two metrics per identity in
 *    batches of at most 1,000 metrics (PutMetricData's limit per request; 1 MB per request).
 *    @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 *
 * **Where the last state is kept**: in a DynamoDB table the monitor alone writes, one item per
 * identity not `ok` (no item means `ok`, so a quiet account writes nothing). Not in a tag on the
 * role or user: the monitor would need `iam:TagRole`/`iam:TagUser` on every managed identity, and
 * tags are what grants' `whereTagged` conditions, the rotators' `nhi:rotator` scope and the
 * `nhi:managed-by` ownership rest on: a function allowed to write them could rewrite any of them.
 * Not in one S3 object or SSM parameter per account: an SSM parameter holds at most 8 KB, and one
 * object rewritten after every notice is 10,000 rewrites of a growing document, or one write at the
 * end that a crash loses entirely. An item per identity makes each record a single idempotent write.
 *
 * **Crashes and retries**: the notice is published before the state is recorded. A crash, a
 * timeout or a failed write between the two means the next run sees the old state and sends the
 * notice again: a duplicate, never a lost notice. The reverse order could lose one forever, and a
 * lost "expired" or "idle" is the failure this function exists to prevent. A failed publish
 * (topic deleted, access denied) is logged, its state not recorded (so it is retried the next
 * run), the other identities carried on, `MonitorRunSucceeded` is 0 and the run fails at the end.
 *
 * Every step logs one JSON line (listing page, identity evaluated, notice sent, state recorded,
 * metrics published): names, ARNs, states and day counts, never a tag value or a credential.
 * Throttled calls are retried with backoff and full jitter (`retry.ts`).
 *
 * Runs in the cloud: plain TypeScript, imports nothing from `@pulumi/*` or `components/`; the SDK
 * clients are devDependencies here and provided by Lambda's Node.js runtime.
 */
import { CloudWatchClient, MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
    AttributeValue,
    DeleteItemCommand,
    DynamoDBClient,
    PutItemCommand,
    ScanCommand,
} from "@aws-sdk/client-dynamodb";
import {
    GenerateCredentialReportCommand,
    GetAccountAuthorizationDetailsCommand,
    GetCredentialReportCommand,
    IAMClient,
} from "@aws-sdk/client-iam";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { Backoff, errorName, withBackoff } from "./retry";
import {
    IDENTITY_METRICS,
    MANAGED_BY_TAG,
    MANAGED_BY_VALUE,
    METRICS,
    MONITOR_ACTION,
    MonitorEvent,
    NAMESPACE,
    STATES,
    STATE_KEY,
    UsageState,
} from "./usage-contract";
import {
    Evaluation,
    Identity,
    KeyUsage,
    ManagedSecret,
    evaluate,
    evaluateSecret,
    notice,
    parseCredentialReport,
    secretNotice,
} from "./usage-evaluate";

export * from "./usage-contract";
export {
    evaluate,
    evaluateSecret,
    notice,
    parseCredentialReport,
    readThresholds,
    secretNotice,
} from "./usage-evaluate";

/** `MaxItems` of each listing page: GetAccountAuthorizationDetails allows 1–1,000 (default 100). */
export const PAGE_ITEMS = 1000;
/** `MaxResults` of each `ListSecrets` page: 1–100. */
export const SECRET_PAGE_ITEMS = 100;
/** PutMetricData: at most 1,000 metrics per request. */
export const MAX_METRICS_PER_CALL = 1000;
/** How long to wait between polls of a credential report being generated, and how many polls at most. */
export const REPORT_POLL_MS = 2000;
export const REPORT_MAX_POLLS = 60;
/** A DynamoDB table name: 3–255 of `A–Z a–z 0–9 _ - .` (API_CreateTable). */
const TABLE_NAME = /^[\w.-]{3,255}$/;

/** One structured log line: a step, its outcome and what it is about; never a value. */
export interface MonitorLogLine {
    readonly step:
        | "event"
        | "list"
        | "credential-report"
        | "state"
        | "evaluate"
        | "notify"
        | "record"
        | "forget"
        | "metrics"
        | "run";
    readonly outcome: string;
    readonly identity?: string;
    readonly state?: UsageState;
    readonly previous?: UsageState;
    readonly page?: number;
    readonly count?: number;
    readonly daysSinceLastUse?: number;
    readonly daysToExpiry?: number;
    readonly daysSinceRotation?: number;
    readonly invalidTags?: readonly string[];
    readonly error?: string;
}

/** What the monitor talks to; tests pass clients wired to fakes, a clock, a sleep that does not wait. */
export interface MonitorDeps extends Backoff {
    readonly iam: IAMClient;
    readonly sns: SNSClient;
    readonly dynamodb: DynamoDBClient;
    readonly cloudwatch: CloudWatchClient;
    readonly secretsmanager: SecretsManagerClient;
    readonly now: () => Date;
    readonly log: (line: MonitorLogLine) => void;
    /** The metrics' `Account` and `Region` dimensions. */
    readonly account: string;
    readonly region: string;
}

/** What a run found, for tests and the measurement helper. */
export interface RunSummary {
    readonly monitored: number;
    /** The managed secrets whose rotation was checked. */
    readonly secrets: number;
    readonly counts: Readonly<Record<UsageState, number>>;
    readonly notices: number;
    readonly failures: number;
}

/** The Lambda entry point: clients with their own retries off (`withBackoff` retries throttling). */
export async function handler(event: unknown, context: { invokedFunctionArn: string }): Promise<RunSummary> {
    defaultDeps ??= {
        iam: new IAMClient({ maxAttempts: 1 }),
        sns: new SNSClient({ maxAttempts: 1 }),
        dynamodb: new DynamoDBClient({ maxAttempts: 1 }),
        cloudwatch: new CloudWatchClient({ maxAttempts: 1 }),
        secretsmanager: new SecretsManagerClient({ maxAttempts: 1 }),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        now: () => new Date(),
        log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        account: context.invokedFunctionArn.split(":")[4],
        region: process.env.AWS_REGION ?? "",
    };
    return monitorUsage(event, defaultDeps);
}
let defaultDeps: MonitorDeps | undefined;

/** Whether `event` is exactly the monitor's event. */
export function isMonitorEvent(event: unknown): event is MonitorEvent {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
        return false;
    }
    const e = event as Record<string, unknown>;
    return (
        Object.keys(e).sort().join(",") === "nhiAction,perIdentityMetrics,stateTable" &&
        e.nhiAction === MONITOR_ACTION &&
        typeof e.stateTable === "string" &&
        TABLE_NAME.test(e.stateTable) &&
        typeof e.perIdentityMetrics === "boolean"
    );
}

/** One run of the monitor (see the file's comment). Throws after its metrics when any identity failed. */
export async function monitorUsage(event: unknown, deps: MonitorDeps): Promise<RunSummary> {
    if (!isMonitorEvent(event)) {
        deps.log({ step: "event", outcome: "refused" });
        throw new Error(
            `Invalid usage monitor event: expected exactly \`nhiAction\` ("${MONITOR_ACTION}"), \`stateTable\` (a DynamoDB table name) and \`perIdentityMetrics\` (true or false).`,
        );
    }
    const call = <T>(send: () => Promise<T>) => withBackoff(send, deps);
    const now = deps.now();
    const identities = await listManaged(deps, call);
    if (identities.some((i) => i.kind === "user")) {
        const report = await credentialReport(deps, call);
        for (const [index, identity] of identities.entries()) {
            if (identity.kind === "user") {
                identities[index] = { ...identity, keys: report.get(identity.arn)?.keys ?? [] };
            }
        }
    }
    const secrets = await listManagedSecrets(deps, call);
    const recorded = await readStates(event.stateTable, deps, call);
    const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<UsageState, number>;
    const evaluations: [Identity, Evaluation][] = [];
    let notices = 0;
    let failures = 0;
    /** Notifies and records one change of state (see the file's comment); false when it failed. */
    const change = async (c: {
        id: string;
        arn: string;
        state: UsageState;
        previous: UsageState;
        notify?: string;
        notice: () => { subject: string; message: string };
    }) => {
        try {
            if (c.notify !== undefined) {
                const { subject, message } = c.notice();
                await call(() =>
                    deps.sns.send(
                        new PublishCommand({
                            TopicArn: c.notify,
                            Subject: subject,
                            Message: message,
                            ...fifo(c.notify!, c.id, c.state, now),
                        }),
                    ),
                );
                notices++;
                deps.log({ step: "notify", outcome: "sent", identity: c.arn, state: c.state, previous: c.previous });
            }
            if (c.state === "ok") {
                await forget(event.stateTable, c.id, deps, call);
            } else {
                await call(() =>
                    deps.dynamodb.send(
                        new PutItemCommand({ TableName: event.stateTable, Item: stateItem(c.id, c.arn, c.state, now) }),
                    ),
                );
            }
            deps.log({ step: "record", outcome: "recorded", identity: c.arn, state: c.state });
        } catch (err) {
            failures++;
            deps.log({
                step: c.notify === undefined ? "record" : "notify",
                outcome: "failed",
                identity: c.arn,
                state: c.state,
                error: errorName(err),
            });
        }
    };
    for (const identity of identities) {
        const e = evaluate(identity, now);
        evaluations.push([identity, e]);
        counts[e.state]++;
        const previous = recorded.get(identity.id) ?? "ok";
        recorded.delete(identity.id);
        deps.log({
            step: "evaluate",
            outcome: e.state === previous ? "unchanged" : "changed",
            identity: identity.arn,
            state: e.state,
            previous,
            daysSinceLastUse: e.daysSinceLastUse,
            ...(e.daysToExpiry === undefined ? {} : { daysToExpiry: e.daysToExpiry }),
            ...(e.thresholds.invalid.length === 0 ? {} : { invalidTags: e.thresholds.invalid }),
        });
        if (e.state !== previous) {
            await change({
                id: identity.id,
                arn: identity.arn,
                state: e.state,
                previous,
                notify: e.thresholds.notify,
                notice: () => notice(identity, e, previous, now),
            });
        }
    }
    for (const secret of secrets) {
        const e = evaluateSecret(secret, now);
        counts[e.state]++;
        const previous = recorded.get(secret.arn) ?? "ok";
        recorded.delete(secret.arn);
        deps.log({
            step: "evaluate",
            outcome: e.state === previous ? "unchanged" : "changed",
            identity: secret.arn,
            state: e.state,
            previous,
            daysSinceRotation: e.daysSinceRotation,
            ...(e.invalid.length === 0 ? {} : { invalidTags: e.invalid }),
        });
        if (e.state !== previous) {
            await change({
                id: secret.arn,
                arn: secret.arn,
                state: e.state,
                previous,
                notify: e.notify,
                notice: () => secretNotice(secret, e, previous, now),
            });
        }
    }
    // What is left was recorded for identities no longer listed: deleted, or no longer ours.
    for (const id of recorded.keys()) {
        await forget(event.stateTable, id, deps, call);
        deps.log({ step: "forget", outcome: "deleted", identity: id });
    }
    await publishMetrics(evaluations, counts, failures === 0, event.perIdentityMetrics, deps, call);
    const summary = { monitored: identities.length, secrets: secrets.length, counts, notices, failures };
    deps.log({ step: "run", outcome: failures === 0 ? "succeeded" : "failed", count: identities.length });
    if (failures > 0) {
        throw new Error(
            `The usage monitor could not notify or record ${failures} of ${identities.length} identities; see the log lines with outcome "failed". The next run retries them.`,
        );
    }
    return summary;
}

type Call = <T>(send: () => Promise<T>) => Promise<T>;

/** Every managed role and user, by pages of {@link PAGE_ITEMS}; a user's keys are filled in later. */
async function listManaged(deps: MonitorDeps, call: Call): Promise<Identity[]> {
    const identities: Identity[] = [];
    let marker: string | undefined;
    for (let page = 1; ; page++) {
        const got = await call(() =>
            deps.iam.send(
                new GetAccountAuthorizationDetailsCommand({
                    Filter: ["Role", "User"],
                    MaxItems: PAGE_ITEMS,
                    ...(marker === undefined ? {} : { Marker: marker }),
                }),
            ),
        );
        const before = identities.length;
        for (const r of got.RoleDetailList ?? []) {
            const tags = tagMap(r.Tags);
            if (tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE) {
                identities.push({
                    kind: "role",
                    id: r.RoleId!,
                    arn: r.Arn!,
                    name: r.RoleName!,
                    created: r.CreateDate!,
                    tags,
                    lastUsed: r.RoleLastUsed?.LastUsedDate,
                    keys: [],
                });
            }
        }
        for (const u of got.UserDetailList ?? []) {
            const tags = tagMap(u.Tags);
            if (tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE) {
                identities.push({
                    kind: "user",
                    id: u.UserId!,
                    arn: u.Arn!,
                    name: u.UserName!,
                    created: u.CreateDate!,
                    tags,
                    keys: [] as KeyUsage[],
                });
            }
        }
        deps.log({ step: "list", outcome: "page", page, count: identities.length - before });
        if (!got.IsTruncated) {
            return identities;
        }
        marker = got.Marker;
    }
}

/**
 * Every managed secret with its rotation, by pages of {@link SECRET_PAGE_ITEMS}: `ListSecrets`
 * with the filters `tag-key` = `nhi:managed-by` and `tag-value` = `pulumi-nhi` (each a prefix
 * match, and not tied to each other: the exact tag is checked here). Each entry carries `Tags`,
 * `CreatedDate`, `LastRotatedDate` (absent until a rotation succeeds) and `RotationRules`.
 * Secrets scheduled for deletion are not listed.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_SecretListEntry.html
 */
async function listManagedSecrets(deps: MonitorDeps, call: Call): Promise<ManagedSecret[]> {
    const secrets: ManagedSecret[] = [];
    let token: string | undefined;
    for (let page = 1; ; page++) {
        const got = await call(() =>
            deps.secretsmanager.send(
                new ListSecretsCommand({
                    MaxResults: SECRET_PAGE_ITEMS,
                    Filters: [
                        { Key: "tag-key", Values: [MANAGED_BY_TAG] },
                        { Key: "tag-value", Values: [MANAGED_BY_VALUE] },
                    ],
                    ...(token === undefined ? {} : { NextToken: token }),
                }),
            ),
        );
        const before = secrets.length;
        for (const s of got.SecretList ?? []) {
            const tags = tagMap(s.Tags);
            if (tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE && s.ARN !== undefined && s.CreatedDate !== undefined) {
                secrets.push({
                    arn: s.ARN,
                    name: s.Name ?? s.ARN,
                    created: s.CreatedDate,
                    lastRotated: s.LastRotatedDate,
                    rotateEveryDays: s.RotationEnabled ? s.RotationRules?.AutomaticallyAfterDays : undefined,
                    tags,
                });
            }
        }
        deps.log({ step: "list", outcome: "secrets-page", page, count: secrets.length - before });
        if (got.NextToken === undefined) {
            return secrets;
        }
        token = got.NextToken;
    }
}

/** The credential report's rows by user ARN, generating a report first if the last is older than 4 hours. */
async function credentialReport(deps: MonitorDeps, call: Call): Promise<Map<string, { keys: readonly KeyUsage[] }>> {
    for (let poll = 1; ; poll++) {
        const state = (await call(() => deps.iam.send(new GenerateCredentialReportCommand({})))).State;
        if (state === "COMPLETE") {
            break;
        }
        if (poll >= REPORT_MAX_POLLS) {
            deps.log({ step: "credential-report", outcome: "not-ready", count: poll });
            throw new Error(
                `IAM's credential report was still ${state} after ${poll} polls, ${(poll * REPORT_POLL_MS) / 1000} s apart.`,
            );
        }
        await deps.sleep(REPORT_POLL_MS);
    }
    const got = await call(() => deps.iam.send(new GetCredentialReportCommand({})));
    const rows = parseCredentialReport(Buffer.from(got.Content ?? new Uint8Array()).toString("utf8"));
    deps.log({ step: "credential-report", outcome: "read", count: rows.size });
    return rows;
}

/**
 * The recorded states by identity id, from every page of the table. A strongly consistent read
 * (twice the read units of an eventually consistent one, on a table of at most one small item per
 * identity): a run retried seconds after a crash sees what the crashed run recorded.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
 */
async function readStates(table: string, deps: MonitorDeps, call: Call): Promise<Map<string, UsageState>> {
    const states = new Map<string, UsageState>();
    let start: Record<string, AttributeValue> | undefined;
    do {
        const got = await call(() =>
            deps.dynamodb.send(
                new ScanCommand({
                    TableName: table,
                    ConsistentRead: true,
                    ...(start === undefined ? {} : { ExclusiveStartKey: start }),
                }),
            ),
        );
        for (const item of got.Items ?? []) {
            const state = item.state?.S as UsageState | undefined;
            if (item[STATE_KEY]?.S !== undefined && state !== undefined && STATES.includes(state)) {
                states.set(item[STATE_KEY].S, state);
            }
        }
        start = got.LastEvaluatedKey;
    } while (start !== undefined);
    deps.log({ step: "state", outcome: "read", count: states.size });
    return states;
}

/**
 * A FIFO topic requires `MessageGroupId`, and `MessageDeduplicationId` unless content-based
 * deduplication is on: the group is the identity (its notices stay in order), the deduplication
 * id its new state on this day, so a run retried within SNS's 5-minute window sends no duplicate.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
function fifo(
    topic: string,
    id: string,
    state: UsageState,
    now: Date,
): { MessageGroupId?: string; MessageDeduplicationId?: string } {
    // Both at most 128 characters: a secret's ARN may be longer, so its last 100 (name and suffix).
    const group = id.slice(-100);
    return topic.endsWith(".fifo")
        ? { MessageGroupId: group, MessageDeduplicationId: `${group}-${state}-${now.toISOString().slice(0, 10)}` }
        : {};
}

async function forget(table: string, id: string, deps: MonitorDeps, call: Call): Promise<void> {
    await call(() => deps.dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { [STATE_KEY]: { S: id } } })));
}

function stateItem(id: string, arn: string, state: UsageState, now: Date): Record<string, AttributeValue> {
    return { [STATE_KEY]: { S: id }, state: { S: state }, since: { S: now.toISOString() }, arn: { S: arn } };
}

/** The aggregate metrics, and per-identity ones when asked, in requests of at most 1,000 metrics. */
async function publishMetrics(
    evaluations: readonly [Identity, Evaluation][],
    counts: Readonly<Record<UsageState, number>>,
    succeeded: boolean,
    perIdentity: boolean,
    deps: MonitorDeps,
    call: Call,
): Promise<void> {
    const at = deps.now();
    const base = [
        { Name: "Account", Value: deps.account },
        { Name: "Region", Value: deps.region },
    ];
    const datum = (
        name: string,
        value: number,
        unit: "Count" | "None" = "Count",
        extra: MetricDatum["Dimensions"] = [],
    ): MetricDatum => ({ MetricName: name, Dimensions: [...base, ...extra!], Timestamp: at, Value: value, Unit: unit });
    const data: MetricDatum[] = [];
    if (perIdentity) {
        for (const [identity, e] of evaluations) {
            const dims = [{ Name: "Identity", Value: identity.arn }];
            data.push(datum(IDENTITY_METRICS.daysSinceLastUse, e.daysSinceLastUse, "None", dims));
            if (e.daysToExpiry !== undefined) {
                data.push(datum(IDENTITY_METRICS.daysToExpiry, e.daysToExpiry, "None", dims));
            }
        }
    }
    // The aggregates last, `MonitorRunSucceeded` with them: it says every other metric is in.
    data.push(
        datum(METRICS.monitored, evaluations.length),
        datum(METRICS.idle, counts.idle),
        datum(METRICS.expiring, counts.expiring),
        datum(METRICS.expired, counts.expired),
        datum(METRICS.keyTooOld, counts["key-too-old"]),
        datum(METRICS.rotationStale, counts["rotation-stale"]),
        datum(METRICS.runSucceeded, succeeded ? 1 : 0),
    );
    for (let i = 0; i < data.length; i += MAX_METRICS_PER_CALL) {
        const batch = data.slice(i, i + MAX_METRICS_PER_CALL);
        await call(() => deps.cloudwatch.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: batch })));
        deps.log({ step: "metrics", outcome: "published", count: batch.length });
    }
}

function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const t of tags ?? []) {
        if (t.Key !== undefined && t.Value !== undefined) {
            out[t.Key] = t.Value;
        }
    }
    return out;
}
