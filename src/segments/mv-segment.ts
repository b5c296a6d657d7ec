/**
 * Multi-vector channel of a segment: the token-vector arena in a segment file (kind `mvec`,
 * payload version 1 for f32 / f16 / i8, version 2 for the compressed dtypes `binary` and
 * `residual`), MaxSim computed by the kernels straight from the mapping.
 *
 * Sections (little-endian, page-aligned by the container, so vector rows start on a page):
 * ```
 * meta     u32 docs · u32 vectors · u32 dim · u32 dtype (0 f32, 1 f16, 2 i8)
 * docids   u32[docs]          global ids, strictly ascending (ordinal = index)
 * vstart   u32[docs + 1]      0 … vectors, non-decreasing: document d owns vectors [vstart[d], vstart[d+1])
 * vectors  dtype[vectors·dim] L2-normalised at add, stored as the MultiVectorStore stores them
 * scales   f32[vectors]       i8 only: one symmetric scale per vector
 * sums     i32[vectors]       i8 only: Σ of each vector's values (the kernel's bias correction)
 * scri8    i8[vectors·dim]    f32 / f16, optional: the int8 screening image of each vector
 * scrstat  f32[6·vectors]     with scri8: its 6 stats floats per vector (src/kernels/screen.ts)
 * tokens   u32[vectors]       encoder token ids (0xffffffff = none)
 * spans    u32[2·vectors]     character spans (0xffffffff = none)
 * ```
 * The screening sections (written when the channel screens, see SegmentedOpenOptions.mvScreening)
 * are the sidecar the default storage builds in memory at open (kernels/screen.ts): with them
 * MaxSim runs the exact screened kernels (maxsimF32Screen / maxsimF16Screen, the same scores as
 * the plain ones) from the mapping; version-1 readers that predate them ignore them.
 * Version 2 (binary / residual; src/kernels/codes.ts layout, src/multivector/codec.ts codecs):
 * ```
 * meta     u32 docs · u32 vectors · u32 dim · u32 dtype (3 binary, 4 residual) · u32 bits · u32 k
 * docids, vstart      as version 1
 * codes    u8[vectors · codesBytes(dim, bits)]
 * cids     u16[vectors]       residual: nearest centroid id (< k)
 * norms    f32[vectors]       residual: inverse norm of the decoded vector (finite > 0)
 * codebook                    residual with vectors > 0: serializeCodebook (src/multivector/persist.ts)
 * tokens, spans       as version 1
 * ```
 * Checked when opened: meta, section sizes, docids, vstart (O(docs)) — everything a kernel
 * needs to stay inside the arena. Checked on the first touch of a document (the first MaxSim
 * that scores it): the checksum blocks its rows lie in (vectors, scales, sums; codes, cids,
 * norms — SegmentFile.ensure; whole sections in a file without block checksums), every scale
 * finite, every sum recomputed, every centroid id < k, every inverse norm finite > 0, the
 * screening rows' checksum blocks; the
 * codebook whole on the first MaxSim of a residual segment. arena() / codes() (merges, decoding)
 * and verify() check everything. Token ids and spans are only read for explanations and are
 * checked whole on their first read.
 */
import { StorageError } from '../errors.js';
import { f16ToF32, rowSumsI8 } from '../kernels/f16.js';
import { kernels } from '../kernels/index.js';
import { buildScreen, SCREEN_STATS } from '../kernels/screen.js';
import { Arena } from '../multivector/arena.js';
import { poolDoc } from '../multivector/pool.js';
import { codesBytes, type CodeBits } from '../kernels/codes.js';
import { binaryLevels, decodeVector, type ResidualCodebook } from '../multivector/codec.js';
import { buildLists, type CentroidLists } from '../multivector/first-stage.js';
import { parseCodebook, serializeCodebook } from '../multivector/persist.js';
import type { DenseMvDtype, MultiVector, MvDtype } from '../multivector/types.js';
import { checkDoc } from '../multivector/validate.js';
import { bytesOf } from '../store/binary-file.js';
import type { StoreFs } from '../store/fs-seam.js';
import type { MapOptions } from '../store/mmap.js';
import { SegmentFile, writeSegmentFile } from './container.js';
import { compressDocs, type MvCodesRaw } from './mv-compress.js';
import { indexOfSorted } from './sorted.js';

