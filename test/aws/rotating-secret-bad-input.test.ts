import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../../components";
import { planAwsRotatingSecret } from "../../components/aws/rotating-secret";
import { planAwsSecretRotator } from "../../components/aws/secret-rotator";
import { BadInput, itRefusesEach, itRegistersNothingWhenRefused } from "../support/bad-input";
import { capture } from "../support/mock-graph";

const base: any = { owner: "team-payments", purpose: "Signs webhooks", rotateEveryDays: 30 };
const READER_RULE =
    "must be an IAM principal ARN (`arn:aws:iam::<account>:role/<name>`, `…:user/<name>` or `…:root`, without wildcards) or an `aws.ServiceIdentity`";
const KMS_RULE =
    "must be the ARN of a KMS key, `arn:aws:kms:<region>:<account>:key/<key id>` (such as `key.arn` of an `aws.kms.Key`; an alias is not enough, since IAM policies name keys by ARN)";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000001";

/** Each bad input a new user might try, with the exact problem reported. */
const BAD_INPUTS: BadInput[] = [
    {
        what: "a name too long for its function's role",
        name: "a".repeat(44),
        args: base,
        path: "name",
        reason: `\`name\` \`${"a".repeat(44)}\` is 44 characters; it names the secret and its rotation function's role, so it may have at most 43 (the IAM role name \`${"a".repeat(44)}-rotator-role-xxxxxxx\` derived from it may have 64).`,
    },
    {
        what: "a name with characters a secret or role name refuses",
        name: "web hook/x",
        args: base,
        path: "name",
        reason: "`name` `web hook/x` names the secret and its rotation function's role, which allow only letters, digits and `_+=.@-`; remove ` `, `/`.",
    },
    {
        what: "no owner",
        args: { ...base, owner: undefined },
        path: "owner",
        reason: "`owner` is required and must be a non-empty string (the team or person who answers for this identity); got undefined.",
    },
    {
        what: "rotateEveryDays 0",
        args: { ...base, rotateEveryDays: 0 },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got number `0`.",
    },
    {
        what: "rotateEveryDays 366",
        args: { ...base, rotateEveryDays: 366 },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got number `366`.",
    },
    {
        what: "rotateEveryDays not a whole number",
        args: { ...base, rotateEveryDays: 1.5 },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got number `1.5`.",
    },
    {
        what: "rotateEveryDays as text",
        args: { ...base, rotateEveryDays: "30" },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got `30`. Pass the number `30`, not the text.",
    },
    {
        what: "no rotateEveryDays",
        args: { owner: "team-payments", purpose: "Signs webhooks" },
        path: "rotateEveryDays",
        reason: "`rotateEveryDays` must be a whole number of days from 1 to 365; got undefined.",
    },
    {
        what: "a value shorter than 16",
        args: { ...base, value: { length: 15 } },
        path: "value.length",
        reason: "`value.length` must be a whole number of characters from 16 to 4096; got number `15`.",
    },
    {
        what: "a value longer than 4096",
        args: { ...base, value: { length: 4097 } },
        path: "value.length",
        reason: "`value.length` must be a whole number of characters from 16 to 4096; got number `4097`.",
    },
    {
        what: "an unknown format",
        args: { ...base, value: { format: "base32" } },
        path: "value.format",
        reason: "`value.format` must be one of `alphanumeric`, `printable`, `hex` or `base64`; got `base32`. Did you mean `base64`?",
    },
    {
        what: "a format in the wrong case",
        args: { ...base, value: { format: "HEX" } },
        path: "value.format",
        reason: "`value.format` must be one of `alphanumeric`, `printable`, `hex` or `base64`; got `HEX`. Did you mean `hex`?",
    },
    {
        what: "a value given as a format name",
        args: { ...base, value: "hex" },
        path: "value",
        reason: '`value` must be `{ length?, format? }`, such as `{ length: 64, format: "hex" }`; got `hex`.',
    },
    {
        what: "a wildcard reader",
        args: { ...base, readers: ["*"] },
        path: "readers[0]",
        reason: `\`readers[0]\` ${READER_RULE}; got \`*\`.`,
    },
    {
        what: "a role name as reader",
        args: { ...base, readers: ["ledger"] },
        path: "readers[0]",
        reason: `\`readers[0]\` ${READER_RULE}; got \`ledger\`. A name is not enough: pass the role's ARN, \`arn:aws:iam::<account>:role/ledger\`.`,
    },
    {
        what: "a Google member as reader",
        args: { ...base, readers: ["arn:aws:iam::123456789012:role/ok", "serviceAccount:x@p.iam.gserviceaccount.com"] },
        path: "readers[1]",
        reason: `\`readers[1]\` ${READER_RULE}; got \`serviceAccount:x@p.iam.gserviceaccount.com\`. That is a Google Cloud IAM member; readers of an AWS secret are AWS principals.`,
    },
    {
        what: "readers not a list",
        args: { ...base, readers: "arn:aws:iam::123456789012:role/x" },
        path: "readers",
        reason: "`readers` must be a list of IAM principal ARNs or `aws.ServiceIdentity` objects; got `arn:aws:iam::123456789012:role/x`.",
    },
    {
        what: "a KMS alias",
        args: { ...base, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/x" },
        path: "kmsKeyArn",
        reason: `\`kmsKeyArn\` ${KMS_RULE}; got \`arn:aws:kms:us-east-1:123456789012:alias/x\`.`,
    },
    {
        what: "a recovery window of 0 (delete at once)",
        args: { ...base, recoveryWindowInDays: 0 },
        path: "recoveryWindowInDays",
        reason: "`recoveryWindowInDays` must be a whole number of days from 7 to 30 (AWS limits): a deleted secret stays recoverable that long, and this package never deletes one at once; got number `0`.",
    },
    {
        what: "a recovery window of 31",
        args: { ...base, recoveryWindowInDays: 31 },
        path: "recoveryWindowInDays",
        reason: "`recoveryWindowInDays` must be a whole number of days from 7 to 30 (AWS limits): a deleted secret stays recoverable that long, and this package never deletes one at once; got number `31`.",
    },
    {
        what: "a rotator that is not an aws.SecretRotator",
        args: { ...base, rotator: { rotatorId: "x" } },
        path: "rotator",
        reason: '`rotator` must be an `aws.SecretRotator`; got object `{"rotatorId":"x"}`. Leave it out for a rotation function of this secret\'s own.',
    },
    {
        what: "more tags than a secret may carry once the value tags are added",
        args: { ...base, tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "v"])) },
        path: "tags",
        reason: "`tags` has 46 tags; with the 5 `nhi:` tags pulumi-nhi writes on the secret that is 51, more than the 50 Secrets Manager allows on a secret.",
    },
    {
        what: "a reserved tag key",
        args: { ...base, tags: { "nhi:rotator": "x" } },
        path: "tags.nhi:rotator",
        reason: "`tags.nhi:rotator`: tag keys starting `nhi:` are written by pulumi-nhi and keys starting `aws:` by AWS; use another key.",
    },
];

