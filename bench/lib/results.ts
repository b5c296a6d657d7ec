import { execSync } from 'node:child_process';
/**
 * Where benchmark results live and the metadata every result file carries (date, Node,
 * CPU count, load average, kernel backend), so a figure can always be traced to its run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backend } from '../../src/kernels/index.js';

/** bench/ folder. */
export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** bench/results/ (git-ignored), overridable with TRIDENT_BENCH_RESULTS_DIR. */
export const RESULTS_DIR = process.env.TRIDENT_BENCH_RESULTS_DIR ?? join(BENCH_DIR, 'results');
/** bench/charts/ (committed SVGs the README shows). */
export const CHARTS_DIR = join(BENCH_DIR, 'charts');
/** Where the data sets live (TRIDENT_DATA_DIR, default /work/shared/data). */
export const DATA_DIR = process.env.TRIDENT_DATA_DIR ?? '/work/shared/data';

/** Run metadata stored in every result file. */
export interface RunMeta {
  bench: string;
  date: string;
  node: string;
  cpus: number;
  totalMemBytes: number;
  loadavg: number[];
  backend: { kind: string; isa: string };
}

/** Metadata of the current process. */
export function runMeta(bench: string): RunMeta {
  const b = backend();
  return {
    bench,
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    totalMemBytes: totalmem(),
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    backend: { kind: b.kind, isa: b.isa },
  };
}

/** Writes `bench/results/<name>.json` (pretty-printed) and returns its path. */
export function writeResult(name: string, payload: object): string {
  const file = join(RESULTS_DIR, `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  return file;
}

/** Integer env var with a default; throws a clear message when set but not a number. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new Error(`${name}=${raw} is not a number`);
  return v;
}

/** Comma-separated env var (trimmed, empties dropped) with a default. */
export function envList(name: string, fallback: string[]): string[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The CPU's model name (Linux `lscpu`), or 'unknown' elsewhere: every speed figure names it. */
export function cpuModel(): string {
  try {
    return /Model name:\s*(.+)/.exec(execSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}
