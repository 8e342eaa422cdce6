import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { planGcpRotatingSecret } from "../../components/gcp/rotating-secret";

/**
 * The argument types say what the constructor enforces: `tsc --noEmit` (the first half of
 * `npm test`) fails if a line under `@ts-expect-error` compiles. Each bad shape is also given to
 * the planner, as a JavaScript caller could, which refuses it at the path shown.
 */
const BASE = { project: "acme-prod", owner: "team-payments", purpose: "Signs webhooks", rotateEveryDays: 30 } as const;
const rotator = undefined as unknown as gcp.SecretRotator;
const identity = undefined as unknown as gcp.ServiceIdentity;

// Good shapes compile.
const good: gcp.GcpRotatingSecretArgs[] = [
    { ...BASE, region: "europe-west1" },
    { ...BASE, rotator },
    {
        ...BASE,
        region: "europe-west1",
        graceDays: 60,
        value: { length: 64, format: "hex" },
        readers: [identity, "group:ledger@acme.example", pulumi.output("user:alice@acme.example")],
        labels: { team: "payments" },
    },
];

// Bad shapes do not.
// @ts-expect-error a region and a rotator: two ways of saying which function rotates it
const both: gcp.GcpRotatingSecretArgs = { ...BASE, region: "europe-west1", rotator };
// @ts-expect-error neither a region nor a rotator
const neither: gcp.GcpRotatingSecretArgs = { ...BASE };
// @ts-expect-error an unknown format
const badFormat: gcp.GcpRotatingSecretArgs = { ...BASE, region: "europe-west1", value: { format: "emoji" } };
// @ts-expect-error the period as text
const textPeriod: gcp.GcpRotatingSecretArgs = { ...BASE, rotateEveryDays: "30", region: "europe-west1" };
// @ts-expect-error a reader that is neither a member string nor an identity
const numberReader: gcp.GcpRotatingSecretArgs = { ...BASE, region: "europe-west1", readers: [42] };

describe("gcp.RotatingSecret argument types", () => {
    it("accept the good shapes", () => {
        assert.strictEqual(good.length, 3);
    });

    const refused: [string, unknown, string][] = [
        ["neither region nor rotator", neither, "region"],
        ["an unknown format", badFormat, "value.format"],
        ["the period as text", textPeriod, "rotateEveryDays"],
        ["a number as reader", numberReader, "readers[0]"],
    ];
    for (const [what, args, path] of refused) {
        it(`refuse at run time what they refuse at compile time: ${what}`, () => {
            assert.throws(
                () => planGcpRotatingSecret("webhook-signing", args as never),
                (e: any) => {
                    assert.deepStrictEqual(
                        e.errors.map((p: any) => p.propertyPath),
                        [path],
                    );
                    return true;
                },
            );
        });
    }
    void both;
});
