/**
 * Writes the committed WAL format-version-2 fixture (run once, with the code that wrote WAL
 * version 2 — commit 2bd30b0 — never rerun: the point is that old bytes keep replaying):
 *   npx tsx test/compat/make-wal-v2-fixture.ts
 * An index made with the fake encoder and `wal: true`, saved empty, then add → delete →
 * update → add with no save, so every change lives only in wal.log (version 2 records, texts
 * inside the JSON skeleton): long texts, a lone surrogate, `$`-keys in metadata, vectors as
 * binary sections. docs.json beside it holds the live documents, for the test's oracle.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../src/hybrid/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { makeDocs, rng, randomText, type Doc } from '../reliability/corpus.js';

const dir = process.env.TRIDENT_FIXTURE_DIR ?? fileURLToPath(new URL('./fixtures/wal-v2/', import.meta.url));
await fsp.rm(dir, { recursive: true, force: true });
const r = rng(404);
const docs = makeDocs(r, 12, 'v2-').map((d, i) => (i % 3 === 0 ? { ...d, text: `${d.text} ${Array.from({ length: 40 }, () => randomText(r)).join(' ')}` } : d));
const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: path.join(dir, 'index'), wal: true, dense: { dtype: 'f32' }, multivector: { dtype: 'f32' }, bm25: { analyzer: 'english' } });
await index.add(docs);
const live = new Map<string | number, Doc>(docs.map((d) => [d.id, d]));
const gone = docs.filter((_, i) => i % 4 === 1).map((d) => d.id);
await index.delete(gone);
for (const id of gone) live.delete(id);
const upd = docs.filter((_, i) => i % 5 === 3).map((d) => ({ id: d.id, text: `${randomText(r)} alpha ${'long '.repeat(30)}\ud800 lone`, metadata: { rev: 1, $ta: 2, tags: ['x', 'y'] } }));
await index.update(upd);
for (const d of upd) live.set(d.id, d);
const extra = [{ id: 7, text: 'numeric id document about rivers and alpha', metadata: { rev: 0, nested: { $str: 0, a: [1, 2] } } }];
await index.add(extra);
live.set(7, extra[0]!);
await index.close(); // no save: the changes are only in wal.log
await fsp.writeFile(path.join(dir, 'docs.json'), JSON.stringify([...live.values()], null, 1));
console.log(`wrote ${dir}`);
