// Options objects refuse unknown keys (naming the closest valid one) and fusion options are a
// discriminated union at run time; RRF fuses with equal weights (oracle: ranks from scratch).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { InvalidArgumentError, TridentError } from '../../../src/errors.js';
import { checkOptions, closestKey } from '../../../src/options.js';
import { fuse } from '../../../src/fusion/index.js';
import { DenseIndex } from '../../../src/dense/index.js';
import { SparseIndex } from '../../../src/sparse/index.js';
import { MultiVectorStore } from '../../../src/multivector/index.js';
import { loadEncoder } from '../../../src/encode/index.js';
import { loadFamilyEncoder } from '../../../src/encode/index.js';
import { FakeEncoder, fakeEncode, FAKE_DIM } from '../../helpers/fake-encoder.js';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');
function makeDocs(n: number, seed = 7) {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: 4 + Math.floor(r() * 12) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' '),
    metadata: { n: i },
  }));
}

/** Rejection → the thrown error (fails the test if the promise resolves). */
async function rejection(p: Promise<unknown> | (() => unknown)): Promise<TridentError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(TridentError);
    return e as TridentError;
  }
  throw new Error('expected a rejection');
}

async function expectUnknownKey(p: Promise<unknown> | (() => unknown), key: string, suggestion: string): Promise<void> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  expect(e.code).toBe('INVALID_ARGUMENT');
  expect(e.message).toContain(`unknown option '${key}'`);
  expect(e.message).toContain(`did you mean '${suggestion}'?`);
}

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-api-options-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('checkOptions / closestKey', () => {
  it('maps other libraries’ spellings and typos to the closest valid key', () => {
    const keys = ['k', 'mode', 'fusion', 'candidates', 'filter', 'explain', 'includeText', 'signal'];
    expect(closestKey('limit', keys)).toBe('k');
    expect(closestKey('topK', keys)).toBe('k');
    expect(closestKey('top_k', keys)).toBe('k');
    expect(closestKey('fliter', keys)).toBe('filter');
    expect(closestKey('where', keys)).toBe('filter');
    expect(closestKey('withText', keys)).toBe('includeText');
    expect(closestKey('Mode', keys)).toBe('mode');
    expect(closestKey('explian', keys)).toBe('explain');
  });
  it('accepts undefined and known keys; refuses non-objects and unknown keys with the valid list', () => {
    expect(() => checkOptions('x', undefined, { a: true })).not.toThrow();
    expect(() => checkOptions('x', { a: 1 }, { a: true })).not.toThrow();
    expect(() => checkOptions('x', 3, { a: true })).toThrow(InvalidArgumentError);
    expect(() => checkOptions('x', [], { a: true })).toThrow(/must be an object, got an array/);
    expect(() => checkOptions('x', { b: 1 }, { a: true, c: true })).toThrow(/unknown option 'b'; did you mean 'a'\? \(valid: a, c\)/);
  });
});

describe('unknown keys in every public options object', () => {
  it('search: limit / topK are refused with "did you mean k?" (they used to be ignored)', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder() });
    await index.add(makeDocs(30));
    await expectUnknownKey(index.search('alpha', { limit: 3 } as never), 'limit', 'k');
    await expectUnknownKey(index.search('alpha', { topK: 3 } as never), 'topK', 'k');
    await expectUnknownKey(index.search('alpha', { k: 3, rerank: { model: { rerank: async () => [] } as never, top: 5 } } as never), 'top', 'topN');
    expect(await index.search('alpha', { k: 3 })).toHaveLength(3);
    await index.close();
  });

  it('create (top level and nested store settings), open, add, update, save and calibrate', async () => {
    const encoder = new FakeEncoder();
    await expectUnknownKey(HybridIndex.create({ encoder, paht: dir } as never), 'paht', 'path');
    await expectUnknownKey(HybridIndex.create({ encoder, dense: { dtyp: 'f32' } } as never), 'dtyp', 'dtype');
    await expectUnknownKey(HybridIndex.create({ encoder, multivector: { pool: 2 } } as never), 'pool', 'poolFactor');
    await expectUnknownKey(HybridIndex.create({ encoder, bm25: { analyser: 'english' } } as never), 'analyser', 'analyzer');
    const e = await rejection(HybridIndex.create({ encoder, sparse: { scorer: 'dot' } } as never));
    expect(e.message).toContain("unknown option 'scorer'");
    const index = await HybridIndex.create({ encoder, path: dir });
    const docs = makeDocs(10);
    await expectUnknownKey(index.add(docs, { batch: 4 } as never), 'batch', 'batchSize');
    await expectUnknownKey(index.add(docs, { chunking: { kind: 'ordinary', by: 'sentence', sise: 2 } } as never), 'sise', 'size');
    expect(index.size).toBe(0); // a rejected call changes nothing
    await index.add(docs);
    await expectUnknownKey(index.update(docs, { progress: () => {} } as never), 'progress', 'onProgress');
    await expectUnknownKey(index.save({ path: dir } as never), 'path', 'dir');
    await expectUnknownKey(index.calibrate([{ query: 'alpha', relevant: ['d0'] }], { topK: 5 } as never), 'topK', 'k');
    await index.save();
    await index.close();
    await expectUnknownKey(HybridIndex.open(dir, { encoder, readonly: true } as never), 'readonly', 'readOnly');
  });

  it('store constructors, store searches and loadEncoder', async () => {
    await expectUnknownKey(() => DenseIndex.create({ dimensions: 4, metric: 'cos' } as never), 'metric', 'dtype');
    await expectUnknownKey(() => SparseIndex.create({ scorer: 'bm25', k: 1.2 } as never), 'k', 'k1');
    await expectUnknownKey(() => MultiVectorStore.create({ dim: 4, dtyp: 'f32' } as never), 'dtyp', 'dtype');
    const d = DenseIndex.create({ dimensions: 4 });
    d.add(0, Float32Array.from([1, 0, 0, 0]));
    await expectUnknownKey(() => d.search(Float32Array.from([1, 0, 0, 0]), 1, { exhaustive: true } as never), 'exhaustive', 'exact');
    const s = SparseIndex.create();
    await expectUnknownKey(() => s.search({ ids: Uint32Array.of(1), weights: Float32Array.of(1) }, 1, { exact: true } as never), 'exact', 'exhaustive');
    await expectUnknownKey(loadEncoder('builtin:static-en', { cache: '/tmp' } as never), 'cache', 'cacheDir');
    await expectUnknownKey(loadEncoder('builtin:static-en', { heads: { colbert: false } } as never), 'colbert', 'dense');
    await expectUnknownKey(loadFamilyEncoder('acme/none', { presets: 'e5' } as never), 'presets', 'preset');
  });
});

