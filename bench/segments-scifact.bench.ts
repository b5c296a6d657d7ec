// Warm query latency of `storage: 'segments'` against the default storage on a real collection
// (issue 16: "within 10 % of today's in-memory stores on scifact"): dev/scifact indexed through
// HybridIndex with the built-in model (`builtin:static-en`, BM25 English analyzer), once per
// storage; the segments index is saved every TRIDENT_SEGSCI_EVERY documents while building, so it
// holds several segments per channel. Then fresh child processes, alternating the storages
// (A B A B …), open each index read-only and time the judged queries, pre-encoded (the store work
// only, the encoder's time is the same for both): a first pass, then TRIDENT_SEGSCI_PASSES timed
// passes; p50 of the wall clock and mean CPU time (process.cpuUsage) per query, per search mode.
// The answers (ids and scores of the top-10) must be identical between the storages. The
// segments index is opened three ways: `segments` (the default, `segmentMemory: 'auto'`: mapped,
// each file copied into anonymous memory once searched; the timed passes start after those
// copies ended), `mapped` (`segmentMemory: 'mapped'`: the page cache only) and `resident`
// (`segmentMemory: 'resident'`: files read into page-aligned, huge-page-advised memory at open).
// Then one more child opens the four in one process and rotates them query by query
// (TRIDENT_SEGSCI_INPROC_PASSES passes, mean per query per pass, median over passes): on a shared
// VM whose speed drifts between processes this compares like with like in time (though the two
// storages then share the JIT's call sites, so neither runs quite as specialised as alone). In that child the
// multi-vector kernel calls of the `mapped` reader are recorded for one pass and replayed three
// ways (maxsimReplay): on the mapped sections, on heap copies of the same sections (same calls),
// and on one heap concatenation (one call per search, as the default storage makes): what the
// mapping itself costs, apart from the segment count.
//
// Run: node --import tsx bench/segments-scifact.bench.ts
// Env: TRIDENT_DATA_DIR (default /work/shared/data), TRIDENT_SEGSCI_EVERY (default 1000),
//      TRIDENT_SEGSCI_ROUNDS (child pairs, default 2), TRIDENT_SEGSCI_PASSES (default 2),
//      TRIDENT_SEGSCI_MODES (default 'all,dense,sparse,bm25'), TRIDENT_SEGSCI_QUERIES (judged
//      queries timed, default 300), TRIDENT_SEGSCI_INPROC_PASSES (default 9; 0 skips the
//      in-process child), TRIDENT_SEGSCI_KEEP (1: keep the built indexes and print where, for
//      re-running `--child <dir>/<storage> <dir>/model <passes>` or `--inproc <dir> <passes>`).
// Writes bench/results/segments-scifact.json.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex, loadBeir, loadEncoder, type SearchMode } from '../src/index.js';
import { kernels } from '../src/kernels/index.js';
import { promotionsSettled } from './lib/promotion.js';
import { BENCH_DIR, DATA_DIR, envNumber, runMeta, writeResult } from './lib/results.js';

const DATASET = 'dev/scifact';
const MODES = (process.env.TRIDENT_SEGSCI_MODES ?? 'all,dense,sparse,bm25').split(',') as SearchMode[];
const QUERIES = envNumber('TRIDENT_SEGSCI_QUERIES', 300);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

type Memory = 'auto' | 'mapped' | 'resident';

