/**
 * A JSON reader that also takes Python's bare `NaN`, `Infinity` and `-Infinity`
 * tokens as numbers. It gives what JSON.parse gives for JSON (the same values, key
 * order, `__proto__` keys as own properties, last duplicate key wins) and refuses
 * what JSON.parse refuses. It reads a file's UTF-8 bytes as they are (the whole text
 * is never one JS string), has no recursion (any depth, as JSON.parse), and builds
 * each array of numbers once at its final size, so a document of 20M numbers takes
 * about the file's bytes plus twice its numbers' 8 bytes (see docs/graph-format.md).
 */

/** The text being read: its code units (a string's) or bytes (UTF-8), and a decoded slice. */
export interface JsonSource {
  readonly length: number;
  at(i: number): number;
  /** The text of [start, end): never splits a character (the reader cuts only at ASCII). */
  text(start: number, end: number): string;
}

/** Parses JSON text that may contain NaN / Infinity tokens (outside strings). */
export function parseJsonWithNaN(text: string): unknown {
  return parseJsonSource({ length: text.length, at: (i) => text.charCodeAt(i), text: (s, e) => text.slice(s, e) });
}

/** Parses UTF-8 JSON bytes that may contain NaN / Infinity tokens; `utf8` decodes a slice of them. */
export function parseJsonBytes(bytes: Uint8Array, utf8: (start: number, end: number) => string): unknown {
  const n = bytes.length;
  return parseJsonSource({ length: n, at: (i) => (i < n ? bytes[i]! : NaN), text: utf8 }); // NaN past the end, as charCodeAt
}

/** Parses a {@link JsonSource}; throws a SyntaxError naming the position (and line, column) at fault. */
export function parseJsonSource(src: JsonSource): unknown {
  return new Reader(src).document();
}

/** An object or array being read. Arrays keep numbers in the reader's number stack until a non-number comes. */
interface Frame {
  obj: Record<string, unknown> | null;
  items: unknown[] | null;
  numStart: number;
  key: string;
}

const BLOCK_BITS = 16;
const BLOCK = 1 << BLOCK_BITS;
/** Exact powers of ten (10^22 is the largest exact double power). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const COMMA = 44;
const COLON = 58;
const ZERO = 48;
const NINE = 57;
const ESCAPES: Record<number, string> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

/** What {@link Reader.open} returns when it pushed a container instead of reading a value. */
const OPENED = Symbol('opened');

class Reader {
  private pos = 0;
  /** Numbers of the open arrays, in blocks (a growing single buffer would hold old and new copies at once). */
  private readonly blocks: Float64Array[] = [];
  private top = 0;

  constructor(private readonly src: JsonSource) {}

  document(): unknown {
    const stack: Frame[] = [];
    for (;;) {
      let value = this.open(stack);
      if (value === OPENED) continue;
      // Hand the value to the open containers, closing those that end here.
      for (;;) {
        const f = stack[stack.length - 1];
        if (f === undefined) {
          this.space();
          if (this.pos < this.src.length) this.fail();
          return value;
        }
        this.add(f, value);
        this.space();
        const c = this.src.at(this.pos);
        if (c === COMMA) {
          this.pos++;
          if (f.obj !== null) f.key = this.key();
          break;
        }
        if (c !== (f.obj !== null ? 125 : 93)) this.fail(); // '}' or ']'
        this.pos++;
        stack.pop();
        value = this.close(f);
      }
    }
  }

  /** Reads a value; an object or array that is not empty is pushed on `stack` instead (returns OPENED). */
  private open(stack: Frame[]): unknown {
    this.space();
    const c = this.src.at(this.pos);
    if (c === 123 || c === 91) {
      // '{' or '['
      this.pos++;
      this.space();
      if (this.src.at(this.pos) === c + 2) {
        this.pos++;
        return c === 123 ? {} : [];
      }
      const obj = c === 123 ? {} : null;
      stack.push({ obj, items: null, numStart: this.top, key: obj !== null ? this.key() : '' });
      return OPENED;
    }
    if (c === QUOTE) return this.string();
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    if (c === 116) return this.word('true', true);
    if (c === 102) return this.word('false', false);
    if (c === 110) return this.word('null', null);
    if (c === 78) return this.word('NaN', NaN);
    if (c === 73) return this.word('Infinity', Infinity);
    return this.fail();
  }

  private add(f: Frame, value: unknown): void {
    if (f.obj !== null) {
      // JSON.parse makes `__proto__` an own property; assigning it would set the prototype.
      if (f.key === '__proto__') {
        Object.defineProperty(f.obj, f.key, { value, enumerable: true, writable: true, configurable: true });
      } else f.obj[f.key] = value;
    } else if (f.items !== null) f.items.push(value);
    else if (typeof value === 'number') this.pushNumber(value);
    else {
      f.items = this.popNumbers(f.numStart);
      f.items.push(value);
    }
  }

  private close(f: Frame): unknown {
    if (f.obj !== null) return f.obj;
    return f.items ?? this.popNumbers(f.numStart);
  }

