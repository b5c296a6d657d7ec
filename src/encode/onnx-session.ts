/**
 * The only module that imports `onnxruntime-node`. Wraps an InferenceSession behind
 * a small typed surface (names, output shapes, run with int64 / float feeds) and
 * maps runtime failures to typed {@link ModelError}s.
 *
 * Models are loaded by *path* so onnxruntime resolves external-data files
 * (`model.onnx_data`, `model.onnx.data`) relative to the model file.
 */
import type * as ort from 'onnxruntime-node';
import { basename } from 'node:path';
import { ModelError } from '../errors.js';

// onnxruntime-node (its native library included) is imported when the first session is made,
// not with the package: `import 'trident'` should not pay for it when no ONNX model is used.
type Ort = typeof import('onnxruntime-node');
let ortModule: Ort | null = null;
async function loadOrt(): Promise<Ort> {
  ortModule ??= await import('onnxruntime-node');
  return ortModule;
}

/** A feed: int64 ids/masks (given as number arrays) or float32 data. */
export type Feed = { type: 'int64'; data: ArrayLike<number>; dims: number[] } | { type: 'float32'; data: Float32Array; dims: number[] };

/** A float output of a run. */
export interface Output {
  data: Float32Array;
  dims: number[];
}

/** Static facts about one session input or output. */
export interface ValueInfo {
  name: string;
  type: string;
  /** Declared shape; symbolic dims are strings, unknown shape is []. */
  shape: Array<number | string>;
}

/** Session options we expose. */
export interface SessionOptions {
  /** Intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number;
}

/**
 * A loaded ONNX model.
 *
 * @example
 * ```ts
 * const s = await OnnxSession.load('/models/m3/onnx/model.onnx', { threads: 2 });
 * const out = await s.run({ input_ids: { type: 'int64', data: [0, 2], dims: [1, 2] }, attention_mask: { type: 'int64', data: [1, 1], dims: [1, 2] } });
 * ```
 */
export class OnnxSession {
  readonly #session: ort.InferenceSession;
  readonly #label: string;
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];

  private constructor(session: ort.InferenceSession, label: string) {
    this.#session = session;
    this.#label = label;
    const info = (names: readonly string[], meta: readonly ort.InferenceSession.ValueMetadata[] | undefined): ValueInfo[] =>
      names.map((name, i) => {
        const m = meta?.[i];
        return m?.isTensor ? { name, type: String(m.type), shape: [...m.shape] } : { name, type: 'unknown', shape: [] };
      });
    this.inputs = info(
      session.inputNames,
      safeMeta(() => session.inputMetadata),
    );
    this.outputs = info(
      session.outputNames,
      safeMeta(() => session.outputMetadata),
    );
  }

  /** Loads the model file at `path` (external data resolved next to it). */
  static async load(path: string, opts: SessionOptions = {}): Promise<OnnxSession> {
    try {
      const o = await loadOrt();
      return new OnnxSession(await o.InferenceSession.create(path, sessionOptions(opts)), basename(path));
    } catch (e) {
      throw new ModelError('MODEL_INVALID', `onnxruntime cannot load ${path} (${firstLine(e)}); the file or its external data (.onnx_data / .onnx.data) is missing or corrupt: download it again`, { cause: e });
    }
  }

  /** Loads a model serialised in memory (used for the generated heads graph). */
  static async fromBytes(bytes: Uint8Array, label: string, opts: SessionOptions = {}): Promise<OnnxSession> {
    try {
      const o = await loadOrt();
      return new OnnxSession(await o.InferenceSession.create(bytes, sessionOptions(opts)), label);
    } catch (e) {
      throw new ModelError('MODEL_INVALID', `onnxruntime cannot build ${label} (${firstLine(e)})`, { cause: e });
    }
  }

  /** Runs the model; returns the requested float outputs (all outputs by default). */
  async run(feeds: Record<string, Feed>, fetch?: string[]): Promise<Record<string, Output>> {
    const { Tensor } = ortModule!; // loaded: this session was made by load() / fromBytes()
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      if (f.type === 'int64') {
        const a = new BigInt64Array(f.data.length);
        for (let i = 0; i < f.data.length; i++) a[i] = BigInt(f.data[i]!);
        ortFeeds[name] = new Tensor('int64', a, f.dims);
      } else {
        ortFeeds[name] = new Tensor('float32', f.data, f.dims);
      }
    }
    let res: ort.InferenceSession.ReturnType;
    try {
      res = fetch ? await this.#session.run(ortFeeds, fetch) : await this.#session.run(ortFeeds);
    } catch (e) {
      throw new ModelError('MODEL_INVALID', `running ${this.#label} failed (${firstLine(e)})`, { cause: e });
    }
    const out: Record<string, Output> = {};
    for (const [name, v] of Object.entries(res)) {
      const t = v as ort.Tensor;
      let data: Float32Array;
      if (t.type === 'float32') data = t.data as Float32Array;
      else if (t.type === 'float16' || t.type === 'float64') data = Float32Array.from(t.data as ArrayLike<number>);
      else continue;
      out[name] = { data, dims: [...t.dims] };
    }
    return out;
  }

  /** Frees native memory; idempotent. */
  async release(): Promise<void> {
    try {
      await this.#session.release();
    } catch {
      /* already released */
    }
  }
}

function safeMeta<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

function sessionOptions(opts: SessionOptions): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
  if (opts.threads !== undefined) o.intraOpNumThreads = opts.threads;
  return o;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .slice(0, 300);
}
