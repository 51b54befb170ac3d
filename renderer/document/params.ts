/**
 * Parameter values for the inspector: PyTorch's defaults from the op catalog,
 * validation of each kind with a message, and text ⇄ value conversion for
 * the fields that are typed as text (`[2, 3]`, `3`, `same`).
 */
import type { OpSpec, ParamKind, ParamSpec } from '../../engine/protocol/ops';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPair = (v: unknown, ok: (x: unknown) => boolean): boolean => Array.isArray(v) && v.length === 2 && v.every(ok);
const pos = (v: unknown): boolean => isInt(v) && v > 0;
const nonneg = (v: unknown): boolean => isInt(v) && v >= 0;

const INIT_KINDS = ['values', 'zeros', 'ones', 'full', 'arange', 'rand', 'randn', 'randint'] as const;

/** Validates an init spec (`{kind: ...}`); returns a message or null. */
export function checkInit(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected an init object like {"kind": "zeros"}';
  const o = v as Record<string, unknown>;
  if (!INIT_KINDS.includes(o.kind as (typeof INIT_KINDS)[number]))
    return `init kind must be one of ${INIT_KINDS.join(', ')}`;
  if (o.kind === 'values' && !(Array.isArray(o.data) && o.data.every((x) => typeof x === 'number')))
    return 'values: data must be a list of numbers';
  if (o.kind === 'full' && typeof o.value !== 'number') return 'full: value must be a number';
  if (o.kind === 'randint' && !isInt(o.high)) return 'randint: high must be an integer';
  return null;
}

/** Validates one value of a kind; returns a message in the inspector's words, or null. */
export function checkValue(kind: ParamKind, v: unknown, values?: readonly string[]): string | null {
  switch (kind) {
    case 'int':
      return nonneg(v) ? null : 'expected a non-negative integer';
    case 'posint':
      return pos(v) ? null : 'expected a positive integer';
    case 'int2':
      return pos(v) || isPair(v, pos) ? null : 'expected a positive integer or a pair';
    case 'int2nn':
      return nonneg(v) || isPair(v, nonneg) ? null : 'expected a non-negative integer or a pair';
    case 'int2|null':
      return v === null || pos(v) || isPair(v, pos) ? null : 'expected null, a positive integer or a pair';
    case 'conv_padding':
      return v === 'same' || v === 'valid' || nonneg(v) || isPair(v, nonneg)
        ? null
        : 'expected a non-negative integer, a pair, "same" or "valid"';
    case 'bool':
      return typeof v === 'boolean' ? null : 'expected true or false';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'expected a number';
    case 'number|null':
      return v === null || (typeof v === 'number' && Number.isFinite(v)) ? null : 'expected a number or null';
    case 'integer|null':
      return v === null || isInt(v) ? null : 'expected null or an integer';
    case 'integer':
      return isInt(v) ? null : 'expected an integer';
    case 'dim':
      return isInt(v) ? null : 'expected an integer dimension';
    case 'dim|null':
      return v === null || isInt(v) ? null : 'expected an integer dimension or null';
    case 'dims|null':
      return v === null || isInt(v) || (Array.isArray(v) && v.every(isInt))
        ? null
        : 'expected null, an integer or a list of integers';
    case 'dims':
      return Array.isArray(v) && v.every(isInt) ? null : 'expected a list of integer dimensions, like [2, 0, 1]';
    case 'output_size':
      return isInt(v) || isPair(v, (x) => x === null || isInt(x))
        ? null
        : 'expected an integer or a pair of integers or nulls, like [7, 7] or [null, 1]';
    case 'shape':
      return Array.isArray(v) && v.every(nonneg) ? null : 'expected a list of non-negative integers, like [2, 3]';
    case 'reshape':
      return Array.isArray(v) && v.every((x) => isInt(x) && x >= -1) && v.filter((x) => x === -1).length <= 1
        ? null
        : 'expected a list of integers with at most one -1';
    case 'dtype':
      return v === 'float32' || v === 'int64' ? null : 'expected "float32" or "int64"';
    case 'enum':
      return typeof v === 'string' && (values ?? []).includes(v)
        ? null
        : `expected one of ${(values ?? []).join(', ')}`;
    case 'mean_std|null': {
      const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      const fine = o && Object.keys(o).length === 2 && typeof o.mean === 'number' && typeof o.std === 'number';
      return v === null || (fine && (o.std as number) > 0)
        ? null
        : 'expected null or {"mean": number, "std": positive number}';
    }
    case 'init':
      return checkInit(v);
    case 'param_init': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected {"weight"?: init, "bias"?: init}';
      for (const [k, x] of Object.entries(v)) {
        if (k !== 'weight' && k !== 'bias') return `unknown key "${k}" (expected weight, bias)`;
        const m = checkInit(x);
        if (m) return `${k}: ${m}`;
      }
      return null;
    }
  }
}

