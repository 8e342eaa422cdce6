/**
 * Privilege escalation: grants that let an identity raise its own privileges or take another
 * identity's. Cloud-neutral: a rule is a set of actions (AWS IAM actions, Google permissions) and
 * how broad the resources they are held on must be; each cloud's adapter (components/aws/escalation.ts,
 * components/gcp/escalation.ts) supplies its rules, with their sources, and says which of those
 * actions each grant holds and on what. Nothing here imports a cloud SDK, so review reports and
 * policy packs can reuse it.
 */
import { describe } from "./errors";

/** One published privilege-escalation method, as a rule over actions and resource breadth. */
export interface EscalationRule {
    /** The method's name in its source (`PassExistingRoleToNewLambdaThenInvoke`); a tag or record key. */
    readonly id: string;
    /** Where the method is published: the catalogue and its entry. */
    readonly source: string;
    /** What holding it lets the identity do, completing "…lets the identity …". */
    readonly effect: string;
    /**
     * The actions that make a grant this escalation (any one of them). The grant holding one is the
     * grant that must acknowledge it. Compared case-insensitively.
     */
    readonly key: readonly string[];
    /**
     * When true, a key action held on one named resource (one role, one service account) is the
     * narrow form the rule recommends, and the rule fires only on a wildcard or a whole project.
     * When false, one resource suffices for the escalation (a policy can be rewritten to allow
     * everything), and the rule fires whatever the resource.
     */
    readonly narrowIsSafe: boolean;
    /** Further actions the identity must also hold, each on any resource, in any of its grants. */
    readonly with?: readonly string[];
    /** The narrower grant to use instead, or what to do. */
    readonly instead: string;
}

/** One action a grant holds, and on what. */
export interface HeldAction {
    /** The action as the catalogue spells it: `iam:PassRole`, `iam.serviceAccounts.actAs`. */
    readonly action: string;
    /** What it is held on, for messages: `*`, an ARN, `project acme-prod`. */
    readonly on: string;
    /** Whether `on` covers more than one resource: a wildcard, `*`, a whole project. */
    readonly broad: boolean;
}

/** What the rules see of one grant: the relevant actions it holds, and its acknowledgement. */
export interface GrantActions {
    /** `grants[2]` */
    readonly path: string;
    /** The actions of the grant that some rule names (others may be left out). */
    readonly held: readonly HeldAction[];
    /** The grant's `acknowledge`, as given (validated here). */
    readonly acknowledge?: unknown;
}

/** One escalation method that an identity's grants allow. */
export interface EscalationFinding {
    readonly rule: EscalationRule;
    /** The grant holding the key action: the one that must acknowledge. */
    readonly grant: string;
    /** The key action as held. */
    readonly key: HeldAction;
    /** Each further action of the rule and the grant holding it. */
    readonly others: readonly { readonly grant: string; readonly held: HeldAction }[];
    /** Every grant involved, the key grant first. */
    readonly paths: readonly string[];
}

/** The rules of one cloud, indexed by action so that a grant is checked in a few lookups. */
export class EscalationRules {
    readonly rules: readonly EscalationRule[];
    private readonly byKey = new Map<string, EscalationRule[]>();
    private readonly named = new Set<string>();

    constructor(rules: readonly EscalationRule[]) {
        this.rules = rules;
        for (const rule of rules) {
            for (const action of rule.key) {
                const k = action.toLowerCase();
                this.byKey.set(k, [...(this.byKey.get(k) ?? []), rule]);
                this.named.add(k);
            }
            rule.with?.forEach((a) => this.named.add(a.toLowerCase()));
        }
    }

    /** Whether some rule names `action` (case-insensitive): the only actions adapters need report. */
    names(action: string): boolean {
        return this.named.has(action.toLowerCase());
    }

    /** Every action some rule names, lower case. */
    actions(): ReadonlySet<string> {
        return this.named;
    }

    /** The rules whose key is `action` (lower case). */
    keyedBy(action: string): readonly EscalationRule[] {
        return this.byKey.get(action) ?? [];
    }
}

/**
 * The escalation methods the grants allow together, in grant order: a rule fires at each grant
 * holding one of its key actions (on a broad resource, when the rule's narrow form is safe) when
 * the grants together also hold every one of its further actions. Pure; no validation.
 */
export function findEscalations(rules: EscalationRules, grants: readonly GrantActions[]): EscalationFinding[] {
    const holders = new Map<string, { grant: string; held: HeldAction }>();
    for (const g of grants) {
        for (const held of g.held) {
            const k = held.action.toLowerCase();
            if (!holders.has(k)) {
                holders.set(k, { grant: g.path, held });
            }
        }
    }
    const findings: EscalationFinding[] = [];
    for (const g of grants) {
        const fired = new Map<string, EscalationFinding>();
        for (const held of g.held) {
            for (const rule of rules.keyedBy(held.action.toLowerCase())) {
                const previous = fired.get(rule.id);
                if (
                    (rule.narrowIsSafe && !held.broad) ||
                    (previous !== undefined && (previous.key.broad || !held.broad))
                ) {
                    continue;
                }
                const others = (rule.with ?? []).map((a) => holders.get(a.toLowerCase()));
                if (others.some((o) => o === undefined)) {
                    continue;
                }
                const present = others as { grant: string; held: HeldAction }[];
                fired.set(rule.id, {
                    rule,
                    grant: g.path,
                    key: held,
                    others: present,
                    paths: [...new Set([g.path, ...present.map((o) => o.grant)])],
                });
            }
        }
        findings.push(...fired.values());
    }
    return findings;
}

