/**
 * Storage engine v2 (issue 16): immutable segment files read through memory mappings.
 *
 * Owns: the segment container (container.ts), the per-channel segment formats
 * (sparse-segment.ts, mv-segment.ts), deletion bitmaps (deletes.ts), the segment list
 * (manifest.ts), the tiered merge policy (merge-policy.ts) and the segmented store that
 * commits, merges and searches across segments (store.ts). Must never hand a kernel a byte
 * range it has not bounds-checked, nor score a posting it has not validated.
 */
export { SegmentedStore, type CommitResult, type SegmentDoc, type SegmentedOpenOptions, type SparseStatsExtra } from './store.js';
export { checkMergeOptions, findMerges, type MergeCandidate, type TieredMergeOptions } from './merge-policy.js';
export { SegmentFile, writeSegmentFile, SEGMENT_CONTAINER_VERSION, SECTION_ALIGN, EAGER_CRC_BYTES, CRC_BLOCK_BYTES, BLOCK_CRC_SECTION, type SectionEntry, type SectionInput, type WriteSegmentOptions } from './container.js';
export { SEGMENTS_FILE, VERSIONED_SEGMENTS, versionedSegmentsFile, type SegmentChannels, type SegmentEntry, type SegmentsManifest } from './manifest.js';
export type { SparseChannelConfig } from './sparse-segment.js';
export type { MvChannelConfig } from './mv-segment.js';
export { SearchPool, type PoolFilter, type SearchPoolOptions } from './search-pool.js';
