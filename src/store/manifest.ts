import { StorageError } from '../errors.js';
import { crc32 } from './checksum.js';

/** On-disk format version of an index directory (independent of the package version). */
export const FORMAT_VERSION = 1;
/** Oldest format version this build can read. */
export const OLDEST_READABLE_VERSION = 1;
export const MANIFEST_MAGIC = 'trident-index';
export const MANIFEST_FILE = 'manifest.json';

/** One data file of a generation, with its byte length and CRC-32. */
export interface FileEntry {
  name: string;
  bytes: number;
  crc32: number;
}

/**
 * The manifest: the single source of truth of an index directory. It names the generation
 * folder that holds the current data files and lists each file's length and CRC-32; it is
 * replaced atomically (write to a temporary sibling, fsync, rename).
 */
export interface Manifest {
  magic: typeof MANIFEST_MAGIC;
  formatVersion: number;
  /** Readers older than this version must refuse the index. */
  minReaderVersion: number;
  writer: string;
  generation: number;
  dir: string;
  createdAt: string;
  encoder: unknown;
  config: unknown;
  files: FileEntry[];
}

/** Serialises a manifest with a trailing checksum of its own content. */
export function encodeManifest(m: Manifest): string {
  const body = JSON.stringify(m);
  return JSON.stringify({ ...m, checksum: crc32(new TextEncoder().encode(body)) }, null, 2);
}

/** Parses and validates a manifest; throws StorageError naming manifest.json. */
export function decodeManifest(text: string): Manifest {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE} is not valid JSON (truncated or overwritten); restore the index from a backup or rebuild it`, { cause: e, file: MANIFEST_FILE });
  }
  if (!raw || typeof raw !== 'object' || raw.magic !== MANIFEST_MAGIC) {
    throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE} does not start a trident index (magic '${MANIFEST_MAGIC}' missing)`, { file: MANIFEST_FILE });
  }
  const { checksum, ...rest } = raw;
  const body = JSON.stringify(rest);
  if (checksum !== crc32(new TextEncoder().encode(body))) {
    throw new StorageError('CHECKSUM_MISMATCH', `${MANIFEST_FILE} checksum does not match its content: the file was modified or damaged`, { file: MANIFEST_FILE });
  }
  const m = rest as unknown as Manifest;
  if (typeof m.formatVersion !== 'number' || typeof m.minReaderVersion !== 'number') {
    throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE} lacks formatVersion/minReaderVersion`, { file: MANIFEST_FILE });
  }
  if (m.minReaderVersion > FORMAT_VERSION || m.formatVersion < OLDEST_READABLE_VERSION) {
    throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `index format version ${m.formatVersion} (needs a reader ≥ ${m.minReaderVersion}) is not readable by this trident (format ${FORMAT_VERSION}, reads ≥ ${OLDEST_READABLE_VERSION}); upgrade trident or rebuild the index`, { file: MANIFEST_FILE });
  }
  if (!Array.isArray(m.files) || typeof m.dir !== 'string' || !/^gen-\d+$/.test(m.dir)) {
    throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE} has no valid file list or generation folder`, { file: MANIFEST_FILE });
  }
  for (const f of m.files as unknown[]) {
    const e = f as Partial<FileEntry> | null;
    if (!e || typeof e.name !== 'string' || !SAFE_NAME.test(e.name) || e.name.split('/').some((part) => part === '.' || part === '..') || !Number.isSafeInteger(e.bytes) || (e.bytes as number) < 0 || !Number.isInteger(e.crc32) || (e.crc32 as number) < 0 || (e.crc32 as number) > 0xffffffff) {
      throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE} lists an invalid file entry ${JSON.stringify(f)}`, { file: MANIFEST_FILE });
    }
  }
  // Formatting bytes (indentation, spacing) are outside the checksum: a manifest this version
  // wrote re-encodes to exactly the bytes on disk, so any other byte is damage too.
  if (m.formatVersion === FORMAT_VERSION && encodeManifest(m) !== text) {
    throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE} content matches its checksum but its bytes are not the ones trident wrote (damaged whitespace?); restore the index from a backup or rebuild it`, { file: MANIFEST_FILE });
  }
  return m;
}

/** Relative data-file names: path segments of letters, digits, '.', '_' and '-'. */
const SAFE_NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
