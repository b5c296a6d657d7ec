/**
 * Payload codec of write-ahead-log records: a JSON skeleton plus length-prefixed binary
 * sections for the typed arrays, so vectors are logged as raw bytes and never as JSON numbers.
 *
 * Version 2 payload (little-endian, every section padded to 8 bytes):
 * ```
 *  0  u32 section count S (≥ 1)
 *  4  u32 reserved (0)
 *  8  S × { u32 kind · u32 byte length · bytes · zero padding to a multiple of 8 }
 * ```
 * Section 0 has kind 0 and holds the UTF-8 JSON skeleton; sections 1.. hold typed arrays
 * (kinds 1–8: f32, f64, u32, i32, u16, i16, u8, i8). The skeleton refers to section i as the
 * object `{"$ta": i}`. User data can never be read as such a reference: on encoding, every
 * object key that starts with `$` gains one more `$` (`$ta` → `$$ta`), and decoding strips
 * it again, so the only single-`$` keys in a skeleton are the codec's own.
 *
 * Version 1 payloads (`u32 json bytes · JSON · blobs`, typed arrays referenced from the JSON
 * as `{"$ta": kind, off, len}`) are still decoded by {@link decodeRecordV1} so that old logs
 * replay; in such a log, user metadata that looks like a reference is read as one (the defect
 * version 2 fixes), exactly as version 1 itself read it.
 */
import { StorageError } from '../errors.js';

type Blob = Float32Array | Float64Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;
type BlobCtor = { new (b: ArrayBuffer, o: number, n: number): Blob; BYTES_PER_ELEMENT: number };
const V1_KINDS: Record<string, BlobCtor> = {
  f32: Float32Array,
  f64: Float64Array,
  u32: Uint32Array,
  i32: Int32Array,
  u16: Uint16Array,
  i16: Int16Array,
  u8: Uint8Array,
  i8: Int8Array,
};
/** Section kinds of version 2: index = kind code (0 = JSON skeleton). */
const KINDS: readonly (BlobCtor | null)[] = [null, Float32Array, Float64Array, Uint32Array, Int32Array, Uint16Array, Int16Array, Uint8Array, Int8Array];
const KIND_OF = new Map<unknown, number>(KINDS.map((c, i) => [c, i] as [unknown, number]).filter(([c]) => c !== null));

function corrupt(file: string, msg: string): never {
  throw new StorageError('CORRUPT_FILE', `${file}: ${msg}; move it away to open the index as of its last save (the changes it holds are lost)`, { file });
}

const pad8 = (n: number) => (n + 7) & ~7;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/** A copy of `o` with its own keys renamed (defineProperty: a `__proto__` key stays a plain key). */
function renamed(o: Record<string, unknown>, rename: (k: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) Object.defineProperty(out, rename(k), { value: o[k], enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * True when `v` is made only of primitives, arrays and plain objects without `$`-prefixed or
 * `toJSON` keys, each object met once: JSON.stringify then gives the text the replacer of
 * {@link encodeRecord} would (it would leave every value as it is).
 */
function isPlainJson(v: unknown): boolean {
  const stack: unknown[] = [v];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object') continue;
    if (seen.has(x)) return false;
    seen.add(x);
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) stack.push(x[i]);
      continue;
    }
    if (!isPlainObject(x)) return false;
    for (const k in x) {
      if (k.charCodeAt(0) === 36 /* $ */ || k === 'toJSON') return false;
      stack.push((x as Record<string, unknown>)[k]);
    }
  }
  return true;
}

/**
 * Serialises one record (version 2): typed arrays become binary sections; object keys
 * starting with `$` are escaped so that no user value can pose as a section reference.
 *
 * @example
 * ```ts
 * const bytes = encodeRecord({ op: 'delete', ids: ['a'] });
 * ```
 */
export function encodeRecord(record: unknown): Uint8Array {
  const e = prepareRecord(record);
  const out = new Uint8Array(e.size);
  e.writeInto(out, 0);
  return out;
}

/** A record ready to be written: its payload's size and a writer (used to frame records without copying payloads). */
export interface PreparedRecord {
  readonly size: number;
  /** Writes the payload at `out[at …]`, which must be zero-filled (padding is left as it is). */
  writeInto(out: Uint8Array, at: number): void;
}

