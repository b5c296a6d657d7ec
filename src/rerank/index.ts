/**
 * Public surface of the rerank stage: the {@link Reranker} contract, the local ONNX
 * cross-encoder and the `applyRerank` step used by `search({ rerank: { model, topN } })`.
 */
export type { Reranker, RerankerInfo } from './types.js';
export { applyRerank } from './apply.js';
export type { RerankedHit } from './apply.js';
export { loadCrossEncoder } from './cross-encoder.js';
export type { CrossEncoderOptions } from './cross-encoder.js';