/** The `acknowledge` of the grant at `path` (`grants[2]`) in `grants`, the grants as given. */
export function acknowledgementOf(grants: unknown, path: string): unknown {
    const index = /^grants\[(\d+)\]$/.exec(path);
    const grant = Array.isArray(grants) && index !== null ? grants[Number(index[1])] : undefined;
    return grant !== null && typeof grant === "object" ? (grant as { acknowledge?: unknown }).acknowledge : undefined;
}

/** An acknowledged escalation: the method, the grant and the reason it gave. */
export interface Acknowledged {
    readonly rule: EscalationRule;
    readonly grant: string;
    readonly reason: string;
}

/** The outcome of checking the escalations of an identity's grants. */
export interface EscalationReview {
    readonly findings: readonly EscalationFinding[];
    /** Refused grants and misused acknowledgements, each with its property path. */
    readonly problems: readonly { readonly propertyPath: string; readonly reason: string }[];
    /** Every finding whose grant gave a reason, in grant order. */
    readonly acknowledged: readonly Acknowledged[];
}

/**
 * Finds the escalations of `grants` and judges each grant's `acknowledge`: a grant that allows an
 * escalation is refused unless it gives a non-empty reason; a reason on a grant that allows none is
 * refused too, so that stale acknowledgements do not linger. `recorded` says where a reason is
 * kept (`the role's \`nhi:escalation:<method>\` tags`), for the messages.
 */
export function reviewEscalations(
    rules: EscalationRules,
    grants: readonly GrantActions[],
    recorded: string,
): EscalationReview {
    const findings = findEscalations(rules, grants);
    const problems: { propertyPath: string; reason: string }[] = [];
    const acknowledged: Acknowledged[] = [];
    for (const g of grants) {
        const mine = findings.filter((f) => f.grant === g.path);
        const at = `${g.path}.acknowledge`;
        const ack = g.acknowledge;
        if (ack !== undefined && (typeof ack !== "string" || ack.trim() === "")) {
            problems.push({
                propertyPath: at,
                reason: `\`${at}\` must be a non-empty reason why this grant may escalate privileges; got ${describe(ack)}.`,
            });
            continue;
        }
        if (ack !== undefined && mine.length === 0) {
            problems.push({
                propertyPath: at,
                reason: `\`${at}\` acknowledges a privilege escalation, but \`${g.path}\` allows none; remove \`acknowledge\`.`,
            });
            continue;
        }
        if (mine.length === 0) {
            continue;
        }
        if (ack === undefined) {
            problems.push({ propertyPath: g.path, reason: refusal(g.path, mine, recorded) });
            continue;
        }
        const reason = (ack as string).trim();
        mine.forEach((f) => acknowledged.push({ rule: f.rule, grant: g.path, reason }));
    }
    return { findings, problems, acknowledged };
}

/** How many methods a refusal describes in full; the others are named. */
const DESCRIBED_METHODS = 3;

/** The message refusing the grant at `path` for the escalations `findings` it allows. */
export function refusal(path: string, findings: readonly EscalationFinding[], recorded: string): string {
    const described = findings
        .slice(0, DESCRIBED_METHODS)
        .map((f) => `${f.rule.id} (${f.rule.source}): ${describeFinding(f)}.`);
    const rest = findings.slice(DESCRIBED_METHODS).map((f) => f.rule.id);
    const also = rest.length === 0 ? "" : ` Also ${joinAnd(rest)}.`;
    const instead = [...new Set(findings.map((f) => f.rule.instead))];
    return `\`${path}\` allows privilege escalation. ${described.join(" ")}${also} ${instead.join(" ")} If the escalation is intended, say why in \`${path}.acknowledge\`; the reason is recorded in ${recorded}.`;
}

/** "`iam:PassRole` on `*` with `lambda:CreateFunction` (grants[1]) lets the identity …". */
export function describeFinding(f: EscalationFinding): string {
    const key = `\`${f.key.action}\` on ${f.key.on}`;
    if (f.others.length === 0) {
        return `${key} lets the identity ${f.rule.effect}`;
    }
    const byGrant = new Map<string, string[]>();
    f.others.forEach((o) => byGrant.set(o.grant, [...(byGrant.get(o.grant) ?? []), `\`${o.held.action}\``]));
    const parts = [...byGrant].map(
        ([grant, actions]) => `${joinAnd(actions)}${grant === f.grant ? "" : ` (${grant})`}`,
    );
    return `${key} with ${joinAnd(parts)} lets the identity ${f.rule.effect}`;
}

function joinAnd(items: readonly string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Whether `pattern` (an IAM-style pattern: `*` any text, `?` one character) matches `text`. */
export function matchesPattern(pattern: string, text: string): boolean {
    const regex = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
    return regex.test(text);
}
