import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { findRole } from "../../components/gcp/catalog";
import { entryDependencies, functionPackageJson, functionSource } from "../../components/gcp/rotation-function";
import { CHECK_INTERVAL, KEY_ENTRY, KEY_ROTATOR_ACKNOWLEDGEMENT } from "../../components/gcp/service-account-key";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { PERMISSIONS } from "../../components/runtime/gcp/rotate-key";
import { capture, MOCK_PROJECT_NUMBER, ofType, Registered, valueOf } from "../../components/testing";
import { BadInput, TABLE_NOW, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";

const TYPE = "nhi:gcp:ServiceIdentity";
const BASE = {
    project: "acme-prod",
    owner: "team-billing",
    purpose: "Pushes invoices to the vendor",
    grants: [],
} as const;
const KEY = { rotateEveryDays: 90, graceDays: 7, region: "europe-west1" } as const;
const EMAIL = "vendor-sync@acme-prod.iam.gserviceaccount.com";
const ROTATOR = "serviceAccount:vendor-sync-keyrot@acme-prod.iam.gserviceaccount.com";

interface Options {
    readonly name: string;
    readonly type: string;
    readonly ignoreChanges?: string[];
    readonly dependsOn?: unknown;
}

/** Declares `vendor-sync` with a key (and a reader identity), recording each child's options through a transformation. */
async function declare(key: gcp.GcpServiceIdentityArgs["key"] = KEY, withReader = false) {
    const options: Options[] = [];
    const { value, resources } = await capture(() => {
        const reader = withReader
            ? new gcp.ServiceIdentity("invoice-reader", { ...BASE, purpose: "Reads the vendor key" })
            : undefined;
        const readers = reader ? [...(key?.readers ?? []), reader] : key?.readers;
        return new gcp.ServiceIdentity(
            "vendor-sync",
            { ...BASE, key: key && { ...key, ...(readers ? { readers } : {}) } },
            {
                transformations: [
                    (a) => {
                        options.push({
                            name: a.name,
                            type: a.type,
                            ignoreChanges: a.opts.ignoreChanges,
                            dependsOn: a.opts.dependsOn,
                        });
                        return undefined;
                    },
                ],
            },
        );
    });
    return { identity: value, resources, options };
}

function types(resources: readonly Registered[]): string[] {
    return resources.map((r) => `${r.type} ${r.name}`).sort();
}

/**
 * A small model of Google IAM allow policies over the recorded bindings: `member` holds `permission` on `resource` when a binding on
 * exactly that resource gives `member` a role that holds it (a predefined role per Google's catalogue, or a custom role the stack
 * declares). The key's bindings carry no conditions (checked), so none is evaluated.
 */
function allows(resources: readonly Registered[], member: string, permission: string, resource: string): boolean {
    const custom = new Map(
        ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole").map((r) => [
            `projects/${r.inputs.project}/roles/${r.inputs.roleId}`,
            r.inputs.permissions as string[],
        ]),
    );
    const where = (r: Registered): string | undefined => {
        if (
            r.type === "gcp:secretmanager/secretIamMember:SecretIamMember" ||
            r.type === "gcp:secretmanager/secretIamBinding:SecretIamBinding"
        )
            return `secret:${r.inputs.secretId}`;
        if (r.type === "gcp:serviceaccount/iAMMember:IAMMember")
            return `serviceAccount:${String(r.inputs.serviceAccountId).split("/").pop()}`;
        if (r.type === "gcp:projects/iAMMember:IAMMember") return `project:${r.inputs.project}`;
        return undefined;
    };
    return resources.some((r) => {
        const at = where(r);
        if (at === undefined || !(r.inputs.members ?? [r.inputs.member]).includes(member)) return false;
        assert.strictEqual(r.inputs.condition, undefined);
        const held = custom.get(r.inputs.role) ?? findRole(r.inputs.role)?.permissions ?? [];
        return (at === resource || at === `project:acme-prod`) && held.includes(permission);
    });
}

