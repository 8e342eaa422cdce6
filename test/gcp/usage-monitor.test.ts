import * as assert from "assert";
import * as pulumiGcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { findRole, isPermission } from "../../components/gcp/catalog";
import { monitorJobBody, planGcpUsageMonitor } from "../../components/gcp/usage-monitor";
import { entryDependencies, functionPackageJson, functionSource } from "../../components/gcp/rotation-function";
import {
    FUNCTION_ENTRY,
    PERMISSIONS,
    heartbeatFilter,
    isMonitorEvent,
    monitorEvent,
    noticeFilter,
} from "../../components/runtime/gcp/usage-contract";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { capture, ofType, Registered } from "../../components/testing";
import { BadInput, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";

/*
 * gcp.UsageMonitor: the children it declares (state bucket, HTTP function and its two identities,
 * Cloud Scheduler job, one notice policy per channel, heartbeat policy), exactly what its identities
 * may do, and the bad input it refuses before registering anything.
 */

// A project of its own: every monitor declared here registers as its project's monitor for the rest
// of the process (no stack resource under the mocks), and other files' tests count acme-prod's.
const CHANNEL = "projects/acme-usage/notificationChannels/1234567890";
const OTHER_CHANNEL = "projects/acme-usage/notificationChannels/987";
const ONCALL = "projects/acme-usage/notificationChannels/555";
const base = { project: "acme-usage", region: "europe-west1", owner: "team-platform", notifyChannels: [CHANNEL] };
const URL = "https://europe-west1-acme-usage.cloudfunctions.net/usage-mon";
const RUNTIME = "serviceAccount:usage-mon@acme-usage.iam.gserviceaccount.com";
const TRIGGER = "serviceAccount:usage-mon-inv@acme-usage.iam.gserviceaccount.com";
const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";

async function declare(args: any = base) {
    return capture(() => new gcp.UsageMonitor("usage", args));
}
function named(resources: readonly Registered[], name: string, type?: string): Registered {
    const found = resources.find((r) => r.name === name && (type === undefined || r.type === type));
    assert.ok(found, `no resource named ${name} among ${resources.map((r) => r.name).join(", ")}`);
    return found;
}
const decodedBody = (job: Registered) => JSON.parse(Buffer.from(job.inputs.httpTarget.body, "base64").toString("utf8"));

describe("gcp.UsageMonitor", function () {
    this.timeout(30_000);

    it("declares exactly its bucket, function, identities, job and policies", async () => {
        // GIVEN a monitor with the defaults and one channel
        const { resources } = await declare();
        // WHEN its children are listed
        const children = resources
            .filter((r) => r.type !== "nhi:gcp:UsageMonitor")
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        // THEN exactly these: no Pub/Sub trigger, no service agent
        assert.deepStrictEqual(children, [
            "gcp:cloudfunctionsv2/function:Function usage",
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember usage-invoker",
            "gcp:cloudscheduler/job:Job usage-schedule",
            `${POLICY} usage-heartbeat`,
            `${POLICY} usage-notify-1234567890`,
            "gcp:projects/iAMCustomRole:IAMCustomRole usage-runtime-bucket-1-custom",
            "gcp:projects/iAMCustomRole:IAMCustomRole usage-runtime-project-acme-usage-custom",
            "gcp:projects/iAMMember:IAMMember usage-runtime-project-acme-usage-custom",
            "gcp:serviceaccount/account:Account usage-runtime-sa",
            "gcp:serviceaccount/account:Account usage-trigger-sa",
            "gcp:storage/bucket:Bucket usage-source",
            "gcp:storage/bucket:Bucket usage-state",
            "gcp:storage/bucketIAMMember:BucketIAMMember usage-runtime-bucket-1-custom",
            "gcp:storage/bucketObject:BucketObject usage-source",
            "nhi:gcp:ServiceIdentity usage-runtime",
            "nhi:gcp:ServiceIdentity usage-trigger",
        ]);
        // AND each is the monitor's child or its identities' child
        const parents = new Set(resources.filter((r) => r.type !== "nhi:gcp:UsageMonitor").map((r) => r.parentType));
        assert.deepStrictEqual([...parents].sort(), ["nhi:gcp:ServiceIdentity", "nhi:gcp:UsageMonitor"]);
    });

    it("runs the monitor entry over HTTP for up to 30 minutes with 512 MiB, one instance, as its own account", async () => {
        // GIVEN a monitor  WHEN its function is read
        const fn = named((await declare()).resources, "usage", "gcp:cloudfunctionsv2/function:Function");
        // THEN it runs `monitorUsage` of the usage entry, with no event trigger
        assert.deepStrictEqual(fn.inputs.buildConfig.entryPoint, "monitorUsage");
        const source = functionSource(FUNCTION_ENTRY.file, entryDependencies(FUNCTION_ENTRY));
        assert.strictEqual(
            fn.inputs.buildConfig.source.storageSource.object,
            `pulumi-nhi/gcp-usage-index-${source.digest.slice(0, 16)}.zip`,
        );
        assert.ok(source.files.includes("gcp/usage-index.js") && source.files.includes("package.json"));
        // AND its package.json pins the contract's dependencies (and the rotation functions' shared ones)
        const pkg = JSON.parse(functionPackageJson(FUNCTION_ENTRY.file, entryDependencies(FUNCTION_ENTRY)));
        assert.deepStrictEqual(
            { main: pkg.main, deps: pkg.dependencies },
            {
                main: "gcp/usage-index.js",
                deps: {
                    "@google-cloud/functions-framework": "5.0.5",
                    "@google-cloud/secret-manager": "7.2.0",
                    "google-auth-library": "11.3.4",
                },
            },
        );
        assert.strictEqual(fn.inputs.eventTrigger, undefined);
        assert.deepStrictEqual(fn.inputs.serviceConfig, {
            allTrafficOnLatestRevision: true,
            availableMemory: "512M",
            ingressSettings: "ALLOW_ALL",
            maxInstanceCount: 1,
            serviceAccountEmail: "usage-mon@acme-usage.iam.gserviceaccount.com",
            timeoutSeconds: 1800,
        });
        assert.strictEqual(fn.inputs.name, "usage-mon");
    });

    it("calls the function twice a day with the contract's event, as the trigger account, which alone may invoke it", async () => {
        // GIVEN a monitor with per-identity metrics
        const { resources } = await declare({ ...base, perIdentityMetrics: true });
        // WHEN the job is read
        const job = named(resources, "usage-schedule");
        // THEN it runs at 03:00 and 15:00 UTC, retried no sooner than 10 minutes later, waiting 30 minutes
        const { httpTarget, description, ...rest } = job.inputs;
        assert.deepStrictEqual(rest, {
            project: "acme-usage",
            region: "europe-west1",
            schedule: "0 3,15 * * *",
            timeZone: "Etc/UTC",
            attemptDeadline: "1800s",
            retryConfig: { retryCount: 2, minBackoffDuration: "600s", maxBackoffDuration: "3600s", maxDoublings: 1 },
        });
        assert.strictEqual(description, "Runs the pulumi-nhi usage monitor usage of acme-usage.");
        // AND POSTs the event the function accepts, naming the state bucket, with an OIDC token for the function's URL
        assert.deepStrictEqual(decodedBody(job), monitorEvent("acme-usage", "usage-state-1a2b3c4", true));
        assert.ok(isMonitorEvent(decodedBody(job)));
        assert.deepStrictEqual(
            { ...httpTarget, body: undefined },
            {
                uri: URL,
                httpMethod: "POST",
                headers: { "Content-Type": "application/json" },
                body: undefined,
                oidcToken: { serviceAccountEmail: "usage-mon-inv@acme-usage.iam.gserviceaccount.com", audience: URL },
            },
        );
        // AND the trigger account may invoke this one function's service
        const invoker = named(resources, "usage-invoker");
        assert.deepStrictEqual(invoker.inputs, {
            project: "acme-usage",
            location: "europe-west1",
            name: "projects/acme-usage/locations/europe-west1/services/usage-mon",
            role: "roles/run.invoker",
            member: TRIGGER,
        });
        // AND without perIdentityMetrics the event says false
        assert.strictEqual(decodedBody(named((await declare()).resources, "usage-schedule")).perIdentityMetrics, false);
    });

    it("takes a schedule as given", async () => {
        // GIVEN a cron every 6 hours  WHEN declared  THEN the job carries it
        assert.strictEqual(
            named((await declare({ ...base, schedule: "15 */6 * * *" })).resources, "usage-schedule").inputs.schedule,
            "15 */6 * * *",
        );
    });

    it("keeps its state in a private bucket of its region", async () => {
        const bucket = named((await declare()).resources, "usage-state");
        assert.deepStrictEqual(bucket.inputs, {
            project: "acme-usage",
            location: "europe-west1",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            forceDestroy: true,
            labels: { "managed-by": "pulumi-nhi" },
        });
    });

    it("its function's account holds exactly the contract's permissions: the project's at project scope, the state object's on its bucket only", async () => {
        // GIVEN a monitor
        const { resources } = await declare();
        // WHEN the roles and bindings of the two accounts are read
        const role = (name: string) => named(resources, name, "gcp:projects/iAMCustomRole:IAMCustomRole");
        const bindings = resources
            .filter((r) => r.inputs.member === RUNTIME || r.inputs.member === TRIGGER)
            .map((r) => ({
                name: r.name,
                type: r.type,
                scope: r.inputs.project ?? r.inputs.bucket ?? r.inputs.name,
                role: r.inputs.role,
                member: r.inputs.member,
            }));
        // THEN the runtime's two custom roles hold exactly the contract's permissions
        assert.deepStrictEqual(
            role("usage-runtime-project-acme-usage-custom").inputs.permissions,
            [...PERMISSIONS.project].sort(),
        );
        assert.deepStrictEqual(
            role("usage-runtime-bucket-1-custom").inputs.permissions,
            [...PERMISSIONS.stateBucket].sort(),
        );
        // AND they are bound once each: at the project, and on the state bucket (not the source bucket)
        const projectRole = role("usage-runtime-project-acme-usage-custom");
        const bucketRole = role("usage-runtime-bucket-1-custom");
        assert.deepStrictEqual(
            bindings.sort((x, y) => x.name.localeCompare(y.name)),
            [
                {
                    name: "usage-invoker",
                    type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
                    scope: "acme-usage",
                    role: "roles/run.invoker",
                    member: TRIGGER,
                },
                {
                    name: "usage-runtime-bucket-1-custom",
                    type: "gcp:storage/bucketIAMMember:BucketIAMMember",
                    scope: "usage-state-1a2b3c4",
                    role: `projects/acme-usage/roles/${bucketRole.inputs.roleId}`,
                    member: RUNTIME,
                },
                {
                    name: "usage-runtime-project-acme-usage-custom",
                    type: "gcp:projects/iAMMember:IAMMember",
                    scope: "acme-usage",
                    role: `projects/acme-usage/roles/${projectRole.inputs.roleId}`,
                    member: RUNTIME,
                },
            ],
        );
        // AND nothing it holds writes IAM, reads a secret's value or a key's material
        const held = [...projectRole.inputs.permissions, ...bucketRole.inputs.permissions];
        for (const never of [
            "iam.serviceAccounts.disable",
            "iam.serviceAccounts.update",
            "iam.serviceAccountKeys.create",
            "secretmanager.versions.access",
            "storage.buckets.setIamPolicy",
        ]) {
            assert.ok(!held.includes(never), never);
        }
    });

    it("every permission it grants is in Google's catalogue, and Cloud Scheduler's agent may mint the trigger's OIDC token", () => {
        for (const p of [...PERMISSIONS.project, ...PERMISSIONS.stateBucket]) {
            assert.ok(isPermission(p), p);
        }
        assert.ok(
            findRole("roles/cloudscheduler.serviceAgent")!.permissions.includes("iam.serviceAccounts.getOpenIdToken"),
        );
    });

    it("turns each channel's digests into notifications: one log-based policy per channel, at most one per 5 minutes", async () => {
        // GIVEN two channels
        const { resources } = await declare({ ...base, notifyChannels: [CHANNEL, OTHER_CHANNEL] });
        // WHEN the notice policies are read
        const policies = ofType(resources, POLICY).filter((r) => r.name.startsWith("usage-notify-"));
        // THEN one per channel, keyed by the channel ID, matching only that channel's first parts
        assert.deepStrictEqual(policies.map((p) => p.name).sort(), ["usage-notify-1234567890", "usage-notify-987"]);
        const { documentation, ...rest } = named(resources, "usage-notify-1234567890").inputs;
        assert.deepStrictEqual(rest, {
            project: "acme-usage",
            displayName: "pulumi-nhi usage notices of acme-usage to channel 1234567890 (usage)",
            combiner: "OR",
            conditions: [
                {
                    displayName: "A usage notice digest for this channel",
                    conditionMatchedLog: {
                        filter: 'logName="projects/acme-usage/logs/nhi-usage-notice" AND labels."nhi-channel"="1234567890" AND labels."nhi-part"="1"',
                        labelExtractors: {
                            summary: "EXTRACT(jsonPayload.summary)",
                            changes: "EXTRACT(jsonPayload.changeCount)",
                        },
                    },
                },
            ],
            alertStrategy: { notificationRateLimit: { period: "300s" }, autoClose: "1800s" },
            notificationChannels: [CHANNEL],
            severity: "WARNING",
        });
        assert.strictEqual(rest.conditions[0].conditionMatchedLog.filter, noticeFilter("acme-usage", "1234567890"));
        // AND the notification shows the digest's summary
        assert.strictEqual(documentation.mimeType, "text/markdown");
        assert.ok(documentation.content.includes("${log.extracted_label.summary}"));
        assert.strictEqual(
            documentation.subject,
            "pulumi-nhi: ${log.extracted_label.changes} machine identity change(s) of state",
        );
        assert.strictEqual(named(resources, "usage-notify-987").inputs.notificationChannels[0], OTHER_CHANNEL);
    });

    it("takes a channel named with its project's number, as Cloud Monitoring may name it, keyed by its ID like any other", async () => {
        // GIVEN a channel of acme-usage named with the project's number
        const byNumber = "projects/123456789012/notificationChannels/987";
        const { resources } = await declare({ ...base, notifyChannels: [CHANNEL, byNumber] });
        // THEN its policy is keyed by the channel's ID, reads the monitor's own project's logs, and notifies it by that name
        const policy = named(resources, "usage-notify-987");
        assert.strictEqual(policy.inputs.conditions[0].conditionMatchedLog.filter, noticeFilter("acme-usage", "987"));
        assert.deepStrictEqual(policy.inputs.notificationChannels, [byNumber]);
    });

    it("keys a channel known only at deploy time by its place among such channels, and checks it where it resolves", async () => {
        // GIVEN a plain channel and a channel that is an Output
        const { resources } = await declare({ ...base, notifyChannels: [CHANNEL, pulumi.output(OTHER_CHANNEL)] });
        // WHEN declared  THEN the Output's policy is `deferred-1`, and its filter names the resolved ID
        const deferred = named(resources, "usage-notify-deferred-1");
        assert.strictEqual(deferred.inputs.conditions[0].conditionMatchedLog.filter, noticeFilter("acme-usage", "987"));
        assert.deepStrictEqual(deferred.inputs.notificationChannels, [OTHER_CHANNEL]);
        // AND the plan keeps the check, with the construction-time message
        const plan = planGcpUsageMonitor("usage", {
            ...base,
            notifyChannels: [pulumi.output("alerts")],
            alarmChannel: pulumi.output(ONCALL),
        });
        assert.deepStrictEqual(
            plan.later.map((c) => c.path),
            ["notifyChannels[0]", "alarmChannel"],
        );
        assert.strictEqual(
            plan.later[0].problem("alerts"),
            BAD.find((b) => b.what === "a channel ID instead of its full name")!
                .reason.replace("`12345`", "`alerts`")
                .replace(" Did you mean `projects/acme-usage/notificationChannels/12345`?", ""),
        );
        assert.strictEqual(plan.later[1].problem(ONCALL), undefined);
    });

    it("alarms when no run succeeded for 23 h 30 min or a run failed, notifying alarmChannel", async () => {
        // GIVEN a monitor with an alarm channel
        const { resources } = await declare({ ...base, alarmChannel: ONCALL });
        // WHEN the heartbeat policy is read
        const { documentation, ...rest } = named(resources, "usage-heartbeat").inputs;
        // THEN two conditions over run_succeeded, either fires
        assert.deepStrictEqual(rest, {
            project: "acme-usage",
            displayName: "pulumi-nhi usage monitor usage of acme-usage: no successful run",
            combiner: "OR",
            conditions: [
                {
                    displayName: "No run for 23 h 30 min",
                    conditionAbsent: { filter: heartbeatFilter(), duration: "84600s", trigger: { count: 1 } },
                },
                {
                    displayName: "A run finished with failures",
                    conditionThreshold: {
                        filter: heartbeatFilter(),
                        comparison: "COMPARISON_LT",
                        thresholdValue: 1,
                        duration: "0s",
                        trigger: { count: 1 },
                    },
                },
            ],
            notificationChannels: [ONCALL],
            severity: "ERROR",
        });
        assert.strictEqual(
            heartbeatFilter(),
            'metric.type="custom.googleapis.com/pulumi_nhi/run_succeeded" AND resource.type="global"',
        );
        assert.match(documentation.content, /did not complete a run of acme-usage in the last 23 h 30 min/);
        // AND without alarmChannel it notifies no one
        assert.deepStrictEqual(named((await declare()).resources, "usage-heartbeat").inputs.notificationChannels, []);
    });

    it("runs the README's program: channels declared beside it, checked where their names resolve", async () => {
        // GIVEN the README's program: two email channels of the project, the monitor naming them
        const { resources } = await capture(() => {
            const team = new pulumiGcp.monitoring.NotificationChannel("team-email", {
                project: "acme-usage",
                type: "email",
                labels: { email_address: "platform@example.com" },
            });
            const oncall = new pulumiGcp.monitoring.NotificationChannel("oncall", {
                project: "acme-usage",
                type: "email",
                labels: { email_address: "oncall@example.com" },
            });
            return new gcp.UsageMonitor("usage", {
                project: "acme-usage",
                region: "europe-west1",
                owner: "team-platform",
                notifyChannels: [team.name],
                alarmChannel: oncall.name,
            });
        });
        // WHEN the policies are read
        const channel = (name: string) =>
            named(resources, name, "gcp:monitoring/notificationChannel:NotificationChannel");
        assert.ok(channel("team-email") && channel("oncall"));
        const notice = named(resources, "usage-notify-deferred-1");
        const heartbeat = named(resources, "usage-heartbeat");
        // THEN the notice policy goes to the team's channel, filtered on its ID; the heartbeat to on-call
        const [teamName] = notice.inputs.notificationChannels;
        assert.match(teamName, /^projects\/acme-usage\/notificationChannels\/[0-9]+$/);
        assert.strictEqual(
            notice.inputs.conditions[0].conditionMatchedLog.filter,
            noticeFilter("acme-usage", teamName.split("/")[3]),
        );
        assert.strictEqual(heartbeat.inputs.notificationChannels.length, 1);
        assert.notStrictEqual(heartbeat.inputs.notificationChannels[0], teamName);
    });

    it("is found by the identities and rotating secrets of its project, which may notify only its channels", async () => {
        // GIVEN a monitor of acme-watch notifying one channel
        const watched = "projects/acme-watch/notificationChannels/77";
        const { value: monitor } = await capture(
            () => new gcp.UsageMonitor("watch", { ...base, project: "acme-watch", notifyChannels: [watched] }),
        );
        const identity = (notify: string, extra = {}) =>
            planGcpServiceIdentity("reports", {
                project: "acme-watch",
                owner: "team-reports",
                purpose: "Renders reports",
                grants: [],
                unusedAlarm: { afterDays: 30, notify, ...extra },
            } as any);
        // WHEN an identity of acme-watch notifies that channel  THEN it is accepted, by convention and by naming the monitor
        assert.doesNotThrow(() => identity(watched));
        assert.doesNotThrow(() => identity(watched, { monitor }));
        // AND the same channel named with the project's number, as Cloud Monitoring may name it, is the same channel
        assert.doesNotThrow(() => identity("projects/123456789012/notificationChannels/77"));
        // AND a channel the monitor does not notify is refused, naming the monitor and its channels
        assert.throws(
            () => identity("projects/123456789012/notificationChannels/78"),
            /`unusedAlarm.notify` `projects\/123456789012\/notificationChannels\/78` is not among the `notifyChannels` of the `gcp.UsageMonitor` `watch`/,
        );
        assert.throws(
            () => identity("projects/acme-watch/notificationChannels/78"),
            (e: any) => {
                assert.deepStrictEqual(e.errors, [
                    {
                        propertyPath: "unusedAlarm.notify",
                        reason: "`unusedAlarm.notify` `projects/acme-watch/notificationChannels/78` is not among the `notifyChannels` of the `gcp.UsageMonitor` `watch` (`projects/acme-watch/notificationChannels/77`), the only channels it notifies (one alerting policy each): add it to `notifyChannels`, or notify one of those.",
                    },
                ]);
                return true;
            },
        );
        // AND a rotating secret of acme-watch may report its rotation health to that channel, and to no other
        const secret = {
            project: "acme-watch",
            owner: "team-payments",
            purpose: "Signs webhooks",
            rotateEveryDays: 30,
            region: "europe-west1",
        };
        const { resources } = await capture(
            () => new gcp.RotatingSecret("webhook-key", { ...secret, rotationAlarm: { notify: watched } }),
        );
        assert.strictEqual(
            named(resources, "webhook-key-secret", "gcp:secretmanager/secret:Secret").inputs.labels["nhi-notify"],
            "77",
        );
        assert.throws(
            () =>
                new gcp.RotatingSecret("stray-key", {
                    ...secret,
                    rotationAlarm: { notify: "projects/acme-watch/notificationChannels/78" },
                }),
            /`rotationAlarm.notify` `projects\/acme-watch\/notificationChannels\/78` is not among the `notifyChannels` of the `gcp.UsageMonitor` `watch`/,
        );
    });

    it("the job's body is the contract's event, base64", () => {
        assert.strictEqual(
            Buffer.from(monitorJobBody("acme-usage", "b-1", false), "base64").toString("utf8"),
            '{"nhiAction":"monitorUsage","project":"acme-usage","stateBucket":"b-1","perIdentityMetrics":false}',
        );
    });

    itRegistersNothingWhenRefused(() => new gcp.UsageMonitor("usage", { ...base, notifyChannels: ["alerts"] }));

    const channelReason = (path: string, got: string, hint = "") =>
        `\`${path}\` must be the full name of a notification channel, \`projects/<project>/notificationChannels/<id>\` (such as \`channel.name\` of a \`gcp.monitoring.NotificationChannel\`); got ${got}.${hint}`;
    const BAD: BadInput[] = [
        {
            what: "a missing owner",
            args: { ...base, owner: undefined },
            path: "owner",
            reason: "`owner` is required and must be a non-empty string (the team or person who answers for the monitor); got undefined.",
        },
        {
            what: "a project name that is not an ID",
            args: { ...base, project: "Acme Prod" },
            path: "project",
            reason: "`project` must be a project ID: 6–30 lower-case letters, digits and hyphens, starting with a letter, such as `my-project`; got `Acme Prod`.",
        },
        {
            what: "a zone instead of a region",
            args: { ...base, region: "europe-west1-b" },
            path: "region",
            reason: "`region` must be the Google Cloud region of the monitor's function and job, such as `europe-west1`; got `europe-west1-b`.",
        },
        {
            what: "an empty purpose",
            args: { ...base, purpose: " " },
            path: "purpose",
            reason: "`purpose` must be a non-empty string (why the monitor exists); got only whitespace.",
        },
        {
            what: "an App Engine schedule instead of a cron",
            args: { ...base, schedule: "every 12 hours" },
            path: "schedule",
            reason: "`schedule` must be a cron of five fields, `<minute> <hour> <day of month> <month> <day of week>`, run at least twice a day, such as `0 3,15 * * *`; got `every 12 hours`.",
        },
        {
            what: "an EventBridge cron of six fields",
            args: { ...base, schedule: "0 3 * * ? *" },
            path: "schedule",
            reason: "`schedule` must be a cron of five fields, `<minute> <hour> <day of month> <month> <day of week>`, run at least twice a day, such as `0 3,15 * * *`; got `0 3 * * ? *`.",
        },
        {
            what: "perIdentityMetrics that is not a boolean",
            args: { ...base, perIdentityMetrics: "yes" },
            path: "perIdentityMetrics",
            reason: "`perIdentityMetrics` must be true or false; got `yes`.",
        },
        {
            what: "no notify channels",
            args: { ...base, notifyChannels: [] },
            path: "notifyChannels",
            reason: "`notifyChannels` must list at least one notification channel's full name, the channels the identities' `unusedAlarm.notify` name; got object `[]`.",
        },
        {
            what: "a channel ID instead of its full name",
            args: { ...base, notifyChannels: ["12345"] },
            path: "notifyChannels[0]",
            reason: channelReason(
                "notifyChannels[0]",
                "`12345`",
                " Did you mean `projects/acme-usage/notificationChannels/12345`?",
            ),
        },
        {
            what: "a channel of another project",
            args: { ...base, notifyChannels: ["projects/acme-ops/notificationChannels/12345"] },
            path: "notifyChannels[0]",
            reason: "`notifyChannels[0]` `projects/acme-ops/notificationChannels/12345` is a channel of project `acme-ops`, but this is in `acme-usage`: the usage monitor notifies only channels of the project it watches (its log-based alerting policies read that project's logs alone). Use a channel of `acme-usage`.",
        },
        {
            what: "a channel listed twice",
            args: { ...base, notifyChannels: [CHANNEL, OTHER_CHANNEL, CHANNEL] },
            path: "notifyChannels[2]",
            reason: "`notifyChannels[2]` repeats `notifyChannels[0]`: list each channel once.",
        },
        {
            what: "a channel listed twice, once with its project's ID and once with its number",
            args: { ...base, notifyChannels: [CHANNEL, "projects/123456789012/notificationChannels/1234567890"] },
            path: "notifyChannels[1]",
            reason: "`notifyChannels[1]` repeats `notifyChannels[0]`: list each channel once.",
        },
        {
            what: "a missing channel in the list",
            args: { ...base, notifyChannels: [undefined] },
            path: "notifyChannels[0]",
            reason: channelReason("notifyChannels[0]", "undefined"),
        },
        {
            what: "an alarm channel that is an email address",
            args: { ...base, alarmChannel: "oncall@example.com" },
            path: "alarmChannel",
            reason: channelReason("alarmChannel", "`oncall@example.com`"),
        },
        {
            what: "an owner too long for the ownership record",
            args: { ...base, owner: "x".repeat(250) },
            path: "owner",
            reason: "`owner` is 250 bytes, too long for the description of the function's service accounts, which hold at most 256 bytes (Google limit) and leave 144 of them for `owner` beside the function's own purpose. Shorten `owner` to at most 144 bytes.",
        },
    ];
    describe("refuses", () =>
        itRefusesEach(BAD, "GcpUsageMonitor", "usage", (name, args) => planGcpUsageMonitor(name, args)));
});
