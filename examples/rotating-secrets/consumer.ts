/**
 * Application code, not Pulumi: how the two services that share the webhook secret use it. The
 * signer signs with `AWSCURRENT`; the verifier accepts `AWSCURRENT` or `AWSPREVIOUS`, so a message
 * signed just before a rotation still verifies just after it, whichever party read the secret
 * last. Run against the rotation function and a fake of Secrets Manager in
 * test/examples/rotating-secrets.test.ts.
 *
 * Needs `@aws-sdk/client-secrets-manager` in the application (Lambda's Node.js runtimes provide it).
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createHmac, timingSafeEqual } from "crypto";

export type Stage = "AWSCURRENT" | "AWSPREVIOUS";

/** The value of the secret at `stage`, or undefined if no version has it (no `AWSPREVIOUS` before the first rotation). */
export async function readStage(
    client: SecretsManagerClient,
    secretArn: string,
    stage: Stage,
): Promise<string | undefined> {
    try {
        return (await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage })))
            .SecretString;
    } catch (e) {
        if ((e as Error).name === "ResourceNotFoundException") {
            return undefined;
        }
        throw e;
    }
}

/** checkout: the hex HMAC-SHA256 of `body` under the current value. */
export async function sign(client: SecretsManagerClient, secretArn: string, body: string): Promise<string> {
    const key = await readStage(client, secretArn, "AWSCURRENT");
    if (key === undefined) {
        throw new Error("The webhook secret has no value yet: its first rotation has not finished; retry.");
    }
    return createHmac("sha256", key).update(body).digest("hex");
}

/** ledger: whether `signature` is the HMAC of `body` under the current or the previous value. */
export async function verify(
    client: SecretsManagerClient,
    secretArn: string,
    body: string,
    signature: string,
): Promise<boolean> {
    const given = Buffer.from(signature, "hex");
    for (const stage of ["AWSCURRENT", "AWSPREVIOUS"] as const) {
        const key = await readStage(client, secretArn, stage);
        if (key === undefined) {
            continue;
        }
        const expected = createHmac("sha256", key).update(body).digest();
        if (given.length === expected.length && timingSafeEqual(given, expected)) {
            return true;
        }
    }
    return false;
}
