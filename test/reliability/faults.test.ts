// Simulated I/O faults (ENOSPC, EIO, short writes) during save and open. Two layers:
// 1. the StoreFs seam (every call the store layer makes: manifest, generation folders,
//    entries.json, bm25-vocab.json, fsyncs, renames, cleanup), one fault per save at every
//    call number;
// 2. process-wide node:fs/promises + FileHandle wrappers, reaching the dense, sparse and
//    multi-vector stores' own writes.
// A failed save throws a typed StorageError and leaves the directory byte-for-byte unchanged; a
// save that reports success left the new state; the index keeps working and a later save succeeds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { StorageError, TridentError } from '../../src/errors.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, referenceFingerprint, rng } from './corpus.js';
import { FaultyFs, snapshot, withProcessFaults, type FaultKind } from './disk.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-faults-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const KINDS: FaultKind[] = ['ENOSPC', 'EIO', 'short'];

/** An index saved once (state A) with unsaved changes in memory (state B). */
async function setup(seed: number, fs?: FaultyFs, storage: 'default' | 'segments' = 'default', name = `idx-${seed}`) {
  const r = rng(seed);
  const idxDir = path.join(dir, name);
  const index = await createIndex(idxDir, { ...(fs ? { fs } : {}), wal: false, ...(storage === 'segments' ? { storage } : {}) }); // save() itself; WAL appends are covered by wal.test.ts;
  const docs = makeDocs(r, 25, 'a');
  await index.add(docs);
  await index.save();
  const state = new Map(docs.map((d) => [d.id, d]));
  const fpA = await referenceFingerprint(state.values());
  const gone = docs.filter(() => r() < 0.4).map((d) => d.id);
  await index.delete(gone);
  for (const id of gone) state.delete(id);
  const more = makeDocs(r, 8, 'b', 1);
  await index.add(more);
  for (const d of more) state.set(d.id, d);
  // (the reference is built from scratch: BM25 statistics count deleted documents until a
  // save compacts them, so the reference equals this index after any save)
  const fpB = await referenceFingerprint(state.values());
  return { index, idxDir, fpA, fpB };
}

/**
 * The directory is unchanged — byte for byte with the default storage. With segments, a save
 * that failed after the segment store wrote its files (new segments, a versioned segment list)
 * but before the index manifest was replaced leaves those files behind, unreferenced (known gap;
 * the next successful save collects them): every file that was there is still there, unchanged,
 * and anything new lies under `segments/`.
 */
function expectUnchanged(storage: 'default' | 'segments', after: Map<string, string>, before: Map<string, string>, what: string): void {
  if (storage === 'default') {
    expect(after, `${what}: directory changed`).toEqual(before);
    return;
  }
  for (const [k, v] of before) expect(after.get(k), `${what}: ${k} changed`).toBe(v);
  for (const k of after.keys()) if (!before.has(k)) expect(k.startsWith('segments/'), `${what}: new file ${k} outside segments/`).toBe(true);
}

/** No file under segments/ that the manifest in force does not reach (after a successful save). */
async function expectNoStrays(idxDir: string): Promise<void> {
  const files = [...(await snapshot(idxDir)).keys()].filter((k) => k.startsWith('segments/') && !k.endsWith('/'));
  if (files.length === 0) return;
  const m = JSON.parse(await fsp.readFile(path.join(idxDir, 'manifest.json'), 'utf8')) as { dir: string };
  const named = new Set<string>();
  for (const ch of await fsp.readdir(path.join(idxDir, 'segments'))) {
    const ref = JSON.parse(await fsp.readFile(path.join(idxDir, m.dir, ch, 'segments.ref.json'), 'utf8')) as { manifest: string };
    const list = JSON.parse(await fsp.readFile(path.join(idxDir, 'segments', ch, ref.manifest), 'utf8')) as { segments: Array<{ name: string }> };
    named.add(`segments/${ch}/${ref.manifest}`);
    for (const s of list.segments) for (const f of await fsp.readdir(path.join(idxDir, 'segments', ch))) if (f.startsWith(`${s.name}.`)) named.add(`segments/${ch}/${f}`);
  }
  const strays = files.filter((f) => !named.has(f) && !/segments-\d+\.json$/.test(f));
  expect(strays, 'segment files no segment list names after a successful save').toEqual([]);
}

async function reopened(idxDir: string): Promise<string> {
  const i = await HybridIndex.open(idxDir, { encoder: new FakeEncoder(), readOnly: true });
  const fp = await fingerprint(i);
  await i.close();
  return fp;
}

