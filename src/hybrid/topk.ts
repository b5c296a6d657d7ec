/**
 * Positions of the best `k` values, best first; ties broken by `tieKey` ascending (internal id),
 * so results are deterministic.
 */
export function topPositions(scores: ArrayLike<number>, k: number, tieKey: ArrayLike<number>): number[] {
  const n = scores.length;
  if (k >= 1 && k * 8 < n) {
    // few of many: one pass keeping the best k in order (same order as the sort below)
    const before = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && tieKey[a]! < tieKey[b]!);
    const top: number[] = [];
    for (let i = 0; i < n; i++) {
      if (top.length === k && !before(i, top[k - 1]!)) continue;
      let p = top.length;
      while (p > 0 && before(i, top[p - 1]!)) p--;
      top.splice(p, 0, i);
      if (top.length > k) top.pop();
    }
    return top;
  }
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || tieKey[a]! - tieKey[b]!);
  return idx.slice(0, Math.max(0, k));
}

/** Union of id lists, ascending, without duplicates. */
export function unionIds(...lists: ArrayLike<number>[]): Uint32Array {
  let n = 0;
  for (const l of lists) n += l.length;
  const all = new Uint32Array(n);
  let w = 0;
  for (const l of lists) for (let i = 0; i < l.length; i++) all[w++] = l[i]!;
  all.sort(); // typed-array sort: numeric
  let u = 0;
  for (let i = 0; i < n; i++) if (i === 0 || all[i] !== all[u - 1]) all[u++] = all[i]!;
  return all.slice(0, u);
}
