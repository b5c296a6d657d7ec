/**
 * Dense search across a segmented store's segments (called by SegmentedStore): per segment an
 * exact scan or a graph search, then one merge of the ranked parts (`mergeTopK`, ties by lower
 * id). Mirrors DenseIndex.search's decisions on one segment, so a store of one segment answers
 * as a DenseIndex of the same live rows would: the same exact threshold
 * ({@link EXACT_BELOW_VALUES}), the same growth of a filtered graph search by the observed
 * pass rate, the same fallback to an exact scan when the filter (or the segment's deletions)
 * would need more than 1/32 of the rows. Scores are always the exact kernel's over the
 * stored vectors. Never scores a deleted document.
 */
import { EXACT_BELOW_VALUES } from '../dense/dense-index.js';
import { EXACT_SHARE, searchGraph } from '../dense/graph-search.js';
import { searchGraphs } from '../dense/hnsw-walk.js';
import { mergeTopK, topK, type Ranked } from '../kernels/topk.js';
import { TopK } from '../sparse/topk.js';
import type { DenseSegment } from './dense-segment.js';
import type { Deletions } from './deletes.js';
import { indexOfSorted } from './sorted.js';

/** What the search reads of a live segment. */
export interface DensePart {
  dense: DenseSegment | null;
  docids: Uint32Array;
  del: Deletions;
}

const empty = (): Ranked => ({ ids: new Uint32Array(0), scores: new Float32Array(0) });

/**
 * Top-k over the live documents of `parts` passing `filter`; `exact` as DenseIndex.search's
 * option (unset: exact for small segments).
 *
 * Graph breadth: one graph is searched at the channel's `expansionSearch` (ef); with several,
 * each at its share of the live rows of ef, at least 3k (usearch explores max(breadth, k)
 * nodes per layer), so the graph work of a search does not grow ~linearly with the number of
 * segments (11 segments at full ef: 6.6× one graph's latency). A smaller graph needs less
 * breadth for the same recall, and a segment holding the whole answer is searched again wider.
 * Measured on clustered vectors (test/unit/segments/dense-recall.test.ts): recall@10 against
 * exact not below one graph of the same rows at the same ef.
 *
 * Without a filter, and while no graph segment has more than EXACT_SHARE of its rows deleted,
 * the graphs are walked in one call with a shared top-k ({@link denseWalkPlan}); otherwise through
 * usearch's view, one search per graph, rescored (the filter path of graph-search.ts).
 *
 * @example
 * ```ts
 * const top = denseTopK(segs, q, 10, undefined, true);
 * ```
 */
