/**
 * Checks of parameter values, one per kind (`KindValue` in
 * engine/protocol/op-spec.ts), each giving the typed value or the message the
 * document's issue shows at `nodes[i].params.<name>`.
 */
import type { InitSpec, KindValue, ParamInit, ParamKind, ParamSpec } from '../protocol/op-spec';
import { MAX_RANK, MAX_TENSOR_ELEMENTS } from '../core/limits';

/** The outcome of checking one parameter value: a message on failure. */
export type ParamCheck<T = unknown> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): ParamCheck<T> => ({ ok: true, value });
const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPos = (v: unknown): v is number => isInt(v) && v > 0;
const isNonNeg = (v: unknown): v is number => isInt(v) && v >= 0;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function pair(v: unknown, elem: (x: unknown) => x is number, what: string): ParamCheck<KindValue['int2']> {
  if (elem(v)) return ok([v, v]);
  if (Array.isArray(v) && v.length === 2 && elem(v[0]) && elem(v[1])) return ok([v[0], v[1]]);
  return fail(`expected ${what} or a pair`);
}

type Checks = {
  readonly [K in Exclude<ParamKind, 'init' | 'param_init' | 'enum'>]: (v: unknown) => ParamCheck<KindValue[K]>;
};

const KIND_CHECKS: Checks = {
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
  'integer|null': (v) => (v === null || isInt(v) ? ok(v) : fail('expected an integer or null')),
  integer: (v) => (isInt(v) ? ok(v) : fail('expected an integer')),
  dim: (v) => (isInt(v) ? ok(v) : fail('expected an integer dimension')),
  'dim|null': (v) => (v === null || isInt(v) ? ok(v) : fail('expected an integer dimension or null')),
  'dims|null': (v) => {
    if (v === null || isInt(v)) return ok(v);
    if (Array.isArray(v) && v.length <= MAX_RANK && v.every(isInt)) return ok([...v]);
    return fail('expected null, an integer dimension or a list of them');
  },
  dims: (v) =>
    Array.isArray(v) && v.length <= MAX_RANK && v.every(isInt)
      ? ok([...v])
      : fail(`expected a list of at most ${MAX_RANK} integer dimensions`),
  output_size: (v) => {
    if (isInt(v)) return ok(v);
    const entry = (x: unknown): x is number | null => x === null || isInt(x);
    if (Array.isArray(v) && v.length === 2 && entry(v[0]) && entry(v[1])) return ok([v[0], v[1]]);
    return fail('expected an integer or a pair of integers or nulls');
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
  'mean_std|null': (v) => {
    if (v === null) return ok(null);
    const { mean, std } = isObj(v) ? v : {};
    const keys = isObj(v) ? Object.keys(v).sort().join(',') : '';
    const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    if (keys === 'mean,std' && finite(mean) && finite(std) && std > 0) return ok({ mean, std });
    return fail('expected null or {"mean": number, "std": positive number}');
  },
};

/** Checks an `enum` value against its allowed values. */
export function checkChoice<V extends string>(values: readonly V[], value: unknown): ParamCheck<V> {
  const hit = values.find((s) => s === value);
  return hit !== undefined ? ok(hit) : fail(`expected one of ${values.map((s) => JSON.stringify(s)).join(', ')}`);
}

/** Checks a value of one kind (not `init` or `param_init`, whose checks report several paths: see checkInit). */
export function checkKind<K extends Exclude<ParamKind, 'init' | 'param_init' | 'enum'>>(
  kind: K,
  value: unknown,
): ParamCheck<KindValue[K]> {
  const check: (v: unknown) => ParamCheck<KindValue[K]> = KIND_CHECKS[kind];
  return check(value);
}

/** Checks one parameter value against its catalog spec (init specs pass: see checkInit). */
export function checkParam(spec: ParamSpec, value: unknown): ParamCheck {
  if (spec.kind === 'enum') return checkChoice(spec.values ?? [], value);
  if (spec.kind === 'init' || spec.kind === 'param_init') return ok(value);
  return checkKind(spec.kind, value);
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
  if (!isObj(v)) return [['', 'expected an init object {"kind": ...}']];
  const o = v;
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
  const low = o.low ?? 0;
  if (o.kind === 'randint' && isInt(o.high) && typeof low === 'number' && o.high <= low) {
    out.push(['.high', 'expected high > low']);
  }
  return out;
}

/** A value {@link checkInit} accepts is an InitSpec (a type guard, so the checked object is used as is). */
export function isInitSpec(v: unknown): v is InitSpec {
  return checkInit(v, null, false).length === 0;
}

/**
 * Checks a layer's `init` (`{"weight"?: init, "bias"?: init}`). Returns [relative
 * path, message] pairs, like {@link checkInit}.
 */
export function checkParamInit(v: unknown): [string, string][] {
  if (!isObj(v)) return [['', 'expected {"weight"?: init, "bias"?: init}']];
  const out: [string, string][] = [];
  for (const key of Object.keys(v)) {
    if (key !== 'weight' && key !== 'bias') out.push([`.${key}`, 'expected only "weight" and "bias"']);
    else for (const [p, m] of checkInit(v[key], null, false)) out.push([`.${key}${p}`, m]);
  }
  return out;
}

/** A value {@link checkParamInit} accepts is a ParamInit. */
export function isParamInit(v: unknown): v is ParamInit {
  return checkParamInit(v).length === 0;
}
