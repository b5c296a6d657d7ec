/**
 * The Qdrant backend: the same encoder, channels and fusion on a Qdrant collection.
 * Owns: request builders (collection.ts, points.ts, query.ts, filter.ts, uuid.ts), the
 * connection with retries and typed errors (client.ts), the index class (qdrant-index.ts) and
 * the export of a saved local index (export.ts). Must never load `@qdrant/js-client-rest`
 * unless a Qdrant backend is used (client.ts imports it lazily).
 */
export { QdrantIndex } from './qdrant-index.js';
export type { QdrantBackendOptions, QdrantIndexOptions } from './qdrant-index.js';
export { QdrantConnection } from './client.js';
export type { QdrantConnectionOptions } from './client.js';
export { collectionConfig, checkCollection, VECTOR_NAMES } from './collection.js';
export type { QdrantLayout, QdrantDenseLayout } from './collection.js';
export { toQdrantFilter } from './filter.js';
export { buildPoint, bm25DocumentVector, bm25QueryVector, termHash } from './points.js';
export { candidatesBatch, scoreBatch, fusionQuery, channelQuery, maxSimScore } from './query.js';
export { pointId, uuidV5 } from './uuid.js';
