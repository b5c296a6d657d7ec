/**
 * The BM25 channel: each unit's text analysed into terms (the analyser version the index was
 * built with), term frequencies in our inverted index scored by BM25 (exact pruned top-k).
 * New terms of an add are staged and enter the vocabulary only when the batch commits, so a
 * rejected batch leaves the vocabulary — and every statistic — as it was. BM25 scores are
 * unbounded: weighted fusion scales them by the query's best score (fusion/channels.ts).
 */
import * as path from 'node:path';
import { InvalidArgumentError, TridentError } from '../errors.js';
import { countTerms, createAnalyzer, termFrequencies, TermVocabulary, type Analyzer } from '../analyze/index.js';
import { autoIsEnglish } from '../analyze/analyzer.js';
import { analyzeEnglishBatch, analyzeEnglishBatchDeferred, countTermList, type TermList } from '../analyze/term-batch.js';
import { termPostings, type TermPostingsInput } from '../analyze/term-postings.js';
import { SparseIndex } from '../sparse/index.js';
import type { SparseVector } from '../sparse/vector.js';
import type { Bm25ChannelSpec, Channel, ChannelExplanation, ChannelStats, QuerySource, SaveIO, UnitSource } from './types.js';

/** The vocabulary's file name (inside the data dir: `<channel>-vocab.json`, as version 1 wrote `bm25-vocab.json`). */
export const vocabFile = (name: string) => `${name}-vocab.json`;

/** A unit's terms: as a list (one unit at a time) or as a document of a batch analysis. */
export type Bm25Value = string[] | TermList;

/** Fewest units a batch analysis is used for (below, one unit at a time costs less). */
const BATCH_MIN_UNITS = 8;

export class Bm25Channel implements Channel<Bm25Value, SparseVector> {
  readonly kind = 'bm25' as const;
  readonly unbounded = true;
  readonly firstStage = true;
  readonly spec: Bm25ChannelSpec;
  readonly store: SparseIndex;
  readonly vocab: TermVocabulary;
  readonly analyzer: Analyzer;
  #fresh: Map<string, number> | null = null;

  constructor(spec: Bm25ChannelSpec, store?: SparseIndex, vocab?: TermVocabulary) {
    this.spec = spec;
    this.store = store ?? SparseIndex.create({ scorer: 'bm25', k1: spec.k1, b: spec.b });
    this.vocab = vocab ?? new TermVocabulary();
    this.analyzer = createAnalyzer(spec.analyzer, { version: spec.analyzerVersion ?? 1 });
  }

  get name(): string {
    return this.spec.name;
  }
  get size(): number {
    return this.store.size;
  }
  has(id: number): boolean {
    return this.store.has(id);
  }

