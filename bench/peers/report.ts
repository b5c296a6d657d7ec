/**
 * The peers benchmark's report: one Markdown table per task with trident ÷ peer ratios, the
 * summary block `npm run bench` prints, and the latency-vs-nDCG@10 chart rows. Pure functions
 * of the result JSON, so the tables and chart can be redrawn from an old run.
 */
import { plotLatencyQuality, type LatencyQualityRow } from '../../src/plot/index.js';
import type { SummaryBlock } from '../lib/summary.js';
import type { EngineRow } from './measure.js';

/** One task of the result file. */
export interface TaskResult {
  title: string;
  /** Engine name every ratio is taken against (a trident row). */
  reference: string;
  rows: EngineRow[];
  notes?: string[];
}

/** The result file's shape (the parts the report reads). */
export interface PeersJson {
  date?: string;
  cpuModel?: string;
  loadavg?: number[];
  loadavgEnd?: number[];
  node?: string;
  peers?: Record<string, string>;
  tasks: Record<string, TaskResult>;
}

const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const mb = (b: number | undefined) => (b === undefined ? '–' : `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)}`);
const secs = (x: number | undefined) => (x === undefined ? '–' : (x / 1000).toFixed(x < 1000 ? 3 : 2));

/**
 * trident ÷ peer as text: "0.11×" (< 1: trident takes less). '–' when either side is missing.
 *
 * @example
 * ```ts
 * ratio(0.2, 2); // '0.10×'
 * ```
 */
