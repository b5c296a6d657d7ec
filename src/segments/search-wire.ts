/**
 * Messages between the search pool (search-pool.ts) and its workers (search-worker.ts).
 * Typed arrays travel as transferables; `segs` are indexes into the generation's segment list
 * (null: every segment). Internal.
 */
import type { SegmentChannels } from './manifest.js';

/** An id filter as sent to a worker: `ids` = sorted unique u32 ids, `bits` = a bitmap. */
export interface WireFilter {
  allow?: Uint32Array | Uint8Array;
  allowKind?: 'ids' | 'bits';
  deny?: Uint32Array | Uint8Array;
  denyKind?: 'ids' | 'bits';
}

export type WorkerRequest =
  | { op: 'open'; rid: number }
  | { op: 'drop'; rid: number; gen: number }
  | { op: 'crash'; rid: number }
  | { op: 'stats'; rid: number; gen: number; segs: number[] | null; qids: Uint32Array; qw: Float32Array }
  | { op: 'sparse'; rid: number; gen: number; segs: number[] | null; qids: Uint32Array; qw: Float32Array; k: number; stats: { N: number; len: number; df: Float64Array } | null; filter?: WireFilter; exhaustive: boolean }
  | { op: 'mv'; rid: number; gen: number; segs: number[] | null; data: Float32Array; count: number; k: number; filter?: WireFilter }
  | { op: 'score'; rid: number; gen: number; segs: number[] | null; data: Float32Array; count: number; ids: Uint32Array };

export type WorkerReply =
  | { rid: number; ok: false; error: { name: string; code: string; message: string; file?: string } }
  | { rid: number; ok: true; gen: number; docs: number[]; channels: SegmentChannels }
  | { rid: number; ok: true; N: number; len: number; df: Float64Array }
  | { rid: number; ok: true; ids: Uint32Array; scores: Float32Array }
  | { rid: number; ok: true; scores: Float32Array; found: Uint8Array }
  | { rid: number; ok: true };
