import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as awsSdk from "@pulumi/aws";
import { aws } from "../../components";
import { planAwsAccessKeyIdentity } from "../../components/aws/access-key-identity";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { planAwsRotatingSecret } from "../../components/aws/rotating-secret";
import { EXPIRY_WARNING_DAYS } from "../../components/core/expiry";
import { DEFAULT_EXPIRY_NOTICE_DAYS, MAX_KEY_AGE_DAYS } from "../../components/runtime/aws/usage-contract";
import { readThresholds } from "../../components/runtime/aws/usage-evaluate";
import { capture, installMocks, ofType } from "../../components/testing";
import { BadInput, TABLE_NOW, itRefusesEach } from "../support/bad-input";
import { declareInProcess, recordErrorLogs } from "../support/deploy-time";

/*
 * The usage settings of the AWS identities (`unusedAlarm`, `expiryNoticeDays`, and a user's key
 * age): the tags the usage monitor reads, exactly; the bad input they refuse; a topic known only
 * at deploy time.
 */

const TOPIC = "arn:aws:sns:us-east-1:123456789012:nhi-notices";
const EXPIRY = "2099-06-30T00:00:00Z";
const ROLE_ARGS = {
    owner: "team-payments",
    purpose: "Processes invoices",
    trust: { service: { principal: "lambda.amazonaws.com" } },
    grants: [{ actions: ["sqs:ReceiveMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:q"] }],
};
const USER_ARGS = { ...ROLE_ARGS, trust: undefined, consumer: "acme-vendor", rotateEveryDays: 30 };
const OWNERSHIP_TAGS = {
    "nhi:managed-by": "pulumi-nhi",
    "nhi:owner": "team-payments",
    "nhi:purpose": "Processes invoices",
};

