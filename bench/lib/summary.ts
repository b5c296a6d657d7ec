/**
 * Markdown summary of benchmark result files. A suite that writes a `summary` block
 * ({@link SummaryBlock}) is rendered as given; for the others, {@link extractRows} walks
 * the JSON: every object with a numeric `p50` (or `medianMs`) is a latency row named by its
 * path, the row in the same group whose name says naive / exhaustive / exact / oracle /
 * baseline / serial / wink is that group's baseline (ratio = baseline p50 / row p50), and
 * the nearest enclosing object's quality figures (nDCG, recall) are printed beside it.
 * Suites whose raw latencies are not comparable have an adapter (bench/lib/adapters.ts).
 */
import { ADAPTERS } from './adapters.js';

/** One row of a suite summary. Latencies in ms. */
export interface SummaryRow {
  task: string;
  p50Ms?: number;
  p99Ms?: number;
  /** What the row is compared with (name, maybe with its own figures). */
  baseline?: string;
  /** baseline p50 / this p50 (> 1: faster than the baseline). */
  speedup?: number;
  /** Quality printed beside the latency, e.g. 'nDCG@10 0.6812'. */
  quality?: string;
}

/** A suite's own summary: latency rows plus extra tables (throughput, memory…). */
export interface SummaryBlock {
  notes?: string[];
  rows: SummaryRow[];
  tables?: Array<{ title: string; columns: string[]; rows: Array<Array<string | number>> }>;
}

const BASELINE_PATTERNS = [/naive/i, /exhaustive|exact|oracle|brute/i, /baseline/i, /serial/i, /wink/i];
const QUALITY_KEY = /^(ndcg|recall|mrr|map)/i;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Found {
  group: string;
  name: string;
  p50: number;
  p99: number | undefined;
  quality: string | undefined;
}

/**
 * Extracts latency rows from an arbitrary result JSON (see the module comment).
 *
 * @example
 * ```ts
 * extractRows({ latencyMs: { fast: { p50: 1, p99: 2 }, exhaustive: { p50: 10, p99: 12 } } });
 * // [{ task: 'latencyMs / fast', p50Ms: 1, p99Ms: 2, baseline: 'exhaustive', speedup: 10 }, …]
 * ```
 */
export function extractRows(json: unknown): SummaryRow[] {
  const found: Found[] = [];
  const walk = (node: Json, path: string[], qualities: Array<string | undefined>): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        const tag = discriminators(v);
        const parent = tag ? [...path.slice(0, -1), `${path[path.length - 1] ?? ''} [${tag}]`] : path;
        walk(v, [...parent, labelOf(v) ?? String(i)], qualities);
      });
      return;
    }
    const p50 = typeof node.p50 === 'number' ? node.p50 : typeof node.medianMs === 'number' ? node.medianMs : undefined;
    if (p50 !== undefined) {
      const p99 = typeof node.p99 === 'number' ? node.p99 : undefined;
      const quality = qualities.findLast((q) => q !== undefined);
      found.push({ group: path.slice(0, -1).join(' / '), name: path[path.length - 1] ?? '', p50, p99, quality });
      return;
    }
    const here = qualityOf(node);
    for (const [k, v] of Object.entries(node)) {
      if (k === 'summary' || k === 'config') continue;
      walk(v, [...path, k], [...qualities, here]);
    }
  };
  walk(json as Json, [], []);
  const groups = new Map<string, Found[]>();
  for (const f of found) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
  const rows: SummaryRow[] = [];
  for (const [group, items] of groups) {
    for (const f of items) {
      const base = pickBaseline(items, f);
      const row: SummaryRow = { task: group ? `${group} / ${f.name}` : f.name, p50Ms: f.p50 };
      if (f.p99 !== undefined) row.p99Ms = f.p99;
      if (base && base !== f) {
        row.baseline = base.name;
        row.speedup = base.p50 / f.p50;
      }
      if (f.quality) row.quality = f.quality;
      rows.push(row);
    }
  }
  return rows;
}

function labelOf(v: Json): string | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const k of ['task', 'name', 'mode']) if (typeof v[k] === 'string') return v[k] as string;
  }
  return undefined;
}

/** Primitive fields that tell rows of one array apart (dtype, threads, …), as 'fp32, threads 2'. */
function discriminators(v: Json): string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return '';
  const label = labelOf(v);
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' && x !== label) parts.push(x);
    else if (typeof x === 'number' && /^(threads|workers|n|size|dim|dims|docs|isa)$/i.test(k)) parts.push(`${k} ${x}`);
  }
  return parts.join(', ');
}

