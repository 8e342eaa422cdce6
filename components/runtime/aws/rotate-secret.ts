/**
 * The rotation function for a Secrets Manager secret whose value is generated, never supplied: it
 * runs in Lambda, on Secrets Manager's schedule, so the value never passes through Pulumi.
 *
 * Secrets Manager invokes it four times per rotation, once per step, with the same
 * `ClientRequestToken` (the id of the new version), and retries a step that fails:
 * - `createSecret`: store a new random value as the version `ClientRequestToken`, staged `AWSPENDING`;
 * - `setSecret`: give the value to the service that checks it (nothing to do: the secret is the
 *   whole credential, shared by the parties that read it);
 * - `testSecret`: check the `AWSPENDING` value (here: that it is well-formed);
 * - `finishSecret`: move `AWSCURRENT` to the new version; Secrets Manager moves `AWSPREVIOUS` to the
 *   version it left, so the old value stays readable until the next rotation.
 * Every step is idempotent: a retry, or the next invocation after a crash between two steps, ends
 * in the same state and never loses `AWSCURRENT`.
 *
 * The event checks, `finishSecret`, logging and backoff live in `rotation.ts`, shared with
 * `rotate-access-key.ts`. The structure follows AWS's generic rotation template (MIT-0), with two differences: a secret
 * that has no value yet (the first rotation, at creation) is accepted, and the describe call that
 * validates the event also supplies the value's format and the current version.
 * @see https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRotationTemplate/lambda_function.py
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html
 *
 * Plain TypeScript that runs in the cloud: it imports nothing from `@pulumi/*` or `components/`
 * (DESIGN.md, "runtime/"), so the compiled file is the whole asset. `@aws-sdk/client-secrets-manager`
 * is a devDependency of this package, not a dependency: the Lambda Node.js runtimes (18 and later)
 * ship AWS SDK for JavaScript v3 and put it on the module path (`NODE_PATH` includes
 * `/var/runtime/node_modules`), so the asset does not carry it and a stack that installs pulumi-nhi
 * does not download it. The pinned devDependency gives the types and the tests; the runtime's copy
 * is older, so only long-stable commands are used (here and in `rotation.ts`).
 * @see https://aws.amazon.com/blogs/developer/why-and-how-you-should-use-aws-sdk-for-javascript-v3-on-node-js-18/
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html (NODE_PATH)
 */
import { randomBytes } from "crypto";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ALPHABETS, MAX_LENGTH, MIN_LENGTH, ValueSpec, generateValue, isWellFormed, readValueSpec } from "../value";
import { FORMAT_TAG, LENGTH_TAG } from "./contract";
import { BaseDeps, RotationEvent, runRotation, stagedValue, tagValue } from "./rotation";

export {
    ALPHABETS,
    DEFAULT_FORMAT,
    DEFAULT_LENGTH,
    MAX_LENGTH,
    MIN_LENGTH,
    ValueFormat,
    ValueSpec,
    generateValue,
    isWellFormed,
} from "../value";
export { BASE_DELAY_MS, LogLine, MAX_ATTEMPTS, Outcome, RotationEvent, Step, withBackoff } from "./rotation";

export { ACTIONS, FORMAT_TAG, LENGTH_TAG } from "./contract";

/** What the function talks to; tests pass a client wired to a fake, a sleep that does not wait. */
export interface RotationDeps extends BaseDeps {
    readonly randomBytes: (size: number) => Buffer;
}

/**
 * The Lambda entry point. The client is made on the first invocation and reused by the warm
 * container; its own retries are off (`maxAttempts: 1`) so that throttling is retried in one place,
 * `withBackoff`. Any other failure fails the invocation, and Secrets Manager retries the step.
 */
export async function handler(event: RotationEvent): Promise<void> {
    defaultDeps ??= {
        client: new SecretsManagerClient({ maxAttempts: 1 }),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        randomBytes,
    };
    await rotate(event, defaultDeps);
}
let defaultDeps: RotationDeps | undefined;

/** Runs one step of one rotation, and logs one line for it. */
export async function rotate(event: RotationEvent, deps: RotationDeps): Promise<void> {
    await runRotation(event, deps, {
        async createSecret({ secret, version, metadata, retried }) {
            // Secrets Manager creates the AWSPENDING version id before this step; it has a value
            // only if an earlier try of this step stored one, which a retry must not replace.
            if ((await stagedValue(secret, "AWSPENDING", version, deps)) !== undefined) {
                return "already-created";
            }
            const value = generateValue(valueSpec(metadata.Tags), deps.randomBytes);
            // Idempotent on the token: the same value again succeeds, another value is refused.
            await retried(() =>
                deps.client.send(
                    new PutSecretValueCommand({
                        SecretId: secret,
                        ClientRequestToken: version,
                        SecretString: value,
                        VersionStages: ["AWSPENDING"],
                    }),
                ),
            );
            return "created";
        },
        // A generated secret is the whole credential: no service holds a copy to update.
        setSecret: async () => "nothing-to-set",
        async testSecret({ secret, version, metadata }) {
            const value = await stagedValue(secret, "AWSPENDING", version, deps);
            const spec = valueSpec(metadata.Tags);
            if (value === undefined || !isWellFormed(value, spec)) {
                throw new Error(
                    `The AWSPENDING value of secret ${secret} (version ${version}) is not ${spec.length} ${spec.format} characters.`,
                );
            }
            return "tested";
        },
    });
}

/**
 * The generated value's length and format, from the secret's tags (the component that declares
 * the secret writes them). A tag with a value outside the rules fails the rotation: a value of the
 * wrong shape would break its consumers.
 */
export function valueSpec(tags: readonly { Key?: string; Value?: string }[] | undefined): ValueSpec {
    const spec = readValueSpec(tagValue(tags, FORMAT_TAG), tagValue(tags, LENGTH_TAG));
    if (!("bad" in spec)) {
        return spec;
    }
    throw new Error(
        spec.bad === "length"
            ? `Tag \`${LENGTH_TAG}\` is "${tagValue(tags, LENGTH_TAG)}"; expected a whole number from ${MIN_LENGTH} to ${MAX_LENGTH}.`
            : `Tag \`${FORMAT_TAG}\` is "${tagValue(tags, FORMAT_TAG)}"; expected one of ${Object.keys(ALPHABETS).join(", ")}.`,
    );
}
