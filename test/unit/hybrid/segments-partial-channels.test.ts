// Documents that lack a channel's value (your own vectors: each channel optional per document)
// in a segments-storage index: candidates from one channel are scored by the others, which hold
// only some of them, in the segments and in the unsaved tail. Oracle: the same documents in the
// default storage (every hit's id and score equal), and a float64 brute force of the fused score.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HybridIndex } from '../../../src/index.js';

const D = 8;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('segments storage: documents without some channels', () => {
  it('fused dense + multi-vector search scores absent values as 0, in segments and tail alike (default storage and brute force agree)', async () => {
    const r = rng(21);
    const vec = () => Float32Array.from({ length: D }, () => r() * 2 - 1);
    // id % 3: 0 both channels, 1 dense only, 2 multi-vector only
    const docs = Array.from({ length: 90 }, (_, i) => ({
      id: i,
      vectors: { ...(i % 3 !== 2 ? { v: vec() } : {}), ...(i % 3 !== 1 ? { m: [vec(), vec(), vec()] } : {}) },
    }));
    const channels = [
      { name: 'v', kind: 'dense' as const, dimensions: D, dtype: 'f32' as const },
      { name: 'm', kind: 'multivector' as const, dimensions: D, dtype: 'f32' as const },
    ];
    const dir = mkdtempSync(path.join(tmpdir(), 'trident-partial-'));
    try {
      const seg = await HybridIndex.create({ path: path.join(dir, 'seg'), storage: 'segments', wal: false, channels });
      const mem = await HybridIndex.create({ wal: false, channels });
      await seg.add(docs.slice(0, 60));
      await seg.save(); // these 60 in segments
      await seg.add(docs.slice(60)); // these 30 in the tail
      await mem.add(docs);
      const norm = (a: ArrayLike<number>) => {
        const n = Math.hypot(...Array.from(a));
        return Array.from(a, (x) => x / n);
      };
      const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let s = 0;
        for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
        return s;
      };
      for (let t = 0; t < 5; t++) {
        const qv = vec();
        const qm = [vec(), vec()];
        const opts = { k: 90, channels: ['v', 'm'], fusion: { kind: 'weighted' as const, weights: { v: 1, m: 1 } }, exhaustive: true };
        const got = await seg.search({ vectors: { v: qv, m: qm } }, opts);
        const want = await mem.search({ vectors: { v: qv, m: qm } }, opts);
        expect(got.map((h) => [h.id, h.score, h.scores])).toEqual(want.map((h) => [h.id, h.score, h.scores]));
        // the per-channel scores against a float64 brute force; a channel the document lacks scores 0
        for (const h of got) {
          const d = docs[Number(h.id)]!;
          const sv = d.vectors.v ? dot(norm(qv), norm(d.vectors.v)) : 0;
          const sm = d.vectors.m ? qm.reduce((a, q) => a + Math.max(...d.vectors.m!.map((x) => dot(q, norm(x)))), 0) / qm.length : 0;
          expect(h.scores.v ?? 0).toBeCloseTo(sv, 4);
          expect(h.scores.m ?? 0).toBeCloseTo(sm, 4);
        }
      }
      await seg.close();
      await mem.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
