/**
 * The graph path of a dense search, shared by DenseIndex.search and the dense segments of the
 * segmented store (src/segments/dense-search.ts), so both make the same decisions: without a
 * filter, the graph's candidates are rescored exactly (an HNSW answer that comes back short is
 * replaced by an exact scan); with a filter, the graph is asked for more candidates, growing
 * with the observed pass rate, until enough pass or the collection is exhausted, and a filter
 * so selective that more than {@link EXACT_SHARE} of the rows would be needed scans exactly.
 * The filter is called at most once per id per search.
 */
import type { Ranked } from '../kernels/topk.js';

/**
 * A filtered graph search that would need more than this share of the rows as candidates
 * scans exactly instead: at 100k × 1024 a 2 000-wide graph search already costs about as
 * much as the exact scan, and loses recall among the few passing ids.
 */
export const EXACT_SHARE = 1 / 32;

/** One graph and its exact scorer, as the search sees them. */
export interface GraphSearchTarget {
  /** Rows held. */
  n: number;
  k: number;
  /** First candidate count asked of the graph (≥ k). */
  base: number;
  /** Passing candidates wanted before rescoring (≥ k). */
  need: number;
  /** The graph's `wanted` nearest ids. */
  candidates(wanted: number): Uint32Array;
  /** Exact top-k of the given ids. */
  rescore(ids: Uint32Array): Ranked;
  /** Exact top-k over every row passing `pass` (all rows without one). */
  exact(pass: ((id: number) => boolean) | undefined): Ranked;
}

/**
 * Top-k through the graph, as the module comment describes.
 *
 * @example
 * ```ts
 * const top = searchGraph({ n, k: 10, base: 10, need: 10, candidates, rescore, exact }, (id) => id % 2 === 0);
 * ```
 */
export function searchGraph(t: GraphSearchTarget, filter: ((id: number) => boolean) | undefined): Ranked {
  const { n, k, base, need } = t;
  if (filter === undefined) {
    const cand = t.candidates(Math.min(base, n));
    // HNSW may come back short (e.g. after many removals): answer exactly then.
    return cand.length < Math.min(k, n) ? t.exact(undefined) : t.rescore(cand);
  }
  const verdict = new Map<number, boolean>();
  const passes = (id: number): boolean => {
    let v = verdict.get(id);
    if (v === undefined) {
      v = filter(id) === true;
      verdict.set(id, v);
    }
    return v;
  };
  let wanted = Math.min(base, n);
  for (;;) {
    const cand = t.candidates(wanted);
    const kept: number[] = [];
    for (const id of cand) if (passes(id)) kept.push(id);
    // Enough survivors to rescore (k × oversample of them, so an i8 graph's rough order is
    // corrected among passing ids too), or the graph returned the whole collection.
    if (kept.length >= need || cand.length >= n) return t.rescore(Uint32Array.from(kept));
    // Grow by the observed pass rate (with headroom), at least doubling; no survivor at all
    // counts as half of one, so very selective filters reach the exact scan sooner.
    const rate = Math.max(kept.length, 0.5) / Math.max(cand.length, 1);
    const next = Math.max(wanted * 2, Math.ceil((2 * Math.max(base, need)) / rate));
    if (next > n * EXACT_SHARE || cand.length < wanted) return t.exact(passes);
    wanted = Math.min(next, n);
  }
}
