import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { aws, gcp } from "../../components";
import { ACCESS_LEVELS } from "../../components/aws/catalog";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { legacyTypeOf } from "../../components/core/tokens";
import { capture } from "../../components/testing";
import { SCHEMA_PATH, generateSchema, schemaText } from "../../provider/schema-gen";
import { PackageSchema, SECRET_OUTPUTS, SchemaType } from "../../provider/schema-types";

/**
 * provider/schema.json: generated from the TypeScript types and doc comments (`npm run schema`),
 * and kept in step by these tests: the committed file is what the generator makes of the sources
 * today, every component is in it, every property is described, every reference resolves, and
 * what is required, enumerated and secret is what the TypeScript API says.
 */

const committed: PackageSchema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));

/** The JSON paths at which `a` and `b` differ (`/resources/nhi:aws:ServiceIdentity/inputProperties/owner/description`). */
function differences(a: unknown, b: unknown, path = ""): string[] {
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
    if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
        return keys.flatMap((k) => differences(a[k], b[k], `${path}/${k}`));
    }
    return a === b ? [] : [path === "" ? "/" : path];
}

/** Every property of the schema, with where it is: the resources' inputs and outputs, the object types' properties. */
function allProperties(schema: PackageSchema): { where: string; property: SchemaType }[] {
    const props = (where: string, record: Record<string, SchemaType> | undefined) =>
        Object.entries(record ?? {}).map(([name, property]) => ({ where: `${where}.${name}`, property }));
    return [
        ...Object.entries(schema.resources).flatMap(([token, r]) => [
            ...props(`${token} input`, r.inputProperties as Record<string, SchemaType>),
            ...props(`${token} output`, r.properties),
        ]),
        ...Object.entries(schema.types).flatMap(([token, t]) => props(token, t.properties)),
    ];
}

/** Every `$ref` in `value`, with its JSON path. */
function refs(value: unknown, path = ""): { path: string; ref: string }[] {
    if (typeof value !== "object" || value === null) {
        return [];
    }
    return Object.entries(value).flatMap(([k, v]) =>
        k === "$ref" && typeof v === "string" ? [{ path, ref: v }] : refs(v, `${path}/${k}`),
    );
}

/** The keys of `T` that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/**
 * `list`, which `tsc` (run by `npm test`) accepts only when it names every member of `K` and no
 * other: the TypeScript side of a table row, checked against the schema at run time.
 */
const exactly =
    <K extends string>() =>
    <const L extends readonly K[]>(list: L & ([K] extends [L[number]] ? unknown : "misses a member")): string[] =>
        [...list].sort();

