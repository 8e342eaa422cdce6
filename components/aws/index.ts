export { AwsServiceIdentity as ServiceIdentity, AwsServiceIdentity, AwsServiceIdentityArgs, planAwsServiceIdentity, AWS_SERVICE_IDENTITY_TYPE } from "./service-identity";
export { AwsGrant, AwsActionsGrant, AwsAccessGrant } from "./grants";
export { AccessLevel, ACCESS_LEVELS } from "./catalog";
export { AwsTrust, AwsServiceTrust, AwsLambdaServiceTrust, AwsOtherServiceTrust, AwsGithubActionsTrust, AwsEksServiceAccountTrust, AwsAccountTrust, renderTrustPolicy } from "./trust";
export { PolicyDocument, Statement, layoutPolicies, mergeStatements, renderDocument, grantedTriples, MAX_INLINE_POLICY_CHARS, MAX_MANAGED_POLICY_CHARS, MAX_MANAGED_POLICIES } from "./policy";
export { AWS_ESCALATION_RULES, findAwsEscalations } from "./escalation";