describe("AWS identities' usage settings", function () {
    this.timeout(30_000);
    // The usage monitor of the default provider, which the identities below find by convention.
    before(() =>
        capture(
            () =>
                new aws.UsageMonitor("settings-usage", {
                    owner: "team-platform",
                    notifyTopics: [TOPIC, `${TOPIC}.fifo`],
                }),
        ),
    );

    describe("the tags the usage monitor reads", () => {
        it("a role: `nhi:unused-after-days`, `nhi:notify` and, when given, `nhi:expiry-notice-days`, on the role and its policies", async () => {
            // GIVEN a role idle after 90 days, expiring, with a 30-day notice
            const { resources } = await capture(
                () =>
                    new aws.ServiceIdentity("worker", {
                        ...ROLE_ARGS,
                        expiresAt: EXPIRY,
                        expiryNoticeDays: 30,
                        unusedAlarm: { afterDays: 90, notify: TOPIC },
                    }),
            );
            // WHEN the role's tags are read
            const role = ofType(resources, "aws:iam/role:Role")[0];
            // THEN exactly these, each as the contract writes it
            assert.deepStrictEqual(role.inputs.tags, {
                ...OWNERSHIP_TAGS,
                "nhi:expires-at": EXPIRY,
                "nhi:unused-after-days": "90",
                "nhi:notify": TOPIC,
                "nhi:expiry-notice-days": "30",
            });
            // AND the monitor reads them back as the thresholds given
            const t = readThresholds(role.inputs.tags);
            assert.deepStrictEqual([t.unusedAfterDays, t.notify, t.expiryNoticeDays, t.invalid], [90, TOPIC, 30, []]);
        });

        it("a role without settings carries none of them (the monitor's default notice is 14 days)", async () => {
            // GIVEN an expiring role without settings  WHEN declared  THEN no settings tag
            const { resources } = await capture(
                () => new aws.ServiceIdentity("plain", { ...ROLE_ARGS, expiresAt: EXPIRY }),
            );
            assert.deepStrictEqual(ofType(resources, "aws:iam/role:Role")[0].inputs.tags, {
                ...OWNERSHIP_TAGS,
                "nhi:expires-at": EXPIRY,
            });
            // AND the monitor's default is the preview warning's window
            assert.strictEqual(DEFAULT_EXPIRY_NOTICE_DAYS, EXPIRY_WARNING_DAYS);
        });

        it("a user: the settings, and `nhi:key-max-age-days` = rotation + grace + 1", async () => {
            // GIVEN a key rotated every 60 days with 5 days' grace, idle after 30 days
            const { resources } = await capture(
                () =>
                    new aws.AccessKeyIdentity("acme", {
                        ...USER_ARGS,
                        rotateEveryDays: 60,
                        graceDays: 5,
                        unusedAlarm: { afterDays: 30, notify: TOPIC },
                    }),
            );
            // WHEN the user's tags are read
            const user = ofType(resources, "aws:iam/user:User")[0];
            // THEN 66 days: a key older than that was not rotated
            assert.deepStrictEqual(user.inputs.tags, {
                ...OWNERSHIP_TAGS,
                "nhi:consumer": "acme-vendor",
                "nhi:unused-after-days": "30",
                "nhi:notify": TOPIC,
                "nhi:key-max-age-days": "66",
            });
            assert.strictEqual(readThresholds(user.inputs.tags).keyMaxAgeDays, 66);
        });

        it("the longest rotation and grace give a key age the monitor accepts", () => {
            // GIVEN 365 days' rotation and 364 days' grace  WHEN planned  THEN 730, within the contract
            const plan = planAwsAccessKeyIdentity(
                "acme",
                { ...USER_ARGS, rotateEveryDays: 365, graceDays: 364 } as any,
                TABLE_NOW,
            );
            assert.strictEqual(plan.tags.tags["nhi:key-max-age-days"], "730");
            assert.strictEqual(MAX_KEY_AGE_DAYS, 730);
            assert.strictEqual(readThresholds({ "nhi:key-max-age-days": "730" }).keyMaxAgeDays, 730);
        });

        it("`expiryNoticeDays` is also the preview warning's window", () => {
            // GIVEN an identity expiring in 20 days
            const expiresAt = "2026-12-15T00:00:00Z";
            // WHEN planned with the default window, and with a 30-day one
            const quiet = planAwsServiceIdentity("worker", { ...ROLE_ARGS, expiresAt } as any, TABLE_NOW);
            const warned = planAwsServiceIdentity(
                "worker",
                { ...ROLE_ARGS, expiresAt, expiryNoticeDays: 30 } as any,
                TABLE_NOW,
            );
            // THEN only the second warns
            assert.deepStrictEqual(quiet.warnings, []);
            assert.deepStrictEqual(warned.warnings, [
                "`expiresAt` is 2026-12-15T00:00:00Z, in 20 days: then AWS stops honouring the role: its trust policy lets nobody assume it and its policies allow nothing. To keep the identity, set a later `expiresAt` and update the stack before then; if it is no longer needed, remove it from the program.",
            ]);
        });
    });

    describe("a topic known only at deploy time", () => {
        it("is checked where it resolves, and tags the role once the check has passed", async () => {
            // GIVEN a topic's ARN as an Output
            const { resources } = await capture(
                () =>
                    new aws.ServiceIdentity("worker", {
                        ...ROLE_ARGS,
                        unusedAlarm: { afterDays: 7, notify: pulumi.output(TOPIC) },
                    }),
            );
            // WHEN declared  THEN the tag holds the resolved ARN
            assert.strictEqual(ofType(resources, "aws:iam/role:Role")[0].inputs.tags["nhi:notify"], TOPIC);
        });

        it("that is not a topic ARN fails the deployment with the construction-time message, and the role is not registered", async () => {
            // GIVEN a queue's ARN, known only at deploy time, where a topic's is expected
            // WHEN declared
            const { value, resources, logged, rejections } = await declareInProcess(() => {
                const queue = new awsSdk.sqs.Queue("alerts", {});
                return new aws.ServiceIdentity("worker", {
                    ...ROLE_ARGS,
                    grants: [],
                    unusedAlarm: { afterDays: 7, notify: queue.arn },
                });
            });
            // THEN the construction-time words are logged against the identity, the run fails, and no role is registered
            const reason =
                "`unusedAlarm.notify` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got `arn:aws:sqs:us-east-1:123456789012:alerts-1a2b3c4`. Did you mean `arn:aws:sns:us-east-1:123456789012:alerts-1a2b3c4`?";
            assert.deepStrictEqual(logged, [
                {
                    message: `AwsServiceIdentity "worker" has 1 invalid argument:\n  - unusedAlarm.notify: ${reason}`,
                    resource: value,
                },
            ]);
            assert.ok(rejections.length > 0);
            assert.deepStrictEqual(ofType(resources, "aws:iam/role:Role"), []);
        });

        it("a plan keeps the check with its path", () => {
            // GIVEN an Output topic  WHEN planned  THEN two checks are kept for later: that it is a topic, with the construction-time words,
            const plan = planAwsServiceIdentity(
                "worker",
                { ...ROLE_ARGS, unusedAlarm: { afterDays: 7, notify: pulumi.output("alerts") } } as any,
                TABLE_NOW,
            );
            assert.deepStrictEqual(
                plan.later.map((c) => c.path),
                ["unusedAlarm.notify", "unusedAlarm.notify"],
            );
            assert.strictEqual(
                plan.later[0].problem("alerts"),
                BAD.find((b) => b.what === "a topic name as notify")!.reason,
            );
            assert.strictEqual(plan.later[0].problem(`${TOPIC}.fifo`), undefined);
            // AND that the monitor may publish to it (a value that is no topic is left to the first)
            assert.strictEqual(plan.later[1].problem([`${TOPIC}.fifo`, TOPIC, `${TOPIC}.fifo`]), undefined);
            assert.strictEqual(plan.later[1].problem(["alerts", TOPIC]), undefined);
            assert.match(
                plan.later[1].problem([`${TOPIC}-2`, TOPIC])!,
                /^`unusedAlarm.notify` `arn:aws:sns:us-east-1:123456789012:nhi-notices-2` is not among the `notifyTopics`/,
            );
        });
    });

    describe("finding the usage monitor", () => {
        const OTHER = "arn:aws:sns:us-east-1:123456789012:team-b";
        const lambdaRole = (name: string, extra: object = {}) => ({ ...ROLE_ARGS, ...extra });
        /** A provider of its own, so that no monitor of another test is found. */
        const provider = (name: string) => new awsSdk.Provider(name, { region: "eu-west-1" });
        /** An identity of `on` that notifies OTHER is refused, naming `monitor`, which publishes to TOPIC only. */
        const refusesOther = (on: awsSdk.Provider, monitor: string) =>
            assert.throws(
                () =>
                    planAwsServiceIdentity(
                        "worker",
                        lambdaRole("worker", { unusedAlarm: { afterDays: 30, notify: OTHER } }) as any,
                        TABLE_NOW,
                        { provider: on },
                    ),
                {
                    message: `AwsServiceIdentity "worker" has 1 invalid argument:
  - unusedAlarm.notify: \`unusedAlarm.notify\` \`${OTHER}\` is not among the \`notifyTopics\` of the \`aws.UsageMonitor\` \`${monitor}\` (\`${TOPIC}\`), the only topics it may publish to: add it to \`notifyTopics\`, or notify one of those.`,
                },
            );

        it("refuses `unusedAlarm` with no monitor of the identity's provider, saying how to add one, and registers nothing", async () => {
            // GIVEN an identity on a provider no monitor uses, in a program without a stack resource
            let thrown: any;
            const { resources } = await capture(() => {
                const eu = provider("eu-alone");
                try {
                    new aws.ServiceIdentity(
                        "worker",
                        lambdaRole("worker", { unusedAlarm: { afterDays: 30, notify: OTHER } }),
                        { provider: eu },
                    );
                } catch (e) {
                    thrown = e;
                }
            });
            // WHEN declared  THEN one error says what to add, with this topic, and nothing of the identity is registered
            assert.ok(pulumi.InputPropertiesError.isInstance(thrown));
            assert.strictEqual(
                thrown.message,
                `AwsServiceIdentity "worker" has 1 invalid argument:
  - unusedAlarm: \`unusedAlarm\` needs an \`aws.UsageMonitor\` of this identity's account and region, to run its check daily, but none was declared before this identity with the same AWS provider, and without a stack resource (a multi-language program, or a test under \`pulumi.runtime.setMocks\`) a monitor declared later cannot be found. Add one with this topic: \`new nhi.aws.UsageMonitor("usage", { owner: "<team>", notifyTopics: ["${OTHER}"] })\`, before this identity or as \`unusedAlarm.monitor\`.`,
            );
            assert.deepStrictEqual(
                resources.map((r) => r.type),
                ["pulumi:providers:aws"],
            );
        });

        it("refuses a topic the monitor may not publish to", async () => {
            // GIVEN a provider's monitor, publishing to TOPIC only
            const { value: eu } = await capture(() => {
                const p = provider("eu-topics");
                new aws.UsageMonitor(
                    "eu-topics-usage",
                    { owner: "team-platform", notifyTopics: [TOPIC] },
                    { provider: p },
                );
                return p;
            });
            // WHEN an identity of that provider notifies another topic  THEN refused, naming the monitor and its topics
            refusesOther(eu, "eu-topics-usage");
        });

        it("finds the monitor of the identity's own provider, given by `provider` or by its parent", async () => {
            // GIVEN a monitor on a provider of its own, publishing to OTHER
            await capture(() => {
                const eu = provider("eu-monitored");
                new aws.UsageMonitor("eu-usage", { owner: "team-platform", notifyTopics: [OTHER] }, { provider: eu });
                // WHEN identities on that provider notify OTHER, directly and through a parent's providers
                new aws.ServiceIdentity(
                    "direct",
                    lambdaRole("direct", { unusedAlarm: { afterDays: 30, notify: OTHER } }),
                    { provider: eu },
                );
                const parent = new pulumi.ComponentResource("acme:index:App", "app", {}, { providers: [eu] });
                new aws.ServiceIdentity(
                    "child",
                    lambdaRole("child", { unusedAlarm: { afterDays: 30, notify: OTHER } }),
                    { parent },
                );
                // THEN both are accepted, and the monitor of another provider, publishing to TOPIC, does not accept OTHER
                const us = provider("us-monitored");
                new aws.UsageMonitor("us-usage", { owner: "team-platform", notifyTopics: [TOPIC] }, { provider: us });
                refusesOther(us, "us-usage");
            });
        });

        it("`unusedAlarm.monitor` names the monitor where the convention cannot find it", async () => {
            // GIVEN a monitor on a provider of its own
            const { resources } = await capture(() => {
                const monitor = new aws.UsageMonitor(
                    "explicit-usage",
                    { owner: "team-platform", notifyTopics: [OTHER] },
                    { provider: provider("eu-explicit") },
                );
                // WHEN an identity of the default provider names it
                new aws.ServiceIdentity(
                    "named",
                    lambdaRole("named", { unusedAlarm: { afterDays: 30, notify: OTHER, monitor } }),
                );
            });
            // THEN it is accepted against that monitor's topics
            assert.strictEqual(
                ofType(resources, "aws:iam/role:Role").find((r) => r.name === "named-role")!.inputs.tags["nhi:notify"],
                OTHER,
            );
            // AND anything else is refused
            assert.throws(
                () =>
                    planAwsServiceIdentity(
                        "worker",
                        lambdaRole("worker", {
                            unusedAlarm: { afterDays: 30, notify: TOPIC, monitor: { notifyTopics: [TOPIC] } },
                        }) as any,
                        TABLE_NOW,
                    ),
                {
                    message:
                        'AwsServiceIdentity "worker" has 1 invalid argument:\n  - unusedAlarm.monitor: `unusedAlarm.monitor` must be an `aws.UsageMonitor`; got object `{"notifyTopics":["arn:aws:sns:us-east-1:123456789012:nhi-notices"]}`. Leave it out to use the program\'s monitor of this identity\'s AWS provider.',
                },
            );
        });

        it("checks a topic known only at deploy time against the monitor's where it resolves", async () => {
            // GIVEN an identity whose topic, an Output, is not among its provider's monitor's
            const { logged, resources } = await declareInProcess(() => {
                const eu = provider("eu-late");
                new aws.UsageMonitor(
                    "eu-late-usage",
                    { owner: "team-platform", notifyTopics: [TOPIC] },
                    { provider: eu },
                );
                new aws.ServiceIdentity(
                    "late",
                    lambdaRole("late", { grants: [], unusedAlarm: { afterDays: 30, notify: pulumi.output(OTHER) } }),
                    { provider: eu },
                );
            });
            // WHEN deployed  THEN the construction-time words are logged, and no role is registered
            assert.deepStrictEqual(
                logged.map((l) => l.message),
                [
                    `AwsServiceIdentity "late" has 1 invalid argument:
  - unusedAlarm.notify: \`unusedAlarm.notify\` \`${OTHER}\` is not among the \`notifyTopics\` of the \`aws.UsageMonitor\` \`eu-late-usage\` (\`${TOPIC}\`), the only topics it may publish to: add it to \`notifyTopics\`, or notify one of those.`,
                ],
            );
            assert.deepStrictEqual(
                ofType(resources, "aws:iam/role:Role").filter((r) => r.name === "late-role"),
                [],
            );
        });

        describe("in a program with a stack resource, as `pulumi up` runs one", () => {
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
                // GIVEN an identity declared before its provider's monitor
                const { logged, rejections } = await runStack(() => {
                    const eu = provider("eu-stack-ok");
                    new aws.AccessKeyIdentity(
                        "vendor",
                        { ...USER_ARGS, unusedAlarm: { afterDays: 30, notify: OTHER } } as any,
                        { provider: eu },
                    );
                    new aws.UsageMonitor("usage", { owner: "team-platform", notifyTopics: [OTHER] }, { provider: eu });
                });
                // WHEN the program has run  THEN nothing is refused
                assert.deepStrictEqual([logged, rejections], [[], []]);
            });

            it("fails the run when the program declares no monitor, or one that may not publish to the topic", async () => {
                // GIVEN one identity with no monitor of its provider, one whose topic the monitor lacks
                const { logged, rejections } = await runStack(() => {
                    new aws.ServiceIdentity(
                        "lonely",
                        lambdaRole("lonely", { grants: [], unusedAlarm: { afterDays: 30, notify: OTHER } }),
                        { provider: provider("eu-stack-none") },
                    );
                    const eu = provider("eu-stack-other");
                    new aws.ServiceIdentity(
                        "misdirected",
                        lambdaRole("misdirected", { grants: [], unusedAlarm: { afterDays: 30, notify: OTHER } }),
                        { provider: eu },
                    );
                    new aws.UsageMonitor("usage", { owner: "team-platform", notifyTopics: [TOPIC] }, { provider: eu });
                });
                // WHEN the program has run  THEN each is logged against its identity, and the run fails
                assert.deepStrictEqual(logged.map((l) => l.message).sort(), [
                    `AwsServiceIdentity "lonely" has 1 invalid argument:
  - unusedAlarm: \`unusedAlarm\` needs an \`aws.UsageMonitor\` of this identity's account and region, to run its check daily, but the program declares none with the same AWS provider. Add one with this topic: \`new nhi.aws.UsageMonitor("usage", { owner: "<team>", notifyTopics: ["${OTHER}"] })\`, with the same AWS provider as this identity.`,
                    `AwsServiceIdentity "misdirected" has 1 invalid argument:
  - unusedAlarm.notify: \`unusedAlarm.notify\` \`${OTHER}\` is not among the \`notifyTopics\` of the \`aws.UsageMonitor\` \`usage\` (\`${TOPIC}\`), the only topics it may publish to: add it to \`notifyTopics\`, or notify one of those.`,
                ]);
                assert.ok(rejections.length > 0);
            });
        });
    });

    it("the types say what the constructor enforces", () => {
        // GIVEN settings as a TypeScript program writes them  THEN these compile, and the commented ones do not
        const alarm: aws.AwsUnusedAlarm = { afterDays: 90, notify: pulumi.output(TOPIC) };
        const settings: aws.AwsUsageSettingsArgs = { unusedAlarm: alarm, expiryNoticeDays: 30 };
        const rotation: aws.AwsRotationAlarm = { notify: TOPIC };
        // @ts-expect-error `notify` is required
        const noTopic: aws.AwsUnusedAlarm = { afterDays: 90 };
        // @ts-expect-error `afterDays` is a number, not text
        const text: aws.AwsUnusedAlarm = { afterDays: "90", notify: TOPIC };
        // @ts-expect-error a rotation alarm has no threshold of its own: its period is `rotateEveryDays`
        const threshold: aws.AwsRotationAlarm = { notify: TOPIC, afterDays: 3 };
        assert.deepStrictEqual(
            [settings.expiryNoticeDays, rotation.notify, noTopic.afterDays, text.notify, threshold.notify],
            [30, TOPIC, 90, TOPIC, TOPIC],
        );
    });

    const BAD: BadInput[] = [
        {
            what: "afterDays of 0",
            args: { ...ROLE_ARGS, unusedAlarm: { afterDays: 0, notify: TOPIC } },
            path: "unusedAlarm.afterDays",
            reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400 (IAM records a role's last use over the trailing 400 days only, so a longer threshold could not be told from never used); got number `0`.",
        },
        {
            what: "afterDays beyond IAM's window",
            args: { ...ROLE_ARGS, unusedAlarm: { afterDays: 401, notify: TOPIC } },
            path: "unusedAlarm.afterDays",
            reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400 (IAM records a role's last use over the trailing 400 days only, so a longer threshold could not be told from never used); got number `401`.",
        },
        {
            what: "afterDays not a whole number",
            args: { ...ROLE_ARGS, unusedAlarm: { afterDays: 7.5, notify: TOPIC } },
            path: "unusedAlarm.afterDays",
            reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400 (IAM records a role's last use over the trailing 400 days only, so a longer threshold could not be told from never used); got number `7.5`.",
        },
        {
            what: "afterDays as text",
            args: { ...ROLE_ARGS, unusedAlarm: { afterDays: "90", notify: TOPIC } },
            path: "unusedAlarm.afterDays",
            reason: "`unusedAlarm.afterDays` must be a whole number of days from 1 to 400 (IAM records a role's last use over the trailing 400 days only, so a longer threshold could not be told from never used); got `90`. Pass the number `90`, not the text.",
        },
        {
            what: "a topic name as notify",
            args: { ...ROLE_ARGS, unusedAlarm: { afterDays: 90, notify: "alerts" } },
            path: "unusedAlarm.notify",
            reason: "`unusedAlarm.notify` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got `alerts`. Did you mean `arn:aws:sns:<region>:<account>:alerts`?",
        },
        {
            what: "an SQS queue ARN as notify",
            args: { ...ROLE_ARGS, unusedAlarm: { afterDays: 90, notify: "arn:aws:sqs:us-east-1:123456789012:alerts" } },
            path: "unusedAlarm.notify",
            reason: "`unusedAlarm.notify` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got `arn:aws:sqs:us-east-1:123456789012:alerts`. Did you mean `arn:aws:sns:us-east-1:123456789012:alerts`?",
        },
        {
            what: "no notify",
            args: { ...ROLE_ARGS, unusedAlarm: { afterDays: 90 } },
            path: "unusedAlarm.notify",
            reason: "`unusedAlarm.notify` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got undefined.",
        },
        {
            what: "unusedAlarm as a number",
            args: { ...ROLE_ARGS, unusedAlarm: 90 },
            path: "unusedAlarm",
            reason: "`unusedAlarm` must be `{ afterDays, notify }`, such as `{ afterDays: 90, notify: topic.arn }`; got number `90`.",
        },
        {
            what: "expiryNoticeDays of 91",
            args: { ...ROLE_ARGS, expiresAt: EXPIRY, expiryNoticeDays: 91 },
            path: "expiryNoticeDays",
            reason: "`expiryNoticeDays` must be a whole number of days from 1 to 90; got number `91`.",
        },
        {
            what: "expiryNoticeDays of 0.5",
            args: { ...ROLE_ARGS, expiresAt: EXPIRY, expiryNoticeDays: 0.5 },
            path: "expiryNoticeDays",
            reason: "`expiryNoticeDays` must be a whole number of days from 1 to 90; got number `0.5`.",
        },
        {
            what: "expiryNoticeDays without expiresAt",
            args: { ...ROLE_ARGS, expiryNoticeDays: 30 },
            path: "expiryNoticeDays",
            reason: "`expiryNoticeDays` (30) says how many days before `expiresAt` the identity counts as expiring, but `expiresAt` is not set: set `expiresAt`, or remove `expiryNoticeDays`.",
        },
    ];
    describe("aws.ServiceIdentity refuses", () =>
        itRefusesEach(BAD, "AwsServiceIdentity", "worker", (name, args, now) =>
            planAwsServiceIdentity(name, args, now),
        ));
    describe("aws.AccessKeyIdentity refuses", () =>
        itRefusesEach(
            BAD.map((b) => ({
                ...b,
                args: { ...b.args, trust: undefined, consumer: "acme-vendor", rotateEveryDays: 30 },
            })),
            "AwsAccessKeyIdentity",
            "acme",
            (name, args, now) => planAwsAccessKeyIdentity(name, args, now),
        ));

    it("counts `nhi:notify` among the 50 tags of the user and of the key's secret", () => {
        // GIVEN 43 tags of the user's own and an unused alarm: 7 `nhi:` tags on the user and on the secret
        const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "v"]));
        const args = (n: number) =>
            ({ ...USER_ARGS, tags: tags(n), unusedAlarm: { afterDays: 30, notify: TOPIC } }) as any;
        // WHEN planned  THEN 43 fit, 44 do not, on either
        assert.strictEqual(planAwsAccessKeyIdentity("acme", args(43), TABLE_NOW).tags.userKeys.length, 43);
        assert.throws(
            () => planAwsAccessKeyIdentity("acme", args(44), TABLE_NOW),
            (e: any) => {
                assert.deepStrictEqual(
                    e.errors.map((x: any) => x.reason),
                    [
                        "`tags` has 44 tags; with the 7 `nhi:` tags pulumi-nhi writes on the secret that holds the key that is 51, more than the 50 Secrets Manager allows on a secret.",
                        "`tags` has 44 tags; with the 7 `nhi:` tags pulumi-nhi writes that is 51, more than the 50 AWS allows on a user.",
                    ],
                );
                return true;
            },
        );
    });

    it("refuses every problem at once, registering nothing", async () => {
        // GIVEN two bad settings  WHEN declared  THEN one error lists both, and nothing is registered
        let thrown: any;
        const { resources } = await capture(() => {
            try {
                new aws.ServiceIdentity("worker", {
                    ...ROLE_ARGS,
                    expiryNoticeDays: 100,
                    unusedAlarm: { afterDays: 0, notify: TOPIC },
                } as any);
            } catch (e) {
                thrown = e;
            }
        });
        assert.deepStrictEqual(
            thrown.errors.map((e: any) => e.propertyPath),
            ["unusedAlarm.afterDays", "expiryNoticeDays"],
        );
        assert.deepStrictEqual(resources, []);
    });
});

