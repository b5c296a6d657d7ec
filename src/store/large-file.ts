/**
 * Whole-file reads, writes and checksums that work past Node's 2 GiB single-I/O limit
 * (`fs.readFile` throws ERR_FS_FILE_TOO_LARGE beyond 2 GiB, and one `write` call moves at
 * most 2 GiB): files are read and written in bounded chunks, and CRC-32 is streamed, so a
 * 1M × 1024 f16 dense graph or a large multi-vector arena saves and opens like a small one.
 */
import * as fsp from 'node:fs/promises';
import { crc32Update } from './checksum.js';

/** Default chunk size of the chunked reads, writes and checksums (64 MiB). */
export const IO_CHUNK_BYTES = 64 * 1024 * 1024;

/** Options of the chunked I/O helpers (tests shrink `chunkBytes` to exercise the loops). */
export interface ChunkOptions {
  chunkBytes?: number;
  /** Where {@link readLargeFile} reads to: a zeroed array of the file's size (default `new Uint8Array`). */
  alloc?: (size: number) => Uint8Array;
}

function chunkOf(opts?: ChunkOptions): number {
  const c = opts?.chunkBytes ?? IO_CHUNK_BYTES;
  return Number.isInteger(c) && c > 0 ? c : IO_CHUNK_BYTES;
}

/**
 * Reads a whole file of any size (up to the largest typed array) in chunks.
 * Errors are the file system's own (ENOENT, EIO, …), for the caller to wrap.
 *
 * @example
 * ```ts
 * const bytes = await readLargeFile('/data/index/gen-3/dense/dense.rows');
 * ```
 */
export async function readLargeFile(file: string, opts?: ChunkOptions): Promise<Uint8Array> {
  const chunk = chunkOf(opts);
  const h = await fsp.open(file, 'r');
  try {
    const size = (await h.stat()).size;
    const out = opts?.alloc ? opts.alloc(size) : new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await h.read(out, off, Math.min(chunk, size - off), off);
      if (bytesRead === 0) break; // the file shrank while being read
      off += bytesRead;
    }
    return off === size ? out : out.subarray(0, off);
  } finally {
    await h.close();
  }
}

/**
 * Length and CRC-32 of a file, streamed in chunks (constant memory, any size).
 *
 * @example
 * ```ts
 * const { bytes, crc32 } = await checksumFile('/data/index/gen-3/dense/dense.usearch');
 * ```
 */
export async function checksumFile(file: string, opts?: ChunkOptions): Promise<{ bytes: number; crc32: number }> {
  const chunk = chunkOf(opts);
  const h = await fsp.open(file, 'r');
  try {
    const buf = new Uint8Array(Math.min(chunk, Math.max(1, (await h.stat()).size)));
    let crc = 0;
    let total = 0;
    for (;;) {
      const { bytesRead } = await h.read(buf, 0, buf.length, total);
      if (bytesRead === 0) break;
      crc = crc32Update(crc, buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    return { bytes: total, crc32: crc };
  } finally {
    await h.close();
  }
}

/**
 * Writes `chunks` to an open file handle in order, each split into writes of at most
 * `chunkBytes`, looping on short writes.
 *
 * @example
 * ```ts
 * const h = await fsp.open(tmp, 'w'); await writeChunks(h, [header, payload]); await h.sync(); await h.close();
 * ```
 */
export async function writeChunks(h: fsp.FileHandle, chunks: readonly Uint8Array[], opts?: ChunkOptions): Promise<void> {
  const chunk = chunkOf(opts);
  for (const c of chunks) {
    let off = 0;
    while (off < c.length) {
      const { bytesWritten } = await h.write(c, off, Math.min(chunk, c.length - off));
      if (bytesWritten <= 0) throw Object.assign(new Error(`write made no progress at byte ${off}`), { code: 'EIO' });
      off += bytesWritten;
    }
  }
}
