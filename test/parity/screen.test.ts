// Parity of the screened MaxSim entry points (maxsimF32Screen / maxsimF16Screen, which take the
// arena's int8 screening sidecar) and of the query-lane i8 kernel, on every ISA of this machine
// plus 'js', against float64 / integer oracles written here and against the canonical kernels:
// shapes that cross the kernels' internal boundaries (16-vector query lane blocks, 12/8/4/2/1-row
// document tiles with a shifted last tile, dimensions not a multiple of 4/16/64, unaligned
// starts, 0 and 1 tokens), near ties the int8 screen cannot separate, near-duplicates that force
// the brute-force fallback, and queries longer than one lane pass (1024 vectors).
import { afterAll, describe, expect, it } from 'vitest';
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { quantizeI8, toF16 } from '../../src/kernels/f16.js';
import { buildScreen, SCREEN_STATS } from '../../src/kernels/screen.js';
import { closeAll, decodeF16, decodeF32, magnitude, maxsimOracle, randomRows, rng, shifted, type Decoded } from './kernels-helpers.js';

const isas = [...backend().available, 'js'];
afterAll(() => setIsa('auto'));

interface Shape {
  name: string;
  dim: number;
  qCount: number;
  query: Float32Array;
  arena: Float32Array;
  vectors: number;
  starts: Uint32Array;
  counts: Uint32Array;
}

function normalise(a: Float32Array, off: number, dim: number): void {
  let n = 0;
  for (let k = 0; k < dim; k++) n += a[off + k]! ** 2;
  const inv = 1 / Math.sqrt(n);
  for (let k = 0; k < dim; k++) a[off + k] = a[off + k]! * inv;
}

/** Candidates of every tile-relevant length at unaligned starts, plus empty and whole-arena ones. */
function shape(seed: number, dim: number, qCount: number, vectors: number, kind: 'random' | 'ties' | 'dups' | 'graded' | 'aligned' = 'random'): Shape {
  const r = rng(seed);
  const query = randomRows(r, qCount, dim, true);
  const arena = randomRows(r, vectors, dim, true);
  if (kind === 'ties') {
    // per query vector two near-identical document vectors close to it (dots ~1e-4 apart)
    for (let a = 0; a < qCount && 2 * a + 1 < vectors; a++) {
      const j1 = (5 * a) % (vectors - 1);
      for (let k = 0; k < dim; k++) arena[j1 * dim + k] = query[a * dim + k]! + 0.3 * (r() - 0.5);
      normalise(arena, j1 * dim, dim);
      for (let k = 0; k < dim; k++) arena[(j1 + 1) * dim + k] = arena[j1 * dim + k]! + 1e-3 * (r() - 0.5);
      normalise(arena, (j1 + 1) * dim, dim);
    }
  } else if (kind === 'graded') {
    // per query vector a cluster of six document vectors near it whose dots differ by graded gaps
    // (~1e-5 .. 3e-2 apart): the second best falls at every distance from the best relative to
    // the screening bound, so a bound that is too tight anywhere picks a wrong row (a different
    // dot, so a different f32 result, not a rounding difference)
    const gaps = [1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 3e-2];
    for (let a = 0; a < qCount && 6 * a + 6 <= vectors; a++) {
      const j0 = 6 * a;
      for (let k = 0; k < dim; k++) arena[j0 * dim + k] = query[a * dim + k]! + 0.6 * (r() - 0.5);
      normalise(arena, j0 * dim, dim);
      for (let m = 1; m < 6; m++) {
        const j = j0 + m;
        for (let k = 0; k < dim; k++) arena[j * dim + k] = arena[j0 * dim + k]! + gaps[m]! * 4 * (r() - 0.5);
        normalise(arena, j * dim, dim);
      }
    }
  } else if (kind === 'aligned') {
    // adversarial for the query-side error: per query vector q, a document vector j0 with a large
    // component along q's own int8 rounding error e (so q8·d8 misestimates q·j0 by about the worst
    // case the bound allows for that term), and rivals orthogonal to e whose dots with q sit just
    // below q·j0 (graded gaps 1e-4 .. 4e-3): a bound too tight on the query side prunes j0
    for (let a = 0; a < qCount && 6 * a + 6 <= vectors; a++) {
      const q = query.subarray(a * dim, (a + 1) * dim);
      let maxabs = 0;
      for (let k = 0; k < dim; k++) maxabs = Math.max(maxabs, Math.abs(q[k]!));
      const scale = Math.fround(maxabs / 127);
      const e = Float64Array.from(q, (x) => x - scale * Math.round(x / scale));
      const en = Math.hypot(...e);
      const j0 = 6 * a;
      for (let k = 0; k < dim; k++) arena[j0 * dim + k] = 0.8 * q[k]! + 0.6 * (e[k]! / en);
      normalise(arena, j0 * dim, dim);
      let dot0 = 0;
      for (let k = 0; k < dim; k++) dot0 += q[k]! * arena[j0 * dim + k]!;
      for (let m = 1; m < 6; m++) {
        const j = j0 + m;
        const t = dot0 - [0, 1e-4, 5e-4, 1e-3, 2e-3, 4e-3][m]!;
        const n = Float64Array.from({ length: dim }, () => r() - 0.5);
        let nq = 0;
        for (let k = 0; k < dim; k++) nq += n[k]! * q[k]!;
        for (let k = 0; k < dim; k++) n[k] = n[k]! - nq * q[k]!; // orthogonal to q
        const nn = Math.hypot(...n);
        for (let k = 0; k < dim; k++) arena[j * dim + k] = t * q[k]! + Math.sqrt(1 - t * t) * (n[k]! / nn);
      }
    }
  } else if (kind === 'dups') {
    for (let v = 1; v < vectors; v++) {
      for (let k = 0; k < dim; k++) arena[v * dim + k] = arena[k]! + 1e-3 * (r() - 0.5);
      normalise(arena, v * dim, dim);
    }
  }
  const starts: number[] = [0, vectors - 1, 0];
  const counts: number[] = [0, 1, vectors];
  for (const c of [2, 3, 7, 8, 11, 12, 13, 23, 24, 25, 31]) {
    if (c > vectors) continue;
    starts.push(Math.floor(r() * (vectors - c + 1)));
    counts.push(c);
  }
  return { name: `seed ${seed} dim ${dim} q ${qCount} v ${vectors} ${kind}`, dim, qCount, query, arena, vectors, starts: Uint32Array.from(starts), counts: Uint32Array.from(counts) };
}

