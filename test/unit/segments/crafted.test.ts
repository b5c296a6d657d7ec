// Crafted segment files (issue 16: lazy checking must not weaken the reliability rules).
// A small segmented store (3 segments, deletions) is damaged in many seeded ways — byte flips,
// truncations, appended bytes, and flips inside a section whose CRCs (section, table, header)
// are then recomputed so that only the structural validation stands between the bytes and
// the kernels. Each case opens the copy, verifies it and runs searches. Every outcome must be
// a TridentError or a successful read; when the checksums were not recomputed a successful
// read must give exactly the undamaged store's results. Run for an i8 store and for the
// compressed dtypes (mvec version 2: codes, centroid ids, inverse norms, codebook).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TridentError } from '../../../src/errors.js';
import { SegmentedStore } from '../../../src/segments/index.js';
import type { MvChannelConfig } from '../../../src/segments/mv-segment.js';
import { crc32 } from '../../../src/store/checksum.js';
import { rng } from '../../helpers/rng.js';
import { makeDocs, multiVec, sparseVec } from './corpus.js';

const CASES = Number(process.env.TRIDENT_FUZZ_CASES ?? 400);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-fuzz-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const qr = rng(4);
const queries = Array.from({ length: 4 }, () => ({ s: sparseVec(qr, 300, 4), m: multiVec(qr, 16, 3) }));

async function run(dir: string): Promise<string> {
  const s = await SegmentedStore.open(dir);
  try {
    s.verify();
    const out: unknown[] = [];
    for (const q of queries) {
      const a = s.searchSparse(q.s, 10);
      const b = s.searchMultiVector(q.m, 10);
      out.push(Array.from(a.ids), Array.from(a.scores), Array.from(b.ids), Array.from(b.scores));
    }
    return JSON.stringify(out);
  } finally {
    s.close();
  }
}

/** Recomputes the CRC of the section holding byte `at`, then the table and header CRCs. */
function reseal(buf: Buffer, at: number): void {
  if (buf.length < 64 || buf.toString('latin1', 0, 8) !== 'TRIDSEG\0') return;
  const count = Math.min(buf.readUInt32LE(28), 64);
  if (64 + 32 * count > buf.length) return;
  for (let i = 0; i < count; i++) {
    const e = 64 + 32 * i;
    const off = Number(buf.readBigUInt64LE(e + 16));
    const len = Number(buf.readBigUInt64LE(e + 24));
    if (at >= off && at < off + len && off + len <= buf.length) buf.writeUInt32LE(crc32(buf.subarray(off, off + len)), e + 12);
  }
  buf.writeUInt32LE(crc32(buf.subarray(64, 64 + 32 * count)), 44);
  buf.writeUInt32LE(crc32(buf.subarray(0, 60)), 60);
}

/** Offsets of the bytes inside sections, sampled (every section represented). */
function sectionBytes(buf: Buffer): number[] {
  if (buf.length < 64 || buf.toString('latin1', 0, 8) !== 'TRIDSEG\0') return [];
  const out: number[] = [];
  const count = Math.min(buf.readUInt32LE(28), 64);
  for (let i = 0; i < count; i++) {
    const e = 64 + 32 * i;
    const off = Number(buf.readBigUInt64LE(e + 16));
    const len = Number(buf.readBigUInt64LE(e + 24));
    for (let k = 0; k < Math.min(len, 64); k++) out.push(off + Math.floor((k * len) / Math.min(len, 64)));
  }
  return out;
}

/**
 * Reads a damaged index and tallies `<how>:<outcome>` (same, different, or the error code); an
 * untyped error, or different results from a file whose checksums were not resealed, is a
 * failure noted in `untyped`.
 */
async function tallyCase(tally: Record<string, number>, untyped: string[], label: string, how: string, sealed: boolean, expected: string, read: () => Promise<string>): Promise<void> {
  let outcome: string;
  try {
    const got = await read();
    outcome = got === expected ? 'same' : 'different';
    if (!sealed && got !== expected) untyped.push(`${label}: read succeeded with different results`);
  } catch (e) {
    outcome = e instanceof TridentError ? (e as TridentError).code : 'UNTYPED';
    if (!(e instanceof TridentError)) untyped.push(`${label}: ${String((e as Error)?.stack ?? e)}`);
  }
  const key = `${how}:${outcome}`;
  tally[key] = (tally[key] ?? 0) + 1;
}

