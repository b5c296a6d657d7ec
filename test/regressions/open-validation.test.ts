// Regression (issue 13 item 11, open): the manifest's `config` was not validated at open
// (`candidates: -1` opened and failed at search), inconsistencies between entries.json and the
// stores were not detected (phantom documents failed searches with UNKNOWN_ID), and symbolic
// links inside an index directory were followed out of it. All three are refused at open with
// CORRUPT_FILE naming the file. Checksums are recomputed, as anyone editing the files could.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { StorageError } from '../../src/errors.js';
import { crc32, MANIFEST_FILE, WAL_FILE, type Manifest } from '../../src/store/index.js';
import { encodeManifest } from '../../src/store/manifest.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, makeDocs, rng } from '../reliability/corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-openval-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });
const openError = (p: string) =>
  open(p).then(
    async (i) => {
      await i.close();
      return null;
    },
    (e: unknown) => e,
  );

async function saved(p: string, n = 8, wal = false) {
  const index = await createIndex(p, { wal });
  await index.add(makeDocs(rng(4), n, 'a'));
  await index.save();
  await index.close();
}
const readManifest = async (p: string) => JSON.parse(await fsp.readFile(path.join(p, MANIFEST_FILE), 'utf8')) as Manifest & { checksum?: number };
async function writeManifest(p: string, m: Manifest & { checksum?: number }) {
  const { checksum: _c, ...rest } = m;
  await fsp.writeFile(path.join(p, MANIFEST_FILE), encodeManifest(rest as Manifest));
}
/** Rewrites a data file and fixes its length and CRC in the manifest. */
async function replaceFile(p: string, name: string, bytes: Uint8Array) {
  const m = await readManifest(p);
  await fsp.writeFile(path.join(p, m.dir, name), bytes);
  const f = m.files.find((x) => x.name === name)!;
  f.bytes = bytes.length;
  f.crc32 = crc32(bytes);
  await writeManifest(p, m);
}

describe('open() validates what a checksum cannot', () => {
  it('a bad config in manifest.json → CORRUPT_FILE naming manifest.json, at open', async () => {
    const p = path.join(dir, 'i');
    await saved(p);
    const good = await readManifest(p);
    const ch = (c: Record<string, unknown>, name: string) => (c.channels as Array<Record<string, unknown>>).find((x) => x.name === name)!;
    const fusion = (c: Record<string, unknown>) => c.fusion as Record<string, unknown>;
    const edits: Array<[string, (c: Record<string, unknown>) => void]> = [
      ['candidates -1', (c) => (c.candidates = -1)],
      ['candidates 1.5', (c) => (c.candidates = 1.5)],
      ['rrfK 0', (c) => (fusion(c).rrfK = 0)],
      ['weights overflow', (c) => (fusion(c).weights = { dense: 1e308, sparse: 1e308, multivector: 1e308 })],
      ['weights as an array', (c) => (fusion(c).weights = [1, 0.3, 1])],
      ['weights of an unknown channel', (c) => (fusion(c).weights = { nope: 1 })],
      ['default channels unknown', (c) => (fusion(c).channels = ['dense', 'nope'])],
      ['default channels empty', (c) => (fusion(c).channels = [])],
      ['fusion kind', (c) => (fusion(c).kind = 'nope')],
      ['version 3', (c) => (c.version = 3)],
      ['no channels', (c) => (c.channels = [])],
      ['channel kind', (c) => (ch(c, 'dense').kind = 'graph')],
      ['channel name', (c) => (ch(c, 'dense').name = '../up')],
      ['channel name twice', (c) => (ch(c, 'sparse').name = 'dense')],
      ['channel source', (c) => (ch(c, 'dense').source = 'web')],
      ['dense dtype', (c) => (ch(c, 'dense').dtype = 'f8')],
      ['dense dimensions', (c) => (ch(c, 'dense').dimensions = -3)],
      ['bm25 b', (c) => (ch(c, 'bm25').b = 7)],
      ['bm25 analyzer', (c) => (ch(c, 'bm25').analyzer = 'klingon')],
      ['poolFactor', (c) => (ch(c, 'multivector').poolFactor = 0)],
      ['storeText', (c) => (c.storeText = 'yes')],
      [
        'no config',
        (c) =>
          Object.keys(c).forEach((k) => {
            delete c[k];
          }),
      ],
    ];
    for (const [what, edit] of edits) {
      const m = structuredClone(good);
      edit(m.config as Record<string, unknown>);
      await writeManifest(p, m);
      const err = await openError(p);
      expect(err, what).toBeInstanceOf(StorageError);
      expect((err as StorageError).code, what).toBe('CORRUPT_FILE');
      expect((err as StorageError).file, what).toBe(MANIFEST_FILE);
    }
    await writeManifest(p, good);
    await (await open(p)).close();
  });

  it('entries.json that does not match the stores → CORRUPT_FILE naming a file, at open', async () => {
    const p = path.join(dir, 'i');
    const q = path.join(dir, 'j');
    await saved(p, 8);
    await saved(q, 3);
    const mp = await readManifest(p);
    const mq = await readManifest(q);
    // entries.json of a 3-document index beside the stores of an 8-document one, and back
    const small = await fsp.readFile(path.join(q, mq.dir, 'entries.json'));
    const big = await fsp.readFile(path.join(p, mp.dir, 'entries.json'));
    await replaceFile(p, 'entries.json', small);
    await replaceFile(q, 'entries.json', big);
    for (const x of [p, q]) {
      const err = await openError(x);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('CORRUPT_FILE');
      expect((err as StorageError).file).toMatch(/^gen-\d+\/(dense|sparse|multivector|bm25)\//);
    }
  });

  it('symbolic links inside the index directory are refused, not followed', async () => {
    const p = path.join(dir, 'i');
    await saved(p, 4, true);
    const m = await readManifest(p);
    const outside = path.join(dir, 'outside');
    await fsp.mkdir(outside);
    const targets = ['entries.json', 'dense', 'bm25/sparse.bin', MANIFEST_FILE, WAL_FILE];
    for (const t of targets) {
      const rel = t === MANIFEST_FILE || t === WAL_FILE ? t : `${m.dir}/${t}`;
      const real = path.join(p, rel);
      const moved = path.join(outside, t.replace(/\//g, '_'));
      await fsp.rename(real, moved);
      await fsp.symlink(moved, real);
      const err = await openError(p);
      expect(err, t).toBeInstanceOf(StorageError);
      expect((err as StorageError).code, t).toBe('CORRUPT_FILE');
      expect((err as StorageError).message, t).toContain('symbolic link');
      await fsp.rm(real);
      await fsp.rename(moved, real);
    }
    await (await open(p)).close();
  });
});
