/**
 * Runtime checks of every message on arrival. Hand-written (no schema library):
 * a request is checked field by field, unknown fields included, so a malformed
 * message gets a located error reply instead of crashing a host; an engine
 * message is checked by envelope and by the key fields of each result.
 */
import { REQUEST_TYPES, type EngineMessage, type ErrorJson, type Request, type RequestType } from './messages';

/** The outcome of a check: the typed message, or why it is malformed (with its id when readable). */
export type Checked<T> = { ok: true; value: T } | { ok: false; id: number | null; message: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrOrNull = (v: unknown) => v === null || typeof v === 'string';
const isNumOrNull = (v: unknown) => v === null || typeof v === 'number';
const isTyped = (v: unknown) => v instanceof Float32Array || v instanceof Float64Array;
const isShape = (v: unknown) => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);

/** Fields each request may carry besides `type` and `id`: name -> check and description. */
const REQUEST_FIELDS: Record<
  RequestType,
  Record<string, { optional: boolean; check(v: unknown): boolean; expected: string }>
> = {
  // Only an object here: the document's structure (./document.ts) is checked by the engine's
  // validation, so its faults come back as the load's issues with their paths, not as a
  // malformed request.
  load: { document: { optional: false, check: isObj, expected: 'a graph document (a JSON object)' } },
  run: {
    iterations: {
      optional: true,
      check: (v) => Number.isSafeInteger(v) && (v as number) >= 1,
      expected: 'a positive integer',
    },
  },
  stepForward: {},
  stepBackward: {},
  reset: {},
  cancel: {},
  getTensor: {
    name: {
      optional: false,
      check: (v) => typeof v === 'string' && v.length > 0 && v.length <= 200,
      expected: 'a tensor name',
    },
    which: { optional: false, check: (v) => v === 'value' || v === 'grad', expected: '"value" or "grad"' },
  },
  result: {},
  evaluate: {
    split: { optional: true, check: (v) => v === 'train' || v === 'test', expected: '"train" or "test"' },
  },
};

/** Checks a request; every fault names the field. */
export function checkRequest(raw: unknown): Checked<Request> {
  if (!isObj(raw)) return { ok: false, id: null, message: 'a request must be an object' };
  const id = isId(raw.id) ? raw.id : null;
  const bad = (message: string): Checked<Request> => ({ ok: false, id, message });
  if (typeof raw.type !== 'string') return bad('request.type: expected a string');
  if (!(REQUEST_TYPES as readonly string[]).includes(raw.type)) {
    return bad(
      `request.type: unknown request ${JSON.stringify(raw.type)} (expected one of ${REQUEST_TYPES.join(', ')})`,
    );
  }
  if (id === null) return bad(`request.id: expected a non-negative integer, got ${describe(raw.id)}`);
  const fields = REQUEST_FIELDS[raw.type as RequestType];
  for (const key of Object.keys(raw)) {
    if (key !== 'type' && key !== 'id' && !Object.hasOwn(fields, key))
      return bad(`request.${key}: unknown field of ${raw.type}`);
  }
  for (const [key, f] of Object.entries(fields)) {
    const v = raw[key];
    if (v === undefined) {
      if (!f.optional) return bad(`request.${key}: required field of ${raw.type} is missing`);
      continue;
    }
    if (!f.check(v)) return bad(`request.${key}: expected ${f.expected}, got ${describe(v)}`);
  }
  return { ok: true, value: raw as unknown as Request };
}

/** Checks the shape of an error on the wire. */
export function isErrorJson(v: unknown): v is ErrorJson {
  return (
    isObj(v) &&
    typeof v.type === 'string' &&
    typeof v.message === 'string' &&
    isStrOrNull(v.node) &&
    isStrOrNull(v.phase) &&
    isNumOrNull(v.iteration)
  );
}

