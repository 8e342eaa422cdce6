import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { AnyDeferredCheck, deployTimeGuard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { requireText } from "../core/ownership";
import {
    MAX_ROTATE_EVERY_DAYS,
    MIN_ROTATE_EVERY_DAYS,
    RotatingValueArgs,
    ValueSpec,
    planRotateEveryDays,
    planValueSpec,
    planWholeNumber,
} from "../core/rotating-value";
import { GRACE_LABEL, PERIOD_LABEL } from "../runtime/gcp/rotate-secret";
import { FORMAT_LABEL, LENGTH_LABEL } from "../runtime/gcp/value";
import { renderOwnershipRecord } from "./description";
import { projectIdProblem } from "./grants";
import {
    RotationFunction,
    isRegion,
    planRotationFunction,
    readinessOf,
    rotationAccountId,
    rotationFunction,
    rotationOwnershipProblems,
} from "./rotation-function";
import { GcpSecretRotator, SECRET_ROTATION_ENTRY, SECRET_ROTATION_PERMISSIONS } from "./secret-rotator";
import { GcpSecretReader, SECRET_ACCESSOR, planLabels, planReaders, planSecretId } from "./secret-inputs";
import { GcpServiceIdentity } from "./service-identity";
import {
    GcpChannelPlan,
    GcpRotationAlarm,
    checkGcpMonitorAfterProgram,
    notifyLabel,
    planGcpRotationAlarm,
} from "./usage-settings";

export const GCP_ROTATING_SECRET_TYPE = "nhi:gcp:RotatingSecret";

/**
 * How many minutes after the secret's function is ready Secret Manager first notifies, by default:
 * Google refuses a `nextRotationTime` less than 5 minutes ahead when the secret is created, and the
 * time is computed a moment before the secret is registered, so 10 minutes leave 5 for the engine
 * to create it.
 * @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation
 */
export const DEFAULT_FIRST_ROTATION_MINUTES = 10;
/** Google's 5-minute minimum, plus one minute for the engine to create the secret. */
export const MIN_FIRST_ROTATION_MINUTES = 6;
/** A day: the first value should not wait longer. */
export const MAX_FIRST_ROTATION_MINUTES = 1_440;

/** The annotation holding the ownership record (`parseOwnershipRecord` reads it). */
export const OWNERSHIP_ANNOTATION = "nhi-ownership";
/**
 * Google: a secret's annotation keys and values take less than 16 KiB together.
 * @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#Secret.FIELDS.annotations
 */
export const MAX_ANNOTATION_BYTES = 16 * 1024 - 1;

const SECONDS_PER_DAY = 86_400;

/** What every {@link GcpRotatingSecret} takes, whichever function rotates it. */
export interface GcpRotatingSecretCommonArgs {
    /**
     * The project that holds the secret (and, without `rotator`, its rotation function): a project ID.
     * @see https://cloud.google.com/resource-manager/docs/creating-managing-projects#identifying_projects
     */
    readonly project: string;
    /**
     * The team or person who answers for this secret; recorded in the secret's `nhi-ownership`
     * annotation and on the function's service accounts (whose description holds 256 bytes, Google's limit).
     */
    readonly owner: string;
    /** Why this secret exists; recorded beside `owner` in the `nhi-ownership` annotation. */
    readonly purpose: string;
    /**
     * How often a new value is generated, in whole days: Secret Manager's `rotation.rotationPeriod`.
     * Limits: 1–365 (Google allows 1 hour to 100 years).
     * @see https://cloud.google.com/secret-manager/docs/secret-rotation
     */
    readonly rotateEveryDays: number;
    /**
     * How long a replaced version stays enabled, in whole days, so that consumers that check a value
     * against the enabled versions accept the previous one meanwhile. The function retires versions
     * when it rotates, so a replaced version stays enabled until the first rotation after its grace:
     * a grace shorter than the period would still last one period, and is refused. Versions are
     * disabled, never destroyed.
     * Limits: from `rotateEveryDays` to 365.
     * @default `rotateEveryDays` (the previous version stays enabled until the next rotation)
     */
    readonly graceDays?: number;
    /**
     * The generated value: `length` 16–4,096 characters (default 32) and `format`
     * (`alphanumeric`, `printable`, `hex` or `base64`; default `alphanumeric`). The function reads
     * them from the secret's labels `nhi-value-length` and `nhi-value-format`.
     * @default `{ length: 32, format: "alphanumeric" }`
     */
    readonly value?: RotatingValueArgs;
    /**
     * Who may read the value: IAM member strings (`serviceAccount:…`, `user:…`, `group:…`,
     * `domain:…`, `principal://…`, `principalSet://…`) or `gcp.ServiceIdentity` objects. Each gets
     * `roles/secretmanager.secretAccessor` on this secret only, in one binding that is authoritative
     * for that role on this secret: grant reading here, not in a `gcp.ServiceIdentity`'s `grants`.
     * `allUsers` and `allAuthenticatedUsers` are refused.
     * @default none
     * @see https://cloud.google.com/secret-manager/docs/access-control
     */
    readonly readers?: readonly GcpSecretReader[];
    /**
     * The secret ID: 1–255 letters, digits, `-` and `_`; with `rotator`, it must start with the
     * rotator's `secretIdPrefix`.
     * @default `name` with other characters replaced by `-`, after the rotator's prefix when there is one
     */
    readonly secretId?: string;
    /**
     * Labels for the secret. Keys start with a lower-case letter; keys and values are at most 63
     * lower-case letters, digits, `_` and `-` (Google). Keys starting with `nhi-` are this package's.
     * @default none
     * @see https://cloud.google.com/resource-manager/docs/labels-overview#requirements
     */
    readonly labels?: Readonly<Record<string, string>>;
    /**
     * How many minutes after its function is ready the first value is made (`nextRotationTime` at
     * creation). Secret Manager refuses a time less than 5 minutes ahead when it creates the secret,
     * so a stack that creates thousands of secrets in one update (Secret Manager takes at most 600
     * writes a minute per project) needs about 6 + (number of secrets) / 600 minutes.
     * Limits: 6–1,440 whole minutes.
     * @default 10
     * @see https://cloud.google.com/secret-manager/quotas
     */
    readonly firstRotationAfterMinutes?: number;
    /**
     * Whether `pulumi destroy` (or removing the component) is refused while the secret exists:
     * deleting a Secret Manager secret destroys every version at once, with no recovery window.
     * Set `false`, and update, before deleting.
     * @default true
     * @see https://www.pulumi.com/registry/packages/gcp/api-docs/secretmanager/secret/#deletionprotection_nodejs
     */
    readonly deletionProtection?: boolean;
    /**
     * Notify `notify` (a notification channel, `projects/<project>/notificationChannels/<id>`) when
     * no new version of this secret was added for longer than `rotateEveryDays` plus a day (a
     * rotation that keeps failing), once, and once more when one is. The `gcp.UsageMonitor` of the
     * secret's project checks every rotating secret of this package twice a day; this says whom it
     * tells. Needs that monitor in the stack, with `notify` among its `notifyChannels`. Recorded
     * (the channel's ID) in the secret's `nhi-notify` label.
     * @default no notice (the monitor still counts the secret in `secrets_rotation_stale`)
     * @see https://cloud.google.com/secret-manager/docs/secret-rotation
     */
    readonly rotationAlarm?: GcpRotationAlarm;
}

/** A secret rotated by a function of its own (the default): give `region`. */
export interface GcpRotatingSecretOwnFunctionArgs extends GcpRotatingSecretCommonArgs {
    /**
     * The region of this secret's own rotation function, such as `europe-west1`. Required without
     * `rotator`; refused with it (the rotator's region applies).
     * @see https://cloud.google.com/functions/docs/locations
     */
    readonly region: string;
    /** Not with `region`: a secret of a shared rotator is a {@link GcpRotatingSecretSharedRotatorArgs}. */
    readonly rotator?: never;
}

/** A secret rotated by a shared `gcp.SecretRotator`: give `rotator`. */
export interface GcpRotatingSecretSharedRotatorArgs extends GcpRotatingSecretCommonArgs {
    /**
     * A shared rotator (`gcp.SecretRotator`) in the same project, instead of a function for this
     * secret alone: the secret notifies the rotator's topic and its ID starts with the rotator's
     * `secretIdPrefix`, which the rotator's IAM Condition admits.
     * @default a rotation function for this secret alone, in `region`
     */
    readonly rotator: GcpSecretRotator;
    /** Not with `rotator`: a secret with its own function is a {@link GcpRotatingSecretOwnFunctionArgs}. */
    readonly region?: never;
}

/** The arguments of {@link GcpRotatingSecret}: exactly one of `region` (its own function) or `rotator` (a shared one). */
export type GcpRotatingSecretArgs = GcpRotatingSecretOwnFunctionArgs | GcpRotatingSecretSharedRotatorArgs;

/** Everything the constructor needs, validated: the output of {@link planGcpRotatingSecret}. */
export interface GcpRotatingSecretPlan {
    readonly project: string;
    readonly owner: string;
    readonly purpose: string;
    readonly secretId: string;
    readonly rotateEveryDays: number;
    readonly graceDays?: number;
    readonly value: ValueSpec;
    /** Every label of the secret, the package's and the user's. */
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    /** `${seconds}s`, as Secret Manager takes it. */
    readonly rotationPeriod: string;
    readonly readers: readonly GcpSecretReader[];
    /** `rotationAlarm`: its channel and, if the monitor is not declared yet, where to find it. */
    readonly rotationAlarm: GcpChannelPlan;
    readonly later: readonly AnyDeferredCheck[];
    /** Without a shared rotator: the region and account ID of this secret's own function. */
    readonly own?: { readonly region: string; readonly accountId: string };
    readonly deletionProtection: boolean;
    readonly firstRotationAfterMinutes: number;
}

/** The purpose recorded on a per-secret function's service account. */
export function functionPurpose(secretId: string): string {
    return `Rotates secret ${secretId}`;
}

/**
 * Validates `args` for a secret called `name`, collecting every problem and throwing one
 * {@link pulumi.InputPropertiesError}. Registers nothing.
 */
export function planGcpRotatingSecret(name: string, args: GcpRotatingSecretArgs): GcpRotatingSecretPlan {
    const problems = new Problems();
    const later: AnyDeferredCheck[] = [];
    const a: Partial<GcpRotatingSecretCommonArgs> & { region?: unknown; rotator?: unknown } = args ?? {};
    const project = typeof a.project === "string" ? a.project : "";
    const projectProblem = projectIdProblem("project", a.project);
    if (projectProblem !== undefined) {
        problems.add(
            "project",
            a.project === undefined || a.project === ""
                ? `\`project\` is required: the ID of the project that holds the secret, such as \`my-project\`; got ${describe(a.project)}.`
                : projectProblem,
        );
    }
    const { owner, purpose } = requireText(a, ["owner", "purpose"], problems, {
        owner: "the team or person who answers for this secret",
        purpose: "why this secret exists",
    });
    const rotateEveryDays = planRotateEveryDays(a.rotateEveryDays, problems);
    let graceDays: number | undefined;
    if (a.graceDays !== undefined) {
        graceDays = planGraceDays(a.graceDays, rotateEveryDays, problems);
    }
    const value = planValueSpec(a.value, problems);
    const rotator = planRotator(a, project, problems);
    const secretId = planSecretId(name, a.secretId, rotator?.secretIdPrefix ?? "", problems);
    const rotationAlarm = planGcpRotationAlarm(
        a.rotationAlarm,
        projectProblem === undefined ? project : undefined,
        problems,
        later,
    );
    const labels = planLabels(a.labels, problems, rotationAlarm.notify === undefined ? 4 : 5);
    const readers = planReaders(a.readers, problems, later);
    let own: GcpRotatingSecretPlan["own"];
    if (rotator === undefined && a.rotator === undefined) {
        if (!isRegion(a.region)) {
            problems.add(
                "region",
                `\`region\` must be the Google Cloud region of this secret's rotation function, such as \`europe-west1\` (or give a shared \`rotator\`); got ${describe(a.region)}.`,
            );
        } else if (secretId !== undefined) {
            own = { region: a.region, accountId: rotationAccountId(name, "rot") };
        }
        if (owner !== undefined && own !== undefined) {
            // The function's service accounts record the owner too, in 256 bytes; the purpose there is the package's.
            for (const p of rotationOwnershipProblems(owner, functionPurpose(secretId!), own.accountId, false))
                problems.add("owner", p.reason);
        }
    }
    if (owner !== undefined && purpose !== undefined) {
        const bytes = Buffer.byteLength(OWNERSHIP_ANNOTATION + renderOwnershipRecord({ owner, purpose }), "utf8");
        if (bytes > MAX_ANNOTATION_BYTES) {
            const longer = Buffer.byteLength(owner) > Buffer.byteLength(purpose) ? "owner" : "purpose";
            problems.add(
                longer,
                `\`${longer}\` makes the ownership record ${bytes} bytes, too long for the secret's annotations, which take less than 16 KiB (Google limit). Shorten \`${longer}\`.`,
            );
        }
    }
    const firstRotationAfterMinutes =
        a.firstRotationAfterMinutes === undefined
            ? DEFAULT_FIRST_ROTATION_MINUTES
            : planWholeNumber(
                  "firstRotationAfterMinutes",
                  a.firstRotationAfterMinutes,
                  {
                      min: MIN_FIRST_ROTATION_MINUTES,
                      max: MAX_FIRST_ROTATION_MINUTES,
                      unit: "minutes",
                      minNote: "Secret Manager refuses a first rotation less than 5 minutes ahead",
                  },
                  problems,
              );
    if (a.deletionProtection !== undefined && typeof a.deletionProtection !== "boolean") {
        problems.add(
            "deletionProtection",
            `\`deletionProtection\` must be \`true\` or \`false\`; got ${describe(a.deletionProtection)}.`,
        );
    }
    problems.throwIfAny(`GcpRotatingSecret "${name}"`);
    if (own !== undefined) {
        planRotationFunction({
            project,
            owner,
            purpose: functionPurpose(secretId!),
            accountId: own.accountId,
            grants: secretGrants(secretId!),
        });
    }
    const packageLabels: Record<string, string> = {
        [FORMAT_LABEL]: value.format,
        [LENGTH_LABEL]: String(value.length),
        [PERIOD_LABEL]: String(rotateEveryDays),
        ...(graceDays !== undefined ? { [GRACE_LABEL]: String(graceDays) } : {}),
    };
    return {
        project,
        owner,
        purpose,
        secretId: secretId!,
        rotateEveryDays: rotateEveryDays!,
        graceDays,
        value,
        labels: { ...labels, ...packageLabels },
        annotations: { [OWNERSHIP_ANNOTATION]: renderOwnershipRecord({ owner, purpose }) },
        rotationPeriod: `${rotateEveryDays! * SECONDS_PER_DAY}s`,
        readers,
        rotationAlarm,
        later,
        own,
        deletionProtection: a.deletionProtection ?? true,
        firstRotationAfterMinutes: firstRotationAfterMinutes ?? DEFAULT_FIRST_ROTATION_MINUTES,
    };
}

/**
 * `graceDays`, validated: whole days from `rotateEveryDays` to 365. The function retires versions
 * only when it rotates, so a shorter grace would still last one period: refused rather than ignored.
 */
function planGraceDays(value: unknown, rotateEveryDays: number | undefined, problems: Problems): number | undefined {
    return planWholeNumber(
        "graceDays",
        value,
        {
            min: rotateEveryDays ?? MIN_ROTATE_EVERY_DAYS,
            max: MAX_ROTATE_EVERY_DAYS,
            unit: "days",
            minNote:
                rotateEveryDays === undefined
                    ? undefined
                    : "`rotateEveryDays`: the function retires a replaced version only when it rotates, so the version stays enabled at least one period anyway",
        },
        problems,
    );
}

/** The grant of a per-secret function's identity: exactly the function's calls, on this secret only. */
function secretGrants(secret: pulumi.Input<string>) {
    return [{ permissions: [...SECRET_ROTATION_PERMISSIONS], resource: { secret } }];
}

function planRotator(
    a: { region?: unknown; rotator?: unknown },
    project: string,
    problems: Problems,
): GcpSecretRotator | undefined {
    if (a.rotator === undefined) {
        return undefined;
    }
    if (!(a.rotator instanceof GcpSecretRotator)) {
        problems.add("rotator", `\`rotator\` must be a \`gcp.SecretRotator\`; got ${describe(a.rotator)}.`);
        return undefined;
    }
    if (a.region !== undefined) {
        problems.add(
            "region",
            `\`region\` is for a secret's own rotation function; with \`rotator\`, the rotator's region (\`${a.rotator.region}\`) applies. Remove \`region\`.`,
        );
    }
    if (project !== "" && a.rotator.project !== project) {
        problems.add(
            "rotator",
            `\`rotator\` rotates secrets of project \`${a.rotator.project}\`, not \`${project}\`: a rotator's IAM Condition admits its own project's secrets only. Use a rotator in \`${project}\`.`,
        );
    }
    return a.rotator;
}

/**
 * A Secret Manager secret whose value is generated and rotated inside Google Cloud, on Secret
 * Manager's own schedule, by a function this package ships: Pulumi never sees a value (no
 * `SecretVersion`, no random resource; nothing in state, previews or outputs).
 *
 * At `nextRotationTime` and then every `rotateEveryDays`, Secret Manager publishes `SECRET_ROTATE`
 * to the secret's topic; the function adds a version with a fresh value and disables, never
 * destroys, versions replaced more than `graceDays` ago. The first version is minted the same way,
 * `firstRotationAfterMinutes` (10) after the secret's function is ready.
 *
 * Children: a `secretmanager.Secret` (`${name}-secret`); a `secretmanager.SecretIamBinding` for the
 * readers (`${name}-readers`); without `rotator`, a `pubsub.Topic` (`${name}-topic`) and the
 * rotation function's resources (`${name}-rotation…`, see `rotationFunction`).
 */
export class GcpRotatingSecret extends pulumi.ComponentResource {
    /** The secret ID. */
    public readonly secretId: pulumi.Output<string>;
    /** The secret's full name, `projects/<project number>/secrets/<id>`; a consumer reads `<name>/versions/latest`. */
    public readonly name: pulumi.Output<string>;
    /** The period, in days. */
    public readonly rotateEveryDays: number;
    /** How long a replaced version stays enabled, in days. */
    public readonly graceDays: number;
    /** The topic Secret Manager notifies: `projects/<project>/topics/<topic>`. */
    public readonly topic: pulumi.Output<string>;
    /** The name of the function that rotates the secret (its own, or the shared rotator's). */
    public readonly rotatorFunction: pulumi.Output<string>;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link GcpRotatingSecretArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the Google Cloud credentials and defaults of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: GcpRotatingSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planGcpRotatingSecret(name, args);
        super(GCP_ROTATING_SECRET_TYPE, name, {}, withLegacyType(GCP_ROTATING_SECRET_TYPE, name, opts));
        const subject = `GcpRotatingSecret "${name}"`;
        checkGcpMonitorAfterProgram(subject, this, plan.rotationAlarm);
        const guard = deployTimeGuard(subject, this, plan.later);
        const childOpts = { parent: this };
        this.rotateEveryDays = plan.rotateEveryDays;
        this.graceDays = plan.graceDays ?? plan.rotateEveryDays;

        // The secret waits for its function and the topic's publisher binding: Secret Manager checks at
        // creation that it may publish, and a message published before the trigger's subscription exists
        // is lost. A shared rotator's are there already; a function of the secret's own names the secret in
        // its grant, so it is declared after the secret, and the secret's `dependsOn` resolves with it.
        let resolveOwn: (ready: pulumi.Resource[]) => void = () => undefined;
        const own =
            plan.own === undefined ? undefined : new Promise<pulumi.Resource[]>((resolve) => (resolveOwn = resolve));
        const topic =
            args.rotator?.topic ??
            new gcp.pubsub.Topic(
                `${name}-topic`,
                { project: plan.project, labels: { "managed-by": "pulumi-nhi" } },
                childOpts,
            ).id;
        const readiness = own === undefined ? args.rotator!.readiness : pulumi.output(own).apply(readinessOf);
        const secret = new gcp.secretmanager.Secret(
            `${name}-secret`,
            {
                project: plan.project,
                secretId: plan.secretId,
                replication: { auto: {} },
                labels: { ...plan.labels, ...notifyLabel(plan.rotationAlarm.notify, guard) },
                annotations: plan.annotations,
                topics: [{ name: topic }],
                rotation: {
                    rotationPeriod: plan.rotationPeriod,
                    // Computed once what the secret waits for exists, a moment before the secret is created;
                    // afterwards Secret Manager advances it, and Pulumi leaves it alone (ignoreChanges).
                    nextRotationTime: readiness.apply(() =>
                        new Date(Date.now() + plan.firstRotationAfterMinutes * 60_000).toISOString(),
                    ),
                },
                deletionProtection: plan.deletionProtection,
            },
            { ...childOpts, dependsOn: own ?? [...args.rotator!.ready], ignoreChanges: ["rotation.nextRotationTime"] },
        );
        this.secretId = secret.secretId;
        this.name = secret.name;
        this.topic = topic;

        if (plan.own !== undefined) {
            const fn: RotationFunction = rotationFunction(
                `${name}-rotation`,
                {
                    project: plan.project,
                    region: plan.own.region,
                    owner: plan.owner,
                    purpose: functionPurpose(plan.secretId),
                    accountId: plan.own.accountId,
                    entry: SECRET_ROTATION_ENTRY,
                    topic,
                    grants: secretGrants(secret.secretId),
                },
                this,
            );
            resolveOwn([...fn.ready]);
            this.rotatorFunction = fn.function.name;
        } else {
            this.rotatorFunction = args.rotator!.functionName;
        }

        if (plan.readers.length > 0) {
            new gcp.secretmanager.SecretIamBinding(
                `${name}-readers`,
                {
                    project: plan.project,
                    secretId: secret.secretId,
                    role: SECRET_ACCESSOR,
                    members: plan.readers.map((r) => (r instanceof GcpServiceIdentity ? r.member : guard(r))),
                },
                childOpts,
            );
        }
        this.registerOutputs({});
    }
}
