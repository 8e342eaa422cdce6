import * as assert from "assert";
import { IAMClient } from "@aws-sdk/client-iam";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { aws } from "../../components";
import { QUARANTINE_POLICY_NAME } from "../../components/aws/deprovision";
import { AccessKeyDeps, LogLine, handle } from "../../components/runtime/aws/rotate-access-key";
import { capture, ofType, Registered, valueOf } from "../../components/testing";
import { decideIdentity } from "../support/iam-simulator";
import { FakeIam } from "../support/iam-fake";
import { FakeSecretsManager } from "../support/secrets-manager-fake";

/*
 * The whole life of one access key identity, on a simulated clock, from the real pieces: the
 * identity declared with the component under Pulumi's mocks; its secret's tags, its user and its
 * daily check's event (the `-retire` schedule's input) loaded into the fakes of Secrets Manager
 * and IAM; the real rotation function run as Secrets Manager runs it (every `rotateEveryDays`,
 * and once when the rotation is configured) and as the schedule runs it (daily, at 06:00); its
 * quarantine request and its policies judged by the IAM engine.
 *
 * Day 0 is 2099-01-01 (the components refuse an `expiresAt` in the past).
 */

const DAY = 86_400_000;
const DAY0 = Date.UTC(2099, 0, 1);
const BUCKET = "arn:aws:s3:::invoices";
const UPLOAD = `${BUCKET}/incoming/acme-ledger/*`;
/** The first `expiresAt` (day 45) and the renewed one (day 75). */
const FIRST_EXPIRY = "2099-02-15T00:00:00Z";
const RENEWED_EXPIRY = "2099-03-17T00:00:00Z";
const USER = "vendor-user-1a2b3c4";
const USER_ARN = `arn:aws:iam::123456789012:user/nhi/${USER}`;
const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;

const at = (day: number, hour = 0) => new Date(DAY0 + day * DAY + hour * 3_600_000);

function program(expiresAt: string | undefined): InstanceType<typeof aws.AccessKeyIdentity> | undefined {
    if (expiresAt !== undefined) {
        return new aws.AccessKeyIdentity("vendor", {
            owner: "team-payments",
            purpose: "Acme Ledger uploads invoices",
            consumer: "acme-ledger",
            grants: [{ actions: ["s3:PutObject"], resources: [UPLOAD] }],
            rotateEveryDays: 30,
            graceDays: 3,
            expiresAt,
        });
    }
    return undefined;
}

function named(resources: readonly Registered[], type: string, name: string): Registered {
    const found = ofType(resources, type).find((r) => r.name === name);
    assert.ok(found, `no ${type} ${name}`);
    return found;
}

