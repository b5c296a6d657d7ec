// The three stores share their verbs and option names (remove, searchExhaustive, dimensions);
// the old names stay as aliases that answer the same.
import { describe, expect, it } from 'vitest';
import { DenseIndex, MultiVectorStore, SparseIndex } from '../../src/index.js';

describe('one vocabulary across stores', () => {
  it('remove, searchExhaustive and dimensions exist on every store and match the old names', () => {
    const d = DenseIndex.create({ dimensions: 4, dtype: 'f32' });
    const s = SparseIndex.create();
    const m = MultiVectorStore.create({ dimensions: 4, dtype: 'f32' });
    for (let i = 0; i < 5; i++) {
      const v = Float32Array.of(1, i, i * i, 1);
      d.add(i, v);
      s.add(i, { ids: Uint32Array.of(i, 9), weights: Float32Array.of(1, 0.5) });
      m.add(i, { data: v, dim: 4, count: 1 });
    }
    const q = Float32Array.of(1, 2, 3, 4);
    expect(d.searchExhaustive(q, 3)).toEqual(d.searchExact(q, 3));
    expect(m.dimensions).toBe(4);
    expect(m.dim).toBe(4);
    expect(d.dimensions).toBe(4);
    expect(MultiVectorStore.create({ dim: 8 }).dimensions).toBe(8); // the old option name still works
    expect(() => MultiVectorStore.create({ dim: 8, dimensions: 4 })).toThrow(/differ/);
    expect(s.remove(2)).toBe(true);
    expect(s.remove(2)).toBe(false);
    expect(s.delete(3)).toBe(true); // alias
    expect(d.remove(1)).toBe(true);
    expect(m.remove(1)).toBe(true);
    const sq = { ids: Uint32Array.of(9), weights: Float32Array.of(1) };
    expect(Array.from(s.searchExhaustive(sq, 10).ids).sort()).toEqual([0, 1, 4]);
    expect(Array.from(m.searchExhaustive({ data: q, dim: 4, count: 1 }, 10).ids).sort()).toEqual([0, 2, 3, 4]);
  });
});
