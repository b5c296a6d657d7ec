/**
 * Dense kNN engines of the peers benchmark over one row-major Float32Array of unit vectors
 * (cosine): trident's DenseIndex (its defaults, and the graph forced), raw usearch,
 * hnswlib-node, sqlite-vec (vec0, brute force), LanceDB (flat scan: no vector index, its
 * advice below ~100k rows), Orama (in-memory, brute force) and faiss-node when installed.
 * The HNSW engines share M = 16, efConstruction = ef = 128 (trident's defaults).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DenseIndex } from '../../src/index.js';
import { row } from './data.js';
import { loadPeer } from './load.js';
import { lanceTable, openSqlite, type Engine, type Factory } from './text-engines.js';

/** Vectors handed to every dense engine: n rows of `dim` floats, row i = document i. */
export interface VectorSet {
  dim: number;
  n: number;
  data: Float32Array;
}

/** Shared HNSW settings. */
export const HNSW = { connectivity: 16, expansionAdd: 128, expansionSearch: 128 } as const;

/** trident DenseIndex at its defaults (f16 graph from 512-d up; exact scan for small sets unless `graph`). */
export function tridentDense(opts: { graph?: boolean } = {}): Factory<Float32Array, VectorSet> {
  return async (v, dir) => {
    const index = DenseIndex.create({ dimensions: v.dim, ...HNSW });
    const ids = new Uint32Array(v.n).map((_, i) => i);
    index.addBatch(ids, v.data);
    const so = opts.graph ? { exact: false } : {};
    return {
      name: opts.graph ? 'trident DenseIndex (graph)' : 'trident DenseIndex',
      version: '',
      path: join(dir, 'dense'),
      note: `${v.dim >= 512 ? 'f16' : 'f32'} graph${opts.graph ? ', exact: false (HNSW even where the default scans)' : ', defaults (exact scan below 2M values)'}`,
      search: (q, k) => Array.from(index.search(q, k, so).ids),
      save: async () => {
        mkdirSync(join(dir, 'dense'), { recursive: true });
        await index.saveFiles(join(dir, 'dense'));
      },
      close: () => index.close(),
    };
  };
}

type Usearch = typeof import('usearch');

/** Raw usearch Index (cosine, same M / ef, `quantization` f32 or f16), multi-threaded add. */
export function usearchRaw(quantization: 'f32' | 'f16'): Factory<Float32Array, VectorSet> {
  return async (v, dir) => {
    const u = await loadPeer<Usearch>('usearch');
    if (!u.ok) return { skipped: u.reason };
    const index = new u.mod.Index({
      dimensions: v.dim,
      metric: u.mod.MetricKind.Cos,
      quantization: quantization === 'f16' ? u.mod.ScalarKind.F16 : u.mod.ScalarKind.F32,
      connectivity: HNSW.connectivity,
      expansion_add: HNSW.expansionAdd,
      expansion_search: HNSW.expansionSearch,
      multi: false,
    });
    const keys = new BigUint64Array(v.n).map((_, i) => BigInt(i));
    index.add(keys, v.data, 0);
    const file = join(dir, 'usearch.bin');
    return usearchEngine(index, u.version, quantization, file);
  };
}

/** Search side of {@link usearchRaw} (also after `view`/`load`). */
export function usearchEngine(index: import('usearch').Index, version: string, quantization: string, file: string): Engine<Float32Array> {
  return {
    name: `usearch (raw, ${quantization})`,
    version,
    path: file,
    note: `Index({ metric: cos, quantization: ${quantization}, connectivity 16, expansion 128/128 }), add with all threads`,
    search: (q, k) => Array.from(index.search(q, k, 1).keys, Number),
    save: () => index.save(file),
    close: () => undefined,
  };
}

/** hnswlib-node (cosine, M 16, efConstruction 128, ef 128); points are passed as number[]. */
export const hnswlib: Factory<Float32Array, VectorSet> = async (v, dir) => {
  const h = await loadPeer<{ default: { HierarchicalNSW: typeof import('hnswlib-node').HierarchicalNSW } }>('hnswlib-node');
  if (!h.ok) return { skipped: h.reason };
  const index = new h.mod.default.HierarchicalNSW('cosine', v.dim);
  index.initIndex({ maxElements: v.n, m: HNSW.connectivity, efConstruction: HNSW.expansionAdd, randomSeed: 100 });
  for (let i = 0; i < v.n; i++) index.addPoint(Array.from(row(v.data, v.dim, i)), i);
  index.setEf(HNSW.expansionSearch);
  return hnswlibEngine(index, h.version, join(dir, 'hnswlib.bin'));
};

