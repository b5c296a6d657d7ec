// SearchPool (worker threads) against the single-thread SegmentedStore as the oracle (itself
// tested against the in-memory stores and brute force in equivalence.test.ts): identical ids,
// scores and order for random queries on 1 and many segments, with deletions and id
// allow / deny lists; generation reload; a worker crash; close.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SearchPool, SegmentedStore } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';
import { makeDocs, multiVec, sparseVec, type Doc } from './corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-pool-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;

async function build(docs: Doc[], segments: number, scorer: 'bm25' | 'dot', deleted: Set<number>): Promise<string> {
  const dir = path.join(tmp, `s${dirs++}`);
  const store = await SegmentedStore.create(dir, { sparse: { scorer, k1: 0.9, b: 0.4 }, multivector: { dim: 16, dtype: 'i8' } });
  const per = Math.ceil(docs.length / segments);
  const order = [...docs].sort((a, b) => ((a.id * 7919) % 101) - ((b.id * 7919) % 101) || a.id - b.id);
  for (let s = 0; s < segments; s++) {
    for (const d of order.slice(s * per, (s + 1) * per)) store.add(d.id, { sparse: d.sparse, multivector: d.multivector });
    await store.commit({ merge: false });
  }
  for (const id of deleted) expect(store.delete(id)).toBe(true);
  await store.commit({ merge: false });
  expect(store.segments.length).toBe(segments);
  store.close();
  return dir;
}

function same(got: { ids: Uint32Array; scores: Float32Array }, want: { ids: Uint32Array; scores: Float32Array }): void {
  expect(Array.from(got.ids)).toEqual(Array.from(want.ids));
  expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
}

function bitmap(ids: number[]): Uint8Array {
  const b = new Uint8Array((Math.max(0, ...ids) >> 3) + 1);
  for (const id of ids) b[id >> 3]! |= 1 << (id & 7);
  return b;
}

describe.each([
  ['bm25', 1, 2],
  ['bm25', 7, 3],
  ['dot', 7, 2],
  ['bm25', 5, 1],
] as const)('%s, %i segment(s), %i thread(s)', (scorer, segments, threads) => {
  const docs = makeDocs(500, 20 + segments + threads);
  const r = rng(7 + segments);
  const deleted = new Set(docs.filter(() => r() < 0.15).map((d) => d.id));
  const liveIds = docs.filter((d) => !deleted.has(d.id)).map((d) => d.id);

  it('returns the store’s exact results for random queries, filters and re-ranks', async () => {
    const dir = await build(docs, segments, scorer, deleted);
    const store = await SegmentedStore.open(dir);
    const pool = await SearchPool.create(dir, { threads, watch: false });
    try {
      expect(pool.threads).toBe(threads);
      expect(pool.generation).toBe(store.generation);
      for (let t = 0; t < 12; t++) {
        const q = sparseVec(r, 300, 1 + Math.floor(r() * 6));
        const k = [1, 5, 10, 50, 1000][t % 5]!;
        same(await pool.searchSparse(q, k), store.searchSparse(q, k));
        same(await pool.searchSparse(q, k, { exhaustive: true }), store.searchSparse(q, k, { exhaustive: true }));
        const allow = liveIds.filter(() => r() < 0.3);
        const deny = liveIds.filter(() => r() < 0.3);
        const inAllow = new Set(allow);
        const inDeny = new Set(deny);
        const shuffled = Uint32Array.from([...allow].reverse());
        same(await pool.searchSparse(q, k, { filter: { allow: shuffled } }), store.searchSparse(q, k, { filter: (id) => inAllow.has(id) }));
        same(await pool.searchSparse(q, k, { filter: { deny: bitmap(deny) } }), store.searchSparse(q, k, { filter: (id) => !inDeny.has(id) }));
        same(await pool.searchSparse(q, k, { filter: { allow: bitmap(allow), deny: Uint32Array.from(deny) } }), store.searchSparse(q, k, { filter: (id) => inAllow.has(id) && !inDeny.has(id) }));
        const mq = multiVec(r, 16, 1 + Math.floor(r() * 5));
        same(await pool.searchMultiVector(mq, k), store.searchMultiVector(mq, k));
        same(await pool.searchMultiVector(mq, k, { filter: { allow: Uint32Array.from(allow) } }), store.searchMultiVector(mq, k, { filter: (id) => inAllow.has(id) }));
        const cand = liveIds.filter(() => r() < 0.1);
        expect(Array.from(await pool.scoreMultiVector(mq, cand))).toEqual(Array.from(store.scoreMultiVector(mq, cand)));
      }
      // concurrent searches give the same answers as one at a time
      const qs = Array.from({ length: 16 }, () => sparseVec(r, 300, 3));
      const got = await Promise.all(qs.map((q) => pool.searchSparse(q, 10)));
      for (const [i, g] of got.entries()) same(g, store.searchSparse(qs[i]!, 10));
      // a deleted id is not live in the committed generation
      const gone = [...deleted][0]!;
      await expect(pool.scoreMultiVector(multiVec(r, 16, 2), [gone])).rejects.toMatchObject({ code: 'UNKNOWN_ID' });
    } finally {
      await pool.close();
      store.close();
    }
  });
});

