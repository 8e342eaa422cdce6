/**
 * Throttling retries for every AWS function of this package (rotation, usage monitor): plain
 * TypeScript with no import, so that a function's archive holds only what it calls.
 */

/**
 * At most this many calls in all, so at most 3.1 s of sleep in one call (0.1 + 0.2 + … + 1.6),
 * well inside a function's timeout.
 */
export const MAX_ATTEMPTS = 6;
export const BASE_DELAY_MS = 100;
/** Error names IAM, Secrets Manager, SNS, DynamoDB, CloudWatch and the SDK give a throttled request. */
const THROTTLING = new Set([
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
]);

/** What a retry needs: a sleep (tests pass one that does not wait) and a number in [0, 1) for the jitter. */
export interface Backoff {
    readonly sleep: (ms: number) => Promise<void>;
    readonly random: () => number;
}

/**
 * `call()`, retried while the service throttles it: exponential backoff with full jitter (a
 * sleep drawn uniformly from [0, `BASE_DELAY_MS` × 2^retry)), at most `MAX_ATTEMPTS` calls; the
 * last throttling error is thrown. Every call it retries is idempotent or safe to repeat after a
 * throttled (hence refused) try. Throttling errors are recognised by name, as the SDK's own retry
 * strategy does (IAM answers `Throttling`, Secrets Manager `ThrottlingException`; both are in
 * `THROTTLING_ERROR_CODES` of `@smithy/core`'s retry module, with DynamoDB's
 * `ProvisionedThroughputExceededException` and `RequestLimitExceeded`). That list also holds
 * `LimitExceededException`, which IAM uses for its quotas (a third access key): deliberately not
 * retried here, since waiting does not make room.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html (request quotas)
 */
export async function withBackoff<T>(call: () => Promise<T>, deps: Backoff): Promise<T> {
    for (let attempt = 0; ; attempt++) {
        try {
            return await call();
        } catch (e) {
            if (!THROTTLING.has(errorName(e)) || attempt + 1 >= MAX_ATTEMPTS) {
                throw e;
            }
            await deps.sleep(Math.floor(deps.random() * BASE_DELAY_MS * 2 ** attempt));
        }
    }
}

export function errorName(e: unknown): string {
    return e instanceof Error ? e.name : "Error";
}
