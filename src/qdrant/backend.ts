/**
 * The `qdrant({...})` backend factory for `HybridIndex.create({ encoder, backend })`, and the
 * hand-over from HybridIndex.create to QdrantIndex. Imports nothing of the Qdrant code at
 * load time: QdrantIndex (and through it the client package) is imported when used.
 */
import { invalid } from '../errors.js';
import type { HybridIndexOptions } from '../hybrid/types.js';
import type { QdrantBackendOptions, QdrantIndex } from './qdrant-index.js';

/**
 * A storage backend for HybridIndex.create (only Qdrant so far), made by {@link qdrant}.
 *
 * @example
 * ```ts
 * const backend: QdrantBackend = qdrant({ url: 'http://localhost:6333', collection: 'docs' });
 * ```
 */
export interface QdrantBackend {
  readonly kind: 'qdrant';
  readonly options: Readonly<QdrantBackendOptions>;
}

/**
 * Describes a Qdrant collection as the backend of a hybrid index.
 *
 * @example
 * ```ts
 * const index = await HybridIndex.create({ encoder, backend: qdrant({ url: 'http://localhost:6333', collection: 'docs', shards: 2, replicas: 2 }) });
 * ```
 */
export function qdrant(options: QdrantBackendOptions): QdrantBackend {
  if (!options || typeof options !== 'object') invalid('INVALID_ARGUMENT', 'qdrant() needs { url, collection, apiKey?, shards?, replicas? }');
  return { kind: 'qdrant', options: { ...options } };
}

const LOCAL_ONLY = ['path', 'wal', 'overwrite', 'fs', 'channels'] as const;

/** HybridIndex.create with a backend: the same options, answered by a QdrantIndex. */
export async function createWithBackend(opts: HybridIndexOptions & { backend: QdrantBackend }): Promise<QdrantIndex> {
  const b = opts.backend as unknown;
  if (!b || typeof b !== 'object' || (b as QdrantBackend).kind !== 'qdrant') invalid('INVALID_ARGUMENT', 'backend must come from qdrant({ url, collection, … })');
  for (const k of LOCAL_ONLY) if (opts[k] !== undefined) invalid('INVALID_ARGUMENT', `option '${k}' is for a local index: it cannot be combined with backend: qdrant(…)`);
  const d = opts.dense;
  if (d && (d.dtype !== undefined || d.connectivity !== undefined || d.expansionAdd !== undefined || d.expansionSearch !== undefined)) invalid('INVALID_ARGUMENT', 'dense: with backend: qdrant(…) only dimensions applies (storage is set by qdrant({ denseStorage }))');
  if (opts.multivector && Object.keys(opts.multivector).length > 0) invalid('INVALID_ARGUMENT', 'multivector: with backend: qdrant(…) only true/false applies (qdrant({ multivectorOnDisk }) sets storage)');
  const { QdrantIndex } = await import('./qdrant-index.js');
  return QdrantIndex.create({
    ...(opts.backend as QdrantBackend).options,
    encoder: opts.encoder!,
    ...(d !== undefined ? { dense: d === false ? false : d.dimensions !== undefined ? { dimensions: d.dimensions } : {} } : {}),
    ...(opts.sparse !== undefined ? { sparse: opts.sparse } : {}),
    ...(opts.multivector !== undefined ? { multivector: opts.multivector === false ? false : {} } : {}),
    ...(opts.bm25 !== undefined ? { bm25: opts.bm25 } : {}),
    ...(opts.fusion !== undefined ? { fusion: opts.fusion } : {}),
    ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
    ...(opts.storeText !== undefined ? { storeText: opts.storeText } : {}),
  });
}
