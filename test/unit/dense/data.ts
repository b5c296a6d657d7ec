/** Seeded synthetic data for the dense and multi-vector tests. */

/** mulberry32: a small, seeded, well-mixed PRNG returning [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box–Muller). */
export function gauss(r: () => number): number {
  const u = r() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** n × dim vectors around `clusters` random centres (not normalised), row-major. */
export function clustered(seed: number, n: number, dim: number, clusters = 20, spread = 0.8): Float32Array {
  const r = rng(seed);
  const centres = new Float64Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gauss(r);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * clusters);
    for (let k = 0; k < dim; k++) out[i * dim + k] = centres[c * dim + k]! + spread * gauss(r);
  }
  return out;
}

/** Float64 dot product of two rows. */
export function dot64(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
}

/** Float64 brute-force top-k over (id, row) pairs: best first, ties by lower id. */
export function bruteForce(query: ArrayLike<number>, rows: Map<number, Float32Array>, k: number): { ids: number[]; scores: number[] } {
  const all = [...rows].map(([id, v]) => ({ id, s: dot64(query, 0, v, 0, v.length) }));
  all.sort((a, b) => b.s - a.s || a.id - b.id);
  const top = all.slice(0, k);
  return { ids: top.map((x) => x.id), scores: top.map((x) => x.s) };
}

/** Fraction of `truth` found in `got`. */
export function recall(got: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (truth.length === 0) return 1;
  const g = new Set(Array.from(got));
  let hit = 0;
  for (let i = 0; i < truth.length; i++) if (g.has(truth[i]!)) hit++;
  return hit / truth.length;
}
