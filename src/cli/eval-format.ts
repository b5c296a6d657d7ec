/**
 * Text output of `trident eval`: the results table (at most 100 columns: three metrics, p50 and
 * p99 latency) and `--compare`'s labelled table of paired tests, one row per configuration
 * present in both result files.
 */
import { InvalidArgumentError } from '../errors.js';
import { compare, type Comparison, type EvalResult, type ResultTable } from '../eval/index.js';

/** What `trident eval --json` writes (a ResultTable), or a bare EvalResult. */
export type ResultFile = Partial<ResultTable> & Partial<EvalResult>;

/** Width budget of the default table. */
export const TABLE_WIDTH = 100;

function markdown(header: string[], body: string[][]): string {
  const cells = [header, ...body];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const pad = (s: string, c: number) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!));
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return `${[line(header), rule, ...body.map(line)].join('\n')}\n`;
}

/**
 * The eval results as a markdown table: `metric` first, then nDCG@10, recall@100 and MRR@10
 * (three metrics in all), p50/p99 latency and the query count; names are cut so the table fits
 * {@link TABLE_WIDTH} columns. Every metric is in `--json`.
 *
 * @example
 * ```ts
 * process.stdout.write(evalTable(await runConfigurations(configs, ds), 'ndcg@10'));
 * ```
 */
export function evalTable(table: ResultTable, metric = 'ndcg@10'): string {
  const metrics = [...new Set([metric, 'ndcg@10', 'recall@100', 'mrr@10'])].slice(0, 3);
  const header = ['config', ...metrics, 'p50 ms', 'p99 ms', 'queries'];
  const num = (v: number | undefined) => (typeof v === 'number' ? v.toFixed(4) : '—');
  const rows = table.rows.map(({ name, result }) => [name, ...metrics.map((m) => num(result.metrics[m])), result.latency.p50.toFixed(2), result.latency.p99.toFixed(2), String(result.config.queries)]);
  // cut long names so the whole line fits
  const rest = markdown(
    header.slice(1),
    rows.map((r) => r.slice(1)),
  ).split('\n')[0]!.length;
  const room = Math.max(12, TABLE_WIDTH - rest - 3);
  for (const r of rows) if (r[0]!.length > room) r[0] = `${r[0]!.slice(0, room - 1)}…`;
  return `${markdown(header, rows)}latency: ms per query (search only, encoding included); every metric is in --json\n`;
}

/** One configuration compared across two result files. */
export interface ConfigComparison {
  name: string;
  comparison: Comparison;
  perQueryA: Record<string, Record<string, number>>;
  perQueryB: Record<string, Record<string, number>>;
}

function rowsOf(r: ResultFile, label: string): Array<{ name: string; result: EvalResult }> {
  if (Array.isArray(r?.rows)) return r.rows;
  if (r && typeof r === 'object' && r.perQuery && r.metrics) return [{ name: r.config?.name ?? 'result', result: r as EvalResult }];
  throw new InvalidArgumentError('INVALID_ARGUMENT', `${label} is not a trident eval result (no rows or perQuery): give files written by trident eval --json`);
}

/**
 * Pairs the configurations present in both files by name and runs {@link compare} on each
 * (paired t-test and permutation test on `metric`). Names only in one file are listed.
 *
 * @example
 * ```ts
 * const { rows, onlyA, onlyB } = compareTables(before, after, 'ndcg@10');
 * ```
 */
export function compareTables(a: ResultFile, b: ResultFile, metric: string, opts: { labelA?: string; labelB?: string; only?: readonly string[] } = {}): { rows: ConfigComparison[]; onlyA: string[]; onlyB: string[] } {
  const ra = rowsOf(a, opts.labelA ?? 'A'),
    rb = rowsOf(b, opts.labelB ?? 'B');
  const byName = new Map(rb.map((r) => [r.name, r.result]));
  const namesA = new Set(ra.map((r) => r.name));
  const rows: ConfigComparison[] = [];
  for (const { name, result } of ra) {
    const other = byName.get(name);
    if (!other || (opts.only && !opts.only.includes(name))) continue;
    rows.push({ name, comparison: compare(result, other, metric), perQueryA: result.perQuery, perQueryB: other.perQuery });
  }
  const onlyA = ra.map((r) => r.name).filter((n) => !byName.has(n));
  const onlyB = rb.map((r) => r.name).filter((n) => !namesA.has(n));
  if (rows.length === 0) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `eval --compare: no configuration is in both files (${opts.labelA ?? 'A'}: ${[...namesA].join(', ') || 'none'}; ${opts.labelB ?? 'B'}: ${rb.map((r) => r.name).join(', ') || 'none'})`);
  }
  return { rows, onlyA, onlyB };
}

/** A p-value for a table cell. */
export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * `--compare`'s table: which file is A and which B, then one row per configuration with both
 * means, Δ = B − A with its 95% interval, both p-values, and the per-query wins/ties/losses of B.
 *
 * @example
 * ```ts
 * process.stdout.write(formatComparisons(compareTables(a, b, 'ndcg@10'), { labelA: 'a.json', labelB: 'b.json', metric: 'ndcg@10' }));
 * ```
 */
export function formatComparisons(c: { rows: ConfigComparison[]; onlyA: string[]; onlyB: string[] }, o: { labelA: string; labelB: string; metric: string }): string {
  const header = ['config', `A ${o.metric}`, `B ${o.metric}`, 'Δ B−A', '95% CI of Δ', 'p (t)', 'p (perm)', 'B wins/ties/losses', 'queries'];
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
  const body = c.rows.map(({ name, comparison: k }) => [name, k.meanA.toFixed(4), k.meanB.toFixed(4), sign(k.meanB - k.meanA), `[${sign(-k.ci95[1])}, ${sign(-k.ci95[0])}]`, formatP(k.tTest.p), formatP(k.permutation.p), `${k.losses}/${k.ties}/${k.wins}`, String(k.n)]);
  const lines = [`A = ${o.labelA}`, `B = ${o.labelB}`, `paired over the queries in both files; Δ > 0: B is better`, '', markdown(header, body).trimEnd()];
  if (c.onlyA.length) lines.push(`only in A (not compared): ${c.onlyA.join(', ')}`);
  if (c.onlyB.length) lines.push(`only in B (not compared): ${c.onlyB.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
