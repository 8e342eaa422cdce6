import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { Problems, describe } from "../core/errors";
import { requireText } from "../core/ownership";
import { projectIdProblem } from "./grants";
import {
    isRegion,
    planRotationFunction,
    readinessOf,
    rotationAccountId,
    rotationFunction,
    rotationOwnershipProblems,
} from "./rotation-function";
import { customRoleId, deriveAccountId } from "./service-identity";

export const GCP_SECRET_ROTATOR_TYPE = "nhi:gcp:SecretRotator";

/**
 * Exactly the calls of the secret rotation function (components/runtime/gcp/secret-store.ts): read
 * the secret's labels and rotation, list its versions, add one, disable old ones. Never
 * `versions.access` (it never reads a value) nor `versions.destroy`.
 * @see https://cloud.google.com/secret-manager/docs/access-control
 */
export const SECRET_ROTATION_PERMISSIONS = [
    "secretmanager.secrets.get",
    "secretmanager.versions.add",
    "secretmanager.versions.disable",
    "secretmanager.versions.list",
] as const;

/**
 * The runtime entry of the secret rotation function: components/runtime/gcp/index.ts registers
 * `rotateSecret` with the Functions Framework (its `ENTRY_POINT`, not imported here: loading that
 * file registers the function).
 */
export const SECRET_ROTATION_ENTRY = { file: "gcp/index", entryPoint: "rotateSecret" } as const;

/** A secret ID prefix: what the rotator's condition admits. Letters, digits, `-`, `_`; at most 100, so that secret IDs keep room. */
export const SECRET_ID_PREFIX = /^[A-Za-z0-9_-]{1,100}$/;

/** The arguments of {@link GcpSecretRotator}. */
export interface GcpSecretRotatorArgs {
    /** The project whose secrets it rotates, and that holds it: a project ID. */
    readonly project: string;
    /**
     * The region of the function, such as `europe-west1`.
     * @see https://cloud.google.com/functions/docs/locations
     */
    readonly region: string;
    /** The team or person who answers for the rotator; recorded on its service accounts (256 bytes with `purpose`, Google's limit). */
    readonly owner: string;
    /**
     * Why it exists; recorded on its service account.
     * @default "Rotates secrets whose ID starts with <secretIdPrefix>"
     */
    readonly purpose?: string;
    /**
     * The start of the IDs of the secrets it may rotate: its IAM Condition admits
     * `resource.name.startsWith("projects/<project number>/secrets/<prefix>")` and nothing else. A
     * `gcp.RotatingSecret` that uses the rotator gets an ID with this prefix. Any other secret whose
     * ID starts with it is within the rotator's reach too: pick a prefix no one else uses.
     * @default `name`, lower-cased, followed by `-`
     * @see https://cloud.google.com/iam/docs/conditions-resource-attributes#resource-name
     */
    readonly secretIdPrefix?: string;
}

/** The IAM Condition of the rotator's binding: secrets (and their versions) whose ID starts with `prefix` in the project numbered `projectNumber`. */
export function rotatorCondition(
    projectNumber: string,
    prefix: string,
): { title: string; description: string; expression: string } {
    return {
        title: `secrets ${prefix}*`.slice(0, 100),
        description: `Only the secrets whose ID starts with ${prefix}, and their versions (pulumi-nhi shared rotator).`,
        expression: `resource.name.startsWith("projects/${projectNumber}/secrets/${prefix}")`,
    };
}

/**
 * One rotation function per project that many `gcp.RotatingSecret`s share: thousands of secrets,
 * one function. Its identity holds a custom role of {@link SECRET_ROTATION_PERMISSIONS} at project
 * scope under an IAM Condition on `resource.name` that admits only the secrets whose ID starts with
 * `secretIdPrefix`.
 *
 * Children: a `pubsub.Topic` (`${name}-topic`) that every secret notifies; the rotation function's
 * resources (`${name}-rotation…`, with no grants of its own); a `projects.IAMCustomRole`
 * (`${name}-role`) and the conditional `projects.IAMMember` (`${name}-secrets`).
 */
export class GcpSecretRotator extends pulumi.ComponentResource {
    /** The project whose secrets it rotates, and that holds it. */
    public readonly project: string;
    /** The region of its function. */
    public readonly region: string;
    /** The prefix of the IDs of the secrets it may rotate: a secret that uses it gets an ID starting with it. */
    public readonly secretIdPrefix: string;
    /** The topic the secrets notify: `projects/<project>/topics/<topic>`. */
    public readonly topic: pulumi.Output<string>;
    /** The function's name. */
    public readonly functionName: pulumi.Output<string>;
    /** The function's identity, as an IAM member. */
    public readonly member: pulumi.Output<string>;
    /** What a secret that uses the rotator waits for: the topic's publisher binding and the function. */
    public readonly ready: readonly pulumi.Resource[];
    /** Resolves once `ready` exists: one Output that every secret's first rotation time waits for. */
    public readonly readiness: pulumi.Output<unknown[]>;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link GcpSecretRotatorArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the Google Cloud credentials and defaults of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: GcpSecretRotatorArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planGcpSecretRotator(name, args);
        super(GCP_SECRET_ROTATOR_TYPE, name, {}, withLegacyType(GCP_SECRET_ROTATOR_TYPE, name, opts));
        const childOpts = { parent: this };
        this.project = plan.project;
        this.region = plan.region;
        this.secretIdPrefix = plan.secretIdPrefix;

