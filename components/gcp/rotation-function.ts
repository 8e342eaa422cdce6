/**
 * The one builder of a Google rotation function: a Cloud Run function (2nd gen, `cloudfunctionsv2`)
 * that a Pub/Sub topic triggers, built from a runtime entry of this package (components/runtime/gcp),
 * running as its own `GcpServiceIdentity` whose grants the caller gives, and invoked by a second,
 * permissionless `GcpServiceIdentity` that may invoke this one function only.
 *
 * Used by `gcp.RotatingSecret` (one function per secret), `gcp.SecretRotator` (one per project, shared)
 * and the key rotator of `gcp.ServiceIdentity`; `gcp.UsageMonitor` builds an HTTP function with it
 * (`invokedBy: "http"`: Cloud Scheduler calls it as the trigger identity). Internal: not exported
 * from the package entry.
 */
import { createHash } from "crypto";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { runtimeArchive, runtimeBundle } from "../core/runtime-asset";
import { MAX_DESCRIPTION_BYTES, ownershipRecordProblems, renderOwnershipRecord } from "./description";
import { GcpGrant, expiryCondition } from "./grants";
import {
    ACCOUNT_ID,
    GcpServiceIdentity,
    GcpServiceIdentityPlan,
    deriveAccountId,
    planGcpServiceIdentity,
} from "./service-identity";

/**
 * The Node.js runtime: the current GA one. `@google-cloud/secret-manager` 7 requires Node.js ≥ 22
 * (its `engines`), so not older. @see https://cloud.google.com/run/docs/runtimes/nodejs
 */
export const FUNCTION_RUNTIME = "nodejs22";

/**
 * The packages the function's own `package.json` declares, pinned: the versions the runtime code is
 * tested with (devDependencies of this package). Cloud Build installs them when it builds the function.
 * @see https://cloud.google.com/functions/docs/writing/specifying-dependencies-nodejs
 */
export const FUNCTION_DEPENDENCIES: Readonly<Record<string, string>> = {
    "@google-cloud/functions-framework": "5.0.5",
    "@google-cloud/secret-manager": "7.2.0",
};

/** The Eventarc event type of a message published to a Pub/Sub topic. @see https://cloud.google.com/eventarc/docs/cloudevents */
export const PUBSUB_EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished";

/**
 * Memory of one instance. The function makes a few Secret Manager calls per event; 256 MiB is the
 * smallest size whose CPU share (0.167 vCPU) loads the gRPC client in a few seconds.
 * @see https://cloud.google.com/functions/docs/configuring/memory
 */
export const FUNCTION_MEMORY = "256M";

/**
 * Seconds one event may run: the runtime retries a throttled call up to 5 times with waits of at
 * most 8 s (components/runtime/gcp/rotate-secret.ts), for each of a few calls.
 */
export const FUNCTION_TIMEOUT_SECONDS = 300;

/**
 * At most this many instances: rotations are rare, and one instance at a time makes two deliveries
 * of one message run one after the other, so the second finds the first's version (the runtime's
 * idempotence guard) instead of racing it.
 */
export const FUNCTION_MAX_INSTANCES = 1;

/** The Secret Manager service agent's service, whose identity publishes a secret's notifications. */
export const SECRET_MANAGER_SERVICE = "secretmanager.googleapis.com";

/** The role the trigger's identity holds on the function's Cloud Run service. */
export const RUN_INVOKER = "roles/run.invoker";

/** The role the Secret Manager service agent holds on the topic. */
export const PUBSUB_PUBLISHER = "roles/pubsub.publisher";

/**
 * Whether `value` has the shape of a Google Cloud region (`europe-west1`, `northamerica-northeast2`).
 * @see https://cloud.google.com/functions/docs/locations
 */
export function isRegion(value: unknown): value is string {
    return typeof value === "string" && /^[a-z]+-[a-z]+[0-9]+$/.test(value);
}

/** Which runtime code the function runs. */
export interface RotationFunctionEntry {
    /** The runtime entry file under `components/runtime/`, without `.js`: `"gcp/index"`. */
    readonly file: string;
    /** The name the entry file registers with the Functions Framework: `"rotateSecret"`. */
    readonly entryPoint: string;
    /**
     * The packages the function's `package.json` declares beyond {@link FUNCTION_DEPENDENCIES},
     * pinned (exact versions): what its own files require by name. They must be devDependencies of
     * this package at the same versions, so that the runtime code is tested with them.
     * @default none
     */
    readonly dependencies?: Readonly<Record<string, string>>;
}

