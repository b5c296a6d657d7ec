// Kernel benchmark: MaxSim (one query against many candidate documents per call, one core)
// for f32 / f16 / i8 on every ISA of this machine (plus, on the best ISA, the screened f32 / f16
// entry points fed the store's int8 screening sidecar), against a naive TS loop measured in the
// same run (the baseline), plus batched dot products (dense oracle) and a same-process
// comparison with NumKong's MaxSim (bench/kernels-numkong.cc, compiled into bench/.cache/).
//
// Data: L2-normalised uniform random vectors (seeded); documents stored f32, f16 (RNE) and
// i8 (symmetric per-vector scale); one call scores Q query tokens against DOCS documents of
// T tokens each (distinct arena ranges, so documents stream from memory as in a rerank).
//
// Run: node --import tsx bench/kernels.bench.ts   (env vars: see bench/README.md, "kernels")
// Writes bench/results/kernels.json and prints a Markdown table.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backend, kernels, setIsa } from '../src/kernels/index.js';
import { quantizeI8, rowSumsI8, toF16 } from '../src/kernels/f16.js';
import { buildScreen, SCREEN_STATS } from '../src/kernels/screen.js';
import { naiveDots, naiveMaxsim } from './kernels-naive.js';
import { benchLatency, type Lat } from './lib/latency.js';
import { rng } from './lib/synthetic.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const Q = env('TRIDENT_BENCH_KERNELS_Q', 32);
const T = env('TRIDENT_BENCH_KERNELS_T', 200);
const D = env('TRIDENT_BENCH_KERNELS_DIM', 1024);
const DOCS = env('TRIDENT_BENCH_KERNELS_DOCS', 200);
const NAIVE_DOCS = env('TRIDENT_BENCH_KERNELS_NAIVE_DOCS', 3);
const ROWS = env('TRIDENT_BENCH_KERNELS_ROWS', 20000);
const TIME = env('TRIDENT_BENCH_TIME_MS', 1000);
const NK_REPS = env('TRIDENT_BENCH_KERNELS_NUMKONG_REPS', 9);
const NUMKONG = process.env.TRIDENT_BENCH_KERNELS_NUMKONG !== '0';
// 'cpu' (default): process user+system CPU time, so a busy shared machine does not inflate the
// single-threaded kernel timings; 'wall': performance.now().
const CLOCK = process.env.TRIDENT_BENCH_KERNELS_CLOCK === 'wall' ? 'wall' : 'cpu';
function unitRows(r: () => number, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const v = r() * 2 - 1;
      out[i * dim + k] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[i * dim + k] = out[i * dim + k]! * inv;
  }
  return out;
}

async function latency(tasks: Record<string, () => void>): Promise<Record<string, Lat>> {
  return benchLatency(tasks, { time: TIME, warmupIterations: 1, warmupTime: 0, clock: CLOCK });
}

