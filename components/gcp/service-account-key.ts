/**
 * `gcp.ServiceIdentity`'s `key`: a service account key, where one is unavoidable, minted and rotated inside Google Cloud by a
 * function this package ships (components/runtime/gcp/rotate-key.ts) into a Secret Manager secret, so that the key never passes
 * through Pulumi: no `serviceaccount.Key` resource, nothing of the key in state, preview or outputs.
 *
 * Children of the identity: the secret (`${name}-key`), its notification topic (`${name}-key-rotation`), the rotation function
 * (`${name}-key-rotator…`, built by `rotationFunction`), and with readers, their `roles/secretmanager.secretAccessor` on the secret
 * (`${name}-key-readers`).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, Guard } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { MAX_ROTATE_EVERY_DAYS, MIN_ROTATE_EVERY_DAYS, planWholeNumber } from "../core/rotating-value";
import { ACCOUNT_LABEL, PERMISSIONS, PROJECT_LABEL } from "../runtime/gcp/rotate-key";
import { EXPOSURE_CONSTRAINT } from "../runtime/gcp/usage-contract";
import { GRACE_LABEL, PERIOD_LABEL } from "../runtime/gcp/rotation";
import { GcpGrant } from "./grants";
import { GcpSecretReader, SECRET_ACCESSOR, planReaders } from "./secret-inputs";
import {
    RotationFunction,
    RotationFunctionEntry,
    RotationFunctionPlan,
    isRegion,
    planRotationFunction,
    readinessOf,
    rotationAccountId,
    rotationFunction,
} from "./rotation-function";
import { GcpServiceIdentity } from "./service-identity";
import { notifyLabel } from "./usage-settings";
import { programScope } from "../core/usage-monitors";

/** The key rotator's runtime entry. */
export const KEY_ENTRY: RotationFunctionEntry = {
    file: "gcp/key-index",
    entryPoint: "rotateKey",
    // The IAM keys API through `google-auth-library` (components/runtime/gcp/key-store.ts), pinned like the others.
    dependencies: { "google-auth-library": "11.3.4" },
};

/**
 * How often the secret notifies the function: once a day. Each notification is a check that rotates the key only when it is due,
 * so a replaced key is disabled within a day of the end of its grace, and a key Google disabled is replaced within a day.
 * Google: `rotationPeriod` is at least 3600 s. @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation
 */
export const CHECK_INTERVAL = "86400s";

/**
 * The first check, which mints the first key without a human, comes this long after the function exists. Google: the first
 * `nextRotationTime` cannot be less than 300 s in the future. @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation
 */
export const FIRST_CHECK_DELAY_MS = 10 * 60_000;

/** Why the rotator's identity may create keys of this one account: recorded in its description, as every acknowledgement is. */
export const KEY_ROTATOR_ACKNOWLEDGEMENT = "rotates this one account's key into its own secret";

/**
 * The organization policy constraint that says what Google does with a user-managed key it finds exposed in public (a public
 * GitHub or GitLab repository, a package): `DISABLE_KEY` disables it (Google's default since 16 June 2024), `WAIT_FOR_ABUSE` leaves
 * it working. Set on the organization, a folder or the project; what applies is the effective policy of the key's project, which a
 * Pulumi program cannot read without a cloud call of its own; the project's `gcp.UsageMonitor` reads it each run and reports it when
 * not `DISABLE_KEY` (`runtime/gcp/usage-contract.ts`, which defines the constant). A key Google disabled is replaced by the rotation
 * function at its next daily check (`runtime/gcp/rotate-key.ts`).
 * @see https://cloud.google.com/resource-manager/docs/organization-policy/restricting-service-accounts
 * @see https://cloud.google.com/blog/products/identity-security/automatically-disabling-leaked-service-account-keys-what-you-need-to-know
 */
export { EXPOSURE_CONSTRAINT };

