/**
 * An in-memory IAM that keeps the documented rules of users' access keys, for testing the access-key
 * rotation function without a cloud. Wired to a real `IAMClient` through aws-sdk-client-mock, next
 * to `FakeSecretsManager`.
 *
 * The rules it keeps, each from the API reference or the quotas page:
 * - At most 2 access keys per user (quotas table, "Access keys assigned to an IAM user": 2), Active or not: a
 *   third `CreateAccessKey` fails with `LimitExceeded`.
 *   @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * - `CreateAccessKey` makes an Active key and is the only answer that holds its secret key; no other
 *   call returns it.
 *   @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
 * - `ListAccessKeys` gives each key's id, status and `CreateDate`, never its secret.
 *   @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html
 * - `UpdateAccessKey` sets `Active` or `Inactive`; `DeleteAccessKey` removes a key (either status);
 *   an unknown user or key is `NoSuchEntity`.
 *   @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
 *   @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html
 */
import {
    AccessKeyMetadata,
    CreateAccessKeyCommand,
    CreateAccessKeyCommandInput,
    CreateAccessKeyCommandOutput,
    DeleteAccessKeyCommand,
    DeleteAccessKeyCommandInput,
    IAMClient,
    IAMServiceException,
    LimitExceededException,
    ListAccessKeysCommand,
    ListAccessKeysCommandInput,
    ListAccessKeysCommandOutput,
    NoSuchEntityException,
    UpdateAccessKeyCommand,
    UpdateAccessKeyCommandInput,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";

interface Key {
    readonly id: string;
    readonly secret: string;
    status: "Active" | "Inactive";
    readonly created: Date;
}

export type IamOperation = "ListAccessKeys" | "CreateAccessKey" | "UpdateAccessKey" | "DeleteAccessKey";

export class FakeIam {
    private readonly users = new Map<string, Key[]>();
    private faults: { at: number; name: string }[] = [];
    private serial = 0;
    /** Every call, in order. */
    readonly calls: IamOperation[] = [];
    /** Every secret key ever returned by CreateAccessKey (to prove none is logged). */
    readonly secrets: string[] = [];
    /** Called before a key is deactivated or deleted, with its id (tests check it is not AWSCURRENT's). */
    guard: (operation: IamOperation, id: string) => void = () => {};

    constructor(private readonly clock: () => Date) {}

    addUser(name: string): void {
        this.users.set(name, []);
    }

    /** The user's keys, as ListAccessKeys shows them, oldest first. */
    keys(user: string): { id: string; status: string; created: Date }[] {
        return this.user(user).map((k) => ({ id: k.id, status: k.status, created: k.created }));
    }

    /** Makes the `at`-th call from now fail, before it takes effect, with an error named `name`. */
    fail(at: number, name: string): void {
        this.faults.push({ at, name });
    }

    client(): IAMClient {
        const client = new IAMClient({ region: "us-east-1" });
        const mock = mockClient(client);
        mock.on(ListAccessKeysCommand).callsFake((i: ListAccessKeysCommandInput) =>
            this.call("ListAccessKeys", () => this.listAccessKeys(i)),
        );
        mock.on(CreateAccessKeyCommand).callsFake((i: CreateAccessKeyCommandInput) =>
            this.call("CreateAccessKey", () => this.createAccessKey(i)),
        );
        mock.on(UpdateAccessKeyCommand).callsFake((i: UpdateAccessKeyCommandInput) =>
            this.call("UpdateAccessKey", () => this.updateAccessKey(i)),
        );
        mock.on(DeleteAccessKeyCommand).callsFake((i: DeleteAccessKeyCommandInput) =>
            this.call("DeleteAccessKey", () => this.deleteAccessKey(i)),
        );
        return client;
    }

    private call<T>(operation: IamOperation, run: () => T): T {
        this.calls.push(operation);
        this.faults.forEach((f) => f.at--);
        const fault = this.faults.find((f) => f.at === 0);
        this.faults = this.faults.filter((f) => f.at > 0);
        if (fault !== undefined) {
            throw new IAMServiceException({
                name: fault.name,
                $fault: "client",
                $metadata: { httpStatusCode: 400 },
                message: `injected ${fault.name}`,
            });
        }
        return run();
    }

    listAccessKeys(input: ListAccessKeysCommandInput): ListAccessKeysCommandOutput {
        const user = input.UserName!;
        const metadata: AccessKeyMetadata[] = this.user(user).map((k) => ({
            UserName: user,
            AccessKeyId: k.id,
            Status: k.status,
            CreateDate: k.created,
        }));
        return { $metadata: {}, AccessKeyMetadata: metadata, IsTruncated: false };
    }

    createAccessKey(input: CreateAccessKeyCommandInput): CreateAccessKeyCommandOutput {
        const keys = this.user(input.UserName!);
        if (keys.length >= 2) {
            throw new LimitExceededException({
                $metadata: {},
                message: "Cannot exceed quota for AccessKeysPerUser: 2",
            });
        }
        this.serial++;
        const key: Key = {
            id: `AKIA${String(this.serial).padStart(16, "0")}`,
            secret: `wJalr${String(this.serial).padStart(4, "0")}XUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.slice(0, 40),
            status: "Active",
            created: this.clock(),
        };
        keys.push(key);
        this.secrets.push(key.secret);
        return {
            $metadata: {},
            AccessKey: {
                UserName: input.UserName!,
                AccessKeyId: key.id,
                Status: "Active",
                SecretAccessKey: key.secret,
                CreateDate: key.created,
            },
        };
    }

    updateAccessKey(input: UpdateAccessKeyCommandInput): { $metadata: object } {
        const key = this.key(input.UserName!, input.AccessKeyId!);
        if (input.Status === "Inactive") {
            this.guard("UpdateAccessKey", key.id);
        }
        key.status = input.Status as Key["status"];
        return { $metadata: {} };
    }

    deleteAccessKey(input: DeleteAccessKeyCommandInput): { $metadata: object } {
        const keys = this.user(input.UserName!);
        const key = this.key(input.UserName!, input.AccessKeyId!);
        this.guard("DeleteAccessKey", key.id);
        keys.splice(keys.indexOf(key), 1);
        return { $metadata: {} };
    }

    private user(name: string): Key[] {
        const keys = this.users.get(name);
        if (keys === undefined) {
            throw new NoSuchEntityException({ $metadata: {}, message: `The user with name ${name} cannot be found.` });
        }
        return keys;
    }

    private key(user: string, id: string): Key {
        const key = this.user(user).find((k) => k.id === id);
        if (key === undefined) {
            throw new NoSuchEntityException({
                $metadata: {},
                message: `The Access Key with id ${id} cannot be found.`,
            });
        }
        return key;
    }
}
