import * as pulumi from "@pulumi/pulumi";
import { Problems, throwDeployTimeProblem } from "./errors";

/**
 * A check of a value that may only be known at deploy time. At construction a plain value is
 * checked at once; an Output is checked where it resolves, with the same message.
 */
export interface DeferredCheck {
    readonly path: string;
    readonly value: pulumi.Input<string>;
    /** The problem with `value`, or undefined when it is fine. */
    readonly problem: (value: string) => string | undefined;
}

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
 * `value`, which resolves only once every check in `checks` that concerns it has passed; a failed
 * check throws the same error as at construction, naming `subject`.
 */
export function checkedInput(subject: string, value: pulumi.Input<string>, checks: readonly DeferredCheck[]): pulumi.Output<string> {
    const mine = checks.filter((c) => c.value === value);
    return pulumi.output(value).apply((v) => {
        for (const check of mine) {
            const problem = check.problem(v);
            if (problem !== undefined) {
                throwDeployTimeProblem(subject, check.path, problem);
            }
        }
        return v;
    });
}
