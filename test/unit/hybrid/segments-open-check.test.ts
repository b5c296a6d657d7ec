// open() checks that the entry table and every channel hold the same documents. For segmented
// channels the count walks the segments' id lists (SegmentedStore.countLive) instead of one
// lookup per id: countLive equals a count of has() over random id lists (committed segments
// with deletions, pending documents, ids never added), and an index whose entries.json lost a
// live entry (the manifest resealed, so only this check can see it) is refused naming a channel.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, StorageError } from '../../../src/index.js';
import { SegmentedStore } from '../../../src/segments/index.js';
import { crc32 } from '../../../src/store/checksum.js';
import { decodeManifest, encodeManifest } from '../../../src/store/manifest.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-open-check-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `d${dirs++}`);

describe('SegmentedStore.countLive', () => {
  it('counts as has() does, over segments with deletions and pending documents', async () => {
    const r = rng(31);
    const store = await SegmentedStore.create(fresh(), { sparse: { scorer: 'dot', k1: 0.9, b: 0.4 } });
    const sparse = () => ({ ids: Uint32Array.of(1 + Math.floor(r() * 50)), weights: Float32Array.of(1) });
    try {
      // three segments of scattered ids (not in one range each), then deletions, then pending adds
      const all = Array.from({ length: 600 }, (_, i) => i * 3 + (i % 2));
      for (let i = all.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      for (let s = 0; s < 3; s++) {
        for (const id of all.slice(s * 150, (s + 1) * 150)) store.add(id, { sparse: sparse() });
        await store.commit();
      }
      for (const id of all.slice(0, 450)) if (r() < 0.2) store.delete(id);
      await store.commit();
      for (const id of all.slice(0, 450)) if (r() < 0.1) store.delete(id); // not committed
      for (const id of all.slice(450)) store.add(id, { sparse: sparse() }); // pending
      for (let t = 0; t < 20; t++) {
        const ids = new Set<number>();
        const want = Math.floor(r() * 900);
        while (ids.size < want) ids.add(Math.floor(r() * 2000));
        const sorted = Uint32Array.from(ids).sort();
        let expected = 0;
        for (const id of sorted) if (store.has(id)) expected++;
        expect(store.countLive(sorted)).toBe(expected);
      }
      expect(store.countLive(new Uint32Array(0))).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('HybridIndex.open: entries and segmented channels must hold the same documents', () => {
  it('refuses an index whose entries.json lost a live entry (checksums resealed)', async () => {
    const dir = fresh();
    const ix = await HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels: [{ name: 's', kind: 'sparse', source: 'vectors' }] });
    await ix.add(Array.from({ length: 40 }, (_, i) => ({ id: `d${i}`, vectors: { s: { ids: Uint32Array.of(i + 1), weights: Float32Array.of(1) } } })));
    await ix.save();
    await ix.close();
    // a sound index opens
    await (await HybridIndex.open(dir, { readOnly: true })).close();
    const manifestPath = path.join(dir, 'manifest.json');
    const m = decodeManifest(fs.readFileSync(manifestPath, 'utf8'));
    const entriesPath = path.join(dir, m.dir, 'entries.json');
    const table = JSON.parse(fs.readFileSync(entriesPath, 'utf8')) as { docs: unknown[] };
    table.docs[7] = null;
    const bytes = Buffer.from(JSON.stringify(table));
    fs.writeFileSync(entriesPath, bytes);
    const f = m.files.find((x) => x.name === 'entries.json')!;
    f.bytes = bytes.length;
    f.crc32 = crc32(bytes);
    fs.writeFileSync(manifestPath, encodeManifest(m));
    const e = await HybridIndex.open(dir, { readOnly: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect(e).toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringMatching(/holds 40 entries of which 39 are among the 39 live entries/) });
  });
});
