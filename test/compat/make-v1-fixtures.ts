/**
 * Writes the committed format-version-1 fixtures (run once per format version; never rerun for
 * an existing version, the point is that old bytes keep opening):
 *   npx tsx test/compat/make-v1-fixtures.ts
 * Two small indexes made with the fake encoder (test/helpers/fake-encoder.ts):
 *   v1/f32-bm25/  f32 dense and multi-vector, sparse, BM25 (every file kind)
 *   v1/i8-f16/    i8 dense graph (f16 rows), f16 multi-vector, no BM25
 * Each went through add → delete → update → save, so tombstones were compacted. docs.json
 * beside each holds the live documents, for the test's oracle.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../src/hybrid/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { makeDocs, rng, randomText, type Doc } from '../reliability/corpus.js';

const HERE = fileURLToPath(new URL('./fixtures/v1/', import.meta.url));

async function make(name: string, opts: Record<string, unknown>, seed: number): Promise<void> {
  const dir = path.join(HERE, name);
  await fsp.rm(dir, { recursive: true, force: true });
  const r = rng(seed);
  const docs = makeDocs(r, 24, `${name}-`);
  const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: path.join(dir, 'index'), ...opts });
  await index.add(docs);
  const live = new Map<string | number, Doc>(docs.map((d) => [d.id, d]));
  const gone = docs.filter((_, i) => i % 5 === 2).map((d) => d.id);
  await index.delete(gone);
  for (const id of gone) live.delete(id);
  const upd = docs.filter((_, i) => i % 7 === 3).map((d) => ({ id: d.id, text: randomText(r), metadata: { rev: 1 } }));
  await index.update(upd);
  for (const d of upd) live.set(d.id, d);
  const extra = [{ id: 7, text: 'numeric id document about rivers', metadata: { rev: 0 } }];
  await index.add(extra);
  live.set(7, extra[0]!);
  await index.save();
  await index.close();
  await fsp.writeFile(path.join(dir, 'docs.json'), JSON.stringify([...live.values()], null, 1));
}

await make('f32-bm25', { dense: { dtype: 'f32' }, multivector: { dtype: 'f32' }, bm25: { analyzer: 'plain' } }, 101);
await make('i8-f16', { dense: { dtype: 'i8' }, multivector: { dtype: 'f16' } }, 202);
console.log(`wrote ${HERE}`);
