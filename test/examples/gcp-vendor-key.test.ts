import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_GCP_PROJECT } from "../../examples/gcp-vendor-key/program";
import { MOCK_PROJECT_NUMBER, Registered, capture, ofType, valueOf } from "../support/mock-graph";

describe("examples/gcp-vendor-key", () => {
    let resources: Registered[];
    let exported: Record<string, unknown>;

    before(async () => {
        // GIVEN the example's entry point WHEN `pulumi up` would load it (here under the mocks)
        let module: Record<string, unknown>;
        ({ value: module, resources } = await capture(
            () => require("../../examples/gcp-vendor-key/index") as Record<string, unknown>,
        ));
        exported = {};
        for (const [key, value] of Object.entries(module)) {
            exported[key] = pulumi.Output.isInstance(value) ? await valueOf(value) : value;
        }
    });

    it("exports the vendor's account and the secret of its key", () => {
        assert.deepStrictEqual(exported, {
            vendorEmail: `vendor-sync@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
            keySecret: `projects/${MOCK_PROJECT_NUMBER}/secrets/vendor-sync-key`,
            courierEmail: `key-courier@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
        });
    });

    it("declares no key, no secret version and no random value: the function mints the key", () => {
        assert.ok(!resources.some((r) => /serviceaccount\/key:|secretVersion|random:/i.test(r.type)));
        assert.deepStrictEqual(
            ofType(resources, "gcp:cloudfunctionsv2/function:Function").map((r) => [
                r.inputs.name,
                r.inputs.buildConfig.entryPoint,
            ]),
            [["vendor-sync-keyrot", "rotateKey"]],
        );
    });

    it("rotates every 90 days with a 7-day grace, checked daily", () => {
        const secret = ofType(resources, "gcp:secretmanager/secret:Secret")[0];
        assert.deepStrictEqual(
            [secret.inputs.secretId, secret.inputs.rotation.rotationPeriod, secret.inputs.labels],
            [
                "vendor-sync-key",
                "86400s",
                {
                    "nhi-key-account": "vendor-sync",
                    "nhi-key-project": DEFAULT_GCP_PROJECT,
                    "nhi-rotate-every-days": "90",
                    "nhi-grace-days": "7",
                },
            ],
        );
    });

    it("lets exactly the operations group and the courier read the key", () => {
        assert.deepStrictEqual(
            ofType(resources, "gcp:secretmanager/secretIamBinding:SecretIamBinding").map((r) => [
                r.inputs.secretId,
                r.inputs.role,
                r.inputs.members,
            ]),
            [
                [
                    "vendor-sync-key",
                    "roles/secretmanager.secretAccessor",
                    [
                        "group:vendor-ops@acme.example",
                        `serviceAccount:key-courier@${DEFAULT_GCP_PROJECT}.iam.gserviceaccount.com`,
                    ],
                ],
            ],
        );
    });
});
