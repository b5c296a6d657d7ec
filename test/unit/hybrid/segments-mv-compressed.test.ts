// Compressed multi-vector channels (issue 17: `binary`, `residual` 1/2/4-bit) under
// storage: 'segments'. Oracles:
// - binary has no codebook: the same operations on the default storage give identical ids and
//   scores (bit for bit) in every search, whether the documents sit in 1 segment, in several or
//   in the tail, across deletes, reopen and optimize().
// - residual: every segment holds its own codebook, so the default storage (one codebook) is no
//   oracle. Instead each saved segment file is read here through the container alone (sections
//   + parseCodebook) and scored two independent ways: the TS twin of the kernel
//   (referenceKernels.maxsimCodes, obviously-correct loops) on the file's own codes and codebook
//   must equal the index's score bit for bit; f64 MaxSim over the codec's decodeVector rows of
//   the same file must agree within the int8 query quantisation (5e-3). Tail documents (not
//   saved yet) must score exactly as a default-storage index holding only them (the same
//   vectors train the same codebook). The channel's own first stage (per-segment centroid
//   lists) returns exact scores, never a deleted or filtered-out document, and finds ≥ 0.9 of
//   the exhaustive top-10.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HybridIndex, StorageError } from '../../../src/index.js';
import { codesBytes, type CodeBits } from '../../../src/kernels/codes.js';
import { referenceKernels } from '../../../src/kernels/reference.js';
import { decodeVector, type ResidualCodebook } from '../../../src/multivector/codec.js';
import { parseCodebook } from '../../../src/multivector/persist.js';
import { SegmentFile } from '../../../src/segments/container.js';
import { SegmentedStore } from '../../../src/segments/index.js';
import { MvSegment } from '../../../src/segments/mv-segment.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-segmvc-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `i${dirs++}`);

const DIM = 48;
const TOPICS = (() => {
  const r = rng(5);
  return Array.from({ length: 24 }, () => Float32Array.from({ length: DIM }, () => r() * 2 - 1));
})();

/** Clustered token vectors (topic + noise), 3–14 per document. */
function mv(r: () => number, count = 3 + Math.floor(r() * 12)): { data: Float32Array; dim: number; count: number } {
  const data = new Float32Array(count * DIM);
  for (let v = 0; v < count; v++) {
    const t = TOPICS[Math.floor(r() * TOPICS.length)]!;
    for (let k = 0; k < DIM; k++) data[v * DIM + k] = t[k]! + 0.6 * (r() * 2 - 1);
  }
  return { data, dim: DIM, count };
}

function docs(from: number, n: number, seed: number) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ id: from + i, vectors: { mv: mv(r) } }));
}

const QUERIES = (() => {
  const r = rng(77);
  // unit rows, so the int8 query quantisation's error stays below the tolerance
  return Array.from({ length: 6 }, () => {
    const q = mv(r, 5);
    for (let v = 0; v < q.count; v++) {
      const row = q.data.subarray(v * DIM, (v + 1) * DIM);
      const n = Math.hypot(...row);
      for (let k = 0; k < DIM; k++) row[k]! /= n;
    }
    return q;
  });
})();

type Residual = { dtype: 'residual'; bits: 1 | 2 | 4; centroids?: number };
const channels = (c: Residual | { dtype: 'binary' }) => [{ name: 'mv', kind: 'multivector' as const, source: 'vectors' as const, dimensions: DIM, ...c }];

async function hits(ix: HybridIndex, q: { data: Float32Array; dim: number; count: number }, k: number, extra: Record<string, unknown> = {}) {
  return (await ix.search({ vectors: { mv: q } }, { k, channels: ['mv'], ...extra })).map((h) => [h.id as number, h.score] as [number, number]);
}

/** Every segment file of the channel the index's segment list names, decoded through the container only. */
async function segmentFiles(dir: string): Promise<string[]> {
  const ref = JSON.parse(fs.readFileSync(path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).dir, 'mv', 'segments.ref.json'), 'utf8')) as { dir: string; manifest: string };
  const list = JSON.parse(fs.readFileSync(path.join(dir, ref.dir, ref.manifest), 'utf8')) as { segments: { name: string }[] };
  return list.segments.map((s) => path.join(dir, ref.dir, `${s.name}.mvec`));
}

