/**
 * BM25 (full-text) engines of the peers benchmark, each with its own analyser and scorer as
 * a user would configure it for English: trident's HybridIndex 'bm25' mode (english analyser),
 * SQLite FTS5 (porter stemmer), LanceDB FTS (English stemming and stop words), wink-bm25
 * (fed trident's english analyser: it ships none), MiniSearch and Orama (their defaults).
 * Every engine returns row indices of the documents, best first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HybridIndex, createAnalyzer } from '../../src/index.js';
import type { HybridEncoder } from '../../src/hybrid/types.js';
import type { Doc } from './data.js';
import { arrowTable, type Columns } from './arrow.js';
import { loadPeer } from './load.js';

/** A built engine: search, close, and where it saved itself (for bytes on disk / reopen). */
export interface Engine<Q> {
  name: string;
  version: string;
  search(q: Q, k: number): number[] | Promise<number[]>;
  /** Folder or file holding the saved engine (after `save`). */
  path?: string;
  save?(): Promise<void> | void;
  close(): Promise<void> | void;
  /** Notes on how it was configured (shown in the report). */
  note?: string;
}

/** Builds an engine over `docs` in `dir`, or says why it cannot. */
export type Factory<Q, C = Doc[]> = (corpus: C, dir: string) => Promise<Engine<Q> | { skipped: string }>;

/** The word splitter for engines whose query syntax needs one (SQLite FTS5's MATCH). */
export function words(q: string): string[] {
  return q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** An FTS5 MATCH expression that ORs every query word, each quoted (no FTS syntax leaks). */
export function fts5Query(q: string): string {
  const w = [...new Set(words(q))];
  return w.length ? w.map((t) => `"${t}"`).join(' OR ') : '""';
}

export type SqliteDb = import('better-sqlite3').Database;

/** Opens (creating) a better-sqlite3 database with sqlite-vec loaded, or a reason. */
export async function openSqlite(file: string): Promise<{ db: SqliteDb; version: string } | { skipped: string }> {
  const bs = await loadPeer<{ default: typeof import('better-sqlite3') }>('better-sqlite3');
  if (!bs.ok) return { skipped: bs.reason };
  const sv = await loadPeer<{ load(db: unknown): void }>('sqlite-vec');
  if (!sv.ok) return { skipped: sv.reason };
  const db = new bs.mod.default(file);
  sv.mod.load(db);
  db.pragma('journal_mode = WAL');
  const v = db.prepare('select sqlite_version() s, vec_version() v').get() as { s: string; v: string };
  return { db, version: `better-sqlite3 ${bs.version} (SQLite ${v.s}), sqlite-vec ${v.v.replace(/^v/, '')}` };
}

/** trident: HybridIndex with only the BM25 store (english analyser), mode 'bm25'. */
export function tridentBm25(encoder: HybridEncoder): Factory<string> {
  return async (docs, dir) => {
    const index = await HybridIndex.create({ encoder, path: dir, dense: false, sparse: false, multivector: false, bm25: { analyzer: 'english' } });
    await index.add(docs.map((d, i) => ({ id: i, text: d.text })));
    return {
      name: 'trident',
      version: '',
      path: dir,
      note: "HybridIndex, BM25 store only, analyzer 'english', mode 'bm25'",
      search: async (q, k) => (await index.search(q, { mode: 'bm25', k })).map((h) => h.id as number),
      save: () => index.save(),
      close: () => index.close(),
    };
  };
}

/** SQLite FTS5 (porter + unicode61 tokenizer), bm25() ranking, query words ORed. */
export const sqliteFts: Factory<string> = async (docs, dir) => {
  const file = join(dir, 'fts.db');
  const o = await openSqlite(file);
  if ('skipped' in o) return o;
  const { db } = o;
  db.exec("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'porter unicode61')");
  const ins = db.prepare('INSERT INTO docs(rowid, body) VALUES (?, ?)');
  db.transaction(() =>
    docs.forEach((d, i) => {
      ins.run(i, d.text);
    }),
  )();
  return sqliteFtsEngine(db, o.version, file);
};

/** The search side of {@link sqliteFts} over an open database (also used after reopening). */
export function sqliteFtsEngine(db: SqliteDb, version: string, file: string): Engine<string> {
  const stmt = db.prepare('SELECT rowid AS id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?');
  return {
    name: 'SQLite FTS5',
    version,
    path: file,
    note: "fts5, tokenize 'porter unicode61', query words ORed, ORDER BY bm25()",
    search: (q, k) => (stmt.all(fts5Query(q), k) as Array<{ id: number }>).map((r) => r.id),
    save: () => void db.pragma('wal_checkpoint(TRUNCATE)'),
    close: () => void db.close(),
  };
}

type Lance = typeof import('@lancedb/lancedb');

/** LanceDB table `docs` (id and the given columns) with an optional FTS index (English stemming, stop words). */
export async function lanceTable(dir: string, cols: Columns, opts: { fts?: boolean } = {}) {
  const l = await loadPeer<Lance>('@lancedb/lancedb');
  if (!l.ok) return { skipped: l.reason };
  const data = await arrowTable(cols);
  if ('skipped' in data) return data;
  const db = await l.mod.connect(dir);
  const table = await db.createTable('docs', data.table as never, { mode: 'overwrite' });
  if (opts.fts) await table.createIndex('text', { config: l.mod.Index.fts({ withPosition: false, stem: true, removeStopWords: true, language: 'English' }) });
  return { lance: l.mod, version: l.version, db, table };
}

/** LanceDB full-text search (tantivy-style BM25 over its FTS index). */
export const lanceFts: Factory<string> = async (docs, dir) => {
  const t = await lanceTable(dir, { n: docs.length, text: docs.map((d) => d.text) }, { fts: true });
  if ('skipped' in t) return t as { skipped: string };
  return lanceFtsEngine(t.table, t.version, dir);
};

/** Search side of {@link lanceFts} over an open table. */
export function lanceFtsEngine(table: import('@lancedb/lancedb').Table, version: string, dir: string): Engine<string> {
  return {
    name: 'LanceDB FTS',
    version,
    path: dir,
    note: 'Index.fts({ stem, removeStopWords, English, withPosition: false })',
    search: async (q, k) => (await table.search(q, 'fts').select(['id']).limit(k).toArray()).map((r: { id: number }) => Number(r.id)),
    close: () => table.close(),
  };
}

/** wink-bm25-text-search (k1 0.9, b 0.4 like trident) with trident's english analyser as its prep task. */
export const winkBm25: Factory<string> = async (docs) => {
  const w = await loadPeer<{ default: () => WinkEngine }>('wink-bm25-text-search');
  if (!w.ok) return { skipped: w.reason };
  const analyzer = createAnalyzer('english');
  const wink = w.mod.default();
  wink.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: 0.9, b: 0.4, k: 1 } });
  wink.definePrepTasks([(s: string) => analyzer.terms(s)]);
  docs.forEach((d, i) => {
    wink.addDoc({ body: d.text }, i);
  });
  wink.consolidate();
  return {
    name: 'wink-bm25',
    version: w.version,
    note: "prep task = trident's english analyser (wink-bm25 ships none); in memory only",
    search: (q, k) => wink.search(q, k).map(([id]) => Number(id)),
    close: () => undefined,
  };
};

