/**
 * The segment file container: one immutable file holding named, page-aligned sections.
 * Every channel file of a segment (sparse postings, multi-vector arena, deletion bitmap) is
 * one of these; the channel decides what its sections mean.
 *
 * ```
 * offset size  field (little-endian)
 *      0    8  magic "TRIDSEG\0"
 *      8    4  u32 container format version (1)
 *     12    4  u32 header bytes (64)
 *     16    8  kind, ASCII, NUL-padded ("sparse", "mvec", "deletes")
 *     24    4  u32 kind version (the channel's own payload version)
 *     28    4  u32 section count (≤ 64)
 *     32    8  u64 file length
 *     40    4  u32 page size sections are aligned to (4096)
 *     44    4  u32 CRC-32 of the section table
 *     48   12  reserved (0)
 *     60    4  u32 CRC-32 of bytes 0..59
 *     64       section table, 32 bytes per section:
 *              name[12] (ASCII [a-z0-9_], NUL-padded) · u32 CRC-32 of the section's bytes ·
 *              u64 offset (multiple of the page size) · u64 byte length
 *              sections in ascending offset order, non-overlapping, the first after the table,
 *              the last ending at the file length (padding between them is not checksummed).
 * ```
 * Per-block checksums: every section bigger than {@link EAGER_CRC_BYTES} also has one CRC-32 per
 * block of {@link CRC_BLOCK_BYTES} in an extra section `blockcrc` (the last one):
 * ```
 * u32 block bytes (a power of two, 4096 … 2^30) · u32 c (sections covered)
 * u32 table index[c]   the covered sections, ascending, each non-empty, not `blockcrc` itself
 * u32 crc[…]           per covered section, in index order, ceil(length / block) CRC-32s of
 *                      its blocks (the last block may be short)
 * ```
 * Readers of files without it (written before) and of sections it does not cover check the
 * whole section instead; an older reader ignores the section (it reads sections by name).
 *
 * Opening checks eagerly: length, magic, versions, header CRC, kind, table CRC, every entry
 * (name, alignment, bounds, order) and the file length, verifies the CRC of every section
 * smaller than {@link EAGER_CRC_BYTES} and of `blockcrc` (whatever its size), and the block
 * table's layout. Bigger sections are verified on first touch: only the blocks a read needs
 * ({@link SegmentFile.ensure}), or the whole section ({@link SegmentFile.section} with
 * `verify`, and ensure on a section without block CRCs), or everything by
 * {@link SegmentFile.verify} (every block and the whole-section CRC). Failures are
 * StorageError CORRUPT_FILE / CHECKSUM_MISMATCH / FORMAT_VERSION_UNSUPPORTED naming the file
 * and the section. Checksums are CRC-32 (the zlib polynomial, as everywhere in trident; Node's
 * zlib computes it at several GB/s), not CRC-32C.
 */
import { InvalidArgumentError, StorageError } from '../errors.js';
import { checkLittleEndian, storeIoError } from '../store/binary-file.js';
import { crc32, crc32Combine, crc32Update, crc32ZerosOperator } from '../store/checksum.js';
import { nodeFs, writeChunksOf, type StoreFs } from '../store/fs-seam.js';
import { MappedFile, type MapOptions } from '../store/mmap.js';

const MAGIC = 'TRIDSEG\0';
/** Container format version written and read by this build. */
export const SEGMENT_CONTAINER_VERSION = 1;
const HEADER = 64;
const ENTRY = 32;
const MAX_SECTIONS = 64;
/** Alignment of every section (bytes): whole pages, so mapped typed views need no copy. */
export const SECTION_ALIGN = 4096;
/** Sections up to this size are checksummed when the file is opened; bigger ones on first touch. */
export const EAGER_CRC_BYTES = 64 * 1024;
const NAME = /^[a-z0-9_]{1,12}$/;
/**
 * Block size of the per-block checksums of big sections (bytes). 64 KiB: a block never costs
 * more to check than a section checked at open ({@link EAGER_CRC_BYTES}), it is within one
 * kernel read-ahead window (128 KiB by default) so checking the block around a cold read costs
 * about the one disk read the read itself makes, and the table is 1/16384 of the data (64 KB
 * per GB, checked at open).
 */
