/**
 * A short HybridIndex workload for sanitizer runs (tools/asan.sh, tools/valgrind.sh): adds,
 * searches in every mode (every kernel dtype), deletes, saves, reopens, adds again. Prints
 * the kernel backend so the log shows the sanitized addon was used.
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { backend } from '../../src/kernels/index.js';
import { FakeEncoder } from '../../test/helpers/fake-encoder.js';
import { createIndex, makeDocs, rng } from '../../test/reliability/corpus.js';

const b = backend();
console.log(`backend ${JSON.stringify(b)} from ${process.env.TRIDENT_NATIVE_DIR ?? 'native/'}`);
if (b.kind !== 'native') throw new Error('the native addon did not load');
const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-asan-'));
const r = rng(1);
let searches = 0;
for (const dtype of ['f32', 'f16', 'i8'] as const) {
  const p = path.join(dir, dtype);
  let index = await createIndex(p, { dense: { dtype }, multivector: { dtype } });
  const docs = makeDocs(r, 150, `${dtype}-`);
  await index.add(docs);
  for (const mode of ['all', 'dense', 'sparse', 'multivector', 'bm25'] as const) {
    for (let i = 0; i < 10; i++) {
      await index.search(docs[i]!.text, { k: 10, mode });
      await index.search(docs[i]!.text, { k: 10, mode, exhaustive: true });
      searches += 2;
    }
  }
  await index.delete(docs.filter(() => r() < 0.3).map((d) => d.id));
  await index.save();
  await index.close();
  index = await HybridIndex.open(p, { encoder: new FakeEncoder() });
  await index.add(makeDocs(r, 40, `${dtype}-more-`));
  for (let i = 0; i < 10; i++) {
    await index.search(docs[i]!.text, { k: 5 });
    searches++;
  }
  await index.close();
}
await fsp.rm(dir, { recursive: true, force: true });
console.log(`workload done: 3 dtypes, ${searches} searches, save/open/add after delete`);
