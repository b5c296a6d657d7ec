/**
 * The search pipeline over channels: resolve which channels a search uses and how it fuses
 * them, take each candidate-producing channel's exact top-N (union), score every candidate
 * exactly in every selected channel, fuse, and roll chunks up to their documents. Names no
 * store: everything goes through the Channel contract. Owns no state.
 */
import { invalid } from '../errors.js';
import { fuseColumns, type FusionColumn, type FusionKind, type NamedWeights } from '../fusion/index.js';
import type { Channel, OffThreadFilter, QuerySource } from '../channels/index.js';
import type { EntryTable } from './entries.js';
import type { HybridConfig } from './config.js';
import { compileFilter } from './filter.js';
import { checkFusionOptions } from './config.js';
import { topPositions, unionIds } from './topk.js';
import { explainHit } from './explain.js';
import type { HybridEncoder, SearchHit, SearchMode, SearchOptions } from './types.js';

/** Everything the search pipeline reads. */
export interface SearchContext {
  config: HybridConfig;
  entries: EntryTable;
  channels: ReadonlyMap<string, Channel>;
  encoder: HybridEncoder | null;
}

const MODES: readonly SearchMode[] = ['dense', 'sparse', 'multivector', 'dense+sparse', 'all', 'bm25'];

/** The channel names a mode stands for (channels named after their kind). */
const MODE_CHANNELS: Record<SearchMode, readonly string[]> = {
  dense: ['dense'],
  sparse: ['sparse'],
  multivector: ['multivector'],
  bm25: ['bm25'],
  'dense+sparse': ['dense', 'sparse'],
  all: ['dense', 'sparse', 'multivector'],
};

/** A search's resolved settings. */
export interface ResolvedSearch {
  k: number;
  mode: SearchMode | undefined;
  /** The selected channels, in the index's channel order. */
  channels: Channel[];
  /** True when the caller named the channels (then each must be able to answer the query). */
  explicit: boolean;
  kind: FusionKind;
  /** Weight per selected channel name. */
  weights: Record<string, number>;
  rrfK: number;
  candidates: number;
}

/** Validates search options (shared by search and calibrate) and resolves channels and fusion. */
export function resolveOptions(ctx: SearchContext, opts: SearchOptions): ResolvedSearch {
  const k = opts.k ?? 10;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) invalid('INVALID_ARGUMENT', `k must be a positive integer (got ${String(k)})`);
  const mode = opts.mode;
  if (mode !== undefined && !MODES.includes(mode)) invalid('INVALID_ARGUMENT', `unknown mode '${String(mode)}': use ${MODES.join(', ')}, or name channels with { channels: [...] }`);
  if (mode !== undefined && opts.channels !== undefined) invalid('INVALID_ARGUMENT', "give either mode or channels, not both (a mode is a name for a set of channels: 'all' = dense, sparse, multivector)");
  let names: readonly string[];
  if (opts.channels !== undefined) {
    if (!Array.isArray(opts.channels) || opts.channels.length === 0) invalid('INVALID_ARGUMENT', `channels must be a non-empty array of channel names (this index has ${[...ctx.channels.keys()].join(', ')})`);
    for (const n of opts.channels) if (!ctx.channels.has(n)) invalid('INVALID_ARGUMENT', `unknown channel ${JSON.stringify(n)}: this index has ${[...ctx.channels.keys()].join(', ')}`);
    if (new Set(opts.channels).size !== opts.channels.length) invalid('INVALID_ARGUMENT', 'channels names a channel twice');
    names = opts.channels;
  } else if (mode !== undefined) {
    names = MODE_CHANNELS[mode].filter((n) => ctx.channels.has(n));
    if (names.length === 0) {
      if (mode === 'bm25') invalid('INVALID_ARGUMENT', "mode 'bm25' needs the BM25 store: create the index with { bm25: { analyzer } }");
      invalid('INVALID_ARGUMENT', `mode '${mode}' needs the ${MODE_CHANNELS[mode].join(' or ')} store, which this index disabled`);
    }
  } else {
    names = ctx.config.fusion.channels;
  }
  const channels = [...ctx.channels.values()].filter((c) => names.includes(c.name));
  checkFusionOptions(opts.fusion);
  const f = opts.fusion;
  const kind: FusionKind = f?.kind ?? ctx.config.fusion.kind;
  if (kind === 'rrf' && f && 'weights' in f) invalid('INVALID_ARGUMENT', "fusion weights were given but this index fuses with RRF, which takes none: add kind 'weighted', 'dbsf' or 'minmax' to the search's fusion");
  const given = f && f.kind !== 'rrf' ? f.weights : undefined;
  const weights = given === undefined ? ctx.config.fusion.weights : namedWeights(ctx, given);
  const picked: Record<string, number> = {};
  for (const c of channels) picked[c.name] = weights[c.name] ?? 0;
  if (channels.length > 1 && kind !== 'rrf' && !channels.some((c) => picked[c.name]! > 0)) {
    invalid('INVALID_ARGUMENT', `every selected channel (${channels.map((c) => c.name).join(', ')}) has weight 0: give at least one a positive weight`);
  }
  const rrfK = (f?.kind === 'rrf' ? f.rrfK : undefined) ?? ctx.config.fusion.rrfK;
  const candidates = opts.candidates ?? ctx.config.candidates;
  if (!Number.isInteger(candidates) || candidates < 1) invalid('INVALID_ARGUMENT', 'candidates must be a positive integer');
  return { k, mode, channels, explicit: opts.channels !== undefined, kind, weights: picked, rrfK, candidates: Math.max(candidates, k) };
}

