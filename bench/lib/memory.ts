/**
 * Memory helpers for the benchmarks: RSS, available RAM, on-disk sizes, and the memory a
 * store would need at a given scale (so a configuration that cannot fit is skipped with
 * its reason instead of swapping or being killed).
 */
import { type Stats, readFileSync, readdirSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';

/** Resident set size of this process in bytes. */
export function rssBytes(): number {
  return process.memoryUsage.rss();
}

/**
 * RAM the kernel says is available for new allocations (`MemAvailable` in /proc/meminfo,
 * else `os.freemem()`), in bytes.
 *
 * @example
 * ```ts
 * const budget = 0.6 * availableBytes();
 * ```
 */
export function availableBytes(): number {
  try {
    const m = /^MemAvailable:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

/**
 * Total size in bytes of the regular files under `path` (recursively); 0 when absent.
 *
 * @example
 * ```ts
 * dirBytes('/tmp/idx/gen-1/dense'); // rows + graph
 * ```
 */
export function dirBytes(path: string): number {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (st.isFile()) return st.size;
  if (!st.isDirectory()) return 0;
  let total = 0;
  for (const name of readdirSync(path)) total += dirBytes(join(path, name));
  return total;
}

/** Bytes per element of a storage dtype. */
export function dtypeBytes(dtype: 'f32' | 'f16' | 'i8'): number {
  return dtype === 'f32' ? 4 : dtype === 'f16' ? 2 : 1;
}

/**
 * Bytes one stored multi-vector takes in `MultiVectorStore` (payload, one f32 scale for i8,
 * u32 token id and two u32 span ends).
 *
 * @example
 * ```ts
 * mvBytesPerVector(128, 'i8'); // 128 + 4 + 12 = 144
 * ```
 */
export function mvBytesPerVector(dim: number, dtype: 'f32' | 'f16' | 'i8'): number {
  return dim * dtypeBytes(dtype) + (dtype === 'i8' ? 4 : 0) + 12;
}

/**
 * Peak memory estimate of a multi-vector store of `docs` documents with `meanTokens`
 * vectors each: stored bytes times the arena's worst-case growth slack (capacity grows
 * ×1.5, and the old buffer lives while the new one is filled: up to 2.5× briefly).
 *
 * @example
 * ```ts
 * mvPeakBytes(1_000_000, 200, 1024, 'i8'); // ≈ 2.6e11 × 2.5
 * ```
 */
export function mvPeakBytes(docs: number, meanTokens: number, dim: number, dtype: 'f32' | 'f16' | 'i8'): number {
  return Math.ceil(docs * meanTokens * mvBytesPerVector(dim, dtype) * 2.5);
}

/**
 * Peak memory estimate of a `DenseIndex` of `n` vectors: our rows (`rowDtype`), the usearch
 * graph (vector in the graph dtype + base-layer links, 2 × connectivity u32, + ~64 B of
 * node overhead), and a 10k-row f32 insert buffer; rows grow ×1.5 like the arena.
 *
 * @example
 * ```ts
 * densePeakBytes(100_000, 1024, 'f16', 'f16'); // ≈ 0.6 GB
 * ```
 */
export function densePeakBytes(n: number, dim: number, dtype: 'f32' | 'f16' | 'i8', rowDtype: 'f32' | 'f16' | 'i8', connectivity = 16): number {
  const rows = n * dim * dtypeBytes(rowDtype) * 2.5;
  const graph = n * (dim * dtypeBytes(dtype) + 2 * connectivity * 4 + 64);
  return Math.ceil(rows + graph + 10_000 * dim * 4 * 2);
}

/** Outcome of {@link checkBudget}. */
export interface BudgetVerdict {
  fits: boolean;
  needBytes: number;
  budgetBytes: number;
  /** Why it does not fit (set when `fits` is false). */
  reason?: string;
}

/**
 * Decides whether `needBytes` fits in `share` of `availBytes` (default 60 %).
 *
 * @example
 * ```ts
 * checkBudget(30e9, 17e9).reason; // 'needs 30.0 GB > budget 10.2 GB (60 % of 17.0 GB available)'
 * ```
 */
export function checkBudget(needBytes: number, availBytes: number, share = 0.6): BudgetVerdict {
  const budgetBytes = Math.floor(availBytes * share);
  if (needBytes <= budgetBytes) return { fits: true, needBytes, budgetBytes };
  return {
    fits: false,
    needBytes,
    budgetBytes,
    reason: `needs ${gb(needBytes)} > budget ${gb(budgetBytes)} (${Math.round(share * 100)} % of ${gb(availBytes)} available)`,
  };
}

/** Bytes as GB with one decimal ("12.3 GB"). */
export function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}
