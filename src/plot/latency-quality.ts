/** Scatter chart: latency (x) against quality (y), one labelled point per configuration. */
import { invalid } from '../errors.js';
import { frame, renderSvg, requireNumber, requireRows, type ChartOptions } from './render.js';

/**
 * One configuration's point.
 *
 * @example
 * ```ts
 * const row: LatencyQualityRow = { name: 'hybrid', latencyMs: 12, quality: 0.73, group: 'hybrid' };
 * ```
 */
export interface LatencyQualityRow {
  /** Configuration name, drawn next to the point. */
  name: string;
  /** Latency in ms (e.g. p50 per query). */
  latencyMs: number;
  /** Quality, e.g. nDCG@10. */
  quality: number;
  /** Optional group (colour), e.g. 'sparse' / 'dense' / 'hybrid'. */
  group?: string;
}

/**
 * Options of {@link plotLatencyQuality}.
 *
 * @example
 * ```ts
 * await plotLatencyQuality(rows, { title: 'scifact', qualityLabel: 'nDCG@10', logLatency: true });
 * ```
 */
export interface LatencyQualityOptions extends ChartOptions {
  /** y-axis title (default 'nDCG@10'). */
  qualityLabel?: string;
  /** x-axis title (default 'p50 latency per query (ms)'). */
  latencyLabel?: string;
  /** Log-scale latency axis (default true when latencies span more than 20×). */
  logLatency?: boolean;
}

/**
 * Plots latency vs quality per configuration as an SVG scatter with labelled points.
 *
 * @example
 * ```ts
 * const svg = await plotLatencyQuality([
 *   { name: 'bm25', latencyMs: 0.4, quality: 0.66 },
 *   { name: 'hybrid', latencyMs: 12, quality: 0.73 },
 * ], { title: 'scifact' });
 * ```
 */
export async function plotLatencyQuality(rows: LatencyQualityRow[], opts: LatencyQualityOptions = {}): Promise<string> {
  requireRows(rows, 'plotLatencyQuality');
  for (const r of rows) {
    if (typeof r?.name !== 'string' || r.name === '') invalid('INVALID_ARGUMENT', 'every row needs a non-empty name');
    requireNumber(r.latencyMs, `latencyMs of '${r.name}'`, true);
    requireNumber(r.quality, `quality of '${r.name}'`);
  }
  const lat = rows.map((r) => r.latencyMs);
  const log = opts.logLatency ?? Math.max(...lat) / Math.min(...lat) > 20;
  const values = rows.map((r) => ({ name: r.name, latencyMs: r.latencyMs, quality: r.quality, group: r.group ?? r.name }));
  const x = { field: 'latencyMs', type: 'quantitative', title: opts.latencyLabel ?? 'p50 latency per query (ms)', scale: log ? { type: 'log' } : { zero: true } };
  const q = rows.map((r) => r.quality);
  const [qMin, qMax] = [Math.min(...q), Math.max(...q)];
  // A flat quality range (one point, or equal values) gets a ±0.05 window instead of a degenerate axis.
  const yScale = qMax - qMin > 1e-9 ? { zero: false, padding: 20 } : { domain: [qMin - 0.05, qMax + 0.05] };
  const y = { field: 'quality', type: 'quantitative', title: opts.qualityLabel ?? 'nDCG@10', scale: yScale };
  return renderSvg({
    ...frame(opts),
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 90 },
        encoding: { x, y, color: { field: 'group', type: 'nominal', title: 'group', legend: rows.some((r) => r.group) ? {} : null } },
      },
      { mark: { type: 'text', align: 'left', dx: 8, dy: -6, fontSize: 11 }, encoding: { x, y, text: { field: 'name', type: 'nominal' } } },
    ],
  } as never);
}
