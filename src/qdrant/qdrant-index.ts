/**
 * QdrantIndex: the hybrid index's add / update / delete / get / search surface on a Qdrant
 * collection. The encoder runs here; Qdrant stores one named vector per channel and answers
 * the Query API. Search is exact client-side fusion by default (query.ts): Qdrant gives the
 * first-stage candidates and every channel's score of every candidate, and the fusion is the
 * local one (fusion/channels.ts through hybrid/search.ts's `fuseCandidates`), so the numbers
 * match a local index built with the same encoder. `fusionAt: 'qdrant'` lets Qdrant fuse
 * (RRF/DBSF, approximate: see query.ts). Owns the connection; holds no documents.
 */
import { InvalidArgumentError, TridentError, invalid, throwIfAborted } from '../errors.js';
import { createAnalyzer, type Analyzer } from '../analyze/index.js';
import type { Bm25ChannelSpec, Channel, ChannelSpec, MultiVectorChannelSpec } from '../channels/index.js';
import type { FusionSetting } from '../fusion/index.js';
import { buildConfig } from '../hybrid/create-config.js';
import type { HybridConfig } from '../hybrid/config.js';
import { resolveOptions, type SearchContext } from '../hybrid/search.js';
import { truncateDense } from '../hybrid/hybrid-index.js';
import type { AddOptions, DocumentInput, EncodedLike, HybridEncoder, SearchHit, SearchOptions, StoredDocument } from '../hybrid/types.js';
import { checkId, type ExternalId } from '../store/index.js';
import { checkCollection, collectionConfig } from './collection.js';
import { QdrantConnection } from './client.js';
import type { QdrantConnectionOptions, QdrantLayout } from './types.js';
import { toQdrantFilter } from './filter.js';
import { bm25DocumentVector, bm25QueryVector, buildPoint, toList, toMatrix, toSparse } from './points.js';
import type { QueryVectors } from './query.js';
import { runQdrantSearch, storedDocument } from './search.js';
import { pointId } from './uuid.js';

/**
 * Where a Qdrant collection lives and how it is laid out (the `qdrant({...})` backend).
 *
 * @example
 * ```ts
 * const o: QdrantBackendOptions = { url: 'http://localhost:6333', collection: 'docs', denseStorage: { quantization: 'scalar' }, multivectorOnDisk: true };
 * ```
 */
export interface QdrantBackendOptions extends Omit<QdrantConnectionOptions, 'url'> {
  /** Server URL, e.g. http://localhost:6333. Required. */
  url: string;
  /** Collection name (created on first use, checked against the encoder when it exists). Required. */
  collection: string;
  /** Shards of a new collection. Default: Qdrant's (1, or one per node in a cluster). */
  shards?: number;
  /** Replicas of each shard of a new collection. Default: Qdrant's (1). */
  replicas?: number;
  /** Dense vectors on disk / quantised in Qdrant. Default: in RAM, float32, no quantisation. */
  denseStorage?: { onDisk?: boolean; quantization?: 'none' | 'scalar' | 'binary'; datatype?: 'float32' | 'float16' };
  /** Token vectors on disk in Qdrant. Default false. */
  multivectorOnDisk?: boolean;
  /** Average document length (terms) frozen into the BM25 document weights. Default 256, or the collection's. */
  bm25AvgLength?: number;
  /** Points per upsert request. Default 64. */
  batchSize?: number;
  /** 'client' (default): trident's exact fusion; 'qdrant': Qdrant's RRF / DBSF in one request. */
  fusionAt?: 'client' | 'qdrant';
}

/**
 * Options of {@link QdrantIndex.create}.
 *
 * @example
 * ```ts
 * const o: QdrantIndexOptions = { encoder, url: 'http://localhost:6333', collection: 'docs', fusion: { kind: 'rrf' } };
 * ```
 */
