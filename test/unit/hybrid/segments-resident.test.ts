// segmentMemory: 'resident' (a segmented index whose segment files are read into memory instead of
// memory-mapped). Oracles: the same documents in the default storage (every hit's id, score and
// per-channel scores equal, for each channel alone and fused, graph and exhaustive), and the
// mapped open of the same directory. That the bytes really are resident: segment files truncated
// on disk after the open leave a resident reader's answers unchanged, while a mapped reader of
// the same files reports CORRUPT_FILE. A writer keeps its segments resident across save,
// reopen and optimize(); with search threads (which map the files) the answers stay the same;
// bad values and the default storage are INVALID_ARGUMENT.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, type SearchOptions } from '../../../src/index.js';
import { type MixedShape, mixedAnswers, mixedChannels, mixedDocs, mixedQueries } from './mixed-docs.js';

const D = 16;
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'trident-resident-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const channels = mixedChannels(D);

const SHAPE: MixedShape = { dim: D, docTerms: 6, queryTerms: 4, vocab: 200, words: 8, docVectors: 4, queryVectors: 2 };
const docs = (from: number, n: number, seed: number) => mixedDocs(SHAPE, from, n, seed);
const queries = (seed: number) => mixedQueries(SHAPE, seed, 6);

const SEARCHES: SearchOptions[] = [{ k: 20 }, { k: 20, exhaustive: true }, { k: 15, channels: ['dense'] }, { k: 15, channels: ['sparse'] }, { k: 15, channels: ['mv'], exhaustive: true }, { k: 15, channels: ['bm25'] }, { k: 20, channels: ['dense', 'bm25'], fusion: { kind: 'rrf' } }];

const answers = (ix: HybridIndex, seed: number) => mixedAnswers(ix, queries(seed), SEARCHES);

/** A segments index at `dir` and a default-storage twin, fed the same batches of these sizes (ids from 0 on), the segments index saved after each. */
async function built(dir: string, sizes: readonly number[], seed: number) {
  const w = await HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels });
  const mem = await HybridIndex.create({ wal: false, channels });
  let from = 0;
  for (const n of sizes) {
    const batch = docs(from, n, from + seed);
    await w.add(batch);
    await mem.add(batch);
    await w.save();
    from += n;
  }
  return { w, mem };
}

