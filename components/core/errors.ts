import * as pulumi from "@pulumi/pulumi";

/**
 * Collects every problem found in a component's arguments so that the user sees all of them at
 * once, then throws a single {@link pulumi.InputPropertiesError}.
 *
 * Each problem carries the property path (`grants[1].actions[0]`) and a reason that names the
 * property in backticks, what was given and what is allowed.
 */
export class Problems {
    private readonly items: pulumi.InputPropertyErrorDetails[] = [];

    /** Records one problem with the property at `propertyPath`. */
    add(propertyPath: string, reason: string): void {
        this.items.push({ propertyPath, reason });
    }

    /** The problems recorded so far, in the order they were found. */
    get list(): readonly pulumi.InputPropertyErrorDetails[] {
        return this.items;
    }

    get isEmpty(): boolean {
        return this.items.length === 0;
    }

    /**
     * Throws one {@link pulumi.InputPropertiesError} listing every problem, if there is any.
     * `subject` names the component being declared, e.g. `AwsServiceIdentity "worker"`.
     */
    throwIfAny(subject: string): void {
        if (this.isEmpty) {
            return;
        }
        throw new pulumi.InputPropertiesError({ message: formatProblems(subject, this.items), errors: [...this.items] });
    }
}

/** The message of the error thrown for `problems`: one line per problem, property first. */
export function formatProblems(subject: string, problems: readonly pulumi.InputPropertyErrorDetails[]): string {
    const noun = problems.length === 1 ? "argument" : "arguments";
    const lines = problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
    return `${subject} has ${problems.length} invalid ${noun}:\n${lines.join("\n")}`;
}

/**
 * Throws the error for one problem found in a value that only resolves at deploy time. The same
 * message as at construction, so a user sees the same words whichever way the value arrived.
 */
export function throwDeployTimeProblem(subject: string, propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertiesError({
        message: formatProblems(subject, [{ propertyPath, reason }]),
        errors: [{ propertyPath, reason }],
    });
}

/** Formats a list of allowed values for a message: `read`, `write` or `list`. */
export function oneOf(values: readonly string[]): string {
    return joinQuoted(values, "or");
}

/** Formats a list of values that are all present: `service` and `account`. */
export function allOf(values: readonly string[]): string {
    return joinQuoted(values, "and");
}

function joinQuoted(values: readonly string[], conjunction: string): string {
    const quoted = values.map((v) => `\`${v}\``);
    if (quoted.length <= 1) {
        return quoted.join("");
    }
    return `${quoted.slice(0, -1).join(", ")} ${conjunction} ${quoted[quoted.length - 1]}`;
}

/** ` Did you mean `a`, `b`?` when there are suggestions, otherwise the empty string. */
export function didYouMean(suggestions: readonly string[]): string {
    if (suggestions.length === 0) {
        return "";
    }
    return ` Did you mean ${oneOf(suggestions)}?`;
}

/** A short rendering of a user-supplied value for an error message. */
export function describe(value: unknown): string {
    if (typeof value === "string") {
        return value.trim() === "" ? (value === "" ? "an empty string" : "only whitespace") : `\`${value}\``;
    }
    if (value === undefined || value === null) {
        return String(value);
    }
    return `${typeof value} \`${JSON.stringify(value)}\``;
}
