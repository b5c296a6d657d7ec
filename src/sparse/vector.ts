/**
 * Sparse vectors: parallel arrays of ascending unique u32 ids and finite, non-negative f32 weights.
 * Validation lives here so every entry point (add, search, score) rejects the same inputs
 * with the same typed errors.
 */
import { invalid } from '../errors.js';

/**
 * A sparse vector: `ids` strictly ascending (unique), `weights[i]` belongs to `ids[i]`.
 * For the M3 lexical scorer the weights are the model's lexical weights; for BM25 they are
 * term frequencies.
 *
 * @example
 * ```ts
 * const v: SparseVector = { ids: Uint32Array.of(3, 17), weights: Float32Array.of(0.25, 1) };
 * ```
 */
export interface SparseVector {
  ids: Uint32Array;
  weights: Float32Array;
}

/**
 * Builds a {@link SparseVector} from plain arrays (or an id → weight record), sorting ids and
 * keeping the **max** weight of a repeated id (the BGE-M3 pooling rule). The result is validated.
 *
 * @example
 * ```ts
 * const v = sparseVector([17, 3, 17], [0.5, 0.25, 0.75]); // ids [3, 17], weights [0.25, 0.75]
 * ```
 */
export function sparseVector(ids: ArrayLike<number>, weights: ArrayLike<number>): SparseVector {
  if (ids.length !== weights.length) {
    invalid('INVALID_VECTOR', `sparse vector has ${ids.length} ids but ${weights.length} weights; pass one weight per id`);
  }
  const best = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const w = weights[i]!;
    checkId(id, i);
    checkWeight(w, i);
    const prev = best.get(id);
    if (prev === undefined || w > prev) best.set(id, w);
  }
  const sorted = [...best.keys()].sort((a, b) => a - b);
  const out: SparseVector = { ids: new Uint32Array(sorted.length), weights: new Float32Array(sorted.length) };
  for (let i = 0; i < sorted.length; i++) {
    out.ids[i] = sorted[i]!;
    out.weights[i] = best.get(sorted[i]!)!;
  }
  return out;
}

function checkId(id: number, i: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    invalid('INVALID_VECTOR', `sparse vector id at position ${i} is ${id}; ids must be integers in [0, 2^32)`);
  }
}

function checkWeight(w: number, i: number): void {
  if (!Number.isFinite(w) || w < 0) {
    invalid('INVALID_VECTOR', `sparse vector weight at position ${i} is ${w}; weights must be finite and >= 0`);
  }
}

/**
 * Throws `INVALID_VECTOR` unless `vec` has typed arrays of equal length, strictly ascending ids
 * and finite non-negative weights. `what` names the argument in the message.
 *
 * @example
 * ```ts
 * validateSparseVector({ ids: Uint32Array.of(2, 1), weights: Float32Array.of(1, 1) }, 'query'); // throws
 * ```
 */
export function validateSparseVector(vec: SparseVector, what: string): void {
  if (vec === null || typeof vec !== 'object') invalid('INVALID_VECTOR', `${what} must be a SparseVector { ids, weights }`);
  const { ids, weights } = vec;
  if (!(ids instanceof Uint32Array) || !(weights instanceof Float32Array)) {
    invalid('INVALID_VECTOR', `${what} must have ids: Uint32Array and weights: Float32Array (use sparseVector() to convert plain arrays)`);
  }
  if (ids.length !== weights.length) {
    invalid('INVALID_VECTOR', `${what} has ${ids.length} ids but ${weights.length} weights; pass one weight per id`);
  }
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && ids[i]! <= ids[i - 1]!) {
      invalid('INVALID_VECTOR', `${what} ids must be strictly ascending and unique, but ids[${i - 1}]=${ids[i - 1]} and ids[${i}]=${ids[i]}; sort them and merge duplicates (sparseVector() does both)`);
    }
    const w = weights[i]!;
    if (!Number.isFinite(w) || w < 0) {
      invalid('INVALID_VECTOR', `${what} weight at position ${i} (id ${ids[i]}) is ${w}; weights must be finite and >= 0`);
    }
  }
}