/** Every package an entry's `package.json` declares: {@link FUNCTION_DEPENDENCIES} and the entry's own. */
export function entryDependencies(entry: RotationFunctionEntry): Readonly<Record<string, string>> {
    return { ...FUNCTION_DEPENDENCIES, ...entry.dependencies };
}

/** The arguments of {@link rotationFunction}. Every plain value must be validated by the caller first, with {@link planRotationFunction}. */
export interface RotationFunctionArgs {
    /** The project of the function, its two service accounts, its source bucket and its custom roles: a project ID. */
    readonly project: string;
    /** The region of the function and its trigger, such as `europe-west1`. */
    readonly region: string;
    /** The owner recorded on both service accounts (the caller's `owner`). */
    readonly owner: string;
    /** The purpose recorded on the runtime service account, such as `Rotates secret webhook-signing`. */
    readonly purpose: string;
    /** The runtime account's ID (6–30 characters); the trigger's is derived from it ({@link triggerAccountId}). Use {@link rotationAccountId}. */
    readonly accountId: string;
    /** Which runtime code runs. */
    readonly entry: RotationFunctionEntry;
    /**
     * How the function is invoked: `"pubsub"`, by messages on `topic` (through Eventarc, as the
     * trigger identity); `"http"`, by an HTTP request bearing an OIDC token of the trigger
     * identity (Cloud Scheduler's HTTP target), with no topic.
     * @default "pubsub"
     */
    readonly invokedBy?: "pubsub" | "http";
    /**
     * The topic that triggers the function: `projects/<project>/topics/<topic>` (`topic.id`), in
     * `project`: the function takes internal traffic only, which admits Pub/Sub and Eventarc of its
     * own project. Required when `invokedBy` is `"pubsub"`, refused with `"http"`.
     */
    readonly topic?: pulumi.Input<string>;
    /** Memory of one instance. @default {@link FUNCTION_MEMORY} */
    readonly memory?: string;
    /** Seconds one invocation may run. @default {@link FUNCTION_TIMEOUT_SECONDS} */
    readonly timeoutSeconds?: number;
    /**
     * What the function's identity may do, as `GcpServiceIdentity` grants: exactly what its steps
     * need, on the caller's own secret(s), service account(s) only. `[]` when the caller binds a
     * conditional role itself (the shared rotator).
     */
    readonly grants: readonly GcpGrant[];
    /**
     * A bucket to hold the function's source archive, instead of a new one per function.
     * @default a new bucket (uniform access, public access prevented) in `region`
     */
    readonly sourceBucket?: pulumi.Input<string>;
    /**
     * When the function's two identities stop working (their bindings carry the IAM Condition
     * `request.time < timestamp(…)`): the `expiresAt` of the identity whose credential it rotates,
     * so that an expired identity's key is no longer rotated.
     * @default never
     */
    readonly expiresAt?: string;
}

/**
 * The function's two identities get no deprovisioning job of their own (`deprovisioner: false`
 * where they expire): their bindings stop holding at `expiresAt`, and the account whose key they
 * rotate is the one its own job disables.
 */
function withoutDeprovisioner(expiresAt: string | undefined): { deprovisioner?: false } {
    return expiresAt === undefined ? {} : { deprovisioner: false };
}

/** The validated plan: the two identities' plans. */
export interface RotationFunctionPlan {
    readonly runtime: GcpServiceIdentityPlan;
    readonly trigger: GcpServiceIdentityPlan;
}

/** What {@link rotationFunction} registered. */
export interface RotationFunction {
    /** The `gcp.cloudfunctionsv2.Function` (typed without `@pulumi/gcp`, so that no declaration file of the package needs it). */
    readonly function: pulumi.CustomResource & {
        readonly name: pulumi.Output<string>;
        readonly url: pulumi.Output<string>;
    };
    /** The identity the function runs as. */
    readonly runtime: GcpServiceIdentity;
    /** The identity the trigger invokes the function as. */
    readonly trigger: GcpServiceIdentity;
    /**
     * The resources a secret that notifies `topic` must wait for: the service agent's publisher
     * binding (Secret Manager checks that it may publish when the secret is created), and the function
     * with its trigger (a message published before the trigger's subscription exists is lost).
     * An HTTP function: the function and the trigger identity's invoker binding.
     */
    readonly ready: readonly pulumi.Resource[];
}

/**
 * An Output that resolves once every resource of `ready` exists (its ID is known): during an update,
 * after they are created; during a preview of a new stack, never (the value stays unknown).
 */
export function readinessOf(ready: readonly pulumi.Resource[]): pulumi.Output<unknown[]> {
    return pulumi.all(ready.map((r) => (r as pulumi.CustomResource).id));
}

