/**
 * Payload codec of write-ahead-log records: a JSON skeleton plus length-prefixed binary
 * sections for the typed arrays, so vectors are logged as raw bytes and never as JSON numbers.
 *
 * Version 2 / 3 payload (little-endian, every section padded to 8 bytes):
 * ```
 *  0  u32 section count S (≥ 1)
 *  4  u32 reserved (0)
 *  8  S × { u32 kind · u32 byte length · bytes · zero padding to a multiple of 8 }
 * ```
 * Section 0 has kind 0 and holds the UTF-8 JSON skeleton; sections 1.. hold typed arrays
 * (kinds 1–8: f32, f64, u32, i32, u16, i16, u8, i8). The skeleton refers to section i as the
 * object `{"$ta": i}`. Version 3 (WAL format 3) adds at most one string table, kind 9:
 * `u32 count · u32 end[count] · UTF-8 bytes`, string j being bytes [end[j-1], end[j]); the
 * skeleton refers to string j as `{"$str": j}`. Long well-formed strings (document texts) go
 * there, so they are written as UTF-8 once instead of escaped into JSON; strings holding a lone
 * surrogate stay in the JSON (its escapes keep them exact). User data can never be read as such a reference: on encoding, every
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
  const strings: string[] = [];
  // plain data (primitives, arrays, plain objects, known typed arrays; nothing with toJSON, no
  // object met twice) is copied into a skeleton in one walk — typed arrays and long texts taken
  // out, `$` keys escaped — and stringified without a replacer; anything else takes the replacer
  const skeleton = hoist(record, blobs, strings, new Set());
  let json: string;
  if (skeleton !== NOT_PLAIN) json = JSON.stringify(skeleton) ?? 'null';
  else {
    blobs.length = 0;
    strings.length = 0;
    json =
      JSON.stringify(record, function (this: unknown, _k: string, v: unknown) {
        const kind = ArrayBuffer.isView(v) ? KIND_OF.get(v.constructor) : undefined;
        if (kind !== undefined) {
          blobs.push(v as Blob);
          return { $ta: blobs.length };
        }
        if (isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'))) return renamed(v, (k) => (k.startsWith('$') ? `$${k}` : k));
        return v;
      }) ?? 'null';
  }
  // UTF-8 written straight into the caller's buffer (no intermediate encoding)
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  const table = strings.length > 0 ? stringTable(strings) : null;
  let size = 8 + 8 + pad8(jsonBytes);
  for (const b of blobs) size += 8 + pad8(b.byteLength);
  if (table) size += 8 + pad8(table.length);
  return {
    size,
    writeInto(out: Uint8Array, at: number): void {
      const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
      dv.setUint32(at, 1 + blobs.length + (table ? 1 : 0), true);
      let p = at + 8;
      dv.setUint32(p, 0, true);
      dv.setUint32(p + 4, jsonBytes, true);
      const written = Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(json, p + 8, jsonBytes, 'utf8');
      if (written !== jsonBytes) throw new Error(`wal record: wrote ${written} of ${jsonBytes} JSON bytes`);
      p += 8 + pad8(jsonBytes);
      const put = (kind: number, bytes: Uint8Array) => {
        dv.setUint32(p, kind, true);
        dv.setUint32(p + 4, bytes.byteLength, true);
        out.set(bytes, p + 8);
        p += 8 + pad8(bytes.byteLength);
      };
      for (const b of blobs) put(KIND_OF.get(b.constructor)!, new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      if (table) put(STRINGS, table);
    },
  };
}

/** Strings at least this long go to the record's string table (UTF-8, no JSON escaping). */
const HOIST_MIN = 64;
/** Section kind of the string table (format version 3). */
const STRINGS = 9;
const NOT_PLAIN = Symbol('not plain');

/**
 * The skeleton of plain data `v`: typed arrays replaced by `{"$ta": section}` (pushed to
 * `blobs`), well-formed strings of HOIST_MIN+ code units by `{"$str": index}` (pushed to
 * `strings`), object keys starting with `$` given one more `$`. NOT_PLAIN when `v` holds
 * anything JSON.stringify would treat specially (toJSON, other prototypes, other views) or an
 * object twice (so cycles take the replacer path, which reports them as before).
 */
