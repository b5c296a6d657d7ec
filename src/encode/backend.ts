/**
 * Runs one padded batch through the model files and returns raw per-position arrays,
 * whatever the layout:
 * - three-output exports (aapot, gpahal, yuniko…): dense [B,H], sparse [B,T(,1)],
 *   colbert [B,T-1,D] or [B,T,D];
 * - backbone exports (BAAI `onnx/`, Xenova): last hidden state [B,T,H], with the heads
 *   applied by a generated heads graph ({@link buildHeadsModel}) when head files exist.
 * Output roles are found by name, with a positional fallback (3 outputs → dense,
 * sparse, colbert; 1 output → hidden state).
 */
import { ModelError } from '../errors.js';
import { buildHeadsModel } from './onnx-heads.js';
import { OnnxSession, type Feed, type ValueInfo } from './onnx-session.js';
import type { M3Heads } from './heads.js';

/** Raw outputs of one batch, B texts padded to T positions. */
export interface BatchOutput {
  B: number;
  T: number;
  /** [B, H] (may be unnormalised). */
  dense?: Float32Array;
  /** [B, T] relu'd sparse weight per position. */
  sparse?: Float32Array;
  /** [B, T - colbertOffset, D] raw or normalised colbert vectors starting at position colbertOffset. */
  colbert?: Float32Array;
  colbertOffset: number;
  colbertDim: number;
  /** [B, T, H] last hidden state. */
  hidden?: Float32Array;
  hiddenDim: number;
}

/** What to compute. */
export interface Want {
  dense: boolean;
  sparse: boolean;
  colbert: boolean;
  hidden: boolean;
}

interface Roles {
  dense?: string;
  sparse?: string;
  colbert?: string;
  hidden?: string;
}

/** Finds output roles from names (and count as a fallback). */
export function classifyOutputs(outputs: readonly ValueInfo[]): Roles {
  const roles: Roles = {};
  for (const o of outputs) {
    const n = o.name.toLowerCase();
    if (!roles.colbert && /colbert|multi_?vec/.test(n)) roles.colbert = o.name;
    else if (!roles.sparse && /sparse|lexical|token_weight/.test(n)) roles.sparse = o.name;
    else if (!roles.hidden && /last_hidden_state|token_embeddings|hidden_state/.test(n)) roles.hidden = o.name;
    else if (!roles.dense && /dense|sentence_embedding|pooler|sentence/.test(n)) roles.dense = o.name;
  }
  if (!roles.dense && !roles.sparse && !roles.colbert && !roles.hidden) {
    if (outputs.length === 3) return { dense: outputs[0]!.name, sparse: outputs[1]!.name, colbert: outputs[2]!.name };
    if (outputs.length >= 1) return { hidden: outputs[0]!.name };
  }
  return roles;
}

/**
 * A model graph plus optional heads graph.
 *
 * @example
 * ```ts
 * const be = await Backend.create('/m/onnx/model.onnx', heads, { threads: 2 });
 * const out = await be.run([0, 100, 2], [1, 1, 1], 1, 3, { dense: true, sparse: true, colbert: true, hidden: false });
 * ```
 */
export class Backend {
  readonly #main: OnnxSession;
  readonly #heads: OnnxSession | undefined;
  readonly #roles: Roles;
  readonly #inputs: Set<string>;
  readonly #path: string;

  private constructor(main: OnnxSession, heads: OnnxSession | undefined, roles: Roles, path: string) {
    this.#main = main;
    this.#heads = heads;
    this.#roles = roles;
    this.#inputs = new Set(main.inputs.map((i) => i.name));
    this.#path = path;
  }

  /** Loads `modelPath`; `heads` (if given) is used only when the graph lacks those outputs. */
  static async create(modelPath: string, heads: M3Heads | undefined, opts: { threads?: number }): Promise<Backend> {
    const main = await OnnxSession.load(modelPath, opts);
    const roles = classifyOutputs(main.outputs);
    const inputNames = main.inputs.map((i) => i.name);
    if (!inputNames.includes('input_ids')) {
      await main.release();
      throw new ModelError('MODEL_INVALID', `${modelPath}: the graph has no input_ids input (inputs: ${inputNames.join(', ')}); an encoder export is required`);
    }
    let headSession: OnnxSession | undefined;
    if (heads && roles.hidden && (!roles.sparse || !roles.colbert)) {
      const h = heads.sparse.weight.shape[1]!;
      headSession = await OnnxSession.fromBytes(buildHeadsModel(h, heads.sparse, heads.colbert), 'M3 heads graph', opts);
    }
    return new Backend(main, headSession, roles, modelPath);
  }

