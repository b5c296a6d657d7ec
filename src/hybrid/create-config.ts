/**
 * The configuration of a new index from `HybridIndex.create` options: the encoder's channels
 * (dense, sparse, multi-vector — each unless disabled or absent from the encoder), the BM25
 * channel, the caller's extra channels, and the default fusion with a weight per channel.
 * Owns no state.
 */
import { invalid } from '../errors.js';
import { ANALYZER_VERSION } from '../analyze/index.js';
import { M3_DISTILLED_WEIGHTS, validateWeights } from '../fusion/index.js';
import { CHANNEL_KINDS, CHANNEL_NAME, type ChannelSpec } from '../channels/index.js';
import { BM25_DEFAULTS } from '../sparse/index.js';
import { checkOptions } from '../options.js';
import type { HybridConfig } from './config.js';
import type { ChannelOptions, EncodedLike, HybridEncoder, HybridIndexOptions } from './types.js';

/**
 * Default fusion weight of a BM25 channel, beside the encoder's weights for dense, sparse and
 * multi-vector (BGE-M3: 1, 0.3, 1). BM25 enters the weighted fusion divided by the query's
 * best BM25 score. Chosen on the dev sets only (see README, "Fusion defaults").
 */
export const DEFAULT_BM25_WEIGHT = 1;

const DENSE_KEYS = { name: true, kind: true, source: true, dtype: true, dimensions: true, connectivity: true, expansionAdd: true, expansionSearch: true } as const;
const SPARSE_KEYS = { name: true, kind: true, source: true, modifier: true } as const;
const MV_KEYS = { name: true, kind: true, source: true, dimensions: true, dtype: true, poolFactor: true, screening: true, bits: true, centroids: true } as const;
const BM25_KEYS = { name: true, kind: true, analyzer: true, k1: true, b: true } as const;

/** Builds and checks a new index's configuration (INVALID_ARGUMENT naming the bad option). */
export function buildConfig(opts: HybridIndexOptions, enc: HybridEncoder | null, probe: EncodedLike | null): HybridConfig {
  const channels: ChannelSpec[] = [];
  const heads = enc ? (enc.info.heads ?? { dense: true, sparse: true, multivector: true }) : { dense: false, sparse: false, multivector: false };
  const dim = probe?.dense?.length ?? enc?.info.dim ?? 0;
  const mvDim = probe?.multivector?.dim ?? enc?.info.dim ?? 0;
  if (!enc) {
    for (const k of ['dense', 'sparse', 'multivector'] as const) {
      if (opts[k] !== undefined && opts[k] !== false) invalid('INVALID_ARGUMENT', `${k}: this store is fed by the encoder and no encoder was given; for your own vectors add channels: [{ name, kind: '${k}', … }]`);
    }
  }
  if (enc && opts.dense !== false && heads.dense !== false) {
    const dimensions = opts.dense?.dimensions ?? dim;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > dim) invalid('INVALID_ARGUMENT', `dense.dimensions must be an integer in 1..${dim}`);
    channels.push(denseSpec('dense', 'encoder', { ...opts.dense, dimensions }));
  }
  if (enc && opts.sparse !== false && heads.sparse !== false) channels.push({ name: 'sparse', kind: 'sparse', source: 'encoder', modifier: enc.info.sparseModifier === 'idf' ? 'idf' : 'none' });
  if (enc && opts.multivector !== false && heads.multivector !== false) channels.push(mvSpec('multivector', 'encoder', { ...opts.multivector, dimensions: mvDim }));
  if (opts.bm25) channels.push(bm25Spec('bm25', opts.bm25));
  if (opts.channels !== undefined) {
    if (!Array.isArray(opts.channels)) invalid('INVALID_ARGUMENT', 'channels must be an array of { name, kind, … }');
    for (const c of opts.channels) channels.push(extraSpec(c, enc, heads, dim, mvDim));
  }
  const names = new Set<string>();
  for (const c of channels) {
    if (names.has(c.name)) invalid('INVALID_ARGUMENT', `two channels are named '${c.name}': every channel needs its own name`);
    names.add(c.name);
  }
  if (channels.length === 0) invalid('INVALID_ARGUMENT', 'every store is disabled: enable at least one of dense, sparse, multivector, bm25 (or add channels)');
  const f = opts.fusion;
  const [wd, ws, wm] = enc?.info.fusionWeights ?? M3_DISTILLED_WEIGHTS;
  validateWeights([wd, ws, wm]);
  const given = f && f.kind !== 'rrf' ? f.weights : undefined;
  const weights: Record<string, number> = {};
  for (const c of channels) {
    if (given === undefined) weights[c.name] = c.kind === 'bm25' ? DEFAULT_BM25_WEIGHT : c.source === 'encoder' && c.name === c.kind ? { dense: wd, sparse: ws, multivector: wm }[c.kind] : 1;
    else if (Array.isArray(given)) weights[c.name] = c.name === 'dense' ? given[0]! : c.name === 'sparse' ? given[1]! : c.name === 'multivector' ? given[2]! : 0;
    else {
      for (const n of Object.keys(given)) if (!names.has(n)) invalid('INVALID_ARGUMENT', `fusion weights name '${n}', which is not a channel of this index (${[...names].join(', ')})`);
      weights[c.name] = (given as Record<string, number>)[c.name] ?? 0;
    }
  }
  const candidates = opts.candidates ?? 200;
  if (!Number.isInteger(candidates) || candidates < 1) invalid('INVALID_ARGUMENT', 'candidates must be a positive integer');
  return {
    version: 2,
    channels,
    fusion: { kind: f?.kind ?? 'weighted', weights, rrfK: (f?.kind === 'rrf' ? f.rrfK : undefined) ?? 60, channels: channels.map((c) => c.name) },
    candidates,
    storeText: opts.storeText ?? true,
  };
}

