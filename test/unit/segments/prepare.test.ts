// A versioned store's two-phase commit (prepare → adopt | abort) and its StoreFs seam: a
// prepared commit is on disk but not read until adopted; an aborted one leaves the directory
// byte-identical and the store as before (pending documents and deletions kept); every file
// the store writes arrives through the seam it was given.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { SegmentedStore, type SegmentChannels } from '../../../src/segments/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { nodeFs, type StoreFs } from '../../../src/store/index.js';
import { snapshot } from '../../reliability/disk.js';
import { rng } from '../../helpers/rng.js';
import { makeDocs, type Doc } from './corpus.js';

const CHANNELS: SegmentChannels = {
  sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 },
  multivector: { dim: 16, dtype: 'f32' },
  dense: { dim: 8, dtype: 'f32', connectivity: 16, expansionAdd: 64, expansionSearch: 64 },
};

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-prepare-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

function denseOf(d: Doc): Float32Array {
  const r = rng(d.id + 1);
  return Float32Array.from({ length: 8 }, () => r() * 2 - 1);
}
const docOf = (d: Doc) => ({ sparse: d.sparse, multivector: d.multivector, dense: denseOf(d) });

/** A seam over node:fs without writeChunks (so segment files arrive as one writeFile) that logs every call and can fail removals. */
function loggingFs(log: Array<[string, string]>, opts: { rmFails?: boolean } = {}): StoreFs {
  const note = (op: string, p: string) => {
    log.push([op, p]);
  };
  return {
    ...nodeFs,
    writeChunks: undefined,
    writeFile: (p, d) => {
      note('writeFile', p);
      return nodeFs.writeFile(p, d);
    },
    rename: (a, b) => {
      note('rename', b);
      return nodeFs.rename(a, b);
    },
    fsync: (p) => {
      note('fsync', p);
      return nodeFs.fsync(p);
    },
    mkdir: (p) => {
      note('mkdir', p);
      return nodeFs.mkdir(p);
    },
    rm: (p) => {
      note('rm', p);
      return opts.rmFails ? Promise.reject(Object.assign(new Error(`EIO: rm '${p}'`), { code: 'EIO' })) : nodeFs.rm(p);
    },
  };
}

/** What a store answers for a few queries (sparse top-k, exact dense top-k, multi-vector top-k over every live document). */
function answers(s: SegmentedStore, docs: readonly Doc[]): string {
  const out: unknown[] = [s.size, s.committedSize];
  for (const d of docs.slice(0, 5)) {
    const sp = s.searchSparse(d.sparse, 10);
    const dn = s.searchDense(denseOf(d), 10, { exact: true });
    const mv = s.candidatesMultiVector(d.multivector, 10);
    out.push([...sp.ids], [...sp.scores], [...dn.ids], [...dn.scores], [...mv.ids], [...mv.scores]);
  }
  return JSON.stringify(out);
}

/** A committed store of the first 30 documents, then 6 of them deleted and 12 more added (pending). */
async function staged(fs: StoreFs) {
  const docs = makeDocs(42, 7);
  const s = await SegmentedStore.create(dir, CHANNELS, { versioned: true, fs });
  for (const d of docs.slice(0, 30)) s.add(d.id, docOf(d));
  await s.commit({ merge: false });
  const gone = docs.slice(0, 30).filter((_, i) => i % 5 === 0);
  for (const d of gone) s.delete(d.id);
  for (const d of docs.slice(30)) s.add(d.id, docOf(d));
  const live = docs.filter((d) => !gone.includes(d));
  return { s, docs, live };
}

describe('SegmentedStore.prepare (versioned two-phase commit)', () => {
  it('abort: the directory byte-identical, the store as before; the same commit prepared again and adopted reads the new state', async () => {
    const log: Array<[string, string]> = [];
    const { s, docs, live } = await staged(loggingFs(log));
    const before = await snapshot(dir);
    const was = answers(s, docs);
    const c = await s.prepare({ merge: false });
    expect(c.result.written).toEqual(['seg-000002']);
    expect(c.manifestFile).toBe('segments-000002.json');
    const during = await snapshot(dir);
    expect([...during.keys()].filter((k) => !before.has(k)).sort()).toEqual(['seg-000001.del-000002', 'seg-000002.dense', 'seg-000002.hnsw', 'seg-000002.mvec', 'seg-000002.sparse', 'segments-000002.json']);
    expect(answers(s, docs)).toBe(was); // not adopted: the state before the commit
    expect(s.manifestFile).toBe('segments-000001.json');
    await expect(s.commit()).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(s.prepare()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await c.abort()).toEqual([]);
    expect(await snapshot(dir)).toEqual(before);
    expect(answers(s, docs)).toBe(was);
    expect(() => c.adopt()).toThrow(InvalidArgumentError);
    // every file the store wrote arrived through the seam (written or renamed into place)
    const targets = new Set(log.filter(([op]) => op === 'writeFile' || op === 'rename').map(([, p]) => path.basename(p)));
    for (const k of during.keys()) expect(targets.has(k), `${k} written past the seam`).toBe(true);

    const again = await s.prepare({ merge: false });
    again.adopt();
    expect(s.manifestFile).toBe('segments-000002.json');
    // oracle: one store committed once with the live documents
    const ref = await SegmentedStore.create(path.join(dir, 'ref'), CHANNELS);
    for (const d of [...live].sort((a, b) => a.id - b.id)) ref.add(d.id, docOf(d));
    await ref.commit();
    const sizes = (x: SegmentedStore) => JSON.parse(answers(x, docs)).slice(2);
    expect(sizes(s)).toEqual(sizes(ref));
    ref.close();
    // a reopen reads the adopted list
    s.close();
    const o = await SegmentedStore.open(dir, { versioned: true, manifest: 'segments-000002.json' });
    expect(answers(o, docs)).toBe(answers(await reopenRef(), docs));
    o.close();
  });

  it('abort whose removals fail: names them, keeps the state; the next commit reuses the names', async () => {
    const log: Array<[string, string]> = [];
    const { s, docs } = await staged(loggingFs(log, { rmFails: true }));
    const was = answers(s, docs);
    const c = await s.prepare({ merge: false });
    const left = await c.abort();
    expect(left.sort()).toEqual(['seg-000001.del-000002', 'seg-000002.dense', 'seg-000002.hnsw', 'seg-000002.mvec', 'seg-000002.sparse', 'segments-000002.json']);
    expect(answers(s, docs)).toBe(was);
    const r = await s.commit({ merge: false });
    expect(r.written).toEqual(['seg-000002']);
    expect(s.manifestFile).toBe('segments-000002.json');
    s.close();
  });

  it('a store whose segments.json is its own commit point refuses prepare', async () => {
    const s = await SegmentedStore.create(dir, CHANNELS);
    await expect(s.prepare()).rejects.toBeInstanceOf(InvalidArgumentError);
    s.close();
  });
});

/** The oracle store of the first test, reopened (its own directory). */
async function reopenRef(): Promise<SegmentedStore> {
  return SegmentedStore.open(path.join(dir, 'ref'));
}