/** The value a param has on a node: its own, or PyTorch's default. */
export function paramValue(spec: ParamSpec, params: Readonly<Record<string, unknown>>): unknown {
  return spec.name in params ? params[spec.name] : spec.default;
}

/** A problem with one param of a node. */
export interface ParamIssue {
  readonly param: string;
  readonly message: string;
}

/** Light validation of a node's params: required ones present, each value valid, no unknown keys. */
export function checkParams(spec: OpSpec, params: Readonly<Record<string, unknown>>): ParamIssue[] {
  const issues: ParamIssue[] = [];
  for (const p of spec.params) {
    if (!(p.name in params)) {
      if (p.default === undefined) issues.push({ param: p.name, message: `${p.name} is required` });
      continue;
    }
    const m = checkValue(p.kind, params[p.name], p.values);
    if (m) issues.push({ param: p.name, message: `${p.name}: ${m}` });
  }
  for (const k of Object.keys(params)) {
    if (!spec.params.some((p) => p.name === k)) issues.push({ param: k, message: `unknown parameter "${k}"` });
  }
  return issues;
}

/** A param value as text for a text field. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Reads a text field: JSON when it parses (`3`, `[2, 3]`, `null`), else the bare string (`same`). */
export function parseText(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  try {
    return JSON.parse(t);
  } catch {
    // `(2, 3)` as Python writes a tuple
    const tuple = /^\((.*)\)$/.exec(t);
    if (tuple) {
      try {
        return JSON.parse(`[${tuple[1]!.replace(/,\s*$/, '')}]`);
      } catch {
        /* fall through */
      }
    }
    return t;
  }
}

/** Initial params of a freshly added node: the required ones, with values a beginner can run. */
export function starterParams(spec: OpSpec): Record<string, unknown> {
  const starters: Record<string, unknown> = {
    shape: spec.op === 'Reshape' ? [-1] : [1, 3],
    in_channels: 1,
    out_channels: 1,
    kernel_size: spec.op === 'Conv2d' ? 3 : 2,
    in_features: 3,
    out_features: 2,
    num_features: 1,
    dim0: 0,
    dim1: 1,
    dims: [1, 0],
    output_size: 1,
    exponent: 2,
  };
  const out: Record<string, unknown> = {};
  for (const p of spec.params) if (p.default === undefined && p.name in starters) out[p.name] = starters[p.name];
  if (spec.op === 'Tensor') out.init = { kind: 'randn', seed: 0 };
  if (spec.op === 'LogSoftmax' || spec.op === 'Softmax') out.dim = 1;
  return out;
}

/**
 * The params a node face shows: those set to something other than PyTorch's
 * default (every one, so `padding_mode=reflect` is visible), with a Tensor's
 * init as its kind. Owned-parameter inits stay in the inspector.
 */
export function shownParams(spec: OpSpec | undefined, params: Readonly<Record<string, unknown>>): [string, string][] {
  const out: [string, string][] = [];
  for (const p of spec?.params ?? []) {
    if (!(p.name in params) || p.kind === 'param_init') continue;
    const v = params[p.name];
    if (p.default !== undefined && JSON.stringify(v) === JSON.stringify(p.default)) continue;
    if (p.kind === 'init') {
      const o = (v ?? {}) as { kind?: unknown; value?: unknown };
      out.push([p.name, o.kind === 'full' ? `full(${formatValue(o.value)})` : String(o.kind)]);
    } else if (p.kind === 'mean_std|null' && checkValue(p.kind, v) === null && v !== null) {
      const o = v as { mean: number; std: number };
      out.push([p.name, `(${o.mean}, ${o.std})`]); // as Normalize(mean, std) is written
    } else out.push([p.name, formatValue(v)]);
  }
  return out;
}
