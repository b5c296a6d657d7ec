// HybridIndex storage benchmark (issue 16): the same synthetic collection (your own vectors:
// 20-term sparse, 24 × 64 i8 token vectors; optionally a dense channel) in a
// `storage: 'segments'` index and in a default-storage index, in the same run:
// - save: the first save, then a save after adding 1 % more documents (bytes written, time,
//   ratio to the first save);
// - open: a fresh child process opens each index (median of TRIDENT_SEGIDX_OPENS runs): time,
//   RSS growth (anonymous / file-backed split), then warm query latency (p50 of sparse top-10,
//   of a sparse + multi-vector search and, with a dense channel, of dense top-10) and a hash of
//   the answers, which must agree between the storages; dense answers are hashed from
//   exhaustive (exact) searches, the approximate HNSW top-10 is reported as recall@10 against
//   them (each storage builds its own graphs). The segments index's answers after open must
//   equal its answers before it was closed (sameAfterOpen).
// - dense segments: optimize() time (one graph rebuilt from every live vector).
//
// Run: node --import tsx bench/segments-index.bench.ts
// Env: TRIDENT_SEGIDX_DOCS (default 100000), TRIDENT_SEGIDX_BATCH (documents per add, default
//      5000), TRIDENT_SEGIDX_SAVES (saves while building, default 10), TRIDENT_SEGIDX_OPENS
//      (default 3), TRIDENT_SEGIDX_DENSE (dense dimensions, default 0 = no dense channel),
//      TRIDENT_SEGIDX_DIR (default the OS temp dir), TRIDENT_SEGIDX_STORAGES (comma list,
//      default 'generations,segments'; '300k' runs: 'segments' alone), TRIDENT_SEGIDX_OPTIMIZE
//      (default 1; 0 skips the optimize() pass), TRIDENT_SEGIDX_NAME (result file name, default
//      segments-index), TRIDENT_SEGIDX_REPS (timed passes over the 60 queries per kind, default
//      1), TRIDENT_SEGIDX_KEEP (1: keep the built indexes and print where, for re-running
//      `--child <dir> <docs>` on them), TRIDENT_SEGIDX_MERGE (the segments index's mergePolicy
//      while it is built, JSON; default none = the policy's defaults), TRIDENT_SEGIDX_MEMORY
//      ('mapped' or 'resident': the children open the segments index with that segmentMemory;
//      default 'auto', the library's: files copied into memory once searched, the timed passes
//      starting after those copies), TRIDENT_SEGIDX_DENSE_DATA ('clustered': dense vectors around 100 Gaussian
//      centres; default 'uniform', on which HNSW recall is low). `--inproc <kept dir> [passes]`
//      (with TRIDENT_SEGIDX_KEEP=1's dir and the same TRIDENT_SEGIDX_DENSE): default storage,
//      segments mapped and segments resident in one process, in turn, per kind.
// Wall clock (I/O included); writes bench/results/segments-index.json.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex, type MergePolicyOptions } from '../src/index.js';
import { promotionsSettled } from './lib/promotion.js';
import { envNumber, runMeta, writeResult } from './lib/results.js';
import { gaussian, gaussianMatrix, rng } from './lib/synthetic.js';

const DIM = 64;
const TOKENS = 24;
const TERMS = 20;
const VOCAB = 30000;
const DENSE = envNumber('TRIDENT_SEGIDX_DENSE', 0);
const REPS = envNumber('TRIDENT_SEGIDX_REPS', 1);
/** How the fresh children open the segments index (segmentMemory: 'auto', the default, 'mapped' or 'resident'). */
const MEMORY = process.env.TRIDENT_SEGIDX_MEMORY === 'resident' || process.env.TRIDENT_SEGIDX_MEMORY === 'mapped' ? process.env.TRIDENT_SEGIDX_MEMORY : 'auto';
/** The segments index's mergePolicy while it is built (JSON, e.g. '{"channels":{"dense":{"segmentsPerTier":2}}}'); default none. */
const MERGE = process.env.TRIDENT_SEGIDX_MERGE ? (JSON.parse(process.env.TRIDENT_SEGIDX_MERGE) as MergePolicyOptions) : undefined;

