// storage: 'segments' against the default storage as the oracle: the same operations on both
// (adds, deletes, updates, saves, reopens) give identical top-k ids and scores for every mode
// and every single-channel search, whether the documents sit in 1 segment, in 10, or partly
// in the in-memory tail; incremental saves write about the new documents' bytes only; the
// write-ahead log replays into the tail; read-only open; corrupt segment files are typed errors.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, StorageError } from '../../../src/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { rng } from '../../helpers/rng.js';
import { CRC_BLOCK_BYTES } from '../../../src/segments/container.js';
import { EAGER_CRC_BYTES, SegmentFile } from '../../../src/segments/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-segidx-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `i${dirs++}`);

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');

function docs(from: number, n: number, seed: number): Array<{ id: string; text: string }> {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 3 + Math.floor(r() * 12);
    return { id: `d${from + i}`, text: Array.from({ length: len }, () => WORDS[Math.floor(r() * r() * WORDS.length)]).join(' ') };
  });
}

const QUERIES = ['alpha beta', 'gamma gamma delta', 'omega psi chi', 'kappa lambda mu nu', 'zeta', 'beta theta iota alpha'];
const SEARCHES: Array<Record<string, unknown>> = [
  { mode: 'all' },
  { mode: 'sparse' },
  { mode: 'multivector' },
  { mode: 'bm25' },
  { mode: 'dense+sparse' },
  { channels: ['bm25'] },
  { channels: ['sparse', 'bm25'], fusion: { kind: 'rrf' } },
  { channels: ['multivector', 'bm25'] },
  { channels: ['sparse', 'multivector', 'bm25'], fusion: { kind: 'dbsf' } },
];

async function same(a: HybridIndex, b: HybridIndex, k = 10): Promise<void> {
  expect(a.size).toBe(b.size);
  for (const q of QUERIES) {
    for (const s of SEARCHES) {
      const ha = await a.search(q, { k, exhaustive: true, ...s });
      const hb = await b.search(q, { k, exhaustive: true, ...s });
      expect(
        ha.map((h) => [h.id, h.score]),
        `${q} ${JSON.stringify(s)}`,
      ).toEqual(hb.map((h) => [h.id, h.score]));
      expect(ha.map((h) => h.scores)).toEqual(hb.map((h) => h.scores));
    }
  }
}

type Op = { kind: 'add'; from: number; n: number } | { kind: 'delete'; ids: string[] } | { kind: 'update'; from: number; n: number } | { kind: 'save' } | { kind: 'reopen' } | { kind: 'optimize' };

/** Runs the same operations on a segments index and a default-format one, comparing searches after each. */
async function twin(ops: Op[], wal = false): Promise<{ seg: HybridIndex; ref: HybridIndex; segDir: string }> {
  const encoder = new FakeEncoder();
  const segDir = fresh();
  const refDir = fresh();
  let seg = await HybridIndex.create({ encoder, path: segDir, storage: 'segments', wal, bm25: {} });
  let ref = await HybridIndex.create({ encoder, path: refDir, wal, bm25: {} });
  let seed = 1;
  for (const op of ops) {
    if (op.kind === 'add') {
      const batch = docs(op.from, op.n, seed++);
      await seg.add(batch);
      await ref.add(batch);
    } else if (op.kind === 'update') {
      const batch = docs(op.from, op.n, 1000 + seed++);
      await seg.update(batch);
      await ref.update(batch);
    } else if (op.kind === 'delete') {
      expect(await seg.delete(op.ids)).toEqual(await ref.delete(op.ids));
    } else if (op.kind === 'save') {
      await seg.save();
      await ref.save();
    } else if (op.kind === 'optimize') {
      await seg.optimize();
      await ref.optimize();
    } else {
      await seg.close();
      await ref.close();
      seg = await HybridIndex.open(segDir, { encoder });
      ref = await HybridIndex.open(refDir, { encoder });
    }
    await same(seg, ref);
  }
  return { seg, ref, segDir };
}

