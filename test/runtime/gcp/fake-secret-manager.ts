/**
 * An in-memory Secret Manager with the documented semantics the rotation function relies on:
 * - a secret's versions are numbered 1, 2, 3, … in the order they are added, and a new version is ENABLED
 *   (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions: "SecretVersion IDs in a Secret start at 1
 *   and are incremented for each subsequent version of the secret");
 * - a version is ENABLED, DISABLED or DESTROYED; disabling is reversible, destroying is not
 *   (https://cloud.google.com/secret-manager/docs/disable-secret-version);
 * - accessing a version that is not ENABLED fails with FAILED_PRECONDITION, "Secret Version [...] is in DISABLED state."
 *   (as reported in https://github.com/external-secrets/external-secrets/issues/4042);
 * - disabling a DESTROYED version fails with FAILED_PRECONDITION. Disabling a DISABLED version is not documented either way:
 *   `disableDisabled` selects idempotent success or FAILED_PRECONDITION, and the function is tested against both.
 * Calls can be made to fail (gRPC codes) or to "crash" the caller, and every call is counted.
 */
import {
    ReadingSecretStore,
    SecretInfo,
    VersionInfo,
    VersionState,
} from "../../../components/runtime/gcp/secret-store";

export { CODE, Crash, GrpcError } from "./faults";
import { CODE, Faults, GrpcError } from "./faults";

type Method = keyof ReadingSecretStore;

interface StoredVersion {
    id: number;
    state: VersionState;
    createTime: number;
    value: Buffer;
}

export class FakeSecretManager implements ReadingSecretStore {
    private readonly faults = new Faults<Method>({
        getSecret: 0,
        listVersions: 0,
        addVersion: 0,
        disableVersion: 0,
        accessVersion: 0,
    });
    /** Calls per method. */
    readonly calls = this.faults.calls;
    /** Every call in order, for tests that check nothing destroys. */
    readonly journal = this.faults.journal;
    private readonly versions: StoredVersion[] = [];

    constructor(
        readonly name: string,
        public labels: Record<string, string>,
        readonly clock: { now: number },
        readonly opts: { rotationPeriodSeconds?: number; disableDisabled?: "idempotent" | "failed-precondition" } = {},
    ) {}

    /** The next `times` calls of `method` fail with gRPC `code`, before taking effect. */
    failNext(method: Method, code: number, times = 1): this {
        this.faults.failNext(method, code, times);
        return this;
    }

    /** The next call of `method` takes effect, then the caller crashes (or, with `error`, sees that error, as after a lost reply). */
    crashAfter(method: Method, error?: Error): this {
        this.faults.crashAfter(method, error);
        return this;
    }

    /** Adds a version directly (the state before the test), at `createTime`. */
    seed(value: string, createTime: number, state: VersionState = "ENABLED"): void {
        this.versions.push({ id: this.versions.length + 1, state, createTime, value: Buffer.from(value) });
    }

    /** What a consumer reading `versions/{id}` gets. */
    access(id: number | "latest"): string {
        const v = id === "latest" ? this.versions[this.versions.length - 1] : this.versions[id - 1];
        if (!v) throw new GrpcError(CODE.NOT_FOUND, `Secret Version [${this.name}/versions/${id}] not found.`);
        if (v.state !== "ENABLED")
            throw new GrpcError(
                CODE.FAILED_PRECONDITION,
                `Secret Version [${this.name}/versions/${v.id}] is in ${v.state} state.`,
            );
        return v.value.toString("utf8");
    }

    states(): string {
        return this.versions.map((v) => `${v.id}:${v.state}`).join(" ");
    }

    values(): string[] {
        return this.versions.map((v) => v.value.toString("utf8"));
    }

    private enter(method: Method, target: string): void {
        this.faults.enter(method, target);
    }

    private leave(method: Method): void {
        this.faults.leave(method);
    }

    private info(v: StoredVersion): VersionInfo {
        return { name: `${this.name}/versions/${v.id}`, id: v.id, state: v.state, createTime: v.createTime };
    }

    private own(secret: string): void {
        if (secret !== this.name) throw new GrpcError(CODE.NOT_FOUND, `Secret [${secret}] not found.`);
    }

    async getSecret(name: string): Promise<SecretInfo> {
        this.enter("getSecret", name);
        this.own(name);
        this.leave("getSecret");
        return { name, labels: { ...this.labels }, rotationPeriodSeconds: this.opts.rotationPeriodSeconds };
    }

    async listVersions(secret: string): Promise<VersionInfo[]> {
        this.enter("listVersions", secret);
        this.own(secret);
        this.leave("listVersions");
        // The API lists newest first.
        return this.versions.map((v) => this.info(v)).reverse();
    }

    async addVersion(secret: string, data: Buffer): Promise<VersionInfo> {
        this.enter("addVersion", secret);
        this.own(secret);
        const v: StoredVersion = {
            id: this.versions.length + 1,
            state: "ENABLED",
            createTime: this.clock.now,
            value: Buffer.from(data),
        };
        this.versions.push(v);
        this.leave("addVersion");
        return this.info(v);
    }

    async disableVersion(version: string): Promise<void> {
        this.enter("disableVersion", version);
        const id = Number(version.slice(version.lastIndexOf("/") + 1));
        const v = version.startsWith(`${this.name}/versions/`) ? this.versions[id - 1] : undefined;
        if (!v) throw new GrpcError(CODE.NOT_FOUND, `Secret Version [${version}] not found.`);
        if (
            v.state === "DESTROYED" ||
            (v.state === "DISABLED" && this.opts.disableDisabled === "failed-precondition")
        ) {
            throw new GrpcError(CODE.FAILED_PRECONDITION, `Secret Version [${version}] is in ${v.state} state.`);
        }
        v.state = "DISABLED";
        this.leave("disableVersion");
    }

    /** What the rotation function reads (`versions.access`): as a consumer would, counted and journaled. */
    async accessVersion(version: string): Promise<Buffer> {
        this.enter("accessVersion", version);
        const id = Number(version.slice(version.lastIndexOf("/") + 1));
        if (!version.startsWith(`${this.name}/versions/`))
            throw new GrpcError(CODE.NOT_FOUND, `Secret Version [${version}] not found.`);
        const value = Buffer.from(this.access(id), "utf8");
        this.leave("accessVersion");
        return value;
    }

    /** A human (or another process) changes a version's state. */
    setState(id: number, state: VersionState): void {
        this.versions[id - 1].state = state;
    }
}