export const CRC_BLOCK_BYTES = 64 * 1024;
/** Name of the per-block checksum section. */
export const BLOCK_CRC_SECTION = 'blockcrc';

/** Options of {@link writeSegmentFile}. */
export interface WriteSegmentOptions {
  /** Block size of the per-block checksums (a power of two, 4096 … 2^30); 0 writes no block table (the format before block checksums, for tests). Default {@link CRC_BLOCK_BYTES}. */
  blockBytes?: number;
}

/** CRC-32s of `parts` (concatenated, `length` bytes) per block of `block` bytes, and of the whole (combined from the blocks: one pass). */
function blockCrcs(parts: readonly Uint8Array[], length: number, block: number): { whole: number; blocks: Uint32Array } {
  const blocks = new Uint32Array(Math.ceil(length / block));
  let b = 0;
  let fill = 0;
  let cur = 0;
  for (const p of parts) {
    for (let at = 0; at < p.length; ) {
      const take = Math.min(block - fill, p.length - at);
      cur = crc32Update(cur, p.subarray(at, at + take));
      fill += take;
      at += take;
      if (fill === block) {
        blocks[b++] = cur;
        cur = 0;
        fill = 0;
      }
    }
  }
  if (fill > 0) blocks[b++] = cur;
  return { whole: combineBlocks(blocks, length, block), blocks };
}

/** The whole-section CRC-32 from its block CRCs. */
function combineBlocks(blocks: Uint32Array, length: number, block: number): number {
  if (blocks.length === 0) return 0;
  const full = crc32ZerosOperator(block);
  let crc = blocks[0]!;
  for (let i = 1; i < blocks.length; i++) {
    const len = i === blocks.length - 1 ? length - i * block : block;
    crc = crc32Combine(crc, blocks[i]!, len, len === block ? full : undefined);
  }
  return crc;
}

/** Per-block state of one section (reader). */
interface BlockState {
  block: number;
  crcs: Uint32Array;
  /** 1 = block verified. */
  done: Uint8Array;
  left: number;
}

/** A section to write: its name and its bytes (one or more parts, concatenated). */
export interface SectionInput {
  name: string;
  data: Uint8Array | readonly Uint8Array[];
}

/** One entry of the section table. */
export interface SectionEntry {
  name: string;
  offset: number;
  length: number;
  crc32: number;
}

const align = (n: number) => Math.ceil(n / SECTION_ALIGN) * SECTION_ALIGN;
const validBlock = (b: number) => Number.isInteger(b) && b >= 4096 && b <= 2 ** 30 && (b & (b - 1)) === 0;

/**
 * Writes a segment file crash-safely (temporary sibling, fsync, rename), every call through
 * `fs` (the index's StoreFs seam; the temporary is removed through it on failure). Returns
 * the file's byte length. Internal to the segment writers.
 *
 * @example
 * ```ts
 * await writeSegmentFile(path, 'sparse', 1, [{ name: 'meta', data: meta }, { name: 'docids', data: bytesOf(ids) }]);
 * ```
 */
