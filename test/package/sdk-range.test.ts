import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ResourceMonitorClient } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

const ROOT = path.resolve(__dirname, "../..");

function manifest(
    file: string,
): Record<"dependencies" | "devDependencies" | "peerDependencies" | "engines", Record<string, string> | undefined> {
    return JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

/**
 * What this run must have loaded. `npm test` runs the suite twice (README, "How it is tested"): on
 * the oldest `@pulumi/pulumi` the package supports (the root's exact devDependency, on the Node
 * that runs npm) and, from newest/test.js, which sets NHI_PULUMI_SDK=newest, on the newest 3.x
 * under the Node it requires (both pinned in newest/package.json).
 */
function expected(): { sdk: string; sdkDir: string; node: (version: string) => boolean; nodeRule: string } {
    if (process.env.NHI_PULUMI_SDK === "newest") {
        const pins = manifest("newest/package.json").dependencies!;
        return {
            sdk: pins["@pulumi/pulumi"],
            sdkDir: path.join(ROOT, "newest", "node_modules"),
            node: (v) => v === pins.node,
            nodeRule: pins.node,
        };
    }
    const floor = Number(/\d+/.exec(manifest("package.json").engines!.node)![0]);
    return {
        sdk: manifest("package.json").devDependencies!["@pulumi/pulumi"],
        sdkDir: path.join(ROOT, "node_modules"),
        node: (v) => Number(v.split(".")[0]) >= floor,
        nodeRule: `>=${floor}`,
    };
}

describe("the declared @pulumi/pulumi range", () => {
    it("starts at the version the suite runs on and holds the newest one it also runs on", () => {
        // GIVEN the peer range, the root's pin (the oldest end) and newest/'s pin (the newest end)
        const range = manifest("package.json").peerDependencies!["@pulumi/pulumi"];
        const oldest = manifest("package.json").devDependencies!["@pulumi/pulumi"];
        const newest = manifest("newest/package.json").dependencies!["@pulumi/pulumi"];
        // THEN the range is a caret range from the oldest, and the newest is of its major and above
        assert.strictEqual(range, `^${oldest}`);
        const [o, n] = [oldest, newest].map((v) => v.split(".").map(Number));
        assert.ok(n[0] === o[0] && (n[1] > o[1] || (n[1] === o[1] && n[2] >= o[2])), `${newest} is outside ${range}`);
    });
});

describe(`this run: @pulumi/pulumi ${require("@pulumi/pulumi/package.json").version} on Node ${process.version}`, () => {
    const want = expected();

    it(`loads @pulumi/pulumi ${want.sdk} on Node ${want.nodeRule}`, () => {
        // GIVEN the SDK our components import, as Node resolved it in this process
        const loaded = require.resolve("@pulumi/pulumi/package.json");
        // THEN it is the pinned version, from the expected install tree, under the expected Node
        assert.strictEqual(require("@pulumi/pulumi/package.json").version, want.sdk);
        assert.ok(loaded.startsWith(path.join(want.sdkDir, "@pulumi", "pulumi") + path.sep), loaded);
        assert.ok(want.node(process.versions.node), `Node ${process.versions.node} is not ${want.nodeRule}`);
    });

    it("shares that one SDK with @pulumi/aws, @pulumi/gcp and @pulumi/random", () => {
        // GIVEN the cloud SDKs, loaded the way the components load them
        const clouds = [
            require("@pulumi/aws").iam.Role,
            require("@pulumi/gcp").serviceaccount.Account,
            require("@pulumi/random").RandomId,
        ];
        // THEN their resources are resources of the SDK loaded above (a second copy would fail
        // `instanceof`, and its resources would register with another runtime)
        for (const resource of clouds) {
            assert.ok(
                resource.prototype instanceof pulumi.CustomResource,
                `${resource.name} extends another copy of @pulumi/pulumi`,
            );
        }
    });

    it("gives our code the gRPC and protobuf runtime that SDK's generated stubs use", () => {
        // GIVEN a client of the SDK's resource monitor stub, made with our `@grpc/grpc-js`
        // WHEN it is created (a second copy of grpc-js refuses the credentials by `instanceof`)
        const client = new ResourceMonitorClient("127.0.0.1:1", grpc.credentials.createInsecure());
        client.close();
        // AND a request carrying our `Struct` goes through the stub's wire format and back
        const request = new RegisterResourceRequest();
        request.setObject(Struct.fromJavaScript({ owner: "team" }));
        const decoded = RegisterResourceRequest.deserializeBinary(request.serializeBinary()).getObject();
        // THEN what comes back is our `Struct`, with the same fields
        assert.ok(decoded instanceof Struct, "the stubs decode into another copy of google-protobuf");
        assert.deepStrictEqual(decoded.toJavaScript(), { owner: "team" });
    });
});
