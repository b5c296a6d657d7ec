// Channels: N-way fusion (BM25 included) against a float64 brute-force oracle for every
// fusion kind, several channels of one kind, and the caller's own vectors in and out.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HybridIndex, type TridentError } from '../../../src/index.js';
import { DEFAULT_BM25_WEIGHT } from '../../../src/hybrid/create-config.js';
import { FakeEncoder, fakeEncode, FAKE_DIM } from '../../helpers/fake-encoder.js';
import { rng } from '../../helpers/rng.js';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');

function corpus(n: number, seed: number): Array<{ id: string; text: string }> {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 3 + Math.floor(r() * 12);
    return { id: `d${i}`, text: Array.from({ length: len }, () => WORDS[Math.floor(r() * r() * WORDS.length)]).join(' ') };
  });
}

/** Every channel's exact score of every document, in float64, from the fake encoder and the BM25 formula. */
function channelScores(query: string, docs: Array<{ id: string; text: string }>) {
  const q = fakeEncode(query);
  const words = (t: string) => t.toLowerCase().match(/\w+/g) ?? [];
  const N = docs.length;
  const df = new Map<string, number>();
  const lens = docs.map((d) => words(d.text).length);
  for (const d of docs) for (const w of new Set(words(d.text))) df.set(w, (df.get(w) ?? 0) + 1);
  const avgdl = lens.reduce((a, b) => a + b, 0) / N;
  const qtf = new Map<string, number>();
  for (const w of words(query)) qtf.set(w, (qtf.get(w) ?? 0) + 1);
  return docs.map((d, di) => {
    const e = fakeEncode(d.text);
    let dense = 0;
    for (let i = 0; i < FAKE_DIM; i++) dense += q.dense[i]! * e.dense[i]!;
    const dw = new Map<number, number>();
    e.sparse.ids.forEach((id, i) => {
      dw.set(id, e.sparse.weights[i]!);
    });
    let sparse = 0;
    q.sparse.ids.forEach((id, i) => {
      sparse += q.sparse.weights[i]! * (dw.get(id) ?? 0);
    });
    let mv = 0;
    for (let a = 0; a < q.multivector.count; a++) {
      let best = -Infinity;
      for (let b = 0; b < e.multivector.count; b++) {
        let s = 0;
        for (let i = 0; i < FAKE_DIM; i++) s += q.multivector.data[a * FAKE_DIM + i]! * e.multivector.data[b * FAKE_DIM + i]!;
        best = Math.max(best, s);
      }
      mv += best;
    }
    mv /= q.multivector.count;
    const tf = new Map<string, number>();
    for (const w of words(d.text)) tf.set(w, (tf.get(w) ?? 0) + 1);
    let bm25 = 0;
    for (const [w, qf] of qtf) {
      const f = tf.get(w);
      if (!f) continue;
      const idf = Math.log(1 + (N - df.get(w)! + 0.5) / (df.get(w)! + 0.5));
      bm25 += (qf * idf * (0.9 + 1) * f) / (f + 0.9 * (1 - 0.4 + (0.4 * lens[di]!) / avgdl));
    }
    return { id: d.id, dense, sparse, multivector: mv, bm25 } as Record<string, number> & { id: string };
  });
}

type Kind = 'weighted' | 'rrf' | 'dbsf' | 'minmax';

