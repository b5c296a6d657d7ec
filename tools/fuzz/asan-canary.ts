/**
 * Canary for tools/asan-usearch.sh: hands usearch a graph with one neighbour slot out of range
 * WITHOUT trident's validation. Under the instrumented usearch this must abort with an
 * AddressSanitizer report (proving the sanitizer sees the graph code); with the prebuilt addon
 * it may crash or silently read garbage. Exits 0 only if usearch survived, which under ASan
 * means the instrumentation is not working.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import usearch from 'usearch';

const { Index, MetricKind } = usearch;
const make = () => new Index({ dimensions: 8, metric: MetricKind.IP, quantization: 'f32' as never, connectivity: 3, expansion_add: 16, expansion_search: 16, multi: false });
const a = make();
const n = 400;
const v = Float32Array.from({ length: n * 8 }, (_, i) => Math.sin(i * 0.7));
a.add(
  BigUint64Array.from({ length: n }, (_, i) => BigInt(i)),
  v,
  1,
);
const file = join(mkdtempSync(join(tmpdir(), 'asan-canary-')), 'g.usearch');
a.save(file);
const b = readFileSync(file);
const g = 8 + n * 32 + 64;
const levels = Array.from({ length: n }, (_, i) => b.readInt16LE(g + 40 + 2 * i));
let off = g + 40 + 2 * n;
for (let i = 0; i < n; i++) {
  // every node's level-0 list: full, pointing just past the node table (a heap overflow ASan reports)
  b.writeUInt32LE(6, off + 10);
  for (let k = 0; k < 6; k++) b.writeUInt32LE(n + k, off + 14 + 4 * k);
  off += 10 + (4 + 4 * 6) + (4 + 4 * 3) * levels[i]!;
}
writeFileSync(file, b);
const c = make();
c.load(file);
for (let q = 0; q < 20; q++) c.search(v.subarray(q * 8, q * 8 + 8), 10, 1);
console.log('usearch survived the crafted graph');