/** {@link encodeRecord} in two steps: the JSON skeleton and sections now, the bytes where the caller wants them. */
export function prepareRecord(record: unknown): PreparedRecord {
  const blobs: Blob[] = [];
  // plain JSON data (no typed array, no `$` key, nothing with toJSON) needs no replacer: one
  // native stringify, the same text (a BM25-only add logs texts only: ~40% faster on scifact)
  const json =
    (isPlainJson(record)
      ? JSON.stringify(record)
      : JSON.stringify(record, function (this: unknown, _k: string, v: unknown) {
          const kind = ArrayBuffer.isView(v) ? KIND_OF.get(v.constructor) : undefined;
          if (kind !== undefined) {
            blobs.push(v as Blob);
            return { $ta: blobs.length };
          }
          if (isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'))) return renamed(v, (k) => (k.startsWith('$') ? `$${k}` : k));
          return v;
        })) ?? 'null';
  // UTF-8 written straight into the caller's buffer (no intermediate encoding)
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  let size = 8 + 8 + pad8(jsonBytes);
  for (const b of blobs) size += 8 + pad8(b.byteLength);
  return {
    size,
    writeInto(out: Uint8Array, at: number): void {
      const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
      dv.setUint32(at, 1 + blobs.length, true);
      let p = at + 8;
      dv.setUint32(p, 0, true);
      dv.setUint32(p + 4, jsonBytes, true);
      const written = Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(json, p + 8, jsonBytes, 'utf8');
      if (written !== jsonBytes) throw new Error(`wal record: wrote ${written} of ${jsonBytes} JSON bytes`);
      p += 8 + pad8(jsonBytes);
      for (const b of blobs) {
        dv.setUint32(p, KIND_OF.get(b.constructor)!, true);
        dv.setUint32(p + 4, b.byteLength, true);
        out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), p + 8);
        p += 8 + pad8(b.byteLength);
      }
    },
  };
}

/**
 * Parses a version-2 record written by {@link encodeRecord} (typed arrays are fresh copies).
 * Throws CORRUPT_FILE naming `file` when the sections do not add up.
 *
 * @example
 * ```ts
 * decodeRecord(encodeRecord({ v: Float32Array.of(1) })); // { v: Float32Array [1] }
 * ```
 */
export function decodeRecord(bytes: Uint8Array, file = 'wal.log'): unknown {
  if (bytes.length < 16) corrupt(file, 'a record is too short to hold its sections');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dv.getUint32(0, true);
  if (count < 1 || count > (bytes.length - 8) / 8) corrupt(file, `a record declares ${count} sections`);
  const sections: Array<{ kind: number; at: number; len: number }> = [];
  let p = 8;
  for (let i = 0; i < count; i++) {
    if (p + 8 > bytes.length) corrupt(file, 'a record is shorter than its sections');
    const kind = dv.getUint32(p, true);
    const len = dv.getUint32(p + 4, true);
    if (p + 8 + len > bytes.length) corrupt(file, 'a record section runs past the record');
    if ((i === 0) !== (kind === 0) || kind >= KINDS.length || (kind > 0 && len % KINDS[kind]!.BYTES_PER_ELEMENT !== 0)) corrupt(file, `a record section has kind ${kind} and ${len} bytes`);
    sections.push({ kind, at: p + 8, len });
    p += 8 + pad8(len);
  }
  const s0 = sections[0]!;
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(s0.at, s0.at + s0.len));
  } catch {
    corrupt(file, 'a record skeleton is not UTF-8');
  }
  try {
    return JSON.parse(json, (_k, v: unknown) => {
      if (!isPlainObject(v)) return v;
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$ta') {
        const i = v.$ta;
        if (typeof i !== 'number' || !Number.isInteger(i) || i < 1 || i >= sections.length) corrupt(file, 'a record references a section it does not hold');
        const s = sections[i]!;
        const C = KINDS[s.kind]!;
        const copy = new Uint8Array(s.len);
        copy.set(bytes.subarray(s.at, s.at + s.len));
        return new C(copy.buffer, 0, s.len / C.BYTES_PER_ELEMENT);
      }
      if (keys.some((k) => k.startsWith('$'))) {
        if (keys.some((k) => k.startsWith('$') && !k.startsWith('$$'))) corrupt(file, 'a record skeleton holds an unescaped $ key');
        return renamed(v, (k) => (k.startsWith('$') ? k.slice(1) : k));
      }
      return v;
    });
  } catch (e) {
    if (e instanceof StorageError) throw e;
    corrupt(file, `a record skeleton is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Parses a version-1 record (old logs only; see the module note on its limitation).
 *
 * @example
 * ```ts
 * const record = decodeRecordV1(payload);
 * ```
 */
export function decodeRecordV1(bytes: Uint8Array, file = 'wal.log'): unknown {
  if (bytes.length < 4) corrupt(file, 'a record is shorter than its JSON length');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jl = dv.getUint32(0, true);
  if (4 + jl > bytes.length) corrupt(file, 'a record is shorter than its JSON part');
  const start = pad8(4 + jl);
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + jl));
  } catch {
    corrupt(file, 'a record is not UTF-8');
  }
  try {
    return JSON.parse(json, (_k, v: unknown) => {
      const r = v as { $ta?: string; off?: number; len?: number } | null;
      if (r && typeof r === 'object' && typeof r.$ta === 'string') {
        const C = Object.hasOwn(V1_KINDS, r.$ta) ? V1_KINDS[r.$ta] : undefined;
        const n = r.len!;
        const at = start + r.off!;
        const size = C ? n * C.BYTES_PER_ELEMENT : 0;
        if (!C || !Number.isInteger(n) || n < 0 || !Number.isInteger(r.off) || r.off! < 0 || at + size > bytes.length) corrupt(file, 'a record references bytes it does not hold');
        const copy = new Uint8Array(size);
        copy.set(bytes.subarray(at, at + size));
        return new C(copy.buffer, 0, n);
      }
      return v;
    });
  } catch (e) {
    if (e instanceof StorageError) throw e;
    corrupt(file, `a record is not valid JSON (${(e as Error).message})`);
  }
}
