import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../../components";
import { exposedKeyNotice } from "../../components/gcp/service-account-key";
import { capture } from "../../components/testing";

/*
 * Exposed keys on Google: what Google does with a leaked key is the organization policy
 * `iam.serviceAccountKeyExposureResponse`, which a program cannot read; every preview says so, once
 * per project, for the identities with a `key`. (The rotation function replaces a key Google
 * disabled as exposed at its next check: test/runtime/gcp/rotate-key.test.ts, "keys Google or a
 * person disabled".)
 */

const BASE = { owner: "team-vendors", purpose: "Feeds the vendor", grants: [] };
const KEY = { rotateEveryDays: 30, region: "europe-west1" };

/** Runs `declare` under the mocks, recording `pulumi.log.warn` calls and the resource each names. */
async function warnings(declare: () => void): Promise<{ message: string; resource?: string }[]> {
    const log = require("@pulumi/pulumi/log");
    const real = log.warn;
    const seen: { message: string; resource?: pulumi.Resource }[] = [];
    log.warn = (message: string, resource?: pulumi.Resource) => {
        seen.push({ message, resource });
        return Promise.resolve();
    };
    try {
        await capture(declare);
    } finally {
        log.warn = real;
    }
    return Promise.all(
        seen.map(async (w) => ({
            message: w.message,
            resource:
                w.resource === undefined
                    ? undefined
                    : await new Promise<string>((r) => w.resource!.urn.apply((u) => r(u.split("::").pop()!))),
        })),
    );
}

describe("exposed keys on Google", function () {
    this.timeout(30_000);

    it("a preview says, once per project, which policy decides what happens to a leaked key, and how to check it", async () => {
        // GIVEN two identities with a key in one project, one in another, and one without a key
        const seen = await warnings(() => {
            new gcp.ServiceIdentity("vendor-one", { ...BASE, project: "acme-leaks", key: KEY });
            new gcp.ServiceIdentity("vendor-two", { ...BASE, project: "acme-leaks", key: KEY });
            new gcp.ServiceIdentity("vendor-three", { ...BASE, project: "acme-leaks-2", key: KEY });
            new gcp.ServiceIdentity("keyless-one", { ...BASE, project: "acme-leaks-3" });
        });
        // THEN one warning per project with keys, on its first identity, naming the command that shows the effective policy
        assert.deepStrictEqual(seen, [
            { message: exposedKeyNotice("acme-leaks"), resource: "vendor-one" },
            { message: exposedKeyNotice("acme-leaks-2"), resource: "vendor-three" },
        ]);
        assert.strictEqual(
            exposedKeyNotice("acme-leaks"),
            "`key`: Google disables a service account key it finds exposed in public only where the organization policy `iam.serviceAccountKeyExposureResponse` is `DISABLE_KEY` (its default since 16 June 2024); with `WAIT_FOR_ABUSE` an exposed key keeps working. Check the policy in effect for project `acme-leaks`: `gcloud org-policies describe iam.serviceAccountKeyExposureResponse --effective --project=acme-leaks`. A key Google disabled is replaced at the rotation function's next daily check.",
        );
    });
});
