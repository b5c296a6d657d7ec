/**
 * Writes / reads a static M3 model directory: `model.onnx`, `tokenizer.json`,
 * `tokenizer_config.json`, `config.json`, `trident.json` (read by src/encode's
 * `resolveModelConfig`: family, fusion weights, max length, sparse drop ids).
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../errors.js';
import { roundToF16 } from '../kernels/f16.js';
import { buildStaticOnnx, readStaticOnnx } from './onnx-writer.js';
import { WordPieceTokenizer } from './tokenizer.js';
import type { StaticParams } from './model.js';

/**
 * Metadata written with a model.
 *
 * @example
 * ```ts
 * const meta: ExportMeta = { name: 'my-model', maxLength: 512, fusionWeights: [1, 0.3, 1] };
 * ```
 */
export interface ExportMeta {
  name: string;
  maxLength: number;
  fusionWeights: [number, number, number];
  training?: Record<string, unknown>;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * Writes the model directory. The embedding table of `p` is rounded to fp16 in
 * place, so `p` afterwards equals what the ONNX graph computes with.
 *
 * @example
 * ```ts
 * await exportStaticModel('out/my-model', params, tokenizer, { name: 'my-model', maxLength: 512, fusionWeights: [1, 0.3, 1] });
 * ```
 */
export async function exportStaticModel(dir: string, p: StaticParams, tok: WordPieceTokenizer, meta: ExportMeta): Promise<void> {
  if (tok.size !== p.vocab) throw new ModelError('MODEL_INVALID', `tokenizer has ${tok.size} tokens but the model ${p.vocab} rows`);
  mkdirSync(dir, { recursive: true });
  const bits = roundToF16(p.emb);
  writeAtomic(join(dir, 'model.onnx'), buildStaticOnnx(p, { embF16: bits, metadata: { trident_family: 'static-m3', name: meta.name } }));
  writeAtomic(join(dir, 'tokenizer.json'), JSON.stringify(tok.toJSON()));
  writeAtomic(join(dir, 'tokenizer_config.json'), JSON.stringify(tok.configJSON(meta.maxLength), null, 2));
  writeAtomic(
    join(dir, 'config.json'),
    JSON.stringify(
      {
        model_type: 'trident-static-m3',
        architectures: ['StaticM3'],
        vocab_size: p.vocab,
        hidden_size: p.dim,
        colbert_dim: p.colbertDim,
        pad_token_id: 1,
        bos_token_id: 0,
        eos_token_id: 2,
        max_position_embeddings: meta.maxLength,
      },
      null,
      2,
    ),
  );
  writeAtomic(
    join(dir, 'trident.json'),
    JSON.stringify(
      {
        family: 'bge-m3',
        layout: 'three-output',
        architecture: 'static-m3',
        name: meta.name,
        pooling: 'cls',
        normalize: true,
        heads: { dense: true, sparse: true, multivector: true },
        sparseDropIds: [0, 1, 2, 3],
        padId: 1,
        maxLength: meta.maxLength,
        fusionWeights: meta.fusionWeights,
        dim: p.dim,
        colbertDim: p.colbertDim,
        vocabSize: p.vocab,
        weights: 'fp16 embeddings, fp32 heads',
        training: meta.training ?? {},
      },
      null,
      2,
    ),
  );
}

/**
 * A loaded static model.
 *
 * @example
 * ```ts
 * const m: LoadedStatic = loadStaticModel('src/models/static-en'); m.tokenizer.encode('text');
 * ```
 */
export interface LoadedStatic {
  params: StaticParams;
  tokenizer: WordPieceTokenizer;
  config: Record<string, unknown>;
}

/**
 * Reads a model directory written by {@link exportStaticModel}.
 *
 * @example
 * ```ts
 * const { params, tokenizer } = loadStaticModel('src/models/static-en');
 * ```
 */
export function loadStaticModel(dir: string): LoadedStatic {
  let onnx: Buffer, tj: unknown, cfg: Record<string, unknown>;
  try {
    onnx = readFileSync(join(dir, 'model.onnx'));
    tj = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    cfg = JSON.parse(readFileSync(join(dir, 'trident.json'), 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new ModelError('MODEL_NOT_FOUND', `${dir} is not a static model directory (needs model.onnx, tokenizer.json, trident.json written by trident train-static)`, { cause });
  }
  const params = readStaticOnnx(onnx);
  const tokenizer = WordPieceTokenizer.fromJSON(tj);
  if (tokenizer.size !== params.vocab) throw new ModelError('MODEL_INVALID', `${dir}: tokenizer has ${tokenizer.size} tokens but model.onnx ${params.vocab} embedding rows`);
  return { params, tokenizer, config: cfg };
}
