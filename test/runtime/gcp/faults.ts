/**
 * What every Google fake here shares: each call is counted and journaled, and can be made to fail
 * before taking effect (a gRPC code, as the client library reports it) or to "crash" the caller
 * after taking effect (the process died, or the reply was lost).
 */

export const CODE = { NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

export class GrpcError extends Error {
    constructor(
        readonly code: number,
        message: string,
    ) {
        super(`${code} ${message}`);
    }
}

/** Thrown by `crashAfter`: the process died after the call took effect. */
export class Crash extends Error {}

/** The calls of one fake, with the failures and crashes a test scheduled for them. */
export class Faults<Method extends string> {
    /** Every call in order, `"<method> <target>"`, for tests that check what was (never) called. */
    readonly journal: string[] = [];
    private readonly failures: { method: Method; code: number; message?: string }[] = [];
    private readonly crashes = new Map<Method, Error>();

    constructor(readonly calls: Record<Method, number>) {}

    /** The next `times` calls of `method` fail with gRPC `code`, before taking effect. */
    failNext(method: Method, code: number, times = 1, message?: string): void {
        for (let i = 0; i < times; i++) this.failures.push({ method, code, message });
    }

    /** The next call of `method` takes effect, then the caller crashes (or, with `error`, sees that error, as after a lost reply). */
    crashAfter(method: Method, error: Error = new Crash(`crashed after ${method}`)): void {
        this.crashes.set(method, error);
    }

    /** At the start of a call: counts and journals it, and throws a scheduled failure. */
    enter(method: Method, target: string): void {
        this.calls[method]++;
        this.journal.push(`${method} ${target}`);
        const i = this.failures.findIndex((f) => f.method === method);
        if (i >= 0) {
            const [f] = this.failures.splice(i, 1);
            throw new GrpcError(f.code, f.message ?? `injected on ${method}`);
        }
    }

    /** Once the call has taken effect: throws a scheduled crash. */
    leave(method: Method): void {
        const error = this.crashes.get(method);
        if (error) {
            this.crashes.delete(method);
            throw error;
        }
    }
}
