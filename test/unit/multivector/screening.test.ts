// The int8 screening sidecar of f32 / f16 stores: scores are bit-identical with screening on and
// off (on every ISA of this machine plus 'js'), through appends after the sidecar exists,
// removals, compaction and save/open (the sidecar is rebuilt, never persisted); its bytes are
// reported; a bad option is a typed error; each test uses its own temp directory.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backend, setIsa } from '../../../src/kernels/index.js';
import { SCREEN_STATS } from '../../../src/kernels/screen.js';
import { MultiVectorStore, type MultiVector } from '../../../src/multivector/index.js';
import { rng } from '../dense/data.js';
import { maxsim64, randomDoc, randomDocs } from './data.js';

const DIM = 72;
const isas = [...backend().available, 'js'];
afterAll(() => setIsa('auto'));

/** Documents with near-duplicate tokens (as real ColBERT documents have), so screening must refine. */
function wordyDocs(seed: number, n: number): MultiVector[] {
  const r = rng(seed);
  const words = Array.from({ length: 12 }, () => randomDoc(r, DIM, 1).data);
  return Array.from({ length: n }, () => {
    const count = 5 + Math.floor(r() * 40);
    const data = new Float32Array(count * DIM);
    for (let t = 0; t < count; t++) {
      const w = words[Math.floor(r() * words.length)]!;
      for (let k = 0; k < DIM; k++) data[t * DIM + k] = w[k]! + 0.05 * (r() - 0.5);
    }
    return { data, dim: DIM, count };
  });
}

const docs = [...randomDocs(21, 40, DIM, 30), ...wordyDocs(22, 40)];
const r = rng(23);
const queries = [...Array.from({ length: 4 }, () => randomDoc(r, DIM, 3 + Math.floor(r() * 30))), ...wordyDocs(24, 3)];

function pair(dtype: 'f32' | 'f16'): [MultiVectorStore, MultiVectorStore] {
  const on = MultiVectorStore.create({ dim: DIM, dtype, screening: 'int8' });
  const off = MultiVectorStore.create({ dim: DIM, dtype, screening: 'none' });
  docs.forEach((d, i) => {
    on.add(i, d);
    off.add(i, d);
  });
  return [on, off];
}

function sameScores(a: MultiVectorStore, b: MultiVectorStore, ids: Uint32Array): void {
  for (const q of queries) expect(Array.from(a.score(q, ids))).toEqual(Array.from(b.score(q, ids)));
}

describe.each(['f32', 'f16'] as const)('screening sidecar (%s)', (dtype) => {
  const all = Uint32Array.from(docs.map((_, i) => i));

  it.each(isas)('%s: score, rerank and searchExhaustive are identical with and without it, and match float64', (isa) => {
    setIsa(isa);
    const [on, off] = pair(dtype);
    expect(on.screening).toBe('int8');
    expect(off.screening).toBe('none');
    sameScores(on, off, all);
    for (const q of queries) {
      expect(on.rerank(q, all, 7)).toEqual(off.rerank(q, all, 7));
      expect(on.searchExhaustive(q, 9)).toEqual(off.searchExhaustive(q, 9));
      const got = on.score(q, all);
      all.forEach((id, i) => {
        expect(Math.abs(got[i]! - maxsim64(q, on.get(id)))).toBeLessThan(1e-5);
      });
    }
  });

  it('stays identical after appends, removals and compaction', () => {
    const [on, off] = pair(dtype);
    const more = wordyDocs(25, 20);
    more.forEach((d, i) => {
      on.add(100 + i, d);
      off.add(100 + i, d);
    });
    for (let id = 0; id < 80; id += 3) {
      on.remove(id);
      off.remove(id);
    }
    const live = Uint32Array.from([...Array.from({ length: 80 }, (_, i) => i).filter((i) => i % 3 !== 0), ...more.map((_, i) => 100 + i)]);
    sameScores(on, off, live);
    on.compact();
    off.compact();
    sameScores(on, off, live);
    more.forEach((d, i) => {
      on.add(200 + i, d);
    }); // append after compaction
    more.forEach((d, i) => {
      off.add(200 + i, d);
    });
    sameScores(on, off, Uint32Array.from([...live, ...more.map((_, i) => 200 + i)]));
  });

  it('reports its bytes (dim + 4 × SCREEN_STATS per live vector) apart from the vectors, and allocates nothing when off', () => {
    const [on, off] = pair(dtype);
    const a = on.stats();
    const b = off.stats();
    expect(a.screeningBytes).toBe(a.vectors * (DIM + 4 * SCREEN_STATS));
    expect(b.screeningBytes).toBe(0);
    expect(a.bytes).toBe(b.bytes);
    expect(a.allocatedBytes).toBeGreaterThan(b.allocatedBytes);
    on.remove(1);
    expect(on.stats().screeningBytes).toBe(on.stats().vectors * (DIM + 4 * SCREEN_STATS));
  });

  it('is rebuilt on open (never written to disk), on by request and off by request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trident-mv-screen-'));
    try {
      const [on, off] = pair(dtype);
      await on.saveFiles(dir);
      expect(readdirSync(dir)).toEqual(['multivector.bin']);
      const a = await MultiVectorStore.openFiles(dir, { screening: 'int8' });
      const b = await MultiVectorStore.openFiles(dir, { screening: 'none' });
      expect(a.screening).toBe('int8');
      expect(b.screening).toBe('none');
      expect(a.stats().screeningBytes).toBe(on.stats().screeningBytes);
      sameScores(a, off, all);
      sameScores(b, off, all);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('screening option', () => {
  it('defaults to int8 exactly when the native amx / avx512 kernels are active', () => {
    for (const isa of ['auto', ...backend().available, 'js']) {
      setIsa(isa);
      const want = backend().isa === 'avx512' || backend().isa === 'amx' ? 'int8' : 'none';
      expect(MultiVectorStore.create({ dim: 8, dtype: 'f32' }).screening).toBe(want);
      expect(MultiVectorStore.create({ dim: 8, dtype: 'f16' }).screening).toBe(want);
    }
    setIsa('auto');
  });

  it('is ignored for i8 stores (already int8): nothing allocated', () => {
    const s = MultiVectorStore.create({ dim: 8, dtype: 'i8', screening: 'int8' });
    expect(s.screening).toBe('none');
    s.add(0, randomDoc(rng(1), 8, 5));
    expect(s.stats().screeningBytes).toBe(0);
  });

  it('rejects an unknown value with INVALID_ARGUMENT, at create and at open', async () => {
    expect(() => MultiVectorStore.create({ dim: 8, screening: 'packed' as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await expect(MultiVectorStore.openFiles('/nonexistent-trident-dir', { screening: 'yes' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