const shapes: Shape[] = [
  shape(101, 5, 17, 40),
  shape(102, 37, 33, 40),
  shape(103, 64, 16, 33),
  shape(104, 130, 4, 30),
  shape(105, 256, 32, 45),
  shape(106, 1024, 32, 30),
  shape(107, 96, 3, 26), // too few query vectors to screen
  shape(108, 200, 20, 40, 'ties'),
  shape(109, 128, 9, 30, 'dups'),
  shape(110, 192, 40, 70), // amx walker: 3 query blocks, shifted last row tile
  shape(111, 320, 17, 50, 'ties'),
  shape(112, 64, 48, 16, 'dups'),
  shape(113, 1024, 8, 60, 'graded'),
  shape(114, 256, 20, 130, 'graded'),
  shape(115, 128, 33, 200, 'graded'),
  shape(116, 1000, 6, 40, 'graded'), // dims not a multiple of 64: the unsplit query
  shape(117, 1024, 6, 48, 'aligned'),
  shape(118, 128, 17, 140, 'aligned'),
];

function screenOf(rows: Float32Array | Uint16Array, dim: number, vectors: number): { i8: Int8Array; stats: Float32Array } {
  const i8 = new Int8Array(vectors * dim);
  const stats = new Float32Array(vectors * SCREEN_STATS);
  buildScreen(rows, dim, 0, vectors, i8, stats);
  return { i8, stats };
}

describe.each(shapes)('screened MaxSim $name', (s) => {
  const { dim, qCount, vectors } = s;
  const qd: Decoded = (a, k) => s.query[a * dim + k]!;
  const f16 = toF16(s.arena);
  const scr32 = screenOf(s.arena, dim, vectors);
  const scr16 = screenOf(f16, dim, vectors);
  const ref32 = maxsimOracle(qd, qCount, dim, decodeF32(s.arena, dim), s.starts, s.counts);
  const ref16 = maxsimOracle(qd, qCount, dim, decodeF16(f16, dim), s.starts, s.counts);
  const tol = (dim + 2) * 2 ** -23 * magnitude(qd, qCount, dim, decodeF32(s.arena, dim), vectors) + 1e-9;

  it.each(isas)('%s: equals the canonical kernel bit for bit and the float64 oracle within f32 rounding', (isa) => {
    setIsa(isa);
    const n = s.starts.length;
    const canon = new Float32Array(n);
    const got = new Float32Array(n);
    kernels.maxsimF32(s.query, qCount, dim, s.arena, s.starts, s.counts, canon);
    kernels.maxsimF32Screen(shifted(s.query, 1), qCount, dim, shifted(s.arena, 1), shifted(scr32.i8, 3), shifted(scr32.stats, 1), shifted(s.starts, 1), shifted(s.counts, 1), got);
    expect(Array.from(got)).toEqual(Array.from(canon));
    closeAll(got, ref32, tol, `${isa} f32 screen vs oracle`);
    const canon16 = new Float32Array(n);
    const got16 = new Float32Array(n);
    kernels.maxsimF16(s.query, qCount, dim, f16, s.starts, s.counts, canon16);
    kernels.maxsimF16Screen(s.query, qCount, dim, f16, scr16.i8, scr16.stats, s.starts, s.counts, got16);
    expect(Array.from(got16)).toEqual(Array.from(canon16));
    closeAll(got16, ref16, tol, `${isa} f16 screen vs oracle`);
  });
});

