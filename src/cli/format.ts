/**
 * Text formatting of search hits for `trident search`: scores per store, the chunk, and the
 * explanation (lexical matches, MaxSim alignments without special tokens and punctuation).
 */
import type { SearchHit } from '../hybrid/index.js';

/**
 * Whether a token carries content worth showing: not a special token (`<s>`, `</s>`, `[CLS]`,
 * `<pad>`, …) and, once the word-piece markers (`▁`, `##`, `Ġ`) are removed, holding at least
 * one letter or digit (so `.`, `,`, `▁(` are not).
 *
 * @example
 * ```ts
 * isContentToken('</s>'); // false
 * isContentToken('▁protein'); // true
 * ```
 */
export function isContentToken(token: string): boolean {
  const t = token.trim();
  if (/^<\/?[a-z_|]+>$/i.test(t) || /^\[[A-Z_]+\]$/.test(t)) return false;
  return /[\p{L}\p{N}]/u.test(t.replace(/^(▁|##|Ġ)/, ''));
}

/**
 * The MaxSim alignments worth printing: both sides content tokens (the document side judged by
 * its text when the explanation has it), best `n` by score.
 *
 * @example
 * ```ts
 * formatAlignments([{ queryToken: '</s>', docToken: '</s>', score: 1 }, { queryToken: 'cell', docToken: 'cells', score: 0.8 }], 4);
 * // 'cell↔cells 0.80'
 * ```
 */
export function formatAlignments(alignments: ReadonlyArray<{ queryToken: string; docToken: string; docText?: string; score: number }>, n: number): string {
  return alignments
    .filter((a) => isContentToken(a.queryToken) && isContentToken(a.docText ?? a.docToken))
    .sort((a, b) => b.score - a.score)
    .slice(0, n)
    .map((a) => `${a.queryToken.replace(/^▁/, '')}↔${(a.docText ?? a.docToken).trim().replace(/^▁/, '')} ${a.score.toFixed(2)}`)
    .join(', ');
}

/**
 * Human-readable hits with their explanation lines.
 *
 * @example
 * ```ts
 * console.log(formatHits(await index.search('q', { k: 3, explain: true })));
 * ```
 */
export function formatHits(hits: SearchHit[]): string {
  const lines: string[] = [];
  hits.forEach((h, i) => {
    const label = (name: string) => (name === 'multivector' ? 'maxsim' : name);
    const parts = Object.entries(h.scores)
      .filter((e): e is [string, number] => e[1] !== undefined)
      .map(([name, v]) => `${label(name)} ${v.toFixed(name === 'bm25' || Math.abs(v) >= 10 ? 3 : 4)}`);
    const title = typeof h.metadata?.title === 'string' ? ` ${String(h.metadata.title).slice(0, 80)}` : '';
    lines.push(`${String(i + 1).padStart(2)}. ${String(h.id)}  ${h.score.toFixed(4)}  (${parts.join(', ')})${title}`);
    if (h.chunk) lines.push(`    chunk ${h.chunk.index} [${h.chunk.start}, ${h.chunk.end})${h.chunk.text ? `: ${h.chunk.text.slice(0, 100).replace(/\s+/g, ' ')}…` : ''}`);
    const ex = h.explanation;
    if (ex) {
      if (ex.sparseMatches.length)
        lines.push(
          `    lexical: ${ex.sparseMatches
            .slice(0, 8)
            .map((m) => `${m.token}(${m.queryWeight.toFixed(2)}×${m.docWeight.toFixed(2)})`)
            .join(' ')}`,
        );
      for (const [name, c] of Object.entries(ex.channels ?? {})) {
        if (name === 'sparse' || !c.matches?.length) continue;
        lines.push(
          `    ${name}: ${c.matches
            .slice(0, 8)
            .map((m) => `${m.token}(${m.contribution.toFixed(2)})`)
            .join(' ')}`,
        );
      }
      const al = formatAlignments(ex.alignments, 5);
      if (al) lines.push(`    maxsim: ${al}`);
    }
  });
  return lines.join('\n');
}
