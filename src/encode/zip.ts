/**
 * Minimal ZIP reader for PyTorch checkpoints (`torch.save` zip format).
 *
 * Reads the end-of-central-directory record (and its ZIP64 variant), walks the
 * central directory and returns entries by name. Only the two methods PyTorch and
 * common tools write are supported: 0 (stored) and 8 (deflate, via node:zlib).
 * The whole archive is held in memory: head files are a few MB.
 */
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { ModelError } from '../errors.js';

/** One file inside a ZIP archive. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/**
 * Largest entry read (512 MiB): head weights are a few MB (BGE-M3's colbert_linear is 4 MiB);
 * a larger declared size is refused before allocating.
 */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;
/** Deflate cannot expand more than ~1032:1 (258-byte matches coded in 2 bits); with headroom. */
const MAX_DEFLATE_RATIO = 1100;

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(buf: Buffer, off: number): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('64-bit value too large');
  return Number(v);
}

/**
 * An opened archive: `names()` lists the entries, `read(name)` returns the bytes.
 *
 * @example
 * ```ts
 * const zip = ZipArchive.fromBuffer(await readFile('colbert_linear.pt'), 'colbert_linear.pt');
 * const pkl = zip.read(zip.names().find((n) => n.endsWith('/data.pkl'))!);
 * ```
 */
export class ZipArchive {
  readonly #buf: Buffer;
  readonly #entries = new Map<string, ZipEntry>();
  readonly #file: string;

  private constructor(buf: Buffer, file: string) {
    this.#buf = buf;
    this.#file = file;
  }

  /** Parses the central directory of `buf`; `file` names the source in errors. */
  static fromBuffer(buf: Buffer, file: string): ZipArchive {
    const zip = new ZipArchive(buf, file);
    try {
      zip.#parse();
    } catch (e) {
      if (e instanceof ModelError) throw e;
      throw zip.#bad(`cannot read the zip structure (${(e as Error).message})`, e);
    }
    return zip;
  }

  #bad(what: string, cause?: unknown): ModelError {
    return new ModelError('MODEL_INVALID', `${this.#file}: ${what}; the file is corrupt or not a zip archive, download it again`, { cause });
  }

  #parse(): void {
    const buf = this.#buf;
    if (buf.length < 22) throw this.#bad('too short for a zip archive');
    let eocd = -1;
    const stop = Math.max(0, buf.length - 22 - 0xffff);
    for (let i = buf.length - 22; i >= stop; i--) {
      if (buf.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw this.#bad('no end-of-central-directory record');
    let count = buf.readUInt16LE(eocd + 10);
    let cdOffset = buf.readUInt32LE(eocd + 16);
    if ((cdOffset === 0xffffffff || count === 0xffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
      const rec = u64(buf, eocd - 20 + 8);
      if (buf.readUInt32LE(rec) !== EOCD64) throw this.#bad('bad zip64 end record');
      count = u64(buf, rec + 32);
      cdOffset = u64(buf, rec + 48);
    }
    let p = cdOffset;
    for (let k = 0; k < count; k++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw this.#bad(`bad central directory entry ${k}`);
      const method = buf.readUInt16LE(p + 10);
      let compressedSize = buf.readUInt32LE(p + 20);
      let size = buf.readUInt32LE(p + 24);
      const nameLen = buf.readUInt16LE(p + 28);
      const extraLen = buf.readUInt16LE(p + 30);
      const commentLen = buf.readUInt16LE(p + 32);
      let localHeaderOffset = buf.readUInt32LE(p + 42);
      const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
      // ZIP64 extra field: only the values stored as 0xFFFFFFFF are present, in this order.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = buf.readUInt16LE(e);
        const len = buf.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = u64(buf, q);
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = u64(buf, q);
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) {
            localHeaderOffset = u64(buf, q);
          }
        }
        e += 4 + len;
      }
      this.#entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      p = eEnd + commentLen;
    }
  }

  /** Entry names in central-directory order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Declared (uncompressed) size of entry `name`, 0 if absent. */
  sizeOf(name: string): number {
    return this.#entries.get(name)?.size ?? 0;
  }

  /** Decompressed bytes of entry `name`; throws MODEL_INVALID if missing or damaged. */
  read(name: string): Buffer {
    const ent = this.#entries.get(name);
    if (!ent) throw this.#bad(`entry "${name}" is missing`);
    const buf = this.#buf;
    const h = ent.localHeaderOffset;
    if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOCAL) throw this.#bad(`bad local header for "${name}"`);
    const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
    const end = start + ent.compressedSize;
    if (end > buf.length) throw this.#bad(`entry "${name}" runs past the end of the file (truncated?)`);
    const raw = buf.subarray(start, end);
    if (ent.size > MAX_ENTRY_BYTES) throw this.#bad(`entry "${name}" declares ${ent.size} bytes, more than the ${MAX_ENTRY_BYTES}-byte limit for a weights entry`);
    let out: Buffer;
    if (ent.method === 0) out = raw;
    else if (ent.method === 8) {
      if (ent.size > (ent.compressedSize + 64) * MAX_DEFLATE_RATIO) {
        throw this.#bad(`entry "${name}" declares ${ent.size} bytes from ${ent.compressedSize} compressed, beyond what deflate can produce`);
      }
      // stops inflating (RangeError) once the output would pass the declared size
      try {
        out = inflateRawSync(raw, { maxOutputLength: Math.max(1, ent.size), chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, Math.min(ent.size, 64 * 1024)) });
      } catch (e) {
        throw this.#bad(`entry "${name}" does not inflate to its declared ${ent.size} bytes (${(e as Error).message})`, e);
      }
    } else throw this.#bad(`entry "${name}" uses unsupported compression method ${ent.method}`);
    if (out.length !== ent.size) throw this.#bad(`entry "${name}" has ${out.length} bytes, expected ${ent.size}`);
    return out;
  }
}
