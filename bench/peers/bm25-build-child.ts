// One cold BM25 build of a BEIR corpus in a fresh process (bench/bm25-build.bench.ts runs it):
// argv[2] = 'trident' | 'sqlite', argv[3] = the corpus folder, argv[4] = a scratch folder.
// The texts (`title text`, as the peers benchmark gives every engine) are read and two full
// GCs run before the clock starts, so only the build is timed: trident's HybridIndex with its
// BM25 store only (english analyser, durable: the empty index saved, the add logged and
// fsynced), SQLite FTS5 (porter unicode61, one transaction, WAL journal) as the peers
// benchmark configures both. Prints one JSON line { engine, wallMs, cpuMs }.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HybridIndex } from '../../src/index.js';
import type { HybridEncoder } from '../../src/hybrid/types.js';
import { openSqlite } from './text-engines.js';

const [engine, corpusDir, dir] = process.argv.slice(2) as [string, string, string];
const texts = readFileSync(join(corpusDir, 'corpus.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => {
    const d = JSON.parse(l) as { title?: string; text: string };
    return d.title ? `${d.title} ${d.text}` : d.text;
  });
// the BM25-only index never encodes; create() checks the encoder's info only
const encoder: HybridEncoder = {
  info: { id: 'bm25-only', dim: 4, maxLength: 8, heads: { dense: true, sparse: false, multivector: false } },
  encode: async (t) => t.map(() => ({ dense: Float32Array.of(0.5, 0.5, 0.5, 0.5) })),
};
const sqlite = engine === 'sqlite' ? await openSqlite(join(dir, 'fts.db')) : null;
if (sqlite && 'skipped' in sqlite) {
  console.log(JSON.stringify({ engine, skipped: sqlite.skipped }));
  process.exit(0);
}
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const c0 = process.cpuUsage();
const t0 = performance.now();
if (engine === 'trident') {
  const index = await HybridIndex.create({ encoder, path: join(dir, 'index'), dense: false, sparse: false, multivector: false, bm25: { analyzer: 'english' } });
  await index.add(texts.map((text, i) => ({ id: i, text })));
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ engine, wallMs, cpuMs: (c.user + c.system) / 1000, docs: index.size }));
  await index.close();
} else if (sqlite) {
  const { db } = sqlite;
  db.exec("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'porter unicode61')");
  const ins = db.prepare('INSERT INTO docs(rowid, body) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < texts.length; i++) ins.run(i, texts[i]);
  })();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ engine, wallMs, cpuMs: (c.user + c.system) / 1000, docs: texts.length }));
  db.close();
} else throw new Error(`unknown engine ${engine}`);
