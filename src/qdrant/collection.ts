/**
 * Channel layout → Qdrant collection config, and the check that an existing collection
 * matches it. One named vector per channel:
 *
 * | channel       | Qdrant                                                                                      |
 * |---------------|---------------------------------------------------------------------------------------------|
 * | `dense`       | `vectors.dense`: `{ size, distance: 'Cosine', on_disk?, quantization_config?, datatype? }`   |
 * | `sparse`      | `sparse_vectors.sparse`: `{ modifier: 'none' }` (M3 lexical weights as-is) or `'idf'` (BM42) |
 * | `multivector` | `vectors.multivector`: `{ size, distance: 'Dot', multivector_config: { comparator: 'max_sim' }, hnsw_config: { m: 0 } }` |
 * | `bm25`        | `sparse_vectors.bm25`: `{ modifier: 'idf' }`, document values = BM25 term saturation computed client side |
 *
 * Multi-vector uses `Dot`, not `Cosine`: the local MaxSim is the inner product of the stored
 * token vectors (pooled vectors are not re-normalised), and `Dot` makes Qdrant compute the
 * same thing. `m: 0` disables its HNSW graph, as Qdrant recommends for re-ranking vectors
 * (they are only ever scored on prefetched candidates). The layout itself is kept in the
 * collection's `metadata.trident`, so a later open can check the encoder and BM25 settings.
 * Pure.
 */
import { InvalidArgumentError } from '../errors.js';
import type { QCollectionInfo, QCreateCollection, QVectorParams } from './schema.js';
import type { QdrantLayout } from './types.js';

export type { QdrantDenseLayout, QdrantLayout } from './types.js';

/** Vector names used in the collection (one per channel). */
export const VECTOR_NAMES = { dense: 'dense', sparse: 'sparse', multivector: 'multivector', bm25: 'bm25' } as const;

/**
 * The body of `PUT /collections/{name}` for a layout.
 *
 * @example
 * ```ts
 * collectionConfig({ encoder: { id: 'bge-m3', dim: 1024 }, dense: { size: 1024 }, sparse: { modifier: 'none' } }, { shards: 2, replicas: 2 });
 * ```
 */
export function collectionConfig(layout: QdrantLayout, opts: { shards?: number; replicas?: number } = {}): QCreateCollection {
  const vectors: Record<string, QVectorParams> = {};
  const d = layout.dense;
  if (d) {
    vectors[VECTOR_NAMES.dense] = {
      size: d.size,
      distance: 'Cosine',
      ...(d.onDisk ? { on_disk: true } : {}),
      ...(d.datatype && d.datatype !== 'float32' ? { datatype: d.datatype } : {}),
      ...(d.quantization === 'scalar' ? { quantization_config: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } } } : {}),
      ...(d.quantization === 'binary' ? { quantization_config: { binary: { always_ram: true } } } : {}),
    };
  }
  const m = layout.multivector;
  if (m) {
    vectors[VECTOR_NAMES.multivector] = {
      size: m.size,
      distance: 'Dot',
      multivector_config: { comparator: 'max_sim' },
      hnsw_config: { m: 0 },
      ...(m.onDisk ? { on_disk: true } : {}),
      ...(m.datatype && m.datatype !== 'float32' ? { datatype: m.datatype } : {}),
    };
  }
  const sparse: NonNullable<QCreateCollection['sparse_vectors']> = {};
  if (layout.sparse) sparse[VECTOR_NAMES.sparse] = { modifier: layout.sparse.modifier };
  if (layout.bm25) sparse[VECTOR_NAMES.bm25] = { modifier: 'idf' };
  return {
    vectors,
    ...(Object.keys(sparse).length > 0 ? { sparse_vectors: sparse } : {}),
    ...(opts.shards !== undefined ? { shard_number: opts.shards } : {}),
    ...(opts.replicas !== undefined ? { replication_factor: opts.replicas } : {}),
    metadata: { trident: { formatVersion: 1, layout: layoutJson(layout) } },
  };
}

function layoutJson(l: QdrantLayout): Record<string, unknown> {
  return JSON.parse(JSON.stringify(l)) as Record<string, unknown>;
}

/**
 * Checks that an existing collection (`GET /collections/{name}` result) holds the layout's
 * vectors with the same sizes, distances and modifiers and was written by the same encoder.
 * Throws ENCODER_MISMATCH naming the first difference.
 *
 * @example
 * ```ts
 * checkCollection(info, layout, 'docs');
 * ```
 */
export function checkCollection(info: QCollectionInfo, layout: QdrantLayout, name: string): void {
  const want = collectionConfig(layout);
  const params = info.config.params;
  const fail = (what: string): never => {
    throw new InvalidArgumentError('ENCODER_MISMATCH', `Qdrant collection '${name}' does not match this encoder: ${what}; use another collection name, or the encoder it was built with`);
  };
  const stored = (info.config as { metadata?: Record<string, unknown> | null }).metadata?.trident as { layout?: { encoder?: { id?: string; dim?: number } } } | undefined;
  const enc = stored?.layout?.encoder;
  if (enc && (enc.id !== layout.encoder.id || enc.dim !== layout.encoder.dim)) fail(`it was built with encoder '${String(enc.id)}' (dim ${String(enc.dim)}), this one is '${layout.encoder.id}' (dim ${layout.encoder.dim})`);
  const have = (params.vectors ?? {}) as Record<string, { size?: number; distance?: string; multivector_config?: { comparator?: string } | null }>;
  if (typeof (have as { size?: unknown }).size === 'number') fail('it has one unnamed vector, trident needs named vectors (dense, multivector)');
  for (const [vname, v] of Object.entries(want.vectors as Record<string, QVectorParams>)) {
    const h = have[vname] ?? fail(`it has no vector '${vname}'`);
    if (h.size !== v.size) fail(`vector '${vname}' has size ${String(h.size)}, the encoder gives ${v.size}`);
    if (h.distance !== v.distance) fail(`vector '${vname}' uses distance ${String(h.distance)}, trident needs ${v.distance}`);
    if ((h.multivector_config?.comparator ?? null) !== (v.multivector_config?.comparator ?? null)) fail(`vector '${vname}' has multivector comparator ${String(h.multivector_config?.comparator ?? 'none')}, trident needs ${String(v.multivector_config?.comparator ?? 'none')}`);
  }
  const haveSparse = (params.sparse_vectors ?? {}) as Record<string, { modifier?: string | null }>;
  for (const [sname, s] of Object.entries(want.sparse_vectors ?? {})) {
    const h = haveSparse[sname] ?? fail(`it has no sparse vector '${sname}'`);
    if ((h.modifier ?? 'none') !== (s?.modifier ?? 'none')) fail(`sparse vector '${sname}' has modifier ${String(h.modifier ?? 'none')}, the encoder needs ${String(s?.modifier ?? 'none')}`);
  }
}
