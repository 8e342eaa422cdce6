import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { COMPONENTS, schemaShaped } from "../../components/provider";
import { Registered, capture, installMocks } from "../support/mock-graph";
import {
    FakeEngine,
    ProviderProcess,
    Registration,
    construct,
    getSchema,
    propertyErrors,
    startFakeEngine,
    startProvider,
} from "../../components/provider/fake-engine";

/**
 * The provider over gRPC, the way the engine calls it: the provider runs as a child process (from
 * the sources, under ts-node), and this process plays the engine: a ResourceMonitor and an Engine
 * server (components/provider/fake-engine.ts) that answer as Pulumi's mocks answer this
 * process's own TypeScript declarations (`installMocks`). So the same identity, declared in
 * TypeScript here and constructed by the provider there, must register the same children with
 * the same inputs, and the provider's state must hold the values the TypeScript properties hold.
 */

const ROOT = path.resolve(__dirname, "..", "..");
/** The provider from the sources: what `provider/index.js` serves from the build. */
const FROM_SOURCES = [
    "-r",
    "ts-node/register/transpile-only",
    "-e",
    `require(${JSON.stringify(path.join(ROOT, "components", "provider"))}).serve(process.argv.slice(1))`,
];

/** The Pulumi wire encoding of a secret value. */
const SECRET_SIG = { key: pulumi.runtime.specialSigKey, value: pulumi.runtime.specialSecretSig };

const SCHEMA = require(path.join(ROOT, "provider", "schema.json"));

