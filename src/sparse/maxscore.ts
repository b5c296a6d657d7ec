/**
 * Exact top-k with MaxScore dynamic pruning (Turtle & Flood 1995), document-at-a-time.
 *
 * Query terms are ordered by their upper bound; the longest prefix whose bound sum cannot beat the
 * current k-th score is "non-essential": a document appearing only there cannot enter the top-k, so
 * traversal walks only the essential lists and probes non-essential ones (galloping seek) while
 * the remaining bound can still beat the threshold. Documents are visited in ascending id order,
 * so a later document never wins a tie; pruning on `bound <= threshold` is therefore exact.
 * The bounds are f64 and inflated by 1e-12 relative; final scores are f32, so the bound check can
 * never drop a document whose rounded score would beat the threshold.
 *
 * The exhaustive oracle (term-at-a-time accumulation over every posting) lives beside it.
 */
import { TopK } from './topk.js';
import { contribution, finalScore, type PreparedQuery, type ScoreContext } from './scoring.js';

/**
 * What the searches read of a posting store: the packed arrays and a galloping seek. The
 * in-memory PostingStore (postings.ts) and the mapped segment readers (src/segments/) both have it.
 */
export interface PostingLists {
  readonly docs: Uint32Array;
  readonly weights: Float32Array;
  /** First position p in [from, end) with docs[p] >= target (end when none). */
  seek(from: number, end: number, target: number): number;
}

const SAFETY = 1 + 1e-12;

/**
 * Pruned exact top-k; internal. `floor`: documents scoring ≤ floor may be left out (the
 * caller's other results already beat them); default none. `into`: offer the documents to that
 * heap (a top-k shared across segments) under the ids `into.ids[doc]` instead of a new one; its
 * running k-th score prunes from the start and keeps rising (kept just below it, by more than
 * an f32 rounding: another segment's ids need not be higher, so a tie may still enter).
 */
export function searchMaxScore(ctx: ScoreContext, store: PostingLists, q: PreparedQuery, k: number, filter: ((docId: number) => boolean) | undefined, floor = -Infinity, into?: { heap: TopK; ids: Uint32Array }): TopK {
  const heap = into?.heap ?? new TopK(k);
  const ids = into?.ids;
  const m = q.m;
  if (m === 0 || k === 0) return heap;
  const own = scratch.busy ? null : scratch; // a filter that searches again gets fresh arrays
  const buf = own ?? newScratch(m);
  if (own) {
    if (own.pos.length < m) Object.assign(own, newScratch(m));
    own.busy = true;
  }
  try {
    return run(ctx, store, q, heap, filter, floor, ids, buf);
  } finally {
    if (own) own.busy = false;
  }
}

/** Per-call work arrays, kept between calls (a search allocates none once they are big enough). */
interface Scratch {
  busy: boolean;
  order: Int32Array;
  pos: Int32Array;
  end: Int32Array;
  canonToSlot: Int32Array;
  qf: Float64Array;
  prefix: Float64Array;
  contrib: Float64Array;
}

function newScratch(m: number): Scratch {
  const n = Math.max(64, m);
  return { busy: false, order: new Int32Array(n), pos: new Int32Array(n), end: new Int32Array(n), canonToSlot: new Int32Array(n), qf: new Float64Array(n), prefix: new Float64Array(n), contrib: new Float64Array(n) };
}

const scratch = newScratch(64);

