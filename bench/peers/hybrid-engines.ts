/**
 * Hybrid (full text + vector, each engine's own fusion) and multi-vector re-rank engines of
 * the peers benchmark: trident's HybridIndex modes over pre-encoded queries, LanceDB
 * FTS + vector with its RRFReranker, SQLite FTS5 + vec0 fused by RRF in one SQL statement
 * (the recipe sqlite-vec documents), Orama's hybrid mode; for re-ranking, trident's
 * MultiVectorStore vs a LanceDB multivector column (MaxSim), both on the same candidates.
 */
import { join } from 'node:path';
import { HybridIndex, MultiVectorStore, type SearchMode } from '../../src/index.js';
import type { EncodedLike, HybridEncoder } from '../../src/hybrid/types.js';
import type { Doc } from './data.js';
import { loadPeer } from './load.js';
import { fts5Query, lanceTable, openSqlite, type Engine, type Factory } from './text-engines.js';

/** A hybrid query: its text, dense vector and trident's stored encoding of it. */
export interface HybridQuery {
  text: string;
  vector: Float32Array;
  encoded: EncodedLike;
}

/** Documents with their dense vectors (row i = document i). */
export interface HybridCorpus {
  docs: Doc[];
  dim: number;
  vectors: Float32Array;
}

/** Candidates per list before fusion (trident's default, used for every engine). */
export const FUSION_CANDIDATES = 200;

/**
 * trident HybridIndex with every store (dense, sparse, multi-vector, BM25 english) built from
 * the stored encodings; one engine per mode, sharing the index.
 */
export async function tridentHybrid(encoder: HybridEncoder, docs: Doc[], dir: string): Promise<{ index: HybridIndex; engine(mode: SearchMode | 'hybrid'): Engine<HybridQuery> }> {
  const index = await HybridIndex.create({ encoder, path: dir, bm25: { analyzer: 'english' } });
  for (let i = 0; i < docs.length; i += 256) await index.add(docs.slice(i, i + 256).map((d, j) => ({ id: i + j, text: d.text })));
  return { index, engine: (mode) => tridentModeEngine(index, mode, dir) };
}

/** One mode of a built (or reopened) HybridIndex; 'hybrid' = the index's default search (every channel, BM25 fused). */
export function tridentModeEngine(index: HybridIndex, mode: SearchMode | 'hybrid', dir: string): Engine<HybridQuery> {
  const opts = mode === 'hybrid' ? {} : { mode };
  return {
    name: `trident ${mode}`,
    version: '',
    path: dir,
    note: mode === 'hybrid' ? 'HybridIndex default search: dense, sparse, multi-vector and BM25 fused (weighted, M3 weights + BM25 weight 1 over its best score), query pre-encoded' : `HybridIndex mode '${mode}', default fusion (weighted, M3 weights), query pre-encoded`,
    search: async (q, k) => (await index.search(q.text, { ...opts, k, encoded: q.encoded })).map((h) => h.id as number),
    save: () => index.save(),
    close: () => index.close(),
  };
}

/** LanceDB: FTS index + flat vector search fused by its RRFReranker (k = 60). */
export const lanceHybrid: Factory<HybridQuery, HybridCorpus> = async (c, dir) => {
  const t = await lanceTable(dir, { n: c.docs.length, text: c.docs.map((d) => d.text), vector: { dim: c.dim, data: c.vectors } }, { fts: true });
  if ('skipped' in t) return t as { skipped: string };
  const rrf = await t.lance.rerankers.RRFReranker.create(60);
  return {
    name: 'LanceDB FTS+vector RRF',
    version: t.version,
    path: dir,
    note: 'query().nearestTo(v).fullTextSearch(q).rerank(RRFReranker(60)), flat vector scan',
    search: async (q, k) => (await t.table.query().nearestTo(q.vector).distanceType('cosine').fullTextSearch(q.text).rerank(rrf).select(['id']).limit(k).toArray()).map((r: { id: number }) => Number(r.id)),
    close: () => t.table.close(),
  };
};

/** The SQL of {@link sqliteHybrid}: FTS5 and vec0 top-N, RRF (k = 60, 1-based ranks) in one statement. */
export const SQLITE_RRF = `
WITH vec_matches AS (
  SELECT rowid AS id, row_number() OVER (ORDER BY distance) AS rank
  FROM vec WHERE embedding MATCH :v AND k = :n
), fts_matches AS (
  SELECT rowid AS id, row_number() OVER (ORDER BY bm25(docs)) AS rank
  FROM docs WHERE docs MATCH :q ORDER BY bm25(docs) LIMIT :n
)
SELECT coalesce(v.id, f.id) AS id,
       coalesce(1.0 / (60 + f.rank), 0.0) + coalesce(1.0 / (60 + v.rank), 0.0) AS score
FROM vec_matches v FULL OUTER JOIN fts_matches f ON v.id = f.id
ORDER BY score DESC, id ASC LIMIT :k`;

