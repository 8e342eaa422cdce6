import * as pulumi from "@pulumi/pulumi";
import { AnyDeferredCheck } from "./deferred";
import { Problems, describe, numberHint } from "./errors";
import { MAX_EXPIRY_NOTICE_DAYS, MIN_EXPIRY_NOTICE_DAYS } from "../runtime/usage-classify";

/*
 * How an identity finds the usage monitor that checks it, on every cloud, by convention: each
 * monitor component registers itself here from its constructor, under the key of what it watches
 * (AWS: its AWS provider, that is an account and region; Google: its project), in the running
 * program. An identity with an alarm looks up the monitors of its own key. A monitor may be
 * declared after the identity: then, if the program runs in a stack (as `pulumi up` and `pulumi
 * preview` run it), the lookup is repeated once the program has declared everything
 * ({@link UsageMonitorRegistry.afterProgram}); without a stack resource (a multi-language program,
 * whose components the provider constructs one by one, or a test under `pulumi.runtime.setMocks`)
 * there is no such moment, and only a monitor declared before the identity can be found.
 */

/** The program scope of a program with no stack resource. */
const NO_STACK = {};

/**
 * The running program, as a key: the stack resource, or one shared scope where there is none. A
 * monitor of another program (another stack run in the same process, as tests do) is never found.
 */
export function programScope(): object {
    return pulumi.runtime.getStackResource() ?? NO_STACK;
}

/** Where to look for the monitor once the program has declared everything. */
export interface MonitorLater {
    readonly scope: object;
    readonly key: unknown;
}

/** What an identity finds of its monitors now: some, none yet but maybe later, or none ever. */
export type MonitorLookup<E> =
    | { readonly found: readonly E[]; readonly later?: never }
    | { readonly found?: never; readonly later: MonitorLater }
    | { readonly found?: never; readonly later?: never };

/**
 * The usage monitors of one cloud declared so far, by program ({@link programScope}) and key. A
 * WeakMap by program, so that a finished program's monitors are not kept; one entry per monitor,
 * never removed while its program runs (a program does not delete a component).
 */
export class UsageMonitorRegistry<E> {
    private readonly programs = new WeakMap<object, Map<unknown, E[]>>();
    private readonly entries = new WeakMap<object, E>();

    /** Records `monitor` (the component) with what identities find of it, `entry`, under `key` in the running program. */
    register(monitor: object, key: unknown, entry: E): void {
        const scope = programScope();
        const byKey = this.programs.get(scope) ?? new Map<unknown, E[]>();
        this.programs.set(scope, byKey);
        byKey.set(key, [...(byKey.get(key) ?? []), entry]);
        this.entries.set(monitor, entry);
    }

    /** The entry of a registered monitor component (an identity's explicit `monitor`), or undefined for anything else. */
    entryOf(monitor: unknown): E | undefined {
        return monitor !== null && typeof monitor === "object" ? this.entries.get(monitor) : undefined;
    }

    /** The monitors of `key` in the program `scope`. */
    find(scope: object, key: unknown): readonly E[] {
        return this.programs.get(scope)?.get(key) ?? [];
    }

    /**
     * The monitors of `key` in the running program: `found` when any is declared; else `later`
     * when the program may still declare one (it runs in a stack); else neither.
     */
    lookup(key: unknown): MonitorLookup<E> {
        const scope = programScope();
        const found = this.find(scope, key);
        if (found.length > 0) {
            return { found };
        }
        return scope === NO_STACK ? {} : { later: { scope, key } };
    }

    /**
     * The monitors of `later`, once the program has declared everything, with `values(found)`
     * resolved (the targets to check). The stack resource's outputs resolve after the program's
     * function has returned: the one such moment the Pulumi SDK 3.248 offers. Undefined without a
     * stack. Nothing of the identity may wait for this (the stack's outputs may wait for the
     * identity): give it to `checkedAtDeployTime`, which logs and fails the run.
     */
    afterProgram<V>(
        later: MonitorLater,
        values: (found: readonly E[]) => pulumi.Input<V>,
    ): pulumi.Output<{ found: readonly E[]; values: pulumi.Unwrap<V> }> | undefined {
        const stack = pulumi.runtime.getStackResource();
        if (stack === undefined) {
            return undefined;
        }
        return stack.outputs.apply(() => {
            const found = this.find(later.scope, later.key);
            return pulumi.output(values(found)).apply((v) => ({ found, values: v as pulumi.Unwrap<V> }));
        });
    }
}

