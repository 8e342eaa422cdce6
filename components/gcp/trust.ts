import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, checkNowOrLater } from "../core/deferred";
import { Problems, allOf, describe, oneOf } from "../core/errors";
import { githubSubjects } from "../core/github";
import { checkKubernetesServiceAccount } from "../core/kubernetes";
import { projectIdProblem } from "./grants";
import { isDeferred } from "./scopes";

/** The role that lets a federated or GKE workload act as the service account. */
export const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";

/** GitHub Actions workflows of one repository, through Workload Identity Federation. */
export interface GcpGithubActionsTrust {
    /** `owner/repo`, exactly; no wildcards. */
    readonly repository: string;
    /** A GitHub environment: admits the `sub` claim `repo:owner/repo:environment:<environment>`. */
    readonly environment?: string;
    /** A full Git ref such as `refs/heads/main`: admits `repo:owner/repo:ref:<ref>`. */
    readonly ref?: string;
    /**
     * An existing Workload Identity pool, by full name
     * (`projects/<number>/locations/global/workloadIdentityPools/<id>`). The component adds its own
     * GitHub provider to it, and binds each admitted subject (`principal://…/subject/<sub>`) rather
     * than the repository: other providers of a shared pool may admit other jobs of the same
     * repository. When not given, the component creates a pool for this identity and binds the
     * repository's principal set in it.
     * @see https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines
     */
    readonly workloadIdentityPool?: pulumi.Input<string>;
}

/** One Kubernetes service account of a GKE cluster with Workload Identity. */
export interface GcpGkeWorkloadTrust {
    /** The Kubernetes namespace, exactly; no wildcards. */
    readonly namespace: string;
    /** The Kubernetes service account's name, exactly; no wildcards. */
    readonly serviceAccount: string;
    /**
     * The project whose workload pool (`<project>.svc.id.goog`) the cluster uses.
     * @default the identity's `project`
     */
    readonly workloadPoolProject?: string;
}

/** Every kind of trust, each with its documentation. A {@link GcpTrust} gives exactly one. */
export interface GcpTrustKinds {
    /** GitHub Actions workflows of one repository, through Workload Identity Federation. */
    readonly githubActions: GcpGithubActionsTrust;
    /** One Kubernetes service account of a GKE cluster with Workload Identity. */
    readonly gkeWorkload: GcpGkeWorkloadTrust;
}

export type GcpTrustKind = keyof GcpTrustKinds;

/**
 * Who may act as the service account, besides the Google services it is attached to: exactly one
 * kind. Leave `trust` out for an account attached to Cloud Run, Cloud Functions, Compute Engine or
 * GKE nodes. (At run time `{}` also means none, for JavaScript callers.)
 * @see https://cloud.google.com/iam/docs/workload-identity-federation
 */
export type GcpTrust = {
    [K in GcpTrustKind]: Pick<GcpTrustKinds, K> & { readonly [Other in Exclude<GcpTrustKind, K>]?: never };
}[GcpTrustKind];

export const GCP_TRUST_KINDS: readonly GcpTrustKind[] = ["githubActions", "gkeWorkload"];

/** An example of each kind of trust, for messages. */
const TRUST_EXAMPLES: Record<GcpTrustKind, string> = {
    githubActions: '`{ repository: "acme/reports", environment: "production" }`',
    gkeWorkload: '`{ namespace: "reports", serviceAccount: "renderer" }`',
};

/** A trust with its plain parts validated. */
export type GcpTrustPlan =
    | { kind: "none" }
    | { kind: "githubActions"; repository: string; subjects: string[]; pool?: pulumi.Input<string> }
    | { kind: "gkeWorkload"; member: string };

/** A Workload Identity pool's full name: `projects/<number>/locations/global/workloadIdentityPools/<id>`. */
export const POOL_NAME = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})$/;