/** What every preview says, once per project, of the keys `gcp.ServiceIdentity` makes there: check the exposed-key policy. */
export function exposedKeyNotice(project: string): string {
    return `\`key\`: Google disables a service account key it finds exposed in public only where the organization policy \`${EXPOSURE_CONSTRAINT}\` is \`DISABLE_KEY\` (its default since 16 June 2024); with \`WAIT_FOR_ABUSE\` an exposed key keeps working. Check the policy in effect for project \`${project}\`: \`gcloud org-policies describe ${EXPOSURE_CONSTRAINT} --effective --project=${project}\`. A key Google disabled is replaced at the rotation function's next daily check.`;
}

/** The projects whose exposed-key notice was given, by program: once per project and program run. */
const noticed = new WeakMap<object, Set<string>>();

/** Warns (on `identity`) that the exposed-key policy of `project` decides what happens to a leaked key: the first key of that project in this program only. */
export function warnExposedKeyPolicy(identity: pulumi.Resource, project: string): void {
    const scope = programScope();
    const projects = noticed.get(scope) ?? new Set<string>();
    noticed.set(scope, projects);
    if (!projects.has(project)) {
        projects.add(project);
        pulumi.log.warn(exposedKeyNotice(project), identity);
    }
}

/** A rotated service account key: see {@link GcpServiceIdentityArgs.key}. */
export interface GcpServiceAccountKeyArgs {
    /**
     * How often a new key replaces the current one, in whole days: from 1 to 365 (this package's bound; Google's user-managed keys
     * never expire by default).
     * @see https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys
     */
    readonly rotateEveryDays: number;
    /**
     * How long the replaced key keeps working after a new one is stored, in whole days, so that a consumer that reads the secret on
     * its own schedule can switch: shorter than `rotateEveryDays`. The replaced key is then disabled (within a day: the function checks
     * daily), and deleted after as long again (at least a day), so that a person who sees a consumer fail can still enable it.
     * @default `rotateEveryDays - 1`: the previous key works until shortly before the next rotation
     * @see https://cloud.google.com/iam/docs/keys-disable-enable
     */
    readonly graceDays?: number;
    /**
     * The region of the rotation function and its trigger, such as `europe-west1`.
     * @see https://cloud.google.com/functions/docs/locations
     */
    readonly region: string;
    /**
     * Who may read the key: IAM members (`serviceAccount:ci@my-project.iam.gserviceaccount.com`, `group:vendor-ops@example.com`,
     * `principalSet://…`; an Output is checked when it resolves) or `gcp.ServiceIdentity` objects. They get
     * `roles/secretmanager.secretAccessor` on the key's secret only, through one `SecretIamBinding`, authoritative for that role on
     * this secret, as `gcp.RotatingSecret` does: grant reading here, not in another identity's `grants` (the two would undo each
     * other). `allUsers` and `allAuthenticatedUsers` are refused.
     * @default none: only the rotation function touches the secret
     * @see https://cloud.google.com/secret-manager/docs/access-control
     */
    readonly readers?: readonly GcpSecretReader[];
}

/** The key's plan. */
export interface GcpKeyPlan {
    readonly rotateEveryDays: number;
    readonly graceDays: number;
    readonly region: string;
    /** The secret's ID: the account's ID followed by `-key`, unique in the project as the account's ID is. */
    readonly secretId: string;
    readonly readers: readonly GcpSecretReader[];
    /** The rotator's service account ID; its function has the same name. */
    readonly rotatorAccountId: string;
    readonly rotator: RotationFunctionPlan;
    /** The identity's `expiresAt`, which the rotator's own bindings carry too: an expired identity's key stops rotating. */
    readonly expiresAt?: string;
}

/** What the plan of a key needs of its identity, each already checked (undefined when it was not valid). */
export interface GcpKeyOwner {
    readonly project?: string;
    readonly accountId?: string;
    readonly owner?: string;
    /** The identity's `expiresAt`, normalised. */
    readonly expiresAt?: string;
}

