/**
 * Write-ahead log of the changes made since the last save (format version 3), so that a
 * crash between `add()` and `save()` does not lose encoded documents. Owns `<dir>/wal.log`
 * and its framing; never interprets the records (HybridIndex replays them). Every file
 * operation goes through the StoreFs seam.
 *
 * `<dir>/wal.log`, little-endian:
 * ```
 *  0  8  magic "TRIDWAL\0"
 *  8  u32 format version (3; version 1 and 2 logs are still read, then rewritten as version 3)
 * 12  u32 base generation: the manifest generation these records extend
 * 16  u32 CRC-32 of bytes 0..15
 * 20  u32 reserved (0)
 * 24  records: u32 mark "TIDR" · u32 payload bytes (> 0) · u32 CRC-32 of (length ‖ payload) · payload
 * ```
 * The payload is {@link encodeRecord}'s (JSON skeleton + length-prefixed binary sections;
 * version 3 adds the string table, see wal-record.ts). Versions 2 and 3 frame records alike.
 * The mark, the non-zero length and a CRC that covers the length mean that zero bytes (what
 * power loss or a pre-allocating file system leaves) never read as a record.
 *
 * Durability: a batch of records is written with one write and one fsync before the change is
 * applied in memory, so an acknowledged call is durable; concurrent calls share a batch (group
 * commit, see HybridIndex). A short write or a failed write/fsync (ENOSPC, EIO) rejects the
 * batch with IO_ERROR and cuts the log back to its last whole record, so later appends work
 * once space returns; if even the cut fails, appends are refused until the next save.
 *
 * Reading: the log ends at the first place that does not hold a whole valid record. If no
 * valid record follows that place, it is a torn, zero-filled or padded tail: it is dropped and
 * cut off, and open() goes on. If a valid record does follow, the damage is in the middle of
 * the log: CORRUPT_FILE naming wal.log and the byte offset. A log whose base generation is
 * older than the manifest's was superseded by a later save and is ignored.
 */
import * as path from 'node:path';
import { StorageError, TridentError } from '../errors.js';
import { crc32, crc32Update } from './checksum.js';
import { isSymlinkOf, nodeFs, truncateOf, writeAtOf, type StoreFs } from './fs-seam.js';
import { decodeRecord, decodeRecordV1, prepareRecord } from './wal-record.js';

export { decodeRecord, encodeRecord } from './wal-record.js';

/** File name of the write-ahead log inside an index directory. */
export const WAL_FILE = 'wal.log';
/** Format version of the write-ahead log this build writes. */
export const WAL_FORMAT_VERSION = 3;
const MAGIC = 'TRIDWAL\0';
const HEADER = 24;
/** Record mark, the bytes "TIDR". */
const MARK = 0x52444954;
const REC_HEAD = 12;

function ioError(what: string, e: unknown): StorageError {
  if (e instanceof TridentError) return e as StorageError;
  const code = (e as NodeJS.ErrnoException)?.code ?? 'unknown';
  return new StorageError('IO_ERROR', `${what} ${WAL_FILE} failed (${code}): ${(e as Error)?.message ?? String(e)}; the call was not applied`, { cause: e, file: WAL_FILE });
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

/** Encodes and frames records (version-2/3 framing), concatenated, in one buffer (payloads written in place). */
function frame(records: unknown[]): Uint8Array {
  const prepared = records.map((r) => prepareRecord(r));
  let size = 0;
  for (const p of prepared) size += REC_HEAD + p.size;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const p of prepared) {
    dv.setUint32(at, MARK, true);
    dv.setUint32(at + 4, p.size, true);
    p.writeInto(out, at + REC_HEAD);
    dv.setUint32(at + 8, crc32Update(crc32(out.subarray(at + 4, at + 8)), out.subarray(at + REC_HEAD, at + REC_HEAD + p.size)), true);
    at += REC_HEAD + p.size;
  }
  return out;
}

/** The payload of a whole, valid version-2 record at `p`, or null. */
function recordAt(buf: Uint8Array, dv: DataView, p: number): Uint8Array | null {
  if (p + REC_HEAD > buf.length || dv.getUint32(p, true) !== MARK) return null;
  const len = dv.getUint32(p + 4, true);
  if (len === 0 || p + REC_HEAD + len > buf.length) return null;
  const payload = buf.subarray(p + REC_HEAD, p + REC_HEAD + len);
  return crc32Update(crc32(buf.subarray(p + 4, p + 8)), payload) === dv.getUint32(p + 8, true) ? payload : null;
}

