import * as assert from "assert";
import { spawn } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as awsSdk from "@pulumi/aws";
import * as gcpSdk from "@pulumi/gcp";
import { aws, gcp } from "../../components";
import { deployTimeGuard } from "../../components/core/deferred";
import { DeployTimeError } from "../../components/core/errors";
import { declareInProcess, recordErrorLogs } from "../support/deploy-time";
import { capture, installMocks, ofType, valueOf } from "../support/mock-graph";

// What a user sees when a value known only at deploy time fails its check: the exact messages.
const S3_REASON =
    "`grants[0].resources[0]` is not a resource of any action of `grants[0]`: `arn:aws:s3:::data-1a2b3c4`; `s3:GetObject` applies to accesspointobject (`arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}`), object (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`). Did you mean `arn:aws:s3:::data-1a2b3c4/*`?";
const DYNAMODB_REASON =
    "`grants[1].resources[0]` is not the ARN of any `dynamodb` resource type: `arn:aws:s3:::data-1a2b3c4`. `dynamodb` resources look like `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}` or `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}`.";
const TWO_BAD_ARNS = `AwsServiceIdentity "worker" has 2 invalid arguments:
  - grants[0].resources[0]: ${S3_REASON}
  - grants[1].resources[0]: ${DYNAMODB_REASON}`;
const OIDC_PROVIDER = `AwsServiceIdentity "deployer" has 1 invalid argument:
  - trust.githubActions.oidcProviderArn: \`trust.githubActions.oidcProviderArn\` must be the ARN of an IAM OIDC provider, \`arn:aws:iam::<account>:oidc-provider/<host>\`; got \`arn:aws:s3:::data-1a2b3c4\`.`;
const POOL = `GcpServiceIdentity "deployer" has 1 invalid argument:
  - trust.githubActions.workloadIdentityPool: \`trust.githubActions.workloadIdentityPool\` must be the full name of a Workload Identity pool, \`projects/<project number>/locations/global/workloadIdentityPools/<pool id>\`; got \`arn:aws:s3:::data-1a2b3c4\`.`;

/** Runs test/fixtures/deploy-time-failure.ts with `kind` as a plain program under the mocks. */
function runProgram(kind: string): Promise<{ code: number | null; output: string }> {
    const root = path.resolve(__dirname, "../..");
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "test/fixtures/deploy-time-failure.ts", kind],
            { cwd: root, env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "" } },
        );
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, output }));
    });
}

const lambda = { service: { principal: "lambda.amazonaws.com" } };

