// HybridIndex with a compressed multi-vector channel: `multivector: { dtype: 'residual', bits: 2 }`
// (and 'binary') indexes, searches, persists and re-opens; bad settings are typed errors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../../src/hybrid/index.js';
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