export function ratio(trident: number | undefined, peer: number | undefined): string {
  if (trident === undefined || peer === undefined || !(trident > 0) || !(peer > 0)) return '–';
  const r = trident / peer;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

function quality(r: EngineRow): string {
  if (r.ndcg10 !== undefined) return `nDCG@10 ${r.ndcg10.toFixed(3)}`;
  if (r.recall10 !== undefined) return `recall@10 ${r.recall10.toFixed(3)}`;
  return '–';
}

/**
 * Markdown table of one task: p50/p99 (CPU clock), wall p50, quality, build, RSS growth, disk,
 * and trident ÷ peer ratios of p50 and build time. Skipped engines are listed with the reason.
 *
 * @example
 * ```ts
 * taskTable(json.tasks['bm25']!);
 * ```
 */
export function taskTable(t: TaskResult): string {
  const ref = t.rows.find((r) => r.engine === t.reference && !r.skipped);
  const open = t.rows.some((r) => r.extra?.firstQueryMs !== undefined);
  const head = open ? ['engine', 'open + first query (ms)', 'trident ÷ peer', 'RSS growth (MiB)', 'on disk (MiB)', 'save (ms)'] : ['engine', 'p50 ms', 'p99 ms', 'wall p50 ms', 'trident ÷ peer (p50)', 'quality', 'build s', 'trident ÷ peer (build)', 'RSS growth MiB', 'disk MiB'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  const skipped: string[] = [];
  for (const r of t.rows) {
    if (r.skipped) {
      skipped.push(`${r.engine}: ${r.skipped}`);
      continue;
    }
    const isRef = r === ref;
    // ratios compare a peer with the task's trident row; other trident rows show none
    const own = !isRef && r.engine.startsWith('trident');
    if (open) {
      const f = r.extra?.firstQueryMs as number | undefined;
      const rf = ref?.extra?.firstQueryMs as number | undefined;
      lines.push(`| ${r.engine} | ${ms(f)} | ${isRef ? '(reference)' : own ? '–' : ratio(rf, f)} | ${mb(r.rssDeltaBytes)} | ${mb(r.diskBytes)} | ${ms(r.saveMs)} |`);
    } else {
      lines.push(
        `| ${r.engine} | ${ms(r.latencyMs?.p50)} | ${ms(r.latencyMs?.p99)} | ${ms(r.wallMs?.p50)} | ${isRef ? '(reference)' : own ? '–' : ratio(ref?.latencyMs?.p50, r.latencyMs?.p50)} | ${quality(r)} | ${secs(r.buildMs)} | ${isRef || own ? '' : ratio(ref?.buildMs, r.buildMs)} | ${mb(r.rssDeltaBytes)} | ${mb(r.diskBytes)} |`,
      );
    }
  }
  const out = [`### ${t.title}`, '', ...lines, ''];
  const configured = t.rows.filter((r) => !r.skipped && r.note);
  if (configured.length) out.push(...configured.map((r) => `- ${r.engine}${r.version ? ` ${r.version}` : ''}: ${r.note}`), '');
  if (skipped.length) out.push(...skipped.map((s) => `- skipped — ${s}`), '');
  if (t.notes?.length) out.push(...t.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

/**
 * The whole report: header (date, CPU, load, Node, peer versions) and one table per task.
 *
 * @example
 * ```ts
 * writeFileSync('peers.md', peersMarkdown(json));
 * ```
 */
export function peersMarkdown(j: PeersJson): string {
  const peers = Object.entries(j.peers ?? {}).map(([k, v]) => `${k} ${v || '(not installed)'}`);
  const out = [
    `Measured ${j.date ?? ''} on ${j.cpuModel ?? 'unknown CPU'}, Node ${j.node ?? ''}, load average ${(j.loadavg ?? []).join(' ')} at start${j.loadavgEnd ? `, ${j.loadavgEnd.join(' ')} at end` : ''}.`,
    `Peers: ${peers.join(', ')}.`,
    'Latencies are per query, k = 10, one query at a time in one process, on the process CPU clock (all threads) unless marked wall; "trident ÷ peer" below 1 means trident takes less.',
    '',
  ];
  out.push('### Overview', '', overviewTable(j));
  for (const t of Object.values(j.tasks)) out.push(taskTable(t));
  return out.join('\n');
}

/**
 * One compact table over every task (the README's): p50 (p99), quality, build and the
 * trident ÷ peer ratios, one row per engine that ran; the open task shows open + first query.
 *
 * @example
 * ```ts
 * overviewTable(json); // '| task | engine | p50 (p99) ms | …'
 * ```
 */
export function overviewTable(j: PeersJson): string {
  const lines = ['| task | engine | p50 (p99) ms | quality | build s | trident ÷ peer: p50 | build |', '|---|---|---:|---:|---:|---:|---:|'];
  const short: Record<string, string> = { bm25: 'BM25, scifact', dense: 'dense kNN, scifact', synthetic: 'dense kNN, synthetic', hybrid: 'hybrid, scifact', multivector: 'MaxSim re-rank 200', open: 'open + first query' };
  for (const [key, t] of Object.entries(j.tasks)) {
    const ref = t.rows.find((r) => r.engine === t.reference && !r.skipped);
    for (const r of t.rows) {
      if (r.skipped) continue;
      const isRef = r === ref;
      const own = !isRef && r.engine.startsWith('trident');
      if (key === 'open') {
        const f = r.extra?.firstQueryMs as number | undefined;
        lines.push(`| ${short[key] ?? key} | ${r.engine} | ${ms(f)} | – | – | ${isRef ? 'ref.' : own ? '–' : ratio(ref?.extra?.firstQueryMs as number | undefined, f)} | – |`);
        continue;
      }
      lines.push(
        `| ${short[key] ?? key} | ${r.engine} | ${ms(r.latencyMs?.p50)} (${ms(r.latencyMs?.p99)}) | ${quality(r).replace('nDCG@10 ', 'nDCG ').replace('recall@10 ', 'R@10 ')} | ${secs(r.buildMs)} | ${isRef ? 'ref.' : own ? '–' : ratio(ref?.latencyMs?.p50, r.latencyMs?.p50)} | ${isRef ? 'ref.' : own ? '–' : ratio(ref?.buildMs, r.buildMs)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Chart points: p50 latency vs nDCG@10 of every engine in the BM25 and hybrid tasks. */
export function latencyQualityRows(j: PeersJson): LatencyQualityRow[] {
  const rows: LatencyQualityRow[] = [];
  for (const [key, group] of [
    ['bm25', 'BM25'],
    ['hybrid', 'hybrid'],
    ['multivector', 're-rank'],
  ] as const) {
    for (const r of j.tasks[key]?.rows ?? []) {
      if (r.skipped || r.ndcg10 === undefined || !r.latencyMs) continue;
      if (key === 'hybrid' && r.engine === 'trident bm25') continue; // the BM25 task's trident point again
      rows.push({ name: r.engine, latencyMs: r.latencyMs.p50, quality: r.ndcg10, group: `${r.engine.startsWith('trident') ? 'trident' : 'peer'} ${group}` });
    }
  }
  return rows.filter((r) => r.latencyMs > 0 && Number.isFinite(r.quality));
}

/** The block `npm run bench` prints in bench/results/summary.md. */
export function peersSummary(j: PeersJson): SummaryBlock {
  const rows = [];
  for (const t of Object.values(j.tasks)) {
    const ref = t.rows.find((r) => r.engine === t.reference && !r.skipped);
    for (const r of t.rows) {
      if (r.skipped || !r.latencyMs) continue;
      rows.push({
        task: `${t.title}: ${r.engine}`,
        p50Ms: r.latencyMs.p50,
        p99Ms: r.latencyMs.p99,
        ...(ref?.latencyMs && r !== ref ? { baseline: `${ref.engine} (${ms(ref.latencyMs.p50)} ms)`, speedup: ref.latencyMs.p50 / r.latencyMs.p50 } : {}),
        quality: quality(r),
      });
    }
  }
  return { notes: ['baseline = the trident row of the task, so "× vs baseline" = trident p50 / peer p50 (< 1: trident faster); bench/results/peers.md has the full tables'], rows };
}

/**
 * The latency-vs-nDCG@10 chart of a peers result (SVG), or undefined when it has no scored
 * engine. Its subtitle names the CPU, the load and the peer versions.
 *
 * @example
 * ```ts
 * const svg = await peersChart(JSON.parse(readFileSync('bench/results/peers.json', 'utf8')));
 * ```
 */
export async function peersChart(j: PeersJson & { dataset?: string }): Promise<string | undefined> {
  if (!j || typeof j !== 'object' || !j.tasks) return undefined;
  const rows = latencyQualityRows(j);
  if (rows.length === 0) return undefined;
  const versions = Object.entries(j.peers ?? {})
    .filter(([k, v]) => v && k !== 'apache-arrow')
    .map(([k, v]) => `${k.replace(/^@[a-z]+\//, '')} ${v}`);
  const half = Math.ceil(versions.length / 2);
  return plotLatencyQuality(rows, {
    title: `${(j.dataset ?? 'dev/scifact').split('/').pop()}: nDCG@10 vs p50 latency per engine (k = 10, one query at a time)`,
    // vega-lite draws a string[] subtitle as one line each (ChartOptions types it as string)
    subtitle: [`${j.cpuModel || 'CPU ?'}, load ${(j.loadavg ?? []).join(' ')}, ${j.date?.slice(0, 10) ?? ''}`, versions.slice(0, half).join(', '), versions.slice(half).join(', ')] as unknown as string,
    latencyLabel: 'p50 latency per query (ms, process CPU clock, log scale)',
    logLatency: true,
    width: 760,
    height: 420,
  });
}
