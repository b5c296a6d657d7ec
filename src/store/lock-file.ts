/**
 * One writer per index directory: an exclusive lock file `<dir>/writer.lock` that names its
 * owner (pid, hostname, process start time, Linux boot id).
 *
 * Why a lock file and not `flock(2)` through the native addon: the addon is optional (an
 * index must work, and exclude other writers, on the TypeScript kernels when it did not
 * build), and two processes must agree on one mechanism — a process on the TS kernels using a
 * lock file and one with the addon using `flock` would not see each other. A lock file works
 * the same everywhere Node runs, on network file systems where `flock` is emulated or
 * absent, and tells a person who holds the index. Its cost is stale-lock recovery, which the
 * kernel does for `flock`: a lock whose owner is dead (same host, and the pid no longer exists,
 * is a zombie, or belongs to a later process — its start time differs — or the machine
 * rebooted since), or that was copied along with the directory (it records the directory's
 * device and inode), is removed by the next writer. A lock held by another host cannot be
 * checked and is never broken: INDEX_LOCKED names the host and pid, and the file may be
 * removed by hand once that process is known to be gone.
 *
 * Protocol (no step can let two live writers hold the lock):
 * - acquire: write the owner record to a private candidate file, then `link()` it to
 *   `writer.lock` (atomic, fails with EEXIST if the lock exists; the lock file is never seen
 *   half-written). File systems without hard links fall back to `open(O_CREAT|O_EXCL)`.
 * - break a stale lock with token T: only the holder of `writer.lock.break-T` (taken the same
 *   way) may remove a lock whose token is T; it re-reads the lock under that guard and
 *   removes it only if it still holds T. A live lock has another token, so it cannot be
 *   removed by a breaker that read an older one. A break guard whose owner died is itself
 *   broken by the same rule (bounded depth).
 * - release (close(), or process exit, best effort): remove the lock if it still holds our token.
 *
 * All I/O here is synchronous (tiny files; the exit hook must be synchronous) and bypasses the
 * StoreFs seam: the lock guards the directory, it is not part of the index.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StorageError } from '../errors.js';

/** File name of the writer lock inside an index directory. */
export const LOCK_FILE = 'writer.lock';

/** What the lock file records about its owner. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Process start time, ISO 8601 (for people). */
  startedAt: string;
  /** Linux: process start in clock ticks since boot (`/proc/<pid>/stat` field 22); detects pid reuse. */
  procStart: number | null;
  /** Linux: `/proc/sys/kernel/random/boot_id`; a lock from before a reboot is stale. */
  bootId: string | null;
  /** Unique per acquisition. */
  token: string;
  /** `dev:ino` of the locked directory: a lock copied along with the directory is not a lock of the copy. */
  dirId?: string | null;
}

