/**
 * What the M3 tokenizer (tokenizer.ts) and the other presets' tokenizer (family-tokenizer.ts)
 * share: reading tokenizer_config.json, building a tokenizers.js `Tokenizer` with typed
 * errors, lone-surrogate repair, the pre-cut of huge texts, and id → piece lookup. Never
 * decides where specials go (each tokenizer owns its template rules).
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelError } from '../errors.js';

/** Replaces lone UTF-16 surrogates by U+FFFD (same length, so spans stay valid). */
export const wellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();

/**
 * tokenizer_config.json as an object; absent or unreadable → `{}` (the file is optional and
 * only names specials, so a broken one falls back to the tokenizer's own defaults).
 *
 * @example
 * ```ts
 * const cfg = await readTokenizerConfig('/m/tokenizer_config.json'); // { cls_token: '[CLS]', … }
 * ```
 */
export async function readTokenizerConfig(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** MODEL_NOT_FOUND for a missing tokenizer file, MODEL_INVALID for anything else. */
export function tokenizerReadError(file: string, e: unknown, what = 'tokenizer.json'): ModelError {
  const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'MODEL_NOT_FOUND' : 'MODEL_INVALID';
  return new ModelError(code, `${file}: cannot read the tokenizer (${(e as Error).message}); restore the model's ${what}`, { cause: e });
}

/**
 * Builds a tokenizers.js Tokenizer and then `make(tok)`; a library failure is MODEL_INVALID
 * naming the file (a ModelError from `make` passes through).
 *
 * @example
 * ```ts
 * const t = buildTokenizer(json, config, '/m/tokenizer.json', (tok) => tok);
 * ```
 */
export function buildTokenizer<T>(json: object, config: Record<string, unknown>, file: string, make: (tok: Tokenizer) => T): T {
  try {
    return make(new Tokenizer(json, config));
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError('MODEL_INVALID', `${file}: not a usable tokenizer.json (${(e as Error).message})`, { cause: e });
  }
}

/**
 * Encodes `clean` with at most `limit` tokens needed, pre-cutting huge texts at a space: a
 * token never covers less than one normalised character except after NFKC expansion, so
 * 8 chars per token is ample; if the cut text gives no more than `limit` tokens, the budget
 * grows ×4 and it retries (words are tokenized independently, so the kept tokens are exact).
 *
 * @example
 * ```ts
 * const { ids, cut, source } = encodeWithBudget(text, 512, (s) => tok.encode(s));
 * ```
 */
export function encodeWithBudget(clean: string, limit: number, encode: (src: string) => { ids: number[]; tokens: string[] }): { ids: number[]; tokens: string[]; cut: boolean; source: string } {
  let budget = Number.isFinite(limit) ? Math.max(4096, limit * 8) : Infinity;
  for (;;) {
    let src = clean;
    let cut = false;
    if (clean.length > budget) {
      const sp = clean.lastIndexOf(' ', budget);
      if (sp > 0) {
        src = clean.slice(0, sp);
        cut = true;
      }
    }
    const enc = encode(src);
    if (cut && enc.ids.length <= limit) {
      budget *= 4;
      continue;
    }
    return { ids: enc.ids, tokens: enc.tokens, cut, source: src };
  }
}

/** Vocabulary piece of each id (`''` for ids outside the vocabulary). */
export function piecesOf(tok: Tokenizer, ids: Iterable<number>): string[] {
  const out: string[] = [];
  for (const id of ids) out.push(tok.id_to_token(id) ?? '');
  return out;
}
