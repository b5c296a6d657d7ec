/**
 * The Qdrant search pipeline (see query.ts for the requests): one channel → its own query;
 * `fusionAt: 'qdrant'` with RRF/DBSF → one prefetch request fused by Qdrant; otherwise exact
 * client-side fusion — first-stage candidates, every channel's score of every candidate,
 * then hybrid/search.ts's `fuseCandidates` (the local fusion), and the payloads of the top k.
 * Scores are made the local ones: dense × the query's norm (Qdrant's Cosine normalises the
 * query, the local store uses it as given), MaxSim ÷ the query's vector count. Owns no state.
 */
import { fuseCandidates, type ResolvedSearch, type ScoredCandidates } from '../hybrid/search.js';
import { topPositions } from '../hybrid/topk.js';
import type { SearchHit, SearchOptions, StoredDocument } from '../hybrid/types.js';
import { TridentError } from '../errors.js';
import type { ExternalId } from '../store/index.js';
import type { QdrantConnection } from './client.js';
import { METADATA_KEY } from './filter.js';
import { ID_KEY, TEXT_KEY } from './points.js';
import { candidatesBatch, channelQuery, fusionQuery, maxSimScore, scoreBatch, type ChannelName, type QueryVectors } from './query.js';
import type { QFilter, QRecord, QScoredPoint } from './schema.js';

/** What a search needs of its index. */
export interface QdrantSearchContext {
  conn: QdrantConnection;
  collection: string;
  fusionAt: 'client' | 'qdrant';
}

/** Runs one search (options already resolved, query already encoded). */
export async function runQdrantSearch(ctx: QdrantSearchContext, r: ResolvedSearch, q: QueryVectors, filter: QFilter | undefined, opts: SearchOptions): Promise<SearchHit[]> {
  const active = r.channels.filter((c) => q[c.name as ChannelName] !== undefined);
  const mvCount = q.multivector?.length ?? 0;
  // Qdrant's Cosine normalises the query; the local store uses it as given (roŵ · q)
  const qNorm = q.dense ? Math.hypot(...q.dense) : 1;
  const score = (ch: string, s: number) => (ch === 'multivector' ? maxSimScore(s, mvCount) : ch === 'dense' ? s * qNorm : s);
  if (active.length === 0) return [];
  if (ctx.fusionAt === 'qdrant' && active.length > 1 && (r.kind === 'rrf' || r.kind === 'dbsf')) {
    const only: QueryVectors = {};
    for (const c of active) (only as Record<string, unknown>)[c.name] = q[c.name as ChannelName];
    const res = await ctx.conn.query(ctx.collection, fusionQuery(only, r.kind === 'rrf' ? { kind: 'rrf', rrfK: r.rrfK } : { kind: 'dbsf' }, { candidates: r.candidates, limit: r.k, filter }));
    return res.points.map((p) => ({ ...hitBase(p, opts.includeText === true), score: p.score, scores: {} }));
  }
  if (active.length === 1) {
    const ch = active[0]!.name as ChannelName;
    const res = await ctx.conn.query(ctx.collection, channelQuery(ch, q, { limit: r.k, filter, exact: opts.exhaustive === true, withPayload: true }));
    return res.points.map((p) => {
      const s = score(ch, p.score);
      const hit: SearchHit = { ...hitBase(p, opts.includeText === true), score: s, scores: { [ch]: s } };
      if (opts.explain) hit.explanation = explainHit(r, { [ch]: s }, {});
      return hit;
    });
  }
  // exact client-side fusion: candidates, every channel's score of each, trident's fusion
  const producers = active.filter((c) => c.firstStage).map((c) => c.name as ChannelName);
  const lists = producers.length > 0 ? await ctx.conn.queryBatch(ctx.collection, candidatesBatch(producers, q, { limit: r.candidates, filter, exact: opts.exhaustive === true })) : [await ctx.conn.query(ctx.collection, channelQuery('multivector', q, { limit: r.candidates, filter }))];
  const scales = new Map<string, number>();
  producers.forEach((ch, i) => {
    if (ch === 'bm25') scales.set(ch, Math.max(0, lists[i]!.points[0]?.score ?? 0));
  });
  const ids = [...new Set(lists.flatMap((l) => l.points.map((p) => String(p.id))))].sort();
  if (ids.length === 0) return [];
  const names = active.map((c) => c.name as ChannelName);
  const scored = await ctx.conn.queryBatch(ctx.collection, scoreBatch(names, q, ids));
  const pos = new Map(ids.map((id, i) => [id, i]));
  const columns = new Map<string, Float32Array>();
  names.forEach((ch, i) => {
    const col = new Float32Array(ids.length);
    for (const p of scored[i]!.points) {
      const at = pos.get(String(p.id));
      if (at !== undefined) col[at] = score(ch, p.score);
    }
    columns.set(ch, col);
  });
  const cands: ScoredCandidates = { ids: Uint32Array.from(ids.keys()), columns, scales, queries: new Map() };
  const fused = fuseCandidates(cands, r);
  const order = topPositions(fused, r.k, cands.ids);
  const recs = await ctx.conn.retrieve(
    ctx.collection,
    order.map((p) => ids[p]!),
  );
  const byId = new Map(recs.map((x) => [String(x.id), x]));
  const hits: SearchHit[] = [];
  for (const p of order) {
    const rec = byId.get(ids[p]!);
    if (!rec) continue; // deleted between the queries
    const scores: SearchHit['scores'] = {};
    for (const [name, col] of columns) scores[name] = col[p]!;
    const hit: SearchHit = { ...hitBase(rec, opts.includeText === true), score: fused[p]!, scores };
    if (opts.explain) hit.explanation = explainHit(r, scores, Object.fromEntries(scales));
    hits.push(hit);
  }
  return hits;
}

