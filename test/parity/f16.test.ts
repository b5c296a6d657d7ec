// f16 conversion and i8 quantisation helpers against independent oracles: exhaustive
// round trips, nearest-representable search, hardware F16C decoding (when the addon is
// loaded) and the quantisation error bound.
import { afterAll, describe, expect, it } from 'vitest';
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { dequantizeI8, f16ToF32, f16Values, f32BitsToF16, f32ToF16, fromF16, quantizeI8, roundHalfEven, roundToF16, toF16 } from '../../src/kernels/f16.js';
import { toF16Into } from '../../src/kernels/convert.js';
import { nativeConvert } from '../../src/kernels/index.js';
import { rng } from './kernels-helpers.js';

afterAll(() => setIsa('auto'));

describe('f16', () => {
  it('decoding then encoding every non-NaN half is the identity', () => {
    for (let h = 0; h < 65536; h++) {
      const v = f16ToF32(h);
      if (Number.isNaN(v)) expect(Number.isNaN(f16ToF32(f32ToF16(v)))).toBe(true);
      else expect(f32ToF16(v)).toBe(h);
    }
  });

  it('every one of the 65536 half patterns survives fromF16 → toF16 bit for bit; signalling NaNs come back quiet', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = toF16(fromF16(all));
    let quietNaNs = 0;
    for (let h = 0; h < 65536; h++) {
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      const signalling = nan && (h & 0x200) === 0;
      if (nan && !signalling) quietNaNs++;
      // independent oracle of F16C's NaN rule: sign and payload kept, quiet bit set
      expect(back[h]).toBe(signalling ? h | 0x200 : h);
    }
    expect(quietNaNs).toBe(2 * 512);
  });

  it('decodes every pattern to the exact f32 bits (NaN: sign and payload kept, quiet bit set)', () => {
    const bits = new Uint32Array(fromF16(new Uint16Array(65536).map((_, i) => i)).buffer);
    const table = new Uint32Array(f16Values().buffer);
    for (let h = 0; h < 65536; h++) {
      const sign = (h & 0x8000) << 16;
      const exp = (h >>> 10) & 0x1f;
      const mant = h & 0x3ff;
      let want: number;
      if (exp === 0x1f) want = mant === 0 ? sign | 0x7f800000 : sign | 0x7fc00000 | (mant << 13);
      else if (exp === 0) {
        const f = new Float32Array([mant * 2 ** -24 * (sign ? -1 : 1)]); // exact: a subnormal half is a normal f32
        want = new Uint32Array(f.buffer)[0]!;
      } else want = sign | ((exp + 112) << 23) | (mant << 13);
      expect(bits[h]).toBe(want >>> 0);
      expect(table[h]).toBe(want >>> 0);
    }
  });

  it('f32 NaNs: sign and the top payload bits kept, quiet bit set, never Infinity (the trainer’s old copy dropped the payload)', () => {
    const pats = [0x7fc00000, 0xffc00000, 0x7fc02000, 0xffffe000, 0x7f800001, 0xff802000, 0x7fbfffff, 0x7f801fff];
    const f = new Float32Array(new Uint32Array(pats).buffer);
    const want = pats.map((b) => ((b >>> 16) & 0x8000) | 0x7e00 | ((b & 0x7fffff) >>> 13));
    expect(Array.from(toF16(f))).toEqual(want);
    expect(pats.map(f32BitsToF16)).toEqual(want);
    expect(f32BitsToF16(0x7fc02000)).toBe(0x7e01); // the removed src/train/half.ts gave 0x7e00
    const r = Float32Array.from(f);
    expect(Array.from(roundToF16(r))).toEqual(want);
    expect(Array.from(new Uint32Array(r.buffer))).toEqual(want.map((h) => (((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x3ff) << 13)) >>> 0));
    expect(Number.isNaN(f16ToF32(0x7e01))).toBe(true);
  });

  it.runIf(nativeConvert() !== null)('the native storage conversion (F16C) gives the same NaN bits as toF16', () => {
    setIsa(backend().available[0]!);
    const pats: number[] = [];
    for (let p = 0; p < 1 << 10; p += 7) pats.push(0x7fc00000 | (p << 13), 0xff800000 | ((p | 1) << 13), 0x7f800000 | (p << 13) | 0x1fff);
    const f = new Float32Array(new Uint32Array(pats.map((x) => x >>> 0)).buffer);
    const out = new Uint16Array(f.length);
    toF16Into(f, out, 0);
    expect(Array.from(out)).toEqual(Array.from(toF16(f)));
  });

  it('decodes known values', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
  });

  it('encodes to the nearest half, ties to even (checked against a search over all finite halves)', () => {
    const finite: number[] = [];
    const t = f16Values();
    for (let h = 0; h < 0x7c00; h++) finite.push(t[h]!); // ascending non-negative halves
    const r = rng(7);
    const probe: number[] = [];
    for (let i = 0; i < 3000; i++) probe.push(Math.fround((r() * 2 - 1) * 2 ** Math.floor(r() * 40 - 26)));
    for (let h = 1; h < 0x7bff; h += 97) probe.push((t[h]! + t[h + 1]!) / 2); // exact ties
    for (const x of probe) {
      const a = Math.abs(Math.fround(x));
      let lo = 0;
      let hi = finite.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (finite[mid]! <= a) lo = mid;
        else hi = mid;
      }
      const dl = a - finite[lo]!;
      const dh = finite[hi]! - a;
      const best = dl < dh || (dl === dh && (lo & 1) === 0) ? lo : hi;
      const got = f32ToF16(x);
      expect((got & 0x7fff) === best || (a === 0 && (got & 0x7fff) === 0)).toBe(true);
      if (x < 0) expect(got & 0x8000).toBe(0x8000);
    }
    expect(f32ToF16(1e6)).toBe(0x7c00);
    expect(f32ToF16(-1e6)).toBe(0xfc00);
    expect(fromF16(toF16([0.1, -3.5]))).toEqual(Float32Array.from([f16ToF32(0x2e66), -3.5]));
  });

  it.runIf(backend().available.length > 0)('matches hardware decoding (F16C / NEON) for all 65536 patterns', () => {
    setIsa(backend().available[0]!);
    const rows = new Uint16Array(65536).map((_, i) => i);
    const out = new Float32Array(65536);
    kernels.dotsF16(new Float32Array([1]), 1, rows, null, out);
    const t = f16Values();
    for (let h = 0; h < 65536; h++) {
      if (Number.isNaN(t[h]!)) expect(Number.isNaN(out[h]!)).toBe(true);
      else expect(out[h]! + 0).toBe(t[h]! + 0); // a dot product cannot return -0
    }
  });
});