export function denseTopK(parts: readonly DensePart[], q: Float32Array, k: number, filter: ((id: number) => boolean) | undefined, exact: boolean | undefined): Ranked {
  const plan = denseWalkPlan(parts, k, filter, exact);
  if (plan !== null) {
    const scan = plan.scans.length > 0 ? denseScanPart(parts, q, k, plan.scans) : null;
    let hits = denseWalkPart(parts, q, k, plan.order, plan.breadth);
    while (widenHolder(parts, plan, hits, k) >= 0) hits = denseWalkPart(parts, q, k, plan.order, plan.breadth);
    // short (a graph that is not connected, or deleted nodes filled a beam): exact scans
    if (hits.ids.length < Math.min(k, plan.live)) hits = denseScanPart(parts, q, k, plan.order);
    return scan === null ? hits : mergeTopK([scan, hits], k);
  }
  const ranked: Ranked[] = [];
  /** The graph-searched parts: index in `ranked`, part, filter, breadth. */
  const graphs: { at: number; p: DensePart; pass: ((id: number) => boolean) | undefined; breadth: number }[] = [];
  let graphLive = 0;
  /** The exactly scanned parts without deletions or filter: one top-k across them (see scanInto). */
  let shared: TopK | null = null;
  for (const p of parts) {
    const seg = p.dense!;
    const n = seg.docs;
    if (n - p.del.count === 0) continue;
    const pass = p.del.count === 0 && filter === undefined ? undefined : (id: number) => !p.del.has(indexOfSorted(p.docids, id)) && (filter === undefined || filter(id) === true);
    if (exact === true || (exact === undefined && n * seg.cfg.dim <= EXACT_BELOW_VALUES)) {
      if (pass === undefined) {
        shared ??= new TopK(k);
        scanInto(seg, q, shared);
      } else ranked.push(exactScan(seg, q, k, pass));
    } else {
      graphs.push({ at: ranked.length, p, pass, breadth: seg.cfg.expansionSearch });
      ranked.push(empty());
      graphLive += n - p.del.count;
    }
  }
  if (shared !== null) ranked.push(shared.drain());
  if (ranked.length === 0) return empty();
  if (graphs.length === 1) {
    const g = graphs[0]!;
    ranked[g.at] = graphSearch(g.p.dense!, q, k, g.pass, g.breadth);
  } else {
    for (const g of graphs) {
      const ef = g.p.dense!.cfg.expansionSearch;
      const share = (g.p.dense!.docs - g.p.del.count) / graphLive;
      g.breadth = Math.min(ef, Math.max(3 * k, Math.ceil(ef * share)));
      ranked[g.at] = graphSearch(g.p.dense!, q, k, g.pass, g.breadth);
    }
  }
  let top = ranked.length === 1 ? ranked[0]! : mergeTopK(ranked, k);
  // a segment whose k results all made the top-k holds the whole answer and was searched at a
  // fraction of the breadth: search it again at twice that, up to the channel's
  for (let again = graphs.length > 1; again; ) {
    again = false;
    const got = new Set(top.ids);
    for (const g of graphs) {
      const r = ranked[g.at]!;
      if (r.ids.length < k || g.breadth >= g.p.dense!.cfg.expansionSearch || !r.ids.every((id) => got.has(id))) continue;
      g.breadth = Math.min(g.p.dense!.cfg.expansionSearch, 2 * g.breadth);
      ranked[g.at] = graphSearch(g.p.dense!, q, k, g.pass, g.breadth);
      again = true;
    }
    if (again) top = mergeTopK(ranked, k);
  }
  return top;
}

/**
 * How a search without a filter walks a store's graphs (see {@link denseTopK}): the parts to
 * scan exactly and the graph parts, largest (live rows) first, each with its breadth. Null when
 * the walk does not apply: a filter, `exact: true`, no graph part, or a graph part with more
 * than EXACT_SHARE of its rows deleted (usearch's view with oversampling then).
 */
export interface DenseWalkPlan {
  /** Indexes (into the parts) of the exactly scanned parts. */
  scans: number[];
  /** Indexes of the graph parts, largest first. */
  order: number[];
  /** Breadth of each graph part, aligned with `order`. */
  breadth: number[];
  /** Live rows of the graph parts. */
  live: number;
}

/**
 * The walk plan of {@link DenseWalkPlan} over `parts`, or null.
 *
 * @example
 * ```ts
 * const plan = denseWalkPlan(parts, 10, undefined, undefined);
 * ```
 */
export function denseWalkPlan(parts: readonly DensePart[], k: number, filter: ((id: number) => boolean) | undefined, exact: boolean | undefined): DenseWalkPlan | null {
  if (filter !== undefined || exact === true) return null;
  const scans: number[] = [];
  const order: number[] = [];
  let live = 0;
  const liveOf = (i: number) => parts[i]!.dense!.docs - parts[i]!.del.count;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const n = p.dense!.docs;
    if (n - p.del.count === 0) continue;
    if (exact === undefined && n * p.dense!.cfg.dim <= EXACT_BELOW_VALUES) scans.push(i);
    else {
      if (p.del.count > n * EXACT_SHARE) return null;
      order.push(i);
      live += n - p.del.count;
    }
  }
  if (order.length === 0) return null;
  order.sort((a, b) => liveOf(b) - liveOf(a)); // stable: equal sizes keep segment order
  const ef = parts[order[0]!]!.dense!.cfg.expansionSearch;
  const breadth = order.map((i) => (order.length === 1 ? ef : Math.min(ef, Math.max(3 * k, Math.ceil((ef * liveOf(i)) / live)))));
  return { scans, order, breadth, live };
}

