import * as pulumi from "@pulumi/pulumi";

/**
 * A harness for testing a Pulumi program offline: Pulumi's own mocks (`pulumi.runtime.setMocks`),
 * answering with the outputs the cloud would add (ARNs, physical names, service account emails),
 * and recording every resource registered, so that a test can assert which resources a program
 * creates, with which inputs and under which parent. No cloud account, no Pulumi CLI.
 *
 * It imports nothing but `@pulumi/pulumi`, so it runs under any test runner.
 * @see https://www.pulumi.com/docs/iac/guides/testing/unit/
 */

/** The AWS account ID in every mocked ARN, unless {@link MockOptions.awsAccountId} says otherwise. */
export const MOCK_ACCOUNT = "123456789012";
/** The project number of every mocked Google Cloud project, unless {@link MockOptions.gcpProjectNumber} says otherwise. */
export const MOCK_PROJECT_NUMBER = "123456789";
/** The suffix Pulumi's auto-naming would add, fixed so that outputs are the same every run. */
export const MOCK_NAME_SUFFIX = "1a2b3c4";

/** One resource registered under the mocks. */
export interface Registered {
    /** The type token, e.g. `aws:iam/role:Role` or `nhi:aws:ServiceIdentity`. */
    readonly type: string;
    /** The logical name given to the constructor. */
    readonly name: string;
    /** The inputs, resolved, as the engine received them. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads any nested input of any cloud's resource; `unknown` would take a cast per read
    readonly inputs: Record<string, any>;
    /** The type of the resource's parent, read from its URN; undefined for a top-level resource. */
    parentType?: string;
}

/** A resource as {@link MockOptions.outputs} sees it. */
export interface MockResource {
    /** The type token, e.g. `aws:iam/role:Role`. */
    readonly type: string;
    /** The logical name given to the constructor. */
    readonly name: string;
    /** The inputs, resolved, as the engine received them. */
    readonly inputs: Registered["inputs"];
}

/** How {@link installMocks} answers. Every field is optional. */
export interface MockOptions {
    /**
     * The AWS account ID in mocked ARNs.
     * @default "123456789012"
     */
    readonly awsAccountId?: string;
    /**
     * The AWS region in mocked regional ARNs and the answer to `aws.getRegion()`.
     * @default "us-east-1"
     */
    readonly awsRegion?: string;
    /**
     * The project number of mocked Google Cloud projects, as in `projects/<number>/…` names.
     * @default "123456789"
     */
    readonly gcpProjectNumber?: string;
    /**
     * Outputs for resource types the harness does not know, or to replace its answer for one it
     * does: return the outputs to add to the inputs (`id`, if there, is the resource's ID), or
     * undefined to keep the harness's answer.
     */
    readonly outputs?: (resource: MockResource) => Record<string, unknown> | undefined;
    /**
     * The Pulumi project name, the first part of every URN.
     * @default "nhi"
     */
    readonly project?: string;
    /**
     * The stack name.
     * @default "test"
     */
    readonly stack?: string;
}

const registered: Registered[] = [];
let settings: (Required<Omit<MockOptions, "outputs">> & Pick<MockOptions, "outputs">) | undefined;

