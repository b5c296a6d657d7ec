/**
 * Kernel selection: the native SIMD addon when it loads, else the pure-TS twins.
 *
 * - `TRIDENT_KERNELS=js` (read at import) forces the TS kernels; `TRIDENT_KERNELS=<isa>`
 *   (e.g. `avx512`, `avx2`, `serial`) forces that native ISA. Levels, most capable first:
 *   `amx` (AVX-512 + AMX tiles; Linux grants the tile state when the addon loads), `avx512`
 *   (VNNI), `avx2`, `neon`, `serial`.
 * - {@link setIsa} switches at run time (tests loop over every ISA plus `'js'`).
 * - If the addon cannot load, the first kernel call on the TS fallback says why, once, through
 *   the logger installed with {@link setKernelLogger} (default: a Node process warning).
 */
import { InvalidArgumentError } from '../errors.js';
import { existsSync } from 'node:fs';
import { loadNative, nativeDir, type NativeAnalyze, type NativeConvert, type NativeHnsw, type NativeMemory, type NativeMmap, type NativeModule } from './native.js';
import { referenceKernels } from './reference.js';
import type { Backend, Kernels } from './types.js';

export type { Backend, Kernels } from './types.js';

let native: NativeModule | null = null;
let nativeError: Error | null = null;
let nativeTried = false;
let active: Kernels = referenceKernels;
/** Receives kernel notices; `undefined` = the default ({@link defaultKernelLogger}), `null` = silent. */
let logger: ((message: string) => void) | null | undefined;
let warned = false;

/** The default kernel logger: a Node process warning (code TRIDENT_NATIVE_FALLBACK) on stderr. */
function defaultKernelLogger(message: string): void {
  process.emitWarning(message, { code: 'TRIDENT_NATIVE_FALLBACK' });
}

function tryNative(): NativeModule | null {
  if (!nativeTried) {
    nativeTried = true;
    const m = loadNative();
    if (m instanceof Error) nativeError = m;
    else native = m;
  }
  return native;
}

/**
 * The one warning said when the TS kernels first run because the addon could not be loaded
 * (not when they were chosen with `TRIDENT_KERNELS=js` / `setIsa('js')`).
 */
function fallbackMessage(): string {
  const reason = nativeError?.message.split('\n')[0] ?? 'unknown reason';
  const platform = `${process.platform}-${process.arch}`;
  const dir = nativeDir();
  const hint = existsSync(`${dir}/prebuilds/${platform}`)
    ? `the prebuild shipped for ${platform} did not load; run \`npm rebuild trident\` with a C++ toolchain to build one from source`
    : `no prebuild ships for ${platform}, so the addon is built from source at install: install a C++ toolchain (g++ or clang, make, python3) and run \`npm rebuild trident\``;
  return `trident: the native SIMD addon could not be loaded (${reason}); multi-vector MaxSim and exact dense scans run on the pure-TS kernels, about 20× slower. ${hint[0]!.toUpperCase()}${hint.slice(1)}. Set TRIDENT_KERNELS=js to choose the TS kernels knowingly, or setKernelLogger() to route this message.`;
}

function warnOnce(): void {
  if (warned) return;
  warned = true;
  const log = logger === undefined ? defaultKernelLogger : logger;
  if (log !== null) log(fallbackMessage());
}

/**
 * The TS kernels used as a fallback: the first call says so once (see {@link setKernelLogger}),
 * then the plain TS kernels take over.
 */
const fallbackKernels: Kernels = Object.fromEntries(
  (Object.keys(referenceKernels) as (keyof Kernels)[]).map((name) => [
    name,
    (...args: unknown[]) => {
      warnOnce();
      if (active === fallbackKernels) active = referenceKernels;
      return (referenceKernels[name] as (...a: unknown[]) => void)(...args);
    },
  ]),
) as unknown as Kernels;

