// corruption.test.ts's assertions carried over to `storage: 'segments'`: every file of a
// segmented index (the manifest, the generation's files, every segment file, deletion bitmap
// and versioned segment list) damaged by flipped bits, truncation, an extra byte or removal is
// never served. Segments are checked lazily (headers and structure at open, a section's CRC at
// its first touch), so the damage may surface at open or at the first search: either way it is
// a StorageError (CORRUPT_FILE / CHECKSUM_MISMATCH, or INDEX_NOT_FOUND for a missing manifest)
// naming the damaged file, or — for bytes no reader uses (alignment padding, a segment list an
// older generation named) — answers identical to the undamaged index. Nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex, type HybridIndexOptions } from '../../src/hybrid/index.js';
import { StorageError } from '../../src/errors.js';
import { crc32 } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, rng } from './corpus.js';
import { listFiles } from './disk.js';

/** A damaged index's variant: the channels it was built with and the files damaged. */
interface Variant {
  label: string;
  extra: Partial<HybridIndexOptions>;
  /** Which of the index's files to damage. */
  pick: (rel: string) => boolean;
}

// the f32 multi-vector index damages every file; the compressed one (issue 17: a residual 2-bit
// channel, whose segment files hold codes, centroid ids, inverse norms and a codebook) the
// multi-vector channel's segment files, deletion bitmaps and segment lists
const VARIANTS: Variant[] = [
  { label: 'f32 channels', extra: {}, pick: () => true },
  { label: 'a residual 2-bit multi-vector channel', extra: { multivector: { dtype: 'residual', bits: 2 } }, pick: (rel) => rel.startsWith('segments/multivector/') },
];

describe.each(VARIANTS)("corruption of a segmented index (storage: 'segments') is never served: $label", ({ extra, pick }) => {
  let dir: string;
  let idx: string;
  let files: string[];
  let fp: string;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-corrupt-seg-'));
    idx = path.join(dir, 'index');
    const index = await createIndex(idx, { wal: false, storage: 'segments', ...extra });
    const r = rng(9);
    await index.add(makeDocs(r, 24, 'a'));
    await index.save(); // segment 1
    await index.add(makeDocs(r, 12, 'b'));
    await index.delete(['a3', 'a7', 'b1']);
    await index.save(); // segment 2 + deletion bitmaps
    fp = await fingerprint(index);
    await index.close();
    // the superseded generation kept for readers is not read by open(): its files are left out
    const current = (JSON.parse(await fsp.readFile(path.join(idx, 'manifest.json'), 'utf8')) as { dir: string }).dir;
    files = (await listFiles(idx)).filter((f) => !f.startsWith('gen-') || f.startsWith(`${current}/`)).filter(pick);
  }, 60_000);
  afterAll(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  type Outcome = 'detected' | 'harmless';

  /** Opens and uses the damaged index; returns how the damage showed, failing on anything unsafe. */
  async function outcome(rel: string, what: string, missing = false): Promise<Outcome> {
    let index: HybridIndex | null = null;
    try {
      index = await HybridIndex.open(idx, { encoder: new FakeEncoder() });
      const got = await fingerprint(index);
      expect(got, `${what} in ${rel} changed the answers without an error`).toBe(fp);
      return 'harmless';
    } catch (e) {
      if (!(e instanceof StorageError)) throw new Error(`${what} in ${rel}: ${String((e as Error)?.stack ?? e)}`);
      // a flipped version field reads as a newer format (still named, still refused), as in corruption.test.ts
      const codes = rel === 'manifest.json' && missing ? ['INDEX_NOT_FOUND'] : ['CORRUPT_FILE', 'CHECKSUM_MISMATCH', 'FORMAT_VERSION_UNSUPPORTED'];
      expect(codes, `${what} in ${rel}: ${e.code} ${e.message}`).toContain(e.code);
      expect(String(e.file), `${what} in ${rel}: the error names ${e.file} (${e.message})`).toContain(path.basename(rel));
      return 'detected';
    } finally {
      await index?.close();
    }
  }

  function positions(len: number, seed: number): number[] {
    const r = rng(seed);
    const set = new Set<number>([...Array.from({ length: Math.min(len, 48) }, (_, i) => i), len - 1, len >> 1]);
    while (set.size < Math.min(len, 60)) set.add(Math.floor(r() * len));
    return [...set].sort((a, b) => a - b);
  }

  it('the index holds segment files, deletion bitmaps and versioned segment lists', () => {
    expect(files.some((f) => f.startsWith('segments/'))).toBe(true);
    expect(files.some((f) => /segments-\d+\.json$/.test(f))).toBe(true);
    expect(files.some((f) => /\.del-\d+$/.test(f))).toBe(true);
  });

  it('flipped bits anywhere in any file', async () => {
    const tally = { detected: 0, harmless: 0 };
    const perFile: Record<string, number> = {};
    for (const rel of files) {
      const p = path.join(idx, rel);
      const orig = await fsp.readFile(p);
      const r = rng(crc32(new TextEncoder().encode(rel)));
      try {
        for (const pos of positions(orig.length, orig.length)) {
          const bad = Buffer.from(orig);
          bad[pos] = bad[pos]! ^ (1 << Math.floor(r() * 8));
          await fsp.writeFile(p, bad);
          const o = await outcome(rel, `bit flip at byte ${pos}`);
          tally[o]++;
          if (o === 'detected') perFile[rel] = (perFile[rel] ?? 0) + 1;
        }
      } finally {
        await fsp.writeFile(p, orig);
      }
    }
    console.log(`[corruption-segments] ${tally.detected + tally.harmless} bit flips over ${files.length} files: ${tally.detected} detected, ${tally.harmless} in bytes no reader uses (identical answers)`);
    // the manifest and every segment's data file showed damage somewhere
    console.log(`[corruption-segments] detected per file: ${JSON.stringify(perFile)}`);
    for (const rel of files.filter((f) => f === 'manifest.json' || /\/seg-\d+\.[a-z0-9]+$/.test(f))) {
      expect(perFile[rel] ?? 0, `no flip in ${rel} was detected`).toBeGreaterThan(0);
    }
    const i = await HybridIndex.open(idx, { encoder: new FakeEncoder() });
    expect(await fingerprint(i)).toBe(fp);
    await i.close();
  }, 300_000);

  it('truncation, an extra byte and removal of any file', async () => {
    let cases = 0;
    for (const rel of files) {
      const p = path.join(idx, rel);
      const orig = await fsp.readFile(p);
      try {
        for (const len of [0, 1, orig.length >> 1, orig.length - 1]) {
          await fsp.writeFile(p, orig.subarray(0, len));
          await outcome(rel, `truncation to ${len} bytes`);
          cases++;
        }
        await fsp.writeFile(p, Buffer.concat([orig, Buffer.from([0])]));
        await outcome(rel, 'one extra byte');
        await fsp.rm(p);
        await outcome(rel, 'removal', true);
        cases += 2;
      } finally {
        await fsp.writeFile(p, orig);
      }
    }
    console.log(`[corruption-segments] ${cases} truncations/extensions/removals, none served`);
    const i = await HybridIndex.open(idx, { encoder: new FakeEncoder() });
    expect(await fingerprint(i)).toBe(fp);
    await i.close();
  }, 300_000);
});
