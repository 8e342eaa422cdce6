import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsUsageMonitor } from "../../components/aws/usage-monitor";

/*
 * The argument types of aws.UsageMonitor say what the constructor enforces: `npm test` runs
 * `tsc --noEmit` over this file, so each `@ts-expect-error` must meet an error. The good shapes
 * compile and are accepted; each bad shape is refused at run time too, at the property given.
 */

const TOPIC = "arn:aws:sns:us-east-1:123456789012:nhi-notices";
const base = { owner: "team-platform", notifyTopics: [TOPIC] } as const;

/** Good shapes: each compiles. */
const good: aws.AwsUsageMonitorArgs[] = [
    base,
    {
        ...base,
        purpose: "Watches the payments account",
        scheduleExpression: "cron(0 6 * * ? *)",
        perIdentityMetrics: true,
        alarmTopic: pulumi.output(TOPIC),
        tags: { env: "prod" },
    },
    { owner: "team-platform", notifyTopics: [pulumi.output(TOPIC)] },
];

/** Bad shapes: each is a type error, and each is refused at run time at the property given. */
const bad: { args: unknown; path: string }[] = [
    // @ts-expect-error notifyTopics as one string, not a list
    { args: ((): aws.AwsUsageMonitorArgs => ({ ...base, notifyTopics: TOPIC }))(), path: "notifyTopics" },
    // @ts-expect-error perIdentityMetrics as text
    { args: ((): aws.AwsUsageMonitorArgs => ({ ...base, perIdentityMetrics: "true" }))(), path: "perIdentityMetrics" },
    // @ts-expect-error no owner
    { args: ((): aws.AwsUsageMonitorArgs => ({ notifyTopics: [TOPIC] }))(), path: "owner" },
];

/** Readonly: the arguments cannot be changed after they are written. */
function mutate(args: aws.AwsUsageMonitorArgs): void {
    // @ts-expect-error `notifyTopics` is a readonly array
    args.notifyTopics.push(TOPIC);
    // @ts-expect-error `owner` is readonly
    args.owner = "x";
}

describe("aws.UsageMonitor argument types", () => {
    it("compile for every good shape, which the constructor accepts", () => {
        for (const args of good) {
            assert.strictEqual(planAwsUsageMonitor("typed", args).owner, "team-platform");
        }
        assert.strictEqual(typeof mutate, "function");
    });

    it("refuse at run time every shape tsc refuses, naming the property", () => {
        for (const { args, path } of bad) {
            assert.throws(
                () => planAwsUsageMonitor("typed", args as aws.AwsUsageMonitorArgs),
                (e: any) => {
                    assert.ok(pulumi.InputPropertiesError.isInstance(e));
                    assert.deepStrictEqual(
                        e.errors.map((p: any) => p.propertyPath),
                        [path],
                    );
                    return true;
                },
            );
        }
    });
});
