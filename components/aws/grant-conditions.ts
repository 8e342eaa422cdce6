import * as pulumi from "@pulumi/pulumi";
import { Problems, allOf, describe, didYouMean } from "../core/errors";
import { closestNames } from "../core/suggest";
import { ActionInfo, actionSupportsKey, isService, serviceNames } from "./catalog";
import { Condition, bothConditions } from "./policy";
import { MAX_TAG_KEY_CHARS, isTagValue } from "./tags";

/**
 * The conditions a grant may put on its statements, each checked against the catalogue: every
 * action of the grant must support the condition key for the resources it is granted on, or IAM
 * would never allow it. `whereTagged` (attribute-based access control), `viaService` (KMS use
 * only through an AWS service) and `metricNamespace` (CloudWatch metrics of one namespace).
 */

/** The condition key `whereTagged` writes, as the reference spells it for the actions that support it. */
export const RESOURCE_TAG_KEY = "aws:ResourceTag/${TagKey}";
/**
 * The condition key `viaService` writes: KMS sets it on a request an AWS service makes on the
 * caller's behalf, to `<service>.<region>.amazonaws.com`.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export const VIA_SERVICE_KEY = "kms:ViaService";
/**
 * The condition key `metricNamespace` writes: the namespace of the metrics a
 * `cloudwatch:PutMetricData` request publishes (the action has no resource-level permissions).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html
 */
export const METRIC_NAMESPACE_KEY = "cloudwatch:namespace";
/**
 * A CloudWatch namespace: 1–255 characters, ASCII letters, digits and `. - _ / # : ` (no space
 * within the condition value, to keep it exact), not starting with `AWS/`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 */
