/** How many suggestions a "did you mean" offers at most. */
export const MAX_SUGGESTIONS = 3;

/**
 * The candidates closest to `given` by edit distance (case-insensitive), best first, at most
 * `limit` of them, and only those close enough to be a plausible typo: within a third of the
 * longer string's length (at least 1), or starting with `given` (3 characters or more).
 */
export function closestNames(given: string, candidates: Iterable<string>, limit = MAX_SUGGESTIONS): string[] {
    const needle = given.toLowerCase();
    const scored: { name: string; distance: number }[] = [];
    for (const candidate of candidates) {
        const hay = candidate.toLowerCase();
        const bound = Math.max(1, Math.floor(Math.max(needle.length, hay.length) / 3));
        const distance = hay.startsWith(needle) && needle.length >= 3 ? 1 : editDistance(needle, hay, bound);
        if (distance <= bound) {
            scored.push({ name: candidate, distance });
        }
    }
    scored.sort((a, b) => a.distance - b.distance || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
    return scored.slice(0, limit).map((s) => s.name);
}

/**
 * Damerau-Levenshtein distance (optimal string alignment) between `a` and `b`, giving up early with
 * `bound + 1` once the distance must exceed `bound`.
 */
export function editDistance(a: string, b: string, bound = Number.MAX_SAFE_INTEGER): number {
    if (Math.abs(a.length - b.length) > bound) {
        return bound + 1;
    }
    let prevPrev: number[] = [];
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        let rowMin = i;
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let value = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                value = Math.min(value, prevPrev[j - 2] + 1);
            }
            row.push(value);
            rowMin = Math.min(rowMin, value);
        }
        if (rowMin > bound) {
            return bound + 1;
        }
        prevPrev = prev;
        prev = row;
    }
    return prev[b.length];
}
