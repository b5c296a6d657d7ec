/**
 * Read-only file mappings: the one way segment readers reach a file's bytes.
 *
 * With the native addon (Linux, macOS) a file is memory-mapped (`mmap`, PROT_READ, MAP_SHARED)
 * and exposed as an external ArrayBuffer: opening costs a system call whatever the file's size,
 * pages are read by the OS on first touch and shared with the page cache (RSS grows only with
 * the pages a query touches, and the OS may drop them again). Without the addon (or with
 * `TRIDENT_MMAP=read`, or `mode: 'read'`) the file is read into memory instead: same API, same
 * results, heap-resident.
 *
 * Safety rules this module keeps (so that JS never touches unmapped or missing memory):
 * - The mapping is unmapped only by the ArrayBuffer's finalizer, once nothing references it.
 *   {@link MappedFile.close} drops this object's reference and refuses later calls
 *   (INDEX_CLOSED); views handed out earlier keep the mapping alive until they are collected.
 * - Every view is bounds-checked against the length the file had when it was mapped (fstat);
 *   a request beyond it is CORRUPT_FILE naming the file (a section table pointing outside the
 *   file), never an out-of-range read.
 * - A file truncated by another process after mapping would make reads beyond its new end
 *   raise SIGBUS. The addon's SIGBUS guard (native/mmap.cc) maps zero pages over the missing
 *   range instead and flags the mapping; {@link MappedFile.check} then throws CORRUPT_FILE.
 *   What remains: reads that happened before the check saw zeros (callers check after a
 *   search and discard its result); a file *overwritten in place* (same length, new bytes) is
 *   seen as is — segment files are immutable and replaced by rename, never rewritten, and
 *   checksums catch the rest when a section is verified.
 */
import { totalmem } from 'node:os';
import { StorageError } from '../errors.js';
import { alignedArray, HUGE_PAGE_MIN_BYTES } from '../kernels/aligned.js';
import { nativeMemory, nativeMmap } from '../kernels/index.js';
import { readLargeFile } from './large-file.js';

/** `madvise` hints for a mapped range (no-ops on a heap-loaded file). */
export type MapAdvice = 'normal' | 'random' | 'sequential' | 'willneed' | 'dontneed';

const ADVICE: Record<MapAdvice, number> = { normal: 0, random: 1, sequential: 2, willneed: 3, dontneed: 4 };

/** Options of {@link MappedFile.open}. */
export interface MapOptions {
  /**
   * `auto` (default): map when the addon offers it, else read; `mmap`: map or throw
   * UNSUPPORTED; `read`: always read into memory (resident: page-aligned, and advised to use
   * transparent huge pages from 4 MiB, as the in-memory stores' arenas). `TRIDENT_MMAP=read`
   * turns `auto` into `read`.
   */
  mode?: 'auto' | 'mmap' | 'read';
  /**
   * Promote on first use: the first {@link MappedFile.touch} of a mapped file of at least
   * PROMOTE_MIN_BYTES copies it into anonymous memory at the same addresses (off the event loop),
   * while the process's promoted bytes stay within its promotion budget ({@link promotionBudget}).
   * Default false.
   */
  promote?: boolean;
}

type TypedCtor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/**
 * Whether a mapping of `bytes` gets the 2 MiB page advice (Linux MADV_HUGEPAGE): files of at
 * least HUGE_PAGE_MIN_BYTES and at most a quarter of the memory this process may use (RAM, or
 * its cgroup's limit when lower).
 *
 * With the advice, the mapping's faults read the file into 2 MiB page-cache folios (where the
 * file system supports large folios, as ext4 and XFS on current kernels) and map them whole,
 * so a search touching rows scattered over hundreds of MB walks far fewer page tables: on
 * scifact, in one process beside two other indexes, the default hybrid over mapped segments
 * went from 1.39–1.54× the in-memory store's to 1.14–1.16× once its files were read through
 * advised mappings (README "Segment memory"). Pages already cached keep their size. The price
 * is the fault granularity of a cold read (2 MiB instead of the usual 128 KiB read-around),
 * which is why a file too big for a quarter of the memory is left unadvised: an index larger
 * than memory reads scattered rows from disk, and bigger reads would evict what it needs.
 * `TRIDENT_MMAP_HUGE=0` turns the advice off.
 */
