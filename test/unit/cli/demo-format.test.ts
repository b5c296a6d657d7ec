import { describe, expect, it } from 'vitest';
import { alignmentsLine, comparisonLine, isContentToken, progress, rrfNote } from '../../../examples/demo-format.js';
import { formatAlignments, isContentToken as cliIsContentToken } from '../../../src/cli/format.js';
import { compare } from '../../../src/eval/index.js';

describe('demo formatting helpers', () => {
  it('drops special tokens and punctuation from alignments (the old output was dominated by </s>↔ 1.00 and .↔.)', () => {
    const al = [
      { queryToken: '</s>', docToken: '</s>', score: 1 },
      { queryToken: '<s>', docToken: '<s>', score: 0.99 },
      { queryToken: '.', docToken: '.', score: 0.98 },
      { queryToken: '▁,', docToken: ',', score: 0.97 },
      { queryToken: '[CLS]', docToken: 'x', score: 0.96 },
      { queryToken: '▁cell', docToken: '▁cells', docText: 'cells', score: 0.8 },
      { queryToken: 'protein', docToken: 'protein', score: 0.9 },
      { queryToken: '1', docToken: '1', score: 0.7 },
    ];
    for (const f of [alignmentsLine, formatAlignments]) expect(f(al, 4)).toBe('protein↔protein 0.90, cell↔cells 0.80, 1↔1 0.70');
    for (const f of [isContentToken, cliIsContentToken]) {
      for (const t of ['</s>', '<pad>', '[SEP]', '.', '▁(', '##,', '  ']) expect(f(t), t).toBe(false);
      for (const t of ['bio', '##s', '▁UK', '0', 'éclair', '蛋白']) expect(f(t), t).toBe(true);
    }
  });

  it('states each mode against BM25 from compare(): Δ, p-value, wins/losses and a verdict', () => {
    const bm25 = { q1: { 'ndcg@10': 0.5 }, q2: { 'ndcg@10': 0.4 }, q3: { 'ndcg@10': 0.9 }, q4: { 'ndcg@10': 0.3 } };
    const mode = { q1: { 'ndcg@10': 0.7 }, q2: { 'ndcg@10': 0.6 }, q3: { 'ndcg@10': 0.9 }, q4: { 'ndcg@10': 0.1 } };
    const c = compare(mode, bm25, 'ndcg@10');
    const line = comparisonLine('dense', c, 'nDCG@10', 8);
    // mean Δ = (0.2 + 0.2 + 0 − 0.2) / 4 = +0.05; wins q1, q2; loss q4; tie q3
    expect(line).toMatch(/^dense {5}Δ nDCG@10 \+0\.0500 \(p = 0\.\d{3}\), wins\/losses 2\/1 \(1 ties\) → no significant difference$/);
    expect(line).toContain(`p = ${c.tTest.p.toFixed(3)}`);
    const worse = compare(bm25, { q1: { 'ndcg@10': 0.9 }, q2: { 'ndcg@10': 0.8 }, q3: { 'ndcg@10': 1 }, q4: { 'ndcg@10': 0.7 } }, 'ndcg@10');
    expect(comparisonLine('x', worse, 'nDCG@10')).toMatch(/Δ nDCG@10 −0\.3250 \(p [<=] 0\.0\d*\).*wins\/losses 0\/4 .*→ worse than BM25/);
  });

  it('explains the RRF row with the measured gap', () => {
    const note = rrfNote(0.7225, 0.8199, [1, 0.3, 1]);
    expect(note).toContain('Σ w / (60 + rank), weights 1/0.3/1');
    expect(note).toContain('0.0974 below the weighted fusion');
    expect(rrfNote(0.5, 0.501, [1, 1, 1])).toContain('about the same as');
  });

  it('reports progress every 25% off a terminal and redraws on one', () => {
    let log = '';
    const p = progress('indexing', 100, {
      write: (s) => {
        log += s;
      },
      isTTY: false,
    });
    for (let i = 1; i <= 100; i++) p(i);
    expect(log.split('\n').filter(Boolean)).toEqual(['  indexing: 25/100 (25%)', '  indexing: 50/100 (50%)', '  indexing: 75/100 (75%)', '  indexing: 100/100 (100%)']);
    let tty = '';
    const q = progress('eval', 2, {
      write: (s) => {
        tty += s;
      },
      isTTY: true,
    });
    q(1);
    q(2);
    expect(tty.startsWith('\r  eval: 1/2 (50%)')).toBe(true);
    expect(tty.endsWith('\n')).toBe(true);
  });
});
