/**
 * The channel kinds trident knows: how to create, open, list the files of and validate the
 * persisted settings of each. A new kind is one module plus one entry here.
 */
import * as path from 'node:path';
import { ANALYZER_VERSION, TermVocabulary } from '../analyze/index.js';
import { SparseIndex } from '../sparse/index.js';
import { DenseChannel } from './dense-channel.js';
import { SparseChannel } from './sparse-channel.js';
import { MultiVectorChannel } from './multivector-channel.js';
import { Bm25Channel, vocabFile } from './bm25-channel.js';
import { SegmentedChannel, segmentsRefFile } from './segment-channel.js';
import type { StoreFs } from '../store/index.js';
import type { Channel, ChannelKind, ChannelSpec } from './types.js';

/** Where a segmented channel lives: the index folder, its file-system seam, and where committed segments' bytes are held. */
export interface SegmentsContext {
  indexDir: string;
  fs?: StoreFs;
  /** Default 'auto' (see HybridIndexOptions.segmentMemory). */
  memory?: 'auto' | 'mapped' | 'resident';
}

/** What opening a channel may read besides its own directory. */
export interface OpenContext {
  /** The generation's data directory. */
  dataDir: string;
  /** Reads a JSON file of the data directory by name. */
  readJson(name: string): Promise<unknown>;
  /** Runs a read of the named file (relative to the data dir), turning failures into errors naming it. */
  load<T>(name: string, read: () => Promise<T>): Promise<T>;
  /**
   * Set for an index with `storage: 'segments'`: its directory (segments live under
   * `<indexDir>/segments/`) and the index's file-system seam (segment writes and list reads).
   */
  segments?: SegmentsContext;
}

interface KindEntry {
  create(spec: ChannelSpec): Channel;
  open(spec: ChannelSpec, ctx: OpenContext): Promise<Channel>;
  /** Files (relative to the data dir) a saved channel must have. */
  files(spec: ChannelSpec): string[];
  /** Why a stored spec is invalid (null: valid). */
  invalid(spec: Record<string, unknown>): string | null;
}

const DTYPES = ['f32', 'f16', 'i8'];
const ANALYZERS = ['plain', 'english', 'bigram', 'auto'];
const int = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const optInt = (o: Record<string, unknown>, k: string, lo: number, hi: number) => (o[k] !== undefined && !int(o[k], lo, hi) ? `${k} is ${JSON.stringify(o[k])}, not an integer in ${lo}..${hi}` : null);
const source = (o: Record<string, unknown>) => (o.source !== 'encoder' && o.source !== 'vectors' ? `source is ${JSON.stringify(o.source)}` : null);

const KINDS: Record<ChannelKind, KindEntry> = {
  dense: {
    create: (s) => new DenseChannel(s as Extract<ChannelSpec, { kind: 'dense' }>),
    open: (s, ctx) => ctx.load(`${s.name}/dense.rows`, () => DenseChannel.open(s as Extract<ChannelSpec, { kind: 'dense' }>, path.join(ctx.dataDir, s.name))),
    files: (s) => [`${s.name}/dense.rows`, `${s.name}/dense.usearch`],
    invalid: (o) =>
      source(o) ?? (!DTYPES.includes(o.dtype as string) ? `dtype is ${JSON.stringify(o.dtype)}` : null) ?? (!int(o.dimensions, 1, 1 << 16) ? `dimensions is ${JSON.stringify(o.dimensions)}` : null) ?? optInt(o, 'connectivity', 2, 1024) ?? optInt(o, 'expansionAdd', 1, 1 << 20) ?? optInt(o, 'expansionSearch', 1, 1 << 20),
  },
  sparse: {
    create: (s) => new SparseChannel(s as Extract<ChannelSpec, { kind: 'sparse' }>),
    open: (s, ctx) => ctx.load(`${s.name}/sparse.bin`, () => SparseChannel.open(s as Extract<ChannelSpec, { kind: 'sparse' }>, path.join(ctx.dataDir, s.name))),
    files: (s) => [`${s.name}/sparse.bin`],
    invalid: (o) => source(o) ?? (o.modifier !== undefined && o.modifier !== 'none' && o.modifier !== 'idf' ? `modifier is ${JSON.stringify(o.modifier)}` : null),
  },
  multivector: {
    create: (s) => new MultiVectorChannel(s as Extract<ChannelSpec, { kind: 'multivector' }>),
    open: (s, ctx) => ctx.load(`${s.name}/multivector.bin`, () => MultiVectorChannel.open(s as Extract<ChannelSpec, { kind: 'multivector' }>, path.join(ctx.dataDir, s.name))),
    files: (s) => [`${s.name}/multivector.bin`],
    invalid: (o) =>
      source(o) ??
      (![...DTYPES, 'binary', 'residual'].includes(o.dtype as string) ? `dtype is ${JSON.stringify(o.dtype)}` : null) ??
      (o.bits !== undefined && ![1, 2, 4].includes(o.bits as number) ? `bits is ${JSON.stringify(o.bits)}` : null) ??
      optInt(o, 'centroids', 1, 65536) ??
      (![1, 2, 3].includes(o.poolFactor as number) ? `poolFactor is ${JSON.stringify(o.poolFactor)}` : null) ??
      (!int(o.dimensions, 1, 1 << 16) ? `dimensions is ${JSON.stringify(o.dimensions)}` : null) ??
      (o.screening !== undefined && o.screening !== 'int8' && o.screening !== 'none' ? `screening is ${JSON.stringify(o.screening)}` : null),
  },
  bm25: {
    create: (s) => new Bm25Channel(s as Extract<ChannelSpec, { kind: 'bm25' }>),
    open: async (s, ctx) => {
      const store = await ctx.load(`${s.name}/sparse.bin`, () => SparseIndex.openFiles(path.join(ctx.dataDir, s.name)));
      const vocab = await ctx.load(vocabFile(s.name), async () => TermVocabulary.fromJSON(await ctx.readJson(vocabFile(s.name))));
      return new Bm25Channel(s as Extract<ChannelSpec, { kind: 'bm25' }>, store, vocab);
    },
    files: (s) => [`${s.name}/sparse.bin`, vocabFile(s.name)],
    invalid: (o) =>
      (!ANALYZERS.includes(o.analyzer as string) ? `analyzer is ${JSON.stringify(o.analyzer)}` : null) ??
      (typeof o.k1 !== 'number' || !Number.isFinite(o.k1) || o.k1 < 0 ? `k1 is ${JSON.stringify(o.k1)}` : null) ??
      (typeof o.b !== 'number' || !(o.b >= 0 && o.b <= 1) ? `b is ${JSON.stringify(o.b)}` : null) ??
      optInt(o, 'analyzerVersion', 1, ANALYZER_VERSION),
  },
};