describe("segmentMemory: 'resident'", () => {
  it('a resident reader answers exactly as the mapped reader and the default storage, and keeps its bytes when the files are truncated on disk', async () => {
    const dir = path.join(tmp, 'reader');
    const { w, mem } = await built(dir, [120, 80, 60], 1); // three segments per channel
    await w.delete([3, 130, 201]);
    await mem.delete([3, 130, 201]);
    await w.save(); // deletion bitmaps
    await w.close();
    const want = await answers(mem, 9);
    const mapped = await HybridIndex.open(dir, { readOnly: true, segmentMemory: 'mapped' });
    const resident = await HybridIndex.open(dir, { readOnly: true, segmentMemory: 'resident' });
    expect(resident.stats().channels.mv).toMatchObject({ segments: 3, segmentMemory: 'resident' });
    expect(mapped.stats().channels.mv).toMatchObject({ segments: 3, segmentMemory: 'mapped' });
    expect(await answers(mapped, 9)).toEqual(want);
    expect(await answers(resident, 9)).toEqual(want);
    // truncate the sparse / BM25 and multi-vector segment files under both readers (not the
    // .hnsw graphs, which usearch maps itself in both modes)
    const root = path.join(dir, 'segments');
    const cut: string[] = [];
    for (const ch of fs.readdirSync(root)) for (const f of fs.readdirSync(path.join(root, ch))) if (/\.(mvec|sparse)$/.test(f)) cut.push(path.join(root, ch, f));
    expect(cut.length).toBe(9);
    for (const f of cut) fs.truncateSync(f, 0);
    expect(await answers(resident, 9)).toEqual(want);
    await expect(answers(mapped, 9)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    await resident.close();
    await mapped.close();
    await mem.close();
  });

  it('resident segments beside search threads (which map the files themselves) answer as the default storage, with a tail and after a save', async () => {
    const dir = path.join(tmp, 'threads');
    const { w, mem } = await built(dir, [100, 70], 5);
    await w.close();
    const ix = await HybridIndex.open(dir, { segmentMemory: 'resident', searchThreads: 1 });
    expect(await answers(ix, 11)).toEqual(await answers(mem, 11));
    const more = docs(170, 30, 99);
    await ix.add(more); // an unsaved tail on the calling thread, then a save the thread follows
    await mem.add(more);
    expect(await answers(ix, 12)).toEqual(await answers(mem, 12));
    await ix.save();
    expect(await answers(ix, 13)).toEqual(await answers(mem, 13));
    await ix.close();
    await mem.close();
  });

  it('a resident writer keeps new and merged segments resident: same answers as the default storage after save, reopen and optimize()', async () => {
    const dir = path.join(tmp, 'writer');
    let w = await HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels, segmentMemory: 'resident' });
    const mem = await HybridIndex.create({ wal: false, channels });
    const first = docs(0, 150, 31);
    await w.add(first);
    await mem.add(first);
    await w.save();
    expect(w.stats().channels.mv).toMatchObject({ segments: 1, segmentMemory: 'resident' });
    // dense channels stay mapped (usearch maps the graph files itself: a copy would hold the vectors twice)
    expect(w.stats().channels.dense).toMatchObject({ segments: 1, segmentMemory: 'mapped' });
    expect(await answers(w, 5)).toEqual(await answers(mem, 5));
    await w.close();
    w = await HybridIndex.open(dir, { segmentMemory: 'resident' });
    const more = docs(150, 90, 32);
    await w.add(more);
    await mem.add(more);
    await w.update([{ ...docs(7, 1, 33)[0]!, id: 7 }]);
    await mem.update([{ ...docs(7, 1, 33)[0]!, id: 7 }]);
    expect(await answers(w, 6)).toEqual(await answers(mem, 6)); // segments + unsaved tail
    await w.save();
    expect(await answers(w, 6)).toEqual(await answers(mem, 6));
    await w.optimize();
    expect(w.stats().channels.sparse).toMatchObject({ segments: 1, segmentMemory: 'resident' });
    expect(await answers(w, 7)).toEqual(await answers(mem, 7));
    // the merged segments were read into memory too: their files cut on disk change nothing
    const root = path.join(dir, 'segments');
    for (const ch of fs.readdirSync(root)) for (const f of fs.readdirSync(path.join(root, ch))) if (/\.(mvec|sparse)$/.test(f)) fs.truncateSync(path.join(root, ch, f), 0);
    expect(await answers(w, 7)).toEqual(await answers(mem, 7));
    await w.close();
    await mem.close();
  });

  it('bad values and the default storage are INVALID_ARGUMENT; nothing is created or locked', async () => {
    const dir = path.join(tmp, 'bad');
    await expect(HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels, segmentMemory: 'disk' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(HybridIndex.create({ path: dir, wal: false, channels, segmentMemory: 'resident' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("storage: 'segments'") });
    expect(fs.existsSync(dir)).toBe(false);
    const gen = await HybridIndex.create({ path: dir, wal: false, channels });
    await gen.add(docs(0, 10, 1));
    await gen.save();
    await gen.close();
    await expect(HybridIndex.open(dir, { segmentMemory: 'resident' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(HybridIndex.open(dir, { segmentMemory: 7 as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const again = await HybridIndex.open(dir, { segmentMemory: 'mapped' }); // the lock was released; 'mapped' (and 'auto', the default) are accepted
    expect((await again.search({ vectors: { dense: docs(0, 1, 1)[0]!.vectors.dense } }, { k: 1, channels: ['dense'] }))[0]?.id).toBe(0);
    await again.close();
  });
});
