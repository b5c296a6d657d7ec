/**
 * Token pooling (after answerai's "token pooling" for ColBERT): merge similar document
 * vectors to shrink storage by about the pool factor.
 *
 * Algorithm: agglomerative clustering by cosine similarity with average linkage (UPGMA:
 * the similarity of two clusters is the mean pairwise cosine of their members), merging
 * the most similar pair until `ceil(n / factor)` clusters remain. Each cluster becomes the
 * mean of its members, renormalised; it keeps the token id and character span of its
 * first member (lowest position). Output clusters are ordered by first member, so the
 * document keeps its token order. Ties (equal similarities) merge the lowest indices first,
 * so pooling is deterministic.
 *
 * Cost is bounded by clustering blocks of at most {@link POOL_BLOCK} consecutive vectors
 * independently (an n × n similarity matrix per block): long documents pool locally.
 */

import { kernels } from '../kernels/index.js';
import type { CheckedDoc } from './validate.js';

/** Largest run of consecutive vectors clustered together. */
export const POOL_BLOCK = 512;

/**
 * Pools a validated (normalised) document. `factor` 1 returns it unchanged.
 *
 * @example
 * ```ts
 * const pooled = poolDoc(doc, 1024, 2); // pooled.count === Math.ceil(doc.count / 2)
 * ```
 */
export function poolDoc(doc: CheckedDoc, dim: number, factor: number): CheckedDoc {
  if (factor <= 1 || doc.count <= 1) return doc;
  const groups: number[][] = [];
  for (let b = 0; b < doc.count; b += POOL_BLOCK) {
    const len = Math.min(POOL_BLOCK, doc.count - b);
    for (const g of clusterBlock(doc.data, dim, b, len, Math.ceil(len / factor))) groups.push(g);
  }
  const n = groups.length;
  const data = new Float32Array(n * dim);
  const tokenIds = new Uint32Array(n);
  const spans = new Uint32Array(2 * n);
  const acc = new Float64Array(dim);
  for (let c = 0; c < n; c++) {
    const members = groups[c]!;
    acc.fill(0);
    for (const m of members) for (let k = 0; k < dim; k++) acc[k]! += doc.data[m * dim + k]!;
    let sum = 0;
    for (let k = 0; k < dim; k++) sum += acc[k]! * acc[k]!;
    const first = members[0]!;
    if (sum > 0) {
      const inv = 1 / Math.sqrt(sum);
      for (let k = 0; k < dim; k++) data[c * dim + k] = acc[k]! * inv;
    } else {
      data.set(doc.data.subarray(first * dim, first * dim + dim), c * dim); // members cancel out: keep the first
    }
    tokenIds[c] = doc.tokenIds[first]!;
    spans[2 * c] = doc.spans[2 * first]!;
    spans[2 * c + 1] = doc.spans[2 * first + 1]!;
  }
  return { data, count: n, tokenIds, spans, hasTokens: doc.hasTokens, hasSpans: doc.hasSpans };
}

/**
 * Average-linkage clustering of vectors `start … start+len−1` into `target` clusters.
 * Returns member lists (ascending), ordered by first member.
 */
export function clusterBlock(data: Float32Array, dim: number, start: number, len: number, target: number): number[][] {
  const members: number[][] = Array.from({ length: len }, (_, i) => [start + i]);
  if (target >= len) return members;
  // Pairwise cosines (vectors are normalised): one kernel call per row, symmetrised so
  // both triangles hold the same value whatever the kernel's summation order.
  const sim = new Float64Array(len * len);
  const block = data.subarray(start * dim, (start + len) * dim);
  const row = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    kernels.dotsF32(block.subarray(i * dim, (i + 1) * dim), dim, block, null, row);
    for (let j = i + 1; j < len; j++) {
      sim[i * len + j] = row[j]!;
      sim[j * len + i] = row[j]!;
    }
  }
  const size = new Float64Array(len).fill(1);
  const active = new Uint8Array(len).fill(1);
  const best = new Int32Array(len);
  const bestVal = new Float64Array(len);
  const refresh = (i: number): void => {
    let b = -1;
    let v = -Infinity;
    const row = i * len;
    for (let j = 0; j < len; j++) {
      if (j === i || active[j] === 0) continue;
      if (sim[row + j]! > v) {
        v = sim[row + j]!;
        b = j;
      }
    }
    best[i] = b;
    bestVal[i] = v;
  };
  for (let i = 0; i < len; i++) refresh(i);
  for (let clusters = len; clusters > target; clusters--) {
    // The globally most similar pair; ties → lowest i (best[i] already lowest j).
    let a = -1;
    let v = -Infinity;
    for (let i = 0; i < len; i++) {
      if (active[i] === 1 && bestVal[i]! > v) {
        v = bestVal[i]!;
        a = i;
      }
    }
    let b = best[a]!;
    if (b < a) [a, b] = [b, a];
    // Merge b into a (Lance–Williams update for average linkage).
    const sa = size[a]!;
    const sb = size[b]!;
    for (let k = 0; k < len; k++) {
      if (active[k] === 0 || k === a || k === b) continue;
      const s = (sa * sim[a * len + k]! + sb * sim[b * len + k]!) / (sa + sb);
      sim[a * len + k] = s;
      sim[k * len + a] = s;
    }
    size[a] = sa + sb;
    active[b] = 0;
    for (const m of members[b]!) members[a]!.push(m);
    members[b] = [];
    refresh(a);
    for (let k = 0; k < len; k++) {
      if (active[k] === 0 || k === a) continue;
      if (best[k] === a || best[k] === b) refresh(k);
      else if (sim[k * len + a]! > bestVal[k]! || (sim[k * len + a] === bestVal[k] && a < best[k]!)) {
        best[k] = a;
        bestVal[k] = sim[k * len + a]!;
      }
    }
  }
  const out: number[][] = [];
  for (let i = 0; i < len; i++) if (active[i] === 1) out.push(members[i]!.sort((x, y) => x - y));
  out.sort((x, y) => x[0]! - y[0]!);
  return out;
}
