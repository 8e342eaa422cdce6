/**
 * The few Secret Manager calls the rotation function makes, behind an interface that tests fill with an in-memory fake.
 *
 * The value rotator never reads a value (`versions.access`): it needs `secretmanager.secrets.get`, `secretmanager.versions.list`,
 * `secretmanager.versions.add` and `secretmanager.versions.disable` on its own secret, nothing else. The key rotator also reads its
 * own secret's enabled versions ({@link ReadingSecretStore}), to learn which key each holds.
 * @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions
 */

export type VersionState = "ENABLED" | "DISABLED" | "DESTROYED";

/** A secret as the function needs it. Times are epoch milliseconds. */
export interface SecretInfo {
    /** `projects/{project}/secrets/{secret}` */
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    /**
     * `rotation.rotationPeriod` in seconds, when the API returns it: the field is documented as input only, so it may not.
     * @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation
     */
    readonly rotationPeriodSeconds?: number;
    readonly nextRotationTime?: number;
}

export interface VersionInfo {
    /** `projects/{project}/secrets/{secret}/versions/{n}` */
    readonly name: string;
    /** The version number: Secret Manager numbers a secret's versions 1, 2, 3, … in the order they are added. */
    readonly id: number;
    readonly state: VersionState;
    readonly createTime: number;
}

export interface SecretStore {
    getSecret(name: string): Promise<SecretInfo>;
    /** Every version of the secret, in any state. */
    listVersions(secret: string): Promise<VersionInfo[]>;
    addVersion(secret: string, data: Buffer): Promise<VersionInfo>;
    disableVersion(version: string): Promise<void>;
}

/** A store that can also read a version's payload (`secretmanager.versions.access`). */
export interface ReadingSecretStore extends SecretStore {
    /** The payload of an ENABLED version; FAILED_PRECONDITION for a version in another state. */
    accessVersion(version: string): Promise<Buffer>;
}

/** The shape of a protobuf `Timestamp` or `Duration` as `@google-cloud/secret-manager` returns it (google-gax decodes int64 as strings). */
interface ProtoSeconds {
    seconds?: number | string | { toString(): string } | null;
    nanos?: number | null;
}

interface RawVersion {
    name?: string | null;
    state?: string | number | null;
    createTime?: ProtoSeconds | null;
}

/** The part of `SecretManagerServiceClient` used here; each call resolves to `[response, …]` as the gapic clients do. */
export interface SecretManagerClientLike {
    getSecret(req: { name: string }): Promise<
        [
            {
                name?: string | null;
                labels?: Record<string, string> | null;
                rotation?: { rotationPeriod?: ProtoSeconds | null; nextRotationTime?: ProtoSeconds | null } | null;
            },
            ...unknown[],
        ]
    >;
    listSecretVersions(
        req: { parent: string },
        opts?: { autoPaginate?: boolean },
    ): Promise<[RawVersion[], ...unknown[]]>;
    addSecretVersion(req: { parent: string; payload: { data: Buffer } }): Promise<[RawVersion, ...unknown[]]>;
    disableSecretVersion(req: { name: string }): Promise<[RawVersion, ...unknown[]]>;
    accessSecretVersion(req: {
        name: string;
    }): Promise<[{ payload?: { data?: Uint8Array | string | null } | null }, ...unknown[]]>;
}

function secondsToMs(t: ProtoSeconds | null | undefined): number | undefined {
    if (t == null || t.seconds == null) return undefined;
    return Number(String(t.seconds)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

function toVersion(raw: RawVersion): VersionInfo {
    const name = raw.name ?? "";
    return {
        name,
        id: Number(name.slice(name.lastIndexOf("/") + 1)),
        state: String(raw.state) as VersionState,
        createTime: secondsToMs(raw.createTime) ?? 0,
    };
}

/** A `SecretStore` over the real client. `listSecretVersions` auto-paginates, as the gapic clients do by default. */
export function secretManagerStore(client: SecretManagerClientLike): ReadingSecretStore {
    return {
        async getSecret(name) {
            const [s] = await client.getSecret({ name });
            const period = secondsToMs(s.rotation?.rotationPeriod);
            return {
                name: s.name ?? name,
                labels: s.labels ?? {},
                rotationPeriodSeconds: period === undefined ? undefined : period / 1000,
                nextRotationTime: secondsToMs(s.rotation?.nextRotationTime),
            };
        },
        async listVersions(secret) {
            const [versions] = await client.listSecretVersions({ parent: secret }, { autoPaginate: true });
            return versions.map(toVersion);
        },
        async addVersion(secret, data) {
            const [v] = await client.addSecretVersion({ parent: secret, payload: { data } });
            return toVersion(v);
        },
        async disableVersion(version) {
            await client.disableSecretVersion({ name: version });
        },
        async accessVersion(version) {
            const [response] = await client.accessSecretVersion({ name: version });
            const data = response.payload?.data;
            return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data ?? []);
        },
    };
}

/**
 * The store over `@google-cloud/secret-manager`, loaded on first use so that the handler file loads without it and tests never load gRPC.
 * A plain `require` keeps the library's generated types (protos.d.ts) out of the project's type check, which they slowed by about
 * 4 s; `SecretManagerClientLike` states the part used, and a test checks the pinned library has those methods.
 */
export async function defaultSecretStore(): Promise<ReadingSecretStore> {
    const { SecretManagerServiceClient } = require("@google-cloud/secret-manager") as {
        SecretManagerServiceClient: new () => SecretManagerClientLike;
    };
    return secretManagerStore(new SecretManagerServiceClient());
}
