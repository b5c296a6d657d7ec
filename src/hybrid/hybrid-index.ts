/**
 * HybridIndex: the public facade. It owns the entry table, the channels (by name, in the
 * configuration's order), the write-ahead log, the writer lock and the saved generations;
 * add/update/delete go through the change writer (validated, logged, applied all-or-nothing),
 * search/explain/calibrate through the channel pipeline in search.ts.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, StorageError, TridentError, invalid, throwIfAborted } from '../errors.js';
import { Bm25Channel, channelFiles, createChannel, isSegmentedChannel, MultiVectorChannel, openChannel, SegmentedChannel, SparseChannel, unsegmentable, type Channel, type ChannelSpec, type QuerySource } from '../channels/index.js';
import { applyMergePolicy, collectSegments, resolveMergePolicy, settleSegments } from './segments.js';
import { checkOptions } from '../options.js';
import { checkId, claimIndexDirectory, DirectoryLock, MANIFEST_FILE, nodeFs, readGeneration, WAL_FILE, WriteAheadLog, writeIndexGeneration, type ExternalId, type Manifest, type StoreFs } from '../store/index.js';
import { EntryTable } from './entries.js';
import { Mutex } from './lock.js';
import { ChangeWriter } from './writer.js';
import { applyDelete, applyUpsert, prepareValues, prepareValuesDeferred, type PreparedValues, type Stores } from './apply.js';
import { canonicalMetadata } from './metadata.js';
import { checkFusionOptions, checkStoredConfig, type HybridConfig } from './config.js';
import { buildConfig } from './create-config.js';
import { applyRerank } from '../rerank/index.js';
import { searchExpanded } from '../search/expand.js';
import { createWithBackend, type QdrantBackend } from '../qdrant/backend.js';
import type { QdrantIndex } from '../qdrant/qdrant-index.js';
import { resolveOptions, runSearch, runSearchOff, type ResolvedSearch, type SearchContext } from './search.js';
import { StorePool } from '../segments/store-pool.js';
import { prepareDocuments, type PreparedDoc } from './chunking.js';
import { calibrateWeights, type CalibrationQuery, type CalibrationReport } from './calibrate.js';
import { checkAddOptions, checkCalibrateOptions, checkCreateOptions, checkOpenOptions, checkSaveOptions, checkSearchOptions } from './check-options.js';
import type { AddOptions, CalibrateOptions, DocumentInput, EncodedLike, HybridEncoder, HybridIndexOptions, IndexStats, OpenOptions, QueryInput, SaveOptions, SearchHit, SearchOptions, SegmentMemory, StoredDocument } from './types.js';

export type { AddOptions, HybridIndexOptions } from './types.js';
export type { HybridConfig } from './config.js';

// `await using index = …` needs Symbol.asyncDispose (Node ≥ 20.4 has it); the fallback is the
// registered symbol TypeScript's down-levelled `await using` also looks up.
if (typeof (Symbol as { asyncDispose?: symbol }).asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('Symbol.asyncDispose') });
}

/**
 * A hybrid index: one encoder pass per text feeds a dense (HNSW + exact oracle), a sparse
 * (inverted index, exact pruned top-k) and a multi-vector (MaxSim) store; searches fuse them.
 *
 * @example
 * ```ts
 * import { HybridIndex, loadEncoder } from 'trident';
 * const encoder = await loadEncoder('builtin:static-en');
 * const index = await HybridIndex.create({ encoder, path: './my-index' });
 * await index.add([{ id: 'a', text: 'BM25 is a ranking function' }]);
 * const hits = await index.search('what is bm25', { k: 5, explain: true });
 * await index.save(); await index.close();
 * ```
 */
