// Documents of the lock tests: document i holds the term `uniq<i>`, which no other document
// holds, so a BM25 search for it finds exactly that document.
import type { HybridIndexOptions } from '../../../src/hybrid/index.js';

export const LOCK_CONFIG: Partial<HybridIndexOptions> = { dense: { dtype: 'f32' }, multivector: false, bm25: { analyzer: 'plain' } };

export function lockDoc(i: number): { id: string; text: string } {
  return { id: `d${i}`, text: `uniq${i} alpha beta river ${i % 7 === 0 ? 'stone' : 'cloud'}` };
}
