/**
 * Write-ahead log of the changes made since the last save (format version 1), so that a
 * crash between `add()` and `save()` does not lose encoded documents.
 *
 * `<dir>/wal.log`, little-endian:
 * ```
 *  0  8  magic "TRIDWAL\0"
 *  8  u32 format version (1)
 * 12  u32 base generation: the manifest generation these records extend
 * 16  u32 CRC-32 of bytes 0..15
 * 20  u32 reserved (0)
 * 24  records: u32 payload bytes · u32 CRC-32 of the payload · payload
 * ```
 * A payload is `u32 json bytes · JSON · binary blobs`; typed arrays inside the record are
 * stored as blobs (8-byte aligned, little-endian) and referenced from the JSON as
 * `{ "$ta": kind, off, len }` (kind f32, f64, u32, i32, u16, i16, u8, i8).
 *
 * Every append is fsynced before the change is applied in memory, so an acknowledged call is
 * durable. A crash mid-append leaves a torn last record, which reading drops (and truncates
 * away). A damaged record followed by more data is corruption: CORRUPT_FILE naming wal.log.
 * A log whose base generation is older than the manifest's was superseded by a later save
 * (the crash hit between the commit and the log reset) and is ignored. Limitation: a damaged
 * last record looks like a torn one and is dropped.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { StorageError, TridentError } from '../errors.js';
import { crc32 } from './checksum.js';

/** File name of the write-ahead log inside an index directory. */
export const WAL_FILE = 'wal.log';
/** Format version of the write-ahead log. */
export const WAL_FORMAT_VERSION = 1;
const MAGIC = 'TRIDWAL\0';
const HEADER = 24;

type Blob = Float32Array | Float64Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;
type BlobCtor = { new (b: ArrayBuffer, o: number, n: number): Blob; BYTES_PER_ELEMENT: number };
const KINDS: Record<string, BlobCtor> = {
  f32: Float32Array,
  f64: Float64Array,
  u32: Uint32Array,
  i32: Int32Array,
  u16: Uint16Array,
  i16: Int16Array,
  u8: Uint8Array,
  i8: Int8Array,
};
const KIND_OF = new Map<unknown, string>(Object.entries(KINDS).map(([k, c]) => [c, k]));

function ioError(what: string, e: unknown): StorageError {
  if (e instanceof TridentError) return e as StorageError;
  const code = (e as NodeJS.ErrnoException)?.code ?? 'unknown';
  return new StorageError('IO_ERROR', `${what} ${WAL_FILE} failed (${code}): ${(e as Error)?.message ?? String(e)}`, { cause: e, file: WAL_FILE });
}

function corrupt(msg: string): never {
  throw new StorageError('CORRUPT_FILE', `${WAL_FILE}: ${msg}; move it away to open the index as of its last save (the changes it holds are lost)`, { file: WAL_FILE });
}

function header(generation: number): Uint8Array {
  const h = new Uint8Array(HEADER);
  const dv = new DataView(h.buffer);
  for (let i = 0; i < 8; i++) h[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, WAL_FORMAT_VERSION, true);
  dv.setUint32(12, generation, true);
  dv.setUint32(16, crc32(h.subarray(0, 16)), true);
  return h;
}

/**
 * Serialises one record: JSON with its typed arrays moved into aligned binary blobs.
 *
 * @example
 * ```ts
 * const bytes = encodeRecord({ op: 'delete', ids: ['a'] });
 * ```
 */
export function encodeRecord(record: unknown): Uint8Array {
  const blobs: Blob[] = [];
  let off = 0;
  const json = JSON.stringify(record, (_k, v: unknown) => {
    const kind = ArrayBuffer.isView(v) ? KIND_OF.get(v.constructor) : undefined;
    if (kind !== undefined) {
      const b = v as Blob;
      const ref = { $ta: kind, off, len: b.length };
      blobs.push(b);
      off += (b.byteLength + 7) & ~7;
      return ref;
    }
    return v;
  });
  const jb = new TextEncoder().encode(json);
  const start = (4 + jb.length + 7) & ~7;
  const out = new Uint8Array(start + off);
  new DataView(out.buffer).setUint32(0, jb.length, true);
  out.set(jb, 4);
  let p = start;
  for (const b of blobs) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), p);
    p += (b.byteLength + 7) & ~7;
  }
  return out;
}

/**
 * Parses a record written by {@link encodeRecord} (typed arrays are fresh copies).
 *
 * @example
 * ```ts
 * decodeRecord(encodeRecord({ v: Float32Array.of(1) })); // { v: Float32Array [1] }
 * ```
 */
export function decodeRecord(bytes: Uint8Array): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jl = dv.getUint32(0, true);
  if (4 + jl > bytes.length) corrupt('a record is shorter than its JSON part');
  const start = (4 + jl + 7) & ~7;
  const json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + jl));
  return JSON.parse(json, (_k, v: unknown) => {
    const r = v as { $ta?: string; off?: number; len?: number } | null;
    if (r && typeof r === 'object' && typeof r.$ta === 'string') {
      const C = KINDS[r.$ta];
      const n = r.len!;
      const at = start + r.off!;
      const size = C ? n * C.BYTES_PER_ELEMENT : 0;
      if (!C || !Number.isInteger(n) || n < 0 || !Number.isInteger(r.off) || at + size > bytes.length) corrupt('a record references bytes it does not hold');
      const copy = new Uint8Array(size);
      copy.set(bytes.subarray(at, at + size));
      return new C(copy.buffer, 0, n);
    }
    return v;
  });
}

