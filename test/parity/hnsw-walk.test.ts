// The multi-graph HNSW walk (native/hnsw.cc) against its TS twin (src/dense/hnsw-walk.ts) and
// two independent oracles, over usearch files written by usearch itself (f32 and f16):
// - twin parity: on every native ISA, the addon and the twin (scoring with the same ISA's dots)
//   return the same ids and scores bit for bit, with and without a dead mask;
// - exact oracle: a breadth of every node walks the whole (connected) graph, so the hits are
//   the exact top-k of a brute-force scan by the same kernel (ties by lower id);
// - usearch oracle: at the same breadth the walk finds what usearch's own search finds (same
//   algorithm; usearch's distance kernel may order near-ties differently);
// - bytes that disagree with the description are refused (-1 - g, a CORRUPT_FILE naming the
//   file through searchGraphs), never read outside the buffers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../src/dense/graph.js';
import { validateGraphBytes } from '../../src/dense/graph-validate.js';
import { activeDots, type GraphLayout, type HnswGraphArgs, hnswWalk, searchGraphs } from '../../src/dense/hnsw-walk.js';
import type { DenseDtype } from '../../src/dense/rows.js';
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { loadNative } from '../../src/kernels/native.js';
import { rng } from '../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-hnsw-walk-'));
afterAll(() => {
  setIsa('auto');
  fs.rmSync(tmp, { recursive: true, force: true });
});

const DIM = 24;
const CONN = 8;
const native = loadNative();
const isas = native instanceof Error ? [] : backend().available;

function clustered(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centres = Float32Array.from({ length: 8 * DIM }, g);
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * 8) * DIM;
    let norm = 0;
    for (let j = 0; j < DIM; j++) {
      out[i * DIM + j] = centres[c + j]! + 0.8 * g();
      norm += out[i * DIM + j]! ** 2;
    }
    for (let j = 0; j < DIM; j++) out[i * DIM + j]! /= Math.sqrt(norm);
  }
  return out;
}

interface Built {
  file: string;
  bytes: Uint8Array;
  layout: GraphLayout;
  keys: Uint32Array;
  graph: Graph;
  ids: Uint32Array;
}

/** A usearch graph of `n` rows under ids first, first + 3, … written and validated as a segment's. */
function build(dtype: DenseDtype, n: number, first: number, seed: number): Built {
  const cfg = { dim: DIM, dtype, connectivity: CONN, expansionAdd: 64, expansionSearch: 64 };
  const graph = new Graph(cfg);
  const ids = Uint32Array.from({ length: n }, (_, i) => first + 3 * i);
  graph.add(ids, clustered(n, seed), 1);
  const file = path.join(tmp, `${dtype}-${seed}.usearch`);
  graph.save(file);
  const bytes = new Uint8Array(fs.readFileSync(file));
  const keys = new Uint32Array(n);
  const layout: GraphLayout = { offsets: new Float64Array(n), entry: 0, maxLevel: 0 };
  expect(validateGraphBytes(bytes, { dimensions: DIM, dtype, connectivity: CONN, ids }, { slotKeys: keys, layout })).toBeNull();
  return { file, bytes, layout, keys, graph, ids };
}

const args = (b: Built, ef: number, dead: Uint8Array | null = null): HnswGraphArgs => [b.bytes, b.layout.offsets, b.keys, dead, b.layout.entry, b.layout.maxLevel, CONN, ef];

function nativeSearch(q: Float32Array, f16: boolean, graphs: HnswGraphArgs[], k: number): { got: number; ids: number[]; scores: number[] } {
  const ids = new Uint32Array(k);
  const scores = new Float32Array(k);
  const got = (native as Exclude<typeof native, Error>).hnsw!.hnswSearch(q, DIM, f16, graphs, k, ids, scores);
  return { got, ids: Array.from(ids.subarray(0, Math.max(got, 0))), scores: Array.from(scores.subarray(0, Math.max(got, 0))) };
}

function twinSearch(q: Float32Array, f16: boolean, graphs: HnswGraphArgs[], k: number): { got: number; ids: number[]; scores: number[] } {
  const ids = new Uint32Array(k);
  const scores = new Float32Array(k);
  const got = hnswWalk(q, DIM, f16, graphs, k, ids, scores, activeDots(q, DIM, f16));
  return { got, ids: Array.from(ids.subarray(0, Math.max(got, 0))), scores: Array.from(scores.subarray(0, Math.max(got, 0))) };
}

/** Exact top-k over the graphs' rows by the active kernel's dots, ties by lower id. */
function exactTop(q: Float32Array, f16: boolean, graphs: Built[], k: number, dead: (Uint8Array | null)[] = []): { ids: number[]; scores: number[] } {
  const all: [number, number][] = [];
  graphs.forEach((b, g) => {
    const n = b.keys.length;
    const out = new Float32Array(n);
    const dots = activeDots(q, DIM, f16);
    const vectors = f16 ? new Uint16Array(b.bytes.buffer, b.bytes.byteOffset + 8, n * DIM) : new Float32Array(b.bytes.buffer, b.bytes.byteOffset + 8, n * DIM);
    dots(
      vectors,
      Uint32Array.from({ length: n }, (_, i) => i),
      out,
    );
    for (let s = 0; s < n; s++) if (!dead[g]?.[s]) all.push([out[s]!, b.keys[s]!]);
  });
  all.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const top = all.slice(0, k);
  return { ids: top.map((x) => x[1]), scores: top.map((x) => x[0]) };
}

