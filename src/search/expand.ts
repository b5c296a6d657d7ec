/**
 * Query expansion hook: a user function (e.g. an LLM call) returns extra queries; each
 * query (the original first) is searched, and the ranked lists are fused with reciprocal
 * rank fusion: `score(id) = Σ_l w_l / (k + rank_l(id))`, ranks 1-based, `w` = 1 for the
 * original query and `expansionWeight` for each expansion (default 1), k = 60.
 * Ties break by first appearance (original list first), so the result is deterministic.
 */
import { invalid } from '../errors.js';
import { rrfFromRankings } from '../fusion/index.js';

/** Returns extra queries for a query (empty = no expansion). */
export type QueryExpander = (query: string) => Promise<string[]> | string[];

/** Options of {@link searchExpanded}. */
export interface ExpandOptions {
  /** Results returned (default: the longest list's length). */
  k?: number;
  /** RRF constant (default 60). */
  rrfK?: number;
  /** Weight of each expansion list relative to the original (default 1). */
  expansionWeight?: number;
  /** Cap on expansions used (default 8). */
  maxExpansions?: number;
}

/**
 * Runs `search` for the query and its expansions and fuses the lists with RRF.
 *
 * @example
 * ```ts
 * const hits = await searchExpanded('heart attack signs', async (q) => llmParaphrases(q),
 *   (q) => index.search(q, { k: 50 }), { k: 10 });
 * hits[0].queries; // which queries found it
 * ```
 */
export async function searchExpanded<H extends { id: string | number }>(query: string, expander: QueryExpander, search: (q: string) => Promise<H[]>, opts: ExpandOptions = {}): Promise<Array<H & { fusedScore: number; queries: string[] }>> {
  if (typeof query !== 'string') invalid('INVALID_TEXT', 'the query must be a string');
  if (typeof expander !== 'function' || typeof search !== 'function') invalid('INVALID_ARGUMENT', 'searchExpanded needs an expander function and a search function');
  const max = opts.maxExpansions ?? 8;
  const raw = await expander(query);
  if (!Array.isArray(raw) || !raw.every((q) => typeof q === 'string')) invalid('INVALID_ARGUMENT', 'the query expander must return an array of strings');
  const queries = [query, ...[...new Set(raw.map((q) => q.trim()))].filter((q) => q && q !== query).slice(0, max)];
  const lists = await Promise.all(queries.map((q) => search(q)));
  const firstHit = new Map<string | number, H>();
  const foundBy = new Map<string | number, string[]>();
  const order = new Map<string | number, number>();
  lists.forEach((list, l) => {
    for (const h of list) {
      if (!firstHit.has(h.id)) {
        firstHit.set(h.id, h);
        order.set(h.id, order.size);
      }
      const f = foundBy.get(h.id) ?? [];
      if (!f.includes(queries[l]!)) f.push(queries[l]!);
      foundBy.set(h.id, f);
    }
  });
  const ew = opts.expansionWeight ?? 1;
  const fused = rrfFromRankings(
    lists.map((l) => l.map((h) => h.id)),
    queries.map((_, i) => (i === 0 ? 1 : ew)),
    opts.rrfK ?? 60,
  );
  const ids = [...fused.keys()].sort((a, b) => fused.get(b)! - fused.get(a)! || order.get(a)! - order.get(b)!);
  const k = opts.k ?? Math.max(0, ...lists.map((l) => l.length));
  return ids.slice(0, k).map((id) => ({ ...firstHit.get(id)!, fusedScore: fused.get(id)!, queries: foundBy.get(id)! }));
}
