/**
 * Checks for multi-vector inputs. Everything is validated (and copied) before the store
 * is touched, so a rejected call changes nothing.
 */

import { invalid } from '../errors.js';
import { NONE, type MultiVector } from './types.js';

/** A validated document: normalised vectors plus token ids and spans (NONE when absent). */
export interface CheckedDoc {
  data: Float32Array;
  count: number;
  tokenIds: Uint32Array;
  spans: Uint32Array;
  hasTokens: boolean;
  hasSpans: boolean;
}

function checkShape(mv: unknown, dim: number, where: string): MultiVector {
  if (mv === null || typeof mv !== 'object') invalid('INVALID_ARGUMENT', `${where}: pass a MultiVector { data, dim, count }`);
  const m = mv as MultiVector;
  if (m.dim !== dim) invalid('DIMENSION_MISMATCH', `${where}: vectors have dim ${String(m.dim)} but the store has dim ${dim}`);
  if (typeof m.count !== 'number' || !Number.isInteger(m.count) || m.count < 0) {
    invalid('INVALID_ARGUMENT', `${where}: count must be a non-negative integer, got ${String(m.count)}`);
  }
  if (!(m.data instanceof Float32Array)) invalid('INVALID_VECTOR', `${where}: data must be a Float32Array of count × dim values`);
  if (m.data.length !== m.count * dim) {
    invalid('DIMENSION_MISMATCH', `${where}: data has ${m.data.length} values, expected count × dim = ${m.count} × ${dim}`);
  }
  return m;
}

/**
 * Checks a query: right dim, data length = count × dim, finite values. Returns the data
 * as given (queries are not normalised; an empty query scores 0 everywhere).
 *
 * @example
 * ```ts
 * const q = checkQuery({ data, dim: 1024, count: 32 }, 1024, 'score');
 * ```
 */
export function checkQuery(mv: unknown, dim: number, where: string): { data: Float32Array; count: number } {
  const m = checkShape(mv, dim, where);
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) invalid('INVALID_VECTOR', `${where}: query vector ${Math.floor(i / dim)} has a non-finite value (${d[i]}) at ${i % dim}`);
  }
  return { data: d, count: m.count };
}

/**
 * Checks a document and returns an L2-normalised copy (norms in f64). Zero vectors,
 * NaN/Inf, wrong lengths of `tokenIds`/`charSpans` are rejected; an empty `tokenIds` or
 * `charSpans` array is taken as not given.
 *
 * @example
 * ```ts
 * const doc = checkDoc({ data, dim: 1024, count: 200, tokenIds }, 1024, 'add(7)');
 * ```
 */
export function checkDoc(mv: unknown, dim: number, where: string): CheckedDoc {
  const m = checkShape(mv, dim, where);
  const n = m.count;
  const src = m.data;
  const data = new Float32Array(n * dim);
  for (let v = 0; v < n; v++) {
    const off = v * dim;
    let maxAbs = 0;
    for (let k = 0; k < dim; k++) {
      const x = src[off + k]!;
      if (!Number.isFinite(x)) invalid('INVALID_VECTOR', `${where}: vector ${v} has a non-finite value (${x}) at ${k}`);
      const a = Math.abs(x);
      if (a > maxAbs) maxAbs = a;
    }
    if (maxAbs === 0) invalid('INVALID_VECTOR', `${where}: vector ${v} is all zeros and cannot be normalised; drop padding vectors before adding`);
    let sum = 0;
    for (let k = 0; k < dim; k++) {
      const x = src[off + k]! / maxAbs;
      sum += x * x;
    }
    const norm = Math.sqrt(sum);
    for (let k = 0; k < dim; k++) data[off + k] = src[off + k]! / maxAbs / norm;
  }
  const tokenIds = new Uint32Array(n).fill(NONE);
  // An empty tokenIds / charSpans array on a non-empty document means "not given".
  const hasTokens = m.tokenIds !== undefined && !(n > 0 && (m.tokenIds as ArrayLike<number>).length === 0);
  if (hasTokens) {
    const t = m.tokenIds as unknown;
    if (!(t instanceof Uint32Array) && !Array.isArray(t)) invalid('INVALID_ARGUMENT', `${where}: tokenIds must be a Uint32Array`);
    const ta = t as ArrayLike<number>;
    if (ta.length !== n) invalid('INVALID_ARGUMENT', `${where}: ${ta.length} tokenIds for ${n} vectors; pass one id per vector`);
    for (let i = 0; i < n; i++) {
      const id = ta[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= NONE) invalid('INVALID_ARGUMENT', `${where}: tokenIds[${i}] = ${id} is not a token id`);
      tokenIds[i] = id;
    }
  }
  const spans = new Uint32Array(2 * n).fill(NONE);
  const hasSpans = m.charSpans !== undefined && !(n > 0 && (m.charSpans as ArrayLike<unknown>).length === 0);
  if (hasSpans) {
    const s = m.charSpans as unknown;
    let flat: ArrayLike<number>;
    if (s instanceof Uint32Array) flat = s;
    else if (Array.isArray(s)) {
      if (s.length !== n) invalid('INVALID_ARGUMENT', `${where}: ${s.length} charSpans for ${n} vectors; pass one [start, end) per vector`);
      const f: number[] = [];
      for (const pair of s) {
        if (!Array.isArray(pair) || pair.length !== 2) invalid('INVALID_ARGUMENT', `${where}: each charSpan must be a [start, end] pair`);
        f.push(pair[0], pair[1]);
      }
      flat = f;
    } else invalid('INVALID_ARGUMENT', `${where}: charSpans must be [start, end] pairs or a flat Uint32Array`);
    if (flat.length !== 2 * n) invalid('INVALID_ARGUMENT', `${where}: charSpans has ${flat.length} values, expected 2 × ${n}`);
    for (let i = 0; i < n; i++) {
      const a = flat[2 * i]!;
      const b = flat[2 * i + 1]!;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b >= NONE) {
        invalid('INVALID_ARGUMENT', `${where}: charSpans[${i}] = [${a}, ${b}] is not a valid [start, end) span`);
      }
      spans[2 * i] = a;
      spans[2 * i + 1] = b;
    }
  }
  return { data, count: n, tokenIds, spans, hasTokens, hasSpans };
}
