/**
 * A Pulumi program entry point for the example in `program.ts`: two identities whose grants are
 * acknowledged privilege escalations. To see what it would create without a cloud account:
 * `npm run demo`.
 */
import { acknowledgedEscalation } from "./program";

const { keyRotator, imageBuilder } = acknowledgedEscalation();

export const keyRotatorRoleArn = keyRotator.roleArn;
export const imageBuilderEmail = imageBuilder.email;
export const imageBuilderWorkloadIdentityProvider = imageBuilder.workloadIdentityProvider;
