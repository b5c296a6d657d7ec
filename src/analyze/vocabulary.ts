/**
 * Term string ↔ dense u32 id, for BM25 over analyser terms, and term lists → term-frequency
 * sparse vectors.
 */
import { invalid, StorageError } from '../errors.js';
import type { SparseVector } from '../sparse/vector.js';

const VOCAB_MAGIC = 'trident-term-vocabulary';
/**
 * Version of the JSON form written by {@link TermVocabulary.toJSON}.
 *
 * @example
 * ```ts
 * vocab.toJSON().formatVersion === VOCAB_FORMAT_VERSION; // true
 * ```
 */
export const VOCAB_FORMAT_VERSION = 1;

/**
 * JSON form of a {@link TermVocabulary}: term at index i has id i.
 *
 * @example
 * ```ts
 * const j: TermVocabularyJSON = { magic: 'trident-term-vocabulary', formatVersion: 1, terms: ['a', 'b'] };
 * ```
 */
export interface TermVocabularyJSON {
  magic: string;
  formatVersion: number;
  terms: string[];
}

/**
 * Assigns ids 0, 1, 2… to terms in first-seen order.
 *
 * @example
 * ```ts
 * const v = new TermVocabulary();
 * v.idOf('cat', true); // 0
 * v.idOf('dog', false); // -1 (unknown, not created)
 * v.termOf(0); // 'cat'
 * ```
 */
export class TermVocabulary {
  #ids = new Map<string, number>();
  #terms: string[] = [];

  /** Number of terms. */
  get size(): number {
    return this.#terms.length;
  }

  /**
   * Id of `term`; when unknown, creates it if `create` is true, else returns -1.
   *
   * @example
   * ```ts
   * vocab.idOf('cat', true);
   * ```
   */
  idOf(term: string, create: boolean): number {
    const id = this.#ids.get(term);
    if (id !== undefined) return id;
    if (!create) return -1;
    if (typeof term !== 'string') invalid('INVALID_ARGUMENT', `terms must be strings, got ${typeof term}`);
    const next = this.#terms.length;
    if (next >= 0xffffffff) invalid('INVALID_ARGUMENT', 'term vocabulary is full (2^32 - 1 terms)');
    this.#ids.set(term, next);
    this.#terms.push(term);
    return next;
  }

  /**
   * The term with id `id`; throws `UNKNOWN_ID` when out of range.
   *
   * @example
   * ```ts
   * vocab.termOf(0);
   * ```
   */
  termOf(id: number): string {
    const t = Number.isInteger(id) ? this.#terms[id] : undefined;
    if (t === undefined) invalid('UNKNOWN_ID', `term id ${id} is not in the vocabulary (size ${this.#terms.length})`);
    return t;
  }

