// HybridIndex `searchThreads` (issue 16, off the event loop): the oracle is the same index
// without threads. Two segments indexes get the same operations (adds, deletes, updates,
// saves, optimize, reopen); one searches on worker threads, the other on the main thread; every
// search (every mode, named channels, fusion kinds, BM25 fused by default, filters, exhaustive)
// must give identical ids, scores, per-channel scores and order, with documents in segments,
// in the tail, and deleted since the last save. A spy proves the threaded index really sends
// its segment work to the pool. Also: a dense channel large enough to be graph-searched; a
// worker killed mid-search (WORKER_FAILED, next search fine); close() with searches in flight
// (INDEX_CLOSED, no thread left); option checks.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HybridIndex } from '../../../src/index.js';
import { StorePool } from '../../../src/segments/store-pool.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-threads-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
let dirs = 0;
const fresh = () => path.join(tmp, `i${dirs++}`);

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');

function docs(from: number, n: number, seed: number) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 3 + Math.floor(r() * 12);
    return { id: `d${from + i}`, text: Array.from({ length: len }, () => WORDS[Math.floor(r() * r() * WORDS.length)]).join(' '), metadata: { g: (from + i) % 3, n: from + i } };
  });
}

const QUERIES = ['alpha beta', 'gamma gamma delta', 'omega psi chi', 'kappa lambda mu nu', 'zeta', 'beta theta iota alpha'];
const SEARCHES: Array<Record<string, unknown>> = [
  {},
  { mode: 'all' },
  { mode: 'dense' },
  { mode: 'sparse' },
  { mode: 'multivector' },
  { mode: 'bm25' },
  { mode: 'dense+sparse' },
  { channels: ['sparse', 'bm25'], fusion: { kind: 'rrf' } },
  { channels: ['multivector', 'bm25'] },
  { channels: ['dense', 'sparse', 'multivector', 'bm25'], fusion: { kind: 'dbsf' } },
  { filter: { g: 1 } },
  { mode: 'bm25', filter: { n: { lt: 150 } } },
  { mode: 'multivector', filter: { $not: { g: 0 } } },
  { mode: 'dense', filter: { g: { in: [0, 2] } } },
  { exhaustive: true },
  { exhaustive: true, filter: { g: 2 } },
];

/** Every search on both indexes: identical hits. */
async function same(a: HybridIndex, b: HybridIndex, k = 10): Promise<void> {
  expect(a.size).toBe(b.size);
  for (const q of QUERIES) {
    for (const s of SEARCHES) {
      const [ha, hb] = await Promise.all([a.search(q, { k, ...s }), b.search(q, { k, ...s })]);
      expect(
        ha.map((h) => [h.id, h.score, h.scores]),
        `${q} ${JSON.stringify(s)}`,
      ).toEqual(hb.map((h) => [h.id, h.score, h.scores]));
    }
  }
  // a burst of concurrent searches (the threads busy: each search goes whole to one worker)
  const burst = QUERIES.flatMap((q) => SEARCHES.slice(0, 6).map((s) => [q, s] as const));
  const ra = await Promise.all(burst.map(([q, s]) => a.search(q, { k, ...s })));
  const rb = await Promise.all(burst.map(([q, s]) => b.search(q, { k, ...s })));
  expect(ra.map((hs) => hs.map((h) => [h.id, h.score, h.scores]))).toEqual(rb.map((hs) => hs.map((h) => [h.id, h.score, h.scores])));
}

/** Counts the pool's segment calls (proves the threaded index uses its workers) and the messages that search some segments only (a split search). */
function spyPool() {
  const calls = { n: 0, split: 0, denseParts: 0 };
  const post = Worker.prototype.postMessage;
  vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, m: unknown, t?: unknown) {
    if (m && typeof m === 'object' && 'segs' in m) calls.split++;
    if (m && typeof m === 'object' && (m as { op?: string }).op === 'densePart') calls.denseParts++;
    return post.call(this, m, t as never);
  });
  for (const m of ['sparseTop', 'sparseScore', 'mvTop', 'mvScore', 'denseTop', 'denseScore', 'denseSplit'] as const) {
    const orig = StorePool.prototype[m] as (...a: unknown[]) => unknown;
    vi.spyOn(StorePool.prototype, m).mockImplementation(function (this: StorePool, ...a: unknown[]) {
      calls.n++;
      return orig.apply(this, a);
    } as never);
  }
  return calls;
}