  /** Which representations this backend can produce. */
  get capabilities(): { dense: boolean; sparse: boolean; colbert: boolean; hidden: boolean } {
    const r = this.#roles;
    return {
      dense: !!(r.dense || r.hidden),
      sparse: !!(r.sparse || (r.hidden && this.#heads)),
      colbert: !!(r.colbert || (r.hidden && this.#heads)),
      hidden: !!r.hidden,
    };
  }

  /** Output names of the main graph, for messages. */
  get outputNames(): string[] {
    return this.#main.outputs.map((o) => o.name);
  }

  /** Runs ids/mask [B, T] (row-major, right-padded). */
  async run(ids: number[], mask: number[], B: number, T: number, want: Want): Promise<BatchOutput> {
    const feeds: Record<string, Feed> = {
      input_ids: { type: 'int64', data: ids, dims: [B, T] },
    };
    if (this.#inputs.has('attention_mask')) feeds.attention_mask = { type: 'int64', data: mask, dims: [B, T] };
    if (this.#inputs.has('token_type_ids')) feeds.token_type_ids = { type: 'int64', data: new Array<number>(B * T).fill(0), dims: [B, T] };
    if (this.#inputs.has('position_ids')) {
      // XLM-R: padding_idx + cumsum(mask) for real tokens, padding_idx for pads.
      const pos = new Array<number>(B * T);
      for (let b = 0; b < B; b++) {
        let c = 0;
        for (let t = 0; t < T; t++) {
          const m = mask[b * T + t]!;
          c += m;
          pos[b * T + t] = m ? c + 1 : 1;
        }
      }
      feeds.position_ids = { type: 'int64', data: pos, dims: [B, T] };
    }
    const r = this.#roles;
    const fetch = new Set<string>();
    const needHidden = want.hidden || (want.dense && !r.dense) || (want.sparse && !r.sparse) || (want.colbert && !r.colbert);
    if (want.dense && r.dense) fetch.add(r.dense);
    if (want.sparse && r.sparse) fetch.add(r.sparse);
    if (want.colbert && r.colbert) fetch.add(r.colbert);
    if (needHidden && r.hidden) fetch.add(r.hidden);
    if (fetch.size === 0) fetch.add(this.#main.outputs[0]!.name);
    const res = await this.#main.run(feeds, [...fetch]);
    const out: BatchOutput = { B, T, colbertOffset: 1, colbertDim: 0, hiddenDim: 0 };
    const check = (name: string, ok: boolean): void => {
      if (!ok) throw new ModelError('MODEL_INVALID', `${this.#path}: output ${name} has shape [${res[name]?.dims}] for a batch of [${B}, ${T}]`);
    };
    if (r.hidden && res[r.hidden]) {
      const o = res[r.hidden]!;
      check(r.hidden, o.dims.length === 3 && o.dims[0] === B && o.dims[1] === T);
      out.hidden = o.data;
      out.hiddenDim = o.dims[2]!;
    }
    if (r.dense && res[r.dense]) {
      const o = res[r.dense]!;
      check(r.dense, o.dims[0] === B && o.data.length % B === 0);
      out.dense = o.data;
    }
    if (r.sparse && res[r.sparse]) {
      const o = res[r.sparse]!;
      check(r.sparse, o.data.length === B * T);
      out.sparse = o.data;
    }
    if (r.colbert && res[r.colbert]) {
      const o = res[r.colbert]!;
      check(r.colbert, o.dims.length === 3 && o.dims[0] === B && (o.dims[1] === T || o.dims[1] === T - 1));
      out.colbert = o.data;
      out.colbertOffset = o.dims[1] === T ? 0 : 1;
      out.colbertDim = o.dims[2]!;
    }
    const needHeads = (want.sparse && !out.sparse) || (want.colbert && !out.colbert);
    if (needHeads && this.#heads && out.hidden) {
      const headFetch: string[] = [];
      if (want.sparse && !out.sparse) headFetch.push('sparse');
      if (want.colbert && !out.colbert) headFetch.push('colbert');
      const h = await this.#heads.run({ hidden: { type: 'float32', data: out.hidden, dims: [B, T, out.hiddenDim] } }, headFetch);
      if (h.sparse) out.sparse = h.sparse.data;
      if (h.colbert) {
        out.colbert = h.colbert.data;
        out.colbertOffset = 0;
        out.colbertDim = h.colbert.dims[2]!;
      }
    }
    return out;
  }

  /** Frees both sessions. */
  async release(): Promise<void> {
    await this.#main.release();
    await this.#heads?.release();
  }
}
