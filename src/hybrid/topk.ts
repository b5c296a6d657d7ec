/**
 * Positions of the best `k` values, best first; ties broken by `tieKey` ascending (internal id),
 * so results are deterministic.
 */
export function topPositions(scores: ArrayLike<number>, k: number, tieKey: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || tieKey[a]! - tieKey[b]!);
  return idx.slice(0, Math.max(0, k));
}

/** Union of id lists, ascending, without duplicates. */
export function unionIds(...lists: ArrayLike<number>[]): Uint32Array {
  const set = new Set<number>();
  for (const l of lists) for (let i = 0; i < l.length; i++) set.add(l[i]!);
  return Uint32Array.from([...set].sort((a, b) => a - b));
}