describe('fusion options: a discriminated union on kind', () => {
  it("{ kind: 'rrf', weights } is refused by search, create and fuse(); rrfK without rrf too", async () => {
    const encoder = new FakeEncoder();
    const index = await HybridIndex.create({ encoder });
    await index.add(makeDocs(20));
    const rrfW = { kind: 'rrf', weights: [1, 0.3, 1] } as never;
    for (const p of [index.search('alpha', { fusion: rrfW }), HybridIndex.create({ encoder, fusion: rrfW }), Promise.resolve().then(() => fuse([[1, 2], [2, 1], null], rrfW))]) {
      const e = await rejection(p);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.message).toMatch(/RRF .* takes no 'weights'/);
    }
    expect((await rejection(index.search('alpha', { fusion: { kind: 'weighted', rrfK: 10 } as never }))).message).toMatch(/rrfK .* needs kind 'rrf'/);
    expect((await rejection(index.search('alpha', { fusion: { kind: 'sum' } as never }))).message).toMatch(/unknown fusion kind 'sum'/);
    await expectUnknownKey(index.search('alpha', { fusion: { kind: 'dbsf', weight: [1, 1, 1] } as never }), 'weight', 'weights');
    // a weights-only setting on an index whose default is RRF is refused too
    const rrfIndex = await HybridIndex.create({ encoder, fusion: { kind: 'rrf' } });
    await rrfIndex.add(makeDocs(5));
    expect((await rejection(rrfIndex.search('alpha', { fusion: { weights: [1, 0, 1] } }))).message).toMatch(/fuses with RRF/);
    // calibrate() on an RRF index fits weighted fusion and keeps it only if it does better
    const report = await rrfIndex.calibrate([
      { query: 'alpha beta', relevant: ['d0'] },
      { query: 'gamma', relevant: ['d3'] },
    ]);
    expect(report.before.kind).toBe('rrf');
    expect(report.after.ndcg).toBeGreaterThanOrEqual(report.before.ndcg);
    expect(rrfIndex.config.fusion.kind).toBe(report.after.kind);
    if (report.after.kind === 'weighted') expect(rrfIndex.config.fusion.weights).toEqual(report.after.weights);
    await index.close();
    await rrfIndex.close();
  });

  it('RRF fuses the three lists with equal weights (oracle: 1-based ranks from scratch)', async () => {
    const docs = makeDocs(40);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), dense: { dtype: 'f32' }, multivector: { dtype: 'f32' } });
    await index.add(docs);
    const query = 'beta gamma kappa';
    const q = fakeEncode(query);
    const cols = docs.map((d) => {
      const e = fakeEncode(d.text);
      let dense = 0;
      for (let i = 0; i < FAKE_DIM; i++) dense += q.dense[i]! * e.dense[i]!;
      let sparse = 0;
      q.sparse.ids.forEach((id, i) => {
        const j = Array.from(e.sparse.ids).indexOf(id);
        if (j >= 0) sparse += q.sparse.weights[i]! * e.sparse.weights[j]!;
      });
      let mv = 0;
      for (let a = 0; a < q.multivector.count; a++) {
        let best = -Infinity;
        for (let b = 0; b < e.multivector.count; b++) {
          let s = 0;
          for (let i = 0; i < FAKE_DIM; i++) s += q.multivector.data[a * FAKE_DIM + i]! * e.multivector.data[b * FAKE_DIM + i]!;
          best = Math.max(best, s);
        }
        mv += best;
      }
      return [dense, sparse, mv / q.multivector.count];
    });
    const rrf = new Array(docs.length).fill(0);
    for (let c = 0; c < 3; c++) {
      const order = docs.map((_, i) => i).sort((a, b) => cols[b]![c]! - cols[a]![c]! || a - b);
      order.forEach((doc, r) => {
        rrf[doc] += 1 / (60 + r + 1);
      });
    }
    const expected = docs.map((d, i) => ({ id: d.id, s: rrf[i] as number })).sort((a, b) => b.s - a.s);
    const hits = await index.search(query, { k: 10, exhaustive: true, fusion: { kind: 'rrf' } });
    hits.forEach((h, i) => {
      expect(h.score).toBeCloseTo(expected[i]!.s, 6);
    });
    // the weights of the index (here [1, 0.3, 1]) play no part
    const hits2 = await index.search(query, { k: 10, exhaustive: true, fusion: { kind: 'rrf', rrfK: 60 } });
    expect(hits2.map((h) => h.score)).toEqual(hits.map((h) => h.score));
    await index.close();
  });
});
