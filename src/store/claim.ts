/**
 * Claiming a directory for a new index (`HybridIndex.create({ path })`): never replaces an
 * index or mixes with a user's files unless asked to.
 */
import { rmdir } from 'node:fs/promises';
import * as path from 'node:path';
import { InvalidArgumentError, StorageError, TridentError } from '../errors.js';
import { inspectDirectory } from './directory.js';
import { nodeFs, type StoreFs } from './fs-seam.js';
import { DirectoryLock } from './lock-file.js';

/**
 * Creates `dir` if needed, takes its writer lock and checks what it holds:
 * - an index (`manifest.json`): INDEX_EXISTS unless `overwrite` (the new index replaces it at
 *   its first save; until then the old one stays readable);
 * - other files: DIRECTORY_NOT_EMPTY unless `overwrite` (they are left alone: saves only
 *   write `manifest.json`, `gen-*` folders and, with the WAL, `wal.log`);
 * - nothing (or only leftovers of a first save that never committed): claimed.
 * A refusal releases the lock and leaves the directory as it was (a directory this call
 * created is removed again). INDEX_LOCKED when another writer holds it.
 *
 * @example
 * ```ts
 * const lock = await claimIndexDirectory('./my-index', { overwrite: false });
 * ```
 */
export async function claimIndexDirectory(dir: string, opts: { overwrite?: boolean; fs?: StoreFs } = {}): Promise<DirectoryLock> {
  const fs = opts.fs ?? nodeFs;
  const st = await fs.stat(dir).catch(() => null);
  if (st && !st.isDirectory) throw new InvalidArgumentError('INVALID_ARGUMENT', `path ${dir} is a file, not a directory; give create() a directory for the index`);
  if (!st) {
    try {
      await fs.mkdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code ?? 'unknown';
      throw new StorageError('IO_ERROR', `creating ${dir} failed (${code}): ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
  let lock: DirectoryLock | null = null;
  try {
    lock = DirectoryLock.acquire(dir);
    if (opts.overwrite) return lock;
    const found = await inspectDirectory(dir, fs);
    if (found.kind === 'index') {
      throw new StorageError('INDEX_EXISTS', `${dir} already holds a trident index; open it with HybridIndex.open(path, { encoder }) to add to it, or pass { overwrite: true } (CLI: --force) to replace it at the next save()`, { file: 'manifest.json' });
    }
    if (found.kind === 'other') {
      const shown = found.names.slice(0, 5).join(', ') + (found.names.length > 5 ? `, … (${found.names.length} entries)` : '');
      throw new StorageError('DIRECTORY_NOT_EMPTY', `${dir} is not empty and holds no trident index (${shown}); choose an empty or new directory, or pass { overwrite: true } (CLI: --force) to create the index beside those files (they are left alone)`);
    }
    return lock;
  } catch (e) {
    lock?.release();
    // only an empty folder this call created (never recursively: another process may own it now)
    if (!st) await rmdir(path.resolve(dir)).catch(() => undefined);
    if (e instanceof TridentError) throw e;
    throw new StorageError('IO_ERROR', `claiming ${dir} failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}
