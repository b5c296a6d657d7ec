// RowStore.appendRows (one conversion over a block, used by DenseIndex.addBatch) must store
// exactly what one append per id stores (oracle: the per-row path), for every dtype; and
// DenseIndex.addBatch must hold the same rows as one add per id.
import { describe, expect, it } from 'vitest';
import { RowStore, type DenseDtype } from '../../../src/dense/rows.js';
import { DenseIndex } from '../../../src/dense/index.js';
import { normalised } from '../../../src/dense/validate.js';
import { rng } from '../../helpers/rng.js';

function rows(n: number, d: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    out.set(
      normalised(
        Array.from({ length: d }, () => r() * 2 - 1),
        d,
        't',
      ),
      i * d,
    );
  return out;
}

describe('RowStore.appendRows', () => {
  for (const dtype of ['f32', 'f16', 'i8'] as DenseDtype[]) {
    it(`${dtype}: equals one append per id (ids, slots, payload, dequantised rows)`, () => {
      const d = 24;
      const n = 37;
      const data = rows(n, d, 3);
      const ids = Uint32Array.from({ length: n }, (_, i) => 1000 - 7 * i);
      const one = new RowStore(d, dtype);
      const many = new RowStore(d, dtype);
      one.append(5, data.subarray(0, d));
      many.append(5, data.subarray(0, d));
      for (let i = 0; i < n; i++) one.append(ids[i]!, data.subarray(i * d, i * d + d));
      many.appendRows(ids, data);
      expect(Array.from(many.ids)).toEqual(Array.from(one.ids));
      expect(many.payload()).toEqual(one.payload());
      for (const id of ids) expect(many.slot(id)).toBe(one.slot(id));
      for (let s = 0; s < one.count; s++) expect(many.row(s)).toEqual(one.row(s));
    });
  }
  it('DenseIndex.addBatch holds the rows one add per id holds', () => {
    const d = 16;
    const n = 50;
    const data = rows(n, d, 9).map((x, i) => x * (1 + (i % 5))); // not unit length: both normalise
    const a = DenseIndex.create({ dimensions: d, dtype: 'f16' });
    const b = DenseIndex.create({ dimensions: d, dtype: 'f16' });
    a.addBatch(
      Uint32Array.from({ length: n }, (_, i) => i),
      data,
    );
    for (let i = 0; i < n; i++) b.add(i, data.subarray(i * d, i * d + d));
    for (let i = 0; i < n; i++) expect(a.vector(i)).toEqual(b.vector(i));
    const q = data.subarray(0, d);
    expect(a.search(q, 10, { exact: true })).toEqual(b.search(q, 10, { exact: true }));
  });
});
