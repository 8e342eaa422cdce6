/**
 * Deprovisioning at expiry on Google Cloud: at an identity's `expiresAt`, a Cloud Scheduler job
 * disables its service account through the IAM API, authenticated as a deprovisioner account that
 * may do exactly that (`iam.serviceAccounts.disable`), on that one account, from `expiresAt` on.
 * No code of ours runs: Cloud Scheduler calls the IAM API itself. The IAM Conditions of the
 * identity's bindings stay the first line; this is the second.
 *
 * Decisions, with their sources:
 * - Cloud Scheduler has no one-time schedule ("Cloud Scheduler is intended for repeated jobs. If you
 *   need to run a job only once, consider using Cloud Tasks", https://cloud.google.com/scheduler/docs/creating),
 *   and Cloud Tasks schedules at most 30 days ahead. So the job's cron names the minute, day and
 *   month of `expiresAt` in `Etc/UTC` (`M H D Mon *`): it fires once a year on that date (on
 *   29 February, in leap years only). Disabling is idempotent (the API's own words: the target must
 *   be idempotent, at-least-once delivery, https://cloud.google.com/scheduler/docs/overview). A
 *   job cannot pause or delete itself; it does not need to: the deprovisioner's binding holds only
 *   for {@link DEPROVISIONER_GRACE_DAYS} days after `expiresAt`, so a run a year later is refused
 *   (logged as a failed attempt, nothing changes), and the next `pulumi up` must renew the identity
 *   (the job moves) or remove it (the job goes), because an `expiresAt` in the past is refused.
 * - Cron has minute granularity; `expiresAt` has seconds. The job fires at the first whole minute at
 *   or after `expiresAt` ({@link deprovisionSchedule}): never before the instant from which the
 *   identity's bindings stop holding, at most 59 seconds after it. Should a run start a moment early,
 *   IAM refuses it (the binding holds from `expiresAt`) and Cloud Scheduler retries a minute later.
 * - The deprovisioner is a `GcpServiceIdentity` of this package (the same checks apply to us), with
 *   no grants and no `expiresAt`, so it gets no deprovisioning job of its own (no recursion). Its
 *   power comes only from one binding per identity, on that identity's account (a service-account
 *   IAM policy, not the project's), of a custom role holding exactly `iam.serviceAccounts.disable`
 *   (no predefined role holds it alone: the narrowest is `roles/iam.serviceAccountAdmin`).
 * - One {@link GcpDeprovisioner} per project, shared through `deprovisioner` (as `gcp.SecretRotator`
 *   is shared), is the way at scale: Google's default quotas are 100 service accounts and 300
 *   custom roles per project (https://cloud.google.com/iam/quotas). Without one, an identity
 *   with `expiresAt` builds its own (a service account and a custom role more). A deleted custom
 *   role's ID stays reserved: it can be undeleted for 7 days (the provider undeletes it when it is
 *   declared again), then cannot be reused until 37 days after deletion
 *   (https://cloud.google.com/iam/docs/creating-custom-roles#deleting-custom-role and the
 *   `gcp.projects.IAMCustomRole` docs): re-creating a removed identity of the same account ID
 *   between those days fails; a shared deprovisioner is created once and avoids it.
 * - Cloud Scheduler mints the deprovisioner's OAuth token as its service agent, whose role
 *   `roles/cloudscheduler.serviceAgent` holds `iam.serviceAccounts.getAccessToken` (Google's role
 *   catalogue) on the job's project: the deprovisioner lives in that project (a job's account must
 *   belong to the job's project, and a project's custom role is bound only in that project; so the
 *   deprovisioner, its jobs and the identities it disables share one project), so nothing more is
 *   bound. Whoever deploys the job needs `iam.serviceAccounts.actAs` on the deprovisioner
 *   (`roles/iam.serviceAccountUser` on it) (https://cloud.google.com/scheduler/docs/http-target-auth).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { withLegacyType } from "../core/tokens";
import { Problems, describe } from "../core/errors";
import { requireText } from "../core/ownership";
import { projectIdProblem } from "./grants";
import { isRegion, rotationAccountId } from "./rotation-function";
import {
    ACCOUNT_ID,
    GcpServiceIdentity,
    GcpServiceIdentityPlan,
    customRoleId,
    planGcpServiceIdentity,
} from "./service-identity";

export const GCP_DEPROVISIONER_TYPE = "nhi:gcp:Deprovisioner";

/**
 * The one permission of the deprovisioner's custom role: `projects.serviceAccounts.disable`.
 * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable
 */
