/**
 * Public surface of the encode stage: one {@link Encoder} contract, one loader
 * (`loadEncoder`) whose model families are presets (`PRESETS`: BGE-M3 layouts and the
 * built-in static models, E5/GTE/… dense, SPLADE, BM42, ColBERT), and the composition of
 * several encoders into one. The package entry (src/index.ts) re-exports from here.
 */
export { loadEncoder, loadFamilyEncoder } from './load.js';
export type { LoadFamilyOptions } from './load-family.js';
export { M3_CONFIG, resolveModelConfig } from './config.js';
export type { HeadSet, ModelConfig, Pooling } from './config.js';
export type {
  CharSpan,
  DownloadProgress,
  EncodeOptions,
  Encoded,
  Encoder,
  EncoderInfo,
  EncoderKind,
  LoadEncoderOptions,
  MultiVector,
  Role,
  SparseVector,
  TokenLevel,
} from './types.js';
export { defaultCacheDir } from './hub.js';
export { packageRoot, resolveModelDir } from './source.js';
export { M3Encoder } from './m3.js';
export { FamilyEncoder } from './family.js';
export type { FamilyEncoderInfo } from './family.js';
export { PRESETS, findPreset } from './presets.js';
export type { Preset } from './presets.js';
export type { FamilyConfig, FamilyKind, DensePooling, ColbertConfig } from './family-config.js';
export { readStFiles, PUNCTUATION } from './family-config.js';
export { FamilyTokenizer } from './family-tokenizer.js';
export { listFiles, selectFamilyFiles } from './layout.js';
export { murmur3, bm42TermId, bm42Stem, idfWeightedQuery } from './bm42.js';
export { spladePool, poolRows } from './pooling.js';
export { composeEncoders, COMPOSED_FUSION } from './compose.js';
export type { ComposeParts } from './compose.js';
export { composeByRole, loadByRole } from './roles.js';
export type { RoleParts } from './roles.js';
export type { WordSplitter } from './japanese.js';
