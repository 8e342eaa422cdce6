import * as assert from "assert";
import * as awsClassic from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aws, gcp } from "../../components";
import { Registered, capture, installMocks, ofType, valueOf } from "../support/mock-graph";
import { AWS_SERVICE_IDENTITY_TYPE } from "../../components/aws/service-identity";
import { GCP_SERVICE_IDENTITY_TYPE } from "../../components/gcp/service-identity";

/**
 * The README's "Renaming an identity safely" and "Adopting existing roles and service accounts",
 * checked under Pulumi's mocks.
 *
 * What the mocks can show: the aliases each registration sends to the engine (read from the
 * RegisterResource requests), the URNs the old program's resources had, and the aliases the SDK
 * derives for a child from its parent's aliases (`pulumi.allAliases`, the rule the engine applies
 * to children: a child named `<parent>-<suffix>` is also looked up as `<old parent>-<suffix>` under
 * the parent's old URN). What they cannot show: the engine's diff (same URN ⇒ update, not
 * replace) and the provider keeping an auto-name; those need a real `pulumi preview`.
 */

interface Request {
    readonly type: string;
    readonly name: string;
    /** The alias specs sent, as `name=<n> type=<t> noParent|parentUrn=<u>`; URN aliases as themselves. */
    readonly aliases: string[];
}

/** Runs `declare` under the mocks, recording every RegisterResource request's aliases. */
async function recordRequests<T>(
    declare: () => T,
): Promise<{ value: T; resources: Registered[]; requests: Request[] }> {
    installMocks();
    const monitor: any = pulumi.runtime.getMonitor();
    const original = monitor.registerResource;
    const requests: Request[] = [];
    monitor.registerResource = function (req: any, callback: any) {
        requests.push({
            type: req.getType(),
            name: req.getName(),
            aliases: req.getAliasesList().map((a: any) => {
                if (!a.hasSpec()) {
                    return a.getUrn();
                }
                const s = a.getSpec();
                const parent = s.getNoparent() ? " noParent" : s.getParenturn() ? ` parentUrn=${s.getParenturn()}` : "";
                return `name=${s.getName()}${s.getType() ? ` type=${s.getType()}` : ""}${parent}`;
            }),
        });
        return original.call(this, req, callback);
    };
    try {
        return { ...(await capture(declare)), requests };
    } finally {
        monitor.registerResource = original;
    }
}

/** The URN the mock engine gave the resource of `type` named `name`. */
function urnOf(type: string, name: string): string {
    const urns: string[] = [...(pulumi.runtime.getMonitor() as any).getRegisteredResources().keys()];
    const found = urns.filter(
        (u) => u.endsWith(`::${name}`) && (u.includes(`::${type}::`) || u.includes(`$${type}::`)),
    );
    assert.strictEqual(found.length, 1, `one URN for ${type} ${name}: ${found.join(", ")}`);
    return found[0];
}

/** The URNs the engine also looks a child up by, derived from its parent's aliases. */
async function inheritedAliases(child: Registered, parent: pulumi.Resource, parentName: string): Promise<string[]> {
    return Promise.all(pulumi.allAliases([], child.name, child.type, parent, parentName).map(valueOf));
}

/**
 * The alias every `aws.ServiceIdentity` at the top of the stack sends: the URN it had under its
 * 0.1.0 type token, same name and parent.
 */
const legacyAwsAlias = (name: string) =>
    `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::nhi:index:AwsServiceIdentity::${name}`;

/** The URN a child of this name had under a 0.1.0 parent (`nhi:index:<legacy>`) of the same name. */
const legacyUrn = (legacy: string, child: Registered) =>
    `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::nhi:index:${legacy}$${child.type}::${child.name}`;

const children = (resources: readonly Registered[], parentType: string) =>
    resources.filter((r) => r.parentType === parentType);

