/**
 * Google secrets that rotate themselves.
 *
 *     cd examples/gcp-rotating-secret    # after `npm ci` at the root
 *     pulumi stack init dev
 *     pulumi config set gcpProject <your project id>
 *     pulumi up
 *
 * The resources are declared in `program.ts`; this file only calls it and exports the outputs.
 */
import { gcpRotatingSecrets } from "./program";

const { signing, rotator, tokens } = gcpRotatingSecrets();

/** The secret the billing API signs with (`<name>/versions/latest`) and the ledger verifies against. */
export const signingSecret = signing.name;
/** The function that rotates it. */
export const signingRotator = signing.rotatorFunction;
/** The shared rotator's function, and the tokens it rotates. */
export const partnersRotator = rotator.functionName;
export const partnerTokens = tokens.map((t) => t.name);
