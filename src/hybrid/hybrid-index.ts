import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, StorageError, TridentError, invalid, throwIfAborted } from '../errors.js';
import { DenseIndex } from '../dense/index.js';
import { BM25_DEFAULTS, SparseIndex } from '../sparse/index.js';
import { MultiVectorStore } from '../multivector/index.js';
import { ANALYZER_VERSION, createAnalyzer, TermVocabulary, type Analyzer } from '../analyze/index.js';
import { M3_DISTILLED_WEIGHTS, validateWeights, type FusionKind, type Weights3 } from '../fusion/index.js';
import { checkId, claimIndexDirectory, DirectoryLock, MANIFEST_FILE, nodeFs, readGeneration, WAL_FILE, WriteAheadLog, writeIndexGeneration, type ExternalId, type Manifest, type StoreFs } from '../store/index.js';
import { EntryTable } from './entries.js';
import { Mutex } from './lock.js';
import { ChangeWriter } from './writer.js';
import { analyseUnits, applyDelete, applyUpsert, type Stores } from './apply.js';
import { canonicalMetadata } from './metadata.js';
import { checkFusionOptions, checkStoredConfig } from './config.js';
import { applyRerank } from '../rerank/index.js';
import { searchExpanded } from '../families/expand.js';
import { runSearch, type SearchContext } from './search.js';
import { prepareDocuments, type PreparedDoc } from './chunking.js';
import { calibrateWeights, type CalibrationQuery, type CalibrationReport } from './calibrate.js';
import { checkAddOptions, checkCalibrateOptions, checkCreateOptions, checkOpenOptions, checkSaveOptions, checkSearchOptions } from './check-options.js';
import type { AddOptions, CalibrateOptions, DocumentInput, EncodedLike, HybridEncoder, HybridIndexOptions, IndexStats, OpenOptions, SaveOptions, SearchHit, SearchOptions, StoredDocument } from './types.js';

export type { AddOptions, HybridIndexOptions } from './types.js';

// `await using index = …` needs Symbol.asyncDispose (Node ≥ 20.4 has it); the fallback is the
// registered symbol TypeScript's down-levelled `await using` also looks up.
if (typeof (Symbol as { asyncDispose?: symbol }).asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('Symbol.asyncDispose') });
}

