/**
 * The benchmark suites `npm run bench` knows, their quick-profile settings, and the
 * runner's command-line parsing.
 */

/** One suite: a bench file run as its own child process. */
export interface Suite {
  name: string;
  /** File under bench/. */
  file: string;
  /** Extra node flags (e.g. --expose-gc for memory figures). */
  nodeArgs: string[];
  /** Env defaults of the quick profile (applied only where the variable is not already set). */
  quick: Record<string, string>;
  /** Part of the default quick run. */
  inQuick: boolean;
  /** What it measures (for --list). */
  about: string;
}

/** Every suite, in run order. */
export const SUITES: readonly Suite[] = [
  {
    name: 'kernels',
    file: 'kernels.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_BENCH_TIME_MS: '300', TRIDENT_BENCH_KERNELS_NUMKONG: '0', TRIDENT_BENCH_KERNELS_DOCS: '100' },
    inQuick: true,
    about: 'MaxSim and batched dots per ISA vs naive TS loop',
  },
  {
    name: 'sparse',
    file: 'sparse.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_BENCH_TIME_MS: '300' },
    inQuick: true,
    about: 'MaxScore vs exhaustive (scifact BM25, Zipf 100k), wink-bm25 comparison',
  },
  {
    name: 'dense',
    file: 'dense.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_BENCH_DENSE_N: '5000', TRIDENT_BENCH_DENSE_QUERIES: '100', TRIDENT_BENCH_TIME_MS: '300' },
    inQuick: true,
    about: 'HNSW (f32/f16/i8) vs exact oracle: recall, latency, memory',
  },
  {
    name: 'dense-real',
    file: 'dense-real.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_BENCH_TIME_MS: '300' },
    inQuick: true,
    about: 'HNSW recall@10 vs exact on real encoder output (built-in model over dev/scifact, dev/nfcorpus)',
  },
  {
    name: 'multivector',
    file: 'multivector.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_BENCH_MV_DOCS: '200', TRIDENT_BENCH_MV_CANDIDATES: '100', TRIDENT_BENCH_TIME_MS: '300' },
    inQuick: true,
    about: 'MaxSim re-rank per dtype vs serial / js kernels, pooling',
  },
  {
    name: 'encoder',
    file: 'encoder.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_BENCH_ENCODER_LAYERS: '2', TRIDENT_BENCH_ENCODER_ITERS: '2' },
    inQuick: false,
    about: 'M3 pipeline vs bare onnxruntime (needs python3 + onnx + torch to generate the model)',
  },
  {
    name: 'families',
    file: 'families.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_BENCH_FAMILIES_ROUNDS: '5' },
    inQuick: true,
    about: 'encode cost of the tiny model-family fixtures',
  },
  {
    name: 'e2e',
    file: 'e2e.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_BENCH_E2E_QPS_MS: '1500', TRIDENT_BENCH_E2E_EXHAUSTIVE_QUERIES: '50' },
    inQuick: true,
    about: 'HybridIndex on dev/scifact: latency/QPS per mode (1 and 2 processes), nDCG@10, memory, build',
  },
  {
    name: 'build',
    file: 'build.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_BENCH_BUILD_DENSE_N: '5000', TRIDENT_BENCH_BUILD_REPS: '1', TRIDENT_BENCH_TIME_MS: '300' },
    inQuick: false,
    about: 'analyser time vs input size, BM25 build (scifact), dense build and dense search overhead vs their baselines',
  },
  {
    name: 'channels',
    file: 'channels.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_CHANNELS_BENCH_N: '5000' },
    inQuick: false,
    about: "the channel pipeline's cost: HybridIndex on one own-vector channel vs the store it wraps, and dense + BM25 fused",
  },
  {
    name: 'search-pool',
    file: 'search-pool.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_POOL_BENCH_DOCS: '20000', TRIDENT_POOL_BENCH_SEGMENT: '5000', TRIDENT_POOL_BENCH_SECONDS: '2', TRIDENT_POOL_BENCH_REPEATS: '1' },
    inQuick: false,
    about: 'SearchPool on a bare segmented store: event-loop delay p99 and QPS, main thread vs 1 and 2 worker threads, 16 concurrent searches',
  },
  {
    name: 'hybrid-pool',
    file: 'hybrid-pool.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_HPOOL_BENCH_DOCS: '20000', TRIDENT_HPOOL_BENCH_SEGMENT: '5000', TRIDENT_HPOOL_BENCH_SECONDS: '2', TRIDENT_HPOOL_BENCH_REPEATS: '1' },
    inQuick: false,
    about: "HybridIndex searchThreads (storage 'segments'): event-loop delay p99 and QPS, main thread vs 1 and 2 search threads, 16 concurrent searches",
  },
  {
    name: 'build-cores',
    file: 'build-cores.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_BCORES_DOCS: '20000', TRIDENT_BCORES_SAVE: '5000' },
    inQuick: false,
    about: "dense build docs/s on 1 and 2 cores: HybridIndex storage 'segments' (saves included) vs raw usearch's multi-threaded add, fresh processes, alternating (1M × 384 full)",
  },
  {
    name: 'scale',
    file: 'scale.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_BENCH_SCALE_SIZES: '2000,20000', TRIDENT_BENCH_SCALE_MV_DIMS: '128', TRIDENT_BENCH_SCALE_QUERIES: '50' },
    inQuick: true,
    about: 'latency and memory vs N per store (synthetic, 100k; 1M with TRIDENT_BENCH_SCALE=full)',
  },
  {
    name: 'bm25-build',
    file: 'bm25-build.bench.ts',
    nodeArgs: [],
    quick: { TRIDENT_BENCH_BM25_BUILD_REPS: '3' },
    inQuick: false,
    about: 'BM25 build of dev/scifact, trident vs SQLite FTS5: cold builds in fresh processes, alternating, medians of wall and CPU',
  },
  {
    name: 'peers',
    file: 'peers.bench.ts',
    nodeArgs: ['--expose-gc'],
    quick: { TRIDENT_BENCH_PEERS_SYNTH_N: '20000', TRIDENT_BENCH_PEERS_MV_QUERIES: '10', TRIDENT_BENCH_TIME_MS: '300', TRIDENT_BENCH_PEERS_TIME_MS: '300' },
    inQuick: false,
    about: 'trident vs LanceDB, SQLite FTS5/sqlite-vec, usearch, hnswlib, wink, MiniSearch, Orama on dev/scifact and synthetic N × 1024',
  },
];