const CONFIGS: { mv: MvChannelConfig; cases: number }[] = [
  { mv: { dim: 16, dtype: 'i8' }, cases: CASES },
  { mv: { dim: 16, dtype: 'residual', bits: 2, centroids: 8 }, cases: Math.ceil(CASES / 2) },
  { mv: { dim: 16, dtype: 'binary' }, cases: Math.ceil(CASES / 4) },
];

describe.each(CONFIGS)('multivector $mv.dtype', ({ mv, cases }) => {
  const base = path.join(tmp, `base-${mv.dtype}`);
  let expected = '';
  beforeAll(async () => {
    const s = await SegmentedStore.create(base, { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 }, multivector: mv });
    const docs = makeDocs(150, 21);
    for (let seg = 0; seg < 3; seg++) {
      for (const d of docs.slice(seg * 50, seg * 50 + 50)) s.add(d.id, { sparse: d.sparse, multivector: d.multivector });
      await s.commit({ merge: false });
    }
    for (const d of docs.filter((_, i) => i % 7 === 0)) s.delete(d.id);
    await s.commit({ merge: false });
    s.close();
    expected = await run(base);
  });

  it(`${cases} crafted cases: typed error or a correct read, never a crash`, async () => {
    const files = fs.readdirSync(base).filter((f) => f !== 'segments.json.tmp');
    const r = rng(Number(process.env.TRIDENT_FUZZ_SEED ?? 7));
    const tally: Record<string, number> = {};
    const untyped: string[] = [];
    for (let c = 0; c < cases; c++) {
      const dir = path.join(tmp, `${mv.dtype}-c${c}`);
      fs.cpSync(base, dir, { recursive: true });
      const name = files[Math.floor(r() * files.length)]!;
      const p = path.join(dir, name);
      const buf = fs.readFileSync(p);
      const how = ['flip', 'flip-header', 'reseal', 'reseal', 'truncate', 'append'][Math.floor(r() * 6)]!;
      let sealed = false;
      if (how === 'truncate') fs.writeFileSync(p, buf.subarray(0, Math.floor(r() * buf.length)));
      else if (how === 'append') fs.writeFileSync(p, Buffer.concat([buf, Buffer.alloc(1 + Math.floor(r() * 5000), 7)]));
      else {
        const flips = 1 + Math.floor(r() * 4);
        let last = 0;
        const flipped: number[] = [];
        const data = sectionBytes(buf);
        for (let i = 0; i < flips; i++) {
          // reseal flips land inside a section's bytes (the padding between sections is not read)
          last = how === 'flip-header' ? Math.floor(r() * Math.min(buf.length, 64 + 32 * 12)) : how === 'reseal' && data.length ? data[Math.floor(r() * data.length)]! : Math.floor(r() * buf.length);
          buf[last] ^= 1 << Math.floor(r() * 8);
          flipped.push(last);
        }
        if (how === 'reseal' && !name.endsWith('.json')) {
          for (const at of flipped) reseal(buf, at);
          sealed = true;
        }
        fs.writeFileSync(p, buf);
      }
      await tallyCase(tally, untyped, `case ${c} ${how} ${name}`, how, sealed, expected, () => run(dir));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`[segments crafted ${mv.dtype}] ${cases} cases: ${JSON.stringify(tally)}`);
    expect(untyped).toEqual([]);
    // the resealed cases reached the structural checks: some were refused as corrupt
    expect(tally['reseal:CORRUPT_FILE'] ?? 0).toBeGreaterThan(0);
  }, 300_000);
});

// Dense segments: `<seg>.dense` (container) and `<seg>.hnsw` (usearch's raw file, mapped by
// usearch's `view` at open, i.e. after the structural checks and before the lazy CRC). A
// 'reseal' of a .hnsw recomputes the file's CRC in the sibling .dense's meta (and that
// container's CRCs), so only the structural validation stands between a crafted graph and
// usearch. Searches run both through the graph (exact: false) and exactly.
const DENSE_CASES = Math.ceil(CASES / 2);
const dq = (() => {
  const r = rng(12);
  return Array.from({ length: 3 }, () => Float32Array.from({ length: 16 }, () => r() * 2 - 1));
})();

async function runDense(dir: string): Promise<string> {
  const s = await SegmentedStore.open(dir);
  try {
    s.verify();
    const out: unknown[] = [];
    for (const q of dq) {
      const a = s.searchDense(q, 10, { exact: false });
      const b = s.searchDense(q, 10, { exact: true });
      out.push(Array.from(a.ids), Array.from(a.scores), Array.from(b.ids), Array.from(b.scores), Array.from(s.scoreDense(q, b.ids)));
    }
    return JSON.stringify(out);
  } finally {
    s.close();
  }
}

