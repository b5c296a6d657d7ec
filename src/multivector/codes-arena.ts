/**
 * Arena of compressed token vectors (dtypes `binary` and `residual`, codec.ts): every vector's
 * codes back to back (codesBytes(dim, bits) bytes), for residual its centroid id (u16), plus the
 * token ids and spans like {@link Arena}. Same methods as Arena, so the store treats both alike.
 *
 * A residual arena needs a codebook: until it is trained, added vectors wait in f32 (`pending`);
 * the first call that reads codes (scoring, get, save, compact) or `pending` reaching
 * `trainVectors` trains the codebook on everything pending and encodes it. Later vectors are
 * encoded with that codebook (it is kept, and saved with the store).
 */
import { kernels } from '../kernels/index.js';
import { codesBytes, type CodeBits } from '../kernels/codes.js';
import { alignedArray } from '../kernels/aligned.js';
import { binaryLevels, decodeVector, encodeBinary, encodeResidual, trainResidual, type ResidualCodebook } from './codec.js';

/** Training settings of a residual arena. */
export interface ResidualTraining {
  /** Number of centroids (default: defaultCentroids(vectors at training)). */
  centroids?: number;
  /** Train once this many vectors are pending (default 131072). */
  trainVectors?: number;
}

/** Growable arena of binary / residual codes. */
export class CodesArena {
  readonly dim: number;
  readonly dtype: 'binary' | 'residual';
  readonly bits: CodeBits;
  readonly bytes: number;
  readonly training: ResidualTraining;
  codebook: ResidualCodebook | null;
  used = 0;
  #cap = 0;
  codes = new Uint8Array(0);
  cids: Uint16Array | null = null;
  /** Residual: each vector's inverse decoded norm. */
  norms: Float32Array | null = null;
  tokens = new Uint32Array(0);
  spans = new Uint32Array(0);
  /** Residual, untrained: the vectors awaiting the codebook (used × dim f32). */
  #pending: Float32Array | null = null;
  readonly screening = false;
  readonly screenBytesPerVector = 0;

  constructor(dim: number, dtype: 'binary' | 'residual', bits: CodeBits, codebook: ResidualCodebook | null, training: ResidualTraining = {}, capacity = 256) {
    this.dim = dim;
    this.dtype = dtype;
    this.bits = dtype === 'binary' ? 1 : bits;
    this.bytes = codesBytes(dim, this.bits);
    this.codebook = codebook;
    this.training = training;
    if (dtype === 'residual') {
      this.cids = new Uint16Array(0);
      this.norms = new Float32Array(0);
    }
    if (dtype === 'residual' && codebook === null) this.#pending = new Float32Array(0);
    this.#reserve(Math.max(capacity, 16));
  }

  /** True once codes exist for every vector (binary: always). */
  get trained(): boolean {
    return this.#pending === null;
  }

  /** An empty arena with the same settings and codebook (compact). */
  emptyLike(capacity: number): CodesArena {
    this.ensureTrained();
    return new CodesArena(this.dim, this.dtype, this.bits, this.codebook, this.training, capacity);
  }

  /** No sidecar for compressed arenas. */
  enableScreening(): void {}

  /** Bytes per stored vector: codes + centroid id and inverse norm (residual) + token id + span. */
  get bytesPerVector(): number {
    return this.bytes + (this.dtype === 'residual' ? 6 : 0) + 12;
  }

  /** Allocated bytes (capacity; pending f32 vectors included; codebook included). */
  get allocatedBytes(): number {
    const cb = this.codebook === null ? 0 : this.codebook.centroids.length + 4 * this.codebook.k;
    return this.#cap * this.bytesPerVector + (this.#pending?.length ?? 0) * 4 + cb;
  }

