// dense.usearch from an untrusted source (issue 13 item 6): usearch trusts its input, so a
// crafted graph with recomputed checksums used to crash the process (SIGSEGV / SIGABRT in 51 of
// 190 fuzz cases). The graph's structure is now validated before usearch sees it; a graph that
// fails is rebuilt from the stored rows (with a warning). Oracles: every graph usearch itself
// writes validates; each crafted field is refused; the rebuilt index answers graph searches
// like the exact brute-force search.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenseIndex, DENSE_GRAPH_FILE, DENSE_ROWS_FILE } from '../../../src/dense/index.js';
import { validateGraphBytes } from '../../../src/dense/graph-validate.js';
import { crc32 } from '../../../src/store/index.js';
import { clustered } from './data.js';

const DIM = 8;
const root = mkdtempSync(join(tmpdir(), 'trident-graph-validate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

async function saved(dtype: 'f32' | 'f16' | 'i8', n: number, connectivity: number): Promise<{ dir: string; ids: Uint32Array; graph: Buffer }> {
  const index = DenseIndex.create({ dimensions: DIM, dtype, connectivity, expansionAdd: 32, threads: 1 });
  const ids = Uint32Array.from({ length: n }, (_, i) => i * 5 + 2);
  if (n) index.addBatch(ids, clustered(n + connectivity, n, DIM));
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir, { recursive: true });
  await index.saveFiles(dir);
  index.close();
  return { dir, ids, graph: readFileSync(join(dir, DENSE_GRAPH_FILE)) };
}

/** Where usearch's fields are in a graph file (the layout graph-validate.ts documents). */
function layout(b: Buffer, rows: number, cols: number, conn: number) {
  const head = 8 + rows * cols;
  const g = head + 64;
  const levelsAt = g + 40;
  const levels = Array.from({ length: rows }, (_, i) => b.readInt16LE(levelsAt + 2 * i));
  const nodes: number[] = [];
  let off = levelsAt + 2 * rows;
  for (const l of levels) {
    nodes.push(off);
    off += 10 + (4 + 8 * conn) + (4 + 4 * conn) * l;
  }
  return { head, g, levelsAt, levels, nodes, end: off };
}

/** Writes `graph` into `dir` and re-records its length and CRC in dense.rows (a forger's job). */
function forge(dir: string, graph: Buffer): void {
  writeFileSync(join(dir, DENSE_GRAPH_FILE), graph);
  const rows = readFileSync(join(dir, DENSE_ROWS_FILE));
  rows.writeUInt32LE(crc32(graph), 52);
  rows.writeDoubleLE(graph.length, 56);
  writeFileSync(join(dir, DENSE_ROWS_FILE), rows);
}

describe('validateGraphBytes accepts every graph usearch writes', () => {
  for (const dtype of ['f32', 'f16', 'i8'] as const) {
    it(`${dtype}: sizes 0, 1, 2, 40, 1500 × connectivity 2, 3, 16`, async () => {
      for (const conn of [2, 3, 16]) {
        for (const n of [0, 1, 2, 40, 1500]) {
          const { ids, graph } = await saved(dtype, n, conn);
          expect(validateGraphBytes(graph, { dimensions: DIM, dtype, connectivity: conn, ids }), `${dtype} n=${n} conn=${conn}`).toBeNull();
          if (n === 1500) expect(Math.max(...layout(graph, n, DIM * { f32: 4, f16: 2, i8: 1 }[dtype], conn).levels)).toBeGreaterThan(0);
        }
      }
    });
  }
});

describe('a crafted dense.usearch is refused and rebuilt from the rows', () => {
  const N = 400;
  const CONN = 3;
  const cols = DIM * 4;
  type Craft = [string, (b: Buffer, L: ReturnType<typeof layout>) => Buffer, RegExp];
  const crafts: Craft[] = [
    [
      'neighbour slot out of range',
      (b, L) => {
        b.writeUInt32LE(1, L.nodes[5]! + 10);
        b.writeUInt32LE(0xfffffff0, L.nodes[5]! + 14);
        return b;
      },
      /links to slot/,
    ],
    [
      'neighbour count above the capacity',
      (b, L) => {
        b.writeUInt32LE(2 * CONN + 1, L.nodes[7]! + 10);
        return b;
      },
      /neighbours at level 0/,
    ],
    [
      'level table raised for a level-0 node',
      (b, L) => {
        b.writeInt16LE(9, L.levelsAt + 2 * L.levels.indexOf(0));
        return b;
      },
      /level|max level|truncated/,
    ],
    [
      'link at level 1 to a node that stops at level 0',
      (b, L) => {
        const i = L.levels.findIndex((l) => l >= 1);
        const low = L.levels.indexOf(0);
        const up = L.nodes[i]! + 10 + 4 + 8 * CONN;
        b.writeUInt32LE(1, up);
        b.writeUInt32LE(low, up + 4);
        return b;
      },
      /stops at level 0/,
    ],
    [
      'entry slot past the nodes',
      (b, L) => {
        b.writeUInt32LE(N + 3, L.g + 32);
        return b;
      },
      /entry slot/,
    ],
    [
      'max level far above the nodes',
      (b, L) => {
        b.writeUInt32LE(4000, L.g + 24);
        return b;
      },
      /max level/,
    ],
    [
      'vector width halved',
      (b) => {
        b.writeUInt32LE(cols / 2, 4);
        return b;
      },
      /vectors are/,
    ],
    [
      'head dimensions changed',
      (b, L) => {
        b.writeUInt32LE(DIM * 4, L.head + 33);
        return b;
      },
      /dimensions/,
    ],
    [
      'scalar kind changed to f16',
      (b, L) => {
        b[L.head + 14] = 12;
        return b;
      },
      /scalar kind/,
    ],
    [
      'connectivity changed',
      (b, L) => {
        b.writeUInt32LE(64, L.g + 8);
        return b;
      },
      /connectivity/,
    ],
    [
      'deleted count set',
      (b, L) => {
        b.writeUInt32LE(1, L.head + 25);
        return b;
      },
      /deleted/,
    ],
    [
      'a key not in dense.rows',
      (b, L) => {
        b.writeUInt32LE(999_999, L.nodes[3]!);
        return b;
      },
      /key 999999/,
    ],
    [
      'a key duplicated',
      (b, L) => {
        b.writeUInt32LE(b.readUInt32LE(L.nodes[4]!), L.nodes[9]!);
        return b;
      },
      /twice/,
    ],
    [
      'NaN in a vector',
      (b) => {
        b.writeUInt32LE(0x7fc00000, 8 + 4 * 17);
        return b;
      },
      /not finite/,
    ],
    ['truncated in the last node', (b, L) => b.subarray(0, L.end - 3), /truncated/],
    ['extra bytes after the last node', (b) => Buffer.concat([b, Buffer.alloc(16)]), /after the last node/],
  ];
  for (const [name, craft, why] of crafts) {
    it(name, async () => {
      const { dir, ids, graph } = await saved('f32', N, CONN);
      const bad = craft(Buffer.from(graph), layout(graph, N, cols, CONN));
      expect(validateGraphBytes(bad, { dimensions: DIM, dtype: 'f32', connectivity: CONN, ids })).toMatch(why);
      // the same verdict when the expected ids are not in ascending order (sets instead of a binary search)
      const shuffled = Uint32Array.from(ids).reverse();
      expect(validateGraphBytes(bad, { dimensions: DIM, dtype: 'f32', connectivity: CONN, ids: shuffled })).toMatch(why);
      expect(validateGraphBytes(graph, { dimensions: DIM, dtype: 'f32', connectivity: CONN, ids: shuffled })).toBeNull();
      forge(dir, bad);
      const warnings: string[] = [];
      const index = await DenseIndex.openFiles(dir, { onWarning: (m) => warnings.push(m) });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(DENSE_GRAPH_FILE);
      expect(warnings[0]).toContain('rebuilt');
      expect(index.size).toBe(N);
      // the rebuilt graph serves graph searches that agree with the exact oracle
      const qs = clustered(99, 20, DIM);
      let hits = 0;
      for (let q = 0; q < 20; q++) {
        const query = qs.subarray(q * DIM, q * DIM + DIM);
        const approx = index.search(query, 10, { exact: false, ef: 64 });
        const exact = index.searchExact(query, 10);
        hits += [...approx.ids].filter((id) => exact.ids.includes(id)).length;
      }
      expect(hits / 200).toBeGreaterThan(0.9);
      index.add(1, clustered(5, 1, DIM));
      index.remove(ids[0]!);
      // saving writes a graph that validates again and opens without a warning
      const again = join(root, `d${dirs++}`);
      mkdirSync(again, { recursive: true });
      await index.saveFiles(again);
      index.close();
      const w2: string[] = [];
      (await DenseIndex.openFiles(again, { onWarning: (m) => w2.push(m) })).close();
      expect(w2).toEqual([]);
    });
  }

  it('an intact graph opens without a warning and is not rebuilt', async () => {
    const { dir } = await saved('f16', N, CONN);
    const warnings: string[] = [];
    const index = await DenseIndex.openFiles(dir, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    index.close();
  });
});

describe('committed format-1 indexes', () => {
  it('their graphs validate: they are loaded, not rebuilt', async () => {
    const base = new URL('../../compat/fixtures/v1/', import.meta.url).pathname;
    for (const name of ['i8-f16', 'f32-bm25']) {
      const warnings: string[] = [];
      const index = await DenseIndex.openFiles(join(base, name, 'index', 'gen-000001', 'dense'), { onWarning: (m) => warnings.push(m) });
      expect(warnings, name).toEqual([]);
      expect(index.size).toBe(21);
      index.close();
    }
  });
});

describe('dense.rows settings bound what a rebuild may allocate', () => {
  it('a crafted connectivity or expansion beyond what create() accepts is CORRUPT_FILE, not a huge graph', async () => {
    for (const [offset, value] of [
      [28, 2 ** 24 + 16],
      [28, 1025],
      [32, 2 ** 20 + 1],
      [36, 2 ** 30],
    ] as const) {
      const { dir } = await saved('f32', 50, 3);
      const rows = readFileSync(join(dir, DENSE_ROWS_FILE));
      rows.writeUInt32LE(value, offset); // header bytes are outside the payload CRC
      writeFileSync(join(dir, DENSE_ROWS_FILE), rows);
      // and a graph that fails validation, so the old path would rebuild with these settings
      const graph = readFileSync(join(dir, DENSE_GRAPH_FILE));
      graph.writeUInt32LE(0xffffff, graph.length - 4);
      forge(dir, graph);
      await expect(DenseIndex.openFiles(dir)).rejects.toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringContaining('settings out of range') });
    }
  });
});