const ROTATOR_BAD: BadInput[] = [
    {
        what: "a name too long for its role",
        name: "r".repeat(52),
        args: { owner: "team-platform", purpose: "Rotates" },
        path: "name",
        reason: `\`name\` \`${"r".repeat(52)}\` is 52 characters; it names the rotation function's role and Lambda function, so it may have at most 51 (the IAM role name derived from it may have 64).`,
    },
    {
        what: "a KMS key that is not an ARN",
        args: { owner: "team-platform", purpose: "Rotates", kmsKeyArns: ["x"] },
        path: "kmsKeyArns[0]",
        reason: `\`kmsKeyArns[0]\` ${KMS_RULE}; got \`x\`.`,
    },
    {
        what: "kmsKeyArns not a list",
        args: { owner: "team-platform", purpose: "Rotates", kmsKeyArns: KEY },
        path: "kmsKeyArns",
        reason: `\`kmsKeyArns\` must be a list of KMS key ARNs; got \`${KEY}\`.`,
    },
];

describe("aws.RotatingSecret bad input", function () {
    this.timeout(60_000);
    itRefusesEach(BAD_INPUTS, "AwsRotatingSecret", "webhook", (name, args) => planAwsRotatingSecret(name, args));
    itRegistersNothingWhenRefused(() => new aws.RotatingSecret("rejected", { ...base, rotateEveryDays: 400 }));

    it("refuses a key the shared rotator may not use, and a secret name only the secret limits", async () => {
        await capture(() => {
            const rotator = new aws.SecretRotator("bad-kms-rotator", {
                owner: "team-platform",
                purpose: "Rotates",
                kmsKeyArns: [KEY],
            });
            const other = KEY.replace(/1$/, "2");
            // GIVEN a secret encrypted with a key the rotator was not given
            assert.throws(
                () => new aws.RotatingSecret("enc", { ...base, rotator, kmsKeyArn: other }),
                (e: any) => {
                    assert.deepStrictEqual(e.errors, [
                        {
                            propertyPath: "kmsKeyArn",
                            reason: `\`kmsKeyArn\` \`${other}\` is not among the \`kmsKeyArns\` of the rotator \`nhi/test/bad-kms-rotator\`, so it could not rotate this secret; add the key there.`,
                        },
                    ]);
                    return true;
                },
            );
            // AND a long name is fine for a secret that shares a rotator (no role derives from it)
            new aws.RotatingSecret("s".repeat(60), { ...base, rotator, kmsKeyArn: KEY });
        });
    });

    it("checks a reader or key known only at deploy time when it resolves, with the same message", () => {
        // GIVEN a reader ARN and a key that arrive as Outputs
        const plan = planAwsRotatingSecret("late", {
            ...base,
            readers: [pulumi.output("*")],
            kmsKeyArn: pulumi.output("alias/x"),
        });
        // THEN each waits for its value, and reports what the construction-time check would have
        assert.deepStrictEqual(
            plan.later.map((c) => [
                c.path,
                c.problem("*" as any),
                c.problem(c.path === "kmsKeyArn" ? KEY : ("arn:aws:iam::123456789012:role/x" as any)),
            ]),
            [
                ["readers[0]", `\`readers[0]\` ${READER_RULE}; got \`*\`.`, undefined],
                ["kmsKeyArn", `\`kmsKeyArn\` ${KMS_RULE}; got \`*\`.`, undefined],
            ],
        );
    });
});

