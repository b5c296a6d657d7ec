// Parity of every kernel ISA on this machine (plus the 'js' twins) against float64 brute-force
// oracles written here, on seeded shapes: 0/1-token queries and documents, dimensions that are
// not multiples of 16, unaligned views and unaligned candidate starts.
import { afterAll, describe, expect, it } from 'vitest';
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { quantizeI8, toF16 } from '../../src/kernels/f16.js';
import { closeAll, decodeF16, decodeF32, magnitude, maxsimOracle, randomRows, rng, shifted, type Decoded } from './kernels-helpers.js';

const isas = [...backend().available, 'js'];
afterAll(() => setIsa('auto'));

interface Case {
  name: string;
  dim: number;
  qCount: number;
  query: Float32Array;
  vectors: number;
  arena: Float32Array;
  starts: Uint32Array;
  counts: Uint32Array;
}

function makeCase(seed: number, dim: number, qCount: number, vectors: number, normalise: boolean): Case {
  const r = rng(seed);
  const query = randomRows(r, qCount, dim, normalise);
  const arena = randomRows(r, vectors, dim, normalise);
  const starts: number[] = [];
  const counts: number[] = [];
  const add = (s: number, c: number) => {
    starts.push(s);
    counts.push(c);
  };
  add(0, 0); // empty document
  add(Math.floor(r() * vectors), 1); // one token
  add(vectors - 1, 1); // last vector of the arena
  add(3 % vectors, Math.min(vectors - (3 % vectors), 5)); // odd start
  add(0, vectors); // the whole arena
  for (let i = 0; i < 6; i++) {
    const s = Math.floor(r() * vectors);
    add(s, Math.floor(r() * (vectors - s + 1)));
  }
  return {
    name: `seed ${seed} dim ${dim} q ${qCount} v ${vectors}${normalise ? '' : ' raw'}`,
    dim,
    qCount,
    query,
    vectors,
    arena,
    starts: Uint32Array.from(starts),
    counts: Uint32Array.from(counts),
  };
}

function normaliseRow(a: Float32Array, off: number, dim: number): void {
  let n = 0;
  for (let k = 0; k < dim; k++) n += a[off + k]! ** 2;
  const inv = 1 / Math.sqrt(n);
  for (let k = 0; k < dim; k++) a[off + k] = a[off + k]! * inv;
}

/**
 * Near ties that int8 screening cannot separate: for each query vector two almost identical
 * document vectors close to it (their dots differ by ~1e-4, far below the int8 error, far
 * above the f32 error); the exact MaxSim must pick the larger one. With `all`, every document
 * vector is a near-duplicate of one vector (screening cannot prune anything).
 */
function makeTieCase(seed: number, dim: number, qCount: number, vectors: number, all: boolean): Case {
  const c = makeCase(seed, dim, qCount, vectors, true);
  const r = rng(seed + 7777);
  const noise = randomRows(r, vectors, dim, true);
  if (all) {
    for (let v = 0; v < vectors; v++) {
      for (let k = 0; k < dim; k++) c.arena[v * dim + k] = c.arena[k]! + 1e-3 * noise[v * dim + k]!;
      normaliseRow(c.arena, v * dim, dim);
    }
  } else {
    for (let a = 0; a < qCount && 3 * a + 1 < vectors; a++) {
      const j1 = 3 * a;
      const j2 = 3 * a + 1;
      for (let k = 0; k < dim; k++) c.arena[j1 * dim + k] = c.query[a * dim + k]! + 0.3 * noise[j1 * dim + k]!;
      normaliseRow(c.arena, j1 * dim, dim);
      for (let k = 0; k < dim; k++) c.arena[j2 * dim + k] = c.arena[j1 * dim + k]! + 1e-3 * noise[j2 * dim + k]!;
      normaliseRow(c.arena, j2 * dim, dim);
    }
  }
  c.name += all ? ' near-duplicates' : ' near-ties';
  return c;
}