/** Payload version of multi-vector segment files written for the compressed dtypes (f32 / f16 / i8 still write 1). */
export const MV_SEGMENT_VERSION = 2;
/** Payload versions this build reads. */
export const MV_SEGMENT_READABLE = [1, 2] as const;
const KIND = 'mvec';
const DTYPES: readonly MvDtype[] = ['f32', 'f16', 'i8', 'binary', 'residual'];

/** Settings of a multi-vector channel. */
export interface MvChannelConfig {
  dim: number;
  /** f32 / f16 / i8 (version-1 files) or the compressed binary / residual (version 2). */
  dtype: MvDtype;
  /** Residual: bits per dimension of the residual codes, 1 | 2 | 4 (default 2); binary: 1. */
  bits?: CodeBits;
  /** Residual: centroids per segment codebook (default defaultCentroids(segment's vectors)). */
  centroids?: number;
}

/** True for the compressed dtypes. */
export function isCompressed(cfg: MvChannelConfig): cfg is MvChannelConfig & { dtype: 'binary' | 'residual' } {
  return cfg.dtype === 'binary' || cfg.dtype === 'residual';
}

/** Bits per dimension of a channel's codes (binary 1, residual cfg.bits ?? 2). */
export function bitsOf(cfg: MvChannelConfig): CodeBits {
  return cfg.dtype === 'binary' ? 1 : (cfg.bits ?? 2);
}

/**
 * Validates and compresses documents (ascending ids) for a compressed channel: normalised as
 * MultiVectorStore.add does, then codes (residual: a codebook trained on this segment's sample).
 */
export function buildCodes(cfg: MvChannelConfig & { dtype: 'binary' | 'residual' }, docs: readonly MultiVector[]): { vstart: Uint32Array; raw: MvCodesRaw } {
  const checked = docs.map((mv) => checkDoc(mv, cfg.dim, 'segment write'));
  const vstart = new Uint32Array(docs.length + 1);
  checked.forEach((d, i) => {
    vstart[i + 1] = vstart[i]! + d.count;
  });
  const raw = compressDocs({ dim: cfg.dim, dtype: cfg.dtype, bits: bitsOf(cfg), ...(cfg.centroids !== undefined ? { centroids: cfg.centroids } : {}) }, vstart, (d) => checked[d]!.data);
  checked.forEach((d, i) => {
    raw.tokens.set(d.tokenIds.subarray(0, d.count), vstart[i]!);
    raw.spans.set(d.spans.subarray(0, 2 * d.count), 2 * vstart[i]!);
  });
  return { vstart, raw };
}

/**
 * True when `st` holds a document's rows as a store of this channel's (uncompressed) dtype and
 * dimensions holds them, `mv.count` of them: such rows are copied as stored (they were checked,
 * normalised and quantised by that store), not derived from `mv` again.
 *
 * @example
 * ```ts
 * if (storedFits(doc.multivectorStored, doc.multivector, cfg)) arena.appendRaw(st.arena, st.start, st.count);
 * ```
 */
export function storedFits(st: StoredVectors | undefined, mv: { count: number }, cfg: { dim: number; dtype: string }): st is StoredVectors {
  return st !== undefined && st !== null && (cfg.dtype === 'f32' || cfg.dtype === 'f16' || cfg.dtype === 'i8') && st.arena.dtype === cfg.dtype && st.arena.dim === cfg.dim && st.count === mv.count;
}

/**
 * Normalises and quantises documents exactly as MultiVectorStore.add does (no pooling) into
 * an arena; ids must be ascending. Internal (segment writes and merges).
 */