describe.each(['default', 'segments'] as const)('I/O faults through the StoreFs seam (storage %s)', (storage) => {
  it('a save failing at any file-system call leaves the index on disk unchanged', async () => {
    const fs = new FaultyFs();
    const { index, idxDir, fpA, fpB } = await setup(1, fs, storage);
    // count the seam calls of one save (into a scratch folder, or — segments save only into
    // their own directory — of a twin index in the same state), then point the index back
    fs.arm(0, 'EIO');
    if (storage === 'segments') await (await setup(1, fs, storage, 'twin-1')).index.save();
    else await index.save(path.join(dir, 'scratch'));
    const total = fs.calls;
    expect(total).toBeGreaterThan(15);
    let failed = 0;
    let succeeded = 0;
    let first = true;
    // every call number once, the fault kind rotating (a short write only differs on writeFile)
    for (let at = 1; at <= total; at++) {
      {
        const kind = KINDS[at % KINDS.length]!;
        fs.arm(at, kind);
        const state = await snapshot(idxDir);
        const err = await index.save(idxDir).then(
          () => null,
          (e: unknown) => e,
        );
        if (!fs.fired && storage === 'segments') {
          // a save with nothing new for the segments makes fewer calls than the counted one
          expect(err).toBeNull();
          first = false;
          continue;
        }
        expect(fs.fired).toBe(true);
        if (err) {
          failed++;
          expect(err, `${kind} at call ${at}`).toBeInstanceOf(StorageError);
          expect((err as StorageError).code).toBe('IO_ERROR');
          expect((err as Error).message).toMatch(/injected fault/);
          expectUnchanged(storage, await snapshot(idxDir), state, `${kind} at call ${at}`);
          if (first) expect(await reopened(idxDir)).toBe(fpA);
        } else {
          // the fault hit a best-effort step after the commit point: the new state is on disk
          succeeded++;
          first = false;
          expect(await reopened(idxDir)).toBe(fpB);
        }
        // the in-memory index is intact either way
        if (at % 10 === 0) expect(await fingerprint(index)).toBe(fpB);
      }
    }
    console.log(`[faults] ${storage} seam: ${total} faults injected (one at each of the ${total} calls of a save, ENOSPC/EIO/short rotating): ${failed} typed failures with the directory unchanged, ${succeeded} after the commit point`);
    // segments: saves after the first successful one have nothing new and make fewer calls
    expect(failed).toBeGreaterThan(storage === 'default' ? total - 6 : 20);
    fs.arm(0, 'EIO');
    await index.save();
    expect(await reopened(idxDir)).toBe(fpB);
    await expectNoStrays(idxDir);
    await index.close();
  });

  it('a fault while opening gives a typed error and no index', async () => {
    const { index, idxDir } = await setup(2, undefined, storage);
    await index.save();
    await index.close();
    const fs = new FaultyFs();
    fs.arm(0, 'EIO');
    const ok = await HybridIndex.open(idxDir, { encoder: new FakeEncoder(), fs });
    const total = fs.calls;
    await ok.close();
    for (const kind of ['EIO', 'ENOSPC'] as FaultKind[]) {
      for (let at = 1; at <= total; at++) {
        fs.arm(at, kind);
        const err = await HybridIndex.open(idxDir, { encoder: new FakeEncoder(), fs }).then(
          (i) => {
            void i.close();
            return null;
          },
          (e: unknown) => e,
        );
        expect(err, `${kind} at open call ${at}`).toBeInstanceOf(StorageError);
        expect((err as StorageError).code).toBe('IO_ERROR');
        expect((err as StorageError).file).toBeTruthy();
      }
    }
    console.log(`[faults] ${storage} open: ${2 * total} faults injected (${total} calls per open × ENOSPC/EIO): all typed IO_ERROR naming the file`);
  });
});

describe.each(['default', 'segments'] as const)('I/O faults below the seam (every store file write, storage %s)', (storage) => {
  it('ENOSPC, EIO and short writes inside the stores fail the save and leave the directory unchanged', async () => {
    const { index, idxDir, fpB } = await setup(3, undefined, storage);
    const twin = storage === 'segments' ? (await setup(3, undefined, storage, 'twin-3')).index : null;
    const probe = await withProcessFaults(0, 'EIO', () => (twin ? twin.save() : index.save(path.join(dir, 'scratch'))));
    await twin?.close();
    expect(await fingerprint(index)).toBe(fpB);
    expect(probe.error).toBeUndefined();
    await index.save(idxDir);
    const total = probe.calls;
    expect(total).toBeGreaterThan(30);
    const r = rng(99);
    let failed = 0;
    let succeeded = 0;
    let injected = 0;
    for (let at = 1 + Math.floor(r() * 2); at <= total; at += 1 + Math.floor(r() * 2)) {
      {
        const kind = KINDS[Math.floor(r() * KINDS.length)]!;
        const state = await snapshot(idxDir);
        const run = await withProcessFaults(at, kind, () => index.save());
        if (!run.fired && storage === 'segments') {
          expect(run.error).toBeUndefined(); // nothing new to write: fewer calls than counted
          continue;
        }
        injected++;
        expect(run.fired).toBe(true);
        if (run.error) {
          failed++;
          expect(run.error, `${kind} at call ${at}`).toBeInstanceOf(TridentError);
          expect((run.error as TridentError).code).toBe('IO_ERROR');
          expectUnchanged(storage, await snapshot(idxDir), state, `${kind} at call ${at}`);
        } else {
          succeeded++;
          expect(await reopened(idxDir)).toBe(fpB);
        }
      }
    }
    console.log(`[faults] ${storage} process-wide: ${injected} faults injected over ${total} fs calls per save: ${failed} typed failures with the directory unchanged, ${succeeded} after the commit point`);
    expect(failed).toBeGreaterThan(injected / 2);
    expect(injected).toBeGreaterThan(storage === 'default' ? total / 3 : 10);
    await index.save();
    expect(await reopened(idxDir)).toBe(fpB);
    await expectNoStrays(idxDir);
    await index.close();
  });
});