/** The fused score of every document, by the documented definition of each kind, in float64. */
function oracleFused(rows: Array<Record<string, number> & { id: string }>, names: string[], weights: Record<string, number>, kind: Kind, rrfK = 60): Map<string, number> {
  const col = (n: string) => rows.map((r) => r[n]!);
  const out = new Map<string, number>(rows.map((r) => [r.id, 0]));
  let total = 0;
  for (const n of names) {
    const c = col(n);
    const w = kind === 'rrf' ? 1 : weights[n]!;
    if (w === 0) continue;
    total += w;
    let v: number[];
    if (kind === 'weighted') {
      const max = n === 'bm25' ? Math.max(0, ...c) : 1;
      v = c.map((x) => (n === 'bm25' ? (max > 0 ? x / max : 0) : x));
    } else if (kind === 'minmax') {
      const lo = Math.min(...c);
      const hi = Math.max(...c);
      v = c.map((x) => (hi > lo ? (x - lo) / (hi - lo) : hi > 0 ? 1 : 0));
    } else if (kind === 'dbsf') {
      const mean = c.reduce((a, b) => a + b, 0) / c.length;
      const sd = Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / c.length);
      const lo = Math.min(...c);
      const hi = Math.max(...c);
      // a constant column (σ = 0) is min-max normalised, as documented
      if (!(sd > 0)) v = c.map((x) => (hi > lo ? (x - lo) / (hi - lo) : hi > 0 ? 1 : 0));
      else v = c.map((x) => Math.min(1, Math.max(0, (x - (mean - 3 * sd)) / (6 * sd))));
    } else {
      // ranks among all documents, ties by insertion order (float32 scores, as the index holds them)
      const f = c.map(Math.fround);
      const order = f.map((_, i) => i).sort((a, b) => f[b]! - f[a]! || a - b);
      v = new Array<number>(c.length);
      order.forEach((p, r) => {
        v[p] = 1 / (rrfK + r + 1);
      });
    }
    rows.forEach((r, i) => {
      out.set(r.id, out.get(r.id)! + w * v[i]!);
    });
  }
  if (kind !== 'rrf') for (const [id, s] of out) out.set(id, s / total);
  return out;
}

async function makeIndex(docs: Array<{ id: string; text: string }>) {
  const index = await HybridIndex.create({ encoder: new FakeEncoder(), multivector: { dtype: 'f32' }, bm25: { analyzer: 'plain', k1: 0.9, b: 0.4 }, wal: false }); // the oracle's k1, b
  await index.add(docs);
  return index;
}

describe('N-way fusion over channels, BM25 included', () => {
  const docs = corpus(240, 7);
  const queries = ['alpha beta', 'omega psi chi', 'gamma gamma delta', 'sigma', 'zzz unknown', 'eta theta iota kappa'];
  const all = ['dense', 'sparse', 'multivector', 'bm25'];
  const weights = { dense: 1, sparse: 0.3, multivector: 1, bm25: 0.7 };

  for (const kind of ['weighted', 'rrf', 'dbsf', 'minmax'] as const) {
    it(`${kind}: exhaustive top-k equals the float64 oracle's, scores within 1e-5`, async () => {
      const index = await makeIndex(docs);
      for (const q of queries) {
        const rows = channelScores(q, docs);
        const want = oracleFused(rows, all, weights, kind);
        const fusion = kind === 'rrf' ? { kind } : { kind, weights };
        const hits = await index.search(q, { k: 10, channels: all, fusion, exhaustive: true });
        const sorted = [...want.entries()].sort((a, b) => b[1] - a[1]);
        expect(hits.length).toBe(10);
        for (let i = 0; i < hits.length; i++) {
          const h = hits[i]!;
          expect(h.score, `${kind} '${q}' ${h.id}`).toBeCloseTo(want.get(String(h.id))!, 5);
          expect(h.score, `${kind} '${q}' rank ${i + 1}`).toBeCloseTo(sorted[i]![1], 5);
          const row = rows.find((r) => r.id === h.id)!;
          for (const n of all) expect(h.scores[n], `${n} of ${h.id}`).toBeCloseTo(row[n]!, 4);
        }
      }
      await index.close();
    });
  }

  it('weighted: a document scores the same whichever documents became candidates (BM25 scaled by its exact best)', async () => {
    const index = await makeIndex(docs);
    for (const q of queries) {
      const want = oracleFused(channelScores(q, docs), all, weights, 'weighted');
      const hits = await index.search(q, { k: 10, channels: all, fusion: { kind: 'weighted', weights }, candidates: 15 });
      for (const h of hits) expect(h.score, `'${q}' ${h.id}`).toBeCloseTo(want.get(String(h.id))!, 5);
    }
    await index.close();
  });

  it('an index with a BM25 channel fuses it by default, with the documented default weight', async () => {
    const index = await makeIndex(docs);
    const [hit] = await index.search('alpha beta', { k: 1, explain: true });
    expect(hit!.scores.bm25).toBeGreaterThan(0);
    expect(hit!.explanation!.fusion.weights).toEqual({ dense: 1, sparse: 0.3, multivector: 1, bm25: DEFAULT_BM25_WEIGHT });
    expect(hit!.explanation!.fusion.scales!.bm25).toBeGreaterThan(0);
    expect(hit!.explanation!.channels.bm25!.matches!.map((m) => m.token).sort()).toEqual(expect.arrayContaining(['alpha']));
    // the BM25 explanation's contributions add up to its score
    const m = hit!.explanation!.channels.bm25!;
    expect(m.matches!.reduce((a, x) => a + x.contribution, 0)).toBeCloseTo(m.score, 4);
    // mode 'all' keeps meaning BGE-M3's three
    const [m3] = await index.search('alpha beta', { k: 1, mode: 'all' });
    expect(m3!.scores.bm25).toBeUndefined();
    await index.close();
  });

  it('refuses mode with channels, unknown channels and weights for unknown channels; nothing else changes', async () => {
    const index = await makeIndex(docs.slice(0, 20));
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: TridentError) => e.code,
      );
    expect(await code(index.search('alpha', { mode: 'all', channels: ['dense'] }))).toBe('INVALID_ARGUMENT');
    expect(await code(index.search('alpha', { channels: ['nope'] }))).toBe('INVALID_ARGUMENT');
    expect(await code(index.search('alpha', { channels: [] }))).toBe('INVALID_ARGUMENT');
    expect(await code(index.search('alpha', { fusion: { weights: { dense: 1, nope: 1 } } }))).toBe('INVALID_ARGUMENT');
    expect(await code(index.search('alpha', { channels: ['dense', 'bm25'], fusion: { kind: 'weighted', weights: { sparse: 1 } } }))).toBe('INVALID_ARGUMENT');
    expect(index.size).toBe(20);
    await index.close();
  });
});