export function buildArena(cfg: { dim: number; dtype: DenseMvDtype }, docs: readonly MultiVector[], stored?: ReadonlyArray<StoredVectors | undefined>): { arena: Arena; vstart: Uint32Array } {
  // sized once: every document reaching here was checked (SegmentedStore.add), its count too
  let total = 0;
  for (const mv of docs) total += mv.count;
  const arena = new Arena(cfg.dim, cfg.dtype, total);
  const vstart = new Uint32Array(docs.length + 1);
  // consecutive stored rows (a tail compacted in id order) are copied as one run
  let run: StoredVectors | null = null;
  const flush = () => {
    if (run !== null) arena.appendRaw(run.arena, run.start, run.count);
    run = null;
  };
  docs.forEach((mv, i) => {
    const st = stored?.[i];
    // vectors a store of this dtype already holds normalised and quantised: copied as stored
    if (storedFits(st, mv, cfg)) {
      if (run !== null && run.arena === st.arena && run.start + run.count === st.start) run.count += st.count;
      else {
        flush();
        run = { arena: st.arena, start: st.start, count: st.count };
      }
    } else {
      flush();
      const d = poolDoc(checkDoc(mv, cfg.dim, 'segment write'), cfg.dim, 1);
      arena.append(d.data, d.count, d.tokenIds, d.spans);
    }
    vstart[i + 1] = arena.used + (run === null ? 0 : (run as StoredVectors).count);
  });
  flush();
  return { arena, vstart };
}

/** A document's vectors as a MultiVectorStore holds them (MultiVectorStore.storedRange). */
export interface StoredVectors {
  arena: Arena;
  start: number;
  count: number;
}

/** A segment's vectors in file order: what {@link writeMvSegment} writes. */
export interface MvRaw {
  vectors: Float32Array | Uint16Array | Int8Array;
  scales: Float32Array | null;
  /** i8: each vector's sum, when known (else computed at write). */
  sums?: Int32Array;
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
  return { vectors, scales, ...(arena.sums !== null ? { sums: arena.sums.subarray(0, nv) } : {}), tokens: arena.tokens.subarray(0, nv), spans: arena.spans.subarray(0, 2 * nv) };
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
export async function writeMvSegment(file: string, cfg: MvChannelConfig, ids: Uint32Array, vstart: Uint32Array, raw: MvRaw | MvCodesRaw, fs?: StoreFs, screen = false): Promise<number> {
  if ('codes' in raw) return writeCodesSegment(file, cfg, ids, vstart, raw, fs);
  const nv = vstart[ids.length]!;
  // the screening sidecar of f32 / f16 vectors (as Arena builds it), when the channel screens
  let screenI8: Int8Array | null = null;
  let screenStats: Float32Array | null = null;
  if (screen && (cfg.dtype === 'f32' || cfg.dtype === 'f16')) {
    screenI8 = new Int8Array(nv * cfg.dim);
    screenStats = new Float32Array(nv * SCREEN_STATS);
    buildScreen(raw.vectors as Float32Array | Uint16Array, cfg.dim, 0, nv, screenI8, screenStats);
  }
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
          { name: 'sums', data: bytesOf((raw as MvRaw).sums ?? i8Sums(raw.vectors as Int8Array, cfg.dim)) },
        ]
      : []),
    ...(screenI8 !== null && screenStats !== null
      ? [
          { name: 'scri8', data: bytesOf(screenI8) },
          { name: 'scrstat', data: bytesOf(screenStats) },
        ]
      : []),
    { name: 'tokens', data: bytesOf(raw.tokens) },
    { name: 'spans', data: bytesOf(raw.spans) },
  ];
  return writeSegmentFile(file, KIND, 1, sections, fs); // f32 / f16 / i8 stay readable by version-1 readers
}

/** Writes a version-2 (compressed) multi-vector segment file. */
async function writeCodesSegment(file: string, cfg: MvChannelConfig, ids: Uint32Array, vstart: Uint32Array, raw: MvCodesRaw, fs?: StoreFs): Promise<number> {
  const nv = vstart[ids.length]!;
  const cb = raw.codebook;
  const meta = new DataView(new ArrayBuffer(24));
  [ids.length, nv, cfg.dim, DTYPES.indexOf(cfg.dtype), bitsOf(cfg), cb?.k ?? 0].forEach((v, i) => {
    meta.setUint32(4 * i, v, true);
  });
  const sections = [
    { name: 'meta', data: new Uint8Array(meta.buffer) },
    { name: 'docids', data: bytesOf(ids) },
    { name: 'vstart', data: bytesOf(vstart) },
    { name: 'codes', data: raw.codes },
    ...(cfg.dtype === 'residual' ? [{ name: 'cids', data: bytesOf(raw.cids!) }, { name: 'norms', data: bytesOf(raw.norms!) }, ...(cb !== null ? [{ name: 'codebook', data: serializeCodebook(cb) }] : [])] : []),
    { name: 'tokens', data: bytesOf(raw.tokens) },
    { name: 'spans', data: bytesOf(raw.spans) },
  ];
  return writeSegmentFile(file, KIND, MV_SEGMENT_VERSION, sections, fs);
}