describe('query-lane i8 MaxSim', () => {
  const cases = [shape(201, 5, 17, 40), shape(202, 37, 33, 40), shape(203, 131, 47, 30), shape(204, 1024, 32, 26), shape(205, 3, 1100, 14)];
  for (const s of cases) {
    const { dim, qCount } = s;
    const i8 = quantizeI8(s.arena, dim);
    const qi8 = quantizeI8(s.query, dim);
    // integer oracle: max_j of f32(f32(Σ q8·d8 × qs) × ds), f64 mean (the i8 contract)
    const want: number[] = [];
    for (let c = 0; c < s.starts.length; c++) {
      if (s.counts[c] === 0 || qCount === 0) {
        want.push(0);
        continue;
      }
      let total = 0;
      for (let a = 0; a < qCount; a++) {
        let best = -Infinity;
        for (let j = 0; j < s.counts[c]!; j++) {
          const v = s.starts[c]! + j;
          let acc = 0;
          for (let k = 0; k < dim; k++) acc += qi8.data[a * dim + k]! * i8.data[v * dim + k]!;
          best = Math.max(best, Math.fround(Math.fround(acc * qi8.scales[a]!) * i8.scales[v]!));
        }
        total += best;
      }
      want.push(Math.fround(total / qCount));
    }
    it.each(isas)(`%s: ${s.name} is bit-identical to the integer oracle`, (isa) => {
      setIsa(isa);
      const got = new Float32Array(s.starts.length);
      kernels.maxsimI8(shifted(s.query, 1), qCount, dim, shifted(i8.data, 1), shifted(i8.scales, 1), s.starts, s.counts, got);
      expect(Array.from(got)).toEqual(want);
    });
  }
});

describe('screened MaxSim with a long query (more than one 1024-vector lane pass)', () => {
  const s = shape(301, 6, 1040, 20);
  const scr = screenOf(s.arena, s.dim, s.vectors);
  const ref = maxsimOracle((a, k) => s.query[a * s.dim + k]!, s.qCount, s.dim, decodeF32(s.arena, s.dim), s.starts, s.counts);
  it.each(isas)('%s: matches the oracle', (isa) => {
    setIsa(isa);
    const got = new Float32Array(s.starts.length);
    kernels.maxsimF32Screen(s.query, s.qCount, s.dim, s.arena, scr.i8, scr.stats, s.starts, s.counts, got);
    closeAll(got, ref, 1e-6, `${isa} long query`);
  });
});

