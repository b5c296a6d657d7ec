import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBudget, densePeakBytes, dirBytes, mvBytesPerVector, mvPeakBytes } from '../../../bench/lib/memory.js';
import { MultiVectorStore } from '../../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trident-bench-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench memory helpers', () => {
  it('dirBytes sums files recursively and is 0 for a missing path', () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'x.bin'), Buffer.alloc(100));
    writeFileSync(join(dir, 'a', 'b', 'y.bin'), Buffer.alloc(23));
    expect(dirBytes(join(dir, 'a'))).toBe(123);
    expect(dirBytes(join(dir, 'a', 'x.bin'))).toBe(100);
    expect(dirBytes(join(dir, 'missing'))).toBe(0);
  });

  it('mvBytesPerVector agrees with what MultiVectorStore.stats reports', () => {
    for (const dtype of ['f32', 'f16', 'i8'] as const) {
      const store = MultiVectorStore.create({ dim: 16, dtype });
      const data = new Float32Array(5 * 16).map((_, i) => Math.sin(i + 1));
      store.add(0, { data, dim: 16, count: 5 });
      expect(store.stats().bytes).toBe(5 * mvBytesPerVector(16, dtype));
    }
    expect(mvBytesPerVector(128, 'i8')).toBe(144);
    expect(mvBytesPerVector(1024, 'f16')).toBe(2060);
  });

  it('peak estimates: 1M docs × 200 × 1024-d i8 multi-vectors need hundreds of GB', () => {
    // 1e6 · 200 · (1024 + 4 + 12) B = 2.08e11 B stored, × 2.5 growth slack
    expect(mvPeakBytes(1_000_000, 200, 1024, 'i8')).toBe(2.08e11 * 2.5);
    // rows f16 (×2.5 slack) + graph (f16 vector + 32 links × 4 B + 64 B) + two 10k-row f32 buffers
    expect(densePeakBytes(1000, 8, 'f16', 'f16', 16)).toBe(1000 * 8 * 2 * 2.5 + 1000 * (16 + 128 + 64) + 10_000 * 8 * 4 * 2);
  });

  it('checkBudget compares with the share of available memory and explains a refusal', () => {
    expect(checkBudget(5e9, 10e9)).toEqual({ fits: true, needBytes: 5e9, budgetBytes: 6e9 });
    const v = checkBudget(30e9, 17e9, 0.6);
    expect(v.fits).toBe(false);
    expect(v.budgetBytes).toBe(10.2e9);
    expect(v.reason).toBe('needs 30.0 GB > budget 10.2 GB (60 % of 17.0 GB available)');
  });
});
