export { DeployTimeError, Problems, formatProblems, oneOf, allOf, didYouMean } from "./errors";
export { closestNames, editDistance } from "./suggest";
export { parseExpiry, EXPIRY_EXAMPLE, EXPIRY_WARNING_DAYS } from "./expiry";
export { Ownership, MANAGED_BY } from "./ownership";
export { EscalationRule, EscalationRules, EscalationFinding, GrantActions, HeldAction, findEscalations, reviewEscalations } from "./escalation";
