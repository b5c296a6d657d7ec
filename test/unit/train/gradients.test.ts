import { describe, it, expect } from 'vitest';
import { createRng } from '../../../src/train/rng.js';
import { createParams, createGrads, SMALL_PARAMS, type StaticParams } from '../../../src/train/model.js';
import { batchLossAndGrad, createLossScratch, DEFAULT_LOSS, type Batch, type LossConfig } from '../../../src/train/loss.js';

function tinyModel(seed: number): StaticParams {
  const rng = createRng(seed);
  const p = createParams({ vocab: 24, dim: 5, colbertDim: 4 }, rng);
  for (let i = 0; i < p.emb.length; i++) p.emb[i] = rng.normal() * 0.5;
  for (let i = 0; i < p.colW.length; i++) p.colW[i] = rng.normal() * 0.5;
  for (let i = 0; i < 5; i++) {
    p.poolU[i] = rng.normal() * 0.3;
    p.sparseW[i] = rng.normal() * 0.5;
  }
  for (let i = 0; i < 4; i++) p.colB[i] = rng.normal() * 0.1;
  p.sparseB[0] = 0.4;
  return p;
}

function tinyBatch(seed: number): Batch {
  const rng = createRng(seed);
  const text = (n: number) => Int32Array.from([0, ...Array.from({ length: n }, () => 4 + rng.int(20)), 2]);
  const q = [text(2), text(3), text(1), text(4)];
  const p = [text(5), text(3), text(6), text(4)];
  return { q, p, qKey: Int32Array.from([0, 1, 2, 3]), pKey: Int32Array.from([0, 1, 2, 3]) };
}

function check(cfg: LossConfig, seed: number): void {
  const p = tinyModel(seed);
  const batch = tinyBatch(seed + 100);
  const scratch = createLossScratch(p);
  const g = createGrads(p);
  const base = batchLossAndGrad(p, batch, cfg, g, scratch).loss;
  // M3 detaches the teacher: differentiate with the teacher distribution held fixed
  if (cfg.distill) scratch.frozenTeacher = Float64Array.from(scratch.lastTeacher!);
  expect(Number.isFinite(base)).toBe(true);
  const h = 1e-3;
  let compared = 0;
  const probe = (arr: Float32Array, grad: Float32Array, idx: number) => {
    const old = arr[idx]!;
    arr[idx] = old + h;
    const lp = batchLossAndGrad(p, batch, cfg, null, scratch).loss;
    arr[idx] = old - h;
    const lm = batchLossAndGrad(p, batch, cfg, null, scratch).loss;
    arr[idx] = old;
    const num = (lp - lm) / (2 * h);
    // float32 parameters: allow an absolute + relative slack (relu / argmax kinks are rare at these seeds)
    expect(Math.abs(num - grad[idx]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(num));
    compared++;
  };
  for (const k of SMALL_PARAMS) for (let i = 0; i < p[k].length; i++) probe(p[k], g[k], i);
  for (const row of g.touchedRows.slice(0, 8)) for (let k = 0; k < p.dim; k++) probe(p.emb, g.emb, row * p.dim + k);
  expect(compared).toBeGreaterThan(40);
}

describe('static M3 loss gradients', () => {
  it('match central finite differences with self-distillation', () => check(DEFAULT_LOSS, 1));
  it('match central finite differences without distillation', () => check({ ...DEFAULT_LOSS, distill: false, temperature: 0.2 }, 7));
  it('untouched embedding rows get no gradient', () => {
    const p = tinyModel(3);
    const g = createGrads(p);
    const batch = tinyBatch(5);
    batchLossAndGrad(p, batch, DEFAULT_LOSS, g, createLossScratch(p));
    const used = new Set<number>();
    for (const t of [...batch.q, ...batch.p]) for (const id of t) used.add(id);
    for (let r = 0; r < p.vocab; r++) {
      if (used.has(r)) continue;
      for (let k = 0; k < p.dim; k++) expect(g.emb[r * p.dim + k]).toBe(0);
    }
  });
});
