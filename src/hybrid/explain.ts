/**
 * Explanations of hits: every selected channel explains its own score (matched terms with
 * their weights and contributions for sparse and BM25 channels, the strongest MaxSim
 * alignments for multi-vector ones), beside the fusion that combined them. Owns no state.
 */
import type { ExternalId } from '../store/index.js';
import type { ResolvedSearch, ScoredCandidates, SearchContext } from './search.js';
import type { Explanation } from './types.js';

/** Builds the explanation of the candidate at position `p` (internal id `internal`, document `doc`). */
export function explainHit(ctx: SearchContext, internal: number, doc: ExternalId, c: ScoredCandidates, p: number, r: ResolvedSearch): Explanation {
  const text = ctx.entries.text(doc);
  const decode = (ids: number[]): string[] => (ctx.encoder?.decodeTokens ? ctx.encoder.decodeTokens(ids) : ids.map(String));
  const scores: Explanation['scores'] = {};
  const channels: Explanation['channels'] = {};
  for (const ch of r.channels) {
    const col = c.columns.get(ch.name);
    if (!col) continue;
    scores[ch.name] = col[p]!;
    channels[ch.name] = ch.explain(c.queries.get(ch.name), internal, col[p]!, { decode, text });
  }
  const weights: Record<string, number> = r.kind === 'rrf' ? Object.fromEntries(r.channels.map((ch) => [ch.name, 1])) : { ...r.weights };
  const scales = Object.fromEntries(c.scales);
  const out: Explanation = {
    channels,
    fusion: { kind: r.kind, weights, ...(r.kind === 'weighted' && c.scales.size > 0 ? { scales } : {}) },
    scores,
    sparseMatches: channels.sparse?.matches ?? [],
    alignments: channels.multivector?.alignments ?? [],
  };
  if (r.mode !== undefined) out.mode = r.mode;
  return out;
}
