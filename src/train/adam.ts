/**
 * Adam for the static model: dense updates for the small head tensors, lazy
 * (row-sparse) updates for the embedding table: only rows with a gradient in
 * this step move, and their moments decay only when touched.
 */
import { type Grads, type StaticParams, SMALL_PARAMS } from './model.js';

/** Adam hyper-parameters. */
export interface AdamConfig {
  lrEmb: number;
  lrHead: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** Adam moments and step counter. */
export interface AdamState {
  step: number;
  mEmb: Float32Array;
  vEmb: Float32Array;
  small: Record<string, { m: Float32Array; v: Float32Array }>;
}

/** Zeroed Adam state for a model. */
export function createAdam(p: StaticParams): AdamState {
  const small: AdamState['small'] = {};
  for (const k of SMALL_PARAMS) small[k] = { m: new Float32Array(p[k].length), v: new Float32Array(p[k].length) };
  return { step: 0, mEmb: new Float32Array(p.emb.length), vEmb: new Float32Array(p.emb.length), small };
}

/**
 * One Adam step with learning-rate multiplier `scale` (for warm-up / decay).
 *
 * @example
 * ```ts
 * adamStep(params, grads, state, { lrEmb: 1e-3, lrHead: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 1);
 * ```
 */
export function adamStep(p: StaticParams, g: Grads, s: AdamState, cfg: AdamConfig, scale: number): void {
  s.step++;
  const { beta1: b1, beta2: b2, eps } = cfg;
  const c1 = 1 - b1 ** s.step,
    c2 = 1 - b2 ** s.step;
  const upd = (w: Float32Array, gr: Float32Array, m: Float32Array, v: Float32Array, lr: number, from: number, to: number) => {
    const a = (lr * scale) / c1;
    for (let i = from; i < to; i++) {
      const gi = gr[i]!;
      const mi = b1 * m[i]! + (1 - b1) * gi;
      const vi = b2 * v[i]! + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i]! -= (a * mi) / (Math.sqrt(vi / c2) + eps);
    }
  };
  const D = p.dim;
  for (const r of g.touchedRows) upd(p.emb, g.emb, s.mEmb, s.vEmb, cfg.lrEmb, r * D, (r + 1) * D);
  for (const k of SMALL_PARAMS) upd(p[k], g[k], s.small[k]!.m, s.small[k]!.v, cfg.lrHead, 0, p[k].length);
}