export function hugeMapping(bytes: number): boolean {
  if (bytes < HUGE_PAGE_MIN_BYTES) return false;
  if (typeof process !== 'undefined' && process.env.TRIDENT_MMAP_HUGE === '0') return false;
  return bytes <= memoryBudget() / 4;
}

/** The memory this process may use: RAM, or its cgroup's limit when lower (read once: the cgroup lookup reads files). */
let budgetBytes = 0;
function memoryBudget(): number {
  if (budgetBytes === 0) {
    budgetBytes = totalmem();
    const cap = typeof process !== 'undefined' && typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : undefined;
    if (typeof cap === 'number' && cap > 0 && cap < budgetBytes) budgetBytes = cap;
  }
  return budgetBytes;
}

/** Smallest file promoted ({@link MapOptions.promote}): below it the copy is not worth a thread hop. */
export const PROMOTE_MIN_BYTES = 64 << 10;

/** A file found cold at a promotion attempt is offered again no sooner than this (ms). */
export const PROMOTE_RETRY_MS = 1000;

let promotedBytes = 0;
let promoteBudgetBytes = -1;
let pendingPromotions = 0;

/**
 * The bytes of mapped files this process may hold promoted into anonymous memory
 * ({@link MapOptions.promote}): a quarter of the memory it may use (RAM, or its cgroup's limit),
 * the same share {@link hugeMapping} allows one file. `TRIDENT_MMAP_PROMOTE=0` turns promotion
 * off, `TRIDENT_MMAP_PROMOTE=<bytes>` sets the budget. Read once per process.
 *
 * Why (README "Segment memory"): on the shared VMs trident is measured on, scanning file pages
 * mapped from the page cache ran 1.1-1.2x slower than the same bytes in anonymous memory, even
 * with 2 MiB pages on both sides, in trident's MaxSim and in a plain C loop alike; promoted files
 * score at the in-memory stores' speed while `open()` still reads headers only.
 */
export function promotionBudget(): number {
  if (promoteBudgetBytes < 0) {
    const env = typeof process !== 'undefined' ? process.env.TRIDENT_MMAP_PROMOTE : undefined;
    const n = env === undefined || env === '' ? Number.NaN : Number(env);
    promoteBudgetBytes = Number.isFinite(n) && n >= 0 ? Math.floor(n) : Math.floor(memoryBudget() / 4);
  }
  return promoteBudgetBytes;
}

/** Bytes of mapped files promoted (or being promoted) in this process and not closed since. */
export function promotedTotal(): number {
  return promotedBytes;
}

/** Promotions started in this process and not ended yet (benches wait for 0 before timing). */
export function promotionsPending(): number {
  return pendingPromotions;
}

/** @internal tests: re-read the budget from the environment on next use. */
export function resetPromotionBudget(): void {
  promoteBudgetBytes = -1;
}

/**
 * A whole file's bytes, memory-mapped or heap-loaded. Internal to trident's stores.
 *
 * @example
 * ```ts
 * const f = await MappedFile.open('/data/index/seg-000001.sparse');
 * const header = f.bytes(0, 64);
 * f.advise(4096, 1 << 20, 'random');
 * f.check(); // throws CORRUPT_FILE if the file was truncated under the mapping
 * f.close();
 * ```
 */
export class MappedFile {
  readonly file: string;
  /** Length of the file when it was opened. */
  readonly byteLength: number;
  /** True when memory-mapped, false when read into memory. */
  readonly mapped: boolean;
  #buffer: ArrayBuffer | null;
  readonly #slot: number;
  /** Byte 0 of the file in #buffer (a read file sits at the first page boundary of its buffer). */
  readonly #base: number;
  /** Promotion: 'off' (not asked, not mapped, or too small), 'idle' (not tried yet, no budget at the last touch, or cold at the last try), 'pending', 'done', 'failed' (or closed). */
  #promotion: 'off' | 'idle' | 'pending' | 'done' | 'failed';
  #promoting: Promise<boolean> | null = null;
  /** performance.now() before which a cold file is not offered for promotion again (0: any time). */
  #retryAt = 0;

  private constructor(file: string, buffer: ArrayBuffer, mapped: boolean, slot: number, base = 0, byteLength = buffer.byteLength - base, promote = false) {
    this.#promotion = promote && mapped && byteLength >= PROMOTE_MIN_BYTES && nativeMmap()?.mmapPromote !== undefined ? 'idle' : 'off';
    this.file = file;
    this.#buffer = buffer;
    this.byteLength = byteLength;
    this.mapped = mapped;
    this.#slot = slot;
    this.#base = base;
  }

