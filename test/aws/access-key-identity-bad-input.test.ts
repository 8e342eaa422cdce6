import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsAccessKeyIdentity } from "../../components/aws/access-key-identity";
import { BadInput, TABLE_NOW, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";

const base: any = {
    owner: "team-payments",
    purpose: "Uploads invoices to Acme",
    consumer: "acme-vendor",
    rotateEveryDays: 30,
    grants: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::acme-exchange/invoices/*"] }],
};

/** Each bad input a new user might try, with the exact problem reported. */
const BAD_INPUTS: BadInput[] = [
    // The key's own arguments
    {
        what: "no consumer",
        args: { ...base, consumer: undefined },
        path: "consumer",
        reason: "`consumer` is required and must be a non-empty string (what uses the access key, such as `acme-vendor`); got undefined.",
    },
    {
        what: "blank consumer",
        args: { ...base, consumer: "  " },
        path: "consumer",
        reason: "`consumer` is required and must be a non-empty string (what uses the access key, such as `acme-vendor`); got only whitespace.",
    },
    {
        what: "consumer a tag cannot hold",
        args: { ...base, consumer: "Acme, Inc." },
        path: "consumer",
        reason: "`consumer` is written to the IAM tag `nhi:consumer`, which allows at most 256 letters, digits, spaces and `_ . : / = + - @`; remove `,`.",
    },
    {
        what: "no rotation period",
        args: { ...base, rotateEveryDays: undefined },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got undefined.",
    },
    {
        what: "rotation period of 0 days",
        args: { ...base, rotateEveryDays: 0 },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got number `0`.",
    },
    {
        what: "rotation period over a year",
        args: { ...base, rotateEveryDays: 366 },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got number `366`.",
    },
    {
        what: "rotation period not a whole number",
        args: { ...base, rotateEveryDays: 7.5 },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got number `7.5`.",
    },
    {
        what: "rotation period as text",
        args: { ...base, rotateEveryDays: "30" },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got `30`. Pass the number `30`, not the text.",
    },
    {
        what: "grace as long as the period",
        args: { ...base, graceDays: 30 },
        path: "graceDays",
        reason: "`graceDays` (30) must be shorter than `rotateEveryDays` (30): the next rotation needs the previous key's place (IAM allows two access keys per user). Give at most 29, or rotate less often.",
    },
    {
        what: "grace longer than the period",
        args: { ...base, rotateEveryDays: 1, graceDays: 2 },
        path: "graceDays",
        reason: "`graceDays` (2) must be shorter than `rotateEveryDays` (1): the next rotation needs the previous key's place (IAM allows two access keys per user). Give at most 0, or rotate less often.",
    },
    {
        what: "negative grace",
        args: { ...base, graceDays: -1 },
        path: "graceDays",
        reason: "`graceDays` must be a whole number of days from 0, shorter than `rotateEveryDays`; got number `-1`.",
    },
    {
        what: "grace as text",
        args: { ...base, graceDays: "3" },
        path: "graceDays",
        reason: "`graceDays` must be a whole number of days from 0, shorter than `rotateEveryDays`; got `3`. Pass the number `3`, not the text.",
    },
    {
        what: "grace not a whole number",
        args: { ...base, graceDays: 0.5 },
        path: "graceDays",
        reason: "`graceDays` must be a whole number of days from 0, shorter than `rotateEveryDays`; got number `0.5`.",
    },
    {
        what: "reader given by name",
        args: { ...base, readers: ["acme-uploader"] },
        path: "readers[0]",
        reason: "`readers[0]` must be an IAM principal ARN (`arn:aws:iam::<account>:role/<name>`, `…:user/<name>` or `…:root`, without wildcards) or an `aws.ServiceIdentity`; got `acme-uploader`. A name is not enough: pass the role's ARN, `arn:aws:iam::<account>:role/acme-uploader`.",
    },
    {
        what: "wildcard reader",
        args: { ...base, readers: ["arn:aws:iam::123456789012:role/*"] },
        path: "readers[0]",
        reason: "`readers[0]` must be an IAM principal ARN (`arn:aws:iam::<account>:role/<name>`, `…:user/<name>` or `…:root`, without wildcards) or an `aws.ServiceIdentity`; got `arn:aws:iam::123456789012:role/*`.",
    },
    {
        what: "readers not a list",
        args: { ...base, readers: "arn:aws:iam::123456789012:role/acme-uploader" },
        path: "readers",
        reason: "`readers` must be a list of IAM principal ARNs or `aws.ServiceIdentity` objects; got `arn:aws:iam::123456789012:role/acme-uploader`.",
    },
    {
        what: "KMS key given by alias",
        args: { ...base, kmsKeyArn: "alias/acme" },
        path: "kmsKeyArn",
        reason: "`kmsKeyArn` must be the ARN of a KMS key, `arn:aws:kms:<region>:<account>:key/<key id>` (such as `key.arn` of an `aws.kms.Key`; an alias is not enough, since IAM policies name keys by ARN); got `alias/acme`.",
    },
    {
        what: "deleting the key's secret at once",
        args: { ...base, recoveryWindowInDays: 0 },
        path: "recoveryWindowInDays",
        reason: "`recoveryWindowInDays` must be a whole number of days from 7 to 30 (AWS limits): a deleted secret stays recoverable that long, and this package never deletes one at once; got number `0`.",
    },
    // The user's name
    {
        what: "name too long for the rotation function's role",
        name: "a".repeat(44),
        args: base,
        path: "name",
        reason: "`name` `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` is 44 characters; the IAM role name of its rotation function `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-rotator-role-xxxxxxx` derived from it must be at most 64 characters (AWS limit), so `name` may have at most 43.",
    },
    {
        what: "user name with characters IAM refuses",
        name: "acme vendor!",
        args: base,
        path: "name",
        reason: "`name` `acme vendor!` becomes the IAM user name, which allows only letters, digits and `+=,.@_-`; remove ` `, `!`.",
    },
    // What every AWS identity shares with aws.ServiceIdentity reaches the user too
    {
        what: "empty owner",
        args: { ...base, owner: "" },
        path: "owner",
        reason: "`owner` is required and must be a non-empty string (the team or person who answers for this identity); got an empty string.",
    },
    {
        what: "purpose a tag cannot hold",
        args: { ...base, purpose: "Uploads, downloads" },
        path: "purpose",
        reason: "`purpose` is written to the IAM tag `nhi:purpose`, which allows at most 256 letters, digits, spaces and `_ . : / = + - @`; remove `,`.",
    },
    {
        what: "unknown action",
        args: { ...base, grants: [{ actions: ["s3:PutObjekt"], resources: ["arn:aws:s3:::acme-exchange/*"] }] },
        path: "grants[0].actions[0]",
        reason: "`grants[0].actions[0]` is not an action of `s3`: `s3:PutObjekt`. Did you mean `s3:PutObject`, `s3:GetObject` or `s3:PutObjectAcl`?",
    },
    {
        what: "wildcard action",
        args: { ...base, grants: [{ actions: ["*"], resources: ["arn:aws:s3:::acme-exchange/*"] }] },
        path: "grants[0].actions[0]",
        reason: "`grants[0].actions[0]` is `*`, every action of every service. Wildcard actions are refused unless the grant sets `allowWildcard: true`; list the exact actions instead.",
    },
    {
        what: "expiresAt in the past",
        args: { ...base, expiresAt: "2020-01-01T00:00:00Z" },
        path: "expiresAt",
        reason: "`expiresAt` is in the past: `2020-01-01T00:00:00Z` is before now (2026-11-25T00:00:00Z). Give a future instant, or remove the identity if it is no longer needed.",
    },
    {
        what: "path without slashes",
        args: { ...base, path: "vendors" },
        path: "path",
        reason: "`path` must be `/` or start and end with `/` (such as `/ci/`), at most 512 printable ASCII characters; got `vendors`.",
    },
    {
        what: "boundary that is not a policy ARN",
        args: { ...base, permissionsBoundaryArn: "boundary" },
        path: "permissionsBoundaryArn",
        reason: "`permissionsBoundaryArn` must be the ARN of a managed policy, such as `arn:aws:iam::123456789012:policy/boundary`; got `boundary`.",
    },
    {
        what: "tag with a reserved key",
        args: { ...base, tags: { "nhi:consumer": "x" } },
        path: "tags.nhi:consumer",
        reason: "`tags.nhi:consumer`: tag keys starting `nhi:` are written by pulumi-nhi and keys starting `aws:` by AWS; use another key.",
    },
    {
        what: "more tags than the key's secret may have",
        args: { ...base, tags: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`t${i}`, "v"])) },
        path: "tags",
        reason: "`tags` has 45 tags; with the 6 `nhi:` tags pulumi-nhi writes on the secret that holds the key that is 51, more than the 50 Secrets Manager allows on a secret.",
    },
    {
        what: "more tags than the key's secret may have, with an expiry",
        args: {
            ...base,
            expiresAt: "2099-01-01T00:00:00Z",
            tags: Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`t${i}`, "v"])),
        },
        path: "tags",
        reason: "`tags` has 44 tags; with the 7 `nhi:` tags pulumi-nhi writes on the secret that holds the key that is 51, more than the 50 Secrets Manager allows on a secret.",
    },
    {
        what: "a grant that lets the user mint another user's keys, unacknowledged",
        args: {
            ...base,
            grants: [{ actions: ["iam:CreateAccessKey"], resources: ["arn:aws:iam::123456789012:user/ops"] }],
        },
        path: "grants[0]",
        reason: "`grants[0]` allows privilege escalation. CreateAccessKey (Rhino Security Labs #4; cloudsplaining): `iam:CreateAccessKey` on `arn:aws:iam::123456789012:user/ops` lets the identity create an access key of that user and act as the user. Give the other workload an identity of its own instead of minting an IAM user's credentials. If the escalation is intended, say why in `grants[0].acknowledge`; the reason is recorded in the user's `nhi:escalation:<method>` tag.",
    },
];

