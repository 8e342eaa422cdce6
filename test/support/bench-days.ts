/**
 * What the usage monitors' measurements (`usage-monitor-measure.ts`, `gcp-usage-monitor-measure.ts`)
 * share when `npm run bench` runs one of them as a child process (scripts/ never import test/).
 */

/** One day the bench reports: its name and the measurement's options. */
export interface BenchDay<O> {
    readonly day: string;
    readonly options: O;
}

/**
 * For each size given on the command line and each of `days`, one JSON line on stdout: the
 * measurement and the day's name. Exits 1 with the stack on stderr if a measurement fails.
 */
export function printBenchDays<O>(
    days: readonly BenchDay<O>[],
    measure: (n: number, options: O) => Promise<object>,
): void {
    (async () => {
        for (const n of process.argv.slice(2).map(Number)) {
            for (const { day, options } of days) {
                const m = await measure(n, options);
                process.stdout.write(`${JSON.stringify({ ...m, day })}\n`);
            }
        }
    })().catch((e) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(1);
    });
}
