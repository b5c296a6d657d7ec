/** Binary search over ascending uint32 arrays (term ids, document ids of a segment). */

/**
 * Position of `x` in the ascending array `a`, or -1 when absent.
 *
 * @example
 * ```ts
 * indexOfSorted(Uint32Array.of(2, 5, 9), 5); // 1
 * ```
 */
export function indexOfSorted(a: Uint32Array, x: number): number {
  const lo = lowerBound(a, x);
  return lo < a.length && a[lo] === x ? lo : -1;
}

/**
 * First position in the ascending array `a` whose value is ≥ `x` (`a.length` when none).
 *
 * @example
 * ```ts
 * lowerBound(Uint32Array.of(2, 5, 9), 6); // 2
 * ```
 */
export function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
