import { invalid } from '../errors.js';
import { fuse, type FusionKind, type FusionOptions, type Weights3 } from '../fusion/index.js';
import { termFrequencies, type Analyzer, type TermVocabulary } from '../analyze/index.js';
import type { DenseIndex } from '../dense/index.js';
import type { SparseIndex } from '../sparse/index.js';
import type { MultiVectorStore } from '../multivector/index.js';
import type { EntryTable } from './entries.js';
import type { HybridConfig } from './hybrid-index.js';
import { compileFilter } from './filter.js';
import { checkFusionOptions } from './config.js';
import { topPositions, unionIds } from './topk.js';
import { explainHit } from './explain.js';
import type { EncodedLike, HybridEncoder, SearchHit, SearchMode, SearchOptions } from './types.js';

/** Everything the search pipeline reads. */
export interface SearchContext {
  config: HybridConfig;
  entries: EntryTable;
  dense: DenseIndex | null;
  sparse: SparseIndex | null;
  mv: MultiVectorStore | null;
  bm25: { index: SparseIndex; vocab: TermVocabulary; analyzer: Analyzer } | null;
  encoder: HybridEncoder;
  truncateDense: (v: Float32Array) => Float32Array;
}

const MODES: readonly SearchMode[] = ['dense', 'sparse', 'multivector', 'dense+sparse', 'all', 'bm25'];

/** Scored candidates of one query before roll-up: internal ids and aligned columns. */
export interface ScoredCandidates {
  ids: Uint32Array;
  dense: Float32Array | null;
  sparse: Float32Array | null;
  multivector: Float32Array | null;
  bm25: Float32Array | null;
}

/** Validates search options shared by search and calibrate. */
export function resolveOptions(ctx: SearchContext, opts: SearchOptions) {
  const k = opts.k ?? 10;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) invalid('INVALID_ARGUMENT', `k must be a positive integer (got ${String(k)})`);
  const mode = opts.mode ?? 'all';
  if (!MODES.includes(mode)) invalid('INVALID_ARGUMENT', `unknown mode '${String(mode)}': use ${MODES.join(', ')}`);
  const needs = { dense: mode === 'dense' || mode === 'dense+sparse' || mode === 'all', sparse: mode === 'sparse' || mode === 'dense+sparse' || mode === 'all', mv: mode === 'multivector' || mode === 'all', bm25: mode === 'bm25' };
  if (needs.dense && !ctx.dense && mode === 'dense') invalid('INVALID_ARGUMENT', "mode 'dense' needs the dense store, which this index disabled");
  if (needs.sparse && !ctx.sparse && mode === 'sparse') invalid('INVALID_ARGUMENT', "mode 'sparse' needs the sparse store, which this index disabled");
  if (needs.mv && !ctx.mv && mode === 'multivector') invalid('INVALID_ARGUMENT', "mode 'multivector' needs the multivector store, which this index disabled");
  if (needs.bm25 && !ctx.bm25) invalid('INVALID_ARGUMENT', "mode 'bm25' needs the BM25 store: create the index with { bm25: { analyzer } }");
  checkFusionOptions(opts.fusion);
  const f = opts.fusion;
  const kind: FusionKind = f?.kind ?? ctx.config.fusion.kind;
  if (kind === 'rrf' && f && 'weights' in f) invalid('INVALID_ARGUMENT', "fusion weights were given but this index fuses with RRF, which takes none: add kind 'weighted', 'dbsf' or 'minmax' to the search's fusion");
  const weights: Weights3 = (f && f.kind !== 'rrf' ? f.weights : undefined) ?? ctx.config.fusion.weights;
  const rrfK = (f?.kind === 'rrf' ? f.rrfK : undefined) ?? ctx.config.fusion.rrfK;
  const candidates = opts.candidates ?? ctx.config.candidates;
  if (!Number.isInteger(candidates) || candidates < 1) invalid('INVALID_ARGUMENT', 'candidates must be a positive integer');
  return { k, mode, needs, kind, weights, rrfK, candidates: Math.max(candidates, k) };
}

