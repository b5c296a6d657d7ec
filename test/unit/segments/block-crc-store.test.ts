// Per-block checksums through the segmented store: one flipped byte in block k of a posting
// section (postdocs) or of the token vectors fails exactly the searches whose posting list or
// candidate rows touch block k (CHECKSUM_MISMATCH naming the file and section); every other
// search answers exactly as the undamaged store (the oracle: the same store before the flip);
// verify() fails. Which list / document touches block k is computed from the file's own
// offsets / vstart sections.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CRC_BLOCK_BYTES } from '../../../src/segments/container.js';
import { SegmentedStore, SegmentFile } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-blockstore-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const B = CRC_BLOCK_BYTES;
const DIM = 32;
const DOCS = 3000;
const TERMS = 3000;
const dir = path.join(tmp, 'store');
const r = rng(61);
const query = { data: Float32Array.from({ length: 2 * DIM }, () => r() * 2 - 1), dim: DIM, count: 2 };

beforeAll(async () => {
  const s = await SegmentedStore.create(dir, { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 }, multivector: { dim: DIM, dtype: 'i8' } });
  for (let i = 0; i < DOCS; i++) {
    const set = new Map<number, number>();
    while (set.size < 20) set.set(Math.floor(r() ** 2 * TERMS), 1 + Math.floor(r() * 3));
    const ids = Uint32Array.from([...set.keys()].sort((a, b) => a - b));
    const count = 1 + Math.floor(r() * 5);
    s.add(2 * i, { sparse: { ids, weights: Float32Array.from(ids, (t) => set.get(t)!) }, multivector: { data: Float32Array.from({ length: count * DIM }, () => r() * 2 - 1), dim: DIM, count } });
  }
  await s.commit({ merge: false });
  s.close();
});

/** Copies the store, flips one byte at `at` of section `name` of its file `file`. */
async function damaged(label: string, file: string, kind: string, kindVersions: number[], name: string, at: number): Promise<string> {
  const d = path.join(tmp, label);
  fs.cpSync(dir, d, { recursive: true });
  const p = path.join(d, file);
  const f = await SegmentFile.open(p, kind, kindVersions);
  const off = f.section(name, false).offset + at;
  expect(f.hasBlocks(name)).toBe(true);
  f.close();
  const buf = fs.readFileSync(p);
  buf[off]! ^= 0x40;
  fs.writeFileSync(p, buf);
  return d;
}

it('a damaged block of postdocs fails only the searches whose posting lists touch it', async () => {
  const k = 2;
  const d = await damaged('sparse', 'seg-000001.sparse', 'sparse', [1], 'postdocs', k * B + 100);
  // the oracle of which lists touch block k: the file's own term ids and offsets
  const f = await SegmentFile.open(path.join(dir, 'seg-000001.sparse'), 'sparse', 1);
  const meta = f.view('meta', Uint32Array, 8);
  const termids = f.view('termids', Uint32Array, meta[1]!).slice();
  const offsets = f.view('offsets', Uint32Array, meta[1]! + 1).slice();
  f.close();
  const good = await SegmentedStore.open(dir, { mode: 'mmap' });
  const bad = await SegmentedStore.open(d, { mode: 'mmap' });
  let hit = 0;
  let miss = 0;
  for (let t = 0; t < termids.length; t += 7) {
    const q = { ids: Uint32Array.of(termids[t]!), weights: Float32Array.of(1) };
    const touches = Math.floor((4 * offsets[t]!) / B) <= k && Math.floor((4 * offsets[t + 1]! - 1) / B) >= k;
    if (touches) {
      hit++;
      expect(() => bad.searchSparse(q, 10)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringMatching(/seg-000001\.sparse: section 'postdocs' block 2/) }));
      expect(() => bad.scoreSparse(q, [0, 2, 4])).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
    } else {
      miss++;
      expect(bad.searchSparse(q, 10)).toEqual(good.searchSparse(q, 10));
      expect(bad.scoreSparse(q, [0, 2, 4, 6])).toEqual(good.scoreSparse(q, [0, 2, 4, 6]));
    }
  }
  expect(hit).toBeGreaterThan(0);
  expect(miss).toBeGreaterThan(hit);
  expect(() => bad.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
  good.close();
  bad.close();
});

