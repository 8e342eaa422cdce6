import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, checkNowOrLater } from "../core/deferred";
import { Problems, allOf, describe, oneOf } from "../core/errors";
import { githubSubjectProblem, githubSubjects, isGithubRepository } from "../core/github";
import { checkKubernetesServiceAccount } from "../core/kubernetes";
import { LAMBDA_PRINCIPAL, planLogGroups } from "./lambda-logs";
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

interface AwsServiceTrustBase {
    /**
     * The account whose resources may make the service assume the role: `aws:SourceAccount`.
     * Refused for services that do not send it (EC2, Lambda, API Gateway, Backup, Glue).
     * @default no condition
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
     */
    readonly sourceAccount?: pulumi.Input<string>;
    /**
     * The resource that may make the service assume the role: `aws:SourceArn` (ArnLike). Refused for
     * the same services as `sourceAccount`.
     * @default no condition
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
     */
    readonly sourceArn?: pulumi.Input<string>;
}

/** The execution role of a Lambda function, which may be given the right to write its own logs. */
export interface AwsLambdaServiceTrust extends AwsServiceTrustBase {
    /** `lambda.amazonaws.com`. */
    readonly principal: typeof LAMBDA_PRINCIPAL;
    /**
     * The log groups the function writes to, by ARN: the role may create streams in them and put
     * log events (`logs:CreateLogStream`, `logs:PutLogEvents` on `<group ARN>:*`), nothing else.
     *
     * Pass `logGroup.arn` of the `aws.cloudwatch.LogGroup` the stack declares for the function
     * (`/aws/lambda/<function name>`, or the group named in the function's `loggingConfig`), or the
     * ARN as text. A name alone is refused: the component does not read the region or account from
     * the environment, and the ARN carries both. Each ARN names one group, without wildcards; an
     * ARN ending `:*` (as `DescribeLogGroups` returns it) is read as its group. Values known only at
     * deploy time are checked when they resolve.
     * @default no log permissions
     * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
     * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html (names: 1–512 of `a-zA-Z0-9_-/.#`)
     */
    readonly logGroups?: readonly pulumi.Input<string>[];
}

/** Any other AWS service that assumes the role. */
export interface AwsOtherServiceTrust extends AwsServiceTrustBase {
    /**
     * The service principal, `name.amazonaws.com`, such as `ecs-tasks.amazonaws.com`.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services
     */
    readonly principal: string;
    /** Lambda only: see {@link AwsLambdaServiceTrust.logGroups}. */
    readonly logGroups?: never;
}

/**
 * An AWS service that assumes the role, e.g. Lambda for a function's execution role.
 * `logGroups` is accepted on the Lambda principal only.
 */
export type AwsServiceTrust = AwsLambdaServiceTrust | AwsOtherServiceTrust;

/** GitHub Actions workflows of one repository, through the account's GitHub OIDC provider. */
export interface AwsGithubActionsTrust {
    /** `owner/repo`, exactly; no wildcards. Every admitted `sub` claim must belong to it. */
    readonly repository: string;
    /**
     * A GitHub environment: admits `repo:owner/repo:environment:<environment>`.
     * @default not pinned by environment
     */
    readonly environment?: string;
    /**
     * A full Git ref such as `refs/heads/main`: admits `repo:owner/repo:ref:<ref>`.
     * @default not pinned by ref
     */
    readonly ref?: string;
    /**
     * The ARN of the account's IAM OIDC provider for `token.actions.githubusercontent.com`.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
     */
    readonly oidcProviderArn: pulumi.Input<string>;
    /**
     * Further exact `sub` claims to admit, each of `repository`: GitHub's immutable-ID form
     * (`repo:acme@123456/payments@456789:ref:refs/heads/main`, the default for repositories created
     * or renamed from mid-2026), a customised subject that includes the `repo` claim
     * (`repo:acme/payments:environment:prod:job_workflow_ref:…`), or `repo:acme/payments:pull_request`.
     * No wildcards; a subject of another repository, or one that does not name the repository, is
     * refused. At least one of `environment`, `ref` or `subjects` is required.
     *
     * A `pull_request` subject is only ever admitted when listed here, and deserves thought: every
     * pull request workflow run of the repository presents it, running the pull request's code
     * before anyone reviewed it; any branch of anyone with write access, and pull requests from
     * forks where the repository sends write tokens to fork workflows (a setting of private
     * repositories). Give such an identity read-only grants, and deploy from `environment` or `ref`.
     * @default none
     * @see https://docs.github.com/en/actions/reference/security/oidc
     * @see https://docs.github.com/en/actions/concepts/security/openid-connect
     */
    readonly subjects?: readonly string[];
}

