import * as fsp from 'node:fs/promises';
import { checksumFile, readLargeFile, writeChunks } from './large-file.js';

/**
 * The file-system operations the store uses, gathered in one seam so that tests can inject
 * faults (ENOSPC, EIO, short writes) and check that a failed save leaves the index on disk
 * unchanged.
 */
export interface StoreFs {
  /** Whole file, any size (chunked past the 2 GiB single-read limit). */
  readFile(path: string): Promise<Uint8Array>;
  /** Length and CRC-32 of a file, streamed (constant memory, any size). */
  checksum(path: string): Promise<{ bytes: number; crc32: number }>;
  /** Writes a whole file and fsyncs it (nodeFs does; the segment and manifest writers rely on it). */
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  /**
   * Writes `chunks`, concatenated, as a whole file of any size and fsyncs it (the segment
   * files). A seam without it gets one `writeFile` of the concatenated bytes (a copy): see
   * {@link writeChunksOf}.
   */
  writeChunks?(path: string, chunks: readonly Uint8Array[]): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rm(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /** fsync a file or directory (directories: best effort). */
  fsync(path: string): Promise<void>;
  /** `mtimeMs` dates superseded generations (optional: a seam without it lets them be removed at once). */
  stat(path: string): Promise<{ size: number; isDirectory: boolean; mtimeMs?: number } | null>;
  /**
   * Writes `data` at byte `position` of an existing file, without syncing, and returns how
   * many bytes the OS accepted (fewer than asked on a full disk). Used by the write-ahead
   * log; node:fs when absent.
   */
  writeAt?(path: string, data: Uint8Array, position: number): Promise<number>;
  /** Cuts a file to `length` bytes (write-ahead log); node:fs when absent. */
  truncate?(path: string, length: number): Promise<void>;
  /** True when `path` itself is a symbolic link (not followed); false when absent. node:fs when absent. */
  isSymlink?(path: string): Promise<boolean>;
}

/** `fs.isSymlink` or its node:fs default (lstat; a missing path is not a link). */
export function isSymlinkOf(fs: StoreFs): (path: string) => Promise<boolean> {
  return fs.isSymlink ? fs.isSymlink.bind(fs) : nodeIsSymlink;
}

async function nodeIsSymlink(p: string): Promise<boolean> {
  try {
    return (await fsp.lstat(p)).isSymbolicLink();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * `fs.writeChunks`, or for a seam without it one `fs.writeFile` of the concatenated chunks, so
 * that every write still goes through the seam the index was given.
 */
export function writeChunksOf(fs: StoreFs): (path: string, chunks: readonly Uint8Array[]) => Promise<void> {
  if (fs.writeChunks) return fs.writeChunks.bind(fs);
  return (p, chunks) => {
    if (chunks.length === 1) return fs.writeFile(p, chunks[0]!);
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return fs.writeFile(p, all);
  };
}

/** `fs.writeAt` or its node:fs default. */
export function writeAtOf(fs: StoreFs): (path: string, data: Uint8Array, position: number) => Promise<number> {
  return fs.writeAt ? fs.writeAt.bind(fs) : nodeWriteAt;
}
/** `fs.truncate` or its node:fs default. */
export function truncateOf(fs: StoreFs): (path: string, length: number) => Promise<void> {
  return fs.truncate ? fs.truncate.bind(fs) : (p, n) => fsp.truncate(p, n);
}

async function nodeWriteAt(p: string, data: Uint8Array, position: number): Promise<number> {
  const h = await fsp.open(p, 'r+');
  try {
    const { bytesWritten } = await h.write(data, 0, data.length, position);
    return bytesWritten;
  } finally {
    await h.close();
  }
}

async function fsyncPath(path: string): Promise<void> {
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(path, 'r');
    await h.sync();
  } catch (e) {
    // Directories cannot be fsynced on every platform; files must be.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw e;
  } finally {
    await h?.close();
  }
}

/** The real file system (node:fs/promises). */
export const nodeFs: StoreFs = {
  readFile: (p) => readLargeFile(p),
  checksum: (p) => checksumFile(p),
  writeFile: async (p, d) => {
    const h = await fsp.open(p, 'w');
    try {
      await h.writeFile(d);
      await h.sync();
    } finally {
      await h.close();
    }
  },
  writeChunks: async (p, chunks) => {
    const h = await fsp.open(p, 'w');
    try {
      await writeChunks(h, chunks);
      await h.sync();
    } finally {
      await h.close();
    }
  },
  rename: (a, b) => fsp.rename(a, b),
  mkdir: async (p) => {
    try {
      await fsp.mkdir(p, { recursive: true });
    } catch (e) {
      // recursive mkdir reports ENOENT on a read-only file system; a plain mkdir of the last
      // component (its parent exists) gives the real code, EROFS or EACCES
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      try {
        await fsp.mkdir(p);
      } catch (e2) {
        const code = (e2 as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return;
        throw code === 'ENOENT' ? e : e2;
      }
    }
  },
  rm: (p) => fsp.rm(p, { recursive: true, force: true }),
  readdir: (p) => fsp.readdir(p),
  fsync: fsyncPath,
  writeAt: nodeWriteAt,
  truncate: (p, n) => fsp.truncate(p, n),
  isSymlink: nodeIsSymlink,
  stat: async (p) => {
    try {
      const s = await fsp.stat(p);
      return { size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  },
};
