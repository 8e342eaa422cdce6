import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID } from "../../components/gcp/service-identity";
import {
    FUNCTION_DEPENDENCIES,
    functionPackageJson,
    functionSource,
    planRotationFunction,
    rotationAccountId,
    rotationFunction,
    triggerAccountId,
} from "../../components/gcp/rotation-function";
import { SECRET_ROTATION_ENTRY } from "../../components/gcp/secret-rotator";
import { KEY_ENTRY } from "../../components/gcp/service-account-key";
import { capture, MOCK_PROJECT_NUMBER, ofType, Registered } from "../../components/testing";

const ROOT = path.resolve(__dirname, "../..");
const PARENT = "test:index:Parent";
const TOPIC = "projects/acme-prod/topics/webhook-rotation";
const SECRET_PERMISSIONS = [
    "secretmanager.secrets.get",
    "secretmanager.versions.add",
    "secretmanager.versions.disable",
    "secretmanager.versions.list",
];

class Parent extends pulumi.ComponentResource {
    constructor(name: string) {
        super(PARENT, name, {}, {});
    }
}

const ARGS = {
    project: "acme-prod",
    region: "europe-west1",
    owner: "team-payments",
    purpose: "Rotates secret webhook-signing",
    accountId: "webhook-signing-rot",
    entry: SECRET_ROTATION_ENTRY,
    topic: TOPIC,
    grants: [{ permissions: SECRET_PERMISSIONS, resource: { secret: "webhook-signing" } }],
};

