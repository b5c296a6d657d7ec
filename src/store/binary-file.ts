/**
 * What every store's binary file shares: a header `magic (8 bytes) · u32 version · u32 header
 * size · …` checked on read, atomic writes (temporary sibling, fsync, rename), typed errors
 * naming the file, and aligned copies out of a read buffer. Used by the dense rows and
 * multi-vector files; each format keeps its own header fields beyond the first 16 bytes.
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import { StorageError, TridentError } from '../errors.js';
import { readLargeFile, writeChunks } from './large-file.js';

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Throws UNSUPPORTED on a big-endian machine (index files are little-endian).
 *
 * @example
 * ```ts
 * checkLittleEndian();
 * ```
 */
export function checkLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new TridentError('UNSUPPORTED', 'trident index files are little-endian; this big-endian machine cannot read or write them');
}

/**
 * A file-system error as a StorageError naming the file: a missing file being read is
 * INDEX_NOT_FOUND (`writtenBy` says which save writes it), anything else IO_ERROR.
 * TridentErrors pass through.
 */
export function storeIoError(what: 'reading' | 'writing', file: string, e: unknown, writtenBy: string): StorageError {
  if (e instanceof TridentError) return e as StorageError;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' && what === 'reading') return new StorageError('INDEX_NOT_FOUND', `${file} not found; is this a directory written by ${writtenBy}?`, { cause: e, file });
  return new StorageError('IO_ERROR', `${what} ${file} failed (${code ?? 'unknown'}): ${(e as Error)?.message ?? String(e)}`, { cause: e, file });
}

/** Throws CORRUPT_FILE naming the file. */
export function corruptFile(file: string, msg: string): never {
  throw new StorageError('CORRUPT_FILE', `${file}: ${msg}; restore it from a backup or rebuild the index`, { file });
}

/** Copies `count` elements at byte offset `off` of `buf` into a fresh, aligned typed array. */
export function copyOut<T extends ArrayBufferView>(buf: Uint8Array, off: number, count: number, Ctor: { new (n: number): T; BYTES_PER_ELEMENT: number }): T {
  const out = new Ctor(count);
  bytesOf(out).set(buf.subarray(off, off + count * Ctor.BYTES_PER_ELEMENT));
  return out;
}

/**
 * Writes `chunks` to `file` crash-safely: a temporary sibling, fsynced, renamed into place
 * (removed on failure). Errors become {@link storeIoError}.
 */
export async function writeFileAtomic(file: string, chunks: readonly Uint8Array[], writtenBy: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const h = await fsp.open(tmp, 'w');
    try {
      await writeChunks(h, chunks);
      await h.sync();
    } finally {
      await h.close();
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw storeIoError('writing', file, e, writtenBy);
  }
}

/** The common header of a store file. */
export interface StoreFileFormat {
  magic: string;
  version: number;
  headerBytes: number;
  /** Name used in messages, e.g. 'dense rows' or 'multi-vector'. */
  kind: string;
  /** The save that writes it, e.g. 'DenseIndex.saveFiles'. */
  writtenBy: string;
  /** Oldest readable version (default: `version`, read exactly). */
  oldest?: number;
}

/**
 * Reads a whole store file (any size) and checks its length against the header, its magic,
 * format version and header size. Returns the bytes and a little-endian view of them.
 */
export async function readStoreFile(file: string, f: StoreFileFormat): Promise<{ buf: Uint8Array; dv: DataView }> {
  checkLittleEndian();
  let buf: Uint8Array;
  try {
    buf = await readLargeFile(file);
  } catch (e) {
    throw storeIoError('reading', file, e, f.writtenBy);
  }
  if (buf.length < f.headerBytes) corruptFile(file, `only ${buf.length} bytes, shorter than the ${f.headerBytes}-byte header`);
  if (new TextDecoder().decode(buf.subarray(0, 8)) !== f.magic) corruptFile(file, `not a trident ${f.kind} file (bad magic)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = dv.getUint32(8, true);
  if (version > f.version || version < (f.oldest ?? f.version)) {
    const range = f.oldest !== undefined && f.oldest < f.version ? `versions ${f.oldest} to ${f.version}` : `version ${f.version}`;
    throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${file}: ${f.kind} format version ${version}; this trident reads ${range}. Upgrade trident or rebuild the index`, { file });
  }
  if (dv.getUint32(12, true) !== f.headerBytes) corruptFile(file, 'unexpected header size');
  return { buf, dv };
}
