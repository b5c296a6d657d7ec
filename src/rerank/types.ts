/**
 * The rerank stage's contract: a model that scores (query, document) pairs jointly.
 */

/** Static facts about a reranker. */
export interface RerankerInfo {
  /** Stable identity (model + weights fingerprint or API model name). */
  id: string;
  /** `cross-encoder` (local ONNX) or `remote` (HTTP API). */
  kind: 'cross-encoder' | 'remote';
  /**
   * What the scores are: `probability` (sigmoid of the logit, in (0, 1), e.g. FlagEmbedding
   * `normalize=True`, Cohere's relevance_score) or `logit` (raw, unbounded, FlagEmbedding's default).
   */
  scale: 'probability' | 'logit';
}

/**
 * Scores documents against a query; higher is more relevant. Scores of different
 * queries are comparable only with `scale = 'probability'`.
 *
 * @example
 * ```ts
 * const rr: Reranker = await loadCrossEncoder('./bge-reranker-v2-m3', { sigmoid: true });
 * const scores = await rr.rerank('what is bm25?', ['BM25 ranks documents…', 'Paris is in France']);
 * ```
 */
export interface Reranker {
  readonly info: RerankerInfo;
  /** One score per document, in input order. */
  rerank(query: string, docs: readonly string[]): Promise<number[]>;
  /** Frees resources; idempotent. Later calls throw. */
  close(): Promise<void>;
}