/** Builds and runs bench/kernels-numkong.cc; returns its JSON, or a reason it could not. */
function numkongCompare(): { result?: unknown; skipped?: string } {
  const nkInclude = join(root, 'node_modules', 'usearch', 'numkong', 'include');
  if (!existsSync(join(nkInclude, 'numkong', 'maxsim.h'))) return { skipped: 'NumKong headers not found under node_modules/usearch/numkong' };
  if (process.arch !== 'x64') return { skipped: `comparison program targets x86-64 (this is ${process.arch})` };
  const cache = join(here, '.cache');
  mkdirSync(cache, { recursive: true });
  const exe = join(cache, 'kernels-numkong');
  const sources = ['cpu.cc', 'convert.cc', 'kernels_serial.cc', 'kernels_avx2.cc', 'kernels_avx512.cc'].map((f) => join(root, 'native', f));
  const src = join(here, 'kernels-numkong.cc');
  const newest = Math.max(...[src, ...sources].map((f) => statSync(f).mtimeMs));
  if (!existsSync(exe) || statSync(exe).mtimeMs < newest) {
    const cxx = process.env.CXX ?? 'g++';
    const args = ['-O3', '-std=c++17', '-DNK_TARGET_SAPPHIREAMX=1', '-DNK_TARGET_ICELAKE=1', '-DNK_TARGET_HASWELL=1', '-DNK_TARGET_SKYLAKE=1', `-I${join(root, 'native')}`, `-I${nkInclude}`, src, ...sources, '-o', exe];
    const b = spawnSync(cxx, args, { encoding: 'utf8' });
    if (b.status !== 0) return { skipped: `compile failed: ${(b.stderr || b.error?.message || '').slice(0, 400)}` };
  }
  const r = spawnSync(exe, [Q, T, D, DOCS, NK_REPS, CLOCK].map(String), { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { skipped: `run failed: ${r.stderr}` };
  return { result: JSON.parse(r.stdout) };
}

async function main(): Promise<void> {
  const be = backend();
  const isas = be.available.length > 0 ? be.available : [];
  console.error(
    `kernels bench: Q=${Q} T=${T} D=${D} docs/call=${DOCS}, clock ${CLOCK}, backend ${JSON.stringify(be)}, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const r = rng(42);
  const query = unitRows(r, Q, D);
  const arena = unitRows(r, DOCS * T, D);
  const f16 = toF16(arena);
  const i8 = quantizeI8(arena, D);
  const starts = Uint32Array.from({ length: DOCS }, (_, i) => i * T);
  const counts = new Uint32Array(DOCS).fill(T);
  const out = new Float32Array(DOCS);
  const nStarts = starts.subarray(0, NAIVE_DOCS);
  const nCounts = counts.subarray(0, NAIVE_DOCS);
  const nOut = new Float32Array(NAIVE_DOCS);
  // screening sidecars (what an f32 / f16 MultiVectorStore keeps by default on avx512)
  const scr32 = { i8: new Int8Array(DOCS * T * D), stats: new Float32Array(DOCS * T * SCREEN_STATS) };
  const scr16 = { i8: new Int8Array(DOCS * T * D), stats: new Float32Array(DOCS * T * SCREEN_STATS) };
  buildScreen(arena, D, 0, DOCS * T, scr32.i8, scr32.stats);
  buildScreen(f16, D, 0, DOCS * T, scr16.i8, scr16.stats);
  // per-vector int8 sums (what an i8 MultiVectorStore keeps): the kernel then skips re-summing rows
  const i8Sums = new Int32Array(DOCS * T);
  rowSumsI8(i8.data, D, 0, DOCS * T, i8Sums);

  // MaxSim
  const tasks: Record<string, () => void> = {
    'naive-ts f32': () => naiveMaxsim(query, Q, D, arena, nStarts, nCounts, nOut),
    'js f32': () => {
      setIsa('js');
      return kernels.maxsimF32(query, Q, D, arena, nStarts, nCounts, nOut);
    },
    'js f16': () => {
      setIsa('js');
      return kernels.maxsimF16(query, Q, D, f16, nStarts, nCounts, nOut);
    },
    'js i8': () => {
      setIsa('js');
      return kernels.maxsimI8(query, Q, D, i8.data, i8.scales, nStarts, nCounts, nOut);
    },
  };
  for (const isa of isas) {
    const docs = isa === 'serial' ? NAIVE_DOCS : DOCS;
    const s = starts.subarray(0, docs);
    const c = counts.subarray(0, docs);
    const o = out.subarray(0, docs);
    tasks[`${isa} f32`] = () => {
      setIsa(isa);
      return kernels.maxsimF32(query, Q, D, arena, s, c, o);
    };
    tasks[`${isa} f16`] = () => {
      setIsa(isa);
      return kernels.maxsimF16(query, Q, D, f16, s, c, o);
    };
    tasks[`${isa} i8`] = () => {
      setIsa(isa);
      return kernels.maxsimI8(query, Q, D, i8.data, i8.scales, s, c, o);
    };
    if (isa === isas[0]) {
      tasks[`${isa} i8+sums`] = () => {
        setIsa(isa);
        return kernels.maxsimI8(query, Q, D, i8.data, i8.scales, s, c, o, i8Sums);
      };
      tasks[`${isa} f32+sidecar`] = () => {
        setIsa(isa);
        return kernels.maxsimF32Screen(query, Q, D, arena, scr32.i8, scr32.stats, s, c, o);
      };
      tasks[`${isa} f16+sidecar`] = () => {
        setIsa(isa);
        return kernels.maxsimF16Screen(query, Q, D, f16, scr16.i8, scr16.stats, s, c, o);
      };
    }
  }
  const lat = await latency(tasks);
  const docsOf = (name: string) => (name.startsWith('naive') || name.startsWith('js') || name.startsWith('serial') ? NAIVE_DOCS : DOCS);
  const usPerDoc: Record<string, number> = {};
  for (const [name, l] of Object.entries(lat)) usPerDoc[name] = (l.p50 * 1000) / docsOf(name);
  const naive = usPerDoc['naive-ts f32']!;

  // Dots (dense oracle): one 1024-d query against ROWS rows.
  const rowsF32 = unitRows(r, ROWS, D);
  const rowsF16 = toF16(rowsF32);
  const rowsI8 = quantizeI8(rowsF32, D);
  const dq = query.subarray(0, D);
  const dOut = new Float32Array(ROWS);
  const naiveRows = Math.min(ROWS, 2000);
  const dotTasks: Record<string, () => void> = {
    'naive-ts f32': () => naiveDots(dq, D, rowsF32, dOut.subarray(0, naiveRows)),
  };
  for (const isa of [...isas, 'js']) {
    const n = isa === 'js' || isa === 'serial' ? naiveRows : ROWS;
    const o = dOut.subarray(0, n);
    dotTasks[`${isa} f32`] = () => {
      setIsa(isa);
      return kernels.dotsF32(dq, D, rowsF32, null, o);
    };
    dotTasks[`${isa} f16`] = () => {
      setIsa(isa);
      return kernels.dotsF16(dq, D, rowsF16, null, o);
    };
    dotTasks[`${isa} i8`] = () => {
      setIsa(isa);
      return kernels.dotsI8(dq, D, rowsI8.data, rowsI8.scales, null, o);
    };
  }
  const dLat = await latency(dotTasks);
  const nsPerRow: Record<string, number> = {};
  for (const [name, l] of Object.entries(dLat)) {
    const n = name.startsWith('naive') || name.startsWith('js') || name.startsWith('serial') ? naiveRows : ROWS;
    nsPerRow[name] = (l.p50 * 1e6) / n;
  }
  setIsa('auto');

  const nk = NUMKONG ? numkongCompare() : { skipped: 'TRIDENT_BENCH_KERNELS_NUMKONG=0' };

  // Report
  const best = isas[0] ?? 'js';
  const lines: string[] = [];
  lines.push(`### MaxSim, ${Q} query × ${T} doc tokens × ${D} dims, ${DOCS} docs per call, one core (${CLOCK} clock, load ${loadavg()[0]!.toFixed(1)})`);
  lines.push('');
  lines.push('| kernel | µs/doc (median) | docs/s | × naive TS | × serial (same dtype) | × canonical (same ISA, dtype) |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const name of Object.keys(usPerDoc)) {
    const us = usPerDoc[name]!;
    const [isaName, kind] = name.split(' ') as [string, string];
    const dtype = kind.split('+')[0];
    const serial = usPerDoc[`serial ${dtype}`];
    const canon = kind.includes('+') ? usPerDoc[`${isaName} ${dtype}`] : undefined;
    lines.push(`| ${name} | ${us.toFixed(1)} | ${(1e6 / us).toFixed(0)} | ${(naive / us).toFixed(1)} | ${serial ? (serial / us).toFixed(1) : '–'} | ${canon ? (canon / us).toFixed(2) : '–'} |`);
  }
  lines.push('');
  const f32 = usPerDoc[`${best} f32`];
  const f16b = usPerDoc[`${best} f16`];
  const i8b = usPerDoc[`${best} i8`];
  const f32s = usPerDoc[`${best} f32+sidecar`];
  const i8s = usPerDoc[`${best} i8+sums`];
  const f16s = usPerDoc[`${best} f16+sidecar`];
  const targets = {
    isa: best,
    f32UsPerDoc: f32,
    f32Target: 90,
    f32SidecarUsPerDoc: f32s,
    f16SidecarUsPerDoc: f16s,
    i8UsPerDoc: i8b,
    i8Target: 35,
    f16OverF32: f16b !== undefined && f32 !== undefined ? f16b / f32 : undefined,
    f16OverF32Target: 1.3,
    bestOverNaive: f32 !== undefined ? naive / f32 : undefined,
    bestOverNaiveTarget: 50,
  };
  lines.push(
    `Targets on ${best}: f32 ${f32?.toFixed(1)} µs/doc (≤ 90; with the screening sidecar ${f32s?.toFixed(1)}, f16 ${f16s?.toFixed(1)}), i8 ${i8b?.toFixed(1)} µs/doc (with the store's row sums ${i8s?.toFixed(1)}; ≤ 35), f16/f32 ${targets.f16OverF32?.toFixed(2)} (≤ 1.3), f32 vs naive TS ×${targets.bestOverNaive?.toFixed(0)} (≥ 50).`,
  );
  lines.push('');
  lines.push(`### Dots, one ${D}-d query against ${ROWS} rows`);
  lines.push('');
  lines.push('| kernel | ns/row (median) | GB/s of rows | × naive TS |');
  lines.push('|---|---:|---:|---:|');
  const bytesPer: Record<string, number> = { f32: 4, f16: 2, i8: 1 };
  for (const [name, ns] of Object.entries(nsPerRow)) {
    const b = bytesPer[name.split(' ')[1]!]! * D;
    lines.push(`| ${name} | ${ns.toFixed(1)} | ${(b / ns).toFixed(2)} | ${(nsPerRow['naive-ts f32']! / ns).toFixed(1)} |`);
  }
  lines.push('');
  let nkSummary: Record<string, unknown> | undefined;
  if (nk.result) {
    const res = nk.result as { ours: Record<string, Record<string, number>>; numkong: Record<string, Record<string, number>> };
    const nkBest = Object.keys(res.numkong)[0]!;
    const nkF32 = res.numkong[nkBest]!.f32!;
    const ours = res.ours[best] ?? {};
    lines.push(`### Same process vs NumKong (${Object.keys(res.numkong).join(', ')}; NumKong = screening + full-precision refinement of the winner)`);
    lines.push('');
    lines.push('| trident kernel | µs/doc | NumKong kernel | µs/doc | docs/s ratio (ours / NumKong) |');
    lines.push('|---|---:|---|---:|---:|');
    for (const [nkIsa, nkRes] of Object.entries(res.numkong)) {
      for (const [dt, us] of Object.entries(ours)) {
        for (const nkdt of ['f32', 'f16'] as const) {
          const nkUs = nkRes[nkdt]!;
          lines.push(`| ${best} ${dt} | ${us.toFixed(1)} | ${nkIsa} ${nkdt} | ${nkUs.toFixed(1)} | ${(nkUs / us).toFixed(2)} |`);
        }
      }
    }
    lines.push('');
    nkSummary = { ...res, numkongBest: nkBest, oursI8OverNumkongF32DocsPerSec: ours.i8 ? nkF32 / ours.i8 : undefined };
    const peak = (res as { peak?: { fma512MacPerNs: number; dpbusd512MacPerNs: number; tdpbssdMacPerNs?: number } }).peak;
    if (peak) {
      const macs = Q * T * D;
      const fmaFloor = macs / peak.fma512MacPerNs / 1000;
      const vnniFloor = macs / peak.dpbusd512MacPerNs / 1000;
      lines.push(
        `Register-only peak of this core right now: ${peak.fma512MacPerNs.toFixed(1)} f32 MAC/ns (zmm FMA), ` +
          `${peak.dpbusd512MacPerNs.toFixed(1)} int8 MAC/ns (vpdpbusd) → floors for ${macs / 1e6} M MAC/doc: ` +
          `brute-force f32 ${fmaFloor.toFixed(1)} µs/doc, int8 ${vnniFloor.toFixed(1)} µs/doc ` +
          `(ours: i8 at ${ours.i8 ? ((vnniFloor / ours.i8) * 100).toFixed(0) : '–'}% of the int8 floor).`,
      );
      if (peak.tdpbssdMacPerNs) {
        lines.push(`AMX tile peak: ${peak.tdpbssdMacPerNs.toFixed(0)} int8 MAC/ns (tdpbssd) → ${(macs / peak.tdpbssdMacPerNs / 1000).toFixed(1)} µs/doc of arithmetic; ` + `the amx kernels are bound by reading the ${((T * D) / 1024).toFixed(0)} KiB of int8 rows per document instead.`);
      }
      lines.push('');
      nkSummary.floorsUsPerDoc = { bruteF32: fmaFloor, i8: vnniFloor, ...(peak.tdpbssdMacPerNs ? { amxI8: macs / peak.tdpbssdMacPerNs / 1000 } : {}) };
    }
  } else {
    lines.push(`NumKong comparison skipped: ${nk.skipped}`);
  }
  const md = lines.join('\n');
  console.log(md);

  const json = {
    date: new Date().toISOString(),
    clock: CLOCK,
    shape: { queryTokens: Q, docTokens: T, dim: D, docsPerCall: DOCS, naiveDocs: NAIVE_DOCS, dotRows: ROWS },
    backend: be,
    loadAverage: loadavg(),
    maxsim: { usPerDoc, latencyMs: lat },
    dots: { nsPerRow, latencyMs: dLat },
    targets,
    numkong: nkSummary ?? { skipped: nk.skipped },
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'kernels.json'), JSON.stringify(json, null, 2));
}

await main();