describe("aws.AccessKeyIdentity bad input", () => {
    itRefusesEach(BAD_INPUTS, "AwsAccessKeyIdentity", "acme", planAwsAccessKeyIdentity);

    itRegistersNothingWhenRefused(() => new aws.AccessKeyIdentity("rejected", { ...base, rotateEveryDays: 0 }));

    it("reports every problem at once, in argument order", () => {
        // GIVEN four independent problems
        const args = {
            ...base,
            owner: "",
            consumer: "",
            grants: [{ actions: ["s3:PutObjekt"], resources: ["arn:aws:s3:::acme-exchange/*"] }],
            rotateEveryDays: 400,
        };
        // THEN one error lists all four
        assert.throws(
            () => planAwsAccessKeyIdentity("acme", args, TABLE_NOW),
            (e: any) => {
                assert.deepStrictEqual(
                    e.errors.map((p: any) => p.propertyPath),
                    ["owner", "consumer", "grants[0].actions[0]", "rotateEveryDays"],
                );
                assert.match(e.message, /^AwsAccessKeyIdentity "acme" has 4 invalid arguments:\n/);
                return true;
            },
        );
    });

    it("keeps the check of a reader known only at deploy time, with the construction-time message", () => {
        // GIVEN a reader that is an Output  WHEN the identity is planned  THEN nothing is refused yet
        const plan = planAwsAccessKeyIdentity(
            "acme",
            { ...base, readers: [pulumi.output("acme-uploader")] },
            TABLE_NOW,
        );
        // AND the check that runs where it resolves (through the component's deploy-time guard, as for
        // every identity) refuses a name with the same words, and takes an ARN
        const check = plan.later.find((c) => c.path === "readers[0]")!;
        assert.strictEqual(
            check.problem("acme-uploader"),
            BAD_INPUTS.find((b) => b.what === "reader given by name")!.reason,
        );
        assert.strictEqual(check.problem("arn:aws:iam::123456789012:role/acme-uploader"), undefined);
    });

    it("accepts as many tags as the key's secret can carry beside its own", () => {
        const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "v"]));
        // GIVEN 44 tags (43 with an expiry, whose tag the secret carries too)  THEN accepted
        assert.strictEqual(
            Object.keys(planAwsAccessKeyIdentity("acme", { ...base, tags: tags(44) }, TABLE_NOW).tags.userKeys).length,
            44,
        );
        assert.strictEqual(
            Object.keys(
                planAwsAccessKeyIdentity(
                    "acme",
                    { ...base, expiresAt: "2099-01-01T00:00:00Z", tags: tags(43) },
                    TABLE_NOW,
                ).tags.userKeys,
            ).length,
            43,
        );
    });

    it("defaults the grace to one day, and to none when the period is one day", () => {
        // GIVEN no graceDays  WHEN planned with a 30-day and a 1-day period  THEN 1 and 0 days
        assert.strictEqual(planAwsAccessKeyIdentity("acme", base, TABLE_NOW).graceDays, 1);
        assert.strictEqual(planAwsAccessKeyIdentity("acme", { ...base, rotateEveryDays: 1 }, TABLE_NOW).graceDays, 0);
        // AND a grace one day short of the period is accepted
        assert.strictEqual(planAwsAccessKeyIdentity("acme", { ...base, graceDays: 29 }, TABLE_NOW).graceDays, 29);
    });
});