/** One Kubernetes service account of an EKS cluster (IAM Roles for Service Accounts). */
export interface AwsEksServiceAccountTrust {
    /**
     * The ARN of the cluster's IAM OIDC provider, `arn:aws:iam::<account>:oidc-provider/<issuer
     * host>`, such as `provider.arn` of an `aws.iam.OpenIdConnectProvider` in the same stack. The
     * trust policy's condition keys (`<issuer host>:sub`, `:aud`) are derived from it, when it
     * resolves if it is an Output.
     * @see https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
     */
    readonly oidcProviderArn: pulumi.Input<string>;
    /**
     * The cluster's OIDC issuer URL, `https://oidc.eks.<region>.amazonaws.com/id/<id>`, such as
     * `cluster.identities[0].oidcs[0].issuer`. Optional, since the provider ARN names the issuer;
     * when given, it must be the provider's issuer (checked when both are known).
     * @default derived from `oidcProviderArn`
     */
    readonly oidcIssuer?: pulumi.Input<string>;
    /** The Kubernetes namespace of the service account; no wildcards. */
    readonly namespace: string;
    /** The Kubernetes service account; no wildcards. */
    readonly serviceAccount: string;
}

/** A principal of another AWS account, which must present an external ID. */
export interface AwsAccountTrust {
    /** `arn:aws:iam::<account>:root`, or a role or user ARN of the other account. */
    readonly principalArn: pulumi.Input<string>;
    /**
     * The external ID the other party must pass (`sts:ExternalId`), 2–1,224 characters.
     * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for_user_externalid.html
     */
    readonly externalId: pulumi.Input<string>;
}

/** The trust kinds, each with the type of its settings. */
interface AwsTrustKinds {
    service: AwsServiceTrust;
    githubActions: AwsGithubActionsTrust;
    eksServiceAccount: AwsEksServiceAccountTrust;
    account: AwsAccountTrust;
}

/** One trust kind `K`, with every other kind typed `never` so that `tsc` refuses two at once. */
type OnlyTrust<K extends keyof AwsTrustKinds> = { readonly [P in K]: AwsTrustKinds[P] } & {
    readonly [P in Exclude<keyof AwsTrustKinds, K>]?: never;
};

/**
 * Who may assume the role: exactly one of `service`, `githubActions`, `eksServiceAccount`,
 * `account`. `tsc` refuses `{}` and two kinds at once; the constructor refuses them too, for
 * JavaScript callers.
 */
export type AwsTrust =
    OnlyTrust<"service"> | OnlyTrust<"githubActions"> | OnlyTrust<"eksServiceAccount"> | OnlyTrust<"account">;

export type TrustKind = keyof AwsTrustKinds;
export const TRUST_KINDS: readonly TrustKind[] = ["service", "githubActions", "eksServiceAccount", "account"];

/** A trust with its plain parts validated; Input values are still Inputs. */
export type TrustPlan =
    | {
          kind: "service";
          principal: string;
          sourceAccount?: pulumi.Input<string>;
          sourceArn?: pulumi.Input<string>;
          logGroups: readonly pulumi.Input<string>[];
      }
    | { kind: "githubActions"; oidcProviderArn: pulumi.Input<string>; subjects: string[] }
    | {
          kind: "eksServiceAccount";
          oidcProviderArn: pulumi.Input<string>;
          oidcIssuer?: pulumi.Input<string>;
          issuerHost?: string;
          subject: string;
      }
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
export function planTrust(
    trust: AwsTrust | undefined,
    problems: Problems,
    later: DeferredCheck[],
): TrustPlan | undefined {
    const given =
        trust !== null && typeof trust === "object"
            ? TRUST_KINDS.filter((k) => (trust as Partial<AwsTrustKinds>)[k] !== undefined)
            : [];
    if (given.length !== 1) {
        problems.add(
            "trust",
            given.length === 0
                ? `\`trust\` must give exactly one of ${oneOf(TRUST_KINDS)}: who may assume this role.`
                : `\`trust\` gives ${allOf(given)}; give exactly one kind of trust per identity (declare one identity per workload).`,
        );
        return undefined;
    }
    const found = new Problems();
    const plan = planKind(given[0], trust as Partial<AwsTrustKinds>, found, later);
    problems.addAll(found);
    return found.isEmpty ? plan : undefined;
}

