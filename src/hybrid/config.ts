/**
 * Validation of the persisted configuration (manifest `config`) and of fusion options. A
 * manifest whose checksum matches can still hold a configuration that no trident wrote
 * (`candidates: -1`, an unknown dtype): open() refuses it at once, naming manifest.json,
 * instead of failing later at search. Owns no state.
 */
import { StorageError, invalid } from '../errors.js';
import { ANALYZER_VERSION } from '../analyze/index.js';
import { validateRrfK, validateWeights, type FusionKind } from '../fusion/index.js';
import { MANIFEST_FILE } from '../store/index.js';
import type { HybridConfig } from './hybrid-index.js';

const FUSION_KINDS: readonly FusionKind[] = ['weighted', 'rrf', 'dbsf', 'minmax'];
const DTYPES = ['f32', 'f16', 'i8'];
const ANALYZERS = ['plain', 'english', 'bigram', 'auto'];

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
  if (fusion.weights !== undefined) validateWeights(fusion.weights as number[]);
  if (fusion.rrfK !== undefined) validateRrfK(fusion.rrfK as number);
}

/**
 * Checks a configuration read from manifest.json; throws CORRUPT_FILE naming manifest.json
 * and the bad field.
 *
 * @example
 * ```ts
 * const config = checkStoredConfig(manifest.config);
 * ```
 */
export function checkStoredConfig(raw: unknown): HybridConfig {
  const bad = (what: string): never => {
    throw new StorageError('CORRUPT_FILE', `${MANIFEST_FILE}: config ${what}; restore the index from a backup or rebuild it`, { file: MANIFEST_FILE });
  };
  const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const int = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  const optInt = (o: Record<string, unknown>, k: string, lo: number, hi: number, where: string) => {
    if (o[k] !== undefined && !int(o[k], lo, hi)) bad(`${where}.${k} is ${JSON.stringify(o[k])}, not an integer in ${lo}..${hi}`);
  };
  if (!obj(raw)) return bad('is missing or not an object');
  const c = raw;
  if (c['dense'] !== false) {
    const d = c['dense'];
    if (!obj(d)) return bad('dense is neither false nor an object');
    if (!DTYPES.includes(d['dtype'] as string)) bad(`dense.dtype is ${JSON.stringify(d['dtype'])}`);
    if (!int(d['dimensions'], 1, 1 << 16)) bad(`dense.dimensions is ${JSON.stringify(d['dimensions'])}`);
    optInt(d, 'connectivity', 2, 1024, 'dense');
    optInt(d, 'expansionAdd', 1, 1 << 20, 'dense');
    optInt(d, 'expansionSearch', 1, 1 << 20, 'dense');
  }
  if (typeof c['sparse'] !== 'boolean') bad(`sparse is ${JSON.stringify(c['sparse'])}, not a boolean`);
  if (c['multivector'] !== false) {
    const m = c['multivector'];
    if (!obj(m)) return bad('multivector is neither false nor an object');
    if (!DTYPES.includes(m['dtype'] as string)) bad(`multivector.dtype is ${JSON.stringify(m['dtype'])}`);
    if (![1, 2, 3].includes(m['poolFactor'] as number)) bad(`multivector.poolFactor is ${JSON.stringify(m['poolFactor'])}`);
    if (!int(m['dim'], 1, 1 << 16)) bad(`multivector.dim is ${JSON.stringify(m['dim'])}`);
    if (m['screening'] !== undefined && m['screening'] !== 'int8' && m['screening'] !== 'none') bad(`multivector.screening is ${JSON.stringify(m['screening'])}`);
  }
  if (c['bm25'] !== false) {
    const b = c['bm25'];
    if (!obj(b)) return bad('bm25 is neither false nor an object');
    if (!ANALYZERS.includes(b['analyzer'] as string)) bad(`bm25.analyzer is ${JSON.stringify(b['analyzer'])}`);
    if (typeof b['k1'] !== 'number' || !Number.isFinite(b['k1']) || b['k1'] < 0) bad(`bm25.k1 is ${JSON.stringify(b['k1'])}`);
    if (typeof b['b'] !== 'number' || !(b['b'] >= 0 && b['b'] <= 1)) bad(`bm25.b is ${JSON.stringify(b['b'])}`);
    optInt(b, 'analyzerVersion', 1, ANALYZER_VERSION, 'bm25');
  }
  const f = c['fusion'];
  if (!obj(f)) return bad('fusion is not an object');
  try {
    checkFusionOptions(f);
    if (f['weights'] === undefined || f['rrfK'] === undefined || f['kind'] === undefined) bad('fusion lacks kind, weights or rrfK');
  } catch (e) {
    if (e instanceof StorageError) throw e;
    bad(`fusion is invalid (${(e as Error).message})`);
  }
  if (!int(c['candidates'], 1, 0xffffffff)) bad(`candidates is ${JSON.stringify(c['candidates'])}, not a positive integer`);
  if (typeof c['storeText'] !== 'boolean') bad(`storeText is ${JSON.stringify(c['storeText'])}, not a boolean`);
  if (c['wal'] !== undefined && typeof c['wal'] !== 'boolean') bad(`wal is ${JSON.stringify(c['wal'])}, not a boolean`);
  if (c['dense'] === false && c['sparse'] === false && c['multivector'] === false && c['bm25'] === false) bad('disables every store');
  return c as unknown as HybridConfig;
}
