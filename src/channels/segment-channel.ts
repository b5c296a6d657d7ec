/**
 * A channel kept in segments (`HybridIndex.create({ storage: 'segments' })`): the documents of
 * the last save live in immutable segment files under `<index>/segments/<channel>/`, read
 * through memory mappings (src/segments/store.ts); documents added since then live in the
 * ordinary in-memory channel of the same kind (the "tail"). Searches cover both with exactly
 * the scores one in-memory store holding everything gives: BM25's N, df and average length
 * are global over the segments' live documents and the tail. A save writes the tail as one
 * new segment (plus the deletion bitmaps that changed) and `segments.ref.json` into the
 * generation folder, naming the versioned segment list (`segments-<gen>.json`); the index
 * manifest, which checksums that small file, stays the one commit point: the tail moves into
 * the segments only once it is replaced ({@link SegmentedChannel.settleSave}), and a save that
 * fails before it removes the files it wrote (through the index's StoreFs seam). Sparse (dot, no idf
 * modifier), BM25, multi-vector (f32 / f16 / i8 / binary / residual, no pooling) and dense
 * (f32 / f16) channels can be segmented. A compressed multi-vector segment is encoded from the
 * tail's original floats at save with a codebook trained on its own vectors (retrained at a
 * merge); a residual channel finds its own candidates through each segment's centroid lists.
 * A dense tail is an in-memory DenseChannel whose HNSW graph becomes the new segment's graph
 * file at save (no second build); dense segments keep each vector once, in usearch's file
 * (src/segments/dense-segment.ts).
 * With a StorePool attached (`searchThreads`), the segment work of a search (first stage and
 * exact scores) runs on its worker threads, which hold replicas of this channel's committed
 * list plus the deletions made since (see src/segments/store-pool.ts); the tail stays here.
 * Must never score a tail document with tail-only statistics.
 */
import * as path from 'node:path';
import { invalid, StorageError } from '../errors.js';
import { countTerms, TermVocabulary } from '../analyze/index.js';
import { TopK } from '../sparse/topk.js';
import { mergeTopK } from '../kernels/topk.js';
import type { SparseVector } from '../sparse/vector.js';
import type { SparseCollectionStats } from '../sparse/sparse-index.js';
import { checkMergeOptions, SegmentedStore, type SegmentChannels, type SegmentDoc, type TieredMergeOptions } from '../segments/index.js';
import type { StoredVectors } from '../segments/mv-segment.js';
import type { PreparedCommit } from '../segments/store.js';
import { nodeFs, type StoreFs } from '../store/index.js';
import type { StoreHandle, StorePool } from '../segments/store-pool.js';
import { VERSIONED_SEGMENTS } from '../segments/manifest.js';
import { Bm25Channel, vocabFile } from './bm25-channel.js';
import { MultiVectorChannel } from './multivector-channel.js';
import { resolveScreening } from '../multivector/store.js';
import { DenseChannel } from './dense-channel.js';
import { EXACT_BELOW_VALUES } from '../dense/dense-index.js';
import { SparseChannel } from './sparse-channel.js';
import { AdoptedValues, type TailValues } from './tail-values.js';
import type { Bm25ChannelSpec, Channel, DenseChannelSpec, OffThreadFilter, ChannelExplanation, ChannelSpec, ChannelStats, ExplainContext, MultiVectorChannelSpec, MultiVectorValue, QuerySource, SaveIO, SparseChannelSpec, SparseValue, UnitSource } from './types.js';

/** The generation file naming a segmented channel's segment list (relative to the data dir). */
export const segmentsRefFile = (name: string) => `${name}/segments.ref.json`;

/** Where a segmented channel's segments live, relative to the index directory. */
export const segmentsDir = (name: string) => `segments/${name}`;

type Segmentable = SparseChannelSpec | Bm25ChannelSpec | MultiVectorChannelSpec | DenseChannelSpec;
type Tail = SparseChannel | Bm25Channel | MultiVectorChannel | DenseChannel;
const empty = () => ({ ids: new Uint32Array(0), scores: new Float32Array(0) });

/** Why `spec` cannot be kept in segments (null: it can). */
export function unsegmentable(spec: ChannelSpec): string | null {
  if (spec.kind === 'dense' && spec.dtype === 'i8') return `dense channel '${spec.name}' has dtype 'i8', whose exact scores come from f16 rows a dense segment does not keep; use 'f16' or 'f32'`;
  if (spec.kind === 'sparse' && spec.modifier === 'idf') return `sparse channel '${spec.name}' has the 'idf' query modifier, which segments do not support yet`;
  if (spec.kind === 'multivector' && spec.poolFactor !== 1) return `multi-vector channel '${spec.name}' pools tokens (poolFactor ${spec.poolFactor}); segments hold unpooled vectors`;
  return null;
}

