// Segment container: round trip, page alignment, eager header/table checks, lazy checksums of
// big sections (first touch or verify()), errors naming the file and section.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { EAGER_CRC_BYTES, SECTION_ALIGN, SegmentFile, writeSegmentFile } from '../../../src/segments/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-box-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const small = Uint8Array.from({ length: 100 }, (_, i) => i);
const big = new Uint8Array(EAGER_CRC_BYTES * 3).map((_, i) => (i * 31) & 0xff);

it('round trip: sections page-aligned, bytes equal, small ones verified at open, big ones on first touch', async () => {
  const p = path.join(tmp, 'a.seg');
  const n = await writeSegmentFile(p, 'test', 3, [
    { name: 'small', data: small },
    { name: 'big', data: [big.subarray(0, 1000), big.subarray(1000)] },
    { name: 'empty', data: new Uint8Array(0) },
  ]);
  expect(n).toBe(fs.statSync(p).size);
  const f = await SegmentFile.open(p, 'test', 3);
  for (const s of f.sections.values()) expect(s.offset % SECTION_ALIGN).toBe(0);
  expect(f.isVerified('small')).toBe(true);
  expect(f.isVerified('big')).toBe(false);
  expect(Array.from(f.view('small', Uint8Array, 100))).toEqual(Array.from(small));
  expect(Buffer.from(f.view('big', Uint8Array, big.length)).equals(Buffer.from(big))).toBe(true);
  expect(f.isVerified('big')).toBe(true);
  expect(() => f.view('big', Uint32Array, 5)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  expect(() => f.section('nope')).toThrow(/section 'nope' is missing/);
  await expect(SegmentFile.open(p, 'other', 3)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
  await expect(SegmentFile.open(p, 'test', 4)).rejects.toMatchObject({ code: 'FORMAT_VERSION_UNSUPPORTED' });
  // a reader of several payload versions (mvec reads 1 and 2) learns which one the file has
  const g = await SegmentFile.open(p, 'test', [2, 3]);
  expect(g.kindVersion).toBe(3);
  g.close();
  await expect(SegmentFile.open(p, 'test', [1, 2])).rejects.toMatchObject({ code: 'FORMAT_VERSION_UNSUPPORTED', message: expect.stringMatching(/reads version 1, 2/) });
});

it('damage in a big section opens fine and is caught on first touch or by verify(), naming file and section', async () => {
  const p = path.join(tmp, 'b.seg');
  await writeSegmentFile(p, 'test', 1, [
    { name: 'small', data: small },
    { name: 'big', data: big },
  ]);
  const f0 = await SegmentFile.open(p, 'test', 1);
  const at = f0.section('big', false).offset + 12345;
  f0.close();
  const buf = fs.readFileSync(p);
  buf[at] ^= 0x10;
  fs.writeFileSync(p, buf);
  const f = await SegmentFile.open(p, 'test', 1); // eager checks pass: the header and table are intact
  expect(() => f.view('big', Uint8Array, big.length)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', message: expect.stringMatching(/b\.seg: section 'big'/) }));
  const g = await SegmentFile.open(p, 'test', 1);
  expect(() => g.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', file: p }));
  // damage in the section table is caught when opening
  const t = fs.readFileSync(p);
  t[64 + 32 + 20] ^= 1;
  fs.writeFileSync(p, t);
  await expect(SegmentFile.open(p, 'test', 1)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
});
