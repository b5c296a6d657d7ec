// maxsimCodes (binary / residual MaxSim) on every ISA plus the TS twin, against an exact oracle
// written here: the codes decoded from the layout spec (src/kernels/codes.ts) into int8 level rows,
// MaxSim over the decompressed vectors with the query quantised as for i8 (reference dotsI8 per
// pair, plus the centroid term) — bit-for-bit. Fuzzed shapes: dims not multiples of 8 / 64,
// empty documents, empty queries, several query blocks, k above / below the vectors scored, 1-bit / 2-bit / 4-bit codes, with and without centroids (and per-vector inverse norms).
import { afterAll, describe, expect, it } from 'vitest';
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { referenceKernels } from '../../src/kernels/reference.js';
import { randomRows, rng } from './kernels-helpers.js';

const isas = [...backend().available, 'js'];
afterAll(() => setIsa('auto'));

/** Decoder written from the layout text, independent of codePos / unpackCodes. */
function decodeCode(codes: Uint8Array, off: number, k: number, bits: number): number {
  const blk = Math.floor(k / 64);
  const o = k % 64;
  const b = codes.subarray(off + blk * 8 * bits);
  if (bits === 1) return (b[Math.floor(o / 8)]! >> (o % 8)) & 1;
  if (bits === 2) return (b[o % 16]! >> (2 * Math.floor(o / 16))) & 3;
  return (b[o % 32]! >> (4 * Math.floor(o / 32))) & 15;
}

interface Case {
  dim: number;
  qCount: number;
  bits: number;
  vectors: number;
  query: Float32Array;
  codes: Uint8Array;
  table: Int8Array;
  scale: number;
  cids: Uint16Array | null;
  norms: Float32Array | null;
  ct: Float32Array | null;
  k: number;
  starts: Uint32Array;
  counts: Uint32Array;
}

function makeCase(seed: number): Case {
  const r = rng(seed);
  const dims = [1, 3, 7, 8, 31, 63, 64, 65, 100, 128, 130, 200, 257];
  const dim = dims[Math.floor(r() * dims.length)]!;
  const bits = [1, 2, 4][Math.floor(r() * 3)]!;
  // several 16-lane query blocks and ≥ 16-row documents reach the query-lane / AMX engines
  const qCount = r() < 0.3 ? 17 + Math.floor(r() * 24) : Math.floor(r() * 6) + (r() < 0.1 ? 0 : 1);
  const vectors = 1 + Math.floor(r() * 80);
  const bytes = Math.ceil(dim / 64) * 8 * bits;
  const codes = new Uint8Array(vectors * bytes);
  // random codes in the real dimensions, code 0 in the padding
  for (let v = 0; v < vectors; v++) {
    for (let k = 0; k < dim; k++) {
      const c = Math.floor(r() * (1 << bits));
      const blk = Math.floor(k / 64),
        o = k % 64,
        base = v * bytes + blk * 8 * bits;
      if (bits === 1) codes[base + Math.floor(o / 8)] |= c << (o % 8);
      else if (bits === 2) codes[base + (o % 16)] |= c << (2 * Math.floor(o / 16));
      else codes[base + (o % 32)] |= c << (4 * Math.floor(o / 32));
    }
  }
  const table = new Int8Array(1 << bits);
  for (let i = 0; i < table.length; i++) table[i] = Math.floor(r() * 255) - 127;
  const scale = Math.fround(0.001 + r() * 0.05);
  const withC = r() < 0.6;
  // k above the candidates' vectors takes the kernels' per-row centroid-term gather
  const k = r() < 0.3 ? 100 + Math.floor(r() * 400) : 1 + Math.floor(r() * 9);
  const query = randomRows(r, qCount, dim, true);
  let cids: Uint16Array | null = null;
  let ct: Float32Array | null = null;
  let norms: Float32Array | null = null;
  if (withC) {
    norms = Float32Array.from({ length: vectors }, () => Math.fround(0.5 + r()));
    cids = new Uint16Array(vectors);
    for (let v = 0; v < vectors; v++) cids[v] = Math.floor(r() * k);
    ct = new Float32Array(qCount * k);
    for (let i = 0; i < ct.length; i++) ct[i] = Math.fround(r() * 2 - 1);
  }
  const starts: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < 8; i++) {
    const s = Math.floor(r() * vectors);
    const c = r() < 0.15 ? 0 : Math.floor(r() * (vectors - s + 1));
    starts.push(s);
    counts.push(c);
  }
  return { dim, qCount, bits, vectors, query, codes, table, scale, cids, norms, ct, k, starts: Uint32Array.from(starts), counts: Uint32Array.from(counts) };
}

