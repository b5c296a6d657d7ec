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
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < a.length && a[lo] === x ? lo : -1;
}
