/**
 * The multi-vector arena: every document's vectors back to back in one growable typed
 * array per dtype (f32, f16 bit patterns, or i8 + one f32 scale per vector), plus parallel
 * arenas of token ids (u32) and character spans (2 × u32), with NONE where absent.
 * Documents are addressed by `start`/`count` (vector indices), kept by the store.
 * Removed documents leave garbage until {@link Arena.compact} rewrites the arena.
 *
 * Optional screening sidecar (f32 / f16 arenas, `screening = true`): every vector's int8 image
 * and 6 stats floats (src/kernels/screen.ts), kept in step with the vectors on every append,
 * so the native avx512 / amx MaxSim screens candidates without re-quantising their rows on each
 * call. Runtime only: never persisted, rebuilt when an arena is loaded or compacted.
 */

import { f16Values, rowSumsI8 } from '../kernels/f16.js';
import { toF16Into, quantizeI8RowsInto } from '../kernels/convert.js';
import { kernels } from '../kernels/index.js';
import { alignedArray } from '../kernels/aligned.js';
import { buildScreen, SCREEN_STATS } from '../kernels/screen.js';
import type { DenseMvDtype as MvDtype } from './types.js';

/** Growable token-vector arena. */
export class Arena {
  readonly dim: number;
  readonly dtype: MvDtype;
  /** Vectors written so far (live and garbage). */
  used = 0;
  #cap = 0;
  f32: Float32Array | null = null;
  f16: Uint16Array | null = null;
  i8: Int8Array | null = null;
  scales: Float32Array | null = null;
  /** i8 only: Σ of each vector's int8 values (runtime only; lets the MaxSim kernel skip re-summing rows). */
  sums: Int32Array | null = null;
  tokens = new Uint32Array(0);
  spans = new Uint32Array(0);
  /** Screening sidecar (null when off): int8 images and stats, same vector indices. */
  screenI8: Int8Array | null = null;
  screenStats: Float32Array | null = null;

  constructor(dim: number, dtype: MvDtype, capacity = 256, screening = false) {
    this.dim = dim;
    this.dtype = dtype;
    if (screening && dtype !== 'i8') {
      this.screenI8 = new Int8Array(0);
      this.screenStats = new Float32Array(0);
    }
    this.#reserve(Math.max(capacity, 16));
  }

  /** True when the arena keeps a screening sidecar. */
  get screening(): boolean {
    return this.screenI8 !== null;
  }