function types(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name}`).sort();
}

describe("rotationFunction: the one builder of a Google rotation function", () => {
    it("registers the source, the function, its two identities, the invoker and the publisher bindings, all under the caller", async () => {
        // GIVEN a caller component  WHEN it builds the secret rotation function
        const { value, resources } = await capture(() => {
            const parent = new Parent("webhook");
            return rotationFunction("webhook-rotation", ARGS, parent);
        });
        // THEN exactly these resources, each a child of the caller or of one of the two identities
        assert.deepStrictEqual(types(resources), [
            "gcp:cloudfunctionsv2/function:Function webhook-rotation",
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember webhook-rotation-invoker",
            "gcp:projects/iAMCustomRole:IAMCustomRole webhook-rotation-runtime-secret-webhook-signing-custom",
            "gcp:projects/serviceIdentity:ServiceIdentity webhook-rotation-secretmanager-agent",
            "gcp:pubsub/topicIAMMember:TopicIAMMember webhook-rotation-publisher",
            "gcp:secretmanager/secretIamMember:SecretIamMember webhook-rotation-runtime-secret-webhook-signing-custom",
            "gcp:serviceaccount/account:Account webhook-rotation-runtime-sa",
            "gcp:serviceaccount/account:Account webhook-rotation-trigger-sa",
            "gcp:storage/bucket:Bucket webhook-rotation-source",
            "gcp:storage/bucketObject:BucketObject webhook-rotation-source",
            "nhi:gcp:ServiceIdentity webhook-rotation-runtime",
            "nhi:gcp:ServiceIdentity webhook-rotation-trigger",
            `${PARENT} webhook`,
        ]);
        const byName = (n: string) => resources.find((r) => r.name === n)!;
        for (const n of [
            "webhook-rotation",
            "webhook-rotation-invoker",
            "webhook-rotation-secretmanager-agent",
            "webhook-rotation-publisher",
            "webhook-rotation-source",
            "webhook-rotation-runtime",
            "webhook-rotation-trigger",
        ]) {
            assert.strictEqual(byName(n).parentType, PARENT, n);
        }
        // AND the function: current Node.js runtime, the entry point, source from the object, small, internal, run as the runtime identity,
        // triggered by the topic with retries, invoked as the trigger identity
        const source = functionSource("gcp/index");
        const fn = ofType(resources, "gcp:cloudfunctionsv2/function:Function")[0];
        assert.deepStrictEqual(fn.inputs, {
            project: "acme-prod",
            location: "europe-west1",
            name: "webhook-signing-rot",
            description: "Rotates secret webhook-signing (pulumi-nhi; owner team-payments)",
            buildConfig: {
                runtime: "nodejs22",
                entryPoint: "rotateSecret",
                source: {
                    storageSource: {
                        bucket: "webhook-rotation-source-1a2b3c4",
                        object: `pulumi-nhi/gcp-index-${source.digest.slice(0, 16)}.zip`,
                    },
                },
            },
            serviceConfig: {
                availableMemory: "256M",
                timeoutSeconds: 300,
                maxInstanceCount: 1,
                ingressSettings: "ALLOW_INTERNAL_ONLY",
                allTrafficOnLatestRevision: true,
                serviceAccountEmail: "webhook-signing-rot@acme-prod.iam.gserviceaccount.com",
            },
            eventTrigger: {
                eventType: "google.cloud.pubsub.topic.v1.messagePublished",
                pubsubTopic: TOPIC,
                triggerRegion: "europe-west1",
                retryPolicy: "RETRY_POLICY_RETRY",
                serviceAccountEmail: "webhook-signing-rot-inv@acme-prod.iam.gserviceaccount.com",
            },
        });
        // AND the bucket is private, in the function's region
        assert.deepStrictEqual(ofType(resources, "gcp:storage/bucket:Bucket")[0].inputs, {
            project: "acme-prod",
            location: "europe-west1",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            forceDestroy: true,
        });
        // AND the trigger identity may invoke this function's service only, and holds nothing else
        assert.deepStrictEqual(ofType(resources, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember")[0].inputs, {
            project: "acme-prod",
            location: "europe-west1",
            name: "projects/acme-prod/locations/europe-west1/services/webhook-signing-rot",
            role: "roles/run.invoker",
            member: "serviceAccount:webhook-signing-rot-inv@acme-prod.iam.gserviceaccount.com",
        });
        // AND the runtime identity holds exactly the caller's permissions, on the caller's secret only
        assert.deepStrictEqual(
            ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole")[0].inputs.permissions,
            SECRET_PERMISSIONS,
        );
        const secretBinding = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember")[0].inputs;
        assert.deepStrictEqual(
            [secretBinding.project, secretBinding.secretId, secretBinding.member],
            ["acme-prod", "webhook-signing", "serviceAccount:webhook-signing-rot@acme-prod.iam.gserviceaccount.com"],
        );
        // AND the Secret Manager service agent may publish to the topic
        assert.deepStrictEqual(ofType(resources, "gcp:pubsub/topicIAMMember:TopicIAMMember")[0].inputs, {
            topic: TOPIC,
            role: "roles/pubsub.publisher",
            member: `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-secretmanager.iam.gserviceaccount.com`,
        });
        assert.deepStrictEqual(ofType(resources, "gcp:projects/serviceIdentity:ServiceIdentity")[0].inputs, {
            project: "acme-prod",
            service: "secretmanager.googleapis.com",
        });
        // AND a secret that notifies the topic waits for the publisher binding and the function
        assert.strictEqual(value.ready.length, 2);
        assert.strictEqual(value.ready[1], value.function);
        assert.strictEqual((value.ready[0] as any).__pulumiType, "gcp:pubsub/topicIAMMember:TopicIAMMember");
    });

    it("puts the source in a given bucket instead of making one", async () => {
        const { resources } = await capture(() =>
            rotationFunction(
                "shared-src",
                { ...ARGS, accountId: "shared-src-rot", sourceBucket: "acme-functions" },
                new Parent("shared-src-parent"),
            ),
        );
        assert.deepStrictEqual(ofType(resources, "gcp:storage/bucket:Bucket"), []);
        assert.strictEqual(
            ofType(resources, "gcp:storage/bucketObject:BucketObject")[0].inputs.bucket,
            "acme-functions",
        );
    });
});

describe("the function's source archive", () => {
    it("holds the entry, exactly the runtime files it requires, and a package.json with the pinned dependencies", async () => {
        const source = functionSource("gcp/index");
        assert.deepStrictEqual(source.files, [
            "gcp/index.js",
            "gcp/rotate-secret.js",
            "gcp/rotation.js",
            "gcp/secret-store.js",
            "gcp/value.js",
            "package.json",
            "value.js",
        ]);
        assert.deepStrictEqual(Object.keys(await source.archive.assets).sort(), source.files);
        assert.deepStrictEqual(JSON.parse(functionPackageJson("gcp/index")), {
            name: "pulumi-nhi-gcp-index",
            private: true,
            main: "gcp/index.js",
            engines: { node: ">=22" },
            scripts: { "gcp-build": "" },
            dependencies: { "@google-cloud/functions-framework": "5.0.5", "@google-cloud/secret-manager": "7.2.0" },
        });
        // The pins are the versions the runtime is tested with.
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        for (const [dep, version] of Object.entries({ ...FUNCTION_DEPENDENCIES, ...KEY_ENTRY.dependencies }))
            assert.strictEqual(pkg.devDependencies[dep], version, dep);
        // Built once per process: the same archive for every function.
        assert.strictEqual(functionSource("gcp/index").archive, source.archive);
        // Another entry declares its own dependencies, and gets another archive.
        const other = functionSource("gcp/index", { "@google-cloud/functions-framework": "5.0.5" });
        assert.notStrictEqual(other.digest, source.digest);
        assert.deepStrictEqual(
            JSON.parse(functionPackageJson("gcp/index", { "@google-cloud/functions-framework": "5.0.5" })).dependencies,
            { "@google-cloud/functions-framework": "5.0.5" },
        );
    });

    it("unpacked, registers the entry point with the Functions Framework from package.json's main, in a fresh Node process", async () => {
        const source = functionSource("gcp/index");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-gcp-source-"));
        try {
            const assets = await source.archive.assets;
            for (const [file, asset] of Object.entries(assets)) {
                fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
                fs.writeFileSync(path.join(dir, file), await (asset as pulumi.asset.StringAsset).text);
            }
            // The entry point the components deploy is the one the entry file registers.
            const script = `const main = require('./package.json').main; require('./' + main); const fn = require('@google-cloud/functions-framework/testing').getFunction('${SECRET_ROTATION_ENTRY.entryPoint}'); fn({ data: { message: { attributes: { eventType: 'TOPIC_CONFIGURED' } } } })`;
            const out = execFileSync(process.execPath, ["-e", script], {
                cwd: dir,
                encoding: "utf8",
                env: { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, "node_modules") },
            });
            assert.strictEqual(JSON.parse(out).message, "ignored: event type TOPIC_CONFIGURED is not SECRET_ROTATE");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("service account IDs of a rotation function", () => {
    const table: [string, string, string][] = [
        ["webhook-signing", "rot", "webhook-signing-rot"],
        ["Webhook_Signing", "rot", "webhook-signing-rot"],
        ["db", "rot", "db-rot"],
        ["d", "rot", "nhi-d-rot"],
        ["9lives", "rot", "nhi-9lives-rot"],
        ["a-very-long-secret-name-for-the-billing-team", "rot", "a-very-long-secret-na-xxxx-rot"],
        ["webhook-signing-rot", "inv", "webhook-signing-rot-inv"],
    ];
    for (const [base, suffix, expected] of table) {
        it(`${base} + ${suffix}`, () => {
            const id = rotationAccountId(base, suffix);
            if (expected.includes("xxxx")) {
                assert.match(id, /^a-very-long-secret-na-[0-9a-f]{4}-rot$/);
            } else {
                assert.strictEqual(id, expected);
            }
            assert.ok(ACCOUNT_ID.test(id), id);
        });
    }

    it("gives two long names that share their start two IDs", () => {
        assert.notStrictEqual(
            rotationAccountId("payments-webhook-signing-secret-a", "rot"),
            rotationAccountId("payments-webhook-signing-secret-b", "rot"),
        );
    });

    it("derives the trigger's ID from the runtime's, never equal to it", () => {
        assert.strictEqual(triggerAccountId("webhook-signing-rot"), "webhook-signing-rot-inv");
        const long = rotationAccountId("a-very-long-secret-name-for-the-billing-team", "rot");
        assert.notStrictEqual(triggerAccountId(long), long);
        assert.ok(ACCOUNT_ID.test(triggerAccountId(long)));
    });
});

describe("planRotationFunction", () => {
    it("validates both identities before anything is registered, with the identity's message", () => {
        assert.throws(
            () =>
                planRotationFunction({
                    ...ARGS,
                    grants: [
                        { permissions: ["secretmanager.versions.acess"], resource: { secret: "webhook-signing" } },
                    ],
                }),
            (e: Error) =>
                e instanceof pulumi.InputPropertiesError &&
                /grants\[0\]\.permissions\[0\]/.test(e.message) &&
                /secretmanager\.versions\.access/.test(e.message),
        );
        const plan = planRotationFunction(ARGS);
        assert.deepStrictEqual(
            [plan.runtime.accountId, plan.trigger.accountId, plan.trigger.grants.length],
            ["webhook-signing-rot", "webhook-signing-rot-inv", 0],
        );
    });
});
