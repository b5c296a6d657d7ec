/**
 * A {@link Reranker} over Cohere's rerank HTTP API (`POST {baseUrl}/v2/rerank`, body
 * `{model, query, documents, top_n}`, answer `{results: [{index, relevance_score}]}`),
 * e.g. `rerank-v3.5`, `rerank-english-v3.0`, `rerank-multilingual-v3.0` (Rerank 3 Nimble
 * is served under these names on Cohere's platform and through AWS/Azure/Oracle).
 * Also fits servers speaking the same shape (text-embeddings-inference `/rerank` uses
 * another body; Jina's and Voyage's rerank APIs take the same fields).
 *
 * Scores are Cohere's `relevance_score` in [0, 1] (`scale = 'probability'`). Documents go
 * out in chunks of `maxDocsPerRequest` (default 1000, the API limit) with `top_n` = chunk
 * size, so every document gets a score; retries and rate limits as for embeddings.
 */
import { EncoderClosedError, invalid } from '../errors.js';
import type { Reranker, RerankerInfo } from '../rerank/types.js';
import { RemoteError } from './errors.js';
import { postJson, type RetryOptions } from './http.js';
import { RateLimiter } from './rate-limit.js';

/** Options of {@link createCohereReranker}. */
export interface CohereRerankOptions extends RetryOptions {
  /** Model name, e.g. `rerank-v3.5`. */
  model: string;
  /** API root, default `https://api.cohere.com`. */
  baseUrl?: string;
  /** Path under baseUrl, default `/v2/rerank`. */
  path?: string;
  /** Bearer key (default env COHERE_API_KEY, then CO_API_KEY). */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Documents per request (default 1000). */
  maxDocsPerRequest?: number;
  /** Server-side truncation per document in tokens (`max_tokens_per_doc`, v2 API). */
  maxTokensPerDoc?: number;
  requestsPerMinute?: number;
}

interface RerankResponse {
  results?: Array<{ index?: unknown; relevance_score?: unknown }>;
}

/**
 * Creates a Cohere rerank client.
 *
 * @example
 * ```ts
 * const rr = createCohereReranker({ model: 'rerank-v3.5' });
 * const scores = await rr.rerank('capital of France', ['Paris is the capital of France.', 'Berlin is in Germany.']);
 * ```
 */
export function createCohereReranker(opts: CohereRerankOptions): Reranker {
  if (!opts || typeof opts.model !== 'string' || opts.model === '') invalid('INVALID_ARGUMENT', 'createCohereReranker needs { model } (e.g. rerank-v3.5)');
  const per = opts.maxDocsPerRequest ?? 1000;
  if (!Number.isInteger(per) || per < 1) invalid('INVALID_ARGUMENT', `maxDocsPerRequest must be a positive integer, got ${per}`);
  const url = `${(opts.baseUrl ?? 'https://api.cohere.com').replace(/\/+$/, '')}${opts.path ?? '/v2/rerank'}`;
  const key = opts.apiKey ?? process.env.COHERE_API_KEY ?? process.env.CO_API_KEY;
  const headers = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(opts.headers ?? {}) };
  const limiter = new RateLimiter(opts.requestsPerMinute !== undefined ? { requestsPerMinute: opts.requestsPerMinute } : {});
  let closed = false;
  const info: RerankerInfo = { id: `cohere-${opts.model}`, kind: 'remote', scale: 'probability' };
  return {
    info,
    async rerank(query: string, docs: readonly string[]): Promise<number[]> {
      if (closed) throw new EncoderClosedError('the reranker is closed; create a new one with createCohereReranker()');
      if (typeof query !== 'string' || query === '') invalid('INVALID_TEXT', 'the query must be a non-empty string');
      if (!Array.isArray(docs) || !docs.every((d) => typeof d === 'string')) invalid('INVALID_TEXT', 'docs must be an array of strings');
      const scores = new Array<number>(docs.length);
      for (let s = 0; s < docs.length; s += per) {
        const chunk = docs.slice(s, s + per);
        await limiter.acquire(0);
        const body: Record<string, unknown> = { model: opts.model, query, documents: chunk, top_n: chunk.length };
        if (opts.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = opts.maxTokensPerDoc;
        const res = (await postJson(url, body, headers, opts)) as RerankResponse;
        if (!res || !Array.isArray(res.results) || res.results.length !== chunk.length) {
          throw new RemoteError('REMOTE_BAD_RESPONSE', `${url}: expected results[] with ${chunk.length} entries; the server is not Cohere-compatible`, 200, 1);
        }
        const seen = new Set<number>();
        for (const r of res.results) {
          const i = r.index;
          const v = r.relevance_score;
          if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= chunk.length || seen.has(i as number) || typeof v !== 'number' || !Number.isFinite(v)) {
            throw new RemoteError('REMOTE_BAD_RESPONSE', `${url}: a result has a bad index or relevance_score (${JSON.stringify(r).slice(0, 80)})`, 200, 1);
          }
          seen.add(i as number);
          scores[s + (i as number)] = v;
        }
      }
      return scores;
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}
