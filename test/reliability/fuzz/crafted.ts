// Crafted-file fuzzing: every file kind that open() reads is damaged (byte flips, random u32
// words, truncations, extensions, spliced ranges, JSON value edits) and then its checksums are
// RECOMPUTED (the file's own CRCs, dense.rows' record of dense.usearch, the manifest entry and
// the manifest's own checksum), so what is exercised is the validation behind the CRC. Each
// case opens the damaged index and uses it (searches in every mode, an add, a delete; for the
// dense graph also graph searches, an add and a save through DenseIndex directly). The outcome
// must be success or a TridentError; anything else is a failure, and a crash kills the child
// process running the batch, which the parent (runner.ts) detects by its exit signal.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { TridentError } from '../../../src/errors.js';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { DenseIndex } from '../../../src/dense/index.js';
import { crc32 } from '../../../src/store/index.js';
import { encodeManifest, type Manifest } from '../../../src/store/manifest.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { createIndex, makeDocs, rng } from '../corpus.js';

/**
 * The file kinds fuzzed, with their weight in the case mix (the dense graph is what crashed):
 * `dense-graph-*` through DenseIndex (graph searches), `hybrid-dense-graph` through HybridIndex.
 */
export const KINDS = {
  'dense-graph-f32': 6,
  'dense-graph-f16': 3,
  'dense-graph-i8': 3,
  'hybrid-dense-graph': 2,
  'dense-rows': 2,
  sparse: 1,
  'bm25-sparse': 1,
  multivector: 2,
  'entries.json': 1,
  'bm25-vocab.json': 1,
  manifest: 1,
  wal: 2,
} as const;
export type Kind = keyof typeof KINDS;

/** The kind of case `i` (a fixed interleaving by weight, so any prefix covers every kind). */
export function kindOf(i: number): Kind {
  const list: Kind[] = [];
  for (const [k, w] of Object.entries(KINDS) as Array<[Kind, number]>) for (let j = 0; j < w; j++) list.push(k);
  return list[i % list.length]!;
}

const DENSE_DIM = 8;
const DENSE_ROWS = 300;

/**
 * Writes the pristine inputs under `root`: `hybrid/` (every file kind, with a write-ahead log
 * holding records after the last save) and `dense-<dtype>/` (a standalone DenseIndex whose
 * graph has several levels).
 */
export async function buildPristine(root: string): Promise<void> {
  await fsp.mkdir(root, { recursive: true });
  const hyb = path.join(root, 'hybrid');
  const r = rng(11);
  const index = await createIndex(hyb, { wal: true });
  await index.add(makeDocs(r, 25, 'd'));
  await index.save();
  await index.add(makeDocs(r, 4, 'w'));
  await index.delete(['d3']);
  await index.close();
  for (const dtype of ['f32', 'f16', 'i8'] as const) {
    const d = DenseIndex.create({ dimensions: DENSE_DIM, dtype, connectivity: 3, expansionAdd: 16, expansionSearch: 16, threads: 1 });
    const rr = rng(dtype.length + 3);
    const ids = Uint32Array.from({ length: DENSE_ROWS }, (_, i) => i * 3 + 1);
    d.addBatch(
      ids,
      Float32Array.from({ length: DENSE_ROWS * DENSE_DIM }, () => rr() - 0.5),
    );
    const dir = path.join(root, `dense-${dtype}`);
    await fsp.mkdir(dir);
    await d.saveFiles(dir);
    d.close();
  }
}

/** Files of a case's kind, relative to the case directory. */
async function targetOf(kind: Kind, work: string): Promise<{ dir: string; file: string }> {
  if (kind.startsWith('dense-graph-')) return { dir: path.join(work, `dense-${kind.slice(12)}`), file: 'dense.usearch' };
  const hyb = path.join(work, 'hybrid');
  if (kind === 'manifest') return { dir: hyb, file: 'manifest.json' };
  if (kind === 'wal') return { dir: hyb, file: 'wal.log' };
  const m = JSON.parse(await fsp.readFile(path.join(hyb, 'manifest.json'), 'utf8')) as Manifest;
  const rel = { 'hybrid-dense-graph': 'dense/dense.usearch', 'dense-rows': 'dense/dense.rows', sparse: 'sparse/sparse.bin', 'bm25-sparse': 'bm25/sparse.bin', multivector: 'multivector/multivector.bin', 'entries.json': 'entries.json', 'bm25-vocab.json': 'bm25-vocab.json' }[kind as string]!;
  return { dir: hyb, file: path.join(m.dir, rel) };
}