        const topic = new gcp.pubsub.Topic(
            `${name}-topic`,
            { project: plan.project, labels: { "managed-by": "pulumi-nhi" } },
            childOpts,
        );
        const fn = rotationFunction(
            `${name}-rotation`,
            {
                project: plan.project,
                region: plan.region,
                owner: plan.owner,
                purpose: plan.purpose,
                accountId: plan.accountId,
                entry: SECRET_ROTATION_ENTRY,
                topic: topic.id,
                grants: [],
            },
            this,
        );
        const role = new gcp.projects.IAMCustomRole(
            `${name}-role`,
            {
                project: plan.project,
                roleId: customRoleId(plan.accountId, `rotator|${plan.secretIdPrefix}`),
                title: `${plan.accountId}: rotates secrets`.slice(0, 100),
                description:
                    `Exactly the calls of the pulumi-nhi secret rotation function, for secrets ${plan.secretIdPrefix}* (owner ${plan.owner})`.slice(
                        0,
                        256,
                    ),
                permissions: [...SECRET_ROTATION_PERMISSIONS],
                stage: "GA",
            },
            childOpts,
        );
        // IAM Conditions name a secret by project number: `projects/<number>/secrets/<id>`.
        const project = gcp.organizations.getProjectOutput({ projectId: plan.project }, { parent: this });
        new gcp.projects.IAMMember(
            `${name}-secrets`,
            {
                project: plan.project,
                role: role.name,
                member: fn.runtime.member,
                condition: project.number.apply((n) => rotatorCondition(n, plan.secretIdPrefix)),
            },
            childOpts,
        );
        this.topic = topic.id;
        this.functionName = fn.function.name;
        this.member = fn.runtime.member;
        this.ready = fn.ready;
        this.readiness = readinessOf(fn.ready);
        this.registerOutputs({});
    }
}

/** What {@link planGcpSecretRotator} returns. */
export interface GcpSecretRotatorPlan {
    readonly project: string;
    readonly region: string;
    readonly owner: string;
    readonly purpose: string;
    readonly secretIdPrefix: string;
    readonly accountId: string;
}

/** Validates `args`, throwing one {@link pulumi.InputPropertiesError} with every problem. Registers nothing. */
export function planGcpSecretRotator(name: string, args: GcpSecretRotatorArgs): GcpSecretRotatorPlan {
    const problems = new Problems();
    const a: Partial<GcpSecretRotatorArgs> = args ?? {};
    const projectProblem = projectIdProblem("project", a.project);
    if (projectProblem !== undefined) {
        problems.add("project", projectProblem);
    }
    if (!isRegion(a.region)) {
        problems.add(
            "region",
            `\`region\` must be the Google Cloud region of the rotation function, such as \`europe-west1\`; got ${describe(a.region)}.`,
        );
    }
    const { owner } = requireText(a, ["owner"], problems, { owner: "the team or person who answers for the rotator" });
    const prefix = a.secretIdPrefix ?? `${deriveAccountId(name)}-`;
    if (typeof prefix !== "string" || !SECRET_ID_PREFIX.test(prefix)) {
        problems.add(
            "secretIdPrefix",
            `\`secretIdPrefix\` must be 1–100 letters, digits, \`-\` and \`_\` (the start of a secret ID); got ${describe(prefix)}.`,
        );
    }
    if (a.purpose !== undefined && (typeof a.purpose !== "string" || a.purpose.trim() === "")) {
        problems.add(
            "purpose",
            `\`purpose\` must be a non-empty string (why the rotator exists); got ${describe(a.purpose)}.`,
        );
    }
    const purpose =
        typeof a.purpose === "string" && a.purpose.trim() !== ""
            ? a.purpose.trim()
            : `Rotates secrets whose ID starts with ${prefix}`;
    const accountId = rotationAccountId(name, "rot");
    if (owner !== undefined) {
        for (const p of rotationOwnershipProblems(owner, purpose, accountId, a.purpose !== undefined))
            problems.add(p.propertyPath, p.reason);
    }
    problems.throwIfAny(`GcpSecretRotator "${name}"`);
    planRotationFunction({ project: a.project!, owner, purpose, accountId, grants: [] });
    return { project: a.project!, region: a.region!, owner, purpose, secretIdPrefix: prefix, accountId };
}