describe("rotation health: `rotationAlarm` of aws.RotatingSecret, and the key secret of aws.AccessKeyIdentity", function () {
    this.timeout(30_000);
    const SECRET_ARGS = { owner: "team-payments", purpose: "Signs webhooks", rotateEveryDays: 30 };
    // A monitor of the default provider, which the secrets below find by convention, and one of a
    // provider of this suite's own, which no other test's monitor shares: the refusals below are
    // checked against it, whatever other monitors the process has declared.
    let monitored: awsSdk.Provider;
    before(() =>
        capture(() => {
            new aws.UsageMonitor("rotation-usage", { owner: "team-platform", notifyTopics: [TOPIC] });
            monitored = new awsSdk.Provider("rotation-monitored", { region: "eu-west-1" });
            new aws.UsageMonitor(
                "rotation-own-usage",
                { owner: "team-platform", notifyTopics: [TOPIC] },
                { provider: monitored },
            );
        }),
    );

    it("tags the secret with its `nhi:notify` topic; the monitor reads the period from the rotation rules", async () => {
        // GIVEN a rotating secret with a rotation alarm
        const { resources } = await capture(
            () => new aws.RotatingSecret("webhook", { ...SECRET_ARGS, rotationAlarm: { notify: TOPIC } }),
        );
        // WHEN its tags are read  THEN exactly these
        const secret = ofType(resources, "aws:secretsmanager/secret:Secret")[0];
        assert.deepStrictEqual(secret.inputs.tags, {
            "nhi:managed-by": "pulumi-nhi",
            "nhi:owner": "team-payments",
            "nhi:purpose": "Signs webhooks",
            "nhi:value-length": "32",
            "nhi:value-format": "alphanumeric",
            "nhi:notify": TOPIC,
        });
        assert.strictEqual(
            ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation")[0].inputs.rotationRules
                .automaticallyAfterDays,
            30,
        );
    });

    it("the key secret of an access key carries the identity's `unusedAlarm.notify`", async () => {
        // GIVEN an access key identity with an unused alarm  WHEN declared  THEN its key's secret notifies the same topic
        const { resources } = await capture(
            () =>
                new aws.AccessKeyIdentity("acme", {
                    ...USER_ARGS,
                    unusedAlarm: { afterDays: 30, notify: TOPIC },
                } as any),
        );
        assert.strictEqual(ofType(resources, "aws:secretsmanager/secret:Secret")[0].inputs.tags["nhi:notify"], TOPIC);
    });

    const SECRET_BAD: BadInput[] = [
        {
            what: "a topic name",
            args: { ...SECRET_ARGS, rotationAlarm: { notify: "alerts" } },
            path: "rotationAlarm.notify",
            reason: "`rotationAlarm.notify` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got `alerts`. Did you mean `arn:aws:sns:<region>:<account>:alerts`?",
        },
        {
            what: "a topic the monitor may not publish to",
            args: { ...SECRET_ARGS, rotationAlarm: { notify: `${TOPIC}-other` } },
            path: "rotationAlarm.notify",
            reason: `\`rotationAlarm.notify\` \`${TOPIC}-other\` is not among the \`notifyTopics\` of the \`aws.UsageMonitor\` \`rotation-own-usage\` (\`${TOPIC}\`), the only topics it may publish to: add it to \`notifyTopics\`, or notify one of those.`,
        },
        {
            what: "rotationAlarm as a string",
            args: { ...SECRET_ARGS, rotationAlarm: TOPIC },
            path: "rotationAlarm",
            reason: `\`rotationAlarm\` must be \`{ notify }\`, such as \`{ notify: topic.arn }\`; got \`${TOPIC}\`.`,
        },
    ];
    for (const c of SECRET_BAD) {
        it(`aws.RotatingSecret refuses ${c.what}`, () => {
            assert.throws(
                () => planAwsRotatingSecret("webhook", c.args, { provider: monitored }),
                (e: any) => {
                    assert.deepStrictEqual(
                        e.errors.map((x: any) => x.propertyPath),
                        [c.path],
                    );
                    assert.strictEqual(e.errors[0].reason, c.reason);
                    return true;
                },
            );
        });
    }

    it("refuses a rotation alarm with no monitor of the secret's provider, saying how to add one", async () => {
        let thrown: any;
        await capture(() => {
            const eu = new awsSdk.Provider("eu-secret-alone", { region: "eu-west-1" });
            try {
                planAwsRotatingSecret(
                    "webhook",
                    { ...SECRET_ARGS, rotationAlarm: { notify: TOPIC } },
                    { provider: eu },
                );
            } catch (e) {
                thrown = e;
            }
        });
        assert.strictEqual(
            thrown.message,
            `AwsRotatingSecret "webhook" has 1 invalid argument:
  - rotationAlarm: \`rotationAlarm\` needs an \`aws.UsageMonitor\` of this secret's account and region, to run its check daily, but none was declared before this secret with the same AWS provider, and without a stack resource (a multi-language program, or a test under \`pulumi.runtime.setMocks\`) a monitor declared later cannot be found. Add one with this topic: \`new nhi.aws.UsageMonitor("usage", { owner: "<team>", notifyTopics: ["${TOPIC}"] })\`, before this secret or as \`rotationAlarm.monitor\`.`,
        );
    });
});
