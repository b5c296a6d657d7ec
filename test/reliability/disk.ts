// Directory snapshots and a fault-injecting StoreFs for the reliability tests.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { nodeFs, type StoreFs } from '../../src/store/index.js';

/** Every file below `dir` (relative path → bytes as base64), directories as entries too. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(rel: string): Promise<void> {
    for (const e of await fsp.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.set(`${r}/`, '');
        await walk(r);
      } else out.set(r, (await fsp.readFile(path.join(dir, r))).toString('base64'));
    }
  }
  await walk('');
  return out;
}

/** Relative paths of the files below `dir`, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  return [...(await snapshot(dir)).keys()].filter((k) => !k.endsWith('/')).sort();
}

export type FaultKind = 'ENOSPC' | 'EIO' | 'short';

function errno(code: string, op: string, p: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: injected fault, ${op} '${p}'`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = op;
  e.path = p;
  return e;
}

/**
 * A StoreFs that forwards to the real one and fails call number `at` (1-based, counted over
 * every method) once: ENOSPC or EIO, or for a write a short write (the first half of the
 * data reaches the disk, then ENOSPC). `calls` counts calls; `at = 0` disables the fault.
 * `log` (when set) records each call's operation and path; `rmFails` makes every removal after
 * the fault fail with EIO (a cleanup that cannot clean up).
 */
export class FaultyFs implements StoreFs {
  at = 0;
  kind: FaultKind = 'EIO';
  calls = 0;
  fired = false;
  log: Array<{ op: string; path: string }> | null = null;
  rmFails = false;
  readonly #fs: StoreFs;
  constructor(inner: StoreFs = nodeFs) {
    this.#fs = inner;
  }
  arm(at: number, kind: FaultKind): void {
    this.at = at;
    this.kind = kind;
    this.calls = 0;
    this.fired = false;
  }
  async #gate(op: string, p: string): Promise<void> {
    this.log?.push({ op, path: p });
    if (++this.calls === this.at) {
      this.fired = true;
      throw errno(this.kind === 'short' ? 'EIO' : this.kind, op, p);
    }
  }
  readFile = async (p: string) => {
    await this.#gate('read', p);
    return this.#fs.readFile(p);
  };
  checksum = async (p: string) => {
    await this.#gate('read', p);
    return this.#fs.checksum(p);
  };
  writeFile = async (p: string, d: Uint8Array | string) => {
    this.log?.push({ op: 'write', path: p });
    if (++this.calls === this.at) {
      this.fired = true;
      if (this.kind === 'short') {
        await this.#fs.writeFile(p, typeof d === 'string' ? d.slice(0, d.length >> 1) : d.subarray(0, d.length >> 1));
        throw errno('ENOSPC', 'write', p);
      }
      throw errno(this.kind, 'write', p);
    }
    return this.#fs.writeFile(p, d);
  };
  rename = async (a: string, b: string) => {
    await this.#gate('rename', a);
    return this.#fs.rename(a, b);
  };
  mkdir = async (p: string) => {
    await this.#gate('mkdir', p);
    return this.#fs.mkdir(p);
  };
  rm = async (p: string) => {
    await this.#gate('rm', p);
    if (this.rmFails && this.fired) throw errno('EIO', 'rm', p);
    return this.#fs.rm(p);
  };
  readdir = async (p: string) => {
    await this.#gate('scandir', p);
    return this.#fs.readdir(p);
  };
  fsync = async (p: string) => {
    await this.#gate('fsync', p);
    return this.#fs.fsync(p);
  };
  stat = async (p: string) => {
    await this.#gate('stat', p);
    return this.#fs.stat(p);
  };
}

/**
 * Process-wide fault injection below the StoreFs seam: wraps node:fs/promises functions and
 * FileHandle methods (which every store's own saveFiles uses) so that call number `at` fails
 * once. `syncBuiltinESMExports` makes named ESM imports of node:fs/promises see the wrappers.
 * Returns the number of calls counted while `fn` ran.
 */
export async function withProcessFaults<T>(at: number, kind: FaultKind, fn: () => Promise<T>): Promise<{ calls: number; fired: boolean; result?: T; error?: unknown }> {
  const { syncBuiltinESMExports } = await import('node:module');
  const fs = await import('node:fs');
  const P = fs.promises as unknown as Record<string, unknown>;
  const h = await fs.promises.open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(h) as Record<string, unknown>;
  await h.close();
  let calls = 0;
  let fired = false;
  const saved: Array<[Record<string, unknown>, string, unknown]> = [];
  const wrap = (obj: Record<string, unknown>, name: string, dataArg: number) => {
    const orig = obj[name] as (...a: unknown[]) => Promise<unknown>;
    saved.push([obj, name, orig]);
    obj[name] = async function (this: unknown, ...a: unknown[]) {
      if (++calls === at) {
        fired = true;
        const p = typeof a[0] === 'string' ? a[0] : name;
        if (kind === 'short' && dataArg >= 0 && a.length > dataArg) {
          const d = a[dataArg];
          const b = a.slice();
          // write(buffer, offset, length, position): halve the length; else halve the data
          if (name === 'write' && typeof a[2] === 'number') b[2] = Math.floor(a[2] / 2);
          else b[dataArg] = typeof d === 'string' ? d.slice(0, d.length >> 1) : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength >> 1) : d;
          await orig.apply(this, b);
          throw errno('ENOSPC', name, p);
        }
        throw errno(kind === 'short' ? 'EIO' : kind, name, p);
      }
      return orig.apply(this, a);
    };
  };
  for (const n of ['readFile', 'open', 'rename', 'rm', 'unlink', 'mkdir', 'readdir', 'stat', 'copyFile']) wrap(P, n, -1);
  wrap(P, 'writeFile', 1);
  wrap(proto, 'write', 0);
  wrap(proto, 'writeFile', 0);
  wrap(proto, 'sync', -1);
  syncBuiltinESMExports();
  try {
    const result = await fn();
    return { calls, fired, result };
  } catch (error) {
    return { calls, fired, error };
  } finally {
    for (const [obj, name, orig] of saved) obj[name] = orig;
    syncBuiltinESMExports();
  }
}
