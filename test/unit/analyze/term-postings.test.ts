// Term-major postings (src/analyze/term-postings.ts, native/analyze.cc termPostings), the BM25
// build's bulk path, against independent oracles: (1) the addon and the TS twin equal a naive
// per-document count (Map of term → tf, regrouped by term) field for field; (2) a SparseIndex
// filled through addPostings ends exactly as one filled through addBatch with per-document
// vectors (countTermList's): same statistics, same saved bytes, same search hits and scores —
// also when lists already exist (relocation, skylines crossing their threshold, out-of-order
// ids); (3) the addon refuses malformed arguments with a typed error.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { termPostings, termPostingsTs, type TermPostingsInput } from '../../../src/analyze/term-postings.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { nativeAnalyze } from '../../../src/kernels/index.js';
import { SparseIndex } from '../../../src/sparse/index.js';
import type { SparseVector } from '../../../src/sparse/vector.js';

const hasNative = nativeAnalyze()?.termPostings !== undefined;

/** A random batch: documents of local word ids, words mapped to terms (repeats and drops), a selection with ids. */
const batchArb = fc
  .record({
    words: fc.integer({ min: 1, max: 40 }),
    docs: fc.array(fc.array(fc.nat(), { maxLength: 60 }), { minLength: 1, maxLength: 30 }),
    terms: fc.array(fc.integer({ min: -1, max: 25 }), { minLength: 40, maxLength: 40 }),
    keep: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
    shuffle: fc.boolean(),
    base: fc.integer({ min: 0, max: 1000 }),
  })
  .map(({ words, docs, terms, keep, shuffle, base }): TermPostingsInput => {
    const tokens: number[] = [];
    const starts = [0];
    for (const d of docs) {
      for (const t of d) tokens.push(t % words);
      starts.push(tokens.length);
    }
    const sel = docs.map((_, i) => i).filter((i) => keep[i]);
    const ids = sel.map((_, s) => base + 3 * s);
    if (shuffle) ids.reverse();
    return {
      tokens: Int32Array.from(tokens),
      docStarts: Uint32Array.from(starts),
      docSel: Uint32Array.from(sel),
      docIds: Uint32Array.from(ids),
      wordTerm: Int32Array.from(terms.slice(0, words)),
    };
  });

/** The naive oracle: per-document term counts, then regrouped by term in first-appearance order. */
function naive(b: TermPostingsInput) {
  const order: number[] = [];
  const lists = new Map<number, Array<[number, number]>>();
  const docLen: number[] = [];
  b.docSel.forEach((d, s) => {
    const tf = new Map<number, number>();
    for (let i = b.docStarts[d]!; i < b.docStarts[d + 1]!; i++) {
      const t = b.wordTerm[b.tokens[i]!]!;
      if (t >= 0) tf.set(t, (tf.get(t) ?? 0) + 1);
    }
    const terms = [...tf.keys()].sort((x, y) => x - y);
    for (const t of terms) {
      if (!lists.has(t)) {
        lists.set(t, []);
        order.push(t);
      }
      lists.get(t)!.push([b.docIds[s]!, tf.get(t)!]);
    }
    docLen.push([...tf.values()].reduce((x, y) => x + y, 0));
  });
  const ends: number[] = [];
  let n = 0;
  for (const t of order) {
    n += lists.get(t)!.length;
    ends.push(n);
  }
  return {
    terms: order,
    termEnds: ends,
    termMax: order.map((t) => Math.max(...lists.get(t)!.map((p) => p[1]))),
    docs: order.flatMap((t) => lists.get(t)!.map((p) => p[0])),
    tfs: order.flatMap((t) => lists.get(t)!.map((p) => p[1])),
    docLen,
  };
}

const plain = (p: ReturnType<typeof termPostingsTs>) => ({ terms: [...p.terms], termEnds: [...p.termEnds], termMax: [...p.termMax], docs: [...p.docs], tfs: [...p.tfs], docLen: [...p.docLen] });

