import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_ACCOUNT, MOCK_PROJECT_NUMBER, capture, installMocks, valueOf } from "../../components/testing";

describe("pulumi-nhi/testing", () => {
    it("answers with the outputs the cloud would give: ARNs, URLs, names with the project number", async () => {
        // GIVEN resources of a typical stack, declared under the mocks
        const { value } = await capture(() => ({
            queue: new aws.sqs.Queue("jobs"),
            table: new aws.dynamodb.Table("orders", { attributes: [{ name: "id", type: "S" }], hashKey: "id" }),
            alerts: new aws.sns.Topic("alerts"),
            logs: new aws.cloudwatch.LogGroup("worker", { name: "/aws/lambda/worker" }),
            namedBucket: new aws.s3.Bucket("named", { bucket: "acme-invoices" }),
            secret: new gcp.secretmanager.Secret("db", { secretId: "db-password", replication: { auto: {} } }),
            topic: new gcp.pubsub.Topic("events", { project: "acme-prod" }),
            caller: aws.getCallerIdentityOutput(),
            region: aws.getRegionOutput(),
            project: gcp.organizations.getProjectOutput({ projectId: "acme-prod" }),
        }));
        // THEN each output is the value AWS or Google would return, in the mocked account and project
        assert.deepStrictEqual(
            await Promise.all([
                valueOf(value.queue.arn),
                valueOf(value.queue.url),
                valueOf(value.table.arn),
                valueOf(value.alerts.arn),
                valueOf(value.logs.arn),
                valueOf(value.namedBucket.arn),
                valueOf(value.secret.name),
                valueOf(value.topic.id),
                valueOf(value.caller.accountId),
                valueOf(value.region.name),
                valueOf(value.project.number),
            ]),
            [
                `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:jobs-1a2b3c4`,
                `https://sqs.us-east-1.amazonaws.com/${MOCK_ACCOUNT}/jobs-1a2b3c4`,
                `arn:aws:dynamodb:us-east-1:${MOCK_ACCOUNT}:table/orders-1a2b3c4`,
                `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:alerts-1a2b3c4`,
                `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/aws/lambda/worker`,
                "arn:aws:s3:::acme-invoices",
                `projects/${MOCK_PROJECT_NUMBER}/secrets/db-password`,
                "projects/acme-prod/topics/events-1a2b3c4",
                MOCK_ACCOUNT,
                "us-east-1",
                MOCK_PROJECT_NUMBER,
            ],
        );
    });

    it("records each registration with its parent's type", async () => {
        // GIVEN a component with one child
        class Box extends pulumi.ComponentResource {
            constructor(name: string) {
                super("acme:index:Box", name);
                new aws.sqs.Queue(`${name}-queue`, {}, { parent: this });
            }
        }
        // WHEN it is declared  THEN both registrations are recorded, the child under the component
        const { resources } = await capture(() => new Box("inbox"));
        assert.deepStrictEqual(
            resources.map((r) => [r.type, r.name, r.parentType]),
            [
                ["acme:index:Box", "inbox", undefined],
                ["aws:sqs/queue:Queue", "inbox-queue", "acme:index:Box"],
            ],
        );
    });

    it("installs once per process, and refuses other options once installed", () => {
        installMocks();
        installMocks({ awsAccountId: MOCK_ACCOUNT });
        assert.throws(() => installMocks({ awsAccountId: "111122223333" }), {
            message:
                "installMocks: the mocks are already installed with other options; call installMocks once per process, before declaring anything.",
        });
    });
});
