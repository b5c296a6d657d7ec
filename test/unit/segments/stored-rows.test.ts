// Token vectors handed to a segment write as a MultiVectorStore already holds them
// (`multivectorStored`: what a save passes from the in-memory tail, and a conversion from the
// default storage): the segment's rows are copied as stored, in runs where they lie together,
// and score bit for bit as the store does, whatever order the store keeps them in. Rows that do
// not fit (another count) are checked and derived from the values as before.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MultiVectorStore } from '../../../src/multivector/index.js';
import { SegmentedStore } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-stored-rows-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `s${dirs++}`);
const DIM = 24;

function doc(r: () => number) {
  const count = 1 + Math.floor(r() * 7);
  return { data: Float32Array.from({ length: count * DIM }, () => r() * 2 - 1), dim: DIM, count };
}

describe('segment rows copied as a store holds them', () => {
  for (const dtype of ['f16', 'i8'] as const) {
    it(`score as the store does, rows out of id order and with gaps (${dtype})`, async () => {
      const r = rng(dtype === 'i8' ? 5 : 6);
      const store = MultiVectorStore.create({ dim: DIM, dtype });
      const docs = new Map<number, ReturnType<typeof doc>>();
      // added out of id order, two removed and not compacted: no id-ordered run spans them all
      for (const id of [7, 2, 3, 4, 0, 1, 9, 5, 6, 8, 11, 10]) {
        docs.set(id, doc(r));
        store.add(id, docs.get(id)!);
      }
      store.remove(4);
      store.remove(10);
      const live = [0, 1, 2, 3, 5, 6, 7, 8, 9, 11];
      const seg = await SegmentedStore.create(fresh(), { multivector: { dim: DIM, dtype } });
      try {
        for (const id of live) seg.add(id, { multivector: docs.get(id)!, multivectorStored: store.storedRange(id)! });
        await seg.commit();
        for (let k = 0; k < 3; k++) {
          const q = doc(r);
          expect(Array.from(seg.scoreMultiVector(q, live))).toEqual(Array.from(store.score(q, live)));
        }
      } finally {
        await seg.close();
      }
    });
  }

  it('rows that do not fit are checked and derived from the values', async () => {
    const r = rng(8);
    const store = MultiVectorStore.create({ dim: DIM, dtype: 'i8' });
    const a = doc(r);
    store.add(0, a);
    const seg = await SegmentedStore.create(fresh(), { multivector: { dim: DIM, dtype: 'i8' } });
    try {
      // another count than the stored rows: the values are checked (here refused) ...
      const bad = { data: new Float32Array(9 * DIM).fill(Number.NaN), dim: DIM, count: 9 };
      const st = store.storedRange(0)!;
      expect(st.count).toBeLessThan(9);
      expect(() => seg.add(1, { multivector: bad, multivectorStored: st })).toThrow(expect.objectContaining({ code: 'INVALID_VECTOR' }));
      // ... and good values that do not fit are quantised from themselves, as the store does
      const count = st.count + 1;
      const b = { data: Float32Array.from({ length: count * DIM }, () => r() * 2 - 1), dim: DIM, count };
      const other = MultiVectorStore.create({ dim: DIM, dtype: 'i8' });
      other.add(1, b);
      seg.add(1, { multivector: b, multivectorStored: st });
      await seg.commit();
      const q = doc(r);
      expect(Array.from(seg.scoreMultiVector(q, [1]))).toEqual(Array.from(other.score(q, [1])));
    } finally {
      await seg.close();
    }
  });
});
