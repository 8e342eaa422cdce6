import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, checkNowOrLater } from "../core/deferred";
import { Problems, allOf, describe, oneOf } from "../core/errors";
import { githubSubjects } from "../core/github";
import { checkKubernetesServiceAccount } from "../core/kubernetes";
import { Condition, PolicyDocument, POLICY_VERSION, RenderedStatement } from "./policy";

/** The OIDC issuer of GitHub Actions tokens, which is also the prefix of its condition keys. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience AWS's GitHub guidance (and `aws-actions/configure-aws-credentials`) uses. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/**
 * Service principals that do not send `aws:SourceAccount` / `aws:SourceArn` when they assume a
 * role, so a trust policy that requires them locks the service out. Source: AWS guidance on the
 * execution/instance roles of these services, and prowler-cloud/prowler#2810.
 */
export const SERVICES_WITHOUT_SOURCE_CONTEXT: readonly string[] = [
    "apigateway.amazonaws.com",
    "backup.amazonaws.com",
    "ec2.amazonaws.com",
    "glue.amazonaws.com",
    "lambda.amazonaws.com",
];

/** An AWS service that assumes the role, e.g. Lambda for a function's execution role. */
export interface AwsServiceTrust {
    /**
     * The service principal, `name.amazonaws.com`, such as `lambda.amazonaws.com`.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services
     */
    principal: string;
    /**
     * The account whose resources may make the service assume the role: `aws:SourceAccount`.
     * Refused for services that do not send it (EC2, Lambda, API Gateway, Backup, Glue).
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
     */
    sourceAccount?: pulumi.Input<string>;
    /** The resource that may make the service assume the role: `aws:SourceArn` (ArnLike). */
    sourceArn?: pulumi.Input<string>;
}

/** GitHub Actions workflows of one repository, through the account's GitHub OIDC provider. */
export interface AwsGithubActionsTrust {
    /** `owner/repo`, exactly; no wildcards. */
    repository: string;
    /** A GitHub environment: admits `repo:owner/repo:environment:<environment>`. */
    environment?: string;
    /** A full Git ref such as `refs/heads/main`: admits `repo:owner/repo:ref:<ref>`. */
    ref?: string;
    /** The ARN of the account's IAM OIDC provider for `token.actions.githubusercontent.com`. */
    oidcProviderArn: pulumi.Input<string>;
    /**
     * Further exact `sub` claims to admit, such as GitHub's immutable-ID form or a customised
     * subject. No wildcards. At least one of `environment`, `ref` or `subjects` is required.
     * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
     */
    subjects?: string[];
}

/** One Kubernetes service account of an EKS cluster (IAM Roles for Service Accounts). */
export interface AwsEksServiceAccountTrust {
    /** The ARN of the IAM OIDC provider of the cluster. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL, `https://oidc.eks.<region>.amazonaws.com/id/<id>`. */
    oidcIssuer: string;
    namespace: string;
    serviceAccount: string;
}

/** A principal of another AWS account, which must present an external ID. */
export interface AwsAccountTrust {
    /** `arn:aws:iam::<account>:root`, or a role or user ARN of the other account. */
    principalArn: pulumi.Input<string>;
    /**
     * The external ID the other party must pass (`sts:ExternalId`), 2–1,224 characters.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for_user_externalid.html
     */
    externalId: pulumi.Input<string>;
}

/** Who may assume the role. Give exactly one. */
export interface AwsTrust {
    service?: AwsServiceTrust;
    githubActions?: AwsGithubActionsTrust;
    eksServiceAccount?: AwsEksServiceAccountTrust;
    account?: AwsAccountTrust;
}

export type TrustKind = keyof AwsTrust;
export const TRUST_KINDS: readonly TrustKind[] = ["service", "githubActions", "eksServiceAccount", "account"];

/** A trust with its plain parts validated; Input values are still Inputs. */
export type TrustPlan =
    | { kind: "service"; principal: string; sourceAccount?: pulumi.Input<string>; sourceArn?: pulumi.Input<string> }
    | { kind: "githubActions"; oidcProviderArn: pulumi.Input<string>; subjects: string[] }
    | { kind: "eksServiceAccount"; oidcProviderArn: pulumi.Input<string>; issuerHost: string; subject: string }
    | { kind: "account"; principalArn: pulumi.Input<string>; externalId: pulumi.Input<string> };

/** The same trust with every value known: the input of {@link renderTrustPolicy}. */
export type ResolvedTrust =
    | { kind: "service"; principal: string; sourceAccount?: string; sourceArn?: string }
    | { kind: "githubActions"; oidcProviderArn: string; subjects: string[] }
    | { kind: "eksServiceAccount"; oidcProviderArn: string; issuerHost: string; subject: string }
    | { kind: "account"; principalArn: string; externalId: string };