describe("gcp.ServiceIdentity key", () => {
    it("declares the key's secret, topic, rotation function and its two identities; never a key resource", async () => {
        // GIVEN an identity for a vendor that can only take a JSON key
        const { resources } = await declare();
        // THEN exactly these children, all under the identity
        assert.deepStrictEqual(types(resources), [
            "gcp:cloudfunctionsv2/function:Function vendor-sync-key-rotator",
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember vendor-sync-key-rotator-invoker",
            "gcp:projects/iAMCustomRole:IAMCustomRole vendor-sync-key-rotator-runtime-secret-1-custom",
            "gcp:projects/iAMCustomRole:IAMCustomRole vendor-sync-key-rotator-runtime-serviceAccount-1-custom",
            "gcp:projects/serviceIdentity:ServiceIdentity vendor-sync-key-rotator-secretmanager-agent",
            "gcp:pubsub/topic:Topic vendor-sync-key-rotation",
            "gcp:pubsub/topicIAMMember:TopicIAMMember vendor-sync-key-rotator-publisher",
            "gcp:secretmanager/secret:Secret vendor-sync-key",
            "gcp:secretmanager/secretIamMember:SecretIamMember vendor-sync-key-rotator-runtime-secret-1-custom",
            "gcp:serviceaccount/account:Account vendor-sync-key-rotator-runtime-sa",
            "gcp:serviceaccount/account:Account vendor-sync-key-rotator-trigger-sa",
            "gcp:serviceaccount/account:Account vendor-sync-sa",
            "gcp:serviceaccount/iAMMember:IAMMember vendor-sync-key-rotator-runtime-serviceAccount-1-custom",
            "gcp:storage/bucket:Bucket vendor-sync-key-rotator-source",
            "gcp:storage/bucketObject:BucketObject vendor-sync-key-rotator-source",
            `${TYPE} vendor-sync`,
            `${TYPE} vendor-sync-key-rotator-runtime`,
            `${TYPE} vendor-sync-key-rotator-trigger`,
        ]);
        assert.ok(resources.filter((r) => r.name !== "vendor-sync").every((r) => r.parentType === TYPE));
        // AND no resource anywhere holds or makes a key or a random value
        assert.ok(
            !resources.some((r) => /serviceaccount\/key:|random:|secretVersion/i.test(r.type)),
            types(resources).join("\n"),
        );
        assert.doesNotMatch(JSON.stringify(resources.map((r) => r.inputs)), /private_?key|privateKeyData/i);
    });

    it("the secret: labels the function reads, a daily check on its topic, the first check 10 minutes after the function exists, set once", async () => {
        const before = Date.now();
        const { identity, resources, options } = await declare();
        const secret = ofType(resources, "gcp:secretmanager/secret:Secret")[0];
        const topic = ofType(resources, "gcp:pubsub/topic:Topic")[0];
        const first = Date.parse(secret.inputs.rotation.nextRotationTime);
        assert.ok(
            first >= before + 10 * 60_000 && first <= Date.now() + 10 * 60_000,
            secret.inputs.rotation.nextRotationTime,
        );
        assert.deepStrictEqual(secret.inputs, {
            project: "acme-prod",
            secretId: "vendor-sync-key",
            labels: {
                "nhi-key-account": "vendor-sync",
                "nhi-key-project": "acme-prod",
                "nhi-rotate-every-days": "90",
                "nhi-grace-days": "7",
            },
            replication: { auto: {} },
            topics: [{ name: `projects/acme-prod/topics/${topic.name}-1a2b3c4` }],
            rotation: { rotationPeriod: CHECK_INTERVAL, nextRotationTime: secret.inputs.rotation.nextRotationTime },
        });
        assert.strictEqual(CHECK_INTERVAL, "86400s");
        // The next preview must not propose a new time: Google advances it at every check.
        const opts = options.find((o) => o.name === "vendor-sync-key")!;
        assert.deepStrictEqual(opts.ignoreChanges, ["rotation.nextRotationTime"]);
        // It waits for the publisher binding (checked at creation) and the function (its first notification must find it).
        const waits = (await valueOf(
            pulumi.output(opts.dependsOn as pulumi.Input<pulumi.Resource[]>),
        )) as unknown as pulumi.Resource[];
        assert.deepStrictEqual(await Promise.all(waits.map((r) => valueOf(r.urn).then((u) => u.split("::").pop()))), [
            "vendor-sync-key-rotator-publisher",
            "vendor-sync-key-rotator",
        ]);
        // AND the identity says where the key is, nothing more
        assert.strictEqual(
            await valueOf(identity.keySecret),
            `projects/${MOCK_PROJECT_NUMBER}/secrets/vendor-sync-key`,
        );
    });

    it("the function runs the key rotator, with google-auth-library pinned in its package.json", async () => {
        const { resources } = await declare();
        const fn = ofType(resources, "gcp:cloudfunctionsv2/function:Function")[0];
        assert.strictEqual(fn.inputs.buildConfig.entryPoint, "rotateKey");
        assert.strictEqual(fn.inputs.name, "vendor-sync-keyrot");
        assert.strictEqual(
            fn.inputs.serviceConfig.serviceAccountEmail,
            "vendor-sync-keyrot@acme-prod.iam.gserviceaccount.com",
        );
        const source = functionSource(KEY_ENTRY.file, entryDependencies(KEY_ENTRY));
        assert.deepStrictEqual(source.files, [
            "gcp/key-index.js",
            "gcp/key-store.js",
            "gcp/rotate-key.js",
            "gcp/rotation.js",
            "gcp/secret-store.js",
            "package.json",
        ]);
        assert.deepStrictEqual(
            JSON.parse(functionPackageJson(KEY_ENTRY.file, entryDependencies(KEY_ENTRY))).dependencies,
            {
                "@google-cloud/functions-framework": "5.0.5",
                "@google-cloud/secret-manager": "7.2.0",
                "google-auth-library": "11.3.4",
            },
        );
        // AND the deployed object is that archive: its name carries the archive's digest.
        const object = ofType(resources, "gcp:storage/bucketObject:BucketObject")[0];
        assert.strictEqual(object.inputs.name, `pulumi-nhi/gcp-key-index-${source.digest.slice(0, 16)}.zip`);
    });

    describe("permissions", () => {
        it("the rotator may do exactly its calls, on this secret and this account only; readers may read this secret only", async () => {
            // GIVEN a key read by a group and by another identity
            const { resources } = await declare({ ...KEY, readers: ["group:vendor-ops@example.com"] }, true);
            const SECRET = "secret:vendor-sync-key";
            const ACCOUNT = `serviceAccount:${EMAIL}`;
            // THEN the rotator's custom roles hold exactly the function's calls
            assert.deepStrictEqual(
                ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole")
                    .map((r) => r.inputs.permissions)
                    .sort(),
                [[...PERMISSIONS.serviceAccount], [...PERMISSIONS.secret]],
            );
            // AND each is allowed where it is needed, and nowhere else
            for (const p of PERMISSIONS.secret) {
                assert.ok(allows(resources, ROTATOR, p, SECRET), p);
                assert.ok(!allows(resources, ROTATOR, p, "secret:another-secret"), p);
            }
            for (const p of PERMISSIONS.serviceAccount) {
                assert.ok(allows(resources, ROTATOR, p, ACCOUNT), p);
                assert.ok(
                    !allows(resources, ROTATOR, p, "serviceAccount:invoice-reader@acme-prod.iam.gserviceaccount.com"),
                    p,
                );
                assert.ok(
                    !allows(
                        resources,
                        ROTATOR,
                        p,
                        "serviceAccount:vendor-sync-keyrot@acme-prod.iam.gserviceaccount.com",
                    ),
                    `${p} on itself`,
                );
            }
            const table: [string, string, string, boolean][] = [
                ["the rotator cannot act as the account", ROTATOR, "iam.serviceAccounts.actAs", false],
                ["the rotator cannot get tokens for it", ROTATOR, "iam.serviceAccounts.getAccessToken", false],
                ["the rotator cannot change the secret's policy", ROTATOR, "secretmanager.secrets.setIamPolicy", false],
                ["the rotator cannot delete the secret", ROTATOR, "secretmanager.secrets.delete", false],
                ["the rotator cannot destroy a version", ROTATOR, "secretmanager.versions.destroy", false],
                ["a reader reads the key", "group:vendor-ops@example.com", "secretmanager.versions.access", true],
                [
                    "a reader identity reads the key",
                    "serviceAccount:invoice-reader@acme-prod.iam.gserviceaccount.com",
                    "secretmanager.versions.access",
                    true,
                ],
                ["a reader cannot add a version", "group:vendor-ops@example.com", "secretmanager.versions.add", false],
                [
                    "the identity itself cannot read its key",
                    `serviceAccount:${EMAIL}`,
                    "secretmanager.versions.access",
                    false,
                ],
            ];
            for (const [what, member, permission, allowed] of table) {
                assert.strictEqual(
                    allows(resources, member, permission, permission.startsWith("iam.") ? ACCOUNT : SECRET),
                    allowed,
                    what,
                );
            }
            for (const member of [
                "group:vendor-ops@example.com",
                "serviceAccount:invoice-reader@acme-prod.iam.gserviceaccount.com",
            ]) {
                assert.ok(!allows(resources, member, "secretmanager.versions.access", "secret:another-secret"));
            }
            // AND the readers are one binding, authoritative for secretAccessor on this secret only (as gcp.RotatingSecret's)
            assert.deepStrictEqual(
                ofType(resources, "gcp:secretmanager/secretIamBinding:SecretIamBinding").map((r) => [r.name, r.inputs]),
                [
                    [
                        "vendor-sync-key-readers",
                        {
                            project: "acme-prod",
                            secretId: "vendor-sync-key",
                            role: "roles/secretmanager.secretAccessor",
                            members: [
                                "group:vendor-ops@example.com",
                                "serviceAccount:invoice-reader@acme-prod.iam.gserviceaccount.com",
                            ],
                        },
                    ],
                ],
            );
            // AND nothing is bound at project scope
            assert.deepStrictEqual(ofType(resources, "gcp:projects/iAMMember:IAMMember"), []);
        });

        it("the rotator's key creation is acknowledged in its own ownership record", async () => {
            const { resources } = await declare();
            const account = ofType(resources, "gcp:serviceaccount/account:Account").find(
                (r) => r.name === "vendor-sync-key-rotator-runtime-sa",
            )!;
            assert.deepStrictEqual(gcp.parseOwnershipRecord(account.inputs.description), {
                owner: "team-billing",
                purpose: "Rotates the key of vendor-sync",
                acknowledged: { CreateServiceAccountKey: KEY_ROTATOR_ACKNOWLEDGEMENT },
            });
        });

        it("an expiring identity's key stops rotating when it expires: every binding of the rotator's two accounts carries its expiry", async () => {
            // GIVEN an identity with a key that expires
            const expiresAt = "2099-06-30T00:00:00Z";
            const { resources } = await capture(
                () => new gcp.ServiceIdentity("vendor-sync", { ...BASE, expiresAt, key: KEY }),
            );
            // WHEN we look at every IAM binding whose member is one of the rotator's accounts
            const rotatorMembers = new Set(
                ofType(resources, "gcp:serviceaccount/account:Account")
                    .filter((r) => r.name.startsWith("vendor-sync-key-rotator-"))
                    .map((r) => `serviceAccount:${r.inputs.accountId}@acme-prod.iam.gserviceaccount.com`),
            );
            assert.strictEqual(rotatorMembers.size, 2);
            const bindings = resources.filter(
                (r) => /IAMMember|IamMember/.test(r.type) && rotatorMembers.has(r.inputs.member),
            );
            // THEN there are some, and each holds only until the identity's expiry
            assert.ok(bindings.length >= 3, bindings.map((b) => b.type).join(", "));
            for (const b of bindings) {
                assert.strictEqual(
                    b.inputs.condition?.expression,
                    `request.time < timestamp("${expiresAt}")`,
                    `${b.type} ${b.name}`,
                );
            }
        });

        it("without a key, an identity declares none of this", async () => {
            const { resources } = await capture(() => new gcp.ServiceIdentity("plain-identity", { ...BASE }));
            assert.deepStrictEqual(types(resources), [
                "gcp:serviceaccount/account:Account plain-identity-sa",
                `${TYPE} plain-identity`,
            ]);
        });
    });

    it("checks a reader known only at deploy time when it resolves", () => {
        const plan = planGcpServiceIdentity(
            "vendor-sync",
            { ...BASE, key: { ...KEY, readers: [pulumi.output("allUsers")] } },
            TABLE_NOW,
        );
        assert.deepStrictEqual(
            plan.later.map((c) => [c.path, c.problem("allUsers" as never)]),
            [
                [
                    "key.readers[0]",
                    "`key.readers[0]` is `allUsers`, which would let anyone read the secret. Name the identities that read it.",
                ],
            ],
        );
    });

    describe("defaults", () => {
        it("graceDays defaults to one day less than the period", () => {
            const plan = planGcpServiceIdentity(
                "vendor-sync",
                { ...BASE, key: { rotateEveryDays: 30, region: "us-central1" } },
                TABLE_NOW,
            );
            assert.deepStrictEqual(
                [plan.key?.rotateEveryDays, plan.key?.graceDays, plan.key?.secretId, plan.key?.rotatorAccountId],
                [30, 29, "vendor-sync-key", "vendor-sync-keyrot"],
            );
            assert.strictEqual(
                planGcpServiceIdentity(
                    "daily-key",
                    { ...BASE, key: { rotateEveryDays: 1, region: "us-central1" } },
                    TABLE_NOW,
                ).key?.graceDays,
                0,
            );
        });
    });

    describe("bad input", () => {
        const base: any = { ...BASE };
        const BAD: BadInput[] = [
            {
                what: "a key that is not an object",
                args: { ...base, key: true },
                path: "key",
                reason: '`key` must be an object such as `{ rotateEveryDays: 90, region: "europe-west1" }`; got boolean `true`.',
            },
            {
                what: "rotateEveryDays 0",
                args: { ...base, key: { ...KEY, rotateEveryDays: 0 } },
                path: "key.rotateEveryDays",
                reason: "`key.rotateEveryDays` must be a whole number of days from 1 to 365 (how often a new key replaces the current one); got number `0`.",
            },
            {
                what: "rotateEveryDays 366",
                args: { ...base, key: { ...KEY, rotateEveryDays: 366 } },
                path: "key.rotateEveryDays",
                reason: "`key.rotateEveryDays` must be a whole number of days from 1 to 365 (how often a new key replaces the current one); got number `366`.",
            },
            {
                what: "rotateEveryDays not whole",
                args: { ...base, key: { ...KEY, rotateEveryDays: 1.5 } },
                path: "key.rotateEveryDays",
                reason: "`key.rotateEveryDays` must be a whole number of days from 1 to 365 (how often a new key replaces the current one); got number `1.5`.",
            },
            {
                what: "rotateEveryDays as text",
                args: { ...base, key: { ...KEY, rotateEveryDays: "90" } },
                path: "key.rotateEveryDays",
                reason: "`key.rotateEveryDays` must be a whole number of days from 1 to 365 (how often a new key replaces the current one); got `90`.",
            },
            {
                what: "graceDays equal to the period",
                args: { ...base, key: { ...KEY, graceDays: 90 } },
                path: "key.graceDays",
                reason: "`key.graceDays` must be a whole number of days from 0 to 89 (how long a replaced key keeps working, shorter than `key.rotateEveryDays`); got number `90`.",
            },
            {
                what: "graceDays negative",
                args: { ...base, key: { ...KEY, graceDays: -1 } },
                path: "key.graceDays",
                reason: "`key.graceDays` must be a whole number of days from 0 to 89 (how long a replaced key keeps working, shorter than `key.rotateEveryDays`); got number `-1`.",
            },
            {
                what: "no region",
                args: { ...base, key: { rotateEveryDays: 90 } },
                path: "key.region",
                reason: "`key.region` must be a Google Cloud region such as `europe-west1` or `us-central1`, where the rotation function runs; got undefined.",
            },
            {
                what: "a zone for a region",
                args: { ...base, key: { ...KEY, region: "europe-west1-b" } },
                path: "key.region",
                reason: "`key.region` must be a Google Cloud region such as `europe-west1` or `us-central1`, where the rotation function runs; got `europe-west1-b`.",
            },
            {
                what: "readers not a list",
                args: { ...base, key: { ...KEY, readers: "group:ops@example.com" } },
                path: "key.readers",
                reason: "`key.readers` must be a list of IAM members or `gcp.ServiceIdentity` objects; got `group:ops@example.com`.",
            },
            {
                what: "a reader that is a bare email",
                args: { ...base, key: { ...KEY, readers: ["ci@acme-prod.iam.gserviceaccount.com"] } },
                path: "key.readers[0]",
                reason: "`key.readers[0]` must be an IAM member (`serviceAccount:…`, `user:…`, `group:…`, `domain:…`, `principal://…` or `principalSet://…`) or a `gcp.ServiceIdentity`; got `ci@acme-prod.iam.gserviceaccount.com`. Did you mean `serviceAccount:ci@acme-prod.iam.gserviceaccount.com`?",
            },
            {
                what: "a reader that is a person's bare email",
                args: { ...base, key: { ...KEY, readers: ["ana@example.com"] } },
                path: "key.readers[0]",
                reason: "`key.readers[0]` must be an IAM member (`serviceAccount:…`, `user:…`, `group:…`, `domain:…`, `principal://…` or `principalSet://…`) or a `gcp.ServiceIdentity`; got `ana@example.com`. Did you mean `user:ana@example.com`?",
            },
            {
                what: "allUsers as a reader",
                args: { ...base, key: { ...KEY, readers: ["allUsers"] } },
                path: "key.readers[0]",
                reason: "`key.readers[0]` is `allUsers`, which would let anyone read the secret. Name the identities that read it.",
            },
            {
                what: "a reader that is a number",
                args: { ...base, key: { ...KEY, readers: [42] } },
                path: "key.readers[0]",
                reason: "`key.readers[0]` must be an IAM member string or a `gcp.ServiceIdentity`; got number `42`.",
            },
            {
                what: "an owner too long for the rotator's ownership record",
                args: { ...base, owner: "x".repeat(120), purpose: "p" },
                path: "key",
                reason: "",
            },
        ];
        // The last row's reason depends on the description rules: it is checked on its own below.
        itRefusesEach(BAD.slice(0, -1), "GcpServiceIdentity", "vendor-sync", (name, args, now) =>
            planGcpServiceIdentity(name, args, now),
        );

        it("refuses an owner that fits the identity's record but not its key rotator's, naming `key`", () => {
            assert.throws(
                () =>
                    planGcpServiceIdentity(
                        "vendor-sync",
                        { ...BASE, owner: "x".repeat(120), purpose: "p", key: KEY },
                        TABLE_NOW,
                    ),
                (e: any) => {
                    assert.deepStrictEqual(
                        e.errors.map((x: any) => x.propertyPath),
                        ["key"],
                    );
                    assert.match(
                        e.errors[0].reason,
                        /^`key` needs a rotator whose own service account records `owner` too, and it cannot: grants\[1\]\.acknowledge: /,
                    );
                    return true;
                },
            );
        });

        it("reports every problem of the key at once, with the identity's own", () => {
            assert.throws(
                () =>
                    planGcpServiceIdentity(
                        "vendor-sync",
                        { ...BASE, owner: "", key: { rotateEveryDays: 0, region: "eu", readers: ["x"] } } as any,
                        TABLE_NOW,
                    ),
                (e: any) => {
                    assert.deepStrictEqual(
                        e.errors.map((x: any) => x.propertyPath),
                        ["owner", "key.rotateEveryDays", "key.region", "key.readers[0]"],
                    );
                    return true;
                },
            );
        });

        itRegistersNothingWhenRefused(
            () => new gcp.ServiceIdentity("vendor-sync", { ...BASE, key: { ...KEY, graceDays: 90 } }),
        );
    });
});
