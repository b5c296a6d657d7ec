/**
 * BM42 IDF at search time (Qdrant `modifier: idf`): the index weighs each query term by
 * ln(1 + (N − n + 0.5) / (n + 0.5)) from its own live statistics. Oracles: a brute-force
 * scorer over the documents' sparse vectors (float64), recomputing N and n by hand.
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFamilyEncoder, composeEncoders, type FamilyEncoder } from '../../../../src/encode/index.js';
import { HybridIndex } from '../../../../src/hybrid/index.js';
import { SparseIndex } from '../../../../src/sparse/index.js';
import type { SparseVector } from '../../../../src/encode/types.js';
import { FIX } from './goldens.js';
import { rng as mulberry32 } from '../../../helpers/rng.js';

/** Brute force: live docs → Σ_t q_t · idf_t · w_t with N, n counted over `live`. */
function bruteForce(query: SparseVector, live: Map<number | string, SparseVector>): Map<number | string, number> {
  const N = live.size;
  const df = new Map<number, number>();
  for (const v of live.values()) for (let i = 0; i < v.ids.length; i++) if (v.weights[i]! !== 0) df.set(v.ids[i]!, (df.get(v.ids[i]!) ?? 0) + 1);
  const out = new Map<number | string, number>();
  for (const [id, v] of live) {
    let s = 0;
    let hit = false;
    query.ids.forEach((t, a) => {
      const j = v.ids.indexOf(t);
      if (j < 0 || v.weights[j] === 0 || query.weights[a] === 0) return;
      const n = df.get(t)!;
      s += query.weights[a]! * Math.log((N - n + 0.5) / (n + 0.5) + 1) * v.weights[j]!;
      hit = true;
    });
    if (hit) out.set(id, s);
  }
  return out;
}

function randomVector(rnd: () => number, vocab: number, maxTerms: number): SparseVector {
  const ids = new Set<number>();
  const n = 1 + Math.floor(rnd() * maxTerms);
  while (ids.size < n) ids.add(Math.floor(rnd() * vocab));
  const sorted = [...ids].sort((a, b) => a - b);
  return { ids: Uint32Array.from(sorted), weights: Float32Array.from(sorted, () => 0.05 + rnd()) };
}

