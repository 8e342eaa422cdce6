/**
 * The usage monitor's cost at scale, for the bench (not the bench itself): one run over `n` managed
 * identities against `FakeAccount` with IAM throttled at `iamRate` requests a second, every call
 * taking its service's latency on the simulated clock and every backoff sleep advancing it. The
 * figures are computed from the fake's call log and clock, never timed, so they are the same on
 * every machine.
 *
 * The workload is the worst day: half roles, half users (each with an Active key), and every
 * identity changing state in the run (all idle with a notify topic), so every identity costs an
 * SNS Publish and a DynamoDB PutItem, with per-identity metrics on. A quiet day costs the listing,
 * the report, the scan and the metrics only.
 *
 * The monitor's calls are sequential, so the simulated time is the run's wall time under the
 * latencies given (defaults: IAM 150 ms a call, SNS 20 ms, DynamoDB 10 ms, CloudWatch 50 ms).
 */
import { monitorEvent, monitorUsage } from "../../components/runtime/aws/usage-monitor";
import { ACCOUNT, FakeAccount, Service, ServiceModel } from "./usage-monitor-fake";
import { BenchDay, printBenchDays } from "./bench-days";

const DAY = 86_400_000;
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:nhi-owners`;

export interface Measurement {
    readonly identities: number;
    /** Calls made, per `service:Action`, throttled ones included. */
    readonly calls: Readonly<Record<string, number>>;
    readonly totalCalls: number;
    readonly throttled: number;
    /** Simulated seconds for the whole run. */
    readonly simulatedSeconds: number;
    readonly callsPer1000: number;
    readonly simulatedSecondsPer1000: number;
    /** Whether the run fits in Lambda's 15-minute limit. */
    readonly fitsLambda: boolean;
}

/** Lambda's maximum timeout. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const LAMBDA_LIMIT_SECONDS = 900;

/**
 * `quiet`: a day on which no identity changes state (the common day): no notice, no write.
 */
export async function measureUsageMonitor(
    n: number,
    o: { iamRate?: number; models?: Partial<Record<Service, ServiceModel>>; seed?: number; quiet?: boolean } = {},
): Promise<Measurement> {
    const start = new Date(Date.UTC(2026, 0, 1));
    const models: Partial<Record<Service, ServiceModel>> = {
        iam: { rate: o.iamRate ?? 15, burst: o.iamRate ?? 15, latencyMs: 150 },
        sns: { rate: 300, burst: 300, latencyMs: 20 },
        dynamodb: { rate: 1000, burst: 1000, latencyMs: 10 },
        cloudwatch: { rate: 150, burst: 150, latencyMs: 50 },
        ...o.models,
    };
    const account = new FakeAccount(new Date(start.getTime() - 100 * DAY), "nhi-usage-state", models);
    account.topics.add(TOPIC);
    const tags = {
        "nhi:managed-by": "pulumi-nhi",
        "nhi:unused-after-days": o.quiet ? "400" : "30",
        "nhi:notify": TOPIC,
        "nhi:expires-at": "2027-01-01T00:00:00Z",
    };
    for (let i = 0; i < n; i++) {
        if (i % 2 === 0) {
            account.addRole(`svc-${i}`, tags);
        } else {
            account.addKey(account.addUser(`vendor-${i}`, tags));
        }
    }
    account.time = start.getTime();
    let seed = o.seed ?? 1;
    const random = () => {
        seed = (seed * 48271) % 2147483647;
        return seed / 2147483647;
    };
    const began = account.time;
    await monitorUsage(monitorEvent(account.tableName, true), {
        iam: account.iam(),
        sns: account.sns(),
        dynamodb: account.dynamodb(),
        cloudwatch: account.cloudwatch(),
        secretsmanager: account.secretsmanager(),
        now: () => account.now(),
        sleep: account.sleep,
        random,
        log: () => {},
        account: ACCOUNT,
        region: "us-east-1",
    });
    const calls: Record<string, number> = {};
    for (const c of account.calls) {
        calls[c] = (calls[c] ?? 0) + 1;
    }
    const simulatedSeconds = (account.time - began) / 1000;
    return {
        identities: n,
        calls,
        totalCalls: account.calls.length,
        throttled: Object.values(account.throttled).reduce((a, b) => a + b, 0),
        simulatedSeconds,
        callsPer1000: (account.calls.length * 1000) / n,
        simulatedSecondsPer1000: (simulatedSeconds * 1000) / n,
        fitsLambda: simulatedSeconds < LAMBDA_LIMIT_SECONDS,
    };
}

/**
 * The days `npm run bench` reports: the worst day at the default service rates, the same day with
 * IAM at 1 request a second and SNS at 30 Publish a second after a burst of 10 (both
 * throttle and retry; DynamoDB at 40 writes a second keeps up), and a quiet day.
 */
export const BENCH_DAYS: readonly BenchDay<Parameters<typeof measureUsageMonitor>[1]>[] = [
    { day: "worst", options: {} },
    {
        day: "worst, throttled",
        options: {
            iamRate: 1,
            models: { sns: { rate: 30, burst: 10, latencyMs: 20 }, dynamodb: { rate: 40, burst: 10, latencyMs: 10 } },
        },
    },
    { day: "quiet", options: { quiet: true } },
];

/**
 * `npm run bench` runs this file in a child process (scripts/ never import test/): for each size
 * given on the command line and each of {@link BENCH_DAYS}, one JSON line on stdout.
 */
if (require.main === module) {
    printBenchDays(BENCH_DAYS, measureUsageMonitor);
}