/**
 * Exact top-k over the given parts (indexes): one shared top-k over those without deletions,
 * a filtered scan of each with deletions, merged (ties by lower id).
 *
 * @example
 * ```ts
 * const top = denseScanPart(parts, q, 10, plan.scans);
 * ```
 */
export function denseScanPart(parts: readonly DensePart[], q: Float32Array, k: number, which: readonly number[]): Ranked {
  const ranked: Ranked[] = [];
  const top = new TopK(k);
  for (const i of which) {
    const p = parts[i]!;
    if (p.del.count === 0) scanInto(p.dense!, q, top);
    else ranked.push(exactScan(p.dense!, q, k, (id) => !p.del.has(indexOfSorted(p.docids, id))));
  }
  ranked.push(top.drain());
  return ranked.length === 1 ? ranked[0]! : mergeTopK(ranked, k);
}

/**
 * One walk of the given graph parts (indexes, with their breadths) into a shared top-k
 * (src/dense/hnsw-walk.ts: exact scores, no rescoring, no per-graph lists; deleted nodes walked
 * through, never returned).
 *
 * @example
 * ```ts
 * const hits = denseWalkPart(parts, q, 10, plan.order, plan.breadth);
 * ```
 */
export function denseWalkPart(parts: readonly DensePart[], q: Float32Array, k: number, which: readonly number[], breadth: readonly number[]): Ranked {
  if (which.length === 0) return empty();
  const cfg = parts[which[0]!]!.dense!.cfg;
  const targets = which.map((i, j) => {
    const p = parts[i]!;
    return { args: p.dense!.graphArgs(breadth[j], p.del.count > 0 ? p.dense!.deadSlots(p.del) : null), file: p.dense!.hnsw.file };
  });
  const hits = searchGraphs(q, cfg.dim, cfg.dtype === 'f16', targets, k);
  for (const i of which) parts[i]!.dense!.afterRead();
  return hits;
}

/**
 * When all k `hits` of a walk come from one graph part searched below the channel's breadth,
 * that part may hold more of the answer: doubles its breadth in `plan` (up to the channel's)
 * and returns its position in `plan.order`; else -1.
 *
 * @example
 * ```ts
 * while (widenHolder(parts, plan, hits, 10) >= 0) hits = denseWalkPart(parts, q, 10, plan.order, plan.breadth);
 * ```
 */
export function widenHolder(parts: readonly DensePart[], plan: DenseWalkPlan, hits: Ranked, k: number): number {
  if (hits.ids.length < k || plan.order.length < 2) return -1;
  const j = plan.order.findIndex((i) => hits.ids.every((id) => indexOfSorted(parts[i]!.docids, id) >= 0));
  if (j < 0) return -1;
  const ef = parts[plan.order[j]!]!.dense!.cfg.expansionSearch;
  if (plan.breadth[j]! >= ef) return -1;
  plan.breadth[j] = Math.min(ef, 2 * plan.breadth[j]!);
  return j;
}

/** Scores of one scan (reused: the calling thread runs one scan at a time). */
let scanBuf = new Float32Array(0);

/**
 * Every slot of `seg` scored in one kernel call and offered to `top`, which is shared by the
 * segments of one search: its threshold carries over, so most rows cost one comparison, and no
 * per-segment list is merged. Same hits as exactScan per segment then mergeTopK (both keep
 * the k best by score, ties by lower id; f32 scores are exact in the heap's f64).
 */