describe('screening sidecar (buildScreen)', () => {
  it('holds the exact int8 images, scales, sums and norms, with |x − scale·q| ≤ scale/2', () => {
    const dim = 77;
    const rows = randomRows(rng(7), 9, dim, true);
    rows[3 * dim + 5] = 0; // ordinary zeros
    for (let k = 0; k < dim; k++) rows[4 * dim + k] = 0; // an all-zero vector
    const { i8, stats } = screenOf(rows, dim, 9);
    const q = quantizeI8(rows, dim);
    expect(Array.from(i8)).toEqual(Array.from(q.data));
    for (let v = 0; v < 9; v++) {
      const st = stats.subarray(v * SCREEN_STATS, (v + 1) * SCREEN_STATS);
      let l1 = 0;
      let max = 0;
      let sum = 0;
      let res2 = 0;
      let img2 = 0;
      for (let k = 0; k < dim; k++) {
        const x = rows[v * dim + k]!;
        const img = q.scales[v]! * q.data[v * dim + k]!;
        l1 += Math.abs(x);
        max = Math.max(max, Math.abs(x));
        sum += q.data[v * dim + k]!;
        res2 += (x - img) ** 2;
        img2 += img ** 2;
        expect(Math.abs(x - img)).toBeLessThanOrEqual(q.scales[v]! * 0.5 * (1 + 1e-5));
      }
      expect(st[0]).toBe(q.scales[v]);
      expect(st[1]).toBeGreaterThanOrEqual(l1);
      expect(st[1]).toBeLessThanOrEqual(l1 * (1 + 2 ** -22) + 1e-30);
      expect(st[2]).toBe(Math.fround(max));
      expect(st[3]).toBe(sum);
      expect(st[4]).toBeGreaterThanOrEqual(Math.sqrt(res2));
      expect(st[4]).toBeLessThanOrEqual(Math.sqrt(res2) * (1 + 2 ** -21) + 1e-30);
      expect(st[5]).toBeGreaterThanOrEqual(Math.sqrt(img2));
    }
  });

  it('marks vectors the bound cannot cover (non-finite, subnormal maximum) with |x|_1 = Infinity', () => {
    const dim = 4;
    const rows = Float32Array.from([1, NaN, 0, 0, Infinity, 0, 0, 0, 1e-40, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]);
    const { stats } = screenOf(rows, dim, 4);
    expect(stats[0 * SCREEN_STATS + 1]).toBe(Infinity);
    expect(stats[1 * SCREEN_STATS + 1]).toBe(Infinity);
    expect(stats[2 * SCREEN_STATS + 1]).toBe(Infinity);
    expect(stats[3 * SCREEN_STATS + 1]).toBe(2);
  });

  it.each(isas)('%s: a candidate whose vectors hold non-finite or subnormal values still gets the exact result', (isa) => {
    setIsa(isa);
    const dim = 40;
    const r = rng(11);
    const query = randomRows(r, 8, dim, true);
    const arena = randomRows(r, 30, dim, true);
    for (let k = 0; k < dim; k++) arena[12 * dim + k] = k === 0 ? 1e-40 : 0; // subnormal maximum
    const { i8, stats } = screenOf(arena, dim, 30);
    const starts = Uint32Array.of(0, 10, 0);
    const counts = Uint32Array.of(10, 20, 30);
    const canon = new Float32Array(3);
    const got = new Float32Array(3);
    kernels.maxsimF32(query, 8, dim, arena, starts, counts, canon);
    kernels.maxsimF32Screen(query, 8, dim, arena, i8, stats, starts, counts, got);
    expect(Array.from(got)).toEqual(Array.from(canon));
  });

  it('rejects bad arguments with INVALID_ARGUMENT', () => {
    const rows = new Float32Array(8);
    expect(() => buildScreen(rows, 0, 0, 1, new Int8Array(8), new Float32Array(12))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => buildScreen(rows, 4, 0, 3, new Int8Array(12), new Float32Array(18))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => buildScreen(rows, 4, 0, 2, new Int8Array(8), new Float32Array(6))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => buildScreen(rows, 4, -1, 1, new Int8Array(8), new Float32Array(12))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe.each(isas)('%s: screened MaxSim bad input', (isa) => {
  const dim = 8;
  const arena = randomRows(rng(3), 10, dim, true);
  const { i8, stats } = screenOf(arena, dim, 10);
  const q = randomRows(rng(4), 2, dim, true);
  it('rejects a sidecar that does not cover a candidate, wrong types and a wrong query length', () => {
    setIsa(isa);
    const out = new Float32Array(1);
    const code = (f: () => void, c: string) => expect(f).toThrow(expect.objectContaining({ code: c }));
    code(() => kernels.maxsimF32Screen(q, 2, dim, arena, i8.subarray(0, 9 * dim), stats, Uint32Array.of(5), Uint32Array.of(5), out), 'INVALID_ARGUMENT');
    code(() => kernels.maxsimF32Screen(q, 2, dim, arena, i8, stats.subarray(0, 9 * SCREEN_STATS), Uint32Array.of(5), Uint32Array.of(5), out), 'INVALID_ARGUMENT');
    code(() => kernels.maxsimF32Screen(q, 2, dim, arena, new Uint8Array(i8.length) as unknown as Int8Array, stats, Uint32Array.of(0), Uint32Array.of(5), out), 'INVALID_ARGUMENT');
    code(() => kernels.maxsimF32Screen(q, 2, dim, arena, i8, new Float64Array(stats.length) as unknown as Float32Array, Uint32Array.of(0), Uint32Array.of(5), out), 'INVALID_ARGUMENT');
    code(() => kernels.maxsimF16Screen(q, 2, dim, arena as unknown as Uint16Array, i8, stats, Uint32Array.of(0), Uint32Array.of(5), out), 'INVALID_ARGUMENT');
    code(() => kernels.maxsimF32Screen(q, 3, dim, arena, i8, stats, Uint32Array.of(0), Uint32Array.of(5), out), 'DIMENSION_MISMATCH');
    expect(out[0]).toBe(0); // nothing written by rejected calls
  });
});
