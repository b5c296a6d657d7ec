/**
 * Request goldens. Each JSON file in test/fixtures/qdrant holds what a builder sends for the
 * fixture collection; this test (1) rebuilds it and compares, and (2) type-checks every golden
 * as an object literal `satisfies Schemas[...]` of @qdrant/js-client-rest 1.18.0 with tsc, so
 * an unknown field, a wrong enum value or a wrong shape fails. The goldens were also read
 * against Qdrant's OpenAPI document docs/redoc/master/openapi.json at tag v1.18.0 (commit
 * db3fca327851e360c521065649e0f65a57fe7d3c; unchanged for these schemas at v1.19.0,
 * 74f3e85b9473c62560006c043e13737ce6b48412): see GOLDENS below for the schema of each.
 * UPDATE_GOLDENS=1 rewrites the files (then read the diff).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectionConfig } from '../../../src/qdrant/collection.js';
import { buildPoint, bm25DocumentVector } from '../../../src/qdrant/points.js';
import { toQdrantFilter } from '../../../src/qdrant/filter.js';
import { candidatesBatch, fusionQuery, scoreBatch } from '../../../src/qdrant/query.js';
import { pointId } from '../../../src/qdrant/uuid.js';
import { DOCS, LAYOUT, QUERY } from './fixture.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIR = path.join(ROOT, 'test/fixtures/qdrant');

const filter = toQdrantFilter({ year: { gte: 2020, lt: 2024 }, lang: { in: ['en', 'de', 3, true, null] }, tags: { nin: ['spam'] }, $or: [{ draft: false }, { score: 0.5 }], $not: { owner: null } });
const ids = DOCS.map((d) => pointId(d.id));

/** golden file → [OpenAPI schema it is an instance of, the value the builders produce]. */
const GOLDENS: Record<string, [string, unknown]> = {
  'collection.json': ['CreateCollection', collectionConfig(LAYOUT, { shards: 2, replicas: 2 })],
  'collection-bm42.json': ['CreateCollection', collectionConfig({ encoder: { id: 'Qdrant/bm42-all-minilm-l6-v2-attentions', dim: 384 }, sparse: { modifier: 'idf' } })],
  'collection-binary.json': ['CreateCollection', collectionConfig({ encoder: { id: 'x', dim: 8 }, dense: { size: 8, quantization: 'binary', datatype: 'float16' }, multivector: { size: 8, onDisk: true } })],
  'points.json': ['PointsList', { points: DOCS.map((d) => buildPoint(d, { ...d, bm25: bm25DocumentVector(d.terms, LAYOUT.bm25!) })) }],
  'filter.json': ['Filter', filter],
  'query-candidates.json': ['QueryRequestBatch', candidatesBatch(['dense', 'sparse'], QUERY, { limit: 200, filter })],
  'query-score.json': ['QueryRequestBatch', scoreBatch(['dense', 'sparse', 'multivector'], QUERY, ids)],
  'query-fusion-rrf.json': ['QueryRequest', fusionQuery(QUERY, { kind: 'rrf', rrfK: 60 }, { candidates: 100, limit: 10, filter })],
  'query-fusion-dbsf.json': ['QueryRequest', fusionQuery({ dense: QUERY.dense, sparse: QUERY.sparse }, { kind: 'dbsf' }, { candidates: 50, limit: 5 })],
  'delete.json': ['PointIdsList', { points: ids }],
};

describe('Qdrant request goldens', () => {
  for (const [file, [, value]] of Object.entries(GOLDENS)) {
    it(`${file} is what the builders send`, () => {
      const p = path.join(DIR, file);
      const json = JSON.parse(JSON.stringify(value)) as unknown;
      if (process.env.UPDATE_GOLDENS === '1' || !existsSync(p)) writeFileSync(p, `${JSON.stringify(json, null, 2)}\n`);
      expect(json).toEqual(JSON.parse(readFileSync(p, 'utf8')));
    });
  }

  const check = (goldens: Record<string, string>): { status: number | null; out: string } => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trident-qdrant-types-'));
    const lines = [`import type { Schemas } from '@qdrant/js-client-rest';`];
    let i = 0;
    for (const [schema, text] of Object.entries(goldens)) lines.push(`export const g${i++} = (${text}) satisfies Schemas['${schema.split('#')[0]}'];`);
    const file = path.join(dir, 'goldens.check.ts');
    writeFileSync(file, `${lines.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: true, types: [], typeRoots: [path.join(ROOT, 'node_modules/@types')], baseUrl: ROOT, paths: { '@qdrant/js-client-rest': [path.join(ROOT, 'node_modules/@qdrant/js-client-rest')] } },
        files: [file],
      }),
    );
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
      return { status: r.status, out: r.stdout + r.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('every golden type-checks against the client Schemas (tsc, excess-property checks on)', () => {
    const goldens: Record<string, string> = {};
    for (const [file, [schema]] of Object.entries(GOLDENS)) goldens[`${schema}#${file}`] = readFileSync(path.join(DIR, file), 'utf8');
    const r = check(goldens);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('the type check catches a wrong field and a wrong enum value (control)', () => {
    const r = check({
      'VectorParams#1': '{ "size": 4, "distance": "Cosine", "multivector_config": { "comparator": "max_sim" }, "hnsw": { "m": 0 } }',
      'SparseVectorParams#2': '{ "modifier": "bm25" }',
      'QueryRequest#3': '{ "query": { "nearest": [0.1] }, "filter": { "must": [{ "has_id": "a" }] } }',
    });
    expect(r.status).not.toBe(0);
    // Note: the client's generated types admit `Record<string, unknown>` in nullable anyOf
    // positions (e.g. a Condition), so nested fields there are checked loosely by tsc; the
    // OpenAPI validation below checks them strictly.
    expect(r.out).toMatch(/hnsw/);
    expect(r.out).toMatch(/"bm25"/);
  });
});

// Strict check against Qdrant's own OpenAPI document. The document is not committed (it is
// Qdrant's): point TRIDENT_QDRANT_OPENAPI at docs/redoc/master/openapi.json of a Qdrant
// checkout (last run: tag v1.18.0, db3fca32, and v1.19.0, 74f3e85b; every golden valid).
const OPENAPI = process.env.TRIDENT_QDRANT_OPENAPI;
describe.skipIf(!OPENAPI)('Qdrant request goldens against the OpenAPI document', () => {
  it('every golden is an instance of its schema (unknown properties are errors)', async () => {
    const { validate } = await import('./openapi-validate.js');
    const spec = JSON.parse(readFileSync(OPENAPI!, 'utf8')) as Record<string, unknown>;
    for (const [file, [schema]] of Object.entries(GOLDENS)) {
      expect({ file, errors: validate(spec, schema, JSON.parse(readFileSync(path.join(DIR, file), 'utf8'))) }).toEqual({ file, errors: [] });
    }
  });
  it('the validator rejects wrong values (control)', async () => {
    const { validate } = await import('./openapi-validate.js');
    const spec = JSON.parse(readFileSync(OPENAPI!, 'utf8')) as Record<string, unknown>;
    expect(validate(spec, 'Filter', { must: [{ has_id: 'a' }] }).length).toBeGreaterThan(0);
    expect(validate(spec, 'Filter', { must: [{ key: 'x', match: { anyy: [1] } }] }).length).toBeGreaterThan(0);
    expect(validate(spec, 'VectorParams', { size: 4, distance: 'cosine' }).length).toBeGreaterThan(0);
    expect(validate(spec, 'Filter', { must: [{ key: 'x', match: { any: ['a'] } }] })).toEqual([]);
  });
});