  /**
   * Maps (or reads) `file`. Throws StorageError: INDEX_NOT_FOUND for a missing file, IO_ERROR
   * otherwise; UNSUPPORTED for `mode: 'mmap'` without the addon's mappings.
   *
   * @example
   * ```ts
   * const f = await MappedFile.open(path, { mode: 'read' }); // heap copy, same API
   * ```
   */
  static async open(file: string, opts: MapOptions = {}): Promise<MappedFile> {
    const mode = opts.mode ?? 'auto';
    const env = typeof process !== 'undefined' ? process.env.TRIDENT_MMAP : undefined;
    const native = mode === 'read' || (mode === 'auto' && env === 'read') ? null : nativeMmap();
    if (mode === 'mmap' && native === null) {
      throw new StorageError('UNSUPPORTED', `cannot memory-map ${file}: the native addon's mappings are not available on this platform or build; open with mode 'read' or 'auto'`, { file });
    }
    if (native !== null) {
      let r: { buffer: ArrayBuffer; slot: number };
      try {
        r = native.mmapOpen(file);
      } catch (e) {
        throw mapError(file, e);
      }
      if (hugeMapping(r.buffer.byteLength)) nativeMemory()?.adviseHugePages(r.buffer);
      return new MappedFile(file, r.buffer, r.slot >= 0, r.slot, 0, r.buffer.byteLength, opts.promote === true);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readLargeFile(file, { alloc: (size) => alignedArray(Uint8Array, size) });
    } catch (e) {
      throw mapError(file, e);
    }
    return new MappedFile(file, bytes.buffer as ArrayBuffer, false, -1, bytes.byteOffset, bytes.byteLength);
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.#buffer === null;
  }

  #live(): ArrayBuffer {
    if (this.#buffer === null) throw new StorageError('INDEX_CLOSED', `${this.file} was closed; open it again to read it`, { file: this.file });
    return this.#buffer;
  }

