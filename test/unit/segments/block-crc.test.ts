// Per-block checksums of big sections (section 'blockcrc'): a read verifies only the blocks it
// covers (SegmentFile.ensure), so damage in block k fails exactly the reads that touch block k;
// verify() still checks everything; files without the table (written before, or with
// blockBytes 0) read and verify per section as before; the table itself is checked at open.
// Oracles: the bytes written, node's CRC-32 of concatenations, and which block a byte lies in.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BLOCK_CRC_SECTION, CRC_BLOCK_BYTES } from '../../../src/segments/container.js';
import { EAGER_CRC_BYTES, SegmentFile, writeSegmentFile } from '../../../src/segments/index.js';
import { crc32, crc32Combine } from '../../../src/store/checksum.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-blocks-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const B = CRC_BLOCK_BYTES;
const r = rng(16);
// 5 full blocks and a short one
const big = Uint8Array.from({ length: 5 * B + 1000 }, () => Math.floor(r() * 256));
const other = Uint8Array.from({ length: 2 * B + 7 }, () => Math.floor(r() * 256));
const small = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
const SECTIONS = [
  { name: 'small', data: small },
  { name: 'big', data: [big.subarray(0, 12345), big.subarray(12345)] },
  { name: 'other', data: other },
];

async function write(name: string, blockBytes?: number): Promise<string> {
  const p = path.join(tmp, name);
  await writeSegmentFile(p, 'test', 1, SECTIONS, undefined, blockBytes === undefined ? {} : { blockBytes });
  return p;
}

/** Flips one bit of byte `at` of section `name`. */
async function flip(p: string, name: string, at: number): Promise<void> {
  const f = await SegmentFile.open(p, 'test', 1);
  const off = f.section(name, false).offset + at;
  f.close();
  const buf = fs.readFileSync(p);
  buf[off]! ^= 0x20;
  fs.writeFileSync(p, buf);
}

/** Replaces section `name`'s bytes (same length) and reseals the entry, table and header CRCs. */
function reseal(p: string, name: string, edit: (bytes: Uint8Array) => void): void {
  const buf = fs.readFileSync(p);
  const n = buf.readUInt32LE(28);
  for (let i = 0; i < n; i++) {
    const at = 64 + 32 * i;
    if (
      buf
        .subarray(at, at + 12)
        .toString('latin1')
        .replace(/\0+$/, '') !== name
    )
      continue;
    const off = Number(buf.readBigUInt64LE(at + 16));
    const len = Number(buf.readBigUInt64LE(at + 24));
    edit(buf.subarray(off, off + len));
    buf.writeUInt32LE(crc32(buf.subarray(off, off + len)), at + 12);
  }
  buf.writeUInt32LE(crc32(buf.subarray(64, 64 + 32 * n)), 44);
  buf.writeUInt32LE(crc32(buf.subarray(0, 60)), 60);
  fs.writeFileSync(p, buf);
}

const bytesOf = (f: SegmentFile, name: string, a: number, e: number) => Buffer.from(f.mapping.bytes(f.section(name, false).offset + a, e - a));

it('crc32Combine equals the CRC-32 of the concatenation (lengths 0 … several blocks)', () => {
  for (const [la, lb] of [
    [0, 0],
    [0, 5],
    [5, 0],
    [1, 1],
    [3, 4096],
    [B, B],
    [B + 17, 3 * B - 5],
  ] as const) {
    const ab = Uint8Array.from({ length: la + lb }, () => Math.floor(r() * 256));
    expect(crc32Combine(crc32(ab.subarray(0, la)), crc32(ab.subarray(la)), lb)).toBe(crc32(ab));
  }
  // more lengths than the operators kept for reuse (64), some repeated: each answer still exact
  const ab = Uint8Array.from({ length: 3 * B }, () => Math.floor(r() * 256));
  for (let t = 0; t < 150; t++) {
    const lb = t % 3 === 0 ? B : 1 + Math.floor(r() * (2 * B));
    const la = Math.floor(r() * B);
    const x = ab.subarray(0, la + lb);
    expect(crc32Combine(crc32(x.subarray(0, la)), crc32(x.subarray(la)), lb)).toBe(crc32(x));
  }
});

