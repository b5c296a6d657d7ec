/**
 * The ONNX family backend of `loadEncoder` (presets of kind dense, splade, bm42, colbert):
 * resolves a directory (or a hub id through the cache), merges defaults < the model's own
 * files < the preset < options into a {@link FamilyConfig}, opens the ONNX session, picks the
 * graph outputs, probes the dimensions and returns a {@link FamilyEncoder}. Options were
 * validated by the loader (load.ts); this module checks the merged configuration.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid, ModelError } from '../errors.js';
import { defaultConfig, readStFiles, type ColbertConfig, type FamilyConfig } from './family-config.js';
import { FamilyEncoder, type FamilyParts, type OutputNames } from './family.js';
import { FamilyTokenizer } from './family-tokenizer.js';
import { fileFingerprint } from './identity.js';
import { checkEmbeddingRows, positionLimit, readModelJson } from './json.js';
import { listFiles, selectFamilyFiles } from './layout.js';
import { OnnxSession } from './onnx-session.js';
import type { Preset } from './presets.js';
import { resolveModelDir } from './source.js';
import { readSafetensors, readTorchStateDict, type Tensor } from './tensor-file.js';
import type { EncoderInfo, LoadEncoderOptions } from './types.js';

/**
 * Former options type of `loadFamilyEncoder`; every field is now in {@link LoadEncoderOptions}.
 *
 * @deprecated use {@link LoadEncoderOptions}.
 * @example
 * ```ts
 * const opts: LoadFamilyOptions = { preset: 'multilingual-e5', maxLength: 256 };
 * ```
 */
export type LoadFamilyOptions = LoadEncoderOptions;

function resolveConfig(st: Awaited<ReturnType<typeof readStFiles>>, preset: Preset | undefined, o: LoadEncoderOptions): FamilyConfig {
  const c = defaultConfig();
  if (st.pooling) c.pooling = st.pooling;
  if (st.normalize !== undefined) c.normalize = st.normalize;
  if (st.maxLength) c.maxLength = st.maxLength;
  if (st.prefixes) c.prefixes = { ...c.prefixes, ...st.prefixes };
  if (st.colbert) c.kind = 'colbert';
  const p = preset?.config ?? {};
  const { colbert: pc, prefixes: pp, kind: pk, ...rest } = p;
  Object.assign(c, rest);
  if (pk !== undefined && pk !== 'm3') c.kind = pk;
  if (pp) c.prefixes = { ...c.prefixes, ...pp };
  if (preset?.instruction) c.prefixes = { query: preset.instruction.replace('{task}', o.task ?? preset.defaultTask ?? ''), document: '' };
  if (o.kind && o.kind !== 'm3') c.kind = o.kind;
  if (o.pooling) c.pooling = o.pooling;
  if (o.normalize !== undefined) c.normalize = o.normalize;
  if (o.prefixes) c.prefixes = { ...c.prefixes, ...o.prefixes };
  if (o.maxLength !== undefined) c.maxLength = o.maxLength;
  if (o.padding) c.padding = o.padding;
  if (o.appendEos !== undefined) c.appendEos = o.appendEos;
  if (o.spladeQuery) c.spladeQuery = o.spladeQuery;
  if (o.sparseModifier !== undefined) c.sparseModifier = o.sparseModifier;
  if (c.kind === 'bm42' && c.sparseModifier === undefined) c.sparseModifier = 'idf';
  if (o.fusionWeights) c.fusionWeights = [...o.fusionWeights];
  if (c.kind === 'colbert') {
    c.normalize = o.normalize ?? true;
    c.colbert = {
      queryMarker: '[unused0]',
      documentMarker: '[unused1]',
      queryLength: 32,
      documentLength: 180,
      attendToExpansion: false,
      expansion: true,
      skiplist: [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
      ...(pc ?? {}),
      ...(st.colbert ?? {}),
      ...(o.colbert ?? {}),
    } as ColbertConfig;
    if (!preset?.config.fusionWeights && !o.fusionWeights) c.fusionWeights = [0, 0, 1];
  }
  if ((c.kind === 'splade' || c.kind === 'bm42') && !p.fusionWeights && !o.fusionWeights) c.fusionWeights = [0, 1, 0];
  return c;
}

/**
 * Checks what the loader's option checks cannot see: values read from the model's files
 * (sentence_bert_config.json's max_seq_length) and options that depend on the resolved kind.
 */
function validate(c: FamilyConfig): void {
  const bad = (m: string): never => invalid('INVALID_ARGUMENT', m);
  if (!Number.isInteger(c.maxLength) || c.maxLength < 3) bad(`maxLength must be an integer >= 3, got ${c.maxLength}`);
  if (c.sparseModifier === 'idf' && c.kind !== 'bm42' && c.kind !== 'splade') bad(`sparseModifier 'idf' applies to sparse kinds (bm42, splade); this model is ${c.kind}`);
}

function pickOutputs(session: OnnxSession, c: FamilyConfig, where: string): OutputNames {
  const names = session.outputs.map((x) => x.name);
  const has = (n: string): boolean => names.includes(n);
  const missing = (what: string): never => {
    throw new ModelError('MODEL_INVALID', `${where}: the graph has no ${what} output (outputs: ${names.join(', ')}); export the model with it or choose another kind/pooling`);
  };
  const extra = session.inputs.map((i) => i.name).filter((n) => !['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'].includes(n));
  if (extra.length > 0) {
    throw new ModelError('MODEL_INVALID', `${where}: the graph needs inputs ${extra.join(', ')} (a decoder export with past key values?); export it for feature-extraction without past`);
  }
  const hidden = ['last_hidden_state', 'token_embeddings', 'hidden_states'].find(has);
  if (c.kind === 'splade') return { logits: has('logits') ? 'logits' : has('output') ? 'output' : names[0]! };
  if (c.kind === 'bm42') {
    const att = names.filter((n) => /^attention/.test(n)).sort((a, b) => Number(b.replace(/\D/g, '') || 0) - Number(a.replace(/\D/g, '') || 0))[0];
    return att ? { attention: att } : missing('attention_* (last-layer attention probabilities)');
  }
  if (c.kind === 'dense' && c.pooling === 'graph') {
    const pooled = ['sentence_embedding', 'sentence_embeddings', 'embeddings'].find(has);
    return pooled ? { pooled } : missing('sentence_embedding (graph pooling)');
  }
  return { hidden: hidden ?? names[0]! };
}

/**
 * `idf.json` of document-only SPLADE (opensearch-neural-sparse-encoding-doc-*): token string →
 * query weight. Tokens not in the vocabulary are ignored (the reference builds the same
 * id-indexed table); tokens missing from the file weigh 0.
 */
async function readIdf(path: string, tok: FamilyTokenizer): Promise<Map<number, number>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ModelError('MODEL_INVALID', `${path}: not valid JSON (${(e as Error).message}); restore the model's idf.json`, { cause: e });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ModelError('MODEL_INVALID', `${path}: expected an object { token: weight }`);
  const out = new Map<number, number>();
  for (const [token, w] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new ModelError('MODEL_INVALID', `${path}: the weight of ${JSON.stringify(token)} is ${JSON.stringify(w)}; weights must be finite numbers >= 0`);
    const id = tok.idOf(token);
    if (id !== undefined && w > 0) out.set(id, w);
  }
  return out;
}

