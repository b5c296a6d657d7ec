/**
 * The "open a saved index and answer a first query" task of the peers benchmark: each engine
 * saved by the earlier tasks is opened from disk in this process and queried once; the time
 * from the open call to the first result, and the settled RSS growth, are recorded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DenseIndex, HybridIndex } from '../../src/index.js';
import type { HybridEncoder } from '../../src/hybrid/types.js';
import { dirBytes } from '../lib/memory.js';
import { SQLITE_RRF, type HybridQuery } from './hybrid-engines.js';
import { loadPeer } from './load.js';
import { settledRss, type EngineRow } from './measure.js';
import { fts5Query, openSqlite } from './text-engines.js';
import { HNSW } from './vector-engines.js';

/** Where the earlier tasks left their saved engines. */
export interface ReopenInput {
  work: string;
  hybridDir: string;
  /** The same index saved with `storage: 'segments'` (memory-mapped segments), when built. */
  segmentsDir?: string;
  encoder: HybridEncoder;
  query: HybridQuery;
  dim: number;
  log: (s: string) => void;
  /** Save time of each saved path, from the earlier tasks. */
  saveMs?: Map<string, number>;
}

type Opener = { engine: string; version?: string; path: string; run(): Promise<{ close(): unknown | Promise<unknown> } | { skipped: string }> };

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-');

/**
 * Opens every saved engine that exists and measures open + first query.
 *
 * @example
 * ```ts
 * const rows = await reopeners({ work, hybridDir, encoder, query, dim: 100, log: console.log });
 * ```
 */
