/**
 * A small stand-in for the Pulumi engine, for driving the provider (components/provider) over gRPC
 * the way the engine does, offline: a ResourceMonitor and an Engine server in this process, the
 * provider as a child process, and `GetSchema` / `Construct` through the SDK's own generated stubs
 * (`@pulumi/pulumi/proto/*_grpc_pb`). The tests (test/provider) and the bench's provider workload
 * share it; it is not part of the package's public entry.
 *
 * The monitor records every RegisterResource and RegisterResourceOutputs it receives and lets a
 * {@link Monitor} answer them: in tests and the bench, the mock monitor that `pulumi.runtime.setMocks`
 * installed in this process (`pulumi.runtime.getMonitor()`), so that the provider's children get the
 * same URNs, IDs and outputs as the same program's children under the mocks.
 */
import * as childProcess from "child_process";
import * as path from "path";
import * as readline from "readline";

// The gRPC library the SDK's stubs were generated against: @pulumi/pulumi's own copy.
const grpc: typeof import("@grpc/grpc-js") = require(
    require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }),
);
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const engrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engproto = require("@pulumi/pulumi/proto/engine_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const resrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resproto = require("@pulumi/pulumi/proto/resource_pb");
const errorsproto = require("@pulumi/pulumi/proto/errors_pb");
const statusproto = require("@pulumi/pulumi/proto/status_pb");

type Callback = (err: any, resp?: any) => void;

/** What answers the monitor's calls: the methods of the SDK's mock monitor (runtime/mocks.js). */
export interface Monitor {
    registerResource(req: any, callback: Callback): void;
    registerResourceOutputs(req: any, callback: Callback): void;
    supportsFeature(req: any, callback: Callback): void;
    invoke(req: any, callback: Callback): void;
    registerPackage?(req: any, callback: Callback): void;
}

/** One RegisterResource request, as the provider sent it. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    /** The parent's URN; empty for none. */
    readonly parent: string;
    readonly custom: boolean;
    /** The inputs as sent, in the wire encoding (secrets as `{ "4dabf18193072939515e22adb298388d": … }`). */
    readonly object: Record<string, unknown>;
}

/** The fake engine: its two servers' addresses and what they received. */
export interface FakeEngine {
    /** The ResourceMonitor's address, `127.0.0.1:<port>`: a ConstructRequest's monitor endpoint. */
    readonly monitorAddress: string;
    /** The Engine's address: the provider's first argument. */
    readonly engineAddress: string;
    /** Every RegisterResource, in order; kept only when `record` is true. */
    readonly registrations: Registration[];
    /** The URNs whose component called RegisterResourceOutputs, with the outputs (wire encoding). */
    readonly outputs: Map<string, Record<string, unknown>>;
    /** Every message the provider logged through the engine. */
    readonly logs: { severity: number; message: string; urn: string }[];
    stop(): Promise<void>;
}

/**
 * Starts the fake engine on two free local ports. `monitor` answers the resource monitor's calls;
 * with `record: false` (the bench), nothing is kept.
 */
export async function startFakeEngine(monitor: Monitor, record = true): Promise<FakeEngine> {
    const registrations: Registration[] = [];
    const outputs = new Map<string, Record<string, unknown>>();
    const logs: FakeEngine["logs"] = [];
    const monitorServer = new grpc.Server();
    monitorServer.addService(resrpc.ResourceMonitorService, {
        // The mock monitor answers with a plain object, which gRPC cannot send: the answer as a message.
        supportsFeature: (call: any, cb: Callback) =>
            monitor.supportsFeature(call.request, (err: unknown, resp: any) => {
                const answer = new resproto.SupportsFeatureResponse();
                answer.setHassupport(Boolean(resp?.getHassupport()));
                cb(err, err ? undefined : answer);
            }),
        invoke: (call: any, cb: Callback) => monitor.invoke(call.request, cb),
        registerResource: (call: any, cb: Callback) => {
            const req = call.request;
            if (record) {
                registrations.push({
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    object: req.getObject()?.toJavaScript() ?? {},
                });
            }
            monitor.registerResource(req, cb);
        },
        registerResourceOutputs: (call: any, cb: Callback) => {
            if (record) {
                outputs.set(call.request.getUrn(), call.request.getOutputs()?.toJavaScript() ?? {});
            }
            monitor.registerResourceOutputs(call.request, () => cb(null, new emptyproto.Empty()));
        },
        registerPackage: (call: any, cb: Callback) => monitor.registerPackage?.(call.request, cb),
    });
    const engineServer = new grpc.Server();
    engineServer.addService(engrpc.EngineService, {
        log: (call: any, cb: Callback) => {
            logs.push({
                severity: call.request.getSeverity(),
                message: call.request.getMessage(),
                urn: call.request.getUrn(),
            });
            cb(null, new emptyproto.Empty());
        },
        getRootResource: (_call: any, cb: Callback) => cb(null, new engproto.GetRootResourceResponse()),
        setRootResource: (_call: any, cb: Callback) => cb(null, new engproto.SetRootResourceResponse()),
    });
    const bind = (server: import("@grpc/grpc-js").Server) =>
        new Promise<string>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
                err ? reject(err) : resolve(`127.0.0.1:${port}`),
            ),
        );
    const [monitorAddress, engineAddress] = [await bind(monitorServer), await bind(engineServer)];
    return {
        monitorAddress,
        engineAddress,
        registrations,
        outputs,
        logs,
        stop: async () => {
            monitorServer.forceShutdown();
            engineServer.forceShutdown();
        },
    };
}

