import { runSimulation, RunSimulationResults } from "@cloud-copilot/iam-simulate";
import { MOCK_ACCOUNT } from "../../components/testing";

/**
 * Test helpers that evaluate the documents a component renders with a real IAM policy engine,
 * `@cloud-copilot/iam-simulate`, instead of comparing JSON text: a request is Allowed only if AWS's
 * evaluation logic (principal, action and ARN matching, condition operators) would allow it.
 *
 * Every call fails the test, rather than returning a denial, when the engine could not evaluate
 * the request (an action unknown to it, an ARN that is not a resource of the action) or when it
 * dropped a context key as not applicable to the action: a denial for either reason would prove
 * nothing about the policy.
 */

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
export type Context = Record<string, string | string[]>;

/** A policy document as JSON text (what the component outputs) or as data. */
export type Document = string | object;

function parse(document: Document): any {
    return typeof document === "string" ? JSON.parse(document) : document;
}

/** The account of `arn` (field 5), or the mock account for ARNs without one (S3) and `*`. */
export function accountOf(arn: string): string {
    return arn.split(":")[4] || MOCK_ACCOUNT;
}

interface Run {
    principal: string;
    action: string;
    resource: string;
    context?: Context;
    identityPolicies?: readonly Document[];
    resourcePolicy?: Document;
}

async function decide(run: Run): Promise<Decision> {
    const contextVariables = run.context ?? {};
    const result: RunSimulationResults = await runSimulation(
        {
            identityPolicies: (run.identityPolicies ?? []).map((policy, i) => ({
                name: `policy-${i + 1}`,
                policy: parse(policy),
            })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(run.resourcePolicy === undefined ? {} : { resourcePolicy: parse(run.resourcePolicy) }),
            request: {
                action: run.action,
                principal: run.principal,
                resource: { accountId: accountOf(run.resource), resource: run.resource },
                contextVariables,
            },
        },
        {},
    );
    const what = `${run.principal} → ${run.action} on ${run.resource}`;
    if (result.resultType === "error") {
        throw new Error(`iam-simulate could not evaluate ${what}: ${JSON.stringify(result.errors)}`);
    }
    if (result.resultType !== "single") {
        throw new Error(`iam-simulate evaluated ${what} as a wildcard request; give a concrete ARN`);
    }
    const ignored = result.result.ignoredContextKeys ?? [];
    if (ignored.length > 0) {
        throw new Error(
            `iam-simulate ignored the context keys ${ignored.join(", ")} of ${what}: it does not know them for this action, so the result would not depend on them`,
        );
    }
    return result.overallResult as Decision;
}

/** What the role's identity policies `documents` decide for `action` on `resource` (same-account resource, no resource policy). */
export function decideIdentity(
    roleArn: string,
    documents: readonly Document[],
    action: string,
    resource: string,
    context: Context = {},
): Promise<Decision> {
    return decide({ principal: roleArn, action, resource, context, identityPolicies: documents });
}

/** A principal asking to assume a role whose trust policy is `trustPolicy`. */
export interface AssumeRequest {
    /** A service principal (`lambda.amazonaws.com`) or an IAM ARN. */
    principal: string;
    roleArn: string;
    action?: string;
    context?: Context;
    /**
     * The caller's own identity policies. A cross-account caller needs its own Allow too; give it
     * one so that the decision rests on the trust policy alone.
     */
    callerPolicies?: readonly Document[];
}

/** What the trust policy `trustPolicy` (the role's resource policy) decides for `request`. */
export function decideTrust(trustPolicy: Document, request: AssumeRequest): Promise<Decision> {
    return decide({
        principal: request.principal,
        action: request.action ?? "sts:AssumeRole",
        resource: request.roleArn,
        context: request.context,
        identityPolicies: request.callerPolicies,
        resourcePolicy: trustPolicy,
    });
}

/** An identity policy that lets its holder call `sts:AssumeRole` on any role. */
export const MAY_ASSUME_ANY_ROLE = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
};

