import * as pulumi from "@pulumi/pulumi";
import { DeferredCheck, checkNowOrLater } from "../core/deferred";
import { Problems, describe } from "../core/errors";
import { findAction } from "./catalog";
import { ActionsGrantPlan } from "./grants";

/**
 * What a Lambda function needs to write its logs, offered as one line on a `lambda.amazonaws.com`
 * trust (`trust.service.logGroups`): validated here, and turned into the grant it stands for.
 */

/** The service principal of AWS Lambda, the one service trust that may carry `logGroups`. */
export const LAMBDA_PRINCIPAL = "lambda.amazonaws.com";

/**
 * What a Lambda function needs to write its logs to a log group the stack declares: create its
 * streams and put events in them. AWS's managed `AWSLambdaBasicExecutionRole` also grants
 * `logs:CreateLogGroup` (on `*`), which only matters when Lambda has to create the group itself; a
 * group declared by the stack already exists, so it is left out.
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 */
export const LAMBDA_LOG_ACTIONS: readonly string[] = ["logs:CreateLogStream", "logs:PutLogEvents"];

/**
 * A log group's ARN: `arn:<partition>:logs:<region>:<account>:log-group:<name>`, optionally ending
 * `:*` as `DescribeLogGroups` writes it. AWS: a name is 1–512 of `a-zA-Z0-9_-/.#`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
 */
const LOG_GROUP_ARN = /^(arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[\w\-/.#]{1,512})(:\*)?$/;

/** Validates `trust.service.logGroups`, recording problems; returns the groups. */
export function planLogGroups(
    principal: string,
    logGroups: unknown,
    problems: Problems,
    later: DeferredCheck[],
): readonly pulumi.Input<string>[] {
    const path = "trust.service.logGroups";
    if (principal !== LAMBDA_PRINCIPAL) {
        problems.add(
            path,
            `\`${path}\` grants a Lambda function's log writes, so it needs \`principal: "${LAMBDA_PRINCIPAL}"\`; got ${describe(principal)}. For another service, grant its log permissions in \`grants\`, such as \`{ actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: ["<log group ARN>:*"] }\`.`,
        );
        return [];
    }
    if (!Array.isArray(logGroups) || logGroups.length === 0) {
        problems.add(
            path,
            `\`${path}\` must list at least one log group ARN, such as \`logGroup.arn\` of an \`aws.cloudwatch.LogGroup\`; got ${describe(logGroups)}.`,
        );
        return [];
    }
    logGroups.forEach((group, k) => {
        if (typeof group === "string" || group === undefined || group === null) {
            const problem = logGroupProblem(`${path}[${k}]`, group);
            if (problem !== undefined) {
                problems.add(`${path}[${k}]`, problem);
            }
        } else {
            checkNowOrLater(
                {
                    path: `${path}[${k}]`,
                    value: group as pulumi.Input<string>,
                    problem: (arn) => logGroupProblem(`${path}[${k}]`, arn),
                },
                problems,
                later,
            );
        }
    });
    return logGroups;
}

/** Why `group` is not the ARN of one log group, or undefined when it is. */
export function logGroupProblem(path: string, group: unknown): string | undefined {
    if (typeof group === "string" && LOG_GROUP_ARN.test(group)) {
        return undefined;
    }
    const named =
        typeof group === "string" && /^[\w\-/.#]{1,512}$/.test(group)
            ? ` A name is not enough: the component does not read the region and account from the environment. Pass \`logGroup.arn\`, or \`arn:aws:logs:<region>:<account>:log-group:${group}\`.`
            : "";
    return `\`${path}\` must be the ARN of one CloudWatch Logs log group, \`arn:aws:logs:<region>:<account>:log-group:<name>\` (such as \`logGroup.arn\` of an \`aws.cloudwatch.LogGroup\`), without wildcards; got ${describe(group)}.${named}`;
}

/**
 * The pattern of the log streams of the log group `arn` (`<group ARN>:*`): the resource of
 * {@link LAMBDA_LOG_ACTIONS}, the form AWS's own Lambda execution policies use.
 */
export function logStreamsOf(arn: string): string {
    return `${LOG_GROUP_ARN.exec(arn)![1]}:*`;
}

/**
 * The grant `trust.service.logGroups` stands for: {@link LAMBDA_LOG_ACTIONS} on the streams of each
 * log group. A group known only at deploy time was put among the identity's deferred checks by
 * {@link planLogGroups}, so its policy is written only once the group's ARN has passed.
 */
export function logGroupGrant(logGroups: readonly pulumi.Input<string>[]): ActionsGrantPlan {
    const path = "trust.service.logGroups";
    const resources = logGroups.map((group) =>
        typeof group === "string"
            ? logStreamsOf(group)
            : pulumi.output(group).apply((arn) => (LOG_GROUP_ARN.test(arn) ? logStreamsOf(arn) : arn)),
    );
    const infos = LAMBDA_LOG_ACTIONS.map((a) => findAction("logs", a.slice("logs:".length))!);
    return { kind: "actions", path, actions: infos.map((i) => i.fullName), infos, resources, allowWildcard: false };
}
