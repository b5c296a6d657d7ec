/**
 * Local ONNX cross-encoder reranker (sequence classification with one label), e.g.
 * BAAI/bge-reranker-v2-m3, bge-reranker-base/large (XLM-R: `<s> q </s></s> d </s>`),
 * cross-encoder/ms-marco-MiniLM-L-6-v2 (BERT: `[CLS] q [SEP] d [SEP]` with token types).
 *
 * - The pair template and token types come from the tokenizer's own post-processor.
 * - Truncation to `maxLength` (default 512, FlagEmbedding's): with `budget = maxLength −
 *   specials`, the query keeps `max(budget / 2, budget − len(doc))` tokens, the document the rest
 *   (the document is cut first, the query never below half the budget).
 * - Score: the logit (FlagEmbedding `compute_score` default, `scale = 'logit'`), or
 *   `sigmoid(logit)` with `{ sigmoid: true }` (FlagEmbedding `normalize=True`, sentence-transformers
 *   CrossEncoder's default activation for one label), `scale = 'probability'`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncoderClosedError, invalid, ModelError } from '../errors.js';
import { OnnxSession, type Feed } from '../encode/onnx-session.js';
import { FamilyTokenizer, listFiles, resolveModelDir, selectFamilyFiles } from '../encode/index.js';
import type { LoadEncoderOptions } from '../encode/types.js';
import type { Reranker } from './types.js';

/** Options of {@link loadCrossEncoder}. */
export interface CrossEncoderOptions extends Pick<LoadEncoderOptions, 'dtype' | 'threads' | 'cacheDir' | 'offline' | 'hubUrl' | 'revision' | 'onProgress'> {
  /** Apply sigmoid to the logit (default false: raw logits). */
  sigmoid?: boolean;
  /** Max tokens per pair, specials included (default 512). */
  maxLength?: number;
  /** Pairs per forward pass (default 16). */
  batchSize?: number;
}

/**
 * Loads a cross-encoder from a directory with an ONNX export or a hub id.
 *
 * @example
 * ```ts
 * const rr = await loadCrossEncoder('BAAI/bge-reranker-v2-m3', { sigmoid: true });
 * const [a, b] = await rr.rerank('what is panda?', ['The giant panda is a bear native to China.', 'hi']);
 * ```
 */
export async function loadCrossEncoder(source: string, opts: CrossEncoderOptions = {}): Promise<Reranker> {
  const maxLength = opts.maxLength ?? 512;
  const batchSize = opts.batchSize ?? 16;
  if (!Number.isInteger(maxLength) || maxLength < 8) invalid('INVALID_ARGUMENT', `maxLength must be an integer >= 8, got ${maxLength}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) invalid('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
  const dir = await resolveModelDir(source, opts);
  const files = selectFamilyFiles(await listFiles(dir), opts.dtype ?? 'fp32', dir);
  const at = (p: string): string => join(dir, ...p.split('/'));
  const tok = await FamilyTokenizer.load(at(files.tokenizer), files.tokenizerConfig ? at(files.tokenizerConfig) : undefined);
  const session = await OnnxSession.load(at(files.onnx), opts.threads !== undefined ? { threads: opts.threads } : {});
  const out = session.outputs.find((o) => o.name === 'logits')?.name ?? session.outputs[0]!.name;
  const useTypes = session.inputs.some((i) => i.name === 'token_type_ids');
  const padId = tok.special('pad') ?? 0;
  const p = tok.pair;
  const specials = p.prefix.length + p.middle.length + p.suffix.length;
  const sigmoid = opts.sigmoid ?? false;
  const id = `cross-encoder-${createHash('sha256')
    .update(await readFile(at(files.tokenizer)))
    .update(String(sigmoid))
    .update(String((await readFile(at(files.onnx))).length))
    .digest('hex')
    .slice(0, 16)}`;
  let closed = false;

  const encodePair = (q: string, d: string): { ids: number[]; types: number[] } => {
    const budget = maxLength - specials;
    let qi = tok.raw(q, budget).ids;
    let di = tok.raw(d, budget).ids;
    qi = qi.slice(0, Math.max(Math.floor(budget / 2), budget - di.length));
    di = di.slice(0, budget - qi.length);
    const [t0, tA, t1, tB, t2] = p.types;
    return {
      ids: [...p.prefix, ...qi, ...p.middle, ...di, ...p.suffix],
      types: [...t0, ...qi.map(() => tA), ...t1, ...di.map(() => tB), ...t2],
    };
  };

  return {
    info: { id, kind: 'cross-encoder', scale: sigmoid ? 'probability' : 'logit' },
    async rerank(query: string, docs: readonly string[]): Promise<number[]> {
      if (closed) throw new EncoderClosedError('the reranker is closed; load it again with loadCrossEncoder()');
      if (typeof query !== 'string') invalid('INVALID_TEXT', 'the query must be a string');
      if (!Array.isArray(docs) || !docs.every((d) => typeof d === 'string')) invalid('INVALID_TEXT', 'docs must be an array of strings');
      const pairs = docs.map((d, i) => ({ i, ...encodePair(query, d) }));
      const order = [...pairs].sort((a, b) => a.ids.length - b.ids.length || a.i - b.i);
      const scores = new Array<number>(docs.length);
      for (let s = 0; s < order.length; s += batchSize) {
        const batch = order.slice(s, s + batchSize);
        const B = batch.length;
        const T = batch[B - 1]!.ids.length;
        const ids = new Array<number>(B * T).fill(padId);
        const mask = new Array<number>(B * T).fill(0);
        const types = new Array<number>(B * T).fill(0);
        batch.forEach((x, b) => {
          x.ids.forEach((v, t) => {
            ids[b * T + t] = v;
            mask[b * T + t] = 1;
            types[b * T + t] = x.types[t]!;
          });
        });
        const feeds: Record<string, Feed> = { input_ids: { type: 'int64', data: ids, dims: [B, T] }, attention_mask: { type: 'int64', data: mask, dims: [B, T] } };
        if (useTypes) feeds.token_type_ids = { type: 'int64', data: types, dims: [B, T] };
        const res = (await session.run(feeds, [out]))[out];
        if (!res) throw new ModelError('MODEL_INVALID', `${at(files.onnx)}: no float output ${out}`);
        const labels = res.data.length / B;
        batch.forEach((x, b) => {
          const logit = res.data[b * labels + labels - 1]!;
          scores[x.i] = sigmoid ? 1 / (1 + Math.exp(-logit)) : logit;
        });
      }
      return scores;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}