/**
 * The write-ahead log of one index directory.
 *
 * @example
 * ```ts
 * const { wal, records } = await WriteAheadLog.open(dir, manifest.generation);
 * for (const r of records) replay(r);
 * await wal.append({ op: 'delete', ids: ['a'] }); // durable when this resolves
 * await wal.reset(newGeneration);                 // after a save commits
 * ```
 */
export class WriteAheadLog {
  readonly dir: string;
  #generation: number;
  #length: number;
  #broken: Error | null = null;

  private constructor(dir: string, generation: number, length: number) {
    this.dir = dir;
    this.#generation = generation;
    this.#length = length;
  }

  get file(): string {
    return path.join(this.dir, WAL_FILE);
  }
  /** The manifest generation the log extends. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Opens the log of `dir` for the given manifest generation and returns the records to
   * replay. A missing log, or one that extends another generation, is replaced by an empty one.
   */
  static async open(dir: string, generation: number): Promise<{ wal: WriteAheadLog; records: unknown[] }> {
    const file = path.join(dir, WAL_FILE);
    let buf: Uint8Array | null;
    try {
      buf = new Uint8Array(await fsp.readFile(file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('reading', e);
      buf = null;
    }
    const wal = new WriteAheadLog(dir, generation, HEADER);
    if (buf === null) {
      await wal.reset(generation);
      return { wal, records: [] };
    }
    // the header is only ever written whole (reset renames a complete file into place): a bad
    // header is damage, not a crash
    if (buf.length < HEADER || !validHeader(buf)) corrupt('bad header (magic or checksum)');
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (dv.getUint32(8, true) !== WAL_FORMAT_VERSION) {
      throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${WAL_FILE} has format version ${dv.getUint32(8, true)}; this trident reads ${WAL_FORMAT_VERSION}. Upgrade trident`, { file: WAL_FILE });
    }
    const base = dv.getUint32(12, true);
    if (base < generation) {
      // superseded: a save committed generation `generation` (which holds these changes) and
      // the process stopped before it could start a new log
      await wal.reset(generation);
      return { wal, records: [] };
    }
    if (base > generation) corrupt(`it extends generation ${base} but manifest.json is at generation ${generation} (was an older manifest restored?)`);
    const records: unknown[] = [];
    let p = HEADER;
    while (p < buf.length) {
      if (p + 8 > buf.length) break; // torn record header
      const len = dv.getUint32(p, true);
      const crc = dv.getUint32(p + 4, true);
      if (p + 8 + len > buf.length) break; // torn payload
      const payload = buf.subarray(p + 8, p + 8 + len);
      if (crc32(payload) !== crc) {
        if (p + 8 + len === buf.length) break; // the last record, torn inside its payload
        corrupt(`record at byte ${p} fails its CRC-32 check and is followed by more records (damaged on disk)`);
      }
      records.push(decodeRecord(payload));
      p += 8 + len;
    }
    if (p < buf.length) {
      // drop the torn tail so later appends follow the last whole record
      try {
        await fsp.truncate(file, p);
      } catch (e) {
        throw ioError('truncating', e);
      }
    }
    wal.#length = p;
    return { wal, records };
  }

  /**
   * Starts an empty log for `generation` in `dir`, replacing any log there. Never throws: if
   * the log cannot be written, the returned log refuses appends (IO_ERROR) until a `reset`
   * (the next save) succeeds.
   */
  static async fresh(dir: string, generation: number): Promise<WriteAheadLog> {
    const wal = new WriteAheadLog(dir, generation, HEADER);
    await wal.reset(generation).catch(() => undefined);
    return wal;
  }

  /** Appends a record and fsyncs; on failure the log is cut back to its previous length. */
  async append(record: unknown): Promise<void> {
    if (this.#broken) throw new StorageError('IO_ERROR', `${WAL_FILE} is unusable (${this.#broken.message}); save() the index to start a new log`, { cause: this.#broken, file: WAL_FILE });
    const payload = encodeRecord(record);
    const rec = new Uint8Array(8 + payload.length);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, payload.length, true);
    dv.setUint32(4, crc32(payload), true);
    rec.set(payload, 8);
    let h: fsp.FileHandle | undefined;
    try {
      h = await fsp.open(this.file, 'r+');
      await h.write(rec, 0, rec.length, this.#length);
      await h.sync();
      await h.close();
      h = undefined;
      this.#length += rec.length;
    } catch (e) {
      await h?.close().catch(() => undefined);
      // the record may be partly (or wholly) on disk: cut it off, or refuse further appends
      try {
        await fsp.truncate(this.file, this.#length);
      } catch (e2) {
        this.#broken = e2 as Error;
      }
      throw ioError('appending to', e);
    }
  }

  /** Starts an empty log for `generation` (temporary sibling + rename). */
  async reset(generation: number): Promise<void> {
    const tmp = `${this.file}.tmp`;
    try {
      const h = await fsp.open(tmp, 'w');
      try {
        await h.writeFile(header(generation));
        await h.sync();
      } finally {
        await h.close();
      }
      await fsp.rename(tmp, this.file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      this.#broken = e as Error;
      throw ioError('resetting', e);
    }
    this.#generation = generation;
    this.#length = HEADER;
    this.#broken = null;
  }
}

function validHeader(buf: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (buf[i] !== MAGIC.charCodeAt(i)) return false;
  return new DataView(buf.buffer, buf.byteOffset).getUint32(16, true) === crc32(buf.subarray(0, 16));
}