export async function writeSegmentFile(file: string, kind: string, kindVersion: number, input: readonly SectionInput[], fs: StoreFs = nodeFs, opts: WriteSegmentOptions = {}): Promise<number> {
  checkLittleEndian();
  if (kind.length > 8 || !/^[a-z0-9_]+$/.test(kind)) throw new InvalidArgumentError('INVALID_ARGUMENT', `segment kind '${kind}' must be 1-8 characters [a-z0-9_]`);
  const blockBytes = opts.blockBytes ?? CRC_BLOCK_BYTES;
  if (blockBytes !== 0 && !validBlock(blockBytes)) throw new InvalidArgumentError('INVALID_ARGUMENT', `blockBytes ${blockBytes} must be 0 or a power of two in [4096, 2^30]`);
  const names = new Set<string>();
  const entries: SectionEntry[] = [];
  const sections: SectionInput[] = [...input];
  const covered: number[] = [];
  const blockCrc: Uint32Array[] = [];
  for (const [i, s] of input.entries()) {
    if (!NAME.test(s.name) || names.has(s.name) || s.name === BLOCK_CRC_SECTION) throw new InvalidArgumentError('INVALID_ARGUMENT', `section name '${s.name}' must be unique, 1-12 characters [a-z0-9_], not '${BLOCK_CRC_SECTION}'`);
    names.add(s.name);
    const parts = s.data instanceof Uint8Array ? [s.data] : s.data;
    let length = 0;
    for (const p of parts) length += p.length;
    let crc = 0;
    if (blockBytes > 0 && length > EAGER_CRC_BYTES) {
      const b = blockCrcs(parts, length, blockBytes);
      crc = b.whole;
      covered.push(i);
      blockCrc.push(b.blocks);
    } else for (const p of parts) crc = crc32Update(crc, p);
    entries.push({ name: s.name, offset: 0, length, crc32: crc });
  }
  if (covered.length > 0) {
    const total = blockCrc.reduce((t, b) => t + b.length, 0);
    const table = new Uint32Array(2 + covered.length + total);
    table[0] = blockBytes;
    table[1] = covered.length;
    table.set(covered, 2);
    let at = 2 + covered.length;
    for (const b of blockCrc) {
      table.set(b, at);
      at += b.length;
    }
    const data = new Uint8Array(table.buffer);
    sections.push({ name: BLOCK_CRC_SECTION, data });
    entries.push({ name: BLOCK_CRC_SECTION, offset: 0, length: data.length, crc32: crc32(data) });
  }
  if (sections.length > MAX_SECTIONS) throw new InvalidArgumentError('INVALID_ARGUMENT', `${sections.length} sections${covered.length > 0 ? ` (with '${BLOCK_CRC_SECTION}')` : ''}; a segment file holds at most ${MAX_SECTIONS}`);
  let off = align(HEADER + ENTRY * sections.length);
  for (const e of entries) {
    e.offset = off;
    off = align(off + e.length);
  }
  const last = entries[entries.length - 1];
  const fileLength = last ? last.offset + last.length : HEADER + ENTRY * sections.length;
  const tableEnd = HEADER + ENTRY * sections.length;
  const head = new Uint8Array(entries.length ? align(tableEnd) : tableEnd);
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const enc = new TextEncoder();
  head.set(enc.encode(MAGIC), 0);
  dv.setUint32(8, SEGMENT_CONTAINER_VERSION, true);
  dv.setUint32(12, HEADER, true);
  head.set(enc.encode(kind), 16);
  dv.setUint32(24, kindVersion, true);
  dv.setUint32(28, sections.length, true);
  dv.setBigUint64(32, BigInt(fileLength), true);
  dv.setUint32(40, SECTION_ALIGN, true);
  entries.forEach((e, i) => {
    const at = HEADER + ENTRY * i;
    head.set(enc.encode(e.name), at);
    dv.setUint32(at + 12, e.crc32, true);
    dv.setBigUint64(at + 16, BigInt(e.offset), true);
    dv.setBigUint64(at + 24, BigInt(e.length), true);
  });
  dv.setUint32(44, crc32(head.subarray(HEADER, HEADER + ENTRY * sections.length)), true);
  dv.setUint32(60, crc32(head.subarray(0, 60)), true);
  const chunks: Uint8Array[] = [head];
  let pos = head.length;
  sections.forEach((s, i) => {
    const e = entries[i]!;
    if (e.offset > pos) chunks.push(new Uint8Array(e.offset - pos));
    for (const p of s.data instanceof Uint8Array ? [s.data] : s.data) chunks.push(p);
    pos = e.offset + e.length;
  });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeChunksOf(fs)(tmp, chunks);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp).catch(() => undefined);
    throw storeIoError('writing', file, e, 'a segment write');
  }
  return fileLength;
}

/**
 * An opened segment file: header and section table checked, small sections checksummed,
 * big ones checksummed on first touch. Internal to the segment readers.
 *
 * @example
 * ```ts
 * const f = await SegmentFile.open(path, 'sparse', 1);
 * const docs = f.view('postdocs', Uint32Array, n); // CRC-checked on this first touch
 * ```
 */
/**
 * Maps a file a segment list names. It belongs to an index that exists, so its absence is
 * damage (CORRUPT_FILE naming it), not INDEX_NOT_FOUND.
 *
 * @example
 * ```ts
 * const m = await mapListedFile('/idx/segments/dense/seg-000001.hnsw', {});
 * ```
 */
