import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, checkNowOrLater } from "../core/deferred";
import { Problems, describe } from "../core/errors";

/**
 * An SNS topic ARN: a name of 1–256 of `A–Z a–z 0–9 _ -`, ending `.fifo` for a FIFO topic.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 */
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/**
 * The problem of a value given at `path` that should be an SNS topic ARN, with the closest ARN
 * when one is obvious (another service's ARN with the same name, or a bare topic name); undefined
 * for a topic ARN (standard or FIFO).
 */
export function snsTopicProblem(path: string, v: unknown): string | undefined {
    if (typeof v === "string" && SNS_TOPIC_ARN.test(v)) {
        return undefined;
    }
    let hint = "";
    if (typeof v === "string") {
        const parts = v.split(":");
        if (parts.length === 6 && parts[0] === "arn" && parts[2] !== "sns") {
            hint = ` Did you mean \`${[...parts.slice(0, 2), "sns", ...parts.slice(3)].join(":")}\`?`;
        } else if (/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(v)) {
            hint = ` Did you mean \`arn:aws:sns:<region>:<account>:${v}\`?`;
        }
    }
    return `\`${path}\` must be the ARN of an SNS topic, \`arn:aws:sns:<region>:<account>:<topic>\` (such as \`topic.arn\` of an \`aws.sns.Topic\`); got ${describe(v)}.${hint}`;
}

/**
 * Checks an SNS topic ARN given at `path` now, or where it resolves (an Output or a Promise);
 * returns it, or undefined after recording why it cannot be one.
 */
export function checkSnsTopic(
    value: unknown,
    path: string,
    problems: Problems,
    later: DeferredCheck[],
): pulumi.Input<string> | undefined {
    const problem = (v: unknown) => snsTopicProblem(path, v);
    if (typeof value === "string" || pulumi.Output.isInstance(value) || value instanceof Promise) {
        checkNowOrLater({ path, value: value as pulumi.Input<string>, problem }, problems, later);
        return value as pulumi.Input<string>;
    }
    problems.add(path, problem(value)!);
    return undefined;
}
