/**
 * An in-memory Secrets Manager that keeps the documented rules of versions and staging labels, for
 * testing rotation functions without a cloud. Wired to a real `SecretsManagerClient` through
 * aws-sdk-client-mock, so the code under test builds and sends real SDK commands.
 *
 * The rules it keeps, each from the API reference:
 * - A staging label is attached to at most one version of a secret; attaching it elsewhere removes
 *   it from the version that had it. Whenever `AWSCURRENT` moves, `AWSPREVIOUS` moves to the
 *   version `AWSCURRENT` left.
 *   @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
 * - `UpdateSecretVersionStage`: to attach a label that another version has, `RemoveFromVersionId`
 *   must name that version, or the call fails; without `MoveToVersionId` the label is only removed.
 * - `PutSecretValue`: without `VersionStages` the new version becomes `AWSCURRENT`; the first
 *   version of a secret always gets `AWSCURRENT` (whether a rotation's empty `AWSPENDING` version
 *   counts as "first" is not documented, so `firstPutBecomesCurrent` chooses). Idempotent on
 *   `ClientRequestToken`: the same value again does nothing, a different value fails.
 *   @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
 * - `GetSecretValue`: `VersionId` and `VersionStage` together must name the same version; a version
 *   without a value is not found; neither means `AWSCURRENT`.
 *   @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * - Rotation: "Secrets Manager creates an AWSPENDING version ID before creating the new secret
 *   version" (`startRotation`), then invokes the function with that id as `ClientRequestToken`;
 *   a new rotation is refused while an unfinished one holds AWSPENDING.
 *   @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
 *   @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html (VersionIdsToStages)
 *   @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html
 */
import {
    DescribeSecretCommand,
    DescribeSecretCommandInput,
    DescribeSecretCommandOutput,
    GetSecretValueCommand,
    GetSecretValueCommandInput,
    GetSecretValueCommandOutput,
    InvalidParameterException,
    InvalidRequestException,
    PutSecretValueCommand,
    PutSecretValueCommandInput,
    PutSecretValueCommandOutput,
    ResourceExistsException,
    RotateSecretCommand,
    RotateSecretCommandInput,
    RotateSecretCommandOutput,
    ResourceNotFoundException,
    SecretsManagerClient,
    SecretsManagerServiceException,
    UpdateSecretVersionStageCommand,
    UpdateSecretVersionStageCommandInput,
    UpdateSecretVersionStageCommandOutput,
} from "@aws-sdk/client-secrets-manager";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";

interface Version {
    value?: string;
    stages: string[];
}

interface Secret {
    readonly arn: string;
    readonly name: string;
    rotationEnabled: boolean;
    /** Whether a version with a value has been AWSCURRENT: from then on one must always be. */
    hadCurrent: boolean;
    tags: { Key: string; Value: string }[];
    /** In creation order. */
    readonly versions: Map<string, Version>;
}

/** A failure to inject: the `at`-th call from now (1 = the next) fails, before or after it takes effect. */
interface Fault {
    at: number;
    readonly name: string;
    /** "after": the call takes effect and then fails, as when the response is lost or the function dies. */
    readonly when: "before" | "after";
}

export type Operation =
    "DescribeSecret" | "GetSecretValue" | "PutSecretValue" | "RotateSecret" | "UpdateSecretVersionStage";

export class FakeSecretsManager {
    private readonly secrets = new Map<string, Secret>();
    private faults: Fault[] = [];
    /** Every call, in order, as `Operation`. */
    readonly calls: Operation[] = [];
    /** The version id of each rotation `RotateSecret` started, in order (tests then run its steps). */
    readonly rotationsStarted: string[] = [];
    /** Invariants broken by any call (`AWSCURRENT` lost, a label on two versions): must stay empty. */
    readonly violations: string[] = [];

    constructor(private readonly options: { firstPutBecomesCurrent: boolean } = { firstPutBecomesCurrent: true }) {}