async function readProjection(dir: string, densePath: string | undefined): Promise<FamilyParts['projection']> {
  if (!densePath) return undefined;
  let sd: Map<string, Tensor> | undefined;
  for (const [f, reader] of [
    ['model.safetensors', readSafetensors],
    ['pytorch_model.bin', readTorchStateDict],
  ] as const) {
    try {
      sd = await reader(join(dir, densePath, f));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof ModelError && /ENOENT|no such file/i.test(e.message))) throw e;
    }
  }
  if (!sd) return undefined;
  const w = sd.get('linear.weight') ?? sd.get('weight');
  if (w?.shape.length !== 2) throw new ModelError('MODEL_INVALID', `${join(dir, densePath)}: no 2-d linear.weight in the Dense module`);
  const b = sd.get('linear.bias') ?? sd.get('bias');
  return { weight: w.data, out: w.shape[0]!, in: w.shape[1]!, ...(b ? { bias: b.data } : {}) };
}

/**
 * Loads a non-M3 preset (E5, GTE, sentence-transformers, Ruri, GLuCoSE, RoSEtta, jina-v2,
 * decoder embedders, SPLADE, BM42, ColBERT/PyLate) from a directory with an ONNX export or a
 * hub id; `loadEncoder` calls it with the preset it matched.
 *
 * @example
 * ```ts
 * const colbert = await loadFamily('./answerai-colbert-small-v1-onnx', {}, findPreset('colbertv2'));
 * ```
 */