describe("renaming an identity safely", () => {
    describe("aws.ServiceIdentity", () => {
        const args = (): aws.AwsServiceIdentityArgs => ({
            owner: "team-payments",
            purpose: "Lambda that parses uploaded invoices",
            trust: { service: { principal: "lambda.amazonaws.com" } },
            grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-invoices/incoming/*"] }],
        });

        it("with `aliases: [{ name: <old name> }]`, every child is found under the URN it had before the rename", async () => {
            // GIVEN a stack that declared the identity as "billing-worker"
            const before = await capture(() => new aws.ServiceIdentity("billing-worker", args()));
            const oldChildren = children(before.resources, AWS_SERVICE_IDENTITY_TYPE);
            assert.deepStrictEqual(oldChildren.map((r) => r.name).sort(), [
                "billing-worker-policy",
                "billing-worker-role",
            ]);
            // WHEN the program renames it to "invoice-worker" with an alias of the old name
            const after = await recordRequests(
                () => new aws.ServiceIdentity("invoice-worker", args(), { aliases: [{ name: "billing-worker" }] }),
            );
            // THEN the component's registration carries the alias
            assert.deepStrictEqual(after.requests.find((r) => r.type === AWS_SERVICE_IDENTITY_TYPE)?.aliases, [
                "name=billing-worker",
                legacyAwsAlias("invoice-worker"),
            ]);
            // AND each child, named `invoice-worker-…`, is aliased to the URN of `billing-worker-…`
            const newChildren = children(after.resources, AWS_SERVICE_IDENTITY_TYPE);
            for (const child of newChildren) {
                const oldName = child.name.replace(/^invoice-worker/, "billing-worker");
                assert.deepStrictEqual(await inheritedAliases(child, after.value, "invoice-worker"), [
                    urnOf(child.type, oldName),
                    legacyUrn("AwsServiceIdentity", child),
                ]);
            }
            // AND the role has no physical name among its inputs, so the provider keeps the auto-name it
            // gave the role (billing-worker-role-<random>) instead of replacing the role to rename it
            const [oldRole, newRole] = [before.resources, after.resources].map(
                (rs) => ofType(rs, "aws:iam/role:Role")[0],
            );
            assert.strictEqual(newRole.inputs.name, undefined);
            assert.deepStrictEqual({ ...newRole.inputs }, { ...oldRole.inputs });
        });

        it("without aliases, no child of the renamed identity has the URN of the old one: a delete and a create each", async () => {
            // GIVEN the same rename without aliases
            const before = await capture(() => new aws.ServiceIdentity("ledger-worker", args()));
            const after = await recordRequests(() => new aws.ServiceIdentity("journal-worker", args()));
            // THEN nothing is aliased but the component's own pre-0.2.0 type, and every URN is new
            assert.deepStrictEqual(
                after.requests.filter((r) => r.aliases.length > 0).map((r) => `${r.type} ${r.aliases.join(" ")}`),
                [`${AWS_SERVICE_IDENTITY_TYPE} ${legacyAwsAlias("journal-worker")}`],
            );
            const oldUrns = before.resources.map((r) => urnOf(r.type, r.name));
            const newUrns = after.resources.map((r) => urnOf(r.type, r.name));
            assert.deepStrictEqual(
                newUrns.filter((u) => oldUrns.includes(u)),
                [],
            );
        });
    });

    describe("gcp.ServiceIdentity", () => {
        const args = (): gcp.GcpServiceIdentityArgs => ({
            project: "acme-reports-prod",
            owner: "team-reports",
            purpose: "Cloud Run service that renders reports",
            grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "acme-reports" } }],
        });

        it("with the old `accountId` and `aliases`, the same service account and bindings are kept", async () => {
            // GIVEN a stack that declared the account as "report-renderer" (account ID derived: report-renderer)
            const before = await capture(() => new gcp.ServiceIdentity("report-renderer", args()));
            // WHEN the program renames it, pinning the old account ID and aliasing the old name
            const after = await recordRequests(
                () =>
                    new gcp.ServiceIdentity(
                        "pdf-renderer",
                        { ...args(), accountId: "report-renderer" },
                        { aliases: [{ name: "report-renderer" }] },
                    ),
            );
            // THEN the account's inputs are unchanged (same email, so the same account and unique ID)
            const [oldAccount, newAccount] = [before.resources, after.resources].map(
                (rs) => ofType(rs, "gcp:serviceaccount/account:Account")[0],
            );
            assert.deepStrictEqual({ ...newAccount.inputs }, { ...oldAccount.inputs });
            assert.strictEqual(
                await valueOf(after.value.email),
                "report-renderer@acme-reports-prod.iam.gserviceaccount.com",
            );
            // AND every child is aliased to the URN it had under the old name
            assert.deepStrictEqual(after.requests.find((r) => r.type === GCP_SERVICE_IDENTITY_TYPE)?.aliases, [
                "name=report-renderer",
                `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::nhi:index:GcpServiceIdentity::pdf-renderer`,
            ]);
            const newChildren = children(after.resources, GCP_SERVICE_IDENTITY_TYPE);
            assert.strictEqual(newChildren.length, 2);
            for (const child of newChildren) {
                const oldName = child.name.replace(/^pdf-renderer/, "report-renderer");
                assert.deepStrictEqual(await inheritedAliases(child, after.value, "pdf-renderer"), [
                    urnOf(child.type, oldName),
                    legacyUrn("GcpServiceIdentity", child),
                ]);
            }
        });

        it("with aliases alone, the account ID follows the new name: Google gets a new account", async () => {
            // GIVEN the same rename without `accountId`
            const before = await capture(() => new gcp.ServiceIdentity("invoice-mailer", args()));
            const after = await capture(
                () => new gcp.ServiceIdentity("receipt-mailer", args(), { aliases: [{ name: "invoice-mailer" }] }),
            );
            // THEN the account ID differs; `accountId` cannot change in place, so the provider replaces
            // the account (new email, new unique ID) and every binding that names it
            const [oldAccount, newAccount] = [before.resources, after.resources].map(
                (rs) => ofType(rs, "gcp:serviceaccount/account:Account")[0],
            );
            assert.deepStrictEqual(
                [oldAccount.inputs.accountId, newAccount.inputs.accountId],
                ["invoice-mailer", "receipt-mailer"],
            );
            const [oldBinding, newBinding] = [before.resources, after.resources].map(
                (rs) => ofType(rs, "gcp:storage/bucketIAMMember:BucketIAMMember")[0],
            );
            assert.notStrictEqual(newBinding.inputs.member, oldBinding.inputs.member);
        });
    });
});

describe("upgrading from 0.1.0's type tokens (nhi:index:AwsServiceIdentity → nhi:aws:ServiceIdentity)", () => {
    for (const [cloud, legacy, declare] of [
        [
            "aws",
            "AwsServiceIdentity",
            () =>
                new aws.ServiceIdentity("ledger-reader", {
                    owner: "team-payments",
                    purpose: "Lambda that reads the ledger",
                    trust: { service: { principal: "lambda.amazonaws.com" } },
                    grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-ledger/*"] }],
                }),
        ],
        [
            "gcp",
            "GcpServiceIdentity",
            () =>
                new gcp.ServiceIdentity("ledger-reader", {
                    project: "acme-reports-prod",
                    owner: "team-reports",
                    purpose: "Cloud Run service that reads the ledger",
                    grants: [{ role: "roles/storage.objectViewer", resource: { bucket: "acme-ledger" } }],
                }),
        ],
    ] as Array<[string, string, () => pulumi.ComponentResource]>) {
        it(`${cloud}.ServiceIdentity: the component and every child are found under the URNs 0.1.0 gave them`, async () => {
            // GIVEN the resources a 0.1.0 program registered: the same children under a parent typed nhi:index:…
            const current = await capture(declare);
            const newChildren = children(current.resources, `nhi:${cloud}:ServiceIdentity`);
            assert.ok(newChildren.length >= 2);
            await capture(() => {
                const old = new pulumi.ComponentResource(`nhi:index:${legacy}`, "ledger-reader", {});
                for (const child of newChildren) {
                    new (
                        pulumi.CustomResource as unknown as new (
                            t: string,
                            n: string,
                            p: object,
                            o: object,
                        ) => pulumi.CustomResource
                    )(child.type, child.name, {}, { parent: old });
                }
            });
            const oldComponent = urnOf(`nhi:index:${legacy}`, "ledger-reader");
            const registered: string[] = [...(pulumi.runtime.getMonitor() as any).getRegisteredResources().keys()];
            const oldUrns = new Map(
                newChildren.map((c) => [
                    `${c.type} ${c.name}`,
                    registered.find((u) => u.includes(`nhi:index:${legacy}$${c.type}::`) && u.endsWith(`::${c.name}`)),
                ]),
            );
            assert.deepStrictEqual(
                [...oldUrns.values()],
                newChildren.map((c) => legacyUrn(legacy, c)),
            );
            // WHEN the same program runs with this version
            const after = await recordRequests(declare);
            // THEN the component is aliased to its 0.1.0 URN (type only: same name, same parent)
            const component = after.requests.find((r) => r.type === `nhi:${cloud}:ServiceIdentity`);
            assert.deepStrictEqual(component?.aliases, [oldComponent]);
            assert.strictEqual(
                oldComponent,
                `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::nhi:index:${legacy}::ledger-reader`,
            );
            // AND each child is looked up under exactly the URN its 0.1.0 self had, so nothing is replaced
            const afterChildren = children(after.resources, `nhi:${cloud}:ServiceIdentity`);
            assert.deepStrictEqual(afterChildren.map((c) => `${c.type} ${c.name}`).sort(), [...oldUrns.keys()].sort());
            for (const child of afterChildren) {
                assert.deepStrictEqual(await inheritedAliases(child, after.value, "ledger-reader"), [
                    oldUrns.get(`${child.type} ${child.name}`),
                ]);
            }
        });
    }
});

describe("upgrading from 0.1.0's type tokens, inside a component of the user's", () => {
    it("aws.ServiceIdentity under a parent: aliased by type (the parent's URN is known only later), every child found under its 0.1.0 URN", async () => {
        const declare = () => {
            const app = new pulumi.ComponentResource("acme:index:Billing", "billing", {});
            const identity = new aws.ServiceIdentity(
                "ledger-reader",
                {
                    owner: "team-payments",
                    purpose: "Lambda that reads the ledger",
                    trust: { service: { principal: "lambda.amazonaws.com" } },
                    grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-ledger/*"] }],
                },
                { parent: app },
            );
            return identity;
        };
        // GIVEN the URNs a 0.1.0 program gave the identity under the user's component
        const parentPrefix = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::acme:index:Billing$`;
        // WHEN the same program runs with this version
        const after = await recordRequests(declare);
        // THEN the identity's alias is its 0.1.0 type, with the same name and parent
        const component = after.requests.find((r) => r.type === AWS_SERVICE_IDENTITY_TYPE);
        assert.deepStrictEqual(component?.aliases, [
            `name= type=nhi:index:AwsServiceIdentity parentUrn=${parentPrefix.slice(0, -1)}::billing`,
        ]);
        // AND each child is looked up under the URN it had under the 0.1.0 type within the user's component
        const newChildren = children(after.resources, AWS_SERVICE_IDENTITY_TYPE);
        assert.deepStrictEqual(newChildren.map((c) => c.name).sort(), ["ledger-reader-policy", "ledger-reader-role"]);
        for (const child of newChildren) {
            assert.deepStrictEqual(await inheritedAliases(child, after.value, "ledger-reader"), [
                `${parentPrefix}nhi:index:AwsServiceIdentity$${child.type}::${child.name}`,
            ]);
        }
    });
});

describe("adopting hand-written resources into an identity", () => {
    /**
     * The README's transform, verbatim: each child the component declares is also looked up under
     * the URN the hand-written resource of the same name had at the top of the stack, and the role
     * keeps the physical name it already has. The README passes it as `transforms`; Pulumi's mocks
     * do not run `transforms` (the mock monitor reports no support for them), so this test passes
     * the same function as `transformations`, the SDK-side predecessor with the same arguments and
     * result, which sends the same options to the engine.
     */
    const adoptHandWritten =
        (roleName: string) =>
        (args: { type: string; name: string; props: pulumi.Inputs; opts: pulumi.ResourceOptions }) => {
            if (args.type === AWS_SERVICE_IDENTITY_TYPE) {
                return undefined;
            }
            const handWritten = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${args.type}::${args.name}`;
            return {
                props: args.type === "aws:iam/role:Role" ? { ...args.props, name: roleName } : args.props,
                opts: { ...args.opts, aliases: [...(args.opts.aliases ?? []), handWritten] },
            };
        };

    it("aliases each child to the top-level resource it replaces and keeps the role's physical name", async () => {
        // GIVEN a stack that declared the role and its inline policy by hand, under the names the component uses
        const trust = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        await capture(() => {
            const role = new awsClassic.iam.Role("statement-worker-role", {
                name: "statement-worker",
                assumeRolePolicy: trust,
            });
            new awsClassic.iam.RolePolicy("statement-worker-policy", { role: role.id, policy: "{}" });
        });
        const handWritten = [
            "aws:iam/role:Role statement-worker-role",
            "aws:iam/rolePolicy:RolePolicy statement-worker-policy",
        ].map((r) => urnOf(r.split(" ")[0], r.split(" ")[1]));
        // WHEN the program declares the identity instead, with the transform
        const after = await recordRequests(
            () =>
                new aws.ServiceIdentity(
                    "statement-worker",
                    {
                        owner: "team-payments",
                        purpose: "Lambda that renders statements",
                        trust: { service: { principal: "lambda.amazonaws.com" } },
                        grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-statements/*"] }],
                    },
                    { transformations: [adoptHandWritten("statement-worker")] },
                ),
        );
        // THEN each child's registration carries the URN of the hand-written resource of its name
        const childAliases = after.requests
            .filter((r) => r.type !== AWS_SERVICE_IDENTITY_TYPE)
            .map((r) => `${r.type} ${r.name} ${r.aliases.join(" ")}`)
            .sort();
        assert.deepStrictEqual(childAliases, [
            `aws:iam/role:Role statement-worker-role ${handWritten[0]}`,
            `aws:iam/rolePolicy:RolePolicy statement-worker-policy ${handWritten[1]}`,
        ]);
        // AND the role keeps its physical name, so adopting it is an update, not a replacement
        assert.strictEqual(ofType(after.resources, "aws:iam/role:Role")[0].inputs.name, "statement-worker");
        // AND the component itself is registered as new, with no alias but its own pre-0.2.0 type
        assert.deepStrictEqual(after.requests.find((r) => r.type === AWS_SERVICE_IDENTITY_TYPE)?.aliases, [
            legacyAwsAlias("statement-worker"),
        ]);
    });
});
