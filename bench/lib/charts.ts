/**
 * SVG charts of the benchmark results (src/plot, vega-lite rendered headless in Node):
 * latency vs nDCG@10 per mode and per-query nDCG@10 'all' vs 'bm25' from e2e.json, latency
 * vs collection size from scale.json, latency vs nDCG@10 per engine from peers.json. Pure functions of the parsed JSON, so they can be
 * re-drawn from old results.
 */
import { plotLatencyQuality, plotPerQueryDelta, plotScaling } from '../../src/plot/index.js';
import type { LatencyQualityRow } from '../../src/plot/index.js';
import type { ScalingRow } from '../../src/plot/index.js';
import { peersChart, type PeersJson } from '../peers/report.js';

/** A chart to write: file name (in bench/results/ and bench/charts/) and SVG text. */
export interface Chart {
  file: string;
  svg: string;
}

interface E2eJson {
  dataset?: string;
  model?: { id?: string; spec?: string };
  backend?: { kind?: string; isa?: string };
  loadavg?: number[];
  modes?: Array<{ mode: string; latencyMs: { p50: number }; ndcg10: number; perQueryNdcg10: Record<string, number> }>;
  allWithEncoding?: { latencyMs: { p50: number }; ndcg10: number };
}

interface ScaleJson {
  backend?: { kind?: string; isa?: string };
  points?: Array<{ store: string; config: string; n: number; latencyMs: { p50: number }; baseline: { name: string; latencyMs?: { p50: number }; skipped?: string } }>;
}

const GROUP: Record<string, string> = {
  dense: 'dense',
  sparse: 'lexical',
  bm25: 'lexical',
  multivector: 'multi-vector',
  'dense+sparse': 'hybrid',
  all: 'hybrid',
};

/** Latency-vs-quality points of e2e.json: one per mode (retrieval only) plus 'all + encoding'. */
export function e2eLatencyQualityRows(j: E2eJson): LatencyQualityRow[] {
  const rows: LatencyQualityRow[] = (j.modes ?? []).map((m) => ({ name: m.mode, latencyMs: m.latencyMs.p50, quality: m.ndcg10, group: GROUP[m.mode] ?? m.mode }));
  if (j.allWithEncoding) rows.push({ name: 'all + encoding', latencyMs: j.allWithEncoding.latencyMs.p50, quality: j.allWithEncoding.ndcg10, group: 'hybrid' });
  return rows.filter((r) => r.latencyMs > 0 && Number.isFinite(r.quality));
}

const SHORT: Record<string, [string, string]> = {
  dense: ['HNSW', 'exact'],
  sparse: ['MaxScore', 'exhaustive'],
  multivector: ['rerank', 'full scan'],
};

/** Latency-vs-N rows of scale.json: one line per store configuration and per measured baseline. */
export function scaleRows(j: ScaleJson): ScalingRow[] {
  const rows: ScalingRow[] = [];
  for (const p of j.points ?? []) {
    // short names: vega's legend cuts labels past ~160 px
    const [fast, slow] = SHORT[p.store] ?? [p.store, p.baseline.name];
    const what = p.store === 'dense' ? (p.config.split(' ')[0] ?? '') : p.store === 'multivector' ? (/\d+-d/.exec(p.config)?.[0] ?? '') : '';
    const name = (s: string) => (p.store === 'multivector' ? `mv${what.replace('-d', '')} ${s}` : [p.store, what, s].filter(Boolean).join(' '));
    rows.push({ mode: name(fast), size: p.n, latencyMs: p.latencyMs.p50 });
    if (p.baseline.latencyMs) rows.push({ mode: name(slow), size: p.n, latencyMs: p.baseline.latencyMs.p50 });
  }
  return rows.filter((r) => r.latencyMs > 0);
}

function machine(j: { backend?: { kind?: string; isa?: string } }): string {
  return j.backend ? `${j.backend.kind}/${j.backend.isa}` : '';
}

/**
 * Every chart the available results allow (a missing or skipped result gives none).
 *
 * @example
 * ```ts
 * const charts = await benchCharts({ e2e: JSON.parse(e2eText), scale: JSON.parse(scaleText) });
 * ```
 */
export async function benchCharts(results: { e2e?: unknown; scale?: unknown; peers?: unknown }): Promise<Chart[]> {
  const out: Chart[] = [];
  const e2e = results.e2e as E2eJson | undefined;
  if (e2e?.modes?.length) {
    const ds = (e2e.dataset ?? '').split('/').pop() ?? '';
    const sub = `${ds}, model ${e2e.model?.spec ?? e2e.model?.id ?? '?'}, k = 10, one core, ${machine(e2e)}`;
    const rows = e2eLatencyQualityRows(e2e);
    if (rows.length) out.push({ file: 'e2e-latency-quality.svg', svg: await plotLatencyQuality(rows, { title: `${ds}: nDCG@10 vs p50 search latency per mode`, subtitle: sub, latencyLabel: 'p50 latency per query (ms, log scale)', logLatency: true }) });
    const all = e2e.modes.find((m) => m.mode === 'all');
    const bm25 = e2e.modes.find((m) => m.mode === 'bm25');
    if (all && bm25) {
      const a = Object.fromEntries(Object.entries(all.perQueryNdcg10).map(([q, v]) => [q, { 'ndcg@10': v }]));
      const b = Object.fromEntries(Object.entries(bm25.perQueryNdcg10).map(([q, v]) => [q, { 'ndcg@10': v }]));
      out.push({ file: 'e2e-delta-all-vs-bm25.svg', svg: await plotPerQueryDelta(a, b, { labelA: 'all', labelB: 'bm25', title: `${ds}: per-query nDCG@10, all − bm25 (model ${e2e.model?.spec ?? e2e.model?.id ?? '?'})` }) });
    }
  }
  const scale = results.scale as ScaleJson | undefined;
  if (scale?.points?.length) {
    const rows = scaleRows(scale);
    if (rows.length) out.push({ file: 'scale-latency-vs-n.svg', svg: await plotScaling(rows, { title: 'Search latency vs collection size (synthetic)', subtitle: `k = 10, one core, ${machine(scale)}; dense 1024-d; mv = multi-vector i8, 100–300 vectors/doc (rerank = 200 candidates)`, logLatency: true, width: 560 }) });
  }
  const peers = results.peers ? await peersChart(results.peers as PeersJson) : undefined;
  if (peers) out.push({ file: 'peers-latency-quality.svg', svg: peers });
  return out;
}
