/**
 * Exact scores for candidate ids some of which a channel may not hold (a unit the encoder gave
 * no vector for that channel, or a document added without the caller's own vector): those
 * score 0, the others as the store scores them. Owns no state.
 */
export function scoreHeld(store: { has(id: number): boolean }, ids: Uint32Array, score: (held: Uint32Array) => Float32Array): Float32Array {
  let all = true;
  for (let i = 0; i < ids.length; i++) {
    if (!store.has(ids[i]!)) {
      all = false;
      break;
    }
  }
  if (all) return score(ids);
  const held = ids.filter((id) => store.has(id));
  const part = held.length > 0 ? score(held) : new Float32Array(0);
  const out = new Float32Array(ids.length);
  for (let i = 0, j = 0; i < ids.length; i++) if (j < held.length && held[j] === ids[i]) out[i] = part[j++]!;
  return out;
}
