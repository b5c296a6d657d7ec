import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Encoder } from '../../../../src/encode/types.js';
import { composeEncoders, loadFamilyEncoder } from '../../../../src/encode/index.js';
import { searchExpanded } from '../../../../src/search/index.js';
import { FIX } from './goldens.js';

describe('composeEncoders', () => {
  it('E5-style dense + SPLADE sparse + ColBERT multi-vector in one Encoder, each component run once', async () => {
    const dense = await loadFamilyEncoder(join(FIX, 'tiny-bert-st'), { preset: 'e5' });
    const sparse = await loadFamilyEncoder(join(FIX, 'tiny-splade'), { preset: 'splade' });
    const mv = await loadFamilyEncoder(join(FIX, 'tiny-colbert'));
    let calls = 0;
    const counted: Encoder = {
      info: dense.info,
      encode: (t, o) => {
        calls++;
        return dense.encode(t, o);
      },
      encodeTokens: (t, o) => dense.encodeTokens(t, o),
      decodeTokens: (i) => dense.decodeTokens(i),
      close: () => dense.close(),
    };
    const enc = composeEncoders({ dense: counted, sparse, multivector: mv });
    expect(enc.info.heads).toEqual({ dense: true, sparse: true, multivector: true });
    expect(enc.info.fusionWeights).toEqual([1, 1, 1]);
    expect(enc.info.dim).toBe(32);
    const texts = ['What is BM25?', 'the cat and the dog and the cat'];
    const out = await enc.encode(texts, { role: 'query' });
    expect(calls).toBe(1);
    const d = await dense.encode(texts, { role: 'query' });
    const s = await sparse.encode(texts, { role: 'query' });
    const m = await mv.encode(texts, { role: 'query' });
    out.forEach((o, i) => {
      expect([...o.dense]).toEqual([...d[i]!.dense]);
      expect([...o.sparse.ids]).toEqual([...s[i]!.sparse.ids]);
      expect([...o.sparse.weights]).toEqual([...s[i]!.sparse.weights]);
      expect([...o.multivector.data]).toEqual([...m[i]!.multivector.data]);
      expect(o.multivector.dim).toBe(16);
    });
    // one encoder for two heads runs once
    let n = 0;
    const both: Encoder = {
      ...counted,
      info: { ...dense.info, heads: { dense: true, sparse: true, multivector: false } },
      encode: (t, o) => {
        n++;
        return dense.encode(t, o);
      },
    };
    await composeEncoders({ dense: both, sparse: both }).encode(['x']);
    expect(n).toBe(1);
    expect(() => composeEncoders({ sparse: dense })).toThrow(/sparse/);
    expect(() => composeEncoders({})).toThrow(/at least one/);
    await enc.close();
    await expect(enc.encode(['x'])).rejects.toMatchObject({ code: 'ENCODER_CLOSED', name: 'EncoderClosedError' });
  });
});

describe('searchExpanded (query expansion + RRF)', () => {
  it('fuses the original and expanded result lists with 1-based RRF', async () => {
    const lists: Record<string, Array<{ id: number }>> = {
      q: [{ id: 1 }, { id: 2 }, { id: 3 }],
      a: [{ id: 3 }, { id: 4 }],
      b: [{ id: 3 }, { id: 1 }],
    };
    const searched: string[] = [];
    const hits = await searchExpanded(
      'q',
      () => ['a', 'b', 'q', ' a '],
      async (q) => {
        searched.push(q);
        return lists[q]!;
      },
      { k: 3 },
    );
    expect(searched).toEqual(['q', 'a', 'b']);
    const rrf = (ranks: number[]) => ranks.reduce((s, r) => s + 1 / (60 + r), 0);
    const want = new Map([
      [1, rrf([1, 2])],
      [2, rrf([2])],
      [3, rrf([3, 1, 1])],
      [4, rrf([2])],
    ]);
    const order = [...want.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 3);
    expect(hits.map((h) => h.id)).toEqual(order.map(([id]) => id));
    hits.forEach((h) => {
      expect(h.fusedScore).toBeCloseTo(want.get(h.id)!, 12);
    });
    expect(hits.find((h) => h.id === 3)!.queries).toEqual(['q', 'a', 'b']);
    await expect(
      searchExpanded(
        'q',
        () => 'x' as unknown as string[],
        async () => [],
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