/** One damage to `b`, drawn from `r`; returns the new bytes and a description. */
export function mutate(b: Buffer, r: () => number, json: boolean): { bytes: Buffer; what: string } {
  const pick = (n: number) => Math.floor(r() * n);
  const len = b.length;
  const op = pick(json ? 8 : 7);
  // positions near the start (headers) are drawn more often
  const pos = () => (len === 0 ? 0 : r() < 0.4 ? pick(Math.min(len, 192)) : pick(len));
  const out = Buffer.from(b);
  switch (op) {
    case 0: {
      const p = pos();
      if (len) out[p] ^= 1 << pick(8);
      return { bytes: out, what: `bit flip at ${p}` };
    }
    case 1: {
      const p = pos();
      if (len) out[p] = pick(256);
      return { bytes: out, what: `byte ${p} set` };
    }
    case 2: {
      // a little-endian u32 word set to an interesting value
      const p = len >= 4 ? pos() & ~3 : 0;
      const vals = [0, 1, 2, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, pick(1000), pick(2 ** 32)];
      const v = vals[pick(vals.length)]!;
      if (p + 4 <= len) out.writeUInt32LE(v >>> 0, p);
      return { bytes: out, what: `u32 at ${p} = ${v}` };
    }
    case 3: {
      const n = pick(len + 1);
      return { bytes: out.subarray(0, n), what: `truncated to ${n}` };
    }
    case 4: {
      const n = 1 + pick(r() < 0.5 ? 8 : 4096);
      const extra = Buffer.alloc(n, r() < 0.5 ? 0 : pick(256));
      return { bytes: Buffer.concat([out, extra]), what: `extended by ${n}` };
    }
    case 5: {
      const a = pos();
      const n = 1 + pick(64);
      return { bytes: Buffer.concat([out.subarray(0, a), out.subarray(Math.min(len, a + n))]), what: `${n} bytes cut at ${a}` };
    }
    case 6: {
      const a = pos();
      const n = 1 + pick(64);
      return { bytes: Buffer.concat([out.subarray(0, a), out.subarray(a, a + n), out.subarray(a)]), what: `${n} bytes duplicated at ${a}` };
    }
    default:
      return jsonEdit(b, r);
  }
}

/** Replaces one JSON number/string/boolean/null by a hostile value (text stays valid JSON). */
function jsonEdit(b: Buffer, r: () => number): { bytes: Buffer; what: string } {
  const s = b.toString('utf8');
  const tokens = [...s.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|true|false|null/g)];
  if (tokens.length === 0) return { bytes: b, what: 'no JSON token' };
  const t = tokens[Math.floor(r() * tokens.length)]!;
  const vals = ['-1', '0', '1e308', '4294967296', '1.5', '"x"', '""', 'null', 'true', '[]', '{}', '{"$ta":"f32","off":0,"len":4}', '"__proto__"', '9007199254740993'];
  const v = vals[Math.floor(r() * vals.length)]!;
  return { bytes: Buffer.from(s.slice(0, t.index!) + v + s.slice(t.index! + t[0].length)), what: `JSON token ${t[0].slice(0, 20)} → ${v}` };
}

/**
 * Recomputes every checksum that covers `file` after it was rewritten: its own CRCs (dense.rows
 * payload, multivector payload, dense.rows' record of dense.usearch, the WAL's header and
 * record CRCs), its manifest entry, and the manifest's checksum.
 */
export async function fixChecksums(dir: string, file: string, bytes: Buffer): Promise<Buffer> {
  const base = path.basename(file);
  if (base === 'dense.rows' && bytes.length >= 64) bytes.writeUInt32LE(crc32(bytes.subarray(64)), 48);
  if (base === 'multivector.bin' && bytes.length >= 64) bytes.writeUInt32LE(crc32(bytes.subarray(64)), 32);
  if (base === 'wal.log') fixWal(bytes);
  await fsp.writeFile(path.join(dir, file), bytes);
  if (base === 'dense.usearch') {
    const rowsFile = path.join(dir, path.dirname(file), 'dense.rows');
    const rows = await fsp.readFile(rowsFile);
    rows.writeUInt32LE(crc32(bytes), 52);
    rows.writeDoubleLE(bytes.length, 56);
    await fsp.writeFile(rowsFile, rows);
    await reManifest(dir, path.join(path.dirname(file), 'dense.rows'), rows);
  }
  if (base === 'manifest.json') {
    try {
      const m = JSON.parse(bytes.toString('utf8')) as Manifest & { checksum?: unknown };
      if (m && typeof m === 'object') {
        delete m.checksum;
        await fsp.writeFile(path.join(dir, file), encodeManifest(m));
      }
    } catch {
      // not JSON any more: stays as damaged
    }
  } else {
    await reManifest(dir, file, bytes);
  }
  return bytes;
}

