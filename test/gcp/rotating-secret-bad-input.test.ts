import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { planGcpRotatingSecret } from "../../components/gcp/rotating-secret";
import { planGcpSecretRotator } from "../../components/gcp/secret-rotator";
import { capture } from "../../components/testing";
import { BadInput, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";

const base: any = {
    project: "acme-prod",
    owner: "team-payments",
    purpose: "Signs webhooks",
    rotateEveryDays: 30,
    region: "europe-west1",
};
const PERIOD = "`rotateEveryDays` must be a whole number of days from 1 to 365 (how often the value is replaced)";
const GRACE =
    "`graceDays` must be a whole number of days from 30 (`rotateEveryDays`: the function retires a replaced version only when it rotates, so the version stays enabled at least one period anyway) to 365";
const MEMBER =
    "must be an IAM member (`serviceAccount:…`, `user:…`, `group:…`, `domain:…`, `principal://…` or `principalSet://…`) or a `gcp.ServiceIdentity`";

/** Each bad input a new user might try, with the exact problem reported. */
const BAD_INPUTS: BadInput[] = [
    {
        what: "a period of 0 days",
        args: { ...base, rotateEveryDays: 0 },
        path: "rotateEveryDays",
        reason: `${PERIOD}; got number \`0\`.`,
    },
    {
        what: "a period over a year",
        args: { ...base, rotateEveryDays: 366 },
        path: "rotateEveryDays",
        reason: `${PERIOD}; got number \`366\`.`,
    },
    {
        what: "a period that is not whole days",
        args: { ...base, rotateEveryDays: 1.5 },
        path: "rotateEveryDays",
        reason: `${PERIOD}; got number \`1.5\`.`,
    },
    {
        what: "a period given as text",
        args: { ...base, rotateEveryDays: "30" },
        path: "rotateEveryDays",
        reason: `${PERIOD}; got \`30\`.`,
    },
    {
        what: "no period",
        args: { ...base, rotateEveryDays: undefined },
        path: "rotateEveryDays",
        reason: `${PERIOD}; got undefined.`,
    },
    {
        what: "a grace shorter than the period",
        args: { ...base, graceDays: 7 },
        path: "graceDays",
        reason: `${GRACE}; got number \`7\`.`,
    },
    {
        what: "a grace over a year",
        args: { ...base, graceDays: 366 },
        path: "graceDays",
        reason: `${GRACE}; got number \`366\`.`,
    },
    {
        what: "a value shorter than 16",
        args: { ...base, value: { length: 8 } },
        path: "value.length",
        reason: "`value.length` must be a whole number of characters from 16 to 4096; got number `8`.",
    },
    {
        what: "a value longer than 4096",
        args: { ...base, value: { length: 4097 } },
        path: "value.length",
        reason: "`value.length` must be a whole number of characters from 16 to 4096; got number `4097`.",
    },
    {
        what: "a misspelt format",
        args: { ...base, value: { format: "Hexa" } },
        path: "value.format",
        reason: "`value.format` must be `alphanumeric`, `printable`, `hex` or `base64`; got `Hexa`. Did you mean `hex`?",
    },
    {
        what: "an unknown format",
        args: { ...base, value: { format: "emoji" } },
        path: "value.format",
        reason: "`value.format` must be `alphanumeric`, `printable`, `hex` or `base64`; got `emoji`.",
    },
    {
        what: "a value that is a number",
        args: { ...base, value: 32 },
        path: "value",
        reason: '`value` must be an object such as `{ length: 64, format: "hex" }`; got number `32`.',
    },
    {
        what: "a reader without its member type",
        args: { ...base, readers: ["ledger@acme-prod.iam.gserviceaccount.com"] },
        path: "readers[0]",
        reason: `\`readers[0]\` ${MEMBER}; got \`ledger@acme-prod.iam.gserviceaccount.com\`. Did you mean \`serviceAccount:ledger@acme-prod.iam.gserviceaccount.com\`?`,
    },
    {
        what: "a person without `user:`",
        args: { ...base, readers: ["alice@acme.example"] },
        path: "readers[0]",
        reason: `\`readers[0]\` ${MEMBER}; got \`alice@acme.example\`. Did you mean \`user:alice@acme.example\`?`,
    },
    {
        what: "allUsers as a reader",
        args: { ...base, readers: ["allUsers"] },
        path: "readers[0]",
        reason: "`readers[0]` is `allUsers`, which would let anyone read the secret. Name the identities that read it.",
    },
    {
        what: "allAuthenticatedUsers as a reader",
        args: { ...base, readers: ["allAuthenticatedUsers"] },
        path: "readers[0]",
        reason: "`readers[0]` is `allAuthenticatedUsers`, which would let anyone with a Google account read the secret. Name the identities that read it.",
    },
    {
        what: "a reader that is a number",
        args: { ...base, readers: [42] },
        path: "readers[0]",
        reason: "`readers[0]` must be an IAM member string or a `gcp.ServiceIdentity`; got number `42`.",
    },
    {
        what: "readers that are not a list",
        args: { ...base, readers: "user:alice@acme.example" },
        path: "readers",
        reason: "`readers` must be a list of IAM members or `gcp.ServiceIdentity` objects; got `user:alice@acme.example`.",
    },
    {
        what: "neither a region nor a rotator",
        args: { ...base, region: undefined },
        path: "region",
        reason: "`region` must be the Google Cloud region of this secret's rotation function, such as `europe-west1` (or give a shared `rotator`); got undefined.",
    },
    {
        what: "a region that is not one",
        args: { ...base, region: "Europe West" },
        path: "region",
        reason: "`region` must be the Google Cloud region of this secret's rotation function, such as `europe-west1` (or give a shared `rotator`); got `Europe West`.",
    },
    {
        what: "a rotator that is not a gcp.SecretRotator",
        args: { ...base, region: undefined, rotator: {} },
        path: "rotator",
        reason: "`rotator` must be a `gcp.SecretRotator`; got object `{}`.",
    },
    {
        what: "a secret ID with a space",
        args: { ...base, secretId: "webhook signing" },
        path: "secretId",
        reason: "`secretId` must be 1–255 letters, digits, `-` and `_`; got `webhook signing`. Did you mean `webhook-signing`?",
    },
    {
        what: "a label the package sets",
        args: { ...base, labels: { "nhi-value-format": "hex" } },
        path: "labels.nhi-value-format",
        reason: "`labels.nhi-value-format`: label keys starting with `nhi-` are set by pulumi-nhi (the rotation function reads them); use `rotateEveryDays`, `graceDays` and `value` instead.",
    },
    {
        what: "a label key in capitals",
        args: { ...base, labels: { Team: "payments" } },
        path: "labels.Team",
        reason: "`labels.Team`: a label key must start with a lower-case letter and have at most 63 lower-case letters, digits, `_` and `-`; got `Team`. Did you mean `team`?",
    },
    {
        what: "a label value with a space",
        args: { ...base, labels: { team: "Payments Team" } },
        path: "labels.team",
        reason: "`labels.team` must be at most 63 lower-case letters, digits, `_` and `-`; got `Payments Team`.",
    },
    {
        what: "an empty owner",
        args: { ...base, owner: "" },
        path: "owner",
        reason: "`owner` is required and must be a non-empty string (the team or person who answers for this secret); got an empty string.",
    },
    {
        what: "an owner too long for the function's service accounts",
        args: { ...base, owner: "o".repeat(200) },
        path: "owner",
        reason: "`owner` is 200 bytes, too long for the description of the rotation function's service accounts, which hold at most 256 bytes (Google limit) and leave 134 of them for `owner` beside the function's own purpose. Shorten `owner` to at most 134 bytes.",
    },
    {
        what: "a purpose too long for the secret's annotations",
        args: { ...base, purpose: "p".repeat(17_000) },
        path: "purpose",
        reason: "`purpose` makes the ownership record 17076 bytes, too long for the secret's annotations, which take less than 16 KiB (Google limit). Shorten `purpose`.",
    },
    {
        what: "a project that is not a project ID",
        args: { ...base, project: "Acme" },
        path: "project",
        reason: "`project` must be a project ID: 6–30 lower-case letters, digits and hyphens, starting with a letter, such as `my-project`; got `Acme`.",
    },
    {
        what: "a first rotation under 6 minutes",
        args: { ...base, firstRotationAfterMinutes: 5 },
        path: "firstRotationAfterMinutes",
        reason: "`firstRotationAfterMinutes` must be a whole number of minutes from 6 (Secret Manager refuses a first rotation less than 5 minutes ahead) to 1440; got number `5`.",
    },
    {
        what: "deletionProtection given as text",
        args: { ...base, deletionProtection: "no" },
        path: "deletionProtection",
        reason: "`deletionProtection` must be `true` or `false`; got `no`.",
    },
];

describe("gcp.RotatingSecret bad input", () => {
    itRefusesEach(BAD_INPUTS, "GcpRotatingSecret", "webhook-signing", (name, args) =>
        planGcpRotatingSecret(name, args),
    );

    itRegistersNothingWhenRefused(() => new gcp.RotatingSecret("rejected-secret", { ...base, rotateEveryDays: 0 }));

    it("reports every problem at once", () => {
        assert.throws(
            () =>
                planGcpRotatingSecret("webhook-signing", {
                    ...base,
                    rotateEveryDays: 0,
                    value: { length: 1, format: "x" },
                    readers: ["allUsers"],
                }),
            (e: any) => {
                assert.deepStrictEqual(
                    e.errors.map((p: any) => p.propertyPath),
                    ["rotateEveryDays", "value.length", "value.format", "readers[0]"],
                );
                return true;
            },
        );
    });

    describe("with a shared rotator", () => {
        it("refuses a region beside the rotator, a rotator of another project, and an ID outside its prefix; registering nothing of the secret", async () => {
            // GIVEN a rotator for acme-prod
            let thrown: any;
            const { resources } = await capture(() => {
                const rotator = new gcp.SecretRotator("shared-bad", {
                    project: "acme-prod",
                    region: "europe-west1",
                    owner: "team-platform",
                });
                try {
                    // WHEN a secret of acme-dev names it, with a region and an ID outside its prefix
                    new gcp.RotatingSecret("token", {
                        ...base,
                        project: "acme-dev1",
                        region: "europe-west1",
                        rotator,
                        secretId: "token",
                    } as any);
                } catch (e) {
                    thrown = e;
                }
            });
            // THEN one error names the three, and no part of the secret is registered
            assert.ok(pulumi.InputPropertiesError.isInstance(thrown));
            assert.deepStrictEqual(thrown.errors, [
                {
                    propertyPath: "region",
                    reason: "`region` is for a secret's own rotation function; with `rotator`, the rotator's region (`europe-west1`) applies. Remove `region`.",
                },
                {
                    propertyPath: "rotator",
                    reason: "`rotator` rotates secrets of project `acme-prod`, not `acme-dev1`: a rotator's IAM Condition admits its own project's secrets only. Use a rotator in `acme-dev1`.",
                },
                {
                    propertyPath: "secretId",
                    reason: "`secretId` must start with the rotator's `secretIdPrefix` `shared-bad-`, the only secrets its IAM Condition lets it rotate; got `token`. Did you mean `shared-bad-token`?",
                },
            ]);
            assert.deepStrictEqual(
                resources.filter((r) => r.name.startsWith("token")),
                [],
            );
        });
    });
});

describe("gcp.SecretRotator bad input", () => {
    const rotatorBase: any = { project: "acme-prod", region: "europe-west1", owner: "team-platform" };
    const ROTATOR_BAD: BadInput[] = [
        {
            what: "no region",
            args: { ...rotatorBase, region: undefined },
            path: "region",
            reason: "`region` must be the Google Cloud region of the rotation function, such as `europe-west1`; got undefined.",
        },
        {
            what: "a prefix with a slash",
            args: { ...rotatorBase, secretIdPrefix: "team/" },
            path: "secretIdPrefix",
            reason: "`secretIdPrefix` must be 1–100 letters, digits, `-` and `_` (the start of a secret ID); got `team/`.",
        },
        {
            what: "an empty owner",
            args: { ...rotatorBase, owner: " " },
            path: "owner",
            reason: "`owner` is required and must be a non-empty string (the team or person who answers for the rotator); got only whitespace.",
        },
        {
            what: "a blank purpose",
            args: { ...rotatorBase, purpose: "" },
            path: "purpose",
            reason: "`purpose` must be a non-empty string (why the rotator exists); got an empty string.",
        },
    ];
    itRefusesEach(ROTATOR_BAD, "GcpSecretRotator", "shared", (name, args) => planGcpSecretRotator(name, args));
    itRegistersNothingWhenRefused(
        () => new gcp.SecretRotator("rejected-rotator", { ...rotatorBase, region: "nowhere" }),
    );
});