/** The claims of a web-identity token that reach IAM as condition keys `<issuer>:sub` and `<issuer>:aud`. */
export interface WebIdentityClaims {
    sub?: string;
    aud?: string;
}

/**
 * The condition-key prefix an OIDC provider's tokens get in IAM: the provider's URL without
 * `https://`, which is what follows `oidc-provider/` in its ARN
 * (`token.actions.githubusercontent.com`, `oidc.eks.us-east-1.amazonaws.com/id/ABC…`).
 */
export function issuerOf(providerArn: string): string {
    const m = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(providerArn);
    if (m === null) {
        throw new Error(`not an OIDC provider ARN: ${providerArn}`);
    }
    return m[1];
}

/**
 * ENGINE WORKAROUND. iam-simulate only evaluates a condition key it finds in its catalogue of the
 * action's keys, and for `sts:AssumeRoleWithWebIdentity` that catalogue lists neither
 * `token.actions.githubusercontent.com:sub`/`:aud` nor the keys of an EKS issuer
 * (`oidc.eks.<region>.amazonaws.com/id/<id>:sub`), which AWS derives from each provider's URL. The
 * engine drops such keys from the request, so every request would be ImplicitlyDenied and a
 * web-identity test would prove nothing either way.
 *
 * It does list `cognito-identity.amazonaws.com:sub` and `:aud`, which are plain string keys
 * compared with the same operators. So the keys of the one issuer that signed the token, taken from
 * the provider ARN of the request (as AWS does), are renamed to those, in the policy and in the
 * request alike. Only the key names change: the operators, the values and the principal match are
 * evaluated as written. A key of another issuer is left alone, so a policy that conditions on the
 * wrong issuer still denies. `test/aws/simulation.test.ts` checks that the limitation exists, so
 * that this rewrite goes when the engine learns the keys.
 */
const ENGINE_KEY_PREFIX = "cognito-identity.amazonaws.com";

function engineKey(issuer: string, key: string): string {
    for (const claim of ["sub", "aud"]) {
        if (key === `${issuer}:${claim}`) {
            return `${ENGINE_KEY_PREFIX}:${claim}`;
        }
    }
    return key;
}

/** `trustPolicy` with the `sub`/`aud` keys of `issuer` renamed to keys the engine evaluates. */
export function engineReadableTrust(trustPolicy: Document, issuer: string): any {
    const policy = JSON.parse(JSON.stringify(parse(trustPolicy)));
    const statements: any[] = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    for (const statement of statements) {
        for (const [operator, block] of Object.entries<Record<string, unknown>>(statement.Condition ?? {})) {
            const renamed: Record<string, unknown> = {};
            for (const [key, value] of Object.entries(block)) {
                if (key.startsWith(`${ENGINE_KEY_PREFIX}:`)) {
                    throw new Error(`the trust policy already uses ${key}; the rewrite would merge keys`);
                }
                renamed[engineKey(issuer, key)] = value;
            }
            statement.Condition[operator] = renamed;
        }
    }
    return policy;
}

/** A web-identity token of the provider `providerArn` presented to assume `roleArn`. */
export interface WebIdentityRequest {
    providerArn: string;
    roleArn: string;
    claims: WebIdentityClaims;
    /** `aws:CurrentTime` of the request. */
    at: string;
}

/**
 * What `trustPolicy` decides for `sts:AssumeRoleWithWebIdentity` with a token of `providerArn`
 * carrying `claims`: the claims become `<issuer>:sub`/`:aud` as in AWS, then pass through the
 * {@link engineReadableTrust} rewrite together with the policy.
 */
export function decideWebIdentity(trustPolicy: Document, request: WebIdentityRequest): Promise<Decision> {
    const issuer = issuerOf(request.providerArn);
    const context: Context = { "aws:CurrentTime": request.at };
    for (const claim of ["sub", "aud"] as const) {
        const value = request.claims[claim];
        if (value !== undefined) {
            context[engineKey(issuer, `${issuer}:${claim}`)] = value;
        }
    }
    return decideTrust(engineReadableTrust(trustPolicy, issuer), {
        principal: request.providerArn,
        roleArn: request.roleArn,
        action: "sts:AssumeRoleWithWebIdentity",
        context,
    });
}