/** Weights as given to a search: `[dense, sparse, multivector]`, or by channel name. */
function namedWeights(ctx: SearchContext, w: readonly number[] | NamedWeights): Record<string, number> {
  if (Array.isArray(w)) return { dense: w[0]!, sparse: w[1]!, multivector: w[2]! };
  for (const n of Object.keys(w)) if (!ctx.channels.has(n)) invalid('INVALID_ARGUMENT', `fusion weights name ${JSON.stringify(n)}, which is not a channel of this index (${[...ctx.channels.keys()].join(', ')})`);
  return { ...(w as NamedWeights) };
}

/** Scored candidates of one query before roll-up: internal ids and one column per channel. */
export interface ScoredCandidates {
  ids: Uint32Array;
  /** Exact scores by channel name (channels the query had nothing for are absent). */
  columns: Map<string, Float32Array>;
  /** The query's best score per unbounded channel (the weighted fusion's divisor). */
  scales: Map<string, number>;
  /** Each selected channel's prepared query (for explanations). */
  queries: Map<string, unknown>;
}

/** What a search's first stage and scoring need, resolved once (shared by the main-thread and the off-thread pipelines). */
interface Plan {
  queries: Map<string, unknown>;
  /** Selected channels the query has something for. */
  active: Channel[];
  /** Those of them that produce candidates. */
  producers: Channel[];
  depth: number;
  /** The user's filter (null: none) and the liveness-and-filter predicate on internal ids. */
  filterFn: ((metadata: unknown, id: unknown) => boolean) | null;
  pred: (n: number) => boolean;
  /** True when every live (filtered) entry is a candidate (exhaustive, or nothing produces). */
  everything: boolean;
}

function plan(ctx: SearchContext, src: QuerySource, r: ResolvedSearch, opts: SearchOptions): Plan {
  const filterFn = opts.filter ? compileFilter(opts.filter) : null;
  const entries = ctx.entries;
  const pred = (n: number): boolean => {
    const doc = entries.docOf(n);
    if (doc === undefined) return false;
    return filterFn ? filterFn(entries.metadata(doc), doc) : true;
  };
  const queries = new Map<string, unknown>();
  for (const ch of r.channels) {
    const q = ch.query(src);
    if (q !== null) queries.set(ch.name, q);
    else if (r.explicit) invalid('INVALID_ARGUMENT', `channel '${ch.name}' has nothing to search with: it needs ${ch.kind === 'bm25' ? "the query's text" : ch.spec.kind !== 'bm25' && ch.spec.source === 'vectors' ? `search({ vectors: { ${ch.name}: … } })` : "the query's text (encoded by the index's encoder)"}`);
  }
  const active = r.channels.filter((c) => queries.has(c.name));
  const chunked = entries.liveEntries > entries.documents;
  const liveCount = entries.liveEntries;
  const single = chunked ? Math.max(r.candidates, r.k * 4) : r.k;
  const depth = Math.min(active.length === 1 ? single : r.candidates, Math.max(1, liveCount));
  const producers = active.filter((c) => c.firstStage);
  const everything = active.length > 0 && (opts.exhaustive === true || liveCount === 0 || producers.length === 0);
  return { queries, active, producers, depth, filterFn: filterFn as Plan['filterFn'], pred, everything };
}

