import type { GradJson, OptimizerJson, RunResultJson, TensorJson } from '../protocol/result';
import type { Tensor } from '../tensor/tensor';
import type { GraphSession } from './session';
import { dict } from '../protocol/dict';
import { outputNames } from '../protocol/op-spec';

/** The NaN-tolerant JSON reader (see json-nan.ts), where its callers have always found it. */
export { parseJsonWithNaN } from './json-nan';

/** A tensor as the result JSON shows it. */
export function tensorJson(t: Tensor): TensorJson {
  return {
    shape: [...t.shape],
    dtype: t.dtype,
    data: Array.from(t.contiguousData()),
    requires_grad: t.requiresGrad,
    is_leaf: t.isLeaf,
    grad_fn: t.gradFnClass,
    grad: t.grad ? { shape: [...t.grad.shape], data: Array.from(t.grad.contiguousData()) } : null,
  };
}

/**
 * Every tensor a result reports: node outputs of the iteration reached (each
 * output of a node with several, as `<id>.<output>`), then parameters and buffers.
 */
export function reportedTensors(s: GraphSession): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const n of s.graph.doc.nodes) {
    for (const name of outputNames(n.id, n.impl.spec)) {
      const t = s.outputs.get(name);
      if (t) out.set(name, t);
    }
  }
  for (const [id, p] of s.params) {
    if (p.weight) out.set(`${id}.weight`, p.weight);
    if (p.bias) out.set(`${id}.bias`, p.bias);
    for (const [name, b] of p.buffers ?? []) out.set(`${id}.${name}`, b);
  }
  return out;
}

/** The result's `optimizer` section: the optimizer's kind, parameters and state; absent without one. */
export function optimizerJson(s: GraphSession): { optimizer?: OptimizerJson } {
  if (!s.optimizer) return {};
  const { optimizer, names } = s.optimizer;
  const state = dict<Record<string, GradJson | number | null>>();
  for (const [p, entries] of optimizer.state) {
    const out = dict<GradJson | number | null>();
    for (const [k, v] of entries) {
      out[k] = v === null || typeof v === 'number' ? v : { shape: [...v.shape], data: Array.from(v.contiguousData()) };
    }
    state[names.get(p)!] = out;
  }
  return { optimizer: { kind: optimizer.options.kind, params: [...names.values()], state } };
}

/** The spec's result JSON of a session. */
export function resultJson(s: GraphSession): RunResultJson {
  const tensors = dict<TensorJson>();
  for (const [name, t] of reportedTensors(s)) tensors[name] = tensorJson(t);
  return {
    tensors,
    backward_steps: s.steps.map((st) => ({ grad_fn: st.gradFn, node: st.tag })),
    iterations_run: s.iterationsRun,
    error: s.error,
    ...optimizerJson(s),
  };
}

/** The spec's result JSON of a session with each tensor's values as a typed array (no copies), for {@link writeJson}. */
export function resultValues(s: GraphSession): unknown {
  const tensors = dict<unknown>();
  for (const [name, t] of reportedTensors(s)) {
    tensors[name] = {
      shape: [...t.shape],
      dtype: t.dtype,
      data: t.contiguousData(),
      requires_grad: t.requiresGrad,
      is_leaf: t.isLeaf,
      grad_fn: t.gradFnClass,
      grad: t.grad ? { shape: [...t.grad.shape], data: t.grad.contiguousData() } : null,
    };
  }
  return {
    tensors,
    backward_steps: s.steps.map((st) => ({ grad_fn: st.gradFn, node: st.tag })),
    iterations_run: s.iterationsRun,
    error: s.error,
    ...optimizerJson(s),
  };
}

/** Characters gathered before `writeJson` hands them on. */
const CHUNK = 1 << 16;
/** Numbers of a typed array formatted per join. */
const RUN = 4096;

const NUMBER_ARRAYS = [
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
] as const;

/** A typed array of numbers (a tensor's values, written like a JSON array). */
function isNumberArray(v: unknown): v is InstanceType<(typeof NUMBER_ARRAYS)[number]> {
  return NUMBER_ARRAYS.some((T) => v instanceof T);
}

/**
 * Writes `value` as `stringifyResult(value)` would (the same bytes, no indent),
 * in chunks of about 64 KiB, so no text larger than a chunk is ever built: a
 * result of any size inside the budget can be written. Typed arrays are written
 * as JSON arrays (their `join` formats numbers as JSON does, and non-finite ones
 * as the bare tokens).
 */
export function writeJson(value: unknown, write: (chunk: string) => void): void {
  let buf = '';
  const put = (piece: string) => {
    buf += piece;
    if (buf.length >= CHUNK) {
      write(buf);
      buf = '';
    }
  };
  const number = (v: number) =>
    put(Number.isFinite(v) || Number.isNaN(v) ? String(v) : v > 0 ? 'Infinity' : '-Infinity');
  const emit = (v: unknown, inArray: boolean): void => {
    if (v === null || (v === undefined && inArray) || typeof v === 'function' || typeof v === 'symbol')
      return put('null');
    if (typeof v === 'number') return number(v);
    if (typeof v === 'string') return put(JSON.stringify(v));
    if (typeof v === 'boolean') return put(v ? 'true' : 'false');
    if (isNumberArray(v)) {
      const a = v;
      put('[');
      for (let i = 0; i < a.length; i += RUN) put((i > 0 ? ',' : '') + a.subarray(i, i + RUN).join(','));
      return put(']');
    }
    if (Array.isArray(v)) {
      put('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) put(',');
        emit(v[i], true);
      }
      return put(']');
    }
    put('{');
    let first = true;
    for (const [k, x] of Object.entries(typeof v === 'object' ? v : {})) {
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      put(`${first ? '' : ','}${JSON.stringify(k)}:`);
      first = false;
      emit(x, false);
    }
    put('}');
  };
  emit(value, true);
  if (buf.length > 0) write(buf);
}

/**
 * Serialises a result as JSON with NaN and ±Infinity written as the bare tokens
 * `NaN`, `Infinity`, `-Infinity` (as Python's json module writes and reads them).
 */
export function stringifyResult(value: unknown, indent?: number): string {
  if (!hasNonFinite(value, 0)) return JSON.stringify(value, null, indent);
  const json = JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        return Number.isNaN(v) ? '\u0000NaN' : v > 0 ? '\u0000Infinity' : '\u0000-Infinity';
      }
      return v;
    },
    indent,
  );
  return json.replace(/"\\u0000(NaN|-?Infinity)"/g, '$1');
}

/** True if a NaN or ±Infinity occurs anywhere in `v` (checked without a replacer, which is slow). */
function hasNonFinite(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v !== 'object' || v === null || depth > 64) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'number' ? !Number.isFinite(x) : hasNonFinite(x, depth + 1)) return true;
    return false;
  }
  for (const x of Object.values(v)) if (hasNonFinite(x, depth + 1)) return true;
  return false;
}
