// Spawns lock-test children (lock/child.ts, bundled once with esbuild so that each starts in a
// fraction of a second) and reads their stdout lines.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChildScript } from '../../helpers/bundle-child.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles lock/child.ts into node_modules/.cache (so its bare imports resolve); returns its path. */
export function bundleLockChild(): Promise<string> {
  return bundleChildScript('test/reliability/lock/child.ts', 'trident-lock');
}

/** A running child: its stdout lines so far, a wait for a line, and its exit. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line (from the start) that matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** `env` is added to the environment (e.g. TRIDENT_NATIVE_DIR pointing nowhere: no addon). */
export function startChild(child: string, args: Record<string, unknown>, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [child, JSON.stringify(args)], {
    env: { ...process.env, TRIDENT_NATIVE_DIR: path.join(ROOT, 'native'), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return {
    proc,
    lines,
    exited,
    waitFor(re, timeoutMs = 60_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`child did not print ${re} within ${timeoutMs} ms; stdout: ${lines.join(' | ')}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
        void exited.then(() => {
          const i = waiters.findIndex((w) => w.re === re);
          if (i >= 0) {
            waiters.splice(i, 1);
            clearTimeout(t);
            reject(new Error(`child exited without printing ${re}; stdout: ${lines.join(' | ')}; stderr: ${stderr}`));
          }
        });
      });
    },
  };
}

/** Runs a child to completion (closing its stdin at once) and returns its lines. */
export async function runChild(child: string, args: Record<string, unknown>, env: Record<string, string> = {}): Promise<string[]> {
  const c = startChild(child, args, env);
  c.proc.stdin!.end();
  const r = await c.exited;
  if (r.code !== 0) throw new Error(`child ${JSON.stringify(args)} failed (code ${r.code}, signal ${r.signal}): ${r.stderr}`);
  return c.lines;
}
