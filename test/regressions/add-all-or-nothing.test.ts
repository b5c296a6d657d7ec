// Regression (issue 13 item 3): a rejected add was half-applied. The entry table took the
// document before the stores (and the BM25 analyser) ran, so a throw part-way left a phantom
// document: size counted it, some stores held it, save() persisted it, and with the WAL its
// record was already in the log. Now add/update are all-or-nothing across every store and
// the WAL: checked and analysed first, logged only when they will apply, undone on any throw.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { SparseIndex } from '../../src/sparse/index.js';
import { MultiVectorStore } from '../../src/multivector/index.js';
import { TridentError } from '../../src/errors.js';
import { WAL_FILE } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, referenceFingerprint, rng, type Doc } from '../reliability/corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-aon-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });

/**
 * Everything observable that a rejected call must leave unchanged: sizes, every store's live
 * document count, and every score of every live document in every store, BM25 included
 * (tombstone and garbage counters may move: an undone insert is a tombstone until save).
 */
async function state(index: HybridIndex) {
  const s = index.stats() as Record<string, { docs?: number; size?: number } | number | null>;
  const docs = (k: string) => {
    const v = s[k] as { docs?: number; size?: number } | null;
    return v === null ? null : (v.docs ?? v.size);
  };
  return { size: index.size, entries: s.entries, dense: docs('dense'), sparse: docs('sparse'), mv: docs('multivector'), bm25: docs('bm25'), fp: await fingerprint(index) };
}

/** Makes `method` of `proto` throw on its `nth` call (1-based) where `when(this)` holds. */
function throwOnCall(proto: object, method: string, nth: number, when: (self: unknown) => boolean = () => true) {
  let calls = 0;
  const orig = (proto as Record<string, (...a: unknown[]) => unknown>)[method]!;
  return vi.spyOn(proto as Record<string, (...a: unknown[]) => unknown>, method).mockImplementation(function (this: unknown, ...a: unknown[]) {
    if (when(this) && ++calls === nth) throw new RangeError('injected store failure');
    return orig.apply(this, a);
  });
}

describe('add/update are all-or-nothing across every store and the WAL', () => {
  for (const wal of [true, false]) {
    it(`a store throwing part-way through a batch leaves nothing behind (wal ${wal})`, async () => {
      const p = path.join(dir, 'i');
      const r = rng(5);
      const base = makeDocs(r, 8, 'a');
      const index = await createIndex(p, { wal });
      await index.add(base);
      const before = await state(index);
      const walBytes = wal ? (await fsp.stat(path.join(p, WAL_FILE))).size : 0;
      const batch = makeDocs(r, 3, 'b');
      // the BM25 store fails on the batch (channels take a batch in one addBatch call), after
      // the entry table and the dense, sparse and multi-vector stores took every document
      const spy = throwOnCall(SparseIndex.prototype, 'addBatch', 1, (s) => (s as SparseIndex).scorer === 'bm25');
      await expect(index.add(batch)).rejects.toThrow('injected store failure');
      spy.mockRestore();
      expect(await state(index)).toEqual(before);
      if (wal) expect((await fsp.stat(path.join(p, WAL_FILE))).size).toBe(walBytes); // the record was taken back
      // the index still works: the same batch goes in, save/open and WAL replay agree
      await index.add(batch);
      const want = await referenceFingerprint([...base, ...batch]);
      expect(await fingerprint(index)).toBe(want);
      let last = index;
      if (wal) {
        await index.close(); // no save: the log is replayed (one writer per directory)
        last = await open(p);
        expect(await fingerprint(last)).toBe(want);
      }
      await last.save();
      await last.close();
      const again = await open(p);
      expect(await fingerprint(again)).toBe(want);
      await again.close();
    });
  }

  it('an update whose new version fails in a store keeps the old version whole', async () => {
    const p = path.join(dir, 'i');
    const r = rng(6);
    const base = makeDocs(r, 6, 'a');
    const index = await createIndex(p, { wal: true });
    await index.add(base);
    const before = await state(index);
    const spy = throwOnCall(MultiVectorStore.prototype, 'add', 2);
    await expect(
      index.update([
        { id: 'a1', text: 'river stone new', metadata: { rev: 1 } },
        { id: 'a2', text: 'cloud new', metadata: { rev: 1 } },
      ]),
    ).rejects.toThrow('injected store failure');
    spy.mockRestore();
    expect(await state(index)).toEqual(before);
    await index.close();
    const again = await open(p);
    expect(await fingerprint(again)).toBe(await referenceFingerprint(base));
    await again.close();
  });

  it('an all-zero dense vector is rejected before anything is logged or added (INVALID_VECTOR)', async () => {
    class ZeroFor extends FakeEncoder {
      override async encode(texts: string[]) {
        const out = await super.encode(texts);
        return out.map((o, i) => (texts[i]!.includes('zero') && o.dense ? { ...o, dense: new Float32Array(o.dense.length) } : o));
      }
    }
    const p = path.join(dir, 'i');
    const docs: Doc[] = makeDocs(rng(7), 5, 'a');
    const index = await createIndex(p, { encoder: new ZeroFor(), wal: true });
    await index.add(docs);
    const before = await state(index);
    const walBytes = (await fsp.stat(path.join(p, WAL_FILE))).size;
    await expect(
      index.add([
        { id: 'ok', text: 'alpha beta' },
        { id: 'z', text: 'zero vector' },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_VECTOR' });
    expect(await state(index)).toEqual(before);
    expect((await fsp.stat(path.join(p, WAL_FILE))).size).toBe(walBytes);
    await index.close();
    const again = await HybridIndex.open(p, { encoder: new ZeroFor() });
    expect(again.size).toBe(docs.length);
    await again.close();
  });

  it('a 10 MB single-word text with the english analyser is either added whole or rejected with a typed error and no trace', async () => {
    const p = path.join(dir, 'i');
    const base = makeDocs(rng(8), 4, 'a');
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, wal: true, bm25: { analyzer: 'english' } });
    await index.add(base);
    const before = await state(index);
    const huge = 'a'.repeat(10 * 1024 * 1024);
    const result = await index.add([{ id: 'huge', text: huge }]).then(
      () => 'added',
      (e: unknown) => e,
    );
    if (result === 'added') expect(index.size).toBe(base.length + 1);
    else {
      expect(result).toBeInstanceOf(TridentError);
      expect(await state(index)).toEqual(before);
    }
    // either way every later call works and the index saves and reopens consistently
    await index.add([{ id: 'after', text: 'alpha beta gamma' }]);
    expect((await index.search('alpha', { mode: 'bm25', k: 3 })).length).toBeGreaterThan(0);
    const size = index.size;
    await index.close();
    const replayed = await open(p);
    expect(replayed.size).toBe(size);
    await replayed.save();
    await replayed.close();
    const again = await open(p);
    expect(again.size).toBe(size);
    expect((await again.search('alpha', { mode: 'bm25', k: 3 })).length).toBeGreaterThan(0);
    await again.close();
  }, 120_000);
});