describe("aws.RotatingSecret: a reader known only at deploy time that fails its check", function () {
    this.timeout(60_000);

    it("fails the run with the construction-time message, logged against the component", () => {
        // GIVEN a program whose reader arrives as an Output and turns out to be a wildcard
        // WHEN it runs, as a user runs it
        const root = path.resolve(__dirname, "../..");
        const run = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "test/fixtures/rotating-secret-late-reader.ts"],
            { cwd: root, encoding: "utf8" },
        );
        const output = `${run.stdout}${run.stderr}`;
        const message = `AwsRotatingSecret "late-reader" has 1 invalid argument:\n  - readers[0]: \`readers[0]\` ${READER_RULE}; got \`*\`.`;
        // THEN it exits non-zero, with the message logged and as the reason, no stack trace, no leak report
        assert.strictEqual(run.status, 1, output);
        assert.ok(output.includes(`error: [runtime] ${message}\n`), output);
        assert.ok(output.includes(`[DeployTimeError: ${message}]`), output);
        assert.ok(!/^\s+at /m.test(output), output);
        assert.ok(!output.includes("promises were still active"), output);
    });
});

describe("aws.SecretRotator bad input", () => {
    itRefusesEach(ROTATOR_BAD, "AwsSecretRotator", "shared", (name, args) =>
        planAwsSecretRotator(name, args, "nhi/test"),
    );
    itRegistersNothingWhenRefused(() => new aws.SecretRotator("rejected-rotator", { owner: "", purpose: "Rotates" }));
});