function scanInto(seg: DenseSegment, q: Float32Array, top: TopK): void {
  const n = seg.docs;
  if (scanBuf.length < n) scanBuf = new Float32Array(Math.max(n, 2 * scanBuf.length));
  const scores = scanBuf.subarray(0, n);
  seg.dots(q, null, scores);
  const ids = seg.slotIds;
  let i = 0;
  for (; i < n && !top.full; i++) top.offer(scores[i]!, ids[i]!);
  if (top.capacity === 0) return;
  let thS = top.scores[0]!;
  let thId = top.ids[0]!;
  for (; i < n; i++) {
    const sc = scores[i]!;
    if (sc > thS || (sc === thS && ids[i]! < thId)) {
      top.offer(sc, ids[i]!);
      thS = top.scores[0]!;
      thId = top.ids[0]!;
    }
  }
}

/** Exact top-k of one segment: every slot scored in one kernel call, then the filter asked lazily down the order. */
function exactScan(seg: DenseSegment, q: Float32Array, k: number, pass: ((id: number) => boolean) | undefined): Ranked {
  const n = seg.docs;
  const scores = new Float32Array(n);
  seg.dots(q, null, scores);
  if (pass === undefined) return topK(scores, seg.slotIds.slice(), k);
  for (let want = Math.min(n, Math.max(2 * k, 64)); ; want = Math.min(n, want * 4)) {
    const top = topK(scores, seg.slotIds, want);
    const ids: number[] = [];
    const sc: number[] = [];
    for (let i = 0; i < top.ids.length && ids.length < k; i++) {
      if (pass(top.ids[i]!)) {
        ids.push(top.ids[i]!);
        sc.push(top.scores[i]!);
      }
    }
    if (ids.length >= k || want >= n) return { ids: Uint32Array.from(ids), scores: Float32Array.from(sc) };
  }
}

/** Exact scores of graph candidates (global ids of this segment), top-k. */
function rescore(seg: DenseSegment, docids: Uint32Array, q: Float32Array, ids: Uint32Array, k: number): Ranked {
  const slots = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) slots[i] = seg.ordSlot[indexOfSorted(docids, ids[i]!)]!;
  const scores = new Float32Array(ids.length);
  seg.dots(q, slots, scores);
  return topK(scores, ids, k);
}

/** DenseIndex.search's graph path on one segment (oversample 1: f32 / f16 graphs), exploring `breadth` per layer. */
function graphSearch(seg: DenseSegment, q: Float32Array, k: number, pass: ((id: number) => boolean) | undefined, breadth: number): Ranked {
  return searchGraph(
    {
      n: seg.docs,
      k,
      base: k,
      need: k,
      candidates: (wanted) => seg.graphSearch(q, wanted, breadth),
      rescore: (ids) => rescore(seg, seg.docids, q, ids, k),
      exact: (p) => exactScan(seg, q, k, p),
    },
    pass,
  );
}

/**
 * Exact scores of documents located by the store: `segOf[i]` the index of the part holding
 * the i-th id (-1: none, score 0), `ordOf[i]` its ordinal there. One kernel call per segment.
 *
 * @example
 * ```ts
 * const scores = scoreDenseIn(segs, q, segOf, ordOf);
 * ```
 */
export function scoreDenseIn(parts: readonly DensePart[], q: Float32Array, segOf: Int32Array, ordOf: Uint32Array): Float32Array {
  const n = segOf.length;
  const out = new Float32Array(n);
  const per = new Uint32Array(parts.length);
  for (let i = 0; i < n; i++) if (segOf[i]! >= 0) per[segOf[i]!]!++;
  for (let j = 0; j < parts.length; j++) {
    const c = per[j]!;
    if (c === 0) continue;
    const seg = parts[j]!.dense!;
    const slots = new Uint32Array(c);
    const pos = new Uint32Array(c);
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (segOf[i] !== j) continue;
      slots[w] = seg.ordSlot[ordOf[i]!]!;
      pos[w++] = i;
    }
    const part = new Float32Array(c);
    seg.dots(q, slots, part);
    for (let x = 0; x < c; x++) out[pos[x]!] = part[x]!;
  }
  return out;
}
