/**
 * Reading and validating vectors handed to a channel — the encoder's outputs and the caller's
 * own vectors go through the same checks (shape, finite values, sign, zero norm), each
 * failure a typed error naming the document (or the query) and the channel. Owns no state.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ExternalId } from '../store/index.js';
import type { MultiVectorValue, SparseValue } from './types.js';

/** Who a value belongs to, for messages: a document id, or the query. */
export type Owner = { doc: ExternalId } | 'query';

function who(owner: Owner, channel: string): string {
  return owner === 'query' ? `the query's '${channel}' vector` : `document ${JSON.stringify(owner.doc)}: the '${channel}' vector`;
}

const tail = (owner: Owner) => (owner === 'query' ? '' : ' (nothing was added)');

function numbers(v: unknown): Float32Array | null {
  if (v instanceof Float32Array) return v;
  if (v instanceof Float64Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) return Float32Array.from(v as ArrayLike<number>);
  return null;
}

/**
 * A dense vector: at least `dims` finite values (exactly `dims` when `exact`, the caller's
 * own vectors), not all zero in the first `dims`; returns the first `dims` values
 * L2-normalised (Matryoshka truncation for longer encoder outputs).
 */
export function denseValue(v: unknown, dims: number, exact: boolean, owner: Owner, channel: string): Float32Array {
  const a = numbers(v);
  if (!a) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)} must be a Float32Array or an array of numbers${tail(owner)}`);
  if (exact ? a.length !== dims : a.length < dims) {
    throw new InvalidArgumentError('DIMENSION_MISMATCH', `${who(owner, channel)} has ${a.length} values but the channel has ${dims} dimensions${tail(owner)}`);
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (!Number.isFinite(x)) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)}: value ${i} is ${x}; vectors must be finite${tail(owner)}`);
    if (i < dims) s += x * x;
  }
  if (s === 0) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)} is all zeros in the channel's ${dims} dimensions and cannot be normalised${tail(owner)}`);
  if (a.length === dims && Math.abs(s - 1) < 1e-6) return a;
  const out = a.slice(0, dims);
  const n = Math.sqrt(s);
  for (let i = 0; i < dims; i++) out[i]! /= n;
  return out;
}

/**
 * A sparse vector `{ ids, weights }` (or `{ indices, values }`, Qdrant's names): uint32 ids,
 * finite weights ≥ 0; returned with ids ascending, duplicates refused.
 */
export function sparseValue(v: unknown, owner: Owner, channel: string): SparseValue {
  const o = v as { ids?: unknown; weights?: unknown; indices?: unknown; values?: unknown } | null;
  const rawIds = o?.ids ?? o?.indices;
  const rawW = o?.weights ?? o?.values;
  const ids = rawIds instanceof Uint32Array ? rawIds : Array.isArray(rawIds) && rawIds.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff) ? Uint32Array.from(rawIds as number[]) : null;
  const weights = numbers(rawW);
  if (!o || typeof o !== 'object' || !ids || !weights) {
    throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)} must be { ids: uint32 integers, weights: numbers }${tail(owner)}`);
  }
  if (ids.length !== weights.length) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)}: ids (${ids.length}) and weights (${weights.length}) differ in length${tail(owner)}`);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!Number.isFinite(w) || w < 0) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)}: weight ${i} is ${w}; sparse weights must be finite and ≥ 0${tail(owner)}`);
  }
  let sorted = true;
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) sorted = false;
  if (sorted) return { ids, weights };
  const order = Array.from(ids.keys()).sort((a, b) => ids[a]! - ids[b]!);
  const out = { ids: new Uint32Array(ids.length), weights: new Float32Array(ids.length) };
  order.forEach((p, i) => {
    out.ids[i] = ids[p]!;
    out.weights[i] = weights[p]!;
    if (i > 0 && out.ids[i] === out.ids[i - 1]) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)}: token id ${ids[p]} appears twice${tail(owner)}`);
  });
  return out;
}

/**
 * Token vectors `{ data, dim, count }` or an array of rows, `dim` values each, finite.
 */
export function multiVectorValue(v: unknown, dim: number, owner: Owner, channel: string): MultiVectorValue {
  let m: MultiVectorValue | null = null;
  if (Array.isArray(v)) {
    const rows = v.map(numbers);
    if (rows.every((r): r is Float32Array => r !== null && r.length === dim)) {
      const data = new Float32Array(rows.length * dim);
      rows.forEach((r, i) => {
        data.set(r, i * dim);
      });
      m = { data, dim, count: rows.length };
    } else {
      throw new InvalidArgumentError('DIMENSION_MISMATCH', `${who(owner, channel)}: every token vector must have ${dim} numbers${tail(owner)}`);
    }
  } else if (v && typeof v === 'object') {
    const o = v as MultiVectorValue;
    const data = numbers(o.data);
    if (data && Number.isInteger(o.count) && Number.isInteger(o.dim)) m = { ...o, data };
  }
  if (!m) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)} must be { data, dim, count } or an array of token vectors${tail(owner)}`);
  if (m.dim !== dim || m.data.length !== m.count * m.dim) {
    throw new InvalidArgumentError('DIMENSION_MISMATCH', `${who(owner, channel)}: token vectors are ${m.count}×${m.dim} (${m.data.length} values) but the channel has ${dim} dimensions${tail(owner)}`);
  }
  for (let t = 0; t < m.count; t++) {
    let s = 0;
    for (let i = t * dim; i < (t + 1) * dim; i++) {
      const x = m.data[i]!;
      if (!Number.isFinite(x)) throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)}: value ${i} is ${x}; vectors must be finite${tail(owner)}`);
      s += x * x;
    }
    // document vectors are stored normalised: a zero vector cannot be
    if (s === 0 && owner !== 'query') throw new InvalidArgumentError('INVALID_VECTOR', `${who(owner, channel)}: token vector ${t} is all zeros and cannot be normalised; drop padding vectors${tail(owner)}`);
  }
  return m;
}
