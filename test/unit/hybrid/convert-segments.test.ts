// Converting a default-storage index to storage: 'segments' (HybridIndex.open(dir, { storage:
// 'segments' })). Oracle: the same index left in the default storage, given the same later
// operations — every search (each channel alone, fused modes, kinds) has identical ids and
// scores before the conversion's save, after it, after more changes and after a reopen; the
// converted directory is a segmented index (segment files, manifest config); a conversion that
// cannot happen (read-only, a channel segments cannot hold, a failed save) leaves the directory
// byte-identical and still a default-storage index; committed format-1 fixtures convert too.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, TridentError } from '../../../src/index.js';
import { nodeFs, type StoreFs } from '../../../src/store/fs-seam.js';
import { FaultyFs, snapshot } from '../../reliability/disk.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-convert-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `i${dirs++}`);
const V1 = fileURLToPath(new URL('../../compat/fixtures/v1/', import.meta.url));

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');
function docs(from: number, n: number, seed: number): Array<{ id: string; text: string }> {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ id: `d${from + i}`, text: Array.from({ length: 3 + Math.floor(r() * 12) }, () => WORDS[Math.floor(r() * r() * WORDS.length)]).join(' ') }));
}
const QUERIES = ['alpha beta', 'gamma gamma delta', 'omega psi chi', 'kappa lambda mu nu', 'zeta'];
const SEARCHES: Array<Record<string, unknown>> = [{ mode: 'all' }, { mode: 'dense' }, { mode: 'sparse' }, { mode: 'multivector' }, { channels: ['bm25'] }, { channels: ['dense', 'bm25'], fusion: { kind: 'rrf' } }, { channels: ['sparse', 'multivector', 'bm25'], fusion: { kind: 'dbsf' } }];

async function answers(ix: HybridIndex, searches = SEARCHES): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) for (const s of searches) out.push((await ix.search(q, { k: 10, exhaustive: true, ...s })).map((h) => [h.id, h.score, h.scores]));
  return out;
}

/** sha256 of every file under `dir` (relative path → hash). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'writer.lock') out[path.relative(dir, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
const manifestStorage = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { config: { storage?: string } }).config.storage ?? 'generations';
const segCount = (ix: HybridIndex, ch: string) => (ix.stats().channels[ch] as { segments?: number }).segments;

/** A saved default-storage index with adds, deletes and an update, and its copy. */
async function built(wal: boolean, mv: 'f16' | 'i8' = 'f16'): Promise<{ encoder: FakeEncoder; dir: string; refDir: string }> {
  const encoder = new FakeEncoder();
  const dir = fresh();
  const ix = await HybridIndex.create({ encoder, path: dir, wal, bm25: {}, multivector: { dtype: mv } });
  await ix.add(docs(0, 120, 1));
  await ix.delete(['d3', 'd50']);
  await ix.update(docs(10, 4, 2));
  await ix.save();
  await ix.add(docs(200, 10, 3)); // only in the log when wal is on (lost otherwise: closed without save)
  await ix.close();
  const refDir = fresh();
  fs.cpSync(dir, refDir, { recursive: true });
  return { encoder, dir, refDir };
}