function hoist(v: unknown, blobs: Blob[], strings: string[], seen: Set<object>): unknown {
  if (typeof v === 'string') {
    if (v.length < HOIST_MIN || !(v as string & { isWellFormed(): boolean }).isWellFormed()) return v;
    strings.push(v);
    return { $str: strings.length - 1 };
  }
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) return NOT_PLAIN;
  seen.add(v);
  if (ArrayBuffer.isView(v)) {
    if (KIND_OF.get(v.constructor) === undefined) return NOT_PLAIN;
    blobs.push(v as Blob);
    return { $ta: blobs.length };
  }
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) continue;
      const x = hoist(v[i], blobs, strings, seen);
      if (x === NOT_PLAIN) return NOT_PLAIN;
      out[i] = x;
    }
    return out;
  }
  if (!isPlainObject(v)) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (k === 'toJSON') return NOT_PLAIN;
    const x = hoist((v as Record<string, unknown>)[k], blobs, strings, seen);
    if (x === NOT_PLAIN) return NOT_PLAIN;
    const key = k.charCodeAt(0) === 36 /* $ */ ? `$${k}` : k;
    // defineProperty only where assignment would not make an own key (`__proto__`): it is slow
    if (key === '__proto__') Object.defineProperty(out, key, { value: x, enumerable: true, writable: true, configurable: true });
    else out[key] = x;
  }
  return out;
}

/**
 * The string table section: `u32 count · u32 end[count] · UTF-8 bytes` (string i is
 * bytes[end[i-1], end[i]), end[-1] = 0).
 */
function stringTable(strings: readonly string[]): Uint8Array {
  let chars = 0;
  for (const s of strings) chars += s.length;
  const head = 4 + 4 * strings.length;
  const buf = Buffer.allocUnsafe(head + 3 * chars);
  buf.writeUInt32LE(strings.length, 0);
  let at = head;
  for (let i = 0; i < strings.length; i++) {
    at += buf.write(strings[i]!, at, 'utf8');
    buf.writeUInt32LE(at - head, 4 + 4 * i);
  }
  return buf.subarray(0, at);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The string table at `bytes[at, at + len)`: where its UTF-8 bytes start and each string's end (checked). */
function readStringTable(bytes: Uint8Array, at: number, len: number, file: string): { at: number; ends: Uint32Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (len < 4) corrupt(file, 'a record string table is too short');
  const n = dv.getUint32(at, true);
  if (n > (len - 4) / 4) corrupt(file, `a record string table declares ${n} strings in ${len} bytes`);
  const head = 4 + 4 * n;
  const ends = new Uint32Array(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const e = dv.getUint32(at + 4 + 4 * i, true);
    if (e < prev || head + e > len) corrupt(file, 'a record string table has an end out of order or past its bytes');
    ends[i] = prev = e;
  }
  return { at: at + head, ends };
}

/**
 * Parses a version-2 or version-3 record written by {@link encodeRecord} (typed arrays are fresh copies).
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
  let strings: { at: number; ends: Uint32Array } | null = null;
  let p = 8;
  for (let i = 0; i < count; i++) {
    if (p + 8 > bytes.length) corrupt(file, 'a record is shorter than its sections');
    const kind = dv.getUint32(p, true);
    const len = dv.getUint32(p + 4, true);
    if (p + 8 + len > bytes.length) corrupt(file, 'a record section runs past the record');
    if (kind === STRINGS) {
      if (i === 0 || strings !== null) corrupt(file, 'a record holds a misplaced string table');
      strings = readStringTable(bytes, p + 8, len, file);
    } else if ((i === 0) !== (kind === 0) || kind >= KINDS.length || (kind > 0 && len % KINDS[kind]!.BYTES_PER_ELEMENT !== 0)) corrupt(file, `a record section has kind ${kind} and ${len} bytes`);
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
      if (keys.length === 1 && keys[0] === '$str') {
        const j = v.$str;
        if (strings === null || typeof j !== 'number' || !Number.isInteger(j) || j < 0 || j >= strings.ends.length) corrupt(file, 'a record references a string it does not hold');
        const from = strings.at + (j === 0 ? 0 : strings.ends[j - 1]!);
        try {
          return UTF8.decode(bytes.subarray(from, strings.at + strings.ends[j]!));
        } catch {
          corrupt(file, 'a record string is not UTF-8');
        }
      }
      if (keys.length === 1 && keys[0] === '$ta') {
        const i = v.$ta;
        if (typeof i !== 'number' || !Number.isInteger(i) || i < 1 || i >= sections.length || sections[i]!.kind === STRINGS) corrupt(file, 'a record references a section it does not hold');
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
