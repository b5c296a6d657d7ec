// Two processes, one directory (issue 13, item 9), with real child processes:
// - one writer per directory: a second writer (another process, or another instance in this
//   one) gets INDEX_LOCKED and changes nothing; racing processes never both win a stale lock;
// - a writer killed with SIGKILL leaves a stale lock that the next open recovers; a lock of
//   another host, or of a live process, is never broken;
// - readers ({ readOnly: true }) open in a loop beside a writer that saves in a loop: no error,
//   and every read is one whole saved generation;
// - a read-only open leaves every byte of the directory as it was.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { DirectoryLock, LOCK_FILE, WAL_FILE } from '../../src/store/index.js';
import { breakStale } from '../../src/store/lock-file.js';
import { StorageError, type TridentError } from '../../src/errors.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { lockDoc, LOCK_CONFIG } from './lock/docs.js';
import { bundleLockChild, runChild, startChild } from './lock/run.js';

let child: string;
let work: string;
let dir: string;
let n = 0;
beforeAll(async () => {
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-lock-'));
  child = await bundleLockChild();
});
afterAll(async () => {
  await fsp.rm(work, { recursive: true, force: true });
  if (child) await fsp.rm(child, { force: true });
});
beforeEach(() => {
  dir = path.join(work, `idx-${n++}`);
});

/** sha256 of every file (path + bytes) and folder below `root`, in sorted order. */
async function hashTree(root: string): Promise<string> {
  const h = createHash('sha256');
  async function walk(rel: string): Promise<void> {
    const entries = (await fsp.readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      h.update(`${r}\0`);
      if (e.isDirectory()) await walk(r);
      else h.update(await fsp.readFile(path.join(root, r)));
    }
  }
  await walk('');
  return h.digest('hex');
}

async function savedIndex(p: string, docs: number, extra: Record<string, unknown> = {}): Promise<void> {
  const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: p, ...LOCK_CONFIG, ...extra });
  await index.add(Array.from({ length: docs }, (_, i) => lockDoc(i)));
  await index.save();
  await index.close();
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** Linux: start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22). */
function procStartOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

function writeLockFile(p: string, owner: Record<string, unknown>): void {
  fs.writeFileSync(path.join(p, LOCK_FILE), JSON.stringify({ hostname: os.hostname(), startedAt: 'x', procStart: null, bootId: null, token: 'ab'.repeat(12), ...owner }));
}

describe('one writer per index directory', () => {
  it('a second writer process gets INDEX_LOCKED while the first holds the index, and nothing is lost', async () => {
    await savedIndex(dir, 10);
    const first = startChild(child, { op: 'writer', dir, add: 7 });
    expect(await first.waitFor(/^READY/)).toBe('READY 17');
    // the second writer: refused, whether it opens or creates (with or without overwrite)
    expect(await runChild(child, { op: 'try-open', dir })).toEqual(['ERROR INDEX_LOCKED']);
    const err = await HybridIndex.open(dir, { encoder: new FakeEncoder() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('INDEX_LOCKED');
    expect((err as Error).message).toContain(`process ${first.proc.pid} on ${os.hostname()}`);
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), path: dir, overwrite: true })).rejects.toMatchObject({ code: 'INDEX_LOCKED' });
    // a reader is welcome meanwhile, and sees the last saved generation
    const reader = await HybridIndex.open(dir, { encoder: new FakeEncoder(), readOnly: true });
    expect(reader.size).toBe(10);
    await reader.close();
    first.proc.stdin!.end(); // the first writer saves its 17 and closes (releasing the lock)
    expect((await first.exited).code).toBe(0);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(await runChild(child, { op: 'try-open', dir })).toEqual(['OPENED 17']);
  });

  it('the lock does not depend on the native addon: a writer without it excludes one with it, and back', async () => {
    await savedIndex(dir, 2);
    const noAddon = { TRIDENT_NATIVE_DIR: path.join(work, 'no-addon-here') };
    for (const [holderEnv, otherEnv] of [
      [noAddon, {}],
      [{}, noAddon],
    ] as const) {
      const holder = startChild(child, { op: 'writer', dir }, holderEnv);
      expect(await holder.waitFor(/^BACKEND/)).toBe(holderEnv === noAddon ? 'BACKEND js' : 'BACKEND native');
      await holder.waitFor(/^READY/);
      expect(await runChild(child, { op: 'try-open', dir }, otherEnv)).toEqual(['ERROR INDEX_LOCKED']);
      holder.proc.stdin!.end();
      expect((await holder.exited).code).toBe(0);
    }
  });

  it('a second writer in the same process gets INDEX_LOCKED until the first closes', async () => {
    await savedIndex(dir, 3);
    const a = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    await expect(HybridIndex.open(dir, { encoder: new FakeEncoder() })).rejects.toMatchObject({ code: 'INDEX_LOCKED' });
    await expect(HybridIndex.open(path.join(dir, '.'), { encoder: new FakeEncoder() })).rejects.toMatchObject({ code: 'INDEX_LOCKED' });
    // a save to another index's directory is a writer there too
    const other = await HybridIndex.create({ encoder: new FakeEncoder(), ...LOCK_CONFIG });
    await expect(other.save(dir)).rejects.toMatchObject({ code: 'INDEX_LOCKED' });
    await a.close();
    const b = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    expect(b.size).toBe(3);
    await b.close();
    await other.close();
  });

  it('the lock follows save(otherDir), and a process that exits without close() releases it', async () => {
    const a = `${dir}-a`;
    const b = `${dir}-b`;
    await savedIndex(a, 2);
    const index = await HybridIndex.open(a, { encoder: new FakeEncoder() });
    await index.save(b); // the index now lives in b: a is free, b is held
    expect(fs.existsSync(path.join(a, LOCK_FILE))).toBe(false);
    await expect(HybridIndex.open(b, { encoder: new FakeEncoder() })).rejects.toMatchObject({ code: 'INDEX_LOCKED' });
    const again = await HybridIndex.open(a, { encoder: new FakeEncoder() });
    await again.close();
    await index.close();
    expect(await runChild(child, { op: 'exit-holding', dir: b })).toEqual(['OPENED']);
    expect(await fsp.readdir(b)).not.toContain(LOCK_FILE);
  });

  it('processes racing for one stale lock: exactly one wins', async () => {
    await fsp.mkdir(dir);
    for (let round = 0; round < 3; round++) {
      writeLockFile(dir, { pid: deadPid() });
      const racers = Array.from({ length: 6 }, () => startChild(child, { op: 'race', dir }));
      const outcomes = await Promise.all(racers.map((r) => r.waitFor(/^(GOT|ERROR)/)));
      expect(outcomes.filter((o) => o === 'GOT')).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'GOT')).toEqual(Array(5).fill('ERROR INDEX_LOCKED'));
      for (const r of racers) r.proc.stdin!.end();
      await Promise.all(racers.map((r) => r.exited));
      // nothing of the protocol is left behind
      expect(await fsp.readdir(dir)).toEqual([]);
    }
  });
});

