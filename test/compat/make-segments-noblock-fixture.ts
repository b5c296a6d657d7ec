/**
 * Writes the committed fixture of a SegmentedStore whose segment files have no per-block
 * checksum table (`blockcrc`), as trident wrote them before block checksums (main at dd49d73).
 * Run once with that code, never rerun:
 *   (cd <checkout of dd49d73> && npx tsx <this file> <fixture dir>)
 * Two commits (1,000 documents: its postings and token vectors are bigger than EAGER_CRC_BYTES,
 * then 200), then a delete and a third commit.
 */
import * as path from 'node:path';
import { writeNoblockStore } from './segments-noblock-docs.js';

const dir = path.resolve(process.argv[2] ?? 'test/compat/fixtures/segments-noblock-v1');
await writeNoblockStore(dir);
