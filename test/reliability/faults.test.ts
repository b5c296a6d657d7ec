// Simulated I/O faults (ENOSPC, EIO, short writes) during save and open. Two layers:
// 1. the StoreFs seam (every call the store layer makes: manifest, generation folders,
//    entries.json, bm25-vocab.json, fsyncs, renames, cleanup), one fault per save at every
//    call number;
// 2. process-wide node:fs/promises + FileHandle wrappers, reaching the dense, sparse and
//    multi-vector stores' own writes.
// A failed save throws a typed StorageError and leaves the directory byte-for-byte unchanged
// (with storage: 'segments' too: the segment files, bitmaps and list it wrote are removed); a
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
 * The directory is unchanged, byte for byte (every file's content, every folder), with either
 * storage: a segmented save that failed before the index manifest was replaced removed the
 * segment files, deletion bitmaps and versioned list it had written.
 */
function expectUnchanged(after: Map<string, string>, before: Map<string, string>, what: string): void {
  expect(
    [...after.keys()].filter((k) => !before.has(k)),
    `${what}: files left behind`,
  ).toEqual([]);
  expect(after, `${what}: directory changed`).toEqual(before);
}

/**
 * No file under segments/ that no generation on disk (the one in force and those kept for
 * readers) reaches, and no list either (after a successful save).
 */
async function expectNoStrays(idxDir: string): Promise<void> {
  const files = [...(await snapshot(idxDir)).keys()].filter((k) => k.startsWith('segments/') && !k.endsWith('/'));
  if (files.length === 0) return;
  const gens = (await fsp.readdir(idxDir)).filter((n) => /^gen-\d+$/.test(n));
  const named = new Set<string>();
  for (const ch of await fsp.readdir(path.join(idxDir, 'segments'))) {
    for (const g of gens) {
      const ref = JSON.parse(await fsp.readFile(path.join(idxDir, g, ch, 'segments.ref.json'), 'utf8')) as { manifest: string };
      const list = JSON.parse(await fsp.readFile(path.join(idxDir, 'segments', ch, ref.manifest), 'utf8')) as { segments: Array<{ name: string; delGen: number }> };
      named.add(`segments/${ch}/${ref.manifest}`);
      for (const s of list.segments) {
        for (const suffix of ['sparse', 'mvec', 'dense', 'hnsw']) named.add(`segments/${ch}/${s.name}.${suffix}`);
        if (s.delGen > 0) named.add(`segments/${ch}/${s.name}.del-${String(s.delGen).padStart(6, '0')}`);
      }
    }
  }
  const strays = files.filter((f) => !named.has(f));
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
    let { index, idxDir, fpA, fpB } = await setup(1, fs, storage);
    // count the seam calls of one save (into a scratch folder, or — segments save only into
    // their own directory — of a twin index in the same state), then point the index back
    const twin = storage === 'segments' ? (await setup(1, fs, storage, 'twin-1')).index : null;
    fs.arm(0, 'EIO');
    fs.log = [];
    if (twin) await twin.save();
    else await index.save(path.join(dir, 'scratch'));
    await twin?.close();
    const total = fs.calls;
    const segmentCalls = fs.log.filter((c) => c.path.includes(`${path.sep}segments${path.sep}`)).length;
    fs.log = null;
    expect(total).toBeGreaterThan(15);
    if (storage === 'segments') expect(segmentCalls, 'the segment store writes through the seam').toBeGreaterThan(30);
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
        expect(fs.fired, `${kind} at call ${at}`).toBe(true);
        if (err) {
          failed++;
          expect(err, `${kind} at call ${at}`).toBeInstanceOf(StorageError);
          expect((err as StorageError).code).toBe('IO_ERROR');
          expect((err as Error).message).toMatch(/injected fault/);
          expectUnchanged(await snapshot(idxDir), state, `${kind} at call ${at}`);
          // (byte-identical implies the old state; reopened on a sample for segments, whose
          // every success restarts from a fresh index)
          if (first && (storage === 'default' || at % 5 === 0)) expect(await reopened(idxDir)).toBe(fpA);
        } else {
          // the fault hit a best-effort step after the commit point: the new state is on disk
          succeeded++;
          expect(await reopened(idxDir)).toBe(fpB);
          if (storage === 'segments') {
            // a save after this one would have nothing new for the segments: carry on with a
            // fresh index in state A + unsaved B, so that every call number meets a full save
            await index.close();
            fs.arm(0, 'EIO');
            ({ index, idxDir, fpA, fpB } = await setup(1, fs, storage, `idx-1-${at}`));
          } else first = false;
        }
        // the in-memory index is intact either way
        if (at % 10 === 0) expect(await fingerprint(index)).toBe(fpB);
      }
    }
    console.log(`[faults] ${storage} seam: ${total} faults injected (one at each of the ${total} calls of a save${storage === 'segments' ? `, ${segmentCalls} of them under segments/` : ''}, ENOSPC/EIO/short rotating): ${failed} typed failures with the directory unchanged, ${succeeded} after the commit point`);
    expect(failed).toBeGreaterThan(storage === 'default' ? total - 6 : 50);
    fs.arm(0, 'EIO');
    await index.save();
    expect(await reopened(idxDir)).toBe(fpB);
    await expectNoStrays(idxDir);
    await index.close();
  });

  it('a failed save whose cleanup fails too leaves files the next successful save collects', async () => {
    const fs = new FaultyFs();
    const { index, idxDir, fpA, fpB } = await setup(4, fs, storage);
    // the call that replaces manifest.json (the commit point), counted on a twin
    const twin = (await setup(4, fs, storage, 'twin-4')).index;
    fs.arm(0, 'EIO');
    fs.log = [];
    await twin.save();
    await twin.close();
    const at = fs.log.findIndex((c) => c.op === 'rename' && c.path.endsWith(`manifest.json.tmp`)) + 1;
    fs.log = null;
    expect(at).toBeGreaterThan(0);
    const before = await snapshot(idxDir);
    fs.arm(at, 'EIO');
    fs.rmFails = true;
    const err = await index.save().then(
      () => null,
      (e: unknown) => e,
    );
    fs.rmFails = false;
    expect(fs.fired).toBe(true);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('IO_ERROR');
    const after = await snapshot(idxDir);
    // every file that was there is unchanged; the leftovers are the new generation and (segments) its segment files
    for (const [k, v] of before) expect(after.get(k), `${k} changed`).toBe(v);
    const left = [...after.keys()].filter((k) => !before.has(k) && !k.endsWith('/'));
    expect(left.length).toBeGreaterThan(0);
    if (storage === 'segments') expect(left.some((k) => k.startsWith('segments/') && /seg-\d+\./.test(k))).toBe(true);
    expect(await reopened(idxDir)).toBe(fpA);
    fs.arm(0, 'EIO');
    await index.save();
    expect(await reopened(idxDir)).toBe(fpB);
    const now = await snapshot(idxDir);
    // the failed generation is collected; a leftover segment file is collected or, its name
    // being reused by this save's commit, rewritten and named by the list in force
    for (const k of left) if (!k.startsWith('segments/')) expect(now.has(k), `${k} left behind`).toBe(false);
    await expectNoStrays(idxDir);
    await index.close();
  });

  it('a first save failing at any file-system call leaves the directory as create() left it', async () => {
    const fs = new FaultyFs();
    const docs = makeDocs(rng(5), 12, 'f');
    const fresh = async (name: string) => {
      fs.arm(0, 'EIO');
      const index = await createIndex(path.join(dir, name), { fs, wal: false, ...(storage === 'segments' ? { storage } : {}) });
      await index.add(docs);
      return { index, idxDir: path.join(dir, name) };
    };
    const twin = await fresh('twin-5');
    fs.arm(0, 'EIO');
    fs.log = [];
    await twin.index.save();
    // every call up to the commit point (the rename of manifest.json.tmp) and one after it
    // (the best-effort steps after it are covered above)
    const total = fs.log.findIndex((c) => c.op === 'rename' && c.path.endsWith('manifest.json.tmp')) + 2;
    fs.log = null;
    expect(total).toBeGreaterThan(2);
    await twin.index.close();
    const fp = await referenceFingerprint(docs);
    let { index, idxDir } = await fresh('idx-5');
    let failed = 0;
    for (let at = 1; at <= total; at++) {
      const kind = KINDS[at % KINDS.length]!;
      const state = await snapshot(idxDir);
      fs.arm(at, kind);
      const err = await index.save().then(
        () => null,
        (e: unknown) => e,
      );
      expect(fs.fired, `${kind} at call ${at}`).toBe(true);
      if (err) {
        failed++;
        expect(err, `${kind} at call ${at}`).toBeInstanceOf(StorageError);
        expect((err as StorageError).code).toBe('IO_ERROR');
        expectUnchanged(await snapshot(idxDir), state, `${kind} at call ${at}`);
        continue;
      }
      expect(await reopened(idxDir)).toBe(fp); // a tolerated fault: saved
      await index.close();
      ({ index, idxDir } = await fresh(`idx-5-${at}`));
    }
    console.log(`[faults] ${storage} first save: ${total} faults injected (every call up to the commit point and one after): ${failed} typed failures with the directory as create() left it`);
    // (a save also succeeds when the fault hits a step whose failure it tolerates: reading a
    // manifest that is not there yet, a probe stat, a best-effort directory fsync)
    expect(failed).toBeGreaterThan(total * 0.75);
    fs.arm(0, 'EIO');
    await index.save();
    expect(await reopened(idxDir)).toBe(fp);
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
    let { index, idxDir, fpB } = await setup(3, undefined, storage);
    const twin = storage === 'segments' ? (await setup(3, undefined, storage, 'twin-3')).index : null;
    const probe = await withProcessFaults(0, 'EIO', () => (twin ? twin.save() : index.save(path.join(dir, 'scratch'))));
    await twin?.close();
    expect(await fingerprint(index)).toBe(fpB);
    expect(probe.error).toBeUndefined();
    // default storage: every save rewrites everything; segments: each fault meets a save with
    // a new segment and deletion bitmaps to write (after a success, a fresh index in that state)
    if (storage === 'default') await index.save(idxDir);
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
        injected++;
        expect(run.fired, `${kind} at call ${at}`).toBe(true);
        if (run.error) {
          failed++;
          expect(run.error, `${kind} at call ${at}`).toBeInstanceOf(TridentError);
          expect((run.error as TridentError).code).toBe('IO_ERROR');
          expectUnchanged(await snapshot(idxDir), state, `${kind} at call ${at}`);
        } else {
          succeeded++;
          expect(await reopened(idxDir)).toBe(fpB);
          if (storage === 'segments') {
            await index.close();
            ({ index, idxDir, fpB } = await setup(3, undefined, storage, `idx-3-${at}`));
          }
        }
      }
    }
    console.log(`[faults] ${storage} process-wide: ${injected} faults injected over ${total} fs calls per save: ${failed} typed failures with the directory unchanged, ${succeeded} after the commit point`);
    expect(failed).toBeGreaterThan(injected / 2);
    expect(injected).toBeGreaterThan(total / 3);
    await index.save();
    expect(await reopened(idxDir)).toBe(fpB);
    await expectNoStrays(idxDir);
    await index.close();
  });
});
