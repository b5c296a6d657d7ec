/**
 * Multi-vector channel of a segment: the token-vector arena in a segment file (kind `mvec`,
 * payload version 1), MaxSim computed by the kernels straight from the mapping.
 *
 * Sections (little-endian, page-aligned by the container, so vector rows start on a page):
 * ```
 * meta     u32 docs · u32 vectors · u32 dim · u32 dtype (0 f32, 1 f16, 2 i8)
 * docids   u32[docs]          global ids, strictly ascending (ordinal = index)
 * vstart   u32[docs + 1]      0 … vectors, non-decreasing: document d owns vectors [vstart[d], vstart[d+1])
 * vectors  dtype[vectors·dim] L2-normalised at add, stored as the MultiVectorStore stores them
 * scales   f32[vectors]       i8 only: one symmetric scale per vector
 * sums     i32[vectors]       i8 only: Σ of each vector's values (the kernel's bias correction)
 * tokens   u32[vectors]       encoder token ids (0xffffffff = none)
 * spans    u32[2·vectors]     character spans (0xffffffff = none)
 * ```
 * Checked when opened: meta, section sizes, docids, vstart (O(docs)) — everything a kernel
 * needs to stay inside the arena. Checked on first touch of the arena (first MaxSim or
 * verify()): the CRCs of vectors, scales and sums, every scale finite, every sum recomputed. Token ids and spans are
 * only read for explanations and are checked by verify().
 */
import { StorageError } from '../errors.js';
import { rowSumsI8 } from '../kernels/f16.js';
import { kernels } from '../kernels/index.js';
import { Arena } from '../multivector/arena.js';
import { poolDoc } from '../multivector/pool.js';
import type { MultiVector, DenseMvDtype as MvDtype } from '../multivector/types.js';
import { checkDoc } from '../multivector/validate.js';
import { bytesOf } from '../store/binary-file.js';
import type { MapOptions } from '../store/mmap.js';
import { SegmentFile, writeSegmentFile } from './container.js';
import { indexOfSorted } from './sorted.js';

/** Payload version of multi-vector segment files. */
export const MV_SEGMENT_VERSION = 1;
const KIND = 'mvec';
const DTYPES: readonly MvDtype[] = ['f32', 'f16', 'i8'];

/** Settings of a multi-vector channel. */
export interface MvChannelConfig {
  dim: number;
  /** Segments hold f32 / f16 / i8 token vectors (the compressed dtypes are not in the segment format yet). */
  dtype: MvDtype;
}

/**
 * Normalises and quantises documents exactly as MultiVectorStore.add does (no pooling) into
 * an arena; ids must be ascending. Internal (segment writes and merges).
 */
export function buildArena(cfg: MvChannelConfig, docs: readonly MultiVector[]): { arena: Arena; vstart: Uint32Array } {
  const arena = new Arena(cfg.dim, cfg.dtype, 16);
  const vstart = new Uint32Array(docs.length + 1);
  docs.forEach((mv, i) => {
    const d = poolDoc(checkDoc(mv, cfg.dim, 'segment write'), cfg.dim, 1);
    arena.append(d.data, d.count, d.tokenIds, d.spans);
    vstart[i + 1] = arena.used;
  });
  return { arena, vstart };
}

/** A segment's vectors in file order: what {@link writeMvSegment} writes. */
export interface MvRaw {
  vectors: Float32Array | Uint16Array | Int8Array;
  scales: Float32Array | null;
  tokens: Uint32Array;
  spans: Uint32Array;
}

/** Σ of each i8 vector's values (the MaxSim kernel's bias correction). */
function i8Sums(vectors: Int8Array, dim: number): Int32Array {
  const n = vectors.length / dim;
  const out = new Int32Array(n);
  rowSumsI8(vectors, dim, 0, n, out);
  return out;
}

/** The raw arrays of an arena built by {@link buildArena}. */
export function rawOf(arena: Arena): MvRaw {
  const nv = arena.used;
  const { vectors, scales } = arena.raw(0, nv);
  return { vectors, scales, tokens: arena.tokens.subarray(0, nv), spans: arena.spans.subarray(0, 2 * nv) };
}

