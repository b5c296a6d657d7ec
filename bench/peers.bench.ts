import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HybridIndex, evaluateRun, type SearchMode } from '../src/index.js';
import type { HybridEncoder } from '../src/hybrid/types.js';
import { DATA_DIR, RESULTS_DIR, envList, envNumber, runMeta, writeResult, cpuModel } from './lib/results.js';
import { encodeCollection, exactKnn, recallAtK, syntheticVectors, type Encoded } from './peers/data.js';
import { FUSION_CANDIDATES, lanceHybrid, lanceRerank, oramaHybrid, sqliteHybrid, tridentHybrid, tridentModeEngine, tridentRerank, type HybridQuery, type RerankQuery } from './peers/hybrid-engines.js';
import { packageVersion } from './peers/load.js';
import { measureEngine, settledRss, type EngineRow, type MeasureOptions } from './peers/measure.js';
import { peersChart, peersMarkdown, peersSummary, type PeersJson, type TaskResult } from './peers/report.js';
import { reopeners } from './peers/reopen.js';
import { lanceFts, miniSearch, oramaText, sqliteFts, tridentBm25, winkBm25, type Factory } from './peers/text-engines.js';
import { faissFlat, hnswlib, lanceVector, oramaVector, sqliteVec, tridentDense, usearchRaw, type VectorSet } from './peers/vector-engines.js';

const DATASET = process.env.TRIDENT_BENCH_PEERS_DATASET ?? 'dev/scifact';
const MODEL = process.env.TRIDENT_BENCH_PEERS_MODEL ?? 'builtin:static-en';
const TASKS = envList('TRIDENT_BENCH_PEERS_TASKS', ['bm25', 'dense', 'synthetic', 'hybrid', 'multivector', 'open']);
const SYNTH_N = envNumber('TRIDENT_BENCH_PEERS_SYNTH_N', 100_000);
const SYNTH_DIM = envNumber('TRIDENT_BENCH_PEERS_SYNTH_DIM', 1024);
const SYNTH_QUERIES = envNumber('TRIDENT_BENCH_PEERS_SYNTH_QUERIES', 100);
const ORAMA_MAX_N = envNumber('TRIDENT_BENCH_PEERS_ORAMA_MAX_N', 20_000);
const MV_QUERIES = envNumber('TRIDENT_BENCH_PEERS_MV_QUERIES', 40);
const TIME_MS = envNumber('TRIDENT_BENCH_PEERS_TIME_MS', 1000);
const K = 10;
const PEERS = ['@lancedb/lancedb', 'apache-arrow', 'better-sqlite3', 'sqlite-vec', '@orama/orama', 'hnswlib-node', 'usearch', 'wink-bm25-text-search', 'minisearch', 'faiss-node'];

const log = (s: string) => process.stderr.write(`${s}\n`);

/** nDCG@10 of row-index results by src/eval (ids mapped back to the collection's doc ids). */
function ndcgOf(enc: Encoded, qids: string[]) {
  return (results: number[][]) => {
    const run = new Map(qids.map((q, i) => [q, results[i]!.map((r, rank) => ({ id: enc.docs[r]!.id, score: results[i]!.length - rank }))]));
    const qrels = new Map(qids.map((q) => [q, enc.dataset.qrels.get(q)!]));
    return { ndcg10: evaluateRun(run, qrels, { k: [K], metrics: ['ndcg'] }).metrics[`ndcg@${K}`]! };
  };
}

const recallOf = (exact: number[][]) => (results: number[][]) => ({ recall10: recallAtK(results, exact, K) });

/** Save time per saved path (file or folder), for the open task's table. */
const savedMs = new Map<string, number>();

async function runAll<Q, C>(task: string, engines: Array<[string, Factory<Q, C>]>, corpus: C, work: string, o: MeasureOptions<Q>): Promise<EngineRow[]> {
  const rows: EngineRow[] = [];
  for (const [label, f] of engines) {
    const dir = join(work, task, label.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir, { recursive: true });
    const m = await measureEngine(label, f, corpus, dir, { ...o, log });
    if (m.row.saveMs !== undefined && m.path) savedMs.set(m.path, m.row.saveMs);
    rows.push(m.row);
  }
  return rows;
}

/** A HybridIndex whose encoder returns stored dense rows: texts `d<i>` / `q<i>`. */
function rowEncoder(dim: number, base: Float32Array, queries: Float32Array): HybridEncoder {
  return {
    info: { id: `synthetic-${dim}`, dim, maxLength: 8, heads: { dense: true, sparse: false, multivector: false } },
    encode: async (texts) =>
      texts.map((t) => {
        const i = Number(t.slice(1));
        const m = t[0] === 'q' ? queries : base;
        return { dense: Number.isInteger(i) && i >= 0 && (i + 1) * dim <= m.length ? m.subarray(i * dim, (i + 1) * dim) : new Float32Array(dim).fill(1 / Math.sqrt(dim)) };
      }),
  };
}