type DenseSettings = { dtype?: 'f32' | 'f16' | 'i8'; dimensions: number; connectivity?: number; expansionAdd?: number; expansionSearch?: number };

function denseSpec(name: string, source: 'encoder' | 'vectors', o: DenseSettings): ChannelSpec {
  return {
    name,
    kind: 'dense',
    source,
    dtype: o.dtype ?? (o.dimensions >= 512 ? 'f16' : 'f32'),
    dimensions: o.dimensions,
    ...(o.connectivity !== undefined ? { connectivity: o.connectivity } : {}),
    ...(o.expansionAdd !== undefined ? { expansionAdd: o.expansionAdd } : {}),
    ...(o.expansionSearch !== undefined ? { expansionSearch: o.expansionSearch } : {}),
  };
}

/**
 * Token vectors of at least this many dimensions from an encoder (BGE-M3's 1024) default to
 * `residual` 2-bit: about 262 B per token instead of f16's 2,048 (≈ 52 KB vs 400 KB per
 * 200-token document), nDCG@10 within 0.005 of f16, re-ranking no slower than i8, and a first
 * stage of its own (bench/README.md, issue 17). Smaller encoders (the built-in 128-d model) keep
 * f16; channels fed with the caller's own vectors keep f16 at every width.
 */
export const RESIDUAL_DEFAULT_MIN_DIM = 512;

/** The default dtype of a multi-vector channel (the saved config stores the one chosen). */
export function defaultMvDtype(source: 'encoder' | 'vectors', dimensions: number): 'f16' | 'residual' {
  return source === 'encoder' && dimensions >= RESIDUAL_DEFAULT_MIN_DIM ? 'residual' : 'f16';
}

function mvSpec(name: string, source: 'encoder' | 'vectors', o: { dimensions: number; dtype?: 'f32' | 'f16' | 'i8' | 'binary' | 'residual'; poolFactor?: 1 | 2 | 3; screening?: 'int8' | 'none'; bits?: 1 | 2 | 4; centroids?: number }): ChannelSpec {
  // the store checks the values (dtype, bits, centroids) when the channel is created
  // a `screening` setting configures a float store: it keeps f16
  const dtype = o.dtype ?? (o.screening !== undefined ? 'f16' : defaultMvDtype(source, o.dimensions));
  return {
    name,
    kind: 'multivector',
    source,
    dtype,
    poolFactor: o.poolFactor ?? 1,
    dimensions: o.dimensions,
    ...(o.screening !== undefined ? { screening: o.screening } : {}),
    // the defaulted residual records its bits, so the saved config says what it holds
    ...(o.bits !== undefined ? { bits: o.bits } : o.dtype === undefined && dtype === 'residual' ? { bits: 2 as const } : {}),
    ...(o.centroids !== undefined ? { centroids: o.centroids } : {}),
  };
}

