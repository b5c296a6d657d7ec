// The naive reference model for HybridIndex property tests: documents in a Map, every score
// recomputed from the fake encoder's outputs in float64 by exhaustive loops.
import { fakeEncode, FAKE_DIM } from '../helpers/fake-encoder.js';
import type { ExternalId } from '../../src/store/index.js';

export interface ModelDoc {
  id: ExternalId;
  text: string;
  metadata: { rev: number };
}

export interface OracleScore {
  id: ExternalId;
  dense: number;
  sparse: number;
  multivector: number;
  fused: number;
}

/** Weighted fusion as HybridIndex's default: Σ w·s / Σ w with the M3 weights [1, 0.3, 1]. */
export const WEIGHTS: [number, number, number] = [1, 0.3, 1];

export function oracleScores(query: string, docs: Iterable<ModelDoc>): OracleScore[] {
  const q = fakeEncode(query);
  const out: OracleScore[] = [];
  for (const d of docs) {
    const e = fakeEncode(d.text);
    let dense = 0;
    for (let i = 0; i < FAKE_DIM; i++) dense += q.dense[i]! * e.dense[i]!;
    let sparse = 0;
    const dw = new Map<number, number>();
    e.sparse.ids.forEach((id: number, i: number) => {
      dw.set(id, e.sparse.weights[i]!);
    });
    q.sparse.ids.forEach((id: number, i: number) => {
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
      mv += e.multivector.count ? best : 0;
    }
    mv = q.multivector.count ? mv / q.multivector.count : 0;
    const [w0, w1, w2] = WEIGHTS;
    out.push({ id: d.id, dense, sparse, multivector: mv, fused: (w0 * dense + w1 * sparse + w2 * mv) / (w0 + w1 + w2) });
  }
  return out;
}

/**
 * Checks an exact top-k against the oracle, robust to ties: same length, each returned
 * document's score equals its oracle score, and the returned scores are the k best oracle
 * scores (so the ids are the oracle's whenever scores differ by more than `eps`).
 * Returns a description of the first violation, or null.
 */
export function compareTopK(got: Array<{ id: ExternalId; score: number }>, oracle: Array<{ id: ExternalId; score: number }>, k: number, eps = 1e-4): string | null {
  const sorted = [...oracle].sort((a, b) => b.score - a.score);
  const want = sorted.slice(0, k);
  if (got.length !== want.length) return `returned ${got.length} hits, the oracle has ${want.length}`;
  const byId = new Map(oracle.map((o) => [o.id, o.score]));
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const o = byId.get(g.id);
    if (o === undefined) return `hit ${JSON.stringify(g.id)} is not a live document`;
    if (Math.abs(o - g.score) > eps) return `hit ${JSON.stringify(g.id)} scored ${g.score}, the oracle says ${o}`;
    if (Math.abs(want[i]!.score - g.score) > eps) return `rank ${i + 1}: score ${g.score}, the oracle's rank ${i + 1} is ${JSON.stringify(want[i]!.id)} with ${want[i]!.score}`;
  }
  if (new Set(got.map((g) => g.id)).size !== got.length) return 'a document is returned twice';
  return null;
}

/** recall@k of `got` against the oracle's top-k ids (ties at the k-th score count as hits). */
export function recallAtK(got: ExternalId[], oracle: Array<{ id: ExternalId; score: number }>, k: number, eps = 1e-5): number {
  const sorted = [...oracle].sort((a, b) => b.score - a.score);
  const want = sorted.slice(0, k);
  if (want.length === 0) return 1;
  const kth = want[want.length - 1]!.score;
  const ok = new Set(sorted.filter((o) => o.score >= kth - eps).map((o) => o.id));
  return got.slice(0, k).filter((id) => ok.has(id)).length / want.length;
}