const AWS_ARGS = {
    owner: "team-payments",
    purpose: "Processes invoices",
    trust: { service: { principal: "lambda.amazonaws.com" } },
    grants: [
        { service: "s3", access: "read", resources: ["arn:aws:s3:::invoices/incoming/*"] },
        { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:invoices"] },
    ],
    expiresAt: "2030-01-01T00:00:00Z",
    tags: { CostCenter: "cc-42" },
};
const GCP_ARGS = {
    project: "acme-prod",
    owner: "team-reports",
    purpose: "Deploys the reports service",
    trust: { githubActions: { repository: "acme/reports", environment: "production" } },
    grants: [
        { role: "roles/storage.objectViewer", resource: { bucket: "reports" } },
        { permissions: ["storage.objects.get"], resource: { project: "acme-prod" } },
    ],
};
const ACCESS_KEY_ARGS = {
    owner: "team-payments",
    purpose: "Acme Ledger uploads invoices",
    consumer: "acme-ledger",
    rotateEveryDays: 30,
    grants: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::acme-exchange/invoices/*"] }],
};

/** Each component tested over gRPC, with its inputs: all ten. */
const CASES: Record<string, Record<string, unknown>> = {
    "nhi:aws:ServiceIdentity": AWS_ARGS,
    "nhi:gcp:ServiceIdentity": GCP_ARGS,
    "nhi:aws:AccessKeyIdentity": ACCESS_KEY_ARGS,
    "nhi:aws:RotatingSecret": {
        owner: "team-payments",
        purpose: "Signs webhooks",
        rotateEveryDays: 30,
        readers: ["arn:aws:iam::123456789012:role/payments-api"],
    },
    "nhi:aws:SecretRotator": { owner: "team-platform", purpose: "Rotates the team secrets" },
    "nhi:aws:UsageMonitor": { owner: "team-platform", notifyTopics: ["arn:aws:sns:us-east-1:123456789012:owners"] },
    "nhi:gcp:Deprovisioner": { project: "acme-prod", region: "europe-west1", owner: "team-platform" },
    "nhi:gcp:SecretRotator": { project: "acme-prod", region: "europe-west1", owner: "team-platform" },
    "nhi:gcp:RotatingSecret": {
        project: "acme-prod",
        region: "europe-west1",
        owner: "team-payments",
        purpose: "Signs webhooks",
        rotateEveryDays: 30,
    },
    "nhi:gcp:UsageMonitor": {
        project: "acme-grpc",
        region: "europe-west1",
        owner: "team-platform",
        notifyChannels: ["projects/acme-grpc/notificationChannels/1234567890"],
    },
};

/** A resource reference as the engine sends one among a component's inputs. */
function reference(urn: string): Record<string, unknown> {
    return {
        [pulumi.runtime.specialSigKey]: pulumi.runtime.specialResourceSig,
        urn,
        packageVersion: require(path.join(ROOT, "package.json")).version,
    };
}

/** The inputs as the engine sends them: the SDK's serialization, with output values. */
async function wire(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    return pulumi.runtime.serializeProperties("test inputs", inputs, { keepOutputValues: true });
}

/** A registration as the test compares it: what `capture` records of the same resource. */
async function asRegistered(r: Registration): Promise<Registered> {
    const qualified = r.parent === "" ? [] : r.parent.split("::")[2].split("$");
    const inputs = pulumi.runtime.deserializeProperties({ toJavaScript: () => r.object } as any);
    return {
        type: r.type,
        name: r.name,
        inputs: unwrapSecrets(inputs),
        parentType: qualified.length === 0 ? undefined : qualified[qualified.length - 1],
    };
}

/** `value` with every wire secret replaced by its value (the mocks' records hold them so too). */
function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        if (value[SECRET_SIG.key] === SECRET_SIG.value) {
            return unwrapSecrets(value.value);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/**
 * `value` with each time computed from the clock (an ISO time with milliseconds, e.g. a secret's
 * first rotation, `firstRotationAfterMinutes` from now) replaced by `<clock>`, and those times in
 * order: the two declarations run moments apart. Times a user writes (`expiresAt`) have none.
 */
function clockless<T>(value: T): { value: T; times: number[] } {
    const times: number[] = [];
    const json = JSON.stringify(value, (_, v) => {
        if (typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v)) {
            times.push(Date.parse(v));
            return "<clock>";
        }
        return v;
    });
    return { value: JSON.parse(json), times };
}

/** `resources` by type and name. */
function sorted(resources: readonly Registered[]): Registered[] {
    const key = (r: Registered) => `${r.type} ${r.name}`;
    return [...resources].sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * A secret as the engine sends it inside a component's inputs: an output value marked secret (the
 * engine upgrades secrets and values with dependencies to output values for a provider that accepts
 * them, as the SDK's provider server says it does, `setAcceptoutputs(true)`).
 */
function secretOutputValue(value: unknown): Record<string, unknown> {
    return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialOutputValueSig, value, secret: true };
}

/** The resources `capture` records, in the shape compared (parent type, inputs with secrets unwrapped). */
function comparable(resources: readonly Registered[]): Registered[] {
    return resources.map((r) => ({
        type: r.type,
        name: r.name,
        inputs: unwrapSecrets(r.inputs),
        parentType: r.parentType,
    }));
}

describe("provider over gRPC", function () {
    let engine: FakeEngine;
    let provider: ProviderProcess;

    before(async function () {
        installMocks();
        engine = await startFakeEngine(pulumi.runtime.getMonitor() as any);
        provider = await startProvider(process.execPath, FROM_SOURCES, engine.engineAddress, { cwd: ROOT });
    });

    after(async function () {
        provider?.stop();
        await engine?.stop();
    });

    /** Constructs `type` over gRPC; returns the answer and what the provider registered meanwhile. */
    async function constructed(type: string, name: string, inputs: Record<string, unknown>) {
        const start = engine.registrations.length;
        const result = await construct(provider.client, {
            type,
            name,
            inputs: await wire(inputs),
            monitorAddress: engine.monitorAddress,
        });
        const registrations = engine.registrations.slice(start);
        return { ...result, registrations, resources: await Promise.all(registrations.map(asRegistered)) };
    }

    it("answers GetSchema with provider/schema.json", async () => {
        // WHEN the engine asks for the schema
        const schema = await getSchema(provider.client);
        // THEN it is the package's schema, plugin `nhi`
        assert.deepStrictEqual(schema, require(path.join(ROOT, "provider", "schema.json")));
        assert.strictEqual(schema.name, "nhi");
    });

    for (const [i, [type, args]] of Object.entries(CASES).entries()) {
        // A name of its own per case: `capture` finds each resource's parent by its name.
        const name = `grpc${i}-${type.split(":")[2].toLowerCase().slice(0, 12)}`;
        it(`${type}: registers the children TypeScript registers, and returns every output with the TypeScript value`, async () => {
            // GIVEN the component declared in TypeScript under the mocks
            const ts = await capture(() => new (COMPONENTS[type]())(name, args));
            // WHEN the engine asks the provider to construct the same component
            const grpc = await constructed(type, name, args);
            // THEN the same resources register, under the same parents, with the same inputs (the
            // component first; its children in the order their inputs resolve, which may differ)
            assert.strictEqual(grpc.resources[0].type, type);
            const [got, want] = [clockless(sorted(grpc.resources)), clockless(sorted(comparable(ts.resources)))];
            assert.deepStrictEqual(got.value, want.value);
            got.times.forEach((t, k) =>
                assert.ok(
                    Math.abs(t - want.times[k]) < 60_000,
                    `times computed from the clock agree within a minute: ${new Date(t).toISOString()}`,
                ),
            );
            assert.strictEqual(grpc.urn, `urn:pulumi:test::nhi::${type}::${name}`);
            // AND the state holds every output the schema lists that has a value, with the value the
            // TypeScript property has (a resource by its URN), secret where it is secret
            const outputs = SCHEMA.resources[type].properties;
            const expected: Record<string, unknown> = {};
            for (const [output, spec] of Object.entries(outputs)) {
                expected[output] = schemaShaped((ts.value as any)[output], spec as any, SCHEMA);
            }
            const wireExpected = await pulumi.runtime.serializeProperties("expected", expected);
            assert.deepStrictEqual(plain(grpc.state), plain(wireExpected));
            assert.deepStrictEqual(Object.keys(grpc.state).sort(), Object.keys(wireExpected).sort());
            assert.ok(Object.keys(grpc.state).length > 0);
            // AND, as in TypeScript, the component registers no outputs of its own in its state
            assert.deepStrictEqual(engine.outputs.get(grpc.urn), {});
        });
    }

    it("passes a component it constructed as another's input: a shared rotator, a reader identity", async () => {
        // GIVEN, in TypeScript, a shared rotator, a reader identity, and a secret that uses both
        const secretArgs = { owner: "team-payments", purpose: "Signs webhooks", rotateEveryDays: 30 };
        const rotatorArgs = CASES["nhi:aws:SecretRotator"];
        const ts = await capture(() => {
            const rotator = new aws.SecretRotator("refs-rotator", rotatorArgs as any);
            const reader = new aws.ServiceIdentity("refs-reader", AWS_ARGS as any);
            return new aws.RotatingSecret("refs-secret", { ...secretArgs, rotator, readers: [reader] });
        });
        // WHEN the engine constructs the same three, the secret's inputs referring to the other two
        // as the engine refers to resources (a resource reference: its URN and package version)
        const rotator = await constructed("nhi:aws:SecretRotator", "refs-rotator", rotatorArgs);
        const reader = await constructed("nhi:aws:ServiceIdentity", "refs-reader", AWS_ARGS);
        const secret = await constructed("nhi:aws:RotatingSecret", "refs-secret", {
            ...secretArgs,
            rotator: reference(rotator.urn),
            readers: [reference(reader.urn)],
        });
        // THEN the three register what they register in TypeScript: the secret is rotated by the
        // shared rotator's function, and the reader's role may read it
        assert.deepStrictEqual(
            sorted([...rotator.resources, ...reader.resources, ...secret.resources]),
            sorted(comparable(ts.resources)),
        );
        assert.strictEqual(plain(secret.state).rotator.mode, "shared");
    });

    it("refuses a reference to a component it did not construct, naming it", async () => {
        const urn = "urn:pulumi:test::nhi::nhi:aws:SecretRotator::elsewhere";
        const err = await construct(provider.client, {
            type: "nhi:aws:RotatingSecret",
            name: "refs-unknown",
            monitorAddress: engine.monitorAddress,
            inputs: await wire({
                owner: "team-payments",
                purpose: "Signs webhooks",
                rotateEveryDays: 30,
                rotator: reference(urn),
            }),
        }).then(
            () => assert.fail("Construct succeeded"),
            (e) => e,
        );
        assert.match(
            err.details,
            new RegExp(
                `${urn} is not a component this provider constructed in this deployment: a component passed to another must be declared in the same program\\.`,
            ),
        );
    });

    it("returns a bad input's error with the TypeScript message and each property path", async () => {
        // GIVEN inputs with two mistakes: a blank owner and an unknown access level
        const bad = {
            ...AWS_ARGS,
            owner: " ",
            grants: [{ service: "s3", access: "reed", resources: ["arn:aws:s3:::invoices/*"] }],
        };
        let expected: pulumi.InputPropertiesError | undefined;
        try {
            new aws.ServiceIdentity("bad", bad as any);
        } catch (e) {
            expected = e as pulumi.InputPropertiesError;
        }
        assert.ok(expected !== undefined && expected.errors.length === 2, "TypeScript rejects both");
        // WHEN the engine asks the provider to construct it
        const start = engine.registrations.length;
        const err = await construct(provider.client, {
            type: "nhi:aws:ServiceIdentity",
            name: "bad",
            inputs: await wire(bad),
            monitorAddress: engine.monitorAddress,
        }).then(
            () => assert.fail("Construct succeeded"),
            (e) => e,
        );
        // THEN the call fails with INVALID_ARGUMENT, the TypeScript message, and one property error per problem, as Pulumi shows them
        assert.deepStrictEqual(propertyErrors(err), {
            code: 3,
            message: expected.message,
            errors: expected.errors.map((e) => ({ propertyPath: e.propertyPath, reason: e.reason })),
        });
        assert.deepStrictEqual(
            propertyErrors(err).errors.map((e) => e.propertyPath),
            ["owner", "grants[0].access"],
        );
        // AND nothing was registered, not even the component
        assert.deepStrictEqual(engine.registrations.slice(start), []);
    });

    it("fails Construct with the TypeScript message when a value known only at deploy time fails its check", async () => {
        // GIVEN a grant whose resource is another resource's output, a bucket's ARN, for an object action
        const bucketArn = {
            [pulumi.runtime.specialSigKey]: pulumi.runtime.specialOutputValueSig,
            value: "arn:aws:s3:::data-bucket",
            dependencies: ["urn:pulumi:test::nhi::aws:s3/bucket:Bucket::data"],
        };
        const args = { ...AWS_ARGS, grants: [{ actions: ["s3:GetObject"], resources: [bucketArn] }] };
        // WHEN the engine asks the provider to construct it
        const err = await construct(provider.client, {
            type: "nhi:aws:ServiceIdentity",
            name: "late",
            inputs: await wire(args),
            monitorAddress: engine.monitorAddress,
        }).then(
            () => assert.fail("Construct succeeded"),
            (e) => e,
        );
        // THEN it fails with the message a TypeScript program prints (test/core/deploy-time.test.ts), property path first
        assert.strictEqual(
            err.details,
            'AwsServiceIdentity "late" has 1 invalid argument:\n  - grants[0].resources[0]: `grants[0].resources[0]` is not a resource of any action of `grants[0]`: `arn:aws:s3:::data-bucket`; ' +
                "`s3:GetObject` applies to accesspointobject (`arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}`), object (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`). Did you mean `arn:aws:s3:::data-bucket/*`?",
        );
    });

    it("constructs in a preview with an input not known yet, sending it on unknown", async () => {
        // GIVEN a preview, and a permissions boundary that another resource creates in this update
        const unknown = {
            [pulumi.runtime.specialSigKey]: pulumi.runtime.specialOutputValueSig,
            dependencies: ["urn:pulumi:test::nhi::aws:iam/policy:Policy::boundary"],
        };
        const start = engine.registrations.length;
        // WHEN the engine asks the provider to construct the identity
        const result = await construct(provider.client, {
            type: "nhi:aws:ServiceIdentity",
            name: "preview",
            dryRun: true,
            monitorAddress: engine.monitorAddress,
            inputs: await wire({ ...AWS_ARGS, permissionsBoundaryArn: unknown }),
        });
        // THEN the role registers with the boundary unknown, and the identity's outputs come back
        const role = engine.registrations
            .slice(start)
            .find((r) => r.type === "aws:iam/role:Role" && r.name === "preview-role")!;
        assert.strictEqual(role.object.permissionsBoundary, pulumi.runtime.unknownValue);
        assert.strictEqual(result.state.roleArn, "arn:aws:iam::123456789012:role/preview-role-1a2b3c4");
    });

    it("keeps a secret input secret in the children's inputs and in the outputs that carry it", async () => {
        // GIVEN a cross-account trust whose external ID is a secret
        const args = {
            ...AWS_ARGS,
            trust: {
                account: {
                    principalArn: "arn:aws:iam::210987654321:role/partner",
                    externalId: secretOutputValue("ext-7f3a"),
                },
            },
        };
        // WHEN the provider constructs it
        const grpc = await constructed("nhi:aws:ServiceIdentity", "partner", args);
        // THEN the role's trust policy reaches the monitor as a secret, holding the external ID
        const role = grpc.registrations.find((r) => r.type === "aws:iam/role:Role")!;
        const policy = role.object.assumeRolePolicy as any;
        assert.strictEqual(policy[SECRET_SIG.key], SECRET_SIG.value, "assumeRolePolicy is sent as a secret");
        assert.match(policy.value, /"sts:ExternalId":"ext-7f3a"/);
        // AND the state returns the trust policy as a secret
        const trustPolicy = grpc.state.trustPolicy as any;
        assert.strictEqual(trustPolicy[SECRET_SIG.key], SECRET_SIG.value, "trustPolicy is returned as a secret");
        // AND nothing carries the external ID in the clear
        const clear = JSON.stringify([grpc.registrations.map((r) => stripSecrets(r.object)), stripSecrets(grpc.state)]);
        assert.ok(!clear.includes("ext-7f3a"), clear);
    });
});

/**
 * A wire value as the test compares it: a secret as `{ secret: <value> }`, a resource reference as
 * its URN.
 */
function plain(value: any): any {
    if (Array.isArray(value)) {
        return value.map(plain);
    }
    if (value !== null && typeof value === "object") {
        if (value[SECRET_SIG.key] === SECRET_SIG.value) {
            return { secret: plain(value.value) };
        }
        if (value[SECRET_SIG.key] === pulumi.runtime.specialResourceSig) {
            return { resource: value.urn };
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

/** `value` with every wire secret's content removed: what is left is in the clear. */
function stripSecrets(value: any): any {
    if (Array.isArray(value)) {
        return value.map(stripSecrets);
    }
    if (value !== null && typeof value === "object") {
        if (value[SECRET_SIG.key] === SECRET_SIG.value) {
            return "[secret]";
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripSecrets(v)]));
    }
    return value;
}
