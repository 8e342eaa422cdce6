"use strict";
/**
 * `npm run bench`: what each component costs against the same resources written by hand, under
 * Pulumi's mocks, at 1,000 and 5,000 instances. The workloads (scripts/bench-workloads.js):
 * `identities` (aws.ServiceIdentity vs role + policy) and `secrets` (aws.RotatingSecret sharing
 * one aws.SecretRotator vs secret + resource policy + rotation).
 *
 * 1. Builds bin/ (`npm run build`) unless it is newer than every source file.
 * 2. Per workload, `verify`: one child process declares instances both ways and checks that each
 *    hand-written resource gets byte-identical inputs to the component's child. Aborts if not.
 * 3. For each size, REPEATS rounds of one fresh child per mode (scripts/bench-worker.js), run one
 *    at a time, the mode order alternating between rounds. Reports the median of each metric.
 *
 * Prints a markdown table and the ratios against the targets (time ≤ 1.3× hand-written, peak
 * memory ≤ 1.2×, linear growth 1,000 → 5,000). Exits 0 whatever the results: a benchmark, not a
 * test. Exits non-zero only when it cannot measure (build failure, worker crash, verify mismatch).
 *
 * 4. `monitors`: the usage monitor functions' cost at scale, from each cloud's throttling fake on a
 *    simulated clock (API calls and simulated seconds per run: the same on every machine). The
 *    measurement lives beside the fakes in test/support/ and runs here as a child process, as the
 *    tests run the demo: scripts/ never import test/.
 *
 * 5. `provider`: the same aws.ServiceIdentity declared by a TypeScript program (mode `component`
 *    of the `identities` workload) and constructed by the provider for another language's program
 *    (`Construct` over gRPC to the plugin's process, the worker playing the engine with the same
 *    mocks; mode `provider`), side by side: time and peak RSS of each process.
 *
 * Environment: BENCH_REPEATS (default 3), BENCH_WORKLOADS (comma-separated, among the workloads'
 * names, `monitors` and `provider`; default all), BENCH_PROVIDER_N (the `provider` size, default
 * 1000).
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { workloads } = require("./bench-workloads");

const ROOT = path.resolve(__dirname, "..");
const SIZES = [1000, 5000];
const MODES = ["component", "hand"];
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3) || 3);
const VERIFY_N = 200;
const NODE_FLAGS = ["--stack-trace-limit=0", "--expose-gc"];

const TARGET_TIME = 1.3;
const TARGET_MEMORY = 1.2;
/** Growth 1,000 → 5,000 counted as linear: 5× with 20% tolerance. */
const TARGET_GROWTH = 6.0;

const log = (line) => process.stderr.write(`${line}\n`);

function fail(message) {
    log(`bench: ${message}`);
    process.exit(1);
}

// ---- 1. Build unless bin/ is fresh.

function newestMtime(dir, filter) {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            newest = Math.max(newest, newestMtime(p, filter));
        } else if (filter(p)) {
            newest = Math.max(newest, fs.statSync(p).mtimeMs);
        }
    }
    return newest;
}

function binIsFresh() {
    const entry = path.join(ROOT, "bin", "index.js");
    if (!fs.existsSync(entry)) {
        return false;
    }
    const sources = Math.max(
        newestMtime(path.join(ROOT, "components"), (p) => p.endsWith(".ts")),
        ...["tsconfig.json", "tsconfig.build.json", "package.json"].map((f) => fs.statSync(path.join(ROOT, f)).mtimeMs),
    );
    return fs.statSync(entry).mtimeMs >= sources;
}

function build() {
    if (binIsFresh()) {
        log("bench: bin/ is up to date; not rebuilding.");
        return;
    }
    log("bench: building bin/ (npm run build)…");
    const npm = process.env.npm_execpath;
    const r = npm
        ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: ROOT, stdio: ["ignore", 2, 2] })
        : spawnSync("npm", ["run", "build"], {
              cwd: ROOT,
              stdio: ["ignore", 2, 2],
              shell: process.platform === "win32",
          });
    if (r.status !== 0) {
        fail(`npm run build failed (${r.error ? r.error.message : `exit ${r.status}`}).`);
    }
}

