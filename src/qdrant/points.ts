/**
 * Documents → Qdrant points: the UUIDv5 point id of the external id, one named vector per
 * channel, and the payload `{ trident_id, text?, metadata? }` (metadata under one key so its
 * field names never collide with trident's own). Also the client-side BM25 document and query
 * vectors. Pure.
 */
import { invalid } from '../errors.js';
import type { ExternalId } from '../store/index.js';
import { VECTOR_NAMES } from './collection.js';
import { METADATA_KEY } from './filter.js';
import { pointId } from './uuid.js';
import type { QPointStruct, QSparseVector } from './schema.js';

/** Payload key of the external id. */
export const ID_KEY = 'trident_id';
/** Payload key of the document text. */
export const TEXT_KEY = 'text';

/** The encoded vectors of one document, per channel (absent channel: not written). */
export interface PointVectors {
  dense?: Float32Array | null;
  sparse?: { ids: Uint32Array; weights: Float32Array } | null;
  multivector?: { data: Float32Array; dim: number; count: number } | null;
  bm25?: QSparseVector | null;
}

/** Sparse vector with only non-zero weights (Qdrant needs unique indices; ours are). */
export function toSparse(v: { ids: Uint32Array | readonly number[]; weights: Float32Array | readonly number[] }): QSparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < v.ids.length; i++) {
    const w = v.weights[i]!;
    if (w !== 0) {
      indices.push(v.ids[i]!);
      values.push(f32Json(w));
    }
  }
  return { indices, values };
}

/**
 * A float32 value as the shortest JSON number that still reads back as the same float32:
 * 9 significant digits identify every binary32 value (IEEE 754 §5.12.2), so a server parsing
 * it (directly or through a double) stores exactly the value we hold, while JSON.stringify of
 * the raw double would print up to 17 digits (about half the upsert bytes are saved).
 */
export function f32Json(v: number): number {
  return Number(v.toPrecision(9));
}

/** A float32 vector as JSON numbers (see {@link f32Json}). */
export function toList(v: Float32Array): number[] {
  return Array.from(v, f32Json);
}

/** Multi-vector as Qdrant's list of token vectors. */
export function toMatrix(mv: { data: Float32Array; dim: number; count: number }): number[][] {
  const rows: number[][] = [];
  for (let t = 0; t < mv.count; t++) rows.push(toList(mv.data.subarray(t * mv.dim, (t + 1) * mv.dim)));
  return rows;
}

/**
 * One point. Float32 values are written with 9 significant digits ({@link f32Json}), so
 * Qdrant stores the very same float32 values.
 *
 * @example
 * ```ts
 * buildPoint({ id: 'a', text: 'hello', metadata: { year: 2020 } }, { dense: new Float32Array([0.6, 0.8]) });
 * ```
 */
export function buildPoint(doc: { id: ExternalId; text?: string | undefined; metadata?: Record<string, unknown> | undefined }, v: PointVectors): QPointStruct {
  const vector: Record<string, number[] | number[][] | QSparseVector> = {};
  if (v.dense) vector[VECTOR_NAMES.dense] = toList(v.dense);
  if (v.sparse) {
    const s = toSparse(v.sparse);
    if (s.indices.length > 0) vector[VECTOR_NAMES.sparse] = s;
  }
  if (v.multivector && v.multivector.count > 0) vector[VECTOR_NAMES.multivector] = toMatrix(v.multivector);
  if (v.bm25 && v.bm25.indices.length > 0) vector[VECTOR_NAMES.bm25] = v.bm25;
  const payload: Record<string, unknown> = { [ID_KEY]: doc.id };
  if (doc.text !== undefined) payload[TEXT_KEY] = doc.text;
  if (doc.metadata !== undefined) payload[METADATA_KEY] = doc.metadata;
  return { id: pointId(doc.id), vector, payload };
}

/**
 * The 32-bit FNV-1a hash of a term's UTF-8 bytes: the BM25 channel's sparse index in Qdrant
 * (stable across processes without a shared vocabulary; colliding terms add up, as in
 * fastembed's hashed BM25).
 *
 * @example
 * ```ts
 * termHash('a'); // 0xe40c292c
 * ```
 */
export function termHash(term: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(term, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function counts(terms: readonly string[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of terms) m.set(termHash(t), (m.get(termHash(t)) ?? 0) + 1);
  return m;
}

/**
 * BM25 document vector for Qdrant's `idf` modifier: value of a term = (k1 + 1)·tf /
 * (tf + k1·(1 − b + b·dl/avgdl)) with dl the document's term count. With query values qf
 * ({@link bm25QueryVector}) Qdrant's score Σ qf·idf·value is the local BM25 score exactly,
 * except that `avgdl` is frozen here when the document is written (locally it is live).
 *
 * @example
 * ```ts
 * bm25DocumentVector(['cat', 'sat', 'cat'], { k1: 0.9, b: 0.4, avgdl: 10 });
 * ```
 */
export function bm25DocumentVector(terms: readonly string[], p: { k1: number; b: number; avgdl: number }): QSparseVector {
  if (!(p.avgdl > 0)) invalid('INVALID_ARGUMENT', `bm25 avgdl must be a positive number (got ${String(p.avgdl)})`);
  const dl = terms.length;
  const norm = p.k1 * (1 - p.b + (p.b * dl) / p.avgdl);
  const c = counts(terms);
  const indices = [...c.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => ((p.k1 + 1) * c.get(i)!) / (c.get(i)! + norm)) };
}

/** BM25 query vector: each distinct term's count (qf). */
export function bm25QueryVector(terms: readonly string[]): QSparseVector {
  const c = counts(terms);
  const indices = [...c.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => c.get(i)!) };
}
