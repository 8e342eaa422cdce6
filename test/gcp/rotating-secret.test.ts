import * as assert from "assert";
import { run } from "@bufbuild/cel";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { permissionNames } from "../../components/gcp/catalog";
import { DEFAULT_FIRST_ROTATION_MINUTES, planGcpRotatingSecret } from "../../components/gcp/rotating-secret";
import { SECRET_ROTATION_PERMISSIONS, rotatorCondition } from "../../components/gcp/secret-rotator";
import fc from "fast-check";
import { createRotationHandler, rotationPolicy } from "../../components/runtime/gcp/rotate-secret";
import { SecretManagerClientLike, secretManagerStore } from "../../components/runtime/gcp/secret-store";
import { capture, MOCK_PROJECT_NUMBER, ofType, Registered, valueOf } from "../../components/testing";
import { declareInProcess } from "../support/deploy-time";

const TYPE = "nhi:gcp:RotatingSecret";
const ROTATOR = "nhi:gcp:SecretRotator";
const BASE = {
    project: "acme-prod",
    owner: "team-payments",
    purpose: "Signs webhooks between billing and ledger",
    rotateEveryDays: 30,
};

function types(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name}`).sort();
}

/** Declares under the mocks, recording the options each child was registered with (a transformation sees them). */
async function declare<T>(build: (record: pulumi.ResourceTransformation) => T) {
    const options = new Map<string, pulumi.CustomResourceOptions>();
    const record: pulumi.ResourceTransformation = (a) => {
        options.set(`${a.type} ${a.name}`, a.opts);
        return undefined;
    };
    const { value, resources } = await capture(() => build(record));
    return { value, resources, options };
}

/** Every string anywhere in `value`. */
function strings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
    return [];
}

describe("gcp.RotatingSecret with its own rotation function (the default)", () => {
    it("declares the secret, its schedule, its topic, its function and its readers; no value anywhere", async () => {
        // GIVEN a webhook signing secret read by two identities, rotated monthly by its own function
        const before = Date.now();
        const {
            value: secret,
            resources,
            options,
        } = await declare((record) => {
            const billing = new gcp.ServiceIdentity("billing-api", {
                project: "acme-prod",
                owner: "team-billing",
                purpose: "Billing API",
                grants: [],
            });
            return new gcp.RotatingSecret(
                "webhook-signing",
                {
                    ...BASE,
                    region: "europe-west1",
                    value: { length: 64, format: "hex" },
                    readers: [billing, "serviceAccount:ledger@acme-prod.iam.gserviceaccount.com"],
                    labels: { team: "payments" },
                },
                { transformations: [record] },
            );
        });
        const after = Date.now();
        const mine = resources.filter((r) => !r.name.startsWith("billing-api"));
        // THEN the secret, the topic, the readers' binding and the function's resources (16, as the README says), and nothing else
        assert.deepStrictEqual(types(mine), [
            "gcp:cloudfunctionsv2/function:Function webhook-signing-rotation",
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember webhook-signing-rotation-invoker",
            "gcp:projects/iAMCustomRole:IAMCustomRole webhook-signing-rotation-runtime-secret-1-custom",
            "gcp:projects/serviceIdentity:ServiceIdentity webhook-signing-rotation-secretmanager-agent",
            "gcp:pubsub/topic:Topic webhook-signing-topic",
            "gcp:pubsub/topicIAMMember:TopicIAMMember webhook-signing-rotation-publisher",
            "gcp:secretmanager/secret:Secret webhook-signing-secret",
            "gcp:secretmanager/secretIamBinding:SecretIamBinding webhook-signing-readers",
            "gcp:secretmanager/secretIamMember:SecretIamMember webhook-signing-rotation-runtime-secret-1-custom",
            "gcp:serviceaccount/account:Account webhook-signing-rotation-runtime-sa",
            "gcp:serviceaccount/account:Account webhook-signing-rotation-trigger-sa",
            "gcp:storage/bucket:Bucket webhook-signing-rotation-source",
            "gcp:storage/bucketObject:BucketObject webhook-signing-rotation-source",
            `${TYPE} webhook-signing`,
            "nhi:gcp:ServiceIdentity webhook-signing-rotation-runtime",
            "nhi:gcp:ServiceIdentity webhook-signing-rotation-trigger",
        ]);
        for (const name of [
            "webhook-signing-secret",
            "webhook-signing-topic",
            "webhook-signing-readers",
            "webhook-signing-rotation",
            "webhook-signing-rotation-runtime",
        ]) {
            assert.strictEqual(mine.find((r) => r.name === name)!.parentType, TYPE, name);
        }
        // AND no secret version, no random value, no service account key anywhere
        for (const r of resources) {
            assert.ok(!/secretVersion|random:|serviceaccount\/key:/.test(r.type), r.type);
            assert.ok(!("secretData" in r.inputs), r.name);
        }
        // AND the secret: Google's schedule (30 days, first notice ten minutes after its function is ready), the topic,
        // the labels the function reads, the ownership record, no deletion without first lifting the protection
        const s = ofType(resources, "gcp:secretmanager/secret:Secret")[0].inputs;
        const next = Date.parse(s.rotation.nextRotationTime);
        assert.ok(
            next >= before + DEFAULT_FIRST_ROTATION_MINUTES * 60_000 &&
                next <= after + DEFAULT_FIRST_ROTATION_MINUTES * 60_000,
            s.rotation.nextRotationTime,
        );
        const topic = ofType(resources, "gcp:pubsub/topic:Topic")[0];
        assert.deepStrictEqual(s, {
            project: "acme-prod",
            secretId: "webhook-signing",
            replication: { auto: {} },
            labels: {
                team: "payments",
                "nhi-value-format": "hex",
                "nhi-value-length": "64",
                "nhi-rotate-every-days": "30",
            },
            annotations: {
                "nhi-ownership":
                    '{"owner":"team-payments","purpose":"Signs webhooks between billing and ledger","managedBy":"pulumi-nhi"}',
            },
            topics: [{ name: `projects/acme-prod/topics/${topic.name}-1a2b3c4` }],
            rotation: { rotationPeriod: "2592000s", nextRotationTime: s.rotation.nextRotationTime },
            deletionProtection: true,
        });
        assert.deepStrictEqual(gcp.parseOwnershipRecord(s.annotations["nhi-ownership"]), {
            owner: "team-payments",
            purpose: "Signs webhooks between billing and ledger",
        });
        // AND Pulumi leaves nextRotationTime alone after creation (Secret Manager advances it), and the secret waits for
        // the topic's publisher binding and the function
        const secretOpts = options.get("gcp:secretmanager/secret:Secret webhook-signing-secret")!;
        assert.deepStrictEqual(secretOpts.ignoreChanges, ["rotation.nextRotationTime"]);
        const waits = (
            (await valueOf(pulumi.output(secretOpts.dependsOn as pulumi.Input<pulumi.Resource[]>))) as pulumi.Resource[]
        ).map((r) => (r as any).__pulumiType);
        assert.deepStrictEqual(waits, [
            "gcp:pubsub/topicIAMMember:TopicIAMMember",
            "gcp:cloudfunctionsv2/function:Function",
        ]);
        // AND exactly the two readers get secretAccessor, on this secret only
        assert.deepStrictEqual(ofType(resources, "gcp:secretmanager/secretIamBinding:SecretIamBinding")[0].inputs, {
            project: "acme-prod",
            secretId: "webhook-signing",
            role: "roles/secretmanager.secretAccessor",
            members: [
                "serviceAccount:billing-api@acme-prod.iam.gserviceaccount.com",
                "serviceAccount:ledger@acme-prod.iam.gserviceaccount.com",
            ],
        });
        // AND the function's identity holds exactly the function's calls, on this secret only
        assert.deepStrictEqual(ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole")[0].inputs.permissions, [
            ...SECRET_ROTATION_PERMISSIONS,
        ]);
        const binding = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember")[0].inputs;
        assert.deepStrictEqual(
            [binding.project, binding.secretId, binding.member],
            ["acme-prod", "webhook-signing", "serviceAccount:webhook-signing-rot@acme-prod.iam.gserviceaccount.com"],
        );
        // AND the component's outputs
        assert.strictEqual(await valueOf(secret.name), `projects/${MOCK_PROJECT_NUMBER}/secrets/webhook-signing`);
        assert.strictEqual(await valueOf(secret.rotatorFunction), "webhook-signing-rot");
        assert.deepStrictEqual([secret.rotateEveryDays, secret.graceDays], [30, 30]);
        // AND no registered string holds anything but declarations: no input is 64 hex characters (a value of this format)
        assert.ok(!resources.flatMap((r) => strings(r.inputs)).some((t) => /^[0-9a-f]{64}$/.test(t)));
    });

    it("records graceDays for the function only when given, waits firstRotationAfterMinutes, and omits the readers' binding when there are none", async () => {
        const before = Date.now();
        const { resources } = await declare(
            () =>
                new gcp.RotatingSecret("api-token", {
                    ...BASE,
                    region: "europe-west1",
                    rotateEveryDays: 7,
                    graceDays: 14,
                    firstRotationAfterMinutes: 45,
                }),
        );
        const next = Date.parse(
            ofType(resources, "gcp:secretmanager/secret:Secret")[0].inputs.rotation.nextRotationTime,
        );
        assert.ok(next >= before + 45 * 60_000 && next <= Date.now() + 45 * 60_000);
        const s = ofType(resources, "gcp:secretmanager/secret:Secret")[0].inputs;
        assert.deepStrictEqual(s.labels, {
            "nhi-value-format": "alphanumeric",
            "nhi-value-length": "32",
            "nhi-rotate-every-days": "7",
            "nhi-grace-days": "14",
        });
        assert.strictEqual(s.rotation.rotationPeriod, "604800s");
        assert.deepStrictEqual(ofType(resources, "gcp:secretmanager/secretIamBinding:SecretIamBinding"), []);
    });
});

describe("gcp.SecretRotator shared by many gcp.RotatingSecret", () => {
    it("gives each secret only its secret (and readers' binding), prefixed, notifying the one rotator's topic", async () => {
        // GIVEN one rotator for the project and three secrets that use it
        const { value, resources } = await declare(() => {
            const rotator = new gcp.SecretRotator("shared", {
                project: "acme-prod",
                region: "europe-west1",
                owner: "team-platform",
            });
            const secrets = ["a", "b", "c"].map(
                (n) =>
                    new gcp.RotatingSecret(`token-${n}`, { ...BASE, rotator, readers: ["group:ledger@acme.example"] }),
            );
            return { rotator, secrets };
        });
        // THEN one function for all (14 resources once, as the README says), and per secret: the component, the secret and the readers' binding
        assert.strictEqual(ofType(resources, "gcp:cloudfunctionsv2/function:Function").length, 1);
        assert.strictEqual(resources.filter((r) => r.name.startsWith("shared")).length, 14);
        for (const n of ["a", "b", "c"]) {
            assert.deepStrictEqual(types(resources.filter((r) => r.name.startsWith(`token-${n}`))), [
                `gcp:secretmanager/secret:Secret token-${n}-secret`,
                `gcp:secretmanager/secretIamBinding:SecretIamBinding token-${n}-readers`,
                `${TYPE} token-${n}`,
            ]);
        }
        const rotatorTopic = await valueOf(value.rotator.topic);
        for (const s of ofType(resources, "gcp:secretmanager/secret:Secret")) {
            assert.match(s.inputs.secretId, /^shared-token-[abc]$/);
            assert.deepStrictEqual(s.inputs.topics, [{ name: rotatorTopic }]);
        }
        assert.strictEqual(await valueOf(value.secrets[0].rotatorFunction), await valueOf(value.rotator.functionName));
        // AND the rotator's identity holds the function's calls at project scope, under a condition on the secrets' prefix
        const children = resources
            .filter((r) => r.parentType === ROTATOR)
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.ok(children.includes("gcp:projects/iAMMember:IAMMember shared-secrets"), children.join("\n"));
        const member = ofType(resources, "gcp:projects/iAMMember:IAMMember").find(
            (r) => r.name === "shared-secrets",
        )!.inputs;
        assert.deepStrictEqual(member, {
            project: "acme-prod",
            role: `projects/acme-prod/roles/${ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole").find((r) => r.name === "shared-role")!.inputs.roleId}`,
            member: "serviceAccount:shared-rot@acme-prod.iam.gserviceaccount.com",
            condition: rotatorCondition(MOCK_PROJECT_NUMBER, "shared-"),
        });
        assert.deepStrictEqual(
            ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole").find((r) => r.name === "shared-role")!.inputs
                .permissions,
            [...SECRET_ROTATION_PERMISSIONS],
        );
        // AND the function's own identity has no grant of its own
        assert.deepStrictEqual(ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember"), []);
    });
});