/**
 * Writes one multi-vector segment file: documents `ids` (ascending), document d owning
 * vectors [vstart[d], vstart[d+1]) of `raw`. Returns the file's byte length.
 *
 * @example
 * ```ts
 * const { arena, vstart } = buildArena(cfg, docs);
 * await writeMvSegment(path, cfg, ids, vstart, rawOf(arena));
 * ```
 */
export async function writeMvSegment(file: string, cfg: MvChannelConfig, ids: Uint32Array, vstart: Uint32Array, raw: MvRaw): Promise<number> {
  const nv = vstart[ids.length]!;
  const meta = new DataView(new ArrayBuffer(16));
  meta.setUint32(0, ids.length, true);
  meta.setUint32(4, nv, true);
  meta.setUint32(8, cfg.dim, true);
  meta.setUint32(12, DTYPES.indexOf(cfg.dtype), true);
  const sections = [
    { name: 'meta', data: new Uint8Array(meta.buffer) },
    { name: 'docids', data: bytesOf(ids) },
    { name: 'vstart', data: bytesOf(vstart) },
    { name: 'vectors', data: bytesOf(raw.vectors) },
    ...(raw.scales
      ? [
          { name: 'scales', data: bytesOf(raw.scales) },
          { name: 'sums', data: bytesOf(i8Sums(raw.vectors as Int8Array, cfg.dim)) },
        ]
      : []),
    { name: 'tokens', data: bytesOf(raw.tokens) },
    { name: 'spans', data: bytesOf(raw.spans) },
  ];
  return writeSegmentFile(file, KIND, MV_SEGMENT_VERSION, sections);
}

/**
 * A read-only multi-vector segment over a mapped file. Internal to the segmented store.
 *
 * @example
 * ```ts
 * const seg = await MvSegment.open(path, { dim: 64, dtype: 'i8' });
 * seg.maxsim(q, qCount, ordinals, out);
 * ```
 */
export class MvSegment {
  readonly file: SegmentFile;
  readonly cfg: MvChannelConfig;
  readonly docs: number;
  readonly vectors: number;
  readonly docids: Uint32Array;
  readonly vstart: Uint32Array;
  #arena: { vectors: Float32Array | Uint16Array | Int8Array; scales: Float32Array | null; sums: Int32Array | null } | null = null;

  private constructor(file: SegmentFile, cfg: MvChannelConfig, docs: number, vectors: number) {
    this.file = file;
    this.cfg = cfg;
    this.docs = docs;
    this.vectors = vectors;
    this.docids = file.view('docids', Uint32Array, docs);
    this.vstart = file.view('vstart', Uint32Array, docs + 1);
    const n = vectors * cfg.dim;
    if (!Number.isSafeInteger(n)) this.#bad('meta', `${vectors} vectors × ${cfg.dim}`);
    if (cfg.dtype === 'f32') file.view('vectors', Float32Array, n, false);
    else if (cfg.dtype === 'f16') file.view('vectors', Uint16Array, n, false);
    else {
      file.view('vectors', Int8Array, n, false);
      file.view('scales', Float32Array, vectors, false);
      file.view('sums', Int32Array, vectors, false);
    }
    file.view('tokens', Uint32Array, vectors, false);
    file.view('spans', Uint32Array, 2 * vectors, false);
    if (this.vstart[0] !== 0 || this.vstart[docs] !== vectors) this.#bad('vstart', 'vector starts do not span the vectors');
    for (let d = 0; d < docs; d++) {
      if (d > 0 && this.docids[d]! <= this.docids[d - 1]!) this.#bad('docids', `ids not strictly ascending at ordinal ${d}`);
      if (this.vstart[d + 1]! < this.vstart[d]!) this.#bad('vstart', `decreasing at ordinal ${d}`);
    }
  }