const words = (s: string) =>
  new Set(
    s
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );

/**
 * The group's baseline for `row`: among the entries matching the first baseline pattern that
 * matches any, the one sharing most words with the row's name (so 'query' rows pair with the
 * 'query' baseline); undefined when no entry looks like a baseline.
 */
function pickBaseline(items: Found[], row: Found): Found | undefined {
  for (const re of BASELINE_PATTERNS) {
    const cands = items.filter((f) => re.test(f.name));
    if (cands.length === 0) continue;
    const w = words(row.name);
    let best = cands[0]!;
    let bestScore = -1;
    for (const c of cands) {
      const score = [...words(c.name)].filter((x) => w.has(x)).length;
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    return best;
  }
  return undefined;
}

/** Quality figures directly in `node` or one level below (e.g. recallAt10.default), at most two. */
function qualityOf(node: { [k: string]: Json }): string | undefined {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (!QUALITY_KEY.test(k)) continue;
    if (typeof v === 'number') parts.push(`${k} ${fmt(v, 4)}`);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const first = Object.entries(v).find(([, x]) => typeof x === 'number' || (x && typeof x === 'object' && !Array.isArray(x)));
      if (first) {
        const [k2, x] = first;
        const num = typeof x === 'number' ? x : Object.values(x as Record<string, Json>).find((y) => typeof y === 'number');
        if (typeof num === 'number') parts.push(`${k}.${k2} ${fmt(num, 4)}`);
      }
    }
    if (parts.length >= 2) break;
  }
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * Number formatting for tables: `digits` decimals, or 3 significant digits for small
 * magnitudes; '–' for missing / non-finite.
 *
 * @example
 * ```ts
 * fmt(0.012345); // '0.0123'
 * ```
 */
export function fmt(x: number | undefined | null, digits?: number): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '–';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/**
 * A Markdown table.
 *
 * @example
 * ```ts
 * markdownTable(['a', 'b'], [[1, 'x']]); // '| a | b |\n|---|---|\n| 1 | x |'
 * ```
 */
export function markdownTable(columns: string[], rows: Array<Array<string | number>>): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${columns.map(cell).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** Renders summary rows as a Markdown table (median, p99, baseline, ratio, quality). */
export function rowsTable(rows: SummaryRow[]): string {
  return markdownTable(
    ['task', 'p50 (ms)', 'p99 (ms)', 'baseline', '× vs baseline', 'quality'],
    rows.map((r) => [r.task, fmt(r.p50Ms), fmt(r.p99Ms), r.baseline ?? '–', r.speedup !== undefined && Number.isFinite(r.speedup) ? `×${fmt(r.speedup)}` : '–', r.quality ?? '–']),
  );
}

/**
 * Markdown section of one suite's result file: its own `summary` block when present, else
 * rows extracted from the JSON; a header line with backend/ISA, date, load average; the
 * skip reason for a skipped suite.
 *
 * @example
 * ```ts
 * suiteSection('e2e', JSON.parse(readFileSync('bench/results/e2e.json', 'utf8')));
 * ```
 */
export function suiteSection(name: string, json: unknown): string {
  const j = (json ?? {}) as Record<string, unknown>;
  const out: string[] = [`## ${name}`, ''];
  const backend = j.backend as { kind?: string; isa?: string } | undefined;
  const load = (j.loadavg ?? j.loadAverage) as number[] | undefined;
  const info = [
    backend ? `backend ${backend.kind ?? '?'}/${backend.isa ?? '?'}` : undefined,
    typeof j.date === 'string' ? `run ${j.date}` : undefined,
    Array.isArray(load) ? `load average ${load.map((x) => Number(x).toFixed(2)).join(' ')}` : undefined,
    typeof j.clock === 'string' ? `clock ${j.clock}` : undefined,
  ].filter(Boolean);
  if (info.length) out.push(info.join(' · '), '');
  if (typeof j.skipped === 'string') {
    out.push(`Skipped: ${j.skipped}`, '');
    return out.join('\n');
  }
  const block = j.summary as SummaryBlock | undefined;
  if (block && Array.isArray(block.rows)) {
    for (const n of block.notes ?? []) out.push(`${n}`, '');
    if (block.rows.length) out.push(rowsTable(block.rows), '');
    for (const t of block.tables ?? []) out.push(`**${t.title}**`, '', markdownTable(t.columns, t.rows), '');
  } else {
    const rows = ADAPTERS[name.split(/[ (]/)[0]!]?.(json) ?? extractRows(json);
    out.push(rows.length ? rowsTable(rows) : '(no latency figures found in this file)', '');
  }
  return out.join('\n');
}
