/**
 * Stable encoder identity of every preset, stored in index manifests to refuse mixing vectors from
 * different models. Derived from: the resolved model config, the full sha256 of
 * `tokenizer.json`, and a fingerprint of every weight file (relative name, byte size,
 * sha256 of its first and last MiB: hashing a 2 GB graph on every load is too slow).
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ModelConfig } from './config.js';

const EDGE = 1 << 20;

/**
 * Fingerprint of one weight file: `name:size:sha256(first MiB + last MiB)` for M3 layouts;
 * with `headOnly`, `size:sha256(first MiB)` (the formula the other presets' identities were
 * built with, kept so their existing indexes still open).
 *
 * @example
 * ```ts
 * await fileFingerprint('/m/onnx/model.onnx'); // 'model.onnx:2271088:9b1c…'
 * ```
 */
export async function fileFingerprint(path: string, opts: { headOnly?: boolean } = {}): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const h = createHash('sha256');
    const head = Buffer.alloc(Math.min(size, EDGE));
    await fh.read(head, 0, head.length, 0);
    h.update(head);
    if (opts.headOnly) return `${size}:${h.digest('hex')}`;
    if (size > EDGE) {
      const tail = Buffer.alloc(Math.min(size - EDGE, EDGE));
      await fh.read(tail, 0, tail.length, size - tail.length);
      h.update(tail);
    }
    return `${basename(path)}:${size}:${h.digest('hex')}`;
  } finally {
    await fh.close();
  }
}

/**
 * Computes the identity string `<family>-<dtype>-<16 hex>`.
 *
 * @example
 * ```ts
 * await encoderIdentity(cfg, 'fp32', '/m/tokenizer.json', ['/m/onnx/model.onnx', '/m/onnx/model.onnx_data']);
 * // 'bge-m3-fp32-3f9c0d2e1a4b5c6d'
 * ```
 */
export async function encoderIdentity(cfg: ModelConfig, dtype: string, tokenizerFile: string, weightFiles: string[]): Promise<string> {
  const h = createHash('sha256');
  const canon = {
    family: cfg.family,
    pooling: cfg.pooling,
    normalize: cfg.normalize,
    prefixes: cfg.prefixes,
    sparseDropIds: cfg.sparseDropIds,
    padId: cfg.padId,
    dtype,
  };
  h.update(JSON.stringify(canon));
  h.update(
    createHash('sha256')
      .update(await readFile(tokenizerFile))
      .digest('hex'),
  );
  const prints = await Promise.all(weightFiles.map((f) => fileFingerprint(f)));
  for (const p of prints.sort()) h.update(p);
  return `${cfg.family}-${dtype}-${h.digest('hex').slice(0, 16)}`;
}