/** Key fields of each request's result (enough to catch a mismatched or garbled reply). */
const RESULT_CHECKS: Record<RequestType, (r: Obj) => string | null> = {
  load: (r) =>
    need(r, { ok: 'boolean', issues: 'array', ports: 'object', order: 'array', update: 'array', problems: 'array' }),
  run: (r) =>
    need(r, {
      tensors: 'object',
      backward_steps: 'array',
      iterations_run: 'number',
      edge_flow: 'array',
      losses: 'array',
    }),
  stepForward: (r) =>
    need(r, { phase: 'string', iteration: 'number', setup: 'object' }) ?? nullable(r, ['node', 'grad_fn']),
  stepBackward: (r) =>
    need(r, {
      index: 'number',
      iteration: 'number',
      inputs: 'array',
      outputs: 'array',
      forwarded: 'array',
      done: 'boolean',
      phase: 'string',
    }) ?? nullable(r, ['node', 'grad_fn']),
  reset: (r) => need(r, { phase: 'string' }),
  cancel: (r) => need(r, { cancelled: 'boolean', restarted: 'boolean' }),
  getTensor: (r) =>
    need(r, { name: 'string', which: 'string', dtype: 'string' }) ??
    (isShape(r.shape) ? null : 'shape: expected a list of sizes') ??
    (isTyped(r.data) ? null : 'data: expected a Float32Array or Float64Array'),
  result: (r) =>
    need(r, { tensors: 'object', backward_steps: 'array', iterations_run: 'number' }) ?? wireTensors(r.tensors as Obj),
  evaluate: (r) =>
    need(r, { dataset: 'string', split: 'string', classes: 'array', count: 'number', correct: 'number' }) ??
    (Array.isArray(r.confusion) && r.confusion.every((row) => Array.isArray(row))
      ? null
      : 'confusion: expected a list of rows'),
};

/** Checks a message from an engine host. */
export function checkEngineMessage(raw: unknown): Checked<EngineMessage> {
  if (!isObj(raw)) return { ok: false, id: null, message: 'an engine message must be an object' };
  const id = isId(raw.id) ? raw.id : null;
  const bad = (message: string): Checked<EngineMessage> => ({ ok: false, id, message });
  if (raw.type === 'event') {
    const problem = checkEvent(raw);
    return problem ? bad(`event.${problem}`) : { ok: true, value: raw as unknown as EngineMessage };
  }
  if (raw.type !== 'response') return bad(`message.type: expected "response" or "event", got ${describe(raw.type)}`);
  if (raw.id !== null && id === null) return bad('response.id: expected a non-negative integer or null');
  const req = raw.request;
  if (req !== null && !(REQUEST_TYPES as readonly unknown[]).includes(req))
    return bad(`response.request: unknown request ${describe(req)}`);
  if (raw.ok === false) {
    return isErrorJson(raw.error)
      ? { ok: true, value: raw as unknown as EngineMessage }
      : bad('response.error: expected {type, message, node, phase, iteration}');
  }
  if (raw.ok !== true) return bad('response.ok: expected true or false');
  if (req === null) return bad('response.request: a successful response names its request');
  if (!isObj(raw.result)) return bad('response.result: expected an object');
  const problem = RESULT_CHECKS[req as RequestType](raw.result);
  return problem ? bad(`response.result.${problem}`) : { ok: true, value: raw as unknown as EngineMessage };
}

function checkEvent(e: Obj): string | null {
  switch (e.event) {
    case 'ready':
      return (
        need(e, { protocol: 'number' }) ??
        (e.kernels === undefined || typeof e.kernels === 'string' ? null : 'kernels: expected a string')
      );
    case 'restarted':
      return need(e, { reason: 'string' });
    case 'progress':
      return (
        need(e, { iteration: 'number', of: 'number', elapsed_ms: 'number' }) ??
        (isNumOrNull(e.loss) ? null : 'loss: expected a number or null') ??
        (e.accuracy === undefined || isNumOrNull(e.accuracy) ? null : 'accuracy: expected a number or null')
      );
    case 'warning':
      return need(e, { message: 'string' }) ?? (isStrOrNull(e.node) ? null : 'node: expected a string or null');
    default:
      return `event: unknown event ${describe(e.event)}`;
  }
}

type Kind = 'boolean' | 'number' | 'string' | 'array' | 'object';

function need(o: Obj, fields: Record<string, Kind>): string | null {
  for (const [key, kind] of Object.entries(fields)) {
    const v = o[key];
    const ok = kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObj(v) : typeof v === kind;
    if (!ok)
      return `${key}: expected ${kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`}, got ${describe(v)}`;
  }
  return null;
}

function nullable(o: Obj, keys: string[]): string | null {
  for (const k of keys) if (!isStrOrNull(o[k])) return `${k}: expected a string or null`;
  return 'error' in o && o.error !== null && !isObj(o.error) ? 'error: expected an object or null' : null;
}

function wireTensors(tensors: Obj): string | null {
  for (const [name, t] of Object.entries(tensors)) {
    if (!isObj(t) || !isShape(t.shape) || !isTyped(t.data))
      return `tensors.${name}: expected {shape, data: Float32Array | Float64Array, ...}`;
    if (t.grad !== null && !(isObj(t.grad) && isTyped(t.grad.data)))
      return `tensors.${name}.grad: expected null or {shape, data}`;
  }
  return null;
}

/** A short description of a value for messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return `${typeof v} ${String(v)}`;
}