// ---- Children.

function runWorker(workload, mode, n, env = {}) {
    const r = spawnSync(process.execPath, [...NODE_FLAGS, "scripts/bench-worker.js", workload, mode, String(n)], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.stderr && r.stderr.trim() !== "") {
        log(r.stderr.trimEnd());
    }
    if (r.status !== 0) {
        fail(
            `worker \`${workload} ${mode} ${n}\` failed (${r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`}).`,
        );
    }
    const last = r.stdout.trim().split("\n").pop();
    try {
        return JSON.parse(last);
    } catch {
        fail(`worker \`${workload} ${mode} ${n}\` printed no result: ${r.stdout.slice(-500)}`);
    }
}

const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(digits));
const x = (r) => `${fmt(r)}×`;
const verdict = (ok) => (ok ? "PASS" : "MISS");

function version(pkg) {
    try {
        return JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
    } catch {
        return "?";
    }
}

// ---- Main.

/** Measures one workload (scripts/bench-workloads.js) and returns its report's lines. */
function benchWorkload(name) {
    const workload = workloads[name];
    const unit = workload.unit;
    const one = unit.replace(/ies$/, "y").replace(/s$/, "");
    log(`bench: ${name}: verify: ${VERIFY_N} ${unit} both ways, comparing every child's inputs…`);
    const v = runWorker(name, "verify", VERIFY_N);
    if (v.mismatchCount !== 0 || v.compared !== workload.compared.length * VERIFY_N) {
        log(JSON.stringify(v.mismatches, null, 2));
        fail(
            `${name}: the hand-written resources differ from the component's (${v.mismatchCount} of ${v.compared}); the comparison would be unfair.`,
        );
    }
    const workerEnv = { NHI_BENCH_CONTEXT: JSON.stringify(v.context) };

    /** results[n][mode] = list of worker results */
    const results = {};
    for (const n of SIZES) {
        results[n] = { component: [], hand: [] };
        for (let round = 0; round < REPEATS; round++) {
            const order = round % 2 === 0 ? MODES : [...MODES].reverse();
            for (const mode of order) {
                const r = runWorker(name, mode, n, workerEnv);
                results[n][mode].push(r);
                log(
                    `bench: ${name} ${String(n).padStart(5)} ${mode.padEnd(9)} run ${round + 1}/${REPEATS}: ${fmt(r.wallMs / 1000)} s, peak RSS ${fmt(r.maxRssMiB, 0)} MiB, ${r.resourcesPerInstance} resources/${one}`,
                );
            }
        }
    }

    /** Medians of one size and mode. */
    function summary(n, mode) {
        const rs = results[n][mode];
        const heaps = rs.map((r) => r.heapUsedAfterGcMiB).filter((h) => h !== null);
        return {
            wallS: median(rs.map((r) => r.wallMs / 1000)),
            cpuS: median(rs.map((r) => r.cpuMs / 1000)),
            minS: Math.min(...rs.map((r) => r.wallMs / 1000)),
            maxS: Math.max(...rs.map((r) => r.wallMs / 1000)),
            rss: median(rs.map((r) => r.maxRssMiB)),
            rssGrowth: median(rs.map((r) => r.maxRssMiB - r.rssAfterWarmupMiB)),
            heap: heaps.length > 0 ? median(heaps) : null,
            perInstance: median(rs.map((r) => r.resourcesPerInstance)),
        };
    }
    const s = {};
    for (const n of SIZES) {
        s[n] = { component: summary(n, "component"), hand: summary(n, "hand") };
    }

    const [small, large] = SIZES;
    const out = [];
    out.push(`## ${workload.title} (Pulumi mocks)`);
    out.push("");
    out.push(
        `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? "?"}, @pulumi/pulumi ${version("@pulumi/pulumi")}, @pulumi/aws ${version("@pulumi/aws")}; ` +
            `\`node ${NODE_FLAGS.join(" ")}\`, one fresh process per measurement, ${results[small].hand[0].warmup}-${one} warm-up in each, median of ${REPEATS} run${REPEATS === 1 ? "" : "s"}.`,
    );
    out.push(`${workload.describe(v)} Hand-written inputs verified byte-identical on ${VERIFY_N} ${unit}.`);
    out.push("");
    out.push(
        `| ${unit} | mode | wall s | ms/${one} | CPU s | peak RSS MiB | RSS over warm-up MiB | heap after GC MiB | resources/${one} |`,
    );
    out.push("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const n of SIZES) {
        for (const mode of MODES) {
            const m = s[n][mode];
            out.push(
                `| ${n.toLocaleString("en-US")} | ${mode === "component" ? workload.component : "hand-written"} | ${fmt(m.wallS)} | ${fmt((m.wallS * 1000) / n)} | ${fmt(m.cpuS)} | ${fmt(m.rss, 0)} | ${fmt(m.rssGrowth, 0)} | ${fmt(m.heap, 1)} | ${m.perInstance} |`,
            );
        }
    }
    out.push("");
    if (REPEATS > 1) {
        const spread = SIZES.flatMap((n) =>
            MODES.map((mode) => `${n}/${mode} ${fmt(s[n][mode].minS)}–${fmt(s[n][mode].maxS)} s`),
        );
        out.push(`Wall time range over runs: ${spread.join(", ")}.`);
        out.push("");
    }

    out.push("| ratio | " + SIZES.map((n) => n.toLocaleString("en-US")).join(" | ") + " | target | result |");
    out.push("|---|" + SIZES.map(() => "---:|").join("") + "---|---|");
    const timeRatios = SIZES.map((n) => s[n].component.wallS / s[n].hand.wallS);
    const cpuRatios = SIZES.map((n) => s[n].component.cpuS / s[n].hand.cpuS);
    const memRatios = SIZES.map((n) => s[n].component.rss / s[n].hand.rss);
    const memDeltaRatios = SIZES.map((n) => s[n].component.rssGrowth / s[n].hand.rssGrowth);
    out.push(
        `| time, component / hand | ${timeRatios.map(x).join(" | ")} | ≤ ${TARGET_TIME}× | ${verdict(timeRatios.every((r) => r <= TARGET_TIME))} |`,
    );
    out.push(`| CPU time, component / hand (info) | ${cpuRatios.map(x).join(" | ")} | | |`);
    out.push(
        `| peak RSS, component / hand | ${memRatios.map(x).join(" | ")} | ≤ ${TARGET_MEMORY}× | ${verdict(memRatios.every((r) => r <= TARGET_MEMORY))} |`,
    );
    out.push(`| RSS over warm-up, component / hand (info) | ${memDeltaRatios.map(x).join(" | ")} | | |`);
    out.push("");

    out.push(
        `| growth ${small.toLocaleString("en-US")} → ${large.toLocaleString("en-US")} (linear = 5×) | component | hand-written | target (component) | result |`,
    );
    out.push("|---|---:|---:|---|---|");
    const growth = (mode, key) => s[large][mode][key] / s[small][mode][key];
    const timeGrowth = growth("component", "wallS");
    const memGrowth = growth("component", "rssGrowth");
    out.push(
        `| wall time | ${x(timeGrowth)} | ${x(growth("hand", "wallS"))} | ≤ ${TARGET_GROWTH}× | ${verdict(timeGrowth <= TARGET_GROWTH)} |`,
    );
    out.push(
        `| RSS over warm-up | ${x(memGrowth)} | ${x(growth("hand", "rssGrowth"))} | ≤ ${TARGET_GROWTH}× | ${verdict(memGrowth <= TARGET_GROWTH)} |`,
    );
    out.push(
        `| peak RSS (info; includes the fixed ~${fmt(s[small].hand.rss - s[small].hand.rssGrowth, 0)} MiB of runtime and modules) | ${x(growth("component", "rss"))} | ${x(growth("hand", "rss"))} | | |`,
    );
    out.push("");
    out.push(
        `Wall s: from before the first timed declaration until \`waitForRPCs()\` drains; CPU s: user + system CPU of the worker (all threads, GC included) over the same span. Peak RSS: \`process.resourceUsage().maxRSS\` at the end of the worker (includes module loading and warm-up). ` +
            `RSS over warm-up: peak RSS minus RSS after the warm-up drained. Heap after GC: \`heapUsed\` after a final \`gc()\`. Linear growth counted up to ${TARGET_GROWTH}× (5× + 20%). ` +
            `Targets are reported, never enforced: this script exits 0.`,
    );
    return out;
}

