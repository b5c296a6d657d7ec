/**
 * `trident export`: copies a saved local index into a Qdrant collection without re-encoding.
 * Reads the last saved generation (manifest, entries, channels) through the stores' public
 * methods — dense rows (`DenseIndex.vector`), sparse vectors (`SparseIndex.documentVectors`),
 * token vectors (`MultiVectorStore.get`), BM25 term frequencies with the vocabulary — and
 * upserts the same points QdrantIndex writes. Resumable: each batch first asks Qdrant which of
 * its points exist and sends only the others, so a re-run after a failure continues where it
 * stopped (and a finished export re-run sends nothing). The BM25 document weights use the
 * local index's own average length, so they match its BM25 at export time.
 * It reads the last saved generation, like a read-only open: changes still only in the
 * write-ahead log are not copied. Not supported yet: chunked indexes, extra channels (UNSUPPORTED).
 */
import * as path from 'node:path';
import { StorageError, TridentError, invalid } from '../errors.js';
import { Bm25Channel, DenseChannel, MultiVectorChannel, SparseChannel, openChannel, type Channel } from '../channels/index.js';
import { checkStoredConfig } from '../hybrid/config.js';
import { EntryTable } from '../hybrid/entries.js';
import { nodeFs, readGeneration } from '../store/index.js';
import { checkCollection, collectionConfig, type QdrantLayout } from './collection.js';
import { QdrantConnection, type QdrantConnectionOptions } from './client.js';
import { bm25DocumentVector, buildPoint } from './points.js';
import type { SparseVector } from '../sparse/index.js';
import type { QPointStruct } from './schema.js';
import { pointId } from './uuid.js';

/** Options of {@link exportToQdrant}. */
export interface ExportOptions extends QdrantConnectionOptions {
  collection: string;
  shards?: number;
  replicas?: number;
  /** Points per upsert. Default 64. */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: (p: { done: number; total: number; sent: number }) => void;
}

/** What an export did. */
export interface ExportReport {
  documents: number;
  /** Points sent in this run. */
  sent: number;
  /** Points already in the collection (skipped). */
  skipped: number;
}

/**
 * Copies a saved index to a Qdrant collection (created when missing, checked when present).
 *
 * @example
 * ```ts
 * await exportToQdrant('./my-index', { url: 'http://localhost:6333', collection: 'docs' });
 * ```
 */
export async function exportToQdrant(dir: string, o: ExportOptions): Promise<ExportReport> {
  const batch = o.batchSize ?? 64;
  if (!Number.isInteger(batch) || batch < 1) invalid('INVALID_ARGUMENT', `batchSize must be a positive integer (got ${String(batch)})`);
  const src = await readIndex(dir);
  const conn = await QdrantConnection.connect(o);
  if (await conn.collectionExists(o.collection)) checkCollection(await conn.getCollection(o.collection), src.layout, o.collection);
  else await conn.createCollection(o.collection, collectionConfig(src.layout, { ...(o.shards !== undefined ? { shards: o.shards } : {}), ...(o.replicas !== undefined ? { replicas: o.replicas } : {}) }));
  const docs = src.docs;
  let sent = 0;
  let skipped = 0;
  for (let i = 0; i < docs.length; i += batch) {
    const part = docs.slice(i, i + batch);
    const have = new Set(
      (
        await conn.retrieve(
          o.collection,
          part.map((d) => pointId(d)),
          false,
          false,
        )
      ).map((r) => String(r.id)),
    );
    const points = part.filter((d) => !have.has(pointId(d))).map((d) => src.point(d));
    if (points.length > 0) await conn.upsert(o.collection, points);
    sent += points.length;
    skipped += part.length - points.length;
    o.onProgress?.({ done: Math.min(i + batch, docs.length), total: docs.length, sent });
  }
  return { documents: docs.length, sent, skipped };
}

