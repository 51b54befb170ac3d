import type { ParamKind, ParamSpec } from '../protocol/ops';
import { MAX_RANK, MAX_TENSOR_ELEMENTS } from '../core/limits';

/** The outcome of checking one parameter value: a message on failure. */
export type ParamCheck = { ok: true; value: unknown } | { ok: false; message: string };

const ok = (value: unknown): ParamCheck => ({ ok: true, value });
const fail = (message: string): ParamCheck => ({ ok: false, message });
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPos = (v: unknown): v is number => isInt(v) && v > 0;
const isNonNeg = (v: unknown): v is number => isInt(v) && v >= 0;

function pair(v: unknown, elem: (x: unknown) => boolean, what: string): ParamCheck {
  if (elem(v)) return ok([v, v]);
  if (Array.isArray(v) && v.length === 2 && v.every(elem)) return ok([v[0], v[1]]);
  return fail(`expected ${what} or a pair`);
}

const KIND_CHECKS: Record<Exclude<ParamKind, 'init' | 'param_init' | 'enum'>, (v: unknown) => ParamCheck> = {
  int: (v) => (isNonNeg(v) ? ok(v) : fail('expected a non-negative integer')),
  posint: (v) => (isPos(v) ? ok(v) : fail('expected a positive integer')),
  int2: (v) => pair(v, isPos, 'a positive integer'),
  int2nn: (v) => pair(v, isNonNeg, 'a non-negative integer'),
  'int2|null': (v) => (v === null ? ok(null) : pair(v, isPos, 'a positive integer')),
  conv_padding: (v) => {
    if (v === 'same' || v === 'valid') return ok(v);
    if (typeof v === 'string') return fail(`Invalid padding string '${v}', should be one of {'same', 'valid'}`);
    return pair(v, isNonNeg, "a non-negative integer, 'same', 'valid'");
  },
  bool: (v) => (typeof v === 'boolean' ? ok(v) : fail('expected true or false')),
  number: (v) => (typeof v === 'number' && Number.isFinite(v) ? ok(v) : fail('expected a finite number')),
  'number|null': (v) =>
    v === null || (typeof v === 'number' && Number.isFinite(v)) ? ok(v) : fail('expected a number or null'),
  'posint|null': (v) => (v === null || isPos(v) ? ok(v) : fail('expected a positive integer or null')),
  dim: (v) => (isInt(v) ? ok(v) : fail('expected an integer dimension')),
  'dim|null': (v) => (v === null || isInt(v) ? ok(v) : fail('expected an integer dimension or null')),
  'dims|null': (v) => {
    if (v === null || isInt(v)) return ok(v);
    if (Array.isArray(v) && v.length <= MAX_RANK && v.every(isInt)) return ok([...v]);
    return fail('expected null, an integer dimension or a list of them');
  },
  shape: (v) => {
    if (!Array.isArray(v) || v.length > MAX_RANK || !v.every(isNonNeg)) {
      return fail(`expected a list of at most ${MAX_RANK} non-negative integers`);
    }
    const n = v.reduce((a: number, b: number) => a * b, 1);
    if (n > MAX_TENSOR_ELEMENTS) {
      return fail(`shape has ${n} elements, more than the engine's budget of ${MAX_TENSOR_ELEMENTS} per tensor`);
    }
    return ok([...v]);
  },
  reshape: (v) => {
    if (!Array.isArray(v) || v.length > MAX_RANK || !v.every((x) => isInt(x) && x >= -1)) {
      return fail(`expected a list of at most ${MAX_RANK} integers (one may be -1)`);
    }
    if (v.filter((x) => x === -1).length > 1) return fail('only one dimension can be inferred');
    return ok([...v]);
  },
  dtype: (v) => (v === 'float32' || v === 'int64' ? ok(v) : fail('expected "float32" or "int64"')),
};

/** Checks one parameter value against its spec. */
export function checkParam(spec: ParamSpec, value: unknown): ParamCheck {
  if (spec.kind === 'enum') {
    return typeof value === 'string' && spec.values!.includes(value)
      ? ok(value)
      : fail(`expected one of ${spec.values!.map((s) => JSON.stringify(s)).join(', ')}`);
  }
  if (spec.kind === 'init' || spec.kind === 'param_init') return ok(value);
  return KIND_CHECKS[spec.kind](value);
}

const INIT_FIELDS: Record<string, Record<string, 'number' | 'int' | 'array'>> = {
  values: { data: 'array' },
  zeros: {},
  ones: {},
  full: { value: 'number' },
  arange: { start: 'number', step: 'number' },
  rand: { seed: 'int' },
  randn: { seed: 'int' },
  randint: { low: 'int', high: 'int', seed: 'int' },
};
const INIT_OPTIONAL = new Set(['arange.start', 'arange.step', 'randint.low']);

/**
 * Checks an init spec; `count` is the number of elements it must fill (when
 * known). Returns [relative path, message] pairs.
 */
export function checkInit(v: unknown, count: number | null, integer: boolean): [string, string][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [['', 'expected an init object {"kind": ...}']];
  const o = v as Record<string, unknown>;
  const fields = typeof o.kind === 'string' && Object.hasOwn(INIT_FIELDS, o.kind) ? INIT_FIELDS[o.kind] : undefined;
  if (!fields)
    return [
      [
        '.kind',
        `expected one of ${Object.keys(INIT_FIELDS)
          .map((k) => `"${k}"`)
          .join(', ')}`,
      ],
    ];
  const out: [string, string][] = [];
  for (const key of Object.keys(o)) {
    if (key !== 'kind' && !Object.hasOwn(fields, key)) out.push([`.${key}`, `unknown field for init kind "${o.kind}"`]);
  }
  for (const [key, type] of Object.entries(fields)) {
    const val = o[key];
    if (val === undefined) {
      if (!INIT_OPTIONAL.has(`${o.kind}.${key}`)) out.push([`.${key}`, 'missing']);
      continue;
    }
    if (type === 'array') {
      if (!Array.isArray(val)) out.push([`.${key}`, 'expected an array of numbers']);
      else {
        const bad = val.findIndex((x) => typeof x !== 'number' || (integer && !Number.isInteger(x)));
        if (bad >= 0) out.push([`.${key}[${bad}]`, integer ? 'expected an integer' : 'expected a number']);
        else if (count !== null && val.length !== count) {
          out.push([`.${key}`, `expected ${count} values for the shape, got ${val.length}`]);
        }
      }
    } else if (type === 'int' ? !Number.isInteger(val) : typeof val !== 'number' || !Number.isFinite(val)) {
      out.push([`.${key}`, type === 'int' ? 'expected an integer' : 'expected a finite number']);
    }
  }
  if (o.kind === 'randint' && Number.isInteger(o.high) && (o.high as number) <= ((o.low as number | undefined) ?? 0)) {
    out.push(['.high', 'expected high > low']);
  }
  return out;
}