describe('stale locks', () => {
  it('a writer killed with SIGKILL leaves a lock that the next open recovers', async () => {
    await savedIndex(dir, 4, { wal: true });
    const victim = startChild(child, { op: 'writer', dir, add: 6 });
    expect(await victim.waitFor(/^READY/)).toBe('READY 10');
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(victim.proc.pid);
    victim.proc.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true); // left behind
    // the next writer recovers the lock, and the six logged adds
    expect(await runChild(child, { op: 'try-open', dir })).toEqual(['OPENED 10']);
    const index = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    expect(index.size).toBe(10);
    await index.close();
    expect(await fsp.readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('recovers a lock whose pid was reused by another process, or that predates a reboot', async () => {
    await savedIndex(dir, 2);
    // this very process, but started at another time: the pid was reused
    writeLockFile(dir, { pid: process.pid, procStart: procStartOf(process.pid) + 1 });
    const a = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    await a.close();
    writeLockFile(dir, { pid: process.pid, bootId: 'not-this-boot' });
    const b = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    await b.close();
  });

  it('never breaks the lock of a live process, of another host, or an unreadable lock', async () => {
    await savedIndex(dir, 2);
    await fsp.mkdir(`${dir}-elsewhere`);
    const live = startChild(child, { op: 'race', dir: `${dir}-elsewhere` });
    expect(await live.waitFor(/^(GOT|ERROR)/)).toBe('GOT');
    const procStart = procStartOf(live.proc.pid!);
    for (const owner of [
      { pid: live.proc.pid, procStart },
      { pid: deadPid(), hostname: 'some-other-host' },
    ]) {
      writeLockFile(dir, owner);
      const before = fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8');
      const err = await HybridIndex.open(dir, { encoder: new FakeEncoder() }).catch((e: unknown) => e);
      expect((err as TridentError).code).toBe('INDEX_LOCKED');
      expect((err as Error).message).toContain(owner.hostname ?? os.hostname());
      expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(before);
    }
    fs.writeFileSync(path.join(dir, LOCK_FILE), 'garbage');
    await expect(HybridIndex.open(dir, { encoder: new FakeEncoder() })).rejects.toMatchObject({ code: 'INDEX_LOCKED' });
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe('garbage');
    live.proc.stdin!.end();
    await live.exited;
  });

  it('a copy of a directory whose writer is running (cp -r) opens: the copied lock guards the original only', async () => {
    await savedIndex(dir, 3);
    const holder = startChild(child, { op: 'writer', dir, add: 0 });
    await holder.waitFor(/^READY/);
    const copy = `${dir}-copy`;
    await fsp.cp(dir, copy, { recursive: true });
    expect(fs.existsSync(path.join(copy, LOCK_FILE))).toBe(true);
    const c = await HybridIndex.open(copy, { encoder: new FakeEncoder() });
    expect(c.size).toBe(3);
    await c.close();
    expect(await runChild(child, { op: 'try-open', dir })).toEqual(['ERROR INDEX_LOCKED']);
    holder.proc.stdin!.end();
    await holder.exited;
  });

  it('a breaker that read an older (stale) lock never removes the live lock that replaced it', async () => {
    await fsp.mkdir(dir);
    const live = DirectoryLock.acquire(dir);
    const before = fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8');
    breakStale(path.join(dir, LOCK_FILE), 'cd'.repeat(12), 0); // the token it read earlier
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(before);
    expect(await fsp.readdir(dir)).toEqual([LOCK_FILE]);
    live.release();
  });

  it('a break guard left by a dead breaker does not block recovery, and is cleaned up', async () => {
    await savedIndex(dir, 1);
    const stale = 'ef'.repeat(12);
    writeLockFile(dir, { pid: deadPid(), token: stale });
    fs.writeFileSync(path.join(dir, `${LOCK_FILE}.break-${stale}`), JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startedAt: 'x', procStart: null, bootId: null, token: '12'.repeat(12) }));
    const index = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    expect((await fsp.readdir(dir)).filter((f) => f.startsWith(LOCK_FILE))).toEqual([LOCK_FILE]);
    await index.close();
  });

  it('DirectoryLock: acquire, refuse, release (idempotent), reacquire; INDEX_NOT_FOUND for a missing directory', async () => {
    await fsp.mkdir(dir);
    const l = DirectoryLock.acquire(dir);
    expect(() => DirectoryLock.acquire(dir)).toThrow(/INDEX_LOCKED/);
    l.release();
    l.release();
    expect(l.held).toBe(false);
    expect(await fsp.readdir(dir)).toEqual([]);
    DirectoryLock.acquire(dir).release();
    expect(() => DirectoryLock.acquire(path.join(dir, 'missing'))).toThrow(/INDEX_NOT_FOUND/);
  });
});

