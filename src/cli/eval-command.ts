import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { InvalidArgumentError, TridentError } from '../errors.js';
import { HybridIndex, type SearchOptions } from '../hybrid/index.js';
import { loadEncoder } from '../encode/index.js';
import { loadBeir, runConfigurations, writeJson, type Dataset, type Retriever } from '../eval/index.js';
import { decodeManifest } from '../store/index.js';
import { plotLatencyQuality, plotPerQueryDelta } from '../plot/index.js';
import type { OptionValues } from './options.js';
import { ProgressBar, type ProgressSink } from './progress.js';
import { compareTables, evalTable, formatComparisons, type ResultFile } from './eval-format.js';
import type { CliIo } from './run.js';

/** Named search configurations `trident eval --configs` understands. */
export const EVAL_CONFIGS: Record<string, SearchOptions> = {
  dense: { mode: 'dense' },
  sparse: { mode: 'sparse' },
  multivector: { mode: 'multivector' },
  'dense+sparse': { mode: 'dense+sparse' },
  all: { mode: 'all' },
  'all-rrf': { mode: 'all', fusion: { kind: 'rrf' } },
  'all-dbsf': { mode: 'all', fusion: { kind: 'dbsf' } },
  'all-minmax': { mode: 'all', fusion: { kind: 'minmax' } },
  bm25: { mode: 'bm25' },
  /** The index's default search: every channel, BM25 included when the index has it. */
  hybrid: {},
  'hybrid-rrf': { fusion: { kind: 'rrf' } },
};

/** The configurations run when `--configs` is not given (those the index supports). */
export const DEFAULT_EVAL_CONFIGS = ['dense', 'sparse', 'multivector', 'dense+sparse', 'all', 'all-rrf', 'bm25', 'hybrid'] as const;

/** Stores an index has, as its manifest says. */
export interface IndexStores {
  dense: boolean;
  sparse: boolean;
  multivector: boolean;
  bm25: boolean;
}

/**
 * The stores of the index in `dir` from its manifest alone (no data file is read), or null
 * when `dir` holds no index (eval builds one with every store, BM25 included).
 *
 * @example
 * ```ts
 * await indexStores('scifact-index'); // { dense: true, sparse: true, multivector: true, bm25: false }
 * ```
 */
export async function indexStores(dir: string): Promise<IndexStores | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch {
    return null;
  }
  const c = decodeManifest(text).config as { dense?: unknown; sparse?: unknown; multivector?: unknown; bm25?: unknown; channels?: Array<{ name?: unknown }> } | undefined;
  if (Array.isArray(c?.channels)) {
    const has = (n: string) => c.channels!.some((ch) => ch?.name === n);
    return { dense: has('dense'), sparse: has('sparse'), multivector: has('multivector'), bm25: has('bm25') };
  }
  return { dense: !!c?.dense, sparse: !!c?.sparse, multivector: !!c?.multivector, bm25: !!c?.bm25 };
}

/**
 * Whether a configuration can run on an index with these stores: single-store modes need
 * their store; fused modes need at least one store to find candidates.
 *
 * @example
 * ```ts
 * supportsConfig('bm25', { dense: true, sparse: true, multivector: true, bm25: false }); // false
 * ```
 */
export function supportsConfig(name: string, s: IndexStores): boolean {
  if (name === 'hybrid' || name === 'hybrid-rrf') return s.dense || s.sparse || s.multivector || s.bm25;
  const mode = EVAL_CONFIGS[name]?.mode;
  switch (mode) {
    case 'dense':
      return s.dense;
    case 'sparse':
      return s.sparse;
    case 'multivector':
      return s.multivector;
    case 'bm25':
      return s.bm25;
    default:
      return s.dense || s.sparse;
  }
}

/**
 * The configurations to run: `requested` (each must be supported: an unsupported one is an
 * `INVALID_ARGUMENT` before any work) or the defaults the index supports.
 *
 * @example
 * ```ts
 * chooseConfigs(undefined, { dense: true, sparse: true, multivector: true, bm25: false }); // no 'bm25'
 * ```
 */
