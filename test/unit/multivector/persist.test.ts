import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MultiVectorStore, MV_FILE } from '../../../src/multivector/index.js';
import { StorageError } from '../../../src/errors.js';
import { rng } from '../dense/data.js';
import { randomDoc, randomDocs } from './data.js';

const DIM = 20;
const root = mkdtempSync(join(tmpdir(), 'trident-mv-persist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const newDir = (): string => mkdtempSync(join(root, 'mv-'));

const docs = randomDocs(21, 60, DIM, 12);
const r = rng(3);
const queries = Array.from({ length: 4 }, () => randomDoc(r, DIM, 5));

function build(dtype: 'f32' | 'f16' | 'i8', poolFactor: 1 | 2 | 3 = 1): MultiVectorStore {
  const s = MultiVectorStore.create({ dim: DIM, dtype, poolFactor });
  docs.forEach((d, i) => {
    s.add(i * 3, i % 4 === 0 ? { data: d.data, dim: d.dim, count: d.count } : d);
  });
  for (const id of [0, 9, 30]) s.remove(id);
  return s;
}

async function openError(dir: string): Promise<StorageError> {
  try {
    await MultiVectorStore.openFiles(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error('openFiles accepted a damaged file');
}

describe('MultiVectorStore saveFiles / openFiles', () => {
  for (const [dtype, pool] of [
    ['f32', 1],
    ['f16', 2],
    ['i8', 3],
    ['i8', 1],
  ] as const) {
    it(`round-trips scores, vectors, token ids and spans (${dtype}, pool ${pool})`, async () => {
      const a = build(dtype, pool);
      const dir = newDir();
      expect(await a.saveFiles(dir)).toEqual([MV_FILE]);
      expect(readdirSync(dir)).toEqual([MV_FILE]);
      const b = await MultiVectorStore.openFiles(dir);
      expect(b.size).toBe(a.size);
      expect(b.dtype).toBe(dtype);
      expect(b.poolFactor).toBe(pool);
      const sa = a.stats();
      const sb = b.stats();
      expect(sb.vectors).toBe(sa.vectors);
      expect(sb.garbageVectors).toBe(0);
      for (const q of queries) {
        const x = a.searchExhaustive(q, 100);
        const y = b.searchExhaustive(q, 100);
        expect(Array.from(y.ids)).toEqual(Array.from(x.ids));
        expect(Array.from(y.scores)).toEqual(Array.from(x.scores));
      }
      for (let i = 0; i < docs.length; i++) {
        const id = i * 3;
        expect(b.has(id)).toBe(a.has(id));
        if (!a.has(id)) continue;
        expect(b.get(id)).toEqual(a.get(id));
        expect(b.alignments(queries[0]!, id)).toEqual(a.alignments(queries[0]!, id));
      }
      b.add(0, docs[5]!); // still writable
      expect(b.has(0)).toBe(true);
    });
  }

  it('an empty store round-trips', async () => {
    const dir = newDir();
    await MultiVectorStore.create({ dim: 7, dtype: 'i8' }).saveFiles(dir);
    const b = await MultiVectorStore.openFiles(dir);
    expect(b.size).toBe(0);
    expect(b.dim).toBe(7);
  });

  it('damage is reported as typed StorageErrors naming the file', async () => {
    const dir = newDir();
    await build('f16').saveFiles(dir);
    const p = join(dir, MV_FILE);
    const good = readFileSync(p);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] ^= 1;
    writeFileSync(p, flipped);
    const e = await openError(dir);
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.file).toBe(p);
    writeFileSync(p, good.subarray(0, good.length - 8));
    expect((await openError(dir)).code).toBe('CORRUPT_FILE');
    writeFileSync(p, good.subarray(0, 30));
    expect((await openError(dir)).code).toBe('CORRUPT_FILE');
    const future = Buffer.from(good);
    future.writeUInt32LE(3, 8); // version 2 is the compressed dtypes
    writeFileSync(p, future);
    expect((await openError(dir)).code).toBe('FORMAT_VERSION_UNSUPPORTED');
    rmSync(p);
    expect((await openError(dir)).code).toBe('INDEX_NOT_FOUND');
  });
});
