import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as awsClassic from "@pulumi/aws";
import { aws } from "../../components";
import { actionsOf } from "../../components/aws/catalog";
import { capture, MOCK_ACCOUNT, valueOf } from "../../components/testing";
import {
    concreteArn,
    decideIdentity,
    expectDecisions,
    decideTrust,
    decideWebIdentity,
    grantedPairs,
    MAY_ASSUME_ANY_ROLE,
    rawWebIdentity,
    sample,
    shiftDays,
    shiftSeconds,
    WebIdentityClaims,
} from "../support/iam-simulator";

/*
 * IAM simulation: the documents aws.ServiceIdentity renders, evaluated by a real IAM policy engine
 * (@cloud-copilot/iam-simulate). Every identity is declared through the component under the Pulumi
 * mocks; the tests read its trust policy and policy documents and ask the engine what AWS would
 * decide, request by request.
 */

const DAY_MS = 86_400_000;
/** An expiry about a year ahead, at midnight UTC: the component refuses an instant in the past. */
const EXPIRES_AT = `${new Date((Math.floor(Date.now() / DAY_MS) + 365) * DAY_MS).toISOString().slice(0, 10)}T00:00:00Z`;
const BEFORE = shiftDays(EXPIRES_AT, -1);
const AFTER = shiftDays(EXPIRES_AT, 1);
const beforeExpiry = { "aws:CurrentTime": BEFORE };
const afterExpiry = { "aws:CurrentTime": AFTER };

const OWNERSHIP = { owner: "team-payments", purpose: "Processes invoices" };
const OTHER_ACCOUNT = "210987654321";
const THIRD_ACCOUNT = "333333333333";

const INVOICES_BUCKET = "arn:aws:s3:::invoices";
const INCOMING = "arn:aws:s3:::invoices/incoming/*";
const INCOMING_PDF = "arn:aws:s3:::invoices/incoming/a.pdf";
const OUTGOING_PDF = "arn:aws:s3:::invoices/outgoing/a.pdf";
const QUEUE = `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:invoices`;
const CONSUME = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"];
/** The ARN the mocks give the queue `outbox` (known only once the queue is "created"). */
const OUTBOX = `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:sim-outbox-1a2b3c4`;