export function chooseConfigs(requested: readonly string[] | undefined, stores: IndexStores | null, dir = '<dir>'): string[] {
  const s = stores ?? { dense: true, sparse: true, multivector: true, bm25: true };
  // 'hybrid' (the index's default search) differs from 'all' or 'bm25' only when BM25 is fused with vectors
  if (!requested) return DEFAULT_EVAL_CONFIGS.filter((n) => supportsConfig(n, s) && (n !== 'hybrid' || (s.bm25 && (s.dense || s.sparse || s.multivector))));
  const missing = requested.filter((n) => !supportsConfig(n, s));
  if (missing.length > 0) {
    const has = Object.entries(s)
      .filter(([, v]) => v)
      .map(([k]) => k)
      .join(', ');
    throw new InvalidArgumentError('INVALID_ARGUMENT', `eval: the index at ${dir} has no store for ${missing.map((m) => `'${m}'`).join(', ')} (it has ${has})${missing.includes('bm25') ? '; rebuild it with `trident index … --bm25 english` or leave bm25 out of --configs' : ''}`);
  }
  return [...requested];
}

/** A Retriever (eval harness) over a HybridIndex with fixed search options. */
export function hybridRetriever(index: HybridIndex, opts: SearchOptions): Retriever {
  return {
    search: async (query, k) => (await index.search(query, { ...opts, k })).map((h) => ({ id: String(h.id), score: h.score })),
  };
}

/** Counts the searches of `r` on a progress bar, ended after `total`. */
function withProgress(r: Retriever, bar: ProgressBar, total: number): Retriever {
  let n = 0;
  return {
    search: async (q, k) => {
      const hits = await r.search(q, k);
      bar.update(++n);
      if (n === total) bar.done();
      return hits;
    },
  };
}

/** Builds (or opens) the index for a BEIR corpus. */
async function indexFor(dir: string, dataset: Dataset, model: string, sink: ProgressSink, closers: Array<{ close(): Promise<void> }>, chunking?: 'late' | 'ordinary'): Promise<HybridIndex> {
  const encoder = await loadEncoder(model);
  closers.push(encoder);
  if (await fsp.stat(path.join(dir, 'manifest.json')).catch(() => null)) return HybridIndex.open(dir, { encoder, readOnly: true });
  // no write-ahead log: the cached index must only exist once it is complete (saved below)
  const index = await HybridIndex.create({ encoder, path: dir, wal: false, bm25: { analyzer: 'auto' } });
  const docs = [...dataset.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
  const bar = new ProgressBar(`indexing ${dataset.name}${chunking ? ` (${chunking} chunking)` : ''}`, docs.length, sink);
  for (let i = 0; i < docs.length; i += 256) {
    await index.add(docs.slice(i, i + 256), { ...(chunking ? { chunking: { kind: chunking, by: 'sentence' as const } } : {}), onProgress: (p) => bar.update(i + p.done) });
  }
  bar.done();
  await index.save();
  return index;
}

async function readResultFile(file: string): Promise<ResultFile> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (cause) {
    throw new TridentError('IO_ERROR', `cannot read ${file}: give a file written by trident eval --json`, { cause });
  }
  try {
    return JSON.parse(text) as ResultFile;
  } catch (cause) {
    throw new TridentError('PARSE_ERROR', `${file} is not JSON: give a file written by trident eval --json`, { cause });
  }
}

/** The cut-off of a metric name (`ndcg@10` → 10; `map` → undefined); throws on a name eval does not compute. */
export function metricCutoff(metric: string): number | undefined {
  const m = /^(ndcg|recall|precision|mrr|map)(?:@([1-9]\d*))?$/.exec(metric);
  if (!m || (m[1] !== 'map' && m[2] === undefined)) throw new InvalidArgumentError('INVALID_ARGUMENT', `eval: --metric '${metric}' is not a metric eval computes: use ndcg@k, recall@k, precision@k, mrr@k, map or map@k (e.g. ndcg@10)`);
  return m[2] !== undefined ? Number(m[2]) : undefined;
}

function parseWeights(text: string): [number, number, number] {
  const w = text.split(',').map((s) => Number(s.trim()));
  if (w.length !== 3 || w.some((x) => !Number.isFinite(x) || x < 0)) throw new InvalidArgumentError('INVALID_ARGUMENT', `eval: --weights needs three non-negative numbers dense,sparse,multivector, got '${text}'`);
  return w as [number, number, number];
}