const METRIC_NAMESPACE = /^(?!AWS\/)[A-Za-z0-9.\-_/#:]{1,255}$/;

/** A condition option of a grant, and the catalogue key each action must support for it. */
export interface RequiredKey {
    /** `whereTagged`, `viaService` or `metricNamespace`. */
    readonly option: string;
    /** The key as the reference writes it. */
    readonly key: string;
    /** What the option does, for messages: "limits the grant to resources with those tags". */
    readonly meaning: string;
}

/** A grant's conditions, validated: the condition block and the keys its actions must support. */
export interface GrantConditions {
    readonly condition: Condition;
    readonly required: readonly RequiredKey[];
}

/** The options of a grant that add conditions, as a JavaScript caller may pass them. */
export interface ConditionOptions {
    readonly whereTagged?: unknown;
    readonly viaService?: unknown;
    readonly metricNamespace?: unknown;
}

/**
 * The conditions of the grant at `path`, or undefined when it has none or they are invalid (the
 * problems recorded).
 */
export function planGrantConditions(
    grant: ConditionOptions,
    path: string,
    problems: Problems,
): GrantConditions | undefined {
    const parts: GrantConditions[] = [];
    let ok = true;
    if (grant.whereTagged !== undefined) {
        const tagged = planWhereTagged(grant.whereTagged, `${path}.whereTagged`, problems);
        ok &&= tagged !== undefined;
        if (tagged !== undefined) {
            parts.push({
                condition: tagged,
                required: [
                    {
                        option: "whereTagged",
                        key: RESOURCE_TAG_KEY,
                        meaning: "limits the grant to resources with those tags",
                    },
                ],
            });
        }
    }
    if (grant.viaService !== undefined) {
        const via = planViaService(grant.viaService, `${path}.viaService`, problems);
        ok &&= via !== undefined;
        if (via !== undefined) {
            parts.push({
                condition: via,
                required: [
                    {
                        option: "viaService",
                        key: VIA_SERVICE_KEY,
                        meaning: "limits the grant to KMS requests an AWS service makes on the identity's behalf",
                    },
                ],
            });
        }
    }
    if (grant.metricNamespace !== undefined) {
        const at = `${path}.metricNamespace`;
        const ns = grant.metricNamespace;
        if (typeof ns !== "string" || !METRIC_NAMESPACE.test(ns)) {
            problems.add(
                at,
                `\`${at}\` must be a CloudWatch namespace of your own: 1–255 letters, digits and \`. - _ / # :\`, not starting \`AWS/\`, such as \`PulumiNhi\`; got ${describe(ns)}.`,
            );
            ok = false;
        } else {
            parts.push({
                condition: { StringEquals: { [METRIC_NAMESPACE_KEY]: ns } },
                required: [
                    {
                        option: "metricNamespace",
                        key: METRIC_NAMESPACE_KEY,
                        meaning: "limits the grant to metrics of one namespace",
                    },
                ],
            });
        }
    }
    if (!ok || parts.length === 0) {
        return undefined;
    }
    return {
        condition: parts.map((p) => p.condition).reduce((a, b) => bothConditions(a, b)!),
        required: parts.flatMap((p) => p.required),
    };
}

function planWhereTagged(whereTagged: unknown, at: string, problems: Problems): Condition | undefined {
    const entries =
        whereTagged !== null &&
        typeof whereTagged === "object" &&
        !Array.isArray(whereTagged) &&
        !pulumi.Output.isInstance(whereTagged)
            ? Object.entries(whereTagged)
            : [];
    if (entries.length === 0) {
        problems.add(
            at,
            `\`${at}\` must map at least one tag key to the value a resource must carry, such as \`{ "team": "payments" }\`; got ${describe(whereTagged)}.`,
        );
        return undefined;
    }
    const equals: Record<string, string> = {};
    let ok = true;
    for (const [key, value] of entries) {
        if (key === "" || key.length > MAX_TAG_KEY_CHARS || !isTagValue(key)) {
            problems.add(
                `${at}.${key}`,
                `\`${at}\`: a tag key must be 1–${MAX_TAG_KEY_CHARS} letters, digits, spaces and \`_ . : / = + - @\`; got ${describe(key)}.`,
            );
            ok = false;
        } else if (typeof value !== "string" || !isTagValue(value)) {
            problems.add(
                `${at}.${key}`,
                `\`${at}.${key}\` must be a tag value known when the program runs: at most 256 letters, digits, spaces and \`_ . : / = + - @\`; got ${describe(value)}.`,
            );
            ok = false;
        } else {
            equals[`aws:ResourceTag/${key}`] = value;
        }
    }
    return ok ? { StringEquals: equals } : undefined;
}

function planViaService(service: unknown, at: string, problems: Problems): Condition | undefined {
    if (typeof service !== "string" || !isService(service)) {
        const hint =
            typeof service === "string"
                ? didYouMean(closestNames(service.replace(/\.amazonaws\.com$/, ""), serviceNames()))
                : "";
        problems.add(
            at,
            `\`${at}\` must be the prefix of the AWS service that uses the key on the identity's behalf, such as \`secretsmanager\`; got ${describe(service)}.${hint}`,
        );
        return undefined;
    }
    // Any region: a KMS key is regional, so a service elsewhere cannot use it anyway.
    return { StringLike: { [VIA_SERVICE_KEY]: `${service}.*.amazonaws.com` } };
}

/**
 * The problems of a grant at `path` whose conditions need `required` keys, given every (action,
 * resource) pair it grants (`pairs`; the resource an ARN, pattern or `*`) and whether it grants
 * `*`, every action: one problem per option, naming the actions that lack its key.
 */
export function conditionProblems(
    path: string,
    required: readonly RequiredKey[],
    pairs: readonly (readonly [ActionInfo, string])[],
    everything: boolean,
): { propertyPath: string; reason: string }[] {
    return required.flatMap(({ option, key, meaning }) => {
        const lacking = new Set(
            pairs.filter(([info, r]) => !actionSupportsKey(info, r, key)).map(([info]) => info.fullName),
        );
        const actions = [...(everything ? ["*"] : []), ...[...lacking].sort()];
        if (actions.length === 0) {
            return [];
        }
        const one = actions.length === 1;
        const shown =
            actions.length <= 5
                ? allOf(actions)
                : `${actions
                      .slice(0, 5)
                      .map((a) => `\`${a}\``)
                      .join(", ")} and ${actions.length - 5} more`;
        return [
            {
                propertyPath: `${path}.${option}`,
                reason: `\`${path}.${option}\` ${meaning}, but ${shown} ${one ? "does" : "do"} not support the condition key \`${key}\` (Service Authorization Reference), so IAM would never allow ${one ? "it" : "them"}; move ${one ? "it" : "them"} to a grant without \`${option}\`.`,
            },
        ];
    });
}
