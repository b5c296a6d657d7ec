// segmentMemory: 'auto' (the default of a segmented index): segment files are mapped at open and
// promoted into anonymous memory at the same addresses once a search reads them. Oracles: the
// same documents in the default storage (every hit's id, score and per-channel scores equal,
// before and after the promotion, for each channel alone and fused), and an explicit 'mapped'
// reader of the same directory, which never promotes. That the bytes really moved: segment
// files truncated on disk after the promotion leave the auto reader's answers unchanged, while
// the mapped reader reports CORRUPT_FILE. open() promotes nothing; a writer's new and merged
// segments are promoted after save and optimize() once searched.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, type SearchOptions } from '../../../src/index.js';
import { type MixedShape, mixedAnswers, mixedChannels, mixedDocs, mixedQueries } from './mixed-docs.js';
import { nativeMmap } from '../../../src/kernels/index.js';
import { PROMOTE_MIN_BYTES, promotedTotal, promotionsPending } from '../../../src/store/mmap.js';

const D = 64;
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'trident-auto-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const CAN = nativeMmap()?.mmapPromote !== undefined && process.platform === 'linux' && process.env.TRIDENT_MMAP_PROMOTE !== '0';

const channels = mixedChannels(D);

const SHAPE: MixedShape = { dim: D, docTerms: 40, queryTerms: 6, vocab: 3000, words: 12, docVectors: 8, queryVectors: 3 };
const docs = (from: number, n: number, seed: number) => mixedDocs(SHAPE, from, n, seed);
const queries = (seed: number) => mixedQueries(SHAPE, seed, 5);

const SEARCHES: SearchOptions[] = [{ k: 20 }, { k: 20, exhaustive: true }, { k: 15, channels: ['sparse'] }, { k: 15, channels: ['mv'], exhaustive: true }, { k: 15, channels: ['bm25'] }, { k: 20, channels: ['dense', 'bm25'], fusion: { kind: 'rrf' } }];

const answers = (ix: HybridIndex, seed: number) => mixedAnswers(ix, queries(seed), SEARCHES);

const promotedOf = (ix: HybridIndex, ch: string) => ix.stats().channels[ch]!.segmentBytesPromoted as number;
const bytesOf = (ix: HybridIndex, ch: string) => ix.stats().channels[ch]!.segmentBytes as number;

/** Waits (up to 10 s) until the channel's promoted bytes reach `want`; returns what they reached. */
async function promoted(ix: HybridIndex, ch: string, want: number): Promise<number> {
  for (let i = 0; i < 200 && promotedOf(ix, ch) < want; i++) await new Promise((r) => setTimeout(r, 50));
  return promotedOf(ix, ch);
}

describe.runIf(CAN)("segmentMemory: 'auto' (default)", () => {
  it('open promotes nothing; searched segment files are promoted, answers stay those of the default storage, and the copies outlive the files on disk', async () => {
    const dir = path.join(tmp, 'reader');
    const w = await HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels });
    const mem = await HybridIndex.create({ wal: false, channels });
    for (const [from, n] of [
      [0, 150],
      [150, 120],
      [270, 100],
    ] as const) {
      const batch = docs(from, n, from + 1);
      await w.add(batch);
      await mem.add(batch);
      await w.save();
    }
    await w.delete([3, 160, 301]);
    await mem.delete([3, 160, 301]);
    await w.save();
    await w.close();
    const want = await answers(mem, 9);
    const before = promotedTotal();
    const auto = await HybridIndex.open(dir, { readOnly: true });
    const mapped = await HybridIndex.open(dir, { readOnly: true, segmentMemory: 'mapped' });
    // no copy started at open (a started one would count in the process totals at once)
    expect(promotionsPending()).toBe(0);
    expect(promotedTotal()).toBe(before);
    expect(auto.stats().channels.mv).toMatchObject({ segments: 3, segmentMemory: 'auto', segmentBytesPromoted: 0 });
    expect(auto.stats().channels.dense).toMatchObject({ segmentMemory: 'mapped' }); // dense channels stay mapped
    expect(mapped.stats().channels.mv).toMatchObject({ segments: 3, segmentMemory: 'mapped' });
    // every multi-vector and sparse file is big enough to be promoted
    const root = path.join(dir, 'segments');
    const files: string[] = [];
    for (const ch of ['mv', 'sparse']) for (const f of fs.readdirSync(path.join(root, ch))) if (/\.(mvec|sparse)$/.test(f)) files.push(path.join(root, ch, f));
    expect(files.length).toBe(6);
    for (const f of files) expect(fs.statSync(f).size).toBeGreaterThanOrEqual(PROMOTE_MIN_BYTES);
    expect(await answers(auto, 9)).toEqual(want);
    expect(await answers(mapped, 9)).toEqual(want);
    expect(await promoted(auto, 'mv', bytesOf(auto, 'mv'))).toBe(bytesOf(auto, 'mv'));
    expect(await promoted(auto, 'sparse', bytesOf(auto, 'sparse'))).toBe(bytesOf(auto, 'sparse'));
    expect(promotedOf(mapped, 'mv')).toBe(0);
    expect(await answers(auto, 9)).toEqual(want);
    // the files shrink on disk: the promoted copies keep answering, the mapped reader cannot
    for (const f of files) fs.truncateSync(f, 0);
    expect(await answers(auto, 9)).toEqual(want);
    await expect(answers(mapped, 9)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    await auto.close();
    await mapped.close();
    await mem.close();
  });

  it("a writer's new segments (save) and merged ones (optimize) are promoted once searched, with the default storage's answers throughout", async () => {
    const dir = path.join(tmp, 'writer');
    const w = await HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels });
    const mem = await HybridIndex.create({ wal: false, channels });
    let from = 0;
    for (const n of [140, 90]) {
      const batch = docs(from, n, from + 7);
      await w.add(batch);
      await mem.add(batch);
      await w.save();
      from += n;
      expect(await answers(w, from)).toEqual(await answers(mem, from));
      expect(await promoted(w, 'mv', bytesOf(w, 'mv'))).toBe(bytesOf(w, 'mv'));
    }
    await w.optimize();
    expect(w.stats().channels.mv).toMatchObject({ segments: 1, segmentBytesPromoted: 0 }); // the merged file is new
    expect(await answers(w, 77)).toEqual(await answers(mem, 77));
    expect(await promoted(w, 'mv', bytesOf(w, 'mv'))).toBe(bytesOf(w, 'mv'));
    expect(await answers(w, 78)).toEqual(await answers(mem, 78));
    await w.close();
    await mem.close();
  });
});
