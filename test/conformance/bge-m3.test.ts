/**
 * Conformance with FlagEmbedding's README example (shared/M3-SPEC.md "Reference vector"),
 * run only when TRIDENT_BGE_M3_DIR points at a real BGE-M3 directory (any layout the
 * loader accepts). Published numbers were made in fp16; we run fp32 on CPU, hence 2e-3.
 *   TRIDENT_BGE_M3_DIR=/models/bge-m3 npx vitest run --config test/vitest.config.ts test/conformance
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder, type Encoded, type Encoder } from '../../src/encode/index.js';

const DIR = process.env.TRIDENT_BGE_M3_DIR;
const TOL = 2e-3;

const queries = ['What is BGE M3?', 'Defination of BM25'];
const passages = ['BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.', 'BM25 is a bag-of-words retrieval function that ranks a set of documents based on the query terms appearing in each document'];
const expected = {
  colbert: [0.77965, 0.46215, 0.45238, 0.78986],
  sparse: [0.19556, 0.008797, 0.0, 0.1803],
  dense: [0.62598, 0.34741, 0.34985, 0.67822],
  sparseDense: [0.4825, 0.23454, 0.23324, 0.51225],
  all: [0.60136, 0.32558, 0.32089, 0.62329],
};
const q0Weights: Record<string, number> = { What: 0.08356, is: 0.0814, B: 0.1296, GE: 0.252, M: 0.1702, '3': 0.2695, '?': 0.04092 };

function dense(a: Encoded, b: Encoded): number {
  let s = 0;
  for (let i = 0; i < a.dense.length; i++) s += a.dense[i]! * b.dense[i]!;
  return s;
}
function sparse(a: Encoded, b: Encoded): number {
  const w = new Map(Array.from(a.sparse.ids, (id, i) => [id, a.sparse.weights[i]!]));
  let s = 0;
  b.sparse.ids.forEach((id, i) => {
    s += (w.get(id) ?? 0) * b.sparse.weights[i]!;
  });
  return s;
}
function colbert(q: Encoded, p: Encoded): number {
  const { dim } = q.multivector;
  let total = 0;
  for (let i = 0; i < q.multivector.count; i++) {
    let best = -Infinity;
    for (let j = 0; j < p.multivector.count; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += q.multivector.data[i * dim + k]! * p.multivector.data[j * dim + k]!;
      best = Math.max(best, s);
    }
    total += best;
  }
  return total / q.multivector.count;
}

describe.skipIf(!DIR)('BGE-M3 conformance (FlagEmbedding README)', () => {
  let enc: Encoder;
  let q: Encoded[];
  let p: Encoded[];
  beforeAll(async () => {
    enc = await loadEncoder(DIR!, { offline: true });
    q = await enc.encode(queries, { role: 'query', maxLength: 512 });
    p = await enc.encode(passages, { role: 'document', maxLength: 128 });
  }, 600_000);
  afterAll(async () => {
    await enc?.close();
  });

  const pairs = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ] as const;
  it('dense, sparse, multi-vector and fused scores match to 2e-3', () => {
    const [wd, ws, wc] = [0.4, 0.2, 0.4];
    pairs.forEach(([i, j], k) => {
      const d = dense(q[i]!, p[j]!);
      const s = sparse(q[i]!, p[j]!);
      const c = colbert(q[i]!, p[j]!);
      expect(Math.abs(d - expected.dense[k]!), `dense ${k}`).toBeLessThan(TOL);
      expect(Math.abs(s - expected.sparse[k]!), `sparse ${k}`).toBeLessThan(TOL);
      expect(Math.abs(c - expected.colbert[k]!), `colbert ${k}`).toBeLessThan(TOL);
      expect(Math.abs((wd * d + ws * s) / (wd + ws) - expected.sparseDense[k]!)).toBeLessThan(TOL);
      expect(Math.abs((wd * d + ws * s + wc * c) / (wd + ws + wc) - expected.all[k]!)).toBeLessThan(TOL);
    });
  });
  it('lexical weights of the first query match', () => {
    const pieces = enc.decodeTokens(q[0]!.sparse.ids).map((x) => x.replace(/^\u2581/, ''));
    const got = Object.fromEntries(pieces.map((x, i) => [x, q[0]!.sparse.weights[i]!]));
    expect(Object.keys(got).sort()).toEqual(Object.keys(q0Weights).sort());
    for (const [k, v] of Object.entries(q0Weights)) expect(Math.abs(got[k]! - v), k).toBeLessThan(TOL);
  });
  it('reports BGE-M3 dimensions', () => {
    expect(enc.info.dim).toBe(1024);
    expect(enc.info.vocabSize).toBe(250002);
  });
});
