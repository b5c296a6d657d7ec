// usearch prepares per-thread contexts only when an add reaches its capacity, for that add's
// thread count; a later multi-threaded add below the capacity then ran with fewer contexts than
// threads and failed at random ("Reserve capacity ahead of insertions!"), found by the property
// test (update after single adds, with the write-ahead log). Graph.add now never asks for more
// threads than the last reservation prepared. Oracle: every added key is found by an exact-match
// search of its own vector, and no add throws, over many repetitions.
import { describe, expect, it } from 'vitest';
import { Graph, SINGLE_THREAD_NODES } from '../../../src/dense/graph.js';

const DIM = 8;
function unitRows(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * DIM);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let d = 0; d < DIM; d++) norm += out[r * DIM + d]! ** 2;
    for (let d = 0; d < DIM; d++) out[r * DIM + d]! /= Math.sqrt(norm);
  }
  return out;
}

describe('Graph.add thread counts', () => {
  it('multi-threaded adds below the capacity after single-threaded ones never fail', () => {
    for (let rep = 0; rep < 40; rep++) {
      const g = new Graph({ dim: DIM, dtype: 'f32', connectivity: 16, expansionAdd: 64, expansionSearch: 64 });
      g.add(
        Uint32Array.from({ length: 100 }, (_, i) => i),
        unitRows(100, rep),
        1,
      ); // reserves 128 slots with one context
      const more = unitRows(27, rep + 1000);
      g.add(
        Uint32Array.from({ length: 27 }, (_, i) => 100 + i),
        more,
        2,
      ); // 127 < 128: no reservation, two threads asked
      const big = unitRows(200, rep + 2000);
      g.add(
        Uint32Array.from({ length: 200 }, (_, i) => 127 + i),
        big,
        0,
      ); // reaches the capacity: reserves for every core
      g.add(
        Uint32Array.from({ length: 20 }, (_, i) => 327 + i),
        unitRows(20, rep + 3000),
        2,
      );
      expect(g.size).toBe(347);
      expect(g.search(more.subarray(0, DIM), 1)[0]).toBe(100);
    }
  });

  it('a graph that stays small is built on one thread, whatever was asked: reproducible, and every row finds itself', () => {
    const n = SINGLE_THREAD_NODES - 4;
    const rows = unitRows(n, 77);
    const ids = Uint32Array.from({ length: n }, (_, i) => i);
    const build = () => {
      const g = new Graph({ dim: DIM, dtype: 'f32', connectivity: 4, expansionAdd: 8, expansionSearch: 8 });
      g.add(ids, rows, 0);
      return Array.from({ length: n }, (_, i) => Array.from(g.search(rows.subarray(i * DIM, (i + 1) * DIM), 3)));
    };
    const first = build();
    for (let rep = 0; rep < 10; rep++) expect(build()).toEqual(first); // multi-threaded insertion order would vary
    for (let i = 0; i < n; i++) expect(first[i]![0]).toBe(i);
  });
});
