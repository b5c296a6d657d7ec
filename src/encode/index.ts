/**
 * Public surface of the encode stage. The package entry (src/index.ts) re-exports from here.
 */
export { loadEncoder } from './load.js';
export { M3_CONFIG, resolveModelConfig } from './config.js';
export type { HeadSet, ModelConfig, Pooling } from './config.js';
export type {
  CharSpan,
  DownloadProgress,
  EncodeOptions,
  Encoded,
  Encoder,
  EncoderInfo,
  LoadEncoderOptions,
  MultiVector,
  Role,
  SparseVector,
  TokenLevel,
} from './types.js';
export { defaultCacheDir } from './hub.js';
export { packageRoot } from './source.js';