/** How a cloud's monitor names the targets it may notify, for {@link notAmongTargetsProblem}. */
export interface MonitorTargets<E> {
    /** The component, `aws.UsageMonitor`. */
    readonly component: string;
    /** Its argument listing the targets, `notifyTopics`. */
    readonly field: string;
    /** The targets, `topics`. */
    readonly noun: string;
    /** What the monitor does with them, completing "the only topics it …": `may publish to`. */
    readonly verb: string;
    readonly name: (e: E) => string;
    readonly targets: (e: E) => readonly pulumi.Input<string>[];
    /** Whether `value` is a well-formed target at all (one that is not is reported by its own check). */
    readonly wellFormed: (value: string) => boolean;
    /**
     * What two names of the same target share (a Google channel's ID, whichever form of its
     * project the name has); the whole name when not given.
     */
    readonly key?: (value: string) => string;
}

/** The problem of a target given at `path` that none of the monitors `found` may notify; undefined when one may. */
export function notAmongTargetsProblem<E>(
    path: string,
    target: string,
    found: readonly E[],
    targets: readonly string[],
    kind: MonitorTargets<E>,
): string | undefined {
    const key = kind.key ?? ((v: string) => v);
    if (targets.some((t) => key(t) === key(target)) || !kind.wellFormed(target)) {
        return undefined;
    }
    const names = found.map((m) => `\`${kind.name(m)}\``).join(", ");
    return `\`${path}\` \`${target}\` is not among the \`${kind.field}\` of the \`${kind.component}\` ${names} (${targets.map((t) => `\`${t}\``).join(", ")}), the only ${kind.noun} it ${kind.verb}: add it to \`${kind.field}\`, or notify one of those.`;
}

/**
 * Checks that `notify` is among the targets of the monitors `found`: now when all are plain
 * values, else (one `later` check) where they resolve.
 */
export function checkMonitorTargets<E>(
    path: string,
    notify: pulumi.Input<string>,
    found: readonly E[],
    kind: MonitorTargets<E>,
    problems: Problems,
    later: AnyDeferredCheck[],
): void {
    const targets = found.flatMap(kind.targets);
    if (typeof notify === "string" && targets.every((t) => typeof t === "string")) {
        const problem = notAmongTargetsProblem(path, notify, found, targets as string[], kind);
        if (problem !== undefined) {
            problems.add(path, problem);
        }
        return;
    }
    later.push({
        path,
        value: pulumi.all([notify, ...targets]),
        problem: ([target, ...all]: string[]) => notAmongTargetsProblem(path, target, found, all, kind),
    });
}

/** Whether `v` is a whole number from `min` to `max`. */
export function isWholeIn(v: unknown, min: number, max: number): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Checks `expiryNoticeDays` (the same on every cloud): a whole number of days in the contract's
 * bounds, only with `expiresAt` (`expiryGiven`). Returns the days to record, or undefined when
 * none were given or they are refused.
 */
export function planExpiryNoticeDays(days: unknown, expiryGiven: boolean, problems: Problems): number | undefined {
    if (days === undefined) {
        return undefined;
    }
    if (!isWholeIn(days, MIN_EXPIRY_NOTICE_DAYS, MAX_EXPIRY_NOTICE_DAYS)) {
        problems.add(
            "expiryNoticeDays",
            `\`expiryNoticeDays\` must be a whole number of days from ${MIN_EXPIRY_NOTICE_DAYS} to ${MAX_EXPIRY_NOTICE_DAYS}; got ${describe(days)}.${numberHint(days)}`,
        );
        return undefined;
    }
    if (!expiryGiven) {
        problems.add(
            "expiryNoticeDays",
            `\`expiryNoticeDays\` (${days}) says how many days before \`expiresAt\` the identity counts as expiring, but \`expiresAt\` is not set: set \`expiresAt\`, or remove \`expiryNoticeDays\`.`,
        );
        return undefined;
    }
    return days;
}