/** The candidate ids (sorted) from the producers' lists, or every live filtered entry. */
function candidateIds(ctx: SearchContext, p: Plan, lists: Uint32Array[]): Uint32Array {
  let ids: Uint32Array;
  if (p.active.length === 0) ids = new Uint32Array(0);
  else if (p.everything) ids = Uint32Array.from(Array.from(ctx.entries.liveInternalIds()).filter(p.pred));
  else ids = lists.length === 1 ? lists[0]! : unionIds(...lists);
  return Uint32Array.from(ids).sort();
}

/** Every unbounded channel without a first-stage best: the best of its column (every document the search may return is a candidate there). */
function columnScales(p: Plan, columns: Map<string, Float32Array>, scales: Map<string, number>): void {
  for (const ch of p.active) {
    if (!ch.unbounded || scales.has(ch.name)) continue;
    const col = columns.get(ch.name)!;
    let best = 0;
    for (let i = 0; i < col.length; i++) if (col[i]! > best) best = col[i]!;
    scales.set(ch.name, best);
  }
}

/** First stage + exact scoring of every candidate in every selected channel. */
export function scoreCandidates(ctx: SearchContext, src: QuerySource, r: ResolvedSearch, opts: SearchOptions): ScoredCandidates {
  const p = plan(ctx, src, r, opts);
  const scales = new Map<string, number>();
  const lists: Uint32Array[] = [];
  if (p.active.length > 0 && !p.everything) {
    for (const ch of p.producers) {
      const top = firstStage(ch, p.queries.get(ch.name), p.depth, p.filterFn ? p.pred : null, ctx.entries);
      lists.push(top.ids);
      if (ch.unbounded) scales.set(ch.name, top.scores.length > 0 ? Math.max(0, top.scores[0]!) : 0);
    }
  }
  const ids = candidateIds(ctx, p, lists);
  const columns = new Map<string, Float32Array>();
  for (const ch of p.active) columns.set(ch.name, ch.score(p.queries.get(ch.name), ids));
  columnScales(p, columns, scales);
  return { ids, columns, scales, queries: p.queries };
}

/**
 * {@link scoreCandidates} with each channel's store work on worker threads where the channel
 * can (`candidatesOff` / `scoreOff`), the channels' first stages in parallel and then their
 * scoring in parallel; the same candidates and scores. The caller must check that no write
 * landed while it awaited (the channels' in-memory parts are read at the start of each stage).
 */
export async function scoreCandidatesOff(ctx: SearchContext, src: QuerySource, r: ResolvedSearch, opts: SearchOptions): Promise<ScoredCandidates> {
  const p = plan(ctx, src, r, opts);
  const scales = new Map<string, number>();
  let lists: Uint32Array[] = [];
  if (p.active.length > 0 && !p.everything) {
    const filter = p.filterFn ? offFilter(ctx.entries, p.pred) : null;
    const tops = await Promise.all(p.producers.map((ch) => firstStageOff(ch, p.queries.get(ch.name), p.depth, filter, ctx.entries)));
    lists = tops.map((t) => t.ids);
    p.producers.forEach((ch, i) => {
      const top = tops[i]!;
      if (ch.unbounded) scales.set(ch.name, top.scores.length > 0 ? Math.max(0, top.scores[0]!) : 0);
    });
  }
  const ids = candidateIds(ctx, p, lists);
  const cols = await Promise.all(p.active.map((ch) => (ch.scoreOff ? ch.scoreOff(p.queries.get(ch.name), ids) : ch.score(p.queries.get(ch.name), ids))));
  const columns = new Map<string, Float32Array>();
  for (let i = 0; i < p.active.length; i++) columns.set(p.active[i]!.name, cols[i]!);
  columnScales(p, columns, scales);
  return { ids, columns, scales, queries: p.queries };
}

/** A predicate on internal ids with its allow bitmap over the live entries (for worker threads). */
function offFilter(entries: EntryTable, test: (n: number) => boolean): OffThreadFilter {
  const live = entries.liveInternalIds();
  let max = -1;
  for (let i = 0; i < live.length; i++) if (live[i]! > max) max = live[i]!;
  const allow = new Uint8Array((max >> 3) + 1);
  for (let i = 0; i < live.length; i++) {
    const n = live[i]!;
    if (test(n)) allow[n >> 3]! |= 1 << (n & 7);
  }
  return { test, allow };
}

