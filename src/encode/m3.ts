/**
 * The M3 encoder: tokenize → bucket by length → one forward pass per batch → dense,
 * sparse and multi-vector outputs (rules in pooling.ts and shared/M3-SPEC.md).
 *
 * Batching: texts are sorted by token count, cut into batches of `batchSize`, padded
 * on the right with the pad id to the longest text of their batch (attention mask 0),
 * and results are returned in input order. Padding never changes a text's result
 * beyond float noise (batched == one-by-one, tested).
 */
import type { Backend, BatchOutput } from './backend.js';
import { checkEncodeInput, checkTokenIds, lengthBatches, Lifecycle, type CheckedInput } from './base.js';
import type { ModelConfig } from './config.js';
import { l2normalize, meanRows, poolSparse } from './pooling.js';
import type { TextTokenizer } from './tokenizer.js';
import type { CharSpan, EncodeOptions, Encoded, Encoder, EncoderInfo, TokenLevel } from './types.js';

interface Parts {
  backend: Backend;
  tokenizer: TextTokenizer;
  config: ModelConfig;
  info: EncoderInfo;
  /** Largest maxLength the model accepts (max_position_embeddings - 2 for XLM-R). */
  maxPositions: number;
}

interface Job {
  index: number;
  text: string;
  ids: number[];
  pieces: string[];
  truncated: boolean;
  /** Length of the role prefix prepended to the caller's text. */
  prefixLength: number;
  /** Tokenized prefix length of `text`. */
  sourceLength: number;
}

interface Forward {
  job: Job;
  dense: Float32Array;
  tokenWeights: Float32Array;
  colbert: Float32Array;
  colbertDim: number;
  hidden: Float32Array | null;
}

const EMPTY_F32: Float32Array = new Float32Array(0);

/**
 * BGE-M3 family encoder. Create it with `loadEncoder`.
 *
 * @example
 * ```ts
 * const enc = await loadEncoder('BAAI/bge-m3');
 * const [doc] = await enc.encode(['BM25 is a bag-of-words retrieval function'], { role: 'document' });
 * doc.sparse.ids; // ascending token ids
 * ```
 */
export class M3Encoder implements Encoder {
  readonly info: EncoderInfo;
  readonly #backend: Backend;
  readonly #tok: TextTokenizer;
  readonly #cfg: ModelConfig;
  readonly #drop: ReadonlySet<number>;
  readonly #maxPositions: number;
  readonly #life = new Lifecycle('loadEncoder()');

  /** Internal: use `loadEncoder`. */
  constructor(parts: Parts) {
    this.info = parts.info;
    this.#backend = parts.backend;
    this.#tok = parts.tokenizer;
    this.#cfg = parts.config;
    this.#drop = new Set(parts.config.sparseDropIds);
    this.#maxPositions = parts.maxPositions;
  }

  async encode(texts: readonly string[], opts: EncodeOptions = {}): Promise<Encoded[]> {
    const fw = await this.#forward(texts, opts, false);
    const heads = this.info.heads;
    return fw.map((f) => {
      const ids = f.job.ids;
      const count = heads.multivector ? ids.length - 1 : 0;
      let charSpans: CharSpan[] = [];
      if (count > 0) charSpans = this.#spans(f.job).slice(1);
      return {
        dense: f.dense,
        sparse: heads.sparse ? poolSparse(ids, f.tokenWeights, this.#drop) : { ids: new Uint32Array(0), weights: new Float32Array(0) },
        multivector: {
          data: f.colbert,
          dim: count > 0 ? f.colbertDim : this.info.dim,
          count,
          tokenIds: count > 0 ? Uint32Array.from(ids.slice(1)) : new Uint32Array(0),
          charSpans,
        },
        truncated: f.job.truncated,
        tokenCount: ids.length,
      };
    });
  }

  async encodeTokens(texts: readonly string[], opts: EncodeOptions = {}): Promise<TokenLevel[]> {
    const fw = await this.#forward(texts, opts, true);
    return fw.map((f) => ({
      tokenIds: Uint32Array.from(f.job.ids),
      charSpans: this.#spans(f.job),
      tokenWeights: f.tokenWeights,
      colbert: f.colbert,
      hidden: f.hidden,
      dense: f.dense,
      truncated: f.job.truncated,
    }));
  }

  decodeTokens(ids: Uint32Array | readonly number[]): string[] {
    this.#life.check();
    checkTokenIds(ids, this.info.vocabSize);
    return this.#tok.pieces(ids);
  }

  async close(): Promise<void> {
    // running batches finish before the native sessions are freed
    await this.#life.close(() => this.#backend.release());
  }

  #spans(job: Job): CharSpan[] {
    const spans = this.#tok.spans(job.text.slice(0, job.sourceLength), job.pieces);
    spans[0] = [0, 0];
    spans[spans.length - 1] = [0, 0];
    const n = job.prefixLength;
    if (n === 0) return spans;
    return spans.map(([s, e]) => (e <= n ? [0, 0] : [Math.max(0, s - n), e - n]));
  }

