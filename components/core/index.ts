/** Internal: the cloud-neutral helpers, for the adapters and their tests. Not part of the public API (the entry does not export it). */
export { Problems, formatProblems, oneOf, allOf, didYouMean } from "./errors";
export { closestNames, editDistance } from "./suggest";
export { parseExpiry, EXPIRY_EXAMPLE } from "./expiry";
export { Ownership, MANAGED_BY } from "./ownership";
