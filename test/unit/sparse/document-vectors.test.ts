import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SparseIndex } from '../../../src/sparse/index.js';
import { rng } from '../../helpers/rng.js';

/** Random sparse vectors; the oracle is simply what was added (zero weights dropped). */
function corpus(n: number, seed: number) {
  const r = rng(seed);
  const docs = new Map<number, { ids: Uint32Array; weights: Float32Array }>();
  for (let d = 0; d < n; d++) {
    const ids = [...new Set(Array.from({ length: 1 + Math.floor(r() * 12) }, () => Math.floor(r() * 60)))].sort((a, b) => a - b);
    docs.set(d * 3, { ids: Uint32Array.from(ids), weights: Float32Array.from(ids, (_, i) => (i === 1 ? 0 : Math.fround(1 + r() * 4))) });
  }
  return docs;
}
const expected = (v: { ids: Uint32Array; weights: Float32Array }) => {
  const keep = [...v.ids.keys()].filter((i) => v.weights[i] !== 0);
  return { ids: Uint32Array.from(keep, (i) => v.ids[i]!), weights: Float32Array.from(keep, (i) => v.weights[i]!) };
};

describe('SparseIndex.documentVectors', () => {
  for (const scorer of ['dot', 'bm25'] as const) {
    it(`gives back every live document's vector (${scorer}), also after deletes and save/open`, async () => {
      const docs = corpus(200, scorer === 'dot' ? 1 : 2);
      const index = SparseIndex.create({ scorer });
      for (const [d, v] of docs) index.add(d, v);
      for (const d of [0, 30, 597]) {
        index.delete(d);
        docs.delete(d);
      }
      const want = new Map([...docs].map(([d, v]) => [d, expected(v)]));
      expect(index.documentVectors()).toEqual(want);
      const dir = mkdtempSync(path.join(tmpdir(), 'trident-docvec-'));
      try {
        index.compact();
        await index.saveFiles(dir);
        expect((await SparseIndex.openFiles(dir)).documentVectors()).toEqual(want);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
