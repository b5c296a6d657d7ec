// Generation lifetime: superseded generations stay for readers (grace period, at most
// GENERATIONS_KEPT), leftovers of failed saves go at once; readGeneration starts over when the
// manifest moved on underneath and reports damage under an unchanged manifest.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { GENERATIONS_KEPT, nodeFs, readGeneration, writeIndexGeneration } from '../../../src/store/index.js';
import { StorageError } from '../../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-gens-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const writeGen = (text: string, graceMs?: number) =>
  writeIndexGeneration(dir, {
    encoder: { id: 'enc' },
    config: {},
    ...(graceMs !== undefined ? { graceMs } : {}),
    writeFiles: async (d) => fsp.writeFile(path.join(d, 'a.bin'), text),
  });

const gens = async () => (await fsp.readdir(dir)).filter((n) => n.startsWith('gen-')).sort();
const name = (g: number) => `gen-${String(g).padStart(6, '0')}`;

describe('superseded generations', () => {
  it(`are kept within the grace period, at most ${GENERATIONS_KEPT} of them`, async () => {
    for (let g = 1; g <= 3; g++) await writeGen(`v${g}`);
    expect(await gens()).toEqual([name(1), name(2), name(3)]);
    for (let g = 4; g <= 8; g++) await writeGen(`v${g}`);
    expect(await gens()).toEqual([4, 5, 6, 7, 8].map(name));
    // every kept generation is still whole: its files are the ones that save wrote
    for (let g = 4; g <= 8; g++) expect(await fsp.readFile(path.join(dir, name(g), 'a.bin'), 'utf8')).toBe(`v${g}`);
  });

  it('go once superseded for longer than the grace period (dated by their successor)', async () => {
    for (let g = 1; g <= 4; g++) await writeGen(`v${g}`);
    // gen 1 and 2 were superseded an hour ago (their successors 2 and 3 date from then), 3 just now
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const g of [2, 3]) await fsp.utimes(path.join(dir, name(g)), hourAgo, hourAgo);
    await writeGen('v5');
    // 1 (successor 2, old) and 2 (successor 3, old) go; 3 (successor 4, fresh) and 4 stay
    expect(await gens()).toEqual([3, 4, 5].map(name));
    await writeGen('v6', 0);
    expect(await gens()).toEqual([name(6)]);
  });

  it('leftovers of failed saves (gen-N.tmp, a generation no manifest named) go at once', async () => {
    await writeGen('v1');
    await fsp.mkdir(path.join(dir, 'gen-000002')); // renamed into place, crash before the manifest
    await fsp.mkdir(path.join(dir, 'gen-000003.tmp'));
    await writeGen('v4');
    expect(await gens()).toEqual([name(1), name(4)]);
  });
});

describe('readGeneration', () => {
  it('starts over with the new manifest when a save removed the generation being read', async () => {
    await writeGen('old');
    let attempts = 0;
    const text = await readGeneration(dir, nodeFs, async ({ dataDir }) => {
      attempts++;
      // a writer commits a new generation meanwhile and removes this one (no grace)
      if (attempts === 1) await writeGen('new', 0);
      try {
        return await fsp.readFile(path.join(dataDir, 'a.bin'), 'utf8');
      } catch (e) {
        throw new StorageError('IO_ERROR', `reading failed: ${(e as Error).message}`, { cause: e });
      }
    });
    expect(text).toBe('new');
    expect(attempts).toBe(2);
  });

  it('reports damage under an unchanged manifest (no retry loop)', async () => {
    await writeGen('v1');
    await fsp.rm(path.join(dir, name(1), 'a.bin'));
    let loads = 0;
    await expect(readGeneration(dir, nodeFs, async () => ++loads)).rejects.toMatchObject({ code: 'CORRUPT_FILE', file: `${name(1)}/a.bin` });
    expect(loads).toBe(0);
  });
});
