import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../components/core/errors";
import { DeferredCheck } from "../../components/core/deferred";
import {
    MonitorTargets,
    UsageMonitorRegistry,
    checkMonitorTargets,
    notAmongTargetsProblem,
} from "../../components/core/usage-monitors";
import { installMocks } from "../../components/testing";

/*
 * How identities find their usage monitor by convention, on both clouds: the registry by program
 * and key, the lookup now or once the program has run, and the check that the identity's target
 * is among the monitor's.
 */

interface Entry {
    readonly name: string;
    readonly targets: readonly pulumi.Input<string>[];
}
const KIND: MonitorTargets<Entry> = {
    component: "x.UsageMonitor",
    field: "notifyTargets",
    noun: "targets",
    verb: "may notify",
    name: (e) => e.name,
    targets: (e) => e.targets,
    wellFormed: (v) => v.startsWith("t:"),
};

/** Runs `program` in a stack, as `pulumi up` runs one, and resolves `result`'s output once everything has run. */
async function inStack<T>(program: () => pulumi.Output<T> | undefined): Promise<T | undefined> {
    installMocks();
    let out: pulumi.Output<T> | undefined;
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            out = program();
            return {};
        });
        return out === undefined ? undefined : await new Promise<T>((resolve) => out!.apply((v) => resolve(v)));
    } finally {
        require("@pulumi/pulumi/runtime/state").setStackResource(undefined);
    }
}

describe("usage monitors found by convention (core)", () => {
    it("finds the monitors of a key in the running program, by value for strings and by identity for objects", () => {
        // GIVEN monitors registered under a project and a provider object, in a program with no stack
        const registry = new UsageMonitorRegistry<Entry>();
        const provider = {};
        const a = { name: "a", targets: ["t:1"] };
        const b = { name: "b", targets: ["t:2"] };
        const monitorA = {};
        registry.register(monitorA, "proj-one", a);
        registry.register({}, provider, b);
        // WHEN looked up  THEN each key finds its own, an equal object does not, and an unknown key finds none ever (no stack)
        assert.deepStrictEqual(registry.lookup("proj-one"), { found: [a] });
        assert.deepStrictEqual(registry.lookup(provider), { found: [b] });
        assert.deepStrictEqual(registry.lookup({}), {});
        assert.deepStrictEqual(registry.lookup("proj-two"), {});
        // AND the component leads to its entry, anything else to nothing
        assert.strictEqual(registry.entryOf(monitorA), a);
        assert.strictEqual(registry.entryOf(a), undefined);
        assert.strictEqual(registry.entryOf("proj-one"), undefined);
    });

    it("in a stack, a monitor declared after the identity is found once the program has run", async () => {
        // GIVEN a lookup before the monitor is declared, in a stack
        const registry = new UsageMonitorRegistry<Entry>();
        const seen = await inStack(() => {
            const lookup = registry.lookup("proj-late");
            assert.ok(lookup.later !== undefined && lookup.found === undefined);
            const after = registry.afterProgram(lookup.later!, (found) => pulumi.all(found.flatMap((m) => m.targets)));
            registry.register({}, "proj-late", { name: "late", targets: [pulumi.output("t:9")] });
            return after!.apply(({ found, values }) => ({ names: found.map((m) => m.name), values }));
        });
        // WHEN the program has run  THEN the monitor and its resolved targets are seen
        assert.deepStrictEqual(seen, { names: ["late"], values: ["t:9"] });
    });

    it("without a stack there is no moment after the program", () => {
        const registry = new UsageMonitorRegistry<Entry>();
        assert.strictEqual(
            registry.afterProgram({ scope: {}, key: "p" }, () => []),
            undefined,
        );
    });

    describe("the target must be among the monitor's", () => {
        const found = [
            { name: "usage", targets: ["t:1", "t:2"] },
            { name: "usage-b", targets: ["t:3"] },
        ];
        const table: [string, string | undefined][] = [
            ["t:1", undefined],
            ["t:3", undefined],
            // a malformed target is reported by its own check, not twice
            ["nonsense", undefined],
            [
                "t:4",
                "`alarm.notify` `t:4` is not among the `notifyTargets` of the `x.UsageMonitor` `usage`, `usage-b` (`t:1`, `t:2`, `t:3`), the only targets it may notify: add it to `notifyTargets`, or notify one of those.",
            ],
        ];
        for (const [target, expected] of table) {
            it(`${target}: ${expected === undefined ? "accepted" : "refused"}`, () => {
                assert.strictEqual(
                    notAmongTargetsProblem(
                        "alarm.notify",
                        target,
                        found,
                        found.flatMap((m) => m.targets),
                        KIND,
                    ),
                    expected,
                );
                const problems = new Problems();
                const later: DeferredCheck<any>[] = [];
                checkMonitorTargets("alarm.notify", target, found, KIND, problems, later);
                assert.deepStrictEqual(
                    [problems.list, later],
                    [expected === undefined ? [] : [{ propertyPath: "alarm.notify", reason: expected }], []],
                );
            });
        }

        it("a target or a monitor's target known only at deploy time is checked where it resolves, with the same words", async () => {
            const problems = new Problems();
            const later: DeferredCheck<any>[] = [];
            checkMonitorTargets(
                "alarm.notify",
                "t:4",
                [{ name: "usage", targets: [pulumi.output("t:1")] }],
                KIND,
                problems,
                later,
            );
            assert.deepStrictEqual(problems.list, []);
            assert.strictEqual(later.length, 1);
            const resolved = await new Promise<string[]>((r) =>
                pulumi.output(later[0].value).apply((v) => r(v as string[])),
            );
            assert.strictEqual(
                later[0].problem(resolved),
                "`alarm.notify` `t:4` is not among the `notifyTargets` of the `x.UsageMonitor` `usage` (`t:1`), the only targets it may notify: add it to `notifyTargets`, or notify one of those.",
            );
        });
    });
});