const segCount = (ix: HybridIndex, ch = 'bm25') => (ix.stats().channels[ch] as { segments: number }).segments;
const tailCount = (ix: HybridIndex, ch = 'bm25') => (ix.stats().channels[ch] as { tail: number }).tail;

describe("HybridIndex storage: 'segments'", () => {
  it('10 segments + a tail, with deletes and updates across them, search exactly like the default storage; optimize() leaves 1 segment', async () => {
    const ops: Op[] = [];
    for (let s = 0; s < 10; s++) {
      ops.push({ kind: 'add', from: s * 40, n: 40 });
      if (s % 3 === 1) ops.push({ kind: 'delete', ids: Array.from({ length: 6 }, (_, i) => `d${(s * 37 + i * 11) % (s * 40 + 40)}`) });
      if (s === 5) ops.push({ kind: 'update', from: 10, n: 5 });
      ops.push({ kind: 'save' });
      if (s % 4 === 3) ops.push({ kind: 'reopen' });
    }
    ops.push({ kind: 'add', from: 1000, n: 25 }, { kind: 'delete', ids: ['d1001', 'd3', 'd399'] });
    const { seg, ref } = await twin(ops);
    expect(segCount(seg)).toBeGreaterThan(1);
    expect(tailCount(seg)).toBe(24);
    await seg.optimize();
    await ref.optimize();
    expect(segCount(seg)).toBe(1);
    expect(tailCount(seg)).toBe(0);
    await same(seg, ref);
    await seg.close();
    await ref.close();
  });

  it('an index reopened with everything in one segment answers like the in-memory index before the save', async () => {
    const encoder = new FakeEncoder();
    const dir = fresh();
    const mem = await HybridIndex.create({ encoder, bm25: {} });
    const ix = await HybridIndex.create({ encoder, path: dir, storage: 'segments', wal: false, bm25: {} });
    const batch = docs(0, 300, 9);
    await mem.add(batch);
    await ix.add(batch);
    await mem.delete(['d5', 'd77']);
    await ix.delete(['d5', 'd77']);
    await same(ix, mem); // all in the tail
    await ix.save();
    await same(ix, mem); // all in segments
    await ix.close();
    const back = await HybridIndex.open(dir, { encoder });
    await same(back, mem);
    await back.close();
  });

  it('an incremental save after adding 1 % writes about 1 % of the segment bytes', async () => {
    const encoder = new FakeEncoder();
    const dir = fresh();
    const ix = await HybridIndex.create({ encoder, path: dir, storage: 'segments', wal: false, bm25: {} });
    await ix.add(docs(0, 2000, 3));
    await ix.save();
    const files = () => {
      const out = new Map<string, number>();
      for (const ch of fs.readdirSync(path.join(dir, 'segments'))) for (const f of fs.readdirSync(path.join(dir, 'segments', ch))) out.set(`${ch}/${f}`, fs.statSync(path.join(dir, 'segments', ch, f)).size);
      return out;
    };
    const before = files();
    const total = [...before.values()].reduce((a, b) => a + b, 0);
    await ix.add(docs(5000, 20, 4));
    await ix.delete(['d1', 'd2']);
    await ix.save();
    const after = files();
    let written = 0;
    for (const [f, n] of after) if (!before.has(f)) written += n;
    // every segment of the first save is still there, untouched
    for (const [f, n] of before) if (!/segments-\d+\.json$/.test(f)) expect(after.get(f)).toBe(n);
    // new files: one small segment per channel, deletion bitmaps, segment lists; the data
    // sections are page-aligned (4 KiB) so tiny segments round up: bound by pages, not by 1 %
    const pages = 3 * 3 * 10 * 4096;
    expect(written).toBeLessThan(Math.max(0.05 * total, pages));
    expect(written).toBeLessThan(total / 4);
    await ix.close();
  });

  it('the write-ahead log replays into the tail; a read-only open writes nothing', async () => {
    const encoder = new FakeEncoder();
    const dir = fresh();
    const ix = await HybridIndex.create({ encoder, path: dir, storage: 'segments', bm25: {} });
    const mem = await HybridIndex.create({ encoder, bm25: {} });
    for (const x of [ix, mem]) {
      await x.add(docs(0, 120, 5));
    }
    await ix.save();
    for (const x of [ix, mem]) {
      await x.add(docs(500, 30, 6));
      await x.delete(['d3', 'd510']);
    }
    await ix.close(); // no save: the log holds the last changes
    const listing = () =>
      fs
        .readdirSync(dir, { recursive: true })
        .map(String)
        .filter((n) => !n.includes('lock'))
        .sort();
    const ro = await HybridIndex.open(dir, { encoder, readOnly: true });
    expect(ro.size).toBe(120); // a reader sees the last save (it does not replay the log)
    const names = listing();
    await ro.close();
    expect(listing()).toEqual(names);
    const back = await HybridIndex.open(dir, { encoder });
    expect(tailCount(back)).toBe(29);
    await same(back, mem);
    await back.save();
    expect(tailCount(back)).toBe(0);
    await same(back, mem);
    await back.close();
    await mem.close();
  });

  it('a corrupt segment file is a typed error naming it, at open (header) or at the first search (lazy section)', async () => {
    const encoder = new FakeEncoder();
    const dir = fresh();
    const ix = await HybridIndex.create({ encoder, path: dir, storage: 'segments', wal: false, bm25: {} });
    await ix.add(docs(0, 3000, 7));
    await ix.save();
    await ix.close();
    const segDir = path.join(dir, 'segments', 'bm25');
    const file = path.join(segDir, fs.readdirSync(segDir).find((f) => f.endsWith('.sparse'))!);
    const bytes = fs.readFileSync(file);
    // header: open refuses
    const bad = Buffer.from(bytes);
    bad[3] = bad[3]! ^ 0xff;
    fs.writeFileSync(file, bad);
    const e1 = await HybridIndex.open(dir, { encoder }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(StorageError);
    expect((e1 as StorageError).message).toContain(path.basename(file));
    // the last byte of the file is the per-block checksum table (checked eagerly): open refuses
    const last = Buffer.from(bytes);
    last[last.length - 1] = last[last.length - 1]! ^ 0x40;
    fs.writeFileSync(file, last);
    const e0 = await HybridIndex.open(dir, { encoder }).catch((e: unknown) => e);
    expect(e0).toMatchObject({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining(path.basename(file)) });
    // one byte in every checksum block of the biggest (lazily checked) section: open maps, the
    // first search refuses (whichever posting list it reads lies in a damaged block)
    fs.writeFileSync(file, bytes);
    const f = await SegmentFile.open(file, 'sparse', 1);
    const big = [...f.sections.values()].filter((x) => x.length > EAGER_CRC_BYTES).sort((x, y) => y.length - x.length)[0]!;
    f.close();
    const flipped = Buffer.from(bytes);
    for (let at = big.offset; at < big.offset + big.length; at += CRC_BLOCK_BYTES) flipped[at] = flipped[at]! ^ 0x40;
    fs.writeFileSync(file, flipped);
    const ix2 = await HybridIndex.open(dir, { encoder });
    const e2 = await ix2.search('alpha beta gamma', { mode: 'bm25' }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(StorageError);
    expect((e2 as StorageError).code).toMatch(/CHECKSUM_MISMATCH|CORRUPT_FILE/);
    expect((e2 as StorageError).message).toContain(path.basename(file));
    await ix2.close();
  });

  it('refuses what segments cannot hold, with INVALID_ARGUMENT and nothing created', async () => {
    const encoder = new FakeEncoder();
    await expect(HybridIndex.create({ encoder, storage: 'segments' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const dir = fresh();
    await expect(HybridIndex.create({ encoder, path: dir, storage: 'segments', multivector: { poolFactor: 2 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(HybridIndex.create({ encoder, path: fresh(), storage: 'nope' as 'segments' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(false);
  });
});