it('a damaged block of the token vectors fails only the MaxSim of documents whose rows touch it', async () => {
  const k = 3;
  const d = await damaged('mvec', 'seg-000001.mvec', 'mvec', [1, 2], 'vectors', k * B + 5);
  const f = await SegmentFile.open(path.join(dir, 'seg-000001.mvec'), 'mvec', [1, 2]);
  const vstart = f.view('vstart', Uint32Array, DOCS + 1).slice();
  f.close();
  const good = await SegmentedStore.open(dir, { mode: 'mmap' });
  const bad = await SegmentedStore.open(d, { mode: 'mmap' });
  const w = DIM; // i8: one byte per value
  const touches = (o: number) => Math.floor((vstart[o]! * w) / B) <= k && Math.floor((vstart[o + 1]! * w - 1) / B) >= k;
  let hit = 0;
  const fine: number[] = [];
  for (let o = 0; o < DOCS; o++) {
    if (touches(o)) {
      hit++;
      expect(() => bad.scoreMultiVector(query, [2 * o])).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringMatching(/seg-000001\.mvec: section 'vectors' block 3/) }));
    } else if (o % 5 === 0) fine.push(2 * o);
  }
  expect(hit).toBeGreaterThan(0);
  expect(bad.scoreMultiVector(query, fine)).toEqual(good.scoreMultiVector(query, fine));
  expect(() => bad.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining("section 'vectors'") }));
  good.verify();
  good.close();
  bad.close();
});

it('residual codes: a damaged block of codes fails only the MaxSim of documents whose codes touch it', async () => {
  const D = 128;
  const rd = path.join(tmp, 'residual');
  const s = await SegmentedStore.create(rd, { multivector: { dim: D, dtype: 'residual', bits: 2 } });
  const rr = rng(7);
  for (let i = 0; i < 2500; i++) {
    const count = 1 + Math.floor(rr() * 5);
    s.add(i, { multivector: { data: Float32Array.from({ length: count * D }, () => rr() * 2 - 1), dim: D, count } });
  }
  await s.commit({ merge: false });
  s.close();
  const f = await SegmentFile.open(path.join(rd, 'seg-000001.mvec'), 'mvec', [1, 2]);
  const vstart = f.view('vstart', Uint32Array, 2500 + 1).slice();
  const codesAt = f.section('codes', false).offset;
  expect(f.hasBlocks('codes')).toBe(true);
  f.close();
  const k = 1;
  const bad = path.join(tmp, 'residual-bad');
  fs.cpSync(rd, bad, { recursive: true });
  const p = path.join(bad, 'seg-000001.mvec');
  const buf = fs.readFileSync(p);
  buf[codesAt + k * B + 77]! ^= 0x04;
  fs.writeFileSync(p, buf);
  const w = D / 4; // 2-bit codes: bytes per vector
  const touches = (o: number) => Math.floor((vstart[o]! * w) / B) <= k && Math.floor((vstart[o + 1]! * w - 1) / B) >= k;
  const q = { data: Float32Array.from({ length: 2 * D }, () => rr() * 2 - 1), dim: D, count: 2 };
  const good = await SegmentedStore.open(rd, { mode: 'mmap' });
  const damagedStore = await SegmentedStore.open(bad, { mode: 'mmap' });
  const fine: number[] = [];
  let hit = 0;
  for (let o = 0; o < 2500; o++) {
    if (touches(o)) {
      hit++;
      if (hit % 10 === 1) expect(() => damagedStore.scoreMultiVector(q, [o])).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining("section 'codes' block 1") }));
    } else if (o % 7 === 0) fine.push(o);
  }
  expect(hit).toBeGreaterThan(0);
  expect(damagedStore.scoreMultiVector(q, fine)).toEqual(good.scoreMultiVector(q, fine));
  expect(() => damagedStore.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
  good.close();
  damagedStore.close();
});
