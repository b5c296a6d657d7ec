/**
 * Conformance against a real Qdrant, run only when TRIDENT_QDRANT_URL is set (skipped
 * otherwise, like bge-m3.test.ts with TRIDENT_BGE_M3_DIR):
 *
 *   docker run -p 6333:6333 qdrant/qdrant
 *   TRIDENT_QDRANT_URL=http://localhost:6333 npx vitest run --config test/vitest.config.ts test/conformance/qdrant.test.ts
 *
 * The same 300 SciFact documents (examples/data/scifact-500, builtin:static-en encoder) are
 * indexed locally (f32 stores) and in Qdrant; for 20 queries: identical top-10 ids for exact
 * dense, sparse, multi-vector and BM25; the same fused ranking (default channels, weighted,
 * candidates = the whole corpus on both sides so both fuse the same candidate set) with
 * scores within 1e-4; the same ids under a filter; after deletes; and after `export` of the
 * saved local index into a second collection. Collections are named trident_conf_<time> and
 * dropped at the end. NEVER RUN in the environment it was written in (no Qdrant server there).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder } from '../../src/encode/index.js';
import { createAnalyzer } from '../../src/analyze/index.js';
import { HybridIndex, type SearchOptions } from '../../src/hybrid/index.js';
import { QdrantIndex } from '../../src/qdrant/qdrant-index.js';
import { QdrantConnection } from '../../src/qdrant/client.js';
import { exportToQdrant } from '../../src/qdrant/export.js';

const URL_ = process.env.TRIDENT_QDRANT_URL;
const API_KEY = process.env.TRIDENT_QDRANT_API_KEY;
const DATA = path.resolve(import.meta.dirname, '../../examples/data/scifact-500');
const N = 300;
const readJsonl = (f: string) =>
  readFileSync(path.join(DATA, f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { _id: string; title?: string; text: string });

describe.skipIf(!URL_)('Qdrant conformance (live server)', () => {
  const stamp = Date.now();
  const names = [`trident_conf_${stamp}`, `trident_conf_${stamp}_export`];
  const docs = readJsonl('corpus.jsonl')
    .slice(0, N)
    .map((d, i) => ({ id: d._id, text: `${d.title ?? ''} ${d.text}`.trim(), metadata: { year: 2015 + (i % 8), lang: i % 3 === 0 ? 'de' : 'en' } }));
  const queries = readJsonl('queries.jsonl')
    .slice(0, 20)
    .map((q) => q.text);
  let encoder: Awaited<ReturnType<typeof loadEncoder>>;
  let local: HybridIndex;
  let remote: QdrantIndex;
  let dir: string;
  const ids = (hits: Array<{ id: string | number }>) => hits.map((h) => h.id);

  beforeAll(async () => {
    encoder = await loadEncoder('builtin:static-en');
    dir = mkdtempSync(path.join(tmpdir(), 'trident-qdrant-conf-'));
    local = await HybridIndex.create({ encoder, path: path.join(dir, 'idx'), wal: false, dense: { dtype: 'f32' }, multivector: { dtype: 'f32' }, bm25: { analyzer: 'english' } });
    await local.add(docs);
    await local.save();
    const bm = local.config.channels.find((c) => c.kind === 'bm25') as { analyzerVersion?: number } | undefined;
    const analyzer = createAnalyzer('english', { version: bm?.analyzerVersion ?? 1 });
    const avgdl = docs.reduce((s, d) => s + analyzer.terms(d.text).length, 0) / docs.length;
    remote = await QdrantIndex.create({ encoder, url: URL_!, ...(API_KEY ? { apiKey: API_KEY } : {}), collection: names[0]!, bm25: { analyzer: 'english' }, bm25AvgLength: avgdl });
    await remote.add(docs, { batchSize: 50 });
  }, 600_000);

  afterAll(async () => {
    const conn = await QdrantConnection.connect({ url: URL_!, ...(API_KEY ? { apiKey: API_KEY } : {}) });
    for (const n of names) await conn.deleteCollection(n).catch(() => undefined);
    await remote?.close();
    await local?.close();
    await encoder?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const same = async (opts: SearchOptions, index: QdrantIndex = remote) => {
    for (const q of queries) {
      const a = await local.search(q, opts);
      const b = await index.search(q, opts);
      expect({ q, ids: ids(b) }).toEqual({ q, ids: ids(a) });
      a.forEach((h, i) => {
        expect(Math.abs(b[i]!.score - h.score), `${q} #${i}`).toBeLessThan(1e-4);
      });
    }
  };

  it('dense (exact): identical top-10 ids and scores', () => same({ mode: 'dense', k: 10, exhaustive: true }));
  it('sparse: identical top-10', () => same({ mode: 'sparse', k: 10 }));
  it('multi-vector (MaxSim over every document): identical top-10', () => same({ mode: 'multivector', k: 10 }));
  it('BM25 (client-side weights, Qdrant idf): identical top-10', () => same({ mode: 'bm25', k: 10 }));
  it('fused ranking (default channels, weighted): identical ids, scores within 1e-4', () => same({ k: 10, candidates: N }));
  it('fused with RRF: identical ids', () => same({ k: 10, candidates: N, fusion: { kind: 'rrf' } }));
  it('filters: identical ids', () => same({ mode: 'dense', k: 10, exhaustive: true, filter: { year: { gte: 2018, lt: 2021 }, $not: { lang: 'de' } } }));
  it('filters with $or / in / nin on the fused ranking', () => same({ k: 10, candidates: N, filter: { $or: [{ year: { in: [2015, 2016] } }, { lang: { nin: ['en'] } }] } }));

  it('deletes: the deleted documents are gone, the rest ranks the same (dense)', async () => {
    const top = ids(await local.search(queries[0]!, { mode: 'dense', k: 5, exhaustive: true }));
    await local.delete(top);
    expect(await remote.delete(top)).toEqual({ deleted: 5, unknown: 0 });
    const after = await remote.search(queries[0]!, { mode: 'dense', k: 10, exhaustive: true });
    for (const id of top) expect(ids(after)).not.toContain(id);
    await same({ mode: 'dense', k: 10, exhaustive: true });
    expect(await remote.get([top[0]!])).toEqual([null]);
  });

  it('export: the saved local index copied into a second collection ranks the same', async () => {
    // the export reads the last save (before the deletes above): compare with a fresh reader of it
    const r = await exportToQdrant(path.join(dir, 'idx'), { url: URL_!, ...(API_KEY ? { apiKey: API_KEY } : {}), collection: names[1]!, batchSize: 64 });
    expect(r).toEqual({ documents: N, sent: N, skipped: 0 });
    expect(await exportToQdrant(path.join(dir, 'idx'), { url: URL_!, ...(API_KEY ? { apiKey: API_KEY } : {}), collection: names[1]! })).toEqual({ documents: N, sent: 0, skipped: N });
    const saved = await HybridIndex.open(path.join(dir, 'idx'), { encoder, readOnly: true });
    const exported = await QdrantIndex.create({ encoder, url: URL_!, ...(API_KEY ? { apiKey: API_KEY } : {}), collection: names[1]!, bm25: { analyzer: 'english' } });
    try {
      for (const opts of [
        { mode: 'dense', k: 10, exhaustive: true },
        { mode: 'sparse', k: 10 },
        { mode: 'multivector', k: 10 },
        { mode: 'bm25', k: 10 },
        { k: 10, candidates: N },
      ] as SearchOptions[]) {
        for (const q of queries) {
          const a = await saved.search(q, opts);
          const b = await exported.search(q, opts);
          expect({ q, mode: opts.mode, ids: ids(b) }).toEqual({ q, mode: opts.mode, ids: ids(a) });
        }
      }
    } finally {
      await saved.close();
      await exported.close();
    }
  });
});
