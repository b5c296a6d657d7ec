// Documents of the segments-dense-v0 compat fixture (shared by its maker and its test).
import { rng } from '../helpers/rng.js';

export const segDenseChannels = [
  { name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: 8, dtype: 'f32' as const },
  { name: 'sparse', kind: 'sparse' as const, source: 'vectors' as const },
];

export function segDenseDocs(): Array<{ id: number; vectors: { dense: Float32Array; sparse: { ids: Uint32Array; weights: Float32Array } } }> {
  const r = rng(61);
  return Array.from({ length: 50 }, (_, i) => {
    const ids = Uint32Array.from(new Set(Array.from({ length: 4 }, () => Math.floor(r() * 40)))).sort();
    return { id: i, vectors: { dense: Float32Array.from({ length: 8 }, () => r() * 2 - 1), sparse: { ids, weights: Float32Array.from(ids, () => 0.5 + r()) } } };
  });
}
