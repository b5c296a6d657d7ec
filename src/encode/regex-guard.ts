/**
 * Guards the regular expressions a `tokenizer.json` carries (Split pre-tokenizers, Replace
 * normalizers and decoders: `{"Regex": "…"}`). tokenizers.js compiles them into JavaScript
 * `RegExp`s, a backtracking engine: a pattern such as `(a|aa)+$` takes time exponential in
 * the input (341 ms at 28 characters, doubling with every few more), so a model file from an
 * untrusted source could hang every `encode`.
 *
 * A pattern is accepted when it is one of the pre-tokenizer patterns real models ship
 * ({@link KNOWN_TOKENIZER_PATTERNS}) or when a static check finds none of the shapes that make
 * backtracking super-linear beyond what those patterns have:
 * - a repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1) whose body itself contains a
 *   quantifier (`(a+)+`, `(a?a)*`: star height 2, exponential);
 * - a repeated group whose body has alternatives that may start with the same character
 *   (`(a|aa)+`, `(\s|x)*`: exponential);
 * - three or more unbounded quantifiers in a row in one sequence (`\s*\s*\s*$`: polynomial of
 *   degree 3 and up; the real patterns have at most two, e.g. `\s*[\r\n]+`);
 * - backreferences (`\1`, `\k<name>`), which no tokenizer needs.
 * The check is conservative (some safe patterns are refused); a refusal is MODEL_INVALID
 * naming the file, the JSON path and the pattern.
 */
import { ModelError } from '../errors.js';

/**
 * Pre-tokenizer / normalizer patterns of real tokenizer.json files: the XLM-R / BGE-M3 /
 * Mistral whitespace normalizer, the GPT-2 / RoBERTa byte-level split, Llama-3, Qwen2, GPT-4o
 * (o200k) and DeepSeek-V3 splits. They pass the static check too (tested without this list);
 * the list documents what must keep loading.
 *
 * @example
 * ```ts
 * KNOWN_TOKENIZER_PATTERNS.has(' {2,}') // true
 * ```
 */
export const KNOWN_TOKENIZER_PATTERNS: ReadonlySet<string> = new Set([
  ' {2,}',
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  '\\p{N}{1,3}',
  '[一-龥\u3040-ゟ゠-ヿ]+',
  '[!"#$%&\'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+',
]);

type Node = { t: 'alt'; alts: Node[] } | { t: 'seq'; items: Node[] } | { t: 'group'; look: boolean; body: Node } | { t: 'quant'; min: number; max: number; body: Node } | { t: 'atom'; lit: number | null } | { t: 'assert' } | { t: 'backref' };

class Unparsable extends Error {}