/** Dense vectors: 'uniform' (default: each value uniform in [-1, 1]; HNSW recall is low on such data) or 'clustered' (TRIDENT_SEGIDX_DENSE_DATA). */
const DENSE_DATA = process.env.TRIDENT_SEGIDX_DENSE_DATA === 'clustered' ? 'clustered' : 'uniform';
/** 'clustered': 100 Gaussian centres (seed 11), each vector = a centre + N(0, 1) noise per value, as bench/lib/synthetic.ts's clusteredRows. */
const CENTRES = DENSE > 0 && DENSE_DATA === 'clustered' ? gaussianMatrix(100, DENSE, rng(11)) : null;

function clusteredDense(r: () => number): Float32Array {
  const c = Math.floor(r() * 100) * DENSE;
  const g = gaussian(r); // over the document's own stream
  return Float32Array.from({ length: DENSE }, (_, j) => CENTRES![c + j]! + g());
}

function doc(i: number): { id: number; vectors: Record<string, unknown> } {
  let s = (i * 2654435761 + 12345) >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const set = new Map<number, number>();
  while (set.size < TERMS) set.set(Math.floor(r() ** 3 * VOCAB), r() + 0.05);
  const ids = Uint32Array.from([...set.keys()].sort((a, b) => a - b));
  const data = new Float32Array(TOKENS * DIM);
  for (let k = 0; k < data.length; k++) data[k] = r() * 2 - 1;
  const vectors: Record<string, unknown> = { sparse: { ids, weights: Float32Array.from(ids, (t) => set.get(t)!) }, mv: { data, dim: DIM, count: TOKENS } };
  if (DENSE > 0) vectors.dense = DENSE_DATA === 'clustered' ? clusteredDense(r) : Float32Array.from({ length: DENSE }, () => r() * 2 - 1);
  return { id: i, vectors };
}

const channels = [
  ...(DENSE > 0 ? [{ name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: DENSE, dtype: 'f16' as const }] : []),
  { name: 'sparse', kind: 'sparse' as const, source: 'vectors' as const },
  { name: 'mv', kind: 'multivector' as const, source: 'vectors' as const, dimensions: DIM, dtype: 'i8' as const },
];

function filesOf(dir: string, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of filesOf(dir, rel)) out.set(k, v);
    else if (!e.name.includes('lock')) out.set(rel, statSync(join(dir, rel)).size);
  }
  return out;
}
/** Bytes of the files the manifest in force names: its generation folder, and for segments the files of each channel's list. */
function liveBytes(dir: string): number {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { dir: string };
  let n = 0;
  for (const [, v] of filesOf(join(dir, m.dir))) n += v;
  for (const ch of ['sparse', 'mv', 'dense']) {
    let ref: { dir: string; manifest: string };
    try {
      ref = JSON.parse(readFileSync(join(dir, m.dir, ch, 'segments.ref.json'), 'utf8')) as { dir: string; manifest: string };
    } catch {
      continue; // default storage
    }
    const list = JSON.parse(readFileSync(join(dir, ref.dir, ref.manifest), 'utf8')) as { segments: Array<{ bytes: Record<string, number> }> };
    n += statSync(join(dir, ref.dir, ref.manifest)).size;
    for (const s of list.segments) for (const v of Object.values(s.bytes)) n += v;
  }
  return n;
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

function rssSplit(): { rss: number; anon: number; file: number } {
  const st = readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => 1024 * Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? Number.NaN);
  return { rss: process.memoryUsage.rss(), anon: kb('RssAnon'), file: kb('RssFile') };
}

async function child(dir: string, docs: number): Promise<void> {
  await import('../src/kernels/index.js'); // the addon's own pages are not the index's
  const r0 = rssSplit();
  const t0 = performance.now();
  const ix = await HybridIndex.open(dir, { readOnly: true, ...(MEMORY !== 'auto' && basename(dir) === 'segments' ? { segmentMemory: MEMORY } : {}) });
  const openMs = performance.now() - t0;
  const r1 = rssSplit();
  const a = await answers(ix);
  const promoted = await promotionsSettled(ix); // 'auto': the files the answers read, copied
  const r15 = rssSplit();
  const cpu: Record<string, number> = {};
  const timed = async (kind: 'sparse' | 'both' | 'dense') => {
    const c = process.cpuUsage();
    const t: number[] = [];
    for (let r = 0; r < REPS; r++) t.push(...(await a.run(kind, false)));
    const u = process.cpuUsage(c);
    cpu[kind] = (u.user + u.system) / 1000 / t.length; // mean CPU ms per query (whole process)
    return median(t);
  };
  const sparseP50 = await timed('sparse');
  const bothP50 = await timed('both');
  const denseP50 = DENSE > 0 ? await timed('dense') : 0;
  const r2 = rssSplit();
  await ix.close();
  process.stdout.write(
    `${JSON.stringify({ docs, openMs, rssOpen: { rss: r1.rss - r0.rss, anon: r1.anon - r0.anon, file: r1.file - r0.file }, rssAfterQueries: { rss: r2.rss - r0.rss, anon: r2.anon - r0.anon, file: r2.file - r0.file }, promotedBytes: promoted, rssAfterFirstQueries: r15.rss - r0.rss, sparseP50Ms: sparseP50, sparseMvP50Ms: bothP50, denseP50Ms: denseP50, cpuMsPerQuery: cpu, answers: a.hash, denseRecall: a.denseRecall, denseHash: a.denseHash })}\n`,
  );
}

