/**
 * The word scanner of the english analyser (version 3 on), a hand-written equivalent of the
 * regex `TOKEN` of src/analyze/english-v3.ts (its definition) run with the `gu` flags over
 * lower-cased text (tests check the two agree on the dev corpora and on random Unicode text), plus a word → term memo looked up
 * by the word's character range, so a word seen before costs no string allocation.
 *
 * Matching rules (the regex's, leftmost alternative first, greedy):
 * - a token starts at any letter, digit or combining mark; other code points are skipped;
 * - at a digit (\p{N}), a number with inner separators is tried first: digits, then one or more
 *   groups of `.` or `,` followed by digits; it ends after its last complete group;
 * - otherwise the token is a run of letters, digits and marks, extended across `'` or `’` when a
 *   letter, digit or mark follows.
 * Code points are classified once (BMP: a 64 KB table filled lazily; astral code points: each
 * time, they are rare); surrogate pairs are one code point, a lone surrogate is "other".
 */

const OTHER = 0;
const NUM = 1;
const WORD = 2; // letter or mark

const IS_N = /^\p{N}$/u;
const IS_LM = /^[\p{L}\p{M}]$/u;
/** BMP code point → class + 1 (0 = not classified yet). */
const bmp = new Uint8Array(0x10000);

function classify(cp: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) return OTHER; // lone surrogate
  const ch = String.fromCodePoint(cp);
  return IS_N.test(ch) ? NUM : IS_LM.test(ch) ? WORD : OTHER;
}

for (let c = 0; c < 0x80; c++) bmp[c] = classify(c) + 1;

let classes: Uint8Array | null = null;

/**
 * The class (0 other, 1 number, 2 letter or mark) of every BMP code unit, as the scanner sees it
 * (surrogates: other), for the addon's scanner (native/analyze.cc). Computed once; read-only.
 */
export function bmpClasses(): Uint8Array {
  if (!classes) {
    // the BMP as one string (surrogates as spaces: "other"), classified run by run by the two
    // regexes classify() tests one code point with (\p{N} and \p{L}\p{M} are disjoint
    // categories): a few hundred matches instead of 65,536 regex calls
    const units = new Uint16Array(0x10000);
    for (let c = 0; c < 0x10000; c++) units[c] = c >= 0xd800 && c <= 0xdfff ? 0x20 : c;
    const all = Buffer.from(units.buffer).toString('utf16le');
    const table = new Uint8Array(0x10000);
    for (const [re, k] of [
      [/\p{N}+/gu, NUM],
      [/[\p{L}\p{M}]+/gu, WORD],
    ] as const) {
      for (let m = re.exec(all); m !== null; m = re.exec(all)) table.fill(k, m.index, m.index + m[0].length);
    }
    for (let c = 0; c < 0x10000; c++) bmp[c] = table[c]! + 1;
    classes = table;
  }
  return classes;
}

/** Class of the code point starting at `i` (OTHER past the end). */
function classAt(s: string, i: number): number {
  if (i >= s.length) return OTHER;
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) {
    let k = bmp[c]!;
    if (k === 0) bmp[c] = k = classify(c) + 1;
    return k - 1;
  }
  const cp = s.codePointAt(i)!;
  return cp > 0xffff ? classify(cp) : OTHER;
}

/** UTF-16 width of the code point starting at `i`. */
function widthAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return 1;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
}

/** End of the run from `i` of digits (numOnly) or of letters, digits and marks. */
function runEnd(s: string, i: number, numOnly: boolean): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      const k = bmp[c]! - 1;
      if (k === OTHER || (numOnly && k !== NUM)) return i;
      i++;
      continue;
    }
    const k = classAt(s, i);
    if (k === OTHER || (numOnly && k !== NUM)) return i;
    i += widthAt(s, i);
  }
  return i;
}

/**
 * Calls `emit(start, end)` for every token of `s` (already lower-cased), in order.
 *
 * @example
 * ```ts
 * scanWords('covid-19 1.5mg', (a, b) => console.log(a, b)); // 0 5, 6 8, 9 12, 12 14
 * ```
 */
