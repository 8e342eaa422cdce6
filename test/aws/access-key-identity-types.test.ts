import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsAccessKeyIdentity } from "../../components/aws/access-key-identity";
import { TABLE_NOW } from "../support/bad-input";

/*
 * The argument types of aws.AccessKeyIdentity say what the constructor enforces (as
 * test/aws/types.test.ts does for aws.ServiceIdentity): `tsc --noEmit` checks every
 * `@ts-expect-error` below, and the tests check that the constructor refuses the same shapes.
 */

const base = { owner: "team-payments", purpose: "Uploads invoices to Acme", consumer: "acme-vendor" } as const;
const OBJECTS = "arn:aws:s3:::acme-exchange/invoices/*";

/** Good shapes: each compiles. */
const good: aws.AwsAccessKeyIdentityArgs[] = [
    { ...base, rotateEveryDays: 30, grants: [] },
    {
        ...base,
        rotateEveryDays: 90,
        graceDays: 7,
        grants: [{ actions: ["s3:PutObject"], resources: [OBJECTS] }],
        expiresAt: "2099-01-01T00:00:00Z",
        path: "/vendors/",
    },
    {
        ...base,
        rotateEveryDays: 1,
        grants: [{ service: "s3", access: "write", resources: [pulumi.output(OBJECTS)] }],
        permissionsBoundaryArn: pulumi.output("arn:aws:iam::123456789012:policy/boundary"),
        tags: { team: "payments" } as const,
    },
];

/** Every AWS identity's arguments are shared: a role's and a user's take the same grants. */
const grants: aws.AwsPrincipalArgs["grants"] = [{ actions: ["s3:PutObject"], resources: [OBJECTS] }];
const shared: aws.AwsAccessKeyIdentityArgs = { ...base, rotateEveryDays: 30, grants };

/** Bad shapes: each is a type error, and each is refused at run time at the property named. */
// Kept as written: each `@ts-expect-error` applies to the one line after it.
// prettier-ignore
const bad: { args: unknown; path: string }[] = [
    // @ts-expect-error no `consumer`: a key is bound to one consumer
    { args: ((): aws.AwsAccessKeyIdentityArgs => ({ owner: "o", purpose: "p", rotateEveryDays: 30, grants: [] }))(), path: "consumer" },
    // @ts-expect-error no `rotateEveryDays`: every key rotates
    { args: ((): aws.AwsAccessKeyIdentityArgs => ({ ...base, grants: [] }))(), path: "rotateEveryDays" },
    // @ts-expect-error `rotateEveryDays` as text
    { args: ((): aws.AwsAccessKeyIdentityArgs => ({ ...base, rotateEveryDays: "30", grants: [] }))(), path: "rotateEveryDays" },
    // @ts-expect-error `graceDays` as text
    { args: ((): aws.AwsAccessKeyIdentityArgs => ({ ...base, rotateEveryDays: 30, graceDays: "1", grants: [] }))(), path: "graceDays" },
    // @ts-expect-error `consumer` known only at deploy time: it is recorded in tags checked before anything is created
    { args: ((): aws.AwsAccessKeyIdentityArgs => ({ ...base, consumer: pulumi.output("acme"), rotateEveryDays: 30, grants: [] }))(), path: "consumer" },
];

/** A user has no trust policy and no sessions: the role's arguments are not the user's. */
// prettier-ignore
// @ts-expect-error `trust` is an argument of aws.ServiceIdentity only
const noTrust: aws.AwsAccessKeyIdentityArgs = { ...base, rotateEveryDays: 30, grants: [], trust: { service: { principal: "lambda.amazonaws.com" } } };
// @ts-expect-error `maxSessionDuration` is an argument of aws.ServiceIdentity only
const noSession: aws.AwsAccessKeyIdentityArgs = { ...base, rotateEveryDays: 30, grants: [], maxSessionDuration: 3600 };
void [noTrust, noSession];

/** Readonly: the arguments cannot be changed after they are written. */
function mutate(args: aws.AwsAccessKeyIdentityArgs): void {
    // @ts-expect-error `consumer` is readonly
    args.consumer = "someone-else";
    // @ts-expect-error `rotateEveryDays` is readonly
    args.rotateEveryDays = 1;
}

describe("aws.AccessKeyIdentity argument types", () => {
    it("compile for every good shape, which the constructor accepts", () => {
        for (const args of [...good, shared]) {
            planAwsAccessKeyIdentity("typed", args, TABLE_NOW);
        }
        assert.strictEqual(typeof mutate, "function");
    });

    it("refuse at run time every shape tsc refuses, naming the property", () => {
        for (const { args, path } of bad) {
            assert.throws(
                () => planAwsAccessKeyIdentity("typed", args as aws.AwsAccessKeyIdentityArgs, TABLE_NOW),
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