/**
 * The active kernels. Calls are forwarded to the implementation picked by {@link setIsa}
 * (native best ISA by default), so holding on to this object is fine.
 *
 * @example
 * ```ts
 * import { kernels } from './kernels/index.js';
 * const out = new Float32Array(1);
 * kernels.maxsimF32(query, qCount, 1024, arena, new Uint32Array([0]), new Uint32Array([n]), out);
 * ```
 */
export const kernels: Kernels = {
  maxsimF32: (query, qCount, dim, docs, starts, counts, out) => active.maxsimF32(query, qCount, dim, docs, starts, counts, out),
  maxsimF16: (query, qCount, dim, docs, starts, counts, out) => active.maxsimF16(query, qCount, dim, docs, starts, counts, out),
  maxsimI8: (query, qCount, dim, docs, docScales, starts, counts, out, docSums) => active.maxsimI8(query, qCount, dim, docs, docScales, starts, counts, out, docSums),
  maxsimF32Screen: (query, qCount, dim, docs, screenI8, screenStats, starts, counts, out) => active.maxsimF32Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out),
  maxsimF16Screen: (query, qCount, dim, docs, screenI8, screenStats, starts, counts, out) => active.maxsimF16Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out),
  maxsimCodes: (query, qCount, dim, codes, bits, table, scale, cids, norms, ct, k, starts, counts, out, centroids, centroidScales) => active.maxsimCodes(query, qCount, dim, codes, bits, table, scale, cids, norms, ct, k, starts, counts, out, centroids, centroidScales),
  dotsF32: (query, dim, rows, rowIds, out) => active.dotsF32(query, dim, rows, rowIds, out),
  dotsF16: (query, dim, rows, rowIds, out) => active.dotsF16(query, dim, rows, rowIds, out),
  dotsI8: (query, dim, rows, rowScales, rowIds, out) => active.dotsI8(query, dim, rows, rowScales, rowIds, out),
};

/**
 * The addon's batch English analysis when it is loaded (whatever the active kernels), else
 * null (src/analyze/term-batch.ts then runs its TS twin). Internal to the BM25 build.
 *
 * @example
 * ```ts
 * const a = nativeAnalyze(); // null without the addon
 * ```
 */
export function nativeAnalyze(): NativeAnalyze | null {
  return tryNative()?.analyze ?? null;
}

/**
 * The addon's memory placement helpers (cache-line alignment, huge-page advice) when it is
 * loaded, whatever the active kernels; null otherwise. Internal to trident's stores.
 *
 * @example
 * ```ts
 * const m = nativeMemory(); if (m) console.log(m.addressMod(new ArrayBuffer(64), 64));
 * ```
 */
export function nativeMemory(): NativeMemory | null {
  return tryNative()?.memory ?? null;
}

/**
 * The addon's read-only file mappings when it is loaded (whatever the active kernels), else
 * null (callers then read files into memory). Internal to src/store/mmap.ts.
 *
 * @example
 * ```ts
 * const m = nativeMmap(); if (m) console.log(m.mmapPageSize());
 * ```
 */
export function nativeMmap(): NativeMmap | null {
  return tryNative()?.mmap ?? null;
}

/**
 * The native storage conversions (f32 → f16, int8 rows, screening sidecar) when the addon
 * is loaded and the native backend is active, else null (callers then run the TS twins,
 * which give the same bits). Internal to trident's stores.
 *
 * @example
 * ```ts
 * const n = nativeConvert(); if (n) n.f32ToF16(src, dst, 0); else for (…) dst[i] = f32ToF16(src[i]);
 * ```
 */
export function nativeConvert(): NativeConvert | null {
  return active === referenceKernels || active === fallbackKernels || native === null ? null : native.convert;
}

/**
 * The addon's multi-graph HNSW search when the addon is loaded and the native backend is
 * active, else null (src/dense/hnsw-walk.ts then runs its TS twin over the same kernels).
 * Internal to the dense segments' search.
 *
 * @example
 * ```ts
 * const h = nativeHnsw(); // null under setIsa('js')
 * ```
 */
