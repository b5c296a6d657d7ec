/**
 * Readers for head weight files, without Python:
 * - PyTorch `torch.save` zip archives (`*.pt`, `*.bin` in zip format): `data.pkl` is run
 *   by the pickle subset in `pickle.ts`; `_rebuild_tensor_v2(storage, offset, size, stride, …)`
 *   builds a view over the raw little-endian storage `data/<key>` found through the
 *   persistent id `('storage', StorageType, key, location, numel)`.
 * - `.safetensors`: u64 LE header length, JSON header `{name: {dtype, shape, data_offsets}}`, raw data.
 * Every tensor is returned as a contiguous row-major Float32Array (f16/bf16/f64 are converted).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModelError } from '../errors.js';
import { unpickle, type PickleGlobal } from './pickle.js';
import { ZipArchive } from './zip.js';
import { f16ToF32 } from '../kernels/f16.js';

/** A dense tensor: row-major float32 data and its shape. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

type DType = 'f32' | 'f16' | 'bf16' | 'f64';
const ELEM: Record<DType, number> = { f32: 4, f16: 2, bf16: 2, f64: 8 };

/** Reads element `i` of a raw little-endian buffer as a number. */
function reader(bytes: Buffer, dtype: DType): (i: number) => number {
  switch (dtype) {
    case 'f32':
      return (i) => bytes.readFloatLE(i * 4);
    case 'f64':
      return (i) => bytes.readDoubleLE(i * 8);
    case 'f16':
      return (i) => f16ToF32(bytes.readUInt16LE(i * 2));
    case 'bf16': {
      const tmp = new DataView(new ArrayBuffer(4));
      return (i) => {
        tmp.setUint32(0, bytes.readUInt16LE(i * 2) << 16, true);
        return tmp.getFloat32(0, true);
      };
    }
  }
}

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'f32',
  HalfStorage: 'f16',
  BFloat16Storage: 'bf16',
  DoubleStorage: 'f64',
};

interface Storage {
  bytes: Buffer;
  dtype: DType;
}

function bad(file: string, what: string, cause?: unknown): ModelError {
  return new ModelError('MODEL_INVALID', `${basename(file)}: ${what}; replace the file with a good copy`, { cause });
}

/**
 * Loads a PyTorch zip checkpoint holding a flat state dict of float tensors.
 *
 * @example
 * ```ts
 * const sd = await readTorchStateDict('/models/bge-m3/colbert_linear.pt');
 * sd.get('weight')!.shape; // [1024, 1024]
 * ```
 */
export async function readTorchStateDict(file: string): Promise<Map<string, Tensor>> {
  const buf = await readFile(file);
  return parseTorchStateDict(buf, file);
}

