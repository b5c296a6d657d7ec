// HybridIndex's `mergePolicy` option (storage: 'segments'): index-wide and per-channel tiered
// merge settings given at create or open. Oracles: the policy's own invariant (every segment
// below the floor: at most segmentsPerTier segments after each save), the default settings on
// the other channels (one segment per save, under 10), and a default-storage index holding the
// same documents (merges change no hit or score). Bad settings are INVALID_ARGUMENT and change
// nothing (no directory created, the index still opens and answers as before).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, TridentError, type MergePolicyOptions } from '../../../src/index.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-mergeopt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `i${dirs++}`);
const DIM = 16;
const channels = [
  { name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: DIM, dtype: 'f32' as const },
  { name: 'sparse', kind: 'sparse' as const, source: 'vectors' as const },
];

function docs(from: number, n: number, seed: number) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const ids = Uint32Array.from(new Set(Array.from({ length: 6 }, () => Math.floor(r() * 50))), (x) => x).sort();
    return {
      id: from + i,
      vectors: { dense: Float32Array.from({ length: DIM }, () => r() * 2 - 1), sparse: { ids, weights: Float32Array.from(ids, () => r() + 0.1) } },
    };
  });
}

const queries = Array.from({ length: 6 }, (_, q) => docs(10_000 + q, 1, 99 + q)[0]!.vectors);
const segs = (ix: HybridIndex, ch: string) => (ix.stats().channels[ch] as { segments: number }).segments;

async function answers(ix: HybridIndex) {
  const out: unknown[] = [];
  for (const q of queries) {
    for (const chs of [['dense'], ['sparse'], ['dense', 'sparse']]) out.push((await ix.search({ vectors: q }, { k: 10, channels: chs })).map((h) => [h.id, h.score]));
  }
  return out;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TridentError);
    expect((e as TridentError).code).toBe('INVALID_ARGUMENT');
    return (e as Error).message;
  }
  return 'resolved';
}

describe('HybridIndex mergePolicy', () => {
  it('per-channel settings at create: the dense channel stays within segmentsPerTier, the others keep the defaults; answers equal the default storage', async () => {
    const dir = fresh();
    const policy: MergePolicyOptions = { floorSegmentBytes: 2 ** 30, channels: { dense: { segmentsPerTier: 2 } } };
    const ix = await HybridIndex.create({ path: dir, channels, storage: 'segments', wal: false, mergePolicy: policy });
    const ref = await HybridIndex.create({ channels });
    for (let s = 0; s < 6; s++) {
      const batch = docs(s * 40, 40, s + 1);
      await ix.add(batch);
      await ref.add(batch);
      await ix.save();
      // every segment is below the 1 GiB floor: the policy allows max(ceil(total / floor), perTier) = 2
      expect(segs(ix, 'dense')).toBeLessThanOrEqual(2);
      // sparse: index-wide floor, default 10 per tier: one segment per save so far
      expect(segs(ix, 'sparse')).toBe(s + 1);
    }
    expect(await answers(ix)).toEqual(await answers(ref));
    await ix.close();

    // a run-time setting: reopened without it, the defaults merge nothing more
    const back = await HybridIndex.open(dir, {});
    const before = segs(back, 'dense');
    await back.add(docs(500, 40, 50));
    await ref.add(docs(500, 40, 50));
    await back.save();
    expect(segs(back, 'dense')).toBe(before + 1);
    expect(await answers(back)).toEqual(await answers(ref));
    await back.close();

    // given at open (index-wide): the next save merges every channel down to 2 segments
    const again = await HybridIndex.open(dir, { mergePolicy: { segmentsPerTier: 2, floorSegmentBytes: 2 ** 30 } });
    await again.add(docs(600, 10, 60));
    await ref.add(docs(600, 10, 60));
    await again.save();
    expect(segs(again, 'dense')).toBeLessThanOrEqual(2);
    expect(segs(again, 'sparse')).toBeLessThanOrEqual(2);
    expect(await answers(again)).toEqual(await answers(ref));
    await again.close();
  });

  it('bad settings are INVALID_ARGUMENT and change nothing', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ segmentsPerTier: 1 }, /segmentsPerTier must be an integer in 2…1000/],
      [{ segmentsPerTier: 2.5 }, /segmentsPerTier must be an integer/],
      [{ floorSegmentBytes: -1 }, /floorSegmentBytes must be a number/],
      [{ deletesPctAllowed: 80 }, /deletesPctAllowed must be a number in 5…50/],
      [{ maxMergeAtOnce: Number.NaN }, /maxMergeAtOnce/],
      [{ segmentPerTier: 2 }, /unknown merge setting 'segmentPerTier'/],
      [{ channels: { colbert: { segmentsPerTier: 2 } } }, /no channel 'colbert'/],
      [{ channels: { dense: { segmentsPerTier: 0 } } }, /mergePolicy\.channels\.dense\.segmentsPerTier/],
      [{ channels: [] }, /mergePolicy\.channels must be an object/],
      ['tight', /mergePolicy must be an object/],
    ];
    for (const [p, msg] of bad) {
      const dir = fresh();
      const got = await code(HybridIndex.create({ path: dir, channels, storage: 'segments', wal: false, mergePolicy: p as MergePolicyOptions }));
      expect(got).toMatch(/^INVALID_ARGUMENT: /);
      expect(got).toMatch(msg);
      expect(fs.existsSync(dir)).toBe(false);
    }
    // the default storage has no segments
    expect(await code(HybridIndex.create({ channels, mergePolicy: { segmentsPerTier: 2 } }))).toMatch(/^INVALID_ARGUMENT: mergePolicy applies to storage: 'segments' only/);

    // at open: refused, the lock released, the index untouched and still answering as before
    const dir = fresh();
    const ix = await HybridIndex.create({ path: dir, channels, storage: 'segments', wal: false });
    await ix.add(docs(0, 30, 7));
    await ix.save();
    const want = await answers(ix);
    await ix.close();
    const files = fs.readdirSync(dir, { recursive: true }).sort();
    expect(await code(HybridIndex.open(dir, { mergePolicy: { channels: { nope: {} } } }))).toMatch(/^INVALID_ARGUMENT: .*no channel 'nope'/);
    expect(await code(HybridIndex.open(dir, { mergePolicy: { floorSegmentBytes: 0 } }))).toMatch(/^INVALID_ARGUMENT: .*floorSegmentBytes/);
    expect(fs.readdirSync(dir, { recursive: true }).sort()).toEqual(files);
    const back = await HybridIndex.open(dir, {});
    expect(await answers(back)).toEqual(want);
    await back.close();
  });
});
