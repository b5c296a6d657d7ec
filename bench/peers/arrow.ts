/**
 * Arrow tables for LanceDB from the shared Float32Arrays: rows hold subarray views (no copy
 * into JS number arrays) and LanceDB's own makeArrowTable builds the columns — a
 * FixedSizeList<f32> `vector` column, a List<FixedSizeList<f32>> multivector `mv` column,
 * int32 ids and utf8 text. apache-arrow is LanceDB's peer dependency.
 */
import { loadPeer } from './load.js';

/** Column specs of {@link arrowTable}. */
export interface Columns {
  n: number;
  text?: string[];
  vector?: { dim: number; data: Float32Array };
  multivector?: { dim: number; rows: Array<{ data: Float32Array; count: number }> };
}

/**
 * An Arrow table with `id` (0..n-1) and the requested columns, or a reason it cannot be built.
 *
 * @example
 * ```ts
 * const t = await arrowTable({ n: 2, vector: { dim: 2, data: new Float32Array([1, 0, 0, 1]) } });
 * ```
 */
export async function arrowTable(c: Columns): Promise<{ table: unknown } | { skipped: string }> {
  const A = await loadPeer<typeof import('apache-arrow')>('apache-arrow');
  if (!A.ok) return { skipped: A.reason };
  const L = await loadPeer<typeof import('@lancedb/lancedb')>('@lancedb/lancedb');
  if (!L.ok) return { skipped: L.reason };
  const a = A.mod;
  const item = () => new a.Field('item', new a.Float32(), true);
  const fields: import('apache-arrow').Field[] = [new a.Field('id', new a.Int32(), true)];
  if (c.text) fields.push(new a.Field('text', new a.Utf8(), true));
  if (c.vector) fields.push(new a.Field('vector', new a.FixedSizeList(c.vector.dim, item()), true));
  if (c.multivector) fields.push(new a.Field('mv', new a.List(new a.Field('item', new a.FixedSizeList(c.multivector.dim, item()), true)), true));
  const rows = Array.from({ length: c.n }, (_, i) => {
    const r: Record<string, unknown> = { id: i };
    if (c.text) r.text = c.text[i];
    if (c.vector) r.vector = c.vector.data.subarray(i * c.vector.dim, (i + 1) * c.vector.dim);
    if (c.multivector) {
      const { dim } = c.multivector;
      const m = c.multivector.rows[i]!;
      r.mv = Array.from({ length: m.count }, (_, t) => m.data.subarray(t * dim, (t + 1) * dim));
    }
    return r;
  });
  return { table: L.mod.makeArrowTable(rows, { schema: new a.Schema(fields) }) };
}
