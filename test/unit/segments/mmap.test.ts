// MappedFile (src/store/mmap.ts): mapped and heap-loaded reads equal fs.readFileSync; bounds,
// alignment, close and advice; a file truncated after mapping is a typed error, not a SIGBUS
// (the same read through a raw mmap without the guard dies with SIGBUS, exit 135, on this Linux).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/errors.js';
import { nativeMemory, nativeMmap } from '../../../src/kernels/index.js';
import { hugeMapping, MappedFile } from '../../../src/store/mmap.js';
import { writeRandomFile } from './random-file.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-mmap-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const HAS_MMAP = nativeMmap() !== null;
const modes = HAS_MMAP ? (['mmap', 'read'] as const) : (['read'] as const);

const writeRandom = (name: string, n: number, seed = 1) => writeRandomFile(tmp, name, n, seed);

describe.each(modes)('MappedFile (%s)', (mode) => {
  it('contents equal fs.readFileSync, for sizes around page boundaries', async () => {
    for (const n of [1, 100, 4095, 4096, 4097, 3 * 65536 + 7]) {
      const p = writeRandom(`f-${mode}-${n}`, n, n);
      const f = await MappedFile.open(p, { mode });
      expect(f.mapped).toBe(mode === 'mmap');
      expect(f.byteLength).toBe(n);
      expect(Buffer.from(f.bytes(0, n)).equals(fs.readFileSync(p))).toBe(true);
      expect(Buffer.from(f.bytes(n - 1, 1)).equals(fs.readFileSync(p).subarray(n - 1))).toBe(true);
      f.check();
      f.close();
    }
  });

  it('a file of 64 KiB or more starts on a page boundary (a heap copy is page-aligned too), so typed views of its sections stay aligned', async () => {
    const n = 5 << 20; // past the huge-page advice threshold of a heap copy
    const p = writeRandom(`aligned-${mode}`, n, 7);
    const f = await MappedFile.open(p, { mode });
    const b = f.bytes(0, n);
    const mem = nativeMemory();
    // the address of byte 0 modulo 4096 (the addon reports a buffer's; views add their offset)
    if (mem !== null) expect((mem.addressMod(b.buffer as ArrayBuffer, 4096) + b.byteOffset) % 4096).toBe(0);
    const u32 = f.view(Uint32Array, 4096 * 3, 8);
    if (mem !== null) expect((mem.addressMod(u32.buffer as ArrayBuffer, 4096) + u32.byteOffset) % 4096).toBe(0);
    expect(u32[5]).toBe(fs.readFileSync(p).readUInt32LE(4096 * 3 + 20));
    expect(Buffer.from(b).equals(fs.readFileSync(p))).toBe(true);
    f.close();
  });

  it('an empty file maps to zero bytes', async () => {
    const p = path.join(tmp, `empty-${mode}`);
    fs.writeFileSync(p, '');
    const f = await MappedFile.open(p, { mode });
    expect(f.byteLength).toBe(0);
    expect(f.bytes(0, 0).length).toBe(0);
    expect(() => f.bytes(0, 1)).toThrow(StorageError);
    f.check();
  });

  it('typed views: aligned and in range, else CORRUPT_FILE naming the file', async () => {
    const p = writeRandom(`typed-${mode}`, 4096 + 64);
    const f = await MappedFile.open(p, { mode });
    const u32 = f.view(Uint32Array, 4096, 16);
    expect(u32[3]).toBe(fs.readFileSync(p).readUInt32LE(4096 + 12));
    for (const bad of [() => f.view(Uint32Array, 4096, 17), () => f.view(Uint32Array, 4098, 1), () => f.bytes(-1, 2), () => f.bytes(0, 1e20)]) {
      try {
        bad();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(StorageError);
        expect((e as StorageError).code).toBe('CORRUPT_FILE');
        expect((e as StorageError).message).toContain(p);
      }
    }
  });

  it('close() is idempotent; later calls are INDEX_CLOSED; earlier views stay readable', async () => {
    const p = writeRandom(`close-${mode}`, 10000);
    const f = await MappedFile.open(p, { mode });
    const v = f.bytes(0, 10000);
    f.close();
    f.close();
    expect(f.closed).toBe(true);
    expect(() => f.bytes(0, 1)).toThrow(expect.objectContaining({ code: 'INDEX_CLOSED' }));
    expect(() => f.check()).toThrow(expect.objectContaining({ code: 'INDEX_CLOSED' }));
    expect(Buffer.from(v).equals(fs.readFileSync(p))).toBe(true); // the view keeps the mapping alive
  });

  it('advice is accepted on a mapping and ignored on a heap copy; results never change', async () => {
    const p = writeRandom(`advise-${mode}`, 5 * 4096 + 3);
    const f = await MappedFile.open(p, { mode });
    for (const a of ['random', 'sequential', 'willneed', 'normal'] as const) expect(f.advise(100, 3 * 4096, a)).toBe(mode === 'mmap');
    expect(Buffer.from(f.bytes(0, f.byteLength)).equals(fs.readFileSync(p))).toBe(true);
    expect(() => f.advise(0, f.byteLength + 1, 'random')).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  });

  it('a missing file is INDEX_NOT_FOUND, a directory IO_ERROR', async () => {
    await expect(MappedFile.open(path.join(tmp, 'nope'), { mode })).rejects.toMatchObject({ code: 'INDEX_NOT_FOUND' });
    await expect(MappedFile.open(tmp, { mode })).rejects.toMatchObject({ code: 'IO_ERROR' });
  });

  it('a file truncated after opening: no crash; a mapping reports CORRUPT_FILE, a heap copy keeps its bytes', () => {
    const p = writeRandom(`trunc-${mode}`, 64 * 4096);
    const child = fileURLToPath(new URL('./mmap-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child, p, mode], { encoding: 'utf8' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { mapped: boolean; error: string | null };
    expect(out.mapped).toBe(mode === 'mmap');
    expect(out.error).toBe(mode === 'mmap' ? 'CORRUPT_FILE' : null);
  });
});

it.runIf(HAS_MMAP)('TRIDENT_MMAP=read turns auto into a heap read', async () => {
  const p = writeRandom('env', 100);
  process.env.TRIDENT_MMAP = 'read';
  try {
    expect((await MappedFile.open(p)).mapped).toBe(false);
  } finally {
    delete process.env.TRIDENT_MMAP;
  }
  expect((await MappedFile.open(p)).mapped).toBe(true);
});

describe('2 MiB page advice on mappings (hugeMapping)', () => {
  it('files from 4 MiB up to a quarter of the memory budget', () => {
    expect(hugeMapping((4 << 20) - 1)).toBe(false);
    expect(hugeMapping(4 << 20)).toBe(os.totalmem() / 4 >= 4 << 20);
    expect(hugeMapping(os.totalmem())).toBe(false);
    expect(hugeMapping(Math.floor(os.totalmem() / 4) + 1)).toBe(false);
    const cap = process.constrainedMemory?.();
    if (typeof cap === 'number' && cap > 0 && cap < os.totalmem()) expect(hugeMapping(Math.floor(cap / 4) + 1)).toBe(false);
  });

  // the kernel reports MADV_HUGEPAGE on a mapping as the flag "hg" in /proc/<pid>/smaps
  it.runIf(HAS_MMAP && process.platform === 'linux' && nativeMemory() !== null)('a mapped big file carries the advice (smaps VmFlags hg), a small one does not; the bytes are the same', async () => {
    const flagsOf = (file: string): string[] => {
      let cur = '';
      const found: string[] = [];
      for (const l of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
        if (/^[0-9a-f]+-[0-9a-f]+ /.test(l)) cur = l;
        else if (cur.endsWith(file) && l.startsWith('VmFlags:')) found.push(l);
      }
      return found;
    };
    const big = writeRandom('huge-advice-big', 6 << 20, 3);
    const small = writeRandom('huge-advice-small', 1 << 20, 4);
    const a = await MappedFile.open(big, { mode: 'mmap' });
    const b = await MappedFile.open(small, { mode: 'mmap' });
    const fa = flagsOf(big);
    const fb = flagsOf(small);
    expect(fa.length).toBeGreaterThan(0);
    expect(fb.length).toBeGreaterThan(0);
    expect(fa.every((l) => l.split(/\s+/).includes('hg'))).toBe(hugeMapping(6 << 20));
    expect(fb.some((l) => l.split(/\s+/).includes('hg'))).toBe(false);
    expect(Buffer.from(a.bytes(0, a.byteLength)).equals(fs.readFileSync(big))).toBe(true);
    a.close();
    b.close();
  });
});
