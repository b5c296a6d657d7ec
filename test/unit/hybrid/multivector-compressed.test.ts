// HybridIndex with a compressed multi-vector channel: `multivector: { dtype: 'residual', bits: 2 }`
// (and 'binary') indexes, searches, persists and re-opens; bad settings are typed errors.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { MultiVectorStore } from '../../../src/multivector/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon'.split(' ');
const docs = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 4 + (i % 9) }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' ') }));

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-mvc-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('HybridIndex with compressed multi-vector stores', () => {
  for (const mv of [{ dtype: 'residual' as const, bits: 2 as const }, { dtype: 'binary' as const }]) {
    it(`${mv.dtype}: search, save and re-open give the same hits`, async () => {
      const p = path.join(dir, 'idx');
      const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, multivector: mv });
      await index.add(docs);
      const before = await index.search('gamma delta epsilon', { k: 5, channels: ['multivector'] });
      expect(before.length).toBe(5);
      const all = await index.search('gamma delta epsilon', { k: 5 });
      expect(all[0]!.scores.multivector).toBeTypeOf('number');
      await index.close();
      const again = await HybridIndex.open(p, { encoder: new FakeEncoder() });
      expect(await again.search('gamma delta epsilon', { k: 5, channels: ['multivector'] })).toEqual(before);
      await again.close();
    });
  }

  it('residual: the multi-vector channel finds its own candidates through the centroid lists (exact scores, near-exhaustive ranking)', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), multivector: { dtype: 'residual', bits: 2 }, wal: false });
    await index.add(docs);
    const firstStage = vi.spyOn(MultiVectorStore.prototype, 'candidates');
    const scan = vi.spyOn(MultiVectorStore.prototype, 'searchExhaustive');
    let overlap = 0;
    let total = 0;
    for (const q of ['gamma delta epsilon', 'alpha beta', 'sigma tau upsilon', 'kappa']) {
      const exact = await index.search(q, { k: 10, channels: ['multivector'], exhaustive: true });
      const first = await index.search(q, { k: 10, channels: ['multivector'] });
      const byId = new Map(exact.map((h) => [h.id, h.score]));
      const all = new Map((await index.search(q, { k: docs.length, channels: ['multivector'], exhaustive: true })).map((h) => [h.id, h.score]));
      // every hit carries its exact residual MaxSim, whichever path found it
      for (const h of first) expect(h.score).toBe(all.get(h.id));
      overlap += first.filter((h) => byId.has(h.id)).length;
      total += exact.length;
      // a filter keeps the first stage correct: only passing documents, exact scores
      const filtered = await index.search(q, { k: 5, channels: ['multivector'], filter: (_m, id) => Number(String(id).slice(1)) % 2 === 0 });
      for (const h of filtered) {
        expect(Number(String(h.id).slice(1)) % 2).toBe(0);
        expect(h.score).toBe(all.get(h.id));
      }
    }
    expect(overlap / total).toBeGreaterThanOrEqual(0.8);
    // the unfiltered searches went through the lists, not a scan of every document
    expect(firstStage).toHaveBeenCalled();
    expect(scan).not.toHaveBeenCalled();
    firstStage.mockRestore();
    scan.mockRestore();
    // the hybrid default unites the multi-vector channel's own candidates with the others'
    const hybrid = await index.search('gamma delta epsilon', { k: 5 });
    expect(hybrid.length).toBe(5);
    await index.close();
  });

  it('bad compressed settings are INVALID_ARGUMENT', async () => {
    const code = async (o: object) =>
      HybridIndex.create({ encoder: new FakeEncoder(), multivector: o as never }).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
    expect(await code({ dtype: 'residual', bits: 3 })).toBe('INVALID_ARGUMENT');
    expect(await code({ dtype: 'f16', bits: 2 })).toBe('INVALID_ARGUMENT');
    expect(await code({ dtype: 'residual', centroids: 0 })).toBe('INVALID_ARGUMENT');
    expect(await code({ dtype: 'residual', bitz: 2 })).toBe('INVALID_ARGUMENT');
  });
});
