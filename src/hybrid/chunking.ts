/**
 * Turning documents into units before they are stored: one unit per document, or chunks
 * (ordinary: each chunk encoded alone; late: the whole text encoded once and token states
 * pooled per chunk), each with its character span; the caller's own vectors ride on the
 * unit of an unchunked document. Owns no state.
 */
import { invalid, throwIfAborted } from '../errors.js';
import { sentenceSpans } from '../analyze/index.js';
import type { ChunkingOptions, DocumentInput, EncodedLike, HybridEncoder, TokenLevelLike } from './types.js';

/** One stored unit of a document (the whole text, or a chunk), with its representations. */
export interface PreparedUnit {
  start: number;
  end: number;
  dense: Float32Array | null;
  sparse: { ids: Uint32Array; weights: Float32Array } | null;
  multivector: { data: Float32Array; dim: number; count: number; tokenIds: Uint32Array; charSpans: Array<[number, number]> } | null;
  /** The caller's own vectors by channel name (unchunked documents only). */
  vectors?: Record<string, unknown>;
}

/** A document ready to insert. */
export interface PreparedDoc {
  chunked: boolean;
  truncated: boolean;
  units: PreparedUnit[];
}

interface PrepareOptions {
  chunking: ChunkingOptions | undefined;
  batchSize: number;
  needSparse: boolean;
  onProgress: ((p: { done: number; total: number }) => void) | undefined;
  /** Checked before every encoder batch (and every document when chunking). */
  signal?: AbortSignal | undefined;
  /** Message of the AbortedError thrown when `signal` fires. */
  abortMessage?: string;
}

const SPECIAL_IDS = new Set([0, 1, 2, 3]);

/**
 * Encodes documents into stored units. Without chunking: one pass per text (the encoder's own
 * truncation applies and is reported). Ordinary chunking: split, then encode each chunk.
 * Late chunking: encode the whole document once (in overlapping macro-windows when it is longer
 * than the model's max length) and pool token states per chunk: dense = mean of the span's
 * hidden states, normalised (models that do not expose hidden states encode each chunk's text for
 * the dense part); sparse = max per id inside the span; multi-vector = the span's vectors.
 *
 * Any encoder with `encodeTokens` works, not only M3: the token-level output's `textMask` says
 * which positions are text (specials, ColBERT markers and role-prefix tokens such as E5's
 * "passage: " never enter a chunk; without a mask, M3's layout is assumed: position 0 and ids
 * 0–3 are not text). A mean-pooling family encoder (jina-embeddings-v2, E5, GTE…) thus gets
 * jina's late chunking: chunk vector = normalised mean of the contextual token embeddings of
 * the chunk's tokens, computed over the whole document. Heads the token-level output lacks
 * (no lexical weights: `lexical: false`; no ColBERT rows: empty `colbert`) while the encoder
 * has them (e.g. a composed E5 + SPLADE encoder) are filled by encoding each chunk's text.
 */
export async function prepareDocuments(encoder: HybridEncoder | null, docs: DocumentInput[], opts: PrepareOptions): Promise<PreparedDoc[]> {
  const ch = opts.chunking;
  if (ch !== undefined) validateChunking(ch);
  if (ch !== undefined && docs.some((d) => d.vectors !== undefined)) {
    invalid('INVALID_ARGUMENT', 'documents with their own vectors cannot be chunked (a vector belongs to the whole text): add them without chunking');
  }
  if (ch !== undefined && !encoder) invalid('INVALID_ARGUMENT', 'chunking needs an encoder: this index has none');
  const out: PreparedDoc[] = [];
  const total = docs.length;
  const own = (d: DocumentInput, p: PreparedDoc): PreparedDoc => {
    if (d.vectors !== undefined) p.units[0]!.vectors = d.vectors;
    return p;
  };
  if (!encoder) {
    for (const d of docs) out.push(own(d, { chunked: false, truncated: false, units: [{ start: 0, end: d.text?.length ?? 0, dense: null, sparse: null, multivector: null }] }));
    opts.onProgress?.({ done: out.length, total });
    return out;
  }
  if (!ch) {
    for (let i = 0; i < docs.length; i += opts.batchSize) {
      throwIfAborted(opts.signal, opts.abortMessage ?? 'encoding aborted');
      const batch = docs.slice(i, i + opts.batchSize);
      const enc = await encoder.encode(
        batch.map((d) => d.text ?? ''),
        { role: 'document' },
      );
      enc.forEach((e, j) => {
        out.push(own(batch[j]!, { chunked: false, truncated: !!e.truncated, units: [unitFromEncoded(e, 0, batch[j]!.text?.length ?? 0, 0)] }));
      });
      opts.onProgress?.({ done: out.length, total });
    }
    return out;
  }
  for (const doc of docs) {
    throwIfAborted(opts.signal, opts.abortMessage ?? 'encoding aborted');
    const text = doc.text ?? '';
    out.push(ch.kind === 'late' ? await lateChunk(encoder, text, ch) : await ordinaryChunk(encoder, text, ch, opts.batchSize));
    opts.onProgress?.({ done: out.length, total });
  }
  return out;
}