const cases: Case[] = [];
let seed = 1;
for (const dim of [1, 7, 16, 33, 64, 100, 1023]) {
  for (const qCount of [0, 1, 5, 9]) cases.push(makeCase(seed++, dim, qCount, dim > 500 ? 13 : 37, true));
}
cases.push(makeCase(seed++, 33, 32, 29, false)); // un-normalised values, larger query
cases.push(makeCase(seed++, 1024, 4, 9, false));
cases.push(makeCase(seed++, 1024, 32, 48, true)); // the production shape, scaled down
cases.push(makeTieCase(seed++, 256, 6, 40, false));
cases.push(makeTieCase(seed++, 1000, 8, 30, false));
cases.push(makeTieCase(seed++, 300, 5, 24, true));
// amx walker shapes (dim % 64 == 0, >= 16 rows): 3 query blocks (odd count of 16-lane blocks),
// row tiles of 16 with a shifted last one, exactly one row tile
cases.push(makeCase(seed++, 128, 40, 70, true));
cases.push(makeCase(seed++, 64, 17, 16, true));
cases.push(makeTieCase(seed++, 192, 33, 50, false));

function quantBound(query: Float32Array, qCount: number, dim: number, arena: Float32Array, vectors: number): number {
  // |q·d - qs·ds·Σq8·d8| <= (qs/2)Σ|d| + (ds/2)Σ|q| + (qs·ds/4)·dim per pair (rounding <= half a step)
  const q = quantizeI8(query, dim);
  const d = quantizeI8(arena, dim);
  let worst = 0;
  for (let a = 0; a < qCount; a++) {
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += Math.abs(query[a * dim + k]!);
    for (let v = 0; v < vectors; v++) {
      let sd = 0;
      for (let k = 0; k < dim; k++) sd += Math.abs(arena[v * dim + k]!);
      const qs = q.scales[a]!;
      const ds = d.scales[v]!;
      worst = Math.max(worst, (qs / 2) * sd + (ds / 2) * sq + (qs * ds * dim) / 4);
    }
  }
  return worst * (1 + 1e-6) + 1e-7;
}

