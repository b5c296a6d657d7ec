// Promotion of mapped files into anonymous memory (MapOptions.promote, MappedFile.touch): the
// bytes a view reads are those of fs.readFileSync before, during and after the copy, and the
// range is anonymous memory afterwards (/proc/self/smaps: the file no longer maps there, and
// the range counts as Anonymous); `dontneed` advice, which would zero anonymous pages, is
// refused by the facade and by the addon itself; the process budget (TRIDENT_MMAP_PROMOTE) is
// kept and given back at close; a cold file (its pages dropped from the page cache) is not
// copied, and is once its pages are cached again; a file truncated under the mapping is not
// promoted and still reports CORRUPT_FILE (in a child: a SIGBUS would kill it); without the
// option nothing moves.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { nativeMmap } from '../../../src/kernels/index.js';
import { MappedFile, PROMOTE_MIN_BYTES, PROMOTE_RETRY_MS, promotedTotal, promotionBudget, promotionsPending, resetPromotionBudget } from '../../../src/store/mmap.js';
import { writeRandomFile } from './random-file.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-promote-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const CAN = nativeMmap()?.mmapPromote !== undefined && process.platform === 'linux';

const writeRandom = (name: string, n: number, seed: number) => writeRandomFile(tmp, name, n, seed);

/** smaps entries covering [addr, addr + n): their pathnames and summed Anonymous kB. */
function mappingAt(buf: Uint8Array): { names: string[]; anonKb: number } {
  const addr = BigInt(`0x${nativeAddress(buf)}`);
  const end = addr + BigInt(buf.byteLength);
  const names: string[] = [];
  let anonKb = 0;
  let inside = false;
  for (const l of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
    if (m) {
      inside = BigInt(`0x${m[1]}`) < end && addr < BigInt(`0x${m[2]}`);
      if (inside) names.push(m[3]!);
    } else if (inside && l.startsWith('Anonymous:')) anonKb += Number(/(\d+)/.exec(l)![1]);
  }
  return { names, anonKb };
}

/** The buffer's address, found through /proc/self/smaps by its file while it is still mapped (cached per buffer). */
const addresses = new WeakMap<ArrayBuffer, string>();
function nativeAddress(buf: Uint8Array): string {
  return addresses.get(buf.buffer as ArrayBuffer)!;
}
function rememberAddress(buf: Uint8Array, file: string): void {
  for (const l of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-[0-9a-f]+ \S+ (\S+) \S+ \S+\s*(.*)$/.exec(l);
    if (m && m[3] === file && m[2] === '00000000') addresses.set(buf.buffer as ArrayBuffer, m[1]!);
  }
}

afterEach(() => {
  delete process.env.TRIDENT_MMAP_PROMOTE;
  resetPromotionBudget();
});