function oracle(c: Case): Float32Array {
  const { dim, qCount, bits } = c;
  const bytes = Math.ceil(dim / 64) * 8 * bits;
  const out = new Float32Array(c.starts.length);
  const one = new Float32Array(1);
  for (let n = 0; n < c.starts.length; n++) {
    if (c.counts[n] === 0 || qCount === 0) continue;
    let total = 0;
    for (let i = 0; i < qCount; i++) {
      let best = -Infinity;
      for (let v = c.starts[n]!; v < c.starts[n]! + c.counts[n]!; v++) {
        const m = new Int8Array(dim);
        for (let t = 0; t < dim; t++) m[t] = c.table[decodeCode(c.codes, v * bytes, t, bits)]!;
        referenceKernels.dotsI8(c.query.subarray(i * dim, (i + 1) * dim), dim, m, Float32Array.of(c.scale), null, one);
        const s = c.ct === null ? one[0]! : Math.fround(Math.fround(c.ct[i * c.k + c.cids![v]!]! + one[0]!) * c.norms![v]!);
        best = Math.max(best, s);
      }
      total += best;
    }
    out[n] = total / qCount;
  }
  return out;
}

describe('maxsimCodes parity (binary / residual kernels)', () => {
  const cases = Array.from({ length: 60 }, (_, i) => makeCase(1000 + i));
  const want = cases.map(oracle);
  it.each(isas)('%s: bit-identical to the decompressed-vector oracle on 60 fuzzed shapes', (isa) => {
    setIsa(isa);
    cases.forEach((c, i) => {
      const out = new Float32Array(c.starts.length);
      kernels.maxsimCodes(c.query, c.qCount, c.dim, c.codes, c.bits, c.table, c.scale, c.cids, c.norms, c.ct, c.k, c.starts, c.counts, out);
      expect(Array.from(out), `case ${i} dim ${c.dim} bits ${c.bits} q ${c.qCount}`).toEqual(Array.from(want[i]!));
    });
  });

  it.each(isas)('%s: with the centroids given, fills ct exactly as dotsI8 and scores from it', (isa) => {
    setIsa(isa);
    cases.forEach((c, i) => {
      if (c.ct === null) return;
      const r = rng(5000 + i);
      const c8 = Int8Array.from({ length: c.k * c.dim }, () => Math.floor(r() * 255) - 127);
      const cs = Float32Array.from({ length: c.k }, () => Math.fround(0.001 + r() * 0.01));
      const wantCt = new Float32Array(c.qCount * c.k);
      for (let q = 0; q < c.qCount; q++) referenceKernels.dotsI8(c.query.subarray(q * c.dim, (q + 1) * c.dim), c.dim, c8, cs, null, wantCt.subarray(q * c.k, (q + 1) * c.k));
      const wantOut = oracle({ ...c, ct: wantCt });
      const ct = new Float32Array(c.qCount * c.k).fill(Number.NaN);
      const out = new Float32Array(c.starts.length);
      kernels.maxsimCodes(c.query, c.qCount, c.dim, c.codes, c.bits, c.table, c.scale, c.cids, c.norms, ct, c.k, c.starts, c.counts, out, c8, cs);
      expect(Array.from(ct), `case ${i} ct`).toEqual(Array.from(wantCt));
      expect(Array.from(out), `case ${i} dim ${c.dim} bits ${c.bits} q ${c.qCount}`).toEqual(Array.from(wantOut));
    });
  });

  it.each(isas)('%s: bad arguments give typed errors', (isa) => {
    setIsa(isa);
    const c = cases.find((x) => x.cids !== null && x.qCount > 0)!;
    const call = (o: Partial<Case> & { out?: Float32Array }) => {
      const x = { ...c, ...o };
      kernels.maxsimCodes(x.query, x.qCount, x.dim, x.codes, x.bits, x.table, x.scale, x.cids, x.norms, x.ct, x.k, x.starts, x.counts, o.out ?? new Float32Array(x.starts.length));
    };
    expect(() => call({ bits: 3 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ table: new Int8Array(3) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ table: new Int8Array(1 << c.bits).fill(-128) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ starts: Uint32Array.of(c.vectors), counts: Uint32Array.of(1) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ ct: null })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ norms: null })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ norms: new Float32Array(0), starts: Uint32Array.of(0), counts: Uint32Array.of(1) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ k: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ cids: new Uint16Array(c.vectors).fill(c.k), starts: Uint32Array.of(0), counts: Uint32Array.of(1) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => call({ query: new Float32Array(c.qCount * c.dim + 1) })).toThrow(expect.objectContaining({ code: 'DIMENSION_MISMATCH' }));
    expect(() => call({ scale: NaN })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const fill = (c8: Int8Array, cs: Float32Array, o: Partial<Case> = {}) => {
      const x = { ...c, ...o };
      kernels.maxsimCodes(x.query, x.qCount, x.dim, x.codes, x.bits, x.table, x.scale, x.cids, x.norms, x.ct, x.k, x.starts, x.counts, new Float32Array(x.starts.length), c8, cs);
    };
    const ctBefore = Array.from(c.ct!);
    expect(() => fill(new Int8Array(c.k * c.dim - 1), new Float32Array(c.k))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => fill(new Int8Array(c.k * c.dim), new Float32Array(c.k + 1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => fill(new Int8Array(c.k * c.dim), new Float32Array(c.k), { cids: null, norms: null, ct: null })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(Array.from(c.ct!), 'a rejected call leaves ct as it was').toEqual(ctBefore);
  });
});