function validateChunking(c: ChunkingOptions): void {
  if (!c || (c.kind !== 'late' && c.kind !== 'ordinary')) invalid('INVALID_ARGUMENT', "chunking.kind must be 'late' or 'ordinary'");
  if (c.by !== 'sentence' && c.by !== 'tokens') invalid('INVALID_ARGUMENT', "chunking.by must be 'sentence' or 'tokens'");
  const size = c.size ?? defaultSize(c);
  const overlap = c.overlap ?? 0;
  if (!Number.isInteger(size) || size < 1) invalid('INVALID_ARGUMENT', 'chunking.size must be a positive integer');
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size) invalid('INVALID_ARGUMENT', 'chunking.overlap must be an integer in [0, size)');
}

function defaultSize(c: ChunkingOptions): number {
  return c.by === 'sentence' ? 3 : 128;
}

/** Converts an encoder output into a unit whose char spans are shifted by `offset`. */
function unitFromEncoded(e: EncodedLike, start: number, end: number, offset: number): PreparedUnit {
  const mv = e.multivector;
  return {
    start,
    end,
    dense: e.dense ?? null,
    sparse: e.sparse ?? null,
    multivector: mv
      ? {
          data: mv.data,
          dim: mv.dim,
          count: mv.count,
          tokenIds: mv.tokenIds ?? new Uint32Array(mv.count),
          charSpans: (mv.charSpans ?? []).map(([s, t]) => [s + offset, t + offset] as [number, number]),
        }
      : null,
  };
}

/** Chunk character spans over `text`: groups of sentences, or windows of tokens (from spans). */
export function chunkSpans(text: string, c: ChunkingOptions, tokenSpans?: Array<[number, number]>): Array<{ start: number; end: number }> {
  const size = c.size ?? defaultSize(c);
  const overlap = c.overlap ?? 0;
  let units: Array<{ start: number; end: number }>;
  if (c.by === 'sentence') units = sentenceSpans(text);
  else units = (tokenSpans ?? []).filter(([s, e]) => e > s).map(([s, e]) => ({ start: s, end: e }));
  if (units.length === 0) return [{ start: 0, end: text.length }];
  const out: Array<{ start: number; end: number }> = [];
  const step = size - overlap;
  for (let i = 0; i < units.length; i += step) {
    const last = Math.min(units.length, i + size) - 1;
    out.push({ start: units[i]!.start, end: units[last]!.end });
    if (last === units.length - 1) break;
  }
  // Make chunks cover the text with no gaps: stretch to the neighbours' boundaries.
  out[0]!.start = 0;
  if (overlap === 0) for (let i = 1; i < out.length; i++) out[i]!.start = out[i - 1]!.end;
  out[out.length - 1]!.end = text.length;
  return out;
}

async function ordinaryChunk(encoder: HybridEncoder, text: string, c: ChunkingOptions, batchSize: number): Promise<PreparedDoc> {
  let tokenSpans: Array<[number, number]> | undefined;
  if (c.by === 'tokens') tokenSpans = (await tokenLevel(encoder, text)).spans;
  const spans = chunkSpans(text, c, tokenSpans);
  const units: PreparedUnit[] = [];
  let truncated = false;
  for (let i = 0; i < spans.length; i += batchSize) {
    const batch = spans.slice(i, i + batchSize);
    const enc = await encoder.encode(
      batch.map((s) => text.slice(s.start, s.end)),
      { role: 'document' },
    );
    enc.forEach((e, j) => {
      truncated ||= !!e.truncated;
      units.push(unitFromEncoded(e, batch[j]!.start, batch[j]!.end, batch[j]!.start));
    });
  }
  return { chunked: true, truncated, units };
}

/** Token-level states of a whole document, windowed when it exceeds the model's max length. */
interface DocTokens {
  ids: number[];
  spans: Array<[number, number]>;
  weights: number[];
  colbert: Float32Array[];
  hidden: Float32Array[] | null;
  /** The token-level output has lexical weights / ColBERT rows (every window agrees). */
  lexical: boolean;
  hasColbert: boolean;
}

