/**
 * The data every engine of the peers benchmark sees: a BEIR collection (dev/scifact) whose
 * documents and queries are encoded once with trident's built-in model (dense vectors,
 * sparse weights, token vectors), a seeded synthetic vector set, the exact (brute-force)
 * neighbours the recall figures are computed against, and an encoder that replays the
 * stored encodings so trident's own build does not pay for encoding again.
 */
import { loadBeir, loadEncoder, type Dataset } from '../../src/index.js';
import type { EncodedLike, HybridEncoder } from '../../src/hybrid/types.js';
import { clusteredRows, gaussianMatrix, rng } from '../lib/synthetic.js';

/** One document as the text engines get it. */
export interface Doc {
  id: string;
  text: string;
}

/** A collection encoded once: row i of `vectors` is document i, row j of `queryVectors` query j. */
export interface Encoded {
  dataset: Dataset;
  docs: Doc[];
  queryIds: string[];
  queryTexts: string[];
  dim: number;
  vectors: Float32Array;
  queryVectors: Float32Array;
  docEnc: EncodedLike[];
  queryEnc: EncodedLike[];
  /** Replays the stored encodings (unknown texts are encoded by the real model). */
  encoder: HybridEncoder;
  modelId: string;
  encodeMs: number;
}

/**
 * Loads a BEIR folder and encodes its documents (`title text`) and judged queries once.
 *
 * @example
 * ```ts
 * const enc = await encodeCollection('/work/shared/data/dev/scifact', 'builtin:static-en');
 * ```
 */
export async function encodeCollection(dir: string, model: string, opts: { multivector?: boolean } = {}): Promise<Encoded> {
  const dataset = await loadBeir(dir);
  const real = await loadEncoder(model);
  const docs = [...dataset.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
  const queryIds = [...dataset.qrels.keys()].filter((q) => dataset.queries.has(q));
  const queryTexts = queryIds.map((q) => dataset.queries.get(q)!);
  const t0 = performance.now();
  const docEnc: EncodedLike[] = [];
  for (let i = 0; i < docs.length; i += 256)
    docEnc.push(
      ...(await real.encode(
        docs.slice(i, i + 256).map((d) => d.text),
        { role: 'document' },
      )),
    );
  const queryEnc = await real.encode(queryTexts, { role: 'query' });
  const encodeMs = performance.now() - t0;
  if (opts.multivector === false) for (const e of docEnc) e.multivector = null;
  const dim = real.info.dim;
  const vectors = stack(
    docEnc.map((e) => e.dense!),
    dim,
  );
  const queryVectors = stack(
    queryEnc.map((e) => e.dense!),
    dim,
  );
  const byText = new Map<string, EncodedLike>();
  docs.forEach((d, i) => {
    byText.set(`d\u0000${d.text}`, docEnc[i]!);
  });
  queryTexts.forEach((q, i) => {
    byText.set(`q\u0000${q}`, queryEnc[i]!);
  });
  const encoder: HybridEncoder = {
    info: real.info,
    encode: async (texts, o) => {
      const role = o?.role === 'query' ? 'q' : 'd';
      const hits = texts.map((t) => byText.get(`${role}\u0000${t}`));
      if (hits.every((h) => h !== undefined)) return hits as EncodedLike[];
      return real.encode(texts, o);
    },
    ...(real.encodeTokens ? { encodeTokens: real.encodeTokens.bind(real) } : {}),
    ...(real.decodeTokens ? { decodeTokens: real.decodeTokens.bind(real) } : {}),
  };
  return { dataset, docs, queryIds, queryTexts, dim, vectors, queryVectors, docEnc, queryEnc, encoder, modelId: real.info.id, encodeMs };
}

function stack(rows: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`vector ${i} has ${r.length} values, expected ${dim}`);
    out.set(r, i * dim);
  });
  return out;
}

/**
 * Seeded clustered vectors, L2-normalised (cosine = dot): `n` base rows and `q` query rows
 * drawn from the same clusters.
 *
 * @example
 * ```ts
 * const { base, queries } = syntheticVectors(1000, 10, 64, 7);
 * ```
 */
export function syntheticVectors(n: number, q: number, dim: number, seed: number): { base: Float32Array; queries: Float32Array } {
  const clusters = Math.max(8, Math.round(Math.sqrt(n)));
  const centres = gaussianMatrix(clusters, dim, rng(seed));
  const base = normaliseRows(clusteredRows(centres, clusters, dim, n, 1.0, rng(seed + 1)), dim);
  const queries = normaliseRows(clusteredRows(centres, clusters, dim, q, 1.0, rng(seed + 2)), dim);
  return { base, queries };
}

/** L2-normalises every row in place (zero rows stay zero) and returns the array. */
export function normaliseRows(m: Float32Array, dim: number): Float32Array {
  for (let o = 0; o < m.length; o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += m[o + j]! * m[o + j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) m[o + j]! *= inv;
  }
  return m;
}

/**
 * Exact top-k by cosine similarity (brute force, f64 accumulation): row indices per query,
 * best first, ties by lower index. The oracle every dense engine's recall is measured against.
 *
 * @example
 * ```ts
 * exactKnn(base, queries, 64, 10)[0]; // the 10 nearest rows of query 0
 * ```
 */
export function exactKnn(base: Float32Array, queries: Float32Array, dim: number, k: number): number[][] {
  const n = base.length / dim;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += base[i * dim + j]! * base[i * dim + j]!;
    norms[i] = Math.sqrt(s) || 1;
  }
  const out: number[][] = [];
  const ids = new Int32Array(k);
  const sims = new Float64Array(k);
  for (let qo = 0; qo < queries.length; qo += dim) {
    let len = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * dim;
      for (let j = 0; j < dim; j++) s += base[o + j]! * queries[qo + j]!;
      const sim = s / norms[i]!;
      if (len === k && sim <= sims[k - 1]!) continue; // ties keep the lower index
      // insert into the sorted (descending) top list
      let p = len < k ? len++ : k - 1;
      while (p > 0 && sims[p - 1]! < sim) {
        sims[p] = sims[p - 1]!;
        ids[p] = ids[p - 1]!;
        p--;
      }
      sims[p] = sim;
      ids[p] = i;
    }
    out.push(Array.from(ids.subarray(0, len)));
  }
  return out;
}

/**
 * Mean recall@k: share of each query's exact top-k that the engine returned in its top k.
 *
 * @example
 * ```ts
 * recallAtK([[1, 2]], [[2, 3]], 2); // 0.5
 * ```
 */
export function recallAtK(found: ReadonlyArray<ReadonlyArray<number>>, exact: ReadonlyArray<ReadonlyArray<number>>, k: number): number {
  if (found.length !== exact.length) throw new Error(`recallAtK: ${found.length} result lists for ${exact.length} queries`);
  if (exact.length === 0) return Number.NaN;
  let sum = 0;
  for (let q = 0; q < exact.length; q++) {
    const truth = new Set(exact[q]!.slice(0, k));
    const got = found[q]!.slice(0, k);
    let hit = 0;
    for (const id of got) if (truth.has(id)) hit++;
    sum += truth.size === 0 ? 1 : hit / truth.size;
  }
  return sum / exact.length;
}

/** Row `i` of a row-major matrix (a view, no copy). */
export function row(m: Float32Array, dim: number, i: number): Float32Array {
  return m.subarray(i * dim, (i + 1) * dim);
}
