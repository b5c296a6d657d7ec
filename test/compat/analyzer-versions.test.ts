// Indexes built by an older trident (committed fixtures made by the trident of past commits, see
// make-analyzer-fixtures.ts) reopen with the analyser version they were built with: the same top
// 10 (ids and scores) as that trident found before saving, equal to an oracle built with today's
// createAnalyzer(kind, { version }) and the exhaustive BM25 scorer; new documents and queries
// are analysed with the stored version too, and a re-save keeps it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { ANALYZER_VERSION, createAnalyzer, TermVocabulary, termFrequencies, type AnalyzerKind } from '../../src/analyze/index.js';
import { SparseIndex } from '../../src/sparse/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { FIXTURES, PROBES } from './make-analyzer-fixtures.js';

type Hit = { id: string; score: number };
type Doc = { id: string; text: string };

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-analyzer-compat-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

async function load(name: string) {
  const dir = path.join(tmp, name);
  await fsp.cp(path.join(FIXTURES, name, 'index'), dir, { recursive: true }); // the committed bytes are never written
  const docs = JSON.parse(await fsp.readFile(path.join(FIXTURES, name, 'docs.json'), 'utf8')) as Doc[];
  const expected = JSON.parse(await fsp.readFile(path.join(FIXTURES, name, 'expected.json'), 'utf8')) as Record<string, Hit[]>;
  return { dir, docs, expected };
}

/** Top k by the exhaustive BM25 scorer over `docs` analysed with `kind` at `version`. */
function oracle(docs: Doc[], kind: AnalyzerKind, version: number, k1: number, b: number) {
  const a = createAnalyzer(kind, { version });
  const vocab = new TermVocabulary();
  const index = SparseIndex.create({ scorer: 'bm25', k1, b });
  docs.forEach((d, i) => {
    index.add(i, termFrequencies(a.terms(d.text), vocab, true));
  });
  return (q: string, k: number): Hit[] => {
    const h = index.searchExhaustive(termFrequencies(a.terms(q), vocab, false), k);
    return Array.from(h.ids, (d, i) => ({ id: docs[d]!.id, score: h.scores[i]! }));
  };
}

const search = async (index: HybridIndex, q: string): Promise<Hit[]> => (await index.search(q, { mode: 'bm25', k: 10 })).map((h) => ({ id: h.id as string, score: h.score }));

/** Same ranking and scores (ties may come in either order only when their scores are equal). */
function expectSame(got: Hit[], want: Hit[], label: string) {
  expect(
    got.map((h) => h.score),
    label,
  ).toEqual(want.map((h) => h.score));
  const byScore = (hs: Hit[]) => hs.map((h) => `${h.score}:${h.id}`).sort();
  expect(byScore(got), label).toEqual(byScore(want));
}

const CASES = [
  { name: 'analyzer-v1-auto', kind: 'auto' as const, version: 1, stored: undefined, newDoc: { id: 'n1', text: 'ภาษาไทยง่าย สำหรับ tourists' }, newQuery: 'ภาษาไทยง่าย' },
  { name: 'analyzer-v2-english', kind: 'english' as const, version: 2, stored: 2, newDoc: { id: 'n1', text: 'covid-19 and e-mail: well-known long-term trends' }, newQuery: 'covid-19 e-mail' },
];

describe('indexes built with an older analyser version', () => {
  it('the fixtures are older than this trident', () => {
    for (const c of CASES) expect(c.version).toBeLessThan(ANALYZER_VERSION);
  });

  for (const c of CASES) {
    it(`${c.name}: reopens with analyser version ${c.version}; every probe equals the results before save and the version-${c.version} oracle, not today's`, async () => {
      const { dir, docs, expected } = await load(c.name);
      const index = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
      const cfg = index.config.channels.find((ch) => ch.kind === 'bm25');
      if (cfg?.kind !== 'bm25') throw new Error('fixture has no BM25 store');
      expect(cfg.analyzerVersion).toBe(c.stored);
      expect([cfg.k1, cfg.b]).toEqual([0.9, 0.4]); // stored parameters, not today's defaults
      const old = oracle(docs, c.kind, c.version, cfg.k1, cfg.b);
      const today = oracle(docs, c.kind, ANALYZER_VERSION, cfg.k1, cfg.b);
      let differs = 0;
      for (const q of PROBES) {
        const got = await search(index, q);
        expectSame(got, expected[q]!, `${c.name} "${q}" vs before save`);
        expectSame(got, old(q, 10), `${c.name} "${q}" vs version-${c.version} oracle`);
        if (JSON.stringify(old(q, 10)) !== JSON.stringify(today(q, 10))) differs++;
      }
      // the probes can tell the versions apart, so a reopen with today's analyser would fail above
      expect(differs).toBeGreaterThanOrEqual(2);

      // new documents and queries go through the stored version as well
      await index.add([c.newDoc]);
      const all = [...docs, c.newDoc];
      const oldAll = oracle(all, c.kind, c.version, cfg.k1, cfg.b);
      expect(JSON.stringify(oracle(all, c.kind, ANALYZER_VERSION, cfg.k1, cfg.b)(c.newQuery, 10))).not.toBe(JSON.stringify(oldAll(c.newQuery, 10)));
      for (const q of [c.newQuery, ...PROBES]) expectSame(await search(index, q), oldAll(q, 10), `${c.name} "${q}" after add`);

      // a re-save by today's writer keeps the version
      const resaved = path.join(tmp, `${c.name}-resaved`);
      await index.save(resaved);
      await index.close();
      const again = await HybridIndex.open(resaved, { encoder: new FakeEncoder() });
      expect((again.config.channels.find((ch) => ch.kind === 'bm25') as { analyzerVersion?: number }).analyzerVersion).toBe(c.stored ?? undefined);
      for (const q of [c.newQuery, ...PROBES]) expectSame(await search(again, q), oldAll(q, 10), `${c.name} "${q}" after re-save`);
      await again.close();
    });
  }

  it("a new index records today's analyser version and the BM25 defaults", async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), dense: false, sparse: false, multivector: false, bm25: { analyzer: 'english' } });
    expect(index.config.channels.find((ch) => ch.kind === 'bm25')).toMatchObject({ analyzer: 'english', analyzerVersion: ANALYZER_VERSION, k1: 1.2, b: 0.75 });
    await index.close();
  });
});
