/**
 * What the protocol says about tensors without sending their values: shapes,
 * flags and NaN-aware statistics; and the copies that do send values
 * (`getTensor`, `result`), as fresh typed arrays that can be transferred.
 */
import type { GradValue } from '../autograd/grad-value';
import type { GraphSession } from '../graph/session';
import { optimizerJson, reportedTensors } from '../graph/result';
import type { Tensor } from '../tensor/tensor';
import type {
  GradSummary,
  RunResultWire,
  TensorBuffer,
  TensorData,
  TensorSummary,
  TensorWhich,
  TensorWire,
} from '../protocol/messages';
import { dict } from '../protocol/dict';
import { stats } from '../protocol/stats';

export { stats };

/** Shape, flags and statistics of a tensor and of its `.grad`; its storage as session `s` numbers it. */
export function tensorSummary(t: Tensor, s: GraphSession): TensorSummary {
  return {
    shape: [...t.shape],
    dtype: t.dtype,
    requires_grad: t.requiresGrad,
    is_leaf: t.isLeaf,
    grad_fn: t.gradFnClass,
    has_grad: t.grad !== null,
    stats: stats(t.contiguousData()),
    grad_stats: t.grad ? stats(t.grad.contiguousData()) : null,
    storage: s.storageNumbers.of(t.storage),
    version: t.storage.version,
  };
}

/** Shape and statistics of a gradient in flight. */
export function gradSummary(g: GradValue | null | undefined): GradSummary | null {
  return g ? { shape: [...g.shape], stats: stats(g.data) } : null;
}

/** A fresh copy of a tensor's values (safe to transfer). */
export function copyValues(t: Tensor): TensorBuffer {
  return t.contiguousData().slice();
}

/** `getTensor`'s reply, or null when the tensor has no such buffer (`.grad` is None). */
export function tensorData(name: string, which: TensorWhich, t: Tensor): TensorData | null {
  const src = which === 'value' ? t : t.grad;
  if (!src) return null;
  return { name, which, shape: [...src.shape], dtype: src.dtype, data: copyValues(src) };
}

/** Summaries of every tensor a result reports. */
export function tensorSummaries(s: GraphSession): Record<string, TensorSummary> {
  const out = dict<TensorSummary>();
  for (const [name, t] of reportedTensors(s)) out[name] = tensorSummary(t, s);
  return out;
}

/** Summaries of what the last feedback handed to each Tensor node (see Note [Fed-back tensors are reported apart]). */
export function fedSummaries(s: GraphSession): Record<string, TensorSummary> {
  const out = dict<TensorSummary>();
  for (const [id, t] of s.handedOver) out[id] = tensorSummary(t, s);
  return out;
}

/** The spec's result with typed-array data (`resultFromWire` turns it into the JSON). */
export function resultWire(s: GraphSession): RunResultWire {
  const tensors = dict<TensorWire>();
  for (const [name, t] of reportedTensors(s)) {
    tensors[name] = {
      shape: [...t.shape],
      dtype: t.dtype,
      data: copyValues(t),
      requires_grad: t.requiresGrad,
      is_leaf: t.isLeaf,
      grad_fn: t.gradFnClass,
      grad: t.grad ? { shape: [...t.grad.shape], data: copyValues(t.grad) } : null,
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
