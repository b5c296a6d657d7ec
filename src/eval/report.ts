/**
 * Output of evaluations: a Markdown or plain-console table, and JSON files
 * written atomically (temporary sibling, then rename).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalid } from '../errors.js';
import { EvalDataError } from './errors.js';
import type { EvalResult, ResultTable } from './evaluate.js';

/**
 * Options of {@link formatTable}.
 *
 * @example
 * ```ts
 * formatTable(table, { style: 'console', metrics: ['ndcg@10'], digits: 3 });
 * ```
 */
export interface FormatOptions {
  /** `'markdown'` (default) or `'console'` (space-aligned, no pipes). */
  style?: 'markdown' | 'console';
  /** Metric keys to show, in order (default: every key of the first row). */
  metrics?: string[];
  /** Digits after the decimal point for metrics (default 4). */
  digits?: number;
  /** Add p50/p99/mean latency columns in ms (default true). */
  latency?: boolean;
}

/**
 * Renders results as a table with one row per configuration: name, metrics,
 * latency (ms), number of queries.
 *
 * @example
 * ```ts
 * console.log(formatTable(await runConfigurations(configs, ds), { metrics: ['ndcg@10', 'recall@100'] }));
 * // | config | ndcg@10 | recall@100 | p50 ms | p99 ms | mean ms | queries |
 * ```
 */
export function formatTable(results: ResultTable | Array<{ name: string; result: EvalResult }>, opts: FormatOptions = {}): string {
  const rows = Array.isArray(results) ? results : results?.rows;
  if (!Array.isArray(rows) || rows.length === 0) invalid('INVALID_ARGUMENT', 'formatTable needs at least one { name, result } row');
  const digits = opts.digits ?? 4;
  const keys = opts.metrics ?? Object.keys(rows[0]!.result.metrics);
  const showLatency = opts.latency ?? true;
  const header = ['config', ...keys, ...(showLatency ? ['p50 ms', 'p99 ms', 'mean ms'] : []), 'queries'];
  const body = rows.map(({ name, result }) => [name, ...keys.map((k) => (typeof result.metrics[k] === 'number' ? result.metrics[k]!.toFixed(digits) : '—')), ...(showLatency ? [result.latency.p50, result.latency.p99, result.latency.mean].map((v) => v.toFixed(2)) : []), String(result.config.queries)]);
  const cells = [header, ...body];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const pad = (s: string, c: number) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!));
  if ((opts.style ?? 'markdown') === 'console') {
    return `${cells.map((r) => r.map(pad).join('  ')).join('\n')}\n`;
  }
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return `${[line(header), rule, ...body.map(line)].join('\n')}\n`;
}

/**
 * Writes `value` as pretty JSON to `file`, creating parent directories, via a
 * temporary sibling renamed into place (a crash leaves the old file or the new one).
 *
 * @example
 * ```ts
 * await writeJson('bench/results/eval-scifact.json', result);
 * ```
 */
export async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
  } catch (cause) {
    throw new EvalDataError('IO_ERROR', `cannot write ${file}: check the directory exists and is writable`, { cause, file });
  }
}
