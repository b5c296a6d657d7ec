/**
 * A segmented store: documents (sparse vector and / or multi-vector, per the channels chosen
 * at create) under caller-assigned u32 ids, kept as immutable segment files read through
 * memory mappings, listed by `segments.json`.
 *
 * - {@link SegmentedStore.add} buffers documents in memory; {@link SegmentedStore.commit}
 *   writes them as one new segment (one file per channel), writes the deletion bitmaps that
 *   changed, runs the tiered merge policy, and swaps `segments.json` (the commit point).
 *   Searches see added documents once committed; deletes at once. A versioned store's owner
 *   (HybridIndex) uses {@link SegmentedStore.prepare} instead: the commit is written, then
 *   adopted after the owner's own commit point or aborted (its files removed) if that fails.
 * - Every write, fsync, rename and removal goes through the `fs` seam it was given (default
 *   node:fs); segment files are read through memory mappings.
 * - Search across segments returns exactly what one segment holding the same live documents
 *   returns, ids and scores bit for bit: BM25's N, df and avgdl are summed over the segments'
 *   live documents, every contribution uses the one expression of src/sparse/scoring.ts and
 *   a document's score is the same f64 sum in query-term order, rounded once to f32.
 *   (Document lengths are summed per segment in f64: exact for BM25's integer term
 *   frequencies; non-integer lengths could differ in the last bit of avgdl.)
 * - Merges write the merged segment (fsynced) before the manifest names it and remove the
 *   sources only after: a crash at any point leaves either the old segments or the merged one
 *   live, never a mix. Files no manifest names are removed by the next commit.
 * - Compressed multi-vector channels (`binary`, `residual`): each segment holds its own
 *   residual codebook, trained at commit on its own vectors; a merge decodes the sources'
 *   vectors and retrains (mv-compress.ts, FORMAT.md). Scores use each segment's codebook.
 * - A crafted or damaged file is a StorageError naming the file and section (see
 *   container.ts, sparse-segment.ts, mv-segment.ts for what is checked when).
 */
import * as path from 'node:path';
import { InvalidArgumentError, StorageError, invalid } from '../errors.js';
import { topK, type Ranked } from '../kernels/topk.js';
import type { MultiVector } from '../multivector/types.js';
import { checkDoc, checkQuery } from '../multivector/validate.js';
import { searchExhaustive, searchMaxScore, type PostingLists } from '../sparse/maxscore.js';
import { bm25Idf, contribution, type PreparedQuery, type ScoreContext } from '../sparse/scoring.js';
import { TopK } from '../sparse/topk.js';
import { validateSparseVector, type SparseVector } from '../sparse/vector.js';
import { storeIoError } from '../store/binary-file.js';
import { nodeFs, type StoreFs } from '../store/fs-seam.js';
import type { MapOptions } from '../store/mmap.js';
import { Deletions } from './deletes.js';
import { delFile, readSegments, SEGMENTS_FILE, SEGMENTS_FORMAT_VERSION, segmentFiles, VERSIONED_SEGMENTS, versionedSegmentsFile, writeSegments, type SegmentChannels, type SegmentEntry, type SegmentsManifest } from './manifest.js';
import { checkMergeOptions, findMerges, type TieredMergeOptions } from './merge-policy.js';
import { bitsOf, buildArena, buildCodes, isCompressed, MvSegment, rawOf, storedFits, writeMvSegment, type MvChannelConfig, type MvRaw, type StoredVectors } from './mv-segment.js';
import { compressDocs, type MvCodesRaw } from './mv-compress.js';
import { firstStageMv } from './mv-first-stage.js';
import type { FirstStageOptions } from '../multivector/first-stage.js';
import { codesBytes } from '../kernels/codes.js';
import { SparseSegment, writeSparseSegment } from './sparse-segment.js';
import { DenseSegment, reuseBiggest, writeDenseSegment, type DenseRows, type DenseSegmentConfig } from './dense-segment.js';
import { type DensePart, type DenseWalkPlan, denseScanPart, denseTopK, denseWalkPart, denseWalkPlan, scoreDenseIn, widenHolder } from './dense-search.js';
import { checkQuery as checkDenseQuery, normalisedInto } from '../dense/validate.js';
import { EXACT_BELOW_VALUES } from '../dense/dense-index.js';
import { indexOfSorted, lowerBound } from './sorted.js';
import { gallop } from '../sparse/postings.js';

/** One document: a value for each channel the store holds. */
export interface SegmentDoc {
  sparse?: SparseVector;
  multivector?: MultiVector;
  /**
   * The same token vectors as a MultiVectorStore of this channel's dtype stores them (an index
   * converted to segments): written as stored instead of normalised and quantised again, so
   * the scores stay bit for bit those of that store. `multivector` must hold their decoded values.
   */
  multivectorStored?: StoredVectors;
  /** A dense vector (`dim` finite values, not all zero); stored L2-normalised as DenseIndex stores it. */
  dense?: Float32Array;
}

/** Options of {@link SegmentedStore.open} and create. */
export interface SegmentedOpenOptions extends MapOptions {
  /** Merge policy settings (see merge-policy.ts). */
  mergePolicy?: TieredMergeOptions;
  /**
   * f32 / f16 multi-vector channels: write the int8 screening sidecar into each new or merged
   * segment (sections `scri8` / `scrstat`, see mv-segment.ts), so MaxSim runs the exact
   * screened kernels from the mapping as the default storage does from memory (+dim + 24
   * bytes per token vector on disk). Default false. Segments are read the same either way.
   */
  mvScreening?: boolean;
  /** Test seam: called at each step of a commit (a crash test kills the process there). */
  onStage?: (stage: string) => void;
  /**
   * Versioned lists: each commit writes `segments-<generation>.json` instead of replacing
   * `segments.json`, and removes nothing; the owner (HybridIndex) names the list in its own
   * commit point and calls {@link SegmentedStore.collect} once that is durable.
   */
  versioned?: boolean;
  /** open(): the list to read (default `segments.json`; a versioned store's `segments-<gen>.json`). */
  manifest?: string;
  /**
   * The file-system seam every write, fsync, rename and removal of the store goes through
   * (an owning HybridIndex passes its own), and the segment lists are read through; default
   * node:fs. Segment files are still read through memory mappings.
   */
  fs?: StoreFs;
}

/** Extra documents outside the store (an owner's in-memory tail) counted in BM25's statistics. */
export interface SparseStatsExtra {
  docs: number;
  /** Σ document length (f64). */
  len: number;
  /** Live documents holding the term. */
  df(termId: number): number;
}

/** Sparse statistics of one query over some segments (internal, see SegmentedStore.segmentSparseStats). */
export interface SparseStats {
  /** live documents */
  N: number;
  /** Σ BM25 length of the live documents (f64) */
  len: number;
  /** live document frequency of each query entry (0 for a zero weight) */
  df: Float64Array;
}

/** Options of {@link SegmentedStore.commit}. */
export interface CommitOptions {
  /** false: no merges this time. */
  merge?: boolean;
  /**
   * Writes the new segment's usearch graph file (keys = exactly the pending ids, vectors the
   * pending dense values normalised) instead of building one: an owner whose in-memory tail
   * already holds that graph (SegmentedChannel) saves it, not a second build. The file passes
   * the same structural checks as any other before it is used.
   */
  denseGraph?: (file: string) => void;
}

/**
 * A versioned store's commit, written but not adopted ({@link SegmentedStore.prepare}): its
 * files and its list `manifestFile` are on disk, the store still reads the state before it.
 * Exactly one of `adopt` (the owner's commit point, naming `manifestFile`, is durable) and
 * `abort` (the owner's save failed before its commit point) must follow.
 */
export interface PreparedCommit {
  /** What the commit wrote. */
  readonly result: CommitResult;
  /** The versioned list this commit wrote (`segments-<generation>.json`). */
  readonly manifestFile: string;
  /** Makes the store read the committed state (no I/O, cannot fail). */
  adopt(): void;
  /**
   * Removes every file this commit wrote (segments, deletion bitmaps, merged segments, the
   * list) through the store's seam, best effort; the store keeps the state before the commit
   * (its pending documents too). Resolves to the names a removal failed for (the next
   * successful commit rewrites or collects them).
   */
  abort(): Promise<string[]>;
}

/** What a commit did. */
export interface CommitResult {
  /** Bytes of the files this commit wrote (segments, merged segments, deletion bitmaps). */
  bytesWritten: number;
  /** Segment names written (new and merged). */
  written: string[];
  /** Merges run, by source segment names. */
  merges: string[][];
}

/** A commit written by #write, not yet adopted. */
interface Staged {
  manifest: SegmentsManifest;
  /** The list file written. */
  file: string;
  list: SegmentEntry[];
  /** Readers opened over the segments this commit wrote. */
  fresh: Live[];
  /** Files this commit wrote besides the list. */
  created: string[];
  result: CommitResult;
}

/** One live segment and its in-memory deletion state. */
interface Live {
  entry: SegmentEntry;
  sparse: SparseSegment | null;
  mv: MvSegment | null;
  dense: DenseSegment | null;
  docids: Uint32Array;
  del: Deletions;
  dirty: boolean;
  /** sparse scoring state: 1 live, 2 deleted (ordinal-indexed) */
  state: Uint8Array;
  liveLen: number;
  liveDf: Map<number, number>;
}