describe('SparseIndex: docFreq and the idf query modifier', () => {
  it('matches a brute-force IDF scorer through search, the exhaustive oracle, score and matches, before and after deletes', () => {
    const rnd = mulberry32(42);
    const index = SparseIndex.create({ scorer: 'dot' });
    index.setQueryModifier('idf');
    expect(index.queryModifier).toBe('idf');
    const docs = new Map<number | string, SparseVector>();
    for (let d = 0; d < 120; d++) {
      const v = randomVector(rnd, 40, 8);
      docs.set(d, v);
      index.add(d, v);
    }
    const check = () => {
      for (let t = 0; t < 40; t++) {
        let n = 0;
        for (const v of docs.values()) if (v.ids.includes(t)) n++;
        expect(index.docFreq(t), `df of ${t}`).toBe(n);
      }
      for (let qi = 0; qi < 15; qi++) {
        const q = randomVector(rnd, 45, 4); // some ids unknown to the index
        const want = bruteForce(q, docs);
        const order = [...want.entries()].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]));
        for (const k of [1, 5, 200]) {
          for (const hits of [index.search(q, k), index.searchExhaustive(q, k)]) {
            expect(hits.ids.length).toBe(Math.min(k, want.size));
            hits.ids.forEach((id, r) => {
              expect(hits.scores[r]!).toBeCloseTo(want.get(id)!, 5);
              // rank r holds a score equal (within f32) to the oracle's r-th best
              expect(Math.abs(hits.scores[r]! - order[r]![1])).toBeLessThan(1e-5 * Math.max(1, order[r]![1]));
            });
          }
        }
        const ids = Uint32Array.from(docs.keys() as Iterable<number>);
        const s = index.score(q, ids);
        ids.forEach((id, i) => {
          expect(s[i]!).toBeCloseTo(want.get(id) ?? 0, 5);
        });
        const some = order[0]?.[0] as number | undefined;
        if (some !== undefined) {
          const m = index.matches(q, some);
          expect(m.reduce((acc, x) => acc + x.queryWeight * x.docWeight, 0)).toBeCloseTo(want.get(some)!, 5);
        }
      }
    };
    check();
    for (let d = 0; d < 120; d += 3) {
      expect(index.delete(d)).toBe(true);
      docs.delete(d);
    }
    check(); // tombstones: N and n are live counts at once
    index.compact();
    check();
    const v = randomVector(rnd, 40, 8);
    index.add(0, v); // id reuse
    docs.set(0, v);
    check();
  });

  it('rejects idf on a BM25 index and unknown modifiers; none keeps the plain dot product', () => {
    const bm25 = SparseIndex.create({ scorer: 'bm25' });
    expect(() => bm25.setQueryModifier('idf')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/BM25 already/) }));
    const dot = SparseIndex.create();
    expect(() => dot.setQueryModifier('bm25' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(dot.queryModifier).toBe('none');
    dot.add(0, { ids: Uint32Array.of(1, 2), weights: Float32Array.of(0.5, 2) });
    dot.add(1, { ids: Uint32Array.of(2), weights: Float32Array.of(1) });
    const q = { ids: Uint32Array.of(2), weights: Float32Array.of(3) };
    expect([...dot.search(q, 2).scores]).toEqual([6, 3]);
    dot.setQueryModifier('idf');
    const idf = Math.log(1 + 0.5 / 2.5);
    expect(dot.search(q, 2).scores[0]).toBeCloseTo(6 * idf, 6);
    expect(() => dot.docFreq(-1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(dot.docFreq(7)).toBe(0);
  });
});

const TEXTS = [
  'BM25 ranks documents by term frequency and inverse document frequency.',
  'Dense retrieval embeds the queries and the documents in one space.',
  'The cat sat on the mat with another cat.',
  'Sparse retrieval keeps a weight for every word of a document.',
  'Ranking functions score documents against queries.',
  'A dog and a cat played in the garden.',
  'Inverted indexes store posting lists of documents per term.',
  'Neural rankers learn word weights from attention.',
  'Frequency of words in documents drives lexical ranking.',
];
const QUERIES = ['document frequency ranking', 'cat and dog', 'word weights from attention', 'posting lists per term', 'nothing matches zzzz'];

