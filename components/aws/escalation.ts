import { Problems } from "../core/errors";
import {
    Acknowledged,
    EscalationFinding,
    EscalationRule,
    EscalationRules,
    GrantActions,
    HeldAction,
    acknowledgementOf,
    findEscalations,
    matchesPattern,
    refusal,
    reviewEscalations,
} from "../core/escalation";
import { ActionInfo, findAction, matchResourceTypes, resourceTypesOf } from "./catalog";
import { GrantPlan, expandAccess } from "./grants";
import { ESCALATION_TAG_PREFIX, MAX_TAG_VALUE_CHARS, isTagValue, tagValueFix } from "./tags";

/**
 * The AWS privilege-escalation methods the identity refuses unless a grant acknowledges them.
 *
 * Sources, each cited per rule:
 * - Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation" (the 21 methods,
 *   numbered as in https://github.com/RhinoSecurityLabs/AWS-IAM-Privilege-Escalation),
 *   https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
 * - cloudsplaining (Salesforce), `PRIVILEGE_ESCALATION_METHODS` and
 *   `ACTIONS_THAT_RETURN_CREDENTIALS` in cloudsplaining/shared/constants.py; rule IDs are its method
 *   names, https://github.com/salesforce/cloudsplaining
 *
 * Narrow enough (`narrowIsSafe`): handing ONE named role to a service (`iam:PassRole`), assuming
 * ONE named role, replacing the code of ONE named function or endpoint is what a deployer does,
 * and is the narrow form these rules recommend; on a wildcard or `*` it reaches every role,
 * function or endpoint of the account. Rewriting a policy, a trust policy, a user's or group's
 * permissions, or minting a user's credentials is an escalation even on one named resource (one
 * policy can be rewritten to allow everything), so those rules fire on any resource.
 *
 * Left out: `dynamodb:CreateTable`/`PutItem` variant of the DynamoDB trigger (a superset of the
 * rule with an existing table, which fires first); pathfinding.cloud additions to cloudsplaining
 * beyond Rhino's methods; credential-returning actions that do not reach another IAM identity
 * (`ecr:GetAuthorizationToken`, `rds-db:connect`, …).
 */
const RHINO = "Rhino Security Labs";
const CLOUDSPLAINING = "cloudsplaining";
const PASS_ROLE_INSTEAD =
    "Grant `iam:PassRole` on the one role the workload hands to a service, such as `arn:aws:iam::123456789012:role/app-runtime`.";
const IAM_INSTEAD =
    "Change IAM policies, users and groups from the stack that declares them, not from a workload's identity.";
const USER_INSTEAD = "Give the other workload an identity of its own instead of minting an IAM user's credentials.";

const passRoleWith = (id: string, number: string, withActions: string[], effect: string): EscalationRule => ({
    id,
    source: `${RHINO} ${number}; ${CLOUDSPLAINING}`,
    key: ["iam:PassRole"],
    narrowIsSafe: true,
    with: withActions,
    effect,
    instead: PASS_ROLE_INSTEAD,
});

