import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { GCP_MONITOR_TARGETS, gcpMonitors, registerGcpUsageMonitor } from "../../components/gcp/usage-settings";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { notAmongTargetsProblem } from "../../components/core/usage-monitors";
import { readRecord, readSecretLabels } from "../../components/runtime/gcp/usage-evaluate";
import { planGcpRotatingSecret } from "../../components/gcp/rotating-secret";
import { capture, installMocks, ofType } from "../../components/testing";
import { BadInput, TABLE_NOW, itRefusesEach } from "../support/bad-input";
import { declareInProcess, recordErrorLogs } from "../support/deploy-time";

/*
 * The usage settings of the Google identities (`unusedAlarm`, `expiryNoticeDays`) and of rotating
 * secrets (`rotationAlarm`): how each finds the `gcp.UsageMonitor` of its project, the ownership
 * record and labels the monitor reads, and the bad input they refuse.
 */

const CHANNEL = "projects/acme-record/notificationChannels/1234567890";
const OTHER = "projects/acme-record/notificationChannels/42";
const EXPIRY = "2099-06-30T00:00:00Z";
const BASE = { project: "acme-record", owner: "team-reports", purpose: "Renders monthly reports", grants: [] };

/** A monitor of `project` as `gcp.UsageMonitor` registers itself (the component is built on another branch; its constructor makes this call). */
function monitorOf(project: string, notifyChannels: readonly pulumi.Input<string>[], name = "usage"): object {
    const monitor = new pulumi.ComponentResource("nhi:gcp:UsageMonitor", `${name}-${project}`, {}, {});
    registerGcpUsageMonitor(monitor, { name, project, notifyChannels });
    return monitor;
}

async function account(name: string, args: object) {
    const { resources } = await capture(() => new gcp.ServiceIdentity(name, args as gcp.GcpServiceIdentityArgs));
    return ofType(resources, "gcp:serviceaccount/account:Account").find((r) => r.name === `${name}-sa`)!;
}