describe('SearchPool lifecycle', () => {
  it('refuses bad arguments with typed errors', async () => {
    const dir = await build(makeDocs(60, 3), 2, 'bm25', new Set());
    const pool = await SearchPool.create(dir, { threads: 1, watch: false });
    try {
      const q = { ids: Uint32Array.of(1), weights: Float32Array.of(1) };
      await expect(pool.searchSparse(q, 10, { filter: ((id: number) => id > 0) as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(pool.searchSparse(q, 10, { filter: { allow: [1, 2] as never } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(pool.searchSparse(q, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(pool.searchSparse({ ids: Uint32Array.of(2, 1), weights: Float32Array.of(1, 1) }, 3)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      await expect(pool.searchMultiVector({ data: new Float32Array(8), dim: 8, count: 1 }, 3)).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
      await expect(pool.scoreMultiVector({ data: new Float32Array(16).fill(1), dim: 16, count: 1 }, [-1])).rejects.toMatchObject({ code: 'UNKNOWN_ID' });
    } finally {
      await pool.close();
    }
    await expect(SearchPool.create(dir, { threads: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(SearchPool.create(path.join(tmp, 'none'), { threads: 1 })).rejects.toMatchObject({ name: 'StorageError' });
  });

  it('reloads a new generation; a search in flight finishes on its own', async () => {
    const docs = makeDocs(400, 9);
    const dir = await build(docs.slice(0, 200), 3, 'bm25', new Set());
    const store = await SegmentedStore.open(dir);
    const pool = await SearchPool.create(dir, { threads: 2, watch: false });
    const r = rng(3);
    try {
      const q = sparseVec(r, 300, 4);
      const mq = multiVec(r, 16, 3);
      const before = store.searchSparse(q, 20);
      const beforeMv = store.searchMultiVector(mq, 20);
      const gen0 = pool.generation;
      const inflight = [pool.searchSparse(q, 20), pool.searchMultiVector(mq, 20)];
      for (const d of docs.slice(200)) store.add(d.id, { sparse: d.sparse, multivector: d.multivector });
      for (const d of docs.slice(0, 30)) store.delete(d.id);
      await store.commit(); // may merge: old segment files are removed
      const gen1 = await pool.reload();
      expect(gen1).toBe(store.generation);
      expect(gen1).toBeGreaterThan(gen0);
      const [a, b] = await Promise.all(inflight);
      same(a!, before);
      same(b!, beforeMv);
      for (let t = 0; t < 5; t++) {
        const q2 = sparseVec(r, 300, 4);
        same(await pool.searchSparse(q2, 15), store.searchSparse(q2, 15));
        same(await pool.searchMultiVector(mq, 15), store.searchMultiVector(mq, 15));
      }
      // watch: a commit is picked up without reload()
      const watched = await SearchPool.create(dir, { threads: 1 });
      try {
        for (const d of docs.slice(30, 60)) store.delete(d.id);
        await store.commit();
        for (let i = 0; i < 200 && watched.generation !== store.generation; i++) await new Promise((res) => setTimeout(res, 25));
        expect(watched.generation).toBe(store.generation);
        same(await watched.searchSparse(q, 20), store.searchSparse(q, 20));
      } finally {
        await watched.close();
      }
    } finally {
      await pool.close();
      store.close();
    }
  });

  it('a worker that dies rejects its search with WORKER_FAILED, then is replaced', async () => {
    const dir = await build(makeDocs(200, 4), 3, 'bm25', new Set());
    const store = await SegmentedStore.open(dir);
    const pool = await SearchPool.create(dir, { threads: 1, watch: false });
    try {
      const q = { ids: Uint32Array.of(1, 2, 3), weights: Float32Array.of(1, 1, 1) };
      pool.crashWorkerForTest(0);
      await expect(pool.searchSparse(q, 10)).rejects.toMatchObject({ code: 'WORKER_FAILED', name: 'StorageError' });
      let got: Awaited<ReturnType<SearchPool['searchSparse']>> | null = null;
      for (let i = 0; i < 100 && got === null; i++) got = await pool.searchSparse(q, 10).catch(() => null);
      same(got!, store.searchSparse(q, 10));
    } finally {
      await pool.close();
      store.close();
    }
  });

  it('close rejects searches in flight and later calls with INDEX_CLOSED; idempotent', async () => {
    const dir = await build(makeDocs(200, 5), 2, 'dot', new Set());
    const pool = await SearchPool.create(dir, { threads: 2, watch: false });
    const q = { ids: Uint32Array.of(1, 2), weights: Float32Array.of(1, 1) };
    const inflight = expect(pool.searchSparse(q, 10)).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
    await pool.close();
    await pool.close();
    await inflight;
    await expect(pool.searchSparse(q, 10)).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
    await expect(pool.searchMultiVector({ data: new Float32Array(16).fill(1), dim: 16, count: 1 }, 3)).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
    await expect(pool.reload()).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
  });
});

// The published package: the worker entry is dist/segments/search-worker.js, loaded without
// tsx. Runs when `npm run build` has emitted dist/ (a stale or broken build fails here).
const distPool = path.join(import.meta.dirname, '../../../dist/segments/index.js');
describe.skipIf(!fs.existsSync(distPool))('SearchPool from the built package (dist/)', () => {
  it('starts its workers from dist/ and answers like the store', async () => {
    const dir = await build(makeDocs(150, 6), 3, 'bm25', new Set());
    const script = `
      const { SearchPool, SegmentedStore } = await import(${JSON.stringify(pathToFileURL(distPool).href)});
      const store = await SegmentedStore.open(${JSON.stringify(dir)});
      const pool = await SearchPool.create(${JSON.stringify(dir)}, { threads: 2, watch: false });
      const q = { ids: Uint32Array.of(1, 5, 9), weights: Float32Array.of(1, 2, 1) };
      const a = await pool.searchSparse(q, 10), b = store.searchSparse(q, 10);
      console.log(JSON.stringify({ a: [...a.ids, ...a.scores], b: [...b.ids, ...b.scores] }));
      await pool.close(); store.close();`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const { a, b } = JSON.parse(out) as { a: number[]; b: number[] };
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });
});
