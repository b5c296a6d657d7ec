/**
 * The documents of the `segments-noblock-v1` fixture (make-segments-noblock-fixture.ts): 1,200
 * documents with 20-term sparse vectors and 3 × 32 token vectors, enough that the sparse
 * posting sections and the i8 multi-vector sections are bigger than EAGER_CRC_BYTES (checked
 * lazily), in two segments (1,000 + 200).
 */
import { SegmentedStore, type SegmentDoc } from '../../src/segments/index.js';
import type { SegmentChannels } from '../../src/segments/manifest.js';
import { rng } from '../helpers/rng.js';

export const noblockChannels: SegmentChannels = { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 }, multivector: { dim: 32, dtype: 'i8' } };

/** Document i (id 3i). */
export function noblockDocs(): { id: number; doc: SegmentDoc }[] {
  const r = rng(16);
  return Array.from({ length: 1200 }, (_, i) => {
    const set = new Map<number, number>();
    while (set.size < 20) set.set(Math.floor(r() ** 2 * 3000), 1 + Math.floor(r() * 3));
    const ids = Uint32Array.from([...set.keys()].sort((a, b) => a - b));
    const data = Float32Array.from({ length: 3 * 32 }, () => r() * 2 - 1);
    return { id: 3 * i, doc: { sparse: { ids, weights: Float32Array.from(ids, (t) => set.get(t)!) }, multivector: { data, dim: 32, count: 3 } } };
  });
}

/** Writes the fixture's store into `dir` (three commits: 1,000 documents, 200 more, deletion of id 9) with this build's writer. */
export async function writeNoblockStore(dir: string): Promise<void> {
  const docs = noblockDocs();
  const store = await SegmentedStore.create(dir, noblockChannels);
  for (const d of docs.slice(0, 1000)) store.add(d.id, d.doc);
  await store.commit({ merge: false });
  for (const d of docs.slice(1000)) store.add(d.id, d.doc);
  await store.commit({ merge: false });
  store.delete(9);
  await store.commit({ merge: false });
  store.close();
}
