import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenseIndex, DENSE_GRAPH_FILE, DENSE_ROWS_FILE } from '../../../src/dense/index.js';
import { StorageError } from '../../../src/errors.js';
import { clustered } from './data.js';

const DIM = 32;
const root = mkdtempSync(join(tmpdir(), 'trident-dense-persist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function newDir(): string {
  return mkdtempSync(join(root, 'idx-'));
}

function build(dtype: 'f32' | 'f16' | 'i8', count = 800): DenseIndex {
  const index = DenseIndex.create({ dimensions: DIM, dtype, expansionSearch: 40, oversample: dtype === 'i8' ? 4 : 1.5 });
  index.addBatch(
    Array.from({ length: count }, (_, i) => i * 2),
    clustered(7, count, DIM),
  );
  for (let i = 0; i < 40; i++) index.remove(i * 10);
  return index;
}

const queries = clustered(8, 10, DIM);

describe('DenseIndex saveFiles / openFiles', () => {
  for (const dtype of ['f32', 'f16', 'i8'] as const) {
    it(`round-trips rows, settings and search results (${dtype})`, async () => {
      const a = build(dtype);
      const dir = newDir();
      const files = await a.saveFiles(dir);
      expect(files.sort()).toEqual([DENSE_GRAPH_FILE, DENSE_ROWS_FILE].sort());
      expect(readdirSync(dir).sort()).toEqual(files.sort()); // no temporary files left
      const b = await DenseIndex.openFiles(dir);
      expect(b.size).toBe(a.size);
      expect(b.settings).toEqual(a.settings);
      for (let i = 0; i < 10; i++) {
        const q = queries.subarray(i * DIM, (i + 1) * DIM);
        for (const [x, y] of [
          [a.search(q, 10, { exact: false }), b.search(q, 10, { exact: false })],
          [a.searchExact(q, 25), b.searchExact(q, 25)],
          [a.search(q, 5, { filter: (id) => id % 6 === 0, exact: false }), b.search(q, 5, { filter: (id) => id % 6 === 0, exact: false })],
        ] as const) {
          expect(Array.from(y.ids)).toEqual(Array.from(x.ids));
          expect(Array.from(y.scores)).toEqual(Array.from(x.scores));
        }
      }
      expect(Array.from(b.vector(2))).toEqual(Array.from(a.vector(2)));
      expect(b.has(0)).toBe(false);
      // The reopened index stays writable.
      b.add(0, queries.subarray(0, DIM));
      expect(b.search(queries.subarray(0, DIM), 1, { exact: false }).ids[0]).toBe(0);
    });
  }

  it('an empty index round-trips', async () => {
    const dir = newDir();
    await DenseIndex.create({ dimensions: 8 }).saveFiles(dir);
    const b = await DenseIndex.openFiles(dir);
    expect(b.size).toBe(0);
    expect(b.dimensions).toBe(8);
  });

  async function saved(): Promise<string> {
    const dir = newDir();
    await build('f16', 200).saveFiles(dir);
    return dir;
  }

  async function openError(dir: string): Promise<StorageError> {
    try {
      await DenseIndex.openFiles(dir);
    } catch (e) {
      return e as StorageError;
    }
    throw new Error('openFiles accepted a damaged directory');
  }

  it('a flipped payload byte gives CHECKSUM_MISMATCH naming dense.rows', async () => {
    const dir = await saved();
    const p = join(dir, DENSE_ROWS_FILE);
    const b = readFileSync(p);
    b[b.length - 3] ^= 0x40;
    writeFileSync(p, b);
    const e = await openError(dir);
    expect(e).toBeInstanceOf(StorageError);
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.file).toBe(p);
  });

  it('a damaged graph is caught before usearch reads it', async () => {
    const dir = await saved();
    const p = join(dir, DENSE_GRAPH_FILE);
    const b = readFileSync(p);
    b.fill(7, 0, 64);
    writeFileSync(p, b);
    const e = await openError(dir);
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.file).toBe(p);
    writeFileSync(p, b.subarray(0, 100));
    expect((await openError(dir)).code).toBe('CORRUPT_FILE');
  });

  it('truncation, bad magic, future versions and missing files are typed', async () => {
    const dir = await saved();
    const p = join(dir, DENSE_ROWS_FILE);
    const good = readFileSync(p);
    writeFileSync(p, good.subarray(0, good.length - 4));
    expect((await openError(dir)).code).toBe('CORRUPT_FILE');
    writeFileSync(p, good.subarray(0, 10));
    expect((await openError(dir)).code).toBe('CORRUPT_FILE');
    const bad = Buffer.from(good);
    bad.write('NOTDENSE', 0, 'latin1');
    writeFileSync(p, bad);
    expect((await openError(dir)).code).toBe('CORRUPT_FILE');
    const future = Buffer.from(good);
    future.writeUInt32LE(99, 8);
    writeFileSync(p, future);
    expect((await openError(dir)).code).toBe('FORMAT_VERSION_UNSUPPORTED');
    rmSync(p);
    const e = await openError(dir);
    expect(e.code).toBe('INDEX_NOT_FOUND');
    expect(e.file).toBe(p);
    expect(existsSync(join(dir, DENSE_GRAPH_FILE))).toBe(true);
  });

  it('saving into a missing directory is an IO error and writes nothing', async () => {
    const dir = join(root, 'does-not-exist');
    await expect(build('f32', 10).saveFiles(dir)).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(existsSync(dir)).toBe(false);
  });
});
