/**
 * Preloaded by `newest/test.js` (`NODE_OPTIONS=--require …`, so child processes that tests start
 * load it too): every `require("@pulumi/pulumi")` and `require("@pulumi/pulumi/…")`, from our code
 * and from `@pulumi/aws`, `@pulumi/gcp` and `@pulumi/random` alike, resolves from this folder, that
 * is to the newest SDK in `newest/node_modules`, whose own dependencies then resolve from its real
 * path (newest/package-lock.json), not from the root's tree. One SDK instance serves the process,
 * as in a stack that upgraded `@pulumi/pulumi` alone.
 *
 * Our own code (any file outside a node_modules folder) also gets the SDK's copies of the two
 * packages its generated gRPC stubs (`@pulumi/pulumi/proto/*`) load, as npm's deduplication gives
 * a stack: with the root's `@grpc/grpc-js` instead, a stub's client refuses the credentials
 * ("Channel credentials must be a ChannelCredentials object", an `instanceof` across two copies).
 * Other packages keep their own (google-gax, say, its `@grpc/grpc-js`).
 *
 * `Module._resolveFilename` is the hook that every CommonJS `require` goes through (the one
 * tsconfig-paths and module-alias patch); `options.paths` is the documented `require.resolve`
 * option (https://nodejs.org/api/modules.html#requireresolverequest-options). Should the newest
 * SDK be missing, Node would fall back to the root's copy: test/package/sdk-range.test.ts fails
 * the run in that case.
 */
const Module = require("module");
const path = require("path");

const SDK = /^@pulumi\/pulumi(\/|$)/;
const SDK_RUNTIME = /^(@grpc\/grpc-js|google-protobuf)(\/|$)/;
const DEPENDENCY = `${path.sep}node_modules${path.sep}`;
const resolve = Module._resolveFilename;

function fromNewest(request, parent) {
    return SDK.test(request) || (SDK_RUNTIME.test(request) && !parent?.filename?.includes(DEPENDENCY));
}

Module._resolveFilename = function (request, parent, isMain, options) {
    return resolve.call(this, request, parent, isMain, fromNewest(request, parent) ? { paths: [__dirname] } : options);
};