describe('HybridIndex with a BM42 encoder applies IDF at search time', () => {
  let enc: FamilyEncoder;
  let dir: string;
  beforeAll(async () => {
    enc = await loadFamilyEncoder(join(FIX, 'tiny-bm42'), { preset: 'Qdrant/bm42-all-minilm-l6-v2-attentions' });
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-bm42-idf-'));
  });
  afterAll(async () => {
    await enc.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  async function expectOracle(index: HybridIndex, live: Map<number | string, SparseVector>): Promise<number> {
    let checked = 0;
    for (const q of QUERIES) {
      const [qv] = await enc.encode([q], { role: 'query' });
      expect([...qv!.sparse.weights].every((w) => w === 1)).toBe(true); // query terms weight 1
      const want = bruteForce(qv!.sparse, live);
      for (const exhaustive of [false, true]) {
        const hits = await index.search(q, { mode: 'sparse', k: 20, exhaustive });
        const got = new Map(hits.filter((h) => (exhaustive ? want.has(h.id) || h.score !== 0 : true)).map((h) => [h.id, h.scores.sparse!]));
        if (!exhaustive) expect(got.size).toBe(want.size);
        for (const [id, s] of want) {
          expect(got.get(id), `${q} / ${id}`).toBeCloseTo(s, 5);
          checked++;
        }
        for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      }
      if (want.size > 0) {
        const [top] = await index.search(q, { mode: 'sparse', k: 1, explain: true });
        const sum = top!.explanation!.sparseMatches.reduce((s, m) => s + m.contribution, 0);
        expect(sum).toBeCloseTo(top!.scores.sparse!, 5);
      }
    }
    return checked;
  }

  it('scores equal the brute-force IDF oracle; deletes, updates and save/open move N and n', async () => {
    expect(enc.info.sparseModifier).toBe('idf');
    const index = await HybridIndex.create({ encoder: enc, path: dir });
    await index.add(TEXTS.map((text, i) => ({ id: i, text })));
    const vecs = await enc.encode(TEXTS, { role: 'document' });
    const live = new Map<number | string, SparseVector>(vecs.map((v, i) => [i, v.sparse]));
    expect(await expectOracle(index, live)).toBeGreaterThan(10);

    // the plain dot product would rank differently: IDF is really applied
    const [q0] = await enc.encode([QUERIES[0]!], { role: 'query' });
    const plain = vecs.map((v) => {
      let s = 0;
      q0!.sparse.ids.forEach((t) => {
        const j = v.sparse.ids.indexOf(t);
        if (j >= 0) s += v.sparse.weights[j]!;
      });
      return s;
    });
    const hits0 = await index.search(QUERIES[0]!, { mode: 'sparse', k: 20 });
    expect(hits0.some((h) => Math.abs(h.scores.sparse! - plain[h.id as number]!) > 1e-3)).toBe(true);

    const before = (await index.search('cat and dog', { mode: 'sparse', k: 20 })).find((h) => h.id === 5)!.scores.sparse!;
    await index.delete([2, 0]);
    live.delete(2);
    live.delete(0);
    await expectOracle(index, live);
    const after = (await index.search('cat and dog', { mode: 'sparse', k: 20 })).find((h) => h.id === 5)!.scores.sparse!;
    expect(after).not.toBeCloseTo(before, 4); // N and n(cat) changed

    await index.update([{ id: 3, text: 'A cat and a dog and a document.' }]);
    live.set(3, (await enc.encode(['A cat and a dog and a document.'], { role: 'document' }))[0]!.sparse);
    await expectOracle(index, live);

    await index.save();
    await index.close();
    const reopened = await HybridIndex.open(dir, { encoder: enc });
    await expectOracle(reopened, live);
    await reopened.close();
  });

  it('a composed encoder with a BM42 sparse part carries the modifier; without it the index keeps dot scores', async () => {
    const composed = composeEncoders({ sparse: enc });
    expect((composed.info as { sparseModifier?: string }).sparseModifier).toBe('idf');
    const plainEnc = await loadFamilyEncoder(join(FIX, 'tiny-bm42'), { preset: 'Qdrant/bm42-all-minilm-l6-v2-attentions', sparseModifier: 'none' });
    expect(plainEnc.info.sparseModifier).toBeUndefined();
    const index = await HybridIndex.create({ encoder: plainEnc });
    await index.add(TEXTS.map((text, i) => ({ id: i, text })));
    const vecs = await plainEnc.encode(TEXTS, { role: 'document' });
    const [q] = await plainEnc.encode([QUERIES[1]!], { role: 'query' });
    const hits = await index.search(QUERIES[1]!, { mode: 'sparse', k: 20 });
    for (const h of hits) {
      const v = vecs[h.id as number]!.sparse;
      let s = 0;
      q!.sparse.ids.forEach((t) => {
        const j = v.ids.indexOf(t);
        if (j >= 0) s += v.weights[j]!;
      });
      expect(h.scores.sparse!).toBeCloseTo(s, 5);
    }
    await index.close();
    await plainEnc.close();
    await expect(loadFamilyEncoder(join(FIX, 'tiny-bert-st'), { sparseModifier: 'idf' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