  private pushNumber(v: number): void {
    const b = this.top >>> BLOCK_BITS;
    if (b === this.blocks.length) this.blocks.push(new Float64Array(BLOCK));
    this.blocks[b]![this.top & (BLOCK - 1)] = v;
    this.top++;
  }

  /**
   * The numbers from `start` up as an array of exactly their count: one element
   * of a double array, then its length set, allocates the final size once (a
   * pushed array grows by half, holding old and new copies at once).
   */
  private popNumbers(start: number): unknown[] {
    const n = this.top - start;
    if (n === 0) return [];
    const a: number[] = [0.5];
    a.length = n;
    for (let i = 0; i < n; i++) {
      const k = start + i;
      a[i] = this.blocks[k >>> BLOCK_BITS]![k & (BLOCK - 1)]!;
    }
    this.top = start;
    return a;
  }

  /** An object's key and its colon (the reader is at the key's quote). */
  private key(): string {
    this.space();
    if (this.src.at(this.pos) !== QUOTE) this.fail();
    const k = this.string();
    this.space();
    if (this.src.at(this.pos) !== COLON) this.fail();
    this.pos++;
    return k;
  }

  private space(): void {
    for (let c = this.src.at(this.pos); c === 32 || c === 10 || c === 13 || c === 9; c = this.src.at(this.pos)) {
      this.pos++;
    }
  }

  private word<T>(w: string, value: T): T {
    for (let i = 0; i < w.length; i++, this.pos++) if (this.src.at(this.pos) !== w.charCodeAt(i)) this.fail();
    return value;
  }

  /** A string (the reader is at its opening quote): unescaped runs are sliced whole. */
  private string(): string {
    const src = this.src;
    let out = '';
    let run = ++this.pos;
    for (;;) {
      const c = src.at(this.pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        out += src.text(run, this.pos) + this.escape();
        run = this.pos;
      } else if (c < 32 || c !== c)
        this.fail(); // a control character, or the end (NaN)
      else this.pos++;
    }
    out += src.text(run, this.pos++);
    return out;
  }

  /** The character of an escape (the reader is at its backslash); a lone surrogate stays one, as in JSON.parse. */
  private escape(): string {
    const c = this.src.at(++this.pos);
    const simple = ESCAPES[c];
    if (simple !== undefined) {
      this.pos++;
      return simple;
    }
    if (c !== 117) this.fail(); // 'u'
    let code = 0;
    for (let i = 0; i < 4; i++) {
      const h = this.src.at(++this.pos);
      const d = h >= ZERO && h <= NINE ? h - ZERO : h >= 97 && h <= 102 ? h - 87 : h >= 65 && h <= 70 ? h - 55 : -1;
      if (d < 0) this.fail();
      code = code * 16 + d;
    }
    this.pos++;
    return String.fromCharCode(code);
  }

  /**
   * A number, or -Infinity. Up to 15 significant digits without an exponent, the
   * value is digits / 10^k, both exact doubles, so the one division rounds
   * correctly (Clinger's fast path): the double JSON.parse gives. Else Number()
   * of the token's text.
   */
  private number(): number {
    const src = this.src;
    const start = this.pos;
    const neg = src.at(this.pos) === MINUS;
    if (neg) {
      this.pos++;
      if (src.at(this.pos) === 73) return -this.word('Infinity', Infinity);
    }
    let m = 0;
    let digits = 0;
    let c = src.at(this.pos);
    if (c === ZERO) {
      this.pos++;
      digits++;
    } else if (c > ZERO && c <= NINE) {
      for (; c >= ZERO && c <= NINE; c = src.at(++this.pos), digits++) m = m * 10 + (c - ZERO);
    } else this.fail();
    let frac = 0;
    if (src.at(this.pos) === 46) {
      // '.'
      c = src.at(++this.pos);
      if (!(c >= ZERO && c <= NINE)) this.fail();
      for (; c >= ZERO && c <= NINE; c = src.at(++this.pos), frac++) m = m * 10 + (c - ZERO);
    }
    c = src.at(this.pos);
    if (c === 101 || c === 69) {
      // 'e' or 'E'
      c = src.at(++this.pos);
      if (c === 43 || c === MINUS) c = src.at(++this.pos);
      if (!(c >= ZERO && c <= NINE)) this.fail();
      while (c >= ZERO && c <= NINE) c = src.at(++this.pos);
      return Number(src.text(start, this.pos));
    }
    if (digits + frac > 15) return Number(src.text(start, this.pos));
    const v = frac === 0 ? m : m / POW10[frac]!;
    return neg ? -v : v;
  }

  /** Throws the error of the character at the reader's position (or of the text's end). */
  private fail(): never {
    const { src, pos } = this;
    if (pos >= src.length) throw new SyntaxError('Unexpected end of JSON input');
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos; i++) {
      if (src.at(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const c = src.at(pos);
    const what = c > 32 && c < 127 ? `token '${String.fromCharCode(c)}'` : `character 0x${c.toString(16)}`;
    throw new SyntaxError(`Unexpected ${what} in JSON at position ${pos} (line ${line} column ${pos - lineStart + 1})`);
  }
}
