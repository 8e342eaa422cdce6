import * as assert from "assert";
import fc from "fast-check";
import {
    ResourceTypeInfo,
    canMatchResourcePart,
    matchResourceTypes,
    resourceTypesOf,
    serviceNames,
} from "../../components/aws/catalog";
import { expandAccess } from "../../components/aws/grants";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { TABLE_NOW } from "../support/bad-input";

/*
 * ARN patterns judged against AWS's resource-type templates: an ARN with `*` or `?` is valid for a
 * resource type when it can match an ARN of that type. Properties over the whole catalogue, then a
 * table of the cases users write.
 */

/** Every service prefix, sorted, so that a failing seed replays the same services. */
const SERVICES = [...serviceNames()].sort();
/** Characters of generated names: letters, digits and the separators names may hold. */
const NAME_CHARS = ["a", "b", "x", "Z", "0", "7", "-", "_", ".", "/", ":"];

/** A service with at least one resource type, and one of its types. */
const serviceAndType = fc
    .tuple(fc.constantFrom(...SERVICES), fc.nat())
    .filter(([service]) => resourceTypesOf(service).length > 0)
    .map(([service, n]) => {
        const types = resourceTypesOf(service);
        return { service, type: types[n % types.length] };
    });

/** Fillers for a template's variables: non-empty runs of NAME_CHARS. */
const fillers = fc.array(fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 6 }), {
    minLength: 8,
    maxLength: 8,
});

/** A concrete ARN of `type`, each variable replaced by a filler without the characters it may not hold. */
function concreteArn(type: ResourceTypeInfo, fill: readonly string[]): string {
    let k = 0;
    const next = (except: string) => {
        const text = [...fill[k++ % fill.length]].filter((c) => !except.includes(c)).join("");
        return text === "" ? "a" : text;
    };
    const fields = type.fields.map((f) => f ?? next(":"));
    // A template variable is a step of one character then a run: fill it at the first.
    const { kinds, codes } = type.resource;
    let resource = "";
    kinds.forEach((kind, i) => {
        if (kind === 0) {
            resource += String.fromCharCode(codes[i]);
        } else if (kind === 1) {
            resource += next(`${codes[i] & 1 ? ":" : ""}${codes[i] & 2 ? "/" : ""}`);
        }
    });
    return [...fields, resource].join(":");
}

/** Where a `*` may replace text of an ARN: within one of its first five fields, or in the rest. */
function replaceable(arn: string, from: number, to: number): [number, number] {
    const colons = [...arn.matchAll(/:/g)].map((m) => m.index!).slice(0, 5);
    const start = Math.min(from, to, arn.length);
    const bounds = [-1, ...colons, arn.length];
    const field = bounds.findIndex((b, i) => i > 0 && start <= b) - 1;
    const end = field < 5 ? Math.min(Math.max(from, to), bounds[field + 1]) : Math.min(Math.max(from, to), arn.length);
    return [Math.max(start, bounds[field] + 1), Math.max(end, Math.max(start, bounds[field] + 1))];
}

describe("ARN patterns against the catalogue's templates (property)", () => {
    it("an ARN generated from a template is of that type, or of a more specific one it also matches", () => {
        fc.assert(
            fc.property(serviceAndType, fillers, ({ service, type }, fill) => {
                // GIVEN a concrete ARN built from a template
                const arn = concreteArn(type, fill);
                // THEN the template matches it, as text and as tokens
                assert.ok(type.matcher.test(arn), `${type.arnPattern} does not match ${arn}`);
                const resourcePart = arn.split(":").slice(5).join(":");
                assert.ok(canMatchResourcePart(type, resourcePart));
                // AND the ARN is read as that type, unless a more specific template matches it too
                const types = matchResourceTypes(service, arn);
                const all = resourceTypesOf(service);
                assert.ok(types.length > 0);
                assert.ok(
                    types.includes(type.key) ||
                        types.every(
                            (t) =>
                                all.find((x) => x.key === t)!.specificity > type.specificity &&
                                all.find((x) => x.key === t)!.matcher.test(arn),
                        ),
                    `${arn} read as ${types}, not ${type.key}`,
                );
            }),
            { numRuns: 300 },
        );
    });

    it("an ARN with any part of a field replaced by `*` is still a pattern of that type", () => {
        fc.assert(
            fc.property(serviceAndType, fillers, fc.nat(), fc.nat(), ({ service, type }, fill, a, b) => {
                // GIVEN a concrete ARN of the type, and a `*` in place of some text of one field, or of
                // the resource part (IAM matches the first five fields one by one, the rest as a whole)
                const arn = concreteArn(type, fill);
                const [from, to] = replaceable(arn, a % (arn.length + 1), b % (arn.length + 1));
                const pattern = `${arn.slice(0, from)}*${arn.slice(to)}`;
                // THEN the pattern can match that ARN, so it is a pattern of the type
                assert.ok(
                    matchResourceTypes(service, pattern).includes(type.key),
                    `${pattern} (from ${arn}) is not read as ${type.key} but ${matchResourceTypes(service, pattern)}`,
                );
            }),
            { numRuns: 300 },
        );
    });

    it("an ARN or pattern of another service's template is of no type of this service", () => {
        fc.assert(
            fc.property(serviceAndType, fc.constantFrom(...SERVICES), fillers, fc.nat(), ({ type }, other, fill, a) => {
                // GIVEN an ARN of one service, and another service none of whose templates has that
                // service field
                const arn = concreteArn(type, fill);
                const serviceField = arn.split(":")[2];
                fc.pre(resourceTypesOf(other).every((t) => t.fields[2] !== serviceField));
                const cut = a % (arn.length + 1);
                const [from, to] = replaceable(arn, cut, cut + 3);
                const pattern = `${arn.slice(0, from)}*${arn.slice(to)}`;
                // THEN the other service reads neither the ARN, nor a pattern of it that keeps its service field
                assert.deepStrictEqual(matchResourceTypes(other, arn), []);
                if (pattern.split(":")[2] === serviceField) {
                    assert.deepStrictEqual(matchResourceTypes(other, pattern), []);
                }
            }),
            { numRuns: 300 },
        );
    });
});