interface Decoded {
  dim: number;
  bits: CodeBits;
  codes: Uint8Array;
  cb: ResidualCodebook | null;
  cids: Uint16Array | null;
  norms: Float32Array | null;
  byId: Map<number, [number, number]>;
}

async function readSegment(file: string): Promise<Decoded> {
  const f = await SegmentFile.open(file, 'mvec', 2, { mode: 'read' });
  try {
    const [nd, nv, dim, dtype, bits, k] = Array.from(f.view('meta', Uint32Array, 6)) as number[];
    const ids = f.view('docids', Uint32Array, nd!);
    const vstart = f.view('vstart', Uint32Array, nd! + 1);
    const codes = f.view('codes', Uint8Array, nv! * codesBytes(dim!, bits as CodeBits)).slice();
    let cb: ResidualCodebook | null = null;
    let cids: Uint16Array | null = null;
    let norms: Float32Array | null = null;
    if (dtype === 4) {
      cids = f.view('cids', Uint16Array, nv!).slice();
      norms = f.view('norms', Float32Array, nv!).slice();
      const s = f.section('codebook');
      cb = parseCodebook(f.mapping.bytes(s.offset, s.length).slice(), dim!, bits as CodeBits, k!, (m) => {
        throw new Error(m);
      });
    }
    const byId = new Map<number, [number, number]>();
    for (let d = 0; d < nd!; d++) byId.set(ids[d]!, [vstart[d]!, vstart[d + 1]!]);
    return { dim: dim!, bits: bits as CodeBits, codes, cb, cids, norms, byId };
  } finally {
    f.close();
  }
}

/** The TS twin's MaxSim of one document of a decoded segment. */
function twinScore(s: Decoded, q: { data: Float32Array; count: number }, id: number): number {
  const [a, e] = s.byId.get(id)!;
  const out = new Float32Array(1);
  const cb = s.cb!;
  referenceKernels.maxsimCodes(q.data, q.count, s.dim, s.codes, s.bits, cb.levels, cb.scale, s.cids, s.norms, new Float32Array(q.count * cb.k), cb.k, Uint32Array.of(a), Uint32Array.of(e - a), out, cb.centroids, cb.centroidScales);
  return out[0]!;
}

/** f64 MaxSim over the codec's decoded rows. */
function decodedScore(s: Decoded, q: { data: Float32Array; count: number }, id: number): number {
  const [a, e] = s.byId.get(id)!;
  const bytes = codesBytes(s.dim, s.bits);
  const rows = [];
  for (let v = a; v < e; v++) rows.push(decodeVector(s.codes, v * bytes, s.dim, s.bits, s.cb, s.cids?.[v] ?? 0, s.norms?.[v] ?? 1));
  let total = 0;
  for (let i = 0; i < q.count; i++) {
    let best = -Infinity;
    for (const x of rows) {
      let t = 0;
      for (let k = 0; k < s.dim; k++) t += q.data[i * s.dim + k]! * x[k]!;
      best = Math.max(best, t);
    }
    total += best;
  }
  return total / q.count;
}

/**
 * Checks every live saved document's score (exhaustive search) against the segment-file
 * oracles; returns how many were checked. `tail` documents are checked by the caller.
 */
async function checkSegments(ix: HybridIndex, dir: string, live: Set<number>, tail: Set<number>): Promise<number> {
  const segs = await Promise.all((await segmentFiles(dir)).map(readSegment));
  let checked = 0;
  for (const q of QUERIES) {
    const all = await hits(ix, q, live.size + tail.size, { exhaustive: true });
    expect(new Set(all.map(([id]) => id))).toEqual(new Set([...live, ...tail]));
    for (const [id, score] of all) {
      if (tail.has(id)) continue;
      const holders = segs.filter((s) => s.byId.has(id));
      expect(holders.length, `document ${id}: in ${holders.length} segments`).toBeGreaterThanOrEqual(1);
      const s = holders[holders.length - 1]!; // an update's newer copy is in a later segment; the older is deleted
      expect(score, `document ${id}`).toBe(twinScore(s, q, id));
      expect(Math.abs(score - decodedScore(s, q, id))).toBeLessThan(5e-3);
      checked++;
    }
  }
  return checked;
}

