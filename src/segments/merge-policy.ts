/**
 * Tiered merge policy (after Lucene's TieredMergePolicy): a pure function from the live
 * segments' sizes to the merges worth doing now.
 *
 * - A segment's size is its live bytes: bytes × (1 − deleted / docs). Sizes below
 *   `floorSegmentBytes` count as the floor (tiny segments are merged eagerly, not by tier).
 * - Budget: the index may keep `segmentsPerTier` segments per tier, tiers growing by
 *   `maxMergeAtOnce`× from the smallest (floored) size, up to `maxMergedSegmentBytes`; more
 *   segments than that budget trigger merges.
 * - A merge takes up to `maxMergeAtOnce` segments, adjacent in size order, whose total stays
 *   ≤ `maxMergedSegmentBytes`; among the candidates the one with the lowest score wins:
 *   skew (largest / total, floored sizes: merging equals is cheap, one big + small ones
 *   rewrites the big one for little gain) × total^0.05 (slightly prefers smaller merges) ×
 *   (live ratio)² (prefers reclaiming deletions). Segments bigger than half the maximum are
 *   not merged by tier.
 * - Each merge turns k segments into one; merges are chosen until the count fits the budget.
 * - Graph budget (dense channels, `maxGraphSegments`, after the tiers): a search walks every
 *   segment big enough to be searched through its HNSW graph (more documents than the
 *   caller's `graphAbove`; smaller ones are scanned exactly), and each graph costs a descent
 *   and a beam of at least 3k, so eleven graphs of 9k cost ~2× one of 100k where four cost
 *   no more than one (bench/dense-walk.bench.ts). While more graph segments would remain
 *   than the budget, the two smallest (live bytes) are merged, joining a merge already chosen
 *   when one of them comes from it: the store then reuses the bigger one's graph and inserts
 *   only the smaller's vectors (reuseBiggest), so each step costs the smaller side's
 *   insertions and writes only the two. Two segments together above `maxMergedSegmentBytes`
 *   are not merged.
 * - Then any segment whose deleted share exceeds `deletesPctAllowed` is rewritten alone
 *   (a singleton merge drops its deletions).
 */

import { invalid } from '../errors.js';

/** A segment as the policy sees it. */
export interface MergeCandidate {
  name: string;
  /** Bytes of its files. */
  bytes: number;
  docs: number;
  deleted: number;
}

/** Settings (defaults as Lucene's, scaled to trident's files). */
export interface TieredMergeOptions {
  /** Segments allowed per tier (default 10). */
  segmentsPerTier?: number;
  /** Most segments merged at once (default 10). */
  maxMergeAtOnce?: number;
  /** Largest merged segment, live bytes (default 5 GiB). */
  maxMergedSegmentBytes?: number;
  /** Sizes below this count as this (default 2 MiB). */
  floorSegmentBytes?: number;
  /** A segment with more deleted documents than this percentage is rewritten (default 33). */
  deletesPctAllowed?: number;
  /**
   * Dense channels: the most segments searched through their graph (default 4; smaller
   * segments, scanned exactly, do not count). Ignored by channels without a graph.
   */
  maxGraphSegments?: number;
}

/** Each setting's accepted range (integers for the counts). */
const RANGES: Record<keyof TieredMergeOptions, { min: number; max: number; int: boolean }> = {
  segmentsPerTier: { min: 2, max: 1000, int: true },
  maxMergeAtOnce: { min: 2, max: 1000, int: true },
  maxMergedSegmentBytes: { min: 1, max: Number.MAX_SAFE_INTEGER, int: false },
  floorSegmentBytes: { min: 1, max: Number.MAX_SAFE_INTEGER, int: false },
  deletesPctAllowed: { min: 5, max: 50, int: false },
  maxGraphSegments: { min: 1, max: 1000, int: true },
};

/** Default {@link TieredMergeOptions.maxGraphSegments}. */
export const DEFAULT_MAX_GRAPH_SEGMENTS = 4;

/**
 * Checks merge settings given by a user: a plain object of the known keys, each a finite
 * number in its range (segmentsPerTier and maxMergeAtOnce integers ≥ 2, as Lucene's;
 * deletesPctAllowed 5…50; byte sizes > 0). INVALID_ARGUMENT naming `where` and the key.
 *
 * @example
 * ```ts
 * checkMergeOptions({ segmentsPerTier: 2 }, 'mergePolicy'); // returns the object
 * ```
 */
export function checkMergeOptions(raw: unknown, where: string): TieredMergeOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) invalid('INVALID_ARGUMENT', `${where} must be an object of merge settings (${Object.keys(RANGES).join(', ')}), got ${JSON.stringify(raw)}`);
  for (const [k, v] of Object.entries(raw)) {
    const r = RANGES[k as keyof TieredMergeOptions];
    if (!r) invalid('INVALID_ARGUMENT', `${where}: unknown merge setting '${k}' (known: ${Object.keys(RANGES).join(', ')})`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < r.min || v > r.max || (r.int && !Number.isInteger(v))) {
      invalid('INVALID_ARGUMENT', `${where}.${k} must be ${r.int ? 'an integer' : 'a number'} in ${r.min}…${r.max}, got ${JSON.stringify(v)}`);
    }
  }
  return raw as TieredMergeOptions;
}

const liveBytes = (s: MergeCandidate) => (s.docs > 0 ? s.bytes * (1 - s.deleted / s.docs) : 0);

