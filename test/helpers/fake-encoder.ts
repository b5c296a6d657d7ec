/**
 * A deterministic test double for the encoder contract: words are tokens (id = FNV hash mod
 * 997 + 4), each token id has a fixed random unit vector; dense = normalised mean of the token
 * vectors, sparse = a fixed weight per id (max per id), multi-vector = the token vectors.
 * Its outputs are simple enough for the tests to recompute every score independently.
 */
import type { HybridEncoder, EncodedLike, TokenLevelLike } from '../../src/hybrid/index.js';

export const FAKE_DIM = 16;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function tokenVector(id: number): Float32Array {
  const r = rng(id * 7919 + 13);
  const v = new Float32Array(FAKE_DIM);
  let n = 0;
  for (let i = 0; i < FAKE_DIM; i++) {
    v[i] = r() * 2 - 1;
    n += v[i]! * v[i]!;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < FAKE_DIM; i++) v[i]! /= n;
  return v;
}

export function tokenWeight(id: number): number {
  return 0.05 + (id % 17) / 20;
}

export function tokenize(text: string): Array<{ id: number; span: [number, number] }> {
  const out: Array<{ id: number; span: [number, number] }> = [];
  for (const m of text.matchAll(/\w+/g)) out.push({ id: (fnv(m[0].toLowerCase()) % 997) + 4, span: [m.index!, m.index! + m[0].length] });
  return out;
}

export function fakeEncode(text: string): Required<Pick<EncodedLike, 'dense' | 'sparse' | 'multivector'>> {
  const toks = tokenize(text);
  const dense = new Float32Array(FAKE_DIM);
  const data = new Float32Array(toks.length * FAKE_DIM);
  const best = new Map<number, number>();
  toks.forEach((t, i) => {
    const v = tokenVector(t.id);
    data.set(v, i * FAKE_DIM);
    for (let d = 0; d < FAKE_DIM; d++) dense[d]! += v[d]!;
    best.set(t.id, Math.max(best.get(t.id) ?? 0, tokenWeight(t.id)));
  });
  let n = 0;
  for (let d = 0; d < FAKE_DIM; d++) n += dense[d]! * dense[d]!;
  n = Math.sqrt(n);
  if (n > 0) for (let d = 0; d < FAKE_DIM; d++) dense[d]! /= n;
  else dense[0] = 1;
  const ids = [...best.keys()].sort((a, b) => a - b);
  return {
    dense,
    sparse: { ids: Uint32Array.from(ids), weights: Float32Array.from(ids.map((i) => best.get(i)!)) },
    multivector: { data, dim: FAKE_DIM, count: toks.length, tokenIds: Uint32Array.from(toks.map((t) => t.id)), charSpans: toks.map((t) => t.span) },
  };
}

export class FakeEncoder implements HybridEncoder {
  readonly info;
  calls = 0;
  constructor(id = 'fake-encoder-v1') {
    this.info = { id, dim: FAKE_DIM, maxLength: 64, fusionWeights: [1, 0.3, 1] as [number, number, number], heads: { dense: true, sparse: true, multivector: true } };
  }
  async encode(texts: string[]): Promise<EncodedLike[]> {
    this.calls++;
    return texts.map((t) => ({ ...fakeEncode(t), truncated: false, tokenCount: tokenize(t).length + 2 }));
  }
  async encodeTokens(texts: string[]): Promise<TokenLevelLike[]> {
    return texts.map((text) => {
      const toks = tokenize(text).slice(0, this.info.maxLength - 2);
      const T = toks.length + 2;
      const ids = [0, ...toks.map((t) => t.id), 2];
      const colbert = new Float32Array((T - 1) * FAKE_DIM);
      const hidden = new Float32Array(T * FAKE_DIM);
      toks.forEach((t, i) => {
        colbert.set(tokenVector(t.id), i * FAKE_DIM);
        hidden.set(tokenVector(t.id), (i + 1) * FAKE_DIM);
      });
      return {
        tokenIds: Uint32Array.from(ids),
        charSpans: [[0, 0] as [number, number], ...toks.map((t) => t.span), [0, 0] as [number, number]],
        tokenWeights: Float32Array.from(ids.map((id, p) => (p === 0 || p === T - 1 ? 0 : tokenWeight(id)))),
        colbert,
        hidden,
        dense: fakeEncode(text).dense!,
        truncated: tokenize(text).length > toks.length,
      };
    });
  }
  decodeTokens(ids: Uint32Array | number[]): string[] {
    return Array.from(ids, (i) => `t${i}`);
  }
}