describe("provider/schema.json", () => {
    it("is what `npm run schema` makes of the TypeScript sources today", function () {
        // GIVEN the committed schema WHEN the generator reads the sources again
        const generated = generateSchema();
        // THEN the two are the same, text for text; a difference names its paths
        const differing = differences(generated, committed);
        const shown = `${differing.slice(0, 20).join(", ")}${differing.length > 20 ? ", …" : ""}`;
        assert.deepStrictEqual(
            differing,
            [],
            `provider/schema.json is out of date at ${shown}: run \`npm run schema\` and commit the result.`,
        );
        assert.strictEqual(
            schemaText(generated),
            fs.readFileSync(SCHEMA_PATH, "utf8"),
            "provider/schema.json differs in layout or key order: run `npm run schema`.",
        );
    });

    it("is not generated while a property has no doc comment or no schema type, naming each", () => {
        // GIVEN a component with an undocumented input and output, and a callback input
        // WHEN the generator reads it THEN it refuses, naming every problem
        assert.throws(() => generateSchema(path.join(__dirname, "..", "fixtures", "schema-root")), {
            message: [
                "The schema cannot be generated:",
                "- nhi:aws:Widget.inputs.size: no doc comment; add one to the TypeScript declaration.",
                "- nhi:aws:Widget.inputs.onChange: a function has no schema type.",
                "- nhi:aws:Widget.outputs.undocumented: no doc comment; add one to the TypeScript declaration.",
            ].join("\n"),
        });
    });

    it("has one component resource per component class of `aws` and `gcp`, under its module token, aliased to its 0.1.0 token", () => {
        // GIVEN every class each namespace exports that is a component
        const components = (["aws", "gcp"] as const).flatMap((cloud) => {
            const namespace: Record<string, unknown> = cloud === "aws" ? aws : gcp;
            return Object.keys(namespace)
                .filter((name) => {
                    const value = namespace[name];
                    return typeof value === "function" && value.prototype instanceof pulumi.ComponentResource;
                })
                .map((name) => `nhi:${cloud}:${name}`);
        });
        // THEN the schema's resources are exactly those, each a component, the two of 0.1.0 with its alias
        assert.deepStrictEqual(Object.keys(committed.resources).sort(), components.sort());
        assert.strictEqual(components.length, 10);
        for (const token of components) {
            assert.strictEqual(committed.resources[token].isComponent, true, token);
            const legacy = legacyTypeOf(token);
            assert.deepStrictEqual(
                committed.resources[token].aliases,
                legacy === undefined ? undefined : [{ type: legacy }],
                token,
            );
        }
        // AND only the two components 0.1.0 released carry their old token
        assert.deepStrictEqual(
            Object.entries(committed.resources)
                .filter(([, r]) => r.aliases !== undefined)
                .map(([token, r]) => [token, r.aliases]),
            [
                ["nhi:aws:ServiceIdentity", [{ type: "nhi:index:AwsServiceIdentity" }]],
                ["nhi:gcp:ServiceIdentity", [{ type: "nhi:index:GcpServiceIdentity" }]],
            ],
        );
    });

    it("describes every resource, type and property, input and output, nested types included", () => {
        const undescribed = [
            ...Object.entries({ ...committed.resources, ...committed.types })
                .filter(([, t]) => !(t.description ?? "").trim())
                .map(([token]) => token),
            ...allProperties(committed)
                .filter(({ property }) => !(property.description ?? "").trim())
                .map(({ where }) => where),
        ];
        assert.deepStrictEqual(undescribed, []);
        // AND a description is the doc comment's text, its default and its links
        const inputs = committed.resources["nhi:aws:ServiceIdentity"].inputProperties as Record<string, SchemaType>;
        assert.strictEqual(
            inputs.expiresAt.description,
            [
                "An ISO-8601 instant (`2027-01-31T00:00:00Z`) after which AWS itself stops honouring the",
                "identity: every Allow statement of its policies (and of a role's trust policy) carries",
                "`DateLessThan aws:CurrentTime`. Must be in the future when the stack is updated.",
                "",
                "Default: no expiry.",
                "",
                "See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date",
            ].join("\n"),
        );
        // AND an `@` in backticks stays text (TypeScript reads it as a tag)
        assert.match(inputs.owner.description!, /spaces and `_ \. : \/ = \+ - @`, at most 256 characters/);
    });

    it("resolves every `$ref` to a type or resource of the schema, or to Pulumi's `Any`", () => {
        const unresolved = refs(committed).filter(({ ref }) => {
            const [, kind, token] = /^#\/(types|resources)\/(.+)$/.exec(ref) ?? [];
            return (
                ref !== "pulumi.json#/Any" &&
                !(kind === "types"
                    ? token in committed.types
                    : kind === "resources"
                      ? token in committed.resources
                      : false)
            );
        });
        assert.deepStrictEqual(unresolved, []);
    });

    it("uses tokens and type references of the shape Pulumi's metaschema allows", () => {
        // The metaschema's token pattern (pkg/codegen/schema/pulumi.json, `$defs.token`), and one
        // kind of type per property: a primitive, an array, a map, a reference or a union.
        const TOKEN = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$/;
        const tokens = [...Object.keys(committed.resources), ...Object.keys(committed.types)];
        assert.deepStrictEqual(
            tokens.filter((t) => !TOKEN.test(t) || !t.startsWith("nhi:")),
            [],
        );
        const kinds = (p: SchemaType) =>
            [p.$ref !== undefined, p.oneOf !== undefined, p.type !== undefined].filter(Boolean).length;
        assert.deepStrictEqual(
            allProperties(committed)
                .filter(({ property }) => kinds(property) !== 1)
                .map(({ where }) => where),
            [],
        );
        assert.deepStrictEqual(
            allProperties(committed)
                .filter(
                    ({ property }) =>
                        !["string", "integer", "boolean", "array", "object", undefined].includes(property.type),
                )
                .map(({ where }) => where),
            [],
        );
    });

    describe("requires what the TypeScript argument types require", () => {
        // Each row's list is checked by `tsc` against the *Args type and here against the schema.
        const table: [string, string[]][] = [
            [
                "nhi:aws:ServiceIdentity",
                exactly<RequiredKeys<aws.AwsServiceIdentityArgs>>()(["trust", "owner", "purpose", "grants"]),
            ],
            [
                "nhi:aws:AccessKeyIdentity",
                exactly<RequiredKeys<aws.AwsAccessKeyIdentityArgs>>()([
                    "consumer",
                    "rotateEveryDays",
                    "owner",
                    "purpose",
                    "grants",
                ]),
            ],
            [
                "nhi:aws:RotatingSecret",
                exactly<RequiredKeys<aws.AwsRotatingSecretArgs>>()(["owner", "purpose", "rotateEveryDays"]),
            ],
            ["nhi:aws:SecretRotator", exactly<RequiredKeys<aws.AwsSecretRotatorArgs>>()(["owner", "purpose"])],
            ["nhi:aws:UsageMonitor", exactly<RequiredKeys<aws.AwsUsageMonitorArgs>>()(["owner", "notifyTopics"])],
            [
                "nhi:gcp:ServiceIdentity",
                exactly<RequiredKeys<gcp.GcpServiceIdentityArgs>>()(["project", "owner", "purpose", "grants"]),
            ],
            ["nhi:gcp:Deprovisioner", exactly<RequiredKeys<gcp.GcpDeprovisionerArgs>>()(["project", "owner"])],
            [
                "nhi:gcp:SecretRotator",
                exactly<RequiredKeys<gcp.GcpSecretRotatorArgs>>()(["project", "region", "owner"]),
            ],
            [
                "nhi:gcp:UsageMonitor",
                exactly<RequiredKeys<gcp.GcpUsageMonitorArgs>>()(["project", "region", "owner", "notifyChannels"]),
            ],
            // A union of two argument types: required is what both require.
            [
                "nhi:gcp:RotatingSecret",
                exactly<
                    RequiredKeys<gcp.GcpRotatingSecretOwnFunctionArgs> &
                        RequiredKeys<gcp.GcpRotatingSecretSharedRotatorArgs>
                >()(["project", "owner", "purpose", "rotateEveryDays"]),
            ],
        ];
        for (const [token, required] of table) {
            it(token, () => {
                assert.deepStrictEqual([...(committed.resources[token].requiredInputs as string[])].sort(), required);
            });
        }
        describe("has every input the TypeScript type has, and no other", () => {
            // Each row's list is checked by `tsc` against `keyof` the *Args type.
            const inputs: [string, string[]][] = [
                [
                    "nhi:aws:ServiceIdentity",
                    exactly<keyof aws.AwsServiceIdentityArgs>()([
                        "trust",
                        "maxSessionDuration",
                        "owner",
                        "purpose",
                        "grants",
                        "expiresAt",
                        "permissionsBoundaryArn",
                        "path",
                        "tags",
                        "deprovisionAtExpiry",
                        "unusedAlarm",
                        "expiryNoticeDays",
                    ]),
                ],
                [
                    "nhi:aws:AccessKeyIdentity",
                    exactly<keyof aws.AwsAccessKeyIdentityArgs>()([
                        "consumer",
                        "rotateEveryDays",
                        "graceDays",
                        "path",
                        "owner",
                        "purpose",
                        "grants",
                        "expiresAt",
                        "permissionsBoundaryArn",
                        "tags",
                        "deprovisionAtExpiry",
                        "unusedAlarm",
                        "expiryNoticeDays",
                        "readers",
                        "kmsKeyArn",
                        "recoveryWindowInDays",
                    ]),
                ],
                [
                    "nhi:aws:RotatingSecret",
                    exactly<keyof aws.AwsRotatingSecretArgs>()([
                        "owner",
                        "purpose",
                        "rotateEveryDays",
                        "value",
                        "rotator",
                        "rotationAlarm",
                        "tags",
                        "readers",
                        "kmsKeyArn",
                        "recoveryWindowInDays",
                    ]),
                ],
                [
                    "nhi:aws:SecretRotator",
                    exactly<keyof aws.AwsSecretRotatorArgs>()(["owner", "purpose", "kmsKeyArns", "tags"]),
                ],
                [
                    "nhi:aws:UsageMonitor",
                    exactly<keyof aws.AwsUsageMonitorArgs>()([
                        "owner",
                        "purpose",
                        "scheduleExpression",
                        "perIdentityMetrics",
                        "notifyTopics",
                        "alarmTopic",
                        "tags",
                    ]),
                ],
                [
                    "nhi:gcp:ServiceIdentity",
                    exactly<keyof gcp.GcpServiceIdentityArgs>()([
                        "project",
                        "owner",
                        "purpose",
                        "accountId",
                        "trust",
                        "grants",
                        "expiresAt",
                        "key",
                        "deprovisioner",
                        "unusedAlarm",
                        "expiryNoticeDays",
                    ]),
                ],
                [
                    "nhi:gcp:Deprovisioner",
                    exactly<keyof gcp.GcpDeprovisionerArgs>()(["project", "region", "owner", "purpose", "accountId"]),
                ],
                [
                    "nhi:gcp:SecretRotator",
                    exactly<keyof gcp.GcpSecretRotatorArgs>()([
                        "project",
                        "region",
                        "owner",
                        "purpose",
                        "secretIdPrefix",
                    ]),
                ],
                [
                    "nhi:gcp:UsageMonitor",
                    exactly<keyof gcp.GcpUsageMonitorArgs>()([
                        "project",
                        "region",
                        "owner",
                        "purpose",
                        "schedule",
                        "perIdentityMetrics",
                        "notifyChannels",
                        "alarmChannel",
                    ]),
                ],
                // A union: the properties of either alternative.
                [
                    "nhi:gcp:RotatingSecret",
                    exactly<
                        keyof gcp.GcpRotatingSecretOwnFunctionArgs | keyof gcp.GcpRotatingSecretSharedRotatorArgs
                    >()([
                        "region",
                        "project",
                        "owner",
                        "purpose",
                        "rotateEveryDays",
                        "graceDays",
                        "value",
                        "readers",
                        "secretId",
                        "labels",
                        "firstRotationAfterMinutes",
                        "deletionProtection",
                        "rotationAlarm",
                        "rotator",
                    ]),
                ],
            ];
            for (const [token, names] of inputs) {
                it(token, () => {
                    assert.deepStrictEqual(
                        Object.keys(committed.resources[token].inputProperties as object).sort(),
                        names,
                    );
                });
            }
            it("covers every resource", () => {
                assert.deepStrictEqual(inputs.map(([token]) => token).sort(), Object.keys(committed.resources).sort());
            });
        });
    });

    it("enumerates the string choices of the TypeScript unions, as named enums", () => {
        const values = (token: string) => committed.types[token].enum!.map((e) => e.value);
        assert.deepStrictEqual(
            values("nhi:aws:AccessLevel").sort(),
            exactly<aws.AccessLevel>()(["read", "write", "list", "tagging", "permissions-management"]),
        );
        assert.deepStrictEqual(values("nhi:aws:AccessLevel"), ACCESS_LEVELS);
        assert.deepStrictEqual(
            values("nhi:gcp:ValueFormat").sort(),
            exactly<gcp.ValueFormat>()(["alphanumeric", "printable", "hex", "base64"]),
        );
        const grant = committed.types["nhi:aws:Grant"].properties!;
        assert.deepStrictEqual(grant.access.$ref, "#/types/nhi:aws:AccessLevel");
    });

    it("folds a union the schema cannot express into one object type that names the accepted combinations", () => {
        // GIVEN AwsGrant = AwsActionsGrant | AwsAccessGrant
        const grant = committed.types["nhi:aws:Grant"];
        // THEN one type with every member's properties, required only where both require them
        assert.deepStrictEqual(Object.keys(grant.properties!).sort(), [
            "access",
            "acknowledge",
            "actions",
            "allowWildcard",
            "expiresAt",
            "metricNamespace",
            "resources",
            "service",
            "viaService",
            "whereTagged",
        ]);
        assert.deepStrictEqual(grant.required, ["resources"]);
        assert.ok(
            grant.description!.endsWith(
                [
                    '\n\nA schema cannot say "one of": this type holds every alternative\'s properties and requires only what all of them require.',
                    " The component accepts exactly one of `actions`; or `service` with `access`, and refuses any other combination with the same error in every language.",
                ].join(""),
            ),
            grant.description,
        );
        // AND a trust is one kind of four, each property optional
        const trust = committed.types["nhi:aws:Trust"];
        assert.deepStrictEqual(Object.keys(trust.properties!), [
            "service",
            "githubActions",
            "eksServiceAccount",
            "account",
        ]);
        assert.strictEqual(trust.required, undefined);
        // AND a default of one alternative's property stays in the text: an SDK would fill it in,
        // and `allowWildcard: false` on an `access` grant is refused
        assert.strictEqual(grant.properties!.allowWildcard.default, undefined);
        assert.match(grant.properties!.allowWildcard.description!, /\n\nDefault: false\.$/);
        // AND defaults that are literals are the schema's defaults
        const identity = committed.resources["nhi:aws:ServiceIdentity"].inputProperties as Record<string, SchemaType>;
        assert.strictEqual(identity.maxSessionDuration.default, 3600);
        assert.strictEqual(identity.path.default, "/");
        assert.strictEqual(identity.expiresAt.default, undefined);
    });

    it("types every number as an integer, since every count of the API is whole and a fraction is refused", () => {
        // GIVEN every number in the schema
        const numbers = allProperties(committed).filter(
            ({ property }) => property.type === "number" || property.type === "integer",
        );
        // THEN each is an integer
        assert.deepStrictEqual(
            numbers.filter(({ property }) => property.type !== "integer").map(({ where }) => where),
            [],
        );
        assert.ok(numbers.some(({ where }) => where === "nhi:aws:ServiceIdentity input.maxSessionDuration"));
        // AND the component refuses a fraction, in every language
        assert.throws(
            () =>
                planAwsServiceIdentity("fraction", {
                    owner: "team-payments",
                    purpose: "Pays invoices",
                    trust: { service: { principal: "ecs-tasks.amazonaws.com" } },
                    grants: [],
                    maxSessionDuration: 3600.5,
                }),
            {
                message:
                    'AwsServiceIdentity "fraction" has 1 invalid argument:\n' +
                    "  - maxSessionDuration: `maxSessionDuration` must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours); got number `3600.5`.",
            },
        );
    });

    it("offers as outputs every public property of the class, with its type", () => {
        const outputs = (token: string) => Object.keys(committed.resources[token].properties!);
        assert.deepStrictEqual(outputs("nhi:aws:ServiceIdentity"), [
            "roleArn",
            "roleName",
            "trustPolicy",
            "policyDocuments",
            "managedPolicyArns",
            "expiresAt",
            "auditQuery",
        ]);
        assert.deepStrictEqual(outputs("nhi:gcp:ServiceIdentity"), [
            "email",
            "accountId",
            "member",
            "workloadIdentityProvider",
            "keySecret",
            "auditLogFilter",
        ]);
        const identity = committed.resources["nhi:aws:ServiceIdentity"];
        assert.deepStrictEqual(identity.properties!.policyDocuments, {
            type: "array",
            items: { type: "string" },
            description: "The identity policy documents as JSON: the inline policy first, then each managed policy.",
        });
        assert.ok(!identity.required!.includes("expiresAt"), "an identity without expiry has none");
    });

    describe("marks secret exactly the outputs that are secret", () => {
        // GIVEN the components that hold credentials, declared under Pulumi's mocks
        const OWNERSHIP = { owner: "team-payments", purpose: "Pays invoices" };
        const cases: [string, () => pulumi.Resource][] = [
            [
                "nhi:aws:ServiceIdentity",
                () =>
                    new aws.ServiceIdentity("schema-role", {
                        ...OWNERSHIP,
                        trust: { service: { principal: "ecs-tasks.amazonaws.com" } },
                        grants: [],
                        expiresAt: "2099-01-01T00:00:00Z",
                    }),
            ],
            [
                "nhi:aws:AccessKeyIdentity",
                () =>
                    new aws.AccessKeyIdentity("schema-user", {
                        ...OWNERSHIP,
                        consumer: "acme-vendor",
                        rotateEveryDays: 30,
                        grants: [],
                    }),
            ],
            [
                "nhi:aws:RotatingSecret",
                () => new aws.RotatingSecret("schema-secret", { ...OWNERSHIP, rotateEveryDays: 30 }),
            ],
            [
                "nhi:gcp:ServiceIdentity",
                () =>
                    new gcp.ServiceIdentity("schema-sa", {
                        ...OWNERSHIP,
                        project: "acme-prod",
                        grants: [],
                        key: { region: "europe-west1", rotateEveryDays: 30 },
                    }),
            ],
        ];
        for (const [token, declare] of cases) {
            it(token, async () => {
                const { value } = await capture(declare);
                const schema = committed.resources[token];
                for (const [name, property] of Object.entries(schema.properties!)) {
                    const output = (value as unknown as Record<string, unknown>)[name];
                    // THEN every required output is there, and each is secret exactly when the schema says so
                    if (schema.required?.includes(name)) {
                        assert.notStrictEqual(output, undefined, `${token}.${name}`);
                    }
                    const secret = pulumi.Output.isInstance(output) ? await pulumi.isSecret(output) : false;
                    assert.strictEqual(secret, property.secret === true, `${token}.${name}`);
                }
                assert.deepStrictEqual(SECRET_OUTPUTS[token] ?? [], [], "no credential material is an output");
            });
        }
    });
});