export const DISABLE_PERMISSION = "iam.serviceAccounts.disable";

/** The OAuth scope of the job's token: one of the two the disable method accepts. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** The job's time zone: `expiresAt` is a UTC instant. @see https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules */
export const SCHEDULE_TIME_ZONE = "Etc/UTC";

/**
 * Days after `expiresAt` during which the deprovisioner may still disable the account: Cloud
 * Scheduler's retries (at most 5, {@link DEPROVISION_RETRY}) end within hours; a week leaves
 * room for an outage. Then its binding stops holding, like the identity's own.
 */
export const DEPROVISIONER_GRACE_DAYS = 7;

/**
 * Retries of a failed call: 5, Cloud Scheduler's maximum, after 1, 2, 4, 8 and 16 minutes.
 * @see https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#retryconfig
 */
export const DEPROVISION_RETRY = {
    retryCount: 5,
    minBackoffDuration: "60s",
    maxBackoffDuration: "3600s",
    maxDoublings: 5,
} as const;

/** How long one call may take before it counts as failed (Cloud Scheduler allows 15 s–30 min for HTTP targets). */
export const DEPROVISION_ATTEMPT_DEADLINE = "60s";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * When the job fires for an identity expiring at `expiresAt` (a UTC instant `YYYY-MM-DDTHH:MM:SSZ`,
 * as `parseExpiry` returns it): `at`, the first whole minute at or after it, and `cron`, that
 * minute, hour, day and month in UTC (`M H D Mon *`, no year: it repeats yearly).
 */
export function deprovisionSchedule(expiresAt: string): { at: string; cron: string } {
    const at = new Date(Math.ceil(Date.parse(expiresAt) / MINUTE_MS) * MINUTE_MS);
    return {
        at: `${at.toISOString().slice(0, 19)}Z`,
        cron: `${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`,
    };
}

/**
 * The IAM Condition of the deprovisioner's binding on an account expiring at `expiresAt`: it holds
 * from `expiresAt` (the deprovisioner cannot disable the account early) until
 * {@link DEPROVISIONER_GRACE_DAYS} days later.
 */
export function deprovisionerCondition(expiresAt: string): { title: string; description: string; expression: string } {
    const until = `${new Date(Date.parse(expiresAt) + DEPROVISIONER_GRACE_DAYS * DAY_MS).toISOString().slice(0, 19)}Z`;
    return {
        title: `deprovision at ${expiresAt}`,
        description: `pulumi-nhi: may disable this account from its expiry, ${expiresAt}, until ${until}.`,
        expression: `request.time >= timestamp("${expiresAt}") && request.time < timestamp("${until}")`,
    };
}

/**
 * The IAM API call that disables the account with unique ID `uniqueId` in `project`. The unique ID,
 * not the email: it names this very account, never a later one re-created with the same email.
 * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable
 */
export function disableUri(project: string, uniqueId: string): string {
    return `https://iam.googleapis.com/v1/projects/${project}/serviceAccounts/${uniqueId}:disable`;
}

/** The arguments of {@link GcpDeprovisioner}. */
export interface GcpDeprovisionerArgs {
    /**
     * The project that holds the deprovisioner and the identities it disables: a project ID. Its
     * custom role can be bound only on accounts of this project.
     * @see https://cloud.google.com/iam/docs/understanding-custom-roles
     */
    readonly project: string;
    /**
     * The Cloud Scheduler region of the identities' jobs, such as `europe-west1`.
     * @default the Google provider's region
     * @see https://cloud.google.com/scheduler/docs/locations
     */
    readonly region?: string;
    /** The team or person who answers for the deprovisioner; recorded on its service account (256 bytes with `purpose`, Google's limit). */
    readonly owner: string;
    /**
     * Why it exists; recorded on its service account.
     * @default "Disables service accounts of <project> at their expiresAt"
     */
    readonly purpose?: string;
    /**
     * The deprovisioner's service account ID: 6–30 characters, a lower-case letter first, then
     * lower-case letters, digits and hyphens.
     * @default `name`, lower-cased, followed by `-dep` (cut and hashed to fit 30 characters)
     * @see https://cloud.google.com/iam/docs/service-accounts-create
     */
    readonly accountId?: string;
}