describe('several channels of one kind', () => {
  const docs = corpus(120, 11);
  /** A second "model": the fake encoder's dense vector of the reversed text. */
  const other = (t: string) => fakeEncode(`${t.split(' ').reverse().join(' ')} extra`).dense;

  it('two dense channels (encoder + own vectors) and two BM25 analysers search and fuse exactly', async () => {
    const index = await HybridIndex.create({
      encoder: new FakeEncoder(),
      bm25: { analyzer: 'plain' },
      channels: [
        { name: 'mine', kind: 'dense', dimensions: FAKE_DIM },
        { name: 'bm25-en', kind: 'bm25', analyzer: 'english' },
      ],
      wal: false,
    });
    await index.add(docs.map((d) => ({ ...d, vectors: { mine: other(d.text) } })));
    const q = 'alpha beta gamma';
    const qv = other(q);
    const brute = docs
      .map((d) => {
        const v = other(d.text);
        let s = 0;
        for (let i = 0; i < FAKE_DIM; i++) s += qv[i]! * v[i]!;
        return { id: d.id, s };
      })
      .sort((a, b) => b.s - a.s);
    const hits = await index.search({ text: q, vectors: { mine: qv } }, { k: 5, channels: ['mine'] });
    expect(hits.map((h) => h.score)).toEqual(brute.slice(0, 5).map((b) => expect.closeTo(b.s, 5)));
    const rows = channelScores(q, docs);
    const fused = await index.search({ text: q, vectors: { mine: qv } }, { k: 8, channels: ['dense', 'mine'], fusion: { kind: 'weighted', weights: { dense: 1, mine: 2 } }, exhaustive: true });
    for (const h of fused) {
      const d = rows.find((r) => r.id === h.id)!;
      const m = brute.find((b) => b.id === h.id)!;
      expect(h.score).toBeCloseTo((d.dense! + 2 * m.s) / 3, 5);
    }
    const st = index.stats();
    expect(Object.keys(st.channels)).toEqual(['dense', 'sparse', 'multivector', 'bm25', 'mine', 'bm25-en']);
    expect(st.channels['bm25-en']!.size).toBe(120);
    // the english analyser stems: 'alphas' finds 'alpha' through bm25-en only
    const en = await index.search('alphas', { k: 3, channels: ['bm25-en'] });
    const plain = await index.search('alphas', { k: 3, channels: ['bm25'] });
    expect(en.length).toBeGreaterThan(0);
    expect(plain.length).toBe(0);
    await index.close();
  });
});

