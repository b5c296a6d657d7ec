/**
 * A pickle-subset interpreter, enough for PyTorch state dicts (protocols 2–5).
 *
 * Nothing is ever executed: GLOBAL / STACK_GLOBAL only resolve names from a
 * caller-supplied allow-list (`globals`), REDUCE calls those functions, and
 * BINPERSID hands persistent ids to `persistentLoad`. Unknown opcodes or globals
 * throw, so a hostile file cannot do more than fail to load.
 */

/** A callable resolved from GLOBAL. */
export type PickleGlobal = (...args: unknown[]) => unknown;

/** Hooks the caller provides: the allowed globals and the persistent-id loader. */
export interface PickleHooks {
  globals: Record<string, PickleGlobal>;
  persistentLoad(pid: unknown): unknown;
}

/** An OrderedDict / dict result: plain Map keeps order and non-string keys. */
export type PickleDict = Map<unknown, unknown>;

class PickleError extends Error {}

/**
 * Runs the pickle program in `data` and returns the value left by STOP.
 *
 * @example
 * ```ts
 * const sd = unpickle(pkl, { globals: { 'collections.OrderedDict': () => new Map() }, persistentLoad: (p) => p });
 * ```
 */
export function unpickle(data: Uint8Array, hooks: PickleHooks): unknown {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  const need = (n: number): void => {
    if (p + n > buf.length) throw new PickleError('pickle data is truncated');
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new PickleError('pickle stack underflow');
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError('pickle MARK missing');
    return stack.splice(m);
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new PickleError('pickle stack underflow');
    return stack[stack.length - 1];
  };
  const str = (n: number): string => {
    need(n);
    const s = buf.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  const resolve = (module: string, name: string): unknown => {
    const fn = hooks.globals[`${module}.${name}`];
    if (!fn) throw new PickleError(`pickle references ${module}.${name}, which is not allowed`);
    return fn;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) throw new PickleError('SETITEM on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  for (;;) {
    need(1);
    const op = buf[p++]!;
    switch (op) {
      case 0x80:
        need(1);
        p += 1;
        break; // PROTO
      case 0x95:
        need(8);
        p += 8;
        break; // FRAME
      case 0x2e:
        return pop(); // STOP
      case 0x28:
        marks.push(stack.length);
        break; // MARK
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4b:
        need(1);
        stack.push(buf[p]);
        p += 1;
        break; // BININT1
      case 0x4d:
        need(2);
        stack.push(buf.readUInt16LE(p));
        p += 2;
        break; // BININT2
      case 0x4a:
        need(4);
        stack.push(buf.readInt32LE(p));
        p += 4;
        break; // BININT
      case 0x8a: {
        // LONG1
        need(1);
        const n = buf[p++]!;
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[p + i]!);
        if (n > 0 && (buf[p + n - 1]! & 0x80) !== 0) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47:
        need(8);
        stack.push(buf.readDoubleBE(p));
        p += 8;
        break; // BINFLOAT
      case 0x58: {
        need(4);
        const n = buf.readUInt32LE(p);
        p += 4;
        stack.push(str(n));
        break;
      } // BINUNICODE
      case 0x8c: {
        need(1);
        const n = buf[p++]!;
        stack.push(str(n));
        break;
      } // SHORT_BINUNICODE
      case 0x8d: {
        need(8);
        const n = Number(buf.readBigUInt64LE(p));
        p += 8;
        stack.push(str(n));
        break;
      } // BINUNICODE8
      case 0x55: {
        need(1);
        const n = buf[p++]!;
        stack.push(str(n));
        break;
      } // SHORT_BINSTRING
      case 0x54: {
        need(4);
        const n = buf.readInt32LE(p);
        p += 4;
        stack.push(str(n));
        break;
      } // BINSTRING
      case 0x43: {
        need(1);
        const n = buf[p++]!;
        need(n);
        stack.push(buf.subarray(p, p + n));
        p += n;
        break;
      } // SHORT_BINBYTES
      case 0x42: {
        need(4);
        const n = buf.readUInt32LE(p);
        p += 4;
        need(n);
        stack.push(buf.subarray(p, p + n));
        p += n;
        break;
      } // BINBYTES
      case 0x71:
        need(1);
        memo.set(buf[p]!, top());
        p += 1;
        break; // BINPUT
      case 0x72:
        need(4);
        memo.set(buf.readUInt32LE(p), top());
        p += 4;
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const n = op === 0x68 ? 1 : 4;
        need(n);
        const k = n === 1 ? buf[p]! : buf.readUInt32LE(p);
        p += n;
        if (!memo.has(k)) throw new PickleError(`pickle memo ${k} missing`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const nl1 = buf.indexOf(0x0a, p);
        const nl2 = nl1 < 0 ? -1 : buf.indexOf(0x0a, nl1 + 1);
        if (nl2 < 0) throw new PickleError('pickle GLOBAL is truncated');
        const module = buf.toString('utf8', p, nl1);
        const name = buf.toString('utf8', nl1 + 1, nl2);
        p = nl2 + 1;
        stack.push(resolve(module, name));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        stack.push(resolve(String(module), String(name)));
        break;
      } // STACK_GLOBAL
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x85:
        stack.push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      } // TUPLE3
      case 0x6c:
        stack.push(popMark());
        break; // LIST
      case 0x64: {
        const items = popMark();
        const d = new Map();
        setItems(d, items);
        stack.push(d);
        break;
      } // DICT
      case 0x61: {
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) throw new PickleError('APPEND on a non-list');
        l.push(v);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) throw new PickleError('APPENDS on a non-list');
        l.push(...items);
        break;
      } // APPENDS
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (typeof fn !== 'function' || !Array.isArray(args)) throw new PickleError('REDUCE on a non-callable');
        stack.push((fn as PickleGlobal)(...args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        if (typeof cls !== 'function' || !Array.isArray(args)) throw new PickleError('NEWOBJ on a non-class');
        stack.push((cls as PickleGlobal)(...args));
        break;
      }
      case 0x62: {
        pop();
        break;
      } // BUILD: state is ignored (OrderedDict metadata etc.)
      case 0x51:
        stack.push(hooks.persistentLoad(pop()));
        break; // BINPERSID
      default:
        throw new PickleError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }
}
