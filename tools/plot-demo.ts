/**
 * Renders the three sample charts from SYNTHETIC demo data (not measurements)
 * into bench/results/plot-demo-*.svg, for eyeballing the chart code:
 *   npx tsx tools/plot-demo.ts && rsvg-convert -o x.png bench/results/plot-demo-latency-quality.svg
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { seededRandom } from '../src/eval/index.js';
import { plotLatencyQuality, plotPerQueryDelta, plotScaling } from '../src/plot/index.js';

const out = new URL('../bench/results/', import.meta.url).pathname;
const note = 'SYNTHETIC DEMO DATA — not a measurement';
await mkdir(out, { recursive: true });

const lq = await plotLatencyQuality(
  [
    { name: 'bm25', latencyMs: 0.35, quality: 0.665, group: 'sparse' },
    { name: 'm3-sparse', latencyMs: 0.8, quality: 0.64, group: 'sparse' },
    { name: 'dense (hnsw)', latencyMs: 1.6, quality: 0.7, group: 'dense' },
    { name: 'dense (exact)', latencyMs: 6.5, quality: 0.705, group: 'dense' },
    { name: 'colbert rerank', latencyMs: 14, quality: 0.73, group: 'multivector' },
    { name: 'hybrid rrf', latencyMs: 3.1, quality: 0.72, group: 'hybrid' },
    { name: 'hybrid weighted', latencyMs: 15.5, quality: 0.745, group: 'hybrid' },
  ],
  { title: 'Latency vs quality', subtitle: note },
);
await writeFile(`${out}plot-demo-latency-quality.svg`, lq);

const sizes = [1_000, 10_000, 100_000, 1_000_000];
const scaling = await plotScaling(
  [
    ...sizes.map((s) => ({ mode: 'sparse', size: s, latencyMs: 0.05 * (s / 1000) ** 0.55 })),
    ...sizes.map((s) => ({ mode: 'dense (hnsw)', size: s, latencyMs: 0.2 + 0.15 * Math.log10(s / 1000) })),
    ...sizes.map((s) => ({ mode: 'dense (exact)', size: s, latencyMs: (0.004 * s) / 100 })),
    ...sizes.map((s) => ({ mode: 'hybrid', size: s, latencyMs: 0.6 + 0.05 * (s / 1000) ** 0.55 + 0.15 * Math.log10(s / 1000) })),
  ],
  { title: 'Latency vs collection size', subtitle: note, logLatency: true },
);
await writeFile(`${out}plot-demo-scaling.svg`, scaling);

const rnd = seededRandom(5);
const u = () => rnd() / 2 ** 32;
const a: Record<string, Record<string, number>> = {};
const b: Record<string, Record<string, number>> = {};
for (let i = 0; i < 120; i++) {
  const base = u();
  b[`q${i}`] = { 'ndcg@10': base };
  a[`q${i}`] = { 'ndcg@10': u() < 0.35 ? base : Math.min(1, Math.max(0, base + (u() - 0.4) * 0.6)) };
}
const delta = await plotPerQueryDelta(a, b, { title: `Per-query nDCG@10 difference (${note})`, labelA: 'hybrid', labelB: 'bm25' });
await writeFile(`${out}plot-demo-per-query-delta.svg`, delta);
console.log(`wrote ${out}plot-demo-{latency-quality,scaling,per-query-delta}.svg`);