/** Files of the lock protocol (never index data): `writer.lock`, its guards and candidates. */
export function isLockArtifact(name: string): boolean {
  return name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`);
}

function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/** Linux: start time (ticks since boot) of `pid`, and whether it is a zombie; null elsewhere. */
function procInfo(pid: number): { start: number; zombie: boolean } | null {
  const s = readText(`/proc/${pid}/stat`);
  if (s === null) return null;
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields 3.. (comm may hold spaces)
  const start = Number(rest[19]);
  return Number.isFinite(start) ? { start, zombie: rest[0] === 'Z' } : null;
}

let selfOwner: Omit<LockOwner, 'token'> | null = null;
function self(): Omit<LockOwner, 'token'> {
  selfOwner ??= {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    procStart: procInfo(process.pid)?.start ?? null,
    bootId: readText('/proc/sys/kernel/random/boot_id')?.trim() ?? null,
  };
  return selfOwner;
}

function parseOwner(text: string | null): LockOwner | null {
  if (text === null) return null;
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (!o || !Number.isSafeInteger(o.pid) || typeof o.hostname !== 'string' || typeof o.token !== 'string' || !/^[0-9a-f]{16,64}$/.test(o.token)) return null;
    return { pid: o.pid!, hostname: o.hostname, startedAt: String(o.startedAt ?? '?'), procStart: typeof o.procStart === 'number' ? o.procStart : null, bootId: typeof o.bootId === 'string' ? o.bootId : null, token: o.token, dirId: typeof o.dirId === 'string' ? o.dirId : null };
  } catch {
    return null;
  }
}

/** `dev:ino` of a directory (null if it cannot be read). */
function dirIdOf(dir: string): string | null {
  try {
    const st = fs.statSync(dir, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/**
 * Tokens of the locks this process holds, shared by every copy of this module loaded in the
 * process: a lock file naming this process with a token outside the set is not held by it.
 */
const HELD_KEY = Symbol.for('trident.heldLockTokens');
(globalThis as Record<symbol, unknown>)[HELD_KEY] ??= new Set<string>();
const heldTokens = (globalThis as Record<symbol, unknown>)[HELD_KEY] as Set<string>;

/**
 * 'dead' only when certain; another host's process is 'unknown' (never broken). `dir` is the
 * directory the lock file was found in: a lock recorded for another directory was copied
 * along with it (e.g. `cp -r` of an open index) and guards nothing here.
 */
export function ownerState(o: LockOwner, dir?: string): 'alive' | 'dead' | 'unknown' {
  const me = self();
  if (dir !== undefined && o.dirId) {
    const id = dirIdOf(dir);
    if (id !== null && id !== o.dirId) return 'dead';
  }
  if (o.hostname !== me.hostname) return 'unknown';
  if (o.bootId && me.bootId && o.bootId !== me.bootId) return 'dead';
  if (o.pid === me.pid && (o.procStart === null || o.procStart === me.procStart)) return heldTokens.has(o.token) ? 'alive' : 'dead';
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const info = procInfo(o.pid);
  if (info === null) return 'alive';
  if (info.zombie) return 'dead';
  return o.procStart !== null && info.start !== o.procStart ? 'dead' : 'alive';
}

/** Locks this process holds, by lock-file path (released at exit, best effort). */
const held = new Map<string, DirectoryLock>();
let exitHooked = false;

function lockedError(dir: string, o: LockOwner | null, why: string): StorageError {
  const who = o ? `process ${o.pid} on ${o.hostname} (started ${o.startedAt})` : 'an unknown owner (unreadable lock file)';
  return new StorageError('INDEX_LOCKED', `${dir} is open for writing by ${who}${why}; close it there first, or open this one with { readOnly: true }. If no process uses the index any more, delete ${path.join(dir, LOCK_FILE)}`, { file: LOCK_FILE });
}

function ioError(what: string, e: unknown): StorageError {
  const code = (e as NodeJS.ErrnoException)?.code ?? 'unknown';
  return new StorageError('IO_ERROR', `${what} failed (${code}): ${(e as Error)?.message ?? String(e)}`, { cause: e, file: LOCK_FILE });
}

/**
 * Creates `target` holding `owner`, atomically and exclusively. Returns false if it exists.
 */
function createExclusive(target: string, owner: LockOwner): boolean {
  const body = JSON.stringify(owner);
  const candidate = `${path.join(path.dirname(target), LOCK_FILE)}.tmp-${owner.token}`;
  fs.writeFileSync(candidate, body, { flag: 'wx' });
  try {
    fs.linkSync(candidate, target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // no hard links here: exclusive create (the content follows at once)
    try {
      fs.writeFileSync(target, body, { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    fs.rmSync(candidate, { force: true });
  }
}

/**
 * Removes the lock file `file` if it still holds `token` (whose owner is dead), under the
 * guard `<file>.break-<token>`. Returns after one attempt; the caller re-reads the lock.
 * Exported for tests only (a breaker that read an older lock must not remove a newer one).
 *
 * @example
 * ```ts
 * breakStale(path.join(dir, LOCK_FILE), staleOwner.token, 0);
 * ```
 */
export function breakStale(file: string, token: string, depth: number): void {
  const guard = `${path.join(path.dirname(file), LOCK_FILE)}.break-${token}`;
  const mine: LockOwner = { ...self(), token: randomBytes(12).toString('hex') };
  if (!createExclusive(guard, mine)) {
    const other = parseOwner(readText(guard));
    if (other && depth < 4 && ownerState(other, path.dirname(file)) === 'dead') breakStale(guard, other.token, depth + 1);
    return;
  }
  try {
    if (parseOwner(readText(file))?.token === token) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/**
 * The writer lock of one index directory, held by this process until {@link release}.
 *
 * @example
 * ```ts
 * const lock = DirectoryLock.acquire('/data/my-index'); // INDEX_LOCKED if another writer holds it
 * try { … } finally { lock.release(); }
 * ```
 */
export class DirectoryLock {
  readonly dir: string;
  readonly file: string;
  readonly #token: string;
  #released = false;

  private constructor(dir: string, token: string) {
    this.dir = dir;
    this.file = path.join(dir, LOCK_FILE);
    this.#token = token;
  }

  /**
   * Takes the writer lock of `dir` (which must exist). Throws StorageError INDEX_LOCKED when
   * another live writer (in this or another process) holds it, INDEX_NOT_FOUND when `dir`
   * does not exist, IO_ERROR when the lock file cannot be written (e.g. a read-only file
   * system: open with `{ readOnly: true }`). A stale lock (its owner is dead) is recovered.
   */
  static acquire(dir: string): DirectoryLock {
    const resolved = path.resolve(dir);
    const file = path.join(resolved, LOCK_FILE);
    const inProcess = held.get(file);
    if (inProcess) throw lockedError(dir, { ...self(), token: '' }, ' (this process: another HybridIndex instance)');
    const owner: LockOwner = { ...self(), token: randomBytes(12).toString('hex'), dirId: dirIdOf(resolved) };
    for (let attempt = 0; attempt < 20; attempt++) {
      let created: boolean;
      try {
        created = createExclusive(file, owner);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          throw new StorageError('INDEX_NOT_FOUND', `no index directory at ${dir}; create one with HybridIndex.create({ path })`, { cause: e });
        }
        throw ioError(`taking the writer lock of ${dir}`, e);
      }
      if (created) {
        const lock = new DirectoryLock(resolved, owner.token);
        held.set(file, lock);
        heldTokens.add(owner.token);
        if (!exitHooked) {
          exitHooked = true;
          process.once('exit', () => {
            for (const l of [...held.values()]) l.release();
          });
        }
        lock.#collectLeftovers();
        return lock;
      }
      const text = readText(file);
      if (text === null) continue; // released (or broken) meanwhile: try again
      const other = parseOwner(text);
      if (other === null) throw lockedError(dir, null, '');
      const state = ownerState(other, resolved);
      if (state !== 'dead') throw lockedError(dir, other, state === 'unknown' ? ' (another host: cannot tell whether it still runs)' : '');
      breakStale(file, other.token, 0);
      if (attempt > 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // another breaker is at work
    }
    throw lockedError(dir, parseOwner(readText(file)), ' (the lock changed hands repeatedly)');
  }

  /** Whether this lock is still held (not released). */
  get held(): boolean {
    return !this.#released;
  }

  /** Removes the lock file if it still names this lock. Idempotent; never throws. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (held.get(this.file) === this) held.delete(this.file);
    heldTokens.delete(this.#token);
    try {
      if (parseOwner(readText(this.file))?.token === this.#token) fs.rmSync(this.file, { force: true });
    } catch {
      // best effort: a lock left behind is recovered as stale once this process is gone
    }
  }

  /** Removes guards and candidates left by dead processes (best effort). */
  #collectLeftovers(): void {
    try {
      for (const name of fs.readdirSync(this.dir)) {
        if (!name.startsWith(`${LOCK_FILE}.`)) continue;
        const p = path.join(this.dir, name);
        const o = parseOwner(readText(p));
        if (o && o.token !== this.#token && ownerState(o, this.dir) === 'dead') fs.rmSync(p, { force: true });
      }
    } catch {
      // best effort
    }
  }
}