// ---- Usage monitors: API calls and simulated time, from the fakes.

/** Each cloud's measurement: a file under test/support/ printing one JSON line per size and day. */
const MONITORS = [
    {
        title: "aws.UsageMonitor's function",
        file: "test/support/usage-monitor-measure.ts",
        unit: "identities",
        limit: "Lambda's 900 s",
    },
    {
        title: "gcp.UsageMonitor's function",
        file: "test/support/gcp-usage-monitor-measure.ts",
        unit: "service accounts",
        limit: "the function's 1,800 s",
    },
];
const MONITOR_SIZES = [1000, 10000];

function benchMonitors() {
    const out = ["## Usage monitor functions at scale (fakes, simulated clock)", ""];
    out.push(
        "One run of the monitor function over managed identities against an in-memory fake of the cloud's APIs that throttles as documented; every call takes its service's latency on a simulated clock and every backoff sleep advances it, so these figures are computed, not timed, and are the same on every machine. " +
            "Worst day: every identity changes state (a notice and a state write each), per-identity metrics on. Throttled: the same day with the rates lowered until calls are refused and retried. Quiet: no identity changes state (the usual day).",
    );
    out.push("");
    for (const m of MONITORS) {
        log(`bench: monitors: ${m.title}, ${MONITOR_SIZES.join(" and ")} ${m.unit}…`);
        const r = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", m.file, ...MONITOR_SIZES.map(String)],
            { cwd: ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
        );
        if (r.status !== 0) {
            log(r.stderr);
            fail(`${m.file} failed (${r.error ? r.error.message : `exit ${r.status}`}).`);
        }
        const rows = r.stdout
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line));
        out.push(`### ${m.title}`, "");
        out.push(
            `| ${m.unit} | day | API calls | throttled | simulated s | calls per 1,000 | simulated s per 1,000 | fits ${m.limit} |`,
        );
        out.push("|---:|---|---:|---:|---:|---:|---:|---|");
        for (const row of rows) {
            out.push(
                `| ${row.identities.toLocaleString("en-US")} | ${row.day} | ${row.totalCalls.toLocaleString("en-US")} | ${row.throttled} | ${fmt(row.simulatedSeconds, 1)} | ${fmt(row.callsPer1000, 0)} | ${fmt(row.simulatedSecondsPer1000, 1)} | ${(row.fitsLambda ?? row.fitsLimit) ? "yes" : "NO"} |`,
            );
        }
        out.push("");
        const calls = rows.find(
            (row) => row.identities === MONITOR_SIZES[MONITOR_SIZES.length - 1] && row.day === "worst",
        );
        if (calls !== undefined) {
            out.push(
                `Calls on the worst day at ${calls.identities.toLocaleString("en-US")}: ${Object.entries(calls.calls)
                    .map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`)
                    .join(", ")}.`,
                "",
            );
        }
    }
    return out;
}

// ---- The provider: Construct over gRPC against the TypeScript path.

const PROVIDER_N = Math.max(1, Number(process.env.BENCH_PROVIDER_N ?? 1000) || 1000);

function benchProvider() {
    const name = "identities";
    const paths = [
        ["component", "TypeScript program (in-process mocks)"],
        ["provider", "`Construct` over gRPC (provider process + fake engine)"],
    ];
    const results = { component: [], provider: [] };
    for (let round = 0; round < REPEATS; round++) {
        const order = round % 2 === 0 ? paths : [...paths].reverse();
        for (const [mode] of order) {
            const r = runWorker(name, mode, PROVIDER_N);
            results[mode].push(r);
            log(
                `bench: provider ${String(PROVIDER_N).padStart(5)} ${mode.padEnd(9)} run ${round + 1}/${REPEATS}: ${fmt(r.wallMs / 1000)} s, peak RSS ${fmt(r.providerMaxRssMiB ?? r.maxRssMiB, 0)} MiB, ${r.resourcesPerInstance} resources/identity`,
            );
        }
    }
    const med = (mode, f) => median(results[mode].map(f).filter((v) => v !== null && v !== undefined));
    const out = [
        `## ${workloads[name].component} from another language: the provider's \`Construct\` against TypeScript (Pulumi mocks)`,
        "",
    ];
    out.push(
        `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? "?"}, @pulumi/pulumi ${version("@pulumi/pulumi")}; the \`identities\` workload's identity, ${PROVIDER_N.toLocaleString("en-US")} of them after a 50-identity warm-up, median of ${REPEATS} run${REPEATS === 1 ? "" : "s"}. ` +
            "TypeScript: one process declares them under the mocks. Provider: the plugin's process (bin/provider, `--stack-trace-limit=0`) constructs them, each child registered over gRPC with a fake engine (the bench worker) that answers with the same mocks; every `Construct` sent at once.",
    );
    out.push("");
    out.push(
        "| path | wall s | ms/identity | peak RSS MiB (components' process) | peak RSS MiB (fake engine) | resources/identity |",
    );
    out.push("|---|---:|---:|---:|---:|---:|");
    for (const [mode, title] of paths) {
        const wall = med(mode, (r) => r.wallMs / 1000);
        const rss = mode === "provider" ? med(mode, (r) => r.providerMaxRssMiB) : med(mode, (r) => r.maxRssMiB);
        const engineRss =
            mode === "provider"
                ? fmt(
                      med(mode, (r) => r.maxRssMiB),
                      0,
                  )
                : "–";
        out.push(
            `| ${title} | ${fmt(wall)} | ${fmt((wall * 1000) / PROVIDER_N)} | ${fmt(rss, 0)} | ${engineRss} | ${med(mode, (r) => r.resourcesPerInstance)} |`,
        );
    }
    out.push("");
    const ratio = med("provider", (r) => r.wallMs) / med("component", (r) => r.wallMs);
    const rssRatio = med("provider", (r) => r.providerMaxRssMiB) / med("component", (r) => r.maxRssMiB);
    out.push(
        `Provider / TypeScript: time ${x(ratio)}, peak RSS of the components' process ${x(rssRatio)} (info, no target: the provider path adds a gRPC round trip per child and a serialization of the state).`,
    );
    return out;
}

const started = Date.now();
const EXTRA = ["monitors", "provider"];
const only = process.env.BENCH_WORKLOADS
    ? process.env.BENCH_WORKLOADS.split(",")
    : [...Object.keys(workloads), ...EXTRA];
for (const name of only) {
    if (workloads[name] === undefined && !EXTRA.includes(name)) {
        fail(`unknown workload ${name}; known: ${[...Object.keys(workloads), ...EXTRA].join(", ")}.`);
    }
}
if (only.some((name) => name !== "monitors")) {
    build();
}
const report = [];
for (const name of only) {
    report.push(
        ...(name === "monitors" ? benchMonitors() : name === "provider" ? benchProvider() : benchWorkload(name)),
        "",
    );
}
process.stdout.write(`${report.join("\n").trimEnd()}\n`);
log(`bench: done in ${fmt((Date.now() - started) / 1000, 0)} s.`);
process.exit(0);
