import * as fsp from 'node:fs/promises';
import { checksumFile, readLargeFile } from './large-file.js';

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
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rm(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /** fsync a file or directory (directories: best effort). */
  fsync(path: string): Promise<void>;
  /** `mtimeMs` dates superseded generations (optional: a seam without it lets them be removed at once). */
  stat(path: string): Promise<{ size: number; isDirectory: boolean; mtimeMs?: number } | null>;
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
  rename: (a, b) => fsp.rename(a, b),
  mkdir: async (p) => {
    await fsp.mkdir(p, { recursive: true });
  },
  rm: (p) => fsp.rm(p, { recursive: true, force: true }),
  readdir: (p) => fsp.readdir(p),
  fsync: fsyncPath,
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