/** The first stage: exact scores, only live / passing documents, ≥ 0.9 of the exhaustive top-10. */
async function checkFirstStage(ix: HybridIndex, live: Set<number>): Promise<number> {
  let found = 0;
  let total = 0;
  for (const q of QUERIES) {
    const all = new Map(await hits(ix, q, live.size, { exhaustive: true }));
    const exact = await hits(ix, q, 10, { exhaustive: true });
    const first = await hits(ix, q, 10);
    for (const [id, s] of first) {
      expect(live.has(id)).toBe(true);
      expect(s).toBe(all.get(id));
    }
    found += first.filter(([id]) => exact.some(([e]) => e === id)).length;
    total += exact.length;
    const filtered = await hits(ix, q, 5, { filter: (_m: unknown, id: unknown) => (id as number) % 3 === 0 });
    for (const [id, s] of filtered) {
      expect(id % 3).toBe(0);
      expect(s).toBe(all.get(id));
    }
    const want = [...all].filter(([id]) => id % 3 === 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    expect(filtered.length).toBe(Math.min(5, want.length));
  }
  return found / total;
}

describe.each([
  { dtype: 'residual', bits: 2, centroids: 16 },
  { dtype: 'residual', bits: 1 },
  { dtype: 'residual', bits: 4, centroids: 8 },
] as Residual[])("residual $bits-bit under storage: 'segments'", (cfg) => {
  it('1 segment, several segments + deletes, reopen, optimize: scores equal the TS twin on each segment file bit for bit; tail docs as a default index of them; first stage exact', async () => {
    const dir = fresh();
    let ix = await HybridIndex.create({ path: dir, channels: channels(cfg), storage: 'segments', wal: false });
    const live = new Set<number>();
    // ids 0, 1, 2, … in add order: the index's internal ids (what segment files hold) are the same
    let next = 0;
    // the default storage's twin: the first stage's recall is compared with its own at the end
    const twin = await HybridIndex.create({ channels: channels(cfg), wal: false });
    const add = async (n: number, seed: number) => {
      await ix.add(docs(next, n, seed));
      await twin.add(docs(next, n, seed));
      for (let i = next; i < next + n; i++) live.add(i);
      next += n;
    };
    await add(90, 1);
    await ix.save();
    expect(ix.stats().channels.mv).toMatchObject({ segments: 1, tail: 0 });
    expect(await checkSegments(ix, dir, live, new Set())).toBe(QUERIES.length * live.size);
    for (let s = 1; s < 4; s++) {
      await add(40 + 7 * s, 10 + s);
      await ix.delete([s * 7, next - 3]);
      await twin.delete([s * 7, next - 3]);
      live.delete(s * 7);
      live.delete(next - 3);
      await ix.save();
    }
    expect(ix.stats().channels.mv).toMatchObject({ segments: 4, tail: 0 });
    // each live id is in exactly one segment file (a document deleted while in the tail never reached one)
    const held = (await Promise.all((await segmentFiles(dir)).map(readSegment))).flatMap((x) => [...x.byId.keys()]);
    expect(new Set(held).size).toBe(held.length);
    expect(held.filter((id) => live.has(id)).length).toBe(live.size);
    expect(held.every((id) => id < next)).toBe(true);
    await checkSegments(ix, dir, live, new Set());
    expect(await checkFirstStage(ix, live)).toBeGreaterThanOrEqual(0.9);

    // a tail: scored by the in-memory residual store, as a default-storage index of the same documents
    const tailDocs = docs(next, 30, 99);
    next += 30;
    await ix.add(tailDocs);
    await twin.add(tailDocs);
    const tail = new Set(tailDocs.map((d) => d.id));
    const ref = await HybridIndex.create({ channels: channels(cfg), wal: false });
    await ref.add(tailDocs);
    for (const q of QUERIES) {
      const mine = new Map(await hits(ix, q, live.size + tail.size, { exhaustive: true }));
      for (const [id, s] of await hits(ref, q, tail.size, { exhaustive: true })) expect(mine.get(id), `tail document ${id}`).toBe(s);
    }
    await ref.close();
    await checkSegments(ix, dir, live, tail);
    for (const id of tail) live.add(id);

    // reopen: the same answers (the tail was saved into a fifth segment)
    await ix.save();
    const before = await Promise.all(QUERIES.map((q) => hits(ix, q, 15)));
    await ix.close();
    ix = await HybridIndex.open(dir, {});
    expect(ix.stats().channels.mv).toMatchObject({ segments: 5, tail: 0 });
    expect(await Promise.all(QUERIES.map((q) => hits(ix, q, 15)))).toEqual(before);
    await checkSegments(ix, dir, live, new Set());

    // optimize: one segment with a codebook retrained on the decoded vectors
    await ix.optimize();
    expect(ix.stats().channels.mv).toMatchObject({ segments: 1, tail: 0 });
    const files = await segmentFiles(dir);
    expect(files.length).toBe(1);
    expect((await readSegment(files[0]!)).byId.size).toBe(live.size);
    await checkSegments(ix, dir, live, new Set());
    const mine = await checkFirstStage(ix, live);
    const theirs = await checkFirstStage(twin, live);
    console.log(`[segments-mv-compressed] residual ${cfg.bits}-bit first-stage top-10 overlap: segments ${mine.toFixed(3)}, default storage ${theirs.toFixed(3)}`);
    expect(mine).toBeGreaterThanOrEqual(Math.min(0.9, theirs));
    await twin.close();
    await ix.close();
  }, 120_000);
});

describe("residual: the channel's own candidates under storage: 'segments'", () => {
  it('come from the per-segment centroid lists (no exhaustive scan) in channels: [mv] and in a hybrid union', async () => {
    const dir = fresh();
    const chs = [...channels({ dtype: 'residual', bits: 2, centroids: 16 }), { name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: DIM }];
    const ix = await HybridIndex.create({ path: dir, channels: chs, storage: 'segments', wal: false });
    // segments bigger than the pool (256 documents): smaller ones are scanned, which is exact
    for (let s = 0; s < 3; s++) {
      await ix.add(docs(s * 1000, 300, 40 + s).map((d) => ({ ...d, vectors: { ...d.vectors, dense: d.vectors.mv.data.slice(0, DIM) } })));
      await ix.save();
    }
    const lists = vi.spyOn(SegmentedStore.prototype, 'candidatesMultiVector');
    const probed = vi.spyOn(MvSegment.prototype, 'lists');
    const scan = vi.spyOn(SegmentedStore.prototype, 'multiVectorTopK');

    try {
      for (const q of QUERIES) {
        await hits(ix, q, 10);
        // hybrid: the union of the dense channel's and the multi-vector channel's candidates
        const both = await ix.search({ vectors: { mv: q, dense: q.data.slice(0, DIM) } }, { k: 10, channels: ['dense', 'mv'], fusion: { kind: 'rrf' } });
        expect(both.length).toBe(10);
      }
      expect(lists).toHaveBeenCalledTimes(2 * QUERIES.length);
      // channels: [mv] (depth 10, pool 256 < 300 documents): every segment probed through its
      // lists; the hybrid search asks for 100 candidates (pool 400 > 300): each segment scanned
      expect(probed).toHaveBeenCalledTimes(3 * QUERIES.length);
      expect(scan).not.toHaveBeenCalled();
      // exact scores for what the lists found; filters through the lists (oversampled) and,
      // when fewer than k pass, the exact filtered scan of each segment
      const rare = new Set([5, 1017, 2290, 2003]);
      for (const q of QUERIES) {
        const all = new Map(await hits(ix, q, 900, { exhaustive: true }));
        for (const [id, sc] of await hits(ix, q, 10)) expect(sc).toBe(all.get(id));
        const thirds = await hits(ix, q, 10, { filter: (_m: unknown, id: unknown) => (id as number) % 3 === 0 });
        expect(thirds.length).toBe(10);
        for (const [id, sc] of thirds) {
          expect(id % 3).toBe(0);
          expect(sc).toBe(all.get(id));
        }
        const few = await hits(ix, q, 10, { filter: (_m: unknown, id: unknown) => rare.has(id as number) });
        const want = [...all].filter(([id]) => rare.has(id)).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
        expect(few).toEqual(want);
      }
      // the mv channel's top document by its own first stage is in the union's candidates
      for (const q of QUERIES) {
        const top = (await hits(ix, q, 1))[0]![0];
        const union = await ix.search({ vectors: { mv: q, dense: q.data.slice(0, DIM) } }, { k: 240, channels: ['dense', 'mv'], fusion: { kind: 'rrf' }, candidates: 10 });
        expect(union.some((h) => h.id === top)).toBe(true);
      }
    } finally {
      lists.mockRestore();
      probed.mockRestore();
      scan.mockRestore();
    }
    await ix.close();
  });
});

describe("binary under storage: 'segments'", () => {
  it('identical ids and scores to the default storage: FakeEncoder channels, 1 and several segments, a tail, deletes, reopen, optimize', async () => {
    const encoder = new FakeEncoder();
    const segDir = fresh();
    const refDir = fresh();
    let seg = await HybridIndex.create({ encoder, path: segDir, storage: 'segments', wal: false, multivector: { dtype: 'binary' } });
    let ref = await HybridIndex.create({ encoder, path: refDir, wal: false, multivector: { dtype: 'binary' } });
    const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');
    const batch = (from: number, n: number, seed: number) => {
      const r = rng(seed);
      return Array.from({ length: n }, (_, i) => ({ id: `d${from + i}`, text: Array.from({ length: 3 + Math.floor(r() * 10) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ') }));
    };
    const same = async () => {
      for (const q of ['alpha beta', 'gamma delta zeta', 'tau', 'kappa lambda mu nu xi']) {
        for (const o of [{ mode: 'multivector' }, { mode: 'all' }, { channels: ['multivector'], exhaustive: true }, { mode: 'all', exhaustive: true }] as const) {
          const a = await seg.search(q, { k: 10, ...o });
          const b = await ref.search(q, { k: 10, ...o });
          expect(a.map((h) => [h.id, h.score, h.scores.multivector])).toEqual(b.map((h) => [h.id, h.score, h.scores.multivector]));
        }
      }
    };
    const both = async (f: (ix: HybridIndex) => Promise<unknown>) => {
      await f(seg);
      await f(ref);
    };
    await both((ix) => ix.add(batch(0, 60, 1)));
    await same(); // all in the tail
    await both((ix) => ix.save());
    await same(); // 1 segment
    for (let s = 1; s < 4; s++) {
      await both((ix) => ix.add(batch(s * 100, 25, 1 + s)));
      await both((ix) => ix.delete([`d${s * 5}`, `d${s * 100 + 1}`]));
      await both((ix) => ix.save());
    }
    await both((ix) => ix.add(batch(900, 10, 9)));
    expect((seg.stats().channels.multivector as { segments: number }).segments).toBe(4);
    await same(); // several segments + a tail
    await seg.close();
    await ref.close();
    seg = await HybridIndex.open(segDir, { encoder });
    ref = await HybridIndex.open(refDir, { encoder });
    await same();
    await both((ix) => ix.optimize());
    expect((seg.stats().channels.multivector as { segments: number }).segments).toBe(1);
    await same();
    await seg.close();
    await ref.close();
  });
});

describe('compressed segments: damage is a typed error naming the file', () => {
  it('a crafted residual segment (centroid id out of range, codebook bytes) is CORRUPT_FILE / CHECKSUM_MISMATCH at open or first search', async () => {
    const dir = fresh();
    const ix = await HybridIndex.create({ path: dir, channels: channels({ dtype: 'residual', bits: 2, centroids: 8 }), storage: 'segments', wal: false });
    await ix.add(docs(0, 40, 3));
    await ix.save();
    await ix.close();
    const [file] = await segmentFiles(dir);
    const orig = fs.readFileSync(file!);
    const f = await SegmentFile.open(file!, 'mvec', 2, { mode: 'read' });
    const cidsAt = f.section('cids').offset;
    const cbAt = f.section('codebook').offset;
    f.close();
    for (const [what, at] of [
      ['cids', cidsAt],
      ['codebook', cbAt + 3],
    ] as const) {
      const bad = Buffer.from(orig);
      bad[at] = 0xff;
      bad[at + 1] = 0xff;
      fs.writeFileSync(file!, bad);
      const got = await (async () => {
        const again = await HybridIndex.open(dir, {});
        try {
          await hits(again, QUERIES[0]!, 5);
          return null;
        } finally {
          await again.close();
        }
      })().catch((e: unknown) => e);
      expect(got, what).toBeInstanceOf(StorageError);
      expect((got as StorageError).code).toMatch(/CORRUPT_FILE|CHECKSUM_MISMATCH/);
      expect((got as StorageError).message).toContain(path.basename(file!));
    }
    fs.writeFileSync(file!, orig);
  });
});
