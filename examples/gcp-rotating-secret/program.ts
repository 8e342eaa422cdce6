import * as pulumi from "@pulumi/pulumi";
// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * Secrets that Google Cloud generates and rotates itself; Pulumi never sees a value.
 *
 * - `webhook-signing`: a signing secret shared by the billing API (which signs) and the ledger
 *   (which verifies), rotated every 30 days by a function of its own. Both read it; the ledger
 *   accepts the previous value until the next rotation (the README of the package shows how).
 * - `partner-tokens`: two tokens, rotated weekly, sharing one rotator for the project: one
 *   function, whose IAM Condition admits only secrets whose ID starts with `partners-`.
 *
 * Declared inside {@link gcpRotatingSecrets} so that tests can run it under Pulumi's mocks.
 * @see https://cloud.google.com/secret-manager/docs/secret-rotation
 */

/** The project of the secrets and functions. `pulumi config set gcpProject <id>`. */
export const DEFAULT_GCP_PROJECT = "acme-payments-prod";
export const REGION = "europe-west1";

export interface GcpRotatingSecrets {
    readonly billing: nhi.gcp.ServiceIdentity;
    readonly ledger: nhi.gcp.ServiceIdentity;
    readonly signing: nhi.gcp.RotatingSecret;
    readonly rotator: nhi.gcp.SecretRotator;
    readonly tokens: readonly nhi.gcp.RotatingSecret[];
    readonly project: string;
}

/** Declares the two services' identities, the signing secret, the rotator and the partner tokens. */
export function gcpRotatingSecrets(): GcpRotatingSecrets {
    const config = new pulumi.Config();
    const project = config.get("gcpProject") ?? DEFAULT_GCP_PROJECT;

    // The two services that share the signing secret: keyless accounts with no other grant here.
    const billing = new nhi.gcp.ServiceIdentity("billing-api", {
        project,
        owner: "team-billing",
        purpose: "Billing API on Cloud Run",
        grants: [],
    });
    const ledger = new nhi.gcp.ServiceIdentity("ledger-api", {
        project,
        owner: "team-ledger",
        purpose: "Ledger API on Cloud Run",
        grants: [],
    });

    const signing = new nhi.gcp.RotatingSecret("webhook-signing", {
        project,
        region: REGION,
        owner: "team-payments",
        purpose: "Signs webhooks from billing to ledger",
        rotateEveryDays: 30,
        value: { length: 64, format: "hex" },
        readers: [billing, ledger],
    });

    const rotator = new nhi.gcp.SecretRotator("partners", { project, region: REGION, owner: "team-partners" });
    const tokens = ["acme-logistics", "acme-insurance"].map(
        (partner) =>
            new nhi.gcp.RotatingSecret(`${partner}-token`, {
                project,
                rotator,
                owner: "team-partners",
                purpose: `Token ${partner} sends with its callbacks`,
                rotateEveryDays: 7,
                value: { length: 48, format: "alphanumeric" },
                readers: ["group:partner-gateway@acme.example"],
            }),
    );

    return { billing, ledger, signing, rotator, tokens, project };
}
