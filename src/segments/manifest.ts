/**
 * `segments.json`: the list of live segments of a segmented store, with each segment's
 * document count, deletions and file lengths. Like the index manifest it carries a CRC-32 of
 * its own content and is replaced atomically (temporary sibling, fsync, rename, directory
 * fsync): the rename is the commit point of every save and merge.
 */
import * as path from 'node:path';
import { StorageError } from '../errors.js';
import { crc32 } from '../store/checksum.js';
import { nodeFs, type StoreFs } from '../store/fs-seam.js';
import type { DenseSegmentConfig } from './dense-segment.js';
import type { MvChannelConfig } from './mv-segment.js';
import type { SparseChannelConfig } from './sparse-segment.js';

export const SEGMENTS_FILE = 'segments.json';
/** A versioned segment list (`segments-000004.json`): written by a store whose owner keeps the commit point (HybridIndex). */
export const VERSIONED_SEGMENTS = /^segments-(\d{6,})\.json$/;

/** The versioned segment list of commit generation `gen`. */
export function versionedSegmentsFile(gen: number): string {
  return `segments-${String(gen).padStart(6, '0')}.json`;
}
const MAGIC = 'trident-segments';
/** Format version of segments.json. */
export const SEGMENTS_FORMAT_VERSION = 1;

/** One live segment. */
export interface SegmentEntry {
  /** `seg-000001`; its files are `<name>.sparse`, `<name>.mvec`, `<name>.del-<delGen>`. */
  name: string;
  docs: number;
  deleted: number;
  /** 0 = no deletion file. */
  delGen: number;
  /** Byte length of each file of the segment, by suffix ('sparse', 'mvec', 'dense', 'hnsw', 'del'). */
  bytes: Record<string, number>;
}

/** The channels a segmented store holds, fixed at create. */
export interface SegmentChannels {
  sparse?: SparseChannelConfig;
  multivector?: MvChannelConfig;
  /** Dense vectors: `<seg>.dense` + `<seg>.hnsw` (dense-segment.ts). */
  dense?: DenseSegmentConfig;
}

export interface SegmentsManifest {
  magic: typeof MAGIC;
  formatVersion: number;
  generation: number;
  nextSegment: number;
  channels: SegmentChannels;
  segments: SegmentEntry[];
}

/** File names of a segment entry (data files and deletion file). */
export function segmentFiles(e: SegmentEntry): string[] {
  const out = Object.keys(e.bytes)
    .filter((k) => k !== 'del')
    .map((k) => `${e.name}.${k}`);
  if (e.delGen > 0) out.push(delFile(e.name, e.delGen));
  return out;
}

export function delFile(name: string, gen: number): string {
  return `${name}.del-${String(gen).padStart(6, '0')}`;
}

export function encodeSegments(m: SegmentsManifest): string {
  const body = JSON.stringify(m);
  return JSON.stringify({ ...m, checksum: crc32(new TextEncoder().encode(body)) }, null, 1);
}

/** Parses and validates segments.json; StorageError naming the file. */
export function decodeSegments(text: string, file = SEGMENTS_FILE): SegmentsManifest {
  const bad = (msg: string, code: 'CORRUPT_FILE' | 'CHECKSUM_MISMATCH' = 'CORRUPT_FILE'): never => {
    throw new StorageError(code, `${file}: ${msg}; restore the index from a backup or rebuild it`, { file });
  };
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    bad('not valid JSON (truncated or overwritten)');
  }
  if (!raw || typeof raw !== 'object' || raw.magic !== MAGIC) bad(`magic '${MAGIC}' missing`);
  const { checksum, ...rest } = raw;
  if (checksum !== crc32(new TextEncoder().encode(JSON.stringify(rest)))) bad('checksum does not match its content', 'CHECKSUM_MISMATCH');
  const m = rest as unknown as SegmentsManifest;
  if (m.formatVersion !== SEGMENTS_FORMAT_VERSION) {
    throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${file}: format version ${String(m.formatVersion)}; this trident reads ${SEGMENTS_FORMAT_VERSION}. Upgrade trident or rebuild the index`, { file });
  }
  const int = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!int(m.generation) || !int(m.nextSegment) || !Array.isArray(m.segments) || !m.channels || typeof m.channels !== 'object') bad('missing fields');
  const names = new Set<string>();
  for (const e of m.segments as unknown[]) {
    const s = e as Partial<SegmentEntry> | null;
    if (
      !s ||
      typeof s.name !== 'string' ||
      !/^seg-\d{6,}$/.test(s.name) ||
      names.has(s.name) ||
      !int(s.docs) ||
      !int(s.deleted) ||
      (s.deleted as number) > (s.docs as number) ||
      !int(s.delGen) ||
      (s.delGen === 0) !== (s.deleted === 0) ||
      !s.bytes ||
      typeof s.bytes !== 'object' ||
      !Object.entries(s.bytes).every(([k, v]) => ['sparse', 'mvec', 'dense', 'hnsw', 'del'].includes(k) && int(v))
    ) {
      bad(`invalid segment entry ${JSON.stringify(e)}`);
    }
    names.add(s!.name!);
  }
  return m;
}

/** Reads segments.json; INDEX_NOT_FOUND when it is missing. */
export async function readSegments(dir: string, fs: StoreFs = nodeFs, name = SEGMENTS_FILE): Promise<{ manifest: SegmentsManifest; text: string }> {
  let text: string;
  const file = path.join(dir, name);
  try {
    text = new TextDecoder().decode(await fs.readFile(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageError(name === SEGMENTS_FILE ? 'INDEX_NOT_FOUND' : 'CORRUPT_FILE', `no segmented store at ${dir} (${name} missing)`, { cause: e, file });
    throw new StorageError('IO_ERROR', `reading ${name} failed: ${(e as Error).message}`, { cause: e, file });
  }
  return { manifest: decodeSegments(text, name === SEGMENTS_FILE ? SEGMENTS_FILE : file), text };
}

/** Replaces segments.json (or writes the versioned list `name`) atomically (the store's commit point). */
export async function writeSegments(dir: string, m: SegmentsManifest, fs: StoreFs = nodeFs, name = SEGMENTS_FILE): Promise<void> {
  const tmp = path.join(dir, `${name}.tmp`);
  await fs.fsync(dir); // the new segment files' renames are durable before the manifest names them
  try {
    await fs.writeFile(tmp, encodeSegments(m)); // nodeFs.writeFile fsyncs
    await fs.rename(tmp, path.join(dir, name));
  } catch (e) {
    await fs.rm(tmp).catch(() => undefined); // a failed write leaves no partial list behind
    throw e;
  }
  await fs.fsync(dir).catch(() => undefined);
}