/** The purpose recorded on a trigger's service account. */
function triggerPurpose(accountId: string, invokedBy: "pubsub" | "http" = "pubsub"): string {
    return invokedBy === "http"
        ? `Calls the function that runs as ${accountId} on its schedule`
        : `Delivers Pub/Sub events to the function that runs as ${accountId}`;
}

/** The trigger's service account ID: the runtime's followed by `-inv`, within 30 characters ({@link rotationAccountId}). */
export function triggerAccountId(runtimeAccountId: string): string {
    return rotationAccountId(runtimeAccountId, "inv");
}

/**
 * A valid service account ID (6–30 characters) for a function built for `base` (a component's
 * name): `base` lower-cased as Google would (`deriveAccountId`), then `-<suffix>`. When that is too
 * long, `base` is cut and 4 hex characters of its hash are added, so that two long names that
 * share their first 20 characters still get two IDs. `nhi-` is put first when `base` does not start
 * with a letter or the ID would be shorter than 6 characters.
 */
export function rotationAccountId(base: string, suffix: string): string {
    let stem = deriveAccountId(base);
    if (!/^[a-z]/.test(stem) || stem.length + suffix.length + 1 < 6) {
        stem = `nhi-${stem}`.replace(/-+$/, "");
    }
    let id = `${stem}-${suffix}`;
    if (id.length > 30) {
        const hash = createHash("sha256").update(base).digest("hex").slice(0, 4);
        id = `${stem.slice(0, 30 - suffix.length - 6).replace(/-+$/, "")}-${hash}-${suffix}`;
    }
    if (!ACCOUNT_ID.test(id)) {
        throw new Error(`rotationAccountId: derived \`${id}\` from \`${base}\`, which is not a service account ID`);
    }
    return id;
}

/**
 * Why `owner` (and, when `purposeIsCallers`, the caller's `purpose`) does not fit the records of
 * the function's two service accounts (a description holds 256 bytes, Google's limit), as problems
 * of the caller's arguments, so that they name them. Empty when they fit. When the purpose is the
 * package's own (`Rotates secret …`), only `owner` is blamed, with the bytes it may take.
 */
export function rotationOwnershipProblems(
    owner: string,
    purpose: string,
    accountId: string,
    purposeIsCallers: boolean,
    invokedBy: "pubsub" | "http" = "pubsub",
): { propertyPath: "owner" | "purpose"; reason: string }[] {
    const where = `the description of the ${invokedBy === "http" ? "" : "rotation "}function's service accounts`;
    const purposes = purposeIsCallers ? [purpose] : [purpose, triggerPurpose(accountId, invokedBy)];
    const [longest] = purposes.sort((x, y) => Buffer.byteLength(y) - Buffer.byteLength(x));
    if (purposeIsCallers) {
        const trigger = ownershipRecordProblems({ owner, purpose: triggerPurpose(accountId, invokedBy) });
        const found = ownershipRecordProblems({ owner, purpose });
        return (found.length > 0 ? found : trigger).map((p) => ({
            propertyPath: p.propertyPath,
            reason: p.reason.replace("the service account's description", where),
        }));
    }
    if (ownershipRecordProblems({ owner, purpose: longest }).length === 0) {
        return [];
    }
    const room =
        MAX_DESCRIPTION_BYTES - Buffer.byteLength(renderOwnershipRecord({ owner: "", purpose: longest }), "utf8");
    const size = Buffer.byteLength(JSON.stringify(owner), "utf8") - 2;
    return [
        {
            propertyPath: "owner",
            reason: `\`owner\` is ${size} bytes, too long for ${where}, which hold at most ${MAX_DESCRIPTION_BYTES} bytes (Google limit) and leave ${room} of them for \`owner\` beside the function's own purpose. Shorten \`owner\` to at most ${room} bytes.`,
        },
    ];
}

/**
 * Validates everything the two identities will be built from, throwing the identity's
 * `pulumi.InputPropertiesError` on a problem. Call it before the caller's `super()`, so that a
 * rejected component registers nothing. Registers nothing itself.
 */
export function planRotationFunction(
    args: Pick<
        RotationFunctionArgs,
        "project" | "owner" | "purpose" | "accountId" | "grants" | "expiresAt" | "invokedBy"
    >,
): RotationFunctionPlan {
    const runtime = planGcpServiceIdentity(args.accountId, {
        project: args.project,
        owner: args.owner,
        purpose: args.purpose,
        accountId: args.accountId,
        grants: args.grants,
        expiresAt: args.expiresAt,
        ...withoutDeprovisioner(args.expiresAt),
    });
    const triggerId = triggerAccountId(args.accountId);
    const trigger = planGcpServiceIdentity(triggerId, {
        project: args.project,
        owner: args.owner,
        purpose: triggerPurpose(args.accountId, args.invokedBy),
        accountId: triggerId,
        grants: [],
        expiresAt: args.expiresAt,
        ...withoutDeprovisioner(args.expiresAt),
    });
    return { runtime, trigger };
}

