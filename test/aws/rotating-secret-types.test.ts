import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsRotatingSecret } from "../../components/aws/rotating-secret";
import { capture } from "../support/mock-graph";

/*
 * The argument types of aws.RotatingSecret and aws.SecretRotator say what the constructors
 * enforce: `npm test` runs `tsc --noEmit` over this file, so each `@ts-expect-error` must meet an
 * error. The good shapes compile; the test refuses each bad shape at run time too.
 */

const base = { owner: "team-payments", purpose: "Signs webhooks", rotateEveryDays: 30 } as const;
const ROLE = "arn:aws:iam::123456789012:role/ledger";

/** Good shapes: each compiles. */
const good: aws.AwsRotatingSecretArgs[] = [
    base,
    {
        ...base,
        value: { length: 64, format: "hex" },
        readers: [ROLE, pulumi.output(ROLE)],
        recoveryWindowInDays: 7,
        tags: { env: "prod" },
    },
    { ...base, value: { format: "base64" }, kmsKeyArn: pulumi.output("arn:aws:kms:us-east-1:123456789012:key/k") },
    { ...base, readers: [ROLE] as const },
];

/** Bad shapes: each is a type error, and each is refused at run time at the property given. */
const bad: { args: unknown; path: string }[] = [
    // @ts-expect-error a format that does not exist
    { args: ((): aws.AwsRotatingSecretArgs => ({ ...base, value: { format: "base32" } }))(), path: "value.format" },
    // @ts-expect-error the length as text
    { args: ((): aws.AwsRotatingSecretArgs => ({ ...base, value: { length: "32" } }))(), path: "value.length" },
    // @ts-expect-error the period as text
    { args: ((): aws.AwsRotatingSecretArgs => ({ ...base, rotateEveryDays: "30" }))(), path: "rotateEveryDays" },
    // @ts-expect-error a reader that is neither an ARN nor an aws.ServiceIdentity
    { args: ((): aws.AwsRotatingSecretArgs => ({ ...base, readers: [{ arn: ROLE }] }))(), path: "readers[0]" },
    // @ts-expect-error a rotator that is not an aws.SecretRotator
    { args: ((): aws.AwsRotatingSecretArgs => ({ ...base, rotator: { rotatorId: "x" } }))(), path: "rotator" },
];

/** Readonly: the arguments cannot be changed after they are written. */
function mutate(args: aws.AwsRotatingSecretArgs): void {
    // @ts-expect-error `rotateEveryDays` is readonly
    args.rotateEveryDays = 1;
    // @ts-expect-error `readers` is a readonly array
    args.readers?.push(ROLE);
}

describe("aws.RotatingSecret argument types", () => {
    it("compile for every good shape, which the constructor accepts", async () => {
        for (const args of good) {
            planAwsRotatingSecret("typed", args);
        }
        // A ServiceIdentity is a reader, and a SecretRotator a rotator, as they are.
        await capture(() => {
            const reader = new aws.ServiceIdentity("typed-reader", {
                owner: "team-payments",
                purpose: "Reads",
                trust: { service: { principal: "lambda.amazonaws.com" } },
                grants: [],
            });
            const rotator = new aws.SecretRotator("typed-rotator", { owner: "team-platform", purpose: "Rotates" });
            const args: aws.AwsRotatingSecretArgs = { ...base, readers: [reader, ROLE], rotator };
            planAwsRotatingSecret("typed-shared", args);
        });
        assert.strictEqual(typeof mutate, "function");
    });

    it("refuse at run time every shape tsc refuses, naming the property", () => {
        for (const { args, path } of bad) {
            assert.throws(
                () => planAwsRotatingSecret("typed", args as aws.AwsRotatingSecretArgs),
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
