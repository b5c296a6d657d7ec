// Regression (issue 13 item 11, fusion): rrfK 0/negative/NaN/Infinity and weights whose sum
// overflows ([1e308, 1e308, 1e308]) were accepted and fused to NaN. They are INVALID_ARGUMENT
// at create() and at search(), and in the fusion functions themselves.
import { describe, expect, it } from 'vitest';
import { HybridIndex } from '../../src/hybrid/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { fuse, rrfFromRankings, rrfFromScores, weightedSum } from '../../src/fusion/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, makeDocs, rng } from '../reliability/corpus.js';

const BAD_K = [0, -1, -60, NaN, Infinity, -Infinity, '60' as unknown as number];
const BAD_W = [
  [1e308, 1e308, 1e308],
  [Number.MAX_VALUE, Number.MAX_VALUE, 0],
  [NaN, 1, 1],
  [-1, 1, 1],
  [0, 0, 0],
  [Infinity, 0, 0],
] as unknown as [number, number, number][];

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof InvalidArgumentError ? e.code : `untyped ${String(e)}`;
  }
  return 'accepted';
};

describe('fusion options are validated', () => {
  it('rrfK must be a finite number > 0; weights finite, ≥ 0, with a finite positive sum', () => {
    for (const k of BAD_K) {
      expect(
        code(() => rrfFromScores([[1, 2], null, null], [1, 1, 1], k)),
        String(k),
      ).toBe('INVALID_ARGUMENT');
      expect(
        code(() => rrfFromRankings([[1, 2]], [1], k)),
        String(k),
      ).toBe('INVALID_ARGUMENT');
      expect(
        code(() => fuse([[1, 2], null, null], { kind: 'rrf', rrfK: k })),
        String(k),
      ).toBe('INVALID_ARGUMENT');
    }
    for (const w of BAD_W) {
      expect(
        code(() =>
          weightedSum(
            [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
            w,
          ),
        ),
        String(w),
      ).toBe('INVALID_ARGUMENT');
      expect(
        code(() =>
          rrfFromScores(
            [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
            w,
          ),
        ),
        String(w),
      ).toBe('INVALID_ARGUMENT');
    }
    // large but summable weights still fuse to finite numbers
    expect(
      Array.from(
        weightedSum(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          [1e307, 1e307, 1e307],
        ),
      ).every(Number.isFinite),
    ).toBe(true);
  });

  it('at create() and at search(), with nothing changed', async () => {
    for (const k of BAD_K) {
      await expect(HybridIndex.create({ encoder: new FakeEncoder(), fusion: { kind: 'rrf', rrfK: k } }), String(k)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    for (const w of BAD_W) {
      await expect(HybridIndex.create({ encoder: new FakeEncoder(), fusion: { weights: w } }), String(w)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), fusion: { kind: 'nope' as 'rrf' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const index = await createIndex();
    await index.add(makeDocs(rng(1), 5, 'a'));
    for (const kind of ['weighted', 'rrf', 'dbsf', 'minmax'] as const) {
      for (const k of BAD_K) await expect(index.search('alpha', { fusion: { kind, rrfK: k } }), `${kind} ${k}`).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      for (const w of BAD_W) await expect(index.search('alpha', { fusion: { kind, weights: w } }), `${kind} ${w}`).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    const hits = await index.search('alpha', { fusion: { kind: 'rrf', rrfK: 1 } });
    expect(hits.every((h) => Number.isFinite(h.score))).toBe(true);
    await index.close();
  });
});