/** First stage + exact scoring of every candidate in every store the mode uses. */
export function scoreCandidates(ctx: SearchContext, queryText: string, enc: EncodedLike | null, opts: SearchOptions): ScoredCandidates {
  const r = resolveOptions(ctx, opts);
  const { mode, needs } = r;
  const filterFn = opts.filter ? compileFilter(opts.filter) : null;
  const entries = ctx.entries;
  const pred = (n: number): boolean => {
    const e = entries.entry(n);
    if (!e) return false;
    return filterFn ? filterFn(entries.metadata(e.doc), e.doc) : true;
  };
  const chunked = entries.liveEntries > entries.documents;
  const qDense = enc?.dense && ctx.dense ? ctx.truncateDense(enc.dense) : null;
  const qSparse = enc?.sparse && ctx.sparse ? enc.sparse : null;
  const qMv = enc?.multivector && ctx.mv ? enc.multivector : null;
  const qBm25 = ctx.bm25 && needs.bm25 ? termFrequencies(ctx.bm25.analyzer.terms(queryText), ctx.bm25.vocab, false) : null;
  const liveCount = entries.liveEntries;
  const single = chunked ? Math.max(r.candidates, r.k * 4) : r.k;
  const n = Math.min(r.candidates, Math.max(1, liveCount));
  const fetch = (k: number) => Math.min(k, Math.max(1, liveCount));
  const predicate = filterFn ? pred : (x: number) => entries.isLive(x);

  let ids: Uint32Array;
  if (opts.exhaustive || liveCount === 0) {
    ids = Uint32Array.from(Array.from(entries.liveInternalIds()).filter(pred));
  } else if (mode === 'dense') {
    ids = denseCandidates(ctx.dense!, qDense!, fetch(single), filterFn ? pred : null, entries);
  } else if (mode === 'sparse') {
    ids = qSparse ? ctx.sparse!.search(qSparse, fetch(single), { filter: predicate }).ids : new Uint32Array(0);
  } else if (mode === 'bm25') {
    ids = ctx.bm25!.index.search(qBm25!, fetch(single), { filter: predicate }).ids;
  } else {
    const lists: Uint32Array[] = [];
    if (ctx.dense && qDense) lists.push(denseCandidates(ctx.dense, qDense, n, filterFn ? pred : null, entries));
    if (ctx.sparse && qSparse && qSparse.ids.length > 0) lists.push(ctx.sparse.search(qSparse, n, { filter: predicate }).ids);
    if (lists.length === 0 && ctx.mv) ids = Uint32Array.from(Array.from(entries.liveInternalIds()).filter(pred));
    else ids = unionIds(...lists);
  }
  ids = Uint32Array.from(ids).sort();
  return {
    ids,
    dense: needs.dense && ctx.dense && qDense ? ctx.dense.score(qDense, ids) : null,
    sparse: needs.sparse && ctx.sparse && qSparse ? ctx.sparse.score(qSparse, ids) : needs.sparse && ctx.sparse ? new Float32Array(ids.length) : null,
    multivector: needs.mv && ctx.mv && qMv ? ctx.mv.score(qMv, ids) : null,
    bm25: needs.bm25 && ctx.bm25 && qBm25 ? ctx.bm25.index.score(qBm25, ids) : null,
  };
}

/**
 * Dense first stage. Deleting a document removes its entries from the dense store, so without a
 * user filter the store holds exactly the live entries: it is searched unfiltered (no callback
 * per graph candidate, DenseIndex's fastest path) and only the k results are checked; should
 * one not be live (a store out of step with the entry table), the liveness-filtered search
 * answers instead.
 */
function denseCandidates(dense: DenseIndex, q: Float32Array, k: number, pred: ((n: number) => boolean) | null, entries: EntryTable): Uint32Array {
  if (pred) return dense.search(q, k, { filter: pred }).ids;
  const ids = dense.search(q, k).ids;
  for (let i = 0; i < ids.length; i++) if (!entries.isLive(ids[i]!)) return dense.search(q, k, { filter: (x) => entries.isLive(x) }).ids;
  return ids;
}

/** Fuses scored candidates for a mode (RRF ignores `weights`: every list counts equally). */
export function fuseCandidates(c: ScoredCandidates, mode: SearchMode, kind: FusionKind, weights: Weights3, rrfK: number): ArrayLike<number> {
  const opts = (w: Weights3): FusionOptions => (kind === 'rrf' ? { kind, rrfK } : { kind, weights: w });
  switch (mode) {
    case 'dense':
      return c.dense ?? new Float32Array(c.ids.length);
    case 'sparse':
      return c.sparse ?? new Float32Array(c.ids.length);
    case 'multivector':
      return c.multivector ?? new Float32Array(c.ids.length);
    case 'bm25':
      return c.bm25 ?? new Float32Array(c.ids.length);
    case 'dense+sparse':
      return fuse([c.dense, c.sparse, null], opts([weights[0], weights[1], 0]));
    default:
      return fuse([c.dense, c.sparse, c.multivector], opts(weights));
  }
}

/** The whole pipeline: candidates → exact scores → fusion → roll-up to documents → hits. */
export function runSearch(ctx: SearchContext, queryText: string, enc: EncodedLike | null, opts: SearchOptions): SearchHit[] {
  const r = resolveOptions(ctx, opts);
  const c = scoreCandidates(ctx, queryText, enc, opts);
  const fused = fuseCandidates(c, r.mode, r.kind, r.weights, r.rrfK);
  const order = topPositions(fused, c.ids.length, c.ids);
  const seen = new Set<unknown>();
  const hits: SearchHit[] = [];
  for (const p of order) {
    if (hits.length >= r.k) break;
    const internal = c.ids[p]!;
    const e = ctx.entries.entry(internal)!;
    if (seen.has(e.doc)) continue;
    seen.add(e.doc);
    const scores: SearchHit['scores'] = {};
    if (c.dense) scores.dense = c.dense[p]!;
    if (c.sparse) scores.sparse = c.sparse[p]!;
    if (c.multivector) scores.multivector = c.multivector[p]!;
    if (c.bm25) scores.bm25 = c.bm25[p]!;
    const hit: SearchHit = { id: e.doc, score: fused[p]!, scores };
    const md = ctx.entries.metadata(e.doc);
    if (md !== undefined) hit.metadata = md;
    if (opts.includeText) {
      const text = ctx.entries.text(e.doc);
      if (text !== undefined) hit.text = text;
    }
    if (e.chunk >= 0) {
      const text = ctx.entries.text(e.doc);
      hit.chunk = { index: e.chunk, start: e.start, end: e.end, ...(text !== undefined ? { text: text.slice(e.start, e.end) } : {}) };
    }
    if (opts.explain) hit.explanation = explainHit(ctx, internal, e.doc, enc, scores, r.mode, r.kind, r.kind === 'rrf' ? [1, 1, 1] : r.weights);
    hits.push(hit);
  }
  return hits;
}