const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/;
const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+))$/;
const OIDC_PROVIDER = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Validates `trust`: exactly one kind, each field plain-valid. Returns undefined on problems. */
export function planTrust(trust: AwsTrust | undefined, problems: Problems, later: DeferredCheck[]): TrustPlan | undefined {
    const given = trust !== null && typeof trust === "object" ? TRUST_KINDS.filter((k) => trust[k] !== undefined) : [];
    if (given.length !== 1) {
        problems.add("trust", given.length === 0
            ? `\`trust\` must give exactly one of ${oneOf(TRUST_KINDS)}: who may assume this role.`
            : `\`trust\` gives ${allOf(given)}; give exactly one kind of trust per identity (declare one identity per workload).`);
        return undefined;
    }
    const before = problems.list.length;
    const plan = planKind(given[0], trust!, problems, later);
    return problems.list.length === before ? plan : undefined;
}

function planKind(kind: TrustKind, trust: AwsTrust, problems: Problems, later: DeferredCheck[]): TrustPlan {
    switch (kind) {
        case "service": {
            const t = trust.service!;
            const path = "trust.service";
            if (typeof t.principal !== "string" || !SERVICE_PRINCIPAL.test(t.principal)) {
                problems.add(`${path}.principal`, `\`${path}.principal\` must be an AWS service principal of the form \`name.amazonaws.com\`, such as \`lambda.amazonaws.com\`; got ${describe(t.principal)}.`);
            } else if (SERVICES_WITHOUT_SOURCE_CONTEXT.includes(t.principal)) {
                for (const field of ["sourceAccount", "sourceArn"] as const) {
                    if (t[field] !== undefined) {
                        problems.add(`${path}.${field}`, `\`${path}.${field}\`: \`${t.principal}\` does not send \`aws:Source${field === "sourceAccount" ? "Account" : "Arn"}\` when it assumes a role, so the condition would lock the service out. Remove it.`);
                    }
                }
            }
            checkPlain(`${path}.sourceAccount`, t.sourceAccount, /^\d{12}$/, "a 12-digit AWS account ID", problems, later);
            checkPlain(`${path}.sourceArn`, t.sourceArn, /^arn:aws[a-z-]*:[a-z0-9-]+:/, "the ARN of the resource that makes the service assume the role", problems, later);
            return { kind, principal: t.principal, sourceAccount: t.sourceAccount, sourceArn: t.sourceArn };
        }
        case "githubActions": {
            const t = trust.githubActions!;
            const path = "trust.githubActions";
            const explicit = Array.isArray(t.subjects) && t.subjects.length > 0;
            const subjects = githubSubjects(t, path, problems, ["subjects"], explicit);
            if (t.subjects !== undefined) {
                if (!Array.isArray(t.subjects)) {
                    problems.add(`${path}.subjects`, `\`${path}.subjects\` must be a list of exact \`sub\` claims; got ${describe(t.subjects)}.`);
                } else {
                    t.subjects.forEach((s, i) => {
                        if (typeof s !== "string" || s.trim() === "" || /[*?]/.test(s)) {
                            problems.add(`${path}.subjects[${i}]`, `\`${path}.subjects[${i}]\` must be an exact, non-empty \`sub\` claim without wildcards, such as \`repo:octo-org/octo-repo:environment:prod\`; got ${describe(s)}.`);
                        } else {
                            subjects.push(s);
                        }
                    });
                }
            }
            checkProviderArn(`${path}.oidcProviderArn`, t.oidcProviderArn, GITHUB_OIDC_HOST, problems, later);
            return { kind, oidcProviderArn: t.oidcProviderArn, subjects: [...new Set(subjects)].sort() };
        }
        case "eksServiceAccount": {
            const t = trust.eksServiceAccount!;
            const path = "trust.eksServiceAccount";
            const issuerHost = typeof t.oidcIssuer === "string" ? t.oidcIssuer.replace(/^https:\/\//, "").replace(/\/$/, "") : "";
            if (!/^[a-z0-9.-]+\.[a-z]{2,}(\/[A-Za-z0-9._-]+)*$/.test(issuerHost)) {
                problems.add(`${path}.oidcIssuer`, `\`${path}.oidcIssuer\` must be the cluster's OIDC issuer URL, such as \`https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\`; got ${describe(t.oidcIssuer)}.`);
            }
            checkKubernetesServiceAccount(t, path, problems);
            checkProviderArn(`${path}.oidcProviderArn`, t.oidcProviderArn, issuerHost || undefined, problems, later);
            return { kind, oidcProviderArn: t.oidcProviderArn, issuerHost, subject: `system:serviceaccount:${t.namespace}:${t.serviceAccount}` };
        }
        case "account": {
            const t = trust.account!;
            const path = "trust.account";
            if (t.principalArn === undefined || t.principalArn === "") {
                problems.add(`${path}.principalArn`, `\`${path}.principalArn\` is required: the other account's root (\`arn:aws:iam::123456789012:root\`) or one of its roles.`);
            }
            checkPlain(`${path}.principalArn`, t.principalArn, ACCOUNT_PRINCIPAL, "an account root, role or user ARN such as `arn:aws:iam::123456789012:root`, without wildcards", problems, later);
            if (t.externalId === undefined || t.externalId === "") {
                problems.add(`${path}.externalId`, `\`${path}.externalId\` is required: cross-account trust without an external ID lets any party that knows the role ARN use the other account as a confused deputy. Agree a 2–1,224 character ID with the other party.`);
            } else {
                checkPlain(`${path}.externalId`, t.externalId, EXTERNAL_ID, "2–1,224 characters of letters, digits and `+=,.@:/-_`", problems, later);
            }
            return { kind, principalArn: t.principalArn, externalId: t.externalId };
        }
    }
}

function checkPlain(path: string, value: pulumi.Input<string> | undefined, shape: RegExp, allowed: string, problems: Problems, later: DeferredCheck[]): void {
    if (value !== undefined) {
        checkNowOrLater({ path, value, problem: (v) => (shape.test(v) ? undefined : `\`${path}\` must be ${allowed}; got \`${v}\`.`) }, problems, later);
    }
}

function checkProviderArn(path: string, value: pulumi.Input<string> | undefined, host: string | undefined, problems: Problems, later: DeferredCheck[]): void {
    if (value === undefined || value === "") {
        problems.add(path, `\`${path}\` is required: the ARN of the IAM OIDC provider${host ? ` for \`${host}\`` : ""}.`);
        return;
    }
    checkNowOrLater({ path, value, problem: (v) => providerArnProblem(path, v, host) }, problems, later);
}

function providerArnProblem(path: string, value: string, host: string | undefined): string | undefined {
    const m = OIDC_PROVIDER.exec(value);
    if (m === null) {
        return `\`${path}\` must be the ARN of an IAM OIDC provider, \`arn:aws:iam::<account>:oidc-provider/<host>\`; got \`${value}\`.`;
    }
    if (host !== undefined && m[1] !== host) {
        return `\`${path}\` is the provider for \`${m[1]}\`, but this trust needs the provider for \`${host}\`.`;
    }
    return undefined;
}

/**
 * The trust policy for `trust`: one Allow statement for the one workload, with `DateLessThan
 * aws:CurrentTime` when `expiresAt` is set.
 */
export function renderTrustPolicy(trust: ResolvedTrust, expiresAt?: string): PolicyDocument {
    const statement = trustStatement(trust);
    if (expiresAt !== undefined) {
        statement.Condition = { ...(statement.Condition ?? {}), ...expiryCondition(expiresAt) };
    }
    if (statement.Condition !== undefined) {
        statement.Condition = sortCondition(statement.Condition);
    }
    return { Version: POLICY_VERSION, Statement: [statement] };
}

/** `DateLessThan aws:CurrentTime <expiresAt>`: AWS stops honouring the statement at that instant. */
export function expiryCondition(expiresAt: string): Condition {
    let condition = expiryConditions.get(expiresAt);
    if (condition === undefined) {
        condition = { DateLessThan: { "aws:CurrentTime": expiresAt } };
        expiryConditions.set(expiresAt, condition);
    }
    return condition;
}

/**
 * One condition object per expiry instant, shared (and never mutated) by every statement that
 * expires then, so that merging and sizing compute its canonical text once, not once per identity.
 */
const expiryConditions = new Map<string, Condition>();

function trustStatement(trust: ResolvedTrust): RenderedStatement {
    switch (trust.kind) {
        case "service": {
            const condition: Condition = {};
            if (trust.sourceAccount !== undefined) {
                condition.StringEquals = { "aws:SourceAccount": trust.sourceAccount };
            }
            if (trust.sourceArn !== undefined) {
                condition.ArnLike = { "aws:SourceArn": trust.sourceArn };
            }
            return { Effect: "Allow", Principal: { Service: trust.principal }, Action: "sts:AssumeRole", ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}) };
        }
        case "githubActions":
            return {
                Effect: "Allow",
                Principal: { Federated: trust.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: trust.subjects } },
            };
        case "eksServiceAccount":
            return {
                Effect: "Allow",
                Principal: { Federated: trust.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${trust.issuerHost}:aud`]: STS_AUDIENCE, [`${trust.issuerHost}:sub`]: trust.subject } },
            };
        case "account":
            return {
                Effect: "Allow",
                Principal: { AWS: trust.principalArn },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "sts:ExternalId": trust.externalId } },
            };
    }
}

function sortCondition(condition: Condition): Condition {
    const out: Condition = {};
    for (const op of Object.keys(condition).sort()) {
        out[op] = {};
        for (const key of Object.keys(condition[op]).sort()) {
            out[op][key] = condition[op][key];
        }
    }
    return out;
}
