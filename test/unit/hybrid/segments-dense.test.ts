// Dense channels under storage: 'segments' (each vector once, in per-segment usearch files),
// against the default storage as the oracle: the same vectors, adds, deletes, saves and
// reopens on both. Small channels are scanned exactly by both storages, so ids and scores must
// be identical (bit for bit) whether the documents sit in 1 segment, in 10, or partly in the
// tail, in normal and exhaustive searches. Above DenseIndex's exact threshold the segments are
// graph-searched (usearch view): every returned score must equal the exact score of that id
// and recall@10 against the exhaustive (brute-force) ranking must stay high. Also: read-only
// open, optimize(), damaged or crafted .hnsw / .dense files (typed errors naming the file).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, StorageError } from '../../../src/index.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-segdense-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `i${dirs++}`);

type Dtype = 'f32' | 'f16';
const channel = (dim: number, dtype: Dtype) => [{ name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: dim, dtype }];

function vec(r: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  // clustered, with ties: a few exact duplicates make the tie order (lower id first) matter
  for (let k = 0; k < dim; k++) v[k] = Math.round((r() * 2 - 1) * 8) / 8;
  return v;
}

function docs(from: number, n: number, dim: number, seed: number) {
  const r = rng(seed);
  const out = Array.from({ length: n }, (_, i) => ({ id: from + i, vectors: { dense: vec(r, dim) } }));
  for (let i = 5; i < n; i += 17) out[i]!.vectors.dense = out[i - 5]!.vectors.dense.slice(); // duplicates
  return out;
}

/** `n` query vectors. */
const queries = (dim: number, n: number, seed: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => vec(r, dim));
};

async function hits(ix: HybridIndex, q: Float32Array, k: number, exhaustive = false) {
  return (await ix.search({ vectors: { dense: q } }, { k, channels: ['dense'], exhaustive })).map((h) => [h.id, h.score] as [number, number]);
}

async function same(a: HybridIndex, b: HybridIndex, qs: Float32Array[], k = 10): Promise<void> {
  expect(a.size).toBe(b.size);
  for (const q of qs) {
    expect(await hits(a, q, k)).toEqual(await hits(b, q, k));
    expect(await hits(a, q, k, true)).toEqual(await hits(b, q, k, true));
  }
}

const stat = (ix: HybridIndex) => ix.stats().channels.dense as { segments: number; tail: number };

describe.each(['f32', 'f16'] as const)("dense %s under storage: 'segments'", (dtype) => {
  it('1 segment, 10 segments + a tail, deletes across them, reopen and optimize: identical ids and scores to the default storage', async () => {
    const dim = 24;
    const segDir = fresh();
    const refDir = fresh();
    let seg = await HybridIndex.create({ path: segDir, channels: channel(dim, dtype), storage: 'segments', wal: false });
    let ref = await HybridIndex.create({ path: refDir, channels: channel(dim, dtype), wal: false });
    const qs = queries(dim, 6, 99);
    const both = async (f: (ix: HybridIndex) => Promise<unknown>) => {
      await f(seg);
      await f(ref);
    };
    // one segment
    await both((ix) => ix.add(docs(0, 120, dim, 1)));
    await same(seg, ref, qs); // all in the tail
    await both((ix) => ix.save());
    expect(stat(seg)).toMatchObject({ segments: 1, tail: 0 });
    await same(seg, ref, qs);
    // ten segments, deletions in old ones, a tail
    for (let s = 1; s < 10; s++) {
      await both((ix) => ix.add(docs(s * 1000, 30 + s, dim, 10 + s)));
      if (s % 3 === 0) await both((ix) => ix.delete([s, 1000 + s, (s - 1) * 1000 + 2]));
      await both((ix) => ix.save());
    }
    await both((ix) => ix.add(docs(50_000, 17, dim, 77)));
    await both((ix) => ix.delete([3, 50_001, 9002]));
    expect(stat(seg).segments).toBeGreaterThanOrEqual(2);
    expect(stat(seg).tail).toBe(16);
    await same(seg, ref, qs);
    await both((ix) => ix.save());
    await both((ix) => ix.close());
    seg = await HybridIndex.open(segDir, {});
    ref = await HybridIndex.open(refDir, {});
    await same(seg, ref, qs);
    await both((ix) => ix.optimize());
    expect(stat(seg)).toMatchObject({ segments: 1, tail: 0 });
    await same(seg, ref, qs);
    await both((ix) => ix.close());
    // a read-only open answers the same and writes nothing
    const listing = () =>
      fs
        .readdirSync(segDir, { recursive: true })
        .map(String)
        .filter((n) => !n.includes('lock'))
        .sort();
    const names = listing();
    const ro = await HybridIndex.open(segDir, { readOnly: true });
    ref = await HybridIndex.open(refDir, { readOnly: true });
    await same(ro, ref, qs);
    await ro.close();
    await ref.close();
    expect(listing()).toEqual(names);
  });
});