describe("Google usage settings", () => {
    describe("registerGcpUsageMonitor", () => {
        it("makes the monitor the one of its project, for the identities of that project only", () => {
            // GIVEN a monitor component registered for acme-registry
            const monitor = {};
            const entry = { name: "usage", project: "acme-registry", notifyChannels: [CHANNEL] };
            registerGcpUsageMonitor(monitor, entry);
            // WHEN an identity of that project, or of another, looks  THEN only the former finds it
            assert.deepStrictEqual(gcpMonitors.lookup("acme-registry"), { found: [entry] });
            assert.deepStrictEqual(gcpMonitors.lookup("acme-registry-2"), {});
            assert.strictEqual(gcpMonitors.entryOf(monitor), entry);
        });

        it("a channel must be one the monitor notifies; a name that is no channel is left to its own check", () => {
            const found = [{ name: "usage", project: "acme-record", notifyChannels: [CHANNEL] }];
            const other = "projects/acme-record/notificationChannels/42";
            assert.strictEqual(
                notAmongTargetsProblem("unusedAlarm.notify", other, found, [CHANNEL], GCP_MONITOR_TARGETS),
                `\`unusedAlarm.notify\` \`${other}\` is not among the \`notifyChannels\` of the \`gcp.UsageMonitor\` \`usage\` (\`${CHANNEL}\`), the only channels it notifies (one alerting policy each): add it to \`notifyChannels\`, or notify one of those.`,
            );
            assert.strictEqual(
                notAmongTargetsProblem("unusedAlarm.notify", "42", found, [CHANNEL], GCP_MONITOR_TARGETS),
                undefined,
            );
        });
    });

    describe("gcp.ServiceIdentity: the ownership record the monitor reads", function () {
        this.timeout(30_000);
        before(() => capture(() => monitorOf("acme-record", [CHANNEL, OTHER])));

        it("`unusedAlarm` and `expiryNoticeDays` under the contract's keys, the channel by its ID", async () => {
            // GIVEN an account idle after 30 days, noticed 30 days before its expiry
            const sa = await account("idle-reports", {
                ...BASE,
                expiresAt: EXPIRY,
                unusedAlarm: { afterDays: 30, notify: CHANNEL },
                expiryNoticeDays: 30,
            });
            // THEN the record holds exactly them, and the monitor reads them back
            assert.strictEqual(
                sa.inputs.description,
                `{"owner":"team-reports","purpose":"Renders monthly reports","expiresAt":"${EXPIRY}","unused":30,"notify":"1234567890","notice":30,"managedBy":"pulumi-nhi"}`,
            );
            assert.deepStrictEqual(readRecord(sa.inputs.description), {
                owner: "team-reports",
                unusedAfterDays: 30,
                notify: "1234567890",
                expiresAt: new Date(EXPIRY),
                expiryNoticeDays: 30,
                keyMaxAgeDays: undefined,
                invalid: [],
            });
            assert.deepStrictEqual(gcp.parseOwnershipRecord(sa.inputs.description)!.usage, {
                unusedAfterDays: 30,
                notify: "1234567890",
                expiryNoticeDays: 30,
            });
        });

        it("no settings: none written; a notice of 14 days (the default) is not written either", async () => {
            const plain = await account("plain-reports", { ...BASE });
            assert.strictEqual(
                plain.inputs.description,
                '{"owner":"team-reports","purpose":"Renders monthly reports","managedBy":"pulumi-nhi"}',
            );
            const fourteen = await account("fourteen-reports", { ...BASE, expiresAt: EXPIRY, expiryNoticeDays: 14 });
            assert.strictEqual(
                fourteen.inputs.description,
                `{"owner":"team-reports","purpose":"Renders monthly reports","expiresAt":"${EXPIRY}","managedBy":"pulumi-nhi"}`,
            );
        });

        it("with `key`: the key's age bound, its period plus its grace plus a day", async () => {
            const sa = await account("vendor-feed", {
                ...BASE,
                key: { rotateEveryDays: 30, graceDays: 7, region: "europe-west1" },
            });
            assert.strictEqual(readRecord(sa.inputs.description)!.keyMaxAgeDays, 38);
            const longest = planGcpServiceIdentity(
                "vendor-feed",
                { ...BASE, key: { rotateEveryDays: 365, graceDays: 364, region: "europe-west1" } } as any,
                TABLE_NOW,
            );
            assert.strictEqual(readRecord(longest.description)!.keyMaxAgeDays, 730);
        });

        it("`expiryNoticeDays` is also the preview warning's window", () => {
            const soon = new Date(TABLE_NOW.getTime() + 20 * 86_400_000).toISOString().replace(".000Z", "Z");
            assert.deepStrictEqual(
                planGcpServiceIdentity("soon-reports", { ...BASE, expiresAt: soon } as any, TABLE_NOW).warnings,
                [],
            );
            assert.deepStrictEqual(
                planGcpServiceIdentity(
                    "soon-reports",
                    { ...BASE, expiresAt: soon, expiryNoticeDays: 30 } as any,
                    TABLE_NOW,
                ).warnings,
                [
                    "`expiresAt` is 2026-12-15T00:00:00Z, in 20 days: then Google stops honouring the account's role bindings, and the bindings that let workloads act as it. To keep the identity, set a later `expiresAt` and update the stack before then; if it is no longer needed, remove it from the program.",
                ],
            );
        });

        it("a channel known only at deploy time is recorded once checked", async () => {
            const sa = await account("late-reports", {
                ...BASE,
                unusedAlarm: { afterDays: 7, notify: pulumi.output(CHANNEL) },
            });
            assert.strictEqual(
                sa.inputs.description,
                '{"owner":"team-reports","purpose":"Renders monthly reports","unused":7,"notify":"1234567890","managedBy":"pulumi-nhi"}',
            );
        });

        it("a channel known only at deploy time that is not the monitor's fails the deployment with the construction-time words, and no account is registered", async () => {
            const { logged, resources } = await declareInProcess(
                () =>
                    new gcp.ServiceIdentity("stray-reports", {
                        ...BASE,
                        unusedAlarm: {
                            afterDays: 7,
                            notify: pulumi.output("projects/acme-record/notificationChannels/77"),
                        },
                    } as any),
            );
            assert.deepStrictEqual(
                logged.map((l) => l.message),
                [
                    `GcpServiceIdentity "stray-reports" has 1 invalid argument:
  - unusedAlarm.notify: \`unusedAlarm.notify\` \`projects/acme-record/notificationChannels/77\` is not among the \`notifyChannels\` of the \`gcp.UsageMonitor\` \`usage\` (\`${CHANNEL}\`, \`${OTHER}\`), the only channels it notifies (one alerting policy each): add it to \`notifyChannels\`, or notify one of those.`,
                ],
            );
            assert.deepStrictEqual(ofType(resources, "gcp:serviceaccount/account:Account"), []);
        });

        it("an over-long record says what the usage settings take", () => {
            const purpose = "p".repeat(150);
            assert.throws(
                () =>
                    planGcpServiceIdentity(
                        "long-reports",
                        {
                            ...BASE,
                            purpose,
                            expiresAt: EXPIRY,
                            unusedAlarm: { afterDays: 400, notify: CHANNEL },
                            expiryNoticeDays: 90,
                        } as any,
                        TABLE_NOW,
                    ),
                {
                    message: `GcpServiceIdentity "long-reports" has 1 invalid argument:
  - purpose: \`purpose\` is 150 bytes, too long for the service account's description, which holds at most 256 bytes (Google limit) and leaves 124 of them for \`owner\` and \`purpose\` together beside the usage monitor's settings (47 bytes: \`unusedAlarm\`, \`expiryNoticeDays\`). Shorten \`purpose\` to at most 112 bytes.`,
                },
            );
        });

        it("a channel known only at deploy time is counted at its longest ID", () => {
            const fits = (notify: pulumi.Input<string>, purpose: string) => {
                try {
                    planGcpServiceIdentity(
                        "sized-reports",
                        { ...BASE, purpose, unusedAlarm: { afterDays: 400, notify } } as any,
                        TABLE_NOW,
                    );
                    return true;
                } catch {
                    return false;
                }
            };
            // The plain channel's 10-digit ID leaves 10 bytes more than the longest (20 digits).
            const room = [...Array(200).keys()].filter((n) => fits(CHANNEL, "p".repeat(n))).length - 1;
            const roomLater =
                [...Array(200).keys()].filter((n) => fits(pulumi.output(CHANNEL), "p".repeat(n))).length - 1;
            assert.strictEqual(room - roomLater, 10);
        });
    });

    describe("bad input", () => {
        const BAD_CHANNEL = "projects/acme-bad/notificationChannels/1234567890";
        const BAD_OTHER = "projects/acme-bad/notificationChannels/42";
        before(() => capture(() => monitorOf("acme-bad", [BAD_CHANNEL])));
        const args = (extra: object) => ({ ...BASE, project: "acme-bad", ...extra });
        const BAD: BadInput[] = [
            {
                what: "`unusedAlarm` that is not an object",
                args: args({ unusedAlarm: 30 }),
                path: "unusedAlarm",
                reason: "`unusedAlarm` must be `{ afterDays, notify }`, such as `{ afterDays: 90, notify: channel.name }`; got number `30`.",
            },
            {
                what: "`afterDays` of 0",
                args: args({ unusedAlarm: { afterDays: 0, notify: BAD_CHANNEL } }),
                path: "unusedAlarm.afterDays",
                reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400; got number `0`.",
            },
            {
                what: "`afterDays` of 401",
                args: args({ unusedAlarm: { afterDays: 401, notify: BAD_CHANNEL } }),
                path: "unusedAlarm.afterDays",
                reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400; got number `401`.",
            },
            {
                what: "`afterDays` not whole",
                args: args({ unusedAlarm: { afterDays: 1.5, notify: BAD_CHANNEL } }),
                path: "unusedAlarm.afterDays",
                reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400; got number `1.5`.",
            },
            {
                what: "`afterDays` as text",
                args: args({ unusedAlarm: { afterDays: "30", notify: BAD_CHANNEL } }),
                path: "unusedAlarm.afterDays",
                reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400; got `30`. Pass the number `30`, not the text.",
            },
            {
                what: "a channel ID alone",
                args: args({ unusedAlarm: { afterDays: 30, notify: "1234567890" } }),
                path: "unusedAlarm.notify",
                reason: "`unusedAlarm.notify` must be the full name of a notification channel, `projects/<project>/notificationChannels/<id>` (such as `channel.name` of a `gcp.monitoring.NotificationChannel`); got `1234567890`. Did you mean `projects/acme-bad/notificationChannels/1234567890`?",
            },
            {
                // A well-formed name (Cloud Monitoring may give the project's number), of a channel the monitor does not notify
                what: "a channel named with the project number that the monitor does not notify",
                args: args({ unusedAlarm: { afterDays: 30, notify: "projects/123456789/notificationChannels/55" } }),
                path: "unusedAlarm.notify",
                reason: "`unusedAlarm.notify` `projects/123456789/notificationChannels/55` is not among the `notifyChannels` of the `gcp.UsageMonitor` `usage` (`projects/acme-bad/notificationChannels/1234567890`), the only channels it notifies (one alerting policy each): add it to `notifyChannels`, or notify one of those.",
            },
            {
                what: "an SNS topic",
                args: args({ unusedAlarm: { afterDays: 30, notify: "arn:aws:sns:us-east-1:123456789012:t" } }),
                path: "unusedAlarm.notify",
                reason: "`unusedAlarm.notify` must be the full name of a notification channel, `projects/<project>/notificationChannels/<id>` (such as `channel.name` of a `gcp.monitoring.NotificationChannel`); got `arn:aws:sns:us-east-1:123456789012:t`.",
            },
            {
                what: "no channel",
                args: args({ unusedAlarm: { afterDays: 30 } }),
                path: "unusedAlarm.notify",
                reason: "`unusedAlarm.notify` must be the full name of a notification channel, `projects/<project>/notificationChannels/<id>` (such as `channel.name` of a `gcp.monitoring.NotificationChannel`); got undefined.",
            },
            {
                what: "a channel of another project",
                args: args({
                    unusedAlarm: { afterDays: 30, notify: "projects/acme-ops/notificationChannels/1234567890" },
                }),
                path: "unusedAlarm.notify",
                reason: "`unusedAlarm.notify` `projects/acme-ops/notificationChannels/1234567890` is a channel of project `acme-ops`, but this is in `acme-bad`: the usage monitor notifies only channels of the project it watches (its log-based alerting policies read that project's logs alone). Use a channel of `acme-bad`.",
            },
            {
                what: "a channel the monitor does not notify",
                args: args({ unusedAlarm: { afterDays: 30, notify: BAD_OTHER } }),
                path: "unusedAlarm.notify",
                reason: `\`unusedAlarm.notify\` \`${BAD_OTHER}\` is not among the \`notifyChannels\` of the \`gcp.UsageMonitor\` \`usage\` (\`${BAD_CHANNEL}\`), the only channels it notifies (one alerting policy each): add it to \`notifyChannels\`, or notify one of those.`,
            },
            {
                what: "a `monitor` that is none",
                args: args({
                    unusedAlarm: { afterDays: 30, notify: BAD_CHANNEL, monitor: { notifyChannels: [BAD_CHANNEL] } },
                }),
                path: "unusedAlarm.monitor",
                reason: '`unusedAlarm.monitor` must be a `gcp.UsageMonitor`; got object `{"notifyChannels":["projects/acme-bad/notificationChannels/1234567890"]}`. Leave it out to use the program\'s monitor of project `acme-bad`.',
            },
            {
                what: "no monitor of the project",
                args: {
                    ...args({ unusedAlarm: { afterDays: 30, notify: "projects/acme-lonely/notificationChannels/9" } }),
                    project: "acme-lonely",
                },
                path: "unusedAlarm",
                reason: '`unusedAlarm` needs a `gcp.UsageMonitor` of project `acme-lonely`, to run its check twice a day, but none of project `acme-lonely` was declared before this service account, and without a stack resource (a multi-language program, or a test under `pulumi.runtime.setMocks`) a monitor declared later cannot be found. Add one with this channel: `new nhi.gcp.UsageMonitor("usage", { project: "acme-lonely", region: "<region>", owner: "<team>", notifyChannels: ["projects/acme-lonely/notificationChannels/9"] })`, before this service account or as `unusedAlarm.monitor`.',
            },
            {
                what: "`expiryNoticeDays` of 0",
                args: args({ expiresAt: EXPIRY, expiryNoticeDays: 0 }),
                path: "expiryNoticeDays",
                reason: "`expiryNoticeDays` must be a whole number of days from 1 to 90; got number `0`.",
            },
            {
                what: "`expiryNoticeDays` of 91",
                args: args({ expiresAt: EXPIRY, expiryNoticeDays: 91 }),
                path: "expiryNoticeDays",
                reason: "`expiryNoticeDays` must be a whole number of days from 1 to 90; got number `91`.",
            },
            {
                what: "`expiryNoticeDays` without `expiresAt`",
                args: args({ expiryNoticeDays: 30 }),
                path: "expiryNoticeDays",
                reason: "`expiryNoticeDays` (30) says how many days before `expiresAt` the identity counts as expiring, but `expiresAt` is not set: set `expiresAt`, or remove `expiryNoticeDays`.",
            },
        ];
        describe("gcp.ServiceIdentity refuses", () =>
            itRefusesEach(BAD, "GcpServiceIdentity", "reports", (name, a, now) =>
                planGcpServiceIdentity(name, a, now),
            ));

        it("`unusedAlarm.monitor` names the monitor of the project where the convention cannot find it, and no other project's", async () => {
            const { value: monitors } = await capture(() => ({
                named: monitorOf("acme-named", [pulumi.output("projects/acme-named/notificationChannels/5")]),
                other: monitorOf("acme-ops", []),
            }));
            const sa = planGcpServiceIdentity(
                "named-reports",
                {
                    ...BASE,
                    project: "acme-named",
                    unusedAlarm: {
                        afterDays: 30,
                        notify: "projects/acme-named/notificationChannels/5",
                        monitor: monitors.named,
                    },
                } as any,
                TABLE_NOW,
            );
            // The monitor's channel is an Output: checked where it resolves.
            assert.deepStrictEqual(
                sa.later.map((c) => c.path),
                ["unusedAlarm.notify"],
            );
            assert.throws(
                () =>
                    planGcpServiceIdentity(
                        "named-reports",
                        { ...BASE, unusedAlarm: { afterDays: 30, notify: CHANNEL, monitor: monitors.other } } as any,
                        TABLE_NOW,
                    ),
                {
                    message:
                        'GcpServiceIdentity "named-reports" has 1 invalid argument:\n  - unusedAlarm.monitor: `unusedAlarm.monitor` is the `gcp.UsageMonitor` `usage` of project `acme-ops`, but this service account is in `acme-record`: a monitor checks its own project only. Give the monitor of `acme-record`, or leave `unusedAlarm.monitor` out.',
                },
            );
        });
    });

    describe("in a program with a stack resource, as `pulumi up` runs one", function () {
        this.timeout(30_000);
        /** Runs `program` as Pulumi runs a program: in a stack, then waits for every registration. */
        async function runStack(program: () => void) {
            installMocks();
            const { logged, restore } = recordErrorLogs();
            const rejections: unknown[] = [];
            const record = (r: unknown) => rejections.push(r);
            process.on("unhandledRejection", record);
            try {
                await pulumi.runtime.runInPulumiStack(async () => {
                    program();
                    return {};
                });
                await (pulumi.runtime as any).waitForRPCs().catch(() => undefined);
                await new Promise((r) => setImmediate(r));
                return { logged, rejections };
            } finally {
                process.off("unhandledRejection", record);
                restore();
                // The stack resource is process-wide state: later tests run without one, as before.
                require("@pulumi/pulumi/runtime/state").setStackResource(undefined);
                require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
            }
        }

        it("finds a monitor declared after the identity", async () => {
            const { logged, rejections } = await runStack(() => {
                new gcp.ServiceIdentity("early-reports", {
                    ...BASE,
                    project: "acme-stack",
                    unusedAlarm: { afterDays: 30, notify: "projects/acme-stack/notificationChannels/1" },
                });
                monitorOf("acme-stack", ["projects/acme-stack/notificationChannels/1"]);
            });
            assert.deepStrictEqual([logged, rejections], [[], []]);
        });

        it("fails the run when the program declares no monitor of the project, or one that does not notify the channel", async () => {
            const { logged, rejections } = await runStack(() => {
                new gcp.ServiceIdentity("lonely-reports", {
                    ...BASE,
                    project: "acme-none",
                    unusedAlarm: { afterDays: 30, notify: "projects/acme-none/notificationChannels/1" },
                });
                new gcp.ServiceIdentity("misdirected-reports", {
                    ...BASE,
                    project: "acme-other",
                    unusedAlarm: { afterDays: 30, notify: "projects/acme-other/notificationChannels/1" },
                });
                monitorOf("acme-other", ["projects/acme-other/notificationChannels/2"]);
            });
            assert.deepStrictEqual(logged.map((l) => l.message).sort(), [
                `GcpServiceIdentity "lonely-reports" has 1 invalid argument:
  - unusedAlarm: \`unusedAlarm\` needs a \`gcp.UsageMonitor\` of project \`acme-none\`, to run its check twice a day, but the program declares none. Add one with this channel: \`new nhi.gcp.UsageMonitor("usage", { project: "acme-none", region: "<region>", owner: "<team>", notifyChannels: ["projects/acme-none/notificationChannels/1"] })\`.`,
                `GcpServiceIdentity "misdirected-reports" has 1 invalid argument:
  - unusedAlarm.notify: \`unusedAlarm.notify\` \`projects/acme-other/notificationChannels/1\` is not among the \`notifyChannels\` of the \`gcp.UsageMonitor\` \`usage\` (\`projects/acme-other/notificationChannels/2\`), the only channels it notifies (one alerting policy each): add it to \`notifyChannels\`, or notify one of those.`,
            ]);
            assert.ok(rejections.length > 0);
        });
    });

    describe("rotation health: `rotationAlarm` of gcp.RotatingSecret, and the key secret of gcp.ServiceIdentity", function () {
        this.timeout(30_000);
        const HEALTH = "projects/acme-health/notificationChannels/31";
        const SECRET = {
            project: "acme-health",
            owner: "team-payments",
            purpose: "Signs webhooks",
            rotateEveryDays: 30,
            region: "europe-west1",
        };
        before(() => capture(() => monitorOf("acme-health", [HEALTH])));
        const secretOf = (resources: readonly { type: string; name: string; inputs: any }[], name: string) =>
            ofType(resources as any, "gcp:secretmanager/secret:Secret").find((r) => r.name === name)!;

        it("labels the secret with its channel's ID; the monitor reads the period and the channel", async () => {
            // GIVEN a rotating secret whose stalled rotation notifies HEALTH
            const { resources } = await capture(
                () => new gcp.RotatingSecret("webhook-key", { ...SECRET, rotationAlarm: { notify: HEALTH } }),
            );
            // THEN its labels hold the channel's ID, and the monitor reads them
            const labels = secretOf(resources, "webhook-key-secret").inputs.labels;
            assert.strictEqual(labels["nhi-notify"], "31");
            assert.deepStrictEqual(readSecretLabels(labels), { periodDays: 30, notify: "31" });
        });

        it("without `rotationAlarm`, no channel (the monitor still counts the secret)", async () => {
            const { resources } = await capture(() => new gcp.RotatingSecret("quiet-key", { ...SECRET }));
            assert.deepStrictEqual(readSecretLabels(secretOf(resources, "quiet-key-secret").inputs.labels), {
                periodDays: 30,
            });
        });

        it("a channel known only at deploy time labels the secret once checked", async () => {
            const { resources } = await capture(
                () =>
                    new gcp.RotatingSecret("late-key", { ...SECRET, rotationAlarm: { notify: pulumi.output(HEALTH) } }),
            );
            assert.strictEqual(secretOf(resources, "late-key-secret").inputs.labels["nhi-notify"], "31");
        });

        it("the key secret of an identity carries its `unusedAlarm.notify`", async () => {
            const { resources } = await capture(
                () =>
                    new gcp.ServiceIdentity("vendor-feed", {
                        ...BASE,
                        project: "acme-health",
                        unusedAlarm: { afterDays: 30, notify: HEALTH },
                        key: { rotateEveryDays: 30, region: "europe-west1" },
                    }),
            );
            assert.deepStrictEqual(readSecretLabels(secretOf(resources, "vendor-feed-key").inputs.labels), {
                periodDays: 30,
                notify: "31",
            });
        });

        const BAD: BadInput[] = [
            {
                what: "`rotationAlarm` that is a channel, not `{ notify }`",
                args: { ...SECRET, rotationAlarm: HEALTH },
                path: "rotationAlarm",
                reason: `\`rotationAlarm\` must be \`{ notify }\`, such as \`{ notify: channel.name }\`; got \`${HEALTH}\`.`,
            },
            {
                what: "a channel ID alone",
                args: { ...SECRET, rotationAlarm: { notify: "31" } },
                path: "rotationAlarm.notify",
                reason: "`rotationAlarm.notify` must be the full name of a notification channel, `projects/<project>/notificationChannels/<id>` (such as `channel.name` of a `gcp.monitoring.NotificationChannel`); got `31`. Did you mean `projects/acme-health/notificationChannels/31`?",
            },
            {
                what: "no monitor of the project",
                args: {
                    ...SECRET,
                    project: "acme-alone",
                    rotationAlarm: { notify: "projects/acme-alone/notificationChannels/31" },
                },
                path: "rotationAlarm",
                reason: '`rotationAlarm` needs a `gcp.UsageMonitor` of project `acme-alone`, to run its check twice a day, but none of project `acme-alone` was declared before this secret, and without a stack resource (a multi-language program, or a test under `pulumi.runtime.setMocks`) a monitor declared later cannot be found. Add one with this channel: `new nhi.gcp.UsageMonitor("usage", { project: "acme-alone", region: "<region>", owner: "<team>", notifyChannels: ["projects/acme-alone/notificationChannels/31"] })`, before this secret or as `rotationAlarm.monitor`.',
            },
            {
                what: "60 labels beside the channel's",
                args: {
                    ...SECRET,
                    rotationAlarm: { notify: HEALTH },
                    labels: Object.fromEntries([...Array(60).keys()].map((i) => [`l${i}`, "v"])),
                },
                path: "labels",
                reason: "`labels` has 60 labels; a secret holds at most 64 (Google), of which pulumi-nhi uses 5: give at most 59.",
            },
        ];
        describe("gcp.RotatingSecret refuses", () =>
            itRefusesEach(BAD, "GcpRotatingSecret", "webhook-key", (name, a) => planGcpRotatingSecret(name, a)));
    });

    it("the types say what the constructor enforces", () => {
        // GIVEN settings as a TypeScript program writes them  THEN these compile (tsc checks this file), and the commented ones do not
        const alarm: gcp.GcpUnusedAlarm = { afterDays: 90, notify: pulumi.output(CHANNEL) };
        const settings: gcp.GcpUsageSettingsArgs = { unusedAlarm: alarm, expiryNoticeDays: 30 };
        const rotation: gcp.GcpRotationAlarm = { notify: CHANNEL };
        const args: gcp.GcpServiceIdentityArgs = { ...BASE, ...settings };
        const secret: gcp.GcpRotatingSecretArgs = {
            project: "acme-record",
            region: "europe-west1",
            owner: "o",
            purpose: "p",
            rotateEveryDays: 30,
            rotationAlarm: rotation,
        };
        // @ts-expect-error `notify` is required
        const noNotify: gcp.GcpUnusedAlarm = { afterDays: 90 };
        // @ts-expect-error `afterDays` is a number
        const textDays: gcp.GcpUnusedAlarm = { afterDays: "90", notify: CHANNEL };
        // @ts-expect-error `expiryNoticeDays` is a number
        const textNotice: gcp.GcpUsageSettingsArgs = { expiryNoticeDays: "30" };
        // AND the planner refuses what a JavaScript caller could still pass
        assert.throws(
            () => planGcpServiceIdentity("typed-reports", { ...BASE, unusedAlarm: noNotify } as any, TABLE_NOW),
            /unusedAlarm\.notify: `unusedAlarm\.notify` must be the full name of a notification channel/,
        );
        assert.throws(
            () => planGcpServiceIdentity("typed-reports", { ...BASE, unusedAlarm: textDays } as any, TABLE_NOW),
            /Pass the number `90`, not the text/,
        );
        assert.throws(
            () => planGcpServiceIdentity("typed-reports", { ...BASE, ...textNotice } as any, TABLE_NOW),
            /`expiryNoticeDays` must be a whole number of days from 1 to 90; got `30`/,
        );
        assert.ok(args.unusedAlarm === alarm && secret.rotationAlarm === rotation);
    });
});
