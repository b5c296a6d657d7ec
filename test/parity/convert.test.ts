import { afterAll, describe, expect, it } from 'vitest';
import { backend, nativeConvert, setIsa } from '../../src/kernels/index.js';
import { quantizeI8RowsInto, toF16Into } from '../../src/kernels/convert.js';
import { f32ToF16, quantizeI8Row } from '../../src/kernels/f16.js';
import { buildScreen, SCREEN_STATS } from '../../src/kernels/screen.js';
import { buildScreenReference } from '../../src/kernels/screen-reference.js';

// The native storage conversions (native/convert.cc) must give the TS twins' exact bits on every
// ISA setting (they are ISA-independent C++, so one native run + js covers them; we loop anyway).
const isas = [...backend().available, 'js'];
afterAll(() => setIsa('auto'));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

// Values that stress rounding: ties of f16, subnormals of f16 and f32, overflow, NaN, ±0, ±Inf.
function specials(): number[] {
  const out = [0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e-8, -1e-8, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -14, 2 ** -149, -(2 ** -149), 2 ** -126, Infinity, -Infinity, NaN];
  for (let m = 0; m < 64; m++) out.push(1 + (2 * m + 1) * 2 ** -11, (1 + (2 * m + 1) * 2 ** -11) * 2 ** -20); // exact f16 ties
  return out;
}

function randomRows(n: number, dim: number, seed: number, withSpecials: boolean): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = (r() * 2 - 1) * (r() < 0.1 ? 2 ** Math.floor(r() * 40 - 30) : 1);
  if (withSpecials)
    specials().forEach((v, i) => {
      x[(i * 7919) % x.length] = v;
    });
  return x;
}

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe.each(isas)('storage conversions on %s', (isa) => {
  it('f32 → f16 equals the TS twin bit for bit, at an offset', () => {
    setIsa(isa);
    // the native path really runs on native ISAs (a stale addon without conversions would not)
    expect(nativeConvert() !== null).toBe(isa !== 'js');
    const src = randomRows(1, 5000, 1, true);
    const dst = new Uint16Array(5003).fill(0xabcd);
    toF16Into(src, dst, 3);
    expect(dst.subarray(0, 3)).toEqual(Uint16Array.of(0xabcd, 0xabcd, 0xabcd));
    for (let i = 0; i < src.length; i++) if (dst[3 + i] !== f32ToF16(src[i]!)) throw new Error(`value ${src[i]} at ${i}: ${dst[3 + i]} vs ${f32ToF16(src[i]!)}`);
    // every f16 round-trips through f32 unchanged (an independent property of RNE conversion)
    const all = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const e = (h >>> 10) & 0x1f,
        m = h & 0x3ff,
        s = h & 0x8000 ? -1 : 1;
      all[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
    }
    const back = new Uint16Array(65536);
    toF16Into(all, back, 0);
    for (let h = 0; h < 65536; h++) if (((h >>> 10) & 0x1f) !== 31 || (h & 0x3ff) === 0) expect(back[h]).toBe(h);
  });

  it('int8 rows equal quantizeI8Row bit for bit (scales and bytes)', () => {
    setIsa(isa);
    for (const dim of [1, 3, 64, 130]) {
      const src = randomRows(37, dim, dim, dim > 1);
      const dst = new Int8Array(37 * dim + 5),
        scales = new Float32Array(40);
      quantizeI8RowsInto(src, dim, dst, 5, scales, 3);
      const refD = new Int8Array(37 * dim + 5),
        refS = new Float32Array(40);
      for (let r = 0; r < 37; r++) refS[3 + r] = quantizeI8Row(src, r * dim, dim, refD, 5 + r * dim);
      expect(dst).toEqual(refD);
      expect(sameBits(scales, refS)).toBe(true);
    }
  });

  it('the screening sidecar equals the TS twin bit for bit for f32 and f16 rows', () => {
    setIsa(isa);
    for (const dim of [1, 5, 37, 128]) {
      const n = 50;
      const f32 = randomRows(n, dim, 100 + dim, dim > 5);
      for (let i = 0; i < dim; i++) f32[7 * dim + i] = 0; // an all-zero vector
      const f16 = new Uint16Array(n * dim);
      for (let i = 0; i < f16.length; i++) f16[i] = f32ToF16(f32[i]!);
      for (const rows of [f32, f16]) {
        const i8 = new Int8Array(n * dim).fill(9),
          st = new Float32Array(n * SCREEN_STATS).fill(9);
        const ri8 = new Int8Array(n * dim).fill(9),
          rst = new Float32Array(n * SCREEN_STATS).fill(9);
        buildScreen(rows, dim, 4, 40, i8, st);
        buildScreenReference(rows, dim, 4, 40, ri8, rst);
        expect(i8).toEqual(ri8);
        expect(sameBits(st, rst)).toBe(true);
        expect(i8[0]).toBe(9); // outside [from, from + count) untouched
      }
    }
  });

  it('rejects arrays too short for the range, writing nothing', () => {
    setIsa(isa);
    const i8 = new Int8Array(8),
      st = new Float32Array(SCREEN_STATS);
    expect(() => buildScreen(new Float32Array(8), 4, 1, 1, i8, st)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => toF16Into(new Float32Array(4), new Uint16Array(4), 1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => quantizeI8RowsInto(new Float32Array(5), 2, new Int8Array(10), 0, new Float32Array(3), 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(i8.every((v) => v === 0)).toBe(true);
  });
});