describe.runIf(CAN)('promotion of mapped files into anonymous memory', () => {
  it('the first touch copies the file in place: views taken before and after read the same bytes, now from anonymous memory', async () => {
    const p = writeRandom('a', (3 << 20) + 123, 1);
    const want = fs.readFileSync(p);
    const f = await MappedFile.open(p, { mode: 'mmap', promote: true });
    const before = f.bytes(0, f.byteLength);
    rememberAddress(before, p);
    expect(mappingAt(before).names).toEqual([p]);
    expect(f.promoted).toBe(false);
    expect(f.promotion).toBeNull(); // opening does not copy
    const used = promotedTotal();
    const pending = promotionsPending();
    f.touch();
    f.touch(); // one promotion, however many touches
    expect(promotionsPending()).toBe(pending + 1);
    expect(Buffer.from(before).equals(want)).toBe(true); // readable while the copy runs
    expect(await f.promotion).toBe(true);
    expect(promotionsPending()).toBe(pending);
    expect(f.promoted).toBe(true);
    expect(promotedTotal()).toBe(used + f.byteLength);
    const after = f.bytes(0, f.byteLength);
    expect(Buffer.from(before).equals(want)).toBe(true);
    expect(Buffer.from(after).equals(want)).toBe(true);
    const m = mappingAt(before);
    expect(m.names.includes(p)).toBe(false);
    expect(m.anonKb).toBeGreaterThanOrEqual(Math.floor(want.length / 1024) - 4);
    // the file may change on disk now: the copy is what this reader holds
    fs.writeFileSync(p, Buffer.alloc(want.length));
    expect(Buffer.from(f.bytes(0, f.byteLength)).equals(want)).toBe(true);
    f.check();
    f.close();
    expect(promotedTotal()).toBe(used);
  });

  it('dontneed advice on promoted memory is refused (it would zero anonymous pages), by the facade and by the addon', async () => {
    const p = writeRandom('b', 1 << 20, 2);
    const want = fs.readFileSync(p);
    const f = await MappedFile.open(p, { mode: 'mmap', promote: true });
    f.touch();
    expect(await f.promotion).toBe(true);
    const v = f.bytes(0, f.byteLength);
    expect(f.advise(0, f.byteLength, 'dontneed')).toBe(false);
    expect(nativeMmap()!.mmapAdvise(v.buffer as ArrayBuffer, 0, f.byteLength, 4)).toBe(false);
    expect(f.advise(0, f.byteLength, 'willneed')).toBe(true);
    expect(Buffer.from(v).equals(want)).toBe(true);
    f.close();
    // a file that is not promoted still drops its pages (and keeps its bytes: the page cache has them)
    const g = await MappedFile.open(p, { mode: 'mmap' });
    g.touch();
    expect(g.promotion).toBeNull();
    expect(g.advise(0, g.byteLength, 'dontneed')).toBe(true);
    expect(Buffer.from(g.bytes(0, g.byteLength)).equals(want)).toBe(true);
    g.close();
  });

  it('the process budget is kept: a file that does not fit stays mapped until another is closed; 0 turns promotion off; small files and heap reads never move', async () => {
    process.env.TRIDENT_MMAP_PROMOTE = String(5 << 20);
    resetPromotionBudget();
    expect(promotionBudget()).toBe(5 << 20);
    const a = await MappedFile.open(writeRandom('c1', 3 << 20, 3), { mode: 'mmap', promote: true });
    const b = await MappedFile.open(writeRandom('c2', 3 << 20, 4), { mode: 'mmap', promote: true });
    a.touch();
    b.touch();
    expect(await a.promotion).toBe(true);
    expect(b.promotion).toBeNull(); // 6 MiB would exceed the 5 MiB budget
    a.close();
    b.touch(); // room again
    expect(await b.promotion).toBe(true);
    expect(Buffer.from(b.bytes(0, b.byteLength)).equals(fs.readFileSync(path.join(tmp, 'c2')))).toBe(true);
    b.close();
    const small = await MappedFile.open(writeRandom('c3', PROMOTE_MIN_BYTES - 1, 5), { mode: 'mmap', promote: true });
    small.touch();
    expect(small.promotion).toBeNull();
    const heap = await MappedFile.open(path.join(tmp, 'c2'), { mode: 'read', promote: true });
    heap.touch();
    expect(heap.promotion).toBeNull();
    process.env.TRIDENT_MMAP_PROMOTE = '0';
    resetPromotionBudget();
    const off = await MappedFile.open(path.join(tmp, 'c2'), { mode: 'mmap', promote: true });
    off.touch();
    expect(off.promotion).toBeNull();
    // a negative or unreadable value keeps the default (a quarter of memory)
    process.env.TRIDENT_MMAP_PROMOTE = '-3';
    resetPromotionBudget();
    expect(promotionBudget()).toBe(Math.floor(Math.min(os.totalmem(), process.constrainedMemory?.() || Number.POSITIVE_INFINITY) / 4));
  });

  // GNU dd's iflag=nocache asks the kernel to drop the file's cached pages (posix_fadvise
  // DONTNEED); tmpfs keeps its pages whatever is asked (they are the file), so there is no cold file
  const DD = spawnSync('dd', ['--version'], { encoding: 'utf8' }).stdout?.includes('coreutils') === true;
  const TMPFS = fs.statfsSync(tmp).type === 0x01021994;
  it.runIf(DD && !TMPFS)('a cold file stays mapped (the copy would read the disk); once its pages are cached, a later touch promotes it', async () => {
    const p = writeRandom('cold', 4 << 20, 8);
    const want = fs.readFileSync(p);
    const fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd); // written back, so the cache can drop it
    fs.closeSync(fd);
    const drop = spawnSync('dd', [`if=${p}`, 'iflag=nocache', 'count=0', 'status=none']);
    expect(drop.status).toBe(0);
    const f = await MappedFile.open(p, { mode: 'mmap', promote: true });
    const used = promotedTotal();
    f.touch();
    expect(await f.promotion).toBe(false);
    expect(f.promoted).toBe(false);
    expect(promotedTotal()).toBe(used); // the budget is given back
    const first = f.promotion;
    f.touch(); // too soon: not offered again
    expect(f.promotion).toBe(first);
    let sum = 0;
    const v = f.bytes(0, f.byteLength);
    for (let i = 0; i < v.length; i += 4096) sum += v[i]!; // reading faults every page into the cache
    expect(sum).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, PROMOTE_RETRY_MS + 50));
    f.touch();
    expect(await f.promotion).toBe(true);
    expect(Buffer.from(f.bytes(0, f.byteLength)).equals(want)).toBe(true);
    f.close();
  });

  it('a file truncated under the mapping is not promoted and still reports CORRUPT_FILE (no crash)', () => {
    const p = writeRandom('d', 2 << 20, 6);
    const child = fileURLToPath(new URL('./mmap-promote-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child, p], { encoding: 'utf8' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { took: boolean; promoted: boolean; head: number; headAfter: number; error: string | null };
    expect(out).toMatchObject({ took: false, promoted: false, error: 'CORRUPT_FILE' });
    expect(out.headAfter).toBe(out.head); // the first page is still the file's
  });

  it('the addon refuses a buffer that is not the slot it names', async () => {
    const p = writeRandom('e', 1 << 20, 7);
    const r = nativeMmap()!.mmapOpen(p);
    const other = nativeMmap()!.mmapOpen(p);
    expect(() => nativeMmap()!.mmapPromote!(r.buffer, other.slot)).toThrow(/INVALID_ARGUMENT/);
    expect(() => nativeMmap()!.mmapPromote!(new ArrayBuffer(8), r.slot)).toThrow(/INVALID_ARGUMENT/);
    expect(await nativeMmap()!.mmapPromote!(r.buffer, r.slot)).toBe(1);
    expect(await nativeMmap()!.mmapPromote!(r.buffer, r.slot)).toBe(0); // once
  });
});
