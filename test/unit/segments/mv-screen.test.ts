// The MaxSim screening sidecar in f32 / f16 multi-vector segments (sections scri8 / scrstat,
// written with `mvScreening`): the sections hold exactly the TS reference sidecar of the file's
// own vectors (buildScreenReference), MaxSim scores are bit for bit those of the same documents
// in a store without the sidecar (plain kernels) and close to an f64 MaxSim of the stored
// vectors, before and after a merge; a damaged sidecar (a small section at open; a block of a big
// one on the first MaxSim whose rows lie in it, other documents still scored) is
// CHECKSUM_MISMATCH naming the file and section. Through HybridIndex: a screening channel (default storage or segments) and a
// 'none' one give identical hits and scores, and only the screening one writes the sections.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, StorageError } from '../../../src/index.js';
import { f16Values } from '../../../src/kernels/f16.js';
import { buildScreenReference, SCREEN_STATS } from '../../../src/kernels/screen-reference.js';
import { CRC_BLOCK_BYTES } from '../../../src/segments/container.js';
import { SegmentedStore, SegmentFile } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-mvscreen-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `s${dirs++}`);
const DIM = 48;

function docsOf(from: number, n: number, seed: number) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const count = 1 + Math.floor(r() * 9);
    return { id: from + i, mv: { data: Float32Array.from({ length: count * DIM }, () => r() * 2 - 1), dim: DIM, count } };
  });
}

/** The f64 MaxSim of a query against a document's stored rows, averaged over the query vectors (as the store reports it). */
function maxsim64(q: Float32Array, qCount: number, rows: Float64Array[]): number {
  let s = 0;
  for (let i = 0; i < qCount; i++) {
    let best = -Infinity;
    for (const row of rows) {
      let d = 0;
      for (let k = 0; k < DIM; k++) d += q[i * DIM + k]! * row[k]!;
      best = Math.max(best, d);
    }
    s += best;
  }
  return s / qCount;
}

/** Every segment file of a store directory, with its sections read back. */
async function segmentFiles(dir: string, dtype: 'f32' | 'f16') {
  const out: { file: string; docs: number; screened: boolean; vectors: Float32Array | Uint16Array; vstart: Uint32Array; i8: Int8Array | null; stats: Float32Array | null }[] = [];
  const list = JSON.parse(fs.readFileSync(path.join(dir, 'segments.json'), 'utf8')) as { segments: { name: string }[] };
  for (const s of list.segments) {
    const file = path.join(dir, `${s.name}.mvec`);
    const f = await SegmentFile.open(file, 'mvec', [1, 2]);
    const meta = f.view('meta', Uint32Array, 4);
    const [docs, nv] = [meta[0]!, meta[1]!];
    const vectors = dtype === 'f32' ? f.view('vectors', Float32Array, nv * DIM).slice() : f.view('vectors', Uint16Array, nv * DIM).slice();
    const screened = f.sections.has('scri8');
    out.push({
      file,
      docs,
      screened,
      vectors,
      vstart: f.view('vstart', Uint32Array, docs + 1).slice(),
      i8: screened ? f.view('scri8', Int8Array, nv * DIM).slice() : null,
      stats: screened ? f.view('scrstat', Float32Array, nv * SCREEN_STATS).slice() : null,
    });
    f.close();
  }
  return out;
}