/** SQLite: FTS5 (porter) + vec0 (cosine) in one database, RRF in SQL. */
export const sqliteHybrid: Factory<HybridQuery, HybridCorpus> = async (c, dir) => {
  const file = join(dir, 'hybrid.db');
  const o = await openSqlite(file);
  if ('skipped' in o) return o;
  const { db } = o;
  db.exec("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'porter unicode61')");
  db.exec(`CREATE VIRTUAL TABLE vec USING vec0(embedding float[${c.dim}] distance_metric=cosine)`);
  const insT = db.prepare('INSERT INTO docs(rowid, body) VALUES (?, ?)');
  const insV = db.prepare('INSERT INTO vec(rowid, embedding) VALUES (?, ?)');
  db.transaction(() =>
    c.docs.forEach((d, i) => {
      insT.run(i, d.text);
      insV.run(BigInt(i), Buffer.from(c.vectors.slice(i * c.dim, (i + 1) * c.dim).buffer));
    }),
  )();
  const stmt = db.prepare(SQLITE_RRF);
  return {
    name: 'SQLite FTS5+vec0 RRF',
    version: o.version,
    path: file,
    note: 'FTS5 porter + vec0 cosine, RRF(60) over the top 200 of each in one SQL statement',
    save: () => void db.pragma('wal_checkpoint(TRUNCATE)'),
    search: (q, k) => (stmt.all({ v: Buffer.from(q.vector.buffer, q.vector.byteOffset, q.vector.byteLength), q: fts5Query(q.text), n: FUSION_CANDIDATES, k }) as Array<{ id: number }>).map((r) => Number(r.id)),
    close: () => void db.close(),
  };
};

/** Orama hybrid mode (its own score normalisation and weighting), threshold 1 (any term), similarity 0. */
export const oramaHybrid: Factory<HybridQuery, HybridCorpus> = async (c) => {
  const o = await loadPeer<typeof import('@orama/orama')>('@orama/orama');
  if (!o.ok) return { skipped: o.reason };
  const db = o.mod.create({ schema: { n: 'number', text: 'string', embedding: `vector[${c.dim}]` } as never });
  o.mod.insertMultiple(db, c.docs.map((d, i) => ({ id: String(i), n: i, text: d.text, embedding: Array.from(c.vectors.subarray(i * c.dim, (i + 1) * c.dim)) })) as never, 1000);
  return {
    name: 'Orama hybrid',
    version: o.version,
    note: 'mode hybrid, threshold 1, similarity 0; in memory',
    search: async (q, k) => (await o.mod.search(db, { mode: 'hybrid', term: q.text, properties: ['text'], threshold: 1, vector: { value: Array.from(q.vector), property: 'embedding' }, similarity: 0, limit: k } as never)).hits.map((h) => Number(h.id)),
    close: () => undefined,
  };
};

/** A re-rank query: the query's token vectors and the candidate rows to re-rank. */
export interface RerankQuery {
  mv: { data: Float32Array; dim: number; count: number };
  candidates: Uint32Array;
}

/** Token vectors of every document (row i = document i). */
export type MvCorpus = Array<{ data: Float32Array; dim: number; count: number }>;

/** trident MultiVectorStore (f16, the HybridIndex default) re-ranking the candidates by MaxSim. */
export const tridentRerank: Factory<RerankQuery, MvCorpus> = async (c, dir) => {
  const store = MultiVectorStore.create({ dim: c[0]!.dim, dtype: 'f16' });
  c.forEach((mv, i) => {
    store.add(i, mv);
  });
  return {
    name: 'trident MultiVectorStore',
    version: '',
    path: dir,
    note: 'f16 store, rerank(query, candidates, k) by MaxSim (native kernels)',
    search: (q, k) => Array.from(store.rerank(q.mv, q.candidates, k).ids),
    save: async () => {
      await store.saveFiles(dir);
    },
    close: () => undefined,
  };
};

/** LanceDB multivector column (List<FixedSizeList<f32>>), MaxSim search restricted to the candidates by a prefilter. */
export const lanceRerank: Factory<RerankQuery, MvCorpus> = async (c, dir) => {
  const dim = c[0]!.dim;
  const t = await lanceTable(dir, { n: c.length, multivector: { dim, rows: c } });
  if ('skipped' in t) return t as { skipped: string };
  const table = t.table;
  const l = { version: t.version };
  return {
    name: 'LanceDB multivector',
    version: l.version,
    path: dir,
    note: "List<FixedSizeList<f32>> column, vectorSearch(query tokens).where('id IN (candidates)'), cosine MaxSim, no index",
    search: async (q, k) => {
      const qv = Array.from({ length: q.mv.count }, (_, t) => q.mv.data.subarray(t * dim, (t + 1) * dim));
      const res = await table
        .vectorSearch(qv)
        .column('mv')
        .distanceType('cosine')
        .where(`id IN (${Array.from(q.candidates).join(',')})`)
        .select(['id'])
        .limit(k)
        .toArray();
      return res.map((r: { id: number }) => Number(r.id));
    },
    close: () => table.close(),
  };
};