type Op = { kind: 'add'; from: number; n: number } | { kind: 'delete'; ids: string[] } | { kind: 'update'; from: number; n: number } | { kind: 'save' } | { kind: 'reopen' } | { kind: 'optimize' };

async function twin(ops: Op[], threads = 2, extra: Record<string, unknown> = {}): Promise<{ on: HybridIndex; off: HybridIndex }> {
  const encoder = new FakeEncoder();
  const onDir = fresh();
  const offDir = fresh();
  let on = await HybridIndex.create({ encoder, path: onDir, storage: 'segments', wal: false, bm25: {}, searchThreads: threads, ...extra });
  let off = await HybridIndex.create({ encoder, path: offDir, storage: 'segments', wal: false, bm25: {}, ...extra });
  let seed = 1;
  for (const op of ops) {
    if (op.kind === 'add') {
      const batch = docs(op.from, op.n, seed++);
      await on.add(batch);
      await off.add(batch);
    } else if (op.kind === 'update') {
      const batch = docs(op.from, op.n, 1000 + seed++);
      await on.update(batch);
      await off.update(batch);
    } else if (op.kind === 'delete') {
      expect(await on.delete(op.ids)).toEqual(await off.delete(op.ids));
    } else if (op.kind === 'save') {
      await on.save();
      await off.save();
    } else if (op.kind === 'optimize') {
      await on.optimize();
      await off.optimize();
    } else {
      await on.close();
      await off.close();
      on = await HybridIndex.open(onDir, { encoder, searchThreads: threads });
      off = await HybridIndex.open(offDir, { encoder });
    }
    await same(on, off);
  }
  return { on, off };
}

