import { describe, expect, it } from 'vitest';
import { bm25DocumentVector, bm25QueryVector, f32Json, termHash, toSparse } from '../../../src/qdrant/points.js';
import { rng } from '../../helpers/rng.js';

describe('f32Json', () => {
  it('every float32 (random bit patterns, subnormals, extremes) reads back exactly, through a double or directly', () => {
    const r = rng(11);
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    const specials = [1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 0.1, 1 / 3, 0]; // (-0: JSON has no negative zero; it reads back as 0, which changes no product);
    const values = [...specials.map(Math.fround)];
    for (let i = 0; i < 200_000; i++) {
      bits[0] = Math.floor(r() * 2 ** 32);
      if (Number.isFinite(f[0]!) && !Object.is(f[0], -0)) values.push(f[0]!);
    }
    for (const v of values) {
      const text = JSON.stringify(f32Json(v));
      expect(Math.fround(Number(text))).toBe(v); // decimal → double → float32 (serde_json's f32 path)
      expect(text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length).toBeLessThanOrEqual(9);
    }
  });
});

describe('BM25 vectors for the idf modifier', () => {
  it('document value = (k1+1)·tf / (tf + k1·(1 − b + b·dl/avgdl)), query value = qf, indices = FNV-1a of the term', () => {
    const d = bm25DocumentVector(['cat', 'sat', 'cat'], { k1: 1.2, b: 0.75, avgdl: 6 });
    const norm = 1.2 * (1 - 0.75 + (0.75 * 3) / 6);
    const want = new Map([
      [termHash('cat'), (2.2 * 2) / (2 + norm)],
      [termHash('sat'), 2.2 / (1 + norm)],
    ]);
    expect(d.indices).toEqual([...want.keys()].sort((a, b) => a - b));
    d.indices.forEach((i, j) => {
      expect(d.values[j]).toBeCloseTo(want.get(i)!, 12);
    });
    expect(bm25QueryVector(['cat', 'cat', 'dog'])).toEqual({ indices: [termHash('cat'), termHash('dog')].sort((a, b) => a - b), values: [termHash('cat'), termHash('dog')].sort((a, b) => a - b).map((i) => (i === termHash('cat') ? 2 : 1)) });
    // FNV-1a 32 reference values (Fowler/Noll/Vo test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968)
    expect([termHash(''), termHash('a'), termHash('foobar')]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });
  it('refuses a non-positive avgdl', () => {
    expect(() => bm25DocumentVector(['a'], { k1: 1, b: 0.5, avgdl: 0 })).toThrow(/INVALID_ARGUMENT/);
  });
  it('sparse vectors drop zero weights', () => {
    expect(toSparse({ ids: [1, 2, 3], weights: [0.5, 0, 0.25] })).toEqual({ indices: [1, 3], values: [0.5, 0.25] });
  });
});
