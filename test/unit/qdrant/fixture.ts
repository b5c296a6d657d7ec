/** The fixture collection behind the Qdrant goldens: three tiny documents, every channel. */
import type { QdrantLayout } from '../../../src/qdrant/collection.js';

export const LAYOUT: QdrantLayout = {
  encoder: { id: 'fixture-m3', dim: 4 },
  dense: { size: 4, onDisk: true, quantization: 'scalar' },
  sparse: { modifier: 'none' },
  multivector: { size: 3 },
  bm25: { analyzer: 'plain', analyzerVersion: 3, k1: 0.9, b: 0.4, avgdl: 4 },
};

export const DOCS = [
  {
    id: 'a',
    text: 'cats sit on mats',
    metadata: { year: 2020, lang: 'en', tags: ['pets'] },
    dense: new Float32Array([0.5, 0.5, 0.5, 0.5]),
    sparse: { ids: Uint32Array.from([5, 9]), weights: Float32Array.from([0.25, 0.125]) },
    multivector: { data: Float32Array.from([1, 0, 0, 0, 1, 0]), dim: 3, count: 2 },
    terms: ['cats', 'sit', 'on', 'mats'],
  },
  {
    id: 7,
    text: 'dogs chase cats',
    metadata: { year: 2023.5, draft: true },
    dense: new Float32Array([1, 0, 0, 0]),
    sparse: { ids: Uint32Array.from([5]), weights: Float32Array.from([0.5]) },
    multivector: { data: Float32Array.from([0, 0, 1]), dim: 3, count: 1 },
    terms: ['dogs', 'chase', 'cats'],
  },
];

export const QUERY = {
  dense: [0, 1, 0, 0],
  sparse: { indices: [5], values: [0.75] },
  multivector: [
    [1, 0, 0],
    [0, 0, 1],
  ],
};