export interface QdrantIndexOptions extends QdrantBackendOptions {
  /** The encoder (as for HybridIndex). Required. */
  encoder: HybridEncoder;
  /** Dense channel (`false`: none); `dimensions` truncates (Matryoshka). Default: on when the encoder has a dense head. */
  dense?: false | { dimensions?: number };
  /** Sparse channel (`false`: none). Default: on when the encoder has a sparse head. */
  sparse?: false | Record<string, never>;
  /** Multi-vector channel (`false`: none). Default: on when the encoder has a multi-vector head. */
  multivector?: false | Record<string, never>;
  /** BM25 channel (client-side term weights, Qdrant's idf). Default: off. */
  bm25?: false | { analyzer?: 'plain' | 'english' | 'bigram' | 'auto'; k1?: number; b?: number };
  /** Default fusion, as for HybridIndex. */
  fusion?: FusionSetting;
  /** First-stage candidates per channel. Default 200. */
  candidates?: number;
  /** Keep texts in the payload. Default true. */
  storeText?: boolean;
}

interface ChannelStub {
  name: string;
  kind: ChannelSpec['kind'];
  spec: ChannelSpec;
  unbounded: boolean;
  firstStage: boolean;
}

const STANDARD = new Set(['dense', 'sparse', 'multivector', 'bm25']);

/**
 * A hybrid index stored in Qdrant.
 *
 * @example
 * ```ts
 * const index = await QdrantIndex.create({ encoder, url: 'http://localhost:6333', collection: 'docs' });
 * await index.add([{ id: 'a', text: 'Hybrid retrieval fuses dense and lexical scores.', metadata: { year: 2024 } }]);
 * const hits = await index.search('what is hybrid retrieval?', { k: 5, filter: { year: { gte: 2020 } } });
 * await index.close();
 * ```
 */
export class QdrantIndex {
  readonly collection: string;
  #conn: QdrantConnection;
  #encoder: HybridEncoder;
  #config: HybridConfig;
  #layout: QdrantLayout;
  #stubs: Map<string, ChannelStub>;
  #analyzer: Analyzer | null;
  #o: QdrantIndexOptions;
  #closed = false;

  private constructor(conn: QdrantConnection, o: QdrantIndexOptions, config: HybridConfig, layout: QdrantLayout) {
    this.#conn = conn;
    this.#o = o;
    this.#encoder = o.encoder;
    this.collection = o.collection;
    this.#config = config;
    this.#layout = layout;
    this.#stubs = new Map(config.channels.map((s) => [s.name, { name: s.name, kind: s.kind, spec: s, unbounded: s.kind === 'bm25', firstStage: s.kind !== 'multivector' }]));
    const bm = config.channels.find((c): c is Bm25ChannelSpec => c.kind === 'bm25');
    this.#analyzer = bm ? createAnalyzer(bm.analyzer, { version: bm.analyzerVersion ?? 1 }) : null;
  }