/** Mapped views of a segment's arena or codes, not checked (see MvSegment's per-document checks). */
interface RawViews {
  vectors: Float32Array | Uint16Array | Int8Array | null;
  /** f32 / f16 with the screening sections: the int8 images and their stats. */
  screenI8: Int8Array | null;
  screenStats: Float32Array | null;
  scales: Float32Array | null;
  sums: Int32Array | null;
  codes: Uint8Array | null;
  cids: Uint16Array | null;
  norms: Float32Array | null;
}

/** The checked views of a compressed segment's codes. */
export interface MvCodes {
  codes: Uint8Array;
  bits: CodeBits;
  cids: Uint16Array | null;
  norms: Float32Array | null;
  codebook: ResidualCodebook | null;
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
  /** Compressed: bits per dimension of the codes and centroids of the codebook (0 for binary). */
  readonly bits: CodeBits;
  readonly k: number;
  #arena: { vectors: Float32Array | Uint16Array | Int8Array; scales: Float32Array | null; sums: Int32Array | null } | null = null;
  #codes: MvCodes | null = null;
  #lists: CentroidLists | null | undefined = undefined;
  /** Unchecked views of the arena (dense dtypes) or codes (compressed); read only checked documents' rows. */
  #raw: RawViews;
  #codebook: ResidualCodebook | null | undefined = undefined;
  /** 1 = the document's rows are checked (checksum blocks and values). */
  #docOk: Uint8Array;