/** A saved index opened for reading its vectors (no encoder needed). */
async function readIndex(dir: string): Promise<{ layout: QdrantLayout; docs: Array<string | number>; point: (doc: string | number) => QPointStruct }> {
  return readGeneration(dir, nodeFs, async ({ manifest, dataDir }) => {
    const config = checkStoredConfig(manifest.config);
    if (config.storage === 'segments') invalid('UNSUPPORTED', `the index at ${dir} uses storage 'segments': exporting it to Qdrant is not supported yet`);
    const json = async (name: string): Promise<unknown> => JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await nodeFs.readFile(path.join(dataDir, name))));
    const load = async <T>(name: string, read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (e) {
        if (e instanceof TridentError) throw e;
        throw new StorageError('CORRUPT_FILE', `${manifest.dir}/${name} cannot be read: ${(e as Error)?.message ?? String(e)}`, { cause: e, file: name });
      }
    };
    const entries = EntryTable.fromJSON(await json('entries.json'));
    if (entries.liveEntries > entries.documents) invalid('UNSUPPORTED', `the index at ${dir} is chunked: exporting chunked documents to Qdrant is not supported yet`);
    const channels: Channel[] = [];
    for (const spec of config.channels) channels.push(await openChannel(spec, { dataDir, readJson: json, load }));
    const enc = manifest.encoder as { id?: string; dim?: number } | null;
    const layout: QdrantLayout = { encoder: { id: enc?.id ?? 'none', dim: enc?.dim ?? 0 } };
    let sparse: Map<number, SparseVector> | null = null;
    let bm25: { ch: Bm25Channel; vecs: Map<number, SparseVector> } | null = null;
    for (const ch of channels) {
      if (ch.name !== ch.kind) invalid('UNSUPPORTED', `channel '${ch.name}' (${ch.kind}): export maps only the standard dense, sparse, multivector and bm25 channels`);
      if (ch instanceof DenseChannel) layout.dense = { size: ch.store.dimensions };
      else if (ch instanceof SparseChannel) {
        layout.sparse = { modifier: ch.spec.kind === 'sparse' && ch.spec.modifier === 'idf' ? 'idf' : 'none' };
        sparse = ch.store.documentVectors();
      } else if (ch instanceof MultiVectorChannel) layout.multivector = { size: ch.store.dim };
      else if (ch instanceof Bm25Channel) {
        const vecs = ch.store.documentVectors();
        let total = 0;
        for (const v of vecs.values()) for (const w of v.weights) total += w;
        const s = ch.spec;
        layout.bm25 = { analyzer: s.analyzer, analyzerVersion: s.analyzerVersion ?? 1, k1: s.k1, b: s.b, avgdl: vecs.size > 0 ? total / vecs.size : 1 };
        bm25 = { ch, vecs };
      }
    }
    const byName = new Map(channels.map((c) => [c.name, c]));
    const docs: Array<string | number> = [];
    const internal = new Map<string | number, number>();
    for (const n of entries.liveInternalIds()) {
      const e = entries.entry(n)!;
      docs.push(e.doc);
      internal.set(e.doc, n);
    }
    const point = (doc: string | number): QPointStruct => {
      const n = internal.get(doc)!;
      const dense = byName.get('dense') as DenseChannel | undefined;
      const mv = byName.get('multivector') as MultiVectorChannel | undefined;
      let bm: { indices: number[]; values: number[] } | null = null;
      if (bm25 && layout.bm25) {
        const v = bm25.vecs.get(n);
        // terms repeated tf times: the same input QdrantIndex analyses (dl = Σ tf)
        const terms: string[] = [];
        if (v)
          v.ids.forEach((id, i) => {
            for (let t = 0; t < v.weights[i]!; t++) terms.push(bm25!.ch.vocab.termOf(id));
          });
        bm = bm25DocumentVector(terms, layout.bm25);
      }
      return buildPoint(
        { id: doc, text: entries.text(doc), metadata: entries.metadata(doc) },
        {
          dense: dense?.store.has(n) ? dense.store.vector(n) : null,
          sparse: sparse?.get(n) ?? null,
          multivector: mv?.store.has(n) ? mv.store.get(n) : null,
          bm25: bm,
        },
      );
    };
    return { layout, docs, point };
  });
}
