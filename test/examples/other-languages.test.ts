import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as awsClassic from "@pulumi/aws";
import * as gcpClassic from "@pulumi/gcp";
import * as nhi from "../../components";
import { quickstart } from "../../examples/quickstart/program";
import { Registered, capture } from "../support/mock-graph";
import {
    PackageSchema,
    Program,
    ROOT,
    checkProgram,
    declareProgram,
    loadSchema,
    pythonName,
    readPythonProgram,
    readYamlProgram,
} from "../support/other-languages";

/**
 * examples/yaml and examples/python: the quickstart's identities declared in Pulumi YAML and in
 * Python with the SDK `pulumi package add` generates. Neither can run here (no Pulumi CLI, no
 * language plugins), so:
 * - each program is read (js-yaml; python3's `ast`) and checked against provider/schema.json, the
 *   schema those SDKs are generated from: types, property names (Python's snake_case as Pulumi's
 *   generator names them), required inputs, enum values, kinds of values;
 * - each program is then declared in TypeScript under the mocks, with the classes behind the same
 *   type tokens, and must create exactly the resources the quickstart's TypeScript program creates
 *   for the same identities: same children, parents and inputs (policies, trust, tags, schedules).
 */

const YAML_PATH = path.join(ROOT, "examples", "yaml", "Pulumi.yaml");
const PYTHON_PATH = path.join(ROOT, "examples", "python", "__main__.py");
const PACKAGES = { nhi, aws: awsClassic, gcp: gcpClassic };

/** The `nhi` resources both examples declare: the quickstart's representative identities. */
const NHI_RESOURCES = [
    "nhi:aws:UsageMonitor usage",
    "nhi:aws:ServiceIdentity invoice-worker",
    "nhi:aws:ServiceIdentity payments-deployer",
    "nhi:aws:ServiceIdentity payments-api",
    "nhi:aws:RotatingSecret webhook-signing",
    "nhi:gcp:Deprovisioner reports-deprovisioner",
    "nhi:gcp:UsageMonitor reports-usage",
    "nhi:gcp:ServiceIdentity report-renderer",
];

function readYaml(): Program {
    return readYamlProgram(fs.readFileSync(YAML_PATH, "utf8"));
}
function readPython(): Program {
    return readPythonProgram(fs.readFileSync(PYTHON_PATH, "utf8"));
}

/** `type name` of a resource, the key the comparison goes by. */
const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;

/**
 * The quickstart's resources that an example declaring `program` must create: the program's own
 * top-level resources, and every child of one of its `nhi` components (named `<component>-…`).
 */
function expectedFrom(quickstartResources: readonly Registered[], program: Program): Registered[] {
    const names = new Set(program.resources.map((r) => r.name));
    const components = program.resources.filter((r) => r.type.startsWith("nhi:")).map((r) => r.name);
    return quickstartResources.filter((r) =>
        r.parentType === undefined
            ? names.has(r.name)
            : components.some((c) => r.name === c || r.name.startsWith(`${c}-`)),
    );
}

