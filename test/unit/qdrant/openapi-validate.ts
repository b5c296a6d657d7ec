/**
 * A small validator for the JSON-Schema subset Qdrant's OpenAPI document uses ($ref, anyOf,
 * oneOf, allOf, type, format uint*, enum, required, properties, additionalProperties, items,
 * nullable, minimum, maximum). Test helper only: it answers "is this value an instance of
 * #/components/schemas/<name>", with the path of the first mismatch.
 */
type S = Record<string, unknown>;

export function validate(spec: S, schemaName: string, value: unknown): string[] {
  const schemas = (spec.components as S).schemas as Record<string, S>;
  const errors: string[] = [];
  const deref = (s: S): S => (typeof s.$ref === 'string' ? schemas[(s.$ref as string).split('/').pop()!]! : s);
  // strict: unknown properties are errors even where the spec allows them implicitly
  const check = (s0: S, v: unknown, at: string, out: string[]): void => {
    const s = deref(s0);
    if (v === null) {
      if (s.nullable === true || (Array.isArray(s.anyOf) && (s.anyOf as S[]).some((x) => deref(x).nullable === true))) return;
      out.push(`${at}: null not allowed`);
      return;
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      if (Array.isArray(s[key])) {
        const alts = (s[key] as S[]).filter((x) => !(Object.keys(x).length === 1 && x.nullable === true));
        const fails: string[][] = [];
        for (const a of alts) {
          const e: string[] = [];
          check(a, v, at, e);
          if (e.length === 0) return;
          fails.push(e);
        }
        out.push(`${at}: matches none of ${key} (${fails.map((f) => f[0]).join(' | ')})`);
        return;
      }
    }
    if (Array.isArray(s.allOf)) for (const a of s.allOf as S[]) check(a, v, at, out);
    if (Array.isArray(s.enum) && !(s.enum as unknown[]).includes(v)) out.push(`${at}: ${JSON.stringify(v)} not in enum ${JSON.stringify(s.enum)}`);
    const t = s.type;
    if (t === 'object' || (t === undefined && s.properties)) {
      if (typeof v !== 'object' || Array.isArray(v)) return void out.push(`${at}: expected object`);
      const props = (s.properties ?? {}) as Record<string, S>;
      for (const r of (s.required ?? []) as string[]) if (!(r in (v as S))) out.push(`${at}: missing required '${r}'`);
      for (const [k, val] of Object.entries(v as S)) {
        if (props[k]) check(props[k]!, val, `${at}.${k}`, out);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') check(s.additionalProperties as S, val, `${at}.${k}`, out);
        else if (s.additionalProperties === true) continue;
        else out.push(`${at}: unknown property '${k}'`);
      }
    } else if (t === 'array') {
      if (!Array.isArray(v)) return void out.push(`${at}: expected array`);
      v.forEach((x, i) => {
        check(s.items as S, x, `${at}[${i}]`, out);
      });
    } else if (t === 'string') {
      if (typeof v !== 'string') out.push(`${at}: expected string`);
    } else if (t === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v)) out.push(`${at}: expected integer`);
      else if (typeof s.minimum === 'number' && v < (s.minimum as number)) out.push(`${at}: below minimum ${String(s.minimum)}`);
      else if (String(s.format ?? '').startsWith('uint') && v < 0) out.push(`${at}: negative uint`);
    } else if (t === 'number') {
      if (typeof v !== 'number') out.push(`${at}: expected number`);
      else if (typeof s.minimum === 'number' && v < (s.minimum as number)) out.push(`${at}: below minimum`);
      else if (typeof s.maximum === 'number' && v > (s.maximum as number)) out.push(`${at}: above maximum`);
    } else if (t === 'boolean') {
      if (typeof v !== 'boolean') out.push(`${at}: expected boolean`);
    }
  };
  check({ $ref: `#/components/schemas/${schemaName}` }, value, schemaName, errors);
  return errors;
}
