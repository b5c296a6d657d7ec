/**
 * Per-segment deletion bitmaps. A segment's files never change; deleting a document sets its
 * ordinal's bit in the segment's bitmap, and a commit writes the bitmap as a new small file
 * (kind `deletes`, payload version 1) named by its deletion generation, which the manifest
 * lists beside the segment.
 * ```
 * meta  u32 docs · u32 deleted
 * bits  u8[ceil(docs / 8)]   bit (o & 7) of byte (o >> 3) set = ordinal o deleted; bits past docs are 0
 * ```
 * Opening checks everything (the file is small): checksums, sizes, popcount = deleted.
 */
import { StorageError } from '../errors.js';
import type { StoreFs } from '../store/fs-seam.js';
import type { MapOptions } from '../store/mmap.js';
import { SegmentFile, writeSegmentFile } from './container.js';

const KIND = 'deletes';
/** Payload version of deletion files. */
export const DELETES_VERSION = 1;

/**
 * A deletion bitmap over a segment's ordinals (heap-resident: docs / 8 bytes).
 *
 * @example
 * ```ts
 * const d = new Deletions(1000); d.delete(7); d.has(7); // true
 * ```
 */
export class Deletions {
  readonly docs: number;
  readonly bits: Uint8Array;
  #count = 0;

  constructor(docs: number, bits?: Uint8Array) {
    this.docs = docs;
    this.bits = bits ?? new Uint8Array((docs + 7) >> 3);
    if (bits) for (let i = 0; i < bits.length; i++) this.#count += popcount(bits[i]!);
  }

  /** Deleted documents. */
  get count(): number {
    return this.#count;
  }

  has(ordinal: number): boolean {
    return (this.bits[ordinal >> 3]! & (1 << (ordinal & 7))) !== 0;
  }

  /** Sets the bit; returns false when it was already set. */
  delete(ordinal: number): boolean {
    if (this.has(ordinal)) return false;
    this.bits[ordinal >> 3]! |= 1 << (ordinal & 7);
    this.#count++;
    return true;
  }

  clone(): Deletions {
    return new Deletions(this.docs, this.bits.slice());
  }

  /**
   * Writes the bitmap file (through `fs`, default node:fs); returns its byte length.
   *
   * @example
   * ```ts
   * await d.write('/idx/seg-000001.del-000002');
   * ```
   */
  async write(file: string, fs?: StoreFs): Promise<number> {
    const meta = new Uint32Array([this.docs, this.#count]);
    return writeSegmentFile(
      file,
      KIND,
      DELETES_VERSION,
      [
        { name: 'meta', data: new Uint8Array(meta.buffer) },
        { name: 'bits', data: this.bits },
      ],
      fs,
    );
  }

  /**
   * Reads and checks a bitmap file of a segment of `docs` documents (heap copy).
   *
   * @example
   * ```ts
   * const d = await Deletions.read(path, 1000);
   * ```
   */
  static async read(file: string, docs: number, opts: MapOptions = {}): Promise<Deletions> {
    const f = await SegmentFile.open(file, KIND, DELETES_VERSION, opts);
    try {
      const meta = f.view('meta', Uint32Array, 2);
      const bad = (msg: string): never => {
        throw new StorageError('CORRUPT_FILE', `${file}: ${msg}; restore it from a backup or rebuild the index`, { file });
      };
      if (meta[0] !== docs) bad(`section 'meta' is for ${meta[0]} documents, the segment has ${docs}`);
      const bits = f.view('bits', Uint8Array, (docs + 7) >> 3).slice();
      if (docs & 7 && bits[bits.length - 1]! >> (docs & 7)) bad("section 'bits' marks ordinals past the segment's end");
      const d = new Deletions(docs, bits);
      if (d.count !== meta[1]) bad(`section 'bits' holds ${d.count} deletions, 'meta' says ${meta[1]}`);
      return d;
    } finally {
      f.close();
    }
  }
}

function popcount(b: number): number {
  b = b - ((b >> 1) & 0x55);
  b = (b & 0x33) + ((b >> 2) & 0x33);
  return (b + (b >> 4)) & 0x0f;
}