/**
 * `trident eval <dir> --beir <folder>`: evaluates several configurations over one index (built
 * into <dir> from the BEIR corpus when <dir> holds none) and prints one table; `--json` writes
 * the results, `--plot` a latency-vs-quality SVG; `--compare a.json b.json` runs paired tests
 * for every configuration present in both files. Every option is checked before any work.
 */
export async function runEvalCommand(values: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const metric = values.metric as string;
  const cutoff = metricCutoff(metric);
  if (values.compare) {
    const [a, b] = positionals;
    if (!a || !b) throw new InvalidArgumentError('INVALID_ARGUMENT', 'eval --compare needs two result files: trident eval --compare a.json b.json');
    const [ra, rb] = [await readResultFile(a), await readResultFile(b)];
    const only = values.configs as string[] | undefined;
    const cmp = compareTables(ra, rb, metric, { labelA: a, labelB: b, ...(only ? { only } : {}) });
    io.out(formatComparisons(cmp, { labelA: a, labelB: b, metric }));
    if (values.json) await writeJson(values.json as string, cmp.rows);
    if (values.plot) {
      const first = cmp.rows[0]!;
      await fsp.writeFile(values.plot as string, await plotPerQueryDelta(first.perQueryA as never, first.perQueryB as never, { metric, labelA: `${a} ${first.name}`, labelB: `${b} ${first.name}` }));
      io.err(`per-query chart of '${first.name}' → ${String(values.plot)}\n`);
    }
    return 0;
  }
  const dir = positionals[0];
  if (!dir || !values.beir) throw new InvalidArgumentError('INVALID_ARGUMENT', 'eval needs <index dir> and --beir <folder> (see trident eval --help)');
  const weights = values.weights ? parseWeights(values.weights as string) : undefined;
  const names = chooseConfigs(values.configs as string[] | undefined, await indexStores(dir), dir);
  const sink: ProgressSink = { write: io.err, tty: io.errIsTTY, enabled: io.errIsTTY || values.progress === true };
  const dataset = await loadBeir(values.beir as string);
  const model = values.model as string;
  const extra: SearchOptions = {};
  if (weights) extra.fusion = { weights };
  if (values.candidates !== undefined) extra.candidates = values.candidates as number;
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const index = await indexFor(dir, dataset, model, sink, opened);
    opened.unshift(index);
    // --weights apply to the weighted configurations; RRF takes none
    const fusionOf = (n: string): SearchOptions['fusion'] => (EVAL_CONFIGS[n]!.fusion?.kind === 'rrf' ? EVAL_CONFIGS[n]!.fusion : ({ ...EVAL_CONFIGS[n]!.fusion, ...extra.fusion } as SearchOptions['fusion']));
    const configs = names.map((n) => ({ name: n, retriever: hybridRetriever(index, { ...EVAL_CONFIGS[n], ...extra, fusion: fusionOf(n) }) }));
    for (const kind of (values.chunking as Array<'late' | 'ordinary'> | undefined) ?? []) {
      const chunked = await indexFor(`${dir}-${kind}`, dataset, model, sink, opened, kind);
      opened.unshift(chunked);
      configs.push({ name: `all (${kind} chunking)`, retriever: hybridRetriever(chunked, { mode: 'all', ...extra }) });
    }
    const limit = values.limit as number | undefined;
    const total = Math.min(limit ?? Infinity, dataset.qrels.size);
    // one bar per configuration, counting its searches
    const runs = configs.map((c) => ({ name: c.name, retriever: withProgress(c.retriever, new ProgressBar(`eval ${c.name}`, total, sink), total) }));
    const k = [...new Set([10, 100, ...(cutoff !== undefined ? [cutoff] : [])])].sort((x, y) => x - y);
    const table = await runConfigurations(runs, dataset, { k, ...(limit !== undefined ? { limit } : {}) });
    io.out(evalTable(table, metric));
    if (values.json) await writeJson(values.json as string, table);
    if (values.plot) {
      const rows = table.rows.map((r) => ({ name: r.name, latencyMs: r.result.latency.p50, quality: r.result.metrics[metric] ?? 0 }));
      await fsp.writeFile(values.plot as string, await plotLatencyQuality(rows, { title: `${dataset.name}: ${metric} vs p50 latency` }));
    }
    return 0;
  } finally {
    for (const x of opened) await x.close();
  }
}