/** Reads version-2 records; returns them and the end of the last whole one. */
function readV2(buf: Uint8Array): { payloads: Uint8Array[]; end: number } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const payloads: Uint8Array[] = [];
  let p = HEADER;
  while (p < buf.length) {
    const payload = recordAt(buf, dv, p);
    if (payload === null) {
      // end of the log: a tail (torn, zero-filled, padded) unless a valid record follows
      for (let q = p + 1; q + REC_HEAD < buf.length; q++) {
        if (buf[q] === 0x54 && recordAt(buf, dv, q) !== null) corrupt(`the record at byte ${p} is damaged and followed by a valid record at byte ${q} (damaged on disk)`);
      }
      break;
    }
    payloads.push(payload);
    p += REC_HEAD + payload.length;
  }
  return { payloads, end: p };
}

/** Reads version-1 records (`u32 len · u32 CRC-32 of payload · payload`). */
function readV1(buf: Uint8Array): { payloads: Uint8Array[]; end: number } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const payloads: Uint8Array[] = [];
  let p = HEADER;
  while (p + 8 <= buf.length) {
    const len = dv.getUint32(p, true);
    const crc = dv.getUint32(p + 8 - 4, true);
    if (len === 0 || p + 8 + len > buf.length) break; // zero-filled or torn tail
    const payload = buf.subarray(p + 8, p + 8 + len);
    if (crc32(payload) !== crc) {
      if (p + 8 + len === buf.length) break; // the last record, torn inside its payload
      corrupt(`the record at byte ${p} fails its CRC-32 check and is followed by more bytes (damaged on disk)`);
    }
    payloads.push(payload);
    p += 8 + len;
  }
  if (p < buf.length && buf.subarray(p).some((b) => b !== 0) && p + 8 <= buf.length && dv.getUint32(p, true) === 0) {
    corrupt(`the record at byte ${p} has length 0 and is followed by more data (damaged on disk)`);
  }
  return { payloads, end: p };
}

/**
 * The write-ahead log of one index directory.
 *
 * @example
 * ```ts
 * const { wal, records } = await WriteAheadLog.open(dir, manifest.generation);
 * for (const r of records) replay(r);
 * await wal.appendBatch([{ op: 'delete', ids: ['a'] }]); // durable when this resolves
 * await wal.reset(newGeneration);                        // after a save commits
 * ```
 */
export class WriteAheadLog {
  readonly dir: string;
  #generation: number;
  #length: number;
  #broken: Error | null = null;
  #fs: StoreFs;

  private constructor(dir: string, generation: number, length: number, fs: StoreFs) {
    this.dir = dir;
    this.#generation = generation;
    this.#length = length;
    this.#fs = fs;
  }

  get file(): string {
    return path.join(this.dir, WAL_FILE);
  }
  /** The manifest generation the log extends. */
  get generation(): number {
    return this.#generation;
  }
  /** Bytes of the log up to the end of its last whole record. */
  get length(): number {
    return this.#length;
  }