  /** The unit's terms; analyser failures are typed (INVALID_TEXT). */
  prepare(unit: UnitSource): string[] {
    try {
      return this.analyzer.terms(unit.text);
    } catch (e) {
      if (e instanceof TridentError) throw e;
      throw new InvalidArgumentError('INVALID_TEXT', `the BM25 analyser of channel '${this.name}' rejected document ${JSON.stringify(unit.doc)} (${(e as Error)?.message ?? String(e)}); nothing was added`, { cause: e });
    }
  }
  /**
   * A batch's terms in one pass (src/analyze/term-batch.ts, native when the addon loads) for
   * the english analyser and the 'auto' analyser (version 3 on; CJK and South-East Asian texts
   * through the analyser itself); other analysers, small batches and non-string texts go
   * through {@link prepare} unit by unit (same values, same errors).
   */
  prepareBatch(units: readonly UnitSource[]): Bm25Value[] {
    if (!this.#batchable(units)) return units.map((u) => this.prepare(u));
    const batch = analyzeEnglishBatch(
      units.map((u) => u.text as string),
      this.#fallback(),
    );
    return units.map((_, doc) => ({ batch, doc }));
  }
  /**
   * {@link prepareBatch} with the native analysis on a worker thread (when the addon offers
   * it): the values come back at once, usable when `ready` resolves — HybridIndex logs the
   * change meanwhile. Same values, same errors.
   */
  prepareBatchDeferred(units: readonly UnitSource[]): { values: Bm25Value[]; ready: Promise<void> } {
    if (!this.#batchable(units)) return { values: units.map((u) => this.prepare(u)), ready: Promise.resolve() };
    const { batch, ready } = analyzeEnglishBatchDeferred(
      units.map((u) => u.text as string),
      this.#fallback(),
    );
    return { values: units.map((_, doc) => ({ batch, doc })), ready };
  }
  /** Whether a batch analysis serves these units (english / auto v3, enough string texts). */
  #batchable(units: readonly UnitSource[]): boolean {
    const { analyzer: kind } = this.spec;
    const version = this.spec.analyzerVersion ?? 1;
    return version >= 3 && (kind === 'english' || kind === 'auto') && units.length >= BATCH_MIN_UNITS && units.every((u) => typeof u.text === 'string');
  }
  /** The 'auto' analyser's texts that are not English go through the analyser itself. */
  #fallback(): { fallback?: (text: string) => string[] | null } {
    return this.spec.analyzer === 'auto' ? { fallback: (text: string) => (autoIsEnglish(text) ? null : this.analyzer.terms(text)) } : {};
  }
  begin(): void {
    this.#fresh = new Map();
  }
  /** Term → id: known terms, else a staged id inside a batch (see commit), else a new term. */
  #idOf(): (t: string) => number {
    const fresh = this.#fresh;
    const vocab = this.vocab;
    return (t: string): number => {
      const known = vocab.idOf(t, false);
      if (known >= 0) return known;
      if (!fresh) return vocab.idOf(t, true);
      let f = fresh.get(t);
      if (f === undefined) {
        f = vocab.size + fresh.size;
        fresh.set(t, f);
      }
      return f;
    };
  }
  add(id: number, terms: Bm25Value): void {
    this.store.add(id, count(terms, this.#idOf()));
  }
  /** Term frequencies of every entry, then one batch insert (BM25 statistics updated once). */
  addBatch(ids: Uint32Array, values: readonly Bm25Value[]): void {
    const idOf = this.#idOf();
    const bulk = termMajorInput(ids, values, idOf);
    if (bulk) {
      // one batch analysis: postings grouped by term in one pass (native when the addon loads)
      this.store.addPostings(ids, termPostings(bulk));
      return;
    }
    // counted here: ids ascending and unique, weights positive integers
    this.store.addBatch(
      ids,
      values.map((terms) => count(terms, idOf)),
      { validated: true },
    );
  }
  commit(): void {
    // same order as staged, so the same ids
    if (this.#fresh) for (const t of this.#fresh.keys()) this.vocab.idOf(t, true);
    this.#fresh = null;
  }
  rollback(): void {
    this.#fresh = null;
  }
  remove(id: number): boolean {
    return this.store.delete(id);
  }

  query(q: QuerySource): SparseVector | null {
    if (typeof q.text !== 'string') return null;
    return termFrequencies(this.analyzer.terms(q.text), this.vocab, false);
  }
  candidates(q: SparseVector, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    if (q.ids.length === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0) };
    return this.store.search(q, k, filter ? { filter } : {});
  }
  score(q: SparseVector, ids: Uint32Array): Float32Array {
    return this.store.score(q, ids);
  }
  explain(q: SparseVector, id: number, score: number): ChannelExplanation {
    if (!this.store.has(id)) return { score, matches: [] };
    return {
      score,
      matches: this.store
        .matches(q, id)
        .map((m) => {
          // the term's BM25 share: the score of a query holding only this term
          const one = this.store.score({ ids: Uint32Array.of(m.id), weights: Float32Array.of(m.queryWeight) }, Uint32Array.of(id))[0]!;
          return { tokenId: m.id, token: this.vocab.termOf(m.id), queryWeight: m.queryWeight, docWeight: m.docWeight, contribution: one };
        })
        .sort((a, b) => b.contribution - a.contribution),
    };
  }
  stats(): ChannelStats {
    return { ...this.store.stats(), kind: 'bm25', size: this.store.size, terms: this.vocab.size };
  }
  compact(): void {
    this.store.compact();
  }
  /** Writes the postings into `dir` and the vocabulary beside it (`<name>-vocab.json` in the parent). */
  async save(dir: string, io: SaveIO): Promise<string[]> {
    const files = (await this.store.saveFiles(dir)).map((f) => path.basename(f));
    await io.writeFile(vocabFile(this.name), JSON.stringify(this.vocab.toJSON()));
    return files;
  }
}

/** Term frequencies of a unit's terms (ids from `idOf`; a batch caches them per `idOf`). */
function count(terms: Bm25Value, idOf: (term: string) => number): SparseVector {
  if (Array.isArray(terms)) return countTerms(terms, idOf);
  notPending((terms as TermList).batch);
  return countTermList(terms as TermList, idOf);
}

/** A deferred batch is used only once its analysis has finished (HybridIndex awaits `ready`). */
function notPending(batch: TermList['batch']): void {
  if (batch.pending) throw new Error('internal: a BM25 batch analysis was used before it finished (await its ready promise first); nothing was added');
}

/**
 * The bulk path's input when every value is a document of one batch analysis, in increasing
 * document order (else null: unit by unit). Local words are resolved to term ids in token order
 * over the selected documents — the order `countTermList` resolves them in — so new terms get
 * the same staged ids.
 */
function termMajorInput(ids: Uint32Array, values: readonly Bm25Value[], idOf: (term: string) => number): TermPostingsInput | null {
  if (values.length === 0 || !(ids instanceof Uint32Array) || ids.length !== values.length) return null;
  const first = values[0];
  if (Array.isArray(first)) return null;
  const batch = (first as TermList).batch;
  notPending(batch);
  const docSel = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Array.isArray(v) || (v as TermList).batch !== batch) return null;
    const d = (v as TermList).doc;
    if (i > 0 && d <= docSel[i - 1]!) return null;
    docSel[i] = d;
  }
  const { tokens, starts, terms } = batch;
  const wordTerm = new Int32Array(terms.length).fill(-2);
  if (batch.ordered && docSel.length === starts.length - 1) {
    // every document, local ids in first-seen order: word order is token order
    for (let w = 0; w < terms.length; w++) {
      const term = terms[w];
      wordTerm[w] = term === null || term === undefined ? -1 : Math.max(-1, idOf(term));
    }
    return { tokens, docStarts: starts, docSel, docIds: ids, wordTerm };
  }
  for (let i = 0; i < docSel.length; i++) {
    const d = docSel[i]!;
    for (let t = starts[d]!; t < starts[d + 1]!; t++) {
      const w = tokens[t]!;
      if (wordTerm[w] !== -2) continue;
      const term = terms[w];
      wordTerm[w] = term === null || term === undefined ? -1 : Math.max(-1, idOf(term));
    }
  }
  // words of documents outside the selection stay unresolved: dropped here
  for (let w = 0; w < wordTerm.length; w++) if (wordTerm[w] === -2) wordTerm[w] = -1;
  return { tokens, docStarts: starts, docSel, docIds: ids, wordTerm };
}
