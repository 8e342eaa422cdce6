import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    ARTIFACTS_PREFIX,
    DEFAULT_FUNCTION_ARN,
    DEPLOYER_EXPIRES_AT,
    INCOMING_PREFIX,
    Quickstart,
    WORKER_EXPIRES_AT,
    quickstart,
} from "../../examples/quickstart/program";
import { runDemo } from "../../scripts/demo";
import { PolicyDocument } from "../../components/aws/policy";
import { Registered, capture, ofType, valueOf } from "../support/mock-graph";

/** Every (action, resource) pair the documents allow, as `action resource`. */
function pairs(documents: readonly PolicyDocument[]): string[] {
    const out: string[] = [];
    for (const doc of documents) {
        for (const s of doc.Statement) {
            assert.strictEqual(s.Effect, "Allow");
            for (const a of [s.Action].flat()) {
                for (const r of s.Resource ?? []) {
                    out.push(`${a} ${r}`);
                }
            }
        }
    }
    return out.sort();
}

async function documents(identity: Quickstart["worker"]): Promise<PolicyDocument[]> {
    return (await valueOf(identity.policyDocuments)).map((d) => JSON.parse(d) as PolicyDocument);
}

describe("examples/quickstart", () => {
    let qs: Quickstart;
    let resources: Registered[];
    let bucketArn: string;
    let queueArn: string;
    let artifactsArn: string;
    let providerArn: string;

    before(async () => {
        ({ value: qs, resources } = await capture(quickstart));
        [bucketArn, queueArn, artifactsArn, providerArn] = await Promise.all([
            valueOf(qs.bucket.arn),
            valueOf(qs.queue.arn),
            valueOf(qs.artifacts.arn),
            valueOf(qs.githubOidc.arn),
        ]);
    });

    it("creates exactly the workload resources and two identities of one role and one inline policy each", () => {
        const created = resources.map((r) => `${r.type} ${r.name}`).sort();
        assert.deepStrictEqual(created, [
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider github-actions",
            "aws:iam/role:Role invoice-worker-role",
            "aws:iam/role:Role payments-deployer-role",
            "aws:iam/rolePolicy:RolePolicy invoice-worker-policy",
            "aws:iam/rolePolicy:RolePolicy payments-deployer-policy",
            "aws:s3/bucket:Bucket build-artifacts",
            "aws:s3/bucket:Bucket invoices",
            "aws:sqs/queue:Queue invoice-events",
            "nhi:index:AwsServiceIdentity invoice-worker",
            "nhi:index:AwsServiceIdentity payments-deployer",
        ]);
    });

    it("declares the GitHub OIDC provider with the STS audience", () => {
        const [provider] = ofType(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        assert.strictEqual(provider.inputs.url, "https://token.actions.githubusercontent.com");
        assert.deepStrictEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    });

    it("lets the worker read objects under incoming/ only, never the whole bucket", async () => {
        const granted = pairs(await documents(qs.worker));
        const prefix = `${bucketArn}/${INCOMING_PREFIX}*`;
        assert.ok(granted.includes(`s3:GetObject ${prefix}`), `expected s3:GetObject on ${prefix}; got\n${granted.join("\n")}`);
        const s3 = granted.filter((p) => p.startsWith("s3:"));
        assert.ok(s3.length > 0);
        for (const p of s3) {
            assert.strictEqual(p.split(" ")[1], prefix, `an S3 permission outside incoming/: ${p}`);
            assert.match(p.split(" ")[0], /^s3:GetObject/, `a non-read S3 action: ${p}`);
        }
        assert.ok(!granted.some((p) => p.endsWith(` ${bucketArn}`) || p.endsWith(` ${bucketArn}/*`)), "no permission on the whole bucket");
        assert.ok(!granted.some((p) => p.includes(artifactsArn)), "no permission on the artifacts bucket");
    });

    it("lets the worker consume the one queue with exactly the four consumer actions", async () => {
        const sqs = pairs(await documents(qs.worker)).filter((p) => p.startsWith("sqs:"));
        assert.deepStrictEqual(sqs, [
            `sqs:ChangeMessageVisibility ${queueArn}`,
            `sqs:DeleteMessage ${queueArn}`,
            `sqs:GetQueueAttributes ${queueArn}`,
            `sqs:ReceiveMessage ${queueArn}`,
        ]);
    });

    it("trusts only Lambda for the worker", async () => {
        const trust = JSON.parse(await valueOf(qs.worker.trustPolicy)) as PolicyDocument;
        assert.strictEqual(trust.Statement.length, 1);
        assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "lambda.amazonaws.com" });
        assert.strictEqual(trust.Statement[0].Action, "sts:AssumeRole");
    });

    it("trusts only production-environment jobs of acme/payments-service for the deployer", async () => {
        const trust = JSON.parse(await valueOf(qs.deployer.trustPolicy)) as PolicyDocument;
        assert.strictEqual(trust.Statement.length, 1);
        const [s] = trust.Statement;
        assert.deepStrictEqual(s.Principal, { Federated: providerArn });
        assert.strictEqual(s.Action, "sts:AssumeRoleWithWebIdentity");
        const equals = s.Condition!.StringEquals;
        assert.deepStrictEqual([equals["token.actions.githubusercontent.com:sub"]].flat(), ["repo:acme/payments-service:environment:production"]);
        assert.strictEqual(equals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
        assert.ok(!JSON.stringify(trust).includes("StringLike"), "no wildcard subject match");
    });

    it("grants the deployer exactly one function update and one artifacts prefix upload", async () => {
        assert.deepStrictEqual(pairs(await documents(qs.deployer)), [
            `lambda:UpdateFunctionCode ${DEFAULT_FUNCTION_ARN}`,
            `s3:PutObject ${artifactsArn}/${ARTIFACTS_PREFIX}*`,
        ]);
    });

    it("expires both identities in the trust policy, every identity statement and the tags", async () => {
        for (const [identity, expiresAt] of [[qs.worker, WORKER_EXPIRES_AT], [qs.deployer, DEPLOYER_EXPIRES_AT]] as const) {
            assert.strictEqual(await valueOf(identity.expiresAt), expiresAt);
            const trust = JSON.parse(await valueOf(identity.trustPolicy)) as PolicyDocument;
            for (const s of [...trust.Statement, ...(await documents(identity)).flatMap((d) => d.Statement)]) {
                assert.deepStrictEqual(s.Condition?.DateLessThan, { "aws:CurrentTime": expiresAt });
            }
        }
    });

    it("tags each role with its owner, purpose, manager and expiry", () => {
        const roles = new Map(ofType(resources, "aws:iam/role:Role").map((r) => [r.name, r.inputs.tags]));
        assert.deepStrictEqual(roles.get("invoice-worker-role"), {
            "nhi:owner": "team-payments",
            "nhi:purpose": "Lambda that parses uploaded invoices from the incoming queue",
            "nhi:managed-by": "pulumi-nhi",
            "nhi:expires-at": WORKER_EXPIRES_AT,
        });
        assert.deepStrictEqual(roles.get("payments-deployer-role"), {
            "nhi:owner": "team-payments",
            "nhi:purpose": "GitHub Actions deploys of acme/payments-service to production",
            "nhi:managed-by": "pulumi-nhi",
            "nhi:expires-at": DEPLOYER_EXPIRES_AT,
        });
    });
});