describe("HybridIndex.open(dir, { storage: 'segments' }) converts a default-storage index", () => {
  for (const wal of [false, true]) {
    it(`searches identically before, at and after the converting save, with later changes and a reopen (wal ${wal})`, async () => {
      const { encoder, dir, refDir } = await built(wal);
      const ref = await HybridIndex.open(refDir, { encoder });
      let conv = await HybridIndex.open(dir, { encoder, storage: 'segments' });
      expect(conv.size).toBe(ref.size);
      expect(await answers(conv)).toEqual(await answers(ref)); // all in the adopted tail
      expect(manifestStorage(dir)).toBe('generations'); // nothing written yet
      // changes before the converting save: new documents join the adopted tail
      for (const ix of [conv, ref]) {
        await ix.add(docs(300, 15, 4));
        await ix.delete(['d7', 'd301']);
        await ix.update(docs(20, 3, 5));
      }
      expect(await answers(conv)).toEqual(await answers(ref));
      await conv.save();
      await ref.save();
      expect(manifestStorage(dir)).toBe('segments');
      for (const ch of ['dense', 'sparse', 'multivector', 'bm25']) {
        expect(segCount(conv, ch), ch).toBe(1);
        expect(
          fs.readdirSync(path.join(dir, 'segments', ch)).some((f) => f.startsWith('seg-')),
          ch,
        ).toBe(true);
      }
      expect(await answers(conv)).toEqual(await answers(ref)); // all in one segment
      // after the conversion: deletes reach the segment, adds a new tail
      for (const ix of [conv, ref]) {
        await ix.delete(['d0', 'd99', 'd305']);
        await ix.add(docs(400, 12, 6));
      }
      expect(await answers(conv)).toEqual(await answers(ref));
      if (wal)
        await conv.close(); // the log carries the unsaved changes into the reopened index
      else {
        await conv.save();
        await ref.save();
        await conv.close();
      }
      conv = await HybridIndex.open(dir, { encoder });
      expect(conv.size).toBe(ref.size);
      expect(await answers(conv)).toEqual(await answers(ref));
      // opening it again with the option is nothing to do; going back is refused
      await conv.close();
      conv = await HybridIndex.open(dir, { encoder, storage: 'segments' });
      expect(await answers(conv)).toEqual(await answers(ref));
      await conv.close();
      const back = await HybridIndex.open(dir, { encoder, storage: 'generations' }).catch((e: unknown) => e);
      expect(back).toBeInstanceOf(TridentError);
      expect((back as TridentError).code).toBe('INVALID_ARGUMENT');
      await (await HybridIndex.open(dir, { encoder })).close(); // the refusal released the lock
      await ref.close();
    });
  }

  it('i8 token vectors are read back and re-quantised to the same scores', async () => {
    const { encoder, dir, refDir } = await built(false, 'i8');
    const ref = await HybridIndex.open(refDir, { encoder });
    const conv = await HybridIndex.open(dir, { encoder, storage: 'segments' });
    await conv.save();
    const searches = [{ mode: 'multivector' }, { mode: 'all' }];
    expect(await answers(conv, searches)).toEqual(await answers(ref, searches));
    await conv.close();
    await ref.close();
  });

  it('a read-only open, a channel segments cannot hold, or a failed converting save leave a byte-identical default-storage index', async () => {
    const { encoder, dir } = await built(false);
    const before = tree(dir);
    const ro = await HybridIndex.open(dir, { encoder, storage: 'segments', readOnly: true }).catch((e: unknown) => e);
    expect((ro as TridentError).code).toBe('INVALID_ARGUMENT');
    expect(tree(dir)).toEqual(before);

    // dense i8 keeps its exact scores in f16 rows that a dense segment does not hold
    const i8Dir = fresh();
    const i8 = await HybridIndex.create({ encoder, path: i8Dir, wal: false, dense: { dtype: 'i8' } });
    await i8.add(docs(0, 30, 7));
    await i8.save();
    await i8.close();
    const i8Before = tree(i8Dir);
    const refused = await HybridIndex.open(i8Dir, { encoder, storage: 'segments' }).catch((e: unknown) => e);
    expect((refused as TridentError).code).toBe('INVALID_ARGUMENT');
    expect((refused as Error).message).toMatch(/dense channel 'dense' has dtype 'i8'/);
    expect(tree(i8Dir)).toEqual(i8Before);
    await (await HybridIndex.open(i8Dir, { encoder })).close(); // lock released

    // the commit point fails: the old index stays in force, whole
    const failing: StoreFs = { ...nodeFs, rename: async (a, b) => (path.basename(b) === 'manifest.json' ? Promise.reject(Object.assign(new Error('injected EIO'), { code: 'EIO' })) : nodeFs.rename(a, b)) };
    const conv = await HybridIndex.open(dir, { encoder, storage: 'segments', fs: failing });
    const err = await conv.save().catch((e: unknown) => e);
    expect((err as TridentError).code).toBe('IO_ERROR');
    await conv.close();
    expect(manifestStorage(dir)).toBe('generations');
    const reopened = await HybridIndex.open(dir, { encoder });
    expect(reopened.size).toBe(120 - 2);
    // and a later conversion goes through
    await reopened.close();
    const again = await HybridIndex.open(dir, { encoder, storage: 'segments' });
    const expected = await answers(again);
    await again.save();
    await again.close();
    const done = await HybridIndex.open(dir, { encoder });
    expect(manifestStorage(dir)).toBe('segments');
    expect(await answers(done)).toEqual(expected);
    await done.close();
  });

  it('an I/O fault at any file-system call of the converting save leaves the old index byte-identical (or, past the commit point, the converted one)', async () => {
    const { encoder, dir: base } = await built(false);
    const before = await snapshot(base);
    const ref = await HybridIndex.open(base, { encoder, readOnly: true });
    const expected = await answers(ref, [{ mode: 'all' }, { channels: ['bm25'] }]);
    await ref.close();
    // the calls a converting save makes
    const probe = new FaultyFs();
    const probeDir = fresh();
    fs.cpSync(base, probeDir, { recursive: true });
    const p = await HybridIndex.open(probeDir, { encoder, storage: 'segments', fs: probe });
    probe.arm(0, 'EIO');
    await p.save();
    await p.close();
    const calls = probe.calls;
    expect(calls).toBeGreaterThan(20);
    let failed = 0;
    for (let at = 1; at <= calls; at++) {
      const dir = fresh();
      fs.cpSync(base, dir, { recursive: true });
      const faulty = new FaultyFs();
      const ix = await HybridIndex.open(dir, { encoder, storage: 'segments', fs: faulty });
      faulty.arm(at, at % 2 ? 'EIO' : 'ENOSPC');
      const err = await ix.save().then(
        () => null,
        (e: unknown) => e,
      );
      await ix.close();
      if (err !== null) {
        failed++;
        expect((err as TridentError).code, `call ${at}`).toBe('IO_ERROR');
        expect(await snapshot(dir), `call ${at}: the directory changed`).toEqual(before);
        expect(manifestStorage(dir)).toBe('generations');
      } else expect(manifestStorage(dir), `call ${at}`).toBe('segments');
      if (at % 7 === 0 || err === null) {
        const back = await HybridIndex.open(dir, { encoder });
        expect(await answers(back, [{ mode: 'all' }, { channels: ['bm25'] }]), `call ${at}`).toEqual(expected);
        await back.close();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(failed).toBeGreaterThan(calls / 2);
  }, 60_000); // ~125 fault runs, each opening, saving and snapshotting an index

  it('a committed format-1 index (f32-bm25 fixture) converts and answers as before', async () => {
    const dir = fresh();
    fs.cpSync(path.join(V1, 'f32-bm25', 'index'), dir, { recursive: true });
    const refDir = fresh();
    fs.cpSync(dir, refDir, { recursive: true });
    const encoder = new FakeEncoder();
    const ref = await HybridIndex.open(refDir, { encoder });
    const conv = await HybridIndex.open(dir, { encoder, storage: 'segments' });
    const searches = [{ mode: 'all' }, { mode: 'dense' }, { mode: 'sparse' }, { mode: 'multivector' }, { mode: 'bm25' }];
    expect(await answers(conv, searches)).toEqual(await answers(ref, searches));
    await conv.save();
    await conv.close();
    const back = await HybridIndex.open(dir, { encoder });
    expect(manifestStorage(dir)).toBe('segments');
    expect(await answers(back, searches)).toEqual(await answers(ref, searches));
    await back.close();
    await ref.close();
  });
});
