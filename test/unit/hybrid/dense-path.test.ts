// The dense search path (issue 19): without a user filter the dense store is searched
// unfiltered (it holds exactly the live entries) and the live-entry count is a counter, not a
// walk over every document. Oracle: DenseIndex.searchExact over the live vectors.
import { describe, it, expect } from 'vitest';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { EntryTable } from '../../../src/hybrid/entries.js';
import type { EncodedLike, HybridEncoder } from '../../../src/hybrid/types.js';
import { rng } from '../../helpers/rng.js';

const DIM = 8;

function unit(r: () => number): Float32Array {
  const v = Float32Array.from({ length: DIM }, () => r() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('HybridIndex dense path', () => {
  it('mode dense equals the exact top-k over live documents, before and after deletes, and with a filter', async () => {
    const r = rng(5);
    const vecs = Array.from({ length: 300 }, () => unit(r));
    const enc: HybridEncoder = {
      info: { id: 'table', dim: DIM, maxLength: 512, heads: { dense: true, sparse: false, multivector: false } },
      async encode(texts: string[]): Promise<EncodedLike[]> {
        return texts.map((t) => ({ dense: vecs[/^\d+$/.test(t) ? Number(t) : 0]! }));
      },
    };
    const index = await HybridIndex.create({ encoder: enc, dense: { dimensions: DIM, dtype: 'f32' }, sparse: false, multivector: false });
    await index.add(vecs.map((_, i) => ({ id: i, text: String(i), metadata: { even: i % 2 === 0 } })));
    const exact = (q: Float32Array, live: (i: number) => boolean, k: number) =>
      vecs
        .map((v, i) => ({ i, s: v.reduce((a, x, j) => a + x * q[j]!, 0) }))
        .filter((x) => live(x.i))
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .slice(0, k)
        .map((x) => x.i);
    const deleted = new Set<number>();
    for (let round = 0; round < 3; round++) {
      for (let t = 0; t < 10; t++) {
        const q = unit(r);
        const hits = await index.search('', { mode: 'dense', k: 5, encoded: { dense: q } });
        expect(hits.map((h) => h.id)).toEqual(exact(q, (i) => !deleted.has(i), 5));
        const even = await index.search('', { mode: 'dense', k: 5, encoded: { dense: q }, filter: { even: true } });
        expect(even.map((h) => h.id)).toEqual(exact(q, (i) => !deleted.has(i) && i % 2 === 0, 5));
      }
      // delete the current top hits of a few queries so that deleted ids would otherwise rank first
      for (let t = 0; t < 5; t++) {
        const q = unit(r);
        const top = exact(q, (i) => !deleted.has(i), 3);
        await index.delete(top);
        top.forEach((i) => {
          deleted.add(i);
        });
      }
      expect(index.size).toBe(300 - deleted.size);
    }
    await index.close();
  });

  it('EntryTable.liveEntries counts entries through add, delete and a JSON round trip', () => {
    const t = new EntryTable();
    t.addDocument('a', [{ start: 0, end: 1 }], false);
    t.addDocument(
      'b',
      [
        { start: 0, end: 1 },
        { start: 1, end: 2 },
        { start: 2, end: 3 },
      ],
      true,
    );
    t.addDocument(7, [{ start: 0, end: 4 }], false);
    expect(t.liveEntries).toBe(5);
    t.deleteDocument('b');
    expect(t.liveEntries).toBe(2);
    t.deleteDocument('missing');
    expect(t.liveEntries).toBe(2);
    const back = EntryTable.fromJSON(JSON.parse(JSON.stringify(t)));
    expect(back.liveEntries).toBe(2);
    expect(back.liveInternalIds().length).toBe(2);
    back.deleteDocument(7);
    expect(back.liveEntries).toBe(1);
  });
});