/**
 * The merges to run now: each a list of segment names (≥ 2, or 1 to drop deletions).
 * Never names a segment twice; does not modify its input. `graphAbove`: for a dense channel,
 * the live documents above which a segment is searched through its graph (the graph budget
 * applies); undefined for channels without graphs.
 *
 * @example
 * ```ts
 * const merges = findMerges(entries.map((e) => ({ name: e.name, bytes, docs: e.docs, deleted: e.deleted })));
 * // e.g. [['seg-000003', 'seg-000004', …]]
 * ```
 */
export function findMerges(segments: readonly MergeCandidate[], opts: TieredMergeOptions = {}, graphAbove?: number): string[][] {
  const perTier = opts.segmentsPerTier ?? 10;
  const atOnce = opts.maxMergeAtOnce ?? 10;
  const maxBytes = opts.maxMergedSegmentBytes ?? 5 * 1024 ** 3;
  const floor = opts.floorSegmentBytes ?? 2 * 1024 ** 2;
  const delPct = opts.deletesPctAllowed ?? 33;
  const floored = (x: number) => Math.max(x, floor);
  const sorted = [...segments].sort((a, b) => liveBytes(b) - liveBytes(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const merges: string[][] = [];
  if (sorted.length === 0) return merges;

  // the budget: segmentsPerTier per tier, tiers growing by maxMergeAtOnce
  let total = 0;
  let min = Infinity;
  for (const s of sorted) {
    total += liveBytes(s);
    min = Math.min(min, liveBytes(s));
  }
  let level = floored(min);
  let left = total;
  let allowed = 0;
  for (;;) {
    const atLevel = left / level;
    if (atLevel < perTier || level >= maxBytes) {
      allowed += Math.ceil(atLevel);
      break;
    }
    allowed += perTier;
    left -= perTier * level;
    level = Math.min(maxBytes, level * atOnce);
  }
  allowed = Math.max(allowed, perTier);

  let eligible = sorted.filter((s) => liveBytes(s) <= maxBytes / 2);
  let count = sorted.length;
  while (count > allowed && eligible.length >= 2) {
    let best: MergeCandidate[] | null = null;
    let bestScore = Infinity;
    for (let start = 0; start + 1 < eligible.length; start++) {
      const cand: MergeCandidate[] = [];
      let bytes = 0;
      for (let i = start; i < eligible.length && cand.length < atOnce; i++) {
        const s = eligible[i]!;
        if (bytes + liveBytes(s) > maxBytes) continue;
        cand.push(s);
        bytes += liveBytes(s);
      }
      if (cand.length < 2) continue;
      let flooredSum = 0;
      let before = 0;
      for (const s of cand) {
        flooredSum += floored(liveBytes(s));
        before += s.bytes;
      }
      const skew = floored(liveBytes(cand[0]!)) / flooredSum;
      const liveRatio = before > 0 ? bytes / before : 1;
      const score = skew * Math.max(bytes, 1) ** 0.05 * liveRatio * liveRatio;
      if (score < bestScore) {
        bestScore = score;
        best = cand;
      }
    }
    if (best === null) break;
    merges.push(best.map((s) => s.name));
    const taken = new Set(best);
    eligible = eligible.filter((s) => !taken.has(s));
    count -= best.length - 1;
  }

  if (graphAbove !== undefined) graphBudget(sorted, merges, opts.maxGraphSegments ?? DEFAULT_MAX_GRAPH_SEGMENTS, graphAbove, maxBytes);

  const merged = new Set(merges.flat());
  for (const s of sorted) {
    if (!merged.has(s.name) && s.docs > 0 && (100 * s.deleted) / s.docs > delPct) merges.push([s.name]);
  }
  return merges;
}

/**
 * The graph budget (see the module comment): extends `merges` (in place) until at most
 * `budget` of the segments left after them hold more than `graphAbove` documents, as long as
 * two of them fit `maxBytes` together. A segment counts by its documents, deleted ones
 * included (the search decides on them); a merge's result by its live documents. A merge of
 * graph segments is one too, so only the live bytes are tracked past the first count.
 */
function graphBudget(segments: readonly MergeCandidate[], merges: string[][], budget: number, graphAbove: number, maxBytes: number): void {
  /** A graph segment left after the merges: its names (one, or a merge's sources), live bytes, and the merge it comes from. */
  interface Out {
    names: string[];
    bytes: number;
    merge: string[] | null;
  }
  const byName = new Map(segments.map((s) => [s.name, s]));
  const inMerge = new Set(merges.flat());
  const graphs: Out[] = [];
  for (const g of merges) if (sum(g, (n) => live(byName.get(n)!)) > graphAbove) graphs.push({ names: g, bytes: sum(g, (n) => liveBytes(byName.get(n)!)), merge: g });
  for (const s of segments) if (!inMerge.has(s.name) && s.docs > graphAbove) graphs.push({ names: [s.name], bytes: liveBytes(s), merge: null });
  // smallest live bytes first (what a merge rewrites); ties by first name, so the choice does not depend on the input's order
  const order = (a: Out, b: Out) => a.bytes - b.bytes || (a.names[0]! < b.names[0]! ? -1 : a.names[0]! > b.names[0]! ? 1 : 0);
  while (graphs.length > budget) {
    graphs.sort(order);
    const [a, b] = graphs as [Out, Out];
    if (a.bytes + b.bytes > maxBytes) return;
    graphs.splice(0, 2);
    for (const o of [a, b]) if (o.merge) merges.splice(merges.indexOf(o.merge), 1);
    const names = [...a.names, ...b.names];
    merges.push(names);
    graphs.push({ names, bytes: a.bytes + b.bytes, merge: names });
  }
}

const live = (s: MergeCandidate) => s.docs - s.deleted;
const sum = (names: readonly string[], f: (n: string) => number) => names.reduce((a, n) => a + f(n), 0);
