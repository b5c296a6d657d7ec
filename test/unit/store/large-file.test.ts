import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumFile, crc32, crc32Update, readLargeFile, writeChunks } from '../../../src/store/index.js';

// Independent oracle: bit-at-a-time CRC-32 (reflected polynomial 0xEDB88320), no table, no zlib.
function crcBitwise(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-large-file-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('chunked file I/O and streamed CRC-32', () => {
  it('crc32 matches the published check value and a bitwise oracle; crc32Update chains', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    for (const n of [0, 1, 3, 64, 1000, 4097]) {
      const d = bytes(n, n + 1);
      expect(crc32(d)).toBe(crcBitwise(d));
      for (const cut of [0, Math.floor(n / 3), n]) expect(crc32Update(crc32(d.subarray(0, cut)), d.subarray(cut))).toBe(crcBitwise(d));
    }
  });

  it('readLargeFile and checksumFile agree with fs.readFile and the oracle at every chunk boundary', async () => {
    for (const n of [0, 1, 6, 7, 8, 13, 14, 15, 1000]) {
      const d = bytes(n, 7 * n + 3);
      const f = path.join(dir, `f-${n}.bin`);
      await fsp.writeFile(f, d);
      for (const chunkBytes of [1, 7, 64, 1 << 20]) {
        const back = await readLargeFile(f, { chunkBytes });
        expect(Buffer.from(back).equals(await fsp.readFile(f))).toBe(true);
        expect(back.byteOffset).toBe(0);
        expect(await checksumFile(f, { chunkBytes })).toEqual({ bytes: n, crc32: crcBitwise(d) });
      }
    }
  });

  it('writeChunks writes every part in order, split into bounded writes', async () => {
    const parts = [bytes(10, 1), new Uint8Array(0), bytes(23, 2), bytes(1, 3)];
    const f = path.join(dir, 'w.bin');
    const h = await fsp.open(f, 'w');
    await writeChunks(h, parts, { chunkBytes: 4 });
    await h.close();
    expect(Buffer.from(await fsp.readFile(f)).equals(Buffer.concat(parts))).toBe(true);
  });

  it('reports the file system error of a missing file', async () => {
    await expect(readLargeFile(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(checksumFile(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // Past Node's 2 GiB single-read limit (fs.readFile throws ERR_FS_FILE_TOO_LARGE there).
  // A sparse 2.2 GB file, checked against Python's zlib; opt-in (disk and ~10 s of CPU).
  it.skipIf(process.env.TRIDENT_LARGE_FILE_TEST !== '1')(
    'checksums a file larger than 2 GiB',
    async () => {
      const f = path.join(dir, 'big.bin');
      const size = 2_200_000_000;
      const h = await fsp.open(f, 'w');
      await h.truncate(size);
      await h.write(Uint8Array.of(1, 2, 3), 0, 3, size - 3);
      await h.close();
      await expect(fsp.readFile(f)).rejects.toMatchObject({ code: 'ERR_FS_FILE_TOO_LARGE' });
      const { execFileSync } = await import('node:child_process');
      const py = `import zlib\nc=0\nwith open(${JSON.stringify(f)},'rb') as fh:\n  while True:\n    b=fh.read(1<<26)\n    if not b: break\n    c=zlib.crc32(b,c)\nprint(c)`;
      const expected = Number(execFileSync('python3', ['-c', py]).toString().trim());
      expect(await checksumFile(f)).toEqual({ bytes: size, crc32: expected });
      await fsp.rm(f);
    },
    120_000,
  );
});