const GITHUB_PROVIDER = `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const EKS_ISSUER_HOST = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const EKS_PROVIDER = `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${EKS_ISSUER_HOST}`;
const STATE_MACHINE = `arn:aws:states:us-east-1:${MOCK_ACCOUNT}:stateMachine:invoices`;
const EXTERNAL_ID = "invoices-7f3a9c";

interface Declared {
    roleArn: string;
    trustPolicy: string;
    documents: string[];
}

/** Declares an identity through the real component under the mocks and reads what it rendered. */
async function declare(name: string, args: () => aws.AwsServiceIdentityArgs): Promise<Declared> {
    const { value } = await capture(() => new aws.ServiceIdentity(name, args()));
    return {
        roleArn: await valueOf(value.roleArn),
        trustPolicy: await valueOf(value.trustPolicy),
        documents: await valueOf(value.policyDocuments),
    };
}

/**
 * The actions of `service` at access level `level` that apply to resource type `type`, straight
 * from the catalogue: what an access-level grant on an ARN of that type should expand to.
 */
function levelActions(service: string, level: string, type: string): string[] {
    return [...actionsOf(service)]
        .filter((a) => a.accessLevel === level && a.resourceTypes.includes(type))
        .map((a) => a.fullName)
        .sort();
}

/** Every action of `service` that applies to resource type `type`. */
function actionsOn(service: string, type: string): string[] {
    return [...actionsOf(service)]
        .filter((a) => a.resourceTypes.includes(type))
        .map((a) => a.fullName)
        .sort();
}

function sortedSet(values: Iterable<string>): string[] {
    return [...new Set(values)].sort();
}

describe("IAM simulation of aws.ServiceIdentity", function () {
    this.timeout(60_000);

    describe("identity policies", () => {
        // The invoice reader: reads objects under one prefix, consumes one queue, reads a queue that
        // exists only at deploy time, and lists queues (an action without resource-level permissions).
        let reader: Declared;
        const S3_OBJECT_READ = levelActions("s3", "read", "object");
        const SQS_QUEUE_READ = levelActions("sqs", "read", "queue");
        /** What a user declaring the grants below expects them to allow: (action, ARN pattern). */
        const expected = (): [string, string][] => [
            ...S3_OBJECT_READ.map((a): [string, string] => [a, INCOMING]),
            ...CONSUME.map((a): [string, string] => [a, QUEUE]),
            ...SQS_QUEUE_READ.map((a): [string, string] => [a, OUTBOX]),
            ["sqs:ListQueues", "*"],
        ];

        before(async () => {
            reader = await declare("sim-invoice-reader", () => {
                const outbox = new awsClassic.sqs.Queue("sim-outbox");
                return {
                    ...OWNERSHIP,
                    trust: { service: { principal: "lambda.amazonaws.com" } },
                    grants: [
                        { service: "s3", access: "read", resources: [INCOMING] },
                        {
                            actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
                            resources: [QUEUE],
                        },
                        { service: "sqs", access: "read", resources: [outbox.arn] },
                        { actions: ["sqs:ListQueues"], resources: ["*"] },
                    ],
                    expiresAt: EXPIRES_AT,
                };
            });
        });

        it("grants exactly the expected (action, resource) pairs, each under the expiry condition", () => {
            // GIVEN the grants' meaning: s3 object-read actions on the prefix, the three consume
            // actions on the queue, sqs queue-read actions on the deploy-time queue, ListQueues on "*"
            // WHEN the rendered documents are read statement by statement
            const granted = grantedPairs(reader.documents);
            // THEN they name exactly those pairs, no more and no fewer
            assert.ok(S3_OBJECT_READ.includes("s3:GetObject") && !S3_OBJECT_READ.includes("s3:PutObject"));
            assert.deepStrictEqual(
                sortedSet(granted.map((g) => `${g.action} ${g.resource}`)),
                sortedSet(expected().map(([a, r]) => `${a} ${r}`)),
            );
            // AND every Allow carries DateLessThan aws:CurrentTime at the expiry
            assert.deepStrictEqual(sortedSet(granted.map((g) => g.condition)), [
                JSON.stringify({ DateLessThan: { "aws:CurrentTime": EXPIRES_AT } }),
            ]);
        });

        it("allows every granted pair before expiresAt and none after it", async () => {
            // GIVEN every pair the reader was granted, on a concrete ARN of each pattern
            const pairs = expected().map(([action, pattern]) => ({ action, resource: concreteArn(pattern) }));
            // WHEN the role asks for each a day before and a day after the expiry
            // THEN each is allowed before and denied after
            await expectDecisions(
                pairs.flatMap(({ action, resource }) => [
                    {
                        what: `${action} on ${resource} before expiry`,
                        expected: "Allowed" as const,
                        decide: () => decideIdentity(reader.roleArn, reader.documents, action, resource, beforeExpiry),
                    },
                    {
                        what: `${action} on ${resource} after expiry`,
                        expected: "Denied" as const,
                        decide: () => decideIdentity(reader.roleArn, reader.documents, action, resource, afterExpiry),
                    },
                ]),
            );
        });

        it("decides what a user of the grants would notice", async () => {
            // GIVEN the reader, before its expiry
            const at = (action: string, resource: string) => () =>
                decideIdentity(reader.roleArn, reader.documents, action, resource, beforeExpiry);
            // WHEN it reads, writes and lists in and around what it was granted
            // THEN it reads objects under incoming/, at any depth, and nothing else of the bucket
            await expectDecisions([
                { what: "GetObject incoming/a.pdf", expected: "Allowed", decide: at("s3:GetObject", INCOMING_PDF) },
                {
                    what: "GetObject incoming/2024/05/b.pdf",
                    expected: "Allowed",
                    decide: at("s3:GetObject", "arn:aws:s3:::invoices/incoming/2024/05/b.pdf"),
                },
                {
                    what: "GetObjectVersion incoming/a.pdf",
                    expected: "Allowed",
                    decide: at("s3:GetObjectVersion", INCOMING_PDF),
                },
                { what: "PutObject incoming/a.pdf", expected: "Denied", decide: at("s3:PutObject", INCOMING_PDF) },
                {
                    what: "DeleteObject incoming/a.pdf",
                    expected: "Denied",
                    decide: at("s3:DeleteObject", INCOMING_PDF),
                },
                {
                    what: "PutObjectTagging incoming/a.pdf",
                    expected: "Denied",
                    decide: at("s3:PutObjectTagging", INCOMING_PDF),
                },
                { what: "GetObject outgoing/a.pdf", expected: "Denied", decide: at("s3:GetObject", OUTGOING_PDF) },
                {
                    what: "GetObject of the object named `incoming`",
                    expected: "Denied",
                    decide: at("s3:GetObject", "arn:aws:s3:::invoices/incoming"),
                },
                {
                    what: "GetObject Incoming/a.pdf (ARNs are case-sensitive)",
                    expected: "Denied",
                    decide: at("s3:GetObject", "arn:aws:s3:::invoices/Incoming/a.pdf"),
                },
                { what: "ListBucket on the bucket", expected: "Denied", decide: at("s3:ListBucket", INVOICES_BUCKET) },
                {
                    what: "GetBucketPolicy on the bucket",
                    expected: "Denied",
                    decide: at("s3:GetBucketPolicy", INVOICES_BUCKET),
                },
                // AND it consumes the queue but cannot send to it or purge it
                { what: "ReceiveMessage on the queue", expected: "Allowed", decide: at("sqs:ReceiveMessage", QUEUE) },
                { what: "DeleteMessage on the queue", expected: "Allowed", decide: at("sqs:DeleteMessage", QUEUE) },
                { what: "SendMessage on the queue", expected: "Denied", decide: at("sqs:SendMessage", QUEUE) },
                { what: "PurgeQueue on the queue", expected: "Denied", decide: at("sqs:PurgeQueue", QUEUE) },
                {
                    what: "GetQueueAttributes on the queue (read not granted there)",
                    expected: "Denied",
                    decide: at("sqs:GetQueueAttributes", QUEUE),
                },
                // AND the deploy-time queue got read access once its ARN resolved, not write
                { what: "ReceiveMessage on the outbox", expected: "Allowed", decide: at("sqs:ReceiveMessage", OUTBOX) },
                {
                    what: "GetQueueAttributes on the outbox",
                    expected: "Allowed",
                    decide: at("sqs:GetQueueAttributes", OUTBOX),
                },
                { what: "SendMessage on the outbox", expected: "Denied", decide: at("sqs:SendMessage", OUTBOX) },
                { what: "DeleteMessage on the outbox", expected: "Denied", decide: at("sqs:DeleteMessage", OUTBOX) },
                // AND ListQueues, which has no resource-level permissions, is allowed on "*"
                { what: "ListQueues on *", expected: "Allowed", decide: at("sqs:ListQueues", "*") },
            ]);
        });

        it("denies the other actions of s3 and sqs on the granted resources", async () => {
            // GIVEN every s3 object action and sqs queue action that the grants do not name
            // (taken from the catalogue), and a sample of 30 bucket actions (no bucket was granted)
            const otherObjectActions = actionsOn("s3", "object").filter((a) => !S3_OBJECT_READ.includes(a));
            const otherQueueActions = actionsOn("sqs", "queue").filter((a) => !CONSUME.includes(a));
            const otherOutboxActions = actionsOn("sqs", "queue").filter((a) => !SQS_QUEUE_READ.includes(a));
            const bucketActions = sample(actionsOn("s3", "bucket"), 30);
            assert.ok(
                otherObjectActions.length >= 20 &&
                    otherQueueActions.length >= 10 &&
                    otherOutboxActions.length >= 10 &&
                    bucketActions.length === 30,
            );
            assert.ok(
                otherObjectActions.includes("s3:PutObject") &&
                    otherQueueActions.includes("sqs:SendMessage") &&
                    otherOutboxActions.includes("sqs:SendMessage"),
            );
            // WHEN the role asks for each on the granted resources, before the expiry
            const requests: [string, string][] = [
                ...otherObjectActions.map((a): [string, string] => [a, INCOMING_PDF]),
                ...otherQueueActions.map((a): [string, string] => [a, QUEUE]),
                ...otherOutboxActions.map((a): [string, string] => [a, OUTBOX]),
                ...bucketActions.map((a): [string, string] => [a, INVOICES_BUCKET]),
            ];
            // THEN every one is denied
            await expectDecisions(
                requests.map(([action, resource]) => ({
                    what: `${action} on ${resource}`,
                    expected: "Denied" as const,
                    decide: () => decideIdentity(reader.roleArn, reader.documents, action, resource, beforeExpiry),
                })),
            );
        });

        it("denies the granted actions on other resources", async () => {
            // GIVEN the granted actions and resources of the same types that were not granted:
            // other prefixes, buckets and case of the object key; other queues, regions and accounts
            const otherObjects = [
                OUTGOING_PDF,
                "arn:aws:s3:::invoices/a.pdf",
                "arn:aws:s3:::invoices-archive/incoming/a.pdf",
                "arn:aws:s3:::other/invoices/incoming/a.pdf",
                "arn:aws:s3:::invoices/Incoming/a.pdf",
            ];
            const otherQueues = [
                `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:invoices-dlq`,
                `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:invoice`,
                `arn:aws:sqs:eu-west-1:${MOCK_ACCOUNT}:invoices`,
                `arn:aws:sqs:us-east-1:${OTHER_ACCOUNT}:invoices`,
                `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:outbox`,
            ];
            const sqsActions = sortedSet([...CONSUME, ...SQS_QUEUE_READ]);
            // WHEN the role asks for each granted action on each of them, before the expiry
            const requests: [string, string][] = [
                ...S3_OBJECT_READ.flatMap((a) => otherObjects.map((r): [string, string] => [a, r])),
                ...sqsActions.flatMap((a) => otherQueues.map((r): [string, string] => [a, r])),
            ];
            // THEN every one is denied
            await expectDecisions(
                requests.map(([action, resource]) => ({
                    what: `${action} on ${resource}`,
                    expected: "Denied" as const,
                    decide: () => decideIdentity(reader.roleArn, reader.documents, action, resource, beforeExpiry),
                })),
            );
        });

        it("still grants exactly the expected pairs when the grants overflow into managed policies", async () => {
            // GIVEN an archiver reading 120 object prefixes and 100 queues: one document cannot hold it
            // (each grant alone stays under the 6,000 characters of a managed policy; see the report on
            // larger single grants, which the layout refuses)
            const prefixes = Array.from(
                { length: 120 },
                (_, i) => `arn:aws:s3:::archive-${String(i).padStart(3, "0")}/records/*`,
            );
            const queues = Array.from(
                { length: 100 },
                (_, i) => `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:archive-${String(i).padStart(3, "0")}`,
            );
            const archiver = await declare("sim-archiver", () => ({
                ...OWNERSHIP,
                trust: { service: { principal: "lambda.amazonaws.com" } },
                grants: [
                    { service: "s3", access: "read", resources: prefixes },
                    { service: "sqs", access: "read", resources: queues },
                ],
                expiresAt: EXPIRES_AT,
            }));
            assert.ok(
                archiver.documents.length >= 2,
                `expected an overflow into managed policies, got ${archiver.documents.length} document(s)`,
            );
            // WHEN the documents are read together
            const want = sortedSet([
                ...S3_OBJECT_READ.flatMap((a) => prefixes.map((r) => `${a} ${r}`)),
                ...SQS_QUEUE_READ.flatMap((a) => queues.map((r) => `${a} ${r}`)),
            ]);
            // THEN together they name exactly the expected pairs
            assert.deepStrictEqual(
                sortedSet(grantedPairs(archiver.documents).map((g) => `${g.action} ${g.resource}`)),
                want,
            );
            // AND the engine, given every document, allows each resource (with a rotating action) and
            // each action (on one resource) before the expiry, and a sample of them not after it
            const rotate = (actions: string[], resources: string[]) =>
                resources.map((r, i): [string, string] => [actions[i % actions.length], concreteArn(r)]);
            const allowed = [
                ...rotate(S3_OBJECT_READ, prefixes),
                ...rotate(SQS_QUEUE_READ, queues),
                ...S3_OBJECT_READ.map((a): [string, string] => [a, concreteArn(prefixes[prefixes.length - 1])]),
                ...SQS_QUEUE_READ.map((a): [string, string] => [a, queues[queues.length - 1]]),
            ];
            await expectDecisions([
                ...allowed.map(([action, resource]) => ({
                    what: `${action} on ${resource} before expiry`,
                    expected: "Allowed" as const,
                    decide: () => decideIdentity(archiver.roleArn, archiver.documents, action, resource, beforeExpiry),
                })),
                ...sample(allowed, 40).map(([action, resource]) => ({
                    what: `${action} on ${resource} after expiry`,
                    expected: "Denied" as const,
                    decide: () => decideIdentity(archiver.roleArn, archiver.documents, action, resource, afterExpiry),
                })),
                // AND writes to the same resources stay denied
                ...sample(rotate(["s3:PutObject", "s3:DeleteObject"], prefixes), 20).map(([action, resource]) => ({
                    what: `${action} on ${resource}`,
                    expected: "Denied" as const,
                    decide: () => decideIdentity(archiver.roleArn, archiver.documents, action, resource, beforeExpiry),
                })),
                ...sample(rotate(["sqs:SendMessage", "sqs:DeleteMessage", "sqs:PurgeQueue"], queues), 20).map(
                    ([action, resource]) => ({
                        what: `${action} on ${resource}`,
                        expected: "Denied" as const,
                        decide: () =>
                            decideIdentity(archiver.roleArn, archiver.documents, action, resource, beforeExpiry),
                    }),
                ),
            ]);
        });

        it("stops honouring the identity at the exact expiry instant, whatever offset it was written with", async () => {
            // GIVEN an identity expiring at 09:30 at UTC+02:00, that is 07:30:00Z
            const day = EXPIRES_AT.slice(0, 10);
            const instant = `${day}T07:30:00Z`;
            const id = await declare("sim-boundary", () => ({
                ...OWNERSHIP,
                trust: { service: { principal: "lambda.amazonaws.com" } },
                grants: [{ actions: ["s3:GetObject"], resources: [INCOMING] }],
                expiresAt: `${day}T09:30+02:00`,
            }));
            const get = (at: string) => () =>
                decideIdentity(id.roleArn, id.documents, "s3:GetObject", INCOMING_PDF, { "aws:CurrentTime": at });
            const assume = (at: string) => () =>
                decideTrust(id.trustPolicy, {
                    principal: "lambda.amazonaws.com",
                    roleArn: id.roleArn,
                    context: { "aws:CurrentTime": at },
                });
            // WHEN the role is used and assumed one second before, at, and one second after the instant
            // THEN both policies allow it before and deny it from the instant on
            await expectDecisions([
                { what: "GetObject 1 s before", expected: "Allowed", decide: get(shiftSeconds(instant, -1)) },
                { what: "GetObject at the instant", expected: "Denied", decide: get(instant) },
                { what: "GetObject 1 s after", expected: "Denied", decide: get(shiftSeconds(instant, 1)) },
                { what: "AssumeRole 1 s before", expected: "Allowed", decide: assume(shiftSeconds(instant, -1)) },
                { what: "AssumeRole at the instant", expected: "Denied", decide: assume(instant) },
                // AND the local time of the offset (09:29:59Z is after 07:30Z) is not mistaken for UTC
                { what: "GetObject at 09:29:59Z", expected: "Denied", decide: get(`${day}T09:29:59Z`) },
                { what: "AssumeRole at 09:29:59Z", expected: "Denied", decide: assume(`${day}T09:29:59Z`) },
            ]);
        });
    });

    describe("trust policies", () => {
        let lambda: Declared;
        let stepFunctions: Declared;
        let partnerAccount: Declared;
        let partnerRole: Declared;

        before(async () => {
            const base = { ...OWNERSHIP, grants: [], expiresAt: EXPIRES_AT };
            lambda = await declare("sim-lambda-worker", () => ({
                ...base,
                trust: { service: { principal: "lambda.amazonaws.com" } },
            }));
            stepFunctions = await declare("sim-sfn-worker", () => ({
                ...base,
                trust: {
                    service: {
                        principal: "states.amazonaws.com",
                        sourceAccount: pulumi.output(MOCK_ACCOUNT),
                        sourceArn: STATE_MACHINE,
                    },
                },
            }));
            partnerAccount = await declare("sim-partner-account", () => ({
                ...base,
                trust: {
                    account: {
                        principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:root`,
                        externalId: pulumi.output(EXTERNAL_ID),
                    },
                },
            }));
            partnerRole = await declare("sim-partner-role", () => ({
                ...base,
                trust: {
                    account: {
                        principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/partner-sync`,
                        externalId: EXTERNAL_ID,
                    },
                },
            }));
        });

        it("admits the declared service principal only, until the expiry", async () => {
            // GIVEN a Lambda execution role
            const assume =
                (principal: string, context: Record<string, string>, callerPolicies: object[] = []) =>
                () =>
                    decideTrust(lambda.trustPolicy, { principal, roleArn: lambda.roleArn, context, callerPolicies });
            // WHEN Lambda and other principals ask to assume it
            // THEN Lambda is admitted before the expiry and not after it
            // AND other services, and IAM principals of this account that may assume any role, are not
            await expectDecisions([
                { what: "lambda before", expected: "Allowed", decide: assume("lambda.amazonaws.com", beforeExpiry) },
                { what: "lambda after", expected: "Denied", decide: assume("lambda.amazonaws.com", afterExpiry) },
                { what: "ec2", expected: "Denied", decide: assume("ec2.amazonaws.com", beforeExpiry) },
                { what: "ecs-tasks", expected: "Denied", decide: assume("ecs-tasks.amazonaws.com", beforeExpiry) },
                { what: "states", expected: "Denied", decide: assume("states.amazonaws.com", beforeExpiry) },
                {
                    what: "this account's root",
                    expected: "Denied",
                    decide: assume(`arn:aws:iam::${MOCK_ACCOUNT}:root`, beforeExpiry, [MAY_ASSUME_ANY_ROLE]),
                },
                {
                    what: "a role of this account",
                    expected: "Denied",
                    decide: assume(`arn:aws:iam::${MOCK_ACCOUNT}:role/admin`, beforeExpiry, [MAY_ASSUME_ANY_ROLE]),
                },
                {
                    what: "another account's root",
                    expected: "Denied",
                    decide: assume(`arn:aws:iam::${OTHER_ACCOUNT}:root`, beforeExpiry, [MAY_ASSUME_ANY_ROLE]),
                },
            ]);
        });

        it("admits a service with sourceAccount and sourceArn only from that account and resource", async () => {
            // GIVEN a Step Functions role limited to this account (a deploy-time value) and one state machine
            const assume = (principal: string, context: Record<string, string>) => () =>
                decideTrust(stepFunctions.trustPolicy, { principal, roleArn: stepFunctions.roleArn, context });
            const source = { "aws:SourceAccount": MOCK_ACCOUNT, "aws:SourceArn": STATE_MACHINE };
            // WHEN Step Functions asks on behalf of various sources
            // THEN only the declared account and state machine are admitted, and only before the expiry
            await expectDecisions([
                {
                    what: "declared source",
                    expected: "Allowed",
                    decide: assume("states.amazonaws.com", { ...beforeExpiry, ...source }),
                },
                {
                    what: "declared source after expiry",
                    expected: "Denied",
                    decide: assume("states.amazonaws.com", { ...afterExpiry, ...source }),
                },
                {
                    what: "another SourceAccount",
                    expected: "Denied",
                    decide: assume("states.amazonaws.com", {
                        ...beforeExpiry,
                        ...source,
                        "aws:SourceAccount": THIRD_ACCOUNT,
                    }),
                },
                {
                    what: "no SourceAccount",
                    expected: "Denied",
                    decide: assume("states.amazonaws.com", { ...beforeExpiry, "aws:SourceArn": STATE_MACHINE }),
                },
                {
                    what: "another state machine",
                    expected: "Denied",
                    decide: assume("states.amazonaws.com", {
                        ...beforeExpiry,
                        ...source,
                        "aws:SourceArn": `${STATE_MACHINE}-copy`,
                    }),
                },
                {
                    what: "a state machine of another account",
                    expected: "Denied",
                    decide: assume("states.amazonaws.com", {
                        ...beforeExpiry,
                        "aws:SourceAccount": THIRD_ACCOUNT,
                        "aws:SourceArn": STATE_MACHINE.replace(MOCK_ACCOUNT, THIRD_ACCOUNT),
                    }),
                },
                {
                    what: "no SourceArn",
                    expected: "Denied",
                    decide: assume("states.amazonaws.com", { ...beforeExpiry, "aws:SourceAccount": MOCK_ACCOUNT }),
                },
                {
                    what: "lambda with the declared source",
                    expected: "Denied",
                    decide: assume("lambda.amazonaws.com", { ...beforeExpiry, ...source }),
                },
            ]);
        });

        it("admits the other account only with the right external ID, until the expiry", async () => {
            // GIVEN a role trusting another account's root with an external ID (a deploy-time value)
            // AND callers whose own policies let them assume any role, so the trust alone decides
            const assume = (trust: Declared, principal: string, context: Record<string, string>) => () =>
                decideTrust(trust.trustPolicy, {
                    principal,
                    roleArn: trust.roleArn,
                    context,
                    callerPolicies: [MAY_ASSUME_ANY_ROLE],
                });
            const right = { ...beforeExpiry, "sts:ExternalId": EXTERNAL_ID };
            // WHEN principals of various accounts ask, with and without the external ID
            // THEN any principal of that account with the right external ID is admitted before the expiry
            // AND nobody is admitted with a wrong or missing ID, from another account, or after the expiry
            await expectDecisions([
                {
                    what: "partner role, right ID",
                    expected: "Allowed",
                    decide: assume(partnerAccount, `arn:aws:iam::${OTHER_ACCOUNT}:role/anything`, right),
                },
                {
                    what: "partner session, right ID",
                    expected: "Allowed",
                    decide: assume(
                        partnerAccount,
                        `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/anything/session`,
                        right,
                    ),
                },
                {
                    what: "partner role, right ID, after expiry",
                    expected: "Denied",
                    decide: assume(partnerAccount, `arn:aws:iam::${OTHER_ACCOUNT}:role/anything`, {
                        ...right,
                        ...afterExpiry,
                    }),
                },
                {
                    what: "partner role, wrong ID",
                    expected: "Denied",
                    decide: assume(partnerAccount, `arn:aws:iam::${OTHER_ACCOUNT}:role/anything`, {
                        ...beforeExpiry,
                        "sts:ExternalId": `${EXTERNAL_ID}x`,
                    }),
                },
                {
                    what: "partner role, ID of another case",
                    expected: "Denied",
                    decide: assume(partnerAccount, `arn:aws:iam::${OTHER_ACCOUNT}:role/anything`, {
                        ...beforeExpiry,
                        "sts:ExternalId": EXTERNAL_ID.toUpperCase(),
                    }),
                },
                {
                    what: "partner role, no ID",
                    expected: "Denied",
                    decide: assume(partnerAccount, `arn:aws:iam::${OTHER_ACCOUNT}:role/anything`, beforeExpiry),
                },
                {
                    what: "third account, right ID",
                    expected: "Denied",
                    decide: assume(partnerAccount, `arn:aws:iam::${THIRD_ACCOUNT}:role/anything`, right),
                },
                {
                    what: "this account, right ID",
                    expected: "Denied",
                    decide: assume(partnerAccount, `arn:aws:iam::${MOCK_ACCOUNT}:role/admin`, right),
                },
                {
                    what: "a service",
                    expected: "Denied",
                    decide: assume(partnerAccount, "lambda.amazonaws.com", right),
                },
                // AND a trust naming one role admits that role's sessions only
                {
                    what: "named role, right ID",
                    expected: "Allowed",
                    decide: assume(partnerRole, `arn:aws:iam::${OTHER_ACCOUNT}:role/partner-sync`, right),
                },
                {
                    what: "named role's session, right ID",
                    expected: "Allowed",
                    decide: assume(partnerRole, `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/partner-sync/s`, right),
                },
                {
                    what: "named role, no ID",
                    expected: "Denied",
                    decide: assume(partnerRole, `arn:aws:iam::${OTHER_ACCOUNT}:role/partner-sync`, beforeExpiry),
                },
                {
                    what: "named role, after expiry",
                    expected: "Denied",
                    decide: assume(partnerRole, `arn:aws:iam::${OTHER_ACCOUNT}:role/partner-sync`, {
                        ...right,
                        ...afterExpiry,
                    }),
                },
                {
                    what: "another role of that account",
                    expected: "Denied",
                    decide: assume(partnerRole, `arn:aws:iam::${OTHER_ACCOUNT}:role/partner-sync-2`, right),
                },
                {
                    what: "that account's root",
                    expected: "Denied",
                    decide: assume(partnerRole, `arn:aws:iam::${OTHER_ACCOUNT}:root`, right),
                },
            ]);
        });
    });

    describe("web-identity trust policies (GitHub Actions, EKS)", () => {
        let github: Declared;
        let eks: Declared;
        const AUD = { aud: "sts.amazonaws.com" };

        before(async () => {
            const base = { ...OWNERSHIP, grants: [], expiresAt: EXPIRES_AT };
            github = await declare("sim-deployer", () => ({
                ...base,
                trust: {
                    githubActions: {
                        repository: "o/r",
                        environment: "prod",
                        ref: "refs/heads/main",
                        oidcProviderArn: pulumi.output(GITHUB_PROVIDER),
                    },
                },
            }));
            eks = await declare("sim-invoice-worker", () => ({
                ...base,
                trust: {
                    eksServiceAccount: {
                        oidcProviderArn: EKS_PROVIDER,
                        oidcIssuer: `https://${EKS_ISSUER_HOST}`,
                        namespace: "ns",
                        serviceAccount: "sa",
                    },
                },
            }));
        });

        const token =
            (trust: Declared, providerArn: string, claims: WebIdentityClaims, at = BEFORE) =>
            () =>
                decideWebIdentity(trust.trustPolicy, { providerArn, roleArn: trust.roleArn, claims, at });

        it("needs the key rewrite: the engine ignores the issuers' sub and aud keys", async () => {
            // GIVEN the GitHub and EKS trusts and a token each trust should admit
            // WHEN the engine sees the claims under their real keys
            const gh = await rawWebIdentity(github.trustPolicy, {
                providerArn: GITHUB_PROVIDER,
                roleArn: github.roleArn,
                claims: { sub: "repo:o/r:environment:prod", ...AUD },
                at: BEFORE,
            });
            const k8s = await rawWebIdentity(eks.trustPolicy, {
                providerArn: EKS_PROVIDER,
                roleArn: eks.roleArn,
                claims: { sub: "system:serviceaccount:ns:sa", ...AUD },
                at: BEFORE,
            });
            // THEN it drops them as unknown for sts:AssumeRoleWithWebIdentity and denies: the limitation
            // the rewrite in test/support/iam-simulator.ts works around. When this fails, the engine has
            // learned the keys: drop the rewrite.
            assert.deepStrictEqual(
                [gh.decision, gh.ignored.sort()],
                [
                    "ImplicitlyDenied",
                    ["token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"],
                ],
            );
            assert.deepStrictEqual(
                [k8s.decision, k8s.ignored.sort()],
                ["ImplicitlyDenied", [`${EKS_ISSUER_HOST}:aud`, `${EKS_ISSUER_HOST}:sub`]],
            );
        });

        it("admits GitHub Actions runs of the exact subjects only, with the STS audience, until the expiry", async () => {
            // GIVEN a deployer trusting repo o/r in environment prod and on refs/heads/main
            // WHEN GitHub tokens with various subjects and audiences are presented
            // THEN exactly the two declared subjects are admitted, with aud sts.amazonaws.com, before the expiry
            await expectDecisions([
                {
                    what: "environment prod",
                    expected: "Allowed",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:environment:prod", ...AUD }),
                },
                {
                    what: "ref main",
                    expected: "Allowed",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:ref:refs/heads/main", ...AUD }),
                },
                {
                    what: "environment prod after expiry",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:environment:prod", ...AUD }, AFTER),
                },
                {
                    what: "ref main after expiry",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:ref:refs/heads/main", ...AUD }, AFTER),
                },
                // AND another repository, environment, branch, a pull request or a pattern-like subject are not
                {
                    what: "another repo, environment prod",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/other:environment:prod", ...AUD }),
                },
                {
                    what: "another owner, same repo name",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:evil/r:environment:prod", ...AUD }),
                },
                {
                    what: "a repo whose name extends it",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r-fork:ref:refs/heads/main", ...AUD }),
                },
                {
                    what: "environment staging",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:environment:staging", ...AUD }),
                },
                {
                    what: "environment production",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:environment:production", ...AUD }),
                },
                {
                    what: "branch feature",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:ref:refs/heads/feature", ...AUD }),
                },
                {
                    what: "tag main",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:ref:refs/tags/main", ...AUD }),
                },
                {
                    what: "pull request",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:pull_request", ...AUD }),
                },
                {
                    what: "literal wildcard subject",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:*", ...AUD }),
                },
                { what: "no subject", expected: "Denied", decide: token(github, GITHUB_PROVIDER, { ...AUD }) },
                // AND the right subject without the STS audience is not
                {
                    what: "no aud",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:environment:prod" }),
                },
                {
                    what: "aud of the owner",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, {
                        sub: "repo:o/r:environment:prod",
                        aud: "https://github.com/o",
                    }),
                },
                {
                    what: "aud of another service",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER, { sub: "repo:o/r:environment:prod", aud: "sigstore" }),
                },
                // AND the right claims through another account's GitHub provider, or an EKS provider, are not
                {
                    what: "another account's GitHub provider",
                    expected: "Denied",
                    decide: token(github, GITHUB_PROVIDER.replace(MOCK_ACCOUNT, OTHER_ACCOUNT), {
                        sub: "repo:o/r:environment:prod",
                        ...AUD,
                    }),
                },
                {
                    what: "the EKS provider",
                    expected: "Denied",
                    decide: token(github, EKS_PROVIDER, { sub: "repo:o/r:environment:prod", ...AUD }),
                },
            ]);
            // AND nothing can assume it with sts:AssumeRole
            await expectDecisions([
                {
                    what: "lambda AssumeRole",
                    expected: "Denied",
                    decide: () =>
                        decideTrust(github.trustPolicy, {
                            principal: "lambda.amazonaws.com",
                            roleArn: github.roleArn,
                            context: beforeExpiry,
                        }),
                },
                {
                    what: "account root AssumeRole",
                    expected: "Denied",
                    decide: () =>
                        decideTrust(github.trustPolicy, {
                            principal: `arn:aws:iam::${MOCK_ACCOUNT}:root`,
                            roleArn: github.roleArn,
                            context: beforeExpiry,
                            callerPolicies: [MAY_ASSUME_ANY_ROLE],
                        }),
                },
            ]);
        });

        it("admits the one EKS service account only (IRSA), with the STS audience, until the expiry", async () => {
            // GIVEN a role for service account sa in namespace ns of one cluster
            const OTHER_CLUSTER = EKS_PROVIDER.replace(
                "EXAMPLED539D4633E53DE1B71EXAMPLE",
                "0THERC1USTER0000000000000000000",
            );
            // WHEN tokens of that cluster and others are presented
            // THEN only system:serviceaccount:ns:sa with aud sts.amazonaws.com is admitted, before the expiry
            await expectDecisions([
                {
                    what: "ns:sa",
                    expected: "Allowed",
                    decide: token(eks, EKS_PROVIDER, { sub: "system:serviceaccount:ns:sa", ...AUD }),
                },
                {
                    what: "ns:sa after expiry",
                    expected: "Denied",
                    decide: token(eks, EKS_PROVIDER, { sub: "system:serviceaccount:ns:sa", ...AUD }, AFTER),
                },
                {
                    what: "ns:other",
                    expected: "Denied",
                    decide: token(eks, EKS_PROVIDER, { sub: "system:serviceaccount:ns:other", ...AUD }),
                },
                {
                    what: "other:sa",
                    expected: "Denied",
                    decide: token(eks, EKS_PROVIDER, { sub: "system:serviceaccount:other:sa", ...AUD }),
                },
                {
                    what: "ns:sa-2",
                    expected: "Denied",
                    decide: token(eks, EKS_PROVIDER, { sub: "system:serviceaccount:ns:sa-2", ...AUD }),
                },
                {
                    what: "ns:*",
                    expected: "Denied",
                    decide: token(eks, EKS_PROVIDER, { sub: "system:serviceaccount:ns:*", ...AUD }),
                },
                {
                    what: "no aud",
                    expected: "Denied",
                    decide: token(eks, EKS_PROVIDER, { sub: "system:serviceaccount:ns:sa" }),
                },
                {
                    what: "wrong aud",
                    expected: "Denied",
                    decide: token(eks, EKS_PROVIDER, {
                        sub: "system:serviceaccount:ns:sa",
                        aud: "https://kubernetes.default.svc",
                    }),
                },
                {
                    what: "another cluster",
                    expected: "Denied",
                    decide: token(eks, OTHER_CLUSTER, { sub: "system:serviceaccount:ns:sa", ...AUD }),
                },
                {
                    what: "the GitHub provider",
                    expected: "Denied",
                    decide: token(eks, GITHUB_PROVIDER, { sub: "system:serviceaccount:ns:sa", ...AUD }),
                },
            ]);
        });
    });
});
