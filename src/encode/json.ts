/**
 * The one reader of a model directory's JSON files (config.json, trident.json,
 * tokenizer_config.json, sentence-transformers configs) for every preset: a missing optional
 * file is `undefined`, a missing required one MODEL_NOT_FOUND, a corrupt one MODEL_INVALID
 * naming the file. Never returns a non-object.
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