describe("the shared rotator's IAM Condition, evaluated as CEL", () => {
    const condition = rotatorCondition("123456789", "shared-");
    const at = (name: string) => run(condition.expression, { resource: new Map([["name", name]]) });
    const table: [string, boolean][] = [
        ["projects/123456789/secrets/shared-token-a", true],
        ["projects/123456789/secrets/shared-token-a/versions/3", true],
        ["projects/123456789/secrets/other-token", false],
        ["projects/123456789/secrets/shared", false],
        ["projects/987654321/secrets/shared-token-a", false],
        ["projects/123456789/topics/shared-token-a", false],
    ];
    for (const [name, allowed] of table) {
        it(`${allowed ? "admits" : "denies"} ${name}`, () => assert.strictEqual(at(name), allowed));
    }
});

describe("the rotation function's permissions", () => {
    it("are in Google's catalogue", () => {
        const known = new Set(permissionNames());
        for (const p of SECRET_ROTATION_PERMISSIONS) assert.ok(known.has(p), p);
    });

    it("are exactly the calls the function makes in a rotation that adds and disables (Google's method → permission)", async () => {
        // GIVEN a secret with an old version replaced long ago and a current one, and a client that records its calls
        const PERMISSION: Record<string, string> = {
            getSecret: "secretmanager.secrets.get",
            listSecretVersions: "secretmanager.versions.list",
            addSecretVersion: "secretmanager.versions.add",
            disableSecretVersion: "secretmanager.versions.disable",
        };
        const name = "projects/1/secrets/s";
        const day = 86_400_000;
        const now = Date.UTC(2026, 10, 26);
        const ts = (ms: number) => ({ seconds: String(ms / 1000) });
        const called = new Set<string>();
        const client: SecretManagerClientLike = {
            getSecret: async () => (called.add("getSecret"), [{ name, labels: { "nhi-rotate-every-days": "30" } }]),
            listSecretVersions: async () => (
                called.add("listSecretVersions"),
                [
                    [
                        { name: `${name}/versions/1`, state: "ENABLED", createTime: ts(now - 90 * day) },
                        { name: `${name}/versions/2`, state: "ENABLED", createTime: ts(now - 60 * day) },
                    ],
                ]
            ),
            addSecretVersion: async () => (
                called.add("addSecretVersion"),
                [{ name: `${name}/versions/3`, state: "ENABLED", createTime: ts(now) }]
            ),
            disableSecretVersion: async () => (called.add("disableSecretVersion"), [{}]),
            // Never called by this function (it never reads a value): a call would show as `undefined` below.
            accessSecretVersion: async () => (called.add("accessSecretVersion"), [{}]),
        };
        const handler = createRotationHandler({
            store: async () => secretManagerStore(client),
            now: () => now,
            log: () => undefined,
        });
        // WHEN it rotates
        const result = await handler({
            data: {
                message: {
                    attributes: { eventType: "SECRET_ROTATE", secretId: name },
                    publishTime: new Date(now).toISOString(),
                },
            },
        });
        // THEN it used exactly the permissions the role holds
        assert.deepStrictEqual(result.outcome, "rotated");
        assert.deepStrictEqual([...called].map((m) => PERMISSION[m]).sort(), [...SECRET_ROTATION_PERMISSIONS]);
    });
});