describe.each(['f32', 'f16'] as const)('hnswSearch over %s usearch files', (dtype) => {
  const f16 = dtype === 'f16';
  const graphs = [build(dtype, 900, 0, 1), build(dtype, 400, 1, 2), build(dtype, 60, 2, 3)];
  const queries = clustered(40, 9);
  const q = (i: number) => queries.slice(i * DIM, (i + 1) * DIM);

  it.skipIf(isas.length === 0)('the addon and the TS twin return the same hits bit for bit on every ISA', () => {
    const dead = graphs.map((b, g) => (g === 1 ? Uint8Array.from({ length: b.keys.length }, (_, i) => (i % 5 === 0 ? 1 : 0)) : null));
    const deadIds = new Set(Array.from(graphs[1]!.keys).filter((_, s) => s % 5 === 0));
    for (const isa of isas) {
      setIsa(isa);
      for (let i = 0; i < 40; i++) {
        for (const [k, ef] of [
          [10, 16],
          [5, 3],
          [30, 64],
        ] as const) {
          const a = graphs.map((b, g) => args(b, ef + 7 * g, i % 2 === 0 ? dead[g]! : null));
          const n = nativeSearch(q(i), f16, a, k);
          const t = twinSearch(q(i), f16, a, k);
          expect(n.got, `${isa} query ${i}`).toBe(k);
          expect(n, `${isa} query ${i} k ${k} ef ${ef}`).toEqual(t);
          if (i % 2 === 0) for (const id of n.ids) expect(deadIds.has(id), `dead id ${id} returned`).toBe(false);
        }
      }
    }
    setIsa('auto');
  });

  it('a breadth of every node gives the exact top-k (brute force by the same kernel, ties by lower id)', () => {
    for (const isa of [...isas, 'js']) {
      setIsa(isa);
      for (let i = 0; i < 10; i++) {
        const want = exactTop(q(i), f16, graphs, 20);
        const got = searchGraphs(
          q(i),
          DIM,
          f16,
          graphs.map((b) => ({ args: args(b, b.keys.length), file: b.file })),
          20,
        );
        expect({ ids: Array.from(got.ids), scores: Array.from(got.scores) }, `${isa} query ${i}`).toEqual(want);
      }
    }
    setIsa('auto');
  });

  it("finds what usearch's own search finds at the same breadth", () => {
    const b = graphs[0]!;
    let same = 0;
    let total = 0;
    const viewed = Graph.view(b.file, { dim: DIM, dtype, connectivity: CONN, expansionAdd: 64, expansionSearch: 12 });
    for (let i = 0; i < 40; i++) {
      const theirs = new Set(viewed.search(q(i), 10));
      const ours = searchGraphs(q(i), DIM, f16, [{ args: args(b, 12), file: b.file }], 10);
      for (const id of ours.ids) if (theirs.has(id)) same++;
      total += 10;
      // scores are the kernel's exact dots
      const exact = new Float32Array(ours.ids.length);
      const slots = Uint32Array.from(ours.ids, (id) => b.keys.indexOf(id));
      const vectors = f16 ? new Uint16Array(b.bytes.buffer, 8, b.keys.length * DIM) : new Float32Array(b.bytes.buffer, 8, b.keys.length * DIM);
      if (f16) kernels.dotsF16(q(i), DIM, vectors as Uint16Array, slots, exact);
      else kernels.dotsF32(q(i), DIM, vectors as Float32Array, slots, exact);
      expect(Array.from(ours.scores)).toEqual(Array.from(exact));
    }
    expect(same / total).toBeGreaterThanOrEqual(0.97);
  });

  it('refuses bytes that disagree with the description, in both twins, and names the file', () => {
    const b = graphs[1]!;
    const q0 = q(0);
    const variants: [string, HnswGraphArgs][] = [];
    const farOffsets = b.layout.offsets.slice();
    farOffsets.fill(b.bytes.length - 4, 0, farOffsets.length);
    variants.push(['node offsets past the end', [b.bytes, farOffsets, b.keys, null, b.layout.entry, b.layout.maxLevel, CONN, 32]]);
    variants.push(['entry outside the graph', [b.bytes, b.layout.offsets, b.keys, null, b.keys.length, b.layout.maxLevel, CONN, 32]]);
    variants.push(['keys of another length', [b.bytes, b.layout.offsets, b.keys.subarray(1), null, b.layout.entry, b.layout.maxLevel, CONN, 32]]);
    variants.push(['a wider connectivity than written', [b.bytes, b.layout.offsets, b.keys, null, b.layout.entry, b.layout.maxLevel, 4 * CONN, 32]]);
    variants.push(['levels above the nodes', [b.bytes, b.layout.offsets, b.keys, null, b.layout.entry, b.layout.maxLevel + 3, CONN, 32]]);
    // a level-0 link to a slot outside the graph, planted in every node's first link
    const bad = b.bytes.slice();
    const dv = new DataView(bad.buffer);
    for (const off of b.layout.offsets) if (dv.getUint32(off + 10, true) > 0) dv.setUint32(off + 14, 1_000_000, true);
    variants.push(['a link outside the graph', [bad, b.layout.offsets, b.keys, null, b.layout.entry, b.layout.maxLevel, CONN, 32]]);
    for (const [what, a] of variants) {
      const list = [args(graphs[0]!, 16), a];
      if (isas.length > 0) expect(nativeSearch(q0, f16, list, 10).got, what).toBe(-2);
      expect(twinSearch(q0, f16, list, 10).got, what).toBe(-2);
      expect(
        () =>
          searchGraphs(
            q0,
            DIM,
            f16,
            [
              { args: list[0]!, file: 'a.hnsw' },
              { args: a, file: 'b.hnsw' },
            ],
            10,
          ),
        what,
      ).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE', file: 'b.hnsw' }));
    }
  });
});