export const AWS_ESCALATION_RULES: readonly EscalationRule[] = [
    {
        id: "CreateNewPolicyVersion",
        source: `${RHINO} #1; ${CLOUDSPLAINING}`,
        key: ["iam:CreatePolicyVersion"],
        narrowIsSafe: false,
        effect: "make a new default version of the policy that allows anything, for every principal it is attached to",
        instead: IAM_INSTEAD,
    },
    {
        id: "SetExistingDefaultPolicyVersion",
        source: `${RHINO} #2; ${CLOUDSPLAINING}`,
        key: ["iam:SetDefaultPolicyVersion"],
        narrowIsSafe: false,
        effect: "put an older, possibly broader, version of the policy in force",
        instead: IAM_INSTEAD,
    },
    {
        id: "CreateAccessKey",
        source: `${RHINO} #4; ${CLOUDSPLAINING}`,
        key: ["iam:CreateAccessKey"],
        narrowIsSafe: false,
        effect: "create an access key of that user and act as the user",
        instead: USER_INSTEAD,
    },
    {
        id: "CreateLoginProfile",
        source: `${RHINO} #5; ${CLOUDSPLAINING}`,
        key: ["iam:CreateLoginProfile"],
        narrowIsSafe: false,
        effect: "give that user a console password and sign in as the user",
        instead: USER_INSTEAD,
    },
    {
        id: "UpdateLoginProfile",
        source: `${RHINO} #6; ${CLOUDSPLAINING}`,
        key: ["iam:UpdateLoginProfile"],
        narrowIsSafe: false,
        effect: "change that user's console password and sign in as the user",
        instead: USER_INSTEAD,
    },
    {
        id: "CreateServiceSpecificCredential",
        source: `${CLOUDSPLAINING} credentials exposure`,
        key: ["iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential"],
        narrowIsSafe: false,
        effect: "obtain a service-specific password of that user",
        instead: USER_INSTEAD,
    },
    {
        id: "AttachUserPolicy",
        source: `${RHINO} #7; ${CLOUDSPLAINING}`,
        key: ["iam:AttachUserPolicy"],
        narrowIsSafe: false,
        effect: "attach any managed policy, such as AdministratorAccess, to that user",
        instead: IAM_INSTEAD,
    },
    {
        id: "AttachGroupPolicy",
        source: `${RHINO} #8; ${CLOUDSPLAINING}`,
        key: ["iam:AttachGroupPolicy"],
        narrowIsSafe: false,
        effect: "attach any managed policy, such as AdministratorAccess, to that group",
        instead: IAM_INSTEAD,
    },
    {
        id: "AttachRolePolicy",
        source: `${RHINO} #9; ${CLOUDSPLAINING}`,
        key: ["iam:AttachRolePolicy"],
        narrowIsSafe: false,
        effect: "attach any managed policy, such as AdministratorAccess, to that role",
        instead: IAM_INSTEAD,
    },
    {
        id: "PutUserPolicy",
        source: `${RHINO} #10; ${CLOUDSPLAINING}`,
        key: ["iam:PutUserPolicy"],
        narrowIsSafe: false,
        effect: "write an inline policy that allows anything into that user",
        instead: IAM_INSTEAD,
    },
    {
        id: "PutGroupPolicy",
        source: `${RHINO} #11; ${CLOUDSPLAINING}`,
        key: ["iam:PutGroupPolicy"],
        narrowIsSafe: false,
        effect: "write an inline policy that allows anything into that group",
        instead: IAM_INSTEAD,
    },
    {
        id: "PutRolePolicy",
        source: `${RHINO} #12; ${CLOUDSPLAINING}`,
        key: ["iam:PutRolePolicy"],
        narrowIsSafe: false,
        effect: "write an inline policy that allows anything into that role",
        instead: IAM_INSTEAD,
    },
    {
        id: "AddUserToGroup",
        source: `${RHINO} #13; ${CLOUDSPLAINING}`,
        key: ["iam:AddUserToGroup"],
        narrowIsSafe: false,
        effect: "add any user to that group and so give it the group's permissions",
        instead: IAM_INSTEAD,
    },
    {
        id: "UpdateRolePolicyToAssumeIt",
        source: `${RHINO} #14; ${CLOUDSPLAINING}`,
        key: ["iam:UpdateAssumeRolePolicy"],
        narrowIsSafe: false,
        effect: "rewrite that role's trust policy so that it, or anyone, may assume the role",
        instead: IAM_INSTEAD,
    },
    {
        id: "AssumeAnyRole",
        source: `${CLOUDSPLAINING} credentials exposure (\`sts:AssumeRole\`)`,
        key: ["sts:AssumeRole"],
        narrowIsSafe: true,
        effect: "assume every role that trusts its account, with that role's permissions",
        instead: "Grant `sts:AssumeRole` on the one role the workload assumes.",
    },
    {
        id: "PassAnyRole",
        source: `${RHINO} #3, #15–#17, #19, #21; ${CLOUDSPLAINING} \`iam:PassRole:*\``,
        key: ["iam:PassRole"],
        narrowIsSafe: true,
        effect: "hand any role of the account to a service it controls, and act with that role's permissions",
        instead: PASS_ROLE_INSTEAD,
    },
    passRoleWith(
        "CreateEC2WithExistingIP",
        "#3",
        ["ec2:RunInstances"],
        "start an instance with any role and read the role's credentials on it",
    ),
    passRoleWith(
        "PassExistingRoleToNewLambdaThenInvoke",
        "#15",
        ["lambda:CreateFunction", "lambda:InvokeFunction"],
        "create a function that runs as any role, and invoke it",
    ),
    passRoleWith(
        "PassExistingRoleToNewLambdaThenAddPermission",
        "#16",
        ["lambda:CreateFunction", "lambda:AddPermission"],
        "create a function that runs as any role, and let another account invoke it",
    ),
    passRoleWith(
        "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
        "#17",
        ["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
        "create a function that runs as any role, and trigger it from a DynamoDB stream",
    ),
    passRoleWith(
        "PassExistingRoleToNewGlueDevEndpoint",
        "#19",
        ["glue:CreateDevEndpoint"],
        "create a Glue development endpoint that runs as any role, and log in to it",
    ),
    passRoleWith(
        "PassExistingRoleToCloudFormation",
        "#21",
        ["cloudformation:CreateStack"],
        "create a stack that acts as any role",
    ),
    {
        id: "PassExistingRoleToNewDataPipeline",
        source: `${RHINO}; ${CLOUDSPLAINING}`,
        key: ["iam:PassRole"],
        narrowIsSafe: true,
        with: ["datapipeline:CreatePipeline"],
        effect: "create a pipeline that runs as any role",
        instead: PASS_ROLE_INSTEAD,
    },
    {
        id: "EditExistingLambdaFunctionWithRole",
        source: `${RHINO} #18; ${CLOUDSPLAINING}`,
        key: ["lambda:UpdateFunctionCode"],
        narrowIsSafe: true,
        effect: "replace the code of any function and run as the function's role",
        instead:
            "Grant `lambda:UpdateFunctionCode` on the one function the workload deploys (`arn:aws:lambda:<region>:<account>:function:<name>`).",
    },
    {
        id: "UpdateExistingGlueDevEndpoint",
        source: `${RHINO} #20; ${CLOUDSPLAINING}`,
        key: ["glue:UpdateDevEndpoint"],
        narrowIsSafe: true,
        effect: "put its SSH key on any Glue development endpoint and act as the endpoint's role",
        instead: "Grant `glue:UpdateDevEndpoint` on the one endpoint the workload updates.",
    },
];

const RULES = new EscalationRules(AWS_ESCALATION_RULES);
/** The services some rule names: an access-level grant of another service is skipped at once. */
const SERVICES = new Set([...RULES.actions()].map((a) => a.split(":")[0]));

/** Where a reason is recorded, for messages: in the tags of the principal (`role`, `user`). */
export function awsRecorded(principal: string): string {
    return `the ${principal}'s \`${ESCALATION_TAG_PREFIX}<method>\` tag`;
}
/** Where a role's reason is recorded, for messages. */
export const AWS_RECORDED = awsRecorded("role");

/** The escalations of an identity: the tags recording the acknowledged ones. */
export interface AwsEscalationPlan {
    /** `nhi:escalation:<method>` → reason, for every acknowledged method. */
    readonly tags: Readonly<Record<string, string>>;
    readonly acknowledged: readonly Acknowledged[];
}

/**
 * Checks the escalations the valid grants `plans` allow together, and each grant's `acknowledge`
 * (read from `grants`, the grants as given), recording every problem. Returns the tags recording
 * the acknowledged ones; `recorded` says where they are kept, for messages.
 */
export function planAwsEscalations(
    plans: readonly GrantPlan[],
    grants: unknown,
    problems: Problems,
    recorded: string = AWS_RECORDED,
): AwsEscalationPlan {
    const facts = plans.map((plan): GrantActions => ({
        path: plan.path,
        held: heldActions(plan),
        acknowledge: acknowledgementOf(grants, plan.path),
    }));
    const review = reviewEscalations(RULES, facts, recorded);
    review.problems.forEach((p) => problems.add(p.propertyPath, p.reason));
    const reasons = new Map<string, { reason: string; grants: string[] }[]>();
    const untaggable = new Set<string>();
    for (const a of review.acknowledged) {
        const at = `${a.grant}.acknowledge`;
        if (!isTagValue(a.reason)) {
            if (!untaggable.has(at)) {
                untaggable.add(at);
                problems.add(
                    at,
                    `\`${at}\` is recorded in the IAM tag \`${ESCALATION_TAG_PREFIX}${a.rule.id}\`, which allows at most ${MAX_TAG_VALUE_CHARS} letters, digits, spaces and \`_ . : / = + - @\`; ${tagValueFix(a.reason)}.`,
                );
            }
            continue;
        }
        const list = reasons.get(a.rule.id) ?? [];
        const same = list.find((r) => r.reason === a.reason);
        if (same === undefined) {
            list.push({ reason: a.reason, grants: [a.grant] });
        } else if (!same.grants.includes(a.grant)) {
            same.grants.push(a.grant);
        }
        reasons.set(a.rule.id, list);
    }
    const tags: Record<string, string> = {};
    for (const [id, list] of reasons) {
        const value = list.map((r) => r.reason).join(" / ");
        if (value.length > MAX_TAG_VALUE_CHARS) {
            const paths = list
                .flatMap((r) => r.grants)
                .map((g) => `\`${g}.acknowledge\``)
                .join(" and ");
            problems.add(
                `${list[0].grants[0]}.acknowledge`,
                `${paths} both acknowledge ${id}, recorded together in the IAM tag \`${ESCALATION_TAG_PREFIX}${id}\` of at most ${MAX_TAG_VALUE_CHARS} characters; give them the same reason, or shorter ones (${value.length} characters).`,
            );
            continue;
        }
        tags[`${ESCALATION_TAG_PREFIX}${id}`] = value;
    }
    return { tags, acknowledged: review.acknowledged };
}

/**
 * The escalations that access-level grants on ARNs known only at deploy time allow, once `resolved`
 * gives those grants with their ARNs (the other grants as planned): at construction such a grant's
 * actions are not known, so it is judged here, with the construction-time message. It cannot
 * acknowledge an escalation (its record is written before the ARN exists): the message says to name
 * the exact actions, which are judged, and may be acknowledged, before anything is created.
 */
export function deployTimeEscalationProblems(
    plans: readonly GrantPlan[],
    resolved: readonly GrantPlan[],
    recorded: string = AWS_RECORDED,
): { propertyPath: string; reason: string }[] {
    const late = new Map(resolved.filter((p) => p.kind === "access").map((p) => [p.path, p]));
    if (late.size === 0) {
        return [];
    }
    const findings = findAwsEscalations(plans.map((p) => late.get(p.path) ?? p));
    return [...late.keys()].flatMap((path) => {
        const mine = findings.filter((f) => f.grant === path);
        if (mine.length === 0) {
            return [];
        }
        const reason = refusal(path, mine, recorded).replace(
            / If the escalation is intended, .*$/,
            ` An access-level grant on an ARN known only at deploy time cannot acknowledge it: name the exact actions in an \`actions\` grant, whose escalations are judged, and may be acknowledged, before anything is created.`,
        );
        return [{ propertyPath: path, reason }];
    });
}

/**
 * The escalation methods the grants `plans` allow together, acknowledged or not: the pure
 * function review reports and policy packs use (`planAwsServiceIdentity` refuses them).
 */
export function findAwsEscalations(plans: readonly GrantPlan[]): EscalationFinding[] {
    return findEscalations(
        RULES,
        plans.map((plan) => ({ path: plan.path, held: heldActions(plan) })),
    );
}

/**
 * The actions of `plan` that some rule names, each with the broadest resource it is held on. A
 * resource known only at deploy time counts as one named resource (an ARN output by a resource
 * names that resource); an access-level grant on such a resource is skipped, since the actions it
 * expands to are only known at deploy time.
 */
export function heldActions(plan: GrantPlan): HeldAction[] {
    const held = new Map<string, HeldAction>();
    const hold = (action: string, on: string, broad: boolean) => {
        const k = action.toLowerCase();
        const before = held.get(k);
        if (before === undefined || (broad && !before.broad)) {
            held.set(k, { action, on, broad });
        }
    };
    if (plan.kind === "access") {
        if (!SERVICES.has(plan.service)) {
            return [];
        }
        for (const r of plan.resources) {
            if (typeof r === "string") {
                expandAccess(plan.service, plan.access, r)
                    .filter((a) => RULES.names(a))
                    .forEach((a) => hold(a, `\`${r}\``, isBroad(r)));
            }
        }
        return [...held.values()];
    }
    for (const name of plan.actions) {
        for (const action of expandName(name)) {
            const [service, short] = action.split(":");
            const info = findAction(service, short);
            if (info === undefined) {
                continue;
            }
            // Only a wildcard ARN, or a choice between ARNs of the action's service, needs matching
            // against the action's resource types: the grant's checks already made every exact action
            // apply to one of its ARNs, so without `allowWildcard` an ARN of the action's service is
            // where it is held when it is the only one.
            let broad: string | undefined;
            let unknown = false;
            const named: string[] = [];
            for (const r of plan.resources) {
                if (typeof r !== "string") {
                    unknown = true;
                } else if (isBroad(r)) {
                    if (appliesTo(service, info, r)) {
                        broad = `\`${r}\``;
                        break;
                    }
                } else if (arnServicesOf(service, info).has(r.split(":", 3)[2])) {
                    named.push(r);
                }
            }
            const exact =
                named.length === 1 && !plan.allowWildcard ? named[0] : named.find((r) => appliesTo(service, info, r));
            const narrow =
                exact !== undefined ? `\`${exact}\`` : unknown ? "a resource known at deploy time" : undefined;
            if (broad !== undefined || narrow !== undefined) {
                hold(info.fullName, (broad ?? narrow)!, broad !== undefined);
            }
        }
    }
    return [...held.values()];
}

/** The actions some rule names that the action or pattern `name` (`iam:PassRole`, `iam:*`, `*`) covers. */
function expandName(name: string): string[] {
    if (!/[*?]/.test(name)) {
        return RULES.names(name) ? [name] : [];
    }
    return [...RULES.actions()].filter((a) => matchesPattern(name, a));
}

/** Whether the ARN (or pattern) `r` can name a resource the action `info` of `service` applies to. */
function appliesTo(service: string, info: ActionInfo, r: string): boolean {
    if (r === "*" || info.resourceTypes.length === 0) {
        return r === "*";
    }
    if (matchResourceTypes(service, r).some((t) => info.resourceTypes.includes(t))) {
        return true;
    }
    // `arn:aws:iam::123456789012:*`: every resource of the service that holds the action's types.
    const parts = r.split(":");
    return parts.length === 6 && parts[5] === "*" && arnServicesOf(service, info).has(parts[2]);
}

/**
 * The service fields of the ARNs an action applies to (`iam` for `sts:AssumeRole`, whose resource
 * is a role), per action some rule names: at most a few dozen entries for the life of the process.
 */
const arnServices = new Map<string, ReadonlySet<string>>();

function arnServicesOf(service: string, info: ActionInfo): ReadonlySet<string> {
    let services = arnServices.get(info.fullName);
    if (services === undefined) {
        const types = resourceTypesOf(service).filter((t) => info.resourceTypes.includes(t.key));
        services = new Set(types.map((t) => t.arnPattern.split(":")[2]));
        arnServices.set(info.fullName, services);
    }
    return services;
}

/** Whether `r` names more than one resource: `*`, or an ARN with a wildcard. */
function isBroad(r: string): boolean {
    return /[*?]/.test(r);
}