/** Source archives by entry file and dependencies: see {@link functionSource}. */
const sources = new Map<string, { archive: pulumi.asset.AssetArchive; digest: string; files: readonly string[] }>();

/**
 * The source archive of `file` (the runtime files it requires, and a `package.json` declaring
 * `dependencies`) with the SHA-256 of its content and its file list. Built once per entry file,
 * dependencies and process: the content depends on the package's code only, so a thousand
 * functions share one archive.
 */
export function functionSource(
    file: string,
    dependencies: Readonly<Record<string, string>> = FUNCTION_DEPENDENCIES,
): { archive: pulumi.asset.AssetArchive; digest: string; files: readonly string[] } {
    const key = `${file}\0${JSON.stringify(dependencies)}`;
    let source = sources.get(key);
    if (source === undefined) {
        const extra = { "package.json": functionPackageJson(file, dependencies) };
        const hash = createHash("sha256");
        const files = [...runtimeBundle(file).files, ...Object.entries(extra)];
        for (const [path, text] of files) {
            hash.update(`${path}\0${text}\0`);
        }
        source = {
            archive: runtimeArchive(file, extra),
            digest: hash.digest("hex"),
            files: files.map(([path]) => path).sort(),
        };
        sources.set(key, source);
    }
    return source;
}

/**
 * The function's `package.json`: its `main` is the entry file, and its dependencies are pinned.
 * `"gcp-build": ""` keeps Cloud Build from running a `build` script: the files are compiled already.
 * @see https://cloud.google.com/functions/docs/writing/specifying-dependencies-nodejs
 */
export function functionPackageJson(
    file: string,
    dependencies: Readonly<Record<string, string>> = FUNCTION_DEPENDENCIES,
): string {
    return `${JSON.stringify(
        {
            name: `pulumi-nhi-${file.replace(/[^a-z0-9]+/g, "-")}`,
            private: true,
            main: `${file}.js`,
            engines: { node: ">=22" },
            scripts: { "gcp-build": "" },
            dependencies: { ...dependencies },
        },
        null,
        2,
    )}\n`;
}

/**
 * Registers a rotation function under `parent`, with children named `${name}-…`:
 * - the source archive as a Cloud Storage object (`${name}-source`), in a new bucket (`${name}-source`) unless `sourceBucket` is given;
 * - the runtime identity (`${name}-runtime`, a `GcpServiceIdentity` with `grants`);
 * - the trigger identity (`${name}-trigger`, a `GcpServiceIdentity` with no grants) and its `roles/run.invoker`
 *   on this function's Cloud Run service only (`${name}-invoker`);
 * - the function (`${name}`): {@link FUNCTION_RUNTIME}, the entry point, a Pub/Sub trigger on `topic` that retries a
 *   failed event, {@link FUNCTION_MEMORY}, at most {@link FUNCTION_MAX_INSTANCES} instance, internal ingress only;
 * - the Secret Manager service agent (`${name}-secretmanager-agent`) and its `roles/pubsub.publisher` on `topic` (`${name}-publisher`).
 *
 * With `invokedBy: "http"`: no Pub/Sub trigger, no service agent nor publisher binding; the function
 * takes HTTP requests (all ingress, IAM-authenticated: only the trigger identity may invoke it), and
 * its caller (a Cloud Scheduler job) sends an OIDC token of the trigger identity to `function.url`.
 *
 * The trigger's account needs no `roles/eventarc.eventReceiver`: the events come straight from
 * Pub/Sub. Left to the project: the Pub/Sub service agent's `roles/iam.serviceAccountTokenCreator`
 * in projects that enabled Pub/Sub before 8 April 2021, and the account Cloud Build builds the
 * function with (Google's default unless the organisation sets one).
 *
 * `args` must have passed {@link planRotationFunction}.
 * @see https://cloud.google.com/eventarc/standard/docs/functions/roles-permissions
 * @see https://cloud.google.com/secret-manager/docs/event-notifications
 */
