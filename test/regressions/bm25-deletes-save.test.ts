// Regression (issue 13 item 10): BM25 statistics counted deleted documents until save(), so
// the same query scored 5.68 before a save and 5.04 after. Scores must not change across
// save/open for unchanged live data: both must equal BM25 over the live documents, computed
// here by brute force from the analyser's terms (independent of the inverted index).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { createAnalyzer } from '../../src/analyze/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, makeDocs, PROBES, rng, type Doc } from '../reliability/corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-bm25del-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** BM25 (k1 0.9, b 0.4, Lucene idf) over `docs`, by brute force; f32-rounded like the index. */
function bruteBm25(docs: Doc[], query: string): Map<string | number, number> {
  const a = createAnalyzer('plain');
  const terms = docs.map((d) => a.terms(d.text));
  const N = docs.length;
  const avgdl = terms.reduce((s, t) => s + t.length, 0) / N;
  const q = a.terms(query);
  const out = new Map<string | number, number>();
  docs.forEach((d, i) => {
    let s = 0;
    let hit = false;
    const qtf = new Map<string, number>();
    for (const t of q) qtf.set(t, (qtf.get(t) ?? 0) + 1);
    for (const [t, qf] of [...qtf].sort()) {
      const tf = terms[i]!.filter((x) => x === t).length;
      if (tf === 0) continue;
      hit = true;
      const df = terms.filter((ts) => ts.includes(t)).length;
      const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      s += (qf * idf * tf * 1.9) / (tf + 0.9 * (1 - 0.4 + (0.4 * terms[i]!.length) / avgdl));
    }
    if (hit) out.set(d.id, s);
  });
  return out;
}

async function bm25Scores(index: HybridIndex, query: string): Promise<Map<string | number, number>> {
  const hits = await index.search(query, { mode: 'bm25', k: Math.max(1, index.size) });
  return new Map(hits.map((h) => [h.id, h.score]));
}

describe('BM25 scores do not move across save/open', () => {
  for (const wal of [false, true]) {
    it(`after deletes and updates, scores before save = after save/open = brute force over the live documents (wal ${wal})`, async () => {
      const p = path.join(dir, 'i');
      const r = rng(21);
      const docs = makeDocs(r, 30, 'd');
      const index = await createIndex(p, { wal });
      await index.add(docs);
      await index.save();
      const live = new Map(docs.map((d) => [d.id, d]));
      const gone = docs.filter((_, i) => i % 3 === 0).map((d) => d.id);
      await index.delete(gone);
      for (const id of gone) live.delete(id);
      const upd = [{ id: 'd1', text: 'river river stone', metadata: { rev: 1 } }];
      await index.update(upd);
      live.set('d1', upd[0]!);
      const queries = [...PROBES, 'river stone'];
      const before = await Promise.all(queries.map((q) => bm25Scores(index, q)));
      queries.forEach((q, i) => {
        const want = bruteBm25([...live.values()], q);
        expect([...before[i]!.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [id, s] of want) expect(Math.abs(before[i]!.get(id)! - s), `${q} ${String(id)}`).toBeLessThanOrEqual(1e-5 * Math.max(1, s));
      });
      await index.save();
      const saved = await Promise.all(queries.map((q) => bm25Scores(index, q)));
      expect(saved).toEqual(before); // bit for bit
      await index.close();
      const again = await HybridIndex.open(p, { encoder: new FakeEncoder() });
      expect(await Promise.all(queries.map((q) => bm25Scores(again, q)))).toEqual(before);
      await again.close();
    });
  }
});