describe("ARN patterns users write", () => {
    const ACCOUNT = "123456789012";
    const cases: [string, string, string[]][] = [
        // AWS's own Lambda execution policies: the streams of one log group
        ["logs", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/worker:*`, ["log-stream"]],
        ["logs", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/worker`, ["log-group"]],
        ["logs", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/*`, ["log-group", "log-stream"]],
        ["s3", "arn:aws:s3:::invoices/prefix/*", ["object"]],
        ["s3", "arn:aws:s3:::invoices", ["bucket"]],
        ["s3", "arn:aws:s3:::*", ["bucket", "object"]],
        ["s3", "arn:aws:s3:::invoices-*", ["bucket", "object"]],
        ["dynamodb", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/index/*`, ["index"]],
        ["dynamodb", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/index/by-customer`, ["index"]],
        ["dynamodb", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`, ["table"]],
        ["sqs", `arn:aws:sqs:*:${ACCOUNT}:jobs-*`, ["queue"]],
        ["sqs", `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs?`, ["queue"]],
        ["sqs", "arn:aws:s3:::*", []],
        ["iam", `arn:aws:iam::${ACCOUNT}:role/ci/*`, ["role"]],
        // a region in a field where the template has none, and none where it has one
        ["s3", `arn:aws:s3:us-east-1:${ACCOUNT}:invoices/*`, []],
        ["sqs", `arn:aws:sqs::${ACCOUNT}:jobs-*`, []],
    ];
    for (const [service, arn, expected] of cases) {
        it(`reads ${arn} as ${service} ${JSON.stringify(expected)}`, () => {
            assert.deepStrictEqual([...matchResourceTypes(service, arn)].sort(), expected);
        });
    }

    it("reads `function:worker:*` as the versions and aliases of the function, not the function", () => {
        const types = matchResourceTypes("lambda", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker:*`);
        assert.ok(types.includes("function version") && types.includes("function alias"));
        assert.ok(!types.includes("function"));
        assert.ok(
            matchResourceTypes("lambda", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker*`).includes("function"),
        );
    });

    const plan = (grants: unknown[]) =>
        planAwsServiceIdentity(
            "patterns",
            {
                owner: "team",
                purpose: "tests",
                trust: { service: { principal: "lambda.amazonaws.com" } },
                grants,
            } as any,
            TABLE_NOW,
        );
    const refusal = (grants: unknown[]) => {
        try {
            plan(grants);
        } catch (e: any) {
            return e.errors;
        }
        return [];
    };

    it("accepts the log permissions of AWS's Lambda execution policy on one log group", () => {
        // GIVEN CreateLogStream and PutLogEvents on `<log group ARN>:*`, as AWSLambdaBasicExecutionRole's
        // console-generated form writes them
        const grants = [
            {
                actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
                resources: [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/worker:*`],
            },
        ];
        // THEN the identity is accepted
        assert.deepStrictEqual(refusal(grants), []);
    });

    it("accepts an index action on every index of a table, and refuses a table action there", () => {
        const indexes = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/index/*`;
        assert.deepStrictEqual(refusal([{ actions: ["dynamodb:Query"], resources: [indexes] }]), []);
        assert.deepStrictEqual(refusal([{ actions: ["dynamodb:GetItem"], resources: [indexes] }]), [
            {
                propertyPath: "grants[0].resources[0]",
                reason: "`grants[0].resources[0]` is not a resource of any action of `grants[0]`: `arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/*`; `dynamodb:GetItem` applies to table (`arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}`).",
            },
        ]);
    });

    it("refuses a bucket action on a pattern of objects", () => {
        assert.deepStrictEqual(refusal([{ actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::invoices/*"] }]), [
            {
                propertyPath: "grants[0].resources[0]",
                reason: "`grants[0].resources[0]` is not a resource of any action of `grants[0]`: `arn:aws:s3:::invoices/*`; `s3:ListBucket` applies to accesspoint (`arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}`), bucket (`arn:${Partition}:s3:::${BucketName}`).",
            },
        ]);
    });

    it("expands an access level on a pattern to the actions of every type it can match", () => {
        // GIVEN read access on the streams of a log group, and on the objects under a prefix
        // THEN the first is the read actions on log streams, the second on objects, not on buckets
        const onType = (service: string, type: string) =>
            expandAccess(
                service,
                "read",
                type === "log-stream"
                    ? `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g:log-stream:s`
                    : "arn:aws:s3:::invoices/a.pdf",
            );
        assert.deepStrictEqual(
            expandAccess("logs", "read", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/worker:*`),
            onType("logs", "log-stream"),
        );
        assert.deepStrictEqual(expandAccess("s3", "read", "arn:aws:s3:::invoices/incoming/*"), onType("s3", "object"));
        assert.ok(!expandAccess("s3", "read", "arn:aws:s3:::invoices/incoming/*").includes("s3:GetBucketPolicy"));
    });
});
