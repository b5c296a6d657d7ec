// Channels take a whole add/update in one addBatch call (BM25, sparse, dense) where they used
// to take one add per entry. Property: for random sequences of batches (adds, upserts,
// deletes), an index fed the batches holds exactly what an index fed the same documents one
// add()/update() call at a time holds — every score of every live document in every store
// (exhaustive search, no rounding), BM25 scores and statistics, the term vocabulary. A batch
// whose store throws part-way (injected into a channel's batch insert) is rejected whole and
// leaves the index exactly as it was (all-or-nothing, see apply.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { HybridIndex } from '../../src/hybrid/index.js';
import { DenseIndex } from '../../src/dense/index.js';
import { SparseIndex } from '../../src/sparse/index.js';
import type { ExternalId } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';

const VOCAB = ['alpha', 'beta', 'gamma', 'delta', 'river', 'stone', 'cloud', 'token', 'vector', 'x', "it's", 'running'];
const POOL: ExternalId[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 1, 2, 3, '3'];
const PROBES = ['alpha beta', 'river stone cloud', 'x', 'running token vector gamma delta'];
const CONFIG = { dense: { dtype: 'f32' as const }, multivector: { dtype: 'f32' as const }, bm25: { analyzer: 'english' as const } };

const textArb = fc.array(fc.constantFrom(...VOCAB), { minLength: 1, maxLength: 9 }).map((w) => w.join(' '));
const docArb = fc.record({ id: fc.constantFrom(...POOL), text: textArb });
type Doc = { id: ExternalId; text: string };
type Op = { kind: 'add' | 'update'; docs: Doc[]; fail: 'none' | 'dense' | 'sparse' | 'bm25' } | { kind: 'delete'; ids: ExternalId[] };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('add' as const, 'update' as const), docs: fc.array(docArb, { minLength: 1, maxLength: 6 }), fail: fc.constantFrom('none' as const, 'none' as const, 'dense' as const, 'sparse' as const, 'bm25' as const) }),
  fc.record({ kind: fc.constant('delete' as const), ids: fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 3 }) }),
);

/** Everything observable: exact per-store scores of every live document, BM25 scores, BM25 statistics. */
async function observe(index: HybridIndex) {
  const k = Math.max(1, index.size);
  const out: unknown[] = [index.size];
  for (const q of PROBES) {
    const all = await index.search(q, { k, exhaustive: true });
    out.push(all.map((h) => [h.id, h.scores.dense, h.scores.sparse, h.scores.multivector, h.scores.bm25]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    const bm = await index.search(q, { k, mode: 'bm25' });
    out.push(bm.map((h) => [h.id, h.score]));
  }
  const s = index.stats() as Record<string, { docs?: number; deleted?: number; terms?: number; postings?: number; size?: number } | null>;
  out.push((s.bm25 as { terms?: number } | null)?.terms);
  for (const n of ['dense', 'sparse', 'multivector', 'bm25']) {
    const c = s[n];
    // live documents only: an undone insert stays a tombstone (deleted, postings) until a save compacts it
    out.push(c ? [c.docs ?? c.size] : null);
  }
  return out;
}

/** Makes the batch insert of the named store throw on its first call. */
function inject(fail: 'dense' | 'sparse' | 'bm25') {
  if (fail === 'dense')
    return vi.spyOn(DenseIndex.prototype, 'addBatch').mockImplementation(() => {
      throw new RangeError('injected');
    });
  const orig = SparseIndex.prototype.addBatch;
  return vi.spyOn(SparseIndex.prototype, 'addBatch').mockImplementation(function (this: SparseIndex, ...a: Parameters<SparseIndex['addBatch']>) {
    if ((this.scorer === 'bm25') === (fail === 'bm25')) throw new RangeError('injected');
    return orig.apply(this, a);
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('batch add through the channels equals one add per document', () => {
  it('same scores, BM25 statistics and all-or-nothing over random batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), async (ops) => {
        const batched = await HybridIndex.create({ encoder: new FakeEncoder(), ...CONFIG });
        const single = await HybridIndex.create({ encoder: new FakeEncoder(), ...CONFIG });
        const live = new Set<ExternalId>();
        try {
          for (const op of ops) {
            if (op.kind === 'delete') {
              await batched.delete(op.ids);
              await single.delete(op.ids);
              for (const id of op.ids) live.delete(id);
              continue;
            }
            // distinct ids within a call; an add takes only ids not yet in the index
            const seen = new Set<ExternalId>();
            const docs = op.docs.filter((d) => !seen.has(d.id) && seen.add(d.id) && (op.kind === 'update' || !live.has(d.id)));
            if (docs.length === 0) continue;
            if (op.fail !== 'none' && docs.length > 1) {
              const before = await observe(batched);
              const spy = inject(op.fail);
              await expect(op.kind === 'add' ? batched.add(docs) : batched.update(docs)).rejects.toThrow('injected');
              spy.mockRestore();
              expect(await observe(batched)).toEqual(before);
              continue;
            }
            await (op.kind === 'add' ? batched.add(docs) : batched.update(docs));
            for (const d of docs) await (op.kind === 'add' ? single.add([d]) : single.update([d]));
            for (const d of docs) live.add(d.id);
          }
          expect(await observe(batched)).toEqual(await observe(single));
        } finally {
          await batched.close();
          await single.close();
        }
      }),
      { numRuns: 40, seed: 1905 },
    );
  });
});
