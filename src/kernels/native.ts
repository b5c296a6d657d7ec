/**
 * Loader for the native SIMD addon (native/, built by node-gyp at install time).
 *
 * The addon throws plain JS errors whose message starts with `TRIDENT_NATIVE:<CODE>:`;
 * this wrapper maps them to {@link InvalidArgumentError} (INVALID_ARGUMENT,
 * DIMENSION_MISMATCH) or {@link TridentError} (NATIVE_ERROR for anything else).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, TridentError, type ErrorCode } from '../errors.js';
import type { Kernels } from './types.js';

/**
 * Storage conversions of the addon (native/convert.cc), bit-identical to the TS twins in
 * f16.ts and screen-reference.ts. Arguments are validated by the TS callers.
 */
export interface NativeConvert {
  f32ToF16(src: Float32Array, dst: Uint16Array, dstOffset: number): void;
  quantizeI8Rows(src: Float32Array, dim: number, dst: Int8Array, dstOffset: number, scales: Float32Array, scaleOffset: number): void;
  buildScreenF32(rows: Float32Array, dim: number, from: number, count: number, i8: Int8Array, stats: Float32Array): void;
  buildScreenF16(rows: Uint16Array, dim: number, from: number, count: number, i8: Int8Array, stats: Float32Array): void;
}

/**
 * Memory placement helpers of the addon (native/addon.cc): the backing store's address modulo a
 * power of two (≤ 2 MiB) and a transparent-huge-page hint (Linux madvise; false elsewhere).
 */
export interface NativeMemory {
  addressMod(buffer: ArrayBuffer, modulus: number): number;
  adviseHugePages(buffer: ArrayBuffer): boolean;
}

/**
 * Read-only file mappings of the addon (native/mmap.cc). Raw: errors are mapped by
 * src/store/mmap.ts, the only user.
 */
export interface NativeMmap {
  /** Maps a whole file; `slot` is -1 for an empty file (then `buffer` is an ordinary empty buffer). */
  mmapOpen(path: string): { buffer: ArrayBuffer; slot: number };
  /** True once a read hit a page beyond the file's end (truncated after mapping; zeros were read). */
  mmapDamaged(slot: number): boolean;
  /** madvise over the pages covering the range: 0 normal, 1 random, 2 sequential, 3 willneed, 4 dontneed. */
  mmapAdvise(buffer: ArrayBuffer, offset: number, length: number, advice: number): boolean;
  mmapPageSize(): number;
  /**
   * Copies the mapping into anonymous memory at the same addresses, off the event loop: 1 done;
   * -1 (nothing changed) when under 90 % of the file is in the page cache (try later); 0
   * (nothing changed) when the slot is damaged, already promoted, memory is short, or the OS
   * lacks mremap. Absent from older builds of the addon.
   */
  mmapPromote?(buffer: ArrayBuffer, slot: number): Promise<number>;
}

/** Output of the addon's batch English analysis (native/analyze.cc documents every field). */
export interface NativeEnglishBatch {
  tokens: Int32Array;
  docTokenEnds: Uint32Array;
  fallback: Uint8Array;
  kinds: Uint8Array;
  termPool: Uint8Array;
  termEnds: Uint32Array;
  wordStarts: Uint32Array;
  wordLengths: Uint32Array;
}

/** Batch English analysis of the addon (native/analyze.cc), the twin of src/analyze/term-batch.ts. */
export interface NativeAnalyze {
  analyzeEnglish(text: Uint16Array, docEnds: Uint32Array, classes: Uint8Array, stop: Uint16Array, maxWord: number): NativeEnglishBatch;
  /** The same analysis on a worker thread (the argument arrays must not change until it settles); absent in an older build of the addon. */
  analyzeEnglishAsync?(text: Uint16Array, docEnds: Uint32Array, classes: Uint8Array, stop: Uint16Array, maxWord: number): Promise<NativeEnglishBatch>;
  /** Term-major postings of analysed documents (src/analyze/term-postings.ts's twin); absent in an older build of the addon. */
  termPostings?(tokens: Int32Array, docStarts: Uint32Array, docSel: Uint32Array, docIds: Uint32Array, wordTerm: Int32Array): NativeTermPostings;
}

/** Output of the addon's `termPostings` (src/analyze/term-postings.ts documents every field). */
export interface NativeTermPostings {
  terms: Uint32Array;
  termEnds: Uint32Array;
  termMax: Float32Array;
  docs: Uint32Array;
  tfs: Float32Array;
  docLen: Float32Array;
}