export function rotationFunction(name: string, args: RotationFunctionArgs, parent: pulumi.Resource): RotationFunction {
    const opts = { parent };
    const source = functionSource(args.entry.file, entryDependencies(args.entry));
    const bucket =
        args.sourceBucket ??
        new gcp.storage.Bucket(
            `${name}-source`,
            {
                project: args.project,
                location: args.region,
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                // It holds only this package's compiled code: deleting the function may delete it with it.
                forceDestroy: true,
            },
            opts,
        ).name;
    // The object's name carries the content's digest, so new code is a new object and redeploys the function.
    const object = new gcp.storage.BucketObject(
        `${name}-source`,
        {
            bucket,
            name: `pulumi-nhi/${args.entry.file.replace(/\//g, "-")}-${source.digest.slice(0, 16)}.zip`,
            source: source.archive,
        },
        opts,
    );

    const runtime = new GcpServiceIdentity(
        `${name}-runtime`,
        {
            project: args.project,
            owner: args.owner,
            purpose: args.purpose,
            accountId: args.accountId,
            grants: args.grants,
            expiresAt: args.expiresAt,
            ...withoutDeprovisioner(args.expiresAt),
        },
        opts,
    );
    const triggerId = triggerAccountId(args.accountId);
    const trigger = new GcpServiceIdentity(
        `${name}-trigger`,
        {
            project: args.project,
            owner: args.owner,
            purpose: triggerPurpose(args.accountId, args.invokedBy),
            accountId: triggerId,
            grants: [],
            expiresAt: args.expiresAt,
            ...withoutDeprovisioner(args.expiresAt),
        },
        opts,
    );
    const http = args.invokedBy === "http";
    if (http === (args.topic !== undefined)) {
        throw new Error(
            `rotationFunction "${name}": \`topic\` is required with Pub/Sub invocation and refused with HTTP invocation`,
        );
    }

    const fn = new gcp.cloudfunctionsv2.Function(
        name,
        {
            project: args.project,
            location: args.region,
            // The runtime account's ID is unique in the project already, and a valid function name.
            name: args.accountId,
            description: `${args.purpose} (pulumi-nhi; owner ${args.owner})`,
            buildConfig: {
                runtime: FUNCTION_RUNTIME,
                entryPoint: args.entry.entryPoint,
                source: { storageSource: { bucket: object.bucket, object: object.name } },
            },
            serviceConfig: {
                availableMemory: args.memory ?? FUNCTION_MEMORY,
                timeoutSeconds: args.timeoutSeconds ?? FUNCTION_TIMEOUT_SECONDS,
                maxInstanceCount: FUNCTION_MAX_INSTANCES,
                // Pub/Sub push from Eventarc in the same project counts as internal. Cloud Scheduler's
                // HTTP target reaches the run.app URL from outside any VPC, which the Cloud Run ingress
                // page does not list as internal: an HTTP function takes all traffic, and IAM admits
                // the trigger identity's token only (`roles/run.invoker` on this service alone).
                // @see https://cloud.google.com/run/docs/securing/ingress#internal-services
                ingressSettings: http ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY",
                allTrafficOnLatestRevision: true,
                serviceAccountEmail: runtime.email,
            },
            ...(http
                ? {}
                : {
                      eventTrigger: {
                          eventType: PUBSUB_EVENT_TYPE,
                          pubsubTopic: args.topic!,
                          triggerRegion: args.region,
                          // A failed run is delivered again (for up to 24 hours), so a crash or a throttled call is finished later.
                          // @see https://cloud.google.com/functions/docs/bestpractices/retries
                          retryPolicy: "RETRY_POLICY_RETRY",
                          serviceAccountEmail: trigger.email,
                      },
                  }),
        },
        opts,
    );

    const invoker = new gcp.cloudrunv2.ServiceIamMember(
        `${name}-invoker`,
        {
            project: args.project,
            location: args.region,
            name: fn.serviceConfig.apply((c) => c?.service ?? ""),
            role: RUN_INVOKER,
            member: trigger.member,
            ...(args.expiresAt === undefined ? {} : { condition: expiryCondition(args.expiresAt) }),
        },
        opts,
    );
    if (http) {
        return { function: fn, runtime, trigger, ready: [fn, invoker] };
    }

    // The agent exists once someone asks for it; asking makes sure it does before it is bound.
    // @see https://cloud.google.com/secret-manager/docs/event-notifications
    const agent = new gcp.projects.ServiceIdentity(
        `${name}-secretmanager-agent`,
        { project: args.project, service: SECRET_MANAGER_SERVICE },
        opts,
    );
    // The topic's full name is how IAM finds it, whichever project it is in.
    const publisher = new gcp.pubsub.TopicIAMMember(
        `${name}-publisher`,
        {
            topic: args.topic!,
            role: PUBSUB_PUBLISHER,
            member: agent.member,
        },
        opts,
    );

    return { function: fn, runtime, trigger, ready: [publisher, fn] };
}
