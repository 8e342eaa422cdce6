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
 * The options a component of type `type` named `name` passes to `super()`: the caller's, plus, for
 * a component 0.1.0 released under another token ({@link RELEASED_TYPES}), an alias from that token
 * (`nhi:index:AwsServiceIdentity`) to its module token (`nhi:aws:ServiceIdentity`).
 *
 * The alias changes only the type: same name, same parent, same stack. Pulumi carries a parent's
 * aliases to its children, so a stack deployed with 0.1.0 moves to the new tokens with every child
 * kept, nothing replaced. Module tokens read the same in every language the provider serves
 * (`nhi.aws.ServiceIdentity` in Python, `nhi:aws:ServiceIdentity` in YAML).
 *
 * The alias is not free: the SDK turns every alias into Outputs the component keeps, which is why
 * components that have no old token get none. A component at the top of the stack (no `parent`,
 * the usual case) gets its old URN as a string, written here as the SDK and the engine write the
 * URN of a resource whose parent is the stack; the SDK makes 3 Outputs of it, where the same alias
 * as a `{ type }` spec costs 9 (the parent's URN, the project, the stack and their joins): 6 of the
 * 11 Outputs an identity had beyond the hand-written resources, about 7 KB each identity
 * (`npm run bench`, measured). Under another parent, whose URN is known only once it is
 * registered, the alias stays a `{ type }` spec. The engine treats both alike: it collapses each
 * alias to a URN, and a child inherits its parent's old URN from either.
 * @see https://www.pulumi.com/docs/iac/concepts/options/aliases/
 */
export function withLegacyType(
    type: string,
    name: string,
    opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions {
    const legacy = RELEASED_TYPES[type];
    if (legacy === undefined) {
        return opts ?? {};
    }
    const alias: pulumi.Input<pulumi.URN | pulumi.Alias> =
        opts?.parent === undefined
            ? `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${legacy}::${name}`
            : { type: legacy };
    return { ...opts, aliases: [...(opts?.aliases ?? []), alias] };
}

/** The token 0.1.0 released for a module token (`nhi:aws:ServiceIdentity` → `nhi:index:AwsServiceIdentity`), if any. */
export function legacyTypeOf(type: string): string | undefined {
    return RELEASED_TYPES[type];
}