  #validate(texts: readonly string[], opts: EncodeOptions): CheckedInput {
    this.#life.check();
    return checkEncodeInput(texts, opts, { minLength: 2, maxPositions: this.#maxPositions, defaultLength: this.info.maxLength });
  }

  async #forward(texts: readonly string[], opts: EncodeOptions, wantHidden: boolean): Promise<Forward[]> {
    const { role, maxLength, batchSize } = this.#validate(texts, opts);
    const prefix = this.#cfg.prefixes[role];
    const jobs: Job[] = texts.map((text, index) => {
      const t = this.#tok.encode(prefix + text, maxLength);
      return { index, text: prefix + text, ids: t.ids, pieces: t.pieces, truncated: t.truncated, prefixLength: prefix.length, sourceLength: t.sourceLength };
    });
    const results = new Array<Forward>(jobs.length);
    const heads = this.info.heads;
    for (const batch of lengthBatches(jobs, batchSize)) {
      const B = batch.length;
      const T = batch[batch.length - 1]!.ids.length;
      const ids = new Array<number>(B * T).fill(this.#cfg.padId);
      const mask = new Array<number>(B * T).fill(0);
      batch.forEach((j, b) => {
        for (let t = 0; t < j.ids.length; t++) {
          ids[b * T + t] = j.ids[t]!;
          mask[b * T + t] = 1;
        }
      });
      this.#life.check();
      const out: BatchOutput = await this.#life.track(
        this.#backend.run(ids, mask, B, T, {
          dense: heads.dense,
          sparse: heads.sparse,
          colbert: heads.multivector,
          hidden: wantHidden || (heads.dense && this.#cfg.pooling !== 'cls'),
        }),
      );
      batch.forEach((job, b) => {
        results[job.index] = this.#extract(job, b, out, wantHidden);
      });
    }
    return results;
  }

  #extract(job: Job, b: number, out: BatchOutput, wantHidden: boolean): Forward {
    const { T } = out;
    const L = job.ids.length;
    const H = out.hiddenDim;
    const heads = this.info.heads;
    let dense: Float32Array = EMPTY_F32;
    if (heads.dense) {
      if (this.#cfg.pooling === 'cls' && out.dense) {
        const d = out.dense.length / out.B;
        dense = out.dense.slice(b * d, (b + 1) * d);
      } else if (out.hidden) {
        const base = b * T * H;
        if (this.#cfg.pooling === 'mean') dense = meanRows(out.hidden, base, L, H);
        else {
          const row = this.#cfg.pooling === 'last_token' ? L - 1 : 0;
          dense = out.hidden.slice(base + row * H, base + (row + 1) * H);
        }
      }
      if (this.#cfg.normalize) l2normalize(dense);
    }
    const tokenWeights = new Float32Array(L);
    if (heads.sparse && out.sparse) {
      for (let t = 0; t < L; t++) {
        const w = out.sparse[b * T + t]!;
        tokenWeights[t] = this.#drop.has(job.ids[t]!) || !(w > 0) ? 0 : w;
      }
    }
    let colbert: Float32Array = EMPTY_F32;
    const D = out.colbertDim;
    if (heads.multivector && out.colbert) {
      const off = out.colbertOffset;
      const rowsPerText = T - off;
      colbert = new Float32Array((L - 1) * D);
      const c = out.colbert;
      const norm = this.#cfg.normalize;
      // row by row without subarray views (this loop touches every token vector of the
      // corpus); the same arithmetic as l2normalize: f64 sum of squares, one f32 multiply
      for (let p = 1; p < L; p++) {
        const src = (b * rowsPerText + (p - off)) * D;
        const dst = (p - 1) * D;
        let ss = 0;
        for (let i = 0; i < D; i++) {
          const x = c[src + i]!;
          colbert[dst + i] = x;
          ss += x * x;
        }
        if (norm) {
          const inv = 1 / Math.max(Math.sqrt(ss), 1e-12);
          for (let i = 0; i < D; i++) colbert[dst + i] = colbert[dst + i]! * inv;
        }
      }
    }
    const hidden = wantHidden && out.hidden ? out.hidden.slice(b * T * H, (b * T + L) * H) : null;
    return { job, dense, tokenWeights, colbert, colbertDim: D, hidden };
  }
}