  #reserve(min: number): void {
    if (min <= this.#cap) return;
    const cap = Math.max(min, Math.ceil(this.#cap * 1.5), 16);
    const n = this.used;
    const codes = alignedArray(Uint8Array, cap * this.bytes);
    codes.set(this.codes.subarray(0, n * this.bytes));
    this.codes = codes;
    if (this.cids !== null) {
      const c = new Uint16Array(cap);
      c.set(this.cids.subarray(0, n));
      this.cids = c;
      const m = new Float32Array(cap);
      m.set(this.norms!.subarray(0, n));
      this.norms = m;
    }
    if (this.#pending !== null) {
      const p = new Float32Array(cap * this.dim);
      p.set(this.#pending.subarray(0, n * this.dim));
      this.#pending = p;
    }
    const t = new Uint32Array(cap);
    t.set(this.tokens.subarray(0, n));
    this.tokens = t;
    const s = new Uint32Array(2 * cap);
    s.set(this.spans.subarray(0, 2 * n));
    this.spans = s;
    this.#cap = cap;
  }

  /** Appends `count` normalised vectors (+ ids, spans); returns the start index. */
  append(data: Float32Array, count: number, tokens: Uint32Array, spans: Uint32Array): number {
    this.#reserve(this.used + count);
    const start = this.used;
    const rows = data.subarray(0, count * this.dim);
    if (this.#pending !== null) this.#pending.set(rows, start * this.dim);
    else if (this.dtype === 'binary') encodeBinary(rows, count, this.dim, this.codes, start * this.bytes);
    else encodeResidual(this.codebook!, rows, count, this.codes, start * this.bytes, this.cids!, start, this.norms!);
    this.tokens.set(tokens, start);
    this.spans.set(spans, 2 * start);
    this.used += count;
    if (this.#pending !== null && this.used >= (this.training.trainVectors ?? 131072)) this.ensureTrained();
    return start;
  }

  /** Trains the residual codebook on the pending vectors and encodes them (no-op when trained). */
  ensureTrained(): void {
    if (this.#pending === null || this.used === 0) return;
    const rows = this.#pending.subarray(0, this.used * this.dim);
    const k = this.training.centroids;
    this.codebook = trainResidual(rows, this.used, this.dim, { bits: this.bits, ...(k !== undefined ? { k } : {}) });
    encodeResidual(this.codebook, rows, this.used, this.codes, 0, this.cids!, 0, this.norms!);
    this.#pending = null;
  }

  /** Appends stored vectors of an arena with the same codebook (compact). */
  appendRaw(src: CodesArena, start: number, count: number): number {
    src.ensureTrained();
    this.#reserve(this.used + count);
    const at = this.used;
    this.codes.set(src.codes.subarray(start * this.bytes, (start + count) * this.bytes), at * this.bytes);
    if (this.cids !== null) {
      this.cids.set(src.cids!.subarray(start, start + count), at);
      this.norms!.set(src.norms!.subarray(start, start + count), at);
    }
    this.tokens.set(src.tokens.subarray(start, start + count), at);
    this.spans.set(src.spans.subarray(2 * start, 2 * (start + count)), 2 * at);
    this.used += count;
    return at;
  }

  /** Loads persisted arrays (validated by the reader). */
  static fromArrays(dim: number, dtype: 'binary' | 'residual', bits: CodeBits, codebook: ResidualCodebook | null, codes: Uint8Array, cids: Uint16Array | null, norms: Float32Array | null, tokens: Uint32Array, spans: Uint32Array): CodesArena {
    const count = tokens.length;
    const a = new CodesArena(dim, dtype, bits, dtype === 'residual' && codebook === null && count === 0 ? null : codebook, {}, count);
    a.codes.set(codes);
    if (cids !== null) a.cids!.set(cids);
    if (norms !== null) a.norms!.set(norms);
    a.tokens.set(tokens);
    a.spans.set(spans);
    a.used = count;
    return a;
  }

  /** Codes (and centroid ids) of a range, as views. */
  raw(start: number, count: number): { codes: Uint8Array; cids: Uint16Array | null; norms: Float32Array | null } {
    this.ensureTrained();
    const res = this.cids !== null;
    return { codes: this.codes.subarray(start * this.bytes, (start + count) * this.bytes), cids: res ? this.cids!.subarray(start, start + count) : null, norms: res ? this.norms!.subarray(start, start + count) : null };
  }

  /** Decompressed copy of one stored vector. */
  vector(index: number): Float32Array {
    this.ensureTrained();
    return decodeVector(this.codes, index * this.bytes, this.dim, this.bits, this.codebook, this.cids === null ? 0 : this.cids[index]!, this.norms === null ? 1 : this.norms[index]!);
  }

  /** Query × centroid table (qCount × k) with the int8 dots kernel; null for binary. */
  centroidTable(query: Float32Array, qCount: number): Float32Array | null {
    const cb = this.codebook;
    if (cb === null) return null;
    const ct = new Float32Array(qCount * cb.k);
    const d = this.dim;
    for (let i = 0; i < qCount; i++) kernels.dotsI8(query.subarray(i * d, (i + 1) * d), d, cb.centroids, cb.centroidScales, null, ct.subarray(i * cb.k, (i + 1) * cb.k));
    return ct;
  }

  /** `out[i] = MaxSim(query, docs i)` over the decompressed vectors: one kernel call. */
  maxsim(query: Float32Array, qCount: number, starts: Uint32Array, counts: Uint32Array, out: Float32Array, ct?: Float32Array | null): void {
    if (out.length === 0) return;
    this.ensureTrained();
    const n = this.used;
    const codes = this.codes.subarray(0, n * this.bytes);
    if (this.dtype === 'binary') {
      const { levels, scale } = binaryLevels(this.dim);
      kernels.maxsimCodes(query, qCount, this.dim, codes, 1, levels, scale, null, null, null, 1, starts, counts, out);
      return;
    }
    const cb = this.codebook!;
    // without a table the kernel computes it (the same values as centroidTable, on its MaxSim engine)
    const fill = ct === undefined || ct === null;
    const table = fill ? new Float32Array(qCount * cb.k) : ct;
    kernels.maxsimCodes(query, qCount, this.dim, codes, cb.bits, cb.levels, cb.scale, this.cids!.subarray(0, n), this.norms!.subarray(0, n), table, cb.k, starts, counts, out, fill ? cb.centroids : null, fill ? cb.centroidScales : null);
  }

  /** `out[j] = q · vector(start + j)` (the kernels' pair score) for one query vector. */
  dots(q: Float32Array, start: number, count: number, out: Float32Array): void {
    if (count === 0) return;
    const starts = new Uint32Array(count);
    for (let j = 0; j < count; j++) starts[j] = start + j;
    this.maxsim(q, 1, starts, new Uint32Array(count).fill(1), out.subarray(0, count));
  }
}
