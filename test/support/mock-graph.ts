import * as pulumi from "@pulumi/pulumi";

/**
 * The shared test harness: Pulumi's own mocks, recording every resource registered, so that a test
 * can assert which resources a component creates, with which inputs and under which parent.
 */

/** One resource registered under the mocks. */
export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** The type of the resource's parent, read from its URN; undefined for a top-level resource. */
    parentType?: string;
}

export const MOCK_ACCOUNT = "123456789012";
/** The project number of every mocked Google Cloud project. */
export const MOCK_PROJECT_NUMBER = "123456789";

const registered: Registered[] = [];
let installed = false;

/** The outputs the cloud would add for a resource: physical names, ARNs, ids. */
function cloudOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const physical = `${name}-1a2b3c4`;
    switch (type) {
        case "aws:iam/role:Role":
            return { name: physical, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role${inputs.path ?? "/"}${physical}` };
        case "aws:iam/policy:Policy":
            return { name: physical, arn: `arn:aws:iam::${MOCK_ACCOUNT}:policy${inputs.path ?? "/"}${physical}` };
        case "aws:s3/bucketV2:BucketV2":
        case "aws:s3/bucket:Bucket":
            return { bucket: physical, arn: `arn:aws:s3:::${physical}` };
        case "aws:sqs/queue:Queue":
            return { name: physical, arn: `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT}:${physical}`, url: `https://sqs.us-east-1.amazonaws.com/${MOCK_ACCOUNT}/${physical}` };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { arn: `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}` };
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
            return { email, member: `serviceAccount:${email}`, name: `projects/${inputs.project}/serviceAccounts/${email}`, uniqueId: "104200000000000000001" };
        }
        case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
            return { name: `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}` };
        case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
            return { name: `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}` };
        case "gcp:projects/iAMCustomRole:IAMCustomRole":
            return { name: `projects/${inputs.project}/roles/${inputs.roleId}` };
        case "gcp:storage/bucket:Bucket":
            return { name: physical, url: `gs://${physical}` };
        case "random:index/randomId:RandomId":
            return { hex: "a1b2", b64Url: "obI" };
        case "random:index/randomString:RandomString":
            return { result: "Xq7Lm2Vp9Rt4Kw8Zc3Nb6Hd1Fg5Js0Ya".slice(0, inputs.length ?? 16) };
        case "aws:dynamodb/table:Table":
            return { name: inputs.name ?? physical, arn: `arn:aws:dynamodb:us-east-1:${MOCK_ACCOUNT}:table/${inputs.name ?? physical}` };
        case "aws:lambda/function:Function":
            return { name: inputs.name ?? physical, arn: `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:${inputs.name ?? physical}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            // The provider strips the `:*` the API appends to a log group's ARN.
            return { name: inputs.name ?? physical, arn: `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:${inputs.name ?? physical}` };
        case "gcp:pubsub/topic:Topic":
        case "gcp:pubsub/subscription:Subscription":
        case "gcp:container/cluster:Cluster":
            return { name: inputs.name ?? physical };
        default:
            return {};
    }
}

/** Installs the mocks once per process. `preview` is false: values resolve as in an update. */
export function installMocks(): void {
    if (installed) {
        return;
    }
    installed = true;
    pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            return { id: `${args.name}-id`, state: { ...args.inputs, ...cloudOutputs(args.type, args.name, args.inputs) } };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return args.inputs;
        },
    }, "nhi", "test", false);
}

/**
 * Runs `declare` under the mocks and returns what it returned once every resource it declared has
 * registered, with the resources registered meanwhile.
 */
export async function capture<T>(declare: () => T): Promise<{ value: T; resources: Registered[] }> {
    installMocks();
    const start = registered.length;
    const value = declare();
    await (pulumi.runtime as any).waitForRPCs();
    const resources = registered.slice(start);
    const urns: string[] = [...(pulumi.runtime.getMonitor() as any).getRegisteredResources().keys()];
    for (const r of resources) {
        const urn = urns.find((u) => u.endsWith(`::${r.name}`) && (u.includes(`::${r.type}::`) || u.includes(`$${r.type}::`)));
        const qualified = urn?.split("::")[2] ?? r.type;
        const chain = qualified.split("$");
        r.parentType = chain.length > 1 ? chain[chain.length - 2] : undefined;
    }
    return { value, resources };
}

/** The value of `output` (test-only: reads the Output's internal promise). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as any).promise();
}

/** The resources of `type` in `resources`. */
export function ofType(resources: readonly Registered[], type: string): Registered[] {
    return resources.filter((r) => r.type === type);
}
