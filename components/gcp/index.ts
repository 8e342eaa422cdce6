export { GcpServiceIdentity as ServiceIdentity, GcpServiceIdentity, GcpServiceIdentityArgs, planGcpServiceIdentity, deriveAccountId, customRoleId, poolIdPrefix, GCP_SERVICE_IDENTITY_TYPE } from "./service-identity";
export { GcpGrant, GcpGrantCommon, GcpGrantResource, GcpGrantScopes, GcpPermissionsGrant, GcpRoleGrant, expiryExpression } from "./grants";
export { GcpTrust, GcpTrustKinds, GcpGithubActionsTrust, GcpGkeWorkloadTrust, githubAttributeCondition } from "./trust";
export { OwnershipRecord, renderOwnershipRecord, parseOwnershipRecord } from "./description";
export { BASIC_ROLES } from "./catalog";
export { GCP_ESCALATION_RULES, findGcpEscalations } from "./escalation";