/** The benchmark's queries on `ix`: a hash of the exact answers, dense recall@10 of the graph search vs exhaustive, and a timing runner. */
async function answers(ix: HybridIndex) {
  const qs = Array.from({ length: 60 }, (_, q) => {
    const d = doc(1_000_000_000 + q).vectors as { sparse: { ids: Uint32Array; weights: Float32Array }; mv: { data: Float32Array }; dense?: Float32Array };
    const ids = d.sparse.ids.slice(0, 4);
    return { sparse: { ids, weights: new Float32Array(ids.length).fill(1) }, mv: { data: d.mv.data.slice(0, 8 * DIM), dim: DIM, count: 8 }, dense: d.dense };
  });
  const hash = createHash('sha256');
  const denseHash = createHash('sha256');
  let found = 0;
  const run = async (kind: 'sparse' | 'both' | 'dense', record: boolean) => {
    const times: number[] = [];
    for (const q of qs) {
      const t = performance.now();
      const hits =
        kind === 'sparse'
          ? await ix.search({ vectors: { sparse: q.sparse } }, { k: 10, channels: ['sparse'] })
          : kind === 'both'
            ? await ix.search({ vectors: { sparse: q.sparse, mv: q.mv } }, { k: 10, channels: ['sparse', 'mv'], candidates: 100 })
            : await ix.search({ vectors: { dense: q.dense! } }, { k: 10, channels: ['dense'] });
      times.push(performance.now() - t);
      if (record && kind !== 'dense') hash.update(JSON.stringify(hits.map((h) => [h.id, h.score])));
      if (record && kind === 'dense') {
        const exact = await ix.search({ vectors: { dense: q.dense! } }, { k: 10, channels: ['dense'], exhaustive: true });
        hash.update(JSON.stringify(exact.map((h) => [h.id, h.score])));
        denseHash.update(JSON.stringify(hits.map((h) => [h.id, h.score])));
        const want = new Set(exact.map((h) => h.id));
        found += hits.filter((h) => want.has(h.id)).length;
      }
    }
    return times;
  };
  await run('sparse', true);
  await run('both', true);
  if (DENSE > 0) await run('dense', true);
  return { run, hash: hash.digest('hex'), denseHash: denseHash.digest('hex'), denseRecall: DENSE > 0 ? found / (10 * qs.length) : null };
}

async function build(dir: string, storage: 'generations' | 'segments', N: number, batch: number, saves: number) {
  const ix = await HybridIndex.create({ path: dir, channels, storage, wal: false, ...(storage === 'segments' && MERGE ? { mergePolicy: MERGE } : {}) });
  const every = Math.max(batch, Math.ceil(N / saves / batch) * batch);
  let buildSaveMs = 0;
  for (let from = 0; from < N; from += batch) {
    await ix.add(Array.from({ length: Math.min(batch, N - from) }, (_, i) => doc(from + i)));
    if ((from + batch) % every === 0 || from + batch >= N) {
      const t = performance.now();
      await ix.save();
      buildSaveMs += performance.now() - t;
    }
    process.stderr.write(`\r${storage}: ${Math.min(N, from + batch)} / ${N}`);
  }
  process.stderr.write('\n');
  const before = filesOf(dir);
  const extra = Math.ceil(N / 100);
  await ix.add(Array.from({ length: extra }, (_, i) => doc(N + i)));
  const t = performance.now();
  await ix.save();
  const incMs = performance.now() - t;
  const after = filesOf(dir);
  let written = 0;
  for (const [f, n] of after) if (before.get(f) !== n || !before.has(f)) written += n;
  const a = await answers(ix); // the answers before the index is closed: open must give the same
  const segments = storage === 'segments' ? Object.fromEntries(Object.entries(ix.stats().channels).map(([k, v]) => [k, (v as { segments?: number }).segments ?? null])) : null;
  await ix.close();
  return { segments, buildSaveMs, incMs, incBytes: written, indexBytes: liveBytes(dir), answersBeforeClose: a.hash, denseHashBeforeClose: a.denseHash };
}

