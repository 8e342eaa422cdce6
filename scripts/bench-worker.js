"use strict";
/**
 * One measurement of `npm run bench`, in a fresh process. Run by scripts/bench.js as
 *
 *   node --stack-trace-limit=0 --expose-gc scripts/bench-worker.js <mode> <n>
 *
 * Modes:
 *   component  declares <n> `aws.ServiceIdentity` (compiled package, bin/)
 *   hand       declares the same <n> roles and inline policies by hand: `aws.iam.Role` +
 *              `aws.iam.RolePolicy` with literal documents passed to JSON.stringify. Never loads
 *              the package, so it pays neither for validation nor for the IAM catalogue.
 *              The S3 read actions it writes out come from NHI_BENCH_S3_READ_ACTIONS (a JSON
 *              array the driver takes from `verify`), the list a user would have copied into code.
 *   verify     declares <n> identities both ways in one process and checks that every role and
 *              policy gets byte-identical inputs; prints the S3 read action list for `hand`.
 *
 * Both measuring modes first declare WARMUP identities (same shapes, other names) and drain them,
 * so that module loading, JIT compilation and (for the component) the lazy catalogue load are
 * out of the timed part. Time is from before the first timed declaration until every RPC has
 * drained. Peak memory is `process.resourceUsage().maxRSS` at the end of the process (so it
 * includes module loading and the warm-up, equally for both modes).
 *
 * Prints one JSON line on stdout.
 */
const path = require("path");
const { performance } = require("perf_hooks");
const pulumi = require("@pulumi/pulumi");

const ROOT = path.resolve(__dirname, "..");
const ACCOUNT = "123456789012";
const WARMUP = 50;
/** A year ahead, at midnight UTC: the same text in every worker of one run. */
const EXPIRES_AT = `${new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`;

const [mode, nText] = process.argv.slice(2);
const n = Number(nText);
if (!["component", "hand", "verify"].includes(mode) || !Number.isInteger(n) || n < 1) {
    console.error("usage: node --stack-trace-limit=0 [--expose-gc] scripts/bench-worker.js <component|hand|verify> <n>");
    process.exit(2);
}
process.on("unhandledRejection", (e) => {
    console.error(e);
    process.exit(1);
});

// ---- Mocks: the same for every mode; they count registrations and keep inputs only for `verify`.

let registrations = 0;
const recorded = mode === "verify" ? [] : undefined;
pulumi.runtime.setMocks({
    newResource(args) {
        registrations++;
        if (recorded !== undefined) {
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
        }
        if (args.type === "aws:iam/role:Role") {
            const physical = `${args.name}-1a2b3c4`;
            return { id: `${args.name}-id`, state: { ...args.inputs, name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` } };
        }
        return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
        return args.inputs;
    },
}, "nhi", "bench", false);

const waitForRPCs = () => pulumi.runtime.waitForRPCs();

// ---- The workload: identity i, varied by i.

function owner(i) {
    return `team-${i % 20}`;
}
function purpose(i) {
    return `Reads bucket-${i % 50} objects for queue-${i} consumer`;
}
function bucketArn(i) {
    return `arn:aws:s3:::bucket-${i % 50}/prefix-${i}/*`;
}
function queueArn(i) {
    return `arn:aws:sqs:us-east-1:${ACCOUNT}:queue-${i}`;
}

/** The component's arguments for identity i, written as a user would. */
function componentArgs(i) {
    return {
        owner: owner(i),
        purpose: purpose(i),
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [
            { service: "s3", access: "read", resources: [bucketArn(i)] },
            { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], resources: [queueArn(i)] },
        ],
        expiresAt: EXPIRES_AT,
    };
}

function declareComponent(aws, name, i) {
    new aws.ServiceIdentity(name, componentArgs(i));
}

/**
 * The same role and policy written by hand: literal documents, no checks. `s3Read` is the list of
 * S3 read actions a user would have copied into the code.
 */
function declareHand(awsSdk, s3Read, name, i) {
    const o = owner(i);
    const p = purpose(i);
    const role = new awsSdk.iam.Role(`${name}-role`, {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { DateLessThan: { "aws:CurrentTime": EXPIRES_AT } },
            }],
        }),
        description: `${p} (owner: ${o})`,
        tags: { "nhi:managed-by": "pulumi-nhi", "nhi:owner": o, "nhi:purpose": p, "nhi:expires-at": EXPIRES_AT },
    });
    new awsSdk.iam.RolePolicy(`${name}-policy`, {
        role: role.id,
        policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: s3Read,
                    Resource: [bucketArn(i)],
                    Condition: { DateLessThan: { "aws:CurrentTime": EXPIRES_AT } },
                },
                {
                    Effect: "Allow",
                    Action: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                    Resource: [queueArn(i)],
                    Condition: { DateLessThan: { "aws:CurrentTime": EXPIRES_AT } },
                },
            ],
        }),
    });
}

