import * as assert from "assert";
import fc from "fast-check";
import { aws } from "../../components";
import { renderAuditQuery } from "../../components/aws/audit-query";
import { capture, valueOf } from "../../components/testing";

const OWNERSHIP = { owner: "team-payments", purpose: "Processes invoices" };
const QUEUE = "arn:aws:sqs:us-east-1:123456789012:invoices";
const CONSUME = { actions: ["sqs:ReceiveMessage"], resources: [QUEUE] };
const FIELDS =
    "fields @timestamp, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, userIdentity.arn, userIdentity.accessKeyId, errorCode, errorMessage, resources.0.ARN";

describe("aws audit query (renderAuditQuery)", () => {
    const table: { principal: "role" | "user"; arn: string; query: string }[] = [
        {
            principal: "role",
            arn: "arn:aws:iam::123456789012:role/worker-role-1a2b3c4",
            query: [
                FIELDS,
                '| filter userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::123456789012:role/worker-role-1a2b3c4" or requestParameters.roleArn = "arn:aws:iam::123456789012:role/worker-role-1a2b3c4"',
                "| sort @timestamp desc",
                "| limit 1000",
            ].join("\n"),
        },
        {
            // A role under a path: sessionIssuer.arn and requestParameters.roleArn hold the path too.
            principal: "role",
            arn: "arn:aws-us-gov:iam::123456789012:role/ci/deployer-role-1a2b3c4",
            query: [
                FIELDS,
                '| filter userIdentity.sessionContext.sessionIssuer.arn = "arn:aws-us-gov:iam::123456789012:role/ci/deployer-role-1a2b3c4" or requestParameters.roleArn = "arn:aws-us-gov:iam::123456789012:role/ci/deployer-role-1a2b3c4"',
                "| sort @timestamp desc",
                "| limit 1000",
            ].join("\n"),
        },
        {
            principal: "user",
            arn: "arn:aws:iam::123456789012:user/nhi/acme-user-1a2b3c4",
            query: [
                FIELDS,
                '| filter userIdentity.arn = "arn:aws:iam::123456789012:user/nhi/acme-user-1a2b3c4" or userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::123456789012:user/nhi/acme-user-1a2b3c4"',
                "| sort @timestamp desc",
                "| limit 1000",
            ].join("\n"),
        },
    ];
    for (const { principal, arn, query } of table) {
        it(`renders the exact query for the ${principal} ${arn}`, () => {
            assert.strictEqual(renderAuditQuery(principal, arn), query);
        });
    }

    const refused: { arn: string; bad: string }[] = [
        { arn: 'arn:aws:iam::123456789012:role/a"b/worker-role-1a2b3c4', bad: '"\\""' },
        { arn: "arn:aws:iam::123456789012:role/a\\b/worker-role-1a2b3c4", bad: '"\\\\"' },
        { arn: "arn:aws:iam::123456789012:role/worker\n| filter 1=1", bad: '"\\n"' },
    ];
    for (const { arn, bad } of refused) {
        it(`refuses to quote an ARN holding ${bad}`, () => {
            assert.throws(() => renderAuditQuery("role", arn), {
                message: `The audit query cannot quote the ARN ${JSON.stringify(arn)}: it holds ${bad}, which could end the audit query's string. Give the identity a \`path\` without \`"\`, \`\\\` or control characters.`,
            });
        });
    }

    it('quotes every ARN IAM allows (without `"` or `\\` in its path) verbatim in each of its two conditions, and nothing else', () => {
        // Any printable ASCII path other than `"` and `\`, and any valid role name: the ARN appears
        // verbatim between quotes in each of the two conditions, and nowhere else.
        const pathChar = fc.constantFrom(..."abcXYZ09!#$%&'()*+,-.:;<=>?@[]^_`{|}~".split(""));
        const segment = fc.array(pathChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join("").replace(/\//g, ""));
        const name = fc.stringMatching(/^[\w+=,.@-]{1,64}$/);
        fc.assert(
            fc.property(
                fc.array(segment, { maxLength: 3 }),
                name,
                fc.constantFrom("role" as const, "user" as const),
                (segments, n, principal) => {
                    const arn = `arn:aws:iam::123456789012:${principal}/${segments.map((s) => `${s}/`).join("")}${n}`;
                    const query = renderAuditQuery(principal, arn);
                    const filter = query.split("\n")[1];
                    assert.strictEqual(filter.split(`"${arn}"`).length - 1, 2);
                    assert.strictEqual(filter.split('"').length - 1, 4);
                },
            ),
        );
    });
});

describe("aws identities' auditQuery", () => {
    it("aws.ServiceIdentity: resolves to the query of its role's sessions and AssumeRole calls, registering nothing more", async () => {
        // GIVEN a Lambda worker under the path /payments/
        const { value, resources } = await capture(
            () =>
                new aws.ServiceIdentity("worker", {
                    ...OWNERSHIP,
                    trust: { service: { principal: "lambda.amazonaws.com" } },
                    grants: [CONSUME],
                    path: "/payments/",
                }),
        );
        // WHEN its audit query is read
        const query = await valueOf(value.auditQuery);
        // THEN it is the role query of the role's own ARN, path included
        assert.strictEqual(
            query,
            renderAuditQuery("role", "arn:aws:iam::123456789012:role/payments/worker-role-1a2b3c4"),
        );
        assert.match(
            query,
            /sessionIssuer\.arn = "arn:aws:iam::123456789012:role\/payments\/worker-role-1a2b3c4" or requestParameters\.roleArn = /,
        );
        // AND the same Output on every read, and no resource beyond the role and its policy
        assert.strictEqual(value.auditQuery, value.auditQuery);
        assert.deepStrictEqual(
            resources.map((r) => r.type),
            ["nhi:aws:ServiceIdentity", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"],
        );
    });

    it("aws.ServiceIdentity under a path holding a quote: declares the identity, and reading auditQuery fails saying why", async () => {
        // GIVEN a role under the path /a"b/, which IAM accepts (any printable ASCII)
        const { value, resources } = await capture(
            () =>
                new aws.ServiceIdentity("worker", {
                    ...OWNERSHIP,
                    trust: { service: { principal: "lambda.amazonaws.com" } },
                    grants: [CONSUME],
                    path: '/a"b/',
                }),
        );
        assert.strictEqual(resources.length, 3);
        // WHEN its audit query is read THEN it is refused, naming the ARN, the character and the fix
        const arn = 'arn:aws:iam::123456789012:role/a"b/worker-role-1a2b3c4';
        await assert.rejects(valueOf(value.auditQuery), {
            message: `The audit query cannot quote the ARN ${JSON.stringify(arn)}: it holds "\\"", which could end the audit query's string. Give the identity a \`path\` without \`"\`, \`\\\` or control characters.`,
        });
    });

    it("aws.AccessKeyIdentity: resolves to the query of its user's calls", async () => {
        // GIVEN a vendor's access-key user under the default path /nhi/
        const { value } = await capture(
            () =>
                new aws.AccessKeyIdentity("acme", {
                    ...OWNERSHIP,
                    consumer: "acme-vendor",
                    rotateEveryDays: 30,
                    grants: [CONSUME],
                }),
        );
        // WHEN its audit query is read
        const query = await valueOf(value.auditQuery);
        // THEN it is the user query of the user's ARN (not of the rotator's or the retire schedule's roles)
        assert.strictEqual(query, renderAuditQuery("user", "arn:aws:iam::123456789012:user/nhi/acme-user-1a2b3c4"));
        assert.match(
            query,
            /\| filter userIdentity\.arn = "arn:aws:iam::123456789012:user\/nhi\/acme-user-1a2b3c4" or /,
        );
    });
});
