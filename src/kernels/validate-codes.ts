/**
 * Argument checks of the compressed-codes MaxSim (TS twin); native/addon.cc MaxsimCodes makes the
 * same checks with the same codes (DIMENSION_MISMATCH for the query length, else INVALID_ARGUMENT).
 */
import { invalid } from '../errors.js';
import { codesBytes } from './codes.js';
import type { Kernels } from './types.js';

function is(op: string, name: string, v: unknown, ctor: { new (...a: never[]): unknown; name: string }): void {
  if (!(v instanceof ctor)) invalid('INVALID_ARGUMENT', `${op}: ${name} must be a ${ctor.name}`);
}

/**
 * Validates a maxsimCodes call (see Kernels.maxsimCodes).
 *
 * @example
 * ```ts
 * checkCodes(query, qCount, dim, codes, 2, table, scale, cids, norms, ct, k, starts, counts, out);
 * ```
 */
export function checkCodes(...args: Parameters<Kernels['maxsimCodes']>): void {
  const [query, qCount, dim, codes, bits, table, scale, cids, norms, ct, k, starts, counts, out, centroids, centroidScales] = args;
  const op = 'maxsimCodes';
  is(op, 'query', query, Float32Array);
  is(op, 'codes', codes, Uint8Array);
  is(op, 'table', table, Int8Array);
  is(op, 'starts', starts, Uint32Array);
  is(op, 'counts', counts, Uint32Array);
  is(op, 'out', out, Float32Array);
  for (const [n, v, min] of [
    ['qCount', qCount, 0],
    ['dim', dim, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min || v > 0xffffffff) invalid('INVALID_ARGUMENT', `${op}: ${n} must be an integer >= ${min}, got ${v}`);
  }
  if (bits !== 1 && bits !== 2 && bits !== 4) invalid('INVALID_ARGUMENT', `${op}: bits must be 1, 2 or 4`);
  if (dim > 65536) invalid('INVALID_ARGUMENT', `${op}: dim ${dim} exceeds 65536 (sums must stay exact)`);
  if (table.length !== 1 << bits) invalid('INVALID_ARGUMENT', `${op}: table must hold 2^bits levels`);
  if (table.includes(-128)) invalid('INVALID_ARGUMENT', `${op}: table levels must lie in [-127, 127]`);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) invalid('INVALID_ARGUMENT', `${op}: scale must be a finite number`);
  const none = (x: unknown) => x === null || x === undefined;
  if (none(cids) !== none(ct) || none(cids) !== none(norms)) invalid('INVALID_ARGUMENT', `${op}: cids, norms and ct come together (all or none)`);
  let vectors = Math.floor(codes.length / codesBytes(dim, bits));
  if (cids !== null) {
    is(op, 'cids', cids, Uint16Array);
    is(op, 'norms', norms, Float32Array);
    is(op, 'ct', ct, Float32Array);
    if (!Number.isInteger(k) || k < 1) invalid('INVALID_ARGUMENT', `${op}: k must be an integer >= 1`);
    if (ct!.length !== qCount * k) invalid('INVALID_ARGUMENT', `${op}: ct must hold qCount x k values`);
    vectors = Math.min(vectors, cids.length, norms!.length);
  }
  if (!none(centroids)) {
    if (cids === null) invalid('INVALID_ARGUMENT', `${op}: centroids need cids, norms and ct (the table to fill)`);
    is(op, 'centroids', centroids, Int8Array);
    is(op, 'centroidScales', centroidScales, Float32Array);
    if (centroids!.length !== k * dim || centroidScales!.length !== k) invalid('INVALID_ARGUMENT', `${op}: centroids must hold k x dim values and centroidScales k`);
  }
  if (query.length !== qCount * dim) invalid('DIMENSION_MISMATCH', `${op}: query has ${query.length} values, expected qCount x dim = ${qCount} x ${dim}`);
  if (starts.length !== counts.length || out.length !== starts.length) invalid('INVALID_ARGUMENT', `${op}: starts, counts and out must have the same length`);
  for (let i = 0; i < starts.length; i++) {
    if (starts[i]! + counts[i]! > vectors) invalid('INVALID_ARGUMENT', `${op}: candidate ${i} (start ${starts[i]}, count ${counts[i]}) lies outside the arena of ${vectors} vectors`);
  }
  if (cids !== null) {
    for (let i = 0; i < starts.length; i++) {
      for (let v = starts[i]!; v < starts[i]! + counts[i]!; v++) {
        if (cids[v]! >= k) invalid('INVALID_ARGUMENT', `${op}: centroid id ${cids[v]} of vector ${v} is not below k = ${k}`);
      }
    }
  }
}
