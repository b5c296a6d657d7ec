/**
 * HybridIndex's BM25 store with its defaults (english analyser, BM25_DEFAULTS) matches the best
 * text peer on the English dev sets, through the harness. Peer figures are golden values measured
 * by tools/bm25-vs-peers.ts with src/eval's evaluator on the same `title text` documents:
 * LanceDB FTS 0.31.0 (English stemming and stop words) scifact 0.6889, nfcorpus 0.3312; SQLite
 * FTS5 (porter unicode61) 0.6874, 0.3255. Before BM25_DEFAULTS (k1 0.9, b 0.4) trident scored
 * 0.6817 on scifact. Needs the shared data (see dataDir()); dev/ only.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, loadBeir, type Retriever } from '../../../src/eval/index.js';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { bm25Retriever, devSet } from './bm25-retriever.js';

const cases = [
  { set: 'scifact', lance: 0.6889, sqlite: 0.6874, now: 0.6883, before: 0.6817 },
  { set: 'nfcorpus', lance: 0.3312, sqlite: 0.3255, now: 0.3331, before: 0.3317 },
];

describe('BM25 defaults vs the text peers (dev sets)', () => {
  for (const c of cases) {
    it(`${c.set}: HybridIndex bm25 english with default k1/b ≥ LanceDB FTS − 0.001 and ≥ SQLite FTS5`, async () => {
      const ds = await loadBeir(devSet(c.set));
      const index = await HybridIndex.create({ encoder: new FakeEncoder(), dense: false, sparse: false, multivector: false, bm25: { analyzer: 'english' } });
      const docs = [...ds.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
      for (let i = 0; i < docs.length; i += 1000) await index.add(docs.slice(i, i + 1000));
      const r: Retriever = { search: async (q, k) => (await index.search(q, { mode: 'bm25', k })).map((h) => ({ id: h.id as string, score: h.score })) };
      const ndcg = (await evaluate(r, ds, { k: [10], metrics: ['ndcg'] })).metrics['ndcg@10']!;
      await index.close();
      expect(ndcg).toBeCloseTo(c.now, 3);
      expect(ndcg).toBeGreaterThanOrEqual(c.lance - 0.001);
      expect(ndcg).toBeGreaterThanOrEqual(c.sqlite);
      // the old parameters (what indexes made before BM25_DEFAULTS keep) score lower
      const before = (await evaluate(bm25Retriever(ds, 'english', 0.9, 0.4), ds, { k: [10], metrics: ['ndcg'] })).metrics['ndcg@10']!;
      expect(before).toBeCloseTo(c.before, 3);
      expect(ndcg).toBeGreaterThan(before);
    }, 120_000);
  }
});
