/**
 * Validation of the persisted configuration (manifest `config`) and of fusion options. A
 * manifest whose checksum matches can still hold a configuration that no trident wrote
 * (`candidates: -1`, an unknown dtype): open() refuses it at once, naming manifest.json,
 * instead of failing later at search. Owns no state.
 */
import { StorageError, invalid } from '../errors.js';
import { validateNamedWeights, validateRrfK, validateWeights, type FusionKind } from '../fusion/index.js';
import { MANIFEST_FILE } from '../store/index.js';
import { invalidChannelSpec, type ChannelSpec } from '../channels/index.js';

const FUSION_KINDS: readonly FusionKind[] = ['weighted', 'rrf', 'dbsf', 'minmax'];

/**
 * Throws INVALID_ARGUMENT unless `fusion` holds a known kind, valid weights and a valid RRF
 * constant (each checked only when present).
 *
 * @example
 * ```ts
 * checkFusionOptions({ kind: 'rrf', rrfK: 60 }); // ok
 * checkFusionOptions({ rrfK: 0 });                // throws INVALID_ARGUMENT
 * ```
 */
export function checkFusionOptions(fusion: { kind?: unknown; weights?: unknown; rrfK?: unknown } | undefined): void {
  if (fusion === undefined) return;
  if (fusion === null || typeof fusion !== 'object') invalid('INVALID_ARGUMENT', 'fusion must be an object { kind?, weights?, rrfK? }');
  if (fusion.kind !== undefined && !FUSION_KINDS.includes(fusion.kind as FusionKind)) invalid('INVALID_ARGUMENT', `unknown fusion kind '${String(fusion.kind)}': use ${FUSION_KINDS.join(', ')}`);
  if (fusion.weights !== undefined) {
    if (Array.isArray(fusion.weights)) validateWeights(fusion.weights as number[]);
    else validateNamedWeights('fusion', fusion.weights);
  }
  if (fusion.rrfK !== undefined) validateRrfK(fusion.rrfK as number);
}

/**
 * The persisted configuration (manifest `config`), version 2: the channels in their order,
 * the default fusion (kind, a weight per channel name, the RRF constant, and the channels a
 * search uses when it names none), the candidate depth, text storage and the log.
 */
export interface HybridConfig {
  version: 2;
  channels: ChannelSpec[];
  fusion: { kind: FusionKind; weights: Record<string, number>; rrfK: number; channels: string[] };
  candidates: number;
  storeText: boolean;
  /** Write-ahead log on (absent in indexes written before it existed: off; see HybridIndexOptions.wal). */
  wal?: boolean;
  /**
   * 'segments': the sparse, BM25 and multi-vector channels keep their documents in segment
   * files under `<index>/segments/` (see src/segments/FORMAT.md). Absent: every channel is
   * rewritten into each generation (the default).
   */
  storage?: 'segments';
}

/**
 * Checks a configuration read from manifest.json (version 2, or version 1 — the four fixed
 * stores — which is converted: channels named dense, sparse, multivector and bm25 in their
 * old directories, weights by name, and the M3 trio as the default search so that an old
 * index answers exactly as before); throws CORRUPT_FILE naming manifest.json and the bad
 * field. `sparseModifier` is the encoder's (version 1 did not store it).
 *
 * @example
 * ```ts
 * const config = checkStoredConfig(manifest.config);
 * ```
 */
