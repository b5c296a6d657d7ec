/**
 * Deterministic top-k selection over (id, score) pairs, shared by the dense and multi-vector stores: best score first, ties broken
 * by the lower id, so every index in trident returns the same order for the same data.
 *
 * Small k against a long list uses a bounded binary heap (O(n log k)); k close to n
 * falls back to sorting a permutation.
 */

/**
 * A ranked result list: `ids[i]` scored `scores[i]`, best first.
 *
 * @example
 * ```ts
 * const { ids, scores }: Ranked = index.search(q, 10);
 * ```
 */
export interface Ranked {
  ids: Uint32Array;
  scores: Float32Array;
}

/** True when (sa, ia) ranks strictly before (sb, ib). */
function before(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa > sb || (sa === sb && ia < ib);
}

/**
 * Picks the `k` best of the first `count` entries (entry `i` has id `ids[i]` and score
 * `scores[i]`), best first, ties by lower id. `k` larger than the list returns all.
 *
 * @example
 * ```ts
 * const r = topK(new Float32Array([0.2, 0.9, 0.9]), new Uint32Array([7, 5, 3]), 2);
 * // r.ids = [3, 5], r.scores = [0.9, 0.9]
 * ```
 */
export function topK(scores: Float32Array, ids: Uint32Array, k: number, count: number = scores.length): Ranked {
  const n = Math.min(count, scores.length, ids.length);
  const m = Math.max(0, Math.min(k, n));
  if (m === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0) };
  if (m * 8 >= n) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => scores[b]! - scores[a]! || ids[a]! - ids[b]!);
    const outIds = new Uint32Array(m);
    const outScores = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      outIds[i] = ids[order[i]!]!;
      outScores[i] = scores[order[i]!]!;
    }
    return { ids: outIds, scores: outScores };
  }
  // Min-heap (worst at the root) of positions into scores/ids.
  const heap = new Uint32Array(m);
  let size = 0;
  const worse = (a: number, b: number): boolean => before(scores[b]!, ids[b]!, scores[a]!, ids[a]!);
  const siftUp = (pos: number): void => {
    const item = heap[pos]!;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!worse(item, heap[parent]!)) break;
      heap[pos] = heap[parent]!;
      pos = parent;
    }
    heap[pos] = item;
  };
  const siftDown = (pos: number): void => {
    const item = heap[pos]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      if (child + 1 < size && worse(heap[child + 1]!, heap[child]!)) child++;
      if (!worse(heap[child]!, item)) break;
      heap[pos] = heap[child]!;
      pos = child;
    }
    heap[pos] = item;
  };
  let i = 0;
  for (; i < n && size < m; i++) {
    heap[size] = i;
    siftUp(size++);
  }
  // the worst kept entry in locals: most entries fail this one comparison
  let thS = scores[heap[0]!]!;
  let thId = ids[heap[0]!]!;
  for (; i < n; i++) {
    const s = scores[i]!;
    if (s > thS || (s === thS && ids[i]! < thId)) {
      heap[0] = i;
      siftDown(0);
      thS = scores[heap[0]!]!;
      thId = ids[heap[0]!]!;
    }
  }
  const picked = Array.from(heap.subarray(0, size));
  picked.sort((a, b) => scores[b]! - scores[a]! || ids[a]! - ids[b]!);
  const outIds = new Uint32Array(size);
  const outScores = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    outIds[i] = ids[picked[i]!]!;
    outScores[i] = scores[picked[i]!]!;
  }
  return { ids: outIds, scores: outScores };
}

/**
 * The best `k` of several ranked lists (each from a disjoint set of ids): concatenated, then
 * {@link topK} (score descending, ties by lower id). One list is returned as it is.
 *
 * @example
 * ```ts
 * mergeTopK([segmentHits, tailHits], 10);
 * ```
 */
export function mergeTopK(parts: readonly Ranked[], k: number): Ranked {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.ids.length;
  const ids = new Uint32Array(n);
  const scores = new Float32Array(n);
  let at = 0;
  for (const p of parts) {
    ids.set(p.ids, at);
    scores.set(p.scores, at);
    at += p.ids.length;
  }
  return topK(scores, ids, k);
}
