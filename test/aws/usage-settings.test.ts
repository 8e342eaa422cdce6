import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as awsSdk from "@pulumi/aws";
import { aws } from "../../components";
import { planAwsAccessKeyIdentity } from "../../components/aws/access-key-identity";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { EXPIRY_WARNING_DAYS } from "../../components/core/expiry";
import { DEFAULT_EXPIRY_NOTICE_DAYS, MAX_KEY_AGE_DAYS } from "../../components/runtime/aws/usage-contract";
import { readThresholds } from "../../components/runtime/aws/usage-evaluate";
import { capture, ofType } from "../../components/testing";
import { BadInput, TABLE_NOW, itRefusesEach } from "../support/bad-input";
import { declareInProcess } from "../support/deploy-time";

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
const OWNERSHIP_TAGS = { "nhi:managed-by": "pulumi-nhi", "nhi:owner": "team-payments", "nhi:purpose": "Processes invoices" };

describe("AWS identities' usage settings", function () {
    this.timeout(30_000);

    describe("the tags the usage monitor reads", () => {
        it("a role: `nhi:unused-after-days`, `nhi:notify` and, when given, `nhi:expiry-notice-days`, on the role and its policies", async () => {
            // GIVEN a role idle after 90 days, expiring, with a 30-day notice
            const { resources } = await capture(() => new aws.ServiceIdentity("worker", {
                ...ROLE_ARGS, expiresAt: EXPIRY, expiryNoticeDays: 30, unusedAlarm: { afterDays: 90, notify: TOPIC },
            }));
            // WHEN the role's tags are read
            const role = ofType(resources, "aws:iam/role:Role")[0];
            // THEN exactly these, each as the contract writes it
            assert.deepStrictEqual(role.inputs.tags, {
                ...OWNERSHIP_TAGS, "nhi:expires-at": EXPIRY, "nhi:unused-after-days": "90", "nhi:notify": TOPIC, "nhi:expiry-notice-days": "30",
            });
            // AND the monitor reads them back as the thresholds given
            const t = readThresholds(role.inputs.tags);
            assert.deepStrictEqual([t.unusedAfterDays, t.notify, t.expiryNoticeDays, t.invalid], [90, TOPIC, 30, []]);
        });

        it("a role without settings carries none of them (the monitor's default notice is 14 days)", async () => {
            // GIVEN an expiring role without settings  WHEN declared  THEN no settings tag
            const { resources } = await capture(() => new aws.ServiceIdentity("plain", { ...ROLE_ARGS, expiresAt: EXPIRY }));
            assert.deepStrictEqual(ofType(resources, "aws:iam/role:Role")[0].inputs.tags, { ...OWNERSHIP_TAGS, "nhi:expires-at": EXPIRY });
            // AND the monitor's default is the preview warning's window
            assert.strictEqual(DEFAULT_EXPIRY_NOTICE_DAYS, EXPIRY_WARNING_DAYS);
        });

        it("a user: the settings, and `nhi:key-max-age-days` = rotation + grace + 1", async () => {
            // GIVEN a key rotated every 60 days with 5 days' grace, idle after 30 days
            const { resources } = await capture(() => new aws.AccessKeyIdentity("acme", {
                ...USER_ARGS, rotateEveryDays: 60, graceDays: 5, unusedAlarm: { afterDays: 30, notify: TOPIC },
            }));
            // WHEN the user's tags are read
            const user = ofType(resources, "aws:iam/user:User")[0];
            // THEN 66 days: a key older than that was not rotated
            assert.deepStrictEqual(user.inputs.tags, {
                ...OWNERSHIP_TAGS, "nhi:consumer": "acme-vendor", "nhi:unused-after-days": "30", "nhi:notify": TOPIC, "nhi:key-max-age-days": "66",
            });
            assert.strictEqual(readThresholds(user.inputs.tags).keyMaxAgeDays, 66);
        });

        it("the longest rotation and grace give a key age the monitor accepts", () => {
            // GIVEN 365 days' rotation and 364 days' grace  WHEN planned  THEN 730, within the contract
            const plan = planAwsAccessKeyIdentity("acme", { ...USER_ARGS, rotateEveryDays: 365, graceDays: 364 } as any, TABLE_NOW);
            assert.strictEqual(plan.tags.tags["nhi:key-max-age-days"], "730");
            assert.strictEqual(MAX_KEY_AGE_DAYS, 730);
            assert.strictEqual(readThresholds({ "nhi:key-max-age-days": "730" }).keyMaxAgeDays, 730);
        });

        it("`expiryNoticeDays` is also the preview warning's window", () => {
            // GIVEN an identity expiring in 20 days
            const expiresAt = "2026-12-15T00:00:00Z";
            // WHEN planned with the default window, and with a 30-day one
            const quiet = planAwsServiceIdentity("worker", { ...ROLE_ARGS, expiresAt } as any, TABLE_NOW);
            const warned = planAwsServiceIdentity("worker", { ...ROLE_ARGS, expiresAt, expiryNoticeDays: 30 } as any, TABLE_NOW);
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
            const { resources } = await capture(() => new aws.ServiceIdentity("worker", {
                ...ROLE_ARGS, unusedAlarm: { afterDays: 7, notify: pulumi.output(TOPIC) },
            }));
            // WHEN declared  THEN the tag holds the resolved ARN
            assert.strictEqual(ofType(resources, "aws:iam/role:Role")[0].inputs.tags["nhi:notify"], TOPIC);
        });

        it("that is not a topic ARN fails the deployment with the construction-time message, and the role is not registered", async () => {
            // GIVEN a queue's ARN, known only at deploy time, where a topic's is expected
            // WHEN declared
            const { value, resources, logged, rejections } = await declareInProcess(() => {
                const queue = new awsSdk.sqs.Queue("alerts", {});
                return new aws.ServiceIdentity("worker", { ...ROLE_ARGS, grants: [], unusedAlarm: { afterDays: 7, notify: queue.arn } });
            });
            // THEN the construction-time words are logged against the identity, the run fails, and no role is registered
            const reason = "`unusedAlarm.notify` must be the ARN of an SNS topic, `arn:aws:sns:<region>:<account>:<topic>` (such as `topic.arn` of an `aws.sns.Topic`); got `arn:aws:sqs:us-east-1:123456789012:alerts-1a2b3c4`. Did you mean `arn:aws:sns:us-east-1:123456789012:alerts-1a2b3c4`?";
            assert.deepStrictEqual(logged, [{ message: `AwsServiceIdentity "worker" has 1 invalid argument:\n  - unusedAlarm.notify: ${reason}`, resource: value }]);
            assert.ok(rejections.length > 0);
            assert.deepStrictEqual(ofType(resources, "aws:iam/role:Role"), []);
        });

        it("a plan keeps the check with its path", () => {
            // GIVEN an Output topic  WHEN planned  THEN the check is kept for later, and refuses a name with the construction-time words
            const plan = planAwsServiceIdentity("worker", { ...ROLE_ARGS, unusedAlarm: { afterDays: 7, notify: pulumi.output("alerts") } } as any, TABLE_NOW);
            assert.deepStrictEqual(plan.later.map((c) => c.path), ["unusedAlarm.notify"]);
            assert.strictEqual(plan.later[0].problem("alerts"), BAD.find((b) => b.what === "a topic name as notify")!.reason);
            assert.strictEqual(plan.later[0].problem(`${TOPIC}.fifo`), undefined);
        });
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
    describe("aws.ServiceIdentity refuses", () => itRefusesEach(BAD, "AwsServiceIdentity", "worker", (name, args, now) => planAwsServiceIdentity(name, args, now)));
    describe("aws.AccessKeyIdentity refuses", () => itRefusesEach(
        BAD.map((b) => ({ ...b, args: { ...b.args, trust: undefined, consumer: "acme-vendor", rotateEveryDays: 30 } })),
        "AwsAccessKeyIdentity", "acme", (name, args, now) => planAwsAccessKeyIdentity(name, args, now),
    ));

    it("refuses every problem at once, registering nothing", async () => {
        // GIVEN two bad settings  WHEN declared  THEN one error lists both, and nothing is registered
        let thrown: any;
        const { resources } = await capture(() => {
            try {
                new aws.ServiceIdentity("worker", { ...ROLE_ARGS, expiryNoticeDays: 100, unusedAlarm: { afterDays: 0, notify: TOPIC } } as any);
            } catch (e) {
                thrown = e;
            }
        });
        assert.deepStrictEqual(thrown.errors.map((e: any) => e.propertyPath), ["unusedAlarm.afterDays", "expiryNoticeDays"]);
        assert.deepStrictEqual(resources, []);
    });
});
