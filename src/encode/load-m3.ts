/**
 * The M3 backend of `loadEncoder` (presets of kind `m3`: BGE-M3's layouts and the built-in
 * static models): resolve the source, read trident.json + config + tokenizer + heads, apply
 * the caller's overrides, open the ONNX session, check that everything fits together, and
 * return an {@link M3Encoder}. Options were validated by the loader (load.ts).
 *
 * Checks done at load time (typed errors, never a crash):
 * - the tokenizer's vocabulary must fit the model's embedding rows (`vocab_size` of
 *   config.json, else the shape of the graph's `word_embeddings.weight` initializer;
 *   plus a probe run with the tokenizer's largest id) → TOKENIZER_MISMATCH;
 * - the graph must run on `<s></s>` → MODEL_INVALID;
 * - head files must match the hidden size → MODEL_INVALID.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ModelError } from '../errors.js';
import { Backend } from './backend.js';
import { resolveModelConfig, type HeadSet, type ModelConfig } from './config.js';
import { readM3Heads, type M3Heads } from './heads.js';
import { encoderIdentity } from './identity.js';
import { checkEmbeddingRows, positionLimit, readModelJson } from './json.js';
import { M3Encoder } from './m3.js';
import { initializerDims } from './onnx-scan.js';
import { resolveSource } from './source.js';
import { TextTokenizer } from './tokenizer.js';
import type { LoadEncoderOptions } from './types.js';

/** The caller's overrides of trident.json that an M3 layout honours. */
function overrides(opts: LoadEncoderOptions, tridentJson: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (opts.pooling !== undefined) o.pooling = opts.pooling;
  if (opts.normalize !== undefined) o.normalize = opts.normalize;
  if (opts.maxLength !== undefined) o.maxLength = opts.maxLength;
  if (opts.fusionWeights !== undefined) o.fusionWeights = [...opts.fusionWeights];
  if (opts.prefixes !== undefined) {
    const base = tridentJson.prefixes && typeof tridentJson.prefixes === 'object' ? tridentJson.prefixes : {};
    o.prefixes = { ...base, ...opts.prefixes };
  }
  return o;
}

/**
 * What the model is called, for people: trident.json's `name` (the built-in model: `static-en`),
 * else the source as given for a hub id (`BAAI/bge-m3`), else the directory's base name.
 */
function modelName(source: string, dir: string, tridentJson: Record<string, unknown>): string {
  if (typeof tridentJson.name === 'string' && tridentJson.name.length > 0) return tridentJson.name;
  if (!source.startsWith('builtin:') && !existsSync(source) && /^[\w.-]+\/[\w.-]+$/.test(source)) return source;
  return basename(dir);
}

/**
 * Loads an M3-layout model (see the module doc); `loadEncoder` calls it for kind `m3`.
 *
 * @example
 * ```ts
 * const enc = await loadM3('builtin:static-en', { heads: { multivector: false } });
 * ```
 */
export async function loadM3(source: string, opts: LoadEncoderOptions = {}): Promise<M3Encoder> {
  const { dir, files } = await resolveSource(source, opts);
  const at = (p: string): string => join(dir, ...p.split('/'));
  const tridentJson = files.trident ? await readModelJson(at(files.trident)) : {};
  const config: ModelConfig = resolveModelConfig({ ...tridentJson, ...overrides(opts, tridentJson) }, files.trident ? at(files.trident) : 'trident.json');
  const modelConfig = files.config ? await readModelJson(at(files.config)) : {};
  const tokenizer = await TextTokenizer.load(at(files.tokenizer), files.tokenizerConfig ? at(files.tokenizerConfig) : undefined);
  const hiddenSize = typeof modelConfig.hidden_size === 'number' ? modelConfig.hidden_size : undefined;
  let rows = typeof modelConfig.vocab_size === 'number' ? modelConfig.vocab_size : undefined;
  let rowsFrom = 'config.json vocab_size';
  if (rows === undefined) {
    rows = (await initializerDims(at(files.onnx), (n) => /word_embeddings\.weight/.test(n)))?.[0];
    rowsFrom = `the embedding table of ${files.onnx}`;
  }
  checkEmbeddingRows(tokenizer.vocabSize, rows, at(files.tokenizer), rowsFrom, 128);
  const maxPos = positionLimit(modelConfig, 8192);
  let heads: M3Heads | undefined;
  if (files.sparseHead && files.colbertHead) heads = await readM3Heads(at(files.sparseHead), at(files.colbertHead), hiddenSize);
  const backend = await Backend.create(at(files.onnx), heads, opts.threads !== undefined ? { threads: opts.threads } : {});
  try {
    const cap = backend.capabilities;
    const want = opts.heads ?? {};
    const enabled: HeadSet = {
      dense: config.heads.dense && cap.dense && want.dense !== false,
      sparse: config.heads.sparse && cap.sparse && want.sparse !== false,
      multivector: config.heads.multivector && cap.colbert && want.multivector !== false,
    };
    for (const k of ['dense', 'sparse', 'multivector'] as const) {
      if (want[k] === true && !enabled[k]) {
        throw new ModelError('MODEL_NOT_FOUND', `${dir}: the ${k} head was requested but the model has no ${k} output${k === 'dense' ? '' : ' and no sparse_linear/colbert_linear head files'} (graph outputs: ${backend.outputNames.join(', ')})`);
      }
    }
    // Warm-up on <s></s>: proves the graph runs and tells the dimensions.
    const all = { dense: true, sparse: enabled.sparse, colbert: enabled.multivector, hidden: cap.hidden };
    const probe = await backend.run([tokenizer.clsId, tokenizer.eosId], [1, 1], 1, 2, all);
    const dim = probe.dense ? probe.dense.length : probe.hiddenDim;
    if (!dim) throw new ModelError('MODEL_INVALID', `${at(files.onnx)}: cannot find a dense or hidden-state output (outputs: ${backend.outputNames.join(', ')})`);
    // The tokenizer's largest id must index the embedding table.
    try {
      await backend.run([tokenizer.clsId, tokenizer.vocabSize - 1, tokenizer.eosId], [1, 1, 1], 1, 3, { dense: true, sparse: false, colbert: false, hidden: false });
    } catch (e) {
      throw new ModelError('TOKENIZER_MISMATCH', `${at(files.tokenizer)} produces id ${tokenizer.vocabSize - 1}, which the model's embedding table rejects; the tokenizer belongs to another model`, { cause: e });
    }
    const weightFiles = [files.onnx, ...files.externalData, files.sparseHead, files.colbertHead].filter((x): x is string => !!x).map(at);
    const id = await encoderIdentity(config, files.dtype, at(files.tokenizer), weightFiles);
    return new M3Encoder({
      backend,
      tokenizer,
      config,
      maxPositions: maxPos,
      info: {
        id,
        name: modelName(source, dir, tridentJson),
        family: config.family,
        dim,
        maxLength: Math.min(config.maxLength, maxPos),
        vocabSize: tokenizer.vocabSize,
        fusionWeights: [...config.fusionWeights],
        heads: enabled,
        dtype: files.dtype,
      },
    });
  } catch (e) {
    await backend.release();
    throw e;
  }
}
