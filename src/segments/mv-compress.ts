/**
 * Compression of a multi-vector segment's token vectors (dtypes `binary` and `residual`,
 * src/multivector/codec.ts), streaming document by document so no f32 copy of the whole
 * segment is ever held:
 * - `binary`: sign bits, no codebook (a merge copies the codes: lossless).
 * - `residual`: every segment trains its own codebook on a sample of its own (normalised) token
 *   vectors — at commit the documents' vectors, at a merge the sources' vectors decoded from
 *   their codes (the original floats are gone) — and encodes every vector with it. The sample is
 *   up to max(64·k, 16384) vectors evenly spaced over the segment (deterministic), k =
 *   `centroids` or defaultCentroids(vectors).
 */
import { codesBytes, type CodeBits } from '../kernels/codes.js';
import { defaultCentroids, encodeBinary, encodeResidual, trainResidual, type ResidualCodebook } from '../multivector/codec.js';

/** A compressed segment's vectors in file order. */
export interface MvCodesRaw {
  codes: Uint8Array;
  /** Residual: centroid id of each vector. */
  cids: Uint16Array | null;
  /** Residual: inverse decoded norm of each vector. */
  norms: Float32Array | null;
  /** Residual: the segment's codebook (null when it holds no vector). */
  codebook: ResidualCodebook | null;
  tokens: Uint32Array;
  spans: Uint32Array;
}

/** Settings of a compressed channel. */
export interface CompressConfig {
  dim: number;
  dtype: 'binary' | 'residual';
  bits: CodeBits;
  /** Residual: centroids per segment (default defaultCentroids(vectors)). */
  centroids?: number;
}

/**
 * Compresses a segment's documents: document d owns vectors [vstart[d], vstart[d+1]);
 * `rowsOf(d)` returns its normalised f32 rows (count × dim; may be a reused buffer).
 * Token ids and spans are filled by the caller.
 *
 * @example
 * ```ts
 * const raw = compressDocs(cfg, vstart, (d) => rows[d]);
 * ```
 */
export function compressDocs(cfg: CompressConfig, vstart: Uint32Array, rowsOf: (d: number) => Float32Array): MvCodesRaw {
  const nd = vstart.length - 1;
  const nv = vstart[nd]!;
  const { dim } = cfg;
  const bits = cfg.dtype === 'binary' ? 1 : cfg.bits;
  const bytes = codesBytes(dim, bits);
  const codes = new Uint8Array(nv * bytes);
  const out: MvCodesRaw = { codes, cids: null, norms: null, codebook: null, tokens: new Uint32Array(nv), spans: new Uint32Array(2 * nv) };
  if (cfg.dtype === 'binary') {
    for (let d = 0; d < nd; d++) encodeBinary(rowsOf(d), vstart[d + 1]! - vstart[d]!, dim, codes, vstart[d]! * bytes);
    return out;
  }
  out.cids = new Uint16Array(nv);
  out.norms = new Float32Array(nv);
  if (nv === 0) return out;
  const k = Math.min(cfg.centroids ?? defaultCentroids(nv), nv, 65536);
  // training sample: m vectors evenly spaced over the segment
  const m = Math.min(nv, Math.max(64 * k, 16384));
  const sample = new Float32Array(m * dim);
  let next = 0; // next sample index
  for (let d = 0; d < nd && next < m; d++) {
    const a = vstart[d]!;
    const e = vstart[d + 1]!;
    let rows: Float32Array | null = null;
    for (let want = Math.floor((next * nv) / m); next < m && want < e; want = Math.floor((next * nv) / m)) {
      rows ??= rowsOf(d);
      sample.set(rows.subarray((want - a) * dim, (want - a + 1) * dim), next * dim);
      next++;
    }
  }
  const cb = trainResidual(sample, m, dim, { bits, k, sample: m });
  out.codebook = cb;
  for (let d = 0; d < nd; d++) {
    const a = vstart[d]!;
    encodeResidual(cb, rowsOf(d), vstart[d + 1]! - a, codes, a * bytes, out.cids, a, out.norms);
  }
  return out;
}