/** After damaging `<seg>.hnsw` in `dir`: its CRC written into `<seg>.dense`'s meta, that container resealed. */
function resealHnsw(dir: string, hnswName: string): void {
  const densePath = path.join(dir, hnswName.replace(/\.hnsw$/, '.dense'));
  const d = fs.readFileSync(densePath);
  const count = d.readUInt32LE(28);
  for (let i = 0; i < count; i++) {
    const e = 64 + 32 * i;
    if (d.toString('latin1', e, e + 12).replace(/\0+$/, '') !== 'meta') continue;
    const off = Number(d.readBigUInt64LE(e + 16));
    d.writeUInt32LE(crc32(fs.readFileSync(path.join(dir, hnswName))), off + 16);
    reseal(d, off + 16);
  }
  fs.writeFileSync(densePath, d);
}

describe.each(['f32', 'f16'] as const)('dense %s', (dtype) => {
  const base = path.join(tmp, `base-dense-${dtype}`);
  let expected = '';
  beforeAll(async () => {
    const s = await SegmentedStore.create(base, { sparse: { scorer: 'dot', k1: 0, b: 0 }, dense: { dim: 16, dtype, connectivity: 4, expansionAdd: 32, expansionSearch: 32 } });
    const docs = makeDocs(150, 31);
    const r = rng(8);
    for (let seg = 0; seg < 3; seg++) {
      for (const d of docs.slice(seg * 50, seg * 50 + 50)) s.add(d.id, { sparse: d.sparse, dense: Float32Array.from({ length: 16 }, () => r() * 2 - 1) });
      await s.commit({ merge: false });
    }
    for (const d of docs.filter((_, i) => i % 7 === 0)) s.delete(d.id);
    await s.commit({ merge: false });
    s.close();
    expected = await runDense(base);
  });

  it(`${DENSE_CASES} crafted dense cases: typed error or a correct read, never a crash`, async () => {
    const files = fs.readdirSync(base).filter((f) => /\.(dense|hnsw)$/.test(f));
    const r = rng(Number(process.env.TRIDENT_FUZZ_SEED ?? 9));
    const tally: Record<string, number> = {};
    const untyped: string[] = [];
    for (let c = 0; c < DENSE_CASES; c++) {
      const dir = path.join(tmp, `dense-${dtype}-c${c}`);
      fs.cpSync(base, dir, { recursive: true });
      const name = files[Math.floor(r() * files.length)]!;
      const p = path.join(dir, name);
      const buf = fs.readFileSync(p);
      const how = ['flip', 'reseal', 'reseal', 'reseal', 'truncate', 'append'][Math.floor(r() * 6)]!;
      let sealed = false;
      if (how === 'truncate') fs.writeFileSync(p, buf.subarray(0, Math.floor(r() * buf.length)));
      else if (how === 'append') fs.writeFileSync(p, Buffer.concat([buf, Buffer.alloc(1 + Math.floor(r() * 5000), 7)]));
      else {
        const flips = 1 + Math.floor(r() * 4);
        const data = name.endsWith('.dense') ? sectionBytes(buf) : [];
        const flipped: number[] = [];
        for (let i = 0; i < flips; i++) {
          // .hnsw: anywhere, biased towards the graph part (after the vectors), where usearch reads structure
          const vecEnd = 8 + buf.readUInt32LE(0) * buf.readUInt32LE(4);
          const at = data.length ? data[Math.floor(r() * data.length)]! : r() < 0.8 && vecEnd < buf.length ? vecEnd + Math.floor(r() * (buf.length - vecEnd)) : Math.floor(r() * buf.length);
          buf[at] ^= 1 << Math.floor(r() * 8);
          flipped.push(at);
        }
        fs.writeFileSync(p, buf);
        if (how === 'reseal') {
          if (name.endsWith('.hnsw')) resealHnsw(dir, name);
          else {
            for (const at of flipped) reseal(buf, at);
            fs.writeFileSync(p, buf);
          }
          sealed = true;
        }
      }
      await tallyCase(tally, untyped, `case ${c} ${how} ${name}`, how, sealed, expected, () => runDense(dir));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`[segments crafted dense ${dtype}] ${DENSE_CASES} cases: ${JSON.stringify(tally)}`);
    expect(untyped).toEqual([]);
    expect(tally['reseal:CORRUPT_FILE'] ?? 0).toBeGreaterThan(0);
  }, 300_000);
});
