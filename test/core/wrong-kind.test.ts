import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { describe as describeValue } from "../../components/core/errors";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { BadInput, itRefusesEach } from "../support/bad-input";

// An Output or a Promise given where a value must be known when the program runs is named as
// such, with why and what to pass instead, never by Pulumi's `toJSON` text.
const output = pulumi.output("team-payments");
const RECORDED =
    "it is recorded with the identity (in its tags on AWS, in its description on Google) and checked before anything is created";
const EXPIRY =
    "`expiresAt` is an Output, but it must be known when the program runs, because it is written into every grant and trust as a condition the cloud enforces, and checked before anything is created. Pass a plain string, such as `2027-01-31T00:00:00Z`.";
const GOT =
    "got an Output, but this argument must be known when the program runs, because it is checked before anything is created: pass a plain value.";

const awsBase = {
    owner: "team-data",
    purpose: "nightly export",
    trust: { service: { principal: "lambda.amazonaws.com" } },
    grants: [],
};
const AWS: BadInput[] = [
    {
        what: "an Output for `owner`",
        args: { ...awsBase, owner: output },
        path: "owner",
        reason: `\`owner\` is an Output, but it must be known when the program runs, because ${RECORDED}. Pass a plain string, such as \`team-payments\`.`,
    },
    {
        what: "a Promise for `purpose`",
        args: { ...awsBase, purpose: Promise.resolve("x") },
        path: "purpose",
        reason: `\`purpose\` is a Promise, but it must be known when the program runs, because ${RECORDED}. Pass a plain string, such as \`Exports the nightly reports\`.`,
    },
    { what: "an Output for `expiresAt`", args: { ...awsBase, expiresAt: output }, path: "expiresAt", reason: EXPIRY },
    {
        what: "an Output for `path`",
        args: { ...awsBase, path: output },
        path: "path",
        reason: `\`path\` must be \`/\` or start and end with \`/\` (such as \`/ci/\`), at most 512 printable ASCII characters; ${GOT}`,
    },
    {
        what: "an Output for a service principal",
        args: { ...awsBase, trust: { service: { principal: output } } },
        path: "trust.service.principal",
        reason: `\`trust.service.principal\` must be an AWS service principal of the form \`name.amazonaws.com\`, such as \`lambda.amazonaws.com\`; ${GOT}`,
    },
    {
        what: "an Output for an action",
        args: { ...awsBase, grants: [{ actions: [output], resources: ["arn:aws:s3:::b/*"] }] },
        path: "grants[0].actions[0]",
        reason: `\`grants[0].actions[0]\` must be an IAM action of the form \`service:Action\`, such as \`s3:GetObject\`; ${GOT}`,
    },
];

const gcpBase = { project: "acme-prod", owner: "team-data", purpose: "nightly export", grants: [] };
const GCP: BadInput[] = [
    {
        what: "an Output for `owner`",
        args: { ...gcpBase, owner: output },
        path: "owner",
        reason: `\`owner\` is an Output, but it must be known when the program runs, because ${RECORDED}. Pass a plain string, such as \`team-payments\`.`,
    },
    { what: "an Output for `expiresAt`", args: { ...gcpBase, expiresAt: output }, path: "expiresAt", reason: EXPIRY },
    {
        what: "an Output for `project`",
        args: { ...gcpBase, project: output },
        path: "project",
        reason: `\`project\` must be a project ID: 6–30 lower-case letters, digits and hyphens, starting with a letter, such as \`my-project\`; ${GOT}`,
    },
    {
        what: "an Output for `accountId`",
        args: { ...gcpBase, accountId: output },
        path: "accountId",
        reason: `\`accountId\` must be 6–30 characters: a lower-case letter, then lower-case letters, digits and hyphens, not ending with a hyphen; ${GOT}`,
    },
    {
        what: "an Output for a role",
        args: { ...gcpBase, grants: [{ role: output, resource: { project: "acme-prod" } }] },
        path: "grants[0].role",
        reason: `\`grants[0].role\` must be a role name such as \`roles/storage.objectViewer\`; ${GOT}`,
    },
];

describe("a value known only at deploy time where a plain value is needed", () => {
    describe("aws.ServiceIdentity", () => itRefusesEach(AWS, "AwsServiceIdentity", "worker", planAwsServiceIdentity));
    describe("gcp.ServiceIdentity", () =>
        itRefusesEach(GCP, "GcpServiceIdentity", "worker-sa", planGcpServiceIdentity));
});

describe("describe (a given value, for messages)", () => {
    const circular: any = {};
    circular.self = circular;
    const table: [string, unknown, string][] = [
        ["a string", "s3:GetObjekt", "`s3:GetObjekt`"],
        ["an empty string", "", "an empty string"],
        ["whitespace", "  ", "only whitespace"],
        ["undefined", undefined, "undefined"],
        ["a number", 7, "number `7`"],
        ["an object", { a: 1 }, 'object `{"a":1}`'],
        ["an object JSON cannot write", circular, "object"],
        [
            "an Output",
            pulumi.output("x"),
            "an Output, but this argument must be known when the program runs, because it is checked before anything is created: pass a plain value",
        ],
        [
            "a Promise",
            Promise.resolve("x"),
            "a Promise, but this argument must be known when the program runs, because it is checked before anything is created: pass a plain value",
        ],
    ];
    for (const [what, value, expected] of table) {
        it(`renders ${what}`, () => assert.strictEqual(describeValue(value), expected));
    }
});
