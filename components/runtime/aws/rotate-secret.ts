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
 * The structure follows AWS's generic rotation template (MIT-0), with two differences: a secret
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
 * is older, so only the four long-stable commands below are used.
 * @see https://aws.amazon.com/blogs/developer/why-and-how-you-should-use-aws-sdk-for-javascript-v3-on-node-js-18/
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html (NODE_PATH)
 */
import { randomBytes } from "crypto";
import {
    DescribeSecretCommand,
    GetSecretValueCommand,
    PutSecretValueCommand,
    SecretsManagerClient,
    UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { ALPHABETS, MAX_LENGTH, MIN_LENGTH, ValueSpec, generateValue, isWellFormed, readValueSpec } from "../value";

export { ALPHABETS, DEFAULT_FORMAT, DEFAULT_LENGTH, MAX_LENGTH, MIN_LENGTH, ValueFormat, ValueSpec, generateValue, isWellFormed } from "../value";

/** The tag that sets the number of characters in a generated value. */
export const LENGTH_TAG = "nhi:value-length";
/** The tag that sets the characters a generated value is made of. */
export const FORMAT_TAG = "nhi:value-format";

/**
 * Throttling retries: at most this many calls in all, so at most 3.1 s of sleep in one call
 * (0.1 + 0.2 + … + 1.6), well inside a rotation function's timeout.
 */
export const MAX_ATTEMPTS = 6;
export const BASE_DELAY_MS = 100;
/** Error names Secrets Manager and the SDK give a throttled request. */
const THROTTLING = new Set(["ThrottlingException", "TooManyRequestsException"]);

export type Step = "createSecret" | "setSecret" | "testSecret" | "finishSecret";
const STEPS: readonly Step[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

/** The event Secrets Manager sends. */
export interface RotationEvent {
    readonly SecretId: string;
    readonly ClientRequestToken: string;
    readonly Step: Step;
}

/** What one step did, as logged. */
export type Outcome =
    | "created"
    | "already-created"
    | "nothing-to-set"
    | "tested"
    | "finished"
    | "already-current"
    | "failed";

/** One structured log line: the secret, the step, the version and what happened; never a value. */
export interface LogLine {
    readonly secret: string;
    readonly step: string;
    readonly version: string;
    readonly outcome: Outcome;
    /** The error's name (not its message), when the outcome is `failed`. */
    readonly error?: string;
}

/** What the function talks to; tests pass a client wired to a fake, a sleep that does not wait. */
export interface RotationDeps {
    readonly client: SecretsManagerClient;
    readonly sleep: (ms: number) => Promise<void>;
    /** A number in [0, 1) for the backoff's jitter. */
    readonly random: () => number;
    readonly log: (line: LogLine) => void;
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
    const { SecretId: secret, ClientRequestToken: version, Step: step } = event ?? ({} as RotationEvent);
    const log = (outcome: Outcome, error?: string) =>
        deps.log(error === undefined ? { secret, step, version, outcome } : { secret, step, version, outcome, error });
    try {
        log(await runStep(secret, version, step, deps));
    } catch (e) {
        log("failed", errorName(e));
        throw e;
    }
}

async function runStep(secret: string, version: string, step: Step, deps: RotationDeps): Promise<Outcome> {
    if (typeof secret !== "string" || typeof version !== "string" || !STEPS.includes(step)) {
        throw new Error(`Invalid rotation event: expected \`SecretId\`, \`ClientRequestToken\` and \`Step\` (one of ${STEPS.join(", ")}).`);
    }
    const { client } = deps;
    const retried = <T>(call: () => Promise<T>) => withBackoff(call, deps);
    const removePending = () => retried(() => client.send(new UpdateSecretVersionStageCommand({
        SecretId: secret,
        VersionStage: "AWSPENDING",
        RemoveFromVersionId: version,
    })));

    // The template's checks, before any step: rotation is on, the token is a version of this
    // secret, and that version is staged AWSPENDING, or already AWSCURRENT (a finished rotation
    // whose last call is retried: nothing left to do).
    const metadata = await retried(() => client.send(new DescribeSecretCommand({ SecretId: secret })));
    if (!metadata.RotationEnabled) {
        throw new Error(`Secret ${secret} is not enabled for rotation.`);
    }
    const stages = metadata.VersionIdsToStages ?? {};
    if (!(version in stages)) {
        throw new Error(`Secret version ${version} has no stage for rotation of secret ${secret}.`);
    }
    if (stages[version].includes("AWSCURRENT")) {
        // Unlike the template, finishSecret still takes AWSPENDING off the version if it is there
        // (after a crash between its two calls, or when the service made a first value current as
        // it was put), so that no label is left on the current version.
        if (step === "finishSecret" && stages[version].includes("AWSPENDING")) {
            await removePending();
            return "finished";
        }
        return "already-current";
    }
    if (!stages[version].includes("AWSPENDING")) {
        throw new Error(`Secret version ${version} is not staged AWSPENDING for rotation of secret ${secret}.`);
    }

    switch (step) {
        case "createSecret": {
            // Secrets Manager creates the AWSPENDING version id before this step; it has a value
            // only if an earlier try of this step stored one, which a retry must not replace.
            if (await pendingValue(secret, version, deps) !== undefined) {
                return "already-created";
            }
            const value = generateValue(valueSpec(metadata.Tags), deps.randomBytes);
            // Idempotent on the token: the same value again succeeds, another value is refused.
            await retried(() => client.send(new PutSecretValueCommand({
                SecretId: secret,
                ClientRequestToken: version,
                SecretString: value,
                VersionStages: ["AWSPENDING"],
            })));
            return "created";
        }
        case "setSecret":
            // A generated secret is the whole credential: no service holds a copy to update.
            return "nothing-to-set";
        case "testSecret": {
            const value = await pendingValue(secret, version, deps);
            const spec = valueSpec(metadata.Tags);
            if (value === undefined || !isWellFormed(value, spec)) {
                throw new Error(`The AWSPENDING value of secret ${secret} (version ${version}) is not ${spec.length} ${spec.format} characters.`);
            }
            return "tested";
        }
        case "finishSecret": {
            const current = Object.keys(stages).find((id) => stages[id].includes("AWSCURRENT"));
            // Moving AWSCURRENT makes Secrets Manager stage the version it left AWSPREVIOUS.
            // On the first rotation no version is current, and there is nothing to remove it from.
            await retried(() => client.send(new UpdateSecretVersionStageCommand({
                SecretId: secret,
                VersionStage: "AWSCURRENT",
                MoveToVersionId: version,
                ...(current === undefined ? {} : { RemoveFromVersionId: current }),
            })));
            await removePending();
            return "finished";
        }
    }
}

/** The value of the version `version` staged AWSPENDING, or undefined if it has none yet. */
async function pendingValue(secret: string, version: string, deps: RotationDeps): Promise<string | undefined> {
    try {
        const got = await withBackoff(
            () => deps.client.send(new GetSecretValueCommand({ SecretId: secret, VersionId: version, VersionStage: "AWSPENDING" })),
            deps,
        );
        return got.SecretString;
    } catch (e) {
        if (errorName(e) === "ResourceNotFoundException") {
            return undefined;
        }
        throw e;
    }
}

/**
 * The generated value's length and format, from the secret's tags (the component that declares
 * the secret writes them). A tag with a value outside the rules fails the rotation: a value of the
 * wrong shape would break its consumers.
 */
export function valueSpec(tags: readonly { Key?: string; Value?: string }[] | undefined): ValueSpec {
    const tag = (key: string) => tags?.find((t) => t.Key === key)?.Value;
    const spec = readValueSpec(tag(FORMAT_TAG), tag(LENGTH_TAG));
    if (!("bad" in spec)) {
        return spec;
    }
    throw new Error(spec.bad === "length"
        ? `Tag \`${LENGTH_TAG}\` is "${tag(LENGTH_TAG)}"; expected a whole number from ${MIN_LENGTH} to ${MAX_LENGTH}.`
        : `Tag \`${FORMAT_TAG}\` is "${tag(FORMAT_TAG)}"; expected one of ${Object.keys(ALPHABETS).join(", ")}.`);
}

/**
 * `call()`, retried while Secrets Manager throttles it: exponential backoff with full jitter (a
 * sleep drawn uniformly from [0, `BASE_DELAY_MS` × 2^retry)), at most `MAX_ATTEMPTS` calls; the
 * last throttling error is thrown. Every call it retries is idempotent (reads, a put keyed by the
 * token, a stage move). Throttling errors are recognised by name, as the SDK's own retry strategy does.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html (request quotas)
 */
export async function withBackoff<T>(
    call: () => Promise<T>,
    deps: Pick<RotationDeps, "sleep" | "random">,
): Promise<T> {
    for (let attempt = 0; ; attempt++) {
        try {
            return await call();
        } catch (e) {
            if (!THROTTLING.has(errorName(e)) || attempt + 1 >= MAX_ATTEMPTS) {
                throw e;
            }
            await deps.sleep(Math.floor(deps.random() * BASE_DELAY_MS * 2 ** attempt));
        }
    }
}

function errorName(e: unknown): string {
    return e instanceof Error ? e.name : "Error";
}
