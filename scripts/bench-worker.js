"use strict";
/**
 * One measurement of `npm run bench`, in a fresh process. Run by scripts/bench.js as
 *
 *   node --stack-trace-limit=0 --expose-gc scripts/bench-worker.js <workload> <mode> <n>
 *
 * Workloads: scripts/bench-workloads.js (`identities`, `secrets`). Modes:
 *   component  declares <n> instances of the workload's component (compiled package, bin/)
 *   hand       declares the same resources by hand, with literal documents. Never loads the
 *              package, so it pays neither for validation nor for the catalogues. What a user
 *              would have copied into code (e.g. the S3 read action list) comes from
 *              NHI_BENCH_CONTEXT, a JSON value the driver takes from `verify`.
 *   verify     declares <n> instances both ways in one process and checks that every compared
 *              child gets byte-identical inputs; prints the context for `hand`.
 *   provider   has the provider (bin/provider, started from provider/ as the engine starts the
 *              plugin) construct <n> instances over gRPC (`Construct`, the workload's `token` and
 *              `args`), this process playing the engine: its ResourceMonitor answers with the same
 *              mocks as the other modes (bin/provider/fake-engine.js). All <n> calls are sent at
 *              once, as an engine would for a program that declares them in a loop. Also reports
 *              the provider process's peak RSS (`VmHWM` of /proc/<pid>/status, Linux).
 *
 * Both measuring modes first run the workload's `setup` (e.g. one shared rotator) and declare
 * WARMUP instances (same shapes, other names), and drain them, so that module loading, JIT
 * compilation and (for the component) the lazy catalogue load are out of the timed part. Time is
 * from before the first timed declaration until every RPC has drained. Peak memory is
 * `process.resourceUsage().maxRSS` at the end of the process (so it includes module loading and
 * the warm-up, equally for both modes).
 *
 * Prints one JSON line on stdout.
 */
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { ACCOUNT, workloads } = require("./bench-workloads");

const ROOT = path.resolve(__dirname, "..");
const WARMUP = 50;

const [workloadName, mode, nText] = process.argv.slice(2);
const workload = workloads[workloadName];
const n = Number(nText);
if (
    workload === undefined ||
    !["component", "hand", "verify", "provider"].includes(mode) ||
    !Number.isInteger(n) ||
    n < 1
) {
    console.error(
        `usage: node --stack-trace-limit=0 [--expose-gc] scripts/bench-worker.js <${Object.keys(workloads).join("|")}> <component|hand|verify|provider> <n>`,
    );
    process.exit(2);
}
process.on("unhandledRejection", (e) => {
    console.error(e);
    process.exit(1);
});

// ---- Mocks: the same for every mode; they count registrations and keep inputs only for `verify`.

let registrations = 0;
const recorded = mode === "verify" ? [] : undefined;
pulumi.runtime.setMocks(
    {
        newResource(args) {
            registrations++;
            if (recorded !== undefined) {
                recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
            }
            switch (args.type) {
                case "aws:iam/role:Role": {
                    const physical = `${args.name}-1a2b3c4`;
                    return {
                        id: `${args.name}-id`,
                        state: { ...args.inputs, name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` },
                    };
                }
                case "aws:lambda/function:Function":
                    return {
                        id: `${args.name}-id`,
                        state: { ...args.inputs, arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${args.name}` },
                    };
                case "aws:cloudwatch/logGroup:LogGroup": {
                    const group = args.inputs.name ?? `${args.inputs.namePrefix ?? ""}${args.name}`;
                    return {
                        id: `${args.name}-id`,
                        state: {
                            ...args.inputs,
                            name: group,
                            arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${group}`,
                        },
                    };
                }
                case "aws:secretsmanager/secret:Secret":
                    return {
                        id: `${args.name}-id`,
                        state: {
                            ...args.inputs,
                            arn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${args.name}-AbCdEf`,
                        },
                    };
                default:
                    return { id: `${args.name}-id`, state: args.inputs };
            }
        },
        call(args) {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        accountId: ACCOUNT,
                        arn: `arn:aws:iam::${ACCOUNT}:user/bench`,
                        userId: "AIDABENCH",
                        id: ACCOUNT,
                    };
                case "aws:index/getRegion:getRegion":
                    return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
                default:
                    return args.inputs;
            }
        },
    },
    "nhi",
    "bench",
    false,
);

const waitForRPCs = () => pulumi.runtime.waitForRPCs();

function mib(bytes) {
    return bytes / 1048576;
}

async function measure() {
    let declare;
    if (mode === "component") {
        const api = { nhi: require(ROOT) }; // package.json "main": bin/index.js
        const shared = workload.setup(api, "component");
        declare = (name, i) => workload.declareComponent(api, name, i, shared);
    } else {
        const text = process.env.NHI_BENCH_CONTEXT;
        if (!text) {
            console.error("bench-worker: `hand` needs NHI_BENCH_CONTEXT (JSON); run it through `npm run bench`.");
            process.exit(2);
        }
        const api = { aws: require("@pulumi/aws") };
        const shared = workload.setup(api, "hand");
        const context = JSON.parse(text);
        declare = (name, i) => workload.declareHand(api, name, i, context, shared);
    }

    // Warm-up: same shapes, other names and indices, drained before timing.
    for (let k = 0; k < WARMUP; k++) {
        declare(`warm-${k}`, 100_000 + k);
    }
    await waitForRPCs();
    if (global.gc) {
        global.gc();
    }
    const rssAfterWarmup = process.memoryUsage().rss;
    const before = registrations;

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
        declare(`svc-${i}`, i);
    }
    const declaredMs = performance.now() - t0;
    await waitForRPCs();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const resources = registrations - before;

    let heapUsed;
    if (global.gc) {
        global.gc();
        heapUsed = process.memoryUsage().heapUsed;
    }
    const maxRssKiB = process.resourceUsage().maxRSS;
    return {
        mode,
        n,
        warmup: WARMUP,
        wallMs,
        /** User + system CPU of the whole process (all threads, GC helpers included) over the same span. */
        cpuMs: (cpu.user + cpu.system) / 1000,
        declaredMs,
        resources,
        resourcesPerInstance: resources / n,
        maxRssMiB: maxRssKiB / 1024,
        rssAfterWarmupMiB: mib(rssAfterWarmup),
        heapUsedAfterGcMiB: heapUsed === undefined ? null : mib(heapUsed),
        stackTraceLimit: Error.stackTraceLimit,
    };
}

