import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { capture, installMocks } from "../../components/testing";

/**
 * Declares under the mocks as mocha does, in process: unhandled rejections are recorded instead of
 * ending the process, and `pulumi.log.error` calls are recorded with the resource they name.
 */
export async function declareInProcess(declare: () => unknown) {
    installMocks();
    const rejections: unknown[] = [];
    const record = (reason: unknown) => rejections.push(reason);
    const { logged, restore } = recordErrorLogs();
    process.on("unhandledRejection", record);
    try {
        const { value, resources } = await capture(declare).catch(() => assert.fail("capture failed"));
        // Let the rejections of the inputs that waited on the failed check surface.
        await (pulumi.runtime as any).waitForRPCs().catch(() => undefined);
        await new Promise((r) => setImmediate(r));
        return { value, resources, logged, rejections };
    } finally {
        process.off("unhandledRejection", record);
        restore();
        // The children that waited on the failed check never register, as in a failed deployment;
        // forget their promises so Pulumi does not report them as leaks when mocha exits.
        require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
    }
}

/** Records `pulumi.log.error` calls, with the resource each names, until `restore()`. */
export function recordErrorLogs() {
    const log = require("@pulumi/pulumi/log");
    const realError = log.error;
    const logged: { message: string; resource?: pulumi.Resource }[] = [];
    log.error = (message: string, resource?: pulumi.Resource) => {
        logged.push({ message, resource });
        return Promise.resolve();
    };
    return { logged, restore: () => (log.error = realError) };
}