export function scanWords(s: string, emit: (start: number, end: number) => void): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const cls = classAt(s, i);
    if (cls === OTHER) {
      i += widthAt(s, i);
      continue;
    }
    let end = -1;
    if (cls === NUM) {
      let k = runEnd(s, i, true);
      while (k < n) {
        const sep = s.charCodeAt(k);
        if ((sep === 0x2e || sep === 0x2c) && classAt(s, k + 1) === NUM) end = k = runEnd(s, k + 1, true);
        else break;
      }
    }
    if (end < 0) {
      let k = runEnd(s, i, false);
      while (k < n) {
        const ap = s.charCodeAt(k);
        if ((ap === 0x27 || ap === 0x2019) && classAt(s, k + 1) !== OTHER) k = runEnd(s, k + 1, false);
        else break;
      }
      end = k;
    }
    emit(i, end);
    i = end;
  }
}

/**
 * Word → term memo keyed by a character range of a string: open addressing over typed arrays
 * (FNV-1a hashes; the words' characters in one u16 pool), so a hit allocates nothing and touches
 * few cache lines. Holds at most `max` words, then starts afresh.
 *
 * @example
 * ```ts
 * const memo = new RangeMemo(1000);
 * memo.get('a cat', 2, 5); // undefined
 * memo.set('cat', 'cat');
 * memo.get('a cat', 2, 5); // 'cat'
 * ```
 */
export class RangeMemo {
  /** slot → entry + 1 (0 = empty) */
  #slots = new Int32Array(1024);
  #hash = new Int32Array(512);
  #off = new Int32Array(512);
  #len = new Int32Array(512);
  #pool = new Uint16Array(4096);
  #used = 0;
  #values: string[] = [];

  constructor(readonly max: number) {}

  /** Number of words held. */
  get size(): number {
    return this.#values.length;
  }

  /** Forgets every word. */
  clear(): void {
    this.#slots = new Int32Array(1024);
    this.#used = 0;
    this.#values = [];
  }

  /** The value stored for `s.slice(start, end)`, or undefined. */
  get(s: string, start: number, end: number): string | undefined {
    const h = hashRange(s, start, end);
    const slots = this.#slots;
    const mask = slots.length - 1;
    const len = end - start;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = slots[p]! - 1;
      if (e < 0) return undefined;
      if (this.#hash[e] === h && this.#len[e] === len && this.#same(e, s, start, len)) return this.#values[e];
    }
  }

  /** Stores `value` for `key` (a key already held gets the new value). */
  set(key: string, value: string): void {
    const h = hashRange(key, 0, key.length);
    const slots0 = this.#slots;
    const mask0 = slots0.length - 1;
    for (let p = h & mask0; ; p = (p + 1) & mask0) {
      const e = slots0[p]! - 1;
      if (e < 0) break;
      if (this.#hash[e] === h && this.#len[e] === key.length && this.#same(e, key, 0, key.length)) {
        this.#values[e] = value;
        return;
      }
    }
    if (this.#values.length >= this.max) this.clear();
    const e = this.#values.length;
    if (e === this.#hash.length) {
      this.#hash = grow(this.#hash, e * 2);
      this.#off = grow(this.#off, e * 2);
      this.#len = grow(this.#len, e * 2);
    }
    if (this.#used + key.length > this.#pool.length) {
      const pool = new Uint16Array(Math.max(this.#pool.length * 2, this.#used + key.length));
      pool.set(this.#pool.subarray(0, this.#used));
      this.#pool = pool;
    }
    for (let i = 0; i < key.length; i++) this.#pool[this.#used + i] = key.charCodeAt(i);
    this.#hash[e] = h;
    this.#off[e] = this.#used;
    this.#len[e] = key.length;
    this.#used += key.length;
    this.#values.push(value);
    if (2 * (e + 1) > this.#slots.length) this.#rehash(this.#slots.length * 2);
    else this.#place(e);
  }

  #same(e: number, s: string, start: number, len: number): boolean {
    const pool = this.#pool;
    const off = this.#off[e]!;
    for (let i = 0; i < len; i++) if (pool[off + i] !== s.charCodeAt(start + i)) return false;
    return true;
  }

  #place(e: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let p = this.#hash[e]! & mask;
    while (slots[p] !== 0) p = (p + 1) & mask;
    slots[p] = e + 1;
  }

  #rehash(cap: number): void {
    this.#slots = new Int32Array(cap);
    for (let e = 0; e < this.#values.length; e++) this.#place(e);
  }
}

function grow(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}