describe('readers beside a writer', () => {
  it.each(['default', 'segments'] as const)(
    'readers opening in a loop while a writer saves in a loop: no error, every read one whole saved generation (storage %s)',
    async (storage) => {
      const writer = startChild(child, { op: 'save-loop', dir, ...(storage === 'segments' ? { storage } : {}) });
      await writer.waitFor(/^SAVED 5$/); // a few generations exist
      const READS = 200;
      // segment saves are slower: readers pause between opens so that their reads span several saves
      const readers = [0, 1].map(() => runChild(child, { op: 'read-loop', dir, reads: READS / 2, ...(storage === 'segments' ? { pauseMs: 25 } : {}) }));
      const lines = (await Promise.all(readers)).flat();
      writer.proc.stdin!.end();
      expect((await writer.exited).code).toBe(0);
      const saved = new Set(writer.lines.filter((l) => l.startsWith('SAVED ')).map((l) => Number(l.slice(6))));
      const errors = lines.filter((l) => !l.startsWith('READ '));
      expect(errors).toEqual([]);
      expect(lines).toHaveLength(READS);
      const sizes = lines.map((l) => Number(l.slice(5)));
      for (const s of sizes) expect(saved.has(s), `a read saw ${s} documents, which no save wrote`).toBe(true);
      // the reads overlapped the saves: they saw several generations
      expect(new Set(sizes).size).toBeGreaterThanOrEqual(3);
      console.log(`[lock] ${storage}: ${READS} read-only opens beside ${saved.size} saves: 0 errors, ${new Set(sizes).size} distinct generations seen`);
    },
    300_000,
  );

  it('a read-only open leaves every byte of the directory as it was (torn log, leftovers, stale lock)', async () => {
    await savedIndex(dir, 5, { wal: true });
    // a writer killed mid-append left a torn log record, the leftovers of an unfinished save,
    // a temporary log and its stale lock: a writing open would change all of these
    const victim = startChild(child, { op: 'writer', dir, add: 3 });
    await victim.waitFor(/^READY/);
    victim.proc.kill('SIGKILL');
    await victim.exited;
    await fsp.appendFile(path.join(dir, WAL_FILE), Buffer.from([99, 0, 0, 0, 1, 2, 3]));
    await fsp.mkdir(path.join(dir, 'gen-000099.tmp'));
    await fsp.writeFile(path.join(dir, 'gen-000099.tmp', 'x.bin'), 'partial');
    await fsp.writeFile(path.join(dir, `${WAL_FILE}.tmp`), 'partial log');
    const before = await hashTree(dir);
    for (let i = 0; i < 3; i++) {
      const r = await HybridIndex.open(dir, { encoder: new FakeEncoder(), readOnly: true });
      expect(r.size).toBe(5); // the saved generation (the log is the writer's to replay)
      expect((await r.search('uniq4', { k: 1, mode: 'bm25' }))[0]!.id).toBe('d4');
      for (const call of [() => r.add([lockDoc(50)]), () => r.update([lockDoc(1)]), () => r.delete(['d1']), () => r.save()]) {
        await expect(call()).rejects.toMatchObject({ code: 'INDEX_READ_ONLY' });
      }
      await r.close();
      expect(await hashTree(dir)).toBe(before);
    }
    // the oracle that this directory is one a writer changes: a writing open does
    const w = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    expect(w.size).toBe(8);
    await w.close();
    expect(await hashTree(dir)).not.toBe(before);
  });
});
