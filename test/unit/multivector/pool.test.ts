import { describe, expect, it } from 'vitest';
import { clusterBlock, MultiVectorStore, POOL_BLOCK, type MultiVector } from '../../../src/multivector/index.js';
import { gauss, rng } from '../dense/data.js';
import { maxsim64, normalisedCopy, randomDoc } from './data.js';

/** Naive average linkage: recompute every cluster pair's mean pairwise cosine at each step. */
function naiveAverageLinkage(data: Float32Array, dim: number, n: number, target: number): number[][] {
  const dot = (a: number, b: number): number => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += data[a * dim + k]! * data[b * dim + k]!;
    return s;
  };
  let clusters = Array.from({ length: n }, (_, i) => [i]);
  while (clusters.length > target) {
    let best = -Infinity;
    let pair: [number, number] = [0, 1];
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        let s = 0;
        for (const a of clusters[i]!) for (const b of clusters[j]!) s += dot(a, b);
        s /= clusters[i]!.length * clusters[j]!.length;
        if (s > best + 1e-12) [best, pair] = [s, [i, j]];
      }
    }
    const merged = [...clusters[pair[0]]!, ...clusters[pair[1]]!].sort((x, y) => x - y);
    clusters = clusters.filter((_, i) => i !== pair[0] && i !== pair[1]);
    clusters.push(merged);
  }
  return clusters.sort((x, y) => x[0]! - y[0]!);
}

describe('token pooling', () => {
  it('clusterBlock equals a naive average-linkage clustering', () => {
    const r = rng(11);
    for (const [n, dim, target] of [
      [12, 8, 4],
      [25, 16, 9],
      [40, 6, 14],
      [30, 32, 1],
    ] as const) {
      const doc = normalisedCopy(randomDoc(r, dim, n));
      expect(clusterBlock(doc.data, dim, 0, n, target)).toEqual(naiveAverageLinkage(doc.data, dim, n, target));
    }
  });

  it('pooling exact duplicates by 2 recovers the originals, their scores and first-member token ids', () => {
    const r = rng(12);
    const dim = 16;
    const base = normalisedCopy(randomDoc(r, dim, 10));
    const data = new Float32Array(20 * dim);
    const tokenIds = new Uint32Array(20);
    for (let i = 0; i < 10; i++) {
      data.set(base.data.subarray(i * dim, (i + 1) * dim), 2 * i * dim);
      data.set(base.data.subarray(i * dim, (i + 1) * dim), (2 * i + 1) * dim);
      tokenIds[2 * i] = 100 + i;
      tokenIds[2 * i + 1] = 900 + i;
    }
    const doubled: MultiVector = { data, dim, count: 20, tokenIds, charSpans: Array.from({ length: 20 }, (_, i) => [i, i + 1] as [number, number]) };
    const pooled = MultiVectorStore.create({ dim, dtype: 'f32', poolFactor: 2 });
    pooled.add(0, doubled);
    const got = pooled.get(0);
    expect(got.count).toBe(10);
    expect(Array.from(got.tokenIds!)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
    expect(Array.from(got.charSpans as Uint32Array)).toEqual(Array.from({ length: 10 }, (_, i) => [2 * i, 2 * i + 1]).flat());
    for (let k = 0; k < got.data.length; k++) expect(got.data[k]).toBeCloseTo(base.data[k]!, 6);
    const q = randomDoc(r, dim, 5);
    expect(pooled.score(q, [0])[0]).toBeCloseTo(maxsim64(q, base), 5);
  });

  it('keeps about 1/factor of the vectors, each the renormalised mean of its members', () => {
    const r = rng(13);
    const dim = 24;
    for (const factor of [2, 3] as const) {
      for (const n of [1, 2, 7, 100, POOL_BLOCK + 37]) {
        const doc = randomDoc(r, dim, n);
        const s = MultiVectorStore.create({ dim, dtype: 'f32', poolFactor: factor });
        s.add(1, doc);
        const blocks = Math.ceil(n / POOL_BLOCK);
        let want = 0;
        for (let b = 0; b < blocks; b++) want += Math.ceil(Math.min(POOL_BLOCK, n - b * POOL_BLOCK) / factor);
        expect(s.vectorCount(1)).toBe(want);
        const got = s.get(1);
        for (let v = 0; v < got.count; v++) {
          let norm = 0;
          for (let k = 0; k < dim; k++) norm += got.data[v * dim + k]! ** 2;
          expect(norm).toBeCloseTo(1, 5);
        }
      }
    }
  });

  it('pooled MaxSim stays close to unpooled MaxSim on clustered token vectors', () => {
    const r = rng(14);
    const dim = 32;
    const centres = Array.from({ length: 8 }, () => Float32Array.from({ length: dim }, () => gauss(r)));
    const mk = (count: number): MultiVector => {
      const data = new Float32Array(count * dim);
      for (let v = 0; v < count; v++) {
        const c = centres[Math.floor(r() * centres.length)]!;
        for (let k = 0; k < dim; k++) data[v * dim + k] = c[k]! + 0.3 * gauss(r);
      }
      return { data, dim, count };
    };
    const plain = MultiVectorStore.create({ dim, dtype: 'f32' });
    const pooled = MultiVectorStore.create({ dim, dtype: 'f32', poolFactor: 2 });
    for (let i = 0; i < 30; i++) {
      const d = mk(40);
      plain.add(i, d);
      pooled.add(i, d);
    }
    expect(pooled.stats().vectors).toBe(plain.stats().vectors / 2);
    const q = mk(8);
    const ids = Uint32Array.from({ length: 30 }, (_, i) => i);
    const a = plain.score(q, ids);
    const b = pooled.score(q, ids);
    // Pooling may only lose detail: the ranking of documents must survive (Spearman ρ).
    const rank = (x: Float32Array): number[] => {
      const order = Array.from(x.keys()).sort((i, j) => x[j]! - x[i]! || i - j);
      const out = new Array<number>(x.length);
      order.forEach((i, pos) => {
        out[i] = pos;
      });
      return out;
    };
    const ra = rank(a);
    const rb = rank(b);
    let d2 = 0;
    for (let i = 0; i < 30; i++) d2 += (ra[i]! - rb[i]!) ** 2;
    const rho = 1 - (6 * d2) / (30 * (30 * 30 - 1));
    let meanAbs = 0;
    for (let i = 0; i < 30; i++) meanAbs += Math.abs(a[i]! - b[i]!) / 30;
    expect(rho).toBeGreaterThan(0.9);
    expect(meanAbs).toBeLessThan(0.05);
  });
});
