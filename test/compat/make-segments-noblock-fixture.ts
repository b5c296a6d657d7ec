/**
 * Writes the committed fixture of a SegmentedStore whose segment files have no per-block
 * checksum table (`blockcrc`), as trident wrote them before block checksums (main at dd49d73).
 * Run once with that code, never rerun:
 *   (cd <checkout of dd49d73> && npx tsx <this file> <fixture dir>)
 * Two commits (1,000 documents: its postings and token vectors are bigger than EAGER_CRC_BYTES,
 * then 200), then a delete and a third commit.
 */
import * as path from 'node:path';
import { SegmentedStore } from '../../src/segments/index.js';
import { noblockChannels, noblockDocs } from './segments-noblock-docs.js';

const dir = path.resolve(process.argv[2] ?? 'test/compat/fixtures/segments-noblock-v1');
const docs = noblockDocs();
const store = await SegmentedStore.create(dir, noblockChannels);
for (const d of docs.slice(0, 1000)) store.add(d.id, d.doc);
await store.commit({ merge: false });
for (const d of docs.slice(1000)) store.add(d.id, d.doc);
await store.commit({ merge: false });
store.delete(9);
await store.commit({ merge: false });
store.close();
