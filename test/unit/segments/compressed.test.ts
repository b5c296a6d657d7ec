// Compressed multi-vector segments (issue 17: binary and residual dtypes in the segment format).
// Oracle: exact MaxSim (f64) over each segment's vectors decoded with that segment's own
// codebook, read independently of the segment reader (container sections + parseCodebook +
// the codec's decodeVector). The kernels quantise the query to int8, so scores agree within a
// small tolerance and every returned id's oracle score must match the oracle's at that rank.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/errors.js';
import { codesBytes, type CodeBits } from '../../../src/kernels/codes.js';
import { decodeVector, trainResidual, type ResidualCodebook } from '../../../src/multivector/codec.js';
import { parseCodebook, serializeCodebook } from '../../../src/multivector/persist.js';
import type { MultiVector } from '../../../src/multivector/types.js';
import { SegmentFile } from '../../../src/segments/container.js';
import { SegmentedStore } from '../../../src/segments/index.js';
import { type MvChannelConfig, MvSegment, writeMvSegment } from '../../../src/segments/mv-segment.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-codes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const dirOf = () => path.join(tmp, `d${dirs++}`);
const DIM = 32;
const TOL = 5e-3;

/** Clustered token vectors: a few topic directions plus noise. */
function makeDocs(n: number, seed: number): { id: number; mv: MultiVector }[] {
  const r = rng(seed);
  const topics = Array.from({ length: 12 }, () => Float32Array.from({ length: DIM }, () => r() * 2 - 1));
  return Array.from({ length: n }, (_, i) => {
    const count = 2 + Math.floor(r() * 8);
    const data = new Float32Array(count * DIM);
    for (let v = 0; v < count; v++) {
      const t = topics[Math.floor(r() * topics.length)]!;
      for (let k = 0; k < DIM; k++) data[v * DIM + k] = t[k]! + 0.5 * (r() * 2 - 1);
    }
    return { id: i * 2 + 1, mv: { data, dim: DIM, count } };
  });
}
const docs = makeDocs(160, 3);
const qr = rng(9);
const queries = Array.from({ length: 6 }, () => ({ data: Float32Array.from({ length: 4 * DIM }, () => qr() * 2 - 1), dim: DIM, count: 4 }));

/** Decoded vectors of every document of a segment file, read through the container only. */
async function decodeFile(file: string, cfg: MvChannelConfig): Promise<Map<number, Float32Array[]>> {
  const f = await SegmentFile.open(file, 'mvec', 2, { mode: 'read' });
  try {
    const meta = f.view('meta', Uint32Array, 6);
    const [nd, nv, dim, , bits, k] = Array.from(meta);
    expect(dim).toBe(cfg.dim);
    const ids = f.view('docids', Uint32Array, nd!);
    const vstart = f.view('vstart', Uint32Array, nd! + 1);
    const codes = f.view('codes', Uint8Array, nv! * codesBytes(dim!, bits!));
    let cb: ResidualCodebook | null = null;
    let cids: Uint16Array | null = null;
    let norms: Float32Array | null = null;
    if (cfg.dtype === 'residual') {
      cids = f.view('cids', Uint16Array, nv!);
      norms = f.view('norms', Float32Array, nv!);
      const s = f.section('codebook');
      cb = parseCodebook(f.mapping.bytes(s.offset, s.length), dim!, bits as CodeBits, k!, (m) => {
        throw new Error(m);
      });
    }
    const out = new Map<number, Float32Array[]>();
    for (let d = 0; d < nd!; d++) {
      const vs: Float32Array[] = [];
      for (let v = vstart[d]!; v < vstart[d + 1]!; v++) vs.push(decodeVector(codes, v * codesBytes(dim!, bits!), dim!, bits as CodeBits, cb, cids?.[v] ?? 0, norms?.[v] ?? 1));
      out.set(ids[d]!, vs);
    }
    return out;
  } finally {
    f.close();
  }
}

