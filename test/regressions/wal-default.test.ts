// Issue 14 ("never lose a user's data by default"): close() with unsaved adds dropped them
// without a word. Adds on a path-backed index are now durable by default (the write-ahead log
// is on unless `wal: false`); `wal: false` is the explicit opt-out, and then close() without
// save() loses the unsaved changes, as documented.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { WAL_FILE } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { FULL_CONFIG as full, fingerprint, makeDocs, referenceFingerprint, rng } from '../reliability/corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-waldefault-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });

describe('durable adds by default', () => {
  it('create({ path }) + add + close() without save: a reopen has every acknowledged change', async () => {
    const p = path.join(dir, 'i');
    const docs = makeDocs(rng(1), 10, 'a');
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...full });
    expect(index.config.wal).toBe(true);
    await index.add(docs);
    await index.delete(['a3']);
    await index.close(); // no save()
    const again = await open(p);
    expect(await fingerprint(again)).toBe(await referenceFingerprint(docs.filter((d) => d.id !== 'a3')));
    await again.close();
  });

  it('concurrent adds share the log: all are acknowledged and all replay', async () => {
    const p = path.join(dir, 'i');
    const r = rng(2);
    const batches = Array.from({ length: 12 }, (_, i) => makeDocs(r, 3, `b${i}-`));
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...full });
    await Promise.all(batches.map((b) => index.add(b)));
    await index.close();
    const again = await open(p);
    expect(await fingerprint(again)).toBe(await referenceFingerprint(batches.flat()));
    await again.close();
  });

  it('wal: false is the explicit opt-out: no log, and close() without save() loses the unsaved adds', async () => {
    const p = path.join(dir, 'i');
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, wal: false, ...full });
    await index.add(makeDocs(rng(3), 4, 'a'));
    await index.save();
    await index.add(makeDocs(rng(4), 2, 'z'));
    await index.close();
    await expect(fsp.stat(path.join(p, WAL_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await open(p);
    expect(again.size).toBe(4);
    await again.close();
  });

  it('an index created without a path logs from its first save(dir) on', async () => {
    const p = path.join(dir, 'i');
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...full });
    await index.add(makeDocs(rng(5), 3, 'a'));
    await index.save(p);
    await index.add(makeDocs(rng(6), 2, 'b'));
    await index.close();
    const again = await open(p);
    expect(again.size).toBe(5);
    await again.close();
  });
});
