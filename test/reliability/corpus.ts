// Shared by the reliability tests, the crash child and the property tests: a seeded word-salad
// corpus, the index configuration that exercises every file kind, and a fingerprint of an
// index's observable state (every live document's scores in every store, and its metadata).
import { HybridIndex, type HybridIndexOptions } from '../../src/hybrid/index.js';
import type { ExternalId } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { rng } from '../helpers/rng.js';
export { rng };

export const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega river stone cloud index vector token'.split(' ');

export interface Doc {
  id: ExternalId;
  text: string;
  metadata: { rev: number };
}

export function randomText(r: () => number, min = 3, max = 18): string {
  const n = min + Math.floor(r() * (max - min + 1));
  return Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
}

export function makeDocs(r: () => number, n: number, prefix: string, rev = 0): Doc[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, text: randomText(r), metadata: { rev } }));
}

/**
 * f32 everywhere (scores exact up to float rounding) and a BM25 store, so every file kind is
 * written. BM25 k1/b are those the committed fixtures were made with (the defaults before
 * BM25_DEFAULTS), so a reference index built today equals a reopened fixture.
 */
export const FULL_CONFIG = {
  dense: { dtype: 'f32' as const },
  multivector: { dtype: 'f32' as const },
  bm25: { analyzer: 'plain' as const, k1: 0.9, b: 0.4 },
};

export async function createIndex(path?: string, extra: Partial<HybridIndexOptions> = {}): Promise<HybridIndex> {
  return HybridIndex.create({ encoder: new FakeEncoder(), ...FULL_CONFIG, ...(path ? { path } : {}), ...extra });
}

export const PROBES = ['alpha beta gamma', 'omega river stone', 'kappa', 'token vector index cloud'];

/**
 * The observable state of an index: for each probe query, every live document (exhaustive
 * search, k = size) with its per-store scores rounded to 4 decimals and its metadata, sorted
 * by id; plus BM25 scores. Two indexes holding the same documents have equal fingerprints
 * (BM25 statistics are those of the live documents, saved or not).
 */
export async function fingerprint(index: HybridIndex, opts: { bm25?: boolean } = {}): Promise<string> {
  const k = Math.max(1, index.size);
  const parts: unknown[] = [index.size];
  const r4 = (x: number | undefined) => (x === undefined ? null : Math.round(x * 1e4) / 1e4);
  for (const q of PROBES) {
    const hits = await index.search(q, { k, exhaustive: true });
    parts.push(hits.map((h) => [h.id, r4(h.scores.dense), r4(h.scores.sparse), r4(h.scores.multivector), h.metadata ?? null]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    if (index.config.channels.some((c) => c.kind === 'bm25') && opts.bm25 !== false) {
      const b = await index.search(q, { k, mode: 'bm25' });
      parts.push(b.map((h) => [h.id, r4(h.score)]).sort((a, b2) => String(a[0]).localeCompare(String(b2[0]))));
    }
  }
  return JSON.stringify(parts);
}

/** Fingerprint of a fresh in-memory index holding exactly `docs` (the reference copy). */
export async function referenceFingerprint(docs: Iterable<Doc>, opts: { bm25?: boolean } = {}): Promise<string> {
  const index = await createIndex();
  const list = [...docs];
  if (list.length) await index.add(list);
  const fp = await fingerprint(index, opts);
  await index.close();
  return fp;
}