describe("npm run demo", () => {
    let outDir: string;

    before(() => {
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-demo-"));
    });

    after(() => {
        fs.rmSync(outDir, { recursive: true, force: true });
    });

    it("writes the trust policy and each identity policy of every identity, pretty-printed", async () => {
        // A stale file from an earlier run with more policies must not survive.
        fs.mkdirSync(path.join(outDir, "invoice-worker"), { recursive: true });
        fs.writeFileSync(path.join(outDir, "invoice-worker", "identity-policy-2.json"), "{}");

        const result = await runDemo(outDir);

        const written = fs.readdirSync(outDir, { recursive: true }).map(String).map((f) => f.split(path.sep).join("/")).filter((f) => f.endsWith(".json")).sort();
        assert.deepStrictEqual(written, [
            "invoice-worker/identity-policy-1.json",
            "invoice-worker/trust-policy.json",
            "payments-deployer/identity-policy-1.json",
            "payments-deployer/trust-policy.json",
        ]);
        const text = fs.readFileSync(path.join(outDir, "payments-deployer", "trust-policy.json"), "utf8");
        assert.ok(text.startsWith("{\n  \"Version\": \"2012-10-17\""), "pretty-printed");
        assert.ok(text.includes("repo:acme/payments-service:environment:production"));
        const policy = JSON.parse(fs.readFileSync(path.join(outDir, "invoice-worker", "identity-policy-1.json"), "utf8")) as PolicyDocument;
        assert.deepStrictEqual(policy, result.identities[0].identityPolicies[0]);
        assert.strictEqual(result.outDir, path.resolve(outDir));
    });

    it("reports owner, purpose, trust, permissions per resource, expiry and resources of each identity", async () => {
        const { identities, text } = await runDemo(outDir);
        assert.deepStrictEqual(identities.map((i) => i.name), ["invoice-worker", "payments-deployer"]);
        const [worker, deployer] = identities;
        assert.strictEqual(worker.owner, "team-payments");
        assert.strictEqual(worker.expiresAt, WORKER_EXPIRES_AT);
        assert.deepStrictEqual(worker.resources, [
            { type: "nhi:index:AwsServiceIdentity", name: "invoice-worker" },
            { type: "aws:iam/role:Role", name: "invoice-worker-role" },
            { type: "aws:iam/rolePolicy:RolePolicy", name: "invoice-worker-policy" },
        ]);
        const s3 = worker.permissions.find((p) => p.resource.endsWith("/incoming/*"));
        assert.ok(s3?.actions.includes("s3:GetObject"));
        assert.deepStrictEqual(deployer.permissions.map((p) => [p.resource, p.actions]), [
            [DEFAULT_FUNCTION_ARN, ["lambda:UpdateFunctionCode"]],
            ["arn:aws:s3:::build-artifacts-1a2b3c4/payments-service/*", ["s3:PutObject"]],
        ]);
        for (const expected of [
            "== invoice-worker ",
            "== payments-deployer ",
            "the AWS service lambda.amazonaws.com (sts:AssumeRole)",
            "token.actions.githubusercontent.com:sub = repo:acme/payments-service:environment:production",
            `Expires     ${WORKER_EXPIRES_AT}`,
            "Owner       team-payments",
        ]) {
            assert.ok(text.includes(expected), `the report lacks ${JSON.stringify(expected)}:\n${text}`);
        }
    });

    it("prints the same report on every run", async () => {
        const first = await runDemo(outDir);
        const second = await runDemo(outDir);
        assert.strictEqual(second.text, first.text);
    });
});
