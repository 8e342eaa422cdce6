import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_GCP_PROJECT } from "../../examples/gcp-rotating-secret/program";
import { MOCK_PROJECT_NUMBER, Registered, capture, ofType, valueOf } from "../support/mock-graph";

describe("examples/gcp-rotating-secret", () => {
    let resources: Registered[];
    let exported: Record<string, unknown>;

    before(async () => {
        // GIVEN the example's entry point WHEN `pulumi up` would load it (here under the mocks)
        let module: Record<string, unknown>;
        ({ value: module, resources } = await capture(
            () => require("../../examples/gcp-rotating-secret/index") as Record<string, unknown>,
        ));
        exported = {};
        for (const [key, value] of Object.entries(module)) {
            exported[key] = pulumi.Output.isInstance(value)
                ? await valueOf(value)
                : Array.isArray(value)
                  ? await Promise.all(value.map((v) => valueOf(v)))
                  : value;
        }
    });

    it("exports the secrets' names and the functions that rotate them", () => {
        assert.deepStrictEqual(exported, {
            signingSecret: `projects/${MOCK_PROJECT_NUMBER}/secrets/webhook-signing`,
            signingRotator: "webhook-signing-rot",
            partnersRotator: "partners-rot",
            partnerTokens: [
                `projects/${MOCK_PROJECT_NUMBER}/secrets/partners-acme-logistics-token`,
                `projects/${MOCK_PROJECT_NUMBER}/secrets/partners-acme-insurance-token`,
            ],
        });
    });

    it("has two functions (the signing secret's own, and the shared one), no value and no key", () => {
        assert.deepStrictEqual(
            ofType(resources, "gcp:cloudfunctionsv2/function:Function")
                .map((r) => r.inputs.name)
                .sort(),
            ["partners-rot", "webhook-signing-rot"],
        );
        assert.ok(!resources.some((r) => /secretVersion|random:|serviceaccount\/key:/.test(r.type)));
    });

    it("lets exactly the billing and ledger accounts read the signing secret, and the gateway group read the tokens", () => {
        const bindings = ofType(resources, "gcp:secretmanager/secretIamBinding:SecretIamBinding")
            .map((r) => [r.inputs.secretId, r.inputs.role, r.inputs.members])
            .sort();
        assert.deepStrictEqual(bindings, [
            [
                "partners-acme-insurance-token",
                "roles/secretmanager.secretAccessor",
                ["group:partner-gateway@acme.example"],
            ],
            [
                "partners-acme-logistics-token",
                "roles/secretmanager.secretAccessor",
                ["group:partner-gateway@acme.example"],
            ],
            [
                "webhook-signing",
                "roles/secretmanager.secretAccessor",
                [
                    `serviceAccount:billing-api@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
                    `serviceAccount:ledger-api@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
                ],
            ],
        ]);
    });

    it("schedules each secret as declared", () => {
        const schedule = ofType(resources, "gcp:secretmanager/secret:Secret")
            .map((r) => [
                r.inputs.secretId,
                r.inputs.rotation.rotationPeriod,
                r.inputs.labels["nhi-value-length"],
                r.inputs.labels["nhi-value-format"],
            ])
            .sort();
        assert.deepStrictEqual(schedule, [
            ["partners-acme-insurance-token", "604800s", "48", "alphanumeric"],
            ["partners-acme-logistics-token", "604800s", "48", "alphanumeric"],
            ["webhook-signing", "2592000s", "64", "hex"],
        ]);
    });
});