describe("dense graph segments (storage: 'segments')", () => {
  it('graph-searched segments: exact scores for every hit, recall@10 ≥ 0.9 against the exhaustive ranking', async () => {
    // 64 × 36,000 > 2^21 values: the big segment and the whole channel are above DenseIndex's exact threshold
    const dim = 64;
    const dir = fresh();
    const ix = await HybridIndex.create({ path: dir, channels: channel(dim, 'f16'), storage: 'segments', wal: false });
    const r = rng(5);
    const centres = Array.from({ length: 50 }, () => vec(r, dim));
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const c = centres[(from + i) % centres.length]!;
        return { id: from + i, vectors: { dense: Float32Array.from(c, (x) => x + (r() - 0.5) * 0.6) } };
      });
    await ix.add(batch(0, 34_000));
    await ix.save();
    await ix.add(batch(34_000, 2_000));
    await ix.save();
    await ix.delete(Array.from({ length: 300 }, (_, i) => i * 97));
    await ix.add(batch(40_000, 500)); // tail
    const qs = Array.from({ length: 20 }, (_, i) => Float32Array.from(centres[i % 50]!, (x) => x + (r() - 0.5) * 0.6));
    let found = 0;
    for (const q of qs) {
      const got = await hits(ix, q, 10);
      const truth = await hits(ix, q, 10, true);
      const exactOf = new Map((await ix.search({ vectors: { dense: q } }, { k: 36_200, channels: ['dense'], exhaustive: true })).map((h) => [h.id, h.score]));
      for (const [id, s] of got) expect(s).toBe(exactOf.get(id)); // scores are exact
      const want = new Set(truth.map(([id]) => id));
      found += got.filter(([id]) => want.has(id)).length;
    }
    expect(found / (10 * qs.length)).toBeGreaterThanOrEqual(0.9);
    expect(stat(ix)).toMatchObject({ segments: 2, tail: 500 });
    await ix.close();
  }, 240_000);
});

describe('damaged dense segment files', () => {
  async function build(): Promise<{ dir: string; hnsw: string; dense: string }> {
    const dim = 16;
    const dir = fresh();
    const ix = await HybridIndex.create({ path: dir, channels: channel(dim, 'f32'), storage: 'segments', wal: false });
    await ix.add(docs(0, 300, dim, 3));
    await ix.save();
    await ix.close();
    const segDir = path.join(dir, 'segments', 'dense');
    const f = (ext: string) => path.join(segDir, fs.readdirSync(segDir).find((n) => n.endsWith(ext))!);
    return { dir, hnsw: f('.hnsw'), dense: f('.dense') };
  }
  const q = queries(16, 1, 4)[0]!;

  it('a graph link out of range is refused at the first search (before the walk or usearch reads the graph), naming the file', async () => {
    const { dir, hnsw } = await build();
    const b = fs.readFileSync(hnsw);
    const rows = b.readUInt32LE(0);
    const head = 8 + rows * b.readUInt32LE(4);
    const levelsAt = head + 64 + 40;
    const tape = levelsAt + 2 * rows; // node 0: u64 key · i16 level · u32 count · u32 slots…
    b.writeUInt32LE(rows + 5, tape + 10 + 4);
    fs.writeFileSync(hnsw, b);
    const ix = await HybridIndex.open(dir, {}); // open reads no graph byte
    for (const exhaustive of [false, true]) {
      const e = await ix.search({ vectors: { dense: q } }, { channels: ['dense'], exhaustive }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StorageError);
      expect((e as StorageError).code).toBe('CORRUPT_FILE');
      expect((e as StorageError).message).toContain(path.basename(hnsw));
    }
    await ix.close();
  });

  it('a flipped vector byte opens (lazy) and fails the first search with CHECKSUM_MISMATCH naming the file', async () => {
    const { dir, hnsw } = await build();
    const b = fs.readFileSync(hnsw);
    b[100] = b[100]! ^ 0x10;
    fs.writeFileSync(hnsw, b);
    const ix = await HybridIndex.open(dir, {});
    const e = await ix.search({ vectors: { dense: q } }, { channels: ['dense'] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).code).toBe('CHECKSUM_MISMATCH');
    expect((e as StorageError).message).toContain(path.basename(hnsw));
    await ix.close();
  });

  it('a truncated .hnsw is CORRUPT_FILE at open, a missing one a StorageError', async () => {
    const a = await build();
    fs.truncateSync(a.hnsw, fs.statSync(a.hnsw).size - 3);
    await expect(HybridIndex.open(a.dir, {})).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    const b = await build();
    fs.rmSync(b.hnsw);
    await expect(HybridIndex.open(b.dir, {})).rejects.toBeInstanceOf(StorageError);
  });

  it('refuses an i8 dense channel (its exact scores come from f16 rows a segment does not keep)', async () => {
    await expect(HybridIndex.create({ path: fresh(), channels: channel(8, 'i8' as Dtype), storage: 'segments' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