/** A tolerant parser for Oniguruma / Rust-regex / JS syntax, enough for the checks above. */
function parse(src: string): Node {
  let i = 0;
  const alt = (): Node => {
    const alts: Node[] = [seq()];
    while (src[i] === '|') {
      i++;
      alts.push(seq());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  };
  const seq = (): Node => {
    const items: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      let a = atom();
      for (;;) {
        const q = quantifier();
        if (!q) break;
        a = { t: 'quant', min: q[0], max: q[1], body: a };
      }
      items.push(a);
    }
    return { t: 'seq', items };
  };
  const quantifier = (): [number, number] | null => {
    const c = src[i];
    let q: [number, number] | null = null;
    if (c === '*') {
      q = [0, Infinity];
      i++;
    } else if (c === '+') {
      q = [1, Infinity];
      i++;
    } else if (c === '?') {
      q = [0, 1];
      i++;
    } else if (c === '{') {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(src.slice(i));
      if (!m || (m[1] === '' && m[2] === undefined)) return null;
      const min = m[1] === '' ? 0 : Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      q = [min, max];
      i += m[0].length;
    }
    if (q && (src[i] === '?' || src[i] === '+')) i++; // lazy / possessive
    return q;
  };
  const atom = (): Node => {
    const c = src[i]!;
    if (c === '(') {
      i++;
      let look = false;
      if (src[i] === '?') {
        const rest = src.slice(i);
        const m = /^\?(?:<?[=!]|[:>|]|P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*'|[imsxU-]*:|[imsxU-]+\))/.exec(rest);
        if (!m) throw new Unparsable(`unknown group syntax at ${i}`);
        look = /^\?<?[=!]/.test(m[0]);
        i += m[0].length;
        if (m[0].endsWith(')')) return { t: 'assert' }; // inline flags (?i)
      }
      const body = alt();
      if (src[i] !== ')') throw new Unparsable('unbalanced parenthesis');
      i++;
      return look ? { t: 'assert' } : { t: 'group', look, body };
    }
    if (c === '[') return charClass();
    if (c === '\\') return escapeAt();
    i++;
    if (c === '^' || c === '$') return { t: 'assert' };
    if (c === '.') return { t: 'atom', lit: null };
    if (c === ')') throw new Unparsable('unbalanced parenthesis');
    return { t: 'atom', lit: c.codePointAt(0)! };
  };
  const charClass = (): Node => {
    let depth = 0;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '\\') i++;
      else if (c === '[') depth++;
      else if (c === ']' && !(src[i - 1] === '[' || (src[i - 1] === '^' && src[i - 2] === '['))) {
        if (--depth === 0) {
          i++;
          return { t: 'atom', lit: null };
        }
      }
    }
    throw new Unparsable('unterminated character class');
  };
  const escapeAt = (): Node => {
    i++;
    const c = src[i];
    if (c === undefined) throw new Unparsable('trailing backslash');
    if (/[1-9]/.test(c) || (c === 'k' && /[<{']/.test(src[i + 1] ?? ''))) {
      i++;
      return { t: 'backref' };
    }
    if ('bBAzZG'.includes(c)) {
      i++;
      return { t: 'assert' };
    }
    const m = /^(?:[pP](?:\{[^}]*\}|\w)|x(?:\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{2})|u(?:\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{4})|0[0-7]{0,2}|c[A-Za-z]|.)/su.exec(src.slice(i))!;
    i += m[0].length;
    const e = m[0];
    if (/^[^A-Za-z0-9]$/u.test(e)) return { t: 'atom', lit: e.codePointAt(0)! }; // escaped punctuation
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, e: 27, a: 7 };
    if (e in simple) return { t: 'atom', lit: simple[e]! };
    if (/^[xu]/.test(e)) return { t: 'atom', lit: parseInt(e.replace(/^[xu]\{?|\}$/g, ''), 16) };
    return { t: 'atom', lit: null }; // \d \s \w \p{…} …: a class
  };
  const root = alt();
  if (i !== src.length) throw new Unparsable(`unexpected ')' at ${i}`);
  return root;
}

/** First characters an expression may start with: literal code points, or null for "any". */
function firstChars(n: Node): Set<number> | null | 'empty' {
  switch (n.t) {
    case 'atom':
      return n.lit === null ? null : new Set([n.lit]);
    case 'assert':
    case 'backref':
      return 'empty';
    case 'group':
      return firstChars(n.body);
    case 'quant': {
      const f = firstChars(n.body);
      return n.min === 0 ? (f === 'empty' ? 'empty' : null) : f; // optional: what follows matters too
    }
    case 'alt': {
      const out = new Set<number>();
      for (const a of n.alts) {
        const f = firstChars(a);
        if (f === null || f === 'empty') return null;
        for (const x of f) out.add(x);
      }
      return out;
    }
    case 'seq': {
      for (const it of n.items) {
        const f = firstChars(it);
        if (f !== 'empty') return f;
      }
      return null; // matches the empty string: may overlap with anything
    }
  }
}

function hasQuantifier(n: Node): boolean {
  switch (n.t) {
    case 'quant':
      return true;
    case 'group':
      return hasQuantifier(n.body);
    case 'alt':
      return n.alts.some(hasQuantifier);
    case 'seq':
      return n.items.some(hasQuantifier);
    default:
      return false;
  }
}