/** The explanation of a Qdrant hit: the fusion and each channel's score (no term matches or alignments). */
export function explainHit(r: ResolvedSearch, scores: SearchHit['scores'], scales: Record<string, number>): NonNullable<SearchHit['explanation']> {
  const channels: Record<string, { score: number }> = {};
  for (const [k, v] of Object.entries(scores)) if (v !== undefined) channels[k] = { score: v };
  return {
    ...(r.mode !== undefined ? { mode: r.mode } : {}),
    fusion: { kind: r.kind, weights: r.kind === 'rrf' ? Object.fromEntries(Object.keys(r.weights).map((k) => [k, 1])) : r.weights, ...(Object.keys(scales).length > 0 ? { scales } : {}) },
    scores,
    channels,
    sparseMatches: [],
    alignments: [],
  };
}

/** A stored document from a point's payload. */
export function storedDocument(r: QRecord | QScoredPoint): StoredDocument {
  const p = (r.payload ?? {}) as Record<string, unknown>;
  const doc: StoredDocument = { id: p[ID_KEY] as ExternalId };
  if (typeof p[TEXT_KEY] === 'string') doc.text = p[TEXT_KEY] as string;
  if (p[METADATA_KEY] && typeof p[METADATA_KEY] === 'object') doc.metadata = p[METADATA_KEY] as Record<string, unknown>;
  return doc;
}

/** The id, metadata and (asked for) text of a hit. */
function hitBase(r: QRecord | QScoredPoint, includeText: boolean): Pick<SearchHit, 'id' | 'metadata' | 'text'> {
  const d = storedDocument(r);
  if (d.id === undefined) throw new TridentError('REMOTE_BAD_RESPONSE', `Qdrant point ${String(r.id)} has no '${ID_KEY}' in its payload: the collection holds points trident did not write`);
  return { id: d.id, ...(d.metadata !== undefined ? { metadata: d.metadata } : {}), ...(includeText && d.text !== undefined ? { text: d.text } : {}) };
}