export async function loadFamily(source: string, opts: LoadEncoderOptions, preset: Preset | undefined): Promise<FamilyEncoder> {
  const dtype = opts.dtype ?? 'fp32';
  const dir = await resolveModelDir(source, opts);
  const files = selectFamilyFiles(await listFiles(dir), dtype, dir);
  const at = (p: string | undefined): string | undefined => (p ? join(dir, ...p.split('/')) : undefined);
  const st = await readStFiles(dir);
  const cfg = resolveConfig(st, preset, opts);
  validate(cfg);
  const ws = opts.wordSplitter;
  const tok = await FamilyTokenizer.load(at(files.tokenizer)!, at(files.tokenizerConfig), ws ? { wordSplitter: ws } : {});
  const modelCfg = (files.config ? await readModelJson(at(files.config)!, { optional: true }) : undefined) ?? {};
  checkEmbeddingRows(tok.vocabSize, typeof modelCfg.vocab_size === 'number' ? modelCfg.vocab_size : undefined, at(files.tokenizer)!, 'config.json vocab_size');
  const maxPos = positionLimit(modelCfg, Math.max(cfg.maxLength, 512));
  if (cfg.appendEos && tok.special('eos') === undefined) throw new ModelError('MODEL_INVALID', `${dir}: appendEos needs an eos_token in tokenizer_config.json`);
  if (cfg.colbert) {
    for (const m of [cfg.colbert.queryMarker, cfg.colbert.documentMarker]) {
      if (tok.idOf(m) === undefined) throw new ModelError('MODEL_INVALID', `${dir}: the ColBERT marker ${JSON.stringify(m)} is not in the tokenizer; set colbert.queryMarker/documentMarker`);
    }
    if (cfg.colbert.expansion && tok.special('mask') === undefined) throw new ModelError('MODEL_INVALID', `${dir}: query expansion needs a mask_token in tokenizer_config.json`);
  }
  const queryWeights = cfg.kind === 'splade' && cfg.spladeQuery === 'tokens' && files.idf ? await readIdf(at(files.idf)!, tok) : undefined;
  let stopwords: Set<string> | undefined;
  if (cfg.kind === 'bm42') {
    const text = files.stopwords ? await readFile(at(files.stopwords)!, 'utf8') : '';
    stopwords = new Set(
      text
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  const session = await OnnxSession.load(at(files.onnx)!, opts.threads !== undefined ? { threads: opts.threads } : {});
  try {
    const outputs = pickOutputs(session, cfg, at(files.onnx)!);
    const projection = cfg.kind === 'colbert' ? await readProjection(dir, st.densePath) : undefined;
    const weightFiles = [files.onnx, ...files.externalData].map((p) => at(p)!);
    const h = createHash('sha256')
      .update(JSON.stringify(cfg))
      .update(await readFile(at(files.tokenizer)!));
    if (queryWeights) h.update(await readFile(at(files.idf)!));
    if (ws) h.update(`wordSplitter:${ws.name}`);
    for (const f of weightFiles) h.update(await fileFingerprint(f, { headOnly: true }));
    const info: EncoderInfo = {
      id: `${cfg.family}-${cfg.kind}-${files.dtype}-${h.digest('hex').slice(0, 16)}`,
      name: source,
      family: cfg.family,
      dim: 0,
      maxLength: Math.min(cfg.maxLength, maxPos),
      vocabSize: tok.vocabSize,
      fusionWeights: cfg.fusionWeights,
      heads: { dense: cfg.kind === 'dense', sparse: cfg.kind === 'splade' || cfg.kind === 'bm42', multivector: cfg.kind === 'colbert' },
      dtype: files.dtype,
      ...(cfg.sparseModifier === 'idf' ? { sparseModifier: 'idf' as const } : {}),
    };
    const parts: FamilyParts = { session, tok, cfg, info, outputs, maxPositions: maxPos, ...(projection ? { projection } : {}), ...(stopwords ? { stopwords } : {}), ...(queryWeights ? { queryWeights } : {}) };
    const enc = new FamilyEncoder(parts);
    // Probe: proves the graph runs and tells the dimension.
    const [probe] = await enc.encode(['probe'], { role: 'document' });
    if (cfg.kind === 'colbert') {
      const H = probe!.multivector.dim;
      if (projection && projection.in !== H && projection.out !== H) throw new ModelError('MODEL_INVALID', `${dir}: the Dense projection expects ${projection.in}-d input but the graph gives ${H}-d`);
      info.dim = probe!.multivector.dim;
    } else if (cfg.kind === 'dense') info.dim = probe!.dense.length;
    else info.dim = cfg.kind === 'splade' ? tok.vocabSize : 0;
    return enc;
  } catch (e) {
    await session.release();
    throw e;
  }
}
