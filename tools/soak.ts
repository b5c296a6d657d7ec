/**
 * Soak test: a bounded mix of adds, searches, deletes, updates, saves and reopens on the
 * built-in model, reporting throughput per minute, RSS over time and every error.
 *
 *   npx tsx tools/soak.ts [--minutes 10] [--ops N] [--max-docs 3000] [--corpus dir] [--out file.json]
 *   node --expose-gc --import tsx tools/soak.ts …   (collects garbage before each RSS sample)
 *
 * Documents come from a BEIR corpus (default /work/shared/data/dev/scifact, or $TRIDENT_SOAK_CORPUS),
 * queries from its queries.jsonl. A reference model (id → text) tracks what the index should
 * hold; after every reopen and at the end, the index size must equal the model's and every
 * sampled document must be found by its own text (exhaustive sparse search, rank 1 or tied).
 * Exit code 1 if any operation failed or any check did not hold.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../src/hybrid/index.js';
import { loadEncoder } from '../src/encode/index.js';
import { backend } from '../src/kernels/index.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const minutes = Number(arg('minutes', '10'));
const maxOps = Number(arg('ops', String(Number.MAX_SAFE_INTEGER)));
const maxDocs = Number(arg('max-docs', '3000'));
const corpusDir = arg('corpus', process.env.TRIDENT_SOAK_CORPUS ?? '/work/shared/data/dev/scifact');
const out = arg('out', '');

function readJsonl(p: string): Array<Record<string, string>> {
  return fs
    .readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, string>);
}
const corpus = readJsonl(path.join(corpusDir, 'corpus.jsonl')).map((d) => `${d.title ?? ''} ${d.text ?? ''}`.trim());
const queries = readJsonl(path.join(corpusDir, 'queries.jsonl')).map((q) => q.text!);

let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)]!;

const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-soak-'));
const encoder = await loadEncoder('builtin:static-en');
let index = await HybridIndex.create({ encoder, path: dir, bm25: { analyzer: 'english' } });
const model = new Map<string, string>();
let nextId = 0;

type Kind = 'add' | 'search' | 'delete' | 'update' | 'save' | 'reopen';
const errors: string[] = [];
const minuteStats: Array<Record<string, unknown>> = [];
let ops = 0;
let counts: Record<Kind, number> = { add: 0, search: 0, delete: 0, update: 0, save: 0, reopen: 0 };
let lat: number[] = [];
const totals: Record<Kind, number> = { add: 0, search: 0, delete: 0, update: 0, save: 0, reopen: 0 };
let docsAdded = 0;

async function verify(where: string): Promise<void> {
  if (index.size !== model.size) errors.push(`${where}: index holds ${index.size} documents, the model ${model.size}`);
  const ids = [...model.keys()];
  for (let i = 0; i < Math.min(5, ids.length); i++) {
    const id = pick(ids);
    const hits = await index.search(model.get(id)!, { k: 10, mode: 'sparse', exhaustive: true });
    const top = hits[0]?.score ?? 0;
    const mine = hits.find((h) => h.id === id);
    if (!mine || mine.score < top - 1e-4) errors.push(`${where}: document ${id} is not the best match for its own text`);
  }
}

async function step(kind: Kind): Promise<void> {
  switch (kind) {
    case 'add': {
      const docs = Array.from({ length: 8 }, () => ({ id: `d${nextId++}`, text: pick(corpus) }));
      await index.add(docs);
      for (const d of docs) model.set(d.id, d.text);
      docsAdded += docs.length;
      return;
    }
    case 'search': {
      const modes = ['all', 'dense', 'sparse', 'multivector', 'bm25'] as const;
      await index.search(pick(queries), { k: 10, mode: pick([...modes]) });
      return;
    }
    case 'delete': {
      const ids = [...model.keys()];
      const n = model.size > maxDocs ? 64 : 8;
      const gone = Array.from({ length: Math.min(n, ids.length) }, () => pick(ids));
      const r = await index.delete(gone);
      const unique = new Set(gone);
      if (r.deleted !== unique.size) errors.push(`delete: ${r.deleted} deleted, expected ${unique.size}`);
      for (const id of unique) model.delete(id);
      return;
    }
    case 'update': {
      const ids = [...model.keys()];
      if (ids.length === 0) return;
      const docs = [...new Set(Array.from({ length: 4 }, () => pick(ids)))].map((id) => ({ id, text: pick(corpus) }));
      await index.update(docs);
      for (const d of docs) model.set(d.id, d.text);
      return;
    }
    case 'save':
      await index.save();
      return;
    case 'reopen':
      await index.save();
      await index.close();
      index = await HybridIndex.open(dir, { encoder });
      await verify('after reopen');
      return;
  }
}

const mb = (b: number) => Math.round(b / 1048576);
const t0 = performance.now();
let minuteStart = t0;
let lastSave = t0;
let lastReopen = t0;
console.log(`soak: ${minutes} min, ≤ ${maxOps} ops, ≤ ~${maxDocs} docs, corpus ${corpusDir} (${corpus.length} texts), backend ${JSON.stringify(backend())}, model ${encoder.info.name} (${encoder.info.id})`);
while (performance.now() - t0 < minutes * 60_000 && ops < maxOps) {
  const now = performance.now();
  let kind: Kind;
  if (now - lastReopen > 120_000) {
    kind = 'reopen';
    lastReopen = now;
    lastSave = now;
  } else if (now - lastSave > 20_000) {
    kind = 'save';
    lastSave = now;
  } else {
    const r = rand();
    kind = model.size > maxDocs && r < 0.3 ? 'delete' : r < 0.3 ? 'add' : r < 0.8 ? 'search' : r < 0.92 ? 'delete' : 'update';
  }
  const s = performance.now();
  try {
    await step(kind);
  } catch (e) {
    errors.push(`${kind}: ${(e as Error).message}`);
  }
  lat.push(performance.now() - s);
  counts[kind]++;
  totals[kind]++;
  ops++;
  if (performance.now() - minuteStart >= 60_000) {
    // with `node --expose-gc`, collect first: usearch's native graphs are freed only when V8
    // finalises their wrappers, so without it RSS also counts graphs replaced by saves/reopens
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    lat.sort((a, b) => a - b);
    const row = {
      minute: minuteStats.length + 1,
      ops: lat.length,
      opsPerSec: Math.round(lat.length / ((performance.now() - minuteStart) / 1000)),
      ...counts,
      p50ms: +lat[lat.length >> 1]!.toFixed(2),
      p99ms: +lat[Math.floor(lat.length * 0.99)]!.toFixed(1),
      docs: index.size,
      rssMB: mb(m.rss),
      heapMB: mb(m.heapUsed),
      externalMB: mb(m.external),
      errors: errors.length,
    };
    minuteStats.push(row);
    console.log(JSON.stringify(row));
    counts = { add: 0, search: 0, delete: 0, update: 0, save: 0, reopen: 0 };
    lat = [];
    minuteStart = performance.now();
  }
}
await index.save();
await index.close();
index = await HybridIndex.open(dir, { encoder });
await verify('final reopen');
await index.close();
await encoder.close?.();
await fsp.rm(dir, { recursive: true, force: true });
const rss = minuteStats.map((r) => r.rssMB as number);
const summary = {
  seconds: Math.round((performance.now() - t0) / 1000),
  ops,
  totals,
  docsAdded,
  finalDocs: model.size,
  rssFirstMinuteMB: rss[0] ?? null,
  rssLastMinuteMB: rss[rss.length - 1] ?? null,
  rssMaxMB: rss.length ? Math.max(...rss) : null,
  rssGrowthAfterFirstMinuteMB: rss.length ? rss[rss.length - 1]! - rss[0]! : null,
  errors: errors.length,
  firstErrors: errors.slice(0, 10),
};
console.log(JSON.stringify(summary));
if (out) await fsp.writeFile(out, JSON.stringify({ summary, minutes: minuteStats }, null, 2));
process.exit(errors.length ? 1 : 0);
