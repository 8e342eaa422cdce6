import * as pulumi from "@pulumi/pulumi";
import { DeployTimeError, Problems } from "./errors";

/**
 * A check of a value that may only be known at deploy time. At construction a plain value is
 * checked at once; an Output is checked where it resolves, with the same message.
 */
export interface DeferredCheck<T = string> {
    readonly path: string;
    readonly value: pulumi.Input<T>;
    /** The problem with `value`, or undefined when it is fine. */
    readonly problem: (value: pulumi.Unwrap<T>) => string | undefined;
}

/**
 * A check of a value of any type: what a component's list of deferred checks holds, mixing checks
 * of strings with checks of other values. Each check's `problem` takes its own value's type, which
 * no single type argument other than `any` admits (`problem` is a property, so checked
 * contravariantly: a `DeferredCheck<string>` is no `DeferredCheck<unknown>`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the existential type of a mixed list, see above
export type AnyDeferredCheck = DeferredCheck<any>;

/**
 * Runs `check` now when its value is a plain string, recording any problem; otherwise keeps it in
 * `later` to run when the value resolves.
 */
export function checkNowOrLater(check: DeferredCheck, problems: Problems, later: DeferredCheck[]): void {
    if (typeof check.value === "string") {
        const problem = check.problem(check.value);
        if (problem !== undefined) {
            problems.add(check.path, problem);
        }
    } else if (check.value !== undefined) {
        later.push(check);
    }
}

/**
 * The one way a component checks values known only at deploy time: `value`, once it has resolved,
 * passed through `check`, which records every problem it finds in `problems` and returns what the
 * component needs (the value itself, or documents rendered from it).
 *
 * When `check` finds problems, they are reported in one message, the same as at construction
 * ({@link DeployTimeError}):
 * - logged against `component` with `pulumi.log.error`, so the engine shows it under the
 *   component in the preview or update, and a runner that swallows unhandled rejections (a test
 *   framework) still has it, and Pulumi does not follow it with a report of "leaked" promises;
 * - and the Output rejects with that error, so no resource that uses it is registered and the run
 *   fails (Pulumi's program runner reports the rejection of a resource's input as the program's
 *   failure; `pulumi.log.error` alone does not fail a run, pulumi/pulumi#5085).
 *
 * During a preview, a value that is not known yet is not checked: `check` runs when it resolves.
 */
export function checkedAtDeployTime<T, R>(
    subject: string,
    component: pulumi.Resource | undefined,
    value: pulumi.Input<T>,
    check: (resolved: pulumi.Unwrap<T>, problems: Problems) => R,
): pulumi.Output<R> {
    return pulumi.output(value).apply((resolved) => {
        const problems = new Problems();
        const result = check(resolved, problems);
        if (!problems.isEmpty) {
            const error = new DeployTimeError(subject, problems.list);
            pulumi.log.error(error.message, component);
            throw error;
        }
        return result;
    });
}

/** A value, once the deploy-time checks of its component have passed: see {@link deployTimeGuard}. */
export type Guard = <T>(value: pulumi.Input<T>) => pulumi.Input<T>;

/**
 * A guard over every check in `checks` of one component: `guard(value)` is `value` once all of
 * them have passed. The checks run once, together, so that every problem is in one message logged
 * once; and they are never matched to the values they guard, so that no wrapping of a value
 * (`pulumi.output(v)`, `v.apply(…)`) can skip its check. With no checks, `guard` returns its
 * argument: an identity without deferred values costs nothing here.
 *
 * A guarded input waits for every checked value of the component: guard nothing that one of those
 * values may itself come from (the role, whose ARN a KMS key policy names before the key's ARN
 * exists), or the two would wait for each other for ever.
 */
export function deployTimeGuard(
    subject: string,
    component: pulumi.Resource | undefined,
    checks: readonly AnyDeferredCheck[],
): Guard {
    if (checks.length === 0) {
        return (value) => value;
    }
    const verdict = checkedAtDeployTime(
        subject,
        component,
        pulumi.all(checks.map((c) => c.value)),
        (values, problems) => {
            checks.forEach((check, i) => {
                const problem = check.problem(values[i]);
                if (problem !== undefined) {
                    problems.add(check.path, problem);
                }
            });
        },
    );
    return <T>(value: pulumi.Input<T>) => pulumi.all([verdict, value]).apply(([, v]) => v) as pulumi.Input<T>;
}
