/**
 * Argument checks for the dense index. Everything is validated before anything is
 * mutated, so a rejected call leaves the index unchanged.
 */

import { invalid } from '../errors.js';

/** Largest internal id (ids are u32). */
export const MAX_ID = 0xffff_ffff;

/**
 * Throws INVALID_ARGUMENT unless `id` is an integer in [0, 2^32 − 1].
 *
 * @example
 * ```ts
 * checkId(7, 'add'); // ok
 * ```
 */
export function checkId(id: unknown, where: string): asserts id is number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
    invalid('INVALID_ARGUMENT', `${where}: id ${String(id)} is not an internal id; pass an integer in [0, 4294967295]`);
  }
}

/**
 * Throws INVALID_ARGUMENT unless `k` is a positive integer.
 *
 * @example
 * ```ts
 * checkK(10, 'search'); // ok
 * ```
 */
export function checkK(k: unknown, where: string): asserts k is number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) {
    invalid('INVALID_ARGUMENT', `${where}: k must be a positive integer, got ${String(k)}`);
  }
}

/**
 * Throws INVALID_ARGUMENT unless `v` is an integer in [min, max].
 *
 * @example
 * ```ts
 * checkInt(16, 'connectivity', 2, 1024); // ok
 * ```
 */
export function checkInt(v: unknown, name: string, min: number, max: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    invalid('INVALID_ARGUMENT', `${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
}

/**
 * Checks a vector (right length, finite values, not all zero) and returns an L2-normalised
 * f32 copy (norm computed in f64). Accepts a Float32Array or a plain number array.
 *
 * @example
 * ```ts
 * normalised([3, 4], 2, 'add') // Float32Array [0.6, 0.8]
 * ```
 */
export function normalised(vector: unknown, dim: number, where: string): Float32Array {
  return normalisedInto(vector, dim, where, new Float32Array(dim), 0);
}

/**
 * {@link normalised} written into `out` at `offset` (no allocation; the same values); returns `out`.
 *
 * @example
 * ```ts
 * normalisedInto([3, 4], 2, 'add', out, 2 * i) // out[2i] = 0.6, out[2i + 1] = 0.8
 * ```
 */
export function normalisedInto(vector: unknown, dim: number, where: string, out: Float32Array, offset: number): Float32Array {
  if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
    invalid('INVALID_VECTOR', `${where}: vector must be a Float32Array or number[], got ${typeof vector}`);
  }
  const v = vector as ArrayLike<number>;
  if (v.length !== dim) {
    invalid('DIMENSION_MISMATCH', `${where}: vector has ${v.length} values but the index has ${dim} dimensions`);
  }
  let maxAbs = 0;
  for (let i = 0; i < dim; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      invalid('INVALID_VECTOR', `${where}: value ${i} is ${String(x)}; vectors must be finite numbers`);
    }
    const a = Math.abs(x);
    if (a > maxAbs) maxAbs = a;
  }
  if (maxAbs === 0) invalid('INVALID_VECTOR', `${where}: the zero vector has no direction and cannot be normalised`);
  // Scale by the largest magnitude first so the sum of squares neither overflows nor underflows.
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    const x = v[i]! / maxAbs;
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  for (let i = 0; i < dim; i++) out[offset + i] = v[i]! / maxAbs / norm;
  return out;
}

/**
 * Checks a query vector (right length, finite values) and returns it as a Float32Array
 * (the input itself when it already is one). Queries are not normalised: scores are the
 * inner products with the query as given.
 *
 * @example
 * ```ts
 * checkQuery([1, 0], 2, 'search') // Float32Array [1, 0]
 * ```
 */
export function checkQuery(query: unknown, dim: number, where: string): Float32Array {
  if (!(query instanceof Float32Array) && !Array.isArray(query)) {
    invalid('INVALID_VECTOR', `${where}: query must be a Float32Array or number[], got ${typeof query}`);
  }
  const q = query instanceof Float32Array ? query : Float32Array.from(query as number[]);
  if (q.length !== dim) {
    invalid('DIMENSION_MISMATCH', `${where}: query has ${q.length} values but the index has ${dim} dimensions`);
  }
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(q[i]!)) {
      invalid('INVALID_VECTOR', `${where}: query value ${i} is ${String((query as ArrayLike<unknown>)[i])}; vectors must be finite f32 numbers`);
    }
  }
  return q;
}
