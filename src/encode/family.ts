/**
 * The {@link Encoder} of every non-M3 preset (dense, SPLADE, BM42, ColBERT), driven by a
 * {@link FamilyConfig}; `loadEncoder` creates it when the preset's kind is not `m3`.
 *
 * Sequence layout per text (ids counted against `maxLength`, specials included):
 * - dense / SPLADE / BM42: `template-prefix  tokens(prefix + text)  template-suffix  [EOS if appendEos]`;
 * - ColBERT: `template-prefix  marker  tokens(text)  template-suffix`, queries padded with
 *   [MASK] to `queryLength` (attention 0 on the expansion unless `attendToExpansion`).
 * Batching: texts sorted by length, padded to the longest of their batch on the right
 * (or the left for decoder embedders), `position_ids` fed when the graph asks for them
 * (cumsum(mask) − 1, padding at 1, as Hugging Face does), `token_type_ids` as zeros.
 * Results come back in input order; batched == one by one up to float noise (tested).
 */
import { ModelError, TridentError } from '../errors.js';
import { checkEncodeInput, checkTokenIds, lengthBatches, Lifecycle } from './base.js';
import { bm42Document, bm42Query, bm42Stem } from './bm42.js';
import type { FamilyConfig } from './family-config.js';
import type { FamilyTokenizer } from './family-tokenizer.js';
import type { Feed, OnnxSession } from './onnx-session.js';
import { l2normalize, poolRows, spladePool, unitSparse } from './pooling.js';
import type { CharSpan, EncodeOptions, Encoded, Encoder, EncoderInfo, Role, SparseVector, TokenLevel } from './types.js';

/** Graph output names chosen at load time. */
export interface OutputNames {
  hidden?: string;
  pooled?: string;
  logits?: string;
  attention?: string;
}

/**
 * Former name of {@link EncoderInfo} (which now carries `sparseModifier` for every encoder).
 *
 * @deprecated use {@link EncoderInfo}.
 * @example
 * ```ts
 * const info: FamilyEncoderInfo = (await loadEncoder('Qdrant/bm42-all-minilm-l6-v2-attentions')).info;
 * ```
 */
export type FamilyEncoderInfo = EncoderInfo;

/** Internal parts of a {@link FamilyEncoder}. */
export interface FamilyParts {
  session: OnnxSession;
  tok: FamilyTokenizer;
  cfg: FamilyConfig;
  info: EncoderInfo;
  outputs: OutputNames;
  /** Largest sequence the model accepts. */
  maxPositions: number;
  /** ColBERT projection `[out, in]` row-major (PyLate 1_Dense), applied after the graph. */
  projection?: { weight: Float32Array; out: number; in: number; bias?: Float32Array };
  stopwords?: ReadonlySet<string>;
  /** Document-only SPLADE: query weight per token id (`idf.json`); absent ids weigh 0. */
  queryWeights?: ReadonlyMap<number, number>;
}

interface Job {
  index: number;
  ids: number[];
  /** Attention per position (ColBERT expansion tokens may be 0). */
  att: number[];
  /** Which positions are text tokens (others are specials/markers/expansion). */
  textStart: number;
  textTokens: string[];
  truncated: boolean;
  /** Text given to the tokenizer (role prefix + caller text) and the prefix length. */
  source: string;
  prefixLength: number;
}

interface RowOut {
  job: Job;
  hidden: Float32Array | null;
  H: number;
  pooled: Float32Array | null;
  logits: { data: Float32Array; base: number; T: number; V: number } | null;
  attention: Float32Array | null;
  /** Offset of this text's first real row in the padded batch (left padding shifts it). */
  shift: number;
}

const EMPTY_SPARSE = (): SparseVector => ({ ids: new Uint32Array(0), weights: new Float32Array(0) });

/**
 * Encoder of the non-M3 families.
 *
 * @example
 * ```ts
 * const e5 = await loadEncoder('intfloat/multilingual-e5-small');
 * const [q] = await e5.encode(['how do I cook rice?'], { role: 'query' }); // 'query: ' prepended
 * ```
 */
export class FamilyEncoder implements Encoder {
  readonly info: EncoderInfo;
  readonly #p: FamilyParts;
  readonly #cfg: FamilyConfig;
  readonly #life = new Lifecycle('loadEncoder()');

