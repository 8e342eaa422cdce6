/** Internal: the cloud-neutral helpers, for the adapters and their tests. Not part of the public API (the entry does not export it). */
export { DeployTimeError, Problems, formatProblems, oneOf, allOf, didYouMean } from "./errors";
export { closestNames, editDistance } from "./suggest";
export { parseExpiry, EXPIRY_EXAMPLE, EXPIRY_WARNING_DAYS } from "./expiry";
export { Ownership, MANAGED_BY } from "./ownership";
export {
    EscalationRule,
    EscalationRules,
    EscalationFinding,
    GrantActions,
    HeldAction,
    findEscalations,
    reviewEscalations,
} from "./escalation";
