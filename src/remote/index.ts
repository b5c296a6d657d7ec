/**
 * Public surface of the remote stage: OpenAI-compatible embeddings as an Encoder, Cohere
 * rerank as a Reranker, and the shared retry / rate-limit machinery.
 */
export { createOpenAIEncoder, OPENAI_MODEL_DIMS } from './openai.js';
export type { OpenAIEncoderOptions } from './openai.js';
export { createCohereReranker } from './cohere.js';
export type { CohereRerankOptions } from './cohere.js';
export { RateLimiter } from './rate-limit.js';
export type { RateLimitOptions } from './rate-limit.js';
export { RemoteError } from './errors.js';
export { postJson, retryAfterMs } from './http.js';
export type { RetryOptions } from './http.js';
export { truncateNormalize } from './vector.js';