async function reManifest(dir: string, file: string, bytes: Uint8Array): Promise<void> {
  const mp = path.join(dir, 'manifest.json');
  let m: Manifest & { checksum?: unknown };
  try {
    m = JSON.parse(await fsp.readFile(mp, 'utf8'));
  } catch {
    return;
  }
  if (!Array.isArray(m.files)) return;
  const name = path.relative(m.dir, file).split(path.sep).join('/');
  m.files = m.files.map((f) => (f.name === name ? { ...f, bytes: bytes.length, crc32: crc32(bytes) } : f));
  delete m.checksum;
  await fsp.writeFile(mp, encodeManifest(m));
}

/**
 * Recomputes the CRCs of a format-1 write-ahead log in place (header CRC at 16 over bytes
 * 0..15; records `u32 len · u32 crc · payload`). A log in another format is left as damaged:
 * another change may replace the WAL format, and the fuzz then still feeds it raw damage.
 */
function fixWal(b: Buffer): void {
  if (b.length < 24 || b.toString('latin1', 0, 8) !== 'TRIDWAL\0' || b.readUInt32LE(8) !== 1) return;
  b.writeUInt32LE(crc32(b.subarray(0, 16)), 16);
  let p = 24;
  while (p + 8 <= b.length) {
    const n = b.readUInt32LE(p);
    if (n === 0 || p + 8 + n > b.length) return;
    b.writeUInt32LE(crc32(b.subarray(p + 8, p + 8 + n)), p + 4);
    p += 8 + n;
  }
}

/** Outcome of one case. */
export interface CaseResult {
  kind: Kind;
  what: string;
  /** 'rebuilt': opened after DenseIndex rebuilt a graph that failed validation. */
  outcome: 'ok' | 'rebuilt' | 'typed-error' | 'untyped-error';
  code?: string;
  error?: string;
}

/** Runs case `i` (seeded) against a fresh copy of `pristine` in `work`. */
export async function runCase(pristine: string, work: string, seed: number, i: number): Promise<CaseResult> {
  const kind = kindOf(i);
  const r = rng((seed * 1_000_003 + i) >>> 0);
  await fsp.rm(work, { recursive: true, force: true });
  await fsp.cp(pristine, work, { recursive: true });
  const { dir, file } = await targetOf(kind, work);
  const orig = await fsp.readFile(path.join(dir, file));
  const json = file.endsWith('.json');
  let { bytes, what } = mutate(orig, r, json);
  if (r() < 0.3) {
    const m2 = mutate(bytes, r, json);
    bytes = m2.bytes;
    what += `; ${m2.what}`;
  }
  await fixChecksums(dir, file, bytes);
  try {
    let rebuilt = false;
    if (kind.startsWith('dense-graph-')) rebuilt = await useDense(dir, r);
    else await useHybrid(dir, r);
    return { kind, what, outcome: rebuilt ? 'rebuilt' : 'ok' };
  } catch (e) {
    if (e instanceof TridentError) return { kind, what, outcome: 'typed-error', code: e.code };
    return { kind, what, outcome: 'untyped-error', error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
  }
}

/** Opens and uses the dense index in `dir`; true when its graph was rebuilt. */
async function useDense(dir: string, r: () => number): Promise<boolean> {
  let rebuilt = false;
  const d = await DenseIndex.openFiles(dir, { onWarning: () => (rebuilt = true) });
  try {
    const q = () => Float32Array.from({ length: DENSE_DIM }, () => r() - 0.5);
    for (let k = 0; k < 4; k++) d.search(q(), 1 + Math.floor(r() * 20), { exact: false, ef: 8 + Math.floor(r() * 40) });
    d.search(q(), 5, { exact: false, filter: (id) => id % 7 === 0 });
    d.add(10_000, q());
    d.remove(4);
    d.search(q(), 10, { exact: false });
    const out = `${dir}-saved`;
    await fsp.mkdir(out, { recursive: true });
    await d.saveFiles(out);
  } finally {
    d.close();
  }
  return rebuilt;
}

async function useHybrid(dir: string, r: () => number): Promise<void> {
  const index = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
  try {
    for (const mode of ['all', 'dense', 'sparse', 'multivector', 'bm25', 'dense+sparse'] as const) {
      await index.search('alpha beta omega', { k: 5, mode });
    }
    await index.search('kappa river', { k: 100, exhaustive: true });
    await index.add(makeDocs(r, 2, `new${Math.floor(r() * 1e6)}-`));
    await index.delete(['d1', 'w0']);
    await index.search('token vector', { k: 10 });
  } finally {
    await index.close();
  }
}
