/**
 * Missing, corrupt and mismatched model files give typed errors naming the file; never a
 * crash. Each case works on its own copy of a fixture layout in a temp dir.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TridentError } from '../../../src/errors.js';
import { loadEncoder, type Encoder } from '../../../src/encode/index.js';
import { packageRoot } from '../../../src/encode/source.js';
import { initializerDims } from '../../../src/encode/onnx-scan.js';
import { goldens, maxAbsDiff, MODELS } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'trident-encode-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function copy(layout: string): string {
  const dir = join(tmp, `${layout}-${n++}`);
  cpSync(join(MODELS, layout), dir, { recursive: true });
  return dir;
}

async function failure(p: Promise<Encoder>): Promise<TridentError> {
  try {
    const e = await p;
    await e.close();
  } catch (e) {
    if (e instanceof TridentError) return e;
    throw new Error(`untyped error: ${e}`);
  }
  throw new Error('expected the load to fail');
}

describe('missing or corrupt files', () => {
  it('no ONNX graph → MODEL_NOT_FOUND', async () => {
    const dir = copy('tiny-m3-aapot');
    unlinkSync(join(dir, 'model.onnx'));
    const e = await failure(loadEncoder(dir));
    expect(e.code).toBe('MODEL_NOT_FOUND');
  });
  it('no tokenizer.json → MODEL_NOT_FOUND naming it', async () => {
    const dir = copy('tiny-m3-aapot');
    unlinkSync(join(dir, 'tokenizer.json'));
    const e = await failure(loadEncoder(dir));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(e.message).toContain('tokenizer.json');
  });
  it('missing external data → MODEL_INVALID naming the graph', async () => {
    const dir = copy('tiny-m3');
    unlinkSync(join(dir, 'onnx', 'model.onnx_data'));
    const e = await failure(loadEncoder(dir));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain('model.onnx');
  });
  it('truncated graph → MODEL_INVALID', async () => {
    const dir = copy('tiny-m3-aapot');
    truncateSync(join(dir, 'model.onnx'), 1000);
    const e = await failure(loadEncoder(dir));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain('model.onnx');
  });
  it('truncated or garbage head file → MODEL_INVALID naming it', async () => {
    const dir = copy('tiny-m3');
    truncateSync(join(dir, 'colbert_linear.pt'), 2000);
    const e = await failure(loadEncoder(dir));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain('colbert_linear.pt');
    const dir2 = copy('tiny-m3-xenova');
    writeFileSync(join(dir2, 'sparse_linear.safetensors'), 'not a tensor file');
    const e2 = await failure(loadEncoder(dir2));
    expect(e2.code).toBe('MODEL_INVALID');
    expect(e2.message).toContain('sparse_linear.safetensors');
  });
  it('head of the wrong size → MODEL_INVALID', async () => {
    const dir = copy('tiny-m3');
    cpSync(join(dir, 'sparse_linear.pt'), join(dir, 'colbert_linear.pt'));
    expect((await failure(loadEncoder(dir))).code).toBe('MODEL_INVALID');
    // a head whose input size is not the hidden size (safetensors written by hand)
    const dir2 = copy('tiny-m3-xenova');
    const header = JSON.stringify({ weight: { dtype: 'F32', shape: [1, 16], data_offsets: [0, 64] }, bias: { dtype: 'F32', shape: [1], data_offsets: [64, 68] } });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(join(dir2, 'sparse_linear.safetensors'), Buffer.concat([len, Buffer.from(header), Buffer.alloc(68)]));
    const e = await failure(loadEncoder(dir2));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain('sparse_linear.safetensors');
  });
  it('corrupt config.json → MODEL_INVALID', async () => {
    const dir = copy('tiny-m3-aapot');
    writeFileSync(join(dir, 'config.json'), '{ not json');
    const e = await failure(loadEncoder(dir));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain('config.json');
  });
  it('unknown source → MODEL_NOT_FOUND', async () => {
    expect((await failure(loadEncoder(join(tmp, 'does-not-exist')))).code).toBe('MODEL_NOT_FOUND');
    expect((await failure(loadEncoder('builtin:no-such-model'))).code).toBe('MODEL_NOT_FOUND');
    expect((await failure(loadEncoder(''))).code).toBe('MODEL_NOT_FOUND');
  });
  it('bad options → INVALID_ARGUMENT', async () => {
    expect((await failure(loadEncoder(join(MODELS, 'tiny-m3'), { dtype: 'fp16' as 'fp32' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(loadEncoder(join(MODELS, 'tiny-m3'), { threads: 0 }))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('tokenizer / model mismatch', () => {
  it('vocab_size in config.json differs from the tokenizer → TOKENIZER_MISMATCH', async () => {
    const dir = copy('tiny-m3-aapot');
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    cfg.vocab_size = 250002;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    expect((await failure(loadEncoder(dir))).code).toBe('TOKENIZER_MISMATCH');
  });
  it('without config.json, rows come from the graph initializer (smaller tokenizer caught too)', async () => {
    for (const [layout, graph] of [
      ['tiny-m3', 'onnx/model.onnx'],
      ['tiny-m3-int8', 'model_quantized.onnx'],
    ] as const) {
      expect(await initializerDims(join(MODELS, layout, graph), (n) => n.includes('word_embeddings.weight'))).toEqual([goldens.shape.vocabSize, goldens.shape.hiddenSize]);
    }
    expect(await initializerDims(join(MODELS, 'tiny-m3', 'onnx', 'model.onnx'), (n) => n === 'no such tensor')).toBeUndefined();
    const dir = copy('tiny-m3-aapot');
    unlinkSync(join(dir, 'config.json'));
    const ok = await loadEncoder(dir, { threads: 1 });
    await ok.close();
    const tj = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    tj.model.vocab = tj.model.vocab.slice(0, 2500); // a smaller vocabulary: ids stay in range, the probe cannot see it
    tj.added_tokens = tj.added_tokens.filter((t: { id: number }) => t.id < 2500);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tj));
    expect((await failure(loadEncoder(dir))).code).toBe('TOKENIZER_MISMATCH');
  });
  it('a larger tokenizer without config.json → TOKENIZER_MISMATCH', async () => {
    const dir = copy('tiny-m3-aapot');
    unlinkSync(join(dir, 'config.json'));
    const tj = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    for (let i = 0; i < 500; i++) tj.model.vocab.push([`zzextra${i}`, -20]);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tj));
    expect((await failure(loadEncoder(dir))).code).toBe('TOKENIZER_MISMATCH');
  });
});

describe('configuration and identity', () => {
  it('trident.json sets fusion weights; the id is stable and tracks config and tokenizer', async () => {
    const dir = copy('tiny-m3-aapot');
    const a = await loadEncoder(dir, { threads: 1 });
    const b = await loadEncoder(copy('tiny-m3-aapot'), { threads: 1 });
    expect(a.info.fusionWeights).toEqual([1, 0.3, 1]);
    expect(a.info.maxLength).toBe(512);
    expect(a.info.id).toBe(b.info.id);
    expect(a.info.id).toMatch(/^bge-m3-fp32-[0-9a-f]{16}$/);
    writeFileSync(join(dir, 'trident.json'), JSON.stringify({ family: 'bge-m3', fusionWeights: [0.4, 0.2, 0.4], normalize: false }));
    const c = await loadEncoder(dir, { threads: 1 });
    expect(c.info.fusionWeights).toEqual([0.4, 0.2, 0.4]);
    expect(c.info.id).not.toBe(a.info.id);
    const other = await loadEncoder(join(MODELS, 'tiny-m3'), { threads: 1 });
    expect(other.info.id).not.toBe(a.info.id);
    await Promise.all([a.close(), b.close(), c.close(), other.close()]);
  });
  it('bad trident.json → MODEL_INVALID', async () => {
    const dir = copy('tiny-m3-aapot');
    writeFileSync(join(dir, 'trident.json'), JSON.stringify({ fusionWeights: [1, 2] }));
    expect((await failure(loadEncoder(dir))).code).toBe('MODEL_INVALID');
    writeFileSync(join(dir, 'trident.json'), JSON.stringify({ family: 'splade' }));
    expect((await failure(loadEncoder(dir))).code).toBe('MODEL_INVALID');
  });
  it('heads can be switched off; asking for a missing head fails', async () => {
    const e = await loadEncoder(join(MODELS, 'tiny-m3'), { threads: 1, heads: { multivector: false } });
    expect(e.info.heads).toEqual({ dense: true, sparse: true, multivector: false });
    const g = goldens.cases.find((c) => c.maxLength === 64 && c.sparse.ids.length > 1)!;
    const [o] = await e.encode([g.text], { maxLength: 64 });
    expect(o!.multivector.count).toBe(0);
    expect(Array.from(o!.sparse.ids)).toEqual(g.sparse.ids);
    expect(maxAbsDiff(o!.dense, g.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
    await e.close();
    const dir = copy('tiny-m3');
    unlinkSync(join(dir, 'colbert_linear.pt'));
    const noHeads = await loadEncoder(dir, { threads: 1 });
    expect(noHeads.info.heads).toEqual({ dense: true, sparse: false, multivector: false });
    await noHeads.close();
    expect((await failure(loadEncoder(dir, { heads: { sparse: true } }))).code).toBe('MODEL_NOT_FOUND');
  });
});

describe('builtin: sources', () => {
  it('resolve inside <package root>/src/models/<name>/', async () => {
    const name = `tiny-test-${process.pid}`;
    const dir = join(packageRoot(), 'src', 'models', name);
    mkdirSync(join(packageRoot(), 'src', 'models'), { recursive: true });
    cpSync(join(MODELS, 'tiny-m3-aapot'), dir, { recursive: true });
    writeFileSync(join(dir, 'trident.json'), JSON.stringify({ family: 'bge-m3', fusionWeights: [1, 0.3, 1] }));
    try {
      const e = await loadEncoder(`builtin:${name}`, { threads: 1 });
      expect(e.info.fusionWeights).toEqual([1, 0.3, 1]);
      const g = goldens.cases.find((c) => c.name === 'query' && c.maxLength === 16)!;
      const [o] = await e.encode([g.text], { maxLength: 16 });
      expect(maxAbsDiff(o!.dense, g.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
      await e.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  });
});
