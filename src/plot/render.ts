/**
 * Renders a Vega-Lite spec to an SVG string in Node: compile with vega-lite,
 * parse with vega, render headless (`renderer: 'none'`, no browser, no canvas).
 * vega and vega-lite are optional peer dependencies (about 22 MB installed), imported on the
 * first chart, not with the package: they cost about half of `import 'trident'` and only
 * charts need them.
 */
import type * as vl from 'vega-lite';
import { TridentError, invalid } from '../errors.js';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let libs: Promise<[Vega, VegaLite]> | null = null;

/**
 * The error for a chart when vega / vega-lite cannot be imported: UNSUPPORTED saying how to
 * install them when they are missing, else the import error itself. @internal
 */
export function chartDependencyError(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return new TridentError('UNSUPPORTED', 'charts need the optional peer dependencies vega and vega-lite: run `npm install vega vega-lite`', { cause: e });
  }
  return e;
}

/** vega + vega-lite, imported once on first use. @internal */
export function loadVega(): Promise<[Vega, VegaLite]> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]).catch((e: unknown) => {
    libs = null;
    throw chartDependencyError(e);
  });
  return libs;
}

/**
 * A Vega-Lite top-level spec (kept loose so callers need not import vega-lite types).
 *
 * @example
 * ```ts
 * const spec: VegaLiteSpec = { data: { values: [] }, mark: 'point' };
 * ```
 */
export type VegaLiteSpec = vl.TopLevelSpec;

/**
 * Options shared by the chart functions.
 *
 * @example
 * ```ts
 * await plotScaling(rows, { title: 'Latency vs size', subtitle: 'scifact, 2 cores', width: 600, height: 360 });
 * ```
 */
export interface ChartOptions {
  /** Chart title. */
  title?: string;
  /** Subtitle, e.g. `'synthetic demo data'` or the data set and machine (shown only with a title). */
  subtitle?: string;
  /** Plot area width in px (default 480). */
  width?: number;
  /** Plot area height in px (default 320). */
  height?: number;
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document string.
 *
 * @example
 * ```ts
 * const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vl] = await loadVega();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Title block and size for a spec. @internal */
export function frame(opts: ChartOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { width: opts.width ?? 480, height: opts.height ?? 320, background: 'white' };
  if (opts.title !== undefined) {
    out.title = { text: opts.title, ...(opts.subtitle !== undefined ? { subtitle: opts.subtitle } : {}), anchor: 'start' };
  }
  return out;
}

/** Throws unless `rows` is a non-empty array. @internal */
export function requireRows(rows: unknown, what: string): void {
  if (!Array.isArray(rows) || rows.length === 0) invalid('INVALID_ARGUMENT', `${what} needs a non-empty array of rows`);
}

/** Throws unless `v` is a finite number (and > 0 when `positive`). @internal */
export function requireNumber(v: unknown, what: string, positive = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0)) {
    invalid('INVALID_ARGUMENT', `${what} must be a finite${positive ? ' positive' : ''} number, got ${String(v)}`);
  }
}
