// MultiVectorStore with the compressed dtypes ('binary', 'residual'): scores against MaxSim over the
// store's own decompressed vectors (get()), lazy codebook training, compaction, save/open
// round trips (format version 2) and crafted files giving typed errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MultiVectorStore, MV_FILE } from '../../../src/multivector/index.js';
import { StorageError } from '../../../src/errors.js';
import { crc32 } from '../../../src/store/index.js';
import { quantizeI8 } from '../../../src/kernels/f16.js';
import { rng } from '../dense/data.js';
import { maxsim64, randomDoc, randomDocs } from './data.js';

const DIM = 70; // not a multiple of 8 or 64
const root = mkdtempSync(join(tmpdir(), 'trident-mv-compressed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const newDir = (): string => mkdtempSync(join(root, 'mv-'));
const docs = randomDocs(5, 80, DIM, 14);
const r = rng(9);
const queries = Array.from({ length: 4 }, () => randomDoc(r, DIM, 6));

type Opts = { dtype: 'binary' } | { dtype: 'residual'; bits: 1 | 2 | 4 };
const kinds: Opts[] = [{ dtype: 'binary' }, { dtype: 'residual', bits: 1 }, { dtype: 'residual', bits: 2 }, { dtype: 'residual', bits: 4 }];

function build(o: Opts): MultiVectorStore {
  const s = MultiVectorStore.create({ dimensions: DIM, ...o, ...(o.dtype === 'residual' ? { centroids: 16 } : {}) });
  docs.forEach((d, i) => {
    s.add(i * 2, d);
  });
  s.remove(4);
  return s;
}

/** The query as the kernels see it: each vector dequantised from its int8 image. */
function q8(q: { data: Float32Array; dim: number; count: number }): typeof q {
  const { data, scales } = quantizeI8(q.data, q.dim);
  return { data: Float32Array.from(data, (x, i) => x * scales[Math.floor(i / q.dim)]!), dim: q.dim, count: q.count };
}

describe('compressed multi-vector stores', () => {
  for (const o of kinds) {
    const name = `${o.dtype}${o.dtype === 'residual' ? ` ${o.bits}-bit` : ''}`;
    it(`${name}: scores are MaxSim over the decompressed vectors (int8 query), bytes as documented`, () => {
      const s = build(o);
      expect(s.dtype).toBe(o.dtype);
      expect(s.bits).toBe(o.dtype === 'binary' ? 1 : o.bits);
      const ids = Array.from({ length: 80 }, (_, i) => i * 2).filter((i) => i !== 4);
      for (const q of queries) {
        const got = s.score(q, ids);
        ids.forEach((id, j) => {
          expect(Math.abs(got[j]! - maxsim64(q8(q), s.get(id)))).toBeLessThan(1e-4);
        });
      }
      const st = s.stats();
      const perVec = Math.ceil(DIM / 64) * 8 * (o.dtype === 'binary' ? 1 : o.bits) + (o.dtype === 'residual' ? 6 : 0) + 12;
      expect(st.bytes).toBe(st.vectors * perVec);
    });

    it(`${name}: quality tracks the f32 scores (rank correlation of exhaustive search)`, () => {
      const s = build(o);
      const f = MultiVectorStore.create({ dim: DIM, dtype: 'f32', screening: 'none' });
      docs.forEach((d, i) => {
        f.add(i * 2, d);
      });
      f.remove(4);
      const q = docs[7]!; // a stored document as the query: it must come first
      expect(s.searchExhaustive(q, 1).ids[0]).toBe(14);
      expect(f.searchExhaustive(q, 1).ids[0]).toBe(14);
    });

    it(`${name}: save / open round-trips scores, tokens and spans; compact keeps scores`, async () => {
      const s = build(o);
      const dir = newDir();
      await s.saveFiles(dir);
      const t = await MultiVectorStore.openFiles(dir);
      expect(t.dtype).toBe(o.dtype);
      expect(t.bits).toBe(s.bits);
      const ids = [0, 2, 6, 100, 158];
      for (const q of queries) expect(Array.from(t.score(q, ids))).toEqual(Array.from(s.score(q, ids)));
      expect(t.get(100)).toEqual(s.get(100));
      expect(readFileSync(join(dir, MV_FILE)).readUint32LE(8)).toBe(2);
      const before = s.score(queries[0]!, ids);
      s.remove(8);
      s.compact();
      expect(Array.from(s.score(queries[0]!, ids))).toEqual(Array.from(before));
      // documents added after training use the same codebook
      t.add(1, docs[3]!);
      expect(Array.from(t.score(queries[1]!, [1]))).toEqual(Array.from(t.score(queries[1]!, [6])));
    });
  }

  it('residual: lazy training at the first score; explicit train(); an empty store saves and opens', async () => {
    const s = MultiVectorStore.create({ dim: DIM, dtype: 'residual', bits: 2, trainVectors: 50 });
    const dir = newDir();
    await s.saveFiles(dir);
    const e = await MultiVectorStore.openFiles(dir);
    expect(e.size).toBe(0);
    e.add(0, docs[1]!);
    expect(e.score(queries[0]!, [0])[0]).toBeGreaterThan(-2);
    s.add(0, docs[1]!);
    s.train();
    expect(s.score(queries[0]!, [0])[0]).toBeCloseTo(maxsim64(q8(queries[0]!), s.get(0)), 4);
  });

  it('rejects bad options with typed errors', () => {
    const bad: object[] = [
      { dim: DIM, dtype: 'residual', bits: 3 },
      { dim: DIM, dtype: 'binary', bits: 2 },
      { dim: DIM, dtype: 'f16', bits: 2 },
      { dim: DIM, dtype: 'i8', centroids: 4 },
      { dim: DIM, dtype: 'residual', centroids: 0 },
      { dim: DIM, dtype: 'residual', centroids: 70000 },
      { dim: DIM, dtype: 'residual', trainVectors: 1.5 },
      { dim: DIM, dtype: 'int4' },
    ];
    for (const o of bad) expect(() => MultiVectorStore.create(o as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('crafted residual files give typed StorageErrors, never a crash', async () => {
    const s = build({ dtype: 'residual', bits: 2 });
    const dir = newDir();
    await s.saveFiles(dir);
    const file = join(dir, MV_FILE);
    const good = readFileSync(file);
    const codes = async (): Promise<string> => {
      try {
        await MultiVectorStore.openFiles(dir);
        return 'opened';
      } catch (e) {
        expect(e).toBeInstanceOf(StorageError);
        return (e as StorageError).code;
      }
    };
    /** Rewrites the file with `edit` applied and the CRC recomputed (a crafted, not a damaged, file). */
    const craft = (edit: (b: Buffer) => void, fixCrc = true): void => {
      const b = Buffer.from(good);
      edit(b);
      if (fixCrc) b.writeUint32LE(crc32(b.subarray(64)), 32);
      writeFileSync(file, b);
    };
    const nv = good.readUint32LE(24);
    const nd = good.readUint32LE(20);
    const cidOff = 64 + ((nd * 9 + 3) & ~3) + nv * 32; // 2 blocks × 16 bytes per 70-d vector at 2 bits
    const cases: Array<[string, (b: Buffer) => void, string, boolean?]> = [
      ['bits 3', (b) => b.writeUint8(3, 30), 'CORRUPT_FILE'],
      ['k above 65536', (b) => b.writeUint32LE(70000, 36), 'CORRUPT_FILE'],
      ['k 0 with vectors', (b) => b.writeUint32LE(0, 36), 'CORRUPT_FILE'],
      ['version 1 with a compressed dtype', (b) => b.writeUint32LE(1, 8), 'CORRUPT_FILE'],
      ['version 3', (b) => b.writeUint32LE(3, 8), 'FORMAT_VERSION_UNSUPPORTED'],
      ['centroid id out of range', (b) => b.writeUint16LE(65535, cidOff), 'CORRUPT_FILE'],
      ['negative inverse norm', (b) => b.writeFloatLE(-1, cidOff + ((nv * 2 + 3) & ~3)), 'CORRUPT_FILE'],
      ['level -128', (b) => b.writeInt8(-128, b.length - 60 - 4 - 16), 'CORRUPT_FILE'],
      ['NaN level scale', (b) => b.writeFloatLE(NaN, b.length - 60 - 4), 'CORRUPT_FILE'],
      ['decreasing cutoffs', (b) => b.writeFloatLE(1e9, b.length - 60), 'CORRUPT_FILE'],
      ['vector count lies', (b) => b.writeUint32LE(nv + 1, 24), 'CORRUPT_FILE'],
      ['flipped payload byte', (b) => (b[200] ^= 0xff), 'CHECKSUM_MISMATCH', false],
      ['truncated', () => undefined, 'CORRUPT_FILE'],
    ];
    for (const [what, edit, code, fix] of cases) {
      if (what === 'truncated') writeFileSync(file, good.subarray(0, good.length - 7));
      else craft(edit, fix ?? true);
      expect(await codes(), what).toBe(code);
    }
    writeFileSync(file, good);
    expect(await codes()).toBe('opened');
  });
});