/**
 * One channel's first stage. Deleting a document removes its entries from every channel, so
 * without a user filter a channel holds exactly live entries: it is searched unfiltered (its
 * fastest path) and only the results are checked; should one not be live (a store out of
 * step with the entry table), the liveness-filtered search answers instead.
 */
function firstStage(ch: Channel, q: unknown, k: number, pred: ((n: number) => boolean) | null, entries: EntryTable): { ids: Uint32Array; scores: Float32Array } {
  if (pred) return ch.candidates(q, k, pred);
  const top = ch.candidates(q, k, null);
  for (let i = 0; i < top.ids.length; i++) if (!entries.isLive(top.ids[i]!)) return ch.candidates(q, k, (x) => entries.isLive(x));
  return top;
}

/** {@link firstStage} on worker threads where the channel can. */
async function firstStageOff(ch: Channel, q: unknown, k: number, filter: OffThreadFilter | null, entries: EntryTable): Promise<{ ids: Uint32Array; scores: Float32Array }> {
  const run = (f: OffThreadFilter | null) => (ch.candidatesOff ? ch.candidatesOff(q, k, f) : ch.candidates(q, k, f?.test ?? null));
  if (filter) return run(filter);
  const top = await run(null);
  for (let i = 0; i < top.ids.length; i++) if (!entries.isLive(top.ids[i]!)) return run(offFilter(entries, (x) => entries.isLive(x)));
  return top;
}

/**
 * Fuses scored candidates: one channel's scores as they are; several by the resolved kind
 * and weights (fusion/channels.ts).
 */
export function fuseCandidates(c: ScoredCandidates, r: Pick<ResolvedSearch, 'channels' | 'kind' | 'weights' | 'rrfK'>): ArrayLike<number> {
  const cols: FusionColumn[] = [];
  for (const ch of r.channels) {
    const scores = c.columns.get(ch.name);
    if (!scores) continue;
    const col: FusionColumn = { name: ch.name, scores, weight: r.weights[ch.name] ?? 0 };
    if (ch.unbounded) col.scale = c.scales.get(ch.name) ?? 0;
    cols.push(col);
  }
  if (cols.length === 0) return new Float32Array(c.ids.length);
  if (r.channels.length === 1) return cols[0]!.scores;
  if (r.kind !== 'rrf' && !cols.some((x) => x.weight > 0)) return new Float64Array(c.ids.length);
  return fuseColumns(cols, r.kind, r.rrfK);
}

/** The whole pipeline: candidates → exact scores → fusion → roll-up to documents → hits. */
export function runSearch(ctx: SearchContext, src: QuerySource, opts: SearchOptions, resolved?: ResolvedSearch): SearchHit[] {
  const r = resolved ?? resolveOptions(ctx, opts);
  return toHits(ctx, scoreCandidates(ctx, src, r, opts), r, opts);
}

/** {@link runSearch} with the store work on worker threads (see {@link scoreCandidatesOff}). */
export async function runSearchOff(ctx: SearchContext, src: QuerySource, opts: SearchOptions, resolved?: ResolvedSearch): Promise<SearchHit[]> {
  const r = resolved ?? resolveOptions(ctx, opts);
  return toHits(ctx, await scoreCandidatesOff(ctx, src, r, opts), r, opts);
}

/** Fusion, order, roll-up of chunks to their documents, and the hits. */
function toHits(ctx: SearchContext, c: ScoredCandidates, r: ResolvedSearch, opts: SearchOptions): SearchHit[] {
  const fused = fuseCandidates(c, r);
  // unchunked, every candidate is its own document: the best k positions are the hits
  const order = topPositions(fused, ctx.entries.liveEntries > ctx.entries.documents ? c.ids.length : r.k, c.ids);
  const seen = new Set<unknown>();
  const hits: SearchHit[] = [];
  for (const p of order) {
    if (hits.length >= r.k) break;
    const internal = c.ids[p]!;
    const e = ctx.entries.entry(internal)!;
    if (seen.has(e.doc)) continue;
    seen.add(e.doc);
    const scores: SearchHit['scores'] = {};
    for (const [name, col] of c.columns) scores[name] = col[p]!;
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
    if (opts.explain) hit.explanation = explainHit(ctx, internal, e.doc, c, p, r);
    hits.push(hit);
  }
  return hits;
}
