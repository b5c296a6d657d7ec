// The write-ahead log (HybridIndex.create({ wal: true })): acknowledged changes survive without
// save(), torn tails are dropped, damage is reported naming wal.log, a log superseded by a save is
// ignored, and a failed append changes nothing. Crash trials with real SIGKILLs are in crash.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { StorageError } from '../../src/errors.js';
import { decodeRecord, encodeRecord, WAL_FILE } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, referenceFingerprint, rng, type Doc } from './corpus.js';
import { snapshot, withProcessFaults } from './disk.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-wal-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });
const noBm25 = { bm25: false } as const;

/** A WAL index with a saved base and unsaved changes; returns the expected live documents. */
async function scenario(p: string) {
  const r = rng(11);
  const index = await createIndex(p, { wal: true });
  const base = makeDocs(r, 15, 'a');
  await index.add(base);
  await index.save();
  const state = new Map<string | number, Doc>(base.map((d) => [d.id, d]));
  const more = makeDocs(r, 6, 'b', 1);
  await index.add(more);
  for (const d of more) state.set(d.id, d);
  await index.delete(['a1', 'a2', 'b0', 'nope']);
  for (const id of ['a1', 'a2', 'b0']) state.delete(id);
  const upd = [
    { id: 'a3', text: 'completely new text about clouds', metadata: { rev: 2 } },
    { id: 'c9', text: 'an upserted document', metadata: { rev: 2 } },
  ];
  await index.update(upd);
  for (const d of upd) state.set(d.id, d);
  return { index, state };
}

describe('write-ahead log', () => {
  it('record encoding round-trips every typed-array kind', () => {
    const rec = { op: 'x', a: Float32Array.of(1.5, -2), b: Uint32Array.of(7), c: Int8Array.of(-3, 4, 5), d: Float64Array.of(Math.PI), e: [Uint16Array.of(9)], s: 'ü', n: null };
    const back = decodeRecord(encodeRecord(rec)) as typeof rec;
    expect(back).toEqual(rec);
    expect(back.d).toBeInstanceOf(Float64Array);
  });

  it('a crash after acknowledged calls (no save) keeps them all', async () => {
    const p = path.join(dir, 'i');
    const { index, state } = await scenario(p);
    // "crash": the first instance is never saved; close() writes nothing (it only releases the
    // writer lock, which a killed process's successor recovers: crash.test.ts kills real processes)
    await index.close();
    const again = await open(p);
    expect(again.size).toBe(state.size);
    expect(await fingerprint(again, noBm25)).toBe(await referenceFingerprint(state.values(), noBm25));
    await again.close();
  });

  it('save() folds the log into a generation and starts an empty one; reopen is unchanged', async () => {
    const p = path.join(dir, 'i');
    const { index, state } = await scenario(p);
    const before = (await fsp.stat(path.join(p, WAL_FILE))).size;
    await index.save();
    expect((await fsp.stat(path.join(p, WAL_FILE))).size).toBeLessThan(before);
    await index.close();
    const again = await open(p);
    expect(await fingerprint(again)).toBe(await referenceFingerprint(state.values()));
    await again.close();
  });

  it('a torn last record is dropped (and cut off) while every whole record is kept', async () => {
    const p = path.join(dir, 'i');
    const { index, state } = await scenario(p);
    await index.close();
    const wal = path.join(p, WAL_FILE);
    const whole = await fsp.readFile(wal);
    // a torn append: a record header promising more bytes than follow
    const torn = Buffer.concat([whole, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9])]);
    await fsp.writeFile(wal, torn);
    const again = await open(p);
    expect(await fingerprint(again, noBm25)).toBe(await referenceFingerprint(state.values(), noBm25));
    expect((await fsp.stat(wal)).size).toBe(whole.length);
    // later appends follow the last whole record
    await again.add([{ id: 'z', text: 'after the tear', metadata: { rev: 0 } }]);
    await again.close();
    const third = await open(p);
    expect(third.size).toBe(state.size + 1);
    await third.close();
  });

  it('damage inside the log (not a torn tail) → CORRUPT_FILE naming wal.log, nothing served', async () => {
    const p = path.join(dir, 'i');
    const { index } = await scenario(p);
    await index.close();
    const wal = path.join(p, WAL_FILE);
    const whole = await fsp.readFile(wal);
    for (const pos of [3, 14, 40, whole.length >> 1]) {
      const bad = Buffer.from(whole);
      bad[pos] = bad[pos]! ^ 0x10;
      await fsp.writeFile(wal, bad);
      const err = await open(p).then(
        async (i) => {
          await i.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect(err, `flip at ${pos}`).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('CORRUPT_FILE');
      expect((err as StorageError).file).toBe(WAL_FILE);
    }
    await fsp.writeFile(wal, whole);
    await (await open(p)).close();
  });

  it('a log left from before the last save (crash between commit and log reset) is ignored', async () => {
    const p = path.join(dir, 'i');
    const { index, state } = await scenario(p);
    const stale = await fsp.readFile(path.join(p, WAL_FILE));
    await index.save();
    await index.close();
    await fsp.writeFile(path.join(p, WAL_FILE), stale); // as if the reset never happened
    const again = await open(p);
    expect(await fingerprint(again)).toBe(await referenceFingerprint(state.values())); // not applied twice
    await again.close();
  });

  it('a failed append (ENOSPC, EIO, short write) rejects the call and changes nothing, in memory or on disk', async () => {
    const p = path.join(dir, 'i');
    const { index, state } = await scenario(p);
    const fp = await fingerprint(index);
    let failures = 0;
    for (const kind of ['ENOSPC', 'EIO', 'short'] as const) {
      // an append is three calls: open, write, fsync
      for (let at = 1; at <= 3; at++) {
        const disk = await snapshot(p);
        const run = await withProcessFaults(at, kind, () => index.add([{ id: `f-${kind}-${at}`, text: 'never stored', metadata: { rev: 0 } }]));
        expect(run.fired).toBe(true);
        expect(run.error, `${kind} at ${at}`).toBeInstanceOf(StorageError);
        expect((run.error as StorageError).code).toBe('IO_ERROR');
        expect(index.size, `${kind} at ${at}: ${(run.error as Error).message}`).toBe(state.size);
        expect(await fingerprint(index)).toBe(fp);
        expect(await snapshot(p)).toEqual(disk);
        failures++;
      }
    }
    expect(failures).toBe(9);
    await index.close();
    const again = await open(p);
    expect(await fingerprint(again, noBm25)).toBe(await referenceFingerprint(state.values(), noBm25));
    await again.close();
  });

  it('wal without a path → INVALID_ARGUMENT', async () => {
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), wal: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