async function child(dir: string, model: string, passes: number, memory: Memory): Promise<void> {
  const ds = await loadBeir(join(DATA_DIR, DATASET));
  const encoder = await loadEncoder(model);
  const ix = await HybridIndex.open(dir, { encoder, readOnly: true, ...(memory !== 'auto' ? { segmentMemory: memory } : {}) });
  const texts = [...ds.qrels.keys()].slice(0, QUERIES).map((id) => ds.queries.get(id)!);
  const encoded = await Promise.all(texts.map((t) => ix.encodeQuery(t)));
  const out: Record<string, { p50Ms: number; cpuMs: number; hash: string }> = {};
  for (const mode of MODES) {
    const hash = createHash('sha256');
    for (let i = 0; i < texts.length; i++) hash.update(JSON.stringify((await ix.search(texts[i]!, { mode, k: 10, encoded: encoded[i]! })).map((h) => [h.id, h.score])));
    await promotionsSettled(ix);
    const times: number[] = [];
    const c = process.cpuUsage();
    for (let p = 0; p < passes; p++) {
      for (let i = 0; i < texts.length; i++) {
        const t = performance.now();
        await ix.search(texts[i]!, { mode, k: 10, encoded: encoded[i]! });
        times.push(performance.now() - t);
      }
    }
    const u = process.cpuUsage(c);
    out[mode] = { p50Ms: median(times), cpuMs: (u.user + u.system) / 1000 / times.length, hash: hash.digest('hex') };
  }
  await ix.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Both storages in one process, alternating query by query (the order flips every query and pass). */
async function inproc(root: string, passes: number): Promise<void> {
  const ds = await loadBeir(join(DATA_DIR, DATASET));
  const encoder = await loadEncoder(join(root, 'model'));
  const gen = await HybridIndex.open(join(root, 'generations'), { encoder, readOnly: true });
  const seg = await HybridIndex.open(join(root, 'segments'), { encoder, readOnly: true }); // 'auto', the default
  const map = await HybridIndex.open(join(root, 'segments'), { encoder, readOnly: true, segmentMemory: 'mapped' });
  const res = await HybridIndex.open(join(root, 'segments'), { encoder, readOnly: true, segmentMemory: 'resident' });
  const texts = [...ds.qrels.keys()].slice(0, QUERIES).map((id) => ds.queries.get(id)!);
  const encoded = await Promise.all(texts.map((t) => gen.encodeQuery(t)));
  const out: Record<string, unknown> = {};
  for (const mode of MODES) {
    for (let i = 0; i < texts.length; i++) {
      const a = await gen.search(texts[i]!, { mode, k: 10, encoded: encoded[i]! });
      for (const other of [seg, map, res]) {
        const b = await other.search(texts[i]!, { mode, k: 10, encoded: encoded[i]! });
        if (JSON.stringify(a.map((h) => [h.id, h.score])) !== JSON.stringify(b.map((h) => [h.id, h.score]))) throw new Error(`${mode}: answers differ at query ${i}`);
      }
    }
    await promotionsSettled(seg);
    const all = [gen, seg, map, res];
    const sums = all.map(() => [] as number[]);
    for (let p = 0; p < passes; p++) {
      const t = all.map(() => 0);
      for (let i = 0; i < texts.length; i++) {
        // the order rotates every query and pass
        for (let j = 0; j < all.length; j++) {
          const x = (i + p + j) % all.length;
          const t0 = performance.now();
          await all[x]!.search(texts[i]!, { mode, k: 10, encoded: encoded[i]! });
          t[x]! += performance.now() - t0;
        }
      }
      for (let x = 0; x < all.length; x++) sums[x]!.push(t[x]! / texts.length);
    }
    const [g, s, m, r] = sums.map(median) as [number, number, number, number];
    out[mode] = { generationsMeanMs: g, segmentsMeanMs: s, mappedMeanMs: m, residentMeanMs: r, ratio: s / g, mappedRatio: m / g, residentRatio: r / g, passes };
  }
  if (MODES.includes('all')) out.maxsimReplay = await replayMaxSim(map, texts, encoded);
  await gen.close();
  await seg.close();
  await map.close();
  await res.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * The f16 screened MaxSim calls of one pass of `all` on the segments index, replayed on the
 * mapped sections, on per-segment heap copies, and on one heap concatenation; µs per search
 * (median of 7 rounds, the variants alternating). Null when the index made no such calls.
 */
async function replayMaxSim(ix: HybridIndex, texts: string[], encoded: Awaited<ReturnType<HybridIndex['encodeQuery']>>[]): Promise<Record<string, number> | null> {
  type Call = { at: number; q: Float32Array; qc: number; dim: number; docs: Uint16Array; i8: Int8Array; stats: Float32Array; starts: Uint32Array; counts: Uint32Array };
  const calls: Call[] = [];
  const orig = kernels.maxsimF16Screen;
  let at = 0;
  kernels.maxsimF16Screen = (q, qc, dim, docs, i8, stats, starts, counts, out) => {
    calls.push({ at, q: q.slice(), qc, dim, docs, i8, stats, starts: starts.slice(), counts: counts.slice() });
    orig(q, qc, dim, docs, i8, stats, starts, counts, out);
  };
  try {
    for (at = 0; at < texts.length; at++) await ix.search(texts[at]!, { mode: 'all', k: 10, encoded: encoded[at]! });
  } finally {
    kernels.maxsimF16Screen = orig;
  }
  if (calls.length === 0) return null;
  const dim = calls[0]!.dim;
  const copies = new Map<Uint16Array, { docs: Uint16Array; i8: Int8Array; stats: Float32Array; row: number }>();
  let rows = 0;
  for (const c of calls) {
    if (copies.has(c.docs)) continue;
    copies.set(c.docs, { docs: c.docs.slice(), i8: c.i8.slice(), stats: c.stats.slice(), row: rows });
    rows += c.docs.length / dim;
  }
  const cat = { docs: new Uint16Array(rows * dim), i8: new Int8Array(rows * dim), stats: new Float32Array(rows * 6) };
  for (const h of copies.values()) {
    cat.docs.set(h.docs, h.row * dim);
    cat.i8.set(h.i8, h.row * dim);
    cat.stats.set(h.stats, h.row * 6);
  }
  const perSearch = new Map<number, Call[]>();
  for (const c of calls) perSearch.set(c.at, [...(perSearch.get(c.at) ?? []), c]);
  const merged = [...perSearch.values()].map((cs) => {
    const starts: number[] = [];
    const counts: number[] = [];
    for (const c of cs) {
      const row = copies.get(c.docs)!.row;
      for (let i = 0; i < c.starts.length; i++) {
        starts.push(c.starts[i]! + row);
        counts.push(c.counts[i]!);
      }
    }
    return { q: cs[0]!.q, qc: cs[0]!.qc, starts: Uint32Array.from(starts), counts: Uint32Array.from(counts) };
  });
  const out = new Float32Array(Math.max(...merged.map((m) => m.starts.length)));
  const variants: Record<string, () => void> = {
    mappedUs: () => {
      for (const c of calls) orig(c.q, c.qc, dim, c.docs, c.i8, c.stats, c.starts, c.counts, out.subarray(0, c.starts.length));
    },
    heapPerSegmentUs: () => {
      for (const c of calls) {
        const h = copies.get(c.docs)!;
        orig(c.q, c.qc, dim, h.docs, h.i8, h.stats, c.starts, c.counts, out.subarray(0, c.starts.length));
      }
    },
    heapOneCallUs: () => {
      for (const m of merged) orig(m.q, m.qc, dim, cat.docs, cat.i8, cat.stats, m.starts, m.counts, out.subarray(0, m.starts.length));
    },
  };
  const times: Record<string, number[]> = {};
  for (let r = 0; r < 7; r++) {
    for (const [name, run] of Object.entries(variants)) {
      const t = performance.now();
      run();
      const list = times[name] ?? [];
      list.push(((performance.now() - t) / perSearch.size) * 1000);
      times[name] = list;
    }
  }
  const res: Record<string, number> = { segments: copies.size, callsPerSearch: calls.length / perSearch.size };
  for (const [name, t] of Object.entries(times)) res[name] = median(t);
  res.mappedOverHeap = res.mappedUs! / res.heapPerSegmentUs!;
  return res;
}

async function main(): Promise<void> {
  const dsDir = join(DATA_DIR, DATASET);
  if (!existsSync(join(dsDir, 'corpus.jsonl'))) {
    writeResult('segments-scifact', { ...runMeta('segments-scifact'), skipped: `no data set at ${dsDir}` });
    return;
  }
  const EVERY = envNumber('TRIDENT_SEGSCI_EVERY', 1000);
  const ROUNDS = envNumber('TRIDENT_SEGSCI_ROUNDS', 2);
  const PASSES = envNumber('TRIDENT_SEGSCI_PASSES', 2);
  const work = mkdtempSync(join(tmpdir(), 'trident-segsci-'));
  try {
    const model = join(work, 'model'); // a snapshot: both indexes and every child use the same weights
    cpSync(join(BENCH_DIR, '..', 'src', 'models', 'static-en'), model, { recursive: true });
    const encoder = await loadEncoder(model);
    const ds = await loadBeir(dsDir);
    const docs = [...ds.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
    const segments: Record<string, number> = {};
    for (const storage of ['generations', 'segments'] as const) {
      const ix = await HybridIndex.create({ encoder, path: join(work, storage), bm25: { analyzer: 'english' }, storage, wal: false });
      for (let i = 0; i < docs.length; i += 250) {
        await ix.add(docs.slice(i, i + 250));
        if (storage === 'segments' && (i + 250) % EVERY === 0) await ix.save();
      }
      await ix.save();
      await ix.close();
      if (storage === 'segments') {
        // live segments per channel: the names in each channel's newest segment list
        const root = join(work, storage, 'segments');
        for (const ch of readdirSync(root)) {
          const lists = readdirSync(join(root, ch))
            .filter((f) => /^segments-\d+\.json$/.test(f))
            .sort();
          const list = JSON.parse(readFileSync(join(root, ch, lists[lists.length - 1]!), 'utf8')) as { segments: unknown[] };
          segments[ch] = list.segments.length;
        }
      }
      process.stderr.write(`${storage}: built\n`);
    }
    const runs: Record<string, Array<Record<string, { p50Ms: number; cpuMs: number; hash: string }>>> = { generations: [], segments: [], mapped: [], resident: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const storage of ['generations', 'segments', 'mapped', 'resident'] as const) {
        const dir = join(work, storage === 'generations' ? storage : 'segments');
        const c = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir, model, String(PASSES), storage === 'segments' || storage === 'generations' ? 'auto' : storage], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (c.status !== 0) throw new Error(`child failed: ${c.stderr}`);
        runs[storage]!.push(JSON.parse(c.stdout.trim().split('\n').pop()!));
        process.stderr.write(`${storage} round ${r + 1}\n`);
      }
    }
    const INPROC = envNumber('TRIDENT_SEGSCI_INPROC_PASSES', 9);
    let inprocResult: Record<string, unknown> | null = null;
    if (INPROC > 0) {
      const c = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--inproc', work, String(INPROC)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (c.status !== 0) throw new Error(`in-process child failed: ${c.stderr}`);
      inprocResult = JSON.parse(c.stdout.trim().split('\n').pop()!);
      console.log('in one process', JSON.stringify(inprocResult));
    }
    const summary: Record<string, unknown> = {};
    for (const mode of MODES) {
      const g = runs.generations!.map((x) => x[mode]!);
      const s = runs.segments!.map((x) => x[mode]!);
      const ms = runs.mapped!.map((x) => x[mode]!);
      const rs = runs.resident!.map((x) => x[mode]!);
      const gp = median(g.map((x) => x.p50Ms));
      const sp = median(s.map((x) => x.p50Ms));
      const mp = median(ms.map((x) => x.p50Ms));
      const rp = median(rs.map((x) => x.p50Ms));
      const gc = median(g.map((x) => x.cpuMs));
      const sc = median(s.map((x) => x.cpuMs));
      const rc = median(rs.map((x) => x.cpuMs));
      const h = g[0]?.hash;
      summary[mode] = {
        generationsP50Ms: gp,
        segmentsP50Ms: sp,
        mappedP50Ms: mp,
        residentP50Ms: rp,
        p50Ratio: sp / gp,
        mappedP50Ratio: mp / gp,
        residentP50Ratio: rp / gp,
        generationsCpuMs: gc,
        segmentsCpuMs: sc,
        residentCpuMs: rc,
        cpuRatio: sc / gc,
        residentCpuRatio: rc / gc,
        identical: [...g, ...s, ...ms, ...rs].every((x) => x.hash === h),
      };
      console.log(mode, JSON.stringify(summary[mode]));
    }
    console.log(`written to ${writeResult('segments-scifact', { ...runMeta('segments-scifact'), docs: docs.length, queries: Math.min(QUERIES, ds.qrels.size), every: EVERY, rounds: ROUNDS, passes: PASSES, segments, summary, inProcess: inprocResult })}`);
  } finally {
    if (process.env.TRIDENT_SEGSCI_KEEP === '1') process.stderr.write(`kept: ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]), (process.argv[6] ?? 'auto') as Memory);
else if (process.argv[2] === '--inproc') await inproc(process.argv[3]!, Number(process.argv[4]));
else await main();