  /**
   * Connects, then creates the collection (or checks an existing one: ENCODER_MISMATCH when
   * its vectors do not fit this encoder).
   *
   * @example
   * ```ts
   * const index = await QdrantIndex.create({ encoder, url: 'http://localhost:6333', collection: 'docs', shards: 2, bm25: { analyzer: 'english' } });
   * ```
   */
  static async create(o: QdrantIndexOptions): Promise<QdrantIndex> {
    if (!o?.encoder || typeof o.encoder.encode !== 'function') invalid('INVALID_ARGUMENT', 'QdrantIndex.create needs { encoder, url, collection }');
    if (typeof o.collection !== 'string' || !/^[A-Za-z0-9_.-]{1,255}$/.test(o.collection)) invalid('INVALID_ARGUMENT', `collection must be a name of letters, digits, '_', '-' or '.' (got ${JSON.stringify(o.collection)})`);
    for (const k of ['shards', 'replicas', 'batchSize'] as const) {
      const v = o[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) invalid('INVALID_ARGUMENT', `${k} must be a positive integer (got ${String(v)})`);
    }
    if (o.fusionAt !== undefined && o.fusionAt !== 'client' && o.fusionAt !== 'qdrant') invalid('INVALID_ARGUMENT', "fusionAt must be 'client' or 'qdrant'");
    const [probe] = await o.encoder.encode(['dimension probe'], { role: 'document' });
    const config = buildConfig(
      {
        encoder: o.encoder,
        ...(o.dense !== undefined ? { dense: o.dense === false ? false : { ...o.dense, dtype: 'f32' as const } } : {}),
        ...(o.sparse !== undefined ? { sparse: o.sparse } : {}),
        ...(o.multivector !== undefined ? { multivector: o.multivector } : {}),
        ...(o.bm25 ? { bm25: o.bm25 } : {}),
        ...(o.fusion !== undefined ? { fusion: o.fusion } : {}),
        ...(o.candidates !== undefined ? { candidates: o.candidates } : {}),
        ...(o.storeText !== undefined ? { storeText: o.storeText } : {}),
      },
      o.encoder,
      probe ?? null,
    );
    const conn = await QdrantConnection.connect(o);
    let layout = layoutOf(config, o);
    if (await conn.collectionExists(o.collection)) {
      const info = await conn.getCollection(o.collection);
      const stored = ((info.config as { metadata?: Record<string, unknown> | null }).metadata?.trident as { layout?: QdrantLayout } | undefined)?.layout;
      if (layout.bm25 && stored?.bm25 && o.bm25AvgLength === undefined) layout = { ...layout, bm25: { ...layout.bm25, avgdl: stored.bm25.avgdl } };
      checkCollection(info, layout, o.collection);
    } else {
      await conn.createCollection(o.collection, collectionConfig(layout, { ...(o.shards !== undefined ? { shards: o.shards } : {}), ...(o.replicas !== undefined ? { replicas: o.replicas } : {}) }));
    }
    return new QdrantIndex(conn, o, config, layout);
  }

  /**
   * The channel layout in Qdrant (vector names, sizes, BM25 settings).
   *
   * @example
   * ```ts
   * index.layout.dense?.size; // 1024 for BGE-M3
   * ```
   */
  get layout(): QdrantLayout {
    return this.#layout;
  }

  /**
   * Adds documents in batches (upserts of `batchSize` points, default 64); DUPLICATE_ID when
   * one is already in the collection (nothing is written then). A failure after some
   * batches leaves those written (no transaction spans requests): `update` with the same
   * documents completes it.
   *
   * @example
   * ```ts
   * await index.add([{ id: 'a', text: 'BM25 ranks by term frequency.', metadata: { year: 2020 } }], { onProgress: (p) => console.log(p.done) });
   * ```
   */
  async add(docs: DocumentInput[], opts: AddOptions = {}): Promise<{ added: number }> {
    this.#check();
    checkDocs(docs, opts);
    const existing = await this.#existing(docs.map((d) => d.id));
    if (existing.length > 0) invalid('DUPLICATE_ID', `document id ${JSON.stringify(existing[0])} already exists in collection '${this.collection}'; delete it first, or use update()`);
    await this.#write(docs, opts);
    return { added: docs.length };
  }