function bm25Spec(name: string, o: { analyzer?: 'plain' | 'english' | 'bigram' | 'auto'; k1?: number; b?: number }): ChannelSpec {
  return { name, kind: 'bm25', analyzer: o.analyzer ?? 'auto', k1: o.k1 ?? BM25_DEFAULTS.k1, b: o.b ?? BM25_DEFAULTS.b, analyzerVersion: ANALYZER_VERSION };
}

/** One of `opts.channels`, checked. */
function extraSpec(c: ChannelOptions, enc: HybridEncoder | null, heads: { dense?: boolean; sparse?: boolean; multivector?: boolean }, dim: number, mvDim: number): ChannelSpec {
  if (!c || typeof c !== 'object') invalid('INVALID_ARGUMENT', 'each channel must be an object { name, kind, … }');
  if (typeof c.name !== 'string' || !CHANNEL_NAME.test(c.name)) invalid('INVALID_ARGUMENT', `channel name ${JSON.stringify(c.name)} is not valid: a lower-case letter, then up to 31 letters, digits, '_' or '-'`);
  if (!CHANNEL_KINDS.includes(c.kind)) invalid('INVALID_ARGUMENT', `channel '${c.name}': unknown kind ${JSON.stringify(c.kind)}: use ${CHANNEL_KINDS.join(', ')}`);
  const where = `HybridIndex.create() channel '${c.name}'`;
  if (c.kind === 'bm25') {
    checkOptions(where, c, BM25_KEYS);
    return bm25Spec(c.name, c);
  }
  const source = c.source ?? 'vectors';
  if (source !== 'vectors' && source !== 'encoder') invalid('INVALID_ARGUMENT', `${where}: source must be 'vectors' or 'encoder'`);
  if (source === 'encoder' && (!enc || heads[c.kind] === false)) invalid('INVALID_ARGUMENT', `${where}: source 'encoder' needs an encoder with a ${c.kind} head`);
  if (c.kind === 'dense') {
    checkOptions(where, c, DENSE_KEYS);
    const max = source === 'encoder' ? dim : 1 << 16;
    const dimensions = c.dimensions ?? (source === 'encoder' ? dim : undefined);
    if (!Number.isInteger(dimensions) || dimensions! < 1 || dimensions! > max) invalid('INVALID_ARGUMENT', `${where}: dimensions must be an integer in 1..${max}${source === 'vectors' ? ' (your vectors’ length)' : ''}`);
    return denseSpec(c.name, source, { ...c, dimensions: dimensions! });
  }
  if (c.kind === 'sparse') {
    checkOptions(where, c, SPARSE_KEYS);
    if (c.modifier !== undefined && c.modifier !== 'none' && c.modifier !== 'idf') invalid('INVALID_ARGUMENT', `${where}: modifier must be 'none' or 'idf'`);
    return { name: c.name, kind: 'sparse', source, modifier: c.modifier ?? (source === 'encoder' && enc?.info.sparseModifier === 'idf' ? 'idf' : 'none') };
  }
  checkOptions(where, c, MV_KEYS);
  const d = c.dimensions ?? (source === 'encoder' ? mvDim : undefined);
  if (!Number.isInteger(d) || d! < 1 || d! > 1 << 16 || (source === 'encoder' && d !== mvDim)) invalid('INVALID_ARGUMENT', `${where}: dimensions must be ${source === 'encoder' ? `the encoder's ${mvDim}` : 'an integer in 1..65536 (your token vectors’ length)'}`);
  return mvSpec(c.name, source, { ...c, dimensions: d! });
}