/**
 * The same request without the rewrite, with the real claim keys: only to show the engine
 * limitation that {@link engineReadableTrust} works around. Returns the keys the engine dropped.
 */
export async function rawWebIdentity(
    trustPolicy: Document,
    request: WebIdentityRequest,
): Promise<{ decision: Decision; ignored: string[] }> {
    const issuer = issuerOf(request.providerArn);
    const result = await runSimulation(
        {
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: parse(trustPolicy),
            request: {
                action: "sts:AssumeRoleWithWebIdentity",
                principal: request.providerArn,
                resource: { accountId: accountOf(request.roleArn), resource: request.roleArn },
                contextVariables: {
                    "aws:CurrentTime": request.at,
                    [`${issuer}:sub`]: request.claims.sub ?? "",
                    [`${issuer}:aud`]: request.claims.aud ?? "",
                },
            },
        },
        {},
    );
    if (result.resultType !== "single") {
        throw new Error(`iam-simulate did not evaluate the request: ${JSON.stringify(result)}`);
    }
    return { decision: result.overallResult as Decision, ignored: result.result.ignoredContextKeys ?? [] };
}

/** One Allow of an identity policy: an action on an ARN pattern, under a condition. */
export interface Granted {
    readonly action: string;
    readonly resource: string;
    readonly condition: string;
}

/** Every (action, ARN pattern, condition) the Allow statements of `documents` name. */
export function grantedPairs(documents: readonly Document[]): Granted[] {
    const out: Granted[] = [];
    for (const document of documents) {
        const policy = parse(document);
        for (const s of [].concat(policy.Statement) as any[]) {
            if (s.Effect !== "Allow") {
                continue;
            }
            for (const action of [].concat(s.Action) as string[]) {
                for (const resource of [].concat(s.Resource) as string[]) {
                    out.push({ action, resource, condition: JSON.stringify(s.Condition ?? {}) });
                }
            }
        }
    }
    return out;
}

/**
 * A concrete ARN that the ARN pattern `pattern` matches: each `*` becomes `sample`, each `?` `x`.
 * `"*"` on its own stays `"*"`, the resource of actions without resource-level permissions.
 */
export function concreteArn(pattern: string, sample = "2024/05/a.pdf"): string {
    return pattern === "*" ? pattern : pattern.replace(/\*/g, sample).replace(/\?/g, "x");
}

/** `instant` moved by `days` (negative: earlier), as the `YYYY-MM-DDTHH:MM:SSZ` form of `aws:CurrentTime`. */
export function shiftDays(instant: string, days: number): string {
    return shiftSeconds(instant, days * 86_400);
}

export function shiftSeconds(instant: string, seconds: number): string {
    return `${new Date(Date.parse(instant) + seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/** `items` evenly sampled down to at most `n`, in order (deterministic). */
export function sample<T>(items: readonly T[], n: number): T[] {
    if (items.length <= n) {
        return [...items];
    }
    return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

/** One request and the decision a test expects for it: `Denied` means anything but Allowed. */
export interface ExpectedDecision {
    readonly what: string;
    readonly expected: "Allowed" | "Denied";
    readonly decide: () => Promise<Decision>;
}

/** Runs `checks` and fails once, listing every request whose decision was not the expected one. */
export async function expectDecisions(checks: readonly ExpectedDecision[]): Promise<void> {
    const wrong: string[] = [];
    for (const c of checks) {
        const decision = await c.decide();
        const ok = c.expected === "Allowed" ? decision === "Allowed" : decision !== "Allowed";
        if (!ok) {
            wrong.push(`${c.what}: expected ${c.expected}, got ${decision}`);
        }
    }
    if (wrong.length > 0) {
        throw new Error(`${wrong.length} of ${checks.length} requests decided wrongly:\n  ${wrong.join("\n  ")}`);
    }
}
