// Crash-trial child process. argv[2] is JSON { dir, seed, op, killAt, tear, storage? }:
// 1. (unarmed) creates an index in `dir` with the plan's base documents and saves it;
// 2. prints "ARMED", then runs the plan's steps. Every file-system call (node:fs/promises and
//    FileHandle methods, which the store, the StoreFs seam and every store's saveFiles use) is
//    counted; at call number `killAt` the process SIGKILLs itself, before the call, or, with
//    `tear`, after writing the first half of the data of a write (a torn write), first writing
//    "KILLAT <call> <path>" to stderr (the path of a FileHandle method's file as opened);
//    After each step's call resolves it prints "ACK <n>";
// 3. prints "DONE <calls>" when the steps finish without being killed.
// The parent may also kill it after a random delay (timing-based trials).
import * as fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { createIndex } from '../corpus.js';
import { makePlan, usesWal, type CrashOp } from './plan.js';

const args = JSON.parse(process.argv[2]!) as { dir: string; seed: number; op: CrashOp; killAt: number; tear: boolean; storage?: 'segments' };
let armed = false;
let calls = 0;

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to oneself is delivered before kill() returns; never continue regardless.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error('unreachable');
}

/** The path each open FileHandle was opened with (to name the file a kill lands in). */
const handlePaths = new WeakMap<object, string>();

function half(data: unknown): unknown {
  if (typeof data === 'string') return data.slice(0, Math.floor(data.length / 2));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, Math.floor(data.byteLength / 2));
  return data;
}

/** Wraps `obj[name]`; `tearArg` is the index of the data argument of a write (or -1). */
function hook(obj: Record<string, unknown>, name: string, tearArg: number): void {
  const orig = obj[name] as (...a: unknown[]) => Promise<unknown>;
  if (typeof orig !== 'function') return;
  obj[name] = async function (this: unknown, ...a: unknown[]) {
    if (armed && ++calls === args.killAt) {
      const where = typeof a[0] === 'string' ? a[0] : ((this && typeof this === 'object' && handlePaths.get(this)) ?? '?');
      try {
        fs.writeSync(2, `KILLAT ${name} ${where}\n`);
      } catch {
        // the report is informational
      }
      if (args.tear && tearArg >= 0 && a.length > tearArg) {
        const b = a.slice();
        // write(buffer, offset, length, position): halve the length; else halve the data
        if (name === 'write' && typeof a[2] === 'number') b[2] = Math.floor(a[2] / 2);
        else b[tearArg] = half(a[tearArg]);
        await orig.apply(this, b);
      }
      die();
    }
    const out = await orig.apply(this, a);
    if (name === 'open' && out && typeof out === 'object' && typeof a[0] === 'string') handlePaths.set(out, a[0]);
    return out;
  };
}

const P = fs.promises as unknown as Record<string, unknown>;
for (const n of ['readFile', 'open', 'rename', 'rm', 'unlink', 'mkdir', 'readdir', 'stat', 'copyFile']) hook(P, n, -1);
hook(P, 'writeFile', 1);
{
  const h = await fs.promises.open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(h) as Record<string, unknown>;
  await h.close();
  hook(proto, 'write', 0);
  hook(proto, 'writeFile', 0);
  hook(proto, 'sync', -1);
  hook(proto, 'close', -1);
}
syncBuiltinESMExports();

const plan = makePlan(args.seed, args.op);
const index = await createIndex(args.dir, { wal: usesWal(args.op), ...(args.storage ? { storage: args.storage } : {}) });
await index.add(plan.base);
await index.save();
armed = true;
process.stdout.write('ARMED\n');
let step = 0;
for (const s of plan.steps) {
  if (s.kind === 'add') await index.add(s.docs);
  else if (s.kind === 'update') await index.update(s.docs);
  else if (s.kind === 'delete') await index.delete(s.ids);
  else await index.save();
  process.stdout.write(`ACK ${++step}\n`); // this step's call resolved (acknowledged)
}
armed = false;
process.stdout.write(`DONE ${calls}\n`);
await index.close();
