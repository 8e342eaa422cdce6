// In your own program: `import * as nhi from "pulumi-nhi";`
import * as nhi from "../../components";

/**
 * Secrets whose values are generated and rotated inside the account, never in Pulumi:
 *
 * - a webhook signing secret that `checkout` signs with and `ledger` verifies with, rotated every
 *   30 days by a function of its own; both may read it, nobody else;
 * - partner API tokens rotated every 90 days by one `aws.SecretRotator` that they share: two
 *   resources per token instead of seven, the rotator allowed to touch only the secrets tagged for
 *   it.
 *
 * Declared inside {@link rotatingSecrets} so that tests can run it under Pulumi's mocks.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
 */

/** The partners that each get an API token of their own. */
export const PARTNERS = ["acme-freight", "globex-billing"] as const;

export interface RotatingSecrets {
    /** The API that signs webhooks. */
    readonly checkout: nhi.aws.ServiceIdentity;
    /** The receiver that verifies them. */
    readonly ledger: nhi.aws.ServiceIdentity;
    /** The secret both share, with a rotation function of its own. */
    readonly webhookSecret: nhi.aws.RotatingSecret;
    /** The authorizer that checks partner tokens. */
    readonly gateway: nhi.aws.ServiceIdentity;
    /** The rotator the partner tokens share. */
    readonly rotator: nhi.aws.SecretRotator;
    /** One token per partner, by partner. */
    readonly tokens: Readonly<Record<string, nhi.aws.RotatingSecret>>;
}

/** Declares the identities, the webhook secret, the shared rotator and the partner tokens. */
export function rotatingSecrets(): RotatingSecrets {
    const checkout = new nhi.aws.ServiceIdentity("checkout", {
        owner: "team-payments",
        purpose: "Checkout API: signs the webhooks it sends to the ledger",
        trust: { service: { principal: "ecs-tasks.amazonaws.com" } },
        grants: [],
    });
    const ledger = new nhi.aws.ServiceIdentity("ledger", {
        owner: "team-payments",
        purpose: "Ledger: verifies the webhooks checkout sends",
        trust: { service: { principal: "ecs-tasks.amazonaws.com" } },
        grants: [],
    });

    // Both services read it through the secret's resource policy; checkout signs with AWSCURRENT,
    // ledger accepts AWSCURRENT or AWSPREVIOUS, so a rotation never breaks a webhook in flight.
    const webhookSecret = new nhi.aws.RotatingSecret("webhook-signing", {
        owner: "team-payments",
        purpose: "Signs webhooks from checkout to ledger",
        rotateEveryDays: 30,
        value: { length: 64, format: "hex" },
        readers: [checkout, ledger],
    });

    const gateway = new nhi.aws.ServiceIdentity("partner-gateway", {
        owner: "team-integrations",
        purpose: "API gateway authorizer: checks the tokens partners call us with",
        trust: { service: { principal: "lambda.amazonaws.com" } },
        grants: [],
    });

    // One function for every partner token of this account and region.
    const rotator = new nhi.aws.SecretRotator("partner-tokens", {
        owner: "team-integrations",
        purpose: "Rotates the API tokens partners call us with",
    });
    const tokens: Record<string, nhi.aws.RotatingSecret> = {};
    for (const partner of PARTNERS) {
        tokens[partner] = new nhi.aws.RotatingSecret(`${partner}-token`, {
            owner: "team-integrations",
            purpose: `API token of ${partner}`,
            rotateEveryDays: 90,
            value: { length: 40, format: "alphanumeric" },
            // The authorizer that checks tokens reads them; the partner gets its token out of band.
            readers: [gateway],
            rotator,
        });
    }
    return { checkout, ledger, webhookSecret, gateway, rotator, tokens };
}
