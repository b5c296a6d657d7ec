/**
 * Batch loss of M3 training on static vectors: InfoNCE with in-batch negatives
 * for dense, sparse, ColBERT and the fused teacher, plus self-knowledge
 * distillation of each single mode towards softmax(teacher) (teacher detached).
 *
 *   s_inter = wd·s_dense + ws·s_lex + wc·s_mul          (fusion weights, default 1 / 0.3 / 1)
 *   L  = (λd·CE(s_dense) + λs·CE(s_lex) + λc·CE(s_mul) + CE(s_inter)) / 4   (λ default 1 / 0.1 / 1)
 *   L' = (λd·KD(s_dense) + λs·KD(s_lex) + λc·KD(s_mul)) / 3,  KD(s) = −Σ_j softmax(s_inter/τ)_j log softmax(s/τ)_j
 *   loss = (L + L') / 2, averaged over the queries of the batch
 *
 * Scores: dense = dot of normalised vectors; lexical = Σ over shared ids of w_q·w_p;
 * multi-vector = (1/N_q) Σ_a max_b q_a·p_b. In-batch entries whose query or
 * passage text equals the positive's (duplicate keys) are masked out.
 */
import { type Grads, type StaticParams, type TextForward, backwardText, forwardText } from './model.js';

/** Loss hyper-parameters. */
export interface LossConfig {
  /** Softmax temperature τ (default 0.05). */
  temperature: number;
  /** Fusion weights of the teacher [dense, sparse, colbert] (default [1, 0.3, 1]). */
  fusion: [number, number, number];
  /** Loss weights λ [dense, sparse, colbert] (default [1, 0.1, 1]). */
  lambda: [number, number, number];
  /** Include self-distillation (default true). */
  distill: boolean;
}

/** M3's defaults. */
export const DEFAULT_LOSS: LossConfig = { temperature: 0.05, fusion: [1, 0.3, 1], lambda: [1, 0.1, 1], distill: true };

/** Per-mode parts of a batch loss. */
export interface LossParts {
  loss: number;
  dense: number;
  sparse: number;
  colbert: number;
  inter: number;
}

/** One training batch: tokenised queries and passages, plus duplicate keys for masking. */
export interface Batch {
  q: Int32Array[];
  p: Int32Array[];
  qKey: Int32Array;
  pKey: Int32Array;
}

/** Reusable buffers for {@link batchLossAndGrad}. */
export interface LossScratch {
  sparseMap: Float32Array;
  vec: Float32Array;
  /** Teacher log-probabilities [B·P] of the last call (written when distilling). */
  lastTeacher?: Float64Array;
  /** When set, the distillation target is taken from here instead of the live scores (gradient checks). */
  frozenTeacher?: Float64Array;
}

/** Allocates scratch buffers for a model. */
export function createLossScratch(p: StaticParams): LossScratch {
  return { sparseMap: new Float32Array(p.vocab), vec: new Float32Array(Math.max(p.dim, p.colbertDim)) };
}

function logSoftmaxRow(s: Float64Array, mask: Uint8Array, out: Float64Array): void {
  let m = -Infinity;
  for (let j = 0; j < s.length; j++) if (mask[j] && s[j]! > m) m = s[j]!;
  let z = 0;
  for (let j = 0; j < s.length; j++) if (mask[j]) z += Math.exp(s[j]! - m);
  const lz = m + Math.log(z);
  for (let j = 0; j < s.length; j++) out[j] = mask[j] ? s[j]! - lz : -Infinity;
}

/**
 * Computes the batch loss and, when `grads` is given, accumulates its gradient.
 *
 * @example
 * ```ts
 * const parts = batchLossAndGrad(params, batch, DEFAULT_LOSS, grads, createLossScratch(params));
 * ```
 */