  /** Starts keeping a screening sidecar (f32 / f16 only): built now for every stored vector. */
  enableScreening(): void {
    if (this.screenI8 !== null || this.dtype === 'i8') return;
    this.screenI8 = alignedArray(Int8Array, this.#cap * this.dim);
    this.screenStats = new Float32Array(this.#cap * SCREEN_STATS);
    this.#screen(0, this.used);
  }

  /** Sidecar bytes per vector (0 without one). */
  get screenBytesPerVector(): number {
    return this.screenI8 === null ? 0 : this.dim + 4 * SCREEN_STATS;
  }

  /** Bytes per stored vector (payload + scale + token id + span). */
  get bytesPerVector(): number {
    const w = this.dtype === 'f32' ? 4 : this.dtype === 'f16' ? 2 : 1;
    return this.dim * w + (this.dtype === 'i8' ? 4 : 0) + 12;
  }

  /** Allocated bytes (capacity, including garbage and slack). */
  get allocatedBytes(): number {
    return this.#cap * (this.bytesPerVector + this.screenBytesPerVector + (this.sums !== null ? 4 : 0));
  }

  #reserve(min: number): void {
    if (min <= this.#cap) return;
    const cap = Math.max(min, Math.ceil(this.#cap * 1.5), 16);
    const d = this.dim;
    const n = this.used;
    // vector rows on page boundaries (alignedArray): the kernels read them 64 bytes at a time
    if (this.dtype === 'f32') this.f32 = grow(this.f32, alignedArray(Float32Array, cap * d), n * d);
    else if (this.dtype === 'f16') this.f16 = grow(this.f16, alignedArray(Uint16Array, cap * d), n * d);
    else {
      this.i8 = grow(this.i8, alignedArray(Int8Array, cap * d), n * d);
      this.scales = grow(this.scales, new Float32Array(cap), n);
      this.sums = grow(this.sums, new Int32Array(cap), n);
    }
    if (this.screenI8 !== null) {
      this.screenI8 = grow(this.screenI8, alignedArray(Int8Array, cap * d), n * d);
      this.screenStats = grow(this.screenStats, new Float32Array(cap * SCREEN_STATS), n * SCREEN_STATS);
    }
    this.tokens = grow(this.tokens, new Uint32Array(cap), n);
    this.spans = grow(this.spans, new Uint32Array(2 * cap), 2 * n);
    this.#cap = cap;
  }

  /** Appends `count` normalised vectors (+ ids, spans); returns the start index. */
  append(data: Float32Array, count: number, tokens: Uint32Array, spans: Uint32Array): number {
    this.#reserve(this.used + count);
    const start = this.used;
    const d = this.dim;
    const off = start * d;
    if (this.dtype === 'f32') this.f32!.set(data, off);
    else if (this.dtype === 'f16') toF16Into(data.subarray(0, count * d), this.f16!, off);
    else {
      quantizeI8RowsInto(data.subarray(0, count * d), d, this.i8!, off, this.scales!, start);
      rowSumsI8(this.i8!, d, start, count, this.sums!);
    }
    this.tokens.set(tokens, start);
    this.spans.set(spans, 2 * start);
    this.used += count;
    this.#screen(start, count);
    return start;
  }

  #screen(start: number, count: number): void {
    if (this.screenI8 === null || count === 0) return;
    buildScreen(this.dtype === 'f32' ? this.f32! : this.f16!, this.dim, start, count, this.screenI8, this.screenStats!);
  }

  /** Appends raw stored vectors (already in this dtype) — used by compact and load. */
  appendRaw(src: Arena, start: number, count: number): number {
    this.#reserve(this.used + count);
    const at = this.used;
    const d = this.dim;
    if (this.dtype === 'f32') this.f32!.set(src.f32!.subarray(start * d, (start + count) * d), at * d);
    else if (this.dtype === 'f16') this.f16!.set(src.f16!.subarray(start * d, (start + count) * d), at * d);
    else {
      this.i8!.set(src.i8!.subarray(start * d, (start + count) * d), at * d);
      this.scales!.set(src.scales!.subarray(start, start + count), at);
      this.sums!.set(src.sums!.subarray(start, start + count), at);
    }
    this.tokens.set(src.tokens.subarray(start, start + count), at);
    this.spans.set(src.spans.subarray(2 * start, 2 * (start + count)), 2 * at);
    this.used += count;
    if (this.screenI8 !== null && src.screenI8 !== null) {
      this.screenI8.set(src.screenI8.subarray(start * d, (start + count) * d), at * d);
      this.screenStats!.set(src.screenStats!.subarray(start * SCREEN_STATS, (start + count) * SCREEN_STATS), at * SCREEN_STATS);
    } else {
      this.#screen(at, count);
    }
    return at;
  }

  /** Loads persisted arrays (lengths already validated) into an empty arena. */
  static fromArrays(dim: number, dtype: MvDtype, vectors: Float32Array | Uint16Array | Int8Array, scales: Float32Array | null, tokens: Uint32Array, spans: Uint32Array, screening = false): Arena {
    const count = tokens.length;
    const a = new Arena(dim, dtype, count, screening);
    if (dtype === 'f32') a.f32!.set(vectors as Float32Array);
    else if (dtype === 'f16') a.f16!.set(vectors as Uint16Array);
    else {
      a.i8!.set(vectors as Int8Array);
      a.scales!.set(scales!);
      rowSumsI8(a.i8!, dim, 0, count, a.sums!);
    }
    a.tokens.set(tokens);
    a.spans.set(spans);
    a.used = count;
    a.#screen(0, count);
    return a;
  }

  /** The stored vectors of a range, as canonical arrays (views). */
  raw(start: number, count: number): { vectors: Float32Array | Uint16Array | Int8Array; scales: Float32Array | null } {
    const d = this.dim;
    if (this.dtype === 'f32') return { vectors: this.f32!.subarray(start * d, (start + count) * d), scales: null };
    if (this.dtype === 'f16') return { vectors: this.f16!.subarray(start * d, (start + count) * d), scales: null };
    return { vectors: this.i8!.subarray(start * d, (start + count) * d), scales: this.scales!.subarray(start, start + count) };
  }

  /** Dequantised copy of one stored vector. */
  vector(index: number): Float32Array {
    const d = this.dim;
    const off = index * d;
    if (this.dtype === 'f32') return this.f32!.slice(off, off + d);
    const out = new Float32Array(d);
    if (this.dtype === 'f16') {
      const t = f16Values();
      for (let k = 0; k < d; k++) out[k] = t[this.f16![off + k]!]!;
    } else {
      const s = this.scales![index]!;
      for (let k = 0; k < d; k++) out[k] = s * this.i8![off + k]!;
    }
    return out;
  }

  /** `out[i] = MaxSim(query, docs i)` for docs given by starts/counts: one kernel call. */
  maxsim(query: Float32Array, qCount: number, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void {
    if (out.length === 0) return;
    const d = this.dim;
    const n = this.used;
    if (this.screenI8 !== null) {
      const s8 = this.screenI8.subarray(0, n * d);
      const st = this.screenStats!.subarray(0, n * SCREEN_STATS);
      if (this.dtype === 'f32') kernels.maxsimF32Screen(query, qCount, d, this.f32!.subarray(0, n * d), s8, st, starts, counts, out);
      else kernels.maxsimF16Screen(query, qCount, d, this.f16!.subarray(0, n * d), s8, st, starts, counts, out);
    } else if (this.dtype === 'f32') kernels.maxsimF32(query, qCount, d, this.f32!.subarray(0, n * d), starts, counts, out);
    else if (this.dtype === 'f16') kernels.maxsimF16(query, qCount, d, this.f16!.subarray(0, n * d), starts, counts, out);
    else kernels.maxsimI8(query, qCount, d, this.i8!.subarray(0, n * d), this.scales!.subarray(0, n), starts, counts, out, this.sums!.subarray(0, n));
  }

  /** `out[j] = q · vector(start + j)` for one query vector (dim values): one kernel call. */
  dots(q: Float32Array, start: number, count: number, out: Float32Array): void {
    if (count === 0) return;
    const { vectors, scales } = this.raw(start, count);
    if (this.dtype === 'f32') kernels.dotsF32(q, this.dim, vectors as Float32Array, null, out);
    else if (this.dtype === 'f16') kernels.dotsF16(q, this.dim, vectors as Uint16Array, null, out);
    else kernels.dotsI8(q, this.dim, vectors as Int8Array, scales!, null, out);
  }
}

function grow<T extends Float32Array | Uint16Array | Int8Array | Uint32Array | Int32Array>(old: T | null, fresh: T, keep: number): T {
  if (old !== null && keep > 0) fresh.set(old.subarray(0, keep) as never);
  return fresh;
}