  /**
   * Serialisable form (with magic and format version).
   *
   * @example
   * ```ts
   * JSON.stringify(vocab); // uses toJSON()
   * ```
   */
  toJSON(): TermVocabularyJSON {
    return { magic: VOCAB_MAGIC, formatVersion: VOCAB_FORMAT_VERSION, terms: [...this.#terms] };
  }

  /**
   * Rebuilds a vocabulary from {@link toJSON} output. Throws `StorageError` (`CORRUPT_FILE`,
   * `FORMAT_VERSION_UNSUPPORTED`) on bad content.
   *
   * @example
   * ```ts
   * const v2 = TermVocabulary.fromJSON(JSON.parse(text));
   * ```
   */
  static fromJSON(json: unknown): TermVocabulary {
    const j = json as Partial<TermVocabularyJSON> | null;
    if (j === null || typeof j !== 'object' || j.magic !== VOCAB_MAGIC) {
      throw new StorageError('CORRUPT_FILE', 'term vocabulary JSON lacks the trident-term-vocabulary magic; rebuild the index');
    }
    if (j.formatVersion !== VOCAB_FORMAT_VERSION) {
      throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `term vocabulary has format version ${String(j.formatVersion)}; this trident reads ${VOCAB_FORMAT_VERSION}`);
    }
    if (!Array.isArray(j.terms)) throw new StorageError('CORRUPT_FILE', 'term vocabulary JSON has no terms array');
    const v = new TermVocabulary();
    for (const t of j.terms) {
      if (typeof t !== 'string') throw new StorageError('CORRUPT_FILE', 'term vocabulary holds a non-string term');
      if (v.#ids.has(t)) throw new StorageError('CORRUPT_FILE', `term vocabulary holds ${JSON.stringify(t)} twice`);
      v.idOf(t, true);
    }
    return v;
  }
}

/**
 * Counts terms into a term-frequency {@link SparseVector} (ids ascending). Unknown terms get new
 * ids when `create` is true (indexing) and are dropped when false (querying).
 *
 * @example
 * ```ts
 * const v = new TermVocabulary();
 * termFrequencies(['a', 'b', 'a'], v, true); // ids [0, 1], weights [2, 1]
 * ```
 */
export function termFrequencies(terms: string[], vocab: TermVocabulary, create: boolean): SparseVector {
  if (!Array.isArray(terms)) invalid('INVALID_ARGUMENT', 'terms must be an array of strings');
  for (const t of terms) {
    if (typeof t !== 'string') invalid('INVALID_ARGUMENT', `terms must be strings, got ${typeof t}`);
  }
  return countTerms(terms, (t) => vocab.idOf(t, create));
}

/** Ids above this are counted in a Map instead of the dense scratch array. */
const DENSE_ID_LIMIT = 1 << 24;
/** Scratch counts by term id, all zero between calls. */
let scratch = new Uint32Array(1024);

/**
 * Counts terms into a term-frequency {@link SparseVector} (ids ascending), with ids given by
 * `idOf` (a negative id drops the term). Counting uses a dense scratch array indexed by id, so a
 * document costs no Map and two small typed arrays; ids above 2^24 fall back to a Map.
 *
 * @example
 * ```ts
 * const v = new TermVocabulary();
 * countTerms(['a', 'b', 'a'], (t) => v.idOf(t, true)); // ids [0, 1], weights [2, 1]
 * ```
 */
export function countTerms(terms: readonly string[], idOf: (term: string) => number): SparseVector {
  return countIds(terms.length, (i) => idOf(terms[i]!));
}

/**
 * Counts `n` term ids (`idAt(i)`, -1 = skip) into a term-frequency vector, ids ascending: the
 * core of {@link countTerms}, shared with the batch analyser (src/analyze/term-batch.ts).
 *
 * @example
 * ```ts
 * countIds(3, (i) => [5, 2, 5][i]!); // ids [2, 5], weights [1, 2]
 * ```
 */
export function countIds(n: number, idAt: (i: number) => number): SparseVector {
  const distinct = new Uint32Array(n);
  let m = 0;
  let big: Map<number, number> | null = null;
  for (let i = 0; i < n; i++) {
    let id: number;
    try {
      id = idAt(i);
    } catch (e) {
      for (let j = 0; j < m; j++) if (distinct[j]! < DENSE_ID_LIMIT) scratch[distinct[j]!] = 0; // leave the scratch all zero
      throw e;
    }
    if (id < 0) continue;
    if (id >= DENSE_ID_LIMIT) {
      big ??= new Map();
      const c = big.get(id);
      if (c === undefined) distinct[m++] = id;
      big.set(id, (c ?? 0) + 1);
      continue;
    }
    if (id >= scratch.length) {
      const grown = new Uint32Array(Math.max(scratch.length * 2, id + 1));
      grown.set(scratch);
      scratch = grown;
    }
    const c = scratch[id]!;
    scratch[id] = c + 1;
    if (c === 0) distinct[m++] = id;
  }
  const ids = distinct.slice(0, m).sort();
  const weights = new Float32Array(m);
  for (let j = 0; j < m; j++) {
    const id = ids[j]!;
    if (id >= DENSE_ID_LIMIT) weights[j] = big!.get(id)!;
    else {
      weights[j] = scratch[id]!;
      scratch[id] = 0;
    }
  }
  return { ids, weights };
}

/** XLM-R special token ids dropped by default: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3. */
const SPECIAL_TOKEN_IDS = [0, 1, 2, 3];

/**
 * Counts model token ids into a term-frequency {@link SparseVector} for BM25 over the model's
 * vocabulary (ids ascending). Ids in `exclude` (default: XLM-R's `<s>`, `<pad>`, `</s>`, `<unk>`)
 * are dropped. Throws `INVALID_ARGUMENT` for ids that are not integers in [0, 2^32).
 *
 * @example
 * ```ts
 * countTokenIds([0, 581, 9, 581, 2]); // ids [9, 581], weights [1, 2]
 * ```
 */
export function countTokenIds(tokenIds: ArrayLike<number>, exclude: ArrayLike<number> = SPECIAL_TOKEN_IDS): SparseVector {
  const skip = new Set(Array.from(exclude));
  const counts = new Map<number, number>();
  for (let i = 0; i < tokenIds.length; i++) {
    const id = tokenIds[i]!;
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      invalid('INVALID_ARGUMENT', `token id at position ${i} is ${id}; token ids must be integers in [0, 2^32)`);
    }
    if (skip.has(id)) continue;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const ids = Uint32Array.from(counts.keys()).sort();
  const weights = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) weights[i] = counts.get(ids[i]!)!;
  return { ids, weights };
}
