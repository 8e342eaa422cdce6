/**
 * An in-memory IAM service account keys API with the documented semantics the key rotator relies on:
 * - a service account has user-managed keys, which users create, disable, enable and delete, and system-managed keys, which Google
 *   rotates and users cannot touch; `keys.list` with `keyTypes=USER_MANAGED` returns only the former
 *   (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys);
 * - the private part (`privateKeyData`, a credentials file) is returned once, in the `keys.create` response, and never again
 *   ("Users retain the private key of these key-pairs, and Google retains ONLY the public key", same page);
 * - at most 10 keys per service account (https://cloud.google.com/iam/quotas#limits); the 11th is refused with RESOURCE_EXHAUSTED
 *   "Maximum number of keys on account reached." (as reported in https://github.com/googlearchive/k8s-service-catalog/issues/228 and
 *   https://github.com/hail-is/hail/pull/4725). Disabled keys count: disabling does not remove a key. System-managed keys do not;
 * - a disabled key can be enabled again; a deleted key is gone (NOT_FOUND) (https://cloud.google.com/iam/docs/keys-disable-enable);
 * - Google disables a key it finds exposed when `iam.serviceAccountKeyExposureResponse` says so, with
 *   `disableReason: SERVICE_ACCOUNT_KEY_DISABLE_REASON_EXPOSED` (`expose`).
 * Disabling a disabled key is not documented either way: `disableDisabled` selects success or FAILED_PRECONDITION.
 * Calls can be made to fail (gRPC codes) or to "crash" the caller after taking effect, and every call is counted and journaled.
 */
import { randomBytes } from "crypto";
import { CreatedKey, KeyInfo, KeyStore } from "../../../components/runtime/gcp/key-store";
import { CODE, Faults, GrpcError } from "./faults";

type Method = keyof KeyStore;

export const EXPOSED = "SERVICE_ACCOUNT_KEY_DISABLE_REASON_EXPOSED";
const USER_INITIATED = "SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED";

interface StoredKey {
    id: string;
    type: "USER_MANAGED" | "SYSTEM_MANAGED";
    validAfterTime: number;
    disabled: boolean;
    disableReason?: string;
}

export class FakeIamKeys implements KeyStore {
    private readonly faults = new Faults<Method>({ listKeys: 0, createKey: 0, disableKey: 0, deleteKey: 0 });
    /** Calls per method. */
    readonly calls = this.faults.calls;
    /** Every call in order, for tests that check nothing destroys. */
    readonly journal = this.faults.journal;
    /** Every key ever made, deleted ones too, by ID. */
    readonly keys = new Map<string, StoredKey>();
    /** The most user-managed keys the account ever held at once. */
    maxHeld = 0;
    private readonly deleted = new Set<string>();

    constructor(
        readonly account: string,
        readonly email: string,
        readonly clock: { now: number },
        readonly opts: { disableDisabled?: "idempotent" | "failed-precondition" } = {},
    ) {}

    failNext(method: Method, code: number, times = 1, message?: string): this {
        this.faults.failNext(method, code, times, message);
        return this;
    }

    crashAfter(method: Method, error?: Error): this {
        this.faults.crashAfter(method, error);
        return this;
    }

    /** A key made outside the function (the state before the test). */
    seed(type: StoredKey["type"], validAfterTime: number, disabled = false): string {
        const id = randomBytes(20).toString("hex");
        this.keys.set(id, { id, type, validAfterTime, disabled });
        return id;
    }

    /** Google finds the key in public and disables it. */
    expose(id: string): void {
        Object.assign(this.keys.get(id)!, { disabled: true, disableReason: EXPOSED });
    }

    /** The user-managed keys that exist, oldest first: `id:enabled|disabled`. */
    live(): StoredKey[] {
        return [...this.keys.values()]
            .filter((k) => k.type === "USER_MANAGED" && !this.deleted.has(k.id))
            .sort((a, b) => a.validAfterTime - b.validAfterTime);
    }

    /** Whether a consumer holding key `id` can authenticate with it. */
    works(id: string): boolean {
        const k = this.keys.get(id);
        return k !== undefined && !this.deleted.has(k.id) && !k.disabled;
    }

    private enter(method: Method, target: string): void {
        this.faults.enter(method, target);
    }

    private leave(method: Method): void {
        this.faults.leave(method);
    }

    private info(k: StoredKey): KeyInfo {
        return {
            name: `${this.account}/keys/${k.id}`,
            id: k.id,
            validAfterTime: k.validAfterTime,
            disabled: k.disabled,
            ...(k.disableReason ? { disableReason: k.disableReason } : {}),
        };
    }

    private find(name: string): StoredKey {
        const id = name.slice(name.lastIndexOf("/") + 1);
        const k = name.startsWith(`${this.account}/keys/`) ? this.keys.get(id) : undefined;
        if (!k || this.deleted.has(id))
            throw new GrpcError(CODE.NOT_FOUND, `Service account key ${name} does not exist.`);
        if (k.type !== "USER_MANAGED")
            throw new GrpcError(CODE.FAILED_PRECONDITION, `Service account key ${name} is system-managed.`);
        return k;
    }

    private own(account: string): void {
        if (account !== this.account)
            throw new GrpcError(7, `Permission 'iam.serviceAccountKeys' denied on ${account}`);
    }

    async listKeys(account: string): Promise<KeyInfo[]> {
        this.enter("listKeys", account);
        this.own(account);
        this.leave("listKeys");
        return this.live().map((k) => this.info(k));
    }

    async createKey(account: string): Promise<CreatedKey> {
        this.enter("createKey", account);
        this.own(account);
        if (this.live().length >= 10)
            throw new GrpcError(CODE.RESOURCE_EXHAUSTED, "Maximum number of keys on account reached.");
        const id = randomBytes(20).toString("hex");
        const k: StoredKey = { id, type: "USER_MANAGED", validAfterTime: this.clock.now, disabled: false };
        this.keys.set(id, k);
        this.maxHeld = Math.max(this.maxHeld, this.live().length);
        const credentials = Buffer.from(
            JSON.stringify({
                type: "service_account",
                project_id: this.account.split("/")[1],
                private_key_id: id,
                private_key: `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString("base64")}\n-----END PRIVATE KEY-----\n`,
                client_email: this.email,
            }),
        );
        this.leave("createKey");
        return { ...this.info(k), credentials };
    }

    async disableKey(name: string): Promise<void> {
        this.enter("disableKey", name);
        const k = this.find(name);
        if (k.disabled && this.opts.disableDisabled === "failed-precondition")
            throw new GrpcError(CODE.FAILED_PRECONDITION, `Service account key ${name} is already disabled.`);
        if (!k.disabled) Object.assign(k, { disabled: true, disableReason: USER_INITIATED });
        this.leave("disableKey");
    }

    async deleteKey(name: string): Promise<void> {
        this.enter("deleteKey", name);
        const k = this.find(name);
        this.deleted.add(k.id);
        this.leave("deleteKey");
    }
}
