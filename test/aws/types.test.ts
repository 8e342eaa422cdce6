import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { TABLE_NOW } from "../support/bad-input";

/*
 * The argument types say what the constructor enforces. `npm test` runs `tsc --noEmit` over this
 * file: each `@ts-expect-error` below must meet an error, so the type check fails the day a bad
 * shape compiles again. The good shapes must compile as they are. The test at the end checks that
 * the constructor refuses each bad shape too, for JavaScript callers.
 */

const OIDC_GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const OIDC_EKS = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
const QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs";
const LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/worker";
const base = { owner: "team-payments", purpose: "Processes invoices" } as const;

/** Good shapes: each compiles. */
const good: aws.AwsServiceIdentityArgs[] = [
    { ...base, trust: { service: { principal: "lambda.amazonaws.com", logGroups: [LOG_GROUP] } }, grants: [] },
    {
        ...base,
        trust: { service: { principal: "ecs-tasks.amazonaws.com", sourceAccount: "123456789012" } },
        grants: [{ actions: ["sqs:SendMessage"], resources: [QUEUE] }],
    },
    {
        ...base,
        trust: { githubActions: { repository: "acme/payments", environment: "prod", oidcProviderArn: OIDC_GITHUB } },
        grants: [{ service: "sqs", access: "read", resources: [QUEUE] }],
    },
    // an Output issuer of an EKS cluster in the same stack, or none at all (derived from the ARN)
    {
        ...base,
        trust: {
            eksServiceAccount: {
                oidcProviderArn: pulumi.output(OIDC_EKS),
                oidcIssuer: pulumi.output("https://oidc.eks.us-east-1.amazonaws.com/id/ABC"),
                namespace: "ns",
                serviceAccount: "sa",
            },
        },
        grants: [],
    },
    {
        ...base,
        trust: { eksServiceAccount: { oidcProviderArn: OIDC_EKS, namespace: "ns", serviceAccount: "sa" } },
        grants: [],
    },
    {
        ...base,
        trust: { account: { principalArn: "arn:aws:iam::210987654321:root", externalId: "abc123" } },
        grants: [{ actions: ["s3:Get*"], allowWildcard: true, resources: ["arn:aws:s3:::invoices/*"] }],
    },
];

/** Readonly arrays and records (`as const`, `ReadonlyArray`) are accepted as they are. */
const resources: readonly string[] = [QUEUE] as const;
const frozen: aws.AwsServiceIdentityArgs = {
    ...base,
    trust: { service: { principal: "lambda.amazonaws.com" } },
    grants: [{ actions: ["sqs:ReceiveMessage"] as const, resources }],
    tags: { team: "payments" } as const,
};

/** Bad shapes: each is a type error, and each is refused at run time with the message below. */
// Kept as written: each `@ts-expect-error` applies to the one line after it.
// prettier-ignore
const bad: { args: unknown; path: string }[] = [
    // @ts-expect-error `trust: {}` gives no kind of trust
    { args: ((): aws.AwsServiceIdentityArgs => ({ ...base, trust: {}, grants: [] }))(), path: "trust" },
    // @ts-expect-error two kinds of trust at once
    { args: ((): aws.AwsServiceIdentityArgs => ({ ...base, trust: { service: { principal: "lambda.amazonaws.com" }, account: { principalArn: "arn:aws:iam::210987654321:root", externalId: "abc123" } }, grants: [] }))(), path: "trust" },
    // @ts-expect-error `actions` with `access`
    { args: ((): aws.AwsServiceIdentityArgs => ({ ...base, trust: { service: { principal: "lambda.amazonaws.com" } }, grants: [{ actions: ["sqs:ReceiveMessage"], service: "sqs", access: "read", resources: [QUEUE] }] }))(), path: "grants[0]" },
    // @ts-expect-error neither `actions` nor `service`/`access`
    { args: ((): aws.AwsServiceIdentityArgs => ({ ...base, trust: { service: { principal: "lambda.amazonaws.com" } }, grants: [{ resources: [QUEUE] }] }))(), path: "grants[0]" },
    // @ts-expect-error `allowWildcard` on an access-level grant
    { args: ((): aws.AwsServiceIdentityArgs => ({ ...base, trust: { service: { principal: "lambda.amazonaws.com" } }, grants: [{ service: "sqs", access: "read", allowWildcard: true, resources: [QUEUE] }] }))(), path: "grants[0].allowWildcard" },
    // @ts-expect-error an access level that does not exist
    { args: ((): aws.AwsServiceIdentityArgs => ({ ...base, trust: { service: { principal: "lambda.amazonaws.com" } }, grants: [{ service: "sqs", access: "raed", resources: [QUEUE] }] }))(), path: "grants[0].access" },
    // @ts-expect-error `logGroups` on a principal other than Lambda
    { args: ((): aws.AwsServiceIdentityArgs => ({ ...base, trust: { service: { principal: "ecs-tasks.amazonaws.com", logGroups: [LOG_GROUP] } }, grants: [] }))(), path: "trust.service.logGroups" },
];

/** Readonly: the arguments cannot be changed after they are written. */
function mutate(args: aws.AwsServiceIdentityArgs, grant: aws.AwsGrant): void {
    // @ts-expect-error `grants` is a readonly array
    args.grants.push(grant);
    // @ts-expect-error `owner` is readonly
    args.owner = "someone-else";
    if ("actions" in grant && grant.actions !== undefined) {
        // @ts-expect-error a grant's `actions` are readonly
        grant.actions[0] = "s3:DeleteObject";
    }
}

describe("AWS argument types", () => {
    it("compile for every good shape, which the constructor accepts", () => {
        // GIVEN the shapes above that compile
        // WHEN each is planned
        // THEN none is refused
        for (const args of [...good, frozen]) {
            planAwsServiceIdentity("typed", args, TABLE_NOW);
        }
        assert.strictEqual(typeof mutate, "function");
    });

    it("refuse at run time every shape tsc refuses, naming the property", () => {
        // GIVEN each shape that is a type error, as a JavaScript caller could still pass it
        // WHEN it is planned
        // THEN it is refused with a problem at the expected property
        for (const { args, path } of bad) {
            assert.throws(
                () => planAwsServiceIdentity("typed", args as aws.AwsServiceIdentityArgs, TABLE_NOW),
                (e: any) => {
                    assert.ok(pulumi.InputPropertiesError.isInstance(e));
                    assert.deepStrictEqual(
                        e.errors.map((p: any) => p.propertyPath),
                        [path],
                    );
                    return true;
                },
            );
        }
    });
});
