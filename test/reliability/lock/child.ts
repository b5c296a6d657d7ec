// Child process of lock.test.ts (bundled with esbuild, like the crash child). argv[2] is JSON
// { op, dir, ... }; every outcome is one stdout line, read by the parent:
// - 'writer':       open (or create, if `create`) the index for writing, add `add` documents,
//                   print "BACKEND <native|js>" and "READY <size>", then wait until stdin closes (or a SIGKILL).
// - 'try-open':     open for writing; print "OPENED <size>" or "ERROR <code>".
// - 'exit-holding': open for writing, print "OPENED", process.exit(0) without close().
// - 'race':         DirectoryLock.acquire(dir); print "GOT" (then hold it until stdin closes)
//                   or "ERROR <code>".
// - 'save-loop':    create the index, then until stdin closes: add 5 documents, save, print
//                   "SAVED <size>".
// - 'read-loop':    `reads` times: open with { readOnly: true }, check the index is one whole
//                   generation (see below), print "READ <size>" or "ERROR <code> <message>".
import { HybridIndex } from '../../../src/hybrid/index.js';
import { DirectoryLock } from '../../../src/store/index.js';
import { backend } from '../../../src/kernels/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { lockDoc, LOCK_CONFIG } from './docs.js';

const args = JSON.parse(process.argv[2]!) as { op: string; dir: string; create?: boolean; add?: number; reads?: number; storage?: 'segments'; pauseMs?: number };
const encoder = new FakeEncoder();
const say = (line: string) => process.stdout.write(`${line}\n`);
const stdinClosed = new Promise<void>((resolve) => {
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', resolve);
  process.stdin.on('close', resolve);
});
const codeOf = (e: unknown) => (e as { code?: string })?.code ?? 'UNTYPED';

async function addDocs(index: HybridIndex, n: number): Promise<void> {
  const from = index.size;
  await index.add(Array.from({ length: n }, (_, i) => lockDoc(from + i)));
}

/**
 * A whole generation of `size` documents holds exactly documents 0..size-1: the first and the
 * last are found by their unique BM25 term, document `size` is not, and every store has `size`
 * rows. A mix of two generations (entries of one, a store of another) fails one of these.
 */
async function checkWhole(index: HybridIndex): Promise<string | null> {
  const n = index.size;
  const stats = index.stats() as { dense: { size: number } | null; entries: number };
  if (stats.dense?.size !== n || stats.entries !== n) return `stores disagree: ${JSON.stringify(stats)} for ${n} documents`;
  for (const i of n > 0 ? [0, n - 1] : []) {
    const hits = await index.search(`uniq${i}`, { k: 2, mode: 'bm25' });
    if (hits.length !== 1 || hits[0]!.id !== `d${i}`) return `document d${i} of ${n} not found by its own term (${JSON.stringify(hits.map((h) => h.id))})`;
  }
  if ((await index.search(`uniq${n}`, { k: 2, mode: 'bm25' })).length !== 0) return `document d${n} found in an index of ${n}`;
  return null;
}

switch (args.op) {
  case 'writer': {
    const index = args.create ? await HybridIndex.create({ encoder, path: args.dir, ...LOCK_CONFIG }) : await HybridIndex.open(args.dir, { encoder });
    await addDocs(index, args.add ?? 0);
    say(`BACKEND ${backend().kind}`);
    say(`READY ${index.size}`);
    await stdinClosed;
    await index.save();
    await index.close();
    break;
  }
  case 'exit-holding': {
    // opens for writing and exits without close(): the exit hook removes the lock
    await HybridIndex.open(args.dir, { encoder });
    say('OPENED');
    process.exit(0);
    break; // not reached: process.exit() never returns
  }
  case 'try-open': {
    try {
      const index = await HybridIndex.open(args.dir, { encoder });
      say(`OPENED ${index.size}`);
      await index.close();
    } catch (e) {
      say(`ERROR ${codeOf(e)}`);
    }
    break;
  }
  case 'race': {
    try {
      const lock = DirectoryLock.acquire(args.dir);
      say('GOT');
      await stdinClosed;
      lock.release();
    } catch (e) {
      say(`ERROR ${codeOf(e)}`);
    }
    break;
  }
  case 'save-loop': {
    const index = await HybridIndex.create({ encoder, path: args.dir, ...LOCK_CONFIG, ...(args.storage ? { storage: args.storage } : {}) });
    await index.save();
    say(`SAVED ${index.size}`);
    let open = true;
    void stdinClosed.then(() => (open = false));
    while (open) {
      await addDocs(index, 5);
      await index.save();
      say(`SAVED ${index.size}`);
    }
    await index.close();
    break;
  }
  case 'read-loop': {
    for (let i = 0; i < (args.reads ?? 100); i++) {
      try {
        const index = await HybridIndex.open(args.dir, { encoder, readOnly: true });
        const bad = await checkWhole(index);
        say(bad ? `ERROR MIXED ${bad}` : `READ ${index.size}`);
        await index.close();
        if (args.pauseMs) await new Promise((r) => setTimeout(r, args.pauseMs));
      } catch (e) {
        say(`ERROR ${codeOf(e)} ${(e as Error)?.message ?? String(e)}`.replace(/\n/g, ' '));
      }
    }
    break;
  }
  default:
    throw new Error(`unknown op ${args.op}`);
}