/** Search side of {@link hnswlib}. Queries convert to number[] inside the timed call, as a caller must. */
export function hnswlibEngine(index: import('hnswlib-node').HierarchicalNSW, version: string, file: string): Engine<Float32Array> {
  return {
    name: 'hnswlib-node',
    version,
    path: file,
    note: 'HierarchicalNSW(cosine), M 16, efConstruction 128, ef 128, single-threaded addPoint; number[] in and out',
    search: (q, k) => index.searchKnn(Array.from(q), k).neighbors,
    save: () => index.writeIndexSync(file),
    close: () => undefined,
  };
}

/** sqlite-vec vec0 table (float[dim], cosine): exact scan per query. */
export const sqliteVec: Factory<Float32Array, VectorSet> = async (v, dir) => {
  const file = join(dir, 'vec.db');
  const o = await openSqlite(file);
  if ('skipped' in o) return o;
  o.db.exec(`CREATE VIRTUAL TABLE vec USING vec0(embedding float[${v.dim}] distance_metric=cosine)`);
  const ins = o.db.prepare('INSERT INTO vec(rowid, embedding) VALUES (?, ?)');
  o.db.transaction(() => {
    for (let i = 0; i < v.n; i++) ins.run(BigInt(i), Buffer.from(row(v.data, v.dim, i).slice().buffer));
  })();
  return sqliteVecEngine(o.db, o.version, file);
};

/** Search side of {@link sqliteVec}. */
export function sqliteVecEngine(db: import('better-sqlite3').Database, version: string, file: string): Engine<Float32Array> {
  const stmt = db.prepare('SELECT rowid AS id FROM vec WHERE embedding MATCH ? AND k = ? ORDER BY distance');
  return {
    name: 'sqlite-vec',
    version,
    path: file,
    note: 'vec0 float[dim] distance_metric=cosine (brute force)',
    search: (q, k) => (stmt.all(Buffer.from(q.buffer, q.byteOffset, q.byteLength), k) as Array<{ id: number }>).map((r) => Number(r.id)),
    save: () => void db.pragma('wal_checkpoint(TRUNCATE)'),
    close: () => void db.close(),
  };
}

/** LanceDB table with a `vector` column, flat (exact) search. */
export const lanceVector: Factory<Float32Array, VectorSet> = async (v, dir) => {
  const t = await lanceTable(dir, { n: v.n, vector: { dim: v.dim, data: v.data } });
  if ('skipped' in t) return t as { skipped: string };
  return lanceVectorEngine(t.table, t.version, dir);
};

/** Search side of {@link lanceVector}. */
export function lanceVectorEngine(table: import('@lancedb/lancedb').Table, version: string, dir: string): Engine<Float32Array> {
  return {
    name: 'LanceDB',
    version,
    path: dir,
    note: 'vector column, no vector index (flat scan), distanceType cosine',
    search: async (q, k) => (await table.vectorSearch(q).column('vector').distanceType('cosine').select(['id']).limit(k).toArray()).map((r: { id: number }) => Number(r.id)),
    close: () => table.close(),
  };
}

/** Orama with a vector[dim] property, vector mode, similarity threshold 0 (its default 0.8 drops hits). */
export const oramaVector: Factory<Float32Array, VectorSet> = async (v) => {
  const o = await loadPeer<typeof import('@orama/orama')>('@orama/orama');
  if (!o.ok) return { skipped: o.reason };
  const db = o.mod.create({ schema: { n: 'number', embedding: `vector[${v.dim}]` } as never });
  o.mod.insertMultiple(db, Array.from({ length: v.n }, (_, i) => ({ id: String(i), n: i, embedding: Array.from(row(v.data, v.dim, i)) })) as never, 1000);
  return {
    name: 'Orama',
    version: o.version,
    note: 'vector[dim] property, mode vector, similarity 0; in memory',
    search: async (q, k) => (await o.mod.search(db, { mode: 'vector', vector: { value: Array.from(q), property: 'embedding' }, similarity: 0, limit: k } as never)).hits.map((h) => Number(h.id)),
    close: () => undefined,
  };
};

/** faiss-node IndexFlatIP over the unit vectors, when the package can be loaded. */
export const faissFlat: Factory<Float32Array, VectorSet> = async (v) => {
  const f = await loadPeer<{ IndexFlatIP: new (d: number) => { add(x: number[]): void; search(x: number[], k: number): { labels: number[] } } }>('faiss-node');
  if (!f.ok) return { skipped: f.reason };
  const index = new f.mod.IndexFlatIP(v.dim);
  index.add(Array.from(v.data));
  return { name: 'faiss-node (flat IP)', version: f.version, search: (q, k) => index.search(Array.from(q), k).labels, close: () => undefined };
};
