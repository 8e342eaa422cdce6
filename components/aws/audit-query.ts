/*
 * The ready-made CloudWatch Logs Insights query over CloudTrail that every AWS identity of this
 * package offers (`auditQuery`): what its role's sessions or its user's keys did, newest first.
 * Plain data in, plain text out; no cloud SDK. The field names are CloudTrail's record contents:
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * Logs Insights flattens a JSON event's nested fields with dots (`userIdentity.arn`, the pages
 * below) and an array's elements by their index (`resources.0.ARN`: not stated on those pages, so
 * the query only shows that field and never filters on it):
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
 */
import { quotedLiteral } from "../core/quoted";

/**
 * The most events the query returns. Without a `limit` Logs Insights returns up to 10,000 (and
 * takes at most 100,000); a tenth of the default keeps the console readable and the CLI's answer
 * small, and a narrower time range finds older events.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html
 */
export const AUDIT_QUERY_LIMIT = 1_000;

/**
 * The columns shown, in order: when, which service and call, in which region, from where (source
 * IP, user agent), the caller (for a role: its session, `arn:aws:sts::…:assumed-role/<role>/<session>`;
 * for an AssumeRole event: who assumed it), the access key that signed the call, whether it failed
 * (`errorCode`, `errorMessage`), and the first resource CloudTrail lists (`resources[0].ARN`; the
 * whole record is in `@message`).
 */
export const AUDIT_QUERY_FIELDS = [
    "@timestamp",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "userIdentity.arn",
    "userIdentity.accessKeyId",
    "errorCode",
    "errorMessage",
    "resources.0.ARN",
] as const;

/** Which IAM principal holds the identity: a role (`AwsServiceIdentity`) or a user (`AwsAccessKeyIdentity`). */
export type AuditedPrincipal = "role" | "user";

/**
 * The Logs Insights query of everything the principal `arn` did, as CloudTrail recorded it in a
 * trail's CloudWatch Logs log group, newest first, at most {@link AUDIT_QUERY_LIMIT} events:
 * - a role: the calls of its sessions (CloudTrail records them with `userIdentity.type`
 *   `AssumedRole` and the role's ARN as `userIdentity.sessionContext.sessionIssuer.arn`), and the
 *   `AssumeRole`, `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML` calls that opened them
 *   (`requestParameters.roleArn`), which show who assumed it and from where;
 * - a user: the calls signed with its access keys (`userIdentity.arn`, with the key in
 *   `userIdentity.accessKeyId`), and those of sessions it opened with `GetFederationToken`, whose
 *   issuer is the user (`userIdentity.sessionContext.sessionIssuer.arn`).
 *
 * Refuses (throws) an ARN that could end the query's string literal: a `"`, a `\` or a control
 * character. Role and user names cannot hold one (IAM: letters, digits and `+=,.@_-`), but an IAM
 * path may hold any printable ASCII character, and Logs Insights documents no escape inside a
 * quoted string, so a query that quoted such an ARN could match other principals' events.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (`Path`, `RoleName`)
 */
export function renderAuditQuery(principal: AuditedPrincipal, arn: string): string {
    const quoted = quotedLiteral(
        arn,
        "the audit query",
        "ARN",
        ' Give the identity a `path` without `"`, `\\` or control characters.',
    );
    const match =
        principal === "role"
            ? [`userIdentity.sessionContext.sessionIssuer.arn = ${quoted}`, `requestParameters.roleArn = ${quoted}`]
            : [`userIdentity.arn = ${quoted}`, `userIdentity.sessionContext.sessionIssuer.arn = ${quoted}`];
    return [
        `fields ${AUDIT_QUERY_FIELDS.join(", ")}`,
        `| filter ${match.join(" or ")}`,
        "| sort @timestamp desc",
        `| limit ${AUDIT_QUERY_LIMIT}`,
    ].join("\n");
}