export function nativeHnsw(): NativeHnsw | null {
  return active === referenceKernels || active === fallbackKernels || native === null ? null : native.hnsw;
}

/**
 * Which implementation answers {@link kernels} calls, and which ISAs the machine offers.
 *
 * @example
 * ```ts
 * backend() // { kind: 'native', isa: 'amx', available: ['amx', 'avx512', 'avx2', 'serial'] }
 * ```
 */
export function backend(): Backend {
  const available = native !== null ? native.available() : [];
  if (active === referenceKernels || active === fallbackKernels || native === null) return { kind: 'js', isa: 'js', available };
  return { kind: 'native', isa: native.isa(), available };
}

/** Native ISA levels whose f32 / f16 MaxSim reads an int8 screening sidecar (the others ignore it). */
const SCREENING_ISAS: readonly string[] = ['amx', 'avx512'];

/**
 * True when the active kernels use a store's int8 screening sidecar (native `amx` or `avx512`),
 * so keeping one pays off.
 *
 * @example
 * ```ts
 * if (screeningKernelActive()) console.log('f32 / f16 MaxSim screens with int8 images');
 * ```
 */
export function screeningKernelActive(): boolean {
  return SCREENING_ISAS.includes(backend().isa);
}

/**
 * Forces an implementation: a native ISA from `backend().available`, `'js'` for the TS
 * twins, or `'auto'` for the most capable one. Throws UNSUPPORTED (InvalidArgumentError)
 * for an ISA this machine or build does not have.
 *
 * @example
 * ```ts
 * setIsa('avx2'); // … measure …
 * setIsa('auto');
 * ```
 */
export function setIsa(isa: string): void {
  if (isa === 'js') {
    active = referenceKernels;
    return;
  }
  const m = tryNative();
  if (m === null) {
    if (isa === 'auto') {
      active = warned ? referenceKernels : fallbackKernels;
      return;
    }
    throw new InvalidArgumentError('UNSUPPORTED', `setIsa('${isa}'): the native addon is not loaded (${nativeError?.message.split('\n')[0]}); only 'js' and 'auto' are possible`);
  }
  const avail = m.available();
  if (isa === 'auto') {
    m.setIsa(avail[0]!);
  } else if (!avail.includes(isa)) {
    throw new InvalidArgumentError('UNSUPPORTED', `setIsa('${isa}'): not available on this machine; choose one of ${[...avail, 'js', 'auto'].join(', ')}`);
  } else {
    m.setIsa(isa);
  }
  active = m.kernels;
}

/**
 * Installs the function that receives trident's kernel notices. There is one: when the native
 * addon could not be loaded (no prebuild for the platform and no working C++ toolchain at
 * install), the first kernel call an index makes on the pure-TS fallback says so, once per
 * process. By default it is a Node process warning (`process.emitWarning`, code
 * `TRIDENT_NATIVE_FALLBACK`, printed on stderr unless `--no-warnings`); pass a function to
 * route it to your logger, `null` to silence it. Choosing the TS kernels with
 * `TRIDENT_KERNELS=js` or `setIsa('js')` raises no notice.
 *
 * @example
 * ```ts
 * setKernelLogger((msg) => myLog.warn(msg));
 * ```
 */
export function setKernelLogger(fn: ((message: string) => void) | null): void {
  logger = fn;
}

/**
 * Why the addon could not be loaded, or null if it loaded (or was never tried).
 *
 * @example
 * ```ts
 * if (backend().kind === 'js') console.log(nativeLoadError()?.message);
 * ```
 */
export function nativeLoadError(): Error | null {
  return nativeError;
}

const envChoice = (typeof process !== 'undefined' ? process.env.TRIDENT_KERNELS : undefined)?.trim();
if (envChoice === 'js') {
  active = referenceKernels;
} else {
  try {
    setIsa(envChoice !== undefined && envChoice !== '' ? envChoice : 'auto');
  } catch {
    setIsa('auto');
  }
}
