// Regression (found by test/property/hybrid-model.test.ts, shrunk): add → delete → save →
// open → add crashed the process (SIGSEGV / glibc heap-corruption abort). usearch 2.25 writes
// removed entries into its file, and adding to a graph loaded from such a file corrupts the heap.
// Fix: DenseIndex.saveFiles rebuilds the graph from the live rows when it has removals.
// A crash here takes the test worker down, which fails the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { DenseIndex } from '../../src/dense/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-regress-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const vec = (i: number) => Float32Array.from({ length: 16 }, (_, j) => Math.sin(i * 7.1 + j * 1.3));

describe('dense graph with removed entries survives save → open → add', () => {
  it('the shrunk counter-example: add "3", delete "3", save, open, add "c"', async () => {
    const p = path.join(dir, 'hybrid');
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, dense: { dtype: 'f32' }, multivector: { dtype: 'f32' } });
    await index.add([{ id: '3', text: 'river   gamma' }]);
    await index.delete(['3']);
    await index.save();
    await index.close();
    const again = await HybridIndex.open(p, { encoder: new FakeEncoder() });
    await again.update([{ id: 'c', text: '  ! stone' }]);
    const hits = await again.search('stone', { k: 3, mode: 'dense' });
    expect(hits.map((h) => h.id)).toEqual(['c']);
    await again.close();
  });

  for (const [n, removed] of [
    [1, 1],
    [17, 17],
    [64, 63],
    [100, 50],
  ] as const) {
    it(`DenseIndex: ${n} vectors, ${removed} removed, saved, opened, 50 added; search is exact on the survivors`, async () => {
      const p = path.join(dir, `dense-${n}-${removed}`);
      await fsp.mkdir(p);
      const a = DenseIndex.create({ dimensions: 16, dtype: 'f32' });
      for (let i = 0; i < n; i++) a.add(i, vec(i));
      for (let i = 0; i < removed; i++) a.remove(i);
      await a.saveFiles(p);
      a.close();
      const b = await DenseIndex.openFiles(p);
      for (let j = 0; j < 50; j++) b.add(1000 + j, vec(1000 + j + 0.5));
      expect(b.size).toBe(n - removed + 50);
      // exact oracle: brute-force inner products over the live vectors
      const q = vec(3);
      const norm = (v: Float32Array) => {
        const s = Math.sqrt(v.reduce((t, x) => t + x * x, 0));
        return v.map((x) => x / s);
      };
      const live = [...Array.from({ length: n - removed }, (_, i) => removed + i), ...Array.from({ length: 50 }, (_, j) => 1000 + j)];
      const qn = norm(q);
      const scored = live.map((id) => ({ id, s: norm(id >= 1000 ? vec(id + 0.5) : vec(id)).reduce((t, x, k) => t + x * qn[k]!, 0) })).sort((x, y) => y.s - x.s);
      const got = b.search(q, 5, { exact: true });
      expect(Array.from(got.ids)).toEqual(scored.slice(0, 5).map((x) => x.id));
      b.close();
    });
  }
});
