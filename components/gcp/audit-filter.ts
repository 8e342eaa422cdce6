/*
 * The ready-made Cloud Logging filter over Cloud Audit Logs that every Google identity of this
 * package offers (`auditLogFilter`): what its service account did. Plain data in, plain text out;
 * no cloud SDK. The fields are those of `AuditLog` and its `AuthenticationInfo`:
 * @see https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog
 * @see https://cloud.google.com/logging/docs/audit/understanding-audit-logs
 * written in the Logging query language:
 * @see https://cloud.google.com/logging/docs/view/logging-query-language
 */
import { quotedLiteral } from "../core/quoted";

/**
 * The audit logs a service account's own calls are written to, as `logName` holds them
 * (URL-encoded): Admin Activity, Data Access (off by default, except BigQuery's) and Policy Denied.
 * System Event logs are left out: Google's systems write them, not a principal.
 * @see https://cloud.google.com/logging/docs/audit#types
 */
export const AUDIT_LOG_IDS = [
    "cloudaudit.googleapis.com%2Factivity",
    "cloudaudit.googleapis.com%2Fdata_access",
    "cloudaudit.googleapis.com%2Fpolicy",
] as const;

/**
 * The Cloud Logging filter of everything the service account `email` did, as the audit logs
 * recorded it:
 * - its own calls, whoever acted as it (an attached workload, a user or workload impersonating it,
 *   a federated GitHub or GKE workload): `protoPayload.authenticationInfo.principalEmail`, the
 *   email of the principal the request was made as; the entry's `serviceAccountDelegationInfo`
 *   then names who acted as it (`firstPartyPrincipal.principalEmail` for a Google account,
 *   `principalSubject` for a federated one);
 * - the calls it made by impersonating another service account, where it appears in that chain as
 *   `serviceAccountDelegationInfo[].firstPartyPrincipal.principalEmail` (a repeated field matches
 *   when any of its elements does).
 *
 * `logName` matches by substring (`:`) so the filter reads the same in every project, folder or
 * organization it is run in: the calls are logged in the project of the resource they touch.
 *
 * Refuses (throws) an email that could end the filter's string: a `"`, a `\` or a control
 * character. A service account's email cannot hold one (Google: its ID is lower-case letters,
 * digits and hyphens, its domain a project ID's); the check guards against a value this function
 * was never meant for.
 * @see https://cloud.google.com/iam/docs/audit-logging/examples-service-accounts
 */
export function renderAuditLogFilter(email: string): string {
    const quoted = quotedLiteral(email, "the audit log filter", "email");
    return [
        `logName:(${AUDIT_LOG_IDS.map((id) => `"${id}"`).join(" OR ")})`,
        `AND (protoPayload.authenticationInfo.principalEmail=${quoted}`,
        `  OR protoPayload.authenticationInfo.serviceAccountDelegationInfo.firstPartyPrincipal.principalEmail=${quoted})`,
    ].join("\n");
}
