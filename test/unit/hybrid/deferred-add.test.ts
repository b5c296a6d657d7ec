// add() with BM25's batch analysis deferred to a worker thread (it runs while the change is
// logged; the writer awaits it before applying): the index ends exactly as one fed document by
// document (per-unit analysis, no deferral), its log replays to the same index, and a deferred
// analysis that fails rejects the call with nothing applied and nothing left in the log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Bm25Channel } from '../../../src/channels/bm25-channel.js';
import { HybridIndex } from '../../../src/index.js';
import type { HybridEncoder } from '../../../src/hybrid/types.js';

const encoder: HybridEncoder = {
  info: { id: 'none', dim: 4, maxLength: 8, heads: { dense: true, sparse: false, multivector: false } },
  encode: async (texts) => texts.map(() => ({ dense: Float32Array.of(0.5, 0.5, 0.5, 0.5) })),
};

const WORDS = ['running', 'cats', 'dogs', 'atlas', 'ocean', 'proteins', 'cells', 'the', 'and', 'of', 'mice', 'gene', 'expression', 'rapid', 'growth', "o'brien's", '1.5mg', 'naïve', 'café', 'Über'];
const docs = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 5 + (i % 17) }, (_, j) => WORDS[(i * 7 + j * j * 3) % WORDS.length]).join(' ') }));
const queries = ['running cats', 'gene expression of mice', 'ocean atlas', 'café naïve', 'rapid growth proteins'];

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'trident-deferred-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function answers(index: HybridIndex) {
  const out: Array<Array<[unknown, number]>> = [];
  for (const q of queries) out.push((await index.search(q, { mode: 'bm25', k: 20 })).map((h) => [h.id, h.score]));
  return out;
}

const bm25Only = { encoder, dense: false, sparse: false, multivector: false, bm25: { analyzer: 'english' } } as const;

describe('add() with deferred BM25 analysis', () => {
  it('ends as an index fed document by document, and its log replays to the same index', async () => {
    const dir = tmp();
    const batched = await HybridIndex.create({ ...bm25Only, path: dir });
    const spy = vi.spyOn(Bm25Channel.prototype, 'prepareBatchDeferred');
    await batched.add(docs);
    expect(spy).toHaveBeenCalled();
    const single = await HybridIndex.create({ ...bm25Only, wal: false });
    for (const d of docs) await single.add([d]);
    const want = await answers(single);
    expect(want.flat().length).toBeGreaterThan(20);
    expect(await answers(batched)).toEqual(want);
    // no save: the documents live in the log only
    await batched.close();
    const reopened = await HybridIndex.open(dir, { encoder });
    expect(reopened.size).toBe(docs.length);
    expect(await answers(reopened)).toEqual(want);
    await reopened.close();
    await single.close();
  });

  it('a deferred analysis that fails rejects the call; nothing is applied or logged, and the next add works', async () => {
    const dir = tmp();
    const index = await HybridIndex.create({ ...bm25Only, path: dir });
    await index.add(docs.slice(0, 10));
    const before = await answers(index);
    const real = Bm25Channel.prototype.prepareBatchDeferred;
    const boom = new Error('analysis failed');
    vi.spyOn(Bm25Channel.prototype, 'prepareBatchDeferred').mockImplementation(function (this: Bm25Channel, units) {
      const r = real.call(this, units);
      return { values: r.values, ready: r.ready.then(() => Promise.reject(boom)) };
    });
    await expect(index.add(docs.slice(10, 40))).rejects.toBe(boom);
    expect(index.size).toBe(10);
    expect(await answers(index)).toEqual(before);
    vi.restoreAllMocks();
    await index.add(docs.slice(40, 50));
    expect(index.size).toBe(20);
    const after = await answers(index);
    await index.close();
    const reopened = await HybridIndex.open(dir, { encoder });
    expect(reopened.size).toBe(20);
    expect(await reopened.get(['d15'])).toEqual([null]);
    expect(await answers(reopened)).toEqual(after);
    await reopened.close();
  });
});