function segmentConfig(spec: Segmentable): SegmentChannels {
  if (spec.kind === 'sparse') return { sparse: { scorer: 'dot', k1: 0, b: 0 } };
  if (spec.kind === 'bm25') return { sparse: { scorer: 'bm25', k1: spec.k1, b: spec.b } };
  // DenseIndex's defaults (dense-index.ts) for the settings the spec leaves out
  if (spec.kind === 'dense') return { dense: { dim: spec.dimensions, dtype: spec.dtype as 'f32' | 'f16', connectivity: spec.connectivity ?? 16, expansionAdd: spec.expansionAdd ?? 128, expansionSearch: spec.expansionSearch ?? 128 } };
  // as SegmentedStore.create writes it (bits for the compressed dtypes, centroids when set)
  const compressed = spec.dtype === 'binary' || spec.dtype === 'residual';
  return { multivector: { dim: spec.dimensions, dtype: spec.dtype, ...(compressed ? { bits: spec.dtype === 'binary' ? 1 : (spec.bits ?? 2) } : {}), ...(spec.centroids !== undefined ? { centroids: spec.centroids } : {}) } };
}

/** Options of a segmented channel's store. */
export interface SegmentedChannelOptions {
  /** `<index>/segments/<channel>` */
  root: string;
  /** Merge everything into one segment at the next save (optimize()). */
  mergeAll?: boolean;
}

/** Where a channel's committed segments live (HybridIndexOptions.segmentMemory). */
type ChannelMemory = 'auto' | 'mapped' | 'resident';

/**
 * SegmentedStore's map options for a channel's segment memory: resident segments are read into
 * memory; auto ones are mapped and promoted into anonymous memory once a search reads them
 * (MapOptions.promote). A dense channel stays mapped: usearch searches each `.hnsw` graph
 * through its own mapping of the file, so a resident copy would hold every vector twice.
 */
function mapMode(memory: ChannelMemory): { mode?: 'read'; promote?: boolean } {
  return memory === 'resident' ? { mode: 'read' } : memory === 'auto' ? { promote: true } : {};
}

/** A channel's effective segment memory ('mapped' for dense channels, see mapMode). */
function channelMemory(spec: ChannelSpec, memory: ChannelMemory | undefined): ChannelMemory {
  return spec.kind === 'dense' ? 'mapped' : (memory ?? 'auto');
}

export class SegmentedChannel implements Channel<unknown, unknown> {
  readonly spec: Segmentable;
  readonly root: string;
  /** Where committed segments' bytes are held: memory-mapped files promoted into memory once searched, mapped files, or read into memory (HybridIndexOptions.segmentMemory; dense channels always mapped). */
  readonly memory: ChannelMemory;
  #seg: SegmentedStore | null;
  /** Merge settings for this channel's commits (undefined: the policy's defaults); not saved. */
  #mergePolicy: TieredMergeOptions | undefined;
  #tail: Tail;
  /** The tail's values by id, as added (moved into a segment by save). */
  #values: TailValues = new Map<number, unknown>();
  #tailLen = 0;
  #vocab: TermVocabulary | null;
  /** optimize(): the next save merges every segment into one. */
  mergeAll = false;
  /** Worker threads for the segment work (null: the main thread does it). */
  #pool: StorePool | null = null;
  /** The committed list as registered with the pool (null before the first save). */
  #handle: StoreHandle | null = null;
  /** The index's file-system seam (every segment write, fsync, rename and removal). */
  readonly #fs: StoreFs;
  /**
   * A save's commit, written but not adopted until the index manifest names it: the ids moved
   * from the tail into the store's pending set, and the directories the save created (its
   * first save creates the store).
   */
  #saving: { commit: PreparedCommit; moved: number[]; made: string[] | null } | null = null;