describe("examples/yaml and examples/python: the quickstart in other languages", () => {
    let schema: PackageSchema;

    before(() => {
        schema = loadSchema();
    });

    describe("against the schema (provider/schema.json)", () => {
        for (const [language, read] of [
            ["YAML", readYaml],
            ["Python", readPython],
        ] as const) {
            it(`${language}: every nhi type, property and value fits the schema`, () => {
                // GIVEN the example program WHEN it is checked against the schema
                const { problems, resources } = checkProgram(read(), schema);
                // THEN there is no problem, and it declares the quickstart's representative identities
                assert.deepStrictEqual(problems, []);
                assert.deepStrictEqual(resources.filter((r) => r.type.startsWith("nhi:")).map(key), NHI_RESOURCES);
            });
        }

        it("the Python program declares what the YAML program declares, under the same schema names", () => {
            // GIVEN both programs, checked WHEN their arguments are compared under the schema's names
            const fromYaml = checkProgram(readYaml(), schema).resources;
            const fromPython = checkProgram(readPython(), schema).resources;
            // THEN they are the same resources with the same arguments (Python's snake_case mapped back)
            assert.deepStrictEqual(fromPython, fromYaml);
        });

        it("the two programs export the same outputs", () => {
            assert.deepStrictEqual(
                readPython().outputs,
                readYaml().outputs.map(([k, v]) => [
                    k,
                    v.kind === "resource" && v.output !== undefined ? { ...v, output: pythonName(v.output) } : v,
                ]),
            );
        });
    });

    describe("README: Using nhi from Python, Go, .NET, Java and YAML", () => {
        /** The YAML block of "A whole program in YAML". */
        function readmeYaml(): string {
            const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
            const section = readme.slice(readme.indexOf("### A whole program in YAML"));
            const block = /```yaml\n([\s\S]*?)```/.exec(section);
            assert.ok(block, 'a ```yaml block under "A whole program in YAML"');
            return block[1];
        }

        it("shows examples/yaml/Pulumi.yaml, with the package from a release instead of the checkout", () => {
            // GIVEN the README's YAML program and the example's WHEN both are parsed
            const shown = yaml.load(readmeYaml()) as Record<string, any>;
            const example = yaml.load(fs.readFileSync(YAML_PATH, "utf8")) as Record<string, any>;
            // THEN they are the same program, but for where the package comes from
            assert.deepStrictEqual(shown.packages, { nhi: "github.com/pulumi-nhi/pulumi-nhi/provider@v0.2.0" });
            assert.deepStrictEqual(example.packages, { nhi: "../../provider" });
            assert.deepStrictEqual({ ...shown, packages: undefined }, { ...example, packages: undefined });
        });

        it("the README's YAML program fits the schema", () => {
            assert.deepStrictEqual(checkProgram(readYamlProgram(readmeYaml()), schema).problems, []);
        });

        /** The code blocks of "One identity in each language", by fence language. */
        function identityBlocks(): Record<string, string> {
            const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
            const start = readme.indexOf("### One identity in each language");
            const section = readme.slice(start, readme.indexOf("\n### ", start + 1));
            return Object.fromEntries([...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));
        }

        it("its Python deployer is the example's, property for property, and fits the schema", () => {
            // GIVEN the README's Python snippet, after the resources it names (as the example declares them)
            const prelude = [
                "import pulumi_aws as aws",
                'github_oidc = aws.iam.OpenIdConnectProvider("github-actions", url="https://token.actions.githubusercontent.com", client_id_lists=["sts.amazonaws.com"])',
                'artifacts = aws.s3.Bucket("build-artifacts", tags={"app": "payments"})',
                "import pulumi",
                "config = pulumi.Config()",
                'function_arn = config.get("paymentsFunctionArn") or "arn:aws:lambda:us-east-1:123456789012:function:payments-api"',
                "",
            ].join("\n");
            const snippet = checkProgram(readPythonProgram(prelude + identityBlocks().python), schema);
            // WHEN it is checked THEN it fits the schema, and declares the example's deployer (but its
            // usage alarm, which needs the monitor the snippet leaves out)
            assert.deepStrictEqual(snippet.problems, []);
            const example = checkProgram(readYaml(), schema).resources.find((r) => r.name === "payments-deployer")!;
            const shown = snippet.resources.find((r) => r.name === "payments-deployer")!;
            const { unusedAlarm, ...rest } = example.args;
            assert.ok(unusedAlarm !== undefined);
            assert.deepStrictEqual(shown.args, rest);
        });

        it("its Go, C# and Java deployers name only the schema's types, properties and outputs", () => {
            // GIVEN the names the schema gives nhi:aws:ServiceIdentity, its outputs and every nhi:aws type
            const resource = schema.resources["nhi:aws:ServiceIdentity"];
            const awsTypes = Object.keys(schema.types ?? {}).filter((t) => t.startsWith("nhi:aws:"));
            const properties = new Set([
                ...Object.keys(resource.inputProperties ?? {}),
                ...awsTypes.flatMap((t) => Object.keys((schema.types![t] as { properties?: object }).properties ?? {})),
            ]);
            const types = new Set(["ServiceIdentity", ...awsTypes.map((t) => t.split(":")[2])]);
            const outputs = new Set(Object.keys(resource.properties ?? {}));
            const lower = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
            const blocks = identityBlocks();
            const used = {
                go: {
                    fields: [...blocks.go.matchAll(/\b([A-Z]\w*):(?!=)/g)],
                    types: [...blocks.go.matchAll(/nhiaws\.(\w+)Args\b/g)],
                    outputs: [...blocks.go.matchAll(/deployer\.(\w+)/g)],
                },
                csharp: {
                    fields: [...blocks.csharp.matchAll(/\b([A-Z]\w*) =(?!>)/g)],
                    types: [...blocks.csharp.matchAll(/Inputs\.(\w+)Args\b/g)],
                    outputs: [],
                },
                java: {
                    fields: [...blocks.java.matchAll(/\.(\w+)\((?!\))/g)].filter((m) => m[1] !== "applyValue"),
                    types: [...blocks.java.matchAll(/\b(\w+)Args\.builder/g)],
                    outputs: [],
                },
            };
            for (const [language, names] of Object.entries(used)) {
                // WHEN the snippet's field, type and output names are read
                const fields = names.fields.map((m) => lower(m[1]));
                // THEN each is one the schema has (a rename in the schema fails this test)
                assert.ok(fields.length >= 10, `${language}: ${fields.length} fields`);
                assert.deepStrictEqual(
                    fields.filter((f) => !properties.has(f)),
                    [],
                    `${language} fields`,
                );
                assert.deepStrictEqual(
                    names.types.map((m) => m[1]).filter((t) => !types.has(t)),
                    [],
                    `${language} types`,
                );
                assert.deepStrictEqual(
                    names.outputs.map((m) => lower(m[1])).filter((o) => !outputs.has(o)),
                    [],
                    `${language} outputs`,
                );
            }
        });

        it("names the SDKs as the schema's language section does", () => {
            const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
            const language = (schema as unknown as { language: Record<string, Record<string, string>> }).language;
            for (const name of [
                `\`${language.python.packageName}\``,
                `\`${language.go.importBasePath}\``,
                `\`${language.csharp.rootNamespace}.Nhi\``,
                `\`${language.java.basePackage}.nhi\``,
            ]) {
                assert.ok(readme.includes(name), name);
            }
            assert.ok(fs.readFileSync(PYTHON_PATH, "utf8").includes(`import ${language.python.packageName} as nhi`));
        });
    });

    describe("a mistake in an example fails the check, naming the property", () => {
        /** `text` with the first `from` replaced by `to`; fails if `from` is not there, so no row can pass by missing its target. */
        function mutate(text: string, from: string, to: string): string {
            assert.ok(text.includes(from), `the example no longer contains ${JSON.stringify(from)}`);
            return text.replace(from, to);
        }
        const yamlText = () => fs.readFileSync(YAML_PATH, "utf8");
        const pythonText = () => fs.readFileSync(PYTHON_PATH, "utf8");
        const rows: {
            what: string;
            read: (text: string) => Program;
            text: () => string;
            from: string;
            to: string;
            problems: string[];
        }[] = [
            {
                what: "YAML: a wrong property name",
                read: readYamlProgram,
                text: yamlText,
                from: "          logGroups:",
                to: "          logGroup:",
                problems: [
                    "invoice-worker: `trust.service.logGroup` is not a property here; allowed: `principal`, `logGroups`, `sourceAccount` or `sourceArn`. Did you mean `logGroups`?",
                ],
            },
            {
                what: "YAML: a missing required input",
                read: readYamlProgram,
                text: yamlText,
                from: '      owner: team-payments\n      purpose: "Lambda of the payments API',
                to: '      purpose: "Lambda of the payments API',
                problems: ["payments-api: `owner` is required."],
            },
            {
                what: "YAML: a value outside an enum",
                read: readYamlProgram,
                text: yamlText,
                from: "access: read",
                to: "access: reed",
                problems: [
                    'invoice-worker: `grants[0].access` must be `read`, `write`, `list`, `tagging` or `permissions-management`; got the string `"reed"`. Did you mean `read`?',
                ],
            },
            {
                what: "YAML: a number given as text",
                read: readYamlProgram,
                text: yamlText,
                from: "afterDays: 14",
                to: 'afterDays: "14"',
                problems: ['invoice-worker: `unusedAlarm.afterDays` must be a whole number; got the string `"14"`.'],
            },
            {
                what: "YAML: a fraction where a whole number is meant",
                read: readYamlProgram,
                text: yamlText,
                from: "rotateEveryDays: 30",
                to: "rotateEveryDays: 30.5",
                problems: ["webhook-signing: `rotateEveryDays` must be a whole number; got the number `30.5`."],
            },
            {
                what: "YAML: a resource where its ARN is meant",
                read: readYamlProgram,
                text: yamlText,
                from: "alarmTopic: ${identity-notices.arn}",
                to: "alarmTopic: ${identity-notices}",
                problems: [
                    "usage: `alarmTopic` must be a string; got the resource `identity-notices` (aws:sns:Topic).",
                ],
            },
            {
                what: "YAML: an output the component does not have",
                read: readYamlProgram,
                text: yamlText,
                from: "${payments-api.roleArn}",
                to: "${payments-api.roleArm}",
                problems: [
                    "webhook-signing: `payments-api.roleArm` is not an output of `nhi:aws:ServiceIdentity`; outputs: `roleArn`, `roleName`, `trustPolicy`, `policyDocuments`, `managedPolicyArns`, `expiresAt` or `auditQuery`.",
                ],
            },
            {
                what: "YAML: a misspelt type token",
                read: readYamlProgram,
                text: yamlText,
                from: "type: nhi:aws:ServiceIdentity",
                to: "type: nhi:aws:ServiceIdentiy",
                problems: [
                    "invoice-worker: `nhi:aws:ServiceIdentiy` is not a resource of the `nhi` schema. Did you mean `nhi:aws:ServiceIdentity` or `nhi:gcp:ServiceIdentity`?",
                ],
            },
            {
                what: "Python: a wrong property name",
                read: readPythonProgram,
                text: pythonText,
                from: '"log_groups"',
                to: '"log_group"',
                problems: [
                    "invoice-worker: `trust.service.log_group` is not a property here; allowed: `principal`, `log_groups`, `source_account` or `source_arn`. Did you mean `log_groups`?",
                ],
            },
            {
                what: "Python: the TypeScript (camelCase) name of a property",
                read: readPythonProgram,
                text: pythonText,
                from: '"oidc_provider_arn"',
                to: '"oidcProviderArn"',
                problems: [
                    "payments-deployer: `trust.github_actions.oidcProviderArn` is not a property here; allowed: `repository`, `environment`, `ref`, `oidc_provider_arn` or `subjects`. Did you mean `oidc_provider_arn`?",
                    "payments-deployer: `trust.github_actions.oidc_provider_arn` is required.",
                ],
            },
            {
                what: "Python: a missing required input",
                read: readPythonProgram,
                text: pythonText,
                from: '    owner="team-payments",\n    purpose="Lambda of the payments API',
                to: '    purpose="Lambda of the payments API',
                problems: ["payments-api: `owner` is required."],
            },
            {
                what: "Python: a value outside an enum",
                read: readPythonProgram,
                text: pythonText,
                from: '"access": "read"',
                to: '"access": "reed"',
                problems: [
                    'invoice-worker: `grants[0].access` must be `read`, `write`, `list`, `tagging` or `permissions-management`; got the string `"reed"`. Did you mean `read`?',
                ],
            },
            {
                what: "Python: a misspelt component class",
                read: readPythonProgram,
                text: pythonText,
                from: "nhi.aws.ServiceIdentity(",
                to: "nhi.aws.ServiceIdentiy(",
                problems: [
                    "invoice-worker: `nhi:aws:ServiceIdentiy` is not a resource of the `nhi` schema. Did you mean `nhi:aws:ServiceIdentity` or `nhi:gcp:ServiceIdentity`?",
                ],
            },
        ];
        for (const row of rows) {
            it(row.what, () => {
                // GIVEN the example with one mistake WHEN it is checked against the schema
                const { problems } = checkProgram(row.read(mutate(row.text(), row.from, row.to)), schema);
                // THEN the check reports exactly that mistake, by resource and property path
                assert.deepStrictEqual(problems, row.problems);
            });
        }

        it("Python: code outside the subset the test reads is refused by line, not skipped", () => {
            // GIVEN a computed value the reader does not follow WHEN the program is read THEN it fails naming the line
            const text = mutate(pythonText(), "retention_in_days=30,", "retention_in_days=15 * 2,");
            assert.throws(() => readPythonProgram(text), {
                message: "__main__.py:30: BinOp is not a value the examples use",
            });
        });
    });

    describe("the same resources as the TypeScript quickstart", () => {
        let fromQuickstart: Registered[];

        before(async () => {
            ({ resources: fromQuickstart } = await capture(quickstart));
        });

        /**
         * Declares `program` with the TypeScript classes of its type tokens and asserts that it
         * creates exactly the quickstart's resources for the same identities: the same types, names
         * and parents, and the same inputs (role and trust policies, tags, secret policies,
         * schedules, functions).
         */
        async function assertSameAsQuickstart(program: Program): Promise<void> {
            const checked = checkProgram(program, schema);
            assert.deepStrictEqual(checked.problems, []);
            const { resources } = await capture(() => declareProgram(checked, PACKAGES));
            const expected = expectedFrom(fromQuickstart, program);
            assert.deepStrictEqual(resources.map(key).sort(), expected.map(key).sort());
            const byKey = new Map(expected.map((r) => [key(r), r]));
            for (const r of resources) {
                const q = byKey.get(key(r))!;
                assert.deepStrictEqual(
                    { parentType: r.parentType, inputs: r.inputs },
                    { parentType: q.parentType, inputs: q.inputs },
                    key(r),
                );
            }
            // The components registered their children: the comparison is not vacuous.
            assert.ok(resources.length > program.resources.length + 40, `${resources.length} resources`);
        }

        for (const [language, read] of [
            ["YAML", readYaml],
            ["Python", readPython],
        ] as const) {
            it(`${language}: every resource, child, parent and input equals the quickstart's for the same identities`, async () => {
                // GIVEN the example program, checked against the schema
                // WHEN it is declared with the TypeScript classes of the same type tokens
                // THEN it creates exactly the quickstart's resources for its identities
                await assertSameAsQuickstart(read());
            });
        }

        it("a value the schema accepts but the quickstart does not use fails the comparison", async () => {
            // GIVEN the YAML example granting the worker SendMessage instead of DeleteMessage (valid for the schema)
            const text = fs.readFileSync(YAML_PATH, "utf8");
            assert.ok(text.includes("- sqs:DeleteMessage"));
            const program = readYamlProgram(text.replace("- sqs:DeleteMessage", "- sqs:SendMessage"));
            // WHEN it is compared with the quickstart THEN the worker's role policy differs
            await assert.rejects(assertSameAsQuickstart(program), (e: Error) =>
                e.message.includes("aws:iam/rolePolicy:RolePolicy invoice-worker-policy"),
            );
        });
    });
});
