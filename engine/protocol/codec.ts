/**
 * Helpers both ends of the protocol share: building errors, collecting the
 * buffers a message may transfer, and turning a `result` reply back into the
 * spec's result JSON.
 */
import type { EngineMessage, ErrorJson, RunResultWire, TensorBuffer } from './messages';
import type { RunResultJson, TensorJson } from './result';
import { dict } from './dict';

/** An error on the wire with no node, phase or iteration. */
export function errorJson(type: string, message: string): ErrorJson {
  return { type, message, node: null, phase: null, iteration: null };
}

/** An Error carrying an {@link ErrorJson}: what a client rejects a request with. */
export class EngineRequestError extends Error {
  readonly error: ErrorJson;

  constructor(error: ErrorJson) {
    super(error.message);
    this.name = error.type;
    this.error = error;
  }
}

const isTyped = (v: unknown): v is TensorBuffer => v instanceof Float32Array || v instanceof Float64Array;

/**
 * The buffers a message can transfer instead of copying: the typed arrays of a
 * `getTensor` or `result` reply. Each buffer is listed once (a transfer list
 * with duplicates is an error), and only buffers a typed array covers whole.
 */
export function transferablesOf(msg: EngineMessage): ArrayBuffer[] {
  if (msg.type !== 'response' || !msg.ok) return [];
  const out = new Set<ArrayBuffer>();
  const add = (v: unknown) => {
    if (isTyped(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength)
      out.add(v.buffer);
  };
  const r = msg.result as Record<string, unknown>;
  if (msg.request === 'getTensor') add(r.data);
  if (msg.request === 'result') {
    for (const t of Object.values(r.tensors as Record<string, { data: unknown; grad: { data: unknown } | null }>)) {
      add(t.data);
      if (t.grad) add(t.grad.data);
    }
  }
  return [...out];
}

/** The spec's result JSON from a `result` reply (as `run` prints it with `stringifyResult`). */
export function resultFromWire(w: RunResultWire): RunResultJson {
  const tensors = dict<TensorJson>();
  for (const [name, t] of Object.entries(w.tensors)) {
    tensors[name] = {
      shape: [...t.shape],
      dtype: t.dtype,
      data: Array.from(t.data),
      requires_grad: t.requires_grad,
      is_leaf: t.is_leaf,
      grad_fn: t.grad_fn,
      grad: t.grad ? { shape: [...t.grad.shape], data: Array.from(t.grad.data) } : null,
    };
  }
  const { backward_steps, iterations_run, error, optimizer } = w;
  return { tensors, backward_steps, iterations_run, error, ...(optimizer ? { optimizer } : {}) };
}
