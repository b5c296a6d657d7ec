/**
 * The final `rerank: { model, topN }` stage of a search: the first `topN` hits (already
 * ranked by the fused first stage) are re-scored by a {@link Reranker} and re-ordered by
 * that score (descending; ties keep their first-stage order); hits after `topN` follow
 * unchanged, so the list keeps its length and a reranker can only reorder the head.
 */
import { invalid } from '../errors.js';
import type { Reranker } from './types.js';

/** A hit after {@link applyRerank}: `rerankScore` is set for the re-scored head only. */
export type RerankedHit<T> = T & { rerankScore?: number };

/**
 * Re-scores the first `topN` hits with `reranker` and reorders them.
 *
 * @example
 * ```ts
 * const hits = await index.search(q, { k: 50 });
 * const top = await applyRerank(reranker, q, hits.map((h) => ({ ...h, text: docs.get(h.id)! })), 20);
 * top[0].rerankScore; // highest cross-encoder score
 * ```
 */
export async function applyRerank<T extends object>(reranker: Reranker, query: string, hits: readonly T[], topN: number, textOf: (hit: T) => string | undefined = (h) => (h as { text?: string }).text): Promise<Array<RerankedHit<T>>> {
  if (!reranker || typeof reranker.rerank !== 'function') invalid('INVALID_ARGUMENT', 'rerank.model must be a Reranker (loadCrossEncoder, createCohereReranker)');
  if (typeof query !== 'string') invalid('INVALID_TEXT', 'the query must be a string');
  if (!Number.isInteger(topN) || topN < 1) invalid('INVALID_ARGUMENT', `rerank.topN must be a positive integer, got ${String(topN)}`);
  if (!Array.isArray(hits)) invalid('INVALID_ARGUMENT', 'hits must be an array');
  const head = hits.slice(0, topN);
  const texts = head.map((h, i) => {
    const t = textOf(h);
    if (typeof t !== 'string') invalid('INVALID_TEXT', `hit ${i} has no text to rerank; store document texts or pass textOf`);
    return t;
  });
  if (head.length === 0) return [];
  const scores = await reranker.rerank(query, texts);
  if (!Array.isArray(scores) || scores.length !== head.length || !scores.every((s) => typeof s === 'number' && !Number.isNaN(s))) {
    invalid('INVALID_ARGUMENT', `the reranker returned ${Array.isArray(scores) ? scores.length : typeof scores} scores for ${head.length} documents`);
  }
  const order = head.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const out: Array<RerankedHit<T>> = order.map((i) => ({ ...head[i]!, rerankScore: scores[i]! }));
  for (let i = topN; i < hits.length; i++) out.push({ ...hits[i]! });
  return out;
}
