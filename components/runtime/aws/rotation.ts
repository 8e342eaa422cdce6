/**
 * What every Secrets Manager rotation function of this package shares: the event and its
 * validation as AWS's rotation template does it, the `finishSecret` step, one structured log line
 * per step, and throttling retries. `rotate-secret.ts` (generated values) and
 * `rotate-access-key.ts` (an IAM user's access key) differ only in `createSecret`, `setSecret` and
 * `testSecret`.
 * @see https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRotationTemplate/lambda_function.py
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
 *
 * Runs in the cloud: imports nothing from `@pulumi/*` or `components/` (DESIGN.md, "runtime/");
 * the SDK is the one Lambda's Node.js runtime provides (see rotate-secret.ts).
 */
import {
    DescribeSecretCommand,
    DescribeSecretCommandOutput,
    GetSecretValueCommand,
    SecretsManagerClient,
    UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { errorName, withBackoff } from "./retry";

export { BASE_DELAY_MS, MAX_ATTEMPTS, errorName, withBackoff } from "./retry";

export type Step = "createSecret" | "setSecret" | "testSecret" | "finishSecret";
export const STEPS: readonly Step[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

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
    // The access-key function's daily check (`rotate-access-key.ts`, `retirePrevious`):
    | "deactivated"
    | "deleted"
    | "not-due"
    | "nothing-to-retire"
    | "rotation-pending"
    | "no-current-key"
    // Expiry and the leaked-key response (`rotate-access-key.ts`):
    | "expired"
    | "already-inactive"
    | "rotation-started"
    | "not-ours"
    | "current-key-not-exposed"
    | "notified"
    | "no-notify-target"
    | "failed";

/** One structured log line: the secret, the step, the version and what happened; never a value. */
export interface LogLine {
    readonly secret: string;
    readonly step: string;
    readonly version: string;
    readonly outcome: Outcome;
    /** The error's name (not its message), when the outcome is `failed`. */
    readonly error?: string;
    /** The access key acted on (its ID, never its secret), for the access-key function's per-key lines. */
    readonly accessKeyId?: string;
}

/** What every rotation function talks to; tests pass a client wired to a fake, a sleep that does not wait. */
export interface BaseDeps {
    readonly client: SecretsManagerClient;
    readonly sleep: (ms: number) => Promise<void>;
    /** A number in [0, 1) for the backoff's jitter. */
    readonly random: () => number;
    readonly log: (line: LogLine) => void;
}

/** What a step sees once the event is validated. */
export interface StepContext {
    readonly secret: string;
    readonly version: string;
    readonly metadata: DescribeSecretCommandOutput;
    /** `call()` with throttling retries. */
    readonly retried: <T>(call: () => Promise<T>) => Promise<T>;
}

/** The steps that differ between functions; `finishSecret` is the same for all. */
export type StepHandlers = Record<Exclude<Step, "finishSecret">, (context: StepContext) => Promise<Outcome>>;

/** Runs one step of one rotation with `handlers`, and logs one line for it. */
export async function runRotation(event: RotationEvent, deps: BaseDeps, handlers: StepHandlers): Promise<void> {
    const { SecretId: secret, ClientRequestToken: version, Step: step } = event ?? ({} as RotationEvent);
    const log = (outcome: Outcome, error?: string) =>
        deps.log(error === undefined ? { secret, step, version, outcome } : { secret, step, version, outcome, error });
    try {
        log(await runStep(secret, version, step, deps, handlers));
    } catch (e) {
        log("failed", errorName(e));
        throw e;
    }
}

async function runStep(
    secret: string,
    version: string,
    step: Step,
    deps: BaseDeps,
    handlers: StepHandlers,
): Promise<Outcome> {
    if (typeof secret !== "string" || typeof version !== "string" || !STEPS.includes(step)) {
        throw new Error(
            `Invalid rotation event: expected \`SecretId\`, \`ClientRequestToken\` and \`Step\` (one of ${STEPS.join(", ")}).`,
        );
    }
    const { client } = deps;
    const retried = <T>(call: () => Promise<T>) => withBackoff(call, deps);
    const removePending = () =>
        retried(() =>
            client.send(
                new UpdateSecretVersionStageCommand({
                    SecretId: secret,
                    VersionStage: "AWSPENDING",
                    RemoveFromVersionId: version,
                }),
            ),
        );

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
    if (step !== "finishSecret") {
        return handlers[step]({ secret, version, metadata, retried });
    }
    const current = Object.keys(stages).find((id) => stages[id].includes("AWSCURRENT"));
    // Moving AWSCURRENT makes Secrets Manager stage the version it left AWSPREVIOUS.
    // On the first rotation no version is current, and there is nothing to remove it from.
    await retried(() =>
        client.send(
            new UpdateSecretVersionStageCommand({
                SecretId: secret,
                VersionStage: "AWSCURRENT",
                MoveToVersionId: version,
                ...(current === undefined ? {} : { RemoveFromVersionId: current }),
            }),
        ),
    );
    await removePending();
    return "finished";
}

/**
 * The value of the version staged `stage` (and, if given, with the id `version`), or undefined if
 * there is none or it has no value yet.
 */
export async function stagedValue(
    secret: string,
    stage: "AWSCURRENT" | "AWSPENDING" | "AWSPREVIOUS",
    version: string | undefined,
    deps: BaseDeps,
): Promise<string | undefined> {
    try {
        const got = await withBackoff(
            () =>
                deps.client.send(
                    new GetSecretValueCommand({
                        SecretId: secret,
                        VersionStage: stage,
                        ...(version === undefined ? {} : { VersionId: version }),
                    }),
                ),
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

/** The value of the tag `key`, or undefined. */
export function tagValue(
    tags: readonly { Key?: string; Value?: string }[] | undefined,
    key: string,
): string | undefined {
    return tags?.find((t) => t.Key === key)?.Value;
}
