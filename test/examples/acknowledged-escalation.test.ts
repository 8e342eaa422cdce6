import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    BUILD_REASON,
    DEFAULT_GCP_PROJECT,
    DEFAULT_VENDOR_USER_ARN,
    KEY_ROTATION_REASON,
    acknowledgedEscalation,
} from "../../examples/acknowledged-escalation/program";
import { planAwsServiceIdentity } from "../../components/aws/service-identity";
import { planGcpServiceIdentity } from "../../components/gcp/service-identity";
import { runDemo } from "../support/demo";
import { capture, ofType } from "../support/mock-graph";

describe("examples/acknowledged-escalation", () => {
    it("records each identity's reason on the identity: a tag on the role, the account's description", async () => {
        // GIVEN the example run under the mocks
        const { resources } = await capture(acknowledgedEscalation);
        // THEN the rotator's role carries the reason for minting the vendor user's keys
        const role = ofType(resources, "aws:iam/role:Role").find((r) => r.name === "sftp-key-rotator-role")!;
        assert.strictEqual(role.inputs.tags["nhi:escalation:CreateAccessKey"], KEY_ROTATION_REASON);
        // AND the builder's description records the reason for running builds as Cloud Build's account
        const account = ofType(resources, "gcp:serviceaccount/account:Account").find(
            (r) => r.name === "reports-image-builder-sa",
        )!;
        assert.deepStrictEqual(JSON.parse(account.inputs.description).acknowledged, {
            RCECloudBuildBuildServer: BUILD_REASON,
        });
    });

    it("is refused without the acknowledgements", () => {
        // GIVEN the example's grants without `acknowledge`
        // WHEN planned
        // THEN each identity is refused at the escalating grant
        const refusedAt = (plan: () => unknown) => {
            try {
                plan();
                return [];
            } catch (e: any) {
                assert.ok(pulumi.InputPropertiesError.isInstance(e));
                return e.errors.map((p: any) => `${p.propertyPath}: ${p.reason.split(". ")[1].split(" (")[0]}`);
            }
        };
        assert.deepStrictEqual(
            refusedAt(() =>
                planAwsServiceIdentity("sftp-key-rotator", {
                    owner: "team-payments",
                    purpose: "Rotates a key",
                    trust: { service: { principal: "lambda.amazonaws.com" } },
                    grants: [
                        {
                            actions: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"],
                            resources: [DEFAULT_VENDOR_USER_ARN],
                        },
                    ],
                }),
            ),
            ["grants[0]: CreateAccessKey"],
        );
        assert.deepStrictEqual(
            refusedAt(() =>
                planGcpServiceIdentity("reports-image-builder", {
                    project: DEFAULT_GCP_PROJECT,
                    owner: "team-reports",
                    purpose: "CI builds",
                    grants: [{ role: "roles/cloudbuild.builds.editor", resource: { project: DEFAULT_GCP_PROJECT } }],
                }),
            ),
            ["grants[0]: RCECloudBuildBuildServer"],
        );
    });

    it("is shown by npm run demo, with the methods and reasons", async () => {
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "nhi-escalation-demo-"));
        const { escalation, text } = await runDemo(outDir);
        assert.deepStrictEqual(
            escalation.identities.map((id: any) => id.escalations),
            [[{ method: "CreateAccessKey", reason: KEY_ROTATION_REASON }]],
        );
        assert.deepStrictEqual(
            escalation.gcpIdentities.map((id: any) => id.escalations),
            [[{ method: "RCECloudBuildBuildServer", reason: BUILD_REASON }]],
        );
        for (const expected of [
            "  Privilege escalations it may perform, acknowledged (reasons recorded in its `nhi:escalation:<method>` tags)\n    CreateAccessKey\n      " +
                KEY_ROTATION_REASON,
            "  Privilege escalations it may perform, acknowledged (reasons recorded in the `acknowledged` field of its description)\n    RCECloudBuildBuildServer\n      " +
                BUILD_REASON,
        ]) {
            assert.ok(text.includes(expected), `the report lacks ${JSON.stringify(expected)}`);
        }
        fs.rmSync(outDir, { recursive: true, force: true });
    });
});