    /** A secret with rotation on and no versions, as `CreateSecret` without a value makes it. */
    addSecret(name: string, tags: Record<string, string> = {}): string {
        const arn = `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}-AbCdEf`;
        this.secrets.set(arn, {
            arn,
            name,
            rotationEnabled: true,
            hadCurrent: false,
            tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
            versions: new Map(),
        });
        return arn;
    }

    setRotationEnabled(id: string, enabled: boolean): void {
        this.secret(id).rotationEnabled = enabled;
    }

    /**
     * What `RotateSecret` (or the schedule) does before it first invokes the function: an empty
     * version `token`, staged AWSPENDING. Refused while AWSPENDING is on another version that is not
     * AWSCURRENT: "any later invocation of RotateSecret assumes that a previous rotation request is
     * still in progress and returns an error" (API_RotateSecret); the documented way out is to take
     * AWSPENDING off that version (`abandonRotation`).
     */
    startRotation(id: string, token: string): void {
        const secret = this.secret(id);
        const pending = [...secret.versions].find(([, v]) => v.stages.includes("AWSPENDING"));
        if (pending !== undefined && pending[0] !== token && !pending[1].stages.includes("AWSCURRENT")) {
            throw new InvalidRequestException({
                $metadata: {},
                message: `A previous rotation isn't complete: version ${pending[0]} is AWSPENDING.`,
            });
        }
        if (!secret.versions.has(token)) {
            secret.versions.set(token, { stages: [] });
        }
        this.attach(secret, "AWSPENDING", token);
        this.check(secret);
    }

    /** What an operator does to a rotation that failed for good: takes AWSPENDING off its version, if that is not AWSCURRENT. */
    abandonRotation(id: string): void {
        const secret = this.secret(id);
        const pending = [...secret.versions].find(([, v]) => v.stages.includes("AWSPENDING"));
        if (pending !== undefined && !pending[1].stages.includes("AWSCURRENT")) {
            this.updateSecretVersionStage({
                SecretId: id,
                VersionStage: "AWSPENDING",
                RemoveFromVersionId: pending[0],
            });
        }
    }

    /** The value staged `stage`, or undefined. */
    valueAt(id: string, stage: string): string | undefined {
        const found = [...this.secret(id).versions.values()].find((v) => v.stages.includes(stage));
        return found?.value;
    }

    /** Version id → labels, for versions that have labels (as DescribeSecret shows them). */
    stages(id: string): Record<string, string[]> {
        return Object.fromEntries(
            [...this.secret(id).versions].filter(([, v]) => v.stages.length > 0).map(([k, v]) => [k, [...v.stages]]),
        );
    }

    /** Makes the `at`-th call from now fail with an error named `name`. */
    fail(at: number, name: string, when: Fault["when"] = "before"): void {
        this.faults.push({ at, name, when });
    }

    /** A real client whose every command is answered by this fake (aws-sdk-client-mock on this instance only). */
    client(): SecretsManagerClient {
        const client = new SecretsManagerClient({ region: "us-east-1" });
        this.answer(mockClient(client));
        return client;
    }

