/**
 * Bounded top-k selection with a binary min-heap over (score, id). Order: higher score first,
 * equal scores by lower id first. The root is the current worst kept entry, so `threshold()` is
 * the score a newcomer must beat (or tie with a lower id).
 */
export class TopK {
  readonly scores: Float64Array;
  readonly ids: Uint32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.ids = new Uint32Array(capacity);
  }

  get full(): boolean {
    return this.size === this.capacity;
  }

  /** Score of the worst kept entry; -Infinity until the heap is full. */
  threshold(): number {
    return this.size === this.capacity && this.capacity > 0 ? this.scores[0]! : -Infinity;
  }

  /** Offers (score, id); returns true when it was kept. */
  offer(score: number, id: number): boolean {
    const s = this.scores;
    const d = this.ids;
    if (this.size < this.capacity) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(score, id, s[p]!, d[p]!)) break;
        s[i] = s[p]!;
        d[i] = d[p]!;
        i = p;
      }
      s[i] = score;
      d[i] = id;
      return true;
    }
    if (this.capacity === 0 || !worse(s[0]!, d[0]!, score, id)) return false;
    // replace root, sift down
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && worse(s[r]!, d[r]!, s[l]!, d[l]!)) c = r;
      if (!worse(s[c]!, d[c]!, score, id)) break;
      s[i] = s[c]!;
      d[i] = d[c]!;
      i = c;
    }
    s[i] = score;
    d[i] = id;
    return true;
  }

  /** Entries best first, scores as f32. */
  drain(): { ids: Uint32Array; scores: Float32Array } {
    const n = this.size;
    const order = Array.from({ length: n }, (_, i) => i);
    const s = this.scores;
    const d = this.ids;
    order.sort((a, b) => s[b]! - s[a]! || d[a]! - d[b]!);
    const ids = new Uint32Array(n);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = d[order[i]!]!;
      scores[i] = s[order[i]!]!;
    }
    return { ids, scores };
  }
}

/** True when (sa, ia) ranks below (sb, ib). */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}
