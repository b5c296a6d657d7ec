/** What src/index.ts exports of the Qdrant backend. */
export { qdrant } from './backend.js';
export type { QdrantBackend } from './backend.js';
export { QdrantIndex } from './qdrant-index.js';
export type { QdrantBackendOptions, QdrantIndexOptions } from './qdrant-index.js';