  /**
   * Opens a multi-vector segment file with the channel's dim and dtype (CORRUPT_FILE when the
   * file says otherwise or a check fails).
   *
   * @example
   * ```ts
   * const seg = await MvSegment.open('/idx/seg-000001.mvec', { dim: 64, dtype: 'i8' });
   * ```
   */
  static async open(path: string, cfg: MvChannelConfig, opts: MapOptions = {}): Promise<MvSegment> {
    const file = await SegmentFile.open(path, KIND, MV_SEGMENT_VERSION, opts);
    try {
      const m = file.view('meta', Uint8Array, 16);
      const dv = new DataView(m.buffer, m.byteOffset, 16);
      if (dv.getUint32(8, true) !== cfg.dim || DTYPES[dv.getUint32(12, true)] !== cfg.dtype) {
        throw new StorageError('CORRUPT_FILE', `${path}: section 'meta' says ${dv.getUint32(8, true)}-d ${DTYPES[dv.getUint32(12, true)] ?? 'unknown dtype'}, the index is ${cfg.dim}-d ${cfg.dtype}; restore it from a backup or rebuild the index`, { file: path });
      }
      return new MvSegment(file, cfg, dv.getUint32(0, true), dv.getUint32(4, true));
    } catch (e) {
      file.close();
      throw e;
    }
  }

  #bad(section: string, msg: string): never {
    throw new StorageError('CORRUPT_FILE', `${this.file.file}: section '${section}' is corrupt: ${msg}; restore it from a backup or rebuild the index`, { file: this.file.file });
  }

  /** Ordinal of a global id (binary search), -1 when absent. */
  ordinalOf(id: number): number {
    return indexOfSorted(this.docids, id);
  }

  /** The arena views, checked on first touch (CRCs of vectors, scales, sums; scales finite; sums recomputed). */
  arena(): { vectors: Float32Array | Uint16Array | Int8Array; scales: Float32Array | null; sums: Int32Array | null } {
    if (this.#arena === null) {
      const n = this.vectors * this.cfg.dim;
      const f = this.file;
      const vectors = this.cfg.dtype === 'f32' ? f.view('vectors', Float32Array, n) : this.cfg.dtype === 'f16' ? f.view('vectors', Uint16Array, n) : f.view('vectors', Int8Array, n);
      const scales = this.cfg.dtype === 'i8' ? f.view('scales', Float32Array, this.vectors) : null;
      if (scales) for (let v = 0; v < scales.length; v++) if (!Number.isFinite(scales[v]!) || scales[v]! < 0) this.#bad('scales', `scale ${scales[v]} of vector ${v}`);
      const sums = this.cfg.dtype === 'i8' ? f.view('sums', Int32Array, this.vectors) : null;
      if (sums) {
        const d = this.cfg.dim;
        const i8 = vectors as Int8Array;
        for (let v = 0; v < this.vectors; v++) {
          let t = 0;
          for (let k = v * d, e = k + d; k < e; k++) t += i8[k]!;
          if (t !== sums[v]) this.#bad('sums', `sum ${sums[v]} of vector ${v}, its values sum to ${t}`);
        }
      }
      f.mapping.check();
      this.#arena = { vectors, scales, sums };
    }
    return this.#arena;
  }

  /**
   * `out[i] = MaxSim(query, document ordinals[i])`: one kernel call over the mapped arena.
   * Ordinals must be < docs (the caller's own values).
   */
  maxsim(query: Float32Array, qCount: number, ordinals: Uint32Array, out: Float32Array): void {
    const n = ordinals.length;
    if (n === 0) return;
    const starts = new Uint32Array(n);
    const counts = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const o = ordinals[i]!;
      starts[i] = this.vstart[o]!;
      counts[i] = this.vstart[o + 1]! - starts[i]!;
    }
    const { vectors, scales, sums } = this.arena();
    const d = this.cfg.dim;
    if (this.cfg.dtype === 'f32') kernels.maxsimF32(query, qCount, d, vectors as Float32Array, starts, counts, out);
    else if (this.cfg.dtype === 'f16') kernels.maxsimF16(query, qCount, d, vectors as Uint16Array, starts, counts, out);
    else kernels.maxsimI8(query, qCount, d, vectors as Int8Array, scales!, starts, counts, out, sums);
    this.file.mapping.check();
  }

  /** Token ids and spans (checked on first touch; any value is valid). */
  extras(): { tokens: Uint32Array; spans: Uint32Array } {
    return { tokens: this.file.view('tokens', Uint32Array, this.vectors), spans: this.file.view('spans', Uint32Array, 2 * this.vectors) };
  }

  /** Checks every section's checksum and the arena. */
  verify(): void {
    this.file.verify();
    this.arena();
  }

  close(): void {
    this.file.close();
  }
}
