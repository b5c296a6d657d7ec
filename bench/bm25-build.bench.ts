// BM25 build, trident vs SQLite FTS5 (issue 19's parity target), measured the way a cold build
// happens: every build in a fresh process (bench/peers/bm25-build-child.ts), trident and
// SQLite alternating, REPS builds each; medians of wall and process CPU time, and their
// ratios trident ÷ SQLite (the baseline, same run). The peers benchmark builds each engine
// once in a shared process; this one repeats, so the ratio is not one noisy sample.
//
// Run: node --import tsx bench/bm25-build.bench.ts
// Env: TRIDENT_BENCH_BM25_BUILD_REPS (7), TRIDENT_BENCH_PEERS_DATASET (dev/scifact), TRIDENT_DATA_DIR.
// Writes bench/results/bm25-build.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel, DATA_DIR, envNumber, runMeta, writeResult } from './lib/results.js';

const REPS = envNumber('TRIDENT_BENCH_BM25_BUILD_REPS', 7);
const DATASET = process.env.TRIDENT_BENCH_PEERS_DATASET ?? 'dev/scifact';
const CHILD = fileURLToPath(new URL('./peers/bm25-build-child.ts', import.meta.url));
const corpus = join(DATA_DIR, DATASET);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const meta = runMeta('bm25-build');
if (!existsSync(join(corpus, 'corpus.jsonl'))) {
  writeResult('bm25-build', { ...meta, skipped: `no data set at ${corpus}` });
  process.exit(0);
}
const runs: Record<string, Array<{ wallMs: number; cpuMs: number }>> = { trident: [], sqlite: [] };
let skipped: string | undefined;
for (let r = 0; r < REPS && !skipped; r++) {
  for (const engine of ['trident', 'sqlite'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'trident-bm25-build-'));
    try {
      const p = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, engine, corpus, dir], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`${engine} build failed: ${p.stderr}`);
      const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as { wallMs: number; cpuMs: number; skipped?: string };
      if (out.skipped) skipped = out.skipped;
      else runs[engine]!.push({ wallMs: out.wallMs, cpuMs: out.cpuMs });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
if (skipped) {
  writeResult('bm25-build', { ...meta, skipped });
  process.exit(0);
}
const stat = (e: string) => ({ wallMs: median(runs[e]!.map((x) => x.wallMs)), cpuMs: median(runs[e]!.map((x) => x.cpuMs)), runs: runs[e] });
const t = stat('trident');
const s = stat('sqlite');
const result = { ...meta, cpuModel: cpuModel(), dataset: DATASET, reps: REPS, loadAfter: loadavg(), trident: t, sqlite: s, ratio: { wall: t.wallMs / s.wallMs, cpu: t.cpuMs / s.cpuMs } };
writeResult('bm25-build', result);
console.error(
  `bm25-build (${DATASET}, ${REPS} cold builds each, medians): trident ${t.wallMs.toFixed(0)} ms wall / ${t.cpuMs.toFixed(0)} ms CPU; SQLite FTS5 ${s.wallMs.toFixed(0)} / ${s.cpuMs.toFixed(0)}; trident ÷ SQLite ${result.ratio.wall.toFixed(2)}× wall, ${result.ratio.cpu.toFixed(2)}× CPU (load ${meta.loadavg.map((x) => x.toFixed(1)).join(' ')} → ${result.loadAfter.map((x) => x.toFixed(1)).join(' ')})`,
);