async function tokenLevel(encoder: HybridEncoder, text: string): Promise<DocTokens> {
  if (!encoder.encodeTokens) invalid('UNSUPPORTED', 'this encoder does not expose token-level outputs; use chunking.kind = "ordinary"');
  const dim = encoder.info.dim;
  const acc: DocTokens = { ids: [], spans: [], weights: [], colbert: [], hidden: [], lexical: true, hasColbert: true };
  let pos = 0;
  let guard = 0;
  while (pos < text.length || acc.ids.length === 0) {
    const [t] = (await encoder.encodeTokens([text.slice(pos)], { role: 'document' })) as TokenLevelLike[];
    const tl = t!;
    const T = tl.tokenIds.length;
    const hdim = tl.hidden ? tl.hidden.length / T : 0;
    if (tl.lexical === false) acc.lexical = false;
    const hasColbert = tl.colbert.length > 0;
    if (!hasColbert) acc.hasColbert = false;
    // content positions: the text mask when given; else M3's layout (skip position 0 (<s>) and specials)
    const content: number[] = [];
    if (tl.textMask) {
      for (let p = 0; p < T; p++) if (tl.textMask[p] === 1) content.push(p);
    } else {
      for (let p = 1; p < T; p++) if (!SPECIAL_IDS.has(tl.tokenIds[p]!) || tl.charSpans[p]![1] > tl.charSpans[p]![0]) content.push(p);
    }
    let startAt = 0;
    // windows overlap by a quarter; a token already taken from the previous window is skipped
    const lastEnd = acc.spans.length ? acc.spans[acc.spans.length - 1]![1] : -1;
    while (startAt < content.length && pos + tl.charSpans[content[startAt]!]![0] < lastEnd) startAt++;
    const keep = tl.truncated ? Math.max(startAt + 1, Math.floor(content.length * 0.875)) : content.length;
    for (let c = startAt; c < Math.min(keep, content.length); c++) {
      const p = content[c]!;
      acc.ids.push(tl.tokenIds[p]!);
      acc.spans.push([tl.charSpans[p]![0] + pos, tl.charSpans[p]![1] + pos]);
      acc.weights.push(tl.tokenWeights[p]!);
      acc.colbert.push(hasColbert ? tl.colbert.subarray((p - 1) * dim, p * dim) : new Float32Array(0));
      if (tl.hidden && acc.hidden) acc.hidden.push(tl.hidden.subarray(p * hdim, (p + 1) * hdim));
      else acc.hidden = null;
    }
    if (!tl.truncated || content.length === 0) break;
    // next window starts at the token 3/4 into this one (overlap of a quarter)
    const restart = content[Math.max(startAt, Math.floor(content.length * 0.75))]!;
    const next = pos + tl.charSpans[restart]![0];
    if (next <= pos || ++guard > 100_000) break;
    pos = next;
  }
  return acc;
}

async function lateChunk(encoder: HybridEncoder, text: string, c: ChunkingOptions): Promise<PreparedDoc> {
  const tok = await tokenLevel(encoder, text);
  const spans = chunkSpans(text, c, tok.spans);
  const dim = encoder.info.dim;
  const units: PreparedUnit[] = [];
  const needDenseByText: number[] = [];
  const heads = encoder.info.heads ?? {};
  // heads the token-level output cannot give per chunk: encode each chunk's text for them
  const sparseByText = !tok.lexical && heads.sparse === true;
  const mvByText = !tok.hasColbert && heads.multivector === true;
  for (const s of spans) {
    const members: number[] = [];
    for (let i = 0; i < tok.ids.length; i++) if (tok.spans[i]![0] >= s.start && tok.spans[i]![1] <= s.end && tok.spans[i]![1] > tok.spans[i]![0]) members.push(i);
    // sparse: max per id inside the span
    const best = new Map<number, number>();
    for (const i of members) {
      const id = tok.ids[i]!;
      const w = tok.weights[i]!;
      if (SPECIAL_IDS.has(id) || !(w > 0)) continue;
      if (w > (best.get(id) ?? 0)) best.set(id, w);
    }
    const sids = [...best.keys()].sort((a, b) => a - b);
    const data = new Float32Array(tok.hasColbert ? members.length * dim : 0);
    if (tok.hasColbert) {
      members.forEach((i, j) => {
        data.set(tok.colbert[i]!, j * dim);
      });
    }
    let dense: Float32Array | null = null;
    if (tok.hidden && members.length > 0) {
      const h = tok.hidden[0]!.length;
      dense = new Float32Array(h);
      for (const i of members) {
        const v = tok.hidden[i]!;
        for (let d = 0; d < h; d++) dense[d]! += v[d]!;
      }
      normalizeInPlace(dense);
    } else needDenseByText.push(units.length);
    units.push({
      start: s.start,
      end: s.end,
      dense,
      sparse: tok.lexical ? { ids: Uint32Array.from(sids), weights: Float32Array.from(sids.map((id) => best.get(id)!)) } : null,
      multivector: tok.hasColbert ? { data, dim, count: members.length, tokenIds: Uint32Array.from(members.map((i) => tok.ids[i]!)), charSpans: members.map((i) => tok.spans[i]!) } : null,
    });
  }
  const byText = sparseByText || mvByText ? units.map((_, u) => u) : needDenseByText;
  let truncated = false;
  if (byText.length) {
    const enc = await encoder.encode(
      byText.map((u) => text.slice(units[u]!.start, units[u]!.end)),
      { role: 'document' },
    );
    byText.forEach((u, j) => {
      const e = enc[j]!;
      const unit = units[u]!;
      if (unit.dense === null) unit.dense = e.dense ?? null;
      if (sparseByText) unit.sparse = e.sparse ?? null;
      if (mvByText && e.multivector) unit.multivector = unitFromEncoded(e, unit.start, unit.end, unit.start).multivector;
      truncated ||= !!e.truncated;
    });
  }
  return { chunked: true, truncated, units };
}

function normalizeInPlace(v: Float32Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
}