/** {@link readTorchStateDict} on bytes already in memory. */
export function parseTorchStateDict(buf: Buffer, file: string): Map<string, Tensor> {
  if (buf.length >= 2 && buf[0] === 0x80) {
    throw bad(file, 'is a legacy (non-zip) torch.save file; re-save it with torch >= 1.6 or convert it to .safetensors');
  }
  const zip = ZipArchive.fromBuffer(buf, file);
  const names = zip.names();
  const pklName = names.find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pklName) throw bad(file, 'has no data.pkl entry (not a torch.save archive)');
  const prefix = pklName.slice(0, pklName.length - 'data.pkl'.length);
  const storages = new Map<string, Storage>();
  // Tensors may together allocate at most one element per stored byte, twice what 2-byte
  // storages hold (views of one storage share its bytes; a pickle rebuilding one storage a
  // million times is a memory bomb).
  const budget = { left: zip.names().reduce((a, n) => a + (n.startsWith(`${prefix}data/`) ? zip.sizeOf(n) : 0), 0) };
  const storageType =
    (dtype: DType): PickleGlobal =>
    () =>
      dtype;
  const globals: Record<string, PickleGlobal> = {
    'collections.OrderedDict': () => new Map(),
    'torch._utils._rebuild_tensor_v2': (storage, offset, size, stride) => viewTensor(storage as Storage, offset, size, stride, file, budget),
    'torch._utils._rebuild_parameter': (data) => data,
    'torch._utils._rebuild_parameter_with_state': (data) => data,
  };
  for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) globals[`torch.${name}`] = storageType(dtype);
  for (const [name, dtype] of [
    ['float32', 'f32'],
    ['float16', 'f16'],
    ['bfloat16', 'bf16'],
    ['float64', 'f64'],
  ] as const) {
    globals[`torch.${name}`] = storageType(dtype);
  }
  let result: unknown;
  try {
    result = unpickle(zip.read(pklName), {
      globals,
      persistentLoad(pid) {
        if (!Array.isArray(pid) || pid[0] !== 'storage') throw new Error('unexpected persistent id');
        const dtype = typeof pid[1] === 'function' ? ((pid[1] as PickleGlobal)() as DType) : (pid[1] as DType);
        if (!(dtype in ELEM)) throw new Error(`unsupported storage type ${String(pid[1])}`);
        const key = String(pid[2]);
        let s = storages.get(key);
        if (!s) {
          s = { bytes: zip.read(`${prefix}data/${key}`), dtype };
          storages.set(key, s);
        }
        return s;
      },
    });
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw bad(file, `cannot be unpickled (${(e as Error).message})`, e);
  }
  if (!(result instanceof Map)) throw bad(file, 'does not hold a state dict');
  const out = new Map<string, Tensor>();
  for (const [k, v] of result) {
    if (typeof k === 'string' && v && typeof v === 'object' && 'data' in v && 'shape' in v) out.set(k, v as Tensor);
  }
  return out;
}

/** Most dimensions a tensor may have (weights have 1–4). */
const MAX_NDIM = 16;

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Product of `dims`, or Infinity when it passes 2^53 (no wrap-around, no precision loss). */
function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}

/**
 * Checks a tensor record against its storage before anything is allocated: offset, sizes and
 * strides are non-negative integers, the element count is at most the storage's (a view that
 * repeats elements, e.g. stride 0 over a large size, would allocate far more than the file
 * holds), every element read lies inside the storage, and the file's tensors together do not
 * allocate more than `budget.left` elements.
 */