/** What {@link planGcpDeprovisioner} returns. */
export interface GcpDeprovisionerPlan {
    readonly project: string;
    readonly region?: string;
    readonly owner: string;
    readonly accountId: string;
    /** The plan of its identity: no grants, no expiry. */
    readonly identity: GcpServiceIdentityPlan;
}

/** Validates `args`, throwing one {@link pulumi.InputPropertiesError} with every problem. Registers nothing. */
export function planGcpDeprovisioner(name: string, args: GcpDeprovisionerArgs): GcpDeprovisionerPlan {
    const problems = new Problems();
    const a: Partial<GcpDeprovisionerArgs> = args ?? {};
    const projectProblem = projectIdProblem("project", a.project);
    if (projectProblem !== undefined) {
        problems.add("project", projectProblem);
    }
    if (a.region !== undefined && !isRegion(a.region)) {
        problems.add(
            "region",
            `\`region\` must be a Google Cloud region of Cloud Scheduler, such as \`europe-west1\`; got ${describe(a.region)}.`,
        );
    }
    const { owner } = requireText(a, ["owner"], problems, {
        owner: "the team or person who answers for the deprovisioner",
    });
    if (a.purpose !== undefined && (typeof a.purpose !== "string" || a.purpose.trim() === "")) {
        problems.add(
            "purpose",
            `\`purpose\` must be a non-empty string (why the deprovisioner exists); got ${describe(a.purpose)}.`,
        );
    }
    if (a.accountId !== undefined && (typeof a.accountId !== "string" || !ACCOUNT_ID.test(a.accountId))) {
        problems.add(
            "accountId",
            `\`accountId\` must be 6–30 characters: a lower-case letter, then lower-case letters, digits and hyphens, not ending with a hyphen; got ${describe(a.accountId)}.`,
        );
    }
    problems.throwIfAny(`GcpDeprovisioner "${name}"`);
    const accountId = a.accountId ?? rotationAccountId(name, "dep");
    const purpose =
        typeof a.purpose === "string"
            ? a.purpose.trim()
            : `Disables service accounts of ${a.project} at their expiresAt`;
    // Its identity's own checks (the ownership record's 256 bytes) apply, and name the argument.
    const identity = planGcpServiceIdentity(name, { project: a.project!, owner, purpose, accountId, grants: [] });
    return { project: a.project!, ...(a.region !== undefined ? { region: a.region } : {}), owner, accountId, identity };
}

/**
 * The account that disables this package's Google identities at their `expiresAt`, one per project,
 * shared by every `gcp.ServiceIdentity` that names it as `deprovisioner` (one service account and
 * one custom role, however many identities). It may do nothing by itself: each identity binds the
 * role on its own account, from its `expiresAt` for {@link DEPROVISIONER_GRACE_DAYS} days, and
 * declares the Cloud Scheduler job that calls the IAM API as it.
 *
 * Children: a `GcpServiceIdentity` (`${name}-identity`, no grants, no expiry) and a
 * `projects.IAMCustomRole` (`${name}-role`) holding exactly {@link DISABLE_PERMISSION}.
 */
export class GcpDeprovisioner extends pulumi.ComponentResource {
    /** The project of the deprovisioner, its role and the identities it may disable. */
    public readonly project: string;
    /** The region of the jobs; undefined: the Google provider's region. */
    public readonly region: string | undefined;
    /** The deprovisioner's email: the job's OAuth identity. */
    public readonly email: pulumi.Output<string>;
    /** The deprovisioner as an IAM member. */
    public readonly member: pulumi.Output<string>;
    /** The custom role's full name, `projects/<project>/roles/<id>`. */
    public readonly role: pulumi.Output<string>;