function s3ReadFromEnv() {
    const text = process.env.NHI_BENCH_S3_READ_ACTIONS;
    if (!text) {
        console.error("bench-worker: `hand` needs NHI_BENCH_S3_READ_ACTIONS (a JSON array); run it through `npm run bench`.");
        process.exit(2);
    }
    return JSON.parse(text);
}

/** The S3 read actions the package grants on an object ARN, from its pure planning function (internal: not exported by the entry). */
function s3ReadFromPlan() {
    const { planAwsServiceIdentity } = require(path.join(ROOT, "bin", "aws", "service-identity.js"));
    const plan = planAwsServiceIdentity("probe", componentArgs(0));
    const statement = plan.policies.layout.inline.find((s) => s.resources.some((r) => r.startsWith("arn:aws:s3:::")));
    return [...statement.actions];
}

function mib(bytes) {
    return bytes / 1048576;
}

async function measure() {
    let declare;
    if (mode === "component") {
        const nhi = require(ROOT); // package.json "main": bin/index.js
        declare = (name, i) => declareComponent(nhi.aws, name, i);
    } else {
        const awsSdk = require("@pulumi/aws");
        const s3Read = s3ReadFromEnv();
        declare = (name, i) => declareHand(awsSdk, s3Read, name, i);
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
        resourcesPerIdentity: resources / n,
        maxRssMiB: maxRssKiB / 1024,
        rssAfterWarmupMiB: mib(rssAfterWarmup),
        heapUsedAfterGcMiB: heapUsed === undefined ? null : mib(heapUsed),
        stackTraceLimit: Error.stackTraceLimit,
    };
}

/** Declares n identities both ways and compares every role's and policy's inputs. */
async function verify() {
    const nhi = require(ROOT);
    const awsSdk = require("@pulumi/aws");
    const s3Read = s3ReadFromPlan();
    for (let i = 0; i < n; i++) {
        declareComponent(nhi.aws, `c-${i}`, i);
        declareHand(awsSdk, s3Read, `h-${i}`, i);
    }
    await waitForRPCs();
    const canonical = (v) => JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
    const byName = new Map(recorded.map((r) => [`${r.type} ${r.name}`, r]));
    const mismatches = [];
    let compared = 0;
    for (let i = 0; i < n; i++) {
        for (const [type, suffix] of [["aws:iam/role:Role", "-role"], ["aws:iam/rolePolicy:RolePolicy", "-policy"]]) {
            const c = byName.get(`${type} c-${i}${suffix}`);
            const h = byName.get(`${type} h-${i}${suffix}`);
            if (c === undefined || h === undefined) {
                mismatches.push({ i, type, problem: `missing ${c === undefined ? "component" : "hand-written"} resource` });
                continue;
            }
            // The policies' `role` differs only by the resource name; compare it as a reference.
            const norm = (r, prefix) => canonical({ ...r.inputs, ...(r.inputs.role !== undefined ? { role: r.inputs.role.replace(prefix, "<x>-") } : {}) });
            const a = norm(c, `c-${i}-`);
            const b = norm(h, `h-${i}-`);
            compared++;
            if (a !== b) {
                mismatches.push({ i, type, component: a, hand: b });
            }
        }
    }
    const perIdentity = (prefix) => recorded.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`)).length;
    return {
        mode,
        n,
        compared,
        mismatches: mismatches.slice(0, 3),
        mismatchCount: mismatches.length,
        componentTypes: [...new Set(recorded.filter((r) => r.name.startsWith("c-0")).map((r) => r.type))],
        componentResourcesPerIdentity: perIdentity("c-0"),
        handResourcesPerIdentity: perIdentity("h-0"),
        s3ReadActions: s3Read,
        expiresAt: EXPIRES_AT,
    };
}

(mode === "verify" ? verify() : measure()).then((result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
}, (e) => {
    console.error(e);
    process.exit(1);
});