  /**
   * Opens the log of `dir` for the given manifest generation and returns the records to
   * replay. A missing log, or one that extends an older generation, is replaced by an empty
   * one; a torn or zero-filled tail is cut off; a version-1 or -2 log is rewritten as version 3.
   */
  static async open(dir: string, generation: number, fs: StoreFs = nodeFs): Promise<{ wal: WriteAheadLog; records: unknown[] }> {
    const file = path.join(dir, WAL_FILE);
    let buf: Uint8Array | null;
    try {
      if (await isSymlinkOf(fs)(file)) corrupt('it is a symbolic link; trident does not follow links out of an index directory');
      buf = await fs.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('reading', e);
      buf = null;
    }
    const wal = new WriteAheadLog(dir, generation, HEADER, fs);
    if (buf === null) {
      await wal.reset(generation);
      return { wal, records: [] };
    }
    // the header is only ever written whole (reset renames a complete file into place): a bad
    // header is damage, not a crash
    if (buf.length < HEADER || !validHeader(buf)) corrupt('bad header (magic or checksum)');
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const version = dv.getUint32(8, true);
    if (version < 1 || version > WAL_FORMAT_VERSION) {
      throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${WAL_FILE} has format version ${version}; this trident reads 1 to ${WAL_FORMAT_VERSION}. Upgrade trident`, { file: WAL_FILE });
    }
    const base = dv.getUint32(12, true);
    if (base < generation) {
      // superseded: a save committed generation `generation` (which holds these changes) and
      // the process stopped before it could start a new log
      await wal.reset(generation);
      return { wal, records: [] };
    }
    if (base > generation) corrupt(`it extends generation ${base} but manifest.json is at generation ${generation} (was an older manifest restored?)`);
    if (version === 1) {
      const { payloads } = readV1(buf);
      const records = payloads.map((p) => decodeRecordV1(p));
      // rewrite as version 2 (temporary sibling + rename): appends are version 2 from now on
      await wal.#replace(generation, frame(records));
      return { wal, records };
    }
    const { payloads, end } = readV2(buf);
    const records = payloads.map((p) => decodeRecord(p));
    if (version < WAL_FORMAT_VERSION) {
      // a version-2 log: the same framing; rewritten so that its header announces the string
      // tables later appends may hold (a trident that reads only version 2 then says so)
      await wal.#replace(generation, frame(records));
      return { wal, records };
    }
    if (end < buf.length) {
      // drop the torn tail so later appends follow the last whole record
      try {
        await truncateOf(fs)(file, end);
      } catch (e) {
        throw ioError('truncating', e);
      }
    }
    wal.#length = end;
    return { wal, records };
  }

  /**
   * Starts an empty log for `generation` in `dir`, replacing any log there. Never throws: if
   * the log cannot be written, the returned log refuses appends (IO_ERROR) until a `reset`
   * (the next save) succeeds.
   */
  static async fresh(dir: string, generation: number, fs: StoreFs = nodeFs): Promise<WriteAheadLog> {
    const wal = new WriteAheadLog(dir, generation, HEADER, fs);
    await wal.reset(generation).catch(() => undefined);
    return wal;
  }

  /** Appends one record (see {@link appendBatch}). */
  async append(record: unknown): Promise<void> {
    await this.appendBatch([record]);
  }

  /**
   * Appends records with one write and one fsync; durable when this resolves. On any failure
   * (including a short write on a full disk) it throws IO_ERROR and the log is cut back to
   * its previous length, so nothing of the batch stays in it.
   */
  async appendBatch(records: unknown[]): Promise<void> {
    if (this.#broken) throw new StorageError('IO_ERROR', `${WAL_FILE} is unusable (${this.#broken.message}); save() the index to start a new log`, { cause: this.#broken, file: WAL_FILE });
    if (records.length === 0) return;
    const bytes = frame(records);
    const writeAt = writeAtOf(this.#fs);
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = await writeAt(this.file, bytes.subarray(done), this.#length + done);
        if (!Number.isInteger(n) || n <= 0) {
          const e = new Error(`short write: ${done} of ${bytes.length} bytes reached the disk`) as NodeJS.ErrnoException;
          e.code = 'ENOSPC';
          throw e;
        }
        done += n;
      }
      await this.#fs.fsync(this.file);
    } catch (e) {
      await this.rewind(this.#length).catch(() => undefined);
      throw ioError('appending to', e);
    }
    this.#length += bytes.length;
  }

  /**
   * Cuts the log back to `length` bytes (the end of a whole record, e.g. a previous
   * {@link length}). If that fails the log refuses appends until the next save.
   */
  async rewind(length: number): Promise<void> {
    try {
      await truncateOf(this.#fs)(this.file, length);
      await this.#fs.fsync(this.file);
      this.#length = length;
    } catch (e) {
      this.#broken = e as Error;
      throw ioError('truncating', e);
    }
  }

  /** Starts an empty log for `generation` (temporary sibling + rename). */
  async reset(generation: number): Promise<void> {
    await this.#replace(generation, new Uint8Array(0));
  }

  async #replace(generation: number, records: Uint8Array): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const fs = this.#fs;
    try {
      const h = header(generation);
      const data = new Uint8Array(HEADER + records.length);
      data.set(h);
      data.set(records, HEADER);
      await fs.writeFile(tmp, data); // writes and fsyncs
      await fs.rename(tmp, this.file);
      await fs.fsync(this.dir).catch(() => undefined);
      this.#generation = generation;
      this.#length = data.length;
      this.#broken = null;
    } catch (e) {
      await fs.rm(tmp).catch(() => undefined);
      this.#broken = e as Error;
      throw ioError('resetting', e);
    }
  }
}

function validHeader(buf: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (buf[i] !== MAGIC.charCodeAt(i)) return false;
  return new DataView(buf.buffer, buf.byteOffset).getUint32(16, true) === crc32(buf.subarray(0, 16));
}