function viewTensor(storage: Storage, offset: unknown, size: unknown, stride: unknown, file: string, budget: { left: number }): Tensor {
  if (!storage || !(storage.bytes instanceof Uint8Array) || !(storage.dtype in ELEM) || !Array.isArray(size) || !Array.isArray(stride) || size.length !== stride.length) {
    throw bad(file, 'has a malformed tensor record');
  }
  if (size.length > MAX_NDIM) throw bad(file, `has a tensor with ${size.length} dimensions`);
  if (!isCount(offset) || !size.every(isCount) || !stride.every(isCount)) {
    throw bad(file, `has a tensor with a negative or non-integer offset, size or stride (offset ${String(offset)}, size [${size.join(', ')}], stride [${stride.join(', ')}])`);
  }
  const numel = product(size);
  const avail = Math.floor(storage.bytes.length / ELEM[storage.dtype]);
  if (numel > avail) throw bad(file, `has a tensor of ${numel} elements over a storage of ${avail} (repeated or out-of-range view)`);
  if (numel > budget.left) throw bad(file, 'has tensors that together hold more elements than the archive stores');
  budget.left -= numel;
  let maxIndex = offset;
  if (numel > 0) for (let d = 0; d < size.length; d++) maxIndex += (size[d]! - 1) * stride[d]!;
  if (numel > 0 && !(maxIndex < avail)) throw bad(file, 'has a tensor that reads past its storage (truncated?)');
  const data = new Float32Array(numel);
  let contiguous = true;
  for (let d = size.length - 1, expect = 1; d >= 0; expect *= size[d]!, d--) if (size[d]! > 1 && stride[d] !== expect) contiguous = false;
  if (contiguous && storage.dtype === 'f32') {
    const b = storage.bytes;
    data.set(new Float32Array(b.buffer.slice(b.byteOffset + offset * 4, b.byteOffset + (offset + numel) * 4)));
    return { data, shape: [...size] };
  }
  const read = reader(storage.bytes, storage.dtype);
  const idx = new Array<number>(size.length).fill(0);
  for (let i = 0; i < numel; i++) {
    let src = offset;
    for (let d = 0; d < size.length; d++) src += idx[d]! * stride[d]!;
    data[i] = read(src);
    for (let d = size.length - 1; d >= 0; d--) {
      if (++idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
  }
  return { data, shape: [...size] };
}

const ST_DTYPES: Record<string, DType> = { F32: 'f32', F16: 'f16', BF16: 'bf16', F64: 'f64' };

/**
 * Loads every float tensor of a `.safetensors` file.
 *
 * @example
 * ```ts
 * const t = await readSafetensors('/models/xenova-bge-m3/sparse_linear.safetensors');
 * t.get('weight')!.shape; // [1, 1024]
 * ```
 */
export async function readSafetensors(file: string): Promise<Map<string, Tensor>> {
  const buf = await readFile(file);
  return parseSafetensors(buf, file);
}

/** {@link readSafetensors} on bytes already in memory. */
export function parseSafetensors(buf: Buffer, file: string): Map<string, Tensor> {
  if (buf.length < 8) throw bad(file, 'is too short for a safetensors file');
  const n = Number(buf.readBigUInt64LE(0));
  if (n <= 0 || 8 + n > buf.length || n > 100_000_000) throw bad(file, 'has a bad safetensors header length');
  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + n));
  } catch (e) {
    throw bad(file, 'has a safetensors header that is not JSON', e);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad(file, 'has a safetensors header that is not a JSON object');
  const base = 8 + n;
  const dataBytes = buf.length - base;
  const out = new Map<string, Tensor>();
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    if (info === null || typeof info !== 'object') throw bad(file, `tensor "${name}" has no {dtype, shape, data_offsets} record`);
    const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const dtype = typeof code === 'string' && Object.hasOwn(ST_DTYPES, code) ? ST_DTYPES[code] : undefined;
    if (!dtype) continue;
    if (!Array.isArray(shape) || shape.length > MAX_NDIM || !shape.every(isCount) || !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw bad(file, `tensor "${name}" has a malformed shape or data_offsets`);
    }
    const [s, e] = offsets as [number, number];
    const numel = product(shape as number[]);
    // all checked before allocating: offsets inside the data section, length = shape × dtype
    if (!(s <= e && e <= dataBytes && e - s === numel * ELEM[dtype])) throw bad(file, `tensor "${name}" is out of bounds (data_offsets [${s}, ${e}] for ${numel} × ${ELEM[dtype]} bytes of ${dataBytes}; truncated?)`);
    const bytes = buf.subarray(base + s, base + e);
    const read = reader(bytes, dtype);
    const data = new Float32Array(numel);
    for (let i = 0; i < numel; i++) data[i] = read(i);
    out.set(name, { data, shape: [...(shape as number[])] });
  }
  return out;
}

/**
 * Finds `<name>` in a state dict, accepting a module prefix (`linear.weight` for `weight`).
 *
 * @example
 * ```ts
 * const w = pickTensor(sd, 'weight', 'colbert_linear.pt');
 * ```
 */
export function pickTensor(sd: Map<string, Tensor>, name: string, file: string): Tensor {
  const hit = sd.get(name) ?? [...sd.entries()].find(([k]) => k.endsWith(`.${name}`))?.[1];
  if (!hit) throw bad(file, `has no "${name}" tensor (found: ${[...sd.keys()].join(', ') || 'none'})`);
  return hit;
}