export class HybridIndex {
  #encoder: HybridEncoder | null;
  #path: string | undefined;
  #config: HybridConfig;
  #entries: EntryTable;
  /** The channels by name, in the configuration's order (null once closed). */
  #channels: Map<string, Channel> | null;
  #closed = false;
  #lock = new Mutex();
  #fs: StoreFs | undefined;
  #wal: WriteAheadLog | null = null;
  /** The directory's writer lock (null: in memory only, or read-only). */
  #dirLock: DirectoryLock | null = null;
  #readOnly = false;
  /** Worker threads for the segment work of searches (`searchThreads`; null: the main thread). */
  #pool: StorePool | null = null;
  /** Bumped by every change and at the start and end of every save (a search on the pool that saw it change answers again). */
  #epoch = 0;
  #saving = false;
  #writer = new ChangeWriter<Change>(this.#lock, {
    live: () => this.#check(),
    has: (id) => this.#entries.hasDocument(id),
    check: (c, exists, set) => checkChange(c, exists, set),
    settle: (c) => (c.op === 'delete' ? Promise.resolve() : (c.ready ?? Promise.resolve())),
    apply: (c) => this.#apply(c),
    wal: () => this.#wal,
  });

  private constructor(encoder: HybridEncoder | null, dir: string | undefined, config: HybridConfig, entries: EntryTable, channels: readonly Channel[], fs: StoreFs | undefined) {
    this.#encoder = encoder;
    this.#path = dir;
    this.#config = config;
    this.#entries = entries;
    this.#channels = new Map(channels.map((c) => [c.name, c]));
    this.#fs = fs;
  }

  /** Creates an empty index (nothing is written until `save()`, unless `wal` is on: then the empty index is saved at once). */
  static create(opts: HybridIndexOptions & { backend: QdrantBackend }): Promise<QdrantIndex>;
  static create(opts: HybridIndexOptions): Promise<HybridIndex>;
  static async create(opts: HybridIndexOptions): Promise<HybridIndex | QdrantIndex> {
    if (opts && typeof opts === 'object' && opts.backend !== undefined) return createWithBackend(opts as HybridIndexOptions & { backend: QdrantBackend });
    if (!opts || typeof opts !== 'object') invalid('INVALID_ARGUMENT', 'HybridIndex.create needs { encoder } (from loadEncoder), or { channels } of your own vectors');
    if (opts.encoder !== undefined && (!opts.encoder || typeof opts.encoder.encode !== 'function')) invalid('INVALID_ARGUMENT', 'HybridIndex.create: encoder must be an encoder (from loadEncoder)');
    checkCreateOptions(opts);
    checkFusionOptions(opts.fusion);
    const enc = opts.encoder ?? null;
    // Learn the output shapes once (the dense and multi-vector dimensions may differ).
    const probe = enc ? ((await enc.encode(['dimension probe'], { role: 'document' }))[0] ?? null) : null;
    const config = buildConfig(opts, enc, probe);
    if (opts.wal !== undefined && typeof opts.wal !== 'boolean') invalid('INVALID_ARGUMENT', `wal must be true or false (got ${String(opts.wal)})`);
    if (opts.wal === true && !opts.path) invalid('INVALID_ARGUMENT', 'wal: true needs { path }: the log lives in the index directory');
    config.wal = opts.wal ?? true;
    if (opts.storage !== undefined && opts.storage !== 'generations' && opts.storage !== 'segments') invalid('INVALID_ARGUMENT', `storage must be 'generations' or 'segments' (got ${JSON.stringify(opts.storage)})`);
    const segmented = opts.storage === 'segments';
    if (segmented) {
      if (!opts.path) invalid('INVALID_ARGUMENT', "storage: 'segments' needs { path }: the segments live in the index directory");
      for (const spec of config.channels) {
        const why = unsegmentable(spec);
        if (why !== null) invalid('INVALID_ARGUMENT', `storage: 'segments': ${why}; use the default storage for this configuration`);
      }
      config.storage = 'segments';
    }
    const memory = checkSegmentMemory(opts.segmentMemory, segmented);
    const merge = resolveMergePolicy(
      opts.mergePolicy,
      config.channels.map((c) => c.name),
      segmented,
    );
    const index = new HybridIndex(
      enc,
      opts.path,
      config,
      new EntryTable(),
      config.channels.map((spec) => createChannel(spec, segmented ? { indexDir: opts.path!, ...(opts.fs ? { fs: opts.fs } : {}), memory } : undefined)),
      opts.fs,
    );
    applyMergePolicy(index.#channels!.values(), merge);
    const threads = checkSearchThreads(opts.searchThreads, segmented);
    const nice = checkSearchNice(opts.searchThreadsNice, threads);
    if (opts.path) index.#dirLock = await claimIndexDirectory(opts.path, { overwrite: opts.overwrite === true, ...(opts.fs ? { fs: opts.fs } : {}) });
    try {
      if (threads > 0) await index.#startPool(threads, nice);
      if (config.wal && opts.path) await index.save(); // the log extends a saved generation: write the empty one
    } catch (e) {
      await index.#pool?.close();
      index.#dirLock?.release();
      throw e;
    }
    return index;
  }

  /**
   * Opens a saved index, for writing (taking the directory's writer lock, INDEX_LOCKED if
   * another writer holds it; a lock left by a dead process is recovered) or with
   * `{ readOnly: true }` for reading beside a writer. The encoder must be the one the index
   * was built with (same identity), else ENCODER_MISMATCH.
   *
   * @example
   * ```ts
   * const reader = await HybridIndex.open('./my-index', { encoder, readOnly: true });
   * const vectorsOnly = await HybridIndex.open('./my-vectors'); // created without an encoder
   * ```
   */
  static async open(dir: string, opts: OpenOptions = {}): Promise<HybridIndex> {
    if (opts === null || typeof opts !== 'object') invalid('INVALID_ARGUMENT', `HybridIndex.open: options must be an object ({ encoder, readOnly, … }), got ${opts === null ? 'null' : typeof opts}`);
    checkOpenOptions(opts);
    checkSearchNice(opts.searchThreadsNice, checkSearchThreads(opts.searchThreads, true));
    const memory = checkSegmentMemory(opts.segmentMemory, true);
    if (opts.storage !== undefined && opts.storage !== 'generations' && opts.storage !== 'segments') invalid('INVALID_ARGUMENT', `storage must be 'generations' or 'segments' (got ${JSON.stringify(opts.storage)})`);
    if (opts.storage === 'segments' && opts.readOnly === true) invalid('INVALID_ARGUMENT', "storage: 'segments' converts the index at its next save, which a read-only open cannot do; open it for writing");
    const lock = opts.readOnly ? null : DirectoryLock.acquire(dir);
    let opened: HybridIndex | null = null;
    try {
      // A writer may commit a new generation (and remove the one being read) meanwhile:
      // readGeneration then reads the new one, from the manifest on.
      const index = await readGeneration(dir, opts.fs ?? nodeFs, ({ manifest, dataDir }) => HybridIndex.#openGeneration(dir, manifest, dataDir, opts.encoder ?? null, opts.fs, opts.readOnly === true, memory));
      opened = index;
      index.#dirLock = lock;
      index.#readOnly = opts.readOnly === true;
      if (opts.storage !== undefined && opts.storage !== index.#config.storage) {
        if (opts.storage === 'generations') invalid('INVALID_ARGUMENT', `the index at ${dir} uses storage 'segments', which cannot be converted back to 'generations'; open it without the storage option`);
        index.#convertToSegments(dir, memory);
      }
      applyMergePolicy(
        index.#channels!.values(),
        resolveMergePolicy(
          opts.mergePolicy,
          index.#config.channels.map((c) => c.name),
          index.#config.storage === 'segments',
        ),
      );
      checkSegmentMemory(opts.segmentMemory, index.#config.storage === 'segments');
      const threads = checkSearchThreads(opts.searchThreads, index.#config.storage === 'segments');
      if (threads > 0) await index.#startPool(threads, checkSearchNice(opts.searchThreadsNice, threads));
      return index;
    } catch (e) {
      if (opened) {
        await opened.#pool?.close();
        opened.#pool = null;
        for (const ch of opened.#channels!.values()) if (ch instanceof SegmentedChannel) ch.close();
      }
      lock?.release();
      throw e;
    }
  }

  static async #openGeneration(dir: string, manifest: Manifest, dataDir: string, encoder: HybridEncoder | null, fs: StoreFs | undefined, readOnly: boolean, memory: SegmentMemory): Promise<HybridIndex> {
    const stored = manifest.encoder as { id?: string; dim?: number } | null;
    if (stored !== null) {
      if (!encoder) invalid('INVALID_ARGUMENT', `HybridIndex.open needs { encoder }: the index at ${dir} was built with encoder '${stored?.id ?? '?'}'`);
      if (stored.id !== encoder.info.id || (typeof stored.dim === 'number' && stored.dim !== encoder.info.dim)) {
        throw new InvalidArgumentError('ENCODER_MISMATCH', `index at ${dir} was built with encoder '${stored?.id ?? '?'}' (dim ${stored?.dim ?? '?'}) but '${encoder.info.id}' (dim ${encoder.info.dim}) was given; open it with the same model or rebuild the index`);
      }
    }
    const config = checkStoredConfig(manifest.config, encoder?.info.sparseModifier === 'idf' ? 'idf' : 'none');
    if (stored === null && config.channels.some((c) => c.kind !== 'bm25' && c.source === 'encoder')) {
      throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE}: config has channels fed by an encoder but the manifest names none; restore the index from a backup or rebuild it`, { file: MANIFEST_FILE });
    }
    const rel = (name: string) => `${manifest.dir}/${name}`;
    const listed = new Set(manifest.files.map((f) => f.name));
    const segmented = config.storage === 'segments';
    // a dense channel of an index saved before dense segments existed stays whole-file
    const inSegments = (spec: ChannelSpec) => segmented && isSegmentedChannel(spec, listed);
    const required = ['entries.json', ...config.channels.flatMap((spec) => channelFiles(spec, inSegments(spec)))];
    for (const name of required) {
      if (!listed.has(name)) throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE} does not list ${rel(name)}, which this index's configuration needs; restore the index from a backup or rebuild it`, { file: MANIFEST_FILE });
    }
    const sfs = fs ?? nodeFs;
    // Every file was length- and CRC-checked by readIndexDirectory; what fails below is a
    // file whose content is wrong although intact. Name it.
    const load = async <T>(name: string, read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (e) {
        if (e instanceof TridentError && e.code !== 'CORRUPT_FILE') throw e;
        const why = e instanceof TridentError ? e.message.replace(/^CORRUPT_FILE: /, '') : ((e as Error)?.message ?? String(e));
        throw new StorageError('CORRUPT_FILE', `${rel(name)} cannot be read: ${why}`, { cause: e, file: rel(name) });
      }
    };
    const json = async (name: string): Promise<unknown> => {
      let bytes: Uint8Array;
      try {
        bytes = await sfs.readFile(path.join(dataDir, name));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException)?.code ?? 'unknown';
        throw new StorageError('IO_ERROR', `reading ${rel(name)} failed (${code}): ${(e as Error)?.message ?? String(e)}`, { cause: e, file: rel(name) });
      }
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    };
    const entries = await load('entries.json', async () => EntryTable.fromJSON(await json('entries.json'), rel('entries.json')));
    const channels: Channel[] = [];
    try {
      for (const spec of config.channels) channels.push(await openChannel(spec, { dataDir, readJson: json, load, ...(inSegments(spec) ? { segments: { indexDir: dir, ...(fs ? { fs } : {}), memory } } : {}) }));
      checkChannelsMatchEntries(entries, channels, rel);
    } catch (e) {
      for (const ch of channels) if (ch instanceof SegmentedChannel) ch.close();
      throw e;
    }
    const index = new HybridIndex(encoder, dir, config, entries, channels, fs);
    if (config.wal && !readOnly) {
      const { wal, records } = await WriteAheadLog.open(dir, manifest.generation, fs);
      records.forEach((r, i) => {
        try {
          index.#replay(r);
        } catch (e) {
          throw new StorageError('CORRUPT_FILE', `${WAL_FILE}: record ${i + 1} cannot be replayed (${(e as Error).message}); move the log away to open the index as of its last save`, { cause: e, file: WAL_FILE });
        }
      });
      index.#wal = wal;
    }
    return index;
  }

  /**
   * open({ storage: 'segments' }) on a default-storage index: every channel becomes a segmented
   * channel whose tail is the loaded channel (SegmentedChannel.adopt), so searches are unchanged
   * and the next save writes the first segments under the new storage. All or nothing: a
   * channel segments cannot hold throws before anything changes.
   */
  #convertToSegments(dir: string, memory: SegmentMemory): void {
    const specs = this.#config.channels;
    for (const spec of specs) {
      const why = unsegmentable(spec);
      if (why !== null) invalid('INVALID_ARGUMENT', `storage: 'segments': ${why}; keep the default storage for this index`);
    }
    const ids = this.#entries.liveInternalIds();
    const converted = new Map<string, Channel>();
    for (const spec of specs) converted.set(spec.name, SegmentedChannel.adopt(spec, dir, this.#channels!.get(spec.name)!, ids, this.#fs, memory));
    this.#channels = converted;
    this.#config = { ...this.#config, storage: 'segments' };
  }

  /** Starts the search threads and opens every segmented channel's committed segments in each. */
  async #startPool(threads: number, nice: number): Promise<void> {
    const pool = StorePool.create({ threads, nice });
    this.#pool = pool;
    for (const ch of this.#channels!.values()) if (ch instanceof SegmentedChannel) await ch.usePool(pool);
  }

  /**
   * Search threads (`searchThreads`; 0: searches run on the calling thread).
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, searchThreads: 2 }); // index.searchThreads === 2
   * ```
   */
  get searchThreads(): number {
    return this.#pool?.threads ?? 0;
  }

  /** Number of live documents. */
  get size(): number {
    return this.#entries.documents;
  }
  /** The persisted configuration (read-only copy). */
  get config(): HybridConfig {
    return structuredClone(this.#config);
  }

  /**
   * Encodes and adds documents (one encoder pass per text feeds every store). The batch is
   * validated first: duplicate or invalid ids and non-string texts reject the whole call and
   * nothing is added. Returns the number of documents added.
   */
  async add(docs: DocumentInput[], opts: AddOptions = {}): Promise<{ added: number; chunks: number; truncated: number }> {
    this.#checkWritable();
    checkAddOptions('add', opts);
    const batch = this.#validateDocs(docs, 'add');
    this.#entries.checkNew(batch.map((d) => d.id));
    throwIfAborted(opts.signal, 'add() aborted before encoding: nothing was added');
    const prepared = await this.#prepare(batch, opts, 'add');
    const { values, ready } = prepareValuesDeferred(this.#stores().channels, batch, prepared);
    throwIfAborted(opts.signal, 'add() aborted: nothing was added');
    return this.#writer.submit({ op: 'add', docs: batch, prepared, values, ready });
  }

  /** Every channel's value of every unit of a batch (validated, analysed), before anything is logged or changed. */
  #values(docs: DocumentInput[], prepared: PreparedDoc[]): PreparedValues {
    return prepareValues(this.#stores().channels, docs, prepared);
  }

  /** The mutable state add/update/delete touch. */
  #stores(): Stores {
    this.#check();
    return { entries: this.#entries, channels: [...this.#channels!.values()], storeText: this.#config.storeText };
  }

  /** Applies a checked (and logged) change; all-or-nothing. */
  #apply(c: Change): unknown {
    const s = this.#stores();
    this.#epoch++;
    if (c.op === 'delete') return applyDelete(s, c.ids);
    const replaced = applyUpsert(s, c.docs, c.prepared, c.values);
    let chunks = 0;
    let truncated = 0;
    for (const p of c.prepared) {
      chunks += p.units.length;
      if (p.truncated) truncated++;
    }
    return c.op === 'add' ? { added: c.docs.length, chunks, truncated } : { added: c.docs.length - replaced, replaced, chunks, truncated };
  }

  /** Applies one write-ahead-log record (open()): the same checks as a live call, then the change. */
  #replay(record: unknown): void {
    const r = record as { op?: string; docs?: DocumentInput[]; prepared?: PreparedDoc[]; ids?: ExternalId[] };
    let change: Change;
    if (r.op === 'delete' && Array.isArray(r.ids)) change = { op: 'delete', ids: r.ids };
    else if ((r.op === 'add' || r.op === 'update') && Array.isArray(r.docs) && Array.isArray(r.prepared)) {
      const docs = this.#validateDocs(r.docs, r.op);
      this.#checkPrepared(docs, r.prepared);
      change = { op: r.op, docs, prepared: r.prepared, values: this.#values(docs, r.prepared) };
    } else throw new Error(`unknown record ${JSON.stringify(r.op)}`);
    checkChange(
      change,
      (id) => this.#entries.hasDocument(id),
      () => undefined,
    );
    this.#apply(change);
  }

  /** True when some channel takes its vectors from the encoder. */
  #usesEncoder(): boolean {
    return this.#config.channels.some((c) => c.kind !== 'bm25' && c.source === 'encoder');
  }

  /** Encodes a validated batch (outside the lock; only when a channel takes the encoder's vectors). */
  async #prepare(docs: DocumentInput[], opts: AddOptions, method: 'add' | 'update'): Promise<PreparedDoc[]> {
    const prepared = await prepareDocuments(this.#usesEncoder() ? this.#encoder : null, docs, {
      chunking: opts.chunking,
      batchSize: opts.batchSize ?? 32,
      needSparse: this.#config.channels.some((c) => c.kind === 'sparse' && c.source === 'encoder'),
      onProgress: opts.onProgress,
      signal: opts.signal,
      abortMessage: `${method}() aborted while encoding: nothing was ${method === 'add' ? 'added' : 'changed'}`,
    });
    this.#check();
    this.#checkPrepared(docs, prepared);
    return prepared;
  }

  #checkPrepared(docs: DocumentInput[], prepared: PreparedDoc[]): void {
    if (!Array.isArray(prepared) || prepared.length !== docs.length) invalid('INVALID_ARGUMENT', `the encoder returned ${prepared?.length} outputs for ${docs.length} documents (nothing was added)`);
    for (const p of prepared) if (!p || !Array.isArray(p.units) || p.units.length === 0) invalid('INVALID_ARGUMENT', 'a prepared document has no units (nothing was added)');
  }

  /**
   * Throws unless `docs` is an array of { id, text?, metadata?, vectors? } with a string text
   * whenever a channel needs one (the encoder's, BM25) and `vectors` only for channels that
   * take them; returns the documents as the index keeps them (metadata copied).
   */
  #validateDocs(docs: DocumentInput[], method: string): DocumentInput[] {
    const needText = this.#usesEncoder() || this.#config.channels.some((c) => c.kind === 'bm25');
    const own = new Set(this.#config.channels.filter((c) => c.kind !== 'bm25' && c.source === 'vectors').map((c) => c.name));
    return validateDocs(docs, method, needText, own);
  }

  /**
   * Searches the index. `mode` picks the representations (default 'all'); the default
   * pipeline takes dense top-N ∪ sparse top-N, scores every candidate exactly in every
   * store, fuses, and rolls chunks up to their document.
   */
  async search(query: string | QueryInput, opts: SearchOptions = {}): Promise<SearchHit[]> {
    this.#check();
    checkSearchOptions(opts);
    throwIfAborted(opts.signal, 'search() aborted');
    if (opts.includeText && !this.#config.storeText) invalid('INVALID_ARGUMENT', 'includeText needs the stored texts, but this index was created with storeText: false');
    if (opts.expand) {
      if (typeof query !== 'string') invalid('INVALID_ARGUMENT', 'expand needs the query as a string');
      const { expand, encoded: _encoded, ...rest } = opts;
      const k = opts.k ?? 10;
      // each list is searched 50 deep (or k, if larger) so that RRF sees more than the final k
      const fused = await searchExpanded(query, expand, (q) => this.search(q, { ...rest, k: Math.max(k, 50) }), { k });
      return fused.map(({ fusedScore, queries: _q, ...hit }) => ({ ...hit, score: fusedScore }) as SearchHit);
    }
    const { src, resolved } = await this.#querySource(query, opts);
    this.#check();
    throwIfAborted(opts.signal, 'search() aborted');
    if (!opts.rerank) return this.#run(src, opts, resolved);
    if (src.text === undefined) invalid('INVALID_ARGUMENT', 'rerank needs the query text');
    const k = opts.k ?? 10;
    const topN = opts.rerank.topN ?? 50;
    const hits = await this.#run(src, { ...opts, k: Math.max(k, topN) });
    const textOf = (h: SearchHit) => h.chunk?.text ?? this.#entries.text(h.id);
    const reranked = await applyRerank(opts.rerank.model, src.text, hits, topN, textOf);
    throwIfAborted(opts.signal, 'search() aborted');
    return reranked.slice(0, k);
  }

  /**
   * The pipeline, on the search threads when the index has them: a change or save that lands
   * while the threads work makes the search answer again on the calling thread, on the state
   * as it is then (so every answer is of one consistent state; a save in progress searches
   * on the calling thread from the start).
   */
  async #run(src: QuerySource, opts: SearchOptions, resolved?: ResolvedSearch): Promise<SearchHit[]> {
    if (!this.#pool || this.#saving) return runSearch(this.#context(), src, opts, resolved);
    const epoch = this.#epoch;
    const hits = await runSearchOff(this.#context(), src, opts, resolved);
    this.#check();
    if (this.#epoch === epoch) return hits;
    return runSearch(this.#context(), src, opts, resolved);
  }

  /** The query as channels read it: text, the encoder's outputs (only when a selected channel needs them), own vectors. */
  async #querySource(query: string | QueryInput, opts: SearchOptions): Promise<{ src: QuerySource; resolved: ResolvedSearch }> {
    let text: string | undefined;
    let vectors: Record<string, unknown> | undefined;
    if (typeof query === 'string') text = query;
    else if (query && typeof query === 'object' && !Array.isArray(query)) {
      checkOptions('search() query', query, { text: true, vectors: true });
      if (query.text !== undefined && typeof query.text !== 'string') invalid('INVALID_TEXT', 'query.text must be a string');
      text = query.text;
      if (query.vectors !== undefined && (query.vectors === null || typeof query.vectors !== 'object')) invalid('INVALID_ARGUMENT', 'query.vectors must be an object of vectors by channel name');
      vectors = query.vectors;
      for (const n of Object.keys(vectors ?? {})) {
        const spec = this.#config.channels.find((c) => c.name === n);
        if (!spec || spec.kind === 'bm25' || spec.source !== 'vectors')
          invalid(
            'INVALID_ARGUMENT',
            `query.vectors names ${JSON.stringify(n)}, which is not a channel fed by your own vectors (those are: ${
              this.#config.channels
                .filter((c) => c.kind !== 'bm25' && c.source === 'vectors')
                .map((c) => c.name)
                .join(', ') || 'none'
            })`,
          );
      }
      if (text === undefined && vectors === undefined) invalid('INVALID_ARGUMENT', 'search() needs a query: a string, or { text?, vectors? }');
    } else invalid('INVALID_TEXT', 'query must be a string, or { text?, vectors? }');
    const r = resolveOptions(this.#context(), opts);
    const needEncoder = text !== undefined && r.channels.some((c) => c.spec.kind !== 'bm25' && c.spec.source === 'encoder');
    const enc = opts.encoded ?? (needEncoder && this.#encoder ? (await this.#encoder.encode([text!], { role: 'query' }))[0]! : null);
    return { src: { text, dense: enc?.dense ?? null, sparse: enc?.sparse ?? null, multivector: enc?.multivector ?? null, vectors }, resolved: r };
  }

  /** Encodes a query once (role 'query'); pass the result as `search(q, { encoded })`. */
  async encodeQuery(query: string): Promise<EncodedLike> {
    this.#check();
    if (!this.#encoder) invalid('INVALID_ARGUMENT', 'this index has no encoder: search with your own vectors, search({ vectors })');
    if (typeof query !== 'string') invalid('INVALID_TEXT', 'query must be a string');
    return (await this.#encoder.encode([query], { role: 'query' }))[0]!;
  }

  /** The search pipeline's inputs (used by search and by calibrate). */
  #context(): SearchContext {
    return { config: this.#config, entries: this.#entries, channels: this.#channels!, encoder: this.#encoder };
  }

  /** Deletes documents by id; unknown ids are ignored and counted. Returns how many were deleted. */
  async delete(ids: ExternalId[]): Promise<{ deleted: number; unknown: number }> {
    this.#checkWritable();
    if (!Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'delete() takes an array of ids');
    return this.#writer.submit({ op: 'delete', ids: [...ids] });
  }

  /**
   * Replaces documents (an upsert): each document whose id exists is deleted and the new
   * version added in one step, so a concurrent search sees the old version or the new one,
   * never neither; new ids are simply added. The batch is validated and encoded before
   * anything changes: an invalid document rejects the whole call and nothing is replaced.
   *
   * @example
   * ```ts
   * await index.update([{ id: 'a', text: 'BM25 is a bag-of-words ranking function' }]); // { added: 0, replaced: 1, … }
   * ```
   */
  async update(docs: DocumentInput[], opts: AddOptions = {}): Promise<{ added: number; replaced: number; chunks: number; truncated: number }> {
    this.#checkWritable();
    checkAddOptions('update', opts);
    const batch = this.#validateDocs(docs, 'update');
    const seen = new Set<ExternalId>();
    for (const d of batch) {
      checkId(d.id);
      if (seen.has(d.id)) invalid('DUPLICATE_ID', `document id ${JSON.stringify(d.id)} appears twice in this batch`);
      seen.add(d.id);
    }
    throwIfAborted(opts.signal, 'update() aborted before encoding: nothing was changed');
    const prepared = await this.#prepare(batch, opts, 'update');
    const { values, ready } = prepareValuesDeferred(this.#stores().channels, batch, prepared);
    throwIfAborted(opts.signal, 'update() aborted: nothing was changed');
    return this.#writer.submit({ op: 'update', docs: batch, prepared, values, ready });
  }

  /**
   * Saves the index to its directory crash-safely (new generation folder + atomic manifest
   * rename); deleted documents are compacted away first.
   */
  async save(dirOrOptions?: string | SaveOptions, options: SaveOptions = {}): Promise<void> {
    this.#checkWritable();
    const opts: SaveOptions = typeof dirOrOptions === 'object' && dirOrOptions !== null ? dirOrOptions : options;
    checkSaveOptions(opts);
    const dir = typeof dirOrOptions === 'string' ? dirOrOptions : opts.dir;
    if (dir !== undefined && typeof dir !== 'string') invalid('INVALID_ARGUMENT', 'save() takes a directory path (string) or { dir?, signal? }');
    const target = dir ?? this.#path;
    if (!target) invalid('INVALID_ARGUMENT', 'save() needs a directory: pass one or create the index with { path }');
    if (this.#config.storage === 'segments' && path.resolve(target) !== path.resolve(this.#path!)) invalid('INVALID_ARGUMENT', `save(${JSON.stringify(target)}): an index with storage 'segments' saves into its own directory (${this.#path}) only`);
    throwIfAborted(opts.signal, 'save() aborted before writing: the saved index is unchanged');
    await this.#lock.run(async () => {
      throwIfAborted(opts.signal, 'save() aborted before writing: the saved index is unchanged');
      this.#saving = true;
      this.#epoch++;
      try {
        await this.#saveLocked(target);
      } finally {
        this.#saving = false;
        this.#epoch++;
      }
    });
  }

  /** save()'s work, under the mutation lock. */
  async #saveLocked(target: string): Promise<void> {
    // a save to another directory takes that directory's writer lock, and keeps it if the save commits
    const taken = this.#dirLock && path.resolve(this.#dirLock.dir) === path.resolve(target) ? null : lockForSave(target);
    for (const ch of this.#channels!.values()) ch.compact();
    const manifest = await writeIndexGeneration(target, {
      encoder: this.#encoder ? { id: this.#encoder.info.id, dim: this.#encoder.info.dim } : null,
      config: this.#config,
      ...(this.#fs ? { fs: this.#fs } : {}),
      writeFiles: async (d) => {
        const sfs = this.#fs ?? nodeFs;
        const mkdir = async (name: string) => {
          const p = path.join(d, name);
          await sfs.mkdir(p);
          return p;
        };
        await sfs.writeFile(path.join(d, 'entries.json'), JSON.stringify(this.#entries.toJSON()));
        const io = { writeFile: (name: string, data: string) => sfs.writeFile(path.join(d, name), data) };
        for (const ch of this.#channels!.values()) await ch.save(await mkdir(ch.name), io);
      },
    }).catch(async (e: unknown) => {
      // not committed: the segment files this save wrote go (the directory as before it)
      await settleSegments([...this.#channels!.values()], false);
      taken?.release();
      throw e;
    });
    await settleSegments([...this.#channels!.values()], true);
    if (taken) {
      this.#dirLock?.release();
      this.#dirLock = taken;
    }
    this.#path = target;
    // committed: segment files no kept generation names can go (best effort)
    if (this.#config.storage === 'segments') await collectSegments(target, [...this.#channels!.values()], this.#fs ?? nodeFs).catch(() => undefined);
    if (this.#config.wal) {
      // the changes logged so far are in the new generation: start an empty log for it
      // (if that fails the save still stands, and later changes are refused until a save)
      if (this.#wal && path.resolve(this.#wal.dir) === path.resolve(target)) await this.#wal.reset(manifest.generation).catch(() => undefined);
      else this.#wal = await WriteAheadLog.fresh(target, manifest.generation, this.#fs);
    }
  }

  /**
   * Fits fusion weights for this collection by coordinate ascent on nDCG@10 over labelled
   * queries and reports the before/after figures. The fitted weights become the default
   * when `apply` is true.
   */
  async calibrate(queries: CalibrationQuery[], opts: CalibrateOptions = {}): Promise<CalibrationReport> {
    this.#check();
    checkCalibrateOptions(opts);
    const report = await calibrateWeights(this.#context(), queries, opts.k ?? 10, opts.folds);
    if (opts.apply ?? true) {
      this.#config.fusion.kind = report.after.kind;
      this.#config.fusion.weights = { ...this.#config.fusion.weights, ...report.after.weights };
    }
    return report;
  }

  /**
   * Reads stored documents by id, in the order asked: `{ id, text, metadata, chunks }` (text
   * when the index stores texts, metadata when the document has some, chunk spans when it
   * was chunked), or `null` for an id the index does not hold.
   *
   * @example
   * ```ts
   * const [a, missing] = await index.get(['a', 'nope']); // { id: 'a', text: '…' }, null
   * ```
   */
  async get(ids: readonly ExternalId[]): Promise<Array<StoredDocument | null>> {
    this.#check();
    if (!Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'get() takes an array of ids');
    for (const id of ids) checkId(id);
    return ids.map((id) => {
      const internal = this.#entries.entriesOf(id);
      if (internal.length === 0) return null;
      const doc: StoredDocument = { id };
      const text = this.#entries.text(id);
      if (text !== undefined) doc.text = text;
      const md = this.#entries.metadata(id);
      if (md !== undefined) doc.metadata = structuredClone(md);
      const first = this.#entries.entry(internal[0]!);
      if (first && first.chunk >= 0) doc.chunks = internal.map((n) => this.#entries.entry(n)!).map((e) => ({ start: e.start, end: e.end }));
      return doc;
    });
  }

  /**
   * Memory and size figures per store.
   *
   * @example
   * ```ts
   * const { documents, multivector } = index.stats();
   * ```
   */
  stats(): IndexStats {
    this.#check();
    const ch = this.#channels!;
    const channels: IndexStats['channels'] = {};
    for (const [name, c] of ch) channels[name] = c.stats();
    const sparse = ch.get('sparse');
    const mv = ch.get('multivector');
    const bm25 = ch.get('bm25');
    return {
      documents: this.#entries.documents,
      entries: this.#entries.liveEntries,
      dense: ch.has('dense') ? { size: ch.get('dense')!.size } : null,
      sparse: sparse instanceof SparseChannel ? sparse.store.stats() : null,
      multivector: mv instanceof MultiVectorChannel ? mv.store.stats() : null,
      bm25: bm25 instanceof Bm25Channel ? bm25.store.stats() : null,
      channels,
    };
  }

  /**
   * `await using index = await HybridIndex.open(dir, { encoder })` closes the index when the
   * block ends (same as {@link HybridIndex.close}).
   *
   * @example
   * ```ts
   * { await using index = await HybridIndex.create({ encoder }); await index.add(docs); } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Releases the stores. Idempotent; any later call throws INDEX_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#lock.run(() => undefined);
    this.#closed = true;
    // searches in flight on the threads reject with INDEX_CLOSED; no thread is left running
    await this.#pool?.close();
    this.#pool = null;
    this.#dirLock?.release();
    this.#dirLock = null;
    for (const ch of this.#channels?.values() ?? []) if (ch instanceof SegmentedChannel) ch.close();
    this.#channels = null;
  }

  /**
   * Saves, merging every segment of each segmented channel into one and dropping deleted
   * documents (`storage: 'segments'`); with the default storage, the same as `save()`.
   *
   * @example
   * ```ts
   * await index.optimize();
   * ```
   */
  async optimize(opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.#checkWritable();
    for (const ch of this.#channels!.values()) if (ch instanceof SegmentedChannel) ch.mergeAll = true;
    try {
      await this.save(opts.signal ? { signal: opts.signal } : {});
    } finally {
      for (const ch of this.#channels?.values() ?? []) if (ch instanceof SegmentedChannel) ch.mergeAll = false;
    }
  }

  #check(): void {
    if (this.#closed) throw new TridentError('INDEX_CLOSED', 'this HybridIndex is closed; open it again with HybridIndex.open(path, { encoder })');
  }

  #checkWritable(): void {
    this.#check();
    if (this.#readOnly) throw new TridentError('INDEX_READ_ONLY', 'this HybridIndex was opened with { readOnly: true }; open it without readOnly (one writer per directory) to change or save it');
  }
}

/** Checks `searchThreads` (undefined or 0: none; 1…256 with storage 'segments'); returns the count. */
function checkSearchThreads(n: unknown, segmented: boolean): number {
  if (n === undefined || n === 0) return 0;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 256) invalid('INVALID_ARGUMENT', `searchThreads must be an integer in 0…256 (got ${String(n)})`);
  if (!segmented) invalid('INVALID_ARGUMENT', "searchThreads needs storage: 'segments' (the search threads read the memory-mapped segments); this index keeps everything in the JS heap");
  return n;
}

/** Checks `segmentMemory` ('auto', 'mapped' or 'resident', the last only with storage 'segments'); returns it (default 'auto'). */
function checkSegmentMemory(m: unknown, segmented: boolean): SegmentMemory {
  if (m === undefined) return 'auto';
  if (m !== 'auto' && m !== 'mapped' && m !== 'resident') invalid('INVALID_ARGUMENT', `segmentMemory must be 'auto', 'mapped' or 'resident' (got ${JSON.stringify(m)})`);
  if (!segmented && m === 'resident') invalid('INVALID_ARGUMENT', "segmentMemory: 'resident' needs storage: 'segments' (the default storage already holds everything in memory)");
  return m;
}

/**
 * `searchThreadsNice` when not given: {@link BUSY_POOL_NICE} when the search threads can occupy
 * every core this process may run on (the event loop then has no core of its own), else 0.
 */
function defaultSearchNice(threads: number): number {
  return threads > 0 && threads >= availableParallelism() ? BUSY_POOL_NICE : 0;
}

/**
 * The nice value added to search threads that can occupy every core. Measured (bench/hybrid-pool,
 * 100k, 16 concurrent searches, 2 threads on 2 vCPUs): event-loop delay p99 5.3–5.9 ms at 0,
 * 2.0–2.2 ms at 10, with QPS 2 threads / 1 thread 1.65 vs 1.63.
 */
const BUSY_POOL_NICE = 10;

/** Checks `searchThreadsNice` (0…19, and only with search threads); returns it (default {@link defaultSearchNice}). */
function checkSearchNice(n: unknown, threads: number): number {
  if (n === undefined) return defaultSearchNice(threads);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 19) invalid('INVALID_ARGUMENT', `searchThreadsNice must be an integer in 0…19 (got ${String(n)})`);
  if (threads === 0) invalid('INVALID_ARGUMENT', 'searchThreadsNice needs searchThreads (the nice value of the search threads)');
  return n;
}

/** Creates `dir` if needed and takes its writer lock (a save to a directory other than the index's). */
function lockForSave(dir: string): DirectoryLock {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code ?? 'unknown';
    throw new StorageError('IO_ERROR', `creating ${dir} failed (${code}): ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  return DirectoryLock.acquire(dir);
}

/** The write-ahead-log record of an add or update: the documents and their encoded units. */
function walRecord(op: 'add' | 'update', docs: DocumentInput[], prepared: PreparedDoc[]): unknown {
  return { op, docs: docs.map((d) => ({ id: d.id, text: d.text, ...(d.metadata !== undefined ? { metadata: d.metadata } : {}) })), prepared };
}

/**
 * Throws unless `docs` is an array of { id, text: string, metadata?: JSON object } (see
 * canonicalMetadata); returns the documents as the index keeps them (metadata copied).
 */
function validateDocs(docs: DocumentInput[], method: string, needText: boolean, own: ReadonlySet<string>): DocumentInput[] {
  if (!Array.isArray(docs)) invalid('INVALID_ARGUMENT', `${method}() takes an array of { id, text, metadata? }`);
  return docs.map((d) => {
    if (!d || typeof d !== 'object') invalid('INVALID_ARGUMENT', 'each document must be an object { id, text, metadata?, vectors? }');
    if (d.text !== undefined || needText) {
      if (typeof d.text !== 'string') invalid('INVALID_TEXT', `document ${JSON.stringify(d.id)} has no string 'text'${needText ? " (this index's encoder or BM25 channel reads it)" : ''}`);
    }
    if (d.vectors !== undefined) {
      if (d.vectors === null || typeof d.vectors !== 'object' || Array.isArray(d.vectors)) invalid('INVALID_ARGUMENT', `document ${JSON.stringify(d.id)}: vectors must be an object of vectors by channel name`);
      for (const n of Object.keys(d.vectors)) {
        if (!own.has(n)) invalid('INVALID_ARGUMENT', `document ${JSON.stringify(d.id)}: vectors names ${JSON.stringify(n)}, which is not a channel fed by your own vectors (${[...own].join(', ') || 'this index has none'}); nothing was added`);
      }
    }
    const metadata = canonicalMetadata(d.id, d.metadata);
    const out: DocumentInput = { id: d.id };
    if (d.text !== undefined) out.text = d.text;
    if (metadata !== undefined) out.metadata = metadata;
    if (d.vectors !== undefined) out.vectors = { ...d.vectors };
    return out;
  });
}

/** A change to the documents, as queued, logged and replayed; `ready` (live adds and updates): their deferred values are usable (prepareValuesDeferred). */
type Change = { op: 'add' | 'update'; docs: DocumentInput[]; prepared: PreparedDoc[]; values: PreparedValues; ready?: Promise<void> } | { op: 'delete'; ids: ExternalId[] };

/** Checks a change against the ids that will exist when it applies; returns its log record (null: no change). */
function checkChange(c: Change, exists: (id: ExternalId) => boolean, set: (id: ExternalId, live: boolean) => void): unknown {
  if (c.op === 'delete') {
    if (!c.ids.some(exists)) return null;
    for (const id of c.ids) set(id, false);
    return { op: 'delete', ids: c.ids };
  }
  for (const d of c.docs) {
    if (c.op === 'add' && exists(d.id)) invalid('DUPLICATE_ID', `document id ${JSON.stringify(d.id)} already exists in the index; delete it first or use a new id`);
    set(d.id, true);
  }
  return walRecord(c.op, c.docs, c.prepared);
}

/**
 * Every channel must hold only the entry table's live internal ids (a BM25 channel every one;
 * the others a subset, as an encoder may leave a representation out for a unit): an id the
 * table does not know would fail every search with UNKNOWN_ID. CORRUPT_FILE naming the
 * channel's file otherwise.
 */
function checkChannelsMatchEntries(entries: EntryTable, channels: readonly Channel[], rel: (name: string) => string): void {
  const live = entries.liveInternalIds();
  for (const ch of channels) {
    let n = 0;
    if (ch instanceof SegmentedChannel) n = ch.countAmong(live);
    else for (let i = 0; i < live.length; i++) if (ch.has(live[i]!)) n++;
    if (n !== ch.size || (ch.kind === 'bm25' && n !== live.length)) {
      const file = rel(channelFiles(ch.spec, ch instanceof SegmentedChannel)[0]!);
      throw new StorageError('CORRUPT_FILE', `${file} holds ${ch.size} entries of which ${n} are among the ${live.length} live entries of ${rel('entries.json')}: the files do not belong together; restore the index from a backup or rebuild it`, { file });
    }
  }
}

/** Matryoshka truncation: keep the first `d` dimensions, then L2-normalise. */
export function truncateDense(v: Float32Array, d: number): Float32Array {
  if (d >= v.length) return v;
  const out = v.slice(0, d);
  let s = 0;
  for (let i = 0; i < d; i++) s += out[i]! * out[i]!;
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < d; i++) out[i]! /= n;
  return out;
}
