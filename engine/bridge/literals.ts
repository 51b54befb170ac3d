/**
 * Python source for numbers, shapes and tensors: shortest float32 spellings,
 * nested `torch.tensor([...])` literals wrapped to the line width, and the
 * factory call of each init kind.
 */
import type { InitSpec } from '../graph/document';
import type { Chunks, Defer } from './chunks';

/** Target line width of exported scripts. */
export const WIDTH = 99;

/** A float32 value as the shortest Python float literal that rounds back to it. */
export function float32Repr(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return 'float("nan")';
  if (!Number.isFinite(f)) return f > 0 ? 'float("inf")' : '-float("inf")';
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  return shortestFast(f) ?? shortestSlow(f);
}

/** The shortest spelling: `toPrecision(p)` for p = 1, 2, ... until the float rounds back. */
function shortestSlow(f: number): string {
  for (let p = 1; p <= 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) return floatText(String(t));
  }
  return floatText(String(f));
}

/** 10^i for i = 0..22: the powers of ten a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** `d` * 10^k as JavaScript's Number(String) reads it (both exact operands: one correct rounding), or null. */
function scaled(d: number, k: number): number | null {
  if (k >= 0) return k < POW10.length ? d * POW10[k]! : null;
  return -k < POW10.length ? d / POW10[-k]! : null;
}

/**
 * {@link shortestSlow}'s text by arithmetic: x = |f| scaled to nine integer
 * digits is one correct rounding from exact (error under 2^-23, as x < 2^30),
 * so the p-digit rounding `toPrecision(p)` makes is x / 10^(9-p) rounded, unless
 * that lies within 10^-6 of a half; and the round trip is checked with exact
 * double arithmetic instead of parsing. Null where that is not exact (a near
 * half, far exponents, near a power of ten): the slow path decides.
 */
function shortestFast(f: number): string | null {
  const a = Math.abs(f);
  const e = Math.floor(Math.log10(a));
  const x = scaled(a, 8 - e);
  if (x === null || !(x >= 1e8 + 1 && x < 1e9 - 1)) return null;
  for (let p = 1; p <= 9; p++) {
    const y = x / POW10[9 - p]!;
    if (Math.abs(y - Math.floor(y) - 0.5) < 1e-6) return null;
    let d = Math.round(y);
    let k = e - p + 1;
    if (d === POW10[p]) {
      d = POW10[p - 1]!;
      k += 1;
    }
    const t = scaled(d, k);
    if (t === null) return null;
    if (Math.fround(t) === a) return (f < 0 ? '-' : '') + numberText(d, k);
  }
  return null;
}

