// The peers benchmark's adapters agree on a tiny corpus: every full-text engine ranks the one
// document holding a query's rare word first, every dense engine finds a perturbed document
// vector's own row, the hybrid and re-rank engines do both, and the oracle helpers (exact
// kNN, recall@k, the FTS5 query builder, the report's ratios) match hand-computed values.
// Peers that are not installed are skipped with their reason (the suite reports them so).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HybridEncoder } from '../../../src/hybrid/types.js';
import { exactKnn, normaliseRows, recallAtK, row, syntheticVectors } from '../../../bench/peers/data.js';
import { lanceHybrid, lanceRerank, oramaHybrid, sqliteHybrid, tridentRerank, type HybridQuery, type MvCorpus, type RerankQuery } from '../../../bench/peers/hybrid-engines.js';
import { latencyQualityRows, peersChart, ratio, taskTable } from '../../../bench/peers/report.js';
import { benchCharts } from '../../../bench/lib/charts.js';
import { fts5Query, lanceFts, miniSearch, oramaText, sqliteFts, tridentBm25, winkBm25, type Engine, type Factory } from '../../../bench/peers/text-engines.js';
import { faissFlat, hnswlib, lanceVector, oramaVector, sqliteVec, tridentDense, usearchRaw, type VectorSet } from '../../../bench/peers/vector-engines.js';
import { rng } from '../../../bench/lib/synthetic.js';
import { measureEngine } from '../../../bench/peers/measure.js';

const TOPICS = ['astronomy', 'volcano', 'cheese', 'violin', 'glacier', 'tennis', 'origami', 'submarine', 'falcon', 'cactus', 'saffron', 'tornado', 'harpsichord', 'lighthouse', 'penguin', 'quartz', 'bamboo', 'zeppelin', 'mosaic', 'lantern'];
// Each document shares common words and holds one rare topic word (twice, so BM25 has no doubt).
const DOCS = TOPICS.map((t, i) => ({ id: `doc${i}`, text: `the study of ${t} and its ${t} history in the common world number ${i % 3}` }));
const DIM = 8;
const VECS = normaliseRows(
  Float32Array.from(
    { length: DOCS.length * DIM },
    (() => {
      const r = rng(7);
      return () => r() * 2 - 1;
    })(),
  ),
  DIM,
);

/** The query for document j: its vector nudged a little, renormalised. */
function queryVector(j: number): Float32Array {
  const q = row(VECS, DIM, j).slice();
  q[0]! += 0.05;
  return normaliseRows(q, DIM);
}

