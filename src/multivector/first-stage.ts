/**
 * Multi-vector first stage for residual stores (PLAID-style centroid interaction, Santhanam et
 * al. 2022): the codebook's centroids double as an inverted index.
 *
 * 1. Probe: the query × centroid table CT (qCount × k, int8 dots) gives, per query vector, its
 *    `nprobe` best centroids; the documents holding a vector in any of them are the pool.
 * 2. Pruned centroid interaction: each pooled document scores (1/|q|) Σ_i max CT[i][c] over
 *    the probed centroids c of query vector i that the document holds (0 if none) — one
 *    update per (query vector, probed centroid, listed document), no per-document scan.
 * 3. The best `ndocs` by that score get the full residual MaxSim (the kernel); the best k of
 *    them are returned with their exact (decompressed) scores.
 * The lists (centroid → documents, document → distinct centroids) are built on first use and
 * rebuilt after the store changes.
 */
import { topK, type Ranked } from '../kernels/topk.js';
import type { CodesArena } from './codes-arena.js';

/** Options of MultiVectorStore.candidates. */
export interface FirstStageOptions {
  /** Centroids probed per query vector. Default 4. */
  nprobe?: number;
  /** Documents given the full residual MaxSim. Default max(4k, 256). */
  ndocs?: number;
}

/** Result of a first-stage search: the best k documents plus the work it took. */
export interface FirstStageResult extends Ranked {
  /** Documents reached through the probed lists (centroid interaction scored them). */
  probed: number;
  /** Documents scored with the full residual MaxSim. */
  scored: number;
}

/** The two inverted lists (CSR). */
export interface CentroidLists {
  /** centroid c's documents: docs[listStart[c] … listStart[c + 1]) (internal ids, increasing). */
  listStart: Uint32Array;
  docs: Uint32Array;
  /** document d's distinct centroids: cents[centStart[d] … centStart[d + 1]) (d = internal id). */
  centStart: Uint32Array;
  cents: Uint16Array;
}

/** Where the lists read centroid ids: a residual arena, or a compressed segment's mapped views. */
export type ListSource = Pick<CodesArena, 'cids'> & { codebook: { k: number } | null };

/**
 * Builds the lists over the live documents (`ids` with `starts` / `counts` in the arena; a
 * segment passes its ordinals as ids).
 *
 * @example
 * ```ts
 * const lists = buildLists(arena, ids, starts, counts, maxId);
 * ```
 */
export function buildLists(arena: ListSource, ids: Uint32Array, starts: Uint32Array, counts: Uint32Array, maxId: number): CentroidLists {
  const k = arena.codebook!.k;
  const cids = arena.cids!;
  const stamp = new Int32Array(k).fill(-1);
  const centStart = new Uint32Array(maxId + 2);
  const perDoc: number[] = [];
  const listCount = new Uint32Array(k + 1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    for (let v = starts[i]!; v < starts[i]! + counts[i]!; v++) {
      const c = cids[v]!;
      if (stamp[c] === id) continue;
      stamp[c] = id;
      perDoc.push(c);
      listCount[c]!++;
    }
    centStart[id + 1] = perDoc.length;
  }
  // ids without documents keep an empty range
  for (let d = 1; d <= maxId + 1; d++) if (centStart[d]! < centStart[d - 1]!) centStart[d] = centStart[d - 1]!;
  const cents = Uint16Array.from(perDoc);
  const listStart = new Uint32Array(k + 1);
  for (let c = 0; c < k; c++) listStart[c + 1] = listStart[c]! + listCount[c]!;
  const fill = listStart.slice(0, k);
  const docs = new Uint32Array(cents.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    for (let j = centStart[id]!; j < centStart[id + 1]!; j++) docs[fill[cents[j]!]!++] = id;
  }
  return { listStart, docs, centStart, cents };
}

/**
 * Steps 1–2: the pooled documents and their pruned centroid-interaction scores (PLAID's stage 2:
 * only the probed centroids count, a query vector whose probed centroids a document lacks adds
 * 0), best `ndocs` kept. Work is proportional to the probed lists' lengths.
 *
 * @example
 * ```ts
 * const pool = probe(lists, ct, qCount, k, 4, 400, maxId);
 * ```
 */
export function probe(lists: CentroidLists, ct: Float32Array, qCount: number, k: number, nprobe: number, ndocs: number, maxId: number): { pool: Ranked; probed: number } {
  const slot = new Int32Array(maxId + 1).fill(-1);
  let ids = new Uint32Array(1024);
  let acc = new Float32Array(1024 * qCount);
  let n = 0;
  const order = Uint32Array.from({ length: k }, (_, c) => c);
  for (let i = 0; i < qCount; i++) {
    const top = topK(ct.subarray(i * k, (i + 1) * k), order, nprobe);
    for (let t = 0; t < top.ids.length; t++) {
      const c = top.ids[t]!;
      const s = top.scores[t]!;
      for (let j = lists.listStart[c]!; j < lists.listStart[c + 1]!; j++) {
        const d = lists.docs[j]!;
        let p = slot[d]!;
        if (p < 0) {
          if (n === ids.length) {
            const bigger = new Uint32Array(2 * n);
            bigger.set(ids);
            ids = bigger;
            const a2 = new Float32Array(2 * n * qCount);
            a2.set(acc);
            acc = a2;
          }
          p = slot[d] = n++;
          ids[p] = d;
        }
        const o = p * qCount + i;
        if (s > acc[o]!) acc[o] = s;
      }
    }
  }
  const approx = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    let total = 0;
    for (let i = 0; i < qCount; i++) total += acc[p * qCount + i]!;
    approx[p] = total / qCount;
  }
  return { pool: topK(approx, ids.subarray(0, n), ndocs), probed: n };
}
