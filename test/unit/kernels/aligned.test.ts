// Page-aligned arena arrays (src/kernels/aligned.ts) and the addon's memory helpers.
import { describe, expect, it } from 'vitest';
import { ALIGN_BYTES, ALIGN_MIN_BYTES, alignedArray } from '../../../src/kernels/aligned.js';
import { nativeMemory } from '../../../src/kernels/index.js';
import { Arena } from '../../../src/multivector/arena.js';
import { InvalidArgumentError } from '../../../src/errors.js';

const mem = nativeMemory();
const requireNative = process.env.TRIDENT_REQUIRE_NATIVE === '1';

describe('alignedArray', () => {
  it('is present whenever the native addon is required', () => {
    if (requireNative) expect(mem).not.toBeNull();
  });

  it.skipIf(mem === null)('places large arrays on a page boundary, zeroed, of the asked length', () => {
    for (const [ctor, n] of [
      [Float32Array, 300_000],
      [Uint16Array, 70_001],
      [Int8Array, 1 << 20],
    ] as const) {
      const a = alignedArray(ctor as never, n) as Float32Array | Uint16Array | Int8Array;
      expect(a).toBeInstanceOf(ctor);
      expect(a.length).toBe(n);
      expect((mem!.addressMod(a.buffer as ArrayBuffer, ALIGN_BYTES) + a.byteOffset) % ALIGN_BYTES).toBe(0);
      expect(a.every((v) => v === 0)).toBe(true);
      a[n - 1] = 7; // the whole length is writable inside the buffer
      expect(a[n - 1]).toBe(7);
    }
  });

  it.skipIf(mem === null)('leaves small arrays plain', () => {
    const a = alignedArray(Float32Array, ALIGN_MIN_BYTES / 4 - 1);
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(ALIGN_MIN_BYTES - 4);
  });

  it.skipIf(mem === null)('addressMod agrees across moduli and offsets; bad moduli are typed errors', () => {
    const buf = new ArrayBuffer(1 << 16);
    const m4096 = mem!.addressMod(buf, 4096);
    for (const m of [1, 2, 8, 64, 1024]) expect(mem!.addressMod(buf, m)).toBe(m4096 % m);
    expect(m4096 % 8).toBe(0); // V8 backing stores are at least 8-byte aligned
    for (const bad of [0, 3, 100, 4 << 20, 1.5, -64]) expect(() => mem!.addressMod(buf, bad)).toThrow(InvalidArgumentError);
    expect(typeof mem!.adviseHugePages(new ArrayBuffer(8 << 20))).toBe('boolean');
  });

  it.skipIf(mem === null)('the multi-vector arena rows and screening images start on pages, across growth', () => {
    const a = new Arena(1024, 'f32', 16, true);
    for (const n of [20, 200, 700]) {
      const v = new Float32Array(n * 1024).fill(0.03125);
      a.append(v, n, new Uint32Array(n), new Uint32Array(2 * n));
      for (const arr of [a.f32!, a.screenI8!]) {
        if (arr.byteLength < ALIGN_MIN_BYTES) continue; // small arrays stay plain
        expect((mem!.addressMod(arr.buffer as ArrayBuffer, 4096) + arr.byteOffset) % 4096).toBe(0);
      }
      expect(a.f32![(a.used - 1) * 1024]).toBe(0.03125); // growth kept the rows
    }
  });
});
