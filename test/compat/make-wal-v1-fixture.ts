/**
 * Writes the committed WAL format-version-1 fixture (run once, with the code that wrote WAL
 * version 1; never rerun: the point is that old bytes keep replaying):
 *   npx tsx test/compat/make-wal-v1-fixture.ts
 * An index made with the fake encoder and `wal: true`, saved empty, then add → delete →
 * update → add with no save, so every change lives only in wal.log (version 1 records).
 * docs.json beside it holds the live documents, for the test's oracle.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../src/hybrid/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { makeDocs, rng, randomText, type Doc } from '../reliability/corpus.js';

const dir = fileURLToPath(new URL('./fixtures/wal-v1/', import.meta.url));
await fsp.rm(dir, { recursive: true, force: true });
const r = rng(303);
const docs = makeDocs(r, 12, 'w-');
const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: path.join(dir, 'index'), wal: true, dense: { dtype: 'f32' }, multivector: { dtype: 'f32' }, bm25: { analyzer: 'plain' } });
await index.add(docs);
const live = new Map<string | number, Doc>(docs.map((d) => [d.id, d]));
const gone = docs.filter((_, i) => i % 4 === 1).map((d) => d.id);
await index.delete(gone);
for (const id of gone) live.delete(id);
const upd = docs.filter((_, i) => i % 5 === 3).map((d) => ({ id: d.id, text: randomText(r), metadata: { rev: 1, tags: ['x', 'y'] } }));
await index.update(upd);
for (const d of upd) live.set(d.id, d);
const extra = [{ id: 7, text: 'numeric id document about rivers', metadata: { rev: 0, nested: { a: [1, 2] } } }];
await index.add(extra);
live.set(7, extra[0]!);
await index.close(); // no save: the changes are only in wal.log
await fsp.writeFile(path.join(dir, 'docs.json'), JSON.stringify([...live.values()], null, 1));
console.log(`wrote ${dir}`);
