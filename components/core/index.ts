export { Problems, formatProblems, oneOf, allOf, didYouMean } from "./errors";
export { closestNames, editDistance } from "./suggest";
export { parseExpiry, EXPIRY_EXAMPLE } from "./expiry";
export { Ownership, MANAGED_BY } from "./ownership";
export { EscalationRule, EscalationFinding, HeldAction, findEscalations } from "./escalation";