export function batchLossAndGrad(p: StaticParams, batch: Batch, cfg: LossConfig, grads: Grads | null, scratch: LossScratch): LossParts {
  const B = batch.q.length;
  const P = batch.p.length;
  const C = p.colbertDim,
    D = p.dim;
  const fq: TextForward[] = batch.q.map((ids) => forwardText(p, ids));
  const fp: TextForward[] = batch.p.map((ids) => forwardText(p, ids));
  const Sd = new Float64Array(B * P),
    Ss = new Float64Array(B * P),
    Sc = new Float64Array(B * P);
  const arg: Int32Array[] = []; // per (i,j): argmax positions for each query vector
  const map = scratch.sparseMap;
  for (let i = 0; i < B; i++) {
    const q = fq[i]!;
    for (let a = 0; a < q.sparseIds.length; a++) map[q.sparseIds[a]!] = q.sparseWeights[a]!;
    const Lq = q.colNorm.length;
    for (let j = 0; j < P; j++) {
      const d = fp[j]!;
      let s = 0;
      for (let k = 0; k < D; k++) s += q.dense[k]! * d.dense[k]!;
      Sd[i * P + j] = s;
      let sp = 0;
      for (let b = 0; b < d.sparseIds.length; b++) {
        const w = map[d.sparseIds[b]!]!;
        if (w !== 0) sp += w * d.sparseWeights[b]!;
      }
      Ss[i * P + j] = sp;
      const Lp = d.colNorm.length;
      const am = new Int32Array(Lq);
      let tot = 0;
      for (let a = 0; a < Lq; a++) {
        let best = -Infinity,
          bi = 0;
        const qo = a * C;
        for (let b = 0; b < Lp; b++) {
          const po = b * C;
          let s2 = 0;
          for (let k = 0; k < C; k++) s2 += q.colbert[qo + k]! * d.colbert[po + k]!;
          if (s2 > best) {
            best = s2;
            bi = b;
          }
        }
        am[a] = bi;
        tot += best;
      }
      Sc[i * P + j] = Lq > 0 ? tot / Lq : 0;
      arg.push(am);
    }
    for (let a = 0; a < q.sparseIds.length; a++) map[q.sparseIds[a]!] = 0;
  }
  const tau = cfg.temperature;
  const [wd, ws, wc] = cfg.fusion;
  const [ld, ls, lc] = cfg.lambda;
  const Gd = new Float64Array(B * P),
    Gs = new Float64Array(B * P),
    Gc = new Float64Array(B * P);
  const mask = new Uint8Array(P);
  const row = new Float64Array(P),
    lpD = new Float64Array(P),
    lpS = new Float64Array(P),
    lpC = new Float64Array(P),
    lpI = new Float64Array(P);
  const parts: LossParts = { loss: 0, dense: 0, sparse: 0, colbert: 0, inter: 0 };
  const hasKd = cfg.distill;
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < P; j++) mask[j] = j === i || (batch.pKey[j] !== batch.pKey[i] && (j >= B || batch.qKey[j] !== batch.qKey[i])) ? 1 : 0;
    const o = i * P;
    for (let j = 0; j < P; j++) row[j] = Sd[o + j]! / tau;
    logSoftmaxRow(row, mask, lpD);
    for (let j = 0; j < P; j++) row[j] = Ss[o + j]! / tau;
    logSoftmaxRow(row, mask, lpS);
    for (let j = 0; j < P; j++) row[j] = Sc[o + j]! / tau;
    logSoftmaxRow(row, mask, lpC);
    for (let j = 0; j < P; j++) row[j] = (wd * Sd[o + j]! + ws * Ss[o + j]! + wc * Sc[o + j]!) / tau;
    logSoftmaxRow(row, mask, lpI);
    const teach = scratch.frozenTeacher;
    if (hasKd) {
      if (!scratch.lastTeacher || scratch.lastTeacher.length !== B * P) scratch.lastTeacher = new Float64Array(B * P);
      for (let j = 0; j < P; j++) scratch.lastTeacher[o + j] = lpI[j]!;
    }
    const tI = (j: number): number => Math.exp(teach ? teach[o + j]! : lpI[j]!);
    const ceD = -lpD[i]!,
      ceS = -lpS[i]!,
      ceC = -lpC[i]!,
      ceI = -lpI[i]!;
    let kdD = 0,
      kdS = 0,
      kdC = 0;
    if (hasKd) {
      for (let j = 0; j < P; j++) {
        if (!mask[j]) continue;
        const t = tI(j);
        kdD -= t * lpD[j]!;
        kdS -= t * lpS[j]!;
        kdC -= t * lpC[j]!;
      }
    }
    const Lmain = (ld * ceD + ls * ceS + lc * ceC + ceI) / 4;
    const Lkd = hasKd ? (ld * kdD + ls * kdS + lc * kdC) / 3 : 0;
    parts.loss += (hasKd ? (Lmain + Lkd) / 2 : Lmain) / B;
    parts.dense += ceD / B;
    parts.sparse += ceS / B;
    parts.colbert += ceC / B;
    parts.inter += ceI / B;
    if (!grads) continue;
    // d loss / d logits, then / tau → d loss / d score
    const cMain = (hasKd ? 0.5 : 1) / 4 / B;
    const cKd = hasKd ? 0.5 / 3 / B : 0;
    for (let j = 0; j < P; j++) {
      if (!mask[j]) continue;
      const y = j === i ? 1 : 0;
      const pD = Math.exp(lpD[j]!),
        pS = Math.exp(lpS[j]!),
        pC = Math.exp(lpC[j]!),
        pI = Math.exp(lpI[j]!),
        tj = hasKd ? tI(j) : 0;
      // CE terms: p - y; KD terms: p - teacher (teacher detached)
      const gI = cMain * (pI - y);
      Gd[o + j] = (cMain * ld * (pD - y) + cKd * ld * (pD - tj) + gI * wd) / tau;
      Gs[o + j] = (cMain * ls * (pS - y) + cKd * ls * (pS - tj) + gI * ws) / tau;
      Gc[o + j] = (cMain * lc * (pC - y) + cKd * lc * (pC - tj) + gI * wc) / tau;
    }
  }
  if (!grads) return parts;
  // upstream grads per text
  const gqD = fq.map(() => new Float32Array(D)),
    gpD = fp.map(() => new Float32Array(D));
  const gqS = fq.map((f) => new Float32Array(f.sparseIds.length)),
    gpS = fp.map((f) => new Float32Array(f.sparseIds.length));
  const gqC = fq.map((f) => new Float32Array(f.colbert.length)),
    gpC = fp.map((f) => new Float32Array(f.colbert.length));
  for (let i = 0; i < B; i++) {
    const q = fq[i]!;
    for (let a = 0; a < q.sparseIds.length; a++) map[q.sparseIds[a]!] = a + 1; // index+1 of query id
    const Lq = q.colNorm.length;
    for (let j = 0; j < P; j++) {
      const d = fp[j]!,
        o = i * P + j;
      const gd = Gd[o]!;
      if (gd !== 0)
        for (let k = 0; k < D; k++) {
          gqD[i]![k]! += gd * d.dense[k]!;
          gpD[j]![k]! += gd * q.dense[k]!;
        }
      const gs = Gs[o]!;
      if (gs !== 0) {
        for (let b = 0; b < d.sparseIds.length; b++) {
          const a1 = map[d.sparseIds[b]!]!;
          if (a1 === 0) continue;
          gqS[i]![a1 - 1]! += gs * d.sparseWeights[b]!;
          gpS[j]![b]! += gs * q.sparseWeights[a1 - 1]!;
        }
      }
      const gc = Gc[o]!;
      if (gc !== 0 && Lq > 0) {
        const am = arg[o]!;
        const s = gc / Lq;
        const gq = gqC[i]!,
          gp = gpC[j]!;
        for (let a = 0; a < Lq; a++) {
          const qo = a * C,
            po = am[a]! * C;
          for (let k = 0; k < C; k++) {
            gq[qo + k]! += s * d.colbert[po + k]!;
            gp[po + k]! += s * q.colbert[qo + k]!;
          }
        }
      }
    }
    for (let a = 0; a < q.sparseIds.length; a++) map[q.sparseIds[a]!] = 0;
  }
  for (let i = 0; i < B; i++) backwardText(p, fq[i]!, grads, gqD[i]!, gqS[i]!, gqC[i]!, scratch.vec);
  for (let j = 0; j < P; j++) backwardText(p, fp[j]!, grads, gpD[j]!, gpS[j]!, gpC[j]!, scratch.vec);
  return parts;
}
