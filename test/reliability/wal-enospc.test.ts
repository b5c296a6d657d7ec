// Regression (issue 13 item 1): the WAL on a full disk. append() ignored how many bytes the OS
// accepted, so on ENOSPC an add resolved with a torn record in wal.log; the next failed append
// padded the file, and after space came back open() refused the index (CORRUPT_FILE), losing
// every acknowledged document. Now a short write is an IO_ERROR for that call, the log is cut
// back to its last whole record, later appends work once space returns, and open() never
// refuses an index because of a torn or padded tail.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { StorageError } from '../../src/errors.js';
import { WAL_FILE } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, referenceFingerprint, rng, type Doc } from './corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-enospc-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });
const walSize = async (p: string) => (await fsp.stat(path.join(p, WAL_FILE))).size;

/**
 * Runs `fn` with a disk that accepts `budget` more bytes through FileHandle.write: a write
 * larger than what is left is cut short (the OS returns the short count, no error, as write(2)
 * does), and once nothing is left every write fails with ENOSPC.
 */
async function withDiskFull<T>(budget: number, fn: () => Promise<T>): Promise<T> {
  const h = await fsp.open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(h) as { write: (...a: unknown[]) => Promise<{ bytesWritten: number }> };
  await h.close();
  const orig = proto.write;
  let left = budget;
  proto.write = async function (this: unknown, ...a: unknown[]) {
    const buf = a[0];
    if (!ArrayBuffer.isView(buf)) return orig.apply(this, a);
    const offset = typeof a[1] === 'number' ? a[1] : 0;
    const length = typeof a[2] === 'number' ? a[2] : buf.byteLength - offset;
    if (left <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const n = Math.min(length, left);
    left -= n;
    return orig.call(this, buf, offset, n, a[3]);
  };
  try {
    return await fn();
  } finally {
    proto.write = orig;
  }
}

const doc = (i: number): Doc => ({ id: `f-${String(i).padStart(5, '0')}`, text: 'alpha beta river stone cloud', metadata: { rev: i } });

describe('WAL on a full disk', () => {
  it('a record cut short at every byte offset is an IO_ERROR, leaves the log whole, and appends work again once space returns', async () => {
    const p = path.join(dir, 'i');
    const base = makeDocs(rng(3), 5, 'a');
    const index = await createIndex(p, { wal: true });
    await index.add(base);
    // the length of one record, from an identical add on a scratch index
    const q = path.join(dir, 'probe');
    const probe = await createIndex(q, { wal: true });
    const before = await walSize(q);
    await probe.add([doc(0)]);
    const record = (await walSize(q)) - before;
    await probe.close();
    expect(record).toBeGreaterThan(100);

    const acked = new Map<string | number, Doc>(base.map((d) => [d.id, d]));
    const size0 = await walSize(p);
    for (let k = 0; k < record; k++) {
      const err = await withDiskFull(k, () => index.add([doc(k)])).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `record cut at byte ${k}`).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('IO_ERROR');
      expect(index.size).toBe(acked.size);
      expect(await walSize(p), `cut at ${k}: the log is back to its last whole record`).toBe(size0);
    }
    // space returns: appends work, and what was acknowledged is exactly what a reopen sees
    for (const d of [doc(100001), doc(100002)]) {
      await index.add([d]);
      acked.set(d.id, d);
    }
    await index.close(); // never saved: the log holds every acknowledged add
    const again = await open(p);
    expect(await fingerprint(again)).toBe(await referenceFingerprint(acked.values()));
    await again.close();
  });

  it('a torn, padded or zero-filled tail never stops open()', async () => {
    const p = path.join(dir, 'i');
    const docs = makeDocs(rng(4), 6, 'a');
    const index = await createIndex(p, { wal: true });
    await index.add(docs);
    await index.close();
    const file = path.join(p, WAL_FILE);
    const whole = await fsp.readFile(file);
    const tails = [Buffer.from([0x54, 0x49, 0x44, 0x52, 9, 9]), Buffer.alloc(4096, 0), Buffer.concat([whole.subarray(24, 24 + 50), Buffer.alloc(100, 0)]), Buffer.from('padding padding padding')];
    for (const tail of tails) {
      await fsp.writeFile(file, Buffer.concat([whole, tail]));
      const again = await open(p);
      expect(await fingerprint(again)).toBe(await referenceFingerprint(docs));
      expect((await fsp.stat(file)).size).toBe(whole.length); // the tail was cut off
      await again.close();
    }
  });

  it('on a real full tmpfs (root only; skipped where mount is not allowed)', async (ctx) => {
    const mnt = path.join(dir, 'mnt');
    await fsp.mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip();
      return;
    }
    try {
      const p = path.join(mnt, 'i');
      const index = await createIndex(p, { wal: true });
      const acked = new Map<string | number, Doc>();
      const first = makeDocs(rng(9), 4, 'a');
      await index.add(first);
      for (const d of first) acked.set(d.id, d);
      // fill the file system
      const filler = path.join(mnt, 'filler');
      const fd = fs.openSync(filler, 'w');
      try {
        const chunk = Buffer.alloc(4096, 1);
        for (;;) fs.writeSync(fd, chunk);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(fd);
      }
      let failures = 0;
      for (let i = 0; i < 5; i++) {
        const err = await index.add([doc(i)]).then(
          () => null,
          (e: unknown) => e,
        );
        if (err === null)
          acked.set(doc(i).id, doc(i)); // a record may still fit in the last block
        else {
          expect(err).toBeInstanceOf(StorageError);
          expect((err as StorageError).code).toBe('IO_ERROR');
          failures++;
        }
      }
      expect(failures).toBeGreaterThan(0);
      await fsp.rm(filler); // space returns
      const more = makeDocs(rng(10), 3, 'b');
      await index.add(more);
      for (const d of more) acked.set(d.id, d);
      await index.close(); // never saved
      const again = await open(p);
      expect(await fingerprint(again)).toBe(await referenceFingerprint(acked.values()));
      await again.close();
    } finally {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    }
  });
});
