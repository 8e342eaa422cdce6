import * as pulumi from "@pulumi/pulumi";

/**
 * The options a component passes to `super()`: the caller's, plus an alias from the type token the
 * component had before 0.2.0 (`nhi:index:<Cloud><Class>`, e.g. `nhi:index:AwsServiceIdentity`) to
 * its module token (`nhi:<cloud>:<Class>`, e.g. `nhi:aws:ServiceIdentity`).
 *
 * The alias changes only the type: same name, same parent, same stack. Pulumi carries a parent's
 * aliases to its children, so a stack deployed with 0.1.0 moves to the new tokens with every child
 * kept, nothing replaced. Module tokens read the same in every language the provider serves
 * (`nhi.aws.ServiceIdentity` in Python, `nhi:aws:ServiceIdentity` in YAML).
 */
export function withLegacyType(
    legacyType: string,
    opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions {
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: legacyType }] };
}

/** The pre-0.2.0 token of a module token: `nhi:aws:ServiceIdentity` → `nhi:index:AwsServiceIdentity`. */
export function legacyTypeOf(type: string): string {
    const [pkg, module, name] = type.split(":");
    return `${pkg}:index:${module.charAt(0).toUpperCase()}${module.slice(1)}${name}`;
}