/** How String(Number) writes the positive d * 10^k (d an integer), as a Python float. */
function numberText(d: number, k: number): string {
  while (d % 10 === 0) {
    d /= 10;
    k += 1;
  }
  const s = String(d);
  const n = s.length + k; // the decimal point sits after n digits
  if (s.length <= n && n <= 21) return `${s}${'0'.repeat(n - s.length)}.0`;
  if (n > 0 && n <= 21) return `${s.slice(0, n)}.${s.slice(n)}`;
  if (n > -6 && n <= 0) return `0.${'0'.repeat(-n)}${s}`;
  const exp = n - 1;
  return `${s[0]}${s.length > 1 ? `.${s.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

/** A number param as Python writes it: integers as ints, others as floats. */
export function pyNumber(v: number): string {
  if (Number.isNaN(v)) return 'float("nan")';
  if (!Number.isFinite(v)) return v > 0 ? 'float("inf")' : '-float("inf")';
  return String(v);
}

/** A number param that must be a float literal. */
export function pyFloat(v: number): string {
  return Number.isFinite(v) ? floatText(String(v)) : pyNumber(v);
}

function floatText(s: string): string {
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** Every character but printable ASCII other than the backslash (lone surrogates included). */
const UNPRINTABLE = /[^\x20-\x5b\x5d-\x7e]/gu;
const SHORT_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\\', '\\\\'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
]);

function escapeChar(ch: string): string {
  const short = SHORT_ESCAPES.get(ch);
  if (short !== undefined) return short;
  const c = ch.codePointAt(0)!;
  const hex = (digits: number) => c.toString(16).padStart(digits, '0');
  return c < 0x100 ? `\\x${hex(2)}` : c < 0x10000 ? `\\u${hex(4)}` : `\\U${hex(8)}`;
}

/**
 * `s` as printable ASCII, the way a Python string literal escapes it: `\\` doubled, `\n`,
 * `\r`, `\t`, and every other character outside printable ASCII (NUL, U+0085, U+2028,
 * U+FEFF, lone surrogates, any non-ASCII) as `\xNN`, `\uNNNN` or `\UNNNNNNNN`. The text
 * cannot end a line, so it is also safe in a comment (and decodes with `unicode_escape`).
 */
export function pyEscape(s: string): string {
  return s.replace(UNPRINTABLE, escapeChar);
}

/** A Python string literal of `s`: the one way a string reaches an exported script. */
export function pyStr(s: string): string {
  return `"${pyEscape(s).replace(/"/g, '\\"')}"`;
}

/** An int-or-pair param: `3` for [3, 3], `(2, 4)` otherwise. */
export function pyPair(v: unknown): string {
  if (Array.isArray(v)) return v[0] === v[1] ? String(v[0]) : `(${v[0]}, ${v[1]})`;
  return typeof v === 'string' ? pyStr(v) : String(v);
}

/** Shape arguments of a factory call: `2, 3` (or `()` for a 0-d tensor). */
export function shapeArgs(shape: readonly number[]): string {
  return shape.length === 0 ? '()' : shape.join(', ');
}

/** A Python tuple of ints: `(2, 3)`, `(5,)`, `()`. */
export function pyTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`;
}

/** Element `i` of a tensor's data as Python text. */
type Item = (i: number) => string;

/** The one-line `[...]` of `shape` holding items `start`, `start + 1`, ..., or null as soon as it is longer than `limit`. */
function inlineText(item: Item, start: number, shape: readonly number[], limit: number): string | null {
  const inner = shape.slice(1);
  const size = inner.reduce((x, y) => x * y, 1);
  let s = '[';
  for (let r = 0; r < shape[0]!; r++) {
    if (r > 0) s += ', ';
    const part = inner.length === 0 ? item(start + r) : inlineText(item, start + r * size, inner, limit - s.length - 1);
    if (part === null) return null;
    s += part;
    if (s.length + 1 > limit) return null;
  }
  return `${s}]`;
}

/** Writes the one-line `[...]` of a 1-d list of `n` items, whatever its length. */
function writeInline(out: Chunks, item: Item, n: number): void {
  out.put('[');
  for (let i = 0; i < n; i++) out.put(i > 0 ? `, ${item(i)}` : item(i));
  out.put(']');
}

/**
 * Writes a nested list literal of `shape` holding items `start`, `start + 1`, ...,
 * placed at column `col` with continuation lines indented from `indent`: on one
 * line when it fits in {@link WIDTH}, else one row per line, the innermost rows
 * packed to the width.
 */
function writeNested(
  out: Chunks,
  item: Item,
  start: number,
  shape: readonly number[],
  indent: number,
  col: number,
): void {
  if (shape.length === 0) return out.put(item(start));
  const flat = inlineText(item, start, shape, WIDTH - col - 3);
  if (flat !== null) return out.put(flat);
  if (shape[0] === 1 && shape.length > 1) {
    out.put('[');
    writeNested(out, item, start, shape.slice(1), indent, col + 1);
    return out.put(']');
  }
  const pad = ' '.repeat(indent + 4);
  out.put('[\n');
  if (shape.length === 1) writePacked(out, item, start, shape[0]!, pad);
  else {
    const inner = shape.slice(1);
    const size = inner.reduce((x, y) => x * y, 1);
    for (let r = 0; r < shape[0]!; r++) {
      out.put(r > 0 ? `\n${pad}` : pad);
      writeNested(out, item, start + r * size, inner, indent + 4, indent + 4);
      out.put(',');
    }
  }
  out.put(`\n${' '.repeat(indent)}]`);
}

/** Writes `n` items as `x,` pieces packed into lines of at most {@link WIDTH} columns, each after `pad`. */
function writePacked(out: Chunks, item: Item, start: number, n: number, pad: string): void {
  let line = -1; // length of the current line after the pad; -1 before the first
  for (let i = start; i < start + n; i++) {
    const piece = `${item(i)},`;
    if (line >= 0 && pad.length + line + 1 + piece.length <= WIDTH) {
      out.put(` ${piece}`);
      line += 1 + piece.length;
    } else {
      out.put(line < 0 ? pad + piece : `\n${pad}${piece}`);
      line = piece.length;
    }
  }
}

/** The data of a `values` init: the document's list, or the engine's own array for `--seeded engine`. */
export type LiteralInit =
  | Exclude<InitSpec, { kind: 'values' }>
  | { readonly kind: 'values'; readonly data: ArrayLike<number> };

/** True when every item of `data` is written as `first` (equal numbers are not formatted again). */
function allWrittenAs(data: ArrayLike<number>, fmt: (x: number) => string, first: string): boolean {
  const x0 = data[0]!;
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], x0) && fmt(data[i]!) !== first) return false;
  return true;
}

/** A tensor factory expression for an init spec. */
export interface InitExpr {
  /** Python expression creating the tensor. */
  readonly expr: string;
  /** True when `requires_grad=True` was written into the call (else a separate assignment is needed). */
  readonly requiresGradInCall: boolean;
}

/**
 * The expression that creates a tensor of `shape`/`dtype` as `init` says, the way
 * PyTorch code writes it. `col`/`indent` place wrapped literals; spelled-out
 * values stand in the expression as `defer`'s placeholders, formatted only when
 * the script is written.
 */
export function initExpr(
  init: LiteralInit,
  shape: readonly number[],
  dtype: 'float32' | 'int64',
  requiresGrad: boolean,
  indent: number,
  col: number,
  defer: Defer,
): InitExpr {
  const isInt = dtype === 'int64';
  const numel = shape.reduce((a, b) => a * b, 1);
  const rgOk = requiresGrad && !isInt;
  const rg = rgOk ? ', requires_grad=True' : '';
  const dt = isInt ? ', dtype=torch.int64' : '';
  const factory = (name: string, extra = '') => ({
    expr: `torch.${name}(${shapeArgs(shape)}${extra}${dt}${rg})`,
    requiresGradInCall: rgOk,
  });
  const gen = (seed: number) => `generator=torch.Generator().manual_seed(${seed})`;
  switch (init.kind) {
    case 'values': {
      const data = init.data;
      const fmt = (x: number) => (isInt ? String(Math.trunc(x)) : float32Repr(x));
      const item = (i: number) => fmt(data[i]!);
      if (data.length !== numel) {
        // Not the shape's size: torch raises the same error at reshape as the runner.
        const lit = defer((out) => writeInline(out, item, data.length));
        return {
          expr: `torch.tensor(${lit}${dt}).reshape(${shapeArgs(shape)})`,
          requiresGradInCall: false,
        };
      }
      if (numel === 0) return factory('zeros');
      const first = fmt(data[0]!);
      if (numel > 3 && allWrittenAs(data, fmt, first)) {
        if (first === '0.0' || first === '0') return factory('zeros');
        if (first === '1.0' || first === '1') return factory('ones');
        return { expr: `torch.full(${pyTuple(shape)}, ${first}${dt}${rg})`, requiresGradInCall: rgOk };
      }
      const open = 'torch.tensor(';
      const lit = defer((out) => writeNested(out, item, 0, shape, indent, col + open.length + rg.length));
      return { expr: `${open}${lit}${rg})`, requiresGradInCall: rgOk };
    }
    case 'zeros':
      return factory('zeros');
    case 'ones':
      return factory('ones');
    case 'full':
      return {
        expr: `torch.full(${pyTuple(shape)}, ${isInt ? pyNumber(init.value) : pyFloat(init.value)}${dt}${rg})`,
        requiresGradInCall: rgOk,
      };
    case 'rand':
    case 'randn':
      return factory(init.kind, `, ${gen(init.seed)}`);
    case 'randint': {
      const d = isInt ? '' : ', dtype=torch.float32';
      return {
        expr: `torch.randint(${init.low ?? 0}, ${init.high}, ${pyTuple(shape)}, ${gen(init.seed)}${d})`,
        requiresGradInCall: false,
      };
    }
    case 'arange': {
      const start = init.start ?? 0;
      const step = init.step ?? 1;
      let expr: string;
      if (start === 0 && step === 1) expr = isInt ? `torch.arange(${numel})` : `torch.arange(${numel}.0)`;
      else {
        let e = `torch.arange(${numel}, dtype=torch.float64)`;
        if (step !== 1) e += ` * ${pyNumber(step)}`;
        if (start !== 0) e += start < 0 ? ` - ${pyNumber(-start)}` : ` + ${pyNumber(start)}`;
        expr = `(${e}).${isInt ? 'long' : 'float'}()`;
      }
      if (shape.length !== 1) expr += `.reshape(${shapeArgs(shape)})${requiresGrad ? '.clone()' : ''}`;
      return { expr, requiresGradInCall: false };
    }
  }
}
