/** Line chart: latency (y) against collection size (x, log scale), one line per mode. */
import { invalid } from '../errors.js';
import { frame, renderSvg, requireNumber, requireRows, type ChartOptions } from './render.js';

/**
 * One measurement: a mode at a collection size.
 *
 * @example
 * ```ts
 * const row: ScalingRow = { mode: 'dense', size: 100_000, latencyMs: 1.2 };
 * ```
 */
export interface ScalingRow {
  /** Retrieval mode, e.g. 'sparse', 'dense', 'hybrid'; one line each. */
  mode: string;
  /** Number of documents. */
  size: number;
  /** Latency in ms. */
  latencyMs: number;
}

/**
 * Options of {@link plotScaling}.
 *
 * @example
 * ```ts
 * await plotScaling(rows, { logLatency: true, latencyLabel: 'p99 latency (ms)' });
 * ```
 */
export interface ScalingOptions extends ChartOptions {
  /** y-axis title (default 'p50 latency per query (ms)'). */
  latencyLabel?: string;
  /** Log-scale latency axis too (default false). */
  logLatency?: boolean;
}

/**
 * Plots latency vs collection size, one line (with points) per mode, log-scale x.
 *
 * @example
 * ```ts
 * const svg = await plotScaling([
 *   { mode: 'dense', size: 1_000, latencyMs: 0.2 }, { mode: 'dense', size: 100_000, latencyMs: 1.1 },
 * ]);
 * ```
 */
export async function plotScaling(rows: ScalingRow[], opts: ScalingOptions = {}): Promise<string> {
  requireRows(rows, 'plotScaling');
  for (const r of rows) {
    if (typeof r?.mode !== 'string' || r.mode === '') invalid('INVALID_ARGUMENT', 'every row needs a non-empty mode');
    requireNumber(r.size, `size of '${r.mode}'`, true);
    requireNumber(r.latencyMs, `latencyMs of '${r.mode}'`, opts.logLatency === true);
  }
  const values = [...rows].sort((a, b) => a.mode.localeCompare(b.mode) || a.size - b.size);
  return renderSvg({
    ...frame(opts),
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 50 } },
    encoding: {
      x: { field: 'size', type: 'quantitative', title: 'collection size (documents, log scale)', scale: { type: 'log' }, axis: { format: '~s' } },
      y: {
        field: 'latencyMs',
        type: 'quantitative',
        title: opts.latencyLabel ?? 'p50 latency per query (ms)',
        scale: opts.logLatency ? { type: 'log' } : { zero: true },
      },
      color: { field: 'mode', type: 'nominal', title: 'mode' },
    },
  } as never);
}
