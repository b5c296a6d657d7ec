/** Channels: one store interface (see types.ts) and the kinds trident ships. */
export type * from './types.js';
export { CHANNEL_KINDS, CHANNEL_NAME, channelFiles, createChannel, invalidChannelSpec, isSegmentedChannel, openChannel, type OpenContext } from './registry.js';
export { DenseChannel } from './dense-channel.js';
export { SparseChannel } from './sparse-channel.js';
export { MultiVectorChannel } from './multivector-channel.js';
export { Bm25Channel, vocabFile } from './bm25-channel.js';
export { SegmentedChannel, segmentsRefFile, segmentsDir, unsegmentable } from './segment-channel.js';