/** The channel kinds, in their default order. */
export const CHANNEL_KINDS: readonly ChannelKind[] = ['dense', 'sparse', 'multivector', 'bm25'];

/** A valid channel name: a lower-case letter, then up to 31 letters, digits, `_` or `-`. */
export const CHANNEL_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Creates an empty channel (segmented under `segments.indexDir` for `storage: 'segments'`, written through `segments.fs`). */
export function createChannel(spec: ChannelSpec, segments?: SegmentsContext): Channel {
  if (segments) return SegmentedChannel.create(spec, segments.indexDir, segments.fs, segments.memory);
  return KINDS[spec.kind].create(spec);
}

/** Opens a saved channel. */
export async function openChannel(spec: ChannelSpec, ctx: OpenContext): Promise<Channel> {
  if (ctx.segments) {
    const ref = await ctx.load(segmentsRefFile(spec.name), () => ctx.readJson(segmentsRefFile(spec.name)));
    const vocab = spec.kind === 'bm25' ? await ctx.load(vocabFile(spec.name), async () => TermVocabulary.fromJSON(await ctx.readJson(vocabFile(spec.name)))) : null;
    return SegmentedChannel.open(spec, ctx.segments.indexDir, ref, vocab, ctx.segments.fs, ctx.segments.memory);
  }
  return KINDS[spec.kind].open(spec, ctx);
}

/**
 * The files a saved channel must have (relative to the generation's data directory).
 * `segmented`: the channel is kept in segments (see {@link isSegmentedChannel}).
 */
export function channelFiles(spec: ChannelSpec, segmented = false): string[] {
  if (segmented) return [segmentsRefFile(spec.name), ...(spec.kind === 'bm25' ? [vocabFile(spec.name)] : [])];
  return KINDS[spec.kind].files(spec);
}

/**
 * Whether a saved channel of a `storage: 'segments'` index is kept in segments, from the files
 * its generation lists (`listed`): always, except a dense channel saved by a trident that kept
 * dense channels whole-file (no `segments.ref.json`): it opens and stays whole-file.
 */
export function isSegmentedChannel(spec: ChannelSpec, listed: ReadonlySet<string>): boolean {
  return spec.kind !== 'dense' || listed.has(segmentsRefFile(spec.name));
}

/** Why a stored channel spec is invalid (null when it is valid). */
export function invalidChannelSpec(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'is not an object';
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string' || !CHANNEL_NAME.test(o.name)) return `name is ${JSON.stringify(o.name)}`;
  if (!CHANNEL_KINDS.includes(o.kind as ChannelKind)) return `kind is ${JSON.stringify(o.kind)}`;
  return KINDS[o.kind as ChannelKind].invalid(o);
}