/** Term ids whose per-segment slots a store keeps (SegmentedStore's term cache: 4 bytes per segment and a map entry each, ~5 MB at 11 segments). */
const TERM_CACHE_MAX = 1 << 16;
const SEG_FILE = /^seg-\d{6,}\.(sparse|mvec|dense|hnsw|del-\d{6,})(\.tmp-\d+)?$/;

function segName(n: number): string {
  return `seg-${String(n).padStart(6, '0')}`;
}

/** A segment's mapped posting arrays as MaxScore reads them (one class: its `seek` call site stays monomorphic). */
class SegmentLists implements PostingLists {
  constructor(
    readonly docs: Uint32Array,
    readonly weights: Float32Array,
  ) {}

  seek(from: number, end: number, target: number): number {
    return gallop(this.docs, from, end, target);
  }
}

/**
 * Immutable segments on memory-mapped files, with incremental commits and tiered merges.
 *
 * @example
 * ```ts
 * const store = await SegmentedStore.create(dir, { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 } });
 * store.add(0, { sparse: { ids: Uint32Array.of(5, 9), weights: Float32Array.of(1, 2) } });
 * await store.commit();
 * const { ids, scores } = store.searchSparse({ ids: Uint32Array.of(9), weights: Float32Array.of(1) }, 10);
 * ```
 */
export class SegmentedStore {
  readonly dir: string;
  readonly channels: SegmentChannels;
  #manifest: SegmentsManifest;
  #segs: Live[] = [];
  #pending = new Map<number, SegmentDoc>();
  #opts: SegmentedOpenOptions;
  readonly #fs: StoreFs;
  #closed = false;
  /** A prepared commit not yet adopted or aborted (versioned stores). */
  #prepared = false;
  #file: string;

  private constructor(dir: string, manifest: SegmentsManifest, opts: SegmentedOpenOptions) {
    this.dir = dir;
    this.channels = manifest.channels;
    this.#manifest = manifest;
    this.#opts = opts.mergePolicy === undefined ? opts : { ...opts, mergePolicy: { ...checkMergeOptions(opts.mergePolicy, 'mergePolicy') } };
    this.#fs = opts.fs ?? nodeFs;
    this.#file = opts.versioned === true ? (opts.manifest ?? versionedSegmentsFile(manifest.generation)) : SEGMENTS_FILE;
  }

  /** The merge policy settings the next commits use (see merge-policy.ts; default: its defaults). */
  get mergePolicy(): TieredMergeOptions | undefined {
    return this.#opts.mergePolicy;
  }

  /** Replaces the merge policy settings for the next commits (checked: INVALID_ARGUMENT; undefined: the defaults). */
  set mergePolicy(p: TieredMergeOptions | undefined) {
    this.#opts = { ...this.#opts, mergePolicy: p === undefined ? undefined : { ...checkMergeOptions(p, 'mergePolicy') } };
  }

  /** The segment list in force (`segments.json`, or a versioned store's `segments-<gen>.json`). */
  get manifestFile(): string {
    return this.#file;
  }