describe("the lifecycle of one AWS access key identity (time travel)", function () {
    this.timeout(60_000);

    it("created (first key), rotated (previous key retired after its grace), renewed, expired (every key deactivated, no key minted, quarantined), removed", async () => {
        // GIVEN the program with the vendor's key, deployed on day 0
        const first = await capture(() => program(FIRST_EXPIRY));
        const secret = named(first.resources, "aws:secretsmanager/secret:Secret", "vendor-secret");
        const rotation = named(first.resources, "aws:secretsmanager/secretRotation:SecretRotation", "vendor-rotation");
        const retire = named(first.resources, "aws:scheduler/schedule:Schedule", "vendor-retire");
        assert.deepStrictEqual(
            [rotation.inputs.rotationRules, rotation.inputs.rotateImmediately, retire.inputs.scheduleExpression],
            [{ automaticallyAfterDays: 30 }, true, "rate(1 day)"],
        );
        assert.strictEqual(secret.inputs.tags["nhi:iam-user"], USER);
        // The fake's secret has its own ARN; the schedule's event names the component's secret, and is sent with the fake's.
        const event = JSON.parse(retire.inputs.target.input);
        assert.deepStrictEqual(event, {
            nhiAction: "retirePrevious",
            SecretId: await valueOf(first.value!.keySecretArn),
        });
        let clock = at(0);
        const sm = new FakeSecretsManager({ firstPutBecomesCurrent: false });
        const iam = new FakeIam(() => clock);
        iam.addUser(USER);
        const arn = sm.addSecret("vendor-secret", secret.inputs.tags);
        const sns = new SNSClient({ region: "us-east-1" });
        mockClient(sns).on(PublishCommand).rejects(new Error("no notice is expected"));
        const lines: LogLine[] = [];
        const deps: AccessKeyDeps = {
            client: sm.client(),
            iam: iam.client() as IAMClient,
            sns,
            sleep: async () => {},
            random: () => 0.5,
            log: (l) => lines.push(l),
            now: () => clock,
        };

        /** Secrets Manager's rotation `token` (every step, in order). */
        const rotate = async (token: string) => {
            sm.startRotation(arn, token);
            for (const Step of STEPS) {
                await handle({ SecretId: arn, ClientRequestToken: token, Step }, deps);
            }
        };
        const keys = () =>
            iam
                .keys(USER)
                .map((k) => `${k.id.slice(-1)}:${k.status}`)
                .join(" ");
        const history: string[] = [];
        /** The daily check at 06:00 of each day in [from, to], and Secrets Manager's rotation at 00:00 of days 30, 60 and 90; records each change of the user's keys. */
        const days = async (from: number, to: number) => {
            for (let day = from; day <= to; day++) {
                const before = keys();
                if (day > 0 && day % 30 === 0) {
                    clock = at(day);
                    await rotate(`t${day}`);
                }
                clock = at(day, 6);
                await handle({ ...event, SecretId: arn }, deps);
                if (keys() !== before) {
                    history.push(`day ${day}: ${keys()}`);
                }
            }
        };

        // WHEN the rotation is configured (day 0): the first key is minted
        await rotate("t0");
        assert.strictEqual(keys(), "1:Active");
        // AND a month of daily checks, the second rotation, and its grace
        await days(1, 39);
        // THEN the second key is minted on day 30; the first stays Active 3 days (its grace), is deactivated on day 33, deleted a day later
        assert.deepStrictEqual(history, [
            "day 30: 1:Active 2:Active",
            "day 33: 1:Inactive 2:Active",
            "day 34: 2:Active",
        ]);
        assert.strictEqual(JSON.parse(sm.valueAt(arn, "AWSCURRENT")!).accessKeyId, "AKIA0000000000000002");

        // WHEN the owner renews it on day 40 (the program declares a later `expiresAt`, `pulumi up` applies it)
        const renewed = await capture(() => program(RENEWED_EXPIRY));
        // THEN the secret's and the user's tags, and the user's quarantine schedule, move to the new instant
        const renewedSecret = named(renewed.resources, "aws:secretsmanager/secret:Secret", "vendor-secret");
        assert.deepStrictEqual(
            [
                renewedSecret.inputs.tags["nhi:expires-at"],
                named(renewed.resources, "aws:iam/user:User", "vendor-user").inputs.tags["nhi:expires-at"],
            ],
            [RENEWED_EXPIRY, RENEWED_EXPIRY],
        );
        assert.deepStrictEqual(
            [first, renewed].map(
                (p) => named(p.resources, "aws:scheduler/schedule:Schedule", "vendor-expiry").inputs.scheduleExpression,
            ),
            ["at(2099-02-15T00:00:00)", "at(2099-03-17T00:00:00)"],
        );
        retagSecret(sm, arn, renewedSecret.inputs.tags);
        // AND past the first expiry (day 45) its keys keep working and rotating: the third key on day 60
        await days(40, 74);
        assert.deepStrictEqual(history.slice(3), [
            "day 60: 2:Active 3:Active",
            "day 63: 2:Inactive 3:Active",
            "day 64: 3:Active",
        ]);

        // WHEN the renewed `expiresAt` comes (day 75): the daily check that morning
        await days(75, 89);
        // THEN the current key is deactivated, and nothing more changes
        assert.deepStrictEqual(history.slice(6), ["day 75: 3:Inactive"]);
        assert.deepStrictEqual(lines.filter((l) => l.outcome === "expired").length, 15);
        // AND Secrets Manager's next rotation (day 90) mints nothing, and says how to resume
        clock = at(90);
        sm.startRotation(arn, "t90");
        await assert.rejects(handle({ SecretId: arn, ClientRequestToken: "t90", Step: "createSecret" }, deps), {
            message: `The identity of IAM user ${USER} expired at ${RENEWED_EXPIRY}: no access key is minted for secret ${arn}. Set a later \`expiresAt\` to rotate again.`,
        });
        assert.strictEqual(keys(), "3:Inactive");
        // AND the quarantine schedule puts the deny-all policy on the user, by name
        const quarantine = named(renewed.resources, "aws:scheduler/schedule:Schedule", "vendor-expiry");
        assert.strictEqual(quarantine.inputs.target.arn, "arn:aws:scheduler:::aws-sdk:iam:putUserPolicy");
        const request = JSON.parse(quarantine.inputs.target.input);
        assert.deepStrictEqual(request, {
            UserName: USER,
            PolicyName: QUARANTINE_POLICY_NAME,
            PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
        });
        // AND a key, were one still Active, would be refused: by the policy conditions, and by the quarantine
        const own = ofType(renewed.resources, "aws:iam/userPolicy:UserPolicy")
            .filter((p) => p.name.startsWith("vendor-policy"))
            .map((p) => p.inputs.policy as string);
        const object = `${BUCKET}/incoming/acme-ledger/inv-1.pdf`;
        const decisions: [string, string, readonly string[], string][] = [
            ["its upload the second before expiry", "Allowed", own, "2099-03-16T23:59:59Z"],
            ["its upload after the first, renewed expiry", "Allowed", own, "2099-02-16T00:00:00Z"],
            [
                "its upload after expiry, own policies only (the conditions)",
                "ImplicitlyDenied",
                own,
                "2099-03-17T00:00:05Z",
            ],
            [
                "its upload after expiry, as quarantined",
                "ExplicitlyDenied",
                [...own, request.PolicyDocument],
                "2099-03-17T00:00:05Z",
            ],
        ];
        for (const [what, expected, documents, time] of decisions) {
            assert.strictEqual(
                await decideIdentity(USER_ARN, documents, "s3:PutObject", object, { "aws:CurrentTime": time }),
                expected,
                what,
            );
        }

        // WHEN the owner removes it from the program
        const removed = await capture(() => program(undefined));
        // THEN nothing of it is left in the graph: user, secret, functions, schedules
        assert.deepStrictEqual(
            removed.resources.map((r) => r.name),
            [],
        );
    });
});

/** What `pulumi up` does to the secret's tags. */
function retagSecret(sm: FakeSecretsManager, arn: string, tags: Record<string, string>): void {
    const secret = (sm as unknown as { secrets: Map<string, { tags: { Key: string; Value: string }[] }> }).secrets.get(
        arn,
    )!;
    secret.tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
