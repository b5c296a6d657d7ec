// Never replace a user's data by default (issue 14): create({ path }) refuses a directory that
// holds an index (INDEX_EXISTS) or other files (DIRECTORY_NOT_EMPTY) unless overwrite: true,
// and a refusal changes nothing on disk; `trident index --out` the same unless --force.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { StorageError } from '../../src/errors.js';
import { loadEncoder } from '../../src/encode/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { snapshot } from './disk.js';
import { lockDoc, LOCK_CONFIG } from './lock/docs.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-overwrite-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const docs = (from: number, n: number) => Array.from({ length: n }, (_, i) => lockDoc(from + i));

async function saved(p: string, n: number, extra: Record<string, unknown> = {}): Promise<void> {
  const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...LOCK_CONFIG, ...extra });
  await index.add(docs(0, n));
  await index.save();
  await index.close();
}

async function sizeAt(p: string): Promise<number> {
  const r = await HybridIndex.open(p, { encoder: new FakeEncoder(), readOnly: true });
  const n = r.size;
  await r.close();
  return n;
}

describe('create({ path }) never replaces data by default', () => {
  for (const wal of [false, true]) {
    it(`an existing index${wal ? ' (write-ahead log on)' : ''}: INDEX_EXISTS, the directory unchanged; overwrite: true replaces it at save()`, async () => {
      const p = path.join(dir, 'idx');
      await saved(p, 20, { wal });
      const before = await snapshot(p);
      const err = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...LOCK_CONFIG, wal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('INDEX_EXISTS');
      expect((err as Error).message).toMatch(/overwrite: true/);
      expect(await snapshot(p)).toEqual(before);
      expect(await sizeAt(p)).toBe(20);
      // explicitly asked for: the old index stays readable until the new one is saved
      const fresh = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...LOCK_CONFIG, wal, overwrite: true });
      await fresh.add(docs(100, 3));
      if (!wal) expect(await sizeAt(p)).toBe(20);
      await fresh.save();
      await fresh.close();
      expect(await sizeAt(p)).toBe(3);
      const w = await HybridIndex.open(p, { encoder: new FakeEncoder() });
      expect(w.size).toBe(3);
      await w.close();
    });
  }

  it('a damaged index (unreadable manifest) is an index too', async () => {
    const p = path.join(dir, 'idx');
    await saved(p, 4);
    await fsp.writeFile(path.join(p, 'manifest.json'), '{ broken');
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), path: p })).rejects.toMatchObject({ code: 'INDEX_EXISTS' });
  });

  it('a non-empty directory that is not an index: DIRECTORY_NOT_EMPTY; with overwrite the index goes beside the files, which are never touched', async () => {
    const p = path.join(dir, 'mine');
    await fsp.mkdir(path.join(p, 'gen-notes'), { recursive: true });
    await fsp.writeFile(path.join(p, 'thesis.tex'), 'my work');
    await fsp.writeFile(path.join(p, 'gen-notes', 'a.txt'), 'notes');
    const before = await snapshot(p);
    const err = await HybridIndex.create({ encoder: new FakeEncoder(), path: p }).catch((e: unknown) => e);
    expect((err as StorageError).code).toBe('DIRECTORY_NOT_EMPTY');
    expect((err as Error).message).toContain('thesis.tex');
    expect(await snapshot(p)).toEqual(before);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...LOCK_CONFIG, overwrite: true, wal: true });
    for (let i = 0; i < 3; i++) {
      await index.add(docs(i * 2, 2));
      await index.save();
    }
    await index.close();
    const after = await snapshot(p);
    for (const [k, v] of before) expect(after.get(k), k).toBe(v);
    expect(await sizeAt(p)).toBe(6);
  });

  it('an empty directory, a new path, or leftovers of a first save that never committed are claimed', async () => {
    const empty = path.join(dir, 'empty');
    await fsp.mkdir(empty);
    const leftovers = path.join(dir, 'leftovers');
    await fsp.mkdir(path.join(leftovers, 'gen-000001.tmp'), { recursive: true });
    await fsp.writeFile(path.join(leftovers, 'manifest.json.tmp'), '{ "magic": "trident-index", ');
    for (const p of [empty, path.join(dir, 'new', 'nested'), leftovers]) {
      const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...LOCK_CONFIG });
      await index.add(docs(0, 2));
      await index.save();
      await index.close();
      expect(await sizeAt(p)).toBe(2);
    }
    expect(fs.existsSync(path.join(leftovers, 'gen-000001.tmp'))).toBe(false);
  });

  it('a path that is a file: INVALID_ARGUMENT, the file untouched', async () => {
    const f = path.join(dir, 'file.txt');
    await fsp.writeFile(f, 'x');
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), path: f })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await fsp.readFile(f, 'utf8')).toBe('x');
  });
});

describe('trident index --out', () => {
  const ROOT = path.resolve(import.meta.dirname, '../..');
  const CLI = path.join(ROOT, 'src/cli/main.ts');
  const trident = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

  it('refuses an existing index (it keeps its 20 documents) and a non-empty directory; --force replaces', async () => {
    const lines = fs.readFileSync(path.join(ROOT, 'examples/data/scifact-500/corpus.jsonl'), 'utf8').split('\n').filter(Boolean);
    const c20 = path.join(dir, 'c20.jsonl');
    const c3 = path.join(dir, 'c3.jsonl');
    fs.writeFileSync(c20, `${lines.slice(0, 20).join('\n')}\n`);
    fs.writeFileSync(c3, `${lines.slice(20, 23).join('\n')}\n`);
    const out = path.join(dir, 'idx');
    expect(trident('index', c20, '--out', out).status).toBe(0);
    const encoder = await loadEncoder('builtin:static-en');
    const count = async () => {
      const r = await HybridIndex.open(out, { encoder, readOnly: true });
      const n = r.size;
      await r.close();
      return n;
    };
    expect(await count()).toBe(20);
    const before = await snapshot(out);
    const refused = trident('index', c3, '--out', out);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('INDEX_EXISTS');
    expect(refused.stderr).toContain('--force');
    expect(await snapshot(out)).toEqual(before);
    expect(await count()).toBe(20);
    const forced = trident('index', c3, '--out', out, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(await count()).toBe(3);
    // a folder of the user's
    const mine = path.join(dir, 'mine');
    await fsp.mkdir(mine);
    await fsp.writeFile(path.join(mine, 'notes.md'), 'keep me');
    const r = trident('index', c3, '--out', mine);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('DIRECTORY_NOT_EMPTY');
    expect(await fsp.readdir(mine)).toEqual(['notes.md']);
    await encoder.close();
  }, 180_000);
});