  /** Internal: use `loadEncoder`. */
  constructor(parts: FamilyParts) {
    this.#p = parts;
    this.#cfg = parts.cfg;
    this.info = parts.info;
  }

  /** The resolved configuration (prefixes, pooling, ColBERT rules…). */
  get config(): Readonly<FamilyConfig> {
    return this.#cfg;
  }

  async encode(texts: readonly string[], opts: EncodeOptions = {}): Promise<Encoded[]> {
    const { role } = this.#validate(texts, opts);
    const kind = this.#cfg.kind;
    if ((kind === 'bm42' && role === 'query') || (kind === 'splade' && role === 'query' && this.#cfg.spladeQuery === 'tokens')) {
      const jobs = this.#jobs(texts, role, opts);
      return jobs.map((j) =>
        this.#encoded(
          j,
          null,
          kind === 'bm42'
            ? bm42Query(
                j.ids.map((id) => this.#p.tok.pieces([id])[0]!),
                (i) => this.#isSpecial(j.ids[i]!),
                this.#p.stopwords ?? new Set(),
              )
            : this.#tokenQuery(j.ids.filter((id) => !this.#isSpecial(id))),
        ),
      );
    }
    const rows = await this.#forward(texts, role, opts);
    return rows.map((r) => this.#pooled(r, role));
  }

  async encodeTokens(texts: readonly string[], opts: EncodeOptions = {}): Promise<TokenLevel[]> {
    const { role } = this.#validate(texts, opts);
    if (this.#cfg.kind !== 'dense') throw new TridentError('UNSUPPORTED', `encodeTokens is for dense families (late chunking); this is a ${this.#cfg.kind} encoder`);
    const rows = await this.#forward(texts, role, opts);
    return rows.map((r) => {
      const L = r.job.ids.length;
      const e = this.#pooled(r, role);
      const textMask = new Uint8Array(L);
      const charSpans = this.#spans(r.job, textMask);
      return {
        tokenIds: Uint32Array.from(r.job.ids),
        charSpans,
        tokenWeights: new Float32Array(L),
        colbert: new Float32Array(0),
        hidden: r.hidden ? r.hidden.slice(r.shift * r.H, (r.shift + L) * r.H) : null,
        dense: e.dense,
        truncated: r.job.truncated,
        // late chunking: which positions are the caller's text, and no lexical weights here
        textMask,
        lexical: false,
      };
    });
  }

  decodeTokens(ids: Uint32Array | readonly number[]): string[] {
    this.#life.check();
    if (this.#cfg.kind === 'bm42') {
      // term ids are hashes of stems: give the stems this process has hashed, `#id` otherwise
      checkTokenIds(ids, 0x80000000, 'BM42 term');
      return Array.from(ids, (id) => bm42Stem(id) ?? `#${id}`);
    }
    checkTokenIds(ids, this.info.vocabSize);
    return this.#p.tok.pieces(ids);
  }

  async close(): Promise<void> {
    await this.#life.close(() => this.#p.session.release());
  }

  /** Query of a document-only SPLADE model: distinct tokens, weight 1 or the `idf.json` weight. */
  #tokenQuery(ids: number[]): SparseVector {
    const u = unitSparse(ids);
    const table = this.#p.queryWeights;
    if (!table) return u;
    const keep = [...u.ids].filter((id) => (table.get(id) ?? 0) > 0);
    return { ids: Uint32Array.from(keep), weights: Float32Array.from(keep, (id) => table.get(id)!) };
  }

  #isSpecial(id: number): boolean {
    return this.#p.tok.specialIds.has(id);
  }

  #validate(texts: readonly string[], opts: EncodeOptions): { role: Role } {
    this.#life.check();
    const { role } = checkEncodeInput(texts, opts, { minLength: this.#minLength(), maxPositions: this.#p.maxPositions, defaultLength: this.info.maxLength });
    return { role };
  }

  #minLength(): number {
    const t = this.#p.tok;
    return t.prefix.length + t.suffix.length + (this.#cfg.appendEos ? 1 : 0) + (this.#cfg.kind === 'colbert' ? 1 : 0) + 1;
  }

  #jobs(texts: readonly string[], role: Role, opts: EncodeOptions): Job[] {
    const cfg = this.#cfg;
    const tok = this.#p.tok;
    const cb = cfg.colbert;
    return texts.map((text, index) => {
      let maxLength = opts.maxLength ?? this.info.maxLength;
      let marker: number[] = [];
      if (cb) {
        maxLength = Math.min(maxLength, role === 'query' ? cb.queryLength : cb.documentLength);
        const m = tok.idOf(role === 'query' ? cb.queryMarker : cb.documentMarker);
        marker = [m!];
      }
      const eos = cfg.appendEos ? [tok.special('eos')!] : [];
      const prefix = cfg.prefixes[role];
      const source = prefix + text;
      const room = maxLength - tok.prefix.length - tok.suffix.length - eos.length - marker.length;
      const raw = tok.raw(source, Math.max(0, room));
      const ids = [...tok.prefix, ...marker, ...raw.ids, ...tok.suffix, ...eos];
      const att = ids.map(() => 1);
      if (cb && role === 'query' && cb.expansion) {
        const mask = tok.special('mask')!;
        while (ids.length < cb.queryLength) {
          ids.push(mask);
          att.push(cb.attendToExpansion ? 1 : 0);
        }
      }
      return { index, ids, att, textStart: tok.prefix.length + marker.length, textTokens: raw.tokens, truncated: raw.cut, source, prefixLength: prefix.length };
    });
  }

  async #forward(texts: readonly string[], role: Role, opts: EncodeOptions): Promise<RowOut[]> {
    const jobs = this.#jobs(texts, role, opts);
    const batchSize = opts.batchSize ?? 8;
    const out = new Array<RowOut>(jobs.length);
    const left = this.#cfg.padding === 'left';
    const padId = this.#p.tok.special('pad') ?? 0;
    const o = this.#p.outputs;
    const fetch = [o.hidden, o.pooled, o.logits, o.attention].filter((x): x is string => !!x);
    const names = new Set(this.#p.session.inputs.map((i) => i.name));
    for (const batch of lengthBatches(jobs, batchSize)) {
      const B = batch.length;
      const T = batch[batch.length - 1]!.ids.length;
      const ids = new Array<number>(B * T).fill(padId);
      const mask = new Array<number>(B * T).fill(0);
      const pos = new Array<number>(B * T).fill(1);
      batch.forEach((j, b) => {
        const shift = left ? T - j.ids.length : 0;
        let p = 0;
        for (let t = 0; t < j.ids.length; t++) {
          ids[b * T + shift + t] = j.ids[t]!;
          mask[b * T + shift + t] = j.att[t]!;
          pos[b * T + shift + t] = p++;
        }
      });
      const dims = [B, T];
      const feeds: Record<string, Feed> = {
        input_ids: { type: 'int64', data: ids, dims },
        attention_mask: { type: 'int64', data: mask, dims },
      };
      if (names.has('token_type_ids')) feeds.token_type_ids = { type: 'int64', data: new Array<number>(B * T).fill(0), dims };
      if (names.has('position_ids')) feeds.position_ids = { type: 'int64', data: pos, dims };
      this.#life.check();
      const res = await this.#life.track(this.#p.session.run(feeds, fetch));
      batch.forEach((job, b) => {
        const shift = left ? T - job.ids.length : 0;
        const h = o.hidden ? res[o.hidden] : undefined;
        const H = h ? h.dims[h.dims.length - 1]! : 0;
        const lg = o.logits ? res[o.logits] : undefined;
        const at = o.attention ? res[o.attention] : undefined;
        let attention: Float32Array | null = null;
        if (at) {
          // [B, heads, T, T]: CLS row (query position = first real token) averaged over heads, × mask
          const heads = at.dims[1]!;
          attention = new Float32Array(job.ids.length);
          for (let t = 0; t < job.ids.length; t++) {
            let sum = 0;
            for (let k = 0; k < heads; k++) sum += at.data[((b * heads + k) * T + shift) * T + shift + t]!;
            attention[t] = (sum / heads) * job.att[t]!;
          }
        }
        const pd = o.pooled ? res[o.pooled] : undefined;
        out[job.index] = {
          job,
          hidden: h ? h.data.subarray(b * T * H, (b + 1) * T * H) : null,
          H,
          pooled: pd ? pd.data.slice(b * pd.dims[1]!, (b + 1) * pd.dims[1]!) : null,
          logits: lg ? { data: lg.data, base: (b * T + shift) * lg.dims[2]!, T: job.ids.length, V: lg.dims[2]! } : null,
          attention,
          shift,
        };
      });
    }
    return out;
  }

  #pooled(r: RowOut, role: Role): Encoded {
    const cfg = this.#cfg;
    const L = r.job.ids.length;
    if (cfg.kind === 'splade') {
      if (!r.logits) throw new ModelError('MODEL_INVALID', 'the SPLADE graph returned no logits');
      return this.#encoded(r.job, null, spladePool(r.logits.data, r.logits.base, L, r.logits.V, r.job.att));
    }
    if (cfg.kind === 'bm42') {
      const tokens = this.#p.tok.pieces(r.job.ids);
      return this.#encoded(
        r.job,
        null,
        bm42Document(tokens, r.attention!, (i) => this.#isSpecial(r.job.ids[i]!), this.#p.stopwords ?? new Set(), cfg.bm42Alpha ?? 0.5),
      );
    }
    if (cfg.kind === 'colbert') return this.#colbert(r, role);
    let dense: Float32Array;
    if (cfg.pooling === 'graph') dense = r.pooled!;
    else dense = poolRows(r.hidden!, r.shift * r.H, L, r.H, r.job.att, cfg.pooling);
    if (cfg.normalize) l2normalize(dense);
    return this.#encoded(r.job, dense, null);
  }