/** HybridIndex with only the dense store, built from a VectorSet through {@link rowEncoder}. */
function hybridDense(queries: Float32Array): Factory<Float32Array, VectorSet> {
  return async (v, dir) => {
    // wal: false — built in memory like usearch, hnswlib and the other vector engines (each one's
    // save is timed apart); with the log on, every add is also written and fsynced (vectors as bytes)
    const index = await HybridIndex.create({ encoder: rowEncoder(v.dim, v.data, queries), path: dir, sparse: false, multivector: false, bm25: false, storeText: false, wal: false });
    // one add() for the whole set, as raw usearch and DenseIndex get one batch (encoded 1,024 at a time)
    await index.add(
      Array.from({ length: v.n }, (_, i) => ({ id: i, text: `d${i}` })),
      { batchSize: 1024 },
    );
    return {
      name: "trident HybridIndex 'dense'",
      version: '',
      path: dir,
      note: `HybridIndex with the dense store only (${v.dim >= 512 ? 'f16' : 'f32'} graph, wal: false: built in memory as the other vector engines, saved apart), every document in one add() (one multi-threaded batch insert, as raw usearch), mode 'dense', vectors passed as pre-encoded queries`,
      search: async (q, k) => (await index.search('', { mode: 'dense', k, encoded: { dense: q } })).map((h) => h.id as number),
      save: () => index.save(),
      close: () => index.close(),
    };
  };
}

