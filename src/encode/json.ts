/**
 * The one reader of a model directory's JSON files (config.json, trident.json,
 * tokenizer_config.json, sentence-transformers configs) for every preset: a missing optional
 * file is `undefined`, a missing required one MODEL_NOT_FOUND, a corrupt one MODEL_INVALID
 * naming the file. Never returns a non-object. Also the two facts every backend reads from
 * config.json the same way: the position limit and the embedding-rows check.
 */
import { readFile } from 'node:fs/promises';
import { ModelError } from '../errors.js';

/**
 * Reads a JSON object (or, with `arrays`, an array) from `path`.
 *
 * @example
 * ```ts
 * const cfg = await readModelJson('/m/config.json', { optional: true }); // undefined if absent
 * ```
 */
export async function readModelJson(path: string, opts: { optional: true; arrays?: boolean }): Promise<Record<string, unknown> | undefined>;
export async function readModelJson(path: string, opts?: { optional?: false; arrays?: boolean }): Promise<Record<string, unknown>>;
export async function readModelJson(path: string, opts: { optional?: boolean; arrays?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (opts.optional && ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw new ModelError('MODEL_NOT_FOUND', `${path}: cannot read (${(e as Error).message})`, { cause: e });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ModelError('MODEL_INVALID', `${path}: not valid JSON (${(e as Error).message}); restore the file`, { cause: e });
  }
  if (!v || typeof v !== 'object' || (Array.isArray(v) && !opts.arrays)) {
    throw new ModelError('MODEL_INVALID', `${path}: expected a JSON object${opts.arrays ? ' or array' : ''}; restore the file`);
  }
  return v as Record<string, unknown>;
}

/**
 * Largest sequence a model accepts: `max_position_embeddings` of config.json, minus 2 for
 * XLM-R / RoBERTa / CamemBERT (their positions start at padding_idx + 1 = 2); `fallback` when
 * config.json does not say.
 *
 * @example
 * ```ts
 * positionLimit({ model_type: 'xlm-roberta', max_position_embeddings: 8194 }, 512); // 8192
 * ```
 */
export function positionLimit(modelConfig: Record<string, unknown>, fallback: number): number {
  const mpe = modelConfig.max_position_embeddings;
  if (typeof mpe !== 'number') return fallback;
  return mpe - (/roberta|camembert/.test(String(modelConfig.model_type ?? '')) ? 2 : 0);
}

/**
 * TOKENIZER_MISMATCH unless the tokenizer's ids index the embedding table: `vocab <= rows`,
 * and (with `slack`) at most `slack` unused rows.
 *
 * @example
 * ```ts
 * checkEmbeddingRows(250002, 250002, '/m/tokenizer.json', 'config.json vocab_size', 128); // fine
 * ```
 */
export function checkEmbeddingRows(vocab: number, rows: number | undefined, tokenizerFile: string, rowsFrom: string, slack = Infinity): void {
  if (rows !== undefined && (vocab > rows || rows - vocab > slack)) {
    throw new ModelError('TOKENIZER_MISMATCH', `${tokenizerFile} has ${vocab} ids but the model has ${rows} embedding rows (${rowsFrom}); the tokenizer belongs to another model`);
  }
}