/** Declares n instances both ways and compares the inputs of every compared child. */
async function verify() {
    const component = { nhi: require(ROOT) };
    const hand = { aws: require("@pulumi/aws") };
    const context = workload.handContext(ROOT);
    const componentShared = workload.setup(component, "component");
    const handShared = workload.setup(hand, "hand");
    for (let i = 0; i < n; i++) {
        workload.declareComponent(component, `c-${i}`, i, componentShared);
        workload.declareHand(hand, `h-${i}`, i, context, handShared);
    }
    await waitForRPCs();
    const canonical = (v) =>
        JSON.stringify(v, (_, x) =>
            x && typeof x === "object" && !Array.isArray(x)
                ? Object.fromEntries(
                      Object.keys(x)
                          .sort()
                          .map((k) => [k, x[k]]),
                  )
                : x,
        );
    const byName = new Map(recorded.map((r) => [`${r.type} ${r.name}`, r]));
    const mismatches = [];
    let compared = 0;
    for (let i = 0; i < n; i++) {
        for (const [type, suffix] of workload.compared) {
            const c = byName.get(`${type} c-${i}${suffix}`);
            const h = byName.get(`${type} h-${i}${suffix}`);
            if (c === undefined || h === undefined) {
                mismatches.push({
                    i,
                    type,
                    problem: `missing ${c === undefined ? "component" : "hand-written"} resource`,
                });
                continue;
            }
            const norm = (r, prefix) => canonical(workload.normalise ? workload.normalise(r.inputs, prefix) : r.inputs);
            const a = norm(c, `c-${i}-`);
            const b = norm(h, `h-${i}-`);
            compared++;
            if (a !== b) {
                mismatches.push({ i, type, component: a, hand: b });
            }
        }
    }
    const perInstance = (prefix) => recorded.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`)).length;
    return {
        mode,
        n,
        compared,
        mismatches: mismatches.slice(0, 3),
        mismatchCount: mismatches.length,
        componentTypes: [...new Set(recorded.filter((r) => r.name.startsWith("c-0")).map((r) => r.type))],
        componentResourcesPerInstance: perInstance("c-0"),
        handResourcesPerInstance: perInstance("h-0"),
        context,
    };
}

/** The peak resident set of process `pid`, in MiB: `VmHWM` (Linux); null elsewhere. */
function peakRssMiB(pid) {
    try {
        const kib = /VmHWM:\s+(\d+) kB/.exec(require("fs").readFileSync(`/proc/${pid}/status`, "utf8"));
        return kib ? Number(kib[1]) / 1024 : null;
    } catch {
        return null;
    }
}

/** Constructs n instances through the provider over gRPC; this process plays the engine. */
async function measureProvider() {
    const engine = require(path.join(ROOT, "bin", "provider", "fake-engine.js"));
    const fake = await engine.startFakeEngine(pulumi.runtime.getMonitor(), false);
    const provider = await engine.startProvider(
        process.execPath,
        ["--stack-trace-limit=0", path.join(ROOT, "provider")],
        fake.engineAddress,
        { cwd: ROOT },
    );
    const constructAll = (names) =>
        Promise.all(
            names.map(([name, i]) =>
                engine.construct(provider.client, {
                    type: workload.token,
                    name,
                    inputs: workload.args(i),
                    monitorAddress: fake.monitorAddress,
                    project: "nhi",
                    stack: "bench",
                }),
            ),
        );
    try {
        await constructAll(Array.from({ length: WARMUP }, (_, k) => [`warm-${k}`, 100_000 + k]));
        await waitForRPCs();
        const rssAfterWarmup = process.memoryUsage().rss;
        const providerRssAfterWarmup = peakRssMiB(provider.child.pid);
        const before = registrations;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await constructAll(Array.from({ length: n }, (_, i) => [`svc-${i}`, i]));
        await waitForRPCs();
        const wallMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const resources = registrations - before;
        return {
            mode,
            n,
            warmup: WARMUP,
            wallMs,
            /** CPU of this process (the fake engine) only: the provider's is its own process's. */
            cpuMs: (cpu.user + cpu.system) / 1000,
            declaredMs: wallMs,
            resources,
            resourcesPerInstance: resources / n,
            maxRssMiB: process.resourceUsage().maxRSS / 1024,
            rssAfterWarmupMiB: mib(rssAfterWarmup),
            providerMaxRssMiB: peakRssMiB(provider.child.pid),
            providerRssAfterWarmupMiB: providerRssAfterWarmup,
            heapUsedAfterGcMiB: null,
            stackTraceLimit: Error.stackTraceLimit,
        };
    } finally {
        provider.stop();
        await fake.stop();
    }
}

(mode === "verify" ? verify() : mode === "provider" ? measureProvider() : measure()).then(
    (result) => {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        process.exit(0);
    },
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