/** An alternation (at any depth of `n`) whose alternatives may start with the same character. */
function overlappingAlternation(n: Node): boolean {
  switch (n.t) {
    case 'group':
      return overlappingAlternation(n.body);
    case 'quant':
      return overlappingAlternation(n.body);
    case 'seq':
      return n.items.some(overlappingAlternation);
    case 'alt': {
      const seen = new Set<number>();
      for (const a of n.alts) {
        const f = firstChars(a);
        if (f === null || f === 'empty') return true;
        for (const x of f) {
          if (seen.has(x)) return true;
          seen.add(x);
        }
      }
      return n.alts.some(overlappingAlternation);
    }
    default:
      return false;
  }
}

/** Why `n` can backtrack catastrophically, or null. */
function danger(n: Node): string | null {
  switch (n.t) {
    case 'backref':
      return 'a backreference';
    case 'group':
      return danger(n.body);
    case 'alt': {
      for (const a of n.alts) {
        const d = danger(a);
        if (d) return d;
      }
      return null;
    }
    case 'quant': {
      if (n.max > 1) {
        if (hasQuantifier(n.body)) return 'a quantifier inside a repeated group (nested quantifiers)';
        if (overlappingAlternation(n.body)) return 'a repeated group whose alternatives can match the same text';
      }
      return danger(n.body);
    }
    case 'seq': {
      let run = 0;
      for (const it of n.items) {
        if (it.t === 'quant' && it.max === Infinity) {
          if (++run >= 3) return 'three or more unbounded quantifiers in a row';
        } else if (!(it.t === 'assert' || (it.t === 'quant' && it.max <= 1))) run = 0;
        const d = danger(it);
        if (d) return d;
      }
      return null;
    }
    default:
      return null;
  }
}

/**
 * Why `pattern` is refused, or null when it is safe to compile with a backtracking engine
 * (see the module comment for the rules). `allowList: false` skips the known-pattern list.
 *
 * @example
 * ```ts
 * regexDanger('(a|aa)+$'); // 'a repeated group whose alternatives can match the same text'
 * regexDanger(' {2,}');    // null
 * ```
 */
export function regexDanger(pattern: string, opts: { allowList?: boolean } = {}): string | null {
  if (opts.allowList !== false && KNOWN_TOKENIZER_PATTERNS.has(pattern)) return null;
  let tree: Node;
  try {
    tree = parse(pattern);
  } catch (e) {
    return `a pattern this check cannot read (${(e as Error).message})`;
  }
  return danger(tree);
}

/**
 * Throws MODEL_INVALID when a `{"Regex": …}` pattern anywhere in a parsed tokenizer.json
 * (outside the vocabulary) could backtrack catastrophically; `file` names it in the message.
 *
 * @example
 * ```ts
 * checkTokenizerPatterns(JSON.parse(text), 'tokenizer.json');
 * ```
 */
export function checkTokenizerPatterns(json: unknown, file: string): void {
  const walk = (o: unknown, at: string): void => {
    if (o === null || typeof o !== 'object') return;
    if (Array.isArray(o)) {
      o.forEach((v, k) => {
        walk(v, `${at}[${k}]`);
      });
      return;
    }
    for (const [k, v] of Object.entries(o)) {
      if (at === '' && (k === 'model' || k === 'added_tokens')) continue; // vocabulary: no patterns
      if (k === 'Regex') {
        if (typeof v !== 'string') throw new ModelError('MODEL_INVALID', `${file}: ${at}.Regex is not a string; restore the model's tokenizer.json`);
        const why = regexDanger(v);
        if (why) {
          throw new ModelError('MODEL_INVALID', `${file}: the pattern ${JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…` : v)} at ${at}.Regex can take exponential time on some texts (${why}); trident refuses it. Use the model's original tokenizer.json`);
        }
      } else walk(v, `${at}.${k}`);
    }
  };
  walk(json, '');
}