export async function mapListedFile(file: string, opts: MapOptions = {}): Promise<MappedFile> {
  try {
    return await MappedFile.open(file, opts);
  } catch (e) {
    if (e instanceof StorageError && e.code === 'INDEX_NOT_FOUND') throw new StorageError('CORRUPT_FILE', `${file} is missing (a segment list names it); restore the index from a backup or rebuild it`, { cause: e, file });
    throw e;
  }
}

export class SegmentFile {
  readonly file: string;
  readonly kind: string;
  readonly mapping: MappedFile;
  readonly sections: ReadonlyMap<string, SectionEntry>;
  /** Payload version of the file (one of those open() accepted). */
  readonly kindVersion: number;
  #verified = new Set<string>();
  #blocks = new Map<string, BlockState>();

  private constructor(file: string, kind: string, mapping: MappedFile, sections: Map<string, SectionEntry>, kindVersion: number) {
    this.file = file;
    this.kindVersion = kindVersion;
    this.kind = kind;
    this.mapping = mapping;
    this.sections = sections;
  }

  /**
   * Maps `file` and checks it is a segment file of `kind` whose payload version is
   * `kindVersion` (or one of a list of readable versions). Throws StorageError (see the module comment) naming the file.
   *
   * @example
   * ```ts
   * const f = await SegmentFile.open(path, 'mvec', 1, { mode: 'read' });
   * ```
   */
  static async open(file: string, kind: string, kindVersion: number | readonly number[], opts: MapOptions = {}): Promise<SegmentFile> {
    checkLittleEndian();
    const m = await mapListedFile(file, opts);
    try {
      return SegmentFile.#check(file, kind, kindVersion, m);
    } catch (e) {
      m.close();
      throw e;
    }
  }

