/**
 * M3 head weights from `sparse_linear.{pt,safetensors}` and `colbert_linear.{pt,safetensors}`
 * (PyTorch Linear: weight [out, in], bias [out]), checked for shape consistency.
 */
import { basename, extname } from 'node:path';
import { ModelError } from '../errors.js';
import type { LinearWeights } from './onnx-heads.js';
import { pickTensor, readSafetensors, readTorchStateDict, type Tensor } from './tensor-file.js';

async function readLinear(file: string): Promise<LinearWeights> {
  let sd: Map<string, Tensor>;
  try {
    sd = extname(file) === '.safetensors' ? await readSafetensors(file) : await readTorchStateDict(file);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'MODEL_NOT_FOUND' : 'MODEL_INVALID';
    throw new ModelError(code, `${file}: cannot read the head weights (${(e as Error).message})`, { cause: e });
  }
  const weight = pickTensor(sd, 'weight', basename(file));
  const bias = pickTensor(sd, 'bias', basename(file));
  if (weight.shape.length !== 2 || bias.shape.length !== 1 || bias.shape[0] !== weight.shape[0]) {
    throw new ModelError('MODEL_INVALID', `${basename(file)}: expected a Linear layer (weight [out, in], bias [out]), got weight [${weight.shape}] and bias [${bias.shape}]`);
  }
  return { weight, bias };
}

/** Both M3 heads. */
export interface M3Heads {
  sparse: LinearWeights;
  colbert: LinearWeights;
}

/**
 * Reads the sparse (H→1) and colbert (H→D) heads and checks they fit `hidden`.
 *
 * @example
 * ```ts
 * const heads = await readM3Heads('/m/sparse_linear.pt', '/m/colbert_linear.pt', 1024);
 * ```
 */
export async function readM3Heads(sparseFile: string, colbertFile: string, hidden?: number): Promise<M3Heads> {
  const [sparse, colbert] = await Promise.all([readLinear(sparseFile), readLinear(colbertFile)]);
  if (sparse.weight.shape[0] !== 1) {
    throw new ModelError('MODEL_INVALID', `${basename(sparseFile)}: the sparse head must have one output, found ${sparse.weight.shape[0]}`);
  }
  if (colbert.weight.shape[0]! < 2) {
    throw new ModelError('MODEL_INVALID', `${basename(colbertFile)}: the multi-vector head has ${colbert.weight.shape[0]} output(s); expected a Linear(H → D) with D ≥ 2`);
  }
  const h = hidden ?? sparse.weight.shape[1]!;
  for (const [f, w] of [
    [sparseFile, sparse],
    [colbertFile, colbert],
  ] as const) {
    if (w.weight.shape[1] !== h) {
      throw new ModelError('MODEL_INVALID', `${basename(f)}: input size ${w.weight.shape[1]} does not match the model's hidden size ${h}; the head files belong to another model`);
    }
  }
  return { sparse, colbert };
}
