/**
 * The Google usage monitor's cost at scale, for the bench (not the bench itself): one run over `n` managed service accounts
 * against `FakeGoogleProject`, each API throttled at its documented quota (or the assumption named below) and every call taking
 * its API's latency on the simulated clock; every backoff sleep advances it. The figures come from the fake's call log and clock,
 * never from a timer, so they are the same on every machine.
 *
 * The workload is the worst day: every account changes state in the run (all last used 100 days ago, idle after 30, one channel),
 * half of them have a rotated key
 * (`keyAge` set, so their keys are listed), one in ten accounts has a rotating secret whose versions are read, per-identity
 * metrics on. A quiet day costs the state read, the listings and the metrics only.
 *
 * Quotas: IAM 6,000 reads a minute (100 a second) and Secret Manager 600 reads a minute (10 a second), both documented; Policy
 * Analyzer publishes none, assumed 10 a second; Logging and Monitoring far above what a run needs, assumed 100 a second.
 * Latencies: IAM 60 ms, Policy Analyzer 400 ms, Secret Manager 60 ms, Cloud Storage 80 ms, Logging 50 ms, Monitoring 80 ms.
 * @see https://cloud.google.com/iam/quotas
 * @see https://cloud.google.com/secret-manager/quotas
 */
import { monitorEvent, monitorUsage } from "../../components/runtime/gcp/usage-monitor";
import { Api, ApiModel, DAY, FakeGoogleProject, PROJECT } from "../runtime/gcp/fake-usage-project";
import { BenchDay, printBenchDays } from "./bench-days";

export const BUCKET = "acme-nhi-state";
export const CHANNEL = "1234567890123456789";
/** The function's timeout (usage-contract.ts `FUNCTION_TIMEOUT_SECONDS`). */
export const FUNCTION_LIMIT_SECONDS = 1800;

export interface GcpMeasurement {
    readonly identities: number;
    readonly secrets: number;
    /** Calls made, per `api:method`, throttled ones included. */
    readonly calls: Readonly<Record<string, number>>;
    readonly totalCalls: number;
    readonly throttled: number;
    readonly simulatedSeconds: number;
    readonly callsPer1000: number;
    readonly simulatedSecondsPer1000: number;
    /** Whether the run fits the function's timeout (the bench's generic column). */
    readonly fitsLimit: boolean;
}

export const DEFAULT_MODELS: Readonly<Record<Api, ApiModel>> = {
    iam: { rate: 100, burst: 100, latencyMs: 60 },
    policyanalyzer: { rate: 10, burst: 10, latencyMs: 400 },
    secretmanager: { rate: 10, burst: 10, latencyMs: 60 },
    storage: { rate: 100, burst: 100, latencyMs: 80 },
    logging: { rate: 100, burst: 100, latencyMs: 50 },
    monitoring: { rate: 100, burst: 100, latencyMs: 80 },
    /** One call a run (the exposed-key policy): its quota does not matter here; assumed like Policy Analyzer's. */
    orgpolicy: { rate: 10, burst: 10, latencyMs: 100 },
};

/** `quiet`: a day on which nothing changes (the common day): no digest, no state write, no version read. */
export async function measureGcpUsageMonitor(
    n: number,
    o: { models?: Partial<Record<Api, ApiModel>>; seed?: number; quiet?: boolean } = {},
): Promise<GcpMeasurement> {
    const start = new Date(Date.UTC(2026, 0, 1, 3));
    const p = new FakeGoogleProject(new Date(start.getTime() - 100 * DAY), { ...DEFAULT_MODELS, ...o.models });
    const secrets = Math.floor(n / 10);
    for (let i = 0; i < n; i++) {
        const record = {
            owner: "team",
            purpose: "svc",
            unused: o.quiet ? 400 : 30,
            notify: CHANNEL,
            expiresAt: "2027-06-01T00:00:00Z",
            ...(i % 2 === 0 ? { keyAge: 100 } : {}),
            managedBy: "pulumi-nhi",
        };
        const email = p.addAccount(`svc-${String(i).padStart(6, "0")}`, record);
        // Used once, 100 days ago (through its key when it has one): idle on the worst day.
        p.use(email, i % 2 === 0 ? p.addKey(email) : undefined);
    }
    for (let i = 0; i < secrets; i++) {
        // Rotated 40 days ago with a 30-day period: due, hence read, and stale on the worst day; rotated yesterday on a quiet one.
        p.addSecret(`s-${i}`, { "nhi-rotate-every-days": "30", "nhi-notify": CHANNEL }, [
            start.getTime() - (o.quiet ? 1 : 40) * DAY,
        ]);
    }
    // The worst day: the exposed-key policy is off too (one change more, for every channel); on a quiet day nothing is set.
    if (!o.quiet) p.exposurePolicy = [{ values: { allowedValues: ["WAIT_FOR_ABUSE"] } }];
    p.time = start.getTime();
    const event = monitorEvent(PROJECT, BUCKET, true);
    let seed = o.seed ?? 1;
    const random = () => {
        seed = (seed * 48271) % 2147483647;
        return seed / 2147483647;
    };
    const deps = { apis: async () => p, now: () => p.now(), sleep: p.sleep, random, log: () => {} };
    if (o.quiet) {
        // The state a previous run left: every account seen, every secret's newest version known.
        await monitorUsage(event, deps);
        p.time += DAY / 2;
        p.calls.length = 0;
        Object.keys(p.throttled).forEach((k) => (p.throttled[k as Api] = 0));
    }
    const began = p.time;
    await monitorUsage(event, deps);
    const calls: Record<string, number> = {};
    for (const c of p.calls) calls[c] = (calls[c] ?? 0) + 1;
    const simulatedSeconds = (p.time - began) / 1000;
    return {
        identities: n,
        secrets,
        calls,
        totalCalls: p.calls.length,
        throttled: Object.values(p.throttled).reduce((a, b) => a + b, 0),
        simulatedSeconds,
        callsPer1000: (p.calls.length * 1000) / n,
        simulatedSecondsPer1000: (simulatedSeconds * 1000) / n,
        fitsLimit: simulatedSeconds < FUNCTION_LIMIT_SECONDS,
    };
}

/**
 * The days `npm run bench` reports (as for AWS, `usage-monitor-measure.ts`): the worst day at the quotas above, the same day with
 * IAM at 5 reads a second, Policy Analyzer at 1, Secret Manager at 2 and Logging at 1 (all throttle and retry), and a quiet day.
 */
export const GCP_BENCH_DAYS: readonly BenchDay<Parameters<typeof measureGcpUsageMonitor>[1]>[] = [
    { day: "worst", options: {} },
    {
        day: "worst, throttled",
        options: {
            models: {
                iam: { rate: 5, burst: 5, latencyMs: 60 },
                policyanalyzer: { rate: 1, burst: 1, latencyMs: 400 },
                secretmanager: { rate: 2, burst: 2, latencyMs: 60 },
                logging: { rate: 1, burst: 1, latencyMs: 50 },
            },
        },
    },
    { day: "quiet", options: { quiet: true } },
];

/**
 * `npm run bench` runs this file in a child process (scripts/ never import test/): for each size given on the command line and
 * each of {@link GCP_BENCH_DAYS}, one JSON line on stdout. The bench's `MONITORS` list names it:
 * `{ title: "gcp.UsageMonitor's function", file: "test/support/gcp-usage-monitor-measure.ts", unit: "service accounts", limit: "the function's 1,800 s" }`.
 */
if (require.main === module) {
    printBenchDays(GCP_BENCH_DAYS, measureGcpUsageMonitor);
}
