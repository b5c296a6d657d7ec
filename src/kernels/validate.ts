/**
 * Argument checks for the TS kernels. The native shim (native/addon.cc) performs the same
 * checks in C++ and reports the same codes, so both backends reject the same inputs:
 * - a query whose length is not `qCount × dim` (or `dim` for dots): DIMENSION_MISMATCH;
 * - anything else (wrong array type, non-integer sizes, length mismatch between starts,
 *   counts and out, a candidate or row id outside the arena, missing scales): INVALID_ARGUMENT.
 */
import { invalid } from '../errors.js';

type Ctor = { new (...a: never[]): unknown; name: string };

function checkType(op: string, name: string, v: unknown, ctor: Ctor): void {
  if (!(v instanceof ctor)) invalid('INVALID_ARGUMENT', `${op}: ${name} must be a ${ctor.name}`);
}

function checkCount(op: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min || v > 0xffffffff) {
    invalid('INVALID_ARGUMENT', `${op}: ${name} must be an integer >= ${min}, got ${v}`);
  }
}

/**
 * Validates a MaxSim call; returns the number of vectors the arena holds.
 *
 * @example
 * ```ts
 * checkMaxsim('maxsimF32', query, qCount, dim, docs, Float32Array, starts, counts, out);
 * ```
 */
export function checkMaxsim(op: string, query: Float32Array, qCount: number, dim: number, docs: unknown, docsCtor: Ctor, starts: Uint32Array, counts: Uint32Array, out: Float32Array, scales?: Float32Array): number {
  checkType(op, 'query', query, Float32Array);
  checkType(op, 'docs', docs, docsCtor);
  checkType(op, 'starts', starts, Uint32Array);
  checkType(op, 'counts', counts, Uint32Array);
  checkType(op, 'out', out, Float32Array);
  checkCount(op, 'dim', dim, 1);
  checkCount(op, 'qCount', qCount, 0);
  if (query.length !== qCount * dim) {
    invalid('DIMENSION_MISMATCH', `${op}: query has ${query.length} values, expected qCount × dim = ${qCount} × ${dim}`);
  }
  if (starts.length !== counts.length || out.length !== starts.length) {
    invalid('INVALID_ARGUMENT', `${op}: starts (${starts.length}), counts (${counts.length}) and out (${out.length}) must have the same length`);
  }
  let vectors = Math.floor((docs as { length: number }).length / dim);
  if (scales !== undefined) {
    checkType(op, 'docScales', scales, Float32Array);
    vectors = Math.min(vectors, scales.length);
  }
  for (let i = 0; i < starts.length; i++) {
    if (starts[i]! + counts[i]! > vectors) {
      invalid('INVALID_ARGUMENT', `${op}: candidate ${i} (start ${starts[i]}, count ${counts[i]}) lies outside the arena of ${vectors} vectors`);
    }
  }
  return vectors;
}

/**
 * Validates a screened MaxSim call (the sidecar must be an Int8Array and a Float32Array that
 * cover every candidate vector: dim bytes and SCREEN_STATS (6) stats floats per vector); returns the number
 * of vectors usable.
 *
 * @example
 * ```ts
 * checkMaxsimScreen('maxsimF32Screen', query, qCount, dim, docs, Float32Array, screenI8, screenStats, starts, counts, out);
 * ```
 */
export function checkMaxsimScreen(op: string, query: Float32Array, qCount: number, dim: number, docs: unknown, docsCtor: Ctor, screenI8: Int8Array, screenStats: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): number {
  checkType(op, 'screenI8', screenI8, Int8Array);
  checkType(op, 'screenStats', screenStats, Float32Array);
  checkCount(op, 'dim', dim, 1);
  checkMaxsim(op, query, qCount, dim, docs, docsCtor, starts, counts, out);
  const covered = Math.min(Math.floor(screenI8.length / dim), Math.floor(screenStats.length / 6));
  for (let i = 0; i < starts.length; i++) {
    if (starts[i]! + counts[i]! > covered) {
      invalid('INVALID_ARGUMENT', `${op}: candidate ${i} (start ${starts[i]}, count ${counts[i]}) lies outside the screening sidecar of ${covered} vectors; rebuild the sidecar after appending`);
    }
  }
  return covered;
}

/**
 * Validates a batched dot-product call; returns the number of rows available.
 *
 * @example
 * ```ts
 * checkDots('dotsF32', query, dim, rows, Float32Array, null, out);
 * ```
 */
export function checkDots(op: string, query: Float32Array, dim: number, rows: unknown, rowsCtor: Ctor, rowIds: Uint32Array | null, out: Float32Array, scales?: Float32Array): number {
  checkType(op, 'query', query, Float32Array);
  checkType(op, 'rows', rows, rowsCtor);
  checkType(op, 'out', out, Float32Array);
  checkCount(op, 'dim', dim, 1);
  if (query.length !== dim) invalid('DIMENSION_MISMATCH', `${op}: query has ${query.length} values, expected dim = ${dim}`);
  let n = Math.floor((rows as { length: number }).length / dim);
  if (scales !== undefined) {
    checkType(op, 'rowScales', scales, Float32Array);
    n = Math.min(n, scales.length);
  }
  if (rowIds === null) {
    if (out.length > n) invalid('INVALID_ARGUMENT', `${op}: out asks for ${out.length} rows but only ${n} are available`);
  } else {
    checkType(op, 'rowIds', rowIds, Uint32Array);
    if (rowIds.length !== out.length) invalid('INVALID_ARGUMENT', `${op}: rowIds (${rowIds.length}) and out (${out.length}) must have the same length`);
    for (let i = 0; i < rowIds.length; i++) {
      if (rowIds[i]! >= n) invalid('INVALID_ARGUMENT', `${op}: rowIds[${i}] = ${rowIds[i]} is outside the ${n} available rows`);
    }
  }
  return n;
}

/**
 * Checks the optional per-vector int8 sums of an i8 arena (one Int32Array value per vector).
 *
 * @example
 * ```ts
 * checkDocSums('maxsimI8', sums, docs, 1024);
 * ```
 */
export function checkDocSums(op: string, docSums: unknown, docs: Int8Array, dim: number): void {
  if (docSums === undefined || docSums === null) return;
  if (!(docSums instanceof Int32Array)) invalid('INVALID_ARGUMENT', `${op}: docSums must be an Int32Array (or omitted)`);
  const rows = Math.floor(docs.length / dim);
  if (docSums.length !== rows) invalid('INVALID_ARGUMENT', `${op}: docSums must hold one sum per document vector (${rows}), got ${docSums.length}`);
}
