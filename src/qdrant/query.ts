/**
 * Query API bodies (`POST /collections/{name}/points/query` and `/query/batch`). Two ways to
 * fuse:
 *
 * - exact, client side (trident's fusion, the same numbers as a local index): (1) a batch
 *   of first-stage queries, dense top-N and sparse top-N under the filter; (2) for the
 *   union of their ids, one query per channel restricted to those ids
 *   (`filter: { must: [{ has_id: [...] }] }`, `limit` = their count, `params.exact`) so
 *   every channel scores every candidate (a sparse channel returns no point for a candidate
 *   sharing no term with the query: its score is 0, as locally); (3) trident fuses.
 * - by Qdrant (`fusion: 'rrf' | 'dbsf'`): one request, prefetch dense top-N, sparse top-N and
 *   the multi-vector MaxSim of their union, fused by Qdrant. Qdrant's RRF counts a point only
 *   in the lists it is in, and DBSF normalises each prefetch list (not the union): rankings
 *   are close to, not equal to, trident's.
 *
 * Qdrant's `max_sim` is Σ_i max_j q_i·d_j; trident's MaxSim is its mean over the query's
 * vectors: {@link maxSimScore} divides. Pure.
 */
import { VECTOR_NAMES } from './collection.js';
import type { QFilter, QPrefetch, QQueryRequest, QQueryRequestBatch, QSparseVector } from './schema.js';

/** An encoded query, per channel (absent: the channel is not queried). */
export interface QueryVectors {
  dense?: number[] | undefined;
  sparse?: QSparseVector | undefined;
  multivector?: number[][] | undefined;
  bm25?: QSparseVector | undefined;
}

/** A channel name. */
export type ChannelName = keyof typeof VECTOR_NAMES;

function nearest(ch: ChannelName, q: QueryVectors): QQueryRequest['query'] {
  const v = q[ch];
  return { nearest: v as number[] };
}

/** `filter` AND `has_id` restricted to `ids` (Qdrant point ids). */
export function restrictTo(ids: readonly string[], filter?: QFilter): QFilter {
  return { must: [{ has_id: [...ids] }, ...(filter ? [filter] : [])] };
}

/**
 * One channel's nearest-neighbour query (first stage or a single-channel search).
 *
 * @example
 * ```ts
 * channelQuery('dense', { dense: [0.6, 0.8] }, { limit: 10, exact: true });
 * ```
 */
export function channelQuery(ch: ChannelName, q: QueryVectors, o: { limit: number; filter?: QFilter | undefined; exact?: boolean; withPayload?: boolean }): QQueryRequest {
  return {
    query: nearest(ch, q),
    using: VECTOR_NAMES[ch],
    limit: o.limit,
    ...(o.filter ? { filter: o.filter } : {}),
    ...(o.exact ? { params: { exact: true } } : {}),
    with_payload: o.withPayload === true,
    with_vector: false,
  };
}

/**
 * Step 1 of the exact path: the first-stage lists (dense and sparse top-N under the filter).
 *
 * @example
 * ```ts
 * candidatesBatch(['dense', 'sparse'], q, { limit: 200, filter });
 * ```
 */
export function candidatesBatch(channels: readonly ChannelName[], q: QueryVectors, o: { limit: number; filter?: QFilter | undefined; exact?: boolean }): QQueryRequestBatch {
  return { searches: channels.map((ch) => channelQuery(ch, q, o)) };
}

/**
 * Step 2 of the exact path: every channel's score of every candidate (`ids`: point ids).
 *
 * @example
 * ```ts
 * scoreBatch(['dense', 'sparse', 'multivector'], q, ['5d3c…', '0b1e…']);
 * ```
 */
export function scoreBatch(channels: readonly ChannelName[], q: QueryVectors, ids: readonly string[]): QQueryRequestBatch {
  return { searches: channels.map((ch) => channelQuery(ch, q, { limit: Math.max(1, ids.length), filter: restrictTo(ids), exact: true })) };
}

/**
 * Qdrant-side fusion: prefetch dense and sparse top-N, plus (with a multi-vector query) the
 * MaxSim re-ranking of their union, fused by Qdrant's RRF (`k`) or DBSF; `limit` hits with
 * payloads.
 *
 * @example
 * ```ts
 * fusionQuery(q, { kind: 'rrf', rrfK: 60 }, { candidates: 200, limit: 10 });
 * ```
 */
export function fusionQuery(q: QueryVectors, fusion: { kind: 'rrf'; rrfK?: number } | { kind: 'dbsf' }, o: { candidates: number; limit: number; filter?: QFilter | undefined }): QQueryRequest {
  const first: QPrefetch[] = [];
  for (const ch of ['dense', 'sparse', 'bm25'] as const) {
    if (q[ch]) first.push({ query: nearest(ch, q), using: VECTOR_NAMES[ch], limit: o.candidates, ...(o.filter ? { filter: o.filter } : {}) });
  }
  const prefetch: QPrefetch[] = [...first];
  if (q.multivector) prefetch.push({ prefetch: first, query: nearest('multivector', q), using: VECTOR_NAMES.multivector, limit: o.candidates });
  return {
    prefetch,
    query: fusion.kind === 'rrf' ? (fusion.rrfK !== undefined ? { rrf: { k: fusion.rrfK } } : { fusion: 'rrf' }) : { fusion: 'dbsf' },
    limit: o.limit,
    ...(o.filter ? { filter: o.filter } : {}),
    with_payload: true,
    with_vector: false,
  };
}

/** trident's MaxSim (mean over query vectors) from Qdrant's `max_sim` (sum). */
export function maxSimScore(qdrantScore: number, queryVectors: number): number {
  return queryVectors > 0 ? qdrantScore / queryVectors : 0;
}