/** Parsed runner options. */
export interface RunOptions {
  suites: string[];
  profile: 'quick' | 'full';
  plot: boolean;
  updateCharts: boolean;
  summaryOnly: boolean;
  list: boolean;
  help: boolean;
}

/**
 * Parses `npm run bench -- [suite …] [--full] [--plot] [--update-charts] [--summary-only]
 * [--list]` plus TRIDENT_BENCH_SUITES / TRIDENT_BENCH_PROFILE. Suites may be given as
 * positional names or comma lists; `all` means every suite. Without any, the quick set.
 * Unknown suites or flags throw with the valid choices.
 *
 * @example
 * ```ts
 * parseRunArgs(['e2e,scale', '--plot'], {}).suites; // ['e2e', 'scale']
 * ```
 */
export function parseRunArgs(argv: string[], env: Record<string, string | undefined>): RunOptions {
  const opts: RunOptions = { suites: [], profile: env.TRIDENT_BENCH_PROFILE === 'full' ? 'full' : 'quick', plot: false, updateCharts: false, summaryOnly: false, list: false, help: false };
  const named: string[] = [];
  for (const a of argv) {
    if (a === '--plot') opts.plot = true;
    else if (a === '--update-charts') opts.updateCharts = opts.plot = true;
    else if (a === '--summary-only') opts.summaryOnly = true;
    else if (a === '--full') opts.profile = 'full';
    else if (a === '--quick') opts.profile = 'quick';
    else if (a === '--list') opts.list = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option '${a}': use --plot, --update-charts, --summary-only, --full, --quick, --list`);
    else named.push(...a.split(','));
  }
  if (named.length === 0 && env.TRIDENT_BENCH_SUITES) named.push(...env.TRIDENT_BENCH_SUITES.split(','));
  const wanted = named.map((s) => s.trim()).filter(Boolean);
  const known = SUITES.map((s) => s.name);
  for (const w of wanted) if (w !== 'all' && !known.includes(w)) throw new Error(`unknown suite '${w}': use ${known.join(', ')} or all`);
  if (wanted.includes('all')) opts.suites = [...known];
  else if (wanted.length > 0) opts.suites = known.filter((k) => wanted.includes(k));
  else opts.suites = opts.profile === 'full' ? [...known] : SUITES.filter((s) => s.inQuick).map((s) => s.name);
  return opts;
}

/**
 * Child environment of a suite: the parent's, plus the quick-profile defaults for the
 * variables the user did not set.
 *
 * @example
 * ```ts
 * suiteEnv(SUITES[0]!, 'quick', { TRIDENT_BENCH_TIME_MS: '50' }).TRIDENT_BENCH_TIME_MS; // '50'
 * ```
 */
export function suiteEnv(suite: Suite, profile: 'quick' | 'full', env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  if (profile === 'quick') for (const [k, v] of Object.entries(suite.quick)) if (out[k] === undefined || out[k] === '') out[k] = v;
  return out;
}