describe("gcp.RotatingSecret plan", () => {
    it("takes an identity's reader known only at deploy time and checks it when it resolves", async () => {
        const plan = planGcpRotatingSecret("x", {
            ...BASE,
            region: "europe-west1",
            readers: [pulumi.output("allUsers")],
        });
        assert.strictEqual(plan.later.length, 1);
        assert.strictEqual(
            plan.later[0].problem("allUsers" as never),
            "`readers[0]` is `allUsers`, which would let anyone read the secret. Name the identities that read it.",
        );
    });
});

describe("gcp.RotatingSecret readers known only at deploy time", () => {
    it("checks a reader when it resolves: a public member is logged against the component and no binding is made", async () => {
        // GIVEN a reader that resolves to allUsers
        const { value, resources, logged } = await declareInProcess(
            () =>
                new gcp.RotatingSecret("late-reader", {
                    ...BASE,
                    region: "europe-west1",
                    readers: ["group:ledger@acme.example", pulumi.output("allUsers")],
                }),
        );
        // THEN the component reports it with the construction-time message, and no one is granted reading
        assert.deepStrictEqual(logged, [
            {
                message:
                    'GcpRotatingSecret "late-reader" has 1 invalid argument:\n  - readers[1]: `readers[1]` is `allUsers`, which would let anyone read the secret. Name the identities that read it.',
                resource: value,
            },
        ]);
        assert.deepStrictEqual(ofType(resources, "gcp:secretmanager/secretIamBinding:SecretIamBinding"), []);
        // AND the secret itself is declared
        assert.strictEqual(ofType(resources, "gcp:secretmanager/secret:Secret").length, 1);
    });

    it("binds a reader that resolves to a member", async () => {
        const { resources, logged } = await declareInProcess(
            () =>
                new gcp.RotatingSecret("late-member", {
                    ...BASE,
                    region: "europe-west1",
                    readers: [pulumi.output("serviceAccount:ledger@acme-prod.iam.gserviceaccount.com")],
                }),
        );
        assert.deepStrictEqual(logged, []);
        assert.deepStrictEqual(
            ofType(resources, "gcp:secretmanager/secretIamBinding:SecretIamBinding")[0].inputs.members,
            ["serviceAccount:ledger@acme-prod.iam.gserviceaccount.com"],
        );
    });
});

describe("the labels the component sets are the ones the function reads", () => {
    it("give the function the declared value, and a grace of graceDays or one period (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 365 }),
                fc.option(fc.integer({ min: 0, max: 365 }), { nil: undefined }),
                fc.integer({ min: 16, max: 4096 }),
                fc.constantFrom("alphanumeric", "printable", "hex", "base64"),
                (rotateEveryDays, extra, length, format) => {
                    // GIVEN any valid schedule and value shape
                    const graceDays = extra === undefined ? undefined : Math.min(365, rotateEveryDays + extra);
                    const plan = planGcpRotatingSecret("s", {
                        ...BASE,
                        region: "europe-west1",
                        rotateEveryDays,
                        graceDays,
                        value: { length, format: format as "hex" },
                    });
                    // WHEN the function reads the secret as Secret Manager returns it (rotationPeriod is input only, so not returned)
                    const policy = rotationPolicy({ name: "projects/1/secrets/s", labels: plan.labels });
                    // THEN it generates the declared value and keeps a replaced version for the declared grace
                    assert.deepStrictEqual(policy, {
                        value: { format, length },
                        graceMs: (graceDays ?? rotateEveryDays) * 86_400_000,
                    });
                },
            ),
            { numRuns: 200 },
        );
    });
});
