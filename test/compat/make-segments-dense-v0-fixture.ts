/**
 * Writes the committed fixture of a `storage: 'segments'` index whose dense channel is kept
 * whole-file (`dense.rows` + `dense.usearch` in the generation folder), as trident wrote it
 * before dense segments (main at a7c5138). Run once with that code, never rerun:
 *   (cd <checkout of a7c5138> && npx tsx <this file> <fixture dir>)
 * Two saves (so two sparse segments), then a delete and a third save. The documents are
 * `segDenseDocs()` of ./segments-dense-docs.ts; the test's oracle is a default-storage index
 * built from them.
 */
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { segDenseChannels, segDenseDocs } from './segments-dense-docs.js';

const dir = path.resolve(process.argv[2] ?? 'test/compat/fixtures/segments-dense-v0');
const docs = segDenseDocs();
const ix = await HybridIndex.create({ path: path.join(dir, 'index'), channels: segDenseChannels, storage: 'segments', wal: false });
await ix.add(docs.slice(0, 30));
await ix.save();
await ix.add(docs.slice(30));
await ix.save();
await ix.delete([4, 33]);
await ix.save();
await ix.close();