/**
 * Validates `key` of an identity, recording every problem under `key.…`; the rotator's two identities are planned too (so that
 * their problems, such as an `owner` too long for their ownership record, surface before anything is registered). Returns the plan,
 * or undefined on a problem or when the identity's own values are not valid.
 */
export function planGcpKey(
    key: unknown,
    identity: GcpKeyOwner,
    problems: Problems,
    later: DeferredCheck[],
): GcpKeyPlan | undefined {
    if (key === null || typeof key !== "object" || Array.isArray(key)) {
        problems.add(
            "key",
            `\`key\` must be an object such as \`{ rotateEveryDays: 90, region: "europe-west1" }\`; got ${describe(key)}.`,
        );
        return undefined;
    }
    const k = key as Partial<Record<keyof GcpServiceAccountKeyArgs, unknown>>;
    const rotateEveryDays = planWholeNumber(
        "key.rotateEveryDays",
        k.rotateEveryDays,
        {
            min: MIN_ROTATE_EVERY_DAYS,
            max: MAX_ROTATE_EVERY_DAYS,
            unit: "days",
            note: "how often a new key replaces the current one",
        },
        problems,
    );
    const graceDays =
        rotateEveryDays === undefined
            ? undefined
            : planWholeNumber(
                  "key.graceDays",
                  k.graceDays ?? rotateEveryDays - 1,
                  {
                      min: 0,
                      max: rotateEveryDays - 1,
                      unit: "days",
                      note: "how long a replaced key keeps working, shorter than `key.rotateEveryDays`",
                  },
                  problems,
              );
    const region = isRegion(k.region) ? k.region : undefined;
    if (region === undefined) {
        problems.add(
            "key.region",
            `\`key.region\` must be a Google Cloud region such as \`europe-west1\` or \`us-central1\`, where the rotation function runs; got ${describe(k.region)}.`,
        );
    }
    const readers = planReaders(k.readers, problems, later, "key.readers");
    // Every reader given is kept when it is valid.
    const readersOk = k.readers === undefined || (Array.isArray(k.readers) && readers.length === k.readers.length);
    const { project, accountId, owner, expiresAt } = identity;
    if (
        rotateEveryDays === undefined ||
        graceDays === undefined ||
        region === undefined ||
        !readersOk ||
        project === undefined ||
        accountId === undefined ||
        owner === undefined
    ) {
        return undefined;
    }
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    const secretId = `${accountId}-key`;
    const rotatorAccountId = rotationAccountId(accountId, "keyrot");
    let rotator: RotationFunctionPlan;
    try {
        rotator = planRotationFunction({
            project,
            owner,
            purpose: rotatorPurpose(accountId),
            accountId: rotatorAccountId,
            grants: rotatorGrants(secretId, email),
            expiresAt,
        });
    } catch (err) {
        if (!pulumi.InputPropertiesError.isInstance(err)) throw err;
        for (const e of err.errors ?? []) {
            problems.add(
                "key",
                `\`key\` needs a rotator whose own service account records \`owner\` too, and it cannot: ${e.propertyPath}: ${e.reason}`,
            );
        }
        return undefined;
    }
    return {
        rotateEveryDays,
        graceDays,
        region,
        secretId,
        readers,
        rotatorAccountId,
        rotator,
        ...(expiresAt === undefined ? {} : { expiresAt }),
    };
}

function rotatorPurpose(accountId: string): string {
    return `Rotates the key of ${accountId}`;
}

/**
 * The rotator's grants: exactly the calls the function makes ({@link PERMISSIONS}), on the key's secret and on the one service
 * account, through custom roles bound there. Creating keys is a privilege-escalation method (Rhino's CreateServiceAccountKey): here
 * it is the point, on one account, and acknowledged.
 */
