import type { FusionKind, Weights3 } from '../fusion/index.js';
import type { ExternalId } from '../store/index.js';
import type { SearchContext } from './search.js';
import type { EncodedLike, Explanation, SearchHit, SearchMode } from './types.js';

/**
 * Builds the explanation of one hit: raw scores and weights, matched sparse tokens (decoded)
 * with both weights and their contribution, and the strongest MaxSim alignments (query token
 * ↔ document token with the document's character span and text).
 */
export function explainHit(
  ctx: SearchContext,
  internal: number,
  doc: ExternalId,
  enc: EncodedLike | null,
  scores: SearchHit['scores'],
  mode: SearchMode,
  kind: FusionKind,
  weights: Weights3,
): Explanation {
  const decode = (ids: number[]): string[] => (ctx.encoder.decodeTokens ? ctx.encoder.decodeTokens(ids) : ids.map(String));
  const out: Explanation = { mode, fusion: { kind, weights }, scores: { ...scores }, sparseMatches: [], alignments: [] };
  if (ctx.sparse && enc?.sparse) {
    const matches = ctx.sparse.matches(enc.sparse, internal);
    const tokens = decode(matches.map((m) => m.id));
    out.sparseMatches = matches
      .map((m, i) => ({ tokenId: m.id, token: tokens[i]!, queryWeight: m.queryWeight, docWeight: m.docWeight, contribution: m.queryWeight * m.docWeight }))
      .sort((a, b) => b.contribution - a.contribution);
  }
  if (ctx.mv && enc?.multivector) {
    const q = enc.multivector;
    const al = ctx.mv.alignments(q, internal, 8);
    const text = ctx.entries.text(doc);
    const qTok = q.tokenIds ? decode(Array.from(q.tokenIds)) : [];
    const dTok = decode(al.map((a) => a.docTokenId ?? 0));
    out.alignments = al.map((a, i) => {
      const item: Explanation['alignments'][number] = {
        queryToken: qTok[a.queryIndex] ?? String(a.queryIndex),
        docToken: a.docTokenId !== undefined ? dTok[i]! : String(a.docIndex),
        score: a.score,
      };
      if (a.docCharSpan) {
        item.docSpan = [a.docCharSpan[0], a.docCharSpan[1]];
        if (text !== undefined) item.docText = text.slice(a.docCharSpan[0], a.docCharSpan[1]);
      }
      return item;
    });
  }
  return out;
}