async function firstSave(dir: string, storage: 'generations' | 'segments', N: number, batch: number): Promise<number> {
  const ix = await HybridIndex.create({ path: dir, channels, storage, wal: false });
  for (let from = 0; from < N; from += batch) await ix.add(Array.from({ length: Math.min(batch, N - from) }, (_, i) => doc(from + i)));
  const t = performance.now();
  await ix.save();
  const ms = performance.now() - t;
  await ix.close();
  return ms;
}

async function main(): Promise<void> {
  const N = envNumber('TRIDENT_SEGIDX_DOCS', 100_000);
  const BATCH = envNumber('TRIDENT_SEGIDX_BATCH', 5000);
  const SAVES = envNumber('TRIDENT_SEGIDX_SAVES', 10);
  const OPENS = envNumber('TRIDENT_SEGIDX_OPENS', 3);
  const root = mkdtempSync(join(process.env.TRIDENT_SEGIDX_DIR ?? tmpdir(), 'trident-segidx-bench-'));
  const out: Record<string, unknown> = {};
  try {
    const storages = (process.env.TRIDENT_SEGIDX_STORAGES ?? 'generations,segments').split(',') as Array<'generations' | 'segments'>;
    for (const storage of storages) {
      const first = await firstSave(join(root, `${storage}-first`), storage, N, BATCH);
      rmSync(join(root, `${storage}-first`), { recursive: true, force: true });
      const b = await build(join(root, storage), storage, N, BATCH, SAVES);
      type OpenRun = { cpuMsPerQuery: Record<string, number>; openMs: number; rssOpen: { rss: number; anon: number; file: number }; rssAfterQueries: { rss: number }; sparseP50Ms: number; sparseMvP50Ms: number; denseP50Ms: number; answers: string; denseRecall: number | null; denseHash: string };
      const opens: OpenRun[] = [];
      for (let o = 0; o < OPENS; o++) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', join(root, storage), String(N)], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
        opens.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as OpenRun);
      }
      const pick = (f: (o: OpenRun) => number) => median(opens.map(f));
      out[storage] = {
        firstSaveMs: first,
        ...b,
        incBytesRatio: b.incBytes / b.indexBytes,
        incTimeRatio: b.incMs / first,
        openMs: pick((o) => o.openMs),
        openRatio: pick((o) => o.openMs) / first,
        rssOpenBytes: pick((o) => o.rssOpen.rss),
        rssOpenAnonBytes: pick((o) => o.rssOpen.anon),
        rssOpenFileBytes: pick((o) => o.rssOpen.file),
        rssOpenRatio: pick((o) => o.rssOpen.rss) / b.indexBytes,
        rssAfterQueriesBytes: pick((o) => o.rssAfterQueries.rss),
        sparseP50Ms: pick((o) => o.sparseP50Ms),
        sparseMvP50Ms: pick((o) => o.sparseMvP50Ms),
        denseP50Ms: pick((o) => o.denseP50Ms),
        cpuMsPerQuery: Object.fromEntries(Object.keys(opens[0]!.cpuMsPerQuery).map((k) => [k, pick((o) => o.cpuMsPerQuery[k]!)])),
        denseRecall: opens[0]!.denseRecall,
        answers: opens[0]!.answers,
        sameAfterOpen: opens.every((o) => o.answers === b.answersBeforeClose && o.denseHash === b.denseHashBeforeClose),
      };
      if (storage === 'segments' && process.env.TRIDENT_SEGIDX_OPTIMIZE !== '0') {
        // the same index with every channel merged into one segment
        const ix = await HybridIndex.open(join(root, storage), {});
        const t = performance.now();
        await ix.optimize();
        const optimizeMs = performance.now() - t;
        await ix.close();
        const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', join(root, storage), String(N)], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
        const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { openMs: number; sparseP50Ms: number; sparseMvP50Ms: number; denseP50Ms: number; denseRecall: number | null; answers: string };
        Object.assign(out[storage] as object, { optimizeMs, optimized: { openMs: o.openMs, sparseP50Ms: o.sparseP50Ms, sparseMvP50Ms: o.sparseMvP50Ms, denseP50Ms: o.denseP50Ms, denseRecall: o.denseRecall, sameAnswers: o.answers === opens[0]!.answers } });
      }
      console.log(storage, JSON.stringify(out[storage]));
    }
    const g = out.generations as { answers: string; sparseP50Ms: number; sparseMvP50Ms: number; denseP50Ms: number } | undefined;
    const s = out.segments as { answers: string; sparseP50Ms: number; sparseMvP50Ms: number; denseP50Ms: number } | undefined;
    if (g && s) {
      out.identicalAnswers = g.answers === s.answers;
      out.sparseLatencyRatio = s.sparseP50Ms / g.sparseP50Ms;
      out.sparseMvLatencyRatio = s.sparseMvP50Ms / g.sparseMvP50Ms;
      out.denseLatencyRatio = DENSE > 0 ? s.denseP50Ms / g.denseP50Ms : null;
      const gc = (out.generations as { cpuMsPerQuery: Record<string, number> }).cpuMsPerQuery;
      const sc = (out.segments as { cpuMsPerQuery: Record<string, number> }).cpuMsPerQuery;
      out.cpuRatio = Object.fromEntries(Object.keys(gc).map((k) => [k, sc[k]! / gc[k]!]));
      console.log(`CPU ms per query ratio segments / generations: ${JSON.stringify(out.cpuRatio)}`);
      console.log(`identical answers: ${String(out.identicalAnswers)}; warm p50 ratio segments / generations: sparse ${(out.sparseLatencyRatio as number).toFixed(2)}, sparse+mv ${(out.sparseMvLatencyRatio as number).toFixed(2)}, dense ${String(out.denseLatencyRatio)}`);
    }
    console.log(`written to ${writeResult(process.env.TRIDENT_SEGIDX_NAME ?? 'segments-index', { ...runMeta('segments-index'), docs: N, batch: BATCH, saves: SAVES, dense: DENSE, mergePolicy: MERGE ?? null, segmentMemory: MEMORY, denseData: DENSE > 0 ? DENSE_DATA : null, ...out })}`);
  } finally {
    if (process.env.TRIDENT_SEGIDX_KEEP === '1') console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

/**
 * `--inproc <kept dir> [passes]`: one process opens the default storage's index, the segments
 * index mapped and the segments index resident (segmentMemory); each pass runs the 60 queries
 * on each index in turn, the order turning every pass; per kind the median over passes of the
 * mean ms per query, and the ratios to the default storage. Answers must be identical. Prints JSON.
 */
async function inproc(root: string, passes: number): Promise<void> {
  const gen = await HybridIndex.open(join(root, 'generations'), { readOnly: true });
  const seg = await HybridIndex.open(join(root, 'segments'), { readOnly: true });
  const res = await HybridIndex.open(join(root, 'segments'), { readOnly: true, segmentMemory: 'resident' });
  const all = [gen, seg, res];
  const runs = await Promise.all(all.map((ix) => answers(ix)));
  if (runs.some((r) => r.hash !== runs[0]!.hash)) throw new Error('answers differ between the storages');
  const out: Record<string, unknown> = {};
  for (const kind of ['sparse', 'both', ...(DENSE > 0 ? ['dense'] : [])] as Array<'sparse' | 'both' | 'dense'>) {
    const per = all.map(() => [] as number[]);
    for (let p = 0; p < passes; p++) {
      const order = [0, 1, 2].map((j) => (p + j) % 3);
      const t = all.map(() => 0);
      for (const x of order) t[x] = (await runs[x]!.run(kind, false)).reduce((a, b) => a + b, 0);
      for (let x = 0; x < 3; x++) per[x]!.push(t[x]! / 60);
    }
    const [g, m, r] = per.map(median) as [number, number, number];
    out[kind] = { generationsMs: g, mappedMs: m, residentMs: r, mappedRatio: m / g, residentRatio: r / g };
  }
  for (const ix of all) await ix.close();
  process.stdout.write(`${JSON.stringify({ passes, ...out })}\n`);
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
else if (process.argv[2] === '--inproc') await inproc(process.argv[3]!, Number(process.argv[4] ?? 15));
else await main();