describe.each(['f32', 'f16'] as const)('%s multi-vector segments with the screening sidecar', (dtype) => {
  it('holds the reference sidecar of its vectors; MaxSim equals the unscreened store bit for bit (and an f64 oracle), before and after a merge', async () => {
    const withDir = fresh();
    const withoutDir = fresh();
    const a = await SegmentedStore.create(withDir, { multivector: { dim: DIM, dtype } }, { mvScreening: true });
    const b = await SegmentedStore.create(withoutDir, { multivector: { dim: DIM, dtype } });
    const all = [...docsOf(0, 120, 1), ...docsOf(1000, 80, 2), ...docsOf(2000, 30, 3)];
    for (const [from, to] of [
      [0, 120],
      [120, 200],
      [200, 230],
    ] as const) {
      for (const d of all.slice(from, to)) {
        a.add(d.id, { multivector: d.mv });
        b.add(d.id, { multivector: d.mv });
      }
      await a.commit({ merge: false });
      await b.commit({ merge: false });
    }
    const r = rng(9);
    const qCount = 5;
    const queries = Array.from({ length: 6 }, () => ({ data: Float32Array.from({ length: qCount * DIM }, () => r() * 2 - 1), dim: DIM, count: qCount }));
    const ids = all.map((d) => d.id);
    const f16 = f16Values();
    const check = async (segments: number) => {
      const files = await segmentFiles(withDir, dtype);
      expect(files.length).toBe(segments);
      // oracle rows per id: the stored (normalised, rounded) vectors read from the files
      const rows = new Map<number, Float64Array[]>();
      const list = JSON.parse(fs.readFileSync(path.join(withDir, 'segments.json'), 'utf8')) as { segments: { name: string }[] };
      for (const [j, f] of files.entries()) {
        expect(f.screened).toBe(true);
        // the sections are the TS reference sidecar of the file's own vectors
        const nv = f.vstart[f.docs]!;
        const i8 = new Int8Array(nv * DIM);
        const stats = new Float32Array(nv * SCREEN_STATS);
        buildScreenReference(f.vectors, DIM, 0, nv, i8, stats);
        expect(Buffer.from(f.i8!.buffer).equals(Buffer.from(i8.buffer))).toBe(true);
        expect(Buffer.from(f.stats!.buffer).equals(Buffer.from(stats.buffer))).toBe(true);
        const sf = await SegmentFile.open(path.join(withDir, `${list.segments[j]!.name}.mvec`), 'mvec', [1, 2]);
        const docids = sf.view('docids', Uint32Array, f.docs).slice();
        sf.close();
        for (let o = 0; o < f.docs; o++) {
          const rs: Float64Array[] = [];
          for (let v = f.vstart[o]!; v < f.vstart[o + 1]!; v++) rs.push(Float64Array.from(f.vectors.subarray(v * DIM, (v + 1) * DIM), (x) => (dtype === 'f16' ? f16[x]! : x)));
          rows.set(docids[o]!, rs);
        }
      }
      for (const unscreened of await segmentFiles(withoutDir, dtype)) expect(unscreened.screened).toBe(false);
      for (const q of queries) {
        const got = a.scoreMultiVector(q, ids);
        expect(Array.from(got)).toEqual(Array.from(b.scoreMultiVector(q, ids)));
        ids.forEach((id, i) => {
          expect(got[i]).toBeCloseTo(maxsim64(q.data, qCount, rows.get(id)!), 4);
        });
      }
    };
    await check(3);
    await a.optimize();
    await b.optimize();
    await check(1);
    a.close();
    b.close();

    // a damaged sidecar block fails the MaxSim touching it, naming the file; a missing section is refused
    const [only] = await segmentFiles(withDir, dtype);
    const f = await SegmentFile.open(only!.file, 'mvec', [1, 2]);
    const at = f.section('scri8', false).offset + Math.min(f.section('scri8', false).length - 1, CRC_BLOCK_BYTES + 5);
    f.close();
    const buf = fs.readFileSync(only!.file);
    buf[at]! ^= 0x21;
    fs.writeFileSync(only!.file, buf);
    // (a section this small has no block checksums: it is checked whole, at open)
    let err: unknown = null;
    try {
      const bad = await SegmentedStore.open(withDir);
      try {
        bad.scoreMultiVector(queries[0]!, ids);
      } finally {
        bad.close();
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('CHECKSUM_MISMATCH');
    expect((err as Error).message).toContain(path.basename(only!.file));
    expect((err as Error).message).toContain("section 'scri8'");
  });
});

it('a damaged block of a big sidecar fails only the MaxSim of documents whose rows lie in it', async () => {
  const dir = fresh();
  const st = await SegmentedStore.create(dir, { multivector: { dim: DIM, dtype: 'f16' } }, { mvScreening: true });
  const docs = docsOf(0, 2000, 21);
  for (const d of docs) st.add(d.id, { multivector: d.mv });
  await st.commit({ merge: false });
  st.close();
  const [seg] = await segmentFiles(dir, 'f16');
  const f = await SegmentFile.open(seg!.file, 'mvec', [1, 2]);
  expect(f.hasBlocks('scri8')).toBe(true);
  const k = 2;
  const at = f.section('scri8', false).offset + k * CRC_BLOCK_BYTES + 7;
  f.close();
  const buf = fs.readFileSync(seg!.file);
  buf[at]! ^= 0x21;
  fs.writeFileSync(seg!.file, buf);
  // documents whose screening rows (DIM bytes per vector) overlap block k
  const touches = (o: number) => seg!.vstart[o + 1]! * DIM > k * CRC_BLOCK_BYTES && seg!.vstart[o]! * DIM < (k + 1) * CRC_BLOCK_BYTES;
  const r = rng(5);
  const q = { data: Float32Array.from({ length: 3 * DIM }, () => r() * 2 - 1), dim: DIM, count: 3 };
  const good = Uint32Array.from(docs.filter((_, o) => !touches(o)).map((d) => d.id));
  const bad = Uint32Array.from(docs.filter((_, o) => touches(o)).map((d) => d.id));
  expect(bad.length).toBeGreaterThan(0);
  const store = await SegmentedStore.open(dir);
  expect(store.scoreMultiVector(q, good).length).toBe(good.length);
  for (const id of [bad[0]!, bad[bad.length - 1]!]) {
    let err: unknown = null;
    try {
      store.scoreMultiVector(q, [id]);
    } catch (e) {
      err = e;
    }
    expect((err as StorageError).code).toBe('CHECKSUM_MISMATCH');
    expect((err as Error).message).toContain(`${path.basename(seg!.file)}: section 'scri8'`);
  }
  store.close();
});

describe('screening through HybridIndex', () => {
  it("a screening channel (default storage or segments) and a 'none' one answer identically; only the screening one writes the sections", async () => {
    const ch = (screening: 'int8' | 'none') => [{ name: 'mv', kind: 'multivector' as const, source: 'vectors' as const, dimensions: DIM, dtype: 'f16' as const, screening }];
    const plain = await HybridIndex.create({ channels: ch('int8') });
    const segDir = fresh();
    const noneDir = fresh();
    const seg = await HybridIndex.create({ path: segDir, channels: ch('int8'), storage: 'segments', wal: false });
    const none = await HybridIndex.create({ path: noneDir, channels: ch('none'), storage: 'segments', wal: false });
    for (const [i, batch] of [docsOf(0, 150, 11), docsOf(500, 60, 12)].entries()) {
      for (const ix of [plain, seg, none]) await ix.add(batch.map((d) => ({ id: d.id, vectors: { mv: d.mv } })));
      if (i === 0) {
        await seg.save();
        await none.save();
      }
    }
    await seg.save();
    await none.save();
    const sections = (dir: string) =>
      Promise.all(
        fs
          .readdirSync(path.join(dir, 'segments', 'mv'))
          .filter((n) => n.endsWith('.mvec'))
          .map(async (n) => {
            const f = await SegmentFile.open(path.join(dir, 'segments', 'mv', n), 'mvec', [1, 2]);
            const has = f.sections.has('scri8') && f.sections.has('scrstat');
            f.close();
            return has;
          }),
      );
    expect(await sections(segDir)).toEqual([true, true]);
    expect(await sections(noneDir)).toEqual([false, false]);
    const r = rng(77);
    for (let t = 0; t < 5; t++) {
      const q = { data: Float32Array.from({ length: 4 * DIM }, () => r() * 2 - 1), dim: DIM, count: 4 };
      const hits = async (ix: HybridIndex) => (await ix.search({ vectors: { mv: q } }, { k: 20, channels: ['mv'], exhaustive: true })).map((h) => [h.id, h.score]);
      const want = await hits(plain);
      expect(await hits(seg)).toEqual(want);
      expect(await hits(none)).toEqual(want);
    }
    await seg.close();
    await none.close();
  });
});
