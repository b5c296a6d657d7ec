/**
 * Key checks of HybridIndex's options objects (create, open, add, search, save, calibrate):
 * one list of valid keys per options type, tied to the type by `satisfies OptionKeys<T>` so a
 * new option cannot be added to the type without being accepted here. Value checks stay
 * where the values are used.
 */
import { checkFusion } from '../fusion/index.js';
import { checkOptions, type OptionKeys } from '../options.js';
import type { AddOptions, Bm25StoreOptions, CalibrateOptions, ChunkingOptions, DenseStoreOptions, HybridIndexOptions, MultiVectorStoreSettings, OpenOptions, SaveOptions, SearchOptions } from './types.js';

const CREATE_KEYS = {
  encoder: true,
  backend: true,
  path: true,
  dense: true,
  sparse: true,
  multivector: true,
  bm25: true,
  channels: true,
  fusion: true,
  candidates: true,
  storeText: true,
  wal: true,
  storage: true,
  mergePolicy: true,
  searchThreads: true,
  searchThreadsNice: true,
  segmentMemory: true,
  overwrite: true,
  fs: true,
} as const satisfies OptionKeys<HybridIndexOptions>;
const DENSE_KEYS = { dtype: true, dimensions: true, connectivity: true, expansionAdd: true, expansionSearch: true } as const satisfies OptionKeys<DenseStoreOptions>;
const MV_KEYS = { dtype: true, poolFactor: true, screening: true, bits: true, centroids: true } as const satisfies OptionKeys<MultiVectorStoreSettings>;
const BM25_KEYS = { analyzer: true, k1: true, b: true } as const satisfies OptionKeys<Bm25StoreOptions>;
const OPEN_KEYS = { encoder: true, readOnly: true, searchThreads: true, searchThreadsNice: true, storage: true, mergePolicy: true, segmentMemory: true, fs: true } as const satisfies OptionKeys<OpenOptions>;
const SEARCH_KEYS = {
  k: true,
  mode: true,
  channels: true,
  fusion: true,
  candidates: true,
  filter: true,
  explain: true,
  exhaustive: true,
  includeText: true,
  rerank: true,
  expand: true,
  encoded: true,
  signal: true,
} as const satisfies OptionKeys<SearchOptions>;
const RERANK_KEYS = { model: true, topN: true } as const satisfies OptionKeys<NonNullable<SearchOptions['rerank']>>;
const ADD_KEYS = { onProgress: true, chunking: true, batchSize: true, signal: true } as const satisfies OptionKeys<AddOptions>;
const CHUNKING_KEYS = { kind: true, by: true, size: true, overlap: true } as const satisfies OptionKeys<ChunkingOptions>;
const SAVE_KEYS = { dir: true, signal: true } as const satisfies OptionKeys<SaveOptions>;
const CALIBRATE_KEYS = { apply: true, k: true, folds: true } as const satisfies OptionKeys<CalibrateOptions>;

/** `false` or an object with the given keys. */
function storeSetting(where: string, v: unknown, keys: Readonly<Record<string, true>>): void {
  if (v === undefined || v === false) return;
  checkOptions(where, v, keys);
}

/**
 * Checks the keys of `HybridIndex.create` options and of their nested store settings.
 *
 * @example
 * ```ts
 * checkCreateOptions({ encoder, limit: 3 }); // INVALID_ARGUMENT … did you mean 'wal'? …
 * ```
 */
export function checkCreateOptions(opts: HybridIndexOptions): void {
  checkOptions('HybridIndex.create() options', opts, CREATE_KEYS);
  storeSetting('HybridIndex.create() dense', opts.dense, DENSE_KEYS);
  storeSetting('HybridIndex.create() sparse', opts.sparse, {});
  storeSetting('HybridIndex.create() multivector', opts.multivector, MV_KEYS);
  storeSetting('HybridIndex.create() bm25', opts.bm25, BM25_KEYS);
  checkFusion('HybridIndex.create() fusion', opts.fusion, true);
}

/**
 * Checks the keys of `HybridIndex.open` options.
 *
 * @example
 * ```ts
 * checkOpenOptions({ encoder, readonly: true }); // INVALID_ARGUMENT
 * ```
 */
export function checkOpenOptions(opts: OpenOptions): void {
  checkOptions('HybridIndex.open() options', opts, OPEN_KEYS);
}

/**
 * Checks the keys of `search` options (and of `fusion` and `rerank`).
 *
 * @example
 * ```ts
 * checkSearchOptions({ limit: 5 }); // INVALID_ARGUMENT: … unknown option 'limit'; did you mean 'k'? …
 * ```
 */
export function checkSearchOptions(opts: SearchOptions): void {
  checkOptions('search() options', opts, SEARCH_KEYS);
  checkFusion('search() fusion', opts.fusion, true);
  if (opts.rerank !== undefined) checkOptions('search() rerank', opts.rerank, RERANK_KEYS);
}

/**
 * Checks the keys of `add` / `update` options (and of `chunking`).
 *
 * @example
 * ```ts
 * checkAddOptions('add', { batch: 8 }); // INVALID_ARGUMENT: … did you mean 'batchSize'? …
 * ```
 */
export function checkAddOptions(method: string, opts: AddOptions): void {
  checkOptions(`${method}() options`, opts, ADD_KEYS);
  if (opts.chunking !== undefined) checkOptions(`${method}() chunking`, opts.chunking, CHUNKING_KEYS);
}

/**
 * Checks the keys of `save` options.
 *
 * @example
 * ```ts
 * checkSaveOptions({ path: './x' }); // INVALID_ARGUMENT: … did you mean 'dir'? …
 * ```
 */
export function checkSaveOptions(opts: SaveOptions): void {
  checkOptions('save() options', opts, SAVE_KEYS);
}

/**
 * Checks the keys of `calibrate` options.
 *
 * @example
 * ```ts
 * checkCalibrateOptions({ apply: false, topK: 5 }); // INVALID_ARGUMENT
 * ```
 */
export function checkCalibrateOptions(opts: CalibrateOptions): void {
  checkOptions('calibrate() options', opts, CALIBRATE_KEYS);
}