/** The outputs the cloud would add for a resource: physical names, ARNs, ids. */
function cloudOutputs(type: string, name: string, inputs: Registered["inputs"]): Registered["inputs"] {
    const { awsAccountId: account, awsRegion: region, gcpProjectNumber: projectNumber } = settings!;
    const physical = inputs.name ?? `${name}-${MOCK_NAME_SUFFIX}`;
    const regional = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
    switch (type) {
        case "aws:iam/role:Role":
            return {
                name: physical,
                arn: `arn:aws:iam::${account}:role${inputs.path ?? "/"}${physical}`,
                uniqueId: "AROAMOCKMOCKMOCKMOCK1",
            };
        case "aws:iam/policy:Policy":
            return { name: physical, arn: `arn:aws:iam::${account}:policy${inputs.path ?? "/"}${physical}` };
        case "aws:iam/user:User":
            return { name: physical, arn: `arn:aws:iam::${account}:user${inputs.path ?? "/"}${physical}` };
        case "aws:s3/bucketV2:BucketV2":
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name}-${MOCK_NAME_SUFFIX}`;
            return { bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:sqs/queue:Queue":
            return {
                name: physical,
                arn: regional("sqs", physical),
                url: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
            };
        case "aws:sns/topic:Topic":
            return { name: physical, arn: regional("sns", physical) };
        case "aws:dynamodb/table:Table":
            return { name: physical, arn: regional("dynamodb", `table/${physical}`) };
        case "aws:lambda/function:Function": {
            const arn = regional("lambda", `function:${physical}`);
            return {
                name: physical,
                arn,
                invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
            };
        }
        case "aws:kms/key:Key":
            return {
                keyId: "0a1b2c3d-mock-4e5f-8a9b-0c1d2e3f4a5b",
                arn: regional("kms", "key/0a1b2c3d-mock-4e5f-8a9b-0c1d2e3f4a5b"),
            };
        case "aws:cloudwatch/eventRule:EventRule":
            return { name: physical, arn: regional("events", `rule/${physical}`) };
        case "aws:secretsmanager/secret:Secret":
            return { name: physical, arn: regional("secretsmanager", `secret:${physical}-AbCdEf`) };
        case "aws:cloudwatch/logGroup:LogGroup": {
            const group =
                inputs.name ?? (inputs.namePrefix !== undefined ? `${inputs.namePrefix}${MOCK_NAME_SUFFIX}` : physical);
            return { name: group, arn: regional("logs", `log-group:${group}`) };
        }
        case "aws:eks/cluster:Cluster": {
            const issuer = `https://oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
            return {
                name: physical,
                arn: regional("eks", `cluster/${physical}`),
                identities: [{ oidcs: [{ issuer }] }],
            };
        }
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return {
                arn: `arn:aws:iam::${account}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}`,
            };
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
            return {
                email,
                member: `serviceAccount:${email}`,
                name: `projects/${inputs.project}/serviceAccounts/${email}`,
                uniqueId: "104200000000000000001",
            };
        }
        case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
            return {
                name: `projects/${projectNumber}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}`,
            };
        case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
            return {
                name: `projects/${projectNumber}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}`,
            };
        case "gcp:projects/iAMCustomRole:IAMCustomRole":
            return { name: `projects/${inputs.project}/roles/${inputs.roleId}` };
        case "gcp:storage/bucket:Bucket":
            return { name: physical, url: `gs://${physical}` };
        case "gcp:pubsub/topic:Topic":
            return { name: physical, id: `projects/${inputs.project}/topics/${physical}` };
        case "gcp:pubsub/subscription:Subscription":
            return { name: physical, id: `projects/${inputs.project}/subscriptions/${physical}` };
        case "gcp:secretmanager/secret:Secret":
            return { secretId: inputs.secretId, name: `projects/${projectNumber}/secrets/${inputs.secretId}` };
        case "gcp:cloudfunctionsv2/function:Function": {
            const fn = inputs.name ?? physical;
            return {
                name: fn,
                url: `https://${inputs.location}-${inputs.project}.cloudfunctions.net/${fn}`,
                serviceConfig: {
                    ...inputs.serviceConfig,
                    service: `projects/${inputs.project}/locations/${inputs.location}/services/${fn}`,
                },
            };
        }
        case "gcp:projects/serviceIdentity:ServiceIdentity": {
            const email = `service-${projectNumber}@gcp-sa-${String(inputs.service).split(".")[0]}.iam.gserviceaccount.com`;
            return { email, member: `serviceAccount:${email}` };
        }
        case "gcp:storage/bucketObject:BucketObject":
            return { name: inputs.name ?? physical, md5hash: "bW9jaw==" };
        case "gcp:bigquery/dataset:Dataset":
            return { datasetId: inputs.datasetId, id: `projects/${inputs.project}/datasets/${inputs.datasetId}` };
        case "random:index/randomId:RandomId":
            return { hex: "a1b2", b64Url: "obI" };
        case "random:index/randomString:RandomString":
            return { result: "Xq7Lm2Vp9Rt4Kw8Zc3Nb6Hd1Fg5Js0Ya".slice(0, inputs.length ?? 16) };
        case "gcp:container/cluster:Cluster":
            return { name: physical };
        case "gcp:monitoring/notificationChannel:NotificationChannel": {
            // Cloud Monitoring assigns a decimal ID; the mock derives a stable one from the name.
            const id = Array.from(String(physical)).reduce(
                (n: number, c: string) => (n * 31 + c.charCodeAt(0)) % 1_000_000_000_000,
                7,
            );
            return { name: `projects/${inputs.project}/notificationChannels/${id}` };
        }
        default:
            return {};
    }
}