it('the writer adds a block table for sections bigger than EAGER_CRC_BYTES only; whole-section CRCs and bytes are unchanged', async () => {
  const p = await write('plain.seg');
  const old = await write('old.seg', 0);
  const f = await SegmentFile.open(p, 'test', 1);
  const g = await SegmentFile.open(old, 'test', 1);
  expect([...f.sections.keys()]).toEqual(['small', 'big', 'other', BLOCK_CRC_SECTION]);
  expect([...g.sections.keys()]).toEqual(['small', 'big', 'other']);
  expect(f.hasBlocks('big') && f.hasBlocks('other')).toBe(true);
  expect(f.hasBlocks('small') || g.hasBlocks('big')).toBe(false);
  expect(small.length <= EAGER_CRC_BYTES && other.length > EAGER_CRC_BYTES).toBe(true);
  // block table: header, covered indexes, one CRC per block (oracle: node's CRC of each block)
  const t = f.view(BLOCK_CRC_SECTION, Uint32Array, 2 + 2 + 6 + 3);
  const want = [B, 2, 1, 2];
  for (let i = 0; i < 6; i++) want.push(crc32(big.subarray(i * B, (i + 1) * B)));
  for (let i = 0; i < 3; i++) want.push(crc32(other.subarray(i * B, (i + 1) * B)));
  expect(Array.from(t)).toEqual(want);
  for (const [name, data] of [
    ['small', small],
    ['big', big],
    ['other', other],
  ] as const) {
    expect(f.section(name, false).crc32).toBe(crc32(data));
    expect(g.section(name, false).crc32).toBe(crc32(data));
    expect(bytesOf(f, name, 0, data.length).equals(Buffer.from(data))).toBe(true);
    expect(bytesOf(g, name, 0, data.length).equals(Buffer.from(data))).toBe(true);
  }
  f.verify();
  g.verify();
  f.close();
  g.close();
});

it('one flipped byte in block k: reads of other blocks succeed with the right bytes, a read touching k throws CHECKSUM_MISMATCH, verify() throws', async () => {
  for (const k of [0, 2, 5]) {
    const p = await write(`flip-${k}.seg`);
    const at = k * B + (k === 5 ? 999 : 4321);
    await flip(p, 'big', at);
    const f = await SegmentFile.open(p, 'test', 1); // the table and the small section are intact
    const ok: [number, number][] = [];
    if (k > 0) ok.push([0, k * B], [k * B - 1, k * B]);
    if (k < 5) ok.push([(k + 1) * B, big.length], [(k + 1) * B, (k + 1) * B + 1]);
    for (const [a, e] of ok) {
      f.ensure('big', a, e);
      expect(bytesOf(f, 'big', a, e).equals(Buffer.from(big.subarray(a, e)))).toBe(true);
    }
    expect(f.isVerified('big')).toBe(false);
    for (const [a, e] of [
      [at, at + 1],
      [k * B, k * B + 1],
      [Math.max(0, k * B - 10), k * B + 10],
      [0, big.length],
    ] as const) {
      expect(() => f.ensure('big', a, e)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', file: p, message: expect.stringContaining(`section 'big' block ${k}`) }));
    }
    // the other big section is untouched
    f.ensure('other', 0, other.length);
    expect(() => f.section('big')).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
    expect(() => f.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', file: p }));
    f.close();
    const g = await SegmentFile.open(p, 'test', 1);
    expect(() => g.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining("section 'big'") }));
    g.close();
  }
});

it('without a block table (old files) ensure verifies the whole section: any range fails on damage anywhere in it', async () => {
  const p = await write('old-flip.seg', 0);
  await flip(p, 'big', 3 * B + 5);
  const f = await SegmentFile.open(p, 'test', 1);
  expect(() => f.ensure('big', 0, 10)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining("section 'big' fails") }));
  f.ensure('other', 0, 1);
  expect(f.isVerified('other')).toBe(true);
  expect(() => f.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
  f.close();
});

