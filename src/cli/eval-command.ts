import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { TridentError } from '../errors.js';
import { HybridIndex, type SearchOptions } from '../hybrid/index.js';
import { loadEncoder } from '../encode/index.js';
import { compare, formatTable, loadBeir, runConfigurations, writeJson, type Dataset, type Retriever } from '../eval/index.js';
import { plotLatencyQuality, plotPerQueryDelta } from '../plot/index.js';
import { ProgressBar } from './progress.js';

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
};

/** A Retriever (eval harness) over a HybridIndex with fixed search options. */
export function hybridRetriever(index: HybridIndex, opts: SearchOptions): Retriever {
  return {
    search: async (query, k) => (await index.search(query, { ...opts, k })).map((h) => ({ id: String(h.id), score: h.score })),
  };
}

/** Builds (or opens) the index for a BEIR corpus. */
async function indexFor(dir: string, dataset: Dataset, model: string, chunking?: 'late' | 'ordinary'): Promise<HybridIndex> {
  const encoder = await loadEncoder(model);
  if (await fsp.stat(path.join(dir, 'manifest.json')).catch(() => null)) return HybridIndex.open(dir, { encoder, readOnly: true });
  const index = await HybridIndex.create({ encoder, path: dir, bm25: { analyzer: 'auto' } });
  const docs = [...dataset.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
  const bar = new ProgressBar(`indexing ${dataset.name}${chunking ? ` (${chunking} chunking)` : ''}`, docs.length);
  for (let i = 0; i < docs.length; i += 256) {
    await index.add(docs.slice(i, i + 256), { ...(chunking ? { chunking: { kind: chunking, by: 'sentence' as const } } : {}), onProgress: (p) => bar.update(i + p.done) });
  }
  bar.done();
  await index.save();
  return index;
}

/**
 * `trident eval <dir> --beir <folder>`: evaluates several configurations over one index (built
 * into <dir> from the BEIR corpus when <dir> holds none) and prints one table; `--json` writes
 * the results, `--plot` a latency-vs-quality SVG; `--compare a.json b.json` runs paired tests.
 */
export async function runEvalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      beir: { type: 'string' },
      model: { type: 'string' },
      configs: { type: 'string' },
      weights: { type: 'string' },
      candidates: { type: 'string' },
      chunking: { type: 'string' },
      json: { type: 'string' },
      plot: { type: 'string' },
      compare: { type: 'boolean' },
      metric: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const metric = values.metric ?? 'ndcg@10';
  if (values.compare) {
    const [a, b] = positionals;
    if (!a || !b) throw new TridentError('INVALID_ARGUMENT', 'eval --compare needs two result files: trident eval --compare a.json b.json');
    const ra = JSON.parse(await fsp.readFile(a, 'utf8'));
    const rb = JSON.parse(await fsp.readFile(b, 'utf8'));
    const pick = (r: { rows?: Array<{ name: string; result: unknown }>; metrics?: unknown }) => (r.rows ? r.rows[0]!.result : r);
    const c = compare(pick(ra) as never, pick(rb) as never, metric);
    process.stdout.write(JSON.stringify(c, null, 2) + '\n');
    if (values.plot) await fsp.writeFile(values.plot, await plotPerQueryDelta((pick(ra) as { perQuery: never }).perQuery, (pick(rb) as { perQuery: never }).perQuery, { metric, labelA: a, labelB: b }));
    return 0;
  }
  const dir = positionals[0];
  if (!dir || !values.beir) throw new TridentError('INVALID_ARGUMENT', 'eval needs <index dir> and --beir <folder>');
  const dataset = await loadBeir(values.beir);
  const model = values.model ?? 'builtin:static-en';
  const names = (values.configs ?? 'dense,sparse,multivector,dense+sparse,all,all-rrf,bm25').split(',').map((s) => s.trim());
  for (const n of names) if (!EVAL_CONFIGS[n]) throw new TridentError('INVALID_ARGUMENT', `unknown config '${n}': use ${Object.keys(EVAL_CONFIGS).join(', ')}`);
  const extra: SearchOptions = {};
  if (values.weights) extra.fusion = { weights: values.weights.split(',').map(Number) as unknown as [number, number, number] };
  if (values.candidates) extra.candidates = Number(values.candidates);
  const index = await indexFor(dir, dataset, model);
  // --weights apply to the weighted configurations; RRF takes none
  const fusionOf = (n: string): SearchOptions['fusion'] => (EVAL_CONFIGS[n]!.fusion?.kind === 'rrf' ? EVAL_CONFIGS[n]!.fusion : ({ ...EVAL_CONFIGS[n]!.fusion, ...extra.fusion } as SearchOptions['fusion']));
  const configs = names.map((n) => ({ name: n, retriever: hybridRetriever(index, { ...EVAL_CONFIGS[n], ...extra, fusion: fusionOf(n) }) }));
  for (const kind of (values.chunking ?? '').split(',').filter(Boolean) as Array<'late' | 'ordinary'>) {
    const chunked = await indexFor(`${dir}-${kind}`, dataset, model, kind);
    configs.push({ name: `all (${kind} chunking)`, retriever: hybridRetriever(chunked, { mode: 'all', ...extra }) });
  }
  const table = await runConfigurations(configs, dataset, { ...(values.limit ? { limit: Number(values.limit) } : {}) });
  process.stdout.write(formatTable(table, { style: 'markdown' }) + '\n');
  if (values.json) await writeJson(values.json, table);
  if (values.plot) {
    const rows = table.rows.map((r) => ({ name: r.name, latencyMs: r.result.latency.p50, quality: r.result.metrics[metric] ?? 0 }));
    await fsp.writeFile(values.plot, await plotLatencyQuality(rows, { title: `${dataset.name}: ${metric} vs p50 latency` }));
  }
  return 0;
}