describe('a second encoder-fed dense channel', () => {
  it("dense-8 keeps the encoder's first 8 dimensions, renormalised (Matryoshka), and scores their cosine", async () => {
    const docs = corpus(60, 13);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), channels: [{ name: 'dense-8', kind: 'dense', source: 'encoder', dimensions: 8 }], wal: false });
    await index.add(docs);
    const q = 'beta gamma';
    const cut = (v: Float32Array) => {
      const a = Array.from(v.subarray(0, 8));
      const n = Math.hypot(...a);
      return a.map((x) => x / n);
    };
    const qv = cut(fakeEncode(q).dense);
    const want = docs.map((d) => ({ id: d.id, s: cut(fakeEncode(d.text).dense).reduce((acc, x, i) => acc + x * qv[i]!, 0) })).sort((a, b) => b.s - a.s);
    const hits = await index.search(q, { k: 5, channels: ['dense-8'] });
    expect(hits.map((h) => h.score)).toEqual(want.slice(0, 5).map((w) => expect.closeTo(w.s, 5)));
    expect(index.config.fusion.weights['dense-8']).toBe(1);
    await index.close();
  });
});

describe('your own vectors', () => {
  const D = 6;
  const r = rng(5);
  const vec = () => Float32Array.from({ length: D }, () => r() * 2 - 1);
  const docs = Array.from({ length: 60 }, (_, i) => ({
    id: i,
    text: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`,
    vectors: { v: vec(), s: { ids: [i % 5, 10 + (i % 3)], weights: [0.5, 1.5] }, m: [vec(), vec(), vec()] },
  }));
  const norm = (a: Float32Array) => {
    const n = Math.hypot(...a);
    return Array.from(a, (x) => x / n);
  };
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return s;
  };
  const create = (dir?: string) =>
    HybridIndex.create({
      ...(dir ? { path: dir } : { wal: false }),
      bm25: { analyzer: 'plain' },
      channels: [
        { name: 'v', kind: 'dense', dimensions: D },
        { name: 's', kind: 'sparse' },
        { name: 'm', kind: 'multivector', dimensions: D, dtype: 'f32' },
      ],
    });

  it('need no encoder; every channel answers as brute force does; save/open and the log keep them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trident-own-'));
    try {
      const index = await create(dir);
      await index.add(docs);
      const q = vec();
      const qs = { ids: [2, 11], weights: [1, 1] };
      const qm = [vec(), vec()];
      const bruteV = docs.map((d) => ({ id: d.id, s: dot(norm(q), norm(d.vectors.v)) })).sort((a, b) => b.s - a.s || a.id - b.id);
      const hv = await index.search({ vectors: { v: q } }, { k: 5, channels: ['v'] });
      expect(hv.map((h) => h.id)).toEqual(bruteV.slice(0, 5).map((b) => b.id));
      const bruteS = docs.map((d) => ({ id: d.id, s: dot([d.vectors.s.ids.includes(2) ? 0.5 : 0, d.vectors.s.ids.includes(11) ? 1.5 : 0], [1, 1]) }));
      const hs = await index.search({ vectors: { s: qs } }, { k: 60, channels: ['s'] });
      for (const h of hs) expect(h.score).toBeCloseTo(bruteS.find((b) => b.id === h.id)!.s, 5);
      expect(hs.length).toBe(bruteS.filter((b) => b.s > 0).length);
      // document token vectors are stored normalised, query vectors used as given (as the store documents)
      const maxsim = (d: (typeof docs)[number]) => qm.reduce((acc, qv) => acc + Math.max(...d.vectors.m.map((dv) => dot(qv, norm(dv)))), 0) / qm.length;
      const hm = await index.search({ vectors: { m: qm } }, { k: 5, channels: ['m'] });
      const bruteM = docs.map((d) => ({ id: d.id, s: maxsim(d) })).sort((a, b) => b.s - a.s);
      expect(hm.map((h) => h.score)).toEqual(bruteM.slice(0, 5).map((b) => expect.closeTo(b.s, 4)));
      // the default search fuses every channel the query has something for (here BM25 + v)
      const fused = await index.search({ text: 'alpha', vectors: { v: q } }, { k: 3 });
      expect(Object.keys(fused[0]!.scores).sort()).toEqual(['bm25', 'v']);
      const before = JSON.stringify(await index.search({ text: 'alpha', vectors: { v: q, s: qs, m: qm } }, { k: 10 }));
      await index.close(); // not saved: the write-ahead log holds the documents
      // no encoder to give: the options may be left out (not null or a non-object)
      await expect(HybridIndex.open(dir, null as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('options must be an object') });
      const reopened = await HybridIndex.open(dir);
      expect(JSON.stringify(await reopened.search({ text: 'alpha', vectors: { v: q, s: qs, m: qm } }, { k: 10 }))).toBe(before);
      await reopened.save();
      await reopened.close();
      const again = await HybridIndex.open(dir, { readOnly: true });
      expect(JSON.stringify(await again.search({ text: 'alpha', vectors: { v: q, s: qs, m: qm } }, { k: 10 }))).toBe(before);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong dimension, a non-finite value, an unknown channel and a missing text for BM25 — and changes nothing', async () => {
    const index = await create();
    await index.add(docs.slice(0, 10));
    const stats = JSON.stringify(index.stats());
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: TridentError) => e.code,
      );
    const good = docs[20]!;
    expect(await code(index.add([good, { ...docs[21]!, vectors: { ...docs[21]!.vectors, v: new Float32Array(D + 1) } }]))).toBe('DIMENSION_MISMATCH');
    expect(await code(index.add([good, { ...docs[22]!, vectors: { ...docs[22]!.vectors, m: [new Float32Array(D - 1)] } }]))).toBe('DIMENSION_MISMATCH');
    expect(await code(index.add([good, { ...docs[23]!, vectors: { ...docs[23]!.vectors, v: Float32Array.of(1, NaN, 0, 0, 0, 0) } }]))).toBe('INVALID_VECTOR');
    expect(await code(index.add([good, { ...docs[24]!, vectors: { ...docs[24]!.vectors, s: { ids: [1, 1], weights: [1, 2] } } }]))).toBe('INVALID_VECTOR');
    expect(await code(index.add([good, { ...docs[25]!, vectors: { nope: vec() } }]))).toBe('INVALID_ARGUMENT');
    expect(await code(index.add([good, { id: 'no-text', vectors: { v: vec() } }]))).toBe('INVALID_TEXT');
    expect(await code(index.add([good], { chunking: { kind: 'ordinary', by: 'sentence' } }))).toBe('INVALID_ARGUMENT');
    expect(await code(index.search({ vectors: { v: new Float32Array(D - 2) } }, { channels: ['v'] }))).toBe('DIMENSION_MISMATCH');
    expect(await code(index.search({ vectors: { v: vec() } }, { channels: ['bm25'] }))).toBe('INVALID_ARGUMENT');
    expect(await code(index.search('text only', { channels: ['v'] }))).toBe('INVALID_ARGUMENT');
    expect(JSON.stringify(index.stats())).toBe(stats);
    expect(index.size).toBe(10);
    await index.close();
  });

  it('an index with only own-vector channels takes documents without text', async () => {
    const index = await HybridIndex.create({ channels: [{ name: 'v', kind: 'dense', dimensions: D }], wal: false });
    await index.add([
      { id: 'a', vectors: { v: vec() } },
      { id: 'b', vectors: { v: vec() } },
    ]);
    const [doc] = await index.get(['a']);
    expect(doc).toEqual({ id: 'a' });
    expect((await index.search({ vectors: { v: vec() } }, { k: 2 })).length).toBe(2);
    await index.close();
  });
});