  private constructor(file: SegmentFile, cfg: MvChannelConfig, docs: number, vectors: number, bits: CodeBits, k: number) {
    const f = file;
    this.file = f;
    this.cfg = cfg;
    this.docs = docs;
    this.vectors = vectors;
    this.bits = bits;
    this.k = k;
    this.docids = f.view('docids', Uint32Array, docs);
    this.vstart = f.view('vstart', Uint32Array, docs + 1);
    const n = vectors * cfg.dim;
    if (!Number.isSafeInteger(n)) this.#bad('meta', `${vectors} vectors × ${cfg.dim}`);
    // sizes only: the bytes are checked per document on first touch
    const raw: RawViews = { vectors: null, screenI8: null, screenStats: null, scales: null, sums: null, codes: null, cids: null, norms: null };
    this.#raw = raw;
    this.#docOk = new Uint8Array(docs);
    if (cfg.dtype === 'f32') raw.vectors = f.view('vectors', Float32Array, n, false);
    else if (cfg.dtype === 'f16') raw.vectors = f.view('vectors', Uint16Array, n, false);
    if (cfg.dtype === 'f32' || cfg.dtype === 'f16') {
      const has = f.sections.has('scri8');
      if (has !== f.sections.has('scrstat')) this.#bad(has ? 'scrstat' : 'scri8', 'one of the two screening sections is missing');
      if (has) {
        raw.screenI8 = f.view('scri8', Int8Array, n, false);
        raw.screenStats = f.view('scrstat', Float32Array, vectors * SCREEN_STATS, false);
      }
    } else if (cfg.dtype === 'i8') {
      raw.vectors = f.view('vectors', Int8Array, n, false);
      raw.scales = f.view('scales', Float32Array, vectors, false);
      raw.sums = f.view('sums', Int32Array, vectors, false);
    } else {
      raw.codes = f.view('codes', Uint8Array, vectors * codesBytes(cfg.dim, bits), false);
      if (cfg.dtype === 'residual') {
        raw.cids = f.view('cids', Uint16Array, vectors, false);
        raw.norms = f.view('norms', Float32Array, vectors, false);
        if ((k === 0) !== (vectors === 0) || k > 65536) this.#bad('meta', `${k} centroids for ${vectors} vectors`);
        if (k > 0) f.section('codebook', false);
        else if (f.sections.has('codebook')) this.#bad('codebook', 'present without centroids');
      }
    }
    f.view('tokens', Uint32Array, vectors, false);
    f.view('spans', Uint32Array, 2 * vectors, false);
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
    const file = await SegmentFile.open(path, KIND, MV_SEGMENT_READABLE, opts);
    try {
      const v2 = file.kindVersion === 2;
      const metaBytes = v2 ? 24 : 16;
      const m = file.view('meta', Uint8Array, metaBytes);
      const dv = new DataView(m.buffer, m.byteOffset, metaBytes);
      const dim = dv.getUint32(8, true);
      const dtype = DTYPES[dv.getUint32(12, true)];
      const bits = v2 ? dv.getUint32(16, true) : 0;
      const k = v2 ? dv.getUint32(20, true) : 0;
      const compressed = dtype === 'binary' || dtype === 'residual';
      if (dtype !== undefined && compressed !== v2) throw new StorageError('CORRUPT_FILE', `${path}: section 'meta': dtype ${dtype} in a version-${file.kindVersion} mvec file; restore it from a backup or rebuild the index`, { file: path });
      const want = compressed ? bitsOf(cfg) : 0;
      if (dim !== cfg.dim || dtype !== cfg.dtype || (compressed && ![1, 2, 4].includes(bits)) || bits !== want || (dtype === 'binary' && k !== 0)) {
        throw new StorageError('CORRUPT_FILE', `${path}: section 'meta' says ${dim}-d ${dtype ?? 'unknown dtype'}${compressed ? ` ${bits}-bit` : ''}, the index is ${cfg.dim}-d ${cfg.dtype}${compressed ? ` ${want}-bit` : ''}; restore it from a backup or rebuild the index`, { file: path });
      }
      return new MvSegment(file, cfg, dv.getUint32(0, true), dv.getUint32(4, true), (compressed ? bits : 1) as CodeBits, k);
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

  /**
   * Checks document o's rows on their first touch: the checksum blocks they lie in (see
   * SegmentFile.ensure), then the values a kernel trusts (i8: scale finite ≥ 0, sum
   * recomputed; residual: centroid id < k, inverse norm finite > 0).
   */
  #checkDoc(o: number): void {
    const a = this.vstart[o]!;
    const e = this.vstart[o + 1]!;
    const f = this.file;
    const r = this.#raw;
    const d = this.cfg.dim;
    if (e > a) {
      if (r.vectors !== null) {
        const w = d * r.vectors.BYTES_PER_ELEMENT;
        f.ensure('vectors', a * w, e * w);
      }
      if (r.screenI8 !== null) {
        f.ensure('scri8', a * d, e * d);
        f.ensure('scrstat', 4 * SCREEN_STATS * a, 4 * SCREEN_STATS * e);
      }
      if (r.codes !== null) {
        const w = codesBytes(d, this.bits);
        f.ensure('codes', a * w, e * w);
      }
      if (r.scales !== null && r.sums !== null) {
        f.ensure('scales', 4 * a, 4 * e);
        f.ensure('sums', 4 * a, 4 * e);
        const i8 = r.vectors as Int8Array;
        for (let v = a; v < e; v++) {
          const sc = r.scales[v]!;
          if (!Number.isFinite(sc) || sc < 0) this.#bad('scales', `scale ${sc} of vector ${v}`);
          let t = 0;
          for (let k = v * d, end = k + d; k < end; k++) t += i8[k]!;
          if (t !== r.sums[v]) this.#bad('sums', `sum ${r.sums[v]} of vector ${v}, its values sum to ${t}`);
        }
      }
      if (r.cids !== null && r.norms !== null) {
        f.ensure('cids', 2 * a, 2 * e);
        f.ensure('norms', 4 * a, 4 * e);
        for (let v = a; v < e; v++) if (r.cids[v]! >= this.k) this.#bad('cids', `centroid id ${r.cids[v]} of vector ${v} is not below ${this.k}`);
        for (let v = a; v < e; v++) if (!Number.isFinite(r.norms[v]!) || !(r.norms[v]! > 0)) this.#bad('norms', `inverse norm ${r.norms[v]} of vector ${v} is not a positive finite number`);
      }
    }
    this.#docOk[o] = 1;
  }

  /** Checks the rows of the given documents (ordinals < docs) not checked yet: a bitmap test each once checked. */
  #ensureDocs(ordinals: Uint32Array): void {
    this.file.mapping.touch(); // every scoring call: a file found cold is offered for promotion again
    const ok = this.#docOk;
    let fresh = false;
    for (let i = 0; i < ordinals.length; i++) {
      const o = ordinals[i]!;
      if (ok[o] !== 1) {
        this.#checkDoc(o);
        fresh = true;
      }
    }
    if (fresh) this.file.mapping.check();
  }

