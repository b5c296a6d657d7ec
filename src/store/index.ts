export { crc32, crc32Update } from './checksum.js';
export { readLargeFile, checksumFile, writeChunks, IO_CHUNK_BYTES, type ChunkOptions } from './large-file.js';
export { nodeFs, type StoreFs } from './fs-seam.js';
export { FORMAT_VERSION, OLDEST_READABLE_VERSION, MANIFEST_FILE, type Manifest, type FileEntry } from './manifest.js';
export { readIndexDirectory, writeIndexGeneration, type OpenedDirectory, type WriteGenerationOptions } from './directory.js';
export { IdMap, checkId, type ExternalId } from './id-map.js';
export { WriteAheadLog, WAL_FILE, WAL_FORMAT_VERSION, encodeRecord, decodeRecord } from './wal.js';
export { bytesOf, checkLittleEndian, copyOut, corruptFile, readStoreFile, storeIoError, writeFileAtomic, type StoreFileFormat } from './binary-file.js';
