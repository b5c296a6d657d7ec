/**
 * Options-object checks shared by every public entry point: an unknown key is an
 * INVALID_ARGUMENT that names the key and the closest valid one, so `{ limit: 5 }` or
 * `{ topK: 5 }` (LanceDB, Qdrant and Orama spellings) fails loudly instead of being ignored.
 * Owns nothing else: value checks stay with the module that uses the value.
 */
import { InvalidArgumentError } from './errors.js';

/**
 * The valid keys of one options type, written as `{ key: true, … } satisfies OptionKeys<T>` so
 * the compiler checks that the list names exactly the type's keys.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** Spellings other libraries use, mapped to ours (only suggested when the target is valid). */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  k: ['limit', 'topk', 'top_k', 'n', 'size', 'count', 'topn'],
  filter: ['where', 'filters', 'prefilter'],
  weights: ['weight'],
  signal: ['abortsignal'],
  includeText: ['withtext', 'returntext', 'text', 'withpayload', 'includedocument'],
  candidates: ['numcandidates', 'ef', 'oversample'],
  rrfK: ['k', 'rankconstant', 'rank_constant'],
  dir: ['path', 'directory', 'folder'],
  exhaustive: ['exact', 'bruteforce', 'brute_force'],
  exact: ['exhaustive', 'bruteforce', 'brute_force'],
};

/**
 * Damerau–Levenshtein distance (optimal string alignment: insertions, deletions, substitutions
 * and swaps of two neighbouring characters each cost 1), case-sensitive.
 *
 * @example
 * ```ts
 * editDistance('limt', 'limit'); // 1
 * editDistance('modle', 'model'); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** {@link editDistance} ignoring case. */
function distance(a: string, b: string): number {
  return editDistance(a.toLowerCase(), b.toLowerCase());
}

/**
 * The valid key closest to `key`: a known alias first (`limit` → `k`), then a prefix (`pool` →
 * `poolFactor`), else the smallest edit distance (ties: the first in `valid`).
 *
 * @example
 * ```ts
 * closestKey('limit', ['k', 'mode']); // 'k'
 * closestKey('fliter', ['k', 'filter']); // 'filter'
 * ```
 */
export function closestKey(key: string, valid: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  for (const v of valid) if (v.toLowerCase() === lower) return v;
  for (const v of valid) if (ALIASES[v]?.includes(lower)) return v;
  if (lower.length >= 3) for (const v of valid) if (v.toLowerCase().startsWith(lower) || lower.startsWith(v.toLowerCase())) return v;
  let best: string | undefined;
  let bestD = Infinity;
  for (const v of valid) {
    const dd = distance(key, v);
    if (dd < bestD) {
      bestD = dd;
      best = v;
    }
  }
  return best;
}

/**
 * Throws an {@link InvalidArgumentError} (INVALID_ARGUMENT) unless `opts` is undefined or a
 * plain object whose own keys are all in `keys`; the message names the unknown key, the
 * closest valid one and the full list. Values are not checked here.
 *
 * @example
 * ```ts
 * checkOptions('search() options', { limit: 5 }, { k: true, mode: true });
 * // INVALID_ARGUMENT: search() options: unknown option 'limit'; did you mean 'k'? (valid: k, mode)
 * ```
 */
export function checkOptions(where: string, opts: unknown, keys: Readonly<Record<string, true>>): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `${where} must be an object, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  const valid = Object.keys(keys);
  for (const key of Object.keys(opts)) {
    if (Object.hasOwn(keys, key)) continue;
    const near = closestKey(key, valid);
    throw new InvalidArgumentError('INVALID_ARGUMENT', `${where}: unknown option '${key}'${near ? `; did you mean '${near}'?` : ''} (valid: ${valid.join(', ')})`);
  }
}
