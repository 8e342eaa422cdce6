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
     * Records every problem `part` found, in its order. A check of one part of the arguments fills
     * its own collector and says by it whether that part is valid; the whole is reported here.
     */
    addAll(part: Problems): void {
        this.items.push(...part.items);
    }

    /**
     * Throws one {@link pulumi.InputPropertiesError} listing every problem, if there is any.
     * `subject` names the component being declared, e.g. `AwsServiceIdentity "worker"`.
     */
    throwIfAny(subject: string): void {
        if (this.isEmpty) {
            return;
        }
        throw new pulumi.InputPropertiesError({
            message: formatProblems(subject, this.items),
            errors: [...this.items],
        });
    }
}

/** The message of the error thrown for `problems`: one line per problem, property first. */
export function formatProblems(subject: string, problems: readonly pulumi.InputPropertyErrorDetails[]): string {
    const noun = problems.length === 1 ? "argument" : "arguments";
    const lines = problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
    return `${subject} has ${problems.length} invalid ${noun}:\n${lines.join("\n")}`;
}

/**
 * The error of a component whose values known only at deploy time failed their checks: the same
 * message and property paths as {@link Problems.throwIfAny} at construction, so a user sees the same
 * words whichever way a value arrived.
 *
 * A {@link pulumi.RunError}, so that Pulumi's program runner reports its message without a stack
 * trace (a stack into this package would say nothing to the user), and without a stack of its own
 * for runners that print one.
 */
export class DeployTimeError extends pulumi.RunError {
    /** Every problem found, with its property path, as in {@link pulumi.InputPropertiesError}. */
    readonly errors: readonly pulumi.InputPropertyErrorDetails[];

    constructor(subject: string, problems: readonly pulumi.InputPropertyErrorDetails[]) {
        const message = formatProblems(subject, problems);
        super(message);
        this.name = "DeployTimeError";
        this.errors = [...problems];
        this.stack = `${this.name}: ${message}`;
        // Pulumi prefixes `error serializing property "policy": ` to the message of an error that
        // passes through a resource's inputs, once per resource that awaits it. The message is the
        // user's report, shared by every input the failed check guards: it stays as written.
        Object.defineProperty(this, "message", { get: () => message, set: () => undefined, enumerable: false });
        // Node prints an error's own properties after its message: Pulumi's type marker and the
        // promise Pulumi attaches say nothing to the user. The message already says it all.
        for (const key of ["__pulumiRunError", "promise"]) {
            Object.defineProperty(this, key, {
                value: (this as Record<string, unknown>)[key],
                writable: true,
                enumerable: false,
            });
        }
    }
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

/**
 * What a value known only at deploy time is called in messages, `an Output` or `a Promise`, or
 * undefined when `value` is neither.
 */
export function deployTimeKind(value: unknown): "an Output" | "a Promise" | undefined {
    if (pulumi.Output.isInstance(value)) {
        return "an Output";
    }
    return value instanceof Promise ? "a Promise" : undefined;
}

/**
 * The problem with `value` given for `path`, a field that must be known when the program runs,
 * when it is an Output or a Promise; otherwise undefined. `why` completes "it must be known when
 * the program runs, because …"; `example` is a plain value to show.
 */
export function deployTimeValueProblem(path: string, value: unknown, why: string, example: string): string | undefined {
    const kind = deployTimeKind(value);
    return kind === undefined
        ? undefined
        : `\`${path}\` is ${kind}, but it must be known when the program runs, because ${why}. Pass a plain string, such as \`${example}\`.`;
}

/**
 * A short rendering of a user-supplied value for an error message, after "got". An Output or a
 * Promise is named as such, with why it cannot be used: the field it was given for takes only values
 * known when the program runs (an Output's own text is Pulumi's advice about `toJSON`, not the value).
 */
export function describe(value: unknown): string {
    if (typeof value === "string") {
        return value.trim() === "" ? (value === "" ? "an empty string" : "only whitespace") : `\`${value}\``;
    }
    if (value === undefined || value === null) {
        return String(value);
    }
    const kind = deployTimeKind(value);
    if (kind !== undefined) {
        return `${kind}, but this argument must be known when the program runs, because it is checked before anything is created: pass a plain value`;
    }
    let text: string | undefined;
    try {
        text = JSON.stringify(value);
    } catch {
        text = undefined;
    }
    return text === undefined ? typeof value : `${typeof value} \`${text}\``;
}

/** ` Pass the number `30`, not the text.` for a whole number given as text, otherwise the empty string. */
export function numberHint(value: unknown): string {
    return typeof value === "string" && /^\d+$/.test(value.trim())
        ? ` Pass the number \`${value.trim()}\`, not the text.`
        : "";
}
