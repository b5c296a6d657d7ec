/**
 * Applies validated changes (add, update, delete) to the entry table and every store,
 * all-or-nothing: if any store throws part-way, everything this change did is undone before
 * the error propagates, so a rejected change leaves no trace (sizes, stores, BM25 statistics,
 * the term vocabulary). Owns no state; never touches files or the write-ahead log.
 */
import type { DenseIndex } from '../dense/index.js';
import type { SparseIndex } from '../sparse/index.js';
import type { SparseVector } from '../sparse/vector.js';
import type { MultiVectorStore } from '../multivector/index.js';
import type { Analyzer, TermVocabulary } from '../analyze/index.js';
import type { ExternalId } from '../store/index.js';
import type { DocumentVersion, EntryTable } from './entries.js';
import type { PreparedDoc } from './chunking.js';
import type { DocumentInput } from './types.js';

/** The mutable state one change touches. */
export interface Stores {
  entries: EntryTable;
  dense: DenseIndex | null;
  denseDimensions: number;
  sparse: SparseIndex | null;
  mv: MultiVectorStore | null;
  bm25: { index: SparseIndex; vocab: TermVocabulary; analyzer: Analyzer } | null;
  storeText: boolean;
}

/**
 * BM25 terms of every unit of every document (null without a BM25 store). This is the step
 * that may throw on hostile text (analyser limits), so it runs before anything is logged or
 * changed.
 */
export function analyseUnits(s: Stores, docs: readonly DocumentInput[], prepared: readonly PreparedDoc[]): string[][][] | null {
  const bm25 = s.bm25;
  if (!bm25) return null;
  return prepared.map((p, i) => p.units.map((u) => bm25.analyzer.terms(docs[i]!.text.slice(u.start, u.end))));
}

/**
 * Adds or replaces documents (an `add` has been checked to hold only new ids). Returns how
 * many existing documents were replaced. On a throw nothing has changed.
 */
export function applyUpsert(
  s: Stores,
  docs: readonly DocumentInput[],
  prepared: readonly PreparedDoc[],
  terms: string[][][] | null,
  truncate: (v: Float32Array, d: number) => Float32Array,
): number {
  // BM25 vectors with provisional ids for new terms: the vocabulary changes only on success
  const fresh = new Map<string, number>();
  const idOf = (t: string) => {
    const id = s.bm25!.vocab.idOf(t, false);
    if (id >= 0) return id;
    let f = fresh.get(t);
    if (f === undefined) fresh.set(t, (f = s.bm25!.vocab.size + fresh.size));
    return f;
  };
  const vectors = s.bm25 && terms ? terms.map((units) => units.map((t) => frequencies(t, idOf))) : null;
  const done: Array<{ id: ExternalId; previous: DocumentVersion | null; ids: number[] }> = [];
  try {
    docs.forEach((doc, i) => {
      const prep = prepared[i]!;
      const previous = s.entries.snapshot(doc.id);
      const ids = s.entries.addDocument(doc.id, prep.units.map((u) => ({ start: u.start, end: u.end })), prep.chunked, doc.metadata, s.storeText ? doc.text : undefined);
      done.push({ id: doc.id, previous, ids });
      prep.units.forEach((u, j) => {
        const n = ids[j]!;
        if (s.dense && u.dense) s.dense.add(n, truncate(u.dense, s.denseDimensions));
        if (s.sparse && u.sparse) s.sparse.add(n, u.sparse);
        if (s.mv && u.multivector) s.mv.add(n, u.multivector);
        if (s.bm25 && vectors) s.bm25.index.add(n, vectors[i]![j]!);
      });
    });
  } catch (e) {
    for (const d of done.reverse()) {
      removeFromStores(s, d.ids);
      s.entries.restore(d.id, d.previous, d.ids);
    }
    throw e;
  }
  // committed: register the new terms (same order, so the same ids) and retire old versions
  if (s.bm25) for (const t of fresh.keys()) s.bm25.vocab.idOf(t, true);
  let replaced = 0;
  for (const d of done) {
    if (!d.previous) continue;
    replaced++;
    removeFromStores(s, d.previous.ids);
    s.entries.retire(d.previous.ids);
  }
  return replaced;
}

/** Deletes documents; unknown ids are counted, not errors. */
export function applyDelete(s: Stores, ids: readonly ExternalId[]): { deleted: number; unknown: number } {
  let deleted = 0;
  for (const id of ids) {
    const internal = s.entries.deleteDocument(id);
    if (internal.length === 0) continue;
    removeFromStores(s, internal);
    deleted++;
  }
  return { deleted, unknown: ids.length - deleted };
}

/** Removes internal ids from every store (ids a store does not hold are skipped). */
function removeFromStores(s: Stores, ids: readonly number[]): void {
  for (const n of ids) {
    s.dense?.remove(n);
    s.sparse?.delete(n);
    s.mv?.remove(n);
    s.bm25?.index.delete(n);
  }
}

/** Term frequencies as a sparse vector, ids ascending (what `termFrequencies` computes). */
function frequencies(terms: readonly string[], idOf: (t: string) => number): SparseVector {
  const counts = new Map<number, number>();
  for (const t of terms) {
    const id = idOf(t);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const ids = Uint32Array.from(counts.keys()).sort();
  const weights = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) weights[i] = counts.get(ids[i]!)!;
  return { ids, weights };
}
