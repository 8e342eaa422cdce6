import * as pulumi from "@pulumi/pulumi";
import { GrantPlan, expandAccess, longestExpansion } from "./grants";
import {
    Condition,
    PolicyLayout,
    PolicyLimits,
    ROLE_POLICY_LIMITS,
    Statement,
    bothConditions,
    documentSize,
    layoutPolicies,
    mergeStatements,
    renderDocument,
} from "./policy";
import { expiryCondition } from "./trust";

/**
 * How many characters to keep in a policy document for an ARN that is only known at deploy time.
 * Generous: most ARNs are well under 128 characters. A resolved ARN longer than this can only
 * overflow a document that was already nearly full, and that is reported at deploy time.
 */
export const UNKNOWN_ARN_CHARS = 160;

/**
 * The statements of an identity, laid out into documents at construction time. Values that are
 * only known at deploy time stand in the statements as placeholder text of a conservative length,
 * so the number of documents (and so of resources) is fixed before anything resolves.
 */
export interface PlannedPolicies {
    readonly layout: PolicyLayout;
    /** The Inputs behind the placeholders, by placeholder text. */
    readonly unknowns: ReadonlyMap<string, Unknown>;
}

/** A value behind a placeholder: an ARN, or the actions of an access-level grant on that ARN. */
export type Unknown =
    | { readonly kind: "resource"; readonly value: pulumi.Input<string>; readonly plan: number; readonly index: number }
    | { readonly kind: "actions"; readonly value: pulumi.Input<string>; readonly plan: number; readonly index: number };

/** Placeholder text: padded to `length` with characters JSON does not escape. */
function placeholder(kind: string, plan: number, index: number, length: number): string {
    return `{{${kind}:${plan}:${index}}}`.padEnd(length, "~");
}

/**
 * The statements `plans` grant, with `expiresAt` (or a grant's own, earlier one) as a condition on each, laid out into an inline
 * and managed policy documents within `limits` (a role's or a user's). Throws what
 * {@link layoutPolicies} throws.
 */
export function planPolicies(
    plans: readonly GrantPlan[],
    expiresAt: string | undefined,
    limits: PolicyLimits = ROLE_POLICY_LIMITS,
): PlannedPolicies {
    const expiry = expiresAt === undefined ? undefined : expiryCondition(expiresAt);
    const unknowns = new Map<string, Unknown>();
    const statements: Statement[] = [];
    plans.forEach((plan, p) => {
        const own =
            plan.expiresAt === undefined ||
            (expiresAt !== undefined && Date.parse(expiresAt) <= Date.parse(plan.expiresAt))
                ? expiry
                : expiryCondition(plan.expiresAt);
        const condition = bothConditions(own, plan.condition);
        const resources = plan.resources.map((r, k) => {
            if (typeof r === "string") {
                return r;
            }
            const text = placeholder("arn", p, k, UNKNOWN_ARN_CHARS);
            unknowns.set(text, { kind: "resource", value: r, plan: p, index: k });
            return text;
        });
        if (plan.kind === "actions") {
            statements.push(withCondition({ actions: plan.actions, resources }, condition));
            return;
        }
        resources.forEach((r, k) => {
            let actions: string[];
            if (unknowns.has(r)) {
                const text = placeholder("actions", p, k, longestExpansion(plan.service, plan.access));
                unknowns.set(text, { kind: "actions", value: plan.resources[k], plan: p, index: k });
                actions = [text];
            } else {
                actions = expandAccess(plan.service, plan.access, r);
            }
            statements.push(withCondition({ actions, resources: [r] }, condition));
        });
    });
    return { layout: layoutPolicies(statements, limits), unknowns };
}

function withCondition(s: Statement, condition: Condition | undefined): Statement {
    return condition === undefined ? s : { ...s, condition };
}

/**
 * The planned statements with every placeholder replaced by its resolved value: an ARN by the
 * ARN, an access-level placeholder by the actions of that level that apply to the ARN.
 * `resolved` maps placeholder text to the resolved ARN.
 */
export function substitute(
    statements: readonly Statement[],
    plans: readonly GrantPlan[],
    planned: PlannedPolicies,
    resolved: ReadonlyMap<string, string>,
): Statement[] {
    const swap = (text: string): string[] => {
        const u = planned.unknowns.get(text);
        if (u === undefined) {
            return [text];
        }
        const arn = resolved.get(text)!;
        if (u.kind === "resource") {
            return [arn];
        }
        const plan = plans[u.plan];
        return plan.kind === "access" ? expandAccess(plan.service, plan.access, arn) : [];
    };
    return mergeStatements(
        statements.map((s) => ({ ...s, actions: s.actions.flatMap(swap), resources: s.resources.flatMap(swap) })),
    );
}

/**
 * The grants that had resources known only at deploy time, with `resolved` (placeholder → ARN)
 * giving every value: each as planned, with plain ARNs.
 */
export function resolvedPlans(
    plans: readonly GrantPlan[],
    planned: PlannedPolicies,
    resolved: ReadonlyMap<string, string>,
): GrantPlan[] {
    const byPlan = new Map<number, string[]>();
    for (const [text, u] of planned.unknowns) {
        if (u.kind === "resource") {
            const values = byPlan.get(u.plan) ?? plans[u.plan].resources.map((r) => (typeof r === "string" ? r : ""));
            values[u.index] = resolved.get(text)!;
            byPlan.set(u.plan, values);
        }
    }
    return [...byPlan].map(([p, values]) => ({ ...plans[p], resources: values }));
}

/**
 * Renders one planned document, with `resolved` values, as the JSON text of the policy, and says
 * how it overflows when resolved values made it larger than `limits` allow.
 */
export function renderPlannedDocument(
    statements: readonly Statement[],
    plans: readonly GrantPlan[],
    planned: PlannedPolicies,
    resolved: ReadonlyMap<string, string>,
    inline: boolean,
    limits: PolicyLimits = ROLE_POLICY_LIMITS,
): { json: string; overflow?: string } {
    const final = substitute(statements, plans, planned, resolved);
    const cap = inline ? limits.inline : limits.managed;
    const size = documentSize(final);
    const json = JSON.stringify(renderDocument(final));
    return size <= cap
        ? { json }
        : {
              json,
              overflow: `the ${inline ? "inline" : "managed"} policy is ${size} characters once its ARNs resolved, more than the ${cap} allowed; split the grants over two identities or shorten the ARNs`,
          };
}
