/**
 * Python source for numbers, shapes and tensors: shortest float32 spellings,
 * nested `torch.tensor([...])` literals wrapped to the line width, and the
 * factory call of each init kind.
 */
import type { InitSpec } from '../graph/document';

/** Target line width of exported scripts. */
export const WIDTH = 99;

/** A float32 value as the shortest Python float literal that rounds back to it. */
export function float32Repr(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return 'float("nan")';
  if (!Number.isFinite(f)) return f > 0 ? 'float("inf")' : '-float("inf")';
  if (Object.is(f, -0)) return '-0.0';
  for (let p = 1; p <= 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) return floatText(String(t));
  }
  return floatText(String(f));
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

/**
 * A nested list literal of `shape` holding `items` (already Python text), to be
 * placed at column `col` with continuation lines indented from `indent`.
 */
export function nestedList(items: readonly string[], shape: readonly number[], indent: number, col: number): string {
  if (shape.length === 0) return items[0]!;
  const flat = inline(items, shape);
  if (col + flat.length + 3 <= WIDTH) return flat;
  if (shape[0] === 1 && shape.length > 1) return `[${nestedList(items, shape.slice(1), indent, col + 1)}]`;
  const pad = ' '.repeat(indent + 4);
  if (shape.length === 1) {
    const lines: string[] = [];
    let line = '';
    for (const it of items) {
      const piece = `${it},`;
      if (line !== '' && pad.length + line.length + 1 + piece.length > WIDTH) {
        lines.push(pad + line);
        line = piece;
      } else line = line === '' ? piece : `${line} ${piece}`;
    }
    if (line !== '') lines.push(pad + line);
    return `[\n${lines.join('\n')}\n${' '.repeat(indent)}]`;
  }
  const rows: string[] = [];
  const size = items.length / shape[0]!;
  for (let r = 0; r < shape[0]!; r++) {
    rows.push(`${pad}${nestedList(items.slice(r * size, (r + 1) * size), shape.slice(1), indent + 4, indent + 4)},`);
  }
  return `[\n${rows.join('\n')}\n${' '.repeat(indent)}]`;
}

function inline(items: readonly string[], shape: readonly number[]): string {
  if (shape.length === 1) return `[${items.join(', ')}]`;
  const size = shape[0]! === 0 ? 0 : items.length / shape[0]!;
  const parts: string[] = [];
  for (let r = 0; r < shape[0]!; r++) parts.push(inline(items.slice(r * size, (r + 1) * size), shape.slice(1)));
  return `[${parts.join(', ')}]`;
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
 * PyTorch code writes it. `col`/`indent` place wrapped literals.
 */
export function initExpr(
  init: InitSpec,
  shape: readonly number[],
  dtype: 'float32' | 'int64',
  requiresGrad: boolean,
  indent: number,
  col: number,
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
      if (data.length !== numel) {
        // Not the shape's size: torch raises the same error at reshape as the runner.
        return {
          expr: `torch.tensor(${inline(data.map(fmt), [data.length])}${dt}).reshape(${shapeArgs(shape)})`,
          requiresGradInCall: false,
        };
      }
      if (numel === 0) return factory('zeros');
      const first = fmt(data[0]!);
      if (numel > 3 && data.every((x) => fmt(x) === first)) {
        if (first === '0.0' || first === '0') return factory('zeros');
        if (first === '1.0' || first === '1') return factory('ones');
        return { expr: `torch.full(${pyTuple(shape)}, ${first}${dt}${rg})`, requiresGradInCall: rgOk };
      }
      const open = 'torch.tensor(';
      const lit = nestedList(data.map(fmt), shape, indent, col + open.length + rg.length);
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
