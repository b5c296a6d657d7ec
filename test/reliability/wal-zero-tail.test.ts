// Regression (issue 13 item 2): a zero-filled WAL tail (what power loss leaves) made open()
// throw an untyped RangeError: a len=0, crc=0 record passed its CRC. Now records carry a mark,
// a non-zero length and a CRC over length and payload, so zeros never read as a record: a
// torn or zero tail is the end of the log, and a bad record followed by a valid one is
// CORRUPT_FILE naming wal.log and the byte offset.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { StorageError } from '../../src/errors.js';
import { WAL_FILE } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, referenceFingerprint, rng } from './corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-zerotail-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });

/** An index whose documents live only in wal.log (three records); returns the record offsets. */
async function logged(p: string) {
  const r = rng(12);
  const batches = [makeDocs(r, 3, 'a'), makeDocs(r, 2, 'b'), makeDocs(r, 4, 'c')];
  const index = await createIndex(p, { wal: true });
  const offsets: number[] = [];
  for (const b of batches) {
    offsets.push((await fsp.stat(path.join(p, WAL_FILE))).size);
    await index.add(b);
  }
  await index.close();
  return { docs: batches.flat(), offsets, whole: await fsp.readFile(path.join(p, WAL_FILE)) };
}

async function openError(p: string): Promise<unknown> {
  return open(p).then(
    async (i) => {
      await i.close();
      return null;
    },
    (e: unknown) => e,
  );
}

describe('zero-filled and damaged WAL records', () => {
  it('8 to 64 KiB of zeros after the last record are the end of the log', async () => {
    const p = path.join(dir, 'i');
    const { docs, whole } = await logged(p);
    const want = await referenceFingerprint(docs);
    for (const n of [8, 12, 13, 100, 4096, 65536]) {
      await fsp.writeFile(path.join(p, WAL_FILE), Buffer.concat([whole, Buffer.alloc(n, 0)]));
      const again = await open(p);
      expect(await fingerprint(again), `${n} zero bytes`).toBe(want);
      await again.close();
      expect((await fsp.stat(path.join(p, WAL_FILE))).size).toBe(whole.length);
    }
  });

  it('zeros over the last record (a torn append) drop just that record', async () => {
    const p = path.join(dir, 'i');
    const { docs, offsets, whole } = await logged(p);
    const cut = Buffer.from(whole);
    cut.fill(0, offsets[2]!);
    await fsp.writeFile(path.join(p, WAL_FILE), cut);
    const again = await open(p);
    expect(await fingerprint(again)).toBe(await referenceFingerprint(docs.slice(0, 5)));
    // appends go on after the last whole record
    await again.add([{ id: 'z', text: 'after the zeros', metadata: { rev: 0 } }]);
    await again.close();
    const third = await open(p);
    expect(third.size).toBe(6);
    await third.close();
  });

  it('a zeroed or damaged record followed by a valid one → CORRUPT_FILE naming wal.log and its byte offset', async () => {
    const p = path.join(dir, 'i');
    const { offsets, whole } = await logged(p);
    const at = offsets[1]!;
    const damages: Array<[string, (b: Buffer) => void]> = [
      ['zeroed header', (b) => b.fill(0, at, at + 12)],
      ['zeroed record', (b) => b.fill(0, at, offsets[2]!)],
      [
        'flipped payload byte',
        (b) => {
          b[at + 40] = b[at + 40]! ^ 0x01;
        },
      ],
      [
        'flipped length',
        (b) => {
          b[at + 4] = b[at + 4]! ^ 0x02;
        },
      ],
    ];
    for (const [what, damage] of damages) {
      const bad = Buffer.from(whole);
      damage(bad);
      await fsp.writeFile(path.join(p, WAL_FILE), bad);
      const err = await openError(p);
      expect(err, what).toBeInstanceOf(StorageError);
      expect((err as StorageError).code, what).toBe('CORRUPT_FILE');
      expect((err as StorageError).file).toBe(WAL_FILE);
      expect((err as StorageError).message, what).toContain(`byte ${at}`);
    }
  });
});