interface WinkEngine {
  defineConfig(c: unknown): void;
  definePrepTasks(t: Array<(s: string) => string[]>): void;
  addDoc(d: unknown, id: number): void;
  consolidate(): void;
  search(t: string, k: number): Array<[string, number]>;
  exportJSON(): string;
  importJSON(json: string): void;
}

/** MiniSearch with its defaults (OR of terms, BM25+ scoring, no stemming). */
export const miniSearch: Factory<string> = async (docs, dir) => {
  const m = await loadPeer<{ default: typeof import('minisearch').default }>('minisearch');
  if (!m.ok) return { skipped: m.reason };
  const ms = new m.mod.default<{ id: number; text: string }>({ fields: ['text'] });
  ms.addAll(docs.map((d, i) => ({ id: i, text: d.text })));
  return {
    name: 'MiniSearch',
    version: m.version,
    note: 'defaults; saved as its JSON',
    path: join(dir, 'minisearch.json'),
    search: (q, k) =>
      ms
        .search(q)
        .slice(0, k)
        .map((r) => Number(r.id)),
    save: () => writeFileSync(join(dir, 'minisearch.json'), JSON.stringify(ms)),
    close: () => undefined,
  };
};

/** Orama full-text search (BM25, no stemming), threshold 1: any query term matches (its default 0 wants every term). */
export const oramaText: Factory<string> = async (docs) => {
  const o = await loadPeer<typeof import('@orama/orama')>('@orama/orama');
  if (!o.ok) return { skipped: o.reason };
  const db = o.mod.create({ schema: { n: 'number', text: 'string' } as const });
  o.mod.insertMultiple(
    db,
    docs.map((d, i) => ({ id: String(i), n: i, text: d.text })),
    1000,
  );
  return {
    name: 'Orama',
    version: o.version,
    note: 'mode fulltext, threshold 1 (OR, as every other engine); in memory',
    search: async (q, k) => (await o.mod.search(db, { term: q, properties: ['text'], threshold: 1, limit: k })).hits.map((h) => Number(h.id)),
    close: () => undefined,
  };
};