export function checkStoredConfig(raw: unknown, sparseModifier: 'none' | 'idf' = 'none'): HybridConfig {
  const bad = (what: string): never => {
    throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE}: config ${what}; restore the index from a backup or rebuild it`, { file: MANIFEST_FILE });
  };
  const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!obj(raw)) return bad('is missing or not an object');
  const c = raw.version === undefined ? fromVersion1(raw, bad, sparseModifier) : raw;
  if (c.version !== 2) bad(`version is ${JSON.stringify(c.version)}; this trident reads versions 1 and 2 (a newer trident wrote it?)`);
  const channels = c.channels;
  if (!Array.isArray(channels) || channels.length === 0) return bad('channels is not a non-empty array');
  const names = new Set<string>();
  channels.forEach((ch, i) => {
    const why = invalidChannelSpec(ch);
    if (why) bad(`channels[${i}] ${why}`);
    const name = (ch as { name: string }).name;
    if (names.has(name)) bad(`channels[${i}] repeats the name '${name}'`);
    names.add(name);
  });
  const f = c.fusion;
  if (!obj(f)) return bad('fusion is not an object');
  if (!FUSION_KINDS.includes(f.kind as FusionKind)) bad(`fusion.kind is ${JSON.stringify(f.kind)}`);
  try {
    validateRrfK(f.rrfK as number);
  } catch {
    bad(`fusion.rrfK is ${JSON.stringify(f.rrfK)}`);
  }
  const w = f.weights;
  if (!obj(w)) return bad('fusion.weights is not an object');
  let sum = 0;
  for (const [k, v] of Object.entries(w)) {
    if (!names.has(k)) bad(`fusion.weights names '${k}', which is not a channel`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`fusion.weights.${k} is ${JSON.stringify(v)}`);
    sum += v as number;
  }
  if (!Number.isFinite(sum)) bad('fusion.weights overflow when summed');
  const def = f.channels;
  if (!Array.isArray(def) || def.length === 0 || def.some((n) => typeof n !== 'string' || !names.has(n))) bad(`fusion.channels is ${JSON.stringify(def)}, not a list of channel names`);
  if (!Number.isInteger(c.candidates) || (c.candidates as number) < 1 || (c.candidates as number) > 0xffffffff) bad(`candidates is ${JSON.stringify(c.candidates)}, not a positive integer`);
  if (typeof c.storeText !== 'boolean') bad(`storeText is ${JSON.stringify(c.storeText)}, not a boolean`);
  if (c.wal !== undefined && typeof c.wal !== 'boolean') bad(`wal is ${JSON.stringify(c.wal)}, not a boolean`);
  if (c.storage !== undefined && c.storage !== 'segments') bad(`storage is ${JSON.stringify(c.storage)}; this trident knows 'segments' (or none)`);
  return c as unknown as HybridConfig;
}

/** Version 1 (four fixed stores, weights as [dense, sparse, multivector]) → version 2. */
function fromVersion1(c: Record<string, unknown>, bad: (what: string) => never, sparseModifier: 'none' | 'idf'): Record<string, unknown> {
  const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const channels: Record<string, unknown>[] = [];
  if (c.dense !== false) {
    if (!obj(c.dense)) return bad('dense is neither false nor an object');
    channels.push({ ...c.dense, name: 'dense', kind: 'dense', source: 'encoder' });
  }
  if (typeof c.sparse !== 'boolean') bad(`sparse is ${JSON.stringify(c.sparse)}, not a boolean`);
  if (c.sparse) channels.push({ name: 'sparse', kind: 'sparse', source: 'encoder', modifier: sparseModifier });
  if (c.multivector !== false) {
    if (!obj(c.multivector)) return bad('multivector is neither false nor an object');
    const { dim, ...mv } = c.multivector;
    channels.push({ ...mv, dimensions: dim, name: 'multivector', kind: 'multivector', source: 'encoder' });
  }
  if (c.bm25 !== false) {
    if (!obj(c.bm25)) return bad('bm25 is neither false nor an object');
    channels.push({ ...c.bm25, name: 'bm25', kind: 'bm25' });
  }
  if (channels.length === 0) bad('disables every store');
  const f = c.fusion;
  if (!obj(f)) return bad('fusion is not an object');
  if (f.weights === undefined || f.rrfK === undefined || f.kind === undefined) bad('fusion lacks kind, weights or rrfK');
  try {
    checkFusionOptions(f);
  } catch (e) {
    bad(`fusion is invalid (${(e as Error).message})`);
  }
  const [wd, ws, wm] = f.weights as number[];
  const has = (n: string) => channels.some((ch) => ch.name === n);
  const weights: Record<string, number> = {};
  if (has('dense')) weights.dense = wd!;
  if (has('sparse')) weights.sparse = ws!;
  if (has('multivector')) weights.multivector = wm!;
  // version 1's default search ('all') fused dense, sparse and multivector; BM25 was its own mode
  const trio = ['dense', 'sparse', 'multivector'].filter(has);
  const { dense: _d, sparse: _s, multivector: _m, bm25: _b, fusion: _f, ...rest } = c;
  return { ...rest, version: 2, channels, fusion: { kind: f.kind, rrfK: f.rrfK, weights, channels: trio.length > 0 ? trio : ['bm25'] } };
}
