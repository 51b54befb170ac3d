import type { RunResultJson, TensorJson } from '../protocol/result';
import type { Tensor } from '../tensor/tensor';
import type { GraphSession } from './session';

/** A tensor as the result JSON shows it. */
export function tensorJson(t: Tensor): TensorJson {
  return {
    shape: [...t.shape],
    dtype: t.dtype,
    data: Array.from(t.contiguousData()),
    requires_grad: t.requiresGrad,
    is_leaf: t.isLeaf,
    grad_fn: t.gradFnName,
    grad: t.grad ? { shape: [...t.grad.shape], data: Array.from(t.grad.contiguousData()) } : null,
  };
}

/** Every tensor a result reports: node outputs of the iteration reached, then parameters. */
export function reportedTensors(s: GraphSession): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const n of s.graph.doc.nodes) {
    const t = s.outputs.get(n.id);
    if (t) out.set(n.id, t);
  }
  for (const [id, p] of s.params) {
    if (p.weight) out.set(`${id}.weight`, p.weight);
    if (p.bias) out.set(`${id}.bias`, p.bias);
  }
  return out;
}

/** The spec's result JSON of a session. */
export function resultJson(s: GraphSession): RunResultJson {
  const tensors: Record<string, TensorJson> = {};
  for (const [name, t] of reportedTensors(s)) tensors[name] = tensorJson(t);
  return {
    tensors,
    backward_steps: s.steps.map((st) => ({ grad_fn: st.gradFn, node: st.tag })),
    iterations_run: s.iterationsRun,
    error: s.error,
  };
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

/** Parses JSON that may contain NaN / Infinity tokens (outside strings). */
export function parseJsonWithNaN(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (text.startsWith('NaN', i)) {
      out += '"\\u0000NaN"';
      i += 2;
    } else if (text.startsWith('-Infinity', i)) {
      out += '"\\u0000-Infinity"';
      i += 8;
    } else if (text.startsWith('Infinity', i)) {
      out += '"\\u0000Infinity"';
      i += 7;
    } else out += c;
  }
  return JSON.parse(out, (_k, v: unknown) =>
    v === '\u0000NaN' ? NaN : v === '\u0000Infinity' ? Infinity : v === '\u0000-Infinity' ? -Infinity : v,
  );
}
