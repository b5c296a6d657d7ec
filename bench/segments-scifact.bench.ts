// Warm query latency of `storage: 'segments'` against the default storage on a real collection
// (issue 16: "within 10 % of today's in-memory stores on scifact"): dev/scifact indexed through
// HybridIndex with the built-in model (`builtin:static-en`, BM25 English analyzer), once per
// storage; the segments index is saved every TRIDENT_SEGSCI_EVERY documents while building, so it
// holds several segments per channel. Then fresh child processes, alternating the storages
// (A B A B …), open each index read-only and time the judged queries, pre-encoded (the store work
// only, the encoder's time is the same for both): a first pass, then TRIDENT_SEGSCI_PASSES timed
// passes; p50 of the wall clock and mean CPU time (process.cpuUsage) per query, per search mode.
// The answers (ids and scores of the top-10) must be identical between the storages.
//
// Run: node --import tsx bench/segments-scifact.bench.ts
// Env: TRIDENT_DATA_DIR (default /work/shared/data), TRIDENT_SEGSCI_EVERY (default 1000),
//      TRIDENT_SEGSCI_ROUNDS (child pairs, default 2), TRIDENT_SEGSCI_PASSES (default 2),
//      TRIDENT_SEGSCI_MODES (default 'all,dense,sparse,bm25'), TRIDENT_SEGSCI_QUERIES (judged
//      queries timed, default 300), TRIDENT_SEGSCI_KEEP (1: keep the built indexes and print
//      where, for re-running `--child <dir>/<storage> <dir>/model <passes>` on them).
// Writes bench/results/segments-scifact.json.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex, loadBeir, loadEncoder, type SearchMode } from '../src/index.js';
import { BENCH_DIR, DATA_DIR, envNumber, runMeta, writeResult } from './lib/results.js';

const DATASET = 'dev/scifact';
const MODES = (process.env.TRIDENT_SEGSCI_MODES ?? 'all,dense,sparse,bm25').split(',') as SearchMode[];
const QUERIES = envNumber('TRIDENT_SEGSCI_QUERIES', 300);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

async function child(dir: string, model: string, passes: number): Promise<void> {
  const ds = await loadBeir(join(DATA_DIR, DATASET));
  const encoder = await loadEncoder(model);
  const ix = await HybridIndex.open(dir, { encoder, readOnly: true });
  const texts = [...ds.qrels.keys()].slice(0, QUERIES).map((id) => ds.queries.get(id)!);
  const encoded = await Promise.all(texts.map((t) => ix.encodeQuery(t)));
  const out: Record<string, { p50Ms: number; cpuMs: number; hash: string }> = {};
  for (const mode of MODES) {
    const hash = createHash('sha256');
    for (let i = 0; i < texts.length; i++) hash.update(JSON.stringify((await ix.search(texts[i]!, { mode, k: 10, encoded: encoded[i]! })).map((h) => [h.id, h.score])));
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
    const runs: Record<string, Array<Record<string, { p50Ms: number; cpuMs: number; hash: string }>>> = { generations: [], segments: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const storage of ['generations', 'segments'] as const) {
        const c = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', join(work, storage), model, String(PASSES)], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (c.status !== 0) throw new Error(`child failed: ${c.stderr}`);
        runs[storage]!.push(JSON.parse(c.stdout.trim().split('\n').pop()!));
        process.stderr.write(`${storage} round ${r + 1}\n`);
      }
    }
    const summary: Record<string, unknown> = {};
    for (const mode of MODES) {
      const g = runs.generations!.map((x) => x[mode]!);
      const s = runs.segments!.map((x) => x[mode]!);
      const gp = median(g.map((x) => x.p50Ms));
      const sp = median(s.map((x) => x.p50Ms));
      const gc = median(g.map((x) => x.cpuMs));
      const sc = median(s.map((x) => x.cpuMs));
      summary[mode] = { generationsP50Ms: gp, segmentsP50Ms: sp, p50Ratio: sp / gp, generationsCpuMs: gc, segmentsCpuMs: sc, cpuRatio: sc / gc, identical: g.every((x) => x.hash === s[0]!.hash) && s.every((x) => x.hash === s[0]!.hash) };
      console.log(mode, JSON.stringify(summary[mode]));
    }
    console.log(`written to ${writeResult('segments-scifact', { ...runMeta('segments-scifact'), docs: docs.length, queries: Math.min(QUERIES, ds.qrels.size), every: EVERY, rounds: ROUNDS, passes: PASSES, segments, summary })}`);
  } finally {
    if (process.env.TRIDENT_SEGSCI_KEEP === '1') process.stderr.write(`kept: ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else await main();