function exactMaxSim(q: MultiVector, vs: Float32Array[]): number {
  let total = 0;
  for (let i = 0; i < q.count; i++) {
    let best = -Infinity;
    for (const x of vs) {
      let s = 0;
      for (let t = 0; t < DIM; t++) s += q.data[i * DIM + t]! * x[t]!;
      best = Math.max(best, s);
    }
    total += best;
  }
  return total / q.count;
}

/** Oracle scores of every live document: each segment's documents decoded with its own codebook. */
async function oracle(dir: string, s: SegmentedStore, cfg: MvChannelConfig, live: Set<number>): Promise<Map<number, Float32Array[]>> {
  const all = new Map<number, Float32Array[]>();
  for (const name of s.segments) for (const [id, vs] of await decodeFile(path.join(dir, `${name}.mvec`), cfg)) if (live.has(id)) all.set(id, vs);
  expect(all.size).toBe(live.size);
  return all;
}

function checkAgainst(s: SegmentedStore, dec: Map<number, Float32Array[]>): void {
  for (const q of queries) {
    const exact = [...dec].map(([id, vs]) => ({ id, score: exactMaxSim(q, vs) })).sort((a, b) => b.score - a.score || a.id - b.id);
    const got = s.searchMultiVector(q, 10);
    expect(got.ids.length).toBe(Math.min(10, dec.size));
    for (let i = 0; i < got.ids.length; i++) {
      expect(dec.has(got.ids[i]!)).toBe(true); // live only
      const mine = exactMaxSim(q, dec.get(got.ids[i]!)!);
      expect(Math.abs(got.scores[i]! - mine)).toBeLessThan(TOL);
      expect(Math.abs(mine - exact[i]!.score)).toBeLessThan(2 * TOL);
    }
    const pick = exact.slice(0, 25).map((e) => e.id);
    const sc = s.scoreMultiVector(q, pick);
    for (let i = 0; i < pick.length; i++) expect(Math.abs(sc[i]! - exact[i]!.score)).toBeLessThan(TOL);
  }
}

async function build(cfg: MvChannelConfig, segments: number, dir = dirOf()): Promise<{ dir: string; s: SegmentedStore }> {
  const s = await SegmentedStore.create(dir, { multivector: cfg });
  const per = Math.ceil(docs.length / segments);
  for (let g = 0; g < segments; g++) {
    for (const d of docs.slice(g * per, (g + 1) * per)) s.add(d.id, { multivector: d.mv });
    await s.commit({ merge: false });
  }
  return { dir, s };
}

const CFGS: MvChannelConfig[] = [
  { dim: DIM, dtype: 'residual', bits: 2, centroids: 16 },
  { dim: DIM, dtype: 'residual', bits: 1, centroids: 8 },
  { dim: DIM, dtype: 'residual', bits: 4 },
  { dim: DIM, dtype: 'binary' },
];