    /**
     * Validates `args` and declares the children; a refusal throws one `InputPropertiesError`
     * listing every problem, before anything is registered.
     * @param name The component's name, unique among the program's resources of its type; every
     * child's name starts with it (`${name}-…`), so renaming needs `aliases` (README, "Renaming an
     * identity safely").
     * @param args What to declare: {@link GcpDeprovisionerArgs}.
     * @param opts Pulumi's options for the component: `provider`, `providers` or a parent's give
     * the Google Cloud credentials and defaults of every child; `parent`, `aliases`, `protect` and the rest apply as to any component.
     */
    constructor(name: string, args: GcpDeprovisionerArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planGcpDeprovisioner(name, args);
        super(GCP_DEPROVISIONER_TYPE, name, {}, withLegacyType(GCP_DEPROVISIONER_TYPE, name, opts));
        this.project = plan.project;
        this.region = plan.region;
        const identity = new GcpServiceIdentity(
            `${name}-identity`,
            {
                project: plan.project,
                owner: plan.owner,
                purpose: plan.identity.purpose,
                accountId: plan.accountId,
                grants: [],
            },
            { parent: this },
        );
        const role = new gcp.projects.IAMCustomRole(
            `${name}-role`,
            {
                project: plan.project,
                roleId: customRoleId(plan.accountId, "deprovisioner"),
                title: `${plan.accountId}: disables expired accounts`.slice(0, 100),
                description:
                    `Exactly ${DISABLE_PERMISSION}, bound per account from its expiresAt (pulumi-nhi deprovisioner; owner ${plan.owner})`.slice(
                        0,
                        256,
                    ),
                permissions: [DISABLE_PERMISSION],
                stage: "GA",
            },
            { parent: this },
        );
        this.email = identity.email;
        this.member = identity.member;
        this.role = role.name;
        this.registerOutputs({});
    }
}

/** What {@link registerDeprovisioning} needs of the identity. */
export interface DeprovisionTarget {
    readonly project: string;
    readonly accountId: string;
    readonly expiresAt: string;
    /** The account's full name (`projects/<p>/serviceAccounts/<email>`). */
    readonly name: pulumi.Output<string>;
    readonly uniqueId: pulumi.Output<string>;
}

/**
 * Declares, under `parent` (the identity), the deprovisioner's binding on the account and the Cloud
 * Scheduler job that disables it at `expiresAt`: `${name}-deprovisioner-disable` and
 * `${name}-deprovision`. Both change in place when `expiresAt` moves.
 */
export function registerDeprovisioning(
    parent: pulumi.Resource,
    name: string,
    target: DeprovisionTarget,
    deprovisioner: GcpDeprovisioner,
): void {
    const opts = { parent };
    const binding = new gcp.serviceaccount.IAMMember(
        `${name}-deprovisioner-disable`,
        {
            serviceAccountId: target.name,
            role: deprovisioner.role,
            member: deprovisioner.member,
            condition: deprovisionerCondition(target.expiresAt),
        },
        opts,
    );
    const { at, cron } = deprovisionSchedule(target.expiresAt);
    new gcp.cloudscheduler.Job(
        `${name}-deprovision`,
        {
            project: deprovisioner.project,
            ...(deprovisioner.region !== undefined ? { region: deprovisioner.region } : {}),
            description: `pulumi-nhi: disables ${target.accountId} at its expiresAt, ${target.expiresAt} (fires ${at}, then yearly on that date, refused after ${DEPROVISIONER_GRACE_DAYS} days).`,
            schedule: cron,
            timeZone: SCHEDULE_TIME_ZONE,
            attemptDeadline: DEPROVISION_ATTEMPT_DEADLINE,
            retryConfig: { ...DEPROVISION_RETRY },
            httpTarget: {
                uri: target.uniqueId.apply((id) => disableUri(target.project, id)),
                httpMethod: "POST",
                oauthToken: { serviceAccountEmail: deprovisioner.email, scope: CLOUD_PLATFORM_SCOPE },
            },
        },
        { ...opts, dependsOn: [binding] },
    );
}