function planKind(
    kind: TrustKind,
    trust: Partial<AwsTrustKinds>,
    problems: Problems,
    later: DeferredCheck[],
): TrustPlan {
    switch (kind) {
        case "service": {
            const t = trust.service!;
            const path = "trust.service";
            if (typeof t.principal !== "string" || !SERVICE_PRINCIPAL.test(t.principal)) {
                problems.add(
                    `${path}.principal`,
                    `\`${path}.principal\` must be an AWS service principal of the form \`name.amazonaws.com\`, such as \`lambda.amazonaws.com\`; got ${describe(t.principal)}.`,
                );
            } else if (SERVICES_WITHOUT_SOURCE_CONTEXT.includes(t.principal)) {
                for (const field of ["sourceAccount", "sourceArn"] as const) {
                    if (t[field] !== undefined) {
                        problems.add(
                            `${path}.${field}`,
                            `\`${path}.${field}\`: \`${t.principal}\` does not send \`aws:Source${field === "sourceAccount" ? "Account" : "Arn"}\` when it assumes a role, so the condition would lock the service out. Remove it.`,
                        );
                    }
                }
            }
            checkPlain(
                `${path}.sourceAccount`,
                t.sourceAccount,
                /^\d{12}$/,
                "a 12-digit AWS account ID",
                problems,
                later,
            );
            checkPlain(
                `${path}.sourceArn`,
                t.sourceArn,
                /^arn:aws[a-z-]*:[a-z0-9-]+:/,
                "the ARN of the resource that makes the service assume the role",
                problems,
                later,
            );
            const logGroups = t.logGroups === undefined ? [] : planLogGroups(t.principal, t.logGroups, problems, later);
            return { kind, principal: t.principal, sourceAccount: t.sourceAccount, sourceArn: t.sourceArn, logGroups };
        }
        case "githubActions": {
            const t = trust.githubActions!;
            const path = "trust.githubActions";
            const explicit = Array.isArray(t.subjects) && t.subjects.length > 0;
            const subjects = githubSubjects(t, path, problems, ["subjects"], explicit);
            if (t.subjects !== undefined) {
                if (!Array.isArray(t.subjects)) {
                    problems.add(
                        `${path}.subjects`,
                        `\`${path}.subjects\` must be a list of exact \`sub\` claims; got ${describe(t.subjects)}.`,
                    );
                } else {
                    t.subjects.forEach((s, i) => {
                        if (typeof s !== "string" || s.trim() === "" || /[*?]/.test(s)) {
                            problems.add(
                                `${path}.subjects[${i}]`,
                                `\`${path}.subjects[${i}]\` must be an exact, non-empty \`sub\` claim without wildcards, such as \`repo:octo-org/octo-repo:environment:prod\`; got ${describe(s)}.`,
                            );
                        } else {
                            const problem =
                                typeof t.repository === "string" && isGithubRepository(t.repository)
                                    ? githubSubjectProblem(`${path}.subjects[${i}]`, s, t.repository)
                                    : undefined;
                            if (problem !== undefined) {
                                problems.add(`${path}.subjects[${i}]`, problem);
                            } else {
                                subjects.push(s);
                            }
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
            let issuerHost: string | undefined;
            if (typeof t.oidcIssuer === "string") {
                const problem = issuerProblem(`${path}.oidcIssuer`, t.oidcIssuer);
                if (problem !== undefined) {
                    problems.add(`${path}.oidcIssuer`, problem);
                } else {
                    issuerHost = issuerHostOf(t.oidcIssuer);
                }
            } else if (t.oidcIssuer !== undefined && t.oidcIssuer !== null) {
                later.push({
                    path: `${path}.oidcIssuer`,
                    value: t.oidcIssuer,
                    problem: (v) => issuerProblem(`${path}.oidcIssuer`, v),
                });
            }
            checkKubernetesServiceAccount(t, path, problems);
            checkProviderArn(`${path}.oidcProviderArn`, t.oidcProviderArn, issuerHost, problems, later);
            if (
                t.oidcIssuer !== undefined &&
                t.oidcIssuer !== null &&
                typeof t.oidcIssuer !== "string" &&
                t.oidcProviderArn !== undefined
            ) {
                // The issuer resolves at deploy time: it must then be the provider's, as at construction.
                const at = `${path}.oidcProviderArn`;
                const pair: DeferredCheck<[string, string]> = {
                    path: at,
                    value: pulumi.all([t.oidcProviderArn, t.oidcIssuer]),
                    problem: ([arn, issuer]) =>
                        OIDC_PROVIDER.test(arn) && issuerProblem(`${path}.oidcIssuer`, issuer) === undefined
                            ? providerArnProblem(at, arn, issuerHostOf(issuer))
                            : undefined,
                };
                later.push(pair as unknown as DeferredCheck);
            }
            // With the provider ARN known, the issuer (and so the condition keys) is known now.
            const arnHost =
                typeof t.oidcProviderArn === "string" ? OIDC_PROVIDER.exec(t.oidcProviderArn)?.[1] : undefined;
            return {
                kind,
                oidcProviderArn: t.oidcProviderArn,
                oidcIssuer: t.oidcIssuer,
                issuerHost: arnHost,
                subject: `system:serviceaccount:${t.namespace}:${t.serviceAccount}`,
            };
        }
        case "account": {
            const t = trust.account!;
            const path = "trust.account";
            if (t.principalArn === undefined || t.principalArn === "") {
                problems.add(
                    `${path}.principalArn`,
                    `\`${path}.principalArn\` is required: the other account's root (\`arn:aws:iam::123456789012:root\`) or one of its roles.`,
                );
            }
            checkPlain(
                `${path}.principalArn`,
                t.principalArn,
                ACCOUNT_PRINCIPAL,
                "an account root, role or user ARN such as `arn:aws:iam::123456789012:root`, without wildcards",
                problems,
                later,
            );
            if (t.externalId === undefined || t.externalId === "") {
                problems.add(
                    `${path}.externalId`,
                    `\`${path}.externalId\` is required: cross-account trust without an external ID lets any party that knows the role ARN use the other account as a confused deputy. Agree a 2–1,224 character ID with the other party.`,
                );
            } else {
                checkPlain(
                    `${path}.externalId`,
                    t.externalId,
                    EXTERNAL_ID,
                    "2–1,224 characters of letters, digits and `+=,.@:/-_`",
                    problems,
                    later,
                );
            }
            return { kind, principalArn: t.principalArn, externalId: t.externalId };
        }
    }
}

/** The host and path of an OIDC issuer URL: what IAM uses as the prefix of its condition keys. */
function issuerHostOf(issuer: string): string {
    return issuer.replace(/^https:\/\//, "").replace(/\/$/, "");
}

function issuerProblem(path: string, issuer: string): string | undefined {
    return /^[a-z0-9.-]+\.[a-z]{2,}(\/[A-Za-z0-9._-]+)*$/.test(issuerHostOf(issuer))
        ? undefined
        : `\`${path}\` must be the cluster's OIDC issuer URL, such as \`https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\`; got ${describe(issuer)}.`;
}

/**
 * The trust with every value resolved (and so checked by the component's deploy-time guard) as
 * the input of {@link renderTrustPolicy}: for EKS, the issuer host comes from the provider's ARN.
 */
export function resolvedTrust(trust: pulumi.Unwrap<TrustPlan>): ResolvedTrust {
    if (trust.kind !== "eksServiceAccount") {
        return trust as ResolvedTrust;
    }
    return {
        kind: "eksServiceAccount",
        oidcProviderArn: trust.oidcProviderArn,
        issuerHost: OIDC_PROVIDER.exec(trust.oidcProviderArn)![1],
        subject: trust.subject,
    };
}

function checkPlain(
    path: string,
    value: pulumi.Input<string> | undefined,
    shape: RegExp,
    allowed: string,
    problems: Problems,
    later: DeferredCheck[],
): void {
    if (value !== undefined) {
        checkNowOrLater(
            {
                path,
                value,
                problem: (v) => (shape.test(v) ? undefined : `\`${path}\` must be ${allowed}; got \`${v}\`.`),
            },
            problems,
            later,
        );
    }
}

function checkProviderArn(
    path: string,
    value: pulumi.Input<string> | undefined,
    host: string | undefined,
    problems: Problems,
    later: DeferredCheck[],
): void {
    if (value === undefined || value === "") {
        problems.add(
            path,
            `\`${path}\` is required: the ARN of the IAM OIDC provider${host ? ` for \`${host}\`` : ""}.`,
        );
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
            return {
                Effect: "Allow",
                Principal: { Service: trust.principal },
                Action: "sts:AssumeRole",
                ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
            };
        }
        case "githubActions":
            return {
                Effect: "Allow",
                Principal: { Federated: trust.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
                        [`${GITHUB_OIDC_HOST}:sub`]: trust.subjects,
                    },
                },
            };
        case "eksServiceAccount":
            return {
                Effect: "Allow",
                Principal: { Federated: trust.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${trust.issuerHost}:aud`]: STS_AUDIENCE,
                        [`${trust.issuerHost}:sub`]: trust.subject,
                    },
                },
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