/**
 * HNSW search over several dense segments' usearch files in one call (native/hnsw.cc documents
 * the arguments); the twin is src/dense/hnsw-walk.ts. Returns the hits written, or -1 - g when
 * graph g's bytes disagree with its description.
 */
export interface NativeHnsw {
  hnswSearch(query: Float32Array, dim: number, f16: boolean, graphs: readonly HnswGraphArgs[], k: number, outIds: Uint32Array, outScores: Float32Array): number;
}

/** One graph as hnswSearch takes it: the usearch file, node offsets, slot keys, dead slots, entry slot, top level, connectivity, search breadth. */
export type HnswGraphArgs = readonly [file: Uint8Array, offsets: Float64Array, keys: Uint32Array, dead: Uint8Array | null, entry: number, maxLevel: number, connectivity: number, ef: number];

/** Raw functions exported by native/addon.cc. */
interface Addon extends Kernels, Partial<NativeConvert>, Partial<NativeMemory>, Partial<NativeMmap>, Partial<NativeAnalyze>, Partial<NativeHnsw> {
  setIsa(isa: string): void;
  isa(): string;
  available(): string[];
}

/**
 * A loaded addon: its kernels (errors mapped) and ISA controls.
 *
 * @example
 * ```ts
 * const m = loadNative();
 * if (!(m instanceof Error)) { m.setIsa('avx2'); m.kernels.dotsF32(q, dim, rows, null, out); }
 * ```
 */
export interface NativeModule {
  kernels: Kernels;
  /** Null for an addon built before the conversions existed. */
  convert: NativeConvert | null;
  /** Null for an addon built before the memory helpers existed. */
  memory: NativeMemory | null;
  /** Null where the addon has no mappings (Windows, or a build before them). */
  mmap: NativeMmap | null;
  /** Null for an addon built before batch analysis existed. */
  analyze: NativeAnalyze | null;
  /** Null for an addon built before the multi-graph search existed. */
  hnsw: NativeHnsw | null;
  setIsa(isa: string): void;
  isa(): string;
  available(): string[];
}

const PREFIX = 'TRIDENT_NATIVE:';

/**
 * Maps an addon error (`TRIDENT_NATIVE:<CODE>: message`) to a TridentError; anything else
 * is rethrown unchanged.
 *
 * @example
 * ```ts
 * try { addon.maxsimF32(...args); } catch (e) { mapNativeError(e); }
 * ```
 */
export function mapNativeError(e: unknown): never {
  if (e instanceof Error && e.message.startsWith(PREFIX)) {
    const rest = e.message.slice(PREFIX.length);
    const colon = rest.indexOf(':');
    const code = (colon > 0 ? rest.slice(0, colon) : 'NATIVE_ERROR') as ErrorCode;
    const msg = (colon > 0 ? rest.slice(colon + 1) : rest).trim();
    if (code === 'INVALID_ARGUMENT' || code === 'DIMENSION_MISMATCH') throw new InvalidArgumentError(code, msg, { cause: e });
    throw new TridentError('NATIVE_ERROR', msg, { cause: e });
  }
  throw e;
}

function wrap(a: Addon): Kernels {
  return {
    maxsimF32(query, qCount, dim, docs, starts, counts, out) {
      try {
        a.maxsimF32(query, qCount, dim, docs, starts, counts, out);
      } catch (e) {
        mapNativeError(e);
      }
    },
    maxsimF16(query, qCount, dim, docs, starts, counts, out) {
      try {
        a.maxsimF16(query, qCount, dim, docs, starts, counts, out);
      } catch (e) {
        mapNativeError(e);
      }
    },
    maxsimI8(query, qCount, dim, docs, docScales, starts, counts, out, docSums) {
      try {
        a.maxsimI8(query, qCount, dim, docs, docScales, starts, counts, out, docSums ?? null);
      } catch (e) {
        mapNativeError(e);
      }
    },
    maxsimF32Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out) {
      try {
        a.maxsimF32Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out);
      } catch (e) {
        mapNativeError(e);
      }
    },
    maxsimF16Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out) {
      try {
        a.maxsimF16Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out);
      } catch (e) {
        mapNativeError(e);
      }
    },
    maxsimCodes(query, qCount, dim, codes, bits, table, scale, cids, norms, ct, k, starts, counts, out, centroids, centroidScales) {
      try {
        a.maxsimCodes(query, qCount, dim, codes, bits, table, scale, cids, norms, ct, k, starts, counts, out, centroids, centroidScales);
      } catch (e) {
        mapNativeError(e);
      }
    },
    dotsF32(query, dim, rows, rowIds, out) {
      try {
        a.dotsF32(query, dim, rows, rowIds, out);
      } catch (e) {
        mapNativeError(e);
      }
    },
    dotsF16(query, dim, rows, rowIds, out) {
      try {
        a.dotsF16(query, dim, rows, rowIds, out);
      } catch (e) {
        mapNativeError(e);
      }
    },
    dotsI8(query, dim, rows, rowScales, rowIds, out) {
      try {
        a.dotsI8(query, dim, rows, rowScales, rowIds, out);
      } catch (e) {
        mapNativeError(e);
      }
    },
  };
}