describe('HybridIndex searchThreads', () => {
  it('segments + tail + deletes since the save, every mode, fusion and filter: identical hits to the main thread; after save, optimize and reopen too', async () => {
    const calls = spyPool();
    const ops: Op[] = [];
    for (let s = 0; s < 5; s++) {
      ops.push({ kind: 'add', from: s * 60, n: 60 });
      ops.push({ kind: 'save' });
      if (s % 2 === 1) ops.push({ kind: 'delete', ids: Array.from({ length: 7 }, (_, i) => `d${(s * 37 + i * 13) % (s * 60 + 60)}`) });
    }
    ops.push({ kind: 'update', from: 20, n: 6 }, { kind: 'add', from: 1000, n: 30 }, { kind: 'delete', ids: ['d1001', 'd4', 'd299'] });
    ops.push({ kind: 'reopen' }, { kind: 'delete', ids: ['d10', 'd11', 'd1002'] }, { kind: 'optimize' }, { kind: 'add', from: 2000, n: 12 });
    const { on, off } = await twin(ops);
    expect(on.searchThreads).toBe(2);
    expect(off.searchThreads).toBe(0);
    expect(calls.n).toBeGreaterThan(1000);
    expect(calls.split).toBeGreaterThan(100); // idle threads: searches split by segment
    const st = on.stats().channels.bm25 as { segments: number; tail: number };
    expect(st.segments).toBe(1);
    expect(st.tail).toBe(12);
    await on.close();
    await off.close();
  });

  it("a residual multi-vector channel: its first stage (each segment's centroid lists) on the threads gives the main thread's hits", async () => {
    const calls = spyPool();
    const ops: Op[] = [];
    // segments larger than the first stage's per-segment budget (256 documents): lists, not a scan
    for (let s = 0; s < 2; s++) ops.push({ kind: 'add', from: s * 800, n: 800 }, { kind: 'save' });
    ops.push({ kind: 'delete', ids: ['d3', 'd77', 'd350', 'd701'] }, { kind: 'add', from: 2000, n: 15 }, { kind: 'reopen' });
    const { on, off } = await twin(ops, 2, { multivector: { dtype: 'residual', bits: 2, centroids: 64 } });
    expect(calls.n).toBeGreaterThan(100);
    expect((on.config.channels.find((c) => c.kind === 'multivector') as { dtype: string }).dtype).toBe('residual');
    await on.close();
    await off.close();
  });

  it('a write or a save while searches wait for their threads: they answer on the state after it', async () => {
    const { on, off } = await twin([{ kind: 'add', from: 0, n: 80 }, { kind: 'save' }], 1);
    const pending = on.search('alpha beta', { k: 20 });
    await Promise.all([on.delete(['d0', 'd1', 'd2', 'd3']), off.delete(['d0', 'd1', 'd2', 'd3'])]);
    const [got, want] = await Promise.all([pending, off.search('alpha beta', { k: 20 })]);
    expect(got.map((h) => [h.id, h.score])).toEqual(want.map((h) => [h.id, h.score]));
    await same(on, off);
    // a save (the tail moves into a segment, the threads move to the new list) under searches
    await on.add(docs(500, 20, 77));
    await off.add(docs(500, 20, 77));
    const during = Array.from({ length: 12 }, (_, i) => on.search(QUERIES[i % QUERIES.length]!, { k: 15 }));
    await Promise.all([on.save(), off.save()]);
    const got2 = await Promise.all(during);
    const want2 = await Promise.all(Array.from({ length: 12 }, (_, i) => off.search(QUERIES[i % QUERIES.length]!, { k: 15 })));
    expect(got2.map((hs) => hs.map((h) => [h.id, h.score]))).toEqual(want2.map((hs) => hs.map((h) => [h.id, h.score])));
    await same(on, off);
    await on.close();
    await off.close();
  });

  it('a dense channel large enough for graph search (usearch views in the workers): identical hits', async () => {
    const dim = 512; // 4,500 × 512 values is past the exact-scan threshold: segments are graph-searched
    const channels = [{ name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: dim, dtype: 'f16' as const }];
    const r = rng(7);
    const vecs = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, metadata: { odd: (from + i) % 2 }, vectors: { dense: Float32Array.from({ length: dim }, () => r() * 2 - 1) } }));
    const on = await HybridIndex.create({ path: fresh(), storage: 'segments', wal: false, channels, searchThreads: 2 });
    const off = await HybridIndex.create({ path: fresh(), storage: 'segments', wal: false, channels });
    for (const [from, n] of [
      [0, 2500],
      [2500, 2000],
    ] as const) {
      const b = vecs(from, n);
      await on.add(b);
      await off.add(b);
      await on.save();
      await off.save();
    }
    const tail = vecs(9000, 40);
    await on.add(tail);
    await off.add(tail);
    const gone = [3, 2600, 9001];
    await on.delete(gone);
    await off.delete(gone);
    const calls = spyPool();
    for (let i = 0; i < 8; i++) {
      const q = Float32Array.from({ length: dim }, () => r() * 2 - 1);
      for (const s of [{}, { filter: { odd: 1 } }, { exhaustive: true }]) {
        const a = await on.search({ vectors: { dense: q } }, { k: 10, ...s });
        const b = await off.search({ vectors: { dense: q } }, { k: 10, ...s });
        expect(a.map((h) => [h.id, h.score])).toEqual(b.map((h) => [h.id, h.score]));
        expect(a.some((h) => gone.includes(h.id as number))).toBe(false);
      }
    }
    expect(calls.n).toBeGreaterThanOrEqual(40); // first stage + scoring, or scoring alone when exhaustive
    await on.close();
    await off.close();
  });

  it('unfiltered graph searches split by segment over the threads, widening a segment that holds the whole answer: identical hits', async () => {
    const dim = 512; // each segment past the exact-scan threshold (4,096 × 512 values): graph-walked
    const channels = [{ name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: dim, dtype: 'f16' as const }];
    const r = rng(17);
    const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const centres = Array.from({ length: 3 }, () => Float32Array.from({ length: dim }, g));
    // segment s holds the vectors around centre s only: a query near a centre finds its whole answer in one segment
    const around = (c: number) => Float32Array.from(centres[c]!, (x) => x + 0.8 * g());
    const offDir = fresh();
    const built = await HybridIndex.create({ path: offDir, storage: 'segments', wal: false, channels });
    for (let c = 0; c < 3; c++) {
      await built.add(Array.from({ length: 5000 - 400 * c }, (_, i) => ({ id: c * 10_000 + i, vectors: { dense: around(c) } })));
      await built.save();
    }
    await built.close();
    // the same graph files for both (graph builds use every core, so two builds differ)
    const onDir = fresh();
    fs.cpSync(offDir, onDir, { recursive: true });
    const on = await HybridIndex.open(onDir, { searchThreads: 2 });
    const off = await HybridIndex.open(offDir);
    const gone = [5, 10_007, 20_009];
    await on.delete(gone);
    await off.delete(gone);
    const calls = spyPool();
    for (let i = 0; i < 9; i++) {
      const q = around(i % 3);
      const a = await on.search({ vectors: { dense: q } }, { k: 10 });
      const b = await off.search({ vectors: { dense: q } }, { k: 10 });
      expect(a.map((h) => [h.id, h.score])).toEqual(b.map((h) => [h.id, h.score]));
      expect(a.every((h) => Math.floor((h.id as number) / 10_000) === i % 3)).toBe(true);
      expect(a.some((h) => gone.includes(h.id as number))).toBe(false);
    }
    // 9 searches over 2 workers' groups, plus the re-walks of the widened segments
    expect(calls.denseParts).toBeGreaterThan(18);
    await on.close();
    await off.close();
  });

  it('a worker killed mid-search rejects that search with WORKER_FAILED; the next search works', async () => {
    const { on, off } = await twin([{ kind: 'add', from: 0, n: 120 }, { kind: 'save' }], 1);
    // the pool is private: reach it through a spy on its next MaxSim call (scoring: the
    // FakeEncoder's multi-vector channel produces no first stage of its own)
    let seen: StorePool | null = null;
    const orig = StorePool.prototype.mvScore;
    vi.spyOn(StorePool.prototype, 'mvScore').mockImplementation(function (this: StorePool, ...a: Parameters<StorePool['mvScore']>) {
      seen = this;
      this.crashWorkerForTest(0); // the one worker exits with the search queued on it
      return orig.apply(this, a);
    });
    await expect(on.search('alpha beta', { mode: 'multivector' })).rejects.toMatchObject({ code: 'WORKER_FAILED', name: 'StorageError' });
    expect(seen).not.toBeNull();
    vi.restoreAllMocks();
    // the replacement opens the segments on its first message (and replays the deletions)
    await on.delete(['d1', 'd7']);
    await off.delete(['d1', 'd7']);
    await same(on, off);
    await on.close();
    await off.close();
  });

  it('close() with searches in flight rejects them with INDEX_CLOSED and leaves no worker thread running', async () => {
    const { on, off } = await twin([{ kind: 'add', from: 0, n: 200 }, { kind: 'save' }], 2);
    await off.close();
    let pool: StorePool | null = null;
    const orig = StorePool.prototype.sparseTop;
    vi.spyOn(StorePool.prototype, 'sparseTop').mockImplementation(function (this: StorePool, ...a: Parameters<StorePool['sparseTop']>) {
      pool = this;
      return orig.apply(this, a);
    });
    const inFlight = Array.from({ length: 8 }, (_, i) => on.search(QUERIES[i % QUERIES.length]!));
    const closing = on.close();
    const settled = await Promise.allSettled(inFlight);
    await closing;
    expect(pool).not.toBeNull();
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toMatchObject({ code: 'INDEX_CLOSED' });
    }
    expect(pool!.running).toBe(0);
    await expect(on.search('alpha')).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
  });

  /** Linux: a thread's nice value (field 19 of /proc/self/task/<tid>/stat). */
  const niceOf = (tid: string) => {
    const st = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[16]);
  };
  /** Linux: every thread of this process, with its nice value. */
  const tasks = () => new Map(fs.readdirSync('/proc/self/task').map((t) => [t, niceOf(t)]));

  it.runIf(process.platform === 'linux')('searchThreadsNice lowers the search threads only (Linux: per-thread nice), not the calling thread', async () => {
    const base = niceOf(String(process.pid));
    const before = tasks();
    const dir = fresh();
    const ix = await HybridIndex.create({ encoder: new FakeEncoder(), path: dir, storage: 'segments', wal: false, bm25: {}, searchThreads: 2, searchThreadsNice: 7 });
    await ix.add(docs(0, 40, 3));
    await ix.save();
    await ix.search('alpha beta'); // every worker has answered: its priority is set
    const fresh2 = [...tasks()].filter(([t]) => !before.has(t));
    expect(niceOf(String(process.pid))).toBe(base);
    expect(fresh2.filter(([, n]) => n === Math.min(19, base + 7)).length).toBe(2);
    await ix.close();
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), path: fresh(), storage: 'segments', searchThreadsNice: 5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), path: fresh(), storage: 'segments', searchThreads: 1, searchThreadsNice: 20 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it.runIf(process.platform === 'linux')('searchThreadsNice by default: 10 when the threads can occupy every core (the event loop keeps a way in), else 0', async () => {
    const base = niceOf(String(process.pid));
    const cores = os.availableParallelism();
    const cases: Array<[number, number]> = [];
    if (cores > 1) cases.push([cores - 1, base]); // fewer threads than cores: same priority
    if (cores <= 16) cases.push([cores, Math.min(19, base + 10)]); // every core: yield to the event loop
    expect(cases.length).toBeGreaterThan(0);
    for (const [threads, want] of cases) {
      const before = tasks();
      const dir = fresh();
      const made = await HybridIndex.create({ encoder: new FakeEncoder(), path: dir, storage: 'segments', wal: false, bm25: {} });
      await made.add(docs(0, 40, 3));
      await made.save();
      await made.close();
      // open: the other entry point takes the same default
      const ix = await HybridIndex.open(dir, { encoder: new FakeEncoder(), readOnly: true, searchThreads: threads });
      await Promise.all(Array.from({ length: 4 * threads }, () => ix.search('alpha beta'))); // every worker has answered
      const started = [...tasks()].filter(([t]) => !before.has(t));
      expect(niceOf(String(process.pid))).toBe(base);
      expect(started.length).toBeGreaterThanOrEqual(threads);
      if (want === base)
        expect(started.every(([, n]) => n === base)).toBe(true); // no thread reniced
      else expect(started.filter(([, n]) => n === want).length).toBe(threads); // exactly the workers
      await ix.close();
    }
  });

  it('searchThreads is checked: default storage, out of range, not an integer (INVALID_ARGUMENT, nothing created)', async () => {
    const encoder = new FakeEncoder();
    await expect(HybridIndex.create({ encoder, path: fresh(), searchThreads: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(HybridIndex.create({ encoder, searchThreads: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    for (const bad of [-1, 1.5, 257, '2'] as unknown[]) {
      const dir = fresh();
      await expect(HybridIndex.create({ encoder, path: dir, storage: 'segments', searchThreads: bad as number })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(fs.existsSync(dir)).toBe(false);
    }
    const dir = fresh();
    const plain = await HybridIndex.create({ encoder, path: dir, bm25: {} });
    await plain.add(docs(0, 10, 1));
    await plain.save();
    await plain.close();
    await expect(HybridIndex.open(dir, { encoder, searchThreads: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const again = await HybridIndex.open(dir, { encoder }); // the failed open released the writer lock
    expect(again.size).toBe(10);
    await again.close();
  });
});