describe.each(CFGS)('$dtype $bits-bit', (cfg) => {
  it('1 segment and 4 segments each match the per-segment-codebook oracle; deletes never returned; reopen identical', async () => {
    const live = new Set(docs.map((d) => d.id));
    for (const n of [1, 4]) {
      const { dir, s } = await build(cfg, n);
      expect(s.segments.length).toBe(n);
      checkAgainst(s, await oracle(dir, s, cfg, live));
      for (const d of docs.filter((_, i) => i % 5 === 0)) s.delete(d.id);
      const alive = new Set([...live].filter((id) => s.has(id)));
      checkAgainst(s, await oracle(dir, s, cfg, alive));
      await s.commit({ merge: false });
      const before = queries.map((q) => s.searchMultiVector(q, 10));
      s.close();
      const r = await SegmentedStore.open(dir);
      r.verify();
      queries.forEach((q, i) => {
        const got = r.searchMultiVector(q, 10);
        expect(Array.from(got.ids)).toEqual(Array.from(before[i]!.ids));
        expect(Array.from(got.scores)).toEqual(Array.from(before[i]!.scores));
      });
      expect(() => r.scoreMultiVector(queries[0]!, [docs[0]!.id])).toThrow(/not a live/);
      r.close();
    }
  });

  it('a merge retrains (residual) or copies (binary) and still matches its oracle', async () => {
    const { dir, s } = await build(cfg, 4);
    const before = queries.map((q) => s.searchMultiVector(q, 10));
    for (const d of docs.filter((_, i) => i % 7 === 0)) s.delete(d.id);
    const res = await s.optimize();
    expect(res.merges.length).toBe(1);
    expect(s.segments.length).toBe(1);
    const alive = new Set(docs.map((d) => d.id).filter((id) => s.has(id)));
    checkAgainst(s, await oracle(dir, s, cfg, alive));
    if (cfg.dtype === 'binary') {
      // codes copied: scores bit-identical for the documents still live
      queries.forEach((q, i) => {
        const ids = Array.from(before[i]!.ids).filter((id) => alive.has(id));
        const sc = s.scoreMultiVector(q, ids);
        for (let j = 0; j < ids.length; j++) expect(sc[j]).toBe(before[i]!.scores[Array.from(before[i]!.ids).indexOf(ids[j]!)]);
      });
    }
    s.close();
  });
});

it('a compressed segment writes mvec version 2, a dense one still version 1, both open', async () => {
  for (const [cfg, version] of [
    [{ dim: DIM, dtype: 'residual', bits: 2 }, 2],
    [{ dim: DIM, dtype: 'i8' }, 1],
  ] as const) {
    const { dir, s } = await build(cfg, 1);
    const file = path.join(dir, `${s.segments[0]}.mvec`);
    expect(fs.readFileSync(file).readUInt32LE(24)).toBe(version);
    s.close();
    const seg = await MvSegment.open(file, cfg);
    expect(seg.docs).toBe(docs.length);
    seg.verify();
    seg.close();
  }
});