/** A provider process and a client of its ResourceProvider service. */
export interface ProviderProcess {
    readonly client: any;
    readonly child: childProcess.ChildProcess;
    /** What the process wrote on stderr so far. */
    stderr(): string;
    stop(): void;
}

/**
 * Starts the provider as the engine does: `command args… <engine address>`, then reads the port
 * the provider prints as its first line on stdout.
 */
export async function startProvider(
    command: string,
    args: readonly string[],
    engineAddress: string,
    options: childProcess.SpawnOptions = {},
): Promise<ProviderProcess> {
    const child = childProcess.spawn(command, [...args, engineAddress], {
        stdio: ["ignore", "pipe", "pipe"],
        ...options,
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += String(d)));
    const port = await new Promise<string>((resolve, reject) => {
        const lines = readline.createInterface({ input: child.stdout! });
        lines.once("line", (line) => resolve(line.trim()));
        child.once("exit", (code) =>
            reject(new Error(`the provider exited (${code}) before printing its port:\n${stderr}`)),
        );
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 64 * 1024 * 1024,
    });
    return {
        client,
        child,
        stderr: () => stderr,
        stop: () => {
            client.close();
            child.kill();
        },
    };
}

/** Calls `method` of the provider's client with `req` and resolves with the response. */
function unary<T>(client: any, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
        client[method](req, (err: unknown, resp: T) => (err ? reject(err) : resolve(resp))),
    );
}

/** The provider's schema, parsed: its answer to `GetSchema` (version 0). */
export async function getSchema(client: any): Promise<any> {
    const resp: any = await unary(client, "getSchema", new provproto.GetSchemaRequest());
    return JSON.parse(resp.getSchema());
}

/** What the engine sends with a `Construct`. */
export interface ConstructCall {
    readonly type: string;
    readonly name: string;
    /** The inputs in the wire encoding (`rpc.serializeProperties` of the SDK, with output values). */
    readonly inputs: Record<string, unknown>;
    readonly monitorAddress: string;
    /** @default "nhi" */
    readonly project?: string;
    /** @default "test" */
    readonly stack?: string;
    /** The parent's URN. @default none */
    readonly parent?: string;
    /** @default false */
    readonly dryRun?: boolean;
}

/** The answer to a `Construct`: the component's URN and its state, in the wire encoding. */
export interface Constructed {
    readonly urn: string;
    readonly state: Record<string, unknown>;
}

/** Sends `Construct` as the engine does for a remote component. */
export async function construct(client: any, call: ConstructCall): Promise<Constructed> {
    const req = new provproto.ConstructRequest();
    req.setProject(call.project ?? "nhi");
    req.setStack(call.stack ?? "test");
    req.setDryrun(call.dryRun ?? false);
    req.setParallel(16);
    req.setMonitorendpoint(call.monitorAddress);
    req.setType(call.type);
    req.setName(call.name);
    req.setParent(call.parent ?? "");
    req.setInputs(structproto.Struct.fromJavaScript(call.inputs));
    req.setAcceptsOutputValues(true);
    const resp: any = await unary(client, "construct", req);
    return { urn: resp.getUrn(), state: resp.getState()?.toJavaScript() ?? {} };
}

/** A gRPC error's message and the property errors in its `pulumirpc.InputPropertiesError` details. */
export interface PropertyErrors {
    readonly code: number;
    readonly message: string;
    readonly errors: { propertyPath: string; reason: string }[];
}

/**
 * The property errors a failed call carries, decoded as the engine decodes them: the
 * `grpc-status-details-bin` trailer, a `google.rpc.Status` whose details hold a
 * `pulumirpc.InputPropertiesError`.
 */
export function propertyErrors(err: any): PropertyErrors {
    const errors: PropertyErrors["errors"] = [];
    for (const bin of err.metadata?.get("grpc-status-details-bin") ?? []) {
        const status = statusproto.Status.deserializeBinary(bin);
        for (const any of status.getDetailsList()) {
            if (any.getTypeName() === "pulumirpc.InputPropertiesError") {
                const details = errorsproto.InputPropertiesError.deserializeBinary(any.getValue_asU8());
                for (const e of details.getErrorsList()) {
                    errors.push({ propertyPath: e.getPropertyPath(), reason: e.getReason() });
                }
            }
        }
    }
    return { code: err.code, message: err.details, errors };
}