  /**
   * Creates an empty store in `dir` (created if missing; refused if it already holds one).
   *
   * @example
   * ```ts
   * const s = await SegmentedStore.create(dir, { multivector: { dim: 64, dtype: 'i8' } });
   * ```
   */
  static async create(dir: string, channels: SegmentChannels, opts: SegmentedOpenOptions = {}): Promise<SegmentedStore> {
    const sp = channels.sparse;
    const mv = channels.multivector;
    const dn = channels.dense;
    if (!sp && !mv && !dn) invalid('INVALID_ARGUMENT', 'a segmented store needs at least one channel: sparse, multivector and / or dense');
    if (
      dn &&
      (!Number.isInteger(dn.dim) || dn.dim < 1 || dn.dim > 65536 || !['f32', 'f16'].includes(dn.dtype) || !Number.isInteger(dn.connectivity) || dn.connectivity < 2 || dn.connectivity > 1024 || !Number.isInteger(dn.expansionAdd) || dn.expansionAdd < 1 || !Number.isInteger(dn.expansionSearch) || dn.expansionSearch < 1)
    ) {
      invalid('INVALID_ARGUMENT', `dense channel settings ${JSON.stringify(dn)}: dim 1…65536, dtype 'f32' | 'f16', connectivity 2…1024, expansionAdd and expansionSearch ≥ 1`);
    }
    if (sp && (!['dot', 'bm25'].includes(sp.scorer) || !(sp.k1 >= 0) || !(sp.b >= 0 && sp.b <= 1))) invalid('INVALID_ARGUMENT', `sparse channel settings ${JSON.stringify(sp)}: scorer 'dot' | 'bm25', k1 ≥ 0, b in [0, 1]`);
    if (mv && (!Number.isInteger(mv.dim) || mv.dim < 1 || mv.dim > 65536 || !['f32', 'f16', 'i8', 'binary', 'residual'].includes(mv.dtype))) invalid('INVALID_ARGUMENT', `multivector channel settings ${JSON.stringify(mv)}: dim 1…65536, dtype 'f32' | 'f16' | 'i8' | 'binary' | 'residual'`);
    if (mv && (mv.bits !== undefined || mv.centroids !== undefined)) {
      const okBits = mv.bits === undefined || (mv.dtype === 'residual' ? [1, 2, 4].includes(mv.bits) : mv.dtype === 'binary' && mv.bits === 1);
      const okK = mv.centroids === undefined || (mv.dtype === 'residual' && Number.isInteger(mv.centroids) && mv.centroids >= 1 && mv.centroids <= 65536);
      if (!okBits || !okK) invalid('INVALID_ARGUMENT', `multivector channel settings ${JSON.stringify(mv)}: bits 1 | 2 | 4 and centroids 1…65536 apply to dtype 'residual' only (binary is 1 bit)`);
    }
    const fs = opts.fs ?? nodeFs;
    await fs.mkdir(dir);
    // versioned: files left by an index this one replaces stay readable until the owner's
    // first commit, so number past them
    let generation = 0;
    let nextSegment = 1;
    if (opts.versioned === true) {
      for (const n of await fs.readdir(dir)) {
        const g = VERSIONED_SEGMENTS.exec(n);
        if (g) generation = Math.max(generation, Number(g[1]) + 1);
        const sg = /^seg-(\d{6,})\./.exec(n);
        if (sg) nextSegment = Math.max(nextSegment, Number(sg[1]) + 1);
      }
    } else if ((await fs.stat(path.join(dir, SEGMENTS_FILE))) !== null) invalid('INVALID_ARGUMENT', `${dir} already holds a segmented store; open it instead`);
    const manifest: SegmentsManifest = {
      magic: 'trident-segments',
      formatVersion: SEGMENTS_FORMAT_VERSION,
      generation,
      nextSegment,
      channels: {
        ...(sp ? { sparse: { scorer: sp.scorer, k1: sp.k1, b: sp.b } } : {}),
        ...(mv ? { multivector: { dim: mv.dim, dtype: mv.dtype, ...(isCompressed(mv) ? { bits: bitsOf(mv) } : {}), ...(mv.centroids !== undefined ? { centroids: mv.centroids } : {}) } } : {}),
        ...(dn ? { dense: { dim: dn.dim, dtype: dn.dtype, connectivity: dn.connectivity, expansionAdd: dn.expansionAdd, expansionSearch: dn.expansionSearch } } : {}),
      },
      segments: [],
    };
    const store = new SegmentedStore(dir, manifest, opts);
    await writeSegments(dir, manifest, fs, store.#file);
    return store;
  }

  /**
   * Opens a store: reads `segments.json`, maps every live segment's files and checks their
   * headers and structure (big sections are checksummed on first touch, or by verify()).
   * Retries when a concurrent commit replaced the manifest meanwhile.
   *
   * @example
   * ```ts
   * const s = await SegmentedStore.open(dir); // { mode: 'read' } loads the files into memory instead
   * ```
   */
  static async open(dir: string, opts: SegmentedOpenOptions = {}): Promise<SegmentedStore> {
    for (let attempt = 1; ; attempt++) {
      const name = opts.manifest ?? SEGMENTS_FILE;
      const { manifest, text } = await readSegments(dir, opts.fs ?? nodeFs, name);
      const store = new SegmentedStore(dir, manifest, opts);
      try {
        for (const e of manifest.segments) store.#segs.push(await store.#openSegment(e));
        return store;
      } catch (e) {
        store.#closeAll();
        const now = await readSegments(dir, opts.fs ?? nodeFs, name).then(
          (r) => r.text,
          () => null,
        );
        if (!(e instanceof StorageError) || attempt >= 10 || now === text) throw e;
      }
    }
  }

  async #openSegment(e: SegmentEntry): Promise<Live> {
    const file = (suffix: string) => path.join(this.dir, `${e.name}.${suffix}`);
    const cfg = this.channels;
    const need = (suffix: 'sparse' | 'mvec' | 'dense' | 'hnsw', has: boolean) => {
      if (has !== (e.bytes[suffix] !== undefined)) throw new StorageError('CORRUPT_FILE', `${SEGMENTS_FILE}: segment ${e.name} ${has ? 'lacks' : 'has'} a ${suffix} file`, { file: SEGMENTS_FILE });
    };
    need('sparse', cfg.sparse !== undefined);
    need('mvec', cfg.multivector !== undefined);
    need('dense', cfg.dense !== undefined);
    need('hnsw', cfg.dense !== undefined);
    let sparse: SparseSegment | null = null;
    let mv: MvSegment | null = null;
    let dense: DenseSegment | null = null;
    try {
      if (cfg.sparse) sparse = await SparseSegment.open(file('sparse'), cfg.sparse, this.#opts);
      if (cfg.multivector) mv = await MvSegment.open(file('mvec'), cfg.multivector, this.#opts);
      if (cfg.dense) {
        // the .hnsw length is checked against the .dense meta before anything else reads it;
        // check the manifest's figure for it first too
        const hn = await this.#fs.stat(file('hnsw')).catch((err: unknown) => {
          throw storeIoError('reading', file('hnsw'), err, 'a segmented store commit');
        });
        if (hn !== null && hn.size !== e.bytes.hnsw) throw new StorageError('CORRUPT_FILE', `${file('hnsw')} is ${hn.size} bytes, ${SEGMENTS_FILE} says ${e.bytes.hnsw}`, { file: file('hnsw') });
        dense = await DenseSegment.open(path.join(this.dir, e.name), cfg.dense, this.#opts);
      }
      for (const [k, f] of [
        ['sparse', sparse?.file],
        ['mvec', mv?.file],
        ['dense', dense?.file],
      ] as const) {
        if (f && f.mapping.byteLength !== e.bytes[k]) throw new StorageError('CORRUPT_FILE', `${f.file} is ${f.mapping.byteLength} bytes, ${SEGMENTS_FILE} says ${e.bytes[k]}`, { file: f.file });
      }
      const first = (sparse ?? mv ?? dense)!;
      const docids = first.docids;
      if (docids.length !== e.docs) throw new StorageError('CORRUPT_FILE', `${first.file.file} holds ${docids.length} documents, ${SEGMENTS_FILE} says ${e.docs}`, { file: first.file.file });
      for (const other of [mv, dense]) {
        if (other === null || other === first) continue;
        for (let i = 0; i < docids.length; i++) {
          if (other.docids[i] !== docids[i]) throw new StorageError('CORRUPT_FILE', `${other.file.file}: section 'docids' differs from the ${first === sparse ? 'sparse' : 'mvec'} file's at ordinal ${i}`, { file: other.file.file });
        }
      }
      const del = e.delGen > 0 ? await Deletions.read(path.join(this.dir, delFile(e.name, e.delGen)), e.docs, this.#opts) : new Deletions(e.docs);
      if (del.count !== e.deleted) throw new StorageError('CORRUPT_FILE', `${delFile(e.name, e.delGen)} holds ${del.count} deletions, ${SEGMENTS_FILE} says ${e.deleted}`, { file: delFile(e.name, e.delGen) });
      const live: Live = { entry: e, sparse, mv, dense, docids, del, dirty: false, state: new Uint8Array(e.docs).fill(1), liveLen: 0, liveDf: new Map() };
      for (let o = 0; o < e.docs; o++) if (del.has(o)) live.state[o] = 2;
      live.liveLen = sparseLiveLen(live);
      return live;
    } catch (err) {
      sparse?.close();
      mv?.close();
      dense?.close();
      throw err;
    }
  }

  #check(): void {
    if (this.#closed) throw new StorageError('INDEX_CLOSED', `the segmented store at ${this.dir} is closed`);
  }

  /** Live committed documents plus pending adds. */
  get size(): number {
    let n = this.#pending.size;
    for (const s of this.#segs) n += s.entry.docs - s.del.count;
    return n;
  }

  /** Live committed documents (pending adds not counted). */
  get committedSize(): number {
    return this.size - this.#pending.size;
  }

  /** The committed generation this store reads (`segments.json`'s `generation`). */
  get generation(): number {
    return this.#manifest.generation;
  }

  /** Names of the live segments, oldest first. */
  get segments(): string[] {
    return this.#segs.map((s) => s.entry.name);
  }

  /** Ordinal found by the last successful {@link #locate}. */
  #ord = 0;

  /** Index in #segs of the segment holding live `id` (its ordinal in #ord), -1 when none. */
  #locate(id: number): number {
    const segs = this.#segs;
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      const d = seg.docids;
      if (d.length === 0 || id < d[0]! || id > d[d.length - 1]!) continue; // outside its id range: no search
      const ord = indexOfSorted(d, id);
      if (ord >= 0 && !seg.del.has(ord)) {
        this.#ord = ord;
        return i;
      }
    }
    return -1;
  }

  #find(id: number): { seg: Live; ord: number } | null {
    const i = this.#locate(id);
    return i < 0 ? null : { seg: this.#segs[i]!, ord: this.#ord };
  }

  /**
   * How many of `sorted` (ascending ids) are live, committed or pending: {@link has} of each,
   * in one pass over every segment's id list (no search per id).
   *
   * @example
   * ```ts
   * store.countLive(Uint32Array.of(1, 5, 9)); // 2 when 5 was deleted
   * ```
   */
  countLive(sorted: Uint32Array): number {
    this.#check();
    const found = new Uint8Array(sorted.length);
    for (const seg of this.#segs) {
      const d = seg.docids;
      if (d.length === 0) continue;
      // from the first of `sorted` not below the segment's first id, both lists in step
      for (let i = lowerBound(sorted, d[0]!), c = 0; i < sorted.length && c < d.length; ) {
        const id = sorted[i]!;
        const x = d[c]!;
        if (x < id) c++;
        else if (x > id) i++;
        else {
          if (!seg.del.has(c)) found[i] = 1;
          i++;
          c++;
        }
      }
    }
    let n = 0;
    for (let i = 0; i < sorted.length; i++) if (found[i] === 1 || this.#pending.has(sorted[i]!)) n++;
    return n;
  }

  /** True when `id` is live (committed or pending). */
  has(id: number): boolean {
    return this.#pending.has(id) || this.#find(id) !== null;
  }

  /**
   * Buffers a document until the next commit. INVALID_ARGUMENT / INVALID_VECTOR /
   * DIMENSION_MISMATCH for a bad value or a missing channel; DUPLICATE_ID when `id` is live.
   *
   * @example
   * ```ts
   * store.add(7, { sparse, multivector: { data, dim: 64, count: 24 } });
   * ```
   */
  add(id: number, doc: SegmentDoc): void {
    this.#check();
    if (!Number.isInteger(id) || id < 0 || id > 0xfffffffe) invalid('INVALID_ARGUMENT', `id must be an integer in [0, 2^32 - 2], got ${String(id)}`);
    if (doc === null || typeof doc !== 'object') invalid('INVALID_ARGUMENT', 'add: pass { sparse?, multivector? }');
    for (const [name, has] of [
      ['sparse', this.channels.sparse],
      ['multivector', this.channels.multivector],
      ['dense', this.channels.dense],
    ] as const) {
      if ((doc[name] !== undefined) !== (has !== undefined)) invalid('INVALID_ARGUMENT', `add(${id}): this store ${has ? 'needs' : 'has no'} a ${name} value`);
    }
    if (doc.sparse) validateSparseVector(doc.sparse, `add(${id}) sparse`);
    // rows given as a store of this channel holds them were checked by that store: they are
    // copied as stored (buildArena), the decoded values are not read again
    if (doc.multivector && !storedFits(doc.multivectorStored, doc.multivector, this.channels.multivector!)) checkDoc(doc.multivector, this.channels.multivector!.dim, `add(${id})`);
    if (doc.dense) normalisedInto(doc.dense, this.channels.dense!.dim, `add(${id}) dense`, new Float32Array(this.channels.dense!.dim), 0);
    if (this.has(id)) invalid('DUPLICATE_ID', `id ${id} is already in the store; delete it first`);
    this.#pending.set(id, doc);
  }

  /**
   * Deletes a document (pending or committed); false when it is not live. A committed
   * document stops counting in searches and BM25 statistics at once; the deletion is
   * written by the next commit.
   *
   * @example
   * ```ts
   * store.delete(7); // true
   * ```
   */
  delete(id: number): boolean {
    this.#check();
    if (this.#pending.delete(id)) return true;
    const hit = this.#find(id);
    if (hit === null) return false;
    const { seg, ord } = hit;
    seg.del.delete(ord);
    seg.state[ord] = 2;
    seg.liveLen = sparseLiveLen(seg);
    seg.liveDf.clear();
    seg.dirty = true;
    return true;
  }

  /**
   * Writes pending documents as a new segment and changed deletion bitmaps, runs the merge
   * policy (unless `merge: false`), then swaps `segments.json`. On failure nothing stored
   * changes and the pending state is kept (IO_ERROR).
   *
   * @example
   * ```ts
   * const { bytesWritten, merges } = await store.commit();
   * ```
   */
  async commit(opts: CommitOptions = {}): Promise<CommitResult> {
    return this.#commit(opts.merge === false ? 'none' : 'policy', opts.denseGraph);
  }

  async #commit(mergeMode: 'none' | 'policy' | 'all', denseGraph?: (file: string) => void): Promise<CommitResult> {
    this.#check();
    if (this.#prepared) invalid('INVALID_ARGUMENT', `commit to ${this.dir}: a prepared commit is pending; adopt or abort it first`);
    const st = await this.#write(mergeMode, denseGraph);
    this.#adopt(st);
    if (this.#opts.versioned !== true) await this.#collect(new Set(st.manifest.segments.flatMap(segmentFiles)), null);
    return st.result;
  }

  /**
   * Versioned stores: writes a commit (the new segment, changed deletion bitmaps, merges by
   * policy or, with `all`, of everything, and the new list `segments-<generation>.json`)
   * without adopting it, for an owner whose own commit point names the list: it calls
   * `adopt()` once that is durable, or `abort()` (removes what this commit wrote) when its save
   * failed before it. Until then the store reads the state before the commit, and no other
   * commit may start. Fails as {@link commit} does (IO_ERROR, nothing left behind).
   *
   * @example
   * ```ts
   * const c = await store.prepare();
   * try { await writeOwnerManifest(c.manifestFile); } catch (e) { await c.abort(); throw e; }
   * c.adopt();
   * ```
   */
  async prepare(opts: CommitOptions & { all?: boolean } = {}): Promise<PreparedCommit> {
    this.#check();
    if (this.#opts.versioned !== true) invalid('INVALID_ARGUMENT', `prepare: the store at ${this.dir} is not versioned; its segments.json is its own commit point, use commit()`);
    if (this.#prepared) invalid('INVALID_ARGUMENT', `prepare: a prepared commit to ${this.dir} is pending; adopt or abort it first`);
    const st = await this.#write(opts.all === true ? 'all' : opts.merge === false ? 'none' : 'policy', opts.denseGraph);
    this.#prepared = true;
    let settled = false;
    const settle = (how: string) => {
      if (settled) invalid('INVALID_ARGUMENT', `${how}: this prepared commit was already adopted or aborted`);
      settled = true;
      this.#prepared = false;
    };
    return {
      result: st.result,
      manifestFile: st.file,
      adopt: () => {
        settle('adopt');
        this.#adopt(st);
      },
      abort: async () => {
        settle('abort');
        return this.#discard(st.fresh, [...st.created, st.file]);
      },
    };
  }

  /** Closes `fresh` and removes `names` (best effort, through the seam); returns the names whose removal failed. */
  async #discard(fresh: readonly Live[], names: readonly string[]): Promise<string[]> {
    for (const f of fresh) closeLive(f);
    const failed: string[] = [];
    for (const name of names) {
      await this.#fs.rm(path.join(this.dir, name)).catch(() => {
        failed.push(name);
      });
    }
    return failed;
  }

  /** Writes a commit's files and its list; the store's state is unchanged (see #adopt). */
  async #write(mergeMode: 'none' | 'policy' | 'all', denseGraph?: (file: string) => void): Promise<Staged> {
    const stage = this.#opts.onStage ?? (() => undefined);
    const m = this.#manifest;
    const gen = m.generation + 1;
    let next = m.nextSegment;
    const written: string[] = [];
    let bytesWritten = 0;
    const entries = new Map<Live, SegmentEntry>();
    const created: string[] = [];
    const fresh: Live[] = [];
    try {
      for (const seg of this.#segs) {
        if (!seg.dirty) {
          entries.set(seg, seg.entry);
          continue;
        }
        const name = delFile(seg.entry.name, gen);
        created.push(name);
        const bytes = await seg.del.clone().write(path.join(this.dir, name), this.#fs);
        bytesWritten += bytes;
        entries.set(seg, { ...seg.entry, deleted: seg.del.count, delGen: seg.del.count > 0 ? gen : 0, bytes: { ...seg.entry.bytes, del: bytes } });
        stage('deletes-written');
      }
      let list: SegmentEntry[] = this.#segs.map((s) => entries.get(s)!);
      if (this.#pending.size > 0) {
        const ids = Uint32Array.from(this.#pending.keys()).sort();
        const docs = Array.from(ids, (id) => this.#pending.get(id)!);
        const name = segName(next++);
        const e = await this.#writeSegment(
          name,
          ids,
          {
            sparse: this.channels.sparse ? docs.map((d) => d.sparse!) : null,
            mv: this.channels.multivector ? rawFromDocs(this.channels.multivector, docs) : null,
            dense: this.channels.dense ? { rows: denseRowsOf(this.channels.dense, docs), ...(denseGraph ? { graph: denseGraph } : {}) } : null,
          },
          created,
        );
        bytesWritten += Object.values(e.bytes).reduce((a, b) => a + b, 0);
        written.push(name);
        list.push(e);
        fresh.push(await this.#openSegment(e));
        stage('segment-written');
      }
      const merges =
        mergeMode === 'none'
          ? []
          : mergeMode === 'all'
            ? list.length > 1 || list.some((e) => e.deleted > 0)
              ? [list.map((e) => e.name)]
              : []
            : findMerges(
                list.map((e) => ({ name: e.name, bytes: (e.bytes.sparse ?? 0) + (e.bytes.mvec ?? 0) + (e.bytes.dense ?? 0) + (e.bytes.hnsw ?? 0), docs: e.docs, deleted: e.deleted })),
                this.#opts.mergePolicy,
                // dense: segments above the exact-scan size are searched through their graph
                this.channels.dense ? Math.floor(EXACT_BELOW_VALUES / this.channels.dense.dim) : undefined,
              );
      for (const group of merges) {
        const name = segName(next++);
        const e = await this.#merge(group, name, created, fresh);
        const gone = new Set(group);
        list = list.filter((x) => !gone.has(x.name));
        if (e === null) continue; // nothing live: the sources just go
        bytesWritten += Object.values(e.bytes).reduce((a, b) => a + b, 0);
        written.push(name);
        list.push(e);
        stage('merge-written');
      }
      const manifest: SegmentsManifest = { ...m, generation: gen, nextSegment: next, segments: list };
      stage('before-manifest');
      const file = this.#opts.versioned === true ? versionedSegmentsFile(gen) : SEGMENTS_FILE;
      await writeSegments(this.dir, manifest, this.#fs, file);
      stage('committed');
      return { manifest, file, list, fresh, created, result: { bytesWritten, written, merges } };
    } catch (e) {
      await this.#discard(fresh, created);
      if (e instanceof StorageError || e instanceof InvalidArgumentError) throw e;
      throw new StorageError('IO_ERROR', `commit to ${this.dir} failed: ${(e as Error)?.message ?? String(e)}; the store on disk is unchanged`, { cause: e });
    }
  }

  /** Makes the store read a written commit: readers over its new files, the old ones dropped (no I/O). */
  #adopt(st: Staged): void {
    const old = this.#segs;
    const byName = new Map(old.map((s) => [s.entry.name, s]));
    const segs: Live[] = [];
    for (const e of st.list) {
      const prev = byName.get(e.name);
      if (prev) {
        prev.entry = e;
        prev.dirty = false;
        segs.push(prev);
      } else {
        // every listed segment is an old one or one this commit wrote and opened
        const f = st.fresh.find((x) => x.entry.name === e.name);
        if (!f) throw new StorageError('IO_ERROR', `commit to ${this.dir}: segment ${e.name} was not opened`);
        segs.push(f);
      }
    }
    const keep = new Set(segs);
    for (const s of old) if (!keep.has(s)) closeLive(s);
    for (const s of st.fresh) if (!keep.has(s)) closeLive(s); // written, then merged away by the same commit
    this.#segs = segs;
    this.#manifest = st.manifest;
    this.#file = st.file;
    this.#pending.clear();
  }

  /**
   * Commits pending work and merges every live segment into one, dropping deleted documents
   * (one manifest swap).
   *
   * @example
   * ```ts
   * await store.optimize();
   * ```
   */
  async optimize(opts: Pick<CommitOptions, 'denseGraph'> = {}): Promise<CommitResult> {
    return this.#commit('all', opts.denseGraph);
  }

  async #writeSegment(name: string, ids: Uint32Array, data: { sparse: SparseVector[] | null; lengths?: Float32Array; mv: { vstart: Uint32Array; raw: MvRaw | MvCodesRaw } | null; dense?: { rows: DenseRows; graph?: (file: string) => void } | null }, created: string[]): Promise<SegmentEntry> {
    const bytes: Record<string, number> = {};
    const stage = this.#opts.onStage ?? (() => undefined);
    if (data.sparse) {
      created.push(`${name}.sparse`);
      bytes.sparse = await writeSparseSegment(path.join(this.dir, `${name}.sparse`), this.channels.sparse!, ids, data.sparse, data.lengths, this.#fs);
      stage('file-written');
    }
    if (data.mv) {
      created.push(`${name}.mvec`);
      bytes.mvec = await writeMvSegment(path.join(this.dir, `${name}.mvec`), this.channels.multivector!, ids, data.mv.vstart, data.mv.raw, this.#fs, this.#opts.mvScreening === true);
      stage('file-written');
    }
    if (data.dense) {
      created.push(`${name}.hnsw`, `${name}.dense`);
      const b = await writeDenseSegment(path.join(this.dir, name), this.channels.dense!, ids, data.dense.rows, data.dense.graph, this.#fs);
      bytes.dense = b.dense;
      bytes.hnsw = b.hnsw;
      stage('file-written');
    }
    return { name, docs: ids.length, deleted: 0, delGen: 0, bytes };
  }

  /** Writes the live documents of `group` as segment `name` and opens it into `fresh`; null when none is live. */
  async #merge(group: string[], name: string, created: string[], fresh: Live[]): Promise<SegmentEntry | null> {
    const sources = group.map((g) => {
      const s = this.#segs.find((x) => x.entry.name === g) ?? fresh.find((x) => x.entry.name === g);
      if (!s) throw new StorageError('IO_ERROR', `merge: segment ${g} is not open`);
      return s;
    });
    // live documents of every source, by global id
    const picks: { id: number; s: number; o: number }[] = [];
    sources.forEach((src, s) => {
      for (let o = 0; o < src.docids.length; o++) if (!src.del.has(o)) picks.push({ id: src.docids[o]!, s, o });
    });
    picks.sort((a, b) => a.id - b.id);
    if (picks.length === 0) return null;
    const ids = Uint32Array.from(picks, (p) => p.id);
    let sparse: SparseVector[] | null = null;
    let lengths: Float32Array | undefined;
    if (this.channels.sparse) {
      const fwd = sources.map((src) => forwardIndex(src.sparse!));
      sparse = picks.map((p) => fwd[p.s]!(p.o));
      lengths = Float32Array.from(picks, (p) => sources[p.s]!.sparse!.doclen[p.o]!);
    }
    let mv: { vstart: Uint32Array; raw: MvRaw | MvCodesRaw } | null = null;
    const mvCfg = this.channels.multivector;
    if (mvCfg)
      mv = (isCompressed(mvCfg) ? concatCodes : concatArenas)(
        mvCfg,
        sources.map((s) => s.mv!),
        picks,
      );
    const dn = this.channels.dense;
    let dense: { rows: DenseRows; graph?: (file: string) => void } | null = null;
    if (dn) {
      // the biggest deletion-free source's graph is reused (the others' vectors inserted into it)
      const rows = mergedDenseRows(
        sources.map((s) => s.dense!),
        picks,
      );
      const graph = reuseBiggest(
        sources.map((s) => ({ dense: s.dense!, deleted: s.del.count })),
        picks,
        rows,
      );
      dense = { rows, ...(graph ? { graph } : {}) };
    }
    const e = await this.#writeSegment(name, ids, { sparse, lengths, mv, dense }, created);
    fresh.push(await this.#openSegment(e));
    return e;
  }

  /** Removes segment files not in `keep` (orphans of failed commits, merged-away segments), and versioned lists not in `lists`. */
  async #collect(keep: Set<string>, lists: Set<string> | null): Promise<void> {
    const names = await this.#fs.readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) {
      const list = lists !== null && (VERSIONED_SEGMENTS.test(n) || /^segments-\d{6,}\.json\.tmp$/.test(n)) && !lists.has(n);
      if ((SEG_FILE.test(n) && !keep.has(n)) || list) await this.#fs.rm(path.join(this.dir, n)).catch(() => undefined);
    }
  }

  /**
   * A versioned store's garbage collection, run by its owner once its own commit point is
   * durable: removes every versioned list but `lists` (the one in force is always kept) and
   * every segment file none of the kept lists names. Best effort: a list that cannot be read
   * stops the collection (nothing is removed).
   *
   * @example
   * ```ts
   * await store.collect([store.manifestFile]);
   * ```
   */
  async collect(lists: readonly string[]): Promise<void> {
    this.#check();
    const names = new Set([...lists, this.#file]);
    const keep = new Set<string>();
    for (const n of names) {
      if (!VERSIONED_SEGMENTS.test(n) && n !== SEGMENTS_FILE) return;
      const m =
        n === this.#file
          ? this.#manifest
          : await readSegments(this.dir, this.#fs, n).then(
              (r) => r.manifest,
              () => null,
            );
      if (m === null) return;
      for (const f of m.segments.flatMap(segmentFiles)) keep.add(f);
    }
    await this.#collect(keep, names);
  }

  /**
   * Exact top-k of the sparse channel over every live committed document (MaxScore per
   * segment, or exhaustive with `exhaustive: true`), best first, ties by lower id.
   *
   * @example
   * ```ts
   * const { ids, scores } = store.searchSparse(query, 10, { filter: (id) => id % 2 === 0 });
   * ```
   */
  searchSparse(query: SparseVector, k: number, opts: { filter?: (id: number) => boolean; exhaustive?: boolean; extra?: SparseStatsExtra /** @internal only the segments at these indexes (statistics stay global) */; segs?: readonly number[] } = {}): Ranked {
    this.#check();
    const cfg = this.channels.sparse;
    if (!cfg) invalid('INVALID_ARGUMENT', 'searchSparse: this store has no sparse channel');
    validateSparseVector(query, 'query');
    if (!Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    if (opts.filter !== undefined && typeof opts.filter !== 'function') invalid('INVALID_ARGUMENT', 'filter must be a function (id) => boolean');
    return this.sparseTopK(query, k, this.#globalStats(query, opts.extra), opts.segs ?? null, opts.filter, opts.exhaustive === true);
  }

  /** The statistics of `query` over every segment ({@link segmentSparseStats}) plus an owner's in-memory tail. */
  #globalStats(query: SparseVector, extra: SparseStatsExtra | undefined): SparseStats {
    const stats = this.segmentSparseStats(query);
    if (extra) {
      stats.N += extra.docs;
      stats.len += extra.len;
      for (let i = 0; i < query.ids.length; i++) if (query.weights[i] !== 0) stats.df[i]! += extra.df(query.ids[i]!);
    }
    return stats;
  }

  /**
   * What scoring `query` under `stats` needs (N > 0): each entry's multiplier (its weight for
   * dot, weight · idf · (k1 + 1) for BM25; 0 when its weight or live df is 0) and the length terms.
   */
  #sparseScoring(query: SparseVector, stats: SparseStats): { bm25: boolean; qf: Float64Array; lenConst: number; lenSlope: number } {
    const cfg = this.channels.sparse!;
    const bm25 = cfg.scorer === 'bm25';
    const avgdl = stats.len / stats.N;
    const qf = new Float64Array(query.ids.length);
    for (let i = 0; i < qf.length; i++) {
      const w = query.weights[i]!;
      const df = stats.df[i]!;
      qf[i] = w === 0 || df === 0 ? 0 : bm25 ? w * bm25Idf(stats.N, df) * (cfg.k1 + 1) : w;
    }
    return { bm25, qf, lenConst: cfg.k1 * (1 - cfg.b), lenSlope: avgdl > 0 ? (cfg.k1 * cfg.b) / avgdl : 0 };
  }

  /**
   * Internal (search pool): the sparse statistics of `query` over the live documents of the
   * segments at indexes `segs` (null: all): live count, Σ length, and the live df of each query
   * entry. Summing these over disjoint subsets gives the global statistics (searchSparse adds an
   * owner's in-memory tail, `extra`, on top). Query checked by the caller.
   *
   * @internal
   */
  segmentSparseStats(query: SparseVector, segs: readonly number[] | null = null): SparseStats {
    this.#check();
    const all = this.#segs;
    const S = all.length;
    let N = 0;
    let len = 0;
    const n = segs === null ? S : segs.length;
    for (let x = 0; x < n; x++) {
      const s = all[segs === null ? x : segs[x]!]!;
      N += s.entry.docs - s.del.count;
      len += s.liveLen;
    }
    const slots = this.#termSlots(query.ids);
    const df = new Float64Array(query.ids.length);
    for (let i = 0; i < query.ids.length; i++) {
      if (query.weights[i] === 0) continue;
      let f = 0;
      for (let x = 0; x < n; x++) {
        const j = segs === null ? x : segs[x]!;
        const slot = slots[i * S + j]!;
        if (slot >= 0) f += liveDf(all[j]!, slot);
      }
      df[i] = f;
    }
    return { N, len, df };
  }

  /**
   * Per term id, its slot in each segment of `segs` (-1 when absent): a term's binary searches
   * over the segments' dictionaries (each probe a likely cache miss) are made once while the
   * segment list stays the same, not once per query. At most {@link TERM_CACHE_MAX} terms
   * (then cleared and refilled).
   */
  #termCache: { segs: readonly Live[]; map: Map<number, number>; pool: Int32Array; used: number } | null = null;

  /** Slot of each query term in each segment's dictionary (term-major: [i × segments + j], -1 when absent), from the term cache. */
  #termSlots(ids: Uint32Array): Int32Array {
    const all = this.#segs;
    const S = all.length;
    // the cached slots sit in one pool (S values per term, at the offset the map gives)
    let tc = this.#termCache;
    if (tc === null || tc.segs !== all || tc.used + ids.length > TERM_CACHE_MAX) tc = this.#termCache = { segs: all, map: new Map(), pool: new Int32Array(64 * S), used: 0 };
    const slots = new Int32Array(ids.length * S);
    for (let i = 0; i < ids.length; i++) {
      const t = ids[i]!;
      let at = tc.map.get(t);
      if (at === undefined) {
        at = tc.used++ * S;
        if (at + S > tc.pool.length) {
          const grown = new Int32Array(2 * tc.pool.length);
          grown.set(tc.pool);
          tc.pool = grown;
        }
        for (let j = 0; j < S; j++) tc.pool[at + j] = all[j]!.sparse!.slotOf(t);
        tc.map.set(t, at);
      }
      for (let j = 0; j < S; j++) slots[i * S + j] = tc.pool[at + j]!;
    }
    return slots;
  }

  /**
   * Internal (search pool): the exact top-k of the segments at indexes `segs` (null: all)
   * under the global statistics `stats` (from {@link segmentSparseStats}); `filter` takes global ids.
   * Merging the results of disjoint subsets with {@link TopK} gives {@link searchSparse}'s.
   *
   * @internal
   */
  sparseTopK(query: SparseVector, k: number, stats: SparseStats, segs: readonly number[] | null, filter?: (id: number) => boolean, exhaustive = false): Ranked {
    this.#check();
    const all = this.#segs;
    const N = stats.N;
    if (N === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0) };
    // the query terms (query order) with their global multiplier
    const { bm25, qf: qfOf, lenConst, lenSlope } = this.#sparseScoring(query, stats);
    const S = all.length;
    const slots = this.#termSlots(query.ids);
    const n = query.ids.length;
    const kk = Math.min(k, N);
    const global = new TopK(kk);
    // per segment the bound of each query term it holds (row x of `ubs`, 0: absent) and the
    // best score it can give
    const picked = segs === null ? S : segs.length;
    const ubs = new Float64Array(picked * n);
    const plans: { x: number; j: number; best: number }[] = [];
    for (let x = 0; x < picked; x++) {
      const j = segs === null ? x : segs[x]!;
      const seg = all[j]!;
      if (seg.entry.docs - seg.del.count === 0) continue;
      const sp = seg.sparse!;
      let best = 0;
      let held = false;
      for (let i = 0; i < n; i++) {
        const slot = slots[i * S + j]!;
        const qf = qfOf[i]!;
        if (qf === 0 || slot < 0) continue;
        const ub = bm25 ? sp.bm25Bound(slot, qf, lenConst, lenSlope) : qf * sp.maxw[slot]!;
        ubs[x * n + i] = ub;
        best += ub;
        held = true;
      }
      if (held) plans.push({ x, j, best });
    }
    // one top-k over every segment (scores use the global statistics, so they compare across
    // segments), as one index's MaxScore keeps it: the segment that can score highest first, so
    // the running k-th score rises early and prunes the others from their first posting; a
    // segment whose best possible score cannot reach it is not read at all. One query buffer
    // serves the segments in turn (q.m of its entries used)
    plans.sort((a, b) => b.best - a.best || a.j - b.j);
    const q: PreparedQuery = { m: 0, termIds: new Uint32Array(n), start: new Uint32Array(n), end: new Uint32Array(n), qf: new Float64Array(n), ub: new Float64Array(n), qw: new Float32Array(n) };
    for (const { x, j, best } of plans) {
      const seg = all[j]!;
      const sp = seg.sparse!;
      // the k-th score so far, lowered by more than an f32 rounding (scores are f32 of f64
      // sums): a document tying with it at a lower id can still enter
      const th = global.threshold();
      if (!exhaustive && best < th - Math.abs(th) * 1e-6) continue;
      let y = 0;
      for (let i = 0; i < n; i++) {
        const slot = slots[i * S + j]!;
        const qf = qfOf[i]!;
        if (qf === 0 || slot < 0) continue;
        sp.ensureList(slot); // first touch: just this list's blocks
        q.termIds[y] = query.ids[i]!;
        q.start[y] = sp.offsets[slot]!;
        q.end[y] = sp.offsets[slot + 1]!;
        q.qf[y] = qf;
        q.qw[y] = query.weights[i]!;
        q.ub[y] = ubs[x * n + i]!;
        y++;
      }
      q.m = y;
      const { docs, weights } = sp.postingViews();
      const ctx: ScoreContext = { bm25, lenConst, lenSlope, docLen: sp.doclen, state: seg.state };
      const lists = new SegmentLists(docs, weights);
      const f = filter;
      const byOrd = f === undefined ? undefined : (o: number) => f(seg.docids[o]!);
      if (exhaustive) {
        const got = searchExhaustive(ctx, lists, q, Math.min(kk, seg.entry.docs - seg.del.count), byOrd).drain();
        for (let i = 0; i < got.ids.length; i++) global.offer(got.scores[i]!, seg.docids[got.ids[i]!]!);
      } else searchMaxScore(ctx, lists, q, kk, byOrd, -Infinity, { heap: global, ids: seg.docids }); // one top-k across the segments
      sp.file.mapping.check();
    }
    return global.drain();
  }

  /**
   * Exact sparse scores of the given ids, in their order (re-ranking), bit for bit what
   * {@link searchSparse} reports for them (same statistics, `extra` included); 0 for an id
   * that is not live and committed or shares no term with the query.
   *
   * @example
   * ```ts
   * const s = store.scoreSparse(query, [3, 17, 42]);
   * ```
   */
  scoreSparse(query: SparseVector, ids: ArrayLike<number>, opts: { extra?: SparseStatsExtra } = {}): Float32Array {
    this.#check();
    const cfg = this.channels.sparse;
    if (!cfg) invalid('INVALID_ARGUMENT', 'scoreSparse: this store has no sparse channel');
    validateSparseVector(query, 'query');
    const out = new Float32Array(ids.length);
    if (ids.length === 0) return out;
    const segs = this.#segs;
    const stats = this.#globalStats(query, opts.extra);
    if (stats.N === 0) return out;
    const { bm25, qf, lenConst, lenSlope } = this.#sparseScoring(query, stats);
    const S = segs.length;
    const slots = this.#termSlots(query.ids);
    // the terms with a live document somewhere, with their global multiplier
    const tq: number[] = [];
    const tslot: number[] = []; // term-major rows of `slots`
    for (let i = 0; i < qf.length; i++) {
      if (qf[i] === 0) continue;
      tq.push(qf[i]!);
      tslot.push(i * S);
    }
    for (let i = 0; i < ids.length; i++) {
      const j = this.#locate(ids[i]!);
      if (j < 0) continue;
      const ord = this.#ord;
      const seg = segs[j]!;
      const sp = seg.sparse!;
      const { docs, weights } = sp.postingViews();
      const ctx: ScoreContext = { bm25, lenConst, lenSlope, docLen: sp.doclen, state: seg.state };
      let sc = 0;
      for (let t = 0; t < tq.length; t++) {
        const slot = slots[tslot[t]! + j]!;
        if (slot < 0) continue;
        sp.ensureList(slot);
        const end = sp.offsets[slot + 1]!;
        const p = gallop(docs, sp.offsets[slot]!, end, ord);
        if (p < end && docs[p] === ord) sc += contribution(ctx, tq[t]!, weights[p]!, ord);
      }
      sp.file.mapping.check();
      out[i] = Math.fround(sc);
    }
    return out;
  }

  /**
   * The sparse statistics of the live committed documents: their number, Σ length (f64, summed
   * per segment as searchSparse does) and the document frequency of each of `termIds`.
   *
   * @example
   * ```ts
   * const { docs, len, df } = store.sparseStats(Uint32Array.of(5, 9));
   * ```
   */
  sparseStats(termIds: ArrayLike<number>): { docs: number; len: number; df: Float64Array } {
    this.#check();
    if (!this.channels.sparse) invalid('INVALID_ARGUMENT', 'sparseStats: this store has no sparse channel');
    let docs = 0;
    let len = 0;
    const df = new Float64Array(termIds.length);
    for (const s of this.#segs) {
      docs += s.entry.docs - s.del.count;
      len += s.liveLen;
      for (let i = 0; i < termIds.length; i++) {
        const slot = s.sparse!.slotOf(termIds[i]!);
        if (slot >= 0) df[i]! += liveDf(s, slot);
      }
    }
    return { docs, len, df };
  }

  /**
   * Exhaustive MaxSim over every live committed document, best first, ties by lower id.
   *
   * @example
   * ```ts
   * const { ids, scores } = store.searchMultiVector({ data: q, dim: 64, count: 8 }, 10);
   * ```
   */
  searchMultiVector(query: MultiVector, k: number, opts: { filter?: (id: number) => boolean /** @internal only the segments at these indexes */; segs?: readonly number[] } = {}): Ranked {
    this.#check();
    const cfg = this.channels.multivector;
    if (!cfg) invalid('INVALID_ARGUMENT', 'searchMultiVector: this store has no multivector channel');
    if (!Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    const q = checkQuery(query, cfg.dim, 'searchMultiVector');
    const f = opts.filter;
    if (f !== undefined && typeof f !== 'function') invalid('INVALID_ARGUMENT', 'filter must be a function (id) => boolean');
    return this.multiVectorTopK(q, k, opts.segs ?? null, f);
  }

  /**
   * The multi-vector channel's own candidates: for `residual`, PLAID centroid interaction per
   * segment through its inverted lists (built on first use, see mv-first-stage.ts), the best
   * `ndocs` per segment scored exactly; other dtypes an exhaustive scan (as searchMultiVector).
   * Scores are exact, best first, ties by lower id; never a deleted or filtered-out document.
   *
   * @example
   * ```ts
   * const { ids, scores } = store.candidatesMultiVector({ data: q, dim: 128, count: 8 }, 100);
   * ```
   */
  candidatesMultiVector(query: MultiVector, k: number, opts: FirstStageOptions & { filter?: (id: number) => boolean /** @internal only the segments at these indexes */; segs?: readonly number[] } = {}): Ranked {
    this.#check();
    const cfg = this.channels.multivector;
    if (!cfg) invalid('INVALID_ARGUMENT', 'candidatesMultiVector: this store has no multivector channel');
    if (!Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    for (const n of ['nprobe', 'ndocs'] as const) {
      const v = opts[n];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) invalid('INVALID_ARGUMENT', `candidatesMultiVector: ${n} must be a positive integer, got ${String(v)}`);
    }
    const q = checkQuery(query, cfg.dim, 'candidatesMultiVector');
    if (opts.filter !== undefined && typeof opts.filter !== 'function') invalid('INVALID_ARGUMENT', 'filter must be a function (id) => boolean');
    if (cfg.dtype !== 'residual') return this.multiVectorTopK(q, k, opts.segs ?? null, opts.filter);
    // each segment answers on its own (then merged): a subset's answer merges with the rest's
    return firstStageMv(
      (opts.segs ? opts.segs.map((j) => this.#segs[j]!) : this.#segs).map((s) => ({ mv: s.mv!, docids: s.docids, del: s.del })),
      q,
      k,
      opts,
    );
  }

  /**
   * Internal (search pool): exhaustive MaxSim top-k of the segments at indexes `segs` (null:
   * all); `filter` takes global ids. Query checked by the caller.
   *
   * @internal
   */
  multiVectorTopK(q: { data: Float32Array; count: number }, k: number, segs: readonly number[] | null, f?: (id: number) => boolean): Ranked {
    this.#check();
    const allIds: number[] = [];
    const allScores: number[] = [];
    for (const seg of segs === null ? this.#segs : segs.map((j) => this.#segs[j]!)) {
      const ords: number[] = [];
      for (let o = 0; o < seg.docids.length; o++) if (!seg.del.has(o) && (f === undefined || f(seg.docids[o]!) === true)) ords.push(o);
      const ord = Uint32Array.from(ords);
      const out = new Float32Array(ord.length);
      seg.mv!.maxsim(q.data, q.count, ord, out);
      const best = topK(
        out,
        Uint32Array.from(ord, (o) => seg.docids[o]!),
        k,
      );
      for (let i = 0; i < best.ids.length; i++) {
        allIds.push(best.ids[i]!);
        allScores.push(best.scores[i]!);
      }
    }
    return topK(Float32Array.from(allScores), Uint32Array.from(allIds), k);
  }

  /**
   * MaxSim of the given live documents, in their order (re-ranking). UNKNOWN_ID when one is
   * not live or not committed.
   *
   * @example
   * ```ts
   * const s = store.scoreMultiVector(query, [3, 17, 42]);
   * ```
   */
  scoreMultiVector(query: MultiVector, ids: ArrayLike<number>): Float32Array {
    return this.#scoreMultiVector(query, ids, true);
  }

  /**
   * Internal (an owner that also holds documents elsewhere): {@link scoreMultiVector} with 0
   * for the ids that are not live committed documents here, instead of UNKNOWN_ID.
   *
   * @internal
   */
  scoreMultiVectorHeld(query: MultiVector, ids: ArrayLike<number>): Float32Array {
    return this.#scoreMultiVector(query, ids, false);
  }

  #scoreMultiVector(query: MultiVector, ids: ArrayLike<number>, strict: boolean): Float32Array {
    this.#check();
    const cfg = this.channels.multivector;
    if (!cfg) invalid('INVALID_ARGUMENT', 'scoreMultiVector: this store has no multivector channel');
    const q = checkQuery(query, cfg.dim, 'scoreMultiVector');
    const n = ids.length;
    const out = new Float32Array(n);
    const segs = this.#segs;
    const segOf = new Int32Array(n);
    const ordOf = new Uint32Array(n);
    const per = new Uint32Array(segs.length);
    for (let i = 0; i < n; i++) {
      const j = this.#locate(ids[i]!);
      if (j < 0 && strict) invalid('UNKNOWN_ID', `scoreMultiVector: ${String(ids[i])} is not a live committed document`);
      segOf[i] = j;
      ordOf[i] = j < 0 ? 0 : this.#ord;
      if (j >= 0) per[j]!++;
    }
    for (let j = 0; j < segs.length; j++) {
      if (per[j] === n && n > 0) {
        segs[j]!.mv!.maxsim(q.data, q.count, ordOf, out); // all in one segment: no gather
        return out;
      }
    }
    // grouped by segment in one pass (a counting sort), each group scored by one kernel call
    const at = new Uint32Array(segs.length + 1);
    for (let j = 0; j < segs.length; j++) at[j + 1] = at[j]! + per[j]!;
    const ords = new Uint32Array(at[segs.length]!);
    const pos = new Uint32Array(ords.length);
    const fill = at.slice(0, segs.length);
    for (let i = 0; i < n; i++) {
      const j = segOf[i]!;
      if (j < 0) continue;
      const w = fill[j]!++;
      ords[w] = ordOf[i]!;
      pos[w] = i;
    }
    const part = new Float32Array(ords.length);
    for (let j = 0; j < segs.length; j++) {
      if (per[j] === 0) continue;
      segs[j]!.mv!.maxsim(q.data, q.count, ords.subarray(at[j]!, at[j + 1]!), part.subarray(at[j]!, at[j + 1]!));
    }
    for (let x = 0; x < ords.length; x++) out[pos[x]!] = part[x]!;
    return out;
  }

  /**
   * Internal (search pool): MaxSim of those of `ids` that are live in the segments at indexes
   * `segs`; `found[i]` is 1 where `scores[i]` was computed. Query checked by the caller.
   *
   * @internal
   */
  scoreMultiVectorIn(q: { data: Float32Array; count: number }, ids: Uint32Array, segs: readonly number[]): { scores: Float32Array; found: Uint8Array } {
    this.#check();
    const n = ids.length;
    const scores = new Float32Array(n);
    const found = new Uint8Array(n);
    for (const j of segs) {
      const seg = this.#segs[j]!;
      const ords: number[] = [];
      const pos: number[] = [];
      for (let i = 0; i < n; i++) {
        if (found[i]) continue;
        const o = indexOfSorted(seg.docids, ids[i]!);
        if (o < 0 || seg.del.has(o)) continue;
        found[i] = 1;
        ords.push(o);
        pos.push(i);
      }
      if (ords.length === 0) continue;
      const part = new Float32Array(ords.length);
      seg.mv!.maxsim(q.data, q.count, Uint32Array.from(ords), part);
      for (let x = 0; x < part.length; x++) scores[pos[x]!] = part[x]!;
    }
    return { scores, found };
  }

  /**
   * Top-k of the dense channel over every live committed document, best first, ties by lower
   * id; scores are inner products with the stored (normalised) vectors, bit for bit what
   * DenseIndex's rows give. Per segment: an exact scan when `exact` is true, or unset and the
   * segment is small (docs × dim ≤ EXACT_BELOW_VALUES, as DenseIndex decides for a whole
   * index); else its HNSW graph: without a filter, every graph segment walked in one native call
   * into a shared top-k with exact scores; with one, usearch's view per segment, oversampled past
   * deleted and filtered ids and rescored exactly (dense-search.ts).
   *
   * @example
   * ```ts
   * const { ids, scores } = store.searchDense(q, 10, { exact: true });
   * ```
   */
  searchDense(query: Float32Array, k: number, opts: { filter?: (id: number) => boolean; exact?: boolean } = {}): Ranked {
    this.#check();
    const cfg = this.channels.dense;
    if (!cfg) invalid('INVALID_ARGUMENT', 'searchDense: this store has no dense channel');
    if (!Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    const q = checkDenseQuery(query, cfg.dim, 'searchDense');
    if (opts.filter !== undefined && typeof opts.filter !== 'function') invalid('INVALID_ARGUMENT', 'filter must be a function (id) => boolean');
    return denseTopK(this.#segs as DensePart[], q, k, opts.filter, opts.exact);
  }

  /**
   * The walk plan of an unfiltered dense top-k over the committed segments (dense-search.ts's
   * DenseWalkPlan: part indexes are segment indexes), or null when the walk does not apply. For
   * a split search over the store pool's workers. @internal
   */
  densePlan(k: number, exact: boolean | undefined): DenseWalkPlan | null {
    this.#check();
    if (!this.channels.dense) return null;
    return denseWalkPlan(this.#segs as DensePart[], k, undefined, exact);
  }

  /**
   * One worker's share of a split dense search: the exact top-k of segments `scans` and one
   * walk of graph segments `graphs` at `breadth` (dense-search.ts). @internal
   */
  searchDensePart(query: Float32Array, k: number, scans: readonly number[], graphs: readonly number[], breadth: readonly number[]): { scan: Ranked; walk: Ranked } {
    this.#check();
    const cfg = this.channels.dense;
    if (!cfg) invalid('INVALID_ARGUMENT', 'searchDensePart: this store has no dense channel');
    if (!Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    const q = checkDenseQuery(query, cfg.dim, 'searchDensePart');
    const n = this.#segs.length;
    if ([...scans, ...graphs].some((i) => !Number.isInteger(i) || i < 0 || i >= n) || breadth.length !== graphs.length) invalid('INVALID_ARGUMENT', `searchDensePart: segment indexes must be below ${n}, one breadth per graph segment`);
    const parts = this.#segs as DensePart[];
    return { scan: denseScanPart(parts, q, k, scans), walk: denseWalkPart(parts, q, k, graphs, breadth) };
  }

  /** dense-search.ts's widenHolder over the committed segments (a split search's widening). @internal */
  widenDense(plan: DenseWalkPlan, hits: Ranked, k: number): number {
    return widenHolder(this.#segs as DensePart[], plan, hits, k);
  }

  /**
   * Exact dense scores of the given ids, in their order (re-ranking): the inner product of the
   * query with each stored vector. UNKNOWN_ID when one is not live or not committed.
   *
   * @example
   * ```ts
   * const s = store.scoreDense(q, [3, 17, 42]);
   * ```
   */
  scoreDense(query: Float32Array, ids: ArrayLike<number>): Float32Array {
    return this.#scoreDense(query, ids, true);
  }

  /**
   * Internal (an owner that also holds documents elsewhere): {@link scoreDense} with 0 for the
   * ids that are not live committed documents here, instead of UNKNOWN_ID.
   *
   * @internal
   */
  scoreDenseHeld(query: Float32Array, ids: ArrayLike<number>): Float32Array {
    return this.#scoreDense(query, ids, false);
  }

  #scoreDense(query: Float32Array, ids: ArrayLike<number>, strict: boolean): Float32Array {
    this.#check();
    const cfg = this.channels.dense;
    if (!cfg) invalid('INVALID_ARGUMENT', 'scoreDense: this store has no dense channel');
    const q = checkDenseQuery(query, cfg.dim, 'scoreDense');
    const n = ids.length;
    const segOf = new Int32Array(n);
    const ordOf = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const j = this.#locate(ids[i]!);
      if (j < 0 && strict) invalid('UNKNOWN_ID', `scoreDense: ${String(ids[i])} is not a live committed document`);
      segOf[i] = j;
      ordOf[i] = j < 0 ? 0 : this.#ord;
    }
    return scoreDenseIn(this.#segs as DensePart[], q, segOf, ordOf);
  }

  /**
   * Checks every section checksum and every posting / vector of every live segment now
   * (instead of on first touch). Throws StorageError naming the file and section.
   *
   * @example
   * ```ts
   * store.verify();
   * ```
   */
  verify(): void {
    this.#check();
    for (const s of this.#segs) {
      s.sparse?.verify();
      s.mv?.verify();
      s.dense?.verify();
    }
  }

  /** Per-segment figures: documents, deletions, bytes, whether mapped, and whether promoted into anonymous memory (MapOptions.promote). */
  stats(): { segments: { name: string; docs: number; deleted: number; bytes: number; mapped: boolean; promoted: boolean }[]; pending: number } {
    return {
      segments: this.#segs.map((s) => {
        const m = (s.sparse ?? s.mv ?? s.dense)!.file.mapping;
        return { name: s.entry.name, docs: s.entry.docs, deleted: s.del.count, bytes: Object.values(s.entry.bytes).reduce((a, b) => a + b, 0), mapped: m.mapped, promoted: m.promoted };
      }),
      pending: this.#pending.size,
    };
  }

  /**
   * Drops every mapping reference and pending work; later calls throw INDEX_CLOSED. Idempotent.
   *
   * @example
   * ```ts
   * store.close();
   * ```
   */
  close(): void {
    this.#closeAll();
    this.#pending.clear();
    this.#closed = true;
  }

  #closeAll(): void {
    for (const s of this.#segs) closeLive(s);
    this.#segs = [];
  }
}

function closeLive(s: Live): void {
  s.sparse?.close();
  s.mv?.close();
  s.dense?.close();
}

/** The pending documents' dense rows, normalised as DenseIndex normalises them, a block at a time. */
function denseRowsOf(cfg: DenseSegmentConfig, docs: SegmentDoc[]): DenseRows {
  return (from, count) => {
    const out = new Float32Array(count * cfg.dim);
    for (let i = 0; i < count; i++) normalisedInto(docs[from + i]!.dense!, cfg.dim, 'dense', out, i * cfg.dim);
    return out;
  };
}

/** The picked documents' stored dense vectors (f16 decodes exactly to the f32 it re-encodes to), a block at a time. */
function mergedDenseRows(sources: DenseSegment[], picks: { s: number; o: number }[]): DenseRows {
  const d = sources[0]!.cfg.dim;
  return (from, count) => {
    const out = new Float32Array(count * d);
    for (let i = 0; i < count; i++) {
      const p = picks[from + i]!;
      out.set(sources[p.s]!.rows([p.o]), i * d);
    }
    return out;
  };
}

/** Σ doclen of the live documents in ordinal order (f64). */
function sparseLiveLen(s: Live): number {
  if (!s.sparse) return 0;
  if (s.del.count === 0) return s.sparse.totalLen;
  let t = 0;
  const l = s.sparse.doclen;
  for (let o = 0; o < l.length; o++) if (s.state[o] === 1) t += l[o]!;
  return t;
}

function liveDf(s: Live, slot: number): number {
  const sp = s.sparse!;
  const a = sp.offsets[slot]!;
  const e = sp.offsets[slot + 1]!;
  if (s.del.count === 0) return e - a;
  let n = s.liveDf.get(slot);
  if (n === undefined) {
    n = 0;
    sp.ensureList(slot);
    const docs = sp.postingViews().docs;
    for (let p = a; p < e; p++) if (s.state[docs[p]!] === 1) n++;
    s.liveDf.set(slot, n);
  }
  return n;
}

/** ordinal → its sparse vector (terms ascending), rebuilt from a segment's postings. */
function forwardIndex(sp: SparseSegment): (ord: number) => SparseVector {
  const { docs, weights } = sp.postingArrays();
  const count = new Uint32Array(sp.docs + 1);
  for (let p = 0; p < docs.length; p++) count[docs[p]! + 1]!++;
  for (let o = 0; o < sp.docs; o++) count[o + 1]! += count[o]!;
  const fill = count.slice(0, sp.docs);
  const ids = new Uint32Array(docs.length);
  const ws = new Float32Array(docs.length);
  for (let t = 0; t < sp.terms; t++) {
    for (let p = sp.offsets[t]!; p < sp.offsets[t + 1]!; p++) {
      const at = fill[docs[p]!]!++;
      ids[at] = sp.termids[t]!;
      ws[at] = weights[p]!;
    }
  }
  return (o) => ({ ids: ids.subarray(count[o]!, count[o + 1]!), weights: ws.subarray(count[o]!, count[o + 1]!) });
}

function rawFromDocs(cfg: MvChannelConfig, docs: SegmentDoc[]): { vstart: Uint32Array; raw: MvRaw | MvCodesRaw } {
  if (isCompressed(cfg))
    return buildCodes(
      cfg,
      docs.map((d) => d.multivector!),
    );
  const { arena, vstart } = buildArena(
    { dim: cfg.dim, dtype: cfg.dtype as 'f32' | 'f16' | 'i8' },
    docs.map((d) => d.multivector!),
    docs.map((d) => d.multivectorStored),
  );
  return { vstart, raw: rawOf(arena) };
}

/** The picked documents' vectors, copied from the sources' mapped arenas in pick order. */
function concatArenas(cfg: MvChannelConfig, sources: MvSegment[], picks: { s: number; o: number }[]): { vstart: Uint32Array; raw: MvRaw } {
  const dim = cfg.dim;
  const vstart = new Uint32Array(picks.length + 1);
  picks.forEach((p, i) => {
    const src = sources[p.s]!;
    vstart[i + 1] = vstart[i]! + (src.vstart[p.o + 1]! - src.vstart[p.o]!);
  });
  const nv = vstart[picks.length]!;
  const first = sources[0]!.arena();
  const Ctor = first.vectors.constructor as { new (n: number): Float32Array | Uint16Array | Int8Array };
  const vectors = new Ctor(nv * dim);
  const scales = first.scales ? new Float32Array(nv) : null;
  const tokens = new Uint32Array(nv);
  const spans = new Uint32Array(2 * nv);
  picks.forEach((p, i) => {
    const src = sources[p.s]!;
    const a = src.vstart[p.o]!;
    const e = src.vstart[p.o + 1]!;
    const at = vstart[i]!;
    const arena = src.arena();
    const ex = src.extras();
    (vectors as Float32Array).set((arena.vectors as Float32Array).subarray(a * dim, e * dim), at * dim);
    if (scales) scales.set(arena.scales!.subarray(a, e), at);
    tokens.set(ex.tokens.subarray(a, e), at);
    spans.set(ex.spans.subarray(2 * a, 2 * e), 2 * at);
  });
  return { vstart, raw: { vectors, scales, tokens, spans } };
}

/**
 * The picked documents' compressed vectors in pick order. Binary: the sources' codes copied
 * (lossless). Residual: the sources' vectors decoded from their codes (each with its own
 * segment's codebook) are the merged segment's training sample and are re-encoded with the
 * new codebook, document by document (no f32 copy of the merged segment is held).
 */
function concatCodes(cfg: MvChannelConfig, sources: MvSegment[], picks: { s: number; o: number }[]): { vstart: Uint32Array; raw: MvCodesRaw } {
  const vstart = new Uint32Array(picks.length + 1);
  picks.forEach((p, i) => {
    const src = sources[p.s]!;
    vstart[i + 1] = vstart[i]! + (src.vstart[p.o + 1]! - src.vstart[p.o]!);
  });
  const bits = bitsOf(cfg);
  const bytes = codesBytes(cfg.dim, bits);
  let raw: MvCodesRaw;
  if (cfg.dtype === 'binary') {
    const nv = vstart[picks.length]!;
    raw = { codes: new Uint8Array(nv * bytes), cids: null, norms: null, codebook: null, tokens: new Uint32Array(nv), spans: new Uint32Array(2 * nv) };
    picks.forEach((p, i) => {
      const src = sources[p.s]!;
      raw.codes.set(src.codes().codes.subarray(src.vstart[p.o]! * bytes, src.vstart[p.o + 1]! * bytes), vstart[i]! * bytes);
    });
  } else {
    let scratch = new Float32Array(0);
    raw = compressDocs({ dim: cfg.dim, dtype: 'residual', bits, ...(cfg.centroids !== undefined ? { centroids: cfg.centroids } : {}) }, vstart, (i) => {
      const p = picks[i]!;
      const src = sources[p.s]!;
      const a = src.vstart[p.o]!;
      const e = src.vstart[p.o + 1]!;
      if (scratch.length < (e - a) * cfg.dim) scratch = new Float32Array((e - a) * cfg.dim);
      return src.decoded(a, e, scratch.subarray(0, (e - a) * cfg.dim));
    });
  }
  picks.forEach((p, i) => {
    const src = sources[p.s]!;
    const a = src.vstart[p.o]!;
    const e = src.vstart[p.o + 1]!;
    const ex = src.extras();
    raw.tokens.set(ex.tokens.subarray(a, e), vstart[i]!);
    raw.spans.set(ex.spans.subarray(2 * a, 2 * e), 2 * vstart[i]!);
  });
  return { vstart, raw };
}
