// ESLint (flat config): eslint's and typescript-eslint's `recommended` rules over everything that is
// code here (components/ with the shipped runtime, examples/, scripts/, test/), plus the scopes where
// a rule is knowingly relaxed, each with its reason. Layout is prettier's (.prettierrc.json).
//
// Not type-checked: typescript-eslint's type-aware rules (`no-floating-promises` and the other
// promise rules) need a TypeScript program, measured at 3x the CPU of this config (28 s against 8 s
// user time, 1.8 GB against 0.65 GB of memory, on this tree) for 7 findings, all calls of Pulumi's
// fire-and-forget `pulumi.log.*` and `setMocks`; `tsc --noEmit` in `npm test` already type-checks.
// @see https://typescript-eslint.io/getting-started/typed-linting/
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
    globalIgnores(["node_modules/", "bin/", "out/", "tmp/", "data/", "docs/api/"]),
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // `_name` marks a parameter kept for the signature; `{ a, ...rest }` drops `a` on purpose.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // The package's lazy entry points (components/*/index.ts, see components/core/lazy.ts) load
        // a cloud's modules on first use, so that an AWS-only stack never loads `@pulumi/gcp`; and a
        // `require` inside a function breaks an import cycle (components/aws/deprovision.ts).
        files: ["components/**/*.ts"],
        ignores: ["components/runtime/**"],
        rules: { "@typescript-eslint/no-require-imports": ["error", { allow: ["^\\./"] }] },
    },
    {
        // The Google Cloud functions load their SDKs with a plain `require`, which keeps those
        // SDKs' types (Express, CloudEvents, gRPC) out of the project's type check.
        files: ["components/runtime/**/*.ts"],
        rules: {
            "@typescript-eslint/no-require-imports": [
                "error",
                {
                    allow: [
                        "^@google-cloud/functions-framework$",
                        "^@google-cloud/secret-manager$",
                        "^google-auth-library$",
                    ],
                },
            ],
        },
    },
    {
        // Tests load a module at the moment they choose (an example's program while it runs under
        // the mocks, a JSON file or a component by a computed path, an SDK after its fakes), and
        // reach into Pulumi's runtime modules that the SDK's typings do not export. They pass
        // ill-typed input on purpose (`as any`) to prove the runtime checks, and read parsed
        // policy JSON, where a type would only restate the assertion.
        files: ["test/**"],
        languageOptions: { globals: { ...globals.mocha } },
        rules: {
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
    {
        // The provider speaks gRPC through the SDK's generated stubs (`@pulumi/pulumi/proto/*_pb`,
        // `google-protobuf`), plain CommonJS without types, and loads each component class
        // through the namespaces' lazy exports.
        files: ["components/provider/**"],
        rules: {
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
    {
        // The scripts, the mocha reporter and the bench are CommonJS run by plain `node`.
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs" },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
