// Corruption of every file kind (manifest.json, entries.json, dense/*, sparse/*, multivector/*,
// bm25/*, bm25-vocab.json): flipped bits at many positions, truncations and missing files are
// detected at open with a typed StorageError naming the file, never served. A second layer:
// files rewritten with wrong content but a manifest re-checksummed to match (a writer bug) are
// caught by each file's own validation, again naming the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { StorageError } from '../../src/errors.js';
import { crc32 } from '../../src/store/index.js';
import { encodeManifest, type Manifest } from '../../src/store/manifest.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, rng } from './corpus.js';
import { listFiles } from './disk.js';

let dir: string;
let idx: string;
let files: string[];
let fp: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-corrupt-'));
  idx = path.join(dir, 'index');
  const index = await createIndex(idx, { wal: false }); // the saved generation only; wal.log damage is covered by wal.test.ts;
  const r = rng(5);
  const docs = makeDocs(r, 30, 'c');
  await index.add(docs);
  await index.delete(['c3', 'c7']);
  await index.save();
  fp = await fingerprint(index);
  await index.close();
  files = await listFiles(idx);
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = () => HybridIndex.open(idx, { encoder: new FakeEncoder() });

/** Expects open() to throw a StorageError whose `file` names `rel` (relative to the index). */
async function expectDetected(rel: string, what: string): Promise<string> {
  const err = await open().then(
    async (i) => {
      await i.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err, `${what} in ${rel} was not detected`).toBeInstanceOf(StorageError);
  const e = err as StorageError;
  expect(['CORRUPT_FILE', 'CHECKSUM_MISMATCH'], `${what} in ${rel}: ${e.message}`).toContain(e.code);
  expect(e.file, `${what} in ${rel}: error names ${e.file}`).toBe(rel);
  expect(e.message).toContain(path.basename(rel));
  return e.code;
}

/**
 * Positions to damage: every byte of the manifest (its formatting bytes lie outside its
 * checksum), else the 64-byte header region, the tail and a seeded spread.
 */
function positions(rel: string, len: number, seed: number): number[] {
  if (rel === 'manifest.json') return Array.from({ length: len }, (_, i) => i);
  const r = rng(seed);
  const set = new Set<number>([...Array.from({ length: Math.min(len, 64) }, (_, i) => i), len - 1, len - 2, len >> 1]);
  while (set.size < Math.min(len, 100)) set.add(Math.floor(r() * len));
  return [...set].sort((a, b) => a - b);
}

describe('corruption is detected at open, naming the file', () => {
  it('the index directory holds every file kind', () => {
    const gen = files.find((f) => f.startsWith('gen-'))!.split('/')[0];
    expect(files).toEqual(
      ['bm25-vocab.json', 'bm25/sparse.bin', 'dense/dense.rows', 'dense/dense.usearch', 'entries.json', 'multivector/multivector.bin', 'sparse/sparse.bin']
        .map((f) => `${gen}/${f}`)
        .concat('manifest.json')
        .sort(),
    );
  });

  it('flipped bits anywhere in any file', async () => {
    let cases = 0;
    for (const rel of files) {
      const p = path.join(idx, rel);
      const orig = await fsp.readFile(p);
      const r = rng(crc32(new TextEncoder().encode(rel)));
      for (const pos of positions(rel, orig.length, cases)) {
        const bad = Buffer.from(orig);
        bad[pos] = bad[pos]! ^ (1 << Math.floor(r() * 8));
        await fsp.writeFile(p, bad);
        await expectDetected(rel, `bit flip at byte ${pos}`);
        cases++;
      }
      await fsp.writeFile(p, orig);
    }
    console.log(`[corruption] ${cases} bit flips over ${files.length} files, all detected`);
    const i = await open();
    expect(await fingerprint(i)).toBe(fp);
    await i.close();
  });

  it('truncation, extension and removal of any file', async () => {
    let cases = 0;
    for (const rel of files) {
      const p = path.join(idx, rel);
      const orig = await fsp.readFile(p);
      for (const len of [0, 1, orig.length >> 1, orig.length - 1]) {
        await fsp.writeFile(p, orig.subarray(0, len));
        await expectDetected(rel, `truncation to ${len} bytes`);
        cases++;
      }
      await fsp.writeFile(p, Buffer.concat([orig, Buffer.from([0])]));
      await expectDetected(rel, 'one extra byte');
      await fsp.rm(p);
      const code = await open().then(
        () => null,
        (e: unknown) => e as StorageError,
      );
      expect(code).toBeInstanceOf(StorageError);
      expect(code!.code).toBe(rel === 'manifest.json' ? 'INDEX_NOT_FOUND' : 'CORRUPT_FILE');
      expect(code!.file).toBe(rel);
      cases += 2;
      await fsp.writeFile(p, orig);
    }
    console.log(`[corruption] ${cases} truncations/extensions/removals, all detected`);
    const i = await open();
    expect(await fingerprint(i)).toBe(fp);
    await i.close();
  });

  it('wrong content behind a matching manifest (a writer bug) is caught by the file itself', async () => {
    const mp = path.join(idx, 'manifest.json');
    const origManifest = await fsp.readFile(mp, 'utf8');
    const m = JSON.parse(origManifest) as Manifest & { checksum?: number };
    delete m.checksum;
    /** Rewrites `name` (relative to the generation) and re-checksums the manifest for it. */
    const forge = async (name: string, content: Uint8Array) => {
      await fsp.writeFile(path.join(idx, m.dir, name), content);
      const files2 = m.files.map((f) => (f.name === name ? { name, bytes: content.length, crc32: crc32(content) } : f));
      await fsp.writeFile(mp, encodeManifest({ ...m, files: files2 }));
    };
    const cases: Array<[string, (orig: Buffer) => Uint8Array]> = [
      ['entries.json', () => new TextEncoder().encode('{"entries": 5}')],
      ['entries.json', (o) => o.subarray(0, o.length - 3)],
      ['entries.json', () => Uint8Array.of(0xff, 0xfe, 0x7b, 0x7d)],
      ['bm25-vocab.json', () => new TextEncoder().encode('[1,2,3]')],
      ['bm25-vocab.json', (o) => o.subarray(0, 10)],
      ['dense/dense.rows', (o) => o.subarray(0, 40)],
      ['dense/dense.rows', (o) => flip(o, o.length - 5)],
      ['dense/dense.usearch', (o) => flip(o, o.length >> 1)],
      ['sparse/sparse.bin', (o) => o.subarray(0, o.length - 4)],
      ['sparse/sparse.bin', (o) => flip(o, 0)],
      ['bm25/sparse.bin', (o) => flip(o, 8)],
      ['multivector/multivector.bin', (o) => flip(o, o.length - 1)],
      ['multivector/multivector.bin', (o) => o.subarray(0, 70)],
    ];
    for (const [name, make] of cases) {
      const p = path.join(idx, m.dir, name);
      const orig = await fsp.readFile(p);
      await forge(name, make(orig));
      const err = await open().then(
        async (i) => {
          await i.close();
          return null;
        },
        (e: unknown) => e as StorageError,
      );
      expect(err, `forged ${name} was served`).toBeInstanceOf(StorageError);
      expect(['CORRUPT_FILE', 'CHECKSUM_MISMATCH', 'FORMAT_VERSION_UNSUPPORTED']).toContain(err!.code);
      expect(err!.file, `forged ${name}: ${err!.message}`).toContain(path.basename(name));
      await fsp.writeFile(p, orig);
      await fsp.writeFile(mp, origManifest);
    }
    const i = await open();
    expect(await fingerprint(i)).toBe(fp);
    await i.close();
  });
});

function flip(b: Buffer, pos: number): Uint8Array {
  const c = Buffer.from(b);
  c[pos] = c[pos]! ^ 0x40;
  return c;
}