  /**
   * Adds or replaces documents (upsert by their point ids).
   *
   * @example
   * ```ts
   * const { added, replaced } = await index.update([{ id: 'a', text: 'new text' }]);
   * ```
   */
  async update(docs: DocumentInput[], opts: AddOptions = {}): Promise<{ added: number; replaced: number }> {
    this.#check();
    checkDocs(docs, opts);
    const replaced = (await this.#existing(docs.map((d) => d.id))).length;
    await this.#write(docs, opts);
    return { added: docs.length - replaced, replaced };
  }

  /**
   * Deletes documents by id (unknown ids are counted, not errors).
   *
   * @example
   * ```ts
   * await index.delete(['a', 'b']); // { deleted: 1, unknown: 1 }
   * ```
   */
  async delete(ids: ExternalId[]): Promise<{ deleted: number; unknown: number }> {
    this.#check();
    if (!Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'delete needs an array of ids');
    for (const id of ids) checkId(id);
    const present = await this.#existing(ids);
    if (present.length > 0) await this.#conn.deletePoints(this.collection, present.map(pointId));
    return { deleted: present.length, unknown: ids.length - present.length };
  }

  /**
   * Stored documents by id (null for unknown ids), from the payloads.
   *
   * @example
   * ```ts
   * const [doc] = await index.get(['a']); // { id: 'a', text: '…', metadata: { year: 2020 } } or null
   * ```
   */
  async get(ids: readonly ExternalId[]): Promise<Array<StoredDocument | null>> {
    this.#check();
    for (const id of ids) checkId(id);
    const recs = await this.#conn.retrieve(this.collection, ids.map(pointId));
    const byId = new Map(recs.map((r) => [String(r.id), r]));
    return ids.map((id) => {
      const r = byId.get(pointId(id));
      return r ? storedDocument(r) : null;
    });
  }

  /**
   * Searches: same options and hit shape as HybridIndex.search (not supported here: chunked
   * documents, rerank, expand, function filters — UNSUPPORTED).
   *
   * @example
   * ```ts
   * const hits = await index.search('what is bm25', { k: 5, filter: { year: { gte: 2020 } }, explain: true });
   * ```
   */
  async search(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    this.#check();
    if (typeof query !== 'string') invalid('INVALID_ARGUMENT', 'query must be a string');
    for (const k of ['rerank', 'expand'] as const) if (opts[k] !== undefined) invalid('UNSUPPORTED', `search option '${k}' is not supported by the Qdrant backend yet`);
    throwIfAborted(opts.signal, 'search() aborted');
    const ctx = { config: this.#config, channels: this.#stubs as unknown as ReadonlyMap<string, Channel>, entries: null, encoder: this.#encoder } as unknown as SearchContext;
    const r = resolveOptions(ctx, opts);
    const filter = opts.filter !== undefined ? toQdrantFilter(opts.filter) : undefined;
    const enc = opts.encoded ?? (await this.#encoder.encode([query], { role: 'query' }))[0] ?? null;
    throwIfAborted(opts.signal, 'search() aborted');
    const q = this.#queryVectors(enc, query);
    return runQdrantSearch({ conn: this.#conn, collection: this.collection, fusionAt: this.#o.fusionAt ?? 'client' }, r, q, filter, opts);
  }

  /**
   * Closes the index (idempotent); later calls throw INDEX_CLOSED. The collection stays.
   *
   * @example
   * ```ts
   * await index.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #queryVectors(enc: EncodedLike | null, text: string): QueryVectors {
    const q: QueryVectors = {};
    const d = this.#config.channels.find((c) => c.name === 'dense');
    if (d && d.kind === 'dense' && enc?.dense) q.dense = toList(truncateDense(enc.dense, d.dimensions));
    if (this.#stubs.has('sparse') && enc?.sparse) {
      const s = toSparse(enc.sparse);
      if (s.indices.length > 0) q.sparse = s;
    }
    if (this.#stubs.has('multivector') && enc?.multivector && enc.multivector.count > 0) q.multivector = toMatrix(enc.multivector);
    if (this.#analyzer) {
      const b = bm25QueryVector(this.#analyzer.terms(text));
      if (b.indices.length > 0) q.bm25 = b;
    }
    return q;
  }

  async #write(docs: DocumentInput[], opts: AddOptions): Promise<void> {
    const batch = opts.batchSize ?? this.#o.batchSize ?? 64;
    const d = this.#config.channels.find((c) => c.name === 'dense');
    let done = 0;
    for (let i = 0; i < docs.length; i += batch) {
      throwIfAborted(opts.signal, `add() aborted after ${done} documents were written`);
      const part = docs.slice(i, i + batch);
      const needEncoder = this.#stubs.has('dense') || this.#stubs.has('sparse') || this.#stubs.has('multivector');
      const encoded = needEncoder
        ? await this.#encoder.encode(
            part.map((x) => x.text as string),
            { role: 'document' },
          )
        : [];
      const points = part.map((doc, j) => {
        const e = encoded[j];
        return buildPoint(
          { id: doc.id, text: this.#config.storeText ? doc.text : undefined, metadata: doc.metadata },
          {
            dense: d && d.kind === 'dense' && e?.dense ? truncateDense(e.dense, d.dimensions) : null,
            sparse: this.#stubs.has('sparse') ? (e?.sparse ?? null) : null,
            multivector: this.#stubs.has('multivector') ? (e?.multivector ?? null) : null,
            bm25: this.#analyzer && this.#layout.bm25 ? bm25DocumentVector(this.#analyzer.terms(doc.text as string), this.#layout.bm25) : null,
          },
        );
      });
      await this.#conn.upsert(this.collection, points);
      done += part.length;
      opts.onProgress?.({ done, total: docs.length });
    }
  }

  async #existing(ids: readonly ExternalId[]): Promise<ExternalId[]> {
    if (ids.length === 0) return [];
    const recs = await this.#conn.retrieve(this.collection, ids.map(pointId));
    const have = new Set(recs.map((r) => String(r.id)));
    return ids.filter((id) => have.has(pointId(id)));
  }

  #check(): void {
    if (this.#closed) throw new TridentError('INDEX_CLOSED', `the QdrantIndex for collection '${this.collection}' is closed`);
  }
}

function layoutOf(config: HybridConfig, o: QdrantIndexOptions): QdrantLayout {
  const layout: QdrantLayout = { encoder: { id: o.encoder.info.id, dim: o.encoder.info.dim } };
  for (const c of config.channels) {
    if (!STANDARD.has(c.name) || c.name !== c.kind) throw new InvalidArgumentError('UNSUPPORTED', `channel '${c.name}' (${c.kind}): the Qdrant backend maps only the standard dense, sparse, multivector and bm25 channels`);
    if (c.kind === 'dense') layout.dense = { size: c.dimensions, ...(o.denseStorage?.onDisk ? { onDisk: true } : {}), ...(o.denseStorage?.quantization ? { quantization: o.denseStorage.quantization } : {}), ...(o.denseStorage?.datatype ? { datatype: o.denseStorage.datatype } : {}) };
    else if (c.kind === 'sparse') layout.sparse = { modifier: c.modifier ?? 'none' };
    else if (c.kind === 'multivector') {
      if ((c as MultiVectorChannelSpec).poolFactor !== 1) invalid('UNSUPPORTED', 'token pooling (poolFactor 2 or 3) is not supported by the Qdrant backend');
      layout.multivector = { size: c.dimensions, ...(o.multivectorOnDisk ? { onDisk: true } : {}) };
    } else {
      const avgdl = o.bm25AvgLength ?? 256;
      if (!(avgdl > 0) || !Number.isFinite(avgdl)) invalid('INVALID_ARGUMENT', `bm25AvgLength must be a positive number (got ${String(avgdl)})`);
      layout.bm25 = { analyzer: c.analyzer, analyzerVersion: c.analyzerVersion ?? 1, k1: c.k1, b: c.b, avgdl };
    }
  }
  return layout;
}

function checkDocs(docs: DocumentInput[], opts: AddOptions): void {
  if (!Array.isArray(docs)) invalid('INVALID_ARGUMENT', 'add needs an array of { id, text, metadata? }');
  if (opts.chunking !== undefined) invalid('UNSUPPORTED', 'chunking is not supported by the Qdrant backend yet: add whole documents');
  const b = opts.batchSize;
  if (b !== undefined && (!Number.isInteger(b) || b < 1)) invalid('INVALID_ARGUMENT', `batchSize must be a positive integer (got ${String(b)})`);
  const seen = new Set<ExternalId>();
  for (const d of docs) {
    if (!d || typeof d !== 'object') invalid('INVALID_ARGUMENT', 'each document must be an object { id, text, metadata? }');
    checkId(d.id);
    if (typeof d.text !== 'string') invalid('INVALID_TEXT', `document ${JSON.stringify(d.id)}: text must be a string`);
    if (d.metadata !== undefined && (d.metadata === null || typeof d.metadata !== 'object' || Array.isArray(d.metadata))) invalid('INVALID_ARGUMENT', `document ${JSON.stringify(d.id)}: metadata must be a plain object`);
    if (d.vectors !== undefined) invalid('UNSUPPORTED', `document ${JSON.stringify(d.id)}: your own vectors (channels with source 'vectors') are not supported by the Qdrant backend yet`);
    if (seen.has(d.id)) invalid('DUPLICATE_ID', `document id ${JSON.stringify(d.id)} appears twice in this batch`);
    seen.add(d.id);
  }
}