it('ensure refuses ranges outside the section; empty ranges read nothing', async () => {
  const p = await write('range.seg');
  await flip(p, 'big', 0);
  const f = await SegmentFile.open(p, 'test', 1);
  expect(() => f.ensure('big', 0, big.length + 1)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  expect(() => f.ensure('big', 5, 4)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  expect(() => f.ensure('nope', 0, 0)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  f.ensure('big', 10, 10); // empty: block 0 is damaged but not read
  f.close();
});

it('the block table is checked when the file is opened: damaged bytes, a bad layout, or CRCs that disagree with the section', async () => {
  const p = await write('table.seg');
  const f = await SegmentFile.open(p, 'test', 1);
  const tableAt = f.section(BLOCK_CRC_SECTION, false).offset;
  f.close();
  const buf = fs.readFileSync(p);
  buf[tableAt + 20]! ^= 1;
  fs.writeFileSync(path.join(tmp, 't1.seg'), buf);
  await expect(SegmentFile.open(path.join(tmp, 't1.seg'), 'test', 1)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining(`section '${BLOCK_CRC_SECTION}'`) });
  const layouts: [string, (b: Uint8Array) => void][] = [
    ['block size not a power of two', (b) => new DataView(b.buffer, b.byteOffset).setUint32(0, B + 1, true)],
    ['block size too small', (b) => new DataView(b.buffer, b.byteOffset).setUint32(0, 2048, true)],
    ['covers itself', (b) => new DataView(b.buffer, b.byteOffset).setUint32(12, 3, true)],
    ['indexes not ascending', (b) => new DataView(b.buffer, b.byteOffset).setUint32(12, 1, true)],
    ['a small block size: too few CRCs', (b) => new DataView(b.buffer, b.byteOffset).setUint32(0, 4096, true)],
    ['too many covered sections', (b) => new DataView(b.buffer, b.byteOffset).setUint32(4, 9, true)],
    ['one covered section: CRCs left over', (b) => new DataView(b.buffer, b.byteOffset).setUint32(4, 1, true)],
  ];
  for (const [label, edit] of layouts) {
    const q = path.join(tmp, 'layout.seg');
    fs.copyFileSync(p, q);
    reseal(q, BLOCK_CRC_SECTION, edit);
    await expect(SegmentFile.open(q, 'test', 1), label).rejects.toMatchObject({ code: 'CORRUPT_FILE', file: q });
  }
  // a table whose CRC of block 1 is wrong (resealed, so the table itself checks out): reads of
  // block 1 fail, and so does verify()
  const q = path.join(tmp, 'wrong-crc.seg');
  fs.copyFileSync(p, q);
  reseal(q, BLOCK_CRC_SECTION, (b) => {
    b[4 * (4 + 1)]! ^= 1;
  });
  const g = await SegmentFile.open(q, 'test', 1);
  g.ensure('big', 0, B);
  expect(() => g.ensure('big', B, B + 1)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining("section 'big' block 1") }));
  expect(() => g.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
  g.close();
  // block CRCs that all match the bytes but whose whole-section CRC was resealed wrong: verify() catches it
  const w = path.join(tmp, 'wrong-whole.seg');
  fs.copyFileSync(p, w);
  const wb = fs.readFileSync(w);
  wb.writeUInt32LE((wb.readUInt32LE(64 + 32 + 12) ^ 1) >>> 0, 64 + 32 + 12);
  wb.writeUInt32LE(crc32(wb.subarray(64, 64 + 32 * 4)), 44);
  wb.writeUInt32LE(crc32(wb.subarray(0, 60)), 60);
  fs.writeFileSync(w, wb);
  const h = await SegmentFile.open(w, 'test', 1);
  h.ensure('big', 0, big.length);
  expect(() => h.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining('disagree') }));
  h.close();
});

it('an unknown extra section (what a reader of today sees in a newer file) is ignored: the known ones read as written', async () => {
  const p = path.join(tmp, 'future.seg');
  await writeSegmentFile(p, 'test', 1, [...SECTIONS, { name: 'zzfuture', data: Uint8Array.of(1, 2, 3) }], undefined, { blockBytes: 0 });
  const f = await SegmentFile.open(p, 'test', 1);
  f.verify();
  expect(Buffer.from(f.view('big', Uint8Array, big.length)).equals(Buffer.from(big))).toBe(true);
  f.close();
  await expect(writeSegmentFile(path.join(tmp, 'x.seg'), 'test', 1, [{ name: BLOCK_CRC_SECTION, data: small }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(writeSegmentFile(path.join(tmp, 'x.seg'), 'test', 1, SECTIONS, undefined, { blockBytes: 3000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  expect(fs.existsSync(path.join(tmp, 'x.seg'))).toBe(false);
});