/** What the mocked provider functions answer: the ones a stack asks for its account or project. */
function callOutputs(token: string, inputs: Registered["inputs"]): Registered["inputs"] {
    const { awsAccountId: account, awsRegion: region, gcpProjectNumber: projectNumber } = settings!;
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: account,
                arn: `arn:aws:iam::${account}:user/mock`,
                userId: "AIDAMOCKMOCKMOCKMOCK1",
                id: account,
            };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "gcp:organizations/getProject:getProject":
            return { ...inputs, number: projectNumber, projectId: inputs.projectId ?? inputs.project };
        default:
            return inputs;
    }
}

/**
 * Installs Pulumi's mocks for this process, answering as {@link MockOptions} says. Call it before
 * the program under test declares anything (mocha: in a root `before`, or at the top of the test
 * file before importing a program that declares resources at module level). Values resolve as in
 * an update (`preview` is false), so `valueOf` sees every output.
 *
 * The mocks are installed once per process: a second call with the same options does nothing,
 * with other options throws, because resources already registered would disagree with later ones.
 */
export function installMocks(options: MockOptions = {}): void {
    const wanted = {
        awsAccountId: options.awsAccountId ?? MOCK_ACCOUNT,
        awsRegion: options.awsRegion ?? "us-east-1",
        gcpProjectNumber: options.gcpProjectNumber ?? MOCK_PROJECT_NUMBER,
        project: options.project ?? "nhi",
        stack: options.stack ?? "test",
        outputs: options.outputs,
    };
    if (settings !== undefined) {
        const same = (Object.keys(wanted) as (keyof typeof wanted)[]).every((k) => wanted[k] === settings![k]);
        if (!same && Object.keys(options).length > 0) {
            throw new Error(
                "installMocks: the mocks are already installed with other options; call installMocks once per process, before declaring anything.",
            );
        }
        return;
    }
    settings = wanted;
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                const mine = settings!.outputs?.({ type: args.type, name: args.name, inputs: args.inputs });
                // An `id` among the outputs is the resource's ID, as the provider would set it.
                const { id, ...outputs } = mine ?? cloudOutputs(args.type, args.name, args.inputs);
                return { id: typeof id === "string" ? id : `${args.name}-id`, state: { ...args.inputs, ...outputs } };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return callOutputs(args.token, args.inputs);
            },
        },
        wanted.project,
        wanted.stack,
        false,
    );
}

/**
 * Runs `declare` under the mocks (installing them with the defaults if {@link installMocks} was not
 * called) and returns what it returned once every resource it declared has registered, with the
 * resources registered meanwhile, in order of registration.
 */
export async function capture<T>(declare: () => T): Promise<{
    /** What `declare` returned. */
    value: T;
    /** The resources registered while it ran, in order of registration. */
    resources: Registered[];
}> {
    installMocks();
    const start = registered.length;
    const value = declare();
    // Not in the SDK's typings: the runtime's wait for every outstanding registration.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const resources = registered.slice(start);
    // The mock monitor's registered resources by URN: its public `resources` field, present in every
    // @pulumi/pulumi we support (`getRegisteredResources()` is newer than 3.142).
    const urns: string[] = [
        ...(pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> }).resources.keys(),
    ];
    for (const r of resources) {
        const urn = urns.find(
            (u) => u.endsWith(`::${r.name}`) && (u.includes(`::${r.type}::`) || u.includes(`$${r.type}::`)),
        );
        const qualified = urn?.split("::")[2] ?? r.type;
        const chain = qualified.split("$");
        r.parentType = chain.length > 1 ? chain[chain.length - 2] : undefined;
    }
    return { value, resources };
}

/**
 * The value of `output` once it resolves: its plain value, also for a secret. Under the mocks every
 * output resolves; an output that would be unknown in a preview resolves to undefined.
 */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** The resources of `type` in `resources`, in order of registration. */
export function ofType(resources: readonly Registered[], type: string): Registered[] {
    return resources.filter((r) => r.type === type);
}
