// Bad inputs get the same typed error from every backend (native shim checks and TS checks),
// never a crash, and leave the output untouched. Also: addon loading, fallback and logger.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { nativeDir } from '../../src/kernels/native.js';

const isas = [...backend().available, 'js'];
afterAll(() => setIsa('auto'));

const dim = 8;
const vectors = 5;
const query = new Float32Array(2 * dim).fill(0.25);
const f32 = new Float32Array(vectors * dim).fill(0.5);
const f16 = new Uint16Array(vectors * dim).fill(0x3800);
const i8 = new Int8Array(vectors * dim).fill(3);
const scales = new Float32Array(vectors).fill(0.01);
const u32 = (...v: number[]) => Uint32Array.from(v);

function expectRejected(code: string, call: (out: Float32Array) => void, outLength = 1): void {
  const out = new Float32Array(outLength).fill(42);
  let err: unknown = null;
  try {
    call(out);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InvalidArgumentError);
  expect((err as InvalidArgumentError).code).toBe(code);
  expect(Array.from(out)).toEqual(new Array(outLength).fill(42));
}

describe.each(isas)('%s rejects bad inputs with typed errors', (isa) => {
  it('candidate ranges outside the arena', () => {
    setIsa(isa);
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 2, dim, f32, u32(vectors), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 2, dim, f32, u32(3), u32(3), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 2, dim, f32, u32(0xffffffff), u32(2), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF16(query, 2, dim, f16, u32(0, 4), u32(1, 2), o), 2);
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimI8(query, 2, dim, i8, scales, u32(2), u32(4), o));
    // scales shorter than the arena bound the usable vectors too
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimI8(query, 2, dim, i8, scales.subarray(0, 2), u32(1), u32(2), o));
  });

  it('a query whose length is not qCount × dim', () => {
    setIsa(isa);
    expectRejected('DIMENSION_MISMATCH', (o) => kernels.maxsimF32(query, 3, dim, f32, u32(0), u32(1), o));
    expectRejected('DIMENSION_MISMATCH', (o) => kernels.maxsimF16(query.subarray(1), 2, dim, f16, u32(0), u32(1), o));
    expectRejected('DIMENSION_MISMATCH', (o) => kernels.maxsimI8(query, 1, dim, i8, scales, u32(0), u32(1), o));
    expectRejected('DIMENSION_MISMATCH', (o) => kernels.dotsF32(query, dim, f32, null, o));
  });

  it('mismatched lengths, bad sizes and wrong array types', () => {
    setIsa(isa);
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 2, dim, f32, u32(0, 1), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 2, dim, f32, u32(0), u32(1), o), 2);
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(new Float32Array(0), 0, 0, f32, u32(0), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 1.5, dim, f32, u32(0), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(new Float64Array(16) as never, 2, dim, f32, u32(0), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 2, dim, i8 as never, u32(0), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF16(query, 2, dim, f32 as never, u32(0), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimI8(query, 2, dim, i8, new Float64Array(5) as never, u32(0), u32(1), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.maxsimF32(query, 2, dim, f32, Int32Array.from([0]) as never, u32(1), o));
  });

  it('dots: row ids outside the rows, too many rows, mismatched ids', () => {
    setIsa(isa);
    const q = query.subarray(0, dim);
    expectRejected('INVALID_ARGUMENT', (o) => kernels.dotsF32(q, dim, f32, u32(0, vectors), o), 2);
    expectRejected('INVALID_ARGUMENT', (o) => kernels.dotsF16(q, dim, f16, null, o), vectors + 1);
    expectRejected('INVALID_ARGUMENT', (o) => kernels.dotsI8(q, dim, i8, scales.subarray(0, 3), u32(3), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.dotsI8(q, dim, i8, scales, u32(1, 2), o));
    expectRejected('INVALID_ARGUMENT', (o) => kernels.dotsF32(q, dim, f32, Int32Array.from([0]) as never, o));
  });

  it('still answers valid calls afterwards', () => {
    setIsa(isa);
    const out = new Float32Array(1);
    kernels.maxsimF32(query, 2, dim, f32, u32(1), u32(2), out);
    expect(out[0]).toBeCloseTo(dim * 0.25 * 0.5, 5);
  });
});

describe('backend selection and fallback', () => {
  it('setIsa rejects an ISA the machine does not offer', () => {
    expect(() => setIsa('sse9000')).toThrow(InvalidArgumentError);
    try {
      setIsa('sse9000');
    } catch (e) {
      expect((e as InvalidArgumentError).code).toBe('UNSUPPORTED');
    }
  });

  it('loads the addon whenever a build or a prebuild exists', () => {
    setIsa('auto');
    const built = existsSync(`${nativeDir()}/build/Release/trident_native.node`) || existsSync(`${nativeDir()}/prebuilds/${process.platform}-${process.arch}`);
    expect(backend().kind).toBe(built ? 'native' : 'js');
  });

  it('TRIDENT_KERNELS=js forces the TS kernels', async () => {
    vi.resetModules();
    vi.stubEnv('TRIDENT_KERNELS', 'js');
    try {
      const m = await import('../../src/kernels/index.js');
      expect(m.backend()).toMatchObject({ kind: 'js', isa: 'js' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('falls back to TS when the addon cannot load and says so once through the logger', async () => {
    vi.resetModules();
    vi.stubEnv('TRIDENT_NATIVE_DIR', '/nonexistent/trident-native');
    try {
      const m = await import('../../src/kernels/index.js');
      expect(m.backend()).toEqual({ kind: 'js', isa: 'js', available: [] });
      const seen: string[] = [];
      m.setKernelLogger((msg) => seen.push(msg));
      m.setKernelLogger((msg) => seen.push(msg));
      m.setIsa('auto');
      expect(seen).toHaveLength(0); // said when the TS kernels are first used, not at load
      expect(() => m.setIsa('avx2')).toThrow(/not loaded/);
      const out = new Float32Array(1);
      m.kernels.maxsimF32(query, 2, dim, f32, u32(0), u32(1), out);
      m.kernels.maxsimF32(query, 2, dim, f32, u32(0), u32(1), out);
      expect(out[0]).toBeCloseTo(dim * 0.25 * 0.5, 5);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(/native SIMD addon could not be loaded/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