  #range(offset: number, byteLength: number, what: string): ArrayBuffer {
    const buf = this.#live();
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(byteLength) || offset < 0 || byteLength < 0 || offset + byteLength > this.byteLength) {
      throw new StorageError('CORRUPT_FILE', `${this.file}: ${what} [${offset}, ${offset + byteLength}) lies outside the ${this.byteLength}-byte file (truncated or damaged); restore it from a backup or rebuild the index`, { file: this.file });
    }
    return buf;
  }

  /**
   * A view of `length` bytes at `offset` (no copy). CORRUPT_FILE when the range is outside the file.
   *
   * @example
   * ```ts
   * const magic = new TextDecoder().decode(f.bytes(0, 8));
   * ```
   */
  bytes(offset: number, length: number, what = 'byte range'): Uint8Array {
    return new Uint8Array(this.#range(offset, length, what), this.#base + offset, length);
  }

  /**
   * A typed view of `count` elements at `offset` (no copy). The offset must be a multiple of
   * the element size (CORRUPT_FILE otherwise), and the range inside the file.
   *
   * @example
   * ```ts
   * const docs = f.view(Uint32Array, 8192, postings, 'postings');
   * ```
   */
  view<T>(Ctor: TypedCtor<T>, offset: number, count: number, what = 'section'): T {
    const width = Ctor.BYTES_PER_ELEMENT;
    const buf = this.#range(offset, Number.isSafeInteger(count) ? count * width : NaN, what);
    if (offset % width !== 0) {
      throw new StorageError('CORRUPT_FILE', `${this.file}: ${what} at byte ${offset} is not aligned to ${width} bytes; restore it from a backup or rebuild the index`, { file: this.file });
    }
    return new Ctor(buf, this.#base + offset, count);
  }

  /**
   * `madvise` hint for a byte range (whole pages covering it). Returns false when the file is
   * heap-loaded or the OS refused; hints never change results.
   *
   * @example
   * ```ts
   * f.advise(section.offset, section.length, 'willneed');
   * ```
   */
  advise(offset: number, length: number, advice: MapAdvice): boolean {
    const buf = this.#range(offset, length, 'advised range');
    if (!this.mapped || !(advice in ADVICE)) return false;
    // on promoted (anonymous) memory, dontneed would discard the bytes, not drop cached pages
    if (advice === 'dontneed' && (this.#promotion === 'pending' || this.#promotion === 'done')) return false;
    return nativeMmap()?.mmapAdvise(buf, offset, length, ADVICE[advice]) ?? false;
  }

  /**
   * Marks the file as read by a search. With {@link MapOptions.promote}, the first touch that
   * finds room in the process's {@link promotionBudget} starts copying the file into anonymous
   * memory at the same addresses, off the event loop; views taken before and after read the same
   * bytes throughout. Only a warm file is copied (90 % of its pages in the page cache, so the copy
   * reads no disk): a cold one stays mapped, and a touch {@link PROMOTE_RETRY_MS} later tries
   * again. Cheap otherwise (a field compare): callers touch on every read.
   *
   * @example
   * ```ts
   * f.touch(); const docs = f.view(Uint32Array, offset, n);
   * ```
   */
  touch(): void {
    if (this.#promotion !== 'idle') return;
    const buf = this.#buffer;
    if (buf === null || promotedBytes + this.byteLength > promotionBudget()) return;
    if (this.#retryAt > 0 && performance.now() < this.#retryAt) return;
    promotedBytes += this.byteLength;
    pendingPromotions++;
    this.#promotion = 'pending';
    let started: Promise<number>;
    try {
      started = nativeMmap()!.mmapPromote!(buf, this.#slot);
    } catch {
      started = Promise.resolve(0); // the addon refused the arguments: ends as a failed promotion
    }
    this.#promoting = started
      .then(
        (r) => r,
        () => 0,
      )
      .then((r) => {
        pendingPromotions--;
        if (this.#promotion !== 'pending') return false; // closed meanwhile (the budget was given back then)
        if (r !== 1) promotedBytes -= this.byteLength;
        if (r === -1) this.#retryAt = performance.now() + PROMOTE_RETRY_MS; // cold: try again later
        this.#promotion = r === 1 ? 'done' : r === -1 ? 'idle' : 'failed';
        return r === 1;
      });
  }

  /** True once the file's bytes live in anonymous memory ({@link touch}). */
  get promoted(): boolean {
    return this.#promotion === 'done';
  }

  /** @internal tests and benches: the last promotion started (resolves true when it took), or null if none was. */
  get promotion(): Promise<boolean> | null {
    return this.#promoting;
  }

  /**
   * Throws CORRUPT_FILE if a read of the mapping went beyond the file's end (the file was
   * truncated after it was mapped; those reads saw zeros). Callers check after reading and
   * discard what they read when it throws. Cheap (one atomic load in the addon).
   *
   * @example
   * ```ts
   * const hits = searchSegment(f); f.check(); return hits;
   * ```
   */
  check(): void {
    this.#live();
    if (this.#slot >= 0 && nativeMmap()!.mmapDamaged(this.#slot)) {
      throw new StorageError('CORRUPT_FILE', `${this.file} was truncated while it was mapped (reads past its new end saw zeros); reopen the index, and restore the file from a backup if it stays short`, { file: this.file });
    }
  }

  /**
   * Drops this object's reference to the bytes; later calls throw INDEX_CLOSED. Idempotent.
   * The mapping itself is released when the last view of it is garbage-collected.
   *
   * @example
   * ```ts
   * f.close(); f.close(); // fine
   * ```
   */
  close(): void {
    if (this.#buffer !== null && (this.#promotion === 'pending' || this.#promotion === 'done')) promotedBytes -= this.byteLength;
    this.#buffer = null;
    if (this.#promotion !== 'off') this.#promotion = 'failed';
  }
}

function mapError(file: string, e: unknown): StorageError {
  const msg = (e as Error)?.message ?? String(e);
  const native = /^TRIDENT_NATIVE:IO_ERROR:(\w+):/.exec(msg);
  const code = native ? native[1] : (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new StorageError('INDEX_NOT_FOUND', `${file} not found: ${msg.replace(/^TRIDENT_NATIVE:[^ ]* /, '')}`, { cause: e, file });
  return new StorageError('IO_ERROR', `cannot open ${file} (${code ?? 'unknown'}): ${msg.replace(/^TRIDENT_NATIVE:[^ ]* /, '')}`, { cause: e, file });
}