const toyEncoder: HybridEncoder = {
  info: { id: 'toy', dim: DIM, maxLength: 64, heads: { dense: true, sparse: false, multivector: false } },
  encode: async (texts) => texts.map(() => ({ dense: new Float32Array(DIM).fill(1 / Math.sqrt(DIM)) })),
};

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'trident-peers-test-'));
  dirs.push(d);
  return d;
};
afterAll(() =>
  dirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

async function build<Q, C>(f: Factory<Q, C>, corpus: C): Promise<Engine<Q> | string> {
  const e = await f(corpus, tmp());
  return 'skipped' in e ? e.skipped : e;
}

describe('peers bench: full-text adapters', () => {
  const engines: Array<[string, Factory<string>]> = [
    ['trident', tridentBm25(toyEncoder)],
    ['SQLite FTS5', sqliteFts],
    ['LanceDB FTS', lanceFts],
    ['wink-bm25', winkBm25],
    ['MiniSearch', miniSearch],
    ['Orama', oramaText],
  ];
  for (const [name, f] of engines) {
    it(`${name}: the document with the query's rare word ranks first`, async () => {
      const e = await build(f, DOCS);
      if (typeof e === 'string') return void console.warn(`${name} skipped: ${e}`);
      for (const j of [0, 7, 12, 19]) {
        const hits = await e.search(`what about ${TOPICS[j]} in history`, 5);
        expect(hits[0], `${name}, query ${TOPICS[j]}`).toBe(j);
      }
      await e.close();
    });
  }

  it('fts5Query quotes every word and ORs them, so FTS syntax in a query cannot leak', () => {
    expect(fts5Query('Cells "divide" OR NOT near(x)')).toBe('"cells" OR "divide" OR "or" OR "not" OR "near" OR "x"');
    expect(fts5Query('?!')).toBe('""');
  });
});

describe('peers bench: dense adapters', () => {
  const vs: VectorSet = { dim: DIM, n: DOCS.length, data: VECS };
  const engines: Array<[string, Factory<Float32Array, VectorSet>]> = [
    ['trident DenseIndex', tridentDense()],
    ['trident DenseIndex (graph)', tridentDense({ graph: true })],
    ['usearch f32', usearchRaw('f32')],
    ['usearch f16', usearchRaw('f16')],
    ['hnswlib-node', hnswlib],
    ['sqlite-vec', sqliteVec],
    ['LanceDB', lanceVector],
    ['Orama', oramaVector],
    ['faiss-node', faissFlat],
  ];
  const exact = exactKnn(VECS, Float32Array.from(DOCS.flatMap((_, j) => [...queryVector(j)])), DIM, 3);
  for (const [name, f] of engines) {
    it(`${name}: top-3 equals the exact top-3 of every query`, async () => {
      const e = await build(f, vs);
      if (typeof e === 'string') return void console.warn(`${name} skipped: ${e}`);
      const found: number[][] = [];
      for (let j = 0; j < DOCS.length; j++) found.push(await e.search(queryVector(j), 3));
      expect(found.map((r) => r[0])).toEqual(DOCS.map((_, j) => j));
      expect(recallAtK(found, exact, 3)).toBeGreaterThanOrEqual(0.95);
      await e.close();
    });
  }
});

describe('peers bench: oracle helpers', () => {
  it('exactKnn matches a sort of every cosine similarity', () => {
    const { base, queries } = syntheticVectors(300, 5, 16, 3);
    const got = exactKnn(base, queries, 16, 10);
    for (let q = 0; q < 5; q++) {
      const sims = Array.from({ length: 300 }, (_, i) => {
        let s = 0;
        for (let j = 0; j < 16; j++) s += base[i * 16 + j]! * queries[q * 16 + j]!;
        return [i, s] as const;
      }).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      expect(got[q]).toEqual(sims.slice(0, 10).map(([i]) => i));
    }
  });

  it('recallAtK counts the exact top-k found, per query, averaged', () => {
    expect(recallAtK([[1, 2, 3]], [[3, 2, 9]], 3)).toBeCloseTo(2 / 3);
    expect(
      recallAtK(
        [
          [1, 2],
          [5, 6],
        ],
        [
          [1, 2],
          [7, 8],
        ],
        2,
      ),
    ).toBe(0.5);
    expect(() => recallAtK([[1]], [], 1)).toThrow(/1 result lists for 0 queries/);
  });

  it('report ratios are trident ÷ peer and tables list skipped engines with the reason', () => {
    expect(ratio(0.2, 2)).toBe('0.10×');
    expect(ratio(3, 1)).toBe('3.0×');
    expect(ratio(undefined, 1)).toBe('–');
    const md = taskTable({
      title: 'bm25',
      reference: 'trident',
      rows: [
        { engine: 'trident', version: '', latencyMs: { p50: 0.2, p99: 1, mean: 0.3, samples: 10 }, ndcg10: 0.68, buildMs: 3000 },
        { engine: 'SQLite FTS5', version: '3', latencyMs: { p50: 5, p99: 9, mean: 5, samples: 10 }, ndcg10: 0.69, buildMs: 300 },
        { engine: 'faiss-node', version: '', skipped: 'not installed' },
      ],
    });
    expect(md).toContain('| SQLite FTS5 | 5.00 | 9.00 | – | 0.040× | nDCG@10 0.690 | 0.300 | 10× |');
    expect(ratio(3.47, 2394)).toBe('0.0014×');
    expect(md).toContain('- skipped — faiss-node: not installed');
  });
});

describe('peers bench: measureEngine', () => {
  it('records build, quality from the results, latency, save time and bytes on disk of a saved engine', async () => {
    const corpus: MvCorpus = DOCS.map((_, i) => ({ data: row(VECS, DIM, i).slice(), dim: DIM, count: 1 }));
    const queries: RerankQuery[] = [0, 3].map((j) => ({ mv: { data: queryVector(j), dim: DIM, count: 1 }, candidates: Uint32Array.from([0, 3, 5]) }));
    let seen: number[][] = [];
    const { row: r } = await measureEngine('trident MultiVectorStore', tridentRerank, corpus, tmp(), {
      queries,
      k: 1,
      timeMs: 20,
      minIterations: 5,
      quality: (res) => {
        seen = res;
        return { recall10: 1 };
      },
    });
    expect(seen).toEqual([[0], [3]]);
    expect(r.skipped).toBeUndefined();
    expect(r.recall10).toBe(1);
    expect(r.latencyMs!.samples).toBeGreaterThanOrEqual(5);
    expect(r.saveMs).toBeGreaterThanOrEqual(0);
    expect(r.diskBytes).toBeGreaterThan(DOCS.length * DIM * 2); // the f16 rows at least
  });

  it('turns a failing or skipping factory into a skipped row with the reason', async () => {
    const o = { queries: ['q'], k: 1, timeMs: 10, minIterations: 1, quality: () => ({}) };
    const failing: Factory<string> = async () => {
      throw new Error('boom\nstack');
    };
    expect((await measureEngine('x', failing, DOCS, tmp(), o)).row).toEqual({ engine: 'x', version: '', skipped: 'build failed: boom' });
    expect((await measureEngine('y', async () => ({ skipped: 'not here' }), DOCS, tmp(), o)).row.skipped).toBe('not here');
  });
});

describe('peers bench: chart', () => {
  const json = {
    date: '2026-12-05T00:00:00Z',
    cpuModel: 'Test CPU',
    loadavg: [1, 2, 3],
    peers: { minisearch: '7.2.0', 'faiss-node': '' },
    tasks: {
      bm25: {
        title: 'bm25',
        reference: 'trident',
        rows: [
          { engine: 'trident', version: '', latencyMs: { p50: 0.2, p99: 1, mean: 0.3, samples: 10 }, ndcg10: 0.68 },
          { engine: 'MiniSearch', version: '7.2.0', latencyMs: { p50: 15, p99: 99, mean: 20, samples: 10 }, ndcg10: 0.62 },
          { engine: 'faiss-node', version: '', skipped: 'not installed' },
        ],
      },
      dense: { title: 'dense', reference: 'trident DenseIndex', rows: [{ engine: 'trident DenseIndex', version: '', latencyMs: { p50: 0.1, p99: 0.3, mean: 0.1, samples: 10 }, recall10: 1 }] },
    },
  };

  it('plots every scored engine of the BM25 / hybrid / re-rank tasks (not recall rows, not skipped ones)', async () => {
    expect(latencyQualityRows(json).map((r) => [r.name, r.group])).toEqual([
      ['trident', 'trident BM25'],
      ['MiniSearch', 'peer BM25'],
    ]);
    const svg = await peersChart(json);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('MiniSearch');
    expect(svg).toContain('Test CPU');
    expect(svg).toContain('minisearch 7.2.0');
    const charts = await benchCharts({ peers: json });
    expect(charts.map((c) => c.file)).toEqual(['peers-latency-quality.svg']);
    expect(await peersChart({ tasks: {} })).toBeUndefined();
  });
});

describe('peers bench: hybrid and re-rank adapters', () => {
  it('every hybrid engine ranks the document matching both text and vector first', async () => {
    const corpus = { docs: DOCS, dim: DIM, vectors: VECS };
    for (const [name, f] of [
      ['LanceDB', lanceHybrid],
      ['SQLite', sqliteHybrid],
      ['Orama', oramaHybrid],
    ] as const) {
      const e = await build<HybridQuery, typeof corpus>(f, corpus);
      if (typeof e === 'string') {
        console.warn(`${name} skipped: ${e}`);
        continue;
      }
      for (const j of [2, 11]) {
        const hits = await e.search({ text: `${TOPICS[j]} history`, vector: queryVector(j), encoded: {} }, 5);
        expect(hits[0], name).toBe(j);
      }
      await e.close();
    }
  });

  it('trident and LanceDB multivector re-rank the same candidates to the same MaxSim order', async () => {
    const tok = 4;
    const r = rng(11);
    const mv: MvCorpus = DOCS.map(() => ({
      data: normaliseRows(
        Float32Array.from({ length: 3 * tok }, () => r() * 2 - 1),
        tok,
      ),
      dim: tok,
      count: 3,
    }));
    const q: RerankQuery = { mv: { data: mv[5]!.data.slice(0, 2 * tok), dim: tok, count: 2 }, candidates: Uint32Array.from([1, 5, 9, 13]) };
    // MaxSim oracle over the candidates
    const maxsim = (d: number) => {
      let total = 0;
      for (let a = 0; a < 2; a++) {
        let best = -Infinity;
        for (let b = 0; b < 3; b++) {
          let s = 0;
          for (let j = 0; j < tok; j++) s += q.mv.data[a * tok + j]! * mv[d]!.data[b * tok + j]!;
          best = Math.max(best, s);
        }
        total += best;
      }
      return total;
    };
    const want = [...q.candidates].sort((a, b) => maxsim(b) - maxsim(a));
    expect(want[0]).toBe(5);
    for (const [name, f] of [
      ['trident', tridentRerank],
      ['LanceDB', lanceRerank],
    ] as const) {
      const e = await build<RerankQuery, MvCorpus>(f, mv);
      if (typeof e === 'string') {
        console.warn(`${name} skipped: ${e}`);
        continue;
      }
      const got = await e.search(q, 4);
      expect(got, name).toEqual(want);
      await e.close();
    }
  });
});