describe('i8 quantisation', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });

  it('keeps every value within half a step of its dequantised value and maps the max to ±127', () => {
    const r = rng(11);
    const dim = 37;
    const src = Float32Array.from({ length: dim * 20 }, () => (r() * 2 - 1) * 3);
    src.fill(0, 5 * dim, 6 * dim); // an all-zero row
    const { data, scales } = quantizeI8(src, dim);
    const back = dequantizeI8(data, scales, dim);
    for (let row = 0; row < 20; row++) {
      let maxAbs = 0;
      for (let k = 0; k < dim; k++) maxAbs = Math.max(maxAbs, Math.abs(src[row * dim + k]!));
      expect(scales[row]).toBe(Math.fround(maxAbs / 127));
      let sawExtreme = false;
      for (let k = 0; k < dim; k++) {
        const i = row * dim + k;
        expect(Math.abs(back[i]! - src[i]!)).toBeLessThanOrEqual(scales[row]! * 0.5 * (1 + 1e-5) + 1e-12);
        expect(Math.abs(data[i]!)).toBeLessThanOrEqual(127);
        if (Math.abs(data[i]!) === 127) sawExtreme = true;
      }
      expect(sawExtreme).toBe(maxAbs > 0);
    }
    expect(Array.from(data.subarray(5 * dim, 6 * dim)).every((v) => v === 0)).toBe(true);
  });

  it('rejects a length that is not a multiple of dim', () => {
    expect(() => quantizeI8(new Float32Array(5), 2)).toThrow(/multiple of dim/);
  });
});