  static #check(file: string, kind: string, kindVersion: number | readonly number[], m: MappedFile): SegmentFile {
    const bad = (msg: string): never => {
      throw new StorageError('CORRUPT_FILE', `${file}: ${msg}; restore it from a backup or rebuild the index`, { file });
    };
    if (m.byteLength < HEADER) bad(`${m.byteLength} bytes, shorter than the ${HEADER}-byte segment header`);
    const h = m.bytes(0, HEADER);
    const dv = new DataView(h.buffer, h.byteOffset, HEADER);
    if (new TextDecoder().decode(h.subarray(0, 8)) !== MAGIC) bad('not a trident segment file (bad magic)');
    const version = dv.getUint32(8, true);
    if (version !== SEGMENT_CONTAINER_VERSION) {
      throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${file}: segment container version ${version}; this trident reads version ${SEGMENT_CONTAINER_VERSION}. Upgrade trident or rebuild the index`, { file });
    }
    if (crc32(h.subarray(0, 60)) !== dv.getUint32(60, true)) bad('header checksum mismatch (damaged header)');
    if (dv.getUint32(12, true) !== HEADER) bad('unexpected header size');
    const gotKind = new TextDecoder().decode(h.subarray(16, 24)).replace(/\0+$/, '');
    if (gotKind !== kind) bad(`holds a '${gotKind}' segment, expected '${kind}'`);
    const kv = dv.getUint32(24, true);
    const readable = typeof kindVersion === 'number' ? [kindVersion] : kindVersion;
    if (!readable.includes(kv)) {
      throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${file}: ${kind} segment version ${kv}; this trident reads version ${readable.join(', ')}. Upgrade trident or rebuild the index`, { file });
    }
    const count = dv.getUint32(28, true);
    if (count > MAX_SECTIONS) bad(`${count} sections (at most ${MAX_SECTIONS})`);
    const fileLength = Number(dv.getBigUint64(32, true));
    if (fileLength !== m.byteLength) bad(`${m.byteLength} bytes, the header says ${fileLength} (truncated or overwritten)`);
    if (dv.getUint32(40, true) !== SECTION_ALIGN) bad('unexpected section alignment');
    const tableEnd = HEADER + ENTRY * count;
    if (tableEnd > m.byteLength) bad('section table runs past the end of the file');
    const table = m.bytes(HEADER, ENTRY * count, 'section table');
    if (crc32(table) !== dv.getUint32(44, true)) bad('section table checksum mismatch');
    const tv = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const sections = new Map<string, SectionEntry>();
    let prevEnd = tableEnd;
    for (let i = 0; i < count; i++) {
      const at = ENTRY * i;
      const name = new TextDecoder().decode(table.subarray(at, at + 12)).replace(/\0+$/, '');
      if (!NAME.test(name) || sections.has(name)) bad(`section ${i} has an invalid or repeated name`);
      const offset = Number(tv.getBigUint64(at + 16, true));
      const length = Number(tv.getBigUint64(at + 24, true));
      if (offset % SECTION_ALIGN !== 0) bad(`section '${name}' at ${offset} is not page-aligned`);
      if (offset < prevEnd || offset + length > m.byteLength || !Number.isSafeInteger(offset + length)) bad(`section '${name}' [${offset}, ${offset + length}) overlaps another or lies outside the file`);
      prevEnd = offset + length;
      sections.set(name, { name, offset, length, crc32: tv.getUint32(at + 12, true) });
    }
    if (prevEnd !== m.byteLength) bad(`${m.byteLength - prevEnd} bytes after the last section`);
    const f = new SegmentFile(file, kind, m, sections, kv);
    for (const s of sections.values()) if (s.length <= EAGER_CRC_BYTES) f.#verify(s);
    const bt = sections.get(BLOCK_CRC_SECTION);
    if (bt !== undefined) {
      f.#verify(bt);
      f.#readBlockTable(bt, [...sections.values()], bad);
    }
    return f;
  }

  /** Parses and checks the layout of the (CRC-checked) block table. */
  #readBlockTable(bt: SectionEntry, order: SectionEntry[], bad: (msg: string) => never): void {
    if (bt.length < 8 || bt.length % 4 !== 0) bad(`section '${BLOCK_CRC_SECTION}' is ${bt.length} bytes`);
    const t = this.mapping.view(Uint32Array, bt.offset, bt.length / 4, `section '${BLOCK_CRC_SECTION}'`);
    const block = t[0]!;
    const c = t[1]!;
    if (!validBlock(block)) bad(`section '${BLOCK_CRC_SECTION}': block size ${block} is not a power of two in [4096, 2^30]`);
    if (c >= order.length || 2 + c > t.length) bad(`section '${BLOCK_CRC_SECTION}': ${c} covered sections`);
    let at = 2 + c;
    for (let i = 0; i < c; i++) {
      const x = t[2 + i]!;
      const s = order[x];
      if (s === undefined || s === bt || (i > 0 && x <= t[1 + i]!) || s.length === 0) bad(`section '${BLOCK_CRC_SECTION}': covered section index ${x} (out of range, not ascending, itself or empty)`);
      const n = Math.ceil(s.length / block);
      if (at + n > t.length) bad(`section '${BLOCK_CRC_SECTION}' is too short for the blocks of '${s.name}'`);
      this.#blocks.set(s.name, { block, crcs: t.slice(at, at + n), done: new Uint8Array(n), left: n });
      at += n;
    }
    if (at !== t.length) bad(`section '${BLOCK_CRC_SECTION}' has ${4 * (t.length - at)} bytes after its last block`);
  }

  #mismatch(s: SectionEntry, what: string): never {
    throw new StorageError('CHECKSUM_MISMATCH', `${this.file}: section '${s.name}'${what} fails its CRC-32 check (damaged on disk); restore it from a backup or rebuild the index`, { file: this.file });
  }

  /** Verifies block i of a section with block CRCs (no-op when it already was). */
  #verifyBlock(s: SectionEntry, b: BlockState, i: number): void {
    if (b.done[i] === 1) return;
    const start = i * b.block;
    const got = crc32(this.mapping.bytes(s.offset + start, Math.min(b.block, s.length - start), `section '${s.name}'`));
    this.mapping.check();
    if (got !== b.crcs[i]) this.#mismatch(s, ` block ${i} (bytes ${start}…${Math.min(s.length, start + b.block)})`);
    b.done[i] = 1;
    b.left--;
  }

  #verify(s: SectionEntry): void {
    if (this.#verified.has(s.name)) return;
    const b = this.#blocks.get(s.name);
    if (b === undefined) {
      const got = crc32(this.mapping.bytes(s.offset, s.length, `section '${s.name}'`));
      this.mapping.check();
      if (got !== s.crc32) this.#mismatch(s, '');
    } else {
      // every block against the table (blocks verified before are not read again), then the
      // table against the whole-section CRC
      for (let i = 0; i < b.crcs.length; i++) this.#verifyBlock(s, b, i);
      if (combineBlocks(b.crcs, s.length, b.block) !== s.crc32) this.#mismatch(s, ` (its block checksums disagree with the section's)`);
    }
    this.#verified.add(s.name);
    // the checksum pass touched every page of the section: drop them from this process's
    // resident set again (the page cache keeps them; later reads fault them back in)
    if (s.length > EAGER_CRC_BYTES) this.mapping.advise(s.offset, s.length, 'dontneed');
  }

  /** True once the section's checksum was verified. */
  isVerified(name: string): boolean {
    return this.#verified.has(name);
  }

  /** True when the section has per-block checksums (first touch can verify just a range). */
  hasBlocks(name: string): boolean {
    return this.#blocks.has(name);
  }

  /**
   * Verifies the bytes [start, end) of a section before a reader reads them: only the blocks
   * the range covers that were not verified yet (a bitmap test per block); a section without
   * block checksums is verified whole (once). CHECKSUM_MISMATCH naming the file, section and
   * block; CORRUPT_FILE when the section is missing or the range lies outside it.
   *
   * @example
   * ```ts
   * f.ensure('postdocs', 4 * start, 4 * end); // then read postdocs[start, end)
   * ```
   */
  ensure(name: string, start: number, end: number): void {
    const s = this.section(name, false);
    if (!(start >= 0 && start <= end && end <= s.length)) throw new StorageError('CORRUPT_FILE', `${this.file}: bytes ${start}…${end} lie outside section '${name}' (${s.length} bytes); restore it from a backup or rebuild the index`, { file: this.file });
    if (start === end || this.#verified.has(name)) return;
    const b = this.#blocks.get(name);
    if (b === undefined) {
      this.#verify(s);
      return;
    }
    if (b.left === 0) return;
    const last = Math.floor((end - 1) / b.block);
    for (let i = Math.floor(start / b.block); i <= last; i++) if (b.done[i] !== 1) this.#verifyBlock(s, b, i);
  }

  /**
   * The section's entry; CORRUPT_FILE when the file lacks it. With `verify` (default true) its
   * checksum is verified now unless it already was.
   *
   * @example
   * ```ts
   * const e = f.section('postdocs'); // { name, offset, length, crc32 }
   * ```
   */
  section(name: string, verify = true): SectionEntry {
    const s = this.sections.get(name);
    if (s === undefined) throw new StorageError('CORRUPT_FILE', `${this.file}: section '${name}' is missing; restore it from a backup or rebuild the index`, { file: this.file });
    if (verify) this.#verify(s);
    return s;
  }

  /**
   * A typed view of a whole section, which must hold exactly `count` elements (CORRUPT_FILE
   * otherwise). Verifies the checksum first unless `verify` is false.
   *
   * @example
   * ```ts
   * const ids = f.view('docids', Uint32Array, docs);
   * ```
   */
  view<T>(name: string, Ctor: { new (b: ArrayBuffer, o: number, n: number): T; BYTES_PER_ELEMENT: number }, count: number, verify = true): T {
    const s = this.section(name, verify);
    if (s.length !== count * Ctor.BYTES_PER_ELEMENT) {
      throw new StorageError('CORRUPT_FILE', `${this.file}: section '${name}' is ${s.length} bytes, expected ${count} × ${Ctor.BYTES_PER_ELEMENT}; restore it from a backup or rebuild the index`, { file: this.file });
    }
    return this.mapping.view(Ctor, s.offset, count, `section '${name}'`);
  }

  /**
   * Verifies every section's checksum (those not verified yet): the whole-section CRC, and for
   * a section with block checksums every block too. Throws CHECKSUM_MISMATCH naming the file
   * and section.
   *
   * @example
   * ```ts
   * f.verify();
   * ```
   */
  verify(): void {
    for (const s of this.sections.values()) this.#verify(s);
  }

  /** Releases this object's reference to the mapping (see {@link MappedFile.close}). */
  close(): void {
    this.mapping.close();
  }
}
