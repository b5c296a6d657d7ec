// Bad input: one test per row of the README table "input → what trident does". Each row
// asserts the defined result or the typed error code, and for a rejected call that the index
// is unchanged (in memory: every document's scores and metadata; on disk: every byte).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../src/hybrid/index.js';
import { InvalidArgumentError, ModelError, StorageError, type TridentError } from '../../src/errors.js';
import { crc32 } from '../../src/store/index.js';
import { loadEncoder, type Encoder } from '../../src/encode/index.js';
import { FakeEncoder, fakeEncode, FAKE_DIM } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, referenceFingerprint, rng, type Doc } from './corpus.js';
import { snapshot } from './disk.js';

const MODEL = fileURLToPath(new URL('../fixtures/models/tiny-m3', import.meta.url));

let dir: string;
let idxDir: string;
let index: HybridIndex;
let docs: Doc[];
let tiny: Encoder;
let real: HybridIndex;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-bad-'));
  idxDir = path.join(dir, 'index');
  index = await createIndex(idxDir);
  docs = makeDocs(rng(3), 20, 'd');
  await index.add(docs);
  await index.save();
  tiny = await loadEncoder(MODEL);
  real = await HybridIndex.create({ encoder: tiny, bm25: { analyzer: 'auto' } });
  await real.add([{ id: 'base', text: 'Hybrid retrieval fuses dense, sparse and multi-vector scores.' }]);
});
afterAll(async () => {
  await index.close();
  await real.close();
  await tiny.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Runs `call`, expects a TridentError with `code`, and checks that nothing changed. */
async function rejectsUnchanged(i: HybridIndex, call: () => Promise<unknown>, code: string, cls: typeof TridentError = InvalidArgumentError): Promise<TridentError> {
  const fp = await fingerprint(i);
  const disk = i === index ? await snapshot(idxDir) : null;
  const err = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(cls);
  expect((err as TridentError).code).toBe(code);
  expect((err as Error).message.length).toBeGreaterThan(30);
  expect(await fingerprint(i)).toBe(fp);
  if (disk) expect(await snapshot(idxDir)).toEqual(disk);
  return err as TridentError;
}

/** Adds one document to the real-model index and checks it is stored, searchable and deletable. */
async function acceptsText(id: string, text: string) {
  const before = real.size;
  const r = await real.add([{ id, text }]);
  expect(r.added).toBe(1);
  expect(real.size).toBe(before + 1);
  const hits = await real.search(text, { k: real.size, exhaustive: true });
  expect(hits.map((h) => h.id)).toContain(id);
  for (const h of hits) for (const v of Object.values(h.scores)) expect(Number.isFinite(v)).toBe(true);
  return r;
}

describe('bad input → defined result or typed error (README table)', () => {
  it('empty text: stored (CLS/SEP only), searchable, scores finite', async () => {
    await acceptsText('empty', '');
  });
  it('whitespace-only text: stored like an empty text', async () => {
    await acceptsText('ws', ' \n\t  \u3000 ');
  });
  it('megabyte-long text: stored, truncated to the model max length and reported', async () => {
    const r = await acceptsText('mb', 'retrieval '.repeat(105_000));
    expect(r.truncated).toBe(1);
  });
  it('lone surrogates: stored (replaced by U+FFFD by the tokenizer), searchable', async () => {
    await acceptsText('lone', 'abc \uD800 def \uDC00 ghi');
    const hits = await real.search('\uDFFF', { k: 3 });
    expect(hits.length).toBeGreaterThan(0);
  });
  it('NUL bytes: stored, searchable', async () => {
    await acceptsText('nul', 'a\u0000b \u0000 c');
  });
  it('emoji and mixed scripts: stored, searchable, BM25 finds the script', async () => {
    await acceptsText('mixed', '🚀 Hybrid 検索 поиск بحث 👨‍👩‍👧 검색');
    const hits = await real.search('поиск', { k: 1, mode: 'bm25' });
    expect(hits[0]?.id).toBe('mixed');
  });
  it('non-string text or query → INVALID_TEXT', async () => {
    await rejectsUnchanged(index, () => index.add([{ id: 'x', text: 42 as unknown as string }]), 'INVALID_TEXT');
    await rejectsUnchanged(index, () => index.search(null as unknown as string), 'INVALID_TEXT');
  });
  it('invalid ids (empty string, NaN, object) → INVALID_ARGUMENT', async () => {
    for (const id of ['', NaN, Infinity, { a: 1 }, null]) {
      await rejectsUnchanged(index, () => index.add([{ id: id as unknown as string, text: 'hello' }]), 'INVALID_ARGUMENT');
    }
  });
  it('duplicate id in the index or twice in one batch → DUPLICATE_ID, nothing added', async () => {
    await rejectsUnchanged(
      index,
      () =>
        index.add([
          { id: 'new-1', text: 'fresh' },
          { id: docs[0]!.id, text: 'again' },
        ]),
      'DUPLICATE_ID',
    );
    await rejectsUnchanged(
      index,
      () =>
        index.add([
          { id: 'n', text: 'one' },
          { id: 'n', text: 'two' },
        ]),
      'DUPLICATE_ID',
    );
    await rejectsUnchanged(
      index,
      () =>
        index.update([
          { id: 'u', text: 'one' },
          { id: 'u', text: 'two' },
        ]),
      'DUPLICATE_ID',
    );
    // '1' and 1 are different ids
    await index.add([
      { id: 1, text: 'number one' },
      { id: '1', text: 'string one' },
    ]);
    expect((await index.delete([1, '1'])).deleted).toBe(2);
  });
  it('deleting unknown ids: ignored and counted, nothing changes', async () => {
    const fp = await fingerprint(index);
    expect(await index.delete(['nope', 12345, `${docs[0]!.id}x`])).toEqual({ deleted: 0, unknown: 3 });
    expect(await fingerprint(index)).toBe(fp);
    await expect(index.delete('d1' as unknown as string[])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await fingerprint(index)).toBe(fp);
  });
  it('wrong dimensions (pre-encoded query, or an encoder returning short vectors) → DIMENSION_MISMATCH, nothing added', async () => {
    await rejectsUnchanged(index, () => index.search('q', { encoded: { dense: new Float32Array(FAKE_DIM - 3).fill(0.1) } }), 'DIMENSION_MISMATCH');
    const fake = new FakeEncoder();
    const bad = { info: fake.info, encode: async (t: string[]) => (await fake.encode(t)).map((e, i) => (i === 1 ? { ...e, dense: new Float32Array(FAKE_DIM >> 1).fill(0.1) } : e)) };
    const i2 = await HybridIndex.create({ encoder: bad, dense: { dtype: 'f32' } });
    await i2.add([{ id: 'ok', text: 'fine' }]);
    await rejectsUnchanged(
      i2,
      () =>
        i2.add([
          { id: 1, text: 'a b' },
          { id: 2, text: 'c d' },
          { id: 3, text: 'e f' },
        ]),
      'DIMENSION_MISMATCH',
    );
    expect(i2.size).toBe(1);
    await i2.close();
  });
  it('NaN / Infinity in vectors → INVALID_VECTOR, nothing added', async () => {
    const nanDense = new Float32Array(FAKE_DIM).fill(NaN);
    await rejectsUnchanged(index, () => index.search('q', { encoded: { dense: nanDense } }), 'INVALID_VECTOR');
    const q = fakeEncode('alpha');
    await rejectsUnchanged(index, () => index.search('q', { mode: 'sparse', encoded: { sparse: { ids: q.sparse.ids, weights: q.sparse.weights.map(() => Infinity) } } }), 'INVALID_VECTOR');
    const fake = new FakeEncoder();
    for (const field of ['dense', 'sparse', 'multivector'] as const) {
      const bad = {
        info: fake.info,
        encode: async (t: string[]) =>
          (await fake.encode(t)).map((e, i) => {
            if (i !== 1) return e;
            if (field === 'dense') return { ...e, dense: e.dense!.map(() => NaN) };
            if (field === 'sparse') return { ...e, sparse: { ids: e.sparse!.ids, weights: e.sparse!.weights.map(() => Infinity) } };
            return { ...e, multivector: { ...e.multivector!, data: e.multivector!.data.map(() => NaN) } };
          }),
      };
      const i2 = await HybridIndex.create({ encoder: bad, dense: { dtype: 'f32' }, multivector: { dtype: 'f32' } });
      await rejectsUnchanged(
        i2,
        () =>
          i2.add([
            { id: 1, text: 'a b' },
            { id: 2, text: 'c d' },
            { id: 3, text: 'e f' },
          ]),
        'INVALID_VECTOR',
      );
      expect(i2.size).toBe(0);
      await i2.close();
    }
  });
  it('k ≤ 0, fractional or NaN → INVALID_ARGUMENT', async () => {
    for (const k of [0, -1, 2.5, NaN, Infinity]) await rejectsUnchanged(index, () => index.search('alpha', { k }), 'INVALID_ARGUMENT');
  });
  it('huge k: every live document, ranked (no allocation of k slots)', async () => {
    const all = await index.search('alpha', { k: Number.MAX_SAFE_INTEGER });
    expect(all).toHaveLength(index.size);
    const exhaustive = await index.search('alpha', { k: index.size, exhaustive: true });
    expect(all.map((h) => h.id)).toEqual(exhaustive.map((h) => h.id));
  });
  it('unknown search mode → INVALID_ARGUMENT', async () => {
    await rejectsUnchanged(index, () => index.search('alpha', { mode: 'magic' as never }), 'INVALID_ARGUMENT');
  });
  it('model directory with a missing file → MODEL_NOT_FOUND naming it', async () => {
    const m = path.join(dir, 'model-missing');
    await fsp.cp(MODEL, m, { recursive: true });
    await fsp.rm(path.join(m, 'tokenizer.json'));
    const err = await loadEncoder(m).then(
      async (e) => {
        await e.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('MODEL_NOT_FOUND');
    expect((err as Error).message).toContain('tokenizer.json');
  });
  it('model directory with a corrupt file → MODEL_INVALID', async () => {
    const m = path.join(dir, 'model-corrupt');
    await fsp.cp(MODEL, m, { recursive: true });
    const g = path.join(m, 'onnx', 'model.onnx');
    const bytes = await fsp.readFile(g);
    await fsp.writeFile(g, bytes.subarray(0, bytes.length >> 1));
    const err = await loadEncoder(m).then(
      async (e) => {
        await e.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('MODEL_INVALID');
  });
  it('index opened with a different encoder (other id, or same id with another dimension) → ENCODER_MISMATCH', async () => {
    // (read-only: `index` holds the directory's writer lock)
    await expect(HybridIndex.open(idxDir, { encoder: new FakeEncoder('another-model'), readOnly: true })).rejects.toMatchObject({ code: 'ENCODER_MISMATCH' });
    const same = new FakeEncoder();
    const widened = { info: { ...same.info, dim: FAKE_DIM * 2 }, encode: same.encode.bind(same) };
    await expect(HybridIndex.open(idxDir, { encoder: widened, readOnly: true })).rejects.toMatchObject({ code: 'ENCODER_MISMATCH' });
  });
  it('a newer format version → FORMAT_VERSION_UNSUPPORTED; a newer writer that old readers may read → opens', async () => {
    const copy = path.join(dir, 'newer');
    await fsp.cp(idxDir, copy, { recursive: true });
    const mp = path.join(copy, 'manifest.json');
    const raw = JSON.parse(await fsp.readFile(mp, 'utf8')) as Record<string, unknown>;
    delete raw.checksum;
    const write = async (formatVersion: number, minReaderVersion: number) => {
      const m = { ...raw, formatVersion, minReaderVersion };
      await fsp.writeFile(mp, JSON.stringify({ ...m, checksum: crc32(new TextEncoder().encode(JSON.stringify(m))) }, null, 2));
    };
    await write(2, 2);
    const err = await HybridIndex.open(copy, { encoder: new FakeEncoder() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('FORMAT_VERSION_UNSUPPORTED');
    expect((err as StorageError).file).toBe('manifest.json');
    await write(2, 1);
    const i = await HybridIndex.open(copy, { encoder: new FakeEncoder() });
    expect(await fingerprint(i)).toBe(await referenceFingerprint(docs));
    await i.close();
  });
  it('opening a directory that holds no index → INDEX_NOT_FOUND', async () => {
    await expect(HybridIndex.open(path.join(dir, 'nothing-here'), { encoder: new FakeEncoder() })).rejects.toMatchObject({ code: 'INDEX_NOT_FOUND' });
  });
  it('save() without a directory → INVALID_ARGUMENT', async () => {
    const i = await createIndex();
    await i.add([{ id: 1, text: 'x' }]);
    await expect(i.save()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await i.close();
  });
  it('use after close → INDEX_CLOSED; close is idempotent', async () => {
    const i = await createIndex();
    await i.close();
    await i.close();
    await expect(i.search('x')).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
    await expect(i.add([{ id: 1, text: 'x' }])).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
  });
  it('concurrent save while searching and adding: searches see a consistent index, the save holds one state', async () => {
    const state = new Map(docs.map((d) => [d.id, d] as const));
    const i = await createIndex(path.join(dir, 'concurrent'));
    await i.add(docs);
    const expected = await i.search('alpha beta', { k: 10, exhaustive: true });
    const saving = i.save();
    const extra = { id: 'during', text: 'added while saving', metadata: { rev: 5 } };
    const adding = i.add([extra]); // waits for the save's lock
    let searches = 0;
    let done = false;
    void saving.finally(() => (done = true));
    while (!done || searches < 3) {
      const hits = await i.search('alpha beta', { k: 10, exhaustive: true });
      // the extra document has no alpha/beta: the top 10 is stable whatever the add's progress
      expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      searches++;
      await new Promise((r) => setImmediate(r));
    }
    await saving;
    await adding;
    expect(searches).toBeGreaterThan(0);
    const reopened = await HybridIndex.open(path.join(dir, 'concurrent'), { encoder: new FakeEncoder(), readOnly: true });
    const fp = await fingerprint(reopened);
    // the save holds the documents before the add, or (if the add slipped in first) after it
    const ok = [await referenceFingerprint(state.values()), await referenceFingerprint([...state.values(), extra])];
    expect(ok).toContain(fp);
    await reopened.close();
    await i.close();
  });
});