export async function reopeners(o: ReopenInput): Promise<EngineRow[]> {
  const q = o.query;
  const qbuf = () => Buffer.from(q.vector.buffer, q.vector.byteOffset, q.vector.byteLength);
  const denseDir = join(o.work, 'dense', slug('trident DenseIndex'), 'dense');
  const bm25Dir = join(o.work, 'bm25', slug('trident'));
  const lanceDir = join(o.work, 'hybrid', slug('LanceDB FTS+vector RRF'));
  const sqliteFile = join(o.work, 'hybrid', slug('SQLite FTS5+vec0 RRF'), 'hybrid.db');
  const usearchFile = join(o.work, 'dense', slug('usearch (raw, f32)'), 'usearch.bin');
  const hnswFile = join(o.work, 'dense', slug('hnswlib-node'), 'hnswlib.bin');
  const miniFile = join(o.work, 'bm25', slug('MiniSearch'), 'minisearch.json');
  const openers: Opener[] = [
    {
      engine: 'trident HybridIndex (all stores)',
      path: o.hybridDir,
      run: async () => {
        const index = await HybridIndex.open(o.hybridDir, { encoder: o.encoder });
        await index.search(q.text, { mode: 'all', k: 10, encoded: q.encoded });
        return index;
      },
    },
    ...(o.segmentsDir
      ? [
          {
            engine: "trident HybridIndex (all stores, storage 'segments')",
            path: o.segmentsDir,
            run: async () => {
              const index = await HybridIndex.open(o.segmentsDir!, { encoder: o.encoder });
              await index.search(q.text, { mode: 'all', k: 10, encoded: q.encoded });
              return index;
            },
          },
        ]
      : []),
    {
      engine: 'trident HybridIndex (BM25 only)',
      path: bm25Dir,
      run: async () => {
        const index = await HybridIndex.open(bm25Dir, { encoder: o.encoder });
        await index.search(q.text, { mode: 'bm25', k: 10 });
        return index;
      },
    },
    {
      engine: 'trident DenseIndex',
      path: denseDir,
      run: async () => {
        const index = await DenseIndex.openFiles(denseDir);
        index.search(q.vector, 10);
        return index;
      },
    },
    {
      engine: 'LanceDB (FTS + vector table)',
      path: lanceDir,
      run: async () => {
        const l = await loadPeer<typeof import('@lancedb/lancedb')>('@lancedb/lancedb');
        if (!l.ok) return { skipped: l.reason };
        const db = await l.mod.connect(lanceDir);
        const table = await db.openTable('docs');
        const rrf = await l.mod.rerankers.RRFReranker.create(60);
        await table.query().nearestTo(q.vector).distanceType('cosine').fullTextSearch(q.text).rerank(rrf).select(['id']).limit(10).toArray();
        return table;
      },
    },
    {
      engine: 'SQLite (FTS5 + vec0 file)',
      path: sqliteFile,
      run: async () => {
        const s = await openSqlite(sqliteFile);
        if ('skipped' in s) return s;
        s.db.prepare(SQLITE_RRF).all({ v: qbuf(), q: fts5Query(q.text), n: 200, k: 10 });
        return { close: () => s.db.close() };
      },
    },
    {
      engine: 'usearch (raw, f32) view',
      path: usearchFile,
      run: async () => usearchOpen(usearchFile, o.dim, q.vector, 'view'),
    },
    {
      engine: 'usearch (raw, f32) load',
      path: usearchFile,
      run: async () => usearchOpen(usearchFile, o.dim, q.vector, 'load'),
    },
    {
      engine: 'hnswlib-node',
      path: hnswFile,
      run: async () => {
        const h = await loadPeer<{ default: { HierarchicalNSW: typeof import('hnswlib-node').HierarchicalNSW } }>('hnswlib-node');
        if (!h.ok) return { skipped: h.reason };
        const index = new h.mod.default.HierarchicalNSW('cosine', o.dim);
        index.readIndexSync(hnswFile);
        index.setEf(HNSW.expansionSearch);
        index.searchKnn(Array.from(q.vector), 10);
        return { close: () => undefined };
      },
    },
    {
      engine: 'MiniSearch',
      path: miniFile,
      run: async () => {
        const m = await loadPeer<{ default: typeof import('minisearch').default }>('minisearch');
        if (!m.ok) return { skipped: m.reason };
        const ms = m.mod.default.loadJSON(readFileSync(miniFile, 'utf8'), { fields: ['text'] });
        ms.search(q.text);
        return { close: () => undefined };
      },
    },
  ];
  const rows: EngineRow[] = [];
  for (const op of openers) {
    if (!existsSync(op.path)) {
      rows.push({ engine: op.engine, version: '', skipped: `nothing saved at ${op.path} (its task did not run or the engine was skipped)` });
      continue;
    }
    const rss0 = settledRss();
    const t0 = performance.now();
    try {
      const r = await op.run();
      const ms = performance.now() - t0;
      if ('skipped' in r) {
        rows.push({ engine: op.engine, version: '', skipped: r.skipped });
        continue;
      }
      const rss = settledRss() - rss0;
      await r.close();
      const saved = o.saveMs?.get(op.path) ?? o.saveMs?.get(dirname(op.path));
      rows.push({ engine: op.engine, version: '', diskBytes: dirBytes(op.path), rssDeltaBytes: rss, ...(saved !== undefined ? { saveMs: saved } : {}), extra: { firstQueryMs: ms } });
      o.log(`  ${op.engine.padEnd(34)} open + first query ${ms.toFixed(1)} ms, RSS +${(rss / 2 ** 20).toFixed(0)} MiB, ${(dirBytes(op.path) / 2 ** 20).toFixed(1)} MiB on disk`);
    } catch (e) {
      rows.push({ engine: op.engine, version: '', skipped: `failed: ${(e as Error).message.split('\n')[0]}` });
      o.log(`  ${op.engine}: failed — ${(e as Error).message}`);
    }
  }
  return rows;
}

async function usearchOpen(file: string, dim: number, q: Float32Array, how: 'view' | 'load') {
  const u = await loadPeer<typeof import('usearch')>('usearch');
  if (!u.ok) return { skipped: u.reason };
  const index = new u.mod.Index({ dimensions: dim, metric: u.mod.MetricKind.Cos, quantization: u.mod.ScalarKind.F32, connectivity: HNSW.connectivity, expansion_add: HNSW.expansionAdd, expansion_search: HNSW.expansionSearch, multi: false });
  index[how](file);
  index.search(q, 10, 1);
  return { close: () => undefined };
}
