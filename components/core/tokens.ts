import * as pulumi from "@pulumi/pulumi";

/**
 * The type tokens 0.1.0 released, by the module token that replaces each. Only these two components
 * existed then; every other component was born with its module token and has no alias to carry.
 */
export const RELEASED_TYPES: Readonly<Record<string, string>> = {
    "nhi:aws:ServiceIdentity": "nhi:index:AwsServiceIdentity",
    "nhi:gcp:ServiceIdentity": "nhi:index:GcpServiceIdentity",
};

/**
 * The options a component of type `type` passes to `super()`: the caller's, plus, for a component
 * 0.1.0 released under another token ({@link RELEASED_TYPES}), an alias from that token
 * (`nhi:index:AwsServiceIdentity`) to its module token (`nhi:aws:ServiceIdentity`).
 *
 * The alias changes only the type: same name, same parent, same stack. Pulumi carries a parent's
 * aliases to its children, so a stack deployed with 0.1.0 moves to the new tokens with every child
 * kept, nothing replaced. Module tokens read the same in every language the provider serves
 * (`nhi.aws.ServiceIdentity` in Python, `nhi:aws:ServiceIdentity` in YAML).
 *
 * The alias is not free: the SDK turns it into Outputs the component keeps (about 40 MiB per 1,000
 * identities under the mocks, measured with `scripts/bench-worker.js`), which is why components
 * that have no old token get none.
 */
export function withLegacyType(
    type: string,
    opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions {
    const legacy = RELEASED_TYPES[type];
    if (legacy === undefined) {
        return opts ?? {};
    }
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: legacy }] };
}

/** The token 0.1.0 released for a module token (`nhi:aws:ServiceIdentity` → `nhi:index:AwsServiceIdentity`), if any. */
export function legacyTypeOf(type: string): string | undefined {
    return RELEASED_TYPES[type];
}
