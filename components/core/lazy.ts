/**
 * Defines each of `names` on `target` (a module's `exports`) as a getter that loads `load()` on its
 * first read, so that importing a namespace does not load the cloud SDK behind it: `@pulumi/gcp`
 * alone is about 160 modules, which an AWS-only stack should neither load nor install. The same
 * pattern as the lazy exports of Pulumi's own provider SDKs. `names` maps each exported name to
 * its name in the loaded module. Node caches the module, so every read returns the same value.
 *
 * The cloud SDKs are optional peer dependencies: when one is not installed, the first read throws
 * `missing` (which says what to install), followed by Node's own message.
 */
export function exportLazily(
    target: object,
    load: () => Record<string, unknown>,
    names: Readonly<Record<string, string>>,
    missing: string,
): void {
    const loadOrExplain = () => {
        try {
            return load();
        } catch (e) {
            if (
                (e as { code?: unknown }).code === "MODULE_NOT_FOUND" &&
                /'@pulumi\//.test(String((e as Error).message))
            ) {
                throw new Error(`${missing} ${String((e as Error).message).split("\n")[0]}`, { cause: e });
            }
            throw e;
        }
    };
    for (const [exported, inModule] of Object.entries(names)) {
        Object.defineProperty(target, exported, {
            enumerable: true,
            configurable: true,
            get: () => loadOrExplain()[inModule],
        });
    }
}