  private constructor(spec: Segmentable, root: string, seg: SegmentedStore | null, vocab: TermVocabulary | null, fs: StoreFs | undefined, memory: ChannelMemory = 'auto') {
    this.spec = spec;
    this.root = root;
    this.#fs = fs ?? nodeFs;
    this.memory = channelMemory(spec, memory);
    this.#seg = seg;
    this.#vocab = vocab;
    this.#tail = this.#freshTail();
    if (spec.kind === 'dense') {
      // one multi-threaded graph build for a batch, as the default storage's dense channel
      this.addBatch = (ids, values) => {
        (this.#tail as DenseChannel).addBatch(ids, values as Float32Array[]);
        for (let i = 0; i < ids.length; i++) this.#values.set(ids[i]!, values[i]);
      };
    }
  }

  /** Adds many values at once (dense channels: DenseChannel.addBatch); see Channel.addBatch. */
  addBatch?: (ids: Uint32Array, values: readonly unknown[]) => void;

  /**
   * The tiered merge policy's settings for this channel's next saves (see
   * src/segments/merge-policy.ts; undefined: its defaults). A run-time setting, as Lucene's
   * IndexWriterConfig: not saved with the index. INVALID_ARGUMENT for bad settings.
   */
  get mergePolicy(): TieredMergeOptions | undefined {
    return this.#mergePolicy;
  }

  set mergePolicy(p: TieredMergeOptions | undefined) {
    const checked = p === undefined ? undefined : { ...checkMergeOptions(p, `mergePolicy of channel '${this.name}'`) };
    if (this.#seg) this.#seg.mergePolicy = checked;
    this.#mergePolicy = checked;
  }

  /** A new, empty segmented channel; its store is created by the first save (through `fs`, default node:fs). */
  static create(spec: ChannelSpec, indexDir: string, fs?: StoreFs, memory?: ChannelMemory): SegmentedChannel {
    const why = unsegmentable(spec);
    if (why !== null) invalid('INVALID_ARGUMENT', `storage 'segments': ${why}; use the default storage for this channel configuration`);
    return new SegmentedChannel(spec, path.join(indexDir, segmentsDir(spec.name)), null, spec.kind === 'bm25' ? new TermVocabulary() : null, fs, memory);
  }

  /**
   * A segmented channel whose tail is `channel`, an in-memory channel of the default storage
   * holding `ids` (an index converted to `storage: 'segments'`): no segment yet, searches answer
   * exactly as `channel` did, and the next save writes every document of it as the first
   * segment. Values are read back from the channel's store when the save needs them (dense
   * rows, sparse vectors, token vectors decoded, BM25 terms from their frequencies), not copied.
   * INVALID_ARGUMENT when `spec` cannot be kept in segments.
   *
   * @example
   * ```ts
   * const seg = SegmentedChannel.adopt(spec, '/data/idx', loadedChannel, entries.liveInternalIds());
   * ```
   */
  static adopt(spec: ChannelSpec, indexDir: string, channel: Channel, ids: Iterable<number>, fs?: StoreFs, memory?: ChannelMemory): SegmentedChannel {
    const why = unsegmentable(spec);
    if (why !== null) invalid('INVALID_ARGUMENT', `storage 'segments': ${why}; keep the default storage for this index`);
    const live = [...ids].filter((id) => channel.has(id));
    const s = spec as Segmentable;
    let decode: (id: number) => unknown;
    let tailLen = 0;
    let vocab: TermVocabulary | null = null;
    if (s.kind === 'dense' && channel instanceof DenseChannel) decode = (id) => channel.store.vector(id);
    // token vectors: decoded (validation, compressed re-encoding) and where they sit as stored
    else if (s.kind === 'multivector' && channel instanceof MultiVectorChannel) decode = (id) => ({ ...channel.store.get(id), stored: channel.store.storedRange(id) });
    else if (s.kind === 'sparse' && channel instanceof SparseChannel) {
      const vecs = channel.store.documentVectors();
      decode = (id) => vecs.get(id);
    } else if (s.kind === 'bm25' && channel instanceof Bm25Channel) {
      const vecs = channel.store.documentVectors();
      vocab = channel.vocab;
      for (const id of live) for (const w of vecs.get(id)?.weights ?? []) tailLen += w;
      // the terms repeated by their frequency: the statistics and scores need nothing else
      decode = (id) => {
        const v = vecs.get(id);
        const terms: string[] = [];
        if (v) for (let i = 0; i < v.ids.length; i++) for (let n = 0; n < v.weights[i]!; n++) terms.push(channel.vocab.termOf(v.ids[i]!));
        return terms;
      };
    } else invalid('INVALID_ARGUMENT', `channel '${spec.name}' (${spec.kind}) is not a ${spec.kind} channel of the default storage`);
    const out = new SegmentedChannel(s, path.join(indexDir, segmentsDir(spec.name)), null, vocab, fs, memory);
    out.#tail = channel as Tail;
    out.#values = new AdoptedValues(live, decode);
    out.#tailLen = tailLen;
    return out;
  }

  /** Opens a saved segmented channel from the generation's `segments.ref.json` (maps the segments, reads headers only). */
  static async open(spec: ChannelSpec, indexDir: string, ref: unknown, vocab: TermVocabulary | null, fs?: StoreFs, memory: ChannelMemory = 'auto'): Promise<SegmentedChannel> {
    const file = segmentsRefFile(spec.name);
    const r = ref as { dir?: unknown; manifest?: unknown } | null;
    if (!r || typeof r !== 'object' || r.dir !== segmentsDir(spec.name) || typeof r.manifest !== 'string' || !VERSIONED_SEGMENTS.test(r.manifest)) {
      throw new StorageError('CORRUPT_FILE', `${file}: expected { dir: '${segmentsDir(spec.name)}', manifest: 'segments-<generation>.json' }, got ${JSON.stringify(ref)}; restore the index from a backup or rebuild it`, { file });
    }
    const root = path.join(indexDir, r.dir);
    const seg = await SegmentedStore.open(root, { versioned: true, manifest: r.manifest, mvScreening: mvScreens(spec), ...(fs ? { fs } : {}), ...mapMode(channelMemory(spec, memory)) });
    const want = segmentConfig(spec as Segmentable);
    if (JSON.stringify(want) !== JSON.stringify(seg.channels)) {
      seg.close();
      throw new StorageError('CORRUPT_FILE', `${path.join(root, r.manifest)} holds channels ${JSON.stringify(seg.channels)}, the index configuration needs ${JSON.stringify(want)}; restore the index from a backup or rebuild it`, { file: path.join(root, r.manifest) });
    }
    return new SegmentedChannel(spec as Segmentable, root, seg, vocab, fs, memory);
  }

  #freshTail(): Tail {
    const s = this.spec;
    if (s.kind === 'sparse') return new SparseChannel(s);
    if (s.kind === 'bm25') return new Bm25Channel(s, undefined, this.#vocab ?? undefined);
    if (s.kind === 'dense') return new DenseChannel(s);
    return new MultiVectorChannel(s);
  }

  get name(): string {
    return this.spec.name;
  }
  get kind(): Segmentable['kind'] {
    return this.spec.kind;
  }
  get unbounded(): boolean {
    return this.#tail.unbounded;
  }
  get firstStage(): boolean {
    return this.#tail.firstStage;
  }
  get size(): number {
    // (during a save the tail's documents are also the store's pending ones: not twice)
    return this.#tail.size + (this.#seg?.committedSize ?? 0);
  }
  /** The BM25 vocabulary (bm25 channels), shared by the tail and the segments. */
  get vocab(): TermVocabulary | null {
    return this.#vocab;
  }
  /** The segmented store (null before the first save). */
  get segments(): SegmentedStore | null {
    return this.#seg;
  }
  has(id: number): boolean {
    return this.#tail.has(id) || (this.#seg?.has(id) ?? false);
  }
  /** How many of `sorted` (ascending ids) {@link has} holds: one pass over the segments' id lists when the tail is empty (as at open). */
  countAmong(sorted: Uint32Array): number {
    if (this.#tail.size > 0 || this.#seg === null) {
      let n = 0;
      for (let i = 0; i < sorted.length; i++) if (this.has(sorted[i]!)) n++;
      return n;
    }
    return this.#seg.countLive(sorted);
  }
  prepare(unit: UnitSource): unknown {
    return this.#tail.prepare(unit);
  }
  add(id: number, value: unknown): void {
    (this.#tail as Channel).add(id, value);
    this.#values.set(id, value);
    if (this.spec.kind === 'bm25') this.#tailLen += (value as string[]).length;
  }
  remove(id: number): boolean {
    // read before the tail forgets it (an adopted tail's values are read from its store)
    const v = this.spec.kind === 'bm25' && this.#tail.has(id) ? this.#values.get(id) : undefined;
    if (this.#tail.remove(id)) {
      if (this.spec.kind === 'bm25') this.#tailLen -= (v as string[]).length;
      this.#values.delete(id);
      return true;
    }
    const gone = this.#seg?.delete(id) ?? false;
    if (gone) this.#handle?.deletes.push(id); // the workers' replicas delete it too
    return gone;
  }
  begin(): void {
    (this.#tail as Channel).begin?.();
  }
  commit(): void {
    (this.#tail as Channel).commit?.();
  }
  rollback(): void {
    (this.#tail as Channel).rollback?.();
  }
  query(q: QuerySource): unknown {
    return this.#tail.query(q);
  }

  candidates(q: unknown, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    if (this.spec.kind === 'multivector') return this.#mvCandidates(q as MultiVectorValue, k, filter);
    if (this.spec.kind === 'dense') return this.#denseCandidates(q as Float32Array, k, filter);
    const query = q as SparseVector;
    if (query.ids.length === 0) return empty();
    const seg = this.#seg;
    const extra = this.#extra();
    const top = new TopK(k);
    if (seg && seg.segments.length > 0) {
      const got = seg.searchSparse(query, k, { ...(filter ? { filter } : {}), extra });
      for (let i = 0; i < got.ids.length; i++) top.offer(got.scores[i]!, got.ids[i]!);
    }
    const tail = this.#tailTop(query, k, extra, filter);
    for (let i = 0; i < tail.ids.length; i++) top.offer(tail.scores[i]!, tail.ids[i]!);
    return top.drain();
  }

  score(q: unknown, ids: Uint32Array): Float32Array {
    const out = new Float32Array(ids.length);
    const seg = this.#seg;
    if (this.spec.kind === 'multivector' || this.spec.kind === 'dense') {
      // the segments score every id not in the tail (0 for ids they do not hold); the tail (it
      // takes precedence) its own
      const segScore = (sub: Uint32Array) => (this.spec.kind === 'dense' ? seg!.scoreDenseHeld(q as Float32Array, sub) : seg!.scoreMultiVectorHeld(q as MultiVectorValue, sub));
      if (this.#tail.size === 0) return seg ? segScore(ids) : out;
      const tailAt: number[] = [];
      const segAt: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (this.#tail.has(ids[i]!)) tailAt.push(i);
        else segAt.push(i);
      }
      const fill = (at: number[], score: (sub: Uint32Array) => Float32Array) => {
        if (at.length === 0) return;
        const got = score(at.length === ids.length ? ids : Uint32Array.from(at, (i) => ids[i]!));
        for (let j = 0; j < at.length; j++) out[at[j]!] = got[j]!;
      };
      fill(tailAt, (sub) => this.#tail.score(q as never, sub));
      if (seg) fill(segAt, segScore);
      return out;
    }
    const query = q as SparseVector;
    if (query.ids.length === 0 || ids.length === 0) return out;
    const extra = this.#extra();
    const segScores = seg && seg.segments.length > 0 ? seg.scoreSparse(query, ids, { extra }) : null;
    const inTail = this.#scoreTail(query, ids, extra, out);
    if (segScores) for (let i = 0; i < ids.length; i++) if (inTail[i] === 0) out[i] = segScores[i]!;
    return out;
  }

  explain(q: unknown, id: number, score: number, ctx: ExplainContext): ChannelExplanation {
    // tail documents: the in-memory channel's explanation (its per-term figures use the tail's
    // statistics); segment documents: the score only
    if (this.#tail.has(id)) return { ...this.#tail.explain(q as never, id, score, ctx), score };
    if (this.spec.kind === 'dense') return { score };
    return this.spec.kind === 'multivector' ? { score, alignments: [] } : { score, matches: [] };
  }

  stats(): ChannelStats {
    const st = this.#seg?.stats();
    return {
      kind: this.spec.kind,
      size: this.size,
      tail: this.#tail.size,
      segments: st?.segments.length ?? 0,
      segmentBytes: st?.segments.reduce((a, s) => a + s.bytes, 0) ?? 0,
      segmentMemory: this.memory,
      segmentBytesPromoted: st?.segments.reduce((a, s) => a + (s.promoted ? s.bytes : 0), 0) ?? 0,
      ...(this.#vocab ? { terms: this.#vocab.size } : {}),
    };
  }
  compact(): void {
    this.#tail.compact();
  }

  /**
   * Writes the tail as a new segment (and changed deletion bitmaps, merges by policy or all
   * with `mergeAll`) and its versioned list, then `segments.ref.json` naming that list (and a
   * BM25 vocabulary) into the generation folder. Nothing the index manifest in force names is
   * touched, and the channel keeps reading its state before the save until
   * {@link settleSave}: the owner calls it after its manifest was replaced (the tail moves
   * into the new segments) or after the save failed before that (the files written here are
   * removed). {@link collect} removes what no kept generation names after a commit.
   */
  async save(_dir: string, io: SaveIO): Promise<string[]> {
    if (this.#saving !== null) invalid('INVALID_ARGUMENT', `channel '${this.name}': the previous save was not settled`);
    let made: string[] | null = null;
    if (this.#seg === null) {
      // the first save creates the store: note the folders it creates, for an abort to remove
      made = [];
      for (const d of [path.dirname(this.root), this.root]) if ((await this.#fs.stat(d).catch(() => ({}))) === null) made.push(d);
      try {
        this.#seg = await SegmentedStore.create(this.root, segmentConfig(this.spec), { versioned: true, fs: this.#fs, mvScreening: mvScreens(this.spec), ...(this.#mergePolicy ? { mergePolicy: this.#mergePolicy } : {}), ...mapMode(this.memory) });
      } catch (e) {
        if (made.length > 0) await this.#fs.rm(made[0]!).catch(() => undefined);
        throw e;
      }
    }
    const seg = this.#seg;
    const ids = [...this.#values.keys()].sort((a, b) => a - b);
    const moved: number[] = [];
    let commit: PreparedCommit;
    try {
      for (const id of ids) {
        seg.add(id, this.#segmentDoc(id));
        moved.push(id);
      }
      // a dense tail's graph holds exactly the documents moved: it becomes the segment's graph
      const tail = this.#tail;
      const denseGraph = tail instanceof DenseChannel && ids.length > 0 ? { denseGraph: (file: string) => tail.store.saveGraphFile(file) } : {};
      commit = await seg.prepare({ ...denseGraph, ...(this.mergeAll ? { all: true } : {}) });
    } catch (e) {
      for (const id of moved) seg.delete(id); // still pending: back to the tail only
      if (made !== null) await this.#dropCreated(made);
      throw e;
    }
    this.#saving = { commit, moved, made };
    await io.writeFile(segmentsRefFile(this.name), JSON.stringify({ dir: segmentsDir(this.name), manifest: commit.manifestFile }));
    if (this.spec.kind === 'bm25') await io.writeFile(vocabFile(this.name), JSON.stringify(this.#vocab!.toJSON()));
    return [path.basename(segmentsRefFile(this.name))];
  }

  /**
   * Settles the last {@link save}: `committed` (the index manifest naming its list was
   * replaced) adopts the new segments and empties the tail; otherwise the files the save wrote
   * are removed, best effort, through the index's seam (a removal that fails leaves a file the
   * next successful save rewrites or collects), and the channel stays as it was before the
   * save. Never throws; a no-op when there is nothing to settle.
   */
  async settleSave(committed: boolean): Promise<void> {
    const s = this.#saving;
    if (s === null) return;
    this.#saving = null;
    const seg = this.#seg!;
    if (committed) {
      s.commit.adopt();
      this.mergeAll = false;
      this.#tail = this.#freshTail();
      this.#values.clear();
      this.#tailLen = 0;
      // the commit stands whatever the threads say: a worker that cannot open the new list now
      // retries on its next message, where the search gets the typed error
      await this.#register().catch(() => undefined);
      return;
    }
    await s.commit.abort();
    for (const id of s.moved) seg.delete(id); // still pending: back to the tail only
    if (s.made !== null) await this.#dropCreated(s.made);
  }

  /** After a failed first save: closes the store it created and removes it (its list, and the folders it made). */
  async #dropCreated(made: readonly string[]): Promise<void> {
    const seg = this.#seg!;
    this.#seg = null;
    seg.close();
    await this.#fs.rm(path.join(this.root, seg.manifestFile)).catch(() => undefined);
    if (made.length > 0) await this.#fs.rm(made[0]!).catch(() => undefined); // the outermost one made
  }

  /** Removes segment files and lists no list in `keep` (nor the one in force) names. */
  async collect(keep: readonly string[]): Promise<void> {
    await this.#seg?.collect(keep);
  }

  /**
   * Runs this channel's segment work on `pool` from now on (null: on the main thread again);
   * the committed list is opened in every worker before this resolves.
   */
  async usePool(pool: StorePool | null): Promise<void> {
    if (this.#handle) this.#pool?.release(this.#handle);
    this.#handle = null;
    this.#pool = pool;
    await this.#register();
  }

  /** Registers the committed list with the pool (after a commit: the old one is released once its work is done). */
  async #register(): Promise<void> {
    const pool = this.#pool;
    const seg = this.#seg;
    if (!pool || !seg) return;
    const old = this.#handle;
    if (old && old.manifest === seg.manifestFile && old.deletes.length === 0) return;
    this.#handle = pool.register(
      this.root,
      seg.manifestFile,
      seg.stats().segments.map((x) => x.docs - x.deleted),
    );
    if (old) pool.release(old);
    await pool.warm(this.#handle);
  }

  /** Drops the mappings. */
  close(): void {
    this.#seg?.close();
  }

  /**
   * {@link candidates} with the segments searched on the pool's workers (the tail's part is
   * taken before the first await): the same ids and scores.
   */
  async candidatesOff(q: unknown, k: number, filter: OffThreadFilter | null): Promise<{ ids: Uint32Array; scores: Float32Array }> {
    const pool = this.#pool;
    if (!pool) return this.candidates(q, k, filter?.test ?? null);
    const seg = this.#seg;
    const onSeg = seg !== null && seg.segments.length > 0 ? this.#handle! : null;
    const allow = filter?.allow;
    const test = filter?.test ?? null;
    if (this.spec.kind === 'multivector' || this.spec.kind === 'dense') {
      const dense = this.spec.kind === 'dense';
      const exact = dense && this.size * (this.spec as DenseChannelSpec).dimensions <= EXACT_BELOW_VALUES ? true : undefined;
      const tail = this.#tail.size === 0 ? null : dense ? (this.#tail as DenseChannel).store.search(q as Float32Array, k, { ...(test ? { filter: test } : {}), ...(exact ? { exact } : {}) }) : this.#tail.candidates(q as never, k, test);
      const parts: { ids: Uint32Array; scores: Float32Array }[] = [];
      if (onSeg) {
        const mv = q as MultiVectorValue;
        if (dense) {
          // unfiltered: split by segment over idle workers (null: not split, search whole)
          const plan = filter === null ? seg!.densePlan(k, exact) : null;
          const split = plan !== null && plan.order.length > 1 ? await pool.denseSplit(onSeg, q as Float32Array, k, plan, (p, hits) => seg!.widenDense(p, hits, k)) : null;
          parts.push(split ?? (await pool.denseTop(onSeg, q as Float32Array, k, exact, allow)));
        } else parts.push(await pool.mvTop(onSeg, { data: mv.data, dim: mv.dim, count: mv.count }, k, allow));
      }
      if (tail) parts.push(tail);
      if (parts.length === 0) return empty();
      return mergeTopK(parts, k);
    }
    const query = q as SparseVector;
    if (query.ids.length === 0) return empty();
    const extra = this.#extra();
    const fromTail = this.#tailTop(query, k, extra, test);
    const top = new TopK(k);
    if (onSeg) {
      const got = await pool.sparseTop(onSeg, query, k, extra, allow);
      for (let i = 0; i < got.ids.length; i++) top.offer(got.scores[i]!, got.ids[i]!);
    }
    for (let i = 0; i < fromTail.ids.length; i++) top.offer(fromTail.scores[i]!, fromTail.ids[i]!);
    return top.drain();
  }

  /** {@link score} with the segments' part on the pool's workers: the same scores. */
  async scoreOff(q: unknown, ids: Uint32Array): Promise<Float32Array> {
    const pool = this.#pool;
    if (!pool) return this.score(q, ids);
    const seg = this.#seg;
    const onSeg = seg !== null && seg.segments.length > 0 ? this.#handle! : null;
    const out = new Float32Array(ids.length);
    if (this.spec.kind === 'multivector' || this.spec.kind === 'dense') {
      // the workers score what their replica holds (0 elsewhere: tail ids, ids not in the
      // channel); tail documents are scored here and take precedence, as in score()
      const dense = this.spec.kind === 'dense';
      const inTail = this.#tail.size === 0 ? null : ids.filter((id) => this.#tail.has(id));
      const tail = inTail && inTail.length > 0 ? this.#tail.score(q as never, inTail) : null;
      if (onSeg && ids.length > (inTail?.length ?? 0)) {
        const mv = q as MultiVectorValue;
        out.set(dense ? await pool.denseScore(onSeg, q as Float32Array, ids) : await pool.mvScore(onSeg, { data: mv.data, dim: mv.dim, count: mv.count }, ids));
      }
      if (tail) {
        const by = new Map<number, number>();
        for (let i = 0; i < inTail!.length; i++) by.set(inTail![i]!, tail[i]!);
        for (let i = 0; i < ids.length; i++) {
          const t = by.get(ids[i]!);
          if (t !== undefined) out[i] = t;
        }
      }
      return out;
    }
    const query = q as SparseVector;
    if (query.ids.length === 0 || ids.length === 0) return out;
    const extra = this.#extra();
    const inTail = this.#scoreTail(query, ids, extra, out);
    if (onSeg) {
      const segScores = await pool.sparseScore(onSeg, query, ids, extra);
      for (let i = 0; i < ids.length; i++) if (inTail[i] === 0) out[i] = segScores[i]!;
    }
    return out;
  }

  #segmentDoc(id: number): SegmentDoc {
    if (this.spec.kind === 'dense') return { dense: this.#values.get(id) as Float32Array };
    if (this.spec.kind === 'multivector') {
      const v = this.#values.get(id) as MultiVectorValue & { stored?: StoredVectors | null };
      // the rows as the tail's store holds them (checked, normalised, quantised at add; save
      // runs under the mutation lock, after the tail's compaction): copied, not redone
      const tail = this.#tail;
      const stored = v.stored ?? (tail instanceof MultiVectorChannel ? tail.store.storedRange(id) : null);
      return { multivector: { data: v.data, dim: v.dim, count: v.count, ...(v.tokenIds ? { tokenIds: v.tokenIds } : {}), ...(v.charSpans ? { charSpans: v.charSpans } : {}) }, ...(stored ? { multivectorStored: stored } : {}) };
    }
    return { sparse: this.#tailVector(id)! };
  }

  /** A tail document's sparse vector (BM25: term frequencies over the committed vocabulary). */
  #tailVector(id: number): SparseVector | null {
    const v = this.#values.get(id);
    if (v === undefined) return null;
    if (this.spec.kind === 'bm25') return countTerms(v as string[], (t) => this.#vocab!.idOf(t, false));
    return v as SparseValue;
  }

  /** The tail's share of the sparse statistics. */
  #extra(): { docs: number; len: number; df: (t: number) => number } {
    const store = (this.#tail as SparseChannel | Bm25Channel).store;
    return { docs: this.#tail.size, len: this.#tailLen, df: (t) => store.docFreq(t) };
  }

  /**
   * The collection statistics a tail document is scored with (src/sparse/scoring.ts): N, total
   * length and each query term's df over the segments' live documents and the tail, so a tail
   * document scores exactly as in SparseIndex or SegmentedStore holding everything. Null when
   * the tail is empty or no document is live anywhere.
   */
  #globalStats(query: SparseVector, extra: { docs: number; len: number; df: (t: number) => number }): SparseCollectionStats | null {
    if (this.#tail.size === 0) return null;
    const seg = this.#seg;
    const st = seg && seg.segments.length > 0 ? seg.sparseStats(query.ids) : null;
    const docs = (st?.docs ?? 0) + extra.docs;
    if (docs === 0) return null;
    const df = new Map<number, number>();
    for (let i = 0; i < query.ids.length; i++) df.set(query.ids[i]!, (st?.df[i] ?? 0) + extra.df(query.ids[i]!));
    return { docs, len: (st?.len ?? 0) + extra.len, df: (t) => df.get(t) ?? 0 };
  }

  /**
   * The tail's top-k by its own postings (MaxScore, src/sparse/maxscore.ts) with the global
   * statistics: the same documents and scores as scoring every tail document, without reading
   * them (an index converted to segments holds all of its documents in the tail until its
   * first save). Only positive scores, as the segments' lists hold only positive weights.
   */
  #tailTop(query: SparseVector, k: number, extra: { docs: number; len: number; df: (t: number) => number }, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    const stats = this.#globalStats(query, extra);
    if (stats === null) return empty();
    const got = (this.#tail as SparseChannel | Bm25Channel).store.searchWithStats(query, k, stats, filter ? { filter } : {});
    let n = got.ids.length;
    while (n > 0 && !(got.scores[n - 1]! > 0)) n--;
    return n === got.ids.length ? got : { ids: got.ids.subarray(0, n), scores: got.scores.subarray(0, n) };
  }

  /** Writes the global-statistics scores of the tail documents among `ids` into `out`; returns which positions were tail documents (1). */
  #scoreTail(query: SparseVector, ids: Uint32Array, extra: { docs: number; len: number; df: (t: number) => number }, out: Float32Array): Uint8Array {
    const inTail = new Uint8Array(ids.length);
    const pick: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (!this.#tail.has(ids[i]!)) continue;
      inTail[i] = 1;
      pick.push(i);
    }
    const stats = pick.length > 0 ? this.#globalStats(query, extra) : null;
    if (stats !== null) {
      const scores = (this.#tail as SparseChannel | Bm25Channel).store.score(
        query,
        Uint32Array.from(pick, (i) => ids[i]!),
        stats,
      );
      for (let j = 0; j < pick.length; j++) out[pick[j]!] = scores[j]!;
    }
    return inTail;
  }

  /**
   * Segments and tail as the default storage's one DenseIndex would answer: exact everywhere
   * when the whole channel is small enough for DenseIndex to scan (live rows × dimensions ≤
   * EXACT_BELOW_VALUES), else each part by its own size (graph or scan), merged.
   */
  #denseCandidates(q: Float32Array, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    const seg = this.#seg;
    const exact = this.size * (this.spec as DenseChannelSpec).dimensions <= EXACT_BELOW_VALUES ? true : undefined;
    const opts = { ...(filter ? { filter } : {}), ...(exact ? { exact } : {}) };
    const parts: { ids: Uint32Array; scores: Float32Array }[] = [];
    if (seg && seg.segments.length > 0) parts.push(seg.searchDense(q, k, opts));
    if (this.#tail.size > 0) parts.push((this.#tail as DenseChannel).store.search(q, k, opts));
    if (parts.length === 0) return empty();
    return mergeTopK(parts, k);
  }

  #mvCandidates(q: MultiVectorValue, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    const seg = this.#seg;
    const parts: { ids: Uint32Array; scores: Float32Array }[] = [];
    // residual: each segment's centroid lists (SegmentedStore.candidatesMultiVector); other
    // dtypes: every live document scored, as the default storage's exhaustive scan
    if (seg && seg.segments.length > 0) parts.push(seg.candidatesMultiVector(q, k, filter ? { filter } : {}));
    if (this.#tail.size > 0) parts.push(this.#tail.candidates(q as never, k, filter));
    if (parts.length === 0) return empty();
    return mergeTopK(parts, k);
  }
}

/** Whether the channel's segments carry the MaxSim screening sidecar: an f32 / f16 multi-vector channel that screens (as its default-storage store would). */
function mvScreens(spec: ChannelSpec): boolean {
  return spec.kind === 'multivector' && resolveScreening(spec.screening, spec.dtype, `channel '${spec.name}'`);
}