async function main(): Promise<void> {
  const meta = runMeta('peers');
  const dsDir = join(DATA_DIR, DATASET);
  const peers = Object.fromEntries(PEERS.map((p) => [p, packageVersion(p)]));
  const base = { ...meta, cpuModel: cpuModel(), peers, dataset: DATASET, model: MODEL };
  if (!existsSync(join(dsDir, 'corpus.jsonl'))) {
    const reason = `no data set at ${dsDir} (set TRIDENT_DATA_DIR to the folder holding ${DATASET})`;
    log(`peers: skipped — ${reason}`);
    writeResult('peers', { ...base, skipped: reason });
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'trident-peers-'));
  const tasks: Record<string, TaskResult> = {};
  const timing = { timeMs: TIME_MS, k: K };
  try {
    const t0 = performance.now();
    const enc = await encodeCollection(dsDir, MODEL, { multivector: TASKS.includes('hybrid') || TASKS.includes('multivector') || TASKS.includes('open') });
    log(`peers: ${DATASET} ${enc.docs.length} docs, ${enc.queryIds.length} judged queries, model ${enc.modelId} (dim ${enc.dim}), encoded in ${((performance.now() - t0) / 1000).toFixed(1)} s; CPU ${base.cpuModel}; load ${meta.loadavg.join(' ')}`);
    const ndcg = ndcgOf(enc, enc.queryIds);
    const vs: VectorSet = { dim: enc.dim, n: enc.docs.length, data: enc.vectors };
    const qvec = Array.from({ length: enc.queryIds.length }, (_, i) => enc.queryVectors.subarray(i * enc.dim, (i + 1) * enc.dim));

    if (TASKS.includes('bm25')) {
      log('BM25 (scifact)');
      const engines: Array<[string, Factory<string>]> = [
        ['trident', tridentBm25(enc.encoder)],
        ['SQLite FTS5', sqliteFts],
        ['LanceDB FTS', lanceFts],
        ['wink-bm25', winkBm25],
        ['MiniSearch', miniSearch],
        ['Orama', oramaText],
      ];
      const rows = await runAll('bm25', engines, enc.docs, work, { ...timing, queries: enc.queryTexts, minIterations: 20, quality: ndcg });
      tasks.bm25 = {
        title: `BM25 on ${DATASET} (${enc.docs.length} docs, ${enc.queryIds.length} queries)`,
        reference: 'trident',
        rows,
        notes: ['each engine tokenises and scores with its own analyser (see notes in peers.json); build = index from raw text', "trident's build is durable as it goes, like SQLite's and LanceDB's (HybridIndex.create with a path saves the empty index and logs the add to its write-ahead log, fsynced)"],
      };
    }

    if (TASKS.includes('dense')) {
      log('dense kNN (scifact vectors)');
      const exact = exactKnn(enc.vectors, enc.queryVectors, enc.dim, K);
      const engines: Array<[string, Factory<Float32Array, VectorSet>]> = [
        ['trident DenseIndex', tridentDense()],
        ['trident DenseIndex (graph)', tridentDense({ graph: true })],
        ["trident HybridIndex 'dense'", hybridDense(enc.queryVectors)],
        ['usearch (raw, f32)', usearchRaw('f32')],
        ['hnswlib-node', hnswlib],
        ['sqlite-vec', sqliteVec],
        ['LanceDB', lanceVector],
        ['Orama', oramaVector],
        ['faiss-node', faissFlat],
      ];
      const rows = await runAll('dense', engines, vs, work, { ...timing, queries: qvec, minIterations: 20, quality: recallOf(exact) });
      tasks.dense = { title: `dense kNN on ${DATASET} vectors (${vs.n} × ${vs.dim}, cosine)`, reference: 'trident DenseIndex', rows, notes: ['recall@10 against an exact brute-force scan (bench/peers/data.ts exactKnn)'] };
    }

    if (TASKS.includes('synthetic')) {
      log(`dense kNN (synthetic ${SYNTH_N} × ${SYNTH_DIM})`);
      const g0 = performance.now();
      const syn = syntheticVectors(SYNTH_N, SYNTH_QUERIES, SYNTH_DIM, 19);
      const exact = exactKnn(syn.base, syn.queries, SYNTH_DIM, K);
      log(`  generated + exact top-${K} in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
      const sv: VectorSet = { dim: SYNTH_DIM, n: SYNTH_N, data: syn.base };
      const q = Array.from({ length: SYNTH_QUERIES }, (_, i) => syn.queries.subarray(i * SYNTH_DIM, (i + 1) * SYNTH_DIM));
      const oramaSkip: Factory<Float32Array, VectorSet> = async () => ({ skipped: `${SYNTH_N} vectors > TRIDENT_BENCH_PEERS_ORAMA_MAX_N=${ORAMA_MAX_N} (Orama keeps vectors as JS arrays and scans them)` });
      const engines: Array<[string, Factory<Float32Array, VectorSet>]> = [
        ['trident DenseIndex', tridentDense()],
        ["trident HybridIndex 'dense'", hybridDense(syn.queries)],
        ['usearch (raw, f16)', usearchRaw('f16')],
        ['usearch (raw, f32)', usearchRaw('f32')],
        ['hnswlib-node', hnswlib],
        ['sqlite-vec', sqliteVec],
        ['LanceDB', lanceVector],
        ['Orama', SYNTH_N <= ORAMA_MAX_N ? oramaVector : oramaSkip],
        ['faiss-node', faissFlat],
      ];
      const rows = await runAll('synthetic', engines, sv, work, { ...timing, queries: q, minIterations: 10, quality: recallOf(exact) });
      tasks.synthetic = {
        title: `dense kNN on synthetic ${SYNTH_N} × ${SYNTH_DIM} (clustered, cosine)`,
        reference: 'trident DenseIndex',
        rows,
        notes: [`${SYNTH_QUERIES} queries from the same clusters; trident's default graph dtype at 1024-d is f16, so raw usearch is shown at f16 (same graph) and f32`, 'builds use every core where the library can (trident, usearch); hnswlib-node and the others insert on one thread'],
      };
    }

    // the full trident index is shared by the hybrid, multi-vector candidates and open tasks
    let hybridDir: string | undefined;
    const hq: HybridQuery[] = enc.queryTexts.map((text, i) => ({ text, vector: qvec[i]!, encoded: enc.queryEnc[i]! }));
    if (TASKS.includes('hybrid') || TASKS.includes('open')) {
      log('hybrid (scifact)');
      hybridDir = join(work, 'hybrid', 'trident');
      mkdirSync(hybridDir, { recursive: true });
      const rss0 = settledRss();
      const b0 = performance.now();
      const built = await tridentHybrid(enc.encoder, enc.docs, hybridDir);
      const buildMs = performance.now() - b0;
      const rssDelta = settledRss() - rss0;
      const rows: EngineRow[] = [];
      const modes: Array<SearchMode | 'hybrid'> = ['hybrid', 'dense+sparse', 'all', 'bm25', 'dense'];
      for (const [i, mode] of modes.entries()) {
        const keep = i < modes.length - 1;
        const shared: Factory<HybridQuery, null> = async () => {
          const e = tridentModeEngine(built.index, mode, hybridDir!);
          if (keep) delete e.save; // saved once, after the last mode
          return e;
        };
        const m = await measureEngine(`trident ${mode}`, shared, null, hybridDir, { ...timing, queries: hq, minIterations: 20, quality: ndcg, keepOpen: keep, log });
        // build figures belong to the shared index (all stores)
        m.row.buildMs = buildMs;
        m.row.rssDeltaBytes = rssDelta;
        if (m.row.saveMs !== undefined) savedMs.set(hybridDir, m.row.saveMs);
        rows.push(m.row);
      }
      // the index was saved once, after the last mode: every mode row shows its size on disk
      const disk = rows[rows.length - 1]?.diskBytes;
      for (const r of rows) if (disk !== undefined) r.diskBytes = disk;
      if (TASKS.includes('hybrid')) {
        const corpus = { docs: enc.docs, dim: enc.dim, vectors: enc.vectors };
        const peersRows = await runAll<HybridQuery, typeof corpus>(
          'hybrid',
          [
            ['LanceDB FTS+vector RRF', lanceHybrid],
            ['SQLite FTS5+vec0 RRF', sqliteHybrid],
            ['Orama hybrid', oramaHybrid],
          ],
          corpus,
          work,
          { ...timing, queries: hq, minIterations: 20, quality: ndcg },
        );
        rows.push(...peersRows);
        tasks.hybrid = {
          title: `hybrid on ${DATASET} (each engine's own fusion)`,
          reference: 'trident dense+sparse',
          rows,
          notes: [
            "trident rows share one HybridIndex with every store (dense, sparse, multi-vector, BM25): its build and RSS are the whole index's, encoding excluded (documents were encoded once beforehand, as for every engine)",
            `peers fuse their full-text and vector lists (top ${FUSION_CANDIDATES} each for SQLite) by RRF; trident's modes use its default weighted fusion of the model's own scores`,
          ],
        };
      }
    }

    if (TASKS.includes('multivector')) {
      const nq = Math.min(MV_QUERIES, enc.queryIds.length);
      log(`multi-vector re-rank of the exact dense top-${FUSION_CANDIDATES} (${nq} queries)`);
      const cands = exactKnn(enc.vectors, enc.queryVectors.subarray(0, nq * enc.dim), enc.dim, FUSION_CANDIDATES);
      const rq: RerankQuery[] = cands.map((c, i) => ({ mv: enc.queryEnc[i]!.multivector!, candidates: Uint32Array.from(c) }));
      const mvCorpus = enc.docEnc.map((e) => e.multivector!);
      const rows = await runAll<RerankQuery, typeof mvCorpus>(
        'multivector',
        [
          ['trident MultiVectorStore', tridentRerank],
          ['LanceDB multivector', lanceRerank],
        ],
        mvCorpus,
        work,
        { ...timing, queries: rq, minIterations: 5, quality: ndcgOf(enc, enc.queryIds.slice(0, nq)) },
      );
      tasks.multivector = {
        title: `multi-vector (ColBERT MaxSim) re-rank of ${FUSION_CANDIDATES} candidates on ${DATASET} (${nq} queries)`,
        reference: 'trident MultiVectorStore',
        rows,
        notes: ['candidates = exact dense top-200 per query; nDCG@10 on those queries only; LanceDB has no re-rank-these-ids call, so its MaxSim search is prefiltered to the candidates'],
      };
    }

    if (TASKS.includes('open') && hybridDir) {
      log('save, open, first query');
      // the hybrid task's index again, kept in memory-mapped segments (HybridIndex storage 'segments')
      const segmentsDir = join(work, 'hybrid', 'trident-segments');
      const seg = await HybridIndex.create({ encoder: enc.encoder, path: segmentsDir, bm25: { analyzer: 'english' }, storage: 'segments' });
      for (let i = 0; i < enc.docs.length; i += 256) await seg.add(enc.docs.slice(i, i + 256).map((d, j) => ({ id: i + j, text: d.text })));
      const s0 = performance.now();
      await seg.save();
      savedMs.set(segmentsDir, performance.now() - s0);
      await seg.close();
      const rows = await reopeners({ work, hybridDir, segmentsDir, encoder: enc.encoder, query: hq[0]!, dim: enc.dim, log, saveMs: savedMs });
      tasks.open = {
        title: 'open a saved index and answer a first query',
        reference: 'trident HybridIndex (all stores)',
        rows,
        notes: ["trident HybridIndex = the hybrid task's index (all four stores, first query mode 'all'); peers open their hybrid / BM25 / vector stores as built above", 'RSS growth = settled RSS after the first query minus before opening (one process: indicative)'],
      };
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const json: PeersJson & Record<string, unknown> = {
    ...base,
    loadavgEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    config: { tasks: TASKS, k: K, timeMs: TIME_MS, synthetic: { n: SYNTH_N, dim: SYNTH_DIM, queries: SYNTH_QUERIES }, oramaMaxN: ORAMA_MAX_N, mvQueries: MV_QUERIES, fusionCandidates: FUSION_CANDIDATES, clock: 'process CPU (tinybench), plus wall clock of one pass' },
    tasks,
  };
  json.summary = peersSummary(json);
  const file = writeResult('peers', json);
  const md = peersMarkdown(json);
  writeFileSync(join(RESULTS_DIR, 'peers.md'), md);
  const svg = await peersChart(json);
  if (svg) writeFileSync(join(RESULTS_DIR, 'peers-latency-quality.svg'), svg);
  process.stdout.write(`${md}\n`);
  log(`peers: wrote ${file}, ${join(RESULTS_DIR, 'peers.md')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