describe.each(cases)('MaxSim $name', (c) => {
  const { dim, qCount, vectors } = c;
  const qd: Decoded = (a, k) => c.query[a * dim + k]!;
  const f16 = toF16(c.arena);
  const i8 = quantizeI8(c.arena, dim);
  const qi8 = quantizeI8(c.query, dim);
  const refF32 = maxsimOracle(qd, qCount, dim, decodeF32(c.arena, dim), c.starts, c.counts);
  const refF16 = maxsimOracle(qd, qCount, dim, decodeF16(f16, dim), c.starts, c.counts);
  const refI8 = maxsimOracle(
    (a, k) => qi8.scales[a]! * qi8.data[a * dim + k]!,
    qCount,
    dim,
    (v, k) => i8.scales[v]! * i8.data[v * dim + k]!,
    c.starts,
    c.counts,
  );
  const mag = Math.max(magnitude(qd, qCount, dim, decodeF32(c.arena, dim), vectors), 1e-3);
  const tolF32 = 1e-5 * mag;
  const jsI8 = new Float32Array(c.starts.length);
  setIsa('js');
  kernels.maxsimI8(c.query, qCount, dim, i8.data, i8.scales, c.starts, c.counts, jsI8);

  it.each(isas)('%s: f32 matches the float64 oracle (~1e-5 relative)', (isa) => {
    setIsa(isa);
    const out = shifted(new Float32Array(c.starts.length), 1);
    kernels.maxsimF32(shifted(c.query, 1), qCount, dim, shifted(c.arena, 1), shifted(c.starts, 1), shifted(c.counts, 1), out);
    closeAll(out, refF32, tolF32, `${isa} f32`);
  });

  it.each(isas)('%s: f16 matches the oracle on decoded halves, and f32 within the f16 rounding bound', (isa) => {
    setIsa(isa);
    const out = shifted(new Float32Array(c.starts.length), 1);
    kernels.maxsimF16(shifted(c.query, 1), qCount, dim, shifted(f16, 1), shifted(c.starts, 1), shifted(c.counts, 1), out);
    closeAll(out, refF16, tolF32, `${isa} f16 vs decoded`);
    closeAll(out, refF32, 2 ** -11 * mag + tolF32 + 1e-6, `${isa} f16 vs f32`);
  });

  it.each(isas)('%s: i8 is bit-identical to the TS twin, matches the integer oracle, and f32 within the quantisation bound', (isa) => {
    setIsa(isa);
    const out = shifted(new Float32Array(c.starts.length), 1);
    kernels.maxsimI8(shifted(c.query, 1), qCount, dim, shifted(i8.data, 3), shifted(i8.scales, 1), shifted(c.starts, 1), shifted(c.counts, 1), out);
    expect(Array.from(out)).toEqual(Array.from(jsI8));
    // with the per-vector sums a store keeps (docSums): the same bits
    const sums = new Int32Array(i8.scales.length);
    for (let v = 0; v < sums.length; v++) for (let k = 0; k < dim; k++) sums[v] += i8.data[v * dim + k]!;
    const withSums = new Float32Array(c.starts.length);
    kernels.maxsimI8(c.query, qCount, dim, i8.data, i8.scales, c.starts, c.counts, withSums, shifted(sums, 2));
    expect(Array.from(withSums)).toEqual(Array.from(jsI8));
    expect(() => kernels.maxsimI8(c.query, qCount, dim, i8.data, i8.scales, c.starts, c.counts, withSums, new Int32Array(sums.length + 1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    closeAll(out, refI8, 1e-6 * mag + 1e-9, `${isa} i8 vs integer oracle`);
    closeAll(out, refF32, quantBound(c.query, qCount, dim, c.arena, vectors), `${isa} i8 vs f32`);
  });
});

describe.each([1, 7, 33, 100, 1023])('dots dim %i', (dim) => {
  const r = rng(1000 + dim);
  const rowsN = 21;
  const query = randomRows(r, 1, dim, true);
  const rows = randomRows(r, rowsN, dim, true);
  const f16 = toF16(rows);
  const i8 = quantizeI8(rows, dim);
  const qi8 = quantizeI8(query, dim);
  const ids = Uint32Array.from([rowsN - 1, 0, 5, 5, 17, 3, 3, 20, 1]);
  const oracle = (dec: Decoded, qdec: Decoded, idList: ArrayLike<number>) =>
    Array.from(idList, (id) => {
      let s = 0;
      for (let k = 0; k < dim; k++) s += qdec(0, k) * dec(id, k);
      return s;
    });
  const all = Array.from({ length: rowsN }, (_, i) => i);
  const qd: Decoded = (_a, k) => query[k]!;
  const qd8: Decoded = (_a, k) => qi8.scales[0]! * qi8.data[k]!;
  const dec8: Decoded = (v, k) => i8.scales[v]! * i8.data[v * dim + k]!;
  const tol = 1e-5 * Math.max(magnitude(qd, 1, dim, decodeF32(rows, dim), rowsN), 1e-3);

  it.each(isas)('%s: f32 / f16 / i8 against float64 oracles, with and without row ids', (isa) => {
    setIsa(isa);
    for (const idList of [null, ids, new Uint32Array(0)]) {
      const want = idList === null ? all : Array.from(idList);
      const n = want.length;
      const o1 = shifted(new Float32Array(n), 1);
      const o2 = shifted(new Float32Array(n), 1);
      const o3 = shifted(new Float32Array(n), 1);
      const idv = idList === null ? null : shifted(idList, 1);
      kernels.dotsF32(shifted(query, 1), dim, shifted(rows, 1), idv, o1);
      kernels.dotsF16(shifted(query, 1), dim, shifted(f16, 1), idv, o2);
      kernels.dotsI8(shifted(query, 1), dim, shifted(i8.data, 1), shifted(i8.scales, 1), idv, o3);
      closeAll(o1, oracle(decodeF32(rows, dim), qd, want), tol, `${isa} dotsF32`);
      closeAll(o2, oracle(decodeF16(f16, dim), qd, want), tol, `${isa} dotsF16`);
      closeAll(o3, oracle(dec8, qd8, want), 1e-6, `${isa} dotsI8`);
    }
  });
});

describe('backend selection', () => {
  it('reports js after setIsa("js") and each available ISA after setIsa(isa)', () => {
    setIsa('js');
    expect(backend()).toMatchObject({ kind: 'js', isa: 'js' });
    for (const isa of backend().available) {
      setIsa(isa);
      expect(backend()).toMatchObject({ kind: 'native', isa });
    }
  });

  it('lists serial last when the addon is loaded', () => {
    const av = backend().available;
    if (av.length > 0) expect(av[av.length - 1]).toBe('serial');
    else expect(isas).toEqual(['js']);
  });

  it.runIf(process.env.TRIDENT_REQUIRE_NATIVE === '1')('loads the native addon when TRIDENT_REQUIRE_NATIVE=1', () => {
    setIsa('auto');
    expect(backend().kind).toBe('native');
  });
});
