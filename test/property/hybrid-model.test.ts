// Model-based property test: fast-check sequences of add / delete / update / save / open /
// search run against a HybridIndex and a naive reference model (a Map, exhaustive float64
// scoring). Exact modes (sparse, exhaustive fused, exhaustive multi-vector) must return the
// oracle's top-k; HNSW (dense mode) must keep mean recall@k ≥ 0.95 (stated bound) and every
// query ≥ 0.5. Rejected calls (duplicate ids) must change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { TridentError } from '../../src/errors.js';
import type { ExternalId } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { compareTopK, oracleScores, recallAtK, type ModelDoc } from './hybrid-oracle.js';

const VOCAB = ['alpha', 'beta', 'gamma', 'delta', 'river', 'stone', 'cloud', 'token', 'vector', 'x'];
const IDS: ExternalId[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 1, 2, 3, '3'];

const textArb = fc.array(fc.constantFrom(...VOCAB, '!', ' '), { minLength: 0, maxLength: 8 }).map((w) => w.join(' '));
const docArb = fc.record({ id: fc.constantFrom(...IDS), text: textArb, metadata: fc.record({ rev: fc.nat(9) }) });

interface Real {
  index: HybridIndex;
  dir: string;
  recalls: number[];
  /** Write-ahead log on: reopening does not save first (what a crash would do). */
  wal: boolean;
}
type Model = { docs: Map<ExternalId, ModelDoc> };

const CONFIG = { dense: { dtype: 'f32' as const }, multivector: { dtype: 'f32' as const }, bm25: { analyzer: 'plain' as const } };