/** Validates `trust` for an identity in `project`. Returns undefined on problems. */
export function planGcpTrust(
    trust: GcpTrust | undefined,
    project: string,
    problems: Problems,
    later: DeferredCheck[],
): GcpTrustPlan | undefined {
    if (trust === undefined) {
        return { kind: "none" };
    }
    if (trust === null || typeof trust !== "object") {
        problems.add(
            "trust",
            `\`trust\` must be an object giving one of ${oneOf(GCP_TRUST_KINDS)}, such as \`{ githubActions: ${TRUST_EXAMPLES.githubActions.slice(1, -1)} }\`, or be left out; got ${describe(trust)}.`,
        );
        return undefined;
    }
    const given =
        trust !== null && typeof trust === "object" ? GCP_TRUST_KINDS.filter((k) => trust[k] !== undefined) : [];
    if (given.length > 1) {
        problems.add(
            "trust",
            `\`trust\` gives ${allOf(given)}; give at most one of ${oneOf(GCP_TRUST_KINDS)} per identity (declare one identity per workload).`,
        );
        return undefined;
    }
    if (given.length === 0) {
        return { kind: "none" };
    }
    const kind = given[0];
    const value: unknown = trust[kind];
    if (value === null || typeof value !== "object") {
        problems.add(
            `trust.${kind}`,
            `\`trust.${kind}\` must be an object such as ${TRUST_EXAMPLES[kind]}; got ${describe(value)}.`,
        );
        return undefined;
    }
    const found = new Problems();
    let plan: GcpTrustPlan;
    if (kind === "githubActions") {
        const t = trust.githubActions!;
        const path = "trust.githubActions";
        const subjects = githubSubjects(t, path, found);
        const pool: unknown = t.workloadIdentityPool;
        if (pool !== undefined) {
            const at = `${path}.workloadIdentityPool`;
            const problem = (v: unknown) =>
                typeof v === "string" && POOL_NAME.test(v)
                    ? undefined
                    : `\`${at}\` must be the full name of a Workload Identity pool, \`projects/<project number>/locations/global/workloadIdentityPools/<pool id>\`; got ${describe(v)}.`;
            if (typeof pool !== "string" && !isDeferred(pool)) {
                found.add(at, problem(pool)!);
            } else {
                checkNowOrLater({ path: at, value: t.workloadIdentityPool!, problem }, found, later);
            }
        }
        plan = { kind: "githubActions", repository: t.repository, subjects, pool: t.workloadIdentityPool };
    } else {
        const t = trust.gkeWorkload!;
        const path = "trust.gkeWorkload";
        checkKubernetesServiceAccount(t, path, found);
        const poolProject = t.workloadPoolProject ?? project;
        if (t.workloadPoolProject !== undefined) {
            const problem = projectIdProblem(`${path}.workloadPoolProject`, t.workloadPoolProject);
            if (problem !== undefined) {
                found.add(`${path}.workloadPoolProject`, problem);
            }
        }
        plan = {
            kind: "gkeWorkload",
            member: `serviceAccount:${poolProject}.svc.id.goog[${t.namespace}/${t.serviceAccount}]`,
        };
    }
    problems.addAll(found);
    return found.isEmpty ? plan : undefined;
}

/**
 * The CEL `attributeCondition` of the GitHub provider: the repository, and the exact `sub` claims
 * of the environment and ref. Tokens that do not satisfy it are refused by Google at the provider.
 * @see https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines#conditions
 */
export function githubAttributeCondition(repository: string, subjects: readonly string[]): string {
    const list = subjects.map((s) => JSON.stringify(s)).join(", ");
    return `assertion.repository == ${JSON.stringify(repository)} && assertion.sub in [${list}]`;
}

/** The attributes the GitHub provider maps from the token. */
export const GITHUB_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
    "google.subject": "assertion.sub",
    "attribute.repository": "assertion.repository",
};

/**
 * Every principal of one repository in a pool: never the whole pool. Exact only in a pool whose
 * providers all admit the same tokens, such as the pool an identity creates for itself.
 */
export function githubPrincipalSet(poolName: string, repository: string): string {
    return `principalSet://iam.googleapis.com/${poolName}/attribute.repository/${repository}`;
}

/** The one principal of a pool whose `google.subject` (the token's `sub`) is `subject`. */
export function githubSubjectPrincipal(poolName: string, subject: string): string {
    return `principal://iam.googleapis.com/${poolName}/subject/${subject}`;
}