/**
 * Directory holding binding.gyp and build/ (two levels up from src/kernels or dist/kernels);
 * the `TRIDENT_NATIVE_DIR` environment variable overrides it.
 *
 * @example
 * ```ts
 * nativeDir() // '/path/to/trident/native'
 * ```
 */
export function nativeDir(): string {
  const env = typeof process !== 'undefined' ? process.env.TRIDENT_NATIVE_DIR : undefined;
  if (env !== undefined && env !== '') return env;
  return fileURLToPath(new URL('../../native', import.meta.url));
}

/**
 * Loads the addon. Returns the module, or an Error saying why it could not be loaded
 * (never throws).
 *
 * @example
 * ```ts
 * const m = loadNative();
 * if (!(m instanceof Error)) console.log(m.available()); // e.g. ['amx', 'avx512', 'avx2', 'serial']
 * ```
 */
export function loadNative(): NativeModule | Error {
  try {
    const require = createRequire(import.meta.url);
    const build = require('node-gyp-build') as (dir: string) => Addon;
    const a = build(nativeDir());
    if (typeof a.maxsimF32 !== 'function' || typeof a.maxsimF32Screen !== 'function' || typeof a.maxsimCodes !== 'function' || typeof a.available !== 'function') {
      return new Error('the native addon does not export the expected kernels (stale build?)');
    }
    const conv = a.f32ToF16 && a.quantizeI8Rows && a.buildScreenF32 && a.buildScreenF16 ? a : null;
    const call = <F extends (...args: never[]) => void>(f: F) =>
      ((...args: Parameters<F>) => {
        try {
          f(...args);
        } catch (e) {
          mapNativeError(e);
        }
      }) as F;
    return {
      kernels: wrap(a),
      convert: conv
        ? {
            f32ToF16: call(conv.f32ToF16!.bind(conv)),
            quantizeI8Rows: call(conv.quantizeI8Rows!.bind(conv)),
            buildScreenF32: call(conv.buildScreenF32!.bind(conv)),
            buildScreenF16: call(conv.buildScreenF16!.bind(conv)),
          }
        : null,
      memory:
        a.addressMod && a.adviseHugePages
          ? {
              addressMod: (buffer, modulus) => {
                try {
                  return a.addressMod!(buffer, modulus);
                } catch (e) {
                  mapNativeError(e);
                }
              },
              adviseHugePages: a.adviseHugePages.bind(a),
            }
          : null,
      mmap: a.mmapOpen && a.mmapDamaged && a.mmapAdvise && a.mmapPageSize ? (a as NativeMmap) : null,
      hnsw: a.hnswSearch
        ? {
            hnswSearch: (...args) => {
              try {
                return a.hnswSearch!(...args);
              } catch (e) {
                return mapNativeError(e);
              }
            },
          }
        : null,
      analyze: a.analyzeEnglish
        ? {
            analyzeEnglish: (...args) => {
              try {
                return a.analyzeEnglish!(...args);
              } catch (e) {
                return mapNativeError(e);
              }
            },
            ...(a.analyzeEnglishAsync
              ? {
                  analyzeEnglishAsync: (...args: Parameters<NonNullable<NativeAnalyze['analyzeEnglishAsync']>>) => {
                    try {
                      return a.analyzeEnglishAsync!(...args).catch((e: unknown) => mapNativeError(e));
                    } catch (e) {
                      return mapNativeError(e);
                    }
                  },
                }
              : {}),
            ...(a.termPostings
              ? {
                  termPostings: (...args: Parameters<NonNullable<NativeAnalyze['termPostings']>>) => {
                    try {
                      return a.termPostings!(...args);
                    } catch (e) {
                      return mapNativeError(e);
                    }
                  },
                }
              : {}),
          }
        : null,
      setIsa: (isa) => {
        try {
          a.setIsa(isa);
        } catch (e) {
          mapNativeError(e);
        }
      },
      isa: () => a.isa(),
      available: () => a.available(),
    };
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