it('refuses bad compressed channel settings with INVALID_ARGUMENT and creates nothing', async () => {
  for (const mv of [
    { dim: DIM, dtype: 'residual', bits: 3 },
    { dim: DIM, dtype: 'binary', bits: 2 },
    { dim: DIM, dtype: 'i8', bits: 2 },
    { dim: DIM, dtype: 'residual', centroids: 0 },
  ]) {
    const dir = dirOf();
    await expect(SegmentedStore.create(dir, { multivector: mv as MvChannelConfig })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(fs.existsSync(path.join(dir, 'segments.json'))).toBe(false);
  }
});

it('the codebook serialises and parses back identically; bad fields are refused', () => {
  const r = rng(5);
  const rows = Float32Array.from({ length: 300 * DIM }, () => r() * 2 - 1);
  const cb = trainResidual(rows, 300, DIM, { bits: 2, k: 16 });
  const bytes = serializeCodebook(cb);
  const fail = (m: string): never => {
    throw new StorageError('CORRUPT_FILE', m);
  };
  const back = parseCodebook(bytes, DIM, 2, 16, fail);
  expect(back).toEqual(cb);
  expect(() => parseCodebook(bytes.subarray(1), DIM, 2, 16, fail)).toThrow(/bytes, expected/);
  expect(() => parseCodebook(bytes, DIM, 2, 15, fail)).toThrow(StorageError);
  const bad = bytes.slice();
  bad[16 * DIM + 4 * 16] = 0x80; // level -128
  expect(() => parseCodebook(bad, DIM, 2, 16, fail)).toThrow(/levels/);
  const nan = bytes.slice();
  new DataView(nan.buffer).setFloat32(16 * DIM + 4 * 16 + 16, Number.NaN, true);
  expect(() => parseCodebook(nan, DIM, 2, 16, fail)).toThrow(/scale/);
});

describe('crafted files with valid checksums: typed error before any kernel read', () => {
  const cfg: MvChannelConfig = { dim: DIM, dtype: 'residual', bits: 2 };
  const r = rng(11);
  const vstart = Uint32Array.of(0, 3, 5, 9, 12);
  const nv = 12;
  const rows = Float32Array.from({ length: nv * DIM }, () => r() * 2 - 1);
  const cb = trainResidual(rows, nv, DIM, { bits: 2, k: 4 });
  const good = () => ({ codes: new Uint8Array(nv * codesBytes(DIM, 2)), cids: new Uint16Array(nv), norms: new Float32Array(nv).fill(1), codebook: cb, tokens: new Uint32Array(nv), spans: new Uint32Array(2 * nv) });
  const ids = Uint32Array.of(1, 2, 3, 4);
  const q = queries[0]!;
  async function outcome(raw: ReturnType<typeof good>, ids2 = ids, vs = vstart, c = cfg): Promise<string> {
    const file = path.join(dirOf());
    fs.mkdirSync(file);
    const f = path.join(file, 'x.mvec');
    await writeMvSegment(f, c, ids2, vs, raw);
    let seg: MvSegment | null = null;
    try {
      seg = await MvSegment.open(f, cfg);
      seg.maxsim(
        q.data,
        q.count,
        Uint32Array.from({ length: seg.docs }, (_, i) => i),
        new Float32Array(seg.docs),
      );
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(StorageError);
      return `${(e as StorageError).code}: ${(e as Error).message}`;
    } finally {
      seg?.close();
    }
  }
  it('a well-formed file reads', async () => {
    expect(await outcome(good())).toBe('ok');
  });
  it('centroid id ≥ k', async () => {
    const raw = good();
    raw.cids[7] = 4;
    expect(await outcome(raw)).toMatch(/CORRUPT_FILE.*'cids'.*not below 4/);
  });
  it('inverse norm not finite or ≤ 0', async () => {
    for (const bad of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY]) {
      const raw = good();
      raw.norms[3] = bad;
      expect(await outcome(raw)).toMatch(/CORRUPT_FILE.*'norms'/);
    }
  });
  it('codebook fields out of range', async () => {
    const raw = good();
    raw.codebook = { ...cb, cutoffs: Float32Array.of(0.1, Number.NaN, 0.3) };
    expect(await outcome(raw)).toMatch(/CORRUPT_FILE.*'codebook'.*cutoffs/);
    const raw2 = good();
    raw2.codebook = { ...cb, centroidScales: cb.centroidScales.map((x, i) => (i === 2 ? Number.POSITIVE_INFINITY : x)) };
    expect(await outcome(raw2)).toMatch(/CORRUPT_FILE.*'codebook'/);
  });
  it('wrong counts: codes, cids, norms, tokens sized for another vector count; vstart past the arena', async () => {
    const short = good();
    short.codes = short.codes.subarray(0, short.codes.length - 1);
    expect(await outcome(short)).toMatch(/CORRUPT_FILE.*'codes'/);
    const c2 = good();
    c2.cids = new Uint16Array(nv - 1);
    expect(await outcome(c2)).toMatch(/CORRUPT_FILE.*'cids'/);
    const n2 = good();
    n2.norms = new Float32Array(nv + 1).fill(1);
    expect(await outcome(n2)).toMatch(/CORRUPT_FILE.*'norms'/);
    expect(await outcome(good(), ids, Uint32Array.of(0, 3, 5, 9, 13))).toMatch(/CORRUPT_FILE/);
    expect(await outcome(good(), ids, Uint32Array.of(0, 3, 2, 9, 12))).toMatch(/CORRUPT_FILE.*vstart/);
  });
  it('a file with other bits than the index, a binary file for a residual index', async () => {
    expect(await outcome(good(), ids, vstart, { dim: DIM, dtype: 'residual', bits: 4 })).toMatch(/CORRUPT_FILE.*meta/);
    expect(await outcome({ ...good(), codes: new Uint8Array(nv * codesBytes(DIM, 1)), cids: null as never, norms: null as never, codebook: null as never }, ids, vstart, { dim: DIM, dtype: 'binary' })).toMatch(/CORRUPT_FILE.*meta/);
  });
});