export function rotatorGrants(secret: pulumi.Input<string>, account: pulumi.Input<string>): GcpGrant[] {
    return [
        { permissions: [...PERMISSIONS.secret], resource: { secret } },
        {
            permissions: [...PERMISSIONS.serviceAccount],
            resource: { serviceAccount: account },
            acknowledge: KEY_ROTATOR_ACKNOWLEDGEMENT,
        },
    ];
}

/** What {@link registerGcpKey} registered. */
export interface GcpKey {
    /** The `gcp.secretmanager.Secret` (typed without `@pulumi/gcp`, so that no declaration file of the package needs it). */
    readonly secret: pulumi.CustomResource & {
        readonly name: pulumi.Output<string>;
        readonly secretId: pulumi.Output<string>;
    };
    /** The `gcp.pubsub.Topic`. */
    readonly topic: pulumi.CustomResource & { readonly id: pulumi.Output<string> };
    readonly rotator: RotationFunction;
}

/**
 * Registers the key's children under `parent` (the identity): see the file's comment. `account` is the identity's account, whose
 * email and the secret's name reach the rotator's grants as Outputs, so that its bindings wait for both to exist. `notify`, the
 * identity's `unusedAlarm.notify`, is the channel the usage monitor tells when the key's rotation stalls (the secret's `nhi-notify`).
 */
export function registerGcpKey(
    parent: pulumi.Resource,
    name: string,
    plan: GcpKeyPlan,
    project: string,
    owner: string,
    accountId: string,
    account: pulumi.Resource & { readonly email: pulumi.Output<string> },
    guard: Guard,
    notify?: pulumi.Input<string>,
): GcpKey {
    const opts = { parent };
    const topic = new gcp.pubsub.Topic(`${name}-key-rotation`, { project }, opts);
    // The secret waits for the function and its trigger (its first notification must find them), and the function's identity is
    // granted on the secret once it exists: the secret is declared first, with a promise of what it waits for.
    let ready!: (rotator: RotationFunction) => void;
    const rotatorReady = new Promise<RotationFunction>((resolve) => (ready = resolve));
    const secret = new gcp.secretmanager.Secret(
        `${name}-key`,
        {
            project,
            secretId: plan.secretId,
            labels: {
                [ACCOUNT_LABEL]: accountId,
                [PROJECT_LABEL]: project,
                [PERIOD_LABEL]: String(plan.rotateEveryDays),
                [GRACE_LABEL]: String(plan.graceDays),
                ...notifyLabel(notify, guard),
            },
            replication: { auto: {} },
            topics: [{ name: topic.id }],
            rotation: {
                rotationPeriod: CHECK_INTERVAL,
                // Set once, when the function exists; ignored after, since Google advances it at every check.
                nextRotationTime: pulumi
                    .output(rotatorReady.then((r) => readinessOf(r.ready)))
                    .apply(() => new Date(Date.now() + FIRST_CHECK_DELAY_MS).toISOString()),
            },
        },
        {
            parent,
            dependsOn: rotatorReady.then((r) => [...r.ready]) as pulumi.Input<pulumi.Input<pulumi.Resource>[]>,
            ignoreChanges: ["rotation.nextRotationTime"],
        },
    );
    const rotator = rotationFunction(
        `${name}-key-rotator`,
        {
            project,
            region: plan.region,
            owner,
            purpose: rotatorPurpose(accountId),
            accountId: plan.rotatorAccountId,
            entry: KEY_ENTRY,
            topic: topic.id,
            grants: rotatorGrants(secret.name, account.email),
            expiresAt: plan.expiresAt,
        },
        parent,
    );
    ready(rotator);
    if (plan.readers.length > 0) {
        new gcp.secretmanager.SecretIamBinding(
            `${name}-key-readers`,
            {
                project,
                secretId: secret.secretId,
                role: SECRET_ACCESSOR,
                members: plan.readers.map((r) => (r instanceof GcpServiceIdentity ? r.member : guard(r))),
            },
            opts,
        );
    }
    return { secret, topic, rotator };
}