/** Persisted configuration (manifest `config`). */
export interface HybridConfig {
  dense: false | { dtype: 'f32' | 'f16' | 'i8'; dimensions: number; connectivity?: number; expansionAdd?: number; expansionSearch?: number };
  sparse: boolean;
  multivector: false | { dtype: 'f32' | 'f16' | 'i8'; poolFactor: 1 | 2 | 3; dim: number; screening?: 'int8' | 'none' };
  /** analyzerVersion: absent in indexes written before version 2 (= 1). */
  bm25: false | { analyzer: 'plain' | 'english' | 'bigram' | 'auto'; k1: number; b: number; analyzerVersion?: number };
  fusion: { kind: FusionKind; weights: Weights3; rrfK: number };
  candidates: number;
  storeText: boolean;
  /** Write-ahead log on (absent in indexes written before it existed: off; see HybridIndexOptions.wal). */
  wal?: boolean;
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
  #encoder: HybridEncoder;
  #path: string | undefined;
  #config: HybridConfig;
  #entries: EntryTable;
  #dense: DenseIndex | null;
  #sparse: SparseIndex | null;
  #mv: MultiVectorStore | null;
  #bm25: { index: SparseIndex; vocab: TermVocabulary; analyzer: Analyzer } | null;
  #closed = false;
  #lock = new Mutex();
  #fs: StoreFs | undefined;
  #wal: WriteAheadLog | null = null;
  /** The directory's writer lock (null: in memory only, or read-only). */
  #dirLock: DirectoryLock | null = null;
  #readOnly = false;
  #writer = new ChangeWriter<Change>(this.#lock, {
    live: () => this.#check(),
    has: (id) => this.#entries.hasDocument(id),
    check: (c, exists, set) => checkChange(c, exists, set),
    apply: (c) => this.#apply(c),
    wal: () => this.#wal,
  });

  private constructor(
    encoder: HybridEncoder,
    dir: string | undefined,
    config: HybridConfig,
    entries: EntryTable,
    stores: { dense: DenseIndex | null; sparse: SparseIndex | null; mv: MultiVectorStore | null; bm25: { index: SparseIndex; vocab: TermVocabulary } | null },
    fs: StoreFs | undefined,
  ) {
    this.#encoder = encoder;
    this.#path = dir;
    this.#config = config;
    this.#entries = entries;
    this.#dense = stores.dense;
    this.#sparse = stores.sparse;
    // BM42-style encoders declare that query weights take the index's IDF at search time
    if (stores.sparse && encoder.info.sparseModifier === 'idf') stores.sparse.setQueryModifier('idf');
    this.#mv = stores.mv;
    this.#bm25 = stores.bm25 && config.bm25 ? { ...stores.bm25, analyzer: createAnalyzer(config.bm25.analyzer, { version: config.bm25.analyzerVersion ?? 1 }) } : null;
    this.#fs = fs;
  }

  /** Creates an empty index (nothing is written until `save()`, unless `wal` is on: then the empty index is saved at once). */
  static async create(opts: HybridIndexOptions): Promise<HybridIndex> {
    if (!opts || !opts.encoder || typeof opts.encoder.encode !== 'function') invalid('INVALID_ARGUMENT', 'HybridIndex.create needs { encoder } (from loadEncoder)');
    checkCreateOptions(opts);
    const enc = opts.encoder;
    const heads = enc.info.heads ?? { dense: true, sparse: true, multivector: true };
    // Learn the output shapes once (the dense and multi-vector dimensions may differ).
    const [probe] = await enc.encode(['dimension probe'], { role: 'document' });
    const dim = probe?.dense?.length ?? enc.info.dim;
    const mvDim = probe?.multivector?.dim ?? enc.info.dim;
    const dimensions = opts.dense ? opts.dense.dimensions ?? dim : dim;
    const denseOn = opts.dense !== false && heads.dense !== false; // sparse-only encoders (SPLADE, BM42) have no dense size
    if (denseOn && (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > dim)) invalid('INVALID_ARGUMENT', `dense.dimensions must be an integer in 1..${dim}`);
    checkFusionOptions(opts.fusion);
    const fusion = opts.fusion;
    const fusionWeights = (fusion && fusion.kind !== 'rrf' ? fusion.weights : undefined) ?? enc.info.fusionWeights ?? M3_DISTILLED_WEIGHTS;
    validateWeights(fusionWeights);
    const candidates = opts.candidates ?? 200;
    if (!Number.isInteger(candidates) || candidates < 1) invalid('INVALID_ARGUMENT', 'candidates must be a positive integer');
    const config: HybridConfig = {
      dense:
        opts.dense === false || heads.dense === false
          ? false
          : {
              dtype: opts.dense?.dtype ?? (dimensions >= 512 ? 'f16' : 'f32'),
              dimensions,
              ...(opts.dense?.connectivity !== undefined ? { connectivity: opts.dense.connectivity } : {}),
              ...(opts.dense?.expansionAdd !== undefined ? { expansionAdd: opts.dense.expansionAdd } : {}),
              ...(opts.dense?.expansionSearch !== undefined ? { expansionSearch: opts.dense.expansionSearch } : {}),
            },
      sparse: opts.sparse !== false && heads.sparse !== false,
      multivector:
        opts.multivector === false || heads.multivector === false
          ? false
          : { dtype: opts.multivector?.dtype ?? 'f16', poolFactor: opts.multivector?.poolFactor ?? 1, dim: mvDim, ...(opts.multivector?.screening !== undefined ? { screening: opts.multivector.screening } : {}) },
      bm25: opts.bm25 ? { analyzer: opts.bm25.analyzer ?? 'auto', k1: opts.bm25.k1 ?? BM25_DEFAULTS.k1, b: opts.bm25.b ?? BM25_DEFAULTS.b, analyzerVersion: ANALYZER_VERSION } : false,
      fusion: { kind: fusion?.kind ?? 'weighted', weights: [...fusionWeights] as unknown as Weights3, rrfK: (fusion?.kind === 'rrf' ? fusion.rrfK : undefined) ?? 60 },
      candidates,
      storeText: opts.storeText ?? true,
    };
    if (!config.dense && !config.sparse && !config.multivector && !config.bm25) invalid('INVALID_ARGUMENT', 'every store is disabled: enable at least one of dense, sparse, multivector, bm25');
    if (opts.wal !== undefined && typeof opts.wal !== 'boolean') invalid('INVALID_ARGUMENT', `wal must be true or false (got ${String(opts.wal)})`);
    if (opts.wal === true && !opts.path) invalid('INVALID_ARGUMENT', 'wal: true needs { path }: the log lives in the index directory');
    config.wal = opts.wal ?? true;
    const index = new HybridIndex(enc, opts.path, config, new EntryTable(), makeStores(config), opts.fs);
    if (opts.path) index.#dirLock = await claimIndexDirectory(opts.path, { overwrite: opts.overwrite === true, ...(opts.fs ? { fs: opts.fs } : {}) });
    try {
      if (config.wal && opts.path) await index.save(); // the log extends a saved generation: write the empty one
    } catch (e) {
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
   * ```
   */
  static async open(dir: string, opts: OpenOptions): Promise<HybridIndex> {
    if (!opts?.encoder) invalid('INVALID_ARGUMENT', 'HybridIndex.open needs { encoder }');
    checkOpenOptions(opts);
    const lock = opts.readOnly ? null : DirectoryLock.acquire(dir);
    try {
      // A writer may commit a new generation (and remove the one being read) meanwhile:
      // readGeneration then reads the new one, from the manifest on.
      const index = await readGeneration(dir, opts.fs ?? nodeFs, ({ manifest, dataDir }) => HybridIndex.#openGeneration(dir, manifest, dataDir, opts.encoder, opts.fs, opts.readOnly === true));
      index.#dirLock = lock;
      index.#readOnly = opts.readOnly === true;
      return index;
    } catch (e) {
      lock?.release();
      throw e;
    }
  }

  static async #openGeneration(dir: string, manifest: Manifest, dataDir: string, encoder: HybridEncoder, fs: StoreFs | undefined, readOnly: boolean): Promise<HybridIndex> {
    const stored = manifest.encoder as { id?: string; dim?: number } | null;
    if (!stored || stored.id !== encoder.info.id || (typeof stored.dim === 'number' && stored.dim !== encoder.info.dim)) {
      throw new InvalidArgumentError(
        'ENCODER_MISMATCH',
        `index at ${dir} was built with encoder '${stored?.id ?? '?'}' (dim ${stored?.dim ?? '?'}) but '${encoder.info.id}' (dim ${encoder.info.dim}) was given; open it with the same model or rebuild the index`,
      );
    }
    const config = checkStoredConfig(manifest.config);
    const rel = (name: string) => `${manifest.dir}/${name}`;
    const listed = new Set(manifest.files.map((f) => f.name));
    const required = [
      'entries.json',
      ...(config.dense ? ['dense/dense.rows', 'dense/dense.usearch'] : []),
      ...(config.sparse ? ['sparse/sparse.bin'] : []),
      ...(config.multivector ? ['multivector/multivector.bin'] : []),
      ...(config.bm25 ? ['bm25/sparse.bin', 'bm25-vocab.json'] : []),
    ];
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
        const why = e instanceof TridentError ? e.message.replace(/^CORRUPT_FILE: /, '') : (e as Error)?.message ?? String(e);
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
    const stores = {
      dense: config.dense ? await load('dense/dense.rows', () => DenseIndex.openFiles(path.join(dataDir, 'dense'))) : null,
      sparse: config.sparse ? await load('sparse/sparse.bin', () => SparseIndex.openFiles(path.join(dataDir, 'sparse'))) : null,
      mv: config.multivector ? await load('multivector/multivector.bin', () => MultiVectorStore.openFiles(path.join(dataDir, 'multivector'), config.multivector && config.multivector.screening ? { screening: config.multivector.screening } : {})) : null,
      bm25: config.bm25
        ? {
            index: await load('bm25/sparse.bin', () => SparseIndex.openFiles(path.join(dataDir, 'bm25'))),
            vocab: await load('bm25-vocab.json', async () => TermVocabulary.fromJSON(await json('bm25-vocab.json'))),
          }
        : null,
    };
    checkStoresMatchEntries(entries, stores, rel);
    const index = new HybridIndex(encoder, dir, config, entries, stores, fs);
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
    const batch = validateDocs(docs, 'add');
    this.#entries.checkNew(batch.map((d) => d.id));
    throwIfAborted(opts.signal, 'add() aborted before encoding: nothing was added');
    const prepared = await this.#prepare(batch, opts, 'add');
    const terms = this.#analyse(batch, prepared);
    throwIfAborted(opts.signal, 'add() aborted: nothing was added');
    return this.#writer.submit({ op: 'add', docs: batch, prepared, terms });
  }

  /** BM25 terms of a batch, before anything is logged or changed; analyser failures are typed. */
  #analyse(docs: DocumentInput[], prepared: PreparedDoc[]): string[][][] | null {
    try {
      return analyseUnits(this.#stores(), docs, prepared);
    } catch (e) {
      if (e instanceof TridentError) throw e;
      throw new InvalidArgumentError('INVALID_TEXT', `the BM25 analyser rejected a document of this batch (${(e as Error)?.message ?? String(e)}); nothing was added`, { cause: e });
    }
  }

  /** The mutable state add/update/delete touch. */
  #stores(): Stores {
    this.#check();
    return {
      entries: this.#entries,
      dense: this.#dense,
      denseDimensions: this.#config.dense ? this.#config.dense.dimensions : 0,
      sparse: this.#sparse,
      mv: this.#mv,
      bm25: this.#bm25,
      storeText: this.#config.storeText,
    };
  }

  /** Applies a checked (and logged) change; all-or-nothing. */
  #apply(c: Change): unknown {
    const s = this.#stores();
    if (c.op === 'delete') return applyDelete(s, c.ids);
    const replaced = applyUpsert(s, c.docs, c.prepared, c.terms, truncateDense);
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
      const docs = validateDocs(r.docs, r.op);
      this.#checkPrepared(docs, r.prepared);
      change = { op: r.op, docs, prepared: r.prepared, terms: this.#analyse(docs, r.prepared) };
    } else throw new Error(`unknown record ${JSON.stringify(r.op)}`);
    checkChange(change, (id) => this.#entries.hasDocument(id), () => undefined);
    this.#apply(change);
  }

  /**
   * Checks every encoder output of a batch before anything is inserted (shapes and finite
   * values), so that a bad vector rejects the whole call instead of leaving it half-added.
   */
  /** Encodes a validated batch (outside the lock) and checks the encoder's output against the index. */
  async #prepare(docs: DocumentInput[], opts: AddOptions, method: 'add' | 'update'): Promise<PreparedDoc[]> {
    const prepared = await prepareDocuments(this.#encoder, docs, {
      chunking: opts.chunking,
      batchSize: opts.batchSize ?? 32,
      needSparse: this.#config.sparse,
      onProgress: opts.onProgress,
      signal: opts.signal,
      abortMessage: `${method}() aborted while encoding: nothing was ${method === 'add' ? 'added' : 'changed'}`,
    });
    this.#check();
    this.#checkPrepared(docs, prepared);
    return prepared;
  }

  #checkPrepared(docs: DocumentInput[], prepared: PreparedDoc[]): void {
    const c = this.#config;
    const finite = (a: ArrayLike<number>, what: string, id: ExternalId) => {
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i]!)) invalid('INVALID_VECTOR', `document ${JSON.stringify(id)}: the encoder's ${what} value ${i} is ${a[i]}; vectors must be finite (nothing was added)`);
      }
    };
    if (prepared.length !== docs.length) invalid('INVALID_ARGUMENT', `the encoder returned ${prepared.length} outputs for ${docs.length} documents (nothing was added)`);
    prepared.forEach((p, i) => {
      const id = docs[i]!.id;
      for (const u of p.units) {
        if (c.dense && u.dense) {
          if (u.dense.length < c.dense.dimensions) invalid('DIMENSION_MISMATCH', `document ${JSON.stringify(id)}: the encoder's dense vector has ${u.dense.length} values but the index has ${c.dense.dimensions} dimensions (nothing was added)`);
          finite(u.dense, 'dense', id);
          let norm = 0;
          for (let i = 0; i < c.dense.dimensions; i++) norm += u.dense[i]! * u.dense[i]!;
          if (norm === 0) invalid('INVALID_VECTOR', `document ${JSON.stringify(id)}: the encoder's dense vector is all zeros in the index's ${c.dense.dimensions} dimensions and cannot be normalised (nothing was added)`);
        }
        if (c.sparse && u.sparse) {
          if (u.sparse.ids.length !== u.sparse.weights.length) invalid('INVALID_VECTOR', `document ${JSON.stringify(id)}: sparse ids and weights differ in length (nothing was added)`);
          finite(u.sparse.weights, 'sparse', id);
          if (u.sparse.weights.some((w) => w < 0)) invalid('INVALID_VECTOR', `document ${JSON.stringify(id)}: the encoder's sparse weights must be >= 0 (nothing was added)`);
        }
        if (c.multivector && u.multivector) {
          const m = u.multivector;
          if (m.dim !== c.multivector.dim || m.data.length !== m.count * m.dim) invalid('DIMENSION_MISMATCH', `document ${JSON.stringify(id)}: the encoder's token vectors are ${m.count}×${m.dim} (${m.data.length} values) but the index has ${c.multivector.dim} dimensions (nothing was added)`);
          finite(m.data, 'multi-vector', id);
        }
      }
    });
  }

  /**
   * Searches the index. `mode` picks the representations (default 'all'); the default
   * pipeline takes dense top-N ∪ sparse top-N, scores every candidate exactly in every
   * store, fuses, and rolls chunks up to their document.
   */
  async search(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    this.#check();
    checkSearchOptions(opts);
    throwIfAborted(opts.signal, 'search() aborted');
    if (opts.includeText && !this.#config.storeText) invalid('INVALID_ARGUMENT', 'includeText needs the stored texts, but this index was created with storeText: false');
    if (opts.expand) {
      const { expand, encoded: _encoded, ...rest } = opts;
      const k = opts.k ?? 10;
      // each list is searched 50 deep (or k, if larger) so that RRF sees more than the final k
      const fused = await searchExpanded(query, expand, (q) => this.search(q, { ...rest, k: Math.max(k, 50) }), { k });
      return fused.map(({ fusedScore, queries: _q, ...hit }) => ({ ...hit, score: fusedScore }) as SearchHit);
    }
    if (typeof query !== 'string') invalid('INVALID_TEXT', 'query must be a string');
    const mode = opts.mode ?? 'all';
    const needEncoder = mode !== 'bm25';
    const enc = opts.encoded ?? (needEncoder ? await this.encodeQuery(query) : null);
    this.#check();
    throwIfAborted(opts.signal, 'search() aborted');
    if (!opts.rerank) return runSearch(this.#context(), query, enc, opts);
    const k = opts.k ?? 10;
    const topN = opts.rerank.topN ?? 50;
    const hits = runSearch(this.#context(), query, enc, { ...opts, k: Math.max(k, topN) });
    const textOf = (h: SearchHit) => h.chunk?.text ?? this.#entries.text(h.id);
    const reranked = await applyRerank(opts.rerank.model, query, hits, topN, textOf);
    throwIfAborted(opts.signal, 'search() aborted');
    return reranked.slice(0, k);
  }

  /** Encodes a query once (role 'query'); pass the result as `search(q, { encoded })`. */
  async encodeQuery(query: string): Promise<EncodedLike> {
    this.#check();
    if (typeof query !== 'string') invalid('INVALID_TEXT', 'query must be a string');
    return (await this.#encoder.encode([query], { role: 'query' }))[0]!;
  }

  /** The search pipeline's inputs (used by search and by calibrate). */
  #context(): SearchContext {
    return {
      config: this.#config,
      entries: this.#entries,
      dense: this.#dense,
      sparse: this.#sparse,
      mv: this.#mv,
      bm25: this.#bm25,
      encoder: this.#encoder,
      truncateDense: (v) => truncateDense(v, this.#config.dense ? this.#config.dense.dimensions : v.length),
    };
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
    const batch = validateDocs(docs, 'update');
    const seen = new Set<ExternalId>();
    for (const d of batch) {
      checkId(d.id);
      if (seen.has(d.id)) invalid('DUPLICATE_ID', `document id ${JSON.stringify(d.id)} appears twice in this batch`);
      seen.add(d.id);
    }
    throwIfAborted(opts.signal, 'update() aborted before encoding: nothing was changed');
    const prepared = await this.#prepare(batch, opts, 'update');
    const terms = this.#analyse(batch, prepared);
    throwIfAborted(opts.signal, 'update() aborted: nothing was changed');
    return this.#writer.submit({ op: 'update', docs: batch, prepared, terms });
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
    throwIfAborted(opts.signal, 'save() aborted before writing: the saved index is unchanged');
    await this.#lock.run(async () => {
      throwIfAborted(opts.signal, 'save() aborted before writing: the saved index is unchanged');
      // a save to another directory takes that directory's writer lock, and keeps it if the save commits
      const taken = this.#dirLock && path.resolve(this.#dirLock.dir) === path.resolve(target) ? null : lockForSave(target);
      this.#sparse?.compact();
      this.#mv?.compact();
      this.#bm25?.index.compact();
      const manifest = await writeIndexGeneration(target, {
        encoder: { id: this.#encoder.info.id, dim: this.#encoder.info.dim },
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
          if (this.#dense) await this.#dense.saveFiles(await mkdir('dense'));
          if (this.#sparse) await this.#sparse.saveFiles(await mkdir('sparse'));
          if (this.#mv) await this.#mv.saveFiles(await mkdir('multivector'));
          if (this.#bm25) {
            await this.#bm25.index.saveFiles(await mkdir('bm25'));
            await sfs.writeFile(path.join(d, 'bm25-vocab.json'), JSON.stringify(this.#bm25.vocab.toJSON()));
          }
        },
      }).catch((e: unknown) => {
        taken?.release();
        throw e;
      });
      if (taken) {
        this.#dirLock?.release();
        this.#dirLock = taken;
      }
      this.#path = target;
      if (this.#config.wal) {
        // the changes logged so far are in the new generation: start an empty log for it
        // (if that fails the save still stands, and later changes are refused until a save)
        if (this.#wal && path.resolve(this.#wal.dir) === path.resolve(target)) await this.#wal.reset(manifest.generation).catch(() => undefined);
        else this.#wal = await WriteAheadLog.fresh(target, manifest.generation, this.#fs);
      }
    });
  }

  /**
   * Fits fusion weights for this collection by coordinate ascent on nDCG@10 over labelled
   * queries and reports the before/after figures. The fitted weights become the default
   * when `apply` is true.
   */
  async calibrate(queries: CalibrationQuery[], opts: CalibrateOptions = {}): Promise<CalibrationReport> {
    this.#check();
    checkCalibrateOptions(opts);
    const report = await calibrateWeights(this.#context(), queries, this.#config.fusion.weights, opts.k ?? 10);
    if (opts.apply ?? true) {
      this.#config.fusion.kind = report.after.kind;
      this.#config.fusion.weights = report.after.weights;
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
    return {
      documents: this.#entries.documents,
      entries: this.#entries.liveEntries,
      dense: this.#dense ? { size: this.#dense.size } : null,
      sparse: this.#sparse ? this.#sparse.stats() : null,
      multivector: this.#mv ? this.#mv.stats() : null,
      bm25: this.#bm25 ? this.#bm25.index.stats() : null,
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
    this.#dirLock?.release();
    this.#dirLock = null;
    this.#dense = null;
    this.#sparse = null;
    this.#mv = null;
    this.#bm25 = null;
  }

  #check(): void {
    if (this.#closed) throw new TridentError('INDEX_CLOSED', 'this HybridIndex is closed; open it again with HybridIndex.open(path, { encoder })');
  }

  #checkWritable(): void {
    this.#check();
    if (this.#readOnly) throw new TridentError('INDEX_READ_ONLY', 'this HybridIndex was opened with { readOnly: true }; open it without readOnly (one writer per directory) to change or save it');
  }
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
function validateDocs(docs: DocumentInput[], method: string): DocumentInput[] {
  if (!Array.isArray(docs)) invalid('INVALID_ARGUMENT', `${method}() takes an array of { id, text, metadata? }`);
  return docs.map((d) => {
    if (!d || typeof d !== 'object') invalid('INVALID_ARGUMENT', 'each document must be an object { id, text, metadata? }');
    if (typeof d.text !== 'string') invalid('INVALID_TEXT', `document ${JSON.stringify(d.id)} has no string 'text'`);
    const metadata = canonicalMetadata(d.id, d.metadata);
    return metadata === undefined ? { id: d.id, text: d.text } : { id: d.id, text: d.text, metadata };
  });
}

/** A change to the documents, as queued, logged and replayed. */
type Change =
  | { op: 'add' | 'update'; docs: DocumentInput[]; prepared: PreparedDoc[]; terms: string[][][] | null }
  | { op: 'delete'; ids: ExternalId[] };

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
 * Every store must hold exactly the entry table's live internal ids (the BM25 store every one;
 * the others a subset, as an encoder may leave a representation out for a unit): a store id
 * the table does not know would fail every search with UNKNOWN_ID. CORRUPT_FILE naming the
 * store's file otherwise.
 */
function checkStoresMatchEntries(
  entries: EntryTable,
  stores: { dense: DenseIndex | null; sparse: SparseIndex | null; mv: MultiVectorStore | null; bm25: { index: SparseIndex } | null },
  rel: (name: string) => string,
): void {
  const live = entries.liveInternalIds();
  const check = (store: { size: number; has(id: number): boolean } | null, name: string, every: boolean) => {
    if (!store) return;
    let n = 0;
    for (let i = 0; i < live.length; i++) if (store.has(live[i]!)) n++;
    if (n !== store.size || (every && n !== live.length)) {
      throw new StorageError(
        'CORRUPT_FILE',
        `${rel(name)} holds ${store.size} entries of which ${n} are among the ${live.length} live entries of ${rel('entries.json')}: the files do not belong together; restore the index from a backup or rebuild it`,
        { file: rel(name) },
      );
    }
  };
  check(stores.dense, 'dense/dense.rows', false);
  check(stores.sparse, 'sparse/sparse.bin', false);
  check(stores.mv, 'multivector/multivector.bin', false);
  check(stores.bm25?.index ?? null, 'bm25/sparse.bin', true);
}

function makeStores(c: HybridConfig) {
  return {
    dense: c.dense
      ? DenseIndex.create({
          dimensions: c.dense.dimensions,
          dtype: c.dense.dtype,
          ...(c.dense.connectivity !== undefined ? { connectivity: c.dense.connectivity } : {}),
          ...(c.dense.expansionAdd !== undefined ? { expansionAdd: c.dense.expansionAdd } : {}),
          ...(c.dense.expansionSearch !== undefined ? { expansionSearch: c.dense.expansionSearch } : {}),
        })
      : null,
    sparse: c.sparse ? SparseIndex.create({ scorer: 'dot' }) : null,
    mv: c.multivector ? MultiVectorStore.create({ dim: c.multivector.dim, dtype: c.multivector.dtype, poolFactor: c.multivector.poolFactor, ...(c.multivector.screening ? { screening: c.multivector.screening } : {}) }) : null,
    bm25: c.bm25 ? { index: SparseIndex.create({ scorer: 'bm25', k1: c.bm25.k1, b: c.bm25.b }), vocab: new TermVocabulary() } : null,
  };
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