  /** Checks every document's rows, the whole sections' checksums first. */
  #ensureAll(names: readonly string[]): void {
    for (const name of names) this.file.section(name);
    for (let o = 0; o < this.docs; o++) if (this.#docOk[o] !== 1) this.#checkDoc(o);
    this.file.mapping.check();
  }

  /** Residual: the codebook (whole section checked and parsed on first use); null otherwise. */
  #book(): ResidualCodebook | null {
    if (this.#codebook === undefined) {
      if (this.cfg.dtype === 'residual' && this.k > 0) {
        const s = this.file.section('codebook');
        this.#codebook = parseCodebook(this.file.mapping.bytes(s.offset, s.length, "section 'codebook'"), this.cfg.dim, this.bits, this.k, (msg) => this.#bad('codebook', msg));
        this.file.mapping.check();
      } else this.#codebook = null;
    }
    return this.#codebook;
  }

  /** The arena views with everything checked (CRCs of vectors, scales, sums; scales finite; sums recomputed): for readers of the whole arena. */
  arena(): { vectors: Float32Array | Uint16Array | Int8Array; scales: Float32Array | null; sums: Int32Array | null } {
    if (isCompressed(this.cfg)) throw new StorageError('CORRUPT_FILE', `${this.file.file}: a compressed segment has no float arena`, { file: this.file.file });
    if (this.#arena === null) {
      this.#ensureAll(this.cfg.dtype === 'i8' ? ['vectors', 'scales', 'sums'] : ['vectors']);
      const r = this.#raw;
      this.#arena = { vectors: r.vectors!, scales: r.scales, sums: r.sums };
    }
    return this.#arena;
  }

  /**
   * The compressed arena's views with everything checked: CRCs of codes, cids, norms and
   * codebook; the codebook parsed; every centroid id < k; every inverse norm finite > 0.
   */
  codes(): MvCodes {
    if (this.#codes === null) {
      const codebook = this.#book();
      this.#ensureAll(this.cfg.dtype === 'residual' ? ['codes', 'cids', 'norms'] : ['codes']);
      const r = this.#raw;
      this.#codes = { codes: r.codes!, bits: this.bits, cids: r.cids, norms: r.norms, codebook };
    }
    return this.#codes;
  }

  /**
   * Decoded (normalised f32) vectors [a, e) of the arena: what the kernels score against
   * (compressed: decodeVector; f16 / i8: dequantised). Used by merges and oracles.
   */
  decoded(a: number, e: number, out = new Float32Array((e - a) * this.cfg.dim)): Float32Array {
    const d = this.cfg.dim;
    if (isCompressed(this.cfg)) {
      const c = this.codes();
      const bytes = codesBytes(d, this.bits);
      for (let v = a; v < e; v++) out.set(decodeVector(c.codes, v * bytes, d, this.bits, c.codebook, c.cids?.[v] ?? 0, c.norms?.[v] ?? 1), (v - a) * d);
      return out;
    }
    const { vectors, scales } = this.arena();
    for (let v = a; v < e; v++) {
      for (let t = 0; t < d; t++) {
        const x = vectors[v * d + t]!;
        out[(v - a) * d + t] = this.cfg.dtype === 'f32' ? x : this.cfg.dtype === 'f16' ? f16ToF32(x) : x * scales![v]!;
      }
    }
    return out;
  }

  /**
   * `out[i] = MaxSim(query, document ordinals[i])`: one kernel call over the mapped arena
   * (compressed: maxsimCodes with this segment's codebook). Ordinals must be < docs (the
   * caller's own values).
   */
  maxsim(query: Float32Array, qCount: number, ordinals: Uint32Array, out: Float32Array, ct?: Float32Array): void {
    const n = ordinals.length;
    if (n === 0) return;
    const starts = new Uint32Array(n);
    const counts = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const o = ordinals[i]!;
      starts[i] = this.vstart[o]!;
      counts[i] = this.vstart[o + 1]! - starts[i]!;
    }
    const d = this.cfg.dim;
    // first touch of a document: just its rows' checksum blocks and values
    this.#ensureDocs(ordinals);
    const r = this.#raw;
    if (isCompressed(this.cfg)) {
      const c = { codes: r.codes!, cids: r.cids, norms: r.norms, codebook: this.#book() };
      const cb = c.codebook;
      if (cb === null) {
        // binary, or a residual segment without vectors (every count is 0)
        const { levels, scale } = binaryLevels(d);
        kernels.maxsimCodes(query, qCount, d, c.codes, this.bits, this.cfg.dtype === 'binary' ? levels : new Int8Array(1 << this.bits), scale, null, null, null, 1, starts, counts, out);
      } else {
        // the kernel fills the query × centroid table (as dotsI8) and scores from it, unless
        // the caller passes the table (centroidTable: the same values)
        const fill = ct === undefined;
        kernels.maxsimCodes(query, qCount, d, c.codes, cb.bits, cb.levels, cb.scale, c.cids, c.norms, fill ? new Float32Array(qCount * cb.k) : ct, cb.k, starts, counts, out, fill ? cb.centroids : null, fill ? cb.centroidScales : null);
      }
      this.file.mapping.check();
      return;
    }
    const { vectors, scales, sums } = r;
    if (r.screenI8 !== null && r.screenStats !== null) {
      if (this.cfg.dtype === 'f32') kernels.maxsimF32Screen(query, qCount, d, vectors as Float32Array, r.screenI8, r.screenStats, starts, counts, out);
      else kernels.maxsimF16Screen(query, qCount, d, vectors as Uint16Array, r.screenI8, r.screenStats, starts, counts, out);
    } else if (this.cfg.dtype === 'f32') kernels.maxsimF32(query, qCount, d, vectors as Float32Array, starts, counts, out);
    else if (this.cfg.dtype === 'f16') kernels.maxsimF16(query, qCount, d, vectors as Uint16Array, starts, counts, out);
    else kernels.maxsimI8(query, qCount, d, vectors as Int8Array, scales!, starts, counts, out, sums);
    this.file.mapping.check();
  }

  /**
   * Residual: the query × centroid table of this segment's codebook (qCount × k, int8 dots as
   * the kernel fills it); null for binary or a segment without vectors.
   */
  centroidTable(query: Float32Array, qCount: number): Float32Array | null {
    const cb = this.#book();
    if (cb === null) return null;
    const d = this.cfg.dim;
    const ct = new Float32Array(qCount * cb.k);
    for (let i = 0; i < qCount; i++) kernels.dotsI8(query.subarray(i * d, (i + 1) * d), d, cb.centroids, cb.centroidScales, null, ct.subarray(i * cb.k, (i + 1) * cb.k));
    return ct;
  }

  /**
   * Residual: the PLAID inverted lists over every document of the segment (ordinals as ids,
   * deleted ones included: callers skip them), built on first use from the mapped centroid ids
   * and kept while the segment is open (a segment never changes). Null without a codebook.
   */
  lists(): CentroidLists | null {
    if (this.#lists === undefined) {
      // the lists read every centroid id: the whole cids section and every document's values
      const codebook = this.#book();
      if (codebook === null || this.docs === 0) this.#lists = null;
      else {
        this.file.section('cids');
        const cids = this.#raw.cids!;
        for (let v = 0; v < this.vectors; v++) if (cids[v]! >= this.k) this.#bad('cids', `centroid id ${cids[v]} of vector ${v} is not below ${this.k}`);
        const c = { codebook, cids };
        const ords = Uint32Array.from({ length: this.docs }, (_, o) => o);
        const counts = Uint32Array.from({ length: this.docs }, (_, o) => this.vstart[o + 1]! - this.vstart[o]!);
        this.#lists = buildLists(c, ords, this.vstart.subarray(0, this.docs), counts, this.docs - 1);
        this.file.mapping.check();
      }
    }
    return this.#lists;
  }

  /** Token ids and spans (checked on first touch; any value is valid). */
  extras(): { tokens: Uint32Array; spans: Uint32Array } {
    return { tokens: this.file.view('tokens', Uint32Array, this.vectors), spans: this.file.view('spans', Uint32Array, 2 * this.vectors) };
  }

  /** Checks every section's checksum and the arena. */
  verify(): void {
    this.file.verify();
    if (isCompressed(this.cfg)) this.codes();
    else this.arena();
  }

  close(): void {
    this.file.close();
  }
}