describe('termPostings', () => {
  it('the TS twin equals a naive per-document count regrouped by term', () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        expect(plain(termPostingsTs(b))).toEqual(naive(b));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it.skipIf(!hasNative)('the addon equals the TS twin, field for field', () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        expect(plain(termPostings(b))).toEqual(plain(termPostingsTs(b)));
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it.skipIf(!hasNative)('the addon refuses malformed arguments with a typed error', () => {
    const a = nativeAnalyze()!.termPostings!;
    const ok = { tokens: Int32Array.of(0, 1), docStarts: Uint32Array.of(0, 2), docSel: Uint32Array.of(0), docIds: Uint32Array.of(5), wordTerm: Int32Array.of(3, 4) };
    expect(() => a(ok.tokens, ok.docStarts, ok.docSel, ok.docIds, ok.wordTerm)).not.toThrow();
    expect(() => a(Int32Array.of(0, 2), ok.docStarts, ok.docSel, ok.docIds, ok.wordTerm)).toThrow(InvalidArgumentError); // token past the words
    expect(() => a(ok.tokens, Uint32Array.of(0, 3), ok.docSel, ok.docIds, ok.wordTerm)).toThrow(InvalidArgumentError); // past the tokens
    expect(() => a(ok.tokens, Uint32Array.of(1, 2), ok.docSel, ok.docIds, ok.wordTerm)).toThrow(InvalidArgumentError); // not from 0
    expect(() => a(ok.tokens, ok.docStarts, Uint32Array.of(1), ok.docIds, ok.wordTerm)).toThrow(InvalidArgumentError); // no such document
    expect(() => a(ok.tokens, ok.docStarts, ok.docSel, Uint32Array.of(5, 6), ok.wordTerm)).toThrow(InvalidArgumentError); // ids ≠ selection
    expect(() => a(ok.tokens, ok.docStarts, ok.docSel, ok.docIds, Int32Array.of(3, -2))).toThrow(InvalidArgumentError); // bad term id
    expect(() => (a as (...x: unknown[]) => unknown)([0, 1], ok.docStarts, ok.docSel, ok.docIds, ok.wordTerm)).toThrow(InvalidArgumentError);
  });
});

/** Per-document vectors of a batch (the per-document path's input). */
function vectorsOf(b: TermPostingsInput): SparseVector[] {
  return [...b.docSel].map((d) => {
    const tf = new Map<number, number>();
    for (let i = b.docStarts[d]!; i < b.docStarts[d + 1]!; i++) {
      const t = b.wordTerm[b.tokens[i]!]!;
      if (t >= 0) tf.set(t, (tf.get(t) ?? 0) + 1);
    }
    const ids = Uint32Array.from([...tf.keys()].sort((x, y) => x - y));
    return { ids, weights: Float32Array.from(ids, (t) => tf.get(t)!) };
  });
}

/** A batch of `n` documents over `terms` terms with Zipf-ish term choice (long lists cross the skyline threshold). */
function zipfBatch(seed: number, n: number, terms: number, firstId: number, reversed: boolean): TermPostingsInput {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const tokens: number[] = [];
  const starts = [0];
  for (let d = 0; d < n; d++) {
    const len = 1 + Math.floor(rnd() * 40);
    for (let i = 0; i < len; i++) tokens.push(Math.floor(terms * rnd() ** 3));
    starts.push(tokens.length);
  }
  const ids = Array.from({ length: n }, (_, i) => firstId + i);
  if (reversed) ids.reverse();
  return {
    tokens: Int32Array.from(tokens),
    docStarts: Uint32Array.from(starts),
    docSel: Uint32Array.from({ length: n }, (_, i) => i),
    docIds: Uint32Array.from(ids),
    wordTerm: Int32Array.from({ length: terms }, (_, w) => (w % 17 === 5 ? -1 : (w * 7) % terms)),
  };
}

async function savedBytes(index: SparseIndex): Promise<Map<string, Buffer>> {
  const dir = mkdtempSync(join(tmpdir(), 'trident-tp-'));
  try {
    await index.saveFiles(dir);
    return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SparseIndex.addPostings', () => {
  for (const reversed of [false, true]) {
    it(`ends exactly as addBatch with per-document vectors (existing lists, skylines crossing the threshold${reversed ? ', ids out of order' : ''})`, async () => {
      const first = zipfBatch(1, 300, 400, 0, false);
      const second = zipfBatch(2, 700, 500, 5000, reversed);
      const a = SparseIndex.create({ scorer: 'bm25', k1: 1.2, b: 0.75 });
      const b = SparseIndex.create({ scorer: 'bm25', k1: 1.2, b: 0.75 });
      for (const ix of [a, b]) ix.addBatch(first.docIds, vectorsOf(first));
      a.addPostings(second.docIds, termPostings(second));
      b.addBatch(second.docIds, vectorsOf(second));
      expect(a.stats()).toEqual(b.stats());
      for (let q = 0; q < 40; q++) {
        const ids = Uint32Array.from(new Set([(q * 13) % 500, (q * 7 + 1) % 500, q % 11])).sort();
        const query = { ids, weights: Float32Array.from(ids, (_, i) => 1 + i) };
        const ha = a.search(query, 20);
        const hb = b.search(query, 20);
        expect([...ha.ids]).toEqual([...hb.ids]);
        expect([...ha.scores]).toEqual([...hb.scores]);
      }
      expect(await savedBytes(a)).toEqual(await savedBytes(b));
    });
  }

  it('refuses ids already present or repeated, and changes nothing', async () => {
    const batch = zipfBatch(3, 20, 30, 0, false);
    const ix = SparseIndex.create({ scorer: 'bm25', k1: 1.2, b: 0.75 });
    ix.addBatch(batch.docIds, vectorsOf(batch));
    const before = await savedBytes(ix);
    const again = zipfBatch(4, 5, 30, 18, false); // ids 18..22: 18 and 19 exist
    expect(() => ix.addPostings(again.docIds, termPostings(again))).toThrow(expect.objectContaining({ code: 'DUPLICATE_ID' }));
    const twice = { ...zipfBatch(5, 2, 30, 100, false), docIds: Uint32Array.of(100, 100) };
    expect(() => ix.addPostings(twice.docIds, termPostings(twice))).toThrow(expect.objectContaining({ code: 'DUPLICATE_ID' }));
    expect(await savedBytes(ix)).toEqual(before);
  });
});
