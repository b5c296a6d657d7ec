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

/**
 * Messages between a StorePool (store-pool.ts) and its workers (store-worker.ts). `key` names
 * one open store (a directory and its segment list); `open` rides along when the worker has
 * not opened that key yet, `dels` carries the owner's deletions since that list was committed
 * that this worker has not applied yet (in order), so a worker's store is the owner's replica.
 * `segs` (segment indexes of the list) restricts a search to some segments, statistics staying
 * global: the pool splits one search over idle workers and merges.
 */
export interface StoreTarget {
  key: string;
  open?: { dir: string; manifest: string };
  dels?: Uint32Array;
}

/** An owner's in-memory documents counted in BM25's statistics: df aligned with the query's ids. */
export interface WireExtra {
  docs: number;
  len: number;
  df: Float64Array;
}

export type StoreRequest =
  | ({ op: 'open'; rid: number } & StoreTarget)
  | { op: 'drop'; rid: number; key: string }
  | { op: 'crash'; rid: number }
  | ({ op: 'sparseTop'; rid: number; qids: Uint32Array; qw: Float32Array; k: number; extra: WireExtra | null; allow?: Uint8Array; segs?: number[] } & StoreTarget)
  | ({ op: 'sparseScore'; rid: number; qids: Uint32Array; qw: Float32Array; ids: Uint32Array; extra: WireExtra | null } & StoreTarget)
  | ({ op: 'mvTop'; rid: number; data: Float32Array; dim: number; count: number; k: number; allow?: Uint8Array; segs?: number[] } & StoreTarget)
  | ({ op: 'mvScore'; rid: number; data: Float32Array; dim: number; count: number; ids: Uint32Array; segs?: number[] } & StoreTarget)
  | ({ op: 'denseTop'; rid: number; q: Float32Array; k: number; exact: boolean | undefined; allow?: Uint8Array } & StoreTarget)
  | ({ op: 'denseScore'; rid: number; q: Float32Array; ids: Uint32Array } & StoreTarget)
  | ({ op: 'densePart'; rid: number; q: Float32Array; k: number; scans: number[]; graphs: number[]; breadth: number[] } & StoreTarget);

export type StoreReply =
  | { rid: number; ok: false; error: { name: string; code: string; message: string; file?: string } }
  | { rid: number; ok: true; ids: Uint32Array; scores: Float32Array; scanIds?: Uint32Array; scanScores?: Float32Array }
  | { rid: number; ok: true; scores: Float32Array; found?: Uint8Array }
  | { rid: number; ok: true };

/** A failed request's reply (the error's name, code, message and file; code IO_ERROR when it has none). */
export type ErrorReply = { rid: number; ok: false; error: { name: string; code: string; message: string; file?: string } };

/**
 * A worker's message loop: requests are handled one after another (in arrival order) and
 * each gets its reply, or an {@link ErrorReply} when `handle` throws. Shared by the search
 * pool's and the store pool's workers.
 */
export function serveRequests<Q extends { rid: number }, R>(port: import('node:worker_threads').MessagePort, handle: (m: Q) => Promise<{ reply: R; transfer: ArrayBuffer[] }>): void {
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (m: Q) => {
    chain = chain.then(async () => {
      try {
        const { reply, transfer } = await handle(m);
        port.postMessage(reply, transfer);
      } catch (e) {
        const err = e as { name?: string; code?: string; message?: string; file?: string };
        port.postMessage({ rid: m.rid, ok: false, error: { name: err.name ?? 'Error', code: err.code ?? 'IO_ERROR', message: err.message ?? String(e), file: err.file } } satisfies ErrorReply);
      }
    });
  });
}