    /** Answers every command `mock` receives (a mock of one client, or of every client's prototype). */
    answer<M extends AwsClientStub<SecretsManagerClient>>(mock: M): M {
        mock.on(DescribeSecretCommand).callsFake((input: DescribeSecretCommandInput) =>
            this.call("DescribeSecret", () => this.describeSecret(input)),
        );
        mock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) =>
            this.call("GetSecretValue", () => this.getSecretValue(input)),
        );
        mock.on(PutSecretValueCommand).callsFake((input: PutSecretValueCommandInput) =>
            this.call("PutSecretValue", () => this.putSecretValue(input)),
        );
        mock.on(RotateSecretCommand).callsFake((input: RotateSecretCommandInput) =>
            this.call("RotateSecret", () => this.rotateSecret(input)),
        );
        mock.on(UpdateSecretVersionStageCommand).callsFake((input: UpdateSecretVersionStageCommandInput) =>
            this.call("UpdateSecretVersionStage", () => this.updateSecretVersionStage(input)),
        );
        return mock;
    }

    private call<T>(operation: Operation, run: () => T): T {
        this.calls.push(operation);
        this.faults.forEach((f) => f.at--);
        const fault = this.faults.find((f) => f.at === 0);
        this.faults = this.faults.filter((f) => f.at > 0);
        if (fault?.when === "before") {
            throw serviceError(fault.name);
        }
        if (fault === undefined) {
            return run();
        }
        try {
            run();
        } catch {
            // the call's own answer is lost too
        }
        throw serviceError(fault.name);
    }

    describeSecret(input: DescribeSecretCommandInput): DescribeSecretCommandOutput {
        const secret = this.secret(input.SecretId!);
        return {
            $metadata: {},
            ARN: secret.arn,
            Name: secret.name,
            RotationEnabled: secret.rotationEnabled,
            Tags: secret.tags.map((t) => ({ ...t })),
            VersionIdsToStages: this.stages(secret.arn),
        };
    }

    getSecretValue(input: GetSecretValueCommandInput): GetSecretValueCommandOutput {
        const secret = this.secret(input.SecretId!);
        const stage = input.VersionStage ?? (input.VersionId === undefined ? "AWSCURRENT" : undefined);
        const id = input.VersionId ?? [...secret.versions].find(([, v]) => v.stages.includes(stage!))?.[0];
        const version = id === undefined ? undefined : secret.versions.get(id);
        if (
            version === undefined ||
            version.value === undefined ||
            (stage !== undefined && !version.stages.includes(stage))
        ) {
            throw new ResourceNotFoundException({
                $metadata: {},
                message: "Secrets Manager can't find the specified secret value.",
            });
        }
        return {
            $metadata: {},
            ARN: secret.arn,
            Name: secret.name,
            VersionId: id,
            SecretString: version.value,
            VersionStages: [...version.stages],
        };
    }

    putSecretValue(input: PutSecretValueCommandInput): PutSecretValueCommandOutput {
        const secret = this.secret(input.SecretId!);
        const token = input.ClientRequestToken!;
        const existing = secret.versions.get(token);
        if (existing?.value !== undefined) {
            if (existing.value !== input.SecretString) {
                throw new ResourceExistsException({
                    $metadata: {},
                    message: "You can't modify an existing version, you can only create a new version.",
                });
            }
            return {
                $metadata: {},
                ARN: secret.arn,
                Name: secret.name,
                VersionId: token,
                VersionStages: [...existing.stages],
            };
        }
        const hasCurrent = [...secret.versions.values()].some((v) => v.stages.includes("AWSCURRENT"));
        const first = ![...secret.versions.values()].some((v) => v.value !== undefined);
        secret.versions.set(token, { value: input.SecretString, stages: existing?.stages ?? [] });
        const stages = input.VersionStages ?? ["AWSCURRENT"];
        for (const stage of stages) {
            this.attach(secret, stage, token);
        }
        if (!hasCurrent && first && this.options.firstPutBecomesCurrent) {
            this.attach(secret, "AWSCURRENT", token);
        }
        this.check(secret);
        return {
            $metadata: {},
            ARN: secret.arn,
            Name: secret.name,
            VersionId: token,
            VersionStages: [...secret.versions.get(token)!.stages],
        };
    }

    /**
     * `RotateSecret` without configuration: starts a rotation with a new version id
     * (`startRotation`, refused with `InvalidRequestException` while one is in progress). The
     * function's steps are then the test's to run (Secrets Manager invokes them asynchronously).
     */
    rotateSecret(input: RotateSecretCommandInput): RotateSecretCommandOutput {
        const secret = this.secret(input.SecretId!);
        if (!secret.rotationEnabled) {
            throw new InvalidRequestException({
                $metadata: {},
                message: "Rotation is not configured for this secret.",
            });
        }
        const token = input.ClientRequestToken ?? `rotation-${this.rotationsStarted.length + 1}`;
        this.startRotation(secret.arn, token);
        this.rotationsStarted.push(token);
        return { $metadata: {}, ARN: secret.arn, Name: secret.name, VersionId: token };
    }

    updateSecretVersionStage(input: UpdateSecretVersionStageCommandInput): UpdateSecretVersionStageCommandOutput {
        const secret = this.secret(input.SecretId!);
        const label = input.VersionStage!;
        const holder = [...secret.versions].find(([, v]) => v.stages.includes(label))?.[0];
        if (input.RemoveFromVersionId !== undefined && input.RemoveFromVersionId !== holder) {
            throw new InvalidParameterException({
                $metadata: {},
                message: `The staging label ${label} is not attached to version ${input.RemoveFromVersionId}.`,
            });
        }
        if (input.MoveToVersionId === undefined) {
            if (holder !== undefined) {
                const version = secret.versions.get(holder)!;
                version.stages = version.stages.filter((s) => s !== label);
            }
        } else {
            if (!secret.versions.has(input.MoveToVersionId)) {
                throw new ResourceNotFoundException({
                    $metadata: {},
                    message: `Version ${input.MoveToVersionId} not found.`,
                });
            }
            if (holder !== undefined && holder !== input.MoveToVersionId && input.RemoveFromVersionId === undefined) {
                throw new InvalidParameterException({
                    $metadata: {},
                    message: `The staging label ${label} is attached to version ${holder}: name it in RemoveFromVersionId.`,
                });
            }
            this.attach(secret, label, input.MoveToVersionId);
        }
        this.check(secret);
        return { $metadata: {}, ARN: secret.arn, Name: secret.name };
    }

    /** Attaches `label` to `id`, taking it from any other version; moving AWSCURRENT moves AWSPREVIOUS too. */
    private attach(secret: Secret, label: string, id: string): void {
        const from = [...secret.versions].find(([k, v]) => k !== id && v.stages.includes(label))?.[0];
        for (const version of secret.versions.values()) {
            version.stages = version.stages.filter((s) => s !== label);
        }
        const target = secret.versions.get(id)!;
        target.stages = [...target.stages, label];
        if (label === "AWSCURRENT" && from !== undefined) {
            this.attach(secret, "AWSPREVIOUS", from);
        }
    }

    private check(secret: Secret): void {
        const labels = [...secret.versions.values()].flatMap((v) => v.stages);
        if (new Set(labels).size !== labels.length) {
            this.violations.push(`a label on two versions: ${JSON.stringify(this.stages(secret.arn))}`);
        }
        const current = [...secret.versions.values()].find((v) => v.stages.includes("AWSCURRENT"));
        if (current !== undefined && current.value !== undefined) {
            secret.hadCurrent = true;
        } else if (current !== undefined || secret.hadCurrent) {
            this.violations.push(`AWSCURRENT lost or empty: ${JSON.stringify(this.stages(secret.arn))}`);
        }
    }

    private secret(id: string): Secret {
        const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.name === id);
        if (secret === undefined) {
            throw new ResourceNotFoundException({
                $metadata: {},
                message: "Secrets Manager can't find the specified secret.",
            });
        }
        return secret;
    }
}

/** An error as the SDK gives a service's answer: `name` is the error code. */
function serviceError(name: string): Error {
    switch (name) {
        case "ResourceNotFoundException":
            return new ResourceNotFoundException({ $metadata: {}, message: "injected" });
        case "InvalidRequestException":
            return new InvalidRequestException({ $metadata: {}, message: "injected" });
        default:
            return new SecretsManagerServiceException({
                name,
                $fault: "client",
                $metadata: { httpStatusCode: 400 },
                message: `injected ${name}`,
            });
    }
}
