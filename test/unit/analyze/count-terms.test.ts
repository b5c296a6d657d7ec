// countTerms (dense scratch counting) against a Map-based count: same ids ascending and weights,
// dropped terms (negative ids) ignored, ids above the dense range counted too, and a throwing
// idOf leaves nothing behind for the next call.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countTerms, TermVocabulary, termFrequencies } from '../../../src/analyze/index.js';

function mapCount(terms: string[], idOf: (t: string) => number) {
  const m = new Map<number, number>();
  for (const t of terms) {
    const id = idOf(t);
    if (id >= 0) m.set(id, (m.get(id) ?? 0) + 1);
  }
  const ids = [...m.keys()].sort((a, b) => a - b);
  return { ids, weights: ids.map((i) => m.get(i)!) };
}

describe('countTerms', () => {
  it('equals a Map count for random terms and id maps (small, huge and dropped ids)', () => {
    const idMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.oneof(fc.integer({ min: -1, max: 50 }), fc.integer({ min: (1 << 24) - 2, max: 0xffffffff })));
    fc.assert(
      fc.property(idMap, fc.array(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 60 }), (ids, terms) => {
        const idOf = (t: string) => (Object.hasOwn(ids, t) ? ids[t]! : -1);
        const got = countTerms(terms, idOf);
        const want = mapCount(terms, idOf);
        expect(Array.from(got.ids)).toEqual(want.ids);
        expect(Array.from(got.weights)).toEqual(want.weights);
      }),
      { numRuns: 500 },
    );
  });
  it('a throwing idOf leaves the scratch clean', () => {
    expect(() =>
      countTerms(['a', 'b', 'boom'], (t) => {
        if (t === 'boom') throw new Error('boom');
        return t === 'a' ? 3 : 4;
      }),
    ).toThrow('boom');
    const v = countTerms(['x'], () => 3);
    expect(Array.from(v.weights)).toEqual([1]);
  });
  it('termFrequencies counts through it (query side drops unknown terms)', () => {
    const vocab = new TermVocabulary();
    expect(termFrequencies(['b', 'a', 'b'], vocab, true)).toEqual({ ids: Uint32Array.of(0, 1), weights: Float32Array.of(2, 1) });
    expect(termFrequencies(['a', 'zzz', 'a'], vocab, false)).toEqual({ ids: Uint32Array.of(1), weights: Float32Array.of(2) });
  });
});
