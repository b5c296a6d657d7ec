/**
 * First stage of a `residual` multi-vector channel kept in segments: PLAID-style centroid
 * interaction (src/multivector/first-stage.ts) run per segment with that segment's own
 * codebook and inverted lists, then merged.
 *
 * Why per-segment lists rather than an exhaustive scan of the codes: a scan costs one residual
 * MaxSim per live document (≈ 0.5 s per query at 10k × 200 × 1024-d, linear in the collection),
 * while the lists bring the full MaxSim down to `ndocs` documents per segment. Every segment
 * has its own codebook (centroid ids are not comparable across segments), so each segment is
 * probed with its own query × centroid table, keeps its best `ndocs` by centroid interaction
 * and scores them exactly; the per-segment top-k lists merge like any other (ties by lower id).
 * The lists of a segment are built from its mapped centroid ids on first use and kept while it
 * is open (segments never change); deleted documents stay listed and are skipped before
 * scoring (the pool is widened by the segment's deletion count so they cost no recall).
 *
 * A segment with no more live documents than the pool (`ndocs`) is scanned instead: the lists
 * would score about as many, and the scan is exact.
 * Filters follow MultiVectorChannel.candidates: oversample 4k through the lists; a segment
 * where fewer than k pass and the pool did not cover it is scanned exhaustively (filtered).
 * Must never return a deleted document or one the filter rejects.
 */
import { topK, type Ranked } from '../kernels/topk.js';
import { probe, type FirstStageOptions } from '../multivector/first-stage.js';
import type { Deletions } from './deletes.js';
import type { MvSegment } from './mv-segment.js';

/** What the first stage needs of an open segment. */
export interface MvPart {
  mv: MvSegment;
  docids: Uint32Array;
  del: Deletions;
}

/** The live ordinals of a segment that pass `f` (every one when f is undefined). */
function liveOrdinals(p: MvPart, f: ((id: number) => boolean) | undefined): Uint32Array {
  const out: number[] = [];
  for (let o = 0; o < p.docids.length; o++) if (!p.del.has(o) && (f === undefined || f(p.docids[o]!) === true)) out.push(o);
  return Uint32Array.from(out);
}

/** Exact (residual or binary) MaxSim of the given ordinals, best k as global ids. */
function scoreOrdinals(p: MvPart, q: { data: Float32Array; count: number }, ords: Uint32Array, k: number, ct?: Float32Array): Ranked {
  const out = new Float32Array(ords.length);
  p.mv.maxsim(q.data, q.count, ords, out, ct);
  return topK(
    out,
    Uint32Array.from(ords, (o) => p.docids[o]!),
    k,
  );
}

/** One segment's best k through its lists (null: it has none or is small, scan it). */
function probeSegment(p: MvPart, q: { data: Float32Array; count: number }, k: number, nprobe: number, ndocs: number, f: ((id: number) => boolean) | undefined): Ranked | null {
  const want = f === undefined ? k : Math.min(p.docids.length, 4 * k);
  // a segment no bigger than the pool would be scored whole anyway: scan it (exact)
  if (p.docids.length - p.del.count <= Math.max(ndocs, want)) return null;
  const lists = p.mv.lists();
  const ct = p.mv.centroidTable(q.data, q.count);
  if (lists === null || ct === null) return null;
  const cbk = p.mv.k;
  const { pool } = probe(lists, ct, q.count, cbk, Math.min(nprobe, cbk), Math.max(ndocs, want) + p.del.count, p.docids.length - 1);
  const keep: number[] = [];
  for (let i = 0; i < pool.ids.length; i++) {
    const o = pool.ids[i]!;
    if (!p.del.has(o) && (f === undefined || f(p.docids[o]!) === true)) keep.push(o);
  }
  const covered = pool.ids.length >= p.docids.length;
  if (f !== undefined && keep.length < k && !covered) return scoreOrdinals(p, q, liveOrdinals(p, f), k, ct);
  return scoreOrdinals(p, q, Uint32Array.from(keep), k, ct);
}

/**
 * The best k live documents of the segments (global ids, exact scores, best first, ties by
 * lower id): residual segments through their lists, others (binary) by an exhaustive scan.
 * Query checked by the caller.
 *
 * @example
 * ```ts
 * const top = firstStageMv(parts, q, 100, { nprobe: 4 });
 * ```
 */
export function firstStageMv(parts: readonly MvPart[], q: { data: Float32Array; count: number }, k: number, opts: FirstStageOptions & { filter?: (id: number) => boolean } = {}): Ranked {
  const nprobe = opts.nprobe ?? 4;
  const ndocs = opts.ndocs ?? Math.max(4 * k, 256);
  const ids: number[] = [];
  const scores: number[] = [];
  for (const p of parts) {
    if (p.docids.length === p.del.count) continue;
    const best = probeSegment(p, q, k, nprobe, ndocs, opts.filter) ?? scoreOrdinals(p, q, liveOrdinals(p, opts.filter), k);
    for (let i = 0; i < best.ids.length; i++) {
      ids.push(best.ids[i]!);
      scores.push(best.scores[i]!);
    }
  }
  return topK(Float32Array.from(scores), Uint32Array.from(ids), k);
}