class Add implements fc.AsyncCommand<Model, Real> {
  constructor(readonly docs: ModelDoc[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const ids = this.docs.map((d) => d.id);
    const clash = ids.some((id, i) => m.docs.has(id) || ids.indexOf(id) !== i);
    const res = await r.index.add(this.docs).then(
      (x) => x,
      (e: unknown) => e,
    );
    if (clash) {
      expect(res).toBeInstanceOf(TridentError);
      expect((res as TridentError).code).toBe('DUPLICATE_ID');
    } else {
      expect(res).toMatchObject({ added: this.docs.length });
      for (const d of this.docs) m.docs.set(d.id, d);
    }
    expect(r.index.size).toBe(m.docs.size);
  }
  toString = () => `add(${JSON.stringify(this.docs)})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ids: ExternalId[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    let deleted = 0;
    for (const id of this.ids) if (m.docs.delete(id)) deleted++;
    expect(await r.index.delete(this.ids)).toEqual({ deleted, unknown: this.ids.length - deleted });
    expect(r.index.size).toBe(m.docs.size);
  }
  toString = () => `delete(${JSON.stringify(this.ids)})`;
}

class Update implements fc.AsyncCommand<Model, Real> {
  constructor(readonly docs: ModelDoc[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const ids = this.docs.map((d) => d.id);
    const dup = ids.some((id, i) => ids.indexOf(id) !== i);
    const res = await r.index.update(this.docs).then(
      (x) => x,
      (e: unknown) => e,
    );
    if (dup) {
      expect((res as TridentError).code).toBe('DUPLICATE_ID');
    } else {
      const replaced = ids.filter((id) => m.docs.has(id)).length;
      expect(res).toMatchObject({ added: ids.length - replaced, replaced });
      for (const d of this.docs) m.docs.set(d.id, d);
    }
    expect(r.index.size).toBe(m.docs.size);
  }
  toString = () => `update(${JSON.stringify(this.docs)})`;
}

class Save implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(_m: Model, r: Real) {
    await r.index.save();
  }
  toString = () => 'save()';
}

class Reopen implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    // without the log, what was saved last comes back: save first, as a user would; with the
    // log, every acknowledged change comes back without a save
    if (!r.wal) await r.index.save();
    await r.index.close();
    r.index = await HybridIndex.open(r.dir, { encoder: new FakeEncoder() });
    expect(r.index.size).toBe(m.docs.size);
  }
  toString = () => 'close(); open() (save() first unless wal)';
}

class Search implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly query: string,
    readonly k: number,
    readonly mode: 'sparse' | 'exhaustive' | 'multivector' | 'dense',
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const oracle = oracleScores(this.query, m.docs.values());
    const docs = m.docs;
    const checkMeta = (hits: Array<{ id: ExternalId; metadata?: unknown }>) => {
      for (const h of hits) expect(h.metadata).toEqual(docs.get(h.id)!.metadata);
    };
    if (this.mode === 'dense') {
      const hits = await r.index.search(this.query, { k: this.k, mode: 'dense' });
      checkMeta(hits);
      if (docs.size > 0)
        r.recalls.push(
          recallAtK(
            hits.map((h) => h.id),
            oracle.map((o) => ({ id: o.id, score: o.dense })),
            this.k,
          ),
        );
      return;
    }
    if (this.mode === 'sparse') {
      const hits = await r.index.search(this.query, { k: this.k, mode: 'sparse' });
      checkMeta(hits);
      const want = oracle.filter((o) => o.sparse > 0).map((o) => ({ id: o.id, score: o.sparse }));
      const err = compareTopK(
        hits.map((h) => ({ id: h.id, score: h.score })),
        want,
        this.k,
      );
      expect(err, `sparse '${this.query}' k=${this.k}`).toBeNull();
      return;
    }
    if (this.mode === 'multivector') {
      const hits = await r.index.search(this.query, { k: this.k, mode: 'multivector', exhaustive: true });
      checkMeta(hits);
      const err = compareTopK(
        hits.map((h) => ({ id: h.id, score: h.score })),
        oracle.map((o) => ({ id: o.id, score: o.multivector })),
        this.k,
      );
      expect(err, `multivector '${this.query}' k=${this.k}`).toBeNull();
      return;
    }
    const hits = await r.index.search(this.query, { k: this.k, mode: 'all', exhaustive: true });
    checkMeta(hits);
    const err = compareTopK(
      hits.map((h) => ({ id: h.id, score: h.score })),
      oracle.map((o) => ({ id: o.id, score: o.fused })),
      this.k,
    );
    expect(err, `fused '${this.query}' k=${this.k}`).toBeNull();
  }
  toString = () => `search(${JSON.stringify(this.query)}, k=${this.k}, ${this.mode})`;
}

const commands = [
  fc.array(docArb, { minLength: 1, maxLength: 4 }).map((d) => new Add(d)),
  fc.array(docArb, { minLength: 1, maxLength: 4 }).map((d) => new Add(d)),
  fc.array(fc.constantFrom(...IDS, 'zz'), { minLength: 1, maxLength: 3 }).map((ids) => new Delete(ids)),
  fc.array(docArb, { minLength: 1, maxLength: 3 }).map((d) => new Update(d)),
  fc.constant(new Save()),
  fc.constant(new Reopen()),
  fc.tuple(textArb, fc.integer({ min: 1, max: 14 }), fc.constantFrom('sparse' as const, 'exhaustive' as const, 'multivector' as const, 'dense' as const)).map(([q, k, mode]) => new Search(q, k, mode)),
  fc.tuple(textArb, fc.integer({ min: 1, max: 14 }), fc.constantFrom('sparse' as const, 'exhaustive' as const, 'multivector' as const, 'dense' as const)).map(([q, k, mode]) => new Search(q, k, mode)),
];

let root: string;
beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-model-'));
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe('HybridIndex against a naive reference model', () => {
  for (const wal of [false, true]) {
    it(`add / delete / update / save / open / search sequences agree with the model${wal ? ' (write-ahead log, reopen without save)' : ''}`, async () => {
      const recalls: number[] = [];
      let run = 0;
      let executed = 0;
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'large' }), async (cmds) => {
          const dir = path.join(root, `run-${wal}-${run++}`);
          const real: Real = { index: await HybridIndex.create({ encoder: new FakeEncoder(), path: dir, ...CONFIG, wal }), dir, recalls, wal };
          try {
            await fc.asyncModelRun(() => ({ model: { docs: new Map() }, real }), cmds);
            executed += [...cmds].length;
          } finally {
            await real.index.close();
            await fsp.rm(dir, { recursive: true, force: true });
          }
        }),
        { numRuns: Number(process.env.TRIDENT_MODEL_RUNS ?? (wal ? 30 : 60)), seed: Number(process.env.TRIDENT_MODEL_SEED ?? 20240601) + (wal ? 1 : 0) },
      );
      const mean = recalls.reduce((a, b) => a + b, 0) / Math.max(1, recalls.length);
      console.log(`[model${wal ? ' wal' : ''}] ${run} runs, ${executed} commands; dense (HNSW) recall@k over ${recalls.length} queries: mean ${mean.toFixed(4)}, min ${Math.min(...recalls).toFixed(3)}`);
      expect(mean).toBeGreaterThanOrEqual(0.95);
      for (const r of recalls) expect(r).toBeGreaterThanOrEqual(0.5);
    });
  }
});
