/**
 * The four IAM calls the key rotator makes on its service account's keys, behind an interface that tests fill with an in-memory fake.
 *
 * The client is `google-auth-library`'s `GoogleAuth.request` on the IAM REST API v1: the function's own credentials from the metadata
 * server, four plain HTTPS calls, and no generated client (the whole IAM API as `@googleapis/iam` would bring code for hundreds of
 * methods to call four). `google-auth-library` is Apache-2.0, Google's own, and already what `@google-cloud/secret-manager` authenticates
 * with; the function's `package.json` pins it.
 * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys
 *
 * Calls and the permission each needs on the service account: `keys.list` (`iam.serviceAccountKeys.list`), `keys.create`
 * (`iam.serviceAccountKeys.create`), `keys.disable` (`iam.serviceAccountKeys.disable`), `keys.delete` (`iam.serviceAccountKeys.delete`).
 *
 * Runs in the cloud: imports nothing from `@pulumi/*` or `components/` (DESIGN.md, "runtime/").
 */

export const IAM_API = "https://iam.googleapis.com/v1";

/**
 * A user-managed key as the function needs it. Times are epoch milliseconds.
 * `validAfterTime` is when the key was made: Google sets it at creation.
 */
export interface KeyInfo {
    /** `projects/{project}/serviceAccounts/{email}/keys/{key id}` */
    readonly name: string;
    /** The key ID: the last part of `name`, and `private_key_id` in the key's credentials file. */
    readonly id: string;
    readonly validAfterTime: number;
    readonly disabled: boolean;
    /** Why Google or a person disabled the key, such as `SERVICE_ACCOUNT_KEY_DISABLE_REASON_EXPOSED`. */
    readonly disableReason?: string;
}

/** A key just made: the only response that carries its private part. */
export interface CreatedKey extends KeyInfo {
    /** The credentials file (`TYPE_GOOGLE_CREDENTIALS_FILE`), decoded from the response's base64 `privateKeyData`. */
    readonly credentials: Buffer;
}

export interface KeyStore {
    /** The account's user-managed keys (`keyTypes=USER_MANAGED`): Google's system-managed keys are neither counted nor touched. */
    listKeys(account: string): Promise<KeyInfo[]>;
    createKey(account: string): Promise<CreatedKey>;
    disableKey(key: string): Promise<void>;
    deleteKey(key: string): Promise<void>;
}

/** gRPC status names and their codes: the REST API reports errors as `{ error: { code: <HTTP>, status: "<NAME>", message } }`. @see https://cloud.google.com/apis/design/errors */
const STATUS_CODES: Readonly<Record<string, number>> = {
    CANCELLED: 1,
    UNKNOWN: 2,
    INVALID_ARGUMENT: 3,
    DEADLINE_EXCEEDED: 4,
    NOT_FOUND: 5,
    ALREADY_EXISTS: 6,
    PERMISSION_DENIED: 7,
    RESOURCE_EXHAUSTED: 8,
    FAILED_PRECONDITION: 9,
    ABORTED: 10,
    OUT_OF_RANGE: 11,
    UNIMPLEMENTED: 12,
    INTERNAL: 13,
    UNAVAILABLE: 14,
    DATA_LOSS: 15,
    UNAUTHENTICATED: 16,
};
/** The code of an HTTP status when the body names none. */
const HTTP_CODES: Readonly<Record<number, number>> = {
    400: 3,
    401: 16,
    403: 7,
    404: 5,
    409: 10,
    429: 8,
    500: 13,
    503: 14,
    504: 4,
};

/** An IAM API error with its gRPC code, so that the shared retry rules apply to both APIs alike. */
export class IamApiError extends Error {
    constructor(
        readonly code: number,
        message: string,
    ) {
        super(message);
        this.name = "IamApiError";
    }
}

/** What `GoogleAuth.request` takes and gives, as far as used here. */
export type Request = (opts: {
    url: string;
    method: "GET" | "POST" | "DELETE";
    data?: unknown;
}) => Promise<{ data: unknown }>;

interface RawKey {
    name?: string;
    validAfterTime?: string;
    disabled?: boolean;
    disableReason?: string;
    privateKeyData?: string;
}

function toKey(raw: RawKey): KeyInfo {
    const name = raw.name ?? "";
    return {
        name,
        id: name.slice(name.lastIndexOf("/") + 1),
        validAfterTime: Date.parse(raw.validAfterTime ?? "") || 0,
        disabled: raw.disabled === true,
        ...(raw.disableReason ? { disableReason: raw.disableReason } : {}),
    };
}

/** The error `err` (a gaxios error, or anything) as an {@link IamApiError}; its message is Google's, which names no secret. */
export function iamApiError(err: unknown): unknown {
    const e = err as {
        response?: { status?: number; data?: { error?: { status?: string; message?: string } } };
        status?: number;
    } | null;
    const status = e?.response?.status ?? e?.status;
    const body = e?.response?.data?.error;
    const code =
        (body?.status !== undefined ? STATUS_CODES[body.status] : undefined) ??
        (status !== undefined ? HTTP_CODES[status] : undefined);
    return code === undefined ? err : new IamApiError(code, body?.message ?? `HTTP ${status}`);
}

/** A `KeyStore` over the IAM REST API through `request`. */
export function iamKeyStore(request: Request): KeyStore {
    const send = async (opts: Parameters<Request>[0]): Promise<unknown> => {
        try {
            return (await request(opts)).data;
        } catch (err) {
            throw iamApiError(err);
        }
    };
    return {
        async listKeys(account) {
            const data = (await send({ url: `${IAM_API}/${account}/keys?keyTypes=USER_MANAGED`, method: "GET" })) as
                { keys?: RawKey[] } | undefined;
            return (data?.keys ?? []).map(toKey);
        },
        async createKey(account) {
            const raw = (await send({
                url: `${IAM_API}/${account}/keys`,
                method: "POST",
                data: { privateKeyType: "TYPE_GOOGLE_CREDENTIALS_FILE", keyAlgorithm: "KEY_ALG_RSA_2048" },
            })) as RawKey;
            return { ...toKey(raw), credentials: Buffer.from(raw.privateKeyData ?? "", "base64") };
        },
        async disableKey(key) {
            await send({ url: `${IAM_API}/${key}:disable`, method: "POST", data: {} });
        },
        async deleteKey(key) {
            await send({ url: `${IAM_API}/${key}`, method: "DELETE" });
        },
    };
}

/**
 * The store over `google-auth-library`, loaded on first use so that the handler file loads without it. A plain `require` keeps the
 * library's types out of the project's type check; `Request` states the part used, and a test checks the pinned library has it.
 */
export async function defaultKeyStore(): Promise<KeyStore> {
    const { GoogleAuth } = require("google-auth-library") as {
        GoogleAuth: new (opts: { scopes: string[] }) => { request: Request };
    };
    const auth = new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
    return iamKeyStore((opts) => auth.request(opts));
}