  #colbert(r: RowOut, role: Role): Encoded {
    const cb = this.#cfg.colbert!;
    const skip = new Set<number>();
    if (role === 'document') {
      for (const w of cb.skiplist) {
        const id = this.#p.tok.idOf(w);
        if (id !== undefined) skip.add(id);
      }
    }
    const ids = r.job.ids;
    const rows: number[] = [];
    ids.forEach((id, t) => {
      if (!skip.has(id)) rows.push(t);
    });
    const proj = this.#p.projection;
    const D = proj ? proj.out : r.H;
    const data = new Float32Array(rows.length * D);
    rows.forEach((t, k) => {
      const src = r.hidden!.subarray((r.shift + t) * r.H, (r.shift + t + 1) * r.H);
      const dst = data.subarray(k * D, (k + 1) * D);
      if (proj) {
        for (let o = 0; o < D; o++) {
          let s = proj.bias ? proj.bias[o]! : 0;
          const w = o * proj.in;
          for (let j = 0; j < proj.in; j++) s += proj.weight[w + j]! * src[j]!;
          dst[o] = s;
        }
      } else dst.set(src);
      if (this.#cfg.normalize) l2normalize(dst);
    });
    const spans = this.#spans(r.job);
    return {
      dense: new Float32Array(0),
      sparse: EMPTY_SPARSE(),
      multivector: { data, dim: D, count: rows.length, tokenIds: Uint32Array.from(rows.map((t) => ids[t]!)), charSpans: rows.map((t) => spans[t]!) },
      truncated: r.job.truncated,
      tokenCount: ids.length,
    };
  }

  #encoded(job: Job, dense: Float32Array | null, sparse: SparseVector | null): Encoded {
    return {
      dense: dense ?? new Float32Array(0),
      sparse: sparse ?? EMPTY_SPARSE(),
      multivector: { data: new Float32Array(0), dim: this.info.dim, count: 0, tokenIds: new Uint32Array(0), charSpans: [] },
      truncated: job.truncated,
      tokenCount: job.ids.length,
    };
  }

  /**
   * Spans over the caller's text (role prefix removed); specials, markers and expansion get
   * [0, 0]. `textMask`, when given, gets 1 at the positions of tokens from the caller's text
   * (not the role prefix).
   */
  #spans(job: Job, textMask?: Uint8Array): CharSpan[] {
    const out: CharSpan[] = job.ids.map(() => [0, 0]);
    const sp = this.#p.tok.spans(job.source, job.textTokens);
    const n = job.prefixLength;
    sp.forEach(([s, e], k) => {
      const inText = e > n || (e === s && s >= n && n > 0) || n === 0;
      out[job.textStart + k] = e <= n ? [0, 0] : [Math.max(0, s - n), e - n];
      if (textMask && inText) textMask[job.textStart + k] = 1;
    });
    return out;
  }
}
