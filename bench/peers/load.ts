/**
 * Loading the peer libraries of the peers benchmark: each is an optional devDependency, so a
 * missing or broken one becomes a "skipped: <reason>" row instead of a failed run. Versions are
 * read from the installed package.json, so the report says exactly what was measured.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** A peer module, or why it could not be had. */
export type Loaded<T> = { ok: true; mod: T; version: string } | { ok: false; reason: string };

/** Why each peer may be absent when the import fails (shown beside the import error). */
const WHY: Record<string, string> = {
  'faiss-node': 'faiss-node is not a devDependency: its install downloads a prebuilt binary (not reachable here) or builds against a system libfaiss this machine lacks',
};

/**
 * Installed version of `pkg` ('' when its package.json cannot be found).
 *
 * @example
 * ```ts
 * packageVersion('usearch'); // '2.25.3'
 * ```
 */
export function packageVersion(pkg: string): string {
  try {
    // resolve the entry, then walk up to the package's own package.json
    let dir = dirname(require.resolve(pkg));
    for (let i = 0; i < 6; i++) {
      try {
        const j = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (j.name === pkg && j.version) return j.version;
      } catch {
        // not here
      }
      dir = dirname(dir);
    }
  } catch {
    // not resolvable
  }
  return '';
}

/**
 * Imports a peer, turning any failure into a reason.
 *
 * @example
 * ```ts
 * const m = await loadPeer<typeof import('minisearch')>('minisearch');
 * if (!m.ok) console.log(`skipped: ${m.reason}`);
 * ```
 */
export async function loadPeer<T>(pkg: string): Promise<Loaded<T>> {
  // LanceDB logs a deprecation warning on stderr for every query that selects columns: a
  // synchronous write that would be timed with each query. Errors only (LANCEDB_LOG wins if set).
  if (pkg === '@lancedb/lancedb') process.env.LANCEDB_LOG ??= 'error';
  try {
    const mod = (await import(pkg)) as T;
    return { ok: true, mod, version: packageVersion(pkg) };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? String(e);
    return { ok: false, reason: WHY[pkg] ? `${WHY[pkg]} (${msg})` : `cannot load ${pkg}: ${msg}` };
  }
}
