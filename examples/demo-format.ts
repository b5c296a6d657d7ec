/**
 * Formatting helpers of the demo (examples/demo.ts): progress lines, the closing comparison
 * of each mode against BM25, the explanation of the RRF row, and MaxSim alignments without
 * special tokens and punctuation. Pure functions, unit-tested in test/unit/cli/demo-format.test.ts.
 */
import type { Comparison } from 'trident';

/**
 * Progress of `total` units on a stream: redrawn in place on a terminal, else one line every
 * 25% (so logs stay short).
 *
 * @example
 * ```ts
 * const p = progress('indexing', 5183, process.stderr); p(500); p(5183);
 * ```
 */
export function progress(label: string, total: number, out: { write(s: string): unknown; isTTY?: boolean }): (done: number) => void {
  let lastQuarter = 0;
  let t0 = 0;
  return (done: number) => {
    if (t0 === 0) t0 = performance.now();
    const pct = Math.floor((100 * Math.min(done, total)) / Math.max(total, 1));
    const rate = done / Math.max((performance.now() - t0) / 1000, 1e-3);
    if (out.isTTY) {
      out.write(`\r  ${label}: ${done}/${total} (${pct}%) ${rate.toFixed(0)}/s   ${done >= total ? '\n' : ''}`);
    } else if (Math.floor(pct / 25) > lastQuarter) {
      lastQuarter = Math.floor(pct / 25);
      out.write(`  ${label}: ${done}/${total} (${pct}%)\n`);
    }
  };
}

/**
 * Whether a token carries content: not a special token (`<s>`, `</s>`, `[CLS]`, `<pad>`) and,
 * without its word-piece marker (`▁`, `##`), holding a letter or a digit (`.`, `,` do not).
 *
 * @example
 * ```ts
 * isContentToken('</s>'); // false
 * ```
 */
export function isContentToken(token: string): boolean {
  const t = token.trim();
  if (/^<\/?[a-z_|]+>$/i.test(t) || /^\[[A-Z_]+\]$/.test(t)) return false;
  return /[\p{L}\p{N}]/u.test(t.replace(/^(▁|##|Ġ)/, ''));
}

/**
 * The best `n` MaxSim alignments between content tokens, as `query↔document score`.
 *
 * @example
 * ```ts
 * alignmentsLine([{ queryToken: '</s>', docToken: '</s>', score: 1 }, { queryToken: '▁cell', docToken: '▁cells', score: 0.8 }], 4); // 'cell↔cells 0.80'
 * ```
 */
export function alignmentsLine(alignments: ReadonlyArray<{ queryToken: string; docToken: string; docText?: string; score: number }>, n: number): string {
  return alignments
    .filter((a) => isContentToken(a.queryToken) && isContentToken(a.docText ?? a.docToken))
    .sort((a, b) => b.score - a.score)
    .slice(0, n)
    .map((a) => `${a.queryToken.replace(/^▁/, '')}↔${(a.docText ?? a.docToken).trim().replace(/^▁/, '')} ${a.score.toFixed(2)}`)
    .join(', ');
}

/** A p-value for a sentence. */
function pText(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * One closing line: a mode against BM25 on the paired queries, e.g.
 * `dense+sparse  vs BM25: Δ nDCG@10 +0.0213 (p = 0.041), wins/losses 98/71 (131 ties) → better`.
 * `c` is `compare(mode, bm25, metric)` (positive Δ: the mode is better); the verdict says
 * "better"/"worse" only when p < 0.05, else "no significant difference".
 *
 * @example
 * ```ts
 * comparisonLine('dense', compare(denseResult, bm25Result, 'ndcg@10'), 'nDCG@10', 14);
 * ```
 */
export function comparisonLine(name: string, c: Comparison, metricLabel: string, width = 0): string {
  const d = c.meanDiff;
  const verdict = c.tTest.p < 0.05 ? (d > 0 ? 'better than BM25' : 'worse than BM25') : 'no significant difference';
  return `${name.padEnd(width)}  Δ ${metricLabel} ${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)} (${pText(c.tTest.p)}), wins/losses ${c.wins}/${c.losses} (${c.ties} ties) → ${verdict}`;
}

/**
 * What the RRF row means next to the weighted row, with the measured gap, printed under the table.
 *
 * @example
 * ```ts
 * rrfNote(0.72, 0.82, [1, 0.3, 1]);
 * ```
 */
export function rrfNote(rrf: number, weighted: number, weights: readonly number[]): string {
  const gap = rrf - weighted;
  const how = Math.abs(gap) < 0.005 ? 'about the same as' : gap < 0 ? `${(-gap).toFixed(4)} below` : `${gap.toFixed(4)} above`;
  return [
    `all (RRF) fuses the same dense, sparse and MaxSim candidate lists as all (M3 weighted), by rank instead of score:`,
    `  RRF score = Σ w / (60 + rank), weights ${weights.join('/')}; the weighted row adds the scores, w · score.`,
    `  Rank fusion ignores how far apart the scores are, so a confident list gets no more say than an unsure one;`,
    `  here RRF scores ${how} the weighted fusion on nDCG@10.`,
  ].join('\n');
}