function run(ctx: ScoreContext, store: PostingLists, q: PreparedQuery, heap: TopK, filter: ((docId: number) => boolean) | undefined, floor: number, ids: Uint32Array | undefined, buf: Scratch): TopK {
  const below = (th: number) => (ids === undefined ? th : th - Math.abs(th) * 1e-6);
  const m = q.m;
  const { order, pos, end, qf, prefix, canonToSlot, contrib } = buf;
  // terms by ascending bound, ties by position (insertion sort for the usual tens of terms; a
  // long query, e.g. a whole document, takes the library sort)
  if (m > 64) {
    for (let s = 0; s < m; s++) order[s] = s;
    order.subarray(0, m).sort((a, b) => q.ub[a]! - q.ub[b]! || a - b);
  } else {
    for (let s = 0; s < m; s++) {
      const u = q.ub[s]!;
      let t = s;
      while (t > 0 && q.ub[order[t - 1]!]! > u) {
        order[t] = order[t - 1]!;
        t--;
      }
      order[t] = s;
    }
  }
  for (let s = 0; s < m; s++) {
    const j = order[s]!;
    pos[s] = q.start[j]!;
    end[s] = q.end[j]!;
    qf[s] = q.qf[j]!;
    prefix[s] = (s > 0 ? prefix[s - 1]! : 0) + q.ub[j]! * SAFETY;
    canonToSlot[j] = s;
  }
  const docs = store.docs;
  const wts = store.weights;
  const state = ctx.state;
  const bm25 = ctx.bm25;
  const lenConst = ctx.lenConst;
  const lenSlope = ctx.lenSlope;
  const docLen = ctx.docLen;
  let nonEss = 0;
  // a caller-known lower bound of what can still matter (another segment's k-th score, just
  // below it so ties with lower ids survive): pruning starts at once
  let theta = Math.max(floor, below(heap.threshold()));
  while (nonEss < m && prefix[nonEss]! <= theta) nonEss++;
  const NONE = 0xffffffff + 1;

  for (;;) {
    let doc = NONE;
    for (let s = nonEss; s < m; s++) {
      const p = pos[s]!;
      if (p < end[s]!) {
        const d = docs[p]!;
        if (d < doc) doc = d;
      }
    }
    if (doc === NONE) break;
    let partial = 0;
    for (let s = nonEss; s < m; s++) {
      const p = pos[s]!;
      if (p < end[s]! && docs[p] === doc) {
        const w = wts[p]!;
        const c = bm25 ? (qf[s]! * w) / (w + lenConst + lenSlope * docLen[doc]!) : qf[s]! * w;
        contrib[s] = c;
        partial += c;
        pos[s] = p + 1;
      } else {
        contrib[s] = 0;
      }
    }
    if (state[doc] !== 1) continue;
    if ((partial + (nonEss > 0 ? prefix[nonEss - 1]! : 0)) * SAFETY <= theta) continue;
    if (filter !== undefined && !filter(doc)) continue;
    let pruned = false;
    for (let s = nonEss - 1; s >= 0; s--) {
      const p = store.seek(pos[s]!, end[s]!, doc);
      pos[s] = p;
      if (p < end[s]! && docs[p] === doc) {
        const w = wts[p]!;
        const c = bm25 ? (qf[s]! * w) / (w + lenConst + lenSlope * docLen[doc]!) : qf[s]! * w;
        contrib[s] = c;
        partial += c;
      } else {
        contrib[s] = 0;
      }
      if ((partial + (s > 0 ? prefix[s - 1]! : 0)) * SAFETY <= theta) {
        pruned = true;
        break;
      }
    }
    if (pruned) continue;
    const score = finalScore(contrib, canonToSlot, m);
    if (heap.offer(score, ids === undefined ? doc : ids[doc]!) && heap.full) {
      theta = Math.max(below(heap.threshold()), floor);
      while (nonEss < m && prefix[nonEss]! <= theta) nonEss++;
    }
  }
  return heap;
}

/** The oracle: accumulate every posting of every query term, then select; internal. */
export function searchExhaustive(ctx: ScoreContext, store: PostingLists, q: PreparedQuery, k: number, filter: ((docId: number) => boolean) | undefined): TopK {
  const heap = new TopK(k);
  if (q.m === 0 || k === 0) return heap;
  const slots = ctx.state.length;
  const acc = new Float64Array(slots);
  const seen = new Uint8Array(slots);
  const touched: number[] = [];
  for (let j = 0; j < q.m; j++) {
    for (let p = q.start[j]!; p < q.end[j]!; p++) {
      const d = store.docs[p]!;
      if (ctx.state[d] !== 1) continue;
      if (seen[d] === 0) {
        seen[d] = 1;
        touched.push(d);
      }
      acc[d]! += contribution(ctx, q.qf[j]!, store.weights[p]!, d);
    }
  }
  for (const d of touched) {
    if (filter !== undefined && !filter(d)) continue;
    heap.offer(Math.fround(acc[d]!), d);
  }
  return heap;
}