describe("a check that fails at deploy time", function () {
    this.timeout(120_000);

    describe("in a program run by node, as a user runs it", () => {
        let runs: Record<string, { code: number | null; output: string }>;
        before(async () => {
            // Two programs (each takes seconds to start): the AWS grants and the Google trust. The AWS
            // trust goes the same way, and is tested in process below.
            const kinds = ["two-bad-arns", "pool"];
            const results = await Promise.all(kinds.map(runProgram));
            runs = Object.fromEntries(kinds.map((k, i) => [k, results[i]]));
        });

        for (const [kind, message] of [
            ["two-bad-arns", TWO_BAD_ARNS],
            ["pool", POOL],
        ] as const) {
            it(`fails the run with every problem, by property path (${kind})`, () => {
                // GIVEN a program whose identity has values, known only at deploy time, that are wrong
                // WHEN it runs
                const { code, output } = runs[kind];
                // THEN it exits non-zero, logs the message against the component, and fails with it
                assert.strictEqual(code, 1, output);
                assert.ok(output.includes(`error: [runtime] ${message}\n`), output);
                assert.ok(output.includes(`[DeployTimeError: ${message}]`), output);
                // AND no stack trace into this package, no report of promises "still active"
                assert.ok(!/^\s+at /m.test(output), output);
                assert.ok(!output.includes("promises were still active"), output);
                assert.ok(!output.includes("error serializing property"), output);
            });
        }
    });

    describe("under a runner that swallows unhandled rejections", () => {
        it("logs every problem of the grants against the component, and registers no policy", async () => {
            // GIVEN two grants whose ARN, known only at deploy time, fits neither of them
            const { value, resources, logged, rejections } = await declareInProcess(() => {
                const bucket = new awsSdk.s3.Bucket("data", {});
                return new aws.ServiceIdentity("worker", {
                    owner: "team-data",
                    purpose: "reads objects and a table",
                    trust: lambda,
                    grants: [
                        { actions: ["s3:GetObject"], resources: [bucket.arn] },
                        { service: "dynamodb", access: "read", resources: [bucket.arn] },
                    ],
                });
            });
            // THEN one error is logged, on the component, listing both problems
            assert.deepStrictEqual(
                logged.map((l) => l.message),
                [TWO_BAD_ARNS],
            );
            assert.strictEqual(logged[0].resource, value);
            // AND the run fails with that same error, not a leak report or a serialization message
            assert.ok(rejections.length > 0);
            for (const r of rejections) {
                assert.ok(r instanceof DeployTimeError, String(r));
                // (a RunError: Pulumi's program runner reports its message alone, without a stack)
                assert.ok(pulumi.RunError.isInstance(r));
                assert.strictEqual(r.message, TWO_BAD_ARNS);
                assert.deepStrictEqual(
                    r.errors.map((e) => e.propertyPath),
                    ["grants[0].resources[0]", "grants[1].resources[0]"],
                );
            }
            // AND the role is registered (its trust is fine), its policy is not
            assert.strictEqual(ofType(resources, "aws:iam/role:Role").length, 1);
            assert.deepStrictEqual(ofType(resources, "aws:iam/rolePolicy:RolePolicy"), []);
        });

        it("logs a bad trust value against the component, and registers no role", async () => {
            // GIVEN a GitHub trust whose OIDC provider ARN resolves to a bucket's ARN
            const { value, resources, logged } = await declareInProcess(() => {
                const bucket = new awsSdk.s3.Bucket("data", {});
                return new aws.ServiceIdentity("deployer", {
                    owner: "team-platform",
                    purpose: "deploys from GitHub",
                    trust: {
                        githubActions: { oidcProviderArn: bucket.arn, repository: "acme/app", environment: "prod" },
                    },
                    grants: [],
                });
            });
            // THEN the message is logged on the component, and no role exists
            assert.deepStrictEqual(logged, [{ message: OIDC_PROVIDER, resource: value }]);
            assert.deepStrictEqual(ofType(resources, "aws:iam/role:Role"), []);
        });

        it("logs a bad Workload Identity pool against the Google component, and adds no provider to it", async () => {
            // GIVEN a GitHub trust whose pool resolves to something that is not a pool's full name
            const { value, resources, logged } = await declareInProcess(() => {
                const bucket = new awsSdk.s3.Bucket("data", {});
                const site = new gcpSdk.storage.Bucket("site", { location: "EU" });
                return new gcp.ServiceIdentity("deployer", {
                    project: "acme-prod",
                    owner: "team-platform",
                    purpose: "deploys from GitHub",
                    trust: {
                        githubActions: {
                            repository: "acme/app",
                            environment: "prod",
                            workloadIdentityPool: bucket.arn,
                        },
                    },
                    grants: [{ role: "roles/storage.objectAdmin", resource: { bucket: site.name } }],
                });
            });
            // THEN the message is logged on the component, and neither provider nor binding exists
            assert.deepStrictEqual(logged, [{ message: POOL, resource: value }]);
            assert.deepStrictEqual(
                ofType(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"),
                [],
            );
            assert.deepStrictEqual(ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember"), []);
            // AND no value known only at deploy time is bound before the checks pass: not the bucket
            assert.deepStrictEqual(ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember"), []);
        });
    });

    describe("when every check passes", () => {
        it("registers the role without waiting for a grant's resource, which may name the role", async function () {
            this.timeout(20_000);
            // GIVEN a trust known only at deploy time, and a grant on a bucket whose policy names the
            // role: the bucket's ARN exists only once the role does
            let giveArn!: (arn: string) => void;
            const objects = pulumi.output(new Promise<string>((resolve) => (giveArn = resolve)));
            const { resources } = await capture(() => {
                const github = new awsSdk.iam.OpenIdConnectProvider("github", {
                    url: "https://token.actions.githubusercontent.com",
                    clientIdLists: ["sts.amazonaws.com"],
                });
                const identity = new aws.ServiceIdentity("reader", {
                    owner: "team-data",
                    purpose: "reads the bucket that trusts it",
                    trust: {
                        githubActions: { oidcProviderArn: github.arn, repository: "acme/app", environment: "prod" },
                    },
                    grants: [{ actions: ["s3:GetObject"], resources: [objects] }],
                });
                const bucket = new awsSdk.s3.Bucket("trusting", {
                    policy: identity.roleArn.apply((arn) =>
                        JSON.stringify({ Statement: [{ Principal: { AWS: arn } }] }),
                    ),
                });
                bucket.arn.apply((arn) => giveArn(`${arn}/*`));
            });
            // THEN everything registers: the role, then the bucket, then the role's policy
            assert.deepStrictEqual(
                resources
                    .map((r) => r.type)
                    .filter(
                        (t) =>
                            t !== "aws:iam/openIdConnectProvider:OpenIdConnectProvider" &&
                            t !== "nhi:aws:ServiceIdentity",
                    ),
                ["aws:iam/role:Role", "aws:s3/bucket:Bucket", "aws:iam/rolePolicy:RolePolicy"],
            );
        });
    });

    describe("deployTimeGuard", () => {
        const check = {
            path: "arn",
            value: pulumi.output("arn:aws:s3:::b"),
            problem: (v: string) => (v.endsWith("/*") ? undefined : `\`arn\` must end with \`/*\`; got \`${v}\`.`),
        };

        it("guards a value wrapped after it was checked: checks are not matched to values", async () => {
            // GIVEN a failing check, and the value it checked wrapped in another Output
            installMocks();
            const { logged, restore } = recordErrorLogs();
            try {
                const guard = deployTimeGuard('Thing "t"', undefined, [check]);
                const wrapped = check.value.apply((v) => v.toUpperCase());
                // THEN the wrapped value is refused with the check's message
                const message =
                    'Thing "t" has 1 invalid argument:\n  - arn: `arn` must end with `/*`; got `arn:aws:s3:::b`.';
                await assert.rejects(valueOf(pulumi.output(guard(wrapped))), { message });
                // AND so is the value itself through another guard, each verdict logged once
                await assert.rejects(
                    valueOf(pulumi.output(deployTimeGuard('Thing "t"', undefined, [check])(check.value))),
                    { message },
                );
                assert.deepStrictEqual(
                    logged.map((l) => l.message),
                    [message, message],
                );
            } finally {
                restore();
            }
        });

        it("passes values through unchanged when every check passes, and returns them as given without checks", async () => {
            installMocks();
            const fine = { ...check, value: pulumi.output("arn:aws:s3:::b/*") };
            assert.strictEqual(await valueOf(pulumi.output(deployTimeGuard('Thing "t"', undefined, [fine])("x"))), "x");
            assert.strictEqual(deployTimeGuard('Thing "t"', undefined, [])("x"), "x");
        });
    });
});
